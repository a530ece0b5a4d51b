//! A sandboxed subset of YAQL, the query language of Heat's `yaql`
//! function: `$`, `$.data`, member access, indexing, list and dict
//! literals (`[1, 2]`, `{'a' => 1}`), arithmetic, comparisons (`=` and
//! `==`), boolean operators, and the methods of YAQL's standard library
//! that templates use, as methods (`$.data.a.mergeWith($.data.b)`) or
//! functions (`len($.data.list)`): queries (`where`, `select`,
//! `selectMany`, `any`, `all`, `orderBy`, `skip`, `take`, `distinct`,
//! `toDict`...), dictionaries (`mergeWith`, `get`, `keys`, `items`...),
//! strings (`split`, `join`, `replace`, `startsWith`...); `let(x => v) ->
//! expr` and `$x`, `switch`, regular expressions (`=~`, `matches`,
//! `regex`), `{a => 1}` dictionaries. As in YAQL, a method-only name called
//! as a function (`sum($.data)`) is an unknown function, a function-only
//! one called as a method (`$.data.str()`) an unknown method, and a
//! missing key a `KeyError`; anything else beyond the subset is a clear
//! "unsupported" error.

use serde_json::Value as Json;

mod functions;
mod library;
mod parse;

use functions::{bind, call, int_op, member, repetitions, search, FUNCTIONS_ONLY};
use library::method;
pub use parse::{parse, Yaql};

/// Evaluates an expression with `$` bound to `{"data": data}`.
pub fn evaluate(e: &Yaql, data: &Json) -> Result<Json, String> {
    let mut root = serde_json::Map::new();
    root.insert("data".into(), data.clone());
    eval(e, &Json::Object(root))
}

fn num(v: &Json) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| format!("{v} is not a number"))
}

