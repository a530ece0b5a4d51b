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

mod library;

use library::method;

/// A parsed YAQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaql {
    /// `$` (the context value).
    Context,
    /// A literal.
    Lit(Json),
    /// `a.b`.
    Member(Box<Yaql>, String),
    /// `a.method(args)`.
    Method(Box<Yaql>, String, Vec<Yaql>),
    /// `function(args)`.
    Call(String, Vec<Yaql>),
    /// `$name` (a variable of `let`; unbound, null).
    Var(String),
    /// `key => value`, an argument of `let`, `switch` or `dict`.
    Pair(Box<Yaql>, Box<Yaql>),
    /// `a[i]`.
    Index(Box<Yaql>, Box<Yaql>),
    /// A binary operator.
    Binary(Box<Yaql>, String, Box<Yaql>),
    /// `not a` / `-a`.
    Unary(String, Box<Yaql>),
    /// `[a, b]`.
    List(Vec<Yaql>),
    /// `{k => v, ...}`.
    Dict(Vec<(Yaql, Yaql)>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Dollar,
    Var(String),
    Num(Json),
    Str(String),
    Ident(String),
    Op(String),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '$' {
            i += 1;
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            if i == start {
                out.push(Tok::Dollar);
            } else {
                out.push(Tok::Var(chars[start..i].iter().collect()));
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let t: String = chars[start..i].iter().collect();
            let n = if t.contains('.') {
                serde_json::Number::from_f64(t.parse().map_err(|_| format!("bad number {t}"))?)
                    .map(Json::Number)
            } else {
                t.parse::<i64>().ok().map(Json::from)
            };
            out.push(Tok::Num(n.ok_or_else(|| format!("bad number {t}"))?));
        } else if c == '\'' || c == '"' {
            let q = c;
            i += 1;
            let mut t = String::new();
            while i < chars.len() && chars[i] != q {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                t.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err("unterminated string".into());
            }
            i += 1;
            out.push(Tok::Str(t));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["==", "!=", "<=", ">=", "=>", "->", "=~", "!~"].contains(&two.as_str()) {
                out.push(Tok::Op(two));
                i += 2;
            } else if c == '=' {
                // YAQL's equality.
                out.push(Tok::Op("==".into()));
                i += 1;
            } else if "+-*/<>().,[]{}".contains(c) {
                out.push(Tok::Op(c.to_string()));
                i += 1;
            } else {
                return Err(format!("unexpected character '{c}'"));
            }
        }
    }
    Ok(out)
}

