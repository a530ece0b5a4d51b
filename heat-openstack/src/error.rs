//! The services' errors as the engine's: status codes to kinds (404 gone,
//! 409 conflict, 429 and 5xx gateways transient, quotas and bad requests
//! fatal), and the cloud's own message out of each service's body format.

use heat_core::engine::{DriverError, DriverErrorKind};
use serde_json::Value as Json;

/// The message of an error body: Nova and Cinder's
/// `{"itemNotFound": {"message"}}`, Neutron's `{"NeutronError": {...}}`,
/// Keystone's `{"error": {...}}`, or the body itself.
pub fn message(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Json>(body) else {
        return body.trim().chars().take(500).collect();
    };
    if let Some(obj) = json.as_object() {
        for (_, v) in obj {
            if let Some(m) = v.get("message").and_then(Json::as_str) {
                return m.to_string();
            }
        }
        if let Some(m) = obj.get("message").and_then(Json::as_str) {
            return m.to_string();
        }
    }
    json.to_string()
}

/// The error type Neutron names (`OverQuota`, `NetworkInUse`), if any.
fn neutron_type(body: &str) -> Option<String> {
    serde_json::from_str::<Json>(body)
        .ok()?
        .get("NeutronError")?
        .get("type")?
        .as_str()
        .map(String::from)
}

/// A failed response as a driver error.
pub fn from_response(status: u16, body: &str) -> DriverError {
    let message = message(body);
    let kind = match status {
        404 => DriverErrorKind::NotFound,
        409 if neutron_type(body).is_some_and(|t| t.contains("Quota")) => DriverErrorKind::Fatal,
        409 => DriverErrorKind::Conflict,
        429 | 502 | 503 | 504 => DriverErrorKind::Transient,
        _ => DriverErrorKind::Fatal,
    };
    DriverError { kind, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_services_error_body_gives_its_message() {
        let nova =
            r#"{"itemNotFound": {"code": 404, "message": "Instance abc could not be found."}}"#;
        let e = from_response(404, nova);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                DriverErrorKind::NotFound,
                "Instance abc could not be found."
            )
        );
        let neutron = r#"{"NeutronError": {"type": "OverQuota", "message": "Quota exceeded for resources: ['network'].", "detail": ""}}"#;
        let e = from_response(409, neutron);
        assert_eq!(e.kind, DriverErrorKind::Fatal);
        assert_eq!(e.message, "Quota exceeded for resources: ['network'].");
        let in_use = r#"{"NeutronError": {"type": "NetworkInUse", "message": "Unable to complete operation on network x.", "detail": ""}}"#;
        assert_eq!(from_response(409, in_use).kind, DriverErrorKind::Conflict);
        let keystone = r#"{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}"#;
        assert_eq!(
            from_response(401, keystone).message,
            "The request you have made requires authentication."
        );
        assert_eq!(
            from_response(503, "<html>Service Unavailable</html>").kind,
            DriverErrorKind::Transient
        );
        let quota = r#"{"forbidden": {"code": 403, "message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"}}"#;
        let e = from_response(403, quota);
        assert_eq!(e.kind, DriverErrorKind::Fatal);
        assert!(e.message.starts_with("Quota exceeded for instances"));
    }
}
