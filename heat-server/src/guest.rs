//! [`SimulatedGuest`]: what runs inside the simulated cloud's servers.
//! When a server becomes `ACTIVE`, its user data is read as a guest would
//! run it, for what heat-rs can see: each pre-signed signal URL of a wait
//! condition handle in it is signalled, with what the line says (a
//! `cfn-signal` command's exit code, reason, data and id; a `curl` or
//! `wc_notify` line's `--data` JSON), as the server's own agent would once
//! configured. Other URLs (a scaling policy's) are left alone. So the
//! seed-era templates, whose wait conditions wait for their servers,
//! complete on the simulated cloud.
//!
//! Its `cfn-push-stats` lines report to the CloudWatch API's metrics (a
//! [`MetricSink`]) as heat-cfntools' would: once at boot, or every minute
//! while the server is `ACTIVE` for a line run by cron (five time fields
//! first), including the crontab files cfn-init writes from the server's
//! metadata; a simulated server is idle (CPU 0%, memory 25% used, disk
//! 10%).
//!
//! A server whose `user_data_format` is `SOFTWARE_CONFIG` runs the agents
//! Heat's images carry (os-collect-config, heat-config): every deployment
//! to it in progress is applied (nothing runs: a simulated server has
//! nothing to configure) and reported as heat-config-notify does, a POST
//! of `deploy_status_code` 0 and empty output streams to its
//! `deploy_signal_id`.

use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use heat_core::engine::RequestContext;
use heat_core::engine::Status;
use heat_core::service::StackService;
use heat_resources::sim::{GuestAgent, SimCloud, SimObject};
use heat_resources::GuestKeys;
use serde_json::{json, Value as Json};

/// Handle types a guest signals.
const HANDLES: [&str; 3] = [
    "AWS::CloudFormation::WaitConditionHandle",
    "OS::Heat::WaitConditionHandle",
    "OS::Heat::UpdateWaitConditionHandle",
];

/// A signal a server's user data sends.
#[derive(Debug, Clone, PartialEq)]
pub struct GuestSignal {
    /// The pre-signed URL.
    pub url: String,
    /// `PUT` (wait condition URLs) or `POST` (signal URLs).
    pub method: Method,
    /// The body.
    pub body: Json,
}

/// Where a guest's `cfn-push-stats` reports go.
pub trait MetricSink: Send + Sync {
    /// One datapoint of a project's metric, now.
    fn put(&self, project: &str, point: &PushedMetric);
}

/// A datapoint `cfn-push-stats` sends.
#[derive(Debug, Clone, PartialEq)]
pub struct PushedMetric {
    /// `system/linux`.
    pub namespace: String,
    /// `Heartbeat`, `CPUUtilization`...
    pub name: String,
    /// `Counter`, `Percent`, `Megabytes`.
    pub unit: String,
    /// The value.
    pub value: f64,
    /// `AlarmName` when `--watch` names one.
    pub dimensions: Vec<(String, String)>,
}

/// A `cfn-push-stats` line of user data: what it reports, and whether cron
/// runs it every minute.
#[derive(Debug, Clone, PartialEq)]
pub struct PushStats {
    /// The datapoints of one run.
    pub metrics: Vec<PushedMetric>,
    /// Run every minute (a crontab line), else once.
    pub every_minute: bool,
}

/// The simulated cloud's guest, signalling through the stack service.
pub struct SimulatedGuest {
    service: OnceLock<StackService>,
    keys: Arc<GuestKeys>,
    metrics: OnceLock<Arc<dyn MetricSink>>,
    cloud: OnceLock<Weak<SimCloud>>,
}

impl SimulatedGuest {
    /// A guest for URLs made with `keys`; it acts once [`attach`]ed.
    ///
    /// [`attach`]: SimulatedGuest::attach
    pub fn new(keys: Arc<GuestKeys>) -> Arc<Self> {
        Arc::new(SimulatedGuest {
            service: OnceLock::new(),
            keys,
            metrics: OnceLock::new(),
            cloud: OnceLock::new(),
        })
    }

