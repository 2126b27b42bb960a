//! The one error type of the API and how each kind maps to a status code.
//! Every error body is a [`domain::dto::ApiError`]:
//! `{"error": "...", "error_zh": "...", "fields": [{"field": "...",
//! "message": "...", "message_zh": "..."}]}`. Every message a person may
//! read is written here in both languages: the app shows the shopper's.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use domain::{
    dto::{ApiError, NoRoom, NoRoomError},
    order::Shortage,
    FieldError, LocalText,
};

#[derive(Debug)]
pub enum Error {
    /// 404: what was not found, e.g. "no village with slug 'xyz'".
    NotFound(LocalText),
    /// 400: a malformed path or query parameter.
    BadParam { param: String, message: LocalText },
    /// 422: well-formed input that breaks a domain rule.
    Validation(Vec<FieldError>),
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 400: the body is not JSON at all (syntax error, empty, truncated).
    BadBody(LocalText),
    /// 401: not logged in, or the login failed; the message says which.
    Unauthorized(LocalText),
    /// 403: logged in but not allowed (another village's data), or a
    /// write without the CSRF header; the message says which.
    Forbidden(LocalText),
    /// 429: too many failed logins; try again in this many minutes.
    RateLimited { retry_after_minutes: i64 },
    /// 429: too many problem reports from one address; try again in this
    /// many minutes.
    TooManyReports { retry_after_minutes: i64 },
    /// 409: a supply change would leave less than is already ordered;
    /// nothing was changed.
    BelowOrdered(Vec<domain::organise::BelowOrdered>),
    /// 409: the request clashes with what is stored, e.g. a phone number
    /// already registered; `fields` names the field when there is one.
    Conflict {
        error: LocalText,
        fields: Vec<FieldError>,
    },
    /// 409: an order asks for more than is left; nothing was ordered.
    Short(Vec<Shortage>),
    /// 409: a booking finds no room; nothing was booked.
    NoRoom(NoRoom),
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 413 naming the field, e.g. a photo over its own limit.
    FieldTooLarge(FieldError),
    /// 415: a body that is not declared as JSON.
    UnsupportedMediaType,
    /// 503: the database stayed busy too long; safe to retry.
    Busy,
    /// 500: our fault. The detail is logged, never sent.
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// 404: `zh` and `en` say what was not found.
    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::NotFound(LocalText::new(zh, en))
    }

    pub fn unauthorized(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Unauthorized(LocalText::new(zh, en))
    }

    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Forbidden(LocalText::new(zh, en))
    }

    pub fn bad_body(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::BadBody(LocalText::new(zh, en))
    }

    pub fn bad_param(
        param: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self::BadParam {
            param: param.into(),
            message: LocalText::new(zh, en),
        }
    }

    /// 422 for one field.
    pub fn field(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, zh, en)])
    }

    /// 409 without a field.
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Conflict {
            error: LocalText::new(zh, en),
            fields: Vec::new(),
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
            Error::BadBody(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::RateLimited { .. } | Error::TooManyReports { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Error::Conflict { .. }
            | Error::Short(_)
            | Error::NoRoom(_)
            | Error::BelowOrdered(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge | Error::FieldTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(self) -> ApiError {
        fn t(zh: impl Into<String>, en: impl Into<String>) -> LocalText {
            LocalText::new(zh, en)
        }
        let mut short = Vec::new();
        let (error, fields) = match self {
            Error::NotFound(what) => (what, vec![]),
            Error::BadParam { param, message } => (
                t(
                    format!("参数 {param} {}", message.zh),
                    format!("{param} {}", message.en),
                ),
                vec![FieldError::new(param, message.zh, message.en)],
            ),
            Error::Validation(fields) => {
                (t("有些内容填得不对", "some fields are not valid"), fields)
            }
            Error::MethodNotAllowed => (t("不支持这种请求方法", "method not allowed"), vec![]),
            Error::BadBody(message) => (message, vec![]),
            Error::Unauthorized(message) => (message, vec![]),
            Error::Forbidden(message) => (message, vec![]),
            Error::RateLimited {
                retry_after_minutes,
            } => (rate_limited_message(retry_after_minutes), vec![]),
            Error::TooManyReports {
                retry_after_minutes,
            } => (
                t(
                    format!("这个网络提交的问题太多了，请 {retry_after_minutes} 分钟后再试"),
                    format!(
                        "too many problem reports from this address; try again in {retry_after_minutes} minute(s)"
                    ),
                ),
                vec![],
            ),
            Error::BelowOrdered(b) => (below_ordered_message(&b), vec![]),
            Error::Conflict { error, fields } => (error, fields),
            Error::Short(shortages) => {
                short = shortages;
                (short_message(), vec![])
            }
            Error::NoRoom(_) => (no_room_message(), vec![]),
            Error::PayloadTooLarge => {
                let kb = crate::http::BODY_LIMIT_BYTES / 1024;
                (
                    t(
                        format!("提交的内容太大（最多 {kb} KB）"),
                        format!("the request body is too large (at most {kb} KB)"),
                    ),
                    vec![],
                )
            }
            Error::FieldTooLarge(f) => (f.text(), vec![f]),
            Error::UnsupportedMediaType => (
                t(
                    "请以 JSON 提交，并带上 Content-Type: application/json",
                    "send the body as JSON with the header Content-Type: application/json",
                ),
                vec![],
            ),
            Error::Busy => (
                t(
                    "现在人多，请稍后再试",
                    "the shop is very busy right now; please try again in a moment",
                ),
                vec![],
            ),
            Error::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    t(
                        "我们这边出了问题，请再试一次",
                        "something went wrong on our side; please try again",
                    ),
                    vec![],
                )
            }
        };
        ApiError {
            error: error.en,
            error_zh: error.zh,
            fields,
            short,
        }
    }
}

/// "too many failed logins; try again in 12 minutes".
pub fn rate_limited_message(minutes: i64) -> LocalText {
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    LocalText::new(
        format!("登录失败次数太多，请 {minutes} 分钟后再试"),
        format!("too many failed logins; try again in {minutes} {unit}"),
    )
}

/// Names every product and the quantity already ordered.
fn below_ordered_message(b: &[domain::organise::BelowOrdered]) -> LocalText {
    let en: Vec<String> = b
        .iter()
        .map(|x| {
            format!(
                "{} ({}): {} already ordered, so its supply cannot go below {} (asked for {})",
                x.product_name.en, x.product_name.zh, x.ordered, x.ordered, x.supply
            )
        })
        .collect();
    let zh: Vec<String> = b
        .iter()
        .map(|x| {
            format!(
                "{}：已订 {}，供应量不能低于 {}（填的是 {}）",
                x.product_name.zh, x.ordered, x.ordered, x.supply
            )
        })
        .collect();
    LocalText::new(
        format!("供应量不能低于已订的数量，什么都没有改。{}", zh.join("；")),
        format!(
            "a supply cannot be lower than what is already ordered; nothing was changed. {}",
            en.join("; ")
        ),
    )
}

/// The message of a 409 for a booking without room.
pub fn no_room_message() -> LocalText {
    LocalText::new(
        "住宿期间不是每晚都有足够的床位，没有预订成功",
        "not enough beds free for your party on every night of the stay; nothing was booked",
    )
}

/// The message of a 409 for a shortage.
pub fn short_message() -> LocalText {
    LocalText::new(
        "剩下的不够整个订单，没有下单",
        "not enough left for your whole order; nothing was ordered",
    )
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Error::NoRoom(no_room) = self {
            let m = no_room_message();
            let body = NoRoomError {
                error: m.en,
                error_zh: m.zh,
                fields: vec![],
                no_room,
            };
            return (status, Json(body)).into_response();
        }
        if let Error::RateLimited {
            retry_after_minutes,
        } = self
        {
            let m = rate_limited_message(retry_after_minutes);
            let body = domain::organise::RateLimitedError {
                error: m.en,
                error_zh: m.zh,
                retry_after_minutes,
            };
            let mut res = (status, Json(body)).into_response();
            if let Ok(v) =
                axum::http::HeaderValue::from_str(&(retry_after_minutes * 60).to_string())
            {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            return res;
        }
        if let Error::BelowOrdered(below) = self {
            let m = below_ordered_message(&below);
            let body = domain::organise::BelowOrderedError {
                error: m.en,
                error_zh: m.zh,
                fields: vec![],
                below_ordered: below,
            };
            return (status, Json(body)).into_response();
        }
        let mut res = (status, Json(self.body())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        res
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if is_busy(&e) {
            tracing::warn!(error = %e, "database busy");
            return Self::Busy;
        }
        Self::internal(format_args!("database: {e}"))
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED (any extended code), or no pooled
/// connection in time: contention, not a bug.
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
        _ => false,
    }
}

/// True for a UNIQUE or PRIMARY KEY constraint failure.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Self::Validation(vec![e])
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotFound(what) => write!(f, "not found: {}", what.en),
            Error::BadParam { param, message } => {
                write!(f, "bad parameter {param}: {}", message.en)
            }
            Error::Validation(fields) => write!(f, "{} invalid field(s)", fields.len()),
            Error::MethodNotAllowed => f.write_str("method not allowed"),
            Error::BadBody(m) => write!(f, "bad body: {}", m.en),
            Error::Unauthorized(m) => write!(f, "unauthorized: {}", m.en),
            Error::Forbidden(m) => write!(f, "forbidden: {}", m.en),
            Error::RateLimited {
                retry_after_minutes,
            } => write!(f, "rate limited for {retry_after_minutes} min"),
            Error::TooManyReports {
                retry_after_minutes,
            } => write!(f, "reports limited for {retry_after_minutes} min"),
            Error::BelowOrdered(b) => write!(f, "{} product(s) below ordered", b.len()),
            Error::Conflict { error, .. } => write!(f, "conflict: {}", error.en),
            Error::Short(s) => write!(f, "{} product(s) short", s.len()),
            Error::NoRoom(_) => f.write_str("no room for the booking"),
            Error::PayloadTooLarge => f.write_str("payload too large"),
            Error::FieldTooLarge(e) => write!(f, "{} too large", e.field),
            Error::UnsupportedMediaType => f.write_str("unsupported media type"),
            Error::Busy => f.write_str("database busy"),
            Error::Internal(detail) => write!(f, "internal: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

/// JSON 404 for any unknown path under `/api`.
pub async fn api_not_found(axum::extract::OriginalUri(uri): axum::extract::OriginalUri) -> Error {
    Error::not_found(
        format!("没有这个接口：{}", uri.path()),
        format!("no API endpoint at {}", uri.path()),
    )
}

/// JSON 405 for a known API path used with the wrong method.
pub async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
