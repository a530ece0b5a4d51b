//! `heat cloud`: a user adds an image, a key pair and a flavor to the
//! simulated cloud (kept in the state file, across processes) and a
//! template naming them runs there; before, it is refused naming them.

use std::process::Command;

fn heat(state: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .env_remove("HEAT_URL")
        .env("HEAT_STATE", state)
        .args(args)
        .output()
        .expect("heat runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: F17-x86_64-cfntools, flavor: m2.huge, key_name: heat_key, networks: [{network: private}]}
";

#[test]
fn provided_images_key_pairs_and_flavors_serve_templates() {
    let tmp = tempfile::Builder::new()
        .prefix("heat-cloud-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let state = dir.join("state.sqlite");
    let template = dir.join("server.yaml");
    std::fs::write(&template, TEMPLATE).unwrap();
    let t = template.to_str().unwrap();
    let (code, _, err) = heat(&state, &["stack", "create", "before", "-t", t]);
    assert_ne!(code, 0);
    assert!(err.contains("F17-x86_64-cfntools"), "{err}");
    assert!(err.contains("heat_key"), "{err}");
    for args in [
        vec!["cloud", "provide", "image", "F17-x86_64-cfntools"],
        vec![
            "cloud",
            "provide",
            "keypair",
            "heat_key",
            "--public-key",
            "ssh-ed25519 AAAAtest user",
        ],
        vec![
            "cloud", "provide", "flavor", "m2.huge", "--vcpus", "16", "--ram", "65536", "--disk",
            "400",
        ],
    ] {
        let (code, _, err) = heat(&state, &args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    // Again: nothing changes.
    let (code, _, _) = heat(
        &state,
        &["cloud", "provide", "image", "F17-x86_64-cfntools"],
    );
    assert_eq!(code, 0);
    let (code, out, _) = heat(&state, &["cloud", "list", "-f", "json"]);
    assert_eq!(code, 0);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["Kind"].as_str().unwrap(),
                o["Name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "image F17-x86_64-cfntools")
            .count(),
        1,
        "{names:?}"
    );
    assert!(names.contains(&"keypair heat_key".to_string()), "{names:?}");
    assert!(names.contains(&"flavor m2.huge".to_string()), "{names:?}");
    assert!(
        names.contains(&"image cirros-0.6.2".to_string()),
        "{names:?}"
    );
    let (code, out, err) = heat(
        &state,
        &[
            "stack",
            "create",
            "after",
            "-t",
            t,
            "-f",
            "value",
            "-c",
            "stack_status",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "CREATE_COMPLETE");
    let (code, _, err) = heat(&state, &["cloud", "provide", "flavor"]);
    assert_ne!(code, 0, "{err}");
}
