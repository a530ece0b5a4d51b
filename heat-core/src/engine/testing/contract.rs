//! The [`StateStore`] contract: one suite every store passes (memory,
//! SQLite, PostgreSQL). A store's tests call
//! [`store_contract_tests!`](crate::store_contract_tests) with a
//! [`Harness`] that opens fresh stores; each check becomes a test.
//!
//! What it pins down: names unique per project and invisible to other
//! projects, compare-and-swap on the traversal, leases (refused while
//! live, taken over once expired, renewed, released), fencing (a stale
//! token changes nothing), atomic batches, stop requests, signals, event
//! order, and writers on two handles of the same storage (two processes).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{json, Map as JsonMap};

use crate::engine::{
    Action, CancelRequest, Document, DocumentKind, EngineRecord, Event, Fence, Lease,
    ResourceRecord, Signal, Snapshot, StackRecord, StackSource, StateStore, Status, StoreError,
    Write,
};

/// Opens stores for the contract.
#[async_trait]
pub trait Harness: Send + Sync {
    /// Two handles on one new, empty storage (for an in-memory store, the
    /// same store twice; for a database, two connections as two processes
    /// would have).
    async fn fresh(&self) -> (Arc<dyn StateStore>, Arc<dyn StateStore>);
}

/// Every check, by name, as tests.
#[macro_export]
macro_rules! store_contract_tests {
    ($harness:expr) => {
        $crate::store_contract_tests!(@each $harness;
            names_are_unique_per_project,
            projects_never_see_each_other,
            acquire_is_compare_and_swap,
            a_live_lease_is_refused_and_an_expired_one_taken_over,
            a_stale_fence_changes_nothing,
            nested_stacks_are_fenced_by_their_root,
            batches_are_all_or_nothing,
            updates_keep_the_lease_and_release_clears_it,
            renewal_extends_only_what_is_held,
            cancel_requests_are_stored_for_the_holder,
            a_pending_delete_refuses_the_release,
            signals_are_stored_and_replaced_by_id,
            events_keep_their_order,
            removing_a_stack_removes_its_records,
            a_deleted_stack_frees_its_name,
            engines_report_heartbeats,
            in_progress_lists_what_is_in_progress,
            two_handles_race_for_one_stack,
            snapshots_are_kept_per_stack_and_replaced_by_id,
            documents_are_kept_per_kind_and_project,
        );
    };
    (@each $harness:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $crate::engine::testing::contract::$check(&$harness).await;
            }
        )*
    };
}

/// A top-level stack record named `name` in `project`.
pub fn stack(id: &str, name: &str, project: &str) -> StackRecord {
    StackRecord {
        id: id.into(),
        name: name.into(),
        project: project.into(),
        action: Action::Create,
        status: Status::InProgress,
        reason: String::new(),
        source: StackSource::default(),
        previous: None,
        outputs: None,
        traversal: 1,
        disable_rollback: true,
        timeout_mins: None,
        tags: vec![],
        created_at: 1.0,
        updated_at: None,
        parent: None,
        nested_depth: 0,
        root: None,
        user: "u".into(),
        parameters: JsonMap::new(),
        description: String::new(),
        rollback_of: None,
        lease: Some(Lease {
            engine: "a".into(),
            expires_at: 100.0,
        }),
        cancel: None,
        deleted_at: None,
        adopt: None,
    }
}

/// A resource record of `stack`.
pub fn resource(stack: &str, id: &str, name: &str) -> ResourceRecord {
    ResourceRecord {
        id: id.into(),
        stack_id: stack.into(),
        name: name.into(),
        type_name: "OS::Heat::None".into(),
        physical_id: Some(format!("p-{id}")),
        action: Action::Create,
        status: Status::Complete,
        reason: String::new(),
        properties: json!({}),
        attributes: JsonMap::new(),
        metadata: json!(null),
        current: true,
        requires: vec![],
        deletion_policy: "Delete".into(),
        updated_at: 1.0,
        created_at: 1.0,
    }
}

/// An event of `stack`.
pub fn event(stack: &str, id: &str) -> Event {
    Event {
        id: id.into(),
        stack_id: stack.into(),
        time: 1.0,
        resource_name: "r".into(),
        physical_id: None,
        resource_type: "OS::Heat::None".into(),
        action: Action::Create,
        status: Status::InProgress,
        reason: id.into(),
    }
}

fn fence(root: &str, token: u64) -> Fence {
    Fence {
        root: root.into(),
        token,
    }
}

