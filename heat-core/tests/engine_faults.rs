//! Faults: a failure injected at every resource of a 50-resource stack,
//! with rollback on and off; and a crash (the engine dropped) after every
//! persisted step, followed by a restart. Every stack ends COMPLETE or
//! FAILED with a reason, and the cloud holds exactly the objects the store
//! says exist.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use heat_core::engine::testing::{FakeDriver, Fault};
use heat_core::engine::{MemoryStore, StackOptions, StateStore, Status};

/// 50 resources: chains, fan-out from r0, fan-in to the last.
fn fifty() -> Vec<Vec<usize>> {
    (0..50)
        .map(|i| match i {
            0 => vec![],
            49 => vec![10, 20, 30, 40, 48],
            i if i % 5 == 0 => vec![0],
            i => vec![i - 1],
        })
        .collect()
}

#[test]
fn a_failure_at_every_resource_with_and_without_rollback() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let template = dag_template(&fifty());
        for rollback in [true, false] {
            for i in 0..50 {
                let driver = Arc::new(FakeDriver::new(
                    Arc::new(TokioClock::new()),
                    Duration::from_secs(1),
                ));
                driver.inject(Fault::FailCreate(format!("r{i}")));
                let store = Arc::new(MemoryStore::new());
                let e = engine(driver.clone(), store.clone(), 4);
                let opts = StackOptions {
                    disable_rollback: Some(!rollback),
                    ..StackOptions::default()
                };
                let s = e.create_stack("s", source(&template), opts).await.unwrap();
                if rollback {
                    assert_eq!(
                        s.status_text(),
                        "ROLLBACK_COMPLETE",
                        "failure at r{i}: {}",
                        s.reason
                    );
                    assert!(
                        driver.objects().is_empty(),
                        "failure at r{i} leaked {:?}",
                        driver.objects()
                    );
                } else {
                    assert_eq!(s.status_text(), "CREATE_FAILED");
                    assert!(
                        s.reason.contains(&format!("resources.r{i}:")),
                        "{}",
                        s.reason
                    );
                }
                assert_no_leaks(&driver, store.as_ref()).await;
                e.delete_stack("s").await.unwrap();
                assert!(driver.objects().is_empty());
            }
        }
    });
}

/// How many store writes a clean create and delete of the stack make.
async fn writes_of_a_clean_run(template: &str) -> u64 {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(1),
    ));
    let counting = Arc::new(CrashingStore::new(Arc::new(MemoryStore::new()), u64::MAX));
    let e = engine(driver, counting.clone(), 3);
    e.create_stack("s", source(template), StackOptions::default())
        .await
        .unwrap();
    e.delete_stack("s").await.unwrap();
    counting.writes()
}

#[test]
fn a_crash_after_every_persisted_step_is_recovered() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let deps: Vec<Vec<usize>> = vec![vec![], vec![0], vec![0], vec![1, 2], vec![], vec![4]];
        let template = dag_template(&deps);
        let total = writes_of_a_clean_run(&template).await;
        assert!(total > 20, "{total}");
        let mut resumed = 0;
        for crash_at in 0..total {
            let driver = Arc::new(FakeDriver::new(Arc::new(TokioClock::new()), Duration::from_secs(1)));
            let memory = Arc::new(MemoryStore::new());
            // First life: create then delete, dying after `crash_at` writes.
            let dying = Arc::new(CrashingStore::new(memory.clone(), crash_at));
            let (e, process) = mortal_engine(driver.clone(), dying.clone(), 3);
            let life = async {
                let created = e.create_stack("s", source(&template), StackOptions::default()).await;
                if created.is_ok() && !dying.crashed() {
                    let _ = e.delete_stack("s").await;
                }
            };
            // The process dies the moment its store does.
            tokio::select! {
                _ = life => {}
                _ = async { while !dying.crashed() { tokio::time::sleep(Duration::from_millis(10)).await } } => {}
            }
            process.abort_all();
            drop(e);
            // Second life: a new engine on the same store and cloud takes
            // the stack over once the dead one's lease has expired.
            let e = engine(driver.clone(), memory.clone(), 3);
            let recovered = e.recover().await;
            resumed += recovered.len();
            for s in &recovered {
                assert_ne!(s.status, Status::InProgress, "crash at {crash_at}: {}", s.status_text());
                assert!(!s.reason.is_empty());
            }
            for s in memory.stacks(None).await.unwrap() {
                assert_ne!(s.status, Status::InProgress, "crash at {crash_at}: {} left {}", s.name, s.status_text());
            }
            assert_no_leaks(&driver, memory.as_ref()).await;
            // And whatever state it is in, the stack can be deleted cleanly.
            if memory.find_stack("project", "s").await.unwrap().is_some() {
                e.delete_stack("s").await.unwrap();
            }
            assert!(driver.objects().is_empty(), "crash at {crash_at}: leaked {:?}", driver.objects());
        }
        // Most crash points leave a stack in progress for the new engine.
        assert!(resumed as u64 > total / 2, "only {resumed} of {total} crashes left work to resume");
    });
}

#[tokio::test(start_paused = true)]
async fn a_type_the_cloud_cannot_make_is_refused_before_anything_is_made() {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(1),
    ));
    driver.inject(Fault::Unsupported("OS::Heat::Value".into()));
    let store = Arc::new(MemoryStore::new());
    let e = engine(driver.clone(), store.clone(), 4);
    let refused = e
        .create_stack(
            "s",
            source(&dag_template(&[vec![], vec![0]])),
            StackOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("resources.r0.type"), "{refused}");
    assert!(refused.contains("not available on this cloud"), "{refused}");
    assert!(driver.objects().is_empty());
    assert!(driver.log().is_empty(), "{:?}", driver.log());
}
