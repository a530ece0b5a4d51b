//! [`SimStore`]: where the simulated cloud keeps its objects between
//! commands: a table of its own beside the state (created here, not by the
//! state store's migrations, so the production schema knows nothing of
//! it).

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use heat_core::engine::StoreError;
use heat_resources::sim::{SimObject, SimPersistence};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Row;

/// The simulated cloud's objects in a SQLite file.
#[derive(Debug, Clone)]
pub struct SimStore {
    pool: SqlitePool,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SimStore {
    /// Opens the simulated cloud's table in a SQLite file (creating both
    /// when needed).
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let turn = super::sqlite::OpenLock::take(path)?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(backend)?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS sim_objects (id TEXT PRIMARY KEY, data TEXT NOT NULL)",
        )
        .execute(&pool)
        .await
        .map_err(backend)?;
        drop(turn);
        Ok(SimStore { pool })
    }

    /// The objects saved before.
    pub async fn objects(&self) -> Result<Vec<SimObject>, StoreError> {
        let rows = sqlx::query("SELECT data FROM sim_objects ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| serde_json::from_str(r.get::<&str, _>("data")).map_err(backend))
            .collect()
    }
}

#[async_trait]
impl SimPersistence for SimStore {
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
