//! [`StackDefinition`]: a template bound to parameter values and an
//! environment, checked as Heat's template-validate checks it (every
//! problem reported, not the first), with its dependency graph.
//!
//! `build` runs the checks in Heat's order; `resource` reads each
//! resource's fields (and checks property names against the catalog),
//! `output` the outputs, `references` what each expression refers to,
//! `parameter_groups` the HOT parameter groups; `dependencies` the graph
//! and its reference problems; `validation` the functions' own checks;
//! `required` what the
//! catalog must have before anything is made; `resolver` answers
//! functions for a stack not yet created; `catalog` is what heat-core asks
//! of the resource types.

mod catalog;
mod dependencies;
mod output;
mod parameter_groups;
mod provider;
mod references;
mod required;
mod resolver;
mod resource;
mod validation;

pub use catalog::{AnyType, PropertyRule, Realisation, TypeCatalog, TypeInfo};

use parameter_groups::check_parameter_groups;
use references::suffix;
use resource::{cfn_field, check_property_names, check_update_policy};

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use serde_json::{json, Value as Json};

use crate::environment::TypeTarget;
use crate::function::{self, Context, Expr, FnError, Resolver};
use crate::graph::Graph;
use crate::parameters::{pseudo_parameters, ParamSchema};
use crate::syntax::{Map, Node, Value};
use crate::template::{ErrorKind, Template, TemplateError};
use crate::version::Dialect;

/// The inputs around a template: parameter values, files, stack identity.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// User parameter values (environment `parameters` and `--parameter`).
    pub parameters: serde_json::Map<String, Json>,
    /// Environment `parameter_defaults`.
    pub parameter_defaults: serde_json::Map<String, Json>,
    /// The files map (`get_file`, provider templates).
    pub files: HashMap<String, String>,
    /// The environment's resource registry.
    pub registry: crate::environment::Registry,
    /// Stack name.
    pub stack_name: String,
    /// Stack id.
    pub stack_id: String,
    /// Project (tenant) id.
    pub project_id: String,
    /// Region.
    pub region: String,
    /// Availability zones.
    pub availability_zones: Vec<String>,
    /// Heat's `max_resources_per_stack`.
    pub max_resources: usize,
    /// Values other stacks of the project export, by export name
    /// (`Fn::ImportValue`).
    pub exports: serde_json::Map<String, Json>,
    /// For a nested stack, the resource it stands for, as
    /// `resource_facade` gives it (`StackSource::facade`).
    pub facade: Option<Json>,
}

/// Why a provider or nested template named by `f` cannot be had: Heat's
/// words, then what to do (the request's files hold every template the
/// stack uses; heat-rs fetches nothing over the network).
pub fn missing_template(f: &str) -> String {
    let why = if f.starts_with("http://") || f.starts_with("https://") {
        "heat-rs fetches no template over the network: give its content in the request's files"
    } else {
        "it is not among the request's files (python-heatclient and heat-rs's CLI add each file a template names, read beside the template)"
    };
    format!("Could not fetch remote template \"{f}\": Invalid URL scheme; {why}")
}

/// The `AWS::Region` Heat gives every stack, whatever its cloud's region
/// (`heat/engine/cfn/parameters.py`): the CloudFormation templates written
/// for Heat key their AMI maps by it (`Rails_Single_Instance.template`).
pub const HEAT_REGION: &str = "ap-southeast-1";

impl Default for Inputs {
    fn default() -> Self {
        Inputs {
            parameters: Default::default(),
            parameter_defaults: Default::default(),
            files: HashMap::new(),
            registry: Default::default(),
            stack_name: "stack".into(),
            stack_id: "00000000-0000-0000-0000-000000000000".into(),
            project_id: "project".into(),
            region: HEAT_REGION.into(),
            availability_zones: vec!["nova".into()],
            max_resources: 1000,
            exports: Default::default(),
            facade: None,
        }
    }
}

/// A resource of the template, its fields parsed.
#[derive(Debug, Clone)]
pub struct ResourceDef {
    /// Logical name.
    pub name: String,
    /// Type as written.
    pub type_name: String,
    /// Properties.
    pub properties: Option<Expr>,
    /// Metadata.
    pub metadata: Option<Expr>,
    /// Explicit dependencies.
    pub depends_on: Vec<String>,
    /// Deletion policy (`Delete`, `Retain`, `Snapshot`).
    pub deletion_policy: Option<String>,
    /// Update policy.
    pub update_policy: Option<Expr>,
    /// Whether the resource's condition holds.
    pub enabled: bool,
    /// An existing cloud object the resource stands for (HOT
    /// `external_id`): taken over, not created, never deleted; its id is
    /// the resource's reference.
    pub external_id: Option<String>,
    /// The line of the definition.
    pub line: u32,
}

