//! A source checked before the engine acts on it: the template parsed, the
//! definition built with every problem, the nested tree's size bounded, and
//! custom constraints (images, flavors, networks...) asked of the cloud;
//! and Heat's template-validate answer (parameters, nested parameters, the
//! environment as Heat shows it).

use std::collections::HashMap;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::{nested, Engine, EngineError, RequestContext, StackOptions, StackRecord, StackSource};
use crate::definition::{Inputs, StackDefinition};
use crate::template::{Template, TemplateError};

impl Engine {
    /// The inputs of a definition: the source's values and environment, and
    /// the stack's identity.
    fn inputs(&self, stack: &StackRecord, source: &StackSource) -> Result<Inputs, EngineError> {
        let mut registry = crate::environment::Registry::global();
        registry.load(&source.resource_registry).map_err(|e| {
            EngineError::Template(vec![TemplateError::new(
                crate::template::ErrorKind::Environment,
                e.to_string(),
            )])
        })?;
        Ok(Inputs {
            parameters: source.parameters.clone(),
            parameter_defaults: source.parameter_defaults.clone(),
            files: source
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
            registry,
            stack_name: stack.name.clone(),
            stack_id: stack.id.clone(),
            project_id: stack.project.clone(),
            region: self.config.region.clone(),
            max_resources: self.config.max_resources,
            exports: self.exports_for(&stack.project, &stack.id),
            facade: source.facade.clone(),
            ..Inputs::default()
        })
    }

    /// Reads a source's template.
    pub(super) fn parse(&self, source: &StackSource) -> Result<Template, EngineError> {
        Template::parse_with(&source.template, self.config.max_template_size)
            .map_err(|e| EngineError::Template(vec![e]))
    }

    /// Reads and checks a source for a stack: every problem, or the template.
    pub fn check_source(
        &self,
        stack: &StackRecord,
        source: &StackSource,
    ) -> Result<Template, EngineError> {
        let template = self.parse(source)?;
        self.checked(stack, source, &template)?;
        Ok(template)
    }

