//! Real templates end to end: every template of the corpus's
//! heat-templates, Heat functional-test and Heat docs sources that Heat
//! 27 validates is created on the simulated cloud with ordinary values
//! (image cirros-0.6.2, flavor m1.small, key pair default-key, networks
//! private and public) and its environment file, then deleted; nothing may
//! be left in the simulated cloud. Time is virtual, so a wait condition
//! that nothing signals times out at once.
//!
//! Each template must reach CREATE_COMPLETE unless it is listed in
//! [`EXPECTED_FAILURES`] with its reason (ARCHITECTURE.md gives the same
//! list); a listed template that completes fails the test, so the list
//! stays true. Without the corpus (`HEAT_CONFORMANCE_DIR`) the test says
//! so and does nothing.

use std::path::Path;
use std::sync::Arc;

use heat_core::engine::{Clock, EngineConfig, MemoryStore, RequestContext, StackOptions};
use heat_core::service::{SourceParts, StackService};
use heat_resources::sim::{SimCloud, SimConfig};
use heat_server::{builder, SystemClock, TokioSpawner};
use serde_json::{Map as JsonMap, Value as Json};

/// Templates that do not reach CREATE_COMPLETE, and why (none of these
/// would be created by Heat either, with the same inputs).
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    // Files the template needs are not in the corpus (`files.missing`).
    ("heat-docs/doc/source/template_guide/multi-clouds/L133.yaml", "get_file remote-app.yaml is not in the corpus"),
    ("heat-functional/heat_integrationtests/functional/test_delete/root_template_L20.yaml", "the nested template empty.yaml is not in the corpus"),
    ("heat-functional/heat_integrationtests/functional/test_heat_autoscaling/template_nested_L59.yaml", "the nested template randomstr.yaml is not in the corpus"),
    ("heat-functional/heat_integrationtests/functional/test_remote_stack/template_L21.yaml", "get_file remote_stack.yaml is not in the corpus"),
    ("heat-functional/heat_integrationtests/functional/test_resource_group/child_template_L145.yaml", "the nested template value.yaml is not in the corpus"),
    ("heat-templates/hot/software-config/boot-config/templates/install_config_agent_fedora_pip.yaml", "its fragments/*.sh files are not in the corpus"),
    ("heat-templates/hot/software-config/boot-config/templates/install_config_agent_test_image.yaml", "its fragments/*.sh files are not in the corpus"),
    ("heat-templates/hot/software-config/example-templates/wordpress/WordPress_software-config_2-instances.yaml", "get_file wp_install.sh and db_install.sh are not in the corpus"),
    // Types the functional tests register in environments of their own.
    ("heat-functional/heat_integrationtests/functional/test_update/provider_group_template_L41.yaml", "My::RandomString comes from the test's own environment"),
    ("heat-functional/heat_integrationtests/scenario/templates/test_autoscaling_lbv2_neutron.yaml", "OS::Test::NeutronAppServer comes from the test's own environment"),
    // Templates that fail on purpose (Heat's tests expect the failure).
    ("heat-functional/heat_integrationtests/functional/test_autoscaling/bad_instance_template_L90.yaml", "an OS::Heat::TestResource set to fail"),
    ("heat-functional/heat_integrationtests/functional/test_template_resource/failed_templ_L665.yaml", "an OS::Heat::TestResource set to fail"),
    ("heat-functional/heat_integrationtests/functional/test_template_resource/nested_templ_L723.yaml", "an OS::Heat::TestResource set to fail"),
    // Inputs a real cloud would need to hold.
    ("heat-docs/doc/source/template_guide/composition/L121.yaml", "a documentation snippet without the server's required flavor and image"),
    ("heat-templates/cfn/F17/Rails_Single_Instance.template", "its AMI map has AWS regions only, not the cloud's RegionOne (Fn::FindInMap fails)"),
    ("heat-templates/hot/software-config/example-templates/example-chef-template.yaml", "its StructuredConfig config is a list where Heat's schema wants a map"),
];

