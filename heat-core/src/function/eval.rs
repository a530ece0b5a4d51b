//! Evaluation of an [`Expr`] through a [`Resolver`], and validation without
//! evaluation.

use serde_json::Value as Json;

use super::{builtins, Call, Expr, FnError, FnKind, Stage};

/// What evaluation needs from the stack around a template: parameters,
/// resources and their attributes, files, conditions.
///
/// Before anything is created, a resolver answers `None` for attributes and
/// the logical name as a resource's reference; the engine's resolver answers
/// with the cloud's values.
pub trait Resolver {
    /// The value of a parameter or pseudo parameter; `Err` with Heat's
    /// message when it has no value or does not exist.
    fn parameter(&self, name: &str) -> Result<Json, String>;
    /// Whether a parameter (or pseudo parameter) of that name exists.
    fn has_parameter(&self, name: &str) -> bool;
    /// Whether a resource of that name exists (and is enabled).
    fn has_resource(&self, name: &str) -> bool;
    /// A resource's reference (`get_resource`, `Ref`): its physical id once
    /// created, its name before.
    fn reference_id(&self, name: &str) -> Json;
    /// An attribute of a resource; `Ok(None)` while the resource is not
    /// ready to give attributes.
    fn attribute(&self, resource: &str, attribute: &str) -> Result<Option<Json>, String>;
    /// Every attribute of a resource (`get_attr: [name]`), `None` while not ready.
    fn all_attributes(&self, resource: &str) -> Option<Json>;
    /// Whether the resource's type has the attribute; `None` when unknown.
    fn has_attribute(&self, resource: &str, attribute: &str) -> Option<bool>;
    /// A file from the files map (`get_file`).
    fn file(&self, key: &str) -> Option<String>;
    /// The availability zones (`Fn::GetAZs`).
    fn availability_zones(&self) -> Vec<String>;
    /// A named condition's value; `Err` for an unknown name or a failed
    /// evaluation.
    fn condition(&self, name: &str) -> Result<bool, FnError>;
    /// Whether the template defines a condition of that name.
    fn has_condition(&self, _name: &str) -> bool {
        true
    }
    /// A mapping of the `Mappings` section.
    fn mapping(&self, name: &str) -> Option<Json>;
    /// Data of the parent (facade) resource of a nested stack:
    /// `metadata`, `update_policy` or `deletion_policy`.
    fn facade(&self, what: &str) -> Result<Json, String>;
    /// A value exported by another stack (`Fn::ImportValue`).
    fn export(&self, _name: &str) -> Option<Json> {
        None
    }
    /// The stack's region (for `Fn::Sub`'s `${AWS::Region}` and `Fn::GetAZs`).
    fn region(&self) -> String {
        self.parameter("AWS::Region")
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Evaluates a snippet to plain data.
pub fn resolve(expr: &Expr, r: &dyn Resolver) -> Result<Json, FnError> {
    Ok(resolve_nullable(expr, r)?.unwrap_or(Json::Null))
}

/// Evaluates a snippet; `None` means a nullable `if` removed the value.
pub fn resolve_nullable(expr: &Expr, r: &dyn Resolver) -> Result<Option<Json>, FnError> {
    match expr {
        Expr::Lit(v) => Ok(Some(v.clone())),
        Expr::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(v) =
                    resolve_nullable(item, r).map_err(|e| e.under(&format!("[{i}]")))?
                {
                    out.push(v);
                }
            }
            Ok(Some(Json::Array(out)))
        }
        Expr::Map(entries) => {
            let mut out = serde_json::Map::with_capacity(entries.len());
            for (k, v) in entries {
                if let Some(v) = resolve_nullable(v, r).map_err(|e| e.under(k))? {
                    out.insert(k.clone(), v);
                }
            }
            Ok(Some(Json::Object(out)))
        }
        Expr::Call(call) => builtins::call(call, r).map_err(|e| e.at(&call.name, call.line)),
    }
}

