//! A server's internal ports, as Heat's `_create_internal_port`: a
//! `networks` entry that names no port but a `subnet` (or gives
//! `port_extra_properties`) gets a Neutron port made for it, named
//! `<resource>-port-<n>`, tagged with the stack and resource, on that
//! subnet (at `fixed_ip` when given) with the server's security groups;
//! the server is given the port. A retried or resumed create takes the
//! unbound port it made before rather than making another. The ports go
//! with their server: deleted before it (found by the tag among the ports
//! bound to it, and unbound ones of its names), and at once when Nova
//! refuses the server. A network entry's `floating_ip` is associated with
//! its port once the server is up.

use heat_core::engine::{DriverError, DriverErrorKind, ResourceSpec};
use reqwest::Method;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::{gone, s, OpenStackCloud};
use crate::requests::tag;

/// Whether a `networks` entry has a port made for it.
fn needs_port(entry: &Json) -> bool {
    s(entry, &["port"]).is_none()
        && (s(entry, &["subnet"]).is_some()
            || entry
                .get("port_extra_properties")
                .is_some_and(Json::is_object))
}

/// `text` as a query value.
fn query(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The name of the internal port of entry `index`.
fn port_name(resource: &str, index: usize) -> String {
    format!("{resource}-port-{index}")
}

impl OpenStackCloud {
    /// The server's properties with each entry of `networks` that needs
    /// one given its internal port; those ports (made now, or by an
    /// earlier attempt), to delete if the server is refused.
    pub(super) async fn with_internal_ports(
        &self,
        spec: &ResourceSpec,
        p: &Json,
    ) -> Result<(Json, Vec<String>), DriverError> {
        let mut props = p.clone();
        let mut made = Vec::new();
        let Some(Json::Array(entries)) = props.get_mut("networks") else {
            return Ok((props, made));
        };
        for (index, entry) in entries.iter_mut().enumerate() {
            if !needs_port(entry) {
                continue;
            }
            let name = port_name(&spec.name, index);
            let port = match self.own_port(spec, &name, None).await {
                Ok(Some(port)) => Ok(port),
                Ok(None) => self.make_port(spec, p, entry, &name).await,
                Err(e) => Err(e),
            };
            let port = match port {
                Ok(port) => {
                    made.push(port.clone());
                    port
                }
                Err(e) => {
                    self.delete_ports(&made).await;
                    return Err(e);
                }
            };
            let mut given = JsonMap::new();
            given.insert("port".into(), json!(port));
            for key in ["floating_ip", "tag"] {
                if let Some(v) = entry.get(key).filter(|v| !v.is_null()) {
                    given.insert(key.into(), v.clone());
                }
            }
            *entry = Json::Object(given);
        }
        Ok((props, made))
    }

    /// The port named `name` this stack's resource made, unbound (or
    /// bound to `server`).
    async fn own_port(
        &self,
        spec: &ResourceSpec,
        name: &str,
        server: Option<&str>,
    ) -> Result<Option<String>, DriverError> {
        let tag = tag(&spec.stack_id, &spec.name);
        let listed = self
            .get("network", &format!("/ports?name={}", query(name)))
            .await?;
        Ok(listed["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|port| {
                port["description"] == tag.as_str()
                    && match port["device_id"].as_str().unwrap_or_default() {
                        "" => true,
                        device => Some(device) == server,
                    }
            })
            .and_then(|port| port["id"].as_str().map(String::from)))
    }

    /// Makes the internal port `name` for a `networks` entry.
    async fn make_port(
        &self,
        spec: &ResourceSpec,
        p: &Json,
        entry: &Json,
        name: &str,
    ) -> Result<String, DriverError> {
        let mut port = JsonMap::new();
        let mut fixed = JsonMap::new();
        let network = match s(entry, &["subnet"]) {
            Some(subnet) => {
                let subnet = self.neutron_id("subnets", "Subnet", subnet).await?;
                let body = self.get("network", &format!("/subnets/{subnet}")).await?;
                fixed.insert("subnet_id".into(), json!(subnet));
                body["subnet"]["network_id"].clone()
            }
            None => {
                let network = s(entry, &["network"]).unwrap_or_default();
                json!(self.neutron_id("networks", "Network", network).await?)
            }
        };
        if let Some(ip) = s(entry, &["fixed_ip"]) {
            fixed.insert("ip_address".into(), json!(ip));
        }
        port.insert("network_id".into(), network);
        if !fixed.is_empty() {
            port.insert("fixed_ips".into(), json!([fixed]));
        }
        if let Some(Json::Array(groups)) = p.get("security_groups") {
            let mut ids = Vec::new();
            for group in groups.iter().filter_map(Json::as_str) {
                ids.push(
                    self.neutron_id("security-groups", "Security group", group)
                        .await?,
                );
            }
            port.insert("security_groups".into(), json!(ids));
        }
        if let Some(Json::Object(extra)) = entry.get("port_extra_properties") {
            for (key, value) in extra.iter().filter(|(_, v)| !v.is_null()) {
                match key.as_str() {
                    "value_specs" => {
                        if let Json::Object(specs) = value {
                            port.extend(specs.clone());
                        }
                    }
                    "qos_policy" => {
                        return Err(DriverError::fatal(
                            "heat-rs does not set a port's qos_policy on OpenStack yet",
                        ))
                    }
                    // Not a Neutron field (Heat drops it here too).
                    "no_fixed_ips" => {}
                    // A pair's MAC address given as null is none.
                    "allowed_address_pairs" => {
                        let mut pairs = value.clone();
                        for pair in pairs.as_array_mut().into_iter().flatten() {
                            if let Some(pair) = pair.as_object_mut() {
                                pair.retain(|k, v| !(k == "mac_address" && v.is_null()));
                            }
                        }
                        port.insert(key.clone(), pairs);
                    }
                    _ => {
                        port.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        port.insert("name".into(), json!(name));
        port.insert("description".into(), json!(tag(&spec.stack_id, &spec.name)));
        self.post_id("network", "/ports", &json!({ "port": port }), "port")
            .await
    }

    /// Deletes ports (a port already gone is no error); what fails is
    /// left for the next delete of the server, which finds them by tag.
    pub(super) async fn delete_ports(&self, ports: &[String]) {
        for port in ports {
            let _ = gone(
                self.session
                    .request("network", Method::DELETE, &format!("/ports/{port}"), None)
                    .await,
            );
        }
    }

    /// Associates each `floating_ip` of the server's networks with its
    /// port (the one given, or its internal port); whether there was any.
    pub(super) async fn associate_floating_ips(
        &self,
        spec: &ResourceSpec,
        server: &str,
    ) -> Result<bool, DriverError> {
        let mut any = false;
        let Some(Json::Array(entries)) = spec.properties.get("networks") else {
            return Ok(any);
        };
        for (index, entry) in entries.iter().enumerate() {
            let Some(fip) = s(entry, &["floating_ip"]) else {
                continue;
            };
            let port = match s(entry, &["port"]) {
                Some(port) => Some(self.neutron_id("ports", "Port", port).await?),
                None if needs_port(entry) => {
                    self.own_port(spec, &port_name(&spec.name, index), Some(server))
                        .await?
                }
                // Heat associates only with a port it knows.
                None => None,
            };
            let Some(port) = port else { continue };
            let mut association = json!({ "port_id": port });
            if let Some(ip) = s(entry, &["fixed_ip"]) {
                association["fixed_ip_address"] = json!(ip);
            }
            self.session
                .request(
                    "network",
                    Method::PUT,
                    &format!("/floatingips/{fip}"),
                    Some(&json!({ "floatingip": association })),
                )
                .await?;
            any = true;
        }
        Ok(any)
    }

    /// Deletes the internal ports of server `id`: the ports bound to it
    /// that carry its stack's and resource's tag, and unbound ones of the
    /// names it gives them (left by a create Nova refused).
    pub(super) async fn delete_internal_ports(&self, id: &str) -> Result<(), DriverError> {
        let server = match self.get("compute", &format!("/servers/{id}")).await {
            Ok(server) => server,
            Err(e) if e.kind == DriverErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let metadata = &server["server"]["metadata"];
        let (Some(stack), Some(resource)) = (
            metadata["heat_stack_id"].as_str(),
            metadata["heat_resource"].as_str(),
        ) else {
            return Ok(());
        };
        let tag = tag(stack, resource);
        let prefix = format!("{resource}-port-");
        let listed = self
            .get("network", &format!("/ports?description={}", query(&tag)))
            .await?;
        let ports: Vec<String> = listed["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|port| port["description"] == tag.as_str())
            .filter(
                |port| match port["device_id"].as_str().unwrap_or_default() {
                    "" => port["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with(&prefix)),
                    device => device == id,
                },
            )
            .filter_map(|port| port["id"].as_str().map(String::from))
            .collect();
        for port in &ports {
            gone(
                self.session
                    .request("network", Method::DELETE, &format!("/ports/{port}"), None)
                    .await,
            )?;
        }
        Ok(())
    }
}
