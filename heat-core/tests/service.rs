//! The stack service as the CLI and the APIs call it: projects never see
//! or touch each other's stacks, by name or by id; operations are accepted
//! before they run; requests are assembled from their parts; lists, events
//! and resources are filtered, sorted and paged as Heat does.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use heat_core::engine::testing::FakeDriver;
use heat_core::engine::{MemoryStore, RequestContext, StackOptions};
use heat_core::service::{
    EventQuery, ResourceQuery, ServiceError, SortDir, SourceParts, StackQuery, UpdateRequest,
};
use serde_json::json;

const T: &str = "heat_template_version: 2018-08-31
parameters:
  v: {type: string, default: one}
resources:
  a: {type: OS::Heat::Value, properties: {value: {get_param: v}}}
  b: {type: OS::Heat::Value, properties: {value: {get_attr: [a, value]}}}
outputs:
  b: {value: {get_attr: [b, value]}}
";

fn service(latency: u64) -> (Arc<FakeDriver>, TestEngine) {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(latency),
    ));
    let e = engine(driver.clone(), Arc::new(MemoryStore::new()), 0);
    (driver, e)
}

fn parts(t: &str) -> SourceParts {
    SourceParts::template("t.yaml", t)
}

#[tokio::test(start_paused = true)]
async fn one_project_never_sees_or_touches_anothers_stacks() {
    let (_, e) = service(0);
    let svc = &e.service;
    let alice = RequestContext::new("alice-project", "alice");
    let bob = RequestContext::new("bob-project", "bob");
    let web = svc
        .create(&alice, "web", &parts(T), StackOptions::default())
        .await
        .unwrap();
    svc.wait(&alice, &web.id).await.unwrap();
    for target in ["web", web.id.as_str()] {
        let missing = |r: Result<_, ServiceError>| matches!(r, Err(ServiceError::StackNotFound(_)));
        assert!(missing(svc.show(&bob, target).await.map(|_| ())));
        assert!(missing(svc.delete(&bob, target).await.map(|_| ())));
        assert!(missing(svc.check(&bob, target).await.map(|_| ())));
        assert!(missing(
            svc.update(
                &bob,
                target,
                &UpdateRequest {
                    parts: parts(T),
                    ..Default::default()
                }
            )
            .await
            .map(|_| ())
        ));
        assert!(missing(svc.signal(&bob, target, "a", json!({})).await));
        assert!(missing(
            svc.events(&bob, target, &EventQuery::default())
                .await
                .map(|_| ())
        ));
        assert!(missing(svc.wait(&bob, &web.id).await.map(|_| ())));
    }
    assert!(svc
        .list(&bob, &StackQuery::default())
        .await
        .unwrap()
        .is_empty());
    // Bob may have a `web` of his own.
    let his = svc
        .create(&bob, "web", &parts(T), StackOptions::default())
        .await
        .unwrap();
    assert_ne!(his.id, web.id);
    assert_eq!(his.project, "bob-project");
    assert_eq!(his.user, "bob");
    // Only an admin lists every project's stacks.
    let all = StackQuery {
        global_tenant: true,
        ..StackQuery::default()
    };
    assert!(matches!(
        svc.list(&bob, &all).await,
        Err(ServiceError::Forbidden(_))
    ));
    let mut admin = RequestContext::new("admin-project", "admin");
    admin.roles.push("admin".into());
    assert_eq!(svc.list(&admin, &all).await.unwrap().len(), 2);
    // Alice's stack is untouched.
    let shown = svc.show(&alice, "web").await.unwrap();
    assert_eq!(shown.status_text(), "CREATE_COMPLETE");
}

