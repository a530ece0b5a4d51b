//! [`Evaluator`]: every interval, the alarms of stacks are read from their
//! records (`AWS::CloudWatch::Alarm`, `OS::Heat::CWLiteAlarm`,
//! `OS::Aodh::Alarm` of live
//! stacks; a suspended stack's alarms do not act), every alarm is
//! evaluated, state changes are recorded, and actions run: on entering a
//! state, and, for `ALARM`, again every period while it lasts (as AWS runs
//! Auto Scaling actions), but a restarter's (an instance is restarted once
//! per entry into `ALARM`, as Heat's watch rules did). An action that is one of this server's signal
//! URLs is delivered in process (its signature checked as a guest's would
//! be); any other URL is POSTed to, with a timeout.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use heat_core::engine::{Action, DocumentKind, Status, REFERENCE_ID};
use heat_core::environment::{Registry, TypeTarget};
use serde_json::{json, Value as Json};

use super::actions::alarm_def;
use super::alarms::{evaluate, Alarm, StateValue};
use super::CloudWatchState;

/// The resource types that are alarms: CloudWatch's, and Aodh's threshold
/// alarm read as one (see [`super::aodh`]).
const ALARM_TYPES: [&str; 5] = [
    "AWS::CloudWatch::Alarm",
    "OS::Heat::CWLiteAlarm",
    super::aodh::TYPES[0],
    super::aodh::TYPES[1],
    super::aodh::TYPES[2],
];

/// What one evaluation round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Alarms evaluated.
    pub evaluated: usize,
    /// Alarms whose state changed.
    pub changed: usize,
    /// Actions run.
    pub actions: usize,
}

/// Evaluates alarms periodically.
pub struct Evaluator {
    state: Arc<CloudWatchState>,
    interval: Duration,
}

impl Evaluator {
    /// An evaluator of `state`'s alarms every `interval`.
    pub fn new(state: Arc<CloudWatchState>, interval: Duration) -> Self {
        Evaluator { state, interval }
    }

    /// Restores the alarms made through the API from the state store.
    pub async fn load(&self) -> Result<usize, String> {
        let docs = self
            .state
            .cfn
            .api
            .service
            .engine()
            .store()
            .documents(DocumentKind::Alarm, None)
            .await
            .map_err(|e| e.to_string())?;
        let mut n = 0;
        for d in docs {
            match serde_json::from_value::<Alarm>(d.data) {
                Ok(a) => {
                    self.state.alarms.restore(a);
                    n += 1;
                }
                Err(e) => {
                    tracing::warn!(id = %d.id, error = %e, "an unreadable stored alarm is skipped")
                }
            }
        }
        Ok(n)
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        loop {
            let round = self.round().await;
            if round.changed > 0 || round.actions > 0 {
                tracing::info!(
                    evaluated = round.evaluated,
                    changed = round.changed,
                    actions = round.actions,
                    "alarms evaluated"
                );
            }
            tokio::time::sleep(self.interval).await;
        }
    }

    /// One round: stack alarms read, every alarm evaluated, actions run,
    /// old datapoints dropped.
    pub async fn round(&self) -> Round {
        if let Err(e) = sync_stack_alarms(&self.state).await {
            tracing::warn!(error = %e, "reading the alarms of stacks failed");
        }
        let now = self.state.now();
        let round = evaluate_all(&self.state, now).await;
        self.state.metrics.prune(now);
        round
    }
}

/// Evaluates every alarm at `now`, recording changes and running actions.
pub async fn evaluate_all(state: &CloudWatchState, now: f64) -> Round {
    let mut round = Round::default();
    for alarm in state.alarms.list(None) {
        round.evaluated += 1;
        let Some(verdict) = evaluate(&alarm.def, &state.metrics, now) else {
            continue;
        };
        let data = json!({
            "version": "1.0",
            "queryDate": super::protocol::iso(now),
            "statistic": alarm.def.statistic,
            "period": alarm.def.period,
            "recentDatapoints": verdict.values,
            "threshold": alarm.def.threshold,
        })
        .to_string();
        let Some((alarm, changed)) = state.alarms.set_state(
            &alarm.def.project,
            &alarm.def.name,
            verdict.value,
            &verdict.reason,
            Some(data),
            now,
        ) else {
            continue;
        };
        let again = alarm.state.value == StateValue::Alarm
            && alarm
                .state
                .acted_at
                .is_some_and(|t| now - t >= alarm.def.period);
        // States are not written back: after a restart the first round
        // finds them again (what is stored is the last configuration).
        if changed {
            round.changed += 1;
        }
        if changed || again {
            round.actions += act(state, &alarm, !changed).await;
        }
    }
    round
}

