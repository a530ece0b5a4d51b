//! heat-server: the service side of heat-rs. Today: the SQLite
//! [`SqliteStore`] (one file, migrations, group commit, concurrent readers),
//! the simulated cloud's own [`SimStore`], the tokio runtime pieces
//! ([`SystemClock`], [`TokioSpawner`]) and [`builder`], which wires store,
//! cloud and engine into the stack service that the CLI's local mode
//! embeds. The HTTP APIs come with their issue.

pub mod builder;
mod clock;
mod store;

pub use clock::{AbortableSpawner, SystemClock, TokioSpawner};
pub use store::sim::SimStore;
pub use store::sqlite::SqliteStore;
