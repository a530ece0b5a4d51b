//! Alarms: their definitions (made through PutMetricAlarm, kept in the
//! state store; or `AWS::CloudWatch::Alarm` and `OS::Heat::CWLiteAlarm`
//! resources of stacks, read from their records), their states (`OK`,
//! `ALARM`, `INSUFFICIENT_DATA`) and history, and [`evaluate`]: the
//! statistic of each period of the window against the threshold, M of N
//! periods breaching, missing data treated as asked.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use super::metrics::Metrics;

/// An alarm's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateValue {
    /// Within the threshold.
    #[serde(rename = "OK")]
    Ok,
    /// Beyond it.
    #[serde(rename = "ALARM")]
    Alarm,
    /// Not enough data to say.
    #[serde(rename = "INSUFFICIENT_DATA")]
    InsufficientData,
}

impl StateValue {
    /// CloudWatch's name.
    pub fn name(self) -> &'static str {
        match self {
            StateValue::Ok => "OK",
            StateValue::Alarm => "ALARM",
            StateValue::InsufficientData => "INSUFFICIENT_DATA",
        }
    }

    /// The state of a name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "OK" => Some(StateValue::Ok),
            "ALARM" => Some(StateValue::Alarm),
            "INSUFFICIENT_DATA" => Some(StateValue::InsufficientData),
            _ => None,
        }
    }
}

/// How a value compares with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// `GreaterThanOrEqualToThreshold`.
    GreaterOrEqual,
    /// `GreaterThanThreshold`.
    Greater,
    /// `LessThanThreshold`.
    Less,
    /// `LessThanOrEqualToThreshold`.
    LessOrEqual,
}

impl Comparison {
    /// The comparison of CloudWatch's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "GreaterThanOrEqualToThreshold" => Some(Comparison::GreaterOrEqual),
            "GreaterThanThreshold" => Some(Comparison::Greater),
            "LessThanThreshold" => Some(Comparison::Less),
            "LessThanOrEqualToThreshold" => Some(Comparison::LessOrEqual),
            _ => None,
        }
    }

    /// CloudWatch's name.
    pub fn name(self) -> &'static str {
        match self {
            Comparison::GreaterOrEqual => "GreaterThanOrEqualToThreshold",
            Comparison::Greater => "GreaterThanThreshold",
            Comparison::Less => "LessThanThreshold",
            Comparison::LessOrEqual => "LessThanOrEqualToThreshold",
        }
    }

    fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Greater => value > threshold,
            Comparison::Less => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
        }
    }
}

/// How periods without data count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MissingData {
    /// Left out; no data at all is `INSUFFICIENT_DATA` (the default).
    Missing,
    /// As within the threshold.
    NotBreaching,
    /// As beyond it.
    Breaching,
    /// The state is kept.
    Ignore,
}

impl MissingData {
    /// The treatment of CloudWatch's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "missing" => Some(MissingData::Missing),
            "notBreaching" => Some(MissingData::NotBreaching),
            "breaching" => Some(MissingData::Breaching),
            "ignore" => Some(MissingData::Ignore),
            _ => None,
        }
    }

    /// CloudWatch's name.
    pub fn name(self) -> &'static str {
        match self {
            MissingData::Missing => "missing",
            MissingData::NotBreaching => "notBreaching",
            MissingData::Breaching => "breaching",
            MissingData::Ignore => "ignore",
        }
    }
}

