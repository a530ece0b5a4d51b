//! heat-server under load, as the issue measures real Heat: a release
//! `heat-server` started on a fresh SQLite state file and the simulated
//! cloud (its defaults, noauth), driven over HTTP by 1, 4 or 8 clients
//! (each a sequence of requests, as heatclient sends them, polling a
//! stack 0.2 s apart until its create ends, which bounds the create
//! figures):
//!
//! - `GET /stacks` with 100 stacks, and `GET /stacks/{name}/{id}`, 1 and 8
//!   clients: requests per second;
//! - 100 stacks of 10 resources created by 4 clients, each waiting for
//!   its stacks to be `CREATE_COMPLETE` (polling as heatclient does);
//! - the server's resident memory idle, holding those 100 stacks, and
//!   holding 1,000 stacks of 10 resources.
//!
//! Figures printed; run with `cargo bench -p heat-server --bench api`.

#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  r0: {type: OS::Heat::RandomString, properties: {length: 8}}
  r1: {type: OS::Heat::RandomString, properties: {length: 8}}
  r2: {type: OS::Heat::RandomString, properties: {length: 8}}
  r3: {type: OS::Heat::RandomString, properties: {length: 8}}
  r4: {type: OS::Heat::RandomString, properties: {length: 8}}
  v0: {type: OS::Heat::Value, properties: {value: {get_attr: [r0, value]}}}
  v1: {type: OS::Heat::Value, properties: {value: {get_attr: [r1, value]}}}
  v2: {type: OS::Heat::Value, properties: {value: {get_attr: [r2, value]}}}
  v3: {type: OS::Heat::Value, properties: {value: {get_attr: [r3, value]}}}
  v4: {type: OS::Heat::Value, properties: {value: {get_attr: [r4, value]}}}
outputs:
  joined: {value: {list_join: ['-', [{get_attr: [v0, value]}, {get_attr: [v4, value]}]]}}
";

struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let tmp = tempfile::Builder::new()
            .prefix("heat-bench-api-")
            .tempdir()
            .unwrap();
        let dir = tmp.path();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_heat-server"));
        cmd.args([
            "--bind",
            "127.0.0.1:0",
            "--cfn-bind",
            "127.0.0.1:0",
            "--cloudwatch-bind",
            "127.0.0.1:0",
            "--state",
        ])
        .arg(dir.join("state.sqlite"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        for (k, _) in std::env::vars() {
            if k.starts_with("OS_") || k.starts_with("HEAT_") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd.spawn().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_string();
        Server {
            child,
            base: url,
            _dir: tmp,
        }
    }

    /// Resident memory, MiB.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap();
        kb / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn create(http: &reqwest::Client, base: &str, name: &str) -> String {
    let r = http
        .post(format!("{base}/stacks"))
        .json(&json!({"stack_name": name, "template": TEMPLATE}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Json = r.json().await.unwrap();
    v["stack"]["id"].as_str().unwrap().to_string()
}

/// Polls a stack as heatclient does (`?resolve_outputs=False`, 0.2 s
/// apart) until its create ends.
async fn settle(http: &reqwest::Client, base: &str, name: &str, id: &str) {
    loop {
        let v: Json = http
            .get(format!("{base}/stacks/{name}/{id}?resolve_outputs=False"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let status = v["stack"]["stack_status"].as_str().unwrap_or("");
        if status == "CREATE_COMPLETE" {
            return;
        }
        assert!(status.ends_with("IN_PROGRESS"), "{name}: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `count` stacks created by `clients` clients (client `c` in the project
/// `project(c)`); the time until all are complete.
async fn create_many(
    url: &str,
    project: impl Fn(usize) -> String,
    prefix: &str,
    count: usize,
    clients: usize,
) -> Duration {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let base = url.replace("<project>", &project(c));
        let prefix = prefix.to_string();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in (c..count).step_by(clients) {
                let name = format!("{prefix}{i}");
                let id = create(&http, &base, &name).await;
                settle(&http, &base, &name, &id).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed()
}

/// Requests per second of `GET url` from `clients` clients for `span`.
async fn rate(url: &str, clients: usize, span: Duration) -> f64 {
    let done = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (url, done) = (url.to_string(), done.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while start.elapsed() < span {
                let r = http.get(&url).send().await.unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                r.bytes().await.unwrap();
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.load(std::sync::atomic::Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let server = Server::start();
    let url = server.base.clone();
    let base = url.replace("<project>", "bench");
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("heat-server idle: {:.1} MiB resident", server.rss_mib());

    let took = create_many(&url, |_| "bench".into(), "s", 100, 4).await;
    println!(
        "100 stacks of 10 resources from 4 clients, each waited for: {:.2} s (real Heat: 488 s)",
        took.as_secs_f64()
    );
    println!(
        "heat-server holding 100 stacks of 10 resources: {:.1} MiB resident",
        server.rss_mib()
    );

    let list = format!("{base}/stacks");
    let http = reqwest::Client::new();
    let v: Json = http.get(&list).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["stacks"].as_array().unwrap().len(), 100);
    let first = &v["stacks"][0];
    let show = format!(
        "{base}/stacks/{}/{}",
        first["stack_name"].as_str().unwrap(),
        first["id"].as_str().unwrap()
    );
    let span = Duration::from_secs(5);
    for clients in [1, 8] {
        println!(
            "GET /stacks (100 stacks), {clients} client(s): {:.0} requests/s (real Heat, 1 client: 5.1)",
            rate(&list, clients, span).await
        );
    }
    for clients in [1, 8] {
        println!(
            "GET /stacks/{{name}}/{{id}}, {clients} client(s): {:.0} requests/s (real Heat, 1 client: 30)",
            rate(&show, clients, span).await
        );
    }

    // Projects hold at most 512 stacks (max_stacks_per_tenant): one each.
    let took = create_many(&url, |c| format!("bench-{c}"), "more", 900, 8).await;
    println!(
        "900 more stacks of 10 resources from 8 clients (8 projects): {:.2} s",
        took.as_secs_f64()
    );
    println!(
        "heat-server holding 1,000 stacks of 10 resources: {:.1} MiB resident (real Heat: 1.4 GB holding 100)",
        server.rss_mib()
    );
}