/// An output of the template.
#[derive(Debug, Clone)]
pub struct OutputDef {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Value (`None` when the output's condition is false).
    pub value: Option<Expr>,
    /// The name it is exported as (CloudFormation's `Export: {Name}`).
    pub export: Option<Expr>,
    /// The line.
    pub line: u32,
}

/// A template bound to its inputs: parameters, conditions, resources,
/// outputs and the dependency graph.
pub struct StackDefinition<'t> {
    /// The template.
    pub template: &'t Template,
    /// The inputs.
    pub inputs: Inputs,
    /// Parameter schemas in template order.
    pub parameters: Vec<ParamSchema>,
    values: HashMap<String, Result<Json, String>>,
    conditions: HashMap<String, Expr>,
    condition_state: Mutex<HashMap<String, Option<bool>>>,
    /// Resources in document order.
    pub resources: Vec<ResourceDef>,
    /// Outputs in document order.
    pub outputs: Vec<OutputDef>,
    /// The dependency graph of the enabled resources.
    pub graph: Graph,
    attributes: HashMap<String, Option<Vec<String>>>,
    mappings: serde_json::Map<String, Json>,
    enabled: std::collections::HashSet<String>,
}

const HOT_RESOURCE_KEYS: [&str; 7] = [
    "type",
    "properties",
    "metadata",
    "depends_on",
    "deletion_policy",
    "update_policy",
    "description",
];

fn err(
    kind: ErrorKind,
    message: impl Into<String>,
    path: impl Into<String>,
    line: u32,
) -> TemplateError {
    TemplateError::new(kind, message).at(path, line)
}

