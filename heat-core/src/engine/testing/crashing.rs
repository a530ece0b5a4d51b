//! [`CrashingStore`]: a store that fails every write after a number of
//! writes, as if the engine process died there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::engine::{
    CancelRequest, Document, DocumentKind, EngineRecord, Event, Fence, Held, MemoryStore,
    ResourceRecord, Signal, Snapshot, StackRecord, StateStore, StoreError, Write,
};

/// A store that dies after `limit` writes; reads keep working.
pub struct CrashingStore {
    /// The store that survives the crash.
    pub inner: Arc<MemoryStore>,
    writes: AtomicU64,
    limit: u64,
    states: Mutex<Vec<String>>,
}

impl CrashingStore {
    /// A store over `inner` that dies after `limit` writes.
    pub fn new(inner: Arc<MemoryStore>, limit: u64) -> Self {
        CrashingStore {
            inner,
            writes: AtomicU64::new(0),
            limit,
            states: Mutex::new(Vec::new()),
        }
    }

    /// The stack states written, in order (`UPDATE_IN_PROGRESS`, ...): what
    /// a reader could have seen.
    pub fn states(&self) -> Vec<String> {
        self.states.lock().expect("not poisoned").clone()
    }

    /// Writes made (or tried) so far.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Whether the store has died.
    pub fn crashed(&self) -> bool {
        self.writes.load(Ordering::SeqCst) > self.limit
    }

    fn count(&self) -> Result<(), StoreError> {
        if self.writes.fetch_add(1, Ordering::SeqCst) >= self.limit {
            return Err(StoreError::Backend("the engine died".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl StateStore for CrashingStore {
    async fn create_stack(&self, s: &StackRecord) -> Result<(), StoreError> {
        self.count()?;
        self.states
            .lock()
            .expect("not poisoned")
            .push(s.status_text());
        self.inner.create_stack(s).await
    }
    async fn acquire(&self, s: &StackRecord, expected: u64, now: f64) -> Result<(), StoreError> {
        self.count()?;
        self.states
            .lock()
            .expect("not poisoned")
            .push(s.status_text());
        self.inner.acquire(s, expected, now).await
    }
    async fn write(&self, fence: &Fence, writes: &[Write]) -> Result<(), StoreError> {
        self.count()?;
        self.states
            .lock()
            .expect("not poisoned")
            .extend(writes.iter().filter_map(|w| match w {
                Write::UpdateStack(s) => Some(s.status_text()),
                _ => None,
            }));
        self.inner.write(fence, writes).await
    }
    async fn renew(
        &self,
        engine: &str,
        stacks: &[String],
        expires_at: f64,
    ) -> Result<Vec<Held>, StoreError> {
        if self.crashed() {
            return Err(StoreError::Backend("the engine died".into()));
        }
        self.inner.renew(engine, stacks, expires_at).await
    }
    async fn request_cancel(&self, id: &str, r: CancelRequest) -> Result<bool, StoreError> {
        self.inner.request_cancel(id, r).await
    }
    async fn add_signal(&self, s: &Signal) -> Result<(), StoreError> {
        self.inner.add_signal(s).await
    }
    async fn heartbeat(&self, e: &EngineRecord) -> Result<(), StoreError> {
        self.inner.heartbeat(e).await
    }
    async fn stack(&self, id: &str) -> Result<Option<StackRecord>, StoreError> {
        self.inner.stack(id).await
    }
    async fn find_stack(&self, p: &str, id: &str) -> Result<Option<StackRecord>, StoreError> {
        self.inner.find_stack(p, id).await
    }
    async fn stacks(&self, p: Option<&str>) -> Result<Vec<StackRecord>, StoreError> {
        self.inner.stacks(p).await
    }
    async fn resources(&self, s: &str) -> Result<Vec<ResourceRecord>, StoreError> {
        self.inner.resources(s).await
    }
    async fn events(&self, s: &str) -> Result<Vec<Event>, StoreError> {
        self.inner.events(s).await
    }
    async fn signals(&self, s: &str, r: &str) -> Result<Vec<Signal>, StoreError> {
        self.inner.signals(s, r).await
    }
    async fn snapshots(&self, s: &str) -> Result<Vec<Snapshot>, StoreError> {
        self.inner.snapshots(s).await
    }
    async fn put_document(&self, d: &Document) -> Result<(), StoreError> {
        self.count()?;
        self.inner.put_document(d).await
    }
    async fn remove_document(&self, k: DocumentKind, id: &str) -> Result<bool, StoreError> {
        self.count()?;
        self.inner.remove_document(k, id).await
    }
    async fn documents(
        &self,
        k: DocumentKind,
        p: Option<&str>,
    ) -> Result<Vec<Document>, StoreError> {
        self.inner.documents(k, p).await
    }
    async fn engines(&self) -> Result<Vec<EngineRecord>, StoreError> {
        self.inner.engines().await
    }
}
