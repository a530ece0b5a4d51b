//! Finding what a create made by the tag heat-rs puts on each object
//! (`heat-rs:<stack>:<resource>`): in a server's or volume's metadata, a
//! Neutron, Keystone, flavor or volume type description, an unnamed
//! address scope's name, an aggregate's metadata. Every object with the
//! tag is given; the engine takes one that no record holds.

use heat_core::engine::DriverError;
use heat_resources::ObjectKind;
use serde_json::Value as Json;

use super::{admin, flavor, identity, neutron_collection, poll, OpenStackCloud};
use crate::requests::tag;

impl OpenStackCloud {
    /// The objects of `kind` tagged for `stack_id`/`resource`.
    pub(super) async fn find_tagged(
        &self,
        kind: ObjectKind,
        stack_id: &str,
        resource: &str,
    ) -> Result<Vec<String>, DriverError> {
        let tag = tag(stack_id, resource);
        let id_of = |items: &[Json], found: &dyn Fn(&Json) -> bool| -> Vec<String> {
            items
                .iter()
                .filter(|o| found(o))
                .filter_map(|o| poll::id_text(&o["id"]))
                .collect()
        };
        // The tag as a description, or after the user's in parentheses.
        let wrapped = format!("({tag})");
        let described = |o: &Json| {
            let d = o["description"].as_str().unwrap_or_default();
            d == tag || d.ends_with(&wrapped)
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
            | ObjectKind::SubnetPool
            | ObjectKind::SecurityGroup => {
                let collection = neutron_collection(kind);
                let list = self.get("network", &format!("/{collection}")).await?;
                let items = list[collection.replace('-', "_")]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                Ok(id_of(&items, &described))
            }
            // An address scope has no description: the tag is its name
            // unless the template gave one.
            ObjectKind::AddressScope => {
                let list = self.get("network", "/address-scopes").await?;
                let items = list["address_scopes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                Ok(id_of(&items, &|o| o["name"] == tag.as_str()))
            }
            // Keystone objects too; an assignment is granted again.
            ObjectKind::KeystoneDomain
            | ObjectKind::KeystoneProject
            | ObjectKind::KeystoneRole
            | ObjectKind::KeystoneGroup
            | ObjectKind::KeystoneUser
            | ObjectKind::KeystoneRegion
            | ObjectKind::KeystoneService
            | ObjectKind::KeystoneEndpoint => {
                let (collection, _) = identity::collection(kind);
                let list = self.get("identity", &format!("/{collection}")).await?;
                let items = list[collection].as_array().cloned().unwrap_or_default();
                Ok(id_of(&items, &described))
            }
            ObjectKind::RoleAssignment => Ok(Vec::new()),
            // Setting a quota again is harmless.
            ObjectKind::Quota => Ok(Vec::new()),
            ObjectKind::HostAggregate => {
                let list = self.get("compute", "/os-aggregates").await?;
                let items = list["aggregates"].as_array().cloned().unwrap_or_default();
                Ok(id_of(&items, &|o| {
                    o["metadata"][admin::AGGREGATE_TAG] == tag.as_str()
                }))
            }
            // A flavor carries the tag in its description (compute 2.55).
            ObjectKind::Flavor => {
                if !self.compute_at_least(flavor::DESCRIPTION).await? {
                    return Ok(Vec::new());
                }
                let list = self
                    .list_all("compute", "/flavors/detail?is_public=None", "flavors")
                    .await?;
                Ok(id_of(&list, &described))
            }
            ObjectKind::VolumeType => {
                let list = self.get("volume", "/types?is_public=None").await?;
                let items = list["volume_types"].as_array().cloned().unwrap_or_default();
                Ok(id_of(&items, &described))
            }
            // Found another way when a create resumes (the interface and
            // attachment on the stack's own router and server), or not
            // adoptable: no tag (a key pair Nova refuses twice, so the
            // create fails; a lost reply is mended at create, `untagged`).
            ObjectKind::Keypair
            | ObjectKind::ServerGroup
            | ObjectKind::RouterInterface
            | ObjectKind::FloatingIpAssociation
            | ObjectKind::SecurityGroupRule
            | ObjectKind::VolumeAttachment => Ok(Vec::new()),
            // Never made on OpenStack.
            ObjectKind::Image
            | ObjectKind::LoadBalancer
            | ObjectKind::Listener
            | ObjectKind::Pool
            | ObjectKind::PoolMember
            | ObjectKind::HealthMonitor
            | ObjectKind::Container
            | ObjectKind::ZunContainer => Ok(Vec::new()),
        }
    }
}
