//! CloudFormation YAML short-form tags give the same graph as their
//! long-form twins in the corpus.

use std::path::PathBuf;

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::template::Template;

fn corpus() -> PathBuf {
    std::env::var_os("HEAT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
        })
}

fn graph(path: &std::path::Path) -> Option<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path).ok()?;
    let t = Template::parse(&text).ok()?;
    let (def, _) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    def?.levels().ok()
}

#[test]
fn short_form_twins_have_the_same_graph() {
    let root = corpus().join("templates");
    let long_root = root.join("aws-cfn-templates-longform");
    let mut compared = 0;
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
            let short = ["yaml", "yml"]
                .iter()
                .map(|x| root.join("aws-cfn-templates").join(stem.with_extension(x)))
                .find(|s| s.exists());
            let Some(short) = short else { continue };
            let (Some(a), Some(b)) = (graph(&p), graph(&short)) else {
                continue;
            };
            assert_eq!(a, b, "{} and its short form differ", rel.display());
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} twins compared");
}
