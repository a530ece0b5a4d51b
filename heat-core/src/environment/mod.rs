//! Environments: `parameters`, `parameter_defaults`, the `resource_registry`
//! (aliases, provider templates, globs, per-resource entries with hooks and
//! restricted actions), `event_sinks` and `parameter_merge_strategies`;
//! several files merged in order as Heat merges them.

mod merge;
mod registry;

pub use merge::{merge_parameters, MergeError};
pub use registry::{
    Hook, Registry, RegistryError, TypeTarget, BUILTIN_TEMPLATES, GLOBAL_ALIASES, HOOK_TYPES,
};

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
    /// The resource registry.
    pub registry: Registry,
    /// Event sinks.
    pub event_sinks: Vec<Json>,
    /// Parameters whose values are stored encrypted.
    pub encrypted_param_names: Vec<Json>,
    /// Merge strategies of this file (`default` and per parameter).
    pub merge_strategies: JsonMap<String, Json>,
}

fn env_error(message: impl Into<String>, path: &str, line: u32) -> TemplateError {
    TemplateError::new(ErrorKind::Environment, message).at(path, line)
}

impl Environment {
    /// Reads one environment document, checking its sections and registry.
    pub fn parse(text: &str) -> Result<Environment, TemplateError> {
        let (_, node) = parse_document(text, Limits::default()).map_err(|e| {
            env_error(
                format!("Error parsing environment: {}", e.message),
                "",
                e.line,
            )
        })?;
        let Some(node) = node else {
            return Ok(Environment::default());
        };
        let Some(map) = node.as_map() else {
            return Err(env_error(
                "The environment is not a valid YAML mapping data type.",
                "",
                node.line,
            ));
        };
        for (key, value) in map.iter() {
            if !SECTIONS.contains(&key.as_str()) {
                return Err(env_error(
                    format!("environment has wrong section \"{key}\""),
                    key,
                    value.line,
                ));
            }
            if value.is_null() {
                return Err(env_error(
                    format!("environment has empty section \"{key}\""),
                    key,
                    value.line,
                ));
            }
        }
        let section = |k: &str| -> Result<JsonMap<String, Json>, TemplateError> {
            match map.get(k).map(|n| (n.to_json(), n.line)) {
                None => Ok(JsonMap::new()),
                Some((Json::Object(o), _)) => Ok(o),
                Some((_, line)) => Err(env_error(
                    format!("environment section \"{k}\" must be a map"),
                    k,
                    line,
                )),
            }
        };
        let list = |k: &str| -> Result<Vec<Json>, TemplateError> {
            match map.get(k).map(|n| (n.to_json(), n.line)) {
                None => Ok(Vec::new()),
                Some((Json::Array(a), _)) => Ok(a),
                Some((_, line)) => Err(env_error(
                    format!("environment section \"{k}\" must be a list"),
                    k,
                    line,
                )),
            }
        };
        let mut registry = Registry::default();
        let reg = section("resource_registry")?;
        registry.load(&reg).map_err(|e| {
            let line = map.get("resource_registry").map_or(0, |n| n.line);
            env_error(
                e.to_string(),
                &format!("resource_registry.{}", e.path),
                line,
            )
        })?;
        Ok(Environment {
            parameters: section("parameters")?,
            parameter_defaults: section("parameter_defaults")?,
            registry,
            event_sinks: list("event_sinks")?,
            encrypted_param_names: list("encrypted_param_names")?,
            merge_strategies: section("parameter_merge_strategies")?,
        })
    }

    /// Merges a later file over this environment with Heat's rules:
    /// parameters and parameter_defaults by merge strategy (`types` gives
    /// each known parameter's type), the registry by path.
    pub fn merge(
        &mut self,
        later: Environment,
        file: &str,
        types: &dyn Fn(&str) -> Option<crate::parameters::ParamType>,
    ) -> Result<(), MergeError> {
        let mut recorded = std::mem::take(&mut self.merge_strategies);
        self.parameters = merge_parameters(
            std::mem::take(&mut self.parameters),
            later.parameters,
            types,
            &later.merge_strategies,
            &mut recorded,
            file,
        )?;
        self.parameter_defaults = merge_parameters(
            std::mem::take(&mut self.parameter_defaults),
            later.parameter_defaults,
            types,
            &later.merge_strategies,
            &mut recorded,
            file,
        )?;
        self.merge_strategies = recorded;
        self.registry.merge(later.registry);
        self.event_sinks.extend(later.event_sinks);
        self.encrypted_param_names
            .extend(later.encrypted_param_names);
        Ok(())
    }

    /// The environment as Heat's validate API shows it.
    pub fn to_json(&self) -> Json {
        serde_json::json!({
            "parameters": self.parameters,
            "parameter_defaults": self.parameter_defaults,
            "resource_registry": self.registry.to_json(),
            "event_sinks": self.event_sinks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_and_empty_sections_are_refused() {
        let e = Environment::parse("paramters: {a: 1}\n").unwrap_err();
        assert_eq!(e.message, "environment has wrong section \"paramters\"");
        let e = Environment::parse("parameters:\n").unwrap_err();
        assert_eq!(e.message, "environment has empty section \"parameters\"");
        let e = Environment::parse("[1, 2]\n").unwrap_err();
        assert_eq!(
            e.message,
            "The environment is not a valid YAML mapping data type."
        );
    }
}
