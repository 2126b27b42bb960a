//! Money after the pickup: a round's settlement and household payments,
//! income, the organising share's ledger, and its public summary.

use domain::income::{
    HouseholdPayment, IncomeHistory, IncomeReport, PaymentInput, RoundSettlement, ShareLedger,
    ShareSummary, SpendingEntry, SpendingInput,
};
use gloo_net::http::Request;

use super::{
    get_json, no_content, org_get, org_send, FetchError, WriteError, CSRF_HEADER, CSRF_VALUE,
};

pub async fn settlement(round_id: i64) -> Result<RoundSettlement, WriteError> {
    org_get(&format!("/api/organise/rounds/{round_id}/settlement")).await
}

fn payment_path(round_id: i64, household_id: i64) -> String {
    format!("/api/organise/rounds/{round_id}/households/{household_id}/payment")
}

pub async fn put_payment(
    round_id: i64,
    household_id: i64,
    input: &PaymentInput,
) -> Result<HouseholdPayment, WriteError> {
    org_send(Request::put(&payment_path(round_id, household_id)), input).await
}

pub async fn delete_payment(round_id: i64, household_id: i64) -> Result<(), WriteError> {
    no_content(
        Request::delete(&payment_path(round_id, household_id)).header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

fn year_query(year: Option<i32>) -> String {
    year.map(|y| format!("?year={y}")).unwrap_or_default()
}

/// The village's income report; this year when `year` is `None`.
pub async fn village_income(slug: String, year: Option<i32>) -> Result<IncomeReport, WriteError> {
    org_get(&format!(
        "/api/organise/villages/{slug}/income{}",
        year_query(year)
    ))
    .await
}

pub async fn household_income(id: i64) -> Result<IncomeHistory, WriteError> {
    org_get(&format!("/api/organise/households/{id}/income")).await
}

pub async fn ledger(slug: String, year: Option<i32>) -> Result<ShareLedger, WriteError> {
    org_get(&format!(
        "/api/organise/villages/{slug}/share-spending{}",
        year_query(year)
    ))
    .await
}

pub async fn create_spending(
    slug: &str,
    input: &SpendingInput,
) -> Result<SpendingEntry, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/villages/{slug}/share-spending")),
        input,
    )
    .await
}

pub async fn delete_spending(id: i64) -> Result<(), WriteError> {
    no_content(
        Request::delete(&format!("/api/organise/share-spending/{id}"))
            .header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

/// Public: where the village's organising share went this year.
pub async fn share_summary(slug: String) -> Result<ShareSummary, FetchError> {
    get_json(&format!("/api/villages/{slug}/share-spending")).await
}
