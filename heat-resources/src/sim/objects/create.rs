//! What a create checks before the object exists: what it names exists,
//! its values are valid (with the messages OpenStack gives).

use heat_core::engine::ResourceSpec;
use serde_json::{Map as JsonMap, Value as Json};

use super::*;

/// Checks a new object's references and makes it, in its initial status.
pub(in crate::sim) fn build(
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
            need_networks(spec, objects)?;
        }
        // Its image is a container registry's (Docker Hub), not Glance's.
        "zun_container" => need_networks(spec, objects)?,
        "subnet" => {
            let net = str_prop(spec, &["network", "network_id"]).ok_or("network is required")?;
            need(objects, "network", "Network", net)?;
            match (str_prop(spec, &["cidr"]), str_prop(spec, &["subnetpool"])) {
                (Some(cidr), _) => {
                    parse_cidr(cidr).ok_or_else(|| {
                        format!(
                            "Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet."
                        )
                    })?;
                }
                (None, Some(pool)) => {
                    need(objects, "subnetpool", "Subnet pool", pool)?;
                    if carve(
                        find(objects, "subnetpool", pool).expect("needed"),
                        &spec.properties,
                        objects,
                    )
                    .is_none()
                    {
                        return Err(format!("Subnet pool {pool} has no free prefix left"));
                    }
                }
                (None, None) => return Err("a cidr or a subnet pool is required".into()),
            }
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

/// The networks, ports and subnets a server's or container's `networks`
/// name exist.
fn need_networks(spec: &ResourceSpec, objects: &Objects) -> Result<(), String> {
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
    Ok(())
}
