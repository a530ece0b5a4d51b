//! `heat stack ...`, written once over a [`Backend`]: in local mode the
//! stack service on the state file, with the engine and the cloud in this
//! process (an operation is accepted, then followed, its events shown,
//! until it ends: this process drives it; a command that names a stack
//! whose operation was abandoned by a `heat` that stopped takes it over
//! first; no command touches a stack it does not name); with `--url`, or a
//! cloud whose catalog's orchestration service is heat-rs, a server.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use heat_core::definition::StackDefinition;
use heat_core::engine::{
    Action, EngineConfig, StackOptions, StackRecord, Status, STACK_EVENT_TYPE,
};
use heat_core::service::{ResourceQuery, ServiceError, SortDir, StackQuery, UpdateRequest};
use heat_resources::sim::SimConfig;
use heat_server::builder;
use serde_json::{json, Value as Json};

use crate::backend::{Backend, LocalBackend};
use crate::cli::{
    EventCommand, Format, OutputCommand, StackCommand, StackFlags, StackTemplateCommand,
};
use crate::input::{load_parts, read_parts, InputError};
use crate::output::{fail, print_list, print_record, report};
use crate::remote::RemoteBackend;
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
        tags: (!flags.tags.is_empty()).then(|| flags.tags.clone()),
    }
}

