//! Template parameters: schemas (HOT and CloudFormation spellings), value
//! conversion per type, constraints, pseudo parameters, and the shape the
//! template-validate API shows.

mod pattern;

pub use pattern::{python_pattern, Pattern};

use serde_json::{json, Map as JsonMap, Value as Json};

use crate::function::python::{str_of, to_int};
use crate::syntax::Node;
use crate::version::{Dialect, HotVersion};

/// A parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `string` / `String`.
    String,
    /// `number` / `Number`.
    Number,
    /// `comma_delimited_list` / `CommaDelimitedList`.
    List,
    /// `json` / `Json`.
    Json,
    /// `boolean` / `Boolean`.
    Boolean,
}

impl ParamType {
    fn parse(dialect: Dialect, name: &str) -> Option<Self> {
        let hot = dialect.is_hot();
        Some(match name {
            "string" if hot => Self::String,
            "number" if hot => Self::Number,
            "comma_delimited_list" if hot => Self::List,
            "json" if hot => Self::Json,
            "boolean" if hot => Self::Boolean,
            "String" if !hot => Self::String,
            "Number" if !hot => Self::Number,
            "CommaDelimitedList" if !hot => Self::List,
            "Json" if !hot => Self::Json,
            "Boolean" if !hot => Self::Boolean,
            // Beyond Heat, for templates written for AWS: `List<...>` and the
            // `AWS::` types (`AWS::EC2::KeyPair::KeyName`,
            // `AWS::SSM::Parameter::Value<List<String>>`) hold strings or lists.
            aws if dialect == Dialect::Cfn && Self::is_aws_type(aws) => {
                if aws.starts_with("List<")
                    || aws.contains("<List<")
                    || aws.contains("<CommaDelimitedList>")
                {
                    Self::List
                } else {
                    Self::String
                }
            }
            _ => return None,
        })
    }

    /// Whether a CloudFormation type name is one of AWS's own parameter types.
    pub fn is_aws_type(name: &str) -> bool {
        (name.starts_with("List<") && name.ends_with('>')) || name.starts_with("AWS::")
    }

    /// The CloudFormation name the validate API shows.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Number => "Number",
            Self::List => "CommaDelimitedList",
            Self::Json => "Json",
            Self::Boolean => "Boolean",
        }
    }
}

/// One constraint on a parameter's value.
#[derive(Debug, Clone)]
pub enum Constraint {
    /// `length: {min, max}`.
    Length(Option<f64>, Option<f64>),
    /// `range: {min, max}`.
    Range(Option<Json>, Option<Json>),
    /// `modulo: {step, offset}`.
    Modulo(Json, Json),
    /// `allowed_values`.
    AllowedValues(Vec<Json>),
    /// `allowed_pattern`, and the pattern compiled once when first needed,
    /// anchored at the start as Python's `re.match` is.
    AllowedPattern(String, Pattern),
    /// `custom_constraint`, checked by drivers.
    Custom(String),
}

/// A constraint and its optional description.
#[derive(Debug, Clone)]
pub struct ConstraintDef {
    /// The constraint.
    pub constraint: Constraint,
    /// The description that replaces the failure message.
    pub description: Option<String>,
}

/// A parameter's schema.
#[derive(Debug, Clone)]
pub struct ParamSchema {
    /// Name.
    pub name: String,
    /// Type.
    pub kind: ParamType,
    /// The type as written (for messages).
    pub type_text: String,
    /// Description, as written (the validate API shows a number or a map
    /// given there as it is).
    pub description: Option<Json>,
    /// Default, as written.
    pub default: Option<Json>,
    /// `hidden` / `NoEcho`.
    pub hidden: bool,
    /// Label, as written.
    pub label: Option<Json>,
    /// `immutable`.
    pub immutable: bool,
    /// `tags`.
    pub tags: Vec<Json>,
    /// Constraints in order.
    pub constraints: Vec<ConstraintDef>,
    /// The line of the definition.
    pub line: u32,
}

