//! Multipart MIME user data, as Heat's Python `email` package writes it:
//! `OS::Heat::MultipartMime`'s message (each part a `text/<subtype>` part:
//! the subtype given, else the filename's stem, else `plain`, as Heat's
//! `MIMEText`; the parts of a `multipart` part spliced in) and the boot
//! user data of [`crate::boot`]. Messages are read with `mailparse`.

use serde_json::Value as Json;

/// One `text/*` part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The subtype of `text/`: `x-shellscript`, `cloud-config`, `plain`.
    pub subtype: String,
    /// Its attachment filename, if it has one (`Some("")` is an attachment
    /// without a name, as Heat writes some).
    pub filename: Option<String>,
    /// The text.
    pub body: String,
}

impl Part {
    /// A part of a subtype, named or not.
    pub fn new(subtype: &str, filename: Option<&str>, body: impl Into<String>) -> Part {
        Part {
            subtype: subtype.to_string(),
            filename: filename.map(str::to_string),
            body: body.into(),
        }
    }
}

/// The parts of a multipart message, `None` when the text is not one.
pub fn split(message: &str) -> Option<Vec<Part>> {
    let mail = mailparse::parse_mail(message.as_bytes()).ok()?;
    if !mail.ctype.mimetype.starts_with("multipart/") || mail.subparts.is_empty() {
        return None;
    }
    let parts = mail
        .subparts
        .iter()
        .map(|p| {
            let subtype = p
                .ctype
                .mimetype
                .split_once('/')
                .map_or("plain", |(_, s)| s)
                .to_string();
            let filename = p.get_content_disposition().params.get("filename").cloned();
            Part {
                subtype,
                filename,
                body: p.get_body().unwrap_or_default(),
            }
        })
        .collect();
    Some(parts)
}

/// A `multipart/mixed` message of parts, under a boundary that none of
/// their bodies holds.
pub fn message(parts: &[Part]) -> String {
    let boundary = (0..)
        .map(|n| format!("===heat-rs-{n}==="))
        .find(|b| !parts.iter().any(|p| p.body.contains(b.as_str())))
        .expect("some boundary is free");
    let mut doc =
        format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\nMIME-Version: 1.0\n");
    for p in parts {
        let charset = if p.body.is_ascii() {
            "us-ascii"
        } else {
            "utf-8"
        };
        doc.push_str(&format!(
            "\n--{boundary}\nContent-Type: text/{}; charset=\"{charset}\"\nMIME-Version: 1.0\n",
            p.subtype
        ));
        if !charset.starts_with("us") {
            doc.push_str("Content-Transfer-Encoding: 8bit\n");
        }
        if let Some(f) = &p.filename {
            doc.push_str(&format!(
                "Content-Disposition: attachment; filename=\"{f}\"\n"
            ));
        }
        doc.push('\n');
        doc.push_str(&p.body);
    }
    doc.push_str(&format!("\n--{boundary}--\n"));
    doc
}

/// The message of a MultipartMime's `parts` (their configs already the
/// configs' content).
pub fn config_message(parts: &[Json]) -> String {
    let mut items = Vec::new();
    for part in parts {
        let text = match part.get("config") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let filename = part
            .get("filename")
            .and_then(Json::as_str)
            .filter(|f| !f.is_empty());
        if part.get("type").and_then(Json::as_str) == Some("multipart") {
            items.extend(split(&text).unwrap_or_default());
            continue;
        }
        let subtype = part
            .get("subtype")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .or_else(|| filename.map(stem))
            .unwrap_or("plain");
        items.push(Part::new(subtype, filename, text));
    }
    message(&items)
}

/// A filename without its extension (`part-handler.py` is
/// `part-handler`), as Python's `os.path.splitext`.
pub fn stem(filename: &str) -> &str {
    match filename.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => filename,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parts_take_their_subtype_filename_and_nested_parts() {
        let inner =
            config_message(&[json!({"config": "#cloud-config\n{}", "subtype": "cloud-config"})]);
        let doc = config_message(&[
            json!({"config": "#!/bin/sh\necho hi", "subtype": "x-shellscript"}),
            json!({"config": "Import-Module x", "filename": "utils.psm1"}),
            json!({"config": {"a": 1}}),
            json!({"config": inner, "type": "multipart"}),
        ]);
        let parts = split(&doc).unwrap();
        assert_eq!(
            parts,
            vec![
                Part::new("x-shellscript", None, "#!/bin/sh\necho hi"),
                Part::new("utils", Some("utils.psm1"), "Import-Module x"),
                Part::new("plain", None, "{\"a\":1}"),
                Part::new("cloud-config", None, "#cloud-config\n{}"),
            ]
        );
    }

    #[test]
    fn the_boundary_is_one_no_body_holds_and_text_keeps_its_characters() {
        let inner = message(&[Part::new("plain", None, "a")]);
        assert!(inner.contains("===heat-rs-0==="));
        let outer = message(&[
            Part::new("x-cfninitdata", Some("cfn-userdata"), inner.clone()),
            Part::new("plain", Some("motd"), "héllo wörld"),
        ]);
        assert!(outer.contains("boundary=\"===heat-rs-1===\""), "{outer}");
        let parts = split(&outer).unwrap();
        assert_eq!(parts[0].body, inner);
        assert_eq!(parts[1].body, "héllo wörld");
        assert_eq!(split("#!/bin/sh\necho not a message"), None);
    }

    #[test]
    fn stems_are_pythons() {
        assert_eq!(stem("part-handler.py"), "part-handler");
        assert_eq!(stem("cloud-config"), "cloud-config");
        assert_eq!(stem(".hidden"), ".hidden");
        assert_eq!(stem("a.tar.gz"), "a.tar");
    }
}
