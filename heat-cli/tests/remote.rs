//! `heat --url` (HEAT_URL): the verbs against a heat-server (its native API
//! served from this test process on a port of its own, noauth, simulated
//! cloud): create with progress and outputs, list, show, outputs,
//! resources, events, template, update and its dry run, check, suspend,
//! resume, signal, refusals as errors, delete; and a URL that names no
//! project refused.

mod common;

use std::sync::Arc;

use common::Heat;
use heat_core::engine::EngineConfig;
use heat_resources::sim::SimConfig;
use heat_server::api::{app, ApiState, Auth, Limits};
use heat_server::builder;

/// A heat-server in a thread of its own; its endpoint for `project`.
fn server(dir: &std::path::Path, project: &str) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let state = dir.join("server.sqlite");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let local = builder::open(&state, SimConfig::default(), EngineConfig::default())
                .await
                .unwrap();
            let api = Arc::new(ApiState::new(
                local.service.clone(),
                Auth::NoAuth,
                Limits::default(),
            ));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app(api)).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    format!("http://{addr}/v1/{project}")
}

const WAIT: &str = "heat_template_version: 2018-08-31
parameters:
  greeting: {type: string, default: hello}
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, count: 1, timeout: 60}
  value: {type: OS::Heat::Value, properties: {value: {get_param: greeting}}}
outputs:
  greeting: {value: {get_attr: [value, value]}, description: the greeting}
  data: {value: {get_attr: [wait, data]}}
";

