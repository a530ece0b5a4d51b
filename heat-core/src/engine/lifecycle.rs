//! The life of an operation once accepted: registered as running in this
//! engine, driven (converge, then finish, fail, roll back or delete), and
//! concluded by one write that records the outcome and releases the
//! stack's lease.
//!
//! Cancellation tokens of an operation: `control` is cancelled only when
//! the engine loses the lease ([`CancelReason::Lost`]: no write, no cloud
//! call after that); each phase (converge, rollback, delete) has its own
//! token under it, which a user's cancel, the timeout or a delete request
//! cancels; traversals and nested stacks hang their tokens below.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use serde_json::{Map as JsonMap, Value as Json};

use super::cancel::{Cancel, CancelReason};
use super::model::{Action, CancelRequest, ResourceRecord, StackRecord, Status};
use super::store::{Fence, StoreError, Write};
use super::{converge, Engine};
use crate::definition::StackDefinition;

/// An operation this engine runs.
pub(super) struct Op {
    /// The fence every write of the operation carries.
    pub fence: Fence,
    /// Cancelled when the lease is lost.
    pub control: Cancel,
    phase: Mutex<Cancel>,
    deleting: AtomicBool,
    delete_requested: AtomicBool,
    user_cancel_seen: AtomicBool,
    /// The user's cancel, once asked: whether to roll back.
    user_cancel: Mutex<Option<bool>>,
}

impl Op {
    fn new(fence: Fence) -> Self {
        let control = Cancel::new();
        let phase = control.child();
        Op {
            fence,
            control,
            phase: Mutex::new(phase),
            deleting: AtomicBool::new(false),
            delete_requested: AtomicBool::new(false),
            user_cancel_seen: AtomicBool::new(false),
            user_cancel: Mutex::new(None),
        }
    }

    /// The user's cancel, if one was asked (whether to roll back).
    fn user_cancel(&self) -> Option<bool> {
        *self.user_cancel.lock().expect("not poisoned")
    }

    /// Whether the engine lost the stack: nothing may be written.
    pub fn lost(&self) -> bool {
        self.control.reason() == Some(CancelReason::Lost)
    }

    /// Starts a phase: a fresh token under `control`.
    fn new_phase(&self, deleting: bool) -> Cancel {
        let c = self.control.child();
        *self.phase.lock().expect("not poisoned") = c.clone();
        self.deleting.store(deleting, Ordering::SeqCst);
        c
    }

    fn phase(&self) -> Cancel {
        self.phase.lock().expect("not poisoned").clone()
    }

    /// A stored or local stop request reaches the operation.
    pub fn request(&self, request: CancelRequest) {
        match request {
            CancelRequest::Delete => {
                self.delete_requested.store(true, Ordering::SeqCst);
                if !self.deleting.load(Ordering::SeqCst) {
                    self.phase().cancel(CancelReason::Delete);
                }
            }
            CancelRequest::Rollback | CancelRequest::NoRollback => {
                if !self.user_cancel_seen.swap(true, Ordering::SeqCst) {
                    let rollback = request == CancelRequest::Rollback;
                    *self.user_cancel.lock().expect("not poisoned") = Some(rollback);
                    self.phase().cancel(CancelReason::User { rollback });
                }
            }
        }
    }

    fn delete_requested(&self) -> bool {
        self.delete_requested.load(Ordering::SeqCst)
    }
}

/// Completes with an operation's final record (`None` when it lost its
/// stack).
pub(super) type Done = Shared<oneshot::Receiver<Option<StackRecord>>>;

/// An operation running in this engine, as the registry keeps it.
pub(super) struct Running {
    pub op: Arc<Op>,
    pub done: Done,
    pub generation: u64,
}

impl Engine {
    /// Registers the operation on a top-level stack this engine has just
    /// taken, runs `body`, then unregisters it and tells whoever waits.
    pub(super) async fn own<F, Fut>(self: &Arc<Self>, stack: StackRecord, body: F)
    where
        F: FnOnce(Arc<Op>, StackRecord) -> Fut,
        Fut: std::future::Future<Output = Option<StackRecord>>,
    {
        let root = stack.id.clone();
        let op = Arc::new(Op::new(Fence {
            root: root.clone(),
            token: stack.traversal,
        }));
        if let Some(request) = stack.cancel {
            op.request(request);
        }
        let (tx, rx) = oneshot::channel();
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.ops.lock().expect("not poisoned").insert(
            root.clone(),
            Running {
                op: op.clone(),
                done: rx.shared(),
                generation,
            },
        );
        self.ensure_heartbeat();
        let result = body(op, stack).await;
        self.ops.lock().expect("not poisoned").remove(&root);
        let _ = tx.send(result);
    }

