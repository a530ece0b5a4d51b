//! The operations over the JSON form of a request (numbers may arrive as
//! text from the Query form, times as ISO 8601 text or epoch seconds),
//! with CloudWatch's error codes: `MissingParameter`,
//! `InvalidParameterValue`, `ResourceNotFound`, `InvalidNextToken`.

use axum::http::StatusCode;
use base64::Engine as _;
use heat_core::engine::{Document, DocumentKind, RequestContext};
use serde_json::{json, Value as Json};

use super::alarms::{Alarm, AlarmDef, Comparison, MissingData, StateValue};
use super::metrics::{Datapoint, MetricId, STATISTICS};
use super::{CloudWatchState, Operation};
use crate::cfn::CfnError;

type Outcome = Result<Json, CfnError>;

fn missing(name: &str) -> CfnError {
    CfnError::sender(
        StatusCode::BAD_REQUEST,
        "MissingParameter",
        format!("The parameter {name} is required."),
    )
}

fn invalid(message: impl Into<String>) -> CfnError {
    CfnError::sender(StatusCode::BAD_REQUEST, "InvalidParameterValue", message)
}

fn text<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str).filter(|s| !s.is_empty())
}

fn required<'a>(v: &'a Json, key: &str) -> Result<&'a str, CfnError> {
    text(v, key).ok_or_else(|| missing(key))
}

fn number(v: &Json, key: &str) -> Result<Option<f64>, CfnError> {
    match v.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => Ok(n.as_f64()),
        Some(Json::String(s)) => s.trim().parse().map(Some).map_err(|_| {
            invalid(format!(
                "The value {s} for parameter {key} is not a number."
            ))
        }),
        Some(other) => Err(invalid(format!(
            "The value {other} for parameter {key} is not a number."
        ))),
    }
}

fn boolean(v: &Json, key: &str) -> Option<bool> {
    match v.get(key) {
        Some(Json::Bool(b)) => Some(*b),
        Some(Json::String(s)) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

fn time(v: &Json, key: &str) -> Result<Option<f64>, CfnError> {
    match v.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => Ok(n.as_f64()),
        Some(Json::String(s)) => crate::cfn::sign::parse_iso(s)
            .map(|t| Some(t as f64))
            .ok_or_else(|| {
                invalid(format!(
                    "The value {s} for parameter {key} is not an ISO 8601 time."
                ))
            }),
        Some(other) => Err(invalid(format!(
            "The value {other} for parameter {key} is not a time."
        ))),
    }
}

fn list<'a>(v: &'a Json, key: &str) -> &'a [Json] {
    v.get(key)
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