impl<'t> StackDefinition<'t> {
    /// Builds and checks a definition. Returns it (when the template's
    /// structure allowed building one) and every problem found.
    pub fn build(
        template: &'t Template,
        inputs: Inputs,
        catalog: &dyn TypeCatalog,
    ) -> (Option<StackDefinition<'t>>, Vec<TemplateError>) {
        let mut errors = Vec::new();
        let dialect = template.dialect;
        let hot = dialect.is_hot();
        // 1. Sections.
        let valid = template.valid_sections();
        for (key, node) in template.root.iter() {
            if !valid.contains(&key.as_str()) {
                errors.push(err(
                    ErrorKind::Structure,
                    format!("The template section is invalid: {key}"),
                    key.clone(),
                    node.line,
                ));
            }
        }
        // 2. Resource structure.
        let res_section = template.section_name("resources");
        let resources_node = template.section("resources");
        let raw_resources: Map = match resources_node.map(|n| &n.value) {
            Some(Value::Map(m)) => m.clone(),
            None => Map::new(),
            Some(_) if resources_node.is_some_and(Node::is_falsy) => Map::new(),
            Some(_) => {
                errors.push(err(
                    ErrorKind::Structure,
                    format!("\"{res_section}\" must be a map of resource definitions"),
                    res_section,
                    resources_node.map_or(0, |n| n.line),
                ));
                Map::new()
            }
        };
        let mut structure_ok = true;
        let mut sorted: Vec<(&String, &Node)> = raw_resources.iter().collect();
        if hot {
            sorted.sort_by(|a, b| a.0.cmp(b.0));
        }
        for (name, node) in sorted {
            let path = format!("{res_section}.{name}");
            let Some(map) = node.as_map() else {
                structure_ok = false;
                let msg = if node.is_null() || node.as_str() == Some("") {
                    if hot {
                        "Each resource must contain a type key."
                    } else {
                        "Each Resource must contain a Type key."
                    }
                    .to_string()
                } else if hot {
                    format!("\"resources\" must contain a map of resource maps. Found a [<class '{}'>] instead", node.python_type())
                } else {
                    format!(
                        "Resources must contain Resource. Found a [<class '{}'>] instead",
                        node.python_type()
                    )
                };
                errors.push(err(ErrorKind::Structure, msg, path, node.line));
                continue;
            };
            if hot {
                let mut allowed: Vec<&str> = HOT_RESOURCE_KEYS.to_vec();
                if dialect.hot_at_least(crate::version::HotVersion::V2016_10_14) {
                    allowed.extend(["external_id", "condition"]);
                }
                for (k, v) in map.iter() {
                    if !allowed.contains(&k.as_str()) {
                        structure_ok = false;
                        errors.push(err(
                            ErrorKind::Structure,
                            format!("\"{k}\" is not a valid keyword inside a resource definition"),
                            format!("{path}.{k}"),
                            v.line,
                        ));
                    }
                }
            }
            let type_key = if hot { "type" } else { "Type" };
            match map.get(type_key) {
                None => {
                    structure_ok = false;
                    let msg = if hot {
                        "Each resource must contain a type key."
                    } else {
                        "Each Resource must contain a Type key."
                    };
                    errors.push(err(ErrorKind::Structure, msg, path, node.line));
                }
                Some(t) if t.is_null() || t.as_str() == Some("") => {
                    structure_ok = false;
                    errors.push(err(
                        ErrorKind::Structure,
                        "Each Resource must contain a Type key.",
                        format!("{path}.{type_key}"),
                        t.line,
                    ));
                }
                Some(t) if t.as_str().is_none() => {
                    structure_ok = false;
                    errors.push(err(
                        ErrorKind::Structure,
                        format!("Resource {name} type type must be string"),
                        format!("{path}.{type_key}"),
                        t.line,
                    ));
                }
                _ => {}
            }
        }
        if raw_resources.len() > inputs.max_resources {
            errors.push(err(
                ErrorKind::Limit,
                "Request limit exceeded: Maximum resources per stack exceeded.",
                res_section,
                resources_node.map_or(0, |n| n.line),
            ));
        }
        // 3. Parameters.
        let params_section = template.section_name("parameters");
        if let Some(node) = template
            .section("parameters")
            .filter(|n| !n.is_falsy() && n.as_map().is_none())
        {
            // Heat iterates the section's items: a list or a scalar has none.
            errors.push(err(
                ErrorKind::Parameter,
                format!(
                    "The {params_section} section must be a map of parameter names to \
                     definitions; found {}",
                    node.kind_words()
                ),
                params_section,
                node.line,
            ));
            return (None, errors);
        }
        let mut parameters = Vec::new();
        let mut params_ok = true;
        for (name, node) in template.section_map("parameters").iter() {
            match ParamSchema::from_node(dialect, name, node) {
                Ok(schema) => {
                    if let Err(m) = schema.validate() {
                        errors.push(err(
                            ErrorKind::Parameter,
                            m,
                            format!("{params_section}.{name}"),
                            node.line,
                        ));
                    }
                    parameters.push(schema);
                }
                Err(m) => {
                    params_ok = false;
                    errors.push(err(
                        ErrorKind::Parameter,
                        m,
                        format!("{params_section}.{name}"),
                        node.line,
                    ));
                }
            }
        }
        for key in inputs.parameters.keys() {
            if !parameters.iter().any(|p| &p.name == key) {
                errors.push(err(
                    ErrorKind::Parameter,
                    format!("The Parameter ({key}) was not defined in template."),
                    format!("{params_section}.{key}"),
                    0,
                ));
            }
        }
        let mut values = HashMap::new();
        for (name, value) in pseudo_parameters(
            dialect,
            &inputs.stack_name,
            &inputs.stack_id,
            &inputs.project_id,
            &inputs.region,
        ) {
            values.insert(name.to_string(), Ok(value));
        }
        for p in &parameters {
            let raw = inputs
                .parameters
                .get(&p.name)
                .filter(|v| !v.is_null())
                .or_else(|| inputs.parameter_defaults.get(&p.name))
                .or(p.default.as_ref());
            let value = match raw {
                None => Err(format!("The Parameter ({}) was not provided.", p.name)),
                Some(raw) => p
                    .convert(raw)
                    .map_err(|m| format!("Parameter '{}' is invalid: {m}", p.name)),
            };
            values.insert(p.name.clone(), value);
        }
        // 4. Parameter groups.
        if hot {
            if let Some(groups) = template
                .root
                .get("parameter_groups")
                .filter(|n| !n.is_falsy())
            {
                check_parameter_groups(groups, &parameters, &mut errors);
            }
        }
        if !structure_ok || !params_ok {
            return (None, errors);
        }
        let resource_names: BTreeSet<String> = raw_resources.keys().cloned().collect();
        let is_resource = |n: &str| resource_names.contains(n);
        let ctx = Context {
            dialect,
            is_resource: &is_resource,
        };
        // 5. Conditions.
        let mut conditions = HashMap::new();
        let cond_section = template.section_name("conditions");
        if let Some(node) = template
            .root
            .get(cond_section)
            .filter(|_| has_conditions(dialect))
        {
            match node.as_map() {
                Some(map) => {
                    for (name, def) in map.iter() {
                        let path = format!("{cond_section}.{name}");
                        match function::parse(def, &ctx, &path, true) {
                            Ok(Expr::Lit(Json::Bool(b))) => {
                                conditions.insert(name.clone(), Expr::Lit(Json::Bool(b)));
                            }
                            Ok(e @ Expr::Call(_)) => {
                                conditions.insert(name.clone(), e);
                            }
                            Ok(other) => errors.push(err(
                                ErrorKind::Condition,
                                format!(
                                    "Condition validation error: The definition of condition \"{name}\" is invalid: {}",
                                    function::python::str_of(&other.to_json())
                                ),
                                path,
                                def.line,
                            )),
                            Err(e) => errors.push(e.into()),
                        }
                    }
                }
                None => errors.push(err(
                    ErrorKind::Condition,
                    format!(
                        "Conditions validation error: Condition definitions must be a map. Found a {} instead",
                        node.python_type()
                    ),
                    cond_section,
                    node.line,
                )),
            }
        }
        let mappings = match template.section("mappings").map(Node::to_json) {
            Some(Json::Object(o)) if !hot => o,
            _ => Default::default(),
        };
        let mut def = StackDefinition {
            template,
            inputs,
            parameters,
            values,
            conditions,
            condition_state: Mutex::new(HashMap::new()),
            resources: Vec::new(),
            outputs: Vec::new(),
            graph: Graph::default(),
            attributes: HashMap::new(),
            mappings,
            enabled: Default::default(),
        };
        // Condition functions validate (removed functions and the like).
        let mut cond_names: Vec<&String> = def.conditions.keys().collect();
        cond_names.sort();
        for name in cond_names {
            if let Err(e) = function::validate(&def.conditions[name], &def) {
                errors.push(e.at(&format!("{cond_section}.{name}"), 0).into());
            }
        }
        // 6. Resource definitions.
        let mut resources = Vec::new();
        for (name, node) in raw_resources.iter() {
            match def.resource_def(name, node, &ctx) {
                Ok(r) => resources.push(r),
                Err(mut e) => errors.append(&mut e),
            }
        }
        for r in &resources {
            if !r.enabled {
                continue;
            }
            let path = format!("{res_section}.{}", r.name);
            if r.name.contains('/') {
                errors.push(err(
                    ErrorKind::Resource,
                    "Resource name may not contain \"/\"",
                    path.clone(),
                    r.line,
                ));
            }
            let known = |t: &str| catalog.lookup(t) != TypeInfo::Unknown;
            let type_key = if hot { "type" } else { "Type" };
            let resolved = def
                .inputs
                .registry
                .resolve(&r.type_name, Some(&r.name), &known);
            let resolved_type = match &resolved {
                Some(TypeTarget::Type(t)) => Some(t.clone()),
                _ => None,
            };
            let info = match resolved {
                Some(TypeTarget::Type(t)) => catalog.lookup(&t),
                Some(TypeTarget::Template(f))
                    if crate::files::find(&f, |k| def.inputs.files.get(k)).is_some() =>
                {
                    if let Some(text) = crate::files::find(&f, |k| def.inputs.files.get(k)) {
                        provider::check_provider(r, &f, text, &path, hot, &mut errors);
                    }
                    TypeInfo::Known { attributes: None }
                }
                Some(TypeTarget::Template(f)) => {
                    errors.push(err(
                        ErrorKind::Resource,
                        missing_template(&f),
                        format!("{path}.{type_key}"),
                        r.line,
                    ));
                    continue;
                }
                None => TypeInfo::Unknown,
            };
            match info {
                TypeInfo::Unknown => errors.push(err(
                    ErrorKind::Resource,
                    format!(
                        "The Resource Type ({}) could not be found.{}",
                        r.type_name,
                        crate::suggest::did_you_mean(&r.type_name, catalog.type_names())
                    ),
                    format!("{path}.{type_key}"),
                    r.line,
                )),
                TypeInfo::Known { attributes } => {
                    check_property_names(
                        catalog,
                        resolved_type.as_deref(),
                        r,
                        raw_resources.get(&r.name),
                        &path,
                        hot,
                        &mut errors,
                    );
                    if let (Some(t), Some(policy)) = (resolved_type.as_deref(), &r.update_policy) {
                        check_update_policy(catalog, t, policy, &path, hot, r.line, &mut errors);
                    }
                    if r.deletion_policy.as_deref() == Some("Snapshot")
                        && resolved_type
                            .as_deref()
                            .and_then(|t| catalog.supports_snapshot(t))
                            == Some(false)
                    {
                        let key = if hot {
                            "deletion_policy"
                        } else {
                            "DeletionPolicy"
                        };
                        errors.push(err(
                            ErrorKind::Resource,
                            format!("{path}.{key}: \"Snapshot\" deletion policy not supported"),
                            format!("{path}.{key}"),
                            r.line,
                        ));
                    }
                    def.attributes.insert(r.name.clone(), attributes);
                }
            }
        }
        def.enabled = resources
            .iter()
            .filter(|r| r.enabled)
            .map(|r| r.name.clone())
            .collect();
        def.resources = resources;
        // Duplicate names (a resource named as a parameter).
        let dupes: Vec<&ResourceDef> = def
            .resources
            .iter()
            .filter(|r| def.values.contains_key(&r.name))
            .collect();
        if let Some(first) = dupes.first() {
            let names: Vec<String> = dupes.iter().map(|r| format!("'{}'", r.name)).collect();
            errors.push(err(
                ErrorKind::Structure,
                format!("Duplicate names {{{}}}", names.join(", ")),
                format!("{res_section}.{}", first.name),
                first.line,
            ));
        }
        // 7. Dependencies.
        def.graph = def.dependency_graph(&resource_names, &mut errors);
        // 8. Outputs, and their export names (unique in the project).
        def.outputs = def.output_defs(&ctx, &mut errors);
        for o in &def.outputs {
            let Some(name) = o
                .export
                .as_ref()
                .and_then(|e| function::resolve(e, &def).ok())
            else {
                continue;
            };
            let name = function::python::str_of(&name);
            if def.inputs.exports.contains_key(&name) {
                errors.push(err(
                    ErrorKind::Output,
                    format!("Export with name {name} is already exported by another stack of the project."),
                    format!("Outputs.{}.Export.Name", o.name),
                    o.line,
                ));
            }
        }
        // 9. Function validation of resources and outputs.
        let found = def.function_problems(&errors);
        errors.extend(found);
        // One problem found by two checks (a function's validation and
        // the evaluation of the same properties) is said once.
        let mut seen = std::collections::HashSet::new();
        errors.retain(|e| seen.insert((e.message.clone(), e.path.clone())));
        (Some(def), errors)
    }

