//! The embedded simulated cloud: servers, networks, subnets, ports,
//! routers, floating IPs, security groups, volumes and the rest, in memory
//! (or persisted through [`SimPersistence`]), with realistic ids, status
//! transitions, addresses, quotas, latency through the engine's clock and
//! injected faults. [`SimCloud::objects`] lists everything it holds, so
//! tests prove nothing leaked.

mod objects;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use heat_core::engine::{Attributes, Clock, DriverError, Repair, ResourceSpec};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map as JsonMap, Value as Json};

use crate::cloud::{Cloud, ObjectKind};

/// An object of the simulated cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimObject {
    /// Id (uuid-shaped).
    pub id: String,
    /// Kind: `server`, `network`, `subnet`, `port`, ...
    pub kind: String,
    /// Name.
    pub name: String,
    /// Tag: the stack that created it (empty for the cloud's own objects).
    pub stack_id: String,
    /// Tag: the resource that created it.
    pub resource: String,
    /// Status (`BUILD`, `ACTIVE`, `available`, `in-use`, `ERROR`, ...).
    pub status: String,
    /// The properties it was created with.
    pub properties: Json,
    /// Its attributes, as the cloud reports them.
    pub attributes: JsonMap<String, Json>,
}

/// Where the simulated cloud keeps its objects between commands.
#[async_trait]
pub trait SimPersistence: Send + Sync {
    /// Stores (inserts or replaces) an object.
    async fn save_object(&self, object: &SimObject) -> Result<(), String>;
    /// Forgets an object.
    async fn forget_object(&self, id: &str) -> Result<(), String>;
    /// What any process saved or forgot after position `after` (0: from
    /// the start), in order, and the position reached: for a cloud shared
    /// by several processes. `None` (the default) when this persistence
    /// is not shared.
    async fn changes(&self, _after: u64) -> Result<Option<(u64, Vec<SimChange>)>, String> {
        Ok(None)
    }
}

/// A change of a shared simulated cloud.
#[derive(Debug, Clone, PartialEq)]
pub enum SimChange {
    /// An object saved (made or changed).
    Saved(Box<SimObject>),
    /// An object forgotten (deleted), by id.
    Forgotten(String),
}

/// A fault to inject into the simulated cloud.
#[derive(Debug, Clone, PartialEq)]
pub enum SimFault {
    /// Creating this resource ends in ERROR.
    FailCreate(String),
    /// The Nth create (1-based) ends in ERROR.
    FailNthCreate(u64),
    /// A create whose properties have `key` set to `value` ends in ERROR.
    FailOnProperty(String, Json),
    /// Creating this resource never finishes.
    Hang(String),
    /// Creating this resource fails transiently this many times first.
    Transient(String, u32),
    /// Deleting this resource fails.
    FailDelete(String),
    /// This resource's server stays broken whatever repair is tried (only
    /// a replacement, a new server, works).
    Unrepairable(String),
}

/// Settings: latency per kind and quotas.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Time an object takes to become ready, by kind.
    pub latency: HashMap<String, Duration>,
    /// Time for kinds not listed.
    pub default_latency: Duration,
    /// Time a create takes to answer once the object exists (as a cloud
    /// API's answer can be slow, or lost): a process that dies meanwhile
    /// never learns the id of what it made.
    pub answer_latency: Duration,
    /// Most objects of a kind (`server`: 10 instances by default).
    pub quotas: HashMap<String, usize>,
    /// Whether booted servers act out their user data's signals (see
    /// [`GuestAgent`]); off when a real agent plays the guest.
    pub guest: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            latency: HashMap::new(),
            default_latency: Duration::ZERO,
            answer_latency: Duration::ZERO,
            quotas: HashMap::from([
                ("server".to_string(), 20),
                ("volume".to_string(), 20),
                ("floating_ip".to_string(), 50),
                ("network".to_string(), 100),
                ("port".to_string(), 500),
            ]),
            guest: true,
        }
    }
}

