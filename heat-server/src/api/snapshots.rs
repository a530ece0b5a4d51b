//! A stack as data over the API: snapshots (`POST`/`GET .../snapshots`,
//! `GET`/`DELETE .../snapshots/{id}`, `POST .../snapshots/{id}/restore`),
//! `DELETE .../abandon` and `GET .../export`, with Heat's shapes.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use heat_core::engine::Snapshot;
use heat_core::service::heat_time;
use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::auth::StackRequest;
use super::json::{body, Body};
use super::stacks::accepted;
use super::{ApiError, ApiState};

fn view(s: &Snapshot) -> Json {
    json!({
        "id": s.id,
        "name": s.name,
        "stack_id": s.stack_id,
        "action": "CREATE",
        "status": s.status.name(),
        "status_reason": s.reason,
        "data": if s.data.is_null() { Json::Null } else { s.data.clone() },
        "creation_time": heat_time(s.created_at),
    })
}

/// A snapshot request's body.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SnapshotBody {
    name: Option<String>,
}

/// `POST .../snapshots`: the snapshot, `IN_PROGRESS`.
pub async fn create(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Body(b): Body<SnapshotBody>,
) -> Result<Response, ApiError> {
    let snapshot = state
        .service
        .snapshot(&caller.ctx, &stack.id, b.name.as_deref().unwrap_or(""))
        .await?;
    Ok(body(&view(&snapshot)))
}

/// `GET .../snapshots`.
pub async fn list(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
) -> Result<Response, ApiError> {
    let all = state.service.snapshots(&caller.ctx, &stack.id).await?;
    Ok(body(
        &json!({"snapshots": all.iter().map(view).collect::<Vec<_>>()}),
    ))
}

/// `GET .../snapshots/{snapshot}`.
pub async fn show(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, snapshot)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let s = state
        .service
        .snapshot_show(&caller.ctx, &stack.id, &snapshot)
        .await?;
    Ok(body(&json!({"snapshot": view(&s)})))
}

/// `DELETE .../snapshots/{snapshot}`.
pub async fn delete(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, snapshot)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    state
        .service
        .delete_snapshot(&caller.ctx, &stack.id, &snapshot)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST .../snapshots/{snapshot}/restore`: 202, the restore runs.
pub async fn restore(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, snapshot)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    state
        .service
        .restore(&caller.ctx, &stack.id, &snapshot)
        .await?;
    Ok(accepted())
}

/// `DELETE .../abandon`: the stack's data; the stack is forgotten, its
/// cloud objects left as they are.
pub async fn abandon(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
) -> Result<Response, ApiError> {
    if stack.is_deleted() {
        return Err(ApiError::no_stack(&stack.name));
    }
    Ok(body(&state.service.abandon(&caller.ctx, &stack.id).await?))
}

/// `GET .../export`: the stack's data.
pub async fn export(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
) -> Result<Response, ApiError> {
    Ok(body(&state.service.export(&caller.ctx, &stack.id).await?))
}
