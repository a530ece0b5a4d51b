//! Properties of the engine over random DAGs (proptest): every resource is
//! created exactly once and only after everything it requires is ready;
//! delete is exactly the reverse; without a limit a create takes exactly
//! its critical path (virtual time), with one never more resources are
//! built at once; running concurrently gives the same stack as the
//! sequential oracle (concurrency 1).

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

/// What a create and delete of a stack showed.
struct Run {
    /// The driver's calls, in order.
    log: Vec<String>,
    /// The final records (name -> status, properties, requires).
    records: BTreeMap<String, String>,
    /// The outputs.
    outputs: serde_json::Value,
    /// The create's duration, virtual time.
    makespan: Duration,
    /// The most resources being built at once.
    peak: usize,
}

/// The longest chain of latencies through the graph: the shortest time a
/// create can take.
fn critical_path(deps: &[Vec<usize>], latencies: &[u64]) -> Duration {
    let mut finish = vec![0u64; deps.len()];
    for (i, ds) in deps.iter().enumerate() {
        let start = ds.iter().map(|d| finish[*d]).max().unwrap_or(0);
        finish[i] = start + latencies[i];
    }
    Duration::from_millis(finish.into_iter().max().unwrap_or(0))
}

/// Creates and deletes the stack.
fn run(deps: &[Vec<usize>], concurrency: usize, latencies: &[u64]) -> Run {
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
        let started = tokio::time::Instant::now();
        let s = e
            .create_stack("s", source(&dag_template(deps)), StackOptions::default())
            .await
            .unwrap();
        let makespan = started.elapsed();
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
        let peak = driver.peak_in_flight();
        e.delete_stack("s").await.unwrap();
        assert!(driver.objects().is_empty());
        Run {
            log: driver.log(),
            records,
            outputs: serde_json::to_value(s.outputs).unwrap(),
            makespan,
            peak,
        }
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
        let r = run(&deps, concurrency, latencies);
        let log = &r.log;
        let pos = |what: String| {
            log.iter()
                .position(|l| *l == what)
                .unwrap_or_else(|| panic!("{what} is missing from {log:?}"))
        };
        for (i, ds) in deps.iter().enumerate() {
            let creates = log.iter().filter(|l| **l == format!("create r{i}")).count();
            prop_assert_eq!(creates, 1, "r{} created {} times", i, creates);
            for d in ds {
                prop_assert!(pos(format!("ready r{d}")) < pos(format!("create r{i}")), "r{} started before r{} was ready: {:?}", i, d, log);
                prop_assert!(pos(format!("delete r{i}")) < pos(format!("delete r{d}")), "r{} deleted after r{}: {:?}", i, d, log);
            }
        }
        // Parallel as the graph allows: without a limit the create takes
        // exactly its critical path; with one, never more at once.
        let floor = critical_path(&deps, latencies);
        if concurrency == 0 {
            prop_assert_eq!(r.makespan, floor);
        } else {
            prop_assert!(r.peak <= concurrency, "{} at once, limit {}", r.peak, concurrency);
            prop_assert!(r.makespan >= floor);
        }
        let oracle = run(&deps, 1, latencies);
        prop_assert_eq!(oracle.peak, 1);
        prop_assert_eq!(r.records, oracle.records);
        prop_assert_eq!(r.outputs, oracle.outputs);
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
