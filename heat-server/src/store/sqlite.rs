//! [`SqliteStore`]: the engine's state in one SQLite file (WAL mode, so
//! readers never wait), with the simulated cloud's objects beside it.

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use heat_core::engine::{Event, ResourceRecord, StackRecord, StateStore, StoreError};
use heat_resources::sim::{SimObject, SimPersistence};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;

/// A state store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(backend)
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(backend)
}

impl SqliteStore {
    /// Opens (creating if needed) the state file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| backend(format!("cannot create {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL sync: a crashed process loses nothing; only a
            // power cut can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(backend)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(SqliteStore { pool })
    }

    /// A store in memory (tests).
    pub async fn in_memory() -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").map_err(backend)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(backend)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(SqliteStore { pool })
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

    /// The simulated cloud's saved objects.
    pub async fn sim_objects(&self) -> Result<Vec<SimObject>, StoreError> {
        let rows = sqlx::query("SELECT data FROM sim_objects ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }
}

#[async_trait]
impl StateStore for SqliteStore {
    async fn insert_stack(&self, stack: &StackRecord) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO stacks (id, name, project, traversal, data) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&stack.id)
        .bind(&stack.name)
        .bind(&stack.project)
        .bind(stack.traversal as i64)
        .bind(to_json(stack)?)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Exists(stack.name.clone()))
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn update_stack(&self, stack: &StackRecord, expected: u64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE stacks SET name = ?, traversal = ?, data = ? WHERE id = ? AND traversal = ?",
        )
        .bind(&stack.name)
        .bind(stack.traversal as i64)
        .bind(to_json(stack)?)
        .bind(&stack.id)
        .bind(expected as i64)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        match self.stack(&stack.id).await? {
            Some(_) => Err(StoreError::Conflict(stack.name.clone())),
            None => Err(StoreError::NotFound(stack.id.clone())),
        }
    }

    async fn stack(&self, id_or_name: &str) -> Result<Option<StackRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT data FROM stacks WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1",
        )
        .bind(id_or_name)
        .bind(id_or_name)
        .bind(id_or_name)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(|r| from_json(r.get::<&str, _>("data"))).transpose()
    }

    async fn stacks(&self) -> Result<Vec<StackRecord>, StoreError> {
        let rows = sqlx::query("SELECT data FROM stacks ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| from_json(r.get::<&str, _>("data")))
            .collect()
    }

    async fn remove_stack(&self, id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for table in [
            "DELETE FROM resources WHERE stack_id = ?",
            "DELETE FROM events WHERE stack_id = ?",
            "DELETE FROM stacks WHERE id = ?",
        ] {
            sqlx::query(table)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn put_resource(&self, resource: &ResourceRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO resources (stack_id, id, data) VALUES (?, ?, ?) ON CONFLICT (stack_id, id) DO UPDATE SET data = excluded.data")
            .bind(&resource.stack_id)
            .bind(&resource.id)
            .bind(to_json(resource)?)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn remove_resource(&self, stack_id: &str, record_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM resources WHERE stack_id = ? AND id = ?")
            .bind(stack_id)
            .bind(record_id)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
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

    async fn add_event(&self, event: &Event) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO events (stack_id, data) VALUES (?, ?)")
            .bind(&event.stack_id)
            .bind(to_json(event)?)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
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
}

#[async_trait]
impl SimPersistence for SqliteStore {
    async fn save_object(&self, object: &SimObject) -> Result<(), String> {
        let data = serde_json::to_string(object).map_err(|e| e.to_string())?;
        sqlx::query("INSERT INTO sim_objects (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data")
            .bind(&object.id)
            .bind(data)
            .execute(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    async fn forget_object(&self, id: &str) -> Result<(), String> {
        sqlx::query("DELETE FROM sim_objects WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
