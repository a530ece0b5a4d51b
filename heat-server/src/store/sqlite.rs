//! [`SqliteStore`]: the engine's state in one SQLite file (WAL mode, so
//! readers never wait for the writer).
//!
//! Writes go through one writer task per store with its own connection:
//! the writes that callers make at the same moment are committed in one
//! transaction (group commit), each in a savepoint so that one refused
//! write (a stale fence, a name taken) leaves the others in. Each caller
//! waits for the commit that holds its write, so state is durable before
//! the engine touches the cloud, at a fraction of a transaction per write.
//! Several processes share a file: SQLite's lock serialises their writers.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use heat_core::engine::{
    CancelRequest, Document, DocumentKind, EngineRecord, Event, Fence, Held, Lease, ResourceRecord,
    Signal, Snapshot, StackRecord, StateStore, StoreError, Write,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::{backend, cancel_name, cancel_of, from_json, stack_data, to_json};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// A state store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: mpsc::UnboundedSender<(Job, Reply)>,
    path: std::path::PathBuf,
}

const STACK_COLUMNS: &str = "data, traversal, lease_engine, lease_expires, cancel";

fn stack_of(row: &SqliteRow) -> Result<StackRecord, StoreError> {
    let mut s: StackRecord = from_json(row.get::<&str, _>("data"))?;
    s.traversal = row.get::<i64, _>("traversal") as u64;
    s.lease = match (
        row.get::<Option<String>, _>("lease_engine"),
        row.get::<Option<f64>, _>("lease_expires"),
    ) {
        (Some(engine), Some(expires_at)) => Some(Lease { engine, expires_at }),
        _ => None,
    };
    s.cancel = cancel_of(row.get::<Option<&str>, _>("cancel"));
    Ok(s)
}

/// A mutation waiting for the writer.
enum Job {
    Create(StackRecord),
    Acquire(StackRecord, u64, f64),
    Write(Fence, Vec<Write>),
    Renew(String, Vec<String>, f64),
    RequestCancel(String, CancelRequest),
    AddSignal(Signal),
    Heartbeat(EngineRecord),
    PutDocument(Document),
    RemoveDocument(DocumentKind, String),
}

/// What a job answers.
enum Answer {
    Done,
    Held(Vec<Held>),
    Stored(bool),
}

type Reply = oneshot::Sender<Result<Answer, StoreError>>;

impl SqliteStore {
    fn options(path: &Path) -> Result<SqliteConnectOptions, StoreError> {
        Ok(
            SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
                .map_err(backend)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL with NORMAL sync: a crashed process loses nothing; only
                // a power cut can lose the last transactions.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30)),
        )
    }

