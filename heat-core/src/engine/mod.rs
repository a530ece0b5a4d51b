//! The orchestration engine: create, update (with preview), delete, roll
//! back, cancel, check, suspend and resume stacks against a [`Driver`],
//! persisting every transition through a [`StateStore`] before the cloud is
//! touched. Operations converge the stored records to a target definition,
//! so the same code creates, updates, rolls back and resumes after a crash.
//!
//! Operations are accepted, then run: each public operation validates its
//! input, takes the stack's lease and returns the stack record at once; the
//! work runs as a task given to the [`Spawner`]. One live engine owns a
//! stack's operation at a time (see `ownership`); every write is fenced, so
//! an engine that lost its lease cannot change state or call the cloud
//! for that stack again.

mod cancel;
mod clock;
mod context;
mod converge;
mod driver;
mod health;
mod hooks;
mod lifecycle;
mod live;
mod memory;
mod model;
mod nested;
mod operation;
mod ownership;
mod preview;
mod snapshot;
pub(crate) mod software_config;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod traversal;
mod validate;

pub use cancel::{Cancel, CancelReason};
pub use clock::{Clock, IdSource, Spawner};
pub use context::RequestContext;
pub use converge::{Change, ChangeKind};
pub use driver::{Attributes, Driver, DriverError, DriverErrorKind, Repair, ResourceSpec};
pub use health::{Health, HealthPolicy, HealthReport, HealthWatcher, Step, Watched};
pub use live::Live;
pub use memory::MemoryStore;
pub use model::{
    Action, CancelRequest, Document, DocumentKind, EngineRecord, Event, Lease, ResourceRecord,
    Signal, Snapshot, StackRecord, StackSource, Status,
};
pub use preview::{ResourcePreview, StackPreview};
pub use snapshot::source_of;
pub use store::{ChangeHook, Fence, Held, StateStore, StoreChange, StoreError, Write};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};

use crate::definition::TypeCatalog;
use crate::template::TemplateError;

/// The attribute a driver sets when a resource's reference (`get_resource`,
/// `Ref`) is not its physical id (an elastic IP's is its address).
pub const REFERENCE_ID: &str = "__reference_id";

/// The attribute a driver's [`Driver::update`] sets when the update moved
/// the object to another cloud id (a volume attachment moved to another
/// server): the engine records it as the resource's physical id.
pub const PHYSICAL_ID: &str = "__physical_id";

/// The resource type stack events carry (Heat's convention).
pub const STACK_EVENT_TYPE: &str = "OS::Heat::Stack";

/// Engine settings (Heat's defaults).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Most resources acted on at once (0: no limit).
    pub concurrency: usize,
    /// Retries of a transient driver error (Heat's `action_retry_limit`).
    pub action_retry_limit: u32,
    /// First retry delay, doubled each time.
    pub retry_backoff: Duration,
    /// Every stack's `AWS::Region` (Heat gives every stack
    /// [`HEAT_REGION`](crate::definition::HEAT_REGION); templates written
    /// for Heat map that region to their images).
    pub region: String,
    /// Heat's `max_resources_per_stack`.
    pub max_resources: usize,
    /// Heat's `max_stacks_per_tenant`: top-level stacks a project may
    /// have (deleted ones aside).
    pub max_stacks_per_project: usize,
    /// Default operation timeout (`stack_action_timeout`).
    pub default_timeout: Duration,
    /// Heat's `max_template_size`, bytes.
    pub max_template_size: usize,
    /// How long a running operation's hold on its stack lasts without
    /// renewal: another engine takes a stack over only this long after its
    /// holder stopped renewing (died or hung).
    pub lease: Duration,
    /// Longest pause between two reads of the store while waiting for
    /// something another process does (a signal, the end of its operation).
    pub poll: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            concurrency: 0,
            action_retry_limit: 5,
            retry_backoff: Duration::from_secs(1),
            region: crate::definition::HEAT_REGION.into(),
            max_resources: 1000,
            max_stacks_per_project: 512,
            default_timeout: Duration::from_secs(3600),
            max_template_size: crate::template::MAX_TEMPLATE_SIZE,
            lease: Duration::from_secs(20),
            poll: Duration::from_secs(2),
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackOptions {
    /// `Some(true)` disables rollback; `None` keeps Heat's default
    /// (rollback on for CloudFormation templates, off for HOT).
    pub disable_rollback: Option<bool>,
    /// Timeout in minutes.
    pub timeout_mins: Option<u64>,
    /// Tags (`None`: none on create, unchanged on update).
    pub tags: Option<Vec<String>>,
}

