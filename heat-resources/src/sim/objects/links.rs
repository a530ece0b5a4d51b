//! How objects change each other: an attachment puts its volume in use, an
//! association binds its floating IP; deleting them undoes it.

use serde_json::{json, Value as Json};

use super::*;

/// What a ready object changes in others (attachments, associations);
/// returns the objects changed.
pub(in crate::sim) fn link(o: &SimObject, objects: &mut Objects) -> Vec<SimObject> {
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
            // A server's: the port of its first address (Nova's floating IP
            // association, an EIP's `InstanceId`).
            let server_port = || {
                let server = find(objects, "server", &get(&["server_id"])?)?;
                let addresses = server.attributes.get("addresses")?.as_object()?;
                addresses
                    .values()
                    .find_map(|a| a.get(0)?.get("port")?.as_str().map(str::to_string))
            };
            let port = get(&["port_id"])
                .filter(|p| !p.is_empty())
                .or_else(server_port)
                .unwrap_or_default();
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
pub(in crate::sim) fn unlink(o: &SimObject, objects: &mut Objects) -> Vec<SimObject> {
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
