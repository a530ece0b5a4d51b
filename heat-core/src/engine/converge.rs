//! Converging a stack's records to a definition, resource by resource:
//! create, update in place, replace (new before old), or leave; then the
//! cleanup of replaced and removed resources in reverse dependency order.
//! Every record change is persisted before the driver is called.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicBool;

use serde::Serialize;
use serde_json::{Map as JsonMap, Value as Json};

use super::driver::{DriverErrorKind, ResourceSpec};
use super::live::Live;
use super::model::{Action, ResourceRecord, StackRecord, Status};
use super::{traversal, Engine};
use crate::definition::{PropertyRule, ResourceDef, StackDefinition, TypeCatalog};
use crate::function;
use crate::template::Template;

/// What an update does to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum ChangeKind {
    /// Nothing changes.
    Unchanged,
    /// Updated in place; the properties that change.
    Updated {
        /// Changed properties.
        properties: Vec<String>,
    },
    /// Replaced (a new one created, then the old deleted), and why.
    Replaced {
        /// The property (or `type`, or the resource's failed state) that forces it.
        reason: String,
    },
    /// Created.
    Added,
    /// Deleted.
    Deleted,
    /// Refused: an immutable property changes, or the action is restricted.
    Refused {
        /// Why.
        reason: String,
    },
}

/// A resource and what an update does to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Resource name.
    pub name: String,
    /// Type.
    pub type_name: String,
    /// What happens.
    #[serde(flatten)]
    pub kind: ChangeKind,
}

/// Decides what to do with a resource whose record exists.
fn decide(
    catalog: &dyn TypeCatalog,
    def: &StackDefinition<'_>,
    rdef: &ResourceDef,
    record: &ResourceRecord,
    props: &Json,
) -> ChangeKind {
    let restricted = def.inputs.registry.restricted_actions(&rdef.name);
    let replace = |reason: String| {
        if restricted.iter().any(|a| a == "replace") {
            ChangeKind::Refused {
                reason: "replace is restricted for resource.".into(),
            }
        } else {
            ChangeKind::Replaced { reason }
        }
    };
    if record.type_name != rdef.type_name {
        return replace("type".into());
    }
    if record.status == Status::Failed
        || record.physical_id.is_none()
        || record.action == Action::Init
    {
        return replace(format!("{} is {}", rdef.name, record.status_text()));
    }
    let empty = JsonMap::new();
    let old = record.properties.as_object().unwrap_or(&empty);
    let new = props.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .cloned()
        .collect();
    if changed.is_empty() {
        return ChangeKind::Unchanged;
    }
    for k in &changed {
        match catalog.property_rule(&rdef.type_name, k) {
            PropertyRule::Immutable => {
                return ChangeKind::Refused {
                    reason: format!(
                        "The property ({k}) of resource {} is immutable and cannot be updated",
                        rdef.name
                    ),
                }
            }
            PropertyRule::Replace => return replace(k.clone()),
            PropertyRule::UpdateAllowed => {}
        }
    }
    if restricted.iter().any(|a| a == "update") {
        return ChangeKind::Refused {
            reason: "update is restricted for resource.".into(),
        };
    }
    ChangeKind::Updated {
        properties: changed,
    }
}

/// The changes an update to `def` makes to `records`, without acting.
pub fn preview(
    def: &StackDefinition<'_>,
    records: &[ResourceRecord],
    catalog: &dyn TypeCatalog,
    _stack_id: &str,
) -> Vec<Change> {
    let live = Live::new(def, records);
    let mut out = Vec::new();
    for rdef in def.resources.iter().filter(|r| r.enabled) {
        let kind = match live.record(&rdef.name) {
            None => ChangeKind::Added,
            Some(record) => {
                let props = match &rdef.properties {
                    Some(p) => function::partial(p, &live)
                        .map(|e| e.to_json())
                        .unwrap_or(Json::Null),
                    None => Json::Object(JsonMap::new()),
                };
                decide(catalog, def, rdef, &record, &props)
            }
        };
        out.push(Change {
            name: rdef.name.clone(),
            type_name: rdef.type_name.clone(),
            kind,
        });
    }
    for r in records.iter().filter(|r| r.current) {
        if !def.resources.iter().any(|d| d.enabled && d.name == r.name) {
            out.push(Change {
                name: r.name.clone(),
                type_name: r.type_name.clone(),
                kind: ChangeKind::Deleted,
            });
        }
    }
    out
}

