//! HA and autoscaling on the real OpenStack of ../shared/openstack, the
//! server's own pieces in process (the health watcher, the CloudWatch
//! evaluator, signal URLs): a server stopped through Nova behind heat-rs's
//! back is started again (the same server); one deleted through Nova is
//! replaced and its floating IP reaches the new server; a group scales out
//! and back in on pushed metrics (an `OS::Aodh::Alarm` evaluated by
//! heat-rs, no Aodh being there); deleting the stacks leaves nothing on the
//! cloud. Built only with `--features openstack-live`; `.ci/run` starts the
//! cloud and sets `OS_CLOUD` and `OS_CLIENT_CONFIG_FILE`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use heat_core::engine::testing::Runner;
use heat_core::engine::{
    Clock, EngineConfig, HealthPolicy, HealthWatcher, MemoryStore, StackOptions, StackRecord,
    StackSource, StateStore, Step,
};
use heat_core::service::StackService;
use heat_openstack::{CloudConfig, Method, Session};
use heat_resources::GuestKeys;
use heat_server::api::{ApiState, Auth, Limits};
use heat_server::cfn::{CfnAuth, CfnState};
use heat_server::cloudwatch::metrics::{Datapoint, MetricId};
use heat_server::cloudwatch::{CloudWatchState, Evaluator};
use heat_server::{builder, SystemClock, TokioSpawner};
use serde_json::{json, Value as Json};

fn ha_template(octet: u32) -> String {
    format!(
        "heat_template_version: 2018-08-31
resources:
  net: {{type: OS::Neutron::Net}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.7.0/24}}
  router:
    type: OS::Neutron::Router
    properties: {{external_gateway_info: {{network: public}}}}
  interface:
    type: OS::Neutron::RouterInterface
    properties: {{router: {{get_resource: router}}, subnet: {{get_resource: subnet}}}}
  port:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}
  server:
    type: OS::Nova::Server
    properties: {{image: oslocal-tiny, flavor: m1.nano, networks: [{{port: {{get_resource: port}}}}]}}
  fip:
    type: OS::Neutron::FloatingIP
    depends_on: interface
    properties: {{floating_network: public, port_id: {{get_resource: port}}}}
outputs:
  server: {{value: {{get_resource: server}}}}
"
    )
}

const GROUP: &str = "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 2
      resource:
        type: OS::Nova::Server
        properties: {image: oslocal-tiny, flavor: m1.nano, networks: [{network: private}]}
  up:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 0}
  down:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: -1, cooldown: 0}
  high:
    type: OS::Aodh::Alarm
    properties:
      meter_name: cpu_util
      statistic: avg
      period: 60
      threshold: 50
      comparison_operator: gt
      alarm_actions: [{get_attr: [up, alarm_url]}]
      matching_metadata: {'metadata.user_metadata.stack': {get_param: 'OS::stack_id'}}
  low:
    type: OS::Aodh::Alarm
    properties:
      meter_name: cpu_util
      statistic: avg
      period: 60
      threshold: 15
      comparison_operator: lt
      alarm_actions: [{get_attr: [down, alarm_url]}]
      matching_metadata: {'metadata.user_metadata.stack': {get_param: 'OS::stack_id'}}
";

struct Live {
    session: Session,
    runner: Runner,
    store: Arc<MemoryStore>,
    cw: Arc<CloudWatchState>,
}

fn live() -> Live {
    std::env::var("OS_CLOUD")
        .expect("OS_CLOUD names the OpenStack cloud (see .ci/run and ../shared/openstack)");
    let config = CloudConfig::from_env()
        .expect("clouds.yaml readable")
        .expect("a cloud is configured");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let session = Session::new(config, clock.clone()).unwrap();
    let (_, cloud) = builder::openstack_from_env().unwrap().unwrap();
    let store = Arc::new(MemoryStore::new());
    let guest = Arc::new(GuestKeys::random(builder::DEFAULT_CFN_URL));
    let engine = builder::engine_with(
        cloud,
        store.clone(),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
        guest.clone(),
    );
    let api = Arc::new(ApiState::new(
        StackService::new(engine.clone()),
        Auth::NoAuth,
        Limits::default(),
    ));
    let cfn = Arc::new(CfnState {
        api,
        auth: CfnAuth::default(),
        guest,
    });
    Live {
        session,
        runner: Runner::new(engine),
        store,
        cw: Arc::new(CloudWatchState::new(cfn, 86_400.0)),
    }
}

impl Live {
    async fn get(&self, service: &str, path: &str) -> Option<Json> {
        match self.session.request(service, Method::GET, path, None).await {
            Ok(v) => Some(v),
            Err(e) if e.kind == heat_core::engine::DriverErrorKind::NotFound => None,
            Err(e) => panic!("GET {service}{path}: {e}"),
        }
    }

