//! `heat cloud`: what the embedded simulated cloud offers templates, and
//! the images, key pairs and flavors a user adds to it (kept in the state
//! file with the cloud's other objects).

use std::path::Path;

use heat_server::builder;
use serde_json::json;

use crate::cli::{CloudCommand, ProvideCommand};
use crate::output::print_list;

/// Runs a `cloud` command; the exit code.
pub async fn run(state: &Path, cmd: CloudCommand) -> i32 {
    let local = match builder::open(
        state,
        heat_resources::sim::SimConfig::default(),
        heat_core::engine::EngineConfig::default(),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot open the state file {}: {e}", state.display());
            return 1;
        }
    };
    match cmd {
        CloudCommand::Provide(what) => {
            let (kind, name, attributes) = match what {
                ProvideCommand::Image { name } => ("image", name, json!({})),
                ProvideCommand::Keypair { name, public_key } => (
                    "keypair",
                    name,
                    public_key.map_or(json!({}), |k| json!({"public_key": k})),
                ),
                ProvideCommand::Flavor {
                    name,
                    vcpus,
                    ram,
                    disk,
                } => (
                    "flavor",
                    name,
                    json!({"vcpus": vcpus, "ram": ram, "disk": disk}),
                ),
            };
            match local.cloud.provide(kind, &name, attributes).await {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {}", e.message);
                    1
                }
            }
        }
        CloudCommand::List { output } => {
            let mut rows: Vec<serde_json::Value> = local
                .cloud
                .objects()
                .into_iter()
                .filter(|o| o.stack_id.is_empty())
                .map(|o| json!({"Kind": o.kind, "Name": o.name, "ID": o.id}))
                .collect();
            rows.sort_by(|a, b| {
                (a["Kind"].as_str(), a["Name"].as_str())
                    .cmp(&(b["Kind"].as_str(), b["Name"].as_str()))
            });
            print_list(&rows, &["Kind", "Name", "ID"], &output);
            0
        }
    }
}
