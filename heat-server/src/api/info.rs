//! The versions document, build information and the engines (services).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use heat_core::service::heat_time;
use serde_json::json;

use super::auth::Caller;
use super::json::body;
use super::{ApiError, ApiState};

/// `GET /`: 300 Multiple Choices, as Heat answers.
pub async fn versions(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let mut r = body(
        &json!({"versions": [{"id": "v1.0", "status": "CURRENT", "links": [{"rel": "self", "href": format!("http://{host}/v1/")}]}]}),
    );
    *r.status_mut() = StatusCode::MULTIPLE_CHOICES;
    r
}

/// `GET /v1/{tenant}/build_info`.
pub async fn build_info(_caller: Caller) -> Response {
    // "heat-rs ...": how `heat` knows a catalog's orchestration service
    // is heat-rs.
    let revision = concat!("heat-rs ", env!("CARGO_PKG_VERSION"));
    body(&json!({"api": {"revision": revision}, "engine": {"revision": revision}}))
}

/// `GET /v1/{tenant}/services`: the engines sharing the store, up while
/// their heartbeat is fresh (admins only, as in Heat).
pub async fn services(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    if !caller.ctx.is_admin() {
        return Err(ApiError::forbidden(
            "You are not authorized to perform the requested action.",
        ));
    }
    let now = state.now();
    let stale = state.service.engine().config().lease.as_secs_f64();
    let engines = state
        .service
        .engine()
        .store()
        .engines()
        .await
        .map_err(ApiError::internal)?;
    let list: Vec<_> = engines
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "engine_id": e.id,
                "host": e.host,
                "hostname": e.host,
                "binary": "heat-engine",
                "topic": "engine",
                "report_interval": stale / 4.0,
                "status": if now - e.heartbeat_at < stale { "up" } else { "down" },
                "created_at": heat_time(e.started_at),
                "updated_at": heat_time(e.heartbeat_at),
                "deleted_at": null,
            })
        })
        .collect();
    Ok(body(&json!({"services": list})))
}
