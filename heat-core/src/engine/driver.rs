//! [`Driver`]: what the engine asks of a cloud, per resource. Creation is
//! two-phase: `create` starts it and returns the physical id (persisted at
//! once); `wait_ready` can be called again after a restart.

use async_trait::async_trait;
use serde_json::{Map as JsonMap, Value as Json};

/// A resource as the driver sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceSpec {
    /// The stack's project.
    pub project: String,
    /// The stack's id (cloud objects are tagged with it).
    pub stack_id: String,
    /// The stack's name.
    pub stack_name: String,
    /// The resource's logical name (cloud objects are tagged with it).
    pub name: String,
    /// The resource type.
    pub type_name: String,
    /// Resolved properties.
    pub properties: Json,
    /// Resolved metadata (`Null` when the template gives none).
    pub metadata: Json,
    /// Resolved update policy (`update_policy`, `UpdatePolicy`; `Null`
    /// when the template gives none): how a group rolls an update out.
    pub update_policy: Json,
    /// Resolved deletion policy (`Delete`, `Retain`, `Snapshot`; `Delete`
    /// when the template gives none).
    pub deletion_policy: String,
}

/// How a driver operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverErrorKind {
    /// The object does not exist.
    NotFound,
    /// The cloud refused because of a conflicting state.
    Conflict,
    /// Worth retrying (timeouts, 503, throttling).
    Transient,
    /// Not worth retrying (bad request, quota, ERROR state).
    Fatal,
}

/// A failed driver operation, with the cloud's own message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DriverError {
    /// What kind of failure.
    pub kind: DriverErrorKind,
    /// The cloud's message.
    pub message: String,
}

impl DriverError {
    /// A fatal error.
    pub fn fatal(message: impl Into<String>) -> Self {
        DriverError {
            kind: DriverErrorKind::Fatal,
            message: message.into(),
        }
    }

    /// A transient error.
    pub fn transient(message: impl Into<String>) -> Self {
        DriverError {
            kind: DriverErrorKind::Transient,
            message: message.into(),
        }
    }

    /// A not-found error.
    pub fn not_found(message: impl Into<String>) -> Self {
        DriverError {
            kind: DriverErrorKind::NotFound,
            message: message.into(),
        }
    }
}

/// Attributes of a resource.
pub type Attributes = JsonMap<String, Json>;

/// What the health watcher asks of a server before it replaces it, in the
/// order it escalates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// Start a stopped server.
    Start,
    /// Reboot it (hard).
    Reboot,
    /// Rebuild it from its image.
    Rebuild,
}

/// A cloud, as the engine drives it. Object-safe: held as `Arc<dyn Driver>`.
#[async_trait]
pub trait Driver: Send + Sync {
    /// Whether this driver can create resources of a type on its cloud;
    /// `Err` says why not. Asked of every resource before anything of a
    /// stack is created, so a type the cloud's driver cannot make is a
    /// clear refusal, never a resource that claims to exist.
    fn supports(&self, _type_name: &str) -> Result<(), String> {
        Ok(())
    }

    /// The pre-signed URL through which a server's agent signals a
    /// resource without credentials of its own (what a software
    /// deployment gives its server as `deploy_signal_id`), when the
    /// driver's frontend serves one.
    fn signal_url(&self, _spec: &ResourceSpec) -> Option<String> {
        None
    }

    /// Starts creating; returns the physical id. Objects are named or tagged
    /// with the stack id and resource name so [`Driver::find`] can find
    /// them after a crash.
    async fn create(&self, spec: &ResourceSpec) -> Result<String, DriverError>;

    /// Waits until the object is ready; returns its attributes. Callable
    /// again after a restart.
    async fn wait_ready(
        &self,
        spec: &ResourceSpec,
        physical_id: &str,
    ) -> Result<Attributes, DriverError>;

    /// Updates in place the properties that changed; returns the
    /// attributes (with [`PHYSICAL_ID`](crate::engine::PHYSICAL_ID) when
    /// the object now has another id). Callable again after a restart
    /// with the id the resource had before.
    async fn update(
        &self,
        spec: &ResourceSpec,
        physical_id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError>;

    /// Deletes and waits until gone. Deleting what is gone succeeds.
    async fn delete(&self, type_name: &str, physical_id: &str) -> Result<(), DriverError>;

    /// Reads the object's live state (for `check`); `NotFound` when gone.
    async fn check(&self, type_name: &str, physical_id: &str) -> Result<Attributes, DriverError>;

    /// Reads the live state of many objects of one type at once (the
    /// health watcher's observation), in the order of `ids`. By default,
    /// a [`Driver::check`] of each, a few at a time; a cloud that can list
    /// a kind in one call does better.
    async fn observe(
        &self,
        type_name: &str,
        ids: &[String],
    ) -> Vec<Result<Attributes, DriverError>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(16) {
            out.extend(
                futures::future::join_all(chunk.iter().map(|id| self.check(type_name, id))).await,
            );
        }
        out
    }

    /// The objects created for `stack_id`/`resource` (by their tags), to
    /// find one whose id was never recorded (the engine died between the
    /// cloud call and the persist, or the reply was lost); the engine
    /// takes one no record holds.
    async fn find(
        &self,
        stack_id: &str,
        resource: &str,
        type_name: &str,
    ) -> Result<Vec<String>, DriverError>;

    /// Takes a snapshot before a `Snapshot` deletion policy deletes the
    /// object; returns the snapshot's id (`None`: nothing to snapshot).
    async fn snapshot(
        &self,
        _type_name: &str,
        _physical_id: &str,
    ) -> Result<Option<String>, DriverError> {
        Ok(None)
    }

    /// Suspends (servers stop); other types do nothing.
    async fn suspend(&self, _type_name: &str, _physical_id: &str) -> Result<(), DriverError> {
        Ok(())
    }

    /// Resumes what was suspended.
    async fn resume(&self, _type_name: &str, _physical_id: &str) -> Result<(), DriverError> {
        Ok(())
    }

    /// Repairs an object in place (a server started, rebooted, rebuilt);
    /// returns once asked. By default nothing can be.
    async fn repair(
        &self,
        type_name: &str,
        _physical_id: &str,
        repair: Repair,
    ) -> Result<(), DriverError> {
        Err(DriverError::fatal(format!(
            "{type_name} cannot be repaired in place ({repair:?})"
        )))
    }

    /// Custom constraints (`nova.flavor`, `glance.image`, ...): `Err` with a
    /// message when the value does not name an existing object.
    async fn check_constraint(&self, _constraint: &str, _value: &Json) -> Result<(), String> {
        Ok(())
    }
}
