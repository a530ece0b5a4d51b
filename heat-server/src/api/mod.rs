//! Heat's native REST API v1 over the stack service, as python-heatclient
//! and `openstack stack` use it: [`app`] builds the router. Every response
//! carries an `x-openstack-request-id` (also the tracing span of the
//! request); request bodies are bounded (413), in-flight requests are
//! bounded (503 with `Retry-After` when saturated) and each has a timeout.
//!
//! `stacks` holds the stack routes, `resources` and `events` theirs,
//! `templates` validation, versions and types, `info` the versions
//! document, build information and services; `auth` says who calls
//! (noauth or `keystone`), `views` shapes the JSON, `error` is the one
//! error type, `json` and `params` read requests.

mod auth;
mod error;
mod events;
mod info;
mod json;
pub mod keystone;
mod params;
mod resources;
mod snapshots;
mod software;
mod stacks;
mod templates;
mod views;

pub use auth::Auth;
pub use error::ApiError;

use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use axum::{BoxError, Router};
use heat_core::service::StackService;
use tower::ServiceBuilder;
use tracing::Instrument;

/// Limits on requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest template, bytes (Heat's `max_template_size`).
    pub max_template_size: usize,
    /// Largest request body, bytes (Heat's `max_json_body_size`).
    pub max_json_body_size: usize,
    /// Most requests handled at once; more are refused with 503.
    pub max_concurrent_requests: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Longest a `template_url` fetch may take.
    pub fetch_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_template_size: heat_core::template::MAX_TEMPLATE_SIZE,
            max_json_body_size: 1024 * 1024,
            max_concurrent_requests: 256,
            request_timeout: Duration::from_secs(60),
            fetch_timeout: Duration::from_secs(10),
        }
    }
}

/// What the handlers share.
pub struct ApiState {
    /// The stack service.
    pub service: StackService,
    /// How callers are authenticated.
    pub auth: Auth,
    /// Request limits.
    pub limits: Limits,
    /// For `template_url` fetches (and the engine's nested `TemplateURL`s).
    pub fetcher: Arc<HttpFetcher>,
}

/// Templates fetched by URL: http or https only, with the fetch timeout and
/// Heat's size limit. The APIs fetch a request's `template_url` with it,
/// the engine a nested stack's `TemplateURL` the request's files lack.
pub struct HttpFetcher {
    http: reqwest::Client,
    max_template_size: usize,
}

/// Why a template could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not http(s), unreachable, refused, not text.
    #[error("{0}")]
    Unavailable(String),
    /// Larger than `max_template_size`.
    #[error("Request limit exceeded: Template size ({0} bytes) exceeds maximum allowed size ({1} bytes).")]
    TooLarge(usize, usize),
}

impl HttpFetcher {
    /// A fetcher with the API's limits.
    pub fn new(limits: &Limits) -> Self {
        HttpFetcher {
            http: reqwest::Client::builder()
                .timeout(limits.fetch_timeout)
                .build()
                .unwrap_or_default(),
            max_template_size: limits.max_template_size,
        }
    }

    /// The template at `url`.
    pub async fn get(&self, url: &str) -> Result<String, FetchError> {
        let unavailable = |m: String| FetchError::Unavailable(m);
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(unavailable(format!("Invalid URL scheme in {url}")));
        }
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("{url} answered {}", response.status())));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if bytes.len() > self.max_template_size {
            return Err(FetchError::TooLarge(bytes.len(), self.max_template_size));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| unavailable(e.to_string()))
    }
}

#[async_trait::async_trait]
impl heat_core::engine::TemplateFetcher for HttpFetcher {
    async fn fetch(&self, url: &str) -> Result<String, String> {
        self.get(url).await.map_err(|e| e.to_string())
    }
}

impl ApiState {
    /// State over a service; its engine fetches nested stacks'
    /// `TemplateURL`s with the same fetcher.
    pub fn new(service: StackService, auth: Auth, limits: Limits) -> Self {
        let fetcher = Arc::new(HttpFetcher::new(&limits));
        service.engine().set_template_fetcher(fetcher.clone());
        ApiState {
            service,
            auth,
            limits,
            fetcher,
        }
    }

    /// Now, on the engine's clock.
    pub fn now(&self) -> f64 {
        self.service.engine().clock().now()
    }

    /// A template given by URL (http or https only, bounded in size).
    pub async fn fetch_template(&self, url: &str) -> Result<String, ApiError> {
        self.fetcher.get(url).await.map_err(|e| match e {
            FetchError::Unavailable(m) => ApiError::bad_request(
                "HTTPBadRequest",
                format!("Could not retrieve template: {m}"),
            ),
            too_large @ FetchError::TooLarge(..) => ApiError::too_large(too_large.to_string()),
        })
    }
}

/// A request's id, in its extensions for handlers that echo it (the Query
/// APIs put it in their XML).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Gives each request an id (in its tracing span, its extensions and the
/// `x-openstack-request-id` header of its response).
pub(crate) async fn request_id(mut req: Request, next: Next) -> Response {
    let id = format!("req-{}", uuid::Uuid::new_v4());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let mut response = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| tracing::info!(status = response.status().as_u16(), "answered"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-openstack-request-id", v);
    }
    response
}

/// Reads each request's body whole (at most the JSON body limit) before
/// any handler: a handler that answers without reading it (a 302 by name,
/// a refusal of the caller) would leave it unread, hyper would close the
/// connection after the answer, and a client that sends the request again
/// on it (keystoneauth follows a 302 and retries a 401 on the same
/// connection) would find it closed ("Remote end closed connection
/// without response").
pub(crate) async fn read_body(
    axum::extract::State(limit): axum::extract::State<usize>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => {
            ApiError::too_large("Request limit exceeded: JSON body size exceeds max_json_body_size")
                .into_response()
        }
    }
}

