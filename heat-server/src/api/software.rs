//! `/software_configs` and `/software_deployments`, with Heat's shapes:
//! configs made, listed (paged), shown and deleted; deployments made,
//! listed (per server), shown, changed by the server's reports and
//! deleted; `/software_deployments/metadata/{server}` for a server's
//! agents.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use heat_core::service::{heat_time, DeploymentChange, SoftwareConfig, SoftwareDeployment};
use serde::Deserialize;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::auth::Caller;
use super::json::{body, Body};
use super::params::Query;
use super::{ApiError, ApiState};

fn deployment_view(d: &SoftwareDeployment) -> Json {
    let mut v = json!({
        "id": d.id,
        "server_id": d.server_id,
        "config_id": d.config_id,
        "input_values": d.input_values,
        "output_values": d.output_values,
        "action": d.action,
        "status": d.status,
        "status_reason": d.status_reason,
        "creation_time": heat_time(d.created_at),
    });
    if let Some(t) = d.updated_at {
        v["updated_time"] = json!(heat_time(t));
    }
    v
}

/// A config as the request gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigBody {
    name: Option<String>,
    group: Option<String>,
    config: Json,
    inputs: Vec<Json>,
    outputs: Vec<Json>,
    options: JsonMap<String, Json>,
}

/// `POST /software_configs`.
pub async fn create_config(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Body(b): Body<ConfigBody>,
) -> Result<Response, ApiError> {
    let config = SoftwareConfig {
        name: b.name.unwrap_or_default(),
        group: b.group.unwrap_or_default(),
        config: if b.config.is_null() {
            json!("")
        } else {
            b.config
        },
        inputs: b.inputs,
        outputs: b.outputs,
        options: b.options,
        ..SoftwareConfig::default()
    };
    let made = state.service.create_config(&caller.ctx, config).await?;
    Ok(body(&json!({"software_config": made.view(true)})))
}

/// `GET /software_configs`.
pub async fn configs(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let limit = q.number("limit")?.map(|l| l as usize);
    let all = state
        .service
        .configs(&caller.ctx, limit, q.one("marker"))
        .await?;
    let list: Vec<Json> = all.iter().map(|c| c.view(false)).collect();
    Ok(body(&json!({ "software_configs": list })))
}

/// `GET /software_configs/{id}`.
pub async fn config(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let c = state.service.config(&caller.ctx, &id).await?;
    Ok(body(&json!({"software_config": c.view(true)})))
}

/// `DELETE /software_configs/{id}`.
pub async fn delete_config(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state.service.delete_config(&caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A deployment as the request gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeploymentBody {
    config_id: String,
    server_id: String,
    input_values: JsonMap<String, Json>,
    action: Option<String>,
    status: Option<String>,
    status_reason: Option<String>,
}

/// `POST /software_deployments`.
pub async fn create_deployment(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Body(b): Body<DeploymentBody>,
) -> Result<Response, ApiError> {
    let d = SoftwareDeployment {
        config_id: b.config_id,
        server_id: b.server_id,
        input_values: b.input_values,
        action: b.action.unwrap_or_default(),
        status: b.status.unwrap_or_default(),
        status_reason: b.status_reason.unwrap_or_default(),
        ..SoftwareDeployment::default()
    };
    let made = state.service.create_deployment(&caller.ctx, d).await?;
    Ok(body(
        &json!({"software_deployment": deployment_view(&made)}),
    ))
}

/// `GET /software_deployments` (`?server_id=`).
pub async fn deployments(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let all = state
        .service
        .deployments(&caller.ctx, q.one("server_id"))
        .await?;
    let list: Vec<Json> = all.iter().map(deployment_view).collect();
    Ok(body(&json!({ "software_deployments": list })))
}

/// `GET /software_deployments/{id}`.
pub async fn deployment(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let d = state.service.deployment(&caller.ctx, &id).await?;
    Ok(body(&json!({"software_deployment": deployment_view(&d)})))
}

/// `PUT /software_deployments/{id}`.
pub async fn update_deployment(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path((_, id)): Path<(String, String)>,
    Body(change): Body<DeploymentChange>,
) -> Result<Response, ApiError> {
    let d = state
        .service
        .update_deployment(&caller.ctx, &id, change)
        .await?;
    Ok(body(&json!({"software_deployment": deployment_view(&d)})))
}

/// `DELETE /software_deployments/{id}`.
pub async fn delete_deployment(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state.service.delete_deployment(&caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /software_deployments/metadata/{server}`.
pub async fn metadata(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path((_, server)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let configs = state
        .service
        .deployment_metadata(&caller.ctx, &server)
        .await?;
    let list: Vec<Json> = configs.iter().map(|c| c.view(true)).collect();
    Ok(body(&json!({ "metadata": list })))
}
