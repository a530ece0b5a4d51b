//! YAQL's syntax: the tokens, and the expression tree the parser builds
//! (operators by precedence, methods and calls, `key => value` pairs,
//! keywords as strings), nesting bounded.

use serde_json::Value as Json;

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
