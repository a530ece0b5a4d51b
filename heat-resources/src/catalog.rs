//! [`Catalog`]: every type Heat knows by name, the schemas heat-rs has, and
//! the [`TypeCatalog`] view the engine and validation use.

use std::collections::HashMap;
use std::sync::OnceLock;

use heat_core::definition::{PropertyRule, TypeCatalog, TypeInfo};
use serde_json::Value as Json;

use crate::schema::{self, ResourceType};
use crate::HEAT_TYPES;

fn schemas() -> &'static HashMap<&'static str, ResourceType> {
    static SCHEMAS: OnceLock<HashMap<&'static str, ResourceType>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        crate::types::all()
            .into_iter()
            .map(|t| (t.name, t))
            .collect()
    })
}

/// The resource type catalog.
#[derive(Debug, Default, Clone, Copy)]
pub struct Catalog;

impl Catalog {
    /// The schema of a type, when heat-rs has one.
    pub fn schema(&self, type_name: &str) -> Option<&'static ResourceType> {
        schemas().get(type_name)
    }

    /// Every type name Heat registers, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = HEAT_TYPES.to_vec();
        v.sort();
        v
    }
}

impl TypeCatalog for Catalog {
    fn lookup(&self, type_name: &str) -> TypeInfo {
        if let Some(t) = self.schema(type_name) {
            // Groups and nested stacks pass their members' attributes through.
            const DYNAMIC: [&str; 6] = [
                "OS::Heat::None",
                "OS::Heat::ResourceGroup",
                "OS::Heat::AutoScalingGroup",
                "OS::Heat::InstanceGroup",
                "OS::Heat::Stack",
                "AWS::CloudFormation::Stack",
            ];
            let attributes = (!DYNAMIC.contains(&type_name))
                .then(|| t.attributes.iter().map(|a| a.name.to_string()).collect());
            return TypeInfo::Known { attributes };
        }
        if HEAT_TYPES.contains(&type_name) {
            TypeInfo::Known { attributes: None }
        } else {
            TypeInfo::Unknown
        }
    }

    fn property_rule(&self, type_name: &str, property: &str) -> PropertyRule {
        let Some(p) = self
            .schema(type_name)
            .and_then(|t| t.properties.iter().find(|p| p.name == property))
        else {
            return PropertyRule::Replace;
        };
        if p.immutable {
            PropertyRule::Immutable
        } else if p.update_allowed {
            PropertyRule::UpdateAllowed
        } else {
            PropertyRule::Replace
        }
    }

    fn supports_snapshot(&self, type_name: &str) -> Option<bool> {
        const SNAPSHOT: [&str; 5] = [
            "OS::Cinder::Volume",
            "OS::Nova::Server",
            "AWS::EC2::Volume",
            "OS::Trove::Instance",
            "OS::Manila::Share",
        ];
        self.schema(type_name)
            .map(|_| SNAPSHOT.contains(&type_name))
    }

    fn property_names(&self, type_name: &str) -> Option<(Vec<String>, Vec<String>)> {
        let t = self
            .schema(type_name)
            .filter(|t| t.name != "OS::Heat::None")?;
        let names = t.properties.iter().map(|p| p.name.to_string()).collect();
        let required = t
            .properties
            .iter()
            .filter(|p| p.required && p.default.is_none())
            .map(|p| p.name.to_string())
            .collect();
        Some((names, required))
    }

    fn check_properties(&self, type_name: &str, properties: &Json) -> Vec<(String, String)> {
        match self
            .schema(type_name)
            .filter(|t| t.name != "OS::Heat::None")
        {
            Some(t) => schema::check(&t.properties, properties),
            None => Vec::new(),
        }
    }
}
