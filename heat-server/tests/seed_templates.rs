//! The seed-era HA and autoscaling templates of openstack/heat-templates
//! (unchanged copies in `tests/data/heat-templates`) on the simulated
//! cloud, their loops included, through the server's own pieces in
//! process (the stack service, the CloudWatch evaluator, the signal URLs):
//!
//! - `cfn/F17/WordPress_Single_Instance_With_HA.yaml`: its wait condition
//!   is signalled by the simulated guest; service failures that
//!   cfn-push-stats reports put `AWS::CloudWatch::Alarm` in ALARM, whose
//!   action (the HARestarter's URL) replaces the instance;
//! - `cfn/F17/AutoScalingCeilometer.yaml`: `OS::Ceilometer::Alarm` (an
//!   alias of Heat's global environment) evaluated on the `cpu_util` of
//!   the group scales it out and back in, the load balancer's `Instances`
//!   following the group;
//! - `hot/autoscaling.yaml` with `lb_server.yaml`: created (its floating IP
//!   on the Octavia VIP's port), scaled out by its Gnocchi alarm on the
//!   servers' `cpu_util` and back in through its output URL, a pool member
//!   per server;
//! - those under `cfn/F17/invalid/` (three here, two in the conformance
//!   corpus) are refused with their cycle named, as Heat refuses them.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::cfn::Cfn;
use heat_core::engine::{RequestContext, StackOptions};
use heat_core::service::{ResourceQuery, SourceParts};
use heat_server::cloudwatch::metrics::{Datapoint, MetricId};
use heat_server::cloudwatch::{CloudWatchState, Evaluator};
use serde_json::{json, Value as Json};

fn data(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/heat-templates")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Seed {
    cfn: Cfn,
    cw: Arc<CloudWatchState>,
    ctx: RequestContext,
}

impl Seed {
    async fn new(name: &str) -> Seed {
        let cfn = Cfn::new(name).await;
        for (kind, name) in [("image", "F17-x86_64-cfntools"), ("keypair", "heat_key")] {
            cfn.cloud.provide(kind, name, json!({})).await.unwrap();
        }
        let cw = Arc::new(CloudWatchState::new(cfn.state.clone(), 86_400.0));
        Seed {
            cfn,
            cw,
            ctx: RequestContext::default(),
        }
    }

