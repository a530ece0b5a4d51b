//! The health watcher: the live state of settled stacks observed, and
//! servers that fail behind a stack's back healed with escalation.
//!
//! A [`HealthWatcher::round`] reads every watched object of every settled
//! top-level stack tree from the cloud (a server's status, a volume's),
//! one observation per kind ([`Driver::observe`](super::Driver::observe):
//! on OpenStack one listing of servers, one of volumes). A change is recorded as an event of its resource (the
//! object failing, then recovered). A server that keeps failing is
//! escalated one step per `failures` failed checks within `window`:
//! started (only if it is stopped), rebooted, rebuilt, replaced (marked
//! unhealthy and its stack converged to its own template, so what depends
//! on it follows: floating IP, volume attachment, pool member, outputs),
//! and last the stack marked `CHECK_FAILED` with the reason. A server that
//! vanished goes straight to replacement. A healthy observation records
//! the recovery; the ladder starts again from its first step once a window
//! has passed since its last step. Volumes are observed, not acted on.
//!
//! Every step is taken under the stack's lease, as an operation is: two
//! engines never act on a stack at once, a stack with an operation running
//! is left alone for the round, and the object is read again under the
//! lease before anything is done to it. Cloud read failures (timeouts,
//! throttling) are not failed checks. The failed checks are counted in
//! each process; where a server stands on the ladder is shared by every
//! engine on the store (a `HealthLadder` document), so a second server
//! process goes on from the step the first took.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::driver::{DriverErrorKind, Repair};
use super::model::{Action, Document, DocumentKind, ResourceRecord, StackRecord, Status};
use super::store::Write;
use super::{Engine, EngineError, StackOptions};

/// The kinds of cloud objects watched, by the resource types that make
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// `OS::Nova::Server`, `AWS::EC2::Instance`: healed with escalation.
    Server,
    /// `OS::Cinder::Volume`, `AWS::EC2::Volume`: observed.
    Volume,
}

impl Watched {
    /// The kind a resource type makes, if it is watched.
    pub fn of(type_name: &str) -> Option<Watched> {
        match type_name {
            "OS::Nova::Server" | "AWS::EC2::Instance" => Some(Watched::Server),
            "OS::Cinder::Volume" | "AWS::EC2::Volume" => Some(Watched::Volume),
            _ => None,
        }
    }
}

/// What one observation of an object found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// As it should be (or on its way: building, rebooting).
    Healthy,
    /// Stopped (a server `SHUTOFF`): it can be started.
    Stopped(String),
    /// Broken (`ERROR`): the cloud's words.
    Broken(String),
    /// Gone from the cloud.
    Vanished(String),
}

impl Health {
    fn describe(&self) -> &str {
        match self {
            Health::Healthy => "healthy",
            Health::Stopped(m) | Health::Broken(m) | Health::Vanished(m) => m,
        }
    }
}

/// A step of the escalation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Start the stopped server.
    Start,
    /// Reboot it (hard).
    Reboot,
    /// Rebuild it from its image.
    Rebuild,
    /// Replace it with a new server.
    Replace,
    /// Give up: the stack is marked `CHECK_FAILED` with the reason.
    Fail,
}

const LADDER: [Step; 5] = [
    Step::Start,
    Step::Reboot,
    Step::Rebuild,
    Step::Replace,
    Step::Fail,
];

impl Step {
    fn applies(self, health: &Health) -> bool {
        match self {
            Step::Start => matches!(health, Health::Stopped(_)),
            Step::Reboot | Step::Rebuild => !matches!(health, Health::Vanished(_)),
            Step::Replace | Step::Fail => true,
        }
    }

    fn repair(self) -> Option<Repair> {
        match self {
            Step::Start => Some(Repair::Start),
            Step::Reboot => Some(Repair::Reboot),
            Step::Rebuild => Some(Repair::Rebuild),
            Step::Replace | Step::Fail => None,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Step::Start => "starting",
            Step::Reboot => "rebooting",
            Step::Rebuild => "rebuilding",
            Step::Replace => "replacing",
            Step::Fail => "giving up on",
        }
    }
}

