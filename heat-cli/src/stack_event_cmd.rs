//! `heat stack event ...` and `heat stack hook ...`: a stack's events
//! (followed until it settles), the hooks its resources wait at, and
//! clearing them.

use std::time::Duration;

use heat_core::engine::Action;
use heat_core::service::EventQuery;
use serde_json::{json, Value as Json};

use crate::cli::{Format, HookCommand};
use crate::output::{fail, print_list};
use crate::stack_cmd::{open, refused, Target};
use crate::{progress, views};

/// `heat stack event list` (`--follow`: until the stack settles).
pub async fn events(state: &Target, name: &str, follow: bool, out: &crate::cli::Output) -> i32 {
    let as_json = out.format == Format::Json;
    let s = match open(state).await {
        Ok(s) => s,
        Err(m) => return fail("state", &m, as_json),
    };
    let service = &s.backend;
    let stack = match service.show(name).await {
        Ok(stack) => stack,
        Err(e) => return refused(e, as_json),
    };
    let query = EventQuery::default();
    if !follow {
        return match service.events(&stack.id, &query).await {
            Ok(events) => {
                let rows: Vec<Json> = events.iter().map(views::event_row).collect();
                print_list(
                    &rows,
                    &[
                        "resource_name",
                        "id",
                        "resource_status",
                        "resource_status_reason",
                        "event_time",
                    ],
                    out,
                );
                0
            }
            Err(e) => refused(e, as_json),
        };
    }
    let mut seen = 0;
    loop {
        let events = service.events(&stack.id, &query).await.unwrap_or_default();
        for e in &events[seen.min(events.len())..] {
            outln!("{}", progress::event_line(e));
        }
        seen = events.len();
        match service.show(&stack.id).await {
            Ok(now) if now.in_progress() => {}
            _ => return 0,
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The hooks resources wait at now: the last `paused until Hook` event of
/// each, not followed by its `Hook ... is cleared`.
fn pending_hooks(events: &[heat_core::engine::Event]) -> Vec<(String, String)> {
    let mut pending: Vec<(String, String)> = Vec::new();
    for e in events {
        if let Some(hook) = e
            .reason
            .split("paused until Hook ")
            .nth(1)
            .and_then(|h| h.strip_suffix(" is cleared"))
        {
            pending.retain(|(r, _)| *r != e.resource_name);
            pending.push((e.resource_name.clone(), hook.to_string()));
        } else if let Some(hook) = e
            .reason
            .strip_prefix("Hook ")
            .and_then(|h| h.strip_suffix(" is cleared"))
        {
            pending.retain(|(r, h)| !(*r == e.resource_name && h == hook));
        }
    }
    pending
}

/// `heat stack hook poll|clear`.
pub async fn hook(state: &Target, cmd: HookCommand) -> i32 {
    let s = match open(state).await {
        Ok(s) => s,
        Err(m) => return fail("state", &m, false),
    };
    match cmd {
        HookCommand::Poll { name, out } => {
            let as_json = out.format == Format::Json;
            match s.backend.events(&name, &EventQuery::default()).await {
                Ok(events) => {
                    let rows: Vec<Json> = pending_hooks(&events)
                        .into_iter()
                        .map(|(r, h)| json!({"resource_name": r, "hook_type": h}))
                        .collect();
                    print_list(&rows, &["resource_name", "hook_type"], &out);
                    0
                }
                Err(e) => refused(e, as_json),
            }
        }
        HookCommand::Clear {
            name,
            resources,
            pre_create,
            pre_update,
            pre_delete,
        } => {
            let mut hooks: Vec<&str> = [
                (pre_create, "pre-create"),
                (pre_update, "pre-update"),
                (pre_delete, "pre-delete"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, h)| h)
            .collect();
            if hooks.is_empty() {
                // As `openstack stack hook clear`: the hook of the action
                // the stack is in.
                match s.backend.show(&name).await {
                    Ok(stack) => match stack.action {
                        Action::Create => hooks.push("pre-create"),
                        Action::Update => hooks.push("pre-update"),
                        Action::Delete => hooks.push("pre-delete"),
                        other => {
                            return fail(
                                "usage",
                                &format!(
                                    "stack {name} is in {}: say which hook (--pre-create, --pre-update, --pre-delete)",
                                    other.name()
                                ),
                                false,
                            )
                        }
                    },
                    Err(e) => return refused(e, false),
                }
            }
            let mut code = 0;
            for r in &resources {
                for h in &hooks {
                    if let Err(e) = s.backend.signal(&name, r, json!({ "unset_hook": h })).await {
                        code = code.max(refused(e, false));
                    }
                }
            }
            code
        }
    }
}
