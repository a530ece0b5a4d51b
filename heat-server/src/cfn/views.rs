//! Stacks, resources and events as the CloudFormation Query API shows
//! them: stack ids as Heat's ARNs (`arn:openstack:heat::{project}:stacks/
//! {name}/{id}`), times ISO 8601, parameters and outputs as strings, tags
//! as `Key`/`Value` (a heat-rs tag `k=v`), and lists paged by `NextToken`.

use base64::Engine as _;
use heat_core::engine::{Action, Event, StackRecord};
use heat_core::function::python::str_of;
use heat_core::service::{heat_time, ResourceView};
use serde_json::Value as Json;

use super::error::CfnError;
use super::xml::Xml;

/// A stack's ARN.
pub fn arn(s: &StackRecord) -> String {
    format!(
        "arn:openstack:heat::{}:stacks/{}/{}",
        s.project, s.name, s.id
    )
}

/// The stack a `StackName` parameter names: a name, an id or an ARN.
pub fn stack_ref(name: &str) -> &str {
    match name.strip_prefix("arn:") {
        Some(rest) => rest.rsplit('/').next().unwrap_or(name),
        None => name,
    }
}

/// A time, ISO 8601.
pub fn time(t: f64) -> String {
    heat_time(t)
}

/// A value as CloudFormation shows parameters and outputs: strings as
/// they are, anything else as JSON.
pub fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Array(_) | Json::Object(_) => v.to_string(),
        other => str_of(other),
    }
}

/// A stack's status as AWS names it: Heat's, except that rolling back an
/// update is `UPDATE_ROLLBACK_*` (AWS's waiters and tools look for it).
pub fn stack_status(s: &StackRecord) -> String {
    match (s.action, s.rollback_of) {
        (Action::Rollback, Some(Action::Update)) => {
            format!("UPDATE_ROLLBACK_{}", s.status.name())
        }
        _ => s.status_text(),
    }
}

/// A heat-rs tag as `Key`/`Value`.
pub fn tag(t: &str) -> (&str, &str) {
    t.split_once('=').unwrap_or((t, ""))
}

/// The template's own parameters of a stack (pseudo parameters left out).
fn parameters(s: &StackRecord) -> impl Iterator<Item = (&String, &Json)> {
    s.parameters.iter().filter(|(k, _)| !k.contains("::"))
}

/// A `Stack` of `DescribeStacks`.
pub fn stack(x: &mut Xml, s: &StackRecord) {
    x.leaf("StackId", arn(s))
        .leaf("StackName", &s.name)
        .opt(
            "Description",
            (!s.description.trim().is_empty()).then_some(&s.description),
        )
        .list("Parameters", parameters(s), |x, (k, v)| {
            x.leaf("ParameterKey", k).leaf("ParameterValue", text(v));
        })
        .leaf("CreationTime", time(s.created_at))
        .opt("LastUpdatedTime", s.updated_at.map(time))
        .opt("DeletionTime", s.deleted_at.map(time))
        .leaf("StackStatus", stack_status(s))
        .opt(
            "StackStatusReason",
            (!s.reason.is_empty()).then_some(&s.reason),
        )
        .boolean("DisableRollback", s.disable_rollback)
        .strings("NotificationARNs", Vec::<String>::new())
        .opt("TimeoutInMinutes", s.timeout_mins.map(|t| t.to_string()))
        .strings("Capabilities", Vec::<String>::new());
    if let Some(outputs) = s.outputs.as_ref().filter(|_| !s.is_deleted()) {
        x.list("Outputs", outputs, |x, (k, o)| {
            x.leaf("OutputKey", k).opt(
                "OutputValue",
                o.get("value").filter(|v| !v.is_null()).map(text),
            );
            x.opt("Description", o.get("description").and_then(Json::as_str))
                .opt("ExportName", o.get("export").and_then(Json::as_str));
        });
    }
    x.list("Tags", &s.tags, |x, t| {
        let (k, v) = tag(t);
        x.leaf("Key", k).leaf("Value", v);
    });
    if let Some((parent, _)) = &s.parent {
        x.leaf("ParentId", parent);
        x.opt("RootId", s.root.as_ref());
    }
}

/// A `StackSummary` of `ListStacks`.
pub fn summary(x: &mut Xml, s: &StackRecord) {
    x.leaf("StackId", arn(s))
        .leaf("StackName", &s.name)
        .opt(
            "TemplateDescription",
            (!s.description.trim().is_empty()).then_some(&s.description),
        )
        .leaf("CreationTime", time(s.created_at))
        .opt("LastUpdatedTime", s.updated_at.map(time))
        .opt("DeletionTime", s.deleted_at.map(time))
        .leaf("StackStatus", stack_status(s))
        .opt(
            "StackStatusReason",
            (!s.reason.is_empty()).then_some(&s.reason),
        );
    if let Some((parent, _)) = &s.parent {
        x.leaf("ParentId", parent);
    }
}

