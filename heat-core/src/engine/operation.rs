//! The engine's operations. Each is accepted, then run: the request is
//! checked (template parsed once, definition built once, parameters and
//! custom constraints checked) and the stack taken, then the method returns
//! the stack record and the work goes on in a task. A caller that wants the
//! outcome waits with [`Engine::wait`] or follows [`Engine::subscribe`].

use std::sync::Arc;

use futures::channel::oneshot;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::model::{Action, CancelRequest, StackRecord, StackSource, Status};
use super::store::Write;
use super::{Engine, EngineError, RequestContext, StackOptions};
use crate::definition::{Realisation, StackDefinition};
use crate::function::Resolver;
use crate::template::{ErrorKind, Template, TemplateError};

type Accepted = oneshot::Sender<Result<StackRecord, EngineError>>;

async fn accepted(
    rx: oneshot::Receiver<Result<StackRecord, EngineError>>,
) -> Result<StackRecord, EngineError> {
    rx.await.unwrap_or_else(|_| {
        Err(EngineError::Invalid(
            "the engine stopped before the operation was accepted".into(),
        ))
    })
}

/// What `stack show` displays of a definition's parameters: every value
/// (hidden ones masked), the pseudo parameters included.
pub(super) fn parameter_view(
    def: &StackDefinition<'_>,
    stack: &StackRecord,
) -> JsonMap<String, Json> {
    let mut out = JsonMap::new();
    for p in &def.parameters {
        let shown = match def.parameter_value(&p.name) {
            _ if p.hidden => json!("******"),
            Some(v) => v.clone(),
            None => Json::Null,
        };
        out.insert(p.name.clone(), shown);
    }
    out.insert("OS::stack_name".into(), json!(stack.name));
    out.insert("OS::stack_id".into(), json!(stack.id));
    out.insert("OS::project_id".into(), json!(stack.project));
    out
}

impl Engine {
    pub(super) fn new_stack(
        &self,
        ctx: &RequestContext,
        name: &str,
        source: StackSource,
        options: &StackOptions,
        rollback_default: bool,
    ) -> StackRecord {
        StackRecord {
            id: self.ids.next(),
            name: name.to_string(),
            project: ctx.project.clone(),
            action: Action::Create,
            status: Status::InProgress,
            reason: "Stack CREATE started".into(),
            source,
            previous: None,
            outputs: None,
            traversal: 1,
            disable_rollback: options.disable_rollback.unwrap_or(!rollback_default),
            timeout_mins: options.timeout_mins,
            tags: options.tags.clone().unwrap_or_default(),
            created_at: self.clock.now(),
            updated_at: None,
            parent: None,
            nested_depth: 0,
            root: None,
            user: ctx.user.clone(),
            parameters: JsonMap::new(),
            description: String::new(),
            rollback_of: None,
            lease: None,
            cancel: None,
            deleted_at: None,
            adopt: None,
        }
    }

