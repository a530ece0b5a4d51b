//! Resources the engine realises itself instead of the driver: nested
//! stacks (`OS::Heat::Stack`, `AWS::CloudFormation::Stack`, provider
//! templates), groups (`OS::Heat::ResourceGroup`,
//! `OS::Heat::AutoScalingGroup`) as generated nested stacks, and wait
//! conditions, which wait for signals sent through [`Engine::signal`].

use std::time::Duration;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::driver::{Attributes, DriverError, ResourceSpec};
use super::model::{Action, ResourceRecord, StackRecord, StackSource, Status};
use super::{Engine, EngineError};
use crate::environment::{Registry, TypeTarget};

/// What kind of engine-realised resource a type is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Special {
    /// A nested stack from a template (inline, a files-map URL, or a provider
    /// template file).
    Stack(TemplateFrom),
    /// `OS::Heat::ResourceGroup`.
    ResourceGroup,
    /// `OS::Heat::AutoScalingGroup`.
    AutoScalingGroup,
    /// A wait condition.
    WaitCondition,
}

/// Where a nested stack's template comes from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TemplateFrom {
    /// The `template` property (`OS::Heat::Stack`).
    Inline,
    /// The `TemplateURL` property, looked up in the files map.
    Url,
    /// A provider template of the files map; the properties are its parameters.
    Provider(String),
}

/// Heat's `max_nested_stack_depth`.
pub const MAX_NESTED_DEPTH: u32 = 5;

fn registry(stack: &StackRecord) -> Registry {
    let mut r = Registry::default();
    let _ = r.load(&stack.source.resource_registry);
    r
}

/// Whether the engine realises a resource itself, and how.
pub(super) fn special(stack: &StackRecord, type_name: &str, resource: &str) -> Option<Special> {
    match type_name {
        "OS::Heat::Stack" => return Some(Special::Stack(TemplateFrom::Inline)),
        "AWS::CloudFormation::Stack" => return Some(Special::Stack(TemplateFrom::Url)),
        "OS::Heat::ResourceGroup" => return Some(Special::ResourceGroup),
        "OS::Heat::AutoScalingGroup" => return Some(Special::AutoScalingGroup),
        "OS::Heat::WaitCondition" | "AWS::CloudFormation::WaitCondition" => {
            return Some(Special::WaitCondition)
        }
        _ => {}
    }
    match registry(stack).resolve(type_name, Some(resource), &|_| true) {
        Some(TypeTarget::Template(f)) => Some(Special::Stack(TemplateFrom::Provider(f))),
        _ => None,
    }
}

