//! What the two SQL stores share, whatever their database: a stack's
//! columns and how a row of them becomes a [`StackRecord`], documents
//! read from their `data` column, the rule of taking a stack's lease, a
//! lease renewed, and the rule of a stop request. Each store keeps its
//! own statements (placeholders and locking differ) and its own way of
//! committing.

use heat_core::engine::{CancelRequest, Held, Lease, StackRecord, StoreError};
use sqlx::query::Query;
use sqlx::{Database, Encode, Row, Type};

use super::{backend, cancel_name, cancel_of, from_json, stack_data};

/// The columns a stack is read from.
pub(crate) const STACK_COLUMNS: &str = "data, traversal, lease_engine, lease_expires, cancel";

/// A row's columns by name, as both databases' rows give them.
pub(crate) trait Columns {
    fn text(&self, column: &str) -> Result<&str, StoreError>;
    fn maybe_text(&self, column: &str) -> Result<Option<&str>, StoreError>;
    fn integer(&self, column: &str) -> Result<i64, StoreError>;
    fn maybe_real(&self, column: &str) -> Result<Option<f64>, StoreError>;
}

macro_rules! columns_of {
    ($($row:ty),*) => {$(
        impl Columns for $row {
            fn text(&self, column: &str) -> Result<&str, StoreError> {
                self.try_get(column).map_err(backend)
            }
            fn maybe_text(&self, column: &str) -> Result<Option<&str>, StoreError> {
                self.try_get(column).map_err(backend)
            }
            fn integer(&self, column: &str) -> Result<i64, StoreError> {
                self.try_get(column).map_err(backend)
            }
            fn maybe_real(&self, column: &str) -> Result<Option<f64>, StoreError> {
                self.try_get(column).map_err(backend)
            }
        }
    )*};
}

columns_of!(sqlx::postgres::PgRow, sqlx::sqlite::SqliteRow);

/// A stack from a row of [`STACK_COLUMNS`]: the document, with the
/// traversal, lease and stop request of their own columns.
pub(crate) fn stack_of(row: &impl Columns) -> Result<StackRecord, StoreError> {
    let mut s: StackRecord = from_json(row.text("data")?)?;
    s.traversal = row.integer("traversal")? as u64;
    s.lease = lease_of(row)?;
    s.cancel = cancel_of(row.maybe_text("cancel")?);
    Ok(s)
}

/// The lease a row's `lease_engine` and `lease_expires` hold.
fn lease_of(row: &impl Columns) -> Result<Option<Lease>, StoreError> {
    Ok(
        match (
            row.maybe_text("lease_engine")?,
            row.maybe_real("lease_expires")?,
        ) {
            (Some(engine), Some(expires_at)) => Some(Lease {
                engine: engine.to_string(),
                expires_at,
            }),
            _ => None,
        },
    )
}

/// The documents of rows' `data` column.
pub(crate) fn rows_of<T: serde::de::DeserializeOwned>(
    rows: &[impl Columns],
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|r| from_json(r.text("data")?)).collect()
}

/// Whether `stack` may take its lease, given its row as stored (`name`,
/// `traversal`, `lease_engine`, `lease_expires`): the traversal must be
/// the one the caller read (`expected`), and a lease another engine holds
/// must have expired by `now`.
pub(crate) fn may_acquire(
    row: &impl Columns,
    stack: &StackRecord,
    expected: u64,
    now: f64,
) -> Result<(), StoreError> {
    let name = row.text("name")?.to_string();
    if row.integer("traversal")? as u64 != expected {
        return Err(StoreError::Conflict(name));
    }
    if let Some(held) = lease_of(row)? {
        let mine = stack
            .lease
            .as_ref()
            .is_some_and(|l| l.engine == held.engine);
        if held.expires_at > now && !mine {
            return Err(StoreError::Leased {
                stack: name,
                engine: held.engine,
                expires_at: held.expires_at,
            });
        }
    }
    Ok(())
}

/// A lease renewed, from its row's `traversal` and `cancel`.
pub(crate) fn held(stack_id: String, row: &impl Columns) -> Result<Held, StoreError> {
    Ok(Held {
        stack_id,
        token: row.integer("traversal")? as u64,
        cancel: cancel_of(row.maybe_text("cancel")?),
    })
}

/// What a stop request does to a stack, given its row's `state` and
/// `cancel`.
#[derive(Debug, PartialEq)]
pub(crate) enum StopRequest {
    /// No operation is in progress: nothing to stop.
    Idle,
    /// Store the request (and announce it).
    Store,
    /// A delete is requested or running already: it stands.
    Stands,
}

/// Heat's rule: a delete requested, or a delete running asked to be
/// deleted, is not replaced.
pub(crate) fn stop_request(
    row: &impl Columns,
    request: CancelRequest,
) -> Result<StopRequest, StoreError> {
    let state = row.text("state")?;
    if !state.ends_with("_IN_PROGRESS") {
        return Ok(StopRequest::Idle);
    }
    let pending = cancel_of(row.maybe_text("cancel")?);
    let deleting = state == "DELETE_IN_PROGRESS";
    Ok(
        if pending == Some(CancelRequest::Delete) || (deleting && request == CancelRequest::Delete)
        {
            StopRequest::Stands
        } else {
            StopRequest::Store
        },
    )
}

/// Binds the columns a stack is written to but its id and project, in
/// this order: `name, traversal, data, lease_engine, lease_expires,
/// cancel, state`.
pub(crate) fn bind_stack<'q, DB>(
    query: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    stack: &'q StackRecord,
) -> Result<Query<'q, DB, <DB as Database>::Arguments<'q>>, StoreError>
where
    DB: Database,
    &'q str: Encode<'q, DB> + Type<DB>,
    String: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    Option<f64>: Encode<'q, DB> + Type<DB>,
{
    Ok(query
        .bind(stack.name.as_str())
        .bind(stack.traversal as i64)
        .bind(stack_data(stack)?)
        .bind(stack.lease.as_ref().map(|l| l.engine.as_str()))
        .bind(stack.lease.as_ref().map(|l| l.expires_at))
        .bind(stack.cancel.map(cancel_name))
        .bind(stack.status_text()))
}

/// The documents (`data`) of the rows a query with text parameters
/// selects.
pub(crate) async fn documents<DB, T>(
    pool: &sqlx::Pool<DB>,
    sql: &str,
    binds: &[&str],
) -> Result<Vec<T>, StoreError>
where
    DB: Database,
    DB::Row: Columns,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    T: serde::de::DeserializeOwned,
{
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let rows = query.fetch_all(pool).await.map_err(backend)?;
    rows_of(&rows)
}
