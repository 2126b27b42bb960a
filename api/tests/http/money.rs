//! Money after the pickup: settlement of a round and its CSV, household
//! payments, income by household and band, and the organising share's
//! ledger with its public summary. Income and poverty are never public.

use crate::common::{self, fields, Server};
use reqwest::Method;
use serde_json::{json, Value};

/// The latest demo round that went all the way (collected, paid, rated).
async fn loop_round(server: &Server) -> (i64, String) {
    let pool = server.pool().await;
    sqlx::query_as(
        "SELECT r.id, substr(r.distribution_day, 1, 4) FROM distribution_round r
         WHERE EXISTS (SELECT 1 FROM orders o JOIN pickup_mark m ON m.order_id = o.id
                       WHERE o.round_id = r.id)
         ORDER BY r.distribution_day DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
}

fn fen(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not fen: {v}"))
}

fn sum(items: &Value, key: &str) -> i64 {
    items.as_array().unwrap().iter().map(|i| fen(&i[key])).sum()
}

#[tokio::test]
async fn settlement_reconciles_and_follows_the_latest_pickup() {
    let server = Server::start().await;
    let org = server.liu_organiser().await;
    let (round, _) = loop_round(&server).await;
    let path = format!("/api/organise/rounds/{round}/settlement");
    let (status, s) = org.get(&path).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["reconciles"], true, "{s}");
    let households = &s["households"];
    assert!(!households.as_array().unwrap().is_empty(), "{s}");
    let owed: i64 = households
        .as_array()
        .unwrap()
        .iter()
        .map(|h| fen(&h["earned"]["total_fen"]))
        .sum();
    assert_eq!(owed, fen(&s["households_fen"]));
    assert_eq!(
        fen(&s["households_fen"]) + fen(&s["organising_fen"]),
        fen(&s["collected_fen"]) - fen(&s["refunds_fen"])
    );
    // Collected is what the paid marks say, counted apart here.
    let pool = server.pool().await;
    let (paid,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(p.amount_fen), 0) FROM pickup p JOIN orders o ON o.id = p.order_id
         WHERE o.round_id = ? AND p.state = 'paid'",
    )
    .bind(round)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(fen(&s["collected_fen"]), paid);
    // The demo paid every household what it earned.
    for h in households.as_array().unwrap() {
        assert_eq!(h["payment"]["amount_fen"], h["earned"]["total_fen"], "{h}");
    }
    assert_eq!(fen(&s["paid_out_fen"]), fen(&s["households_fen"]));
    // The demo's refund is taken off.
    assert!(fen(&s["refunds_fen"]) > 0, "{s}");

    // One order marked not collected after all: it leaves settlement and
    // is listed apart, and the sums still reconcile.
    let (order,): (String,) = sqlx::query_as(
        "SELECT o.id FROM orders o JOIN pickup p ON p.order_id = o.id
         WHERE o.round_id = ? AND p.state = 'paid' ORDER BY o.number LIMIT 1",
    )
    .bind(round)
    .fetch_one(&pool)
    .await
    .unwrap();
    let (status, body) = org
        .put(
            &format!("/api/organise/orders/{order}/pickup"),
            &json!({"mark_uuid": common::new_id(), "state": "absent",
                    "marked_at": domain::wire::format_datetime(time::OffsetDateTime::now_utc())}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, after) = org.get(&path).await;
    assert_eq!(after["reconciles"], true, "{after}");
    assert!(fen(&after["collected_fen"]) < fen(&s["collected_fen"]));
    let unpaid = after["unpaid"].as_array().unwrap();
    let listed = unpaid.iter().find(|u| u["order_id"] == order.as_str());
    let listed = listed.unwrap_or_else(|| panic!("{order} not in {after}"));
    assert_eq!(listed["pickup"]["state"], "absent");
    assert!(fen(&listed["value_fen"]) > 0);
}

