//! [`CfnError`]: every refusal of the Query APIs, as AWS answers it: an
//! `<ErrorResponse>` with AWS's code (`ValidationError`,
//! `AlreadyExistsException`, `SignatureDoesNotMatch`...), Sender or Receiver
//! fault, and AWS's HTTP status, so that botocore raises the exception the
//! service model names.

use axum::http::StatusCode;
use heat_core::service::ServiceError;

use crate::api::ApiError;

/// A Query API error.
#[derive(Debug, Clone, PartialEq)]
pub struct CfnError {
    /// The HTTP status.
    pub status: StatusCode,
    /// AWS's error code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl CfnError {
    /// An error of the caller's.
    pub fn sender(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        CfnError {
            status,
            code,
            message: message.into(),
        }
    }

    /// `ValidationError` (400): the request is wrong.
    pub fn validation(message: impl Into<String>) -> Self {
        CfnError::sender(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    /// A stack the caller cannot see.
    pub fn no_stack(name: &str) -> Self {
        CfnError::validation(format!("Stack with id {name} does not exist"))
    }

    /// 403 with AWS's authentication codes.
    pub fn denied(code: &'static str, message: impl Into<String>) -> Self {
        CfnError::sender(StatusCode::FORBIDDEN, code, message)
    }

    /// The server failed (logged; the caller gets a generic message).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal failure");
        CfnError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalFailure",
            message: "The request processing has failed because of an unknown error.".into(),
        }
    }

    /// Whether the caller is at fault.
    pub fn is_sender(&self) -> bool {
        self.status.is_client_error()
    }
}

impl From<ServiceError> for CfnError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid { .. } => {
                CfnError::validation(format!("Template format error: {e}"))
            }
            ServiceError::StackNotFound(n) => CfnError::no_stack(&n),
            ServiceError::ResourceNotFound { stack, resource } => CfnError::validation(format!(
                "Resource {resource} does not exist for stack {stack}"
            )),
            ServiceError::Exists(n) => CfnError::sender(
                StatusCode::BAD_REQUEST,
                "AlreadyExistsException",
                format!("Stack [{n}] already exists"),
            ),
            ServiceError::InProgress(stack, action) => CfnError::validation(format!(
                "Stack:{stack} is in {action} state and can not be updated."
            )),
            ServiceError::NotFound(_)
            | ServiceError::SnapshotNotFound(_)
            | ServiceError::BadRequest(_) => CfnError::validation(e.to_string()),
            ServiceError::Forbidden(m) => CfnError::denied("AccessDenied", m),
            ServiceError::Store(s) => CfnError::internal(s),
        }
    }
}

impl From<ApiError> for CfnError {
    fn from(e: ApiError) -> Self {
        if e.status.is_server_error() {
            return CfnError::internal(e.message);
        }
        match e.status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => {
                CfnError::denied("AccessDenied", e.message)
            }
            _ => CfnError::validation(e.message),
        }
    }
}
