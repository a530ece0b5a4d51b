//! State stores backed by SQL databases.

pub mod sqlite;
