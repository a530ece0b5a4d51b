//! `heat resource type list|show`: the catalog, as Heat's resource_types
//! API shows it, or a template that uses a type.

use heat_resources::views::{type_schema, type_template};
use heat_resources::Catalog;
use serde_json::{json, Value as Json};

use crate::cli::{Format, ResourceCommand, ResourceTypeCommand, TemplateType};
use crate::output::{fail, print_list, print_record};

/// Runs a `resource` command; returns the exit status.
pub fn run(cmd: ResourceCommand) -> i32 {
    match cmd {
        ResourceCommand::Type(ResourceTypeCommand::List { filter, out }) => {
            let needle = filter.map(|f| f.strip_prefix("name=").map(str::to_string).unwrap_or(f));
            let rows: Vec<Json> = Catalog
                .names()
                .into_iter()
                .filter(|n| needle.as_ref().is_none_or(|f| n.contains(f.as_str())))
                .map(|n| json!({"Resource Type": n}))
                .collect();
            print_list(&rows, &["Resource Type"], &out);
            0
        }
        ResourceCommand::Type(ResourceTypeCommand::Show {
            type_name,
            template_type,
            out,
        }) => {
            let Some(t) = Catalog.schema(&type_name) else {
                let message = if Catalog.names().contains(&type_name.as_str()) {
                    format!("heat-rs has no schema for {type_name} yet")
                } else {
                    format!("The Resource Type ({type_name}) could not be found.")
                };
                return fail("not_found", &message, out.format == Format::Json);
            };
            let value = match template_type {
                Some(k) => type_template(t, k == TemplateType::Hot),
                None => type_schema(t, true),
            };
            let out = if out.format == Format::Table {
                crate::cli::Output {
                    format: Format::Yaml,
                    ..out
                }
            } else {
                out
            };
            print_record(&value, &out);
            0
        }
    }
}
