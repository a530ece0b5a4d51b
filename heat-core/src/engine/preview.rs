//! What a create would make, as Heat's `stacks/preview` shows it: every
//! resource with its properties resolved as far as a stack not yet created
//! allows (attributes of other resources are still unknown: `null`), what
//! requires it, and the resources of the nested stacks behind it (nested
//! stacks, provider templates, groups), to Heat's depth limit. And the
//! resources a running create or update has not reached yet, which Heat
//! lists as `INIT_COMPLETE`. And what an update would do, per resource
//! (with the nested stacks' resources too, as `show_nested` asks).

use serde_json::{json, Map as JsonMap, Value as Json};

use super::converge::{self, Change, ChangeKind};
use super::model::{Action, ResourceRecord, StackRecord, StackSource, Status};
use super::nested::MAX_NESTED_DEPTH;
use super::{Engine, EngineError, RequestContext, ResourceSpec, StackOptions};
use crate::function;

/// A stack as a create would make it.
#[derive(Debug, Clone, PartialEq)]
pub struct StackPreview {
    /// The stack's name (a nested stack's: parent's name, `-`, resource).
    pub name: String,
    /// Parameter values, as `stack show` gives them.
    pub parameters: JsonMap<String, Json>,
    /// The template's description.
    pub description: String,
    /// Output names and descriptions, in template order.
    pub outputs: Vec<(String, Option<String>)>,
    /// Resources in template order.
    pub resources: Vec<ResourcePreview>,
}

/// A resource as a create would make it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePreview {
    /// Logical name.
    pub name: String,
    /// Type, as the template gives it.
    pub type_name: String,
    /// Properties, resolved as far as they can be before the create.
    pub properties: Json,
    /// Resources that require it.
    pub required_by: Vec<String>,
    /// The nested stack behind it, if any.
    pub nested: Option<Box<StackPreview>>,
}

impl Engine {
    /// What creating `source` as stack `name` would make.
    pub fn preview_stack(
        &self,
        ctx: &RequestContext,
        name: &str,
        source: &StackSource,
    ) -> Result<StackPreview, EngineError> {
        let probe = self.new_stack(ctx, name, source.clone(), &StackOptions::default(), false);
        self.preview_of(&probe)
    }

    fn preview_of(&self, stack: &StackRecord) -> Result<StackPreview, EngineError> {
        let source = &stack.source;
        let template = self.parse(source)?;
        let def = self.checked(stack, source, &template)?;
        let mut resources = Vec::new();
        for r in def.resources.iter().filter(|r| r.enabled) {
            let properties = match &r.properties {
                None => Json::Object(JsonMap::new()),
                Some(p) => function::resolve(p, &def)
                    .or_else(|_| function::partial(p, &def).map(|e| e.to_json()))
                    .unwrap_or(Json::Null),
            };
            let nested = self.nested_preview(stack, &r.name, &r.type_name, &properties);
            resources.push(ResourcePreview {
                name: r.name.clone(),
                type_name: r.type_name.clone(),
                properties,
                required_by: def.graph.required_by(&r.name),
                nested,
            });
        }
        Ok(StackPreview {
            name: stack.name.clone(),
            parameters: super::operation::parameter_view(&def, stack),
            description: template.description(),
            outputs: def
                .outputs
                .iter()
                .map(|o| (o.name.clone(), o.description.clone()))
                .collect(),
            resources,
        })
    }

    /// The preview of the nested stack behind a resource, when it has one
    /// that can be built before the create.
    pub(super) fn nested_preview(
        &self,
        parent: &StackRecord,
        name: &str,
        type_name: &str,
        properties: &Json,
    ) -> Option<Box<StackPreview>> {
        if parent.nested_depth + 1 > MAX_NESTED_DEPTH {
            return None;
        }
        let kind = self.special(parent, type_name, name)?;
        if !kind.has_nested_stack() {
            return None;
        }
        let spec = ResourceSpec {
            project: parent.project.clone(),
            stack_id: parent.id.clone(),
            stack_name: parent.name.clone(),
            name: name.to_string(),
            type_name: type_name.to_string(),
            properties: properties.clone(),
            metadata: Json::Null,
            update_policy: Json::Null,
            deletion_policy: "Delete".into(),
        };
        let source = self.child_source(parent, &kind, &spec, None).ok()?;
        let mut child = parent.clone();
        child.name = format!("{}-{name}", parent.name);
        child.source = source;
        child.parent = Some((parent.id.clone(), name.to_string()));
        child.nested_depth = parent.nested_depth + 1;
        self.preview_of(&child).ok().map(Box::new)
    }

