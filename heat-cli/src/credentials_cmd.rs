//! `heat ec2-credentials`: the EC2-style access keys of projects, kept in
//! the state file beside the stacks (their secrets derived from the
//! file's server key, `<state>.key`, and shown once).

use std::path::Path;

use heat_server::builder;
use heat_server::cfn::credentials::{create_project_key, delete_project_key, project_keys};
use serde_json::json;

use crate::cli::Ec2Command;
use crate::output::{print_list, print_record};

/// Runs an `ec2-credentials` command; the exit code.
pub async fn run(state: &Path, cmd: Ec2Command) -> i32 {
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
    let store = local.store.clone();
    match cmd {
        Ec2Command::Create {
            project,
            user,
            reader,
            output,
        } => {
            let roles = vec![if reader { "reader" } else { "member" }.to_string()];
            let now = local.engine.clock().now();
            match create_project_key(store.as_ref(), &local.guest, &project, &user, roles, now)
                .await
            {
                Ok((key, secret)) => {
                    print_record(
                        &json!({"access": key.access, "secret": secret, "project": key.project,
                                "user": key.user, "roles": key.roles.join(",")}),
                        &output,
                    );
                    0
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            }
        }
        Ec2Command::List { project, output } => {
            match project_keys(store.as_ref(), project.as_deref()).await {
                Ok(keys) => {
                    let rows: Vec<serde_json::Value> = keys
                    .iter()
                    .map(|k| json!({"Access": k.access, "Project": k.project, "User": k.user, "Roles": k.roles.join(",")}))
                    .collect();
                    print_list(&rows, &["Access", "Project", "User", "Roles"], &output);
                    0
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            }
        }
        Ec2Command::Delete { access } => match delete_project_key(store.as_ref(), &access).await {
            Ok(true) => 0,
            Ok(false) => {
                eprintln!("error: no access key {access}");
                1
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
    }
}
