//! `heat stack ...` in local mode: the engine, the state file and the
//! simulated cloud in this process. A command that finds a stack left in
//! progress by an interrupted `heat` resumes it first.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use heat_core::definition::StackDefinition;
use heat_core::engine::{EngineConfig, EngineError, StackOptions, StackRecord, StateStore, Status};
use heat_resources::sim::SimConfig;
use heat_server::local::{self, Local};
use serde_json::{json, Value as Json};

use crate::cli::{
    EventCommand, Format, OutputCommand, StackCommand, StackFlags, StackResourceCommand,
    StackTemplateCommand,
};
use crate::input::{load_parts, InputError};
use crate::output::{fail, print_list, print_record, report};
use crate::{progress, views};

fn options(flags: &StackFlags) -> StackOptions {
    StackOptions {
        disable_rollback: if flags.enable_rollback {
            Some(false)
        } else if flags.disable_rollback {
            Some(true)
        } else {
            None
        },
        timeout_mins: flags.timeout,
        tags: flags.tags.clone(),
        ..StackOptions::default()
    }
}

async fn open(
    state: &Path,
    observed: bool,
) -> Result<
    (
        Local,
        Option<tokio::sync::mpsc::UnboundedReceiver<heat_core::engine::Event>>,
    ),
    String,
