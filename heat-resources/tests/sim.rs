//! The classic templates on the simulated cloud through the engine: create,
//! outputs with real addresses, update, delete; a failure injected at every
//! resource with rollback on and off; and nothing leaked: the cloud holds
//! exactly the objects the store says exist.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::testing::Runner;
use heat_core::engine::{
    Clock, EngineConfig, EngineError, MemoryStore, StackOptions, StackSource, StateStore,
};
use heat_resources::sim::{SimCloud, SimConfig, SimFault};
use heat_server::{builder, SystemClock, TokioSpawner};

const WORDPRESS: &str = include_str!("../../examples/wordpress.yaml");

fn setup(latency: u64) -> (Arc<SimCloud>, Arc<MemoryStore>, Runner) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_secs(latency)),
    ));
    let store = Arc::new(MemoryStore::new());
    let engine = builder::engine(
        cloud.clone(),
        store.clone(),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
    );
    (cloud, store, Runner::new(engine))
}

fn source(t: &str) -> StackSource {
    StackSource {
        template: t.to_string(),
        ..StackSource::default()
    }
}

/// The cloud holds exactly what the store says exists, both ways and
/// without trusting the tag the code under test sets: every object that
/// is neither the cloud's own (in a fresh cloud) nor a port the cloud made
/// for a live server or load balancer is a live record's (DELETE_COMPLETE
/// records do not count), and every live record of a cloud-backed type
/// names an object the cloud holds.
async fn assert_no_leaks(cloud: &SimCloud, store: &dyn StateStore) {
    use heat_core::engine::{Action, Status};
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let own: std::collections::HashSet<String> = SimCloud::new(clock, SimConfig::default())
        .objects()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut live = std::collections::HashSet::new();
    let mut backed = Vec::new();
    for s in store.stacks(None).await.unwrap() {
        for r in store.resources(&s.id).await.unwrap() {
            let gone = r.action == Action::Delete && r.status == Status::Complete;
            if let (Some(p), false) = (r.physical_id.clone(), gone) {
                live.insert(p.clone());
                let cloud_kind = heat_resources::Catalog
                    .schema(&r.type_name)
                    .is_some_and(|t| t.cloud_kind.is_some());
                if cloud_kind {
                    backed.push((r.name.clone(), p));
                }
            }
        }
    }
    let objects = cloud.objects();
    let ids: std::collections::HashSet<&str> = objects.iter().map(|o| o.id.as_str()).collect();
    for o in &objects {
        if own.contains(&o.id) || live.contains(&o.id) {
            continue;
        }
        let owner = o.attributes.get("device_id").and_then(|d| d.as_str());
        let made_for_owner =
            o.kind == "port" && owner.is_some_and(|d| live.contains(d) && ids.contains(d));
        assert!(
            made_for_owner,
            "leaked {} {} ({}): no live record names it",
            o.kind, o.name, o.resource
        );
    }
    for (name, p) in backed {
        assert!(
            ids.contains(p.as_str()),
            "{name}'s object {p} is not in the cloud (forgotten)"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn wordpress_creates_shows_outputs_and_deletes() {
    let (cloud, store, e) = setup(2);
    let s = e
        .create_stack("wp", source(WORDPRESS), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let outputs = s.outputs.clone().unwrap();
    let url = outputs["website_url"]["value"].as_str().unwrap();
    assert!(
        url.starts_with("http://172.24.4.") && url.ends_with("/wordpress"),
        "{url}"
    );
    let db = outputs["db_address"]["value"].as_str().unwrap();
    assert!(db.starts_with("10.10.0."), "{db}");
    let volumes: Vec<_> = cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "volume")
        .collect();
    assert_eq!(volumes[0].status, "in-use");
    assert_no_leaks(&cloud, store.as_ref()).await;
    // An update that adds a rule to a security group changes it in place.
    let more = WORDPRESS.replace("- {protocol: tcp, port_range_min: 22, port_range_max: 22}", "- {protocol: tcp, port_range_min: 22, port_range_max: 22}\n        - {protocol: tcp, port_range_min: 443, port_range_max: 443}");
    let changes = e.preview_update("wp", source(&more)).await.unwrap();
    let sg = changes.iter().find(|c| c.name == "web_sg").unwrap();
    assert_eq!(serde_json::to_value(&sg.kind).unwrap()["change"], "updated");
    let sg_before = cloud
        .stack_objects()
        .into_iter()
        .find(|o| o.kind == "security_group" && o.resource == "web_sg")
        .unwrap();
    let s = e
        .update_stack("wp", source(&more), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "UPDATE_COMPLETE", "{}", s.reason);
    // The same group, now with the rule.
    let sg_after = cloud
        .stack_objects()
        .into_iter()
        .find(|o| o.kind == "security_group" && o.resource == "web_sg")
        .unwrap();
    assert_eq!(sg_after.id, sg_before.id);
    let ports = |o: &heat_resources::sim::SimObject| -> Vec<i64> {
        o.properties["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["port_range_min"].as_i64())
            .collect()
    };
    assert!(
        !ports(&sg_before).contains(&443),
        "{:?}",
        sg_before.properties
    );
    assert!(ports(&sg_after).contains(&443), "{:?}", sg_after.properties);
    assert_no_leaks(&cloud, store.as_ref()).await;
    e.delete_stack("wp").await.unwrap();
    assert!(
        cloud.stack_objects().is_empty(),
        "{:?}",
        cloud.stack_objects()
    );
}

/// An attachment moved to another volume and an association moved to
/// another floating IP, in place: the first volume is available again and
/// the first floating IP bound to nothing; the second ones take over.
#[tokio::test(start_paused = true)]
async fn attachments_and_associations_move_in_place() {
    let (cloud, store, e) = setup(1);
    let template = |volume: &str, fip: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  server: {{type: OS::Nova::Server, properties: {{image: cirros-0.6.2, flavor: m1.small}}}}
  v1: {{type: OS::Cinder::Volume, properties: {{size: 1}}}}
  v2: {{type: OS::Cinder::Volume, properties: {{size: 1}}}}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties: {{instance_uuid: {{get_resource: server}}, volume_id: {{get_resource: {volume}}}}}
  port: {{type: OS::Neutron::Port, properties: {{network: private}}}}
  f1: {{type: OS::Neutron::FloatingIP, properties: {{floating_network: public}}}}
  f2: {{type: OS::Neutron::FloatingIP, properties: {{floating_network: public}}}}
  association:
    type: OS::Neutron::FloatingIPAssociation
    properties: {{floatingip_id: {{get_resource: {fip}}}, port_id: {{get_resource: port}}}}
"
        )
    };
    let s = e
        .create_stack(
            "move",
            source(&template("v1", "f1")),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let of = |resource: &str| {
        cloud
            .stack_objects()
            .into_iter()
            .find(|o| o.resource == resource)
            .unwrap()
    };
    assert_eq!(of("v1").status, "in-use");
    assert_eq!(of("f1").attributes["port_id"], of("port").id.as_str());
    let s = e
        .update_stack(
            "move",
            source(&template("v2", "f2")),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "UPDATE_COMPLETE", "{}", s.reason);
    assert_eq!(of("v1").status, "available");
    assert_eq!(of("v1").attributes["attachments"], serde_json::json!([]));
    assert_eq!(of("v2").status, "in-use");
    assert_eq!(
        of("v2").attributes["attachments"].as_array().unwrap().len(),
        1
    );
    assert_eq!(of("f1").attributes["port_id"], serde_json::Value::Null);
    assert_eq!(of("f2").attributes["port_id"], of("port").id.as_str());
    assert_no_leaks(&cloud, store.as_ref()).await;
    e.delete_stack("move").await.unwrap();
    assert!(
        cloud.stack_objects().is_empty(),
        "{:?}",
        cloud.stack_objects()
    );
}

/// Subnets take their ranges from a subnet pool, as Neutron allocates
/// them: the first free block of the pool's default length, one after the
/// other; a port on one gets an address in its range.
#[tokio::test(start_paused = true)]
async fn subnets_take_their_ranges_from_a_pool() {
    let (cloud, store, e) = setup(1);
    let template = "heat_template_version: 2018-08-31
resources:
  scope: {type: OS::Neutron::AddressScope}
  pool:
    type: OS::Neutron::SubnetPool
    properties: {address_scope: {get_resource: scope}, prefixes: [10.50.0.0/24], default_prefixlen: 26}
  net: {type: OS::Neutron::Net}
  a:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, subnetpool: {get_resource: pool}}
  b:
    type: OS::Neutron::Subnet
    depends_on: a
    properties: {network: {get_resource: net}, subnetpool: {get_resource: pool}, prefixlen: 28}
  port:
    type: OS::Neutron::Port
    properties: {network: {get_resource: net}, fixed_ips: [{subnet: {get_resource: b}}]}
outputs:
  a: {value: {get_attr: [a, cidr]}}
  b: {value: {get_attr: [b, cidr]}}
  ip: {value: {get_attr: [port, fixed_ips, 0, ip_address]}}
";
    let s = e
        .create_stack("pool", source(template), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let out = s.outputs.clone().unwrap();
    assert_eq!(out["a"]["value"], "10.50.0.0/26");
    assert_eq!(out["b"]["value"], "10.50.0.64/28");
    let ip = out["ip"]["value"].as_str().unwrap();
    assert!(
        ip.starts_with("10.50.0.6") || ip.starts_with("10.50.0.7"),
        "{ip}"
    );
    assert_no_leaks(&cloud, store.as_ref()).await;
    e.delete_stack("pool").await.unwrap();
    assert!(
        cloud.stack_objects().is_empty(),
        "{:?}",
        cloud.stack_objects()
    );
}

#[tokio::test(start_paused = true)]
async fn a_flavors_attributes_are_novas() {
    let (cloud, store, e) = setup(1);
    let template = "heat_template_version: 2018-08-31
resources:
  flavor:
    type: OS::Nova::Flavor
    properties: {ram: 64, vcpus: 1, is_public: false, extra_specs: {\"hw:numa_nodes\": 1}}
outputs:
  public: {value: {get_attr: [flavor, is_public]}}
  specs: {value: {get_attr: [flavor, extra_specs]}}
";
    let s = e
        .create_stack("flavor", source(template), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let out = s.outputs.clone().unwrap();
    assert_eq!(out["public"]["value"], false);
    assert_eq!(
        out["specs"]["value"],
        serde_json::json!({"hw:numa_nodes": "1"})
    );
    assert_no_leaks(&cloud, store.as_ref()).await;
    e.delete_stack("flavor").await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unknown_image_is_refused_before_anything_is_created() {
    let (cloud, store, e) = setup(1);
    let mut src = source(WORDPRESS);
    src.parameters
        .insert("image".into(), "no-such-image".into());
    let err = e
        .create_stack("wp", src, StackOptions::default())
        .await
        .unwrap_err();
    let EngineError::Template(errors) = err else {
        panic!("not a template error: {err:?}");
    };
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "resources.db_server.properties.image",
            "resources.web_server.properties.image"
        ]
    );
    assert!(errors[0]
        .message
        .contains("The Image (no-such-image) could not be found."));
    assert!(store.stacks(None).await.unwrap().is_empty());
    assert!(cloud.stack_objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_network_misnamed_inside_a_list_is_refused_before_anything_is_created() {
    let (cloud, store, e) = setup(1);
    // `networks[].network` and a port's `fixed_ips[].subnet` carry custom
    // constraints too (Heat checks them when the stack is created).
    let src = source(
        "heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
  web:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.tiny
      networks: [{network: private}, {network: privte}]
  port:
    type: OS::Neutron::Port
    properties: {network: private, fixed_ips: [{subnet: no-such-subnet}]}
",
    );
    let err = e
        .create_stack("listed", src, StackOptions::default())
        .await
        .unwrap_err();
    let EngineError::Template(errors) = err else {
        panic!("not a template error: {err:?}");
    };
    let found: Vec<(&str, u32)> = errors.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert_eq!(
        found,
        [
            ("resources.web.properties.networks[1].network", 9),
            ("resources.port.properties.fixed_ips[0].subnet", 12)
        ],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("privte"), "{errors:?}");
    assert!(store.stacks(None).await.unwrap().is_empty());
    assert!(cloud.stack_objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_image_known_late_fails_with_the_clouds_message_and_rolls_back() {
    let (cloud, store, e) = setup(1);
    // The image comes from another resource, so only the cloud can refuse it.
    let src = source(
        "heat_template_version: 2018-08-31\nresources:\n  image:\n    type: OS::Heat::Value\n    properties: {value: no-such-image}\n  net:\n    type: OS::Neutron::Net\n  server:\n    type: OS::Nova::Server\n    depends_on: net\n    properties: {flavor: m1.tiny, image: {get_attr: [image, value]}}\n",
    );
    let opts = StackOptions {
        disable_rollback: Some(false),
        ..StackOptions::default()
    };
    let s = e.create_stack("wp", src, opts).await.unwrap();
    assert_eq!(s.status_text(), "ROLLBACK_COMPLETE");
    let events = store.events(&s.id).await.unwrap();
    assert!(
        events.iter().any(|ev| ev
            .reason
            .contains("Image no-such-image could not be found.")),
        "{events:?}"
    );
    assert!(cloud.stack_objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn quota_exceeded_is_reported() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let mut config = SimConfig::default();
    config.quotas.insert("server".into(), 1);
    let cloud = Arc::new(SimCloud::new(clock.clone(), config));
    let e = Runner::new(builder::engine(
        cloud.clone(),
        Arc::new(MemoryStore::new()),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
    ));
    let s = e
        .create_stack("wp", source(WORDPRESS), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_FAILED");
    assert!(
        s.reason.contains("Quota exceeded for instances"),
        "{}",
        s.reason
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_at_every_resource_leaves_nothing_behind() {
    let names: Vec<String> = {
        let t = heat_core::template::Template::parse(WORDPRESS).unwrap();
        t.section_map("resources").keys().cloned().collect()
    };
    for rollback in [true, false] {
        for name in &names {
            let (cloud, store, e) = setup(1);
            cloud.inject(SimFault::FailCreate(name.clone()));
            let opts = StackOptions {
                disable_rollback: Some(!rollback),
                ..StackOptions::default()
            };
            let s = e.create_stack("wp", source(WORDPRESS), opts).await.unwrap();
            let expected = if rollback {
                "ROLLBACK_COMPLETE"
            } else {
                "CREATE_FAILED"
            };
            assert_eq!(s.status_text(), expected, "failure at {name}: {}", s.reason);
            assert_no_leaks(&cloud, store.as_ref()).await;
            if rollback {
                assert!(
                    cloud.stack_objects().is_empty(),
                    "failure at {name}: {:?}",
                    cloud.stack_objects()
                );
            }
            e.delete_stack("wp").await.unwrap();
            assert!(
                cloud.stack_objects().is_empty(),
                "failure at {name}: {:?}",
                cloud.stack_objects()
            );
        }
    }
}
