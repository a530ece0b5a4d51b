//! Who drives a stack: leases, their renewal, takeover of abandoned
//! stacks, and waiting for an operation wherever it runs.
//!
//! An engine renews the leases of the operations it runs (one store call
//! per interval, a quarter of the lease) and learns, in the same call,
//! which stacks it still holds and which stop requests were stored for
//! them. A stack whose holder stopped renewing is abandoned once its lease
//! expires; any engine may then take it over (bumping the fencing token)
//! and finish or roll back its operation.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::cancel::CancelReason;
use super::model::{EngineRecord, Lease, StackRecord};
use super::store::{StoreError, Write};
use super::{Engine, EngineError};

impl Engine {
    /// A lease for this engine from now.
    pub(super) fn new_lease(&self) -> Lease {
        Lease {
            engine: self.id.clone(),
            expires_at: self.clock.now() + self.config.lease.as_secs_f64(),
        }
    }

    pub(super) fn renew_interval(&self) -> Duration {
        (self.config.lease / 4).max(Duration::from_millis(10))
    }

    /// This engine as `service list` shows it.
    fn record(&self, now: f64) -> EngineRecord {
        EngineRecord {
            id: self.id.clone(),
            host: std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
            pid: std::process::id(),
            started_at: self.started_at,
            heartbeat_at: now,
        }
    }

    /// Starts the renewal loop (once), the first time an operation runs.
    pub(super) fn ensure_heartbeat(self: &Arc<Self>) {
        if self.heartbeat_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let me = Arc::downgrade(self);
        self.spawner.spawn(Box::pin(heartbeat(me)));
    }

