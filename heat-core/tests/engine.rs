//! The engine against the fake cloud, in virtual time: create, delete,
//! update (in place, replace, immutable, restricted), preview, rollback,
//! cancel, timeouts, retries, conflicts, check, suspend and resume.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use heat_core::engine::testing::{CrashingStore, FakeDriver, Fault};
use heat_core::engine::{ChangeKind, EngineError, MemoryStore, StackOptions, StateStore, Status};

fn setup(latency_secs: u64) -> (Arc<FakeDriver>, Arc<MemoryStore>, TestEngine) {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(latency_secs),
    ));
    let store = Arc::new(MemoryStore::new());
    let e = engine(driver.clone(), store.clone(), 0);
    (driver, store, e)
}

const WEB: &str = "heat_template_version: 2018-08-31
parameters:
  greeting: {type: string, default: hello}
resources:
  net:
    type: OS::Heat::Value
    properties: {value: net}
  server:
    type: OS::Heat::Value
    properties:
      value: {list_join: [' ', [{get_param: greeting}, {get_attr: [net, value]}]]}
      flavor: small
outputs:
  message: {value: {get_attr: [server, value]}}
  server_id: {value: {get_resource: server}}
";

#[tokio::test(start_paused = true)]
async fn create_resolves_attributes_and_outputs_then_delete_cleans_up() {
    let (driver, store, e) = setup(1);
    let stack = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE");
    let outputs = stack.outputs.clone().unwrap();
    assert_eq!(outputs["message"]["value"], "hello net");
    let records = names(&store.resources(&stack.id).await.unwrap());
    assert_eq!(
        outputs["server_id"]["value"],
        records["server"].physical_id.clone().unwrap()
    );
    assert_eq!(driver.objects().len(), 2);
    let events = store.events(&stack.id).await.unwrap();
    let server_events: Vec<String> = events
        .iter()
        .filter(|e| e.resource_name == "server")
        .map(|e| format!("{}_{}", e.action.name(), e.status.name()))
        .collect();
    assert_eq!(server_events, ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    assert_no_leaks(&driver, store.as_ref()).await;
    e.delete_stack("web").await.unwrap();
    assert!(driver.objects().is_empty());
    assert!(store.find_stack("project", "web").await.unwrap().is_none());
    let log = driver.log();
    let del_server = log.iter().position(|l| l == "delete server").unwrap();
    let del_net = log.iter().position(|l| l == "delete net").unwrap();
    assert!(del_server < del_net, "{log:?}");
}

#[tokio::test(start_paused = true)]
async fn a_second_stack_of_the_same_name_is_refused() {
    let (_, _, e) = setup(0);
    e.create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let err = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "The Stack (web) already exists.");
}

