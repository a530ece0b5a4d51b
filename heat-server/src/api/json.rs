//! JSON in and out: responses with `Content-Type: application/json`, and
//! request bodies read with Heat's refusals (400 for malformed JSON, 413
//! over `max_json_body_size`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::ApiError;

/// A JSON response body.
pub fn body(v: &Json) -> Response {
    let mut r = serde_json::to_vec(v)
        .unwrap_or_else(|_| b"null".to_vec())
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A request body parsed as JSON (an empty body is `{}`).
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(
                    "Request limit exceeded: JSON body size exceeds max_json_body_size",
                )
            } else {
                ApiError::bad_request("HTTPBadRequest", e.body_text())
            }
        })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(text).map(Body).map_err(|e| {
            ApiError::bad_request(
                "HTTPBadRequest",
                format!("The server could not comply with the request since it is either malformed or otherwise incorrect: {e}"),
            )
        })
    }
}
