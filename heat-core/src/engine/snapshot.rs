//! A stack as data, as Heat gives it: [`Engine::stack_data`] (its
//! template, environment, files and every resource with its cloud id,
//! nested stacks' resources under theirs) is what `export` shows, what a
//! snapshot keeps and what `abandon` hands over. Snapshots are taken under
//! the stack's lease (`SNAPSHOT_IN_PROGRESS`, then `SNAPSHOT_COMPLETE`)
//! and restored as an update to their source (`RESTORE_*`). `abandon`
//! forgets a stack without touching the cloud; `adopt` makes a stack
//! from abandon data, taking over the cloud objects it names.

use std::sync::Arc;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::model::{Action, Snapshot, StackRecord, StackSource, Status};
use super::store::{Fence, StoreError, Write};
use super::{Engine, EngineError, RequestContext, StackOptions};
use crate::template::Template;

/// A source as abandon data gives it (template, files, environment).
pub fn source_of(data: &Json) -> Result<StackSource, EngineError> {
    let invalid = |m: &str| EngineError::Invalid(format!("Invalid stack data: {m}"));
    let template = match data.get("template") {
        Some(Json::String(t)) => t.clone(),
        Some(t @ Json::Object(_)) => t.to_string(),
        _ => return Err(invalid("it has no template")),
    };
    let object = |v: Option<&Json>| v.and_then(Json::as_object).cloned().unwrap_or_default();
    let env = data.get("environment");
    Ok(StackSource {
        template,
        files: object(data.get("files")),
        parameters: object(env.and_then(|e| e.get("parameters"))),
        parameter_defaults: object(env.and_then(|e| e.get("parameter_defaults"))),
        resource_registry: object(env.and_then(|e| e.get("resource_registry"))),
        facade: None,
    })
}

impl Engine {
    /// The stacks of a tree, `root` first, each with its depth, `depth`
    /// levels down.
    pub async fn stack_tree(
        &self,
        root: &StackRecord,
        depth: u32,
    ) -> Result<Vec<(StackRecord, u32)>, StoreError> {
        let mut out = vec![(root.clone(), 0)];
        if depth == 0 {
            return Ok(out);
        }
        let all = self.store.stacks(Some(&root.project)).await?;
        let mut i = 0;
        while i < out.len() {
            let (parent, d) = out[i].clone();
            if d < depth {
                for child in all
                    .iter()
                    .filter(|s| s.parent.as_ref().is_some_and(|(p, _)| *p == parent.id))
                {
                    out.push((child.clone(), d + 1));
                }
            }
            i += 1;
        }
        Ok(out)
    }

    /// Heat's data of a stack (`export`, snapshots, `abandon`).
    pub async fn stack_data(&self, stack: &StackRecord) -> Result<Json, EngineError> {
        let tree = self.stack_tree(stack, u32::MAX).await?;
        let stacks: Vec<StackRecord> = tree.into_iter().map(|(s, _)| s).collect();
        self.data_of(stack, &stacks).await
    }

