//! `heat stack ...` as a user runs it, in local mode on a fresh state file:
//! every verb's success and failure, machine-readable output, progress
//! lines when not on a terminal, and README's first command.

use std::process::Command;

struct Heat {
    state: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Heat {
    fn new(name: &str) -> Heat {
        let dir = tempfile::Builder::new()
            .prefix(&format!("heat-cli-stack-{name}-"))
            .tempdir()
            .unwrap();
        Heat {
            state: dir.path().join("state.sqlite"),
            _dir: dir,
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_heat"))
            .env_remove("OS_CLOUD")
            .env_remove("OS_AUTH_URL")
            .args(args)
            .env("HEAT_STATE", &self.state)
            .env_remove("HEAT_URL")
            .output()
            .expect("heat runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }
}

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn create_show_outputs_resources_events_update_and_delete() {
    let h = Heat::new("lifecycle");
    let wp = example("wordpress.yaml");
    let (code, out, err) = h.run(&["stack", "create", "wp", "-t", &wp, "-f", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let stack: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stack["stack_status"], "CREATE_COMPLETE");
    // Progress, when not on a terminal, is plain event lines on stderr.
    assert!(
        err.lines()
            .any(|l| l.ends_with("[web_server]: CREATE_COMPLETE  state changed")),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("[wp]: CREATE_COMPLETE  Stack CREATE completed successfully"),
        "{err}"
    );

    let list = h.json(&["stack", "list", "-f", "json"]);
    assert_eq!(list[0]["Stack Name"], "wp");
    assert_eq!(list[0]["Stack Status"], "CREATE_COMPLETE");
    let show = h.json(&["stack", "show", "wp", "-f", "json"]);
    assert_eq!(
        show["parameters"]["db_password"], "******",
        "hidden parameters are masked"
    );
    let url = h.json(&["stack", "output", "show", "wp", "website_url", "-f", "json"]);
    assert!(
        url["output_value"]
            .as_str()
            .unwrap()
            .starts_with("http://172.24.4."),
        "{url}"
    );
    let (code, value, _) = h.run(&[
        "stack",
        "output",
        "show",
        "wp",
        "db_address",
        "-f",
        "value",
        "-c",
        "output_value",
    ]);
    assert_eq!(code, 0);
    assert!(value.trim().starts_with("10.10.0."), "{value}");
    let resources = h.json(&["stack", "resource", "list", "wp", "-f", "json"]);
    assert_eq!(resources.as_array().unwrap().len(), 13);
    let server = h.json(&[
        "stack",
        "resource",
        "show",
        "wp",
        "web_server",
        "-f",
        "json",
    ]);
    assert_eq!(server["resource_type"], "OS::Nova::Server");
    assert!(server["attributes"]["first_address"].is_string());
    let events = h.json(&["stack", "event", "list", "wp", "-f", "json"]);
    assert!(events.as_array().unwrap().len() >= 28);
    let (code, template, _) = h.run(&["stack", "template", "show", "wp"]);
    assert_eq!(code, 0);
    assert_eq!(template, std::fs::read_to_string(&wp).unwrap());

    // Preview, then an update that resizes the servers in place.
    let preview = h.json(&[
        "stack",
        "update",
        "wp",
        "-t",
        &wp,
        "--parameter",
        "flavor=m1.medium",
        "--dry-run",
        "-f",
        "json",
    ]);
    let changed: Vec<&str> = preview
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] != "unchanged")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["db_server", "web_server"]);
    let before = h.json(&[
        "stack",
        "resource",
        "show",
        "wp",
        "web_server",
        "-f",
        "json",
    ]);
    let updated = h.json(&[
        "stack",
        "update",
        "wp",
        "-t",
        &wp,
        "--parameter",
        "flavor=m1.medium",
        "-f",
        "json",
    ]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE");
    let after = h.json(&[
        "stack",
        "resource",
        "show",
        "wp",
        "web_server",
        "-f",
        "json",
    ]);
    assert_eq!(
        before["physical_resource_id"],
        after["physical_resource_id"]
    );
    assert_eq!(after["attributes"]["flavor"], "m1.medium");
    // PATCH: existing template and parameters, one changed (to a key pair
    // added to the simulated cloud).
    let (code, _, err) = h.run(&["cloud", "provide", "keypair", "other-key"]);
    assert_eq!(code, 0, "{err}");
    let patched = h.json(&[
        "stack",
        "update",
        "wp",
        "--existing",
        "--parameter",
        "key_name=other-key",
        "-f",
        "json",
    ]);
    assert_eq!(patched["stack_status"], "UPDATE_COMPLETE");
    // The parameter changed; the flavor given before is kept.
    assert_eq!(patched["parameters"]["key_name"], "other-key", "{patched}");
    assert_eq!(patched["parameters"]["flavor"], "m1.medium", "{patched}");

    assert_eq!(
        h.json(&["stack", "check", "wp", "-f", "json"])["stack_status"],
        "CHECK_COMPLETE"
    );
    assert_eq!(
        h.json(&["stack", "suspend", "wp", "-f", "json"])["stack_status"],
        "SUSPEND_COMPLETE"
    );
    assert_eq!(
        h.json(&["stack", "resume", "wp", "-f", "json"])["stack_status"],
        "RESUME_COMPLETE"
    );

    let (code, _, err) = h.run(&["stack", "delete", "wp", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        h.json(&["stack", "list", "-f", "json"]),
        serde_json::json!([])
    );
}

#[test]
fn failures_are_clear_and_exit_non_zero() {
    let h = Heat::new("failures");
    // Unknown stack.
    for args in [
        vec!["stack", "show", "ghost"],
        vec!["stack", "delete", "ghost", "--yes"],
        vec!["stack", "output", "list", "ghost"],
        vec!["stack", "resource", "list", "ghost"],
        vec!["stack", "event", "list", "ghost"],
    ] {
        let (code, _, err) = h.run(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(
            err.contains("The Stack (ghost) could not be found."),
            "{args:?}: {err}"
        );
    }
    let (code, out, _) = h.run(&["stack", "show", "ghost", "-f", "json"]);
    assert_eq!(code, 1);
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(e["error"]["kind"], "not_found");

    // A bad template names the file, path and line; nothing is created.
    let dir = h.state.parent().unwrap().to_path_buf();

    // A parameter's custom constraint is checked against the cloud before
    // anything is created.
    let constrained = write(&dir, "constrained.yaml", "heat_template_version: 2018-08-31\nparameters:\n  image:\n    type: string\n    constraints:\n      - custom_constraint: glance.image\nresources:\n  net:\n    type: OS::Neutron::Net\n  web:\n    type: OS::Nova::Server\n    properties: {flavor: m1.tiny, image: {get_param: image}}\n");
    let (code, _, err) = h.run(&[
        "stack",
        "create",
        "c",
        "-t",
        &constrained,
        "--parameter",
        "image=no-such-image",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("constrained.yaml:")
            && err.contains("parameters.image")
            && err.contains("Parameter 'image' is invalid: Error validating value 'no-such-image': The Image (no-such-image) could not be found."),
        "{err}"
    );
    let (code, out, _) = h.run(&["stack", "show", "c"]);
    assert_eq!(code, 1, "nothing was created: {out}");
    let (code, out, err) = h.run(&[
        "stack",
        "create",
        "c",
        "-t",
        &constrained,
        "--parameter",
        "image=cirros-0.6.2",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(h.run(&["stack", "delete", "c", "--yes", "--wait"]).0, 0);
    let bad = write(&dir, "bad.yaml", "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Nova::Server\n    properties:\n      flavor: m1.tiny\n      imagee: cirros-0.6.2\n");
    let (code, _, err) = h.run(&["stack", "create", "bad", "-t", &bad]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.yaml:7") && err.contains("Unknown Property imagee"),
        "{err}"
    );
    let (_, out, _) = h.run(&["stack", "list", "-f", "json"]);
    assert_eq!(out.trim(), "[]");

    // An image the cloud does not have is refused before anything is
    // created, naming the property.
    let wp = example("wordpress.yaml");
    let (code, _, err) = h.run(&[
        "stack",
        "create",
        "wp0",
        "-t",
        &wp,
        "--parameter",
        "image=no-such-image",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("wordpress.yaml:") && err.contains("resources.web_server.properties.image: Property error: Error validating value 'no-such-image': The Image (no-such-image) could not be found."),
        "{err}"
    );
    let (code, _, _) = h.run(&["stack", "show", "wp0"]);
    assert_eq!(code, 1, "nothing was created");

    // A resource the cloud refuses at create (an image only known once
    // another resource exists): with rollback, nothing is left, and the
    // failing resource and the cloud's reason are shown.
    let wp = write(&dir, "late_image.yaml", "heat_template_version: 2018-08-31\nresources:\n  net:\n    type: OS::Neutron::Net\n  image:\n    type: OS::Heat::Value\n    properties: {value: no-such-image}\n  server:\n    type: OS::Nova::Server\n    depends_on: net\n    properties: {flavor: m1.tiny, image: {get_attr: [image, value]}}\n");
    let (code, _, err) = h.run(&["stack", "create", "wp", "-t", &wp, "--enable-rollback"]);
    assert_eq!(code, 1);
    assert!(err.contains("ROLLBACK_COMPLETE"), "{err}");
    assert!(
        err.contains("Image no-such-image could not be found."),
        "{err}"
    );
    let resources = h.json(&["stack", "resource", "list", "wp", "-f", "json"]);
    assert_eq!(resources, serde_json::json!([]));
    // Without rollback: CREATE_FAILED, and delete cleans up.
    let (code, _, err) = h.run(&["stack", "create", "wp2", "-t", &wp, "--disable-rollback"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("CREATE_FAILED")
            && err.contains("resources.")
            && err.contains("no-such-image"),
        "{err}"
    );
    let (code, _, _) = h.run(&["stack", "delete", "wp2", "--yes"]);
    assert_eq!(code, 0);
    // A second stack of the same name is refused.
    let ok = write(&dir, "ok.yaml", "heat_template_version: 2018-08-31\nresources:\n  v: {type: OS::Heat::Value, properties: {value: 1}}\n");
    assert_eq!(h.run(&["stack", "create", "same", "-t", &ok]).0, 0);
    let (code, _, err) = h.run(&["stack", "create", "same", "-t", &ok]);
    assert_eq!(code, 1);
    assert!(err.contains("The Stack (same) already exists."), "{err}");
    let (code, _, err) = h.run(&["stack", "output", "show", "same", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Specified output key nope not found."),
        "{err}"
    );
}

#[test]
fn a_state_file_stays_on_the_cloud_it_was_made_on() {
    let h = Heat::new("binding");
    let t = example("wordpress.yaml");
    let (code, out, err) = h.run(&["stack", "create", "w", "-t", &t]);
    assert_eq!(code, 0, "{out}{err}");
    // The same state file opened on an OpenStack cloud is refused before
    // any cloud is contacted: deleting these simulated stacks there (or
    // OpenStack stacks here) would forget resources instead of deleting them.
    let dir = h.state.parent().unwrap();
    let clouds = write(
        dir,
        "clouds.yaml",
        "clouds:\n  other:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: u\n      password: p\n      project_name: p\n      user_domain_name: Default\n      project_domain_name: Default\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .args(["--os-cloud", "other", "stack", "delete", "w", "--yes"])
        .env("HEAT_STATE", &h.state)
        .env("OS_CLIENT_CONFIG_FILE", &clouds)
        .env_remove("OS_AUTH_URL")
        .env_remove("HEAT_URL")
        .output()
        .expect("heat runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("holds stacks on the simulated cloud, not on openstack:other"),
        "{err}"
    );
    let shown = h.json(&["stack", "show", "w", "-f", "json"]);
    assert_eq!(shown["stack_status"], "CREATE_COMPLETE");
}

#[test]
fn a_check_keeps_what_resources_without_a_cloud_object_hold() {
    // A RandomString's value lives in heat-rs alone: a check, which reads
    // every resource again from the cloud, must not lose it.
    let h = Heat::new("check-keeps");
    let dir = tempfile::tempdir().unwrap();
    let first = write(
        dir.path(),
        "a.yaml",
        "heat_template_version: 2018-08-31\nresources:\n  r: {type: OS::Heat::RandomString}\n",
    );
    h.json(&["stack", "create", "s", "-t", &first, "-f", "json"]);
    let before = h.json(&["stack", "resource", "show", "s", "r", "-f", "json"]);
    let value = before["attributes"]["value"].clone();
    assert_eq!(value.as_str().map(str::len), Some(32), "{before}");
    let checked = h.json(&["stack", "check", "s", "-f", "json"]);
    assert_eq!(checked["stack_status"], "CHECK_COMPLETE");
    let after = h.json(&["stack", "resource", "show", "s", "r", "-f", "json"]);
    assert_eq!(after["attributes"]["value"], value, "{after}");
    // And a later update still resolves it.
    let second = write(
        dir.path(),
        "b.yaml",
        "heat_template_version: 2018-08-31\nresources:\n  r: {type: OS::Heat::RandomString}\n  \
         copy: {type: OS::Heat::Value, properties: {value: {get_attr: [r, value]}}}\n\
         outputs:\n  copied: {value: {get_attr: [copy, value]}}\n",
    );
    let updated = h.json(&["stack", "update", "s", "-t", &second, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let out = h.json(&["stack", "output", "show", "s", "copied", "-f", "json"]);
    assert_eq!(out["output_value"], value, "{out}");
}

#[test]
fn create_dry_run_shows_the_plan() {
    let h = Heat::new("dryrun");
    let plan = h.json(&[
        "stack",
        "create",
        "wp",
        "-t",
        &example("wordpress.yaml"),
        "--dry-run",
        "-f",
        "json",
    ]);
    let rows = plan.as_array().unwrap();
    assert_eq!(rows.len(), 13);
    assert!(rows.iter().all(|r| r["change"] == "added"));
    assert_eq!(
        h.json(&["stack", "list", "-f", "json"]),
        serde_json::json!([])
    );
}

#[test]
fn readme_first_command_creates_the_example_and_prints_outputs() {
    let readme =
        std::fs::read_to_string(format!("{}/../README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let block = readme.split("```").nth(1).expect("README has a code block");
    let first = block
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cargo run"))
        .expect("a cargo run command");
    let args: Vec<&str> = first
        .split(" -- ")
        .nth(1)
        .expect("arguments after --")
        .split_whitespace()
        .collect();
    let h = Heat::new("readme");
    let repo = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .args(&args)
        .current_dir(&repo)
        .env("HOME", h.state.parent().unwrap())
        .env_remove("HEAT_STATE")
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("CREATE_COMPLETE"), "{stdout}");
    assert!(
        stdout.contains("website_url") && stdout.contains("http://172.24.4."),
        "{stdout}"
    );
    assert!(h
        .state
        .parent()
        .unwrap()
        .join(".local/share/heat-rs/state.sqlite")
        .exists());
}
