//! What each function computes (Heat's `result()`), with Heat's messages.

use serde_json::Value as Json;

use super::attributes::{get_attr, get_param};
use super::digest::digest;
use super::eval::{resolve, resolve_nullable, Resolver};
use super::python::{eq, kind_words, repr, str_of, to_int, type_name};
use super::strings::{join, replace, str_split};
use super::url::make_url;
use super::{Call, Expr, FnError, FnKind, ReplaceStyle};

pub(super) type R<T> = Result<T, FnError>;

pub(super) fn err<T>(message: impl Into<String>) -> R<T> {
    Err(FnError::resolve(message))
}

pub(super) fn list_items(args: &Expr) -> &[Expr] {
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
pub(super) fn index_seq(seq: &Json, i: i64) -> Option<Json> {
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
            "for_each must be a map of loop variables to lists; found {}",
            kind_words(&for_each)
        ));
    };
    if for_each.is_empty() {
        return err("for_each must name at least one loop variable");
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
            // A key must be hashable in Python.
            Some(new @ (Json::Array(_) | Json::Object(_))) => {
                return err(format!(
                    "a new key must be a string or a number; found {}",
                    kind_words(new)
                ))
            }
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