/// What each resource requires: its references and `depends_on`, plus the
/// implicit dependencies of its type unless they would make a cycle.
fn requirements(
    e: &Engine,
    def: &StackDefinition<'_>,
    nodes: &[String],
) -> HashMap<String, Vec<String>> {
    let mut all: HashMap<String, Vec<String>> = def
        .graph
        .names()
        .iter()
        .map(|n| (n.clone(), def.graph.requires(n)))
        .collect();
    let implicit = e.catalog.implicit_dependencies(def);
    if !implicit.is_empty() {
        let mut g = crate::graph::Graph::new(def.graph.names().iter().cloned());
        for (n, reqs) in &all {
            for r in reqs {
                g.add_edge(n, r);
            }
        }
        for (a, b) in &implicit {
            g.add_edge(a, b);
        }
        if g.levels().is_ok() {
            for (a, b) in implicit {
                if let Some(reqs) = all.get_mut(&a) {
                    if !reqs.contains(&b) {
                        reqs.push(b);
                        reqs.sort();
                    }
                }
            }
        }
    }
    all.retain(|n, _| nodes.contains(n));
    all
}

/// Builds the definition of a stack's current source.
fn definition<'t>(
    e: &Engine,
    stack: &StackRecord,
    template: &'t Template,
) -> Result<StackDefinition<'t>, String> {
    let inputs = e.inputs(stack, &stack.source).map_err(|e| e.to_string())?;
    let (def, errors) = StackDefinition::build(template, inputs, e.catalog.as_ref());
    if let Some(first) = errors.first() {
        return Err(first.to_string());
    }
    def.ok_or_else(|| "the template could not be read".to_string())
}

/// Converges the stack's records to its source; returns the outputs.
pub(super) async fn converge(
    e: &Engine,
    stack: &StackRecord,
    cancel: &AtomicBool,
) -> Result<JsonMap<String, Json>, String> {
    let template = Template::parse_with(&stack.source.template, e.config.max_template_size)
        .map_err(|e| e.to_string())?;
    let def = definition(e, stack, &template)?;
    let mut records = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?;
    repair_duplicates(e, &mut records).await?;
    let live = Live::new(&def, &records);
    let spares: Vec<ResourceRecord> = records
        .iter()
        .filter(|r| !r.current && r.status == Status::Complete && r.physical_id.is_some())
        .cloned()
        .collect();
    let nodes: Vec<String> = def
        .resources
        .iter()
        .filter(|r| r.enabled)
        .map(|r| r.name.clone())
        .collect();
    let requires = requirements(e, &def, &nodes);
    let outcome = traversal::run(&nodes, &requires, e.config.concurrency, cancel, |name| {
        let live = &live;
        let def = &def;
        let spares = &spares;
        async move { converge_one(e, stack, def, live, spares, &name).await }
    })
    .await;
    if let Some((_, message)) = outcome.failed {
        return Err(format!(
            "Resource {} failed: {message}",
            stack.action.name()
        ));
    }
    if outcome.cancelled {
        return Err(format!("Stack {} cancelled", stack.action.name()));
    }
    let records = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?;
    let enabled: BTreeSet<&str> = nodes.iter().map(String::as_str).collect();
    let obsolete: Vec<ResourceRecord> = records
        .into_iter()
        .filter(|r| !r.current || !enabled.contains(r.name.as_str()))
        .collect();
    delete_records(e, stack, obsolete, cancel).await?;
    Ok(outputs(&def, &live))
}