> {
    let mut rx = None;
    let real = real_cloud()?;
    let l = local::open_on(
        state,
        SimConfig::default(),
        real.as_ref().map(|(name, cloud)| local::RealCloud {
            name: name.clone(),
            cloud: cloud.clone(),
        }),
        EngineConfig::default(),
        |s| {
            if observed {
                let (store, r) = progress::observe(s);
                rx = Some(r);
                store
            } else {
                s
            }
        },
    )
    .await
    .map_err(|e| format!("cannot open the state file {}: {e}", state.display()))?;
    // Authenticated once the state file is known to be on this cloud:
    // refused credentials stop the command before any stack is touched.
    if let Some((_, cloud)) = &real {
        cloud
            .session()
            .token(false)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok((l, rx))
}

/// The OpenStack cloud the environment configures, if any, with the name
/// its state files record.
fn real_cloud() -> Result<Option<(String, std::sync::Arc<heat_openstack::OpenStackCloud>)>, String>
{
    use std::sync::Arc;
    let Some(config) = heat_openstack::CloudConfig::from_env().map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let name = format!("openstack:{}", config.name);
    let clock: Arc<dyn heat_core::engine::Clock> = Arc::new(heat_server::SystemClock);
    let session = heat_openstack::Session::new(config, clock.clone()).map_err(|e| e.to_string())?;
    Ok(Some((
        name,
        Arc::new(heat_openstack::OpenStackCloud::new(session, clock)),
    )))
}

fn engine_error(e: EngineError, file: Option<&str>, as_json: bool) -> i32 {
    match e {
        EngineError::Template(errors) => report(file.unwrap_or("template"), &errors, as_json),
        EngineError::NotFound(_) => fail("not_found", &e.to_string(), as_json),
        EngineError::InProgress(..) => fail("conflict", &e.to_string(), as_json),
        other => fail("engine", &other.to_string(), as_json),
    }
}

fn input_error(e: InputError, as_json: bool) -> i32 {
    report(&e.file, &[e.error], as_json)
}

/// Runs an operation with progress; prints the stack; non-zero when it failed.
async fn operate<F, Fut>(
    l: Local,
    rx: Option<tokio::sync::mpsc::UnboundedReceiver<heat_core::engine::Event>>,
    total: usize,
    out: &crate::cli::Output,
    file: Option<&str>,
    op: F,
) -> i32
where
    F: FnOnce(Local) -> Fut,
    Fut: std::future::Future<Output = (Local, Result<StackRecord, EngineError>)>,
{
    let printer = rx.map(|rx| tokio::spawn(progress::show(rx, total, "OS::Heat::Stack")));
    let (l, result) = op(l).await;
    drop(l);
    if let Some(p) = printer {
        let _ = p.await;
    }
    let as_json = out.format == Format::Json;
    match result {
        Err(e) => engine_error(e, file, as_json),
        Ok(stack) => {
            print_record(&views::stack(&stack), out);
            if stack.status == Status::Failed || stack.action == heat_core::engine::Action::Rollback
            {
                eprintln!(
                    "error: stack {} is {}: {}",
                    stack.name,
                    stack.status_text(),
                    stack.reason
                );
                1
            } else {
                0
            }
        }
    }
}

async fn recover(l: &Local) {
    match l.engine.recover().await {
        Ok(resumed) => {
            for s in resumed {
                eprintln!(
                    "resumed stack {} left in progress: now {}",
                    s.name,
                    s.status_text()
                );
            }
        }
        Err(e) => eprintln!("warning: could not resume interrupted stacks: {e}"),
    }
}

/// Runs a stack command; returns the exit status.
pub async fn run(state: PathBuf, cmd: StackCommand) -> i32 {
    match cmd {
        StackCommand::Create { name, input, options: flags, dry_run, out } => {
            let as_json = out.format == Format::Json;
            let loaded = match load_parts(&input.template, &input.environment, &input.parameter, &input.parameter_file) {
                Ok(l) => l,
                Err(e) => return input_error(e, as_json),
            };
            let file = input.template.display().to_string();
            let (def, errors) = StackDefinition::build(&loaded.template, loaded.inputs.clone(), &heat_resources::Catalog);
            if !errors.is_empty() {
                return report(&file, &errors, as_json);
            }
            let def = def.expect("no errors");
            if dry_run {
                let levels = def.levels().unwrap_or_default();
                let rows: Vec<Json> = levels
                    .iter()
                    .enumerate()
                    .flat_map(|(i, level)| {
                        let def = &def;
                        level.iter().map(move |n| {
                            let t = def.resources.iter().find(|r| &r.name == n).map(|r| r.type_name.clone()).unwrap_or_default();
                            json!({"resource_name": n, "resource_type": t, "change": "added", "level": i + 1})
                        })
                    })
                    .collect();
                print_list(&rows, &["resource_name", "resource_type", "change", "level"], &out);
                return 0;
            }
            let total = def.resources.iter().filter(|r| r.enabled).count();
            let (l, rx) = match open(&state, true).await {
                Ok(x) => x,
                Err(m) => return fail("state", &m, as_json),
            };
            recover(&l).await;
            let source = loaded.source;
            let opts = options(&flags);
            operate(l, rx, total, &out, Some(&file), |l| async move {
                let r = l.engine.create_stack(&name, source, opts).await;
                (l, r)
            })
            .await
        }
        StackCommand::Update { name, input, options: flags, existing, clear_parameter, dry_run, out } => {
            let as_json = out.format == Format::Json;
            let (l, rx) = match open(&state, !dry_run).await {
                Ok(x) => x,
                Err(m) => return fail("state", &m, as_json),
            };
            if !dry_run {
                recover(&l).await;
            }
            let Ok(Some(current)) = l.store.stack(&name).await else {
                return fail("not_found", &format!("The Stack ({name}) could not be found."), as_json);
            };
            let source = match &input.template {
                Some(t) => match load_parts(t, &input.environment, &input.parameter, &input.parameter_file) {
                    Ok(loaded) => Some(loaded.source),
                    Err(e) => return input_error(e, as_json),
                },
                None if existing => {
                    let mut s = current.source.clone();
                    s.template = String::new();
                    s.parameters = input
                        .parameter
                        .iter()
                        .filter_map(|p| p.split_once('=').map(|(k, v)| (k.to_string(), Json::String(v.to_string()))))
                        .collect();
                    Some(s)
                }
                None => return fail("usage", "a template is required (-t FILE), or --existing to reuse the stack's", as_json),
            };
            let mut opts = options(&flags);
            opts.existing = existing;
            opts.clear_parameters = clear_parameter;
            if dry_run {
                let mut target = source.clone().unwrap_or_else(|| current.source.clone());
                if existing {
                    if target.template.is_empty() {
                        target.template = current.source.template.clone();
                    }
                    let mut p = current.source.parameters.clone();
                    p.extend(target.parameters.clone());
                    target.parameters = p;
                    for c in &opts.clear_parameters {
                        target.parameters.remove(c);
                    }
                }
                return match l.engine.preview_update(&name, target).await {
                    Ok(changes) => {
                        let rows: Vec<Json> = changes.iter().map(|c| serde_json::to_value(c).expect("serialisable")).collect();
                        print_list(&rows, &["name", "type_name", "change", "reason", "properties"], &out);
                        0
                    }
                    Err(e) => engine_error(e, input.template.as_deref().and_then(Path::to_str), as_json),
                };
            }
            let total = l.store.resources(&current.id).await.map(|r| r.len()).unwrap_or(0).max(1);
            let file = input.template.as_deref().and_then(Path::to_str).map(String::from);
            operate(l, rx, total, &out, file.as_deref(), |l| async move {
                let r = l.engine.update_stack(&name, source, opts).await;
                (l, r)
            })
            .await
        }
        StackCommand::Delete { names, yes, .. } => {
            if !yes && std::io::stdin().is_terminal() {
                eprint!("Are you sure you want to delete {}? [y/N] ", names.join(", "));
                let mut answer = String::new();
                let _ = std::io::stdin().read_line(&mut answer);
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    eprintln!("not deleted");
                    return 1;
                }
            }
            let mut code = 0;
            for name in names {
                let (l, rx) = match open(&state, true).await {
                    Ok(x) => x,
                    Err(m) => return fail("state", &m, false),
                };
                recover(&l).await;
                let total = match l.store.stack(&name).await {
                    Ok(Some(s)) => l.store.resources(&s.id).await.map(|r| r.len()).unwrap_or(0),
                    _ => 0,
                };
                let printer = rx.map(|rx| tokio::spawn(progress::show(rx, total, "OS::Heat::Stack")));
                let result = l.engine.delete_stack(&name).await;
                drop(l);
                if let Some(p) = printer {
                    let _ = p.await;
                }
                match result {
                    Ok(s) if s.status == Status::Complete => {}
                    Ok(s) => {
                        eprintln!("error: stack {name} is {}: {}", s.status_text(), s.reason);
                        code = 1;
                    }
                    Err(e) => code = engine_error(e, None, false),
                }
            }
            code
        }
        StackCommand::List { out } => {
            let (l, _) = match open(&state, false).await {
                Ok(x) => x,
                Err(m) => return fail("state", &m, out.format == Format::Json),
            };
            let stacks = l.store.stacks().await.unwrap_or_default();
            let rows: Vec<Json> = stacks.iter().filter(|s| s.parent.is_none()).map(views::stack_row).collect();
            print_list(&rows, &["ID", "Stack Name", "Project", "Stack Status", "Creation Time", "Updated Time"], &out);
            0
        }
        StackCommand::Show { name, out } => with_stack(&state, &name, out.format == Format::Json, |s, _| {
            print_record(&views::stack(&s), &out);
            0
        })
        .await,
        StackCommand::Output(OutputCommand::List { name, out }) => with_stack(&state, &name, out.format == Format::Json, |s, _| {
            let rows: Vec<Json> = views::outputs(&s).as_array().cloned().unwrap_or_default();
            print_list(&rows, &["output_key", "description"], &out);
            0
        })
        .await,
        StackCommand::Output(OutputCommand::Show { name, key, all, out }) => with_stack(&state, &name, out.format == Format::Json, |s, _| {
            let outputs = views::outputs(&s).as_array().cloned().unwrap_or_default();
            if all || key.is_none() {
                let mut o = serde_json::Map::new();
                for v in &outputs {
                    o.insert(v["output_key"].as_str().unwrap_or_default().to_string(), v.clone());
                }
                print_record(&Json::Object(o), &out);
                return 0;
            }
            let key = key.expect("checked");
            match outputs.iter().find(|o| o["output_key"] == key.as_str()) {
                Some(o) => {
                    print_record(o, &out);
                    0
                }
                None => fail("not_found", &format!("Specified output key {key} not found."), out.format == Format::Json),
            }
        })
        .await,
        StackCommand::Resource(StackResourceCommand::List { name, out, nested_depth }) => {
            let (l, _) = match open(&state, false).await {
                Ok(x) => x,
                Err(m) => return fail("state", &m, out.format == Format::Json),
            };
            let Ok(Some(s)) = l.store.stack(&name).await else {
                return fail("not_found", &format!("The Stack ({name}) could not be found."), out.format == Format::Json);
            };
            let mut rows: Vec<Json> = Vec::new();
            let mut todo = vec![(s.id.clone(), s.name.clone(), 0u32)];
            while let Some((id, stack_name, depth)) = todo.pop() {
                for r in l.store.resources(&id).await.unwrap_or_default().iter().filter(|r| r.current) {
                    let mut row = views::resource_row(r);
                    if nested_depth > 0 {
                        row["stack_name"] = json!(stack_name);
                    }
                    rows.push(row);
                    if depth < nested_depth {
                        if let Some(pid) = &r.physical_id {
                            if let Ok(Some(child)) = l.store.stack(pid).await {
                                todo.push((child.id, child.name, depth + 1));
                            }
                        }
                    }
                }
            }
            let mut columns = vec!["resource_name", "physical_resource_id", "resource_type", "resource_status", "updated_time"];
            if nested_depth > 0 {
                columns.push("stack_name");
            }
            print_list(&rows, &columns, &out);
            0
        }
        StackCommand::Resource(StackResourceCommand::Show { name, resource, out }) => {
            let (l, _) = match open(&state, false).await {
                Ok(x) => x,
                Err(m) => return fail("state", &m, out.format == Format::Json),
            };
            let Ok(Some(s)) = l.store.stack(&name).await else {
                return fail("not_found", &format!("The Stack ({name}) could not be found."), out.format == Format::Json);
            };
            let records = l.store.resources(&s.id).await.unwrap_or_default();
            match records.iter().find(|r| r.current && r.name == resource) {
                Some(r) => {
                    let mut v = views::resource(r);
                    v["required_by"] = json!(records.iter().filter(|x| x.current && x.requires.contains(&r.name)).map(|x| x.name.clone()).collect::<Vec<_>>());
                    print_record(&v, &out);
                    0
                }
                None => fail("not_found", &format!("The Resource ({resource}) could not be found in Stack {name}."), out.format == Format::Json),
            }
        }
        StackCommand::Resource(StackResourceCommand::Signal { name, resource, data }) => {
            let data: Json = match data.as_deref().map(serde_json::from_str) {
                None => json!({}),
                Some(Ok(v)) => v,
                Some(Err(e)) => return fail("usage", &format!("--data is not JSON: {e}"), false),
            };
            let (l, _) = match open(&state, false).await {
                Ok(x) => x,
                Err(m) => return fail("state", &m, false),
            };
            match l.engine.signal(&name, &resource, data).await {
                Ok(()) => 0,
                Err(e) => engine_error(e, None, false),
            }
        }
        StackCommand::Event(EventCommand::List { name, follow, out }) => events(&state, &name, follow, &out).await,
        StackCommand::Template(StackTemplateCommand::Show { name }) => with_stack(&state, &name, false, |s, _| {
            out!("{}", s.source.template);
            if !s.source.template.ends_with('\n') {
                outln!();
            }
            0
        })
        .await,
        StackCommand::Cancel { name, .. } => with_stack(&state, &name, false, |s, _| {
            if s.status != Status::InProgress {
                return fail("invalid", &format!("Stack {} is not in progress ({}); nothing to cancel", s.name, s.status_text()), false);
            }
            fail(
                "invalid",
                &format!("Stack {} is being changed by another heat process; interrupt that process (Ctrl-C) and the next heat command resumes the stack", s.name),
                false,
            )
        })
        .await,
        StackCommand::Check { name, out } => simple(&state, &name, out, Op::Check).await,
        StackCommand::Suspend { name, out } => simple(&state, &name, out, Op::Suspend).await,
        StackCommand::Resume { name, out } => simple(&state, &name, out, Op::Resume).await,
    }
}

