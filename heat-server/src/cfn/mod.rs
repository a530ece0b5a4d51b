//! The CloudFormation Query API (default `127.0.0.1:8000`), as boto3,
//! awscli and heat-cfntools call it: at `/` and `/v1/`, GET with a query
//! string or POST with a form body, `Action=…`, answers in AWS's XML
//! (botocore's service model shapes) and AWS's error codes.
//!
//! [`app`] builds the router. `sign` reads and checks signatures,
//! `credentials` says whose they are, `query` reads parameters, `xml`
//! writes answers, `error` is the one error type; `stacks`, `resources`,
//! `templates` and `changesets` are the actions over the stack service,
//! `views` shapes stacks, resources and events.

mod changesets;
pub mod credentials;
mod error;
pub mod query;
mod resources;
pub mod sign;
pub(crate) mod signals;
mod stacks;
mod templates;
mod views;
pub mod xml;

pub use credentials::CfnAuth;
pub use error::CfnError;

use std::sync::Arc;

use axum::body::Bytes;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post, put};
use axum::{BoxError, Extension, Router};
use heat_core::engine::RequestContext;
use tower::ServiceBuilder;

use crate::api::{ApiState, RequestId};
use query::Params;
use sign::Signed;

/// What the Query API's handlers share.
pub struct CfnState {
    /// The native API's state: the stack service, limits, fetching.
    pub api: Arc<ApiState>,
    /// How signatures are checked.
    pub auth: CfnAuth,
    /// The server key of signal URLs and stack credentials.
    pub guest: Arc<heat_resources::GuestKeys>,
}

/// The actions of the CloudFormation Query API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
pub enum Action {
    /// `CreateStack`.
    CreateStack,
    /// `UpdateStack`.
    UpdateStack,
    /// `DeleteStack`.
    DeleteStack,
    /// `DescribeStacks`.
    DescribeStacks,
    /// `ListStacks`.
    ListStacks,
    /// `DescribeStackEvents`.
    DescribeStackEvents,
    /// `DescribeStackResource`.
    DescribeStackResource,
    /// `DescribeStackResources`.
    DescribeStackResources,
    /// `ListStackResources`.
    ListStackResources,
    /// `GetTemplate`.
    GetTemplate,
    /// `ValidateTemplate`.
    ValidateTemplate,
    /// `EstimateTemplateCost`.
    EstimateTemplateCost,
    /// `GetTemplateSummary`.
    GetTemplateSummary,
    /// `CancelUpdateStack`.
    CancelUpdateStack,
    /// `ContinueUpdateRollback`.
    ContinueUpdateRollback,
    /// `SignalResource`.
    SignalResource,
    /// `CreateChangeSet`.
    CreateChangeSet,
    /// `DescribeChangeSet`.
    DescribeChangeSet,
    /// `ExecuteChangeSet`.
    ExecuteChangeSet,
    /// `DeleteChangeSet`.
    DeleteChangeSet,
    /// `ListChangeSets`.
    ListChangeSets,
    /// `ListExports`.
    ListExports,
    /// `ListImports`.
    ListImports,
}

impl Action {
    /// The action of a name.
    pub fn parse(name: &str) -> Option<Action> {
        name.parse().ok()
    }

    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether it only reads (validation and descriptions).
    pub fn reads(self) -> bool {
        matches!(
            self,
            Action::DescribeStacks
                | Action::ListStacks
                | Action::DescribeStackEvents
                | Action::DescribeStackResource
                | Action::DescribeStackResources
                | Action::ListStackResources
                | Action::GetTemplate
                | Action::ValidateTemplate
                | Action::EstimateTemplateCost
                | Action::GetTemplateSummary
                | Action::DescribeChangeSet
                | Action::ListChangeSets
                | Action::ListExports
                | Action::ListImports
        )
    }
}

/// A request being answered: its caller and parameters.
pub struct Call<'a> {
    /// The shared state.
    pub state: &'a CfnState,
    /// Who calls.
    pub ctx: RequestContext,
    /// The parameters.
    pub params: Params,
}

impl Call<'_> {
    /// The stack service.
    pub fn service(&self) -> &heat_core::service::StackService {
        &self.state.api.service
    }
}

/// An action's result: the content of `<{Action}Result>`, or none.
pub type Outcome = Result<Option<String>, CfnError>;