/// What an alarm watches and does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmDef {
    /// The project it belongs to.
    pub project: String,
    /// Its name, unique in the project.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Whether actions run.
    pub actions_enabled: bool,
    /// URLs called on entering `OK`.
    pub ok_actions: Vec<String>,
    /// URLs called on entering `ALARM` (and each period while in it).
    pub alarm_actions: Vec<String>,
    /// URLs called on entering `INSUFFICIENT_DATA`.
    pub insufficient_data_actions: Vec<String>,
    /// The metric's namespace.
    pub namespace: String,
    /// The metric's name.
    pub metric_name: String,
    /// Its dimensions.
    pub dimensions: Vec<(String, String)>,
    /// `Average`, `Sum`, `SampleCount`, `Minimum` or `Maximum`.
    pub statistic: String,
    /// Seconds per period.
    pub period: f64,
    /// Periods in the window.
    pub evaluation_periods: u32,
    /// Periods of the window that must breach.
    pub datapoints_to_alarm: u32,
    /// The threshold.
    pub threshold: f64,
    /// How the statistic compares with it.
    pub comparison: Comparison,
    /// How missing periods count.
    pub missing: MissingData,
    /// The unit asked for.
    pub unit: Option<String>,
    /// When it was last configured.
    pub updated_at: f64,
    /// For an alarm of a stack: the stack id and the resource.
    pub stack: Option<(String, String)>,
    /// A period without samples counts as a count of 0 (Heat's watch
    /// rules: a `SampleCount` alarm of a stack without `TreatMissingData`,
    /// so that a heartbeat that stops breaches `LessThanThreshold`), once
    /// the alarm has seen the whole period.
    #[serde(default)]
    pub zero_when_missing: bool,
}

impl AlarmDef {
    /// Whether the points of a metric of the alarm's namespace and name
    /// with these dimensions count: it has every dimension of the alarm, or
    /// the `AlarmName` dimension that cfn-push-stats (`--watch`) gives.
    pub fn watches(&self, dimensions: &[(String, String)]) -> bool {
        self.dimensions.iter().all(|d| dimensions.contains(d))
            || dimensions
                .iter()
                .any(|(k, v)| k == "AlarmName" && v == &self.name)
    }
}

/// Where an alarm stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmState {
    /// The state.
    pub value: StateValue,
    /// Why.
    pub reason: String,
    /// The data behind it, JSON.
    pub reason_data: Option<String>,
    /// When it was set.
    pub updated_at: f64,
    /// When the state last changed.
    pub transitioned_at: f64,
    /// When the `ALARM` actions last ran.
    pub acted_at: Option<f64>,
}

impl AlarmState {
    /// A new alarm's state.
    pub fn new(now: f64) -> Self {
        AlarmState {
            value: StateValue::InsufficientData,
            reason: "Unchecked: Initial alarm creation".into(),
            reason_data: None,
            updated_at: now,
            transitioned_at: now,
            acted_at: None,
        }
    }
}

/// An entry of an alarm's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    /// The project.
    pub project: String,
    /// The alarm.
    pub alarm: String,
    /// When.
    pub time: f64,
    /// `ConfigurationUpdate`, `StateUpdate` or `Action`.
    pub kind: String,
    /// What happened.
    pub summary: String,
    /// Details, JSON.
    pub data: String,
}

/// An alarm with its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// Definition.
    pub def: AlarmDef,
    /// State.
    pub state: AlarmState,
}

/// The outcome of evaluating an alarm: the new state, if it changes or
/// its actions are due again.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The state the window gives.
    pub value: StateValue,
    /// Why.
    pub reason: String,
    /// The values of the window's periods (oldest first; `None` missing).
    pub values: Vec<Option<f64>>,
}

