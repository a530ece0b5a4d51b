//! What each kind of simulated object checks when created, the attributes
//! it reports when ready, and how objects affect each other (ports and
//! servers take addresses from subnets, attachments mark volumes in use).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use heat_core::engine::ResourceSpec;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::SimObject;

type Objects = BTreeMap<String, SimObject>;

fn builtin(id: &str, kind: &str, name: &str, attributes: Json) -> SimObject {
    SimObject {
        id: id.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        stack_id: String::new(),
        resource: String::new(),
        status: "ACTIVE".into(),
        properties: Json::Null,
        attributes: attributes.as_object().cloned().unwrap_or_default(),
    }
}

/// The cloud's own objects: images, flavors, a key pair, `public` and
/// `private` networks.
pub(super) fn builtins() -> Vec<SimObject> {
    let mut v = vec![
        builtin(
            "a6b6b4a2-0000-4000-a000-00000000c1d5",
            "image",
            "cirros-0.6.2",
            json!({"status": "active", "min_disk": 1}),
        ),
        builtin(
            "a6b6b4a2-0000-4000-a000-0000000ab022",
            "image",
            "ubuntu-22.04",
            json!({"status": "active", "min_disk": 10}),
        ),
        builtin(
            "a6b6b4a2-0000-4000-a000-000000000f39",
            "image",
            "fedora-39",
            json!({"status": "active", "min_disk": 10}),
        ),
        builtin(
            "00000000-0000-4000-a000-00000000ff01",
            "keypair",
            "default-key",
            json!({"public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeatRsSimulatedCloudDefaultKey heat-rs"}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000e1",
            "network",
            "public",
            json!({"router:external": true, "subnets": ["00000000-0000-4000-a000-0000000000e2"], "status": "ACTIVE", "mtu": 1500}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000e2",
            "subnet",
            "public-subnet",
            json!({"network_id": "00000000-0000-4000-a000-0000000000e1", "cidr": "172.24.4.0/24", "gateway_ip": "172.24.4.1", "ip_version": 4}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000a1",
            "network",
            "private",
            json!({"subnets": ["00000000-0000-4000-a000-0000000000a2"], "status": "ACTIVE", "mtu": 1450}),
        ),
        builtin(
            "00000000-0000-4000-a000-0000000000a2",
            "subnet",
            "private-subnet",
            json!({"network_id": "00000000-0000-4000-a000-0000000000a1", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1", "ip_version": 4}),
        ),
    ];
    for (i, (name, vcpus, ram, disk)) in [
        ("m1.tiny", 1, 512, 1),
        ("m1.small", 1, 2048, 20),
        ("m1.medium", 2, 4096, 40),
        ("m1.large", 4, 8192, 80),
        ("m1.xlarge", 8, 16384, 160),
    ]
    .into_iter()
    .enumerate()
    {
        v.push(builtin(
            &format!("00000000-0000-4000-a000-00000000f1a{i}"),
            "flavor",
            name,
            json!({"vcpus": vcpus, "ram": ram, "disk": disk}),
        ));
    }
    v
}

fn find<'a>(objects: &'a Objects, kind: &str, name_or_id: &str) -> Option<&'a SimObject> {
    objects
        .get(name_or_id)
        .filter(|o| o.kind == kind)
        .or_else(|| {
            objects
                .values()
                .find(|o| o.kind == kind && o.name == name_or_id)
        })
}

fn str_prop<'a>(spec: &'a ResourceSpec, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| spec.properties.get(*k).and_then(Json::as_str))
        .filter(|s| !s.is_empty())
}

fn need(objects: &Objects, kind: &str, what: &str, value: &str) -> Result<(), String> {
    match find(objects, kind, value) {
        Some(_) => Ok(()),
        None => Err(format!("{what} {value} could not be found.")),
    }
}

/// The over-quota message of each service.
pub(super) fn quota_message(kind: &str, used: usize, limit: usize) -> String {
    match kind {
        "server" => format!("Quota exceeded for instances: Requested 1, but already used {used} of {limit} instances"),
        "volume" => format!("VolumeLimitExceeded: Maximum number of volumes allowed ({limit}) exceeded for quota 'volumes'."),
        other => format!("Quota exceeded for resources: ['{other}']."),
    }
}

/// Checks a new object's references and makes it, in its initial status.
pub(super) fn build(
    kind: &str,
    id: &str,
    spec: &ResourceSpec,
    objects: &Objects,
) -> Result<SimObject, String> {
    match kind {
        "server" => {
            let boots_from_volume = spec
                .properties
                .get("block_device_mapping_v2")
                .or_else(|| spec.properties.get("block_device_mapping"))
                .and_then(Json::as_array)
                .is_some_and(|a| !a.is_empty());
            match str_prop(spec, &["image"]) {
                Some(image) => need(objects, "image", "Image", image)?,
                None if boots_from_volume => {}
                None => return Err("Block Device Mapping is Invalid: You specified more local devices than the limit allows".into()),
            }
            let flavor = str_prop(spec, &["flavor"]).unwrap_or("m1.small");
            need(objects, "flavor", "Flavor", flavor)?;
            if let Some(key) = str_prop(spec, &["key_name"]) {
                if find(objects, "keypair", key).is_none() {
                    return Err("Invalid key_name provided.".into());
                }
            }
            for n in spec
                .properties
                .get("networks")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(net) = n
                    .get("network")
                    .or_else(|| n.get("uuid"))
                    .and_then(Json::as_str)
                {
                    need(objects, "network", "Network", net)?;
                }
                if let Some(port) = n.get("port").and_then(Json::as_str) {
                    need(objects, "port", "Port", port)?;
                }
                if let Some(subnet) = n.get("subnet").and_then(Json::as_str) {
                    need(objects, "subnet", "Subnet", subnet)?;
                }
            }
        }
        "subnet" => {
            let net = str_prop(spec, &["network", "network_id"]).ok_or("network is required")?;
            need(objects, "network", "Network", net)?;
            let cidr = str_prop(spec, &["cidr"]).ok_or("a cidr or a subnet pool is required")?;
            parse_cidr(cidr).ok_or_else(|| {
                format!("Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet.")
            })?;
        }
        "port" => {
            let net = str_prop(spec, &["network", "network_id"]).ok_or("network is required")?;
            need(objects, "network", "Network", net)?;
        }
        "router" => {
            if let Some(net) = spec
                .properties
                .get("external_gateway_info")
                .and_then(|g| g.get("network"))
                .and_then(Json::as_str)
            {
                need(objects, "network", "Network", net)?;
            }
        }
        "router_interface" => {
            let router = str_prop(spec, &["router", "router_id"]).ok_or("router is required")?;
            need(objects, "router", "Router", router)?;
            match (
                str_prop(spec, &["subnet", "subnet_id"]),
                str_prop(spec, &["port", "port_id"]),
            ) {
                (Some(s), _) => need(objects, "subnet", "Subnet", s)?,
                (None, Some(p)) => need(objects, "port", "Port", p)?,
                (None, None) => return Err("Either subnet or port must be specified".into()),
            }
        }
        "floating_ip" => {
            let net =
                str_prop(spec, &["floating_network", "floating_network_id"]).unwrap_or("public");
            let n = find(objects, "network", net)
                .ok_or_else(|| format!("Network {net} could not be found."))?;
            if n.attributes.get("router:external") != Some(&Json::Bool(true)) {
                return Err(format!(
                    "Bad floatingip request: Network {} is not a valid external network.",
                    n.id
                ));
            }
            if let Some(port) = str_prop(spec, &["port_id"]) {
                need(objects, "port", "Port", port)?;
            }
        }
        "floating_ip_association" => {
            let fip = str_prop(spec, &["floatingip_id", "floating_ip_address"])
                .ok_or("floatingip_id is required")?;
            if find(objects, "floating_ip", fip).is_none()
                && !objects.values().any(|o| {
                    o.kind == "floating_ip"
                        && o.attributes
                            .get("floating_ip_address")
                            .and_then(Json::as_str)
                            == Some(fip)
                })
            {
                return Err(format!("Floating IP {fip} could not be found."));
            }
        }
        "volume_attachment" => {
            let volume = str_prop(spec, &["volume_id"]).ok_or("volume_id is required")?;
            let v = find(objects, "volume", volume)
                .ok_or_else(|| format!("Volume {volume} could not be found."))?;
            if v.status == "in-use" && v.properties.get("multiattach") != Some(&Json::Bool(true)) {
                return Err(format!("Invalid volume: volume {volume} status must be available, but current status is: in-use"));
            }
            let server = str_prop(spec, &["instance_uuid"]).ok_or("instance_uuid is required")?;
            need(objects, "server", "Instance", server)?;
        }
        "security_group_rule" => {
            let sg = str_prop(spec, &["security_group"]).ok_or("security_group is required")?;
            need(objects, "security_group", "Security group", sg)?;
        }
        _ => {}
    }
    let name = str_prop(spec, &["name", "Name"])
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "{}-{}-{}",
                spec.stack_name,
                spec.name,
                &id[..12].replace('-', "")
            )
        });
    Ok(SimObject {
        id: id.to_string(),
        kind: kind.to_string(),
        name,
        stack_id: spec.stack_id.clone(),
        resource: spec.name.clone(),
        status: initial_status(kind).into(),
        properties: spec.properties.clone(),
        attributes: JsonMap::new(),
    })
}

