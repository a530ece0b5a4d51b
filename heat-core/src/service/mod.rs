//! The stack service: the one path that the CLI's local mode and the HTTP
//! APIs call. Every call takes a [`RequestContext`] and sees only its
//! project's stacks (by name or by id). Operations return as soon as they
//! are accepted; a caller that wants the outcome waits
//! ([`StackService::wait`]) or follows the events. Requests arrive as Heat's
//! API receives them ([`SourceParts`]); PATCH merging, environment
//! assembly and list/show/event queries with Heat's filters, sorting and
//! pagination live here.

mod query;
mod snapshots;
mod software;
mod source;
mod time;

pub use query::{EventQuery, ResourceQuery, SortDir, StackQuery, STACK_SORT_KEYS};
pub use software::{DeploymentChange, SoftwareConfig, SoftwareDeployment};
pub use source::{assemble, SourceParts};
pub use time::heat_time;

use std::sync::Arc;

use serde_json::Value as Json;

use crate::engine::{
    Change, Engine, EngineError, Event, RequestContext, ResourceRecord, StackOptions, StackPreview,
    StackRecord, StoreError,
};
use crate::template::TemplateError;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// A file of the request (the template, an environment) is invalid:
    /// every problem found.
    #[error("{file}: {}", .errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file.
        file: String,
        /// The problems.
        errors: Vec<TemplateError>,
    },
    /// No such stack in the caller's project.
    #[error("The Stack ({0}) could not be found.")]
    StackNotFound(String),
    /// No such resource in the stack.
    #[error("The Resource ({resource}) could not be found in Stack {stack}.")]
    ResourceNotFound {
        /// The stack.
        stack: String,
        /// The resource.
        resource: String,
    },
    /// No such object (a software config or deployment): what was not found.
    #[error("{0}")]
    NotFound(String),
    /// No such snapshot of the stack.
    #[error("The Snapshot ({0}) could not be found.")]
    SnapshotNotFound(String),
    /// A stack of that name exists in the project.
    #[error("The Stack ({0}) already exists.")]
    Exists(String),
    /// Another operation runs on the stack.
    #[error("Stack {0} is already in progress ({1}); try again when it ends")]
    InProgress(String, String),
    /// The request makes no sense as it is.
    #[error("{0}")]
    BadRequest(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The state store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl ServiceError {
    fn from_engine(e: EngineError, file: &str) -> Self {
        match e {
            EngineError::Template(errors) => ServiceError::Invalid {
                file: file.to_string(),
                errors,
            },
            EngineError::Store(StoreError::Exists(n)) => ServiceError::Exists(n),
            EngineError::Store(s) => ServiceError::Store(s),
            EngineError::InProgress(a, b) => ServiceError::InProgress(a, b),
            EngineError::NotFound(n) => ServiceError::StackNotFound(n),
            EngineError::Invalid(m) => ServiceError::BadRequest(m),
        }
    }
}

impl From<EngineError> for ServiceError {
    fn from(e: EngineError) -> Self {
        ServiceError::from_engine(e, "template")
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(e)
    }
}

/// Whether a document imports `name` (see [`StackService::importers`]).
fn imports(v: &Json, name: &str, stack: &str, region: &str) -> bool {
    match v {
        Json::Object(m) => {
            if let Some(arg) = m.get("Fn::ImportValue") {
                let named = match arg {
                    Json::String(s) => s.as_str() == name,
                    Json::Object(sub) => {
                        sub.get("Fn::Sub").and_then(Json::as_str).is_some_and(|t| {
                            t.replace("${AWS::StackName}", stack)
                                .replace("${AWS::Region}", region)
                                == name
                        })
                    }
                    _ => false,
                };
                if named {
                    return true;
                }
            }
            m.values().any(|x| imports(x, name, stack, region))
        }
        Json::Array(a) => a.iter().any(|x| imports(x, name, stack, region)),
        _ => false,
    }
}

/// An update request: the new parts and how they apply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateRequest {
    /// The new template, files, environments and parameters.
    pub parts: SourceParts,
    /// PATCH: keep what the stack had (template, files, environment,
    /// parameters) under what the parts give.
    pub existing: bool,
    /// Parameters reset to their defaults (PATCH).
    pub clear_parameters: Vec<String>,
    /// Rollback, timeout and tags.
    pub options: StackOptions,
}

