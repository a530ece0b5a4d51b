//! The command line, as clap sees it. Verbs follow `openstack stack ...`
//! so an OpenStack user's habits carry over.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// heat-rs: OpenStack Heat templates, validated, planned and run.
///
/// By default `heat` works locally: stacks live in a SQLite file in your
/// data directory and resources are created on the embedded simulated
/// cloud, so every template runs end to end with no OpenStack at hand.
#[derive(Debug, Parser)]
#[command(name = "heat", version, about, long_about)]
pub struct Cli {
    /// The local state file (stacks, resources, events, the simulated cloud).
    #[arg(long, global = true, env = "HEAT_STATE", value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// An OpenStack cloud of clouds.yaml to create resources on (default:
    /// OS_CLOUD, or OS_AUTH_URL and the other OS_* variables; without them,
    /// the embedded simulated cloud).
    #[arg(long, global = true, value_name = "NAME")]
    pub os_cloud: Option<String>,
    /// A heat-rs server (or Heat) to talk to instead of running locally:
    /// its orchestration endpoint, `http://HOST:8004/v1/<project>`.
    #[arg(long, global = true, env = "HEAT_URL", value_name = "URL")]
    pub url: Option<String>,
    /// A Keystone token for the server of `--url` (without one, the
    /// server must run without authentication).
    #[arg(
        long,
        global = true,
        env = "OS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub os_token: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, update, show and delete stacks.
    #[command(subcommand)]
    Stack(StackCommand),
    /// Work with templates without creating anything.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Resource types.
    #[command(subcommand)]
    Resource(ResourceCommand),
    /// The embedded simulated cloud: what it offers templates.
    #[command(subcommand)]
    Cloud(CloudCommand),
    /// EC2-style access keys of projects, for the CloudFormation and
    /// CloudWatch APIs of a heat-server on this state file that verifies
    /// signatures (`cfn_auth = "verified"`), as `openstack ec2 credentials`.
    #[command(subcommand, name = "ec2-credentials")]
    Ec2Credentials(Ec2Command),
    /// Print shell completions.
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page.
    Man,
}

/// `heat cloud ...`.
#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Add an image, a key pair or a flavor to the simulated cloud, as an
    /// operator would, so that templates naming it run there (kept in the
    /// state file).
    #[command(subcommand)]
    Provide(ProvideCommand),
    /// The images, key pairs, flavors and networks the simulated cloud
    /// offers.
    List {
        #[command(flatten)]
        output: Output,
    },
}

/// `heat cloud provide ...`.
#[derive(Debug, Subcommand)]
pub enum ProvideCommand {
    /// An image (active).
    Image {
        /// Its name, as templates give it (`F17-x86_64-cfntools`).
        name: String,
    },
    /// A key pair.
    Keypair {
        /// Its name.
        name: String,
        /// Its public key (default: a made-up one).
        #[arg(long)]
        public_key: Option<String>,
    },
    /// A flavor.
    Flavor {
        /// Its name.
        name: String,
        /// Virtual CPUs.
        #[arg(long, default_value_t = 1)]
        vcpus: u32,
        /// Memory, MiB.
        #[arg(long, default_value_t = 2048)]
        ram: u32,
        /// Disk, GiB.
        #[arg(long, default_value_t = 20)]
        disk: u32,
    },
}

/// `heat ec2-credentials ...`.
#[derive(Debug, Subcommand)]
pub enum Ec2Command {
    /// Make a key: its access key id and secret (shown once; the secret is
    /// derived from the state file's server key and never stored).
    Create {
        /// The project it works in.
        #[arg(long, default_value = "project")]
        project: String,
        /// The user it acts as.
        #[arg(long, default_value = "local")]
        user: String,
        /// Only reads (the `reader` role), else changes too (`member`).
        #[arg(long)]
        reader: bool,
        #[command(flatten)]
        output: Output,
    },
    /// List the keys (never their secrets).
    List {
        /// Only this project's.
        #[arg(long)]
        project: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// Delete a key: requests signed with it are refused from then on.
    Delete {
        /// The access key id.
        access: String,
    },
}

/// `heat resource ...`.
#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Resource types.
    #[command(subcommand)]
    Type(ResourceTypeCommand),
}