fn initial_status(kind: &str) -> &'static str {
    match kind {
        "server" => "BUILD",
        "volume" => "creating",
        "image" => "queued",
        _ => "DOWN",
    }
}

fn parse_cidr(cidr: &str) -> Option<(Ipv4Addr, u32)> {
    let (addr, bits) = cidr.split_once('/')?;
    let bits: u32 = bits.parse().ok().filter(|b| *b <= 32)?;
    Some((addr.parse().ok()?, bits))
}

/// The next free address of a subnet (.1 is the gateway, .2 DHCP).
fn allocate(subnet: &SimObject, objects: &Objects) -> Option<String> {
    let (base, bits) = parse_cidr(subnet.attributes.get("cidr").and_then(Json::as_str)?)?;
    let used: Vec<String> = objects
        .values()
        .flat_map(|o| {
            o.attributes
                .get("fixed_ips")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter(|f| f.get("subnet_id").and_then(Json::as_str) == Some(subnet.id.as_str()))
        .filter_map(|f| f.get("ip_address").and_then(Json::as_str).map(String::from))
        .chain(objects.values().filter_map(|o| {
            (o.kind == "floating_ip"
                && o.attributes
                    .get("floating_subnet_id")
                    .and_then(Json::as_str)
                    == Some(subnet.id.as_str()))
            .then(|| {
                o.attributes
                    .get("floating_ip_address")
                    .and_then(Json::as_str)
                    .map(String::from)
            })
            .flatten()
        }))
        .collect();
    let size = 1u32.checked_shl(32 - bits).unwrap_or(0);
    let start = u32::from(base);
    (3..size.saturating_sub(1))
        .map(|i| Ipv4Addr::from(start + i).to_string())
        .find(|ip| !used.contains(ip))
}

fn mac(id: &str) -> String {
    let h: Vec<&str> = vec![&id[0..2], &id[2..4], &id[4..6]];
    format!("fa:16:3e:{}:{}:{}", h[0], h[1], h[2])
}

fn network_of<'a>(objects: &'a Objects, name_or_id: &str) -> Option<&'a SimObject> {
    find(objects, "network", name_or_id)
}

