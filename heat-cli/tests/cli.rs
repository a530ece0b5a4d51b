//! The `heat` binary as a user runs it: validate, graph, and clear errors
//! with the file, path and line.

use std::process::Command;

fn heat(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .args(args)
        .output()
        .expect("heat runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A directory of the test's files, removed when dropped.
fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("heat-cli-tests-")
        .tempdir()
        .unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn example() -> String {
    format!("{}/../examples/wordpress.yaml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn graph_json_has_resources_and_levels() {
    let (code, out, _) = heat(&["template", "graph", "-t", &example(), "-f", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["resources"]["subnet"]["requires"],
        serde_json::json!(["net"])
    );
    assert_eq!(
        v["levels"][0],
        serde_json::json!(["db_volume", "net", "router", "web_sg"])
    );
    assert_eq!(v["levels"].as_array().unwrap().len(), 5);
}

#[test]
fn graph_dot_and_svg_draw_edges() {
    let (code, out, _) = heat(&["template", "graph", "-t", &example(), "-f", "dot"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"subnet\" -> \"net\""), "{out}");
    let (code, out, _) = heat(&["template", "graph", "-t", &example(), "-f", "svg"]);
    assert_eq!(code, 0);
    assert!(out.contains("<svg"), "{out}");
}

#[test]
fn validate_shows_parameters_as_heat_does() {
    let (code, out, _) = heat(&["template", "validate", "-t", &example(), "-f", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Parameters"]["db_password"]["NoEcho"], "true");
    assert_eq!(
        v["Parameters"]["flavor"]["AllowedValues"],
        serde_json::json!(["m1.tiny", "m1.small", "m1.medium"])
    );
    assert_eq!(v["Parameters"]["key_name"]["Label"], "Key pair");
}

fn json_error(template: &str) -> serde_json::Value {
    let dir = tmp();
    let path = write(&dir, &format!("t{}.yaml", template.len()), template);
    let (code, out, _) = heat(&["template", "graph", "-t", &path, "-f", "json"]);
    assert_eq!(code, 1, "{out}");
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["error"].clone()
}

#[test]
fn a_cycle_names_its_resources() {
    let e = json_error(
        "heat_template_version: 2016-10-14\nresources:\n  a:\n    type: OS::Heat::None\n    depends_on: b\n  b:\n    type: OS::Heat::None\n    properties:\n      x: {get_resource: a}\n",
    );
    assert_eq!(e["kind"], "cycle");
    assert_eq!(e["cycle"], serde_json::json!(["a", "b"]));
}

#[test]
fn a_bad_reference_has_path_and_line() {
    let e = json_error("heat_template_version: 2016-10-14\nresources:\n  a:\n    type: OS::Heat::None\n    properties:\n      x: {get_resource: nope}\n");
    assert_eq!(e["kind"], "reference");
    assert_eq!(e["path"], "resources.a.properties.x.get_resource");
    assert_eq!(e["line"], 6);
}

#[test]
fn an_unknown_function_in_a_condition_is_refused() {
    let e = json_error("heat_template_version: 2016-10-14\nconditions:\n  c: {equals: [{get_attr: [a, b]}, 1]}\nresources: {}\n");
    assert_eq!(e["path"], "conditions.c.equals[0].get_attr");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("invalid in this context"));
}

#[test]
fn a_function_not_in_the_version_is_refused() {
    let e = json_error("heat_template_version: 2016-10-14\nresources:\n  a:\n    type: OS::Heat::None\n    properties:\n      x: {Fn::Select: [0, [a]]}\n");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("not supported in this version of HOT"),
        "{e}"
    );
    assert_eq!(e["line"], 6);
}

#[test]
fn a_yaml_syntax_error_has_a_line() {
    let e = json_error("heat_template_version: 2016-10-14\nresources:\n  a: [\n");
    assert_eq!(e["kind"], "syntax");
    assert!(e["line"].as_u64().unwrap() >= 3);
}

#[test]
fn an_unknown_version_lists_the_accepted_ones() {
    let e = json_error("heat_template_version: 2016-10-15\n");
    assert_eq!(e["kind"], "version");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("2016-10-14, 2017-02-24"),
        "{e}"
    );
}

#[test]
fn a_missing_parameter_is_named() {
    let dir = tmp();
    let path = write(
        &dir,
        "missing.yaml",
        "heat_template_version: 2016-10-14\nparameters:\n  p: {type: string}\nconditions:\n  c: {equals: [{get_param: p}, x]}\nresources:\n  a:\n    type: OS::Heat::None\n    condition: c\n",
    );
    let (code, _, err) = heat(&["template", "graph", "-t", &path, "-f", "dot"]);
    assert_eq!(code, 1);
    assert!(err.contains("The Parameter (p) was not provided."), "{err}");
    assert!(err.contains("resources.a.condition"), "{err}");
    let (code, out, _) = heat(&[
        "template",
        "graph",
        "-t",
        &path,
        "--parameter",
        "p=x",
        "-f",
        "json",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("\"a\""));
}

#[test]
fn readable_errors_go_to_stderr_with_the_file() {
    let dir = tmp();
    let path = write(&dir, "bad.yaml", "heat_template_version: 2016-10-14\nresources:\n  a:\n    type: OS::Heat::None\n    depends_on: ghost\n");
    let (code, out, err) = heat(&["template", "validate", "-t", &path]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("bad.yaml"), "{err}");
    assert!(err.contains("ghost"), "{err}");
}

#[test]
fn environment_files_merge_in_order_and_map_types() {
    let dir = tmp();
    let template = write(
        &dir,
        "envt.yaml",
        "heat_template_version: 2016-10-14\nparameters:\n  names: {type: comma_delimited_list}\n  size: {type: string, default: small}\nresources:\n  web:\n    type: My::Web\n  db:\n    type: Legacy::Database\n",
    );
    let e1 = write(
        &dir,
        "e1.yaml",
        "parameter_merge_strategies:\n  names: merge\nparameters:\n  names: [a]\nresource_registry:\n  My::Web: OS::Nova::Server\n  Legacy::*: OS::Heat::None\n",
    );
    let e2 = write(
        &dir,
        "e2.yaml",
        "parameters:\n  names: [b]\n  size: large\n",
    );
    let (code, out, err) = heat(&[
        "template", "validate", "-t", &template, "-e", &e1, "-e", &e2, "-f", "json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["Parameters"]["names"]["Value"],
        serde_json::json!(["a", "b"])
    );
    assert_eq!(v["Parameters"]["size"]["Value"], "large");
    let (code, out, _) = heat(&["template", "validate", "-t", &template, "-f", "json"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("The Resource Type (My::Web) could not be found."),
        "{out}"
    );
}

#[test]
fn a_bad_environment_names_its_file() {
    let dir = tmp();
    let template = write(
        &dir,
        "envt2.yaml",
        "heat_template_version: 2016-10-14\nresources: {}\n",
    );
    let env = write(
        &dir,
        "bad_env.yaml",
        "resource_registry:\n  resources:\n    web:\n      hooks: pre-nothing\n",
    );
    let (code, out, _) = heat(&[
        "template", "validate", "-t", &template, "-e", &env, "-f", "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["error"]["file"]
        .as_str()
        .unwrap()
        .ends_with("bad_env.yaml"));
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid hook type \"pre-nothing\""),
        "{v}"
    );
}