    /// Opens (creating if needed) the state file and applies migrations.
    /// Processes opening one file at once take turns (a lock file beside
    /// it), so that a new file is made and migrated once.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| backend(format!("cannot create {}: {e}", dir.display())))?;
        }
        let turn = OpenLock::take(path)?;
        let options = Self::options(path)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        let conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(backend)?;
        drop(turn);
        let (writer, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(conn, rx));
        Ok(SqliteStore {
            pool,
            writer,
            path: path.to_path_buf(),
        })
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A store in a new file of the temporary directory (tests).
    pub async fn temporary() -> Result<Self, StoreError> {
        let path = std::env::temp_dir().join(format!(
            "heat-store-{}-{}.sqlite",
            std::process::id(),
            TEMPORARY.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        Self::open(&path).await
    }

    /// The connection pool (for stores that share the file).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn submit(&self, job: Job) -> Result<Answer, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer
            .send((job, tx))
            .map_err(|_| backend("the store's writer stopped"))?;
        rx.await
            .map_err(|_| backend("the store's writer stopped"))?
    }

    /// Binds the state file to `cloud` on first use and returns the cloud
    /// it is bound to (`cloud` itself unless an earlier operation bound it
    /// to another).
    pub async fn bind_cloud(&self, cloud: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT OR IGNORE INTO settings (key, value) VALUES ('cloud', ?)")
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

/// A turn at opening a state file: an exclusive lock on `FILE.lock`,
/// released when dropped.
pub(crate) struct OpenLock(std::fs::File);

impl OpenLock {
    pub(crate) fn take(path: &Path) -> Result<Self, StoreError> {
        let lock_path = format!("{}.lock", path.display());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| backend(format!("cannot open {lock_path}: {e}")))?;
        file.lock()
            .map_err(|e| backend(format!("cannot lock {lock_path}: {e}")))?;
        Ok(OpenLock(file))
    }
}

impl Drop for OpenLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

static TEMPORARY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The writer: takes every job waiting, commits them in one transaction
/// (each in a savepoint), then answers each.
async fn write_loop(mut conn: SqliteConnection, mut rx: mpsc::UnboundedReceiver<(Job, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let answers = commit(&mut conn, &jobs).await;
        for ((_, reply), answer) in jobs.into_iter().zip(answers) {
            let _ = reply.send(answer);
        }
    }
}

async fn commit(
    conn: &mut SqliteConnection,
    jobs: &[(Job, Reply)],
) -> Vec<Result<Answer, StoreError>> {
    if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        return jobs.iter().map(|_| Err(backend(&e))).collect();
    }
    let mut batch = Batch::default();
    let mut answers = Vec::with_capacity(jobs.len());
    for (job, _) in jobs {
        match batch.apply(conn, job).await {
            Ok(answer) => answers.push(answer),
            Err(e) => {
                // The database itself failed: nothing of the batch stays.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return jobs.iter().map(|_| Err(e.clone())).collect();
            }
        }
    }
    let end = match batch.flush(conn).await {
        Ok(()) => sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .map_err(backend),
        Err(e) => Err(e),
    };
    if let Err(e) = end {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return jobs.iter().map(|_| Err(e.clone())).collect();
    }
    answers
}

/// A top-level stack's fencing state, as read in this transaction.
#[derive(Clone)]
struct Root {
    name: String,
    token: u64,
    delete_pending: bool,
}

/// What one transaction has seen and still has to write. Resource records
/// and events pile up and go in with one statement each (rows passed as a
/// JSON array), so a thousand transitions cost a few statements; anything
/// else flushes them first, so that the order of writes is kept.
#[derive(Default)]
struct Batch {
    roots: std::collections::HashMap<String, Option<Root>>,
    resources: Vec<(String, String, String)>,
    events: Vec<(String, String)>,
}

impl Batch {
    /// Runs one job; `Ok(Err(..))` is the job's refusal (nothing of it
    /// written), `Err` a failure of the database.
    async fn apply(
        &mut self,
        conn: &mut SqliteConnection,
        job: &Job,
    ) -> Result<Result<Answer, StoreError>, StoreError> {
        match job {
            Job::Write(fence, writes) => self.fenced(conn, fence, writes).await,
            other => {
                self.flush(conn).await?;
                let stack = match other {
                    Job::Create(s) | Job::Acquire(s, _, _) => Some(s.id.clone()),
                    Job::RequestCancel(id, _) => Some(id.clone()),
                    _ => None,
                };
                let answer = apply(conn, other).await;
                if let Some(id) = stack {
                    self.roots.remove(&id);
                }
                if let Job::Renew(..) = other {
                    self.roots.clear();
                }
                Ok(answer)
            }
        }
    }

