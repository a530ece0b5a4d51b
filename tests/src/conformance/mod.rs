//! The conformance runner: heat-rs's results for each template and function
//! case of the corpus, compared with what Heat 27.0.1 computed. Where the
//! corpus is and what it holds here; each template's comparison in
//! `templates`, each function case's in `cases`.

mod cases;
mod templates;

use std::path::{Path, PathBuf};

use serde_json::{json, Value as Json};

pub use cases::{run_case, run_cases};
pub use templates::{run_template, run_templates};

/// The result of one template or case: the JSON line to print and whether
/// it agrees with Heat (with the reason when it does not).
pub struct Outcome {
    /// The line printed for this template or case.
    pub line: Json,
    /// Whether heat-rs agrees with Heat.
    pub agrees: bool,
    /// Why not, when it does not.
    pub why: String,
}

/// The corpus: `HEAT_CONFORMANCE_DIR` (which `.ci/run` sets; then it must
/// be there), else `../shared/conformance` when a clone has it beside it;
/// `None` (said on stderr) when neither.
pub fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HEAT_CONFORMANCE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    if beside.is_dir() {
        return Some(beside);
    }
    eprintln!(
        "conformance tests skipped: no corpus at {} and HEAT_CONFORMANCE_DIR is not set \
         (.ci/run sets it to ../shared/conformance)",
        beside.display()
    );
    None
}

/// Every expected file under `root/expected`, sorted.
pub fn expected_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("expected")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads a JSON file; a file that cannot be read or parsed is an error
/// (never a pass).
fn read_json(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

fn broken(id: &str, why: String) -> Outcome {
    Outcome {
        line: json!({"id": id, "error": {"kind": "runner", "message": why}}),
        agrees: false,
        why,
    }
}