/// How the watcher escalates.
#[derive(Debug, Clone)]
pub struct HealthPolicy {
    /// Failed checks within `window` before each step (at least 1).
    pub failures: u32,
    /// The window of failed checks; also how long after its last step a
    /// recovered object's ladder is forgotten.
    pub window: Duration,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        HealthPolicy {
            failures: 1,
            window: Duration::from_secs(600),
        }
    }
}

/// What a round saw and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthReport {
    /// Objects read.
    pub watched: usize,
    /// Of those, failing.
    pub failing: usize,
    /// Steps taken: stack id, resource name, step.
    pub steps: Vec<(String, String, Step)>,
    /// Steps that could not be taken, with why.
    pub errors: Vec<String>,
}

/// One resource's escalation.
#[derive(Debug, Clone, Default)]
struct Tracker {
    failing: bool,
    failures: Vec<f64>,
    next: usize,
    last_step_at: Option<f64>,
}

/// An observed resource of a stack tree.
struct Target {
    stack: StackRecord,
    record: ResourceRecord,
    watched: Watched,
    /// Which tree of the round it belongs to (its place in `targets`).
    tree: usize,
}

/// What a round does for one resource under its root's lease.
struct Plan {
    stack: StackRecord,
    record: ResourceRecord,
    note: Option<String>,
    step: Option<Step>,
}

/// Watches the stacks of one engine's store; see the module's docs.
pub struct HealthWatcher {
    engine: Arc<Engine>,
    policy: HealthPolicy,
    trackers: Mutex<HashMap<Key, Tracker>>,
}

type Key = (String, String);

impl HealthWatcher {
    /// A watcher of `engine`'s stacks.
    pub fn new(engine: Arc<Engine>, mut policy: HealthPolicy) -> Self {
        policy.failures = policy.failures.max(1);
        HealthWatcher {
            engine,
            policy,
            trackers: Mutex::new(HashMap::new()),
        }
    }

    /// An observation's health; `None` when the cloud did not answer.
    fn health(
        pid: &str,
        watched: Watched,
        observed: Result<super::driver::Attributes, super::DriverError>,
    ) -> Option<Health> {
        match observed {
            Ok(attrs) => {
                let status = attrs
                    .get("status")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default();
                let said = |what: &str| format!("{what} {pid} is in status {status}");
                Some(match watched {
                    Watched::Server => match status {
                        "SHUTOFF" | "STOPPED" => Health::Stopped(said("server")),
                        "ERROR" => Health::Broken(said("server")),
                        _ => Health::Healthy,
                    },
                    Watched::Volume if status.starts_with("error") => {
                        Health::Broken(said("volume"))
                    }
                    Watched::Volume => Health::Healthy,
                })
            }
            Err(e) => match e.kind {
                DriverErrorKind::NotFound => Some(Health::Vanished(e.message)),
                DriverErrorKind::Fatal => Some(Health::Broken(e.message)),
                DriverErrorKind::Transient | DriverErrorKind::Conflict => None,
            },
        }
    }

    /// Reads one object's health again.
    async fn observe(&self, record: &ResourceRecord, watched: Watched) -> Option<Health> {
        let pid = record.physical_id.clone()?;
        let observed = self
            .engine
            .driver
            .observe(&record.type_name, std::slice::from_ref(&pid))
            .await
            .pop()?;
        Self::health(&pid, watched, observed)
    }

    /// Reads the health of every target, one observation per resource type.
    async fn observe_all(&self, targets: Vec<Target>) -> Vec<(Target, Option<Health>)> {
        let mut by_type: HashMap<String, Vec<Target>> = HashMap::new();
        for t in targets {
            by_type
                .entry(t.record.type_name.clone())
                .or_default()
                .push(t);
        }
        let mut out = Vec::new();
        for (type_name, group) in by_type {
            let ids: Vec<String> = group
                .iter()
                .map(|t| t.record.physical_id.clone().unwrap_or_default())
                .collect();
            let observed = self.engine.driver.observe(&type_name, &ids).await;
            for ((t, o), pid) in group.into_iter().zip(observed).zip(&ids) {
                let h = Self::health(pid, t.watched, o);
                out.push((t, h));
            }
        }
        out
    }

