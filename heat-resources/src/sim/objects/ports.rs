//! The ports services make for their objects, as Nova and Octavia do: each
//! server `networks` entry that names no port (a network, a subnet, a
//! fixed IP, or none: the `private` network) gets a port of the cloud's own
//! (no stack tag) bound to the server (`device_owner: compute:nova`), so
//! the server's `addresses` name a real port id; a load balancer's VIP is
//! a port too (`device_owner: Octavia`), its `vip_port_id` (an AWS load
//! balancer in no subnet: on the `private` network). A floating IP
//! can be associated with either; the ports go with their owner.

use serde_json::{json, Value as Json};

use super::*;

/// The ports a new server needs: for each `networks` entry without a
/// port, its index and the port's properties.
pub(in crate::sim) fn wanted(server: &SimObject) -> Vec<(usize, Json)> {
    let items: Vec<Json> = server
        .properties
        .get("networks")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    if items.is_empty() {
        return vec![(0, json!({"network": "private"}))];
    }
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.get("port").and_then(Json::as_str).is_none())
        .map(|(i, item)| {
            let mut fixed = serde_json::Map::new();
            if let Some(s) = item.get("subnet").filter(|s| !s.is_null()) {
                fixed.insert("subnet".into(), s.clone());
            }
            if let Some(ip) = item.get("fixed_ip").filter(|s| !s.is_null()) {
                fixed.insert("ip_address".into(), ip.clone());
            }
            let network = item
                .get("network")
                .or_else(|| item.get("uuid"))
                .filter(|n| !n.is_null())
                .cloned();
            let mut p = json!({});
            if let Some(n) = network {
                p["network"] = n;
            }
            if !fixed.is_empty() {
                p["fixed_ips"] = json!([fixed]);
            }
            (i, p)
        })
        .collect()
}

/// The VIP port a new load balancer needs.
pub(in crate::sim) fn vip(lb: &SimObject) -> Json {
    let p = &lb.properties;
    let mut fixed = serde_json::Map::new();
    // Octavia's `vip_subnet` (an AWS load balancer's `Subnets` is not
    // implemented in Heat and refused before it gets here).
    let subnet = p.get("vip_subnet").filter(|s| !s.is_null());
    if let Some(s) = subnet {
        fixed.insert("subnet".into(), s.clone());
    }
    if let Some(ip) = p.get("vip_address").filter(|s| !s.is_null()) {
        fixed.insert("ip_address".into(), ip.clone());
    }
    let mut out = json!({});
    if let Some(n) = p.get("vip_network").filter(|n| !n.is_null()) {
        out["network"] = n.clone();
    }
    if !fixed.is_empty() {
        out["fixed_ips"] = json!([fixed]);
    }
    // An AWS load balancer in no VPC subnet: on the default network, as
    // Heat's (a haproxy server) would be, like a server without networks.
    if out.get("network").is_none()
        && out.get("fixed_ips").is_none()
        && p.get("Listeners").is_some()
    {
        out["network"] = json!("private");
    }
    out
}

/// A port an object owns (`owner`: `compute:nova`, `compute:kuryr`,
/// `Octavia`), ready, its network found from a subnet if need be.
pub(in crate::sim) fn port(
    server: &SimObject,
    owner: &str,
    id: &str,
    index: usize,
    mut properties: Json,
    objects: &Objects,
) -> Result<SimObject, String> {
    if properties.get("network").is_none() {
        let subnet = properties["fixed_ips"][0]["subnet"]
            .as_str()
            .and_then(|s| find(objects, "subnet", s))
            .ok_or("a network, a subnet or a port is needed")?;
        properties["network"] = subnet.attributes["network_id"].clone();
    }
    let network = properties["network"].as_str().unwrap_or_default();
    need(objects, "network", "Network", network)?;
    let mut port = SimObject {
        id: id.to_string(),
        kind: "port".into(),
        name: format!("{}-port-{index}", server.name),
        stack_id: String::new(),
        resource: String::new(),
        status: "DOWN".into(),
        properties,
        attributes: Default::default(),
    };
    ready(&mut port, objects);
    port.status = "ACTIVE".into();
    port.attributes.insert("device_id".into(), json!(server.id));
    port.attributes.insert("device_owner".into(), json!(owner));
    Ok(port)
}

/// The ports of the cloud's own that an object owns.
pub(in crate::sim) fn owned_by(owner: &str, objects: &Objects) -> Vec<String> {
    objects
        .values()
        .filter(|o| {
            o.kind == "port"
                && o.stack_id.is_empty()
                && o.attributes
                    .get("device_owner")
                    .and_then(Json::as_str)
                    .is_some_and(|d| ["compute:nova", "compute:kuryr", "Octavia"].contains(&d))
                && o.attributes.get("device_id") == Some(&json!(owner))
        })
        .map(|o| o.id.clone())
        .collect()
}