enum Op {
    Check,
    Suspend,
    Resume,
}

async fn simple(state: &Path, name: &str, out: crate::cli::Output, op: Op) -> i32 {
    let (l, rx) = match open(state, true).await {
        Ok(x) => x,
        Err(m) => return fail("state", &m, out.format == Format::Json),
    };
    recover(&l).await;
    let name = name.to_string();
    operate(l, rx, 0, &out, None, |l| async move {
        let r = match op {
            Op::Check => l.engine.check_stack(&name).await,
            Op::Suspend => {
                l.engine
                    .suspend_resume(&name, heat_core::engine::Action::Suspend)
                    .await
            }
            Op::Resume => {
                l.engine
                    .suspend_resume(&name, heat_core::engine::Action::Resume)
                    .await
            }
        };
        (l, r)
    })
    .await
}

async fn with_stack(
    state: &Path,
    name: &str,
    as_json: bool,
    f: impl FnOnce(StackRecord, &Local) -> i32,
) -> i32 {
    let (l, _) = match open(state, false).await {
        Ok(x) => x,
        Err(m) => return fail("state", &m, as_json),
    };
    match l.store.stack(name).await {
        Ok(Some(s)) => f(s, &l),
        Ok(None) => fail(
            "not_found",
            &format!("The Stack ({name}) could not be found."),
            as_json,
        ),
        Err(e) => fail("state", &e.to_string(), as_json),
    }
}

