//! Several release `heat-server` processes on one PostgreSQL database (a
//! private cluster that `.ci/postgres` starts, or `HEAT_TEST_POSTGRES`),
//! on the simulated cloud, driven over HTTP through the native API:
//!
//! - creating 200 stacks of 10 resources (each object 0.5 s to become
//!   ready; two levels, so 1.0 s per stack at best) on 1, 2 and 4
//!   processes, the creates sent to the processes in turn: wall time from
//!   the first request to the last stack complete;
//! - `GET /stacks` (the 200 stacks) with 16 clients over the 4 processes:
//!   requests per second;
//! - failover: a process SIGKILLed while a create runs; time until another
//!   process has taken the stack over and runs it again (leases of 5 s);
//! - one stack or several workers: a single stack of 1,000 such resources
//!   on one process, against its critical path (1.0 s), tells whether a
//!   stack's resources would gain from converging on several processes.
//!
//! Figures printed; run with `cargo bench -p heat-server --bench scale_out`.

#![allow(missing_docs)]

#[path = "../tests/common/postgres.rs"]
mod postgres;
#[path = "../tests/common/servers.rs"]
mod servers;

use std::path::Path;
use std::time::{Duration, Instant};

use servers::{Client, Server};

/// Ten security groups (no quota on the simulated cloud), five depending
/// on the other five.
fn template(pairs: usize) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in 0..pairs {
        t.push_str(&format!("  a{i}: {{type: OS::Neutron::SecurityGroup}}\n"));
        t.push_str(&format!(
            "  b{i}: {{type: OS::Neutron::SecurityGroup, depends_on: a{i}}}\n"
        ));
    }
    t
}

/// `n` servers on `database`, their files in `base/what`.
fn start(
    base: &Path,
    database: &str,
    what: &str,
    n: usize,
    latency: f64,
    lease: f64,
) -> Vec<Server> {
    (0..n)
        .map(|i| Server::start(database, &base.join(what), &format!("p{i}"), latency, lease))
        .collect()
}

/// Statuses of every stack, as one process lists them.
async fn statuses(client: &Client, url: &str) -> Vec<String> {
    let r: serde_json::Value = client
        .0
        .get(format!("{url}/stacks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stack_status"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Creates `count` stacks of `template`, spread over `servers` (at most 32
/// requests at once), and waits until all are complete: seconds.
async fn create_all(client: &Client, servers: &[Server], count: usize, template: &str) -> f64 {
    use futures::StreamExt;
    let started = Instant::now();
    futures::stream::iter(0..count)
        .map(|i| {
            let client = client.clone();
            let url = servers[i % servers.len()].url.clone();
            let template = template.to_string();
            async move { client.create(&url, &format!("s{i:04}"), &template).await }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    loop {
        let s = statuses(client, &servers[0].url).await;
        assert!(
            !s.iter().any(|s| s.ends_with("_FAILED")),
            "a create failed: {s:?}"
        );
        if s.len() == count && s.iter().all(|s| s == "CREATE_COMPLETE") {
            return started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn list_rate(client: &Client, servers: &[Server], clients: usize, secs: f64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let workers = (0..clients).map(|i| {
        let client = client.clone();
        let url = servers[i % servers.len()].url.clone();
        async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let r = client.0.get(format!("{url}/stacks")).send().await.unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap();
                n += 1;
            }
            n
        }
    });
    let total: u64 = futures::future::join_all(workers).await.into_iter().sum();
    total as f64 / secs
}

async fn failover(base: &Path, client: &Client, lease: f64) -> f64 {
    let database = postgres::fresh_database().await;
    let mut servers = start(base, &database, "failover", 2, 0.0, lease);
    let slow = "heat_template_version: 2018-08-31
resources:
  work: {type: OS::Heat::TestResource, properties: {wait_secs: 3600}}
";
    let id = client.create(&servers[0].url, "victim", slow).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The lease was just renewed at most a quarter lease ago.
    servers[0].kill();
    let killed = Instant::now();
    let other = servers[1].url.clone();
    loop {
        let events = client.events(&other, "victim", &id).await;
        if events.iter().any(|e| {
            e["resource_status_reason"]
                .as_str()
                .is_some_and(|r| r.contains("resumed"))
        }) {
            return killed.elapsed().as_secs_f64();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(120),
            "never taken over"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("scale_out: bench");
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("heat-bench-scale-")
        .tempdir()
        .unwrap();
    let base = tmp.path();
    let client = Client::default();
    let stack = template(5);
    println!("200 stacks of 10 simulated resources (0.5 s each, two levels), PostgreSQL:");
    let mut four = Vec::new();
    for n in [1, 2, 4] {
        let database = postgres::fresh_database().await;
        let servers = start(base, &database, &format!("create{n}"), n, 0.5, 20.0);
        let secs = create_all(&client, &servers, 200, &stack).await;
        println!(
            "  {n} process{}: {secs:.1} s ({:.0} resources/s)",
            if n == 1 { "" } else { "es" },
            2000.0 / secs
        );
        if n == 4 {
            four = servers;
        }
    }
    let rate = list_rate(&client, &four, 16, 5.0).await;
    println!("GET /stacks (200 stacks), 16 clients over 4 processes: {rate:.0} requests/s");
    drop(four);

    let lease = 5.0;
    let secs = failover(base, &client, lease).await;
    println!("failover: SIGKILL to the create running again on another process: {secs:.1} s (lease {lease} s)");

    let database = postgres::fresh_database().await;
    let one = start(base, &database, "big", 1, 0.5, 20.0);
    let secs = create_all(&client, &one, 1, &template(500)).await;
    println!(
        "one stack of 1,000 simulated resources (0.5 s each, two levels) on one process: \
         {secs:.2} s against a critical path of 1.0 s"
    );
}
