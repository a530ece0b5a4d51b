//! Real templates run end to end with ordinary values: what a user
//! running a template written by someone else gives it (image
//! cirros-0.6.2, flavor m1.small, key pair default-key, networks private
//! and public), what the cloud must hold for it (the images and key pairs
//! the template names), and one run: create on the simulated cloud, wait,
//! delete, and check that nothing is left.
//!
//! Used by the corpus test (`tests/corpus_create.rs`, parameters as Heat's
//! validate API showed them) and by the `sweep` example (any directory of
//! templates, parameters from heat-rs's own validate).

use std::path::Path;

use heat_core::engine::{RequestContext, StackOptions};
use heat_core::parameters::ParamSchema;
use heat_core::service::{SourceParts, StackService};
use heat_core::template::Template;
use heat_resources::sim::SimCloud;
use serde_json::{Map as JsonMap, Value as Json};

/// A server of the user's, for parameters that name one; it runs the
/// software deployment agents (`SOFTWARE_CONFIG`), as the servers Heat's
/// functional tests deploy to do.
const EXISTING_SERVER: &str = "heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}
outputs:
  id: {value: {get_resource: server}}
";

/// Whether a parameter names an existing server (`nova.server`, or a
/// `server`, `instance_id` or `server_id`: a default names a server of
/// another cloud).
fn names_a_server(name: &str, p: &Json) -> bool {
    let lname = name.to_ascii_lowercase();
    p["CustomConstraint"] == "nova.server"
        || lname == "server"
        || lname.ends_with("instance_id")
        || lname.ends_with("server_id")
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
/// ordinary ones of (an image, a flavor, a key pair, a network or subnet
/// by id): those get the ordinary value even when the template or its
/// environment gives one (an environment's `private_net_id:
/// ec6c8237-...` is the author's cloud, "replace these values").
fn names_cloud_object(name: &str, p: &Json) -> bool {
    let lname = name.to_ascii_lowercase();
    let custom = p["CustomConstraint"].as_str().unwrap_or_default();
    let names_network = lname.contains("net")
        && ["_id", "network", "net", "subnet"]
            .iter()
            .any(|end| lname.ends_with(end));
    names_network
        || [
            "glance.image",
            "nova.flavor",
            "nova.keypair",
            "neutron.network",
            "neutron.subnet",
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
        || lname == "key"
}

/// An ordinary value for a parameter Heat's validate API describes: one of
/// its allowed values, else the first of the usual values that meets its
/// constraints as the template declares them (`schema`: a password's
/// pattern, an e-mail address's), as a user would give.
fn ordinary(name: &str, p: &Json, schema: Option<&ParamSchema>) -> Json {
    let allowed = p["AllowedValues"].as_array();
    let value = ordinary_value(name, p);
    let value = match allowed {
        Some(a) if !a.contains(&value) => a.first().cloned().unwrap_or(value),
        _ => value,
    };
    let fits = |v: &Json| schema.is_none_or(|s| s.check_constraints(v, false).is_ok());
    if fits(&value) || !value.is_string() {
        return value;
    }
    const USUAL: [&str; 8] = [
        "Passw0rd!",
        "Passw0rd",
        "admin@example.com",
        "value",
        "Value1",
        "x",
        "abcdefghijkl",
        "10.0.0.10",
    ];
    USUAL
        .iter()
        .map(|u| Json::String(u.to_string()))
        .find(fits)
        .unwrap_or(value)
}

/// The parameters a template declares, as heat-rs reads them.
fn schemas(template: &str) -> Vec<ParamSchema> {
    let Ok(t) = Template::parse(template) else {
        return Vec::new();
    };
    t.section_map("parameters")
        .iter()
        .filter_map(|(name, node)| ParamSchema::from_node(t.dialect, name, node).ok())
        .collect()
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
            } else if ["length", "size", "count", "port", "number"]
                .iter()
                .any(|k| lname.contains(k))
            {
                text("8,8")
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
        // A subnet by any spelling (`private_subnet_id`,
        // `private_sub_network`).
        _ if custom == "neutron.subnet"
            || lname.contains("subnet")
            || lname.contains("sub_net") =>
        {
            text("private-subnet")
        }
        _ if custom.starts_with("neutron.") || lname.contains("net") => text("private"),
        _ if lname.contains("ip") || lname.contains("address") => text("10.0.0.10"),
        _ if lname.contains("dns") || lname.contains("nameserver") => text("8.8.8.8"),
        _ if lname.contains("zone") => text("nova"),
        _ if lname.contains("pass") || lname.contains("secret") => text("Passw0rd"),
        _ if lname.contains("email") || lname.contains("mail") => text("admin@example.com"),
        _ => text("value"),
    }
}

/// The images and key pairs a user running this template would hold: the
/// images of a CloudFormation template's AMI map (its way of naming the
/// images it was written for), the images and key pairs it names
/// literally, and those its parameters allow.
pub fn cloud_objects(
    template: &str,
    parameters: &JsonMap<String, Json>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Ok(Json::Object(doc)) = serde_norway::from_str::<Json>(template) {
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
                            out.push(("image", i.to_string()));
                        }
                    }
                }
            }
        }
        let resources = doc.get("resources").or_else(|| doc.get("Resources"));
        literal_names(resources.unwrap_or(&Json::Null), &mut out);
    }
    for (name, p) in parameters {
        let custom = p["CustomConstraint"].as_str().unwrap_or_default();
        let lname = name.to_ascii_lowercase();
        let kind = if custom == "glance.image" || lname.contains("image") {
            "image"
        } else if custom == "nova.keypair" || lname.contains("key_name") || lname == "keyname" {
            "keypair"
        } else {
            continue;
        };
        for v in p["AllowedValues"].as_array().into_iter().flatten() {
            if let Some(v) = v.as_str() {
                out.push((kind, v.to_string()));
            }
        }
    }
    out
}

