//! [`PgSimStore`]: the simulated cloud's objects in PostgreSQL, shared by
//! every heat-server process on the database, so that a stack one process
//! made is seen, updated, taken over and deleted by another as on a real
//! cloud. Its table is made here, not by the state store's migrations.
//!
//! A forgotten object's row stays, marked gone (what was made, and by
//! which stack, can still be counted). Each save or forget takes a number from one sequence while holding a
//! transaction lock, so numbers are committed in order: a reader that has
//! applied everything up to N never misses a later change numbered below
//! what it sees next.

use async_trait::async_trait;
use heat_core::engine::StoreError;
use heat_resources::sim::{SimChange, SimObject, SimPersistence};
use sqlx::postgres::PgPool;
use sqlx::Row;

use super::backend;

/// Serialises the simulated cloud's writers (an arbitrary constant).
const WRITERS: i64 = 0x0068_6561_7473_696d;

/// The simulated cloud's objects in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgSimStore {
    pool: PgPool,
}

impl PgSimStore {
    /// The simulated cloud's table on the state store's database (made
    /// when absent).
    pub async fn open(pool: PgPool) -> Result<Self, StoreError> {
        let mut tx = pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITERS)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for statement in [
            "CREATE SEQUENCE IF NOT EXISTS sim_changes",
            "CREATE TABLE IF NOT EXISTS sim_objects (id TEXT PRIMARY KEY, data TEXT NOT NULL, \
             change BIGINT NOT NULL, gone BOOLEAN NOT NULL DEFAULT false)",
            "CREATE INDEX IF NOT EXISTS sim_objects_by_change ON sim_objects (change)",
        ] {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(PgSimStore { pool })
    }

    /// Runs one statement (its parameters `binds`) as the only writer.
    async fn change(&self, statement: &str, binds: &[&str]) -> Result<(), String> {
        let mut tx = self.pool.begin().await.map_err(|e| e.to_string())?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITERS)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        let mut query = sqlx::query(statement);
        for b in binds {
            query = query.bind(*b);
        }
        query.execute(&mut *tx).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())
    }
}

#[async_trait]
impl SimPersistence for PgSimStore {
    async fn save_object(&self, object: &SimObject) -> Result<(), String> {
        let data = serde_json::to_string(object).map_err(|e| e.to_string())?;
        self.change(
            "INSERT INTO sim_objects (id, data, change) VALUES ($1, $2, nextval('sim_changes')) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, change = excluded.change, gone = false",
            &[&object.id, &data],
        )
        .await
    }

    async fn forget_object(&self, id: &str) -> Result<(), String> {
        self.change(
            "UPDATE sim_objects SET change = nextval('sim_changes'), gone = true WHERE id = $1",
            &[id],
        )
        .await
    }

    async fn changes(&self, after: u64) -> Result<Option<(u64, Vec<SimChange>)>, String> {
        let rows = sqlx::query(
            "SELECT id, data, change, gone FROM sim_objects WHERE change > $1 ORDER BY change",
        )
        .bind(after as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| e.to_string())?;
        let mut reached = after;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            reached = reached.max(row.get::<i64, _>("change") as u64);
            if row.get::<bool, _>("gone") {
                out.push(SimChange::Forgotten(row.get("id")));
            } else {
                let object =
                    serde_json::from_str(row.get::<&str, _>("data")).map_err(|e| e.to_string())?;
                out.push(SimChange::Saved(Box::new(object)));
            }
        }
        Ok(Some((reached, out)))
    }
}
