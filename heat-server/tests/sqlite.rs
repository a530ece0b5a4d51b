//! The SQLite store: the state store contract (the same suite as the
//! memory store, with two connections as two processes), and local mode
//! across processes: a stack and its simulated cloud objects created by one
//! `open` are there for the next.

use std::sync::Arc;

use async_trait::async_trait;
use heat_core::engine::testing::contract::Harness;
use heat_core::engine::testing::Runner;
use heat_core::engine::{EngineConfig, StackOptions, StackSource, StateStore};
use heat_resources::sim::SimConfig;
use heat_server::{builder, SqliteStore};

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

/// Two stores on one new file: two processes' views. The files are
/// removed with the harness (each test makes its own).
#[derive(Default)]
struct Sqlite(std::sync::Mutex<Vec<tempfile::TempDir>>);

#[async_trait]
impl Harness for Sqlite {
    async fn fresh(&self) -> (Arc<dyn StateStore>, Arc<dyn StateStore>) {
        let dir = tempfile::Builder::new()
            .prefix("heat-store-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("state.sqlite");
        self.0.lock().unwrap().push(dir);
        let one = SqliteStore::open(&path).await.unwrap();
        let two = SqliteStore::open(&path).await.unwrap();
        (Arc::new(one), Arc::new(two))
    }
}

heat_core::store_contract_tests!(Sqlite::default());

#[tokio::test]
async fn state_survives_across_processes() {
    let dir = tempfile::Builder::new()
        .prefix("heat-sqlite-")
        .tempdir()
        .unwrap();
    let file = dir.path().join("state.sqlite");
    {
        let l = builder::open(&file, SimConfig::default(), EngineConfig::default())
            .await
            .unwrap();
        let r = Runner::new(l.engine.clone());
        let s = r
            .create_stack("web", source(), StackOptions::default())
            .await
            .unwrap();
        assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
        assert_eq!(s.outputs.unwrap()["ip"]["value"], "192.168.7.3");
    }
    // A new process: the stack, its records and the cloud's objects are there.
    let l = builder::open(&file, SimConfig::default(), EngineConfig::default())
        .await
        .unwrap();
    let s = l
        .store
        .find_stack("project", "web")
        .await
        .unwrap()
        .expect("the stack is stored");
    assert_eq!(s.status_text(), "CREATE_COMPLETE");
    assert!(s.lease.is_none(), "the finished create released the stack");
    assert_eq!(l.store.resources(&s.id).await.unwrap().len(), 3);
    assert_eq!(l.cloud.stack_objects().len(), 3);
    let events = l.store.events(&s.id).await.unwrap();
    assert_eq!(events.first().unwrap().reason, "Stack CREATE started");
    assert_eq!(
        events.last().unwrap().reason,
        "Stack CREATE completed successfully"
    );
    Runner::new(l.engine.clone())
        .delete_stack("web")
        .await
        .unwrap();
    assert!(l.cloud.stack_objects().is_empty());
    drop(l);
    let l = builder::open(&file, SimConfig::default(), EngineConfig::default())
        .await
        .unwrap();
    assert!(
        l.cloud.stack_objects().is_empty(),
        "deleted objects stay deleted"
    );
    let left = l.store.stacks(None).await.unwrap();
    assert!(left.iter().all(|s| s.is_deleted()), "{left:?}");
    assert!(l
        .store
        .find_stack("project", "web")
        .await
        .unwrap()
        .is_none());
}
