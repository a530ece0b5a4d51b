//! [`OpenStackCloud`]: the [`Cloud`] of a real OpenStack: objects created
//! through Nova, Neutron, Cinder and Glance, named and tagged with their
//! stack and resource, waited for with a growing delay on the engine's
//! clock, deleted idempotently.

use std::sync::Arc;

use async_trait::async_trait;
use heat_core::engine::{Attributes, Clock, DriverError, DriverErrorKind, ResourceSpec};
use heat_resources::{Cloud, ObjectKind};
use reqwest::Method;
use serde_json::{json, Value as Json};

use crate::requests::{self, tag};
use crate::session::Session;

mod poll;
mod resolve;
mod server;

/// A real OpenStack.
pub struct OpenStackCloud {
    session: Session,
    clock: Arc<dyn Clock>,
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

fn s<'a>(props: &'a Json, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| props.get(*k).and_then(Json::as_str))
        .filter(|v| !v.is_empty())
}

fn not_found(what: &str, name: &str) -> DriverError {
    DriverError::fatal(format!("The {what} ({name}) could not be found."))
}

impl OpenStackCloud {
    /// A cloud through an authenticated session.
    pub fn new(session: Session, clock: Arc<dyn Clock>) -> Self {
        OpenStackCloud { session, clock }
    }

    /// The session (to authenticate up front, or send other requests).
    pub fn session(&self) -> &Session {
        &self.session
    }

    fn name(spec: &ResourceSpec) -> String {
        s(&spec.properties, &["name"])
            .map(String::from)
            .unwrap_or_else(|| format!("{}-{}", spec.stack_name, spec.name))
    }

