//! The `heat` command: glue between the command line and the libraries.

#[macro_use]
mod output;
mod backend;
mod cli;
mod cloud_cmd;
mod credentials_cmd;
mod files;
mod input;
mod progress;
mod remote;
mod resource_cmd;
mod stack_cmd;
mod stack_event_cmd;
mod stack_resource_cmd;
mod template_cmd;
mod views;

use clap::{CommandFactory, Parser};

fn main() {
    let args = cli::Cli::parse();
    let code = match args.command {
        cli::Command::Template(cmd) => template_cmd::run(cmd),
        cli::Command::Resource(cmd) => resource_cmd::run(cmd),
        cli::Command::Cloud(cmd) => {
            if args.url.is_some()
                || args.os_cloud.is_some()
                || std::env::var_os("OS_CLOUD").is_some()
            {
                eprintln!("error: `heat cloud` works on the embedded simulated cloud of a local state file (no --url, --os-cloud or OS_CLOUD)");
                std::process::exit(2);
            }
            let state = args
                .state
                .clone()
                .unwrap_or_else(heat_server::builder::default_state);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(cloud_cmd::run(&state, cmd))
        }
        cli::Command::Ec2Credentials(cmd) => {
            if args.url.is_some() {
                eprintln!("error: ec2-credentials work on the state file of the server's machine (--state), not through --url");
                std::process::exit(2);
            }
            let state = args
                .state
                .unwrap_or_else(heat_server::builder::default_state);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(credentials_cmd::run(&state, cmd))
        }
        cli::Command::Stack(cmd) => {
            if let Some(cloud) = &args.os_cloud {
                std::env::set_var("OS_CLOUD", cloud);
            }
            let target = match &args.url {
                Some(url) => match remote::RemoteBackend::new(url, args.os_token.clone()) {
                    Ok(r) => stack_cmd::Target::Remote(r),
                    Err(m) => {
                        eprintln!("error: {m}");
                        std::process::exit(2);
                    }
                },
                None => stack_cmd::Target::Local(
                    args.state
                        .unwrap_or_else(heat_server::builder::default_state),
                ),
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_stack_size(heat_core::engine::WORKER_STACK_SIZE)
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(stack_cmd::run(target, cmd))
        }
        cli::Command::Completion { shell } => {
            clap_complete::generate(
                shell,
                &mut cli::Cli::command(),
                "heat",
                &mut std::io::stdout(),
            );
            0
        }
        cli::Command::Man => {
            let man = clap_mangen::Man::new(cli::Cli::command());
            man.render(&mut std::io::stdout()).map(|_| 0).unwrap_or(1)
        }
    };
    std::process::exit(code);
}
