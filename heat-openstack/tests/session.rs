//! The OpenStack session against a mock Keystone and a mock service on
//! loopback (axum, in this test): a 503 or 429 is retried with a doubling
//! back-off (four retries, then the error); a 401 renews the token once
//! and retries, and a second 401 is an error (not a loop); a 404 or 400 is
//! not retried; the token is fetched once and reused; a POST is sent again
//! only when the service cannot have acted on it (503, 429), never after a
//! gateway's 504, whose create may have been done.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json as AxumJson, Router};
use heat_core::engine::{Clock, DriverErrorKind};
use heat_openstack::config::Auth;
use heat_openstack::{CloudConfig, Method, Session};
use serde_json::json;

/// A clock whose sleeps return at once and are remembered.
#[derive(Default)]
struct Recorded {
    sleeps: Mutex<Vec<Duration>>,
}

impl Clock for Recorded {
    fn now(&self) -> f64 {
        1.8e9
    }
    fn sleep(
        &self,
        d: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.sleeps.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

#[derive(Default)]
struct Mock {
    tokens: AtomicUsize,
    calls: Mutex<Vec<(String, String)>>,
    base: Mutex<String>,
}

async fn tokens(State(m): State<Arc<Mock>>) -> Response {
    let n = m.tokens.fetch_add(1, Ordering::SeqCst) + 1;
    let base = m.base.lock().unwrap().clone();
    let body = json!({"token": {
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "project": {"id": "p1", "name": "demo"},
        "user": {"id": "u1", "name": "demo"},
        "catalog": [{"type": "network", "endpoints": [
            {"interface": "public", "region_id": "RegionOne", "url": format!("{base}/network")}
        ]}]
    }});
    let mut r = (StatusCode::CREATED, AxumJson(body)).into_response();
    r.headers_mut()
        .insert("X-Subject-Token", format!("tok-{n}").parse().unwrap());
    r
}

/// `/network/v2.0/{what}`: answers as `what` says, counting calls per path.
async fn network(
    State(m): State<Arc<Mock>>,
    Path(what): Path<String>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get("X-Auth-Token")
        .and_then(|t| t.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let seen = {
        let mut calls = m.calls.lock().unwrap();
        calls.push((what.clone(), token.clone()));
        calls.iter().filter(|(w, _)| *w == what).count()
    };
    let error = |status: StatusCode| {
        (
            status,
            AxumJson(json!({"NeutronError": {"type": "X", "message": format!("mock {status}"), "detail": ""}})),
        )
            .into_response()
    };
    match what.as_str() {
        "flaky" | "busy" if seen <= 2 => error(StatusCode::SERVICE_UNAVAILABLE),
        "gateway" => error(StatusCode::GATEWAY_TIMEOUT),
        "limited" => error(StatusCode::TOO_MANY_REQUESTS),
        "expired" if token == "tok-1" => error(StatusCode::UNAUTHORIZED),
        "refused" => error(StatusCode::UNAUTHORIZED),
        "missing" => error(StatusCode::NOT_FOUND),
        "bad" => error(StatusCode::BAD_REQUEST),
        _ => AxumJson(json!({"ok": what, "call": seen})).into_response(),
    }
}

async fn mock() -> (Arc<Mock>, String) {
    let m = Arc::new(Mock::default());
    let app = Router::new()
        .route("/v3/auth/tokens", post(tokens))
        .route("/network/v2.0/{what}", get(network).post(network))
        .with_state(m.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *m.base.lock().unwrap() = base.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (m, base)
}

fn session(base: &str, clock: Arc<Recorded>) -> Session {
    let config = CloudConfig {
        name: "mock".into(),
        auth: Auth {
            auth_url: Some(format!("{base}/v3")),
            username: Some("demo".into()),
            password: Some("secret".into()),
            project_name: Some("demo".into()),
            user_domain_id: Some("default".into()),
            project_domain_id: Some("default".into()),
            ..Auth::default()
        },
        region: Some("RegionOne".into()),
        interface: "public".into(),
        auth_type: "password".into(),
        ..CloudConfig::default()
    };
    Session::new(config, clock).unwrap()
}

#[tokio::test]
async fn retries_back_off_and_tokens_renew_once() {
    let (m, base) = mock().await;
    let clock = Arc::new(Recorded::default());
    let s = session(&base, clock.clone());
    let get = |what: &'static str| {
        let path = format!("/{what}");
        let s = &s;
        async move { s.request("network", Method::GET, &path, None).await }
    };
    let calls = |what: &str| {
        m.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(w, _)| w == what)
            .count()
    };
    let sleeps = || std::mem::take(&mut *clock.sleeps.lock().unwrap());

    // Two 503s, then an answer: retried after 0.5 s and 1 s.
    let v = get("flaky").await.unwrap();
    assert_eq!(v["call"], 3);
    assert_eq!(
        sleeps(),
        [Duration::from_millis(500), Duration::from_secs(1)]
    );

    // 429 every time: four retries, doubling, then the cloud's error.
    let e = get("limited").await.unwrap_err();
    assert_eq!(e.kind, DriverErrorKind::Transient);
    assert!(e.message.contains("429"), "{}", e.message);
    assert_eq!(calls("limited"), 5);
    assert_eq!(sleeps(), [500, 1000, 2000, 4000].map(Duration::from_millis));

    // One token so far, reused by every call.
    assert_eq!(m.tokens.load(Ordering::SeqCst), 1);

    // A 401 renews the token once and retries with the new one.
    let v = get("expired").await.unwrap();
    assert_eq!(v["ok"], "expired");
    assert_eq!(m.tokens.load(Ordering::SeqCst), 2);
    let tokens: Vec<String> = m
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|(w, _)| w == "expired")
        .map(|(_, t)| t.clone())
        .collect();
    assert_eq!(tokens, ["tok-1", "tok-2"]);

    // A second 401 is the answer, not a loop.
    let e = get("refused").await.unwrap_err();
    assert_eq!(e.kind, DriverErrorKind::Fatal);
    assert_eq!(calls("refused"), 2);
    assert_eq!(m.tokens.load(Ordering::SeqCst), 3);

    // A POST is sent again after a 503 (the service did nothing)...
    let post = |what: &'static str| {
        let path = format!("/{what}");
        let s = &s;
        async move {
            s.request("network", Method::POST, &path, Some(&json!({})))
                .await
        }
    };
    let v = post("busy").await.unwrap();
    assert_eq!(v["call"], 3);
    assert_eq!(sleeps().len(), 2);
    // ...but not after a 504, which may hide a done create: the caller
    // hears a transient error and looks before creating again.
    let e = post("gateway").await.unwrap_err();
    assert_eq!(e.kind, DriverErrorKind::Transient);
    assert_eq!(calls("gateway"), 1);
    assert!(sleeps().is_empty());
    // A GET is harmless to repeat.
    get("gateway").await.unwrap_err();
    assert_eq!(calls("gateway"), 6);
    assert_eq!(sleeps().len(), 4);

    // Not found and bad requests are not retried.
    let e = get("missing").await.unwrap_err();
    assert_eq!(e.kind, DriverErrorKind::NotFound);
    assert_eq!(calls("missing"), 1);
    let e = get("bad").await.unwrap_err();
    assert_eq!(e.kind, DriverErrorKind::Fatal);
    assert_eq!(calls("bad"), 1);
    assert!(sleeps().is_empty());
}
