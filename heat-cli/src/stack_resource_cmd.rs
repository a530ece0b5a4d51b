//! `heat stack resource ...`: a stack's resources listed, shown, their
//! metadata (a server's deployments among it) and signals.

use heat_core::service::ResourceQuery;
use serde_json::{json, Value as Json};

use crate::cli::{Format, StackResourceCommand};
use crate::output::{fail, print_list, print_record};
use crate::stack_cmd::{open, refused, Target};
use crate::views;

/// Runs a `heat stack resource` command.
pub async fn run(state: &Target, cmd: StackResourceCommand) -> i32 {
    match cmd {
        StackResourceCommand::List {
            name,
            out,
            nested_depth,
        } => {
            let as_json = out.format == Format::Json;
            let s = match open(state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, as_json),
            };
            let query = ResourceQuery {
                nested_depth,
                ..ResourceQuery::default()
            };
            let views = match s.backend.resources(&name, &query).await {
                Ok(v) => v,
                Err(e) => return refused(e, as_json),
            };
            let rows: Vec<Json> = views
                .iter()
                .map(|v| {
                    let mut row = views::resource_row(&v.record);
                    if nested_depth > 0 {
                        row["stack_name"] = json!(v.stack_name);
                    }
                    row
                })
                .collect();
            let mut columns = vec![
                "resource_name",
                "physical_resource_id",
                "resource_type",
                "resource_status",
                "updated_time",
            ];
            if nested_depth > 0 {
                columns.push("stack_name");
            }
            print_list(&rows, &columns, &out);
            0
        }
        StackResourceCommand::Show {
            name,
            resource,
            out,
        } => {
            let as_json = out.format == Format::Json;
            let s = match open(state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, as_json),
            };
            match s.backend.resource(&name, &resource).await {
                Ok(v) => {
                    let mut shown = views::resource(&v.record);
                    shown["required_by"] = json!(v.required_by);
                    print_record(&shown, &out);
                    0
                }
                Err(e) => refused(e, as_json),
            }
        }
        StackResourceCommand::Metadata {
            name,
            resource,
            out,
        } => {
            let as_json = out.format == Format::Json;
            let s = match open(state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, as_json),
            };
            match s.backend.metadata(&name, &resource).await {
                Ok(m) => {
                    print_record(&m, &out);
                    0
                }
                Err(e) => refused(e, as_json),
            }
        }
        StackResourceCommand::Signal {
            name,
            resource,
            data,
        } => {
            let data: Json = match data.as_deref().map(serde_json::from_str) {
                None => json!({}),
                Some(Ok(v)) => v,
                Some(Err(e)) => return fail("usage", &format!("--data is not JSON: {e}"), false),
            };
            let mut s = match open(state).await {
                Ok(s) => s,
                Err(m) => return fail("state", &m, false),
            };
            let before = match s.backend.show(&name).await {
                Ok(b) => b,
                Err(e) => return refused(e, false),
            };
            if let Err(e) = s.backend.signal(&before.id, &resource, data).await {
                return refused(e, false);
            }
            if !before.in_progress() {
                // A signal to a settled stack may start an operation here
                // (a scaling policy's): see it through.
                return match s.backend.wait(before.root_id()).await {
                    Ok(_) => 0,
                    Err(e) => refused(e, false),
                };
            }
            // A stack whose operation waits for this signal but was
            // abandoned by its heat: this command drives it now.
            match s.resume_abandoned(&name).await {
                Ok(()) => 0,
                Err(code) => code,
            }
        }
    }
}