    /// The service signals go through (made after the cloud), and the
    /// cloud whose servers it runs in.
    pub fn attach(&self, service: StackService, cloud: &Arc<SimCloud>) {
        let _ = self.service.set(service);
        let _ = self.cloud.set(Arc::downgrade(cloud));
    }

    /// Where `cfn-push-stats` reports go (nothing is reported before).
    pub fn report_to(&self, sink: Arc<dyn MetricSink>) {
        let _ = self.metrics.set(sink);
    }

    /// Goes on running the cron `cfn-push-stats` lines of the servers the
    /// cloud already holds (a server process that starts again: their
    /// heartbeats must not stop); their signals were sent at boot.
    pub fn resume(&self) {
        let (Some(service), Some(cloud)) = (
            self.service.get().cloned(),
            self.cloud.get().and_then(Weak::upgrade),
        ) else {
            return;
        };
        for o in cloud
            .stack_objects()
            .into_iter()
            .filter(|o| o.kind == "server")
        {
            let user_data = ["user_data", "UserData"]
                .iter()
                .find_map(|k| o.properties.get(*k).and_then(Json::as_str))
                .unwrap_or_default();
            if !user_data.is_empty() {
                self.push_stats_of(&service, &o, decoded(user_data), false);
            }
        }
    }

    /// Starts the agents of the servers the cloud already holds that
    /// take software deployments (a process that opens existing state:
    /// their deployments may change in it).
    pub fn collect_existing(&self) {
        let (Some(service), Some(cloud)) = (self.service.get().cloned(), self.cloud.get()) else {
            return;
        };
        let Some(objects) = cloud.upgrade().map(|c| c.stack_objects()) else {
            return;
        };
        for o in objects.iter().filter(|o| takes_deployments(o)) {
            self.collect(&service, o);
        }
    }

    /// os-collect-config and heat-config in a server: while it exists,
    /// each deployment to it in progress is reported once (per derived
    /// config: an update's is another), polled with a growing interval
    /// (100 ms to 2 s; os-collect-config's own is 30 s).
    fn collect(&self, service: &StackService, object: &SimObject) {
        let (Some(cloud), service, keys) = (
            self.cloud.get().cloned(),
            service.clone(),
            self.keys.clone(),
        ) else {
            return;
        };
        let (server, stack_id) = (object.id.clone(), object.stack_id.clone());
        tokio::spawn(async move {
            let Ok(Some(stack)) = service.engine().store().stack(&stack_id).await else {
                return;
            };
            let ctx = RequestContext::new(stack.project, "simulated-guest");
            let mut reported: std::collections::HashSet<String> = Default::default();
            let mut delay = Duration::from_millis(100);
            loop {
                // First the wait: a deployment comes after its server, and
                // a process opening its state has its own work first.
                tokio::time::sleep(delay).await;
                let Some(object) = cloud.upgrade().and_then(|c| c.object(&server)) else {
                    return;
                };
                delay = (delay * 2).min(Duration::from_secs(2));
                if object.status == "ACTIVE" {
                    for d in service
                        .deployments(&ctx, Some(&server))
                        .await
                        .unwrap_or_default()
                    {
                        if d.status != "IN_PROGRESS" || !reported.insert(d.config_id.clone()) {
                            continue;
                        }
                        delay = Duration::from_millis(100);
                        let Ok(config) = service.config(&ctx, &d.config_id).await else {
                            continue;
                        };
                        let Some(url) = config
                            .inputs
                            .iter()
                            .find(|i| i["name"] == "deploy_signal_id")
                            .and_then(|i| i["value"].as_str())
                        else {
                            continue;
                        };
                        let signal = GuestSignal {
                            url: url.to_string(),
                            method: Method::POST,
                            body: json!({"deploy_stdout": "", "deploy_stderr": "", "deploy_status_code": 0}),
                        };
                        if let Err(e) = deliver(&service, &keys, &signal).await {
                            tracing::info!(%server, deployment = %d.id, error = %e, "the simulated guest's deployment report was refused");
                        }
                    }
                }
            }
        });
    }

