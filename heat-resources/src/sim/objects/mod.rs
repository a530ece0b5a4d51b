//! What each kind of simulated object checks when created (`create`), the
//! attributes it reports when ready (`ready`), how objects affect each
//! other (`links`: attachments mark volumes in use, associations bind
//! floating IPs), the addresses ports and servers take from subnets
//! (`addresses`), the cloud's own objects (`builtins`) and custom
//! constraints (`constraints`).

mod addresses;
mod builtins;
mod constraints;
mod create;
mod links;
pub(super) mod ports;
mod ready;

pub(super) use builtins::{builtin, builtins};
pub(super) use constraints::check_constraint;
pub(super) use create::build;
pub(super) use links::{link, unlink};
pub(super) use ready::ready;

use addresses::*;

use std::collections::BTreeMap;

use heat_core::engine::ResourceSpec;
use serde_json::Value as Json;

use super::SimObject;

type Objects = BTreeMap<String, SimObject>;

pub(super) fn find<'a>(
    objects: &'a Objects,
    kind: &str,
    name_or_id: &str,
) -> Option<&'a SimObject> {
    objects
        .get(name_or_id)
        .filter(|o| o.kind == kind)
        .or_else(|| {
            objects
                .values()
                .find(|o| o.kind == kind && o.name == name_or_id)
        })
}

pub(super) fn str_prop<'a>(spec: &'a ResourceSpec, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| spec.properties.get(*k).and_then(Json::as_str))
        .filter(|s| !s.is_empty())
}

pub(super) fn need(objects: &Objects, kind: &str, what: &str, value: &str) -> Result<(), String> {
    match find(objects, kind, value) {
        Some(_) => Ok(()),
        None => Err(format!("{what} {value} could not be found.")),
    }
}

/// The over-quota message of each service.
pub(in crate::sim) fn quota_message(kind: &str, used: usize, limit: usize) -> String {
    match kind {
        "server" => format!("Quota exceeded for instances: Requested 1, but already used {used} of {limit} instances"),
        "volume" => format!("VolumeLimitExceeded: Maximum number of volumes allowed ({limit}) exceeded for quota 'volumes'."),
        other => format!("Quota exceeded for resources: ['{other}']."),
    }
}

/// The status a new object of a kind starts in.
pub(super) fn initial_status(kind: &str) -> &'static str {
    match kind {
        "server" => "BUILD",
        "volume" => "creating",
        "image" => "queued",
        _ => "DOWN",
    }
}
