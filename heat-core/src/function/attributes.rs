//! The functions that read a stack's inputs and resources: `get_param`
//! (a path into a parameter's value) and `get_attr` (a resource's
//! attribute, a group's members' attributes, a CloudFormation nested
//! stack's `Outputs.<name>`), with Heat's answers for missing paths.

use serde_json::Value as Json;

use super::builtins::{err, index_seq, list_items, truthy, R};
use super::eval::{resolve, Resolver};
use super::python::{str_of, to_int};
use super::{AttStyle, Expr, FnError};

pub(super) fn get_param(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
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

pub(super) fn get_attr(args: &Expr, style: AttStyle, r: &dyn Resolver) -> R<Json> {
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
    // From 2015-10-15 a null attribute name is none: every attribute.
    if attr.is_null() && style == AttStyle::All {
        return Ok(r.all_attributes(&res_name).unwrap_or(Json::Null));
    }
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
                _ => {
                    let empty = empty_group_answer(r, &res_name, &attr_name);
                    if !empty.is_null() {
                        return Ok(empty);
                    }
                }
            }
        }
    }
    let value = match r
        .attribute(&res_name, &attr_name)
        .map_err(FnError::resolve)?
    {
        None | Some(Json::Null) => return Ok(empty_group_answer(r, &res_name, &attr_name)),
        Some(v) => v,
    };
    let _ = style;
    Ok(select_path(value, &path))
}

/// What a made group of no members answers for its members' attribute:
/// Heat's groups collect it over their members, so an empty list (an
/// empty map for `outputs`); null for anything else not known.
fn empty_group_answer(r: &dyn Resolver, res_name: &str, attr_name: &str) -> Json {
    match r.attribute(res_name, "refs") {
        Ok(Some(Json::Array(refs))) if refs.is_empty() => {
            if attr_name == "outputs" {
                Json::Object(Default::default())
            } else {
                Json::Array(Vec::new())
            }
        }
        _ => Json::Null,
    }
}
