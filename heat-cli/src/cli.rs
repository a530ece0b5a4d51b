//! The command line, as clap sees it. Verbs follow `openstack stack ...`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// heat-rs: OpenStack Heat templates, validated, planned and run.
#[derive(Debug, Parser)]
#[command(name = "heat", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with templates without creating anything.
    #[command(subcommand)]
    Template(TemplateCommand),
}

/// `heat template ...`.
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Validate a template as Heat's template-validate API does.
    Validate {
        /// The template and its inputs.
        #[command(flatten)]
        input: TemplateInput,
        /// Output format.
        #[arg(short = 'f', long = "format", value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print the dependency graph and the creation levels.
    Graph {
        /// The template and its inputs.
        #[command(flatten)]
        input: TemplateInput,
        /// Output format.
        #[arg(short = 'f', long = "format", value_enum, default_value_t = GraphFormat::Json)]
        format: GraphFormat,
    },
}

/// A template, its environment files and parameter values.
#[derive(Debug, Args)]
pub struct TemplateInput {
    /// The template file (HOT or CloudFormation, YAML or JSON).
    #[arg(short = 't', long = "template")]
    pub template: PathBuf,
    /// Environment files, merged in order.
    #[arg(short = 'e', long = "environment")]
    pub environment: Vec<PathBuf>,
    /// Parameter values, KEY=VALUE (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
}

/// Output formats of show and validate commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// Output formats of `template graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// `{"resources": ..., "levels": ...}`.
    Json,
    /// Graphviz dot.
    Dot,
    /// An SVG picture.
    Svg,
}
