//! State stores backed by SQL databases, and the simulated cloud's own
//! store.

pub mod postgres;
pub mod postgres_sim;
pub mod sim;
mod sql;
pub mod sqlite;

use heat_core::engine::{CancelRequest, StackRecord, StoreError};

pub(crate) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(backend)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(backend)
}

pub(crate) fn cancel_name(c: CancelRequest) -> &'static str {
    match c {
        CancelRequest::Rollback => "rollback",
        CancelRequest::NoRollback => "no_rollback",
        CancelRequest::Delete => "delete",
    }
}

pub(crate) fn cancel_of(s: Option<&str>) -> Option<CancelRequest> {
    match s? {
        "rollback" => Some(CancelRequest::Rollback),
        "no_rollback" => Some(CancelRequest::NoRollback),
        "delete" => Some(CancelRequest::Delete),
        _ => None,
    }
}

/// A stack record as stored: the lease and cancel request live in their
/// own columns (renewals touch only them), not in the document.
pub(crate) fn stack_data(stack: &StackRecord) -> Result<String, StoreError> {
    let mut bare = stack.clone();
    bare.lease = None;
    bare.cancel = None;
    to_json(&bare)
}