fn num_of(v: &Json) -> Option<Json> {
    match v {
        Json::Number(_) => Some(v.clone()),
        Json::Bool(b) => Some(Json::from(*b as i64)),
        Json::String(s) => {
            if let Some(i) = to_int(v) {
                return Some(Json::from(i));
            }
            let f: f64 = s.trim().parse().ok()?;
            serde_json::Number::from_f64(f).map(Json::Number)
        }
        _ => None,
    }
}

fn f64_of(v: &Json) -> Option<f64> {
    num_of(v).and_then(|n| n.as_f64())
}

impl ParamSchema {
    /// Reads a parameter definition; `Err` holds Heat's schema message.
    pub fn from_node(dialect: Dialect, name: &str, node: &Node) -> Result<ParamSchema, String> {
        let Some(map) = node.as_map() else {
            return Err(format!("Invalid parameter ({name}), expected a mapping"));
        };
        let hot = dialect.is_hot();
        let allowed: &[&str] = if hot {
            if dialect.hot_at_least(HotVersion::V2018_03_02) {
                &[
                    "type",
                    "description",
                    "default",
                    "schema",
                    "constraints",
                    "hidden",
                    "label",
                    "immutable",
                    "tags",
                ]
            } else {
                &[
                    "type",
                    "description",
                    "default",
                    "schema",
                    "constraints",
                    "hidden",
                    "label",
                    "immutable",
                ]
            }
        } else {
            &[
                "Type",
                "Default",
                "NoEcho",
                "AllowedValues",
                "AllowedPattern",
                "MaxLength",
                "MinLength",
                "MaxValue",
                "MinValue",
                "Description",
                "ConstraintDescription",
                "Label",
            ]
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(format!("Invalid key '{key}' for parameter ({name})"));
            }
        }
        let get = |k: &str| map.get(k).map(Node::to_json);
        let type_key = if hot { "type" } else { "Type" };
        let Some(type_value) = get(type_key) else {
            return Err(format!("Missing parameter type for parameter: {name}"));
        };
        let tags = match get("tags") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(a)) => a,
            Some(_) => {
                return Err(format!(
                    "Tags property should be a list for parameter: {name}"
                ))
            }
        };
        let constraints = if hot {
            hot_constraints(dialect, name, map.get("constraints"))?
        } else {
            cfn_constraints(&map_json(node))?
        };
        let type_text = str_of(&type_value);
        let kind = ParamType::parse(dialect, &type_text)
            .ok_or_else(|| format!("Invalid type ({type_text})"))?;
        let given = |v: Option<Json>| v.filter(|v| !v.is_null());
        let (description, default, hidden, label) = if hot {
            (
                given(get("description")),
                get("default").filter(|v| !v.is_null()),
                get("hidden")
                    .is_some_and(|v| !crate::function::python::str_of(&v).is_empty() && truthy(&v)),
                given(get("label")),
            )
        } else {
            (
                given(get("Description")),
                get("Default").filter(|v| !v.is_null()),
                get("NoEcho").is_some_and(|v| str_of(&v).to_lowercase() == "true"),
                given(get("Label")),
            )
        };
        Ok(ParamSchema {
            name: name.to_string(),
            kind,
            type_text,
            description,
            default,
            hidden,
            label,
            immutable: hot && get("immutable").is_some_and(|v| truthy(&v)),
            tags,
            constraints,
            line: node.line,
        })
    }

    /// Checks that constraints fit the type and that the default satisfies
    /// them (Heat's schema validation, run by template-validate).
    pub fn validate(&self) -> Result<(), String> {
        let wrap = |m: String| format!("Parameter '{}' is invalid: {m}", self.name);
        for c in &self.constraints {
            let (cname, ok) = match &c.constraint {
                Constraint::Range(..) => ("Range", self.kind == ParamType::Number),
                Constraint::Length(..) => (
                    "Length",
                    matches!(
                        self.kind,
                        ParamType::String | ParamType::List | ParamType::Json
                    ),
                ),
                Constraint::Modulo(..) => ("Modulo", self.kind == ParamType::Number),
                Constraint::AllowedValues(_) => ("AllowedValues", self.kind != ParamType::Json),
                Constraint::AllowedPattern(..) => {
                    ("AllowedPattern", self.kind == ParamType::String)
                }
                Constraint::Custom(_) => ("CustomConstraint", self.kind != ParamType::Json),
            };
            if !ok {
                return Err(wrap(format!(
                    "{cname} constraint invalid for {}",
                    self.type_text
                )));
            }
            // Heat compiles a pattern with the schema: one Python cannot
            // compile is refused with or without a default.
            if let Constraint::AllowedPattern(p, re) = &c.constraint {
                if let Err(e) = re.get() {
                    return Err(wrap(format!("Invalid allowed_pattern {p}: {e}")));
                }
            }
        }
        if let Some(default) = &self.default {
            let value = if self.kind == ParamType::List {
                match default {
                    Json::String(s) => {
                        Json::Array(s.split(',').map(|p| Json::String(p.into())).collect())
                    }
                    Json::Array(a) => {
                        Json::Array(a.iter().map(|x| Json::String(str_of(x))).collect())
                    }
                    _ => {
                        return Err(wrap(format!(
                            "Default must be a comma-delimited list string: {}",
                            str_of(default)
                        )))
                    }
                }
            } else {
                default.clone()
            };
            if let Err(m) = self.check_constraints(&value, false) {
                return Err(wrap(format!("Invalid default {} ({m})", str_of(default))));
            }
        }
        Ok(())
    }

    /// Runs the constraints (custom ones only when `custom`) on a value.
    pub fn check_constraints(&self, value: &Json, custom: bool) -> Result<(), String> {
        for c in &self.constraints {
            let failure = match &c.constraint {
                Constraint::Range(min, max) => {
                    let v = f64_of(value).ok_or_else(|| {
                        format!("could not convert string to float: '{}'", str_of(value))
                    })?;
                    let lo = min.as_ref().and_then(f64_of);
                    let hi = max.as_ref().and_then(f64_of);
                    (lo.is_some_and(|m| v < m) || hi.is_some_and(|m| v > m)).then(|| {
                        format!(
                            "{} is out of range (min: {}, max: {})",
                            str_of(value),
                            min.as_ref().map(str_of).unwrap_or("None".into()),
                            max.as_ref().map(str_of).unwrap_or("None".into())
                        )
                    })
                }
                Constraint::Length(min, max) => {
                    let len = match value {
                        Json::String(s) => s.chars().count(),
                        Json::Array(a) => a.len(),
                        Json::Object(o) => o.len(),
                        other => str_of(other).chars().count(),
                    } as f64;
                    let show = |b: &Option<f64>| {
                        b.map(|x| format!("{}", x as i64)).unwrap_or("None".into())
                    };
                    (min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m)).then(|| {
                        format!(
                            "length ({}) is out of range (min: {}, max: {})",
                            len as i64,
                            show(min),
                            show(max)
                        )
                    })
                }
                Constraint::Modulo(step, offset) => {
                    let v = f64_of(value).unwrap_or(f64::NAN);
                    let (s, o) = (f64_of(step).unwrap_or(1.0), f64_of(offset).unwrap_or(0.0));
                    let m = v - s * (v / s).floor();
                    (m != o).then(|| {
                        format!(
                            "{} is not a multiple of {} with an offset of {})",
                            str_of(value),
                            str_of(step),
                            str_of(offset)
                        )
                    })
                }
                Constraint::AllowedValues(allowed) => {
                    let ok = match value {
                        Json::Array(items) => items.iter().all(|i| allowed.iter().any(|a| a == i)),
                        v => allowed.iter().any(|a| self.same_value(a, v)),
                    };
                    let shown = match value {
                        Json::Array(_) => crate::function::python::repr(value),
                        v => str_of(v),
                    };
                    (!ok).then(|| {
                        format!(
                            "\"{shown}\" is not an allowed value [{}]",
                            allowed.iter().map(str_of).collect::<Vec<_>>().join(", ")
                        )
                    })
                }
                Constraint::AllowedPattern(p, re) => {
                    let s = str_of(value);
                    let re = re.get()?;
                    let ok = re
                        .find(&s)
                        .ok()
                        .flatten()
                        .is_some_and(|m| m.end() == s.len());
                    (!ok).then(|| format!("\"{s}\" does not match pattern \"{p}\""))
                }
                Constraint::Custom(_) => {
                    let _ = custom;
                    None
                }
            };
            if let Some(message) = failure {
                return Err(c
                    .description
                    .clone()
                    .filter(|d| !d.is_empty())
                    .unwrap_or(message));
            }
        }
        Ok(())
    }

    fn same_value(&self, allowed: &Json, value: &Json) -> bool {
        match self.kind {
            ParamType::Number => match (f64_of(allowed), f64_of(value)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
            ParamType::Boolean => bool_of(allowed).is_some() && bool_of(allowed) == bool_of(value),
            _ => str_of(allowed) == str_of(value),
        }
    }

    /// The value a raw input (user value or default) gives, by type.
    pub fn convert(&self, raw: &Json) -> Result<Json, String> {
        Ok(match self.kind {
            ParamType::String => Json::String(str_of(raw)),
            ParamType::Number => num_of(raw).ok_or_else(|| format!("could not convert string to float: '{}'", str_of(raw)))?,
            ParamType::Boolean => Json::Bool(bool_of(raw).ok_or_else(|| {
                format!(
                    "Unrecognized value '{}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
                    str_of(raw)
                )
            })?),
            ParamType::List => match raw {
                Json::Array(a) => Json::Array(a.iter().map(|x| Json::String(str_of(x))).collect()),
                Json::String(s) if s.is_empty() => Json::Array(vec![]),
                Json::String(s) => Json::Array(s.split(',').map(|p| Json::String(p.into())).collect()),
                other => {
                    return Err(format!(
                        "Value must be a comma-delimited list string; found {}",
                        crate::function::python::kind_words(other)
                    ))
                }
            },
            ParamType::Json => match raw {
                Json::String(s) if s.is_empty() => raw.clone(),
                Json::String(s) => serde_json::from_str(s).map_err(|e| format!("Value must be valid JSON: {e}"))?,
                other => other.clone(),
            },
        })
    }

    /// The entry the template-validate API shows for this parameter.
    pub fn api_view(&self, default: Option<&Json>, user_value: Option<&Json>, hot: bool) -> Json {
        let mut o = JsonMap::new();
        let type_name = if ParamType::is_aws_type(&self.type_text) {
            self.type_text.as_str()
        } else {
            self.kind.api_name()
        };
        o.insert("Type".into(), json!(type_name));
        o.insert(
            "Description".into(),
            self.description.clone().unwrap_or_else(|| json!("")),
        );
        if let Some(d) = default.or(self.default.as_ref()) {
            o.insert("Default".into(), d.clone());
        }
        if let Some(v) = user_value.filter(|v| truthy(v)) {
            o.insert("Value".into(), v.clone());
        }
        if !self.tags.is_empty() {
            o.insert("Tags".into(), Json::Array(self.tags.clone()));
        }
        let mut descriptions = Vec::new();
        for c in &self.constraints {
            match &c.constraint {
                Constraint::Length(min, max) => {
                    if let Some(m) = min {
                        o.insert("MinLength".into(), json!(*m as i64));
                    }
                    if let Some(m) = max {
                        o.insert("MaxLength".into(), json!(*m as i64));
                    }
                }
                Constraint::Range(min, max) => {
                    if let Some(m) = min {
                        o.insert("MinValue".into(), m.clone());
                    }
                    if let Some(m) = max {
                        o.insert("MaxValue".into(), m.clone());
                    }
                }
                Constraint::Modulo(step, offset) if hot => {
                    o.insert("Step".into(), step.clone());
                    o.insert("Offset".into(), offset.clone());
                }
                Constraint::Modulo(..) => {}
                Constraint::AllowedValues(v) => {
                    o.insert("AllowedValues".into(), Json::Array(v.clone()));
                }
                Constraint::AllowedPattern(p, _) => {
                    o.insert("AllowedPattern".into(), json!(p));
                }
                Constraint::Custom(c) => {
                    o.insert("CustomConstraint".into(), json!(c));
                }
            }
            if let Some(d) = c.description.as_ref().filter(|d| !d.is_empty()) {
                descriptions.push(d.clone());
            }
        }
        if !descriptions.is_empty() {
            o.insert(
                "ConstraintDescription".into(),
                json!(descriptions.join(" ")),
            );
        }
        o.insert(
            "NoEcho".into(),
            json!(if self.hidden { "true" } else { "false" }),
        );
        o.insert(
            "Label".into(),
            self.label.clone().unwrap_or_else(|| json!(self.name)),
        );
        Json::Object(o)
    }
}

