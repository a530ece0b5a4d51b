//! Classes of function and section behaviour where Heat 27 is particular,
//! each checked on a template of its own: `list_concat_unique` keeps each
//! item where it first appears; `digest` hashes the UTF-8 bytes of
//! non-ASCII text; `str_replace` takes numbers as keys; a two-argument
//! `if` whose condition is false removes the key; an empty `conditions:`
//! section is refused; `allowed_pattern` is a Python regular expression.

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::function;
use heat_core::template::Template;
use serde_json::{json, Value as Json};

/// The resolved `value` property of resource `a`.
fn value(version: &str, snippet: &str) -> Json {
    let text = format!(
        "heat_template_version: {version}\nconditions:\n  no: false\nresources:\n  a:\n    type: OS::Heat::Value\n    properties:\n      value: {snippet}\n"
    );
    let t = Template::parse(&text).unwrap();
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    let def = def.unwrap();
    let props = def.resources[0].properties.as_ref().unwrap();
    function::resolve(props, &def).unwrap()["value"].clone()
}

#[test]
fn list_concat_unique_keeps_the_first_occurrence() {
    assert_eq!(
        value("2018-08-31", "{list_concat_unique: [[1, 2, 3], [2, 4, 1]]}"),
        json!([1, 2, 3, 4])
    );
    // Python equality: 1 and 1.0 are one item.
    assert_eq!(
        value("2018-08-31", "{list_concat_unique: [[1, b], [1.0, b, c]]}"),
        json!([1, "b", "c"])
    );
}

#[test]
fn digest_hashes_utf8_bytes() {
    assert_eq!(
        value("2018-08-31", "{digest: [sha256, \"héllo\"]}"),
        json!("3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179")
    );
}

#[test]
fn str_replace_takes_numbers_as_keys() {
    assert_eq!(
        value(
            "2018-08-31",
            "{str_replace: {template: \"a1b2\", params: {1: X, 2: 3}}}"
        ),
        json!("aXb3")
    );
}

#[test]
fn a_false_two_argument_if_removes_the_key() {
    let t = Template::parse(
        "heat_template_version: 2021-04-16
conditions:
  no: false
resources:
  a:
    type: OS::Heat::Value
    properties:
      value: {x: {if: [no, 1]}, y: 2}
",
    )
    .unwrap();
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    let def = def.unwrap();
    let props = function::resolve(def.resources[0].properties.as_ref().unwrap(), &def).unwrap();
    assert_eq!(props["value"], json!({"y": 2}));
}

#[test]
fn an_empty_conditions_section_is_refused() {
    let t = Template::parse(
        "heat_template_version: 2018-08-31\nconditions:\nresources:\n  a: {type: OS::Heat::None}\n",
    )
    .unwrap();
    let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message,
        "Conditions validation error: Condition definitions must be a map. Found a NoneType instead"
    );
    assert_eq!(errors[0].path, "conditions");
}

/// Whether a value meets a parameter's `allowed_pattern`.
fn allowed(pattern: &str, value: &str) -> Result<(), String> {
    let text = format!(
        "heat_template_version: 2018-08-31\nparameters:\n  x:\n    type: string\n    constraints:\n      - allowed_pattern: {}\nresources: {{}}\n",
        serde_json::to_string(pattern).unwrap()
    );
    let t = Template::parse(&text).unwrap();
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    def.unwrap().parameters[0].check_constraints(&json!(value), false)
}

#[test]
fn allowed_patterns_are_python_regular_expressions() {
    // A quantifier on a lookaround or an empty group: Python takes it.
    assert!(allowed("(?=a)*b", "b").is_ok());
    assert!(allowed("(?=a)+a", "a").is_ok());
    assert!(allowed("(?=a)+b", "b").is_err());
    assert!(allowed("(?!x)?y", "y").is_ok());
    assert!(allowed("(?:)*z{2}", "zz").is_ok());
    // As Heat: the whole value must match.
    assert!(allowed("[a-z]+", "abc").is_ok());
    assert!(allowed("[a-z]+", "abc9").is_err());
    assert!(allowed("\\d{2,}", "12").is_ok());
    assert!(allowed("[(?=a)*]x", "*x").is_ok());
}