/// Evaluates an alarm over the window that ends at `now`; `None` when the
/// state is kept (`ignore` with no data).
pub fn evaluate(def: &AlarmDef, metrics: &Metrics, now: f64) -> Option<Verdict> {
    let n = def.evaluation_periods.max(1) as usize;
    let start = now - def.period * n as f64;
    let buckets = metrics.statistics(
        (&def.project, &def.namespace, &def.metric_name),
        |d| def.watches(d),
        start,
        now,
        def.period,
    );
    let mut values: Vec<Option<f64>> = vec![None; n];
    for b in &buckets {
        let i = ((b.start - start) / def.period).round() as usize;
        if i < n {
            values[i] = b.statistic(&def.statistic);
        }
    }
    if def.zero_when_missing {
        // Only periods the alarm has seen whole: before it existed,
        // nothing is known (Heat's rules wait a period before their first
        // evaluation).
        for (i, v) in values.iter_mut().enumerate() {
            if v.is_none() && start + i as f64 * def.period >= def.updated_at {
                *v = Some(0.0);
            }
        }
    }
    let present = values.iter().filter(|v| v.is_some()).count();
    let breaching_missing = def.missing == MissingData::Breaching;
    let breaching = values
        .iter()
        .filter(|v| match v {
            Some(x) => def.comparison.breaches(*x, def.threshold),
            None => breaching_missing,
        })
        .count();
    let needed = def.datapoints_to_alarm.clamp(1, n as u32) as usize;
    let shown: Vec<String> = values
        .iter()
        .map(|v| v.map_or("missing".into(), |x| format!("{x}")))
        .collect();
    let (value, reason) = if breaching >= needed {
        (
            StateValue::Alarm,
            format!(
                "Threshold Crossed: {breaching} out of the last {n} datapoints [{}] were {} the threshold ({}).",
                shown.join(", "),
                def.comparison.name(),
                def.threshold
            ),
        )
    } else if present == 0 {
        match def.missing {
            MissingData::Missing => (
                StateValue::InsufficientData,
                format!("Insufficient Data: no datapoints in the last {n} periods."),
            ),
            MissingData::Ignore => return None,
            MissingData::NotBreaching | MissingData::Breaching => (
                StateValue::Ok,
                format!("Threshold Crossed: no datapoints were received for {n} periods and {n} missing datapoints were treated as [NonBreaching]."),
            ),
        }
    } else {
        (
            StateValue::Ok,
            format!(
                "Threshold Crossed: {} out of the last {n} datapoints [{}] were not {} the threshold ({}).",
                n - breaching,
                shown.join(", "),
                def.comparison.name(),
                def.threshold
            ),
        )
    };
    Some(Verdict {
        value,
        reason,
        values,
    })
}

/// The alarms of every project, their states and history (the newest
/// [`HISTORY`] entries).
#[derive(Default)]
pub struct Alarms {
    alarms: Mutex<BTreeMap<(String, String), Alarm>>,
    history: Mutex<VecDeque<HistoryItem>>,
}

/// History entries kept.
pub const HISTORY: usize = 10_000;

impl Alarms {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Alarm>> {
        self.alarms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces an alarm's definition (its state kept when only the
    /// definition changes); whether it is new.
    pub fn put(&self, def: AlarmDef, now: f64) -> bool {
        let key = (def.project.clone(), def.name.clone());
        let mut all = self.lock();
        let new = !all.contains_key(&key);
        let changed = all.get(&key).is_none_or(|a| {
            let mut old = a.def.clone();
            old.updated_at = def.updated_at;
            old != def
        });
        if changed {
            let mut def = def;
            if let Some(old) = all.get(&key).filter(|a| a.def.stack.is_some()) {
                // A stack's alarm whose actions changed (a restarter's URL
                // after its instance was replaced) watches the same
                // metric as before: the periods it has seen stay seen.
                let same_metric = old.def.namespace == def.namespace
                    && old.def.metric_name == def.metric_name
                    && old.def.dimensions == def.dimensions
                    && old.def.statistic == def.statistic
                    && old.def.period == def.period;
                if same_metric {
                    def.updated_at = old.def.updated_at;
                }
            }
            let state = all
                .get(&key)
                .map(|a| a.state.clone())
                .unwrap_or_else(|| AlarmState::new(now));
            let summary = if new {
                format!("Alarm \"{}\" created", def.name)
            } else {
                format!("Alarm \"{}\" updated", def.name)
            };
            self.record(
                &def.project,
                &def.name,
                now,
                "ConfigurationUpdate",
                summary,
                json!({"type": "Update"}),
            );
            all.insert(key, Alarm { def, state });
        }
        new
    }

