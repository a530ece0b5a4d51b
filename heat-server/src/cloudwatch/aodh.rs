//! `OS::Aodh::Alarm` (and `OS::Ceilometer::Alarm`, its old name) evaluated
//! by heat-rs itself, no Aodh being there: its threshold rule read as a
//! CloudWatch alarm's definition. The meter is a metric of that name in
//! any namespace (as cfn-push-stats or `PutMetricData` report it); each
//! `matching_metadata` entry (`metadata.user_metadata.stack: <id>`) is a
//! dimension the points must carry (`stack`), as Ceilometer matches a
//! sample's resource metadata.

use serde_json::{json, Map as JsonMap, Value as Json};

/// The namespace that stands for every namespace (not a valid CloudWatch
/// namespace: no metric is ever put in it).
pub const ANY_NAMESPACE: &str = "*";

/// CloudWatch's properties for an Aodh threshold alarm's; `Err` names
/// what cannot be evaluated here.
pub fn as_cloudwatch(p: &Json) -> Result<Json, String> {
    let text = |k: &str| p.get(k).and_then(Json::as_str);
    let meter = text("meter_name").ok_or("meter_name is required")?;
    let statistic = match text("statistic").unwrap_or("avg") {
        "avg" => "Average",
        "sum" => "Sum",
        "min" => "Minimum",
        "max" => "Maximum",
        "count" => "SampleCount",
        other => return Err(format!("the statistic {other} is not supported")),
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
    let dimensions: Vec<Json> = p
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
    let mut out = JsonMap::new();
    out.insert("MetricName".into(), json!(meter));
    out.insert("Namespace".into(), json!(ANY_NAMESPACE));
    out.insert("Statistic".into(), json!(statistic));
    out.insert("ComparisonOperator".into(), json!(comparison));
    out.insert("Dimensions".into(), Json::Array(dimensions));
    for (from, to) in [
        ("period", "Period"),
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
    Ok(Json::Object(out))
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
        let cw = as_cloudwatch(&p).unwrap();
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
        assert!(as_cloudwatch(&p).unwrap_err().contains("ne"));
        assert!(as_cloudwatch(&json!({}))
            .unwrap_err()
            .contains("meter_name"));
    }
}
