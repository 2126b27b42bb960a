//! Words, dates and amounts as the pages show them, per language. The
//! date and list formats are pure and unit-tested natively; the price and
//! meal words read the app's translations.

use crate::i18n::*;
use domain::visit::{self, Guest, PriceItem};
use domain::{format_yuan, Lang, LocalText, Season};
use time::{Date, OffsetDateTime};

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday(d: Date, lang: Lang) -> &'static str {
    let i = d.weekday().number_days_from_monday() as usize;
    match lang {
        Lang::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

/// `srcset` of a product photo: every stored width.
pub fn srcset(photo: &domain::dto::PhotoRef) -> String {
    photo
        .versions
        .iter()
        .map(|v| format!("{} {}w", v.url, v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Column heads of a month grid, Monday first.
pub fn weekday_heads(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Zh => ["一", "二", "三", "四", "五", "六", "日"],
        Lang::En => ["M", "T", "W", "T", "F", "S", "S"],
    }
}

/// "11月28日 周六" / "Sat 28 Nov". A date of another year than this one
/// (in Asia/Shanghai) names it: "2027年1月7日 周四" / "Thu 7 Jan 2027", so a
/// round in January or last December's order is not taken for this year's.
pub fn format_date(d: Date, lang: Lang) -> String {
    format_date_in(d, lang, this_year())
}

/// [`format_date`] as if it were `this_year`.
pub fn format_date_in(d: Date, lang: Lang, this_year: i32) -> String {
    let year = Some(d.year()).filter(|y| *y != this_year);
    match lang {
        Lang::Zh => format!(
            "{}{}月{}日 {}",
            year.map(|y| format!("{y}年")).unwrap_or_default(),
            d.month() as u8,
            d.day(),
            weekday(d, lang)
        ),
        Lang::En => format!(
            "{} {} {}{}",
            weekday(d, lang),
            d.day(),
            EN_MONTHS[d.month() as usize - 1],
            year.map(|y| format!(" {y}")).unwrap_or_default()
        ),
    }
}

/// The current year in Asia/Shanghai: from the browser's clock in the app,
/// the system's in native tests.
fn this_year() -> i32 {
    #[cfg(target_arch = "wasm32")]
    let now = crate::components::now();
    #[cfg(not(target_arch = "wasm32"))]
    let now = OffsetDateTime::now_utc();
    domain::shanghai_date(now).year()
}

/// "2011年5月" / "May 2011".
pub fn format_month_year(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月", d.year(), d.month() as u8),
        Lang::En => format!("{} {}", EN_MONTHS[d.month() as usize - 1], d.year()),
    }
}

/// A moment shown in Asia/Shanghai, whatever the phone's own zone:
/// "11月28日 周六 20:00" / "Sat 28 Nov, 20:00".
/// The day in Shanghai of a time the API sends as Unix seconds.
pub fn unix_date(secs: i64) -> Option<Date> {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .map(|t| t.to_offset(domain::SHANGHAI).date())
}

pub fn format_datetime(t: OffsetDateTime, lang: Lang) -> String {
    format_datetime_in(t, lang, this_year())
}

/// [`format_datetime`] as if it were `this_year`.
pub fn format_datetime_in(t: OffsetDateTime, lang: Lang, this_year: i32) -> String {
    let local = t.to_offset(domain::SHANGHAI);
    let date = format_date_in(local.date(), lang, this_year);
    let sep = if lang == Lang::Zh { " " } else { ", " };
    format!("{date}{sep}{:02}:{:02}", local.hour(), local.minute())
}

/// Column heads of the 12-month view: "1"…"12" under 月, or "J"…"D".
pub fn month_initial(month: u8, lang: Lang) -> String {
    match lang {
        Lang::Zh => month.to_string(),
        Lang::En => EN_MONTHS[usize::from(month.clamp(1, 12)) - 1][..1].to_string(),
    }
}

/// Month name for a season list: "10月" / "Oct".
pub fn month_name(month: u8, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{month}月"),
        Lang::En => EN_MONTHS[usize::from(month.clamp(1, 12)) - 1].to_string(),
    }
}

/// The months of a season as readable runs: "10–12月" / "Oct–Dec", or a
/// list when they are not consecutive.
pub fn season_months_text(months: &[u8], lang: Lang) -> String {
    let mut runs: Vec<(u8, u8)> = Vec::new();
    for &m in months {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == m => *end = m,
            _ => runs.push((m, m)),
        }
    }
    // A run that reaches December and one from January are one winter run.
    if runs.len() > 1 && runs[0].0 == 1 && runs.last().map(|r| r.1) == Some(12) {
        let first = runs.remove(0);
        runs.last_mut().expect("len > 1").1 = first.1;
    }
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                month_name(a, lang)
            } else if lang == Lang::Zh {
                format!("{a}–{b}月")
            } else {
                format!("{}–{}", month_name(a, lang), month_name(b, lang))
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// A product's season in words: "全年" / "all year", or its months.
pub fn season_text(i18n: I18n, season: Season, lang: Lang) -> String {
    match season {
        Season::AllYear => t_string!(i18n, season_all_year).to_string(),
        Season::Months { months } => season_months_text(&months.months(), lang),
    }
}

/// A season as a left-to-right CSS gradient over twelve equal months: the
/// colour `var(--on)` where the product is available, clear elsewhere,
/// with hard edges.
pub fn season_gradient(season: Season) -> String {
    // A month's edge as a percentage with three decimals, in integers.
    fn edge(month: u32) -> String {
        let t = month * 100_000 / 12;
        format!("{}.{:03}%", t / 1000, t % 1000)
    }
    let mut stops = Vec::new();
    let mut m = 1;
    while m <= 12 {
        if !season.is_available_in(m as u8) {
            m += 1;
            continue;
        }
        let start = m;
        while m <= 12 && season.is_available_in(m as u8) {
            m += 1;
        }
        let (a, b) = (edge(start - 1), edge(m - 1));
        stops.push(format!("transparent {a},var(--on) {a} {b},transparent {b}"));
    }
    if stops.is_empty() {
        return "none".to_string();
    }
    format!("linear-gradient(90deg,{})", stops.join(","))
}

/// A list of names: "刘建国、赵秀梅" / "Liu Jianguo, Zhao Xiumei".
pub fn join_names<'a>(names: impl IntoIterator<Item = &'a str>, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    names.into_iter().collect::<Vec<_>>().join(sep)
}

