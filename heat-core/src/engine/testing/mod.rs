//! Test doubles for the engine (feature `testing`): [`FakeDriver`], a cloud
//! in memory whose every object is listed, with scriptable faults (fail a
//! resource, fail the Nth create, hang, transient errors, fail deletes) and
//! latency through the [`Clock`]; [`CrashingStore`], a store that dies
//! after N writes; [`contract`], the suite every [`StateStore`] passes.
//!
//! [`StateStore`]: super::StateStore

pub mod contract;
mod crashing;
mod runner;

pub use crashing::CrashingStore;
pub use runner::Runner;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value as Json};

use super::{Attributes, Clock, Driver, DriverError, ResourceSpec};

/// A fault to inject.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Creating this resource fails (the object goes to ERROR).
    FailCreate(String),
    /// The Nth create call (1-based) fails.
    FailNthCreate(u64),
    /// The create call for this resource is refused (nothing is made).
    RefuseCreate(String),
    /// Creating this resource never completes.
    Hang(String),
    /// Creating this resource fails transiently this many times first.
    Transient(String, u32),
    /// The reply to creating this resource is lost this many times first
    /// (a timeout, a gateway's 504): the object is made, the caller hears
    /// a transient error.
    LostReply(String, u32),
    /// Deleting this resource fails.
    FailDelete(String),
    /// Updating this resource fails.
    FailUpdate(String),
    /// The cloud cannot make resources of this type ([`Driver::supports`]).
    Unsupported(String),
}

/// An object of the fake cloud.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeObject {
    /// Physical id.
    pub id: String,
    /// Type.
    pub type_name: String,
    /// Tag: stack id.
    pub stack_id: String,
    /// Tag: resource name.
    pub resource: String,
    /// Properties.
    pub properties: Json,
    /// Ready (false while building or in error).
    pub ready: bool,
}

#[derive(Debug, Default)]
struct State {
    objects: BTreeMap<String, FakeObject>,
    next_id: u64,
    creates: u64,
    faults: Vec<Fault>,
    transient_left: BTreeMap<String, u32>,
    lost_replies_left: BTreeMap<String, u32>,
    doomed: std::collections::BTreeSet<String>,
    log: Vec<String>,
    /// Objects created and not yet ready (or failed), now and at most.
    in_flight: usize,
    peak_in_flight: usize,
}

/// A cloud in memory for engine tests.
pub struct FakeDriver {
    clock: Arc<dyn Clock>,
    latency: Mutex<BTreeMap<String, Duration>>,
    default_latency: Duration,
    state: Mutex<State>,
}

impl FakeDriver {
    /// A fake cloud where every create takes `latency` (through `clock`).
    pub fn new(clock: Arc<dyn Clock>, latency: Duration) -> Self {
        FakeDriver {
            clock,
            latency: Mutex::new(BTreeMap::new()),
            default_latency: latency,
            state: Mutex::new(State::default()),
        }
    }

    /// Adds a fault.
    pub fn inject(&self, fault: Fault) {
        let mut s = self.state.lock().expect("not poisoned");
        match &fault {
            Fault::Transient(name, n) => {
                s.transient_left.insert(name.clone(), *n);
            }
            Fault::LostReply(name, n) => {
                s.lost_replies_left.insert(name.clone(), *n);
            }
            _ => {}
        }
        s.faults.push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        let mut s = self.state.lock().expect("not poisoned");
        s.faults.clear();
        s.transient_left.clear();
    }

    /// Sets the latency of one resource's creation.
    pub fn set_latency(&self, resource: &str, latency: Duration) {
        self.latency
            .lock()
            .expect("not poisoned")
            .insert(resource.to_string(), latency);
    }

    /// The most objects that were ever being built at once (created, not
    /// yet ready).
    pub fn peak_in_flight(&self) -> usize {
        self.state.lock().expect("not poisoned").peak_in_flight
    }

    /// Every object the cloud holds.
    pub fn objects(&self) -> Vec<FakeObject> {
        self.state
            .lock()
            .expect("not poisoned")
            .objects
            .values()
            .cloned()
            .collect()
    }

    /// The calls made, as `create NAME`, `ready NAME`, `delete NAME`, `update NAME`.
    pub fn log(&self) -> Vec<String> {
        self.state.lock().expect("not poisoned").log.clone()
    }

    fn has(&self, f: impl Fn(&Fault) -> bool) -> bool {
        self.state
            .lock()
            .expect("not poisoned")
            .faults
            .iter()
            .any(f)
    }

    fn attributes(obj: &FakeObject) -> Attributes {
        let mut a = Attributes::new();
        a.insert("name".into(), json!(obj.resource));
        a.insert("id".into(), json!(obj.id));
        if let Some(v) = obj.properties.get("value") {
            a.insert("value".into(), v.clone());
        }
        a.insert(
            "first_address".into(),
            json!(format!(
                "10.0.0.{}",
                obj.id
                    .trim_start_matches("fake-")
                    .parse::<u64>()
                    .unwrap_or(0)
                    % 250
                    + 2
            )),
        );
        a
    }
}

#[async_trait]
impl Driver for FakeDriver {
    fn supports(&self, type_name: &str) -> Result<(), String> {
        if self.has(|f| matches!(f, Fault::Unsupported(t) if t == type_name)) {
            return Err(format!("{type_name} is not available on this cloud"));
        }
        Ok(())
    }