    /// The running operation on a top-level stack, if it runs here.
    pub(super) fn running(&self, root: &str) -> Option<(Arc<Op>, Done)> {
        self.ops
            .lock()
            .expect("not poisoned")
            .get(root)
            .map(|r| (r.op.clone(), r.done.clone()))
    }

    /// Writes under the operation's fence; a refused fence means the lease
    /// is lost, and the operation stops.
    pub(super) async fn write_op(&self, op: &Op, writes: Vec<Write>) -> Result<(), StoreError> {
        if op.lost() {
            return Err(StoreError::Fenced(op.fence.root.clone()));
        }
        let r = self.write(&op.fence, writes).await;
        if let Err(StoreError::Fenced(_)) = &r {
            op.control.cancel(CancelReason::Lost);
        }
        r
    }

    /// Moves a stack to a new action and status (and records the event).
    pub(super) async fn transition(
        &self,
        op: &Op,
        stack: &StackRecord,
        action: Action,
        status: Status,
        reason: &str,
    ) -> Result<StackRecord, StoreError> {
        self.transition_after(op, stack, action, status, reason, Vec::new())
            .await
    }

    /// [`transition`](Self::transition), written together with `earlier`
    /// (so that no reader sees the state in between).
    async fn transition_after(
        &self,
        op: &Op,
        stack: &StackRecord,
        action: Action,
        status: Status,
        reason: &str,
        mut earlier: Vec<Write>,
    ) -> Result<StackRecord, StoreError> {
        let mut next = stack.clone();
        next.action = action;
        next.status = status;
        next.reason = reason.to_string();
        // As Heat: `updated_time` is when the latest action after the
        // create started (a rollback counts as one).
        if action == Action::Rollback && status == Status::InProgress {
            next.updated_at = Some(self.clock.now());
        }
        let event = self.stack_event(&next, reason);
        earlier.extend([Write::UpdateStack(next.clone()), Write::AddEvent(event)]);
        self.write_op(op, earlier).await?;
        Ok(next)
    }

    /// Records a resource's new state and its event.
    pub(super) async fn persist(
        &self,
        op: &Op,
        stack: &StackRecord,
        r: &mut ResourceRecord,
        action: Action,
        status: Status,
        reason: &str,
    ) -> Result<(), String> {
        r.action = action;
        r.status = status;
        r.reason = reason.to_string();
        r.updated_at = self.clock.now();
        let event = self.resource_event(stack, r, reason);
        self.write_op(
            op,
            vec![Write::PutResource(r.clone()), Write::AddEvent(event)],
        )
        .await
        .map_err(|e| e.to_string())
    }

    /// The end of an operation on a stack: its final state recorded and,
    /// for a top-level stack, the lease released. A delete requested
    /// meanwhile is carried out instead of the release.
    async fn conclude(
        &self,
        op: &Op,
        stack: &StackRecord,
        status: Status,
        reason: &str,
    ) -> Option<StackRecord> {
        let mut done = stack.clone();
        done.status = status;
        done.reason = reason.to_string();
        let event = self.stack_event(&done, reason);
        let mut writes = vec![Write::UpdateStack(done.clone()), Write::AddEvent(event)];
        if done.root.is_none() {
            writes.push(Write::Release(done.id.clone()));
        }
        match self.write_op(op, writes).await {
            Ok(()) => Some(done),
            Err(StoreError::DeletePending(_)) => {
                op.request(CancelRequest::Delete);
                // The outcome is recorded, the lease kept: now delete.
                self.write_op(
                    op,
                    vec![
                        Write::UpdateStack(done.clone()),
                        Write::AddEvent(self.stack_event(&done, reason)),
                    ],
                )
                .await
                .ok()?;
                Box::pin(self.delete_from(op, &op.control.clone(), done)).await
            }
            Err(_) => None,
        }
    }

    /// Runs an accepted operation to its end. `def` is the definition the
    /// operation was accepted with (a create or update), reused so that
    /// nothing is parsed twice.
    pub(super) async fn drive(
        &self,
        op: Arc<Op>,
        stack: StackRecord,
        def: Option<&StackDefinition<'_>>,
    ) -> Option<StackRecord> {
        if op.delete_requested() {
            return self.delete_from(&op, &op.control.clone(), stack).await;
        }
        match stack.action {
            Action::Create | Action::Update | Action::Restore | Action::Adopt => {
                self.converge_and_finish(&op, stack, def).await
            }
            Action::Snapshot => {
                let outcome = self.take_snapshots(&op, &stack).await;
                self.finish_simple(&op, stack, outcome).await
            }
            Action::Rollback => self.continue_rollback(&op, stack).await,
            Action::Delete => self.delete_from(&op, &op.control.clone(), stack).await,
            Action::Check => {
                let phase = op.new_phase(false);
                let outcome = converge::check_all(self, &op, &phase, &stack).await;
                self.finish_simple(&op, stack, outcome).await
            }
            Action::Suspend | Action::Resume => {
                let phase = op.new_phase(false);
                let outcome =
                    converge::suspend_resume_all(self, &op, &phase, &stack, stack.action).await;
                self.finish_simple(&op, stack, outcome).await
            }
            Action::Init => {
                self.conclude(&op, &stack, Status::Failed, "nothing to do")
                    .await
            }
        }
    }