/// The detail of a refused order or booking, in the shopper's language:
/// the server's words for each field it named, else its reason.
pub fn refusal_detail(reason: &LocalText, fields: &[domain::FieldError], lang: Lang) -> String {
    if fields.is_empty() {
        return reason.get(lang).to_string();
    }
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    fields
        .iter()
        .map(|f| f.text().get(lang).to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The name of what a price line is for.
pub fn meal_label(i18n: crate::i18n::I18n, item: PriceItem) -> &'static str {
    match item {
        PriceItem::Lodging => t_string!(i18n, price_lodging),
        PriceItem::Breakfast => t_string!(i18n, meal_breakfast),
        PriceItem::Lunch => t_string!(i18n, meal_lunch),
        PriceItem::Dinner => t_string!(i18n, meal_dinner),
    }
}

/// Adult or child, for a price line.
pub fn guest_label(i18n: crate::i18n::I18n, g: Guest) -> &'static str {
    match g {
        Guest::Adult => t_string!(i18n, guest_adult),
        Guest::Child => t_string!(i18n, guest_child),
    }
}

/// The meals of a set, in the order of the day.
pub fn meal_names(i18n: I18n, m: visit::MealSet) -> Vec<&'static str> {
    [
        (m.breakfast, PriceItem::Breakfast),
        (m.lunch, PriceItem::Lunch),
        (m.dinner, PriceItem::Dinner),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, item)| meal_label(i18n, item))
    .collect()
}