async fn dispatch(action: Action, call: &Call<'_>) -> Outcome {
    match action {
        Action::CreateStack => stacks::create(call).await,
        Action::UpdateStack => stacks::update(call).await,
        Action::DeleteStack => stacks::delete(call).await,
        Action::DescribeStacks => stacks::describe(call).await,
        Action::ListStacks => stacks::list(call).await,
        Action::CancelUpdateStack => stacks::cancel_update(call).await,
        Action::ContinueUpdateRollback => stacks::continue_rollback(call).await,
        Action::DescribeStackEvents => resources::events(call).await,
        Action::DescribeStackResource => resources::describe_one(call).await,
        Action::DescribeStackResources => resources::describe(call).await,
        Action::ListStackResources => resources::list(call).await,
        Action::SignalResource => resources::signal(call).await,
        Action::GetTemplate => templates::get(call).await,
        Action::ValidateTemplate => templates::validate(call).await,
        Action::EstimateTemplateCost => templates::estimate_cost(call).await,
        Action::GetTemplateSummary => templates::summary(call).await,
        Action::CreateChangeSet => changesets::create(call).await,
        Action::DescribeChangeSet => changesets::describe(call).await,
        Action::ExecuteChangeSet => changesets::execute(call).await,
        Action::DeleteChangeSet => changesets::delete(call).await,
        Action::ListChangeSets => changesets::list(call).await,
        Action::ListExports => stacks::exports(call).await,
        Action::ListImports => stacks::imports(call).await,
    }
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    r
}

pub(crate) fn error_response(e: &CfnError, request_id: &str) -> Response {
    if e.is_sender() {
        tracing::info!(code = e.code, message = %e.message, "refused");
    }
    xml_response(
        e.status,
        xml::error(e.is_sender(), e.code, &e.message, request_id),
    )
}

/// Answers one Query API request.
async fn handle(
    State(state): State<Arc<CfnState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(uri.query(), &body);
    let signed = Signed {
        method: &method,
        path: uri.path(),
        query: uri.query(),
        headers: &headers,
        body: &body,
        params: &params,
    };
    let outcome = async {
        let name = params.get("Action").ok_or_else(|| {
            CfnError::sender(
                StatusCode::BAD_REQUEST,
                "MissingAction",
                "Could not find operation Action in the request",
            )
        })?;
        let action = Action::parse(name).ok_or_else(|| {
            CfnError::sender(
                StatusCode::BAD_REQUEST,
                "InvalidAction",
                format!("Could not find operation {name} for version 2010-05-15"),
            )
        })?;
        let ctx = state.auth.authenticate(&signed, &state).await?;
        if !action.reads() && !may_change(&ctx) {
            return Err(CfnError::denied(
                "AccessDenied",
                format!(
                    "User {} is not authorized to perform: cloudformation:{name}",
                    ctx.user
                ),
            ));
        }
        let call = Call {
            state: &state,
            ctx,
            params: params.clone(),
        };
        let result = dispatch(action, &call).await?;
        Ok::<_, CfnError>((action, result))
    }
    .await;
    match outcome {
        Ok((action, result)) => {
            let doc = xml::response(
                action.name(),
                &request_id,
                result.map(|inner| {
                    move |x: &mut xml::Xml| {
                        x.raw(&inner);
                    }
                }),
            );
            if params.get("ContentType") == Some("JSON") {
                let mut r = (StatusCode::OK, xml::to_json(&doc).to_string()).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                r
            } else {
                xml_response(StatusCode::OK, doc)
            }
        }
        Err(e) => error_response(&e, &request_id),
    }
}

/// Heat's default policy: readers look, members and admins change.
fn may_change(ctx: &RequestContext) -> bool {
    ctx.roles
        .iter()
        .any(|r| r == "admin" || r == "member" || r == "heat_stack_owner")
}

/// Saturation and timeouts, as AWS's errors.
async fn overloaded(e: BoxError) -> Response {
    let (status, code, message) = if e.is::<tower::timeout::error::Elapsed>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "RequestTimeout",
            "The request took too long.",
        )
    } else if e.is::<tower::load_shed::error::Overloaded>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "Throttling",
            "Rate exceeded",
        )
    } else {
        tracing::error!(error = %e, "internal failure");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
        )
    };
    let mut r = xml_response(status, xml::error(false, code, message, ""));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// The CloudFormation Query API's router.
pub fn app(state: Arc<CfnState>) -> Router {
    let limits = state.api.limits.clone();
    Router::new()
        .route("/", any(handle))
        .route("/v1", any(handle))
        .route("/v1/", any(handle))
        .route("/v1/waitcondition/{*target}", put(signals::handle))
        .route("/v1/signal/{*target}", post(signals::handle))
        .fallback(|| async {
            xml_response(
                StatusCode::NOT_FOUND,
                xml::error(
                    true,
                    "NotFound",
                    "The Query API is served at / and /v1/",
                    "",
                ),
            )
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
        .layer(middleware::from_fn(crate::api::request_id))
}
