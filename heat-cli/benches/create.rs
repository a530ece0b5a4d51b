//! `heat stack create` of a 1,000-resource template on the simulated cloud
//! with zero latency, wall time with process startup, printed; and the
//! delete.

#![allow(missing_docs)]

use std::process::Command;
use std::time::Instant;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let heat = env!("CARGO_BIN_EXE_heat");
    let dir = std::env::temp_dir().join(format!("heat-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in 0..1000 {
        let kind = if i % 2 == 0 {
            "OS::Neutron::SecurityGroup"
        } else {
            "OS::Heat::Value"
        };
        t.push_str(&format!("  r{i}:\n    type: {kind}\n"));
        if kind == "OS::Heat::Value" {
            t.push_str(&format!(
                "    properties: {{value: {{get_resource: r{}}}}}\n",
                i - 1
            ));
        }
    }
    let template = dir.join("big.yaml");
    std::fs::write(&template, t).unwrap();
    let state = dir.join("state.sqlite");
    let run = |args: &[&str]| {
        let start = Instant::now();
        let out = Command::new(heat)
            .args(args)
            .env("HEAT_STATE", &state)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        start.elapsed()
    };
    let create = run(&[
        "stack",
        "create",
        "big",
        "-t",
        template.to_str().unwrap(),
        "-f",
        "value",
        "-c",
        "stack_status",
    ]);
    println!(
        "heat stack create, 1,000 resources, zero latency: {:.2} s (target < 2 s)",
        create.as_secs_f64()
    );
    let delete = run(&["stack", "delete", "big", "--yes"]);
    println!(
        "heat stack delete, 1,000 resources:                {:.2} s",
        delete.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
