//! Property and attribute schemas of resource types, and the validation of
//! resolved properties with Heat's messages.

use serde_json::{json, Value as Json};

/// A property's type (Heat's `properties.Schema` types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string (numbers are accepted and shown as strings, as in Heat).
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean (also `"true"`/`"false"`).
    Boolean,
    /// A list.
    List,
    /// A map.
    Map,
    /// Anything.
    Any,
}

/// A constraint on a property's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// One of these values.
    AllowedValues(Vec<Json>),
    /// Numeric range (inclusive).
    Range(Option<f64>, Option<f64>),
    /// Length range (inclusive).
    Length(Option<usize>, Option<usize>),
    /// A custom constraint checked against the cloud (`nova.flavor`).
    Custom(&'static str),
}

/// A property of a resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Name.
    pub name: &'static str,
    /// Type.
    pub kind: Kind,
    /// Required.
    pub required: bool,
    /// Default value.
    pub default: Option<Json>,
    /// Changeable in place.
    pub update_allowed: bool,
    /// Never changeable.
    pub immutable: bool,
    /// Constraints.
    pub rules: Vec<Rule>,
    /// For maps: the schema of their keys; for lists: of their items' keys.
    pub schema: Vec<Property>,
    /// For lists of scalars: the item type.
    pub item: Option<Kind>,
    /// Description.
    pub description: &'static str,
    /// Whether Heat implements it (a template that gives one Heat does
    /// not is refused: "Property X not implemented yet").
    pub implemented: bool,
}

/// Starts a property declaration.
pub fn prop(name: &'static str, kind: Kind) -> Property {
    Property {
        name,
        kind,
        required: false,
        default: None,
        update_allowed: false,
        immutable: false,
        rules: Vec::new(),
        schema: Vec::new(),
        item: None,
        description: "",
        implemented: true,
    }
}

impl Property {
    /// Required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Update allowed.
    pub fn update(mut self) -> Self {
        self.update_allowed = true;
        self
    }
    /// Immutable.
    pub fn immutable(mut self) -> Self {
        self.immutable = true;
        self
    }
    /// Default value.
    pub fn default(mut self, v: Json) -> Self {
        self.default = Some(v);
        self
    }
    /// Allowed values.
    pub fn allowed(mut self, values: &[&str]) -> Self {
        self.rules.push(Rule::AllowedValues(
            values.iter().map(|v| json!(v)).collect(),
        ));
        self
    }
    /// A numeric range.
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.rules.push(Rule::Range(min, max));
        self
    }
    /// A length range.
    pub fn length(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.rules.push(Rule::Length(min, max));
        self
    }
    /// A custom constraint.
    pub fn custom(mut self, name: &'static str) -> Self {
        self.rules.push(Rule::Custom(name));
        self
    }
    /// Sub-schema (keys of a map, or of each map in a list).
    pub fn schema(mut self, schema: Vec<Property>) -> Self {
        self.schema = schema;
        self
    }
    /// Item type of a list.
    pub fn of(mut self, item: Kind) -> Self {
        self.item = Some(item);
        self
    }
    /// Declared by Heat but not implemented: refused when given.
    pub fn unimplemented(mut self) -> Self {
        self.implemented = false;
        self
    }
    /// Description.
    pub fn describe(mut self, d: &'static str) -> Self {
        self.description = d;
        self
    }
}

/// An attribute of a resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
}

/// Declares attributes by name and description.
pub fn attrs(list: &[(&'static str, &'static str)]) -> Vec<Attribute> {
    list.iter()
        .map(|(name, description)| Attribute { name, description })
        .collect()
}

/// A resource type: its schema and how it is realised.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// Name (`OS::Nova::Server`).
    pub name: &'static str,
    /// Properties.
    pub properties: Vec<Property>,
    /// Attributes (besides `show`).
    pub attributes: Vec<Attribute>,
    /// What it is in the cloud, `None` for types that need no cloud.
    pub cloud_kind: Option<crate::cloud::ObjectKind>,
    /// Description.
    pub description: &'static str,
}

