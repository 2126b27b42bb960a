//! Settlement of a round, what organisers paid each household, and each
//! household's income.
//!
//! - `GET /api/organise/rounds/{id}/settlement` → 200 `RoundSettlement`;
//!   409 before allocation
//! - `GET /api/organise/rounds/{id}/settlement.csv`: one row per
//!   household, then the organising share and what was collected
//! - `PUT /api/organise/rounds/{id}/households/{household}/payment`
//!   (`PaymentInput`) → 200 `HouseholdPayment`; `DELETE` the same → 204
//! - `GET /api/organise/villages/{slug}/income?year=YYYY` → `IncomeReport`
//!   (this year in Asia/Shanghai when left out)
//! - `GET /api/organise/households/{id}/income` → `IncomeHistory`
//!
//! The arithmetic is [`domain::settlement::settle`]; here it is fed from
//! the packed pieces, the orders' pickups and the refunds. Settlement is
//! never stored: it follows the latest marks and refunds by itself. All of
//! it is for the village's organisers only; every payment is logged.

use std::collections::HashMap;

use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Json,
};
use domain::{
    income::{
        bands, HouseholdIncome, HouseholdPayment, IncomeHistory, IncomeReport, PaymentInput,
        RoundIncome, RoundSettlement, SettlementHousehold, SettlementUnpaid,
    },
    organise::OrganiserRef,
    packing::order_number,
    settlement::{self, IncomeBand, Pickup, Piece, Refund, Settlement},
    wire::parse_date,
    LocalText,
};
use sqlx::{FromRow, SqliteConnection};
use time::{Date, OffsetDateTime};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    http::{
        csv::{csv_response, file_name, header, yuan},
        error::{Error, Result},
        json::JsonBody,
        lang::request_lang,
        params::{query_param, Id, IdPair, Slug},
    },
    organise::{
        change_log::ChangeLog,
        packing::not_allocated,
        rounds::round_for,
        session::{CurrentOrganiser, VillageRef},
    },
    shop::rounds::moment,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settlement))
        .routes(routes!(settlement_csv))
        .routes(routes!(pay, unpay))
        .routes(routes!(village_income))
        .routes(routes!(household_income))
}

fn bad_day(what: &str, raw: &str) -> Error {
    Error::internal(format_args!("{what}: bad day '{raw}'"))
}

/// The round's settlement as [`settlement::settle`] makes it, from what is
/// stored now; empty for a round not allocated.
pub(crate) async fn settle_round(conn: &mut SqliteConnection, round_id: i64) -> Result<Settlement> {
    let (percent,): (i64,) =
        sqlx::query_as("SELECT organising_percent FROM distribution_round WHERE id = ?")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
    // Only lines still ordered, as on the packing list.
    let pieces: Vec<(i64, i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT o.number, pl.household_id, pl.product_id, pl.quantity, ol.unit_price_fen,
                pl.label_code
         FROM packed_line pl
         JOIN orders o ON o.id = pl.order_id AND o.status = 'confirmed'
         JOIN order_line ol ON ol.order_id = pl.order_id AND ol.product_id = pl.product_id
         WHERE pl.round_id = ?",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let orders: Vec<(i64, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT o.number, p.state, p.amount_fen
         FROM orders o LEFT JOIN pickup p ON p.order_id = o.id
         WHERE o.round_id = ? AND o.status = 'confirmed'",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    // A refund of a piece no longer packed (its line withdrawn since) is
    // given back by the organising share, like one of an order with no
    // pieces.
    let refunds: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT o.number,
                CASE WHEN EXISTS (SELECT 1 FROM packed_line pl
                                  JOIN order_line ol ON ol.order_id = pl.order_id
                                                    AND ol.product_id = pl.product_id
                                  WHERE pl.label_code = r.label_code AND pl.order_id = r.order_id)
                     THEN r.label_code END,
                r.amount_fen
         FROM refund r JOIN orders o ON o.id = r.order_id AND o.status = 'confirmed'
         WHERE o.round_id = ?",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let input = settlement::Input {
        organising_percent: u8::try_from(percent)
            .map_err(|_| Error::internal(format_args!("round {round_id}: percent {percent}")))?,
        pieces: pieces
            .into_iter()
            .map(
                |(order, household_id, product_id, quantity, unit_price_fen, label)| Piece {
                    order,
                    household_id,
                    product_id,
                    quantity,
                    unit_price_fen,
                    label,
                },
            )
            .collect(),
        orders: orders
            .into_iter()
            .map(|(order, state, amount)| {
                let pickup = match (state.as_deref(), amount) {
                    (Some("paid"), Some(amount_fen)) => Pickup::Paid { amount_fen },
                    (Some("unpaid"), _) => Pickup::Unpaid,
                    (Some("absent"), _) => Pickup::Absent,
                    (None, _) => Pickup::None,
                    (Some(s), _) => {
                        return Err(Error::internal(format_args!("order {order}: pickup '{s}'")))
                    }
                };
                Ok((order, pickup))
            })
            .collect::<Result<_>>()?,
        refunds: refunds
            .into_iter()
            .map(|(order, label, amount_fen)| Refund {
                order,
                label,
                amount_fen,
            })
            .collect(),
    };
    settlement::settle(&input).map_err(|e| Error::internal(format_args!("round {round_id}: {e}")))
}

