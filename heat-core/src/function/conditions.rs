//! Condition values (`if`, `not`, `and`, `or` operands) and `Fn::Sub`.

use serde_json::Value as Json;

use super::eval::{resolve, Resolver};
use super::python::str_of;
use super::{Expr, FnError};

/// Evaluates a condition operand: a boolean, or the name of a condition.
pub(super) fn condition_value(expr: &Expr, r: &dyn Resolver) -> Result<bool, FnError> {
    let v = resolve(expr, r)?;
    condition_of_value(&v, r)
}

/// Heat's `_get_condition`: booleans are themselves, strings name a
/// condition, null is no condition (true, as Heat's `is_enabled(None)`),
/// anything else is an invalid condition.
pub(super) fn condition_of_value(v: &Json, r: &dyn Resolver) -> Result<bool, FnError> {
    match v {
        Json::Bool(b) => Ok(*b),
        Json::Null => Ok(true),
        Json::String(name) => r.condition(name),
        other => Err(FnError::resolve(format!(
            "Invalid condition \"{}\"",
            str_of(other)
        ))),
    }
}

/// CloudFormation's `Fn::Sub`: `${Param}`, `${Resource}`, `${Resource.Attr}`,
/// `${!Literal}`, and the variables of the two-argument form.
pub(super) fn sub(args: &Expr, r: &dyn Resolver) -> Result<Json, FnError> {
    let (template, vars) = match args {
        Expr::List(items) => {
            let vars = resolve(&items[1], r)?;
            (resolve(&items[0], r)?, vars)
        }
        other => (resolve(other, r)?, Json::Object(Default::default())),
    };
    let Json::String(template) = template else {
        return Err(FnError::resolve("\"Fn::Sub\" template must be a string"));
    };
    let vars = vars.as_object().cloned().unwrap_or_default();
    let mut out = String::with_capacity(template.len());
    let mut rest = template.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        rest = &after[end + 1..];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
            continue;
        }
        let value = sub_variable(name.trim(), &vars, r)?;
        out.push_str(&str_of(&value));
    }
    out.push_str(rest);
    Ok(Json::String(out))
}

fn sub_variable(
    name: &str,
    vars: &serde_json::Map<String, Json>,
    r: &dyn Resolver,
) -> Result<Json, FnError> {
    if let Some(v) = vars.get(name) {
        return Ok(v.clone());
    }
    if r.has_resource(name) {
        return Ok(r.reference_id(name));
    }
    if r.has_parameter(name) {
        return r.parameter(name).map_err(FnError::resolve);
    }
    if let Some((res, attr)) = name.split_once('.') {
        if r.has_resource(res) {
            return Ok(r
                .attribute(res, attr)
                .map_err(FnError::resolve)?
                .unwrap_or(Json::Null));
        }
    }
    Err(FnError::resolve(format!(
        "\"Fn::Sub\": the variable \"{name}\" is not a parameter, resource or attribute"
    )))
}

/// The names `Fn::Sub` refers to in a template string (for dependencies).
pub fn sub_references(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') {
            out.push(name.trim().to_string());
        }
        rest = &after[end + 1..];
    }
    out
}
