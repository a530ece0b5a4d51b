//! The conformance runner: heat-rs's results for each template and function
//! case of the corpus, compared with what Heat 27.0.1 computed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use heat_core::definition::{AnyType, Inputs, StackDefinition, TypeCatalog};
use heat_core::environment::Environment;
use heat_core::function::{self, Context, FnError, Resolver, Stage};
use heat_core::syntax::{Map, Node, Value};
use heat_core::template::{ErrorKind, Template, TemplateError};
use serde_json::{json, Value as Json};

/// The result of one template or case: the JSON line to print and whether
/// it agrees with Heat (with the reason when it does not).
pub struct Outcome {
    /// The line printed for this template or case.
    pub line: Json,
    /// Whether heat-rs agrees with Heat.
    pub agrees: bool,
    /// Why not, when it does not.
    pub why: String,
}

/// Every expected file under `root/expected`, sorted.
pub fn expected_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("expected")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

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

/// Runs one template of the corpus and compares it with Heat's results.
pub fn run_template(root: &Path, expected_path: &Path, catalog: &dyn TypeCatalog) -> Outcome {
    let expected: Json =
        serde_json::from_str(&std::fs::read_to_string(expected_path).unwrap_or_default())
            .unwrap_or(Json::Null);
    let id = expected["id"].as_str().unwrap_or_default().to_string();
    let corpus_path = root.join(expected["corpus_path"].as_str().unwrap_or_default());
    let dir = corpus_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let text = std::fs::read_to_string(&corpus_path).unwrap_or_default();
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
        let short_form = expected["parse"]["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("could not determine a constructor for the tag '!");
        let agrees = short_form;
        return Outcome {
            line: Json::Object(line),
            agrees,
            why: if agrees {
                String::new()
            } else {
                "heat-rs parsed a template Heat rejects".into()
            },
        };
    }
    // Inputs: environment, files, synthesized parameter values.
    let mut inputs = Inputs::default();
    if let Some(env_id) = expected["environment"]["id"].as_str() {
        let env_path = root.join("templates").join(env_id);
        if let Ok(env_text) = std::fs::read_to_string(&env_path) {
            if let Ok(env) = Environment::parse(&env_text) {
                inputs.registry = env.registry;
                inputs.parameters = env.parameters;
                inputs.parameter_defaults = env.parameter_defaults;
            }
        }
    }
    for f in expected["files"]["provided"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(name) = f.as_str() {
            if let Ok(content) = std::fs::read_to_string(dir.join(name)) {
                inputs.files.insert(name.to_string(), content);
            }
        }
    }
    if let Some(syn) = expected["generic"]["synthesized_parameters"].as_object() {
        for (k, v) in syn {
            inputs.parameters.entry(k.clone()).or_insert(v.clone());
        }
    }
    let (def, errors) = StackDefinition::build(&template, inputs, catalog);
    let mut why = Vec::new();
    // Version.
    let exp_version = &expected["version"];
    let mut agrees = exp_version["key"].as_str() == Some(template.dialect.key())
        && exp_version["value"].as_str() == Some(template.version_value.as_str());
    if !agrees {
        why.push(format!(
            "version {} differs from Heat's {}",
            template.version_value, exp_version
        ));
    }
    // Graph.
    let exp_graph = &expected["generic"]["graph"];
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
                    agrees = false;
                    why.push("graph differs from Heat's".into());
                }
            }
            Err(cycle) => {
                if exp_graph["cycle"].is_null() && exp_graph.get("requires").is_some() {
                    agrees = false;
                    why.push(format!("heat-rs finds a cycle {cycle:?} Heat does not"));
                }
            }
        }
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
            _ => {
                agrees = false;
                why.push("Heat finds a cycle heat-rs does not".into());
            }
        }
    }
    // Validation verdict.
    let tv = &expected["template_validate"];
    let heat_fails = tv.get("raised").is_some()
        || tv["result"].get("Error").is_some()
        || exp_graph.get("error").is_some();
    if let Some(first) = errors.first() {
        line.insert("error".into(), error_json(first));
        if errors.len() > 1 {
            line.insert("errors".into(), json!(errors.len()));
        }
    }
    let heat_message = tv["result"]["Error"]
        .as_str()
        .or(tv["raised"]["message"].as_str())
        .unwrap_or_default();
    if heat_fails && beyond_heat(heat_message) {
        // heat-rs deliberately accepts this; it must not refuse it for the same reason.
        if errors.iter().any(|e| e.message == heat_message) {
            agrees = false;
            why.push(format!(
                "heat-rs refuses a feature it supports beyond Heat: {heat_message}"
            ));
        }
    } else if heat_fails && errors.is_empty() {
        agrees = false;
        why.push(format!(
            "Heat refuses it: {}",
            tv["result"]["Error"]
                .as_str()
                .or(tv["raised"]["message"].as_str())
                .unwrap_or("graph error")
        ));
    }
    if !heat_fails && !errors.is_empty() {
        agrees = false;
        why.push(format!("heat-rs refuses it: {}", errors[0]));
    }
    Outcome {
        line: Json::Object(line),
        agrees,
        why: why.join("; "),
    }
}

