//! YAQL as Heat evaluates it: each expression of `data/yaql_std.json` with
//! what yaql 3 (the library Heat 27 runs, with the context Heat creates)
//! gives for it, a value or an error. The table was written by running
//! yaql itself; it covers method-only and function-only names (`sum($)`
//! is an unknown function, `$.str()` an unknown method), `let`, `switch`,
//! regular expressions, `{a => 1}` dictionaries, Python's arithmetic
//! (`mod`, integer division, string repetition), missing keys
//! (`KeyError`) and YAQL's `str()` of lists (tuples).

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::function;
use heat_core::template::Template;
use serde_json::{json, Value as Json};

fn evaluate(expression: &str, data: &Json) -> Result<Json, String> {
    let snippet = json!({"yaql": {"expression": expression, "data": data}});
    let template = json!({
        "heat_template_version": "2016-10-14",
        "resources": {"a": {"type": "OS::Heat::Value", "properties": {"value": snippet}}}
    });
    let t = Template::parse(&template.to_string()).map_err(|e| e.to_string())?;
    let (def, errors) = StackDefinition::build(&t, Inputs::default(), &AnyType);
    if let Some(e) = errors.first() {
        return Err(e.to_string());
    }
    let def = def.ok_or("no definition")?;
    let props = function::resolve(def.resources[0].properties.as_ref().unwrap(), &def)
        .map_err(|e| e.to_string())?;
    Ok(props["value"].clone())
}

#[test]
fn yaql_agrees_with_yaql() {
    let table: Vec<Json> =
        serde_json::from_str(include_str!("data/yaql_std.json")).expect("the table is JSON");
    let mut wrong = Vec::new();
    for case in &table {
        let expression = case["expression"]
            .as_str()
            .or(case["expr"].as_str())
            .unwrap();
        let ours = evaluate(expression, &case["data"]);
        let agrees = match (&ours, case.get("ok")) {
            (Ok(v), Some(expected)) => v == expected,
            (Err(_), None) => true,
            _ => false,
        };
        if !agrees {
            wrong.push(format!(
                "{expression} on {}: heat-rs {ours:?}, yaql {}",
                case["data"],
                case.get("ok").unwrap_or(&case["error"])
            ));
        }
    }
    assert!(table.len() > 80, "{} cases", table.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn hostile_expressions_are_refused_cheaply() {
    // Nesting beyond a hundred levels, and results beyond a million items.
    let deep = format!("{}1{}", "(".repeat(50_000), ")".repeat(50_000));
    assert!(evaluate(&deep, &Json::Null).is_err());
    let minus = format!("{}1", "-".repeat(50_000));
    assert!(evaluate(&minus, &Json::Null).is_err());
    let big = evaluate("[1, 2, 3] * 1000000", &Json::Null).unwrap_err();
    assert!(big.contains("too much memory"), "{big}");
    assert_eq!(evaluate("'ab' * 3", &Json::Null).unwrap(), json!("ababab"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Any expression made of YAQL's tokens is answered, a value or an
    /// error, never a panic.
    #[test]
    fn any_expression_is_answered(
        tokens in proptest::collection::vec(
            proptest::sample::select(vec![
                "$", "$.data", "$x", "$1", ".", "(", ")", "[", "]", "{", "}", ",", "=>", "->",
                "+", "-", "*", "/", "mod", "=", "!=", "<", ">=", "=~", "!~", "and", "or", "not",
                "in", "1", "-7", "2.5", "9223372036854775807", "'ab'", "''", "true", "null",
                "let", "switch", "max", "min", "sum", "len", "str", "round", "abs", "regex",
                "matches", "select", "where", "flatten", "mergeWith", "get", "toSet", "join",
                "split", "dict", "format", "x", "a",
            ]),
            0..24,
        )
    ) {
        let expression = tokens.join(" ");
        let data = json!({"a": [1, 2, {"b": "c"}], "s": "abc", "n": 3});
        let _ = evaluate(&expression, &data);
    }
}
