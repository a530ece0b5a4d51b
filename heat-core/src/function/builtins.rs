//! What each function computes (Heat's `result()`), with Heat's messages.

use serde_json::Value as Json;

use super::eval::{resolve, resolve_nullable, Resolver};
use super::python::{eq, json_dumps_sorted, repr, str_of, to_int, type_name};
use super::{AttStyle, Call, Expr, FnError, FnKind, ReplaceStyle};

type R<T> = Result<T, FnError>;

fn err<T>(message: impl Into<String>) -> R<T> {
    Err(FnError::resolve(message))
}

fn list_items(args: &Expr) -> &[Expr] {
    match args {
        Expr::List(l) => l,
        _ => &[],
    }
}

fn map_arg<'e>(args: &'e Expr, key: &str) -> Option<&'e Expr> {
    match args {
        Expr::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// Python truthiness.
pub(super) fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64() != Some(0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// Evaluates one call.
pub(super) fn call(c: &Call, r: &dyn Resolver) -> R<Option<Json>> {
    let name = c.name.as_str();
    let v = match c.kind {
        FnKind::GetParam => get_param(&c.args, name, r)?,
        FnKind::ParamRef => {
            let arg = resolve(&c.args, r)?;
            let key = str_of(&arg);
            if !r.has_parameter(&key) {
                return err(format!(
                    "The specified reference \"{key}\" (in unknown) is incorrect."
                ));
            }
            r.parameter(&key).map_err(FnError::resolve)?
        }
        FnKind::GetResource => {
            let arg = resolve(&c.args, r)?;
            let key = str_of(&arg);
            if !arg.is_string() || !r.has_resource(&key) {
                return err(format!(
                    "The specified reference \"{key}\" (in unknown) is incorrect."
                ));
            }
            r.reference_id(&key)
        }
        FnKind::GetAtt(style) => get_attr(&c.args, style, r)?,
        FnKind::GetFile => {
            let arg = resolve(&c.args, r)?;
            let Json::String(key) = arg else {
                return err(format!("Argument to \"{name}\" must be a string"));
            };
            match r.file(&key) {
                Some(content) => Json::String(content),
                None => {
                    return err(format!(
                        "No content found in the \"files\" section for {name} path: {key}"
                    ))
                }
            }
        }
        FnKind::Join { multiple } => join(&c.args, name, multiple, r)?,
        FnKind::Replace(style) => {
            let template = resolve(map_arg(&c.args, "template").expect("checked at parse"), r)?;
            let params = resolve(map_arg(&c.args, "params").expect("checked at parse"), r)?;
            replace(name, style, template, params)?
        }
        FnKind::CfnReplace => {
            let items = list_items(&c.args);
            let params = resolve(&items[0], r)?;
            let template = resolve(&items[1], r)?;
            replace(name, ReplaceStyle::Plain, template, params)?
        }
        FnKind::StrSplit => str_split(&c.args, name, r)?,
        FnKind::Split => {
            let items = list_items(&c.args);
            let strings = resolve(&items[1], r)?;
            let Some(delim) = items[0].as_str() else {
                return err(format!("Delimiter for {name} must be string"));
            };
            let Json::String(s) = strings else {
                return err(format!(
                    "String to split must be string; got <class '{}'>",
                    type_name(&strings)
                ));
            };
            if delim.is_empty() {
                return err("empty separator");
            }
            Json::Array(s.split(delim).map(|p| Json::String(p.into())).collect())
        }
        FnKind::Select => select(&c.args, name, r)?,
        FnKind::Base64 { encode } => {
            let v = resolve(&c.args, r)?;
            let Json::String(s) = v else {
                return err(format!("\"{name}\" argument must be a string"));
            };
            if encode {
                use base64::Engine;
                Json::String(base64::engine::general_purpose::STANDARD.encode(s.as_bytes()))
            } else {
                Json::String(s)
            }
        }
        FnKind::MemberListToMap => member_list_to_map(&c.args, r)?,
        FnKind::FindInMap => {
            let items = list_items(&c.args);
            let map_name = resolve(&items[0], r)?;
            let key = resolve(&items[1], r)?;
            let value = resolve(&items[2], r)?;
            let mapping = map_name
                .as_str()
                .and_then(|n| r.mapping(n))
                .ok_or_else(|| FnError::resolve(repr(&map_name)))?;
            let level = lookup_key(&mapping, &key).ok_or_else(|| FnError::resolve(repr(&key)))?;
            lookup_key(&level, &value).ok_or_else(|| FnError::resolve(repr(&value)))?
        }
        FnKind::GetAzs => Json::Array(
            r.availability_zones()
                .into_iter()
                .map(Json::String)
                .collect(),
        ),
        FnKind::ResourceFacade { .. } => {
            let what = c.args.as_str().unwrap_or_default();
            let key = match what {
                "Metadata" => "metadata",
                "DeletionPolicy" => "deletion_policy",
                "UpdatePolicy" => "update_policy",
                other => other,
            };
            r.facade(key).map_err(FnError::resolve)?
        }
        FnKind::Digest => digest(&c.args, name, r)?,
        FnKind::Repeat { maps, permutations } => repeat(&c.args, name, maps, permutations, r)?,
        FnKind::MapMerge => map_merge(&c.args, name, r)?,
        FnKind::MapReplace => map_replace(&c.args, name, r)?,
        FnKind::Yaql => {
            let expr = resolve(map_arg(&c.args, "expression").expect("checked at parse"), r)?;
            let data = match map_arg(&c.args, "data") {
                Some(d) => resolve(d, r)?,
                None => Json::Object(Default::default()),
            };
            let Json::String(expr) = expr else {
                return err(format!(
                    "The \"expression\" argument to {name} must contain a string."
                ));
            };
            let parsed = super::yaql::parse(&expr)
                .map_err(|e| FnError::resolve(format!("Bad expression {e}.")))?;
            super::yaql::evaluate(&parsed, &data).map_err(FnError::resolve)?
        }
        FnKind::Equals => {
            let items = list_items(&c.args);
            let a = resolve(&items[0], r)?;
            let b = resolve(&items[1], r)?;
            Json::Bool(eq(&a, &b))
        }
        FnKind::If { .. } => {
            let items = list_items(&c.args);
            let chosen = super::conditions::condition_value(&items[0], r)?;
            return match (chosen, items.get(2)) {
                (true, _) => resolve_nullable(&items[1], r),
                (false, Some(otherwise)) => resolve_nullable(otherwise, r),
                (false, None) => Ok(None),
            };
        }
        FnKind::Not { cfn } => {
            let operand = if cfn {
                &list_items(&c.args)[0]
            } else {
                &c.args
            };
            Json::Bool(!super::conditions::condition_value(operand, r)?)
        }
        FnKind::And | FnKind::Or => {
            let operands = resolve(&c.args, r)?;
            let want_all = c.kind == FnKind::And;
            let items = match operands {
                Json::Array(a) => a,
                other => vec![other],
            };
            let mut result = want_all;
            for item in &items {
                let v = super::conditions::condition_of_value(item, r)?;
                if want_all && !v {
                    result = false;
                    break;
                }
                if !want_all && v {
                    result = true;
                    break;
                }
            }
            Json::Bool(result)
        }
        FnKind::Condition => {
            let name = c.args.as_str().unwrap_or_default();
            Json::Bool(r.condition(name)?)
        }
        FnKind::Filter => filter(&c.args, r)?,
        FnKind::MakeUrl => make_url(&c.args, name, r)?,
        FnKind::ListConcat { unique } => list_concat(&c.args, name, unique, r)?,
        FnKind::Contains => {
            let items = list_items(&c.args);
            let value = resolve(&items[0], r)?;
            let seq = resolve(&items[1], r)?;
            match &seq {
                Json::Array(a) => Json::Bool(a.iter().any(|x| eq(x, &value))),
                Json::String(s) => match &value {
                    Json::String(v) => Json::Bool(s.contains(v.as_str())),
                    other => {
                        return err(format!(
                            "'in <string>' requires string as left operand, not {}",
                            type_name(other)
                        ))
                    }
                },
                _ => {
                    return err(format!(
                        "Second argument to \"{name}\" should be a sequence."
                    ))
                }
            }
        }
        FnKind::Removed => c.args.to_json(),
        FnKind::NoValue => return Ok(None),
        FnKind::Sub => super::conditions::sub(&c.args, r)?,
        FnKind::Cidr => cidr(&c.args, name, r)?,
        FnKind::Length => match resolve(&c.args, r)? {
            Json::Array(a) => Json::from(a.len()),
            _ => return err(format!("\"{name}\" must operate on a list")),
        },
        FnKind::ToJsonString => {
            let v = resolve(&c.args, r)?;
            if !(v.is_object() || v.is_array()) {
                return err(format!("\"{name}\" must operate on a map or a list"));
            }
            Json::String(serde_json::to_string(&v).expect("JSON values serialise"))
        }
        FnKind::ImportValue => {
            let v = resolve(&c.args, r)?;
            let key = str_of(&v);
            match r.export(&key) {
                Some(value) => value,
                None => return err(format!("no stack exports a value named \"{key}\"")),
            }
        }
    };
    Ok(Some(v))
}

fn lookup_key(collection: &Json, key: &Json) -> Option<Json> {
    match (collection, key) {
        (Json::Object(o), Json::String(k)) => o.get(k).cloned(),
        (Json::Object(o), other) => o.get(&str_of(other)).cloned(),
        _ => None,
    }
}

/// Indexes a list or a string with Python's negative indices.
fn index_seq(seq: &Json, i: i64) -> Option<Json> {
    match seq {
        Json::Array(a) => {
            let n = a.len() as i64;
            let idx = if i < 0 { n + i } else { i };
            (0..n).contains(&idx).then(|| a[idx as usize].clone())
        }
        Json::String(s) => {
            let chars: Vec<char> = s.chars().collect();
            let n = chars.len() as i64;
            let idx = if i < 0 { n + i } else { i };
            (0..n)
                .contains(&idx)
                .then(|| Json::String(chars[idx as usize].to_string()))
        }
        _ => None,
    }
}

fn get_param(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let args = resolve(args, r)?;
    if !truthy(&args) {
        return err(format!("Function \"{name}\" must have arguments"));
    }
    let (param, path) = match &args {
        Json::String(_) => (args.clone(), Vec::new()),
        Json::Array(a) => (a[0].clone(), a[1..].to_vec()),
        _ => return err(format!("Argument to \"{name}\" must be string or list")),
    };
    let Json::String(param) = param else {
        return err(format!("Parameter name in \"{name}\" must be string"));
    };
    let mut value = r.parameter(&param).map_err(FnError::resolve)?;
    for key in &path {
        let next = match (&value, key) {
            (Json::Object(o), Json::String(k)) => o.get(k).cloned(),
            (Json::Object(_), _) => None,
            (Json::Array(_) | Json::String(_), Json::String(k)) => {
                to_int(&Json::String(k.clone())).and_then(|i| index_seq(&value, i))
            }
            (Json::Array(_) | Json::String(_), Json::Number(_) | Json::Bool(_)) => key
                .as_i64()
                .or_else(|| key.as_bool().map(|b| b as i64))
                .and_then(|i| index_seq(&value, i)),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return Ok(Json::String(String::new())),
        }
    }
    Ok(value)
}

/// Heat's `select_from_attribute`: a missing step gives `None`.
fn select_path(mut value: Json, path: &[Json]) -> Json {
    for key in path {
        let next = match (&value, key) {
            (Json::Object(o), Json::String(k)) => o.get(k).cloned(),
            (Json::Array(_) | Json::String(_), Json::Number(n)) => {
                n.as_i64().and_then(|i| index_seq(&value, i))
            }
            (Json::Array(_) | Json::String(_), Json::Bool(b)) => index_seq(&value, *b as i64),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return Json::Null,
        }
    }
    value
}

fn get_attr(args: &Expr, style: AttStyle, r: &dyn Resolver) -> R<Json> {
    let items = list_items(args);
    let res = resolve(&items[0], r)?;
    let res_name = str_of(&res);
    if !res.is_string() || !r.has_resource(&res_name) {
        return err(format!(
            "The specified reference \"{res_name}\" (in unknown) is incorrect."
        ));
    }
    if items.len() == 1 {
        return Ok(r.all_attributes(&res_name).unwrap_or(Json::Null));
    }
    let attr = resolve(&items[1], r)?;
    let path = resolve(&Expr::List(items[2..].to_vec()), r)?;
    let path = path.as_array().cloned().unwrap_or_default();
    let attr_name = str_of(&attr);
    // A group member's attribute: `[group, resource.0, name]`.
    if attr_name.starts_with("resource.") {
        if let Some(Json::String(first)) = path.first() {
            if let Ok(Some(v)) = r.attribute(&res_name, &format!("{attr_name}.{first}")) {
                return Ok(select_path(v, &path[1..]));
            }
        }
    }
    // A CloudFormation nested stack's output: `Outputs.<name>` (Heat's
    // AWS::CloudFormation::Stack answers it from its outputs).
    if let Some(output) = attr_name.strip_prefix("Outputs.") {
        if let Ok(Some(Json::Object(outputs))) = r.attribute(&res_name, "Outputs") {
            let value = outputs.get(output).cloned().unwrap_or(Json::Null);
            return Ok(select_path(value, &path));
        }
    }
    // A group's members' attribute: `[group, outputs_list, name, path...]`
    // (a list) or `[group, outputs, name, path...]` (by member), the rest
    // of the path taken in each member's value, as Heat's groups answer.
    if attr_name == "outputs_list" || attr_name == "outputs" {
        if let Some(Json::String(first)) = path.first() {
            // (A nested stack's `outputs` is its outputs map: no such key.)
            let rest = &path[1..];
            match r.attribute(&res_name, &format!("{attr_name}.{first}")) {
                Ok(Some(Json::Array(items))) => {
                    return Ok(Json::Array(
                        items.into_iter().map(|i| select_path(i, rest)).collect(),
                    ))
                }
                Ok(Some(Json::Object(m))) => {
                    return Ok(Json::Object(
                        m.into_iter()
                            .map(|(k, i)| (k, select_path(i, rest)))
                            .collect(),
                    ))
                }
                _ => {}
            }
        }
    }
    let value = match r
        .attribute(&res_name, &attr_name)
        .map_err(FnError::resolve)?
    {
        None => return Ok(Json::Null),
        Some(v) => v,
    };
    let _ = style;
    Ok(select_path(value, &path))
}

fn join(args: &Expr, name: &str, multiple: bool, r: &dyn Resolver) -> R<Json> {
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

fn replace(name: &str, style: ReplaceStyle, template: Json, params: Json) -> R<Json> {
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
    if key.is_empty() {
        // Python's split("") raises; Heat never gets here with an empty key
        // because YAML cannot easily express one; treat it as absent.
        return replace_rec(s, keys, values, i + 1, found);
    }
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

fn str_split(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
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
                "'{}' object has no attribute 'split'",
                type_name(other)
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

fn select(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let items = list_items(args);
    let index = resolve(&items[0], r)?;
    let mut strings = resolve(&items[1], r)?;
    if strings == Json::String(String::new()) {
        return Ok(strings);
    }
    if let Json::String(s) = &strings {
        strings =
            serde_json::from_str(s).map_err(|e| FnError::resolve(format!("\"{name}\": {e}")))?;
    }
    match &strings {
        Json::Object(o) => {
            let Json::String(k) = &index else {
                return err(format!("Index to \"{name}\" must be a string"));
            };
            Ok(o.get(k).cloned().unwrap_or(Json::String(String::new())))
        }
        Json::Array(_) => {
            let i = match &index {
                Json::Array(_) | Json::Object(_) | Json::Null => None,
                other => to_int(other),
            };
            let Some(i) = i else {
                return err(format!("Index to \"{name}\" must be an integer"));
            };
            Ok(index_seq(&strings, i).unwrap_or(Json::String(String::new())))
        }
        Json::Null => Ok(Json::String(String::new())),
        _ => err(format!("Arguments to {name} not fully resolved")),
    }
}

fn member_list_to_map(args: &Expr, r: &dyn Resolver) -> R<Json> {
    let items = list_items(args);
    let key_name = items[0].as_str().unwrap_or_default();
    let value_name = items[1].as_str().unwrap_or_default();
    let members = match resolve(&items[2], r)? {
        Json::Array(a) => a,
        Json::Object(o) => o.keys().map(|k| Json::String(k.clone())).collect(),
        Json::String(s) => s.chars().map(|c| Json::String(c.to_string())).collect(),
        _ => return err("Member list must be a list"),
    };
    let mut partials: Vec<(String, String)> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let Json::String(s) = m else {
            return err("Member list items must be strings");
        };
        let Some((k, v)) = s.split_once('=') else {
            return err(format!(
                "dictionary update sequence element #{i} has length 1; 2 is required"
            ));
        };
        if let Some(slot) = partials.iter_mut().find(|(pk, _)| pk == k) {
            slot.1 = v.to_string();
        } else {
            partials.push((k.to_string(), v.to_string()));
        }
    }
    // Group `.member.N.Field=value` by N, in index order.
    let mut groups: std::collections::BTreeMap<u64, Vec<(String, String)>> = Default::default();
    for (k, v) in &partials {
        let Some(rest) = k.strip_prefix(".member.") else {
            continue;
        };
        let Some((idx, field)) = rest.split_once('.') else {
            continue;
        };
        if idx.is_empty() || !idx.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(idx) = idx.parse::<u64>() else {
            continue;
        };
        groups
            .entry(idx)
            .or_default()
            .push((field.to_string(), v.clone()));
    }
    let mut out = serde_json::Map::new();
    for fields in groups.values() {
        let get = |n: &str| {
            fields
                .iter()
                .rev()
                .find(|(f, _)| f == n)
                .map(|(_, v)| v.clone())
        };
        if let (Some(k), Some(v)) = (get(key_name), get(value_name)) {
            out.insert(k, Json::String(v));
        }
    }
    Ok(Json::Object(out))
}

fn digest(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    use sha2::Digest as _;
    let args = resolve(args, r)?;
    let strings: Option<Vec<&str>> = args
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_str()).collect());
    let Some(strings) = strings else {
        return err(format!(
            "Argument to function \"{name}\" must be a list of strings"
        ));
    };
    if strings.len() != 2 {
        return err(format!(
            "Function \"{name}\" usage: [\"<algorithm>\", \"<value>\"]"
        ));
    }
    let data = strings[1].as_bytes();
    let hex = match strings[0].to_lowercase().as_str() {
        "md5" => hex(&md5::Md5::digest(data)),
        "sha1" => hex(&sha1::Sha1::digest(data)),
        "sha224" => hex(&sha2::Sha224::digest(data)),
        "sha256" => hex(&sha2::Sha256::digest(data)),
        "sha384" => hex(&sha2::Sha384::digest(data)),
        "sha512" => hex(&sha2::Sha512::digest(data)),
        "sha512_224" => hex(&sha2::Sha512_224::digest(data)),
        "sha512_256" => hex(&sha2::Sha512_256::digest(data)),
        _ => {
            return err(
                "Algorithm must be one of {'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512_224', 'sha512_256'}",
            )
        }
    };
    Ok(Json::String(hex))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn repeat(args: &Expr, name: &str, maps: bool, permutations: bool, r: &dyn Resolver) -> R<Json> {
    let for_each = resolve(map_arg(args, "for_each").expect("checked at parse"), r)?;
    let nested = if permutations {
        map_arg(args, "permutations")
            .and_then(|p| match p {
                Expr::Lit(Json::Bool(b)) => Some(*b),
                _ => None,
            })
            .unwrap_or(true)
    } else {
        true
    };
    let Json::Object(for_each) = for_each else {
        return err(format!(
            "'{}' object has no attribute 'items'",
            type_name(&for_each)
        ));
    };
    if for_each.is_empty() {
        return err("not enough values to unpack (expected 2, got 0)");
    }
    let mut keys = Vec::new();
    let mut lists: Vec<Vec<Json>> = Vec::new();
    let mut lens = Vec::new();
    for (k, v) in &for_each {
        keys.push(k.clone());
        match v {
            Json::Null => lists.push(Vec::new()),
            Json::Array(a) => {
                lens.push(a.len());
                lists.push(a.clone());
            }
            Json::Object(o) if maps && nested => {
                lens.push(o.len());
                lists.push(o.keys().map(|k| Json::String(k.clone())).collect());
            }
            _ => {
                let what = if maps && nested {
                    "lists or maps"
                } else {
                    "lists"
                };
                return err(format!(
                    "The values of the \"for_each\" argument to \"{name}\" must be {what}"
                ));
            }
        }
    }
    if !nested && !lens.is_empty() && lens.iter().any(|l| *l != lens[0]) {
        return err(format!(
            "For {name}, the length of for_each values should be equal if no nested loop."
        ));
    }
    let template = resolve(map_arg(args, "template").expect("checked at parse"), r)?;
    let combos: Vec<Vec<&Json>> = if nested {
        let mut combos: Vec<Vec<&Json>> = vec![Vec::new()];
        for list in &lists {
            let mut next = Vec::with_capacity(combos.len() * list.len());
            for c in &combos {
                for item in list {
                    let mut c2 = c.clone();
                    c2.push(item);
                    next.push(c2);
                }
            }
            combos = next;
        }
        combos
    } else {
        let n = lists.iter().map(Vec::len).min().unwrap_or(0);
        (0..n)
            .map(|i| lists.iter().map(|l| &l[i]).collect())
            .collect()
    };
    let mut out = Vec::with_capacity(combos.len());
    for combo in combos {
        out.push(substitute(&keys, &combo, &template)?);
    }
    Ok(Json::Array(out))
}

fn substitute(keys: &[String], values: &[&Json], template: &Json) -> R<Json> {
    Ok(match template {
        Json::String(s) => {
            let mut s = s.clone();
            for (k, v) in keys.iter().zip(values) {
                let Json::String(v) = v else {
                    return err(format!(
                        "replace() argument 2 must be str, not {}",
                        type_name(v)
                    ));
                };
                s = s.replace(k.as_str(), v);
            }
            Json::String(s)
        }
        Json::Array(a) => Json::Array(
            a.iter()
                .map(|e| substitute(keys, values, e))
                .collect::<R<_>>()?,
        ),
        Json::Object(o) => {
            let mut out = serde_json::Map::new();
            for (k, v) in o {
                let k2 = substitute(keys, values, &Json::String(k.clone()))?;
                out.insert(
                    k2.as_str().unwrap_or_default().to_string(),
                    substitute(keys, values, v)?,
                );
            }
            Json::Object(out)
        }
        other => other.clone(),
    })
}

fn map_merge(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let args = resolve(args, r)?;
    let items: Vec<Json> = match args {
        Json::Array(a) => a,
        Json::String(s) => s.chars().map(|c| Json::String(c.to_string())).collect(),
        _ => {
            return err(format!(
                "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ {{ \"key1\": \"val1\" }}, {{ \"key2\": \"val2\" }} ]"
            ))
        }
    };
    let mut out = serde_json::Map::new();
    for m in items {
        match m {
            Json::Null => {}
            Json::Object(o) => out.extend(o),
            _ => return err("Incorrect arguments: Items to merge must be maps."),
        }
    }
    Ok(Json::Object(out))
}

fn map_replace(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let example = format!(
        "\"{name}\" : [ {{ \"key1\": \"val1\" }}, {{\"keys\": {{\"key1\": \"key2\"}}, \"values\": {{\"val1\": \"val2\"}}}}]"
    );
    let ensure_map = |m: &Json| -> R<serde_json::Map<String, Json>> {
        match m {
            Json::Null => Ok(Default::default()),
            Json::Object(o) => Ok(o.clone()),
            _ => err(format!(
                "Incorrect arguments: to \"{name}\", arguments must be a list of maps. Example:  {example}"
            )),
        }
    };
    let args = resolve(args, r)?;
    let Json::Array(a) = args else {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    };
    if a.is_empty() {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    }
    let in_map = ensure_map(&a[0])?;
    let Some(second) = a.get(1) else {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    };
    let repl = ensure_map(second)?;
    if a.len() != 2 {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    }
    if repl.keys().any(|k| k != "keys" && k != "values") {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        ));
    }
    let keys = ensure_map(repl.get("keys").unwrap_or(&Json::Null))?;
    let values = ensure_map(repl.get("values").unwrap_or(&Json::Null))?;
    let mut out = serde_json::Map::new();
    for (k, v) in &in_map {
        let key = match keys.get(k) {
            None | Some(Json::Null) => k.clone(),
            Some(new) => {
                let new = str_of(new);
                if in_map.contains_key(&new) && new != *k {
                    return err(format!(
                        "key replacement {new} collides with a key in the input map"
                    ));
                }
                if out.contains_key(&new) {
                    return err(format!(
                        "key replacement {new} collides with a key in the output map"
                    ));
                }
                new
            }
        };
        let value = match v {
            Json::String(s) => values.get(s).cloned().unwrap_or_else(|| v.clone()),
            Json::Number(_) | Json::Bool(_) => values
                .get(&str_of(v))
                .filter(|_| false)
                .cloned()
                .unwrap_or_else(|| v.clone()),
            _ => v.clone(),
        };
        out.insert(key, value);
    }
    Ok(Json::Object(out))
}

fn filter(args: &Expr, r: &dyn Resolver) -> R<Json> {
    let items = list_items(args);
    let sequence = resolve(&items[1], r)?;
    if !truthy(&sequence) {
        return Ok(sequence);
    }
    let Json::Array(seq) = sequence else {
        return err("\"filter\" only works with lists");
    };
    let values = resolve(&items[0], r)?;
    if !truthy(&values) {
        return Ok(Json::Array(seq));
    }
    let Json::Array(values) = values else {
        return err("\"filter\" filters a list of values");
    };
    Ok(Json::Array(
        seq.into_iter()
            .filter(|i| !values.iter().any(|v| eq(v, i)))
            .collect(),
    ))
}

const URL_KEYS: [&str; 8] = [
    "scheme", "username", "password", "host", "port", "path", "query", "fragment",
];

/// Heat's `make_url` argument checks; on unresolved arguments (validation)
/// calls are accepted where a value is expected.
pub(super) fn make_url_check(args: &Expr, name: &str, unresolved: bool) -> Result<(), String> {
    let Expr::Map(m) = args else {
        if unresolved {
            return Err(format!("The arguments to \"{name}\" must be a map"));
        }
        return Ok(());
    };
    let invalid: Vec<&str> = m
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !URL_KEYS.contains(k))
        .collect();
    if !invalid.is_empty() {
        return Err(format!(
            "Invalid arguments to \"{name}\": {}",
            invalid.join(", ")
        ));
    }
    let json_args = args.to_json();
    check_url_values(m.iter().map(|(k, v)| (k.as_str(), v)), name, &json_args)
}

