//! What the engine persists: stacks, resources and events, as plain serde
//! data.

use serde::{Deserialize, Serialize};
use serde_json::{Map as JsonMap, Value as Json};

/// A stack or resource action (Heat's nouns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// Not acted on yet.
    Init,
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
    /// Roll back a failed create or update.
    Rollback,
    /// Suspend.
    Suspend,
    /// Resume.
    Resume,
    /// Check against the cloud.
    Check,
    /// Snapshot the stack.
    Snapshot,
    /// Restore a snapshot.
    Restore,
    /// Adopt resources that exist in the cloud.
    Adopt,
}

impl Action {
    /// The name Heat prints (`CREATE`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Init => "INIT",
            Action::Create => "CREATE",
            Action::Update => "UPDATE",
            Action::Delete => "DELETE",
            Action::Rollback => "ROLLBACK",
            Action::Suspend => "SUSPEND",
            Action::Resume => "RESUME",
            Action::Check => "CHECK",
            Action::Snapshot => "SNAPSHOT",
            Action::Restore => "RESTORE",
            Action::Adopt => "ADOPT",
        }
    }
}

/// The status of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Running.
    InProgress,
    /// Done.
    Complete,
    /// Failed.
    Failed,
}

impl Status {
    /// The name Heat prints (`COMPLETE`).
    pub fn name(self) -> &'static str {
        match self {
            Status::InProgress => "IN_PROGRESS",
            Status::Complete => "COMPLETE",
            Status::Failed => "FAILED",
        }
    }
}

/// What a stack was created from: template, files and environment values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackSource {
    /// The template document (text as given).
    pub template: String,
    /// The files map (`get_file`, provider templates).
    pub files: JsonMap<String, Json>,
    /// User parameter values.
    pub parameters: JsonMap<String, Json>,
    /// Parameter defaults from the environment.
    pub parameter_defaults: JsonMap<String, Json>,
    /// The environment's resource registry, as written.
    pub resource_registry: JsonMap<String, Json>,
    /// For a nested stack, the resource it stands for as `resource_facade`
    /// gives it: `{metadata, deletion_policy, update_policy}`, resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facade: Option<Json>,
}

/// A stack as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackRecord {
    /// Id (uuid).
    pub id: String,
    /// Name, unique in a project.
    pub name: String,
    /// Project (tenant).
    pub project: String,
    /// Current action.
    pub action: Action,
    /// Its status.
    pub status: Status,
    /// Why it has this status.
    pub reason: String,
    /// What the stack is now made of.
    pub source: StackSource,
    /// What it was made of before the last update (for rollback).
    pub previous: Option<StackSource>,
    /// Resolved outputs, once complete.
    pub outputs: Option<JsonMap<String, Json>>,
    /// Bumped by every operation; writes compare it so two operations
    /// never both act on a stack.
    pub traversal: u64,
    /// No rollback on failure.
    pub disable_rollback: bool,
    /// Timeout of an operation, minutes.
    pub timeout_mins: Option<u64>,
    /// Tags.
    pub tags: Vec<String>,
    /// Creation time, seconds since the epoch.
    pub created_at: f64,
    /// Last update time.
    pub updated_at: Option<f64>,
    /// For a nested stack: the parent stack's id and the resource it backs.
    #[serde(default)]
    pub parent: Option<(String, String)>,
    /// How deep in a tree of nested stacks (0 for a top-level stack).
    #[serde(default)]
    pub nested_depth: u32,
    /// For a nested stack: the top-level stack of its tree, whose lease
    /// owns every operation on the tree.
    #[serde(default)]
    pub root: Option<String>,
    /// The user who created the stack.
    #[serde(default)]
    pub user: String,
    /// The parameters' resolved values, as `stack show` displays them
    /// (hidden ones masked), stored so that views never parse again.
    #[serde(default)]
    pub parameters: JsonMap<String, Json>,
    /// The template's description.
    #[serde(default)]
    pub description: String,
    /// For a rollback: the action rolled back (a create rolls back to
    /// nothing, an update to the previous source).
    #[serde(default)]
    pub rollback_of: Option<Action>,
    /// The engine whose operation holds the stack, and until when (kept by
    /// the store beside the record; `None` when no operation runs).
    #[serde(default)]
    pub lease: Option<Lease>,
    /// A stored request to stop the running operation.
    #[serde(default)]
    pub cancel: Option<CancelRequest>,
    /// When it was deleted: a deleted top-level stack stays, reachable by
    /// id (`DELETE_COMPLETE`, its events kept), its name free again.
    #[serde(default)]
    pub deleted_at: Option<f64>,
    /// While it is adopted: the `resources` of the abandon data it is
    /// adopted from (each resource's `resource_id`, and a nested stack's
    /// own `resources`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopt: Option<Json>,
}

