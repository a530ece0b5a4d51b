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

/// The corpus: `HEAT_CONFORMANCE_DIR` (which `.ci/run` sets; then it must
/// be there), else `../shared/conformance` when a clone has it beside it;
/// `None` (said on stderr) when neither.
pub fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HEAT_CONFORMANCE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    if beside.is_dir() {
        return Some(beside);
    }
    eprintln!(
        "conformance tests skipped: no corpus at {} and HEAT_CONFORMANCE_DIR is not set \
         (.ci/run sets it to ../shared/conformance)",
        beside.display()
    );
    None
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

/// Reads a JSON file; a file that cannot be read or parsed is an error
/// (never a pass).
fn read_json(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

fn broken(id: &str, why: String) -> Outcome {
    Outcome {
        line: json!({"id": id, "error": {"kind": "runner", "message": why}}),
        agrees: false,
        why,
    }
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

/// A case resource's action (Heat's default, CREATE, when not given).
fn action(r: &Json) -> &str {
    r.get("action").and_then(Json::as_str).unwrap_or("CREATE")
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
        // Heat's `_result_ready`: an attribute once the resource has been
        // acted on (any status), not before or while deleted.
        const READY: [&str; 8] = [
            "CREATE", "ADOPT", "SUSPEND", "RESUME", "UPDATE", "ROLLBACK", "SNAPSHOT", "CHECK",
        ];
        if !READY.contains(&action(r)) {
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
        // Heat's `get_attr: [name]`: in progress or complete, not in a
        // rollback or a delete.
        const READY: [&str; 7] = [
            "CREATE", "ADOPT", "SUSPEND", "RESUME", "UPDATE", "CHECK", "SNAPSHOT",
        ];
        let status = r.get("status").and_then(Json::as_str).unwrap_or("COMPLETE");
        if !READY.contains(&action(r)) || !matches!(status, "IN_PROGRESS" | "COMPLETE") {
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
    fn has_condition(&self, name: &str) -> bool {
        self.def.has_condition(name)
    }
    fn mapping(&self, name: &str) -> Option<Json> {
        self.def.mapping(name)
    }
    fn facade(&self, what: &str) -> Result<Json, String> {
        if self.parent.is_null() {
            return Err(heat_core::function::NO_FACADE.into());
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
            // The corpus's rule: the same stage, parse or validate before
            // anything is created, resolve while evaluating.
            let before = |s: &str| matches!(s, "template" | "stack" | "parse" | "validate");
            let same = *stage == exp_stage
                || (before(exp_stage) && before(stage))
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
        region: heat_core::definition::HEAT_REGION.into(),
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
    let (mut pass, mut fail) = (0, 0);
    let data = match read_json(file) {
        Ok(d) => d,
        Err(m) => {
            emit(&broken(&file.display().to_string(), m));
            return (0, 1);
        }
    };
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
