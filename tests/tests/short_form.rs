//! CloudFormation YAML short-form tags give the same graph as their
//! long-form twins in the corpus: every twin compared, a side that fails
//! to give a graph is a failure.

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::template::Template;
use heat_tests::conformance::corpus;

/// The creation levels of a template; why not, when it has none.
fn graph(path: &std::path::Path) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let t = Template::parse(&text).map_err(|e| e.to_string())?;
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    let def = def.ok_or_else(|| format!("{:?}", errors.first().map(|e| e.to_string())))?;
    def.levels().map_err(|c| format!("a cycle {c:?}"))
}

#[test]
fn short_form_twins_have_the_same_graph() {
    let Some(root) = corpus() else { return };
    let root = root.join("templates");
    let long_root = root.join("aws-cfn-templates-longform");
    let (mut twins, mut compared) = (0, 0);
    let mut failures = Vec::new();
    let mut stack = vec![long_root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(&long_root).unwrap();
            let stem = rel.with_extension("");
            // `a.cfn.json` is the twin of `a.cfn.yaml`: only the last
            // extension differs.
            let short = ["yaml", "yml", "template"]
                .iter()
                .map(|x| {
                    root.join("aws-cfn-templates")
                        .join(format!("{}.{x}", stem.display()))
                })
                .find(|s| s.exists());
            twins += 1;
            let Some(short) = short else {
                failures.push(format!("{}: no short-form file", rel.display()));
                continue;
            };
            match (graph(&p), graph(&short)) {
                (Ok(a), Ok(b)) if a == b => compared += 1,
                // Both refused the same way (no template version, as
                // Heat would say of both).
                (Err(a), Err(b)) if a == b => compared += 1,
                (Ok(a), Ok(b)) => failures.push(format!(
                    "{}: the short form's graph {b:?} is not the long form's {a:?}",
                    rel.display()
                )),
                (a, b) => failures.push(format!(
                    "{}: long form {:?}, short form {:?}",
                    rel.display(),
                    a.err(),
                    b.err()
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {twins} twins differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(twins >= 35, "only {twins} long-form files found");
    assert_eq!(compared, twins);
}
