//! [`StackDefinition`]: a template bound to parameter values and an
//! environment, checked as Heat's template-validate checks it (every
//! problem reported, not the first), with its dependency graph.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use serde_json::{json, Value as Json};

use crate::environment::TypeTarget;
use crate::function::{self, Call, Context, Expr, FnError, FnKind, Resolver};
use crate::graph::Graph;
use crate::parameters::{pseudo_parameters, ParamSchema};
use crate::syntax::{Map, Node, Value};
use crate::template::{ErrorKind, Template, TemplateError};
use crate::version::Dialect;

/// What a catalog of resource types says about a type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeInfo {
    /// Unknown type.
    Unknown,
    /// Known; `attributes` lists its attribute names when the catalog knows them.
    Known {
        /// Attribute names (besides `show`), `None` when not known.
        attributes: Option<Vec<String>>,
    },
}

/// How a change to a property is applied on update (Heat's
/// `update_allowed` and `immutable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyRule {
    /// Changed in place.
    UpdateAllowed,
    /// A change replaces the resource.
    Replace,
    /// A change is an error.
    Immutable,
}

/// How the engine realises the resources of a type: most through the
/// driver (the cloud); the kinds below the engine realises itself, reading
/// the properties Heat gives them (both spellings where CloudFormation's
/// twin has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realisation {
    /// Through the driver.
    Driver,
    /// A nested stack whose template is the `template` property
    /// (`OS::Heat::Stack`), with `parameters` and `timeout`.
    StackInline,
    /// A nested stack whose template is the files-map entry that
    /// `TemplateURL` names (`AWS::CloudFormation::Stack`), with
    /// `Parameters` and `TimeoutInMinutes`.
    StackUrl,
    /// A group of `count` copies of `resource_def` (`OS::Heat::ResourceGroup`).
    ResourceGroup,
    /// A group of `resource` sized between `min_size` and `max_size`
    /// (`OS::Heat::AutoScalingGroup`).
    AutoScalingGroup,
    /// Waits for `count` (`Count`) signals on `handle` (`Handle`) within
    /// `timeout` (`Timeout`) seconds.
    WaitCondition,
    /// Receives the signals a wait condition waits for.
    WaitConditionHandle,
    /// A signal scales the group `auto_scaling_group_id`
    /// (`AutoScalingGroupName`) by `scaling_adjustment`.
    ScalingPolicy,
}

impl Realisation {
    /// Whether resources of this kind are nested stacks (their property
    /// changes update the nested stack in place).
    pub fn is_nested(self) -> bool {
        matches!(
            self,
            Realisation::StackInline
                | Realisation::StackUrl
                | Realisation::ResourceGroup
                | Realisation::AutoScalingGroup
        )
    }
}

/// The resource types a definition is checked against (heat-resources
/// implements it; heat-core knows no types).
pub trait TypeCatalog: Send + Sync {
    /// What the catalog knows about a type.
    fn lookup(&self, type_name: &str) -> TypeInfo;

    /// How the engine realises a type's resources.
    fn realisation(&self, _type_name: &str) -> Realisation {
        Realisation::Driver
    }

    /// How a change to a property of a type is applied.
    fn property_rule(&self, _type_name: &str, _property: &str) -> PropertyRule {
        PropertyRule::Replace
    }

    /// Dependencies the types' plugins add beyond references and
    /// `depends_on` (a port after the subnets of its network, a floating IP
    /// after the router interface to its external network), as
    /// `(requirer, required)`. Used when creating and updating, not by
    /// template validation (as in Heat).
    fn implicit_dependencies(&self, _def: &StackDefinition<'_>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Whether a type supports the `Snapshot` deletion policy; `None` when
    /// the catalog does not know.
    fn supports_snapshot(&self, _type_name: &str) -> Option<bool> {
        None
    }

    /// The property names of a type and which of them are required (with
    /// no default), when the catalog has its schema; template validation
    /// checks unknown and missing properties with them.
    fn property_names(&self, _type_name: &str) -> Option<(Vec<String>, Vec<String>)> {
        None
    }

    /// The custom constraint (`glance.image`, `nova.flavor`, ...) a type
    /// puts on a top-level property, for the driver to check before create.
    fn custom_constraint(&self, _type_name: &str, _property: &str) -> Option<&'static str> {
        None
    }

