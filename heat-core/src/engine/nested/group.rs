//! Groups as generated nested stacks: the members of a resource group or
//! an autoscaling group, the template that holds them, the attributes a
//! group exposes, rolling updates in batches, and scaling by a signal to a
//! scaling policy.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::Special;
use crate::engine::driver::{Attributes, DriverError, ResourceSpec};
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

/// The types of an `OS::Heat::ResourceChain` (realised as a resource
/// group whose members are its `resources`, in order).
fn chain(kind: &Special, props: &Json) -> Option<Vec<Json>> {
    match kind {
        Special::ResourceGroup => props.get("resources").and_then(Json::as_array).cloned(),
        _ => None,
    }
}

/// The members of a group: names in order.
fn group_members(kind: &Special, props: &Json, size: Option<usize>) -> Vec<String> {
    if let Some(types) = chain(kind, props) {
        return (0..types.len()).map(|i| i.to_string()).collect();
    }
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
        // One deployment per server, named by its key in `servers`.
        Special::DeploymentGroup { .. } => props
            .get("servers")
            .and_then(Json::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
        _ => {
            let n = size.unwrap_or_else(|| {
                count(props.get("desired_capacity"))
                    .or_else(|| count(props.get("min_size")))
                    .unwrap_or(0) as usize
            });
            (0..n).map(|i| format!("member-{i}")).collect()
        }
    }
}

