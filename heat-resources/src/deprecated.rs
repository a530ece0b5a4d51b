//! Heat's translation rules (`REPLACE`): property names a type has
//! deprecated, replaced by the current ones before the properties are
//! validated or reach a cloud, so a template written for an older Heat
//! (`router_id` of a router interface, `network_id` of a subnet, a
//! server network's `uuid`) runs as it did there. Giving both names is
//! refused, as Heat refuses it.

use serde_json::{Map as JsonMap, Value as Json};

/// Top-level replacements: (type, current, deprecated).
const TOP: [(&str, &str, &str); 11] = [
    ("OS::Cinder::Volume", "image", "imageRef"),
    (
        "OS::Neutron::FloatingIP",
        "floating_network",
        "floating_network_id",
    ),
    ("OS::Neutron::Port", "network", "network_id"),
    ("OS::Neutron::RouterInterface", "router", "router_id"),
    ("OS::Neutron::RouterInterface", "subnet", "subnet_id"),
    ("OS::Neutron::RouterInterface", "port", "port_id"),
    ("OS::Neutron::RouterGateway", "network", "network_id"),
    ("OS::Neutron::Subnet", "network", "network_id"),
    ("OS::Designate::Zone", "primaries", "masters"),
    ("OS::Neutron::VPNService", "subnet", "subnet_id"),
    ("OS::Neutron::VPNService", "router", "router_id"),
];

/// Replacements inside the items of a list property: (type, list,
/// current, deprecated).
const IN_LISTS: [(&str, &str, &str, &str); 4] = [
    ("OS::Neutron::Port", "fixed_ips", "subnet", "subnet_id"),
    ("OS::Nova::Server", "networks", "network", "uuid"),
    (
        "OS::Nova::Server",
        "block_device_mapping_v2",
        "image",
        "image_id",
    ),
    (
        "OS::Neutron::NetworkGateway",
        "connections",
        "network",
        "network_id",
    ),
];

/// The current name of a deprecated top-level property of a type.
pub fn current_name(type_name: &str, property: &str) -> Option<&'static str> {
    TOP.iter()
        .find(|(t, _, old)| *t == type_name && *old == property)
        .map(|(_, new, _)| *new)
}

/// Moves `old` to `new` in a map; `Err` when both hold a value.
fn replace(map: &mut JsonMap<String, Json>, new: &str, old: &str, at: &str) -> Result<(), String> {
    let given = |v: Option<&Json>| v.is_some_and(|v| !v.is_null());
    if !given(map.get(old)) {
        map.remove(old);
        return Ok(());
    }
    if given(map.get(new)) {
        return Err(format!(
            "Cannot define the following properties at the same time: {at}{new}, {at}{old}"
        ));
    }
    let v = map.remove(old).expect("given");
    map.insert(new.to_string(), v);
    Ok(())
}

/// A type's properties with every deprecated name replaced.
pub fn translate(type_name: &str, properties: &Json) -> Result<Json, String> {
    let Json::Object(map) = properties else {
        return Ok(properties.clone());
    };
    let mut map = map.clone();
    for (_, new, old) in TOP.iter().filter(|(t, _, _)| *t == type_name) {
        replace(&mut map, new, old, "")?;
    }
    for (_, list, new, old) in IN_LISTS.iter().filter(|(t, ..)| *t == type_name) {
        if let Some(Json::Array(items)) = map.get_mut(*list) {
            for item in items.iter_mut() {
                if let Json::Object(m) = item {
                    replace(m, new, old, &format!("{list}."))?;
                }
            }
        }
    }
    Ok(Json::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deprecated_names_become_current_ones() {
        let p = translate(
            "OS::Neutron::RouterInterface",
            &json!({"router_id": "r", "subnet_id": "s"}),
        )
        .unwrap();
        assert_eq!(p, json!({"router": "r", "subnet": "s"}));
        let p = translate(
            "OS::Nova::Server",
            &json!({"networks": [{"uuid": "n"}, {"network": "m"}], "image": "i"}),
        )
        .unwrap();
        assert_eq!(
            p,
            json!({"networks": [{"network": "n"}, {"network": "m"}], "image": "i"})
        );
        // A null deprecated value is simply dropped; other types untouched.
        let p = translate(
            "OS::Neutron::Subnet",
            &json!({"network": "n", "network_id": null}),
        )
        .unwrap();
        assert_eq!(p, json!({"network": "n"}));
        let p = translate("OS::Heat::Value", &json!({"network_id": 1})).unwrap();
        assert_eq!(p, json!({"network_id": 1}));
        assert_eq!(
            current_name("OS::Neutron::Subnet", "network_id"),
            Some("network")
        );
        assert_eq!(current_name("OS::Neutron::Subnet", "network"), None);
        let p = translate(
            "OS::Neutron::VPNService",
            &json!({"router_id": "r", "subnet_id": "s"}),
        )
        .unwrap();
        assert_eq!(p, json!({"router": "r", "subnet": "s"}));
    }

    #[test]
    fn both_names_at_once_are_refused() {
        let e = translate(
            "OS::Neutron::Subnet",
            &json!({"network": "a", "network_id": "b"}),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "Cannot define the following properties at the same time: network, network_id"
        );
        let e = translate(
            "OS::Nova::Server",
            &json!({"networks": [{"uuid": "a", "network": "b"}]}),
        )
        .unwrap_err();
        assert!(e.contains("networks.network, networks.uuid"), "{e}");
    }
}
