//! The runtime heat-core needs, on tokio: [`SystemClock`] (wall-clock
//! time read through tokio's clock, so that tests with tokio's paused time
//! run in virtual time with the same code) and [`TokioSpawner`]. The one
//! implementation the CLI, the server, tests, benchmarks and examples use.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use heat_core::engine::{Clock, Spawner};

/// The clock: seconds since the epoch, advancing with tokio's clock
/// (virtual time in a test whose runtime starts paused).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    wall: f64,
    base: tokio::time::Instant,
}

impl SystemClock {
    /// The clock, reading the wall clock now. Under tokio's paused time,
    /// the time the runtime has advanced is counted in, so that every
    /// clock of a process agrees whenever it was made.
    pub fn new() -> Self {
        let real = std::time::Instant::now();
        let base = tokio::time::Instant::now();
        let advanced = match base.into_std().checked_duration_since(real) {
            Some(ahead) => ahead.as_secs_f64(),
            None => -real.duration_since(base.into_std()).as_secs_f64(),
        };
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        SystemClock {
            wall: wall + advanced,
            base,
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> f64 {
        self.wall + self.base.elapsed().as_secs_f64()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Runs tasks on the current tokio runtime.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSpawner;

impl Spawner for TokioSpawner {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }
}

/// A spawner whose tasks can all be aborted at once: what a process's death
/// does to its operations (crash tests), or a hard stop.
#[derive(Debug, Default)]
pub struct AbortableSpawner {
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

impl AbortableSpawner {
    /// Aborts every task started so far.
    pub fn abort_all(&self) {
        for t in self.tasks.lock().expect("not poisoned").drain(..) {
            t.abort();
        }
    }
}

impl Spawner for AbortableSpawner {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        let handle = tokio::spawn(task).abort_handle();
        let mut tasks = self.tasks.lock().expect("not poisoned");
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }
}