    async fn create(&self, spec: &ResourceSpec) -> Result<String, DriverError> {
        let id = {
            let mut s = self.state.lock().expect("not poisoned");
            if let Some(left) = s.transient_left.get_mut(&spec.name) {
                if *left > 0 {
                    *left -= 1;
                    return Err(DriverError::transient(format!(
                        "503 Service Unavailable creating {}",
                        spec.name
                    )));
                }
            }
            if s.faults
                .iter()
                .any(|f| matches!(f, Fault::RefuseCreate(r) if *r == spec.name))
            {
                return Err(DriverError::fatal(format!(
                    "400 Bad Request creating {}: injected refusal",
                    spec.name
                )));
            }
            s.creates += 1;
            let n = s.creates;
            s.next_id += 1;
            let id = format!("fake-{}", s.next_id);
            let fail = s.faults.iter().any(|f| {
                matches!(f, Fault::FailCreate(r) if *r == spec.name)
                    || matches!(f, Fault::FailNthCreate(k) if *k == n)
            });
            s.objects.insert(
                id.clone(),
                FakeObject {
                    id: id.clone(),
                    type_name: spec.type_name.clone(),
                    stack_id: spec.stack_id.clone(),
                    resource: spec.name.clone(),
                    properties: spec.properties.clone(),
                    ready: false,
                },
            );
            s.log.push(format!("create {}", spec.name));
            s.in_flight += 1;
            s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
            if fail {
                s.doomed.insert(id.clone());
            }
            if let Some(left) = s.lost_replies_left.get_mut(&spec.name) {
                if *left > 0 {
                    *left -= 1;
                    return Err(DriverError::transient(format!(
                        "504 Gateway Timeout creating {}",
                        spec.name
                    )));
                }
            }
            id
        };
        Ok(id)
    }

    async fn wait_ready(
        &self,
        spec: &ResourceSpec,
        physical_id: &str,
    ) -> Result<Attributes, DriverError> {
        if self.has(|f| matches!(f, Fault::Hang(r) if *r == spec.name)) {
            futures::future::pending::<()>().await;
        }
        let latency = self
            .latency
            .lock()
            .expect("not poisoned")
            .get(&spec.name)
            .copied()
            .unwrap_or(self.default_latency);
        if !latency.is_zero() {
            self.clock.sleep(latency).await;
        }
        let mut s = self.state.lock().expect("not poisoned");
        s.in_flight = s.in_flight.saturating_sub(1);
        let doomed = s.doomed.contains(physical_id);
        let Some(obj) = s.objects.get_mut(physical_id) else {
            return Err(DriverError::not_found(format!("{physical_id} not found")));
        };
        if doomed {
            return Err(DriverError::fatal(format!(
                "{} went to ERROR: injected failure",
                spec.name
            )));
        }
        obj.ready = true;
        let attrs = Self::attributes(obj);
        s.log.push(format!("ready {}", spec.name));
        Ok(attrs)
    }

    async fn update(
        &self,
        spec: &ResourceSpec,
        physical_id: &str,
        _old: &Json,
    ) -> Result<Attributes, DriverError> {
        if self.has(|f| matches!(f, Fault::FailUpdate(r) if *r == spec.name)) {
            return Err(DriverError::fatal(format!(
                "update of {} failed: injected failure",
                spec.name
            )));
        }
        let mut s = self.state.lock().expect("not poisoned");
        s.log.push(format!("update {}", spec.name));
        let obj = s
            .objects
            .get_mut(physical_id)
            .ok_or_else(|| DriverError::not_found(format!("{physical_id} not found")))?;
        obj.properties = spec.properties.clone();
        Ok(Self::attributes(obj))
    }

    async fn delete(&self, _type_name: &str, physical_id: &str) -> Result<(), DriverError> {
        let mut s = self.state.lock().expect("not poisoned");
        let name = s.objects.get(physical_id).map(|o| o.resource.clone());
        if let Some(name) = &name {
            if s.faults
                .iter()
                .any(|f| matches!(f, Fault::FailDelete(r) if r == name))
            {
                return Err(DriverError::fatal(format!(
                    "delete of {name} failed: injected failure"
                )));
            }
            s.log.push(format!("delete {name}"));
        }
        s.objects.remove(physical_id);
        Ok(())
    }

    async fn check(&self, _type_name: &str, physical_id: &str) -> Result<Attributes, DriverError> {
        let s = self.state.lock().expect("not poisoned");
        match s.objects.get(physical_id) {
            Some(o) if o.ready => Ok(Self::attributes(o)),
            Some(_) => Err(DriverError::fatal(format!("{physical_id} is not ready"))),
            None => Err(DriverError::not_found(format!("{physical_id} not found"))),
        }
    }

    async fn find(
        &self,
        stack_id: &str,
        resource: &str,
        _type_name: &str,
    ) -> Result<Vec<String>, DriverError> {
        let s = self.state.lock().expect("not poisoned");
        Ok(s.objects
            .values()
            .filter(|o| o.stack_id == stack_id && o.resource == resource)
            .map(|o| o.id.clone())
            .collect())
    }
}