/// One template to run.
pub struct Run<'a> {
    /// A name for the stack, unique within the cloud.
    pub name: String,
    /// The template, its files and environment.
    pub parts: SourceParts,
    /// The parameters as Heat's validate API shows them.
    pub parameters: &'a JsonMap<String, Json>,
}

/// What a template that completed showed.
pub struct Created {
    /// Its outputs whose value is null (an attribute nothing gave: worth a
    /// look, Heat's value may not be null).
    pub null_outputs: Vec<String>,
}

/// Creates the template on the simulated cloud with ordinary values, waits,
/// deletes it, and checks that nothing of it is left. `Ok` only when it
/// reached CREATE_COMPLETE and its delete left nothing; the error says
/// why otherwise (the first failed resource and its reason).
pub async fn create_and_delete(
    service: &StackService,
    cloud: &SimCloud,
    run: Run<'_>,
) -> Result<Created, String> {
    let Run {
        name,
        mut parts,
        parameters,
    } = run;
    for (kind, object) in cloud_objects(parts.template.as_deref().unwrap_or_default(), parameters) {
        cloud
            .provide(kind, &object, Json::Null)
            .await
            .map_err(|e| e.to_string())?;
    }
    // Everything the cloud holds before: anything else left after the
    // delete is a leak (a stack's objects, or the ports, VIPs and other
    // objects services make for them).
    let before: std::collections::HashSet<String> =
        cloud.objects().into_iter().map(|o| o.id).collect();
    let mut given = JsonMap::new();
    if let Some(text) = &parts.environment {
        if let Ok(Json::Object(env)) = serde_norway::from_str::<Json>(text) {
            for k in ["parameters", "parameter_defaults"] {
                if let Some(Json::Object(m)) = env.get(k) {
                    given.extend(m.clone());
                }
            }
        }
    }
    let declared = schemas(parts.template.as_deref().unwrap_or_default());
    for (p, spec) in parameters {
        if names_cloud_object(p, spec) || (spec.get("Default").is_none() && !given.contains_key(p))
        {
            let schema = declared.iter().find(|s| &s.name == p);
            parts
                .parameters
                .insert(p.clone(), ordinary(p, spec, schema));
        }
    }
    let ctx = RequestContext::default();
    // A parameter that names an existing server gets one, made first (as a
    // user would give one of theirs) and deleted after.
    let server_params: Vec<&String> = parameters
        .iter()
        .filter(|(p, spec)| names_a_server(p, spec) && !given.contains_key(p.as_str()))
        .map(|(p, _)| p)
        .collect();
    let existing = if server_params.is_empty() {
        None
    } else {
        let helper = service
            .create(
                &ctx,
                &format!("{name}-existing"),
                &SourceParts::template("existing.yaml", EXISTING_SERVER),
                StackOptions::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
        let done = wait(service, &helper.id).await?;
        if done.status_text() != "CREATE_COMPLETE" {
            return Err(format!("the user's server: {}", done.reason));
        }
        let id = done.outputs.unwrap_or_default()["id"]["value"].clone();
        for p in server_params {
            parts.parameters.insert(p.clone(), id.clone());
        }
        Some(helper.id)
    };
    let stack = service
        .create(&ctx, &name, &parts, StackOptions::default())
        .await
        .map_err(|e| format!("refused: {e}"))?;
    let done = wait(service, &stack.id).await?;
    let created = if done.status_text() == "CREATE_COMPLETE" {
        let null_outputs = done
            .outputs
            .iter()
            .flatten()
            .filter(|(_, o)| o.get("value").is_none_or(Json::is_null))
            .map(|(name, _)| name.clone())
            .collect();
        Ok(Created { null_outputs })
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
    delete(service, &stack.id).await?;
    if let Some(helper) = &existing {
        delete(service, helper).await?;
    }
    let left: Vec<String> = cloud
        .objects()
        .into_iter()
        .filter(|o| !before.contains(&o.id))
        .map(|o| format!("{} {}", o.kind, o.name))
        .collect();
    if !left.is_empty() {
        return Err(format!("left in the cloud: {}", left.join(", ")));
    }
    created
}

async fn wait(service: &StackService, id: &str) -> Result<heat_core::engine::StackRecord, String> {
    service
        .wait(&RequestContext::default(), id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "no record".to_string())
}

async fn delete(service: &StackService, id: &str) -> Result<(), String> {
    let deleting = service
        .delete(&RequestContext::default(), id)
        .await
        .map_err(|e| e.to_string())?;
    let deleted = wait(service, &deleting.id).await?;
    if deleted.status_text() != "DELETE_COMPLETE" {
        return Err(format!(
            "delete: {}: {}",
            deleted.status_text(),
            deleted.reason
        ));
    }
    Ok(())
}

/// Reads a file beside another (`None` when it is not there).
pub fn read_beside(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

/// The files the template at `key` (read from `path`) names, read from
/// disk beside it, recursively, keyed as heat-rs keys them (from the root
/// template's directory).
pub fn read_files(text: &str, key: &str, path: &Path, parts: &mut SourceParts) {
    let Ok(template) = Template::parse(text) else {
        return;
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    for r in heat_core::files::references(&template) {
        let file_key = heat_core::files::key_of(key, &r);
        let file = dir.join(&r);
        if parts.files.contains_key(&file_key) {
            continue;
        }
        if let Ok(content) = std::fs::read_to_string(&file) {
            parts
                .files
                .insert(file_key.clone(), Json::String(content.clone()));
            read_files(&content, &file_key, &file, parts);
        }
    }
}