    /// Checks a source for an operation on `stack`: the definition, every
    /// parameter given a value that meets its constraints, the property
    /// values known before anything is made against their types' schemas,
    /// and the custom constraints asked of the cloud (nested stacks are
    /// checked so too).
    pub(super) async fn prepare<'t>(
        &self,
        stack: &StackRecord,
        source: &StackSource,
        template: &'t Template,
    ) -> Result<StackDefinition<'t>, EngineError> {
        let def = self.checked(stack, source, template)?;
        let types = def.catalog_types(self.catalog.as_ref());
        let unassigned = def.unassigned_properties(self.catalog.as_ref(), &types);
        if !unassigned.is_empty() {
            return Err(EngineError::Template(unassigned));
        }
        let resources = template.section_name("resources");
        let unsupported: Vec<TemplateError> = types
            .iter()
            .filter(|(r, _)| r.external_id.is_none())
            .filter(|(_, t)| self.catalog.realisation(t) == Realisation::Driver)
            .filter_map(|(r, t)| {
                let why = self.driver.supports(t).err()?;
                Some(
                    TemplateError::new(ErrorKind::Resource, why)
                        .at(format!("{resources}.{}.type", r.name), r.line),
                )
            })
            .collect();
        if !unsupported.is_empty() {
            return Err(EngineError::Template(unsupported));
        }
        let section = template.section_name("parameters");
        let missing: Vec<TemplateError> = def
            .parameters
            .iter()
            .filter_map(|p| {
                let message = match def.parameter_value(&p.name) {
                    None => def.parameter(&p.name).err()?,
                    Some(value) => {
                        let m = p.check_constraints(value, false).err()?;
                        format!("Parameter '{}' is invalid: {m}", p.name)
                    }
                };
                Some(
                    TemplateError::new(ErrorKind::Parameter, message)
                        .at(format!("{section}.{}", p.name), p.line),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(EngineError::Template(missing));
        }
        let known = def
            .checked_properties(self.catalog.as_ref(), &types)
            .map_err(EngineError::Template)?;
        self.check_custom_constraints(&def, &known).await?;
        Ok(def)
    }

    /// Refuses a new stack to a project that has `max_stacks_per_project`.
    async fn check_stack_count(&self, ctx: &RequestContext) -> Result<(), EngineError> {
        let limit = self.config.max_stacks_per_project;
        let count = self
            .store
            .stacks(Some(&ctx.project))
            .await?
            .iter()
            .filter(|s| s.parent.is_none() && !s.is_deleted())
            .count();
        if count >= limit {
            return Err(EngineError::Template(vec![TemplateError::new(
                ErrorKind::Limit,
                format!(
                    "You have reached the maximum stacks per tenant, {limit}. Please delete some stacks."
                ),
            )]));
        }
        Ok(())
    }

    /// Creates a stack. Returns once the request is accepted (validated,
    /// stored `CREATE_IN_PROGRESS`); the create runs in the background.
    pub async fn create_stack(
        self: &Arc<Self>,
        ctx: &RequestContext,
        name: &str,
        source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        self.create_as(ctx, name, source, options, None).await
    }

    /// A create, or with `adopt` (the `resources` of Heat's abandon data)
    /// an adopt: resources given there take over the cloud objects named
    /// instead of making new ones.
    pub(super) async fn create_as(
        self: &Arc<Self>,
        ctx: &RequestContext,
        name: &str,
        source: StackSource,
        options: StackOptions,
        adopt: Option<Json>,
    ) -> Result<StackRecord, EngineError> {
        self.project_exports(&ctx.project).await?;
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        let (ctx, name) = (ctx.clone(), name.to_string());
        self.spawner.spawn(Box::pin(async move {
            me.run_create(ctx, name, source, options, adopt, tx).await;
        }));
        accepted(rx).await
    }

    async fn run_create(
        self: Arc<Self>,
        ctx: RequestContext,
        name: String,
        source: StackSource,
        options: StackOptions,
        adopt: Option<Json>,
        accept: Accepted,
    ) {
        let probe = self.new_stack(&ctx, &name, source.clone(), &options, false);
        if let Err(e) = self.check_stack_count(&ctx).await {
            let _ = accept.send(Err(e));
            return;
        }
        let template = match self.parse(&source) {
            Ok(t) => t,
            Err(e) => {
                let _ = accept.send(Err(e));
                return;
            }
        };
        let def = match self.prepare(&probe, &source, &template).await {
            Ok(d) => d,
            Err(e) => {
                let _ = accept.send(Err(e));
                return;
            }
        };
        let mut stack = self.new_stack(&ctx, &name, source, &options, !template.dialect.is_hot());
        stack.id = probe.id;
        stack.parameters = parameter_view(&def, &stack);
        stack.description = template.description();
        stack.lease = Some(self.new_lease());
        if adopt.is_some() {
            stack.action = Action::Adopt;
            stack.reason = "Stack ADOPT started".into();
            stack.adopt = adopt;
        }
        if let Err(e) = self.store.create_stack(&stack).await {
            let _ = accept.send(Err(e.into()));
            return;
        }
        let me = self.clone();
        let def = &def;
        self.own(stack, |op, stack| async move {
            let event = me.stack_event(&stack, &stack.reason);
            if let Err(e) = me.write_op(&op, vec![Write::AddEvent(event)]).await {
                let _ = accept.send(Err(e.into()));
                return None;
            }
            let _ = accept.send(Ok(stack.clone()));
            me.drive(op, stack, Some(def)).await
        })
        .await;
    }

    /// Updates a stack to `target` (already merged, for a PATCH, with what
    /// the stack had). Returns once accepted (`UPDATE_IN_PROGRESS`).
    pub async fn update_stack(
        self: &Arc<Self>,
        stack: &StackRecord,
        target: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        self.update_as(stack, target, options, Action::Update).await
    }

    /// An update (or a restore, which is an update to a snapshot's source).
    pub(super) async fn update_as(
        self: &Arc<Self>,
        stack: &StackRecord,
        target: StackSource,
        options: StackOptions,
        action: Action,
    ) -> Result<StackRecord, EngineError> {
        self.project_exports(&stack.project).await?;
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        let current = stack.clone();
        self.spawner.spawn(Box::pin(async move {
            me.run_update(current, target, options, action, tx).await;
        }));
        accepted(rx).await
    }

    async fn run_update(
        self: Arc<Self>,
        current: StackRecord,
        target: StackSource,
        options: StackOptions,
        action: Action,
        accept: Accepted,
    ) {
        let template = match self.parse(&target) {
            Ok(t) => t,
            Err(e) => {
                let _ = accept.send(Err(e));
                return;
            }
        };
        let def = match self.prepare(&current, &target, &template).await {
            Ok(d) => d,
            Err(e) => {
                let _ = accept.send(Err(e));
                return;
            }
        };
        let current = match self.supersede(current).await {
            Ok(c) => c,
            Err(e) => {
                let _ = accept.send(Err(e));
                return;
            }
        };
        let parameters = parameter_view(&def, &current);
        let description = template.description();
        // While it runs, the stack shows the outputs the new template
        // still declares (as Heat resolves outputs of the new template).
        let declared: Vec<&str> = def.outputs.iter().map(|o| o.name.as_str()).collect();
        let taken = self
            .take(&current, |s| {
                if let Some(outputs) = &mut s.outputs {
                    outputs.retain(|k, _| declared.contains(&k.as_str()));
                }
                s.action = action;
                s.status = Status::InProgress;
                s.reason = format!("Stack {} started", action.name());
                s.previous = Some(std::mem::replace(&mut s.source, target));
                s.parameters = parameters;
                s.description = description;
                s.rollback_of = None;
                s.cancel = None;
                if let Some(d) = options.disable_rollback {
                    s.disable_rollback = d;
                }
                if options.timeout_mins.is_some() {
                    s.timeout_mins = options.timeout_mins;
                }
                if let Some(tags) = &options.tags {
                    s.tags = tags.clone();
                }
            })
            .await;
        let taken = match taken {
            Ok(t) => t,
            Err(e) => {
                let _ = accept.send(Err(e));
                return;
            }
        };
        let me = self.clone();
        let def = &def;
        self.own(taken, |op, stack| async move {
            let event = me.stack_event(&stack, &stack.reason);
            if let Err(e) = me.write_op(&op, vec![Write::AddEvent(event)]).await {
                let _ = accept.send(Err(e.into()));
                return None;
            }
            let _ = accept.send(Ok(stack.clone()));
            me.drive(op, stack, Some(def)).await
        })
        .await;
    }

    /// As Heat's convergence engine does, an update may replace a create,
    /// update or rollback still in progress: that operation is stopped
    /// (without rollback) wherever it runs, and once it has let go of the
    /// stack the update starts from where it left the resources. Any other
    /// stack is returned as it is.
    async fn supersede(self: &Arc<Self>, current: StackRecord) -> Result<StackRecord, EngineError> {
        let replaceable = current.in_progress()
            && current.parent.is_none()
            && matches!(
                current.action,
                Action::Create | Action::Update | Action::Rollback
            )
            && current.cancel != Some(CancelRequest::Delete);
        if !replaceable {
            return Ok(current);
        }
        self.store
            .request_cancel(&current.id, CancelRequest::NoRollback)
            .await?;
        if let Some((op, _)) = self.running(&current.id) {
            op.request(CancelRequest::NoRollback);
        }
        self.wait(&current.id)
            .await?
            .ok_or_else(|| EngineError::NotFound(current.name.clone()))
    }

    /// Starts a simple operation (check, suspend, resume, delete) on a
    /// stack not in progress; returns the stack as taken.
    async fn start(
        self: &Arc<Self>,
        stack: &StackRecord,
        action: Action,
    ) -> Result<StackRecord, EngineError> {
        let reason = format!("Stack {} started", action.name());
        let taken = self
            .take(stack, |s| {
                s.action = action;
                s.status = Status::InProgress;
                s.reason = reason.clone();
                s.cancel = None;
            })
            .await?;
        self.launch(taken.clone(), reason);
        Ok(taken)
    }

    /// Runs the operation of a stack just taken, after recording `reason`.
    pub(super) fn launch(self: &Arc<Self>, taken: StackRecord, reason: String) {
        let me = self.clone();
        self.spawner.spawn(Box::pin(async move {
            let me2 = me.clone();
            me.own(taken, |op, stack| async move {
                let event = me2.stack_event(&stack, &reason);
                me2.write_op(&op, vec![Write::AddEvent(event)]).await.ok()?;
                me2.drive(op, stack, None).await
            })
            .await;
        }));
    }

    /// Checks every resource against the cloud (accepted, then run).
    pub async fn check_stack(
        self: &Arc<Self>,
        stack: &StackRecord,
    ) -> Result<StackRecord, EngineError> {
        self.start(stack, Action::Check).await
    }

    /// Suspends a stack (accepted, then run).
    pub async fn suspend_stack(
        self: &Arc<Self>,
        stack: &StackRecord,
    ) -> Result<StackRecord, EngineError> {
        self.start(stack, Action::Suspend).await
    }

    /// Resumes a suspended stack (accepted, then run).
    pub async fn resume_stack(
        self: &Arc<Self>,
        stack: &StackRecord,
    ) -> Result<StackRecord, EngineError> {
        self.start(stack, Action::Resume).await
    }

    /// Deletes a stack (accepted, then run). A stack whose operation is in
    /// progress has it cancelled first, wherever it runs: here, in another
    /// live engine (which deletes once it has stopped), or in a dead one
    /// (taken over and deleted).
    pub async fn delete_stack(
        self: &Arc<Self>,
        stack: &StackRecord,
    ) -> Result<StackRecord, EngineError> {
        let mut current = stack.clone();
        for _ in 0..3 {
            if let Some((parent, _)) = &current.parent {
                return Err(EngineError::Invalid(format!(
                    "Stack {} is a nested stack (of {parent}); delete its top-level stack",
                    current.name
                )));
            }
            let now = self.clock.now();
            let running = self.running(&current.id).filter(|_| current.in_progress());
            if let Some((op, _)) = running {
                self.store
                    .request_cancel(&current.id, CancelRequest::Delete)
                    .await?;
                op.request(CancelRequest::Delete);
                return Ok(current);
            }
            if current.in_progress() && current.leased_at(now) {
                if self
                    .store
                    .request_cancel(&current.id, CancelRequest::Delete)
                    .await?
                {
                    return Ok(current);
                }
            } else {
                let taken = if current.in_progress() {
                    // Abandoned: take it over, then delete.
                    self.acquire_abandoned(&current).await
                } else {
                    self.take(&current, |s| {
                        s.action = Action::Delete;
                        s.status = Status::InProgress;
                        s.reason = "Stack DELETE started".into();
                        s.cancel = None;
                    })
                    .await
                };
                match taken {
                    Ok(taken) => {
                        self.launch(taken.clone(), "Stack DELETE started".into());
                        return Ok(taken);
                    }
                    Err(EngineError::InProgress(..)) => {}
                    Err(e) => return Err(e),
                }
            }
            current = self
                .store
                .stack(&current.id)
                .await?
                .ok_or_else(|| EngineError::NotFound(stack.name.clone()))?;
        }
        Err(EngineError::InProgress(
            current.name.clone(),
            current.status_text(),
        ))
    }

    /// Takes over an abandoned stack for a delete.
    async fn acquire_abandoned(&self, stack: &StackRecord) -> Result<StackRecord, EngineError> {
        if stack.leased_at(self.clock.now()) {
            return Err(EngineError::InProgress(
                stack.name.clone(),
                stack.status_text(),
            ));
        }
        self.acquire(stack, |s| {
            s.action = Action::Delete;
            s.status = Status::InProgress;
            s.reason = "Stack DELETE started".into();
            s.cancel = None;
        })
        .await
    }

    /// Cancels a running update, wherever it runs; with `rollback` the stack
    /// then rolls back.
    pub async fn cancel_update(
        &self,
        stack: &StackRecord,
        rollback: bool,
    ) -> Result<(), EngineError> {
        if !(stack.action == Action::Update && stack.in_progress()) {
            return Err(EngineError::Invalid(format!(
                "Stack {} is not updating ({})",
                stack.name,
                stack.status_text()
            )));
        }
        let request = if rollback {
            CancelRequest::Rollback
        } else {
            CancelRequest::NoRollback
        };
        self.store.request_cancel(&stack.id, request).await?;
        if let Some((op, _)) = self.running(&stack.id) {
            op.request(request);
        }
        Ok(())
    }

    /// Marks a resource unhealthy (`CHECK_FAILED` with `reason`: the next
    /// update replaces it) or healthy again (`CHECK_COMPLETE`).
    pub async fn mark_unhealthy(
        self: &Arc<Self>,
        stack: &StackRecord,
        resource: &str,
        unhealthy: bool,
        reason: &str,
    ) -> Result<(), EngineError> {
        let mut r = self
            .store
            .resources(&stack.id)
            .await?
            .into_iter()
            .find(|r| r.current && r.name == resource)
            .ok_or_else(|| EngineError::NotFound(format!("{resource} in stack {}", stack.name)))?;
        let root = self.load(stack.root_id()).await?;
        let taken = self.take(&root, |_| {}).await?;
        r.action = Action::Check;
        r.status = if unhealthy {
            Status::Failed
        } else {
            Status::Complete
        };
        r.reason = if reason.is_empty() && unhealthy {
            "Marked unhealthy".to_string()
        } else {
            reason.to_string()
        };
        r.updated_at = self.clock.now();
        let event = self.resource_event(stack, &r, &r.reason);
        let fence = super::Fence {
            root: taken.id.clone(),
            token: taken.traversal,
        };
        self.write(
            &fence,
            vec![
                Write::PutResource(r),
                Write::AddEvent(event),
                Write::Release(taken.id.clone()),
            ],
        )
        .await?;
        Ok(())
    }
}
