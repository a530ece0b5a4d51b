//! Properties of the engine over random DAGs (proptest): every resource is
//! created exactly once and only after everything it requires is ready;
//! delete is exactly the reverse; running concurrently gives the same
//! stack as the sequential oracle (concurrency 1).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use heat_core::engine::testing::FakeDriver;
use heat_core::engine::{MemoryStore, StackOptions, StateStore};
use proptest::prelude::*;

fn dag() -> impl Strategy<Value = Vec<Vec<usize>>> {
    (1usize..25).prop_flat_map(|n| {
        let rows: Vec<_> = (0..n)
            .map(|i| {
                proptest::collection::vec(0..i.max(1), 0..=i.min(3)).prop_map(move |v| {
                    if i == 0 {
                        vec![]
                    } else {
                        v
                    }
                })
            })
            .collect();
        rows.prop_map(|mut rows| {
            for r in &mut rows {
                r.sort();
                r.dedup();
            }
            rows
        })
    })
}

/// Creates and deletes the stack; returns the driver's log and the final
/// records (name -> properties, status) before deletion.
fn run(
    deps: &[Vec<usize>],
    concurrency: usize,
    latencies: &[u64],
) -> (Vec<String>, BTreeMap<String, String>, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let driver = Arc::new(FakeDriver::new(
            Arc::new(TokioClock::new()),
            Duration::from_secs(1),
        ));
        for (i, l) in latencies.iter().enumerate() {
            driver.set_latency(&format!("r{i}"), Duration::from_millis(*l));
        }
        let store = Arc::new(MemoryStore::new());
        let e = engine(driver.clone(), store.clone(), concurrency);
        let s = e
            .create_stack("s", source(&dag_template(deps)), StackOptions::default())
            .await
            .unwrap();
        assert_eq!(s.status_text(), "CREATE_COMPLETE");
        let records: BTreeMap<String, String> = store
            .resources(&s.id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.name.clone(),
                    format!(
                        "{} {} {}",
                        r.status_text(),
                        r.properties,
                        r.requires.join(",")
                    ),
                )
            })
            .collect();
        e.delete_stack("s").await.unwrap();
        assert!(driver.objects().is_empty());
        (
            driver.log(),
            records,
            serde_json::to_value(s.outputs).unwrap(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn creation_order_delete_order_and_the_sequential_oracle(
        deps in dag(),
        concurrency in 0usize..4,
        seed in proptest::collection::vec(0u64..3000, 25),
    ) {
        let latencies = &seed[..deps.len()];
        let (log, records, outputs) = run(&deps, concurrency, latencies);
        let pos = |what: &str| log.iter().position(|l| l == what);
        for (i, ds) in deps.iter().enumerate() {
            let creates = log.iter().filter(|l| **l == format!("create r{i}")).count();
            prop_assert_eq!(creates, 1, "r{} created {} times", i, creates);
            for d in ds {
                prop_assert!(pos(&format!("ready r{d}")) < pos(&format!("create r{i}")), "r{} started before r{} was ready: {:?}", i, d, log);
                prop_assert!(pos(&format!("delete r{i}")) < pos(&format!("delete r{d}")), "r{} deleted after r{}: {:?}", i, d, log);
            }
        }
        let (_, oracle_records, oracle_outputs) = run(&deps, 1, latencies);
        prop_assert_eq!(records, oracle_records);
        prop_assert_eq!(outputs, oracle_outputs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn cycles_are_rejected_before_anything_is_created(mut deps in dag().prop_filter("two or more", |d| d.len() >= 2)) {
        let last = deps.len() - 1;
        deps[0].push(last);
        // Make sure the last resource reaches back to the first.
        if !deps[last].contains(&0) {
            deps[last].push(0);
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
        rt.block_on(async {
            let driver = Arc::new(FakeDriver::new(Arc::new(TokioClock::new()), Duration::from_secs(1)));
            let store = Arc::new(MemoryStore::new());
            let e = engine(driver.clone(), store.clone(), 0);
            let err = e.create_stack("s", source(&dag_template(&deps)), StackOptions::default()).await.unwrap_err();
            assert!(err.to_string().contains("Circular Dependency Found"), "{err}");
            assert!(driver.objects().is_empty());
        });
    }
}
