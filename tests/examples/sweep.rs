//! Runs every template under a directory (a checkout of
//! openstack/heat-templates, say) end to end on the simulated cloud with
//! ordinary values, as the corpus test does with the conformance corpus:
//! the templates heat-rs validates are created, waited for and deleted, and
//! each line says how it went; the last line counts them.
//!
//! ```text
//! git clone https://opendev.org/openstack/heat-templates /tmp/heat-templates
//! cargo run -p heat-tests --example sweep -- /tmp/heat-templates
//! ```
//!
//! A template's files (`get_file`, provider templates) are read from disk
//! beside the file that names them, and an environment file beside it
//! (`<name>-env.yaml`, `<name>_env.yaml`, `env.yaml`) is used. Time is
//! virtual, so a wait condition nothing signals times out at once.

use std::path::{Path, PathBuf};

use heat_core::engine::RequestContext;
use heat_core::service::SourceParts;
use heat_tests::ordinary::{create_and_delete, read_files, Run};
use serde_json::Value as Json;

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            templates(&p, out);
        } else if [".yaml", ".yml", ".template", ".json"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            out.push(p);
        }
    }
}

/// Whether a document is a template (not an environment or other YAML).
fn is_template(doc: &Json) -> bool {
    [
        "heat_template_version",
        "AWSTemplateFormatVersion",
        "HeatTemplateFormatVersion",
    ]
    .iter()
    .any(|k| doc.get(k).is_some())
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let root = std::env::args()
        .nth(1)
        .expect("usage: sweep <directory of templates>");
    let (service, cloud) = heat_server::builder::memory_sim();
    let mut paths = Vec::new();
    templates(Path::new(&root), &mut paths);
    let (mut tried, mut complete, mut invalid) = (0, 0, 0);
    for (n, path) in paths.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(doc) = serde_norway::from_str::<Json>(&text) else {
            continue;
        };
        if !is_template(&doc) {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut parts = SourceParts::template(path.display().to_string(), text.clone());
        read_files(&text, "", path, &mut parts);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        parts.environment = [
            format!("{stem}-env.yaml"),
            format!("{stem}_env.yaml"),
            "env.yaml".to_string(),
        ]
        .iter()
        .find_map(|e| std::fs::read_to_string(dir.join(e)).ok());
        let shown = path.strip_prefix(&root).unwrap_or(path).display();
        let parameters = match service.validate(&RequestContext::default(), &parts, false) {
            Ok(v) => v["Parameters"].as_object().cloned().unwrap_or_default(),
            Err(e) => {
                invalid += 1;
                println!("{shown}: invalid: {}", e.to_string().replace('\n', " "));
                continue;
            }
        };
        tried += 1;
        let run = Run {
            name: format!("sweep-{n}"),
            parts,
            parameters: &parameters,
        };
        match create_and_delete(&service, &cloud, run).await {
            Ok(created) => {
                complete += 1;
                let nulls = match created.null_outputs.as_slice() {
                    [] => String::new(),
                    names => format!(" (null outputs: {})", names.join(", ")),
                };
                println!("{shown}: CREATE_COMPLETE, deleted{nulls}");
            }
            Err(e) => println!("{shown}: {}", e.replace('\n', " ")),
        }
    }
    println!(
        "{complete} of {tried} templates heat-rs validates reached CREATE_COMPLETE and were \
         deleted with nothing left ({invalid} refused by validate)"
    );
}
