//! A sandboxed subset of YAQL, the query language of Heat's `yaql`
//! function: `$`, `$.data`, member access, indexing, list and dict
//! literals (`[1, 2]`, `{'a' => 1}`), arithmetic, comparisons (`=` and
//! `==`), boolean operators, and the methods of YAQL's standard library
//! that templates use, as methods (`$.data.a.mergeWith($.data.b)`) or
//! functions (`len($.data.list)`): queries (`where`, `select`,
//! `selectMany`, `any`, `all`, `orderBy`, `skip`, `take`, `distinct`,
//! `toDict`...), dictionaries (`mergeWith`, `get`, `keys`, `items`...),
//! strings (`split`, `join`, `replace`, `startsWith`, `format`...).
//! Lambdas and variables beyond `$` are a clear "unsupported" error.

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
            out.push(Tok::Dollar);
            i += 1;
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
            if ["==", "!=", "<=", ">=", "=>"].contains(&two.as_str()) {
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
    let mut p = P { toks, i: 0 };
    let e = p.expr(0)?;
    if p.i != p.toks.len() {
        return Err(format!("unexpected token {:?}", p.toks[p.i]));
    }
    Ok(e)
}

struct P {
    toks: Vec<Tok>,
    i: usize,
}

fn prec(op: &str) -> Option<u8> {
    Some(match op {
        "or" => 1,
        "and" => 2,
        "==" | "!=" | "<" | ">" | "<=" | ">=" | "in" => 3,
        "+" | "-" => 4,
        "*" | "/" | "mod" => 5,
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
            return Ok(Yaql::Unary("-".into(), Box::new(self.unary()?)));
        }
        if matches!(self.peek(), Some(Tok::Ident(n)) if n == "not") {
            self.i += 1;
            return Ok(Yaql::Unary("not".into(), Box::new(self.unary()?)));
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
            args.push(self.expr(0)?);
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
            Tok::Num(n) => Ok(Yaql::Lit(n)),
            Tok::Str(s) => Ok(Yaql::Lit(Json::String(s))),
            Tok::Ident(n) if n == "true" => Ok(Yaql::Lit(Json::Bool(true))),
            Tok::Ident(n) if n == "false" => Ok(Yaql::Lit(Json::Bool(false))),
            Tok::Ident(n) if n == "null" => Ok(Yaql::Lit(Json::Null)),
            Tok::Ident(n) => {
                if self.eat("(") {
                    let mut args = self.args(")")?;
                    if args.is_empty() {
                        return Err(format!("unsupported yaql function {n}()"));
                    }
                    let recv = args.remove(0);
                    Ok(Yaql::Method(Box::new(recv), n, args))
                } else {
                    Err(format!("unsupported yaql name {n}"))
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
        Yaql::Member(obj, name) => eval(obj, ctx)?.get(name).cloned().unwrap_or(Json::Null),
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
                    .ok_or("index out of range")?,
                (Json::Object(m), Json::String(k)) => m.get(k).cloned().unwrap_or(Json::Null),
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
                    _ => number(num(&x)? + num(&y)?, ints),
                },
                "-" => number(num(&x)? - num(&y)?, ints),
                "*" => number(num(&x)? * num(&y)?, ints),
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
                "mod" => number(num(&x)? % num(&y)?, ints),
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
            method(&r, name, args, ctx)?
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
