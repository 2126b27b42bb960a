//! Pickup at the distribution point: the list per round (and point), one
//! mark, and the round's CSV downloads.

use domain::pickup::{PickupList, PickupMarkAnswer, PickupMarkInput};
use domain::Lang;
use gloo_net::http::Request;

use super::{org_get, org_send, WriteError};

/// What to hand out at each of the round's points (409 before allocation).
pub async fn pickup_list(round_id: i64) -> Result<PickupList, WriteError> {
    org_get(&format!("/api/organise/rounds/{round_id}/pickup")).await
}

/// Sends one mark; the same mark again is answered as the first time.
pub async fn put_mark(
    order_id: &str,
    input: &PickupMarkInput,
) -> Result<PickupMarkAnswer, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/orders/{order_id}/pickup")),
        input,
    )
    .await
}

/// A CSV download of the round (`packing`, `pickup` or `orders`), with its
/// columns in the page's language; `point` narrows the pickup list.
pub fn csv_url(round_id: i64, what: &str, lang: Lang, point: Option<i64>) -> String {
    let lang = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    let point = point.map(|p| format!("&point={p}")).unwrap_or_default();
    format!("/api/organise/rounds/{round_id}/{what}.csv?lang={lang}{point}")
}
