//! Resources the engine realises itself instead of the driver, as the
//! catalog's [`Realisation`] says: nested stacks (`stack`: `OS::Heat::Stack`,
//! `AWS::CloudFormation::Stack`, provider templates of the environment),
//! groups (`group`: resource groups and autoscaling groups as generated
//! nested stacks, scaled by signals to scaling policies), and wait
//! conditions (`wait`: signals stored, so they may come from any process)
//! and software deployments (`deployment`: a config deployed to a server,
//! whose agent reports back).
//! `limits` bounds a whole tree before anything is created.

mod deployment;
mod deployment_group;
mod group;
mod limits;
mod problems;
mod stack;
mod wait;

pub(super) use limits::tree_size;

use serde_json::Value as Json;

use super::cancel::Cancel;
use super::driver::{Attributes, DriverError, ResourceSpec};
use super::lifecycle::Op;
use super::model::{Action, StackRecord};
use super::Engine;
use crate::definition::Realisation;
use crate::environment::{Registry, TypeTarget};

/// What kind of engine-realised resource a type is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Special {
    /// A nested stack from a template.
    Stack(TemplateFrom),
    /// A resource group.
    ResourceGroup,
    /// An autoscaling group.
    AutoScalingGroup,
    /// A group of software deployments, one per server (structured ones:
    /// `OS::Heat::StructuredDeployment` members).
    DeploymentGroup {
        /// Whether the members are structured deployments.
        structured: bool,
    },
    /// A wait condition.
    WaitCondition,
    /// A software deployment.
    Deployment,
}

impl Special {
    /// Whether the engine realises it as a nested stack.
    pub(super) fn has_nested_stack(&self) -> bool {
        !matches!(self, Special::WaitCondition | Special::Deployment)
    }
}

/// Where a nested stack's template comes from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TemplateFrom {
    /// The `template` property.
    Inline,
    /// The `TemplateURL` property, looked up in the files map.
    Url,
    /// A provider template of the files map; the properties are its parameters.
    Provider(String),
}

/// Heat's `max_nested_stack_depth`.
pub const MAX_NESTED_DEPTH: u32 = 5;

fn registry(stack: &StackRecord) -> Registry {
    let mut r = Registry::global();
    let _ = r.load(&stack.source.resource_registry);
    r
}

fn fatal(m: impl Into<String>) -> DriverError {
    DriverError::fatal(m)
}

impl Engine {
    /// Whether the engine realises a resource itself, and how.
    pub(super) fn special(
        &self,
        stack: &StackRecord,
        type_name: &str,
        resource: &str,
    ) -> Option<Special> {
        match self.catalog.realisation(type_name) {
            Realisation::StackInline => return Some(Special::Stack(TemplateFrom::Inline)),
            Realisation::StackUrl => return Some(Special::Stack(TemplateFrom::Url)),
            Realisation::ResourceGroup => return Some(Special::ResourceGroup),
            Realisation::AutoScalingGroup => return Some(Special::AutoScalingGroup),
            Realisation::DeploymentGroup => {
                return Some(Special::DeploymentGroup {
                    structured: type_name.starts_with("OS::Heat::Structured"),
                })
            }
            Realisation::WaitCondition => return Some(Special::WaitCondition),
            Realisation::SoftwareDeployment => return Some(Special::Deployment),
            Realisation::Driver
            | Realisation::WaitConditionHandle
            | Realisation::ScalingPolicy
            | Realisation::Restarter => {}
        }
        match registry(stack).resolve(type_name, Some(resource), &|_| true) {
            Some(TypeTarget::Template(f)) => Some(Special::Stack(TemplateFrom::Provider(f))),
            _ => None,
        }
    }

    /// Starts creating a resource: the engine's own kinds here, the rest
    /// through the driver.
    pub(super) async fn backend_create(
        &self,
        op: &Op,
        stack: &StackRecord,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        match self.special(stack, &spec.type_name, &spec.name) {
            Some(Special::Deployment) => self.deployment_create(stack, spec).await,
            Some(k) => self.special_create(op, stack, &k, spec).await,
            None => {
                let spec = Box::pin(self.with_software_configs(stack, spec)).await;
                self.driver.create(&spec).await
            }
        }
    }

