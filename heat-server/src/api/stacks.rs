//! `/v1/{tenant}/stacks`: create (and adopt-free previews), list, show (a
//! stack named without its id answers 302 to its canonical URL, whatever
//! the method and subpath, as Heat does), update with PUT and PATCH and
//! their previews, delete, actions, outputs, and the stored template,
//! environment and files.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use heat_core::engine::{Change, ChangeKind, StackOptions, StackRecord};
use heat_core::service::{SortDir, SourceParts, StackQuery, UpdateRequest, STACK_SORT_KEYS};
use serde::Deserialize;
use serde_json::{json, Map as JsonMap, Value as Json};

use super::auth::{Caller, StackRequest};
use super::json::{body, Body};
use super::params::{json_bool, json_u64, tags, Query};
use super::views;
use super::{ApiError, ApiState};

/// A stack's request body, as python-heatclient sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StackBody {
    stack_name: Option<String>,
    template: Option<Json>,
    template_url: Option<String>,
    files: JsonMap<String, Json>,
    environment: Option<Json>,
    environment_files: Vec<String>,
    parameters: JsonMap<String, Json>,
    tags: Option<Json>,
    timeout_mins: Option<Json>,
    disable_rollback: Option<Json>,
    clear_parameters: Vec<String>,
    adopt_stack_data: Option<Json>,
}

impl StackBody {
    /// The request's parts; the template fetched when given by URL.
    pub async fn parts(&self, state: &ApiState) -> Result<SourceParts, ApiError> {
        let template = match (&self.template, &self.template_url) {
            (Some(Json::String(t)), _) => Some(t.clone()),
            (Some(t @ Json::Object(_)), _) => Some(t.to_string()),
            (Some(Json::Null) | None, Some(url)) => Some(state.fetch_template(url).await?),
            (Some(Json::Null) | None, None) => None,
            (Some(other), _) => {
                return Err(ApiError::bad_request(
                    "HTTPBadRequest",
                    format!("The template must be a string or a map, not {other}"),
                ))
            }
        };
        if let Some(t) = &template {
            if t.len() > state.limits.max_template_size {
                return Err(ApiError::too_large(format!(
                    "Request limit exceeded: Template size ({} bytes) exceeds maximum allowed size ({} bytes).",
                    t.len(),
                    state.limits.max_template_size
                )));
            }
        }
        let environment = match &self.environment {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(env) => Some(env.to_string()),
        };
        let files = self
            .files
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Json::String(s) => Json::String(s.clone()),
                    other => Json::String(other.to_string()),
                };
                (k.clone(), text)
            })
            .collect();
        Ok(SourceParts {
            template_name: "template".into(),
            template,
            files,
            environment_files: self.environment_files.clone(),
            environment,
            parameters: self.parameters.clone(),
        })
    }

    fn options(&self, tags_default: Option<Vec<String>>) -> StackOptions {
        StackOptions {
            disable_rollback: self.disable_rollback.as_ref().and_then(json_bool),
            timeout_mins: self.timeout_mins.as_ref().and_then(json_u64),
            tags: self.tags.as_ref().map(tags).or(tags_default),
        }
    }
}

fn json_status(status: StatusCode, v: &Json) -> Response {
    let mut r = body(v);
    *r.status_mut() = status;
    r
}