impl SimConfig {
    /// Every kind takes `latency` to become ready.
    pub fn with_latency(latency: Duration) -> Self {
        SimConfig {
            default_latency: latency,
            ..SimConfig::default()
        }
    }
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, SimObject>,
    counter: u64,
    creates: u64,
    faults: Vec<SimFault>,
    transient_left: BTreeMap<String, u32>,
    doomed: std::collections::BTreeSet<String>,
    /// How far the shared persistence's changes have been applied.
    seen: u64,
}

/// The simulated cloud.
pub struct SimCloud {
    clock: Arc<dyn Clock>,
    config: SimConfig,
    state: Mutex<State>,
    persistence: Option<Arc<dyn SimPersistence>>,
    seed: u64,
    /// One refresh at a time: a call that finds another reading the
    /// change feed waits until its changes are applied (it would
    /// otherwise go on with the state before them).
    refreshing: futures::lock::Mutex<()>,
    guest: Mutex<Option<Arc<dyn GuestAgent>>>,
}

/// What runs inside a simulated server once it is `ACTIVE`: given its
/// name and user data, it acts out what the data would do that heat-rs
/// can see (signal wait conditions, as cfn-signal or `curl_cli` would).
pub trait GuestAgent: Send + Sync {
    /// A server booted with this user data.
    fn boot(&self, server: &SimObject, user_data: &str);
}

impl SimCloud {
    /// A cloud with its default images, flavors, key pair and networks
    /// (`public`, external, 172.24.4.0/24; `private`, 10.0.0.0/24).
    pub fn new(clock: Arc<dyn Clock>, config: SimConfig) -> Self {
        let seed = (clock.now() * 1e6) as u64;
        let cloud = SimCloud {
            clock,
            config,
            state: Mutex::new(State::default()),
            persistence: None,
            seed,
            refreshing: futures::lock::Mutex::new(()),
            guest: Mutex::new(None),
        };
        {
            let mut s = cloud.state.lock().expect("not poisoned");
            for o in objects::builtins() {
                s.objects.insert(o.id.clone(), o);
            }
        }
        cloud
    }

    /// Adds an object the cloud's operator provides, beside the defaults
    /// (kept with the cloud's state): an `image` (active), a `keypair` (its
    /// `public_key` in `attributes`, else a made-up one) or a `flavor`
    /// (`vcpus`, `ram` MiB, `disk` GiB). Nothing changes when one of that
    /// kind and name is there already.
    pub async fn provide(
        &self,
        kind: &str,
        name: &str,
        attributes: Json,
    ) -> Result<(), DriverError> {
        let o = {
            let mut s = self.lock();
            if s.objects
                .values()
                .any(|o| o.kind == kind && o.name == name && o.stack_id.is_empty())
            {
                return Ok(());
            }
            s.counter += 1;
            let id = format!("00000000-0000-4000-b000-{:012x}", s.counter);
            let mut attrs = match kind {
                "image" => serde_json::json!({"status": "active", "min_disk": 1}),
                "keypair" => {
                    serde_json::json!({"public_key": format!("ssh-ed25519 AAAA{name} provided")})
                }
                "flavor" => serde_json::json!({"vcpus": 1, "ram": 2048, "disk": 20}),
                other => {
                    return Err(DriverError::fatal(format!(
                        "the simulated cloud provides images, key pairs and flavors, not {other}"
                    )))
                }
            };
            if let (Json::Object(a), Json::Object(given)) = (&mut attrs, attributes) {
                a.extend(given);
            }
            let o = objects::builtin(&id, kind, name, attrs);
            s.objects.insert(id, o.clone());
            o
        };
        self.save(&o).await
    }

    /// Sets what runs in the servers it boots (nothing when its
    /// configuration says no guest).
    pub fn set_guest(&self, guest: Arc<dyn GuestAgent>) {
        if self.config.guest {
            *self.guest.lock().expect("not poisoned") = Some(guest);
        }
    }