/// Takes `s` over for engine `engine` until `until`, as an engine does.
async fn take(
    store: &dyn StateStore,
    s: &StackRecord,
    engine: &str,
    until: f64,
    now: f64,
) -> Result<StackRecord, StoreError> {
    let mut next = s.clone();
    next.traversal = s.traversal + 1;
    next.lease = Some(Lease {
        engine: engine.into(),
        expires_at: until,
    });
    store.acquire(&next, s.traversal, now).await.map(|()| next)
}

/// A name is taken once per project; another project may use it.
pub async fn names_are_unique_per_project(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "web", "p1")).await.unwrap();
    assert_eq!(
        store.create_stack(&stack("2", "web", "p1")).await,
        Err(StoreError::Exists("web".into()))
    );
    store.create_stack(&stack("3", "web", "p2")).await.unwrap();
    let mut nested = stack("4", "web", "p1");
    nested.root = Some("1".into());
    nested.parent = Some(("1".into(), "r".into()));
    let err = store
        .write(&fence("1", 1), &[Write::InsertStack(nested)])
        .await;
    assert_eq!(err, Err(StoreError::Exists("web".into())));
}

/// Lookups by name or id see only the caller's project.
pub async fn projects_never_see_each_other(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "web", "p1")).await.unwrap();
    store.create_stack(&stack("2", "db", "p2")).await.unwrap();
    assert_eq!(
        store.find_stack("p1", "web").await.unwrap().unwrap().id,
        "1"
    );
    assert_eq!(
        store.find_stack("p1", "1").await.unwrap().unwrap().name,
        "web"
    );
    assert!(store.find_stack("p2", "web").await.unwrap().is_none());
    assert!(store.find_stack("p2", "1").await.unwrap().is_none());
    let p1: Vec<String> = store
        .stacks(Some("p1"))
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(p1, vec!["1"]);
    assert_eq!(store.stacks(None).await.unwrap().len(), 2);
    assert_eq!(store.stack("2").await.unwrap().unwrap().project, "p2");
}

/// Taking a stack compares its traversal.
pub async fn acquire_is_compare_and_swap(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    let mut stale = s.clone();
    stale.traversal = 0;
    let err = take(store.as_ref(), &stale, "a", 100.0, 1.0).await;
    assert_eq!(err, Err(StoreError::Conflict("web".into())));
    let taken = take(store.as_ref(), &s, "a", 100.0, 1.0).await.unwrap();
    assert_eq!(store.stack("1").await.unwrap().unwrap().traversal, 2);
    assert_eq!(taken.traversal, 2);
    let err = take(store.as_ref(), &s, "a", 100.0, 1.0).await;
    assert_eq!(err, Err(StoreError::Conflict("web".into())));
}

/// A live lease of another engine refuses a takeover; an expired one
/// does not; the holder may take its own stack again.
pub async fn a_live_lease_is_refused_and_an_expired_one_taken_over(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    match take(store.as_ref(), &s, "b", 200.0, 50.0).await {
        Err(StoreError::Leased {
            engine, expires_at, ..
        }) => {
            assert_eq!(engine, "a");
            assert_eq!(expires_at, 100.0);
        }
        other => panic!("a live lease was taken: {other:?}"),
    }
    let again = take(store.as_ref(), &s, "a", 150.0, 50.0).await.unwrap();
    let taken = take(store.as_ref(), &again, "b", 300.0, 160.0)
        .await
        .unwrap();
    let stored = store.stack("1").await.unwrap().unwrap();
    assert_eq!(stored.lease, taken.lease);
    assert_eq!(stored.traversal, 3);
}

/// After a takeover, the former holder's writes change nothing.
pub async fn a_stale_fence_changes_nothing(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    store
        .write(
            &fence("1", 1),
            &[Write::PutResource(resource("1", "r1", "a"))],
        )
        .await
        .unwrap();
    take(store.as_ref(), &s, "b", 300.0, 200.0).await.unwrap();
    let mut failed = s.clone();
    failed.status = Status::Failed;
    let stale = store
        .write(
            &fence("1", 1),
            &[
                Write::PutResource(resource("1", "r2", "b")),
                Write::AddEvent(event("1", "e1")),
                Write::UpdateStack(failed),
                Write::RemoveResource {
                    stack_id: "1".into(),
                    id: "r1".into(),
                },
            ],
        )
        .await;
    assert_eq!(stale, Err(StoreError::Fenced("web".into())));
    let names: Vec<String> = store
        .resources("1")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["a"]);
    assert!(store.events("1").await.unwrap().is_empty());
    assert_eq!(
        store.stack("1").await.unwrap().unwrap().status,
        Status::InProgress
    );
    store
        .write(&fence("1", 2), &[Write::AddEvent(event("1", "e2"))])
        .await
        .unwrap();
    assert_eq!(store.events("1").await.unwrap().len(), 1);
    assert_eq!(
        store
            .write(&fence("gone", 1), &[Write::AddEvent(event("1", "e3"))])
            .await,
        Err(StoreError::Fenced("gone".into()))
    );
}

