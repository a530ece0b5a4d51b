//! Events of a stack (and of its nested stacks), of a resource, and one
//! event: newest first unless `sort_dir=asc`, `marker` exclusive,
//! `limit`, filters by resource name, action, status and type.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use heat_core::engine::StackRecord;
use heat_core::service::{EventQuery, SortDir};
use serde_json::{json, Value as Json};

use super::auth::Caller;
use super::auth::StackRequest;
use super::json::body;
use super::params::Query;
use super::{views, ApiError, ApiState};

fn query(q: &Query, resource: Option<&str>) -> Result<EventQuery, ApiError> {
    let mut names = q.all("resource_name");
    if let Some(r) = resource {
        names = vec![r.to_string()];
    }
    Ok(EventQuery {
        nested_depth: q.number("nested_depth")?.unwrap_or(0) as u32,
        resource_name: names,
        resource_action: q.all("resource_action"),
        resource_status: q.all("resource_status"),
        resource_type: q.all("resource_type"),
        sort_dir: Some(if q.one("sort_dir") == Some("asc") {
            SortDir::Asc
        } else {
            SortDir::Desc
        }),
        limit: q.number("limit")?.map(|l| l as usize),
        marker: q.one("marker").map(str::to_string),
    })
}

async fn listed(
    state: &ApiState,
    caller: &Caller,
    stack: StackRecord,
    query: &EventQuery,
) -> Result<Vec<Json>, ApiError> {
    let events = state.service.events(&caller.ctx, &stack.id, query).await?;
    let tree: HashMap<String, StackRecord> = state
        .service
        .tree(stack.clone(), query.nested_depth)
        .await?
        .into_iter()
        .map(|(s, _)| (s.id.clone(), s))
        .collect();
    let root = (query.nested_depth > 0).then_some(&stack);
    Ok(events
        .iter()
        .map(|e| {
            let of = tree.get(&e.stack_id).unwrap_or(&stack);
            views::event(&caller.base, of, root, e, false)
        })
        .collect())
}

/// `GET .../events`.
pub async fn list(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query(&Query::parse(raw.as_deref()), None)?;
    let events = listed(&state, &caller, stack, &q).await?;
    Ok(body(&json!({"events": events})))
}

/// `GET .../resources/{resource}/events`.
pub async fn of_resource(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, resource)): Path<(String, String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query(&Query::parse(raw.as_deref()), Some(&resource))?;
    let events = listed(&state, &caller, stack, &q).await?;
    Ok(body(&json!({"events": events})))
}

/// `GET .../resources/{resource}/events/{event}`.
pub async fn show(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, resource, event)): Path<(String, String, String, String, String)>,
) -> Result<Response, ApiError> {
    let q = EventQuery {
        resource_name: vec![resource.clone()],
        ..EventQuery::default()
    };
    let found = state
        .service
        .events(&caller.ctx, &stack.id, &q)
        .await?
        .into_iter()
        .find(|e| e.id == event)
        .ok_or_else(|| {
            ApiError::not_found(
                "EntityNotFound",
                format!("The Event ({event}) could not be found."),
            )
        })?;
    let mut view = views::event(&caller.base, &stack, None, &found, true);
    // The resource's properties (Heat keeps them with each event; heat-rs
    // shows the resource's own).
    if let Ok(r) = state
        .service
        .resource(&caller.ctx, &stack.id, &resource)
        .await
    {
        view["resource_properties"] = r.record.properties;
    }
    Ok(body(&json!({ "event": view })))
}