/// A resource with the stack it belongs to, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceView {
    /// The stack's name.
    pub stack_name: String,
    /// The stack's id.
    pub stack_id: String,
    /// The record.
    pub record: ResourceRecord,
    /// The resources of the same stack that require it.
    pub required_by: Vec<String>,
    /// The nested stack behind it (name, id), for nested stacks and groups.
    pub nested: Option<(String, String)>,
    /// The resource of the parent stack that its stack is behind (for the
    /// resources of a nested stack).
    pub parent_resource: Option<String>,
}

/// The stack service over an engine.
#[derive(Clone)]
pub struct StackService {
    engine: Arc<Engine>,
}

impl StackService {
    /// A service over an engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        StackService { engine }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// A stack of the caller's project, by name or id.
    pub async fn show(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<StackRecord, ServiceError> {
        self.engine
            .store()
            .find_stack(&ctx.project, id_or_name)
            .await?
            .ok_or_else(|| ServiceError::StackNotFound(id_or_name.to_string()))
    }

    /// Creates a stack from a request's parts (accepted, then run).
    pub async fn create(
        &self,
        ctx: &RequestContext,
        name: &str,
        parts: &SourceParts,
        options: StackOptions,
    ) -> Result<StackRecord, ServiceError> {
        let source = assemble(parts, None)?;
        self.engine
            .create_stack(ctx, name, source, options)
            .await
            .map_err(|e| ServiceError::from_engine(e, &parts.template_name))
    }

    /// What a create would do.
    pub fn preview_create(
        &self,
        ctx: &RequestContext,
        name: &str,
        parts: &SourceParts,
    ) -> Result<StackPreview, ServiceError> {
        let source = assemble(parts, None)?;
        self.engine
            .preview_stack(ctx, name, &source)
            .map_err(|e| ServiceError::from_engine(e, &parts.template_name))
    }

    /// Heat's template-validate answer for a request's parts (`nested`:
    /// with the nested stacks' parameters, Heat's `show_nested`).
    pub fn validate(
        &self,
        ctx: &RequestContext,
        parts: &SourceParts,
        nested: bool,
    ) -> Result<Json, ServiceError> {
        let source = assemble(parts, None)?;
        self.engine
            .validate(ctx, &source, nested)
            .map_err(|e| ServiceError::from_engine(e, &parts.template_name))
    }

    /// Marks a resource unhealthy (or healthy again).
    pub async fn mark_unhealthy(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        resource: &str,
        unhealthy: bool,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        self.engine
            .mark_unhealthy(&stack, resource, unhealthy, reason)
            .await
            .map_err(|e| match e {
                EngineError::NotFound(_) => ServiceError::ResourceNotFound {
                    stack: stack.name.clone(),
                    resource: resource.to_string(),
                },
                other => other.into(),
            })
    }

    /// The source an update request makes for a stack.
    fn target(
        stack: &StackRecord,
        update: &UpdateRequest,
    ) -> Result<crate::engine::StackSource, ServiceError> {
        let base = update.existing.then_some(&stack.source);
        let mut target = assemble(&update.parts, base)?;
        for p in &update.clear_parameters {
            target.parameters.remove(p);
        }
        Ok(target)
    }

    fn file_of(stack: &StackRecord, update: &UpdateRequest) -> String {
        if update.parts.template.is_some() {
            update.parts.template_name.clone()
        } else {
            format!("the template of stack {}", stack.name)
        }
    }

    /// Updates a stack (PUT, or PATCH with `existing`): accepted, then run.
    pub async fn update(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        update: &UpdateRequest,
    ) -> Result<StackRecord, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        let target = Self::target(&stack, update)?;
        self.engine
            .update_stack(&stack, target, update.options.clone())
            .await
            .map_err(|e| ServiceError::from_engine(e, &Self::file_of(&stack, update)))
    }

    /// What an update would do, per resource.
    pub async fn preview_update(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        update: &UpdateRequest,
    ) -> Result<Vec<Change>, ServiceError> {
        self.preview_update_as(ctx, id_or_name, update, false).await
    }

