//! What the simulated cloud's tests share: a cloud (each object `latency`
//! to become ready), an in-memory store and a runner over an engine with
//! the whole catalog.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::testing::Runner;
use heat_core::engine::{Clock, EngineConfig, MemoryStore, StackOptions, StackRecord, StackSource};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_server::{builder, SystemClock, TokioSpawner};

pub struct Sim {
    pub cloud: Arc<SimCloud>,
    pub store: Arc<MemoryStore>,
    pub runner: Runner,
}

pub fn sim(latency: Duration) -> Sim {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(latency),
    ));
    let store = Arc::new(MemoryStore::new());
    let runner = Runner::new(builder::engine(
        cloud.clone(),
        store.clone(),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
    ));
    Sim {
        cloud,
        store,
        runner,
    }
}

/// Creates a stack, which must complete.
pub async fn create(runner: &Runner, name: &str, template: &str) -> StackRecord {
    let s = runner
        .create_stack(
            name,
            StackSource {
                template: template.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    s
}
