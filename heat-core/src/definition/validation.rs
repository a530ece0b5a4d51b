//! The functions' own checks over a definition (arguments, references,
//! attributes, versions) in resources and outputs, placed at their paths.

use std::collections::HashSet;

use super::{cfn_field, err, suffix, StackDefinition};
use crate::function;
use crate::template::{ErrorKind, TemplateError};

impl StackDefinition<'_> {
    /// Problems each function of the enabled resources and the outputs
    /// finds validating itself; a path where an `earlier` check found a
    /// problem (a reference to no resource) has it said once.
    pub(super) fn function_problems(&self, earlier: &[TemplateError]) -> Vec<TemplateError> {
        let def = self;
        let template = def.template;
        let hot = template.dialect.is_hot();
        let res_section = template.section_name("resources");
        let earlier: HashSet<&str> = earlier.iter().map(|e| e.path.as_str()).collect();
        let mut found = Vec::new();
        for r in def.resources.iter().filter(|r| r.enabled) {
            let base = format!("{res_section}.{}", r.name);
            for (field, expr) in [
                ("properties", &r.properties),
                ("metadata", &r.metadata),
                ("update_policy", &r.update_policy),
            ] {
                if let Some(e) = expr {
                    if let Err(fe) = function::validate(e, def) {
                        let field = if hot {
                            field.to_string()
                        } else {
                            cfn_field(field).to_string()
                        };
                        found.push(TemplateError::from(
                            fe.at(&format!("{base}.{field}"), r.line),
                        ));
                    }
                }
            }
        }
        for o in &def.outputs {
            if let Some(v) = &o.value {
                if let Err(fe) = function::validate(v, def) {
                    let sec = template.section_name("outputs");
                    let field = if hot { "value" } else { "Value" };
                    found.push(err(
                        ErrorKind::Output,
                        fe.message,
                        format!("{sec}.{}.{field}{}", o.name, suffix(&fe.path)),
                        if fe.line > 0 { fe.line } else { o.line },
                    ));
                }
            }
        }
        found
            .into_iter()
            .filter(|e| !earlier.contains(e.path.as_str()))
            .collect()
    }
}
