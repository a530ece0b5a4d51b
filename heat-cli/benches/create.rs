//! `heat stack create` as a user runs it, the whole process timed (start,
//! state file, parse, create, exit), on a new SQLite state file each run,
//! always on the simulated cloud (cloud settings of the environment are
//! removed): 100 and 1,000 independent `OS::Heat::None` (the cost of
//! persistence per resource), then 1,000 resources of the simulated cloud
//! (security groups and values chained through `get_resource`) with the
//! delete. Median and best of several runs, printed.

#![allow(missing_docs)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn heat(state: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heat"));
    cmd.args(args).env("HEAT_STATE", state);
    for (k, _) in std::env::vars() {
        if k.starts_with("OS_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn fresh(dir: &Path) -> std::path::PathBuf {
    let state = dir.join("state.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", state.display()));
    }
    state
}

/// Median and best of `runs` creates of `template`, each on a new file.
fn creates(dir: &Path, template: &Path, runs: usize) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let state = fresh(dir);
            heat(
                &state,
                &[
                    "stack",
                    "create",
                    "s",
                    "-t",
                    template.to_str().unwrap(),
                    "-f",
                    "value",
                    "-c",
                    "stack_status",
                ],
            )
        })
        .collect();
    times.sort();
    (times[runs / 2], times[0])
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("heat-bench-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    println!("heat stack create, whole process, new SQLite state file (median / best of 9)");
    for (n, target) in [(100usize, 50.0), (1000, 300.0)] {
        let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
        for i in 0..n {
            t.push_str(&format!("  r{i}: {{type: OS::Heat::None}}\n"));
        }
        let template = dir.join(format!("none{n}.yaml"));
        std::fs::write(&template, t).unwrap();
        let (median, best) = creates(dir, &template, 9);
        println!(
            "  {n:>5} independent OS::Heat::None: {:>7.1} ms / {:>7.1} ms  (target < {target:.0} ms)",
            median.as_secs_f64() * 1e3,
            best.as_secs_f64() * 1e3
        );
    }
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in 0..1000 {
        if i % 2 == 0 {
            t.push_str(&format!("  r{i}:\n    type: OS::Neutron::SecurityGroup\n"));
        } else {
            t.push_str(&format!(
                "  r{i}:\n    type: OS::Heat::Value\n    properties: {{value: {{get_resource: r{}}}}}\n",
                i - 1
            ));
        }
    }
    let template = dir.join("big.yaml");
    std::fs::write(&template, t).unwrap();
    let (median, best) = creates(dir, &template, 3);
    println!(
        "  1,000 simulated-cloud resources:    {:>7.1} ms / {:>7.1} ms",
        median.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3
    );
    let state = dir.join("state.sqlite");
    let delete = heat(&state, &["stack", "delete", "s", "--yes"]);
    println!(
        "heat stack delete of those 1,000:     {:>7.1} ms",
        delete.as_secs_f64() * 1e3
    );
}
