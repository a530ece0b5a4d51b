//! heat-server: the service side of heat-rs: [`api`], Heat's native REST
//! API v1 (axum, `app(state) -> Router`); [`serve`], the `heat-server`
//! binary (flags, [`config`], tracing, graceful shutdown); the SQLite
//! [`SqliteStore`] (one file, migrations, group commit, concurrent
//! readers); the simulated cloud's own [`SimStore`]; the tokio runtime
//! pieces ([`SystemClock`], [`TokioSpawner`]); and [`builder`], which wires
//! store, cloud and engine into the stack service that the server and the
//! CLI's local mode share.

pub mod api;
pub mod builder;
pub mod cfn;
mod clock;
pub mod cloudwatch;
pub mod config;
pub mod guest;
pub mod health;
pub mod serve;
mod store;

pub use clock::{AbortableSpawner, SystemClock, TokioSpawner};
pub use store::postgres::PostgresStore;
pub use store::postgres_sim::PgSimStore;
pub use store::sim::SimStore;
pub use store::sqlite::SqliteStore;
