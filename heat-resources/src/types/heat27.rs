//! The schemas of every type Heat 27 registers, as Heat's own plugin
//! registry computes them (`data/heat_types.json`, written by
//! `data/generate.py` from openstack/heat): property types, required,
//! defaults, update rules, constraints and nested schemas, and attribute
//! names. A type heat-rs declares by hand (`openstack`, `heat`, `aws`)
//! keeps its own schema; every other type validates with Heat's, so a
//! misspelt property or attribute of any Heat type is refused as Heat
//! refuses it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::cloud::ObjectKind;
use crate::schema::{Attribute, Kind, Property, ResourceType, Rule};

const DATA: &str = include_str!("../../data/heat_types.json");

/// A property as `generate.py` writes it.
#[derive(Deserialize)]
struct RawProperty {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    required: bool,
    default: Option<Json>,
    #[serde(default)]
    update_allowed: bool,
    #[serde(default)]
    immutable: bool,
    allowed_values: Option<Vec<Json>>,
    range: Option<(Option<f64>, Option<f64>)>,
    length: Option<(Option<f64>, Option<f64>)>,
    custom: Option<String>,
    schema: Option<BTreeMap<String, RawProperty>>,
    item: Option<String>,
    #[serde(default)]
    unimplemented: bool,
}

/// A type as `generate.py` writes it.
#[derive(Deserialize)]
pub(crate) struct RawType {
    properties: BTreeMap<String, RawProperty>,
    attributes: Vec<String>,
    /// The type answers any attribute name (its class overrides Heat's
    /// `get_attribute`).
    pub(crate) any_attribute: bool,
    /// A placeholder (Heat's `NoneResource`: a removed type that takes any
    /// property and does nothing).
    #[serde(default)]
    pub(crate) placeholder: bool,
}

/// Heat's types, by name (read once per process).
pub(crate) fn raw() -> &'static BTreeMap<String, RawType> {
    static RAW: std::sync::OnceLock<BTreeMap<String, RawType>> = std::sync::OnceLock::new();
    RAW.get_or_init(|| {
        serde_json::from_str(DATA).expect("data/heat_types.json is generate.py's output")
    })
}

/// A name that lives as long as the catalog (read once per process).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn kind(name: &str) -> Kind {
    match name {
        "String" => Kind::String,
        "Integer" => Kind::Integer,
        "Number" => Kind::Number,
        "Boolean" => Kind::Boolean,
        "List" => Kind::List,
        "Map" => Kind::Map,
        _ => Kind::Any,
    }
}

fn property(name: &str, raw: &RawProperty) -> Property {
    let mut rules = Vec::new();
    if let Some(values) = &raw.allowed_values {
        rules.push(Rule::AllowedValues(values.clone()));
    }
    if let Some((min, max)) = raw.range {
        rules.push(Rule::Range(min, max));
    }
    if let Some((min, max)) = raw.length {
        rules.push(Rule::Length(
            min.map(|m| m as usize),
            max.map(|m| m as usize),
        ));
    }
    if let Some(custom) = &raw.custom {
        rules.push(Rule::Custom(leak(custom.clone())));
    }
    Property {
        name: leak(name.to_string()),
        kind: kind(&raw.kind),
        required: raw.required,
        default: raw.default.clone(),
        update_allowed: raw.update_allowed,
        immutable: raw.immutable,
        rules,
        schema: raw
            .schema
            .iter()
            .flatten()
            .map(|(n, p)| property(n, p))
            .collect(),
        item: raw.item.as_deref().map(kind),
        description: "",
        implemented: !raw.unimplemented,
    }
}