/// Payments recorded for the round, by household.
async fn payments(
    conn: &mut SqliteConnection,
    round_id: i64,
) -> Result<HashMap<i64, HouseholdPayment>> {
    let rows: Vec<(i64, i64, String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT hp.household_id, hp.amount_fen, hp.paid_on, g.id, g.name_zh, g.name_en,
                hp.recorded_at
         FROM household_payment hp JOIN organiser g ON g.id = hp.organiser_id
         WHERE hp.round_id = ?",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(h, amount_fen, day, gid, gzh, gen, recorded)| {
            Ok((
                h,
                HouseholdPayment {
                    amount_fen,
                    paid_on: parse_date(&day).ok_or_else(|| bad_day("payment", &day))?,
                    paid_by: OrganiserRef {
                        id: gid,
                        name: LocalText::new(gzh, gen),
                    },
                    recorded_at: moment(recorded)?,
                },
            ))
        })
        .collect()
}

#[derive(FromRow)]
struct HouseholdRow {
    id: i64,
    name_zh: String,
    name_en: String,
    registered_poor: i64,
}

async fn households_of(
    conn: &mut SqliteConnection,
    village_id: i64,
) -> Result<HashMap<i64, HouseholdRow>> {
    let rows: Vec<HouseholdRow> = sqlx::query_as(
        "SELECT id, name_zh, name_en, registered_poor FROM household WHERE village_id = ?",
    )
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|h| (h.id, h)).collect())
}

async fn require_allocated(conn: &mut SqliteConnection, round_id: i64) -> Result<()> {
    let (allocated,): (i64,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM allocation WHERE round_id = ?)")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
    if allocated == 0 {
        return Err(not_allocated());
    }
    Ok(())
}