const SOURCES: [&str; 3] = ["heat-templates", "heat-functional", "heat-docs"];

/// A server of the user's, for parameters that name one.
const EXISTING_SERVER: &str = "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small}
outputs:
  id: {value: {get_resource: server}}
";

/// Whether a parameter names an existing server (`nova.server`, or an
/// `instance_id`/`server_id` without a default).
fn names_a_server(name: &str, p: &Json) -> bool {
    let lname = name.to_ascii_lowercase();
    p["CustomConstraint"] == "nova.server"
        || (p.get("Default").is_none()
            && (lname.ends_with("instance_id") || lname.ends_with("server_id")))
}

/// The images and key pairs named by literal strings anywhere in a
/// template's resources (`image`, `ImageId`, `key_name`, `KeyName`).
fn literal_names(v: &Json, out: &mut Vec<(&'static str, String)>) {
    match v {
        Json::Object(m) => {
            for (k, v) in m {
                let kind = match k.as_str() {
                    "image" | "ImageId" => Some("image"),
                    "key_name" | "KeyName" => Some("keypair"),
                    _ => None,
                };
                match (kind, v.as_str()) {
                    (Some(kind), Some(name)) => out.push((kind, name.to_string())),
                    _ => literal_names(v, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|i| literal_names(i, out)),
        _ => {}
    }
}

/// Whether a parameter names a cloud object the simulated cloud has
/// ordinary ones of (an image, a flavor, a key pair, a network): those get
/// the ordinary value even when the template has a default.
fn names_cloud_object(name: &str, p: &Json) -> bool {
    let lname = name.to_ascii_lowercase();
    let custom = p["CustomConstraint"].as_str().unwrap_or_default();
    [
        "glance.image",
        "nova.flavor",
        "nova.keypair",
        "neutron.network",
    ]
    .contains(&custom)
        || [
            "image",
            "flavor",
            "instancetype",
            "instance_type",
            "key_name",
            "keyname",
        ]
        .iter()
        .any(|k| lname.contains(k))
}

/// An ordinary value for a parameter Heat's validate API describes.
fn ordinary(name: &str, p: &Json) -> Json {
    let allowed = p["AllowedValues"].as_array();
    let value = ordinary_value(name, p);
    match allowed {
        Some(a) if !a.contains(&value) => a.first().cloned().unwrap_or(value),
        _ => value,
    }
}

fn ordinary_value(name: &str, p: &Json) -> Json {
    let lname = name.to_ascii_lowercase();
    let custom = p["CustomConstraint"].as_str().unwrap_or_default();
    let text = |s: &str| Json::String(s.into());
    match p["Type"].as_str().unwrap_or("String") {
        "Number" => {
            let min = p["MinValue"].as_f64().unwrap_or(1.0);
            serde_json::json!(min.max(1.0) as i64)
        }
        "Json" => serde_json::json!({}),
        "Boolean" => Json::Bool(false),
        "CommaDelimitedList" => {
            if lname.contains("net") {
                text("private")
            } else {
                text("a,b")
            }
        }
        _ if custom == "glance.image" || lname.contains("image") => text("cirros-0.6.2"),
        _ if custom == "nova.flavor"
            || lname.contains("flavor")
            || lname.contains("instance_type")
            || lname.contains("instancetype") =>
        {
            text("m1.small")
        }
        _ if custom == "nova.keypair" || lname.contains("key") => text("default-key"),
        _ if lname.contains("public")
            || lname.contains("external")
            || lname.contains("floating") =>
        {
            text("public")
        }
        _ if lname.contains("cidr") => text("10.10.0.0/24"),
        _ if lname.contains("subnet") => text("private-subnet"),
        _ if custom.starts_with("neutron.") || lname.contains("net") => text("private"),
        _ if lname.contains("ip") || lname.contains("address") => text("10.0.0.10"),
        _ if lname.contains("dns") || lname.contains("nameserver") => text("8.8.8.8"),
        _ if lname.contains("zone") => text("nova"),
        _ if lname.contains("password") || lname.contains("secret") => text("Passw0rd"),
        _ => text("value"),
    }
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn corpus_templates_create_and_delete_on_the_simulated_cloud() {
    let Some(root) = heat_tests::conformance::corpus() else {
        return;
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(clock.clone(), SimConfig::default()));
    let store = Arc::new(MemoryStore::new());
    let engine = builder::sim_engine(
        cloud.clone(),
        store.clone(),
        clock,
        Arc::new(TokioSpawner),
        EngineConfig::default(),
    );
    let service = StackService::new(engine);
    let mut results: Vec<(String, Result<(), String>)> = Vec::new();
    for (n, path) in heat_tests::conformance::expected_files(&root)
        .into_iter()
        .enumerate()
    {
        let expected: Json = serde_json::from_str(&read(&path).unwrap()).unwrap();
        let source = expected["source"].as_str().unwrap_or_default();
        let validated = expected["template_validate"]["result"]
            .as_object()
            .is_some_and(|r| !r.contains_key("Error"));
        if !SOURCES.contains(&source) || !validated {
            continue;
        }
        let id = expected["id"].as_str().unwrap().to_string();
        let corpus_path = root.join(expected["corpus_path"].as_str().unwrap());
        let dir = corpus_path.parent().unwrap().to_path_buf();
        let mut parts = SourceParts::template(
            corpus_path.display().to_string(),
            read(&corpus_path).unwrap(),
        );
        for f in expected["files"]["provided"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(name) = f.as_str() {
                parts
                    .files
                    .insert(name.into(), Json::String(read(&dir.join(name)).unwrap()));
            }
        }
        // The images of a CloudFormation template's AMI map (its way of
        // naming the images it was written for), provided as an operator
        // would.
        if let Ok(Json::Object(doc)) =
            serde_norway::from_str::<Json>(parts.template.as_deref().unwrap_or_default())
        {
            for (map_name, map) in doc
                .get("Mappings")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
            {
                let lname = map_name.to_ascii_lowercase();
                if lname.contains("ami") || lname.contains("image") {
                    for v in map.as_object().into_iter().flat_map(|m| m.values()) {
                        for image in v.as_object().into_iter().flat_map(|m| m.values()) {
                            if let Some(i) = image.as_str() {
                                cloud.provide("image", i, Json::Null).await.unwrap();
                            }
                        }
                    }
                }
            }
        }
        // Images and key pairs the template names literally (an operator
        // running it would hold them).
        if let Ok(doc) =
            serde_norway::from_str::<Json>(parts.template.as_deref().unwrap_or_default())
        {
            let resources = doc.get("resources").or_else(|| doc.get("Resources"));
            let mut named = Vec::new();
            literal_names(resources.unwrap_or(&Json::Null), &mut named);
            for (kind, name) in named {
                cloud.provide(kind, &name, Json::Null).await.unwrap();
            }
        }
        let mut given = JsonMap::new();
        if let Some(env_id) = expected["environment"]["id"].as_str() {
            let text = read(&root.join("templates").join(env_id)).unwrap();
            if let Ok(Json::Object(env)) = serde_norway::from_str::<Json>(&text) {
                for k in ["parameters", "parameter_defaults"] {
                    if let Some(Json::Object(m)) = env.get(k) {
                        given.extend(m.clone());
                    }
                }
            }
            parts.environment = Some(text);
        }
        for (name, p) in expected["template_validate"]["result"]["Parameters"]
            .as_object()
            .into_iter()
            .flatten()
        {
            // The images and key pairs a parameter allows, as an operator
            // would provide them for the template.
            let custom = p["CustomConstraint"].as_str().unwrap_or_default();
            let lname = name.to_ascii_lowercase();
            let kind = if custom == "glance.image" || lname.contains("image") {
                Some("image")
            } else if custom == "nova.keypair" || lname.contains("key_name") || lname == "keyname" {
                Some("keypair")
            } else {
                None
            };
            if let Some(kind) = kind {
                for v in p["AllowedValues"].as_array().into_iter().flatten() {
                    if let Some(v) = v.as_str() {
                        cloud.provide(kind, v, Json::Null).await.unwrap();
                    }
                }
            }
            if names_cloud_object(name, p)
                || (p.get("Default").is_none() && !given.contains_key(name))
            {
                parts.parameters.insert(name.clone(), ordinary(name, p));
            }
        }
        let ctx = RequestContext::default();
        // A parameter that names an existing server gets one, made first
        // (as a user would give one of theirs) and deleted after.
        let server_params: Vec<String> = expected["template_validate"]["result"]["Parameters"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, p)| names_a_server(name, p) && !given.contains_key(name.as_str()))
            .map(|(name, _)| name.clone())
            .collect();
        let existing = if server_params.is_empty() {
            None
        } else {
            let helper = service
                .create(
                    &ctx,
                    &format!("existing-{n}"),
                    &SourceParts::template("existing.yaml", EXISTING_SERVER),
                    StackOptions::default(),
                )
                .await
                .unwrap();
            let done = service.wait(&ctx, &helper.id).await.unwrap().unwrap();
            assert_eq!(done.status_text(), "CREATE_COMPLETE", "{}", done.reason);
            let id = done.outputs.unwrap_or_default()["id"]["value"].clone();
            for p in &server_params {
                parts.parameters.insert(p.clone(), id.clone());
            }
            Some(helper.id)
        };
        let name = format!("corpus-{n}");
        let outcome = async {
            let stack = service
                .create(&ctx, &name, &parts, StackOptions::default())
                .await
                .map_err(|e| format!("refused: {e}"))?;
            let done = service
                .wait(&ctx, &stack.id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no record")?;
            let created = if done.status_text() == "CREATE_COMPLETE" {
                Ok(())
            } else {
                // The first failure says why (a rollback's own reason does not).
                let events = service
                    .events(&ctx, &stack.id, &Default::default())
                    .await
                    .unwrap_or_default();
                let why = events
                    .iter()
                    .find(|e| e.status.name() == "FAILED" && !e.reason.contains("cancelled"))
                    .map(|e| format!("{}: {}", e.resource_name, e.reason))
                    .unwrap_or_else(|| done.reason.clone());
                Err(format!("{}: {why}", done.status_text()))
            };
            let deleting = service
                .delete(&ctx, &stack.id)
                .await
                .map_err(|e| e.to_string())?;
            let deleted = service
                .wait(&ctx, &deleting.id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no record")?;
            if deleted.status_text() != "DELETE_COMPLETE" {
                return Err(format!(
                    "delete: {}: {}",
                    deleted.status_text(),
                    deleted.reason
                ));
            }
            if let Some(helper) = &existing {
                let d = service
                    .delete(&ctx, helper)
                    .await
                    .map_err(|e| e.to_string())?;
                service.wait(&ctx, &d.id).await.map_err(|e| e.to_string())?;
            }
            let left: Vec<String> = cloud
                .stack_objects()
                .into_iter()
                .map(|o| format!("{} {}", o.kind, o.name))
                .collect();
            if !left.is_empty() {
                return Err(format!("left in the cloud: {}", left.join(", ")));
            }
            created
        }
        .await;
        println!(
            "{id}: {}",
            match &outcome {
                Ok(()) => "CREATE_COMPLETE, deleted".to_string(),
                Err(e) => e.replace('\n', " "),
            }
        );
        results.push((id, outcome));
    }
    let complete = results.iter().filter(|(_, r)| r.is_ok()).count();
    println!(
        "{complete} of {} templates reached CREATE_COMPLETE and were deleted with nothing left",
        results.len()
    );
    let mut wrong = Vec::new();
    for (id, r) in &results {
        let listed = EXPECTED_FAILURES.iter().any(|(x, _)| x == id);
        match (r, listed) {
            (Err(e), false) => wrong.push(format!("{id}: {e}")),
            (Ok(()), true) => wrong.push(format!("{id} is listed as failing but completes")),
            _ => {}
        }
    }
    assert!(results.len() > 50, "only {} templates found", results.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
