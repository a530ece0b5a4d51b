//! `heat template validate` and `heat template graph`.

use heat_core::definition::StackDefinition;
use serde_json::{json, Value as Json};

use crate::cli::{Format, GraphFormat, TemplateCommand};
use crate::input::load;
use crate::output::{print_record, report};

/// Runs a template command; returns the exit status.
pub fn run(cmd: TemplateCommand) -> i32 {
    let (input, as_json) = match &cmd {
        TemplateCommand::Validate { input, format } => (input, *format == Format::Json),
        TemplateCommand::Graph { input, format } => (input, *format == GraphFormat::Json),
    };
    let file = input.template.display().to_string();
    let loaded = match load(input) {
        Ok(l) => l,
        Err(e) => return report(&e.file, &[e.error], as_json),
    };
    let (def, errors) =
        StackDefinition::build(&loaded.template, loaded.inputs, &heat_resources::Catalog);
    if !errors.is_empty() {
        return report(&file, &errors, as_json);
    }
    let def = def.expect("a definition when there are no errors");
    match cmd {
        TemplateCommand::Validate { format, .. } => {
            let out = crate::cli::Output {
                format,
                columns: Vec::new(),
            };
            print_record(&def.validate_view(), &out)
        }
        TemplateCommand::Graph { format, .. } => {
            let levels = def.levels().unwrap_or_default();
            match format {
                GraphFormat::Json => {
                    let resources: serde_json::Map<String, Json> = def
                        .resources
                        .iter()
                        .filter(|r| r.enabled)
                        .map(|r| (r.name.clone(), json!({"type": r.type_name, "requires": def.graph.requires(&r.name)})))
                        .collect();
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(
                            &json!({"resources": resources, "levels": levels})
                        )
                        .expect("serialisable")
                    );
                }
                GraphFormat::Dot => out!("{}", dot(&def)),
                GraphFormat::Svg => out!("{}", svg(&dot(&def))),
            }
        }
    }
    0
}

fn dot(def: &StackDefinition<'_>) -> String {
    let mut out = String::from("digraph stack {\n  rankdir=BT;\n  node [shape=box];\n");
    for r in def.resources.iter().filter(|r| r.enabled) {
        out.push_str(&format!(
            "  \"{}\" [label=\"{}\\n{}\"];\n",
            r.name, r.name, r.type_name
        ));
    }
    for r in def.resources.iter().filter(|r| r.enabled) {
        for dep in def.graph.requires(&r.name) {
            out.push_str(&format!("  \"{}\" -> \"{}\";\n", r.name, dep));
        }
    }
    out.push_str("}\n");
    out
}

fn svg(dot: &str) -> String {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let mut parser = DotParser::new(dot);
    let Ok(graph) = parser.process() else {
        return String::new();
    };
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    writer.finalize()
}
