//! The health watcher on the simulated cloud, in virtual time (each object
//! 20 s to become ready, a repair as long): a server stopped behind the
//! stack's back is started again and its recovery recorded; one that keeps
//! failing escalates one step per failed check (reboot, rebuild, replace),
//! each step an event, and its replacement takes over the floating IP, the
//! volume attachment, the load balancer membership and the outputs; failing
//! again after that, the stack is marked CHECK_FAILED with the reason. A
//! server that vanished is replaced at once, in its group when it is a
//! member of one; a policy of two failed checks per step waits for the
//! second; a stack with an operation running is left alone; two watchers
//! (two processes) share where a server stands on the ladder.

mod common;

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::testing::Runner;
use heat_core::engine::{
    Event, HealthPolicy, HealthWatcher, MemoryStore, ResourceRecord, StackOptions, StackRecord,
    StackSource, StateStore, Step,
};
use heat_resources::sim::{SimCloud, SimFault, SimObject};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, networks: [{network: private}]}
  ip:
    type: OS::Neutron::FloatingIP
    properties: {floating_network: public}
  assoc:
    type: OS::Neutron::FloatingIPAssociation
    properties:
      floatingip_id: {get_resource: ip}
      port_id: {get_attr: [server, addresses, private, 0, port]}
  volume:
    type: OS::Cinder::Volume
    properties: {size: 1}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties: {instance_uuid: {get_resource: server}, volume_id: {get_resource: volume}}
  lb:
    type: OS::Octavia::LoadBalancer
    properties: {vip_subnet: private-subnet}
  listener:
    type: OS::Octavia::Listener
    properties: {loadbalancer: {get_resource: lb}, protocol: HTTP, protocol_port: 80}
  pool:
    type: OS::Octavia::Pool
    properties: {listener: {get_resource: listener}, lb_algorithm: ROUND_ROBIN, protocol: HTTP}
  member:
    type: OS::Octavia::PoolMember
    properties:
      pool: {get_resource: pool}
      address: {get_attr: [server, first_address]}
      protocol_port: 80
      subnet: private-subnet
outputs:
  server_id: {value: {get_resource: server}}
";

struct Fixture {
    cloud: Arc<SimCloud>,
    store: Arc<MemoryStore>,
    runner: Runner,
    stack: StackRecord,
}

async fn fixture(template: &str) -> Fixture {
    let common::Sim {
        cloud,
        store,
        runner,
    } = common::sim(Duration::from_secs(20));
    let stack = common::create(&runner, "ha", template).await;
    Fixture {
        cloud,
        store,
        runner,
        stack,
    }
}

impl Fixture {
    fn watcher(&self, failures: u32) -> HealthWatcher {
        HealthWatcher::new(
            self.runner.engine().clone(),
            HealthPolicy {
                failures,
                window: Duration::from_secs(600),
            },
        )
    }

    async fn record(&self, name: &str) -> ResourceRecord {
        self.store
            .resources(&self.stack.id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.current && r.name == name)
            .unwrap()
    }

    async fn server_id(&self) -> String {
        self.record("server").await.physical_id.unwrap()
    }

    fn object(&self, id: &str) -> Option<SimObject> {
        self.cloud.objects().into_iter().find(|o| o.id == id)
    }

    /// The server's events since `from`, their reasons.
    async fn reasons(&self, from: usize) -> Vec<String> {
        let events: Vec<Event> = self.store.events(&self.stack.id).await.unwrap();
        events[from..]
            .iter()
            .filter(|e| e.resource_name == "server" || e.resource_name == "ha")
            .map(|e| e.reason.clone())
            .collect()
    }

    async fn events(&self) -> usize {
        self.store.events(&self.stack.id).await.unwrap().len()
    }

