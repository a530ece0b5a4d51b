//! HOT `parameter_groups`, checked as Heat checks them.

use std::collections::HashMap;

use crate::function::{self};
use crate::parameters::ParamSchema;
use crate::syntax::Node;
use crate::template::{ErrorKind, TemplateError};

use super::err;

pub(super) fn check_parameter_groups(
    groups: &Node,
    params: &[ParamSchema],
    errors: &mut Vec<TemplateError>,
) {
    let e = |m: String, path: String, line: u32| {
        err(
            ErrorKind::Parameter,
            format!("Parameter Groups error: {path}: {m}"),
            path,
            line,
        )
    };
    let Some(list) = groups.as_list() else {
        errors.push(e(
            "The parameter_groups should be a list.".into(),
            "parameter_groups".into(),
            groups.line,
        ));
        return;
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for g in list {
        let label = g
            .as_map()
            .and_then(|m| m.get("label"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let path = format!("parameter_groups.{label}");
        let Some(ps) = g.as_map().and_then(|m| m.get("parameters")) else {
            errors.push(e(
                "The parameters must be provided for each parameter group.".into(),
                path,
                g.line,
            ));
            continue;
        };
        let Some(items) = ps.as_list() else {
            errors.push(e(
                "The parameters of parameter group should be a list.".into(),
                path,
                ps.line,
            ));
            continue;
        };
        for item in items {
            let name = function::python::str_of(&item.to_json());
            *seen.entry(name.clone()).or_default() += 1;
            if seen[&name] == 2 {
                errors.push(e(
                    format!("The {name} parameter must be assigned to one parameter group only."),
                    path.clone(),
                    item.line,
                ));
            }
            if !params.iter().any(|p| p.name == name) {
                errors.push(e(
                    format!("The grouped parameter {name} does not reference a valid parameter."),
                    path.clone(),
                    item.line,
                ));
            }
        }
    }
}
