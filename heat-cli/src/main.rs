//! The `heat` command: glue between the command line and heat-core.

mod cli;
mod input;
mod output;
mod template_cmd;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    let code = match args.command {
        cli::Command::Template(cmd) => template_cmd::run(cmd),
    };
    std::process::exit(code);
}
