use super::*;
use time::macros::{date, datetime};

fn prices() -> HostPrices {
    HostPrices {
        adult_night_fen: 8000,
        child_night_fen: 4000,
        meal_adult_fen: 2500,
        meal_child_fen: 1500,
    }
}

fn policy() -> VisitPolicy {
    VisitPolicy {
        open_from: date!(2026 - 12 - 01),
        open_until: date!(2026 - 12 - 31),
        closed_days: vec![date!(2026 - 12 - 10), date!(2026 - 12 - 24)],
        max_party: 8,
        max_nights: 3,
        cancellation: CancellationPolicy {
            free_cancel_days_before: 3,
        },
    }
}

fn host(id: i64, meals: MealSet) -> HostOffer {
    HostOffer {
        id,
        household: HouseholdRef {
            id,
            name: LocalText::new("刘桂兰", "Liu Guilan"),
            demo: true,
            photo: None,
        },
        beds: 4,
        meals,
        prices: prices(),
        description: LocalText::default(),
        rules: LocalText::default(),
    }
}

fn day(date: Date, b: bool, l: bool, d: bool) -> DayMeals {
    DayMeals {
        date,
        breakfast: b,
        lunch: l,
        dinner: d,
    }
}

fn request() -> BookingRequest {
    BookingRequest {
        village_slug: "liu".into(),
        arrival: date!(2026 - 12 - 05),
        nights: 2,
        adults: 2,
        children: 1,
        host_id: Some(7),
        meals: vec![],
        name: " 陈晓梅 ".into(),
        phone: "138 0000 0001".into(),
    }
}

#[test]
fn price_of_a_family_weekend() {
    let meals = [
        day(date!(2026 - 12 - 05), false, false, true),
        day(date!(2026 - 12 - 06), true, true, true),
        day(date!(2026 - 12 - 07), true, false, false),
    ];
    let s = price_summary(&prices(), 2, 2, 1, &meals);
    // Lodging 2×2×80 + 1×2×40 = 400; breakfast 2 days, lunch 1, dinner 2:
    // 5 meals × (2×25 + 1×15) = 325.
    assert_eq!(s.total_fen, 32000 + 8000 + 5 * (5000 + 1500));
    assert_eq!(s.lines.len(), 8);
    assert_eq!(
        s.lines[0],
        PriceLine {
            item: PriceItem::Lodging,
            guest: Guest::Adult,
            quantity: 4,
            unit_fen: 8000,
            total_fen: 32000
        }
    );
    assert_eq!(
        s.total_fen,
        s.lines.iter().map(|l| l.total_fen).sum::<i64>()
    );
    for l in &s.lines {
        assert_eq!(l.total_fen, l.unit_fen * i64::from(l.quantity));
    }
}

#[test]
fn price_without_children_or_meals_has_only_lodging() {
    let s = price_summary(&prices(), 3, 1, 0, &[]);
    assert_eq!(s.lines.len(), 1);
    assert_eq!(s.total_fen, 24000);
    let odd = HostPrices {
        adult_night_fen: 6666,
        child_night_fen: 3333,
        meal_adult_fen: 1999,
        meal_child_fen: 1,
    };
    let s = price_summary(
        &odd,
        3,
        8,
        7,
        &[day(date!(2026 - 12 - 05), true, true, true)],
    );
    assert_eq!(
        s.total_fen,
        3 * 8 * 6666 + 3 * 7 * 3333 + 3 * (8 * 1999 + 7)
    );
}

