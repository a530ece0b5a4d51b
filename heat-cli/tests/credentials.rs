//! `heat ec2-credentials`: keys made, listed without secrets, deleted; the
//! secret is the one the state file's server key derives (what heat-server
//! on that file checks signatures against).

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

#[test]
fn keys_are_made_listed_and_deleted() {
    let tmp = tempfile::Builder::new()
        .prefix("heat-ec2-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let state = dir.join("state.sqlite");
    let (code, out, err) = heat(
        &state,
        &[
            "ec2-credentials",
            "create",
            "--project",
            "team-a",
            "--user",
            "alice",
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let made: serde_json::Value = serde_json::from_str(&out).unwrap();
    let access = made["access"].as_str().unwrap().to_string();
    let secret = made["secret"].as_str().unwrap().to_string();
    assert!(access.starts_with("HP") && access.len() == 20, "{access}");
    assert_eq!(secret.len(), 40);
    assert_eq!(made["roles"], "member");
    // The secret is the server key's derivation, as heat-server checks it.
    let keys = heat_resources::GuestKeys::load_or_create(
        &heat_server::builder::key_file(&state),
        "http://127.0.0.1:8000",
    )
    .unwrap();
    assert_eq!(keys.secret(&access), secret);
    let (code, out, _) = heat(&state, &["ec2-credentials", "list", "-f", "json"]);
    assert_eq!(code, 0);
    assert!(out.contains(&access) && !out.contains(&secret), "{out}");
    let (code, out, _) = heat(
        &state,
        &[
            "ec2-credentials",
            "list",
            "--project",
            "other",
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0);
    assert!(!out.contains(&access));
    let (code, _, err) = heat(&state, &["ec2-credentials", "delete", &access]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = heat(&state, &["ec2-credentials", "delete", &access]);
    assert_eq!(code, 1);
    assert!(err.contains("no access key"), "{err}");
    let (code, _, err) = heat(
        &state,
        &[
            "--url",
            "http://127.0.0.1:8004/v1/p",
            "ec2-credentials",
            "list",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("state file"), "{err}");
}