fn location(r: &mut Response, url: &str) {
    if let Ok(v) = HeaderValue::from_str(url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
}

/// `GET /stacks`.
pub async fn list(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let mut query = StackQuery {
        name: q.all("stack_name"),
        status: q.all("status"),
        action: q.all("action"),
        id: q.all("id"),
        tags: q.all("tags"),
        tags_any: q.all("tags_any"),
        not_tags: q.all("not_tags"),
        not_tags_any: q.all("not_tags_any"),
        show_nested: q.flag("show_nested"),
        show_deleted: q.flag("show_deleted"),
        global_tenant: q.flag("global_tenant"),
        sort_keys: q.all("sort_keys"),
        sort_dir: match q.one("sort_dir") {
            Some("asc") => SortDir::Asc,
            Some("desc") | None => SortDir::Desc,
            Some(other) => {
                return Err(ApiError::bad_request(
                    "HTTPBadRequest",
                    format!("Unknown sort direction, must be one of: asc, desc ({other})"),
                ))
            }
        },
        limit: q.number("limit")?.map(|l| l as usize),
        marker: q.one("marker").map(str::to_string),
    };
    query.name.extend(q.all("name"));
    for k in &query.sort_keys {
        if !STACK_SORT_KEYS.contains(&k.as_str()) {
            return Err(ApiError::bad_request(
                "HTTPBadRequest",
                format!("Unsupported sort key: {k}"),
            ));
        }
    }
    let stacks = state.service.list(&caller.ctx, &query).await?;
    let mut v = json!({
        "stacks": stacks.iter().map(|s| views::stack_summary(&caller.base, s)).collect::<Vec<_>>(),
    });
    if let (Some(limit), Some(last)) = (query.limit, stacks.last()) {
        if stacks.len() == limit {
            v["links"] = json!([{"rel": "next", "href": format!("{}/stacks?limit={limit}&marker={}", caller.base.v1(), last.id)}]);
        }
    }
    Ok(body(&v))
}

/// `POST /stacks`.
pub async fn create(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Body(b): Body<StackBody>,
) -> Result<Response, ApiError> {
    let name = b
        .stack_name
        .clone()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("HTTPBadRequest", "No stack name specified"))?;
    let parts = b.parts(&state).await?;
    let mut options = b.options(Some(Vec::new()));
    // Heat's API defaults to no rollback.
    options.disable_rollback.get_or_insert(true);
    let stack = match &b.adopt_stack_data {
        // heatclient sends the data as a JSON text.
        Some(Json::String(text)) => {
            let data: Json = serde_json::from_str(text).map_err(|e| {
                ApiError::bad_request("HTTPBadRequest", format!("Invalid adopt data: {e}"))
            })?;
            state
                .service
                .adopt(&caller.ctx, &name, &data, &parts, options)
                .await?
        }
        Some(data @ Json::Object(_)) => {
            state
                .service
                .adopt(&caller.ctx, &name, data, &parts, options)
                .await?
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "HTTPBadRequest",
                "Invalid adopt data: it must be a JSON object",
            ))
        }
        None if parts.template.is_none() => {
            return Err(ApiError::bad_request(
                "HTTPBadRequest",
                "No template specified",
            ))
        }
        None => {
            state
                .service
                .create(&caller.ctx, &name, &parts, options)
                .await?
        }
    };
    let url = caller.base.stack(&stack.name, &stack.id);
    let mut r = json_status(
        StatusCode::CREATED,
        &json!({"stack": {"id": stack.id, "links": views::stack_links(&caller.base, &stack)}}),
    );
    location(&mut r, &url);
    Ok(r)
}

/// `POST /stacks/preview`.
pub async fn preview(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Body(b): Body<StackBody>,
) -> Result<Response, ApiError> {
    let name = b.stack_name.clone().unwrap_or_else(|| "preview".into());
    let parts = b.parts(&state).await?;
    let preview = state.service.preview_create(&caller.ctx, &name, &parts)?;
    let base = &caller.base;
    let links = json!([{"href": base.stack(&name, "None"), "rel": "self"}]);
    let options = b.options(Some(Vec::new()));
    let mut parameters = preview.parameters.clone();
    parameters.insert("OS::stack_id".into(), json!("None"));
    let description = if preview.description.is_empty() {
        "No description".to_string()
    } else {
        preview.description.clone()
    };
    let outputs: Vec<Json> = preview
        .outputs
        .iter()
        .map(|(key, description)| {
            json!({
                "output_key": key,
                "description": description.as_deref().unwrap_or("No description given"),
                "output_value": null,
            })
        })
        .collect();
    Ok(body(&json!({"stack": {
        "stack_name": name,
        "id": "None",
        "links": links,
        "creation_time": heat_core::service::heat_time(state.now()),
        "updated_time": null,
        "deletion_time": null,
        "notification_topics": [],
        "parameters": parameters,
        "description": description,
        "template_description": description,
        "capabilities": [],
        "disable_rollback": options.disable_rollback.unwrap_or(true),
        "timeout_mins": options.timeout_mins,
        "stack_owner": caller.ctx.user,
        "parent": null,
        "stack_user_project_id": null,
        "tags": options.tags.unwrap_or_default(),
        "outputs": outputs,
        "resources": preview_resources(base, &preview, None),
    }})))
}

