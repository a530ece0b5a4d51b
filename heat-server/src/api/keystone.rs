//! Keystone authentication: a caller's token validated with the server's
//! own service credentials (`GET /v3/auth/tokens`), its project, user and
//! roles kept until the token expires (at most `CACHE` tokens).

use std::collections::HashMap;
use std::sync::Arc;

use heat_core::engine::{Clock, DriverErrorKind, RequestContext};
use heat_openstack::keystone::parse_time;
use heat_openstack::Session;
use serde_json::Value as Json;
use tokio::sync::Mutex;

use super::ApiError;

/// Most tokens remembered.
const CACHE: usize = 10_000;

/// Validates tokens against Keystone.
pub struct Keystone {
    session: Session,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, (RequestContext, f64)>>,
}

/// The caller a Keystone token body describes, and its expiry.
pub fn context_of(body: &Json) -> Option<(RequestContext, f64)> {
    let t = body.get("token")?;
    let project = t.get("project")?.get("id")?.as_str()?.to_string();
    let user = t.get("user")?;
    let user = user
        .get("name")
        .or_else(|| user.get("id"))?
        .as_str()?
        .to_string();
    let roles = t
        .get("roles")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("name")?.as_str().map(str::to_string))
        .collect();
    let expires = t
        .get("expires_at")
        .and_then(Json::as_str)
        .and_then(parse_time)
        .unwrap_or(0.0);
    Some((
        RequestContext {
            project,
            user,
            roles,
        },
        expires,
    ))
}

impl Keystone {
    /// Validation through a session holding the server's own credentials.
    pub fn new(session: Session, clock: Arc<dyn Clock>) -> Self {
        Keystone {
            session,
            clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The caller behind a token; 401 when Keystone does not know it.
    pub async fn validate(&self, token: &str) -> Result<RequestContext, ApiError> {
        let now = self.clock.now();
        if let Some((ctx, expires)) = self.cache.lock().await.get(token) {
            if *expires > now {
                return Ok(ctx.clone());
            }
        }
        let body = match self.session.validate_token(token).await {
            Ok(b) => b,
            Err(e) if matches!(e.kind, DriverErrorKind::NotFound) => {
                return Err(ApiError::unauthorized(
                    "The token is not valid (or expired).",
                ))
            }
            Err(e) if e.message.contains("401") || e.message.contains("Unauthorized") => {
                return Err(ApiError::unauthorized(
                    "The token is not valid (or expired).",
                ))
            }
            Err(e) => return Err(ApiError::internal(format!("Keystone: {}", e.message))),
        };
        let (ctx, expires) = context_of(&body)
            .ok_or_else(|| ApiError::unauthorized("The token is not scoped to a project."))?;
        let mut cache = self.cache.lock().await;
        if cache.len() >= CACHE {
            cache.retain(|_, (_, e)| *e > now);
            if cache.len() >= CACHE {
                cache.clear();
            }
        }
        cache.insert(token.to_string(), (ctx.clone(), expires));
        Ok(ctx)
    }
}

impl Keystone {
    /// The owner of an EC2 signature, checked by Keystone: the request's
    /// parts as Keystone's `ec2tokens` takes them.
    pub async fn ec2(
        &self,
        signature: &crate::cfn::sign::Signature,
        r: &crate::cfn::sign::Signed<'_>,
    ) -> Result<RequestContext, crate::cfn::CfnError> {
        use crate::cfn::CfnError;
        let credentials = signature.keystone_credentials(r);
        let body = match self.session.ec2_token(&credentials).await {
            Ok(Some(b)) => b,
            // Keystone does not say whether the key or the signature is
            // wrong.
            Ok(None) => {
                return Err(CfnError::denied(
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                ))
            }
            Err(e) => return Err(CfnError::internal(format!("Keystone: {}", e.message))),
        };
        context_of(&body).map(|(ctx, _)| ctx).ok_or_else(|| {
            CfnError::denied(
                "InvalidClientTokenId",
                "The EC2 credential is not scoped to a project.",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_body_gives_project_user_and_roles() {
        let body = json!({"token": {"expires_at": "2026-11-29T21:00:00.000000Z",
            "project": {"id": "p1", "name": "demo"}, "user": {"id": "u1", "name": "demo"},
            "roles": [{"id": "r", "name": "member"}, {"id": "r2", "name": "reader"}]}});
        let (ctx, expires) = context_of(&body).unwrap();
        assert_eq!(ctx.project, "p1");
        assert_eq!(ctx.user, "demo");
        assert_eq!(ctx.roles, ["member", "reader"]);
        assert!(expires > 1.7e9);
        assert!(context_of(&json!({"token": {"user": {"id": "u"}}})).is_none());
    }
}
