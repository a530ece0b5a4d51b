//! What `heat stack ...` talks to: [`Backend`] is the stack service's
//! calls as the verbs need them. [`LocalBackend`] runs the service, the
//! engine and the cloud in this process on the state file;
//! `remote::RemoteBackend` talks to a heat-rs server (or Heat) over its
//! native API (`--url`, `HEAT_URL`). The verbs are written once, over this
//! trait.

use std::sync::Mutex;

use async_trait::async_trait;
use futures::channel::mpsc::UnboundedReceiver;
use heat_core::engine::{Change, Event, RequestContext, StackOptions, StackRecord};
use heat_core::service::{
    EventQuery, ResourceQuery, ResourceView, ServiceError, SourceParts, StackQuery, UpdateRequest,
};
use heat_server::builder::Local;
use serde_json::Value as Json;

/// The stack service as the verbs call it.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Creates a stack (accepted, then run).
    async fn create(
        &self,
        name: &str,
        parts: &SourceParts,
        options: StackOptions,
    ) -> Result<StackRecord, ServiceError>;
    /// Updates a stack (accepted, then run).
    async fn update(&self, name: &str, r: &UpdateRequest) -> Result<StackRecord, ServiceError>;
    /// What an update would do (`nested`: to the nested stacks too).
    async fn preview_update(
        &self,
        name: &str,
        r: &UpdateRequest,
        nested: bool,
    ) -> Result<Vec<Change>, ServiceError>;
    /// Deletes a stack (accepted, then run).
    async fn delete(&self, name: &str) -> Result<StackRecord, ServiceError>;
    /// The caller's stacks.
    async fn list(&self, q: &StackQuery) -> Result<Vec<StackRecord>, ServiceError>;
    /// One stack, by name or id.
    async fn show(&self, name: &str) -> Result<StackRecord, ServiceError>;
    /// A stack's resources.
    async fn resources(
        &self,
        name: &str,
        q: &ResourceQuery,
    ) -> Result<Vec<ResourceView>, ServiceError>;
    /// One resource.
    async fn resource(&self, name: &str, resource: &str) -> Result<ResourceView, ServiceError>;
    /// A resource's metadata (a server's with its `deployments`).
    async fn metadata(&self, name: &str, resource: &str) -> Result<Json, ServiceError>;
    /// A stack's events, oldest first.
    async fn events(&self, name: &str, q: &EventQuery) -> Result<Vec<Event>, ServiceError>;
    /// Signals a resource.
    async fn signal(&self, name: &str, resource: &str, data: Json) -> Result<(), ServiceError>;
    /// Cancels a running update.
    async fn cancel_update(&self, name: &str, rollback: bool) -> Result<(), ServiceError>;
    /// Checks a stack (accepted, then run).
    async fn check(&self, name: &str) -> Result<StackRecord, ServiceError>;
    /// Suspends a stack (accepted, then run).
    async fn suspend(&self, name: &str) -> Result<StackRecord, ServiceError>;
    /// Resumes a stack (accepted, then run).
    async fn resume(&self, name: &str) -> Result<StackRecord, ServiceError>;
    /// Waits until a stack's operation ends: its final record, `None`
    /// once gone.
    async fn wait(&self, id: &str) -> Result<Option<StackRecord>, ServiceError>;
    /// Takes over a stack whose operation a stopped `heat` left (local
    /// mode only: a server does that itself).
    async fn resume_abandoned(&self, name: &str) -> Result<Option<StackRecord>, ServiceError>;
    /// A stack's template, as text.
    async fn template(&self, stack: &StackRecord) -> Result<String, ServiceError>;
    /// The events of the operation `accepted` started, as they come
    /// (until the follower stops reading).
    fn progress(&self, accepted: &StackRecord) -> UnboundedReceiver<Event>;
    /// The operation followed has ended.
    fn followed(&self) {}
}

