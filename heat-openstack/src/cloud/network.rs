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
            ObjectKind::Network
            | ObjectKind::Subnet
            | ObjectKind::Port
            | ObjectKind::Router
            | ObjectKind::FloatingIp => {
                let body = self.neutron_body(kind, spec).await?;
                let collection = super::neutron_collection(kind);
                self.post_id("network", &format!("/{collection}"), &body, body_key(kind))
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

    /// Deletes the rules of a group that `rules` (as the template gave
    /// them) made: each found among the group's rules by what Neutron
    /// keeps of it (a rule already gone is no error).
    pub(super) async fn delete_rules(
        &self,
        group_id: &str,
        rules: &[Json],
    ) -> Result<(), DriverError> {
        if rules.is_empty() {
            return Ok(());
        }
        let listed = self
            .get(
                "network",
                &format!("/security-group-rules?security_group_id={group_id}"),
            )
            .await?;
        let existing = listed["security_group_rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for rule in rules {
            let remote = match s(rule, &["remote_group_id"]) {
                Some(g) => self
                    .neutron_id("security-groups", "Security group", g)
                    .await
                    .ok(),
                None => None,
            };
            let body = requests::security_group_rule(group_id, rule, remote.as_deref());
            let Some(id) = existing
                .iter()
                .find(|e| same_rule(&body["security_group_rule"], e))
                .and_then(|e| e["id"].as_str())
            else {
                continue;
            };
            match self
                .session
                .request(
                    "network",
                    Method::DELETE,
                    &format!("/security-group-rules/{id}"),
                    None,
                )
                .await
            {
                Ok(_) => {}
                Err(e) if e.kind == DriverErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
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

    /// The body of a `POST` of a Neutron network, subnet, port, router or
    /// floating IP, the names it holds resolved to ids; an update sends
    /// the fields of it that changed.
    async fn neutron_body(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
    ) -> Result<Json, DriverError> {
        let p = &spec.properties;
        let name = Self::name(spec);
        let tag = tag(&spec.stack_id, &spec.name);
        Ok(match kind {
            ObjectKind::Network => requests::network(p, &name, &tag),
            ObjectKind::Subnet => {
                let net = s(p, &["network", "network_id"])
                    .ok_or_else(|| DriverError::fatal("network is required"))?;
                let net = self.neutron_id("networks", "Network", net).await?;
                requests::subnet(p, &name, &tag, &net)
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
                requests::router(p, &name, &tag, gw.as_deref())
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
                requests::floating_ip(&net, port.as_deref(), p.get("fixed_ip_address"), &tag)
            }
            other => unreachable!("{other} has no Neutron body"),
        })
    }

    /// A floating IP association moved in place to another port (or
    /// fixed address) of the same floating IP, as Heat's; another floating
    /// IP is refused (the association is that floating IP's).
    pub(super) async fn move_association(&self, id: &str, p: &Json) -> Result<(), DriverError> {
        let held = id.split(':').next().unwrap_or(id);
        let fip = self.association_floating_ip(p).await?;
        if fip != held {
            return Err(DriverError::fatal(format!(
                "heat-rs cannot move a floating IP association to another floating IP in \
                 place on OpenStack yet ({held} to {fip}); give the resource a new name to \
                 replace it"
            )));
        }
        let port = self.association_port(p).await?;
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
        Ok(())
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
        const AT_CREATE_ONLY: [&str; 6] = [
            "network_id",
            "ip_version",
            "cidr",
            "prefixlen",
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
                "port_id" | "fixed_ip_address" => Json::Null,
                "external_gateway_info" => json!({}),
                _ => continue,
            };
            changes.insert(k.clone(), cleared);
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

/// Whether a rule Neutron holds is the one a request body asked for (an
/// address prefix of everything is the same as none, as Neutron may keep
/// either).
fn same_rule(asked: &Json, held: &Json) -> bool {
    const FIELDS: [&str; 7] = [
        "direction",
        "ethertype",
        "protocol",
        "port_range_min",
        "port_range_max",
        "remote_group_id",
        "remote_ip_prefix",
    ];
    let norm = |v: Option<&Json>| match v {
        None => Json::Null,
        Some(Json::String(p)) if p == "0.0.0.0/0" || p == "::/0" => Json::Null,
        Some(Json::String(p)) => Json::String(p.to_ascii_lowercase()),
        Some(other) => other.clone(),
    };
    FIELDS
        .iter()
        .all(|f| norm(asked.get(*f)) == norm(held.get(*f)))
}

/// The key of a Neutron object in its request and answer bodies.
fn body_key(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::FloatingIp => "floatingip",
        other => other.name(),
    }
}
