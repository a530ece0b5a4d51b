//! Converging a stack's records to a definition, resource by resource:
//! create, update in place, replace (new before old), or leave; then the
//! cleanup of replaced and removed resources in reverse dependency order.
//! Every record change is persisted before the driver is called.
//!
//! `decide` says what happens to a resource, `create` makes (or resumes
//! making) one, `delete` removes records, `actions` runs check, suspend
//! and resume over a stack.

mod actions;
mod create;
mod decide;
mod delete;

pub(super) use actions::{check_all, suspend_resume_all};
pub use decide::{preview, Change, ChangeKind};
pub(super) use delete::delete_all;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;

use serde_json::{Map as JsonMap, Value as Json};

use super::cancel::Cancel;
use super::driver::ResourceSpec;
use super::hooks::When;
use super::lifecycle::Op;
use super::live::Live;
use super::model::{Action, ResourceRecord, StackRecord, Status};
use super::store::Write;
use super::{traversal, Engine};
use crate::definition::StackDefinition;
use crate::function;
use crate::template::Template;

/// What each resource requires: its references and `depends_on`, plus the
/// implicit dependencies of its type unless they would make a cycle.
/// Computed once per convergence.
fn requirements(e: &Engine, def: &StackDefinition<'_>) -> HashMap<String, Vec<String>> {
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
    all
}

/// As Heat's server plugin (`needs_replace_failed`): a server whose create
/// or update failed is replaced by the next update only when the cloud
/// says it is broken (ERROR, deleted, gone); one still ACTIVE is updated
/// in place instead. A resource marked unhealthy (CHECK_FAILED) is always
/// replaced, as in Heat.
async fn healthy_despite_failure(e: &Engine, record: ResourceRecord) -> ResourceRecord {
    const SERVERS: [&str; 2] = ["OS::Nova::Server", "AWS::EC2::Instance"];
    let failed_op =
        record.status == Status::Failed && matches!(record.action, Action::Create | Action::Update);
    let Some(pid) = record.physical_id.clone().filter(|_| failed_op) else {
        return record;
    };
    if !SERVERS.contains(&record.type_name.as_str()) {
        return record;
    }
    match e.driver.check(&record.type_name, &pid).await {
        Ok(attrs) => {
            let status = attrs
                .get("status")
                .and_then(Json::as_str)
                .unwrap_or("ACTIVE")
                .to_ascii_uppercase();
            if ["ERROR", "DELETED", "SOFT_DELETED"].contains(&status.as_str()) {
                record
            } else {
                ResourceRecord {
                    status: Status::Complete,
                    ..record
                }
            }
        }
        Err(_) => record,
    }
}

/// Builds the definition of a stack's current source.
fn definition<'t>(
    e: &Engine,
    stack: &StackRecord,
    template: &'t Template,
) -> Result<StackDefinition<'t>, String> {
    e.checked(stack, &stack.source, template)
        .map_err(|err| match err {
            super::EngineError::Template(errors) => errors
                .first()
                .map(|x| x.to_string())
                .unwrap_or_else(|| "the template could not be read".into()),
            other => other.to_string(),
        })
}

/// What one convergence works with: the definition, the live records, the
/// requirements and the replaced records a rollback may put back.
struct Work<'a, 'd, 't> {
    e: &'a Engine,
    op: &'a Op,
    stack: &'a StackRecord,
    def: &'d StackDefinition<'t>,
    live: &'a Live<'d, 't>,
    requires: &'a HashMap<String, Vec<String>>,
    spares: &'a [ResourceRecord],
}

/// Converges the stack's records to its source (or to `def`, already built
/// from it); returns the outputs. `phase` is the operation's token: the
/// traversal hangs its own below it.
pub(super) async fn converge(
    e: &Engine,
    op: &Op,
    phase: &Cancel,
    stack: &StackRecord,
    def: Option<&StackDefinition<'_>>,
) -> Result<JsonMap<String, Json>, String> {
    let template;
    let built;
    let def = match def {
        Some(d) => d,
        None => {
            template = Template::parse_with(&stack.source.template, e.config.max_template_size)
                .map_err(|e| e.to_string())?;
            e.project_exports(&stack.project)
                .await
                .map_err(|e| e.to_string())?;
            built = definition(e, stack, &template)?;
            &built
        }
    };
    let mut records = e
        .store
        .resources(&stack.id)
        .await
        .map_err(|e| e.to_string())?;
    repair_duplicates(e, op, &mut records).await?;
    let live = Live::new(def, &records);
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
    let requires = requirements(e, def);
    let work = Work {
        e,
        op,
        stack,
        def,
        live: &live,
        requires: &requires,
        spares: &spares,
    };
    let cancel = phase.child();
    // Each resource's convergence is boxed where it starts: it is a large
    // future (a nested stack's is inside it), and built in place it would
    // take that much of the stack again at every level of a nested tree.
    let outcome = traversal::run(&nodes, &requires, e.config.concurrency, &cancel, |name| {
        Box::pin(converge_one(&work, &cancel, name))
    })
    .await;
    if let Some((_, message)) = outcome.failed {
        return Err(format!(
            "Resource {} failed: {message}",
            stack.action.name()
        ));
    }
    if outcome.cancelled.is_some() {
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
    delete::delete_records(e, op, &cancel, stack, obsolete).await?;
    Ok(outputs(def, &live))
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
        if let Some(Ok(name)) = o.export.as_ref().map(|e| function::resolve(e, live)) {
            entry.insert(
                "export".into(),
                Json::String(function::python::str_of(&name)),
            );
        }
        out.insert(o.name.clone(), Json::Object(entry));
    }
    out
}