    /// Problems with a resource's resolved properties (unknown or missing
    /// properties, wrong types, failed constraints), as `(path, message)`
    /// with paths relative to `properties`.
    fn check_properties(&self, _type_name: &str, _properties: &Json) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// A catalog that knows every type (for graphs without a catalog).
pub struct AnyType;

impl TypeCatalog for AnyType {
    fn lookup(&self, _: &str) -> TypeInfo {
        TypeInfo::Known { attributes: None }
    }
}

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
}

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
            region: "RegionOne".into(),
            availability_zones: vec!["nova".into()],
            max_resources: 1000,
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
            None | Some(Value::Null) => Map::new(),
            Some(Value::Map(m)) => m.clone(),
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
                .filter(|n| !n.is_null())
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
                None if node.is_null() => {}
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
                Some(TypeTarget::Template(f)) if def.inputs.files.contains_key(&f) => {
                    TypeInfo::Known { attributes: None }
                }
                Some(TypeTarget::Template(f)) => {
                    errors.push(err(
                        ErrorKind::Resource,
                        format!("Could not fetch remote template \"{f}\": Invalid URL scheme "),
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
                    format!("The Resource Type ({}) could not be found.", r.type_name),
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
        // Duplicate names.
        let dupes: Vec<String> = def
            .resources
            .iter()
            .filter(|r| def.values.contains_key(&r.name))
            .map(|r| format!("'{}'", r.name))
            .collect();
        if !dupes.is_empty() {
            errors.push(err(
                ErrorKind::Structure,
                format!("Duplicate names {{{}}}", dupes.join(", ")),
                "",
                0,
            ));
        }
        // 7. Dependencies.
        let enabled: Vec<String> = def
            .resources
            .iter()
            .filter(|r| r.enabled)
            .map(|r| r.name.clone())
            .collect();
        let mut graph = Graph::new(enabled.iter().cloned());
        for r in def.resources.iter().filter(|r| r.enabled) {
            let base = format!("{res_section}.{}", r.name);
            let mut required: Vec<(String, String)> = Vec::new();
            let mut problems = Vec::new();
            if let Some(p) = &r.properties {
                def.references(
                    p,
                    &format!("{base}.{}", if hot { "properties" } else { "Properties" }),
                    &mut required,
                    &mut problems,
                );
            }
            if let Some(m) = &r.metadata {
                def.references(
                    m,
                    &format!("{base}.{}", if hot { "metadata" } else { "Metadata" }),
                    &mut required,
                    &mut problems,
                );
            }
            errors.append(&mut problems);
            for (name, _) in &required {
                graph.add_edge(&r.name, name);
            }
            for dep in &r.depends_on {
                if enabled.contains(dep) {
                    graph.add_edge(&r.name, dep);
                } else if !resource_names.contains(dep) {
                    errors.push(err(
                        ErrorKind::Reference,
                        format!(
                            "The specified reference \"{dep}\" (in {}) is incorrect.",
                            r.name
                        ),
                        format!("{base}.{}", if hot { "depends_on" } else { "DependsOn" }),
                        r.line,
                    ));
                }
            }
        }
        if let Err(cycle) = graph.levels() {
            let mut e = err(
                ErrorKind::Cycle,
                format!("Circular Dependency Found: {}", cycle.join(" -> ")),
                res_section,
                0,
            );
            e.cycle = cycle;
            errors.push(e);
        }
        def.graph = graph;
        // 8. Outputs.
        def.outputs = def.output_defs(&ctx, &mut errors);
        // 9. Function validation of resources and outputs.
        for r in def.resources.iter().filter(|r| r.enabled) {
            let base = format!("{res_section}.{}", r.name);
            for (field, expr) in [
                ("properties", &r.properties),
                ("metadata", &r.metadata),
                ("update_policy", &r.update_policy),
            ] {
                if let Some(e) = expr {
                    if let Err(fe) = function::validate(e, &def) {
                        let field = if hot {
                            field.to_string()
                        } else {
                            cfn_field(field).to_string()
                        };
                        errors.push(TemplateError::from(
                            fe.at(&format!("{base}.{field}"), r.line),
                        ));
                    }
                }
            }
        }
        for o in &def.outputs {
            if let Some(v) = &o.value {
                if let Err(fe) = function::validate(v, &def) {
                    let sec = template.section_name("outputs");
                    let field = if hot { "value" } else { "Value" };
                    errors.push(err(
                        ErrorKind::Output,
                        fe.message,
                        format!("{sec}.{}.{field}{}", o.name, suffix(&fe.path)),
                        if fe.line > 0 { fe.line } else { o.line },
                    ));
                }
            }
        }
        (Some(def), errors)
    }

    fn resource_def(
        &self,
        name: &str,
        node: &Node,
        ctx: &Context<'_>,
    ) -> Result<ResourceDef, Vec<TemplateError>> {
        let hot = self.template.dialect.is_hot();
        let res_section = self.template.section_name("resources");
        let map = node.as_map().expect("checked structure");
        let key = |hot_key: &'static str| if hot { hot_key } else { cfn_field(hot_key) };
        let base = format!("{res_section}.{name}");
        let mut errors = Vec::new();
        let type_name = map
            .get(key("type"))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        let mut parse_field = |field: &'static str, want_map: bool| -> Option<Expr> {
            let node = map.get(key(field))?;
            let path = format!("{base}.{}", key(field));
            match function::parse(node, ctx, &path, false) {
                Ok(e) => {
                    let ok = match &e {
                        Expr::Map(_) | Expr::Call(_) => true,
                        Expr::Lit(Json::String(_)) => !want_map,
                        _ => false,
                    };
                    if !ok {
                        let typename = if want_map { "object" } else { "string" };
                        errors.push(err(
                            ErrorKind::Structure,
                            format!("Resource {name} {} type must be {typename}", key(field)),
                            path,
                            node.line,
                        ));
                        return None;
                    }
                    Some(e)
                }
                Err(e) => {
                    errors.push(e.into());
                    None
                }
            }
        };
        let properties = parse_field("properties", true);
        let metadata = parse_field("metadata", true);
        let deletion = parse_field("deletion_policy", false);
        let update_policy = parse_field("update_policy", true);
        let mut depends_on = Vec::new();
        if let Some(d) = map.get(key("depends_on")) {
            match &d.value {
                Value::String(s) => depends_on.push(s.clone()),
                Value::Null => {}
                Value::List(items) => {
                    for item in items {
                        match item.as_str() {
                            Some(s) => depends_on.push(s.to_string()),
                            None => errors.push(err(
                                ErrorKind::Structure,
                                format!(
                                    "Resource {name} {} must be a list of strings",
                                    key("depends_on")
                                ),
                                format!("{base}.{}", key("depends_on")),
                                item.line,
                            )),
                        }
                    }
                }
                _ => errors.push(err(
                    ErrorKind::Structure,
                    format!(
                        "Resource {name} {} type must be list or string",
                        key("depends_on")
                    ),
                    format!("{base}.{}", key("depends_on")),
                    d.line,
                )),
            }
        }
        let mut deletion_policy = None;
        if let Some(d) = &deletion {
            match function::resolve(d, self) {
                Ok(Json::String(s)) => {
                    let canon = match s.as_str() {
                        "Delete" | "Retain" | "Snapshot" => Some(s.clone()),
                        "delete" | "retain" | "snapshot"
                            if self
                                .template
                                .dialect
                                .hot_at_least(crate::version::HotVersion::V2016_10_14) =>
                        {
                            let mut c = s.clone();
                            c[..1].make_ascii_uppercase();
                            Some(c)
                        }
                        _ => None,
                    };
                    match canon {
                        Some(c) => deletion_policy = Some(c),
                        None => errors.push(err(
                            ErrorKind::Resource,
                            format!("Invalid deletion policy \"{s}\""),
                            format!("{base}.{}", key("deletion_policy")),
                            node.line,
                        )),
                    }
                }
                Ok(other) => errors.push(err(
                    ErrorKind::Resource,
                    format!(
                        "Invalid deletion policy \"{}\"",
                        function::python::str_of(&other)
                    ),
                    format!("{base}.{}", key("deletion_policy")),
                    node.line,
                )),
                Err(e) => errors.push(e.into()),
            }
        }
        let mut enabled = true;
        let cond_key = if hot { "condition" } else { "Condition" };
        if let (Some(c), true) = (map.get(cond_key), has_conditions(self.template.dialect)) {
            let path = format!("{base}.{cond_key}");
            match function::parse(c, ctx, &path, true).and_then(|e| {
                let v = function::resolve(&e, self)?;
                self.is_enabled(&v)
            }) {
                Ok(b) => enabled = b,
                Err(e) => errors.push(TemplateError::from(e.at(&path, c.line))),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ResourceDef {
            name: name.to_string(),
            type_name,
            properties,
            metadata,
            depends_on,
            deletion_policy,
            update_policy,
            enabled,
            line: node.line,
        })
    }

    fn output_defs(&self, ctx: &Context<'_>, errors: &mut Vec<TemplateError>) -> Vec<OutputDef> {
        let hot = self.template.dialect.is_hot();
        let sec = self.template.section_name("outputs");
        let Some(node) = self.template.section("outputs").filter(|n| !n.is_null()) else {
            return Vec::new();
        };
        let Some(map) = node.as_map() else {
            errors.push(err(
                ErrorKind::Output,
                format!("'{}' object has no attribute 'items'", node.python_type()),
                sec,
                node.line,
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        let value_key = if hot { "value" } else { "Value" };
        for (name, o) in map.iter() {
            let path = format!("{sec}.{name}");
            let Some(om) = o.as_map() else {
                errors.push(err(
                    ErrorKind::Output,
                    format!("Output validation error: {path}: Output definitions must be a map. Found a {} instead", o.python_type()),
                    path,
                    o.line,
                ));
                continue;
            };
            let Some(v) = om.get(value_key) else {
                errors.push(err(
                    ErrorKind::Output,
                    format!("Output validation error: {path}: Each output definition must contain a {value_key} key."),
                    path,
                    o.line,
                ));
                continue;
            };
            let cond_key = if hot { "condition" } else { "Condition" };
            let mut enabled = true;
            if let (Some(c), true) = (om.get(cond_key), has_conditions(self.template.dialect)) {
                let cpath = format!("{path}.{cond_key}");
                match function::parse(c, ctx, &cpath, true).and_then(|e| {
                    let v = function::resolve(&e, self)?;
                    self.is_enabled(&v)
                }) {
                    Ok(b) => enabled = b,
                    Err(e) => {
                        errors.push(TemplateError::from(e.at(&cpath, c.line)));
                        continue;
                    }
                }
            }
            let value = if enabled {
                match function::parse(v, ctx, &format!("{path}.{value_key}"), false) {
                    Ok(e) => Some(e),
                    Err(e) => {
                        errors.push(e.into());
                        continue;
                    }
                }
            } else {
                None
            };
            let description = om
                .get(if hot { "description" } else { "Description" })
                .map(|d| function::python::str_of(&d.to_json()));
            out.push(OutputDef {
                name: name.clone(),
                description,
                value,
                line: o.line,
            });
        }
        out
    }

    /// Walks a snippet for the resources it references (`get_resource`,
    /// `get_attr`, `Ref`, `Fn::Sub`), following only the chosen branch of
    /// an `if`.
    fn references(
        &self,
        e: &Expr,
        path: &str,
        out: &mut Vec<(String, String)>,
        errors: &mut Vec<TemplateError>,
    ) {
        match e {
            Expr::Lit(_) => {}
            Expr::List(l) => {
                for (i, x) in l.iter().enumerate() {
                    self.references(x, &format!("{path}[{i}]"), out, errors);
                }
            }
            Expr::Map(m) => {
                for (k, x) in m {
                    self.references(x, &format!("{path}.{k}"), out, errors);
                }
            }
            Expr::Call(c) => self.call_references(c, path, out, errors),
        }
    }

    fn call_references(
        &self,
        c: &Call,
        path: &str,
        out: &mut Vec<(String, String)>,
        errors: &mut Vec<TemplateError>,
    ) {
        let inner = format!("{path}.{}", c.name);
        match c.kind {
            FnKind::If { .. } => {
                let Expr::List(items) = &c.args else { return };
                let chosen = function::resolve(&items[0], self).and_then(|v| self.is_enabled(&v));
                match chosen {
                    Ok(true) => self.references(&items[1], &format!("{inner}[1]"), out, errors),
                    Ok(false) => {
                        if let Some(x) = items.get(2) {
                            self.references(x, &format!("{inner}[2]"), out, errors)
                        }
                    }
                    Err(e) => errors.push(TemplateError::from(e.at(&inner, c.line))),
                }
                return;
            }
            FnKind::GetResource | FnKind::GetAtt(_) => {
                self.references(&c.args, &inner, out, errors);
                let target = match (&c.kind, &c.args) {
                    (FnKind::GetResource, a) => a,
                    (_, Expr::List(items)) => &items[0],
                    _ => return,
                };
                match function::resolve(target, self) {
                    Ok(v) => {
                        let name = function::python::str_of(&v);
                        if v.is_string() && self.has_resource(&name) {
                            out.push((name, inner));
                        } else {
                            errors.push(err(
                                ErrorKind::Reference,
                                format!(
                                    "The specified reference \"{name}\" (in {}) is incorrect.",
                                    heat_path(path)
                                ),
                                inner,
                                c.line,
                            ));
                        }
                    }
                    Err(e) => errors.push(TemplateError::from(e.at(&inner, c.line))),
                }
                return;
            }
            FnKind::Sub => {
                let template = match &c.args {
                    Expr::List(items) => items[0].as_str(),
                    other => other.as_str(),
                };
                if let Some(t) = template {
                    for name in function::sub_references(t) {
                        let res = name.split_once('.').map_or(name.as_str(), |(r, _)| r);
                        if self.has_resource(res) {
                            out.push((res.to_string(), inner.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
        self.references(&c.args, &inner, out, errors);
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

/// Heat's spelling of a path in reference errors: `web.Properties.networks[0]`
/// for `resources.web.properties.networks[0]`.
fn heat_path(path: &str) -> String {
    let rest = path
        .strip_prefix("resources.")
        .or_else(|| path.strip_prefix("Resources."))
        .unwrap_or(path);
    let mut parts = rest.splitn(3, '.');
    let (name, field, tail) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next(),
    );
    let field = match field {
        "properties" => "Properties",
        "metadata" => "Metadata",
        other => other,
    };
    match tail {
        Some(t) => format!("{name}.{field}.{t}"),
        None => format!("{name}.{field}"),
    }
}

fn suffix(fn_path: &str) -> String {
    if fn_path.is_empty() {
        String::new()
    } else if fn_path.starts_with('.') || fn_path.starts_with('[') {
        fn_path.to_string()
    } else {
        format!(".{fn_path}")
    }
}

/// Heat's template-time property check: unknown properties (missing and
/// invalid values are checked when the resource is created, as in Heat).
fn check_property_names(
    catalog: &dyn TypeCatalog,
    type_name: Option<&str>,
    r: &ResourceDef,
    raw: Option<&Node>,
    path: &str,
    hot: bool,
    errors: &mut Vec<TemplateError>,
) {
    let property_lines: HashMap<&str, u32> = raw
        .and_then(Node::as_map)
        .and_then(|m| m.get(if hot { "properties" } else { "Properties" }))
        .and_then(Node::as_map)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v.line)).collect())
        .unwrap_or_default();
    let Some((names, _required)) = type_name.and_then(|t| catalog.property_names(t)) else {
        return;
    };
    let field = if hot { "properties" } else { "Properties" };
    let keys: Vec<&String> = match &r.properties {
        Some(Expr::Map(props)) => props.iter().map(|(k, _)| k).collect(),
        None => Vec::new(),
        Some(_) => return,
    };
    for k in &keys {
        if !names.iter().any(|n| n == *k) {
            errors.push(err(
                ErrorKind::Resource,
                format!("Property error: {path}.{field}: Unknown Property {k}"),
                format!("{path}.{field}.{k}"),
                property_lines.get(k.as_str()).copied().unwrap_or(r.line),
            ));
        }
    }
}

fn has_conditions(d: Dialect) -> bool {
    match d {
        Dialect::Hot(v) => v.has_conditions(),
        Dialect::Cfn => true,
        Dialect::Heat => false,
    }
}

fn cfn_field(hot: &str) -> &'static str {
    match hot {
        "type" => "Type",
        "properties" => "Properties",
        "metadata" => "Metadata",
        "depends_on" => "DependsOn",
        "deletion_policy" => "DeletionPolicy",
        "update_policy" => "UpdatePolicy",
        "description" => "Description",
        _ => "Condition",
    }
}

fn check_parameter_groups(groups: &Node, params: &[ParamSchema], errors: &mut Vec<TemplateError>) {
    let e = |m: String, path: String, line: u32| {
        err(
            ErrorKind::Parameter,
            format!("Parameter Groups error: {path}: {m}"),
            path,
            line,
        )
    };
    let Some(list) = groups.as_list() else {
        errors.push(e(
            "The parameter_groups should be a list.".into(),
            "parameter_groups".into(),
            groups.line,
        ));
        return;
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for g in list {
        let label = g
            .as_map()
            .and_then(|m| m.get("label"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let path = format!("parameter_groups.{label}");
        let Some(ps) = g.as_map().and_then(|m| m.get("parameters")) else {
            errors.push(e(
                "The parameters must be provided for each parameter group.".into(),
                path,
                g.line,
            ));
            continue;
        };
        let Some(items) = ps.as_list() else {
            errors.push(e(
                "The parameters of parameter group should be a list.".into(),
                path,
                ps.line,
            ));
            continue;
        };
        for item in items {
            let name = function::python::str_of(&item.to_json());
            *seen.entry(name.clone()).or_default() += 1;
            if seen[&name] == 2 {
                errors.push(e(
                    format!("The {name} parameter must be assigned to one parameter group only."),
                    path.clone(),
                    item.line,
                ));
            }
            if !params.iter().any(|p| p.name == name) {
                errors.push(e(
                    format!("The grouped parameter {name} does not reference a valid parameter."),
                    path.clone(),
                    item.line,
                ));
            }
        }
    }
}

impl Resolver for StackDefinition<'_> {
    fn parameter(&self, name: &str) -> Result<Json, String> {
        match self.values.get(name) {
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(m)) => Err(m.clone()),
            None => Err(format!("The Parameter ({name}) was not provided.")),
        }
    }

    fn has_parameter(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    fn has_resource(&self, name: &str) -> bool {
        if self.resources.is_empty() {
            // While resources are being defined, every name of the section counts.
            return self
                .template
                .section("resources")
                .and_then(Node::as_map)
                .is_some_and(|m| m.contains_key(name));
        }
        self.enabled.contains(name)
    }

    fn reference_id(&self, name: &str) -> Json {
        Json::String(name.to_string())
    }

    fn attribute(&self, _: &str, _: &str) -> Result<Option<Json>, String> {
        Ok(None)
    }

    fn all_attributes(&self, _: &str) -> Option<Json> {
        None
    }

    fn has_attribute(&self, resource: &str, attribute: &str) -> Option<bool> {
        let attrs = self.attributes.get(resource)?.as_ref()?;
        Some(attribute == "show" || attrs.iter().any(|a| a == attribute))
    }

    fn file(&self, key: &str) -> Option<String> {
        self.inputs.files.get(key).cloned()
    }

    fn availability_zones(&self) -> Vec<String> {
        self.inputs.availability_zones.clone()
    }

    fn condition(&self, name: &str) -> Result<bool, FnError> {
        let invalid = || {
            FnError::new(
                function::Stage::Resolve,
                format!("Invalid condition \"{name}\""),
            )
        };
        let Some(expr) = self.conditions.get(name) else {
            return Err(invalid());
        };
        let known = self
            .condition_state
            .lock()
            .expect("not poisoned")
            .get(name)
            .copied();
        if let Some(state) = known {
            return match state {
                Some(b) => Ok(b),
                None => Err(FnError::new(
                    function::Stage::Resolve,
                    format!(
                        "Condition validation error: Circular definition for condition \"{name}\""
                    ),
                )),
            };
        }
        self.condition_state
            .lock()
            .expect("not poisoned")
            .insert(name.to_string(), None);
        let result = function::resolve(expr, self).and_then(|v| match v {
            Json::Bool(b) => Ok(b),
            other => Err(FnError::new(
                function::Stage::Resolve,
                format!(
                    "Condition validation error: The definition of condition \"{name}\" is invalid: {}",
                    function::python::str_of(&other)
                ),
            )),
        });
        if let Ok(b) = result {
            self.condition_state
                .lock()
                .expect("not poisoned")
                .insert(name.to_string(), Some(b));
        }
        result
    }

    fn mapping(&self, name: &str) -> Option<Json> {
        self.mappings.get(name).cloned()
    }

    fn facade(&self, _what: &str) -> Result<Json, String> {
        Err("'NoneType' object has no attribute 'metadata_get'".into())
    }

    fn region(&self) -> String {
        self.inputs.region.clone()
    }
}