async fn load_settlement(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    round_id: i64,
) -> Result<(VillageRef, RoundSettlement)> {
    let (v, round) = round_for(conn, o, round_id).await?;
    require_allocated(conn, round_id).await?;
    let s = settle_round(conn, round_id).await?;
    let (percent,): (i64,) =
        sqlx::query_as("SELECT organising_percent FROM distribution_round WHERE id = ?")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
    let mut paid = payments(conn, round_id).await?;
    let names = households_of(conn, v.id).await?;
    let numbers: HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT number, id FROM orders WHERE round_id = ?")
            .bind(round_id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let reconciles = s.reconciles();
    let mut households = s
        .households
        .into_iter()
        .map(|earned| {
            let h = names.get(&earned.household_id).ok_or_else(|| {
                Error::internal(format_args!("household {} is gone", earned.household_id))
            })?;
            Ok(SettlementHousehold {
                name: LocalText::new(h.name_zh.clone(), h.name_en.clone()),
                registered_poor: h.registered_poor != 0,
                payment: paid.remove(&earned.household_id),
                earned,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    households.sort_by_key(|h| h.earned.household_id);
    let paid_out_fen = households
        .iter()
        .filter_map(|h| h.payment.as_ref().map(|p| p.amount_fen))
        .sum();
    let unpaid =
        s.unpaid
            .into_iter()
            .map(|u| {
                Ok(SettlementUnpaid {
                    order_id: numbers.get(&u.order).cloned().ok_or_else(|| {
                        Error::internal(format_args!("order {} is gone", u.order))
                    })?,
                    order_number: order_number(&v.slug, u.order),
                    pickup: u.pickup,
                    value_fen: u.value_fen,
                    refunds_fen: u.refunds_fen,
                })
            })
            .collect::<Result<Vec<_>>>()?;
    let answer = RoundSettlement {
        round,
        organising_percent: u8::try_from(percent).unwrap_or(0),
        households,
        collected_fen: s.collected_fen,
        refunds_fen: s.refunds_fen,
        value_fen: s.value_fen,
        difference_fen: s.difference_fen,
        organising_fen: s.organising_fen,
        households_fen: s.households_fen,
        paid_out_fen,
        unpaid,
        reconciles,
    };
    Ok((v, answer))
}

/// `GET /api/organise/rounds/{id}/settlement`.
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/settlement",
    tag = "organise",
    summary = "The round's settlement: each household's earnings and payment, the organising share",
    params(("id" = i64, Path, description = "The round's id")),
    responses((status = 200, description = "OK", body = RoundSettlement)),
    security(("organiser" = []))
)]
async fn settlement(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<RoundSettlement>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_settlement(&mut conn, &o, id).await?.1))
}

/// `GET /api/organise/rounds/{id}/settlement.csv`.
#[utoipa::path(
    get,
    path = "/organise/rounds/{id}/settlement.csv",
    tag = "organise",
    summary = "The round's settlement as CSV (UTF-8 with a BOM)",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("lang" = Option<String>, Query, description = "Column names in `zh` or `en`")
    ),
    responses((status = 200, description = "CSV", content_type = "text/csv")),
    security(("organiser" = []))
)]
async fn settlement_csv(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let lang = request_lang(&query, &headers);
    let mut conn = state.db.acquire().await?;
    let (v, s) = load_settlement(&mut conn, &o, id).await?;
    let columns = [
        ("农户", "Household"),
        ("件数", "Pieces"),
        ("数量", "Units"),
        ("货值（元）", "Value (yuan)"),
        ("农户份额（元）", "Household share (yuan)"),
        ("退款（元）", "Refunds (yuan)"),
        ("应付农户（元）", "Owed (yuan)"),
        ("未付款订单中的份额（元）", "In unpaid orders (yuan)"),
        ("已付农户（元）", "Paid (yuan)"),
        ("付款日期", "Paid on"),
    ];
    let mut rows: Vec<Vec<String>> = s
        .households
        .iter()
        .map(|h| {
            let e = &h.earned;
            vec![
                h.name.get(lang).to_owned(),
                e.pieces.to_string(),
                e.units.to_string(),
                yuan(e.value_fen),
                yuan(e.share_fen),
                yuan(e.refunds_fen),
                yuan(e.total_fen),
                yuan(e.pending_fen),
                h.payment
                    .as_ref()
                    .map_or(String::new(), |p| yuan(p.amount_fen)),
                h.payment
                    .as_ref()
                    .map_or(String::new(), |p| domain::wire::format_date(p.paid_on)),
            ]
        })
        .collect();
    let total = |zh: &str, en: &str, fen: i64| {
        let mut row = vec![String::new(); columns.len()];
        row[0] = if lang == domain::Lang::Zh { zh } else { en }.to_owned();
        row[6] = yuan(fen);
        row
    };
    rows.push(total(
        &format!("组织份额（{}%）", s.organising_percent),
        &format!("Organising share ({}%)", s.organising_percent),
        s.organising_fen,
    ));
    rows.push(total(
        "已收款减退款",
        "Collected less refunds",
        s.collected_fen - s.refunds_fen,
    ));
    csv_response(
        &file_name(&v.slug, id, "settlement"),
        &header(lang, &columns),
        rows,
    )
}

