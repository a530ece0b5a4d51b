//! Data-driven fixtures: `test_data/validate/ok/*.yaml` must validate and
//! their graph, validate view and outputs are snapshotted;
//! `test_data/validate/err/*.yaml` must fail and every error (path, line,
//! message) is snapshotted.

use heat_core::definition::{Inputs, StackDefinition};
use heat_core::function::{resolve, Resolver};
use heat_core::template::{Template, TemplateError};
use serde_json::json;

fn render(errors: &[TemplateError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} [{}]", e, e.kind.name()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn valid_templates() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/test_data"),
        "validate/ok/*.yaml",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let t = Template::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (def, errors) =
                StackDefinition::build(&t, Inputs::default(), &heat_resources::Catalog);
            assert!(errors.is_empty(), "{}: {}", path.display(), render(&errors));
            let def = def.unwrap();
            let requires: serde_json::Map<String, serde_json::Value> = def
                .graph
                .names()
                .iter()
                .map(|n| (n.clone(), json!(def.graph.requires(n))))
                .collect();
            let outputs: serde_json::Map<String, serde_json::Value> = def
                .outputs
                .iter()
                .map(|o| {
                    (
                        o.name.clone(),
                        o.value
                            .as_ref()
                            .map(|v| resolve(v, &def as &dyn Resolver).unwrap())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            let properties: serde_json::Map<String, serde_json::Value> = def
                .resources
                .iter()
                .filter(|r| r.enabled)
                .map(|r| {
                    (
                        r.name.clone(),
                        r.properties
                            .as_ref()
                            .map(|p| resolve(p, &def as &dyn Resolver).unwrap())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            insta::assert_json_snapshot!(json!({
                "requires": requires,
                "levels": def.levels().unwrap(),
                "validate": def.validate_view(),
                "properties_uncreated": properties,
                "outputs_uncreated": outputs,
            }));
        }
    );
}

#[test]
fn invalid_templates() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/test_data"),
        "validate/err/*.yaml",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let rendered = match Template::parse(&text) {
                Err(e) => render(&[e]),
                Ok(t) => {
                    let (_, errors) =
                        StackDefinition::build(&t, Inputs::default(), &heat_resources::Catalog);
                    assert!(!errors.is_empty(), "{} validated", path.display());
                    render(&errors)
                }
            };
            insta::assert_snapshot!(rendered);
        }
    );
}