    /// Runs a server's `cfn-push-stats` lines (`at_boot`: the one-off ones
    /// too) once the cfn-init files of its metadata are known.
    fn push_stats_of(
        &self,
        service: &StackService,
        object: &SimObject,
        mut script: String,
        at_boot: bool,
    ) {
        let (Some(sink), Some(cloud)) = (self.metrics.get().cloned(), self.cloud.get().cloned())
        else {
            return;
        };
        let store = service.engine().store().clone();
        let (stack_id, id, resource) = (
            object.stack_id.clone(),
            object.id.clone(),
            object.resource.clone(),
        );
        tokio::spawn(async move {
            // The metrics are the server's stack's project's.
            let Ok(Some(stack)) = store.stack(&stack_id).await else {
                return;
            };
            // A script that runs cfn-init also has the files of the
            // resource's metadata (a crontab among them), once the
            // resource is created, as cfn-init reads them through the API
            // (a minute at most).
            if script.contains("cfn-init") {
                for _ in 0..60 {
                    let records = store.resources(&stack_id).await.unwrap_or_default();
                    let created = records
                        .iter()
                        .find(|r| r.current && r.name == resource && r.status == Status::Complete);
                    if let Some(r) = created {
                        script.push('\n');
                        script.push_str(&init_files(&r.metadata));
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            let mut pushes = push_stats(&script);
            if !at_boot {
                pushes.retain(|p| p.every_minute);
            }
            if !pushes.is_empty() {
                report(sink, cloud, id, pushes, stack.project).await;
            }
        });
    }
}

/// User data as Nova hands it to a guest: decoded from base64 when it is.
fn decoded(user_data: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(user_data.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| user_data.to_string())
}

impl GuestAgent for SimulatedGuest {
    fn boot(&self, object: &SimObject, user_data: &str) {
        let Some(service) = self.service.get().cloned() else {
            return;
        };
        if takes_deployments(object) {
            self.collect(&service, object);
        }
        let server = object.name.as_str();
        let text = decoded(user_data);
        self.push_stats_of(&service, object, text.clone(), true);
        let keys = self.keys.clone();
        let server = server.to_string();
        tokio::spawn(async move {
            for s in signals(&server, &text) {
                if let Err(e) = send(&service, &keys, &s).await {
                    tracing::info!(%server, url = %s.url, error = %e, "the simulated guest's signal was refused");
                }
            }
        });
    }
}

/// Whether a server runs the software deployment agents
/// (`user_data_format: SOFTWARE_CONFIG`).
fn takes_deployments(object: &SimObject) -> bool {
    object.kind == "server"
        && object
            .properties
            .get("user_data_format")
            .and_then(Json::as_str)
            == Some("SOFTWARE_CONFIG")
}

/// Runs a server's `cfn-push-stats` lines: once, or every minute while the
/// server is `ACTIVE`, until it is gone.
async fn report(
    sink: Arc<dyn MetricSink>,
    cloud: Weak<SimCloud>,
    id: String,
    lines: Vec<PushStats>,
    project: String,
) {
    for l in lines.iter().filter(|l| !l.every_minute) {
        for m in &l.metrics {
            sink.put(&project, m);
        }
    }
    let cron: Vec<&PushStats> = lines.iter().filter(|l| l.every_minute).collect();
    if cron.is_empty() {
        return;
    }
    // cron's first run comes within the first minute: at once here.
    loop {
        let Some(object) = cloud.upgrade().and_then(|c| c.object(&id)) else {
            return;
        };
        if object.status == "ACTIVE" {
            for l in &cron {
                for m in &l.metrics {
                    sink.put(&project, m);
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// The contents of the files `AWS::CloudFormation::Init` writes (every
/// config of the metadata), one after the other.
fn init_files(metadata: &Json) -> String {
    let mut out = String::new();
    let init = &metadata["AWS::CloudFormation::Init"];
    for config in init.as_object().into_iter().flat_map(|m| m.values()) {
        for file in config["files"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            if let Some(content) = file["content"].as_str() {
                out.push_str(content);
                out.push('\n');
            }
        }
    }
    out
}

/// The content of the software config resource whose id `id` is.
async fn send(service: &StackService, keys: &GuestKeys, s: &GuestSignal) -> Result<(), String> {
    // Only wait condition handles: a scaling policy's URL in user data is
    // for an alarm, not for the guest to call.
    let Some((stack_id, resource)) = GuestKeys::owner_of_url(&s.url) else {
        return Ok(());
    };
    let records = service
        .engine()
        .store()
        .resources(&stack_id)
        .await
        .map_err(|e| e.to_string())?;
    let handle = records
        .iter()
        .any(|r| r.current && r.name == resource && HANDLES.contains(&r.type_name.as_str()));
    if !handle {
        return Ok(());
    }
    deliver(service, keys, s).await
}

/// Sends a signal to its pre-signed URL, as a guest's HTTP request.
async fn deliver(service: &StackService, keys: &GuestKeys, s: &GuestSignal) -> Result<(), String> {
    let uri: Uri = s.url.parse().map_err(|e| format!("{e}"))?;
    let mut headers = HeaderMap::new();
    if let Some(a) = uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    {
        headers.insert(header::HOST, a);
    }
    crate::cfn::signals::deliver(
        service,
        keys,
        &s.method,
        &uri,
        &headers,
        s.body.to_string().as_bytes(),
    )
    .await
    .map_err(|e| format!("{}: {}", e.code, e.message))
}

/// The signals a server's user data sends, each line's in order (several
/// to one handle count as several, as Heat's native handles count them;
/// the same signal twice, a URL set then used, is sent once). A script that signals a URL both ways (an `error_exit` function with
/// `-e 1`, then `-e 0` at its end) ran well: only its successes are sent.
pub fn signals(server: &str, user_data: &str) -> Vec<GuestSignal> {
    let mut out: Vec<GuestSignal> = Vec::new();
    for line in user_data.lines() {
        for url in urls(line) {
            let wait = url.contains("/v1/waitcondition/");
            let words = shlex::split(line)
                .unwrap_or_else(|| line.split_whitespace().map(str::to_string).collect());
            let is_cfn_signal = words.iter().any(|w| w.ends_with("cfn-signal"));
            let body = if is_cfn_signal {
                cfn_signal_body(server, &words)
            } else {
                let data = option(&words, &["--data-binary", "--data", "-d", "--data-raw"])
                    .and_then(|d| serde_json::from_str::<Json>(&d).ok());
                match (data, wait) {
                    (Some(d), _) => d,
                    (None, true) => json!({
                        "Status": "SUCCESS",
                        "Reason": "The simulated guest is configured",
                        "UniqueId": server,
                        "Data": "",
                    }),
                    (None, false) => json!({"status": "SUCCESS"}),
                }
            };
            let signal = GuestSignal {
                method: if wait { Method::PUT } else { Method::POST },
                url,
                body,
            };
            if !out
                .iter()
                .any(|s| s.url == signal.url && s.body == signal.body)
            {
                out.push(signal);
            }
        }
    }
    let failed = |s: &GuestSignal| s.body["Status"] == "FAILURE" || s.body["status"] == "FAILURE";
    let succeeded: Vec<String> = out
        .iter()
        .filter(|s| !failed(s))
        .map(|s| s.url.clone())
        .collect();
    out.retain(|s| !failed(s) || !succeeded.contains(&s.url));
    out
}

/// The `cfn-push-stats` lines of user data, as heat-cfntools reports:
/// `--heartbeat`, `--service-failure` (counters), `--cpu-util`,
/// `--mem-util`, `--mem-used`, `--mem-avail`, `--swap-util`, `--swap-used`,
/// `--disk-space-util`, `--disk-space-used`, `--disk-space-avail` (an idle
/// server's values), `--watch NAME` as the `AlarmName` dimension.
pub fn push_stats(user_data: &str) -> Vec<PushStats> {
    const FLAGS: [(&str, &str, &str, f64); 11] = [
        ("--heartbeat", "Heartbeat", "Counter", 1.0),
        ("--service-failure", "ServiceFailure", "Counter", 1.0),
        ("--cpu-util", "CPUUtilization", "Percent", 0.0),
        ("--mem-util", "MemoryUtilization", "Percent", 25.0),
        ("--mem-used", "MemoryUsed", "Megabytes", 512.0),
        ("--mem-avail", "MemoryAvailable", "Megabytes", 1536.0),
        ("--swap-util", "SwapUtilization", "Percent", 0.0),
        ("--swap-used", "SwapUsed", "Megabytes", 0.0),
        ("--disk-space-util", "DiskSpaceUtilization", "Percent", 10.0),
        ("--disk-space-used", "DiskSpaceUsed", "Gigabytes", 2.0),
        (
            "--disk-space-avail",
            "DiskSpaceAvailable",
            "Gigabytes",
            18.0,
        ),
    ];
    let mut out = Vec::new();
    for line in user_data.lines() {
        if !line.contains("cfn-push-stats") {
            continue;
        }
        let words = shlex::split(line)
            .unwrap_or_else(|| line.split_whitespace().map(str::to_string).collect());
        // A crontab line: five time fields, then the command.
        let every_minute = words.len() > 5
            && words[..5]
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_digit() || "*/,-".contains(c)));
        let dimensions: Vec<(String, String)> = option(&words, &["--watch"])
            .map(|w| vec![("AlarmName".to_string(), w)])
            .unwrap_or_default();
        let metrics: Vec<PushedMetric> = FLAGS
            .iter()
            .filter(|(flag, ..)| words.iter().any(|w| w == flag))
            .map(|(_, name, unit, value)| PushedMetric {
                namespace: "system/linux".into(),
                name: name.to_string(),
                unit: unit.to_string(),
                value: *value,
                dimensions: dimensions.clone(),
            })
            .collect();
        if !metrics.is_empty() {
            out.push(PushStats {
                metrics,
                every_minute,
            });
        }
    }
    out
}

/// The value after any of `names` (`--data X` or `--data=X`).
fn option(words: &[String], names: &[&str]) -> Option<String> {
    for (i, w) in words.iter().enumerate() {
        for n in names {
            if w == n {
                return words.get(i + 1).cloned();
            }
            if let Some(v) = w.strip_prefix(&format!("{n}=")) {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// A `cfn-signal -e CODE -r REASON -d DATA -i ID URL` as its PUT body.
fn cfn_signal_body(server: &str, words: &[String]) -> Json {
    let code = option(words, &["-e", "--exit-code"]).unwrap_or_else(|| "0".into());
    // `$?` and other shell values are a success when the script got there.
    let failed = code.parse::<i64>().is_ok_and(|c| c != 0)
        || option(words, &["-s", "--success"]).is_some_and(|s| s == "false");
    json!({
        "Status": if failed { "FAILURE" } else { "SUCCESS" },
        "Reason": option(words, &["-r", "--reason"]).unwrap_or_else(|| "Configuration Complete".into()),
        "UniqueId": option(words, &["-i", "--id"]).unwrap_or_else(|| server.to_string()),
        "Data": option(words, &["-d", "--data"]).unwrap_or_else(|| "Application has completed configuration.".into()),
    })
}

/// The signal URLs of a line.
fn urls(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(tail.len());
        let candidate = &tail[..end];
        if (candidate.starts_with("http://") || candidate.starts_with("https://"))
            && (candidate.contains("/v1/waitcondition/") || candidate.contains("/v1/signal/"))
        {
            out.push(candidate.to_string());
        }
        rest = &tail[end.max(4)..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: &str =
        "http://127.0.0.1:8000/v1/waitcondition/arn%3Ax/resources/h?AWSAccessKeyId=HKx&Signature=y";
    const SIGNAL: &str =
        "http://127.0.0.1:8000/v1/signal/arn%3Ax/resources/h?AWSAccessKeyId=HKx&Signature=y";

    #[test]
    fn push_stats_lines_report_what_heat_cfntools_would() {
        let data = "#!/bin/bash\n/opt/aws/bin/cfn-init -s x\n\
                    /opt/aws/bin/cfn-push-stats --watch web-Mem --mem-util --heartbeat\n\
                    * * * * * /opt/aws/bin/cfn-push-stats --watch hb-Heartbeat --heartbeat\n\
                    echo done\n";
        let got = push_stats(data);
        assert_eq!(got.len(), 2);
        assert!(!got[0].every_minute);
        let names: Vec<&str> = got[0].metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Heartbeat", "MemoryUtilization"]);
        assert_eq!(
            got[0].metrics[0].dimensions,
            [("AlarmName".to_string(), "web-Mem".to_string())]
        );
        assert!(got[1].every_minute);
        assert_eq!(got[1].metrics[0].unit, "Counter");
        assert!(push_stats("cfn-push-stats --help\n").is_empty());
    }

    #[test]
    fn init_files_are_read_from_every_config() {
        let m = json!({"AWS::CloudFormation::Init": {"config": {"files": {
            "/tmp/cron": {"content": "* * * * * cfn-push-stats --heartbeat"},
            "/etc/x": {"source": "http://x"}
        }}}});
        assert_eq!(init_files(&m), "* * * * * cfn-push-stats --heartbeat\n");
    }

    #[test]
    fn cfn_signal_lines_give_their_options() {
        let data = format!(
            "#!/bin/bash\n/opt/aws/bin/cfn-init -s s -r WebServer\n/opt/aws/bin/cfn-signal -e $? -r 'WordPress setup' -i web-1 '{WAIT}'\n"
        );
        let s = signals("server-0", &data);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].method, Method::PUT);
        assert_eq!(s[0].url, WAIT);
        assert_eq!(s[0].body["Status"], "SUCCESS");
        assert_eq!(s[0].body["Reason"], "WordPress setup");
        assert_eq!(s[0].body["UniqueId"], "web-1");
        let failed = signals("server-0", &format!("cfn-signal -e 1 {WAIT}"));
        assert_eq!(failed[0].body["Status"], "FAILURE");
        // An error path first, the success at the end: the success.
        let both = format!(
            "function error_exit\n{{\n  cfn-signal -e 1 -r \"$1\" '{WAIT}'\n}}\ncfn-signal -e 0 -r done '{WAIT}'\n"
        );
        let s = signals("server-0", &both);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].body["Status"], "SUCCESS");
        assert_eq!(s[0].body["Reason"], "done");
    }

    #[test]
    fn curl_lines_send_their_data() {
        let data = format!(
            "#!/bin/sh\ncurl -i -X POST -H 'Content-Type: application/json' '{SIGNAL}' --data '{{\"data\": \"configured\"}}'\n"
        );
        let s = signals("vm", &data);
        assert_eq!(s[0].method, Method::POST);
        assert_eq!(s[0].body, json!({"data": "configured"}));
        // A URL without a command: a plain success, once.
        let s = signals("vm", &format!("URL={WAIT}\ncurl -X PUT $URL\necho {WAIT}"));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].body["UniqueId"], "vm");
        assert!(signals("vm", "#!/bin/sh\necho hello http://example.com/x\n").is_empty());
        // wc_notify lines: each its own signal.
        let notify = format!("curl -i -X POST '{SIGNAL}'");
        let script = format!(
            "{notify} --data-binary '{{\"status\": \"SUCCESS\"}}'\n\
             {notify} --data-binary '{{\"status\": \"SUCCESS\", \"reason\": \"signal2\"}}'\n\
             {notify} --data-binary '{{\"status\": \"SUCCESS\", \"id\": \"5\"}}'\n\
             {notify} --data-binary '{{\"status\": \"SUCCESS\", \"id\": \"5\"}}'\n"
        );
        let s = signals("vm", &script);
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].body["reason"], "signal2");
    }
}
