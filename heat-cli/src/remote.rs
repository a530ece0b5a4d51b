//! `heat --url URL` (or `HEAT_URL`): the verbs against a heat-rs server,
//! or any Heat, over the native API v1. `URL` is an orchestration
//! endpoint, `http://host:8004/v1/<project>`; with a token (`--os-token`,
//! `OS_TOKEN`, or the one a configured cloud's Keystone gives) it is sent
//! as `X-Auth-Token`, else the server must run without authentication.
//! Answers are read back into the library's records, so every verb shows
//! what it shows locally.

use std::time::Duration;

use async_trait::async_trait;
use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use heat_core::engine::{
    Action, Change, ChangeKind, Event, ResourceRecord, StackOptions, StackRecord, StackSource,
    Status, StoreError,
};
use heat_core::service::{
    EventQuery, ResourceQuery, ResourceView, ServiceError, SortDir, SourceParts, StackQuery,
    UpdateRequest,
};
use heat_openstack::keystone::parse_time;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map as JsonMap, Value as Json};

use crate::backend::Backend;

/// How long any request may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Pause between two polls of a running operation.
const POLL: Duration = Duration::from_millis(500);

/// A heat-rs (or Heat) server.
#[derive(Clone)]
pub struct RemoteBackend {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

fn time_of(v: &Json) -> Option<f64> {
    v.as_str().and_then(parse_time)
}

fn status_of(text: &str) -> (Action, Status) {
    for (i, _) in text.match_indices('_') {
        let action = serde_json::from_value::<Action>(json!(&text[..i]));
        let status = serde_json::from_value::<Status>(json!(&text[i + 1..]));
        if let (Ok(a), Ok(s)) = (action, status) {
            return (a, s);
        }
    }
    (Action::Init, Status::Complete)
}

fn text(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A stack as the API shows it.
fn stack_of(v: &Json) -> StackRecord {
    let (action, status) = status_of(v["stack_status"].as_str().unwrap_or(""));
    let outputs = v["outputs"].as_array().map(|list| {
        list.iter()
            .map(|o| {
                let mut out = json!({"value": o["output_value"], "description": o["description"]});
                if let Some(e) = o.get("output_error") {
                    out["error"] = e.clone();
                }
                (text(&o["output_key"]), out)
            })
            .collect::<JsonMap<String, Json>>()
    });
    StackRecord {
        id: text(&v["id"]),
        name: text(&v["stack_name"]),
        project: v["parameters"]["OS::project_id"]
            .as_str()
            .or(v["project"].as_str())
            .unwrap_or_default()
            .to_string(),
        action,
        status,
        reason: text(&v["stack_status_reason"]),
        source: StackSource::default(),
        previous: None,
        outputs,
        traversal: 0,
        disable_rollback: v["disable_rollback"].as_bool().unwrap_or(true),
        timeout_mins: v["timeout_mins"].as_u64(),
        tags: v["tags"]
            .as_array()
            .map(|t| t.iter().map(text).collect())
            .unwrap_or_default(),
        created_at: time_of(&v["creation_time"]).unwrap_or(0.0),
        updated_at: time_of(&v["updated_time"]),
        parent: v["parent"].as_str().map(|p| (p.to_string(), String::new())),
        nested_depth: 0,
        root: None,
        user: text(&v["stack_owner"]),
        parameters: v["parameters"].as_object().cloned().unwrap_or_default(),
        description: text(&v["description"]),
        rollback_of: None,
        lease: None,
        cancel: None,
        deleted_at: time_of(&v["deletion_time"]),
        adopt: None,
    }
}

/// A resource as the API shows it (in a list or alone).
fn resource_of(v: &Json) -> ResourceView {
    let (action, status) = status_of(v["resource_status"].as_str().unwrap_or(""));
    let updated = time_of(&v["updated_time"]).unwrap_or(0.0);
    let link = |rel: &str| {
        v["links"].as_array().and_then(|l| {
            l.iter()
                .find(|x| x["rel"] == rel)
                .and_then(|x| x["href"].as_str())
                .map(str::to_string)
        })
    };
    // `.../stacks/{name}/{id}`: the stack a resource or a nested stack is.
    let stack_at = |href: Option<String>| {
        href.and_then(|h| {
            let rest = h.split("/stacks/").nth(1)?.to_string();
            let mut parts = rest.split('/');
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
    };
    let (stack_name, stack_id) = stack_at(link("stack")).unwrap_or_default();
    let record = ResourceRecord {
        id: String::new(),
        stack_id: stack_id.clone(),
        name: text(&v["resource_name"]),
        type_name: text(&v["resource_type"]),
        physical_id: v["physical_resource_id"]
            .as_str()
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        action,
        status,
        reason: text(&v["resource_status_reason"]),
        properties: v.get("properties").cloned().unwrap_or(json!({})),
        attributes: v["attributes"].as_object().cloned().unwrap_or_default(),
        metadata: Json::Null,
        current: true,
        requires: v["requires"]
            .as_array()
            .map(|r| r.iter().map(text).collect())
            .unwrap_or_default(),
        deletion_policy: String::new(),
        updated_at: updated,
        created_at: time_of(&v["creation_time"]).unwrap_or(updated),
    };
    ResourceView {
        stack_name: v["stack_name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or(stack_name),
        stack_id,
        record,
        required_by: v["required_by"]
            .as_array()
            .map(|r| r.iter().map(text).collect())
            .unwrap_or_default(),
        nested: stack_at(link("nested")),
        parent_resource: v["parent_resource"].as_str().map(str::to_string),
    }
}

/// An event as the API shows it.
fn event_of(v: &Json) -> Event {
    let (action, status) = status_of(v["resource_status"].as_str().unwrap_or(""));
    Event {
        id: text(&v["id"]),
        stack_id: String::new(),
        time: time_of(&v["event_time"]).unwrap_or(0.0),
        resource_name: text(&v["resource_name"]),
        physical_id: v["physical_resource_id"]
            .as_str()
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        resource_type: text(&v["resource_type"]),
        action,
        status,
        reason: text(&v["resource_status_reason"]),
    }
}

/// An update preview's `resource_changes`.
fn changes_of(v: &Json, nested: bool) -> Vec<Change> {
    let mut out = Vec::new();
    for (key, kind) in [
        ("unchanged", ChangeKind::Unchanged),
        (
            "updated",
            ChangeKind::Updated {
                properties: Vec::new(),
            },
        ),
        (
            "replaced",
            ChangeKind::Replaced {
                reason: String::new(),
            },
        ),
        ("added", ChangeKind::Added),
        ("deleted", ChangeKind::Deleted),
    ] {
        for r in v["resource_changes"][key].as_array().into_iter().flatten() {
            out.push(Change {
                name: text(&r["resource_name"]),
                type_name: text(&r["resource_type"]),
                kind: kind.clone(),
                stack: r["stack_name"]
                    .as_str()
                    .filter(|_| nested)
                    .map(str::to_string),
            });
        }
    }
    out
}

/// A request's body for a create or an update.
fn body_of(parts: &SourceParts, options: &StackOptions) -> Json {
    let mut b = json!({
        "files": parts.files,
        "parameters": parts.parameters,
        "environment_files": parts.environment_files,
    });
    if let Some(t) = &parts.template {
        b["template"] = json!(t);
    }
    if let Some(e) = &parts.environment {
        b["environment"] = json!(e);
    }
    if let Some(d) = options.disable_rollback {
        b["disable_rollback"] = json!(d);
    }
    if let Some(t) = options.timeout_mins {
        b["timeout_mins"] = json!(t);
    }
    if let Some(tags) = &options.tags {
        b["tags"] = json!(tags.join(","));
    }
    b
}

impl RemoteBackend {
    /// A server at `url` (an orchestration endpoint with its project).
    pub fn new(url: &str, token: Option<String>) -> Result<Self, String> {
        let base = url.trim_end_matches('/').to_string();
        let tail = base.rsplit("/v1/").next().unwrap_or_default();
        if !base.contains("/v1/") || tail.is_empty() || tail.contains('/') {
            return Err(format!(
                "--url {url}: expected an orchestration endpoint, http://HOST:PORT/v1/<project>"
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(RemoteBackend { http, base, token })
    }

    /// heat-rs from a cloud's catalog: its `orchestration` endpoint, when
    /// its build information says it is heat-rs (a cloud without one, or
    /// with another Heat, is worked on locally).
    pub async fn from_catalog(
        session: &heat_openstack::Session,
    ) -> Result<Option<RemoteBackend>, String> {
        let token = session.token(false).await.map_err(|e| e.to_string())?;
        let Ok(url) = session.url("orchestration").await else {
            return Ok(None);
        };
        let remote = RemoteBackend::new(&url, Some(token.value))?;
        match remote.call(Method::GET, "/build_info", None, "").await {
            Ok(info)
                if info["api"]["revision"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("heat-rs")) =>
            {
                Ok(Some(remote))
            }
            _ => Ok(None),
        }
    }

    /// One request; Heat's errors as the service's.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Json>,
        what: &str,
    ) -> Result<Json, ServiceError> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Accept", "application/json");
        if let Some(t) = &self.token {
            req = req.header("X-Auth-Token", t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let unreachable = |e: reqwest::Error| {
            ServiceError::Store(StoreError::Backend(format!(
                "the server at {} did not answer: {e}",
                self.base
            )))
        };
        let response = req.send().await.map_err(unreachable)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(unreachable)?;
        let v: Json = if bytes.is_empty() {
            Json::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(&bytes).into()))
        };
        if status.is_success() {
            return Ok(v);
        }
        let message = v["error"]["message"]
            .as_str()
            .or(v["explanation"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{status}"));
        Err(match status {
            StatusCode::NOT_FOUND if v["error"]["type"] == "EntityNotFound" => {
                ServiceError::StackNotFound(what.to_string())
            }
            StatusCode::NOT_FOUND => ServiceError::NotFound(message),
            StatusCode::CONFLICT if v["error"]["type"] == "StackExists" => {
                ServiceError::Exists(what.to_string())
            }
            StatusCode::CONFLICT => ServiceError::InProgress(what.to_string(), message),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ServiceError::Forbidden(message),
            s if s.is_client_error() => ServiceError::BadRequest(message),
            _ => ServiceError::Store(StoreError::Backend(format!(
                "the server answered {status}: {message}"
            ))),
        })
    }

    /// A stack's canonical path, `/stacks/{name}/{id}`.
    async fn path(&self, name: &str) -> Result<(String, StackRecord), ServiceError> {
        let stack = self.show(name).await?;
        Ok((format!("/stacks/{}/{}", stack.name, stack.id), stack))
    }

    async fn action(&self, name: &str, action: &str) -> Result<StackRecord, ServiceError> {
        let (path, _) = self.path(name).await?;
        self.call(
            Method::POST,
            &format!("{path}/actions"),
            Some(&json!({ action: null })),
            name,
        )
        .await?;
        self.show_path(&path, name).await
    }

    async fn show_path(&self, path: &str, name: &str) -> Result<StackRecord, ServiceError> {
        let v = self.call(Method::GET, path, None, name).await?;
        Ok(stack_of(&v["stack"]))
    }

    /// An update (`preview`: its preview, `Some(nested)`).
    async fn update_request(
        &self,
        name: &str,
        r: &UpdateRequest,
        preview: Option<bool>,
    ) -> Result<Json, ServiceError> {
        let (path, _) = self.path(name).await?;
        let mut body = body_of(&r.parts, &r.options);
        if !r.clear_parameters.is_empty() {
            body["clear_parameters"] = json!(r.clear_parameters);
        }
        let method = if r.existing {
            Method::PATCH
        } else {
            Method::PUT
        };
        let target = match preview {
            Some(true) => format!("{path}/preview?show_nested=True"),
            Some(false) => format!("{path}/preview"),
            None => path,
        };
        self.call(method, &target, Some(&body), name).await
    }
}

fn query_string(pairs: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    let q = s.finish();
    if q.is_empty() {
        q
    } else {
        format!("?{q}")
    }
}

#[async_trait]
impl Backend for RemoteBackend {
    async fn create(
        &self,
        name: &str,
        parts: &SourceParts,
        options: StackOptions,
    ) -> Result<StackRecord, ServiceError> {
        let mut body = body_of(parts, &options);
        body["stack_name"] = json!(name);
        let v = self
            .call(Method::POST, "/stacks", Some(&body), name)
            .await?;
        let id = text(&v["stack"]["id"]);
        self.show_path(&format!("/stacks/{name}/{id}"), name).await
    }

    async fn update(&self, name: &str, r: &UpdateRequest) -> Result<StackRecord, ServiceError> {
        self.update_request(name, r, None).await?;
        let (path, _) = self.path(name).await?;
        self.show_path(&path, name).await
    }

    async fn preview_update(
        &self,
        name: &str,
        r: &UpdateRequest,
        nested: bool,
    ) -> Result<Vec<Change>, ServiceError> {
        Ok(changes_of(
            &self.update_request(name, r, Some(nested)).await?,
            nested,
        ))
    }

    async fn delete(&self, name: &str) -> Result<StackRecord, ServiceError> {
        let (path, stack) = self.path(name).await?;
        self.call(Method::DELETE, &path, None, name).await?;
        Ok(stack)
    }

    async fn list(&self, q: &StackQuery) -> Result<Vec<StackRecord>, ServiceError> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (key, values) in [
            ("stack_name", &q.name),
            ("status", &q.status),
            ("action", &q.action),
            ("id", &q.id),
        ] {
            pairs.extend(values.iter().map(|v| (key, v.clone())));
        }
        for (key, values) in [
            ("tags", &q.tags),
            ("tags_any", &q.tags_any),
            ("not_tags", &q.not_tags),
            ("not_tags_any", &q.not_tags_any),
        ] {
            if !values.is_empty() {
                pairs.push((key, values.join(",")));
            }
        }
        for k in &q.sort_keys {
            pairs.push(("sort_keys", k.clone()));
        }
        if !q.sort_keys.is_empty() {
            let dir = if q.sort_dir == SortDir::Asc {
                "asc"
            } else {
                "desc"
            };
            pairs.push(("sort_dir", dir.into()));
        }
        if q.show_nested {
            pairs.push(("show_nested", "True".into()));
        }
        if let Some(l) = q.limit {
            pairs.push(("limit", l.to_string()));
        }
        if let Some(m) = &q.marker {
            pairs.push(("marker", m.clone()));
        }
        let v = self
            .call(
                Method::GET,
                &format!("/stacks{}", query_string(&pairs)),
                None,
                "",
            )
            .await?;
        Ok(v["stacks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(stack_of)
            .collect())
    }

    async fn show(&self, name: &str) -> Result<StackRecord, ServiceError> {
        // By name or id: the server answers 302 to the stack, followed.
        let v = self
            .call(Method::GET, &format!("/stacks/{name}"), None, name)
            .await?;
        Ok(stack_of(&v["stack"]))
    }

    async fn resources(
        &self,
        name: &str,
        q: &ResourceQuery,
    ) -> Result<Vec<ResourceView>, ServiceError> {
        let (path, _) = self.path(name).await?;
        let mut pairs = vec![("with_detail", "True".to_string())];
        if q.nested_depth > 0 {
            pairs.push(("nested_depth", q.nested_depth.to_string()));
        }
        let v = self
            .call(
                Method::GET,
                &format!("{path}/resources{}", query_string(&pairs)),
                None,
                name,
            )
            .await?;
        Ok(v["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(resource_of)
            .collect())
    }

    async fn resource(&self, name: &str, resource: &str) -> Result<ResourceView, ServiceError> {
        let (path, _) = self.path(name).await?;
        let v = self
            .call(
                Method::GET,
                &format!("{path}/resources/{resource}"),
                None,
                name,
            )
            .await?;
        Ok(resource_of(&v["resource"]))
    }

    async fn metadata(&self, name: &str, resource: &str) -> Result<Json, ServiceError> {
        let (path, _) = self.path(name).await?;
        let v = self
            .call(
                Method::GET,
                &format!("{path}/resources/{resource}/metadata"),
                None,
                name,
            )
            .await?;
        Ok(v["metadata"].clone())
    }

    async fn events(&self, name: &str, _q: &EventQuery) -> Result<Vec<Event>, ServiceError> {
        let (path, _) = self.path(name).await?;
        let v = self
            .call(
                Method::GET,
                &format!("{path}/events?sort_dir=asc"),
                None,
                name,
            )
            .await?;
        Ok(v["events"]
            .as_array()
            .into_iter()
            .flatten()
            .map(event_of)
            .collect())
    }

    async fn signal(&self, name: &str, resource: &str, data: Json) -> Result<(), ServiceError> {
        let (path, _) = self.path(name).await?;
        self.call(
            Method::POST,
            &format!("{path}/resources/{resource}/signal"),
            Some(&data),
            name,
        )
        .await
        .map(|_| ())
    }

    async fn cancel_update(&self, name: &str, rollback: bool) -> Result<(), ServiceError> {
        let action = if rollback {
            "cancel_update"
        } else {
            "cancel_without_rollback"
        };
        self.action(name, action).await.map(|_| ())
    }

    async fn check(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.action(name, "check").await
    }

    async fn suspend(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.action(name, "suspend").await
    }

    async fn resume(&self, name: &str) -> Result<StackRecord, ServiceError> {
        self.action(name, "resume").await
    }

    async fn wait(&self, id: &str) -> Result<Option<StackRecord>, ServiceError> {
        loop {
            match self.show(id).await {
                Ok(s) if s.status == Status::InProgress => tokio::time::sleep(POLL).await,
                Ok(s) => return Ok(Some(s)),
                Err(ServiceError::StackNotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }

    async fn resume_abandoned(&self, _name: &str) -> Result<Option<StackRecord>, ServiceError> {
        // The server takes over what a dead server left.
        Ok(None)
    }

    async fn template(&self, stack: &StackRecord) -> Result<String, ServiceError> {
        let v = self
            .call(
                Method::GET,
                &format!("/stacks/{}/{}/template", stack.name, stack.id),
                None,
                &stack.name,
            )
            .await?;
        Ok(serde_json::to_string_pretty(&v).unwrap_or_default())
    }

    fn progress(&self, accepted: &StackRecord) -> UnboundedReceiver<Event> {
        let (tx, rx) = unbounded();
        let me = self.clone();
        let path = format!("/stacks/{}/{}", accepted.name, accepted.id);
        let fresh = accepted.action == Action::Create;
        tokio::spawn(async move {
            let mut seen: Option<std::collections::HashSet<String>> = None;
            loop {
                if tx.is_closed() {
                    return;
                }
                let Ok(v) = me
                    .call(
                        Method::GET,
                        &format!("{path}/events?sort_dir=asc"),
                        None,
                        "",
                    )
                    .await
                else {
                    return;
                };
                let events: Vec<Event> = v["events"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(event_of)
                    .collect();
                let known = seen.get_or_insert_with(|| {
                    // An update's follower shows what comes after it asked.
                    if fresh {
                        Default::default()
                    } else {
                        events.iter().map(|e| e.id.clone()).collect()
                    }
                });
                for e in events {
                    if known.insert(e.id.clone()) && tx.unbounded_send(e).is_err() {
                        return;
                    }
                }
                tokio::time::sleep(POLL).await;
            }
        });
        rx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_split_into_action_and_status() {
        assert_eq!(
            status_of("CREATE_IN_PROGRESS"),
            (Action::Create, Status::InProgress)
        );
        assert_eq!(
            status_of("SNAPSHOT_COMPLETE"),
            (Action::Snapshot, Status::Complete)
        );
        assert_eq!(
            status_of("ROLLBACK_FAILED"),
            (Action::Rollback, Status::Failed)
        );
    }

    #[test]
    fn a_url_must_name_the_project() {
        assert!(RemoteBackend::new("http://h:8004/v1/admin", None).is_ok());
        assert!(RemoteBackend::new("http://h:8004/v1/admin/", None).is_ok());
        assert!(RemoteBackend::new("http://h:8004", None).is_err());
        assert!(RemoteBackend::new("http://h:8004/v1/", None).is_err());
    }

    #[test]
    fn a_stack_is_read_back_from_heats_json() {
        let s = stack_of(&json!({
            "id": "i", "stack_name": "web", "stack_status": "UPDATE_FAILED",
            "stack_status_reason": "boom", "creation_time": "2026-11-29T21:05:59Z",
            "updated_time": null, "parameters": {"OS::project_id": "p", "x": "1"},
            "outputs": [{"output_key": "url", "output_value": "http://x", "description": "d"}],
            "tags": ["a"], "timeout_mins": 5, "disable_rollback": false, "stack_owner": "u"
        }));
        assert_eq!(s.status_text(), "UPDATE_FAILED");
        assert_eq!(s.project, "p");
        assert_eq!(s.outputs.unwrap()["url"]["value"], "http://x");
        assert!(s.created_at > 1.7e9);
        assert_eq!(s.timeout_mins, Some(5));
    }
}