/// The hold an engine's running operation has on a top-level stack (and
/// its nested stacks). Renewed while the engine lives; another engine
/// takes the stack over only once it has expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    /// The holding engine's id.
    pub engine: String,
    /// Seconds since the epoch after which the lease is void.
    pub expires_at: f64,
}

/// A request to stop a stack's running operation, stored so that any
/// process can make it and the holder of the lease acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CancelRequest {
    /// Cancel an update and roll back (`cancel_update`).
    Rollback,
    /// Cancel an update, leave it failed (`cancel_without_rollback`).
    NoRollback,
    /// Stop whatever runs, then delete the stack.
    Delete,
}

/// A signal sent to a resource (a wait condition handle), stored so that
/// the operation waiting for it may run in any process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The stack of the resource.
    pub stack_id: String,
    /// The resource's logical name.
    pub resource: String,
    /// The signal's id (unique per resource; later ones with the same id
    /// replace earlier ones, as Heat's handles do).
    pub id: String,
    /// `SUCCESS` or `FAILURE`.
    pub status: String,
    /// The reason given.
    pub reason: String,
    /// The data given.
    pub data: Json,
}

/// A running engine (process), as `orchestration service list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineRecord {
    /// Engine id.
    pub id: String,
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// When it started, seconds since the epoch.
    pub started_at: f64,
    /// Its last heartbeat.
    pub heartbeat_at: f64,
}

impl StackRecord {
    /// `CREATE_COMPLETE` and the like.
    pub fn status_text(&self) -> String {
        format!("{}_{}", self.action.name(), self.status.name())
    }

    /// The id of the top-level stack of its tree (its own for a top-level
    /// stack): the stack whose lease fences every write to this one.
    pub fn root_id(&self) -> &str {
        self.root.as_deref().unwrap_or(&self.id)
    }

    /// Whether an operation runs on it (or was left running by an engine
    /// that stopped).
    pub fn in_progress(&self) -> bool {
        self.status == Status::InProgress
    }

    /// Whether it was deleted (`DELETE_COMPLETE`).
    pub fn is_deleted(&self) -> bool {
        self.action == Action::Delete && self.status == Status::Complete
    }

    /// Whether its lease is held by a live engine at `now`.
    pub fn leased_at(&self, now: f64) -> bool {
        self.lease.as_ref().is_some_and(|l| l.expires_at > now)
    }
}