/// Parses an expression.
pub fn parse(s: &str) -> Result<Yaql, String> {
    let toks = lex(s)?;
    let mut p = P {
        toks,
        i: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    if p.i != p.toks.len() {
        return Err(format!("unexpected token {:?}", p.toks[p.i]));
    }
    Ok(e)
}

struct P {
    toks: Vec<Tok>,
    i: usize,
    /// How deep the expression being parsed is nested.
    depth: usize,
}

/// How deep an expression may nest (parentheses, calls, lists).
const MAX_DEPTH: usize = 100;

fn prec(op: &str) -> Option<u8> {
    Some(match op {
        "->" => 1,
        "or" => 2,
        "and" => 3,
        "==" | "!=" | "<" | ">" | "<=" | ">=" | "in" | "=~" | "!~" => 4,
        "+" | "-" => 5,
        "*" | "/" | "mod" => 6,
        _ => return None,
    })
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if o == op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self, min: u8) -> Result<Yaql, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("expression nested more than {MAX_DEPTH} deep"));
        }
        let e = self.expr_at(min);
        self.depth -= 1;
        e
    }

    fn expr_at(&mut self, min: u8) -> Result<Yaql, String> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o)) => o.clone(),
                Some(Tok::Ident(o)) if prec(o).is_some() => o.clone(),
                _ => break,
            };
            let Some(p) = prec(&op) else { break };
            if p < min {
                break;
            }
            self.i += 1;
            let right = self.expr(p + 1)?;
            left = Yaql::Binary(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Yaql, String> {
        if self.eat("-") {
            return Ok(Yaql::Unary("-".into(), Box::new(self.expr(7)?)));
        }
        if matches!(self.peek(), Some(Tok::Ident(n)) if n == "not") {
            self.i += 1;
            return Ok(Yaql::Unary("not".into(), Box::new(self.expr(7)?)));
        }
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                let Some(Tok::Ident(name)) = self.peek().cloned() else {
                    return Err("expected a name after '.'".into());
                };
                self.i += 1;
                if self.eat("(") {
                    let args = self.args(")")?;
                    e = Yaql::Method(Box::new(e), name, args);
                } else {
                    e = Yaql::Member(Box::new(e), name);
                }
            } else if self.eat("[") {
                let idx = self.expr(0)?;
                if !self.eat("]") {
                    return Err("expected ']'".into());
                }
                e = Yaql::Index(Box::new(e), Box::new(idx));
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn args(&mut self, close: &str) -> Result<Vec<Yaql>, String> {
        let mut args = Vec::new();
        if self.eat(close) {
            return Ok(args);
        }
        loop {
            let arg = self.expr(0)?;
            if self.eat("=>") {
                let value = self.expr(0)?;
                args.push(Yaql::Pair(Box::new(arg), Box::new(value)));
            } else {
                args.push(arg);
            }
            if self.eat(close) {
                return Ok(args);
            }
            if !self.eat(",") {
                return Err(format!("expected ',' or '{close}'"));
            }
        }
    }

    fn primary(&mut self) -> Result<Yaql, String> {
        let Some(t) = self.peek().cloned() else {
            return Err("unexpected end of expression".into());
        };
        self.i += 1;
        match t {
            Tok::Dollar => Ok(Yaql::Context),
            Tok::Var(n) => Ok(Yaql::Var(n)),
            Tok::Num(n) => Ok(Yaql::Lit(n)),
            Tok::Str(s) => Ok(Yaql::Lit(Json::String(s))),
            Tok::Ident(n) if n == "true" => Ok(Yaql::Lit(Json::Bool(true))),
            Tok::Ident(n) if n == "false" => Ok(Yaql::Lit(Json::Bool(false))),
            Tok::Ident(n) if n == "null" => Ok(Yaql::Lit(Json::Null)),
            Tok::Ident(n) => {
                if self.eat("(") {
                    Ok(Yaql::Call(n, self.args(")")?))
                } else {
                    // A keyword is a string: `{a => 1}`, `let(x => ...)`,
                    // `$.data.get(name)`.
                    Ok(Yaql::Lit(Json::String(n)))
                }
            }
            Tok::Op(o) if o == "(" => {
                let e = self.expr(0)?;
                if !self.eat(")") {
                    return Err("expected ')'".into());
                }
                Ok(e)
            }
            Tok::Op(o) if o == "[" => Ok(Yaql::List(self.args("]")?)),
            Tok::Op(o) if o == "{" => {
                let mut pairs = Vec::new();
                if self.eat("}") {
                    return Ok(Yaql::Dict(pairs));
                }
                loop {
                    let k = self.expr(0)?;
                    if !self.eat("=>") {
                        return Err("expected '=>' in a dict".into());
                    }
                    let v = self.expr(0)?;
                    pairs.push((k, v));
                    if self.eat("}") {
                        return Ok(Yaql::Dict(pairs));
                    }
                    if !self.eat(",") {
                        return Err("expected ',' or '}'".into());
                    }
                }
            }
            Tok::Op(o) => Err(format!("unexpected '{o}'")),
        }
    }
}

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
const FUNCTIONS_ONLY: &[&str] = &[
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
fn call(name: &str, args: &[Yaql], ctx: &Json) -> Result<Json, String> {
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
                if super::builtins::truthy(&eval(condition, ctx)?) {
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
                    out.insert(super::python::str_of(&eval(k, ctx)?), eval(v, ctx)?);
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
fn search(a: &Json, b: &Json) -> Result<bool, String> {
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
fn member(v: &Json, name: &str) -> Result<Json, String> {
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
            super::python::str_of(other)
        )),
    }
}

/// How many times `'ab' * n` repeats a sequence of `len` items (the
/// result at most a million, as yaql's memory quota bounds it).
fn repetitions(n: &serde_json::Number, len: usize) -> Result<usize, String> {
    match n.as_i64() {
        Some(k) if k <= 0 => Ok(0),
        Some(k) if (k as u128) * (len.max(1) as u128) <= 1_000_000 => Ok(k as usize),
        Some(_) => Err("Expression consumed too much memory".into()),
        None => Err("can't multiply sequence by non-int of type 'float'".into()),
    }
}

/// `$name` replaced by a value in an expression (`let`'s binding).
fn bind(e: &Yaql, name: &str, value: &Json) -> Yaql {
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
        other => super::python::str_of(other),
    }
}

fn tuple_repr(items: &[Json]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match i {
            Json::Array(inner) => tuple_repr(inner),
            other => super::python::repr(other),
        })
        .collect();
    match parts.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", parts.join(", ")),
    }
}

/// Integer arithmetic, exact as Python's, while it fits 64 bits.
fn int_op(x: &Json, y: &Json, op: fn(i64, i64) -> Option<i64>) -> Option<Json> {
    op(x.as_i64()?, y.as_i64()?).map(Json::from)
}