    async fn server_status(&self, id: &str) -> Option<String> {
        self.get("compute", &format!("/servers/{id}"))
            .await
            .map(|s| {
                s["server"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
    }

    async fn until(&self, what: &str, secs: u64, mut check: impl AsyncFnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        panic!("never: {what}");
    }

    async fn create(&self, name: &str, template: String) -> StackRecord {
        let s = self
            .runner
            .create_stack(
                name,
                StackSource {
                    template,
                    ..StackSource::default()
                },
                StackOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
        s
    }

    async fn record(&self, stack: &StackRecord, name: &str) -> heat_core::engine::ResourceRecord {
        self.store
            .resources(&stack.id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.current && r.name == name)
            .unwrap()
    }

    /// Everything the cloud holds that heat-rs made for a stack: servers by
    /// their metadata, Neutron objects by the tag in their description.
    async fn made_for(&self, stack_id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let servers = self.get("compute", "/servers/detail").await.unwrap();
        for s in servers["servers"].as_array().unwrap() {
            if s["metadata"]["heat_stack_id"] == stack_id {
                out.push(format!("server {}", s["id"]));
            }
        }
        for (collection, key) in [
            ("/floatingips", "floatingips"),
            ("/ports", "ports"),
            ("/networks", "networks"),
            ("/subnets", "subnets"),
            ("/routers", "routers"),
        ] {
            let list = self.get("network", collection).await.unwrap();
            for o in list[key].as_array().unwrap() {
                let d = o["description"].as_str().unwrap_or_default();
                if d.contains(&format!("heat-rs:{stack_id}:")) {
                    out.push(format!("{key} {}", o["id"]));
                }
            }
        }
        out
    }

    async fn delete(&self, stack: &StackRecord) {
        let done = self.runner.delete_stack(&stack.name).await.unwrap();
        assert_eq!(done.status_text(), "DELETE_COMPLETE", "{}", done.reason);
        // Nested stacks' objects carry their own stack ids: every stack
        // of the tree is checked.
        let ids: Vec<String> = self
            .store
            .stacks(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|s| s.root_id() == stack.id)
            .map(|s| s.id)
            .chain([stack.id.clone()])
            .collect();
        for id in ids {
            assert_eq!(
                self.made_for(&id).await,
                Vec::<String>::new(),
                "left on the cloud"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_stopped_or_deleted_through_nova_are_healed() {
    let live = live();
    let octet = std::process::id() % 200 + 20;
    let stack = live
        .create(&format!("ha{}", std::process::id()), ha_template(octet))
        .await;
    let watcher = HealthWatcher::new(
        live.runner.engine().clone(),
        HealthPolicy {
            failures: 1,
            window: Duration::from_secs(1),
        },
    );
    let round = async || {
        let r = watcher.round().await.unwrap();
        assert!(r.errors.is_empty(), "{r:?}");
        r.steps.into_iter().map(|(_, _, s)| s).collect::<Vec<_>>()
    };
    let old = live.record(&stack, "server").await.physical_id.unwrap();
    assert!(round().await.is_empty(), "healthy");

    // Stopped through Nova: started again, the same server.
    live.session
        .request(
            "compute",
            Method::POST,
            &format!("/servers/{old}/action"),
            Some(&json!({"os-stop": null})),
        )
        .await
        .unwrap();
    live.until("SHUTOFF", 120, async || {
        live.server_status(&old).await.as_deref() == Some("SHUTOFF")
    })
    .await;
    assert_eq!(round().await, vec![Step::Start]);
    assert_eq!(live.server_status(&old).await.as_deref(), Some("ACTIVE"));
    assert!(round().await.is_empty(), "recovered");
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // Deleted through Nova: replaced; the floating IP reaches the new one.
    live.session
        .request("compute", Method::DELETE, &format!("/servers/{old}"), None)
        .await
        .unwrap();
    live.until("deleted", 120, async || {
        live.server_status(&old).await.is_none()
    })
    .await;
    assert_eq!(round().await, vec![Step::Replace]);
    let done = live
        .runner
        .wait(live.runner.find(&stack.name).await.unwrap())
        .await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);
    let new = live.record(&stack, "server").await.physical_id.unwrap();
    assert_ne!(new, old);
    assert_eq!(live.server_status(&new).await.as_deref(), Some("ACTIVE"));
    assert_eq!(done.outputs.unwrap()["server"]["value"], new.as_str());
    let fip = live.record(&stack, "fip").await.physical_id.unwrap();
    let fip = live
        .get("network", &format!("/floatingips/{fip}"))
        .await
        .unwrap();
    let port = fip["floatingip"]["port_id"].as_str().unwrap().to_string();
    live.until("the port bound to the new server", 60, async || {
        let p = live
            .get("network", &format!("/ports/{port}"))
            .await
            .unwrap();
        p["port"]["device_id"] == new.as_str()
    })
    .await;
    live.delete(&stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_scales_out_and_in_on_pushed_metrics() {
    let live = live();
    let stack = live
        .create(&format!("scaled{}", std::process::id()), GROUP.to_string())
        .await;
    let servers = async || {
        let list = live.get("compute", "/servers/detail").await.unwrap();
        let children: Vec<String> = live
            .store
            .stacks(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|s| s.root_id() == stack.id)
            .map(|s| s.id)
            .collect();
        list["servers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["metadata"]["heat_stack_id"]
                    .as_str()
                    .is_some_and(|id| children.iter().any(|c| c == id))
            })
            .count()
    };
    assert_eq!(servers().await, 1);
    let put = |values: &[f64]| {
        let now = live.cw.now();
        let points: Vec<Datapoint> = values.iter().map(|v| Datapoint::value(now, *v)).collect();
        live.cw.metrics.put(
            MetricId {
                project: stack.project.clone(),
                namespace: "system/linux".into(),
                name: "cpu_util".into(),
                dimensions: vec![("stack".into(), stack.id.clone())],
            },
            None,
            &points,
        );
    };
    let evaluate = async || {
        Evaluator::new(live.cw.clone(), Duration::from_secs(1))
            .round()
            .await
    };
    put(&[90.0]);
    assert_eq!(evaluate().await.actions, 1);
    live.until("two servers", 180, async || servers().await == 2)
        .await;
    live.runner.engine().wait(&stack.id).await.unwrap();
    put(&[1.0; 30]);
    assert_eq!(evaluate().await.actions, 1);
    live.until("one server", 180, async || servers().await == 1)
        .await;
    live.runner.engine().wait(&stack.id).await.unwrap();
    live.delete(&stack).await;
}