#[tokio::test]
async fn settlement_is_for_the_villages_organisers_only_and_needs_allocation() {
    let server = Server::start().await;
    let (round, _) = loop_round(&server).await;
    let path = format!("/api/organise/rounds/{round}/settlement");
    let anyone = reqwest::Client::new();
    let (status, _) = common::get(&server, &anyone, &path).await;
    assert_eq!(status, 401);
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, body) = song.get(&path).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = song.get(&format!("{path}.csv")).await;
    assert_eq!(status, 403, "{body}");

    // The open round has not been allocated.
    let org = server.liu_organiser().await;
    let open = server.open_round("liu").await;
    let (status, body) = org
        .get(&format!(
            "/api/organise/rounds/{}/settlement",
            open.round.id
        ))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["round_id"]);
    let (status, body) = org.get("/api/organise/rounds/999999/settlement").await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn settlement_csv_has_the_bom_named_columns_and_totals() {
    let server = Server::start().await;
    let org = server.liu_organiser().await;
    let (round, _) = loop_round(&server).await;
    let (_, s) = org
        .get(&format!("/api/organise/rounds/{round}/settlement"))
        .await;
    let res = org
        .client
        .get(org.url(&format!(
            "/api/organise/rounds/{round}/settlement.csv?lang=en"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "Household");
    assert_eq!(header[6], "Owed (yuan)");
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let n = s["households"].as_array().unwrap().len();
    assert_eq!(records.len(), n + 2);
    let owed: i64 = records[..n]
        .iter()
        .map(|r| domain::money::parse_yuan("owed", &r[6]).unwrap())
        .sum();
    assert_eq!(owed, fen(&s["households_fen"]));
    assert!(records[n][0].starts_with("Organising share"));

    // Chinese columns by default.
    let res = org
        .client
        .get(org.url(&format!("/api/organise/rounds/{round}/settlement.csv")))
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    assert!(
        text.trim_start_matches('\u{feff}').starts_with("农户,"),
        "{text}"
    );
}

#[tokio::test]
async fn a_household_payment_is_checked_recorded_logged_and_can_be_undone() {
    let server = Server::start().await;
    let org = server.liu_organiser().await;
    let (round, _) = loop_round(&server).await;
    let (_, s) = org
        .get(&format!("/api/organise/rounds/{round}/settlement"))
        .await;
    let household = fen(&s["households"][0]["earned"]["household_id"]);
    let path = format!("/api/organise/rounds/{round}/households/{household}/payment");
    let pool = server.pool().await;
    let stored = || async {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT amount_fen, paid_on FROM household_payment WHERE round_id = ? AND household_id = ?",
        )
        .bind(round)
        .bind(household)
        .fetch_optional(&pool)
        .await
        .unwrap();
        row
    };
    let before = stored().await;
    assert!(before.is_some());

    // Bad input names the field and changes nothing.
    for (body, field) in [
        (
            json!({"amount_fen": -1, "paid_on": common::day(0)}),
            "amount_fen",
        ),
        (
            json!({"amount_fen": 100, "paid_on": common::day(1)}),
            "paid_on",
        ),
        (
            json!({"amount_fen": 100, "paid_on": "2026-13-01"}),
            "paid_on",
        ),
        (
            json!({"amount_fen": 100, "paid_on": "1999-01-01"}),
            "paid_on",
        ),
        (json!({"paid_on": common::day(0)}), "amount_fen"),
        (
            json!({"amount_fen": "12", "paid_on": common::day(0)}),
            "amount_fen",
        ),
    ] {
        let (status, answer) = org.put(&path, &body).await;
        assert!(status == 400 || status == 422, "{body}: {status} {answer}");
        assert_eq!(fields(&answer), [field], "{body}: {answer}");
        assert!(answer["error_zh"].is_string(), "{answer}");
    }
    assert_eq!(stored().await, before);

    let (status, paid) = org
        .put(
            &path,
            &json!({"amount_fen": 12_345, "paid_on": common::day(0)}),
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["amount_fen"], 12_345);
    assert_eq!(paid["paid_by"]["id"], org.me.id);
    assert_eq!(stored().await, Some((12_345, common::day(0))));
    let (_, s2) = org
        .get(&format!("/api/organise/rounds/{round}/settlement"))
        .await;
    let h = s2["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["earned"]["household_id"] == household)
        .unwrap();
    assert_eq!(h["payment"]["amount_fen"], 12_345);
    assert!(org
        .log_actions("liu")
        .await
        .contains(&("household_payment".into(), "update".into())));

    let (status, _) = org.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    assert_eq!(stored().await, None);
    let (status, _) = org.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    assert!(org
        .log_actions("liu")
        .await
        .contains(&("household_payment".into(), "delete".into())));

    // A household with nothing in the round, and a malformed id.
    let (status, body) = org
        .put(
            &format!("/api/organise/rounds/{round}/households/999999/payment"),
            &json!({"amount_fen": 1, "paid_on": common::day(0)}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = org
        .put(
            &format!("/api/organise/rounds/{round}/households/x1/payment"),
            &json!({"amount_fen": 1, "paid_on": common::day(0)}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["fields"][0]["field"], "household", "{body}");
    // Another village's organiser may not pay.
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, _) = song
        .put(&path, &json!({"amount_fen": 1, "paid_on": common::day(0)}))
        .await;
    assert_eq!(status, 403);
    assert_eq!(stored().await, None);
}

#[tokio::test]
async fn income_adds_up_by_household_round_and_band() {
    let server = Server::start().await;
    let org = server.liu_organiser().await;
    let (round, year) = loop_round(&server).await;
    let (status, report) = org
        .get(&format!("/api/organise/villages/liu/income?year={year}"))
        .await;
    assert_eq!(status, 200, "{report}");
    let households = report["households"].as_array().unwrap();
    assert!(!households.is_empty());
    let bands = report["bands"].as_array().unwrap();
    assert_eq!(bands.len(), 4);
    let counted: i64 = bands.iter().map(|b| fen(&b["households"])).sum();
    assert_eq!(counted, households.len() as i64);
    assert_eq!(
        sum(&report["bands"], "total_fen"),
        fen(&report["total_fen"])
    );
    assert_eq!(
        sum(&report["households"], "year_fen"),
        fen(&report["total_fen"])
    );
    let poor: Vec<&Value> = households
        .iter()
        .filter(|h| h["registered_poor"] == true)
        .collect();
    assert_eq!(fen(&report["poor"]["households"]), poor.len() as i64);
    assert_eq!(
        fen(&report["poor"]["total_fen"]),
        poor.iter().map(|h| fen(&h["year_fen"])).sum::<i64>()
    );
    // A household's year is its rounds, and the loop round is its settlement.
    let (_, s) = org
        .get(&format!("/api/organise/rounds/{round}/settlement"))
        .await;
    for h in households {
        assert_eq!(sum(&h["rounds"], "earned_fen"), fen(&h["year_fen"]), "{h}");
    }
    let first = &s["households"][0];
    let id = fen(&first["earned"]["household_id"]);
    let h = households.iter().find(|h| h["household_id"] == id).unwrap();
    let r = h["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["round_id"] == round)
        .unwrap();
    assert_eq!(r["earned_fen"], first["earned"]["total_fen"]);
    assert_eq!(r["paid_fen"], first["payment"]["amount_fen"]);
    assert!(fen(&report["total_fen"]) > 0);

    // The household's history: years add up its rounds.
    let (status, history) = org
        .get(&format!("/api/organise/households/{id}/income"))
        .await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(
        sum(&history["years"], "earned_fen"),
        sum(&history["rounds"], "earned_fen")
    );
    assert!(!history["rounds"].as_array().unwrap().is_empty());

    // A year with no round: every household under ¥1,000.
    let (_, empty) = org.get("/api/organise/villages/liu/income?year=2001").await;
    assert_eq!(empty["total_fen"], 0);
    assert_eq!(
        fen(&empty["bands"][0]["households"]),
        households.len() as i64
    );

    for bad in ["26", "abcd", "20266", "1999"] {
        let (status, body) = org
            .get(&format!("/api/organise/villages/liu/income?year={bad}"))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(fields(&body), ["year"], "{body}");
    }
    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, _) = song.get("/api/organise/villages/liu/income").await;
    assert_eq!(status, 403);
    let (status, _) = song
        .get(&format!("/api/organise/households/{id}/income"))
        .await;
    assert_eq!(status, 403);
    let (status, _) = common::get(
        &server,
        &reqwest::Client::new(),
        "/api/organise/villages/liu/income",
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_ledger_keeps_entries_and_the_public_sees_only_totals() {
    let server = Server::start().await;
    let org = server.liu_organiser().await;
    let (_, year) = loop_round(&server).await;
    let path = format!("/api/organise/villages/liu/share-spending?year={year}");
    let (status, ledger) = org.get(&path).await;
    assert_eq!(status, 200, "{ledger}");
    assert!(
        !ledger["entries"].as_array().unwrap().is_empty(),
        "{ledger}"
    );
    assert_eq!(
        sum(&ledger["entries"], "amount_fen"),
        fen(&ledger["summary"]["spent_fen"])
    );
    assert_eq!(
        sum(&ledger["summary"]["by_category"], "amount_fen"),
        fen(&ledger["summary"]["spent_fen"])
    );
    assert_eq!(
        fen(&ledger["summary"]["balance_fen"]),
        fen(&ledger["summary"]["collected_fen"]) - fen(&ledger["summary"]["spent_fen"])
    );
    assert!(fen(&ledger["summary"]["collected_fen"]) > 0);

    // Bad entries name their fields and write nothing.
    let pool = server.pool().await;
    let count = || async {
        common::scalar(
            &pool,
            "SELECT COUNT(*) FROM share_spending WHERE removed_at IS NULL",
        )
        .await
    };
    let n = count().await;
    let post = "/api/organise/villages/liu/share-spending";
    for (body, field) in [
        (
            json!({"spent_on": common::day(0), "category": "packing", "amount_fen": 0}),
            "amount_fen",
        ),
        (
            json!({"spent_on": common::day(0), "category": "fun", "amount_fen": 100}),
            "category",
        ),
        (
            json!({"spent_on": common::day(3), "category": "packing", "amount_fen": 100}),
            "spent_on",
        ),
        (
            json!({"category": "packing", "amount_fen": 100}),
            "spent_on",
        ),
        (
            json!({"spent_on": common::day(0), "category": "other", "amount_fen": 100,
                "note_zh": "长".repeat(201)}),
            "note_zh",
        ),
    ] {
        let (status, answer) = org.post(post, &body).await;
        assert!(status == 400 || status == 422, "{body}: {status} {answer}");
        assert_eq!(fields(&answer), [field], "{body}: {answer}");
    }
    assert_eq!(count().await, n);

    let note = "（测试）给村里的大喇叭换电池";
    let (status, entry) = org
        .post(
            post,
            &json!({"spent_on": common::day(0), "category": "culture", "amount_fen": 2_500,
                    "note_zh": note}),
        )
        .await;
    assert_eq!(status, 201, "{entry}");
    let id = fen(&entry["id"]);
    let this_year = &common::day(0)[..4];
    let year_path = format!("/api/organise/villages/liu/share-spending?year={this_year}");
    let (_, ledger) = org.get(&year_path).await;
    assert!(ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == id));

    let (status, edited) = org
        .put(
            &format!("/api/organise/share-spending/{id}"),
            &json!({"spent_on": common::day(0), "category": "culture", "amount_fen": 3_000,
                    "note_zh": note}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["amount_fen"], 3_000);

    // The public summary: the same figures, no notes, no household.
    let public = format!("/api/villages/liu/share-spending?year={this_year}");
    let summary: Value = server.json(&public).await;
    let (_, ledger) = org.get(&year_path).await;
    for key in [
        "collected_fen",
        "spent_fen",
        "balance_fen",
        "organising_percent",
    ] {
        assert_eq!(summary["figures"][key], ledger["summary"][key], "{key}");
    }
    assert_eq!(
        summary["figures"]["by_category"],
        ledger["summary"]["by_category"]
    );
    let text = summary.to_string();
    assert!(!text.contains(note), "{text}");
    assert!(!text.contains("entries"), "{text}");
    assert!(!text.contains("household"), "{text}");

    let (status, _) = org
        .write(
            Method::DELETE,
            &format!("/api/organise/share-spending/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, after) = org.get(&year_path).await;
    assert_eq!(
        fen(&after["summary"]["spent_fen"]),
        fen(&ledger["summary"]["spent_fen"]) - 3_000
    );
    let (status, _) = org
        .write(
            Method::DELETE,
            &format!("/api/organise/share-spending/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let actions = org.log_actions("liu").await;
    for action in ["create", "update", "delete"] {
        assert!(
            actions.contains(&("share_spending".into(), action.into())),
            "{actions:?}"
        );
    }

    let song = server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await;
    let (status, _) = song
        .post(
            post,
            &json!({"spent_on": common::day(0), "category": "culture", "amount_fen": 1}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = common::get(
        &server,
        &reqwest::Client::new(),
        "/api/villages/liu/share-spending?year=20x6",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = common::get(
        &server,
        &reqwest::Client::new(),
        "/api/villages/nowhere/share-spending",
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn income_and_poverty_never_reach_a_public_answer() {
    let server = Server::start().await;
    let org = server.liu_organiser().await;
    let (_, year) = loop_round(&server).await;
    let (_, report) = org
        .get(&format!("/api/organise/villages/liu/income?year={year}"))
        .await;
    let earners: Vec<(i64, i64)> = report["households"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| fen(&h["year_fen"]) > 0)
        .map(|h| (fen(&h["household_id"]), fen(&h["year_fen"])))
        .collect();
    assert!(!earners.is_empty());
    let mut answers = vec![
        server.get("/api/villages/liu").await.text().await.unwrap(),
        server.get("/api/villages").await.text().await.unwrap(),
        server
            .get(&format!("/api/villages/liu/share-spending?year={year}"))
            .await
            .text()
            .await
            .unwrap(),
    ];
    for (id, _) in &earners {
        answers.push(
            server
                .get(&format!("/api/households/{id}"))
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    for text in &answers {
        for key in [
            "registered_poor",
            "year_fen",
            "earned_fen",
            "payment",
            "band",
            "poor",
        ] {
            assert!(!text.contains(&format!("\"{key}\":")), "{key} in {text}");
        }
        for (_, year_fen) in &earners {
            assert!(
                !text.contains(&format!(":{year_fen},"))
                    && !text.contains(&format!(":{year_fen}}}")),
                "a household's income {year_fen} in {text}"
            );
        }
    }
}
