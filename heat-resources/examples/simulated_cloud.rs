//! Creating the WordPress example on the simulated cloud with the engine:
//! the wiring an embedding tool needs (driver over a cloud, store, clock,
//! spawner, catalog), the stack service that accepts the create and runs
//! it in the background, the outputs, what the cloud holds, then the
//! delete.
//!
//! Run with `cargo run -p heat-resources --example simulated_cloud`.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::{
    Clock, Engine, EngineConfig, EngineParts, MemoryStore, RequestContext, StackOptions,
};
use heat_core::service::{SourceParts, StackService};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_resources::{Catalog, ResourceDriver};
use heat_server::{SystemClock, TokioSpawner};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    // Every server takes 200 ms to boot; the engine builds both tiers in parallel.
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_millis(200)),
    ));
    let engine = Engine::new(EngineParts {
        driver: Arc::new(ResourceDriver::new(cloud.clone(), clock.clone())),
        store: Arc::new(MemoryStore::new()),
        clock,
        spawner: Arc::new(TokioSpawner),
        catalog: Arc::new(Catalog),
        config: EngineConfig::default(),
    });
    let service = StackService::new(engine);
    let ctx = RequestContext::new("demo", "me");

    let template = include_str!("../../examples/wordpress.yaml");
    let parts = SourceParts::template("wordpress.yaml", template);
    let start = std::time::Instant::now();
    let accepted = service
        .create(&ctx, "wordpress", &parts, StackOptions::default())
        .await
        .expect("accepted");
    println!(
        "{} after {:.3} s (accepted; the engine works in the background)",
        accepted.status_text(),
        start.elapsed().as_secs_f64()
    );
    let stack = service
        .wait(&ctx, &accepted.id)
        .await
        .expect("followed")
        .expect("not deleted");
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
    let deleting = service.delete(&ctx, "wordpress").await.expect("accepted");
    service.wait(&ctx, &deleting.id).await.expect("deleted");
    println!(
        "after delete the cloud holds {} stack objects",
        cloud.stack_objects().len()
    );
}