/// One price line in words: "住宿 · 成人 × 4 = ¥320.00".
pub fn price_line_text(i18n: crate::i18n::I18n, l: &visit::PriceLine) -> String {
    format!(
        "{} · {} × {} ({})",
        meal_label(i18n, l.item),
        guest_label(i18n, l.guest),
        l.quantity,
        format_yuan(l.unit_fen)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn refusals_read_in_the_shoppers_language() {
        use domain::FieldError;
        let reason = LocalText::new("剩下的不够", "not enough left");
        assert_eq!(refusal_detail(&reason, &[], Lang::Zh), "剩下的不够");
        assert_eq!(refusal_detail(&reason, &[], Lang::En), "not enough left");
        let fields = [
            FieldError::new("round_id", "这一轮已截止", "the round is closed"),
            FieldError::new("point_id", "", "no such point"),
        ];
        assert_eq!(
            refusal_detail(&reason, &fields, Lang::Zh),
            "这一轮已截止；no such point",
            "a message kept before Chinese existed falls back to English"
        );
        assert_eq!(
            refusal_detail(&reason, &fields, Lang::En),
            "the round is closed; no such point"
        );
    }

    #[test]
    fn dates_in_both_languages() {
        let d = date!(2026 - 11 - 28);
        assert_eq!(format_date_in(d, Lang::Zh, 2026), "11月28日 周六");
        assert_eq!(format_date_in(d, Lang::En, 2026), "Sat 28 Nov");
        // Another year is named, ahead or behind.
        let january = date!(2027 - 01 - 07);
        assert_eq!(format_date_in(january, Lang::Zh, 2026), "2027年1月7日 周四");
        assert_eq!(format_date_in(january, Lang::En, 2026), "Thu 7 Jan 2027");
        assert_eq!(format_date_in(d, Lang::En, 2027), "Sat 28 Nov 2026");
        // Without a year given, this year's dates go without one.
        let today = domain::shanghai_date(OffsetDateTime::now_utc());
        assert!(!format_date(today, Lang::En).contains(&today.year().to_string()));
        let next_year = Date::from_calendar_date(today.year() + 1, time::Month::June, 1).unwrap();
        assert!(format_date(next_year, Lang::En).ends_with(&next_year.year().to_string()));
        assert_eq!(
            format_month_year(date!(2011 - 05 - 01), Lang::Zh),
            "2011年5月"
        );
        assert_eq!(
            format_month_year(date!(2011 - 05 - 01), Lang::En),
            "May 2011"
        );
    }

    #[test]
    fn datetimes_are_shown_in_shanghai_time() {
        // 12:00 UTC is 20:00 in Shanghai.
        let t = datetime!(2026-11-28 12:00 UTC);
        assert_eq!(format_datetime_in(t, Lang::Zh, 2026), "11月28日 周六 20:00");
        assert_eq!(format_datetime_in(t, Lang::En, 2026), "Sat 28 Nov, 20:00");
        // 17:30 UTC is already the next day in Shanghai.
        let late = datetime!(2026-11-28 17:30 UTC);
        assert_eq!(
            format_datetime_in(late, Lang::En, 2026),
            "Sun 29 Nov, 01:30"
        );
        // New Year's Eve at 20:00 UTC is already the new year in Shanghai.
        let eve = datetime!(2026-12-31 20:00 UTC);
        assert_eq!(format_datetime_in(eve, Lang::Zh, 2027), "1月1日 周五 04:00");
        assert_eq!(
            format_datetime_in(eve, Lang::Zh, 2026),
            "2027年1月1日 周五 04:00"
        );
    }

    #[test]
    fn season_text_merges_runs_and_winter() {
        assert_eq!(season_months_text(&[10, 11, 12], Lang::Zh), "10–12月");
        assert_eq!(season_months_text(&[10, 11, 12], Lang::En), "Oct–Dec");
        assert_eq!(season_months_text(&[1, 2, 11, 12], Lang::En), "Nov–Feb");
        assert_eq!(season_months_text(&[3, 7, 8], Lang::Zh), "3月、7–8月");
        assert_eq!(season_months_text(&[6], Lang::En), "Jun");
    }

    #[test]
    fn season_gradient_paints_each_run_of_months() {
        let months = |m: &[u8]| Season::Months {
            months: domain::MonthSet::from_months(m).unwrap(),
        };
        assert_eq!(
            season_gradient(months(&[3, 4, 5, 6])),
            "linear-gradient(90deg,transparent 16.666%,var(--on) 16.666% 50.000%,transparent 50.000%)"
        );
        // Winter is two runs at either end.
        assert_eq!(
            season_gradient(months(&[1, 2, 12])),
            "linear-gradient(90deg,transparent 0.000%,var(--on) 0.000% 16.666%,transparent 16.666%,\
             transparent 91.666%,var(--on) 91.666% 100.000%,transparent 100.000%)"
        );
        assert_eq!(
            season_gradient(Season::AllYear),
            "linear-gradient(90deg,transparent 0.000%,var(--on) 0.000% 100.000%,transparent 100.000%)"
        );
    }

    #[test]
    fn names_joined_per_language() {
        assert_eq!(join_names(["刘建国", "赵秀梅"], Lang::Zh), "刘建国、赵秀梅");
        assert_eq!(
            join_names(["Liu Jianguo", "Zhao Xiumei"], Lang::En),
            "Liu Jianguo, Zhao Xiumei"
        );
        assert_eq!(join_names([], Lang::En), "");
    }

    #[test]
    fn photo_srcset_lists_every_width() {
        use domain::dto::{PhotoRef, PhotoVersionRef};
        let p = PhotoRef {
            id: 4,
            versions: [320, 640]
                .iter()
                .map(|&w| PhotoVersionRef {
                    width: w,
                    height: w / 2,
                    url: format!("/api/photos/4/{w}.jpg"),
                })
                .collect(),
        };
        assert_eq!(
            srcset(&p),
            "/api/photos/4/320.jpg 320w, /api/photos/4/640.jpg 640w"
        );
    }

    #[test]
    fn month_heads() {
        assert_eq!(month_initial(1, Lang::En), "J");
        assert_eq!(month_initial(12, Lang::Zh), "12");
    }
}

/// A yearly income band's name.
pub fn band_words(band: domain::settlement::IncomeBand) -> fn(crate::i18n::Locale) -> &'static str {
    use crate::i18n::keys;
    use domain::settlement::IncomeBand;
    match band {
        IncomeBand::Under1k => keys::inc_band_under1k,
        IncomeBand::From1kTo5k => keys::inc_band_1k5k,
        IncomeBand::From5kTo10k => keys::inc_band_5k10k,
        IncomeBand::From10k => keys::inc_band_10k,
    }
}

/// What the organising share paid for, by its name.
pub fn category_words(c: domain::income::ShareCategory) -> fn(crate::i18n::Locale) -> &'static str {
    use crate::i18n::keys;
    use domain::income::ShareCategory;
    match c {
        ShareCategory::Packing => keys::led_cat_packing,
        ShareCategory::Transport => keys::led_cat_transport,
        ShareCategory::Waste => keys::led_cat_waste,
        ShareCategory::Culture => keys::led_cat_culture,
        ShareCategory::Other => keys::led_cat_other,
    }
}
