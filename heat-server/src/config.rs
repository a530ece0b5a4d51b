//! The server's settings: a TOML file (`--config`), command-line flags
//! over it, Heat's defaults under both.
//!
//! ```toml
//! [server]
//! bind = "127.0.0.1:8004"          # the native API
//! cfn_bind = "127.0.0.1:8000"      # the CloudFormation Query API ("" : off)
//! cloudwatch_bind = "127.0.0.1:8003"  # the CloudWatch API ("" : off)
//! alarm_evaluation_secs = 10       # how often alarms are evaluated
//! simulated_guest = true           # simulated servers signal their wait
//!                                  # conditions (false: a real agent does)
//! simulated_latency_secs = 0.0     # how long each simulated object takes
//!                                  # to become ready (and half to go)
//! simulated_answer_secs = 0.0      # how long a simulated create takes to
//!                                  # answer once the object exists
//! metric_retention_secs = 1209600  # datapoints kept two weeks
//! auth = "noauth"                  # or "keystone"
//! cfn_auth = "verified"            # Query APIs: "noauth" (any signature) or
//!                                  # "verified" (default: as `auth`)
//! noauth_project = "project"       # the Query API's project without auth
//! cfn_public_url = "http://203.0.113.5:8000"  # where guests reach the Query API
//!                                  # (default: where it listens)
//! max_json_body_size = 1048576
//! max_concurrent_requests = 256
//! request_timeout_secs = 60
//!
//! [engine]
//! lease_seconds = 20               # how long a dead server holds a stack
//! concurrency = 0                  # resources acted on at once (0: no limit)
//! max_resources_per_stack = 1000
//! max_stacks_per_tenant = 512      # top-level stacks per project
//! max_template_size = 524288
//! stack_action_timeout_secs = 3600
//! region = "ap-southeast-1"        # every stack's AWS::Region (Heat's)
//!
//! [state]
//! path = "/var/lib/heat-rs/state.sqlite"
//! # or, for several servers sharing the work:
//! # database = "postgres://heat:secret@db.example.com/heat"
//!
//! [keystone]                       # with auth = "keystone"
//! cloud = "heat-service"           # clouds.yaml entry of the server's own credentials
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    /// Address of the native API.
    pub bind: String,
    /// Address of the CloudFormation Query API (empty: not served).
    pub cfn_bind: String,
    /// The project of Query API callers in `noauth` mode (the CLI's local
    /// project, so that `aws cloudformation` sees the stacks `heat` made).
    pub noauth_project: String,
    /// How the Query APIs check signatures: `noauth` or `verified` (stack
    /// keys, and Keystone's EC2 credentials with `auth = "keystone"`);
    /// unset, as `auth`.
    pub cfn_auth: Option<String>,
    /// Address of the CloudWatch API (empty: not served).
    pub cloudwatch_bind: String,
    /// Seconds between alarm evaluations.
    pub alarm_evaluation_secs: f64,
    /// Seconds between two rounds of the health watcher (0: no watching).
    pub health_check_secs: f64,
    /// Failed checks of a server, within `health_window_secs`, before each
    /// step of its escalation (start, reboot, rebuild, replace, fail).
    pub health_failures: u32,
    /// The window of failed checks, seconds.
    pub health_window_secs: f64,
    /// Whether the simulated cloud's servers act out their user data's
    /// signals.
    pub simulated_guest: bool,
    /// Seconds each simulated object takes to become ready.
    pub simulated_latency_secs: f64,
    /// Seconds a simulated create takes to answer.
    pub simulated_answer_secs: f64,
    /// Seconds datapoints are kept.
    pub metric_retention_secs: f64,
    /// Where guests (cfn-signal, cfn-init) reach the Query API; the
    /// address it listens on when not given.
    pub cfn_public_url: Option<String>,
    /// `noauth` or `keystone`.
    pub auth: String,
    /// Largest request body, bytes.
    pub max_json_body_size: usize,
    /// Most requests at once (more get 503).
    pub max_concurrent_requests: usize,
    /// Longest a request may take, seconds.
    pub request_timeout_secs: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            bind: "127.0.0.1:8004".into(),
            cfn_bind: "127.0.0.1:8000".into(),
            noauth_project: heat_core::engine::RequestContext::default().project,
            cfn_public_url: None,
            cfn_auth: None,
            cloudwatch_bind: "127.0.0.1:8003".into(),
            alarm_evaluation_secs: 10.0,
            health_check_secs: 30.0,
            health_failures: 2,
            health_window_secs: 600.0,
            simulated_guest: true,
            simulated_latency_secs: 0.0,
            simulated_answer_secs: 0.0,
            metric_retention_secs: 14.0 * 86_400.0,
            auth: "noauth".into(),
            max_json_body_size: 1024 * 1024,
            max_concurrent_requests: 256,
            request_timeout_secs: 60,
        }
    }
}

