//! Request bodies built from a resource's resolved properties, and the
//! attributes Heat documents read from the services' responses. Pure
//! functions: ids of referenced objects are resolved before.

use heat_core::engine::Attributes;
use serde_json::{json, Map as JsonMap, Value as Json};

/// The tag heat-rs puts on objects so they can be found after a crash.
pub fn tag(stack_id: &str, resource: &str) -> String {
    format!("heat-rs:{stack_id}:{resource}")
}

fn copy(from: &Json, to: &mut JsonMap<String, Json>, keys: &[(&str, &str)]) {
    for (src, dst) in keys {
        if let Some(v) = from.get(*src).filter(|v| !v.is_null()) {
            to.insert(dst.to_string(), v.clone());
        }
    }
}

/// A Neutron object's `value_specs`: extra fields of its body, as Heat
/// merges them.
fn value_specs(from: &Json, to: &mut JsonMap<String, Json>) {
    if let Some(Json::Object(specs)) = from.get("value_specs") {
        to.extend(specs.clone());
    }
}

/// `POST /networks`.
pub fn network(props: &Json, name: &str, tag: &str) -> Json {
    let mut n = JsonMap::new();
    n.insert("name".into(), json!(name));
    n.insert("description".into(), json!(tag));
    copy(
        props,
        &mut n,
        &[
            ("admin_state_up", "admin_state_up"),
            ("shared", "shared"),
            ("port_security_enabled", "port_security_enabled"),
            ("dns_domain", "dns_domain"),
            ("tenant_id", "tenant_id"),
            ("availability_zone_hints", "availability_zone_hints"),
        ],
    );
    value_specs(props, &mut n);
    json!({"network": n})
}

/// `POST /subnets` (from a subnet pool when given one, by id).
pub fn subnet(
    props: &Json,
    name: &str,
    tag: &str,
    network_id: &str,
    subnetpool_id: Option<&str>,
) -> Json {
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    s.insert("description".into(), json!(tag));
    s.insert("network_id".into(), json!(network_id));
    if let Some(pool) = subnetpool_id {
        s.insert("subnetpool_id".into(), json!(pool));
    }
    s.insert(
        "ip_version".into(),
        props.get("ip_version").cloned().unwrap_or(json!(4)),
    );
    copy(
        props,
        &mut s,
        &[
            ("cidr", "cidr"),
            ("enable_dhcp", "enable_dhcp"),
            ("dns_nameservers", "dns_nameservers"),
            ("allocation_pools", "allocation_pools"),
            ("host_routes", "host_routes"),
            ("prefixlen", "prefixlen"),
            ("ipv6_address_mode", "ipv6_address_mode"),
            ("ipv6_ra_mode", "ipv6_ra_mode"),
            ("tenant_id", "tenant_id"),
            ("use_default_subnetpool", "use_default_subnetpool"),
        ],
    );
    // A gateway given as null or "" is none, as Heat's `_null_gateway_ip`
    // sends it (Neutron picks one when the field is left out).
    match props.get("gateway_ip") {
        Some(Json::String(g)) if !g.is_empty() => {
            s.insert("gateway_ip".into(), json!(g));
        }
        Some(Json::Null | Json::String(_)) => {
            s.insert("gateway_ip".into(), Json::Null);
        }
        _ => {}
    }
    value_specs(props, &mut s);
    json!({"subnet": s})
}

/// `POST /subnetpools`; its address scope resolved to an id.
pub fn subnet_pool(props: &Json, name: &str, tag: &str, address_scope_id: Option<&str>) -> Json {
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    s.insert("description".into(), json!(tag));
    if let Some(scope) = address_scope_id {
        s.insert("address_scope_id".into(), json!(scope));
    }
    copy(
        props,
        &mut s,
        &[
            ("prefixes", "prefixes"),
            ("default_prefixlen", "default_prefixlen"),
            ("min_prefixlen", "min_prefixlen"),
            ("max_prefixlen", "max_prefixlen"),
            ("default_quota", "default_quota"),
            ("is_default", "is_default"),
            ("shared", "shared"),
            ("tenant_id", "tenant_id"),
        ],
    );
    json!({"subnetpool": s})
}