#[tokio::test(start_paused = true)]
async fn an_operation_is_accepted_before_it_runs() {
    let (driver, e) = service(10);
    let ctx = RequestContext::default();
    let started = tokio::time::Instant::now();
    let accepted = e
        .service
        .create(&ctx, "s", &parts(T), StackOptions::default())
        .await
        .unwrap();
    // Virtual time: accepted at once, though each resource takes 10 s.
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(accepted.status_text(), "CREATE_IN_PROGRESS");
    assert_eq!(
        e.service.show(&ctx, "s").await.unwrap().status_text(),
        "CREATE_IN_PROGRESS"
    );
    let done = e.service.wait(&ctx, &accepted.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE");
    assert_eq!(done.outputs.unwrap()["b"]["value"], "one");
    assert_eq!(done.parameters["v"], "one");
    assert_eq!(driver.objects().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_update_replaces_one_in_progress_as_heat_convergence_does() {
    let (driver, e) = service(10);
    let ctx = RequestContext::default();
    let created = e
        .service
        .create(&ctx, "s", &parts(T), StackOptions::default())
        .await
        .unwrap();
    e.service.wait(&ctx, &created.id).await.unwrap();
    let update = |v: &str| {
        let mut parts = parts(T);
        parts.parameters.insert("v".into(), json!(v));
        UpdateRequest {
            parts,
            ..Default::default()
        }
    };
    let first = e.service.update(&ctx, "s", &update("two")).await.unwrap();
    assert_eq!(first.status_text(), "UPDATE_IN_PROGRESS");
    // Accepted while the first still runs: the first stops, the second
    // converges from where it left the resources.
    let second = e.service.update(&ctx, "s", &update("three")).await.unwrap();
    assert_eq!(second.status_text(), "UPDATE_IN_PROGRESS");
    assert!(second.traversal > first.traversal);
    let done = e.service.wait(&ctx, &second.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "UPDATE_COMPLETE");
    assert_eq!(done.outputs.unwrap()["b"]["value"], "three");
    assert_eq!(driver.objects().len(), 2);
    // Not a delete, though: a stack being deleted is not updated.
    e.service.delete(&ctx, "s").await.unwrap();
    assert!(e.service.update(&ctx, "s", &update("four")).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn environments_merge_and_a_patch_keeps_what_the_stack_had() {
    let (_, e) = service(0);
    let ctx = RequestContext::default();
    let mut p = parts(T);
    p.files
        .insert("env.yaml".into(), json!("parameters: {v: from-env}\n"));
    p.environment_files.push("env.yaml".into());
    let s = e
        .service
        .create(&ctx, "s", &p, StackOptions::default())
        .await
        .unwrap();
    let s = e.service.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(s.outputs.unwrap()["b"]["value"], "from-env");
    // PATCH: no template, no environment: the stack's own are kept.
    let patch = UpdateRequest {
        existing: true,
        ..UpdateRequest::default()
    };
    let u = e.service.update(&ctx, "s", &patch).await.unwrap();
    let u = e.service.wait(&ctx, &u.id).await.unwrap().unwrap();
    assert_eq!(u.status_text(), "UPDATE_COMPLETE", "{}", u.reason);
    assert_eq!(u.outputs.unwrap()["b"]["value"], "from-env");
    // A bad environment names its file, and nothing is created.
    let mut bad = parts(T);
    bad.files
        .insert("bad.yaml".into(), json!("paramters: {}\n"));
    bad.environment_files.push("bad.yaml".into());
    match e
        .service
        .create(&ctx, "t", &bad, StackOptions::default())
        .await
    {
        Err(ServiceError::Invalid { file, .. }) => assert_eq!(file, "bad.yaml"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        e.service.show(&ctx, "t").await,
        Err(ServiceError::StackNotFound(_))
    ));
    // An invalid template names the template's file.
    match e
        .service
        .create(&ctx, "t", &parts("heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Value, depends_on: x}\n"), StackOptions::default())
        .await
    {
        Err(ServiceError::Invalid { file, errors }) => {
            assert_eq!(file, "t.yaml");
            assert!(errors[0].to_string().contains('x'), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn lists_resources_and_events_are_filtered_sorted_and_paged() {
    let (_, e) = service(1);
    let ctx = RequestContext::default();
    for (name, tags) in [
        ("gamma", vec!["prod"]),
        ("alpha", vec!["dev"]),
        ("beta", vec!["prod", "web"]),
    ] {
        let opts = StackOptions {
            tags: Some(tags.iter().map(|t| t.to_string()).collect()),
            ..StackOptions::default()
        };
        let s = e.service.create(&ctx, name, &parts(T), opts).await.unwrap();
        e.service.wait(&ctx, &s.id).await.unwrap();
    }
    let names = |q: StackQuery| {
        let e = e.clone();
        let ctx = ctx.clone();
        async move {
            e.service
                .list(&ctx, &q)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
        }
    };
    // Newest first by default.
    assert_eq!(
        names(StackQuery::default()).await,
        ["beta", "alpha", "gamma"]
    );
    let by_name = StackQuery {
        sort_keys: vec!["stack_name".into()],
        sort_dir: SortDir::Asc,
        ..StackQuery::default()
    };
    assert_eq!(names(by_name.clone()).await, ["alpha", "beta", "gamma"]);
    let alpha = e.service.show(&ctx, "alpha").await.unwrap().id;
    let page = StackQuery {
        limit: Some(1),
        marker: Some(alpha),
        ..by_name.clone()
    };
    assert_eq!(names(page).await, ["beta"]);
    let prod = StackQuery {
        tags: vec!["prod".into()],
        ..by_name.clone()
    };
    assert_eq!(names(prod).await, ["beta", "gamma"]);
    let bad_key = StackQuery {
        sort_keys: vec!["colour".into()],
        ..StackQuery::default()
    };
    assert!(matches!(
        e.service.list(&ctx, &bad_key).await,
        Err(ServiceError::BadRequest(_))
    ));
    // Resources with what requires them; events filtered and paged.
    let b = e.service.resource(&ctx, "alpha", "a").await.unwrap();
    assert_eq!(b.required_by, ["b"]);
    let only = ResourceQuery {
        name: vec!["b".into()],
        ..ResourceQuery::default()
    };
    assert_eq!(
        e.service
            .resources(&ctx, "alpha", &only)
            .await
            .unwrap()
            .len(),
        1
    );
    let q = EventQuery {
        resource_name: vec!["a".into()],
        ..EventQuery::default()
    };
    let events = e.service.events(&ctx, "alpha", &q).await.unwrap();
    let statuses: Vec<String> = events
        .iter()
        .map(|e| format!("{}_{}", e.action.name(), e.status.name()))
        .collect();
    assert_eq!(statuses, ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    let newest = EventQuery {
        sort_dir: Some(SortDir::Desc),
        limit: Some(1),
        ..EventQuery::default()
    };
    let last = e.service.events(&ctx, "alpha", &newest).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].reason, "Stack CREATE completed successfully");
}

const GROUPED: &str = "heat_template_version: 2018-08-31
parameters:
  v: {type: string, default: one}
resources:
  a: {type: OS::Heat::Value, properties: {value: {get_param: v}}}
  group:
    type: child.yaml
    properties: {v: {get_attr: [a, value]}}
outputs:
  a: {value: {get_attr: [a, value]}}
";

const CHILD: &str = "heat_template_version: 2018-08-31
parameters:
  v: {type: string}
resources:
  x: {type: OS::Heat::Value, properties: {value: {get_param: v}}}
  y: {type: OS::Heat::Value, properties: {value: {get_param: v}}}
";

fn grouped() -> SourceParts {
    let mut p = parts(GROUPED);
    p.files.insert("child.yaml".into(), json!(CHILD));
    p
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_restores_what_the_stack_was() {
    let (driver, e) = service(0);
    let svc = &e.service;
    let ctx = RequestContext::default();
    let s = svc
        .create(&ctx, "s", &grouped(), StackOptions::default())
        .await
        .unwrap();
    svc.wait(&ctx, &s.id).await.unwrap();
    let taken = svc.snapshot(&ctx, "s", "before").await.unwrap();
    assert_eq!(taken.status.name(), "IN_PROGRESS");
    let done = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "SNAPSHOT_COMPLETE");
    let snap = svc.snapshot_show(&ctx, "s", &taken.id).await.unwrap();
    assert_eq!(snap.status.name(), "COMPLETE");
    assert_eq!(
        snap.data["resources"]["group"]["resources"]
            .as_object()
            .unwrap()
            .len(),
        2
    );
    // Changed, then restored.
    let mut changed = grouped();
    changed.parameters.insert("v".into(), json!("two"));
    svc.update(
        &ctx,
        "s",
        &UpdateRequest {
            parts: changed,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let updated = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(updated.outputs.unwrap()["a"]["value"], "two");
    svc.restore(&ctx, "s", &taken.id).await.unwrap();
    let restored = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(
        restored.status_text(),
        "RESTORE_COMPLETE",
        "{}",
        restored.reason
    );
    assert_eq!(restored.outputs.unwrap()["a"]["value"], "one");
    assert_eq!(svc.snapshots(&ctx, "s").await.unwrap().len(), 1);
    assert!(matches!(
        svc.snapshot_show(&ctx, "s", "nope").await,
        Err(ServiceError::SnapshotNotFound(_))
    ));
    svc.delete_snapshot(&ctx, "s", &taken.id).await.unwrap();
    assert!(svc.snapshots(&ctx, "s").await.unwrap().is_empty());
    // Another project sees none of it.
    let bob = RequestContext::new("bob", "bob");
    assert!(svc.snapshots(&bob, "s").await.is_err());
    assert_eq!(driver.objects().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_stack_leaves_its_objects_for_an_adopt() {
    let (driver, e) = service(0);
    let svc = &e.service;
    let ctx = RequestContext::default();
    let s = svc
        .create(&ctx, "s", &grouped(), StackOptions::default())
        .await
        .unwrap();
    svc.wait(&ctx, &s.id).await.unwrap();
    let before: Vec<String> = driver.objects().iter().map(|o| o.id.clone()).collect();
    assert_eq!(before.len(), 3, "{:?}", driver.objects());
    let data = svc.abandon(&ctx, "s").await.unwrap();
    assert!(svc.show(&ctx, "s").await.is_err(), "forgotten by name");
    let gone = svc.show(&ctx, &s.id).await.unwrap();
    assert_eq!(gone.status_text(), "DELETE_COMPLETE");
    assert!(svc
        .list(
            &ctx,
            &StackQuery {
                show_nested: true,
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .is_empty());
    // The cloud is untouched.
    let after: Vec<String> = driver.objects().iter().map(|o| o.id.clone()).collect();
    assert_eq!(after, before);
    // Adopted again: the same objects, none made.
    let adopted = svc
        .adopt(
            &ctx,
            "again",
            &data,
            &SourceParts::default(),
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(adopted.status_text(), "ADOPT_IN_PROGRESS");
    let done = svc.wait(&ctx, &adopted.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "ADOPT_COMPLETE", "{}", done.reason);
    assert_eq!(done.outputs.unwrap()["a"]["value"], "one");
    let views = svc
        .resources(
            &ctx,
            "again",
            &ResourceQuery {
                nested_depth: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut ids: Vec<String> = views
        .iter()
        .filter(|v| v.record.type_name == "OS::Heat::Value")
        .map(|v| v.record.physical_id.clone().unwrap())
        .collect();
    ids.sort();
    let mut expected = before.clone();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(views
        .iter()
        .filter(|v| v.record.type_name == "OS::Heat::Value")
        .all(|v| v.record.status_text() == "ADOPT_COMPLETE"));
    assert_eq!(driver.objects().len(), 3);
    // Adopting what does not exist fails, and makes nothing.
    let mut bogus = data.clone();
    bogus["resources"]["a"]["resource_id"] = json!("no-such-object");
    let failed = svc
        .adopt(
            &ctx,
            "bogus",
            &bogus,
            &SourceParts::default(),
            StackOptions::default(),
        )
        .await
        .unwrap();
    let failed = svc.wait(&ctx, &failed.id).await.unwrap().unwrap();
    assert_eq!(failed.status_text(), "ADOPT_FAILED");
    // The adopted stack deletes its objects: nothing leaks.
    svc.delete(&ctx, "bogus").await.unwrap();
    svc.delete(&ctx, "again").await.unwrap();
    svc.wait(&ctx, &done.id).await.unwrap();
    svc.wait(&ctx, &failed.id).await.unwrap();
    assert!(driver.objects().is_empty(), "{:?}", driver.objects());
}

#[tokio::test(start_paused = true)]
async fn a_project_has_at_most_max_stacks_per_project() {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(0),
    ));
    let config = heat_core::engine::EngineConfig {
        max_stacks_per_project: 2,
        ..Default::default()
    };
    let e = engine_with(driver, Arc::new(MemoryStore::new()), config);
    let svc = &e.service;
    let ctx = RequestContext::default();
    for name in ["one", "two"] {
        let s = svc
            .create(&ctx, name, &parts(T), StackOptions::default())
            .await
            .unwrap();
        svc.wait(&ctx, &s.id).await.unwrap();
    }
    let refused = svc
        .create(&ctx, "three", &parts(T), StackOptions::default())
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("You have reached the maximum stacks per tenant, 2."),
        "{refused}"
    );
    assert!(svc.show(&ctx, "three").await.is_err(), "nothing stored");
    // Another project has its own count; a deleted stack counts no more.
    let bob = RequestContext::new("bob", "bob");
    svc.create(&bob, "three", &parts(T), StackOptions::default())
        .await
        .unwrap();
    let one = svc.delete(&ctx, "one").await.unwrap();
    svc.wait(&ctx, &one.id).await.unwrap();
    svc.create(&ctx, "three", &parts(T), StackOptions::default())
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_external_resource_is_taken_over_and_never_deleted() {
    let (driver, e) = service(0);
    let svc = &e.service;
    let ctx = RequestContext::default();
    let owner = svc
        .create(&ctx, "owner", &parts(T), StackOptions::default())
        .await
        .unwrap();
    svc.wait(&ctx, &owner.id).await.unwrap();
    let pid = svc
        .resource(&ctx, "owner", "a")
        .await
        .unwrap()
        .record
        .physical_id
        .unwrap();
    let user = format!(
        "heat_template_version: 2016-10-14
resources:
  ext: {{type: OS::Heat::Value, external_id: {pid}}}
outputs:
  ref: {{value: {{get_resource: ext}}}}
"
    );
    let s = svc
        .create(&ctx, "user", &parts(&user), StackOptions::default())
        .await
        .unwrap();
    let done = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
    assert_eq!(done.outputs.unwrap()["ref"]["value"], pid.as_str());
    let ext = svc.resource(&ctx, "user", "ext").await.unwrap().record;
    assert_eq!(ext.status_text(), "ADOPT_COMPLETE");
    assert_eq!(driver.objects().len(), 2, "nothing made for it");
    // Deleting the stack that names it leaves it.
    let gone = svc.delete(&ctx, "user").await.unwrap();
    svc.wait(&ctx, &gone.id).await.unwrap();
    assert!(driver.objects().iter().any(|o| o.id == pid));
    // An external id that names nothing fails the create.
    let bad = user.replace(&pid, "no-such-object");
    let s = svc
        .create(&ctx, "bad", &parts(&bad), StackOptions::default())
        .await
        .unwrap();
    let failed = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(failed.status_text(), "CREATE_FAILED");
}

#[tokio::test(start_paused = true)]
async fn hooks_pause_a_resource_until_cleared() {
    let (driver, e) = service(1);
    let svc = &e.service;
    let ctx = RequestContext::default();
    let mut p = parts(T);
    p.environment =
        Some("resource_registry:\n  resources:\n    b: {hooks: [pre-create, pre-delete]}\n".into());
    let s = svc
        .create(&ctx, "s", &p, StackOptions::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    // `a` is made; `b` waits at its hook, the stack with it.
    let now = svc.show(&ctx, "s").await.unwrap();
    assert_eq!(now.status_text(), "CREATE_IN_PROGRESS");
    assert_eq!(driver.objects().len(), 1);
    let events = svc.events(&ctx, "s", &EventQuery::default()).await.unwrap();
    let paused = |reason: &str| {
        events
            .iter()
            .any(|ev| ev.resource_name == "b" && ev.reason == reason)
    };
    assert!(
        paused("CREATE paused until Hook pre-create is cleared"),
        "{events:?}"
    );
    // Only a hook the environment sets can be cleared.
    let wrong = svc
        .signal(&ctx, "s", "a", json!({"unset_hook": "pre-create"}))
        .await;
    assert!(
        matches!(wrong, Err(ServiceError::BadRequest(_))),
        "{wrong:?}"
    );
    let bogus = svc
        .signal(&ctx, "s", "b", json!({"unset_hook": "pre-lunch"}))
        .await;
    assert!(
        matches!(bogus, Err(ServiceError::BadRequest(_))),
        "{bogus:?}"
    );
    svc.signal(&ctx, "s", "b", json!({"unset_hook": "pre-create"}))
        .await
        .unwrap();
    let done = svc.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE");
    let events = svc.events(&ctx, "s", &EventQuery::default()).await.unwrap();
    assert!(events
        .iter()
        .any(|ev| ev.resource_name == "b" && ev.reason == "Hook pre-create is cleared"));
    // A delete pauses before `b` too (`b` goes first: nothing requires it).
    let deleting = svc.delete(&ctx, "s").await.unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        svc.show(&ctx, &deleting.id).await.unwrap().status_text(),
        "DELETE_IN_PROGRESS"
    );
    assert_eq!(driver.objects().len(), 2);
    svc.signal(&ctx, &deleting.id, "b", json!({"unset_hook": "pre-delete"}))
        .await
        .unwrap();
    svc.wait(&ctx, &deleting.id).await.unwrap();
    assert!(driver.objects().is_empty());
}

/// Heat's limits, through the service: a template over
/// `max_template_size` and a stack of more resources than
/// `max_resources_per_stack` are refused before anything is made, saying
/// so; at the limits they are accepted.
#[tokio::test(start_paused = true)]
async fn the_template_size_and_resource_count_limits_refuse_with_their_numbers() {
    let driver = Arc::new(FakeDriver::new(
        Arc::new(TokioClock::new()),
        Duration::from_secs(0),
    ));
    let e = engine_with(
        driver.clone(),
        Arc::new(MemoryStore::new()),
        heat_core::engine::EngineConfig {
            max_resources: 3,
            max_template_size: 400,
            ..Default::default()
        },
    );
    let ctx = RequestContext::default();
    let flat = |n: usize| {
        let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
        for i in 0..n {
            t.push_str(&format!("  r{i}: {{type: OS::Heat::None}}\n"));
        }
        t
    };
    // At the limit: made.
    let s = e
        .service
        .create(&ctx, "three", &parts(&flat(3)), StackOptions::default())
        .await
        .unwrap();
    let done = e.service.wait(&ctx, &s.id).await.unwrap().unwrap();
    assert_eq!(done.status_text(), "CREATE_COMPLETE");
    // One more: refused, nothing made.
    let before = driver.objects().len();
    let err = e
        .service
        .create(&ctx, "four", &parts(&flat(4)), StackOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Maximum resources per stack exceeded"),
        "{err}"
    );
    assert_eq!(driver.objects().len(), before);
    assert!(e.service.show(&ctx, "four").await.is_err());
    // A template over the size limit: refused with both sizes.
    let big = format!("{}# {}\n", flat(1), "x".repeat(400));
    let err = e
        .service
        .create(&ctx, "big", &parts(&big), StackOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "Template size ({} bytes) exceeds maximum allowed size (400 bytes)",
            big.len()
        )),
        "{err}"
    );
}
