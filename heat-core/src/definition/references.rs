//! What an expression refers to (parameters, resources, attributes), for
//! the dependency graph and for Heat's reference errors.

use crate::function::{self, Call, Expr, FnKind, Resolver};
use crate::template::{ErrorKind, TemplateError};

use super::*;

impl<'t> StackDefinition<'t> {
    /// The resources a resource's properties reference, each with whether
    /// the reference reads its attributes (`get_attr`, `Fn::GetAtt`,
    /// `Fn::Sub`) rather than only its id (`get_resource`, `Ref`).
    pub fn property_references(&self, resource: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        if let Some(p) = self
            .resources
            .iter()
            .find(|r| r.name == resource)
            .and_then(|r| r.properties.as_ref())
        {
            self.references(p, "", &mut out, &mut errors);
        }
        let mut refs: Vec<(String, bool)> = out
            .into_iter()
            .map(|(name, path)| {
                let by_id = path.ends_with(".get_resource") || path.ends_with(".Ref");
                (name, !by_id)
            })
            .collect();
        refs.sort();
        refs.dedup();
        refs
    }

    /// The resources an output's value references (sorted, once each).
    pub fn output_references(&self, output: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        if let Some(v) = self
            .outputs
            .iter()
            .find(|o| o.name == output)
            .and_then(|o| o.value.as_ref())
        {
            self.references(v, "", &mut out, &mut errors);
        }
        let mut names: Vec<String> = out.into_iter().map(|(name, _)| name).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Walks a snippet for the resources it references (`get_resource`,
    /// `get_attr`, `Ref`, `Fn::Sub`), following only the chosen branch of
    /// an `if`.
    pub(super) fn references(
        &self,
        e: &Expr,
        path: &str,
        out: &mut Vec<(String, String)>,
        errors: &mut Vec<TemplateError>,
    ) {
        match e {
            Expr::Lit(_) => {}
            Expr::List(l) => {
                for (i, x) in l.iter().enumerate() {
                    self.references(x, &format!("{path}[{i}]"), out, errors);
                }
            }
            Expr::Map(m) => {
                for (k, x) in m {
                    self.references(x, &format!("{path}.{k}"), out, errors);
                }
            }
            Expr::Call(c) => self.call_references(c, path, out, errors),
        }
    }

    fn call_references(
        &self,
        c: &Call,
        path: &str,
        out: &mut Vec<(String, String)>,
        errors: &mut Vec<TemplateError>,
    ) {
        let inner = format!("{path}.{}", c.name);
        match c.kind {
            FnKind::If { .. } => {
                let Expr::List(items) = &c.args else { return };
                let chosen = function::resolve(&items[0], self).and_then(|v| self.is_enabled(&v));
                match chosen {
                    Ok(true) => self.references(&items[1], &format!("{inner}[1]"), out, errors),
                    Ok(false) => {
                        if let Some(x) = items.get(2) {
                            self.references(x, &format!("{inner}[2]"), out, errors)
                        }
                    }
                    Err(e) => errors.push(TemplateError::from(e.at(&inner, c.line))),
                }
                return;
            }
            FnKind::GetResource | FnKind::GetAtt(_) => {
                self.references(&c.args, &inner, out, errors);
                let target = match (&c.kind, &c.args) {
                    (FnKind::GetResource, a) => a,
                    (_, Expr::List(items)) => &items[0],
                    _ => return,
                };
                match function::resolve(target, self) {
                    Ok(v) => {
                        let name = function::python::str_of(&v);
                        if v.is_string() && self.has_resource(&name) {
                            out.push((name, inner));
                        } else {
                            errors.push(err(
                                ErrorKind::Reference,
                                format!(
                                    "The specified reference \"{name}\" (in {}) is incorrect.{}",
                                    heat_path(path),
                                    crate::suggest::did_you_mean(
                                        &name,
                                        self.resources.iter().map(|r| r.name.as_str())
                                    )
                                ),
                                inner,
                                c.line,
                            ));
                        }
                    }
                    Err(e) => errors.push(TemplateError::from(e.at(&inner, c.line))),
                }
                return;
            }
            FnKind::Sub => {
                let template = match &c.args {
                    Expr::List(items) => items[0].as_str(),
                    other => other.as_str(),
                };
                if let Some(t) = template {
                    for name in function::sub_references(t) {
                        let res = name.split_once('.').map_or(name.as_str(), |(r, _)| r);
                        if self.has_resource(res) {
                            out.push((res.to_string(), inner.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
        self.references(&c.args, &inner, out, errors);
    }
}

/// Heat's spelling of a path in reference errors: `web.Properties.networks[0]`
/// for `resources.web.properties.networks[0]`.
pub(super) fn heat_path(path: &str) -> String {
    let rest = path
        .strip_prefix("resources.")
        .or_else(|| path.strip_prefix("Resources."))
        .unwrap_or(path);
    let mut parts = rest.splitn(3, '.');
    let (name, field, tail) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next(),
    );
    let field = match field {
        "properties" => "Properties",
        "metadata" => "Metadata",
        other => other,
    };
    match tail {
        Some(t) => format!("{name}.{field}.{t}"),
        None => format!("{name}.{field}"),
    }
}

pub(super) fn suffix(fn_path: &str) -> String {
    if fn_path.is_empty() {
        String::new()
    } else if fn_path.starts_with('.') || fn_path.starts_with('[') {
        fn_path.to_string()
    } else {
        format!(".{fn_path}")
    }
}
