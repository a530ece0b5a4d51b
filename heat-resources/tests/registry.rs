//! Types Heat 27 still registers though they do nothing any more (its
//! `NoneResource` placeholders: LBaaS v1, Magnum bays, Monasca, combination
//! alarms) and deprecated names (`OS::Heat::SoftwareDeployments`): a
//! template using them validates, whatever their properties, and creates
//! nothing in the cloud, as on Heat.

use std::sync::Arc;

use heat_core::engine::testing::Runner;
use heat_core::engine::{Clock, EngineConfig, MemoryStore, StackOptions, StackSource};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_resources::Catalog;
use heat_server::{builder, SystemClock, TokioSpawner};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  pool:
    type: OS::Neutron::Pool
    properties: {protocol: HTTP, subnet: private-subnet, lb_method: ROUND_ROBIN, vip: {protocol_port: 80}}
  monitor:
    type: OS::Neutron::HealthMonitor
    properties: {type: HTTP, delay: 3, max_retries: 5, timeout: 10}
  member:
    type: OS::Neutron::PoolMember
    properties: {pool_id: {get_resource: pool}, address: 10.0.0.5, protocol_port: 80}
  bay: {type: OS::Magnum::Bay, properties: {baymodel: m, node_count: 2}}
  notify: {type: OS::Monasca::Notification, properties: {type: email, address: a@example.com}}
  combined: {type: OS::Aodh::CombinationAlarm, properties: {alarm_ids: [a, b]}}
";

#[tokio::test]
async fn heat_placeholder_types_validate_and_make_nothing() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(clock.clone(), SimConfig::default()));
    let runner = Runner::new(builder::engine(
        cloud.clone(),
        Arc::new(MemoryStore::new()),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
    ));
    let s = runner
        .create_stack(
            "old",
            StackSource {
                template: TEMPLATE.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    assert!(
        cloud.stack_objects().is_empty(),
        "{:?}",
        cloud.stack_objects()
    );
}

#[test]
fn every_type_heat_registers_is_known() {
    // A sample across Heat's plugins, the ones added last among them.
    let names = Catalog.names();
    for t in [
        "OS::Heat::SoftwareDeployments",
        "OS::Heat::StructuredDeployments",
        "OS::Neutron::FlowClassifier",
        "OS::Neutron::PortChain",
        "OS::Neutron::PortPair",
        "OS::Neutron::PortPairGroup",
        "OS::Octavia::AvailabilityZone",
        "OS::Octavia::AvailabilityZoneProfile",
        "OS::Magnum::BayModel",
        "OS::Monasca::AlarmDefinition",
        "OS::Neutron::LoadBalancer",
    ] {
        assert!(names.contains(&t), "{t} missing");
    }
    assert!(!names.contains(&"OS::Ceilometer::Alarm"));
}
