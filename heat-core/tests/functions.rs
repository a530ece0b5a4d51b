//! Classes of function and section behaviour where Heat 27 is particular,
//! each checked on a template of its own: `list_concat_unique` keeps each
//! item where it first appears; `digest` hashes the latin-1 bytes of
//! text with Python's algorithms; `str_replace` takes numbers as keys; a two-argument
//! `if` whose condition is false removes the key; an empty `conditions:`
//! section is refused; `allowed_pattern` is a Python regular expression;
//! `if` reads its condition before anything is created.

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
fn digest_hashes_latin1_bytes_with_pythons_algorithms() {
    // Heat's `hashlib.new(algorithm).update(value.encode('latin-1'))`.
    assert_eq!(
        value("2018-08-31", "{digest: [sha256, \"héllo\"]}"),
        json!("c63c19ed1e0ee079f22ddb0d4112cfc799132c88684eb42324c62b9899b0c6c1")
    );
    assert_eq!(
        value("2018-08-31", "{digest: [SHA3_256, foo]}"),
        json!("76d3bc41c9f588f7fcd0d5bf4718f8f84b1c41b20882703100b9eb9413807c01")
    );
    assert_eq!(
        value("2018-08-31", "{digest: [blake2s, foo]}"),
        json!("08d6cad88075de8f192db097573d0e829411cd91eb6ec65e8fc16c017edfdb74")
    );
    assert_eq!(
        value("2018-08-31", "{digest: [md5-sha1, foo]}"),
        json!("acbd18db4cc2f85cedef654fccc4a4d80beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33")
    );
    // Text beyond latin-1 cannot be encoded: refused, as Python refuses it.
    let t = Template::parse(
        "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::Value\n    properties:\n      value: {digest: [md5, \"日本\"]}\n",
    )
    .unwrap();
    let (def, _) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    let def = def.unwrap();
    let e = function::resolve(def.resources[0].properties.as_ref().unwrap(), &def).unwrap_err();
    assert!(
        e.message
            .contains("'latin-1' codec can't encode character '\\u65e5' in position 0"),
        "{e:?}"
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

#[test]
fn an_if_on_a_condition_that_is_not_one_is_refused_before_creation() {
    // Heat's `if` is a macro: the condition is read when the template is
    // parsed, an unknown name (or a number) refused then.
    for (condition, shown) in [
        ("nonexistent", "nonexistent"),
        ("Cond_True", "Cond_True"),
        ("1", "1"),
    ] {
        let t = Template::parse(&format!(
            "heat_template_version: 2018-08-31\nconditions:\n  no: false\nresources:\n  a:\n    type: OS::Heat::Value\n    properties:\n      value: {{if: [{condition}, x, y]}}\n"
        ))
        .unwrap();
        let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .message
                .contains(&format!("Invalid condition \"{shown}\"")),
            "{errors:?}"
        );
        assert!(
            errors[0].path.starts_with("resources.a.properties"),
            "{errors:?}"
        );
    }
    // No condition (null) is true, as Heat's `is_enabled(None)`.
    assert_eq!(value("2018-08-31", "{if: [null, x, y]}"), json!("x"));
}

/// The error resolving resource `a`'s `value` property.
fn value_error(version: &str, snippet: &str) -> String {
    let text = format!(
        "heat_template_version: {version}\nresources:\n  a:\n    type: OS::Heat::Value\n    properties:\n      value: {snippet}\n"
    );
    let t = Template::parse(&text).unwrap();
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    if let Some(e) = errors.first() {
        return e.message.clone();
    }
    let def = def.unwrap();
    let props = def.resources[0].properties.as_ref().unwrap();
    function::resolve(props, &def).unwrap_err().message
}

#[test]
fn replacements_heat_refuses_are_refused() {
    // Heat splits the template on each key: an empty one is Python's
    // "empty separator"; a key replaced by a list is not hashable (said
    // in the author's words).
    assert_eq!(
        value_error(
            "2018-08-31",
            "{str_replace: {template: abc, params: {'': x}}}"
        ),
        "empty separator"
    );
    assert_eq!(
        value_error("2018-08-31", "{map_replace: [{a: 1}, {keys: {a: [x]}}]}"),
        "a new key must be a string or a number; found a list"
    );
}

#[test]
fn numbers_compare_and_add_as_pythons() {
    // An int and a float are equal only when exactly so.
    for (a, b, equal) in [
        ("9007199254740993", "9007199254740992.0", false),
        ("2", "2.0", true),
    ] {
        let t = Template::parse(&format!(
            "heat_template_version: 2018-08-31\nconditions:\n  c: {{equals: [{a}, {b}]}}\nresources:\n  a: {{type: OS::Heat::None, condition: c}}\n"
        ))
        .unwrap();
        let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
        assert!(errors.is_empty(), "{errors:?}");
        let enabled = def.unwrap().resources[0].enabled;
        assert_eq!(enabled, equal, "{a} = {b}");
    }
    // YAQL's integers stay exact.
    assert_eq!(
        value(
            "2018-08-31",
            "{yaql: {expression: '$.data + 1', data: 9007199254740993}}"
        ),
        json!(9007199254740994_i64)
    );
}

#[test]
fn a_list_or_map_in_a_get_attr_path_is_refused_from_2014_10_16() {
    for (version, refused) in [
        ("2013-05-23", false),
        ("2014-10-16", true),
        ("2021-04-16", true),
    ] {
        let found = problems(&format!(
            "heat_template_version: {version}\nresources:\n  a: {{type: OS::Heat::None}}\noutputs:\n  o: {{value: {{get_attr: [a, x, {{k: v}}]}}}}\n"
        ));
        assert_eq!(
            found
                .iter()
                .any(|(_, m)| m.contains("an attribute path holds names and indexes")),
            refused,
            "{version}: {found:?}"
        );
    }
}

#[test]
fn a_problem_in_an_argument_is_placed_under_its_function() {
    let found = problems(
        "heat_template_version: 2016-10-14\nresources:\n  a: {type: OS::Heat::None}\noutputs:\n  o:\n    value:\n      str_replace:\n        template: host\n        params: {host: {get_attr: [a, x, [1]]}}\n",
    );
    assert!(
        found
            .iter()
            .any(|(p, _)| p == "outputs.o.value.str_replace.params.host.get_attr"),
        "{found:?}"
    );
}

#[test]
fn a_null_attribute_name_is_every_attribute_from_2015_10_15() {
    let t = Template::parse(
        "heat_template_version: 2015-10-15\nresources:\n  a: {type: OS::Heat::None}\noutputs:\n  all: {value: {get_attr: [a, null]}}\n",
    )
    .unwrap();
    let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn ref_in_cloudformation_conditions_names_parameters_only() {
    let t = Template::parse(
        r#"{"AWSTemplateFormatVersion": "2010-09-09",
 "Conditions": {"c": {"Fn::Equals": [{"Ref": "web"}, "x"]}},
 "Resources": {"web": {"Type": "OS::Heat::None"},
               "b": {"Type": "OS::Heat::None", "Condition": "c"}}}"#,
    )
    .unwrap();
    let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("The specified reference \"web\"")),
        "{errors:?}"
    );
}