/// Whether Heat's refusal is about a CloudFormation feature heat-rs
/// deliberately supports beyond Heat.
fn beyond_heat(message: &str) -> bool {
    message.starts_with("Invalid type (AWS::")
        || message.starts_with("Invalid type (List<")
        || message == "The template section is invalid: Metadata"
}

/// A resolver for function cases: the template's definition, with the
/// case's resource references and attributes.
struct CaseResolver<'a> {
    def: &'a StackDefinition<'a>,
    attrs: &'a Json,
    parent: &'a Json,
}

impl Resolver for CaseResolver<'_> {
    fn parameter(&self, name: &str) -> Result<Json, String> {
        self.def.parameter(name)
    }
    fn has_parameter(&self, name: &str) -> bool {
        self.def.has_parameter(name)
    }
    fn has_resource(&self, name: &str) -> bool {
        self.def.has_resource(name)
    }
    fn reference_id(&self, name: &str) -> Json {
        self.attrs[name]
            .get("reference_id")
            .cloned()
            .unwrap_or_else(|| json!(name))
    }
    fn attribute(&self, resource: &str, attribute: &str) -> Result<Option<Json>, String> {
        let r = &self.attrs[resource];
        if r.get("action").and_then(Json::as_str) == Some("INIT") {
            return Ok(None);
        }
        Ok(Some(
            r["attributes"]
                .get(attribute)
                .cloned()
                .unwrap_or(Json::Null),
        ))
    }
    fn all_attributes(&self, resource: &str) -> Option<Json> {
        let r = &self.attrs[resource];
        if r.get("action").and_then(Json::as_str) == Some("INIT") {
            return None;
        }
        Some(r["attributes"].clone())
    }
    fn has_attribute(&self, resource: &str, attribute: &str) -> Option<bool> {
        let a = self.attrs.get(resource)?.get("attributes")?.as_object()?;
        Some(attribute == "show" || a.contains_key(attribute))
    }
    fn file(&self, key: &str) -> Option<String> {
        self.def.file(key)
    }
    fn availability_zones(&self) -> Vec<String> {
        self.def.availability_zones()
    }
    fn condition(&self, name: &str) -> Result<bool, FnError> {
        self.def.condition(name)
    }
    fn mapping(&self, name: &str) -> Option<Json> {
        self.def.mapping(name)
    }
    fn facade(&self, what: &str) -> Result<Json, String> {
        if self.parent.is_null() {
            return Err("'NoneType' object has no attribute 'metadata_get'".into());
        }
        Ok(match what {
            "metadata" => self.parent.get("metadata").cloned().unwrap_or(json!({})),
            "update_policy" => self
                .parent
                .get("update_policy")
                .cloned()
                .unwrap_or(json!({})),
            _ => self
                .parent
                .get("deletion_policy")
                .cloned()
                .unwrap_or(json!("Delete")),
        })
    }
}

fn stage_of(e: &FnError) -> &'static str {
    e.stage.name()
}