    /// Waits until a resource is ready; a cloud wait ends early (failed)
    /// when `cancel` is cancelled, a nested stack stops converging.
    pub(super) async fn backend_wait(
        &self,
        op: &Op,
        cancel: &Cancel,
        stack: &StackRecord,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        match self.special(stack, &spec.type_name, &spec.name) {
            // An adopted wait condition has had its signals (as in Heat,
            // their data stays with the abandoned stack).
            Some(Special::WaitCondition) if stack.action == Action::Adopt => Ok(Attributes::new()),
            Some(Special::WaitCondition) => self.wait_for_signals(op, cancel, stack, spec).await,
            Some(Special::Deployment) => self.deployment_wait(cancel, stack, &spec.name, id).await,
            Some(k) => self.special_wait(op, cancel, stack, &k, spec, id).await,
            None => {
                let spec = Box::pin(self.with_software_configs(stack, spec)).await;
                cancel
                    .guard(self.driver.wait_ready(&spec, id))
                    .await
                    .unwrap_or_else(|_| Err(fatal(format!("{} cancelled", "CREATE"))))
            }
        }
    }

    /// Updates a resource in place; a cloud update ends early (failed)
    /// when `cancel` is cancelled, as Heat stops an update's task.
    pub(super) async fn backend_update(
        &self,
        op: &Op,
        cancel: &Cancel,
        stack: &StackRecord,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError> {
        match self.special(stack, &spec.type_name, &spec.name) {
            Some(Special::WaitCondition) => self.wait_for_signals(op, cancel, stack, spec).await,
            Some(Special::Deployment) => self.deployment_update(cancel, stack, spec, id).await,
            Some(k) => {
                self.special_update(op, cancel, stack, &k, spec, id, None)
                    .await
            }
            None => {
                let spec = Box::pin(self.with_software_configs(stack, spec)).await;
                cancel
                    .guard(self.driver.update(&spec, id, old))
                    .await
                    .unwrap_or_else(|_| Err(fatal("UPDATE cancelled")))
            }
        }
    }

    /// Deletes a resource.
    pub(super) async fn backend_delete(
        &self,
        op: &Op,
        cancel: &Cancel,
        stack: &StackRecord,
        type_name: &str,
        name: &str,
        id: &str,
    ) -> Result<(), DriverError> {
        match self.special(stack, type_name, name) {
            Some(Special::WaitCondition) => Ok(()),
            Some(Special::Deployment) => self.deployment_delete(cancel, stack, name, id).await,
            Some(_) => self.special_delete(op, cancel, id).await,
            None => self.driver.delete(type_name, id).await,
        }
    }

    /// Finds a resource created but not recorded: an object with its tags
    /// that no record of the stack holds (a replacement's tags are those
    /// of the object it replaces, which is not taken for it).
    pub(super) async fn backend_find(
        &self,
        stack: &StackRecord,
        name: &str,
        type_name: &str,
    ) -> Option<String> {
        let found: Vec<String> = match self.special(stack, type_name, name) {
            Some(Special::WaitCondition) => Vec::new(),
            Some(Special::Deployment) => self
                .deployment_find(stack, name)
                .await
                .into_iter()
                .collect(),
            Some(_) => self.special_find(stack, name).await.into_iter().collect(),
            None => self
                .driver
                .find(&stack.id, name, type_name)
                .await
                .unwrap_or_default(),
        };
        if found.is_empty() {
            return None;
        }
        // Unknown whether another record holds one: none taken.
        let records = self.store.resources(&stack.id).await.ok()?;
        found.into_iter().find(|id| {
            !records
                .iter()
                .any(|r| r.name == name && r.physical_id.as_deref() == Some(id.as_str()))
        })
    }
}