/// Validates every function of a snippet without evaluating what need not
/// be evaluated (Heat's `function.validate`).
pub fn validate(expr: &Expr, r: &dyn Resolver) -> Result<(), FnError> {
    match expr {
        Expr::Lit(_) => Ok(()),
        Expr::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, e)| validate(e, r).map_err(|err| err.under(&format!("[{i}]")))),
        Expr::Map(entries) => entries
            .iter()
            .try_for_each(|(k, e)| validate(e, r).map_err(|err| err.under(k))),
        Expr::Call(call) => {
            // An argument's problem is placed under its function, as Heat
            // says it (`value.str_replace: params.host.get_attr: ...`).
            validate(&call.args, r).map_err(|e| e.under(&call.name))?;
            validate_call(call, r).map_err(|e| e.at(&call.name, call.line))
        }
    }
}

fn verr(message: impl Into<String>) -> FnError {
    FnError::new(Stage::Validate, message)
}

fn validate_call(call: &Call, r: &dyn Resolver) -> Result<(), FnError> {
    let name = &call.name;
    match call.kind {
        FnKind::Removed => Err(verr(format!(
            "The template version is invalid: The function {name} is not supported in this version of HOT."
        ))),
        FnKind::GetAtt(style) => {
            let Expr::List(args) = &call.args else { return Ok(()) };
            // From 2014-10-16 Heat keys its attribute data by the path: a
            // list or a map in it is not hashable.
            if matches!(style, super::AttStyle::Path | super::AttStyle::All) {
                for item in args.iter().skip(2) {
                    match item {
                        Expr::List(_) | Expr::Map(_) => {
                            return Err(verr(
                                "an attribute path holds names and indexes, not a list or a map",
                            ))
                        }
                        _ => {}
                    }
                }
            }
            let res = resolve(&args[0], r).map_err(|e| FnError { stage: Stage::Validate, ..e })?;
            let res_name = super::python::str_of(&res);
            if !res.is_string() || !r.has_resource(&res_name) {
                return Err(verr(format!(
                    "The specified reference \"{res_name}\" (in unknown) is incorrect."
                )));
            }
            let Some(attr) = args.get(1) else { return Ok(()) };
            let attr = resolve(attr, r).map_err(|e| FnError { stage: Stage::Validate, ..e })?;
            if attr.is_null() && call.kind == FnKind::GetAtt(super::AttStyle::All) {
                return Ok(());
            }
            let attr_name = super::python::str_of(&attr);
            if r.has_attribute(&res_name, &attr_name) == Some(false) {
                return Err(verr(format!(
                    "The Referenced Attribute ({res_name} {attr_name}) is incorrect."
                )));
            }
            Ok(())
        }
        FnKind::Repeat { .. } => {
            let Expr::Map(m) = &call.args else { return Ok(()) };
            match m.iter().find(|(k, _)| k == "for_each").map(|(_, v)| v) {
                Some(Expr::Map(_) | Expr::Call(_)) | None => Ok(()),
                Some(_) => Err(verr(format!(
                    "The \"for_each\" argument to \"{name}\" must contain a map"
                ))),
            }
        }
        FnKind::MakeUrl => super::url::make_url_check(&call.args, name, true).map_err(verr),
        // Heat's `if` is a macro: its condition is read when the template
        // is parsed, so a condition that is not one is refused then (one
        // given by a function is evaluated later).
        FnKind::If { .. } => {
            let Expr::List(items) = &call.args else { return Ok(()) };
            match items.first() {
                Some(Expr::Lit(Json::String(c))) if !r.has_condition(c) => {
                    Err(verr(format!("Invalid condition \"{c}\"")))
                }
                Some(Expr::Lit(Json::String(_) | Json::Bool(_) | Json::Null) | Expr::Call(_))
                | None => Ok(()),
                Some(other) => {
                    let shown = resolve(other, r).map(|v| super::python::str_of(&v)).unwrap_or_default();
                    Err(verr(format!("Invalid condition \"{shown}\"")))
                }
            }
        }
        FnKind::Yaql => {
            let Expr::Map(m) = &call.args else { return Ok(()) };
            match m.iter().find(|(k, _)| k == "expression").map(|(_, v)| v) {
                Some(Expr::Lit(Json::String(s))) => super::yaql::parse(s).map(|_| ()).map_err(|e| verr(format!("Bad expression {e}."))),
                Some(Expr::Call(_)) | None => Ok(()),
                Some(_) => Err(verr(format!("The \"expression\" argument to {name} must contain a string."))),
            }
        }
        _ => Ok(()),
    }
}

