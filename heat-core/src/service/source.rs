//! A stack's source assembled from a request's parts as Heat's API
//! receives them (python-heatclient sends the template, a files map, the
//! names of the environment files in that map, an inline environment and
//! parameter values): environments merged in order with Heat's merge
//! strategies, parameters over them; for a PATCH update, all of it over
//! what the stack had.

use serde_json::{Map as JsonMap, Value as Json};

use super::ServiceError;
use crate::engine::StackSource;
use crate::environment::{Environment, Registry};
use crate::parameters::{ParamSchema, ParamType};
use crate::template::{ErrorKind, Template, TemplateError};

/// The parts of a request that make a stack's source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceParts {
    /// How errors name the template (its path, or `template`).
    pub template_name: String,
    /// The template text; `None` in a PATCH update that keeps the stack's.
    pub template: Option<String>,
    /// The files map: referenced files and environment files by name.
    pub files: JsonMap<String, Json>,
    /// Names of environment files in `files`, merged in this order.
    pub environment_files: Vec<String>,
    /// An environment given inline, merged after the files.
    pub environment: Option<String>,
    /// Parameter values, over those of the environments.
    pub parameters: JsonMap<String, Json>,
}

impl SourceParts {
    /// Parts with a template and nothing else.
    pub fn template(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceParts {
            template_name: name.into(),
            template: Some(text.into()),
            ..SourceParts::default()
        }
    }
}

fn invalid(file: &str, error: TemplateError) -> ServiceError {
    ServiceError::Invalid {
        file: file.to_string(),
        errors: vec![error],
    }
}

/// The environment a source was made from.
fn environment_of(source: &StackSource) -> Result<Environment, ServiceError> {
    let mut registry = Registry::global();
    registry.load(&source.resource_registry).map_err(|e| {
        invalid(
            "environment",
            TemplateError::new(ErrorKind::Environment, e.to_string()),
        )
    })?;
    Ok(Environment {
        parameters: source.parameters.clone(),
        parameter_defaults: source.parameter_defaults.clone(),
        registry,
        ..Environment::default()
    })
}

/// Assembles a source; `base` is the stack's current source for a PATCH
/// update (its template, files, environment and parameters are kept unless
/// the parts replace them).
pub fn assemble(
    parts: &SourceParts,
    base: Option<&StackSource>,
) -> Result<StackSource, ServiceError> {
    let template = match (&parts.template, base) {
        (Some(t), _) => t.clone(),
        (None, Some(b)) => b.template.clone(),
        (None, None) => return Err(ServiceError::BadRequest("No template specified".into())),
    };
    let mut files = base.map(|b| b.files.clone()).unwrap_or_default();
    files.extend(parts.files.clone());
    // The global environment's provider templates a request uses.
    for (type_name, key, text) in crate::environment::BUILTIN_TEMPLATES {
        let uses = |t: &str| t.contains(type_name);
        if !files.contains_key(key)
            && (uses(&template) || files.values().any(|f| f.as_str().is_some_and(uses)))
        {
            files.insert(key.to_string(), Json::String(text.to_string()));
        }
    }
    // Parameter types decide how environments merge; the template is read
    // for them only if two environments give the same parameter.
    let types = std::cell::OnceCell::new();
    let type_of = |name: &str| -> Option<ParamType> {
        let map: &std::collections::HashMap<String, ParamType> = types.get_or_init(|| {
            Template::parse(&template)
                .map(|t| {
                    t.section_map("parameters")
                        .iter()
                        .filter_map(|(n, node)| {
                            ParamSchema::from_node(t.dialect, n, node)
                                .ok()
                                .map(|p| (n.clone(), p.kind))
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        map.get(name).copied()
    };
    let mut env = match base {
        Some(b) => environment_of(b)?,
        None => Environment::default(),
    };
    let inline = parts
        .environment
        .as_ref()
        .map(|text| ("environment".to_string(), Some(text.as_str())));
    let named = parts
        .environment_files
        .iter()
        .map(|name| (name.clone(), parts.files.get(name).and_then(Json::as_str)));
    for (name, text) in named.chain(inline) {
        let text = text.ok_or_else(|| {
            invalid(
                &name,
                TemplateError::new(
                    ErrorKind::Environment,
                    format!("the environment file {name} is not in the files map"),
                ),
            )
        })?;
        let parsed = Environment::parse(text).map_err(|e| invalid(&name, e))?;
        env.merge(parsed, &name, &type_of)
            .map_err(|m| invalid(&name, TemplateError::new(ErrorKind::Environment, m.0)))?;
    }
    let mut parameters = env.parameters;
    parameters.extend(parts.parameters.clone());
    Ok(StackSource {
        template,
        files,
        parameters,
        parameter_defaults: env.parameter_defaults,
        resource_registry: env
            .registry
            .to_json()
            .as_object()
            .cloned()
            .unwrap_or_default(),
        facade: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn environments_merge_in_order_and_parameters_win() {
        let mut parts = SourceParts::template(
            "t.yaml",
            "heat_template_version: 2018-08-31\nparameters:\n  a: {type: string}\n  b: {type: string}\n",
        );
        parts.files.insert(
            "one.yaml".into(),
            json!("parameters: {a: one, b: one}\nresource_registry: {\"My::Type\": x.yaml}\n"),
        );
        parts
            .files
            .insert("two.yaml".into(), json!("parameters: {b: two}\n"));
        parts.environment_files = vec!["one.yaml".into(), "two.yaml".into()];
        parts.parameters.insert("a".into(), json!("given"));
        let s = assemble(&parts, None).unwrap();
        assert_eq!(s.parameters["a"], "given");
        assert_eq!(s.parameters["b"], "two");
        assert_eq!(s.resource_registry["My::Type"], "x.yaml");
    }

    #[test]
    fn a_patch_keeps_what_the_stack_had() {
        let mut base = StackSource {
            template: "heat_template_version: 2018-08-31\n".into(),
            ..StackSource::default()
        };
        base.parameters.insert("a".into(), json!("old"));
        base.parameters.insert("b".into(), json!("kept"));
        base.files.insert("f".into(), json!("x"));
        let mut parts = SourceParts::default();
        parts.parameters.insert("a".into(), json!("new"));
        let s = assemble(&parts, Some(&base)).unwrap();
        assert_eq!(s.template, base.template);
        assert_eq!(s.parameters["a"], "new");
        assert_eq!(s.parameters["b"], "kept");
        assert_eq!(s.files["f"], "x");
        let err = assemble(&SourceParts::default(), None).unwrap_err();
        assert_eq!(err.to_string(), "No template specified");
    }

    #[test]
    fn a_bad_environment_is_named() {
        let mut parts = SourceParts::template("t.yaml", "heat_template_version: 2018-08-31\n");
        parts
            .files
            .insert("env.yaml".into(), json!("paramters: {}\n"));
        parts.environment_files = vec!["env.yaml".into(), "missing.yaml".into()];
        match assemble(&parts, None).unwrap_err() {
            ServiceError::Invalid { file, errors } => {
                assert_eq!(file, "env.yaml");
                assert!(errors[0].message.contains("wrong section"), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
    }
}
