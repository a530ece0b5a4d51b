//! Printing results and errors as the OpenStack CLI does: `-f table`,
//! `json`, `yaml` or `value`, and `-c` to choose columns.

/// Writes to stdout; a closed pipe (`heat ... | head`) ends quietly.
pub fn write_out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// `println!` to stdout through [`write_out`].
#[macro_export]
macro_rules! outln {
    () => { $crate::output::write_out("\n") };
    ($($t:tt)*) => { $crate::output::write_out(&format!("{}\n", format!($($t)*))) };
}

/// `print!` to stdout through [`write_out`].
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::output::write_out(&format!($($t)*)) };
}

use comfy_table::{presets::ASCII_FULL_CONDENSED, ContentArrangement, Table};
use heat_core::template::TemplateError;
use serde_json::{json, Map as JsonMap, Value as Json};

use crate::cli::{Format, Output};

fn cell(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => serde_norway::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

fn select(obj: &JsonMap<String, Json>, columns: &[String]) -> JsonMap<String, Json> {
    if columns.is_empty() {
        return obj.clone();
    }
    columns
        .iter()
        .filter_map(|c| obj.get(c).map(|v| (c.clone(), v.clone())))
        .collect()
}

/// Prints one object (a `show`): a Field/Value table, or the object.
pub fn print_record(value: &Json, out: &Output) {
    let obj = select(value.as_object().unwrap_or(&JsonMap::new()), &out.columns);
    match out.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&obj).expect("JSON values serialise")
        ),
        Format::Yaml => out!(
            "{}",
            serde_norway::to_string(&obj).expect("JSON values serialise as YAML")
        ),
        Format::Value => {
            for v in obj.values() {
                outln!("{}", cell(v));
            }
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(ASCII_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(vec!["Field", "Value"]);
            for (k, v) in &obj {
                t.add_row(vec![k.clone(), cell(v)]);
            }
            outln!("{t}");
        }
    }
}

/// Prints a list of objects with the given columns.
pub fn print_list(rows: &[Json], columns: &[&str], out: &Output) {
    let columns: Vec<String> = if out.columns.is_empty() {
        columns.iter().map(|c| c.to_string()).collect()
    } else {
        out.columns.clone()
    };
    let rows: Vec<JsonMap<String, Json>> = rows
        .iter()
        .map(|r| select(r.as_object().unwrap_or(&JsonMap::new()), &columns))
        .collect();
    match out.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("JSON values serialise")
        ),
        Format::Yaml => out!(
            "{}",
            serde_norway::to_string(&rows).expect("JSON values serialise as YAML")
        ),
        Format::Value => {
            for r in &rows {
                outln!(
                    "{}",
                    columns
                        .iter()
                        .map(|c| cell(r.get(c).unwrap_or(&Json::Null)))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(ASCII_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(columns.clone());
            for r in &rows {
                t.add_row(
                    columns
                        .iter()
                        .map(|c| cell(r.get(c).unwrap_or(&Json::Null)))
                        .collect::<Vec<_>>(),
                );
            }
            outln!("{t}");
        }
    }
}

/// The machine-readable form of an error.
pub fn error_json(file: &str, e: &TemplateError) -> Json {
    let mut o = JsonMap::new();
    o.insert("kind".into(), json!(e.kind.name()));
    o.insert("message".into(), json!(e.message));
    o.insert("file".into(), json!(file));
    if !e.path.is_empty() {
        o.insert("path".into(), json!(e.path));
    }
    if e.line > 0 {
        o.insert("line".into(), json!(e.line));
    }
    if !e.cycle.is_empty() {
        o.insert("cycle".into(), json!(e.cycle));
    }
    Json::Object(o)
}

/// Reports template errors: `{"error": ...}` on stdout for JSON, readable
/// lines on stderr otherwise. Returns the exit status.
pub fn report(file: &str, errors: &[TemplateError], as_json: bool) -> i32 {
    if as_json {
        let mut out = json!({"error": error_json(file, &errors[0])});
        if errors.len() > 1 {
            out["errors"] = Json::Array(errors.iter().map(|e| error_json(file, e)).collect());
        }
        outln!(
            "{}",
            serde_json::to_string_pretty(&out).expect("serialisable")
        );
    } else {
        for e in errors {
            let location = if e.line > 0 {
                format!("{file}:{}", e.line)
            } else {
                file.to_string()
            };
            let path = if e.path.is_empty() || e.message.contains(&e.path) {
                String::new()
            } else {
                format!("{}: ", e.path)
            };
            eprintln!("error: {location}: {path}{}", e.message);
        }
    }
    1
}

/// Reports a failure that is not about a template: `{"error": ...}` for
/// JSON, a line on stderr otherwise.
pub fn fail(kind: &str, message: &str, as_json: bool) -> i32 {
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"error": {"kind": kind, "message": message}}))
                .expect("serialisable")
        );
    } else {
        eprintln!("error: {message}");
    }
    1
}
