//! A CloudWatch-compatible API (default `127.0.0.1:8003`): metrics
//! (PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData) and
//! alarms (PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
//! DescribeAlarmHistory, SetAlarmState, Enable/DisableAlarmActions,
//! DeleteAlarms), for cfn-push-stats (boto 2, AWS Query), boto3 and
//! awscli (Smithy RPC v2 CBOR) and AWS JSON 1.0 clients, signatures checked
//! as the CloudFormation API checks them.
//!
//! [`app`] builds the router; [`Evaluator`] evaluates every alarm (those
//! made here and those of stacks: `AWS::CloudWatch::Alarm`,
//! `OS::Heat::CWLiteAlarm`) and runs their actions. `protocol` reads and
//! writes the three wire forms, `metrics` keeps datapoints, `alarms` holds
//! definitions, states and history, `actions` are the handlers.

mod actions;
pub mod alarms;
pub mod aodh;
mod evaluator;
pub mod metrics;
pub mod protocol;

pub use evaluator::{evaluate_all, Evaluator, Round};

use std::sync::Arc;

use axum::body::Bytes;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{BoxError, Extension, Router};
use serde_json::Value as Json;
use tower::ServiceBuilder;

use crate::api::RequestId;
use crate::cfn::query::Params;
use crate::cfn::sign::Signed;
use crate::cfn::xml::{self, Xml};
use crate::cfn::{CfnError, CfnState};
use alarms::Alarms;
use metrics::Metrics;

/// What the CloudWatch handlers share.
pub struct CloudWatchState {
    /// The Query API's state: the stack service, authentication, keys.
    pub cfn: Arc<CfnState>,
    /// The datapoints.
    pub metrics: Metrics,
    /// The alarms.
    pub alarms: Alarms,
    /// For alarm actions that are not this server's own URLs.
    pub http: reqwest::Client,
}

impl CloudWatchState {
    /// State over the Query API's, keeping metrics `retention` seconds.
    pub fn new(cfn: Arc<CfnState>, retention: f64) -> Self {
        CloudWatchState {
            cfn,
            metrics: Metrics::new(retention, 100_000),
            alarms: Alarms::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Now, on the engine's clock.
    pub fn now(&self) -> f64 {
        self.cfn.api.now()
    }
}

impl crate::guest::MetricSink for CloudWatchState {
    fn put(&self, project: &str, point: &crate::guest::PushedMetric) {
        let mut dimensions = point.dimensions.clone();
        dimensions.sort();
        self.metrics.put(
            metrics::MetricId {
                project: project.to_string(),
                namespace: point.namespace.clone(),
                name: point.name.clone(),
                dimensions,
            },
            Some(point.unit.clone()),
            &[metrics::Datapoint::value(self.now(), point.value)],
        );
    }
}

/// The operations of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
pub enum Operation {
    /// `PutMetricData`.
    PutMetricData,
    /// `ListMetrics`.
    ListMetrics,
    /// `GetMetricStatistics`.
    GetMetricStatistics,
    /// `GetMetricData`.
    GetMetricData,
    /// `PutMetricAlarm`.
    PutMetricAlarm,
    /// `DescribeAlarms`.
    DescribeAlarms,
    /// `DescribeAlarmsForMetric`.
    DescribeAlarmsForMetric,
    /// `DescribeAlarmHistory`.
    DescribeAlarmHistory,
    /// `SetAlarmState`.
    SetAlarmState,
    /// `EnableAlarmActions`.
    EnableAlarmActions,
    /// `DisableAlarmActions`.
    DisableAlarmActions,
    /// `DeleteAlarms`.
    DeleteAlarms,
}

impl Operation {
    /// The operation of a name.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether it only reads.
    pub fn reads(self) -> bool {
        matches!(
            self,
            Operation::ListMetrics
                | Operation::GetMetricStatistics
                | Operation::GetMetricData
                | Operation::DescribeAlarms
                | Operation::DescribeAlarmsForMetric
                | Operation::DescribeAlarmHistory
        )
    }
}

/// The wire form of a request, and so of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Query,
    Cbor,
    Json,
}

/// The smithy service name in RPC v2 paths and the JSON target prefix.
const SERVICE: &str = "GraniteServiceVersion20100801";

fn answer(
    wire: Wire,
    op: Option<Operation>,
    request_id: &str,
    result: Result<Json, CfnError>,
) -> Response {
    let mut r = match (&result, wire) {
        (Ok(v), Wire::Query) => {
            let name = op.map_or("Unknown", Operation::name);
            let body = xml::response(
                name,
                request_id,
                Some(|x: &mut Xml| protocol::write_xml(x, v)),
            );
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=UTF-8"),
            );
            r
        }
        (Ok(v), Wire::Cbor) => {
            let mut r = (StatusCode::OK, protocol::write_cbor(v)).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/cbor"),
            );
            r
        }
        (Ok(v), Wire::Json) => {
            let mut r = (StatusCode::OK, v.to_string()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.0"),
            );
            r
        }
        (Err(e), Wire::Query) => {
            if e.is_sender() {
                tracing::info!(code = e.code, message = %e.message, "refused");
            }
            let mut r = (
                e.status,
                xml::error(e.is_sender(), e.code, &e.message, request_id),
            )
                .into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=UTF-8"),
            );
            r
        }
        (Err(e), wire) => {
            if e.is_sender() {
                tracing::info!(code = e.code, message = %e.message, "refused");
            }
            let doc = serde_json::json!({
                "__type": format!("com.amazonaws.cloudwatch#{}", e.code),
                "message": e.message,
            });
            let (body, ctype) = match wire {
                Wire::Cbor => (protocol::write_cbor(&doc), "application/cbor"),
                _ => (doc.to_string().into_bytes(), "application/x-amz-json-1.0"),
            };
            let mut r = (e.status, body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            let fault = if e.is_sender() { "Sender" } else { "Receiver" };
            if let Ok(v) = HeaderValue::from_str(&format!("{};{fault}", e.code)) {
                r.headers_mut().insert("x-amzn-query-error", v);
            }
            r
        }
    };
    if wire == Wire::Cbor {
        r.headers_mut()
            .insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-amzn-requestid", v);
    }
    r
}

