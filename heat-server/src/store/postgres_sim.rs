//! [`PgSimStore`]: the simulated cloud's objects in PostgreSQL, shared by
//! every heat-server process on the database, so that a stack one process
//! made is seen, updated, taken over and deleted by another as on a real
//! cloud. Its table is made here, not by the state store's migrations.
//!
//! A forgotten object's row stays, marked gone (what was made, and by
//! which stack, can still be counted). Each change is announced (NOTIFY)
//! to the other processes, which read the table again only then. Each save
//! or forget takes a number from one sequence while holding a
//! transaction lock, so numbers are committed in order: a reader that has
//! applied everything up to N never misses a later change numbered below
//! what it sees next.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use heat_core::engine::StoreError;
use heat_resources::sim::{SimChange, SimObject, SimPersistence};
use sqlx::postgres::{PgListener, PgPool};
use sqlx::Row;

use super::backend;

/// Serialises the simulated cloud's writers (an arbitrary constant).
const WRITERS: i64 = 0x0068_6561_7473_696d;

/// The channel that announces changes.
const CHANNEL: &str = "heat_sim";

/// The simulated cloud's objects in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgSimStore {
    pool: PgPool,
    /// This process's name in announcements (its own are not news).
    me: String,
    /// Whether another process changed something since the last read.
    dirty: Arc<AtomicBool>,
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
        let store = PgSimStore {
            pool,
            me: format!("{:032x}", rand::random::<u128>()),
            dirty: Arc::new(AtomicBool::new(true)),
        };
        store.listen().await?;
        Ok(store)
    }

    /// Marks the table dirty on each other process's announcement (and on
    /// a lost connection, when announcements may have been missed).
    async fn listen(&self) -> Result<(), StoreError> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .map_err(backend)?;
        listener.listen(CHANNEL).await.map_err(backend)?;
        let dirty = Arc::downgrade(&self.dirty);
        let me = self.me.clone();
        tokio::spawn(async move {
            loop {
                let news = match listener.recv().await {
                    Ok(n) => n.payload() != me,
                    Err(_) => {
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        true
                    }
                };
                let Some(dirty) = dirty.upgrade() else { return };
                if news {
                    dirty.store(true, Ordering::SeqCst);
                }
            }
        });
        Ok(())
    }

    /// Runs one statement (its parameters `binds`) as the only writer.
    async fn change(&self, statement: &str, binds: &[&str]) -> Result<(), String> {
        let mut tx = self.pool.begin().await.map_err(|e| e.to_string())?;
        // The lock is held until the commit; a commit that waited for the
        // disk would hold every other writer too. A simulated object lost
        // to a crash of the database server itself (not of heat-server)
        // is acceptable; the engine's own state is committed durably.
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
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
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(&self.me)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
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
        if !self.dirty.swap(false, Ordering::SeqCst) {
            return Ok(Some((after, Vec::new())));
        }
        let rows = sqlx::query(
            "SELECT id, data, change, gone FROM sim_objects WHERE change > $1 ORDER BY change",
        )
        .bind(after as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| {
            // Read again next time.
            self.dirty.store(true, Ordering::SeqCst);
            e.to_string()
        })?;
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
