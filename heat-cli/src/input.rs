//! Reading a template, its environment files, parameter values and the
//! files it references (`get_file`, provider templates) from disk.

use std::path::Path;

use heat_core::definition::Inputs;
use heat_core::environment::Environment;
use heat_core::parameters::{ParamSchema, ParamType};
use heat_core::syntax::{Node, Value};
use heat_core::template::{ErrorKind, Template, TemplateError};

use crate::cli::TemplateInput;

/// A template read from disk with its inputs, or the first error with the
/// file it concerns.
pub struct Loaded {
    /// The template.
    pub template: Template,
    /// Parameter values, environment and files.
    pub inputs: Inputs,
}

/// An error and the file it is about.
pub struct InputError {
    /// The file.
    pub file: String,
    /// The error.
    pub error: TemplateError,
}

fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError {
        file: path.display().to_string(),
        error: TemplateError::new(
            ErrorKind::Syntax,
            format!("cannot read {}: {e}", path.display()),
        ),
    })
}

/// Reads everything a template command needs.
pub fn load(input: &TemplateInput) -> Result<Loaded, InputError> {
    let file = input.template.display().to_string();
    let text = read(&input.template)?;
    let template = Template::parse(&text).map_err(|error| InputError {
        file: file.clone(),
        error,
    })?;
    let types: std::collections::HashMap<String, ParamType> = template
        .section_map("parameters")
        .iter()
        .filter_map(|(name, node)| {
            ParamSchema::from_node(template.dialect, name, node)
                .ok()
                .map(|p| (name.clone(), p.kind))
        })
        .collect();
    let mut env = Environment::default();
    for e in &input.environment {
        let env_file = e.display().to_string();
        let env_text = read(e)?;
        let parsed = Environment::parse(&env_text).map_err(|error| InputError {
            file: env_file.clone(),
            error,
        })?;
        env.merge(parsed, &env_file, &|k| types.get(k).copied())
            .map_err(|m| InputError {
                file: env_file.clone(),
                error: TemplateError::new(ErrorKind::Environment, m.0),
            })?;
    }
    let mut inputs = Inputs {
        registry: env.registry,
        parameters: env.parameters,
        parameter_defaults: env.parameter_defaults,
        ..Inputs::default()
    };
    for p in &input.parameter {
        let Some((k, v)) = p.split_once('=') else {
            return Err(InputError {
                file,
                error: TemplateError::new(
                    ErrorKind::Parameter,
                    format!("--parameter {p}: expected KEY=VALUE"),
                ),
            });
        };
        inputs
            .parameters
            .insert(k.to_string(), serde_json::Value::String(v.to_string()));
    }
    let dir = input.template.parent().unwrap_or(Path::new("."));
    let mut refs = Vec::new();
    for (_, node) in template.root.iter() {
        file_references(node, &mut refs);
    }
    for r in refs {
        if let Ok(content) = std::fs::read_to_string(dir.join(&r)) {
            inputs.files.insert(r, content);
        }
    }
    Ok(Loaded { template, inputs })
}

/// Paths named by `get_file` and by resource types that are template files.
fn file_references(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(m) => {
            for (k, v) in m.iter() {
                let is_ref = (k == "get_file" || k == "type" || k == "Type")
                    && v.as_str().is_some_and(|s| {
                        k == "get_file"
                            || s.ends_with(".yaml")
                            || s.ends_with(".yml")
                            || s.ends_with(".json")
                    });
                if is_ref {
                    out.push(v.as_str().unwrap_or_default().to_string());
                } else {
                    file_references(v, out);
                }
            }
        }
        Value::List(l) => l.iter().for_each(|n| file_references(n, out)),
        _ => {}
    }
}
