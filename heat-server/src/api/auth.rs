//! Who calls: the [`Caller`] extractor gives every handler its request
//! context (project, user, roles) and the base of its links. In `noauth`
//! mode the project is the one in the URL (as Heat's noauth middleware
//! does); with Keystone, the token is validated and its project must be
//! the URL's. [`StackRequest`] gives the handlers of a stack's canonical
//! URL (`/stacks/{name}/{id}/...`) their caller and the stack.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{header, Method};
use heat_core::engine::{RequestContext, StackRecord};

use super::keystone::Keystone;
use super::views::Base;
use super::{ApiError, ApiState};

/// How requests are authenticated.
pub enum Auth {
    /// No authentication: the URL's project, with admin rights.
    NoAuth,
    /// Tokens validated by Keystone.
    Keystone(Box<Keystone>),
}

/// The caller of a request.
pub struct Caller {
    /// Project, user, roles.
    pub ctx: RequestContext,
    /// Where links point.
    pub base: Base,
}

impl Caller {
    /// Refuses a change to a reader (Heat's default policy lets readers
    /// look, members and admins change).
    pub fn may_change(&self) -> Result<(), ApiError> {
        let r = &self.ctx.roles;
        if r.iter()
            .any(|r| r == "admin" || r == "member" || r == "heat_stack_owner")
        {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "You are not authorized to perform the requested action.",
            ))
        }
    }
}

impl FromRequestParts<Arc<ApiState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ApiState>,
    ) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request("HTTPBadRequest", e.body_text()))?;
        let tenant = params
            .iter()
            .find(|(k, _)| *k == "tenant")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let base = Base {
            url: format!("http://{host}"),
            tenant: tenant.clone(),
        };
        let ctx = match &state.auth {
            Auth::NoAuth => {
                let mut ctx = RequestContext::new(tenant.clone(), tenant.clone());
                ctx.roles = vec!["admin".into(), "member".into()];
                ctx
            }
            Auth::Keystone(k) => {
                let token = parts
                    .headers
                    .get("x-auth-token")
                    .and_then(|t| t.to_str().ok())
                    .ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
                let ctx = k.validate(token).await?;
                if ctx.project != tenant {
                    return Err(ApiError::forbidden(format!(
                        "The token's project is not {tenant}"
                    )));
                }
                ctx
            }
        };
        let caller = Caller { ctx, base };
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            // Validation and previews change nothing.
            let path = parts.uri.path();
            let reads = path.ends_with("/validate") || path.ends_with("/preview");
            if !reads {
                caller.may_change()?;
            }
        }
        Ok(caller)
    }
}

/// The caller and the stack of a canonical URL (`/stacks/{name}/{id}`):
/// the id must be that of a stack with that name (or that id) in the
/// caller's project; any other is Heat's 404.
pub struct StackRequest {
    /// Who calls.
    pub caller: Caller,
    /// The stack the URL names.
    pub stack: StackRecord,
}

impl FromRequestParts<Arc<ApiState>> for StackRequest {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ApiState>,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request("HTTPBadRequest", e.body_text()))?;
        let param = |key: &str| {
            params
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        };
        let (name, id) = (param("name"), param("id"));
        let stack = match state.service.show(&caller.ctx, &id).await {
            Ok(s) if s.name == name || s.id == name => s,
            Ok(_) | Err(heat_core::service::ServiceError::StackNotFound(_)) => {
                return Err(ApiError::no_stack(&name))
            }
            Err(e) => return Err(e.into()),
        };
        Ok(StackRequest { caller, stack })
    }
}
