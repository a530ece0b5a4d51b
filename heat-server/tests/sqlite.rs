//! The SQLite store: the engine's contract (unique names, compare-and-swap,
//! records and events in order), and local mode across processes: a stack
//! and its simulated cloud objects created by one `open` are there for the
//! next.

use std::sync::Arc;

use heat_core::engine::{EngineConfig, StackOptions, StackSource, StateStore, StoreError};
use heat_resources::sim::SimConfig;
use heat_server::{local, SqliteStore};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: 192.168.7.0/24}
  server:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.tiny
      networks: [{network: {get_resource: net}}]
    depends_on: subnet
outputs:
  ip: {value: {get_attr: [server, first_address]}}
";

fn source() -> StackSource {
    StackSource {
        template: TEMPLATE.into(),
        ..StackSource::default()
    }
}

#[tokio::test]
async fn state_survives_across_processes() {
    let dir = std::env::temp_dir().join(format!("heat-sqlite-{}", std::process::id()));
    let file = dir.join("state.sqlite");
    let _ = std::fs::remove_file(&file);
    {
        let l = local::open(&file, SimConfig::default(), EngineConfig::default())
            .await
            .unwrap();
        let s = l
            .engine
            .create_stack("web", source(), StackOptions::default())
            .await
            .unwrap();
        assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
        assert_eq!(s.outputs.unwrap()["ip"]["value"], "192.168.7.3");
    }
    // A new process: the stack, its records and the cloud's objects are there.
    let l = local::open(&file, SimConfig::default(), EngineConfig::default())
        .await
        .unwrap();
    let s = l
        .store
        .stack("web")
        .await
        .unwrap()
        .expect("the stack is stored");
    assert_eq!(s.status_text(), "CREATE_COMPLETE");
    assert_eq!(l.store.resources(&s.id).await.unwrap().len(), 3);
    assert_eq!(l.cloud.stack_objects().len(), 3);
    assert!(!l.store.events(&s.id).await.unwrap().is_empty());
    l.engine.delete_stack("web").await.unwrap();
    assert!(l.cloud.stack_objects().is_empty());
    drop(l);
    let l = local::open(&file, SimConfig::default(), EngineConfig::default())
        .await
        .unwrap();
    assert!(
        l.cloud.stack_objects().is_empty(),
        "deleted objects stay deleted"
    );
    assert!(l.store.stacks().await.unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn names_are_unique_and_updates_compare_and_swap() {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    let l = heat_core::engine::Engine::new(
        Arc::new(heat_resources::ResourceDriver::new(
            Arc::new(heat_resources::sim::SimCloud::new(
                Arc::new(heat_server::SystemClock),
                SimConfig::default(),
            )),
            Arc::new(heat_server::SystemClock),
        )),
        store.clone(),
        Arc::new(heat_server::SystemClock),
        Arc::new(heat_resources::Catalog),
        EngineConfig::default(),
    );
    let s = l
        .create_stack("a", source(), StackOptions::default())
        .await
        .unwrap();
    let again = l
        .create_stack("a", source(), StackOptions::default())
        .await
        .unwrap_err();
    assert_eq!(again.to_string(), "The Stack (a) already exists.");
    let mut stale = s.clone();
    stale.reason = "stale write".into();
    let err = store
        .update_stack(&stale, s.traversal - 1)
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Conflict("a".into()));
    let stored = store.stack(&s.id).await.unwrap().unwrap();
    assert_eq!(stored.reason, s.reason);
    let events = store.events(&s.id).await.unwrap();
    assert_eq!(events.first().unwrap().reason, "Stack CREATE started");
    assert_eq!(
        events.last().unwrap().reason,
        "Stack CREATE completed successfully"
    );
}
