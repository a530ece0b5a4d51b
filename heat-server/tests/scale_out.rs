//! Several heat-server processes on one PostgreSQL database (a private
//! cluster of Debian's package that `.ci/postgres` starts, or the one
//! `HEAT_TEST_POSTGRES` names): they share the work, survive the SIGKILL of
//! any one of them with nothing made twice and nothing leaked, and a cancel
//! sent to one process stops an update running in another.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::servers::{Client, Server};
use sqlx::Row;

/// Five simulated objects in three levels (about three seconds at one
/// second each).
const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: 10.0.5.0/24}
  front:
    type: OS::Neutron::Port
    depends_on: subnet
    properties: {network: {get_resource: net}}
  back:
    type: OS::Neutron::Port
    depends_on: subnet
    properties: {network: {get_resource: net}}
  sg: {type: OS::Neutron::SecurityGroup}
";

/// The simulated cloud's objects that stacks made, alive or gone, by
/// (stack, resource, kind): how many times each was made.
async fn made(database: &str) -> BTreeMap<(String, String, String), (usize, usize)> {
    let pool = sqlx::PgPool::connect(database).await.unwrap();
    let rows = sqlx::query(
        "SELECT data::json->>'stack_id' AS stack, data::json->>'resource' AS resource, \
         data::json->>'kind' AS kind, gone FROM sim_objects WHERE data::json->>'stack_id' <> ''",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut out: BTreeMap<_, (usize, usize)> = BTreeMap::new();
    for r in rows {
        let key = (r.get("stack"), r.get("resource"), r.get("kind"));
        let e = out.entry(key).or_default();
        if r.get::<bool, _>("gone") {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_servers_share_fifty_stacks_and_survive_a_sigkill() {
    let database = common::postgres::fresh_database().await;
    let tmp = common::tempdir("heat-scale-kill-");
    let dir = tmp.path().to_path_buf();
    let a = Server::start(&database, &dir, "a", 1.0, 2.0);
    let mut b = Server::start(&database, &dir, "b", 1.0, 2.0);
    let c = Server::start(&database, &dir, "c", 1.0, 2.0);
    let client = Client::default();

    // Fifty stacks at once, spread over the three.
    let urls = [a.url.clone(), b.url.clone(), c.url.clone()];
    let creates = (0..50).map(|i| {
        let client = client.clone();
        let url = urls[i % 3].clone();
        async move {
            let name = format!("s{i:02}");
            let id = client.create(&url, &name, TEMPLATE).await;
            (name, id)
        }
    });
    let stacks: Vec<(String, String)> = futures::future::join_all(creates).await;
    // Midway, while the first creates of each stack wait for the cloud's
    // answer (half a second), b dies: some objects it made it never knew.
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.kill();

    // Every stack ends, those b ran taken over by a or c once b's leases
    // expired; all are complete (a takeover finishes the create).
    let mut statuses = BTreeMap::new();
    for (name, id) in &stacks {
        let status = client
            .settled(&c.url, name, id, Duration::from_secs(120))
            .await;
        *statuses.entry(status).or_insert(0) += 1;
    }
    assert_eq!(
        statuses,
        BTreeMap::from([("CREATE_COMPLETE".to_string(), 50)]),
        "b's log:\n{}",
        std::fs::read_to_string(&b.log).unwrap_or_default()
    );

    // Each resource was made once (a duplicate made and then cleaned up
    // would show as a gone object), and every one is the stack's own.
    let objects = made(&database).await;
    assert_eq!(objects.len(), 50 * 5, "{objects:?}");
    let twice: Vec<_> = objects.iter().filter(|(_, n)| **n != (1, 0)).collect();
    assert!(twice.is_empty(), "made more than once: {twice:?}");
    let mut found_by_tag = 0;
    for (name, id) in &stacks {
        let ids = client.physical_ids(&a.url, name, id).await;
        assert_eq!(ids.len(), 5, "{name}: {ids:?}");
        found_by_tag += client
            .events(&a.url, name, id)
            .await
            .iter()
            .filter(|e| {
                e["resource_status_reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("made before the engine stopped"))
            })
            .count();
    }
    // The takeover found objects b made but never recorded (the path
    // that would make them twice), not only ones it had recorded.
    assert!(found_by_tag > 0, "no object was found by its tags");

    // Deleted through the survivors: nothing of any stack is left.
    for (i, (name, id)) in stacks.iter().enumerate() {
        let url = if i % 2 == 0 { &a.url } else { &c.url };
        client.delete(url, name, id).await;
    }
    for (name, id) in &stacks {
        let status = client
            .settled(&a.url, name, id, Duration::from_secs(120))
            .await;
        assert_eq!(status, "DELETE_COMPLETE", "{name}");
    }
    let left: Vec<_> = made(&database)
        .await
        .into_iter()
        .filter(|(_, (alive, _))| *alive > 0)
        .collect();
    // On a leak, the events of what leaked say how it went.
    let mut story = String::new();
    for ((stack, resource, _), _) in &left {
        let name = &stacks.iter().find(|(_, id)| id == stack).unwrap().0;
        for e in client.events(&a.url, name, stack).await {
            if e["resource_name"] == resource.as_str() || e["resource_name"] == name.as_str() {
                story.push_str(&format!(
                    "{name} {} {} {}\n",
                    e["resource_name"], e["resource_status"], e["resource_status_reason"]
                ));
            }
        }
    }
    assert!(left.is_empty(), "leaked: {left:?}\n{story}");
}

/// With leases of ten minutes (a renewal every two and a half), the only
/// way the cancel can reach the update in time is the database's
/// notification.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_sent_to_one_server_stops_an_update_running_in_another() {
    let database = common::postgres::fresh_database().await;
    let tmp = common::tempdir("heat-scale-cancel-");
    let dir = tmp.path().to_path_buf();
    let a = Server::start(&database, &dir, "a", 0.0, 600.0);
    let b = Server::start(&database, &dir, "b", 0.0, 600.0);
    let client = Client::default();
    let quick = "heat_template_version: 2018-08-31
resources:
  work: {type: OS::Heat::TestResource, properties: {value: one, wait_secs: 0}}
";
    let id = client.create(&a.url, "slow", quick).await;
    let status = client
        .settled(&a.url, "slow", &id, Duration::from_secs(30))
        .await;
    assert_eq!(status, "CREATE_COMPLETE");
    // The update (running in a) would take an hour.
    let hour = quick
        .replace("value: one", "value: two")
        .replace("wait_secs: 0", "wait_secs: 3600");
    client.update(&a.url, "slow", &id, &hour).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        client.show(&b.url, "slow", &id).await["stack_status"],
        "UPDATE_IN_PROGRESS"
    );
    client
        .action(
            &b.url,
            "slow",
            &id,
            serde_json::json!({"cancel_update": null}),
        )
        .await;
    let status = client
        .settled(&b.url, "slow", &id, Duration::from_secs(60))
        .await;
    assert_eq!(status, "ROLLBACK_COMPLETE");
    // Back to the template of before the update.
    let template: serde_json::Value = client
        .0
        .get(format!("{}/stacks/slow/{id}/template", a.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        template["resources"]["work"]["properties"],
        serde_json::json!({"value": "one", "wait_secs": 0}),
        "{template}"
    );
}
