//! The Query APIs under load: a release `heat-server` (noauth, the
//! simulated cloud, a fresh SQLite state) driven over HTTP with requests
//! signed as boto3 signs them (Signature Version 4, a signature computed
//! per request):
//!
//! - `DescribeStacks` of a project holding 100 stacks (one page of 100),
//!   1 and 8 clients: requests per second;
//! - `PutMetricData` of one datapoint, 1 and 8 clients: requests per
//!   second;
//! - the alarm evaluator, in process: one round over 10,000 alarms, each
//!   watching a metric of its own with datapoints, half of them breaching
//!   (no actions): time per round.
//!
//! Figures printed; run with `cargo bench -p heat-server --bench query`.

#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, Method};
use heat_core::engine::EngineConfig;
use heat_resources::sim::SimConfig;
use heat_server::cfn::query::Params;
use heat_server::cfn::sign::{sign_v4, Signed};
use heat_server::cloudwatch::alarms::{AlarmDef, Comparison, MissingData};
use heat_server::cloudwatch::metrics::{Datapoint, MetricId};
use heat_server::cloudwatch::{evaluate_all, CloudWatchState};
use serde_json::json;

const TEMPLATE: &str = "heat_template_version: 2018-08-31
description: a bench stack
parameters:
  greeting: {type: string, default: hello}
resources:
  r0: {type: OS::Heat::RandomString, properties: {length: 8}}
  v0: {type: OS::Heat::Value, properties: {value: {get_param: greeting}}}
outputs:
  out: {value: {get_attr: [v0, value]}}
";

struct Server {
    child: Child,
    urls: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let tmp = tempfile::Builder::new()
            .prefix("heat-bench-query-")
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
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let urls = (0..3)
            .map(|_| {
                let mut line = String::new();
                out.read_line(&mut line).unwrap();
                line.split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .unwrap()
                    .to_string()
            })
            .collect();
        Server {
            child,
            urls,
            _dir: tmp,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A form POST to `url` signed now.
fn signed(http: &reqwest::Client, url: &str, form: &str) -> reqwest::RequestBuilder {
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let date = heat_core::service::heat_time(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64(),
    )
    .replace(['-', ':'], "");
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_str(&host).unwrap());
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
    );
    headers.insert("x-amz-date", HeaderValue::from_str(&date).unwrap());
    let params = Params::parse(None, form.as_bytes());
    let auth = sign_v4(
        "AKIDBENCH",
        "secret",
        "RegionOne",
        &date,
        &Signed {
            method: &Method::POST,
            path: "/",
            query: None,
            headers: &headers,
            body: form.as_bytes(),
            params: &params,
        },
        &["content-type", "host", "x-amz-date"],
    );
    http.post(format!("http://{host}/"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header("x-amz-date", date)
        .header("authorization", auth)
        .body(form.to_string())
}

/// Requests per second of a signed form from `clients` clients.
async fn rate(url: &str, form: &str, clients: usize, span: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (url, form, done) = (url.to_string(), form.to_string(), done.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while start.elapsed() < span {
                let r = signed(&http, &url, &form).send().await.unwrap();
                assert!(r.status().is_success(), "{}", r.text().await.unwrap());
                r.bytes().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

async fn over_http() {
    let server = Server::start();
    let (native, cfn, cw) = (&server.urls[0], &server.urls[1], &server.urls[2]);
    // 100 stacks in the Query API's project (noauth: the CLI's).
    let base = native.replace("<project>", "project");
    let http = reqwest::Client::new();
    for i in 0..100 {
        let r = http
            .post(format!("{base}/stacks"))
            .json(&json!({"stack_name": format!("s{i}"), "template": TEMPLATE}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    loop {
        let v: serde_json::Value = http
            .get(format!("{base}/stacks"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let stacks = v["stacks"].as_array().unwrap();
        if stacks.len() == 100
            && stacks
                .iter()
                .all(|s| s["stack_status"] == "CREATE_COMPLETE")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let describe = "Action=DescribeStacks&Version=2010-05-15";
    let body = signed(&http, cfn, describe)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body.matches("<StackName>").count(), 100, "{body}");
    let span = Duration::from_secs(5);
    for clients in [1, 8] {
        println!(
            "DescribeStacks (100 stacks), {clients} client(s): {:.0} requests/s",
            rate(cfn, describe, clients, span).await
        );
    }
    let put = "Action=PutMetricData&Version=2010-08-01&Namespace=bench\
               &MetricData.member.1.MetricName=Load&MetricData.member.1.Value=42\
               &MetricData.member.1.Dimensions.member.1.Name=Host\
               &MetricData.member.1.Dimensions.member.1.Value=web-1";
    for clients in [1, 8] {
        println!(
            "PutMetricData (one datapoint), {clients} client(s): {:.0} requests/s",
            rate(cw, put, clients, span).await
        );
    }
}

async fn evaluator() {
    let dir = tempfile::Builder::new()
        .prefix("heat-bench-eval-")
        .tempdir()
        .unwrap();
    let local = heat_server::builder::open(
        &dir.path().join("state.sqlite"),
        SimConfig::default(),
        EngineConfig::default(),
    )
    .await
    .unwrap();
    let api = Arc::new(heat_server::api::ApiState::new(
        local.service.clone(),
        heat_server::api::Auth::NoAuth,
        Default::default(),
    ));
    let cfn = Arc::new(heat_server::cfn::CfnState {
        api,
        auth: Default::default(),
        guest: local.guest.clone(),
    });
    let state = CloudWatchState::new(cfn, 14.0 * 86_400.0);
    let now = state.now();
    const ALARMS: usize = 10_000;
    for i in 0..ALARMS {
        let metric = MetricId {
            project: "p".into(),
            namespace: "bench".into(),
            name: format!("m{i}"),
            dimensions: vec![("Host".into(), format!("h{i}"))],
        };
        let points: Vec<Datapoint> = (0..5)
            .map(|k| Datapoint::value(now - 50.0 + k as f64 * 10.0, (i % 2 * 100) as f64))
            .collect();
        state.metrics.put(metric.clone(), None, &points);
        state.alarms.put(
            AlarmDef {
                project: "p".into(),
                name: format!("a{i}"),
                description: None,
                actions_enabled: true,
                ok_actions: vec![],
                alarm_actions: vec![],
                insufficient_data_actions: vec![],
                namespace: "bench".into(),
                metric_name: metric.name.clone(),
                dimensions: metric.dimensions.clone(),
                statistic: "Average".into(),
                period: 60.0,
                evaluation_periods: 1,
                datapoints_to_alarm: 1,
                threshold: 50.0,
                comparison: Comparison::Greater,
                missing: MissingData::Missing,
                unit: None,
                updated_at: now,
                stack: None,
                zero_when_missing: false,
            },
            now,
        );
    }
    let first = Instant::now();
    let round = evaluate_all(&state, now).await;
    let took = first.elapsed();
    assert_eq!(round.evaluated, ALARMS);
    assert_eq!(round.changed, ALARMS);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = evaluate_all(&state, now).await;
        times.push(t.elapsed());
        assert_eq!(r.changed, 0);
    }
    times.sort();
    println!(
        "alarm evaluator, 10,000 alarms ({} metrics, 50,000 datapoints): first round (every state changes) {:.1} ms, steady round {:.1} ms (median of 5)",
        ALARMS,
        took.as_secs_f64() * 1e3,
        times[2].as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    over_http().await;
    evaluator().await;
}
