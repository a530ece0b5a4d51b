//! [`PostgresStore`]: the engine's state in PostgreSQL, shared by several
//! heat-server processes (on one machine or several) with no broker.
//!
//! PostgreSQL is the coordination layer: each call is one transaction; a
//! fenced write locks its top-level stack's row (`FOR UPDATE`) while it
//! checks the fencing token and writes, so a takeover (which locks the same
//! row to bump the token) is ordered before or after it, never between;
//! signals, stop requests and the end of operations are announced with
//! `NOTIFY` in the transaction that stores them, and every process
//! `LISTEN`s, so a signal or a cancel sent to any process reaches the
//! operation wherever it runs at once, and whoever waits for an operation
//! learns at once that it ended.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use heat_core::engine::{
    Action, CancelRequest, ChangeHook, Document, DocumentKind, EngineRecord, Event, Fence, Held,
    ResourceRecord, Signal, Snapshot, StackRecord, StateStore, StoreChange, StoreError, Write,
};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row, Transaction};

use super::sql::{
    bind_stack, documents, held, may_acquire, rows_of, stack_of, stop_request, StopRequest,
    STACK_COLUMNS,
};
use super::{backend, cancel_name, stack_data, to_json};

/// The channel of signals and stop requests.
const CHANNEL: &str = "heat_changes";

/// A state store in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    url: String,
    hooks: Arc<Mutex<Vec<ChangeHook>>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &redacted(&self.url))
            .finish()
    }
}

/// A database URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl PostgresStore {
    /// Connects (`postgres://user:password@host:port/database`), applies
    /// the migrations (one process at a time: sqlx takes an advisory lock)
    /// and starts listening for other processes' signals and stop
    /// requests.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url
            .parse::<PgConnectOptions>()
            .map_err(|e| backend(format!("database URL {}: {e}", redacted(url))))?
            // The migrations' "already exists" notices are not news.
            .options([("client_min_messages", "warning")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|e| backend(format!("cannot connect to {}: {e}", redacted(url))))?;
        sqlx::migrate!("./pg-migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        let store = PostgresStore {
            pool,
            url: url.to_string(),
            hooks: Arc::new(Mutex::new(Vec::new())),
        };
        store.listen().await?;
        Ok(store)
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Starts the listener: each notification is handed to the hooks; a
    /// lost connection is made again (what was missed meanwhile is found
    /// by the engine's polls).
    async fn listen(&self) -> Result<(), StoreError> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .map_err(backend)?;
        listener.listen(CHANNEL).await.map_err(backend)?;
        let hooks = Arc::downgrade(&self.hooks);
        tokio::spawn(async move {
            loop {
                let n = match listener.recv().await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                let Some(hooks) = hooks.upgrade() else { return };
                let change = match n.payload().split_once(':') {
                    Some(("signal", id)) => StoreChange::Signal(id.to_string()),
                    Some(("cancel", id)) => StoreChange::Cancel(id.to_string()),
                    Some(("released", id)) => StoreChange::Released(id.to_string()),
                    _ => continue,
                };
                let hooks: Vec<ChangeHook> = hooks.lock().expect("not poisoned").clone();
                for hook in hooks {
                    hook(change.clone());
                }
            }
        });
        Ok(())
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin().await.map_err(backend)
    }

    /// The server key (signal URLs, stack credentials), the same for
    /// every process on the database: made by the first, kept in the
    /// database (which only the servers reach).
    pub async fn server_key(&self) -> Result<[u8; 32], StoreError> {
        let fresh: [u8; 32] = rand::random();
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('server_key', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(hex::encode(fresh))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = 'server_key'")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        let key: [u8; 32] = hex::decode(row.get::<&str, _>("value"))
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| backend("the stored server key is malformed"))?;
        Ok(key)
    }

    /// Binds the database to `cloud` on first use and returns the cloud
    /// it is bound to (as [`SqliteStore::bind_cloud`](super::sqlite::SqliteStore::bind_cloud)).
    pub async fn bind_cloud(&self, cloud: &str) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('cloud', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(cloud)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = 'cloud'")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(row.get::<String, _>("value"))
    }
}

async fn notify(tx: &mut Transaction<'_, Postgres>, payload: String) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(())
}