/// A nested stack's writes carry its root's token.
pub async fn nested_stacks_are_fenced_by_their_root(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let root = stack("1", "web", "p");
    store.create_stack(&root).await.unwrap();
    let mut child = stack("2", "web-child", "p");
    child.root = Some("1".into());
    child.parent = Some(("1".into(), "group".into()));
    child.lease = None;
    store
        .write(&fence("1", 1), &[Write::InsertStack(child.clone())])
        .await
        .unwrap();
    take(store.as_ref(), &root, "b", 300.0, 200.0)
        .await
        .unwrap();
    let stale = store
        .write(
            &fence("1", 1),
            &[Write::PutResource(resource("2", "r", "m0"))],
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Fenced(_))));
    assert!(store.resources("2").await.unwrap().is_empty());
    store
        .write(
            &fence("1", 2),
            &[Write::PutResource(resource("2", "r", "m0"))],
        )
        .await
        .unwrap();
    assert_eq!(store.resources("2").await.unwrap().len(), 1);
    assert_eq!(
        store.stack("2").await.unwrap().unwrap().root.as_deref(),
        Some("1")
    );
}

/// A batch that cannot apply entirely applies nothing.
pub async fn batches_are_all_or_nothing(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "web", "p")).await.unwrap();
    store.create_stack(&stack("9", "taken", "p")).await.unwrap();
    let mut child = stack("2", "taken", "p");
    child.root = Some("1".into());
    let r = store
        .write(
            &fence("1", 1),
            &[
                Write::PutResource(resource("1", "r1", "a")),
                Write::AddEvent(event("1", "e1")),
                Write::InsertStack(child),
            ],
        )
        .await;
    assert_eq!(r, Err(StoreError::Exists("taken".into())));
    assert!(store.resources("1").await.unwrap().is_empty());
    assert!(store.events("1").await.unwrap().is_empty());
}

/// Stack updates leave the lease to the store; a release clears it.
pub async fn updates_keep_the_lease_and_release_clears_it(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    let mut done = s.clone();
    done.status = Status::Complete;
    done.lease = None;
    store
        .write(&fence("1", 1), &[Write::UpdateStack(done.clone())])
        .await
        .unwrap();
    let stored = store.stack("1").await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Complete);
    assert_eq!(stored.lease, s.lease);
    store
        .write(&fence("1", 1), &[Write::Release("1".into())])
        .await
        .unwrap();
    let stored = store.stack("1").await.unwrap().unwrap();
    assert_eq!(stored.lease, None);
    // Released: anyone may take it now, even before the old expiry.
    take(store.as_ref(), &stored, "b", 300.0, 10.0)
        .await
        .unwrap();
}

/// Renewal extends the leases an engine holds and reports the rest as
/// lost (by leaving them out).
pub async fn renewal_extends_only_what_is_held(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "one", "p")).await.unwrap();
    let two = stack("2", "two", "p");
    store.create_stack(&two).await.unwrap();
    take(store.as_ref(), &two, "b", 300.0, 200.0).await.unwrap();
    let held = store
        .renew(
            "a",
            &["1".to_string(), "2".to_string(), "3".to_string()],
            500.0,
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].stack_id, "1");
    assert_eq!(held[0].token, 1);
    assert_eq!(
        store
            .stack("1")
            .await
            .unwrap()
            .unwrap()
            .lease
            .unwrap()
            .expires_at,
        500.0
    );
    assert_eq!(
        store
            .stack("2")
            .await
            .unwrap()
            .unwrap()
            .lease
            .unwrap()
            .expires_at,
        300.0
    );
}

