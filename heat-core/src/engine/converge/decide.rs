//! Deciding what an update does to each resource (Heat's rules: a change
//! to a property that is not `update_allowed` replaces the resource, a
//! change to an immutable one is refused), and previews of those
//! decisions.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map as JsonMap, Value as Json};

use crate::definition::{PropertyRule, ResourceDef, StackDefinition, TypeCatalog};
use crate::engine::live::Live;
use crate::engine::model::{Action, ResourceRecord, Status};
use crate::function;

/// What an update does to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum ChangeKind {
    /// Nothing changes.
    Unchanged,
    /// Updated in place; the properties that change.
    Updated {
        /// Changed properties.
        properties: Vec<String>,
    },
    /// Replaced (a new one created, then the old deleted), and why.
    Replaced {
        /// The property (or `type`, or the resource's failed state) that forces it.
        reason: String,
    },
    /// Created.
    Added,
    /// Deleted.
    Deleted,
    /// Refused: an immutable property changes, or the action is restricted.
    Refused {
        /// Why.
        reason: String,
    },
}

/// A resource and what an update does to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Resource name.
    pub name: String,
    /// Type.
    pub type_name: String,
    /// What happens.
    #[serde(flatten)]
    pub kind: ChangeKind,
    /// The nested stack it belongs to (previews with nested stacks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

/// Decides what to do with a resource whose record exists.
pub(super) fn decide(
    catalog: &dyn TypeCatalog,
    def: &StackDefinition<'_>,
    rdef: &ResourceDef,
    record: &ResourceRecord,
    props: &Json,
) -> ChangeKind {
    let restricted = def.inputs.registry.restricted_actions(&rdef.name);
    let replace = |reason: String| {
        if restricted.iter().any(|a| a == "replace") {
            ChangeKind::Refused {
                reason: "replace is restricted for resource.".into(),
            }
        } else {
            ChangeKind::Replaced { reason }
        }
    };
    if record.type_name != rdef.type_name {
        return replace("type".into());
    }
    if record.status == Status::Failed
        || record.physical_id.is_none()
        || record.action == Action::Init
    {
        return replace(format!("{} is {}", rdef.name, record.status_text()));
    }
    let empty = JsonMap::new();
    let old = record.properties.as_object().unwrap_or(&empty);
    let new = props.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .cloned()
        .collect();
    // A nested stack (or group) is always updated in place, as Heat does:
    // its template or files may have changed with its properties the
    // same, and its own resources decide what they do.
    let nested = catalog.realisation(&rdef.type_name).is_nested()
        || matches!(
            def.inputs
                .registry
                .resolve(&rdef.type_name, Some(&rdef.name), &|_| true),
            Some(crate::environment::TypeTarget::Template(_))
        );
    if changed.is_empty() && !nested {
        return ChangeKind::Unchanged;
    }
    for k in &changed {
        match catalog.property_rule_given(&rdef.type_name, k, props) {
            PropertyRule::Immutable => {
                return ChangeKind::Refused {
                    reason: format!(
                        "The property ({k}) of resource {} is immutable and cannot be updated",
                        rdef.name
                    ),
                }
            }
            PropertyRule::Replace if !nested => return replace(k.clone()),
            PropertyRule::Replace | PropertyRule::UpdateAllowed => {}
        }
    }
    if restricted.iter().any(|a| a == "update") {
        return ChangeKind::Refused {
            reason: "update is restricted for resource.".into(),
        };
    }
    ChangeKind::Updated {
        properties: changed,
    }
}

/// The changes an update to `def` makes to `records`, without acting.
pub fn preview(
    def: &StackDefinition<'_>,
    records: &[ResourceRecord],
    catalog: &dyn TypeCatalog,
) -> Vec<Change> {
    let live = Live::new(def, records);
    let mut kinds: std::collections::HashMap<&str, ChangeKind> = Default::default();
    // In dependency order: a resource whose properties read the attributes
    // of a resource that changes (or the id of one replaced) may change
    // too, which only the update itself will tell (Heat shows it updated).
    let order: Vec<String> = def.graph.levels().unwrap_or_default().concat();
    for name in &order {
        let Some(rdef) = def.resources.iter().find(|r| &r.name == name) else {
            continue;
        };
        let kind = match live.record(&rdef.name) {
            None => ChangeKind::Added,
            Some(record) => {
                let props = match &rdef.properties {
                    Some(p) => function::partial(p, &live)
                        .map(|e| e.to_json())
                        .unwrap_or(Json::Null),
                    None => Json::Object(JsonMap::new()),
                };
                let props = catalog.translate(&rdef.type_name, &props).unwrap_or(props);
                match decide(catalog, def, rdef, &record, &props) {
                    ChangeKind::Unchanged
                        if def.property_references(&rdef.name).iter().any(
                            |(n, by_attribute)| match kinds.get(n.as_str()) {
                                None | Some(ChangeKind::Unchanged) => false,
                                Some(ChangeKind::Updated { .. }) => *by_attribute,
                                Some(_) => true,
                            },
                        ) =>
                    {
                        ChangeKind::Updated {
                            properties: Vec::new(),
                        }
                    }
                    kind => kind,
                }
            }
        };
        kinds.insert(rdef.name.as_str(), kind);
    }
    let mut out = Vec::new();
    for rdef in def.resources.iter().filter(|r| r.enabled) {
        if let Some(kind) = kinds.remove(rdef.name.as_str()) {
            out.push(Change {
                name: rdef.name.clone(),
                type_name: rdef.type_name.clone(),
                kind,
                stack: None,
            });
        }
    }
    for r in records.iter().filter(|r| r.current) {
        if !def.resources.iter().any(|d| d.enabled && d.name == r.name) {
            out.push(Change {
                name: r.name.clone(),
                type_name: r.type_name.clone(),
                kind: ChangeKind::Deleted,
                stack: None,
            });
        }
    }
    out
}