#[tokio::test(start_paused = true)]
async fn an_invalid_template_is_refused_before_anything_is_created() {
    let (driver, store, e) = setup(0);
    let err = e.create_stack("bad", source("heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Value, depends_on: ghost}\n"), StackOptions::default()).await.unwrap_err();
    assert!(matches!(err, EngineError::Template(_)), "{err}");
    assert!(err.to_string().contains("ghost"));
    assert!(driver.objects().is_empty());
    assert!(store.stacks(None).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn update_in_place_replace_and_unchanged() {
    let (driver, store, e) = setup(1);
    let stack = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let before = names(&store.resources(&stack.id).await.unwrap());
    // `value` updates in place; `flavor` replaces.
    let changed = WEB
        .replace("default: hello", "default: bonjour")
        .replace("flavor: small", "flavor: large");
    let preview = e.preview_update("web", source(&changed)).await.unwrap();
    let server = preview.iter().find(|c| c.name == "server").unwrap();
    assert_eq!(
        server.kind,
        ChangeKind::Replaced {
            reason: "flavor".into()
        }
    );
    assert_eq!(
        preview.iter().find(|c| c.name == "net").unwrap().kind,
        ChangeKind::Unchanged
    );
    let updated = e
        .update_stack("web", source(&changed), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(updated.status_text(), "UPDATE_COMPLETE");
    assert_eq!(updated.outputs.unwrap()["message"]["value"], "bonjour net");
    let after = names(&store.resources(&stack.id).await.unwrap());
    assert_eq!(
        after["net"].physical_id, before["net"].physical_id,
        "net untouched"
    );
    assert_ne!(
        after["server"].physical_id, before["server"].physical_id,
        "server replaced"
    );
    assert_eq!(driver.objects().len(), 2, "the old server is deleted");
    // Now only `value` changes: in place.
    let again = changed.replace("default: bonjour", "default: hola");
    let preview = e.preview_update("web", source(&again)).await.unwrap();
    assert_eq!(
        preview.iter().find(|c| c.name == "server").unwrap().kind,
        ChangeKind::Updated {
            properties: vec!["value".into()]
        }
    );
    e.update_stack("web", source(&again), StackOptions::default())
        .await
        .unwrap();
    let last = names(&store.resources(&stack.id).await.unwrap());
    assert_eq!(
        last["server"].physical_id, after["server"].physical_id,
        "updated in place"
    );
    assert!(driver.log().contains(&"update server".to_string()));
    assert_no_leaks(&driver, store.as_ref()).await;
}

#[tokio::test(start_paused = true)]
async fn patch_update_reuses_template_and_parameters() {
    let (_, _, e) = setup(0);
    let mut src = source(WEB);
    src.parameters.insert("greeting".into(), "hi".into());
    e.create_stack("web", src, StackOptions::default())
        .await
        .unwrap();
    let s = e.patch("web", Default::default(), vec![]).await;
    assert_eq!(s.status_text(), "UPDATE_COMPLETE", "{}", s.reason);
    assert_eq!(s.outputs.unwrap()["message"]["value"], "hi net");
    let mut bye = serde_json::Map::new();
    bye.insert("greeting".into(), "bye".into());
    let s = e.patch("web", bye, vec![]).await;
    assert_eq!(s.outputs.unwrap()["message"]["value"], "bye net");
    let s = e
        .patch("web", Default::default(), vec!["greeting".into()])
        .await;
    assert_eq!(s.outputs.unwrap()["message"]["value"], "hello net");
}

#[tokio::test(start_paused = true)]
async fn an_immutable_change_fails_the_update() {
    let (_, _, e) = setup(0);
    let t = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Value, properties: {immutable: one}}\n";
    e.create_stack("s", source(t), StackOptions::default())
        .await
        .unwrap();
    let s = e
        .update_stack(
            "s",
            source(&t.replace("one", "two")),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(s.status_text(), "UPDATE_FAILED");
    assert!(s.reason.contains("immutable"), "{}", s.reason);
}

#[tokio::test(start_paused = true)]
async fn restricted_actions_are_honoured() {
    let (_, _, e) = setup(0);
    let t = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Value, properties: {flavor: one}}\n";
    let mut src = source(t);
    src.resource_registry =
        serde_json::json!({"resources": {"a": {"restricted_actions": ["replace"]}}})
            .as_object()
            .unwrap()
            .clone();
    e.create_stack("s", src.clone(), StackOptions::default())
        .await
        .unwrap();
    let mut next = src.clone();
    next.template = t.replace("one", "two");
    let s = e
        .update_stack("s", next, StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "UPDATE_FAILED");
    assert!(
        s.reason.contains("replace is restricted for resource."),
        "{}",
        s.reason
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_create_rolls_back_when_enabled() {
    let (driver, store, e) = setup(1);
    driver.inject(Fault::FailCreate("server".into()));
    let opts = StackOptions {
        disable_rollback: Some(false),
        ..StackOptions::default()
    };
    let s = e.create_stack("web", source(WEB), opts).await.unwrap();
    assert_eq!(s.status_text(), "ROLLBACK_COMPLETE");
    assert!(driver.objects().is_empty());
    assert_no_leaks(&driver, store.as_ref()).await;
    let reasons: Vec<String> = store
        .events(&s.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.resource_name == "web")
        .map(|e| e.reason)
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("server") && r.contains("injected failure")),
        "{reasons:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn hot_templates_do_not_roll_back_by_default() {
    let (driver, store, e) = setup(1);
    driver.inject(Fault::FailCreate("server".into()));
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_FAILED");
    assert!(s.reason.contains("resources.server"), "{}", s.reason);
    assert_no_leaks(&driver, store.as_ref()).await;
    // Deleting a failed stack leaves nothing behind.
    e.delete_stack("web").await.unwrap();
    assert!(driver.objects().is_empty());
}

/// A check of a stack whose create failed before the cloud gave the
/// server an id fails on that server (it is not skipped, as it once was),
/// and checks the others.
#[tokio::test(start_paused = true)]
async fn a_check_fails_on_a_resource_never_made() {
    let (driver, store, e) = setup(1);
    driver.inject(Fault::RefuseCreate("server".into()));
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_FAILED");
    let server = names(&store.resources(&s.id).await.unwrap())["server"].clone();
    assert_eq!(server.physical_id, None);
    let checked = e.check_stack("web").await.unwrap();
    assert_eq!(checked.status_text(), "CHECK_FAILED");
    assert!(
        checked
            .reason
            .contains("Can not check server, resource not created yet."),
        "{}",
        checked.reason
    );
    let states: std::collections::BTreeMap<String, String> = store
        .resources(&s.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name.clone(), format!("{:?}_{:?}", r.action, r.status)))
        .collect();
    assert_eq!(states["server"], "Check_Failed", "{states:?}");
    assert_eq!(states["net"], "Check_Complete", "{states:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_update_rolls_back_to_the_previous_template() {
    let (driver, store, e) = setup(1);
    let opts = StackOptions {
        disable_rollback: Some(false),
        ..StackOptions::default()
    };
    let s = e
        .create_stack("web", source(WEB), opts.clone())
        .await
        .unwrap();
    let before = names(&store.resources(&s.id).await.unwrap());
    driver.inject(Fault::FailCreate("extra".into()));
    let bigger = WEB.replace("flavor: small", "flavor: large").replace(
        "outputs:",
        "  extra:\n    type: OS::Heat::Value\n    properties: {value: x}\noutputs:",
    );
    let s = e.update_stack("web", source(&bigger), opts).await.unwrap();
    assert_eq!(s.status_text(), "ROLLBACK_COMPLETE", "{}", s.reason);
    let after = names(&store.resources(&s.id).await.unwrap());
    assert_eq!(
        after.keys().collect::<std::collections::BTreeSet<_>>(),
        before.keys().collect()
    );
    assert_eq!(after["net"].physical_id, before["net"].physical_id);
    // The server the update changed is the one from before, as it was.
    assert_eq!(after["server"].physical_id, before["server"].physical_id);
    assert_eq!(
        after["server"].properties["flavor"],
        before["server"].properties["flavor"]
    );
    let held = driver
        .objects()
        .into_iter()
        .find(|o| Some(&o.id) == before["server"].physical_id.as_ref())
        .expect("the server is in the cloud");
    assert_eq!(held.properties["flavor"], "small", "{:?}", held.properties);
    assert_eq!(s.outputs.unwrap()["message"]["value"], "hello net");
    assert_no_leaks(&driver, store.as_ref()).await;
}

#[tokio::test(start_paused = true)]
async fn transient_errors_are_retried() {
    let (driver, _, e) = setup(0);
    driver.inject(Fault::Transient("server".into(), 2));
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE");
}

/// A create whose reply was lost (the object made, a timeout heard) is
/// not made again: the engine looks for it by its tags before retrying.
#[tokio::test(start_paused = true)]
async fn a_create_whose_reply_was_lost_is_found_not_made_twice() {
    let (driver, store, e) = setup(0);
    driver.inject(Fault::LostReply("server".into(), 2));
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE", "{}", s.reason);
    let servers: Vec<_> = driver
        .objects()
        .into_iter()
        .filter(|o| o.resource == "server")
        .collect();
    assert_eq!(servers.len(), 1, "{servers:?}");
    let creates = driver
        .log()
        .iter()
        .filter(|l| *l == "create server")
        .count();
    assert_eq!(creates, 1, "{:?}", driver.log());
    e.delete_stack("web").await.unwrap();
    assert!(driver.objects().is_empty(), "{:?}", driver.objects());
    assert_no_leaks(&driver, store.as_ref()).await;
}

/// A replacement whose create reply was lost does not take the object it
/// replaces (which carries the same tags and is then deleted) but the one
/// made for it: the stack keeps a live server, never the deleted one, and
/// no second one is made.
#[tokio::test(start_paused = true)]
async fn a_replacement_whose_reply_was_lost_does_not_take_the_replaced_object() {
    let (driver, store, e) = setup(0);
    let stack = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let old = names(&store.resources(&stack.id).await.unwrap())["server"]
        .physical_id
        .clone()
        .unwrap();
    driver.inject(Fault::LostReply("server".into(), 1));
    let updated = e
        .update_stack(
            "web",
            source(&WEB.replace("flavor: small", "flavor: large")),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        updated.status_text(),
        "UPDATE_COMPLETE",
        "{}",
        updated.reason
    );
    let now = names(&store.resources(&stack.id).await.unwrap())["server"]
        .physical_id
        .clone()
        .unwrap();
    assert_ne!(now, old, "replaced");
    let held = driver.objects();
    assert!(
        held.iter().any(|o| o.id == now),
        "the stack's server exists: {held:?}"
    );
    assert!(
        held.iter().all(|o| o.id != old),
        "the old one is deleted: {held:?}"
    );
    // The one whose reply was lost is the one taken: no second one made.
    let servers = held.iter().filter(|o| o.resource == "server").count();
    assert_eq!(servers, 1, "{held:?}");
    assert_no_leaks(&driver, store.as_ref()).await;
}

#[tokio::test(start_paused = true)]
async fn a_hanging_resource_times_out() {
    let (driver, store, e) = setup(0);
    driver.inject(Fault::Hang("server".into()));
    let opts = StackOptions {
        timeout_mins: Some(1),
        ..StackOptions::default()
    };
    let s = e.create_stack("web", source(WEB), opts).await.unwrap();
    assert_eq!(s.status_text(), "CREATE_FAILED");
    assert!(s.reason.contains("timed out"), "{}", s.reason);
    driver.clear_faults();
    e.delete_stack("web").await.unwrap();
    assert!(driver.objects().is_empty());
    assert_no_leaks(&driver, store.as_ref()).await;
}

#[tokio::test(start_paused = true)]
async fn a_second_update_replaces_a_busy_one_and_a_delete_cancels_it() {
    let (driver, store, e) = setup(10);
    e.create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let slow = WEB.replace("flavor: small", "flavor: large");
    let e2 = e.clone();
    let slow2 = slow.clone();
    let running = tokio::spawn(async move {
        e2.update_stack("web", source(&slow2), StackOptions::default())
            .await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    // As Heat's convergence: the second update is accepted, the first stops.
    let second = e
        .update_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(second.status_text(), "UPDATE_COMPLETE", "{}", second.reason);
    assert!(second.source.template.contains("flavor: small"));
    running.await.unwrap().unwrap();
    let e2 = e.clone();
    let running = tokio::spawn(async move {
        e2.update_stack("web", source(&slow), StackOptions::default())
            .await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    // A delete does not wait for the update (10 s per resource): it
    // cancels it, then deletes.
    let started = tokio::time::Instant::now();
    let deleted = e.delete_stack("web").await.unwrap();
    assert_eq!(
        deleted.status_text(),
        "DELETE_COMPLETE",
        "{}",
        deleted.reason
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(store.find_stack("project", "web").await.unwrap().is_none());
    assert!(driver.objects().is_empty(), "{:?}", driver.objects());
    let updated = running.await.unwrap().unwrap();
    assert_eq!(updated.status_text(), "DELETE_COMPLETE");
}

/// A cancel that arrives as soon as the update is accepted, before it
/// converges anything, rolls it back too (it once failed the update
/// without a rollback).
#[tokio::test(start_paused = true)]
async fn a_cancel_as_soon_as_an_update_is_accepted_rolls_it_back() {
    let (driver, store, e) = setup(10);
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let before = names(&store.resources(&s.id).await.unwrap());
    let slow = WEB.replace("flavor: small", "flavor: large");
    let accepted = e
        .engine()
        .update_stack(&s, source(&slow), StackOptions::default())
        .await
        .unwrap();
    e.engine().cancel_update(&accepted, true).await.unwrap();
    let done = e.wait(accepted).await;
    assert_eq!(done.status_text(), "ROLLBACK_COMPLETE", "{}", done.reason);
    let after = names(&store.resources(&s.id).await.unwrap());
    assert_eq!(after["server"].properties, before["server"].properties);
    assert_no_leaks(&driver, store.as_ref()).await;
}

/// A rolled-back update never shows `UPDATE_FAILED` in between (a client
/// waiting for the end, as boto3's waiters do, would stop there): the
/// failure's event goes in with the rollback's start.
#[tokio::test(start_paused = true)]
async fn a_rolled_back_update_is_never_seen_failed() {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(10),
    ));
    let memory = Arc::new(MemoryStore::new());
    let recorded = Arc::new(CrashingStore::new(memory.clone(), u64::MAX));
    let e = engine(driver.clone(), recorded.clone(), 0);
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let slow = WEB.replace("flavor: small", "flavor: large");
    let accepted = e
        .engine()
        .update_stack(&s, source(&slow), StackOptions::default())
        .await
        .unwrap();
    e.engine().cancel_update(&accepted, true).await.unwrap();
    let done = e.wait(accepted).await;
    assert_eq!(done.status_text(), "ROLLBACK_COMPLETE", "{}", done.reason);
    let states = recorded.states();
    let after_update: Vec<&str> = states
        .iter()
        .map(String::as_str)
        .skip_while(|s| *s != "UPDATE_IN_PROGRESS")
        .collect();
    assert_eq!(
        after_update,
        [
            "UPDATE_IN_PROGRESS",
            "ROLLBACK_IN_PROGRESS",
            "ROLLBACK_COMPLETE"
        ],
        "{states:?}"
    );
    // The failure is still told, as an event.
    let events = memory.events(&s.id).await.unwrap();
    assert!(
        events.iter().any(|ev| ev.resource_name == "web"
            && ev.status == Status::Failed
            && ev.reason == "Stack UPDATE cancelled"),
        "{events:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn cancel_update_rolls_back() {
    let (driver, store, e) = setup(10);
    let s = e
        .create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    let before = names(&store.resources(&s.id).await.unwrap());
    let slow = WEB
        .replace("flavor: small", "flavor: large")
        .replace("value: net", "value: net2")
        .replace("  server:\n", "  server:\n    depends_on: net\n");
    let e2 = e.clone();
    let running = tokio::spawn(async move {
        e2.update_stack("web", source(&slow), StackOptions::default())
            .await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    e.cancel_update("web", true).await.unwrap();
    let done = running.await.unwrap().unwrap();
    assert_eq!(done.status_text(), "ROLLBACK_COMPLETE", "{}", done.reason);
    let after = names(&store.resources(&s.id).await.unwrap());
    assert_eq!(after["server"].physical_id, before["server"].physical_id);
    assert_no_leaks(&driver, store.as_ref()).await;
}

#[tokio::test(start_paused = true)]
async fn check_suspend_and_resume() {
    let (driver, _, e) = setup(0);
    e.create_stack("web", source(WEB), StackOptions::default())
        .await
        .unwrap();
    assert_eq!(
        e.check_stack("web").await.unwrap().status_text(),
        "CHECK_COMPLETE"
    );
    assert_eq!(
        e.suspend_stack("web").await.unwrap().status_text(),
        "SUSPEND_COMPLETE"
    );
    assert_eq!(
        e.resume_stack("web").await.unwrap().status_text(),
        "RESUME_COMPLETE"
    );
    // An object deleted behind Heat's back fails the check.
    let id = driver.objects()[0].id.clone();
    use heat_core::engine::Driver;
    driver.delete("OS::Heat::Value", &id).await.unwrap();
    let s = e.check_stack("web").await.unwrap();
    assert_eq!(s.status_text(), "CHECK_FAILED");
    assert_eq!(s.status, Status::Failed);
}

#[tokio::test(start_paused = true)]
async fn retained_resources_stay_in_the_cloud() {
    let (driver, _, e) = setup(0);
    let t = "heat_template_version: 2018-08-31\nresources:\n  keep: {type: OS::Heat::Value, deletion_policy: Retain}\n  drop: {type: OS::Heat::Value}\n";
    e.create_stack("s", source(t), StackOptions::default())
        .await
        .unwrap();
    e.delete_stack("s").await.unwrap();
    let left: Vec<String> = driver.objects().into_iter().map(|o| o.resource).collect();
    assert_eq!(left, ["keep"]);
}

#[test]
fn engine_operations_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (_, _, e) = setup(0);
    let f = e.create_stack("web", source(WEB), StackOptions::default());
    assert_send(&f);
}

#[tokio::test(start_paused = true)]
async fn cancel_without_rollback_leaves_the_update_failed() {
    let (driver, store, e) = setup(10);
    e.create_stack(
        "web",
        source(WEB),
        StackOptions {
            disable_rollback: Some(false),
            ..StackOptions::default()
        },
    )
    .await
    .unwrap();
    let slow = WEB.replace("flavor: small", "flavor: large");
    let e2 = e.clone();
    let running = tokio::spawn(async move {
        e2.update_stack("web", source(&slow), StackOptions::default())
            .await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    e.cancel_update("web", false).await.unwrap();
    let done = running.await.unwrap().unwrap();
    assert_eq!(done.status_text(), "UPDATE_FAILED", "{}", done.reason);
    assert_no_leaks(&driver, store.as_ref()).await;
}

#[tokio::test(start_paused = true)]
async fn the_first_failure_fails_the_stack_at_once_and_cuts_the_other_waits_short() {
    let (driver, store, e) = setup(1);
    // `slow` takes an hour to build; `bad` fails after one second.
    driver.set_latency("slow", Duration::from_secs(3600));
    driver.inject(Fault::FailCreate("bad".into()));
    let t = "heat_template_version: 2018-08-31
resources:
  slow: {type: OS::Heat::Value, properties: {value: s}}
  bad: {type: OS::Heat::Value, properties: {value: b}}
  after: {type: OS::Heat::Value, properties: {value: {get_attr: [slow, value]}}}
";
    let started = tokio::time::Instant::now();
    let s = e
        .create_stack("s", source(t), StackOptions::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(s.status_text(), "CREATE_FAILED");
    assert!(s.reason.contains("resources.bad"), "{}", s.reason);
    // Virtual time: the stack failed when `bad` did, not an hour later.
    assert!(took < Duration::from_secs(2), "{took:?}");
    let records = names(&store.resources(&s.id).await.unwrap());
    assert_eq!(records["slow"].status_text(), "CREATE_FAILED");
    assert_eq!(records["slow"].reason, "CREATE cancelled");
    assert!(
        !records.contains_key("after"),
        "nothing starts after a failure"
    );
    // The cancelled object is known and deleted with the stack.
    assert_no_leaks(&driver, store.as_ref()).await;
    e.delete_stack("s").await.unwrap();
    assert!(driver.objects().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_missing_parameter_is_refused_before_any_stack_exists() {
    let (_, store, e) = setup(0);
    let t = "heat_template_version: 2018-08-31
parameters:
  img: {type: string}
resources:
  a: {type: OS::Heat::Value, properties: {value: {get_param: img}}}
";
    let err = e
        .create_stack("s", source(t), StackOptions::default())
        .await
        .unwrap_err();
    let EngineError::Template(errors) = err else {
        panic!("{err:?}");
    };
    assert_eq!(errors[0].message, "The Parameter (img) was not provided.");
    assert_eq!(errors[0].path, "parameters.img");
    assert!(store.stacks(None).await.unwrap().is_empty());
    // The name stays free.
    let mut src = source(t);
    src.parameters.insert("img".into(), "cirros".into());
    let s = e
        .create_stack("s", src, StackOptions::default())
        .await
        .unwrap();
    assert_eq!(s.status_text(), "CREATE_COMPLETE");
}
