//! Nova and Cinder request bodies: servers (metadata, tags, user data,
//! block devices), flavors, server groups, volumes; a server's and a
//! volume's attributes.

use heat_core::engine::Attributes;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::copy;

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
