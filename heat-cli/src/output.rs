//! Printing results and errors: table, JSON and YAML.

use heat_core::template::TemplateError;
use serde_json::{json, Value as Json};

use crate::cli::Format;

/// Prints a value in the chosen format.
pub fn print(value: &Json, format: Format) {
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(value).expect("JSON values serialise")
        ),
        Format::Yaml => print!(
            "{}",
            serde_norway::to_string(value).expect("JSON values serialise as YAML")
        ),
        Format::Table => print_table(value),
    }
}

fn print_table(value: &Json) {
    let Json::Object(o) = value else {
        println!("{value}");
        return;
    };
    let width = o.keys().map(String::len).max().unwrap_or(0);
    println!("+-{}-+-{}", "-".repeat(width), "-".repeat(40));
    for (k, v) in o {
        let text = match v {
            Json::String(s) => s.clone(),
            other => serde_norway::to_string(other)
                .unwrap_or_default()
                .trim_end()
                .to_string(),
        };
        for (i, line) in text.lines().enumerate() {
            let key = if i == 0 { k.as_str() } else { "" };
            println!("| {key:width$} | {line}");
        }
    }
    println!("+-{}-+-{}", "-".repeat(width), "-".repeat(40));
}

/// The machine-readable form of an error.
pub fn error_json(file: &str, e: &TemplateError) -> Json {
    let mut o = serde_json::Map::new();
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

/// Reports errors: `{"error": ...}` on stdout for JSON, readable lines on
/// stderr otherwise. Returns the exit status.
pub fn report(file: &str, errors: &[TemplateError], as_json: bool) -> i32 {
    if as_json {
        let mut out = json!({"error": error_json(file, &errors[0])});
        if errors.len() > 1 {
            out["errors"] = Json::Array(errors.iter().map(|e| error_json(file, e)).collect());
        }
        println!(
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
