//! Query strings as Heat reads them: repeated keys (`status=A&status=B`),
//! Python's booleans (`True`, `False`), and what a request body gives.

use serde_json::Value as Json;

use super::ApiError;

/// A parsed query string.
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Self {
        Query(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Every value of a key (comma-separated values split).
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The last value of a key.
    pub fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean flag (`True`, `true`, `1`, `yes`).
    pub fn flag(&self, key: &str) -> bool {
        self.one(key).is_some_and(truthy)
    }

    /// A number, refused with a 400 when not one.
    pub fn number(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.one(key) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError::bad_request("HTTPBadRequest", format!("Invalid value for {key}: {v}"))
            }),
        }
    }
}

/// Python's and JSON's true.
pub fn truthy(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on" | "y" | "t"
    )
}

/// A boolean of a request body (`true`, `"True"`...).
pub fn json_bool(v: &Json) -> Option<bool> {
    match v {
        Json::Bool(b) => Some(*b),
        Json::String(s) => Some(truthy(s)),
        Json::Number(n) => Some(n.as_f64() != Some(0.0)),
        _ => None,
    }
}

/// A number of a request body (`10`, `"10"`).
pub fn json_u64(v: &Json) -> Option<u64> {
    match v {
        Json::Number(n) => n.as_u64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Tags as a list (`"a,b"` or `["a", "b"]`).
pub fn tags(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => s
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        Json::Array(a) => a
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queries_and_bodies_as_heat_reads_them() {
        let q = Query::parse(Some(
            "status=CREATE_COMPLETE&status=UPDATE_COMPLETE&show_deleted=True&limit=2&tags=a,b",
        ));
        assert_eq!(q.all("status"), ["CREATE_COMPLETE", "UPDATE_COMPLETE"]);
        assert!(q.flag("show_deleted"));
        assert!(!q.flag("show_nested"));
        assert_eq!(q.number("limit").unwrap(), Some(2));
        assert_eq!(q.all("tags"), ["a", "b"]);
        assert!(Query::parse(Some("limit=x")).number("limit").is_err());
        assert_eq!(tags(&json!("a, b")), ["a", "b"]);
        assert_eq!(json_bool(&json!("False")), Some(false));
        assert_eq!(json_u64(&json!("10")), Some(10));
    }
}