/// The engine's settings; `HEAT_LEASE_SECONDS` sets how long a stack stays
/// held by a `heat` that stopped before another may take it over.
fn engine_config() -> EngineConfig {
    let mut config = EngineConfig::default();
    if let Some(secs) = std::env::var("HEAT_LEASE_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
    {
        config.lease = Duration::from_secs_f64(secs);
        config.poll = config.poll.min(config.lease / 2);
    }
    config
}

/// The simulated cloud's settings; `HEAT_SIM_LATENCY_SECONDS` makes every
/// object take that long to become ready (demos, tests).
fn sim_config() -> SimConfig {
    match std::env::var("HEAT_SIM_LATENCY_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s >= 0.0)
    {
        Some(secs) => SimConfig::with_latency(Duration::from_secs_f64(secs)),
        None => SimConfig::default(),
    }
}

/// Where the verbs go: this process on a state file, or a server.
pub enum Target {
    /// The state file.
    Local(PathBuf),
    /// A server (`--url`).
    Remote(RemoteBackend),
}

/// A session: the backend the verbs call.
pub(crate) struct Session {
    pub(crate) backend: Box<dyn Backend>,
}

pub(crate) async fn open(target: &Target) -> Result<Session, String> {
    let state = match target {
        Target::Remote(remote) => {
            return Ok(Session {
                backend: Box::new(remote.clone()),
            })
        }
        Target::Local(state) => state,
    };
    let real = builder::openstack_from_env()?;
    // A cloud whose catalog has heat-rs: that server, with no state file
    // here. A state file that exists is checked first: it may belong to
    // another cloud, which is refused before any cloud is contacted.
    let fresh = !state.exists();
    if let (Some((_, cloud)), true) = (&real, fresh) {
        if let Some(remote) = RemoteBackend::from_catalog(cloud.session()).await? {
            return Ok(Session {
                backend: Box::new(remote),
            });
        }
    }
    let local = builder::open_on(
        state,
        sim_config(),
        real.as_ref().map(|(name, cloud)| builder::RealCloud {
            name: name.clone(),
            cloud: cloud.clone(),
        }),
        engine_config(),
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
        if !fresh {
            if let Some(remote) = RemoteBackend::from_catalog(cloud.session()).await? {
                return Ok(Session {
                    backend: Box::new(remote),
                });
            }
        }
    }
    Ok(Session {
        backend: Box::new(LocalBackend::new(local)),
    })
}

/// Prints a refusal; the exit status.
pub(crate) fn refused(e: ServiceError, as_json: bool) -> i32 {
    match e {
        ServiceError::Invalid { file, errors } => report(&file, &errors, as_json),
        ServiceError::StackNotFound(_)
        | ServiceError::ResourceNotFound { .. }
        | ServiceError::SnapshotNotFound(_)
        | ServiceError::NotFound(_) => fail("not_found", &e.to_string(), as_json),
        ServiceError::InProgress(..) | ServiceError::Exists(_) => {
            fail("conflict", &e.to_string(), as_json)
        }
        ServiceError::BadRequest(_) | ServiceError::Forbidden(_) => {
            fail("invalid", &e.to_string(), as_json)
        }
        ServiceError::Store(_) => fail("state", &e.to_string(), as_json),
    }
}

fn input_error(e: InputError, as_json: bool) -> i32 {
    report(&e.file, &[e.error], as_json)
}

impl Session {
    /// Follows an accepted operation until it ends, showing its events;
    /// prints the stack (unless deleted); non-zero when it failed.
    async fn follow(
        &mut self,
        accepted: &StackRecord,
        total: usize,
        out: Option<&crate::cli::Output>,
    ) -> i32 {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let events = self.backend.progress(accepted);
        let printer = tokio::spawn(progress::show(events, total, STACK_EVENT_TYPE, stopped));
        let result = self.backend.wait(&accepted.id).await;
        let _ = stop.send(());
        let _ = printer.await;
        self.backend.followed();
        let as_json = out.is_some_and(|o| o.format == Format::Json);
        match result {
            Err(e) => refused(e, as_json),
            Ok(None) => 0,
            Ok(Some(stack)) if stack.is_deleted() => {
                if accepted.action == Action::Delete {
                    0
                } else {
                    eprintln!(
                        "error: stack {} was deleted while its {} ran",
                        accepted.name,
                        accepted.action.name()
                    );
                    1
                }
            }
            Ok(Some(stack)) => {
                if let Some(out) = out {
                    print_record(&views::stack(&stack), out);
                }
                if stack.status == Status::Failed || stack.action == Action::Rollback {
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

    /// Takes over the named stack if its operation was abandoned, and
    /// finishes that operation first.
    pub(crate) async fn resume_abandoned(&mut self, name: &str) -> Result<(), i32> {
        match self.backend.resume_abandoned(name).await {
            Ok(Some(taken)) => {
                eprintln!(
                    "stack {} was left {} by a heat that stopped: resuming it",
                    taken.name,
                    taken.status_text()
                );
                self.follow(&taken, 0, None).await;
                Ok(())
            }
            Ok(None) | Err(ServiceError::StackNotFound(_)) => Ok(()),
            Err(e) => Err(refused(e, false)),
        }
    }
}

/// A note for a stack left in progress by a process that stopped.
fn note_abandoned(s: &StackRecord) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    if s.in_progress() && !s.leased_at(now) {
        eprintln!(
            "note: stack {} was left {} by a heat that stopped; the next command that changes it resumes it",
            s.name,
            s.status_text()
        );
    }
}

fn stack_query(
    nested: bool,
    tags: Vec<String>,
    tag_mode: Option<&str>,
    property: &[String],
    sort: &[String],
    limit: Option<usize>,
    marker: Option<String>,
) -> Result<StackQuery, String> {
    let mut q = StackQuery {
        show_nested: nested,
        limit,
        marker,
        ..StackQuery::default()
    };
    match tag_mode {
        None | Some("all") => q.tags = tags,
        Some("any") => q.tags_any = tags,
        Some("not") => q.not_tags = tags,
        Some("not-any") => q.not_tags_any = tags,
        Some(other) => return Err(format!("--tag-mode {other}: expected any, not or not-any")),
    }
    for p in property {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("--property {p}: expected KEY=VALUE"))?;
        let list = match k {
            "name" => &mut q.name,
            "status" => &mut q.status,
            "action" => &mut q.action,
            "id" => &mut q.id,
            _ => {
                return Err(format!(
                    "--property {k}: filters are name, status, action and id"
                ))
            }
        };
        list.push(v.to_string());
    }
    for s in sort {
        let (key, dir) = s.split_once(':').unwrap_or((s, "desc"));
        q.sort_keys.push(key.to_string());
        q.sort_dir = match dir {
            "asc" => SortDir::Asc,
            "desc" => SortDir::Desc,
            other => {
                return Err(format!(
                    "--sort {s}: direction {other}: expected asc or desc"
                ))
            }
        };
    }
    Ok(q)
}

/// Runs a stack command; returns the exit status.
pub async fn run(state: Target, cmd: StackCommand) -> i32 {
    match cmd {
        StackCommand::Create {
            name,
            input,
            options: flags,
            dry_run,
            out,
        } => {
            let as_json = out.format == Format::Json;
            if dry_run {
                return create_dry_run(&input, &out);
            }
            let read = match read_parts(
                Some(&input.template),
                &input.environment,
                &input.parameter,
                &input.parameter_file,
            ) {
                Ok(r) => r,
                Err(e) => return input_error(e, as_json),
            };
            let mut s = match open(&state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, as_json),
            };
            match s.backend.create(&name, &read.parts, options(&flags)).await {
                Ok(accepted) => s.follow(&accepted, read.resources, Some(&out)).await,
                Err(e) => refused(e, as_json),
            }
        }
        StackCommand::Update {
            name,
            input,
            options: flags,
            existing,
            clear_parameter,
            dry_run,
            show_nested,
            out,
        } => {
            let as_json = out.format == Format::Json;
            if input.template.is_none() && !existing {
                return fail(
                    "usage",
                    "a template is required (-t FILE), or --existing to reuse the stack's",
                    as_json,
                );
            }
            let read = match read_parts(
                input.template.as_deref(),
                &input.environment,
                &input.parameter,
                &input.parameter_file,
            ) {
                Ok(r) => r,
                Err(e) => return input_error(e, as_json),
            };
            let mut s = match open(&state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, as_json),
            };
            let request = UpdateRequest {
                parts: read.parts,
                existing,
                clear_parameters: clear_parameter,
                options: options(&flags),
            };
            if dry_run {
                return match s.backend.preview_update(&name, &request, show_nested).await {
                    Ok(changes) => {
                        let rows: Vec<Json> = changes
                            .iter()
                            .map(|c| serde_json::to_value(c).expect("serialisable"))
                            .collect();
                        print_list(
                            &rows,
                            &[
                                "name",
                                "type_name",
                                "change",
                                "reason",
                                "properties",
                                "stack",
                            ],
                            &out,
                        );
                        0
                    }
                    Err(e) => refused(e, as_json),
                };
            }
            if let Err(code) = s.resume_abandoned(&name).await {
                return code;
            }
            let total = match s.backend.resources(&name, &ResourceQuery::default()).await {
                Ok(r) => r.len().max(read.resources),
                Err(e) => return refused(e, as_json),
            };
            match s.backend.update(&name, &request).await {
                Ok(accepted) => s.follow(&accepted, total, Some(&out)).await,
                Err(e) => refused(e, as_json),
            }
        }
        StackCommand::Delete { names, yes, .. } => {
            if !yes && std::io::stdin().is_terminal() {
                eprint!(
                    "Are you sure you want to delete {}? [y/N] ",
                    names.join(", ")
                );
                let mut answer = String::new();
                let _ = std::io::stdin().read_line(&mut answer);
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    eprintln!("not deleted");
                    return 1;
                }
            }
            let mut s = match open(&state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, false),
            };
            let mut code = 0;
            for name in names {
                let total = s
                    .backend
                    .resources(&name, &ResourceQuery::default())
                    .await
                    .map(|r| r.len())
                    .unwrap_or(0);
                let result = match s.backend.delete(&name).await {
                    Ok(accepted) => {
                        if accepted.in_progress() && accepted.action != Action::Delete {
                            eprintln!(
                                "stack {name} is {}: cancelling it, then deleting",
                                accepted.status_text()
                            );
                        }
                        let deleting = StackRecord {
                            action: Action::Delete,
                            ..accepted
                        };
                        s.follow(&deleting, total, None).await
                    }
                    Err(e) => refused(e, false),
                };
                code = code.max(result);
            }
            code
        }
        StackCommand::List {
            nested,
            tags,
            tag_mode,
            property,
            sort,
            limit,
            marker,
            out,
        } => {
            let as_json = out.format == Format::Json;
            let query = match stack_query(
                nested,
                tags,
                tag_mode.as_deref(),
                &property,
                &sort,
                limit,
                marker,
            ) {
                Ok(q) => q,
                Err(m) => return fail("usage", &m, as_json),
            };
            let s = match open(&state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, as_json),
            };
            match s.backend.list(&query).await {
                Ok(stacks) => {
                    let rows: Vec<Json> = stacks.iter().map(views::stack_row).collect();
                    print_list(
                        &rows,
                        &[
                            "ID",
                            "Stack Name",
                            "Project",
                            "Stack Status",
                            "Creation Time",
                            "Updated Time",
                        ],
                        &out,
                    );
                    0
                }
                Err(e) => refused(e, as_json),
            }
        }
        StackCommand::Show { name, out } => {
            with_stack(&state, &name, out.format == Format::Json, |s| {
                note_abandoned(&s);
                print_record(&views::stack(&s), &out);
                0
            })
            .await
        }
        StackCommand::Output(OutputCommand::List { name, out }) => {
            with_stack(&state, &name, out.format == Format::Json, |s| {
                let rows: Vec<Json> = views::outputs(&s).as_array().cloned().unwrap_or_default();
                print_list(&rows, &["output_key", "description"], &out);
                0
            })
            .await
        }
        StackCommand::Output(OutputCommand::Show {
            name,
            key,
            all,
            out,
        }) => {
            with_stack(&state, &name, out.format == Format::Json, |s| {
                let outputs = views::outputs(&s).as_array().cloned().unwrap_or_default();
                if all || key.is_none() {
                    let mut o = serde_json::Map::new();
                    for v in &outputs {
                        o.insert(
                            v["output_key"].as_str().unwrap_or_default().to_string(),
                            v.clone(),
                        );
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
                    None => fail(
                        "not_found",
                        &format!("Specified output key {key} not found."),
                        out.format == Format::Json,
                    ),
                }
            })
            .await
        }
        StackCommand::Resource(cmd) => crate::stack_resource_cmd::run(&state, cmd).await,
        StackCommand::Event(EventCommand::List { name, follow, out }) => {
            crate::stack_event_cmd::events(&state, &name, follow, &out).await
        }
        StackCommand::Hook(cmd) => crate::stack_event_cmd::hook(&state, cmd).await,
        StackCommand::Template(StackTemplateCommand::Show { name }) => {
            let s = match open(&state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, false),
            };
            let text = match s.backend.show(&name).await {
                Ok(stack) => s.backend.template(&stack).await,
                Err(e) => Err(e),
            };
            match text {
                Ok(text) => {
                    out!("{text}");
                    if !text.ends_with('\n') {
                        outln!();
                    }
                    0
                }
                Err(e) => refused(e, false),
            }
        }
        StackCommand::Cancel { name, no_rollback } => {
            let mut s = match open(&state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, false),
            };
            if let Err(e) = s.backend.cancel_update(&name, !no_rollback).await {
                return refused(e, false);
            }
            eprintln!("cancel of the update of stack {name} requested");
            // The update's heat acts on it; if that heat stopped, this one
            // takes the stack over and carries the cancel out.
            match s.resume_abandoned(&name).await {
                Ok(()) => 0,
                Err(code) => code,
            }
        }
        StackCommand::Check { name, out } => simple(&state, &name, out, Action::Check).await,
        StackCommand::Suspend { name, out } => simple(&state, &name, out, Action::Suspend).await,
        StackCommand::Resume { name, out } => simple(&state, &name, out, Action::Resume).await,
    }
}