/// `POST /address-scopes` (Neutron keeps no description of one).
pub fn address_scope(props: &Json, name: &str) -> Json {
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    s.insert(
        "ip_version".into(),
        props.get("ip_version").cloned().unwrap_or(json!(4)),
    );
    copy(
        props,
        &mut s,
        &[("shared", "shared"), ("tenant_id", "tenant_id")],
    );
    json!({"address_scope": s})
}

/// `POST /ports`; `fixed_ips` and `security_groups` already resolved to ids.
pub fn port(
    props: &Json,
    name: &str,
    tag: &str,
    network_id: &str,
    fixed_ips: Vec<Json>,
    security_groups: Option<Vec<String>>,
) -> Json {
    let mut p = JsonMap::new();
    p.insert("name".into(), json!(name));
    p.insert("description".into(), json!(tag));
    p.insert("network_id".into(), json!(network_id));
    let no_fixed_ips = props.get("no_fixed_ips").and_then(Json::as_bool) == Some(true);
    if !fixed_ips.is_empty() || no_fixed_ips {
        p.insert("fixed_ips".into(), Json::Array(fixed_ips));
    }
    if let Some(sg) = security_groups {
        p.insert("security_groups".into(), json!(sg));
    }
    copy(
        props,
        &mut p,
        &[
            ("admin_state_up", "admin_state_up"),
            ("mac_address", "mac_address"),
            ("allowed_address_pairs", "allowed_address_pairs"),
            ("port_security_enabled", "port_security_enabled"),
            ("device_owner", "device_owner"),
            ("device_id", "device_id"),
            ("dns_name", "dns_name"),
            ("binding:vnic_type", "binding:vnic_type"),
            ("propagate_uplink_status", "propagate_uplink_status"),
        ],
    );
    value_specs(props, &mut p);
    json!({"port": p})
}

/// `POST /routers`.
/// `POST /routers`: its gateway on `gateway_network` (at
/// `gateway_ips`, `[{subnet_id, ip_address}]`, when the template fixes
/// them).
pub fn router(
    props: &Json,
    name: &str,
    tag: &str,
    gateway_network: Option<&str>,
    gateway_ips: Option<Json>,
) -> Json {
    let mut r = JsonMap::new();
    r.insert("name".into(), json!(name));
    r.insert("description".into(), json!(tag));
    if let Some(net) = gateway_network {
        let mut g = JsonMap::new();
        g.insert("network_id".into(), json!(net));
        if let Some(snat) = props
            .get("external_gateway_info")
            .and_then(|g| g.get("enable_snat"))
            .filter(|v| !v.is_null())
        {
            g.insert("enable_snat".into(), snat.clone());
        }
        if let Some(ips) = gateway_ips {
            g.insert("external_fixed_ips".into(), ips);
        }
        r.insert("external_gateway_info".into(), Json::Object(g));
    }
    copy(
        props,
        &mut r,
        &[
            ("admin_state_up", "admin_state_up"),
            ("tenant_id", "tenant_id"),
            ("availability_zone_hints", "availability_zone_hints"),
            ("distributed", "distributed"),
            ("ha", "ha"),
        ],
    );
    value_specs(props, &mut r);
    json!({"router": r})
}

/// The description of an object that carries heat-rs's tag there: the
/// template's (`props.description`) with the tag after it in parentheses,
/// or the tag alone.
pub fn tagged_description(props: &Json, tag: &str) -> String {
    match props.get("description").and_then(Json::as_str) {
        Some(d) if !d.is_empty() => format!("{d} ({tag})"),
        _ => tag.to_string(),
    }
}

/// `POST /security-groups`.
pub fn security_group(props: &Json, name: &str, tag: &str) -> Json {
    let description = tagged_description(props, tag);
    let mut group = json!({"name": name, "description": description});
    // Stateless only when asked: a Neutron without the extension refuses
    // the field even when true (its default).
    if props.get("stateful") == Some(&Json::Bool(false)) {
        group["stateful"] = json!(false);
    }
    json!({ "security_group": group })
}

