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

use super::{DocumentKind, Engine, ResourceSpec, StackRecord};
#[cfg(doc)]
use crate::definition::TypeCatalog;

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
                    *v = as_text(&config);
                }
            }
        }
        out
    }

    /// The content of the project's software config `id`, if there is one.
    async fn software_config(&self, stack: &StackRecord, id: &str) -> Option<Json> {
        let store = self.store();
        if let Ok(docs) = store
            .documents(DocumentKind::SoftwareConfig, Some(&stack.project))
            .await
        {
            if let Some(d) = docs.into_iter().find(|d| d.id == id) {
                return d.data.get("config").cloned();
            }
        }
        let in_stack = |stack_id: String| async move {
            store
                .resources(&stack_id)
                .await
                .ok()?
                .into_iter()
                .find(|r| r.current && r.physical_id.as_deref() == Some(id))
                .and_then(|r| r.attributes.get("config").cloned())
        };
        // The stack and those above it, then the rest of the project.
        let mut seen = Vec::new();
        let mut at = Some(stack.clone());
        while let Some(s) = at {
            if let Some(c) = in_stack(s.id.clone()).await {
                return Some(c);
            }
            seen.push(s.id.clone());
            at = match &s.parent {
                Some((parent, _)) => store.stack(parent).await.ok().flatten(),
                None => None,
            };
        }
        for s in store.stacks(Some(&stack.project)).await.ok()? {
            if !seen.contains(&s.id) {
                if let Some(c) = in_stack(s.id).await {
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