    /// Restores an alarm as it was stored.
    pub fn restore(&self, alarm: Alarm) {
        self.lock()
            .insert((alarm.def.project.clone(), alarm.def.name.clone()), alarm);
    }

    /// Removes an alarm; whether it was there.
    pub fn remove(&self, project: &str, name: &str) -> bool {
        self.lock()
            .remove(&(project.to_string(), name.to_string()))
            .is_some()
    }

    /// One alarm.
    pub fn get(&self, project: &str, name: &str) -> Option<Alarm> {
        self.lock()
            .get(&(project.to_string(), name.to_string()))
            .cloned()
    }

    /// A project's alarms (every project's: `None`), by name.
    pub fn list(&self, project: Option<&str>) -> Vec<Alarm> {
        self.lock()
            .values()
            .filter(|a| project.is_none_or(|p| a.def.project == p))
            .cloned()
            .collect()
    }

    /// The stack alarms that are no longer in `keep` go.
    pub fn retain_stack_alarms(&self, keep: &std::collections::HashSet<(String, String)>) {
        self.lock()
            .retain(|k, a| a.def.stack.is_none() || keep.contains(k));
    }

    /// Sets an alarm's state; the alarm as it now is, and whether the state
    /// changed.
    pub fn set_state(
        &self,
        project: &str,
        name: &str,
        value: StateValue,
        reason: &str,
        reason_data: Option<String>,
        now: f64,
    ) -> Option<(Alarm, bool)> {
        let mut all = self.lock();
        let a = all.get_mut(&(project.to_string(), name.to_string()))?;
        let changed = a.state.value != value;
        let old = a.state.value;
        a.state.value = value;
        a.state.reason = reason.to_string();
        a.state.reason_data = reason_data;
        a.state.updated_at = now;
        if changed {
            a.state.transitioned_at = now;
            a.state.acted_at = None;
        }
        let alarm = a.clone();
        drop(all);
        if changed {
            self.record(
                project,
                name,
                now,
                "StateUpdate",
                format!("Alarm updated from {} to {}", old.name(), value.name()),
                json!({"oldState": {"stateValue": old.name()},
                       "newState": {"stateValue": value.name(), "stateReason": reason}}),
            );
        }
        Some((alarm, changed))
    }

    /// Marks that an alarm's `ALARM` actions ran.
    pub fn acted(&self, project: &str, name: &str, now: f64) {
        if let Some(a) = self
            .lock()
            .get_mut(&(project.to_string(), name.to_string()))
        {
            a.state.acted_at = Some(now);
        }
    }

    /// Turns an alarm's actions on or off; whether it exists.
    pub fn enable_actions(&self, project: &str, name: &str, on: bool) -> bool {
        match self
            .lock()
            .get_mut(&(project.to_string(), name.to_string()))
        {
            Some(a) => {
                a.def.actions_enabled = on;
                true
            }
            None => false,
        }
    }

    /// Adds a history entry.
    pub fn record(
        &self,
        project: &str,
        alarm: &str,
        time: f64,
        kind: &str,
        summary: String,
        data: Json,
    ) {
        let mut h = self.history.lock().unwrap_or_else(|e| e.into_inner());
        if h.len() >= HISTORY {
            h.pop_front();
        }
        h.push_back(HistoryItem {
            project: project.to_string(),
            alarm: alarm.to_string(),
            time,
            kind: kind.to_string(),
            summary,
            data: data.to_string(),
        });
    }