    async fn finish_simple(
        &self,
        op: &Op,
        stack: StackRecord,
        outcome: Result<(), String>,
    ) -> Option<StackRecord> {
        if op.lost() {
            return None;
        }
        match outcome {
            Ok(()) => {
                let reason = format!("Stack {} completed successfully", stack.action.name());
                self.conclude(op, &stack, Status::Complete, &reason).await
            }
            Err(reason) => self.conclude(op, &stack, Status::Failed, &reason).await,
        }
    }

    /// Converges a top-level stack to its source; on failure rolls back
    /// when enabled (or when a cancel asked for it); stores outputs.
    async fn converge_and_finish(
        &self,
        op: &Op,
        stack: StackRecord,
        def: Option<&StackDefinition<'_>>,
    ) -> Option<StackRecord> {
        let action = stack.action;
        let phase = op.new_phase(false);
        // A cancel that came before the converge began (while the
        // operation was accepted) stops it at once.
        match op.user_cancel() {
            Some(rollback) if action != Action::Rollback => {
                phase.cancel(CancelReason::User { rollback })
            }
            _ => {}
        }
        let result = self.converge_timed(op, &phase, &stack, def).await;
        if op.lost() {
            return None;
        }
        match result {
            Ok(outputs) => {
                let mut done = stack;
                done.outputs = Some(outputs);
                let reason = format!("Stack {} completed successfully", action.name());
                self.conclude(op, &done, Status::Complete, &reason).await
            }
            Err(reason) => {
                let asked = match phase.reason() {
                    Some(CancelReason::User { rollback }) => Some(rollback),
                    _ => None,
                };
                let roll_back = asked.unwrap_or(!stack.disable_rollback)
                    && action != Action::Rollback
                    && !op.delete_requested();
                if roll_back {
                    // The failure is recorded (its event) in the write that
                    // starts the rollback: no reader sees the stack settled
                    // as failed in between (a client waiting for the end
                    // would stop there), nor does a crash leave it so.
                    let mut failed = stack;
                    failed.action = action;
                    failed.status = Status::Failed;
                    failed.reason = reason;
                    return self.rollback(op, failed).await;
                }
                let failed = self
                    .transition(op, &stack, action, Status::Failed, &reason)
                    .await
                    .ok()?;
                if op.delete_requested() {
                    return self.delete_from(op, &op.control.clone(), failed).await;
                }
                self.conclude(op, &failed, Status::Failed, &reason).await
            }
        }
    }

    /// Converges a stack under `phase`, within its timeout; the reason of
    /// a failure, cancel or timeout as Heat words it.
    pub(super) async fn converge_timed(
        &self,
        op: &Op,
        phase: &Cancel,
        stack: &StackRecord,
        def: Option<&StackDefinition<'_>>,
    ) -> Result<JsonMap<String, Json>, String> {
        let timeout = stack
            .timeout_mins
            .map(|m| Duration::from_secs(m * 60))
            .unwrap_or(self.config.default_timeout);
        let work = converge::converge(self, op, phase, stack, def);
        let sleep = self.clock.sleep(timeout);
        futures::pin_mut!(work);
        let result = match futures::future::select(work, sleep).await {
            futures::future::Either::Left((r, _)) => r,
            futures::future::Either::Right(((), work)) => {
                phase.cancel(CancelReason::Timeout);
                work.await
            }
        };
        match (result, phase.reason()) {
            (Ok(outputs), _) => Ok(outputs),
            (Err(_), Some(CancelReason::Timeout)) => {
                Err(format!("{} timed out", stack.action.name()))
            }
            (Err(_), Some(CancelReason::User { .. })) => {
                Err(format!("Stack {} cancelled", stack.action.name()))
            }
            (Err(_), Some(CancelReason::Delete)) => Err(format!(
                "Stack {} cancelled: the stack is being deleted",
                stack.action.name()
            )),
            (Err(reason), _) => Err(reason),
        }
    }