async fn insert_stack(
    tx: &mut Transaction<'_, Postgres>,
    stack: &StackRecord,
) -> Result<(), StoreError> {
    // A live name taken (the partial unique index) inserts nothing.
    let result = bind_stack(
        sqlx::query(
            "INSERT INTO stacks (id, project, name, traversal, data, lease_engine, lease_expires, \
             cancel, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        )
        .bind(&stack.id)
        .bind(&stack.project),
        stack,
    )?
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Exists(stack.name.clone()));
    }
    Ok(())
}

/// A write as `heat_write` (the database function of the second
/// migration) applies it.
fn encoded(w: &Write) -> Result<serde_json::Value, StoreError> {
    use serde_json::json;
    Ok(match w {
        Write::InsertStack(s) => json!({
            "op": "insert_stack", "id": s.id, "name": s.name, "project": s.project,
            "traversal": s.traversal, "data": stack_data(s)?,
            "lease_engine": s.lease.as_ref().map(|l| &l.engine),
            "lease_expires": s.lease.as_ref().map(|l| l.expires_at),
            "cancel": s.cancel.map(cancel_name), "state": s.status_text(),
        }),
        Write::UpdateStack(s) => json!({
            "op": "update_stack", "id": s.id, "name": s.name, "data": stack_data(s)?,
            "state": s.status_text(), "deleting": s.action == Action::Delete,
        }),
        Write::Release(id) => json!({"op": "release", "id": id}),
        Write::RemoveStack(id) => json!({"op": "remove_stack", "id": id}),
        Write::PutResource(r) => json!({
            "op": "put_resource", "stack_id": r.stack_id, "id": r.id, "data": to_json(r)?,
        }),
        Write::RemoveResource { stack_id, id } => {
            json!({"op": "remove_resource", "stack_id": stack_id, "id": id})
        }
        Write::AddEvent(e) => {
            json!({"op": "add_event", "stack_id": e.stack_id, "data": to_json(e)?})
        }
        Write::PutSnapshot(s) => json!({
            "op": "put_snapshot", "stack_id": s.stack_id, "id": s.id, "data": to_json(s)?,
        }),
        Write::RemoveSnapshot { stack_id, id } => {
            json!({"op": "remove_snapshot", "stack_id": stack_id, "id": id})
        }
    })
}

/// The SQLSTATE `heat_write` raises for a live name taken.
const NAME_TAKEN: &str = "HE001";

