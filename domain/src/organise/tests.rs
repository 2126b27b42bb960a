use super::*;
use time::macros::{date, datetime};

#[test]
fn a_round_summary_reads_an_organisers_round() {
    let round = Round {
        id: 7,
        opens_at: datetime!(2026-11-05 20:00 +8),
        deadline: datetime!(2026-11-25 20:00 +8),
        distribution_day: date!(2026 - 11 - 28),
    };
    let full = OrganiseRound {
        village_slug: "liu".into(),
        round: round.clone(),
        phase: "open".into(),
        points: vec![crate::dto::DistributionPoint {
            id: 1,
            name: LocalText::new("槐荫里", "Huaiyinli"),
            address: LocalText::new("", ""),
            pickup_from: "09:00".into(),
            pickup_to: "11:30".into(),
        }],
        order_count: 2,
        products: vec![RoundProduct {
            product_id: 3,
            name: LocalText::new("鸡蛋", "Eggs"),
            unit: LocalText::new("公斤", "kg"),
            published: true,
            capacity: 10,
            ordered: 2,
            supplies: vec![],
            withdrawal: None,
        }],
    };
    let json = serde_json::to_string(&full).unwrap();
    let summary: RoundSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(
        summary,
        RoundSummary {
            round,
            phase: "open".into(),
            order_count: 2
        }
    );
}

#[test]
fn lockout_counts_only_the_window() {
    let now = 1_000_000;
    assert_eq!(login_lockout(&[], 5, now), None);
    let four = [now - 10, now - 20, now - 30, now - 40];
    assert_eq!(login_lockout(&four, 5, now), None);
    let mut five = four.to_vec();
    five.push(now - 60);
    // The oldest (60 s ago) leaves the window in 14 minutes.
    assert_eq!(login_lockout(&five, 5, now), Some(14));
    // Failures older than the window do not count.
    let old = [now - 900, now - 901, now - 2000, now - 5000, now - 9000];
    assert_eq!(login_lockout(&old, 5, now), None);
    // With more than the limit, unlocking waits until fewer remain.
    let seven = [
        now - 800,
        now - 700,
        now - 5,
        now - 4,
        now - 3,
        now - 2,
        now - 1,
    ];
    assert_eq!(login_lockout(&seven, 5, now), Some(15));
    // Never "0 minutes".
    assert_eq!(login_lockout(&[now - 899; 5], 5, now), Some(1));
}

#[test]
fn login_names() {
    assert_eq!(
        login_name("login", " Liu-Organiser-1 ").unwrap(),
        "liu-organiser-1"
    );
    assert!(login_name("login", "ab").is_err());
    assert!(login_name("login", "a b c").is_err());
    assert!(login_name("login", &"a".repeat(41)).is_err());
}

fn product() -> ProductInput {
    ProductInput {
        name: LocalText::new("土鸡蛋", "Free-range eggs"),
        description: LocalText::new("**新鲜**\n\n- 每天", "Fresh"),
        category: Category::Eggs,
        unit: LocalText::new("斤", "jin"),
        price_fen: 1900,
        local_price_fen: 1300,
        season: Season::AllYear,
        household_ids: vec![1, 2],
        published: true,
    }
}

fn fields(errors: Vec<FieldError>) -> Vec<String> {
    errors.into_iter().map(|e| e.field).collect()
}

#[test]
fn products_validate_each_field() {
    assert!(product().validate().is_empty());
    let mut p = product();
    p.name.en = " ".into();
    p.price_fen = 0;
    p.local_price_fen = -5;
    p.unit.zh = "斤".repeat(21);
    p.household_ids = vec![3, 3];
    p.description.zh = "a\u{7}".into();
    assert_eq!(
        fields(p.validate()),
        [
            "name.en",
            "description.zh",
            "unit.zh",
            "price_fen",
            "local_price_fen",
            "household_ids[1]"
        ]
    );
    let mut p = product();
    p.household_ids.clear();
    p.description.en = "x".repeat(DESCRIPTION_MAX_CHARS + 1);
    assert_eq!(fields(p.validate()), ["description.en", "household_ids"]);
    // Markup is allowed text: it is rendered as text, never as HTML.
    let mut p = product();
    p.description.en = "<script>alert(1)</script>\n<img src=x onerror=alert(1)>".into();
    assert!(p.validate().is_empty());
}

