//! The health watcher on the simulated cloud, with the server's own SQLite
//! state file and its loop ([`heat_server::health::watch`]):
//!
//! - a round's cost with 1,000 watched servers (10 stacks, each a
//!   100-server `OS::Heat::ResourceGroup`): all healthy, then with 10 of
//!   them stopped (the round that starts them included);
//! - time from failure to recovery, rounds every 1 s, one failed check per
//!   step, simulated servers taking 2 s to boot (or to start, reboot,
//!   rebuild): a server stopped (started), one in ERROR (rebooted) and one
//!   deleted (replaced by a stack update), each from the moment it broke to
//!   the moment its resource has an ACTIVE server again; detection delay
//!   (up to a round) plus the action.
//!
//! Figures printed; run with `cargo bench -p heat-server --bench health`.

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use heat_core::engine::{
    EngineConfig, HealthPolicy, HealthWatcher, RequestContext, StackOptions, StackSource,
};
use heat_resources::sim::SimConfig;
use heat_server::builder::{self, Local};

fn sim(latency: Duration) -> SimConfig {
    let mut c = SimConfig::with_latency(latency);
    c.quotas.insert("server".into(), 5_000);
    c.quotas.insert("port".into(), 10_000);
    c
}

async fn open(what: &str, latency: Duration) -> (Local, tempfile::TempDir) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("heat-bench-health-{what}-"))
        .tempdir()
        .unwrap();
    let local = builder::open(
        &dir.path().join("state.db"),
        sim(latency),
        EngineConfig::default(),
    )
    .await
    .unwrap();
    (local, dir)
}

async fn create(local: &Local, name: &str, template: &str) -> heat_core::engine::StackRecord {
    let accepted = local
        .engine
        .create_stack(
            &RequestContext::default(),
            name,
            StackSource {
                template: template.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    let done = local.engine.wait(&accepted.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    done
}

fn group(count: usize) -> String {
    format!(
        "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: {count}
      resource_def:
        type: OS::Nova::Server
        properties: {{image: cirros-0.6.2, flavor: m1.small}}
"
    )
}

async fn cost() {
    let (local, dir) = open("cost", Duration::ZERO).await;
    for i in 0..10 {
        create(&local, &format!("s{i}"), &group(100)).await;
    }
    let watcher = HealthWatcher::new(local.engine.clone(), HealthPolicy::default());
    let mut healthy = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let report = watcher.round().await.unwrap();
        healthy.push(t.elapsed());
        assert_eq!(report.watched, 1_000);
        assert!(report.steps.is_empty());
    }
    healthy.sort();
    let servers: Vec<String> = local
        .cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .map(|o| o.id)
        .take(10)
        .collect();
    for id in &servers {
        local.cloud.break_server(id, "SHUTOFF").await.unwrap();
    }
    let t = Instant::now();
    let report = watcher.round().await.unwrap();
    let failing = t.elapsed();
    assert_eq!(report.steps.len(), 10, "{report:?}");
    println!(
        "health round, 1,000 watched servers (10 stacks x 100): median {:.1} ms (min {:.1}, max {:.1}); with 10 stopped, started in the round: {:.1} ms",
        ms(healthy[2]),
        ms(healthy[0]),
        ms(healthy[4]),
        ms(failing)
    );
    drop(local);
    drop(dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn recovery(status: &str, trials: usize) -> Vec<Duration> {
    let (local, dir) = open(&format!("recovery-{status}"), Duration::from_secs(2)).await;
    let watching = heat_server::health::watch(
        local.engine.clone(),
        HealthPolicy {
            failures: 1,
            window: Duration::from_secs(1),
        },
        Duration::from_secs(1),
    );
    let stack = create(&local, "ha", &group(1)).await;
    let mut out = Vec::new();
    for i in 0..trials {
        let member = member_id(&local, &stack).await;
        // At different points of the rounds' period.
        tokio::time::sleep(Duration::from_millis(1_000 + 230 * i as u64)).await;
        let t = Instant::now();
        local.cloud.break_server(&member, status).await.unwrap();
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let current = member_id(&local, &stack).await;
            let settled = !local
                .store
                .stack(&stack.id)
                .await
                .unwrap()
                .unwrap()
                .in_progress();
            let active = local
                .cloud
                .objects()
                .into_iter()
                .any(|o| o.id == current && o.status == "ACTIVE");
            if active && settled && (status != "DELETED" || current != member) {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "{status}: no recovery"
            );
        }
        out.push(t.elapsed());
    }
    watching.abort();
    drop(local);
    drop(dir);
    out
}

/// The group member's server id.
async fn member_id(local: &Local, stack: &heat_core::engine::StackRecord) -> String {
    let child = local
        .store
        .stacks(Some(&stack.project))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.parent.as_ref().is_some_and(|(p, _)| *p == stack.id))
        .unwrap();
    local
        .store
        .resources(&child.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.current && r.name == "0")
        .and_then(|r| r.physical_id)
        .unwrap_or_default()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        cost().await;
        for (status, step) in [
            ("SHUTOFF", "started"),
            ("ERROR", "rebooted"),
            ("DELETED", "replaced"),
        ] {
            let mut t = recovery(status, 5).await;
            t.sort();
            let mean = t.iter().map(Duration::as_secs_f64).sum::<f64>() / t.len() as f64;
            println!(
                "failure to recovery, server {status} ({step}; rounds every 1 s, 2 s boots): mean {mean:.2} s, min {:.2} s, max {:.2} s over {} trials",
                t[0].as_secs_f64(),
                t[t.len() - 1].as_secs_f64(),
                t.len()
            );
        }
    });
}