/// Runs one function case and compares it with Heat's result.
pub fn run_case(case: &Json, header: &Json) -> Outcome {
    let id = case["id"].as_str().unwrap_or_default().to_string();
    let result = evaluate_case(case, header);
    let mut line = serde_json::Map::new();
    line.insert("id".into(), json!(id));
    match &result {
        Ok(v) => {
            line.insert("result".into(), v.clone());
        }
        Err((stage, message)) => {
            line.insert("error".into(), json!({"stage": stage, "message": message}));
        }
    }
    let (agrees, why) = match (&result, case.get("expected_error")) {
        (Ok(v), None) => {
            let exp = &case["expected_result"];
            let ok = v == exp;
            (
                ok,
                if ok {
                    String::new()
                } else {
                    format!("heat-rs gives {v}, Heat {exp}")
                },
            )
        }
        (Err((stage, _)), Some(e)) => {
            let exp_stage = e["stage"].as_str().unwrap_or_default();
            let same = *stage == exp_stage
                || (matches!(exp_stage, "template" | "stack" | "parse")
                    && matches!(*stage, "template" | "parse"))
                || (exp_stage == "resource_data" && *stage == "resolve");
            (
                same,
                if same {
                    String::new()
                } else {
                    format!(
                        "heat-rs fails at {stage}, Heat at {exp_stage}: {}",
                        e["message"]
                    )
                },
            )
        }
        (Ok(v), Some(e)) => (
            false,
            format!(
                "heat-rs gives {v}, Heat fails at {}: {}",
                e["stage"], e["message"]
            ),
        ),
        (Err((stage, m)), None) => (
            false,
            format!(
                "heat-rs fails at {stage}: {m}; Heat gives {}",
                case["expected_result"]
            ),
        ),
    };
    Outcome {
        line: Json::Object(line),
        agrees,
        why,
    }
}

fn evaluate_case(case: &Json, header: &Json) -> Result<Json, (&'static str, String)> {
    let template = Template::from_map(
        match Node::from_json(&case["template"]).value {
            Value::Map(m) => m,
            _ => Map::new(),
        },
        heat_core::syntax::Format::Json,
    )
    .map_err(|e| ("template", e.message))?;
    let mut inputs = Inputs {
        stack_name: header["stack_name"].as_str().unwrap_or("stack").into(),
        stack_id: header["stack_id"].as_str().unwrap_or_default().into(),
        project_id: header["tenant_id"].as_str().unwrap_or_default().into(),
        region: "ap-southeast-1".into(),
        ..Inputs::default()
    };
    if let Some(p) = case["parameter_values"].as_object() {
        inputs.parameters = p.clone();
    }
    if let Some(files) = case["files"].as_object() {
        inputs.files = files
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect::<HashMap<_, _>>();
    }
    if let Some(azs) = case["availability_zones"].as_array() {
        inputs.availability_zones = azs
            .iter()
            .filter_map(|a| a.as_str().map(String::from))
            .collect();
    }
    let (def, errors) = StackDefinition::build(&template, inputs, &AnyType);
    let Some(def) = def else {
        return Err((
            "template",
            errors.first().map(|e| e.to_string()).unwrap_or_default(),
        ));
    };
    if case["category"] == "version" {
        return Ok(
            json!({"class": template.dialect.class_name(), "version": [template.dialect.key(), template.version_value]}),
        );
    }
    if case["snippet"].is_null() && case["context"] == "template" {
        if let Some(e) = errors.first() {
            return Err(("template", e.to_string()));
        }
    }
    let resolver = CaseResolver {
        def: &def,
        attrs: &case["resources_attrs"],
        parent: &case["parent_resource"],
    };
    let names: Vec<String> = def.resources.iter().map(|r| r.name.clone()).collect();
    let is_resource = |n: &str| names.iter().any(|r| r == n);
    let ctx = Context {
        dialect: template.dialect,
        is_resource: &is_resource,
    };
    let condition = case["context"] == "condition";
    let node = Node::from_json(&case["snippet"]);
    let expr =
        function::parse(&node, &ctx, "", condition).map_err(|e| (stage_of(&e), e.to_string()))?;
    function::validate(&expr, &resolver).map_err(|e| (stage_of(&e), e.to_string()))?;
    let v = function::resolve_nullable(&expr, &resolver).map_err(|e| {
        let stage = if e.stage == Stage::Parse {
            "parse"
        } else {
            "resolve"
        };
        (stage, e.to_string())
    })?;
    Ok(v.unwrap_or(Json::Null))
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

/// Runs every case of a cases file.
pub fn run_cases(file: &Path, emit: &mut dyn FnMut(&Outcome)) -> (usize, usize) {
    let data: Json = serde_json::from_str(&std::fs::read_to_string(file).unwrap_or_default())
        .unwrap_or(Json::Null);
    let (mut pass, mut fail) = (0, 0);
    for case in data["cases"].as_array().into_iter().flatten() {
        let o = run_case(case, &data);
        if o.agrees {
            pass += 1
        } else {
            fail += 1
        }
        emit(&o);
    }
    (pass, fail)
}
