//! Whose a signed request is. In `noauth` mode (a bare `heat-server`) any
//! well-formed, timely signature is accepted, as moto and LocalStack accept
//! it, and the caller works in the configured project (by default the CLI's
//! local project, so `aws cloudformation` sees the stacks `heat` made).

use heat_core::engine::RequestContext;

use super::error::CfnError;
use super::sign::{Signature, Signed};
use crate::api::ApiState;

/// How the Query APIs authenticate.
pub enum CfnAuth {
    /// Any well-formed signature; every caller in `project`.
    NoAuth {
        /// The project callers work in.
        project: String,
    },
}

impl Default for CfnAuth {
    fn default() -> Self {
        CfnAuth::NoAuth {
            project: RequestContext::default().project,
        }
    }
}

impl CfnAuth {
    /// The caller of a signed request, or AWS's refusal.
    pub async fn authenticate(
        &self,
        r: &Signed<'_>,
        api: &ApiState,
    ) -> Result<RequestContext, CfnError> {
        let signature = Signature::parse(r)?;
        signature.check_time(api.now() as i64)?;
        match self {
            CfnAuth::NoAuth { project } => {
                let mut ctx = RequestContext::new(project.clone(), signature.access());
                ctx.roles = vec!["admin".into(), "member".into()];
                Ok(ctx)
            }
        }
    }
}