#[test]
fn an_external_resource_depends_on_nothing() {
    // Heat drops its implicit dependencies and refuses explicit ones.
    let build = |extra: &str| {
        let t = Template::parse(&format!(
            "heat_template_version: 2016-10-14\nresources:\n  net: {{type: OS::Heat::None}}\n  ext:\n    type: OS::Heat::None\n    external_id: abc\n    properties: {{value: {{get_resource: net}}}}\n{extra}"
        ))
        .unwrap();
        let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
        (def.map(|d| d.graph.requires("ext")), errors)
    };
    let (requires, errors) = build("");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(requires, Some(Vec::<String>::new()));
    let (_, errors) = build("    depends_on: net\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message,
        "Invalid dependency with external OS::Heat::None resource: abc"
    );
    assert_eq!(errors[0].path, "resources.ext.depends_on");
}

#[test]
fn a_resource_named_as_a_parameter_is_refused_where_it_is() {
    let t = Template::parse(
        "heat_template_version: 2016-10-14\nparameters:\n  web: {type: string, default: x}\nresources:\n  web: {type: OS::Heat::None}\n",
    )
    .unwrap();
    let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "Duplicate names {'web'}");
    assert_eq!(errors[0].path, "resources.web");
    assert_eq!(errors[0].line, 5);
}

/// The problems of a template, as (path, message).
fn problems(text: &str) -> Vec<(String, String)> {
    let t = Template::parse(text).unwrap();
    let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    errors.into_iter().map(|e| (e.path, e.message)).collect()
}

