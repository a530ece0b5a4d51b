//! `OS::Heat::HARestarter` on the simulated cloud: a signal (an alarm's
//! action) replaces the instance it names, and what depends on it follows
//! (the floating IP's association moves to the new server's port); the
//! old server is gone; an alarm that is not in ALARM restarts nothing.

mod common;

use std::sync::Arc;

use heat_core::engine::MemoryStore;
use serde_json::json;

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
  restarter:
    type: OS::Heat::HARestarter
    properties: {InstanceId: {get_resource: server}}
outputs:
  url: {value: {get_attr: [restarter, AlarmUrl]}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarter_replaces_its_instance_and_the_association_follows() {
    let common::Sim {
        cloud,
        store,
        runner,
    } = common::sim(std::time::Duration::ZERO);
    let s = common::create(&runner, "ha", TEMPLATE).await;
    let url = s.outputs.as_ref().unwrap()["url"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("/v1/signal/"), "{url}");
    let records = |store: Arc<MemoryStore>, id: String| async move {
        use heat_core::engine::StateStore;
        store.resources(&id).await.unwrap()
    };
    let before = records(store.clone(), s.id.clone()).await;
    let server = |rs: &[heat_core::engine::ResourceRecord], name: &str| {
        rs.iter()
            .find(|r| r.current && r.name == name)
            .unwrap()
            .clone()
    };
    let old = server(&before, "server").physical_id.unwrap();
    let old_port = server(&before, "assoc").properties["port_id"].clone();

    // An OK state restarts nothing.
    runner
        .signal("ha", "restarter", json!({"state": "ok"}))
        .await
        .unwrap();
    let same = records(store.clone(), s.id.clone()).await;
    assert_eq!(server(&same, "server").physical_id.unwrap(), old);

    // An alarm does.
    runner
        .signal("ha", "restarter", json!({"state": "alarm"}))
        .await
        .unwrap();
    let done = runner.wait(runner.find("ha").await.unwrap()).await;
    assert_eq!(done.status_text(), "UPDATE_COMPLETE", "{}", done.reason);
    let after = records(store.clone(), s.id.clone()).await;
    let new = server(&after, "server").physical_id.unwrap();
    assert_ne!(new, old);
    let new_port = server(&after, "assoc").properties["port_id"].clone();
    assert_ne!(new_port, old_port);
    // The cloud: the new server only, the floating IP on its port.
    let servers: Vec<_> = cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .collect();
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0].id, new);
    let fip = cloud
        .stack_objects()
        .into_iter()
        .find(|o| o.kind == "floating_ip")
        .unwrap();
    assert_eq!(
        fip.attributes.get("port_id").cloned().unwrap_or_default(),
        new_port,
        "{:?}",
        fip.attributes
    );
    // The restart is in the events.
    use heat_core::engine::StateStore;
    let events = store.events(&s.id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.resource_name == "server" && e.reason.contains("Restarted by restarter")),
        "{events:?}"
    );
}
