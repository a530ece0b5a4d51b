//! [`Template`]: a template document read, its version detected and its
//! top-level sections checked, as Heat reads it.

mod error;

pub use error::{ErrorKind, TemplateError};

use crate::syntax::{parse_document, Format, Limits, Map, Node, Value};
use crate::version::{Dialect, HOT_VERSIONS};

/// Heat's default `max_template_size`, in bytes.
pub const MAX_TEMPLATE_SIZE: usize = 524_288;

/// A template read from a file or a string.
#[derive(Debug, Clone)]
pub struct Template {
    /// The dialect and version.
    pub dialect: Dialect,
    /// The version value as written (`2016-10-14`, `newton`).
    pub version_value: String,
    /// JSON or YAML.
    pub format: Format,
    /// The document.
    pub root: Map,
}

impl Template {
    /// Reads a template: size limit, syntax, mapping, version key.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        Self::parse_with(text, MAX_TEMPLATE_SIZE)
    }

    /// Reads a template with a given size limit.
    pub fn parse_with(text: &str, max_size: usize) -> Result<Template, TemplateError> {
        if text.len() > max_size {
            return Err(TemplateError::new(
                ErrorKind::Limit,
                format!(
                    "Request limit exceeded: Template size ({} bytes) exceeds maximum allowed size ({max_size} bytes).",
                    text.len()
                ),
            ));
        }
        let (format, node) = parse_document(text, Limits::default()).map_err(|e| {
            TemplateError::new(
                ErrorKind::Syntax,
                format!("Error parsing template: {}", e.message),
            )
            .at("", e.line)
        })?;
        let node = node.unwrap_or_else(|| Node::new(Value::Map(Map::new())));
        let Value::Map(root) = node.value else {
            return Err(TemplateError::new(
                ErrorKind::Syntax,
                "The template is not a JSON object or YAML mapping.",
            ));
        };
        Self::from_map(root, format)
    }

    /// Detects the version of an already-read document.
    pub fn from_map(root: Map, format: Format) -> Result<Template, TemplateError> {
        const KEYS: [&str; 3] = [
            "HeatTemplateFormatVersion",
            "heat_template_version",
            "AWSTemplateFormatVersion",
        ];
        if !KEYS.iter().any(|k| root.contains_key(k)) {
            return Err(TemplateError::new(
                ErrorKind::Version,
                "Template format version not found.",
            ));
        }
        let present: Vec<(&str, &Node)> = KEYS
            .iter()
            .filter_map(|k| {
                root.get(k)
                    .filter(|v| v.as_str().is_some())
                    .map(|v| (*k, v))
            })
            .collect();
        let (key, node) = match present.as_slice() {
            [] => {
                return Err(TemplateError::new(
                    ErrorKind::Version,
                    "The template version is invalid: Template version was not provided",
                ))
            }
            [one] => *one,
            many => {
                let names: Vec<&str> = many.iter().map(|(k, _)| *k).collect();
                return Err(TemplateError::new(
                    ErrorKind::Version,
                    format!(
                        "The template version is invalid: Ambiguous versions ({})",
                        names.join(", ")
                    ),
                ));
            }
        };
        let value = node.as_str().expect("filtered to strings").to_string();
        let dialect = match key {
            "heat_template_version" => HOT_VERSIONS
                .iter()
                .find(|(v, _)| *v == value)
                .map(|(_, h)| Dialect::Hot(*h)),
            "AWSTemplateFormatVersion" => (value == "2010-09-09").then_some(Dialect::Cfn),
            _ => (value == "2012-12-12").then_some(Dialect::Heat),
        };
        let Some(dialect) = dialect else {
            let expected = match key {
                "heat_template_version" => {
                    let mut all: Vec<&str> = HOT_VERSIONS.iter().map(|(v, _)| *v).collect();
                    all.sort();
                    format!("should be one of: {}", all.join(", "))
                }
                "AWSTemplateFormatVersion" => "should be: 2010-09-09".to_string(),
                _ => "should be: 2012-12-12".to_string(),
            };
            return Err(TemplateError::new(
                ErrorKind::Version,
                format!(
                    "The template version is invalid: \"{key}: {value}\". \"{key}\" {expected}"
                ),
            )
            .at(key, node.line));
        };
        Ok(Template {
            dialect,
            version_value: value,
            format,
            root,
        })
    }

    /// The name of a section in this dialect (`resources` / `Resources`).
    pub fn section_name(&self, hot_name: &'static str) -> &'static str {
        if self.dialect.is_hot() {
            return hot_name;
        }
        match hot_name {
            "description" => "Description",
            "parameters" => "Parameters",
            "resources" => "Resources",
            "outputs" => "Outputs",
            "conditions" => "Conditions",
            "mappings" => "Mappings",
            other => other,
        }
    }

    /// A section's node, `None` when absent.
    pub fn section(&self, hot_name: &'static str) -> Option<&Node> {
        self.root.get(self.section_name(hot_name))
    }

    /// A section as a map; absent, empty or null sections are empty.
    pub fn section_map(&self, hot_name: &'static str) -> Map {
        self.section(hot_name)
            .and_then(Node::as_map)
            .cloned()
            .unwrap_or_default()
    }

    /// The top-level keys this dialect accepts.
    pub fn valid_sections(&self) -> &'static [&'static str] {
        match self.dialect {
            Dialect::Hot(v) if v.has_conditions() => &[
                "heat_template_version",
                "description",
                "parameter_groups",
                "parameters",
                "resources",
                "outputs",
                "__undefined__",
                "conditions",
            ],
            Dialect::Hot(_) => &[
                "heat_template_version",
                "description",
                "parameter_groups",
                "parameters",
                "resources",
                "outputs",
                "__undefined__",
            ],
            // `Metadata` goes beyond Heat, for templates written for AWS.
            Dialect::Cfn => &[
                "AWSTemplateFormatVersion",
                "HeatTemplateFormatVersion",
                "Description",
                "Mappings",
                "Parameters",
                "Resources",
                "Outputs",
                "Conditions",
                "Metadata",
            ],
            Dialect::Heat => &[
                "AWSTemplateFormatVersion",
                "HeatTemplateFormatVersion",
                "Description",
                "Mappings",
                "Parameters",
                "Resources",
                "Outputs",
            ],
        }
    }

    /// The description (`No description` when absent or empty).
    pub fn description(&self) -> String {
        match self.section("description").map(Node::to_json) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s,
            Some(serde_json::Value::Null) | None => "No description".into(),
            Some(other) => crate::function::python::str_of(&other),
        }
    }
}