fn strings(v: &Json, key: &str) -> Vec<String> {
    list(v, key)
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// `[{Name, Value}]`, sorted by name.
fn dimensions(v: &Json, key: &str) -> Result<Vec<(String, String)>, CfnError> {
    let mut out = Vec::new();
    for d in list(v, key) {
        let name = required(d, "Name")?;
        let value = d.get("Value").and_then(Json::as_str).unwrap_or_default();
        out.push((name.to_string(), value.to_string()));
    }
    out.sort();
    Ok(out)
}

fn dimensions_json(dims: &[(String, String)]) -> Json {
    Json::Array(
        dims.iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect(),
    )
}

/// One page of a list and the token of the next.
fn page<T>(
    items: Vec<T>,
    token: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), CfnError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let start = match token {
        None | Some("") => 0,
        Some(t) => b64
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse::<usize>().ok()))
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                CfnError::sender(
                    StatusCode::BAD_REQUEST,
                    "InvalidNextToken",
                    "The service couldn't process your request because the NextToken is invalid.",
                )
            })?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| b64.encode(format!("o:{end}")));
    Ok((
        items.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

pub(super) async fn dispatch(
    state: &CloudWatchState,
    ctx: &RequestContext,
    op: Operation,
    input: &Json,
) -> Outcome {
    match op {
        Operation::PutMetricData => put_metric_data(state, ctx, input),
        Operation::ListMetrics => list_metrics(state, ctx, input),
        Operation::GetMetricStatistics => get_metric_statistics(state, ctx, input),
        Operation::GetMetricData => get_metric_data(state, ctx, input),
        Operation::PutMetricAlarm => put_metric_alarm(state, ctx, input).await,
        Operation::DescribeAlarms => describe_alarms(state, ctx, input),
        Operation::DescribeAlarmsForMetric => describe_alarms_for_metric(state, ctx, input),
        Operation::DescribeAlarmHistory => describe_alarm_history(state, ctx, input),
        Operation::SetAlarmState => set_alarm_state(state, ctx, input).await,
        Operation::EnableAlarmActions => enable_actions(state, ctx, input, true).await,
        Operation::DisableAlarmActions => enable_actions(state, ctx, input, false).await,
        Operation::DeleteAlarms => delete_alarms(state, ctx, input).await,
    }
}

/// Most datums in one PutMetricData (AWS's limit).
const MAX_DATUMS: usize = 1000;

fn put_metric_data(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let namespace = required(input, "Namespace")?;
    let data = list(input, "MetricData");
    if data.is_empty() {
        return Err(missing("MetricData"));
    }
    if data.len() > MAX_DATUMS {
        return Err(invalid(format!(
            "The collection MetricData must not have a size greater than {MAX_DATUMS}."
        )));
    }
    let now = state.now();
    for datum in data {
        let name = required(datum, "MetricName")?;
        let at = time(datum, "Timestamp")?.unwrap_or(now);
        let mut points = Vec::new();
        if let Some(v) = number(datum, "Value")? {
            points.push(Datapoint::value(at, v));
        }
        if let Some(set) = datum.get("StatisticValues") {
            let get =
                |k: &str| number(set, k)?.ok_or_else(|| missing(&format!("StatisticValues.{k}")));
            points.push(Datapoint {
                time: at,
                count: get("SampleCount")?,
                sum: get("Sum")?,
                min: get("Minimum")?,
                max: get("Maximum")?,
            });
        }
        let values = list(datum, "Values");
        let counts = list(datum, "Counts");
        for (i, v) in values.iter().enumerate() {
            let v = number(&json!({"v": v}), "v")?.unwrap_or_default();
            let c = counts
                .get(i)
                .map(|c| number(&json!({"c": c}), "c"))
                .transpose()?
                .flatten()
                .unwrap_or(1.0);
            points.push(Datapoint {
                time: at,
                count: c,
                sum: v * c,
                min: v,
                max: v,
            });
        }
        if points.is_empty() {
            return Err(missing("MetricData.member.N.Value"));
        }
        if points.iter().any(|p| !p.sum.is_finite()) {
            return Err(invalid("Values must be finite numbers."));
        }
        let id = MetricId {
            project: ctx.project.clone(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: dimensions(datum, "Dimensions")?,
        };
        state
            .metrics
            .put(id, text(datum, "Unit").map(str::to_string), &points);
    }
    Ok(json!({}))
}

fn list_metrics(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let filters: Vec<(String, Option<String>)> = list(input, "Dimensions")
        .iter()
        .filter_map(|d| {
            Some((
                d.get("Name")?.as_str()?.to_string(),
                d.get("Value").and_then(Json::as_str).map(str::to_string),
            ))
        })
        .collect();
    let metrics = state.metrics.list(
        &ctx.project,
        text(input, "Namespace"),
        text(input, "MetricName"),
        &filters,
    );
    let (metrics, next) = page(metrics, text(input, "NextToken"), 500)?;
    Ok(json!({
        "Metrics": metrics.iter().map(|m| json!({
            "Namespace": m.namespace,
            "MetricName": m.name,
            "Dimensions": dimensions_json(&m.dimensions),
        })).collect::<Vec<_>>(),
        "NextToken": next,
    }))
}

fn window(input: &Json, start: &str, end: &str) -> Result<(f64, f64), CfnError> {
    let s = time(input, start)?.ok_or_else(|| missing(start))?;
    let e = time(input, end)?.ok_or_else(|| missing(end))?;
    if e <= s {
        return Err(invalid(format!(
            "The parameter {start} must be earlier than {end}."
        )));
    }
    Ok((s, e))
}

fn get_metric_statistics(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let namespace = required(input, "Namespace")?;
    let name = required(input, "MetricName")?;
    let dims = dimensions(input, "Dimensions")?;
    let (start, end) = window(input, "StartTime", "EndTime")?;
    let period = number(input, "Period")?.ok_or_else(|| missing("Period"))?;
    if period < 1.0 {
        return Err(invalid("The parameter Period must be at least 1."));
    }
    let stats = strings(input, "Statistics");
    if stats.is_empty() {
        return Err(missing("Statistics"));
    }
    if let Some(bad) = stats.iter().find(|s| !STATISTICS.contains(&s.as_str())) {
        return Err(invalid(format!(
            "The value {bad} for parameter Statistics is not valid: one of SampleCount, Average, Sum, Minimum, Maximum."
        )));
    }
    if (end - start) / period > 1440.0 {
        return Err(invalid(
            "You have requested up to 1,440 datapoints at most; ask for a longer period or a shorter window.",
        ));
    }
    let id = |m: &MetricId| {
        m.project == ctx.project
            && m.namespace == namespace
            && m.name == name
            && m.dimensions == dims
    };
    let unit = state
        .metrics
        .list(&ctx.project, Some(namespace), Some(name), &[])
        .into_iter()
        .find(|m| id(m))
        .and_then(|m| state.metrics.unit(&m))
        .or_else(|| text(input, "Unit").map(str::to_string))
        .unwrap_or_else(|| "None".into());
    let points: Vec<Json> = state
        .metrics
        .statistics(
            (&ctx.project, namespace, name),
            |d| d == dims,
            start,
            end,
            period,
        )
        .iter()
        .map(|b| {
            let mut p = json!({"Timestamp": b.start, "Unit": unit});
            for s in &stats {
                p[s.as_str()] = json!(b.statistic(s));
            }
            p
        })
        .collect();
    Ok(json!({"Label": name, "Datapoints": points}))
}

fn get_metric_data(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let (start, end) = window(input, "StartTime", "EndTime")?;
    let queries = list(input, "MetricDataQueries");
    if queries.is_empty() {
        return Err(missing("MetricDataQueries"));
    }
    let ascending = text(input, "ScanBy") == Some("TimestampAscending");
    let mut results = Vec::new();
    for q in queries {
        let id = required(q, "Id")?;
        if q.get("Expression").is_some() {
            return Err(invalid(format!(
                "The query {id} has an Expression: heat-rs answers MetricStat queries only."
            )));
        }
        let stat = q.get("MetricStat").ok_or_else(|| missing("MetricStat"))?;
        let metric = stat
            .get("Metric")
            .ok_or_else(|| missing("MetricStat.Metric"))?;
        let namespace = required(metric, "Namespace")?.to_string();
        let name = required(metric, "MetricName")?.to_string();
        let dims = dimensions(metric, "Dimensions")?;
        let period = number(stat, "Period")?.ok_or_else(|| missing("MetricStat.Period"))?;
        let statistic = required(stat, "Stat")?;
        if !STATISTICS.contains(&statistic) {
            return Err(invalid(format!(
                "The statistic {statistic} is not supported."
            )));
        }
        if boolean(q, "ReturnData") == Some(false) {
            continue;
        }
        let mut buckets = state.metrics.statistics(
            (&ctx.project, &namespace, &name),
            |d| d == dims,
            start,
            end,
            period.max(1.0),
        );
        if !ascending {
            buckets.reverse();
        }
        results.push(json!({
            "Id": id,
            "Label": text(q, "Label").unwrap_or(&name),
            "Timestamps": buckets.iter().map(|b| b.start).collect::<Vec<_>>(),
            "Values": buckets.iter().map(|b| b.statistic(statistic)).collect::<Vec<_>>(),
            "StatusCode": "Complete",
        }));
    }
    Ok(json!({"MetricDataResults": results, "Messages": []}))
}

/// An alarm as DescribeAlarms shows it.
pub(super) fn alarm_json(a: &Alarm) -> Json {
    let d = &a.def;
    json!({
        "AlarmName": d.name,
        "AlarmArn": format!("arn:openstack:cloudwatch::{}:alarm:{}", d.project, d.name),
        "AlarmDescription": d.description,
        "AlarmConfigurationUpdatedTimestamp": d.updated_at,
        "ActionsEnabled": d.actions_enabled,
        "OKActions": d.ok_actions,
        "AlarmActions": d.alarm_actions,
        "InsufficientDataActions": d.insufficient_data_actions,
        "StateValue": a.state.value.name(),
        "StateReason": a.state.reason,
        "StateReasonData": a.state.reason_data,
        "StateUpdatedTimestamp": a.state.updated_at,
        "StateTransitionedTimestamp": a.state.transitioned_at,
        "MetricName": d.metric_name,
        "Namespace": d.namespace,
        "Statistic": d.statistic,
        "Dimensions": dimensions_json(&d.dimensions),
        "Period": d.period as i64,
        "Unit": d.unit,
        "EvaluationPeriods": d.evaluation_periods,
        "DatapointsToAlarm": d.datapoints_to_alarm,
        "Threshold": d.threshold,
        "ComparisonOperator": d.comparison.name(),
        "TreatMissingData": d.missing.name(),
    })
}

/// An alarm definition from PutMetricAlarm's input, or a stack alarm's
/// properties (the same names, `Units` for `Unit`).
pub(super) fn alarm_def(
    project: &str,
    name: &str,
    v: &Json,
    now: f64,
    stack: Option<(String, String)>,
) -> Result<AlarmDef, CfnError> {
    let metric_name = required(v, "MetricName")?.to_string();
    let namespace = required(v, "Namespace")?.to_string();
    let statistic = text(v, "Statistic").unwrap_or("Average").to_string();
    if !STATISTICS.contains(&statistic.as_str()) {
        return Err(invalid(format!(
            "The statistic {statistic} is not supported."
        )));
    }
    let period = number(v, "Period")?.unwrap_or(60.0);
    if period < 1.0 {
        return Err(invalid("The parameter Period must be at least 1."));
    }
    let evaluation_periods = number(v, "EvaluationPeriods")?.unwrap_or(1.0).max(1.0) as u32;
    let comparison_name = required(v, "ComparisonOperator")?;
    let comparison = Comparison::parse(comparison_name).ok_or_else(|| {
        invalid(format!(
            "The value {comparison_name} for parameter ComparisonOperator is not valid."
        ))
    })?;
    let missing_name = text(v, "TreatMissingData").unwrap_or("missing");
    let treat_missing = MissingData::parse(missing_name).ok_or_else(|| {
        invalid(format!(
            "The value {missing_name} for parameter TreatMissingData is not valid."
        ))
    })?;
    Ok(AlarmDef {
        project: project.to_string(),
        name: name.to_string(),
        description: text(v, "AlarmDescription").map(str::to_string),
        actions_enabled: boolean(v, "ActionsEnabled").unwrap_or(true),
        ok_actions: strings(v, "OKActions"),
        alarm_actions: strings(v, "AlarmActions"),
        insufficient_data_actions: strings(v, "InsufficientDataActions"),
        namespace,
        metric_name,
        dimensions: dimensions(v, "Dimensions")?,
        statistic,
        period,
        evaluation_periods,
        datapoints_to_alarm: number(v, "DatapointsToAlarm")?
            .map_or(evaluation_periods, |d| d.max(1.0) as u32),
        threshold: number(v, "Threshold")?.ok_or_else(|| missing("Threshold"))?,
        comparison,
        missing: treat_missing,
        unit: text(v, "Unit")
            .or_else(|| text(v, "Units"))
            .map(str::to_string),
        updated_at: now,
        zero_when_missing: stack.is_some()
            && text(v, "Statistic") == Some("SampleCount")
            && text(v, "TreatMissingData").is_none(),
        stack,
    })
}

/// Stores an API alarm (its definition and state) in the state store.
pub(super) async fn persist(
    state: &CloudWatchState,
    project: &str,
    name: &str,
) -> Result<(), CfnError> {
    let store = state.cfn.api.service.engine().store();
    let id = format!("{project}/{name}");
    match state.alarms.get(project, name) {
        Some(a) => store
            .put_document(&Document {
                kind: DocumentKind::Alarm,
                id,
                project: project.to_string(),
                data: serde_json::to_value(&a).map_err(CfnError::internal)?,
                created_at: a.def.updated_at,
            })
            .await
            .map_err(CfnError::internal),
        None => store
            .remove_document(DocumentKind::Alarm, &id)
            .await
            .map(|_| ())
            .map_err(CfnError::internal),
    }
}

async fn put_metric_alarm(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let name = required(input, "AlarmName")?;
    if state
        .alarms
        .get(&ctx.project, name)
        .is_some_and(|a| a.def.stack.is_some())
    {
        return Err(invalid(format!(
            "The alarm {name} belongs to a stack: change it with a stack update."
        )));
    }
    let def = alarm_def(&ctx.project, name, input, state.now(), None)?;
    state.alarms.put(def, state.now());
    persist(state, &ctx.project, name).await?;
    Ok(json!({}))
}

fn describe_alarms(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let names = strings(input, "AlarmNames");
    let prefix = text(input, "AlarmNamePrefix");
    let wanted_state = text(input, "StateValue");
    let action_prefix = text(input, "ActionPrefix");
    let alarms: Vec<Alarm> = state
        .alarms
        .list(Some(&ctx.project))
        .into_iter()
        .filter(|a| names.is_empty() || names.contains(&a.def.name))
        .filter(|a| prefix.is_none_or(|p| a.def.name.starts_with(p)))
        .filter(|a| wanted_state.is_none_or(|s| a.state.value.name() == s))
        .filter(|a| {
            action_prefix.is_none_or(|p| {
                a.def
                    .alarm_actions
                    .iter()
                    .chain(&a.def.ok_actions)
                    .chain(&a.def.insufficient_data_actions)
                    .any(|u| u.starts_with(p))
            })
        })
        .collect();
    let size = number(input, "MaxRecords")?.map_or(50, |n| n.clamp(1.0, 100.0) as usize);
    let (alarms, next) = page(alarms, text(input, "NextToken"), size)?;
    Ok(json!({
        "MetricAlarms": alarms.iter().map(alarm_json).collect::<Vec<_>>(),
        "CompositeAlarms": [],
        "NextToken": next,
    }))
}

fn describe_alarms_for_metric(
    state: &CloudWatchState,
    ctx: &RequestContext,
    input: &Json,
) -> Outcome {
    let namespace = required(input, "Namespace")?;
    let name = required(input, "MetricName")?;
    let dims = dimensions(input, "Dimensions")?;
    let statistic = text(input, "Statistic");
    let period = number(input, "Period")?;
    let alarms: Vec<Json> = state
        .alarms
        .list(Some(&ctx.project))
        .iter()
        .filter(|a| {
            a.def.namespace == namespace
                && a.def.metric_name == name
                && (dims.is_empty() || a.def.dimensions == dims)
                && statistic.is_none_or(|s| a.def.statistic == s)
                && period.is_none_or(|p| a.def.period == p)
        })
        .map(alarm_json)
        .collect();
    Ok(json!({"MetricAlarms": alarms}))
}

fn describe_alarm_history(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let name = text(input, "AlarmName");
    let kind = text(input, "HistoryItemType");
    let start = time(input, "StartDate")?;
    let end = time(input, "EndDate")?;
    let items: Vec<Json> = state
        .alarms
        .history(&ctx.project)
        .into_iter()
        .filter(|i| name.is_none_or(|n| i.alarm == n))
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .filter(|i| start.is_none_or(|s| i.time >= s) && end.is_none_or(|e| i.time <= e))
        .map(|i| {
            json!({
                "AlarmName": i.alarm,
                "AlarmType": "MetricAlarm",
                "Timestamp": i.time,
                "HistoryItemType": i.kind,
                "HistorySummary": i.summary,
                "HistoryData": i.data,
            })
        })
        .collect();
    let size = number(input, "MaxRecords")?.map_or(100, |n| n.clamp(1.0, 100.0) as usize);
    let (items, next) = page(items, text(input, "NextToken"), size)?;
    Ok(json!({"AlarmHistoryItems": items, "NextToken": next}))
}

fn not_found(name: &str) -> CfnError {
    CfnError::sender(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("The alarm {name} does not exist."),
    )
}

async fn set_alarm_state(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let name = required(input, "AlarmName")?;
    let value_name = required(input, "StateValue")?;
    let value = StateValue::parse(value_name).ok_or_else(|| {
        invalid(format!(
            "The value {value_name} for parameter StateValue is not valid."
        ))
    })?;
    let reason = required(input, "StateReason")?;
    let data = text(input, "StateReasonData").map(str::to_string);
    if let Some(d) = &data {
        serde_json::from_str::<Json>(d).map_err(|e| {
            CfnError::sender(
                StatusCode::BAD_REQUEST,
                "InvalidFormat",
                format!("StateReasonData is not JSON: {e}"),
            )
        })?;
    }
    let (alarm, changed) = state
        .alarms
        .set_state(&ctx.project, name, value, reason, data, state.now())
        .ok_or_else(|| not_found(name))?;
    if changed {
        super::evaluator::act(state, &alarm, false).await;
    }
    if alarm.def.stack.is_none() {
        persist(state, &ctx.project, name).await?;
    }
    Ok(json!({}))
}

async fn enable_actions(
    state: &CloudWatchState,
    ctx: &RequestContext,
    input: &Json,
    on: bool,
) -> Outcome {
    for name in strings(input, "AlarmNames") {
        if state.alarms.enable_actions(&ctx.project, &name, on) {
            persist(state, &ctx.project, &name).await?;
        }
    }
    Ok(json!({}))
}

async fn delete_alarms(state: &CloudWatchState, ctx: &RequestContext, input: &Json) -> Outcome {
    let names = strings(input, "AlarmNames");
    if names.is_empty() {
        return Err(missing("AlarmNames"));
    }
    if let Some(absent) = names.iter().find(|n| {
        state
            .alarms
            .get(&ctx.project, n)
            .is_none_or(|a| a.def.stack.is_some())
    }) {
        return Err(not_found(absent));
    }
    for n in &names {
        state.alarms.remove(&ctx.project, n);
        persist(state, &ctx.project, n).await?;
    }
    Ok(json!({}))
}