/// A handler's panic, answered as an internal error (logged, with the
/// request's id) instead of a dropped connection.
pub(crate) fn caught_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    ApiError::internal(format!("panic: {detail}")).into_response()
}

/// Saturation and timeouts, as Heat-shaped errors.
pub(crate) async fn overloaded(e: BoxError) -> Response {
    if e.is::<tower::timeout::error::Elapsed>() {
        let mut busy = ApiError::busy();
        busy.message = "The request took too long.".into();
        return busy.into_response();
    }
    if e.is::<tower::load_shed::error::Overloaded>() {
        return ApiError::busy().into_response();
    }
    ApiError::internal(e).into_response()
}

/// The native API's router.
pub fn app(state: Arc<ApiState>) -> Router {
    let limits = state.limits.clone();
    // A stack named without its id, with any subpath: 302 to its URL.
    let mut redirects = Router::new().route("/v1/{tenant}/stacks/{name}", any(stacks::redirect));
    for sub in [
        "resources",
        "events",
        "actions",
        "template",
        "environment",
        "files",
        "outputs",
        "preview",
        "snapshots",
        "abandon",
        "export",
    ] {
        redirects = redirects
            .route(
                &format!("/v1/{{tenant}}/stacks/{{name}}/{sub}"),
                any(stacks::redirect),
            )
            .route(
                &format!("/v1/{{tenant}}/stacks/{{name}}/{sub}/{{*rest}}"),
                any(stacks::redirect),
            );
    }
    let stack = "/v1/{tenant}/stacks/{name}/{id}";
    Router::new()
        .route("/", get(info::versions))
        .route("/v1/{tenant}/build_info", get(info::build_info))
        .route("/v1/{tenant}/services", get(info::services))
        .route("/v1/{tenant}/validate", post(templates::validate))
        .route("/v1/{tenant}/template_versions", get(templates::versions))
        .route(
            "/v1/{tenant}/template_versions/{version}/functions",
            get(templates::version_functions),
        )
        .route("/v1/{tenant}/resource_types", get(templates::types))
        .route(
            "/v1/{tenant}/resource_types/{type}",
            get(templates::type_show),
        )
        .route(
            "/v1/{tenant}/resource_types/{type}/template",
            get(templates::type_template_of),
        )
        .route(
            "/v1/{tenant}/stacks",
            get(stacks::list).post(stacks::create),
        )
        .route("/v1/{tenant}/stacks/preview", post(stacks::preview))
        .route(
            "/v1/{tenant}/software_configs",
            get(software::configs).post(software::create_config),
        )
        .route(
            "/v1/{tenant}/software_configs/{id}",
            get(software::config).delete(software::delete_config),
        )
        .route(
            "/v1/{tenant}/software_deployments",
            get(software::deployments).post(software::create_deployment),
        )
        .route(
            "/v1/{tenant}/software_deployments/{id}",
            get(software::deployment)
                .put(software::update_deployment)
                .delete(software::delete_deployment),
        )
        .route(
            "/v1/{tenant}/software_deployments/metadata/{server}",
            get(software::metadata),
        )
        .merge(redirects)
        .route(
            stack,
            get(stacks::show)
                .put(stacks::update)
                .patch(stacks::update)
                .delete(stacks::delete),
        )
        .route(
            &format!("{stack}/preview"),
            put(stacks::update_preview).patch(stacks::update_preview),
        )
        .route(&format!("{stack}/actions"), post(stacks::actions))
        .route(&format!("{stack}/outputs"), get(stacks::outputs))
        .route(&format!("{stack}/outputs/{{key}}"), get(stacks::output))
        .route(&format!("{stack}/template"), get(stacks::template))
        .route(&format!("{stack}/environment"), get(stacks::environment))
        .route(&format!("{stack}/files"), get(stacks::files))
        .route(&format!("{stack}/resources"), get(resources::list))
        .route(
            &format!("{stack}/resources/{{resource}}"),
            get(resources::show).patch(resources::mark_unhealthy),
        )
        .route(
            &format!("{stack}/resources/{{resource}}/metadata"),
            get(resources::metadata),
        )
        .route(
            &format!("{stack}/resources/{{resource}}/signal"),
            post(resources::signal),
        )
        .route(
            &format!("{stack}/resources/{{resource}}/events"),
            get(events::of_resource),
        )
        .route(
            &format!("{stack}/resources/{{resource}}/events/{{event}}"),
            get(events::show),
        )
        .route(&format!("{stack}/events"), get(events::list))
        .route(
            &format!("{stack}/snapshots"),
            get(snapshots::list).post(snapshots::create),
        )
        .route(
            &format!("{stack}/snapshots/{{snapshot}}"),
            get(snapshots::show).delete(snapshots::delete),
        )
        .route(
            &format!("{stack}/snapshots/{{snapshot}}/restore"),
            post(snapshots::restore),
        )
        .route(&format!("{stack}/abandon"), delete(snapshots::abandon))
        .route(&format!("{stack}/export"), get(snapshots::export))
        .fallback(|| async {
            ApiError::not_found("HTTPNotFound", "The resource could not be found.")
        })
        .with_state(state)
        .layer(DefaultBodyLimit::max(limits.max_json_body_size))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .concurrency_limit(limits.max_concurrent_requests)
                .timeout(limits.request_timeout),
        )
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            crate::api::caught_panic,
        ))
        .layer(middleware::from_fn_with_state(
            limits.max_json_body_size,
            read_body,
        ))
        .layer(middleware::from_fn(request_id))
}
