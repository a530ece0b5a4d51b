//! Template actions: GetTemplate (the text as given), ValidateTemplate,
//! GetTemplateSummary (of a template or of a stack's) and
//! EstimateTemplateCost (validated, then Heat's answer: an OpenStack cloud
//! has no price list).

use heat_core::service::SourceParts;
use heat_core::template::Template;
use serde_json::{Map as JsonMap, Value as Json};

use super::error::CfnError;
use super::stacks::{parameters_of, template_of};
use super::views::{stack_ref, text};
use super::xml::Xml;
use super::{Call, Outcome};

/// `GetTemplate`: the stack's template as it was given.
pub async fn get(call: &Call<'_>) -> Outcome {
    if call.params.get("ChangeSetName").is_some() {
        return super::changesets::template(call).await;
    }
    let name = call.params.required("StackName")?;
    let stack = call.service().show(&call.ctx, stack_ref(name)).await?;
    let mut x = Xml::new();
    x.leaf("TemplateBody", &stack.source.template)
        .strings("StagesAvailable", ["Original", "Processed"]);
    Ok(Some(x.finish()))
}

/// The parts of a request that carries a template (or names a stack whose
/// template is meant).
async fn parts_of(call: &Call<'_>, stack_allowed: bool) -> Result<SourceParts, CfnError> {
    if let Some((template_name, template)) = template_of(call).await? {
        return Ok(SourceParts {
            template_name,
            template: Some(template),
            parameters: parameters_of(call, None)?,
            ..SourceParts::default()
        });
    }
    match call.params.get("StackName").filter(|_| stack_allowed) {
        Some(name) => {
            let s = call.service().show(&call.ctx, stack_ref(name)).await?;
            Ok(SourceParts {
                template_name: format!("the template of stack {}", s.name),
                template: Some(s.source.template.clone()),
                files: s.source.files.clone(),
                parameters: s.source.parameters.clone(),
                ..SourceParts::default()
            })
        }
        None => Err(CfnError::validation(
            "Either Template URL or Template Body must be specified.",
        )),
    }
}

/// Heat's validation of the parts: its `Description` and `Parameters`.
fn validated(call: &Call<'_>, parts: &SourceParts) -> Result<Json, CfnError> {
    Ok(call.service().validate(&call.ctx, parts, false)?)
}

fn parameters(v: &Json) -> Vec<(&String, &JsonMap<String, Json>)> {
    v.get("Parameters")
        .and_then(Json::as_object)
        .map(|ps| {
            ps.iter()
                .filter_map(|(k, p)| p.as_object().map(|p| (k, p)))
                .collect()
        })
        .unwrap_or_default()
}

fn description(x: &mut Xml, v: &Json) {
    x.opt(
        "Description",
        v.get("Description")
            .and_then(Json::as_str)
            .filter(|d| !d.is_empty()),
    );
}

fn no_echo(p: &JsonMap<String, Json>) -> bool {
    p.get("NoEcho").map(text).is_some_and(|v| v == "true")
}

/// `ValidateTemplate`.
pub async fn validate(call: &Call<'_>) -> Outcome {
    let parts = parts_of(call, false).await?;
    let v = validated(call, &parts)?;
    let mut x = Xml::new();
    x.list("Parameters", parameters(&v), |x, (k, p)| {
        x.leaf("ParameterKey", k)
            .opt("DefaultValue", p.get("Default").map(text))
            .boolean("NoEcho", no_echo(p))
            .opt("Description", p.get("Description").and_then(Json::as_str));
    });
    description(&mut x, &v);
    Ok(Some(x.finish()))
}

/// `GetTemplateSummary`: parameters with their types and allowed values,
/// the resource types, the version and the template's `Metadata`.
pub async fn summary(call: &Call<'_>) -> Outcome {
    let parts = parts_of(call, true).await?;
    let v = validated(call, &parts)?;
    let template = Template::parse(parts.template.as_deref().unwrap_or_default())
        .map_err(|e| CfnError::validation(format!("Template format error: {e}")))?;
    let root: JsonMap<String, Json> = template
        .root
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect();
    let mut types: Vec<String> = Vec::new();
    for key in ["Resources", "resources"] {
        for r in root
            .get(key)
            .and_then(Json::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            if let Some(t) = r
                .get("Type")
                .or_else(|| r.get("type"))
                .and_then(Json::as_str)
            {
                if !types.iter().any(|x| x == t) {
                    types.push(t.to_string());
                }
            }
        }
    }
    let mut x = Xml::new();
    x.list("Parameters", parameters(&v), |x, (k, p)| {
        x.leaf("ParameterKey", k)
            .opt("DefaultValue", p.get("Default").map(text))
            .opt("ParameterType", p.get("Type").and_then(Json::as_str))
            .boolean("NoEcho", no_echo(p))
            .opt("Description", p.get("Description").and_then(Json::as_str));
        if let Some(allowed) = p.get("AllowedValues").and_then(Json::as_array) {
            x.open("ParameterConstraints")
                .strings("AllowedValues", allowed.iter().map(text))
                .close("ParameterConstraints");
        }
    });
    description(&mut x, &v);
    x.strings("ResourceTypes", &types)
        .leaf("Version", &template.version_value);
    if let Some(m) = root.get("Metadata").or_else(|| root.get("metadata")) {
        x.leaf("Metadata", m.to_string());
    }
    Ok(Some(x.finish()))
}

/// `EstimateTemplateCost`: the template is validated; the answer is the
/// one Heat gives, since an OpenStack cloud publishes no prices.
pub async fn estimate_cost(call: &Call<'_>) -> Outcome {
    let parts = parts_of(call, false).await?;
    validated(call, &parts)?;
    let mut x = Xml::new();
    x.leaf("Url", "http://en.wikipedia.org/wiki/Gratis");
    Ok(Some(x.finish()))
}
