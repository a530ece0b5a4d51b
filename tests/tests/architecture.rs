//! Architecture invariant: heat-core depends on no runtime or I/O crate.
//! The whole tree of heat-core's normal dependencies is listed (the
//! command must succeed) and searched.

use std::process::Command;

#[test]
fn heat_core_depends_on_no_runtime_or_io_crate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-p",
            "heat-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    // The listing is real: heat-core's own dependencies are in it.
    for used in ["heat-core", "serde_json", "petgraph", "futures"] {
        assert!(names.contains(&used), "{used} missing from:\n{tree}");
    }
    for krate in [
        "tokio", "reqwest", "axum", "sqlx", "clap", "anyhow", "hyper", "rusqlite",
    ] {
        assert!(
            !names.contains(&krate),
            "heat-core depends on {krate}:\n{tree}"
        );
    }
}
