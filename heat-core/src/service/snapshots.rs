//! The stack as data through the service: export, snapshots (take, list,
//! show, delete, restore), abandon and adopt, each in the caller's project.

use serde_json::Value as Json;

use super::{assemble, ServiceError, SourceParts, StackService};
use crate::engine::{RequestContext, Snapshot, StackOptions, StackRecord};

impl StackService {
    /// Heat's data of a stack (`export`).
    pub async fn export(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<Json, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.stack_data(&stack).await?)
    }

    /// Snapshots a stack (accepted, then run).
    pub async fn snapshot(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        name: &str,
    ) -> Result<Snapshot, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.snapshot_stack(&stack, name).await?)
    }

    /// A stack's snapshots, oldest first.
    pub async fn snapshots(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<Vec<Snapshot>, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.snapshots(&stack).await?)
    }

    /// One snapshot of a stack.
    pub async fn snapshot_show(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        snapshot: &str,
    ) -> Result<Snapshot, ServiceError> {
        Ok(self.stack_and_snapshot(ctx, id_or_name, snapshot).await?.1)
    }

    async fn stack_and_snapshot(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        snapshot: &str,
    ) -> Result<(StackRecord, Snapshot), ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        let found = self
            .engine
            .snapshots(&stack)
            .await?
            .into_iter()
            .find(|s| s.id == snapshot)
            .ok_or_else(|| ServiceError::SnapshotNotFound(snapshot.to_string()))?;
        Ok((stack, found))
    }

    /// Deletes a snapshot.
    pub async fn delete_snapshot(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        snapshot: &str,
    ) -> Result<(), ServiceError> {
        let (stack, found) = self.stack_and_snapshot(ctx, id_or_name, snapshot).await?;
        Ok(self.engine.delete_snapshot(&stack, &found.id).await?)
    }

    /// Restores a snapshot (accepted, then run).
    pub async fn restore(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
        snapshot: &str,
    ) -> Result<StackRecord, ServiceError> {
        let (stack, found) = self.stack_and_snapshot(ctx, id_or_name, snapshot).await?;
        Ok(self.engine.restore_snapshot(&stack, &found.id).await?)
    }

    /// Abandons a stack: forgotten, its cloud objects left as they are;
    /// the data returned names them.
    pub async fn abandon(
        &self,
        ctx: &RequestContext,
        id_or_name: &str,
    ) -> Result<Json, ServiceError> {
        let stack = self.show(ctx, id_or_name).await?;
        Ok(self.engine.abandon_stack(&stack).await?)
    }

    /// Adopts a stack from abandon data (accepted, then run); the parts
    /// may add files, environments and parameters, and a template (else
    /// the data's).
    pub async fn adopt(
        &self,
        ctx: &RequestContext,
        name: &str,
        data: &Json,
        parts: &SourceParts,
        options: StackOptions,
    ) -> Result<StackRecord, ServiceError> {
        let mut parts = parts.clone();
        if parts.template.is_none() {
            parts.template = Some(
                crate::engine::source_of(data)
                    .map_err(ServiceError::from)?
                    .template,
            );
        }
        let source = assemble(&parts, None)?;
        self.engine
            .adopt_stack(ctx, name, data, source, options)
            .await
            .map_err(|e| ServiceError::from_engine(e, &parts.template_name))
    }
}
