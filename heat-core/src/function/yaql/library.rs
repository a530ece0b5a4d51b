//! YAQL's standard library as Heat's templates use it: the methods of
//! queries, collections, dictionaries and strings (see the parent's docs),
//! each called on its receiver (`x.f(a)`, or `f(x, a)`).

use serde_json::Value as Json;

use super::{eval, items, num, number, Yaql};

pub(super) fn method(r: &Json, name: &str, args: &[Yaql], ctx: &Json) -> Result<Json, String> {
    let arg = |i: usize| -> Result<Json, String> {
        args.get(i)
            .map(|a| eval(a, ctx))
            .transpose()?
            .ok_or_else(|| format!("{name}() needs an argument"))
    };
    Ok(match name {
        "where" | "select" => {
            let f = args
                .first()
                .ok_or_else(|| format!("{name}() needs an argument"))?;
            let mut out = Vec::new();
            for item in items(r)? {
                let v = eval(f, &item)?;
                if name == "select" {
                    out.push(v);
                } else if crate::function::builtins::truthy(&v) {
                    out.push(item);
                }
            }
            Json::Array(out)
        }
        "toUpper" => Json::String(r.as_str().ok_or("toUpper() needs a string")?.to_uppercase()),
        "toLower" => Json::String(r.as_str().ok_or("toLower() needs a string")?.to_lowercase()),
        "len" | "count" => Json::from(match r {
            Json::String(s) => s.chars().count(),
            other => items(other)?.len(),
        }),
        "sum" => {
            let xs = items(r)?;
            let ints = xs.iter().all(Json::is_i64);
            number(xs.iter().map(num).sum::<Result<f64, _>>()?, ints)
        }
        "max" | "min" => {
            let xs = items(r)?;
            let mut best: Option<Json> = None;
            for x in xs {
                let better = match &best {
                    None => true,
                    Some(b) => (num(&x)? > num(b)?) == (name == "max"),
                };
                if better {
                    best = Some(x);
                }
            }
            best.ok_or("empty sequence")?
        }
        "first" => items(r)?.into_iter().next().ok_or("empty sequence")?,
        "last" => items(r)?.into_iter().last().ok_or("empty sequence")?,
        "distinct" => {
            let mut out: Vec<Json> = Vec::new();
            for x in items(r)? {
                if !out.iter().any(|y| crate::function::python::eq(y, &x)) {
                    out.push(x);
                }
            }
            Json::Array(out)
        }
        "keys" => Json::Array(
            r.as_object()
                .ok_or("keys() needs a map")?
                .keys()
                .map(|k| Json::String(k.clone()))
                .collect(),
        ),
        "values" => Json::Array(
            r.as_object()
                .ok_or("values() needs a map")?
                .values()
                .cloned()
                .collect(),
        ),
        "join" => {
            // `collection.join(sep)`, or `sep.join(collection)`.
            let other = arg(0)?;
            let (list, sep) = match (r, &other) {
                (Json::String(sep), Json::Array(_)) => (other.clone(), sep.clone()),
                _ => (
                    r.clone(),
                    other
                        .as_str()
                        .ok_or("join() separator must be a string")?
                        .to_string(),
                ),
            };
            let parts: Vec<String> = items(&list)?
                .iter()
                .map(crate::function::python::str_of)
                .collect();
            Json::String(parts.join(&sep))
        }
        "split" => {
            let sep = arg(0)?;
            let s = r.as_str().ok_or("split() needs a string")?;
            Json::Array(
                s.split(sep.as_str().ok_or("split() separator must be a string")?)
                    .map(|p| Json::String(p.into()))
                    .collect(),
            )
        }
        "flatten" => {
            // Every level, as YAQL's `flatten`.
            fn flat(x: Json, out: &mut Vec<Json>) {
                match x {
                    Json::Array(a) => a.into_iter().for_each(|i| flat(i, out)),
                    other => out.push(other),
                }
            }
            let mut out = Vec::new();
            for x in items(r)? {
                flat(x, &mut out);
            }
            Json::Array(out)
        }
        "contains" => Json::Bool(
            items(r)?
                .iter()
                .any(|x| crate::function::python::eq(x, &arg(0).unwrap_or(Json::Null))),
        ),
        _ => return more(r, name, args, ctx),
    })
}

