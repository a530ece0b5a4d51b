//! [`StateStore`]: where stacks, resources, events and signals live, and
//! how engines share them safely.
//!
//! Ownership: an operation runs on a top-level stack (and its nested
//! stacks) only while its engine holds the stack's [`Lease`]. Taking a
//! stack ([`StateStore::acquire`]) bumps its `traversal`, the fencing
//! token: every later write of the operation carries a [`Fence`] with that
//! token and the store refuses it ([`StoreError::Fenced`]) once another
//! engine has taken the stack over, so an engine that lost its lease never
//! changes state again (and, since state is written before the cloud is
//! touched, never calls the cloud for that stack again).
//!
//! [`Lease`]: super::model::Lease

use std::sync::Arc;

use async_trait::async_trait;

use super::model::{
    CancelRequest, Document, DocumentKind, EngineRecord, Event, ResourceRecord, Signal, Snapshot,
    StackRecord,
};

/// A store operation that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A stack of that name exists in the project.
    #[error("The Stack ({0}) already exists.")]
    Exists(String),
    /// Another operation changed the stack first (compare-and-swap failed).
    #[error("stack {0} was changed by another operation")]
    Conflict(String),
    /// The stack is held by another engine's running operation.
    #[error("stack {stack} is held by engine {engine} until {expires_at}")]
    Leased {
        /// The stack's name.
        stack: String,
        /// The holding engine.
        engine: String,
        /// When its lease expires, seconds since the epoch.
        expires_at: f64,
    },
    /// The write's fencing token is stale: another engine took the stack
    /// over.
    #[error("stack {0} was taken over by another engine; this operation no longer owns it")]
    Fenced(String),
    /// The write would release the stack while a delete request waits:
    /// the holder deletes it instead.
    #[error("stack {0} is to be deleted")]
    DeletePending(String),
    /// No such stack.
    #[error("The Stack ({0}) could not be found.")]
    NotFound(String),
    /// The backend failed.
    #[error("state store failure: {0}")]
    Backend(String),
}

/// The right to write to a stack tree: the top-level stack's id and the
/// `traversal` its operation's engine acquired it with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fence {
    /// The top-level stack.
    pub root: String,
    /// Its traversal when the lease was taken.
    pub token: u64,
}

/// One change of state. The writes of one [`StateStore::write`] call are
/// applied together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A new nested stack of the fenced tree.
    InsertStack(StackRecord),
    /// A stack's new state (its lease and cancel request are the store's
    /// and are left as they are, except that a stack entering
    /// `DELETE_IN_PROGRESS` satisfies a stored `Delete` request, which is
    /// cleared).
    UpdateStack(StackRecord),
    /// The fenced top-level stack's lease released (and any stop request
    /// cleared): its operation is over. Refused with `DeletePending` while
    /// a `Delete` request is stored.
    Release(String),
    /// A stack removed with its resources, events, signals and snapshots.
    RemoveStack(String),
    /// A resource record inserted or replaced.
    PutResource(ResourceRecord),
    /// A resource record removed.
    RemoveResource {
        /// Its stack.
        stack_id: String,
        /// Its record id.
        id: String,
    },
    /// An event appended.
    AddEvent(Event),
    /// A snapshot stored (or replaced).
    PutSnapshot(Snapshot),
    /// A snapshot removed.
    RemoveSnapshot {
        /// Its stack.
        stack_id: String,
        /// The snapshot's id.
        id: String,
    },
}

/// A top-level stack this engine holds, as a renewal found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The stack.
    pub stack_id: String,
    /// Its traversal (the fencing token).
    pub token: u64,
    /// A stop request stored for its operation.
    pub cancel: Option<CancelRequest>,
}

/// A change that some process stored, as a store that can tell learns of
/// it (PostgreSQL's LISTEN/NOTIFY).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChange {
    /// A signal was stored for a resource of this stack.
    Signal(String),
    /// A stop was requested for this top-level stack's operation.
    Cancel(String),
    /// The operation on this top-level stack ended (its lease released).
    Released(String),
}

/// Called with each [`StoreChange`].
pub type ChangeHook = Arc<dyn Fn(StoreChange) + Send + Sync>;

