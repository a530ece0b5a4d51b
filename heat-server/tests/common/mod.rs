//! The native API in process (`app(state)` called with `oneshot`) on a
//! SQLite state file of its own and the simulated cloud, in noauth mode.

#![allow(dead_code)]

pub mod cfn;
pub mod clients;
pub mod postgres;
pub mod servers;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use heat_core::engine::EngineConfig;
use heat_resources::sim::SimConfig;
use heat_server::api::{app, ApiState, Auth, Limits};
use heat_server::builder;
use serde_json::{json, Value as Json};
use tower::ServiceExt;

/// A router over a fresh state; `host` is the `Host` of its requests.
pub struct Api {
    pub host: String,
    pub router: axum::Router,
    _dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Json,
}

impl Api {
    pub async fn new(name: &str) -> Api {
        Self::with_limits(name, Limits::default()).await
    }

    pub async fn with_limits(name: &str, limits: Limits) -> Api {
        let dir = tempdir(&format!("heat-api-{name}-"));
        let local = builder::open(
            &dir.path().join("state.sqlite"),
            SimConfig::default(),
            EngineConfig::default(),
        )
        .await
        .unwrap();
        let state = Arc::new(ApiState::new(local.service.clone(), Auth::NoAuth, limits));
        Api {
            host: "heat.test:8004".into(),
            router: app(state),
            _dir: dir,
        }
    }

    pub async fn call(&self, method: Method, uri: &str, body: Option<Json>) -> Answer {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, self.host.as_str());
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = if bytes.is_empty() {
            Json::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.call(Method::GET, uri, None).await
    }

    /// Follows redirects as heatclient does.
    pub async fn follow(&self, method: Method, uri: &str, body: Option<Json>) -> Answer {
        let a = self.call(method.clone(), uri, body.clone()).await;
        if a.status != StatusCode::FOUND {
            return a;
        }
        let to = a.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .replace(&format!("http://{}", self.host), "");
        self.call(method, &to, body).await
    }

    /// Creates a stack and waits for the end of its create.
    pub async fn create(&self, tenant: &str, name: &str, template: &str, extra: Json) -> String {
        let mut b = json!({"stack_name": name, "template": template});
        if let Json::Object(m) = extra {
            for (k, v) in m {
                b[k] = v;
            }
        }
        let a = self
            .call(Method::POST, &format!("/v1/{tenant}/stacks"), Some(b))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let id = a.body["stack"]["id"].as_str().unwrap().to_string();
        self.settle(tenant, &id).await;
        id
    }

    /// Polls a stack until it is not in progress.
    pub async fn settle(&self, tenant: &str, id: &str) -> Json {
        for _ in 0..400 {
            let a = self
                .follow(Method::GET, &format!("/v1/{tenant}/stacks/{id}"), None)
                .await;
            let status = a.body["stack"]["stack_status"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if !status.ends_with("IN_PROGRESS") {
                return a.body;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("stack {id} never settled");
    }
}

/// A new directory under the system's temporary one, removed when dropped.
pub fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().unwrap()
}
