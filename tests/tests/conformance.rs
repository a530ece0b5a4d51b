//! heat-rs against real Heat on the visible conformance corpus
//! (`HEAT_CONFORMANCE_DIR`, default `../shared/conformance`), with the
//! strict runner (parse, version, environment, the validate API's
//! parameters, conditions, enabled resources, graph, outputs, the verdict
//! and the path of a refusal). The test fails on any disagreement not
//! listed here, and on a listed one that has started to agree; every
//! listed one is in ARCHITECTURE.md with its reason.

use heat_tests::conformance::{corpus, run_cases, run_templates};

/// Template disagreements that are deliberate or not yet covered, by id
/// (none today).
const KNOWN_TEMPLATES: [&str; 0] = [];

const KNOWN_CASES: [&str; 4] = [
    // Deliberately beyond Heat for AWS templates: real base64, Fn::Sub,
    // {"Condition": name} inside Fn::And.
    "cfn.Fn::Base64.string@aws",
    "avail.value.Fn::Base64@aws",
    "cfn.Fn::Sub.in_cfn@aws",
    "cfn.Fn::And.and_true@aws",
];

#[test]
fn templates_agree_with_heat() {
    let Some(root) = corpus() else { return };
    assert!(
        root.join("expected").is_dir(),
        "no conformance corpus at {}",
        root.display()
    );
    let mut unexpected = Vec::new();
    let (pass, fail) = run_templates(&root, &heat_resources::Catalog, &mut |o| {
        let id = o.line["id"].as_str().unwrap_or_default().to_string();
        let known = KNOWN_TEMPLATES.contains(&id.as_str());
        if !o.agrees && !known {
            unexpected.push(format!("{id}: {}", o.why));
        }
        if o.agrees && known {
            unexpected.push(format!("{id} agrees now: take it off KNOWN_TEMPLATES"));
        }
    });
    assert!(
        pass + fail >= 300,
        "the corpus has {} templates",
        pass + fail
    );
    assert!(
        unexpected.is_empty(),
        "new disagreements:\n{}",
        unexpected.join("\n")
    );
    assert!(
        pass * 100 >= (pass + fail) * 98,
        "{pass} passed, {fail} failed"
    );
}

#[test]
fn function_cases_agree_with_heat() {
    let Some(root) = corpus() else { return };
    let file = root.join("functions/cases.json");
    let mut unexpected = Vec::new();
    let (pass, fail) = run_cases(&file, &mut |o| {
        let id = o.line["id"].as_str().unwrap_or_default().to_string();
        let known = KNOWN_CASES.contains(&id.as_str());
        if !o.agrees && !known {
            unexpected.push(format!("{id}: {}", o.why));
        }
        // The list stays true: a listed case that agrees must leave it.
        if o.agrees && known {
            unexpected.push(format!("{id} agrees now: take it off KNOWN_CASES"));
        }
    });
    assert!(pass + fail >= 800, "the corpus has {} cases", pass + fail);
    assert!(
        unexpected.is_empty(),
        "new disagreements:\n{}",
        unexpected.join("\n")
    );
    assert!(
        pass * 100 >= (pass + fail) * 98,
        "{pass} passed, {fail} failed"
    );
}