/// Stop requests are stored for running operations only; a delete request
/// is never downgraded, and is satisfied by the stack entering
/// `DELETE_IN_PROGRESS`.
pub async fn cancel_requests_are_stored_for_the_holder(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    let mut done = stack("2", "idle", "p");
    done.status = Status::Complete;
    store.create_stack(&done).await.unwrap();
    assert!(!store
        .request_cancel("2", CancelRequest::Rollback)
        .await
        .unwrap());
    assert!(!store
        .request_cancel("missing", CancelRequest::Delete)
        .await
        .unwrap());
    assert!(store
        .request_cancel("1", CancelRequest::Rollback)
        .await
        .unwrap());
    let held = store.renew("a", &["1".to_string()], 200.0).await.unwrap();
    assert_eq!(held[0].cancel, Some(CancelRequest::Rollback));
    assert!(store
        .request_cancel("1", CancelRequest::Delete)
        .await
        .unwrap());
    assert!(store
        .request_cancel("1", CancelRequest::NoRollback)
        .await
        .unwrap());
    assert_eq!(
        store.stack("1").await.unwrap().unwrap().cancel,
        Some(CancelRequest::Delete)
    );
    let mut deleting = s.clone();
    deleting.action = Action::Delete;
    store
        .write(&fence("1", 1), &[Write::UpdateStack(deleting)])
        .await
        .unwrap();
    assert_eq!(store.stack("1").await.unwrap().unwrap().cancel, None);
    assert!(store
        .request_cancel("1", CancelRequest::Delete)
        .await
        .unwrap());
    assert_eq!(store.stack("1").await.unwrap().unwrap().cancel, None);
}

/// Releasing a stack that is to be deleted is refused (the holder
/// deletes it); a release otherwise clears the request.
pub async fn a_pending_delete_refuses_the_release(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    store
        .request_cancel("1", CancelRequest::Delete)
        .await
        .unwrap();
    let mut done = s.clone();
    done.status = Status::Complete;
    let r = store
        .write(
            &fence("1", 1),
            &[
                Write::UpdateStack(done),
                Write::AddEvent(event("1", "e")),
                Write::Release("1".into()),
            ],
        )
        .await;
    assert_eq!(r, Err(StoreError::DeletePending("web".into())));
    let stored = store.stack("1").await.unwrap().unwrap();
    assert_eq!(stored.status, Status::InProgress);
    assert!(stored.lease.is_some());
    assert!(store.events("1").await.unwrap().is_empty());
    let two = stack("2", "two", "p");
    store.create_stack(&two).await.unwrap();
    store
        .request_cancel("2", CancelRequest::Rollback)
        .await
        .unwrap();
    store
        .write(&fence("2", 1), &[Write::Release("2".into())])
        .await
        .unwrap();
    assert_eq!(store.stack("2").await.unwrap().unwrap().cancel, None);
}

/// Signals are kept per resource in order; one with the same id replaces
/// the earlier.
pub async fn signals_are_stored_and_replaced_by_id(h: &dyn Harness) {
    let (store, other) = h.fresh().await;
    let sig = |id: &str, data: &str| Signal {
        stack_id: "1".into(),
        resource: "handle".into(),
        id: id.into(),
        status: "SUCCESS".into(),
        reason: String::new(),
        data: json!(data),
    };
    store.add_signal(&sig("1", "a")).await.unwrap();
    other.add_signal(&sig("2", "b")).await.unwrap();
    store.add_signal(&sig("1", "c")).await.unwrap();
    let got = store.signals("1", "handle").await.unwrap();
    let ids: Vec<(String, serde_json::Value)> = got.into_iter().map(|s| (s.id, s.data)).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&("1".into(), json!("c"))));
    assert!(ids.contains(&("2".into(), json!("b"))));
    assert!(store.signals("1", "other").await.unwrap().is_empty());
}

/// Events come back in the order they were written, per stack.
pub async fn events_keep_their_order(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "one", "p")).await.unwrap();
    store.create_stack(&stack("2", "two", "p")).await.unwrap();
    for i in 0..50 {
        let batch: Vec<Write> = vec![Write::AddEvent(event("1", &format!("e{i}")))];
        store.write(&fence("1", 1), &batch).await.unwrap();
        store
            .write(
                &fence("2", 1),
                &[Write::AddEvent(event("2", &format!("x{i}")))],
            )
            .await
            .unwrap();
    }
    let ids: Vec<String> = store
        .events("1")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let expected: Vec<String> = (0..50).map(|i| format!("e{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(store.events("2").await.unwrap().len(), 50);
}

/// Removing a stack removes its resources, events and signals.
pub async fn removing_a_stack_removes_its_records(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "web", "p")).await.unwrap();
    store
        .write(
            &fence("1", 1),
            &[
                Write::PutResource(resource("1", "r1", "a")),
                Write::AddEvent(event("1", "e")),
            ],
        )
        .await
        .unwrap();
    store
        .add_signal(&Signal {
            stack_id: "1".into(),
            resource: "a".into(),
            id: "1".into(),
            status: "SUCCESS".into(),
            reason: String::new(),
            data: json!(null),
        })
        .await
        .unwrap();
    store
        .write(&fence("1", 1), &[Write::RemoveStack("1".into())])
        .await
        .unwrap();
    assert!(store.stack("1").await.unwrap().is_none());
    assert!(store.resources("1").await.unwrap().is_empty());
    assert!(store.events("1").await.unwrap().is_empty());
    assert!(store.signals("1", "a").await.unwrap().is_empty());
    // The name is free again.
    store.create_stack(&stack("2", "web", "p")).await.unwrap();
}

