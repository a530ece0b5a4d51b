//! Creating the WordPress example on the simulated cloud with the engine:
//! the wiring an embedding tool needs (driver, store, clock, catalog), the
//! outputs, what the cloud holds, then the delete.
//!
//! Run with `cargo run -p heat-resources --example simulated_cloud`.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use heat_core::engine::{Clock, Engine, EngineConfig, MemoryStore, StackOptions, StackSource};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_resources::{Catalog, ResourceDriver};

struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(d))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock);
    // Every server takes 200 ms to boot; the engine builds both tiers in parallel.
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_millis(200)),
    ));
    let driver = Arc::new(ResourceDriver::new(cloud.clone(), clock.clone()));
    let engine = Engine::new(
        driver,
        Arc::new(MemoryStore::new()),
        clock,
        Arc::new(Catalog),
        EngineConfig::default(),
    );

    let template = include_str!("../../examples/wordpress.yaml");
    let source = StackSource {
        template: template.into(),
        ..StackSource::default()
    };
    let start = std::time::Instant::now();
    let stack = engine
        .create_stack("wordpress", source, StackOptions::default())
        .await
        .expect("created");
    println!(
        "{} in {:.1} s",
        stack.status_text(),
        start.elapsed().as_secs_f64()
    );
    for (name, output) in stack.outputs.clone().unwrap_or_default() {
        println!("  {name}: {}", output["value"]);
    }
    for object in cloud.stack_objects() {
        println!(
            "  cloud holds {} {} ({})",
            object.kind, object.name, object.status
        );
    }
    engine.delete_stack("wordpress").await.expect("deleted");
    println!(
        "after delete the cloud holds {} stack objects",
        cloud.stack_objects().len()
    );
}