    /// What an update would do, with (`nested`) the nested stacks'
    /// resources.
    pub async fn preview_update_as(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        update: &UpdateRequest,
        nested: bool,
    ) -> Result<Vec<Change>, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        let target = Self::target(&stack, update)?;
        let preview = if nested {
            self.engine.preview_update_nested(&stack, &target).await
        } else {
            self.engine.preview_update(&stack, &target).await
        };
        preview.map_err(|e| ServiceError::from_engine(e, &Self::file_of(&stack, update)))
    }

    /// Deletes a stack (accepted, then run); a running operation on it is
    /// cancelled first, wherever it runs.
    pub async fn delete(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<StackRecord, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        // A value other stacks import keeps its stack (as CloudFormation).
        for export in self.exports(ctx).await? {
            if export.stack_id != stack.id {
                continue;
            }
            if let Some(user) = self.importers(ctx, &export.name).await?.first() {
                return Err(ServiceError::BadRequest(format!(
                    "Export {} cannot be deleted as it is in use by {}",
                    export.name, user.name
                )));
            }
        }
        Ok(self.engine.delete_stack(&stack).await?)
    }

    /// The values the project's stacks export (CloudFormation outputs with
    /// `Export`), by name.
    pub async fn exports(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<crate::engine::Export>, ServiceError> {
        let mut all = self.engine.project_exports(&ctx.project).await?;
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// The project's live stacks whose templates import an export
    /// (`Fn::ImportValue` of its name, written out or through `Fn::Sub` of
    /// the stack's own name and region).
    pub async fn importers(
        &self,
        ctx: &RequestContext,
        export: &str,
    ) -> Result<Vec<StackRecord>, ServiceError> {
        let mut out = Vec::new();
        for s in self.engine.store().stacks(Some(&ctx.project)).await? {
            if s.is_deleted() {
                continue;
            }
            let Ok(t) = crate::template::Template::parse(&s.source.template) else {
                continue;
            };
            let root: Json = Json::Object(
                t.root
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            );
            if imports(&root, export, &s.name, &self.engine.config().region) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Cancels a running update (`rollback`: then roll back).
    pub async fn cancel_update(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        rollback: bool,
    ) -> Result<(), ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.cancel_update(&stack, rollback).await?)
    }

    /// Checks a stack against the cloud (accepted, then run).
    pub async fn check(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<StackRecord, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.check_stack(&stack).await?)
    }

    /// Suspends a stack (accepted, then run).
    pub async fn suspend(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<StackRecord, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.suspend_stack(&stack).await?)
    }

    /// Resumes a suspended stack (accepted, then run).
    pub async fn resume(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<StackRecord, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.resume_stack(&stack).await?)
    }

    /// Sends a signal to a resource of a stack.
    pub async fn signal(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        resource: &str,
        data: Json,
    ) -> Result<(), ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        self.engine
            .signal(&stack, resource, data)
            .await
            .map_err(|e| match e {
                EngineError::NotFound(_) => ServiceError::ResourceNotFound {
                    stack: stack.name.clone(),
                    resource: resource.to_string(),
                },
                other => other.into(),
            })
    }

    /// Takes over a stack whose operation was abandoned (its engine
    /// stopped) and finishes that operation in the background.
    pub async fn resume_abandoned(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<Option<StackRecord>, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.resume_abandoned(&stack).await?)
    }

    /// Waits for the end of a stack's operation: its final record, `None`
    /// once deleted.
    pub async fn wait(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Option<StackRecord>, ServiceError> {
        match self.engine.store().stack(id).await? {
            Some(s) if s.project != ctx.project => Err(ServiceError::StackNotFound(id.into())),
            _ => Ok(self.engine.wait(id).await?),
        }
    }

    /// The caller's stacks (every project's for an admin asking
    /// `global_tenant`), filtered, sorted and paged.
    pub async fn list(
        &self,
        ctx: &RequestContext,
        query: &StackQuery,
    ) -> Result<Vec<StackRecord>, ServiceError> {
        if query.global_tenant && !ctx.is_admin() {
            return Err(ServiceError::Forbidden(
                "global_tenant is for admins only".into(),
            ));
        }
        if let Some(k) = query
            .sort_keys
            .iter()
            .find(|k| !STACK_SORT_KEYS.contains(&k.as_str()))
        {
            return Err(ServiceError::BadRequest(format!(
                "Sort key \"{k}\" not supported"
            )));
        }
        let project = (!query.global_tenant).then_some(ctx.project.as_str());
        let stacks = self.engine.store().stacks(project).await?;
        Ok(query.apply(stacks))
    }

    /// A stack and the stacks nested in it, `depth` levels down, with
    /// their depth (0 for the stack itself).
    pub async fn tree(
        &self,
        root: StackRecord,
        depth: u32,
    ) -> Result<Vec<(StackRecord, u32)>, ServiceError> {
        Ok(self.engine.stack_tree(&root, depth).await?)
    }

    /// A stack's resources (and its nested stacks', `nested_depth` down),
    /// filtered.
    pub async fn resources(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        query: &ResourceQuery,
    ) -> Result<Vec<ResourceView>, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        let tree = self.tree(stack, query.nested_depth.max(1)).await?;
        let children: Vec<&StackRecord> = tree
            .iter()
            .filter(|(_, d)| *d > 0)
            .map(|(s, _)| s)
            .collect();
        let mut out = Vec::new();
        for (s, depth) in &tree {
            if *depth > query.nested_depth {
                continue;
            }
            let mut records = self.engine.store().resources(&s.id).await?;
            let unreached = self.engine.unreached(s, &records);
            records.extend(unreached);
            let current: Vec<&ResourceRecord> = records.iter().filter(|r| r.current).collect();
            for r in &current {
                if !query.keeps(r) {
                    continue;
                }
                let nested = children
                    .iter()
                    .find(|c| {
                        c.parent
                            .as_ref()
                            .is_some_and(|(p, n)| p == &s.id && n == &r.name)
                    })
                    .map(|c| (c.name.clone(), c.id.clone()));
                out.push(ResourceView {
                    stack_name: s.name.clone(),
                    stack_id: s.id.clone(),
                    record: (*r).clone(),
                    required_by: current
                        .iter()
                        .filter(|x| x.requires.contains(&r.name))
                        .map(|x| x.name.clone())
                        .collect(),
                    nested,
                    parent_resource: s.parent.as_ref().map(|(_, n)| n.clone()),
                });
            }
        }
        self.with_server_metadata(ctx, &mut out).await?;
        Ok(out)
    }

    /// A server's metadata as Heat keeps it: the template's, the configs
    /// deployed to it (`deployments`, by name, as Heat pushes them) and, for
    /// a `SOFTWARE_CONFIG` server, the `os-collect-config` settings its
    /// driver gave it (its `os_collect_config` attribute): what the
    /// server's agent reads through `cfn-get-metadata`, os-collect-config's
    /// `cfn` collector or the resource metadata API.
    async fn with_server_metadata(
        &self,
        ctx: &RequestContext,
        views: &mut [ResourceView],
    ) -> Result<(), ServiceError> {
        let deployments = self.deployments(ctx, None).await?;
        for v in views {
            let Some(server) = v.record.physical_id.clone() else {
                continue;
            };
            let collect = v
                .record
                .attributes
                .get("os_collect_config")
                .filter(|c| c.as_object().is_some_and(|c| !c.is_empty()))
                .cloned();
            let to_server: Vec<_> = deployments
                .iter()
                .filter(|d| d.server_id == server)
                .cloned()
                .collect();
            if to_server.is_empty() && collect.is_none() {
                continue;
            }
            let list: Vec<Json> = self
                .deployed_configs(ctx, &to_server)
                .await
                .iter()
                .map(|c| c.view(true))
                .collect();
            if !v.record.metadata.is_object() {
                v.record.metadata = serde_json::json!({});
            }
            let m = v.record.metadata.as_object_mut().expect("made a map above");
            m.insert("deployments".into(), Json::Array(list));
            if let Some(collect) = collect {
                m.insert("os-collect-config".into(), collect);
            }
        }
        Ok(())
    }

    /// One resource of a stack.
    pub async fn resource(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        resource: &str,
    ) -> Result<ResourceView, ServiceError> {
        let query = ResourceQuery {
            name: vec![resource.to_string()],
            ..ResourceQuery::default()
        };
        let stack = self.show(ctx, id_or_name).await?;
        self.resources(ctx, &stack.id, &query)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::ResourceNotFound {
                stack: stack.name.clone(),
                resource: resource.to_string(),
            })
    }

    /// A stack's events (and its nested stacks', `nested_depth` down),
    /// filtered, ordered and paged.
    pub async fn events(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        query: &EventQuery,
    ) -> Result<Vec<Event>, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        let mut all = Vec::new();
        for (s, _) in self.tree(stack, query.nested_depth).await? {
            all.extend(self.engine.store().events(&s.id).await?);
        }
        Ok(query.apply(all))
    }
}