fn fatal(m: impl Into<String>) -> DriverError {
    DriverError::fatal(m)
}

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
fn group_template(kind: &Special, props: &Json, size: Option<usize>) -> String {
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

impl Engine {
    /// Starts creating a resource: the engine's own kinds here, the rest
    /// through the driver.
    pub(super) async fn backend_create(
        &self,
        stack: &StackRecord,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        match special(stack, &spec.type_name, &spec.name) {
            Some(k) => self.special_create(stack, &k, spec).await,
            None => self.driver.create(spec).await,
        }
    }

    /// Waits until a resource is ready.
    pub(super) async fn backend_wait(
        &self,
        stack: &StackRecord,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        match special(stack, &spec.type_name, &spec.name) {
            Some(k) => self.special_wait(stack, &k, spec, id).await,
            None => self.driver.wait_ready(spec, id).await,
        }
    }

    /// Updates a resource in place.
    pub(super) async fn backend_update(
        &self,
        stack: &StackRecord,
        spec: &ResourceSpec,
        id: &str,
        old: &Json,
    ) -> Result<Attributes, DriverError> {
        match special(stack, &spec.type_name, &spec.name) {
            Some(k) => self.special_update(stack, &k, spec, id, None).await,
            None => self.driver.update(spec, id, old).await,
        }
    }

    /// Deletes a resource.
    pub(super) async fn backend_delete(
        &self,
        stack: &StackRecord,
        type_name: &str,
        name: &str,
        id: &str,
    ) -> Result<(), DriverError> {
        match special(stack, type_name, name) {
            Some(k) => self.special_delete(&k, id).await,
            None => self.driver.delete(type_name, id).await,
        }
    }

    /// Finds a resource created but not recorded.
    pub(super) async fn backend_find(
        &self,
        stack: &StackRecord,
        name: &str,
        type_name: &str,
    ) -> Option<String> {
        match special(stack, type_name, name) {
            Some(Special::WaitCondition) => None,
            Some(_) => self.special_find(&stack.id, name).await,
            None => self
                .driver
                .find(&stack.id, name, type_name)
                .await
                .ok()
                .flatten(),
        }
    }

    /// Whether a resource is realised by the engine as a nested stack
    /// (changes to its properties update it in place).
    pub(super) fn is_nested(&self, stack: &StackRecord, type_name: &str, name: &str) -> bool {
        matches!(
            special(stack, type_name, name),
            Some(Special::Stack(_) | Special::ResourceGroup | Special::AutoScalingGroup)
        )
    }

    /// The source of the nested stack behind a resource.
    fn child_source(
        &self,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        size: Option<usize>,
    ) -> Result<StackSource, DriverError> {
        let props = &spec.properties;
        let (template, parameters) = match kind {
            Special::Stack(TemplateFrom::Inline) => {
                let t = props
                    .get("template")
                    .and_then(Json::as_str)
                    .ok_or_else(|| fatal("the template property is required"))?;
                (
                    t.to_string(),
                    props
                        .get("parameters")
                        .and_then(Json::as_object)
                        .cloned()
                        .unwrap_or_default(),
                )
            }
            Special::Stack(TemplateFrom::Url) => {
                let url = props
                    .get("TemplateURL")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                let t = parent
                    .source
                    .files
                    .get(url)
                    .and_then(Json::as_str)
                    .ok_or_else(|| {
                        fatal(format!(
                            "Could not fetch remote template \"{url}\": Invalid URL scheme"
                        ))
                    })?;
                (
                    t.to_string(),
                    props
                        .get("Parameters")
                        .and_then(Json::as_object)
                        .cloned()
                        .unwrap_or_default(),
                )
            }
            Special::Stack(TemplateFrom::Provider(file)) => {
                let t = parent
                    .source
                    .files
                    .get(file)
                    .and_then(Json::as_str)
                    .ok_or_else(|| {
                        fatal(format!(
                            "Could not fetch remote template \"{file}\": Invalid URL scheme"
                        ))
                    })?;
                let params = props
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .collect();
                (t.to_string(), params)
            }
            Special::ResourceGroup | Special::AutoScalingGroup => {
                (group_template(kind, props, size), JsonMap::new())
            }
            Special::WaitCondition => unreachable!("wait conditions have no nested stack"),
        };
        Ok(StackSource {
            template,
            files: parent.source.files.clone(),
            parameters,
            parameter_defaults: parent.source.parameter_defaults.clone(),
            resource_registry: parent.source.resource_registry.clone(),
        })
    }

    async fn tree_resources(&self, parent: &StackRecord) -> usize {
        let Ok(stacks) = self.store.stacks().await else {
            return 0;
        };
        let root_of = |s: &StackRecord| -> String {
            let mut current = s.clone();
            while let Some((p, _)) = current.parent.clone() {
                match stacks.iter().find(|x| x.id == p) {
                    Some(up) => current = up.clone(),
                    None => break,
                }
            }
            current.id
        };
        let root = root_of(parent);
        let mut n = 0;
        for s in stacks.iter().filter(|s| root_of(s) == root) {
            n += self
                .store
                .resources(&s.id)
                .await
                .map(|r| r.iter().filter(|r| r.current).count())
                .unwrap_or(0);
        }
        n
    }

    /// Starts the nested stack (or wait condition) behind a resource.
    pub(super) async fn special_create(
        &self,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
    ) -> Result<String, DriverError> {
        if *kind == Special::WaitCondition {
            return Ok(self.ids.next());
        }
        if parent.nested_depth + 1 > MAX_NESTED_DEPTH {
            return Err(fatal(format!(
                "Request limit exceeded: Recursion depth exceeds {MAX_NESTED_DEPTH}."
            )));
        }
        let source = self.child_source(parent, kind, spec, None)?;
        let template = self
            .check_source(parent, &source)
            .map_err(|e| fatal(e.to_string()))?;
        let members = template.section_map("resources").len();
        if self.tree_resources(parent).await + members > self.config.max_resources {
            return Err(fatal(
                "Request limit exceeded: Maximum resources per stack exceeded.",
            ));
        }
        let options = super::StackOptions {
            disable_rollback: Some(true),
            ..super::StackOptions::default()
        };
        let mut child = self.new_stack(
            &format!("{}-{}-{}", parent.name, spec.name, &self.ids.next()[..8]),
            source,
            &options,
            false,
        );
        child.project = parent.project.clone();
        child.parent = Some((parent.id.clone(), spec.name.clone()));
        child.nested_depth = parent.nested_depth + 1;
        child.timeout_mins = spec
            .properties
            .get("timeout")
            .or_else(|| spec.properties.get("TimeoutInMinutes"))
            .and_then(Json::as_u64);
        self.store
            .insert_stack(&child)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?;
        self.event(&child, None, "Stack CREATE started")
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?;
        Ok(child.id)
    }

    /// Waits for the nested stack (or the signals) behind a resource.
    pub(super) async fn special_wait(
        &self,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        if *kind == Special::WaitCondition {
            return self.wait_for_signals(parent, spec).await;
        }
        let child = self
            .store
            .stack(id)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?
            .ok_or_else(|| DriverError::not_found(format!("nested stack {id} is gone")))?;
        let done = if child.status == Status::Complete
            && matches!(child.action, Action::Create | Action::Update)
        {
            child
        } else {
            Box::pin(self.converge_and_finish(child))
                .await
                .map_err(|e| fatal(e.to_string()))?
        };
        if done.status != Status::Complete {
            return Err(fatal(done.reason));
        }
        self.child_attributes(kind, &done).await
    }

    /// Updates the nested stack behind a resource to its new properties.
    pub(super) async fn special_update(
        &self,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        id: &str,
        size: Option<usize>,
    ) -> Result<Attributes, DriverError> {
        if *kind == Special::WaitCondition {
            return self.wait_for_signals(parent, spec).await;
        }
        let source = self.child_source(parent, kind, spec, size)?;
        let child = self
            .store
            .stack(id)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?
            .ok_or_else(|| DriverError::not_found(format!("nested stack {id} is gone")))?;
        let mut next = self
            .transition(
                &child,
                Action::Update,
                Status::InProgress,
                "Stack UPDATE started",
                true,
            )
            .await
            .map_err(|e| fatal(e.to_string()))?;
        let expected = next.traversal;
        next.previous = Some(next.source.clone());
        next.source = source;
        self.store
            .update_stack(&next, expected)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?;
        let done = Box::pin(self.converge_and_finish(next))
            .await
            .map_err(|e| fatal(e.to_string()))?;
        if done.status != Status::Complete {
            return Err(fatal(done.reason));
        }
        self.child_attributes(kind, &done).await
    }

    /// Deletes the nested stack behind a resource.
    pub(super) async fn special_delete(&self, kind: &Special, id: &str) -> Result<(), DriverError> {
        if *kind == Special::WaitCondition {
            return Ok(());
        }
        let Some(child) = self
            .store
            .stack(id)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?
        else {
            return Ok(());
        };
        let child = if child.status == Status::InProgress && child.action == Action::Delete {
            child
        } else {
            self.transition(
                &child,
                Action::Delete,
                Status::InProgress,
                "Stack DELETE started",
                true,
            )
            .await
            .map_err(|e| fatal(e.to_string()))?
        };
        let done = Box::pin(self.delete_from(child))
            .await
            .map_err(|e| fatal(e.to_string()))?;
        if done.status == Status::Failed {
            return Err(fatal(done.reason));
        }
        Ok(())
    }

    /// The nested stack created for a resource whose id was not recorded.
    pub(super) async fn special_find(&self, parent_id: &str, resource: &str) -> Option<String> {
        let stacks = self.store.stacks().await.ok()?;
        stacks
            .into_iter()
            .find(|s| {
                s.parent
                    .as_ref()
                    .is_some_and(|(p, r)| p == parent_id && r == resource)
            })
            .map(|s| s.id)
    }

    async fn child_attributes(
        &self,
        kind: &Special,
        child: &StackRecord,
    ) -> Result<Attributes, DriverError> {
        let mut a = Attributes::new();
        let outputs: JsonMap<String, Json> = child
            .outputs
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.get("value").cloned().unwrap_or(Json::Null)))
            .collect();
        match kind {
            Special::Stack(_) => {
                for (k, v) in &outputs {
                    a.insert(k.clone(), v.clone());
                }
                a.insert("outputs".into(), Json::Object(outputs.clone()));
                a.insert("Outputs".into(), Json::Object(outputs));
                a.insert("stack_name".into(), json!(child.name));
            }
            Special::ResourceGroup | Special::AutoScalingGroup => {
                let records = self
                    .store
                    .resources(&child.id)
                    .await
                    .map_err(|e| DriverError::transient(e.to_string()))?;
                let order: Vec<String> = template_order(&child.source.template);
                let members: Vec<&ResourceRecord> = order
                    .iter()
                    .filter_map(|n| records.iter().find(|r| r.current && &r.name == n))
                    .collect();
                let refs: Vec<Json> = members.iter().map(|r| json!(r.physical_id)).collect();
                let refs_map: JsonMap<String, Json> = members
                    .iter()
                    .map(|r| (r.name.clone(), json!(r.physical_id)))
                    .collect();
                let mut by_attr: JsonMap<String, Json> = JsonMap::new();
                for r in &members {
                    a.insert(format!("resource.{}", r.name), json!(r.physical_id));
                    for (k, v) in &r.attributes {
                        a.insert(format!("resource.{}.{k}", r.name), v.clone());
                        by_attr.entry(k.clone()).or_insert_with(|| json!({}))[r.name.as_str()] =
                            v.clone();
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
            Special::WaitCondition => {}
        }
        Ok(a)
    }

    /// Waits until the handle of a wait condition has `count` signals, or
    /// its timeout passes. Woken by [`Engine::signal`] in this process;
    /// signals from other processes are read from the store with a
    /// growing delay.
    async fn wait_for_signals(
        &self,
        parent: &StackRecord,
        spec: &ResourceSpec,
    ) -> Result<Attributes, DriverError> {
        let p = &spec.properties;
        let handle = p
            .get("handle")
            .or_else(|| p.get("Handle"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let count = p
            .get("count")
            .or_else(|| p.get("Count"))
            .and_then(Json::as_u64)
            .unwrap_or(1) as usize;
        let timeout = p
            .get("timeout")
            .or_else(|| p.get("Timeout"))
            .and_then(|t| {
                t.as_f64()
                    .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(3600.0);
        let deadline = self.clock.now() + timeout;
        let mut delay = Duration::from_millis(250);
        loop {
            let signals = self.handle_signals(&parent.id, &handle).await;
            if signals.len() >= count {
                let data: JsonMap<String, Json> = signals.into_iter().collect();
                let mut a = Attributes::new();
                a.insert(
                    "data".into(),
                    json!(serde_json::to_string(&data).expect("serialisable")),
                );
                a.insert("Data".into(), a["data"].clone());
                return Ok(a);
            }
            let left = deadline - self.clock.now();
            if left <= 0.0 {
                return Err(fatal(format!(
                    "WaitConditionTimeout: resources.{}: {} of {count} received",
                    spec.name,
                    signals.len()
                )));
            }
            let (tx, rx) = futures::channel::oneshot::channel::<()>();
            self.waiters.lock().expect("not poisoned").push(tx);
            let sleep = self.clock.sleep(delay.min(Duration::from_secs_f64(left)));
            futures::pin_mut!(rx);
            let _ = futures::future::select(rx, sleep).await;
            delay = (delay * 2).min(Duration::from_secs(10));
        }
    }

    async fn handle_signals(&self, stack_id: &str, handle: &str) -> Vec<(String, Json)> {
        let records = self.store.resources(stack_id).await.unwrap_or_default();
        let Some(h) = records
            .iter()
            .find(|r| r.current && (r.physical_id.as_deref() == Some(handle) || r.name == handle))
        else {
            return Vec::new();
        };
        h.attributes
            .get("signals")
            .and_then(Json::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// Sends a signal to a resource: a wait condition handle records it
    /// (waking its wait condition); a scaling policy scales its group.
    pub async fn signal(&self, stack: &str, resource: &str, data: Json) -> Result<(), EngineError> {
        let s = self.load(stack).await?;
        let records = self.store.resources(&s.id).await?;
        let Some(mut r) = records
            .into_iter()
            .find(|r| r.current && r.name == resource)
        else {
            return Err(EngineError::NotFound(format!(
                "{resource} in stack {stack}"
            )));
        };
        if r.status != Status::Complete {
            return Err(EngineError::Invalid(format!(
                "Resource {resource} is not ready for signals ({})",
                r.status_text()
            )));
        }
        match r.type_name.as_str() {
            "OS::Heat::WaitConditionHandle"
            | "OS::Heat::UpdateWaitConditionHandle"
            | "AWS::CloudFormation::WaitConditionHandle" => {
                let signals = r.attributes.entry("signals").or_insert_with(|| json!({}));
                let n = signals.as_object().map_or(0, |o| o.len()) + 1;
                let id = data
                    .get("id")
                    .and_then(Json::as_str)
                    .map(String::from)
                    .unwrap_or_else(|| n.to_string());
                let value = data.get("data").cloned().unwrap_or(data.clone());
                signals[id.as_str()] = value;
                r.updated_at = self.clock.now();
                self.store.put_resource(&r).await?;
                self.event(&s, Some(&r), "Signal: received").await?;
                for w in self.waiters.lock().expect("not poisoned").drain(..) {
                    let _ = w.send(());
                }
                Ok(())
            }
            "OS::Heat::ScalingPolicy" | "AWS::AutoScaling::ScalingPolicy" => {
                self.scale(&s, &r).await
            }
            other => Err(EngineError::Invalid(format!(
                "Resource {resource} ({other}) does not accept signals"
            ))),
        }
    }

    async fn scale(&self, stack: &StackRecord, policy: &ResourceRecord) -> Result<(), EngineError> {
        let p = &policy.properties;
        let group_id = p
            .get("auto_scaling_group_id")
            .or_else(|| p.get("AutoScalingGroupName"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let records = self.store.resources(&stack.id).await?;
        let Some(mut group) = records.into_iter().find(|r| {
            r.current && (r.physical_id.as_deref() == Some(group_id.as_str()) || r.name == group_id)
        }) else {
            return Err(EngineError::Invalid(format!(
                "scaling policy {}: group {group_id} not found",
                policy.name
            )));
        };
        let adjustment = p
            .get("scaling_adjustment")
            .or_else(|| p.get("ScalingAdjustment"))
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(0.0);
        let kind = p
            .get("adjustment_type")
            .or_else(|| p.get("AdjustmentType"))
            .and_then(Json::as_str)
            .unwrap_or("change_in_capacity");
        let current = group
            .attributes
            .get("current_size")
            .and_then(Json::as_u64)
            .unwrap_or(0) as f64;
        let gp = &group.properties;
        let min = gp.get("min_size").and_then(Json::as_f64).unwrap_or(0.0);
        let max = gp
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
        let size = target.clamp(min, max) as usize;
        let spec = ResourceSpec {
            stack_id: stack.id.clone(),
            stack_name: stack.name.clone(),
            name: group.name.clone(),
            type_name: group.type_name.clone(),
            properties: group.properties.clone(),
        };
        let pid = group.physical_id.clone().unwrap_or_default();
        let attrs = self
            .special_update(stack, &Special::AutoScalingGroup, &spec, &pid, Some(size))
            .await
            .map_err(|e| EngineError::Invalid(e.message))?;
        group.attributes = attrs;
        group.updated_at = self.clock.now();
        self.store.put_resource(&group).await?;
        self.event(
            stack,
            Some(&group),
            &format!("Scaled to {size} by {}", policy.name),
        )
        .await?;
        Ok(())
    }
}

/// The number of resources of a stack and its nested stacks, counted from
/// the templates (groups by their literal `count` or `min_size`);
/// `Err` when the tree is deeper than [`MAX_NESTED_DEPTH`].
pub(super) fn tree_size(
    def: &crate::definition::StackDefinition<'_>,
    source: &StackSource,
    depth: u32,
    max_size: usize,
) -> Result<usize, String> {
    let mut total = 0;
    let reg = {
        let mut r = Registry::default();
        let _ = r.load(&source.resource_registry);
        r
    };
    for r in def.resources.iter().filter(|r| r.enabled) {
        total += 1;
        let props = r
            .properties
            .as_ref()
            .map(|p| p.to_json())
            .unwrap_or(Json::Null);
        let child: Option<(String, usize)> = match r.type_name.as_str() {
            "OS::Heat::Stack" => props
                .get("template")
                .and_then(Json::as_str)
                .map(|t| (t.to_string(), 1)),
            "AWS::CloudFormation::Stack" => props
                .get("TemplateURL")
                .and_then(Json::as_str)
                .and_then(|u| source.files.get(u))
                .and_then(Json::as_str)
                .map(|t| (t.to_string(), 1)),
            "OS::Heat::ResourceGroup" => {
                let count = props.get("count").and_then(Json::as_u64).unwrap_or(1) as usize;
                let member = props
                    .get("resource_def")
                    .and_then(|d| d.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                group_member_template(&reg, source, member, count, &mut total)
            }
            "OS::Heat::AutoScalingGroup" => {
                let count = props
                    .get("desired_capacity")
                    .or_else(|| props.get("min_size"))
                    .and_then(Json::as_u64)
                    .unwrap_or(0) as usize;
                let member = props
                    .get("resource")
                    .and_then(|d| d.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                group_member_template(&reg, source, member, count, &mut total)
            }
            t => match reg.resolve(t, Some(&r.name), &|_| true) {
                Some(TypeTarget::Template(f)) => source
                    .files
                    .get(&f)
                    .and_then(Json::as_str)
                    .map(|t| (t.to_string(), 1)),
                _ => None,
            },
        };
        let Some((text, copies)) = child else {
            continue;
        };
        if depth + 1 > MAX_NESTED_DEPTH {
            return Err(format!("Request limit exceeded: Recursion depth exceeds {MAX_NESTED_DEPTH}. (resources.{} nests too deeply)", r.name));
        }
        let Ok(t) = crate::template::Template::parse_with(&text, max_size) else {
            continue;
        };
        let inputs = crate::definition::Inputs {
            files: source
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
            registry: reg.clone(),
            ..Default::default()
        };
        let (child_def, _) =
            crate::definition::StackDefinition::build(&t, inputs, &crate::definition::AnyType);
        let Some(child_def) = child_def else { continue };
        total += copies * tree_size(&child_def, source, depth + 1, max_size)?;
    }
    Ok(total)
}

/// A group's members: their template and count when they are nested
/// stacks; otherwise they are counted into `total` directly.
fn group_member_template(
    reg: &Registry,
    source: &StackSource,
    member: &str,
    count: usize,
    total: &mut usize,
) -> Option<(String, usize)> {
    match reg.resolve(member, None, &|_| true) {
        Some(TypeTarget::Template(f)) => source
            .files
            .get(&f)
            .and_then(Json::as_str)
            .map(|t| (t.to_string(), count)),
        _ => {
            *total += count;
            None
        }
    }
}

fn template_order(template: &str) -> Vec<String> {
    crate::template::Template::parse(template)
        .map(|t| t.section_map("resources").keys().cloned().collect())
        .unwrap_or_default()
}
