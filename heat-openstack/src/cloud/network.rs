//! Creating Neutron objects: networks, subnets, ports, routers and their
//! interfaces, floating IPs and their associations, security groups (their
//! rules in `rules`). Each carries its stack and resource in its
//! description.

use heat_core::engine::{DriverError, ResourceSpec};
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
            ObjectKind::Network
            | ObjectKind::Subnet
            | ObjectKind::Port
            | ObjectKind::Router
            | ObjectKind::FloatingIp
            | ObjectKind::SubnetPool
            | ObjectKind::AddressScope => {
                let body = self.neutron_body(kind, spec).await?;
                let collection = super::neutron_collection(kind);
                let id = self
                    .post_id("network", &format!("/{collection}"), &body, body_key(kind))
                    .await?;
                if let Some(tags) = spec.properties.get("tags").filter(|t| !t.is_null()) {
                    self.set_tags(kind, &id, tags).await?;
                }
                Ok(id)
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
            ObjectKind::FloatingIpAssociation => {
                let fip = self.association_floating_ip(p).await?;
                let port = self.association_port(p).await?;
                let mut body = json!({"floatingip": {"port_id": port}});
                if let Some(address) = s(p, &["fixed_ip_address"]) {
                    body["floatingip"]["fixed_ip_address"] = json!(address);
                }
                self.session
                    .request(
                        "network",
                        Method::PUT,
                        &format!("/floatingips/{fip}"),
                        Some(&body),
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
                // Its rules are made once it is (`wait_ready`).
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

    /// The body of a `POST` of a Neutron network, subnet, port, router or
    /// floating IP, the names it holds resolved to ids; an update sends
    /// the fields of it that changed.
    async fn neutron_body(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
    ) -> Result<Json, DriverError> {
        let p = &spec.properties;
        // What heat-rs does not set on OpenStack is refused, not dropped.
        let floating_dns: &[&str] = match kind {
            ObjectKind::FloatingIp => &["dns_name", "dns_domain"],
            _ => &[],
        };
        for unset in [
            "qos_policy",
            "segment",
            "dhcp_agent_ids",
            "l3_agent_id",
            "l3_agent_ids",
        ]
        .iter()
        .chain(floating_dns)
        {
            if p.get(unset)
                .is_some_and(|v| !v.is_null() && v != &json!([]))
            {
                return Err(DriverError::fatal(format!(
                    "heat-rs does not set a {kind}'s {unset} on OpenStack yet"
                )));
            }
        }
        let name = Self::name(spec);
        let tag = tag(&spec.stack_id, &spec.name);
        Ok(match kind {
            ObjectKind::Network => requests::network(p, &name, &tag),
            ObjectKind::Subnet => {
                let net = s(p, &["network", "network_id"])
                    .ok_or_else(|| DriverError::fatal("network is required"))?;
                let net = self.neutron_id("networks", "Network", net).await?;
                let pool = match s(p, &["subnetpool"]) {
                    Some(pool) => Some(self.neutron_id("subnetpools", "Subnet pool", pool).await?),
                    None => None,
                };
                requests::subnet(p, &name, &tag, &net, pool.as_deref())
            }
            ObjectKind::SubnetPool => {
                let scope = match s(p, &["address_scope"]) {
                    Some(scope) => Some(
                        self.neutron_id("address-scopes", "Address scope", scope)
                            .await?,
                    ),
                    None => None,
                };
                requests::subnet_pool(p, &name, &tag, scope.as_deref())
            }
            // No description to tag: named by its tag unless the
            // template names it.
            ObjectKind::AddressScope => requests::address_scope(p, s(p, &["name"]).unwrap_or(&tag)),
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
                requests::port(p, &name, &tag, &net, fixed, groups)
            }
            ObjectKind::Router => {
                let gw = match p
                    .get("external_gateway_info")
                    .and_then(|g| s(g, &["network"]))
                {
                    Some(n) => Some(self.neutron_id("networks", "Network", n).await?),
                    None => None,
                };
                // Fixed gateway addresses, their subnets by id.
                let mut fixed = None;
                if let Some(Json::Array(ips)) = p
                    .get("external_gateway_info")
                    .and_then(|g| g.get("external_fixed_ips"))
                {
                    let mut resolved = Vec::new();
                    for ip in ips {
                        let mut entry = serde_json::Map::new();
                        if let Some(sub) = s(ip, &["subnet", "subnet_id"]) {
                            let id = self.neutron_id("subnets", "Subnet", sub).await?;
                            entry.insert("subnet_id".into(), json!(id));
                        }
                        if let Some(address) = s(ip, &["ip_address", "ip"]) {
                            entry.insert("ip_address".into(), json!(address));
                        }
                        resolved.push(Json::Object(entry));
                    }
                    fixed = Some(Json::Array(resolved));
                }
                requests::router(p, &name, &tag, gw.as_deref(), fixed)
            }
            ObjectKind::FloatingIp => {
                let net = s(p, &["floating_network", "floating_network_id"]).unwrap_or("public");
                let net = self.neutron_id("networks", "Network", net).await?;
                // A port, or a server's first port (an AWS::EC2::EIP's
                // `InstanceId`, as Heat's ElasticIp associates it).
                let port = match (s(p, &["port_id"]), s(p, &["server_id"])) {
                    (None, None) => None,
                    _ => Some(self.association_port(p).await?),
                };
                let subnet = match s(p, &["floating_subnet"]) {
                    Some(sub) => Some(self.neutron_id("subnets", "Subnet", sub).await?),
                    None => None,
                };
                requests::floating_ip(p, &net, subnet.as_deref(), port.as_deref(), &tag)
            }
            other => unreachable!("{other} has no Neutron body"),
        })
    }

    /// The id of the caller's project's `default` security group.
    async fn default_security_group(&self) -> Result<String, DriverError> {
        let project = self.session.token(false).await?.project_id.ok_or_else(|| {
            DriverError::fatal(
                "the token names no project, so its default security group is unknown",
            )
        })?;
        let list = self
            .get(
                "network",
                &format!("/security-groups?name=default&project_id={project}"),
            )
            .await?;
        list["security_groups"][0]["id"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| {
                DriverError::not_found(format!("project {project} has no default security group"))
            })
    }

    /// Sets a Neutron object's tags (all of them), Neutron's `PUT
    /// .../tags`.
    async fn set_tags(&self, kind: ObjectKind, id: &str, tags: &Json) -> Result<(), DriverError> {
        let collection = super::neutron_collection(kind);
        self.session
            .request(
                "network",
                Method::PUT,
                &format!("/{collection}/{id}/tags"),
                Some(&json!({ "tags": tags })),
            )
            .await?;
        Ok(())
    }

    /// A floating IP association moved in place, as Heat's: to another
    /// port (or fixed address) of its floating IP, or to another floating
    /// IP (the old one let go first). Returns its id, `floating IP:port`,
    /// which stays the same while its floating IP does.
    pub(super) async fn move_association(&self, id: &str, p: &Json) -> Result<String, DriverError> {
        let held = id.split(':').next().unwrap_or(id);
        let fip = self.association_floating_ip(p).await?;
        let port = self.association_port(p).await?;
        if fip != held {
            self.release_floating_ip(held).await?;
        }
        let mut body = json!({"port_id": port});
        if let Some(ip) = p.get("fixed_ip_address").filter(|v| !v.is_null()) {
            body["fixed_ip_address"] = ip.clone();
        }
        self.session
            .request(
                "network",
                Method::PUT,
                &format!("/floatingips/{fip}"),
                Some(&json!({ "floatingip": body })),
            )
            .await?;
        Ok(if fip == held {
            id.to_string()
        } else {
            format!("{fip}:{port}")
        })
    }

    /// Lets go of a floating IP's port (done when the floating IP is gone).
    pub(super) async fn release_floating_ip(&self, fip: &str) -> Result<(), DriverError> {
        let r = self
            .session
            .request(
                "network",
                Method::PUT,
                &format!("/floatingips/{fip}"),
                Some(&json!({"floatingip": {"port_id": null}})),
            )
            .await;
        super::gone(r)
    }

    /// Updates a Neutron network, subnet, port, router or floating IP in
    /// place: the fields of its body that changed from `old`'s are sent
    /// (those Neutron sets only at create left out); a list the template
    /// no longer gives is emptied, a floating IP's port no longer given
    /// is let go, a router's gateway no longer given is cleared.
    pub(super) async fn update_network_object(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<(), DriverError> {
        const AT_CREATE_ONLY: [&str; 7] = [
            "network_id",
            "ip_version",
            "cidr",
            "prefixlen",
            "subnetpool_id",
            "floating_network_id",
            "description",
        ];
        const EMPTIED: [&str; 3] = ["allowed_address_pairs", "dns_nameservers", "host_routes"];
        let key = body_key(kind);
        let fields = |b: &Json| {
            b.get(key)
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let new = fields(&self.neutron_body(kind, spec).await?);
        let before = ResourceSpec {
            properties: old.clone(),
            ..spec.clone()
        };
        // What was asked before, as the cloud took it (its names resolved
        // again; all of it is sent when they no longer resolve).
        let old = match self.neutron_body(kind, &before).await {
            Ok(b) => fields(&b),
            Err(_) => serde_json::Map::new(),
        };
        let mut changes = serde_json::Map::new();
        for (k, v) in &new {
            if !AT_CREATE_ONLY.contains(&k.as_str()) && old.get(k) != Some(v) {
                changes.insert(k.clone(), v.clone());
            }
        }
        for k in old.keys().filter(|k| !new.contains_key(*k)) {
            let cleared = match k.as_str() {
                k if EMPTIED.contains(&k) => json!([]),
                // A port's groups taken out: the project's default group,
                // as Heat's port update.
                "security_groups" => json!([self.default_security_group().await?]),
                "port_id" | "fixed_ip_address" => Json::Null,
                "external_gateway_info" => json!({}),
                _ => continue,
            };
            changes.insert(k.clone(), cleared);
        }
        // Neutron takes a floating IP's fixed address only with its port.
        if kind == ObjectKind::FloatingIp && changes.contains_key("fixed_ip_address") {
            changes
                .entry("port_id")
                .or_insert_with(|| new.get("port_id").cloned().unwrap_or(Json::Null));
        }
        if spec.properties.get("tags") != before.properties.get("tags") {
            let tags = spec.properties.get("tags").filter(|t| !t.is_null());
            self.set_tags(kind, id, tags.unwrap_or(&json!([]))).await?;
        }
        if changes.is_empty() {
            return Ok(());
        }
        let collection = super::neutron_collection(kind);
        self.session
            .request(
                "network",
                Method::PUT,
                &format!("/{collection}/{id}"),
                Some(&json!({ key: changes })),
            )
            .await?;
        Ok(())
    }
}

/// The key of a Neutron object in its request and answer bodies.
fn body_key(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::FloatingIp => "floatingip",
        other => other.name(),
    }
}