/// `heat resource type ...`.
#[derive(Debug, Subcommand)]
pub enum ResourceTypeCommand {
    /// List the resource types.
    List {
        /// Only types containing this text (`name=OS::Nova` also works).
        #[arg(long)]
        filter: Option<String>,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Show a type's schema, or a template using it.
    Show {
        /// The type.
        type_name: String,
        /// Print a template using the type instead of its schema.
        #[arg(long, value_enum)]
        template_type: Option<TemplateType>,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
}

/// Template dialects for `resource type show --template-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateType {
    /// HOT.
    Hot,
    /// CloudFormation.
    Cfn,
}

/// `heat stack ...`.
#[derive(Debug, Subcommand)]
pub enum StackCommand {
    /// Create a stack and wait until it is complete.
    Create {
        /// The stack's name.
        name: String,
        /// The template, its environments and parameters.
        #[command(flatten)]
        input: TemplateInput,
        /// Stack options.
        #[command(flatten)]
        options: StackFlags,
        /// Show what would be created, create nothing.
        #[arg(long)]
        dry_run: bool,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Update a stack (PATCH with `--existing`).
    Update {
        /// The stack.
        name: String,
        /// The new template, environments and parameters.
        #[command(flatten)]
        input: OptionalTemplateInput,
        /// Stack options.
        #[command(flatten)]
        options: StackFlags,
        /// Reuse the stack's template and parameters; given ones override.
        #[arg(long)]
        existing: bool,
        /// Reset a parameter to its default (with `--existing`).
        #[arg(long = "clear-parameter", value_name = "NAME")]
        clear_parameter: Vec<String>,
        /// Show what would change and why, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// With `--dry-run`: the nested stacks' resources too.
        #[arg(long, requires = "dry_run")]
        show_nested: bool,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Delete stacks.
    Delete {
        /// The stacks.
        #[arg(required = true)]
        names: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(short, long)]
        yes: bool,
        /// Wait until deleted (always, in local mode).
        #[arg(long)]
        wait: bool,
    },
    /// List stacks (newest first).
    List {
        /// Nested stacks too.
        #[arg(long)]
        nested: bool,
        /// Only stacks with these tags (comma-separated).
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// How `--tags` match: `any`, `not` or `not-any` (default: all).
        #[arg(long, value_name = "MODE")]
        tag_mode: Option<String>,
        /// Filter: `name=...`, `status=...`, `action=...`, `id=...` (repeatable).
        #[arg(long = "property", value_name = "KEY=VALUE")]
        property: Vec<String>,
        /// Sort: `KEY[:asc|desc]`, keys `stack_name`, `stack_status`,
        /// `creation_time`, `updated_time` (repeatable).
        #[arg(long, value_name = "KEY[:DIR]")]
        sort: Vec<String>,
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
        /// Start after this stack id.
        #[arg(long)]
        marker: Option<String>,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Show a stack.
    Show {
        /// The stack.
        name: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Outputs of a stack.
    #[command(subcommand)]
    Output(OutputCommand),
    /// Resources of a stack.
    #[command(subcommand)]
    Resource(StackResourceCommand),
    /// Events of a stack.
    #[command(subcommand)]
    Event(EventCommand),
    /// The environment's hooks (breakpoints) a stack waits at.
    #[command(subcommand)]
    Hook(HookCommand),
    /// The template of a stack.
    #[command(subcommand)]
    Template(StackTemplateCommand),
    /// Cancel an update in progress (and roll back).
    Cancel {
        /// The stack.
        name: String,
        /// Stop without rolling back.
        #[arg(long)]
        no_rollback: bool,
    },
    /// Check every resource against the cloud.
    Check {
        /// The stack.
        name: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Suspend a stack.
    Suspend {
        /// The stack.
        name: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Resume a suspended stack.
    Resume {
        /// The stack.
        name: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
}

/// `heat stack output ...`.
#[derive(Debug, Subcommand)]
pub enum OutputCommand {
    /// List a stack's outputs.
    List {
        /// The stack.
        name: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Show one output, or all with `--all`.
    Show {
        /// The stack.
        name: String,
        /// The output.
        key: Option<String>,
        /// Every output.
        #[arg(long)]
        all: bool,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
}

/// `heat stack resource ...`.
#[derive(Debug, Subcommand)]
pub enum StackResourceCommand {
    /// List a stack's resources.
    List {
        /// The stack.
        name: String,
        /// Depth of nested stacks to show.
        #[arg(long, default_value_t = 0)]
        nested_depth: u32,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Show a resource.
    Show {
        /// The stack.
        name: String,
        /// The resource.
        resource: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Show a resource's metadata (what cfn-init and os-collect-config
    /// read: a server's `deployments` among it).
    Metadata {
        /// The stack.
        name: String,
        /// The resource.
        resource: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Signal a resource (a wait condition handle, a scaling policy).
    Signal {
        /// The stack.
        name: String,
        /// The resource.
        resource: String,
        /// Data to send, as JSON (`{"status": "SUCCESS", "data": "..."}`).
        #[arg(long)]
        data: Option<String>,
    },
}

/// `heat stack event ...`.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// List a stack's events.
    List {
        /// The stack.
        name: String,
        /// Keep printing new events until the stack settles.
        #[arg(long)]
        follow: bool,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
}

/// `heat stack hook ...`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// The resources waiting at a hook.
    Poll {
        /// The stack.
        name: String,
        /// Output format.
        #[command(flatten)]
        out: Output,
    },
    /// Clears hooks: the resources go on.
    Clear {
        /// The stack.
        name: String,
        /// The resources.
        #[arg(required = true)]
        resources: Vec<String>,
        /// The pre-create hook.
        #[arg(long)]
        pre_create: bool,
        /// The pre-update hook.
        #[arg(long)]
        pre_update: bool,
        /// The pre-delete hook.
        #[arg(long)]
        pre_delete: bool,
    },
}

/// `heat stack template ...`.
#[derive(Debug, Subcommand)]
pub enum StackTemplateCommand {
    /// Print the stack's template.
    Show {
        /// The stack.
        name: String,
    },
}

/// Options of stack create and update.
#[derive(Debug, Args, Default)]
pub struct StackFlags {
    /// Operation timeout, minutes.
    #[arg(long, value_name = "MIN")]
    pub timeout: Option<u64>,
    /// Roll back when the operation fails.
    #[arg(long, conflicts_with = "disable_rollback")]
    pub enable_rollback: bool,
    /// Do not roll back when the operation fails.
    #[arg(long)]
    pub disable_rollback: bool,
    /// Tags, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Wait until the operation ends (always, in local mode).
    #[arg(long)]
    pub wait: bool,
}

/// `-f` and `-c`, as the OpenStack CLI has them.
#[derive(Debug, Args, Clone, Default)]
pub struct Output {
    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only these columns (repeatable).
    #[arg(short = 'c', long = "column", value_name = "COLUMN")]
    pub columns: Vec<String>,
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
    /// Parameter values read from files, KEY=FILE (repeatable).
    #[arg(long = "parameter-file", value_name = "KEY=FILE")]
    pub parameter_file: Vec<String>,
}

/// Like [`TemplateInput`] with the template optional (updates).
#[derive(Debug, Args)]
pub struct OptionalTemplateInput {
    /// The new template.
    #[arg(short = 't', long = "template")]
    pub template: Option<PathBuf>,
    /// Environment files, merged in order.
    #[arg(short = 'e', long = "environment")]
    pub environment: Vec<PathBuf>,
    /// Parameter values, KEY=VALUE.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// Parameter values read from files, KEY=FILE.
    #[arg(long = "parameter-file", value_name = "KEY=FILE")]
    pub parameter_file: Vec<String>,
}

/// Output formats of show, list and validate commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A table.
    #[default]
    Table,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// Values only, one per line.
    Value,
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