/// The rest of the standard library (see the module's docs).
fn more(r: &Json, name: &str, args: &[Yaql], ctx: &Json) -> Result<Json, String> {
    let arg = |i: usize| -> Result<Json, String> {
        args.get(i)
            .map(|a| eval(a, ctx))
            .transpose()?
            .ok_or_else(|| format!("{name}() needs an argument"))
    };
    let text = |v: &Json| -> Result<String, String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{name}() needs a string"))
    };
    let map = |v: &Json| -> Result<serde_json::Map<String, Json>, String> {
        v.as_object()
            .cloned()
            .ok_or_else(|| format!("{name}() needs a dict"))
    };
    let count = |v: Json| -> Result<usize, String> {
        v.as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("{name}() needs a count"))
    };
    // A selector applied to an item: `$` is the item.
    let apply = |i: usize, item: &Json| -> Result<Json, String> {
        match args.get(i) {
            Some(f) => eval(f, item),
            None => Ok(item.clone()),
        }
    };
    Ok(match name {
        "mergeWith" => {
            if args.len() > 1 {
                return Err("mergeWith() with mergers is not supported".into());
            }
            merge_with(&map(r)?, &map(&arg(0)?)?)
        }
        "get" => {
            let k = crate::function::python::str_of(&arg(0)?);
            map(r)?.get(&k).cloned().unwrap_or(match args.get(1) {
                Some(d) => eval(d, ctx)?,
                None => Json::Null,
            })
        }
        "containsKey" => {
            Json::Bool(map(r)?.contains_key(&crate::function::python::str_of(&arg(0)?)))
        }
        "containsValue" => {
            let v = arg(0)?;
            Json::Bool(map(r)?.values().any(|x| crate::function::python::eq(x, &v)))
        }
        "items" => Json::Array(
            map(r)?
                .into_iter()
                .map(|(k, v)| Json::Array(vec![Json::String(k), v]))
                .collect(),
        ),
        "toList" | "list" => {
            if name == "list" && !args.is_empty() {
                // `list(a, b, c)`.
                let mut out = vec![r.clone()];
                for a in args {
                    out.push(eval(a, ctx)?);
                }
                Json::Array(out)
            } else {
                Json::Array(items(r)?)
            }
        }
        "isEmpty" => Json::Bool(match r {
            Json::String(s) => s.is_empty(),
            Json::Null => true,
            other => items(other)?.is_empty(),
        }),
        "any" | "all" => {
            let xs = items(r)?;
            let mut truths = xs
                .iter()
                .map(|x| apply(0, x).map(|v| crate::function::builtins::truthy(&v)));
            Json::Bool(if name == "any" {
                truths.try_fold(false, |acc, t| t.map(|t| acc || t))?
            } else {
                truths.try_fold(true, |acc, t| t.map(|t| acc && t))?
            })
        }
        "skip" => Json::Array(items(r)?.into_iter().skip(count(arg(0)?)?).collect()),
        "take" | "limit" => Json::Array(items(r)?.into_iter().take(count(arg(0)?)?).collect()),
        "reverse" => Json::Array(items(r)?.into_iter().rev().collect()),
        "orderBy" | "orderByDescending" | "sort" => {
            let mut keyed = Vec::new();
            for x in items(r)? {
                keyed.push((apply(0, &x)?, x));
            }
            let mut failed = None;
            keyed.sort_by(|(a, _), (b, _)| {
                compare(a, b).unwrap_or_else(|e| {
                    failed = Some(e);
                    std::cmp::Ordering::Equal
                })
            });
            if let Some(e) = failed {
                return Err(e);
            }
            if name == "orderByDescending" {
                keyed.reverse();
            }
            Json::Array(keyed.into_iter().map(|(_, x)| x).collect())
        }
        "selectMany" => {
            let mut out = Vec::new();
            for x in items(r)? {
                out.extend(items(&apply(0, &x)?)?);
            }
            Json::Array(out)
        }
        "toDict" => {
            let mut out = serde_json::Map::new();
            for x in items(r)? {
                let k = apply(0, &x)?;
                let v = apply(1, &x)?;
                out.insert(crate::function::python::str_of(&k), v);
            }
            Json::Object(out)
        }
        "dict" => {
            // `dict([[k, v], ...])`.
            let mut out = serde_json::Map::new();
            for pair in items(r)? {
                let kv = items(&pair)?;
                if kv.len() != 2 {
                    return Err("dict() needs pairs".into());
                }
                out.insert(crate::function::python::str_of(&kv[0]), kv[1].clone());
            }
            Json::Object(out)
        }
        "indexOf" => {
            let x = arg(0)?;
            Json::from(match r {
                Json::String(s) => {
                    let needle = text(&x)?;
                    s.find(&needle)
                        .map_or(-1, |b| s[..b].chars().count() as i64)
                }
                other => items(other)?
                    .iter()
                    .position(|i| crate::function::python::eq(i, &x))
                    .map_or(-1, |p| p as i64),
            })
        }
        "startsWith" => Json::Bool(text(r)?.starts_with(&text(&arg(0)?)?)),
        "endsWith" => Json::Bool(text(r)?.ends_with(&text(&arg(0)?)?)),
        "replace" => Json::String(text(r)?.replace(&text(&arg(0)?)?, &text(&arg(1)?)?)),
        "trim" => Json::String(text(r)?.trim().to_string()),
        "trimLeft" => Json::String(text(r)?.trim_start().to_string()),
        "trimRight" => Json::String(text(r)?.trim_end().to_string()),
        "substring" => {
            let chars: Vec<char> = text(r)?.chars().collect();
            let start = arg(0)?.as_i64().ok_or("substring() needs a start")?;
            let start = if start < 0 {
                (chars.len() as i64 + start).max(0) as usize
            } else {
                (start as usize).min(chars.len())
            };
            let end = match args.get(1) {
                Some(l) => {
                    let l = eval(l, ctx)?.as_i64().ok_or("substring() needs a length")?;
                    if l < 0 {
                        chars.len()
                    } else {
                        (start + l as usize).min(chars.len())
                    }
                }
                None => chars.len(),
            };
            Json::String(chars[start..end.max(start)].iter().collect())
        }
        "characters" => Json::Array(
            text(r)?
                .chars()
                .map(|c| Json::String(c.to_string()))
                .collect(),
        ),
        "str" | "toString" => Json::String(crate::function::python::str_of(r)),
        "int" => Json::from(match r {
            Json::String(s) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("int() of {s}"))?,
            other => num(other)? as i64,
        }),
        "float" => number(
            match r {
                Json::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("float() of {s}"))?,
                other => num(other)?,
            },
            false,
        ),
        "bool" => Json::Bool(crate::function::builtins::truthy(r)),
        "concat" => {
            let mut out = crate::function::python::str_of(r);
            for a in args {
                out.push_str(&crate::function::python::str_of(&eval(a, ctx)?));
            }
            Json::String(out)
        }
        "range" => {
            let (from, to) = match args.first() {
                Some(end) => (num(r)? as i64, num(&eval(end, ctx)?)? as i64),
                None => (0, num(r)? as i64),
            };
            if to - from > 100_000 {
                return Err("range() of more than 100000 numbers".into());
            }
            Json::Array((from..to).map(Json::from).collect())
        }
        "zip" => {
            let mut lists = vec![items(r)?];
            for a in args {
                lists.push(items(&eval(a, ctx)?)?);
            }
            let n = lists.iter().map(Vec::len).min().unwrap_or(0);
            Json::Array(
                (0..n)
                    .map(|i| Json::Array(lists.iter().map(|l| l[i].clone()).collect()))
                    .collect(),
            )
        }
        "enumerate" => Json::Array(
            items(r)?
                .into_iter()
                .enumerate()
                .map(|(i, x)| Json::Array(vec![Json::from(i), x]))
                .collect(),
        ),
        "union" => {
            let mut out: Vec<Json> = Vec::new();
            for x in items(r)?.into_iter().chain(items(&arg(0)?)?) {
                if !out.iter().any(|y| crate::function::python::eq(y, &x)) {
                    out.push(x);
                }
            }
            Json::Array(out)
        }
        "intersect" => {
            let other = items(&arg(0)?)?;
            Json::Array(
                items(r)?
                    .into_iter()
                    .filter(|x| other.iter().any(|y| crate::function::python::eq(x, y)))
                    .collect(),
            )
        }
        "difference" => {
            let other = items(&arg(0)?)?;
            Json::Array(
                items(r)?
                    .into_iter()
                    .filter(|x| !other.iter().any(|y| crate::function::python::eq(x, y)))
                    .collect(),
            )
        }
        other => return Err(format!("unsupported yaql method {other}()")),
    })
}