fn check_url_values<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Expr)>,
    name: &str,
    all: &Json,
) -> Result<(), String> {
    let entries: Vec<(&str, &Expr)> = entries.collect();
    for key in URL_KEYS {
        let Some((_, v)) = entries.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        if v.is_call() {
            if key == "query" {
                return Ok(());
            }
            continue;
        }
        match key {
            "query" => {
                if !matches!(v, Expr::Map(_)) {
                    return Err(format!(
                        "The \"{key}\" argument to \"{name}\" must be a map"
                    ));
                }
                return Ok(());
            }
            "port" => {
                let port = match v {
                    Expr::Lit(Json::Number(n)) if n.is_i64() => n.as_i64(),
                    Expr::Lit(Json::Bool(b)) => Some(*b as i64),
                    Expr::Lit(p) => match to_int(p) {
                        Some(i) => Some(i),
                        None => {
                            return Err(format!(
                                "Invalid URL port \"{}\" for {name} called with {}",
                                str_of(p),
                                repr(all)
                            ))
                        }
                    },
                    _ => None,
                };
                if let Some(p) = port {
                    if !(1..=65535).contains(&p) {
                        return Err(format!("Invalid URL port {p}, must be in range 1-65535"));
                    }
                }
            }
            _ => {
                if v.as_str().is_none() {
                    return Err(format!(
                        "The \"{key}\" argument to \"{name}\" must be a string"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn make_url(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let resolved = resolve(args, r)?;
    let Json::Object(o) = &resolved else {
        return err(format!("The arguments to \"{name}\" must be a map"));
    };
    let as_exprs: Vec<(String, Expr)> = o.iter().map(|(k, v)| (k.clone(), lit_expr(v))).collect();
    check_url_values(
        as_exprs.iter().map(|(k, v)| (k.as_str(), v)),
        name,
        &resolved,
    )
    .map_err(FnError::resolve)?;
    let get = |k: &str| o.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let scheme = get("scheme");
    if scheme.contains(':') {
        return err("URL \"scheme\" should not contain ':'");
    }
    let mut netloc = String::new();
    let username = quote(&get("username"), "");
    let password = quote(&get("password"), "");
    if !username.is_empty() || !password.is_empty() {
        netloc.push_str(&username);
        if !password.is_empty() {
            netloc.push(':');
            netloc.push_str(&password);
        }
        netloc.push('@');
    }
    let mut host = get("host");
    if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
        host = host[1..host.len() - 1].to_string();
    }
    let mut host = quote(&host, ":");
    if host.contains(':') {
        host = format!("[{host}]");
    }
    netloc.push_str(&host);
    if let Some(port) = o.get("port").filter(|p| truthy(p)) {
        netloc.push(':');
        netloc.push_str(&str_of(port));
    }
    let path = quote(&get("path"), "/");
    let query = match o.get("query") {
        Some(Json::Object(q)) => q
            .iter()
            .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(&str_of(v))))
            .collect::<Vec<_>>()
            .join("&")
            .replace("%2F", "/"),
        _ => String::new(),
    };
    let fragment = quote(&get("fragment"), "/");
    Ok(Json::String(urlunsplit(
        &scheme, &netloc, &path, &query, &fragment,
    )))
}

fn lit_expr(v: &Json) -> Expr {
    match v {
        Json::Object(o) => Expr::Map(o.iter().map(|(k, v)| (k.clone(), lit_expr(v))).collect()),
        Json::Array(a) => Expr::List(a.iter().map(lit_expr).collect()),
        other => Expr::Lit(other.clone()),
    }
}

/// Python's `urllib.parse.quote` (UTF-8, uppercase hex).
fn quote(s: &str, safe: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "_.-~".contains(c) || safe.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn quote_plus(s: &str) -> String {
    quote(s, " ").replace(' ', "+")
}

const USES_NETLOC: [&str; 20] = [
    "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
    "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp",
];

fn urlunsplit(scheme: &str, netloc: &str, path: &str, query: &str, fragment: &str) -> String {
    let mut url = path.to_string();
    if !netloc.is_empty()
        || (!scheme.is_empty() && USES_NETLOC.contains(&scheme) && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url = format!("/{url}");
        }
        url = format!("//{netloc}{url}");
    }
    if !scheme.is_empty() {
        url = format!("{scheme}:{url}");
    }
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    if !fragment.is_empty() {
        url = format!("{url}#{fragment}");
    }
    url
}

fn list_concat(args: &Expr, name: &str, unique: bool, r: &dyn Resolver) -> R<Json> {
    let args = resolve(args, r)?;
    let Json::Array(lists) = args else {
        return err(format!(
            "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]"
        ));
    };
    let mut out: Vec<Json> = Vec::new();
    for l in lists {
        match l {
            Json::Null => {}
            Json::Array(a) => out.extend(a),
            _ => return err("Incorrect arguments: Items to concat must be lists."),
        }
    }
    if unique {
        // As Heat 27: each item where it first appears (Python equality).
        let mut kept: Vec<Json> = Vec::with_capacity(out.len());
        for item in out {
            if !kept.iter().any(|x| eq(x, &item)) {
                kept.push(item);
            }
        }
        out = kept;
    }
    Ok(Json::Array(out))
}

fn cidr(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let items = list_items(args);
    let block = resolve(&items[0], r)?;
    let count = to_int(&resolve(&items[1], r)?);
    let bits = to_int(&resolve(&items[2], r)?);
    let (Json::String(block), Some(count), Some(bits)) = (block, count, bits) else {
        return err(format!("\"{name}\" expects [ip_block, count, cidr_bits]"));
    };
    let Some((addr, prefix)) = block.split_once('/') else {
        return err(format!("\"{name}\": {block} is not a CIDR block"));
    };
    let prefix: u32 = prefix
        .parse()
        .map_err(|_| FnError::resolve(format!("\"{name}\": bad prefix in {block}")))?;
    let (base, width): (u128, u32) = if let Ok(v4) = addr.parse::<std::net::Ipv4Addr>() {
        (u32::from(v4) as u128, 32)
    } else if let Ok(v6) = addr.parse::<std::net::Ipv6Addr>() {
        (u128::from(v6), 128)
    } else {
        return err(format!("\"{name}\": {addr} is not an IP address"));
    };
    if bits < 1
        || bits as u32 > width
        || prefix > width
        || (width - bits as u32) < prefix
        || !(1..=256).contains(&count)
    {
        return err(format!(
            "\"{name}\": cannot carve {count} subnets of {bits} bits out of {block}"
        ));
    }
    let new_prefix = width - bits as u32;
    let available = 1u128 << (new_prefix - prefix).min(127);
    if count as u128 > available {
        return err(format!(
            "\"{name}\": {block} holds only {available} subnets of {bits} bits"
        ));
    }
    let mask = if prefix == 0 {
        0
    } else {
        (!0u128 << (width - prefix))
            & (if width == 128 {
                !0
            } else {
                (1u128 << width) - 1
            })
    };
    let start = base & mask;
    let step = 1u128 << bits;
    let mut out = Vec::new();
    for i in 0..count as u128 {
        let net = start + i * step;
        let text = if width == 32 {
            std::net::Ipv4Addr::from(net as u32).to_string()
        } else {
            std::net::Ipv6Addr::from(net).to_string()
        };
        out.push(Json::String(format!("{text}/{new_prefix}")));
    }
    Ok(Json::Array(out))
}
