//! Nova objects that carry no tag of their stack when made: key pairs,
//! flavors, server groups, and host aggregates (tagged in their metadata
//! only after). When the reply to their create is lost (a timeout, a
//! gateway's 502 or 504), the object cannot be found again by its tag as
//! the others are, so the objects of its name are listed before the create
//! and, after such a failure, a new one of that name is the one made: it
//! is taken, never made a second time beside a forgotten first.
//!
//! A key pair's generated private key, which Nova gives only in the
//! create's reply, is kept here until the resource is ready and records it
//! (its `private_key` attribute, when `save_private_key` asks for it).

use std::collections::BTreeSet;

use heat_core::engine::{Attributes, DriverError, DriverErrorKind, ResourceSpec};
use heat_resources::{Cloud, ObjectKind};
use reqwest::Method;
use serde_json::{json, Value as Json};

use super::{compute_collection, gone, s, OpenStackCloud};

/// How a create of an untagged object ended.
pub(super) enum Created {
    /// Nova's reply: the object made.
    Replied(Json),
    /// The reply was lost; the object made was found by its name.
    Found(String),
}

impl Created {
    /// The id of the object made.
    pub(super) fn id(self, kind: ObjectKind) -> Result<String, DriverError> {
        match self {
            Created::Replied(made) => id_of(kind, &made).ok_or_else(|| {
                DriverError::fatal(format!("the cloud's answer has no {} id", member(kind)))
            }),
            Created::Found(id) => Ok(id),
        }
    }
}

/// The JSON key of one object of `kind` in Nova's bodies.
fn member(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Keypair => "keypair",
        ObjectKind::Flavor => "flavor",
        ObjectKind::ServerGroup => "server_group",
        ObjectKind::HostAggregate => "aggregate",
        other => unreachable!("{other} is not an untagged Nova object"),
    }
}

/// An object's id: a key pair is known by its name.
fn id_of(kind: ObjectKind, o: &Json) -> Option<String> {
    let key = if kind == ObjectKind::Keypair {
        "name"
    } else {
        "id"
    };
    super::poll::id_text(&o[key])
}

impl OpenStackCloud {
    /// Creates a key pair, flavor, server group or aggregate named `name` from
    /// `body` so that a lost reply leaves nothing made and forgotten.
    pub(super) async fn create_untagged(
        &self,
        kind: ObjectKind,
        name: &str,
        body: &Json,
    ) -> Result<Created, DriverError> {
        let before = self.ids_named(kind, name).await?;
        let collection = compute_collection(kind);
        match self
            .session
            .request(
                "compute",
                Method::POST,
                &format!("/{collection}"),
                Some(body),
            )
            .await
        {
            Ok(reply) => Ok(Created::Replied(reply[member(kind)].clone())),
            // Looked for a few times: a gateway that timed out may answer
            // before the service has finished the create.
            Err(e) if e.kind == DriverErrorKind::Transient => {
                let mut delay = std::time::Duration::from_secs(1);
                for _ in 0..3 {
                    let made: Vec<String> = self
                        .ids_named(kind, name)
                        .await?
                        .difference(&before)
                        .cloned()
                        .collect();
                    if let [id] = made.as_slice() {
                        return Ok(Created::Found(id.clone()));
                    }
                    self.clock.sleep(delay).await;
                    delay *= 2;
                }
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// The ids of the objects of `kind` named `name`.
    async fn ids_named(
        &self,
        kind: ObjectKind,
        name: &str,
    ) -> Result<BTreeSet<String>, DriverError> {
        let (path, key) = match kind {
            ObjectKind::Keypair => ("/os-keypairs", "keypairs"),
            ObjectKind::Flavor => ("/flavors/detail?is_public=None", "flavors"),
            ObjectKind::ServerGroup => ("/os-server-groups", "server_groups"),
            ObjectKind::HostAggregate => ("/os-aggregates", "aggregates"),
            other => unreachable!("{other} is not an untagged Nova object"),
        };
        let items = self.list_all("compute", path, key).await?;
        Ok(items
            .iter()
            // Key pairs are listed each inside a `keypair` object.
            .map(|o| o.get(member(kind)).unwrap_or(o))
            .filter(|o| o["name"] == name)
            .filter_map(|o| id_of(kind, o))
            .collect())
    }

    /// Creates a key pair (`type` given from microversion 2.2, as Heat);
    /// its id is its name.
    pub(super) async fn create_keypair(
        &self,
        spec: &ResourceSpec,
        name: &str,
    ) -> Result<String, DriverError> {
        let p = &spec.properties;
        if s(p, &["user"]).is_some() {
            // Nova finds another user's key pair only when told whose it
            // is; a delete by name alone would miss it and leave it.
            return Err(DriverError::fatal(
                "OS::Nova::KeyPair's user (a key pair for another user) is not supported on OpenStack by heat-rs; create the stack as that user",
            ));
        }
        let mut body = json!({"keypair": {"name": name}});
        if let Some(key) = s(p, &["public_key"]) {
            body["keypair"]["public_key"] = json!(key);
        }
        if let Some(kind) = s(p, &["type"]) {
            self.needs_compute("2.2", "a key pair's type").await?;
            body["keypair"]["type"] = json!(kind);
        }
        match self
            .create_untagged(ObjectKind::Keypair, name, &body)
            .await?
        {
            Created::Replied(made) => {
                if let Some(private) = made["private_key"].as_str() {
                    self.private_keys
                        .lock()
                        .expect("not poisoned")
                        .insert(name.to_string(), private.to_string());
                }
                Created::Replied(made).id(ObjectKind::Keypair)
            }
            // A generated key's private half was lost with the reply: when
            // the template saves it, the key pair is made again.
            Created::Found(id) if saves_private_key(p) => {
                gone(
                    self.session
                        .request(
                            "compute",
                            Method::DELETE,
                            &format!("/os-keypairs/{id}"),
                            None,
                        )
                        .await,
                )?;
                Err(DriverError::transient(format!(
                    "the reply to creating key pair {name} was lost with its private key; it is made again"
                )))
            }
            Created::Found(id) => Ok(id),
        }
    }

    /// A key pair's attributes: Nova's public key, and the private key
    /// its create generated when the template saves it (empty otherwise).
    pub(super) async fn keypair_attributes(
        &self,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let mut attributes = self.check(ObjectKind::Keypair, id).await?;
        let private = self
            .private_keys
            .lock()
            .expect("not poisoned")
            .remove(id)
            .filter(|_| saves_private_key(&spec.properties))
            .unwrap_or_default();
        attributes.insert("private_key".into(), json!(private));
        Ok(attributes)
    }
}

/// Whether a key pair's template keeps the private key Nova generates.
fn saves_private_key(p: &Json) -> bool {
    p.get("save_private_key") == Some(&json!(true)) && s(p, &["public_key"]).is_none()
}
