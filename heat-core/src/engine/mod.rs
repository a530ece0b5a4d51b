//! The orchestration engine: create, update (with preview), delete, roll
//! back, cancel, check, suspend and resume stacks against a [`Driver`],
//! persisting every transition through a [`StateStore`] before the cloud is
//! touched. Operations converge the stored records to a target definition,
//! so the same code creates, updates, rolls back and resumes after a crash.

mod clock;
mod converge;
mod driver;
mod live;
mod model;
mod nested;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod traversal;
mod validate;

pub use clock::{Clock, IdSource};
pub use converge::{Change, ChangeKind};
pub use driver::{Attributes, Driver, DriverError, DriverErrorKind, ResourceSpec};
pub use live::Live;
pub use model::{Action, Event, ResourceRecord, StackRecord, StackSource, Status};
pub use store::{MemoryStore, StateStore, StoreError};

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map as JsonMap, Value as Json};

use crate::definition::{Inputs, TypeCatalog};
use crate::template::TemplateError;

/// The attribute a driver sets when a resource's reference (`get_resource`,
/// `Ref`) is not its physical id (an elastic IP's is its address).
pub const REFERENCE_ID: &str = "__reference_id";

/// Engine settings (Heat's defaults).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Most resources acted on at once (0: no limit).
    pub concurrency: usize,
    /// Retries of a transient driver error (Heat's `action_retry_limit`).
    pub action_retry_limit: u32,
    /// First retry delay, doubled each time.
    pub retry_backoff: Duration,
    /// The project stacks belong to.
    pub project: String,
    /// The region.
    pub region: String,
    /// Heat's `max_resources_per_stack`.
    pub max_resources: usize,
    /// Default operation timeout (`stack_action_timeout`).
    pub default_timeout: Duration,
    /// Heat's `max_template_size`, bytes.
    pub max_template_size: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            concurrency: 0,
            action_retry_limit: 5,
            retry_backoff: Duration::from_secs(1),
            project: "project".into(),
            region: "RegionOne".into(),
            max_resources: 1000,
            default_timeout: Duration::from_secs(3600),
            max_template_size: crate::template::MAX_TEMPLATE_SIZE,
        }
    }
}

/// Why an operation was refused or failed to start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The template (or environment) is invalid: every problem.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Template(Vec<TemplateError>),
    /// The state store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another operation is in progress on the stack.
    #[error("Stack {0} is already in progress ({1}); try again when it ends")]
    InProgress(String, String),
    /// No such stack.
    #[error("The Stack ({0}) could not be found.")]
    NotFound(String),
    /// The request makes no sense for the stack's state.
    #[error("{0}")]
    Invalid(String),
}

/// Options of a create or update.
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// `Some(true)` disables rollback; `None` keeps Heat's default
    /// (rollback on for CloudFormation templates, off for HOT).
    pub disable_rollback: Option<bool>,
    /// Timeout in minutes.
    pub timeout_mins: Option<u64>,
    /// Tags.
    pub tags: Vec<String>,
    /// PATCH update: reuse the existing template when none is given and the
    /// existing parameters under the new ones.
    pub existing: bool,
    /// Parameters to reset to their defaults in a PATCH update.
    pub clear_parameters: Vec<String>,
}

/// The engine. Cheap to share: every operation takes `&self`.
pub struct Engine {
    driver: Arc<dyn Driver>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    catalog: Arc<dyn TypeCatalog>,
    ids: IdSource,
    config: EngineConfig,
    cancels: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// Cancelled operations and whether they roll back.
    cancelled: Mutex<HashMap<String, bool>>,
    /// Wait conditions waiting for a signal.
    waiters: Mutex<Vec<futures::channel::oneshot::Sender<()>>>,
}

