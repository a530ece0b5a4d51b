//! The real clients (python-openstackclient's `openstack stack ...` and
//! python-heatclient's Python API) against a started `heat-server`: the
//! server, the clients' virtualenv (`HEAT_CLIENTS`, which `.ci/run`
//! makes), and the two life cycles every mode of the server must pass.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

/// The clients' virtualenv; `None` (said on stderr) without one.
pub fn venv() -> Option<PathBuf> {
    match std::env::var_os("HEAT_CLIENTS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            eprintln!(
                "real-client tests skipped: HEAT_CLIENTS does not name a virtualenv with \
                 python-heatclient==5.3.0, python-openstackclient==10.5.0, boto3==1.44.8, \
                 awscli==1.46.3, heat-cfntools==2.0.0 and os-collect-config==14.1.0 \
                 (.ci/clients-venv makes one)"
            );
            None
        }
    }
}

/// A `heat-server` on a port of its own and a state file of its own,
/// stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://ADDR/v1/<project>`, as the server printed it.
    pub url: String,
    /// The CloudFormation Query API, `http://ADDR/v1/`.
    pub cfn_url: String,
    /// The CloudWatch API, `http://ADDR/v1/`.
    pub cloudwatch_url: String,
    /// Its working directory (`server.log` holds its log).
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Server {
    /// Starts one; `config` is the text of its TOML configuration.
    pub fn start(name: &str, bind: &str, config: Option<&str>) -> Server {
        let tmp = super::tempdir(&format!("heat-clients-{name}-"));
        let dir = tmp.path().to_path_buf();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_heat-server"));
        cmd.args([
            "--bind",
            bind,
            "--cfn-bind",
            "127.0.0.1:0",
            "--cloudwatch-bind",
            "127.0.0.1:0",
            "--state",
        ])
        .arg(dir.join("state.sqlite"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("server.log")).unwrap());
        if let Some(text) = config {
            let path = dir.join("heat-server.toml");
            std::fs::write(&path, text).unwrap();
            cmd.arg("--config").arg(path);
        }
        let mut child = cmd.spawn().expect("heat-server starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut address = || {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            line.split_whitespace()
                .find(|w| w.starts_with("http://"))
                .unwrap_or_else(|| panic!("no address in {line:?}"))
                .to_string()
        };
        // "heat-server: native API (orchestration v1) at http://ADDR/v1/<project>"
        let url = address();
        // "heat-server: CloudFormation Query API at http://ADDR/v1/"
        let cfn_url = address();
        // "heat-server: CloudWatch API at http://ADDR/v1/"
        let cloudwatch_url = address();
        Server {
            child,
            url,
            cfn_url,
            cloudwatch_url,
            dir,
            _tmp: tmp,
        }
    }

    /// The endpoint of a project.
    pub fn endpoint(&self, project: &str) -> String {
        self.url.replace("<project>", project)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Whether it had stopped by itself (a crash says so here).
        let exited = self.child.try_wait().ok().flatten();
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A failed test shows what the server said (its log goes with its
        // directory).
        if std::thread::panicking() {
            eprintln!("--- the server had exited by itself: {exited:?} ---");
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            eprintln!(
                "--- the last lines of the server's log ---\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

/// The templates and scripts of the client tests.
pub fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs `clients/lifecycle.py` (heatclient's Python API) against
/// `target`: an endpoint (noauth), or `cloud:NAME` (a clouds.yaml entry,
/// heat-rs found in its Keystone catalog).
pub fn python_lifecycle(venv: &Path, target: &str) {
    let out = Command::new(venv.join("bin/python"))
        .arg(here().join("lifecycle.py"))
        .arg(target)
        .arg(here())
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("all steps agree"));
}

/// Runs `clients/cfn_lifecycle.py` (boto3, then `aws cloudformation`,
/// then both on CloudWatch) against a Query API at `endpoint` and a
/// CloudWatch API at `cloudwatch` (`http://ADDR`).
pub fn cfn_lifecycle(venv: &Path, endpoint: &str, scratch: &Path, cloudwatch: &str) {
    let out = Command::new(venv.join("bin/python"))
        .arg(here().join("cfn_lifecycle.py"))
        .arg(endpoint)
        .arg(venv.join("bin/aws"))
        .arg(scratch)
        .arg(cloudwatch)
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("all steps agree"));
}

/// The `openstack` CLI, with the options that say how it reaches heat-rs.
pub struct Osc {
    bin: PathBuf,
    auth: Vec<String>,
    clouds: Option<PathBuf>,
}

impl Osc {
    /// No authentication, the endpoint given.
    pub fn noauth(venv: &Path, endpoint: &str) -> Osc {
        Osc {
            bin: venv.join("bin/openstack"),
            auth: ["--os-auth-type", "none", "--os-endpoint", endpoint]
                .map(String::from)
                .to_vec(),
            clouds: None,
        }
    }

    /// A clouds.yaml entry: Keystone tokens, heat-rs from the catalog.
    /// `clouds` names the clouds.yaml (else `OS_CLIENT_CONFIG_FILE`'s).
    pub fn cloud(venv: &Path, cloud: &str, clouds: Option<&Path>) -> Osc {
        Osc {
            bin: venv.join("bin/openstack"),
            auth: vec!["--os-cloud".into(), cloud.into()],
            clouds: clouds.map(Path::to_path_buf),
        }
    }

    /// Runs a command: exit status, stdout, stderr.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = Command::new(&self.bin);
        if let Some(clouds) = &self.clouds {
            cmd.env("OS_CLIENT_CONFIG_FILE", clouds);
        }
        let out = cmd
            .args(&self.auth)
            .args(args)
            .current_dir(here())
            .output()
            .expect("openstack runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs a command that must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "openstack {args:?}: {out}{err}");
        out
    }

    /// Runs a command with `-f json`.
    pub fn json(&self, args: &[&str]) -> Json {
        let mut all = args.to_vec();
        all.extend(["-f", "json"]);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// Polls until `field` is `wanted`.
    pub fn until(&self, what: &str, args: &[&str], field: &str, wanted: &str) {
        let start = Instant::now();
        loop {
            let v = self.json(args);
            if v[field] == wanted {
                return;
            }
            if start.elapsed() > Duration::from_secs(120) {
                panic!("{what}: {field} is {} not {wanted}", v[field]);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// A stack's whole life through `openstack stack ...`.
pub fn osc_lifecycle(osc: &Osc) {
    assert_eq!(osc.json(&["stack", "list"]), Json::Array(vec![]));
    let created = osc.json(&[
        "stack",
        "create",
        "cli",
        "-t",
        "main.yaml",
        "--parameter",
        "greeting=hi",
        "--tags",
        "x,y",
    ]);
    assert_eq!(created["stack_status"], "CREATE_IN_PROGRESS");
    osc.until(
        "handle",
        &["stack", "resource", "show", "cli", "handle"],
        "resource_status",
        "CREATE_COMPLETE",
    );
    osc.ok(&[
        "stack",
        "resource",
        "signal",
        "cli",
        "handle",
        "--data",
        r#"{"data": "ready", "id": "1"}"#,
    ]);
    osc.until(
        "create",
        &["stack", "show", "cli"],
        "stack_status",
        "CREATE_COMPLETE",
    );
    let out = osc.json(&["stack", "output", "show", "cli", "nested_out"]);
    assert_eq!(out["output_value"], "hi!");
    let outputs = osc.json(&["stack", "output", "list", "cli"]);
    assert_eq!(outputs.as_array().unwrap().len(), 3);
    let list = osc.json(&["stack", "list", "--tags", "x"]);
    assert_eq!(list[0]["Stack Name"], "cli");
    let resources = osc.json(&["stack", "resource", "list", "cli", "--nested-depth", "2"]);
    let names: Vec<&str> = resources
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_name"].as_str().unwrap())
        .collect();
    for n in ["nested", "group", "0", "1", "v", "wait", "handle", "server"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let events = osc.json(&["stack", "event", "list", "cli"]);
    let events = events.as_array().unwrap();
    assert_eq!(events[0]["resource_status_reason"], "Stack CREATE started");
    let marker = events[0]["id"].as_str().unwrap();
    let after = osc.json(&[
        "stack", "event", "list", "cli", "--marker", marker, "--limit", "2",
    ]);
    assert_eq!(after.as_array().unwrap().len(), 2);
    assert_eq!(after[0]["id"], events[1]["id"]);
    // Update: the dry run, then PUT, then PATCH (--existing).
    let preview = osc.json(&[
        "stack",
        "update",
        "cli",
        "-t",
        "main.yaml",
        "--parameter",
        "greeting=hi",
        "--parameter",
        "count=3",
        "--dry-run",
    ]);
    let mut updated: Vec<&str> = preview["updated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_name"].as_str().unwrap())
        .collect();
    updated.sort();
    // As in Heat, nested stacks (the provider, the group) are always updated.
    assert_eq!(updated, ["group", "nested"], "{preview}");
    osc.ok(&[
        "stack",
        "update",
        "cli",
        "-t",
        "main.yaml",
        "--parameter",
        "greeting=hi",
        "--parameter",
        "count=3",
        "--wait",
    ]);
    let show = osc.json(&["stack", "show", "cli"]);
    assert_eq!(show["stack_status"], "UPDATE_COMPLETE");
    let values = osc.json(&["stack", "output", "show", "cli", "group_values"]);
    assert_eq!(values["output_value"].as_array().unwrap().len(), 3);
    osc.ok(&[
        "stack",
        "update",
        "cli",
        "--existing",
        "--parameter",
        "greeting=hey",
        "--wait",
    ]);
    assert_eq!(
        osc.json(&["stack", "output", "show", "cli", "nested_out"])["output_value"],
        "hey!"
    );
    for (verb, status) in [
        ("check", "CHECK_COMPLETE"),
        ("suspend", "SUSPEND_COMPLETE"),
        ("resume", "RESUME_COMPLETE"),
    ] {
        osc.ok(&["stack", verb, "cli", "--wait"]);
        assert_eq!(osc.json(&["stack", "show", "cli"])["stack_status"], status);
    }
    let (code, _, err) = osc.run(&["stack", "show", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("Stack not found: nope"), "{err}");
    // A snapshot, a change, the snapshot restored, then deleted.
    let snap = osc.json(&["stack", "snapshot", "create", "cli", "--name", "before"]);
    let snap_id = snap["ID"].as_str().unwrap().to_string();
    osc.until(
        "snapshot",
        &["stack", "show", "cli"],
        "stack_status",
        "SNAPSHOT_COMPLETE",
    );
    let listed = osc.json(&["stack", "snapshot", "list", "cli"]);
    assert_eq!(listed[0]["name"], "before", "{listed}");
    assert_eq!(listed[0]["status"], "COMPLETE", "{listed}");
    let shown = osc.ok(&["stack", "snapshot", "show", "cli", &snap_id]);
    assert!(shown.contains("COMPLETE"), "{shown}");
    osc.ok(&[
        "stack",
        "update",
        "cli",
        "--existing",
        "--parameter",
        "greeting=later",
        "--wait",
    ]);
    osc.ok(&["stack", "snapshot", "restore", "cli", &snap_id]);
    osc.until(
        "restore",
        &["stack", "show", "cli"],
        "stack_status",
        "RESTORE_COMPLETE",
    );
    assert_eq!(
        osc.json(&["stack", "output", "show", "cli", "nested_out"])["output_value"],
        "hey!"
    );
    osc.ok(&["stack", "snapshot", "delete", "cli", &snap_id, "--yes"]);
    assert_eq!(
        osc.json(&["stack", "snapshot", "list", "cli"]),
        Json::Array(vec![])
    );
    // A hook of the environment: the stack waits at it until cleared.
    osc.ok(&[
        "stack",
        "create",
        "hooked",
        "-t",
        "child.yaml",
        "-e",
        "hooks_env.yaml",
        "--parameter",
        "message=m",
    ]);
    let start = Instant::now();
    loop {
        let pending = osc.json(&["stack", "hook", "poll", "hooked"]);
        if pending.as_array().is_some_and(|p| !p.is_empty()) {
            assert_eq!(pending[0]["Resource Name"], "v", "{pending}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "never paused");
        std::thread::sleep(Duration::from_millis(200));
    }
    osc.ok(&["stack", "hook", "clear", "hooked", "v"]);
    osc.until(
        "hook cleared",
        &["stack", "show", "hooked"],
        "stack_status",
        "CREATE_COMPLETE",
    );
    osc.ok(&["stack", "delete", "hooked", "--yes", "--wait"]);
    // Software configs.
    let cfg = osc.json(&[
        "software",
        "config",
        "create",
        "--config-file",
        "hello.sh",
        "--group",
        "script",
        "hello",
    ]);
    let cfg_id = cfg["id"].as_str().unwrap().to_string();
    assert_eq!(cfg["config"], "#!/bin/sh\necho hello\n", "{cfg}");
    let listed = osc.json(&["software", "config", "list"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == cfg_id.as_str()),
        "{listed}"
    );
    let shown = osc.json(&["software", "config", "show", &cfg_id]);
    assert_eq!(shown["group"], "script");
    osc.ok(&["software", "config", "delete", &cfg_id]);
    let (code, _, _) = osc.run(&["software", "config", "show", &cfg_id]);
    assert_ne!(code, 0);
    // Export, abandon (the objects stay), adopt under a new name.
    let tmp = super::tempdir("heat-clients-data-");
    let dir = tmp.path();
    let exported = dir.join("export.json");
    osc.ok(&[
        "stack",
        "export",
        "cli",
        "--output-file",
        exported.to_str().unwrap(),
    ]);
    let data: Json = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let server_id = data["resources"]["server"]["resource_id"].clone();
    assert!(server_id.is_string(), "{data}");
    let abandoned = dir.join("abandon.json");
    osc.ok(&[
        "stack",
        "abandon",
        "cli",
        "--output-file",
        abandoned.to_str().unwrap(),
    ]);
    assert_eq!(osc.json(&["stack", "list"]), Json::Array(vec![]));
    osc.ok(&[
        "stack",
        "adopt",
        "again",
        "--adopt-file",
        abandoned.to_str().unwrap(),
        "--wait",
    ]);
    assert_eq!(
        osc.json(&["stack", "show", "again"])["stack_status"],
        "ADOPT_COMPLETE"
    );
    let server = osc.json(&["stack", "resource", "show", "again", "server"]);
    assert_eq!(server["physical_resource_id"], server_id);
    osc.ok(&["stack", "delete", "again", "--yes", "--wait"]);
    assert_eq!(osc.json(&["stack", "list"]), Json::Array(vec![]));
    let valid = osc.json(&["orchestration", "template", "validate", "-t", "main.yaml"]);
    assert_eq!(valid["Description"], "real-client lifecycle");
}
