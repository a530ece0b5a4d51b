//! Software configs and deployments, as Heat's API keeps them: configs
//! (a script or a config management document with its declared inputs
//! and outputs) and deployments (a config applied to a server, with input
//! values and the status and outputs the server reports), per project;
//! a server's deployment metadata is the configs deployed to it, by name.

use serde::{Deserialize, Serialize};
use serde_json::{Map as JsonMap, Value as Json};

use super::{ServiceError, StackService};
pub use crate::engine::software_config::{SoftwareConfig, SoftwareDeployment};
use crate::engine::{Document, DocumentKind, RequestContext};

/// A change to a deployment (`PUT /software_deployments/{id}`): what is
/// given replaces what the deployment had.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct DeploymentChange {
    /// Another config.
    pub config_id: Option<String>,
    /// New input values.
    pub input_values: Option<JsonMap<String, Json>>,
    /// Reported outputs.
    pub output_values: Option<JsonMap<String, Json>>,
    /// New action.
    pub action: Option<String>,
    /// New status.
    pub status: Option<String>,
    /// New reason.
    pub status_reason: Option<String>,
}

const STATUSES: [&str; 3] = ["IN_PROGRESS", "COMPLETE", "FAILED"];

fn of<T: for<'de> Deserialize<'de>>(d: Document) -> Result<T, ServiceError> {
    serde_json::from_value(d.data).map_err(|e| ServiceError::BadRequest(e.to_string()))
}

impl StackService {
    async fn document<T: for<'de> Deserialize<'de>>(
        &self,
        ctx: &RequestContext,
        kind: DocumentKind,
        id: &str,
        missing: impl FnOnce() -> String,
    ) -> Result<T, ServiceError> {
        let found = self
            .engine
            .store()
            .document(kind, &ctx.project, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(missing()))?;
        of(found)
    }

    async fn put<T: Serialize>(
        &self,
        ctx: &RequestContext,
        kind: DocumentKind,
        id: &str,
        created_at: f64,
        value: &T,
    ) -> Result<(), ServiceError> {
        let document = Document::of(kind, &ctx.project, id, created_at, value)
            .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        Ok(self.engine.store().put_document(&document).await?)
    }

    /// Stores a new software config (its id and time given here).
    pub async fn create_config(
        &self,
        ctx: &RequestContext,
        mut config: SoftwareConfig,
    ) -> Result<SoftwareConfig, ServiceError> {
        config.id = self.engine.new_id();
        config.created_at = self.engine.clock().now();
        if config.group.is_empty() {
            config.group = "Heat::Ungrouped".into();
        }
        self.put(
            ctx,
            DocumentKind::SoftwareConfig,
            &config.id,
            config.created_at,
            &config,
        )
        .await?;
        Ok(config)
    }

    /// The project's software configs, oldest first, `limit` after `marker`.
    pub async fn configs(
        &self,
        ctx: &RequestContext,
        limit: Option<usize>,
        marker: Option<&str>,
    ) -> Result<Vec<SoftwareConfig>, ServiceError> {
        let mut all: Vec<SoftwareConfig> = self
            .engine
            .store()
            .documents(DocumentKind::SoftwareConfig, Some(&ctx.project))
            .await?
            .into_iter()
            .map(of)
            .collect::<Result<_, _>>()?;
        // And the configs templates made, oldest first with the others.
        all.extend(self.template_configs(ctx, None).await?);
        all.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
        let start = match marker {
            Some(m) => all.iter().position(|c| c.id == m).map_or(0, |i| i + 1),
            None => 0,
        };
        Ok(all
            .into_iter()
            .skip(start)
            .take(limit.unwrap_or(usize::MAX))
            .collect())
    }

