//! [`Live`]: a stack's definition bound to its resource records while an
//! operation runs; the [`Resolver`] that gives functions the real physical
//! ids and attributes.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value as Json;

use super::model::{Action, ResourceRecord, Status};
use crate::definition::StackDefinition;
use crate::function::{FnError, Resolver};

/// The definition and the records of a stack during an operation.
pub struct Live<'d, 't> {
    /// The target definition.
    pub def: &'d StackDefinition<'t>,
    /// Current records by name.
    pub records: Mutex<HashMap<String, ResourceRecord>>,
}

impl<'d, 't> Live<'d, 't> {
    /// Binds a definition to the current records.
    pub fn new(def: &'d StackDefinition<'t>, records: &[ResourceRecord]) -> Self {
        let mut map = HashMap::new();
        for r in records.iter().filter(|r| r.current) {
            map.insert(r.name.clone(), r.clone());
        }
        Live {
            def,
            records: Mutex::new(map),
        }
    }

    /// The current record of a resource.
    pub fn record(&self, name: &str) -> Option<ResourceRecord> {
        self.records
            .lock()
            .expect("not poisoned")
            .get(name)
            .cloned()
    }

    /// Replaces the current record of a resource.
    pub fn set(&self, record: ResourceRecord) {
        self.records
            .lock()
            .expect("not poisoned")
            .insert(record.name.clone(), record);
    }
}

fn ready(r: &ResourceRecord) -> bool {
    r.physical_id.is_some()
        && matches!(r.status, Status::Complete)
        && !matches!(r.action, Action::Delete | Action::Init)
}

impl Resolver for Live<'_, '_> {
    fn parameter(&self, name: &str) -> Result<Json, String> {
        self.def.parameter(name)
    }

    fn has_parameter(&self, name: &str) -> bool {
        self.def.has_parameter(name)
    }

    fn has_resource(&self, name: &str) -> bool {
        self.def.has_resource(name)
    }

    fn reference_id(&self, name: &str) -> Json {
        let Some(r) = self.record(name) else {
            return Json::String(name.to_string());
        };
        if let Some(reference) = r.attributes.get(super::REFERENCE_ID) {
            return reference.clone();
        }
        match r.physical_id {
            Some(id) => Json::String(id),
            None => Json::String(name.to_string()),
        }
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<Option<Json>, String> {
        let Some(r) = self.record(resource).filter(ready) else {
            return Ok(None);
        };
        if attribute == "show" {
            return Ok(Some(Json::Object(r.attributes.clone())));
        }
        Ok(Some(
            r.attributes.get(attribute).cloned().unwrap_or(Json::Null),
        ))
    }

    fn all_attributes(&self, resource: &str) -> Option<Json> {
        self.record(resource)
            .filter(ready)
            .map(|r| Json::Object(r.attributes))
    }

    fn has_attribute(&self, resource: &str, attribute: &str) -> Option<bool> {
        self.def.has_attribute(resource, attribute)
    }

    fn file(&self, key: &str) -> Option<String> {
        self.def.file(key)
    }

    fn availability_zones(&self) -> Vec<String> {
        self.def.availability_zones()
    }

    fn condition(&self, name: &str) -> Result<bool, FnError> {
        self.def.condition(name)
    }

    fn has_condition(&self, name: &str) -> bool {
        self.def.has_condition(name)
    }

    fn mapping(&self, name: &str) -> Option<Json> {
        self.def.mapping(name)
    }

    fn facade(&self, what: &str) -> Result<Json, String> {
        self.def.facade(what)
    }

    fn region(&self) -> String {
        self.def.region()
    }

    fn export(&self, name: &str) -> Option<Json> {
        self.def.export(name)
    }
}