/// A preview's resources as Heat lists them: a resource with a nested
/// stack stands as the list of that stack's resources.
fn preview_resources(
    base: &views::Base,
    stack: &heat_core::engine::StackPreview,
    parent: Option<&str>,
) -> Vec<Json> {
    stack
        .resources
        .iter()
        .map(|r| match &r.nested {
            Some(child) => Json::Array(preview_resources(base, child, Some(&r.name))),
            None => {
                let mut item = preview_resource(base, &stack.name, &r.name, &r.type_name);
                item["required_by"] = json!(r.required_by);
                if let Some(p) = parent {
                    item["parent_resource"] = json!(p);
                }
                item["attributes"] =
                    heat_resources::views::resource_attributes(&r.type_name, &JsonMap::new());
                item["properties"] =
                    heat_resources::views::resource_properties(&r.type_name, &r.properties);
                item
            }
        })
        .collect()
}

fn identity(tenant: &str, stack: &str, id: &str, path: &str) -> Json {
    json!({"tenant": tenant, "stack_name": stack, "stack_id": id, "path": path})
}

fn preview_resource(base: &views::Base, stack: &str, name: &str, type_name: &str) -> Json {
    json!({
        "updated_time": null,
        "creation_time": null,
        "resource_name": name,
        "physical_resource_id": "",
        "resource_action": "INIT",
        "resource_status": "COMPLETE",
        "resource_status_reason": "",
        "resource_type": type_name,
        "resource_identity": identity(&base.tenant, stack, "None", &format!("/resources/{name}")),
        "stack_identity": identity(&base.tenant, stack, "None", ""),
        "stack_name": stack,
        "required_by": [],
        "description": "",
        "metadata": {},
        "attributes": heat_resources::views::resource_attributes(type_name, &JsonMap::new()),
        "properties": {},
    })
}

/// A stack named by name or id alone (with any subpath): 302 to its
/// canonical URL.
pub async fn redirect(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    Path(params): Path<Vec<(String, String)>>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let name = params
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let stack = state.service.show(&caller.ctx, &name).await?;
    let path = uri.path();
    let marker = format!("/stacks/{}", urlencoding_segment(&name));
    let rest = path
        .find(&marker)
        .map(|i| &path[i + marker.len()..])
        .unwrap_or("");
    let mut url = format!("{}{rest}", caller.base.stack(&stack.name, &stack.id));
    if let Some(q) = uri.query() {
        url.push('?');
        url.push_str(q);
    }
    let mut r = json_status(
        StatusCode::FOUND,
        &json!({
            "message": format!("The resource was found at <a href=\"{url}\">{url}</a>;\nyou should be redirected automatically.\n\n"),
            "code": "302 Found",
            "title": "Found",
        }),
    );
    location(&mut r, &url);
    Ok(r)
}

/// A path segment as it appears in the URL.
fn urlencoding_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
        .replace("%7E", "~")
}

/// `GET /stacks/{name}/{id}`.
pub async fn show(
    StackRequest { caller, stack }: StackRequest,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let resolve = q.one("resolve_outputs").is_none_or(super::params::truthy);
    Ok(body(
        &json!({"stack": views::stack_detail(&caller.base, &stack, resolve)}),
    ))
}

pub fn accepted() -> Response {
    json_status(
        StatusCode::ACCEPTED,
        &json!({"message": "The request is accepted for processing.<br /><br />\n\n\n", "code": "202 Accepted", "title": "Accepted"}),
    )
}