fn outputs(def: &StackDefinition<'_>, live: &Live<'_, '_>) -> JsonMap<String, Json> {
    let mut out = JsonMap::new();
    for o in &def.outputs {
        let mut entry = JsonMap::new();
        if let Some(d) = &o.description {
            entry.insert("description".into(), Json::String(d.clone()));
        }
        match o.value.as_ref().map(|v| function::resolve(v, live)) {
            None => {
                entry.insert("value".into(), Json::Null);
            }
            Some(Ok(v)) => {
                entry.insert("value".into(), v);
            }
            Some(Err(err)) => {
                entry.insert("value".into(), Json::Null);
                entry.insert("error".into(), Json::String(err.to_string()));
            }
        }
        out.insert(o.name.clone(), Json::Object(entry));
    }
    out
}

/// After a crash between flipping two records of a replacement, keeps the
/// newest current record of each name.
async fn repair_duplicates(e: &Engine, records: &mut [ResourceRecord]) -> Result<(), String> {
    let mut newest: HashMap<String, (f64, String)> = HashMap::new();
    for r in records.iter().filter(|r| r.current) {
        let entry = newest
            .entry(r.name.clone())
            .or_insert((r.updated_at, r.id.clone()));
        if r.updated_at > entry.0 {
            *entry = (r.updated_at, r.id.clone());
        }
    }
    for r in records.iter_mut().filter(|r| r.current) {
        if newest[&r.name].1 != r.id {
            r.current = false;
            e.store.put_resource(r).await.map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

async fn persist(
    e: &Engine,
    stack: &StackRecord,
    r: &mut ResourceRecord,
    action: Action,
    status: Status,
    reason: &str,
) -> Result<(), String> {
    r.action = action;
    r.status = status;
    r.reason = reason.to_string();
    r.updated_at = e.clock.now();
    e.store.put_resource(r).await.map_err(|e| e.to_string())?;
    e.event(stack, Some(r), reason)
        .await
        .map_err(|e| e.to_string())
}

async fn converge_one(
    e: &Engine,
    stack: &StackRecord,
    def: &StackDefinition<'_>,
    live: &Live<'_, '_>,
    spares: &[ResourceRecord],
    name: &str,
) -> Result<(), String> {
    let rdef = def
        .resources
        .iter()
        .find(|r| r.name == name)
        .expect("a node of the definition");
    let res_path = format!("{}.{name}", def.template.section_name("resources"));
    let props = match &rdef.properties {
        Some(p) => function::resolve(p, live).map_err(|err| format!("{}: {err}", res_path))?,
        None => Json::Object(JsonMap::new()),
    };
    let problems = e.catalog.check_properties(&rdef.type_name, &props);
    if let Some((path, message)) = problems.first() {
        let field = if def.template.dialect.is_hot() {
            "properties"
        } else {
            "Properties"
        };
        let sep = if path.is_empty() { "" } else { "." };
        return Err(format!(
            "Property error: {res_path}.{field}{sep}{path}: {message}"
        ));
    }
    let spec = ResourceSpec {
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        name: name.to_string(),
        type_name: rdef.type_name.clone(),
        properties: props.clone(),
    };
    let requires = requirements(e, def, &[name.to_string()])
        .remove(name)
        .unwrap_or_default();
    let policy = rdef
        .deletion_policy
        .clone()
        .unwrap_or_else(|| "Delete".into());
    let Some(current) = live.record(name) else {
        return create(e, stack, live, &spec, requires, policy, None).await;
    };
    // A create or update interrupted by a restart: pick it up.
    if current.status == Status::InProgress
        && matches!(current.action, Action::Create | Action::Init)
        && current.type_name == rdef.type_name
    {
        return resume_create(e, stack, live, &spec, current).await;
    }
    if current.action == Action::Delete && current.status == Status::Complete {
        return create(e, stack, live, &spec, requires, policy, None).await;
    }
    let mut decision = decide(e.catalog.as_ref(), def, rdef, &current, &props);
    // A nested stack or group whose properties change is updated in place.
    if let ChangeKind::Replaced { reason } = &decision {
        if current.type_name == rdef.type_name
            && current.status != Status::Failed
            && e.is_nested(stack, &rdef.type_name, name)
            && !reason.contains(" is ")
        {
            decision = ChangeKind::Updated {
                properties: vec![reason.clone()],
            };
        }
    }
    match decision {
        ChangeKind::Unchanged => {
            if current.requires != requires || current.deletion_policy != policy {
                let mut r = current;
                r.requires = requires;
                r.deletion_policy = policy;
                e.store.put_resource(&r).await.map_err(|e| e.to_string())?;
                live.set(r);
            }
            Ok(())
        }
        ChangeKind::Refused { reason } => Err(reason),
        ChangeKind::Updated { .. } => {
            let mut r = current.clone();
            r.requires = requires;
            r.deletion_policy = policy;
            persist(
                e,
                stack,
                &mut r,
                Action::Update,
                Status::InProgress,
                "state changed",
            )
            .await?;
            let pid = r.physical_id.clone().expect("decided on a live resource");
            match e
                .retry(|| e.backend_update(stack, &spec, &pid, &current.properties))
                .await
            {
                Ok(attrs) => {
                    r.properties = props;
                    r.attributes = attrs;
                    persist(
                        e,
                        stack,
                        &mut r,
                        Action::Update,
                        Status::Complete,
                        "state changed",
                    )
                    .await?;
                    live.set(r);
                    Ok(())
                }
                Err(err) => {
                    persist(
                        e,
                        stack,
                        &mut r,
                        Action::Update,
                        Status::Failed,
                        &err.message,
                    )
                    .await?;
                    live.set(r);
                    Err(format!("{}: {}", res_path, err.message))
                }
            }
        }
        ChangeKind::Replaced { .. } | ChangeKind::Added | ChangeKind::Deleted => {
            // A rollback puts back the resource an update replaced.
            if let Some(spare) = spares
                .iter()
                .find(|s| s.name == name && s.type_name == rdef.type_name && s.properties == props)
            {
                let mut back = spare.clone();
                back.current = true;
                back.updated_at = e.clock.now();
                e.store
                    .put_resource(&back)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut old = current;
                old.current = false;
                e.store
                    .put_resource(&old)
                    .await
                    .map_err(|e| e.to_string())?;
                live.set(back);
                return Ok(());
            }
            create(e, stack, live, &spec, requires, policy, Some(current)).await
        }
    }
}

/// Creates a resource (a new record, or a replacement of `replacing`).
async fn create(
    e: &Engine,
    stack: &StackRecord,
    live: &Live<'_, '_>,
    spec: &ResourceSpec,
    requires: Vec<String>,
    deletion_policy: String,
    replacing: Option<ResourceRecord>,
) -> Result<(), String> {
    let mut r = ResourceRecord {
        id: e.ids.next(),
        stack_id: stack.id.clone(),
        name: spec.name.clone(),
        type_name: spec.type_name.clone(),
        physical_id: None,
        action: Action::Create,
        status: Status::InProgress,
        reason: "state changed".into(),
        properties: spec.properties.clone(),
        attributes: JsonMap::new(),
        current: replacing.is_none(),
        requires,
        deletion_policy,
        updated_at: e.clock.now(),
    };
    persist(
        e,
        stack,
        &mut r,
        Action::Create,
        Status::InProgress,
        "state changed",
    )
    .await?;
    if r.current {
        live.set(r.clone());
    }
    finish_create(e, stack, live, spec, r, replacing).await
}

async fn resume_create(
    e: &Engine,
    stack: &StackRecord,
    live: &Live<'_, '_>,
    spec: &ResourceSpec,
    mut r: ResourceRecord,
) -> Result<(), String> {
    if r.physical_id.is_none() {
        if let Some(found) = e.backend_find(stack, &r.name, &r.type_name).await {
            r.physical_id = Some(found);
            e.store.put_resource(&r).await.map_err(|e| e.to_string())?;
        }
    }
    r.properties = spec.properties.clone();
    finish_create(e, stack, live, spec, r, None).await
}

async fn finish_create(
    e: &Engine,
    stack: &StackRecord,
    live: &Live<'_, '_>,
    spec: &ResourceSpec,
    mut r: ResourceRecord,
    replacing: Option<ResourceRecord>,
) -> Result<(), String> {
    let path = format!("resources.{}", spec.name);
    if r.physical_id.is_none() {
        match e.retry(|| e.backend_create(stack, spec)).await {
            Ok(id) => {
                r.physical_id = Some(id);
                r.updated_at = e.clock.now();
                e.store.put_resource(&r).await.map_err(|e| e.to_string())?;
            }
            Err(err) => return create_failed(e, stack, live, r, &path, &err.message).await,
        }
    }
    let pid = r.physical_id.clone().expect("set above");
    match e.retry(|| e.backend_wait(stack, spec, &pid)).await {
        Ok(attrs) => {
            r.attributes = attrs;
            r.current = true;
            persist(
                e,
                stack,
                &mut r,
                Action::Create,
                Status::Complete,
                "state changed",
            )
            .await?;
            if let Some(mut old) = replacing {
                old.current = false;
                e.store
                    .put_resource(&old)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            live.set(r);
            Ok(())
        }
        Err(err) => create_failed(e, stack, live, r, &path, &err.message).await,
    }
}

/// Records a failed create; the stack uses the failed record unless it was
/// a replacement.
async fn create_failed(
    e: &Engine,
    stack: &StackRecord,
    live: &Live<'_, '_>,
    mut r: ResourceRecord,
    path: &str,
    message: &str,
) -> Result<(), String> {
    persist(e, stack, &mut r, Action::Create, Status::Failed, message).await?;
    if r.current {
        live.set(r);
    }
    Err(format!("{path}: {message}"))
}

/// Deletes records in reverse dependency order (a resource before what it
/// requires), honouring deletion policies; removes them from the store.
async fn delete_records(
    e: &Engine,
    stack: &StackRecord,
    records: Vec<ResourceRecord>,
    cancel: &AtomicBool,
) -> Result<(), String> {
    if records.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let mut requires: HashMap<String, Vec<String>> = HashMap::new();
    for y in &records {
        let before: Vec<String> = records
            .iter()
            .filter(|x| x.id != y.id && x.requires.contains(&y.name))
            .map(|x| x.id.clone())
            .collect();
        requires.insert(y.id.clone(), before);
    }
    let by_id: HashMap<String, ResourceRecord> =
        records.into_iter().map(|r| (r.id.clone(), r)).collect();
    let outcome = traversal::run(&ids, &requires, e.config.concurrency, cancel, |id| {
        let r = by_id[&id].clone();
        async move { delete_one(e, stack, r).await }
    })
    .await;
    match outcome.failed {
        Some((_, message)) => Err(format!("Resource DELETE failed: {message}")),
        None if outcome.cancelled => Err("Stack DELETE cancelled".into()),
        None => Ok(()),
    }
}

async fn delete_one(e: &Engine, stack: &StackRecord, mut r: ResourceRecord) -> Result<(), String> {
    persist(
        e,
        stack,
        &mut r,
        Action::Delete,
        Status::InProgress,
        "state changed",
    )
    .await?;
    let mut physical = r.physical_id.clone();
    if physical.is_none() {
        // Created in the cloud but never recorded: find it by its tags.
        physical = e.backend_find(stack, &r.name, &r.type_name).await;
    }
    if let Some(pid) = physical {
        if r.deletion_policy == "Snapshot" {
            match e.retry(|| e.driver.snapshot(&r.type_name, &pid)).await {
                Ok(Some(snapshot)) => {
                    e.event(
                        stack,
                        Some(&r),
                        &format!("snapshot {snapshot} taken before deletion"),
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                }
                Ok(None) => {}
                Err(err) => {
                    persist(
                        e,
                        stack,
                        &mut r,
                        Action::Delete,
                        Status::Failed,
                        &err.message,
                    )
                    .await?;
                    return Err(format!("resources.{}: {}", r.name, err.message));
                }
            }
        }
        if r.deletion_policy != "Retain" {
            match e
                .retry(|| e.backend_delete(stack, &r.type_name, &r.name, &pid))
                .await
            {
                Ok(()) => {}
                Err(err) if err.kind == DriverErrorKind::NotFound => {}
                Err(err) => {
                    persist(
                        e,
                        stack,
                        &mut r,
                        Action::Delete,
                        Status::Failed,
                        &err.message,
                    )
                    .await?;
                    return Err(format!("resources.{}: {}", r.name, err.message));
                }
            }
        }
    }
    persist(
        e,
        stack,
        &mut r,
        Action::Delete,
        Status::Complete,
        "state changed",
    )
    .await?;
    e.store
        .remove_resource(&stack.id, &r.id)
        .await
        .map_err(|e| e.to_string())
}

/// Deletes every resource of a stack.
pub(super) async fn delete_all(
    e: &Engine,
    stack: &StackRecord,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let records = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?;
    delete_records(e, stack, records, cancel).await
}

/// Checks every live resource against the cloud; `Some(reason)` on failure.
pub(super) async fn check_all(
    e: &Engine,
    stack: &StackRecord,
) -> Result<Option<String>, super::EngineError> {
    let mut failure = None;
    for mut r in e
        .store
        .resources(&stack.id)
        .await?
        .into_iter()
        .filter(|r| r.current)
    {
        let Some(pid) = r.physical_id.clone() else {
            continue;
        };
        persist(
            e,
            stack,
            &mut r,
            Action::Check,
            Status::InProgress,
            "state changed",
        )
        .await
        .map_err(super::EngineError::Invalid)?;
        match e.driver.check(&r.type_name, &pid).await {
            Ok(attrs) => {
                r.attributes = attrs;
                persist(
                    e,
                    stack,
                    &mut r,
                    Action::Check,
                    Status::Complete,
                    "state changed",
                )
                .await
                .map_err(super::EngineError::Invalid)?;
            }
            Err(err) => {
                persist(
                    e,
                    stack,
                    &mut r,
                    Action::Check,
                    Status::Failed,
                    &err.message,
                )
                .await
                .map_err(super::EngineError::Invalid)?;
                failure.get_or_insert(format!(
                    "Resource CHECK failed: resources.{}: {}",
                    r.name, err.message
                ));
            }
        }
    }
    Ok(failure)
}

/// Suspends (reverse order) or resumes (dependency order) every resource.
pub(super) async fn suspend_resume_all(
    e: &Engine,
    stack: &StackRecord,
    action: Action,
) -> Result<Option<String>, super::EngineError> {
    let mut records: Vec<ResourceRecord> = e
        .store
        .resources(&stack.id)
        .await?
        .into_iter()
        .filter(|r| r.current)
        .collect();
    let order = topological(&records);
    records.sort_by_key(|r| order.get(&r.name).copied().unwrap_or(0));
    if action == Action::Suspend {
        records.reverse();
    }
    for mut r in records {
        let Some(pid) = r.physical_id.clone() else {
            continue;
        };
        persist(
            e,
            stack,
            &mut r,
            action,
            Status::InProgress,
            "state changed",
        )
        .await
        .map_err(super::EngineError::Invalid)?;
        let result = if action == Action::Suspend {
            e.driver.suspend(&r.type_name, &pid).await
        } else {
            e.driver.resume(&r.type_name, &pid).await
        };
        match result {
            Ok(()) => persist(e, stack, &mut r, action, Status::Complete, "state changed")
                .await
                .map_err(super::EngineError::Invalid)?,
            Err(err) => {
                persist(e, stack, &mut r, action, Status::Failed, &err.message)
                    .await
                    .map_err(super::EngineError::Invalid)?;
                return Ok(Some(format!(
                    "Resource {} failed: resources.{}: {}",
                    action.name(),
                    r.name,
                    err.message
                )));
            }
        }
    }
    Ok(None)
}

fn topological(records: &[ResourceRecord]) -> HashMap<String, usize> {
    let mut g = crate::graph::Graph::new(records.iter().map(|r| r.name.clone()));
    for r in records {
        for q in &r.requires {
            g.add_edge(&r.name, q);
        }
    }
    g.levels()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .flat_map(|(i, level)| level.into_iter().map(move |n| (n, i)))
        .collect()
}
