//! One template of the corpus against Heat's results: parse, version,
//! environment, the validate API's view, conditions, resources, graph,
//! outputs and the verdict.

use std::path::Path;

use heat_core::definition::{AnyType, Inputs, StackDefinition, TypeCatalog};
use heat_core::environment::Environment;
use heat_core::function::{self, Resolver};
use heat_core::template::{ErrorKind, Template, TemplateError};
use serde_json::{json, Value as Json};

use super::{broken, expected_files, read_json, Outcome};

fn error_json(e: &TemplateError) -> Json {
    let mut o = serde_json::Map::new();
    o.insert("kind".into(), json!(e.kind.name()));
    o.insert("message".into(), json!(e.message));
    if !e.path.is_empty() {
        o.insert("path".into(), json!(e.path));
    }
    if e.line > 0 {
        o.insert("line".into(), json!(e.line));
    }
    if !e.cycle.is_empty() {
        o.insert("cycle".into(), json!(e.cycle));
    }
    Json::Object(o)
}

/// The path a Heat error message names, when it names one
/// (`resources.x.properties.y: ...`, `Property error: resources.x...: ...`).
fn heat_error_path(message: &str) -> Option<String> {
    let m = message
        .strip_prefix("Property error: ")
        .map(|m| m.trim_start_matches(": "))
        .unwrap_or(message);
    let head = m.split(": ").next()?;
    let lower = head.to_ascii_lowercase();
    let named = ["resources.", "outputs.", "parameters.", "conditions."]
        .iter()
        .any(|p| lower.starts_with(p));
    (named && !head.contains(' ')).then(|| head.to_string())
}

/// Whether two template paths name the same place (one within the other,
/// section names compared without case: `Resources.x` is `resources.x`).
fn same_place(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let within =
        |x: &str, y: &str| x.starts_with(&format!("{y}.")) || x.starts_with(&format!("{y}["));
    a == b || within(&a, &b) || within(&b, &a)
}

/// The stack (name, id, tenant) in which the corpus's Heat evaluated every
/// template: its cycle messages name it, and its function cases' header
/// gives it.
const ORACLE_STACK: (&str, &str, &str) = (
    "oracle_stack",
    "8c3a0b4e-6c50-4a43-9d4c-1b2e3f4a5b6c",
    "test_tenant_id",
);