    /// Renews the leases of the operations running here; an operation
    /// whose stack was taken over stops; stored stop requests reach the
    /// operations they name.
    pub(super) async fn renew_once(&self) {
        let seen = self.generation.load(Ordering::SeqCst);
        let running: Vec<(String, u64)> = self
            .ops
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|(_, r)| r.generation <= seen)
            .map(|(id, r)| (id.clone(), r.generation))
            .collect();
        let now = self.clock.now();
        let _ = self.store.heartbeat(&self.record(now)).await;
        if running.is_empty() {
            return;
        }
        let ids: Vec<String> = running.iter().map(|(id, _)| id.clone()).collect();
        let expires = now + self.config.lease.as_secs_f64();
        let Ok(held) = self.store.renew(&self.id, &ids, expires).await else {
            // The store is unreachable: try again next time. Should another
            // engine take the stacks over meanwhile, our writes are fenced.
            return;
        };
        let ops = self.ops.lock().expect("not poisoned");
        for (id, _) in &running {
            let Some(r) = ops.get(id) else { continue };
            match held.iter().find(|h| &h.stack_id == id) {
                Some(h) if h.token == r.op.fence.token => {
                    if let Some(request) = h.cancel {
                        r.op.request(request);
                    }
                }
                _ => r.op.control.cancel(CancelReason::Lost),
            }
        }
    }

    /// Takes a top-level stack for a new operation: `change` describes the
    /// operation's start; refused while another operation runs on it.
    pub(super) async fn take(
        &self,
        current: &StackRecord,
        change: impl FnOnce(&mut StackRecord),
    ) -> Result<StackRecord, EngineError> {
        if let Some((parent, _)) = &current.parent {
            return Err(EngineError::Invalid(format!(
                "Stack {} is a nested stack (of {parent}); operate on its top-level stack",
                current.name
            )));
        }
        if current.in_progress() {
            return Err(EngineError::InProgress(
                current.name.clone(),
                current.status_text(),
            ));
        }
        self.acquire(current, change).await
    }

    /// Writes `current` changed by `change` with this engine's lease,
    /// compare-and-swap on its traversal.
    pub(super) async fn acquire(
        &self,
        current: &StackRecord,
        change: impl FnOnce(&mut StackRecord),
    ) -> Result<StackRecord, EngineError> {
        let mut next = current.clone();
        change(&mut next);
        next.traversal = current.traversal + 1;
        next.lease = Some(self.new_lease());
        // The start of a later action (not a takeover, nor a lease taken
        // for a scaling): Heat's `updated_time`.
        if next.action != current.action || next.status != current.status {
            next.updated_at = Some(self.clock.now());
        }
        match self
            .store
            .acquire(&next, current.traversal, self.clock.now())
            .await
        {
            Ok(()) => Ok(next),
            Err(StoreError::Leased { .. } | StoreError::Conflict(_)) => Err(
                EngineError::InProgress(current.name.clone(), "another operation".into()),
            ),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes over a top-level stack whose operation was abandoned (its
    /// engine stopped renewing the lease) and finishes that operation in
    /// the background; `None` when the stack is not abandoned.
    pub async fn resume_abandoned(
        self: &Arc<Self>,
        stack: &StackRecord,
    ) -> Result<Option<StackRecord>, EngineError> {
        let now = self.clock.now();
        if stack.root.is_some()
            || !stack.in_progress()
            || stack.leased_at(now)
            || self.running(&stack.id).is_some()
        {
            return Ok(None);
        }
        let previous = stack.lease.as_ref().map(|l| l.engine.clone());
        let taken = match self.acquire(stack, |_| {}).await {
            Ok(t) => t,
            Err(EngineError::InProgress(..)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let reason = match previous {
            Some(engine) => format!(
                "Stack {} resumed: engine {engine} stopped",
                taken.action.name()
            ),
            None => format!(
                "Stack {} resumed after an engine restart",
                taken.action.name()
            ),
        };
        let me = self.clone();
        let started = taken.clone();
        self.spawner.spawn(Box::pin(async move {
            let me2 = me.clone();
            me.own(started, |op, stack| async move {
                let event = me2.stack_event(&stack, &reason);
                me2.write_op(&op, vec![Write::AddEvent(event)]).await.ok()?;
                me2.drive(op, stack, None).await
            })
            .await;
        }));
        Ok(Some(taken))
    }

    /// Takes over every abandoned top-level stack (a server does this
    /// periodically); the stacks resumed.
    pub async fn resume_all_abandoned(self: &Arc<Self>) -> Result<Vec<StackRecord>, EngineError> {
        let mut out = Vec::new();
        for s in self.store.in_progress().await? {
            if let Some(taken) = self.resume_abandoned(&s).await? {
                out.push(taken);
            }
        }
        Ok(out)
    }

    /// Waits until a stack's operation has ended, wherever it runs (a stack
    /// is busy while in progress or held by a live lease, as while a group
    /// scales): its final record, or `None` once the stack is gone
    /// (deleted). A stack abandoned meanwhile is taken over and finished
    /// here. `Fenced` when the operation this engine ran on the stack lost
    /// it to another engine.
    pub async fn wait(
        self: &Arc<Self>,
        stack_id: &str,
    ) -> Result<Option<StackRecord>, EngineError> {
        let mut delay = Duration::from_millis(20);
        loop {
            if let Some((op, done)) = self.running(stack_id) {
                let result = done.await;
                if op.lost() {
                    return Err(EngineError::Store(StoreError::Fenced(stack_id.to_string())));
                }
                if let Ok(Some(r)) = result {
                    if !r.in_progress() && r.lease.is_none() {
                        return Ok(Some(r));
                    }
                }
            }
            let released = self.released.listen();
            match self.store.stack(stack_id).await? {
                None => return Ok(None),
                Some(s) if !s.in_progress() && !s.leased_at(self.clock.now()) => {
                    return Ok(Some(s))
                }
                Some(s) => {
                    if self.resume_abandoned(&s).await?.is_some() {
                        continue;
                    }
                    futures::future::select(self.clock.sleep(delay), released).await;
                    delay = (delay * 2).min(self.config.poll);
                }
            }
        }
    }
}

async fn heartbeat(engine: Weak<Engine>) {
    loop {
        let Some(e) = engine.upgrade() else { return };
        let sleep = e.clock.sleep(e.renew_interval());
        let stop = e.stop_requested.listen();
        drop(e);
        futures::future::select(sleep, stop).await;
        let Some(e) = engine.upgrade() else { return };
        e.renew_once().await;
    }
}