/// `POST /security-group-rules` for one rule of a group (AWS rules come
/// translated).
pub fn security_group_rule(group_id: &str, rule: &Json, remote_group: Option<&str>) -> Json {
    let mut r = JsonMap::new();
    r.insert("security_group_id".into(), json!(group_id));
    r.insert(
        "direction".into(),
        rule.get("direction").cloned().unwrap_or(json!("ingress")),
    );
    r.insert(
        "ethertype".into(),
        rule.get("ethertype").cloned().unwrap_or(json!("IPv4")),
    );
    let protocol = rule.get("protocol").cloned();
    if let Some(p) = protocol.filter(|p| !p.is_null()) {
        r.insert("protocol".into(), p);
    }
    let num = |k: &str| {
        rule.get(k).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    if let Some(min) = num("port_range_min") {
        r.insert("port_range_min".into(), json!(min));
    }
    if let Some(max) = num("port_range_max") {
        r.insert("port_range_max".into(), json!(max));
    }
    match remote_group {
        Some(g) => {
            r.insert("remote_group_id".into(), json!(g));
        }
        None => {
            if let Some(prefix) = rule.get("remote_ip_prefix").filter(|v| !v.is_null()) {
                r.insert("remote_ip_prefix".into(), prefix.clone());
            }
        }
    }
    if let Some(d) = rule.get("description").filter(|d| d.is_string()) {
        r.insert("description".into(), d.clone());
    }
    json!({"security_group_rule": r})
}

/// `POST /floatingips`: on `network_id` (from `subnet_id` when given),
/// the template's address when it asks for one, on a port when given.
pub fn floating_ip(
    props: &Json,
    network_id: &str,
    subnet_id: Option<&str>,
    port_id: Option<&str>,
    tag: &str,
) -> Json {
    let mut f = JsonMap::new();
    f.insert("floating_network_id".into(), json!(network_id));
    f.insert("description".into(), json!(tag));
    if let Some(subnet) = subnet_id {
        f.insert("subnet_id".into(), json!(subnet));
    }
    copy(
        props,
        &mut f,
        &[("floating_ip_address", "floating_ip_address")],
    );
    if let Some(p) = port_id {
        f.insert("port_id".into(), json!(p));
        copy(props, &mut f, &[("fixed_ip_address", "fixed_ip_address")]);
    }
    value_specs(props, &mut f);
    json!({"floatingip": f})
}

/// A server's metadata as Nova takes it: every value a string (others
/// as their JSON text, as Heat's `meta_serialize`), with the stack and
/// resource that own it.
pub fn server_metadata(props: &Json, stack_id: &str, resource: &str) -> Json {
    let mut metadata: JsonMap<String, Json> = props
        .get("metadata")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let text = match v {
                Json::String(text) => text.clone(),
                other => other.to_string(),
            };
            (k.clone(), Json::String(text))
        })
        .collect();
    metadata.insert("heat_stack_id".into(), json!(stack_id));
    metadata.insert("heat_resource".into(), json!(resource));
    Json::Object(metadata)
}

/// A server's `tags` as Nova takes them (a list of strings), `None` when
/// it has none.
pub fn server_tags(props: &Json) -> Option<Json> {
    props
        .get("tags")
        .and_then(Json::as_array)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Json::Array(
                t.iter()
                    .map(|v| match v {
                        Json::String(_) => v.clone(),
                        other => json!(other.to_string()),
                    })
                    .collect(),
            )
        })
}