    /// One round; the steps it took.
    async fn round(&self, watcher: &HealthWatcher) -> Vec<Step> {
        let report = watcher.round().await.unwrap();
        assert!(report.errors.is_empty(), "{report:?}");
        report.steps.into_iter().map(|(_, _, s)| s).collect()
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_server_escalates_to_replacement_and_what_depends_on_it_follows() {
    let f = fixture(TEMPLATE).await;
    let watcher = f.watcher(1);
    let old = f.server_id().await;

    // Healthy: nothing to do, nothing written.
    let n = f.events().await;
    assert!(f.round(&watcher).await.is_empty());
    assert_eq!(f.events().await, n);

    // Stopped behind the stack's back: started again, then recovered.
    f.cloud.break_server(&old, "SHUTOFF").await.unwrap();
    assert_eq!(f.round(&watcher).await, vec![Step::Start]);
    assert_eq!(f.object(&old).unwrap().status, "ACTIVE");
    assert!(f.round(&watcher).await.is_empty());
    let said = f.reasons(n).await;
    assert_eq!(
        said,
        vec![
            format!("failing: server {old} is in status SHUTOFF"),
            format!("HA: starting server (server {old} is in status SHUTOFF)"),
            "recovered: healthy again".to_string(),
        ]
    );

    // It keeps failing (nothing mends it in place): within the window the
    // ladder goes on from where it was, a step per failed check.
    f.cloud.inject(SimFault::Unrepairable("server".into()));
    f.cloud.break_server(&old, "ERROR").await.unwrap();
    assert_eq!(f.round(&watcher).await, vec![Step::Reboot]);
    assert_eq!(f.object(&old).unwrap().status, "ERROR");
    assert_eq!(f.round(&watcher).await, vec![Step::Rebuild]);
    let before = (
        f.record("assoc").await.properties["port_id"].clone(),
        f.record("member").await.properties["address"].clone(),
    );
    assert_eq!(f.round(&watcher).await, vec![Step::Replace]);
    let done = f.runner.wait(f.runner.find("ha").await.unwrap()).await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);

    // A new server; the old one is gone from the cloud.
    let new = f.server_id().await;
    assert_ne!(new, old);
    assert!(f.object(&old).is_none());
    assert_eq!(f.object(&new).unwrap().status, "ACTIVE");
    // The floating IP is on the new server's port.
    let port = f.record("assoc").await.properties["port_id"].clone();
    assert_ne!(port, before.0);
    let fip = f
        .cloud
        .stack_objects()
        .into_iter()
        .find(|o| o.kind == "floating_ip")
        .unwrap();
    assert_eq!(fip.attributes.get("port_id"), Some(&port));
    // The volume is attached to the new server.
    let attachment = f.record("attachment").await;
    assert_eq!(attachment.properties["instance_uuid"], new.as_str());
    // The pool member is the new server's address.
    let member = f.record("member").await;
    let address = f.object(&new).unwrap().attributes["first_address"].clone();
    assert_eq!(member.properties["address"], address);
    assert_ne!(member.properties["address"], before.1);
    // The output names it.
    assert_eq!(done.outputs.unwrap()["server_id"]["value"], new.as_str());
    let said = f.reasons(n).await;
    for step in ["rebooting", "rebuilding", "replacing"] {
        assert!(
            said.iter()
                .any(|r| r.starts_with(&format!("HA: {step} server"))),
            "{step}: {said:?}"
        );
    }
    assert!(
        said.iter()
            .any(|r| r == &format!("failing: server {old} is in status ERROR")),
        "{said:?}"
    );

    // The new server recovers the resource; failing again within the
    // window, nothing is left to try: the stack is marked failed.
    assert!(f.round(&watcher).await.is_empty());
    f.cloud.break_server(&new, "ERROR").await.unwrap();
    assert_eq!(f.round(&watcher).await, vec![Step::Fail]);
    let failed = f.runner.find("ha").await.unwrap();
    assert_eq!(failed.status_text(), "CHECK_FAILED");
    assert!(
        failed
            .reason
            .contains("resources.server could not be recovered")
            && failed
                .reason
                .contains(&format!("server {new} is in status ERROR")),
        "{}",
        failed.reason
    );
    // A failed stack is no longer watched: nothing more is done.
    let report = watcher.round().await.unwrap();
    assert_eq!(report.watched, 0);
    assert!(report.steps.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_vanished_server_is_replaced_at_once_and_two_failures_are_waited_for() {
    let f = fixture(TEMPLATE).await;
    let watcher = f.watcher(2);
    let old = f.server_id().await;
    f.cloud.break_server(&old, "DELETED").await.unwrap();
    // The first failed check is recorded, the second acts.
    let n = f.events().await;
    assert!(f.round(&watcher).await.is_empty());
    assert_eq!(f.reasons(n).await.len(), 1, "{:?}", f.reasons(n).await);
    assert!(f.reasons(n).await[0].starts_with("failing: "));
    assert_eq!(f.round(&watcher).await, vec![Step::Replace]);
    let done = f.runner.wait(f.runner.find("ha").await.unwrap()).await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);
    let new = f.server_id().await;
    assert_ne!(new, old);
    assert_eq!(f.object(&new).unwrap().status, "ACTIVE");
    // Nothing of the old server is left, nothing more was made.
    let servers: Vec<_> = f
        .cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .collect();
    assert_eq!(servers.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stack_with_an_operation_running_is_left_alone() {
    let f = fixture(TEMPLATE).await;
    let watcher = f.watcher(1);
    let old = f.server_id().await;
    f.cloud.break_server(&old, "SHUTOFF").await.unwrap();
    // An update is running (its server create takes a while).
    f.cloud.inject(SimFault::Transient("extra".into(), 3));
    let grown = TEMPLATE.replace(
        "outputs:",
        "  extra:\n    type: OS::Nova::Server\n    properties: {image: cirros-0.6.2, flavor: m1.small}\noutputs:",
    );
    let accepted = f
        .runner
        .engine()
        .update_stack(
            &f.stack,
            StackSource {
                template: grown,
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    let report = watcher.round().await.unwrap();
    assert_eq!(report.watched, 0, "{report:?}");
    assert_eq!(f.object(&old).unwrap().status, "SHUTOFF");
    let done = f.runner.wait(accepted).await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);
    // Settled, it is watched again.
    assert_eq!(f.round(&watcher).await, vec![Step::Start]);
    assert_eq!(f.object(&old).unwrap().status, "ACTIVE");
}

#[tokio::test(start_paused = true)]
async fn a_group_member_that_vanished_is_replaced_in_its_group() {
    let f = fixture(
        "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 2
      max_size: 3
      resource:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.small}
outputs:
  ids: {value: {get_attr: [group, refs]}}
",
    )
    .await;
    let watcher = f.watcher(1);
    let servers = |c: &SimCloud| -> Vec<String> {
        let mut v: Vec<String> = c
            .stack_objects()
            .into_iter()
            .filter(|o| o.kind == "server")
            .map(|o| o.id)
            .collect();
        v.sort();
        v
    };
    let before = servers(&f.cloud);
    assert_eq!(before.len(), 2);
    f.cloud.break_server(&before[0], "DELETED").await.unwrap();
    assert_eq!(f.round(&watcher).await, vec![Step::Replace]);
    let done = f.runner.wait(f.runner.find("ha").await.unwrap()).await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);
    let after = servers(&f.cloud);
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(after.contains(&before[1]), "the healthy member stays");
    assert!(!after.contains(&before[0]));
    let mut ids: Vec<String> = done.outputs.unwrap()["ids"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, after);
}

/// Two watchers (two server processes, each with its own counts) share
/// where a server stands on the ladder: each goes on from the step the
/// other took.
#[tokio::test(start_paused = true)]
async fn watchers_of_two_processes_share_the_ladder() {
    let f = fixture(TEMPLATE).await;
    let (a, b) = (f.watcher(1), f.watcher(1));
    let old = f.server_id().await;
    f.cloud.inject(SimFault::Unrepairable("server".into()));
    f.cloud.break_server(&old, "ERROR").await.unwrap();
    assert_eq!(f.round(&a).await, vec![Step::Reboot]);
    assert_eq!(f.round(&b).await, vec![Step::Rebuild]);
    assert_eq!(f.round(&a).await, vec![Step::Replace]);
    let done = f.runner.wait(f.runner.find("ha").await.unwrap()).await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);
    assert_ne!(f.server_id().await, old);
}