    async fn create(&self, name: &str, file: &str, files: &[&str], params: Json) {
        let mut parts = SourceParts::template(file, data(file));
        for f in files {
            let rel = Path::new(f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            parts.files.insert(rel, json!(data(f)));
        }
        parts.parameters = params.as_object().cloned().unwrap_or_default();
        self.cfn
            .state
            .api
            .service
            .create(&self.ctx, name, &parts, StackOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let status = self.cfn.settle(name).await;
        assert_eq!(
            status,
            "CREATE_COMPLETE",
            "{file}: {}",
            self.reason(name).await
        );
    }

    async fn reason(&self, name: &str) -> String {
        let s = self
            .cfn
            .state
            .api
            .service
            .show(&self.ctx, name)
            .await
            .unwrap();
        s.reason
    }

    /// A resource of the stack or its nested stacks: (physical id,
    /// properties).
    async fn resource(&self, stack: &str, name: &str) -> (String, Json) {
        let views = self
            .cfn
            .state
            .api
            .service
            .resources(
                &self.ctx,
                stack,
                &ResourceQuery {
                    nested_depth: 1,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let v = views
            .iter()
            .find(|v| v.record.name == name && v.record.current)
            .unwrap_or_else(|| panic!("no {name} in {stack}"));
        (
            v.record.physical_id.clone().unwrap_or_default(),
            v.record.properties.clone(),
        )
    }

    /// Members of the stack's group (in its nested stack) of a type.
    async fn members(&self, stack: &str, type_name: &str) -> Vec<String> {
        let views = self
            .cfn
            .state
            .api
            .service
            .resources(
                &self.ctx,
                stack,
                &ResourceQuery {
                    nested_depth: 2,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut ids: Vec<String> = views
            .iter()
            .filter(|v| v.stack_name != stack && v.record.type_name == type_name)
            .filter(|v| v.record.current && v.record.status_text() != "DELETE_COMPLETE")
            .filter_map(|v| v.record.physical_id.clone())
            .collect();
        ids.sort();
        ids
    }

    fn put(&self, namespace: &str, metric: &str, dims: &[(&str, &str)], values: &[f64]) {
        let mut dimensions: Vec<(String, String)> = dims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        dimensions.sort();
        let now = self.cw.now();
        let points: Vec<Datapoint> = values.iter().map(|v| Datapoint::value(now, *v)).collect();
        self.cw.metrics.put(
            MetricId {
                project: self.ctx.project.clone(),
                namespace: namespace.into(),
                name: metric.into(),
                dimensions,
            },
            None,
            &points,
        );
    }

    async fn round(&self) -> heat_server::cloudwatch::Round {
        Evaluator::new(self.cw.clone(), Duration::from_secs(1))
            .round()
            .await
    }

    async fn output(&self, stack: &str, key: &str) -> Json {
        let s = self
            .cfn
            .state
            .api
            .service
            .show(&self.ctx, stack)
            .await
            .unwrap();
        s.outputs.unwrap_or_default()[key]["value"].clone()
    }

    /// Waits until `check` holds, evaluating the alarms each time.
    async fn until<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..300 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("never: {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wordpress_with_ha_restarts_its_instance_on_service_failures() {
    let seed = Seed::new("seed-ha").await;
    let file = "cfn/F17/WordPress_Single_Instance_With_HA.yaml";
    seed.create("ha", file, &[], json!({"KeyName": "heat_key"}))
        .await;
    let (before, _) = seed.resource("ha", "WikiDatabase").await;
    // Two failures within the period: not above the threshold (2).
    seed.put("system/linux", "ServiceFailure", &[], &[1.0, 1.0]);
    let round = seed.round().await;
    assert_eq!(round.actions, 0, "{round:?}");
    assert_eq!(seed.resource("ha", "WikiDatabase").await.0, before);
    // A third: ALARM, and the restarter replaces the instance.
    seed.put("system/linux", "ServiceFailure", &[], &[1.0]);
    let round = seed.round().await;
    assert_eq!(round.actions, 1, "{round:?}");
    seed.until("the instance replaced", || async {
        seed.resource("ha", "WikiDatabase").await.0 != before
    })
    .await;
    assert_eq!(seed.cfn.settle("ha").await, "UPDATE_COMPLETE");
    let servers: Vec<String> = seed
        .cfn
        .cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .map(|o| o.id)
        .collect();
    let (after, _) = seed.resource("ha", "WikiDatabase").await;
    assert_eq!(servers, vec![after.clone()], "the old instance is gone");
    // The output follows the new instance.
    let url = seed.output("ha", "WebsiteURL").await;
    let address = seed
        .cfn
        .cloud
        .objects()
        .into_iter()
        .find(|o| o.id == after)
        .unwrap()
        .attributes["first_address"]
        .clone();
    assert_eq!(
        url,
        json!(format!("http://{}/wordpress", address.as_str().unwrap()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscaling_ceilometer_scales_on_cpu_and_its_load_balancer_follows() {
    let seed = Seed::new("seed-asc").await;
    let file = "cfn/F17/AutoScalingCeilometer.yaml";
    seed.create("asc", file, &[], json!({"KeyName": "heat_key"}))
        .await;
    let (group, _) = seed.resource("asc", "WebServerGroup").await;
    let instances =
        || async { seed.resource("asc", "ElasticLoadBalancer").await.1["Instances"].clone() };
    let members = seed.members("asc", "AWS::EC2::Instance").await;
    assert_eq!(members.len(), 1);
    assert_eq!(instances().await, json!(members));
    // Another group's load: nothing.
    seed.put("", "cpu_util", &[("groupname", "another")], &[90.0]);
    assert_eq!(seed.round().await.actions, 0);
    // Its own, high: out (CPUAlarmHigh to ALARM, CPUAlarmLow to OK).
    seed.put("", "cpu_util", &[("groupname", &group)], &[90.0]);
    let round = seed.round().await;
    assert_eq!((round.changed, round.actions), (2, 1), "{round:?}");
    seed.until("two members", || async {
        seed.members("asc", "AWS::EC2::Instance").await.len() == 2
    })
    .await;
    assert_eq!(seed.cfn.settle("asc").await, "CREATE_COMPLETE");
    // The group tells its load balancer after its members are made (a
    // signal's scaling is not a stack operation: the stack stays
    // CREATE_COMPLETE throughout), so the balancer catches up.
    let members = seed.members("asc", "AWS::EC2::Instance").await;
    let every_member = || async {
        let mut listed: Vec<String> = serde_json::from_value(instances().await).unwrap();
        listed.sort();
        listed == seed.members("asc", "AWS::EC2::Instance").await
    };
    seed.until("the load balancer has every member", every_member)
        .await;
    assert_eq!(members.len(), 2);
    // Still high, within the policy's 60 s cooldown: nothing more.
    let again = seed.round().await;
    assert_eq!(again.actions, 0, "{again:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(seed.members("asc", "AWS::EC2::Instance").await.len(), 2);
    // Low (the period's average under 15%): back in, by the other policy.
    seed.put("", "cpu_util", &[("groupname", &group)], &[1.0; 20]);
    let round = seed.round().await;
    assert_eq!((round.changed, round.actions), (2, 1), "{round:?}");
    seed.until("one member", || async {
        seed.members("asc", "AWS::EC2::Instance").await.len() == 1
    })
    .await;
    assert_eq!(seed.cfn.settle("asc").await, "CREATE_COMPLETE");
    seed.until("the load balancer has the one member left", every_member)
        .await;
    assert_eq!(instances().await.as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_autoscaling_scales_on_cpu_and_its_url_with_a_pool_member_per_server() {
    let seed = Seed::new("seed-hot").await;
    let params = json!({
        "image": "cirros-0.6.2", "key": "default-key", "flavor": "m1.small",
        "database_flavor": "m1.small", "network": "private",
        "subnet_id": "private-subnet", "external_network_id": "public"
    });
    seed.create(
        "hot",
        "hot/autoscaling.yaml",
        &["hot/lb_server.yaml"],
        params,
    )
    .await;
    // The floating IP is on the load balancer's VIP port.
    let (_, fip) = seed.resource("hot", "lb_floating").await;
    let (lb, _) = seed.resource("hot", "lb").await;
    let vip_port = seed
        .cfn
        .cloud
        .objects()
        .into_iter()
        .find(|o| o.id == lb)
        .unwrap()
        .attributes["vip_port_id"]
        .clone();
    assert_eq!(fip["port_id"], vip_port);
    let seed = &seed;
    let count = |kind: &'static str| async move { seed.members("hot", kind).await.len() };
    assert_eq!(count("OS::Nova::Server").await, 1);
    assert_eq!(count("OS::Octavia::PoolMember").await, 1);
    // Its Gnocchi alarm (evaluated here) on the servers' cpu_util, as
    // Ceilometer reports it for the stack's server group: out to 2.
    let stack_id = seed
        .cfn
        .state
        .api
        .service
        .show(&seed.ctx, "hot")
        .await
        .unwrap()
        .id;
    seed.put("", "cpu_util", &[("server_group", &stack_id)], &[95.0]);
    let round = seed.round().await;
    assert_eq!(round.actions, 1, "{round:?}");
    // Each member is a nested stack of a server and its pool member, the
    // pool member made after the server: wait for both.
    seed.until("two servers and pool members", || async {
        count("OS::Nova::Server").await == 2 && count("OS::Octavia::PoolMember").await == 2
    })
    .await;
    assert_eq!(seed.cfn.settle("hot").await, "CREATE_COMPLETE");
    // Its scale-down URL, as `curl -X POST` would: back to 1.
    let url = seed.output("hot", "scale_dn_url").await;
    let path = url
        .as_str()
        .unwrap()
        .trim_start_matches("http://127.0.0.1:8000")
        .to_string();
    let req = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header(header::HOST, "127.0.0.1:8000")
        .body(Body::empty())
        .unwrap();
    let r = seed.cfn.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    seed.until("one server and pool member", || async {
        count("OS::Nova::Server").await == 1 && count("OS::Octavia::PoolMember").await == 1
    })
    .await;
    assert_eq!(seed.cfn.settle("hot").await, "CREATE_COMPLETE");
}

/// The seed-era templates Heat can no longer load (a cycle through the
/// instance's metadata) are refused with their cycle named: three copied
/// here, two read from the conformance corpus (when there is one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invalid_seed_templates_are_refused_with_their_cycle() {
    let seed = Seed::new("seed-invalid").await;
    let mut dirs = vec![
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/heat-templates/cfn/F17/invalid")
    ];
    if let Some(root) = conformance() {
        dirs.push(root.join("templates/heat-templates/cfn/F17/invalid"));
    }
    let mut seen = 0;
    for dir in &dirs {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let parts = SourceParts::template(name.clone(), text);
            let err = seed
                .cfn
                .state
                .api
                .service
                .validate(&seed.ctx, &parts, false)
                .expect_err(&name)
                .to_string();
            assert!(
                err.contains("Circular Dependency Found: ") && err.contains(" -> "),
                "{name}: {err}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 3 + 2 * (dirs.len() - 1), "{dirs:?}");
}

/// The corpus: `HEAT_CONFORMANCE_DIR` (which `.ci/run` sets; then it must
/// be there), else `../shared/conformance` beside the clone.
fn conformance() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HEAT_CONFORMANCE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    if beside.is_dir() {
        return Some(beside);
    }
    eprintln!(
        "skipped: no conformance corpus at {} and HEAT_CONFORMANCE_DIR is not set (.ci/run sets it to ../shared/conformance)",
        beside.display()
    );
    None
}
