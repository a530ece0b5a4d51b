//! Creating Neutron objects: networks, subnets, ports, routers and their
//! interfaces, floating IPs and their associations, security groups and
//! their rules. Each carries its stack and resource in its description.

use heat_core::engine::{DriverError, DriverErrorKind, ResourceSpec};
use heat_resources::ObjectKind;
use reqwest::Method;
use serde_json::{json, Value as Json};

use super::{s, OpenStackCloud};
use crate::requests::{self, tag};

impl OpenStackCloud {
    /// Starts creating a Neutron object; its id.
    pub(super) async fn create_network_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        let p = &spec.properties;
        let name = Self::name(spec);
        let tag = tag(&spec.stack_id, &spec.name);
        match kind {
            ObjectKind::Network => {
                self.post_id(
                    "network",
                    "/networks",
                    &requests::network(p, &name, &tag),
                    "network",
                )
                .await
            }
            ObjectKind::Subnet => {
                let net = s(p, &["network", "network_id"])
                    .ok_or_else(|| DriverError::fatal("network is required"))?;
                let net = self.neutron_id("networks", "Network", net).await?;
                self.post_id(
                    "network",
                    "/subnets",
                    &requests::subnet(p, &name, &tag, &net),
                    "subnet",
                )
                .await
            }
            ObjectKind::Port => {
                let net = s(p, &["network", "network_id"])
                    .ok_or_else(|| DriverError::fatal("network is required"))?;
                let net = self.neutron_id("networks", "Network", net).await?;
                let mut fixed = Vec::new();
                for f in p
                    .get("fixed_ips")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    let mut entry = serde_json::Map::new();
                    if let Some(sub) = s(f, &["subnet", "subnet_id"]) {
                        entry.insert(
                            "subnet_id".into(),
                            json!(self.neutron_id("subnets", "Subnet", sub).await?),
                        );
                    }
                    if let Some(ip) = s(f, &["ip_address"]) {
                        entry.insert("ip_address".into(), json!(ip));
                    }
                    fixed.push(Json::Object(entry));
                }
                let groups = match p.get("security_groups").and_then(Json::as_array) {
                    Some(list) => {
                        let mut ids = Vec::new();
                        for g in list.iter().filter_map(Json::as_str) {
                            ids.push(
                                self.neutron_id("security-groups", "Security group", g)
                                    .await?,
                            );
                        }
                        Some(ids)
                    }
                    None => None,
                };
                self.post_id(
                    "network",
                    "/ports",
                    &requests::port(p, &name, &tag, &net, fixed, groups),
                    "port",
                )
                .await
            }
            ObjectKind::Router => {
                let gw = match p
                    .get("external_gateway_info")
                    .and_then(|g| s(g, &["network"]))
                {
                    Some(n) => Some(self.neutron_id("networks", "Network", n).await?),
                    None => None,
                };
                self.post_id(
                    "network",
                    "/routers",
                    &requests::router(p, &name, &tag, gw.as_deref()),
                    "router",
                )
                .await
            }
            ObjectKind::RouterInterface => {
                let router = self
                    .neutron_id(
                        "routers",
                        "Router",
                        s(p, &["router", "router_id"]).unwrap_or_default(),
                    )
                    .await?;
                let (key, value) =
                    match (s(p, &["subnet", "subnet_id"]), s(p, &["port", "port_id"])) {
                        (Some(sub), _) => (
                            "subnet_id",
                            self.neutron_id("subnets", "Subnet", sub).await?,
                        ),
                        (None, Some(port)) => {
                            ("port_id", self.neutron_id("ports", "Port", port).await?)
                        }
                        _ => {
                            return Err(DriverError::fatal(
                                "Either subnet or port must be specified",
                            ))
                        }
                    };
                // A create resumed after a crash finds the interface it
                // added before and adopts it (only on a router this stack
                // made, so nobody else's interface is ever adopted).
                if !self
                    .own_router_has_interface(&router, &spec.stack_id, key, &value)
                    .await?
                {
                    self.session
                        .request(
                            "network",
                            Method::PUT,
                            &format!("/routers/{router}/add_router_interface"),
                            Some(&json!({key: value})),
                        )
                        .await?;
                }
                Ok(format!("{router}:{key}={value}"))
            }
            ObjectKind::FloatingIp => {
                let net = s(p, &["floating_network", "floating_network_id"]).unwrap_or("public");
                let net = self.neutron_id("networks", "Network", net).await?;
                let port = match s(p, &["port_id"]) {
                    Some(port) => Some(self.neutron_id("ports", "Port", port).await?),
                    None => None,
                };
                self.post_id(
                    "network",
                    "/floatingips",
                    &requests::floating_ip(&net, port.as_deref(), p.get("fixed_ip_address"), &tag),
                    "floatingip",
                )
                .await
            }
            ObjectKind::FloatingIpAssociation => {
                let fip = self.association_floating_ip(p).await?;
                let port = self.association_port(p).await?;
                self.session
                    .request(
                        "network",
                        Method::PUT,
                        &format!("/floatingips/{fip}"),
                        Some(&json!({"floatingip": {"port_id": port}})),
                    )
                    .await?;
                Ok(format!("{fip}:{port}"))
            }
            ObjectKind::SecurityGroup => {
                let id = self
                    .post_id(
                        "network",
                        "/security-groups",
                        &requests::security_group(p, &name, &tag),
                        "security_group",
                    )
                    .await?;
                let rules: Vec<Json> = p
                    .get("rules")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                self.create_rules(&id, &rules).await?;
                Ok(id)
            }
            ObjectKind::SecurityGroupRule => {
                let group = self
                    .neutron_id(
                        "security-groups",
                        "Security group",
                        s(p, &["security_group"]).unwrap_or_default(),
                    )
                    .await?;
                let remote = match s(p, &["remote_group"]) {
                    Some(g) => Some(
                        self.neutron_id("security-groups", "Security group", g)
                            .await?,
                    ),
                    None => None,
                };
                self.post_id(
                    "network",
                    "/security-group-rules",
                    &requests::security_group_rule(&group, p, remote.as_deref()),
                    "security_group_rule",
                )
                .await
            }
            other => unreachable!("{other} is not a Neutron object"),
        }
    }

    pub(super) async fn create_rules(
        &self,
        group_id: &str,
        rules: &[Json],
    ) -> Result<(), DriverError> {
        for rule in rules {
            let remote = match s(rule, &["remote_group_id"]) {
                Some(g) => Some(
                    self.neutron_id("security-groups", "Security group", g)
                        .await?,
                ),
                None => None,
            };
            let body = requests::security_group_rule(group_id, rule, remote.as_deref());
            match self
                .session
                .request(
                    "network",
                    Method::POST,
                    "/security-group-rules",
                    Some(&body),
                )
                .await
            {
                Ok(_) => {}
                Err(e) if e.kind == DriverErrorKind::Conflict => {} // the rule exists already
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