#[test]
fn every_verb_works_against_a_server() {
    let local = Heat::new("remote");
    let url = server(&local.dir, "demo");
    let h = Heat::new("remote-client").env("HEAT_URL", &url);
    let wp = format!("{}/../examples/wordpress.yaml", env!("CARGO_MANIFEST_DIR"));
    let created = h.json(&["stack", "create", "wp", "-t", &wp, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let site = created["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output_key"] == "website_url")
        .unwrap()["output_value"]
        .clone();
    assert!(site.as_str().unwrap().starts_with("http://"), "{site}");
    // Nothing was stored locally: the stack lives in the server.
    assert!(!h.state.exists(), "the client made a state file");
    let list = h.json(&["stack", "list", "-f", "json"]);
    assert_eq!(list[0]["Stack Name"], "wp");
    assert_eq!(list[0]["Project"], "demo");
    let shown = h.json(&["stack", "show", "wp", "-f", "json"]);
    assert_eq!(shown["id"], created["id"]);
    let out = h.json(&["stack", "output", "show", "wp", "website_url", "-f", "json"]);
    assert_eq!(out["output_value"], site);
    let resources = h.json(&["stack", "resource", "list", "wp", "-f", "json"]);
    assert!(resources.as_array().unwrap().len() >= 10, "{resources}");
    let server = h.json(&[
        "stack",
        "resource",
        "show",
        "wp",
        "web_server",
        "-f",
        "json",
    ]);
    assert_eq!(server["resource_status"], "CREATE_COMPLETE");
    let events = h.json(&["stack", "event", "list", "wp", "-f", "json"]);
    assert_eq!(events[0]["resource_status_reason"], "Stack CREATE started");
    let (code, template, _) = h.run(&["stack", "template", "show", "wp"]);
    assert_eq!(code, 0);
    assert!(template.contains("heat_template_version"), "{template}");
    // Update: the dry run, then a PATCH.
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
    let updated = h.json(&[
        "stack",
        "update",
        "wp",
        "--existing",
        "--parameter",
        "flavor=m1.medium",
        "-f",
        "json",
    ]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(updated["parameters"]["flavor"], "m1.medium");
    for (verb, status) in [
        ("check", "CHECK_COMPLETE"),
        ("suspend", "SUSPEND_COMPLETE"),
        ("resume", "RESUME_COMPLETE"),
    ] {
        let done = h.json(&["stack", verb, "wp", "-f", "json"]);
        assert_eq!(done["stack_status"], status);
    }
    // Refusals, as errors.
    let (code, _, err) = h.run(&["stack", "show", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("The Stack (nope) could not be found."),
        "{err}"
    );
    let (code, _, err) = h.run(&["stack", "create", "wp", "-t", &wp]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = h.run(&["stack", "cancel", "wp"]);
    assert_eq!(code, 1, "{err}");
    // A wait condition signalled through the server.
    let wait = h.write("wait.yaml", WAIT);
    let mut waiting = h.spawn(&["stack", "create", "waits", "-t", &wait]);
    let start = std::time::Instant::now();
    loop {
        let (code, out, _) = h.run(&["stack", "resource", "show", "waits", "handle", "-f", "json"]);
        if code == 0 && out.contains("CREATE_COMPLETE") {
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "the handle never completed");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let (code, _, err) = h.run(&[
        "stack",
        "resource",
        "signal",
        "waits",
        "handle",
        "--data",
        r#"{"data": "ready", "id": "1"}"#,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(waiting.wait().unwrap().success());
    let out = h.json(&["stack", "output", "show", "waits", "data", "-f", "json"]);
    assert_eq!(out["output_value"], r#"{"1": "ready"}"#);
    for name in ["wp", "waits"] {
        let (code, _, err) = h.run(&["stack", "delete", name, "--yes"]);
        assert_eq!(code, 0, "{err}");
    }
    assert_eq!(
        h.json(&["stack", "list", "-f", "json"]),
        serde_json::json!([])
    );
    // Another project of the same server sees nothing.
    let other = Heat::new("remote-other").env("HEAT_URL", &url.replace("/demo", "/other"));
    assert_eq!(
        other.json(&["stack", "list", "-f", "json"]),
        serde_json::json!([])
    );
}

#[test]
fn a_url_without_a_project_is_refused() {
    let h = Heat::new("remote-bad").env("HEAT_URL", "http://127.0.0.1:1");
    let (code, _, err) = h.run(&["stack", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("http://HOST:PORT/v1/<project>"), "{err}");
    let h = Heat::new("remote-down").env("HEAT_URL", "http://127.0.0.1:1/v1/demo");
    let (code, _, err) = h.run(&["stack", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("did not answer"), "{err}");
}

const DEPLOY: &str = "heat_template_version: 2018-08-31
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties: {group: script, config: 'echo hi', outputs: [{name: result}]}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties: {config: {get_resource: config}, server: {get_resource: server}}
outputs:
  code: {value: {get_attr: [deployment, deploy_status_code]}}
";

/// `stack resource metadata`: a server's metadata carries the configs
/// deployed to it (what os-collect-config reads), locally and from a
/// server; its simulated agent's report completed the deployment.
#[test]
fn a_servers_metadata_shows_its_deployments_locally_and_remotely() {
    let local = Heat::new("deploy-local");
    let url = server(&local.dir, "demo");
    let remote = Heat::new("deploy-remote").env("HEAT_URL", &url);
    for h in [&local, &remote] {
        let t = h.write("deploy.yaml", DEPLOY);
        let created = h.json(&["stack", "create", "d", "-t", &t, "-f", "json"]);
        assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
        assert_eq!(created["outputs"][0]["output_value"], 0, "{created}");
        let m = h.json(&["stack", "resource", "metadata", "d", "server", "-f", "json"]);
        let derived = &m["deployments"][0];
        assert_eq!(derived["config"], "echo hi", "{m}");
        let action = derived["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "deploy_action")
            .unwrap();
        assert_eq!(action["value"], "CREATE");
        let none = h.json(&["stack", "resource", "metadata", "d", "config", "-f", "json"]);
        assert_eq!(none, serde_json::json!({}));
        let (code, _, err) = h.run(&["stack", "resource", "metadata", "d", "ghost"]);
        assert_ne!(code, 0);
        assert!(err.contains("ghost"), "{err}");
    }
}
