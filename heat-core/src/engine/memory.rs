//! [`MemoryStore`]: the [`StateStore`] in memory, for tests and embedding.
//! It follows the same contract as the SQL stores (see
//! `testing::contract`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::model::{
    Action, CancelRequest, Document, DocumentKind, EngineRecord, Event, ResourceRecord, Signal,
    Snapshot, StackRecord,
};
use super::store::{Fence, Held, StateStore, StoreError, Write};

#[derive(Debug, Default)]
struct Inner {
    stacks: BTreeMap<String, StackRecord>,
    resources: BTreeMap<(String, String), ResourceRecord>,
    events: BTreeMap<String, Vec<Event>>,
    signals: Vec<Signal>,
    snapshots: Vec<Snapshot>,
    documents: Vec<Document>,
    engines: BTreeMap<String, EngineRecord>,
}

/// A [`StateStore`] in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("not poisoned")
    }
}

impl Inner {
    fn name_taken(&self, stack: &StackRecord) -> bool {
        self.stacks.values().any(|s| {
            s.name == stack.name
                && s.project == stack.project
                && s.id != stack.id
                && !s.is_deleted()
        })
    }

    /// Checks a batch against the fence before anything is applied.
    fn check(&self, fence: &Fence, writes: &[Write]) -> Result<(), StoreError> {
        let root = self
            .stacks
            .get(&fence.root)
            .ok_or_else(|| StoreError::Fenced(fence.root.clone()))?;
        if root.traversal != fence.token {
            return Err(StoreError::Fenced(root.name.clone()));
        }
        for w in writes {
            match w {
                Write::InsertStack(s) if self.name_taken(s) => {
                    return Err(StoreError::Exists(s.name.clone()))
                }
                Write::Release(id)
                    if *id == fence.root && root.cancel == Some(CancelRequest::Delete) =>
                {
                    return Err(StoreError::DeletePending(root.name.clone()))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn apply(&mut self, w: &Write) {
        match w {
            Write::InsertStack(s) => {
                self.stacks.insert(s.id.clone(), s.clone());
            }
            Write::UpdateStack(s) => {
                let mut next = s.clone();
                if let Some(old) = self.stacks.get(&s.id) {
                    next.lease = old.lease.clone();
                    next.cancel = old.cancel;
                }
                if next.action == Action::Delete && next.cancel == Some(CancelRequest::Delete) {
                    next.cancel = None;
                }
                self.stacks.insert(s.id.clone(), next);
            }
            Write::Release(id) => {
                if let Some(s) = self.stacks.get_mut(id) {
                    s.lease = None;
                    s.cancel = None;
                }
            }
            Write::RemoveStack(id) => {
                self.stacks.remove(id);
                self.resources.retain(|(s, _), _| s != id);
                self.events.remove(id);
                self.signals.retain(|s| &s.stack_id != id);
                self.snapshots.retain(|s| &s.stack_id != id);
            }
            Write::PutResource(r) => {
                self.resources
                    .insert((r.stack_id.clone(), r.id.clone()), r.clone());
            }
            Write::RemoveResource { stack_id, id } => {
                self.resources.remove(&(stack_id.clone(), id.clone()));
            }
            Write::AddEvent(e) => {
                self.events
                    .entry(e.stack_id.clone())
                    .or_default()
                    .push(e.clone());
            }
            Write::PutSnapshot(snap) => {
                match self
                    .snapshots
                    .iter_mut()
                    .find(|s| s.stack_id == snap.stack_id && s.id == snap.id)
                {
                    Some(old) => *old = snap.clone(),
                    None => self.snapshots.push(snap.clone()),
                }
            }
            Write::RemoveSnapshot { stack_id, id } => {
                self.snapshots
                    .retain(|s| !(&s.stack_id == stack_id && &s.id == id));
            }
        }
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn create_stack(&self, stack: &StackRecord) -> Result<(), StoreError> {
        let mut g = self.lock();
        if g.name_taken(stack) || g.stacks.contains_key(&stack.id) {
            return Err(StoreError::Exists(stack.name.clone()));
        }
        g.stacks.insert(stack.id.clone(), stack.clone());
        Ok(())
    }

    async fn acquire(
        &self,
        stack: &StackRecord,
        expected: u64,
        now: f64,
    ) -> Result<(), StoreError> {
        let mut g = self.lock();
        let current = g
            .stacks
            .get(&stack.id)
            .ok_or_else(|| StoreError::NotFound(stack.id.clone()))?;
        if current.traversal != expected {
            return Err(StoreError::Conflict(current.name.clone()));
        }
        if let Some(l) = &current.lease {
            let mine = stack.lease.as_ref().is_some_and(|m| m.engine == l.engine);
            if l.expires_at > now && !mine {
                return Err(StoreError::Leased {
                    stack: current.name.clone(),
                    engine: l.engine.clone(),
                    expires_at: l.expires_at,
                });
            }
        }
        g.stacks.insert(stack.id.clone(), stack.clone());
        Ok(())
    }

    async fn write(&self, fence: &Fence, writes: &[Write]) -> Result<(), StoreError> {
        let mut g = self.lock();
        g.check(fence, writes)?;
        for w in writes {
            g.apply(w);
        }
        Ok(())
    }

    async fn renew(
        &self,
        engine: &str,
        stacks: &[String],
        expires_at: f64,
    ) -> Result<Vec<Held>, StoreError> {
        let mut g = self.lock();
        let mut held = Vec::new();
        for id in stacks {
            let Some(s) = g.stacks.get_mut(id) else {
                continue;
            };
            if let Some(l) = s.lease.as_mut().filter(|l| l.engine == engine) {
                l.expires_at = expires_at;
                held.push(Held {
                    stack_id: s.id.clone(),
                    token: s.traversal,
                    cancel: s.cancel,
                });
            }
        }
        Ok(held)
    }

    async fn request_cancel(
        &self,
        stack_id: &str,
        request: CancelRequest,
    ) -> Result<bool, StoreError> {
        let mut g = self.lock();
        match g.stacks.get_mut(stack_id) {
            Some(s) if s.in_progress() => {
                let deleting = s.action == Action::Delete;
                if s.cancel != Some(CancelRequest::Delete)
                    && !(deleting && request == CancelRequest::Delete)
                {
                    s.cancel = Some(request);
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn add_signal(&self, signal: &Signal) -> Result<(), StoreError> {
        let mut g = self.lock();
        g.signals.retain(|s| {
            !(s.stack_id == signal.stack_id && s.resource == signal.resource && s.id == signal.id)
        });
        g.signals.push(signal.clone());
        Ok(())
    }

    async fn heartbeat(&self, engine: &EngineRecord) -> Result<(), StoreError> {
        self.lock()
            .engines
            .insert(engine.id.clone(), engine.clone());
        Ok(())
    }

    async fn stack(&self, id: &str) -> Result<Option<StackRecord>, StoreError> {
        Ok(self.lock().stacks.get(id).cloned())
    }

    async fn find_stack(
        &self,
        project: &str,
        id_or_name: &str,
    ) -> Result<Option<StackRecord>, StoreError> {
        let g = self.lock();
        Ok(g.stacks
            .get(id_or_name)
            .filter(|s| s.project == project)
            .or_else(|| {
                g.stacks
                    .values()
                    .find(|s| s.name == id_or_name && s.project == project && !s.is_deleted())
            })
            .cloned())
    }

    async fn stacks(&self, project: Option<&str>) -> Result<Vec<StackRecord>, StoreError> {
        let mut out: Vec<StackRecord> = self
            .lock()
            .stacks
            .values()
            .filter(|s| project.is_none_or(|p| s.project == p))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    async fn resources(&self, stack_id: &str) -> Result<Vec<ResourceRecord>, StoreError> {
        Ok(self
            .lock()
            .resources
            .iter()
            .filter(|((s, _), _)| s == stack_id)
            .map(|(_, r)| r.clone())
            .collect())
    }

    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .lock()
            .events
            .get(stack_id)
            .cloned()
            .unwrap_or_default())
    }

    async fn put_document(&self, document: &Document) -> Result<(), StoreError> {
        let mut g = self.lock();
        match g
            .documents
            .iter_mut()
            .find(|d| d.kind == document.kind && d.id == document.id)
        {
            Some(old) => *old = document.clone(),
            None => g.documents.push(document.clone()),
        }
        Ok(())
    }

    async fn remove_document(&self, kind: DocumentKind, id: &str) -> Result<bool, StoreError> {
        let mut g = self.lock();
        let before = g.documents.len();
        g.documents.retain(|d| !(d.kind == kind && d.id == id));
        Ok(g.documents.len() != before)
    }

    async fn documents(
        &self,
        kind: DocumentKind,
        project: Option<&str>,
    ) -> Result<Vec<Document>, StoreError> {
        Ok(self
            .lock()
            .documents
            .iter()
            .filter(|d| d.kind == kind && project.is_none_or(|p| d.project == p))
            .cloned()
            .collect())
    }

    async fn snapshots(&self, stack_id: &str) -> Result<Vec<Snapshot>, StoreError> {
        Ok(self
            .lock()
            .snapshots
            .iter()
            .filter(|s| s.stack_id == stack_id)
            .cloned()
            .collect())
    }

    async fn signals(&self, stack_id: &str, resource: &str) -> Result<Vec<Signal>, StoreError> {
        Ok(self
            .lock()
            .signals
            .iter()
            .filter(|s| s.stack_id == stack_id && s.resource == resource)
            .cloned()
            .collect())
    }

    async fn engines(&self) -> Result<Vec<EngineRecord>, StoreError> {
        Ok(self.lock().engines.values().cloned().collect())
    }
}
