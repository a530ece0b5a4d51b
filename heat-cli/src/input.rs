//! Reading a template, its environment files, parameter values and the
//! files it references (`get_file`, provider templates) from disk.

use std::path::{Path, PathBuf};

use heat_core::definition::Inputs;
use heat_core::environment::Registry;
use heat_core::service::{assemble, ServiceError, SourceParts};
use heat_core::template::{ErrorKind, Template, TemplateError};
use serde_json::Value as Json;

use crate::cli::TemplateInput;

/// A template read from disk with its inputs.
pub struct Loaded {
    /// The template.
    pub template: Template,
    /// Parameter values, environment and files, for validation.
    pub inputs: Inputs,
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

    /// A refusal of the service about one of the request's files.
    pub fn from_service(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid { file, mut errors } => InputError {
                file,
                error: errors.remove(0),
            },
            other => InputError {
                file: "request".into(),
                error: TemplateError::new(ErrorKind::Environment, other.to_string()),
            },
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

/// Reads a request from disk, as python-heatclient does: the template,
/// the files it references (`get_file`, provider templates), the
/// environment files (into the files map, named in order) and
/// `--parameter` / `--parameter-file` values. `template_path` is `None`
/// for a PATCH update that keeps the stack's template.
pub fn read_parts(
    template_path: Option<&Path>,
    environments: &[PathBuf],
    parameters: &[String],
    parameter_files: &[String],
) -> Result<Read, InputError> {
    let mut parts = SourceParts::default();
    let mut resources = 0;
    let here = PathBuf::from(".");
    let label = template_path.unwrap_or(&here);
    if let Some(path) = template_path {
        let text = read(path)?;
        let template = Template::parse(&text).map_err(|error| InputError {
            file: path.display().to_string(),
            error,
        })?;
        resources = template.section_map("resources").len();
        crate::files::of_template(path, &text, &mut parts.files)
            .map_err(|why| InputError::new(path, ErrorKind::Syntax, why))?;
        parts.template_name = path.display().to_string();
        parts.template = Some(text);
    }
    for e in environments {
        let name = e.display().to_string();
        let text = read(e)?;
        crate::files::of_environment(e, &text, &mut parts.files)
            .map_err(|why| InputError::new(e, ErrorKind::Environment, why))?;
        parts.files.insert(name.clone(), Json::String(text));
        parts.environment_files.push(name);
    }
    for p in parameters {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            InputError::new(
                label,
                ErrorKind::Parameter,
                format!("--parameter {p}: expected KEY=VALUE"),
            )
        })?;
        parts
            .parameters
            .insert(k.to_string(), Json::String(v.to_string()));
    }
    for p in parameter_files {
        let (k, f) = p.split_once('=').ok_or_else(|| {
            InputError::new(
                label,
                ErrorKind::Parameter,
                format!("--parameter-file {p}: expected KEY=FILE"),
            )
        })?;
        parts
            .parameters
            .insert(k.to_string(), Json::String(read(Path::new(f))?));
    }
    Ok(Read { parts, resources })
}

/// A request read from disk.
pub struct Read {
    /// Its parts.
    pub parts: SourceParts,
    /// How many resources its template declares (for progress).
    pub resources: usize,
}

/// Reads a template with its environments, parameters and files, and
/// assembles them as the stack service does, for validation.
pub fn load_parts(
    template_path: &Path,
    environments: &[PathBuf],
    parameters: &[String],
    parameter_files: &[String],
) -> Result<Loaded, InputError> {
    let parts = read_parts(
        Some(template_path),
        environments,
        parameters,
        parameter_files,
    )?
    .parts;
    let source = assemble(&parts, None).map_err(InputError::from_service)?;
    let template = Template::parse(&source.template).map_err(|error| InputError {
        file: template_path.display().to_string(),
        error,
    })?;
    let mut registry = Registry::default();
    registry
        .load(&source.resource_registry)
        .map_err(|e| InputError::new(template_path, ErrorKind::Environment, e.to_string()))?;
    let inputs = Inputs {
        registry,
        parameters: source.parameters.clone(),
        parameter_defaults: source.parameter_defaults.clone(),
        files: source
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        ..Inputs::default()
    };
    Ok(Loaded { template, inputs })
}
