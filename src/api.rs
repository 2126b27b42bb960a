//! Every HTTP call of the app, through gloo-net. The API is served from the
//! same origin, so paths are relative.

use domain::dto::{ApiError, HouseholdDetail, ProductDetail, VillageDetail, VillageSummary};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;

/// Why a load failed, in terms a page can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    /// The server does not know the thing asked for: show the 404 page.
    NotFound,
    /// No answer, or an answer we could not use: show retry.
    Unavailable(String),
}

impl FetchError {
    /// Maps an HTTP status and the server's error message.
    pub fn from_status(status: u16, message: String) -> Self {
        match status {
            404 => FetchError::NotFound,
            // A malformed id in a URL is as good as an unknown one for a shopper.
            400 | 422 => FetchError::NotFound,
            _ => FetchError::Unavailable(format!("{status}: {message}")),
        }
    }
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let resp = Request::get(path)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Unavailable(e.to_string()))?;
    if resp.ok() {
        return resp
            .json::<T>()
            .await
            .map_err(|e| FetchError::Unavailable(e.to_string()));
    }
    let status = resp.status();
    let message = match resp.json::<ApiError>().await {
        Ok(body) => body.error,
        Err(_) => resp.status_text(),
    };
    Err(FetchError::from_status(status, message))
}

pub async fn villages() -> Result<Vec<VillageSummary>, FetchError> {
    get_json("/api/villages").await
}

pub async fn village(slug: String) -> Result<VillageDetail, FetchError> {
    // Only slug characters reach the URL; anything else cannot be a village.
    if domain::validate::slug("slug", &slug).is_err() {
        return Err(FetchError::NotFound);
    }
    get_json(&format!("/api/villages/{slug}")).await
}

pub async fn household(id: String) -> Result<HouseholdDetail, FetchError> {
    let id = parse_id(&id)?;
    get_json(&format!("/api/households/{id}")).await
}

pub async fn product(id: String) -> Result<ProductDetail, FetchError> {
    let id = parse_id(&id)?;
    get_json(&format!("/api/products/{id}")).await
}

fn parse_id(raw: &str) -> Result<i64, FetchError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(FetchError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_the_page_shows() {
        assert_eq!(
            FetchError::from_status(404, "x".into()),
            FetchError::NotFound
        );
        assert_eq!(
            FetchError::from_status(400, "x".into()),
            FetchError::NotFound
        );
        assert!(matches!(
            FetchError::from_status(500, "x".into()),
            FetchError::Unavailable(_)
        ));
        assert!(matches!(
            FetchError::from_status(503, "x".into()),
            FetchError::Unavailable(_)
        ));
    }

    #[test]
    fn ids_must_be_positive_numbers() {
        assert_eq!(parse_id("12"), Ok(12));
        assert_eq!(parse_id("0"), Err(FetchError::NotFound));
        assert_eq!(parse_id("-3"), Err(FetchError::NotFound));
        assert_eq!(parse_id("abc"), Err(FetchError::NotFound));
    }
}
