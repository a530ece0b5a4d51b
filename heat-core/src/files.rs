//! Where the files of a request are relative to each other. A request's
//! files map is keyed by paths as the root template and the environment
//! write them; a provider or nested template names its own files relative
//! to where it is, as python-heatclient reads them. [`key_of`] gives the
//! key of a file a template at some key names; [`files_for`] the files map
//! as a template at some key sees it (its own relative names added), so a
//! nested template in `lib/` finds its `scripts/boot.sh` at
//! `lib/scripts/boot.sh`. URLs (`file:///...`, `https://...`, the keys
//! python-heatclient sends) are taken as they are.

use serde_json::{Map as JsonMap, Value as Json};

use crate::syntax::{Node, Value};
use crate::template::Template;

/// The files a template names: `get_file` paths, resource types that are
/// template files, and a CloudFormation nested stack's `TemplateURL`.
pub fn references(template: &Template) -> Vec<String> {
    fn walk(node: &Node, out: &mut Vec<String>) {
        match &node.value {
            Value::Map(m) => {
                for (k, v) in m.iter() {
                    let named = v.as_str().filter(|s| match k.as_str() {
                        "get_file" | "TemplateURL" => true,
                        "type" | "Type" => [".yaml", ".yml", ".json", ".template"]
                            .iter()
                            .any(|e| s.ends_with(e)),
                        _ => false,
                    });
                    match named {
                        Some(s) => out.push(s.to_string()),
                        None => walk(v, out),
                    }
                }
            }
            Value::List(l) => l.iter().for_each(|n| walk(n, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (_, node) in template.root.iter() {
        walk(node, &mut out);
    }
    out
}

fn is_url(s: &str) -> bool {
    s.contains("://")
}

/// A relative path's components with `.` and inner `..` resolved (leading
/// `..` kept: a path may climb above the root template's directory).
fn components(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// A file by its key as a template names it: as written, else in its
/// plain form (`./x.sh`, `a/../x.sh` are `x.sh`).
pub fn find<T>(key: &str, get: impl Fn(&str) -> Option<T>) -> Option<T> {
    get(key).or_else(|| {
        if is_url(key) || key.starts_with('/') {
            return None;
        }
        let plain = components(key).join("/");
        (plain != key).then(|| get(&plain)).flatten()
    })
}

/// The directory of a key (`lib` of `lib/app.yaml`; empty at the root).
fn dir_of(key: &str) -> Vec<&str> {
    let mut c = components(key);
    c.pop();
    c
}

/// The key of the file `reference` names in the template at `base`
/// (relative to the root template's directory).
pub fn key_of(base: &str, reference: &str) -> String {
    if is_url(reference) || reference.starts_with('/') || is_url(base) {
        return reference.to_string();
    }
    let mut path = dir_of(base);
    path.extend(components(reference));
    components(&path.join("/")).join("/")
}

/// `path` relative to the directory `dir` (both relative to the root);
/// `None` when it cannot be said (`dir` climbs above where `path` goes).
fn relative(path: &str, dir: &[&str]) -> Option<String> {
    let p = components(path);
    let common = p.iter().zip(dir).take_while(|(a, b)| a == b).count();
    if dir[common..].contains(&"..") {
        return None;
    }
    let mut out = vec![".."; dir.len() - common];
    out.extend(&p[common..]);
    Some(out.join("/"))
}

/// The files map as the template at `key` sees it: every relative file
/// also under its name relative to that template's directory (that name
/// wins over another file of the same name elsewhere).
pub fn files_for(files: &JsonMap<String, Json>, key: &str) -> JsonMap<String, Json> {
    let dir = dir_of(key);
    if dir.is_empty() || is_url(key) {
        return files.clone();
    }
    let mut out = files.clone();
    for (k, v) in files {
        if is_url(k) || k.starts_with('/') {
            continue;
        }
        if let Some(r) = relative(k, &dir) {
            out.insert(r, v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_keyed_from_the_root_templates_directory() {
        assert_eq!(key_of("top.yaml", "lib/app.yaml"), "lib/app.yaml");
        assert_eq!(
            key_of("lib/app.yaml", "scripts/boot.sh"),
            "lib/scripts/boot.sh"
        );
        assert_eq!(key_of("lib/app.yaml", "../common/x.sh"), "common/x.sh");
        assert_eq!(key_of("lib/app.yaml", "./a/../b.sh"), "lib/b.sh");
        assert_eq!(
            key_of("top.yaml", "../boot-config/x.yaml"),
            "../boot-config/x.yaml"
        );
        assert_eq!(
            key_of("../boot-config/x.yaml", "fragments/a.sh"),
            "../boot-config/fragments/a.sh"
        );
        assert_eq!(
            key_of("lib/app.yaml", "https://h/x.yaml"),
            "https://h/x.yaml"
        );
        assert_eq!(key_of("https://h/a/b.yaml", "c.yaml"), "c.yaml");
    }

    #[test]
    fn a_file_is_found_by_its_plain_name() {
        let files: JsonMap<String, Json> = json!({"lib/x.sh": "x"}).as_object().cloned().unwrap();
        let get = |k: &str| files.get(k).cloned();
        assert_eq!(find("./lib/x.sh", get), Some(json!("x")));
        assert_eq!(find("lib/../lib/x.sh", get), Some(json!("x")));
        assert_eq!(find("x.sh", get), None);
    }

    #[test]
    fn a_nested_template_sees_its_files_by_its_own_names() {
        let files: JsonMap<String, Json> = json!({
            "lib/app.yaml": "app",
            "lib/scripts/boot.sh": "lib's",
            "scripts/boot.sh": "root's",
            "common/x.sh": "x",
            "file:///abs/y.sh": "y",
            "../boot-config/fragments/a.sh": "a",
        })
        .as_object()
        .cloned()
        .unwrap();
        let seen = files_for(&files, "lib/app.yaml");
        assert_eq!(seen["scripts/boot.sh"], "lib's");
        assert_eq!(seen["../common/x.sh"], "x");
        assert_eq!(seen["app.yaml"], "app");
        assert_eq!(seen["file:///abs/y.sh"], "y");
        assert_eq!(seen["lib/scripts/boot.sh"], "lib's");
        // At the root, nothing changes.
        assert_eq!(files_for(&files, "top.yaml"), files);
        // A template above the root sees its own files by their names; the
        // root's cannot be named from there (its directory is not known).
        let up = files_for(&files, "../boot-config/x.yaml");
        assert_eq!(up["fragments/a.sh"], "a");
        assert_eq!(up.len(), files.len() + 1);
    }
}
