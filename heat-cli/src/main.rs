//! The `heat` command: glue between the command line and the libraries.

#[macro_use]
mod output;
mod cli;
mod input;
mod progress;
mod resource_cmd;
mod stack_cmd;
mod template_cmd;
mod views;

use clap::{CommandFactory, Parser};

fn main() {
    let args = cli::Cli::parse();
    if args.url.is_some() && matches!(args.command, cli::Command::Stack(_)) {
        eprintln!("error: --url (HEAT_URL): talking to a heat-rs server is not available yet; unset it to work locally");
        std::process::exit(2);
    }
    let code = match args.command {
        cli::Command::Template(cmd) => template_cmd::run(cmd),
        cli::Command::Resource(cmd) => resource_cmd::run(cmd),
        cli::Command::Stack(cmd) => {
            if let Some(cloud) = &args.os_cloud {
                std::env::set_var("OS_CLOUD", cloud);
            }
            let state = args
                .state
                .unwrap_or_else(heat_server::builder::default_state);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(stack_cmd::run(state, cmd))
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
