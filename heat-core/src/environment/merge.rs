//! Merging parameters of several environment files with
//! `parameter_merge_strategies` (`overwrite`, `merge`, `deep_merge`).

use serde_json::{Map as JsonMap, Value as Json};

use crate::parameters::ParamType;

/// A merge that Heat refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

const STRATEGIES: [&str; 3] = ["overwrite", "merge", "deep_merge"];

fn strategy(
    in_file: &JsonMap<String, Json>,
    key: &str,
    recorded: &JsonMap<String, Json>,
) -> String {
    let default = in_file
        .get("default")
        .and_then(Json::as_str)
        .unwrap_or("overwrite");
    let s = in_file
        .get(key)
        .and_then(Json::as_str)
        .or_else(|| recorded.get(key).and_then(Json::as_str))
        .unwrap_or(default);
    if STRATEGIES.contains(&s) { s } else { default }.to_string()
}

/// Merges the `new` section of a later file into `old` (Heat 27's
/// `merge_parameters`): strategies are recorded across files and sections;
/// a later explicit strategy that contradicts a recorded one is an error.
pub fn merge_parameters(
    mut old: JsonMap<String, Json>,
    new: JsonMap<String, Json>,
    types: &dyn Fn(&str) -> Option<ParamType>,
    in_file: &JsonMap<String, Json>,
    recorded: &mut JsonMap<String, Json>,
    file: &str,
) -> Result<JsonMap<String, Json>, MergeError> {
    for (key, value) in &new {
        if types(key).is_none() || value.is_null() {
            continue;
        }
        let s = strategy(in_file, key, recorded);
        match recorded.get(key).and_then(Json::as_str) {
            None => {
                recorded.insert(key.clone(), Json::String(s));
            }
            Some(r) if r != s => {
                return Err(MergeError(format!(
                    "Conflicting merge strategy '{s}' for parameter '{key}' in file '{file}'."
                )))
            }
            Some(_) => {}
        }
    }
    if old.is_empty() {
        return Ok(new);
    }
    for (key, value) in new {
        let Some(kind) = types(&key) else { continue };
        if value.is_null() {
            continue;
        }
        let s = recorded
            .get(&key)
            .and_then(Json::as_str)
            .unwrap_or("overwrite")
            .to_string();
        if s != "merge" && s != "deep_merge" {
            old.insert(key, value);
            continue;
        }
        let deep = s == "deep_merge";
        let merged = merge_value(&key, old.get(&key), value, kind, deep)?;
        old.insert(key, merged);
    }
    Ok(old)
}

fn merge_value(
    key: &str,
    old: Option<&Json>,
    value: Json,
    kind: ParamType,
    deep: bool,
) -> Result<Json, MergeError> {
    let invalid = || MergeError("Invalid parameter in environment .".into());
    match kind {
        ParamType::Json => {
            let value = match value {
                Json::String(s) if s.is_empty() => return Ok(Json::String(s)),
                Json::String(s) => serde_json::from_str(&s)
                    .map_err(|e| MergeError(format!("Invalid parameter in environment {e}.")))?,
                other => other,
            };
            Ok(merge_map(old.cloned(), value, deep))
        }
        ParamType::List => match (old, value) {
            (None, v) => Ok(v),
            (Some(o), v)
                if !crate::function::python::str_of(o).is_empty() && o != &Json::Array(vec![]) =>
            {
                match (o, v) {
                    (Json::Array(a), Json::Array(b)) => {
                        Ok(Json::Array(a.iter().cloned().chain(b).collect()))
                    }
                    (Json::String(a), Json::String(b)) => Ok(Json::String(format!("{a},{b}"))),
                    _ => Err(MergeError(format!(
                        "cannot merge a list and a string for parameter '{key}'"
                    ))),
                }
            }
            (Some(_), v) => Ok(v),
        },
        ParamType::String | ParamType::Number => match (old, value) {
            (None, Json::String(b)) => Ok(Json::String(b)),
            (Some(Json::String(a)), Json::String(b)) => Ok(Json::String(format!("{a}{b}"))),
            _ => Err(invalid()),
        },
        ParamType::Boolean => Err(MergeError(format!(
            "Invalid merge strategy 'merge' for parameter '{key}'."
        ))),
    }
}

