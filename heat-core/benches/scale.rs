//! A bench binary that prints figures: parse + validate + graph time per
//! resource for 100, 1,000 and 10,000 generated resources (does the cost
//! grow linearly?), peak memory, and the largest real templates of the
//! conformance corpus (`HEAT_CONFORMANCE_DIR`).

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::template::Template;

#[path = "validate.rs"]
#[allow(dead_code)]
mod generated_templates;

fn run(text: &str) -> usize {
    let t = Template::parse_with(text, usize::MAX).expect("template parses");
    let inputs = Inputs {
        max_resources: usize::MAX,
        ..Inputs::default()
    };
    let (def, _) = StackDefinition::build(&t, inputs, &AnyType);
    def.map(|d| d.levels().map(|l| l.len()).unwrap_or(0))
        .unwrap_or(0)
}

fn best_of(text: &str, runs: usize) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(run(text));
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("parse + validate + graph, generated templates (best of 5)");
    let mut per_resource = Vec::new();
    for n in [100usize, 1_000, 10_000] {
        let text = generated_templates::generated(n);
        let t = best_of(&text, 5);
        let us = t.as_secs_f64() * 1e6 / n as f64;
        per_resource.push(us);
        println!(
            "  {n:>6} resources: {:>9.2} ms  ({us:.2} µs per resource)",
            t.as_secs_f64() * 1e3
        );
    }
    println!(
        "  growth 100 -> 10,000: {:.2}x per resource (1.0 is perfectly linear)",
        per_resource[2] / per_resource[0]
    );
    if let Some(mib) = peak_rss_mib() {
        println!("  peak memory (10,000 resources included): {mib:.1} MiB");
    }
    let Some(dir) = std::env::var_os("HEAT_CONFORMANCE_DIR") else {
        println!("(set HEAT_CONFORMANCE_DIR for the largest corpus templates)");
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir).join("templates")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(m) = e.metadata() {
                files.push((m.len(), p));
            }
        }
    }
    files.sort();
    println!("largest corpus templates (best of 20)");
    for (size, path) in files.iter().rev().take(3) {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let t = best_of(&text, 20);
        println!(
            "  {:>7} bytes  {:>8.3} ms  {}",
            size,
            t.as_secs_f64() * 1e3,
            path.display()
        );
    }
}