/// Persistent state of stacks. Every engine transition is written here
/// before the cloud is touched.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Stores a new top-level stack, its lease already in the record;
    /// `Exists` when a stack not deleted has the name in its project.
    async fn create_stack(&self, stack: &StackRecord) -> Result<(), StoreError>;

    /// Takes a top-level stack for an operation: writes `stack` (whose
    /// `traversal` is `expected + 1` and whose `lease` names the new
    /// holder) when the stored traversal is still `expected` and the stored
    /// lease is absent, expired at `now`, or already the new holder's.
    /// `Leased` when a live engine holds it, `Conflict` when the traversal
    /// moved. The stored cancel request is replaced by `stack.cancel`.
    async fn acquire(&self, stack: &StackRecord, expected: u64, now: f64)
        -> Result<(), StoreError>;

    /// Applies `writes` together if `fence` still holds (the fenced
    /// top-level stack's traversal equals the token); `Fenced` otherwise.
    /// A batch that releases the lease while a `Delete` request is stored
    /// is refused with `DeletePending`.
    async fn write(&self, fence: &Fence, writes: &[Write]) -> Result<(), StoreError>;

    /// Extends to `expires_at` the leases `engine` holds on `stacks`;
    /// returns those it still holds, with their tokens and stored cancel
    /// requests (a stack missing from the answer was taken over).
    async fn renew(
        &self,
        engine: &str,
        stacks: &[String],
        expires_at: f64,
    ) -> Result<Vec<Held>, StoreError>;

    /// Stores a request to stop a stack's operation (any process may);
    /// `false` when the stack is not in progress. A `Delete` request is
    /// not stored while the stack is being deleted already, and is never
    /// replaced by another kind.
    async fn request_cancel(
        &self,
        stack_id: &str,
        request: CancelRequest,
    ) -> Result<bool, StoreError>;

    /// Stores a signal (replacing one of the same resource and id).
    async fn add_signal(&self, signal: &Signal) -> Result<(), StoreError>;

    /// Records an engine's heartbeat.
    async fn heartbeat(&self, engine: &EngineRecord) -> Result<(), StoreError>;

    /// A stack by id.
    async fn stack(&self, id: &str) -> Result<Option<StackRecord>, StoreError>;

    /// A stack of a project by id (deleted ones too), or by name (not
    /// deleted ones).
    async fn find_stack(
        &self,
        project: &str,
        id_or_name: &str,
    ) -> Result<Option<StackRecord>, StoreError>;

    /// The stacks of a project (every project's with `None`), nested and
    /// deleted ones included.
    async fn stacks(&self, project: Option<&str>) -> Result<Vec<StackRecord>, StoreError>;

    /// Every stack (any project, nested ones too) whose status is
    /// `*_IN_PROGRESS`: where the scan for abandoned operations looks.
    async fn in_progress(&self) -> Result<Vec<StackRecord>, StoreError> {
        let mut all = self.stacks(None).await?;
        all.retain(StackRecord::in_progress);
        Ok(all)
    }

    /// A stack's resource records.
    async fn resources(&self, stack_id: &str) -> Result<Vec<ResourceRecord>, StoreError>;

    /// A stack's events, oldest first.
    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError>;

    /// The signals a resource received, oldest first.
    async fn signals(&self, stack_id: &str, resource: &str) -> Result<Vec<Signal>, StoreError>;

    /// A stack's snapshots, oldest first.
    async fn snapshots(&self, stack_id: &str) -> Result<Vec<Snapshot>, StoreError>;

    /// Stores a document (replacing one of the same kind and id).
    async fn put_document(&self, document: &Document) -> Result<(), StoreError>;

    /// Removes a document; whether there was one.
    async fn remove_document(&self, kind: DocumentKind, id: &str) -> Result<bool, StoreError>;

    /// A project's documents of a kind (every project's: `None`), oldest
    /// first.
    async fn documents(
        &self,
        kind: DocumentKind,
        project: Option<&str>,
    ) -> Result<Vec<Document>, StoreError>;

    /// A project's document of a kind, by id.
    async fn document(
        &self,
        kind: DocumentKind,
        project: &str,
        id: &str,
    ) -> Result<Option<Document>, StoreError> {
        Ok(self
            .documents(kind, Some(project))
            .await?
            .into_iter()
            .find(|d| d.id == id))
    }

    /// The engines that have reported a heartbeat.
    async fn engines(&self) -> Result<Vec<EngineRecord>, StoreError>;

    /// Registers `hook`, to be called with each signal, stop request or
    /// end of an operation that any process stores, as soon as the store
    /// learns of it. A store
    /// that cannot tell does nothing: the engine then finds them at its
    /// next poll or lease renewal.
    fn watch(&self, _hook: ChangeHook) {}
}