#[test]
fn day_statuses() {
    let p = policy();
    let today = date!(2026 - 12 - 03);
    let st = |d, total, left| day_status(&p, today, d, total, left);
    assert_eq!(st(date!(2026 - 12 - 05), 12, 12), DayStatus::Open);
    assert_eq!(st(date!(2026 - 12 - 05), 12, 4), DayStatus::Open);
    assert_eq!(st(date!(2026 - 12 - 05), 12, 3), DayStatus::FewLeft); // 25%
    assert_eq!(st(date!(2026 - 12 - 05), 40, 10), DayStatus::FewLeft);
    assert_eq!(st(date!(2026 - 12 - 05), 40, 11), DayStatus::Open);
    assert_eq!(st(date!(2026 - 12 - 05), 4, 2), DayStatus::FewLeft);
    assert_eq!(st(date!(2026 - 12 - 05), 12, 0), DayStatus::Full);
    assert_eq!(st(date!(2026 - 12 - 02), 12, 12), DayStatus::Closed); // past
    assert_eq!(st(date!(2026 - 12 - 03), 12, 12), DayStatus::Open); // today
    assert_eq!(st(date!(2026 - 12 - 10), 12, 12), DayStatus::Closed);
    assert_eq!(st(date!(2027 - 01 - 01), 12, 12), DayStatus::Closed);
    assert_eq!(st(date!(2026 - 12 - 05), 0, 0), DayStatus::Closed);
    assert_eq!(beds_left(4, 6), 0);
    assert_eq!(beds_left(4, 1), 3);
}

#[test]
fn fitting_and_picking_hosts() {
    assert!(fits(&[2, 3], 2));
    assert!(!fits(&[2, 1], 2));
    assert!(!fits(&[], 1));
    let c = vec![
        (3, vec![4, 2], MealSet::ALL),
        (1, vec![2, 2], MealSet::ALL),
        (
            2,
            vec![5, 5],
            MealSet {
                breakfast: true,
                ..MealSet::default()
            },
        ),
    ];
    // Host 2 has the most room but no dinner.
    let dinner = [day(date!(2026 - 12 - 05), false, false, true)];
    assert_eq!(pick_host(&c, 2, &dinner), Some(1));
    assert_eq!(pick_host(&c, 2, &[]), Some(2));
    assert_eq!(pick_host(&c, 3, &dinner), None);
}

#[test]
fn valid_request_is_normalized() {
    let mut r = request();
    r.meals = vec![
        day(date!(2026 - 12 - 07), true, false, false),
        day(date!(2026 - 12 - 06), false, false, false),
        day(date!(2026 - 12 - 05), false, false, true),
    ];
    let n = validate_booking(
        &r,
        &policy(),
        &[host(7, MealSet::ALL)],
        date!(2026 - 12 - 01),
    )
    .unwrap();
    assert_eq!(n.name, "陈晓梅");
    assert_eq!(n.phone, "13800000001");
    assert_eq!(n.meals.len(), 2);
    assert_eq!(n.meals[0].date, date!(2026 - 12 - 05));
}