fn merge_map(old: Option<Json>, new: Json, deep: bool) -> Json {
    let (Some(Json::Object(mut old)), Json::Object(new)) = (old.clone(), new.clone()) else {
        return match old {
            Some(o) if !crate::function::python::str_of(&o).is_empty() && new.is_null() => o,
            _ => new,
        };
    };
    if old.is_empty() {
        return Json::Object(new);
    }
    for (k, v) in new {
        if v.is_null() {
            continue;
        }
        let merged = if !deep {
            v
        } else {
            match (&v, old.get(&k)) {
                (Json::Object(_), Some(prev)) => merge_map(Some(prev.clone()), v, true),
                (Json::Array(b), Some(Json::Array(a))) => {
                    Json::Array(a.iter().cloned().chain(b.iter().cloned()).collect())
                }
                (Json::String(b), Some(Json::String(a))) => Json::String(format!("{a}{b}")),
                _ => v,
            }
        };
        old.insert(k, merged);
    }
    Json::Object(old)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn types(k: &str) -> Option<ParamType> {
        match k {
            "s" => Some(ParamType::String),
            "l" => Some(ParamType::List),
            "m" => Some(ParamType::Json),
            "b" => Some(ParamType::Boolean),
            _ => None,
        }
    }

    fn obj(v: Json) -> JsonMap<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn merge_and_deep_merge_follow_heat() {
        let mut rec = JsonMap::new();
        let first = merge_parameters(
            JsonMap::new(),
            obj(json!({"s": "a", "l": [1], "m": {"x": {"y": 1}, "z": "p"}})),
            &types,
            &obj(json!({"default": "merge"})),
            &mut rec,
            "e1",
        )
        .unwrap();
        let merged = merge_parameters(
            first,
            obj(json!({"s": "b", "l": [2], "m": {"x": {"w": 2}, "z": "q"}})),
            &types,
            &JsonMap::new(),
            &mut rec,
            "e2",
        )
        .unwrap();
        assert_eq!(
            Json::Object(merged),
            json!({"s": "ab", "l": [1, 2], "m": {"x": {"w": 2}, "z": "q"}})
        );

        let mut rec = JsonMap::new();
        let first = merge_parameters(
            JsonMap::new(),
            obj(json!({"m": {"x": {"y": 1, "s": "a", "l": [1]}}})),
            &types,
            &obj(json!({"default": "deep_merge"})),
            &mut rec,
            "e1",
        )
        .unwrap();
        let merged = merge_parameters(
            first,
            obj(json!({"m": {"x": {"w": 2, "s": "b", "l": [2]}}})),
            &types,
            &JsonMap::new(),
            &mut rec,
            "e2",
        )
        .unwrap();
        assert_eq!(
            Json::Object(merged),
            json!({"m": {"x": {"y": 1, "s": "ab", "l": [1, 2], "w": 2}}})
        );
    }

    #[test]
    fn conflicting_strategies_are_refused() {
        let mut rec = JsonMap::new();
        let first = merge_parameters(
            JsonMap::new(),
            obj(json!({"l": [1]})),
            &types,
            &JsonMap::new(),
            &mut rec,
            "e1",
        )
        .unwrap();
        let e = merge_parameters(
            first,
            obj(json!({"l": [2]})),
            &types,
            &obj(json!({"l": "merge"})),
            &mut rec,
            "e2",
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            "Conflicting merge strategy 'merge' for parameter 'l' in file 'e2'."
        );
    }

    #[test]
    fn booleans_cannot_be_merged() {
        let mut rec = JsonMap::new();
        let first = merge_parameters(
            JsonMap::new(),
            obj(json!({"b": "true"})),
            &types,
            &obj(json!({"default": "merge"})),
            &mut rec,
            "e1",
        )
        .unwrap();
        let e = merge_parameters(
            first,
            obj(json!({"b": "false"})),
            &types,
            &JsonMap::new(),
            &mut rec,
            "e2",
        )
        .unwrap_err();
        assert_eq!(e.0, "Invalid merge strategy 'merge' for parameter 'b'.");
    }
}