    /// A cloud that saves every change through `persistence`, starting from
    /// the objects it saved before.
    pub fn with_persistence(
        clock: Arc<dyn Clock>,
        config: SimConfig,
        persistence: Arc<dyn SimPersistence>,
        saved: Vec<SimObject>,
    ) -> Self {
        let mut cloud = SimCloud::new(clock, config);
        cloud.persistence = Some(persistence);
        {
            let mut s = cloud.state.lock().expect("not poisoned");
            s.counter = saved.len() as u64 + 1000;
            for o in saved {
                s.objects.insert(o.id.clone(), o);
            }
        }
        cloud
    }

    /// Adds a fault.
    pub fn inject(&self, fault: SimFault) {
        let mut s = self.lock();
        if let SimFault::Transient(r, n) = &fault {
            s.transient_left.insert(r.clone(), *n);
        }
        s.faults.push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        let mut s = self.lock();
        s.faults.clear();
        s.transient_left.clear();
    }

    /// An object by id.
    pub fn object(&self, id: &str) -> Option<SimObject> {
        self.lock().objects.get(id).cloned()
    }

    /// Every object the cloud holds, its own included.
    pub fn objects(&self) -> Vec<SimObject> {
        self.lock().objects.values().cloned().collect()
    }

    /// The objects stacks created (the cloud's own left out).
    pub fn stack_objects(&self) -> Vec<SimObject> {
        self.lock()
            .objects
            .values()
            .filter(|o| !o.stack_id.is_empty())
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("not poisoned")
    }

    fn new_id(&self, s: &mut State) -> String {
        use sha2::Digest;
        s.counter += 1;
        let mut h = sha2::Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(s.counter.to_le_bytes());
        let b = h.finalize();
        let hex: String = b.iter().take(16).map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    async fn save(&self, object: &SimObject) -> Result<(), DriverError> {
        if let Some(p) = &self.persistence {
            p.save_object(object)
                .await
                .map_err(DriverError::transient)?;
        }
        Ok(())
    }

    /// Applies what other processes changed in a shared cloud since the
    /// last look (nothing to do for a cloud of one process). Every call of
    /// the cloud begins with it.
    pub async fn refresh(&self) -> Result<(), DriverError> {
        let Some(p) = &self.persistence else {
            return Ok(());
        };
        let _one = self.refreshing.lock().await;
        let after = self.lock().seen;
        let Some((reached, changes)) = p.changes(after).await.map_err(DriverError::transient)?
        else {
            return Ok(());
        };
        let mut s = self.lock();
        if reached <= s.seen {
            // Another call applied as new a view meanwhile.
            return Ok(());
        }
        for change in changes {
            match change {
                SimChange::Saved(o) => {
                    s.objects.insert(o.id.clone(), *o);
                }
                SimChange::Forgotten(id) => {
                    s.objects.remove(&id);
                }
            }
        }
        s.seen = reached;
        Ok(())
    }

    async fn forget(&self, id: &str) -> Result<(), DriverError> {
        if let Some(p) = &self.persistence {
            p.forget_object(id).await.map_err(DriverError::transient)?;
        }
        Ok(())
    }

    fn latency(&self, kind: &str) -> Duration {
        self.config
            .latency
            .get(kind)
            .copied()
            .unwrap_or(self.config.default_latency)
    }
}

#[async_trait]
impl Cloud for SimCloud {
    fn simulated(&self) -> bool {
        true
    }