/// What an engine is built from.
pub struct EngineParts {
    /// The cloud.
    pub driver: Arc<dyn Driver>,
    /// Where state lives.
    pub store: Arc<dyn StateStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Runs operations in the background.
    pub spawner: Arc<dyn Spawner>,
    /// The resource types.
    pub catalog: Arc<dyn TypeCatalog>,
    /// Settings.
    pub config: EngineConfig,
}

/// The engine. Shared as `Arc<Engine>`: operations run as tasks that hold
/// it.
pub struct Engine {
    id: String,
    driver: Arc<dyn Driver>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    spawner: Arc<dyn Spawner>,
    catalog: Arc<dyn TypeCatalog>,
    ids: IdSource,
    config: EngineConfig,
    started_at: f64,
    /// Operations running in this engine, by top-level stack id.
    ops: Mutex<HashMap<String, lifecycle::Running>>,
    /// Counts registrations, so a lease renewal ignores operations that
    /// began after it read the store.
    generation: AtomicU64,
    heartbeat_started: AtomicBool,
    /// Wakes wait conditions when a signal arrives (stored in this
    /// process, or in another that the store tells of).
    signalled: event_listener::Event,
    /// Wakes the lease renewal when another process requests a stop, so
    /// that the request reaches the operation at once.
    stop_requested: event_listener::Event,
    /// Wakes those who wait for an operation that another process ran.
    released: event_listener::Event,
    subscribers: Mutex<Vec<UnboundedSender<Event>>>,
    /// The values each project's stacks export (`Fn::ImportValue`), read
    /// from the store when an operation begins.
    exports: Mutex<HashMap<String, Vec<Export>>>,
    /// Fetches a nested stack's `TemplateURL` the request's files do not
    /// hold (as Heat's engine does), when the process can reach the
    /// network (heat-server).
    fetcher: std::sync::OnceLock<Arc<dyn TemplateFetcher>>,
}

/// The stack a runtime's worker threads should have: a nested stack
/// converges inside its parent's future, up to Heat's five levels (with
/// groups of provider templates in between), which outgrows the 2 MiB
/// default in unoptimised builds. Only the pages used are committed.
pub const WORKER_STACK_SIZE: usize = 16 * 1024 * 1024;

/// Fetches a template by URL (http or https), with the process's limits.
#[async_trait::async_trait]
pub trait TemplateFetcher: Send + Sync {
    /// The template at `url`, or why it could not be had.
    async fn fetch(&self, url: &str) -> Result<String, String>;
}

/// A value a stack exports (a CloudFormation output with `Export`).
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The export's name, unique in the project.
    pub name: String,
    /// The value.
    pub value: serde_json::Value,
    /// The stack that exports it.
    pub stack_id: String,
    /// That stack's name.
    pub stack_name: String,
}

impl Engine {
    /// An engine over a driver, a store, a clock, a spawner and a catalog.
    pub fn new(parts: EngineParts) -> Arc<Self> {
        let EngineParts {
            driver,
            store,
            clock,
            spawner,
            catalog,
            config,
        } = parts;
        let now = clock.now();
        let seed = (now * 1e9) as u64 ^ (Arc::as_ptr(&store) as *const () as u64);
        let ids = IdSource::new(seed);
        let engine = Arc::new(Engine {
            id: ids.next(),
            driver,
            store,
            clock,
            spawner,
            catalog,
            ids,
            config,
            started_at: now,
            ops: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            heartbeat_started: AtomicBool::new(false),
            signalled: event_listener::Event::new(),
            stop_requested: event_listener::Event::new(),
            released: event_listener::Event::new(),
            subscribers: Mutex::new(Vec::new()),
            exports: Mutex::new(HashMap::new()),
            fetcher: std::sync::OnceLock::new(),
        });
        let me = Arc::downgrade(&engine);
        engine.store.watch(Arc::new(move |change| {
            let Some(e) = me.upgrade() else { return };
            match change {
                StoreChange::Signal(_) => {
                    e.signalled.notify(usize::MAX);
                }
                StoreChange::Cancel(stack) => {
                    if e.running(&stack).is_some() {
                        e.stop_requested.notify(usize::MAX);
                    }
                }
                StoreChange::Released(_) => {
                    e.released.notify(usize::MAX);
                }
            }
        }));
        engine
    }

