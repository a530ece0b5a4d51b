//! Engine figures, printed: (a) virtual time: 1,000 independent resources
//! of 1 s latency with no limit; a 100-deep chain of 1 s resources; a
//! concurrency limit k against the list-scheduling bound; (b) real time
//! with a no-op driver: engine overhead for 10,000 and for 10 resources;
//! (c) an update of one property in a 1,000-resource stack.

#![allow(missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use heat_core::definition::{PropertyRule, TypeCatalog, TypeInfo};
use heat_core::engine::testing::FakeDriver;
use heat_core::engine::{
    Engine, EngineConfig, EngineParts, MemoryStore, RequestContext, StackOptions, StackRecord,
    StackSource,
};
use heat_server::{SystemClock, TokioSpawner};

struct Catalog;

impl TypeCatalog for Catalog {
    fn lookup(&self, _: &str) -> TypeInfo {
        TypeInfo::Known { attributes: None }
    }
    fn property_rule(&self, _: &str, p: &str) -> PropertyRule {
        if p == "value" {
            PropertyRule::UpdateAllowed
        } else {
            PropertyRule::Replace
        }
    }
}

fn template(n: usize, chain: bool, value: &str) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in 0..n {
        let v = if i == n / 2 { value } else { "same" };
        t.push_str(&format!(
            "  r{i}:\n    type: OS::Heat::Value\n    properties: {{value: {v}}}\n"
        ));
        if chain && i > 0 {
            t.push_str(&format!("    depends_on: r{}\n", i - 1));
        }
    }
    t
}

fn engine(latency: Duration, concurrency: usize) -> (Arc<Engine>, Arc<FakeDriver>) {
    let clock = Arc::new(SystemClock::new());
    let driver = Arc::new(FakeDriver::new(clock.clone(), latency));
    let config = EngineConfig {
        concurrency,
        max_resources: 100_000,
        max_template_size: usize::MAX,
        ..EngineConfig::default()
    };
    let engine = Engine::new(EngineParts {
        driver: driver.clone(),
        store: Arc::new(MemoryStore::new()),
        clock,
        spawner: Arc::new(TokioSpawner),
        catalog: Arc::new(Catalog),
        config,
    });
    (engine, driver)
}

/// Creates a stack and waits for the end of the create.
async fn create(e: &Arc<Engine>, name: &str, source: StackSource) -> StackRecord {
    let accepted = e
        .create_stack(
            &RequestContext::default(),
            name,
            source,
            StackOptions::default(),
        )
        .await
        .unwrap();
    e.wait(&accepted.id).await.unwrap().unwrap()
}

fn source(t: String) -> StackSource {
    StackSource {
        template: t,
        ..StackSource::default()
    }
}

fn virtual_time(n: usize, chain: bool, concurrency: usize) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let (e, _) = engine(Duration::from_secs(1), concurrency);
        let start = tokio::time::Instant::now();
        let s = create(&e, "s", source(template(n, chain, "x"))).await;
        assert_eq!(s.status_text(), "CREATE_COMPLETE");
        start.elapsed()
    })
}

fn real_time(n: usize, runs: usize) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let t = template(n, false, "x");
    (0..runs)
        .map(|_| {
            rt.block_on(async {
                let (e, _) = engine(Duration::ZERO, 0);
                let start = Instant::now();
                let s = create(&e, "s", source(t.clone())).await;
                assert_eq!(s.status_text(), "CREATE_COMPLETE");
                start.elapsed()
            })
        })
        .min()
        .unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("(a) virtual time, 1 s per resource");
    println!(
        "  1,000 independent, no limit: {:>7.1} s (the physical limit is 1 s)",
        virtual_time(1000, false, 0).as_secs_f64()
    );
    println!(
        "  100-deep chain:              {:>7.1} s (the critical path is 100 s)",
        virtual_time(100, true, 0).as_secs_f64()
    );
    for k in [10usize, 64] {
        let t = virtual_time(1000, false, k).as_secs_f64();
        let bound = (1000.0 / k as f64).ceil();
        println!(
            "  1,000 independent, limit {k:>2}:  {t:>7.1} s (list-scheduling bound {bound:.0} s)"
        );
    }
    println!("(b) real time, no-op driver (best of 5)");
    println!(
        "  10,000 resources: {:>8.1} ms",
        real_time(10_000, 5).as_secs_f64() * 1e3
    );
    println!(
        "  10 resources:     {:>8.3} ms",
        real_time(10, 5).as_secs_f64() * 1e3
    );
    println!("(c) update of one property in a 1,000-resource stack");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let (e, driver) = engine(Duration::ZERO, 0);
        let created = create(&e, "s", source(template(1000, false, "before"))).await;
        let before = driver.log().len();
        let start = Instant::now();
        let accepted = e
            .update_stack(
                &created,
                source(template(1000, false, "after")),
                StackOptions::default(),
            )
            .await
            .unwrap();
        let s = e.wait(&accepted.id).await.unwrap().unwrap();
        let took = start.elapsed();
        assert_eq!(s.status_text(), "UPDATE_COMPLETE");
        let calls: Vec<String> = driver.log()[before..].to_vec();
        println!(
            "  cloud calls: {calls:?} in {:.1} ms",
            took.as_secs_f64() * 1e3
        );
    });
}