fn map_json(node: &Node) -> JsonMap<String, Json> {
    match node.to_json() {
        Json::Object(o) => o,
        _ => JsonMap::new(),
    }
}

fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64() != Some(0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// oslo's `bool_from_string(strict=True)`.
pub fn bool_of(v: &Json) -> Option<bool> {
    if let Json::Bool(b) = v {
        return Some(*b);
    }
    match str_of(v).trim().to_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Some(true),
        "0" | "f" | "false" | "off" | "n" | "no" => Some(false),
        _ => None,
    }
}

fn bounds(kind: &str, v: &Json) -> Result<(Option<Json>, Option<Json>), String> {
    let Json::Object(o) = v else {
        return Err(format!("Invalid {kind} constraint, expected a mapping"));
    };
    for k in o.keys() {
        if k != "min" && k != "max" {
            return Err(format!("Invalid key '{k}' for {kind} constraint"));
        }
    }
    let conv = |k: &str| -> Result<Option<Json>, String> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(x) => num_of(x)
                .map(Some)
                .ok_or_else(|| "min/max must be numeric".to_string()),
        }
    };
    Ok((conv("min")?, conv("max")?))
}

fn hot_constraints(
    dialect: Dialect,
    name: &str,
    node: Option<&Node>,
) -> Result<Vec<ConstraintDef>, String> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(items) = node.as_list() else {
        return Err(format!(
            "Invalid parameter constraints for parameter {name}, expected a list"
        ));
    };
    let modulo = dialect.hot_at_least(HotVersion::V2017_02_24);
    let mut out = Vec::new();
    for item in items {
        let Json::Object(o) = item.to_json() else {
            return Err("Invalid parameter constraints, expected a mapping".into());
        };
        for k in o.keys() {
            if ![
                "description",
                "length",
                "range",
                "modulo",
                "allowed_values",
                "allowed_pattern",
                "custom_constraint",
            ]
            .contains(&k.as_str())
            {
                return Err(format!("Invalid key '{k}' for parameter constraints"));
            }
        }
        let description = o.get("description").filter(|d| !d.is_null()).map(str_of);
        let constraint = if let (true, Some(m)) = (modulo, o.get("modulo")) {
            let Json::Object(mo) = m else {
                return Err("Invalid modulo constraint, expected a mapping".into());
            };
            for k in mo.keys() {
                if k != "step" && k != "offset" {
                    return Err(format!("Invalid key '{k}' for modulo constraint"));
                }
            }
            let (Some(step), Some(offset)) = (
                mo.get("step").and_then(num_of),
                mo.get("offset").and_then(num_of),
            ) else {
                return Err(
                    "A modulo constraint must have a step value and an offset value specified."
                        .into(),
                );
            };
            Constraint::Modulo(step, offset)
        } else if let Some(r) = o.get("range") {
            let (min, max) = bounds("range", r)?;
            if min.is_none() && max.is_none() {
                return Err(
                    "A range constraint must have a min value and/or a max value specified.".into(),
                );
            }
            Constraint::Range(min, max)
        } else if let Some(l) = o.get("length") {
            let (min, max) = bounds("length", l)?;
            if min.is_none() && max.is_none() {
                return Err(
                    "A length constraint must have a min value and/or a max value specified."
                        .into(),
                );
            }
            if [&min, &max]
                .iter()
                .any(|b| b.as_ref().is_some_and(|v| !v.is_i64()))
            {
                return Err("min/max length must be integral".into());
            }
            Constraint::Length(min.and_then(|v| v.as_f64()), max.and_then(|v| v.as_f64()))
        } else if let Some(v) = o.get("allowed_values") {
            let Json::Array(a) = v else {
                return Err("AllowedValues must be a list".into());
            };
            Constraint::AllowedValues(a.clone())
        } else if let Some(p) = o.get("allowed_pattern") {
            let Json::String(p) = p else {
                return Err("AllowedPattern must be a string".into());
            };
            Constraint::AllowedPattern(p.clone(), Pattern::new(p))
        } else if let Some(c) = o.get("custom_constraint") {
            Constraint::Custom(str_of(c))
        } else {
            return Err("No constraint expressed".into());
        };
        out.push(ConstraintDef {
            constraint,
            description,
        });
    }
    Ok(out)
}

