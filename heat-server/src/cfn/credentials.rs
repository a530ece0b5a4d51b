//! Whose a signed request is.
//!
//! - `noauth` (a bare `heat-server`): any well-formed, timely signature is
//!   accepted, as moto and LocalStack accept it, and the caller works in
//!   the configured project (by default the CLI's local project, so that
//!   `aws cloudformation` sees the stacks `heat` made).
//! - verified (with Keystone): the signature must be right and timely.
//!   Keys of a stack's `AWS::IAM::AccessKey` and of its `SOFTWARE_CONFIG`
//!   servers' agents (made by heat-rs, see [`GuestKeys`]) are checked
//!   here, good while their resource exists, and
//!   give read access to their stack's project, as Heat's stack users have;
//!   keys of projects made by `heat ec2-credentials create` (their secret
//!   derived the same way, good until deleted) act in their project;
//!   any other key is an EC2 credential of Keystone, checked by Keystone
//!   (`/v3/ec2tokens`) as Heat's `ec2token` middleware does.

use heat_core::engine::RequestContext;
use heat_resources::GuestKeys;

use super::error::CfnError;
use super::sign::{Signature, Signed};
use super::CfnState;
use crate::api::keystone::Keystone;

/// How the Query APIs authenticate.
pub enum CfnAuth {
    /// Any well-formed signature; every caller in `project`.
    NoAuth {
        /// The project callers work in.
        project: String,
    },
    /// Signatures verified: stack keys here, others by Keystone (when
    /// there is one).
    Verified {
        /// Keystone, for EC2 credentials made there.
        keystone: Option<Box<Keystone>>,
    },
}

impl Default for CfnAuth {
    fn default() -> Self {
        CfnAuth::NoAuth {
            project: RequestContext::default().project,
        }
    }
}

fn unknown_key() -> CfnError {
    CfnError::denied(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )
}

impl CfnAuth {
    /// The caller of a signed request, or AWS's refusal.
    pub async fn authenticate(
        &self,
        r: &Signed<'_>,
        state: &CfnState,
    ) -> Result<RequestContext, CfnError> {
        let signature = Signature::parse(r)?;
        signature.check_time(state.api.now() as i64)?;
        match self {
            CfnAuth::NoAuth { project } => {
                let mut ctx = RequestContext::new(project.clone(), signature.access());
                ctx.roles = vec!["admin".into(), "member".into()];
                Ok(ctx)
            }
            CfnAuth::Verified { keystone } => {
                let access = signature.access();
                if let Some((stack_id, resource)) = GuestKeys::owner_of(access) {
                    signature.verify(&state.guest.secret(access), r)?;
                    return stack_user(state, &stack_id, &resource, access).await;
                }
                if access.starts_with(heat_resources::guest::PROJECT_KEY_PREFIX) {
                    let store = state.api.service.engine().store();
                    let key = project_keys(store.as_ref(), None)
                        .await
                        .map_err(CfnError::internal)?
                        .into_iter()
                        .find(|k| k.access == access)
                        .ok_or_else(unknown_key)?;
                    signature.verify(&state.guest.secret(access), r)?;
                    let mut ctx = RequestContext::new(key.project, key.user);
                    ctx.roles = key.roles;
                    return Ok(ctx);
                }
                match keystone {
                    Some(k) => k.ec2(&signature, r).await,
                    None => Err(unknown_key()),
                }
            }
        }
    }
}

/// The caller of a stack key: a reader of the stack's project, while the
/// key's `AWS::IAM::AccessKey` (or server) exists.
async fn stack_user(
    state: &CfnState,
    stack_id: &str,
    resource: &str,
    access: &str,
) -> Result<RequestContext, CfnError> {
    let store = state.api.service.engine().store();
    let stack = store
        .stack(stack_id)
        .await
        .map_err(CfnError::internal)?
        .filter(|s| !s.is_deleted())
        .ok_or_else(unknown_key)?;
    let live = store
        .resources(stack_id)
        .await
        .map_err(CfnError::internal)?
        .into_iter()
        .any(|r| {
            r.current
                && r.name == resource
                && r.action != heat_core::engine::Action::Delete
                && (r.type_name == "AWS::IAM::AccessKey" || polls_with(&r, access))
        });
    if !live {
        return Err(unknown_key());
    }
    let mut ctx = RequestContext::new(stack.project, access);
    ctx.roles = vec!["heat_stack_user".into()];
    Ok(ctx)
}

/// Whether a resource is a `SOFTWARE_CONFIG` server whose agents were
/// given this key to poll its metadata (its `os-collect-config` settings).
fn polls_with(r: &heat_core::engine::ResourceRecord, access: &str) -> bool {
    r.attributes
        .get("os_collect_config")
        .and_then(|c| c.pointer("/cfn/access_key_id"))
        .and_then(serde_json::Value::as_str)
        == Some(access)
}

/// A project's EC2-style credential, as `heat ec2-credentials` lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProjectKey {
    /// The access key id.
    pub access: String,
    /// The project it works in.
    pub project: String,
    /// The user it acts as.
    pub user: String,
    /// Its roles (`member`, or `reader`).
    pub roles: Vec<String>,
}

/// Makes a project's credential: the key, and its secret (derived from the
/// server's key, shown once, never stored).
pub async fn create_project_key(
    store: &dyn heat_core::engine::StateStore,
    keys: &GuestKeys,
    project: &str,
    user: &str,
    roles: Vec<String>,
    now: f64,
) -> Result<(ProjectKey, String), heat_core::engine::StoreError> {
    let key = ProjectKey {
        access: GuestKeys::project_access_key(),
        project: project.to_string(),
        user: user.to_string(),
        roles,
    };
    store
        .put_document(&heat_core::engine::Document {
            kind: heat_core::engine::DocumentKind::Ec2Credential,
            id: key.access.clone(),
            project: project.to_string(),
            data: serde_json::to_value(&key).unwrap_or_default(),
            created_at: now,
        })
        .await?;
    let secret = keys.secret(&key.access);
    Ok((key, secret))
}

/// The projects' credentials (one project's: `Some`).
pub async fn project_keys(
    store: &dyn heat_core::engine::StateStore,
    project: Option<&str>,
) -> Result<Vec<ProjectKey>, heat_core::engine::StoreError> {
    Ok(store
        .documents(heat_core::engine::DocumentKind::Ec2Credential, project)
        .await?
        .into_iter()
        .filter_map(|d| serde_json::from_value(d.data).ok())
        .collect())
}

/// Removes a credential; whether it was there.
pub async fn delete_project_key(
    store: &dyn heat_core::engine::StateStore,
    access: &str,
) -> Result<bool, heat_core::engine::StoreError> {
    store
        .remove_document(heat_core::engine::DocumentKind::Ec2Credential, access)
        .await
}
