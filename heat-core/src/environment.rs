//! Environments: `parameters`, `parameter_defaults`, `resource_registry`
//! and the other sections, read from files and merged in order.

use serde_json::{Map as JsonMap, Value as Json};

use crate::syntax::{parse_document, Limits};
use crate::template::{ErrorKind, TemplateError};

/// The sections an environment file may have.
pub const SECTIONS: [&str; 6] = [
    "parameters",
    "parameter_defaults",
    "resource_registry",
    "event_sinks",
    "encrypted_param_names",
    "parameter_merge_strategies",
];

/// A merged environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    /// User parameter values.
    pub parameters: JsonMap<String, Json>,
    /// Defaults for parameters of this and nested templates.
    pub parameter_defaults: JsonMap<String, Json>,
    /// Global type mappings (`OS::X: OS::Y`, `My::Type: file.yaml`).
    pub resource_registry: JsonMap<String, Json>,
    /// Event sinks.
    pub event_sinks: Vec<Json>,
}

impl Environment {
    /// Reads one environment document.
    pub fn parse(text: &str) -> Result<Environment, TemplateError> {
        let (_, node) = parse_document(text, Limits::default()).map_err(|e| {
            TemplateError::new(
                ErrorKind::Environment,
                format!("Error parsing environment: {}", e.message),
            )
            .at("", e.line)
        })?;
        let json = node
            .map(|n| n.to_json())
            .unwrap_or(Json::Object(JsonMap::new()));
        let Json::Object(o) = json else {
            return Err(TemplateError::new(
                ErrorKind::Environment,
                "The environment is not a valid YAML mapping data type.",
            ));
        };
        for key in o.keys() {
            if !SECTIONS.contains(&key.as_str()) {
                return Err(TemplateError::new(
                    ErrorKind::Environment,
                    format!("environment has wrong section \"{key}\""),
                )
                .at(key.clone(), 0));
            }
        }
        let map = |k: &str| match o.get(k) {
            Some(Json::Object(m)) => m.clone(),
            _ => JsonMap::new(),
        };
        Ok(Environment {
            parameters: map("parameters"),
            parameter_defaults: map("parameter_defaults"),
            resource_registry: map("resource_registry"),
            event_sinks: o
                .get("event_sinks")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default(),
        })
    }

    /// Merges a later environment over this one (later files win).
    pub fn merge(&mut self, later: Environment) {
        self.parameters.extend(later.parameters);
        self.parameter_defaults.extend(later.parameter_defaults);
        self.resource_registry.extend(later.resource_registry);
        self.event_sinks.extend(later.event_sinks);
    }

    /// The type mappings of the registry (`from` type to `to` type or file).
    pub fn type_aliases(&self) -> std::collections::HashMap<String, String> {
        self.resource_registry
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect()
    }
}