    /// One software config: one made through this API, or one a template
    /// made (a config resource's id is its config's, as in Heat).
    pub async fn config(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<SoftwareConfig, ServiceError> {
        match self.api_config(ctx, id).await {
            Err(ServiceError::NotFound(m)) => self
                .template_configs(ctx, Some(id))
                .await?
                .pop()
                .ok_or(ServiceError::NotFound(m)),
            found => found,
        }
    }

    async fn api_config(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<SoftwareConfig, ServiceError> {
        self.document(ctx, DocumentKind::SoftwareConfig, id, || {
            format!("Software config with id {id} not found")
        })
        .await
    }

    /// The configs of the project's template config resources
    /// (`OS::Heat::SoftwareConfig`, `StructuredConfig`, `CloudConfig`,
    /// `MultipartMime`: those with a `config` attribute), or the one whose
    /// id is `only`.
    async fn template_configs(
        &self,
        ctx: &RequestContext,
        only: Option<&str>,
    ) -> Result<Vec<SoftwareConfig>, ServiceError> {
        let store = self.engine.store();
        let mut out = Vec::new();
        for s in store.stacks(Some(&ctx.project)).await? {
            for r in store.resources(&s.id).await? {
                let Some(id) = r.physical_id.as_deref() else {
                    continue;
                };
                if !r.current
                    || !r.attributes.contains_key("config")
                    || only.is_some_and(|o| o != id)
                {
                    continue;
                }
                out.push(SoftwareConfig::of_resource(&s.name, &r));
                if only.is_some() {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// Deletes a software config made through this API (a template's goes
    /// with its stack).
    pub async fn delete_config(&self, ctx: &RequestContext, id: &str) -> Result<(), ServiceError> {
        self.api_config(ctx, id).await?;
        self.engine
            .store()
            .remove_document(DocumentKind::SoftwareConfig, id)
            .await?;
        Ok(())
    }

    /// Stores a new deployment of a config of the project.
    pub async fn create_deployment(
        &self,
        ctx: &RequestContext,
        mut deployment: SoftwareDeployment,
    ) -> Result<SoftwareDeployment, ServiceError> {
        self.config(ctx, &deployment.config_id).await?;
        if deployment.server_id.is_empty() {
            return Err(ServiceError::BadRequest("server_id is required".into()));
        }
        if deployment.action.is_empty() {
            deployment.action = "INIT".into();
        }
        if deployment.status.is_empty() {
            deployment.status = "COMPLETE".into();
        }
        if !STATUSES.contains(&deployment.status.as_str()) {
            return Err(ServiceError::BadRequest(format!(
                "Invalid status {}: expected one of {}",
                deployment.status,
                STATUSES.join(", ")
            )));
        }
        deployment.id = self.engine.new_id();
        deployment.created_at = self.engine.clock().now();
        deployment.updated_at = None;
        self.put(
            ctx,
            DocumentKind::SoftwareDeployment,
            &deployment.id,
            deployment.created_at,
            &deployment,
        )
        .await?;
        Ok(deployment)
    }

    /// The project's deployments (to one server only, when given).
    pub async fn deployments(
        &self,
        ctx: &RequestContext,
        server_id: Option<&str>,
    ) -> Result<Vec<SoftwareDeployment>, ServiceError> {
        let all: Vec<SoftwareDeployment> = self
            .engine
            .store()
            .documents(DocumentKind::SoftwareDeployment, Some(&ctx.project))
            .await?
            .into_iter()
            .map(of)
            .collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|d| server_id.is_none_or(|s| d.server_id == s))
            .collect())
    }

    /// One deployment.
    pub async fn deployment(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<SoftwareDeployment, ServiceError> {
        self.document(ctx, DocumentKind::SoftwareDeployment, id, || {
            format!("Deployment with id {id} not found")
        })
        .await
    }

    /// Changes a deployment (a server reporting its outputs and status).
    pub async fn update_deployment(
        &self,
        ctx: &RequestContext,
        id: &str,
        change: DeploymentChange,
    ) -> Result<SoftwareDeployment, ServiceError> {
        let mut d = self.deployment(ctx, id).await?;
        if let Some(c) = change.config_id {
            self.config(ctx, &c).await?;
            d.config_id = c;
        }
        if let Some(v) = change.input_values {
            d.input_values = v;
        }
        if let Some(v) = change.output_values {
            d.output_values = v;
        }
        if let Some(a) = change.action {
            d.action = a;
        }
        if let Some(s) = change.status {
            if !STATUSES.contains(&s.as_str()) {
                return Err(ServiceError::BadRequest(format!(
                    "Invalid status {s}: expected one of {}",
                    STATUSES.join(", ")
                )));
            }
            d.status = s;
        }
        if let Some(r) = change.status_reason {
            d.status_reason = r;
        }
        d.updated_at = Some(self.engine.clock().now());
        self.put(
            ctx,
            DocumentKind::SoftwareDeployment,
            &d.id,
            d.created_at,
            &d,
        )
        .await?;
        Ok(d)
    }

    /// Deletes a deployment.
    pub async fn delete_deployment(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<(), ServiceError> {
        self.deployment(ctx, id).await?;
        self.engine
            .store()
            .remove_document(DocumentKind::SoftwareDeployment, id)
            .await?;
        Ok(())
    }

    /// A server's deployment metadata: the configs deployed to it, by name.
    pub async fn deployment_metadata(
        &self,
        ctx: &RequestContext,
        server_id: &str,
    ) -> Result<Vec<SoftwareConfig>, ServiceError> {
        let deployments = self.deployments(ctx, Some(server_id)).await?;
        Ok(self.deployed_configs(ctx, &deployments).await)
    }

    /// The configs of these deployments, by name (those whose config is
    /// gone left out, as Heat's).
    pub(super) async fn deployed_configs(
        &self,
        ctx: &RequestContext,
        deployments: &[SoftwareDeployment],
    ) -> Vec<SoftwareConfig> {
        let mut configs = Vec::new();
        for d in deployments {
            if let Ok(c) = self.config(ctx, &d.config_id).await {
                configs.push(c);
            }
        }
        configs.sort_by(|a, b| a.name.cmp(&b.name));
        configs
    }
}
