//! The attributes each kind of object reports once ready, as the real
//! services show them.

use std::net::Ipv4Addr;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::*;

/// Makes an object ready: its status and the attributes its service reports.
pub(in crate::sim) fn ready(o: &mut SimObject, objects: &Objects) {
    let p = o.properties.clone();
    let s = |k: &str| p.get(k).cloned().unwrap_or(Json::Null);
    let mut a = JsonMap::new();
    a.insert("id".into(), json!(o.id));
    a.insert("name".into(), json!(o.name));
    let status = match o.kind.as_str() {
        // A Zun container is on its networks as a server is (its ports
        // made with it); its `addresses` are Zun's: no MAC, no type.
        "server" | "zun_container" => {
            let container = o.kind == "zun_container";
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
                let address = if container {
                    json!({"addr": ip, "version": 4, "port": port, "preserve_on_delete": false})
                } else {
                    json!({
                        "addr": ip, "version": 4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac_addr, "port": port
                    })
                };
                addresses
                    .entry(net.name.clone())
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                    .expect("a list")
                    .push(address);
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
            a.insert("addresses".into(), Json::Object(addresses));
            if container {
                return finish(o, a, "Running");
            }
            a.insert("fixed_ips".into(), Json::Array(own));
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
            // Its range given, or taken from its pool.
            let pool = p
                .get("subnetpool")
                .and_then(Json::as_str)
                .and_then(|pool| find(objects, "subnetpool", pool));
            let cidr = match (s("cidr"), pool) {
                (Json::Null, Some(pool)) => {
                    carve(pool, &p, objects).map_or(Json::Null, Json::String)
                }
                (cidr, _) => cidr,
            };
            // A gateway given as null or "" is none (Heat's
            // `_null_gateway_ip`); one not given is the range's first.
            let gateway = match p.get("gateway_ip") {
                Some(Json::Null) => Json::Null,
                Some(Json::String(g)) if g.is_empty() => Json::Null,
                Some(g) => g.clone(),
                None => cidr
                    .as_str()
                    .and_then(parse_cidr)
                    .map(|(b, _)| json!(Ipv4Addr::from(u32::from(b) + 1).to_string()))
                    .unwrap_or(Json::Null),
            };
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
            // The VIP port made with it, when there is one.
            let vip_port = p
                .get("vip_port")
                .and_then(Json::as_str)
                .and_then(|id| find(objects, "port", id));
            let port_fixed =
                vip_port.and_then(|port| port.attributes.get("fixed_ips")?.get(0).cloned());
            let subnet = port_fixed
                .as_ref()
                .and_then(|f| f.get("subnet_id")?.as_str())
                .and_then(|s| find(objects, "subnet", s))
                .or_else(|| {
                    p.get("vip_subnet")
                        .and_then(Json::as_str)
                        .and_then(|s| find(objects, "subnet", s))
                        .or_else(|| {
                            p.get("vip_network")
                                .and_then(Json::as_str)
                                .and_then(|n| network_of(objects, n))
                                .and_then(|n| first_subnet(objects, n))
                        })
                });
            let vip = port_fixed
                .as_ref()
                .and_then(|f| f.get("ip_address").cloned())
                .or_else(|| {
                    o.attributes
                        .get("vip_address")
                        .cloned()
                        .filter(|v| !v.is_null())
                })
                .or_else(|| subnet.and_then(|s| allocate(s, objects)).map(Json::String));
            a.insert("vip_address".into(), vip.clone().unwrap_or(Json::Null));
            a.insert(
                "vip_subnet_id".into(),
                subnet.map(|s| json!(s.id)).unwrap_or(Json::Null),
            );
            let vip_port_id = vip_port
                .map(|port| json!(port.id))
                .unwrap_or_else(|| json!(format!("{}-vip", o.id)));
            a.insert("vip_port_id".into(), vip_port_id);
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
        "image" => {
            a.insert("status".into(), json!("active"));
            "active"
        }
        // As Nova keeps them: extra specs' values are strings.
        "flavor" => {
            let public = !matches!(p.get("is_public"), Some(Json::Bool(false)));
            a.insert("is_public".into(), json!(public));
            let specs: JsonMap<String, Json> = p
                .get("extra_specs")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k.clone(), json!(text))
                })
                .collect();
            a.insert("extra_specs".into(), Json::Object(specs));
            "ACTIVE"
        }
        // Keystone's fields, as Heat's attributes name them.
        "keystone_project" | "keystone_user" | "keystone_group" | "keystone_domain" => {
            let enabled = !matches!(p.get("enabled"), Some(Json::Bool(false)));
            a.insert("enabled".into(), json!(enabled));
            if o.kind != "keystone_domain" {
                let domain = p.get("domain").filter(|d| !d.is_null());
                a.insert(
                    "domain_id".into(),
                    domain.cloned().unwrap_or(json!("default")),
                );
            }
            if o.kind == "keystone_project" {
                a.insert("is_domain".into(), json!(false));
                let parent = p.get("parent").filter(|d| !d.is_null());
                a.insert(
                    "parent_id".into(),
                    parent.cloned().unwrap_or(json!("default")),
                );
            }
            if o.kind == "keystone_user" {
                a.insert("default_project_id".into(), s("default_project"));
                a.insert("password_expires_at".into(), Json::Null);
            }
            "ACTIVE"
        }
        _ => "ACTIVE",
    };
    finish(o, a, status);
}

/// Gives a ready object its status (also as its `status` attribute, unless
/// its service reports another) and its attributes.
fn finish(o: &mut SimObject, mut a: JsonMap<String, Json>, status: &str) {
    if !a.contains_key("status") {
        a.insert("status".into(), json!(status));
    }
    o.status = status.into();
    o.attributes = a;
}