/// Types with Heat's schema that the simulated cloud makes as objects of a
/// kind (their attributes from that object: a Zun container's
/// `addresses` name its ports).
const KINDS: [(&str, ObjectKind); 18] = [
    ("OS::Zun::Container", ObjectKind::ZunContainer),
    ("OS::Keystone::Domain", ObjectKind::KeystoneDomain),
    ("OS::Keystone::Project", ObjectKind::KeystoneProject),
    ("OS::Keystone::Role", ObjectKind::KeystoneRole),
    ("OS::Keystone::Group", ObjectKind::KeystoneGroup),
    ("OS::Keystone::User", ObjectKind::KeystoneUser),
    (
        "OS::Keystone::UserRoleAssignment",
        ObjectKind::RoleAssignment,
    ),
    (
        "OS::Keystone::GroupRoleAssignment",
        ObjectKind::RoleAssignment,
    ),
    ("OS::Keystone::Region", ObjectKind::KeystoneRegion),
    ("OS::Keystone::Service", ObjectKind::KeystoneService),
    ("OS::Keystone::Endpoint", ObjectKind::KeystoneEndpoint),
    ("OS::Nova::Quota", ObjectKind::Quota),
    ("OS::Cinder::Quota", ObjectKind::Quota),
    ("OS::Neutron::Quota", ObjectKind::Quota),
    ("OS::Cinder::VolumeType", ObjectKind::VolumeType),
    ("OS::Nova::HostAggregate", ObjectKind::HostAggregate),
    ("OS::Neutron::SubnetPool", ObjectKind::SubnetPool),
    ("OS::Neutron::AddressScope", ObjectKind::AddressScope),
];

/// Heat's schema of every type `declared` does not hold.
pub(super) fn types(declared: &[ResourceType]) -> Vec<ResourceType> {
    raw()
        .iter()
        .filter(|(name, _)| !declared.iter().any(|t| t.name == name.as_str()))
        .map(|(name, t)| ResourceType {
            name: leak(name.clone()),
            properties: t.properties.iter().map(|(n, p)| property(n, p)).collect(),
            attributes: t
                .attributes
                .iter()
                .map(|a| Attribute {
                    name: leak(a.clone()),
                    description: "",
                })
                .collect(),
            cloud_kind: KINDS.iter().find(|(n, _)| n == name).map(|(_, kind)| *kind),
            description: "",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property and attribute Heat 27 gives a type heat-rs declares
    /// by hand is one heat-rs knows (HARestarter aside: Heat 27 keeps only
    /// a placeholder of it, heat-rs the working restarter of the seeds).
    #[test]
    fn declared_types_know_every_property_and_attribute_of_heats() {
        let heat = raw();
        let mut missing = Vec::new();
        for t in super::super::declared() {
            let Some(h) = heat.get(t.name).filter(|h| !h.placeholder) else {
                continue;
            };
            for (name, p) in &h.properties {
                match t.properties.iter().find(|q| q.name == name) {
                    None => missing.push(format!("{}.properties.{name}", t.name)),
                    Some(q) if q.implemented == p.unimplemented => {
                        missing.push(format!("{}.properties.{name} (implemented or not)", t.name))
                    }
                    Some(q) => {
                        for sub in p.schema.iter().flat_map(|s| s.keys()) {
                            if !q.schema.is_empty() && !q.schema.iter().any(|r| r.name == sub) {
                                missing.push(format!("{}.properties.{name}.{sub}", t.name));
                            }
                        }
                    }
                }
            }
            for a in &h.attributes {
                if !t.attributes.iter().any(|b| b.name == a) {
                    missing.push(format!("{}.attributes.{a}", t.name));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn every_heat_type_has_a_schema() {
        let all = super::super::all();
        for name in raw().keys() {
            assert!(all.iter().any(|t| t.name == name), "{name}");
        }
        let trunk = all.iter().find(|t| t.name == "OS::Neutron::Trunk").unwrap();
        let port = trunk.properties.iter().find(|p| p.name == "port").unwrap();
        assert!(port.required && port.immutable);
        let sub = trunk
            .properties
            .iter()
            .find(|p| p.name == "sub_ports")
            .unwrap();
        assert!(sub.schema.iter().any(|p| p.name == "segmentation_id"
            && p.rules.contains(&Rule::Range(Some(1.0), Some(4094.0)))));
    }
}
