//! The [`Resolver`] of a stack not yet created: parameters, conditions,
//! mappings and files known; resources by name only.

use serde_json::Value as Json;

use crate::function::{self, FnError, Resolver};
use crate::syntax::Node;

use super::*;

impl Resolver for StackDefinition<'_> {
    fn parameter(&self, name: &str) -> Result<Json, String> {
        match self.values.get(name) {
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(m)) => Err(m.clone()),
            None => Err(format!(
                "The Parameter ({name}) was not provided.{}",
                crate::suggest::did_you_mean(name, self.values.keys().map(String::as_str))
            )),
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
        let external = self
            .resources
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.external_id.clone());
        Json::String(external.unwrap_or_else(|| name.to_string()))
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
        crate::files::find(key, |k| self.inputs.files.get(k).cloned())
    }

    fn availability_zones(&self) -> Vec<String> {
        self.inputs.availability_zones.clone()
    }

    fn has_condition(&self, name: &str) -> bool {
        self.conditions.contains_key(name)
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

    fn facade(&self, what: &str) -> Result<Json, String> {
        match &self.inputs.facade {
            Some(f) => Ok(f.get(what).cloned().unwrap_or(Json::Null)),
            None => Err(crate::function::NO_FACADE.into()),
        }
    }

    fn region(&self) -> String {
        self.inputs.region.clone()
    }

    fn export(&self, name: &str) -> Option<Json> {
        self.inputs.exports.get(name).cloned()
    }
}
