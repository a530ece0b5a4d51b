//! Removing resources: in reverse dependency order (a resource before what
//! it requires), deletion policies honoured (`Retain` leaves the object,
//! `Snapshot` snapshots it first), an object whose id was never recorded
//! found by its tags, and the record removed once the cloud is done.

use std::collections::HashMap;

use super::save;
use crate::engine::cancel::Cancel;
use crate::engine::driver::DriverErrorKind;
use crate::engine::hooks::When;
use crate::engine::lifecycle::Op;
use crate::engine::model::{Action, ResourceRecord, StackRecord, Status};
use crate::engine::store::Write;
use crate::engine::{traversal, Engine};

/// Deletes records in reverse dependency order; removes them from the
/// store.
pub(super) async fn delete_records(
    e: &Engine,
    op: &Op,
    parent: &Cancel,
    stack: &StackRecord,
    records: Vec<ResourceRecord>,
) -> Result<(), String> {
    if records.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let mut requires: HashMap<String, Vec<String>> = HashMap::new();
    for y in &records {
        let before: Vec<String> = records
            .iter()
            .filter(|x| x.id != y.id && x.requires.contains(&y.name))
            .map(|x| x.id.clone())
            .collect();
        requires.insert(y.id.clone(), before);
    }
    let by_id: HashMap<String, ResourceRecord> =
        records.into_iter().map(|r| (r.id.clone(), r)).collect();
    let cancel = parent.child();
    let outcome = traversal::run(&ids, &requires, e.config.concurrency, &cancel, |id| {
        let r = by_id[&id].clone();
        let cancel = &cancel;
        async move { delete_one(e, op, cancel, stack, r).await }
    })
    .await;
    match outcome.failed {
        Some((_, message)) => Err(format!("Resource DELETE failed: {message}")),
        None if outcome.cancelled.is_some() => Err("Stack DELETE cancelled".into()),
        None => Ok(()),
    }
}

async fn delete_one(
    e: &Engine,
    op: &Op,
    cancel: &Cancel,
    stack: &StackRecord,
    r: ResourceRecord,
) -> Result<(), String> {
    let (name, type_name) = (r.name.clone(), r.type_name.clone());
    let state = (r.action, r.status);
    e.hook_pause(
        op,
        cancel,
        stack,
        &name,
        &type_name,
        When::Pre,
        Action::Delete,
        state,
    )
    .await?;
    remove(e, op, cancel, stack, r).await?;
    let done = (Action::Delete, Status::Complete);
    e.hook_pause(
        op,
        cancel,
        stack,
        &name,
        &type_name,
        When::Post,
        Action::Delete,
        done,
    )
    .await
}

/// Deletes one resource's object (unless retained) and removes its record.
async fn remove(
    e: &Engine,
    op: &Op,
    cancel: &Cancel,
    stack: &StackRecord,
    mut r: ResourceRecord,
) -> Result<(), String> {
    e.persist(
        op,
        stack,
        &mut r,
        Action::Delete,
        Status::InProgress,
        "state changed",
    )
    .await?;
    let mut physical = r.physical_id.clone();
    if physical.is_none() {
        // Created in the cloud but never recorded: find it by its tags.
        physical = e.backend_find(stack, &r.name, &r.type_name).await;
        if physical.is_some() {
            r.physical_id = physical.clone();
            save(e, op, &r).await?;
        }
    }
    if let Some(pid) = physical {
        if r.deletion_policy == "Snapshot" {
            match e
                .retry(cancel, || e.driver.snapshot(&r.type_name, &pid))
                .await
            {
                Ok(Some(snapshot)) => {
                    let event = e.resource_event(
                        stack,
                        &r,
                        &format!("snapshot {snapshot} taken before deletion"),
                    );
                    e.write_op(op, vec![Write::AddEvent(event)])
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok(None) => {}
                Err(err) => {
                    e.persist(
                        op,
                        stack,
                        &mut r,
                        Action::Delete,
                        Status::Failed,
                        &err.message,
                    )
                    .await?;
                    return Err(format!("resources.{}: {}", r.name, err.message));
                }
            }
        }
        if r.deletion_policy != "Retain" {
            match e
                .retry(cancel, || {
                    e.backend_delete(op, cancel, stack, &r.type_name, &r.name, &pid)
                })
                .await
            {
                Ok(()) => {}
                Err(err) if err.kind == DriverErrorKind::NotFound => {}
                Err(err) => {
                    e.persist(
                        op,
                        stack,
                        &mut r,
                        Action::Delete,
                        Status::Failed,
                        &err.message,
                    )
                    .await?;
                    return Err(format!("resources.{}: {}", r.name, err.message));
                }
            }
        }
    }
    r.action = Action::Delete;
    r.status = Status::Complete;
    r.reason = "state changed".into();
    r.updated_at = e.clock.now();
    let event = e.resource_event(stack, &r, "state changed");
    e.write_op(
        op,
        vec![
            Write::AddEvent(event),
            Write::RemoveResource {
                stack_id: stack.id.clone(),
                id: r.id.clone(),
            },
        ],
    )
    .await
    .map_err(|e| e.to_string())
}

/// Deletes every resource of a stack.
pub(in crate::engine) async fn delete_all(
    e: &Engine,
    op: &Op,
    parent: &Cancel,
    stack: &StackRecord,
) -> Result<(), String> {
    let records = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?;
    delete_records(e, op, parent, stack, records).await
}
