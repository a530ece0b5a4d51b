//! The CloudFormation Query API in process (`cfn::app` called with
//! `oneshot`) on a SQLite state file of its own and the simulated cloud:
//! requests signed as boto3 signs them (Signature Version 4), answers read
//! as XML.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use heat_core::engine::EngineConfig;
use heat_resources::sim::SimConfig;
use heat_server::api::{ApiState, Auth, Limits};
use heat_server::builder;
use heat_server::cfn::{self, sign, CfnAuth, CfnState};
use tower::ServiceExt;

/// A Query API router over a fresh state.
pub struct Cfn {
    pub router: axum::Router,
    pub state: Arc<CfnState>,
    /// The simulated cloud under it.
    #[allow(dead_code)]
    pub cloud: Arc<heat_resources::sim::SimCloud>,
    _dir: Arc<tempfile::TempDir>,
}

/// An answer: status and the XML text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The text of every element named `tag`, in document order.
    pub fn all(&self, tag: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(&self.body)
            .unwrap_or_else(|e| panic!("not XML ({e}): {}", self.body));
        doc.descendants()
            .filter(|n| n.has_tag_name(tag))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    }

    /// The text of the first element named `tag`.
    pub fn one(&self, tag: &str) -> String {
        self.all(tag)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{tag}> in {}", self.body))
    }

    /// The AWS error code of a refusal.
    pub fn code(&self) -> String {
        self.one("Code")
    }
}

/// `YYYYMMDDTHHMMSSZ` of a time (seconds since the epoch).
pub fn amz_date(secs: f64) -> String {
    heat_core::service::heat_time(secs).replace(['-', ':'], "")
}

impl Cfn {
    pub async fn new(name: &str) -> Cfn {
        Self::with_auth(name, CfnAuth::default()).await
    }

    pub async fn with_auth(name: &str, auth: CfnAuth) -> Cfn {
        let dir = super::tempdir(&format!("heat-cfn-{name}-"));
        let local = builder::open(
            &dir.path().join("state.sqlite"),
            SimConfig::default(),
            EngineConfig::default(),
        )
        .await
        .unwrap();
        let api = Arc::new(ApiState::new(
            local.service.clone(),
            Auth::NoAuth,
            Limits::default(),
        ));
        let state = Arc::new(CfnState {
            api,
            auth,
            guest: local.guest.clone(),
        });
        Cfn {
            router: cfn::app(state.clone()),
            state,
            cloud: local.cloud.clone(),
            _dir: Arc::new(dir),
        }
    }

    /// Another Query API over the same state, authenticating otherwise.
    pub fn beside(&self, auth: CfnAuth) -> Cfn {
        let state = Arc::new(CfnState {
            api: self.state.api.clone(),
            auth,
            guest: self.state.guest.clone(),
        });
        Cfn {
            router: cfn::app(state.clone()),
            state,
            cloud: self.cloud.clone(),
            _dir: self._dir.clone(),
        }
    }

    /// Sends a raw request.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// POSTs a form signed at `when` (seconds since the epoch).
    pub async fn call_at(&self, params: &[(&str, &str)], when: f64) -> Reply {
        self.call_as("AKIDTEST", "secret", params, when).await
    }

    /// POSTs a form signed with a key at `when`.
    pub async fn call_as(
        &self,
        access: &str,
        secret: &str,
        params: &[(&str, &str)],
        when: f64,
    ) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .append_pair("Version", "2010-05-15")
            .finish();
        let req = signed_request(
            access,
            secret,
            "/",
            "application/x-www-form-urlencoded; charset=utf-8",
            &[],
            body.into_bytes(),
            when,
        );
        self.send(req).await
    }

    /// POSTs a form signed now.
    pub async fn call(&self, params: &[(&str, &str)]) -> Reply {
        self.call_at(params, self.state.api.now()).await
    }

    /// Polls a stack until it is not in progress; its status.
    pub async fn settle(&self, stack: &str) -> String {
        for _ in 0..400 {
            let r = self
                .call(&[("Action", "DescribeStacks"), ("StackName", stack)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let status = r.one("StackStatus");
            if !status.ends_with("IN_PROGRESS") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{stack} never settled");
    }
}

fn sign_params(body: &str) -> heat_server::cfn::query::Params {
    heat_server::cfn::query::Params::parse(None, body.as_bytes())
}

/// A POST signed as boto3 signs it (Signature Version 4, host, content
/// type, date and the extra headers signed).
pub fn signed_request(
    access: &str,
    secret: &str,
    path: &str,
    content_type: &str,
    extra: &[(&str, &str)],
    body: Vec<u8>,
    when: f64,
) -> Request<Body> {
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, HeaderValue::from_static("cfn.test:8000"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap(),
    );
    let date = amz_date(when);
    headers.insert("x-amz-date", HeaderValue::from_str(&date).unwrap());
    let mut signed: Vec<&str> = vec!["content-type", "host", "x-amz-date"];
    for (k, v) in extra {
        headers.insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
        signed.push(k);
    }
    signed.sort();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let parsed = if is_form {
        sign_params(std::str::from_utf8(&body).unwrap_or_default())
    } else {
        sign_params("")
    };
    let auth = sign::sign_v4(
        access,
        secret,
        "RegionOne",
        &date,
        &sign::Signed {
            method: &Method::POST,
            path,
            query: None,
            headers: &headers,
            body: &body,
            params: &parsed,
        },
        &signed,
    );
    let mut req = Request::builder().method(Method::POST).uri(path);
    for (k, v) in &headers {
        req = req.header(k, v);
    }
    req.header(header::AUTHORIZATION, auth)
        .body(Body::from(body))
        .unwrap()
}