fn cfn_constraints(o: &JsonMap<String, Json>) -> Result<Vec<ConstraintDef>, String> {
    let description = o
        .get("ConstraintDescription")
        .filter(|d| !d.is_null())
        .map(str_of);
    let num = |k: &str| -> Result<Option<Json>, String> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => num_of(v)
                .map(Some)
                .ok_or_else(|| format!("could not convert string to float: '{}'", str_of(v))),
        }
    };
    let mut out = Vec::new();
    let mut push = |c| {
        out.push(ConstraintDef {
            constraint: c,
            description: description.clone(),
        })
    };
    if o.contains_key("MinValue") || o.contains_key("MaxValue") {
        push(Constraint::Range(num("MinValue")?, num("MaxValue")?));
    }
    if o.contains_key("MinLength") || o.contains_key("MaxLength") {
        let (min, max) = (num("MinLength")?, num("MaxLength")?);
        push(Constraint::Length(
            min.and_then(|v| v.as_f64()),
            max.and_then(|v| v.as_f64()),
        ));
    }
    if let Some(v) = o.get("AllowedValues") {
        let Json::Array(a) = v else {
            return Err("AllowedValues must be a list".into());
        };
        push(Constraint::AllowedValues(a.clone()));
    }
    if let Some(p) = o.get("AllowedPattern") {
        let Json::String(p) = p else {
            return Err("AllowedPattern must be a string".into());
        };
        push(Constraint::AllowedPattern(p.clone(), Pattern::new(p)));
    }
    Ok(out)
}

/// The pseudo parameters of a dialect and their values for a stack.
pub fn pseudo_parameters(
    dialect: Dialect,
    stack_name: &str,
    stack_id: &str,
    tenant: &str,
    region: &str,
) -> Vec<(&'static str, Json)> {
    let arn = format!("arn:openstack:heat::{tenant}:stacks/{stack_name}/{stack_id}");
    if dialect.is_hot() {
        vec![
            ("OS::stack_name", json!(stack_name)),
            ("OS::stack_id", json!(stack_id)),
            ("OS::project_id", json!(tenant)),
        ]
    } else {
        vec![
            ("AWS::StackId", json!(arn)),
            ("AWS::StackName", json!(stack_name)),
            ("AWS::Region", json!(region)),
            ("AWS::AccountId", json!(tenant)),
            ("AWS::Partition", json!("openstack")),
            ("AWS::URLSuffix", json!("openstack.local")),
        ]
    }
}
