//! Two heat-server processes on one PostgreSQL database with their stacks
//! on the real OpenStack of ../shared/openstack: one is SIGKILLed while its
//! stacks' servers are being built; the other takes them over, completes
//! each with one server and no Neutron object made twice, and deletes them
//! with nothing left on the cloud. Built only with `--features
//! openstack-live`; `.ci/run` starts the cloud and sets `OS_CLOUD` and
//! `OS_CLIENT_CONFIG_FILE`.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::servers::{Client, Server};
use heat_openstack::{CloudConfig, Method, Session};
use serde_json::Value as Json;

fn template(octet: u32) -> String {
    format!(
        "heat_template_version: 2018-08-31
resources:
  net: {{type: OS::Neutron::Net}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, cidr: 10.{octet}.9.0/24}}
  port:
    type: OS::Neutron::Port
    properties: {{network: {{get_resource: net}}, fixed_ips: [{{subnet: {{get_resource: subnet}}}}]}}
  server:
    type: OS::Nova::Server
    properties: {{image: oslocal-tiny, flavor: m1.nano, networks: [{{port: {{get_resource: port}}}}]}}
"
    )
}

async fn get(session: &Session, service: &str, path: &str) -> Json {
    session
        .request(service, Method::GET, path, None)
        .await
        .unwrap_or_else(|e| panic!("GET {service}{path}: {e}"))
}

/// The objects the cloud holds that heat-rs made for `stack_id`, by
/// `kind/resource`: how many of each.
async fn made_for(session: &Session, stack_id: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let servers = get(session, "compute", "/servers/detail").await;
    for s in servers["servers"].as_array().unwrap() {
        if s["metadata"]["heat_stack_id"] == stack_id {
            let r = s["metadata"]["heat_resource"].as_str().unwrap_or_default();
            *out.entry(format!("servers/{r}")).or_default() += 1;
        }
    }
    let prefix = format!("heat-rs:{stack_id}:");
    for collection in ["networks", "subnets", "ports"] {
        let list = get(session, "network", &format!("/{collection}")).await;
        for o in list[collection].as_array().unwrap() {
            let d = o["description"].as_str().unwrap_or_default();
            if let Some(at) = d.find(&prefix) {
                let r = d[at + prefix.len()..].trim_end_matches(')');
                *out.entry(format!("{collection}/{r}")).or_default() += 1;
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_midway_leaves_its_openstack_stacks_to_another() {
    let cloud = std::env::var("OS_CLOUD")
        .expect("OS_CLOUD names the OpenStack cloud (see .ci/run and ../shared/openstack)");
    let config = CloudConfig::from_env()
        .expect("clouds.yaml readable")
        .expect("a cloud is configured");
    let session =
        Session::new(config, std::sync::Arc::new(heat_server::SystemClock::new())).unwrap();
    let database = common::postgres::fresh_database().await;
    let tmp = common::tempdir("heat-scale-live-");
    let dir = tmp.path().to_path_buf();
    let a = Server::on_openstack(&database, &dir, "a", 2.0, &cloud);
    let mut b = Server::on_openstack(&database, &dir, "b", 2.0, &cloud);
    let client = Client::default();

    let base = std::process::id() % 150 + 50;
    let mut stacks = Vec::new();
    for i in 0..3u32 {
        let name = format!("kill{}-{i}", std::process::id());
        let id = client.create(&b.url, &name, &template(base + i)).await;
        stacks.push((name, id));
    }
    // b dies once Nova holds a server of its stacks.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        assert!(std::time::Instant::now() < deadline, "no server appeared");
        let servers = get(&session, "compute", "/servers/detail").await;
        let building = servers["servers"].as_array().unwrap().iter().any(|s| {
            stacks
                .iter()
                .any(|(_, id)| s["metadata"]["heat_stack_id"] == id.as_str())
        });
        if building {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.kill();

    let mut failures = Vec::new();
    for (name, id) in &stacks {
        let status = client
            .settled(&a.url, name, id, Duration::from_secs(300))
            .await;
        if status != "CREATE_COMPLETE" {
            failures.push(format!("{name}: {status}"));
        }
        let made = made_for(&session, id).await;
        let expected: BTreeMap<String, usize> = [
            "networks/net",
            "ports/port",
            "servers/server",
            "subnets/subnet",
        ]
        .iter()
        .map(|k| (k.to_string(), 1))
        .collect();
        if made != expected {
            failures.push(format!("{name}: made {made:?}"));
        }
    }
    // Deleted through the survivor, whatever happened: nothing left.
    for (name, id) in &stacks {
        client.delete(&a.url, name, id).await;
    }
    for (name, id) in &stacks {
        let status = client
            .settled(&a.url, name, id, Duration::from_secs(300))
            .await;
        assert_eq!(status, "DELETE_COMPLETE", "{name}");
        let left = made_for(&session, id).await;
        assert!(left.is_empty(), "{name} left {left:?}");
    }
    assert!(
        failures.is_empty(),
        "{failures:?}\nb's log:\n{}",
        std::fs::read_to_string(&b.log).unwrap_or_default()
    );
}
