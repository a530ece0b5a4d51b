//! Names and ids: what a template names (an image, a flavor, a network, a
//! port, an elastic IP's address) resolved to the cloud's ids, and objects a
//! resumed create made before a crash recognised as its own.

use heat_core::engine::{DriverError, DriverErrorKind};
use serde_json::{json, Value as Json};

use super::{is_uuid, not_found, s, OpenStackCloud};

impl OpenStackCloud {
    /// Resolves a Neutron object given by name or id.
    pub(super) async fn neutron_id(
        &self,
        collection: &str,
        what: &str,
        name_or_id: &str,
    ) -> Result<String, DriverError> {
        if is_uuid(name_or_id) {
            return Ok(name_or_id.to_string());
        }
        let list = self
            .get("network", &format!("/{collection}?name={name_or_id}"))
            .await?;
        let key = collection.replace('-', "_");
        list.get(&key)
            .and_then(Json::as_array)
            .and_then(|l| l.first())
            .and_then(|o| o.get("id"))
            .and_then(Json::as_str)
            .map(String::from)
            .ok_or_else(|| not_found(what, name_or_id))
    }

    pub(super) async fn image_id(&self, name_or_id: &str) -> Result<String, DriverError> {
        if is_uuid(name_or_id) {
            return match self.get("image", &format!("/images/{name_or_id}")).await {
                Ok(_) => Ok(name_or_id.to_string()),
                Err(e) if e.kind == DriverErrorKind::NotFound => {
                    Err(not_found("Image", name_or_id))
                }
                Err(e) => Err(e),
            };
        }
        let list = self
            .get("image", &format!("/images?name={name_or_id}"))
            .await?;
        list.get("images")
            .and_then(Json::as_array)
            .and_then(|l| l.first())
            .and_then(|o| o.get("id"))
            .and_then(Json::as_str)
            .map(String::from)
            .ok_or_else(|| not_found("Image", name_or_id))
    }

    pub(super) async fn flavor_id(&self, name_or_id: &str) -> Result<String, DriverError> {
        let list = self.get("compute", "/flavors/detail").await?;
        list.get("flavors")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|f| {
                f.get("id").and_then(Json::as_str) == Some(name_or_id)
                    || f.get("name").and_then(Json::as_str) == Some(name_or_id)
            })
            .and_then(|f| f.get("id").and_then(Json::as_str))
            .map(String::from)
            .ok_or_else(|| not_found("Flavor", name_or_id))
    }

    pub(super) async fn server_networks(&self, props: &Json) -> Result<Json, DriverError> {
        let Some(Json::Array(items)) = props.get("networks") else {
            return Ok(json!("auto"));
        };
        if items.is_empty() {
            return Ok(json!("auto"));
        }
        let mut out = Vec::new();
        for n in items {
            // `none` or `auto`: Nova's own choice, for the whole server.
            if let Some(allocate) = s(n, &["allocate_network"]) {
                return Ok(json!(allocate));
            }
            let mut entry = serde_json::Map::new();
            if let Some(port) = s(n, &["port"]) {
                entry.insert(
                    "port".into(),
                    json!(self.neutron_id("ports", "Port", port).await?),
                );
            } else if let Some(subnet) = s(n, &["subnet"]) {
                // On a subnet: its network (Nova picks an address there).
                let id = self.neutron_id("subnets", "Subnet", subnet).await?;
                let body = self.get("network", &format!("/subnets/{id}")).await?;
                entry.insert("uuid".into(), body["subnet"]["network_id"].clone());
            } else if let Some(net) = s(n, &["network", "uuid"]) {
                entry.insert(
                    "uuid".into(),
                    json!(self.neutron_id("networks", "Network", net).await?),
                );
            }
            if entry.contains_key("uuid") {
                if let Some(ip) = s(n, &["fixed_ip"]) {
                    entry.insert("fixed_ip".into(), json!(ip));
                }
            }
            if let Some(tag) = s(n, &["tag"]) {
                self.needs_compute("2.42", "a server network's tag").await?;
                entry.insert("tag".into(), json!(tag));
            }
            out.push(Json::Object(entry));
        }
        Ok(Json::Array(out))
    }

    /// The floating IP of an association: `floatingip_id`, or the one with
    /// `floating_ip_address` (an AWS::EC2::EIPAssociation's `EIP`).
    pub(super) async fn association_floating_ip(&self, p: &Json) -> Result<String, DriverError> {
        if let Some(id) = s(p, &["floatingip_id"]) {
            return Ok(id.to_string());
        }
        let Some(eip) = s(p, &["floating_ip_address"]) else {
            return Err(DriverError::fatal(
                "floatingip_id (or EIP / AllocationId) is required",
            ));
        };
        if eip.parse::<std::net::IpAddr>().is_err() {
            return Ok(eip.to_string());
        }
        let list = self
            .get(
                "network",
                &format!("/floatingips?floating_ip_address={eip}"),
            )
            .await?;
        list["floatingips"][0]["id"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| DriverError::not_found(format!("Floating IP {eip} could not be found.")))
    }

    /// The port of an association: `port_id`, or the first port of
    /// `server_id` (an AWS::EC2::EIPAssociation's `InstanceId`).
    pub(super) async fn association_port(&self, p: &Json) -> Result<String, DriverError> {
        if let Some(port) = s(p, &["port_id"]) {
            return self.neutron_id("ports", "Port", port).await;
        }
        let Some(server) = s(p, &["server_id"]) else {
            return Err(DriverError::fatal(
                "port_id (or InstanceId / NetworkInterfaceId) is required",
            ));
        };
        let list = self
            .get("network", &format!("/ports?device_id={server}"))
            .await?;
        list["ports"][0]["id"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| DriverError::not_found(format!("Server {server} has no port.")))
    }

    /// Whether `server`, made by stack `stack_id`, already has `volume`
    /// attached.
    pub(super) async fn own_server_has_volume(
        &self,
        server: &str,
        stack_id: &str,
        volume: &str,
    ) -> Result<bool, DriverError> {
        let body = self.get("compute", &format!("/servers/{server}")).await?;
        if body["server"]["metadata"]["heat_stack_id"] != stack_id {
            return Ok(false);
        }
        let attached = self
            .get(
                "compute",
                &format!("/servers/{server}/os-volume_attachments"),
            )
            .await?;
        Ok(attached["volumeAttachments"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["volumeId"] == volume))
    }

    /// Whether `router`, made by stack `stack_id`, already has an interface
    /// on the subnet or port (`key` is `subnet_id` or `port_id`).
    pub(super) async fn own_router_has_interface(
        &self,
        router: &str,
        stack_id: &str,
        key: &str,
        value: &str,
    ) -> Result<bool, DriverError> {
        let r = self.get("network", &format!("/routers/{router}")).await?;
        let ours = r["router"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with(&format!("heat-rs:{stack_id}:")));
        if !ours {
            return Ok(false);
        }
        let ports = self
            .get("network", &format!("/ports?device_id={router}"))
            .await?;
        Ok(ports["ports"].as_array().into_iter().flatten().any(|p| {
            if key == "port_id" {
                p["id"] == value
            } else {
                p["fixed_ips"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|ip| ip["subnet_id"] == value)
            }
        }))
    }
}