    async fn create(&self, kind: ObjectKind, spec: &ResourceSpec) -> Result<String, DriverError> {
        self.refresh().await?;
        let kind = kind.name();
        let object = {
            let mut s = self.lock();
            if let Some(left) = s.transient_left.get_mut(&spec.name) {
                if *left > 0 {
                    *left -= 1;
                    return Err(DriverError::transient(
                        "503 Service Unavailable: the simulated cloud is busy",
                    ));
                }
            }
            if let Some(limit) = self.config.quotas.get(kind) {
                let used = s
                    .objects
                    .values()
                    .filter(|o| o.kind == kind && !o.stack_id.is_empty())
                    .count();
                if used >= *limit {
                    return Err(DriverError::fatal(objects::quota_message(
                        kind, used, *limit,
                    )));
                }
            }
            let id = self.new_id(&mut s);
            let mut object =
                objects::build(kind, &id, spec, &s.objects).map_err(DriverError::fatal)?;
            // A server's or Zun container's own ports, made with it (and
            // saved below).
            let mut ports = Vec::new();
            let owner = match kind {
                "server" => Some("compute:nova"),
                "zun_container" => Some("compute:kuryr"),
                _ => None,
            };
            if let Some(owner) = owner {
                let mut networks = object.properties["networks"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for (i, props) in objects::ports::wanted(&object) {
                    let pid = self.new_id(&mut s);
                    let port = objects::ports::port(&object, owner, &pid, i, props, &s.objects)
                        .map_err(DriverError::fatal)?;
                    s.objects.insert(pid.clone(), port.clone());
                    match networks.get_mut(i) {
                        Some(entry) => entry["port"] = json!(pid),
                        None => networks.push(json!({"port": pid})),
                    }
                    ports.push(port);
                }
                object.properties["networks"] = Json::Array(networks);
            }
            if kind == "load_balancer" {
                let pid = self.new_id(&mut s);
                let props = objects::ports::vip(&object);
                let port = objects::ports::port(&object, "Octavia", &pid, 0, props, &s.objects)
                    .map_err(DriverError::fatal)?;
                s.objects.insert(pid.clone(), port.clone());
                object.properties["vip_port"] = json!(pid);
                ports.push(port);
            }
            s.creates += 1;
            let n = s.creates;
            let doomed = s.faults.iter().any(|f| match f {
                SimFault::FailCreate(r) => *r == spec.name,
                SimFault::FailNthCreate(k) => *k == n,
                SimFault::FailOnProperty(k, v) => spec.properties.get(k) == Some(v),
                _ => false,
            });
            if doomed {
                s.doomed.insert(id.clone());
            }
            s.objects.insert(id.clone(), object.clone());
            (object, ports)
        };
        let (object, ports) = object;
        for port in &ports {
            self.save(port).await?;
        }
        self.save(&object).await?;
        if !self.config.answer_latency.is_zero() {
            self.clock.sleep(self.config.answer_latency).await;
        }
        Ok(object.id)
    }

    async fn wait_ready(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
    ) -> Result<Attributes, DriverError> {
        let kind = kind.name();
        if self
            .lock()
            .faults
            .iter()
            .any(|f| matches!(f, SimFault::Hang(r) if *r == spec.name))
        {
            futures::future::pending::<()>().await;
        }
        let latency = self.latency(kind);
        if !latency.is_zero() {
            self.clock.sleep(latency).await;
        }
        self.refresh().await?;
        let object = {
            let mut s = self.lock();
            let doomed = s.doomed.contains(id);
            // Out of the map while it is made ready against the others
            // (no copy of the whole cloud per call).
            let Some(mut o) = s.objects.remove(id) else {
                return Err(DriverError::not_found(format!(
                    "{kind} {id} could not be found"
                )));
            };
            if doomed {
                o.status = "ERROR".into();
                o.attributes
                    .insert("status".into(), Json::String("ERROR".into()));
            } else {
                objects::ready(&mut o, &s.objects);
            }
            s.objects.insert(id.to_string(), o.clone());
            o
        };
        self.save(&object).await?;
        if object.status == "ERROR" {
            return Err(DriverError::fatal(format!(
                "{} {} went to status ERROR: simulated failure (injected)",
                kind, id
            )));
        }
        // Attaching a volume or a floating IP changes the other object too.
        let related = {
            let mut s = self.lock();
            objects::link(&object, &mut s.objects)
        };
        for r in related {
            self.save(&r).await?;
        }
        if kind == "server" {
            // What the guest runs of its boot user data.
            let user_data = crate::boot::guest_script(
                ["user_data", "UserData"]
                    .iter()
                    .find_map(|k| spec.properties.get(*k).and_then(Json::as_str))
                    .unwrap_or_default(),
            );
            let agents = spec
                .properties
                .get("user_data_format")
                .and_then(Json::as_str)
                == Some("SOFTWARE_CONFIG");
            let guest = self.guest.lock().expect("not poisoned").clone();
            if let (Some(g), true) = (guest, agents || !user_data.is_empty()) {
                g.boot(&object, &user_data);
            }
        }
        Ok(object.attributes)
    }

    async fn update(
        &self,
        kind: ObjectKind,
        spec: &ResourceSpec,
        id: &str,
        _old: &Json,
    ) -> Result<Attributes, DriverError> {
        let kind = kind.name();
        // An update in place (a resize, a rebuild) takes as long as a
        // create; meanwhile the object is not in service.
        let latency = self.latency(kind);
        if !latency.is_zero() {
            self.clock.sleep(latency).await;
        }
        self.refresh().await?;
        let (object, unlinked) = {
            let mut s = self.lock();
            let Some(mut o) = s.objects.remove(id) else {
                return Err(DriverError::not_found(format!(
                    "{kind} {id} could not be found"
                )));
            };
            // What its old properties joined is undone (an attachment
            // moved to another volume leaves the first one); the new ones
            // join below.
            let unlinked = objects::unlink(&o, &mut s.objects);
            o.properties = spec.properties.clone();
            if let Some(n) = spec.properties.get("name").and_then(Json::as_str) {
                o.name = n.to_string();
            }
            objects::ready(&mut o, &s.objects);
            s.objects.insert(id.to_string(), o.clone());
            (o, unlinked)
        };
        self.save(&object).await?;
        // An association moved to another port moves its floating IP too.
        let related = {
            let mut s = self.lock();
            objects::link(&object, &mut s.objects)
        };
        let related_ids: Vec<&str> = related.iter().map(|r| r.id.as_str()).collect();
        for r in unlinked
            .iter()
            .filter(|u| !related_ids.contains(&u.id.as_str()))
        {
            self.save(r).await?;
        }
        for r in &related {
            self.save(r).await?;
        }
        Ok(object.attributes)
    }

    async fn delete(&self, kind: ObjectKind, id: &str) -> Result<(), DriverError> {
        self.refresh().await?;
        let kind = kind.name();
        let latency = self.latency(kind);
        let removed = {
            let mut s = self.lock();
            let Some(o) = s.objects.get(id) else {
                return Ok(());
            };
            if s.faults
                .iter()
                .any(|f| matches!(f, SimFault::FailDelete(r) if *r == o.resource))
            {
                return Err(DriverError::fatal(format!(
                    "{kind} {id} could not be deleted: simulated failure (injected)"
                )));
            }
            if o.kind == "volume" && o.status == "in-use" {
                return Err(DriverError { kind: heat_core::engine::DriverErrorKind::Conflict, message: format!("Invalid volume: Volume {id} status must be available or error, but current status is: in-use") });
            }
            let o = s.objects.remove(id).expect("present");
            // A server's own ports go with it.
            let ports = objects::ports::owned_by(id, &s.objects);
            for p in &ports {
                s.objects.remove(p);
            }
            (objects::unlink(&o, &mut s.objects), ports)
        };
        let (removed, ports) = removed;
        if !latency.is_zero() {
            self.clock.sleep(latency / 2).await;
        }
        for p in &ports {
            self.forget(p).await?;
        }
        self.forget(id).await?;
        for r in removed {
            self.save(&r).await?;
        }
        Ok(())
    }

    async fn check(&self, kind: ObjectKind, id: &str) -> Result<Attributes, DriverError> {
        self.refresh().await?;
        let kind = kind.name();
        let s = self.lock();
        match s.objects.get(id) {
            Some(o) if o.status == "ERROR" => Err(DriverError::fatal(format!(
                "{kind} {id} is in status ERROR"
            ))),
            Some(o) => Ok(o.attributes.clone()),
            None => Err(DriverError::not_found(format!(
                "{kind} {id} could not be found"
            ))),
        }
    }

    async fn find(
        &self,
        kind: ObjectKind,
        stack_id: &str,
        resource: &str,
    ) -> Result<Vec<String>, DriverError> {
        self.refresh().await?;
        let kind = kind.name();
        Ok(self
            .lock()
            .objects
            .values()
            .filter(|o| o.kind == kind && o.stack_id == stack_id && o.resource == resource)
            .map(|o| o.id.clone())
            .collect())
    }

    async fn snapshot(&self, kind: ObjectKind, id: &str) -> Result<Option<String>, DriverError> {
        self.refresh().await?;
        let kind = kind.name();
        let made = {
            let mut s = self.lock();
            let Some(o) = s.objects.get(id).cloned() else {
                return Ok(None);
            };
            let (snap_kind, status) = match kind {
                "volume" => ("volume_snapshot", "available"),
                "server" => ("image", "active"),
                _ => return Ok(None),
            };
            let snap_id = self.new_id(&mut s);
            let snapshot = SimObject {
                id: snap_id.clone(),
                kind: snap_kind.into(),
                name: format!("{}-snapshot", o.name),
                // Snapshots outlive the stack: they are the cloud's, not the stack's.
                stack_id: String::new(),
                resource: String::new(),
                status: status.into(),
                properties: serde_json::json!({"source": id}),
                attributes: serde_json::json!({"source": id, "status": status})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            };
            s.objects.insert(snap_id, snapshot.clone());
            snapshot
        };
        self.save(&made).await?;
        Ok(Some(made.id))
    }

    async fn suspend(&self, kind: ObjectKind, id: &str) -> Result<(), DriverError> {
        self.set_status(kind, id, "SUSPENDED").await
    }

    async fn resume(&self, kind: ObjectKind, id: &str) -> Result<(), DriverError> {
        self.set_status(kind, id, "ACTIVE").await
    }

    async fn repair(&self, kind: ObjectKind, id: &str, repair: Repair) -> Result<(), DriverError> {
        self.refresh().await?;
        if kind != ObjectKind::Server {
            return Err(DriverError::fatal(format!(
                "a {} cannot be repaired in place ({repair:?})",
                kind.name()
            )));
        }
        let unrepairable = {
            let s = self.lock();
            let Some(o) = s.objects.get(id) else {
                return Err(DriverError::not_found(format!(
                    "server {id} could not be found"
                )));
            };
            s.faults
                .iter()
                .any(|f| matches!(f, SimFault::Unrepairable(r) if *r == o.resource))
        };
        // A start, reboot or rebuild takes as long as a boot.
        let latency = self.latency(kind.name());
        if !latency.is_zero() {
            self.clock.sleep(latency).await;
        }
        if unrepairable {
            // The action is taken; the server is broken again at once.
            return self.set_status(kind, id, "ERROR").await;
        }
        self.set_status(kind, id, "ACTIVE").await
    }

    async fn check_constraint(&self, constraint: &str, value: &Json) -> Result<(), String> {
        let s = self.lock();
        objects::check_constraint(constraint, value, &s.objects)
    }
}

impl SimCloud {
    /// Breaks (or mends) a server behind heat-rs's back, as a fault of the
    /// cloud would: its status becomes `status` (`SHUTOFF`, `ERROR`); a
    /// server that `vanishes` is removed outright.
    pub async fn break_server(&self, id: &str, status: &str) -> Result<(), DriverError> {
        if status == "DELETED" {
            let gone = self.lock().objects.remove(id).is_some();
            if gone {
                self.forget(id).await?;
            }
            return Ok(());
        }
        self.set_status(ObjectKind::Server, id, status).await
    }

    async fn set_status(
        &self,
        kind: ObjectKind,
        id: &str,
        status: &str,
    ) -> Result<(), DriverError> {
        if kind != ObjectKind::Server {
            return Ok(());
        }
        let object = {
            let mut s = self.lock();
            let Some(o) = s.objects.get_mut(id) else {
                return Err(DriverError::not_found(format!(
                    "server {id} could not be found"
                )));
            };
            o.status = status.to_string();
            o.attributes
                .insert("status".into(), Json::String(status.into()));
            o.clone()
        };
        self.save(&object).await
    }
}