/// `POST /servers`; image, flavor and network ids resolved; user data
/// base64-encoded as Nova wants it.
pub fn server(
    props: &Json,
    name: &str,
    image: Option<&str>,
    flavor: &str,
    networks: Json,
    stack_id: &str,
    resource: &str,
) -> Json {
    use base64::Engine;
    let mut s = JsonMap::new();
    s.insert("name".into(), json!(name));
    if let Some(i) = image {
        s.insert("imageRef".into(), json!(i));
    }
    s.insert("flavorRef".into(), json!(flavor));
    s.insert("networks".into(), networks);
    s.insert(
        "metadata".into(),
        server_metadata(props, stack_id, resource),
    );
    if let Some(user_data) = props
        .get("user_data")
        .and_then(Json::as_str)
        .filter(|u| !u.is_empty())
    {
        s.insert(
            "user_data".into(),
            json!(base64::engine::general_purpose::STANDARD.encode(user_data)),
        );
    }
    // Nova's tags (compute 2.52+ on create), as Heat sets them.
    if let Some(tags) = server_tags(props) {
        s.insert("tags".into(), tags);
    }
    if let Some(Json::Array(groups)) = props.get("security_groups") {
        if !groups.is_empty() {
            s.insert(
                "security_groups".into(),
                Json::Array(groups.iter().map(|g| json!({"name": g})).collect()),
            );
        }
    }
    copy(
        props,
        &mut s,
        &[
            ("key_name", "key_name"),
            ("availability_zone", "availability_zone"),
            ("admin_pass", "adminPass"),
            ("config_drive", "config_drive"),
            ("diskConfig", "OS-DCF:diskConfig"),
        ],
    );
    // No key is no key_name (novaclient sends none for an empty one).
    if s.get("key_name").is_some_and(|k| k == "") {
        s.remove("key_name");
    }
    if let Some(Json::Array(bdm)) = props.get("block_device_mapping_v2") {
        s.insert(
            "block_device_mapping_v2".into(),
            Json::Array(bdm.iter().map(block_device).collect()),
        );
    }
    if let Some(Json::Array(bdm)) = props.get("block_device_mapping") {
        s.insert(
            "block_device_mapping".into(),
            Json::Array(bdm.iter().map(legacy_block_device).collect()),
        );
    }
    let mut body = json!({"server": s});
    if let Some(hints) = props.get("scheduler_hints").filter(|h| !h.is_null()) {
        body["os:scheduler_hints"] = hints.clone();
    }
    body
}

/// One entry of `block_device_mapping_v2` as Heat's
/// `_build_block_device_mapping_v2` makes it: a volume, snapshot or image
/// (an image always copied to a volume) boots first and stays unless told
/// otherwise; a swap or ephemeral disk is a blank local one deleted with
/// the server; the entry's own fields override those defaults.
fn block_device(b: &Json) -> Json {
    let given = |k: &str| b.get(k).filter(|v| !v.is_null() && *v != "" && *v != 0);
    let source = |uuid: &Json, kind: &str| {
        json!({"uuid": uuid, "source_type": kind, "destination_type": "volume",
            "boot_index": 0, "delete_on_termination": false})
    };
    let mut d = if let Some(v) = given("volume_id") {
        source(v, "volume")
    } else if let Some(v) = given("snapshot_id") {
        source(v, "snapshot")
    } else if let Some(v) = given("image").or_else(|| given("image_id")) {
        source(v, "image")
    } else if let Some(size) = given("swap_size") {
        json!({"source_type": "blank", "destination_type": "local", "boot_index": -1,
            "delete_on_termination": true, "guest_format": "swap", "volume_size": size})
    } else if given("ephemeral_size").is_some() || given("ephemeral_format").is_some() {
        let mut e = json!({"source_type": "blank", "destination_type": "local",
            "boot_index": -1, "delete_on_termination": true});
        if let Some(size) = given("ephemeral_size") {
            e["volume_size"] = size.clone();
        }
        if let Some(format) = given("ephemeral_format") {
            e["guest_format"] = format.clone();
        }
        e
    } else {
        json!({})
    };
    if let Some(name) = given("device_name") {
        d["device_name"] = name.clone();
    }
    for key in [
        "device_type",
        "disk_bus",
        "boot_index",
        "volume_size",
        "delete_on_termination",
        "volume_type",
    ] {
        if let Some(v) = b.get(key).filter(|v| !v.is_null()) {
            d[key] = v.clone();
        }
    }
    d
}

/// One entry of the legacy `block_device_mapping` as novaclient sends
/// Heat's `device: "id:[snap]:size:delete"`: a volume or snapshot at a
/// device, its size and delete flag as text.
fn legacy_block_device(b: &Json) -> Json {
    let mut d = JsonMap::new();
    copy(b, &mut d, &[("device_name", "device_name")]);
    match b.get("snapshot_id").filter(|v| !v.is_null() && *v != "") {
        Some(snapshot) => d.insert("snapshot_id".into(), snapshot.clone()),
        None => d.insert(
            "volume_id".into(),
            b.get("volume_id").cloned().unwrap_or(Json::Null),
        ),
    };
    if let Some(size) = b
        .get("volume_size")
        .and_then(Json::as_i64)
        .filter(|s| *s != 0)
    {
        d.insert("volume_size".into(), json!(size.to_string()));
    }
    if let Some(true) = b.get("delete_on_termination").and_then(Json::as_bool) {
        d.insert("delete_on_termination".into(), json!("True"));
    }
    Json::Object(d)
}

