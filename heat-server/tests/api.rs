//! The native API in process (`app(state)` with `oneshot`), in noauth
//! mode on a SQLite state file and the simulated cloud: Heat's statuses,
//! headers, body shapes and error shapes for every route the clients use.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::Api;
use heat_server::api::Limits;
use serde_json::{json, Value as Json};
use tower::ServiceExt;

const TEMPLATE: &str = "heat_template_version: 2018-08-31
description: two values
parameters:
  greeting: {type: string, default: hello}
  count: {type: number, default: 2}
resources:
  first: {type: OS::Heat::Value, properties: {value: {get_param: greeting}}}
  second:
    type: OS::Heat::Value
    properties:
      value: {str_replace: {template: G-C, params: {G: {get_attr: [first, value]}, C: {get_param: count}}}}
    metadata: {role: web}
outputs:
  joined: {value: {get_attr: [second, value]}, description: the joined value}
  first: {value: {get_attr: [first, value]}}
";

fn keys(v: &Json) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_versions_document_and_build_info() {
    let api = Api::new("versions").await;
    let a = api.get("/").await;
    assert_eq!(a.status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(
        a.body["versions"][0]["links"][0]["href"],
        "http://heat.test:8004/v1/"
    );
    assert!(a.headers["x-openstack-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req-"));
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/json");
    let a = api.get("/v1/admin/build_info").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(keys(&a.body), ["api", "engine"]);
    let a = api.get("/v1/admin/nowhere").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(keys(&a.body), ["code", "title", "explanation", "error"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_lives_as_heat_shows_it() {
    let api = Api::new("lifecycle").await;
    let id = api
        .create(
            "admin",
            "web",
            TEMPLATE,
            json!({"parameters": {"greeting": "hi"}, "tags": "a,b", "timeout_mins": 10}),
        )
        .await;
    // By name: 302 to the canonical URL, query kept.
    let a = api.get("/v1/admin/stacks/web?resolve_outputs=False").await;
    assert_eq!(a.status, StatusCode::FOUND);
    let location = a.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(
        location,
        format!("http://heat.test:8004/v1/admin/stacks/web/{id}?resolve_outputs=False")
    );
    assert_eq!(a.body["code"], "302 Found");
    // Subpaths redirect too.
    let a = api
        .get(&format!("/v1/admin/stacks/{id}/resources?nested_depth=1"))
        .await;
    assert_eq!(a.status, StatusCode::FOUND);
    assert!(a.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .ends_with(&format!("/stacks/web/{id}/resources?nested_depth=1")));
    // Show.
    let show = api.get(&format!("/v1/admin/stacks/web/{id}")).await.body["stack"].clone();
    assert_eq!(show["stack_status"], "CREATE_COMPLETE");
    let params = show["parameters"].as_object().unwrap();
    let first: Vec<&String> = params.keys().take(3).collect();
    assert_eq!(first, ["OS::stack_id", "OS::project_id", "OS::stack_name"]);
    assert_eq!(params["count"], "2", "every value a string");
    assert_eq!(params["greeting"], "hi");
    assert_eq!(show["tags"], json!(["a", "b"]));
    assert_eq!(show["timeout_mins"], 10);
    assert_eq!(show["disable_rollback"], true);
    assert_eq!(show["updated_time"], Json::Null);
    assert_eq!(show["description"], "two values");
    let outputs = show["outputs"].as_array().unwrap();
    assert!(outputs.contains(
        &json!({"output_key": "joined", "description": "the joined value", "output_value": "hi-2"})
    ));
    assert!(outputs.contains(
        &json!({"output_key": "first", "description": "No description given", "output_value": "hi"})
    ));
    let quiet = api
        .get(&format!("/v1/admin/stacks/web/{id}?resolve_outputs=False"))
        .await
        .body;
    assert!(quiet["stack"].get("outputs").is_none());
    // A wrong name for the id: 404 naming it.
    let a = api.get(&format!("/v1/admin/stacks/other/{id}")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.body["error"]["type"], "EntityNotFound");
    assert_eq!(
        a.body["error"]["message"],
        "The Stack (other) could not be found."
    );
    // Outputs.
    let a = api.get(&format!("/v1/admin/stacks/web/{id}/outputs")).await;
    assert!(a.body["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o.get("output_value").is_none()));
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/outputs/joined"))
        .await;
    assert_eq!(a.body["output"]["output_value"], "hi-2");
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/outputs/nope"))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.body["error"]["message"],
        "Specified output key nope not found."
    );
    // Resources.
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/resources"))
        .await;
    let list = a.body["resources"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let first = list.iter().find(|r| r["resource_name"] == "first").unwrap();
    assert_eq!(first["required_by"], json!(["second"]));
    assert_eq!(first["logical_resource_id"], "first");
    assert_eq!(first["links"][1]["rel"], "stack");
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/resources/second"))
        .await;
    assert_eq!(a.body["resource"]["attributes"]["value"], "hi-2");
    let a = api
        .get(&format!(
            "/v1/admin/stacks/web/{id}/resources/second/metadata"
        ))
        .await;
    assert_eq!(a.body, json!({"metadata": {"role": "web"}}));
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/resources/nope"))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.body["error"]["type"], "ResourceNotFound");
    // Events: newest first, ascending on request, marker exclusive.
    let a = api.get(&format!("/v1/admin/stacks/web/{id}/events")).await;
    let events = a.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert_eq!(events[0]["resource_status"], "CREATE_COMPLETE");
    assert_eq!(events[0]["resource_name"], "web");
    assert_eq!(events[0]["physical_resource_id"], id.as_str());
    let a = api
        .get(&format!(
            "/v1/admin/stacks/web/{id}/events?sort_dir=asc&limit=2"
        ))
        .await;
    let asc = a.body["events"].as_array().unwrap().clone();
    assert_eq!(asc.len(), 2);
    assert_eq!(asc[0]["resource_status_reason"], "Stack CREATE started");
    let marker = asc[1]["id"].as_str().unwrap();
    let a = api
        .get(&format!(
            "/v1/admin/stacks/web/{id}/events?sort_dir=asc&marker={marker}"
        ))
        .await;
    assert_eq!(a.body["events"].as_array().unwrap().len(), 4);
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/resources/first/events"))
        .await;
    let mine = a.body["events"].as_array().unwrap();
    assert_eq!(mine.len(), 2);
    let eid = mine[0]["id"].as_str().unwrap();
    let a = api
        .get(&format!(
            "/v1/admin/stacks/web/{id}/resources/first/events/{eid}"
        ))
        .await;
    assert_eq!(a.body["event"]["resource_type"], "OS::Heat::Value");
    // Template, environment, files.
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/template"))
        .await;
    assert_eq!(a.body["heat_template_version"], "2018-08-31");
    let a = api
        .get(&format!("/v1/admin/stacks/web/{id}/environment"))
        .await;
    assert_eq!(a.body["parameters"], json!({"greeting": "hi"}));
    assert_eq!(a.body["resource_registry"], json!({"resources": {}}));
    // Update with PUT: parameters replaced, tags reset; PATCH merges.
    let a = api
        .follow(
            Method::PUT,
            &format!("/v1/admin/stacks/{id}"),
            Some(json!({"template": TEMPLATE, "parameters": {"count": 3}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
    assert_eq!(a.body["code"], "202 Accepted");
    let s = api.settle("admin", &id).await["stack"].clone();
    assert_eq!(s["stack_status"], "UPDATE_COMPLETE", "{s}");
    assert_eq!(s["parameters"]["greeting"], "hello");
    assert_eq!(s["tags"], json!([]));
    assert!(s["updated_time"].is_string());
    let a = api
        .call(
            Method::PATCH,
            &format!("/v1/admin/stacks/web/{id}"),
            Some(json!({"parameters": {"greeting": "hey"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    let s = api.settle("admin", &id).await["stack"].clone();
    assert_eq!(s["parameters"]["greeting"], "hey");
    assert_eq!(s["parameters"]["count"], "3");
    // Update preview.
    let changed = TEMPLATE
        .replace("metadata: {role: web}", "metadata: {role: db}")
        .replace(
            "  first: {type",
            "  third: {type: OS::Heat::None}\n  first: {type",
        );
    let a = api
        .call(
            Method::PUT,
            &format!("/v1/admin/stacks/web/{id}/preview"),
            Some(json!({"template": changed})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let changes = &a.body["resource_changes"];
    assert_eq!(
        keys(changes),
        ["unchanged", "updated", "replaced", "added", "deleted"]
    );
    assert_eq!(changes["added"][0]["resource_name"], "third");
    assert_eq!(changes["added"][0]["resource_action"], "INIT");
    // Actions.
    let a = api
        .follow(
            Method::POST,
            &format!("/v1/admin/stacks/{id}/actions"),
            Some(json!({"check": null})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, Json::Null);
    assert_eq!(
        api.settle("admin", &id).await["stack"]["stack_status"],
        "CHECK_COMPLETE"
    );
    let a = api
        .call(
            Method::POST,
            &format!("/v1/admin/stacks/web/{id}/actions"),
            Some(json!({"dance": null})),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // Delete: 204; gone by name, still there by id.
    let a = api
        .follow(Method::DELETE, &format!("/v1/admin/stacks/{id}"), None)
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.headers.get(header::CONTENT_TYPE).is_none());
    let gone = api.settle("admin", &id).await["stack"].clone();
    assert_eq!(gone["stack_status"], "DELETE_COMPLETE");
    assert!(gone.get("outputs").is_none());
    assert!(gone["deletion_time"].is_string());
    let a = api.get("/v1/admin/stacks/web").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.body["error"]["message"],
        "The Stack (web) could not be found."
    );
    let a = api.get("/v1/admin/stacks").await;
    assert_eq!(a.body, json!({"stacks": []}));
    let a = api.get("/v1/admin/stacks?show_deleted=True").await;
    assert_eq!(a.body["stacks"][0]["tags"], Json::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_heats_errors_and_store_nothing() {
    let limits = Limits {
        max_json_body_size: 4096,
        ..Limits::default()
    };
    let api = Api::with_limits("errors", limits).await;
    api.create("admin", "web", TEMPLATE, json!({})).await;
    let post = |b: Json| api.call(Method::POST, "/v1/admin/stacks", Some(b));
    let a = post(json!({"stack_name": "web", "template": TEMPLATE})).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.body["error"]["type"], "StackExists");
    assert_eq!(
        a.body["error"]["message"],
        "The Stack (web) already exists."
    );
    let needs =
        "heat_template_version: 2018-08-31\nparameters:\n  p: {type: string}\nresources: {}\n";
    let a = post(json!({"stack_name": "p", "template": needs})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.body["error"]["type"], "UserParameterMissing");
    assert_eq!(
        a.body["error"]["message"],
        "The Parameter (p) was not provided."
    );
    let range = "heat_template_version: 2018-08-31\nparameters:\n  c: {type: number, constraints: [{range: {min: 1, max: 5}}]}\nresources: {}\n";
    let a = post(json!({"stack_name": "c", "template": range, "parameters": {"c": 99}})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("99 is out of range"),
        "{}",
        a.body
    );
    let a = post(json!({"stack_name": "x"})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let raw = api
        .router
        .clone()
        .oneshot(
            Request::post("/v1/admin/stacks")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let huge = "x".repeat(10_000);
    let a = post(json!({"stack_name": "huge", "template": huge})).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.body["code"], 413);
    let a = api.get("/v1/admin/stacks").await;
    let names: Vec<&str> = a.body["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stack_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web"], "nothing else was stored");
    // Validate: a cycle and a bad reference, with Heat's types.
    let cycle = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::None, depends_on: b}\n  b: {type: OS::Heat::None, depends_on: a}\n";
    let a = api
        .call(
            Method::POST,
            "/v1/admin/validate",
            Some(json!({"template": cycle})),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.body["error"]["type"], "CircularDependencyException");
    let bad_ref = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Value, properties: {value: {get_attr: [nope, x]}}}\n";
    let a = api
        .call(
            Method::POST,
            "/v1/admin/validate",
            Some(json!({"template": bad_ref})),
        )
        .await;
    assert_eq!(a.body["error"]["type"], "InvalidTemplateReference");
    let a = api
        .call(
            Method::POST,
            "/v1/admin/validate",
            Some(json!({"template": TEMPLATE})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["Description"], "two values");
    assert_eq!(a.body["Parameters"]["count"]["Type"], "Number");
    assert_eq!(
        a.body["Environment"]["resource_registry"],
        json!({"resources": {}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_and_filter_and_projects_stay_apart() {
    let api = Api::new("lists").await;
    let a = api
        .create("alice", "one", TEMPLATE, json!({"tags": "prod"}))
        .await;
    api.create("alice", "two", TEMPLATE, json!({})).await;
    api.create("bob", "one", TEMPLATE, json!({})).await;
    let list = api.get("/v1/alice/stacks?limit=1").await.body;
    assert_eq!(list["stacks"].as_array().unwrap().len(), 1);
    assert_eq!(list["links"][0]["rel"], "next");
    let next = list["links"][0]["href"]
        .as_str()
        .unwrap()
        .replace("http://heat.test:8004", "");
    let rest = api.get(&next).await.body;
    assert_eq!(rest["stacks"].as_array().unwrap().len(), 1);
    assert_ne!(rest["stacks"][0]["id"], list["stacks"][0]["id"]);
    let tagged = api.get("/v1/alice/stacks?tags=prod").await.body;
    assert_eq!(tagged["stacks"][0]["stack_name"], "one");
    assert_eq!(tagged["stacks"].as_array().unwrap().len(), 1);
    let summary = &tagged["stacks"][0];
    assert_eq!(summary["description"], "");
    assert_eq!(summary["project"], "alice");
    // Bob sees nothing of Alice's, by name or by id.
    assert_eq!(
        api.get("/v1/bob/stacks").await.body["stacks"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.get(&format!("/v1/bob/stacks/{a}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get(&format!("/v1/bob/stacks/one/{a}")).await.status,
        StatusCode::NOT_FOUND
    );
    let a = api.get("/v1/alice/stacks?sort_keys=colour").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_versions_functions_and_resource_types() {
    let api = Api::new("types").await;
    let v = api.get("/v1/admin/template_versions").await.body;
    let versions = v["template_versions"].as_array().unwrap();
    assert!(versions.contains(&json!({"version": "heat_template_version.2018-08-31", "type": "hot", "aliases": ["heat_template_version.rocky"]})));
    assert!(versions.contains(
        &json!({"version": "AWSTemplateFormatVersion.2010-09-09", "type": "cfn", "aliases": []})
    ));
    let f = api
        .get("/v1/admin/template_versions/heat_template_version.2018-08-31/functions")
        .await
        .body;
    let first = &f["template_functions"][0];
    assert_eq!(
        first,
        &json!({"functions": "get_attr", "description": "A function for resolving resource attributes."})
    );
    let a = api
        .get("/v1/admin/template_versions/heat_template_version.1999-01-01/functions")
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let t = api.get("/v1/admin/resource_types?name=OS::Nova").await.body;
    assert!(t["resource_types"]
        .as_array()
        .unwrap()
        .contains(&json!("OS::Nova::Server")));
    let a = api
        .get("/v1/admin/resource_types/OS%3A%3AHeat%3A%3AValue")
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["resource_type"], "OS::Heat::Value");
    assert!(a.body.get("description").is_none());
    let a = api
        .get("/v1/admin/resource_types/OS::Heat::Value/template?template_type=hot")
        .await;
    assert_eq!(a.body["resources"]["resource"]["type"], "OS::Heat::Value");
    let a = api.get("/v1/admin/resource_types/OS::Foo::Bar").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.body["error"]["message"],
        "The Resource Type (OS::Foo::Bar) could not be found."
    );
}

const PARENT: &str = "heat_template_version: 2018-08-31
parameters:
  v: {type: string, default: one}
resources:
  kid: {type: kid.yaml, properties: {v: {get_param: v}}}
  gone: {type: kid.yaml, properties: {v: x}}
";

const KID: &str = "heat_template_version: 2018-08-31
parameters:
  v: {type: string}
resources:
  a: {type: OS::Heat::Value, properties: {value: {get_param: v}}}
  b: {type: OS::Heat::Value, properties: {value: fixed}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_preview_shows_nested_stacks_when_asked() {
    let api = Api::new("nested-preview").await;
    let id = api
        .create("admin", "tree", PARENT, json!({"files": {"kid.yaml": KID}}))
        .await;
    // `kid` changes its parameter and gains a resource; `gone` goes; `new`
    // comes with its own resources.
    let kid2 = format!("{KID}  c: {{type: OS::Heat::None}}\n");
    let parent2 = PARENT.replace(
        "  gone: {type: kid.yaml, properties: {v: x}}\n",
        "  new: {type: kid.yaml, properties: {v: y}}\n",
    );
    let body =
        json!({"template": parent2, "files": {"kid.yaml": kid2}, "parameters": {"v": "two"}});
    let url = |nested: bool| {
        let q = if nested { "?show_nested=True" } else { "" };
        format!("/v1/admin/stacks/tree/{id}/preview{q}")
    };
    let names = |v: &Json, key: &str| {
        let mut n: Vec<String> = v["resource_changes"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    r["stack_name"]
                        .as_str()
                        .unwrap()
                        .split('-')
                        .nth(1)
                        .unwrap_or("top"),
                    r["resource_name"].as_str().unwrap()
                )
            })
            .collect();
        n.sort();
        n
    };
    let flat = api.call(Method::PUT, &url(false), Some(body.clone())).await;
    assert_eq!(flat.status, StatusCode::OK, "{}", flat.body);
    assert_eq!(names(&flat.body, "updated"), ["top/kid"]);
    assert_eq!(names(&flat.body, "added"), ["top/new"]);
    assert_eq!(names(&flat.body, "deleted"), ["top/gone"]);
    let deep = api.call(Method::PUT, &url(true), Some(body.clone())).await;
    assert_eq!(deep.status, StatusCode::OK, "{}", deep.body);
    assert_eq!(names(&deep.body, "updated"), ["kid/a", "top/kid"]);
    assert_eq!(names(&deep.body, "unchanged"), ["kid/b"]);
    assert_eq!(
        names(&deep.body, "added"),
        ["kid/c", "new/a", "new/b", "new/c", "top/new"]
    );
    assert_eq!(
        names(&deep.body, "deleted"),
        ["gone/a", "gone/b", "top/gone"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_shows_nested_parameters_and_checks_ignore_errors() {
    let api = Api::new("validate-nested").await;
    let body = json!({"template": PARENT, "files": {"kid.yaml": KID}});
    let a = api
        .call(Method::POST, "/v1/admin/validate", Some(body.clone()))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.get("NestedParameters").is_none());
    let a = api
        .call(
            Method::POST,
            "/v1/admin/validate?show_nested=True&ignore_errors=99001",
            Some(body.clone()),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let nested = &a.body["NestedParameters"];
    assert_eq!(keys(nested), ["kid", "gone"]);
    assert_eq!(nested["kid"]["Type"], "kid.yaml");
    assert_eq!(nested["gone"]["Parameters"]["v"]["Value"], "x", "{nested}");
    let a = api
        .call(
            Method::POST,
            "/v1/admin/validate?ignore_errors=12345",
            Some(body),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid codes in ignore_errors : ['12345']"),
        "{}",
        a.body
    );
}
