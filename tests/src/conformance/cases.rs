//! One intrinsic-function case of the corpus against Heat's result or
//! error, evaluated in the case's template with its resources' data.

use std::collections::HashMap;
use std::path::Path;

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::function::{self, Context, FnError, Resolver, Stage};
use heat_core::syntax::{Map, Node, Value};
use heat_core::template::Template;
use serde_json::{json, Value as Json};

use super::{broken, read_json, Outcome};

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