impl Engine {
    /// An engine over a driver, a store, a clock and a type catalog.
    pub fn new(
        driver: Arc<dyn Driver>,
        store: Arc<dyn StateStore>,
        clock: Arc<dyn Clock>,
        catalog: Arc<dyn TypeCatalog>,
        config: EngineConfig,
    ) -> Self {
        let seed = (clock.now() * 1e9) as u64 ^ (Arc::as_ptr(&store) as *const () as u64);
        Engine {
            driver,
            store,
            clock,
            catalog,
            ids: IdSource::new(seed),
            config,
            cancels: Mutex::new(HashMap::new()),
            cancelled: Mutex::new(HashMap::new()),
            waiters: Mutex::new(Vec::new()),
        }
    }

    /// The state store.
    pub fn store(&self) -> &Arc<dyn StateStore> {
        &self.store
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    fn inputs(&self, stack: &StackRecord, source: &StackSource) -> Result<Inputs, EngineError> {
        let mut registry = crate::environment::Registry::default();
        registry.load(&source.resource_registry).map_err(|e| {
            EngineError::Template(vec![TemplateError::new(
                crate::template::ErrorKind::Environment,
                e.to_string(),
            )])
        })?;
        Ok(Inputs {
            parameters: source.parameters.clone(),
            parameter_defaults: source.parameter_defaults.clone(),
            files: source
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
            registry,
            stack_name: stack.name.clone(),
            stack_id: stack.id.clone(),
            project_id: stack.project.clone(),
            region: self.config.region.clone(),
            max_resources: self.config.max_resources,
            ..Inputs::default()
        })
    }

    fn new_stack(
        &self,
        name: &str,
        source: StackSource,
        options: &StackOptions,
        rollback_default: bool,
    ) -> StackRecord {
        StackRecord {
            id: self.ids.next(),
            name: name.to_string(),
            project: self.config.project.clone(),
            action: Action::Create,
            status: Status::InProgress,
            reason: "Stack CREATE started".into(),
            source,
            previous: None,
            outputs: None,
            traversal: 1,
            disable_rollback: options.disable_rollback.unwrap_or(!rollback_default),
            timeout_mins: options.timeout_mins,
            tags: options.tags.clone(),
            created_at: self.clock.now(),
            updated_at: None,
            parent: None,
            nested_depth: 0,
        }
    }

    async fn event(
        &self,
        stack: &StackRecord,
        resource: Option<&ResourceRecord>,
        reason: &str,
    ) -> Result<(), StoreError> {
        let (name, physical, type_name, action, status) = match resource {
            Some(r) => (
                r.name.clone(),
                r.physical_id.clone(),
                r.type_name.clone(),
                r.action,
                r.status,
            ),
            None => (
                stack.name.clone(),
                Some(stack.id.clone()),
                "OS::Heat::Stack".to_string(),
                stack.action,
                stack.status,
            ),
        };
        self.store
            .add_event(&Event {
                id: self.ids.next(),
                stack_id: stack.id.clone(),
                time: self.clock.now(),
                resource_name: name,
                physical_id: physical,
                resource_type: type_name,
                action,
                status,
                reason: reason.to_string(),
            })
            .await
    }

    /// Moves a stack to a new action and status, compare-and-swap on its
    /// traversal; returns the stored record.
    async fn transition(
        &self,
        stack: &StackRecord,
        action: Action,
        status: Status,
        reason: &str,
        new_traversal: bool,
    ) -> Result<StackRecord, EngineError> {
        let mut next = stack.clone();
        next.action = action;
        next.status = status;
        next.reason = reason.to_string();
        if new_traversal {
            next.traversal += 1;
        }
        next.updated_at = Some(self.clock.now());
        self.store.update_stack(&next, stack.traversal).await?;
        self.event(&next, None, reason).await?;
        Ok(next)
    }

    async fn load(&self, name: &str) -> Result<StackRecord, EngineError> {
        self.store
            .stack(name)
            .await?
            .ok_or_else(|| EngineError::NotFound(name.to_string()))
    }

    /// Starts an operation on an existing stack: refused while another runs.
    async fn begin(&self, name: &str, action: Action) -> Result<StackRecord, EngineError> {
        let stack = self.load(name).await?;
        if stack.status == Status::InProgress {
            return Err(EngineError::InProgress(
                stack.name.clone(),
                stack.status_text(),
            ));
        }
        let started = self
            .transition(
                &stack,
                action,
                Status::InProgress,
                &format!("Stack {} started", action.name()),
                true,
            )
            .await
            .map_err(|e| match e {
                EngineError::Store(StoreError::Conflict(_)) => {
                    EngineError::InProgress(stack.name.clone(), "another operation".into())
                }
                other => other,
            })?;
        Ok(started)
    }

    fn cancel_flag(&self, stack_id: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.cancels
            .lock()
            .expect("not poisoned")
            .insert(stack_id.to_string(), flag.clone());
        flag
    }

    fn done_with(&self, stack_id: &str) {
        self.cancels.lock().expect("not poisoned").remove(stack_id);
    }

    /// Creates a stack and waits until it is complete, failed or rolled back.
    pub async fn create_stack(
        &self,
        name: &str,
        source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let probe = self.new_stack(name, source.clone(), &options, false);
        let template = self.check_source_on_cloud(&probe, &source).await?;
        let rollback_default = !template.dialect.is_hot();
        let stack = self.new_stack(name, source, &options, rollback_default);
        let stack = StackRecord {
            id: probe.id,
            ..stack
        };
        self.store.insert_stack(&stack).await?;
        self.event(&stack, None, "Stack CREATE started").await?;
        self.converge_and_finish(stack).await
    }

    /// Updates a stack to a new source (PATCH with `options.existing`).
    pub async fn update_stack(
        &self,
        name: &str,
        source: Option<StackSource>,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let current = self.load(name).await?;
        let mut target = match (source, options.existing) {
            (Some(s), false) => s,
            (Some(mut s), true) => {
                if s.template.is_empty() {
                    s.template = current.source.template.clone();
                    if s.files.is_empty() {
                        s.files = current.source.files.clone();
                    }
                }
                let mut params = current.source.parameters.clone();
                params.extend(s.parameters);
                s.parameters = params;
                s
            }
            (None, true) => current.source.clone(),
            (None, false) => return Err(EngineError::Invalid("No template specified".into())),
        };
        for p in &options.clear_parameters {
            target.parameters.remove(p);
        }
        self.check_source_on_cloud(&current, &target).await?;
        let mut stack = self.begin(name, Action::Update).await?;
        let previous = stack.source.clone();
        let expected = stack.traversal;
        stack.previous = Some(previous);
        stack.source = target;
        if let Some(d) = options.disable_rollback {
            stack.disable_rollback = d;
        }
        if options.timeout_mins.is_some() {
            stack.timeout_mins = options.timeout_mins;
        }
        if !options.tags.is_empty() {
            stack.tags = options.tags.clone();
        }
        self.store.update_stack(&stack, expected).await?;
        self.converge_and_finish(stack).await
    }

    /// What a create would do: every resource added, with its type.
    pub fn preview_create(
        &self,
        name: &str,
        source: &StackSource,
    ) -> Result<Vec<Change>, EngineError> {
        let probe = self.new_stack(name, source.clone(), &StackOptions::default(), false);
        let template = self.parse(source)?;
        let def = self.checked(&probe, source, &template)?;
        Ok(converge::preview(
            &def,
            &[],
            self.catalog.as_ref(),
            &probe.id,
        ))
    }

    /// What an update would do, per resource, without doing it.
    pub async fn preview_update(
        &self,
        name: &str,
        source: StackSource,
    ) -> Result<Vec<Change>, EngineError> {
        let stack = self.load(name).await?;
        let template = self.parse(&source)?;
        let def = self.checked(&stack, &source, &template)?;
        let records = self.store.resources(&stack.id).await?;
        Ok(converge::preview(
            &def,
            &records,
            self.catalog.as_ref(),
            &stack.id,
        ))
    }

    /// Deletes a stack (reverse dependency order, deletion policies
    /// honoured) and removes it from the store.
    pub async fn delete_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.load(name).await?;
        let stack = if stack.status == Status::InProgress && stack.action == Action::Delete {
            stack
        } else {
            self.begin(name, Action::Delete).await?
        };
        self.delete_from(stack).await
    }