/// Runs one template of the corpus and compares it with Heat's results:
/// parse, version, environment, the validate API's parameters (and
/// parameter groups), conditions, the resources enabled after them, the
/// graph, the outputs (what they require, their validation, their value
/// before anything exists), and the verdict, a refusal naming the path
/// Heat names. Anything it cannot read is a disagreement.
pub fn run_template(root: &Path, expected_path: &Path, catalog: &dyn TypeCatalog) -> Outcome {
    let shown = expected_path.display().to_string();
    let expected = match read_json(expected_path) {
        Ok(v) => v,
        Err(m) => return broken(&shown, m),
    };
    let id = expected["id"].as_str().unwrap_or_default().to_string();
    let Some(corpus_rel) = expected["corpus_path"].as_str() else {
        return broken(&id, format!("{shown} has no corpus_path"));
    };
    let corpus_path = root.join(corpus_rel);
    let dir = corpus_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let text = match std::fs::read_to_string(&corpus_path) {
        Ok(t) => t,
        Err(e) => return broken(&id, format!("cannot read {}: {e}", corpus_path.display())),
    };
    let mut line = serde_json::Map::new();
    line.insert("id".into(), json!(id));
    let template = Template::parse(&text);
    let exp_parse_ok = expected["parse"]["ok"].as_bool().unwrap_or(false);
    let template = match template {
        Err(e) => {
            let parse_failed = matches!(e.kind, ErrorKind::Syntax | ErrorKind::Limit);
            line.insert("parse".into(), json!({"ok": !parse_failed}));
            line.insert("error".into(), error_json(&e));
            let agrees = if parse_failed {
                !exp_parse_ok
            } else {
                // Version errors: Heat parses, then refuses the version.
                exp_parse_ok && expected["version"].get("error").is_some()
                    || !exp_parse_ok && e.message.contains("version not found")
            };
            return Outcome {
                line: Json::Object(line),
                agrees,
                why: format!("heat-rs: {}", e),
            };
        }
        Ok(t) => t,
    };
    line.insert(
        "parse".into(),
        json!({"ok": true, "format": template.format.name()}),
    );
    line.insert(
        "version".into(),
        json!({"key": template.dialect.key(), "value": template.version_value}),
    );
    if !exp_parse_ok {
        // Beyond Heat: short-form tags. The file must give the graph its
        // long-form twin gives.
        let short_form = expected["parse"]["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("could not determine a constructor for the tag '!");
        let why = if !short_form {
            "heat-rs parsed a template Heat rejects".to_string()
        } else {
            match short_form_twin(root, corpus_rel) {
                Ok(()) => String::new(),
                Err(m) => m,
            }
        };
        return Outcome {
            line: Json::Object(line),
            agrees: why.is_empty(),
            why,
        };
    }
    let mut why = Vec::new();
    // Inputs: environment, files; synthesized values for the graph; the
    // stack the corpus's Heat evaluated templates in.
    let mut inputs = Inputs {
        stack_name: ORACLE_STACK.0.into(),
        stack_id: ORACLE_STACK.1.into(),
        project_id: ORACLE_STACK.2.into(),
        region: heat_core::definition::HEAT_REGION.into(),
        ..Inputs::default()
    };
    let mut env_refused = None;
    if let Some(env_id) = expected["environment"]["id"].as_str() {
        let env_path = root.join("templates").join(env_id);
        let env_text = match std::fs::read_to_string(&env_path) {
            Ok(t) => t,
            Err(e) => return broken(&id, format!("cannot read {}: {e}", env_path.display())),
        };
        let exp_env_ok = expected["environment"]["parse"]["ok"].as_bool() == Some(true);
        match Environment::parse(&env_text) {
            Ok(env) => {
                if !exp_env_ok {
                    why.push(format!(
                        "heat-rs reads the environment {env_id} Heat refuses"
                    ));
                }
                inputs.registry = env.registry;
                inputs.parameters = env.parameters;
                inputs.parameter_defaults = env.parameter_defaults;
            }
            // A refused environment refuses the request (the verdict
            // below says whether Heat refuses it too).
            Err(e) => env_refused = Some(e.to_string()),
        }
    }
    for f in expected["files"]["provided"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(name) = f.as_str() {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(content) => {
                    inputs.files.insert(name.to_string(), content);
                }
                Err(e) => return broken(&id, format!("cannot read the file {name}: {e}")),
            }
        }
    }
    // The validate API's view: no values but the environment's. Its
    // problems are the verdict, as Heat's template-validate API gives it.
    let (vdef, verdict) = StackDefinition::build(&template, inputs.clone(), catalog);
    if let Some(syn) = expected["generic"]["synthesized_parameters"].as_object() {
        for (k, v) in syn {
            inputs.parameters.entry(k.clone()).or_insert(v.clone());
        }
    }
    // Heat's generic stack: every resource a generic one, which answers
    // any attribute (its outputs' validation is of that stack).
    let (gdef, _) = StackDefinition::build(&template, inputs.clone(), &AnyType);
    let (def, errors) = StackDefinition::build(&template, inputs, catalog);
    // Version.
    let exp_version = &expected["version"];
    if !(exp_version["key"].as_str() == Some(template.dialect.key())
        && exp_version["value"].as_str() == Some(template.version_value.as_str()))
    {
        why.push(format!(
            "version {} differs from Heat's {}",
            template.version_value, exp_version
        ));
    }
    let generic = &expected["generic"];
    // Parameters, as the validate API shows them.
    if let (Some(exp), Some(vdef)) = (generic.get("parameters_api"), &vdef) {
        let ours = vdef.validate_view();
        if ours["Parameters"] != *exp {
            why.push(format!(
                "parameters differ: heat-rs {}, Heat {exp}",
                ours["Parameters"]
            ));
        }
        if let Some(groups) = expected["template_validate"]["result"].get("ParameterGroups") {
            if ours.get("ParameterGroups") != Some(groups) {
                why.push("parameter groups differ".into());
            }
        }
    }
    if let Some(gdef) = &gdef {
        compare_generic(gdef, &template, generic, &mut why);
    }
    // Graph.
    let exp_graph = &generic["graph"];
    let cycle_error = errors.iter().find(|e| e.kind == ErrorKind::Cycle);
    if let Some(def) = &def {
        match def.levels() {
            Ok(levels) => {
                let requires: serde_json::Map<String, Json> = def
                    .graph
                    .names()
                    .iter()
                    .map(|n| (n.clone(), json!(def.graph.requires(n))))
                    .collect();
                line.insert(
                    "graph".into(),
                    json!({"requires": requires, "levels": levels}),
                );
                if exp_graph.get("requires").is_some()
                    && exp_graph["cycle"].is_null()
                    && (Json::Object(requires) != exp_graph["requires"]
                        || json!(levels) != exp_graph["levels"])
                {
                    why.push("graph differs from Heat's".into());
                }
            }
            Err(cycle) => {
                if exp_graph["cycle"].is_null() && exp_graph.get("requires").is_some() {
                    why.push(format!("heat-rs finds a cycle {cycle:?} Heat does not"));
                }
            }
        }
    } else if exp_graph.get("requires").is_some() && exp_graph["cycle"].is_null() {
        why.push("Heat computes a graph, heat-rs none".into());
    }
    if !exp_graph["cycle"].is_null() {
        let remaining: Vec<&str> = exp_graph["cycle"]["remaining"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect();
        match cycle_error {
            Some(e) if e.cycle.iter().all(|n| remaining.contains(&n.as_str())) => {}
            _ => why.push("Heat finds a cycle heat-rs does not".into()),
        }
    }
    // Validation verdict, and the path of a refusal.
    let tv = &expected["template_validate"];
    let heat_fails = tv.get("raised").is_some()
        || tv["result"].get("Error").is_some()
        || exp_graph.get("error").is_some();
    let mut errors = verdict;
    if let Some(m) = env_refused {
        errors.insert(
            0,
            heat_core::template::TemplateError::new(ErrorKind::Structure, m).at("environment", 0),
        );
    }
    if let Some(first) = errors.first() {
        line.insert("error".into(), error_json(first));
        if errors.len() > 1 {
            line.insert("errors".into(), json!(errors.len()));
        }
    }
    let heat_message = tv["result"]["Error"]
        .as_str()
        .or(tv["raised"]["message"].as_str())
        .or(exp_graph["error"]["message"].as_str())
        .unwrap_or_default();
    if heat_fails && beyond_heat(heat_message) {
        // heat-rs deliberately accepts this; it must not refuse it for the same reason.
        if errors.iter().any(|e| e.message == heat_message) {
            why.push(format!(
                "heat-rs refuses a feature it supports beyond Heat: {heat_message}"
            ));
        }
    } else if heat_fails {
        if errors.is_empty() {
            why.push(format!("Heat refuses it: {heat_message}"));
        } else if errors.iter().all(|e| e.path.is_empty()) {
            why.push(format!("heat-rs refuses it without a path: {}", errors[0]));
        } else if let Some(path) = heat_error_path(heat_message) {
            if !errors.iter().any(|e| same_place(&e.path, &path)) {
                why.push(format!(
                    "Heat refuses it at {path}, heat-rs elsewhere: {}",
                    errors[0]
                ));
            }
        }
    }
    if !heat_fails && !errors.is_empty() {
        why.push(format!("heat-rs refuses it: {}", errors[0]));
    }
    Outcome {
        line: Json::Object(line),
        agrees: why.is_empty(),
        why: why.join("; "),
    }
}

/// Conditions, resources after them and outputs, against Heat's generic
/// stack.
fn compare_generic(
    def: &StackDefinition<'_>,
    template: &Template,
    generic: &Json,
    why: &mut Vec<String>,
) {
    if let Some(conditions) = generic["conditions"].as_object() {
        for (name, exp) in conditions {
            if name == "error" {
                continue;
            }
            let ours = def.condition(name);
            let same = match (exp.as_bool(), &ours) {
                (Some(b), Ok(o)) => b == *o,
                (None, Err(_)) => true,
                _ => false,
            };
            if !same {
                why.push(format!("condition {name}: heat-rs {ours:?}, Heat {exp}"));
            }
        }
    }
    // Where Heat could not compute resources or outputs (an error of the
    // template), the verdict says whether heat-rs refuses it too.
    if let Some(resources) = generic["resources"]
        .as_object()
        .filter(|r| !r.contains_key("error"))
    {
        let ours: Vec<(&str, &str, bool)> = def
            .resources
            .iter()
            .map(|r| (r.name.as_str(), r.type_name.as_str(), r.enabled))
            .collect();
        for (name, exp) in resources {
            match ours.iter().find(|(n, _, _)| n == name) {
                None => why.push(format!("resource {name} is missing")),
                Some((_, t, enabled)) => {
                    if exp["type"].as_str() != Some(t) {
                        why.push(format!("resource {name} is {t}, Heat {}", exp["type"]));
                    }
                    if exp["enabled"].as_bool() != Some(*enabled) {
                        why.push(format!(
                            "resource {name} enabled {enabled}, Heat {}",
                            exp["enabled"]
                        ));
                    }
                }
            }
        }
        if ours.len() != resources.len() {
            why.push(format!(
                "{} resources, Heat {}",
                ours.len(),
                resources.len()
            ));
        }
    }
    let disabled: Vec<&str> = generic["outputs_disabled"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    if let Some(outputs) = generic["outputs"]
        .as_object()
        .filter(|o| !o.contains_key("error"))
    {
        for (name, exp) in outputs {
            let Some(o) = def.outputs.iter().find(|o| &o.name == name) else {
                why.push(format!("output {name} is missing"));
                continue;
            };
            let Some(value) = &o.value else {
                if !disabled.contains(&name.as_str()) {
                    why.push(format!("output {name} is disabled, not in Heat"));
                }
                continue;
            };
            if let Some(required) = exp["required_resources"].as_array() {
                let mut heat: Vec<&str> = required.iter().filter_map(Json::as_str).collect();
                heat.sort();
                if def.output_references(name) != heat {
                    why.push(format!(
                        "output {name} requires {:?}, Heat {heat:?}",
                        def.output_references(name)
                    ));
                }
            }
            let valid = function::validate(value, def).is_ok();
            // Heat's own crash (a Python builtin error, "Resource data not
            // available") computing it offline says nothing of the template.
            let heat_crashed = exp["validate"]["error"]["module"] == "builtins";
            if exp["validate"]["ok"].as_bool() == Some(!valid) && !heat_crashed {
                why.push(format!(
                    "output {name} validates {valid}, Heat {}",
                    exp["validate"]
                ));
            }
            if valid && exp["validate"]["ok"] == true {
                let heat = &exp["value_uncreated"];
                if heat.get("error").is_none() {
                    let ours = function::resolve(value, def).map_err(|e| e.to_string());
                    if ours.as_ref() != Ok(heat) {
                        why.push(format!(
                            "output {name} is {ours:?} before creation, Heat {heat}"
                        ));
                    }
                }
            }
        }
    }
    let _ = template;
}

/// A short-form AWS template gives the graph of its long-form twin.
fn short_form_twin(root: &Path, corpus_rel: &str) -> Result<(), String> {
    let short = root.join(corpus_rel);
    let rel = corpus_rel
        .strip_prefix("templates/aws-cfn-templates/")
        .ok_or_else(|| format!("{corpus_rel}: a short-form file outside aws-cfn-templates"))?;
    let long_root = root.join("templates/aws-cfn-templates-longform");
    let stem = Path::new(rel).with_extension("");
    let twin = ["json", "yaml", "yml", "template"]
        .iter()
        .map(|x| long_root.join(format!("{}.{x}", stem.display())))
        .find(|p| p.exists())
        .ok_or_else(|| format!("{corpus_rel}: no long-form twin"))?;
    let graph = |p: &Path| -> Result<Json, String> {
        let text = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
        let t = Template::parse(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
        let def = def.ok_or_else(|| format!("{}: {}", p.display(), errors[0]))?;
        def.levels()
            .map(|l| json!(l))
            .map_err(|c| format!("{}: a cycle {c:?}", p.display()))
    };
    let (a, b) = (graph(&short)?, graph(&twin)?);
    if a == b {
        Ok(())
    } else {
        Err(format!("the short form's graph {a} is not its twin's {b}"))
    }
}

/// Whether Heat's refusal is about a CloudFormation feature heat-rs
/// deliberately supports beyond Heat.
fn beyond_heat(message: &str) -> bool {
    message.starts_with("Invalid type (AWS::")
        || message.starts_with("Invalid type (List<")
        || message == "The template section is invalid: Metadata"
}

/// Runs every template under `root`; prints lines through `emit`.
pub fn run_templates(
    root: &Path,
    catalog: &dyn TypeCatalog,
    emit: &mut dyn FnMut(&Outcome),
) -> (usize, usize) {
    let (mut pass, mut fail) = (0, 0);
    for f in expected_files(root) {
        let o = run_template(root, &f, catalog);
        if o.agrees {
            pass += 1
        } else {
            fail += 1
        }
        emit(&o);
    }
    (pass, fail)
}
