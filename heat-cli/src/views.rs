//! Stacks, resources, events and outputs as the OpenStack CLI shows them.

use heat_core::engine::{Event, ResourceRecord, StackRecord};
use heat_core::service::heat_time as time;
use serde_json::{json, Value as Json};

/// `stack show`: parameters as resolved when the operation was accepted
/// (hidden ones masked), the template's description.
pub fn stack(stack: &StackRecord) -> Json {
    json!({
        "id": stack.id,
        "stack_name": stack.name,
        "description": stack.description,
        "creation_time": time(stack.created_at),
        "updated_time": stack.updated_at.map(time),
        "stack_status": stack.status_text(),
        "stack_status_reason": stack.reason,
        "parameters": stack.parameters,
        "outputs": outputs(stack),
        "disable_rollback": stack.disable_rollback,
        "timeout_mins": stack.timeout_mins,
        "tags": stack.tags,
        "stack_owner": stack.user,
        "project": stack.project,
    })
}

/// `stack list` rows.
pub fn stack_row(stack: &StackRecord) -> Json {
    json!({
        "ID": stack.id,
        "Stack Name": stack.name,
        "Project": stack.project,
        "Stack Status": stack.status_text(),
        "Creation Time": time(stack.created_at),
        "Updated Time": stack.updated_at.map(time),
    })
}

/// `stack output show --all` entries.
pub fn outputs(stack: &StackRecord) -> Json {
    let Some(outputs) = &stack.outputs else {
        return json!([]);
    };
    Json::Array(
        outputs
            .iter()
            .map(|(k, o)| {
                let mut v = json!({"output_key": k, "output_value": o["value"], "description": o.get("description").cloned().unwrap_or(json!("No description given"))});
                if let Some(e) = o.get("error") {
                    v["output_error"] = e.clone();
                }
                v
            })
            .collect(),
    )
}

/// `stack resource list` rows.
pub fn resource_row(r: &ResourceRecord) -> Json {
    json!({
        "resource_name": r.name,
        "physical_resource_id": r.physical_id.clone().unwrap_or_default(),
        "resource_type": r.type_name,
        "resource_status": r.status_text(),
        "updated_time": time(r.updated_at),
    })
}

/// `stack resource show`.
pub fn resource(r: &ResourceRecord) -> Json {
    json!({
        "resource_name": r.name,
        "physical_resource_id": r.physical_id.clone().unwrap_or_default(),
        "resource_type": r.type_name,
        "resource_status": r.status_text(),
        "resource_status_reason": r.reason,
        "updated_time": time(r.updated_at),
        "required_by": [],
        "requires": r.requires,
        "attributes": r.attributes.iter().filter(|(k, _)| !k.starts_with("__")).map(|(k, v)| (k.clone(), v.clone())).collect::<serde_json::Map<_, _>>(),
        "properties": r.properties,
    })
}

/// `stack event list` rows.
pub fn event_row(e: &Event) -> Json {
    json!({
        "id": e.id,
        "resource_name": e.resource_name,
        "event_time": time(e.time),
        "resource_status": format!("{}_{}", e.action.name(), e.status.name()),
        "resource_status_reason": e.reason,
        "physical_resource_id": e.physical_id.clone().unwrap_or_default(),
    })
}
