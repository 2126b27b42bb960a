//! View logic kept out of components so that plain `cargo test` reaches it:
//! calendar grouping and date formatting per language.

use domain::dto::ProductSummary;
use domain::{season_status, Lang, SeasonStatus};
use time::{Date, OffsetDateTime};

/// How far ahead "coming soon" looks on the village calendar.
pub const COMING_SOON_WEEKS: u8 = 6;

/// The sections of the village calendar, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarGroup {
    InSeason,
    ComingSoon,
    AllYear,
    Later,
}

impl CalendarGroup {
    pub fn of(status: SeasonStatus) -> Self {
        match status {
            SeasonStatus::InSeason => CalendarGroup::InSeason,
            SeasonStatus::ComingSoon { .. } => CalendarGroup::ComingSoon,
            SeasonStatus::AllYear => CalendarGroup::AllYear,
            SeasonStatus::OutOfSeason { .. } => CalendarGroup::Later,
        }
    }

    /// Stable ids for the page's anchors and tests.
    pub fn id(self) -> &'static str {
        match self {
            CalendarGroup::InSeason => "in-season",
            CalendarGroup::ComingSoon => "coming-soon",
            CalendarGroup::AllYear => "all-year",
            CalendarGroup::Later => "later",
        }
    }
}

/// Products grouped for the calendar on `today`; empty groups are left out.
/// Within a group, the soonest season comes first, then the catalogue order.
pub fn group_calendar(
    products: &[ProductSummary],
    today: Date,
) -> Vec<(CalendarGroup, Vec<(ProductSummary, SeasonStatus)>)> {
    let mut with_status: Vec<_> = products
        .iter()
        .map(|p| (p.clone(), season_status(p.season, today, COMING_SOON_WEEKS)))
        .collect();
    with_status.sort_by_key(|(p, s)| {
        (
            s.sort_rank(),
            start_of(*s),
            p.category.as_str() == "other",
            p.id,
        )
    });
    let mut groups: Vec<(CalendarGroup, Vec<(ProductSummary, SeasonStatus)>)> = Vec::new();
    for (p, s) in with_status {
        let g = CalendarGroup::of(s);
        match groups.last_mut() {
            Some((last, items)) if *last == g => items.push((p, s)),
            _ => groups.push((g, vec![(p, s)])),
        }
    }
    groups
}

fn start_of(s: SeasonStatus) -> Option<Date> {
    match s {
        SeasonStatus::ComingSoon { starts } => Some(starts),
        SeasonStatus::OutOfSeason { next_start } => Some(next_start),
        _ => None,
    }
}

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

/// A list of names: "刘建国、赵秀梅" / "Liu Jianguo, Zhao Xiumei".
pub fn join_names<'a>(names: impl IntoIterator<Item = &'a str>, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    names.into_iter().collect::<Vec<_>>().join(sep)
}

