//! [`RequestContext`]: who asks. Every operation and query runs for a
//! project; one project never sees or touches another's stacks.

use serde::{Deserialize, Serialize};

/// The caller of an operation: a project, a user and roles (from Keystone,
/// or the CLI's local identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    /// The project (tenant) id.
    pub project: String,
    /// The user id.
    pub user: String,
    /// Role names.
    pub roles: Vec<String>,
}

impl RequestContext {
    /// A caller in `project` as `user`, with the `member` role.
    pub fn new(project: impl Into<String>, user: impl Into<String>) -> Self {
        RequestContext {
            project: project.into(),
            user: user.into(),
            roles: vec!["member".into()],
        }
    }

    /// Whether the caller has the `admin` role.
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }
}

impl Default for RequestContext {
    /// The CLI's local identity: project `project`, user `local`.
    fn default() -> Self {
        RequestContext::new("project", "local")
    }
}
