//! [`JsonBody`]: the JSON request-body extractor of every write endpoint.
//! Unlike axum's `Json`, every refusal is a JSON [`domain::dto::ApiError`]:
//!
//! - no `Content-Type: application/json` → 415 (with SameSite cookies this
//!   also keeps cross-site HTML forms out: they cannot send that type);
//! - a body over the size limit → 413;
//! - not JSON at all (syntax error, empty, trailing garbage) → 400;
//! - JSON of the wrong shape → 422 naming the path, e.g. `lines[0].quantity`.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{header, HeaderMap, StatusCode},
};
use domain::{FieldError, LocalText};
use serde::de::DeserializeOwned;

use crate::http::error::Error;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        if !is_json(req.headers()) {
            return Err(Error::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                let why = r.body_text();
                Error::bad_body(
                    format!("读不到提交的内容：{why}"),
                    format!("the request body could not be read: {why}"),
                )
            }
        })?;
        parse(&bytes).map(Self)
    }
}

/// `application/json`, with or without parameters such as `charset`.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Decodes `bytes` as a `T`, with errors as described in the module docs.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // Syntax first, for the whole document: broken JSON is a 400 even when
    // its first part already has the wrong shape.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| not_json(&e))?;
    // Every body is an object (serde would also take a struct as an array).
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::field(
            "body",
            "必须是一个 JSON 对象",
            "must be a JSON object",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => Error::Validation(vec![data_error(&path, &inner)]),
            _ => not_json(&inner),
        }
    })?;
    de.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

fn not_json(e: &serde_json::Error) -> Error {
    if e.is_eof() && e.line() == 1 && e.column() == 0 {
        return Error::bad_body(
            "提交的内容是空的，请提交一个 JSON 对象",
            "the request body is empty; send a JSON object",
        );
    }
    // serde's own detail is English, so the Chinese gives only the place.
    Error::bad_body(
        format!(
            "提交的内容不是有效的 JSON（第 {} 行第 {} 列）",
            e.line(),
            e.column()
        ),
        format!("the request body is not valid JSON: {e}"),
    )
}

/// A field error for JSON of the wrong shape: the path of the offending
/// value (`lines[0].quantity`; `body` for the whole document) and serde's
/// message without its line/column suffix, in plainer words.
fn data_error(path: &str, e: &serde_json::Error) -> FieldError {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    let join = |name: &str| match path {
        "." | "" => name.to_owned(),
        p => format!("{p}.{name}"),
    };
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return FieldError::new(join(name), "没有填写", "is missing");
    }
    let field = match path {
        "." | "" => "body".to_owned(),
        p => p.to_owned(),
    };
    let text = plain(message);
    FieldError::new(field, text.zh, text.en)
}

/// "invalid type: string \"2\", expected i64" → "must be a whole number
/// (got string \"2\")" (and "应为整数（收到的是 string \"2\"）").
fn plain(message: &str) -> LocalText {
    let Some((got, expected)) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "))
    else {
        return LocalText::new(format!("格式不对：{message}"), message);
    };
    let (expected_zh, expected) = match expected {
        "i64" | "i32" | "u64" | "u32" | "u16" | "u8" | "i8" | "i16" => ("整数", "a whole number"),
        "a string" => ("文字", "text"),
        "a sequence" => ("列表", "a list"),
        "a boolean" => ("true 或 false", "a boolean"),
        e if e.starts_with("struct ") || e == "a map" => ("对象", "an object"),
        e => (e, e),
    };
    // Chinese runs into a Chinese word; an English one gets a space.
    let gap = if expected_zh.starts_with(|c: char| c.is_ascii()) {
        " "
    } else {
        ""
    };
    LocalText::new(
        format!("应为{gap}{expected_zh}（收到的是 {got}）"),
        format!("must be {expected} (got {got})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::order::OrderRequest;

    fn fields(json: &str) -> Vec<(String, String)> {
        match parse::<OrderRequest>(json.as_bytes()) {
            Err(Error::Validation(f)) => f.into_iter().map(|e| (e.field, e.message)).collect(),
            other => panic!("expected 422 for {json}, got {other:?}"),
        }
    }

    #[test]
    fn good_json_parses() {
        let r: OrderRequest =
            parse(br#"{"round_id":1,"point_id":2,"lines":[{"product_id":3,"quantity":4}]}"#)
                .unwrap();
        assert_eq!(r.lines[0].quantity, 4);
    }

    #[test]
    fn wrong_types_name_the_path() {
        let f = fields(r#"{"round_id":1,"point_id":2,"lines":[{"product_id":3,"quantity":"4"}]}"#);
        assert_eq!(f[0].0, "lines[0].quantity");
        assert!(f[0].1.contains("whole number"), "{}", f[0].1);
        let f = fields(r#"{"round_id":1,"point_id":2,"lines":[{"product_id":3,"quantity":1.5}]}"#);
        assert_eq!(f[0].0, "lines[0].quantity");
        let f = fields(
            r#"{"round_id":1,"point_id":2,"lines":[{"product_id":3,"quantity":99999999999999999999999}]}"#,
        );
        assert_eq!(f[0].0, "lines[0].quantity");
        let f = fields(r#"{"round_id":1,"lines":[]}"#);
        assert_eq!(f[0], ("point_id".into(), "is missing".into()));
        let f = fields(r#"{"round_id":1,"point_id":2,"lines":[{"quantity":1}]}"#);
        assert_eq!(f[0].0, "lines[0].product_id");
        let f = fields(r#"{"round_id":1,"point_id":2,"lines":{}}"#);
        assert_eq!(f[0].0, "lines");
        let f = fields("[]");
        assert_eq!(f[0].0, "body");
    }

    #[test]
    fn malformed_json_is_placed_in_both_languages() {
        let Err(Error::BadBody(text)) = parse::<OrderRequest>(b"{\"round_id\":1,}") else {
            panic!("expected a bad body");
        };
        assert_eq!(text.zh, "提交的内容不是有效的 JSON（第 1 行第 15 列）");
        assert!(
            text.en.starts_with("the request body is not valid JSON: ")
                && text.en.ends_with("at line 1 column 15"),
            "{}",
            text.en
        );
    }

    #[test]
    fn malformed_json_is_a_bad_body() {
        for bad in ["", "{", "{\"round_id\":1,}", "nope", "{} {}"] {
            assert!(
                matches!(
                    parse::<OrderRequest>(bad.as_bytes()),
                    Err(Error::BadBody(_))
                ),
                "{bad:?}"
            );
        }
    }
}
