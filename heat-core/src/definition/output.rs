//! The outputs: values parsed, conditions applied, references checked.

use crate::function::{self, Context};
use crate::template::{ErrorKind, TemplateError};

use super::*;

impl<'t> StackDefinition<'t> {
    pub(super) fn output_defs(
        &self,
        ctx: &Context<'_>,
        errors: &mut Vec<TemplateError>,
    ) -> Vec<OutputDef> {
        let hot = self.template.dialect.is_hot();
        let sec = self.template.section_name("outputs");
        let Some(node) = self.template.section("outputs").filter(|n| !n.is_falsy()) else {
            return Vec::new();
        };
        let Some(map) = node.as_map() else {
            errors.push(err(
                ErrorKind::Output,
                format!(
                    "The {sec} section must be a map of output names to definitions; found {}",
                    node.kind_words()
                ),
                sec,
                node.line,
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        let value_key = if hot { "value" } else { "Value" };
        for (name, o) in map.iter() {
            let path = format!("{sec}.{name}");
            let Some(om) = o.as_map() else {
                errors.push(err(
                    ErrorKind::Output,
                    format!("Output validation error: {path}: Output definitions must be a map. Found a {} instead", o.python_type()),
                    path,
                    o.line,
                ));
                continue;
            };
            let Some(v) = om.get(value_key) else {
                errors.push(err(
                    ErrorKind::Output,
                    format!("Output validation error: {path}: Each output definition must contain a {value_key} key."),
                    path,
                    o.line,
                ));
                continue;
            };
            let cond_key = if hot { "condition" } else { "Condition" };
            let mut enabled = true;
            if let (Some(c), true) = (om.get(cond_key), has_conditions(self.template.dialect)) {
                let cpath = format!("{path}.{cond_key}");
                match function::parse(c, ctx, &cpath, true).and_then(|e| {
                    let v = function::resolve(&e, self)?;
                    self.is_enabled(&v)
                }) {
                    Ok(b) => enabled = b,
                    Err(e) => {
                        errors.push(TemplateError::from(e.at(&cpath, c.line)));
                        continue;
                    }
                }
            }
            let value = if enabled {
                match function::parse(v, ctx, &format!("{path}.{value_key}"), false) {
                    Ok(e) => Some(e),
                    Err(e) => {
                        errors.push(e.into());
                        continue;
                    }
                }
            } else {
                None
            };
            let description = om
                .get(if hot { "description" } else { "Description" })
                .map(|d| function::python::str_of(&d.to_json()));
            let export = match om.get("Export").filter(|_| !hot) {
                None => None,
                Some(x) => match x.as_map().and_then(|m| m.get("Name")) {
                    Some(n) => match function::parse(n, ctx, &format!("{path}.Export.Name"), false)
                    {
                        Ok(e) => Some(e),
                        Err(e) => {
                            errors.push(e.into());
                            continue;
                        }
                    },
                    None => {
                        errors.push(err(
                            ErrorKind::Output,
                            format!("Output validation error: {path}.Export: Export must be a map with a Name."),
                            format!("{path}.Export"),
                            x.line,
                        ));
                        continue;
                    }
                },
            };
            out.push(OutputDef {
                name: name.clone(),
                description,
                value,
                export,
                line: o.line,
            });
        }
        out
    }
}
