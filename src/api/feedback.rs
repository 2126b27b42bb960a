//! Quality feedback: a member's ratings of a collected order, a problem
//! reported by label (no account), and the organisers' problems and refunds.

use domain::feedback::{
    FeedbackRequest, OrderRefund, ProblemReport, RefundRequest, ReportReceived, ReportRequest,
};
use gloo_net::http::Request;

use super::{
    answer, no_content, org_get, org_send, send_json, WriteError, CSRF_HEADER, CSRF_VALUE,
};

/// The member's ratings of their order so far.
pub async fn ratings(order_id: &str) -> Result<FeedbackRequest, WriteError> {
    answer(
        Request::get(&format!("/api/orders/{order_id}/feedback"))
            .send()
            .await,
    )
    .await
}

/// Rates lines of a collected order; answers every rating it now has.
pub async fn rate(order_id: &str, body: &FeedbackRequest) -> Result<FeedbackRequest, WriteError> {
    send_json(
        Request::put(&format!("/api/orders/{order_id}/feedback")),
        body,
    )
    .await
}

/// Reports a problem with the piece under `code` (limited per address).
pub async fn report(code: &str, body: &ReportRequest) -> Result<ReportReceived, WriteError> {
    send_json(Request::post(&format!("/api/labels/{code}/reports")), body).await
}

/// The village's reported problems, open ones first.
pub async fn problems(slug: String) -> Result<Vec<ProblemReport>, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/problems")).await
}

/// Marks a report dealt with.
pub async fn resolve(report_id: i64) -> Result<(), WriteError> {
    no_content(
        Request::post(&format!("/api/organise/reports/{report_id}/resolve"))
            .header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

/// Records money given back on an order (or one piece of it).
pub async fn refund(order_id: &str, body: &RefundRequest) -> Result<OrderRefund, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/orders/{order_id}/refunds")),
        body,
    )
    .await
}

/// Sends a photo for the member's rating of one line, reporting progress
/// from 0 to 1; it replaces an earlier one.
pub async fn upload_line_photo(
    order_id: &str,
    product_id: i64,
    file: web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<domain::dto::PhotoRef, WriteError> {
    super::upload_photo_to(
        &format!("/api/orders/{order_id}/feedback/{product_id}/photo"),
        file,
        progress,
    )
    .await
}