    async fn delete_from(&self, stack: StackRecord) -> Result<StackRecord, EngineError> {
        let cancel = self.cancel_flag(&stack.id);
        let result = converge::delete_all(self, &stack, &cancel).await;
        self.done_with(&stack.id);
        match result {
            Ok(()) => {
                let done = self
                    .transition(
                        &stack,
                        Action::Delete,
                        Status::Complete,
                        "Stack DELETE completed successfully",
                        false,
                    )
                    .await?;
                self.store.remove_stack(&stack.id).await?;
                Ok(done)
            }
            Err(reason) => {
                self.transition(&stack, Action::Delete, Status::Failed, &reason, false)
                    .await
            }
        }
    }

    /// Cancels a running update; with `rollback` the stack then rolls back.
    pub async fn cancel_update(&self, name: &str, rollback: bool) -> Result<(), EngineError> {
        let stack = self.load(name).await?;
        if !(stack.action == Action::Update && stack.status == Status::InProgress) {
            return Err(EngineError::Invalid(format!(
                "Stack {} is not updating ({})",
                stack.name,
                stack.status_text()
            )));
        }
        self.cancelled
            .lock()
            .expect("not poisoned")
            .insert(stack.id.clone(), rollback);
        if let Some(flag) = self.cancels.lock().expect("not poisoned").get(&stack.id) {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// Checks every resource against the cloud.
    pub async fn check_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.begin(name, Action::Check).await?;
        let outcome = converge::check_all(self, &stack).await?;
        match outcome {
            None => {
                self.transition(
                    &stack,
                    Action::Check,
                    Status::Complete,
                    "Stack CHECK completed successfully",
                    false,
                )
                .await
            }
            Some(reason) => {
                self.transition(&stack, Action::Check, Status::Failed, &reason, false)
                    .await
            }
        }
    }

    /// Suspends (`Action::Suspend`) or resumes (`Action::Resume`) a stack.
    pub async fn suspend_resume(
        &self,
        name: &str,
        action: Action,
    ) -> Result<StackRecord, EngineError> {
        let stack = self.begin(name, action).await?;
        match converge::suspend_resume_all(self, &stack, action).await? {
            None => {
                self.transition(
                    &stack,
                    action,
                    Status::Complete,
                    &format!("Stack {} completed successfully", action.name()),
                    false,
                )
                .await
            }
            Some(reason) => {
                self.transition(&stack, action, Status::Failed, &reason, false)
                    .await
            }
        }
    }

    /// Resumes every stack left IN_PROGRESS by an engine that stopped:
    /// creates and updates converge again, deletes continue, rollbacks
    /// finish. Returns the stacks recovered.
    pub async fn recover(&self) -> Result<Vec<StackRecord>, EngineError> {
        let mut out = Vec::new();
        for stack in self.store.stacks().await? {
            // Nested stacks are resumed by their parent's resource.
            if stack.status != Status::InProgress || stack.parent.is_some() {
                continue;
            }
            let resumed = self
                .transition(
                    &stack,
                    stack.action,
                    Status::InProgress,
                    &format!(
                        "Stack {} resumed after an engine restart",
                        stack.action.name()
                    ),
                    true,
                )
                .await?;
            let done = match resumed.action {
                Action::Delete => self.delete_from(resumed).await?,
                Action::Check | Action::Suspend | Action::Resume => {
                    self.transition(
                        &resumed,
                        resumed.action,
                        Status::Failed,
                        "Engine restarted during the operation",
                        false,
                    )
                    .await?
                }
                _ => self.converge_and_finish(resumed).await?,
            };
            out.push(done);
        }
        Ok(out)
    }

    /// Converges the stack to its source; on failure rolls back when
    /// enabled; stores outputs when complete.
    async fn converge_and_finish(&self, stack: StackRecord) -> Result<StackRecord, EngineError> {
        let action = stack.action;
        let result = self.converge_with_timeout(&stack).await;
        match result {
            Ok(outputs) => {
                let mut done = stack.clone();
                done.outputs = Some(outputs);
                self.store.update_stack(&done, stack.traversal).await?;
                let reason = format!("Stack {} completed successfully", action.name());
                self.transition(&done, action, Status::Complete, &reason, false)
                    .await
            }
            Err(reason) => {
                let failed = self
                    .transition(&stack, action, Status::Failed, &reason, false)
                    .await?;
                let cancelled = self
                    .cancelled
                    .lock()
                    .expect("not poisoned")
                    .remove(&stack.id);
                let roll_back = cancelled.unwrap_or(!failed.disable_rollback);
                if !roll_back || action == Action::Rollback {
                    return Ok(failed);
                }
                Box::pin(self.rollback(failed)).await
            }
        }
    }

    async fn converge_with_timeout(
        &self,
        stack: &StackRecord,
    ) -> Result<JsonMap<String, Json>, String> {
        let timeout = stack
            .timeout_mins
            .map(|m| Duration::from_secs(m * 60))
            .unwrap_or(self.config.default_timeout);
        let cancel = self.cancel_flag(&stack.id);
        let work = converge::converge(self, stack, &cancel);
        let sleep = self.clock.sleep(timeout);
        futures::pin_mut!(work);
        let result = match futures::future::select(work, sleep).await {
            futures::future::Either::Left((r, _)) => r,
            futures::future::Either::Right(((), _)) => {
                Err(format!("{} timed out", stack.action.name()))
            }
        };
        self.done_with(&stack.id);
        result
    }

    /// Rolls a failed create back (delete everything) or a failed update
    /// back (converge to the previous source).
    async fn rollback(&self, failed: StackRecord) -> Result<StackRecord, EngineError> {
        let mut stack = self
            .transition(
                &failed,
                Action::Rollback,
                Status::InProgress,
                "Stack ROLLBACK started",
                true,
            )
            .await?;
        let expected = stack.traversal;
        match failed.action {
            Action::Create => {
                let cancel = AtomicBool::new(false);
                match converge::delete_all(self, &stack, &cancel).await {
                    Ok(()) => {
                        self.transition(
                            &stack,
                            Action::Rollback,
                            Status::Complete,
                            "Stack ROLLBACK completed successfully",
                            false,
                        )
                        .await
                    }
                    Err(reason) => {
                        self.transition(&stack, Action::Rollback, Status::Failed, &reason, false)
                            .await
                    }
                }
            }
            _ => {
                let Some(previous) = stack.previous.take() else {
                    return self
                        .transition(
                            &stack,
                            Action::Rollback,
                            Status::Failed,
                            "nothing to roll back to",
                            false,
                        )
                        .await;
                };
                stack.source = previous;
                self.store.update_stack(&stack, expected).await?;
                self.converge_and_finish(stack).await
            }
        }
    }

    /// Retries transient driver errors with exponential backoff.
    async fn retry<T, F, Fut>(&self, mut op: F) -> Result<T, DriverError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, DriverError>>,
    {
        let mut delay = self.config.retry_backoff;
        let mut attempt = 0;
        loop {
            match op().await {
                Err(e)
                    if e.kind == DriverErrorKind::Transient
                        && attempt < self.config.action_retry_limit =>
                {
                    attempt += 1;
                    self.clock.sleep(delay).await;
                    delay *= 2;
                }
                other => return other,
            }
        }
    }
}
