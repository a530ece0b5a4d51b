//! The PostgreSQL store: the state store contract (the same suite as the
//! memory and SQLite stores, two connection pools as two processes), and
//! the changes one process stores reaching another's at once (LISTEN and
//! NOTIFY).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use heat_core::engine::testing::contract::{self, Harness};
use heat_core::engine::{CancelRequest, Fence, Signal, StateStore, StoreChange, Write};
use heat_server::PostgresStore;

/// Two stores on one new database: two processes' views.
struct Postgres;

#[async_trait]
impl Harness for Postgres {
    async fn fresh(&self) -> (Arc<dyn StateStore>, Arc<dyn StateStore>) {
        let url = common::postgres::fresh_database().await;
        let one = PostgresStore::open(&url).await.unwrap();
        let two = PostgresStore::open(&url).await.unwrap();
        (Arc::new(one), Arc::new(two))
    }
}

heat_core::store_contract_tests!(Postgres);

/// A signal, a stop request and the end of an operation stored through
/// one process's store are announced to another's watchers, without a
/// poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_hears_of_signals_and_stop_requests() {
    let url = common::postgres::fresh_database().await;
    let here = PostgresStore::open(&url).await.unwrap();
    let there = PostgresStore::open(&url).await.unwrap();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    {
        let heard = heard.clone();
        there.watch(Arc::new(move |change| {
            heard.lock().unwrap().push(change);
            let _ = tx.send(());
        }));
    }
    let stack = contract::stack("s1", "web", "p");
    here.create_stack(&stack).await.unwrap();
    here.add_signal(&Signal {
        stack_id: "s1".into(),
        resource: "handle".into(),
        id: "1".into(),
        status: "SUCCESS".into(),
        reason: "ok".into(),
        data: serde_json::json!("x"),
    })
    .await
    .unwrap();
    assert!(here
        .request_cancel("s1", CancelRequest::Rollback)
        .await
        .unwrap());
    here.write(
        &Fence {
            root: "s1".into(),
            token: stack.traversal,
        },
        &[Write::Release("s1".into())],
    )
    .await
    .unwrap();
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the other process heard nothing")
            .unwrap();
    }
    assert_eq!(
        *heard.lock().unwrap(),
        [
            StoreChange::Signal("s1".into()),
            StoreChange::Cancel("s1".into()),
            StoreChange::Released("s1".into()),
        ]
    );
}
