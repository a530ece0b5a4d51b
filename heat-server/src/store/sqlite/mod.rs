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
    CancelRequest, Document, DocumentKind, EngineRecord, Event, Fence, Held, ResourceRecord,
    Signal, Snapshot, StackRecord, StateStore, StoreError, Write,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::sql::{
    bind_stack, documents, held, may_acquire, rows_of, stack_of, stop_request, StopRequest,
    STACK_COLUMNS,
};
use super::{backend, cancel_name, cancel_of, stack_data, to_json};

mod writer;

use writer::write_loop;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// A state store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: mpsc::UnboundedSender<(Job, Reply)>,
    path: std::path::PathBuf,
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
        rows_of(&rows)
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
        let sql = "SELECT data FROM resources WHERE stack_id = ? ORDER BY rowid";
        documents(&self.pool, sql, &[stack_id]).await
    }

    async fn events(&self, stack_id: &str) -> Result<Vec<Event>, StoreError> {
        let sql = "SELECT data FROM events WHERE stack_id = ? ORDER BY seq";
        documents(&self.pool, sql, &[stack_id]).await
    }

    async fn snapshots(&self, stack_id: &str) -> Result<Vec<Snapshot>, StoreError> {
        let sql = "SELECT data FROM snapshots WHERE stack_id = ? ORDER BY rowid";
        documents(&self.pool, sql, &[stack_id]).await
    }

    async fn signals(&self, stack_id: &str, resource: &str) -> Result<Vec<Signal>, StoreError> {
        let sql = "SELECT data FROM signals WHERE stack_id = ? AND resource = ? ORDER BY seq";
        documents(&self.pool, sql, &[stack_id, resource]).await
    }

    async fn engines(&self) -> Result<Vec<EngineRecord>, StoreError> {
        documents(&self.pool, "SELECT data FROM engines ORDER BY id", &[]).await
    }
}
