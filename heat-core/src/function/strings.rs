//! The string functions: `list_join`/`Fn::Join`, `str_replace` and its
//! kin, `str_split`/`Fn::Split`, with Heat's messages.

use serde_json::Value as Json;

use super::builtins::{err, index_seq, list_items, truthy, R};
use super::eval::{resolve, Resolver};
use super::python::{json_dumps_sorted, kind_words, repr, str_of, to_int, type_name};
use super::{Expr, FnError, ReplaceStyle};

pub(super) fn join(args: &Expr, name: &str, multiple: bool, r: &dyn Resolver) -> R<Json> {
    let items = list_items(args);
    let mut strings: Vec<Json> = Vec::new();
    if multiple {
        for list in &items[1..] {
            let jl = resolve(list, r)?;
            if truthy(&jl) {
                match jl {
                    Json::Array(a) => strings.extend(a),
                    _ => return err(format!("\"{name}\" must operate on a list")),
                }
            }
        }
    } else {
        match resolve(&items[1], r)? {
            Json::Null => {}
            Json::Array(a) => strings = a,
            _ => return err(format!("\"{name}\" must operate on a list")),
        }
    }
    let delim = resolve(&items[0], r)?;
    let Json::String(delim) = delim else {
        return err(format!("\"{name}\" delimiter must be a string"));
    };
    let mut parts = Vec::with_capacity(strings.len());
    for s in &strings {
        parts.push(match s {
            Json::Null => String::new(),
            Json::String(s) => s.clone(),
            Json::Array(_) | Json::Object(_) if multiple => json_dumps_sorted(s),
            other if multiple => {
                return err(format!(
                    "Items to join must be string, map or list not {}",
                    truncate(&repr(other))
                ))
            }
            other => {
                return err(format!(
                    "Items to join must be strings not {}",
                    truncate(&repr(other))
                ))
            }
        });
    }
    Ok(Json::String(parts.join(&delim)))
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

pub(super) fn replace(name: &str, style: ReplaceStyle, template: Json, params: Json) -> R<Json> {
    let Json::String(template) = template else {
        return err(format!("\"{name}\" template must be a string"));
    };
    let Json::Object(params) = params else {
        return err(format!("\"{name}\" params must be a map"));
    };
    let strict = matches!(style, ReplaceStyle::Strict | ReplaceStyle::VeryStrict);
    let allow_empty = style != ReplaceStyle::VeryStrict;
    let mut keys: Vec<&String> = params.keys().collect();
    keys.sort();
    keys.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
    let mut values = Vec::with_capacity(keys.len());
    for key in &keys {
        values.push(replacement(
            name,
            style,
            allow_empty,
            key,
            &params[key.as_str()],
        )?);
    }
    if keys.iter().any(|k| k.is_empty()) {
        // Heat splits the template on each key: Python's `split("")`.
        return err("empty separator");
    }
    let mut found = vec![false; keys.len()];
    let out = replace_rec(&template, &keys, &values, 0, &mut found);
    if strict {
        let missing: Vec<&str> = keys
            .iter()
            .zip(&found)
            .filter(|(_, f)| !**f)
            .map(|(k, _)| k.as_str())
            .collect();
        if !missing.is_empty() {
            return err(format!(
                "The following params were not found in the template: {}",
                missing.join(",")
            ));
        }
    }
    Ok(Json::String(out))
}

fn replace_rec(
    s: &str,
    keys: &[&String],
    values: &[String],
    i: usize,
    found: &mut [bool],
) -> String {
    if i == keys.len() {
        return s.to_string();
    }
    let key = keys[i].as_str();
    let pieces: Vec<&str> = s.split(key).collect();
    if pieces.len() > 1 {
        found[i] = true;
    }
    pieces
        .iter()
        .map(|p| replace_rec(p, keys, values, i + 1, found))
        .collect::<Vec<_>>()
        .join(&values[i])
}

fn replacement(
    name: &str,
    style: ReplaceStyle,
    allow_empty: bool,
    key: &str,
    value: &Json,
) -> R<String> {
    let empty = || {
        FnError::resolve(format!(
            "{name} has an undefined or empty value for param {key}, must be a defined non-empty value"
        ))
    };
    match value {
        Json::Null if allow_empty => Ok(String::new()),
        Json::Null => Err(empty()),
        Json::Array(_) | Json::Object(_) if style != ReplaceStyle::Plain => {
            if !allow_empty && !truthy(value) {
                return Err(empty());
            }
            Ok(json_dumps_sorted(value))
        }
        Json::Array(_) | Json::Object(_) => err(format!(
            "\"{name}\" params must be strings or numbers, param {key} is not valid"
        )),
        other => {
            let s = str_of(other);
            if !allow_empty && s.is_empty() {
                return Err(empty());
            }
            Ok(s)
        }
    }
}

pub(super) fn str_split(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let example = format!("\"{name}\" : [ \",\", \"apples,pears\", <index>]");
    let args = resolve(args, r)?;
    let Json::Array(a) = args else {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    };
    if a.len() < 2 {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    }
    let (delim, target) = (&a[0], &a[1]);
    let s = match target {
        Json::Null => return Ok(Json::Null),
        Json::String(s) => s,
        other => {
            return err(format!(
                "the value to split must be a string; found {}",
                kind_words(other)
            ))
        }
    };
    let parts: Vec<Json> = match delim {
        Json::String(d) if d.is_empty() => return err("empty separator"),
        Json::String(d) => s
            .split(d.as_str())
            .map(|p| Json::String(p.into()))
            .collect(),
        Json::Null => s
            .split_whitespace()
            .map(|p| Json::String(p.into()))
            .collect(),
        other => return err(format!("must be str or None, not {}", type_name(other))),
    };
    let Some(index) = a.get(2) else {
        return Ok(Json::Array(parts));
    };
    let Some(i) = to_int(index) else {
        return err(format!(
            "Incorrect index to \"{name}\" should be: {example}"
        ));
    };
    index_seq(&Json::Array(parts.clone()), i).ok_or_else(|| {
        FnError::resolve(format!(
            "Incorrect index to \"{name}\" should be between 0 and {}",
            parts.len() as i64 - 1
        ))
    })
}