fn fields_of(r: &BookingRequest, hosts: &[HostOffer], today: Date) -> Vec<String> {
    validate_booking(r, &policy(), hosts, today)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn bad_requests_name_their_fields() {
    let hosts = [host(7, MealSet::ALL)];
    let today = date!(2026 - 12 - 01);
    let with = |f: fn(&mut BookingRequest)| {
        let mut r = request();
        f(&mut r);
        r
    };
    let past = with(|r| r.arrival = date!(2026 - 11 - 30));
    assert_eq!(fields_of(&past, &hosts, today), ["arrival"]);
    let closed = with(|r| r.arrival = date!(2026 - 12 - 09));
    let e = validate_booking(&closed, &policy(), &hosts, today).unwrap_err();
    assert_eq!(e[0].field, "arrival");
    assert!(e[0].message.contains("2026-12-10"), "{}", e[0].message);
    // Leaving on a closed day is fine.
    let leave_closed = with(|r| r.arrival = date!(2026 - 12 - 08));
    assert!(validate_booking(&leave_closed, &policy(), &hosts, today).is_ok());
    let beyond = with(|r| r.arrival = date!(2026 - 12 - 31));
    assert_eq!(fields_of(&beyond, &hosts, today), ["arrival"]);
    type Change = fn(&mut BookingRequest);
    let one_field_wrong: [(Change, &str); 10] = [
        (|r| r.nights = 4, "nights"),
        (|r| r.nights = 0, "nights"),
        (|r| r.nights = u32::MAX, "nights"),
        (
            |r| {
                r.adults = 0;
                r.children = 0
            },
            "adults",
        ),
        (|r| r.adults = 9, "adults"),
        (|r| r.children = 7, "children"),
        (|r| r.children = u32::MAX, "children"),
        (|r| r.host_id = Some(8), "host_id"),
        (|r| r.name = " ".into(), "name"),
        (|r| r.phone = "12345".into(), "phone"),
    ];
    for (i, (change, field)) in one_field_wrong.into_iter().enumerate() {
        assert_eq!(fields_of(&with(change), &hosts, today), [field], "case {i}");
    }
    let outside_meal = with(|r| r.meals = vec![day(date!(2026 - 12 - 08), true, false, false)]);
    assert_eq!(fields_of(&outside_meal, &hosts, today), ["meals"]);
    let twice = with(|r| {
        r.meals = vec![
            day(date!(2026 - 12 - 06), true, false, false),
            day(date!(2026 - 12 - 06), false, true, false),
        ]
    });
    assert_eq!(fields_of(&twice, &hosts, today), ["meals"]);
    let breakfast_only = [host(
        7,
        MealSet {
            breakfast: true,
            ..MealSet::default()
        },
    )];
    let dinner = with(|r| r.meals = vec![day(date!(2026 - 12 - 06), false, false, true)]);
    assert_eq!(fields_of(&dinner, &breakfast_only, today), ["meals"]);
    let mut any = dinner.clone();
    any.host_id = None;
    assert_eq!(fields_of(&any, &breakfast_only, today), ["meals"]);
    // Every problem at once.
    let all = BookingRequest {
        village_slug: "liu".into(),
        arrival: date!(2020 - 01 - 01),
        nights: 9,
        adults: 0,
        children: 0,
        host_id: Some(1),
        meals: vec![],
        name: String::new(),
        phone: "x".into(),
    };
    assert_eq!(
        fields_of(&all, &hosts, today),
        ["nights", "arrival", "adults", "host_id", "name", "phone"]
    );
}

#[test]
fn free_cancellation_window() {
    let c = CancellationPolicy {
        free_cancel_days_before: 3,
    };
    let arrival = date!(2026 - 12 - 10);
    assert_eq!(c.free_cancel_until(arrival), datetime!(2026-12-08 00:00 +8));
    assert!(c.can_cancel_free(arrival, datetime!(2026-12-07 23:59:59 +8)));
    // The same instant written in UTC.
    assert!(c.can_cancel_free(arrival, datetime!(2026-12-07 15:59:59 UTC)));
    assert!(!c.can_cancel_free(arrival, datetime!(2026-12-07 16:00 UTC)));
    assert!(!c.can_cancel_free(arrival, datetime!(2026-12-09 10:00 +8)));
    let same_day = CancellationPolicy {
        free_cancel_days_before: 0,
    };
    assert!(same_day.can_cancel_free(arrival, datetime!(2026-12-10 23:00 +8)));
    assert!(c.text().en.contains("3 days"));
    assert!(c.text().zh.contains('3'));
}

#[test]
fn policy_json_and_open_days() {
    let p = policy();
    assert!(p.is_open(date!(2026 - 12 - 01)));
    assert!(!p.is_open(date!(2026 - 12 - 10)));
    assert!(!p.is_open(date!(2026 - 11 - 30)));
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        json.contains(r#""closed_days":["2026-12-10","2026-12-24"]"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<VisitPolicy>(&json).unwrap(), p);
    assert_eq!(
        stay_nights(date!(2026 - 12 - 31), 2),
        vec![date!(2026 - 12 - 31), date!(2027 - 01 - 01)]
    );
}