/// A resource as stored. A resource being replaced has two records with the
/// same name: the old one (`current: false`) is deleted once the new one
/// exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRecord {
    /// Record id (unique in the store).
    pub id: String,
    /// Stack id.
    pub stack_id: String,
    /// Logical name.
    pub name: String,
    /// Type.
    pub type_name: String,
    /// The cloud's id, once the create call returned.
    pub physical_id: Option<String>,
    /// Action.
    pub action: Action,
    /// Status.
    pub status: Status,
    /// Why.
    pub reason: String,
    /// The resolved properties it was created or last updated with.
    pub properties: Json,
    /// Attributes read from the cloud.
    pub attributes: JsonMap<String, Json>,
    /// The resolved metadata of its definition.
    #[serde(default)]
    pub metadata: Json,
    /// Whether this is the record the stack uses (false: replaced, to delete).
    pub current: bool,
    /// Names of the resources it requires.
    pub requires: Vec<String>,
    /// Deletion policy (`Delete`, `Retain`, `Snapshot`).
    pub deletion_policy: String,
    /// Last change, seconds since the epoch.
    pub updated_at: f64,
    /// When the resource was first created (0 in older state files).
    #[serde(default)]
    pub created_at: f64,
}

impl ResourceRecord {
    /// `CREATE_COMPLETE` and the like.
    pub fn status_text(&self) -> String {
        format!("{}_{}", self.action.name(), self.status.name())
    }

    /// Whether the resource exists in the cloud and is usable.
    pub fn is_live(&self) -> bool {
        self.physical_id.is_some()
            && !(self.action == Action::Delete && self.status == Status::Complete)
    }
}

/// An event: one state transition of a stack or a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Event id.
    pub id: String,
    /// Stack id.
    pub stack_id: String,
    /// Time, seconds since the epoch.
    pub time: f64,
    /// The resource (the stack's own name for stack events).
    pub resource_name: String,
    /// The resource's physical id.
    pub physical_id: Option<String>,
    /// The resource type (`OS::Heat::Stack` for stack events).
    pub resource_type: String,
    /// Action.
    pub action: Action,
    /// Status.
    pub status: Status,
    /// Reason.
    pub reason: String,
}

/// A stack snapshot: what the stack was (its template, environment, files
/// and resources, as Heat's abandon data gives them) at a point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Snapshot id.
    pub id: String,
    /// The stack.
    pub stack_id: String,
    /// Its name (may be empty).
    pub name: String,
    /// `COMPLETE` once taken.
    pub status: Status,
    /// Why.
    pub reason: String,
    /// The stack's data.
    pub data: Json,
    /// When it was taken, seconds since the epoch.
    pub created_at: f64,
}

/// What a [`Document`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A software config (`/software_configs`).
    SoftwareConfig,
    /// A software deployment (`/software_deployments`).
    SoftwareDeployment,
    /// A CloudFormation change set: a stored update preview that can be
    /// executed.
    ChangeSet,
    /// A CloudWatch alarm made through the API (PutMetricAlarm).
    Alarm,
    /// An EC2-style access key of a project (its secret is derived from
    /// the server's key, never stored).
    Ec2Credential,
    /// Where a failing server stands on the health watcher's escalation
    /// ladder (shared by every engine on the store).
    HealthLadder,
}

impl DocumentKind {
    /// Its name in the state store.
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::SoftwareConfig => "software_config",
            DocumentKind::SoftwareDeployment => "software_deployment",
            DocumentKind::ChangeSet => "change_set",
            DocumentKind::Alarm => "alarm",
            DocumentKind::Ec2Credential => "ec2_credential",
            DocumentKind::HealthLadder => "health_ladder",
        }
    }
}

/// A project's object kept beside its stacks (a software config or
/// deployment), as a JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// What it is.
    pub kind: DocumentKind,
    /// Its id (unique per kind).
    pub id: String,
    /// The project it belongs to.
    pub project: String,
    /// Its content.
    pub data: Json,
    /// When it was made, seconds since the epoch.
    pub created_at: f64,
}

impl Document {
    /// A value of a project stored as a document of `kind`.
    pub fn of<T: Serialize>(
        kind: DocumentKind,
        project: &str,
        id: &str,
        created_at: f64,
        value: &T,
    ) -> Result<Document, serde_json::Error> {
        Ok(Document {
            kind,
            id: id.to_string(),
            project: project.to_string(),
            data: serde_json::to_value(value)?,
            created_at,
        })
    }
}
