//! Running the server: flags and the TOML configuration, tracing, the
//! state (a SQLite file, or a PostgreSQL database several servers share)
//! and the cloud (simulated by default, OpenStack with
//! `--os-cloud`), authentication, the native API on its address, stacks
//! abandoned by a dead server taken over, and a graceful shutdown that
//! leaves running operations to their leases (another server, or this one
//! restarted, takes them over once they expire).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use heat_resources::sim::SimConfig;

use crate::api::{self, keystone::Keystone, ApiState, Auth};
use crate::builder::{self, RealCloud};
use crate::config::Config;
use crate::SystemClock;
use crate::{cfn, cloudwatch};

/// heat-server: Heat's native REST API v1 over heat-rs.
#[derive(Debug, Parser)]
#[command(name = "heat-server", version)]
pub struct Args {
    /// The SQLite state file (default: the one `heat` uses).
    #[arg(long, env = "HEAT_STATE")]
    pub state: Option<PathBuf>,
    /// A PostgreSQL database (`postgres://user:password@host:port/db`) that
    /// several heat-server processes share, instead of a state file.
    #[arg(long, env = "HEAT_DATABASE")]
    pub database: Option<String>,
    /// The native API's address.
    #[arg(long)]
    pub bind: Option<String>,
    /// The CloudFormation Query API's address (`""`: not served).
    #[arg(long)]
    pub cfn_bind: Option<String>,
    /// The CloudWatch API's address (`""`: not served).
    #[arg(long)]
    pub cloudwatch_bind: Option<String>,
    /// `noauth` (the URL's project) or `keystone` (tokens validated).
    #[arg(long)]
    pub auth: Option<String>,
    /// Run stacks on this OpenStack cloud of clouds.yaml (else `OS_*`
    /// variables, else the simulated cloud).
    #[arg(long)]
    pub os_cloud: Option<String>,
    /// A TOML file of settings (see the `config` module).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Runs the server until interrupted.
pub fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(heat_core::engine::WORKER_STACK_SIZE)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => Config::read(path).map_err(anyhow::Error::msg)?,
        None => Config::default(),
    };
    if let Some(b) = args.bind {
        config.server.bind = b;
    }
    if let Some(b) = args.cfn_bind {
        config.server.cfn_bind = b;
    }
    if let Some(b) = args.cloudwatch_bind {
        config.server.cloudwatch_bind = b;
    }
    if let Some(a) = args.auth {
        config.server.auth = a;
    }
    if let Some(s) = args.state {
        config.state.path = Some(s);
        config.state.database = None;
    }
    if let Some(d) = args.database {
        config.state.database = Some(d);
    }
    if let Some(cloud) = &args.os_cloud {
        std::env::set_var("OS_CLOUD", cloud);
    }
    let state = config.state.database();
    let real = builder::openstack_from_env()
        .map_err(anyhow::Error::msg)?
        .map(|(name, cloud)| RealCloud {
            name,
            cloud: cloud as Arc<dyn heat_resources::Cloud>,
        });
    let on = real
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_else(|| "the simulated cloud".into());
    let cfn_listener = match config.server.cfn_bind.as_str() {
        "" => None,
        bind => Some(
            tokio::net::TcpListener::bind(bind)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?,
        ),
    };
    let cw_listener = match config.server.cloudwatch_bind.as_str() {
        "" => None,
        bind => Some(
            tokio::net::TcpListener::bind(bind)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?,
        ),
    };
    // Where guests reach the Query API: as configured, else where it listens.
    let cfn_url = match (&config.server.cfn_public_url, &cfn_listener) {
        (Some(url), _) => url.clone(),
        (None, Some(l)) => format!("http://{}", l.local_addr()?),
        (None, None) => builder::DEFAULT_CFN_URL.to_string(),
    };
    let sim = SimConfig {
        guest: config.server.simulated_guest,
        answer_latency: std::time::Duration::from_secs_f64(
            config.server.simulated_answer_secs.clamp(0.0, 3600.0),
        ),
        ..SimConfig::with_latency(std::time::Duration::from_secs_f64(
            config.server.simulated_latency_secs.clamp(0.0, 3600.0),
        ))
    };
    let local = builder::open_database(&state, sim, real, config.engine(), &cfn_url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the state {state}: {e}"))?;
    let mut cfn_auth = cfn::CfnAuth::NoAuth {
        project: config.server.noauth_project.clone(),
    };
    let auth = match config.server.auth.as_str() {
        "noauth" => Auth::NoAuth,
        "keystone" => {
            let name = config.keystone.cloud.clone().ok_or_else(|| {
                anyhow::anyhow!("auth = \"keystone\" needs [keystone] cloud = \"<clouds.yaml entry of the server's credentials>\"")
            })?;
            let cloud =
                heat_openstack::CloudConfig::named(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let clock = Arc::new(SystemClock::new());
            let session = heat_openstack::Session::new(cloud, clock.clone())
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            session
                .token(false)
                .await
                .map_err(|e| anyhow::anyhow!("the server's Keystone credentials: {}", e.message))?;
            let ec2 = heat_openstack::Session::new(
                heat_openstack::CloudConfig::named(&name).map_err(|e| anyhow::anyhow!("{e}"))?,
                clock.clone(),
            )
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            cfn_auth = cfn::CfnAuth::Verified {
                keystone: Some(Box::new(Keystone::new(ec2, clock.clone()))),
            };
            Auth::Keystone(Box::new(Keystone::new(session, clock)))
        }
        other => anyhow::bail!("--auth {other}: expected noauth or keystone"),
    };
    match config.server.cfn_auth.as_deref() {
        None => {}
        Some("noauth") => {
            cfn_auth = cfn::CfnAuth::NoAuth {
                project: config.server.noauth_project.clone(),
            }
        }
        Some("verified") => {
            if matches!(cfn_auth, cfn::CfnAuth::NoAuth { .. }) {
                cfn_auth = cfn::CfnAuth::Verified { keystone: None };
            }
        }
        Some(other) => anyhow::bail!("cfn_auth = {other:?}: expected \"noauth\" or \"verified\""),
    }
    let engine = local.engine.clone();
    let api_state = Arc::new(ApiState::new(local.service.clone(), auth, config.limits()));
    let listener = tokio::net::TcpListener::bind(&config.server.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.server.bind))?;
    let addr = listener.local_addr()?;
    // Written, not printed: a closed stdout (a supervisor that read the
    // first line and went) must not stop the server.
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "heat-server: native API (orchestration v1) at http://{addr}/v1/<project>"
        );
        if let Some(l) = &cfn_listener {
            if let Ok(a) = l.local_addr() {
                let _ = writeln!(
                    out,
                    "heat-server: CloudFormation Query API at http://{a}/v1/"
                );
            }
        }
        if let Some(l) = &cw_listener {
            if let Ok(a) = l.local_addr() {
                let _ = writeln!(out, "heat-server: CloudWatch API at http://{a}/v1/");
            }
        }
        let _ = writeln!(
            out,
            "heat-server: state {}, stacks on {on}, auth {}",
            state, config.server.auth
        );
        let _ = out.flush();
    }
    tracing::info!(%addr, "serving");
    // Servers that fail behind their stacks' backs are healed.
    let watching = (config.server.health_check_secs > 0.0).then(|| {
        crate::health::watch(
            engine.clone(),
            config.health(),
            std::time::Duration::from_secs_f64(config.server.health_check_secs),
        )
    });
    // Stacks whose server died are taken over once their leases expire.
    let takeover = tokio::spawn(async move {
        let every = engine.config().lease;
        loop {
            match engine.resume_all_abandoned().await {
                Ok(taken) => {
                    for s in taken {
                        tracing::info!(stack = %s.name, id = %s.id, "took over an abandoned stack");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "scan for abandoned stacks failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let cfn_state = Arc::new(cfn::CfnState {
        api: api_state.clone(),
        auth: cfn_auth,
        guest: local.guest.clone(),
    });
    let cfn_server = cfn_listener.map(|l| {
        let state = cfn_state.clone();
        let rx = stop_rx.clone();
        tokio::spawn(async move {
            axum::serve(l, cfn::app(state))
                .with_graceful_shutdown(stopped(rx))
                .await
        })
    });
    // CloudWatch: its API, and the alarm evaluator (alarms of stacks act
    // even when the API is not served).
    let cw_state = Arc::new(cloudwatch::CloudWatchState::new(
        cfn_state,
        config.server.metric_retention_secs,
    ));
    // The simulated guests' cfn-push-stats report to it.
    local.agent.report_to(cw_state.clone());
    local.agent.resume();
    let evaluator = cloudwatch::Evaluator::new(
        cw_state.clone(),
        std::time::Duration::from_secs_f64(config.server.alarm_evaluation_secs.max(0.1)),
    );
    match evaluator.load().await {
        Ok(n) if n > 0 => tracing::info!(alarms = n, "alarms restored"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "the stored alarms could not be read"),
    }
    let evaluating = tokio::spawn(evaluator.run());
    let cw_server = cw_listener.map(|l| {
        let rx = stop_rx.clone();
        tokio::spawn(async move {
            axum::serve(l, cloudwatch::app(cw_state))
                .with_graceful_shutdown(stopped(rx))
                .await
        })
    });
    let native = tokio::spawn(async move {
        axum::serve(listener, api::app(api_state))
            .with_graceful_shutdown(stopped(stop_rx))
            .await
    });
    shutdown().await;
    let _ = stop_tx.send(true);
    native.await??;
    if let Some(c) = cfn_server {
        c.await??;
    }
    if let Some(c) = cw_server {
        c.await??;
    }
    evaluating.abort();
    takeover.abort();
    if let Some(w) = watching {
        w.abort();
    }
    tracing::info!("stopped; running operations are left to their leases");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