async fn update_request(
    state: &ApiState,
    b: &StackBody,
    existing: bool,
) -> Result<UpdateRequest, ApiError> {
    Ok(UpdateRequest {
        parts: b.parts(state).await?,
        existing,
        clear_parameters: b.clear_parameters.clone(),
        // PUT replaces the tags (none given: none); PATCH keeps them.
        options: b.options(if existing { None } else { Some(Vec::new()) }),
    })
}

/// `PUT` (`existing`: `PATCH`) `/stacks/{name}/{id}`.
pub async fn update(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    method: Method,
    Body(b): Body<StackBody>,
) -> Result<Response, ApiError> {
    let existing = method == Method::PATCH;
    let request = update_request(&state, &b, existing).await?;
    if request.parts.template.is_none() && !existing {
        return Err(ApiError::bad_request(
            "HTTPBadRequest",
            "No template specified",
        ));
    }
    state
        .service
        .update(&caller.ctx, &stack.id, &request)
        .await
        .map_err(|e| ApiError::from_service(e, "StackValidationFailed"))?;
    Ok(accepted())
}

/// `PUT`/`PATCH /stacks/{name}/{id}/preview`: what an update would do
/// (`?show_nested=True`: to the nested stacks' resources too).
pub async fn update_preview(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    method: Method,
    RawQuery(raw): RawQuery,
    Body(b): Body<StackBody>,
) -> Result<Response, ApiError> {
    let request = update_request(&state, &b, method == Method::PATCH).await?;
    let nested = Query::parse(raw.as_deref()).flag("show_nested");
    let changes = state
        .service
        .preview_update_as(&caller.ctx, &stack.id, &request, nested)
        .await?;
    let query = heat_core::service::ResourceQuery {
        nested_depth: if nested { u32::MAX } else { 0 },
        ..Default::default()
    };
    let records = state
        .service
        .resources(&caller.ctx, &stack.id, &query)
        .await?;
    let mut out: JsonMap<String, Json> = ["unchanged", "updated", "replaced", "added", "deleted"]
        .iter()
        .map(|k| (k.to_string(), json!([])))
        .collect();
    for c in &changes {
        let key = match c.kind {
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Updated { .. } => "updated",
            ChangeKind::Replaced { .. } | ChangeKind::Refused { .. } => "replaced",
            ChangeKind::Added => "added",
            ChangeKind::Deleted => "deleted",
        };
        let item = change_item(&caller.base, &stack, c, &records);
        out[key].as_array_mut().expect("a list").push(item);
    }
    Ok(body(&json!({"resource_changes": out})))
}

fn change_item(
    base: &views::Base,
    stack: &StackRecord,
    c: &Change,
    records: &[heat_core::service::ResourceView],
) -> Json {
    let of = c.stack.as_deref().unwrap_or(&stack.name);
    match records
        .iter()
        .find(|v| v.record.name == c.name && v.stack_name == of)
    {
        Some(v) if c.kind != ChangeKind::Added => {
            let r = &v.record;
            let mut item = json!({
                "updated_time": heat_core::service::heat_time(r.updated_at),
                "creation_time": heat_core::service::heat_time(if r.created_at > 0.0 { r.created_at } else { r.updated_at }),
                "resource_name": r.name,
                "physical_resource_id": r.physical_id.clone().unwrap_or_default(),
                "resource_action": r.action.name(),
                "resource_status": r.status.name(),
                "resource_status_reason": r.reason,
                "resource_type": r.type_name,
                "resource_identity": identity(&base.tenant, &v.stack_name, &v.stack_id, &format!("/resources/{}", r.name)),
                "stack_identity": identity(&base.tenant, &v.stack_name, &v.stack_id, ""),
                "stack_name": v.stack_name,
                "required_by": v.required_by,
            });
            if let Some((n, id)) = &v.nested {
                item["nested_stack_id"] = identity(&base.tenant, n, id, "");
            }
            item["description"] = json!("");
            item["metadata"] = json!({});
            item["attributes"] = views::attributes(r);
            item
        }
        _ => {
            // A nested stack still to be made has no id yet.
            let id = if c.stack.is_some() {
                "None"
            } else {
                stack.id.as_str()
            };
            let mut item = preview_resource(base, of, &c.name, &c.type_name);
            if let Some(o) = item.as_object_mut() {
                o.remove("properties");
                o.insert(
                    "resource_identity".into(),
                    identity(&base.tenant, of, id, &format!("/resources/{}", c.name)),
                );
                o.insert("stack_identity".into(), identity(&base.tenant, of, id, ""));
            }
            item
        }
    }
}

