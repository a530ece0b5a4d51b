//! Nested stacks behind resources: created as child stack records of the
//! same tree (fenced by the top-level stack's lease), converged inside the
//! parent's job, updated in place when the resource's properties change,
//! deleted with it; their outputs (or a group's members) become the
//! resource's attributes.

use serde_json::{json, Map as JsonMap, Value as Json};

use super::{fatal, group, problems, Special, TemplateFrom, MAX_NESTED_DEPTH};
use crate::engine::cancel::Cancel;
use crate::engine::driver::{Attributes, DriverError, ResourceSpec};
use crate::engine::lifecycle::Op;
use crate::engine::model::{Action, ResourceRecord, StackRecord, StackSource, Status};
use crate::engine::store::Write;
use crate::engine::EngineError;
use crate::engine::{Engine, StackOptions};

fn store_error(e: impl std::fmt::Display) -> DriverError {
    DriverError::transient(e.to_string())
}

/// The key in the files of the template behind a nested stack (a provider
/// template, a `TemplateURL`); `None` for inline templates and groups.
fn template_key(kind: &Special, spec: &ResourceSpec) -> Option<String> {
    match kind {
        Special::Stack(TemplateFrom::Provider(file)) => Some(file.clone()),
        Special::Stack(TemplateFrom::Url) => spec
            .properties
            .get("TemplateURL")
            .and_then(Json::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// The resource a nested stack stands for, as the nested template's
/// `resource_facade` sees it (Heat's `parent_resource`): its metadata and
/// update policy (`{}` when none) and its deletion policy.
fn facade(spec: &ResourceSpec) -> Json {
    let or_empty = |v: &Json| if v.is_null() { json!({}) } else { v.clone() };
    json!({
        "metadata": or_empty(&spec.metadata),
        "update_policy": or_empty(&spec.update_policy),
        "deletion_policy": spec.deletion_policy,
    })
}

impl Engine {
    /// The parent as its nested stack's source is made from: with a
    /// `TemplateURL` the request's files do not hold fetched, as Heat's
    /// engine fetches it (when this process can reach the network).
    /// `None`: the parent as it is. (Boxed: this is held across the
    /// nested stack's converging, whose futures nest.)
    async fn with_remote_template(
        &self,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
    ) -> Result<Option<Box<StackRecord>>, DriverError> {
        let url = match (kind, template_key(kind, spec)) {
            (Special::Stack(TemplateFrom::Url), Some(url))
                if (url.starts_with("http://") || url.starts_with("https://"))
                    && !parent.source.files.contains_key(&url) =>
            {
                url
            }
            _ => return Ok(None),
        };
        let Some(fetcher) = self.fetcher.get() else {
            return Ok(None);
        };
        let text = fetcher
            .fetch(&url)
            .await
            .map_err(|e| fatal(format!("Could not fetch remote template \"{url}\": {e}")))?;
        let mut with = Box::new(parent.clone());
        with.source.files.insert(url, Json::String(text));
        Ok(Some(with))
    }

    /// The source of the nested stack behind a resource.
    pub(in crate::engine) fn child_source(
        &self,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        size: Option<usize>,
    ) -> Result<StackSource, DriverError> {
        let props = &spec.properties;
        let from_files = |key: &str| {
            crate::files::find(key, |k| parent.source.files.get(k))
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| fatal(crate::definition::missing_template(key)))
        };
        let object = |key: &str| {
            props
                .get(key)
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (template, parameters) = match kind {
            Special::Stack(TemplateFrom::Inline) => {
                let t = props
                    .get("template")
                    .and_then(Json::as_str)
                    .ok_or_else(|| fatal("the template property is required"))?;
                (t.to_string(), object("parameters"))
            }
            Special::Stack(TemplateFrom::Url) => {
                let url = props
                    .get("TemplateURL")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                (from_files(url)?, object("Parameters"))
            }
            Special::Stack(TemplateFrom::Provider(file)) => {
                let params = props
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .collect();
                (from_files(file)?, params)
            }
            Special::ResourceGroup
            | Special::AutoScalingGroup
            | Special::DeploymentGroup { .. } => {
                (group::group_template(kind, props, size), JsonMap::new())
            }
            Special::WaitCondition | Special::Deployment => {
                unreachable!("wait conditions and deployments have no nested stack")
            }
        };
        // The child's template names its own files relative to itself.
        let files = match template_key(kind, spec) {
            Some(k) => crate::files::files_for(&parent.source.files, &k),
            None => parent.source.files.clone(),
        };
        Ok(StackSource {
            template,
            files,
            parameters,
            parameter_defaults: parent.source.parameter_defaults.clone(),
            resource_registry: parent.source.resource_registry.clone(),
            facade: Some(facade(spec)),
        })
    }

    /// Resources (current records) in the whole tree of `stack`.
    async fn tree_resources(&self, stack: &StackRecord) -> usize {
        let Ok(stacks) = self.store.stacks(Some(&stack.project)).await else {
            return 0;
        };
        let root = stack.root_id();
        let mut n = 0;
        for s in stacks.iter().filter(|s| s.root_id() == root) {
            n += self
                .store
                .resources(&s.id)
                .await
                .map(|r| r.iter().filter(|r| r.current).count())
                .unwrap_or(0);
        }
        n
    }

    /// Starts the nested stack behind a resource: a child record of the
    /// tree, checked first.
    pub(super) async fn special_create(
        &self,
        op: &Op,
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
        let spec = &self.with_launch_configuration(parent, spec).await?;
        // With `batch_create`, the first batch only (the next ones when
        // it is complete, see `special_wait`).
        let first = group::BatchCreate::of(kind, spec)
            .map(|b| b.batch.min(group::BatchCreate::target(spec)));
        let fetched = Box::pin(self.with_remote_template(parent, kind, spec)).await?;
        let source = self.child_source(fetched.as_deref().unwrap_or(parent), kind, spec, first)?;
        // As a top-level stack's: the definition, the parameters' values
        // against their constraints (a provider template's properties),
        // required properties and what the cloud must hold.
        // Problems name the nested template's file, where it has one, or
        // the group's member definition.
        let key = template_key(kind, spec);
        let named = |e: EngineError| match (&key, e) {
            (Some(k), EngineError::Template(errors)) => fatal(problems::in_file(k, &errors)),
            (None, EngineError::Template(errors))
                if matches!(
                    kind,
                    Special::ResourceGroup
                        | Special::AutoScalingGroup
                        | Special::DeploymentGroup { .. }
                ) =>
            {
                fatal(problems::at_member_definition(
                    &parent.source.template,
                    kind,
                    spec,
                    &errors,
                ))
            }
            (_, e) => fatal(e.to_string()),
        };
        let template = self.parse(&source).map_err(named)?;
        Box::pin(self.prepare(parent, &source, &template))
            .await
            .map_err(named)?;
        let members = template.section_map("resources").len();
        if self.tree_resources(parent).await + members > self.config.max_resources {
            return Err(fatal(
                "Request limit exceeded: Maximum resources per stack exceeded.",
            ));
        }
        let options = StackOptions {
            disable_rollback: Some(true),
            ..StackOptions::default()
        };
        let ctx = crate::engine::RequestContext::new(parent.project.clone(), parent.user.clone());
        let mut child = self.new_stack(
            &ctx,
            &format!("{}-{}-{}", parent.name, spec.name, &self.ids.next()[..8]),
            source,
            &options,
            false,
        );
        child.parent = Some((parent.id.clone(), spec.name.clone()));
        child.root = Some(parent.root_id().to_string());
        if parent.action == Action::Adopt {
            child.action = Action::Adopt;
            child.reason = "Stack ADOPT started".into();
            child.adopt = parent
                .adopt
                .as_ref()
                .and_then(|a| a.get(&spec.name))
                .and_then(|r| r.get("resources"))
                .cloned();
        }
        child.nested_depth = parent.nested_depth + 1;
        child.description = template.description();
        child.timeout_mins = spec
            .properties
            .get("timeout")
            .or_else(|| spec.properties.get("TimeoutInMinutes"))
            .and_then(Json::as_u64);
        let event = self.stack_event(&child, &child.reason);
        self.write_op(
            op,
            vec![Write::InsertStack(child.clone()), Write::AddEvent(event)],
        )
        .await
        .map_err(store_error)?;
        Ok(child.id)
    }

    async fn child(&self, id: &str) -> Result<StackRecord, DriverError> {
        self.store
            .stack(id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| DriverError::not_found(format!("nested stack {id} is gone")))
    }

    /// Converges the nested stack behind a resource (unless it is complete
    /// already); its attributes.
    pub(super) async fn special_wait(
        &self,
        op: &Op,
        cancel: &Cancel,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let child = self.child(id).await?;
        let done = if child.status == Status::Complete
            && matches!(
                child.action,
                Action::Create | Action::Update | Action::Adopt
            ) {
            child
        } else {
            Box::pin(self.converge_nested(op, cancel, child))
                .await
                .map_err(fatal)?
        };
        if done.status != Status::Complete {
            return Err(fatal(done.reason));
        }
        // Boxed, as the load balancers' reload: these futures would
        // otherwise make every level of a nested tree's converging larger.
        let done = Box::pin(self.create_batches(op, cancel, parent, kind, spec, done)).await?;
        let attrs = self.child_attributes(kind, &done).await?;
        if *kind == Special::AutoScalingGroup {
            Box::pin(self.reload_load_balancers(op, parent, spec, &attrs)).await?;
        }
        Ok(attrs)
    }

    /// A group created with `batch_create`: the next batches of members,
    /// each after the pause, until the group has its `count`.
    async fn create_batches(
        &self,
        op: &Op,
        cancel: &Cancel,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        mut child: StackRecord,
    ) -> Result<StackRecord, DriverError> {
        let Some(batches) = group::BatchCreate::of(kind, spec) else {
            return Ok(child);
        };
        let target = group::BatchCreate::target(spec);
        loop {
            let made = group::template_order(&child.source.template).len();
            if made >= target {
                return Ok(child);
            }
            if !batches.pause.is_zero()
                && cancel.guard(self.clock.sleep(batches.pause)).await.is_err()
            {
                return Err(fatal("CREATE cancelled"));
            }
            let size = (made + batches.batch).min(target);
            let source = self.child_source(parent, kind, spec, Some(size))?;
            child = self.update_child(op, cancel, child, source).await?;
        }
    }

    /// Updates the nested stack behind a resource to its new properties
    /// (`size`: a group's new size).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn special_update(
        &self,
        op: &Op,
        cancel: &Cancel,
        parent: &StackRecord,
        kind: &Special,
        spec: &ResourceSpec,
        id: &str,
        size: Option<usize>,
    ) -> Result<Attributes, DriverError> {
        let spec = &self.with_launch_configuration(parent, spec).await?;
        let fetched = Box::pin(self.with_remote_template(parent, kind, spec)).await?;
        let source = self.child_source(fetched.as_deref().unwrap_or(parent), kind, spec, size)?;
        let mut child = self.child(id).await?;
        // A group with a rolling update policy takes its members to their
        // new definition a batch at a time, pausing between batches (a
        // scaling, `size`, resizes at once).
        let rolling = group::Rolling::of(kind, spec).filter(|_| size.is_none());
        let steps = rolling
            .as_ref()
            .map(|r| r.steps(&child.source.template, &source.template))
            .unwrap_or_default();
        let pause = rolling.map(|r| r.pause).unwrap_or_default();
        for template in steps {
            let step = StackSource {
                template,
                ..source.clone()
            };
            child = self.update_child(op, cancel, child, step).await?;
            if !pause.is_zero() && cancel.guard(self.clock.sleep(pause)).await.is_err() {
                return Err(fatal("UPDATE cancelled"));
            }
        }
        let done = self.update_child(op, cancel, child, source).await?;
        let attrs = self.child_attributes(kind, &done).await?;
        if *kind == Special::AutoScalingGroup {
            Box::pin(self.reload_load_balancers(op, parent, spec, &attrs)).await?;
        }
        Ok(attrs)
    }

    /// Converges a nested stack to `source`: the stack as it ends.
    async fn update_child(
        &self,
        op: &Op,
        cancel: &Cancel,
        child: StackRecord,
        source: StackSource,
    ) -> Result<StackRecord, DriverError> {
        let mut next = child;
        next.previous = Some(std::mem::replace(&mut next.source, source));
        let next = self
            .transition(
                op,
                &next,
                Action::Update,
                Status::InProgress,
                "Stack UPDATE started",
            )
            .await
            .map_err(store_error)?;
        let done = Box::pin(self.converge_nested(op, cancel, next))
            .await
            .map_err(fatal)?;
        if done.status != Status::Complete {
            return Err(fatal(done.reason));
        }
        Ok(done)
    }

    /// Deletes the nested stack behind a resource.
    pub(super) async fn special_delete(
        &self,
        op: &Op,
        cancel: &Cancel,
        id: &str,
    ) -> Result<(), DriverError> {
        let Some(child) = self.store.stack(id).await.map_err(store_error)? else {
            return Ok(());
        };
        match Box::pin(self.delete_from(op, cancel, child)).await {
            None => Err(fatal("the operation lost its stack")),
            Some(done) if done.status == Status::Failed => Err(fatal(done.reason)),
            Some(_) => Ok(()),
        }
    }

    /// The nested stack created for a resource whose id was not recorded.
    pub(super) async fn special_find(
        &self,
        parent: &StackRecord,
        resource: &str,
    ) -> Option<String> {
        let stacks = self.store.stacks(Some(&parent.project)).await.ok()?;
        stacks
            .into_iter()
            .find(|s| {
                s.parent
                    .as_ref()
                    .is_some_and(|(p, r)| p == &parent.id && r == resource)
            })
            .map(|s| s.id)
    }

    /// A nested stack's outputs (a group's members) as the attributes of
    /// the resource behind it.
    pub(super) async fn child_attributes(
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
            Special::ResourceGroup
            | Special::AutoScalingGroup
            | Special::DeploymentGroup { .. } => {
                let records = self.store.resources(&child.id).await.map_err(store_error)?;
                let order: Vec<String> = group::template_order(&child.source.template);
                let members: Vec<&ResourceRecord> = order
                    .iter()
                    .filter_map(|n| records.iter().find(|r| r.current && &r.name == n))
                    .collect();
                group::member_attributes(&mut a, &members);
                if matches!(kind, Special::DeploymentGroup { .. }) {
                    super::deployment_group::attributes(&mut a);
                }
            }
            Special::WaitCondition | Special::Deployment => {}
        }
        Ok(a)
    }
}
