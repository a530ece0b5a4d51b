//! `conformance templates DIR` / `conformance cases FILE`: heat-rs against
//! real Heat's results, one JSON line per template or case, then
//! `N passed, N failed`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use heat_tests::conformance::{run_cases, run_templates, Outcome};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let emit = &mut |o: &Outcome| {
        let mut line = o.line.clone();
        line["agrees"] = serde_json::json!(o.agrees);
        if !o.agrees {
            line["why"] = serde_json::json!(o.why);
        }
        println!("{line}");
    };
    let (pass, fail) = match args.as_slice() {
        [cmd, dir] if cmd == "templates" => {
            let mut root = PathBuf::from(dir);
            if !root.join("expected").is_dir() {
                root = root.parent().map(Path::to_path_buf).unwrap_or(root);
            }
            if !root.join("expected").is_dir() {
                bail!("{dir}: no expected/ directory beside the templates");
            }
            run_templates(&root, &heat_resources::Catalog, emit)
        }
        [cmd, file] if cmd == "cases" => {
            std::fs::metadata(file).with_context(|| format!("cannot read {file}"))?;
            run_cases(Path::new(file), emit)
        }
        _ => bail!("usage: conformance templates DIR | conformance cases FILE"),
    };
    println!("{pass} passed, {fail} failed");
    Ok(())
}
