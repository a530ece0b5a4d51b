//! Shared helpers of the engine tests: a tokio clock (virtual time in
//! paused tests), a crashing store, a test catalog and stack builders.

#![allow(dead_code, unused_imports, missing_docs, clippy::new_without_default)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use heat_core::definition::{PropertyRule, TypeCatalog, TypeInfo};
pub use heat_core::engine::testing::CrashingStore;
use heat_core::engine::testing::FakeDriver;
pub use heat_core::engine::testing::Runner as TestEngine;
use heat_core::engine::{
    Engine, EngineConfig, EngineParts, ResourceRecord, StackSource, StateStore,
};
pub use heat_server::SystemClock as TokioClock;
use heat_server::{AbortableSpawner, TokioSpawner};

/// Values update in place; `immutable` never changes; the rest replaces.
pub struct TestCatalog;

impl TypeCatalog for TestCatalog {
    fn lookup(&self, _: &str) -> TypeInfo {
        TypeInfo::Known { attributes: None }
    }
    fn property_rule(&self, _type_name: &str, property: &str) -> PropertyRule {
        match property {
            "value" => PropertyRule::UpdateAllowed,
            "immutable" => PropertyRule::Immutable,
            _ => PropertyRule::Replace,
        }
    }
}

pub fn engine_with(
    driver: Arc<FakeDriver>,
    store: Arc<dyn StateStore>,
    config: EngineConfig,
) -> TestEngine {
    let engine = Engine::new(EngineParts {
        driver,
        store,
        clock: Arc::new(TokioClock::new()),
        spawner: Arc::new(TokioSpawner),
        catalog: Arc::new(TestCatalog),
        config,
    });
    TestEngine::new(engine)
}

/// An engine whose tasks can be killed (a process that dies).
pub fn mortal_engine(
    driver: Arc<FakeDriver>,
    store: Arc<dyn StateStore>,
    concurrency: usize,
) -> (TestEngine, Arc<AbortableSpawner>) {
    let spawner = Arc::new(AbortableSpawner::default());
    let engine = Engine::new(EngineParts {
        driver,
        store,
        clock: Arc::new(TokioClock::new()),
        spawner: spawner.clone(),
        catalog: Arc::new(TestCatalog),
        config: EngineConfig {
            concurrency,
            retry_backoff: Duration::from_millis(100),
            ..EngineConfig::default()
        },
    });
    (TestEngine::new(engine), spawner)
}

pub fn engine(
    driver: Arc<FakeDriver>,
    store: Arc<dyn StateStore>,
    concurrency: usize,
) -> TestEngine {
    let config = EngineConfig {
        concurrency,
        retry_backoff: Duration::from_millis(100),
        ..EngineConfig::default()
    };
    engine_with(driver, store, config)
}

pub fn source(template: &str) -> StackSource {
    StackSource {
        template: template.to_string(),
        ..StackSource::default()
    }
}

/// A HOT template of `OS::Heat::Value` resources `r0..` with the given
/// requirements (`deps[i]` lists the indices resource `i` depends on).
pub fn dag_template(deps: &[Vec<usize>]) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for (i, ds) in deps.iter().enumerate() {
        t.push_str(&format!(
            "  r{i}:\n    type: OS::Heat::Value\n    properties:\n      value: v{i}\n"
        ));
        if !ds.is_empty() {
            let names: Vec<String> = ds.iter().map(|d| format!("r{d}")).collect();
            t.push_str(&format!("    depends_on: [{}]\n", names.join(", ")));
        }
    }
    t.push_str("outputs:\n  first: {value: {get_attr: [r0, value]}}\n");
    t
}

/// The physical ids the store knows for a stack, and the objects the cloud
/// holds for it: they must be equal (nothing leaked, nothing forgotten).
pub async fn assert_no_leaks(driver: &FakeDriver, store: &dyn StateStore) {
    let mut known: Vec<String> = Vec::new();
    for s in store.stacks(None).await.unwrap() {
        for r in store.resources(&s.id).await.unwrap() {
            if let Some(p) = r.physical_id {
                if !(r.action == heat_core::engine::Action::Delete
                    && r.status == heat_core::engine::Status::Complete)
                {
                    known.push(p);
                }
            }
        }
    }
    known.sort();
    let mut held: Vec<String> = driver.objects().into_iter().map(|o| o.id).collect();
    held.sort();
    assert_eq!(held, known, "cloud objects differ from the store's records");
}

pub fn names(records: &[ResourceRecord]) -> HashMap<String, ResourceRecord> {
    records
        .iter()
        .filter(|r| r.current)
        .map(|r| (r.name.clone(), r.clone()))
        .collect()
}