    async fn data_of(
        &self,
        stack: &StackRecord,
        tree: &[StackRecord],
    ) -> Result<Json, EngineError> {
        let template = Template::parse(&stack.source.template)
            .map(|t| {
                Json::Object(
                    t.root
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_json()))
                        .collect(),
                )
            })
            .unwrap_or_else(|_| Json::String(stack.source.template.clone()));
        let mut resources = JsonMap::new();
        for r in self
            .store
            .resources(&stack.id)
            .await?
            .into_iter()
            .filter(|r| r.current)
        {
            let mut item = json!({
                "name": r.name,
                "resource_id": r.physical_id,
                "type": r.type_name,
                "action": r.action.name(),
                "status": r.status.name(),
                "metadata": if r.metadata.is_null() { json!({}) } else { r.metadata.clone() },
                "resource_data": {},
            });
            let child = tree.iter().find(|c| {
                c.parent
                    .as_ref()
                    .is_some_and(|(p, n)| *p == stack.id && *n == r.name)
            });
            if let Some(child) = child {
                let nested = Box::pin(self.data_of(child, tree)).await?;
                item["resources"] = nested["resources"].clone();
            }
            resources.insert(r.name.clone(), item);
        }
        let mut registry = json!({"resources": {}});
        for (k, v) in &stack.source.resource_registry {
            registry[k.as_str()] = v.clone();
        }
        Ok(json!({
            "name": stack.name,
            "id": stack.id,
            "action": stack.action.name(),
            "status": stack.status.name(),
            "template": template,
            "environment": {
                "parameters": stack.source.parameters,
                "parameter_defaults": stack.source.parameter_defaults,
                "resource_registry": registry,
                "event_sinks": [],
                "encrypted_param_names": [],
            },
            "files": stack.source.files,
            "resources": resources,
            "project_id": stack.project,
            "stack_user_project_id": stack.project,
            "tags": stack.tags,
        }))
    }

    fn fence_of(stack: &StackRecord) -> Fence {
        Fence {
            root: stack.id.clone(),
            token: stack.traversal,
        }
    }

    /// Snapshots a stack (accepted, then run): the snapshot is returned
    /// `IN_PROGRESS`, and is `COMPLETE` with the stack's data once the
    /// stack is `SNAPSHOT_COMPLETE`.
    pub async fn snapshot_stack(
        self: &Arc<Self>,
        stack: &StackRecord,
        name: &str,
    ) -> Result<Snapshot, EngineError> {
        let reason = "Stack SNAPSHOT started".to_string();
        let taken = self
            .take(stack, |s| {
                s.action = Action::Snapshot;
                s.status = Status::InProgress;
                s.reason = reason.clone();
                s.cancel = None;
            })
            .await?;
        let snapshot = Snapshot {
            id: self.ids.next(),
            stack_id: stack.id.clone(),
            name: name.to_string(),
            status: Status::InProgress,
            reason: String::new(),
            data: Json::Null,
            created_at: self.clock.now(),
        };
        self.write(
            &Self::fence_of(&taken),
            vec![Write::PutSnapshot(snapshot.clone())],
        )
        .await?;
        self.launch(taken, reason);
        Ok(snapshot)
    }

    /// The work of a `SNAPSHOT` operation: the snapshots still in progress
    /// get the stack's data.
    pub(super) async fn take_snapshots(
        &self,
        op: &super::lifecycle::Op,
        stack: &StackRecord,
    ) -> Result<(), String> {
        let pending: Vec<Snapshot> = self
            .store
            .snapshots(&stack.id)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|s| s.status == Status::InProgress)
            .collect();
        let data = self.stack_data(stack).await.map_err(|e| e.to_string())?;
        let writes = pending
            .into_iter()
            .map(|mut s| {
                s.status = Status::Complete;
                s.reason = "Stack SNAPSHOT completed successfully".into();
                s.data = data.clone();
                Write::PutSnapshot(s)
            })
            .collect();
        self.write_op(op, writes).await.map_err(|e| e.to_string())
    }

    /// A stack's snapshots.
    pub async fn snapshots(&self, stack: &StackRecord) -> Result<Vec<Snapshot>, EngineError> {
        Ok(self.store.snapshots(&stack.id).await?)
    }

    /// One snapshot of a stack.
    pub async fn snapshot(&self, stack: &StackRecord, id: &str) -> Result<Snapshot, EngineError> {
        self.snapshots(stack)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| EngineError::NotFound(format!("Snapshot with id {id}")))
    }

    /// Deletes a snapshot (the stack must not be busy).
    pub async fn delete_snapshot(&self, stack: &StackRecord, id: &str) -> Result<(), EngineError> {
        self.snapshot(stack, id).await?;
        let taken = self.take(stack, |_| {}).await?;
        self.write(
            &Self::fence_of(&taken),
            vec![
                Write::RemoveSnapshot {
                    stack_id: stack.id.clone(),
                    id: id.to_string(),
                },
                Write::Release(taken.id.clone()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Restores a snapshot: an update (`RESTORE_*`) to the template,
    /// environment and files the stack had when it was taken.
    pub async fn restore_snapshot(
        self: &Arc<Self>,
        stack: &StackRecord,
        id: &str,
    ) -> Result<StackRecord, EngineError> {
        let snapshot = self.snapshot(stack, id).await?;
        if snapshot.status != Status::Complete {
            return Err(EngineError::Invalid(format!(
                "Snapshot {id} is {} and cannot be restored",
                snapshot.status.name()
            )));
        }
        let source = source_of(&snapshot.data)?;
        self.update_as(stack, source, StackOptions::default(), Action::Restore)
            .await
    }

    /// Abandons a stack: it is forgotten (`DELETE_COMPLETE`, nested stacks
    /// and resources removed from the state) and its cloud objects are
    /// left as they are; the data returned names them, for `adopt`.
    pub async fn abandon_stack(&self, stack: &StackRecord) -> Result<Json, EngineError> {
        if stack.parent.is_some() {
            return Err(EngineError::Invalid(format!(
                "Stack {} is a nested stack; abandon its top-level stack",
                stack.name
            )));
        }
        let data = self.stack_data(stack).await?;
        let taken = self
            .take(stack, |s| {
                s.action = Action::Delete;
                s.status = Status::InProgress;
                s.reason = "Stack ABANDON started".into();
            })
            .await?;
        let tree = self.stack_tree(&taken, u32::MAX).await?;
        let mut writes = Vec::new();
        for (s, depth) in tree.iter().rev() {
            if *depth > 0 {
                writes.push(Write::RemoveStack(s.id.clone()));
                continue;
            }
            for r in self.store.resources(&s.id).await? {
                writes.push(Write::RemoveResource {
                    stack_id: s.id.clone(),
                    id: r.id,
                });
            }
        }
        for snap in self.store.snapshots(&taken.id).await? {
            writes.push(Write::RemoveSnapshot {
                stack_id: taken.id.clone(),
                id: snap.id,
            });
        }
        let mut done = taken.clone();
        done.status = Status::Complete;
        done.reason = "Stack ABANDON completed successfully".into();
        done.deleted_at = Some(self.clock.now());
        done.outputs = None;
        writes.push(Write::AddEvent(self.stack_event(&done, &done.reason)));
        writes.push(Write::UpdateStack(done.clone()));
        writes.push(Write::Release(done.id.clone()));
        self.write(&Self::fence_of(&taken), writes).await?;
        Ok(data)
    }

    /// Adopts a stack from abandon data (accepted, then run): its resources
    /// take over the cloud objects the data names (`ADOPT_COMPLETE` once
    /// each is read from the cloud); nested stacks are made anew around
    /// their adopted resources.
    pub async fn adopt_stack(
        self: &Arc<Self>,
        ctx: &RequestContext,
        name: &str,
        data: &Json,
        mut source: StackSource,
        options: StackOptions,
    ) -> Result<StackRecord, EngineError> {
        let from = source_of(data)?;
        if source.template.is_empty() {
            source.template = from.template;
        }
        for (k, v) in from.files {
            source.files.entry(k).or_insert(v);
        }
        for (k, v) in from.parameters {
            source.parameters.entry(k).or_insert(v);
        }
        for (k, v) in from.parameter_defaults {
            source.parameter_defaults.entry(k).or_insert(v);
        }
        let resources = data.get("resources").cloned().unwrap_or_else(|| json!({}));
        self.create_as(ctx, name, source, options, Some(resources))
            .await
    }
}
