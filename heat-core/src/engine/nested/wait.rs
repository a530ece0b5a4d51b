//! Wait conditions and signals. A signal to a wait condition handle is
//! stored (so it reaches a wait running in any process); the wait reads
//! them, woken at once by a signal in this process and otherwise reading
//! the store at growing intervals (at most `EngineConfig::poll`). A
//! `FAILURE` signal fails the wait condition, as in Heat.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map as JsonMap, Value as Json};

use super::fatal;
use crate::definition::Realisation;
use crate::engine::cancel::Cancel;
use crate::engine::driver::{Attributes, DriverError, ResourceSpec};
use crate::engine::lifecycle::Op;
use crate::engine::model::{Signal, StackRecord, Status};
use crate::engine::store::Write;
use crate::engine::{Engine, EngineError};

fn text(v: Option<&Json>) -> Option<String> {
    v.map(|v| match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    })
}

impl Engine {
    /// Waits until the handle of a wait condition has its `count` signals,
    /// a signal reports a failure, its timeout passes or `cancel` stops it.
    pub(super) async fn wait_for_signals(
        &self,
        op: &Op,
        cancel: &Cancel,
        parent: &StackRecord,
        spec: &ResourceSpec,
    ) -> Result<Attributes, DriverError> {
        let p = &spec.properties;
        let handle = p
            .get("handle")
            .or_else(|| p.get("Handle"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let count = p
            .get("count")
            .or_else(|| p.get("Count"))
            .and_then(|c| {
                c.as_u64()
                    .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(1) as usize;
        let timeout = p
            .get("timeout")
            .or_else(|| p.get("Timeout"))
            .and_then(|t| {
                t.as_f64()
                    .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(3600.0);
        let records = self
            .store
            .resources(&parent.id)
            .await
            .map_err(|e| DriverError::transient(e.to_string()))?;
        let handle_record = records
            .into_iter()
            .find(|r| {
                r.current
                    && (r.physical_id.as_deref() == Some(handle.as_str())
                        || r.attributes
                            .get(crate::engine::REFERENCE_ID)
                            .and_then(Json::as_str)
                            == Some(handle.as_str())
                        || r.name == handle
                        || handle.ends_with(&format!("/{}", r.name)))
            })
            .ok_or_else(|| {
                fatal(format!(
                    "resources.{}: the wait condition handle {handle} is not in the stack",
                    spec.name
                ))
            })?;
        let deadline = self.clock.now() + timeout;
        let mut delay = Duration::from_millis(50);
        let mut seen = 0;
        loop {
            let woken = self.signalled.listen();
            let mut signals = self
                .store
                .signals(&parent.id, &handle_record.name)
                .await
                .map_err(|e| DriverError::transient(e.to_string()))?;
            signals.retain(|s| !crate::engine::hooks::is_hook_clear(s));
            if signals.len() > seen {
                let events = signals[seen..]
                    .iter()
                    .map(|s| {
                        Write::AddEvent(self.resource_event(
                            parent,
                            &handle_record,
                            &format!("Signal: {}", s.reason),
                        ))
                    })
                    .collect();
                self.write_op(op, events)
                    .await
                    .map_err(|e| fatal(e.to_string()))?;
                seen = signals.len();
            }
            if let Some(failure) = signals.iter().find(|s| s.status == "FAILURE") {
                return Err(fatal(format!(
                    "WaitConditionFailure: resources.{}: {}",
                    spec.name, failure.reason
                )));
            }
            if signals.len() >= count {
                let data: JsonMap<String, Json> =
                    signals.into_iter().map(|s| (s.id, s.data)).collect();
                let mut a = Attributes::new();
                a.insert(
                    "data".into(),
                    json!(crate::function::python::json_dumps_sorted(&Json::Object(
                        data
                    ))),
                );
                a.insert("Data".into(), a["data"].clone());
                return Ok(a);
            }
            let left = deadline - self.clock.now();
            if left <= 0.0 {
                return Err(fatal(format!(
                    "WaitConditionTimeout: resources.{}: {} of {count} received",
                    spec.name, seen
                )));
            }
            let sleep = self.clock.sleep(delay.min(Duration::from_secs_f64(left)));
            let either = futures::future::select(woken, sleep);
            if cancel.guard(either).await.is_err() {
                return Err(fatal("CREATE cancelled"));
            }
            delay = (delay * 2).min(self.config.poll);
        }
    }

    /// A restarter's signal: the instance it names is marked unhealthy and
    /// the stack converges to its own source, which replaces it (what
    /// depends on it follows, as Heat's HARestarter recreates it).
    async fn restart(
        self: &Arc<Self>,
        stack: &StackRecord,
        restarter: &crate::engine::ResourceRecord,
    ) -> Result<(), EngineError> {
        let instance = restarter
            .properties
            .get("InstanceId")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let records = self.store.resources(&stack.id).await?;
        let victim = records
            .iter()
            .find(|r| {
                r.current
                    && (r.physical_id.as_deref() == Some(instance.as_str()) || r.name == instance)
            })
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "{}: the instance {instance} is not in stack {}",
                    restarter.name, stack.name
                ))
            })?
            .name
            .clone();
        if stack.parent.is_some() {
            return Err(EngineError::Invalid(format!(
                "{}: a restarter restarts instances of top-level stacks",
                restarter.name
            )));
        }
        self.mark_unhealthy(
            stack,
            &victim,
            true,
            &format!("Restarted by {} on an alarm", restarter.name),
        )
        .await?;
        let current = self.load(&stack.id).await?;
        self.update_stack(
            &current,
            current.source.clone(),
            crate::engine::StackOptions::default(),
        )
        .await?;
        Ok(())
    }

    /// Sends a signal to a resource: a wait condition handle stores it
    /// (its wait condition learns of it wherever it runs); a scaling policy
    /// scales its group; a restarter replaces its instance. `data` is Heat's signal body (`status`, `reason`,
    /// `data`, `id`), or any value.
    pub async fn signal(
        self: &Arc<Self>,
        stack: &StackRecord,
        resource: &str,
        data: Json,
    ) -> Result<(), EngineError> {
        if let Some(hook) = data.get("unset_hook") {
            return self.clear_hook(stack, resource, hook).await;
        }
        let records = self.store.resources(&stack.id).await?;
        let Some(r) = records
            .into_iter()
            .find(|r| r.current && r.name == resource)
        else {
            return Err(EngineError::NotFound(format!(
                "{resource} in stack {}",
                stack.name
            )));
        };
        // A deployment's report comes while it is in progress.
        if self.catalog.realisation(&r.type_name) == Realisation::SoftwareDeployment {
            return self.signal_deployment(stack, &r, &data).await;
        }
        if r.status != Status::Complete {
            return Err(EngineError::Invalid(format!(
                "Resource {resource} is not ready for signals ({})",
                r.status_text()
            )));
        }
        match self.catalog.realisation(&r.type_name) {
            Realisation::WaitConditionHandle => {
                let n = self.store.signals(&stack.id, resource).await?.len() + 1;
                let field = |k: &str| data.get(k).filter(|v| !v.is_null());
                let signal = Signal {
                    stack_id: stack.id.clone(),
                    resource: resource.to_string(),
                    id: text(field("id").or_else(|| field("UniqueId")))
                        .unwrap_or_else(|| n.to_string()),
                    status: text(field("status").or_else(|| field("Status")))
                        .unwrap_or_else(|| "SUCCESS".into())
                        .to_uppercase(),
                    reason: text(field("reason").or_else(|| field("Reason")))
                        .unwrap_or_else(|| format!("Signal {n} received")),
                    data: field("data")
                        .or_else(|| field("Data"))
                        .cloned()
                        .unwrap_or_else(|| {
                            let known = ["id", "UniqueId", "status", "Status", "reason", "Reason"];
                            if known.iter().any(|k| field(k).is_some()) {
                                Json::Null
                            } else {
                                data.clone()
                            }
                        }),
                };
                self.store.add_signal(&signal).await?;
                self.signalled.notify(usize::MAX);
                Ok(())
            }
            Realisation::ScalingPolicy => {
                // As Heat: an alarm that is not in ALARM does not scale.
                let state = data
                    .get("current")
                    .or_else(|| data.get("state"))
                    .and_then(Json::as_str)
                    .map(str::to_ascii_lowercase);
                match state {
                    Some(s) if s != "alarm" => Ok(()),
                    _ => self.scale(stack, &r).await,
                }
            }
            Realisation::Restarter => {
                let state = data
                    .get("current")
                    .or_else(|| data.get("state"))
                    .and_then(Json::as_str)
                    .map(str::to_ascii_lowercase);
                match state {
                    Some(s) if s != "alarm" => Ok(()),
                    _ => self.restart(stack, &r).await,
                }
            }
            Realisation::Driver
            | Realisation::StackInline
            | Realisation::StackUrl
            | Realisation::ResourceGroup
            | Realisation::AutoScalingGroup
            | Realisation::DeploymentGroup
            | Realisation::WaitCondition
            | Realisation::SoftwareDeployment => Err(EngineError::Invalid(format!(
                "Resource {resource} ({}) does not accept signals",
                r.type_name
            ))),
        }
    }
}
