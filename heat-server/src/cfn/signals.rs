//! The pre-signed URLs that guests and alarms call, as Heat serves them
//! beside the Query API: `PUT /v1/waitcondition/{stack ARN}/resources/
//! {handle}` (cfn-signal, curl: `{"Status", "Reason", "UniqueId",
//! "Data"}`) and `POST /v1/signal/{stack ARN}/resources/{resource}` (a
//! scaling policy's `AlarmUrl`, an OS wait condition handle's `curl_cli`).
//! The signature (Version 2, in the query) is checked against the secret
//! derived for that very resource; like Heat's, these URLs do not expire.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use heat_core::service::StackService;
use heat_resources::GuestKeys;
use serde_json::Value as Json;

use super::error::CfnError;
use super::query::Params;
use super::sign::{Signature, Signed};
use super::CfnState;
use crate::api::RequestId;

/// The stack id and resource a signal path names.
fn target(path: &str) -> Result<(String, String), CfnError> {
    let rest = path
        .strip_prefix("/v1/waitcondition/")
        .or_else(|| path.strip_prefix("/v1/signal/"))
        .ok_or_else(|| CfnError::validation(format!("{path} is not a signal URL")))?;
    let rest = percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
    let (stack, resource) = rest.rsplit_once("/resources/").ok_or_else(|| {
        CfnError::validation(format!(
            "{path}: expected /v1/waitcondition/<stack ARN>/resources/<resource>"
        ))
    })?;
    let stack_id = stack.rsplit('/').next().unwrap_or_default();
    Ok((stack_id.to_string(), resource.to_string()))
}

/// Checks and delivers a signal sent to a signal URL (by a guest, or by an
/// alarm of this server).
pub(crate) async fn deliver(
    service: &StackService,
    guest: &GuestKeys,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), CfnError> {
    let (stack_id, resource) = target(uri.path())?;
    let params = Params::parse(uri.query(), b"");
    let signed = Signed {
        method,
        path: uri.path(),
        query: uri.query(),
        headers,
        body,
        params: &params,
    };
    let signature = Signature::parse(&signed)?;
    let access = signature.access();
    if GuestKeys::owner_of(access) != Some((stack_id.clone(), resource.clone())) {
        return Err(CfnError::denied(
            "InvalidClientTokenId",
            "The security token included in the request is invalid for this resource.",
        ));
    }
    signature.verify(&guest.secret(access), &signed)?;
    let stack = service
        .engine()
        .store()
        .stack(&stack_id)
        .await
        .map_err(CfnError::internal)?
        .filter(|s| !s.is_deleted())
        .ok_or_else(|| CfnError::no_stack(&stack_id))?;
    let data: Json = if body.iter().all(u8::is_ascii_whitespace) {
        Json::Object(Default::default())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| CfnError::validation(format!("The signal is not JSON: {e}")))?
    };
    let ctx = heat_core::engine::RequestContext::new(stack.project.clone(), access);
    service.signal(&ctx, &stack.id, &resource, data).await?;
    tracing::info!(stack = %stack.name, %resource, "signalled by a pre-signed URL");
    Ok(())
}

/// Answers a signal URL.
pub async fn handle(
    State(state): State<Arc<CfnState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match deliver(
        &state.api.service,
        &state.guest,
        &method,
        &uri,
        &headers,
        &body,
    )
    .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => super::error_response(&e, &request_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_paths_name_their_stack_and_resource() {
        let path = GuestKeys::signal_path("waitcondition", "p", "web", "id-1", "the handle");
        assert_eq!(target(&path).unwrap(), ("id-1".into(), "the handle".into()));
        let path = GuestKeys::signal_path("signal", "p", "web", "id-2", "up");
        assert_eq!(target(&path).unwrap(), ("id-2".into(), "up".into()));
        assert!(target("/v1/waitcondition/nothing").is_err());
    }
}
