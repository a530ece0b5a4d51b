//! Software configs named by id where a type takes a config's content (a
//! server's `user_data` in the RAW and SOFTWARE_CONFIG formats, a
//! MultipartMime's parts): the driver sees the content, as Heat's
//! `get_software_config` gives it to Nova. The catalog says where
//! ([`TypeCatalog::software_config_slots`]); an id that names no config
//! is left as it is (Heat's `NotFound` is ignored there too).
//!
//! A config is found among the project's software configs (the API's) and
//! the `config` attribute of the project's config resources: first the
//! resource's own stack and the stacks above it, then the whole project.

use std::borrow::Cow;

use serde_json::Value as Json;

use serde::{Deserialize, Serialize};
use serde_json::Map as JsonMap;

use super::{DocumentKind, Engine, ResourceRecord, ResourceSpec, StackRecord};
#[cfg(doc)]
use crate::definition::TypeCatalog;

/// A software config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SoftwareConfig {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The tool that applies it (`script`, `Heat::Ungrouped`, ...).
    pub group: String,
    /// The config itself.
    pub config: Json,
    /// Declared inputs.
    pub inputs: Vec<Json>,
    /// Declared outputs.
    pub outputs: Vec<Json>,
    /// Options for the tool.
    pub options: JsonMap<String, Json>,
    /// When it was made, seconds since the epoch.
    pub created_at: f64,
}

/// A software deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SoftwareDeployment {
    /// Id.
    pub id: String,
    /// The config deployed.
    pub config_id: String,
    /// The server it is deployed to.
    pub server_id: String,
    /// Values of the config's inputs.
    pub input_values: JsonMap<String, Json>,
    /// Outputs the server reported.
    pub output_values: JsonMap<String, Json>,
    /// `CREATE`, `UPDATE`, ...
    pub action: String,
    /// `IN_PROGRESS`, `COMPLETE`, `FAILED`.
    pub status: String,
    /// Why.
    pub status_reason: String,
    /// When it was made, seconds since the epoch.
    pub created_at: f64,
    /// When it last changed.
    pub updated_at: Option<f64>,
    /// A template's deployment: the stack and resource that made it (not
    /// shown by the API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<(String, String)>,
    /// A template's deployment: the actions it is run for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
}

impl SoftwareConfig {
    /// As Heat's API shows it (`format_software_config`); `detail` adds
    /// the content, inputs, outputs and options (what a server's
    /// `deployments` metadata holds).
    pub fn view(&self, detail: bool) -> Json {
        let mut v = serde_json::json!({
            "id": self.id,
            "name": self.name,
            "group": self.group,
            "creation_time": crate::service::heat_time(self.created_at),
        });
        if detail {
            v["config"] = self.config.clone();
            v["inputs"] = Json::from(self.inputs.clone());
            v["outputs"] = Json::from(self.outputs.clone());
            v["options"] = Json::Object(self.options.clone());
        }
        v
    }

    /// The config a template's config resource made (`OS::Heat::SoftwareConfig`,
    /// `StructuredConfig`, `CloudConfig`, `MultipartMime`: a resource with a
    /// `config` attribute), named after its stack and resource.
    pub fn of_resource(stack_name: &str, r: &ResourceRecord) -> SoftwareConfig {
        let p = &r.properties;
        let list = |k: &str| {
            p.get(k)
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        };
        SoftwareConfig {
            id: r.physical_id.clone().unwrap_or_default(),
            name: format!("{stack_name}-{}", r.name),
            group: match p.get("group").and_then(Json::as_str) {
                Some(g) => g.to_string(),
                None if r.type_name == "OS::Heat::SoftwareComponent" => "component".into(),
                None => "Heat::Ungrouped".into(),
            },
            config: r.attributes.get("config").cloned().unwrap_or(Json::Null),
            inputs: list("inputs"),
            outputs: list("outputs"),
            options: p
                .get("options")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default(),
            created_at: r.created_at,
        }
    }
}

/// Whether a value looks like a UUID (Heat's `uuidutils.is_uuid_like`:
/// with or without dashes).
fn is_uuid_like(s: &str) -> bool {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    let dashed = s.len() == 36
        && s.char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'));
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) && (dashed || s.len() == 32)
}

/// A config's content as a part of user data (text as it is, anything
/// else as JSON).
fn as_text(config: &Json) -> Json {
    match config {
        Json::String(_) => config.clone(),
        other => Json::String(other.to_string()),
    }
}

impl Engine {
    /// The spec the driver sees: software config ids in the type's config
    /// slots replaced by the configs' content.
    pub(super) async fn with_software_configs<'s>(
        &self,
        stack: &StackRecord,
        spec: &'s ResourceSpec,
    ) -> Cow<'s, ResourceSpec> {
        let slots = self
            .catalog
            .software_config_slots(&spec.type_name, &spec.properties);
        let mut out = Cow::Borrowed(spec);
        for slot in slots {
            let Some(id) = spec
                .properties
                .pointer(&slot)
                .and_then(Json::as_str)
                .filter(|s| is_uuid_like(s))
            else {
                continue;
            };
            if let Some(config) = self.software_config(stack, id).await {
                if let Some(v) = out.to_mut().properties.pointer_mut(&slot) {
                    *v = as_text(&config.config);
                }
            }
        }
        out
    }

    /// The project's software config `id` (one of the API's, or one a
    /// config resource made), if there is one.
    pub(super) async fn software_config(
        &self,
        stack: &StackRecord,
        id: &str,
    ) -> Option<SoftwareConfig> {
        let store = self.store();
        if let Ok(Some(d)) = store
            .document(DocumentKind::SoftwareConfig, &stack.project, id)
            .await
        {
            return serde_json::from_value(d.data).ok();
        }
        let in_stack = |s: StackRecord| async move {
            store
                .resources(&s.id)
                .await
                .ok()?
                .into_iter()
                .find(|r| {
                    r.current
                        && r.physical_id.as_deref() == Some(id)
                        && r.attributes.contains_key("config")
                })
                .map(|r| SoftwareConfig::of_resource(&s.name, &r))
        };
        // The stack and those above it, then the rest of the project.
        let mut seen = Vec::new();
        let mut at = Some(stack.clone());
        while let Some(s) = at {
            seen.push(s.id.clone());
            let parent = s.parent.clone();
            if let Some(c) = in_stack(s).await {
                return Some(c);
            }
            at = match parent {
                Some((parent, _)) => store.stack(&parent).await.ok().flatten(),
                None => None,
            };
        }
        for s in store.stacks(Some(&stack.project)).await.ok()? {
            if !seen.contains(&s.id) {
                if let Some(c) = in_stack(s).await {
                    return Some(c);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::is_uuid_like;

    #[test]
    fn uuid_like_values_are_those_heat_looks_up() {
        assert!(is_uuid_like("da5b940a-14ff-4884-8e95-5cf6a3a1028f"));
        assert!(is_uuid_like("da5b940a14ff48848e955cf6a3a1028f"));
        assert!(!is_uuid_like("#!/bin/sh\necho hi"));
        assert!(!is_uuid_like("da5b940a-14ff-4884-8e95-5cf6a3a1028"));
        assert!(!is_uuid_like("da5b940a-14ff-4884-8e95-5cf6a3a1028g"));
        assert!(!is_uuid_like("da5b940a14ff-4884-8e95-5cf6a3a1028fa"));
    }
}