/// `DELETE /stacks/{name}/{id}`.
pub async fn delete(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
) -> Result<Response, ApiError> {
    if stack.is_deleted() {
        return Err(ApiError::no_stack(&stack.name));
    }
    state.service.delete(&caller.ctx, &stack.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /stacks/{name}/{id}/actions`: `{"suspend": null}`, `resume`,
/// `check`, `cancel_update`, `cancel_without_rollback`.
pub async fn actions(
    State(state): State<Arc<ApiState>>,
    StackRequest { caller, stack }: StackRequest,
    Body(b): Body<JsonMap<String, Json>>,
) -> Result<Response, ApiError> {
    let action = match b.keys().collect::<Vec<_>>().as_slice() {
        [one] => one.as_str(),
        _ => {
            return Err(ApiError::bad_request(
                "HTTPBadRequest",
                "Exactly one action must be given",
            ))
        }
    };
    let (svc, ctx) = (&state.service, &caller.ctx);
    match action {
        "suspend" => svc.suspend(ctx, &stack.id).await.map(|_| ())?,
        "resume" => svc.resume(ctx, &stack.id).await.map(|_| ())?,
        "check" => svc.check(ctx, &stack.id).await.map(|_| ())?,
        "cancel_update" => svc.cancel_update(ctx, &stack.id, true).await?,
        "cancel_without_rollback" => svc.cancel_update(ctx, &stack.id, false).await?,
        other => {
            return Err(ApiError::bad_request(
                "HTTPBadRequest",
                format!("Invalid action {other} specified"),
            ))
        }
    }
    Ok(body(&Json::Null))
}

/// `GET /stacks/{name}/{id}/outputs`.
pub async fn outputs(StackRequest { stack, .. }: StackRequest) -> Result<Response, ApiError> {
    let list: Vec<Json> = stack
        .outputs
        .iter()
        .flatten()
        .map(|(k, o)| views::output(k, o, false))
        .collect();
    Ok(body(&json!({"outputs": list})))
}

/// `GET /stacks/{name}/{id}/outputs/{key}`.
pub async fn output(
    StackRequest { stack, .. }: StackRequest,
    Path((_, _, _, key)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let o = stack
        .outputs
        .as_ref()
        .and_then(|o| o.get(&key))
        .ok_or_else(|| {
            ApiError::not_found("NotFound", format!("Specified output key {key} not found."))
        })?;
    Ok(body(&json!({"output": views::output(&key, o, true)})))
}

/// `GET /stacks/{name}/{id}/template`: the template as a document.
pub async fn template(StackRequest { stack, .. }: StackRequest) -> Result<Response, ApiError> {
    let doc = heat_core::template::Template::parse(&stack.source.template)
        .map(|t| {
            Json::Object(
                t.root
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            )
        })
        .unwrap_or(Json::String(stack.source.template.clone()));
    Ok(body(&doc))
}

/// `GET /stacks/{name}/{id}/environment`.
pub async fn environment(StackRequest { stack, .. }: StackRequest) -> Result<Response, ApiError> {
    let template = heat_core::template::Template::parse(&stack.source.template)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut view = heat_core::engine::Engine::environment_view(&stack.source, &template);
    view["encrypted_param_names"] = json!([]);
    Ok(body(&view))
}

/// `GET /stacks/{name}/{id}/files`.
pub async fn files(StackRequest { stack, .. }: StackRequest) -> Result<Response, ApiError> {
    Ok(body(&Json::Object(stack.source.files.clone())))
}
