//! 20 servers, each with its own port, created in parallel on the live
//! OpenStack `OS_CLOUD` names: the stack's wall time against the sum of the
//! servers' own build times and against the slowest server (the floor);
//! then the delete; then the same stack made one resource at a time
//! (concurrency 1), measured, the baseline the parallel run is compared
//! with. Printed.
//!
//! `OS_CLIENT_CONFIG_FILE=/opt/oslocal/state/clouds.yaml OS_CLOUD=oslocal
//! cargo bench -p heat-openstack --features live --bench servers`

#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use heat_core::engine::testing::Runner;
use heat_core::engine::{
    Action, Clock, EngineConfig, MemoryStore, StackOptions, StackSource, StateStore, Status,
};
use heat_openstack::{CloudConfig, Method, OpenStackCloud, Session};
use serde_json::json;

const SERVERS: usize = 20;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let config = CloudConfig::from_env()
        .expect("clouds.yaml readable")
        .expect("OS_CLOUD names a cloud");
    let clock: Arc<dyn Clock> = Arc::new(heat_server::SystemClock::new());
    let session = Session::new(config.clone(), clock.clone()).unwrap();
    // Room for 20 more servers in the project (admin only; ignored otherwise).
    let project = session.token(false).await.unwrap().project_id.unwrap();
    let _ = session
        .request(
            "compute",
            Method::PUT,
            &format!("/os-quota-sets/{project}"),
            Some(&json!({"quota_set": {"instances": 100, "cores": 200, "ram": 1_000_000}})),
        )
        .await;

    let mut t = String::from(
        "heat_template_version: 2018-08-31\nresources:\n  net:\n    type: OS::Neutron::Net\n  subnet:\n    type: OS::Neutron::Subnet\n    properties: {network: {get_resource: net}, cidr: 10.250.0.0/24}\n",
    );
    for i in 0..SERVERS {
        t.push_str(&format!(
            "  port{i}:\n    type: OS::Neutron::Port\n    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}\n  server{i}:\n    type: OS::Nova::Server\n    properties: {{image: oslocal-tiny, flavor: m1.nano, networks: [{{port: {{get_resource: port{i}}}}}]}}\n"
        ));
    }
    let store = Arc::new(MemoryStore::new());
    let cloud = Arc::new(OpenStackCloud::new(session, clock.clone()));
    let engine = Runner::new(heat_server::builder::engine(
        cloud.clone(),
        store.clone(),
        clock.clone(),
        Arc::new(heat_server::TokioSpawner),
        EngineConfig::default(),
    ));
    let source = StackSource {
        template: t,
        ..StackSource::default()
    };
    let serial_source = source.clone();
    let start = Instant::now();
    let stack = engine
        .create_stack("bench20", source, StackOptions::default())
        .await
        .expect("create ran");
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{:?}", stack.reason);

    // Each server's own build time: from its CREATE_IN_PROGRESS event to
    // its CREATE_COMPLETE event.
    let events = store.events(&stack.id).await.unwrap();
    let mut builds = Vec::new();
    for i in 0..SERVERS {
        let name = format!("server{i}");
        let at = |status: Status| {
            events
                .iter()
                .find(|e| {
                    e.resource_name == name && e.action == Action::Create && e.status == status
                })
                .map(|e| e.time)
                .unwrap()
        };
        builds.push(at(Status::Complete) - at(Status::InProgress));
    }
    let sum: f64 = builds.iter().sum();
    let slowest = builds.iter().cloned().fold(0.0, f64::max);
    println!(
        "{SERVERS} servers with ports, created in parallel on {}:",
        config.name
    );
    println!("  stack create wall time:        {wall:6.2} s");
    println!(
        "  sum of the servers' builds:    {sum:6.2} s  (each build slowed by the others: not the one-at-a-time time, measured below)"
    );
    println!(
        "  slowest server's build:        {slowest:6.2} s  (wall is {:.2}x the floor)",
        wall / slowest
    );

    let start = Instant::now();
    let deleted = engine.delete_stack("bench20").await.expect("delete ran");
    assert_eq!(
        deleted.status_text(),
        "DELETE_COMPLETE",
        "{}",
        deleted.reason
    );
    println!(
        "  stack delete wall time:        {:6.2} s",
        start.elapsed().as_secs_f64()
    );

    // The baseline, measured: one resource at a time.
    let serial = Runner::new(heat_server::builder::engine(
        cloud,
        Arc::new(MemoryStore::new()),
        clock,
        Arc::new(heat_server::TokioSpawner),
        EngineConfig {
            concurrency: 1,
            ..EngineConfig::default()
        },
    ));
    let start = Instant::now();
    let stack = serial
        .create_stack("bench20serial", serial_source, StackOptions::default())
        .await
        .expect("create ran");
    let one_at_a_time = start.elapsed().as_secs_f64();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{:?}", stack.reason);
    println!(
        "  one at a time (measured):      {one_at_a_time:6.2} s  (parallel is {:.1}x faster)",
        one_at_a_time / wall
    );
    let deleted = serial
        .delete_stack("bench20serial")
        .await
        .expect("delete ran");
    assert_eq!(
        deleted.status_text(),
        "DELETE_COMPLETE",
        "{}",
        deleted.reason
    );
}
