//! Aodh's alarms evaluated by heat-rs itself, no Aodh being there, their
//! rules read as a CloudWatch alarm's definition: `OS::Aodh::Alarm` (and
//! `OS::Ceilometer::Alarm`, its old name), a threshold on a meter, and
//! Gnocchi's `OS::Aodh::GnocchiAggregationByResourcesAlarm` and
//! `OS::Aodh::GnocchiResourcesAlarm`, an aggregation of a metric. The
//! meter or metric is a CloudWatch metric of that name in any namespace (as
//! cfn-push-stats or `PutMetricData` report it); each `matching_metadata`
//! entry (`metadata.user_metadata.stack: <id>`), each `=` of a Gnocchi
//! `query` (`{"=": {"server_group": <id>}}`, or several under `and`) and a
//! `resource_id` are dimensions the points must carry, as Ceilometer and
//! Gnocchi match a sample's resource. Actions' `trust+` is dropped (Aodh's
//! way to call with a trust; heat-rs's URLs are pre-signed).

use serde_json::{json, Map as JsonMap, Value as Json};

/// The namespace that stands for every namespace (not a valid CloudWatch
/// namespace: no metric is ever put in it).
pub const ANY_NAMESPACE: &str = "*";

/// The Aodh alarm types evaluated here.
pub const TYPES: [&str; 3] = [
    "OS::Aodh::Alarm",
    "OS::Aodh::GnocchiAggregationByResourcesAlarm",
    "OS::Aodh::GnocchiResourcesAlarm",
];

/// CloudWatch's properties for an Aodh alarm's; `Err` names what cannot
/// be evaluated here.
pub fn as_cloudwatch(type_name: &str, p: &Json) -> Result<Json, String> {
    let text = |k: &str| p.get(k).and_then(Json::as_str);
    let gnocchi = type_name != "OS::Aodh::Alarm";
    let meter = if gnocchi {
        text("metric").ok_or("metric is required")?
    } else {
        text("meter_name").ok_or("meter_name is required")?
    };
    let statistic = if gnocchi {
        match text("aggregation_method").unwrap_or("mean") {
            "mean" => "Average",
            "sum" => "Sum",
            "min" => "Minimum",
            "max" => "Maximum",
            "count" => "SampleCount",
            other => return Err(format!("the aggregation method {other} is not supported")),
        }
    } else {
        match text("statistic").unwrap_or("avg") {
            "avg" => "Average",
            "sum" => "Sum",
            "min" => "Minimum",
            "max" => "Maximum",
            "count" => "SampleCount",
            other => return Err(format!("the statistic {other} is not supported")),
        }
    };
    let comparison = match text("comparison_operator").unwrap_or("eq") {
        "gt" => "GreaterThanThreshold",
        "ge" => "GreaterThanOrEqualToThreshold",
        "lt" => "LessThanThreshold",
        "le" => "LessThanOrEqualToThreshold",
        other => {
            return Err(format!(
                "the comparison {other} is not evaluated here (gt, ge, lt and le are)"
            ))
        }
    };
    let mut dimensions: Vec<Json> = p
        .get("matching_metadata")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let name = k
                .strip_prefix("metadata.user_metadata.")
                .or_else(|| k.strip_prefix("metadata.metering."))
                .unwrap_or(k);
            let value = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            json!({"Name": name, "Value": value})
        })
        .collect();
    if let Some(query) = p.get("query").filter(|q| !q.is_null()) {
        let query = match query {
            Json::String(t) => {
                serde_json::from_str(t).map_err(|e| format!("the query {t} is not JSON: {e}"))?
            }
            other => other.clone(),
        };
        equalities(&query, &mut dimensions)?;
    }
    if let Some(id) = text("resource_id") {
        dimensions.push(json!({"Name": "resource_id", "Value": id}));
    }
    let mut out = JsonMap::new();
    out.insert("MetricName".into(), json!(meter));
    out.insert("Namespace".into(), json!(ANY_NAMESPACE));
    out.insert("Statistic".into(), json!(statistic));
    out.insert("ComparisonOperator".into(), json!(comparison));
    out.insert("Dimensions".into(), Json::Array(dimensions));
    for (from, to) in [
        ("period", "Period"),
        ("granularity", "Period"),
        ("evaluation_periods", "EvaluationPeriods"),
        ("threshold", "Threshold"),
        ("description", "AlarmDescription"),
        ("enabled", "ActionsEnabled"),
        ("alarm_actions", "AlarmActions"),
        ("ok_actions", "OKActions"),
        ("insufficient_data_actions", "InsufficientDataActions"),
    ] {
        if let Some(v) = p.get(from).filter(|v| !v.is_null()) {
            out.insert(to.into(), v.clone());
        }
    }
    for key in ["AlarmActions", "OKActions", "InsufficientDataActions"] {
        if let Some(Json::Array(urls)) = out.get_mut(key) {
            for u in urls.iter_mut() {
                if let Some(t) = u.as_str().and_then(|t| t.strip_prefix("trust+")) {
                    *u = json!(t);
                }
            }
        }
    }
    Ok(Json::Object(out))
}

