//! `/v1/{tenant}/stacks/{name}/{id}/resources`: list (nested depth,
//! details, filters), show, metadata, signal, mark unhealthy.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use heat_core::service::ResourceQuery;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::auth::StackRequest;
use super::json::{body, Body};
use super::params::Query;
use super::{views, ApiError, ApiState};

/// `GET .../resources`.
pub async fn list(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let query = ResourceQuery {
        nested_depth: q.number("nested_depth")?.unwrap_or(0) as u32,
        name: q.all("name"),
        status: q.all("status"),
        action: q.all("action"),
        type_name: q.all("type"),
    };
    let detail = q.flag("with_detail");
    let nested = query.nested_depth > 0;
    let list = state
        .service
        .resources(&caller.ctx, &stack.id, &query)
        .await?;
    let items: Vec<Json> = list
        .iter()
        .map(|v| views::resource(&caller.base, v, detail, nested))
        .collect();
    Ok(body(&json!({"resources": items})))
}

/// `GET .../resources/{resource}`.
pub async fn show(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, resource)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let v = state
        .service
        .resource(&caller.ctx, &stack.id, &resource)
        .await?;
    Ok(body(
        &json!({"resource": views::resource(&caller.base, &v, true, false)}),
    ))
}

/// `GET .../resources/{resource}/metadata`.
pub async fn metadata(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, resource)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let v = state
        .service
        .resource(&caller.ctx, &stack.id, &resource)
        .await?;
    let metadata = match &v.record.metadata {
        Json::Null => json!({}),
        m => m.clone(),
    };
    Ok(body(&json!({"metadata": metadata})))
}

/// `POST .../resources/{resource}/signal`.
pub async fn signal(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, resource)): Path<(String, String, String, String)>,
    Body(data): Body<Json>,
) -> Result<Response, ApiError> {
    state
        .service
        .signal(&caller.ctx, &stack.id, &resource, data)
        .await?;
    Ok(body(&Json::Null))
}

/// `PATCH .../resources/{resource}`: `{"mark_unhealthy": true,
/// "resource_status_reason": "..."}`.
pub async fn mark_unhealthy(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Path((_, _, _, resource)): Path<(String, String, String, String)>,
    Body(b): Body<JsonMap<String, Json>>,
) -> Result<Response, ApiError> {
    let unhealthy = b
        .get("mark_unhealthy")
        .and_then(super::params::json_bool)
        .ok_or_else(|| {
            ApiError::bad_request(
                "HTTPBadRequest",
                "mark_unhealthy (true or false) is required",
            )
        })?;
    let reason = b
        .get("resource_status_reason")
        .and_then(Json::as_str)
        .unwrap_or_default();
    state
        .service
        .mark_unhealthy(&caller.ctx, &stack.id, &resource, unhealthy, reason)
        .await?;
    Ok(body(&Json::Null))
}