#[test]
fn sections_and_resource_keys_are_read_as_heat_reads_them() {
    let v = "heat_template_version: 2016-10-14\n";
    // A section given as a false value is absent (`t.get(section) or {}`).
    for section in [
        "outputs: []",
        "resources: ''",
        "parameter_groups: ''",
        "parameters: []",
    ] {
        assert!(problems(&format!("{v}{section}\n")).is_empty(), "{section}");
    }
    // A list of parameters has no items.
    assert_eq!(
        problems(&format!("{v}parameters: [a]\n")),
        vec![(
            "parameters".to_string(),
            "The parameters section must be a map of parameter names to definitions; found a list"
                .to_string()
        )]
    );
    // A resource key given as null is of the wrong type.
    for (key, message) in [
        (
            "depends_on",
            "Resource a depends_on type must be list or string",
        ),
        ("description", "Resource a description type must be string"),
        (
            "condition",
            "Resource a condition type must be string_or_boolean",
        ),
    ] {
        let found = problems(&format!(
            "{v}resources:\n  a:\n    type: OS::Heat::None\n    {key}:\n"
        ));
        assert_eq!(
            found,
            vec![(format!("resources.a.{key}"), message.to_string())],
            "{key}"
        );
    }
    // An empty external id is none: the resource depends as any other.
    assert!(problems(&format!(
        "{v}resources:\n  b: {{type: OS::Heat::None}}\n  a:\n    type: OS::Heat::None\n    external_id: ''\n    depends_on: b\n"
    ))
    .is_empty());
}

#[test]
fn a_template_resource_fits_its_template() {
    let check = |nested: &str, resource: &str| {
        let t = Template::parse(&format!(
            "heat_template_version: 2016-10-14\nresources:\n  a:\n    type: nested.yaml\n{resource}"
        ))
        .unwrap();
        let mut inputs = Inputs::default();
        inputs.files.insert("nested.yaml".into(), nested.into());
        let (_, errors) = StackDefinition::build(&t, inputs, &AnyType);
        errors
            .into_iter()
            .map(|e| (e.path, e.message))
            .collect::<Vec<_>>()
    };
    let nested = "heat_template_version: 2016-10-14\nparameters:\n  name: {type: string}\n";
    assert!(check(nested, "    properties: {name: x}\n").is_empty());
    // Values are the nested stack's business; names are the parent's.
    assert!(check(nested, "    properties: {}\n").is_empty());
    assert_eq!(
        check(nested, "    properties: {nmae: x}\n"),
        vec![(
            "resources.a.properties.nmae".to_string(),
            "Property error: resources.a.properties: Unknown Property nmae".to_string()
        )]
    );
    assert_eq!(
        check(nested, "    update_policy: {rolling_update: {}}\n")[0].0,
        "resources.a.update_policy.rolling_update"
    );
    // A template that does not load is refused with the parent.
    for broken in [
        "heat_template_version: 2016-13-14\n",
        "heat_template_version: 2016-10-14\nparameters:\n  size: {default: 1}\n",
    ] {
        let found = check(broken, "");
        assert_eq!(found.len(), 1, "{broken}: {found:?}");
        assert_eq!(found[0].0, "resources.a.type");
    }
}

#[test]
fn the_validate_view_shows_labels_and_descriptions_as_written() {
    let t = Template::parse(
        "heat_template_version: 2016-10-14\nparameters:\n  p: {type: string, label: 123, description: {text: x}}\n",
    )
    .unwrap();
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    let view = def.unwrap().validate_view();
    assert_eq!(view["Parameters"]["p"]["Label"], json!(123));
    assert_eq!(view["Parameters"]["p"]["Description"], json!({"text": "x"}));
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
    // Python's dialect: `[` inside a set is itself, `\Z` ends the text.
    assert!(allowed("[[:alpha:]]+", "a]").is_ok());
    assert!(allowed("[[:alpha:]]+", "yikes").is_err());
    assert!(allowed("[a-z]+\\Z", "abc").is_ok());
    // What Python cannot compile is refused, with or without a default.
    for bad in ["[a-z", "\\p{L}", "a\\z", "(?<name>a)", "a{2,1}", "*abc"] {
        let t = Template::parse(&format!(
            "heat_template_version: 2016-10-14\nparameters:\n  p:\n    type: string\n    constraints: [{{allowed_pattern: '{bad}'}}]\n"
        ))
        .unwrap();
        let (_, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
        assert!(
            errors[0].message.contains("allowed_pattern"),
            "{bad}: {errors:?}"
        );
    }
}

#[test]
fn a_reference_to_no_resource_is_said_once() {
    // Found by the graph's references and by the function's validation:
    // one problem, one message, with the name most likely meant.
    let found = problems(
        "heat_template_version: 2018-08-31
resources:
  web: {type: OS::Heat::None}
  v: {type: OS::Heat::Value, properties: {value: {get_attr: [webb, first_address]}}}
",
    );
    assert_eq!(
        found,
        vec![(
            "resources.v.properties.value.get_attr".to_string(),
            "The specified reference \"webb\" (in v.Properties.value) is incorrect. \
             (did you mean \"web\"?)"
                .to_string()
        )]
    );
}