/// A deleted stack stays, found by id but not by name, and its name is
/// free for a new stack.
pub async fn a_deleted_stack_frees_its_name(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let s = stack("1", "web", "p");
    store.create_stack(&s).await.unwrap();
    let mut gone = s.clone();
    gone.action = Action::Delete;
    gone.status = Status::Complete;
    gone.deleted_at = Some(5.0);
    store
        .write(
            &fence("1", 1),
            &[Write::UpdateStack(gone), Write::Release("1".into())],
        )
        .await
        .unwrap();
    assert!(store.find_stack("p", "web").await.unwrap().is_none());
    let by_id = store.find_stack("p", "1").await.unwrap().unwrap();
    assert!(by_id.is_deleted());
    assert_eq!(by_id.deleted_at, Some(5.0));
    store.create_stack(&stack("2", "web", "p")).await.unwrap();
    assert_eq!(store.find_stack("p", "web").await.unwrap().unwrap().id, "2");
    assert_eq!(
        store.create_stack(&stack("3", "web", "p")).await,
        Err(StoreError::Exists("web".into()))
    );
    assert_eq!(store.stacks(Some("p")).await.unwrap().len(), 2);
}

/// Heartbeats are kept per engine, the latest winning.
pub async fn engines_report_heartbeats(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    let mut e = EngineRecord {
        id: "a".into(),
        host: "h".into(),
        pid: 1,
        started_at: 1.0,
        heartbeat_at: 2.0,
    };
    store.heartbeat(&e).await.unwrap();
    e.heartbeat_at = 5.0;
    store.heartbeat(&e).await.unwrap();
    let all = store.engines().await.unwrap();
    assert_eq!(all, vec![e]);
}

/// The scan for abandoned operations sees every stack in progress, of
/// every project, and no other.
pub async fn in_progress_lists_what_is_in_progress(h: &dyn Harness) {
    let (store, other) = h.fresh().await;
    store.create_stack(&stack("1", "busy", "p")).await.unwrap();
    store
        .create_stack(&stack("2", "elsewhere", "q"))
        .await
        .unwrap();
    let mut done = stack("3", "done", "p");
    done.status = Status::Complete;
    store.create_stack(&done).await.unwrap();
    let mut failed = stack("4", "failed", "p");
    failed.status = Status::Failed;
    store.create_stack(&failed).await.unwrap();
    let mut ids: Vec<String> = other
        .in_progress()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["1", "2"]);
    // Once it completes, it is no longer listed.
    let mut now_done = stack("1", "busy", "p");
    now_done.status = Status::Complete;
    store
        .write(&fence("1", 1), &[Write::UpdateStack(now_done)])
        .await
        .unwrap();
    let ids: Vec<String> = other
        .in_progress()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ["2"]);
}

/// Two handles (two processes) race to take one expired stack, many times:
/// exactly one wins each round, and their events all land.
pub async fn two_handles_race_for_one_stack(h: &dyn Harness) {
    let (one, two) = h.fresh().await;
    let mut s = stack("1", "web", "p");
    s.lease = None;
    one.create_stack(&s).await.unwrap();
    for round in 0..20u64 {
        let current = one.stack("1").await.unwrap().unwrap();
        assert_eq!(current.traversal, round + 1);
        let now = 1_000.0 * (round as f64 + 1.0);
        let (a, b) = futures::join!(
            take(one.as_ref(), &current, "a", now + 10.0, now),
            take(two.as_ref(), &current, "b", now + 10.0, now),
        );
        let winners = [a.is_ok(), b.is_ok()].iter().filter(|w| **w).count();
        assert_eq!(winners, 1, "round {round}: {a:?} {b:?}");
        let f = fence("1", round + 2);
        let wa = [Write::AddEvent(event("1", &format!("a{round}")))];
        let wb = [Write::AddEvent(event("1", &format!("b{round}")))];
        let (x, y) = futures::join!(one.write(&f, &wa), two.write(&f, &wb));
        x.unwrap();
        y.unwrap();
    }
    assert_eq!(two.events("1").await.unwrap().len(), 40);
}

