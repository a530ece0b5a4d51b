//! Making a resource: a new record persisted before the cloud is called,
//! the physical id persisted the moment the cloud returns it, then the
//! wait until ready (cut short if the operation stops). An interrupted
//! create is resumed from its record: the object is found by its tags when
//! its id was never recorded, as it is before a create is retried after a
//! transient failure (whose reply may have been lost).

use serde_json::Map as JsonMap;

use super::save;
use crate::engine::cancel::Cancel;
use crate::engine::driver::ResourceSpec;
use crate::engine::lifecycle::Op;
use crate::engine::live::Live;
use crate::engine::model::{Action, ResourceRecord, StackRecord, Status};
use crate::engine::store::Write;
use crate::engine::Engine;

/// One resource being made.
pub(super) struct Make<'a, 'd, 't> {
    pub e: &'a Engine,
    pub op: &'a Op,
    pub cancel: &'a Cancel,
    pub stack: &'a StackRecord,
    pub live: &'a Live<'d, 't>,
    pub spec: &'a ResourceSpec,
    /// The cloud object an `external_id` names: adopted, not created.
    pub external: Option<&'a str>,
}

impl Make<'_, '_, '_> {
    /// [`Make::create`] as a [`super::Job`] (built here, on the heap).
    pub fn create_job(
        &self,
        requires: Vec<String>,
        deletion_policy: String,
        replacing: Option<ResourceRecord>,
    ) -> super::Job<'_> {
        Box::pin(self.create(requires, deletion_policy, replacing))
    }

    /// [`Make::resume`] as a [`super::Job`].
    pub fn resume_job(&self, r: ResourceRecord) -> super::Job<'_> {
        Box::pin(self.resume(r))
    }

    /// Creates the resource (a new record, or a replacement of `replacing`).
    pub async fn create(
        &self,
        requires: Vec<String>,
        deletion_policy: String,
        replacing: Option<ResourceRecord>,
    ) -> Result<(), String> {
        let e = self.e;
        let adopted = self
            .external
            .map(str::to_string)
            .or_else(|| self.adopted_id());
        let action = if adopted.is_some() {
            Action::Adopt
        } else {
            Action::Create
        };
        let mut r = ResourceRecord {
            id: e.ids.next(),
            stack_id: self.stack.id.clone(),
            name: self.spec.name.clone(),
            type_name: self.spec.type_name.clone(),
            physical_id: adopted,
            action,
            status: Status::InProgress,
            reason: "state changed".into(),
            properties: self.spec.properties.clone(),
            attributes: JsonMap::new(),
            metadata: self.spec.metadata.clone(),
            current: replacing.is_none(),
            requires,
            deletion_policy,
            updated_at: e.clock.now(),
            created_at: e.clock.now(),
        };
        e.persist(
            self.op,
            self.stack,
            &mut r,
            action,
            Status::InProgress,
            "state changed",
        )
        .await?;
        if r.current {
            self.live.set(r.clone());
        }
        self.finish(r, replacing).await
    }

    /// While a stack is adopted: the cloud object its abandon data gives
    /// the resource (nested stacks are made anew, their own resources
    /// adopted).
    fn adopted_id(&self) -> Option<String> {
        if self.stack.action != Action::Adopt
            || self
                .e
                .special(self.stack, &self.spec.type_name, &self.spec.name)
                .is_some()
        {
            return None;
        }
        self.stack
            .adopt
            .as_ref()?
            .get(&self.spec.name)?
            .get("resource_id")?
            .as_str()
            .filter(|id| !id.is_empty())
            .map(str::to_string)
    }

    /// Picks up a create that an engine left in progress.
    pub async fn resume(&self, mut r: ResourceRecord) -> Result<(), String> {
        if r.physical_id.is_none() {
            if let Some(found) = self.e.backend_find(self.stack, &r.name, &r.type_name).await {
                let reason =
                    format!("found {found}, made before the engine stopped: taken, not made again");
                r.physical_id = Some(found);
                let action = r.action;
                self.e
                    .persist(
                        self.op,
                        self.stack,
                        &mut r,
                        action,
                        Status::InProgress,
                        &reason,
                    )
                    .await?;
            }
        }
        r.properties = self.spec.properties.clone();
        r.metadata = self.spec.metadata.clone();
        self.finish(r, None).await
    }

    async fn finish(
        &self,
        mut r: ResourceRecord,
        replacing: Option<ResourceRecord>,
    ) -> Result<(), String> {
        let (e, op, cancel, stack, spec) = (self.e, self.op, self.cancel, self.stack, self.spec);
        let path = format!("resources.{}", spec.name);
        if r.physical_id.is_none() {
            if cancel.is_cancelled() {
                return self.failed(r, &path, "CREATE cancelled").await;
            }
            // A transient failure may have lost the reply to a create the
            // cloud carried out (a timeout, a gateway's 504): before each
            // retry, the object is looked for by its tags, so it is taken
            // rather than made twice and the first one forgotten.
            let retrying = std::sync::atomic::AtomicBool::new(false);
            let attempt = || async {
                if retrying.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    if let Some(found) = e.backend_find(stack, &spec.name, &spec.type_name).await {
                        return Ok(found);
                    }
                }
                e.backend_create(op, stack, spec).await
            };
            match e.retry(cancel, attempt).await {
                Ok(id) => {
                    r.physical_id = Some(id);
                    r.updated_at = e.clock.now();
                    save(e, op, &r).await?;
                }
                Err(err) => return self.failed(r, &path, &err.message).await,
            }
        }
        let pid = r.physical_id.clone().expect("set above");
        match e
            .retry(cancel, || e.backend_wait(op, cancel, stack, spec, &pid))
            .await
        {
            Ok(attrs) => {
                r.attributes = attrs;
                r.current = true;
                let mut writes = Vec::new();
                if r.action != Action::Adopt {
                    r.action = Action::Create;
                }
                r.status = Status::Complete;
                r.reason = "state changed".into();
                r.updated_at = e.clock.now();
                writes.push(Write::PutResource(r.clone()));
                writes.push(Write::AddEvent(e.resource_event(
                    stack,
                    &r,
                    "state changed",
                )));
                if let Some(mut old) = replacing {
                    old.current = false;
                    writes.push(Write::PutResource(old));
                }
                e.write_op(op, writes).await.map_err(|e| e.to_string())?;
                self.live.set(r);
                Ok(())
            }
            Err(err) => self.failed(r, &path, &err.message).await,
        }
    }

    /// Records a failed create; the stack uses the failed record unless it
    /// was a replacement.
    async fn failed(&self, mut r: ResourceRecord, path: &str, message: &str) -> Result<(), String> {
        let action = if r.action == Action::Adopt {
            Action::Adopt
        } else {
            Action::Create
        };
        self.e
            .persist(self.op, self.stack, &mut r, action, Status::Failed, message)
            .await?;
        if r.current {
            self.live.set(r);
        }
        Err(format!("{path}: {message}"))
    }
}
