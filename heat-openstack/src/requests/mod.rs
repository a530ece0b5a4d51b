//! Request bodies built from a resource's resolved properties, and the
//! attributes Heat documents read from the services' responses. Pure
//! functions: ids of referenced objects are resolved before.

mod compute;
mod network;

pub use compute::*;
pub use network::*;

use serde_json::{Map as JsonMap, Value as Json};

/// The tag heat-rs puts on objects so they can be found after a crash.
pub fn tag(stack_id: &str, resource: &str) -> String {
    format!("heat-rs:{stack_id}:{resource}")
}

fn copy(from: &Json, to: &mut JsonMap<String, Json>, keys: &[(&str, &str)]) {
    for (src, dst) in keys {
        if let Some(v) = from.get(*src).filter(|v| !v.is_null()) {
            to.insert(dst.to_string(), v.clone());
        }
    }
}

/// A Neutron object's `value_specs`: extra fields of its body, as Heat
/// merges them.
fn value_specs(from: &Json, to: &mut JsonMap<String, Json>) {
    if let Some(Json::Object(specs)) = from.get("value_specs") {
        to.extend(specs.clone());
    }
}

/// The description of an object that carries heat-rs's tag there: the
/// template's (`props.description`) with the tag after it in parentheses,
/// or the tag alone.
pub fn tagged_description(props: &Json, tag: &str) -> String {
    match props.get("description").and_then(Json::as_str) {
        Some(d) if !d.is_empty() => format!("{d} ({tag})"),
        _ => tag.to_string(),
    }
}
