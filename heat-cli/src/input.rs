//! Reading a template, its environment files, parameter values and the
//! files it references (`get_file`, provider templates) from disk.

use std::path::{Path, PathBuf};

use heat_core::definition::Inputs;
use heat_core::engine::StackSource;
use heat_core::environment::Environment;
use heat_core::parameters::{ParamSchema, ParamType};
use heat_core::syntax::{Node, Value};
use heat_core::template::{ErrorKind, Template, TemplateError};
use serde_json::Value as Json;

use crate::cli::TemplateInput;

/// A template read from disk with its inputs.
pub struct Loaded {
    /// The template.
    pub template: Template,
    /// Parameter values, environment and files, for validation.
    pub inputs: Inputs,
    /// The same, as a stack is created from it.
    pub source: StackSource,
}

/// An error and the file it is about.
pub struct InputError {
    /// The file.
    pub file: String,
    /// The error.
    pub error: TemplateError,
}

impl InputError {
    fn new(file: &Path, kind: ErrorKind, message: impl Into<String>) -> Self {
        InputError {
            file: file.display().to_string(),
            error: TemplateError::new(kind, message),
        }
    }
}

fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| {
        InputError::new(
            path,
            ErrorKind::Syntax,
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// Reads everything a template command needs.
pub fn load(input: &TemplateInput) -> Result<Loaded, InputError> {
    load_parts(
        &input.template,
        &input.environment,
        &input.parameter,
        &input.parameter_file,
    )
}

/// Reads a template, environments (merged in order), `--parameter` and
/// `--parameter-file` values and the files the template references.
pub fn load_parts(
    template_path: &Path,
    environments: &[PathBuf],
    parameters: &[String],
    parameter_files: &[String],
) -> Result<Loaded, InputError> {
    let text = read(template_path)?;
    let template = Template::parse(&text).map_err(|error| InputError {
        file: template_path.display().to_string(),
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
    for e in environments {
        let env_file = e.display().to_string();
        let parsed = Environment::parse(&read(e)?).map_err(|error| InputError {
            file: env_file.clone(),
            error,
        })?;
        env.merge(parsed, &env_file, &|k| types.get(k).copied())
            .map_err(|m| InputError {
                file: env_file.clone(),
                error: TemplateError::new(ErrorKind::Environment, m.0),
            })?;
    }
    let mut params = env.parameters.clone();
    for p in parameters {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            InputError::new(
                template_path,
                ErrorKind::Parameter,
                format!("--parameter {p}: expected KEY=VALUE"),
            )
        })?;
        params.insert(k.to_string(), Json::String(v.to_string()));
    }
    for p in parameter_files {
        let (k, f) = p.split_once('=').ok_or_else(|| {
            InputError::new(
                template_path,
                ErrorKind::Parameter,
                format!("--parameter-file {p}: expected KEY=FILE"),
            )
        })?;
        params.insert(k.to_string(), Json::String(read(Path::new(f))?));
    }
    let dir = template_path.parent().unwrap_or(Path::new("."));
    let mut refs = Vec::new();
    for (_, node) in template.root.iter() {
        file_references(node, &mut refs);
    }
    let mut files = serde_json::Map::new();
    for r in refs {
        if let Ok(content) = std::fs::read_to_string(dir.join(&r)) {
            files.insert(r, Json::String(content));
        }
    }
    let registry_json = env
        .registry
        .to_json()
        .as_object()
        .cloned()
        .unwrap_or_default();
    let inputs = Inputs {
        registry: env.registry,
        parameters: params.clone(),
        parameter_defaults: env.parameter_defaults.clone(),
        files: files
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        ..Inputs::default()
    };
    let source = StackSource {
        template: text,
        files,
        parameters: params,
        parameter_defaults: env.parameter_defaults,
        resource_registry: registry_json,
    };
    Ok(Loaded {
        template,
        inputs,
        source,
    })
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