fn first_subnet<'a>(objects: &'a Objects, network: &SimObject) -> Option<&'a SimObject> {
    objects.values().find(|o| {
        o.kind == "subnet"
            && o.attributes.get("network_id").and_then(Json::as_str) == Some(network.id.as_str())
    })
}

/// Makes an object ready: its status and the attributes its service reports.
pub(super) fn ready(o: &mut SimObject, objects: &Objects) {
    let p = o.properties.clone();
    let s = |k: &str| p.get(k).cloned().unwrap_or(Json::Null);
    let mut a = JsonMap::new();
    a.insert("id".into(), json!(o.id));
    a.insert("name".into(), json!(o.name));
    let status = match o.kind.as_str() {
        "server" => {
            let mut addresses = JsonMap::new();
            let mut networks = JsonMap::new();
            let mut first = None;
            let mut items: Vec<Json> = p
                .get("networks")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            if items.is_empty() {
                items.push(json!({"network": "private"}));
            }
            let mut taken: Objects = objects.clone();
            for item in items {
                let (net, ip, mac_addr, port) = if let Some(port) = item
                    .get("port")
                    .and_then(Json::as_str)
                    .and_then(|p| find(objects, "port", p))
                {
                    let ip = port
                        .attributes
                        .get("fixed_ips")
                        .and_then(|f| f.get(0))
                        .and_then(|f| f.get("ip_address"))
                        .cloned()
                        .unwrap_or(Json::Null);
                    let net = port
                        .attributes
                        .get("network_id")
                        .and_then(Json::as_str)
                        .and_then(|n| network_of(objects, n))
                        .cloned();
                    (
                        net,
                        ip,
                        port.attributes
                            .get("mac_address")
                            .cloned()
                            .unwrap_or(Json::Null),
                        json!(port.id),
                    )
                } else {
                    let subnet = item
                        .get("subnet")
                        .and_then(Json::as_str)
                        .and_then(|s| find(objects, "subnet", s));
                    let name = subnet
                        .and_then(|s| s.attributes.get("network_id"))
                        .or_else(|| item.get("network"))
                        .or_else(|| item.get("uuid"))
                        .and_then(Json::as_str)
                        .unwrap_or("private");
                    let net = network_of(objects, name).cloned();
                    let on = subnet.or_else(|| net.as_ref().and_then(|n| first_subnet(objects, n)));
                    let ip = match (item.get("fixed_ip").cloned(), on) {
                        (Some(ip), _) => ip,
                        (None, Some(sub)) => allocate(sub, &taken)
                            .map(Json::String)
                            .unwrap_or(Json::Null),
                        (None, None) => Json::Null,
                    };
                    if let (Some(sub), Some(ipv)) = (on, ip.as_str()) {
                        let mut marker = o.clone();
                        marker.id = format!("{}-{}", o.id, ipv);
                        marker.attributes.insert(
                            "fixed_ips".into(),
                            json!([{"subnet_id": sub.id, "ip_address": ipv}]),
                        );
                        taken.insert(marker.id.clone(), marker);
                    }
                    (net, ip, json!(mac(&o.id)), Json::Null)
                };
                let Some(net) = net else { continue };
                if first.is_none() {
                    first = ip.as_str().map(String::from);
                }
                addresses.entry(net.name.clone()).or_insert_with(|| json!([])).as_array_mut().expect("a list").push(json!({
                    "addr": ip, "version": 4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac_addr, "port": port
                }));
                networks
                    .entry(net.name.clone())
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                    .expect("a list")
                    .push(ip.clone());
                networks
                    .entry(net.id.clone())
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                    .expect("a list")
                    .push(ip);
            }
            let fixed: Vec<Json> = addresses
                .values()
                .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                .filter_map(|a| {
                    let ip = a.get("addr")?.as_str()?.to_string();
                    let sub = objects.values().find(|s| {
                        s.kind == "subnet"
                            && s.attributes
                                .get("cidr")
                                .and_then(Json::as_str)
                                .and_then(parse_cidr)
                                .is_some_and(|(b, bits)| in_cidr(&ip, b, bits))
                    })?;
                    Some(json!({"subnet_id": sub.id, "ip_address": ip}))
                })
                .filter(|_| true)
                .collect();
            // Only addresses the server allocated itself (not its ports') are its own.
            let own: Vec<Json> = fixed
                .into_iter()
                .filter(|f| {
                    !objects.values().any(|port| {
                        port.kind == "port"
                            && port
                                .attributes
                                .get("fixed_ips")
                                .and_then(Json::as_array)
                                .is_some_and(|l| l.contains(f))
                    })
                })
                .collect();
            a.insert("fixed_ips".into(), Json::Array(own));
            a.insert("addresses".into(), Json::Object(addresses));
            a.insert("networks".into(), Json::Object(networks));
            a.insert(
                "first_address".into(),
                first.map(Json::String).unwrap_or(Json::Null),
            );
            a.insert(
                "availability_zone".into(),
                p.get("availability_zone").cloned().unwrap_or(json!("nova")),
            );
            a.insert(
                "instance_name".into(),
                json!(format!("instance-{}", &o.id[..8])),
            );
            a.insert("accessIPv4".into(), json!(""));
            a.insert("accessIPv6".into(), json!(""));
            a.insert(
                "console_urls".into(),
                json!({"novnc": format!("http://127.0.0.1:6080/vnc_auto.html?token={}", o.id)}),
            );
            a.insert("tags".into(), s("tags"));
            a.insert(
                "flavor".into(),
                p.get("flavor").cloned().unwrap_or(json!("m1.small")),
            );
            a.insert(
                "image".into(),
                p.get("image").cloned().unwrap_or(Json::Null),
            );
            a.insert(
                "metadata".into(),
                p.get("metadata").cloned().unwrap_or(json!({})),
            );
            "ACTIVE"
        }
        "network" => {
            let subnets: Vec<Json> = objects
                .values()
                .filter(|x| {
                    x.kind == "subnet"
                        && x.attributes.get("network_id").and_then(Json::as_str)
                            == Some(o.id.as_str())
                })
                .map(|x| json!(x.id))
                .collect();
            a.insert("subnets".into(), Json::Array(subnets));
            a.insert(
                "admin_state_up".into(),
                p.get("admin_state_up").cloned().unwrap_or(json!(true)),
            );
            a.insert("mtu".into(), json!(1450));
            a.insert(
                "port_security_enabled".into(),
                p.get("port_security_enabled")
                    .cloned()
                    .unwrap_or(json!(true)),
            );
            a.insert("tenant_id".into(), json!("project"));
            "ACTIVE"
        }
        "subnet" => {
            let net = p
                .get("network")
                .or_else(|| p.get("network_id"))
                .and_then(Json::as_str)
                .and_then(|n| network_of(objects, n));
            let cidr = s("cidr");
            let gateway = p
                .get("gateway_ip")
                .cloned()
                .filter(|g| !g.is_null())
                .unwrap_or_else(|| {
                    cidr.as_str()
                        .and_then(parse_cidr)
                        .map(|(b, _)| json!(Ipv4Addr::from(u32::from(b) + 1).to_string()))
                        .unwrap_or(Json::Null)
                });
            a.insert(
                "network_id".into(),
                net.map(|n| json!(n.id)).unwrap_or(Json::Null),
            );
            a.insert("cidr".into(), cidr);
            a.insert("gateway_ip".into(), gateway);
            a.insert(
                "ip_version".into(),
                p.get("ip_version").cloned().unwrap_or(json!(4)),
            );
            a.insert(
                "enable_dhcp".into(),
                p.get("enable_dhcp").cloned().unwrap_or(json!(true)),
            );
            a.insert(
                "dns_nameservers".into(),
                p.get("dns_nameservers").cloned().unwrap_or(json!([])),
            );
            a.insert(
                "allocation_pools".into(),
                p.get("allocation_pools").cloned().unwrap_or(json!([])),
            );
            a.insert(
                "host_routes".into(),
                p.get("host_routes").cloned().unwrap_or(json!([])),
            );
            "ACTIVE"
        }
        "port" => {
            let net = p
                .get("network")
                .or_else(|| p.get("network_id"))
                .and_then(Json::as_str)
                .and_then(|n| network_of(objects, n));
            let keep = o
                .attributes
                .get("fixed_ips")
                .cloned()
                .filter(|f| f.as_array().is_some_and(|l| !l.is_empty()));
            let fixed = keep.unwrap_or_else(|| {
                let requested: Vec<Json> = p
                    .get("fixed_ips")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                let subnet = requested
                    .iter()
                    .find_map(|f| {
                        f.get("subnet")
                            .or_else(|| f.get("subnet_id"))
                            .and_then(Json::as_str)
                    })
                    .and_then(|s| find(objects, "subnet", s))
                    .or_else(|| net.and_then(|n| first_subnet(objects, n)));
                let ip = requested
                    .iter()
                    .find_map(|f| f.get("ip_address").cloned())
                    .or_else(|| subnet.and_then(|s| allocate(s, objects)).map(Json::String));
                match (subnet, ip) {
                    (Some(s), Some(ip)) => json!([{"subnet_id": s.id, "ip_address": ip}]),
                    _ => json!([]),
                }
            });
            a.insert(
                "network_id".into(),
                net.map(|n| json!(n.id)).unwrap_or(Json::Null),
            );
            a.insert("fixed_ips".into(), fixed);
            a.insert(
                "mac_address".into(),
                p.get("mac_address").cloned().unwrap_or(json!(mac(&o.id))),
            );
            a.insert("security_groups".into(), s("security_groups"));
            a.insert("admin_state_up".into(), json!(true));
            a.insert("device_id".into(), json!(""));
            a.insert("device_owner".into(), json!(""));
            a.insert(
                "allowed_address_pairs".into(),
                p.get("allowed_address_pairs").cloned().unwrap_or(json!([])),
            );
            a.insert("tenant_id".into(), json!("project"));
            "ACTIVE"
        }
        "router" => {
            let gw = p
                .get("external_gateway_info")
                .and_then(|g| g.get("network"))
                .and_then(Json::as_str)
                .and_then(|n| network_of(objects, n));
            let info = match gw {
                Some(n) => {
                    let ip = first_subnet(objects, n)
                        .and_then(|sub| {
                            allocate(sub, objects)
                                .map(|ip| json!([{"subnet_id": sub.id, "ip_address": ip}]))
                        })
                        .unwrap_or(json!([]));
                    json!({"network_id": n.id, "enable_snat": true, "external_fixed_ips": ip})
                }
                None => Json::Null,
            };
            a.insert(
                "fixed_ips".into(),
                info.get("external_fixed_ips").cloned().unwrap_or(json!([])),
            );
            a.insert("external_gateway_info".into(), info);
            a.insert("admin_state_up".into(), json!(true));
            a.insert("tenant_id".into(), json!("project"));
            "ACTIVE"
        }
        "floating_ip" => {
            let net = p
                .get("floating_network")
                .or_else(|| p.get("floating_network_id"))
                .and_then(Json::as_str)
                .unwrap_or("public");
            let net = network_of(objects, net);
            let sub = net.and_then(|n| first_subnet(objects, n));
            let ip = o
                .attributes
                .get("floating_ip_address")
                .cloned()
                .filter(|v| !v.is_null())
                .or_else(|| sub.and_then(|s| allocate(s, objects)).map(Json::String));
            let port = p
                .get("port_id")
                .and_then(Json::as_str)
                .and_then(|pid| find(objects, "port", pid));
            let instance = p
                .get("server_id")
                .and_then(Json::as_str)
                .and_then(|i| find(objects, "server", i));
            let fixed = port
                .and_then(|pt| {
                    pt.attributes
                        .get("fixed_ips")?
                        .get(0)?
                        .get("ip_address")
                        .cloned()
                })
                .or_else(|| instance.and_then(|i| i.attributes.get("first_address").cloned()));
            a.insert("floating_ip_address".into(), ip.unwrap_or(Json::Null));
            a.insert(
                "floating_subnet_id".into(),
                sub.map(|s| json!(s.id)).unwrap_or(Json::Null),
            );
            a.insert(
                "floating_network_id".into(),
                net.map(|n| json!(n.id)).unwrap_or(Json::Null),
            );
            a.insert(
                "port_id".into(),
                port.map(|pt| json!(pt.id)).unwrap_or(Json::Null),
            );
            a.insert("fixed_ip_address".into(), fixed.unwrap_or(Json::Null));
            a.insert("router_id".into(), Json::Null);
            a.insert("tenant_id".into(), json!("project"));
            "ACTIVE"
        }
        "volume" => {
            a.insert("size".into(), p.get("size").cloned().unwrap_or(json!(1)));
            a.insert("display_name".into(), json!(o.name));
            a.insert("display_description".into(), s("description"));
            a.insert(
                "volume_type".into(),
                p.get("volume_type")
                    .cloned()
                    .unwrap_or(json!("__DEFAULT__")),
            );
            a.insert(
                "metadata".into(),
                p.get("metadata").cloned().unwrap_or(json!({})),
            );
            a.insert(
                "bootable".into(),
                json!(p.get("image").is_some_and(|i| !i.is_null())),
            );
            a.insert("encrypted".into(), json!(false));
            a.insert(
                "multiattach".into(),
                p.get("multiattach").cloned().unwrap_or(json!(false)),
            );
            a.insert("availability_zone".into(), json!("nova"));
            a.insert(
                "attachments".into(),
                o.attributes
                    .get("attachments")
                    .cloned()
                    .unwrap_or(json!([])),
            );
            a.insert("attachments_list".into(), a["attachments"].clone());
            let in_use = a["attachments"].as_array().is_some_and(|l| !l.is_empty());
            let status = if in_use { "in-use" } else { "available" };
            a.insert("status".into(), json!(status));
            o.status = status.into();
            o.attributes = a;
            return;
        }
        "keypair" => {
            a.insert(
                "public_key".into(),
                p.get("public_key").cloned().unwrap_or_else(|| {
                    json!(format!(
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA{} heat-rs",
                        &o.id[..8]
                    ))
                }),
            );
            let private = p.get("public_key").is_none_or(Json::is_null)
                && p.get("save_private_key") == Some(&json!(true));
            a.insert("private_key".into(), if private { json!(format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n", o.id)) } else { json!("") });
            "ACTIVE"
        }
        "load_balancer" => {
            let subnet = p
                .get("vip_subnet")
                .and_then(Json::as_str)
                .and_then(|s| find(objects, "subnet", s))
                .or_else(|| {
                    p.get("vip_network")
                        .and_then(Json::as_str)
                        .and_then(|n| network_of(objects, n))
                        .and_then(|n| first_subnet(objects, n))
                });
            let vip = o
                .attributes
                .get("vip_address")
                .cloned()
                .filter(|v| !v.is_null())
                .or_else(|| subnet.and_then(|s| allocate(s, objects)).map(Json::String));
            a.insert("vip_address".into(), vip.clone().unwrap_or(Json::Null));
            a.insert(
                "vip_subnet_id".into(),
                subnet.map(|s| json!(s.id)).unwrap_or(Json::Null),
            );
            a.insert("vip_port_id".into(), json!(format!("{}-vip", o.id)));
            if let (Some(s), Some(ip)) = (subnet, vip.as_ref().and_then(Json::as_str)) {
                a.insert(
                    "fixed_ips".into(),
                    json!([{"subnet_id": s.id, "ip_address": ip}]),
                );
            }
            a.insert("DNSName".into(), json!(format!("{}.lb.local", o.name)));
            a.insert("provisioning_status".into(), json!("ACTIVE"));
            "ACTIVE"
        }
        "pool_member" => {
            a.insert("address".into(), s("address"));
            a.insert("pool_id".into(), s("pool"));
            "ACTIVE"
        }
        "container" => {
            a.insert(
                "DomainName".into(),
                json!(format!("{}.swift.local", o.name)),
            );
            a.insert(
                "WebsiteURL".into(),
                json!(format!("http://127.0.0.1:8080/v1/AUTH_project/{}", o.name)),
            );
            a.insert(
                "RootURL".into(),
                json!(format!("http://127.0.0.1:8080/v1/AUTH_project/{}", o.name)),
            );
            a.insert("ObjectCount".into(), json!(0));
            a.insert("BytesUsed".into(), json!(0));
            "ACTIVE"
        }
        "access_key" => {
            a.insert("UserName".into(), s("UserName"));
            a.insert(
                "SecretAccessKey".into(),
                json!(format!("{}{}", &o.id[..8], &o.id[9..13])),
            );
            "ACTIVE"
        }
        "image" => {
            a.insert("status".into(), json!("active"));
            "active"
        }
        _ => "ACTIVE",
    };
    if !a.contains_key("status") {
        a.insert("status".into(), json!(status));
    }
    o.status = status.into();
    o.attributes = a;
}

fn in_cidr(ip: &str, base: Ipv4Addr, bits: u32) -> bool {
    let Ok(ip) = ip.parse::<Ipv4Addr>() else {
        return false;
    };
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(base) & mask
}

/// What a ready object changes in others (attachments, associations);
/// returns the objects changed.
pub(super) fn link(o: &SimObject, objects: &mut Objects) -> Vec<SimObject> {
    let p = &o.properties;
    let get = |k: &[&str]| {
        k.iter()
            .find_map(|k| p.get(*k).and_then(Json::as_str).map(String::from))
    };
    match o.kind.as_str() {
        "volume_attachment" => {
            let (Some(vol), Some(server)) = (get(&["volume_id"]), get(&["instance_uuid"])) else {
                return vec![];
            };
            let Some(vid) = find(objects, "volume", &vol).map(|v| v.id.clone()) else {
                return vec![];
            };
            let device = get(&["mountpoint"]).unwrap_or_else(|| "/dev/vdb".into());
            let v = objects.get_mut(&vid).expect("found");
            let mut list = v
                .attributes
                .get("attachments")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            list.push(json!({"server_id": server, "attachment_id": o.id, "device": device, "volume_id": vid}));
            v.attributes
                .insert("attachments".into(), Json::Array(list.clone()));
            v.attributes
                .insert("attachments_list".into(), Json::Array(list));
            v.attributes.insert("status".into(), json!("in-use"));
            v.status = "in-use".into();
            vec![v.clone()]
        }
        "floating_ip_association" => {
            let Some(fip) = get(&["floatingip_id", "floating_ip_address"]) else {
                return vec![];
            };
            let port = get(&["port_id"]).unwrap_or_default();
            let fixed = find(objects, "port", &port)
                .and_then(|pt| {
                    pt.attributes
                        .get("fixed_ips")?
                        .get(0)?
                        .get("ip_address")
                        .cloned()
                })
                .or_else(|| {
                    get(&["server_id"]).and_then(|i| {
                        find(objects, "server", &i)?
                            .attributes
                            .get("first_address")
                            .cloned()
                    })
                });
            let by_address = objects
                .values()
                .find(|o| {
                    o.kind == "floating_ip"
                        && o.attributes
                            .get("floating_ip_address")
                            .and_then(Json::as_str)
                            == Some(fip.as_str())
                })
                .map(|f| f.id.clone());
            let Some(fid) = find(objects, "floating_ip", &fip)
                .map(|f| f.id.clone())
                .or(by_address)
            else {
                return vec![];
            };
            let f = objects.get_mut(&fid).expect("found");
            f.attributes.insert("port_id".into(), json!(port));
            f.attributes
                .insert("fixed_ip_address".into(), fixed.unwrap_or(Json::Null));
            vec![f.clone()]
        }
        _ => vec![],
    }
}

/// What deleting an object undoes in others; returns the objects changed.
pub(super) fn unlink(o: &SimObject, objects: &mut Objects) -> Vec<SimObject> {
    match o.kind.as_str() {
        "volume_attachment" => {
            let mut changed = Vec::new();
            for v in objects.values_mut().filter(|v| v.kind == "volume") {
                let Some(list) = v
                    .attributes
                    .get("attachments")
                    .and_then(Json::as_array)
                    .cloned()
                else {
                    continue;
                };
                let kept: Vec<Json> = list
                    .iter()
                    .filter(|a| {
                        a.get("attachment_id").and_then(Json::as_str) != Some(o.id.as_str())
                    })
                    .cloned()
                    .collect();
                if kept.len() != list.len() {
                    let status = if kept.is_empty() {
                        "available"
                    } else {
                        "in-use"
                    };
                    v.attributes
                        .insert("attachments".into(), Json::Array(kept.clone()));
                    v.attributes
                        .insert("attachments_list".into(), Json::Array(kept));
                    v.attributes.insert("status".into(), json!(status));
                    v.status = status.into();
                    changed.push(v.clone());
                }
            }
            changed
        }
        "floating_ip_association" => {
            let mut changed = Vec::new();
            let port = o
                .properties
                .get("port_id")
                .and_then(Json::as_str)
                .map(String::from);
            for f in objects.values_mut().filter(|f| f.kind == "floating_ip") {
                if port.is_some()
                    && f.attributes.get("port_id").and_then(Json::as_str) == port.as_deref()
                {
                    f.attributes.insert("port_id".into(), Json::Null);
                    f.attributes.insert("fixed_ip_address".into(), Json::Null);
                    changed.push(f.clone());
                }
            }
            changed
        }
        _ => vec![],
    }
}

/// Checks a custom constraint (`nova.flavor`, `glance.image`, ...) against
/// the cloud's objects.
pub(super) fn check_constraint(
    constraint: &str,
    value: &Json,
    objects: &Objects,
) -> Result<(), String> {
    let Some(v) = value.as_str() else {
        return Ok(());
    };
    let (kind, what) = match constraint {
        "glance.image" => ("image", "Image"),
        "nova.flavor" => ("flavor", "Flavor"),
        "nova.keypair" => ("keypair", "Keypair"),
        "neutron.network" => ("network", "Network"),
        "neutron.subnet" => ("subnet", "Subnet"),
        "neutron.port" => ("port", "Port"),
        "neutron.router" => ("router", "Router"),
        "cinder.volume" => ("volume", "Volume"),
        _ => return Ok(()),
    };
    if find(objects, kind, v).is_some() {
        Ok(())
    } else {
        Err(format!(
            "Error validating value '{v}': The {what} ({v}) could not be found."
        ))
    }
}