/// The round, after checking this organiser's village, and 404 unless the
/// household has a piece in it.
async fn payment_target(
    conn: &mut SqliteConnection,
    o: &CurrentOrganiser,
    round_id: i64,
    household_id: i64,
) -> Result<(VillageRef, domain::dto::Round)> {
    let (v, round) = round_for(conn, o, round_id).await?;
    require_allocated(conn, round_id).await?;
    let (packed,): (i64,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM packed_line WHERE round_id = ? AND household_id = ?)",
    )
    .bind(round_id)
    .bind(household_id)
    .fetch_one(&mut *conn)
    .await?;
    if packed == 0 {
        return Err(Error::not_found(
            format!("农户 {household_id} 在第 {round_id} 轮没有要结算的货"),
            format!("household {household_id} packed nothing in round {round_id}"),
        ));
    }
    Ok((v, round))
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `PUT /api/organise/rounds/{id}/households/{household}/payment`.
#[utoipa::path(
    put,
    path = "/organise/rounds/{id}/households/{household}/payment",
    tag = "organise",
    summary = "Record what a household was paid for the round",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("household" = i64, Path, description = "The household's id")
    ),
    request_body = PaymentInput,
    responses((status = 200, description = "OK", body = HouseholdPayment)),
    security(("organiser" = [], "csrf" = []))
)]
async fn pay(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    IdPair(round_id, household_id): IdPair,
    JsonBody(input): JsonBody<PaymentInput>,
) -> Result<Json<HouseholdPayment>> {
    let now = now();
    let mut tx = state.write().await?;
    let (v, round) = payment_target(tx.conn(), &o, round_id, household_id).await?;
    let errors = input.validate(
        domain::shanghai_date(now),
        domain::shanghai_date(round.opens_at),
    );
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let before = payments(tx.conn(), round_id).await?.remove(&household_id);
    sqlx::query(
        "INSERT INTO household_payment
             (round_id, household_id, amount_fen, paid_on, organiser_id, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (round_id, household_id) DO UPDATE SET
             amount_fen = excluded.amount_fen, paid_on = excluded.paid_on,
             organiser_id = excluded.organiser_id, recorded_at = excluded.recorded_at",
    )
    .bind(round_id)
    .bind(household_id)
    .bind(input.amount_fen)
    .bind(domain::wire::format_date(input.paid_on))
    .bind(o.id)
    .bind(now.unix_timestamp())
    .execute(tx.conn())
    .await?;
    let after = payments(tx.conn(), round_id)
        .await?
        .remove(&household_id)
        .ok_or_else(|| Error::internal("payment just written is gone"))?;
    let log = ChangeLog::new(&o, v.id, now.unix_timestamp());
    let what = ("household_payment", format!("{round_id}/{household_id}"));
    match &before {
        Some(b) => log.updated(tx.conn(), what, b, &input).await?,
        None => log.created(tx.conn(), what, &input).await?,
    }
    tx.commit().await?;
    Ok(Json(after))
}

/// `DELETE /api/organise/rounds/{id}/households/{household}/payment`: the
/// payment was recorded by mistake. Nothing recorded: 204 all the same.
#[utoipa::path(
    delete,
    path = "/organise/rounds/{id}/households/{household}/payment",
    tag = "organise",
    summary = "Remove a household's payment record",
    params(
        ("id" = i64, Path, description = "The round's id"),
        ("household" = i64, Path, description = "The household's id")
    ),
    responses((status = 204, description = "Removed")),
    security(("organiser" = [], "csrf" = []))
)]
async fn unpay(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    IdPair(round_id, household_id): IdPair,
) -> Result<StatusCode> {
    let now = now();
    let mut tx = state.write().await?;
    let (v, _) = payment_target(tx.conn(), &o, round_id, household_id).await?;
    let before = payments(tx.conn(), round_id).await?.remove(&household_id);
    if let Some(before) = before {
        sqlx::query("DELETE FROM household_payment WHERE round_id = ? AND household_id = ?")
            .bind(round_id)
            .bind(household_id)
            .execute(tx.conn())
            .await?;
        let log = ChangeLog::new(&o, v.id, now.unix_timestamp());
        log.record(
            tx.conn(),
            ("household_payment", format!("{round_id}/{household_id}")),
            "delete",
            Some(crate::organise::change_log::to_value(&before)?),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An allocated round of the village and its settlement.
pub(crate) struct SettledRound {
    pub id: i64,
    pub day: Date,
    pub settlement: Settlement,
}

/// Every allocated round of the village, by day; of one year only when
/// `year` is given.
pub(crate) async fn settled_rounds(
    conn: &mut SqliteConnection,
    village_id: i64,
    year: Option<i32>,
) -> Result<Vec<SettledRound>> {
    let rounds: Vec<(i64, String)> = sqlx::query_as(
        "SELECT r.id, r.distribution_day FROM distribution_round r
         JOIN allocation a ON a.round_id = r.id
         WHERE r.village_id = ?1 AND (?2 IS NULL OR substr(r.distribution_day, 1, 4) = ?2)
         ORDER BY r.distribution_day, r.id",
    )
    .bind(village_id)
    .bind(year.map(|y| format!("{y:04}")))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rounds.len());
    for (id, day) in rounds {
        out.push(SettledRound {
            id,
            day: parse_date(&day).ok_or_else(|| bad_day("round", &day))?,
            settlement: settle_round(conn, id).await?,
        });
    }
    Ok(out)
}

/// Years with a distribution round in the village, newest first.
pub(crate) async fn round_years(conn: &mut SqliteConnection, village_id: i64) -> Result<Vec<i32>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT substr(distribution_day, 1, 4) FROM distribution_round
         WHERE village_id = ? ORDER BY 1 DESC",
    )
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(|(y,)| y.parse().ok()).collect())
}

/// `?year=`, or this year in Asia/Shanghai.
pub(crate) fn year_param(query: &Option<String>) -> Result<i32> {
    match query_param(query, "year") {
        None => Ok(domain::shanghai_date(now()).year()),
        Some(raw) => domain::income::year("year", raw)
            .map_err(|e| Error::bad_param("year", e.message_zh, e.message)),
    }
}

