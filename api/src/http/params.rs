//! Path-parameter extractors that answer malformed input with a JSON 400
//! naming the parameter, instead of axum's plain-text rejection; and the
//! plain query-string lookup of the few endpoints that take one.

use axum::{
    extract::{FromRequestParts, RawPathParams},
    http::request::Parts,
};

use crate::http::error::Error;

/// The one path parameter of the route, e.g. `{id}` in `/products/{id}`:
/// its name and its percent-decoded value. `invalid` is the error when the
/// value does not decode (invalid UTF-8).
async fn single_param<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    invalid: impl FnOnce() -> Error,
) -> Result<(String, String), Error> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| invalid())?;
    let mut it = params.iter();
    match (it.next(), it.next()) {
        (Some((name, value)), None) => Ok((name.to_owned(), value.to_owned())),
        _ => Err(Error::internal(
            "route must have exactly one path parameter",
        )),
    }
}

/// The value of `name` in a query string (no percent-decoding: every
/// parameter the API reads there is plain ASCII).
pub fn query_param<'a>(query: &'a Option<String>, name: &str) -> Option<&'a str> {
    query
        .as_deref()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Makes each type an extractor of the route's one path parameter, by its
/// `parse`; `$undecodable` is the error for a value that does not decode.
macro_rules! path_param {
    ($($ty:ident: $undecodable:expr;)+) => {$(
        impl<S: Send + Sync> FromRequestParts<S> for $ty {
            type Rejection = Error;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
                let (name, raw) = single_param(parts, state, $undecodable).await?;
                Self::parse(&name, &raw)
            }
        }
    )+};
}

path_param! {
    Id: || Error::bad_param("id", Id::MESSAGE_ZH, Id::MESSAGE);
    Slug: || Slug::parse("slug", "").unwrap_err();
    OrderId: || Error::bad_param("id", OrderId::MESSAGE_ZH, OrderId::MESSAGE);
}

/// A database id: a positive whole number that fits in an i64. Leading `+`,
/// signs, spaces and decimals are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id(pub i64);

impl Id {
    pub const MESSAGE: &'static str = "must be a positive whole number";
    pub const MESSAGE_ZH: &'static str = "必须是正整数";

    pub fn parse(param: &str, raw: &str) -> Result<Self, Error> {
        let bad = || Error::bad_param(param, Self::MESSAGE_ZH, Self::MESSAGE);
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match raw.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Self(n)),
            _ => Err(bad()),
        }
    }
}

/// The route's two id parameters, in path order, e.g. `{id}` and
/// `{household}` in `/rounds/{id}/households/{household}/payment`; each
/// checked as an [`Id`] under its own name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdPair(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPair {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::bad_param("id", Id::MESSAGE_ZH, Id::MESSAGE))?;
        let ids = params
            .iter()
            .map(|(name, raw)| Id::parse(name, raw).map(|Id(n)| n))
            .collect::<Result<Vec<i64>, Error>>()?;
        match ids[..] {
            [a, b] => Ok(Self(a, b)),
            _ => Err(Error::internal(
                "route must have exactly two path parameters",
            )),
        }
    }
}

/// A slug checked by [`domain::validate::slug`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(pub String);

impl Slug {
    pub fn parse(param: &str, raw: &str) -> Result<Self, Error> {
        domain::validate::slug(param, raw)
            .map_err(|e| Error::bad_param(e.field, e.message_zh, e.message))?;
        Ok(Self(raw.to_owned()))
    }
}

/// An order id: the UUID the phone made, in its hyphenated form (any case),
/// kept lower-case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderId(pub String);

impl OrderId {
    pub const MESSAGE: &'static str = "must be a UUID like 3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6f";
    pub const MESSAGE_ZH: &'static str =
        "必须是 UUID 格式，例如 3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6f";

    pub fn parse(param: &str, raw: &str) -> Result<Self, Error> {
        match uuid::Uuid::try_parse(raw) {
            Ok(id) if raw.len() == 36 => Ok(Self(id.hyphenated().to_string())),
            _ => Err(Error::bad_param(param, Self::MESSAGE_ZH, Self::MESSAGE)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param_of(e: Error) -> String {
        match e {
            Error::BadParam { param, .. } => param,
            other => panic!("expected BadParam, got {other:?}"),
        }
    }

    #[test]
    fn ids() {
        assert_eq!(Id::parse("id", "1").unwrap(), Id(1));
        assert_eq!(Id::parse("id", "0042").unwrap(), Id(42));
        assert_eq!(
            Id::parse("id", &i64::MAX.to_string()).unwrap(),
            Id(i64::MAX)
        );
        for bad in [
            "",
            "0",
            "-1",
            "+1",
            "abc",
            "1.5",
            " 1",
            "99999999999999999999",
            "9223372036854775808",
        ] {
            assert_eq!(param_of(Id::parse("id", bad).unwrap_err()), "id", "{bad:?}");
        }
    }

    #[test]
    fn order_ids() {
        let id = "3F2B6C1E-8D4A-4B7E-9C0D-2A1B3C4D5E6F";
        assert_eq!(OrderId::parse("id", id).unwrap().0, id.to_ascii_lowercase());
        for bad in [
            "",
            "abc",
            "3f2b6c1e8d4a4b7e9c0d2a1b3c4d5e6f",
            "{3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6f}",
            "3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6g",
            "3f2b6c1e-8d4a-4b7e-9c0d-2a1b3c4d5e6",
        ] {
            assert_eq!(
                param_of(OrderId::parse("id", bad).unwrap_err()),
                "id",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse("slug", "liu").unwrap(), Slug("liu".into()));
        for bad in ["BAD!", "", "Liu", "a b", &"a".repeat(41)] {
            assert_eq!(
                param_of(Slug::parse("slug", bad).unwrap_err()),
                "slug",
                "{bad:?}"
            );
        }
    }
}
