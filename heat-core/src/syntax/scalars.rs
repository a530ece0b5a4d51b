//! A YAML scalar's value as PyYAML reads it (YAML 1.1: `yes`/`off`
//! booleans, `010` octal, `0x1f`, `1:20` sexagesimal, `1_000`, dates kept
//! as strings) and the core `!!` tags; JSON's literals when reading JSON.

use saphyr_parser::Span;

use super::node::{Number, Value};
use super::yaml::SyntaxError;

/// A scalar given a core tag (`!!str`, `!!int`...).
pub(super) fn core_tag(suffix: &str, text: &str, span: &Span) -> Result<Value, SyntaxError> {
    Ok(match suffix {
        "str" => Value::String(text.to_string()),
        "null" => Value::Null,
        "bool" | "int" | "float" => match resolve_plain(text, false, span)? {
            v @ (Value::Bool(_) | Value::Number(_)) => v,
            _ => {
                return Err(SyntaxError::at(
                    format!("could not read {text:?} as !!{suffix}"),
                    span,
                ))
            }
        },
        other => {
            return Err(SyntaxError::at(
                format!(
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:{other}'"
                ),
                span,
            ))
        }
    })
}

/// PyYAML's implicit resolvers (YAML 1.1) for a plain scalar; JSON's
/// literals when reading JSON.
pub(super) fn resolve_plain(text: &str, json: bool, span: &Span) -> Result<Value, SyntaxError> {
    if json {
        return Ok(match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            t if t.contains(['.', 'e', 'E']) => Value::Number(Number::Float(parse_float(t, span)?)),
            t => match t.parse::<i64>() {
                Ok(i) => Value::Number(Number::Int(i)),
                Err(_) => Value::Number(Number::Float(parse_float(t, span)?)),
            },
        });
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true))
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false))
        }
        _ => {}
    }
    if let Some(i) = yaml11_int(text) {
        return match i {
            Some(i) => Ok(Value::Number(Number::Int(i))),
            None => Err(SyntaxError::at(
                format!("the integer {text} is too large (at most 64 bits are accepted)"),
                span,
            )),
        };
    }
    if let Some(f) = yaml11_float(text) {
        return Ok(Value::Number(Number::Float(f)));
    }
    Ok(Value::String(text.to_string()))
}

fn parse_float(text: &str, span: &Span) -> Result<f64, SyntaxError> {
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(SyntaxError::at(
            format!("the number {text} is out of range"),
            span,
        )),
    }
}

fn split_sign(text: &str) -> (i64, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    }
}

/// `Some(Some(n))` for a YAML 1.1 integer, `Some(None)` for one too large,
/// `None` when the text is not an integer.
fn yaml11_int(text: &str) -> Option<Option<i64>> {
    let (sign, body) = split_sign(text);
    if body.is_empty() {
        return None;
    }
    let digits = |s: &str, radix: u32| -> Option<Option<i64>> {
        let clean: String = s.chars().filter(|c| *c != '_').collect();
        if clean.is_empty() && radix != 8 || !s.chars().all(|c| c == '_' || c.is_digit(radix)) {
            return None;
        }
        if clean.is_empty() {
            return Some(Some(0));
        }
        Some(
            i64::from_str_radix(&clean, radix)
                .ok()
                .and_then(|v| v.checked_mul(sign)),
        )
    };
    if let Some(rest) = body.strip_prefix("0b") {
        return digits(rest, 2);
    }
    if let Some(rest) = body.strip_prefix("0x") {
        return digits(rest, 16);
    }
    if body == "0" {
        return Some(Some(0));
    }
    if let Some(rest) = body.strip_prefix('0') {
        return digits(rest, 8);
    }
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if body.contains(':') {
        // Sexagesimal: 1:20 is 80.
        let mut parts = body.split(':');
        let first = parts.next()?;
        if !first.chars().all(|c| c.is_ascii_digit() || c == '_') {
            return None;
        }
        let mut value: i64 = first.replace('_', "").parse().ok()?;
        for part in parts {
            if part.is_empty() || part.len() > 2 || !part.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let p: i64 = part.parse().ok()?;
            if p > 59 {
                return None;
            }
            value = value.checked_mul(60)?.checked_add(p)?;
        }
        return Some(Some(value * sign));
    }
    digits(body, 10)
}

/// A YAML 1.1 float as PyYAML resolves it (`1.5`, `.5`, `1.0e+3`, `.inf`),
/// `None` otherwise; `1e3` is a string in YAML 1.1.
fn yaml11_float(text: &str) -> Option<f64> {
    let (sign, body) = split_sign(text);
    let sign = sign as f64;
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(sign * f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if text == body => return Some(f64::NAN),
        _ => {}
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if let Some(exp) = exponent {
        let digits = exp.strip_prefix(['+', '-'])?;
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let (int_part, frac) = mantissa.split_once('.')?;
    let ok_int =
        int_part.is_empty() && !frac.is_empty() && frac.starts_with(|c: char| c.is_ascii_digit())
            || int_part.starts_with(|c: char| c.is_ascii_digit())
                && int_part
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '_' || c == ':');
    if !ok_int || !frac.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    let value = if int_part.contains(':') {
        let mut v = 0f64;
        for part in int_part.split(':') {
            v = v * 60.0 + part.replace('_', "").parse::<f64>().ok()?;
        }
        v + format!("0.{}", frac.replace('_', "")).parse::<f64>().ok()?
    } else {
        let clean = format!(
            "{}.{}{}",
            if int_part.is_empty() { "0" } else { int_part },
            frac.replace('_', ""),
            exponent.map(|e| format!("e{e}")).unwrap_or_default()
        )
        .replace('_', "");
        clean.parse::<f64>().ok()?
    };
    Some(sign * value)
}