    /// The values a project's live stacks export, read from the store (and
    /// kept for the definitions built next).
    pub async fn project_exports(&self, project: &str) -> Result<Vec<Export>, StoreError> {
        let mut out = Vec::new();
        for s in self.store.stacks(Some(project)).await? {
            if s.is_deleted() {
                continue;
            }
            for o in s.outputs.iter().flat_map(|m| m.values()) {
                if let Some(name) = o.get("export").and_then(serde_json::Value::as_str) {
                    out.push(Export {
                        name: name.to_string(),
                        value: o.get("value").cloned().unwrap_or_default(),
                        stack_id: s.id.clone(),
                        stack_name: s.name.clone(),
                    });
                }
            }
        }
        self.exports
            .lock()
            .expect("not poisoned")
            .insert(project.to_string(), out.clone());
        Ok(out)
    }

    /// The exports known for a project, but those of `stack_id`.
    fn exports_for(
        &self,
        project: &str,
        stack_id: &str,
    ) -> serde_json::Map<String, serde_json::Value> {
        self.exports
            .lock()
            .expect("not poisoned")
            .get(project)
            .into_iter()
            .flatten()
            .filter(|x| x.stack_id != stack_id)
            .map(|x| (x.name.clone(), x.value.clone()))
            .collect()
    }

    /// This engine's id (leases name it).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Lets the engine fetch nested stacks' `TemplateURL`s over the network
    /// (once; later calls are ignored).
    pub fn set_template_fetcher(&self, fetcher: Arc<dyn TemplateFetcher>) {
        let _ = self.fetcher.set(fetcher);
    }

    /// The state store.
    pub fn store(&self) -> &Arc<dyn StateStore> {
        &self.store
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The resource types.
    pub fn catalog(&self) -> &Arc<dyn TypeCatalog> {
        &self.catalog
    }

    /// A new id (a UUID), from the engine's id source.
    pub fn new_id(&self) -> String {
        self.ids.next()
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Every event this engine writes from now on (of every stack), as it
    /// is stored.
    pub fn subscribe(&self) -> UnboundedReceiver<Event> {
        let (tx, rx) = unbounded();
        self.subscribers.lock().expect("not poisoned").push(tx);
        rx
    }

    fn publish(&self, events: &[&Event]) {
        let mut subs = self.subscribers.lock().expect("not poisoned");
        if subs.is_empty() {
            return;
        }
        subs.retain(|tx| {
            events
                .iter()
                .all(|e| tx.unbounded_send((*e).clone()).is_ok())
        });
    }

    /// A stack event for `stack`'s current state.
    fn stack_event(&self, stack: &StackRecord, reason: &str) -> Event {
        Event {
            id: self.ids.next(),
            stack_id: stack.id.clone(),
            time: self.clock.now(),
            resource_name: stack.name.clone(),
            physical_id: Some(stack.id.clone()),
            resource_type: STACK_EVENT_TYPE.to_string(),
            action: stack.action,
            status: stack.status,
            reason: reason.to_string(),
        }
    }

    /// A resource event for `r`'s current state.
    fn resource_event(&self, stack: &StackRecord, r: &ResourceRecord, reason: &str) -> Event {
        Event {
            id: self.ids.next(),
            stack_id: stack.id.clone(),
            time: self.clock.now(),
            resource_name: r.name.clone(),
            physical_id: r.physical_id.clone(),
            resource_type: r.type_name.clone(),
            action: r.action,
            status: r.status,
            reason: reason.to_string(),
        }
    }

    /// Applies writes under a fence, publishing the events among them.
    async fn write(&self, fence: &Fence, writes: Vec<Write>) -> Result<(), StoreError> {
        self.store.write(fence, &writes).await?;
        let events: Vec<&Event> = writes
            .iter()
            .filter_map(|w| match w {
                Write::AddEvent(e) => Some(e),
                _ => None,
            })
            .collect();
        self.publish(&events);
        Ok(())
    }

    /// Looks a stack up by id.
    async fn load(&self, id: &str) -> Result<StackRecord, EngineError> {
        self.store
            .stack(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(id.to_string()))
    }

    /// Retries transient driver errors with exponential backoff; the
    /// back-off waits end early when `cancel` is cancelled.
    async fn retry<T, F, Fut>(&self, cancel: &Cancel, mut op: F) -> Result<T, DriverError>
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
                        && attempt < self.config.action_retry_limit
                        && !cancel.is_cancelled() =>
                {
                    attempt += 1;
                    if cancel.guard(self.clock.sleep(delay)).await.is_err() {
                        return Err(e);
                    }
                    delay *= 2;
                }
                other => return other,
            }
        }
    }
}
