//! `make_url`: a URL from its parts, as Python's `urllib.parse` writes it,
//! and the checks on its arguments.

use serde_json::Value as Json;

use super::builtins::{err, truthy, R};
use super::eval::{resolve, Resolver};
use super::python::{repr, str_of, to_int};
use super::{Expr, FnError};

const URL_KEYS: [&str; 8] = [
    "scheme", "username", "password", "host", "port", "path", "query", "fragment",
];

/// Heat's `make_url` argument checks; on unresolved arguments (validation)
/// calls are accepted where a value is expected.
pub(super) fn make_url_check(args: &Expr, name: &str, unresolved: bool) -> Result<(), String> {
    let Expr::Map(m) = args else {
        if unresolved {
            return Err(format!("The arguments to \"{name}\" must be a map"));
        }
        return Ok(());
    };
    let invalid: Vec<&str> = m
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !URL_KEYS.contains(k))
        .collect();
    if !invalid.is_empty() {
        return Err(format!(
            "Invalid arguments to \"{name}\": {}",
            invalid.join(", ")
        ));
    }
    let json_args = args.to_json();
    check_url_values(m.iter().map(|(k, v)| (k.as_str(), v)), name, &json_args)
}

fn check_url_values<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Expr)>,
    name: &str,
    all: &Json,
) -> Result<(), String> {
    let entries: Vec<(&str, &Expr)> = entries.collect();
    for key in URL_KEYS {
        let Some((_, v)) = entries.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        if v.is_call() {
            if key == "query" {
                return Ok(());
            }
            continue;
        }
        match key {
            "query" => {
                if !matches!(v, Expr::Map(_)) {
                    return Err(format!(
                        "The \"{key}\" argument to \"{name}\" must be a map"
                    ));
                }
                return Ok(());
            }
            "port" => {
                let port = match v {
                    Expr::Lit(Json::Number(n)) if n.is_i64() => n.as_i64(),
                    Expr::Lit(Json::Bool(b)) => Some(*b as i64),
                    Expr::Lit(p) => match to_int(p) {
                        Some(i) => Some(i),
                        None => {
                            return Err(format!(
                                "Invalid URL port \"{}\" for {name} called with {}",
                                str_of(p),
                                repr(all)
                            ))
                        }
                    },
                    _ => None,
                };
                if let Some(p) = port {
                    if !(1..=65535).contains(&p) {
                        return Err(format!("Invalid URL port {p}, must be in range 1-65535"));
                    }
                }
            }
            _ => {
                if v.as_str().is_none() {
                    return Err(format!(
                        "The \"{key}\" argument to \"{name}\" must be a string"
                    ));
                }
            }
        }
    }
    Ok(())
}

pub(super) fn make_url(args: &Expr, name: &str, r: &dyn Resolver) -> R<Json> {
    let resolved = resolve(args, r)?;
    let Json::Object(o) = &resolved else {
        return err(format!("The arguments to \"{name}\" must be a map"));
    };
    let as_exprs: Vec<(String, Expr)> = o.iter().map(|(k, v)| (k.clone(), lit_expr(v))).collect();
    check_url_values(
        as_exprs.iter().map(|(k, v)| (k.as_str(), v)),
        name,
        &resolved,
    )
    .map_err(FnError::resolve)?;
    let get = |k: &str| o.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let scheme = get("scheme");
    if scheme.contains(':') {
        return err("URL \"scheme\" should not contain ':'");
    }
    let mut netloc = String::new();
    let username = quote(&get("username"), "");
    let password = quote(&get("password"), "");
    if !username.is_empty() || !password.is_empty() {
        netloc.push_str(&username);
        if !password.is_empty() {
            netloc.push(':');
            netloc.push_str(&password);
        }
        netloc.push('@');
    }
    let mut host = get("host");
    if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
        host = host[1..host.len() - 1].to_string();
    }
    let mut host = quote(&host, ":");
    if host.contains(':') {
        host = format!("[{host}]");
    }
    netloc.push_str(&host);
    if let Some(port) = o.get("port").filter(|p| truthy(p)) {
        netloc.push(':');
        netloc.push_str(&str_of(port));
    }
    let path = quote(&get("path"), "/");
    let query = match o.get("query") {
        Some(Json::Object(q)) => q
            .iter()
            .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(&str_of(v))))
            .collect::<Vec<_>>()
            .join("&")
            .replace("%2F", "/"),
        _ => String::new(),
    };
    let fragment = quote(&get("fragment"), "/");
    Ok(Json::String(urlunsplit(
        &scheme, &netloc, &path, &query, &fragment,
    )))
}

fn lit_expr(v: &Json) -> Expr {
    match v {
        Json::Object(o) => Expr::Map(o.iter().map(|(k, v)| (k.clone(), lit_expr(v))).collect()),
        Json::Array(a) => Expr::List(a.iter().map(lit_expr).collect()),
        other => Expr::Lit(other.clone()),
    }
}

/// Python's `urllib.parse.quote` (UTF-8, uppercase hex).
fn quote(s: &str, safe: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "_.-~".contains(c) || safe.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn quote_plus(s: &str) -> String {
    quote(s, " ").replace(' ', "+")
}

const USES_NETLOC: [&str; 20] = [
    "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
    "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp",
];

fn urlunsplit(scheme: &str, netloc: &str, path: &str, query: &str, fragment: &str) -> String {
    let mut url = path.to_string();
    if !netloc.is_empty()
        || (!scheme.is_empty() && USES_NETLOC.contains(&scheme) && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url = format!("/{url}");
        }
        url = format!("//{netloc}{url}");
    }
    if !scheme.is_empty() {
        url = format!("{scheme}:{url}");
    }
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    if !fragment.is_empty() {
        url = format!("{url}#{fragment}");
    }
    url
}
