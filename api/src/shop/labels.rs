//! `GET /api/labels/{code}`: what a packed item's label stands for (the
//! household, product, round and distribution point), for anyone holding
//! the item. Nothing about the member who ordered it.

use axum::{
    extract::{rejection::PathRejection, Path, State},
    Json,
};
use domain::{dto::HouseholdRef, label::LabelCode, packing::LabelInfo, LocalText};
use sqlx::FromRow;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::error::{Error, Result},
    shop::{
        rounds::RoundRow,
        villages::{PointRow, POINT_COLUMNS},
    },
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(label))
        .routes(routes!(qr))
}

/// `GET /api/labels/{code}/qr.svg`: a QR code of the label's trace page,
/// `{origin}/label/{code}`, to print on the package. The origin is the one
/// the request came to (its `Host`, and https when the server is told so
/// or a trusted proxy says so): labels are printed from the same address
/// consumers reach, so there is no setting to keep in step with it.
#[utoipa::path(
    get,
    path = "/labels/{code}/qr.svg",
    tag = "shop",
    params(
        ("code" = String, Path, description = "The label code, e.g. `K7QX-3MPD`")
    ),
    responses(
        (status = 200, description = "The label's QR code", content_type = "image/svg+xml", body = String)
    )
)]
async fn qr(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    code: std::result::Result<Path<String>, PathRejection>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let Path(raw) = code.map_err(|_| Error::field("code", "不是标签码", "is not a label code"))?;
    let code = LabelCode::parse(&raw).map_err(|e| Error::field("code", e.zh(), e.to_string()))?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .ok_or_else(|| {
            Error::bad_param("Host", "请求的主机名不对", "is missing or not a host name")
        })?;
    let https = crate::http::headers::via_https(
        state.config.secure_cookie,
        &extensions,
        &headers,
        &state.config.trusted_proxies,
    );
    let scheme = if https { "https" } else { "http" };
    let url = format!("{scheme}://{host}/label/{}", code.as_str());
    let svg = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(Error::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}

#[derive(FromRow)]
struct LabelRow {
    household_id: i64,
    household_zh: String,
    household_en: String,
    household_demo: i64,
    village_slug: String,
    village_zh: String,
    village_en: String,
    product_id: i64,
    product_zh: String,
    product_en: String,
    unit_zh: String,
    unit_en: String,
    round_id: i64,
    opens_at: i64,
    deadline: i64,
    distribution_day: String,
    point_id: i64,
}

/// `GET /api/labels/{code}`: public. Selects nothing of the consumer (the
/// order is joined only for its distribution point).
#[utoipa::path(
    get,
    path = "/labels/{code}",
    tag = "shop",
    summary = "What a label is on: household, village, product, round and point, never who ordered it",
    params(
        ("code" = String, Path, description = "The label code, e.g. `K7QX-3MPD`")
    ),
    responses(
        (status = 200, description = "OK", body = LabelInfo)
    )
)]
async fn label(
    State(state): State<AppState>,
    code: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<LabelInfo>> {
    let Path(raw) = code.map_err(|_| Error::field("code", "不是标签码", "is not a label code"))?;
    let code = LabelCode::parse(&raw).map_err(|e| Error::field("code", e.zh(), e.to_string()))?;
    let mut conn = state.db.acquire().await?;
    let row: LabelRow = sqlx::query_as(
        "SELECT h.id AS household_id, h.name_zh AS household_zh, h.name_en AS household_en,
                h.demo AS household_demo, v.slug AS village_slug, v.name_zh AS village_zh,
                v.name_en AS village_en, p.id AS product_id, p.name_zh AS product_zh,
                p.name_en AS product_en, p.unit_zh, p.unit_en, r.id AS round_id, r.opens_at,
                r.deadline, r.distribution_day, o.point_id
         FROM packed_line pl
         JOIN household h ON h.id = pl.household_id
         JOIN village v ON v.id = h.village_id
         JOIN product p ON p.id = pl.product_id
         JOIN distribution_round r ON r.id = pl.round_id
         JOIN orders o ON o.id = pl.order_id
         WHERE pl.label_code = ?",
    )
    .bind(code.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        Error::not_found(
            format!("没有哪件货贴着标签 {}", code.display()),
            format!("no packed item has the label {}", code.display()),
        )
    })?;
    let point: PointRow = sqlx::query_as(&format!(
        "SELECT {POINT_COLUMNS} FROM distribution_point d WHERE d.id = ?"
    ))
    .bind(row.point_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Json(LabelInfo {
        code: code.display(),
        household: HouseholdRef {
            id: row.household_id,
            name: LocalText::new(row.household_zh, row.household_en),
            demo: row.household_demo != 0,
            photo: None,
        },
        village_slug: row.village_slug,
        village_name: LocalText::new(row.village_zh, row.village_en),
        product_id: row.product_id,
        product_name: LocalText::new(row.product_zh, row.product_en),
        unit: LocalText::new(row.unit_zh, row.unit_en),
        round: RoundRow {
            id: row.round_id,
            opens_at: row.opens_at,
            deadline: row.deadline,
            distribution_day: row.distribution_day,
        }
        .into_round()?,
        point: point.into_point(),
    }))
}
