//! [`ApiError`]: every refusal of the API, in Heat's error shape
//! (`{"code", "title", "explanation", "error": {"type", "traceback",
//! "message"}}`) with Heat's status: 400 invalid, 403 forbidden, 404 not
//! found, 409 conflict or in progress, 413 too large, 503 busy. A 4xx says
//! what is wrong; a 5xx is logged and generic.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use heat_core::service::ServiceError;
use serde_json::json;

/// An API error: status, Heat's error type and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Heat's error type (`EntityNotFound`, `StackValidationFailed`...).
    pub kind: &'static str,
    /// What is wrong.
    pub message: String,
}

impl ApiError {
    /// A 400 of the given Heat type.
    pub fn bad_request(kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind,
            message: message.into(),
        }
    }

    /// A 404.
    pub fn not_found(kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind,
            message: message.into(),
        }
    }

    /// The stack is not in the caller's project.
    pub fn no_stack(name: &str) -> Self {
        ApiError::not_found(
            "EntityNotFound",
            format!("The Stack ({name}) could not be found."),
        )
    }

    /// A 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: "Forbidden",
            message: message.into(),
        }
    }

    /// A 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: "NotAuthenticated",
            message: message.into(),
        }
    }

    /// A 413.
    pub fn too_large(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: "RequestLimitExceeded",
            message: message.into(),
        }
    }

    /// A 503: the server is saturated (with `Retry-After`).
    pub fn busy() -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: "ServiceUnavailable",
            message: "The server is busy; retry shortly.".into(),
        }
    }

    /// A 500: logged, and answered without details.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "InternalError",
            message:
                "The server has either erred or is incapable of performing the requested operation."
                    .into(),
        }
    }

    /// A refusal of the stack service, as a create or an update meets it.
    pub fn from_service(e: ServiceError, validation: &'static str) -> Self {
        match e {
            ServiceError::Invalid { errors, .. } => {
                let kind = match errors.first().map(|e| e.kind) {
                    Some(heat_core::template::ErrorKind::Parameter)
                        if errors[0].message.ends_with("was not provided.") =>
                    {
                        "UserParameterMissing"
                    }
                    Some(heat_core::template::ErrorKind::Cycle) => "CircularDependencyException",
                    Some(heat_core::template::ErrorKind::Version) => "InvalidTemplateVersion",
                    Some(heat_core::template::ErrorKind::Limit) => "RequestLimitExceeded",
                    _ => validation,
                };
                let message = errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n");
                ApiError::bad_request(kind, message)
            }
            ServiceError::StackNotFound(name) => ApiError::no_stack(&name),
            ServiceError::ResourceNotFound { stack, resource } => ApiError::not_found(
                "ResourceNotFound",
                format!("The Resource ({resource}) could not be found in Stack {stack}."),
            ),
            ServiceError::NotFound(message) => ApiError::not_found("NotFound", message),
            ServiceError::SnapshotNotFound(id) => ApiError::not_found(
                "NotFound",
                format!("The Snapshot ({id}) could not be found."),
            ),
            ServiceError::Exists(name) => ApiError {
                status: StatusCode::CONFLICT,
                kind: "StackExists",
                message: format!("The Stack ({name}) already exists."),
            },
            ServiceError::InProgress(name, status) => ApiError {
                status: StatusCode::CONFLICT,
                kind: "ActionInProgress",
                message: format!("Stack {name} already has an action ({status}) in progress."),
            },
            ServiceError::BadRequest(m) => ApiError::bad_request("HTTPBadRequest", m),
            ServiceError::Forbidden(m) => ApiError::forbidden(m),
            ServiceError::Store(e) => ApiError::internal(e),
        }
    }

    fn title(&self) -> (&'static str, &'static str) {
        match self.status {
            StatusCode::BAD_REQUEST => (
                "Bad Request",
                "The server could not comply with the request since it is either malformed or otherwise incorrect.",
            ),
            StatusCode::UNAUTHORIZED => (
                "Unauthorized",
                "This server could not verify that you are authorized to access the document you requested.",
            ),
            StatusCode::FORBIDDEN => ("Forbidden", "Access was denied to this resource."),
            StatusCode::NOT_FOUND => ("Not Found", "The resource could not be found."),
            StatusCode::CONFLICT => (
                "Conflict",
                "There was a conflict when trying to complete your request.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "Request Entity Too Large",
                "The request entity is too large.",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                "Service Unavailable",
                "The server is currently unavailable. Please try again at a later time.",
            ),
            _ => (
                "Internal Server Error",
                "The server has either erred or is incapable of performing the requested operation.",
            ),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError::from_service(e, "StackValidationFailed")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (title, explanation) = self.title();
        let body = json!({
            "code": self.status.as_u16(),
            "title": title,
            "explanation": explanation,
            "error": {"type": self.kind, "traceback": null, "message": self.message},
        });
        let mut r = (self.status, super::json::body(&body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        r
    }
}