    /// The definition of a source for a stack, or every problem with it.
    pub(super) fn checked<'t>(
        &self,
        stack: &StackRecord,
        source: &StackSource,
        template: &'t Template,
    ) -> Result<StackDefinition<'t>, EngineError> {
        let inputs = self.inputs(stack, source)?;
        let (def, errors) = StackDefinition::build(template, inputs, self.catalog.as_ref());
        let Some(def) = def.filter(|_| errors.is_empty()) else {
            return Err(EngineError::Template(errors));
        };
        // For a top-level stack, nested templates are checked too: a tree
        // deeper than Heat's `max_nested_stack_depth` or with more resources
        // than `max_resources_per_stack` is refused before anything is created.
        if stack.parent.is_none() {
            let limit = |m: String| {
                EngineError::Template(vec![TemplateError::new(
                    crate::template::ErrorKind::Limit,
                    m,
                )])
            };
            let total = nested::tree_size(
                self.catalog.as_ref(),
                &def,
                source,
                stack.nested_depth,
                self.config.max_template_size,
            )
            .map_err(limit)?;
            if total > self.config.max_resources {
                return Err(limit(format!(
                    "Request limit exceeded: Maximum resources per stack exceeded. ({total} resources in the whole tree, at most {})",
                    self.config.max_resources
                )));
            }
        }
        Ok(def)
    }

    /// Custom constraints (an image, flavor, network or key pair that must
    /// exist) checked against the cloud before anything is created or
    /// changed, with Heat's messages: parameters' `custom_constraint`s, and
    /// the catalog's on property values known before creation (`known`:
    /// [`StackDefinition::checked_properties`]' answer).
    pub async fn check_custom_constraints(
        &self,
        def: &StackDefinition<'_>,
        known: &[(&crate::definition::ResourceDef, String, Json)],
    ) -> Result<(), EngineError> {
        let mut errors = Vec::new();
        for p in &def.parameters {
            let Some(value) = def.parameter_value(&p.name) else {
                continue;
            };
            for c in &p.constraints {
                let crate::parameters::Constraint::Custom(name) = &c.constraint else {
                    continue;
                };
                if let Err(message) = self.driver.check_constraint(name, value).await {
                    let message = c.description.clone().unwrap_or(message);
                    errors.push(
                        TemplateError::new(
                            crate::template::ErrorKind::Parameter,
                            format!("Parameter '{}' is invalid: {message}", p.name),
                        )
                        .at(format!("parameters.{}", p.name), p.line),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(EngineError::Template(errors));
        }
        // Property values known before anything exists (literals and
        // parameters, not attributes of other resources), nested ones
        // included, each distinct value asked about once.
        let mut verdicts: HashMap<(&str, String), Result<(), String>> = HashMap::new();
        for (r, t, values) in known {
            for (path, name, value) in self.catalog.custom_constraints(t, values) {
                let asked = (name, value.to_string());
                let verdict = match verdicts.get(&asked) {
                    Some(v) => v.clone(),
                    None => {
                        let v = self.driver.check_constraint(name, &value).await;
                        verdicts.insert(asked, v.clone());
                        v
                    }
                };
                if let Err(message) = verdict {
                    let (at, line) = def.property_at(r, &path);
                    errors.push(
                        TemplateError::new(
                            crate::template::ErrorKind::Resource,
                            format!("Property error: {message}"),
                        )
                        .at(at, line),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(EngineError::Template(errors))
        }
    }
}

/// Heat's template-validate API.
impl Engine {
    /// What Heat's template-validate API answers for a source: the
    /// parameters' view, the description and the environment; every
    /// problem otherwise.
    pub fn validate(
        &self,
        ctx: &RequestContext,
        source: &StackSource,
        nested: bool,
    ) -> Result<Json, EngineError> {
        let probe = self.new_stack(
            ctx,
            "validate",
            source.clone(),
            &StackOptions::default(),
            false,
        );
        let template = self.parse(source)?;
        let def = self.checked(&probe, source, &template)?;
        let mut view = def.validate_view();
        if nested {
            let params = self.nested_parameters(&probe, &def);
            if !params.is_empty() {
                view["NestedParameters"] = Json::Object(params);
            }
        }
        view["Environment"] = Self::environment_view(source, &template);
        Ok(view)
    }

    /// Heat's `NestedParameters` of a validation with `show_nested`: for
    /// each resource with a nested stack (provider template, nested stack,
    /// group), its type, description and parameters, and its own nested
    /// ones.
    fn nested_parameters(
        &self,
        stack: &StackRecord,
        def: &StackDefinition<'_>,
    ) -> JsonMap<String, Json> {
        let mut out = JsonMap::new();
        if stack.nested_depth >= super::nested::MAX_NESTED_DEPTH {
            return out;
        }
        for r in def.resources.iter().filter(|r| r.enabled) {
            let Some(kind) = self.special(stack, &r.type_name, &r.name) else {
                continue;
            };
            let properties = r
                .properties
                .as_ref()
                .map(|p| crate::function::resolve(p, def).unwrap_or(Json::Null))
                .unwrap_or_else(|| json!({}));
            let spec = super::ResourceSpec {
                project: stack.project.clone(),
                stack_id: stack.id.clone(),
                stack_name: stack.name.clone(),
                name: r.name.clone(),
                type_name: r.type_name.clone(),
                properties,
                metadata: Json::Null,
                update_policy: Json::Null,
                deletion_policy: r.deletion_policy.clone().unwrap_or_else(|| "Delete".into()),
            };
            if !kind.has_nested_stack() {
                continue;
            }
            let Ok(source) = self.child_source(stack, &kind, &spec, None) else {
                continue;
            };
            let mut child = stack.clone();
            child.name = format!("{}-{}", stack.name, r.name);
            child.parent = Some((stack.id.clone(), r.name.clone()));
            child.nested_depth = stack.nested_depth + 1;
            child.source = source.clone();
            let Ok(template) = self.parse(&source) else {
                continue;
            };
            let Ok(child_def) = self.checked(&child, &source, &template) else {
                continue;
            };
            let view = child_def.validate_view();
            let mut entry = json!({
                "Type": r.type_name,
                "Description": view.get("Description").cloned().unwrap_or(json!("")),
                "Parameters": view.get("Parameters").cloned().unwrap_or(json!({})),
            });
            if let Some(groups) = view.get("ParameterGroups") {
                entry["ParameterGroups"] = groups.clone();
            }
            let deeper = self.nested_parameters(&child, &child_def);
            if !deeper.is_empty() {
                entry["NestedParameters"] = Json::Object(deeper);
            }
            out.insert(r.name.clone(), entry);
        }
        out
    }

    /// A stack's environment as Heat shows it: the resource registry (with
    /// each template file the resources use as a type), the parameters and
    /// their defaults.
    pub fn environment_view(source: &StackSource, template: &Template) -> Json {
        let mut registry = json!({"resources": {}});
        for (k, v) in &source.resource_registry {
            registry[k.as_str()] = v.clone();
        }
        let type_key = if template.dialect.is_hot() {
            "type"
        } else {
            "Type"
        };
        for (_, r) in template.section_map("resources").iter() {
            let Some(t) = r
                .as_map()
                .and_then(|m| m.get(type_key))
                .and_then(|t| t.as_str())
            else {
                continue;
            };
            let file = t.ends_with(".yaml") || t.ends_with(".yml") || t.ends_with(".template");
            if file && source.files.contains_key(t) {
                registry[t] = json!(t);
            }
        }
        json!({
            "resource_registry": registry,
            "parameters": source.parameters,
            "parameter_defaults": source.parameter_defaults,
            "event_sinks": [],
        })
    }
}
