//! A resource whose type is a template (a nested template named by file,
//! or a type the environment maps to one): as Heat's `TemplateResource`
//! when the parent is validated, the template must load (parse, version,
//! parameter schemas), the resource's properties must be among its
//! parameters, and it takes no update policy. Values are checked when the
//! nested stack is made.

use crate::function::Expr;
use crate::parameters::ParamSchema;
use crate::template::{ErrorKind, Template, TemplateError};

use super::{err, ResourceDef};

/// The problems of `r`, whose type is the template `file` (its `text`).
pub(super) fn check_provider(
    r: &ResourceDef,
    file: &str,
    text: &str,
    path: &str,
    hot: bool,
    errors: &mut Vec<TemplateError>,
) {
    let type_key = if hot { "type" } else { "Type" };
    let refuse = |message: String| {
        err(
            ErrorKind::Resource,
            message,
            format!("{path}.{type_key}"),
            r.line,
        )
    };
    let template = match Template::parse(text) {
        Ok(t) => t,
        Err(e) => {
            errors.push(refuse(format!("Failed to load the template {file}: {e}")));
            return;
        }
    };
    let mut parameters = Vec::new();
    for (name, node) in template.section_map("parameters").iter() {
        match ParamSchema::from_node(template.dialect, name, node) {
            Ok(_) => parameters.push(name.clone()),
            Err(m) => {
                errors.push(refuse(format!("{file}: parameters.{name}: {m}")));
                return;
            }
        }
    }
    let field = if hot { "properties" } else { "Properties" };
    if let Some(Expr::Map(props)) = &r.properties {
        for (k, _) in props.iter().filter(|(k, _)| !parameters.contains(k)) {
            errors.push(err(
                ErrorKind::Resource,
                format!("Property error: {path}.{field}: Unknown Property {k}"),
                format!("{path}.{field}.{k}"),
                r.line,
            ));
        }
    }
    let policy_key = if hot { "update_policy" } else { "UpdatePolicy" };
    if let Some(Expr::Map(policy)) = &r.update_policy {
        if let Some((k, _)) = policy.first() {
            errors.push(err(
                ErrorKind::Resource,
                format!("Property error: {path}.{policy_key}: Unknown Property {k}"),
                format!("{path}.{policy_key}.{k}"),
                r.line,
            ));
        }
    }
}
