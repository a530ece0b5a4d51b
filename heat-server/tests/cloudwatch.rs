//! The CloudWatch-compatible API in process, in its three wire forms
//! (AWS Query as boto 2 sends it, Smithy RPC v2 CBOR and AWS JSON 1.0 as
//! boto3 sends them), and its alarms evaluated round by round: states,
//! history, actions that scale a stack's group, disabled actions, alarms
//! of stacks (`OS::Aodh::Alarm` among them, on its stack's meter),
//! alarms kept across a restart.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::cfn::{signed_request, Cfn, Reply};
use heat_server::cloudwatch::{self, protocol, CloudWatchState, Evaluator};
use serde_json::{json, Value as Json};
use tower::ServiceExt;

struct Cw {
    cfn: Cfn,
    state: Arc<CloudWatchState>,
    router: axum::Router,
}

impl Cw {
    async fn new(name: &str) -> Cw {
        let cfn = Cfn::new(name).await;
        Self::over(cfn)
    }

    fn over(cfn: Cfn) -> Cw {
        let state = Arc::new(CloudWatchState::new(cfn.state.clone(), 86_400.0));
        Cw {
            router: cloudwatch::app(state.clone()),
            state,
            cfn,
        }
    }

    async fn send(
        &self,
        req: axum::http::Request<axum::body::Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, body.to_vec())
    }

    /// A Query form request.
    async fn query(&self, params: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .append_pair("Version", "2010-08-01")
            .finish();
        let req = signed_request(
            "AK",
            "SK",
            "/",
            "application/x-www-form-urlencoded; charset=utf-8",
            &[],
            body.into_bytes(),
            self.state.now(),
        );
        let (status, headers, body) = self.send(req).await;
        Reply {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }

    /// An RPC v2 CBOR request.
    async fn cbor(&self, op: &str, input: Json) -> (StatusCode, axum::http::HeaderMap, Json) {
        let req = signed_request(
            "AK",
            "SK",
            &format!("/service/GraniteServiceVersion20100801/operation/{op}"),
            "application/cbor",
            &[("smithy-protocol", "rpc-v2-cbor")],
            protocol::write_cbor(&input),
            self.state.now(),
        );
        let (status, headers, body) = self.send(req).await;
        (status, headers, protocol::read_cbor(&body).unwrap())
    }

    /// An AWS JSON 1.0 request.
    async fn json(&self, op: &str, input: Json) -> (StatusCode, Json) {
        let target = format!("GraniteServiceVersion20100801.{op}");
        let req = signed_request(
            "AK",
            "SK",
            "/",
            "application/x-amz-json-1.0",
            &[("x-amz-target", &target)],
            input.to_string().into_bytes(),
            self.state.now(),
        );
        let (status, _, body) = self.send(req).await;
        (status, serde_json::from_slice(&body).unwrap_or(Json::Null))
    }

    async fn round(&self) -> cloudwatch::Round {
        Evaluator::new(self.state.clone(), std::time::Duration::from_secs(1))
            .round()
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_in_every_wire_form() {
    let cw = Cw::new("cw-metrics").await;
    // Query, as cfn-push-stats sends it (no timestamp: now).
    let r = cw
        .query(&[
            ("Action", "PutMetricData"),
            ("Namespace", "system/linux"),
            ("MetricData.member.1.MetricName", "MemoryUtilization"),
            ("MetricData.member.1.Value", "40"),
            ("MetricData.member.1.Unit", "Percent"),
            ("MetricData.member.1.Dimensions.member.1.Name", "InstanceId"),
            ("MetricData.member.1.Dimensions.member.1.Value", "i-1"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // As Heat writes it: no declaration, no namespace.
    assert!(
        r.body
            .starts_with("<PutMetricDataResponse><PutMetricDataResult>"),
        "{}",
        r.body
    );
    // CBOR, as boto3 sends it: a statistic set and a timestamp.
    let now = cw.state.now();
    let (status, headers, _) = cw
        .cbor(
            "PutMetricData",
            json!({"Namespace": "system/linux", "MetricData": [{
                "MetricName": "MemoryUtilization",
                "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}],
                "Timestamp": now - 1.0,
                "StatisticValues": {"SampleCount": 2, "Sum": 100, "Minimum": 20, "Maximum": 80},
            }]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["smithy-protocol"], "rpc-v2-cbor");
    // JSON 1.0.
    let (status, _) = cw
        .json(
            "PutMetricData",
            json!({"Namespace": "system/linux", "MetricData": [{
                "MetricName": "MemoryUtilization",
                "Dimensions": [{"Name": "InstanceId", "Value": "i-2"}],
                "Value": 99,
            }]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Statistics over i-1 only: 40, and the set 2×(20..80).
    let start = protocol::iso(now - 300.0);
    let end = protocol::iso(now + 60.0);
    let r = cw
        .query(&[
            ("Action", "GetMetricStatistics"),
            ("Namespace", "system/linux"),
            ("MetricName", "MemoryUtilization"),
            ("Dimensions.member.1.Name", "InstanceId"),
            ("Dimensions.member.1.Value", "i-1"),
            ("StartTime", &start),
            ("EndTime", &end),
            ("Period", "360"),
            ("Statistics.member.1", "SampleCount"),
            ("Statistics.member.2", "Average"),
            ("Statistics.member.3", "Maximum"),
            ("Statistics.member.4", "Minimum"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.one("SampleCount"), "3.0");
    assert_eq!(r.one("Maximum"), "80.0");
    assert_eq!(r.one("Minimum"), "20.0");
    assert_eq!(r.one("Average").parse::<f64>().unwrap(), 140.0 / 3.0);
    assert_eq!(r.one("Unit"), "Percent");
    assert!(r.one("Timestamp").ends_with('Z'));
    // GetMetricData in CBOR: times come back as tag-1 times.
    let (status, _, out) = cw
        .cbor(
            "GetMetricData",
            json!({"StartTime": now - 300.0, "EndTime": now + 60.0, "MetricDataQueries": [{
                "Id": "m", "MetricStat": {"Metric": {"Namespace": "system/linux",
                    "MetricName": "MemoryUtilization",
                    "Dimensions": [{"Name": "InstanceId", "Value": "i-2"}]},
                "Period": 360, "Stat": "Sum"}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["MetricDataResults"][0]["Values"], json!([99.0]));
    assert_eq!(out["MetricDataResults"][0]["StatusCode"], "Complete");
    // ListMetrics in JSON: two metrics, one per instance.
    let (_, out) = cw
        .json("ListMetrics", json!({"Namespace": "system/linux"}))
        .await;
    assert_eq!(out["Metrics"].as_array().unwrap().len(), 2);
    let (_, out) = cw
        .json(
            "ListMetrics",
            json!({"Dimensions": [{"Name": "InstanceId", "Value": "i-2"}]}),
        )
        .await;
    assert_eq!(out["Metrics"].as_array().unwrap().len(), 1);

    // Refusals with CloudWatch's codes, in each form.
    let r = cw.query(&[("Action", "PutMetricData")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "MissingParameter");
    let r = cw
        .query(&[
            ("Action", "GetMetricStatistics"),
            ("Namespace", "system/linux"),
            ("MetricName", "MemoryUtilization"),
            ("StartTime", &start),
            ("EndTime", &end),
            ("Period", "60"),
            ("Statistics.member.1", "Median"),
        ])
        .await;
    assert_eq!(r.code(), "InvalidParameterValue");
    let (status, headers, out) = cw
        .cbor(
            "SetAlarmState",
            json!({"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["x-amzn-query-error"], "ResourceNotFound;Sender");
    assert_eq!(out["__type"], "com.amazonaws.cloudwatch#ResourceNotFound");
    let (status, out) = cw.json("LaunchRockets", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(out["__type"], "com.amazonaws.cloudwatch#InvalidAction");
}

const SCALED: &str = "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties: {min_size: 1, max_size: 3, resource: {type: OS::Heat::None}}
  up:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 0}
  watch:
    type: OS::Heat::CWLiteAlarm
    properties:
      MetricName: Load
      Namespace: app
      Statistic: Maximum
      Period: '60'
      EvaluationPeriods: '1'
      Threshold: '5'
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [{get_attr: [up, alarm_url]}]
outputs:
  url: {value: {get_attr: [up, alarm_url]}}
";

async fn group_size(cfn: &Cfn) -> usize {
    let ctx = heat_core::engine::RequestContext::default();
    let query = heat_core::service::ResourceQuery {
        nested_depth: 1,
        ..Default::default()
    };
    cfn.state
        .api
        .service
        .resources(&ctx, "scaled", &query)
        .await
        .unwrap()
        .iter()
        .filter(|v| v.stack_name != "scaled" && v.record.type_name == "OS::Heat::None")
        .count()
}

/// Waits for the group to reach a size (the scaling runs in the background).
async fn reaches(cfn: &Cfn, size: usize) {
    for _ in 0..300 {
        if group_size(cfn).await == size {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "the group never had {size} members (has {})",
        group_size(cfn).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_change_state_record_history_and_act() {
    let cw = Cw::new("cw-alarms").await;
    let r = cw
        .cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "scaled"),
            ("TemplateBody", SCALED),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cw.cfn.settle("scaled").await, "CREATE_COMPLETE");
    let d = cw
        .cfn
        .call(&[("Action", "DescribeStacks"), ("StackName", "scaled")])
        .await;
    assert!(d.one("OutputValue").contains("/v1/signal/"));
    assert_eq!(group_size(&cw.cfn).await, 1);

    // An API alarm on the same metric; its only action is for OK.
    let (status, _) = cw
        .json(
            "PutMetricAlarm",
            json!({"AlarmName": "api-high", "MetricName": "Load", "Namespace": "app",
                   "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1,
                   "Threshold": 5, "ComparisonOperator": "GreaterThanThreshold",
                   "OKActions": ["http://127.0.0.1:9/unreachable"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let round = cw.round().await;
    // Both alarms (the stack's is read from its records): no data yet.
    assert_eq!(round.evaluated, 2);
    let (_, out) = cw.json("DescribeAlarms", json!({})).await;
    let alarms = out["MetricAlarms"].as_array().unwrap();
    let names: Vec<&str> = alarms
        .iter()
        .map(|a| a["AlarmName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api-high", "scaled-watch"]);
    assert!(alarms
        .iter()
        .all(|a| a["StateValue"] == "INSUFFICIENT_DATA"));

    // Above the threshold: both alarm; the stack's alarm signals the
    // policy (its URL delivered in process): the group grows.
    let (status, _) = cw
        .json(
            "PutMetricData",
            json!({"Namespace": "app", "MetricData": [{"MetricName": "Load", "Value": 9}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let round = cw.round().await;
    assert_eq!((round.changed, round.actions), (2, 1));
    reaches(&cw.cfn, 2).await;
    let (_, out) = cw
        .json("DescribeAlarms", json!({"StateValue": "ALARM"}))
        .await;
    assert_eq!(out["MetricAlarms"].as_array().unwrap().len(), 2);
    assert!(out["MetricAlarms"][0]["StateReason"]
        .as_str()
        .unwrap()
        .starts_with("Threshold Crossed: 1 out of the last 1 datapoints [9]"));
    // Still in ALARM within the period: nothing runs again.
    let round = cw.round().await;
    assert_eq!((round.changed, round.actions), (0, 0));

    // History: created, to ALARM, the action.
    let (_, out) = cw
        .json("DescribeAlarmHistory", json!({"AlarmName": "scaled-watch"}))
        .await;
    let kinds: Vec<&str> = out["AlarmHistoryItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["HistoryItemType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Action", "StateUpdate", "ConfigurationUpdate"]);

    // Set by hand to OK: the OK action runs (and fails: nothing listens),
    // which the history says.
    let (status, _) = cw
        .json(
            "SetAlarmState",
            json!({"AlarmName": "api-high", "StateValue": "OK", "StateReason": "by hand"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, out) = cw
        .json(
            "DescribeAlarmHistory",
            json!({"AlarmName": "api-high", "HistoryItemType": "Action"}),
        )
        .await;
    assert!(out["AlarmHistoryItems"][0]["HistorySummary"]
        .as_str()
        .unwrap()
        .starts_with("Failed to execute action http://127.0.0.1:9/unreachable"));

    // Actions disabled: back in ALARM, nothing runs.
    let (status, _) = cw
        .json("DisableAlarmActions", json!({"AlarmNames": ["api-high"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, out) = cw
        .json("DescribeAlarms", json!({"AlarmNames": ["api-high"]}))
        .await;
    assert_eq!(out["MetricAlarms"][0]["ActionsEnabled"], false);
    let round = cw.round().await;
    assert_eq!((round.changed, round.actions), (1, 0));
    assert_eq!(group_size(&cw.cfn).await, 2);

    // A stack alarm is changed through its stack, not the API.
    let (status, out) = cw
        .json("DeleteAlarms", json!({"AlarmNames": ["scaled-watch"]}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{out}");

    // Kept across a restart: a new evaluator over the same state store.
    let again = Cw::over(cw.cfn.beside(heat_server::cfn::CfnAuth::default()));
    let restored = Evaluator::new(again.state.clone(), std::time::Duration::from_secs(1))
        .load()
        .await
        .unwrap();
    assert_eq!(restored, 1);
    // Its configuration is back; its state is as last set by hand, until
    // the first round finds it again.
    let (_, out) = again
        .json("DescribeAlarms", json!({"AlarmNames": ["api-high"]}))
        .await;
    assert_eq!(out["MetricAlarms"][0]["StateValue"], "OK");
    assert_eq!(out["MetricAlarms"][0]["ActionsEnabled"], false);
    assert_eq!(out["MetricAlarms"][0]["Threshold"], 5.0);

    // Deleted: gone, and so after a restart.
    let (status, _) = again
        .json("DeleteAlarms", json!({"AlarmNames": ["api-high"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let third = Cw::over(cw.cfn.beside(heat_server::cfn::CfnAuth::default()));
    let restored = Evaluator::new(third.state.clone(), std::time::Duration::from_secs(1))
        .load()
        .await
        .unwrap();
    assert_eq!(restored, 0);

    // The stack deleted: its alarm goes with it.
    let r = cw
        .cfn
        .call(&[("Action", "DeleteStack"), ("StackName", "scaled")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for _ in 0..200 {
        cw.round().await;
        let (_, out) = cw
            .json("DescribeAlarms", json!({"AlarmNames": ["scaled-watch"]}))
            .await;
        if out["MetricAlarms"].as_array().unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let d = cw.cfn.call(&[("Action", "ListStacks")]).await;
    panic!("the alarm of a deleted stack is still there: {}", d.body);
}

const AUTOSCALED: &str = "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties: {min_size: 1, max_size: 3, resource: {type: OS::Heat::None}}
  up:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 1}
  down:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: -1, cooldown: 1}
  high:
    type: OS::Heat::CWLiteAlarm
    properties:
      MetricName: Load
      Namespace: app
      Statistic: Average
      Period: '1'
      EvaluationPeriods: '1'
      Threshold: '50'
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [{get_attr: [up, alarm_url]}]
  low:
    type: OS::Heat::CWLiteAlarm
    properties:
      MetricName: Load
      Namespace: app
      Statistic: Average
      Period: '1'
      EvaluationPeriods: '1'
      Threshold: '20'
      ComparisonOperator: LessThanThreshold
      AlarmActions: [{get_attr: [down, alarm_url]}]
";

async fn autoscaled_size(cfn: &Cfn) -> usize {
    let ctx = heat_core::engine::RequestContext::default();
    let query = heat_core::service::ResourceQuery {
        nested_depth: 1,
        ..Default::default()
    };
    cfn.state
        .api
        .service
        .resources(&ctx, "auto", &query)
        .await
        .unwrap()
        .iter()
        .filter(|v| v.stack_name != "auto" && v.record.type_name == "OS::Heat::None")
        .count()
}

async fn reaches_size(cfn: &Cfn, size: usize) {
    for _ in 0..300 {
        if autoscaled_size(cfn).await == size {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "the group never had {size} members (has {})",
        autoscaled_size(cfn).await
    );
}

/// Load above the high alarm's threshold scales the group out at the next
/// evaluation; while it stays high, once more each period after the
/// cooldown, up to the maximum; load below the low alarm's threshold
/// scales it back in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_scale_a_group_out_and_back_in() {
    let cw = Cw::new("cw-autoscale").await;
    let r = cw
        .cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "auto"),
            ("TemplateBody", AUTOSCALED),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cw.cfn.settle("auto").await, "CREATE_COMPLETE");
    assert_eq!(autoscaled_size(&cw.cfn).await, 1);
    let put = |v: f64| {
        let cw = &cw;
        async move {
            let (status, _) = cw
                .json(
                    "PutMetricData",
                    json!({"Namespace": "app", "MetricData": [{"MetricName": "Load", "Value": v}]}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
    };
    // No data: nothing moves.
    cw.round().await;
    assert_eq!(autoscaled_size(&cw.cfn).await, 1);
    // High load: out at the next evaluation.
    put(80.0).await;
    let round = cw.round().await;
    assert_eq!(
        (round.changed, round.actions),
        (2, 1),
        "high to ALARM, low to OK"
    );
    reaches_size(&cw.cfn, 2).await;
    // Still high within the period: nothing more.
    put(85.0).await;
    cw.round().await;
    assert_eq!(autoscaled_size(&cw.cfn).await, 2);
    // A period (and the cooldown) later, still high: out again, to the maximum.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    put(90.0).await;
    let round = cw.round().await;
    assert_eq!(round.actions, 1);
    reaches_size(&cw.cfn, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    put(95.0).await;
    cw.round().await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(autoscaled_size(&cw.cfn).await, 3, "not beyond max_size");
    // Low load: back in.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    put(5.0).await;
    let round = cw.round().await;
    assert_eq!(round.changed, 2, "high to OK, low to ALARM");
    reaches_size(&cw.cfn, 2).await;
}

const AODH: &str = "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties: {min_size: 1, max_size: 3, resource: {type: OS::Heat::None}}
  up:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 1}
  high:
    type: OS::Aodh::Alarm
    properties:
      meter_name: cpu_util
      statistic: avg
      period: 1
      evaluation_periods: 1
      threshold: 50
      comparison_operator: gt
      alarm_actions: [{get_attr: [up, alarm_url]}]
      matching_metadata: {'metadata.user_metadata.stack': {get_param: 'OS::stack_id'}}
";

/// An `OS::Aodh::Alarm` (no Aodh here) is evaluated by heat-rs on the
/// meter pushed under any namespace with the stack's dimension, as
/// Ceilometer matches its samples' metadata; points without it do not
/// count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aodh_alarms_scale_a_group_on_its_stacks_meter() {
    let cw = Cw::new("cw-aodh").await;
    let r = cw
        .cfn
        .call(&[
            ("Action", "CreateStack"),
            ("StackName", "auto"),
            ("TemplateBody", AODH),
        ])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cw.cfn.settle("auto").await, "CREATE_COMPLETE");
    let ctx = heat_core::engine::RequestContext::default();
    let stack = cw.cfn.state.api.service.show(&ctx, "auto").await.unwrap();
    let put = |v: f64, dims: Json| {
        let cw = &cw;
        async move {
            let (status, _) = cw
                .json(
                    "PutMetricData",
                    json!({"Namespace": "system/linux", "MetricData": [{"MetricName": "cpu_util", "Value": v, "Dimensions": dims}]}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
    };
    // Another stack's load: nothing.
    put(90.0, json!([{"Name": "stack", "Value": "another"}])).await;
    let round = cw.round().await;
    assert_eq!(round.actions, 0);
    assert_eq!(autoscaled_size(&cw.cfn).await, 1);
    // Its own: out.
    put(90.0, json!([{"Name": "stack", "Value": stack.id}])).await;
    let round = cw.round().await;
    assert_eq!((round.changed, round.actions), (1, 1));
    reaches_size(&cw.cfn, 2).await;
}