/// `POST /volumes`.
pub fn volume(
    props: &Json,
    name: &str,
    stack_id: &str,
    resource: &str,
    image: Option<&str>,
) -> Json {
    let mut v = JsonMap::new();
    v.insert(
        "size".into(),
        props.get("size").cloned().unwrap_or(json!(1)),
    );
    v.insert("name".into(), json!(name));
    let mut metadata = props
        .get("metadata")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    metadata.insert("heat_stack_id".into(), json!(stack_id));
    metadata.insert("heat_resource".into(), json!(resource));
    v.insert("metadata".into(), Json::Object(metadata));
    if let Some(i) = image {
        v.insert("imageRef".into(), json!(i));
    }
    copy(
        props,
        &mut v,
        &[
            ("description", "description"),
            ("volume_type", "volume_type"),
            ("snapshot_id", "snapshot_id"),
            ("source_volid", "source_volid"),
            ("availability_zone", "availability_zone"),
            ("multiattach", "multiattach"),
        ],
    );
    let mut body = json!({ "volume": v });
    if let Some(hints) = props.get("scheduler_hints").filter(|h| h.is_object()) {
        body["OS-SCH-HNT:scheduler_hints"] = hints.clone();
    }
    body
}

/// A server's attributes from `GET /servers/{id}`.
pub fn server_attributes(server: &Json) -> Attributes {
    let mut a = Attributes::new();
    let addresses = server.get("addresses").cloned().unwrap_or(json!({}));
    let mut networks = JsonMap::new();
    let mut first = Json::Null;
    if let Some(nets) = addresses.as_object() {
        for (net, addrs) in nets {
            let ips: Vec<Json> = addrs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.get("addr").cloned())
                .collect();
            if first.is_null() {
                first = ips.first().cloned().unwrap_or(Json::Null);
            }
            networks.insert(net.clone(), Json::Array(ips));
        }
    }
    a.insert(
        "name".into(),
        server.get("name").cloned().unwrap_or(Json::Null),
    );
    a.insert("addresses".into(), addresses);
    a.insert("networks".into(), Json::Object(networks));
    a.insert("first_address".into(), first.clone());
    a.insert(
        "availability_zone".into(),
        server
            .get("OS-EXT-AZ:availability_zone")
            .cloned()
            .unwrap_or(Json::Null),
    );
    a.insert(
        "accessIPv4".into(),
        server.get("accessIPv4").cloned().unwrap_or(json!("")),
    );
    a.insert(
        "accessIPv6".into(),
        server.get("accessIPv6").cloned().unwrap_or(json!("")),
    );
    a.insert(
        "instance_name".into(),
        server
            .get("OS-EXT-SRV-ATTR:instance_name")
            .cloned()
            .unwrap_or(Json::Null),
    );
    a.insert(
        "metadata".into(),
        server.get("metadata").cloned().unwrap_or(json!({})),
    );
    a.insert(
        "status".into(),
        server.get("status").cloned().unwrap_or(Json::Null),
    );
    a.insert(
        "tags".into(),
        server.get("tags").cloned().unwrap_or(json!([])),
    );
    a
}

/// A Neutron object's attributes: its fields, as Heat exposes them.
pub fn neutron_attributes(object: &Json) -> Attributes {
    object.as_object().cloned().unwrap_or_default()
}

/// A volume's attributes from `GET /volumes/{id}`.
pub fn volume_attributes(v: &Json) -> Attributes {
    let mut a = v.as_object().cloned().unwrap_or_default();
    a.insert(
        "display_name".into(),
        v.get("name").cloned().unwrap_or(Json::Null),
    );
    a.insert(
        "display_description".into(),
        v.get("description").cloned().unwrap_or(Json::Null),
    );
    a.insert(
        "attachments_list".into(),
        v.get("attachments").cloned().unwrap_or(json!([])),
    );
    a
}

