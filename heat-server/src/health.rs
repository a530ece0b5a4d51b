//! The health watcher's loop: a [`HealthWatcher`] round every interval,
//! its steps and refusals logged.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::{Engine, HealthPolicy, HealthWatcher};

/// Starts watching `engine`'s stacks, a round every `every`; abort the
/// task to stop.
pub fn watch(
    engine: Arc<Engine>,
    policy: HealthPolicy,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let watcher = HealthWatcher::new(engine, policy);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            match watcher.round().await {
                Ok(report) => {
                    for (stack, resource, step) in &report.steps {
                        tracing::info!(%stack, %resource, ?step, "health: escalated");
                    }
                    for e in &report.errors {
                        tracing::warn!(error = %e, "health: a step was not taken");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "health: the round failed"),
            }
        }
    })
}
