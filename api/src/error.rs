//! The one error type of the API and how each kind maps to a status code.
//! Every error body is a [`domain::dto::ApiError`]:
//! `{"error": "...", "fields": [{"field": "...", "message": "..."}]}`.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use domain::{dto::ApiError, FieldError};

#[derive(Debug)]
pub enum Error {
    /// 404: what was not found, e.g. "no village with slug 'xyz'".
    NotFound(String),
    /// 400: a malformed path or query parameter.
    BadParam { param: String, message: String },
    /// 422: well-formed input that breaks a domain rule.
    Validation(Vec<FieldError>),
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 500: our fault. The detail is logged, never sent.
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_param(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadParam {
            param: param.into(),
            message: message.into(),
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal(detail.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadParam { .. } => StatusCode::BAD_REQUEST,
            Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(self) -> ApiError {
        let (error, fields) = match self {
            Error::NotFound(what) => (what, vec![]),
            Error::BadParam { param, message } => (
                format!("{param} {message}"),
                vec![FieldError::new(param, message)],
            ),
            Error::Validation(fields) => ("some fields are not valid".to_owned(), fields),
            Error::MethodNotAllowed => ("method not allowed".to_owned(), vec![]),
            Error::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    "something went wrong on our side; please try again".to_owned(),
                    vec![],
                )
            }
        };
        ApiError {
            error,
            fields,
            short: Vec::new(),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(format_args!("database: {e}"))
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Self::Validation(vec![e])
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotFound(what) => write!(f, "not found: {what}"),
            Error::BadParam { param, message } => write!(f, "bad parameter {param}: {message}"),
            Error::Validation(fields) => write!(f, "{} invalid field(s)", fields.len()),
            Error::MethodNotAllowed => f.write_str("method not allowed"),
            Error::Internal(detail) => write!(f, "internal: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

/// JSON 404 for any unknown path under `/api`.
pub async fn api_not_found(axum::extract::OriginalUri(uri): axum::extract::OriginalUri) -> Error {
    Error::NotFound(format!("no API endpoint at {}", uri.path()))
}

/// JSON 405 for a known API path used with the wrong method.
pub async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