    async fn root(
        &mut self,
        conn: &mut SqliteConnection,
        id: &str,
    ) -> Result<Option<Root>, StoreError> {
        if let Some(r) = self.roots.get(id) {
            return Ok(r.clone());
        }
        let row = sqlx::query("SELECT name, traversal, cancel FROM stacks WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
        let root = row.map(|row| Root {
            name: row.get("name"),
            token: row.get::<i64, _>("traversal") as u64,
            delete_pending: cancel_of(row.get::<Option<&str>, _>("cancel"))
                == Some(CancelRequest::Delete),
        });
        self.roots.insert(id.to_string(), root.clone());
        Ok(root)
    }

    async fn name_taken(
        &mut self,
        conn: &mut SqliteConnection,
        s: &StackRecord,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM stacks WHERE project = ? AND name = ? AND state <> 'DELETE_COMPLETE'",
        )
        .bind(&s.project)
        .bind(&s.name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
        Ok(row.is_some())
    }

    async fn fenced(
        &mut self,
        conn: &mut SqliteConnection,
        fence: &Fence,
        writes: &[Write],
    ) -> Result<Result<Answer, StoreError>, StoreError> {
        let Some(root) = self.root(conn, &fence.root).await? else {
            return Ok(Err(StoreError::Fenced(fence.root.clone())));
        };
        if root.token != fence.token {
            return Ok(Err(StoreError::Fenced(root.name)));
        }
        for w in writes {
            match w {
                Write::Release(id) if *id == fence.root && root.delete_pending => {
                    return Ok(Err(StoreError::DeletePending(root.name)));
                }
                Write::InsertStack(s) if self.name_taken(conn, s).await? => {
                    return Ok(Err(StoreError::Exists(s.name.clone())));
                }
                _ => {}
            }
        }
        for w in writes {
            match w {
                Write::PutResource(r) => {
                    self.resources
                        .push((r.stack_id.clone(), r.id.clone(), to_json(r)?));
                }
                Write::AddEvent(e) => self.events.push((e.stack_id.clone(), to_json(e)?)),
                other => {
                    self.flush(conn).await?;
                    structural(conn, other).await?;
                    match other {
                        Write::UpdateStack(s) => {
                            self.roots.remove(&s.id);
                        }
                        Write::Release(id) | Write::RemoveStack(id) => {
                            self.roots.remove(id);
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(Ok(Answer::Done))
    }

    /// Writes the resource records and events gathered so far.
    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<(), StoreError> {
        if !self.resources.is_empty() {
            let rows = to_json(&std::mem::take(&mut self.resources))?;
            sqlx::query(
                "INSERT INTO resources (stack_id, id, data) \
                 SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true ORDER BY key \
                 ON CONFLICT (stack_id, id) DO UPDATE SET data = excluded.data",
            )
            .bind(rows)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        }
        if !self.events.is_empty() {
            let rows = to_json(&std::mem::take(&mut self.events))?;
            sqlx::query(
                "INSERT INTO events (stack_id, data) \
                 SELECT value ->> 0, value ->> 1 FROM json_each(?) ORDER BY key",
            )
            .bind(rows)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        }
        Ok(())
    }
}

async fn apply(conn: &mut SqliteConnection, job: &Job) -> Result<Answer, StoreError> {
    match job {
        Job::Create(stack) => {
            insert_stack(conn, stack).await?;
            Ok(Answer::Done)
        }
        Job::Acquire(stack, expected, now) => {
            acquire(conn, stack, *expected, *now).await?;
            Ok(Answer::Done)
        }
        Job::Write(..) => unreachable!("fenced writes go through the batch"),
        Job::Renew(engine, stacks, expires) => {
            let mut held = Vec::new();
            for id in stacks {
                sqlx::query(
                    "UPDATE stacks SET lease_expires = ? WHERE id = ? AND lease_engine = ?",
                )
                .bind(expires)
                .bind(id)
                .bind(engine)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
                let row = sqlx::query(
                    "SELECT traversal, cancel FROM stacks WHERE id = ? AND lease_engine = ?",
                )
                .bind(id)
                .bind(engine)
                .fetch_optional(&mut *conn)
                .await
                .map_err(backend)?;
                if let Some(row) = row {
                    held.push(Held {
                        stack_id: id.clone(),
                        token: row.get::<i64, _>("traversal") as u64,
                        cancel: cancel_of(row.get::<Option<&str>, _>("cancel")),
                    });
                }
            }
            Ok(Answer::Held(held))
        }
        Job::RequestCancel(id, request) => {
            let row = sqlx::query("SELECT state, cancel FROM stacks WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(backend)?;
            let Some(row) = row else {
                return Ok(Answer::Stored(false));
            };
            let state: String = row.get("state");
            if !state.ends_with("_IN_PROGRESS") {
                return Ok(Answer::Stored(false));
            }
            let pending = cancel_of(row.get::<Option<&str>, _>("cancel"));
            let deleting = state == "DELETE_IN_PROGRESS";
            if pending != Some(CancelRequest::Delete)
                && !(deleting && *request == CancelRequest::Delete)
            {
                sqlx::query("UPDATE stacks SET cancel = ? WHERE id = ?")
                    .bind(cancel_name(*request))
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend)?;
            }
            Ok(Answer::Stored(true))
        }
        Job::AddSignal(s) => {
            sqlx::query(
                "INSERT INTO signals (stack_id, resource, signal_id, data) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (stack_id, resource, signal_id) DO UPDATE SET data = excluded.data",
            )
            .bind(&s.stack_id)
            .bind(&s.resource)
            .bind(&s.id)
            .bind(to_json(s)?)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
            Ok(Answer::Done)
        }
        Job::Heartbeat(e) => {
            sqlx::query(
                "INSERT INTO engines (id, data) VALUES (?, ?) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            )
            .bind(&e.id)
            .bind(to_json(e)?)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
            Ok(Answer::Done)
        }
        Job::PutDocument(d) => {
            sqlx::query(
                "INSERT INTO documents (kind, id, project, data) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (kind, id) DO UPDATE SET project = excluded.project, data = excluded.data",
            )
            .bind(d.kind.name())
            .bind(&d.id)
            .bind(&d.project)
            .bind(to_json(d)?)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
            Ok(Answer::Done)
        }
        Job::RemoveDocument(kind, id) => {
            let done = sqlx::query("DELETE FROM documents WHERE kind = ? AND id = ?")
                .bind(kind.name())
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            Ok(Answer::Stored(done.rows_affected() > 0))
        }
    }
}

async fn insert_stack(conn: &mut SqliteConnection, stack: &StackRecord) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO stacks (id, name, project, traversal, data, lease_engine, lease_expires, cancel, state) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&stack.id)
    .bind(&stack.name)
    .bind(&stack.project)
    .bind(stack.traversal as i64)
    .bind(stack_data(stack)?)
    .bind(stack.lease.as_ref().map(|l| l.engine.clone()))
    .bind(stack.lease.as_ref().map(|l| l.expires_at))
    .bind(stack.cancel.map(cancel_name))
    .bind(stack.status_text())
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(StoreError::Exists(stack.name.clone()))
        }
        Err(e) => Err(backend(e)),
    }
}

async fn acquire(
    conn: &mut SqliteConnection,
    stack: &StackRecord,
    expected: u64,
    now: f64,
) -> Result<(), StoreError> {
    let row =
        sqlx::query("SELECT name, traversal, lease_engine, lease_expires FROM stacks WHERE id = ?")
            .bind(&stack.id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?
            .ok_or_else(|| StoreError::NotFound(stack.id.clone()))?;
    let name: String = row.get("name");
    if row.get::<i64, _>("traversal") as u64 != expected {
        return Err(StoreError::Conflict(name));
    }
    if let (Some(engine), Some(expires_at)) = (
        row.get::<Option<String>, _>("lease_engine"),
        row.get::<Option<f64>, _>("lease_expires"),
    ) {
        let mine = stack.lease.as_ref().is_some_and(|l| l.engine == engine);
        if expires_at > now && !mine {
            return Err(StoreError::Leased {
                stack: name,
                engine,
                expires_at,
            });
        }
    }
    sqlx::query(
        "UPDATE stacks SET name = ?, traversal = ?, data = ?, lease_engine = ?, lease_expires = ?, \
         cancel = ?, state = ? WHERE id = ?",
    )
    .bind(&stack.name)
    .bind(stack.traversal as i64)
    .bind(stack_data(stack)?)
    .bind(stack.lease.as_ref().map(|l| l.engine.clone()))
    .bind(stack.lease.as_ref().map(|l| l.expires_at))
    .bind(stack.cancel.map(cancel_name))
    .bind(stack.status_text())
    .bind(&stack.id)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// A fenced write other than a resource record or an event.
async fn structural(conn: &mut SqliteConnection, w: &Write) -> Result<(), StoreError> {
    match w {
        Write::InsertStack(s) => insert_stack(conn, s).await?,
        Write::UpdateStack(s) => {
            let deleting = s.action == heat_core::engine::Action::Delete;
            sqlx::query(
                "UPDATE stacks SET name = ?, data = ?, state = ?, \
                 cancel = CASE WHEN ? AND cancel = 'delete' THEN NULL ELSE cancel END \
                 WHERE id = ?",
            )
            .bind(&s.name)
            .bind(stack_data(s)?)
            .bind(s.status_text())
            .bind(deleting)
            .bind(&s.id)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        }
        Write::Release(id) => {
            sqlx::query(
                "UPDATE stacks SET lease_engine = NULL, lease_expires = NULL, cancel = NULL WHERE id = ?",
            )
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        }
        Write::RemoveStack(id) => {
            for statement in [
                "DELETE FROM resources WHERE stack_id = ?",
                "DELETE FROM events WHERE stack_id = ?",
                "DELETE FROM signals WHERE stack_id = ?",
                "DELETE FROM snapshots WHERE stack_id = ?",
                "DELETE FROM stacks WHERE id = ?",
            ] {
                sqlx::query(statement)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend)?;
            }
        }
        Write::RemoveResource { stack_id, id } => {
            sqlx::query("DELETE FROM resources WHERE stack_id = ? AND id = ?")
                .bind(stack_id)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
        Write::PutSnapshot(s) => {
            sqlx::query(
                "INSERT INTO snapshots (stack_id, id, data) VALUES (?, ?, ?) \
                 ON CONFLICT (stack_id, id) DO UPDATE SET data = excluded.data",
            )
            .bind(&s.stack_id)
            .bind(&s.id)
            .bind(to_json(s)?)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        }
        Write::RemoveSnapshot { stack_id, id } => {
            sqlx::query("DELETE FROM snapshots WHERE stack_id = ? AND id = ?")
                .bind(stack_id)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
        Write::PutResource(_) | Write::AddEvent(_) => unreachable!("batched"),
    }
    Ok(())
}

#[async_trait]
impl StateStore for SqliteStore {
    async fn create_stack(&self, stack: &StackRecord) -> Result<(), StoreError> {
        self.submit(Job::Create(stack.clone())).await.map(|_| ())
    }

    async fn acquire(
        &self,
        stack: &StackRecord,
        expected: u64,
        now: f64,
    ) -> Result<(), StoreError> {
        self.submit(Job::Acquire(stack.clone(), expected, now))
            .await
            .map(|_| ())
    }

    async fn write(&self, fence: &Fence, writes: &[Write]) -> Result<(), StoreError> {
        self.submit(Job::Write(fence.clone(), writes.to_vec()))
            .await
            .map(|_| ())
    }

    async fn renew(
        &self,
        engine: &str,
        stacks: &[String],
        expires_at: f64,
    ) -> Result<Vec<Held>, StoreError> {
        match self
            .submit(Job::Renew(engine.to_string(), stacks.to_vec(), expires_at))
            .await?
        {
            Answer::Held(h) => Ok(h),
            _ => Ok(Vec::new()),
        }
    }

    async fn request_cancel(
        &self,
        stack_id: &str,
        request: CancelRequest,
    ) -> Result<bool, StoreError> {
        match self
            .submit(Job::RequestCancel(stack_id.to_string(), request))
            .await?
        {
            Answer::Stored(b) => Ok(b),
            _ => Ok(false),
        }
    }

    async fn add_signal(&self, signal: &Signal) -> Result<(), StoreError> {
        self.submit(Job::AddSignal(signal.clone()))
            .await
            .map(|_| ())
    }

    async fn put_document(&self, document: &Document) -> Result<(), StoreError> {
        self.submit(Job::PutDocument(document.clone()))
            .await
            .map(|_| ())
    }

    async fn remove_document(&self, kind: DocumentKind, id: &str) -> Result<bool, StoreError> {
        match self
            .submit(Job::RemoveDocument(kind, id.to_string()))
            .await?
        {
            Answer::Stored(removed) => Ok(removed),
            _ => Ok(false),
        }
    }

    async fn documents(
        &self,
        kind: DocumentKind,
        project: Option<&str>,
    ) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(
            "SELECT data FROM documents WHERE kind = ? AND (? IS NULL OR project = ?) ORDER BY seq",
        )
        .bind(kind.name())
        .bind(project)
        .bind(project)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }

    async fn heartbeat(&self, engine: &EngineRecord) -> Result<(), StoreError> {
        self.submit(Job::Heartbeat(engine.clone()))
            .await
            .map(|_| ())
    }

    async fn stack(&self, id: &str) -> Result<Option<StackRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {STACK_COLUMNS} FROM stacks WHERE id = ?"))
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
            "SELECT {STACK_COLUMNS} FROM stacks WHERE project = ? \
             AND (id = ? OR (name = ? AND state <> 'DELETE_COMPLETE')) \
             ORDER BY id = ? DESC LIMIT 1"
        ))
        .bind(project)
        .bind(id_or_name)
        .bind(id_or_name)
        .bind(id_or_name)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(stack_of).transpose()
    }

    async fn stacks(&self, project: Option<&str>) -> Result<Vec<StackRecord>, StoreError> {
        let rows = match project {
            Some(p) => {
                sqlx::query(&format!(
                    "SELECT {STACK_COLUMNS} FROM stacks WHERE project = ? ORDER BY name"
                ))
                .bind(p)
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query(&format!("SELECT {STACK_COLUMNS} FROM stacks ORDER BY name"))
                    .fetch_all(&self.pool)
                    .await
            }
        }
        .map_err(backend)?;
        rows.iter().map(stack_of).collect()
    }

    async fn in_progress(&self) -> Result<Vec<StackRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STACK_COLUMNS} FROM stacks WHERE state LIKE '%\\_IN\\_PROGRESS' ESCAPE '\\' ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(stack_of).collect()
    }

    async fn resources(&self, stack_id: &str) -> Result<Vec<ResourceRecord>, StoreError> {
        let rows = sqlx::query("SELECT data FROM resources WHERE stack_id = ? ORDER BY rowid")
            .bind(stack_id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }

    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query("SELECT data FROM events WHERE stack_id = ? ORDER BY seq")
            .bind(stack_id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }

    async fn snapshots(&self, stack_id: &str) -> Result<Vec<Snapshot>, StoreError> {
        let rows = sqlx::query("SELECT data FROM snapshots WHERE stack_id = ? ORDER BY rowid")
            .bind(stack_id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }

    async fn signals(&self, stack_id: &str, resource: &str) -> Result<Vec<Signal>, StoreError> {
        let rows = sqlx::query(
            "SELECT data FROM signals WHERE stack_id = ? AND resource = ? ORDER BY seq",
        )
        .bind(stack_id)
        .bind(resource)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }

    async fn engines(&self) -> Result<Vec<EngineRecord>, StoreError> {
        let rows = sqlx::query("SELECT data FROM engines ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }
}
