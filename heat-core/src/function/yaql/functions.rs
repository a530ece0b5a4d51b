//! YAQL's functions as yaql 3 has them in Heat's context: which names are
//! methods only, functions only or both, the calls (`let`, `switch`,
//! `regex`...), and Python's semantics the evaluator borrows (a missing
//! key's `KeyError`, repetition, exact integers, `str()` of tuples).

use serde_json::Value as Json;

use super::library::method;
use super::{eval, num, number, Yaql};

/// The names YAQL's standard library has as methods only (`x.sum()`, not
/// `sum(x)`), as yaql 3's context registers them.
const METHODS_ONLY: &[&str] = &[
    "accumulate",
    "add",
    "aggregate",
    "assert",
    "contains",
    "containsKey",
    "containsValue",
    "count",
    "cycle",
    "defaultIfEmpty",
    "delete",
    "deleteAll",
    "difference",
    "endsWith",
    "filter",
    "first",
    "flatten",
    "format",
    "get",
    "groupBy",
    "indexOf",
    "indexWhere",
    "insert",
    "insertMany",
    "intersect",
    "items",
    "join",
    "keys",
    "last",
    "lastIndexOf",
    "lastIndexWhere",
    "limit",
    "map",
    "matches",
    "memorize",
    "mergeWith",
    "orderBy",
    "orderByDescending",
    "reduce",
    "remove",
    "repeat",
    "replace",
    "replaceBy",
    "replaceMany",
    "reverse",
    "rightSplit",
    "search",
    "searchAll",
    "select",
    "selectMany",
    "single",
    "skip",
    "skipWhile",
    "slice",
    "sliceWhere",
    "split",
    "splitAt",
    "splitWhere",
    "startsWith",
    "substring",
    "sum",
    "switchCase",
    "symmetricDifference",
    "take",
    "takeWhile",
    "thenBy",
    "thenByDescending",
    "toCharArray",
    "toDict",
    "toList",
    "toLower",
    "toSet",
    "toUpper",
    "trim",
    "trimLeft",
    "trimRight",
    "union",
    "unpack",
    "values",
    "where",
    "zip",
    "zipLongest",
];

/// The names it has as functions only (`str(x)`, not `x.str()`).
pub(super) const FUNCTIONS_ONLY: &[&str] = &[
    "abs",
    "bool",
    "call",
    "characters",
    "coalesce",
    "def",
    "dict",
    "float",
    "generate",
    "generateMany",
    "hex",
    "int",
    "isBoolean",
    "isDict",
    "isInteger",
    "isIterable",
    "isList",
    "isNumber",
    "isSet",
    "isString",
    "let",
    "list",
    "pow",
    "range",
    "regex",
    "round",
    "selectAllCases",
    "selectCase",
    "sequence",
    "sign",
    "str",
    "switch",
    "with",
];

/// Names both a method and a function (`len(x)`, `x.len()`).
const BOTH: &[&str] = &[
    "all",
    "any",
    "append",
    "concat",
    "distinct",
    "enumerate",
    "isEmpty",
    "len",
    "max",
    "min",
    "norm",
    "set",
];