#[async_trait]
impl StateStore for PostgresStore {
    async fn create_stack(&self, stack: &StackRecord) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_stack(&mut tx, stack).await?;
        tx.commit().await.map_err(backend)
    }

    async fn acquire(
        &self,
        stack: &StackRecord,
        expected: u64,
        now: f64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT name, traversal, lease_engine, lease_expires FROM stacks WHERE id = $1 FOR UPDATE",
        )
        .bind(&stack.id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound(stack.id.clone()))?;
        may_acquire(&row, stack, expected, now)?;
        bind_stack(
            sqlx::query(
                "UPDATE stacks SET name = $1, traversal = $2, data = $3, lease_engine = $4, \
                 lease_expires = $5, cancel = $6, state = $7 WHERE id = $8",
            ),
            stack,
        )?
        .bind(&stack.id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn write(&self, fence: &Fence, writes: &[Write]) -> Result<(), StoreError> {
        let batch = writes.iter().map(encoded).collect::<Result<Vec<_>, _>>()?;
        let answer = sqlx::query("SELECT heat_write($1, $2, $3::jsonb) AS answer")
            .bind(&fence.root)
            .bind(fence.token as i64)
            .bind(serde_json::Value::Array(batch).to_string())
            .fetch_one(&self.pool)
            .await;
        let answer: String = match answer {
            Ok(row) => row.get("answer"),
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(NAME_TAKEN) => {
                return Err(StoreError::Exists(e.message().to_string()));
            }
            Err(e) => return Err(backend(e)),
        };
        match answer.split_once(':') {
            None => Ok(()),
            Some(("delete_pending", name)) => Err(StoreError::DeletePending(name.to_string())),
            Some((_, name)) => Err(StoreError::Fenced(name.to_string())),
        }
    }

    async fn renew(
        &self,
        engine: &str,
        stacks: &[String],
        expires_at: f64,
    ) -> Result<Vec<Held>, StoreError> {
        let rows = sqlx::query(
            "UPDATE stacks SET lease_expires = $1 WHERE id = ANY($2) AND lease_engine = $3 \
             RETURNING id, traversal, cancel",
        )
        .bind(expires_at)
        .bind(stacks)
        .bind(engine)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(|row| held(row.get("id"), row)).collect()
    }

    async fn request_cancel(
        &self,
        stack_id: &str,
        request: CancelRequest,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT state, cancel FROM stacks WHERE id = $1 FOR UPDATE")
            .bind(stack_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let Some(row) = row else {
            return Ok(false);
        };
        match stop_request(&row, request)? {
            StopRequest::Idle => return Ok(false),
            StopRequest::Stands => {}
            StopRequest::Store => {
                sqlx::query("UPDATE stacks SET cancel = $1 WHERE id = $2")
                    .bind(cancel_name(request))
                    .bind(stack_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                notify(&mut tx, format!("cancel:{stack_id}")).await?;
            }
        }
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn add_signal(&self, signal: &Signal) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO signals (stack_id, resource, signal_id, data) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (stack_id, resource, signal_id) DO UPDATE SET data = excluded.data",
        )
        .bind(&signal.stack_id)
        .bind(&signal.resource)
        .bind(&signal.id)
        .bind(to_json(signal)?)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        notify(&mut tx, format!("signal:{}", signal.stack_id)).await?;
        tx.commit().await.map_err(backend)
    }

    async fn heartbeat(&self, engine: &EngineRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO engines (id, data) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        )
        .bind(&engine.id)
        .bind(to_json(engine)?)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn stack(&self, id: &str) -> Result<Option<StackRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {STACK_COLUMNS} FROM stacks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(stack_of).transpose()
    }

    async fn find_stack(
        &self,
        project: &str,
        id_or_name: &str,
    ) -> Result<Option<StackRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {STACK_COLUMNS} FROM stacks WHERE project = $1 \
             AND (id = $2 OR (name = $2 AND state <> 'DELETE_COMPLETE')) \
             ORDER BY (id = $2) DESC LIMIT 1"
        ))
        .bind(project)
        .bind(id_or_name)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(stack_of).transpose()
    }

    async fn stacks(&self, project: Option<&str>) -> Result<Vec<StackRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STACK_COLUMNS} FROM stacks WHERE $1::text IS NULL OR project = $1 \
             ORDER BY name COLLATE \"C\", id"
        ))
        .bind(project)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(stack_of).collect()
    }

    async fn in_progress(&self) -> Result<Vec<StackRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STACK_COLUMNS} FROM stacks WHERE state LIKE '%\\_IN\\_PROGRESS' ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(stack_of).collect()
    }

    async fn resources(&self, stack_id: &str) -> Result<Vec<ResourceRecord>, StoreError> {
        let sql = "SELECT data FROM resources WHERE stack_id = $1 ORDER BY seq";
        documents(&self.pool, sql, &[stack_id]).await
    }

    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError> {
        let sql = "SELECT data FROM events WHERE stack_id = $1 ORDER BY seq";
        documents(&self.pool, sql, &[stack_id]).await
    }

    async fn signals(&self, stack_id: &str, resource: &str) -> Result<Vec<Signal>, StoreError> {
        let sql = "SELECT data FROM signals WHERE stack_id = $1 AND resource = $2 ORDER BY seq";
        documents(&self.pool, sql, &[stack_id, resource]).await
    }

    async fn snapshots(&self, stack_id: &str) -> Result<Vec<Snapshot>, StoreError> {
        let sql = "SELECT data FROM snapshots WHERE stack_id = $1 ORDER BY seq";
        documents(&self.pool, sql, &[stack_id]).await
    }

    async fn put_document(&self, document: &Document) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO documents (kind, id, project, data) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kind, id) DO UPDATE SET project = excluded.project, data = excluded.data",
        )
        .bind(document.kind.name())
        .bind(&document.id)
        .bind(&document.project)
        .bind(to_json(document)?)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn remove_document(&self, kind: DocumentKind, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM documents WHERE kind = $1 AND id = $2")
            .bind(kind.name())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn documents(
        &self,
        kind: DocumentKind,
        project: Option<&str>,
    ) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(
            "SELECT data FROM documents WHERE kind = $1 AND ($2::text IS NULL OR project = $2) \
             ORDER BY seq",
        )
        .bind(kind.name())
        .bind(project)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows_of(&rows)
    }

    async fn engines(&self) -> Result<Vec<EngineRecord>, StoreError> {
        documents(&self.pool, "SELECT data FROM engines ORDER BY id", &[]).await
    }

    fn watch(&self, hook: ChangeHook) {
        self.hooks.lock().expect("not poisoned").push(hook);
    }
}