/// Whether a link's `href` is a page of another bundle of the app (see
/// `domain::bundle`): only same-origin paths such as `/cart?x=1` count.
/// The detail of a refused order or booking, in the shopper's language:
/// the server's words for each field it named, else its reason.
pub fn refusal_detail(
    reason: &domain::LocalText,
    fields: &[domain::FieldError],
    lang: Lang,
) -> String {
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

/// The entry a server's field name points at in a list it was sent, e.g.
/// 3 for `supplies[3].quantity` when `list` is "supplies".
pub fn list_index(field: &str, list: &str) -> Option<usize> {
    let rest = field.strip_prefix(list)?.strip_prefix('[')?;
    let (n, _) = rest.split_once(']')?;
    n.parse().ok()
}

/// An organiser's rounds in working order. First those still to be
/// distributed (today or later, Asia/Shanghai), soonest first: the nearest
/// is the one being packed or taking orders. Then past rounds, latest first.
pub fn rounds_in_working_order<T>(
    list: Vec<T>,
    today: Date,
    round: impl Fn(&T) -> &domain::dto::Round,
) -> (Vec<T>, Vec<T>) {
    let (mut ahead, mut past): (Vec<T>, Vec<T>) = list
        .into_iter()
        .partition(|r| round(r).distribution_day >= today);
    ahead.sort_by_key(|r| (round(r).distribution_day, round(r).id));
    past.sort_by_key(|r| std::cmp::Reverse((round(r).distribution_day, round(r).id)));
    (ahead, past)
}

pub fn other_bundle_link(href: &str, own: domain::bundle::Bundle) -> bool {
    if !href.starts_with('/') || href.starts_with("//") {
        return false;
    }
    let path = href.split(['?', '#']).next().unwrap_or_default();
    domain::bundle::Bundle::for_path(path) != own
}

#[cfg(test)]
mod tests {
    #[test]
    fn rounds_to_come_soonest_first_then_past_latest_first() {
        use time::macros::{date, datetime};
        let r = |id, day| domain::dto::Round {
            id,
            opens_at: datetime!(2026-01-01 0:00 +8),
            deadline: datetime!(2026-01-02 0:00 +8),
            distribution_day: day,
        };
        let list = vec![
            r(1, date!(2026 - 10 - 20)),
            r(5, date!(2026 - 12 - 18)),
            r(2, date!(2026 - 11 - 08)),
            r(3, date!(2026 - 11 - 23)),
            r(4, date!(2026 - 11 - 28)),
            r(6, date!(2026 - 11 - 28)),
        ];
        let (ahead, past) = super::rounds_in_working_order(list, date!(2026 - 11 - 23), |r| r);
        let ids = |l: &[domain::dto::Round]| l.iter().map(|r| r.id).collect::<Vec<_>>();
        // Distribution today is still ahead: it is being handed out.
        assert_eq!(ids(&ahead), [3, 4, 6, 5]);
        assert_eq!(ids(&past), [2, 1]);
    }

    #[test]
    fn field_names_point_into_the_list_sent() {
        assert_eq!(list_index("supplies[3].quantity", "supplies"), Some(3));
        assert_eq!(list_index("supplies[12]", "supplies"), Some(12));
        assert_eq!(list_index("supplies", "supplies"), None);
        assert_eq!(list_index("lines[0].quantity", "supplies"), None);
        assert_eq!(list_index("supplies[x].quantity", "supplies"), None);
    }

    #[test]
    fn refusals_read_in_the_shoppers_language() {
        use domain::{FieldError, LocalText};
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

    use super::*;

    #[test]
    fn links_to_other_bundles() {
        use domain::bundle::Bundle::{Account, Shop, Visit};
        assert!(other_bundle_link("/cart", Shop));
        assert!(other_bundle_link("/orders/ab?x=1#top", Shop));
        assert!(other_bundle_link("/v/liu/visit", Account));
        assert!(other_bundle_link("/v/liu", Visit));
        assert!(!other_bundle_link("/v/liu/h/3", Shop));
        assert!(!other_bundle_link("/trips/3", Visit));
        // Not paths of this site.
        assert!(!other_bundle_link("https://example.org/cart", Shop));
        assert!(!other_bundle_link("//example.org/cart", Shop));
        assert!(!other_bundle_link("#reviews", Account));
    }
    use domain::dto::Category;
    use domain::{LocalText, MonthSet, Season};
    use time::macros::{date, datetime};

    fn product(id: i64, season: Season) -> ProductSummary {
        ProductSummary {
            id,
            name: LocalText::new(format!("产品{id}"), format!("Product {id}")),
            category: Category::Fruit,
            unit: LocalText::new("公斤", "kg"),
            price_fen: 1000,
            local_price_fen: 700,
            season,
            photo: None,
        }
    }

    fn months(m: &[u8]) -> Season {
        Season::Months {
            months: MonthSet::from_months(m).unwrap(),
        }
    }

    #[test]
    fn groups_in_page_order_and_drops_empty_ones() {
        let today = date!(2026 - 11 - 22);
        let ps = vec![
            product(1, months(&[7, 8])),   // later
            product(2, Season::AllYear),   // all year
            product(3, months(&[11, 12])), // in season
            product(4, months(&[12, 1])),  // coming soon
        ];
        let groups = group_calendar(&ps, today);
        let order: Vec<_> = groups.iter().map(|(g, _)| *g).collect();
        assert_eq!(
            order,
            vec![
                CalendarGroup::InSeason,
                CalendarGroup::ComingSoon,
                CalendarGroup::AllYear,
                CalendarGroup::Later
            ]
        );
        assert_eq!(groups[0].1[0].0.id, 3);
        assert_eq!(groups[3].1[0].0.id, 1);

        let only_all_year = group_calendar(&[product(9, Season::AllYear)], today);
        assert_eq!(only_all_year.len(), 1);
        assert_eq!(only_all_year[0].0, CalendarGroup::AllYear);
    }

    #[test]
    fn later_products_sorted_by_next_start() {
        let today = date!(2026 - 11 - 22);
        let ps = vec![
            product(1, months(&[8])),
            product(2, months(&[4])),
            product(3, months(&[6])),
        ];
        let groups = group_calendar(&ps, today);
        let ids: Vec<_> = groups[0].1.iter().map(|(p, _)| p.id).collect();
        assert_eq!(ids, vec![2, 3, 1]);
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