    /// The resources of an operation in progress on `stack` that have no
    /// record yet (`records`), as Heat lists them: `INIT_COMPLETE`.
    pub fn unreached(
        &self,
        stack: &StackRecord,
        records: &[ResourceRecord],
    ) -> Vec<ResourceRecord> {
        if !(stack.in_progress() && matches!(stack.action, Action::Create | Action::Update)) {
            return Vec::new();
        }
        let Ok(template) = self.parse(&stack.source) else {
            return Vec::new();
        };
        let Ok(def) = self.checked(stack, &stack.source, &template) else {
            return Vec::new();
        };
        def.resources
            .iter()
            .filter(|r| r.enabled && !records.iter().any(|x| x.current && x.name == r.name))
            .map(|r| ResourceRecord {
                id: String::new(),
                stack_id: stack.id.clone(),
                name: r.name.clone(),
                type_name: r.type_name.clone(),
                physical_id: None,
                action: Action::Init,
                status: Status::Complete,
                reason: String::new(),
                properties: Json::Object(JsonMap::new()),
                attributes: JsonMap::new(),
                metadata: Json::Null,
                current: true,
                requires: def.graph.requires(&r.name),
                deletion_policy: r.deletion_policy.clone().unwrap_or_else(|| "Delete".into()),
                updated_at: stack.created_at,
                created_at: stack.created_at,
            })
            .collect()
    }
}

/// What an update would do.
impl Engine {
    /// What an update of `stack` to `source` would do, per resource,
    /// without doing it.
    pub async fn preview_update(
        &self,
        stack: &StackRecord,
        source: &StackSource,
    ) -> Result<Vec<Change>, EngineError> {
        self.project_exports(&stack.project).await?;
        let template = self.parse(source)?;
        let def = self.checked(stack, source, &template)?;
        let records = self.store.resources(&stack.id).await?;
        Ok(converge::preview(&def, &records, self.catalog.as_ref()))
    }

    /// [`Engine::preview_update`] with the nested stacks' resources too
    /// (Heat's `show_nested`): those of a nested stack updated, as its own
    /// update would do; all of one added or deleted (or replaced: both).
    pub async fn preview_update_nested(
        &self,
        stack: &StackRecord,
        source: &StackSource,
    ) -> Result<Vec<Change>, EngineError> {
        let template = self.parse(source)?;
        let def = self.checked(stack, source, &template)?;
        let records = self.store.resources(&stack.id).await?;
        let changes = converge::preview(&def, &records, self.catalog.as_ref());
        let tree = self.stack_tree(stack, 1).await?;
        let child_of = |name: &str| {
            tree.iter().map(|(s, _)| s).find(|s| {
                s.parent
                    .as_ref()
                    .is_some_and(|(p, n)| *p == stack.id && n == name)
            })
        };
        let mut target = stack.clone();
        target.source = source.clone();
        let live = super::Live::new(&def, &records);
        let mut out = changes.clone();
        for c in &changes {
            let old_child = child_of(&c.name);
            let removed = matches!(c.kind, ChangeKind::Deleted | ChangeKind::Replaced { .. });
            let added = matches!(c.kind, ChangeKind::Added | ChangeKind::Replaced { .. });
            if let (true, Some(child)) = (removed, old_child) {
                for (s, _) in self.stack_tree(child, u32::MAX).await? {
                    for r in self
                        .store
                        .resources(&s.id)
                        .await?
                        .into_iter()
                        .filter(|r| r.current)
                    {
                        out.push(Change {
                            name: r.name,
                            type_name: r.type_name,
                            kind: ChangeKind::Deleted,
                            stack: Some(s.name.clone()),
                        });
                    }
                }
            }
            let Some(rdef) = def.resources.iter().find(|r| r.name == c.name) else {
                continue;
            };
            let properties = rdef
                .properties
                .as_ref()
                .map(|p| {
                    crate::function::partial(p, &live)
                        .map(|e| e.to_json())
                        .unwrap_or(Json::Null)
                })
                .unwrap_or_else(|| json!({}));
            if added {
                let mut stack_now = Vec::new();
                let preview = self.nested_preview(&target, &c.name, &rdef.type_name, &properties);
                let mut todo: Vec<&super::StackPreview> =
                    preview.iter().map(|b| b.as_ref()).collect();
                while let Some(p) = todo.pop() {
                    for r in &p.resources {
                        stack_now.push(Change {
                            name: r.name.clone(),
                            type_name: r.type_name.clone(),
                            kind: ChangeKind::Added,
                            stack: Some(p.name.clone()),
                        });
                        if let Some(n) = &r.nested {
                            todo.push(n);
                        }
                    }
                }
                out.extend(stack_now);
            }
            if let (ChangeKind::Updated { .. }, Some(child)) = (&c.kind, old_child) {
                let Some(kind) = self.special(&target, &rdef.type_name, &rdef.name) else {
                    continue;
                };
                let spec = super::ResourceSpec {
                    project: stack.project.clone(),
                    stack_id: stack.id.clone(),
                    stack_name: stack.name.clone(),
                    name: c.name.clone(),
                    type_name: rdef.type_name.clone(),
                    properties,
                    metadata: Json::Null,
                    update_policy: Json::Null,
                    deletion_policy: rdef
                        .deletion_policy
                        .clone()
                        .unwrap_or_else(|| "Delete".into()),
                };
                let Ok(child_source) = self.child_source(&target, &kind, &spec, None) else {
                    continue;
                };
                let nested = Box::pin(self.preview_update_nested(child, &child_source)).await?;
                out.extend(nested.into_iter().map(|mut n| {
                    n.stack.get_or_insert_with(|| child.name.clone());
                    n
                }));
            }
        }
        Ok(out)
    }
}
