//! Templates and types: validate, template versions and their functions,
//! resource types (list, show, a template for a type).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use heat_core::function::catalog::functions;
use heat_core::service::ServiceError;
use heat_core::template::ErrorKind;
use heat_core::version::{Dialect, HOT_VERSIONS};
use heat_resources::views::{type_schema, type_template};
use heat_resources::Catalog;
use serde_json::{json, Value as Json};

use super::auth::Caller;
use super::json::{body, Body};
use super::params::Query;
use super::stacks::StackBody;
use super::{ApiError, ApiState};

/// `POST /validate`.
pub async fn validate(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    Body(b): Body<StackBody>,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    // Heat's ignorable error codes: 99001 (a service missing from the
    // catalog), which heat-rs never raises; any other code is refused.
    let invalid: Vec<String> = q
        .all("ignore_errors")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "99001")
        .map(|c| format!("'{c}'"))
        .collect();
    if !invalid.is_empty() {
        return Err(ApiError::bad_request(
            "HTTPBadRequest",
            format!("Invalid codes in ignore_errors : [{}]", invalid.join(", ")),
        ));
    }
    let parts = b.parts(&state).await?;
    if parts.template.is_none() {
        return Err(ApiError::bad_request(
            "HTTPBadRequest",
            "No template specified",
        ));
    }
    match state
        .service
        .validate(&caller.ctx, &parts, q.flag("show_nested"))
    {
        Ok(view) => Ok(body(&view)),
        Err(ServiceError::Invalid { errors, .. }) => {
            let kind = match errors.first().map(|e| e.kind) {
                Some(ErrorKind::Reference) => "InvalidTemplateReference",
                Some(ErrorKind::Cycle) => "CircularDependencyException",
                Some(ErrorKind::Version) => "InvalidTemplateVersion",
                _ => "HTTPBadRequest",
            };
            let message = errors
                .iter()
                .map(|e| match (e.path.is_empty(), e.kind) {
                    (false, ErrorKind::Function | ErrorKind::Resource | ErrorKind::Output) => {
                        format!("{}: {}", e.path, e.message)
                    }
                    _ => e.message.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            Err(ApiError::bad_request(kind, message))
        }
        Err(e) => Err(e.into()),
    }
}

fn dialect_of(version: &str) -> Option<Dialect> {
    match version {
        "AWSTemplateFormatVersion.2010-09-09" => Some(Dialect::Cfn),
        "HeatTemplateFormatVersion.2012-12-12" => Some(Dialect::Heat),
        v => {
            let date = v.strip_prefix("heat_template_version.")?;
            HOT_VERSIONS
                .iter()
                .find(|(name, _)| *name == date)
                .map(|(_, hv)| Dialect::Hot(*hv))
        }
    }
}

/// `GET /template_versions`.
pub async fn versions(_caller: Caller) -> Response {
    let mut list = vec![
        json!({"version": "AWSTemplateFormatVersion.2010-09-09", "type": "cfn", "aliases": []}),
        json!({"version": "HeatTemplateFormatVersion.2012-12-12", "type": "cfn", "aliases": []}),
    ];
    let dated = HOT_VERSIONS
        .iter()
        .filter(|(name, _)| name.starts_with(|c: char| c.is_ascii_digit()));
    for (date, v) in dated {
        let aliases: Vec<String> = HOT_VERSIONS
            .iter()
            .filter(|(name, hv)| hv == v && !name.starts_with(|c: char| c.is_ascii_digit()))
            .map(|(name, _)| format!("heat_template_version.{name}"))
            .collect();
        list.push(json!({"version": format!("heat_template_version.{date}"), "type": "hot", "aliases": aliases}));
    }
    body(&json!({"template_versions": list}))
}

/// `GET /template_versions/{version}/functions`.
pub async fn version_functions(
    _caller: Caller,
    Path((_, version)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let dialect = dialect_of(&version).ok_or_else(|| {
        ApiError::not_found(
            "NotFound",
            format!("Template with version {version} not found"),
        )
    })?;
    let conditions = Query::parse(raw.as_deref()).flag("condition_functions");
    let list: Vec<Json> = functions(dialect, conditions)
        .into_iter()
        .map(|(name, description)| json!({"functions": name, "description": description}))
        .collect();
    Ok(body(&json!({"template_functions": list})))
}

/// `GET /resource_types`.
pub async fn types(_caller: Caller, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    let names = q.all("name");
    let with_description = q.flag("with_description");
    let list: Vec<Json> = Catalog
        .names()
        .into_iter()
        .filter(|n| names.is_empty() || names.iter().any(|f| matches_filter(n, f)))
        .map(|n| {
            if with_description {
                let d = Catalog.schema(n).map(|t| t.description).unwrap_or_default();
                json!({"resource_type": n, "description": d})
            } else {
                json!(n)
            }
        })
        .collect();
    body(&json!({"resource_types": list}))
}

/// Heat's type name filter: a regular expression, or a plain substring.
fn matches_filter(name: &str, filter: &str) -> bool {
    fancy_regex::Regex::new(filter)
        .ok()
        .and_then(|r| r.is_match(name).ok())
        .unwrap_or_else(|| name.contains(filter))
}

fn resource_type(
    type_name: &str,
) -> Result<&'static heat_resources::schema::ResourceType, ApiError> {
    Catalog.schema(type_name).ok_or_else(|| {
        ApiError::not_found(
            "EntityNotFound",
            format!("The Resource Type ({type_name}) could not be found."),
        )
    })
}

/// `GET /resource_types/{type}`.
pub async fn type_show(
    _caller: Caller,
    Path((_, type_name)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let t = resource_type(&type_name)?;
    let with_description = Query::parse(raw.as_deref()).flag("with_description");
    Ok(body(&type_schema(t, with_description)))
}

/// `GET /resource_types/{type}/template`.
pub async fn type_template_of(
    _caller: Caller,
    Path((_, type_name)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let t = resource_type(&type_name)?;
    let hot = Query::parse(raw.as_deref()).one("template_type") != Some("cfn");
    Ok(body(&type_template(t, hot)))
}