    /// Every watched resource of the settled top-level stacks.
    async fn targets(&self) -> Result<Vec<(StackRecord, Vec<Target>)>, EngineError> {
        let all = self.engine.store.stacks(None).await?;
        let now = self.engine.clock.now();
        let mut children: HashMap<&str, Vec<&StackRecord>> = HashMap::new();
        for s in &all {
            if let Some((parent, _)) = &s.parent {
                children.entry(parent.as_str()).or_default().push(s);
            }
        }
        let mut out = Vec::new();
        for root in all.iter().filter(|s| {
            s.parent.is_none()
                && s.status == Status::Complete
                && !matches!(s.action, Action::Delete | Action::Suspend | Action::Init)
                && !s.leased_at(now)
        }) {
            let mut tree = vec![root];
            let mut i = 0;
            while i < tree.len() {
                if let Some(c) = children.get(tree[i].id.as_str()) {
                    tree.extend(c.iter().copied());
                }
                i += 1;
            }
            let mut targets = Vec::new();
            for stack in tree {
                for record in self.engine.store.resources(&stack.id).await? {
                    let Some(watched) = Watched::of(&record.type_name) else {
                        continue;
                    };
                    let settled = record.status != Status::InProgress
                        && !(record.action == Action::Check && record.status == Status::Failed);
                    if record.current && record.physical_id.is_some() && settled {
                        targets.push(Target {
                            stack: stack.clone(),
                            record,
                            watched,
                            tree: out.len(),
                        });
                    }
                }
            }
            if !targets.is_empty() {
                out.push((root.clone(), targets));
            }
        }
        Ok(out)
    }

    /// Counts an observation; the event and step it calls for.
    ///
    /// `shared` is where the ladder stands as every engine left it (its
    /// next step and when the last was taken).
    fn decide(
        &self,
        key: &Key,
        watched: Watched,
        health: &Health,
        now: f64,
        shared: Option<(usize, f64)>,
    ) -> Plan0 {
        let mut trackers = self.trackers.lock().expect("not poisoned");
        let window = self.policy.window.as_secs_f64();
        if *health == Health::Healthy {
            let Some(t) = trackers.get_mut(key) else {
                return Plan0::default();
            };
            let note = t.failing.then(|| "recovered: healthy again".to_string());
            t.failing = false;
            t.failures.clear();
            if t.last_step_at.is_none_or(|at| at + window <= now) {
                trackers.remove(key);
            }
            return Plan0 { note, step: None };
        }
        let t = trackers.entry(key.clone()).or_default();
        if let Some((next, at)) = shared.filter(|(_, at)| at + window > now) {
            // Another engine went up the ladder meanwhile.
            t.next = t.next.max(next.min(LADDER.len() - 1));
            t.last_step_at = Some(t.last_step_at.map_or(at, |mine| mine.max(at)));
        }
        let note = (!t.failing).then(|| format!("failing: {}", health.describe()));
        t.failing = true;
        t.failures.retain(|at| at + window > now);
        t.failures.push(now);
        if watched != Watched::Server || t.failures.len() < self.policy.failures as usize {
            return Plan0 { note, step: None };
        }
        let at = (t.next..LADDER.len())
            .find(|i| LADDER[*i].applies(health))
            .unwrap_or(LADDER.len() - 1);
        t.next = (at + 1).min(LADDER.len() - 1);
        t.failures.clear();
        t.last_step_at = Some(now);
        Plan0 {
            note,
            step: Some(LADDER[at]),
        }
    }