fn type_error(kind: Kind, v: &Json) -> String {
    let shown = crate::schema::shown(v);
    match kind {
        Kind::String => format!("Value must be a string; got {shown}"),
        Kind::Integer => format!("Value '{shown}' is not an integer"),
        Kind::Number => format!("Value '{shown}' is not a number"),
        Kind::Boolean => format!("Value '{shown}' is not a boolean"),
        Kind::List => format!("Value must be a list; got {shown}"),
        Kind::Map => format!("Value must be a map; got {shown}"),
        Kind::Any => String::new(),
    }
}

pub(crate) fn shown(v: &Json) -> String {
    heat_core::function::python::str_of(v)
}

/// Checks a value against a kind (Heat converts strings to numbers and
/// booleans where it can).
fn kind_ok(kind: Kind, v: &Json) -> bool {
    match (kind, v) {
        (_, Json::Null) | (Kind::Any, _) => true,
        (Kind::String, Json::String(_) | Json::Number(_) | Json::Bool(_)) => true,
        (Kind::Integer, Json::Number(n)) => {
            n.is_i64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (Kind::Integer, Json::String(s)) => s.trim().parse::<i64>().is_ok(),
        (Kind::Number, Json::Number(_)) => true,
        (Kind::Number, Json::String(s)) => s.trim().parse::<f64>().is_ok(),
        (Kind::Boolean, Json::Bool(_)) => true,
        (Kind::Boolean, Json::String(s)) => {
            heat_core::parameters::bool_of(&Json::String(s.clone())).is_some()
        }
        (Kind::List, Json::Array(_)) => true,
        (Kind::List, Json::String(_)) => true,
        (Kind::Map, Json::Object(_)) => true,
        _ => false,
    }
}

/// Validates properties against a schema; returns `(path, message)` pairs
/// with Heat's messages (`Unknown Property x`, `Property x not assigned`).
pub fn check(schema: &[Property], props: &Json) -> Vec<(String, String)> {
    let mut out = Vec::new();
    check_into(schema, props, "", &mut out);
    out
}

/// The values custom constraints cover in properties (nested ones
/// included), as `(path, constraint, value)`: a string, or each string of
/// a list.
pub fn custom_values(schema: &[Property], props: &Json) -> Vec<(String, &'static str, Json)> {
    let mut out = Vec::new();
    custom_into(schema, props, "", &mut out);
    out
}

fn custom_into(
    schema: &[Property],
    props: &Json,
    path: &str,
    out: &mut Vec<(String, &'static str, Json)>,
) {
    let Json::Object(map) = props else {
        return;
    };
    for p in schema {
        let Some(value) = map.get(p.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let sub = if path.is_empty() {
            p.name.to_string()
        } else {
            format!("{path}.{}", p.name)
        };
        for rule in &p.rules {
            let Rule::Custom(name) = rule else { continue };
            match value {
                Json::String(_) => out.push((sub.clone(), *name, value.clone())),
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate().filter(|(_, v)| v.is_string()) {
                        out.push((format!("{sub}[{i}]"), *name, item.clone()));
                    }
                }
                _ => {}
            }
        }
        if !p.schema.is_empty() {
            match value {
                Json::Object(_) => custom_into(&p.schema, value, &sub, out),
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        custom_into(&p.schema, item, &format!("{sub}[{i}]"), out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn check_into(schema: &[Property], props: &Json, path: &str, out: &mut Vec<(String, String)>) {
    let empty = serde_json::Map::new();
    let map = match props {
        Json::Object(o) => o,
        Json::Null => &empty,
        other => {
            out.push((
                path.to_string(),
                format!("Value must be a map; got {}", shown(other)),
            ));
            return;
        }
    };
    for key in map.keys() {
        if !schema.iter().any(|p| p.name == key) {
            let hint = heat_core::suggest::did_you_mean(key, schema.iter().map(|p| p.name));
            out.push((path.to_string(), format!("Unknown Property {key}{hint}")));
        }
    }
    for p in schema {
        let sub = if path.is_empty() {
            p.name.to_string()
        } else {
            format!("{path}.{}", p.name)
        };
        let value = map.get(p.name).filter(|v| !v.is_null());
        let Some(value) = value else {
            if p.required && p.default.is_none() {
                out.push((
                    path.to_string(),
                    format!("Property {} not assigned", p.name),
                ));
            }
            continue;
        };
        if !kind_ok(p.kind, value) {
            out.push((sub, type_error(p.kind, value)));
            continue;
        }
        for rule in &p.rules {
            if let Some(m) = rule_failure(rule, value) {
                out.push((sub.clone(), m));
            }
        }
        if !p.schema.is_empty() {
            match value {
                Json::Object(_) => check_into(&p.schema, value, &sub, out),
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check_into(&p.schema, item, &format!("{sub}[{i}]"), out);
                    }
                }
                _ => {}
            }
        } else if let (Some(item), Json::Array(items)) = (p.item, value) {
            for (i, v) in items.iter().enumerate() {
                if !kind_ok(item, v) {
                    out.push((format!("{sub}[{i}]"), type_error(item, v)));
                }
            }
        }
    }
}

fn rule_failure(rule: &Rule, value: &Json) -> Option<String> {
    match rule {
        // A list's items must each be allowed (Heat's AllowedValues).
        Rule::AllowedValues(allowed) if value.is_array() => value
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|item| rule_failure(rule, item)),
        Rule::AllowedValues(allowed) => {
            let s = shown(value);
            (!allowed.iter().any(|a| shown(a) == s)).then(|| {
                format!(
                    "\"{s}\" is not an allowed value [{}]",
                    allowed.iter().map(shown).collect::<Vec<_>>().join(", ")
                )
            })
        }
        Rule::Range(min, max) => {
            let v = value
                .as_f64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))?;
            let show = |b: &Option<f64>| b.map(|x| format!("{x}")).unwrap_or_else(|| "None".into());
            (min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m)).then(|| {
                format!(
                    "{} is out of range (min: {}, max: {})",
                    shown(value),
                    show(min),
                    show(max)
                )
            })
        }
        Rule::Length(min, max) => {
            let len = match value {
                Json::String(s) => s.chars().count(),
                Json::Array(a) => a.len(),
                Json::Object(o) => o.len(),
                _ => return None,
            };
            let show =
                |b: &Option<usize>| b.map(|x| x.to_string()).unwrap_or_else(|| "None".into());
            (min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m)).then(|| {
                format!(
                    "length ({len}) is out of range (min: {}, max: {})",
                    show(min),
                    show(max)
                )
            })
        }
        Rule::Custom(_) => None,
    }
}