/// The service, engine and cloud in this process.
pub struct LocalBackend {
    local: Local,
    ctx: RequestContext,
    /// Events from before the next operation is asked for.
    events: Mutex<Option<UnboundedReceiver<Event>>>,
}

impl LocalBackend {
    /// Over an opened state file.
    pub fn new(local: Local) -> Self {
        let events = Mutex::new(Some(local.engine.subscribe()));
        LocalBackend {
            local,
            ctx: RequestContext::default(),
            events,
        }
    }
}

#[async_trait]
impl Backend for LocalBackend {
    async fn create(
        &self,
        name: &str,
        parts: &SourceParts,
        options: StackOptions,
    ) -> Result<StackRecord, ServiceError> {
        self.local
            .service
            .create(&self.ctx, name, parts, options)
            .await
    }
    async fn update(&self, name: &str, r: &UpdateRequest) -> Result<StackRecord, ServiceError> {
        self.local.service.update(&self.ctx, name, r).await
    }
    async fn preview_update(
        &self,
        name: &str,
        r: &UpdateRequest,
        nested: bool,
    ) -> Result<Vec<Change>, ServiceError> {
        self.local
            .service
            .preview_update_as(&self.ctx, name, r, nested)
            .await
    }
    async fn delete(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.local.service.delete(&self.ctx, name).await
    }
    async fn list(&self, q: &StackQuery) -> Result<Vec<StackRecord>, ServiceError> {
        self.local.service.list(&self.ctx, q).await
    }
    async fn show(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.local.service.show(&self.ctx, name).await
    }
    async fn resources(
        &self,
        name: &str,
        q: &ResourceQuery,
    ) -> Result<Vec<ResourceView>, ServiceError> {
        self.local.service.resources(&self.ctx, name, q).await
    }
    async fn resource(&self, name: &str, resource: &str) -> Result<ResourceView, ServiceError> {
        self.local.service.resource(&self.ctx, name, resource).await
    }
    async fn metadata(&self, name: &str, resource: &str) -> Result<Json, ServiceError> {
        let v = self.resource(name, resource).await?;
        Ok(match v.record.metadata {
            Json::Null => Json::Object(Default::default()),
            m => m,
        })
    }
    async fn events(&self, name: &str, q: &EventQuery) -> Result<Vec<Event>, ServiceError> {
        self.local.service.events(&self.ctx, name, q).await
    }
    async fn signal(&self, name: &str, resource: &str, data: Json) -> Result<(), ServiceError> {
        self.local
            .service
            .signal(&self.ctx, name, resource, data)
            .await
    }
    async fn cancel_update(&self, name: &str, rollback: bool) -> Result<(), ServiceError> {
        self.local
            .service
            .cancel_update(&self.ctx, name, rollback)
            .await
    }
    async fn check(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.local.service.check(&self.ctx, name).await
    }
    async fn suspend(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.local.service.suspend(&self.ctx, name).await
    }
    async fn resume(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.local.service.resume(&self.ctx, name).await
    }
    async fn wait(&self, id: &str) -> Result<Option<StackRecord>, ServiceError> {
        self.local.service.wait(&self.ctx, id).await
    }
    async fn resume_abandoned(&self, name: &str) -> Result<Option<StackRecord>, ServiceError> {
        self.local.service.resume_abandoned(&self.ctx, name).await
    }
    async fn template(&self, stack: &StackRecord) -> Result<String, ServiceError> {
        Ok(stack.source.template.clone())
    }
    fn progress(&self, _accepted: &StackRecord) -> UnboundedReceiver<Event> {
        let mut slot = self.events.lock().expect("not poisoned");
        // The events since the last operation was followed; the next one
        // listens from now.
        slot.take().unwrap_or_else(|| self.local.engine.subscribe())
    }
    fn followed(&self) {
        // The next operation's events, from now.
        *self.events.lock().expect("not poisoned") = Some(self.local.engine.subscribe());
    }
}
