//! [`Cloud`]: the cloud-backed half of a driver, by [`ObjectKind`]. The
//! simulated cloud and the OpenStack driver implement it;
//! [`crate::ResourceDriver`] adds the types that need no cloud and
//! translates CloudFormation's properties before a cloud sees them.

use async_trait::async_trait;
use heat_core::engine::{Attributes, DriverError, Repair, ResourceSpec};
use serde_json::Value as Json;

/// The kinds of objects a cloud makes. A cloud matches on them without a
/// catch-all, so a kind it forgets to delete is a compile error, not a
/// leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A Nova server.
    Server,
    /// A Nova key pair.
    Keypair,
    /// A Nova flavor.
    Flavor,
    /// A Nova server group.
    ServerGroup,
    /// A Neutron network.
    Network,
    /// A Neutron subnet.
    Subnet,
    /// A Neutron port.
    Port,
    /// A Neutron router.
    Router,
    /// A router's interface on a subnet or port.
    RouterInterface,
    /// A Neutron floating IP.
    FloatingIp,
    /// A floating IP bound to a port.
    FloatingIpAssociation,
    /// A Neutron security group.
    SecurityGroup,
    /// A security group rule.
    SecurityGroupRule,
    /// A Cinder volume.
    Volume,
    /// A volume attached to a server.
    VolumeAttachment,
    /// A Glance image.
    Image,
    /// An Octavia load balancer.
    LoadBalancer,
    /// An Octavia listener.
    Listener,
    /// An Octavia pool.
    Pool,
    /// A member of an Octavia pool.
    PoolMember,
    /// An Octavia health monitor.
    HealthMonitor,
    /// A Swift container.
    Container,
    /// A Zun (application) container.
    ZunContainer,
    /// A Keystone domain.
    KeystoneDomain,
    /// A Keystone project.
    KeystoneProject,
    /// A Keystone role.
    KeystoneRole,
    /// A Keystone group (with its role assignments).
    KeystoneGroup,
    /// A Keystone user (with its groups and role assignments).
    KeystoneUser,
    /// Roles granted to a user or a group.
    RoleAssignment,
    /// A Keystone region.
    KeystoneRegion,
    /// A service in Keystone's catalog.
    KeystoneService,
    /// A service's endpoint in Keystone's catalog.
    KeystoneEndpoint,
    /// A project's quotas in one service (Nova, Cinder or Neutron).
    Quota,
    /// A Cinder volume type.
    VolumeType,
    /// A Nova host aggregate.
    HostAggregate,
    /// A Neutron subnet pool.
    SubnetPool,
    /// A Neutron address scope.
    AddressScope,
}

impl ObjectKind {
    /// Every kind.
    pub const ALL: [ObjectKind; 37] = [
        ObjectKind::Server,
        ObjectKind::Keypair,
        ObjectKind::Flavor,
        ObjectKind::ServerGroup,
        ObjectKind::Network,
        ObjectKind::Subnet,
        ObjectKind::Port,
        ObjectKind::Router,
        ObjectKind::RouterInterface,
        ObjectKind::FloatingIp,
        ObjectKind::FloatingIpAssociation,
        ObjectKind::SecurityGroup,
        ObjectKind::SecurityGroupRule,
        ObjectKind::Volume,
        ObjectKind::VolumeAttachment,
        ObjectKind::Image,
        ObjectKind::LoadBalancer,
        ObjectKind::Listener,
        ObjectKind::Pool,
        ObjectKind::PoolMember,
        ObjectKind::HealthMonitor,
        ObjectKind::Container,
        ObjectKind::ZunContainer,
        ObjectKind::KeystoneDomain,
        ObjectKind::KeystoneProject,
        ObjectKind::KeystoneRole,
        ObjectKind::KeystoneGroup,
        ObjectKind::KeystoneUser,
        ObjectKind::RoleAssignment,
        ObjectKind::KeystoneRegion,
        ObjectKind::KeystoneService,
        ObjectKind::KeystoneEndpoint,
        ObjectKind::Quota,
        ObjectKind::VolumeType,
        ObjectKind::HostAggregate,
        ObjectKind::SubnetPool,
        ObjectKind::AddressScope,
    ];