/// A function call (`f(args)`): YAQL's functions, and the methods that are
/// functions too with the first argument as receiver.
pub(super) fn call(name: &str, args: &[Yaql], ctx: &Json) -> Result<Json, String> {
    let arg = |i: usize| -> Result<Json, String> {
        args.get(i)
            .map(|a| eval(a, ctx))
            .transpose()?
            .ok_or_else(|| format!("No function \"{name}\" matches supplied arguments"))
    };
    Ok(match name {
        "let" => ctx.clone(),
        "switch" => {
            for a in args {
                let Yaql::Pair(condition, value) = a else {
                    return Err("No function \"switch\" matches supplied arguments".into());
                };
                if crate::function::builtins::truthy(&eval(condition, ctx)?) {
                    return eval(value, ctx);
                }
            }
            Json::Null
        }
        "coalesce" => {
            for a in args {
                let v = eval(a, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Json::Null
        }
        "abs" => {
            let v = arg(0)?;
            number(num(&v)?.abs(), v.is_i64())
        }
        "round" => {
            // Python's round(x, n): half to even, a float.
            let x = num(&arg(0)?)?;
            let digits = match args.get(1) {
                Some(d) => num(&eval(d, ctx)?)? as i32,
                None => 0,
            };
            let scale = 10f64.powi(digits);
            number((x * scale).round_ties_even() / scale, false)
        }
        "max" | "min" if args.len() == 2 => {
            let (a, b) = (arg(0)?, arg(1)?);
            let a_first = match (&a, &b) {
                (Json::String(p), Json::String(q)) => p >= q,
                _ => num(&a)? >= num(&b)?,
            };
            if a_first == (name == "max") {
                a
            } else {
                b
            }
        }
        "max" | "min" => return Err(format!("No function \"{name}\" matches supplied arguments")),
        "regex" => {
            let mut m = serde_json::Map::new();
            m.insert(REGEX.into(), arg(0)?);
            Json::Object(m)
        }
        "dict" if args.iter().all(|a| matches!(a, Yaql::Pair(..))) => {
            let mut out = serde_json::Map::new();
            for a in args {
                if let Yaql::Pair(k, v) = a {
                    out.insert(
                        crate::function::python::str_of(&eval(k, ctx)?),
                        eval(v, ctx)?,
                    );
                }
            }
            Json::Object(out)
        }
        "str" => Json::String(yaql_str(&arg(0)?)),
        _ if METHODS_ONLY.contains(&name) && !BOTH.contains(&name) => {
            return Err(format!("Unknown function \"{name}\""))
        }
        _ => {
            let Some((first, rest)) = args.split_first() else {
                return Err(format!("unsupported yaql function {name}()"));
            };
            method(&eval(first, ctx)?, name, rest, ctx)?
        }
    })
}

/// The key of the map that stands for a compiled `regex(...)`.
const REGEX: &str = "__yaql_regex__";

/// Whether a pattern is found in a string (Python's `re.search`): `s =~ p`,
/// `s.matches(p)`, `regex(p).matches(s)`.
pub(super) fn search(a: &Json, b: &Json) -> Result<bool, String> {
    let (text, pattern) = match (a.get(REGEX), b.get(REGEX)) {
        (Some(p), _) => (b, p),
        (_, Some(p)) => (a, p),
        _ => (a, b),
    };
    let (Some(text), Some(pattern)) = (text.as_str(), pattern.as_str()) else {
        return Err("matches() needs a string and a pattern".into());
    };
    let rust = crate::parameters::python_pattern(pattern)
        .map_err(|e| format!("bad regular expression {pattern}: {e}"))?;
    let re = fancy_regex::Regex::new(&rust)
        .map_err(|e| format!("bad regular expression {pattern}: {e}"))?;
    re.is_match(text).map_err(|e| e.to_string())
}

/// `a.b`: a dictionary's key (a `KeyError` when missing), or the key of
/// each dictionary of a list.
pub(super) fn member(v: &Json, name: &str) -> Result<Json, String> {
    match v {
        Json::Object(m) => m.get(name).cloned().ok_or_else(|| format!("'{name}'")),
        Json::Array(items) => Ok(Json::Array(
            items
                .iter()
                .map(|i| member(i, name))
                .collect::<Result<_, _>>()?,
        )),
        other => Err(format!(
            "Unknown property \"{name}\" of {}",
            crate::function::python::str_of(other)
        )),
    }
}

/// How many times `'ab' * n` repeats a sequence of `len` items (the
/// result at most a million, as yaql's memory quota bounds it).
pub(super) fn repetitions(n: &serde_json::Number, len: usize) -> Result<usize, String> {
    match n.as_i64() {
        Some(k) if k <= 0 => Ok(0),
        Some(k) if (k as u128) * (len.max(1) as u128) <= 1_000_000 => Ok(k as usize),
        Some(_) => Err("Expression consumed too much memory".into()),
        None => Err("can't multiply sequence by non-int of type 'float'".into()),
    }
}

/// `$name` replaced by a value in an expression (`let`'s binding).
pub(super) fn bind(e: &Yaql, name: &str, value: &Json) -> Yaql {
    let b = |x: &Yaql| Box::new(bind(x, name, value));
    let all = |xs: &[Yaql]| xs.iter().map(|x| bind(x, name, value)).collect();
    match e {
        Yaql::Var(n) if n == name => Yaql::Lit(value.clone()),
        Yaql::Var(_) | Yaql::Context | Yaql::Lit(_) => e.clone(),
        Yaql::Member(o, m) => Yaql::Member(b(o), m.clone()),
        Yaql::Method(o, m, args) => Yaql::Method(b(o), m.clone(), all(args)),
        Yaql::Call(f, args) => Yaql::Call(f.clone(), all(args)),
        Yaql::Pair(k, v) => Yaql::Pair(b(k), b(v)),
        Yaql::Index(o, i) => Yaql::Index(b(o), b(i)),
        Yaql::Binary(l, op, r) => Yaql::Binary(b(l), op.clone(), b(r)),
        Yaql::Unary(op, x) => Yaql::Unary(op.clone(), b(x)),
        Yaql::List(xs) => Yaql::List(all(xs)),
        Yaql::Dict(pairs) => Yaql::Dict(
            pairs
                .iter()
                .map(|(k, v)| (bind(k, name, value), bind(v, name, value)))
                .collect(),
        ),
    }
}

/// YAQL's `str()`: its lists are Python tuples, its booleans and null
/// lower-case.
fn yaql_str(v: &Json) -> String {
    match v {
        Json::Bool(b) => b.to_string(),
        Json::Null => "null".into(),
        Json::Array(items) => tuple_repr(items),
        other => crate::function::python::str_of(other),
    }
}

fn tuple_repr(items: &[Json]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match i {
            Json::Array(inner) => tuple_repr(inner),
            other => crate::function::python::repr(other),
        })
        .collect();
    match parts.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", parts.join(", ")),
    }
}

/// Integer arithmetic, exact as Python's, while it fits 64 bits.
pub(super) fn int_op(x: &Json, y: &Json, op: fn(i64, i64) -> Option<i64>) -> Option<Json> {
    op(x.as_i64()?, y.as_i64()?).map(Json::from)
}
