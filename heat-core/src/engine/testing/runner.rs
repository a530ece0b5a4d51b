//! [`Runner`]: the stack service with operations that wait for their end,
//! by stack name, for tests.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::{Engine, EngineError, RequestContext, StackOptions, StackRecord, StackSource};
use crate::service::{SourceParts, StackService, UpdateRequest};

/// The engine behind the stack service, with operations that wait for
/// their end (as the CLI follows them), by stack name in the default
/// project.
#[derive(Clone)]
pub struct Runner {
    /// The service.
    pub service: StackService,
    /// The caller.
    pub ctx: RequestContext,
}

impl Runner {
    /// A runner over an engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        Runner {
            service: StackService::new(engine),
            ctx: RequestContext::default(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        self.service.engine()
    }

    /// `find`, waiting for the end of the operation where there is one.
    pub async fn find(&self, name: &str) -> Result<StackRecord, EngineError> {
        self.engine()
            .store()
            .find_stack(&self.ctx.project, name)
            .await?
            .ok_or_else(|| EngineError::NotFound(name.to_string()))
    }

    /// Waits for the end of the operation on a stack: its final record
    /// (`DELETE_COMPLETE` once it is gone).
    pub async fn wait(&self, accepted: StackRecord) -> StackRecord {
        match self.engine().wait(&accepted.id).await.unwrap() {
            Some(s) => s,
            None => StackRecord {
                action: crate::engine::Action::Delete,
                status: crate::engine::Status::Complete,
                reason: "Stack DELETE completed successfully".into(),
                ..accepted
            },
        }
    }

    /// `create_stack`, waiting for the end of the operation where there is one.
    pub async fn create_stack(
        &self,
        name: &str,
        source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let accepted = self
            .engine()
            .create_stack(&self.ctx, name, source, options)
            .await?;
        Ok(self.wait(accepted).await)
    }

    /// `update_stack`, waiting for the end of the operation where there is one.
    pub async fn update_stack(
        &self,
        name: &str,
        source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().update_stack(&stack, source, options).await?;
        Ok(self.wait(accepted).await)
    }

    /// A PATCH update: new parameter values over the stack's, some cleared.
    pub async fn patch(
        &self,
        name: &str,
        parameters: serde_json::Map<String, serde_json::Value>,
        clear: Vec<String>,
    ) -> StackRecord {
        let request = UpdateRequest {
            parts: SourceParts {
                parameters,
                ..SourceParts::default()
            },
            existing: true,
            clear_parameters: clear,
            options: StackOptions::default(),
        };
        let accepted = self
            .service
            .update(&self.ctx, name, &request)
            .await
            .unwrap();
        self.wait(accepted).await
    }

    /// `delete_stack`, waiting for the end of the operation where there is one.
    pub async fn delete_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().delete_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    /// `check_stack`, waiting for the end of the operation where there is one.
    pub async fn check_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().check_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    /// `suspend_stack`, waiting for the end of the operation where there is one.
    pub async fn suspend_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().suspend_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    /// `resume_stack`, waiting for the end of the operation where there is one.
    pub async fn resume_stack(&self, name: &str) -> Result<StackRecord, EngineError> {
        let stack = self.find(name).await?;
        let accepted = self.engine().resume_stack(&stack).await?;
        Ok(self.wait(accepted).await)
    }

    /// `preview_update`, waiting for the end of the operation where there is one.
    pub async fn preview_update(
        &self,
        name: &str,
        source: StackSource,
    ) -> Result<Vec<crate::engine::Change>, EngineError> {
        let stack = self.find(name).await?;
        self.engine().preview_update(&stack, &source).await
    }

    /// `cancel_update`, waiting for the end of the operation where there is one.
    pub async fn cancel_update(&self, name: &str, rollback: bool) -> Result<(), EngineError> {
        let stack = self.find(name).await?;
        self.engine().cancel_update(&stack, rollback).await
    }

    /// Takes over every abandoned stack (once their leases expired) and
    /// finishes their operations: the final records.
    pub async fn recover(&self) -> Vec<StackRecord> {
        let e = self.engine();
        e.clock()
            .sleep(e.config().lease + Duration::from_secs(1))
            .await;
        let taken = self.engine().resume_all_abandoned().await.unwrap();
        let mut out = Vec::new();
        for t in taken {
            out.push(self.wait(t).await);
        }
        out
    }

    /// `signal`, waiting for the end of the operation where there is one.
    pub async fn signal(
        &self,
        name: &str,
        resource: &str,
        data: serde_json::Value,
    ) -> Result<(), EngineError> {
        let stack = self.find(name).await?;
        self.engine().signal(&stack, resource, data).await?;
        // A signal to a settled stack may start an operation (a scaling
        // policy's): wait for it.
        if !stack.in_progress() {
            self.engine().wait(stack.root_id()).await?;
        }
        Ok(())
    }
}