    /// The kind's name (`server`, `floating_ip`...), as the simulated
    /// cloud files its objects.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Server => "server",
            ObjectKind::Keypair => "keypair",
            ObjectKind::Flavor => "flavor",
            ObjectKind::ServerGroup => "server_group",
            ObjectKind::Network => "network",
            ObjectKind::Subnet => "subnet",
            ObjectKind::Port => "port",
            ObjectKind::Router => "router",
            ObjectKind::RouterInterface => "router_interface",
            ObjectKind::FloatingIp => "floating_ip",
            ObjectKind::FloatingIpAssociation => "floating_ip_association",
            ObjectKind::SecurityGroup => "security_group",
            ObjectKind::SecurityGroupRule => "security_group_rule",
            ObjectKind::Volume => "volume",
            ObjectKind::VolumeAttachment => "volume_attachment",
            ObjectKind::Image => "image",
            ObjectKind::LoadBalancer => "load_balancer",
            ObjectKind::Listener => "listener",
            ObjectKind::Pool => "pool",
            ObjectKind::PoolMember => "pool_member",
            ObjectKind::HealthMonitor => "health_monitor",
            ObjectKind::Container => "container",
            ObjectKind::ZunContainer => "zun_container",
            ObjectKind::KeystoneDomain => "keystone_domain",
            ObjectKind::KeystoneProject => "keystone_project",
            ObjectKind::KeystoneRole => "keystone_role",
            ObjectKind::KeystoneGroup => "keystone_group",
            ObjectKind::KeystoneUser => "keystone_user",
            ObjectKind::RoleAssignment => "role_assignment",
            ObjectKind::KeystoneRegion => "keystone_region",
            ObjectKind::KeystoneService => "keystone_service",
            ObjectKind::KeystoneEndpoint => "keystone_endpoint",
            ObjectKind::Quota => "quota",
            ObjectKind::VolumeType => "volume_type",
            ObjectKind::HostAggregate => "host_aggregate",
            ObjectKind::SubnetPool => "subnetpool",
            ObjectKind::AddressScope => "address_scope",
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A cloud that creates, updates and deletes objects of given kinds.
///
/// Types with no kind of their own are realised in place by the driver;
/// on a cloud that is not [`Cloud::simulated`], only those that need no
/// cloud service are.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// Whether this cloud stands in for every service (the simulated
    /// cloud): types with no object kind are then simulated in place.
    fn simulated(&self) -> bool {
        false
    }

    /// Whether this cloud makes objects of `kind` (a type of that kind is
    /// refused before anything is created when it does not).
    fn handles(&self, _kind: ObjectKind) -> bool {
        true
    }

    /// Starts creating an object; returns its id (tagged with the stack and
    /// resource so [`Cloud::find`] can find it).
    async fn create(&self, kind: ObjectKind, spec: &ResourceSpec) -> Result<String, DriverError>;
    /// Waits until the object is ready; its attributes.
    async fn wait_ready(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError>;
    /// Updates in place.
    async fn update(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError>;
    /// Deletes and waits until gone; gone already is success.
    async fn delete(&self, kind: ObjectKind, id: &str) -> Result<(), DriverError>;
    /// The object's live attributes; `NotFound` when gone.
    async fn check(&self, kind: ObjectKind, id: &str) -> Result<Attributes, DriverError>;
    /// The live attributes of many objects of a kind, in the order of
    /// `ids` (a [`Cloud::check`] of each, a few at a time, unless the cloud
    /// lists the kind in one call).
    async fn observe(
        &self,
        kind: ObjectKind,
        ids: &[String],
    ) -> Vec<Result<Attributes, DriverError>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(16) {
            out.extend(
                futures::future::join_all(chunk.iter().map(|id| self.check(kind, id))).await,
            );
        }
        out
    }
    /// The objects created for a stack's resource (by their tags), to find
    /// one whose id was not recorded.
    async fn find(
        &self,
        kind: ObjectKind,
        stack_id: &str,
        resource: &str,
    ) -> Result<Vec<String>, DriverError>;
    /// Snapshots a volume (or images a server) before deletion.
    async fn snapshot(&self, _kind: ObjectKind, _id: &str) -> Result<Option<String>, DriverError> {
        Ok(None)
    }
    /// Suspends (servers).
    async fn suspend(&self, _kind: ObjectKind, _id: &str) -> Result<(), DriverError> {
        Ok(())
    }
    /// Resumes (servers).
    async fn resume(&self, _kind: ObjectKind, _id: &str) -> Result<(), DriverError> {
        Ok(())
    }
    /// Repairs in place (a server started, rebooted, rebuilt).
    async fn repair(&self, kind: ObjectKind, _id: &str, repair: Repair) -> Result<(), DriverError> {
        Err(DriverError::fatal(format!(
            "a {} cannot be repaired in place ({repair:?})",
            kind.name()
        )))
    }
    /// A custom constraint (`nova.flavor`, `glance.image`, ...).
    async fn check_constraint(&self, _constraint: &str, _value: &Json) -> Result<(), String> {
        Ok(())
    }
}