/// `[engine]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSection {
    /// Lease of a running operation, seconds.
    pub lease_seconds: f64,
    /// Resources acted on at once (0: no limit).
    pub concurrency: usize,
    /// Heat's `max_resources_per_stack`.
    pub max_resources_per_stack: usize,
    /// Heat's `max_stacks_per_tenant`.
    pub max_stacks_per_tenant: usize,
    /// Heat's `max_template_size`.
    pub max_template_size: usize,
    /// Heat's `stack_action_timeout`, seconds.
    pub stack_action_timeout_secs: u64,
    /// Every stack's `AWS::Region` (Heat's fixed `ap-southeast-1` unless
    /// set).
    pub region: String,
}

impl Default for EngineSection {
    fn default() -> Self {
        EngineSection {
            lease_seconds: 20.0,
            concurrency: 0,
            max_resources_per_stack: 1000,
            max_stacks_per_tenant: 512,
            max_template_size: heat_core::template::MAX_TEMPLATE_SIZE,
            stack_action_timeout_secs: 3600,
            region: heat_core::definition::HEAT_REGION.into(),
        }
    }
}

/// `[state]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StateSection {
    /// The SQLite state file.
    pub path: Option<PathBuf>,
    /// A PostgreSQL database's URL (over `path`).
    pub database: Option<String>,
}

impl StateSection {
    /// Where the state is: the database, else the file, else the state
    /// file `heat` uses.
    pub fn database(&self) -> crate::builder::Database {
        match (&self.database, &self.path) {
            (Some(url), _) => crate::builder::Database::parse(url),
            (None, Some(path)) => crate::builder::Database::Sqlite(path.clone()),
            (None, None) => crate::builder::Database::Sqlite(crate::builder::default_state()),
        }
    }
}

/// `[keystone]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeystoneSection {
    /// The clouds.yaml entry with the server's own credentials.
    pub cloud: Option<String>,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[server]`.
    pub server: ServerSection,
    /// `[engine]`.
    pub engine: EngineSection,
    /// `[state]`.
    pub state: StateSection,
    /// `[keystone]`.
    pub keystone: KeystoneSection,
}

impl Config {
    /// Reads a TOML file (a clear error naming the file and the line).
    pub fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The engine's settings.
    pub fn engine(&self) -> heat_core::engine::EngineConfig {
        let e = &self.engine;
        let lease = Duration::from_secs_f64(e.lease_seconds.max(0.05));
        heat_core::engine::EngineConfig {
            concurrency: e.concurrency,
            max_resources: e.max_resources_per_stack,
            max_stacks_per_project: e.max_stacks_per_tenant,
            max_template_size: e.max_template_size,
            default_timeout: Duration::from_secs(e.stack_action_timeout_secs),
            region: e.region.clone(),
            lease,
            poll: Duration::from_secs(2).min(lease / 2),
            ..heat_core::engine::EngineConfig::default()
        }
    }

    /// The health watcher's policy.
    pub fn health(&self) -> heat_core::engine::HealthPolicy {
        heat_core::engine::HealthPolicy {
            failures: self.server.health_failures,
            window: std::time::Duration::from_secs_f64(self.server.health_window_secs.max(0.0)),
        }
    }

    /// The API's limits.
    pub fn limits(&self) -> crate::api::Limits {
        crate::api::Limits {
            max_template_size: self.engine.max_template_size,
            max_json_body_size: self.server.max_json_body_size,
            max_concurrent_requests: self.server.max_concurrent_requests.max(1),
            request_timeout: Duration::from_secs(self.server.request_timeout_secs.max(1)),
            ..crate::api::Limits::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_overrides_defaults_and_typos_are_named() {
        let c: Config =
            toml::from_str("[server]\nbind = \"0.0.0.0:9004\"\n[engine]\nlease_seconds = 2\n")
                .unwrap();
        assert_eq!(c.server.bind, "0.0.0.0:9004");
        assert_eq!(c.server.auth, "noauth");
        assert_eq!(c.engine().lease, Duration::from_secs(2));
        assert_eq!(c.engine().poll, Duration::from_secs(1));
        let err = toml::from_str::<Config>("[server]\nbnd = 1\n").unwrap_err();
        assert!(err.to_string().contains("bnd"), "{err}");
    }
}
