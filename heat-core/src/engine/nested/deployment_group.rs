//! Groups of software deployments (`OS::Heat::SoftwareDeploymentGroup`,
//! `OS::Heat::SoftwareDeployments` and the structured ones): a generated
//! nested stack of one deployment per key of `servers`, whose attributes
//! are keyed by those names, as Heat's.

use serde_json::{json, Value as Json};

use crate::engine::driver::Attributes;

/// A deployment group's member for the server `name` of its `servers`:
/// a deployment of the group's type (structured or not) with the group's
/// other properties.
pub(super) fn member(props: &Json, name: &str, structured: bool) -> Json {
    let mut p = props.as_object().cloned().unwrap_or_default();
    let server = p
        .remove("servers")
        .and_then(|s| s.get(name).cloned())
        .unwrap_or(Json::Null);
    p.retain(|_, v| !v.is_null());
    p.insert("server".into(), server);
    json!({
        "type": if structured { "OS::Heat::StructuredDeployment" } else { "OS::Heat::SoftwareDeployment" },
        "properties": p,
    })
}

/// A deployment group's attributes, as Heat's `SoftwareDeploymentGroup`:
/// `deploy_stdouts`, `deploy_stderrs`, `deploy_status_codes` and every
/// output by server name (a map, not a resource group's list).
pub(super) fn attributes(a: &mut Attributes) {
    let by_attr = a
        .get("attributes")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, per_member) in by_attr {
        a.insert(k, per_member);
    }
    for (group, member) in [
        ("deploy_stdouts", "deploy_stdout"),
        ("deploy_stderrs", "deploy_stderr"),
        ("deploy_status_codes", "deploy_status_code"),
    ] {
        let v = a.get(member).cloned().unwrap_or_else(|| json!({}));
        a.insert(group.into(), v);
    }
}