    /// A project's history, newest first.
    pub fn history(&self, project: &str) -> Vec<HistoryItem> {
        let h = self.history.lock().unwrap_or_else(|e| e.into_inner());
        h.iter()
            .rev()
            .filter(|i| i.project == project)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::metrics::{Datapoint, MetricId};
    use super::*;

    fn def(stat: &str, periods: u32, threshold: f64) -> AlarmDef {
        AlarmDef {
            project: "p".into(),
            name: "high".into(),
            description: None,
            actions_enabled: true,
            ok_actions: vec![],
            alarm_actions: vec![],
            insufficient_data_actions: vec![],
            namespace: "ns".into(),
            metric_name: "cpu".into(),
            dimensions: vec![("host".into(), "a".into())],
            statistic: stat.into(),
            period: 10.0,
            evaluation_periods: periods,
            datapoints_to_alarm: periods,
            threshold,
            comparison: Comparison::Greater,
            missing: MissingData::Missing,
            unit: None,
            updated_at: 0.0,
            stack: None,
            zero_when_missing: false,
        }
    }

    fn metric(dims: &[(&str, &str)]) -> MetricId {
        MetricId {
            project: "p".into(),
            namespace: "ns".into(),
            name: "cpu".into(),
            dimensions: dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn every_period_must_breach_and_no_data_is_insufficient() {
        let m = Metrics::new(1e6, 1000);
        let d = def("Average", 2, 50.0);
        assert_eq!(
            evaluate(&d, &m, 100.0).unwrap().value,
            StateValue::InsufficientData
        );
        m.put(
            metric(&[("host", "a")]),
            None,
            &[Datapoint::value(85.0, 90.0)],
        );
        // One breaching period of two, the other missing: not yet.
        let v = evaluate(&d, &m, 100.0).unwrap();
        assert_eq!(v.value, StateValue::Ok);
        assert_eq!(v.values, vec![Some(90.0), None]);
        m.put(
            metric(&[("host", "a")]),
            None,
            &[Datapoint::value(95.0, 70.0)],
        );
        assert_eq!(evaluate(&d, &m, 100.0).unwrap().value, StateValue::Alarm);
        // Another host's points are not this alarm's.
        m.put(
            metric(&[("host", "b")]),
            None,
            &[Datapoint::value(96.0, 0.0)],
        );
        assert_eq!(evaluate(&d, &m, 100.0).unwrap().value, StateValue::Alarm);
        // Missing data as breaching, as ignored.
        let mut b = def("Maximum", 3, 50.0);
        b.missing = MissingData::Breaching;
        assert_eq!(evaluate(&b, &m, 100.0).unwrap().value, StateValue::Alarm);
        let mut i = def("Maximum", 1, 50.0);
        i.missing = MissingData::Ignore;
        assert_eq!(evaluate(&i, &m, 1000.0), None);
    }

    #[test]
    fn the_watch_dimension_of_cfn_push_stats_counts() {
        let m = Metrics::new(1e6, 1000);
        let d = def("SampleCount", 1, 0.0);
        m.put(
            metric(&[("AlarmName", "high"), ("InstanceId", "i-1")]),
            None,
            &[Datapoint::value(95.0, 1.0)],
        );
        assert_eq!(evaluate(&d, &m, 100.0).unwrap().value, StateValue::Alarm);
    }

    #[test]
    fn states_and_history() {
        let a = Alarms::default();
        assert!(a.put(def("Average", 1, 1.0), 0.0));
        assert!(!a.put(def("Average", 1, 1.0), 1.0));
        let (alarm, changed) = a
            .set_state("p", "high", StateValue::Alarm, "r", None, 2.0)
            .unwrap();
        assert!(changed);
        assert_eq!(alarm.state.transitioned_at, 2.0);
        let (_, changed) = a
            .set_state("p", "high", StateValue::Alarm, "r", None, 3.0)
            .unwrap();
        assert!(!changed);
        let h = a.history("p");
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].kind, "StateUpdate");
        assert_eq!(h[1].kind, "ConfigurationUpdate");
        assert!(a.history("q").is_empty());
        assert!(a.remove("p", "high"));
        assert!(a.get("p", "high").is_none());
    }
}
