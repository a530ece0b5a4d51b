//! State stores backed by SQL databases, and the simulated cloud's own
//! store.

pub mod sim;
pub mod sqlite;