/// `POST /flavors` (admin).
pub fn flavor(props: &Json, name: &str) -> Json {
    let int = |k: &str, default: i64| props.get(k).and_then(Json::as_i64).unwrap_or(default);
    json!({"flavor": {
        "name": name,
        "ram": int("ram", 0),
        "vcpus": int("vcpus", 0),
        "disk": int("disk", 0),
        "swap": int("swap", 0),
        "OS-FLV-EXT-DATA:ephemeral": int("ephemeral", 0),
        "rxtx_factor": props.get("rxtx_factor").and_then(Json::as_f64).unwrap_or(1.0),
        "os-flavor-access:is_public": props.get("is_public").and_then(Json::as_bool).unwrap_or(true),
    }})
}

/// `POST /flavors/{id}/os-extra_specs`, `None` when there are none (Nova
/// wants every value as a string).
pub fn flavor_extra_specs(props: &Json) -> Option<Json> {
    let specs = props.get("extra_specs")?.as_object()?;
    if specs.is_empty() {
        return None;
    }
    let specs: JsonMap<String, Json> = specs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), json!(v))
        })
        .collect();
    Some(json!({"extra_specs": specs}))
}

/// `POST /os-server-groups` (compute 2.64+: one `policy`, from Heat's
/// `policy` or the first of its older `policies`).
pub fn server_group(props: &Json, name: &str) -> Json {
    let policy = props
        .get("policy")
        .and_then(Json::as_str)
        .or_else(|| props.get("policies")?.get(0)?.as_str())
        .unwrap_or("anti-affinity");
    let mut g = json!({"server_group": {"name": name, "policy": policy}});
    if let Some(rules) = props.get("rules").filter(|r| r.is_object()) {
        g["server_group"]["rules"] = rules.clone();
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_devices_are_heats() {
        let devices = |props: Json| {
            server(&props, "s", None, "f", json!("auto"), "st", "r")["server"].clone()
        };
        let v2 = devices(json!({"block_device_mapping_v2": [
            {"snapshot_id": "snap", "volume_size": 2, "volume_type": "fast"},
            {"image": "img", "boot_index": 1, "delete_on_termination": true},
            {"swap_size": 64},
            {"ephemeral_size": 1, "ephemeral_format": "ext4", "device_name": "vdc"}
        ]}));
        assert_eq!(
            v2["block_device_mapping_v2"],
            json!([
                {"uuid": "snap", "source_type": "snapshot", "destination_type": "volume",
                    "boot_index": 0, "delete_on_termination": false, "volume_size": 2,
                    "volume_type": "fast"},
                {"uuid": "img", "source_type": "image", "destination_type": "volume",
                    "boot_index": 1, "delete_on_termination": true},
                {"source_type": "blank", "destination_type": "local", "boot_index": -1,
                    "delete_on_termination": true, "guest_format": "swap", "volume_size": 64},
                {"source_type": "blank", "destination_type": "local", "boot_index": -1,
                    "delete_on_termination": true, "volume_size": 1, "guest_format": "ext4",
                    "device_name": "vdc"}
            ])
        );
        let v1 = devices(json!({"block_device_mapping": [
            {"device_name": "vda", "volume_id": "vol", "volume_size": 1, "delete_on_termination": true},
            {"device_name": "vdb", "snapshot_id": "snap"}
        ]}));
        assert_eq!(
            v1["block_device_mapping"],
            json!([
                {"device_name": "vda", "volume_id": "vol", "volume_size": "1",
                    "delete_on_termination": "True"},
                {"device_name": "vdb", "snapshot_id": "snap"}
            ])
        );
    }

    #[test]
    fn a_subnets_gateway_given_as_null_or_empty_is_none() {
        let body = |gateway: Option<Json>| {
            let mut props = json!({"cidr": "10.0.0.0/24"});
            if let Some(g) = gateway {
                props["gateway_ip"] = g;
            }
            subnet(&props, "s", "tag", "net", None)["subnet"].clone()
        };
        assert_eq!(body(Some(Json::Null)).get("gateway_ip"), Some(&Json::Null));
        assert_eq!(body(Some(json!(""))).get("gateway_ip"), Some(&Json::Null));
        assert_eq!(body(Some(json!("10.0.0.254")))["gateway_ip"], "10.0.0.254");
        assert_eq!(body(None).get("gateway_ip"), None, "Neutron's choice");
    }

    #[test]
    fn server_metadata_values_are_strings_as_heat_sends_them() {
        let props =
            json!({"metadata": {"role": "web", "port": 80, "on": true, "conf": {"a": [1]}}});
        assert_eq!(
            server_metadata(&props, "st", "web"),
            json!({"role": "web", "port": "80", "on": "true", "conf": "{\"a\":[1]}",
                "heat_stack_id": "st", "heat_resource": "web"})
        );
    }

    #[test]
    fn server_bodies_carry_tags_and_encoded_user_data() {
        let props = json!({"user_data": "#!/bin/sh\necho hi\n", "key_name": "k", "security_groups": ["web"], "metadata": {"role": "web"}, "tags": ["tier-web", 3]});
        let b = server(
            &props,
            "s-web-1",
            Some("img"),
            "fl",
            json!([{"uuid": "n"}]),
            "stack1",
            "web",
        );
        assert_eq!(b["server"]["imageRef"], "img");
        assert_eq!(b["server"]["networks"], json!([{"uuid": "n"}]));
        assert_eq!(
            b["server"]["metadata"],
            json!({"role": "web", "heat_stack_id": "stack1", "heat_resource": "web"})
        );
        assert_eq!(b["server"]["user_data"], "IyEvYmluL3NoCmVjaG8gaGkK");
        assert_eq!(b["server"]["security_groups"], json!([{"name": "web"}]));
        assert_eq!(b["server"]["key_name"], "k");
        assert_eq!(b["server"]["tags"], json!(["tier-web", "3"]));
        let keyless = server(
            &json!({"key_name": ""}),
            "s-db-1",
            Some("img"),
            "fl",
            json!([]),
            "stack1",
            "db",
        );
        assert!(keyless["server"].get("key_name").is_none());
        assert!(keyless["server"].get("tags").is_none());
    }

    #[test]
    fn security_group_rules_in_hot_and_aws_forms() {
        let hot = security_group_rule(
            "g",
            &json!({"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}),
            None,
        );
        assert_eq!(
            hot["security_group_rule"],
            json!({"security_group_id": "g", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
        );
        let translated = heat_resources::translate::properties(
            "AWS::EC2::SecurityGroup",
            &json!({"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "0.0.0.0/0"}]}),
        );
        let aws = security_group_rule("g", &translated["rules"][0], None);
        assert_eq!(aws["security_group_rule"]["remote_ip_prefix"], "0.0.0.0/0");
        assert_eq!(aws["security_group_rule"]["port_range_min"], 80);
    }

    #[test]
    fn server_attributes_from_nova() {
        let s = json!({"name": "web", "status": "ACTIVE", "addresses": {"private": [{"version": 4, "addr": "10.0.0.57"}]}});
        let a = server_attributes(&s);
        assert_eq!(a["first_address"], "10.0.0.57");
        assert_eq!(a["networks"], json!({"private": ["10.0.0.57"]}));
    }

    #[test]
    fn flavors_and_server_groups_in_nova_terms() {
        let props = json!({"ram": 512, "vcpus": 2, "is_public": false, "extra_specs": {"hw:cpu_policy": "dedicated", "quota:cpu_shares": 1024}});
        let f = flavor(&props, "s-flavor");
        assert_eq!(f["flavor"]["ram"], 512);
        assert_eq!(f["flavor"]["disk"], 0);
        assert_eq!(f["flavor"]["os-flavor-access:is_public"], false);
        let specs = flavor_extra_specs(&props).unwrap();
        assert_eq!(specs["extra_specs"]["quota:cpu_shares"], "1024");
        assert_eq!(flavor_extra_specs(&json!({"extra_specs": {}})), None);
        let g = server_group(&json!({"policies": ["affinity"]}), "g");
        assert_eq!(g["server_group"]["policy"], "affinity");
        let g = server_group(
            &json!({"policy": "soft-affinity", "policies": ["affinity"]}),
            "g",
        );
        assert_eq!(g["server_group"]["policy"], "soft-affinity");
    }
}