/// Partial evaluation: everything that can be computed now is, and what
/// depends on attributes not yet known (a resource not created) stays a
/// function call, its arguments partially evaluated. Used for previews and
/// plans.
pub fn partial(expr: &Expr, r: &dyn Resolver) -> Result<Expr, FnError> {
    match expr {
        Expr::Lit(_) => Ok(expr.clone()),
        Expr::List(items) => Ok(Expr::List(
            items
                .iter()
                .map(|e| partial(e, r))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Map(entries) => Ok(Expr::Map(
            entries
                .iter()
                .map(|(k, e)| Ok((k.clone(), partial(e, r)?)))
                .collect::<Result<_, FnError>>()?,
        )),
        Expr::Call(call) => {
            if let FnKind::If { .. } = call.kind {
                if !depends_on_unknown(&call.args, r) {
                    return Ok(literal(resolve(expr, r)?));
                }
                // The condition never depends on attributes: choose the branch now.
                let Expr::List(items) = &call.args else {
                    return Ok(expr.clone());
                };
                return match (
                    super::conditions::condition_value(&items[0], r)?,
                    items.get(2),
                ) {
                    (true, _) => partial(&items[1], r),
                    (false, Some(other)) => partial(other, r),
                    (false, None) => Ok(Expr::Lit(Json::Null)),
                };
            }
            let args = partial(&call.args, r)?;
            let unknown_attr =
                matches!(call.kind, FnKind::GetAtt(_)) && attribute_unknown(&args, r);
            if unknown_attr || contains_call(&args) {
                return Ok(Expr::Call(Box::new(super::Call {
                    args,
                    ..(**call).clone()
                })));
            }
            let evaluated = super::Call {
                args,
                ..(**call).clone()
            };
            Ok(literal(
                builtins::call(&evaluated, r)
                    .map_err(|e| e.at(&call.name, call.line))?
                    .unwrap_or(Json::Null),
            ))
        }
    }
}

fn contains_call(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => false,
        Expr::List(l) => l.iter().any(contains_call),
        Expr::Map(m) => m.iter().any(|(_, v)| contains_call(v)),
        Expr::Call(_) => true,
    }
}

fn attribute_unknown(args: &Expr, r: &dyn Resolver) -> bool {
    let Expr::List(items) = args else {
        return false;
    };
    let Some(res) = items.first().and_then(Expr::as_str) else {
        return true;
    };
    match items.get(1) {
        None => r.all_attributes(res).is_none(),
        Some(Expr::Lit(Json::String(attr))) => matches!(r.attribute(res, attr), Ok(None)),
        Some(_) => true,
    }
}

fn depends_on_unknown(e: &Expr, r: &dyn Resolver) -> bool {
    match e {
        Expr::Lit(_) => false,
        Expr::List(l) => l.iter().any(|x| depends_on_unknown(x, r)),
        Expr::Map(m) => m.iter().any(|(_, x)| depends_on_unknown(x, r)),
        Expr::Call(c) => {
            (matches!(c.kind, FnKind::GetAtt(_)) && attribute_unknown(&c.args, r))
                || depends_on_unknown(&c.args, r)
        }
    }
}

/// A plain value as an expression.
pub fn literal(v: Json) -> Expr {
    match v {
        Json::Array(a) => Expr::List(a.into_iter().map(literal).collect()),
        Json::Object(o) => Expr::Map(o.into_iter().map(|(k, v)| (k, literal(v))).collect()),
        other => Expr::Lit(other),
    }
}
