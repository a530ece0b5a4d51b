//! [`Cloud`]: the cloud-backed half of a driver, by kind of object
//! (`server`, `network`, `volume`, ...). The simulated cloud and the
//! OpenStack driver implement it; [`crate::ResourceDriver`] adds the types
//! that need no cloud.

use async_trait::async_trait;
use heat_core::engine::{Attributes, DriverError, ResourceSpec};
use serde_json::Value as Json;

/// A cloud that creates, updates and deletes objects of given kinds.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// Starts creating an object; returns its id (tagged with the stack and
    /// resource so [`Cloud::find`] can find it).
    async fn create(&self, kind: &str, spec: &ResourceSpec) -> Result<String, DriverError>;
    /// Waits until the object is ready; its attributes.
    async fn wait_ready(
        &self,
        kind: &str,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError>;
    /// Updates in place.
    async fn update(
        &self,
        kind: &str,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError>;
    /// Deletes and waits until gone; gone already is success.
    async fn delete(&self, kind: &str, id: &str) -> Result<(), DriverError>;
    /// The object's live attributes; `NotFound` when gone.
    async fn check(&self, kind: &str, id: &str) -> Result<Attributes, DriverError>;
    /// An object created for a stack's resource whose id was not recorded.
    async fn find(
        &self,
        kind: &str,
        stack_id: &str,
        resource: &str,
    ) -> Result<Option<String>, DriverError>;
    /// Snapshots a volume (or images a server) before deletion.
    async fn snapshot(&self, _kind: &str, _id: &str) -> Result<Option<String>, DriverError> {
        Ok(None)
    }
    /// Suspends (servers).
    async fn suspend(&self, _kind: &str, _id: &str) -> Result<(), DriverError> {
        Ok(())
    }
    /// Resumes (servers).
    async fn resume(&self, _kind: &str, _id: &str) -> Result<(), DriverError> {
        Ok(())
    }
    /// A custom constraint (`nova.flavor`, `glance.image`, ...).
    async fn check_constraint(&self, _constraint: &str, _value: &Json) -> Result<(), String> {
        Ok(())
    }
}
