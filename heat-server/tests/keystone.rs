//! heat-server with Keystone (`auth = "keystone"`) against the real
//! Keystone of ../shared/openstack: heat-rs registered in its catalog as
//! the `orchestration` service, found there by the clients themselves;
//! tokens validated with the server's own credentials; both real-client
//! life cycles as the `demo` member; a second project sees nothing of the
//! first; a reader looks but cannot create; a token of one project gets
//! nothing from another's URL; a bad token is refused.
//!
//! Built with `--features openstack-live`; `.ci/run` starts the cloud and
//! sets `OS_CLIENT_CONFIG_FILE`, and makes the clients' virtualenv.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::clients::{osc_lifecycle, python_lifecycle, venv, Osc, Server};
use serde_json::Value as Json;

fn clouds_yaml() -> PathBuf {
    PathBuf::from(std::env::var_os("OS_CLIENT_CONFIG_FILE").expect(
        "OS_CLIENT_CONFIG_FILE names the clouds.yaml of ../shared/openstack (.ci/run sets it)",
    ))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// heat-rs as the catalog's `orchestration` service (replacing any
/// earlier registration); removed when dropped.
struct Registration<'a> {
    admin: &'a Osc,
    service: String,
}

impl<'a> Registration<'a> {
    fn new(admin: &'a Osc, port: u16) -> Self {
        for s in admin
            .json(&["service", "list", "--long"])
            .as_array()
            .unwrap()
        {
            if s["Type"] == "orchestration" {
                admin.ok(&["service", "delete", s["ID"].as_str().unwrap()]);
            }
        }
        let created = admin.json(&[
            "service",
            "create",
            "--name",
            "heat-rs",
            "--description",
            "heat-rs orchestration",
            "orchestration",
        ]);
        let service = created["id"].as_str().unwrap().to_string();
        let url = format!("http://127.0.0.1:{port}/v1/%(tenant_id)s");
        for interface in ["public", "internal", "admin"] {
            admin.ok(&[
                "endpoint",
                "create",
                "--region",
                "RegionOne",
                &service,
                interface,
                &url,
            ]);
        }
        Registration { admin, service }
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        let _ = self.admin.run(&["service", "delete", &self.service]);
    }
}

/// A project and user of their own for the test, and a reader of `demo`;
/// a clouds.yaml with entries for them beside the original ones.
fn people(admin: &Osc, dir: &Path) -> PathBuf {
    admin.ok(&[
        "project",
        "create",
        "--domain",
        "default",
        "--or-show",
        "heat-rs-other",
    ]);
    for (user, project, role) in [
        ("heat-rs-other", "heat-rs-other", "member"),
        ("heat-rs-reader", "demo", "reader"),
    ] {
        admin.ok(&[
            "user",
            "create",
            "--domain",
            "default",
            "--password",
            "heat-rs-pass",
            "--or-show",
            user,
        ]);
        admin.ok(&["role", "add", "--project", project, "--user", user, role]);
    }
    let mut clouds = std::fs::read_to_string(clouds_yaml()).unwrap();
    for (cloud, user, project) in [
        ("heat-rs-other", "heat-rs-other", "heat-rs-other"),
        ("heat-rs-reader", "heat-rs-reader", "demo"),
    ] {
        clouds.push_str(&format!(
            "  {cloud}:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      \
             username: {user}\n      password: heat-rs-pass\n      project_name: {project}\n      \
             user_domain_id: default\n      project_domain_id: default\n    \
             region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n"
        ));
    }
    let path = dir.join("clouds.yaml");
    std::fs::write(&path, clouds).unwrap();
    path
}