    /// Rolls a failed create back (delete everything) or a failed update
    /// back (converge to the previous source); `failed` (the stack as it
    /// failed, not yet written) is recorded with the rollback's start.
    async fn rollback(&self, op: &Op, failed: StackRecord) -> Option<StackRecord> {
        let mut stack = failed.clone();
        stack.rollback_of = Some(failed.action);
        if failed.action != Action::Create {
            match stack.previous.take() {
                Some(previous) => stack.source = previous,
                None => {
                    return self
                        .conclude(op, &failed, Status::Failed, "nothing to roll back to")
                        .await
                }
            }
        }
        let failure = Write::AddEvent(self.stack_event(&failed, &failed.reason));
        let stack = self
            .transition_after(
                op,
                &stack,
                Action::Rollback,
                Status::InProgress,
                "Stack ROLLBACK started",
                vec![failure],
            )
            .await
            .ok()?;
        self.continue_rollback(op, stack).await
    }

    /// Runs (or resumes) a rollback.
    async fn continue_rollback(&self, op: &Op, stack: StackRecord) -> Option<StackRecord> {
        match stack.rollback_of {
            Some(Action::Create) | None => {
                let phase = op.new_phase(false);
                let outcome = converge::delete_all(self, op, &phase, &stack).await;
                if op.lost() {
                    return None;
                }
                match outcome {
                    Ok(()) => {
                        self.conclude(
                            op,
                            &stack,
                            Status::Complete,
                            "Stack ROLLBACK completed successfully",
                        )
                        .await
                    }
                    Err(reason) => self.conclude(op, &stack, Status::Failed, &reason).await,
                }
            }
            Some(_) => Box::pin(self.converge_and_finish(op, stack, None)).await,
        }
    }

    /// Deletes a stack (reverse dependency order, deletion policies
    /// honoured) and removes it from the store. `parent` is the token the
    /// delete phase hangs under (the operation's control for a top-level
    /// stack, the deleting job's for a nested one).
    pub(super) async fn delete_from(
        &self,
        op: &Op,
        parent: &Cancel,
        stack: StackRecord,
    ) -> Option<StackRecord> {
        let top = stack.root.is_none();
        let phase = if top {
            op.new_phase(true)
        } else {
            parent.child()
        };
        let stack = if stack.action == Action::Delete && stack.status == Status::InProgress {
            stack
        } else {
            self.transition(
                op,
                &stack,
                Action::Delete,
                Status::InProgress,
                "Stack DELETE started",
            )
            .await
            .ok()?
        };
        let outcome = converge::delete_all(self, op, &phase, &stack).await;
        if op.lost() {
            return None;
        }
        match outcome {
            Ok(()) => {
                let mut done = stack.clone();
                done.status = Status::Complete;
                done.reason = "Stack DELETE completed successfully".into();
                let event = self.stack_event(&done, &done.reason);
                // A top-level stack stays, deleted (reachable by id, its
                // name free again, its events kept); a nested one goes.
                let writes = if top {
                    done.deleted_at = Some(self.clock.now());
                    done.outputs = None;
                    // Its snapshots go with it, as in Heat.
                    let snapshots = self.store.snapshots(&done.id).await.ok()?;
                    let mut writes: Vec<Write> = snapshots
                        .into_iter()
                        .map(|s| Write::RemoveSnapshot {
                            stack_id: s.stack_id,
                            id: s.id,
                        })
                        .collect();
                    writes.extend([
                        Write::UpdateStack(done.clone()),
                        Write::AddEvent(event),
                        Write::Release(done.id.clone()),
                    ]);
                    writes
                } else {
                    vec![Write::AddEvent(event), Write::RemoveStack(done.id.clone())]
                };
                self.write_op(op, writes).await.ok()?;
                done.lease = None;
                Some(done)
            }
            Err(reason) if top => self.conclude(op, &stack, Status::Failed, &reason).await,
            Err(reason) => self
                .transition(op, &stack, Action::Delete, Status::Failed, &reason)
                .await
                .ok(),
        }
    }

    /// Converges a nested stack inside its parent's job (token `parent`):
    /// no lease of its own, no rollback; its final record.
    pub(super) async fn converge_nested(
        &self,
        op: &Op,
        parent: &Cancel,
        child: StackRecord,
    ) -> Result<StackRecord, String> {
        let phase = parent.child();
        let action = child.action;
        let result = self.converge_timed(op, &phase, &child, None).await;
        if op.lost() {
            return Err(format!("{}", StoreError::Fenced(op.fence.root.clone())));
        }
        let (status, reason, outputs) = match result {
            Ok(outputs) => (
                Status::Complete,
                format!("Stack {} completed successfully", action.name()),
                Some(outputs),
            ),
            Err(reason) => (Status::Failed, reason, None),
        };
        let mut done = child;
        if outputs.is_some() {
            done.outputs = outputs;
        }
        self.transition(op, &done, action, status, &reason)
            .await
            .map_err(|e| e.to_string())
    }
}