async fn events(state: &Path, name: &str, follow: bool, out: &crate::cli::Output) -> i32 {
    let (l, _) = match open(state, false).await {
        Ok(x) => x,
        Err(m) => return fail("state", &m, out.format == Format::Json),
    };
    let Ok(Some(s)) = l.store.stack(name).await else {
        return fail(
            "not_found",
            &format!("The Stack ({name}) could not be found."),
            out.format == Format::Json,
        );
    };
    let events = l.store.events(&s.id).await.unwrap_or_default();
    if !follow {
        let rows: Vec<Json> = events.iter().map(views::event_row).collect();
        print_list(
            &rows,
            &[
                "resource_name",
                "id",
                "resource_status",
                "resource_status_reason",
                "event_time",
            ],
            out,
        );
        return 0;
    }
    let mut seen = 0;
    loop {
        let events = l.store.events(&s.id).await.unwrap_or_default();
        for e in &events[seen.min(events.len())..] {
            outln!("{}", progress::event_line(e));
        }
        seen = events.len();
        match l.store.stack(&s.id).await {
            Ok(Some(now)) if now.status == Status::InProgress => {}
            _ => return 0,
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// The default state file: `$XDG_DATA_HOME/heat-rs/state.sqlite`, or under
/// `~/.local/share`.
pub fn default_state() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("heat-rs").join("state.sqlite")
}