/// Fills defaults into resolved properties.
pub fn with_defaults(schema: &[Property], props: &Json) -> Json {
    let mut out = props.as_object().cloned().unwrap_or_default();
    for p in schema {
        if out.get(p.name).is_none_or(Json::is_null) {
            if let Some(d) = &p.default {
                out.insert(p.name.to_string(), d.clone());
            }
        }
    }
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_messages_for_bad_properties() {
        let schema = vec![
            prop("flavor", Kind::String).required(),
            prop("size", Kind::Integer).range(Some(1.0), None),
            prop("mode", Kind::String).allowed(&["a", "b"]),
            prop("networks", Kind::List).schema(vec![prop("port", Kind::String)]),
        ];
        let errs = check(
            &schema,
            &json!({"size": 0, "mode": "c", "bogus": 1, "networks": [{"prot": "x"}]}),
        );
        let msgs: Vec<String> = errs.iter().map(|(p, m)| format!("{p}: {m}")).collect();
        assert!(
            msgs.contains(&": Unknown Property bogus".to_string()),
            "{msgs:?}"
        );
        assert!(
            msgs.contains(&": Property flavor not assigned".to_string()),
            "{msgs:?}"
        );
        assert!(
            msgs.contains(&"size: 0 is out of range (min: 1, max: None)".to_string()),
            "{msgs:?}"
        );
        assert!(
            msgs.contains(&"mode: \"c\" is not an allowed value [a, b]".to_string()),
            "{msgs:?}"
        );
        assert!(
            msgs.contains(
                &"networks[0]: Unknown Property prot (did you mean \"port\"?)".to_string()
            ),
            "{msgs:?}"
        );
        assert!(check(&schema, &json!({"flavor": "m1.small", "size": "3"})).is_empty());
    }
}
