//! Stacks, resources, events and outputs as Heat's API shows them: key
//! names and order, times as `2026-11-22T08:34:58Z`, parameter values as
//! strings, and `links` built from the address the client used.

use heat_core::engine::{Event, ResourceRecord, StackRecord};
use heat_core::function::python::str_of;
use heat_core::service::{heat_time, ResourceView};
use serde_json::{json, Map as JsonMap, Value as Json};

/// Where links point: the address the client used and its project.
#[derive(Debug, Clone)]
pub struct Base {
    /// `http://host:port`.
    pub url: String,
    /// The project (tenant) of the URL.
    pub tenant: String,
}

impl Base {
    /// `.../v1/{tenant}`.
    pub fn v1(&self) -> String {
        format!("{}/v1/{}", self.url, self.tenant)
    }

    /// A stack's canonical URL.
    pub fn stack(&self, name: &str, id: &str) -> String {
        format!("{}/stacks/{name}/{id}", self.v1())
    }
}

fn link(href: String, rel: &str) -> Json {
    json!({"href": href, "rel": rel})
}

fn time(t: Option<f64>) -> Json {
    t.filter(|t| *t > 0.0)
        .map(heat_time)
        .map(Json::String)
        .unwrap_or(Json::Null)
}

/// A stack's `links`.
pub fn stack_links(base: &Base, s: &StackRecord) -> Json {
    json!([link(base.stack(&s.name, &s.id), "self")])
}

/// The parent stack's id, as Heat shows it.
fn parent(s: &StackRecord) -> Json {
    s.parent
        .as_ref()
        .map(|(p, _)| json!(p))
        .unwrap_or(Json::Null)
}

/// A stack of `GET /stacks`.
pub fn stack_summary(base: &Base, s: &StackRecord) -> Json {
    json!({
        "id": s.id,
        "links": stack_links(base, s),
        "project": s.project,
        "stack_name": s.name,
        "description": "",
        "stack_status": s.status_text(),
        "stack_status_reason": s.reason,
        "creation_time": time(Some(s.created_at)),
        "updated_time": time(s.updated_at),
        "deletion_time": time(s.deleted_at),
        "stack_owner": s.user,
        "parent": parent(s),
        "stack_user_project_id": s.project,
        "tags": if s.is_deleted() { Json::Null } else { json!(s.tags) },
    })
}

/// A stack's parameters: the pseudo parameters first, every value a
/// string, hidden ones masked.
pub fn parameters(s: &StackRecord) -> Json {
    let mut out = JsonMap::new();
    out.insert("OS::stack_id".into(), json!(s.id));
    out.insert("OS::project_id".into(), json!(s.project));
    out.insert("OS::stack_name".into(), json!(s.name));
    for (k, v) in &s.parameters {
        if k.starts_with("OS::") {
            continue;
        }
        let shown = match v {
            Json::Null => Json::Null,
            Json::String(_) => v.clone(),
            other => json!(str_of(other)),
        };
        out.insert(k.clone(), shown);
    }
    Json::Object(out)
}

fn description(s: &StackRecord) -> String {
    if s.description.trim().is_empty() {
        "No description".into()
    } else {
        s.description.clone()
    }
}

/// A stack's outputs with their values.
pub fn outputs(s: &StackRecord) -> Json {
    Json::Array(
        s.outputs
            .iter()
            .flatten()
            .map(|(k, o)| output(k, o, true))
            .collect(),
    )
}

/// One output: key, description, and the value (and error) when asked.
pub fn output(key: &str, o: &Json, with_value: bool) -> Json {
    let mut v = json!({
        "output_key": key,
        "description": o.get("description").cloned().unwrap_or(json!("No description given")),
    });
    if with_value {
        v["output_value"] = o.get("value").cloned().unwrap_or(Json::Null);
        if let Some(e) = o.get("error") {
            v["output_error"] = e.clone();
        }
    }
    v
}

/// `GET /stacks/{name}/{id}`.
pub fn stack_detail(base: &Base, s: &StackRecord, resolve_outputs: bool) -> Json {
    let mut v = json!({
        "stack_name": s.name,
        "id": s.id,
        "links": stack_links(base, s),
        "creation_time": time(Some(s.created_at)),
        "updated_time": time(s.updated_at),
        "deletion_time": time(s.deleted_at),
        "notification_topics": [],
        "parameters": parameters(s),
        "description": description(s),
        "template_description": description(s),
        "capabilities": [],
        "disable_rollback": s.disable_rollback,
        "timeout_mins": s.timeout_mins,
        "stack_owner": s.user,
        "parent": parent(s),
        "stack_user_project_id": s.project,
        "tags": s.tags,
        "stack_status": s.status_text(),
        "stack_status_reason": s.reason,
    });
    if resolve_outputs && !s.is_deleted() {
        v["outputs"] = outputs(s);
    }
    v
}

/// A resource of `GET .../resources` (with `detail`, of `GET
/// .../resources/{name}`).
pub fn resource(base: &Base, view: &ResourceView, detail: bool, with_parent: bool) -> Json {
    let r = &view.record;
    let stack_url = base.stack(&view.stack_name, &view.stack_id);
    let mut links = vec![
        link(format!("{stack_url}/resources/{}", r.name), "self"),
        link(stack_url.clone(), "stack"),
    ];
    if let Some((name, id)) = &view.nested {
        links.push(link(base.stack(name, id), "nested"));
    }
    let mut v = json!({
        "updated_time": time(Some(r.updated_at)),
        "creation_time": time(Some(if r.created_at > 0.0 { r.created_at } else { r.updated_at })),
        "logical_resource_id": r.name,
        "resource_name": r.name,
        "physical_resource_id": r.physical_id.clone().unwrap_or_default(),
        "resource_status": r.status_text(),
        "resource_status_reason": r.reason,
        "resource_type": r.type_name,
        "links": links,
        "required_by": view.required_by,
    });
    if with_parent {
        if let Some(p) = &view.parent_resource {
            v["parent_resource"] = json!(p);
        }
    }
    if detail {
        v["description"] = json!("");
        v["attributes"] = attributes(r);
    }
    v
}

/// A resource's attributes, as `show` gives them (internal ones left out).
pub fn attributes(r: &ResourceRecord) -> Json {
    heat_resources::views::resource_attributes(&r.type_name, &r.attributes)
}

/// An event; `stack` is the stack it belongs to, `root` the stack asked
/// about when nested stacks' events are included.
pub fn event(
    base: &Base,
    stack: &StackRecord,
    root: Option<&StackRecord>,
    e: &Event,
    detail: bool,
) -> Json {
    let stack_url = base.stack(&stack.name, &stack.id);
    let resource_url = format!("{stack_url}/resources/{}", e.resource_name);
    let mut links = vec![
        link(format!("{resource_url}/events/{}", e.id), "self"),
        link(resource_url, "resource"),
        link(stack_url, "stack"),
    ];
    if let Some(root) = root {
        links.push(link(base.stack(&root.name, &root.id), "root_stack"));
    }
    let mut v = json!({
        "id": e.id,
        "links": links,
        "event_time": heat_time(e.time),
        "logical_resource_id": e.resource_name,
        "resource_name": e.resource_name,
        "physical_resource_id": e.physical_id.clone().unwrap_or_default(),
        "resource_status": format!("{}_{}", e.action.name(), e.status.name()),
        "resource_status_reason": e.reason,
    });
    if detail {
        v["resource_type"] = json!(e.resource_type);
        v["resource_properties"] = json!({});
    }
    v
}