/// What each household earned in each round, from settled rounds.
fn round_incomes(
    rounds: &[SettledRound],
    paid: &HashMap<(i64, i64), i64>,
) -> HashMap<i64, Vec<RoundIncome>> {
    let mut out: HashMap<i64, Vec<RoundIncome>> = HashMap::new();
    for r in rounds {
        for h in &r.settlement.households {
            out.entry(h.household_id).or_default().push(RoundIncome {
                round_id: r.id,
                distribution_day: r.day,
                earned_fen: h.total_fen,
                pending_fen: h.pending_fen,
                paid_fen: paid.get(&(r.id, h.household_id)).copied(),
            });
        }
    }
    out
}

/// (round, household) → what was paid, for the village's rounds.
async fn paid_amounts(
    conn: &mut SqliteConnection,
    village_id: i64,
) -> Result<HashMap<(i64, i64), i64>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT hp.round_id, hp.household_id, hp.amount_fen
         FROM household_payment hp JOIN distribution_round r ON r.id = hp.round_id
         WHERE r.village_id = ?",
    )
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(r, h, a)| ((r, h), a)).collect())
}

/// `GET /api/organise/villages/{slug}/income?year=YYYY`.
#[utoipa::path(
    get,
    path = "/organise/villages/{slug}/income",
    tag = "organise",
    summary = "Each household's income in a year, by band, the registered poor apart",
    params(
        ("slug" = String, Path, description = "The village's slug"),
        ("year" = Option<i32>, Query, description = "The year; this year in Asia/Shanghai when left out")
    ),
    responses((status = 200, description = "OK", body = IncomeReport)),
    security(("organiser" = []))
)]
async fn village_income(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Slug(slug): Slug,
    RawQuery(query): RawQuery,
) -> Result<Json<IncomeReport>> {
    let year = year_param(&query)?;
    let mut conn = state.db.acquire().await?;
    let v = o.village(&mut conn, &slug).await?;
    let rounds = settled_rounds(&mut conn, v.id, Some(year)).await?;
    let paid = paid_amounts(&mut conn, v.id).await?;
    let mut by_household = round_incomes(&rounds, &paid);
    let rows: Vec<(i64, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name_zh, name_en, registered_poor, retired_at FROM household
         WHERE village_id = ? ORDER BY id",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    let households: Vec<HouseholdIncome> = rows
        .into_iter()
        .filter_map(|(id, zh, en, poor, retired)| {
            let rounds = by_household.remove(&id).unwrap_or_default();
            // A household that has left shows only in the years it earned.
            if retired.is_some() && rounds.is_empty() {
                return None;
            }
            let year_fen = rounds.iter().map(|r| r.earned_fen).sum();
            Some(HouseholdIncome {
                household_id: id,
                name: LocalText::new(zh, en),
                registered_poor: poor != 0,
                rounds,
                year_fen,
                band: IncomeBand::of(year_fen),
            })
        })
        .collect();
    let (bands, poor) = bands(&households);
    let total_fen = households.iter().map(|h| h.year_fen).sum();
    Ok(Json(IncomeReport {
        year,
        years: round_years(&mut conn, v.id).await?,
        households,
        bands,
        poor,
        total_fen,
    }))
}

/// `GET /api/organise/households/{id}/income`: every round and year, for
/// the chart on the household's page.
#[utoipa::path(
    get,
    path = "/organise/households/{id}/income",
    tag = "organise",
    summary = "A household's income in every round and year",
    params(("id" = i64, Path, description = "The household's id")),
    responses((status = 200, description = "OK", body = IncomeHistory)),
    security(("organiser" = []))
)]
async fn household_income(
    State(state): State<AppState>,
    o: CurrentOrganiser,
    Id(id): Id,
) -> Result<Json<IncomeHistory>> {
    let mut conn = state.db.acquire().await?;
    let village: Option<(i64,)> = sqlx::query_as("SELECT village_id FROM household WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((village_id,)) = village else {
        return Err(Error::not_found(
            format!("没有编号为 {id} 的农户"),
            format!("no household {id}"),
        ));
    };
    let v = o.check_village(&mut conn, village_id).await?;
    let rounds = settled_rounds(&mut conn, v.id, None).await?;
    let paid = paid_amounts(&mut conn, v.id).await?;
    let rounds = round_incomes(&rounds, &paid)
        .remove(&id)
        .unwrap_or_default();
    let years = domain::income::years_of(&rounds);
    Ok(Json(IncomeHistory {
        household_id: id,
        rounds,
        years,
    }))
}
