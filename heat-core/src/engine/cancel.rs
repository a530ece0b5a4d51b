//! [`Cancel`]: how an operation is told to stop, and why. Tokens form a
//! tree (an operation, its traversals, a nested stack's operation inside a
//! resource): cancelling one cancels everything below it. Waits (cloud
//! builds, wait conditions, retry back-offs) race against
//! [`Cancel::cancelled`]; calls that change the cloud are never cut short,
//! so their result is always recorded.

use std::future::Future;
use std::sync::{Arc, Mutex};

use event_listener::Event;

/// Why an operation stops before it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    /// A resource failed: the operation ends at the first failure.
    Failed,
    /// The user cancelled an update (`rollback`: then roll back).
    User {
        /// Roll back after stopping.
        rollback: bool,
    },
    /// A delete was requested: stop, then delete.
    Delete,
    /// The operation's timeout passed.
    Timeout,
    /// The engine lost the stack's lease: it must not write or call the
    /// cloud for the stack again.
    Lost,
}

#[derive(Debug)]
struct Inner {
    reason: Mutex<Option<CancelReason>>,
    event: Event,
    parent: Option<Cancel>,
}

/// A cancellation token. Cheap to clone; clones share the state.
#[derive(Debug, Clone)]
pub struct Cancel {
    inner: Arc<Inner>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancel {
    /// A token that nothing has cancelled.
    pub fn new() -> Self {
        Cancel {
            inner: Arc::new(Inner {
                reason: Mutex::new(None),
                event: Event::new(),
                parent: None,
            }),
        }
    }

    /// A token cancelled with this one (and by itself).
    pub fn child(&self) -> Self {
        Cancel {
            inner: Arc::new(Inner {
                reason: Mutex::new(None),
                event: Event::new(),
                parent: Some(self.clone()),
            }),
        }
    }

    /// Cancels this token (and its children) unless it already was; the
    /// first reason is kept, except that `Lost` overrides every other.
    pub fn cancel(&self, reason: CancelReason) {
        {
            let mut r = self.inner.reason.lock().expect("not poisoned");
            match &*r {
                None => *r = Some(reason),
                Some(CancelReason::Lost) => return,
                Some(_) if reason == CancelReason::Lost => *r = Some(reason),
                Some(_) => return,
            }
        }
        self.inner.event.notify(usize::MAX);
    }

    /// Why this token (or an ancestor) was cancelled; `None` if not.
    pub fn reason(&self) -> Option<CancelReason> {
        let own = self.inner.reason.lock().expect("not poisoned").clone();
        let up = self.inner.parent.as_ref().and_then(Cancel::reason);
        match (own, up) {
            (_, Some(CancelReason::Lost)) => Some(CancelReason::Lost),
            (Some(r), _) => Some(r),
            (None, up) => up,
        }
    }

    /// Whether this token (or an ancestor) was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.reason().is_some()
    }

    /// Completes once this token (or an ancestor) is cancelled.
    pub fn cancelled(&self) -> impl Future<Output = CancelReason> + Send + 'static {
        let chain: Vec<Cancel> =
            std::iter::successors(Some(self.clone()), |c| c.inner.parent.as_ref().cloned())
                .collect();
        let me = self.clone();
        async move {
            loop {
                if let Some(r) = me.reason() {
                    return r;
                }
                let listeners: Vec<_> = chain
                    .iter()
                    .map(|c| Box::pin(c.inner.event.listen()))
                    .collect();
                if let Some(r) = me.reason() {
                    return r;
                }
                futures::future::select_all(listeners).await;
            }
        }
    }

    /// Runs `work` unless the token is cancelled first (`Err` with the
    /// reason; `work` is dropped then, so use it only for waits).
    pub async fn guard<T>(&self, work: impl Future<Output = T>) -> Result<T, CancelReason> {
        let stop = self.cancelled();
        futures::pin_mut!(work);
        futures::pin_mut!(stop);
        match futures::future::select(work, stop).await {
            futures::future::Either::Left((v, _)) => Ok(v),
            futures::future::Either::Right((r, _)) => Err(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_cancels_its_children_and_lost_wins() {
        let op = Cancel::new();
        let job = op.child();
        assert!(!job.is_cancelled());
        job.cancel(CancelReason::Failed);
        assert!(!op.is_cancelled());
        assert_eq!(job.reason(), Some(CancelReason::Failed));
        op.cancel(CancelReason::Timeout);
        assert_eq!(job.reason(), Some(CancelReason::Failed));
        op.cancel(CancelReason::Lost);
        assert_eq!(job.reason(), Some(CancelReason::Lost));
    }

    #[test]
    fn a_guarded_wait_ends_when_cancelled() {
        let op = Cancel::new();
        let job = op.child();
        let waiting = job.guard(futures::future::pending::<()>());
        op.cancel(CancelReason::Delete);
        let r = futures::executor::block_on(waiting);
        assert_eq!(r, Err(CancelReason::Delete));
        let done = futures::executor::block_on(Cancel::new().guard(async { 7 }));
        assert_eq!(done, Ok(7));
    }
}