#[test]
fn rounds_validate_times_in_shanghai() {
    let now = datetime!(2026-11-22 12:00 +8);
    let ok = RoundInput {
        opens_at: datetime!(2026-11-23 08:00 +8),
        deadline: datetime!(2026-11-30 20:00 +8),
        distribution_day: date!(2026 - 12 - 01),
        point_ids: vec![1, 2],
    };
    assert!(validate_round(&ok, now).is_empty());
    // A deadline at 23:59 Shanghai the evening before is fine; 00:30 on
    // the day itself (16:30 UTC the day before) is not.
    let mut r = ok.clone();
    r.deadline = datetime!(2026-11-30 16:30 UTC);
    assert_eq!(fields(validate_round(&r, now)), ["distribution_day"]);
    let mut r = ok.clone();
    r.deadline = datetime!(2026-11-30 15:59 UTC);
    assert!(validate_round(&r, now).is_empty());
    let mut r = ok.clone();
    r.opens_at = r.deadline;
    r.point_ids = vec![];
    assert_eq!(fields(validate_round(&r, now)), ["deadline", "point_ids"]);
    let mut r = ok.clone();
    r.deadline = datetime!(2026-11-22 11:00 +8);
    r.opens_at = datetime!(2026-11-20 11:00 +8);
    r.point_ids = vec![4, 4];
    assert_eq!(
        fields(validate_round(&r, now)),
        ["deadline", "point_ids[1]"]
    );
    let mut r = ok;
    r.distribution_day = date!(2028 - 01 - 01);
    assert_eq!(fields(validate_round(&r, now)), ["distribution_day"]);
}

#[test]
fn supply_and_reasons() {
    assert!(supply_quantity("q", 0).is_ok());
    assert!(supply_quantity("q", MAX_SUPPLY).is_ok());
    assert!(supply_quantity("q", -1).is_err());
    assert!(supply_quantity("q", MAX_SUPPLY + 1).is_err());
    assert!(supply_allowed(10, 10));
    assert!(supply_allowed(11, 10));
    assert!(!supply_allowed(9, 10));
    assert!(reason("reason", "  ").is_err());
    assert!(reason("reason", "food-safety worry").is_ok());
    assert!(reason("reason", &"x".repeat(501)).is_err());
}

#[test]
fn orders_carry_withdrawal_notices() {
    let json = r#"{"id":"a","number":"LIU-000001","status":"confirmed","village_slug":"liu",
        "village_name":{"zh":"刘村","en":"Liu"},
        "round":{"id":1,"opens_at":"2026-11-20T08:00:00+08:00","deadline":"2026-11-28T20:00:00+08:00","distribution_day":"2026-12-01"},
        "point":{"id":1,"name":{"zh":"a","en":"a"},"address":{"zh":"a","en":"a"},"pickup_from":"09:00","pickup_to":"11:00"},
        "lines":[],"total_fen":0,"household_fen":0,"organising_fen":0,
        "created_at":"2026-11-21T08:00:00+08:00","updated_at":"2026-11-21T08:00:00+08:00","locked":false,
        "withdrawn":[{"product_id":3,"name":{"zh":"蛋","en":"Eggs"},"unit":{"zh":"斤","en":"jin"},"quantity":2,
          "unit_price_fen":1900,"total_fen":3800,"reason":"food-safety worry","withdrawn_at":"2026-11-22T10:00:00+08:00"}]}"#;
    let m: MemberOrder = serde_json::from_str(json).unwrap();
    assert_eq!(m.withdrawn[0].reason, "food-safety worry");
    // An answer from before withdrawals existed still reads.
    let mut old: serde_json::Value = serde_json::from_str(json).unwrap();
    old.as_object_mut().unwrap().remove("withdrawn");
    let o: crate::dto::Order = serde_json::from_value(old).unwrap();
    assert!(o.withdrawn.is_empty());
    assert_eq!(o.number, m.number);
    let back = serde_json::to_value(&m).unwrap();
    assert_eq!(back["number"], "LIU-000001");
    assert_eq!(back["withdrawn"][0]["total_fen"], 3800);
}
