//! [`StateStore`]: where stacks, resources and events live, and
//! [`MemoryStore`], the in-memory implementation.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::model::{Event, ResourceRecord, StackRecord};

/// A store operation that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A stack of that name exists in the project.
    #[error("The Stack ({0}) already exists.")]
    Exists(String),
    /// Another operation changed the stack first.
    #[error("stack {0} was changed by another operation")]
    Conflict(String),
    /// No such stack.
    #[error("The Stack ({0}) could not be found.")]
    NotFound(String),
    /// The backend failed.
    #[error("state store failure: {0}")]
    Backend(String),
}

/// Persistent state of stacks. Every engine transition is written here
/// before the cloud is touched.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Stores a new stack; `Exists` when the name is taken in its project.
    async fn insert_stack(&self, stack: &StackRecord) -> Result<(), StoreError>;
    /// Replaces a stack if its traversal is still `expected` (compare-and-swap).
    async fn update_stack(&self, stack: &StackRecord, expected: u64) -> Result<(), StoreError>;
    /// A stack by id, or by name.
    async fn stack(&self, id_or_name: &str) -> Result<Option<StackRecord>, StoreError>;
    /// All stacks.
    async fn stacks(&self) -> Result<Vec<StackRecord>, StoreError>;
    /// Removes a stack, its resources and events.
    async fn remove_stack(&self, id: &str) -> Result<(), StoreError>;
    /// Inserts or replaces a resource record.
    async fn put_resource(&self, resource: &ResourceRecord) -> Result<(), StoreError>;
    /// Removes a resource record.
    async fn remove_resource(&self, stack_id: &str, record_id: &str) -> Result<(), StoreError>;
    /// A stack's resource records.
    async fn resources(&self, stack_id: &str) -> Result<Vec<ResourceRecord>, StoreError>;
    /// Appends an event.
    async fn add_event(&self, event: &Event) -> Result<(), StoreError>;
    /// A stack's events, oldest first.
    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError>;
}

#[derive(Debug, Default)]
struct Inner {
    stacks: BTreeMap<String, StackRecord>,
    resources: BTreeMap<(String, String), ResourceRecord>,
    events: BTreeMap<String, Vec<Event>>,
}

/// A [`StateStore`] in memory (tests, embedding).
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

#[async_trait]
impl StateStore for MemoryStore {
    async fn insert_stack(&self, stack: &StackRecord) -> Result<(), StoreError> {
        let mut g = self.lock();
        if g.stacks
            .values()
            .any(|s| s.name == stack.name && s.project == stack.project)
        {
            return Err(StoreError::Exists(stack.name.clone()));
        }
        g.stacks.insert(stack.id.clone(), stack.clone());
        Ok(())
    }

    async fn update_stack(&self, stack: &StackRecord, expected: u64) -> Result<(), StoreError> {
        let mut g = self.lock();
        let current = g
            .stacks
            .get(&stack.id)
            .ok_or_else(|| StoreError::NotFound(stack.id.clone()))?;
        if current.traversal != expected {
            return Err(StoreError::Conflict(stack.name.clone()));
        }
        g.stacks.insert(stack.id.clone(), stack.clone());
        Ok(())
    }

    async fn stack(&self, id_or_name: &str) -> Result<Option<StackRecord>, StoreError> {
        let g = self.lock();
        Ok(g.stacks
            .get(id_or_name)
            .or_else(|| g.stacks.values().find(|s| s.name == id_or_name))
            .cloned())
    }

    async fn stacks(&self) -> Result<Vec<StackRecord>, StoreError> {
        Ok(self.lock().stacks.values().cloned().collect())
    }

    async fn remove_stack(&self, id: &str) -> Result<(), StoreError> {
        let mut g = self.lock();
        g.stacks.remove(id);
        g.resources.retain(|(s, _), _| s != id);
        g.events.remove(id);
        Ok(())
    }

    async fn put_resource(&self, resource: &ResourceRecord) -> Result<(), StoreError> {
        self.lock().resources.insert(
            (resource.stack_id.clone(), resource.id.clone()),
            resource.clone(),
        );
        Ok(())
    }

    async fn remove_resource(&self, stack_id: &str, record_id: &str) -> Result<(), StoreError> {
        self.lock()
            .resources
            .remove(&(stack_id.to_string(), record_id.to_string()));
        Ok(())
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

    async fn add_event(&self, event: &Event) -> Result<(), StoreError> {
        self.lock()
            .events
            .entry(event.stack_id.clone())
            .or_default()
            .push(event.clone());
        Ok(())
    }

    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .lock()
            .events
            .get(stack_id)
            .cloned()
            .unwrap_or_default())
    }
}