/// The `=` conditions of a Gnocchi query (`{"=": {k: v}}`, or several
/// under `and`) as dimensions; any other operator cannot be evaluated.
fn equalities(query: &Json, out: &mut Vec<Json>) -> Result<(), String> {
    let Some(map) = query.as_object().filter(|m| m.len() == 1) else {
        return Err(format!("the query {query} is not one condition"));
    };
    let (op, arg) = map.iter().next().expect("one");
    match (op.as_str(), arg) {
        ("=" | "eq", Json::Object(pairs)) => {
            for (k, v) in pairs {
                let value = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                out.push(json!({"Name": k, "Value": value}));
            }
            Ok(())
        }
        ("and", Json::Array(items)) => items.iter().try_for_each(|q| equalities(q, out)),
        _ => Err(format!(
            "the query operator {op} is not evaluated here (= and and are)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_rule_reads_as_cloudwatch() {
        let p = json!({
            "meter_name": "cpu_util", "statistic": "avg", "period": 60,
            "evaluation_periods": 1, "threshold": 50, "comparison_operator": "gt",
            "alarm_actions": ["http://x/up"],
            "matching_metadata": {"metadata.user_metadata.stack": "s-1"}
        });
        let cw = as_cloudwatch("OS::Aodh::Alarm", &p).unwrap();
        assert_eq!(cw["MetricName"], "cpu_util");
        assert_eq!(cw["Statistic"], "Average");
        assert_eq!(cw["ComparisonOperator"], "GreaterThanThreshold");
        assert_eq!(cw["Dimensions"], json!([{"Name": "stack", "Value": "s-1"}]));
        assert_eq!(cw["AlarmActions"], json!(["http://x/up"]));
        assert_eq!(cw["Threshold"], 50);
    }

    #[test]
    fn what_is_not_evaluated_is_named() {
        let p = json!({"meter_name": "m", "threshold": 1, "comparison_operator": "ne"});
        let alarm = "OS::Aodh::Alarm";
        assert!(as_cloudwatch(alarm, &p).unwrap_err().contains("ne"));
        assert!(as_cloudwatch(alarm, &json!({}))
            .unwrap_err()
            .contains("meter_name"));
        let g = "OS::Aodh::GnocchiAggregationByResourcesAlarm";
        let q = json!({"metric": "m", "threshold": 1, "comparison_operator": "gt", "query": "{\"<\": {\"a\": 1}}"});
        assert!(as_cloudwatch(g, &q).unwrap_err().contains("operator <"));
    }

    #[test]
    fn a_gnocchi_aggregation_reads_as_cloudwatch() {
        let p = json!({
            "metric": "cpu_util", "aggregation_method": "mean", "granularity": 300,
            "evaluation_periods": 1, "threshold": 80, "comparison_operator": "gt",
            "resource_type": "instance",
            "alarm_actions": ["trust+http://x/up"],
            "query": "{\"and\": [{\"=\": {\"server_group\": \"s-1\"}}, {\"=\": {\"flavor\": \"m1\"}}]}"
        });
        let cw = as_cloudwatch("OS::Aodh::GnocchiAggregationByResourcesAlarm", &p).unwrap();
        assert_eq!(cw["MetricName"], "cpu_util");
        assert_eq!(cw["Statistic"], "Average");
        assert_eq!(cw["Period"], 300);
        assert_eq!(
            cw["Dimensions"],
            json!([{"Name": "server_group", "Value": "s-1"}, {"Name": "flavor", "Value": "m1"}])
        );
        assert_eq!(cw["AlarmActions"], json!(["http://x/up"]));
    }
}
