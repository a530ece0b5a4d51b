//! The files a request names, read as python-heatclient reads them: a
//! provider template in a subdirectory finds its own `get_file` beside it
//! (not the root's file of the same name), an environment file in another
//! directory names templates relative to itself, and a template type given
//! by an `http` URL is fetched with the files it names relative to it. A
//! file that cannot be read refuses the request before anything is sent.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Serves `/remote/r.yaml` (naming `data.txt` beside it) and
/// `/remote/data.txt` over http on loopback.
fn serve() -> SocketAddr {
    use axum::routing::get;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new()
                .route(
                    "/remote/r.yaml",
                    get(|| async {
                        "heat_template_version: 2018-08-31\nresources:\n  v: {type: OS::Heat::Value, properties: {value: {get_file: data.txt}}}\noutputs:\n  value: {value: {get_attr: [v, value]}}\n"
                    }),
                )
                .route("/remote/data.txt", get(|| async { "remote data" }));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr
}

#[test]
fn nested_environment_and_remote_files_are_read_where_they_are() {
    let tmp = tempfile::Builder::new()
        .prefix("heat-files-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let addr = serve();
    write(
        &dir,
        "top.yaml",
        &format!(
            "heat_template_version: 2018-08-31
resources:
  app: {{type: lib/app.yaml}}
  from_env: {{type: My::App}}
  remote: {{type: 'http://{addr}/remote/r.yaml'}}
  root: {{type: OS::Heat::Value, properties: {{value: {{get_file: scripts/boot.sh}}}}}}
outputs:
  app: {{value: {{get_attr: [app, script]}}}}
  from_env: {{value: {{get_attr: [from_env, script]}}}}
  remote: {{value: {{get_attr: [remote, value]}}}}
  root: {{value: {{get_attr: [root, value]}}}}
"
        ),
    );
    write(
        &dir,
        "lib/app.yaml",
        "heat_template_version: 2018-08-31
resources:
  v: {type: OS::Heat::Value, properties: {value: {get_file: scripts/boot.sh}}}
outputs:
  script: {value: {get_attr: [v, value]}}
",
    );
    write(&dir, "lib/scripts/boot.sh", "lib's boot");
    write(&dir, "scripts/boot.sh", "root's boot");
    write(
        &dir,
        "envs/prod.yaml",
        "resource_registry:\n  My::App: ../lib/app.yaml\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .env("HEAT_STATE", dir.join("state.sqlite"))
        .current_dir(&dir)
        .args([
            "stack",
            "create",
            "files",
            "-t",
            "top.yaml",
            "-e",
            "envs/prod.yaml",
            "-f",
            "json",
        ])
        .output()
        .expect("heat runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stack: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let output = |key: &str| {
        stack["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["output_key"] == key)
            .unwrap()["output_value"]
            .clone()
    };
    assert_eq!(output("app"), "lib's boot");
    assert_eq!(output("from_env"), "lib's boot");
    assert_eq!(output("remote"), "remote data");
    assert_eq!(output("root"), "root's boot");
}

#[test]
fn a_file_that_cannot_be_read_refuses_the_request_naming_it() {
    let tmp = tempfile::Builder::new()
        .prefix("heat-files-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    // A group's member template names a script that is not there: as
    // python-heatclient, nothing is sent, and the chain of files is named.
    write(
        &dir,
        "top.yaml",
        "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties: {count: 2, resource_def: {type: lib/member.yaml}}
",
    );
    write(
        &dir,
        "lib/member.yaml",
        "heat_template_version: 2018-08-31
resources:
  v: {type: OS::Heat::Value, properties: {value: {get_file: boot.sh}}}
",
    );
    let heat = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_heat"))
            .env_remove("OS_CLOUD")
            .env_remove("OS_AUTH_URL")
            .env("HEAT_STATE", dir.join("state.sqlite"))
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("heat runs")
    };
    for args in [
        &["stack", "create", "missing", "-t", "top.yaml"][..],
        &["template", "validate", "-t", "top.yaml"][..],
    ] {
        let out = heat(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains(
                "top.yaml: lib/member.yaml: the file boot.sh it names cannot be read \
                 (lib/boot.sh: No such file"
            ),
            "{args:?}: {stderr}"
        );
    }
    let list = heat(&["stack", "list", "-f", "json"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "[]");
    // Given the file, the same request runs.
    write(&dir, "lib/boot.sh", "echo boot");
    let out = heat(&["stack", "create", "missing", "-t", "top.yaml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