/// An HTTP GET with a token, through the virtualenv's Python: the status.
fn get_status(venv: &Path, url: &str, token: &str) -> u16 {
    let script = "import sys, urllib.request, urllib.error\n\
                  req = urllib.request.Request(sys.argv[1], headers={'X-Auth-Token': sys.argv[2]})\n\
                  try:\n    print(urllib.request.urlopen(req).status)\n\
                  except urllib.error.HTTPError as e:\n    print(e.code)\n";
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", script, url, token])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn keystone_tokens_projects_and_roles() {
    let Some(venv) = venv() else { return };
    let port = free_port();
    let server = Server::start(
        "keystone",
        &format!("127.0.0.1:{port}"),
        Some("[server]\nauth = \"keystone\"\n\n[keystone]\ncloud = \"oslocal\"\n"),
    );
    let admin = Osc::cloud(&venv, "oslocal", None);
    let _registered = Registration::new(&admin, port);
    let clouds = people(&admin, &server.dir);
    let as_ = |cloud: &str| Osc::cloud(&venv, cloud, Some(&clouds));

    // The clients find heat-rs in the catalog and authenticate with tokens.
    python_lifecycle(&venv, "cloud:oslocal-demo");
    let demo = as_("oslocal-demo");
    osc_lifecycle(&demo);

    // A stack of demo's: another project sees nothing of it.
    demo.ok(&[
        "stack",
        "create",
        "mine",
        "-t",
        "child.yaml",
        "--parameter",
        "message=m",
        "--wait",
    ]);
    let mine = demo.json(&["stack", "show", "mine"]);
    let id = mine["id"].as_str().unwrap().to_string();
    let demo_project = mine["parameters"]["OS::project_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = as_("heat-rs-other");
    assert_eq!(other.json(&["stack", "list"]), Json::Array(vec![]));
    for target in ["mine", id.as_str()] {
        let (code, _, err) = other.run(&["stack", "show", target]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("not found"), "{err}");
    }
    let (code, _, _) = other.run(&["stack", "delete", "mine", "--yes", "--wait"]);
    assert_ne!(code, 0);
    // The admin sees every project's stacks when asked.
    let all = admin.json(&["stack", "list", "--all-projects"]);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|s| s["ID"] == id.as_str()),
        "{all}"
    );

    // The `heat` CLI finds heat-rs in the catalog and works through it
    // (no local state, the demo user's token).
    let heat = |cloud: &str, args: &[&str]| {
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_heat-server")).with_file_name("heat");
        assert!(
            bin.exists(),
            "{} is missing: build heat-cli first (cargo test --workspace does)",
            bin.display()
        );
        let out = Command::new(bin)
            .env("OS_CLIENT_CONFIG_FILE", &clouds)
            .env("OS_CLOUD", cloud)
            .env("HEAT_STATE", server.dir.join("client.sqlite"))
            .env_remove("HEAT_URL")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = heat("oslocal-demo", &["stack", "list", "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let listed: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["Stack Name"], "mine", "{listed}");
    let (code, out, err) = heat(
        "oslocal-demo",
        &["stack", "output", "show", "mine", "--all", "-f", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !server.dir.join("client.sqlite").exists(),
        "heat worked locally"
    );
    let child = common::clients::here().join("child.yaml");
    let (code, _, err) = heat(
        "heat-rs-reader",
        &[
            "stack",
            "create",
            "nope",
            "-t",
            child.to_str().unwrap(),
            "--parameter",
            "message=m",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not authorized"), "{err}");

    // A reader of demo looks, and cannot change anything.
    let reader = as_("heat-rs-reader");
    let listed = reader.json(&["stack", "list"]);
    assert_eq!(listed[0]["Stack Name"], "mine", "{listed}");
    let (code, _, err) = reader.run(&[
        "stack",
        "create",
        "nope",
        "-t",
        "child.yaml",
        "--parameter",
        "message=m",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not authorized"), "{err}");
    let (code, _, err) = reader.run(&["stack", "delete", "mine", "--yes"]);
    assert_ne!(code, 0, "{err}");

    // A token is good for its own project's URL only; a bad one for none.
    let token = other.ok(&["token", "issue", "-f", "value", "-c", "id"]);
    let token = token.trim();
    let other_project = other.ok(&["token", "issue", "-f", "value", "-c", "project_id"]);
    let base = format!("http://127.0.0.1:{port}/v1");
    assert_eq!(
        get_status(
            &venv,
            &format!("{base}/{}/stacks", other_project.trim()),
            token
        ),
        200
    );
    assert_eq!(
        get_status(&venv, &format!("{base}/{demo_project}/stacks"), token),
        403
    );
    assert_eq!(
        get_status(
            &venv,
            &format!("{base}/{demo_project}/stacks"),
            "not-a-token"
        ),
        401
    );

    demo.ok(&["stack", "delete", "mine", "--yes", "--wait"]);
    assert_eq!(demo.json(&["stack", "list"]), Json::Array(vec![]));
}

#[test]
fn keystone_ec2_credentials_sign_query_api_requests() {
    let Some(venv) = venv() else { return };
    let server = Server::start(
        "keystone-ec2",
        "127.0.0.1:0",
        Some("[server]\nauth = \"keystone\"\n\n[keystone]\ncloud = \"oslocal\"\n"),
    );
    let admin = Osc::cloud(&venv, "oslocal", None);
    let clouds = people(&admin, &server.dir);
    let _ = clouds;
    // An EC2 credential of each user in its project, made in Keystone (by
    // the admin: a reader may not make one).
    let mut creds = serde_json::Map::new();
    for (role, user, project) in [
        ("member", "demo", "demo"),
        ("other", "heat-rs-other", "heat-rs-other"),
        ("reader", "heat-rs-reader", "demo"),
    ] {
        let c = admin.json(&[
            "ec2",
            "credentials",
            "create",
            "--user",
            user,
            "--project",
            project,
        ]);
        creds.insert(
            role.into(),
            serde_json::json!({
                "access": c["access"], "secret": c["secret"],
                "project": c["project_id"],
            }),
        );
    }
    let endpoint = server.cfn_url.trim_end_matches("/v1/").to_string();
    let out = Command::new(venv.join("bin/python"))
        .arg(common::clients::here().join("cfn_keystone.py"))
        .arg(&endpoint)
        .arg(Json::Object(creds).to_string())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
    assert!(
        out.status.success() && text.contains("all steps agree"),
        "{text}{}\n--- server log ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        &log[log.len().saturating_sub(3000)..]
    );
}
