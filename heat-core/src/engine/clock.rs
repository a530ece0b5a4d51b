//! [`Clock`]: time, injected so tests run in virtual time; [`Spawner`]:
//! the runtime that runs accepted operations in the background (heat-core
//! has none of its own); [`IdSource`]: ids.

use std::time::Duration;

use futures::future::BoxFuture;

/// The engine's source of time.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> f64;
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Runs a task in the background (tokio's `spawn` in a server or the CLI).
pub trait Spawner: Send + Sync {
    /// Starts `task`; it runs to completion unless the process ends.
    fn spawn(&self, task: BoxFuture<'static, ()>);
}

/// Ids for stacks, resources and events: uuid-shaped, derived from a seed
/// and a counter (heat-core does no I/O, so no OS randomness).
#[derive(Debug)]
pub struct IdSource {
    seed: u64,
    counter: std::sync::atomic::AtomicU64,
}

impl IdSource {
    /// Ids seeded with `seed` (a clock reading is a good seed).
    pub fn new(seed: u64) -> Self {
        IdSource {
            seed,
            counter: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The next id.
    pub fn next(&self) -> String {
        use sha2::Digest;
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut h = sha2::Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(n.to_le_bytes());
        let b = h.finalize();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_be_bytes([b[4], b[5]]),
            u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
            (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
            u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
        )
    }
}