    fn is_enabled(&self, v: &Json) -> Result<bool, FnError> {
        match v {
            Json::Null => Ok(true),
            Json::Bool(b) => Ok(*b),
            Json::String(name) => self.condition(name),
            other => Err(FnError::new(
                function::Stage::Resolve,
                format!("Invalid condition \"{}\"", function::python::str_of(other)),
            )),
        }
    }

    /// The levels (parallel creation waves) of the enabled resources.
    pub fn levels(&self) -> Result<Vec<Vec<String>>, Vec<String>> {
        self.graph.levels()
    }

    /// The value of a parameter, if it has one.
    pub fn parameter_value(&self, name: &str) -> Option<&Json> {
        self.values.get(name).and_then(|v| v.as_ref().ok())
    }

    /// What Heat's template-validate API returns for this template.
    pub fn validate_view(&self) -> Json {
        let mut params = serde_json::Map::new();
        for p in &self.parameters {
            params.insert(
                p.name.clone(),
                p.api_view(
                    self.inputs.parameter_defaults.get(&p.name),
                    self.inputs.parameters.get(&p.name),
                    self.template.dialect.is_hot(),
                ),
            );
        }
        let mut out = serde_json::Map::new();
        out.insert("Description".into(), json!(self.template.description()));
        out.insert("Parameters".into(), Json::Object(params));
        if let Some(groups) = self
            .template
            .root
            .get("parameter_groups")
            .filter(|g| self.template.dialect.is_hot() && !g.is_null())
        {
            let g = groups.to_json();
            if crate::function::python::str_of(&g) != "[]" {
                out.insert("ParameterGroups".into(), g);
            }
        }
        Json::Object(out)
    }
}

fn has_conditions(d: Dialect) -> bool {
    match d {
        Dialect::Hot(v) => v.has_conditions(),
        Dialect::Cfn => true,
        Dialect::Heat => false,
    }
}
