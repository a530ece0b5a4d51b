//! Running `heat` as a user does, on a state file of the test's own: runs
//! that wait, runs in the background, the stack's records and the
//! simulated cloud's inventory read from the state file.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

/// `heat` on a state file of its own, with settings in the environment.
pub struct Heat {
    pub dir: PathBuf,
    pub state: PathBuf,
    env: Vec<(String, String)>,
    _tmp: tempfile::TempDir,
}

impl Heat {
    pub fn new(name: &str) -> Heat {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("heat-cli-{name}-"))
            .tempdir()
            .unwrap();
        let dir = tmp.path().to_path_buf();
        Heat {
            state: dir.join("state.sqlite"),
            dir,
            env: Vec::new(),
            _tmp: tmp,
        }
    }

    /// Sets a variable for every later run.
    pub fn env(mut self, key: &str, value: &str) -> Heat {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_heat"));
        for (k, _) in std::env::vars() {
            if k.starts_with("OS_") {
                c.env_remove(k);
            }
        }
        c.env_remove("HEAT_URL")
            .env("HEAT_STATE", &self.state)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(args);
        c
    }

    /// Runs to the end: exit code, stdout, stderr.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().expect("heat runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs, expects success, parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Json {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// Starts a run in the background (output kept for the failure
    /// message).
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("heat starts")
    }

    /// Writes a file beside the state file; its path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    /// A stack's resources (`resource list -f json`), or `None` when the
    /// stack is not there (yet).
    pub fn resources(&self, stack: &str) -> Option<Vec<Json>> {
        let (code, out, _) = self.run(&["stack", "resource", "list", stack, "-f", "json"]);
        (code == 0).then(|| serde_json::from_str(&out).unwrap())
    }

    /// A resource's status, or `None`.
    pub fn status_of(&self, stack: &str, resource: &str) -> Option<String> {
        self.resources(stack)?
            .into_iter()
            .find(|r| r["resource_name"] == resource)
            .map(|r| r["resource_status"].as_str().unwrap().to_string())
    }

    /// A stack's events (`event list -f json`).
    pub fn events(&self, stack: &str) -> Vec<Json> {
        let v = self.json(&["stack", "event", "list", stack, "-f", "json"]);
        v.as_array().unwrap().clone()
    }

    /// The simulated cloud's objects that stacks created: (kind, stack
    /// id, resource name, id).
    pub fn sim_objects(&self) -> Vec<(String, String, String, String)> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = heat_server::SimStore::open(&self.state).await.unwrap();
            store
                .objects()
                .await
                .unwrap()
                .into_iter()
                .filter(|o| !o.stack_id.is_empty())
                .map(|o| (o.kind, o.stack_id, o.resource, o.id))
                .collect()
        })
    }
}

/// Polls until `done` holds; panics after `limit` (a hang guard, not a
/// timing assertion).
pub fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > limit {
            panic!("gave up waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for a background run to end; its code, stdout and stderr.
pub fn finish(child: Child) -> (i32, String, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Sends a signal (`KILL`, `STOP`, `CONT`) to a process.
pub fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([format!("-{sig}"), child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig}");
}

pub fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Every resource of a stack has one cloud object tagged with it, and
/// every object a stack made belongs to a recorded resource (a leak
/// check both ways, against the cloud's own inventory).
pub fn assert_one_object_per_resource(h: &Heat, stack: &str) {
    let show = h.json(&["stack", "show", stack, "-f", "json"]);
    let id = show["id"].as_str().unwrap().to_string();
    let records = h.resources(stack).unwrap();
    let objects = h.sim_objects();
    for r in &records {
        let name = r["resource_name"].as_str().unwrap();
        let made: Vec<_> = objects
            .iter()
            .filter(|o| o.1 == id && o.2 == name)
            .collect();
        if r["resource_type"]
            .as_str()
            .unwrap()
            .starts_with("OS::Heat::")
        {
            continue;
        }
        assert_eq!(made.len(), 1, "{name}: {made:?}");
        assert_eq!(
            made[0].3,
            r["physical_resource_id"].as_str().unwrap(),
            "{name}"
        );
    }
    for o in objects.iter().filter(|o| o.1 == id) {
        assert!(
            records
                .iter()
                .any(|r| r["physical_resource_id"] == o.3.as_str()),
            "the cloud holds {o:?} that no record knows"
        );
    }
}