fn unknown(name: &str) -> CfnError {
    CfnError::sender(
        StatusCode::BAD_REQUEST,
        "InvalidAction",
        format!("Could not find operation {name} for version 2010-08-01"),
    )
}

/// The operation and input of a request.
fn read(
    wire: Wire,
    path_op: Option<&str>,
    headers: &HeaderMap,
    params: &Params,
    body: &[u8],
) -> Result<(Operation, Json), CfnError> {
    match wire {
        Wire::Query => {
            let name = params.get("Action").ok_or_else(|| {
                CfnError::sender(
                    StatusCode::BAD_REQUEST,
                    "MissingAction",
                    "Could not find operation Action in the request",
                )
            })?;
            let op = Operation::parse(name).ok_or_else(|| unknown(name))?;
            Ok((op, protocol::query_to_json(params.all())))
        }
        Wire::Cbor => {
            let name = path_op.unwrap_or_default();
            let op = Operation::parse(name).ok_or_else(|| unknown(name))?;
            let input = protocol::read_cbor(body).map_err(|m| {
                CfnError::sender(StatusCode::BAD_REQUEST, "SerializationException", m)
            })?;
            Ok((op, input))
        }
        Wire::Json => {
            let target = headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let name = target
                .strip_prefix(&format!("{SERVICE}."))
                .unwrap_or(target);
            let op = Operation::parse(name).ok_or_else(|| unknown(name))?;
            let input = if body.is_empty() {
                Json::Object(Default::default())
            } else {
                serde_json::from_slice(body).map_err(|e| {
                    CfnError::sender(
                        StatusCode::BAD_REQUEST,
                        "SerializationException",
                        format!("the body is not JSON: {e}"),
                    )
                })?
            };
            Ok((op, input))
        }
    }
}

async fn serve(
    state: &CloudWatchState,
    wire: Wire,
    path_op: Option<&str>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> (Option<Operation>, Result<Json, CfnError>) {
    let params = if wire == Wire::Query {
        Params::parse(uri.query(), body)
    } else {
        Params::parse(uri.query(), b"")
    };
    let (op, input) = match read(wire, path_op, headers, &params, body) {
        Ok(x) => x,
        Err(e) => return (None, Err(e)),
    };
    let signed = Signed {
        method,
        path: uri.path(),
        query: uri.query(),
        headers,
        body,
        params: &params,
    };
    let ctx = match state.cfn.auth.authenticate(&signed, &state.cfn).await {
        Ok(c) => c,
        Err(e) => return (Some(op), Err(e)),
    };
    let writer = ctx
        .roles
        .iter()
        .any(|r| r == "admin" || r == "member" || r == "heat_stack_user");
    if !op.reads() && !writer {
        return (
            Some(op),
            Err(CfnError::denied(
                "AccessDenied",
                format!(
                    "User {} is not authorized to perform: cloudwatch:{}",
                    ctx.user,
                    op.name()
                ),
            )),
        );
    }
    (Some(op), actions::dispatch(state, &ctx, op, &input).await)
}

async fn query_or_json(
    State(state): State<Arc<CloudWatchState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let wire = if headers.contains_key("x-amz-target") {
        Wire::Json
    } else {
        Wire::Query
    };
    let (op, result) = serve(&state, wire, None, &method, &uri, &headers, &body).await;
    answer(wire, op, &request_id, result)
}

async fn rpc_v2(
    State(state): State<Arc<CloudWatchState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    axum::extract::Path((service, operation)): axum::extract::Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if service != SERVICE {
        let e = CfnError::sender(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            format!("No service {service} here; CloudWatch is {SERVICE}"),
        );
        return answer(Wire::Cbor, None, &request_id, Err(e));
    }
    let (op, result) = serve(
        &state,
        Wire::Cbor,
        Some(&operation),
        &method,
        &uri,
        &headers,
        &body,
    )
    .await;
    answer(Wire::Cbor, op, &request_id, result)
}

async fn overloaded(e: BoxError) -> Response {
    let (status, code) = if e.is::<tower::load_shed::error::Overloaded>()
        || e.is::<tower::timeout::error::Elapsed>()
    {
        (StatusCode::SERVICE_UNAVAILABLE, "Throttling")
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure")
    };
    let err = CfnError::sender(status, code, "The service is busy; try again.");
    let mut r = answer(Wire::Query, None, "", Err(err));
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The CloudWatch API's router.
pub fn app(state: Arc<CloudWatchState>) -> Router {
    let limits = state.cfn.api.limits.clone();
    Router::new()
        .route("/", any(query_or_json))
        .route("/v1", any(query_or_json))
        .route("/v1/", any(query_or_json))
        .route("/service/{service}/operation/{operation}", post(rpc_v2))
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