/// Reads the alarms of live stacks from their records.
async fn sync_stack_alarms(state: &CloudWatchState) -> Result<(), String> {
    let store = state.cfn.api.service.engine().store();
    let now = state.now();
    let mut keep = HashSet::new();
    for stack in store.stacks(None).await.map_err(|e| e.to_string())? {
        if stack.is_deleted() {
            continue;
        }
        let suspended = stack.action == Action::Suspend && stack.status == Status::Complete;
        // The type a resource's own resolves to (`OS::Ceilometer::Alarm`
        // is `OS::Aodh::Alarm` through the global environment).
        let mut registry = Registry::global();
        let _ = registry.load(&stack.source.resource_registry);
        for mut r in store
            .resources(&stack.id)
            .await
            .map_err(|e| e.to_string())?
        {
            if let Some(TypeTarget::Type(t)) =
                registry.resolve(&r.type_name, Some(&r.name), &|t| ALARM_TYPES.contains(&t))
            {
                r.type_name = t;
            }
            if !r.current
                || !ALARM_TYPES.contains(&r.type_name.as_str())
                || r.action == Action::Delete
            {
                continue;
            }
            let name = r
                .attributes
                .get(REFERENCE_ID)
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}-{}", stack.name, r.name));
            if r.status != Status::Complete {
                // Being updated (with its stack, a restart's or a
                // scaling's): the alarm stays as it is, its state kept.
                if r.status == Status::InProgress && r.physical_id.is_some() {
                    keep.insert((stack.project.clone(), name));
                }
                continue;
            }
            let properties = if super::aodh::TYPES.contains(&r.type_name.as_str()) {
                super::aodh::as_cloudwatch(&r.type_name, &r.properties)
            } else {
                Ok(r.properties.clone())
            };
            let def = properties.and_then(|p| {
                alarm_def(
                    &stack.project,
                    &name,
                    &p,
                    now,
                    Some((stack.id.clone(), r.name.clone())),
                )
                .map_err(|e| e.message)
            });
            let mut def = match def {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(stack = %stack.name, resource = %r.name, error = %e, "an alarm of a stack cannot be evaluated");
                    continue;
                }
            };
            if suspended {
                def.actions_enabled = false;
            }
            keep.insert((def.project.clone(), def.name.clone()));
            state.alarms.put(def, now);
        }
    }
    state.alarms.retain_stack_alarms(&keep);
    Ok(())
}

/// Runs the actions of an alarm's current state; how many ran. A
/// `repeat` (ALARM lasting another period) runs again what scales, as AWS
/// Auto Scaling does, but not a restarter's URL: an instance is restarted
/// once per entry into ALARM, as Heat's watch rules did.
pub(super) async fn act(state: &CloudWatchState, alarm: &Alarm, repeat: bool) -> usize {
    let def = &alarm.def;
    if !def.actions_enabled {
        return 0;
    }
    let urls = match alarm.state.value {
        StateValue::Ok => &def.ok_actions,
        StateValue::Alarm => &def.alarm_actions,
        StateValue::InsufficientData => &def.insufficient_data_actions,
    };
    let now = state.now();
    if alarm.state.value == StateValue::Alarm {
        state.alarms.acted(&def.project, &def.name, now);
    }
    let body = json!({
        "alarm": def.name,
        "state": alarm.state.value.name().to_ascii_lowercase(),
        "current": alarm.state.value.name().to_ascii_lowercase(),
        "reason": alarm.state.reason,
    });
    let mut ran = 0;
    for url in urls {
        if repeat && restarts(state, url).await {
            continue;
        }
        ran += 1;
        let outcome = run_action(state, url, &body).await;
        let (summary, ok) = match &outcome {
            Ok(()) => (format!("Successfully executed action {url}"), true),
            Err(e) => (format!("Failed to execute action {url}: {e}"), false),
        };
        if !ok {
            tracing::warn!(alarm = %def.name, %url, "{summary}");
        }
        state.alarms.record(
            &def.project,
            &def.name,
            now,
            "Action",
            summary,
            json!({"actionState": if ok { "Succeeded" } else { "Failed" }, "url": url}),
        );
    }
    ran
}

/// Whether a URL is one of this server's signal URLs of an
/// `OS::Heat::HARestarter`.
async fn restarts(state: &CloudWatchState, url: &str) -> bool {
    let Some((stack_id, resource)) = heat_resources::GuestKeys::owner_of_url(url) else {
        return false;
    };
    let store = state.cfn.api.service.engine().store();
    store
        .resources(&stack_id)
        .await
        .unwrap_or_default()
        .iter()
        .any(|r| r.current && r.name == resource && r.type_name == "OS::Heat::HARestarter")
}

async fn run_action(state: &CloudWatchState, url: &str, body: &Json) -> Result<(), String> {
    let uri: Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let own = state
        .cfn
        .guest
        .cfn_url()
        .split_once("://")
        .map(|(_, a)| a.trim_end_matches('/'));
    let path = uri.path();
    let ours = uri.authority().map(|a| a.as_str()) == own
        && (path.starts_with("/v1/signal/") || path.starts_with("/v1/waitcondition/"));
    if ours {
        let mut headers = HeaderMap::new();
        if let Some(a) = uri
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        {
            headers.insert(header::HOST, a);
        }
        let (method, payload) = if path.starts_with("/v1/waitcondition/") {
            (
                Method::PUT,
                json!({"Status": "SUCCESS", "Reason": body["reason"], "UniqueId": body["alarm"], "Data": body["state"]}),
            )
        } else {
            (Method::POST, body.clone())
        };
        return crate::cfn::signals::deliver(
            &state.cfn.api.service,
            &state.cfn.guest,
            &method,
            &uri,
            &headers,
            payload.to_string().as_bytes(),
        )
        .await
        .map_err(|e| format!("{}: {}", e.code, e.message));
    }
    let response = state
        .http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{url} answered {}", response.status()))
    }
}
