//! Groups as generated nested stacks: the members of a resource group or
//! an autoscaling group, the template that holds them, the attributes a
//! group exposes, and scaling by a signal to a scaling policy.

use std::sync::Arc;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::Special;
use crate::engine::driver::{Attributes, ResourceSpec};
use crate::engine::model::{Action, ResourceRecord, StackRecord, Status};
use crate::engine::store::Write;
use crate::engine::{Engine, EngineError};

/// Replaces `var` by `index` in every string of a value.
fn with_index(v: &Json, var: &str, index: &str) -> Json {
    match v {
        Json::String(s) => Json::String(s.replace(var, index)),
        Json::Array(a) => Json::Array(a.iter().map(|x| with_index(x, var, index)).collect()),
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, x)| (k.replace(var, index), with_index(x, var, index)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The members of a group: names in order.
fn group_members(kind: &Special, props: &Json, size: Option<usize>) -> Vec<String> {
    match kind {
        Special::ResourceGroup => {
            let count = size
                .unwrap_or_else(|| props.get("count").and_then(Json::as_u64).unwrap_or(1) as usize);
            let removed: Vec<String> = props
                .get("removal_policies")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .flat_map(|p| {
                    p.get("resource_list")
                        .and_then(Json::as_array)
                        .cloned()
                        .unwrap_or_default()
                })
                .map(|v| crate::function::python::str_of(&v))
                .collect();
            (0..)
                .map(|i: usize| i.to_string())
                .filter(|n| !removed.contains(n))
                .take(count)
                .collect()
        }
        _ => {
            let n = size.unwrap_or_else(|| {
                props
                    .get("desired_capacity")
                    .and_then(Json::as_u64)
                    .or_else(|| props.get("min_size").and_then(Json::as_u64))
                    .unwrap_or(0) as usize
            });
            (0..n).map(|i| format!("member-{i}")).collect()
        }
    }
}

/// The template of a group's nested stack.
pub(super) fn group_template(kind: &Special, props: &Json, size: Option<usize>) -> String {
    let mut resources = JsonMap::new();
    for name in group_members(kind, props, size) {
        let def = match kind {
            Special::ResourceGroup => {
                let var = props
                    .get("index_var")
                    .and_then(Json::as_str)
                    .unwrap_or("%index%");
                let d = props.get("resource_def").cloned().unwrap_or(json!({}));
                with_index(&d, var, &name)
            }
            _ => props.get("resource").cloned().unwrap_or(json!({})),
        };
        let mut r = JsonMap::new();
        r.insert(
            "type".into(),
            def.get("type").cloned().unwrap_or(json!("OS::Heat::None")),
        );
        if let Some(p) = def.get("properties").filter(|p| !p.is_null()) {
            r.insert("properties".into(), p.clone());
        }
        if let Some(m) = def.get("metadata").filter(|p| !p.is_null()) {
            r.insert("metadata".into(), m.clone());
        }
        resources.insert(name, Json::Object(r));
    }
    serde_json::to_string_pretty(
        &json!({"heat_template_version": "2016-10-14", "resources": resources}),
    )
    .expect("serialisable")
}

/// The resource names of a template, in document order.
pub(super) fn template_order(template: &str) -> Vec<String> {
    crate::template::Template::parse(template)
        .map(|t| t.section_map("resources").keys().cloned().collect())
        .unwrap_or_default()
}

/// A group's attributes from its members (in order): `refs`, `refs_map`,
/// `resource.N.attr`, each attribute as a list, `current_size`...
pub(super) fn member_attributes(a: &mut Attributes, members: &[&ResourceRecord]) {
    let refs: Vec<Json> = members.iter().map(|r| json!(r.physical_id)).collect();
    let refs_map: JsonMap<String, Json> = members
        .iter()
        .map(|r| (r.name.clone(), json!(r.physical_id)))
        .collect();
    let mut by_attr: JsonMap<String, Json> = JsonMap::new();
    for r in members {
        a.insert(format!("resource.{}", r.name), json!(r.physical_id));
        for (k, v) in &r.attributes {
            a.insert(format!("resource.{}.{k}", r.name), v.clone());
            by_attr.entry(k.clone()).or_insert_with(|| json!({}))[r.name.as_str()] = v.clone();
        }
    }
    for (k, per_member) in &by_attr {
        let list: Vec<Json> = members
            .iter()
            .map(|r| {
                per_member
                    .get(r.name.as_str())
                    .cloned()
                    .unwrap_or(Json::Null)
            })
            .collect();
        a.entry(k.clone()).or_insert(Json::Array(list));
    }
    a.insert("attributes".into(), Json::Object(by_attr));
    a.insert("refs".into(), Json::Array(refs));
    a.insert("refs_map".into(), Json::Object(refs_map.clone()));
    a.insert("current_size".into(), json!(members.len()));
    a.insert("outputs".into(), Json::Object(refs_map));
    a.insert("removed_rsrc_list".into(), json!([]));
}

/// The size a scaling policy asks of a group of `current` members.
fn target_size(policy: &Json, group: &Json, current: f64) -> usize {
    let adjustment = policy
        .get("scaling_adjustment")
        .or_else(|| policy.get("ScalingAdjustment"))
        .and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(0.0);
    let kind = policy
        .get("adjustment_type")
        .or_else(|| policy.get("AdjustmentType"))
        .and_then(Json::as_str)
        .unwrap_or("change_in_capacity");
    let min = group.get("min_size").and_then(Json::as_f64).unwrap_or(0.0);
    let max = group
        .get("max_size")
        .and_then(Json::as_f64)
        .unwrap_or(f64::MAX);
    let target = match kind {
        "exact_capacity" | "ExactCapacity" => adjustment,
        "percent_change_in_capacity" | "PercentChangeInCapacity" => {
            current + (current * adjustment / 100.0).trunc()
        }
        _ => current + adjustment,
    };
    target.clamp(min, max) as usize
}

impl Engine {
    /// A signal to a scaling policy: the stack's tree is taken (refused
    /// while another operation runs on it) and the group resized in the
    /// background.
    pub(super) async fn scale(
        self: &Arc<Self>,
        stack: &StackRecord,
        policy: &ResourceRecord,
    ) -> Result<(), EngineError> {
        let p = &policy.properties;
        let group_id = p
            .get("auto_scaling_group_id")
            .or_else(|| p.get("AutoScalingGroupName"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let records = self.store.resources(&stack.id).await?;
        let Some(group) = records.into_iter().find(|r| {
            r.current && (r.physical_id.as_deref() == Some(group_id.as_str()) || r.name == group_id)
        }) else {
            return Err(EngineError::Invalid(format!(
                "scaling policy {}: group {group_id} not found",
                policy.name
            )));
        };
        let root = self.load(stack.root_id()).await?;
        let taken = self.take(&root, |_| {}).await?;
        let me = self.clone();
        let stack = stack.clone();
        let policy_name = policy.name.clone();
        let policy_props = policy.properties.clone();
        self.spawner.spawn(Box::pin(async move {
            let me2 = me.clone();
            me.own(taken, |op, root| async move {
                let mut group = group;
                let current = group
                    .attributes
                    .get("current_size")
                    .and_then(Json::as_u64)
                    .unwrap_or(0) as f64;
                let size = target_size(&policy_props, &group.properties, current);
                let spec = ResourceSpec {
                    project: stack.project.clone(),
                    stack_id: stack.id.clone(),
                    stack_name: stack.name.clone(),
                    name: group.name.clone(),
                    type_name: group.type_name.clone(),
                    properties: group.properties.clone(),
                    metadata: group.metadata.clone(),
                };
                let pid = group.physical_id.clone().unwrap_or_default();
                me2.persist(
                    &op,
                    &stack,
                    &mut group,
                    Action::Update,
                    Status::InProgress,
                    &format!("Scaling to {size} by {policy_name}"),
                )
                .await
                .ok()?;
                let phase = op.control.child();
                let (status, reason) = match me2
                    .special_update(
                        &op,
                        &phase,
                        &stack,
                        &Special::AutoScalingGroup,
                        &spec,
                        &pid,
                        Some(size),
                    )
                    .await
                {
                    Ok(attrs) => {
                        group.attributes = attrs;
                        (
                            Status::Complete,
                            format!("Scaled to {size} by {policy_name}"),
                        )
                    }
                    Err(err) => (
                        Status::Failed,
                        format!("Scaling by {policy_name} failed: {}", err.message),
                    ),
                };
                group.action = Action::Update;
                group.status = status;
                group.reason = reason.clone();
                group.updated_at = me2.clock.now();
                let event = me2.resource_event(&stack, &group, &reason);
                me2.write_op(
                    &op,
                    vec![
                        Write::PutResource(group),
                        Write::AddEvent(event),
                        Write::Release(root.id.clone()),
                    ],
                )
                .await
                .ok()?;
                let mut root = root;
                root.lease = None;
                Some(root)
            })
            .await;
        }));
        Ok(())
    }
}