/// YAQL's `mergeWith` with its default mergers: maps merged deeply, lists
/// as `distinct(a + b)`, other values the second's.
fn merge_with(a: &serde_json::Map<String, Json>, b: &serde_json::Map<String, Json>) -> Json {
    let mut out = a.clone();
    for (k, v2) in b {
        let merged = match (a.get(k), v2) {
            (Some(Json::Object(m1)), Json::Object(m2)) => merge_with(m1, m2),
            (Some(Json::Array(l1)), Json::Array(l2)) => {
                let mut l: Vec<Json> = Vec::new();
                for x in l1.iter().chain(l2) {
                    if !l.iter().any(|y| crate::function::python::eq(y, x)) {
                        l.push(x.clone());
                    }
                }
                Json::Array(l)
            }
            _ => v2.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Json::Object(out)
}

/// Orders two values as YAQL sorts them (numbers, strings, lists).
fn compare(a: &Json, b: &Json) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Json::String(p), Json::String(q)) => Ok(p.cmp(q)),
        (Json::Array(p), Json::Array(q)) => {
            for (x, y) in p.iter().zip(q) {
                let o = compare(x, y)?;
                if o.is_ne() {
                    return Ok(o);
                }
            }
            Ok(p.len().cmp(&q.len()))
        }
        _ => num(a)?
            .partial_cmp(&num(b)?)
            .ok_or_else(|| "cannot compare".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function::yaql::{evaluate, parse};
    use serde_json::json;

    fn run(expr: &str, data: Json) -> Json {
        evaluate(&parse(expr).unwrap(), &data).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    /// Cases from YAQL's own documentation of its standard library.
    #[test]
    fn the_standard_library_as_yaql_documents_it() {
        let d = json!({"a": {"a": 1, "b": 2, "c": [1, 2]}, "b": {"d": 5, "b": 3, "c": [2, 3]}});
        assert_eq!(
            run("$.data.a.mergeWith($.data.b)", d.clone()),
            json!({"a": 1, "b": 3, "c": [1, 2, 3], "d": 5})
        );
        assert_eq!(
            run(
                "{'a' => {'x' => 1}}.mergeWith({'a' => {'y' => 2}})",
                json!(null)
            ),
            json!({"a": {"x": 1, "y": 2}})
        );
        assert_eq!(run("$.data.a.get('z', 7)", d.clone()), json!(7));
        assert_eq!(run("$.data.a.containsKey('b')", d.clone()), json!(true));
        assert_eq!(run("len($.data.a)", d), json!(3));
        let l = json!([3, 1, 2]);
        assert_eq!(run("$.data.orderBy($)", l.clone()), json!([1, 2, 3]));
        assert_eq!(
            run("$.data.orderByDescending($)", l.clone()),
            json!([3, 2, 1])
        );
        assert_eq!(run("$.data.skip(1).take(1)", l.clone()), json!([1]));
        assert_eq!(run("$.data.any($ > 2)", l.clone()), json!(true));
        assert_eq!(run("$.data.all($ > 2)", l.clone()), json!(false));
        assert_eq!(run("$.data.where($ = 2)", l.clone()), json!([2]));
        assert_eq!(run("$.data.indexOf(2)", l.clone()), json!(2));
        assert_eq!(
            run("[[1, 2], [3]].selectMany($)", json!(null)),
            json!([1, 2, 3])
        );
        assert_eq!(
            run(
                "$.data.toDict($.name, $.v)",
                json!([{"name": "a", "v": 1}, {"name": "b", "v": 2}])
            ),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(run("range(3)", json!(null)), json!([0, 1, 2]));
        assert_eq!(
            run("range(1, 3).zip([5, 6])", json!(null)),
            json!([[1, 5], [2, 6]])
        );
        assert_eq!(run("'abc'.startsWith('ab')", json!(null)), json!(true));
        assert_eq!(
            run("'a-b-c'.replace('-', '+')", json!(null)),
            json!("a+b+c")
        );
        assert_eq!(run("'  x '.trim()", json!(null)), json!("x"));
        assert_eq!(run("'abcdef'.substring(2, 3)", json!(null)), json!("cde"));
        // Documented, but not in the context Heat gives yaql 3: refused there.
        assert!(evaluate(&parse("'{0}-{1}'.format('a', 2)").unwrap(), &json!(null)).is_err());
        assert_eq!(run("', '.join(['a', 'b'])", json!(null)), json!("a, b"));
        assert_eq!(run("['a', 'b'].join('-')", json!(null)), json!("a-b"));
        assert_eq!(run("concat('a', 1, 'b')", json!(null)), json!("a1b"));
        assert_eq!(run("str(12) + 'x'", json!(null)), json!("12x"));
        assert_eq!(run("int('42') + 1", json!(null)), json!(43));
        assert_eq!(run("[1, 2].union([2, 3])", json!(null)), json!([1, 2, 3]));
        assert_eq!(run("[1, 2, 3].difference([2])", json!(null)), json!([1, 3]));
        assert_eq!(run("{'a' => 1}.items()", json!(null)), json!([["a", 1]]));
    }

    #[test]
    fn what_is_not_supported_says_so() {
        // Mergers (lambdas of `$1`, `$2`) are not supported.
        assert!(evaluate(
            &parse("$.data.a.mergeWith($.data.b, $1 + $2)").unwrap(),
            &json!({"a": {}, "b": {}})
        )
        .unwrap_err()
        .contains("mergers is not supported"));
        assert!(evaluate(&parse("[1].mergeWith({})").unwrap(), &json!({}))
            .unwrap_err()
            .contains("needs a dict"));
        assert!(evaluate(&parse("$.data.frobnicate()").unwrap(), &json!([]))
            .unwrap_err()
            .contains("unsupported yaql method frobnicate()"));
    }
}