/// After a crash between flipping two records of a replacement, keeps the
/// newest current record of each name.
async fn repair_duplicates(
    e: &Engine,
    op: &Op,
    records: &mut [ResourceRecord],
) -> Result<(), String> {
    let mut newest: HashMap<String, (f64, String)> = HashMap::new();
    for r in records.iter().filter(|r| r.current) {
        let entry = newest
            .entry(r.name.clone())
            .or_insert((r.updated_at, r.id.clone()));
        if r.updated_at > entry.0 {
            *entry = (r.updated_at, r.id.clone());
        }
    }
    let mut writes = Vec::new();
    for r in records.iter_mut().filter(|r| r.current) {
        if newest[&r.name].1 != r.id {
            r.current = false;
            writes.push(Write::PutResource(r.clone()));
        }
    }
    if writes.is_empty() {
        return Ok(());
    }
    e.write_op(op, writes).await.map_err(|e| e.to_string())
}

/// Stores a record without an event.
async fn save(e: &Engine, op: &Op, r: &ResourceRecord) -> Result<(), String> {
    e.write_op(op, vec![Write::PutResource(r.clone())])
        .await
        .map_err(|e| e.to_string())
}

/// Where a resource's problems are reported (`resources.web`).
fn res_path(def: &StackDefinition<'_>, name: &str) -> String {
    format!("{}.{name}", def.template.section_name("resources"))
}

/// A resource action's future, on the heap. Each is large (a nested
/// stack's convergence is inside it); built in its caller's frame, every
/// level of a nested tree would hold that much stack again (the 2 MiB of a
/// worker thread ran out three levels down in a debug build).
type Job<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

async fn converge_one(w: &Work<'_, '_, '_>, cancel: &Cancel, name: String) -> Result<(), String> {
    let name = name.as_str();
    let (e, op, stack, def, live) = (w.e, w.op, w.stack, w.def, w.live);
    let rdef = def
        .resources
        .iter()
        .find(|r| r.name == name)
        .expect("a node of the definition");
    let res_path = res_path(def, name);
    let props = match &rdef.properties {
        Some(p) => function::resolve(p, live).map_err(|err| format!("{}: {err}", res_path))?,
        None => Json::Object(JsonMap::new()),
    };
    let props = e
        .catalog
        .translate(&rdef.type_name, &props)
        .map_err(|m| format!("{res_path}.properties: {m}"))?;
    // An external resource's properties are not checked (it is taken over
    // as it is, its existence checked instead).
    let problems = match rdef.external_id {
        Some(_) => Vec::new(),
        None => e.catalog.check_properties(&rdef.type_name, &props),
    };
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
    let metadata = match &rdef.metadata {
        Some(m) => function::resolve(m, live).map_err(|err| format!("{res_path}: {err}"))?,
        None => Json::Null,
    };
    let update_policy = match &rdef.update_policy {
        Some(u) => function::resolve(u, live).map_err(|err| format!("{res_path}: {err}"))?,
        None => Json::Null,
    };
    // An external resource is never deleted with the stack.
    let policy = match (&rdef.external_id, &rdef.deletion_policy) {
        (Some(_), _) => "Retain".to_string(),
        (None, Some(p)) => p.clone(),
        (None, None) => "Delete".into(),
    };
    let spec = ResourceSpec {
        project: stack.project.clone(),
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        name: name.to_string(),
        type_name: rdef.type_name.clone(),
        properties: props.clone(),
        metadata: metadata.clone(),
        update_policy,
        deletion_policy: policy.clone(),
    };
    let requires = w.requires.get(name).cloned().unwrap_or_default();
    let make = create::Make {
        e,
        op,
        cancel,
        stack,
        live,
        spec: &spec,
        external: rdef.external_id.as_deref(),
    };
    let Some(current) = live.record(name) else {
        let create = make.create_job(requires, policy, None);
        let state = (Action::Init, Status::Complete);
        return hooked(w, cancel, rdef, Action::Create, state, create).await;
    };
    // A create interrupted by a restart: pick it up.
    if current.status == Status::InProgress
        && matches!(current.action, Action::Create | Action::Init)
        && current.type_name == rdef.type_name
    {
        return make.resume_job(current).await;
    }
    if current.action == Action::Delete && current.status == Status::Complete {
        let create = make.create_job(requires, policy, None);
        let state = (Action::Init, Status::Complete);
        return hooked(w, cancel, rdef, Action::Create, state, create).await;
    }
    let current = healthy_despite_failure(e, current).await;
    let state = (current.action, current.status);
    let decision = decide::decide(e.catalog.as_ref(), def, rdef, &current, &props);
    match decision {
        ChangeKind::Unchanged => {
            if current.requires != requires
                || current.deletion_policy != policy
                || current.metadata != metadata
            {
                let mut r = current;
                r.requires = requires;
                r.deletion_policy = policy;
                r.metadata = metadata;
                save(e, op, &r).await?;
                live.set(r);
            }
            Ok(())
        }
        ChangeKind::Refused { reason } => Err(reason),
        ChangeKind::Updated { .. } => {
            let update = update_job(w, cancel, &spec, current, requires, policy, props, metadata);
            hooked(w, cancel, rdef, Action::Update, state, update).await
        }
        ChangeKind::Replaced { .. } | ChangeKind::Added | ChangeKind::Deleted => {
            // A rollback puts back the resource an update replaced.
            if let Some(spare) = w
                .spares
                .iter()
                .find(|s| s.name == name && s.type_name == rdef.type_name && s.properties == props)
            {
                let mut back = spare.clone();
                back.current = true;
                back.updated_at = e.clock.now();
                let mut old = current;
                old.current = false;
                e.write_op(
                    op,
                    vec![Write::PutResource(back.clone()), Write::PutResource(old)],
                )
                .await
                .map_err(|e| e.to_string())?;
                live.set(back);
                return Ok(());
            }
            let replace = make.create_job(requires, policy, Some(current));
            hooked(w, cancel, rdef, Action::Update, state, replace).await
        }
    }
}

