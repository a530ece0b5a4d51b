//! Architecture invariant: heat-core depends on no runtime or I/O crate.

use std::process::Command;

#[test]
fn heat_core_depends_on_no_runtime_or_io_crate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    // Sanity check: the query works for a crate heat-core does use.
    let ok = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-p",
            "heat-core",
            "-e",
            "normal",
            "-i",
            "serde_json",
        ])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for krate in [
        "tokio", "reqwest", "axum", "sqlx", "clap", "anyhow", "hyper",
    ] {
        let out = Command::new(env!("CARGO"))
            .args([
                "tree",
                "--offline",
                "-p",
                "heat-core",
                "-e",
                "normal",
                "-i",
                krate,
            ])
            .current_dir(root)
            .output()
            .expect("cargo runs");
        assert!(
            !out.status.success() || out.stdout.is_empty(),
            "heat-core depends on {krate}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