/// The template of a group's nested stack.
pub(super) fn group_template(kind: &Special, props: &Json, size: Option<usize>) -> String {
    let mut resources = JsonMap::new();
    // A resource chain: each of its types with the chain's properties,
    // each after the previous one unless `concurrent` (as Heat's chain).
    if let Some(types) = chain(kind, props) {
        let concurrent = props.get("concurrent").is_some_and(|c| {
            c.as_bool()
                .or_else(|| c.as_str().map(|s| s.eq_ignore_ascii_case("true")))
                .unwrap_or(false)
        });
        for (i, t) in types.iter().enumerate() {
            let mut r = JsonMap::new();
            r.insert("type".into(), t.clone());
            if let Some(p) = props.get("resource_properties").filter(|p| !p.is_null()) {
                r.insert("properties".into(), p.clone());
            }
            if i > 0 && !concurrent {
                r.insert("depends_on".into(), json!((i - 1).to_string()));
            }
            resources.insert(i.to_string(), Json::Object(r));
        }
        return serde_json::to_string_pretty(
            &json!({"heat_template_version": "2016-10-14", "resources": resources}),
        )
        .expect("serialisable");
    }
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
            Special::DeploymentGroup { structured } => {
                super::deployment_group::member(props, &name, *structured)
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

/// How a group rolls an update out: `ResourceGroup`'s `update_policy`
/// `rolling_update`, `OS::Heat::AutoScalingGroup`'s `rolling_updates`
/// property, `AWS::AutoScaling::AutoScalingGroup`'s `UpdatePolicy`
/// `AutoScalingRollingUpdate` (as Heat reads each).
#[derive(Debug, Clone, PartialEq)]
pub(in crate::engine) struct Rolling {
    /// Members changed at once, at most.
    pub batch: usize,
    /// Members kept in service while a batch changes.
    pub min_in_service: usize,
    /// The wait between batches.
    pub pause: Duration,
}

/// A number that may be written as a string (`"2"`).
fn count(v: Option<&Json>) -> Option<u64> {
    let v = v?;
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// An ISO 8601 duration as CloudFormation writes `PauseTime` (`PT1M30S`),
/// or seconds.
fn iso_duration(v: Option<&Json>) -> Duration {
    let Some(v) = v else {
        return Duration::ZERO;
    };
    if let Some(n) = v.as_f64() {
        return Duration::from_secs_f64(n.max(0.0));
    }
    let text = v.as_str().unwrap_or_default().trim().to_ascii_uppercase();
    let Some(rest) = text.strip_prefix("PT") else {
        return Duration::from_secs_f64(text.parse::<f64>().unwrap_or(0.0).max(0.0));
    };
    let (mut secs, mut number) = (0.0, String::new());
    for c in rest.chars() {
        match c {
            'H' => secs += number.parse::<f64>().unwrap_or(0.0) * 3600.0,
            'M' => secs += number.parse::<f64>().unwrap_or(0.0) * 60.0,
            'S' => secs += number.parse::<f64>().unwrap_or(0.0),
            _ => {
                number.push(c);
                continue;
            }
        }
        number.clear();
    }
    Duration::from_secs_f64(secs)
}

/// A `ResourceGroup`'s `batch_create` policy: members created a batch at
/// a time, with a pause between batches.
pub(in crate::engine) struct BatchCreate {
    /// Members created at once, at most.
    pub batch: usize,
    /// The wait between batches.
    pub pause: Duration,
}

impl BatchCreate {
    /// The policy of a group resource, if it has one.
    pub fn of(kind: &Special, spec: &ResourceSpec) -> Option<BatchCreate> {
        if *kind != Special::ResourceGroup {
            return None;
        }
        let policy = spec
            .update_policy
            .get("batch_create")
            .filter(|p| !p.is_null())?;
        Some(BatchCreate {
            batch: count(policy.get("max_batch_size")).unwrap_or(1).max(1) as usize,
            pause: iso_duration(policy.get("pause_time")),
        })
    }

    /// The group's full size.
    pub fn target(spec: &ResourceSpec) -> usize {
        count(spec.properties.get("count")).unwrap_or(1) as usize
    }
}

impl Rolling {
    /// The policy of a group resource, if it has one.
    pub fn of(kind: &Special, spec: &ResourceSpec) -> Option<Rolling> {
        let (policy, batch, min, pause) = match (kind, spec.type_name.as_str()) {
            (Special::ResourceGroup, _) => (
                spec.update_policy.get("rolling_update")?,
                "max_batch_size",
                "min_in_service",
                "pause_time",
            ),
            (Special::AutoScalingGroup, "OS::Heat::AutoScalingGroup") => (
                spec.properties.get("rolling_updates")?,
                "max_batch_size",
                "min_in_service",
                "pause_time",
            ),
            (Special::AutoScalingGroup, _) => (
                spec.update_policy.get("AutoScalingRollingUpdate")?,
                "MaxBatchSize",
                "MinInstancesInService",
                "PauseTime",
            ),
            _ => return None,
        };
        if policy.is_null() {
            return None;
        }
        Some(Rolling {
            batch: count(policy.get(batch)).unwrap_or(1).max(1) as usize,
            min_in_service: count(policy.get(min)).unwrap_or(0) as usize,
            pause: iso_duration(policy.get(pause)),
        })
    }

    /// The templates to converge to before the new one, one per batch
    /// but the last: each takes the next batch of changed members to its
    /// new definition (the others as they were). A batch is smaller than
    /// `batch` when it must keep `min_in_service` of the members in
    /// service; empty when the new template changes no more than a batch.
    pub fn steps(&self, old: &str, new: &str) -> Vec<String> {
        let (Ok(old), Ok(new)) = (
            serde_json::from_str::<Json>(old),
            serde_json::from_str::<Json>(new),
        ) else {
            return Vec::new();
        };
        let (Some(before), Some(after)) = (
            old.get("resources").and_then(Json::as_object),
            new.get("resources").and_then(Json::as_object),
        ) else {
            return Vec::new();
        };
        let changed: Vec<&String> = after
            .iter()
            .filter(|(name, def)| before.get(*name) != Some(def))
            .map(|(name, _)| name)
            .collect();
        let size = after.len();
        let batch = self
            .batch
            .min(size.saturating_sub(self.min_in_service).max(1));
        if changed.len() <= batch {
            return Vec::new();
        }
        let mut steps = Vec::new();
        let mut done = 0;
        while done + batch < changed.len() {
            done += batch;
            let now_new = &changed[..done];
            let resources: JsonMap<String, Json> = after
                .iter()
                .map(|(name, def)| {
                    let def = match before.get(name) {
                        Some(old) if !now_new.contains(&name) => old.clone(),
                        _ => def.clone(),
                    };
                    (name.clone(), def)
                })
                .collect();
            let mut t = new.clone();
            t["resources"] = Json::Object(resources);
            steps.push(serde_json::to_string_pretty(&t).expect("serialisable"));
        }
        steps
    }
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
    // Each member attribute as a list (a resource group's `[group, name]`),
    // and for `[group, outputs_list, name, path...]` and `[group, outputs,
    // name, path...]` (Heat's autoscaling groups) as a list and by member
    // (get_attr takes the rest of the path in each).
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
        a.insert(format!("outputs_list.{k}"), Json::Array(list.clone()));
        a.insert(format!("outputs.{k}"), per_member.clone());
        a.entry(k.clone()).or_insert(Json::Array(list));
    }
    // An AWS group's `InstanceList`: its members' addresses, with commas.
    let addresses: Vec<String> = members
        .iter()
        .filter_map(|r| {
            r.attributes
                .get("PublicIp")
                .or_else(|| r.attributes.get("first_address"))
                .and_then(Json::as_str)
                .map(str::to_string)
        })
        .collect();
    a.insert("InstanceList".into(), json!(addresses.join(",")));
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
    let min = count(group.get("min_size").or_else(|| group.get("MinSize"))).unwrap_or(0) as f64;
    let max = count(group.get("max_size").or_else(|| group.get("MaxSize")))
        .map_or(f64::MAX, |m| m as f64);
    let target = match kind {
        "exact_capacity" | "ExactCapacity" => adjustment,
        "percent_change_in_capacity" | "PercentChangeInCapacity" => {
            // As Heat's scalingutil: a change under one member is one
            // member; over, the whole members; then at least the step.
            let delta = current * adjustment / 100.0;
            let rounded = if delta.abs() < 1.0 {
                if delta > 0.0 {
                    delta.ceil()
                } else {
                    delta.floor()
                }
            } else {
                delta.trunc()
            };
            let step = count(
                policy
                    .get("min_adjustment_step")
                    .or_else(|| policy.get("MinAdjustmentStep")),
            )
            .unwrap_or(0) as f64;
            let adjusted = if step > rounded.abs() {
                if rounded > 0.0 {
                    step
                } else {
                    -step
                }
            } else {
                rounded
            };
            current + adjusted
        }
        _ => current + adjustment,
    };
    target.clamp(min, max) as usize
}

/// The attribute of a scaling policy that holds the end of its cooldown
/// (seconds since the epoch), as Heat's policy metadata `cooldown_end`.
const COOLDOWN_END: &str = "cooldown_end";

/// The type of an AWS group's members (Heat's `SCALED_RESOURCE_TYPE`).
const SCALED_RESOURCE_TYPE: &str = "AWS::EC2::Instance";

impl Engine {
    /// As Heat's `_lb_reload`: the load balancers an AWS group names in
    /// `LoadBalancerNames` (resources of its stack, by name or reference)
    /// are updated to have the group's members as their `Instances`, after
    /// every create, update and scaling of the group.
    pub(super) async fn reload_load_balancers(
        &self,
        op: &super::Op,
        parent: &StackRecord,
        spec: &ResourceSpec,
        attrs: &Attributes,
    ) -> Result<(), DriverError> {
        let names: Vec<String> = spec
            .properties
            .get("LoadBalancerNames")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        let members = attrs.get("refs").cloned().unwrap_or(json!([]));
        let records = self
            .store
            .resources(&parent.id)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?;
        for name in names {
            let Some(mut lb) = records
                .iter()
                .find(|r| {
                    r.current
                        && (r.name == name
                            || r.physical_id.as_deref() == Some(name.as_str())
                            || r.attributes.get(crate::engine::REFERENCE_ID)
                                == Some(&Json::String(name.clone())))
                })
                .cloned()
            else {
                return Err(DriverError::fatal(format!(
                    "resources.{}.properties.LoadBalancerNames: {name} is not a load balancer of stack {}",
                    spec.name, parent.name
                )));
            };
            let old = lb.properties.clone();
            let mut props = old.clone();
            props["Instances"] = members.clone();
            if props == old {
                continue;
            }
            let Some(pid) = lb.physical_id.clone() else {
                continue;
            };
            let lb_spec = ResourceSpec {
                project: parent.project.clone(),
                stack_id: parent.id.clone(),
                stack_name: parent.name.clone(),
                name: lb.name.clone(),
                type_name: lb.type_name.clone(),
                properties: props.clone(),
                metadata: lb.metadata.clone(),
                update_policy: Json::Null,
                deletion_policy: lb.deletion_policy.clone(),
            };
            let reason = format!("Instances of group {} changed", spec.name);
            self.persist(
                op,
                parent,
                &mut lb,
                Action::Update,
                Status::InProgress,
                &reason,
            )
            .await
            .map_err(DriverError::transient)?;
            match self.driver.update(&lb_spec, &pid, &old).await {
                Ok(a) => {
                    lb.properties = props;
                    lb.attributes.extend(a);
                    self.persist(
                        op,
                        parent,
                        &mut lb,
                        Action::Update,
                        Status::Complete,
                        "state changed",
                    )
                    .await
                    .map_err(DriverError::transient)?;
                }
                Err(e) => {
                    let _ = self
                        .persist(
                            op,
                            parent,
                            &mut lb,
                            Action::Update,
                            Status::Failed,
                            &e.message,
                        )
                        .await;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// An AWS group's (or an `OS::Heat::InstanceGroup`'s) spec with its members' definition from its launch
    /// configuration, as Heat's InstanceGroup makes it: an
    /// `AWS::EC2::Instance` with the configuration's properties (but
    /// `InstanceId`) and metadata; its sizes also under the names the
    /// group code reads (`min_size`, `max_size`, `desired_capacity`). Other
    /// specs are returned as they are.
    pub(super) async fn with_launch_configuration(
        &self,
        parent: &StackRecord,
        spec: &ResourceSpec,
    ) -> Result<ResourceSpec, DriverError> {
        let p = &spec.properties;
        let Some(name) = p
            .get("LaunchConfigurationName")
            .and_then(Json::as_str)
            .filter(|_| {
                spec.type_name == "AWS::AutoScaling::AutoScalingGroup"
                    || spec.type_name == "OS::Heat::InstanceGroup"
            })
        else {
            return Ok(spec.clone());
        };
        let records = self
            .store
            .resources(&parent.id)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?;
        let config = records
            .iter()
            .find(|r| {
                r.current
                    && r.type_name == "AWS::AutoScaling::LaunchConfiguration"
                    && (r.physical_id.as_deref() == Some(name) || r.name == name)
            })
            .ok_or_else(|| {
                super::fatal(format!(
                    "resources.{}.Properties.LaunchConfigurationName: {name} is not a \
                     launch configuration of this stack",
                    spec.name
                ))
            })?;
        let mut member = config.properties.clone();
        if let Some(m) = member.as_object_mut() {
            m.remove("InstanceId");
            m.retain(|_, v| !v.is_null());
        }
        let mut resource = json!({"type": SCALED_RESOURCE_TYPE, "properties": member});
        if !config.metadata.is_null() {
            resource["metadata"] = config.metadata.clone();
        }
        let mut out = spec.clone();
        out.properties["resource"] = resource;
        // An InstanceGroup has one `Size`: its minimum, maximum and desired.
        for (aws, os) in [
            ("MinSize", "min_size"),
            ("MaxSize", "max_size"),
            ("DesiredCapacity", "desired_capacity"),
            ("Size", "min_size"),
            ("Size", "max_size"),
            ("Size", "desired_capacity"),
        ] {
            if let Some(n) = count(p.get(aws)) {
                out.properties[os] = json!(n);
            }
        }
        Ok(out)
    }

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
        // As Heat: within the policy's cooldown after its last scaling,
        // a signal does nothing (and records nothing).
        let now = self.clock.now();
        if policy
            .attributes
            .get(COOLDOWN_END)
            .and_then(Json::as_f64)
            .is_some_and(|end| now < end)
        {
            return Ok(());
        }
        let cooldown = [&policy.properties, &group.properties]
            .iter()
            .find_map(|p| count(p.get("cooldown").or_else(|| p.get("Cooldown"))))
            .unwrap_or(0) as f64;
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
                    update_policy: Json::Null,
                    deletion_policy: group.deletion_policy.clone(),
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
                let mut writes = vec![Write::PutResource(group), Write::AddEvent(event)];
                // The policy's cooldown runs from the end of its scaling.
                let policy = me2
                    .store
                    .resources(&stack.id)
                    .await
                    .ok()?
                    .into_iter()
                    .find(|r| r.current && r.name == policy_name);
                if let Some(mut policy) = policy.filter(|_| status == Status::Complete) {
                    policy
                        .attributes
                        .insert(COOLDOWN_END.into(), json!(me2.clock.now() + cooldown));
                    writes.push(Write::PutResource(policy));
                }
                writes.push(Write::Release(root.id.clone()));
                me2.write_op(&op, writes).await.ok()?;
                let mut root = root;
                root.lease = None;
                Some(root)
            })
            .await;
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Heat's `calculate_new_capacity` cases.
    #[test]
    fn scaling_adjustments_as_heat_computes_them() {
        let group = json!({"min_size": 0, "max_size": 100});
        let size = |policy: Json, current: f64| target_size(&policy, &group, current);
        let percent = |adj: i64, step: Option<i64>| {
            let mut p =
                json!({"adjustment_type": "percent_change_in_capacity", "scaling_adjustment": adj});
            if let Some(s) = step {
                p["min_adjustment_step"] = json!(s);
            }
            p
        };
        assert_eq!(size(json!({"scaling_adjustment": 2}), 3.0), 5);
        assert_eq!(
            size(
                json!({"adjustment_type": "exact_capacity", "scaling_adjustment": 7}),
                3.0
            ),
            7
        );
        // Under one member: one, away from zero.
        assert_eq!(size(percent(10, None), 5.0), 6);
        assert_eq!(size(percent(-10, None), 5.0), 4);
        // Over: whole members, toward zero.
        assert_eq!(size(percent(50, None), 5.0), 7);
        assert_eq!(size(percent(-50, None), 5.0), 3);
        // At least the step.
        assert_eq!(size(percent(10, Some(3)), 5.0), 8);
        assert_eq!(size(percent(-10, Some(3)), 5.0), 2);
        assert_eq!(size(percent(50, Some(1)), 5.0), 7);
        // AWS's names.
        let aws = json!({"AdjustmentType": "PercentChangeInCapacity", "ScalingAdjustment": "20", "MinAdjustmentStep": "2"});
        assert_eq!(size(aws, 5.0), 7);
        // Within the sizes.
        assert_eq!(size(json!({"scaling_adjustment": 500}), 5.0), 100);
        assert_eq!(size(json!({"scaling_adjustment": -50}), 5.0), 0);
    }
}