/// `stack create --dry-run`: every resource with its creation level.
fn create_dry_run(input: &crate::cli::TemplateInput, out: &crate::cli::Output) -> i32 {
    let as_json = out.format == Format::Json;
    let loaded = match load_parts(
        &input.template,
        &input.environment,
        &input.parameter,
        &input.parameter_file,
    ) {
        Ok(l) => l,
        Err(e) => return input_error(e, as_json),
    };
    let file = input.template.display().to_string();
    let (def, errors) =
        StackDefinition::build(&loaded.template, loaded.inputs, &heat_resources::Catalog);
    if !errors.is_empty() {
        return report(&file, &errors, as_json);
    }
    let def = def.expect("no errors");
    let levels = def.levels().unwrap_or_default();
    let rows: Vec<Json> = levels
        .iter()
        .enumerate()
        .flat_map(|(i, level)| {
            let def = &def;
            level.iter().map(move |n| {
                let t = def
                    .resources
                    .iter()
                    .find(|r| &r.name == n)
                    .map(|r| r.type_name.clone())
                    .unwrap_or_default();
                json!({"resource_name": n, "resource_type": t, "change": "added", "level": i + 1})
            })
        })
        .collect();
    print_list(
        &rows,
        &["resource_name", "resource_type", "change", "level"],
        out,
    );
    0
}

async fn simple(state: &Target, name: &str, out: crate::cli::Output, action: Action) -> i32 {
    let as_json = out.format == Format::Json;
    let mut s = match open(state).await {
        Ok(s) => s,
        Err(m) => return fail("state", &m, as_json),
    };
    if let Err(code) = s.resume_abandoned(name).await {
        return code;
    }
    let service = &s.backend;
    let accepted = match action {
        Action::Check => service.check(name).await,
        Action::Suspend => service.suspend(name).await,
        _ => service.resume(name).await,
    };
    match accepted {
        Ok(accepted) => s.follow(&accepted, 0, Some(&out)).await,
        Err(e) => refused(e, as_json),
    }
}

async fn with_stack(
    state: &Target,
    name: &str,
    as_json: bool,
    f: impl FnOnce(StackRecord) -> i32,
) -> i32 {
    let s = match open(state).await {
        Ok(s) => s,
        Err(m) => return fail("state", &m, as_json),
    };
    match s.backend.show(name).await {
        Ok(stack) => f(stack),
        Err(e) => refused(e, as_json),
    }
}