fn number(f: f64, ints: bool) -> Json {
    if ints && f.fract() == 0.0 && f.abs() < 9e15 {
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

fn items(v: &Json) -> Result<Vec<Json>, String> {
    match v {
        Json::Array(a) => Ok(a.clone()),
        Json::Object(o) => Ok(o.keys().map(|k| Json::String(k.clone())).collect()),
        other => Err(format!("{other} is not a collection")),
    }
}

fn eval(e: &Yaql, ctx: &Json) -> Result<Json, String> {
    Ok(match e {
        Yaql::Context => ctx.clone(),
        Yaql::Lit(v) => v.clone(),
        Yaql::List(l) => Json::Array(l.iter().map(|x| eval(x, ctx)).collect::<Result<_, _>>()?),
        Yaql::Member(obj, name) => member(&eval(obj, ctx)?, name)?,
        Yaql::Var(_) => Json::Null,
        Yaql::Pair(..) => return Err("unexpected '=>'".into()),
        Yaql::Call(name, args) => call(name, args, ctx)?,
        Yaql::Index(obj, idx) => {
            let o = eval(obj, ctx)?;
            let i = eval(idx, ctx)?;
            match (&o, &i) {
                (Json::Array(a), Json::Number(n)) => n
                    .as_i64()
                    .and_then(|i| {
                        a.get(if i < 0 {
                            (a.len() as i64 + i) as usize
                        } else {
                            i as usize
                        })
                    })
                    .cloned()
                    .ok_or("tuple index out of range")?,
                (Json::Object(m), Json::String(k)) => {
                    m.get(k).cloned().ok_or_else(|| format!("'{k}'"))?
                }
                _ => return Err("unsupported indexing".into()),
            }
        }
        Yaql::Unary(op, a) => {
            let v = eval(a, ctx)?;
            match op.as_str() {
                "-" => number(-num(&v)?, v.is_i64()),
                _ => Json::Bool(!super::builtins::truthy(&v)),
            }
        }
        Yaql::Binary(a, op, b) if op == "->" => match &**a {
            // `let(x => v, ...) -> expr`: expr with `$x` bound.
            Yaql::Call(name, bindings) if name == "let" => {
                let mut body = (**b).clone();
                let mut position = 0;
                for binding in bindings {
                    let (var, value) = match binding {
                        Yaql::Pair(k, v) => (super::python::str_of(&eval(k, ctx)?), &**v),
                        v => {
                            position += 1;
                            (position.to_string(), v)
                        }
                    };
                    let value = eval(value, ctx)?;
                    body = bind(&body, &var, &value);
                }
                eval(&body, ctx)?
            }
            _ => return Err("No function \"#operator_->\" matches supplied arguments".into()),
        },
        Yaql::Binary(a, op, b) => {
            let x = eval(a, ctx)?;
            if op == "and" {
                return Ok(if super::builtins::truthy(&x) {
                    eval(b, ctx)?
                } else {
                    x
                });
            }
            if op == "or" {
                return Ok(if super::builtins::truthy(&x) {
                    x
                } else {
                    eval(b, ctx)?
                });
            }
            let y = eval(b, ctx)?;
            let ints = x.is_i64() && y.is_i64();
            match op.as_str() {
                "+" => match (&x, &y) {
                    (Json::String(p), Json::String(q)) => Json::String(format!("{p}{q}")),
                    (Json::Array(p), Json::Array(q)) => {
                        Json::Array(p.iter().chain(q).cloned().collect())
                    }
                    _ => int_op(&x, &y, i64::checked_add)
                        .unwrap_or(number(num(&x)? + num(&y)?, ints)),
                },
                "-" => {
                    int_op(&x, &y, i64::checked_sub).unwrap_or(number(num(&x)? - num(&y)?, ints))
                }
                "*" => match (&x, &y) {
                    (Json::String(t), Json::Number(n)) | (Json::Number(n), Json::String(t)) => {
                        Json::String(t.repeat(repetitions(n, t.len())?))
                    }
                    (Json::Array(l), Json::Number(n)) | (Json::Number(n), Json::Array(l)) => {
                        let times = repetitions(n, l.len())?;
                        Json::Array(l.iter().cloned().cycle().take(l.len() * times).collect())
                    }
                    _ => int_op(&x, &y, i64::checked_mul)
                        .unwrap_or(number(num(&x)? * num(&y)?, ints)),
                },
                "/" => {
                    if num(&y)? == 0.0 {
                        return Err("division by zero".into());
                    }
                    if ints {
                        Json::from((num(&x)? / num(&y)?).floor() as i64)
                    } else {
                        number(num(&x)? / num(&y)?, false)
                    }
                }
                "mod" => {
                    // Python's modulo: the sign of the divisor.
                    let d = num(&y)?;
                    if d == 0.0 {
                        return Err("integer division or modulo by zero".into());
                    }
                    number(num(&x)? - d * (num(&x)? / d).floor(), ints)
                }
                "=~" | "!~" => {
                    let found = search(&x, &y)?;
                    Json::Bool(found == (op == "=~"))
                }
                "==" => Json::Bool(super::python::eq(&x, &y)),
                "!=" => Json::Bool(!super::python::eq(&x, &y)),
                "in" => Json::Bool(items(&y)?.iter().any(|i| super::python::eq(i, &x))),
                cmp => {
                    let ord = match (&x, &y) {
                        (Json::String(p), Json::String(q)) => p.cmp(q),
                        _ => num(&x)?.partial_cmp(&num(&y)?).ok_or("cannot compare")?,
                    };
                    Json::Bool(match cmp {
                        "<" => ord.is_lt(),
                        ">" => ord.is_gt(),
                        "<=" => ord.is_le(),
                        _ => ord.is_ge(),
                    })
                }
            }
        }
        Yaql::Method(recv, name, args) => {
            let r = eval(recv, ctx)?;
            if FUNCTIONS_ONLY.contains(&name.as_str()) {
                return Err(format!(
                    "Unknown method \"{name}\" for receiver {}",
                    super::python::str_of(&r)
                ));
            }
            match name.as_str() {
                "matches" => Json::Bool(search(
                    &r,
                    &eval(args.first().ok_or("matches() needs a pattern")?, ctx)?,
                )?),
                "toSet" => method(&r, "distinct", args, ctx)?,
                "format" => {
                    return Err(format!(
                        "No method \"format\" for receiver {} matches supplied arguments",
                        super::python::str_of(&r)
                    ))
                }
                _ => method(&r, name, args, ctx)?,
            }
        }
        Yaql::Dict(pairs) => {
            let mut out = serde_json::Map::new();
            for (k, v) in pairs {
                out.insert(super::python::str_of(&eval(k, ctx)?), eval(v, ctx)?);
            }
            Json::Object(out)
        }
    })
}