fn stack_arn_of(v: &ResourceView, project: &str) -> String {
    format!(
        "arn:openstack:heat::{project}:stacks/{}/{}",
        v.stack_name, v.stack_id
    )
}

/// The fields every resource view shares.
fn resource_common(x: &mut Xml, v: &ResourceView, project: &str) {
    let r = &v.record;
    x.leaf("StackName", &v.stack_name)
        .leaf("StackId", stack_arn_of(v, project))
        .leaf("LogicalResourceId", &r.name)
        .opt("PhysicalResourceId", r.physical_id.as_ref())
        .leaf("ResourceType", &r.type_name);
}

fn status(x: &mut Xml, v: &ResourceView) {
    let r = &v.record;
    x.leaf("ResourceStatus", r.status_text()).opt(
        "ResourceStatusReason",
        (!r.reason.is_empty()).then_some(&r.reason),
    );
}

/// A `StackResource` of `DescribeStackResources`.
pub fn resource(x: &mut Xml, v: &ResourceView, project: &str) {
    resource_common(x, v, project);
    x.leaf("Timestamp", time(v.record.updated_at));
    status(x, v);
}

/// The `StackResourceDetail` of `DescribeStackResource`, with its
/// `Metadata` as JSON text (what cfn-get-metadata and cfn-init read).
pub fn resource_detail(x: &mut Xml, v: &ResourceView, project: &str) {
    resource_common(x, v, project);
    x.leaf("LastUpdatedTimestamp", time(v.record.updated_at));
    status(x, v);
    let metadata = match &v.record.metadata {
        Json::Null => "{}".to_string(),
        m => m.to_string(),
    };
    x.leaf("Metadata", metadata);
}

/// A `StackResourceSummary` of `ListStackResources`.
pub fn resource_summary(x: &mut Xml, v: &ResourceView) {
    let r = &v.record;
    x.leaf("LogicalResourceId", &r.name)
        .opt("PhysicalResourceId", r.physical_id.as_ref())
        .leaf("ResourceType", &r.type_name)
        .leaf("LastUpdatedTimestamp", time(r.updated_at));
    status(x, v);
}

/// A `StackEvent` of `DescribeStackEvents`.
pub fn event(x: &mut Xml, s: &StackRecord, e: &Event) {
    x.leaf("StackId", arn(s))
        .leaf("EventId", &e.id)
        .leaf("StackName", &s.name)
        .leaf("LogicalResourceId", &e.resource_name)
        .opt("PhysicalResourceId", e.physical_id.as_ref())
        .leaf("ResourceType", &e.resource_type)
        .leaf("Timestamp", time(e.time))
        .leaf(
            "ResourceStatus",
            format!("{}_{}", e.action.name(), e.status.name()),
        )
        .opt(
            "ResourceStatusReason",
            (!e.reason.is_empty()).then_some(&e.reason),
        );
}

/// One page of a list and the `NextToken` of the next, if any. The token
/// is the offset, opaque to clients.
pub fn page<T>(
    items: Vec<T>,
    token: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), CfnError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let start = match token {
        None | Some("") => 0,
        Some(t) => b64
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()))
            .filter(|n| *n <= items.len())
            .ok_or_else(|| CfnError::validation(format!("Invalid NextToken {t}")))?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| b64.encode(format!("o:{end}")));
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_their_tokens_to_the_end() {
        let items: Vec<u32> = (0..250).collect();
        let (first, next) = page(items.clone(), None, 100).unwrap();
        assert_eq!(first.len(), 100);
        let (second, next) = page(items.clone(), next.as_deref(), 100).unwrap();
        assert_eq!(second[0], 100);
        let (third, next) = page(items.clone(), next.as_deref(), 100).unwrap();
        assert_eq!(third, (200..250).collect::<Vec<_>>());
        assert!(next.is_none());
        assert_eq!(
            page(items, Some("bogus"), 100).unwrap_err().code,
            "ValidationError"
        );
    }

    #[test]
    fn stack_references_take_names_ids_and_arns() {
        assert_eq!(stack_ref("web"), "web");
        assert_eq!(stack_ref("arn:openstack:heat::p:stacks/web/0b7c"), "0b7c");
    }
}