/// Runs a resource's action between the environment's hooks: a `pre-`
/// hook pauses before it, a `post-` hook after.
async fn hooked(
    w: &Work<'_, '_, '_>,
    cancel: &Cancel,
    rdef: &crate::definition::ResourceDef,
    action: Action,
    state: (Action, Status),
    work: Job<'_>,
) -> Result<(), String> {
    let (e, op, stack) = (w.e, w.op, w.stack);
    let (name, t) = (rdef.name.as_str(), rdef.type_name.as_str());
    e.hook_pause(op, cancel, stack, name, t, When::Pre, action, state)
        .await?;
    work.await?;
    let done = (action, Status::Complete);
    e.hook_pause(op, cancel, stack, name, t, When::Post, action, done)
        .await
}

/// [`update_in_place`] as a [`Job`].
#[allow(clippy::too_many_arguments)]
fn update_job<'a>(
    w: &'a Work<'_, '_, '_>,
    cancel: &'a Cancel,
    spec: &'a ResourceSpec,
    current: ResourceRecord,
    requires: Vec<String>,
    policy: String,
    props: Json,
    metadata: Json,
) -> Job<'a> {
    Box::pin(update_in_place(
        w, cancel, spec, current, requires, policy, props, metadata,
    ))
}

/// Updates a resource in place (its record first, then the cloud).
#[allow(clippy::too_many_arguments)]
async fn update_in_place(
    w: &Work<'_, '_, '_>,
    cancel: &Cancel,
    spec: &ResourceSpec,
    current: ResourceRecord,
    requires: Vec<String>,
    policy: String,
    props: Json,
    metadata: Json,
) -> Result<(), String> {
    let (e, op, stack, live) = (w.e, w.op, w.stack, w.live);
    let res_path = res_path(w.def, &spec.name);
    {
        {
            let mut r = current.clone();
            r.requires = requires;
            r.deletion_policy = policy;
            e.persist(
                op,
                stack,
                &mut r,
                Action::Update,
                Status::InProgress,
                "state changed",
            )
            .await?;
            let pid = r.physical_id.clone().expect("decided on a live resource");
            match e
                .retry(cancel, || {
                    e.backend_update(op, cancel, stack, spec, &pid, &current.properties)
                })
                .await
            {
                Ok(mut attrs) => {
                    if let Some(Json::String(moved)) = attrs.remove(crate::engine::PHYSICAL_ID) {
                        r.physical_id = Some(moved);
                    }
                    r.properties = props;
                    r.metadata = metadata;
                    r.attributes = attrs;
                    e.persist(
                        op,
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
                    e.persist(
                        op,
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
    }
}
