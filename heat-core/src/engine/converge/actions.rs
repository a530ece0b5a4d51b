//! Stack-wide actions on existing resources: check (every live resource
//! read back from the cloud, all at once), suspend (reverse dependency
//! order) and resume (dependency order).

use std::collections::HashMap;

use crate::engine::cancel::Cancel;
use crate::engine::lifecycle::Op;
use crate::engine::model::{Action, ResourceRecord, StackRecord, Status};
use crate::engine::{traversal, Engine};

/// Checks every live resource against the cloud; `Err` with the first
/// failure's reason. Every resource is checked even after a failure.
pub(in crate::engine) async fn check_all(
    e: &Engine,
    op: &Op,
    phase: &Cancel,
    stack: &StackRecord,
) -> Result<(), String> {
    let records: Vec<ResourceRecord> = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|r| r.current)
        .collect();
    let checks = records.into_iter().map(|mut r| async move {
        // A resource whose create failed before the cloud gave an id has
        // nothing to check: the check fails, as Heat's does.
        let Some(pid) = r.physical_id.clone() else {
            if r.status == Status::Complete {
                return Ok(());
            }
            let reason = format!("Can not check {}, resource not created yet.", r.name);
            e.persist(op, stack, &mut r, Action::Check, Status::Failed, &reason)
                .await?;
            return Err(format!(
                "Resource CHECK failed: resources.{}: {reason}",
                r.name
            ));
        };
        e.persist(
            op,
            stack,
            &mut r,
            Action::Check,
            Status::InProgress,
            "state changed",
        )
        .await?;
        match phase.guard(e.driver.check(&r.type_name, &pid)).await {
            Ok(Ok(attrs)) => {
                // What the cloud reports now, over what was known: a type
                // that needs no cloud reports nothing, and keeps its own
                // (a RandomString's value).
                r.attributes.extend(attrs);
                e.persist(
                    op,
                    stack,
                    &mut r,
                    Action::Check,
                    Status::Complete,
                    "state changed",
                )
                .await?;
                Ok(())
            }
            Ok(Err(err)) => {
                e.persist(
                    op,
                    stack,
                    &mut r,
                    Action::Check,
                    Status::Failed,
                    &err.message,
                )
                .await?;
                Err(format!(
                    "Resource CHECK failed: resources.{}: {}",
                    r.name, err.message
                ))
            }
            Err(reason) => Err(format!("Stack CHECK cancelled ({reason:?})")),
        }
    });
    let results = futures::future::join_all(checks).await;
    results.into_iter().collect::<Result<Vec<()>, String>>()?;
    Ok(())
}

/// Suspends (reverse order) or resumes (dependency order) every resource.
pub(in crate::engine) async fn suspend_resume_all(
    e: &Engine,
    op: &Op,
    phase: &Cancel,
    stack: &StackRecord,
    action: Action,
) -> Result<(), String> {
    let records: Vec<ResourceRecord> = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|r| r.current && r.physical_id.is_some())
        .collect();
    let names: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    // Resume: a resource after what it requires; suspend: before.
    let mut requires: HashMap<String, Vec<String>> = HashMap::new();
    for r in &records {
        let ids: Vec<String> = records
            .iter()
            .filter(|x| {
                if action == Action::Suspend {
                    x.requires.contains(&r.name)
                } else {
                    r.requires.contains(&x.name)
                }
            })
            .map(|x| x.id.clone())
            .collect();
        requires.insert(r.id.clone(), ids);
    }
    let by_id: HashMap<String, ResourceRecord> =
        records.into_iter().map(|r| (r.id.clone(), r)).collect();
    let cancel = phase.child();
    let outcome = traversal::run(&names, &requires, e.config.concurrency, &cancel, |id| {
        let mut r = by_id[&id].clone();
        async move {
            let pid = r.physical_id.clone().expect("filtered");
            e.persist(
                op,
                stack,
                &mut r,
                action,
                Status::InProgress,
                "state changed",
            )
            .await?;
            let result = if action == Action::Suspend {
                e.driver.suspend(&r.type_name, &pid).await
            } else {
                e.driver.resume(&r.type_name, &pid).await
            };
            match result {
                Ok(()) => {
                    e.persist(op, stack, &mut r, action, Status::Complete, "state changed")
                        .await
                }
                Err(err) => {
                    e.persist(op, stack, &mut r, action, Status::Failed, &err.message)
                        .await?;
                    Err(format!("resources.{}: {}", r.name, err.message))
                }
            }
        }
    })
    .await;
    match outcome.failed {
        Some((_, message)) => Err(format!("Resource {} failed: {message}", action.name())),
        None if outcome.cancelled.is_some() => Err(format!("Stack {} cancelled", action.name())),
        None => Ok(()),
    }
}