    /// One round: observe, record, escalate.
    pub async fn round(&self) -> Result<HealthReport, EngineError> {
        let mut report = HealthReport::default();
        let ladders = self.ladders().await?;
        // One observation per resource type over every tree.
        let (roots, targets): (Vec<StackRecord>, Vec<Vec<Target>>) =
            self.targets().await?.into_iter().unzip();
        let mut per_tree: Vec<Vec<(Target, Option<Health>)>> =
            roots.iter().map(|_| Vec::new()).collect();
        for (t, h) in self
            .observe_all(targets.into_iter().flatten().collect())
            .await
        {
            per_tree[t.tree].push((t, h));
        }
        for (root, observed) in roots.into_iter().zip(per_tree) {
            let now = self.engine.clock.now();
            let before: HashMap<Key, Option<Tracker>> = {
                let trackers = self.trackers.lock().expect("not poisoned");
                observed
                    .iter()
                    .map(|(t, _)| {
                        let key = (t.stack.id.clone(), t.record.name.clone());
                        let was = trackers.get(&key).cloned();
                        (key, was)
                    })
                    .collect()
            };
            let mut plans = Vec::new();
            for (t, health) in observed {
                let Some(health) = health else { continue };
                report.watched += 1;
                if health != Health::Healthy {
                    report.failing += 1;
                }
                let key = (t.stack.id.clone(), t.record.name.clone());
                let shared = ladders.get(&key).copied();
                let Plan0 { note, step } = self.decide(&key, t.watched, &health, now, shared);
                if note.is_some() || step.is_some() {
                    plans.push(Plan {
                        stack: t.stack,
                        record: t.record,
                        note,
                        step,
                    });
                }
            }
            if plans.is_empty() {
                continue;
            }
            match self.act(&root, plans).await {
                Ok((steps, errors)) => {
                    report.steps.extend(steps);
                    report.errors.extend(errors);
                }
                Err(e) => {
                    // Not taken (an operation began meanwhile): the next
                    // round decides again.
                    let mut trackers = self.trackers.lock().expect("not poisoned");
                    for (key, was) in before {
                        match was {
                            Some(t) => trackers.insert(key, t),
                            None => trackers.remove(&key),
                        };
                    }
                    report.errors.push(format!("stack {}: {e}", root.name));
                }
            }
        }
        Ok(report)
    }

    /// The ladders every engine left (`HealthLadder` documents, by stack
    /// and resource); those a window old are removed.
    async fn ladders(&self) -> Result<HashMap<Key, (usize, f64)>, EngineError> {
        let store = &self.engine.store;
        let now = self.engine.clock.now();
        let window = self.policy.window.as_secs_f64();
        let mut out = HashMap::new();
        for d in store.documents(DocumentKind::HealthLadder, None).await? {
            let next = d.data["next"].as_u64().unwrap_or(0) as usize;
            let at = d.data["at"].as_f64().unwrap_or(0.0);
            if at + window <= now {
                store
                    .remove_document(DocumentKind::HealthLadder, &d.id)
                    .await?;
                continue;
            }
            if let Some((stack, resource)) = d.id.split_once('/') {
                out.insert((stack.to_string(), resource.to_string()), (next, at));
            }
        }
        Ok(out)
    }

    /// Records where a resource's ladder stands, for every engine.
    async fn share_ladder(&self, stack: &StackRecord, resource: &str) -> Result<(), EngineError> {
        let key = (stack.id.clone(), resource.to_string());
        let Some((next, Some(at))) = self
            .trackers
            .lock()
            .expect("not poisoned")
            .get(&key)
            .map(|t| (t.next, t.last_step_at))
        else {
            return Ok(());
        };
        self.engine
            .store
            .put_document(&Document {
                kind: DocumentKind::HealthLadder,
                id: format!("{}/{resource}", stack.id),
                project: stack.project.clone(),
                data: serde_json::json!({"next": next, "at": at}),
                created_at: at,
            })
            .await?;
        Ok(())
    }