/// Snapshots are stored per stack (oldest first), replaced by id, removed
/// one by one or with their stack, and fenced like every write.
pub async fn snapshots_are_kept_per_stack_and_replaced_by_id(h: &dyn Harness) {
    let (store, _) = h.fresh().await;
    store.create_stack(&stack("1", "web", "p")).await.unwrap();
    store.create_stack(&stack("2", "db", "p")).await.unwrap();
    let snap = |stack: &str, id: &str, status: Status| Snapshot {
        id: id.into(),
        stack_id: stack.into(),
        name: format!("snap-{id}"),
        status,
        reason: String::new(),
        data: json!({"template": {"heat_template_version": "2018-08-31"}}),
        created_at: 1.0,
    };
    store
        .write(
            &fence("1", 1),
            &[
                Write::PutSnapshot(snap("1", "a", Status::InProgress)),
                Write::PutSnapshot(snap("1", "b", Status::Complete)),
            ],
        )
        .await
        .unwrap();
    store
        .write(
            &fence("2", 1),
            &[Write::PutSnapshot(snap("2", "c", Status::Complete))],
        )
        .await
        .unwrap();
    // A stale fence stores nothing.
    assert!(store
        .write(
            &fence("1", 7),
            &[Write::PutSnapshot(snap("1", "z", Status::Complete))]
        )
        .await
        .is_err());
    store
        .write(
            &fence("1", 1),
            &[Write::PutSnapshot(snap("1", "a", Status::Complete))],
        )
        .await
        .unwrap();
    let got = store.snapshots("1").await.unwrap();
    assert_eq!(
        got.iter()
            .map(|s| (s.id.as_str(), s.status))
            .collect::<Vec<_>>(),
        [("a", Status::Complete), ("b", Status::Complete)]
    );
    assert_eq!(got[1], snap("1", "b", Status::Complete));
    store
        .write(
            &fence("1", 1),
            &[Write::RemoveSnapshot {
                stack_id: "1".into(),
                id: "a".into(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(store.snapshots("1").await.unwrap().len(), 1);
    store
        .write(&fence("1", 1), &[Write::RemoveStack("1".into())])
        .await
        .unwrap();
    assert!(store.snapshots("1").await.unwrap().is_empty());
    assert_eq!(store.snapshots("2").await.unwrap().len(), 1);
}

/// Documents (software configs and deployments) are kept per kind and id,
/// listed per project oldest first, replaced and removed by id.
pub async fn documents_are_kept_per_kind_and_project(h: &dyn Harness) {
    let (store, other) = h.fresh().await;
    let doc = |kind, id: &str, project: &str, v: i64| Document {
        kind,
        id: id.into(),
        project: project.into(),
        data: json!({"v": v}),
        created_at: v as f64,
    };
    use DocumentKind::{SoftwareConfig as C, SoftwareDeployment as D};
    store.put_document(&doc(C, "a", "p", 1)).await.unwrap();
    store.put_document(&doc(C, "b", "q", 2)).await.unwrap();
    store.put_document(&doc(D, "a", "p", 3)).await.unwrap();
    store.put_document(&doc(C, "c", "p", 4)).await.unwrap();
    let ids = |docs: Vec<Document>| docs.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.documents(C, Some("p")).await.unwrap()),
        ["a", "c"]
    );
    assert_eq!(
        ids(store.documents(C, None).await.unwrap()),
        ["a", "b", "c"]
    );
    assert_eq!(ids(store.documents(D, Some("p")).await.unwrap()), ["a"]);
    // Replaced by id, seen by another handle on the same state.
    store.put_document(&doc(C, "a", "p", 9)).await.unwrap();
    let seen = other.documents(C, Some("p")).await.unwrap();
    assert_eq!(seen[0].data, json!({"v": 9}));
    assert!(store.remove_document(C, "a").await.unwrap());
    assert!(!store.remove_document(C, "a").await.unwrap());
    assert_eq!(ids(other.documents(C, Some("p")).await.unwrap()), ["c"]);
    assert_eq!(ids(other.documents(D, None).await.unwrap()), ["a"]);
}
