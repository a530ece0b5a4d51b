//! `OS::Heat::MultipartMime`'s message: each part a `text/<subtype>` MIME
//! part (the subtype given, else the filename's stem, else `plain`, as
//! Heat's `MIMEText`), with its filename as an attachment's, and the parts
//! of a `multipart` part spliced in.

use serde_json::Value as Json;

const BOUNDARY: &str = "===heat-rs===";

/// The parts of a multipart message: `(content type, filename, body)`.
fn split(message: &str) -> Vec<(String, Option<String>, String)> {
    let Some(boundary) = message
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_string())
    else {
        return Vec::new();
    };
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    for chunk in message.split(&delimiter).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
        let (head, body) = chunk.split_once("\n\n").unwrap_or((chunk, ""));
        let header = |name: &str| {
            head.lines()
                .find(|l| l.to_ascii_lowercase().starts_with(name))
                .map(|l| l[name.len()..].trim().to_string())
        };
        let kind = header("content-type:")
            .map(|t| t.split(';').next().unwrap_or_default().trim().to_string())
            .unwrap_or_else(|| "text/plain".into());
        let filename = header("content-disposition:").and_then(|d| {
            d.split("filename=")
                .nth(1)
                .map(|f| f.trim_matches('"').to_string())
        });
        out.push((
            kind,
            filename,
            body.strip_suffix('\n').unwrap_or(body).to_string(),
        ));
    }
    out
}

/// The message of a MultipartMime's `parts` (their configs already the
/// configs' content).
pub fn message(parts: &[Json]) -> String {
    let mut items: Vec<(String, Option<String>, String)> = Vec::new();
    for part in parts {
        let text = match part.get("config") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let filename = part
            .get("filename")
            .and_then(Json::as_str)
            .filter(|f| !f.is_empty())
            .map(str::to_string);
        if part.get("type").and_then(Json::as_str) == Some("multipart") {
            items.extend(split(&text));
            continue;
        }
        let subtype = part
            .get("subtype")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| {
                filename
                    .as_deref()
                    .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem).to_string())
            })
            .unwrap_or_else(|| "plain".into());
        items.push((format!("text/{subtype}"), filename, text));
    }
    let mut doc =
        format!("Content-Type: multipart/mixed; boundary=\"{BOUNDARY}\"\nMIME-Version: 1.0\n");
    for (kind, filename, body) in items {
        let charset = if body.is_ascii() { "us-ascii" } else { "utf-8" };
        doc.push_str(&format!(
            "\n--{BOUNDARY}\nContent-Type: {kind}; charset=\"{charset}\"\nMIME-Version: 1.0\n"
        ));
        if let Some(f) = filename {
            doc.push_str(&format!(
                "Content-Disposition: attachment; filename=\"{f}\"\n"
            ));
        }
        doc.push('\n');
        doc.push_str(&body);
    }
    doc.push_str(&format!("\n--{BOUNDARY}--\n"));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parts_take_their_subtype_filename_and_nested_parts() {
        let inner = message(&[json!({"config": "#cloud-config\n{}", "subtype": "cloud-config"})]);
        let doc = message(&[
            json!({"config": "#!/bin/sh\necho hi", "subtype": "x-shellscript"}),
            json!({"config": "Import-Module x", "filename": "utils.psm1"}),
            json!({"config": {"a": 1}}),
            json!({"config": inner, "type": "multipart"}),
        ]);
        let parts = split(&doc);
        assert_eq!(parts.len(), 4, "{doc}");
        assert_eq!(
            parts[0],
            (
                "text/x-shellscript".into(),
                None,
                "#!/bin/sh\necho hi".into()
            )
        );
        assert_eq!(
            parts[1],
            (
                "text/utils".into(),
                Some("utils.psm1".into()),
                "Import-Module x".into()
            )
        );
        assert_eq!(parts[2], ("text/plain".into(), None, "{\"a\":1}".into()));
        assert_eq!(
            parts[3],
            ("text/cloud-config".into(), None, "#cloud-config\n{}".into())
        );
    }
}