    /// Takes `root`'s lease and carries out the plans: events, repairs, a
    /// replacement marked, the stack failed; a replacement's update is
    /// started once the lease is released.
    async fn act(
        &self,
        root: &StackRecord,
        plans: Vec<Plan>,
    ) -> Result<(Vec<(String, String, Step)>, Vec<String>), EngineError> {
        let e = self.engine.clone();
        let taken = e.take(root, |_| {}).await?;
        let (tx, rx) = futures::channel::oneshot::channel();
        let me = self;
        e.own(taken, |op, root| async move {
            let mut writes = Vec::new();
            let mut steps = Vec::new();
            let mut errors = Vec::new();
            let mut replace = false;
            let mut fail: Option<String> = None;
            for p in plans {
                if let Some(note) = &p.note {
                    writes.push(Write::AddEvent(me.engine.resource_event(
                        &p.stack,
                        &p.record,
                        note,
                    )));
                }
                let Some(step) = p.step else { continue };
                // Read again under the lease: another engine may have
                // healed it, or the cloud mended itself.
                let watched = Watched::of(&p.record.type_name).unwrap_or(Watched::Server);
                let health = match me.observe(&p.record, watched).await {
                    Some(Health::Healthy) => {
                        writes.push(Write::AddEvent(me.engine.resource_event(
                            &p.stack,
                            &p.record,
                            "recovered: healthy again",
                        )));
                        continue;
                    }
                    Some(h) => h,
                    None => {
                        errors.push(format!("{}: the cloud did not answer", p.record.name));
                        continue;
                    }
                };
                let why = format!(
                    "HA: {} {} ({})",
                    step.verb(),
                    p.record.name,
                    health.describe()
                );
                steps.push((p.stack.id.clone(), p.record.name.clone(), step));
                if let Err(e) = me.share_ladder(&p.stack, &p.record.name).await {
                    errors.push(format!("{}: {e}", p.record.name));
                }
                if let Some(repair) = step.repair() {
                    writes.push(Write::AddEvent(me.engine.resource_event(
                        &p.stack, &p.record, &why,
                    )));
                    let pid = p.record.physical_id.as_deref().unwrap_or_default();
                    if let Err(err) = me.engine.driver.repair(&p.record.type_name, pid, repair).await
                    {
                        let said = format!("HA: {} failed: {}", step.verb(), err.message);
                        writes.push(Write::AddEvent(me.engine.resource_event(
                            &p.stack, &p.record, &said,
                        )));
                        errors.push(format!("{}: {said}", p.record.name));
                    }
                    continue;
                }
                match step {
                    Step::Replace => {
                        let mut r = p.record.clone();
                        r.action = Action::Check;
                        r.status = Status::Failed;
                        r.reason = why.clone();
                        r.updated_at = me.engine.clock.now();
                        writes.push(Write::AddEvent(me.engine.resource_event(&p.stack, &r, &why)));
                        writes.push(Write::PutResource(r));
                        replace = true;
                    }
                    _ => {
                        fail = Some(format!(
                            "HA: resources.{} could not be recovered ({}) after start, reboot, rebuild and replacement",
                            p.record.name,
                            health.describe()
                        ));
                    }
                }
            }
            let mut settled = root.clone();
            if let Some(reason) = &fail {
                settled.action = Action::Check;
                settled.status = Status::Failed;
                settled.reason = reason.clone();
                settled.updated_at = Some(me.engine.clock.now());
                writes.push(Write::UpdateStack(settled.clone()));
                writes.push(Write::AddEvent(me.engine.stack_event(&settled, reason)));
            }
            writes.push(Write::Release(root.id.clone()));
            if let Err(err) = me.engine.write_op(&op, writes).await {
                errors.push(format!("stack {}: {err}", root.name));
            }
            let _ = tx.send((steps, errors, replace));
            Some(settled)
        })
        .await;
        let (steps, mut errors, replace) = rx.await.unwrap_or_default();
        if replace {
            let current = e.load(&root.id).await?;
            if let Err(err) = e
                .update_stack(&current, current.source.clone(), StackOptions::default())
                .await
            {
                errors.push(format!(
                    "stack {}: the replacement's update: {err}",
                    root.name
                ));
            }
        }
        Ok((steps, errors))
    }
}

/// An observation's outcome before anything is done.
#[derive(Default)]
struct Plan0 {
    note: Option<String>,
    step: Option<Step>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_skips_what_does_not_apply() {
        let stopped = Health::Stopped("server s is in status SHUTOFF".into());
        let broken = Health::Broken("server s is in status ERROR".into());
        let gone = Health::Vanished("server s could not be found".into());
        let first = |h: &Health| LADDER.iter().find(|s| s.applies(h)).copied();
        assert_eq!(first(&stopped), Some(Step::Start));
        assert_eq!(first(&broken), Some(Step::Reboot));
        assert_eq!(first(&gone), Some(Step::Replace));
    }

    #[test]
    fn watched_kinds() {
        assert_eq!(Watched::of("AWS::EC2::Instance"), Some(Watched::Server));
        assert_eq!(Watched::of("OS::Cinder::Volume"), Some(Watched::Volume));
        assert_eq!(Watched::of("OS::Neutron::Port"), None);
    }
}
