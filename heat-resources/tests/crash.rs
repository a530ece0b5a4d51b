//! A crash (the process's tasks aborted) after every persisted step of creating and
//! deleting a networked stack on the simulated cloud, then a restart: the
//! stack ends settled, and the cloud holds exactly the objects the store
//! knows; deleting afterwards leaves nothing.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::testing::{CrashingStore, Runner};
use heat_core::engine::{
    Clock, EngineConfig, MemoryStore, Spawner, StackOptions, StackSource, StateStore, Status,
};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_server::{builder, AbortableSpawner, SystemClock, TokioSpawner};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
  subnet: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.9.0.0/24}}
  port: {type: OS::Neutron::Port, properties: {network: {get_resource: net}}}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{port: {get_resource: port}}]}
  volume: {type: OS::Cinder::Volume, properties: {size: 1}}
  attach: {type: OS::Cinder::VolumeAttachment, properties: {instance_uuid: {get_resource: server}, volume_id: {get_resource: volume}}}
";

fn engine(
    cloud: &Arc<SimCloud>,
    clock: &Arc<dyn Clock>,
    store: Arc<dyn StateStore>,
    spawner: Arc<dyn Spawner>,
) -> Runner {
    Runner::new(builder::engine(
        cloud.clone(),
        store,
        clock.clone(),
        spawner,
        EngineConfig::default(),
    ))
}

async fn assert_consistent(cloud: &SimCloud, store: &MemoryStore, at: u64) {
    let mut known: Vec<String> = Vec::new();
    for s in store.stacks(None).await.unwrap() {
        assert_ne!(
            s.status,
            Status::InProgress,
            "crash at {at}: {} left {}",
            s.name,
            s.status_text()
        );
        for r in store.resources(&s.id).await.unwrap() {
            known.extend(r.physical_id);
        }
    }
    for o in cloud.stack_objects() {
        assert!(
            known.contains(&o.id),
            "crash at {at}: {} {} leaked",
            o.kind,
            o.resource
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_every_persisted_step_is_recovered_on_the_sim() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let source = StackSource {
        template: TEMPLATE.into(),
        ..StackSource::default()
    };
    // Count the writes of a clean life.
    let counting = Arc::new(CrashingStore::new(Arc::new(MemoryStore::new()), u64::MAX));
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_secs(1)),
    ));
    let e = engine(&cloud, &clock, counting.clone(), Arc::new(TokioSpawner));
    e.create_stack("s", source.clone(), StackOptions::default())
        .await
        .unwrap();
    e.delete_stack("s").await.unwrap();
    let total = counting.writes();
    assert!(total > 30, "{total}");
    // The resources whose object a restart found by its tags (made before
    // the crash, its id never recorded) rather than made again.
    let mut found_by_tag = std::collections::BTreeSet::new();
    for crash_at in 0..total {
        let cloud = Arc::new(SimCloud::new(
            clock.clone(),
            SimConfig::with_latency(Duration::from_secs(1)),
        ));
        let memory = Arc::new(MemoryStore::new());
        let dying = Arc::new(CrashingStore::new(memory.clone(), crash_at));
        let process = Arc::new(AbortableSpawner::default());
        let e = engine(&cloud, &clock, dying.clone(), process.clone());
        let life = async {
            if e.create_stack("s", source.clone(), StackOptions::default())
                .await
                .is_ok()
                && !dying.crashed()
            {
                let _ = e.delete_stack("s").await;
            }
        };
        tokio::select! {
            _ = life => {}
            _ = async { while !dying.crashed() { tokio::time::sleep(Duration::from_millis(10)).await } } => {}
        }
        process.abort_all();
        drop(e);
        let e = engine(&cloud, &clock, memory.clone(), Arc::new(TokioSpawner));
        e.recover().await;
        assert_consistent(&cloud, &memory, crash_at).await;
        for stack in memory.stacks(None).await.unwrap() {
            for event in memory.events(&stack.id).await.unwrap() {
                if event.reason.contains("made before the engine stopped") {
                    found_by_tag.insert(event.resource_name);
                }
            }
        }
        if memory.find_stack("project", "s").await.unwrap().is_some() {
            e.delete_stack("s").await.unwrap();
        }
        assert!(
            cloud.stack_objects().is_empty(),
            "crash at {crash_at}: leaked {:?}",
            cloud.stack_objects()
        );
    }
    // Every tagged kind took the adoption path at least once.
    assert_eq!(
        found_by_tag.into_iter().collect::<Vec<_>>(),
        ["attach", "net", "port", "server", "subnet", "volume"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_snapshot_policy_keeps_a_snapshot_after_delete() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(clock.clone(), SimConfig::default()));
    let e = engine(
        &cloud,
        &clock,
        Arc::new(MemoryStore::new()),
        Arc::new(TokioSpawner),
    );
    let t = "heat_template_version: 2018-08-31\nresources:\n  data: {type: OS::Cinder::Volume, properties: {size: 2}, deletion_policy: Snapshot}\n";
    e.create_stack(
        "s",
        StackSource {
            template: t.into(),
            ..StackSource::default()
        },
        StackOptions::default(),
    )
    .await
    .unwrap();
    e.delete_stack("s").await.unwrap();
    assert!(cloud.stack_objects().is_empty());
    let snapshots: Vec<_> = cloud
        .objects()
        .into_iter()
        .filter(|o| o.kind == "volume_snapshot")
        .collect();
    assert_eq!(snapshots.len(), 1);
}
