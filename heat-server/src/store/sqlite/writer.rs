//! The writer task of a [`SqliteStore`](super::SqliteStore): the jobs
//! waiting are committed in one transaction (group commit), each in a
//! savepoint, and each caller answered; with the fenced writes, the lease
//! taken and the structural changes (stacks, resources, events...) it
//! applies.

use super::*;

/// The writer: takes every job waiting, commits them in one transaction
/// (each in a savepoint), then answers each.
pub(super) async fn write_loop(
    mut conn: SqliteConnection,
    mut rx: mpsc::UnboundedReceiver<(Job, Reply)>,
) {
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
            let mut renewed = Vec::new();
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
                    renewed.push(held(id.clone(), &row)?);
                }
            }
            Ok(Answer::Held(renewed))
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
            match stop_request(&row, *request)? {
                StopRequest::Idle => return Ok(Answer::Stored(false)),
                StopRequest::Stands => {}
                StopRequest::Store => {
                    sqlx::query("UPDATE stacks SET cancel = ? WHERE id = ?")
                        .bind(cancel_name(*request))
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?;
                }
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
    let result = bind_stack(
        sqlx::query(
            "INSERT INTO stacks (id, project, name, traversal, data, lease_engine, lease_expires, \
             cancel, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&stack.id)
        .bind(&stack.project),
        stack,
    )?
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
    may_acquire(&row, stack, expected, now)?;
    bind_stack(
        sqlx::query(
            "UPDATE stacks SET name = ?, traversal = ?, data = ?, lease_engine = ?, \
             lease_expires = ?, cancel = ?, state = ? WHERE id = ?",
        ),
        stack,
    )?
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
