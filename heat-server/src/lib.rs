//! heat-server: the service layer of heat-rs. Today: the SQLite
//! [`SqliteStore`] (one file, migrations, concurrent readers; it also keeps
//! the simulated cloud's objects), the runtime [`SystemClock`], and
//! [`local`], the wiring of engine, store and cloud that the CLI's local
//! mode embeds. The HTTP APIs come with their issue.

mod clock;
pub mod local;
mod store;

pub use clock::SystemClock;
pub use store::sqlite::SqliteStore;