    async fn create_rules(&self, group_id: &str, rules: &[Json]) -> Result<(), DriverError> {
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

#[async_trait]
impl Cloud for OpenStackCloud {
    async fn create(&self, kind: ObjectKind, spec: &ResourceSpec) -> Result<String, DriverError> {
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
            ObjectKind::Server => {
                let image = match s(p, &["image"]) {
                    Some(i) => Some(self.image_id(i).await?),
                    None => None,
                };
                let flavor = self
                    .flavor_id(s(p, &["flavor"]).unwrap_or("m1.small"))
                    .await?;
                let networks = self.server_networks(p).await?;
                self.post_id(
                    "compute",
                    "/servers",
                    &requests::server(
                        p,
                        &name,
                        image.as_deref(),
                        &flavor,
                        networks,
                        &spec.stack_id,
                        &spec.name,
                    ),
                    "server",
                )
                .await
            }
            ObjectKind::Volume => {
                let image = match s(p, &["image", "imageRef"]) {
                    Some(i) => Some(self.image_id(i).await?),
                    None => None,
                };
                self.post_id(
                    "volume",
                    "/volumes",
                    &requests::volume(p, &name, &spec.stack_id, &spec.name, image.as_deref()),
                    "volume",
                )
                .await
            }
            ObjectKind::VolumeAttachment => {
                let server = s(p, &["instance_uuid"]).unwrap_or_default().to_string();
                let volume = s(p, &["volume_id"]).unwrap_or_default().to_string();
                let mut body = json!({"volumeAttachment": {"volumeId": volume}});
                if let Some(d) = s(p, &["mountpoint"]) {
                    body["volumeAttachment"]["device"] = json!(d);
                }
                // A create resumed after a crash adopts the attachment it
                // made before (only on a server this stack made).
                if !self
                    .own_server_has_volume(&server, &spec.stack_id, &volume)
                    .await?
                {
                    self.session
                        .request(
                            "compute",
                            Method::POST,
                            &format!("/servers/{server}/os-volume_attachments"),
                            Some(&body),
                        )
                        .await?;
                }
                Ok(format!("{server}/{volume}"))
            }
            ObjectKind::Keypair => {
                let mut k = json!({"keypair": {"name": name}});
                if let Some(pk) = s(p, &["public_key"]) {
                    k["keypair"]["public_key"] = json!(pk);
                }
                self.session
                    .request("compute", Method::POST, "/os-keypairs", Some(&k))
                    .await?;
                Ok(name)
            }
            ObjectKind::Flavor => {
                let id = self
                    .post_id("compute", "/flavors", &requests::flavor(p, &name), "flavor")
                    .await?;
                if let Some(specs) = requests::flavor_extra_specs(p) {
                    self.session
                        .request(
                            "compute",
                            Method::POST,
                            &format!("/flavors/{id}/os-extra_specs"),
                            Some(&specs),
                        )
                        .await?;
                }
                Ok(id)
            }
            ObjectKind::ServerGroup => {
                self.post_id(
                    "compute",
                    "/os-server-groups",
                    &requests::server_group(p, &name),
                    "server_group",
                )
                .await
            }
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::User
            | ObjectKind::AccessKey => Err(unsupported(kind)),
        }
    }

    async fn wait_ready(
        &self,
        kind: ObjectKind,
        _spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        match kind {
            ObjectKind::Server => {
                let server = self.wait_server_status(id, "ACTIVE").await?;
                Ok(requests::server_attributes(&server))
            }
            ObjectKind::Volume => {
                let v = self
                    .wait_for("volume", &format!("/volumes/{id}"), "volume", |v| {
                        match v.get("status").and_then(Json::as_str) {
                            Some("available") | Some("in-use") => Ok(true),
                            Some(s) if s.starts_with("error") => {
                                Err(format!("the volume went to status {s}"))
                            }
                            _ => Ok(false),
                        }
                    })
                    .await?;
                Ok(requests::volume_attributes(&v))
            }
            ObjectKind::VolumeAttachment => {
                let volume = id.split('/').nth(1).unwrap_or_default().to_string();
                self.wait_for(
                    "volume",
                    &format!("/volumes/{volume}"),
                    "volume",
                    |v| match v.get("status").and_then(Json::as_str) {
                        Some("in-use") => Ok(true),
                        Some(s) if s.starts_with("error") => {
                            Err(format!("the volume went to status {s}"))
                        }
                        _ => Ok(false),
                    },
                )
                .await?;
                Ok(Attributes::new())
            }
            ObjectKind::Keypair
            | ObjectKind::Flavor
            | ObjectKind::ServerGroup
            | ObjectKind::Network
            | ObjectKind::Subnet
            | ObjectKind::Port
            | ObjectKind::Router
            | ObjectKind::RouterInterface
            | ObjectKind::FloatingIp
            | ObjectKind::FloatingIpAssociation
            | ObjectKind::SecurityGroup
            | ObjectKind::SecurityGroupRule => self.check(kind, id).await,
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::User
            | ObjectKind::AccessKey => Err(unsupported(kind)),
        }
    }

    async fn update(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError> {
        let p = &spec.properties;
        match kind {
            ObjectKind::Server => {
                if p.get("name") != old.get("name") {
                    self.session
                        .request(
                            "compute",
                            Method::PUT,
                            &format!("/servers/{id}"),
                            Some(&json!({"server": {"name": Self::name(spec)}})),
                        )
                        .await?;
                }
                let mut metadata = p
                    .get("metadata")
                    .and_then(Json::as_object)
                    .cloned()
                    .unwrap_or_default();
                metadata.insert("heat_stack_id".into(), json!(spec.stack_id));
                metadata.insert("heat_resource".into(), json!(spec.name));
                self.session
                    .request(
                        "compute",
                        Method::PUT,
                        &format!("/servers/{id}/metadata"),
                        Some(&json!({"metadata": metadata})),
                    )
                    .await?;
                self.update_server(id, p, old).await?;
            }
            ObjectKind::SecurityGroup => {
                let body = requests::security_group(
                    p,
                    &Self::name(spec),
                    &tag(&spec.stack_id, &spec.name),
                );
                self.session
                    .request(
                        "network",
                        Method::PUT,
                        &format!("/security-groups/{id}"),
                        Some(&body),
                    )
                    .await?;
                let wanted: Vec<Json> = p
                    .get("rules")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                let before: Vec<Json> = old
                    .get("rules")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                let added: Vec<Json> = wanted
                    .iter()
                    .filter(|r| !before.contains(r))
                    .cloned()
                    .collect();
                self.create_rules(id, &added).await?;
            }
            ObjectKind::Network | ObjectKind::Subnet | ObjectKind::Port | ObjectKind::Router => {
                let collection = neutron_collection(kind);
                let mut changes = serde_json::Map::new();
                for key in [
                    "name",
                    "admin_state_up",
                    "gateway_ip",
                    "enable_dhcp",
                    "dns_nameservers",
                    "port_security_enabled",
                    "mac_address",
                ] {
                    if p.get(key) != old.get(key) {
                        if let Some(v) = p.get(key).filter(|v| !v.is_null()) {
                            changes.insert(key.to_string(), v.clone());
                        }
                    }
                }
                if !changes.is_empty() {
                    self.session
                        .request(
                            "network",
                            Method::PUT,
                            &format!("/{collection}/{id}"),
                            Some(&json!({kind.name(): changes})),
                        )
                        .await?;
                }
            }
            ObjectKind::Volume => {
                if p.get("name") != old.get("name")
                    || p.get("description") != old.get("description")
                {
                    let body = json!({"volume": {"name": Self::name(spec), "description": p.get("description").cloned().unwrap_or(Json::Null)}});
                    self.session
                        .request(
                            "volume",
                            Method::PUT,
                            &format!("/volumes/{id}"),
                            Some(&body),
                        )
                        .await?;
                }
                if p.get("size") != old.get("size") {
                    let size = p.get("size").cloned().unwrap_or(json!(1));
                    self.session
                        .request(
                            "volume",
                            Method::POST,
                            &format!("/volumes/{id}/action"),
                            Some(&json!({"os-extend": {"new_size": size}})),
                        )
                        .await?;
                }
            }
            // No property of these changes in place (the engine replaces
            // them instead).
            ObjectKind::Keypair
            | ObjectKind::Flavor
            | ObjectKind::ServerGroup
            | ObjectKind::RouterInterface
            | ObjectKind::FloatingIp
            | ObjectKind::FloatingIpAssociation
            | ObjectKind::SecurityGroupRule
            | ObjectKind::VolumeAttachment => {}
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::User
            | ObjectKind::AccessKey => return Err(unsupported(kind)),
        }
        self.wait_ready(kind, spec, id).await
    }

    async fn delete(&self, kind: ObjectKind, id: &str) -> Result<(), DriverError> {
        let gone = |r: Result<Json, DriverError>| match r {
            Ok(_) => Ok(()),
            Err(e) if e.kind == DriverErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
        match kind {
            ObjectKind::Server => {
                gone(
                    self.session
                        .request("compute", Method::DELETE, &format!("/servers/{id}"), None)
                        .await,
                )?;
                self.wait_gone("compute", &format!("/servers/{id}")).await
            }
            ObjectKind::Volume => {
                gone(
                    self.session
                        .request("volume", Method::DELETE, &format!("/volumes/{id}"), None)
                        .await,
                )?;
                self.wait_gone("volume", &format!("/volumes/{id}")).await
            }
            ObjectKind::VolumeAttachment => {
                let (server, volume) = id.split_once('/').unwrap_or((id, ""));
                gone(
                    self.session
                        .request(
                            "compute",
                            Method::DELETE,
                            &format!("/servers/{server}/os-volume_attachments/{volume}"),
                            None,
                        )
                        .await,
                )?;
                // Detached once the volume is no longer in use (or gone).
                self.wait_until("volume", &format!("/volumes/{volume}"), |v| {
                    v.is_none_or(|v| {
                        v["volume"]["status"] != "detaching" && v["volume"]["status"] != "in-use"
                    })
                })
                .await
            }
            ObjectKind::RouterInterface => {
                let (router, rest) = id.split_once(':').unwrap_or((id, ""));
                let (key, value) = rest.split_once('=').unwrap_or(("subnet_id", rest));
                gone(
                    self.session
                        .request(
                            "network",
                            Method::PUT,
                            &format!("/routers/{router}/remove_router_interface"),
                            Some(&json!({key: value})),
                        )
                        .await,
                )
            }
            ObjectKind::FloatingIpAssociation => {
                let fip = id.split(':').next().unwrap_or(id);
                gone(
                    self.session
                        .request(
                            "network",
                            Method::PUT,
                            &format!("/floatingips/{fip}"),
                            Some(&json!({"floatingip": {"port_id": null}})),
                        )
                        .await,
                )
            }
            ObjectKind::Keypair | ObjectKind::Flavor | ObjectKind::ServerGroup => {
                let collection = compute_collection(kind);
                gone(
                    self.session
                        .request(
                            "compute",
                            Method::DELETE,
                            &format!("/{collection}/{id}"),
                            None,
                        )
                        .await,
                )
            }
            ObjectKind::Network
            | ObjectKind::Subnet
            | ObjectKind::Port
            | ObjectKind::Router
            | ObjectKind::FloatingIp
            | ObjectKind::SecurityGroup
            | ObjectKind::SecurityGroupRule => {
                let collection = neutron_collection(kind);
                gone(
                    self.session
                        .request(
                            "network",
                            Method::DELETE,
                            &format!("/{collection}/{id}"),
                            None,
                        )
                        .await,
                )
            }
            // Nothing of these can have been made: refusing beats
            // forgetting an object.
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::User
            | ObjectKind::AccessKey => Err(unsupported(kind)),
        }
    }

    async fn check(&self, kind: ObjectKind, id: &str) -> Result<Attributes, DriverError> {
        match kind {
            ObjectKind::Server => Ok(requests::server_attributes(
                &self.get("compute", &format!("/servers/{id}")).await?["server"],
            )),
            ObjectKind::Volume => Ok(requests::volume_attributes(
                &self.get("volume", &format!("/volumes/{id}")).await?["volume"],
            )),
            ObjectKind::Flavor | ObjectKind::ServerGroup | ObjectKind::Keypair => {
                let collection = compute_collection(kind);
                self.get("compute", &format!("/{collection}/{id}")).await?;
                Ok(Attributes::new())
            }
            ObjectKind::Network
            | ObjectKind::Subnet
            | ObjectKind::Port
            | ObjectKind::Router
            | ObjectKind::FloatingIp
            | ObjectKind::SecurityGroup
            | ObjectKind::SecurityGroupRule => {
                let collection = neutron_collection(kind);
                let key = collection.trim_end_matches('s').replace('-', "_");
                Ok(requests::neutron_attributes(
                    &self.get("network", &format!("/{collection}/{id}")).await?[key.as_str()],
                ))
            }
            ObjectKind::RouterInterface => {
                let (router, _) = id.split_once(':').unwrap_or((id, ""));
                self.get("network", &format!("/routers/{router}")).await?;
                Ok(Attributes::new())
            }
            ObjectKind::FloatingIpAssociation => {
                let fip = id.split(':').next().unwrap_or(id);
                self.get("network", &format!("/floatingips/{fip}")).await?;
                Ok(Attributes::new())
            }
            ObjectKind::VolumeAttachment => {
                let (server, volume) = id.split_once('/').unwrap_or((id, ""));
                self.get(
                    "compute",
                    &format!("/servers/{server}/os-volume_attachments/{volume}"),
                )
                .await?;
                Ok(Attributes::new())
            }
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::User
            | ObjectKind::AccessKey => Err(unsupported(kind)),
        }
    }

    async fn find(
        &self,
        kind: ObjectKind,
        stack_id: &str,
        resource: &str,
    ) -> Result<Option<String>, DriverError> {
        let tag = tag(stack_id, resource);
        let id_of = |items: &[Json], found: &dyn Fn(&Json) -> bool| {
            items
                .iter()
                .find(|o| found(o))
                .and_then(|o| o["id"].as_str())
                .map(String::from)
        };
        match kind {
            // Servers and volumes carry the stack and resource in metadata.
            ObjectKind::Server | ObjectKind::Volume => {
                let (service, path, key) = if kind == ObjectKind::Server {
                    ("compute", "/servers/detail", "servers")
                } else {
                    ("volume", "/volumes/detail", "volumes")
                };
                let list = self.list_all(service, path, key).await?;
                Ok(id_of(&list, &|o| {
                    o["metadata"]["heat_stack_id"] == stack_id
                        && o["metadata"]["heat_resource"] == resource
                }))
            }
            // Neutron objects carry the tag as their description (a
            // security group's after the user's, in parentheses).
            ObjectKind::Network
            | ObjectKind::Subnet
            | ObjectKind::Port
            | ObjectKind::Router
            | ObjectKind::FloatingIp
            | ObjectKind::SecurityGroup => {
                let collection = neutron_collection(kind);
                let list = self.get("network", &format!("/{collection}")).await?;
                let items = list[collection.replace('-', "_")]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let wrapped = format!("({tag})");
                Ok(id_of(&items, &|o| {
                    let d = o["description"].as_str().unwrap_or_default();
                    d == tag || d.ends_with(&wrapped)
                }))
            }
            // Found another way when a create resumes (the interface and
            // attachment on the stack's own router and server), or not
            // adoptable (a key pair Nova refuses twice: the create fails).
            ObjectKind::Keypair
            | ObjectKind::Flavor
            | ObjectKind::ServerGroup
            | ObjectKind::RouterInterface
            | ObjectKind::FloatingIpAssociation
            | ObjectKind::SecurityGroupRule
            | ObjectKind::VolumeAttachment => Ok(None),
            // Never made on OpenStack.
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::User
            | ObjectKind::AccessKey => Ok(None),
        }
    }

    async fn check_constraint(&self, constraint: &str, value: &Json) -> Result<(), String> {
        let Some(v) = value.as_str() else {
            return Ok(());
        };
        let result = match constraint {
            "glance.image" => self.image_id(v).await.map(|_| ()),
            "nova.flavor" => self.flavor_id(v).await.map(|_| ()),
            "neutron.network" => self.neutron_id("networks", "Network", v).await.map(|_| ()),
            "neutron.subnet" => self.neutron_id("subnets", "Subnet", v).await.map(|_| ()),
            "nova.keypair" => self
                .get("compute", &format!("/os-keypairs/{v}"))
                .await
                .map(|_| ()),
            _ => Ok(()),
        };
        result.map_err(|e| format!("Error validating value '{v}': {}", e.message))
    }
}

/// Why an object kind cannot be acted on here.
fn unsupported(kind: ObjectKind) -> DriverError {
    DriverError::fatal(format!(
        "heat-rs cannot manage {kind} objects on OpenStack yet (the simulated cloud has them)"
    ))
}

/// The Nova collection of a compute-only object.
fn compute_collection(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Keypair => "os-keypairs",
        ObjectKind::Flavor => "flavors",
        ObjectKind::ServerGroup => "os-server-groups",
        other => unreachable!("{other} is not a compute object"),
    }
}

/// The Neutron collection of a network object.
fn neutron_collection(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Network => "networks",
        ObjectKind::Subnet => "subnets",
        ObjectKind::Port => "ports",
        ObjectKind::Router => "routers",
        ObjectKind::FloatingIp => "floatingips",
        ObjectKind::SecurityGroup => "security-groups",
        ObjectKind::SecurityGroupRule => "security-group-rules",
        other => unreachable!("{other} is not a Neutron object"),
    }
}
