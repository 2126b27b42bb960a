//! The visit form as chosen (`VisitDraft`) and its way to the API's
//! `BookingRequest`; the meals the hosts serve, the meals kept for the
//! days of the stay, and the price estimate. Pure, unit-tested natively.

use domain::dto::{BookingRequest, DayAvailability};
use domain::visit::{self, DayMeals, HostOffer, MealSet, PriceSummary, VisitPolicy};
use domain::FieldError;
use time::Date;

use crate::visit_calendar::{host_beds_left, meal_days};

/// The visit form as chosen: a day, the party, a host, meals and who books.
#[derive(Clone, Debug, PartialEq)]
pub struct VisitDraft {
    pub village_slug: String,
    /// `None` until a day is picked.
    pub arrival: Option<Date>,
    pub nights: u32,
    pub adults: u32,
    pub children: u32,
    /// `None`: any host with room.
    pub host_id: Option<i64>,
    /// The meals ticked, also for days the stay no longer covers.
    pub meals: Vec<DayMeals>,
    pub name: String,
    pub phone: String,
}

impl VisitDraft {
    /// The meals to choose from: the chosen host's, or any host's.
    pub fn offered(&self, hosts: &[HostOffer]) -> MealSet {
        match self.host_id {
            Some(id) => hosts
                .iter()
                .find(|h| h.id == id)
                .map_or(MealSet::default(), |h| h.meals),
            None => meals_offered(hosts),
        }
    }

    /// The booking as it stands, meals cut to the stay and to what is
    /// served; `None` until a day is picked.
    pub fn request(&self, hosts: &[HostOffer]) -> Option<BookingRequest> {
        let arrival = self.arrival?;
        Some(BookingRequest {
            village_slug: self.village_slug.clone(),
            arrival,
            nights: self.nights,
            adults: self.adults,
            children: self.children,
            host_id: self.host_id,
            meals: clip_meals(&self.meals, arrival, self.nights, self.offered(hosts)),
            name: self.name.clone(),
            phone: self.phone.clone(),
        })
    }

    /// What to send, or every field at fault: no day picked, or the
    /// domain's booking rules.
    pub fn to_input(
        &self,
        policy: &VisitPolicy,
        hosts: &[HostOffer],
        today: Date,
    ) -> Result<BookingRequest, Vec<FieldError>> {
        let Some(req) = self.request(hosts) else {
            return Err(vec![FieldError::new("arrival", "请选日期", "choose a day")]);
        };
        visit::validate_booking(&req, policy, hosts, today)
    }
}

/// Meals any of these hosts serves.
pub fn meals_offered<'a>(hosts: impl IntoIterator<Item = &'a HostOffer>) -> MealSet {
    hosts
        .into_iter()
        .fold(MealSet::default(), |acc, h| MealSet {
            breakfast: acc.breakfast || h.meals.breakfast,
            lunch: acc.lunch || h.meals.lunch,
            dinner: acc.dinner || h.meals.dinner,
        })
}

/// The meals of the stay's days, dropping what `offered` does not serve
/// and days outside the stay.
pub fn clip_meals(
    meals: &[DayMeals],
    arrival: Date,
    nights: u32,
    offered: MealSet,
) -> Vec<DayMeals> {
    let days = meal_days(arrival, nights);
    meals
        .iter()
        .filter(|m| days.contains(&m.date))
        .map(|m| DayMeals {
            date: m.date,
            breakfast: m.breakfast && offered.breakfast,
            lunch: m.lunch && offered.lunch,
            dinner: m.dinner && offered.dinner,
        })
        .filter(|m| !m.meals().is_empty())
        .collect()
}

/// What the stay costs: with one host, its price summary; with "any host",
/// the cheapest and dearest totals among hosts that can take the party
/// and serve the meals.
#[derive(Clone, Debug, PartialEq)]
pub enum Estimate {
    Exact(PriceSummary),
    Range {
        low_fen: i64,
        high_fen: i64,
    },
    /// No host fits.
    None,
}

pub fn estimate(
    hosts: &[HostOffer],
    host_id: Option<i64>,
    days: &[DayAvailability],
    req: &BookingRequest,
) -> Estimate {
    let summary = |h: &HostOffer| {
        visit::price_summary(&h.prices, req.nights, req.adults, req.children, &req.meals)
    };
    match host_id {
        Some(id) => hosts
            .iter()
            .find(|h| h.id == id)
            .map_or(Estimate::None, |h| Estimate::Exact(summary(h))),
        None => {
            let nights = visit::stay_nights(req.arrival, req.nights);
            let party = req.adults + req.children;
            let totals: Vec<i64> = hosts
                .iter()
                .filter(|h| {
                    h.beds >= party
                        && host_beds_left(days, h.id, &nights).is_none_or(|b| b >= party)
                        && req.meals.iter().all(|m| m.meals().within(h.meals))
                })
                .map(|h| summary(h).total_fen)
                .collect();
            match (totals.iter().min(), totals.iter().max()) {
                (Some(&low_fen), Some(&high_fen)) => Estimate::Range { low_fen, high_fen },
                _ => Estimate::None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit_calendar::tests::{avail, policy, request};
    use domain::dto::HouseholdRef;
    use domain::visit::{DayStatus, HostPrices};
    use domain::LocalText;
    use time::macros::date;

    fn host(id: i64, beds: u32, lunch: bool, adult_night_fen: i64) -> HostOffer {
        HostOffer {
            id,
            household: HouseholdRef {
                id,
                name: LocalText::new("户", "Host"),
                demo: true,
                photo: None,
            },
            beds,
            meals: MealSet {
                breakfast: true,
                lunch,
                dinner: true,
            },
            prices: HostPrices {
                adult_night_fen,
                child_night_fen: adult_night_fen / 2,
                meal_adult_fen: 2000,
                meal_child_fen: 1000,
            },
            description: LocalText::new("", ""),
            rules: LocalText::new("", ""),
        }
    }

    /// Lunch and dinner on 28 November, breakfast on 5 December.
    fn two_days_of_meals() -> Vec<DayMeals> {
        vec![
            DayMeals {
                date: date!(2026 - 11 - 28),
                breakfast: false,
                lunch: true,
                dinner: true,
            },
            DayMeals {
                date: date!(2026 - 12 - 05),
                breakfast: true,
                lunch: false,
                dinner: false,
            },
        ]
    }

    #[test]
    fn meals_cover_arrival_to_departure_and_what_is_served() {
        let days = meal_days(date!(2026 - 11 - 28), 2);
        assert_eq!(days.len(), 3);
        let meals = two_days_of_meals();
        let no_lunch = host(1, 3, false, 6000).meals;
        let clipped = clip_meals(&meals, date!(2026 - 11 - 28), 2, no_lunch);
        assert_eq!(clipped.len(), 1);
        assert!(!clipped[0].lunch && clipped[0].dinner);
        assert_eq!(
            meals_offered(&[host(1, 3, false, 1), host(2, 3, true, 1)]),
            MealSet::ALL
        );
    }

    #[test]
    fn estimates_use_the_domain_price_summary() {
        let hosts = vec![host(1, 6, true, 8000), host(2, 3, true, 6000)];
        let mut req = request(date!(2026 - 11 - 28), 2, 2, 1);
        req.meals = vec![DayMeals {
            date: date!(2026 - 11 - 28),
            breakfast: false,
            lunch: false,
            dinner: true,
        }];
        // 2 nights × (2 × 80 + 40) + dinner (2 × 20 + 10) = 400 + 50 yuan.
        match estimate(&hosts, Some(1), &[], &req) {
            Estimate::Exact(s) => assert_eq!(s.total_fen, 45000),
            other => panic!("expected an exact price, got {other:?}"),
        }
        // Any host: both fit a party of 3.
        assert_eq!(
            estimate(&hosts, None, &[], &req),
            Estimate::Range {
                low_fen: 2 * (12000 + 3000) + 5000,
                high_fen: 45000
            }
        );
        // Host 1 has one bed left on the first night: only host 2 fits.
        let days = vec![avail(
            date!(2026 - 11 - 28),
            DayStatus::FewLeft,
            &[(1, 1), (2, 3)],
        )];
        assert_eq!(
            estimate(&hosts, None, &days, &req),
            Estimate::Range {
                low_fen: 35000,
                high_fen: 35000
            }
        );
        req.adults = 7;
        assert_eq!(estimate(&hosts, None, &[], &req), Estimate::None);
    }

    fn draft(arrival: Option<Date>) -> VisitDraft {
        VisitDraft {
            village_slug: "liu".into(),
            arrival,
            nights: 2,
            adults: 2,
            children: 0,
            host_id: Some(1),
            meals: two_days_of_meals(),
            name: "Demo".into(),
            phone: "13800000009".into(),
        }
    }

    #[test]
    fn a_visit_draft_without_a_day_asks_for_one() {
        let hosts = vec![host(1, 6, false, 8000)];
        let today = date!(2026 - 11 - 22);
        let errors = draft(None).to_input(&policy(), &hosts, today).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["arrival"]
        );
        assert_eq!(draft(None).request(&hosts), None);
    }

    #[test]
    fn a_visit_draft_sends_the_meals_of_the_stay_the_host_serves() {
        let hosts = vec![host(1, 6, false, 8000), host(2, 6, true, 6000)];
        let today = date!(2026 - 11 - 22);
        let d = draft(Some(date!(2026 - 11 - 28)));
        assert_eq!(d.offered(&hosts), hosts[0].meals);
        let req = d.to_input(&policy(), &hosts, today).unwrap();
        assert_eq!(req.arrival, date!(2026 - 11 - 28));
        assert_eq!(req.host_id, Some(1));
        // Host 1 serves no lunch, and 5 December is not in the stay.
        assert_eq!(req.meals.len(), 1);
        assert!(!req.meals[0].lunch && req.meals[0].dinner);
        // Any host: lunch is served by one of them.
        let any = VisitDraft {
            host_id: None,
            ..d.clone()
        };
        assert_eq!(any.offered(&hosts), MealSet::ALL);
        assert!(any.request(&hosts).unwrap().meals[0].lunch);
    }

    #[test]
    fn a_visit_draft_keeps_the_domain_rules() {
        let hosts = vec![host(1, 6, true, 8000)];
        let today = date!(2026 - 11 - 22);
        let mut d = draft(Some(date!(2026 - 11 - 28)));
        d.adults = 9;
        d.nights = 5;
        let errors = d.to_input(&policy(), &hosts, today).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"nights"), "{fields:?}");
        assert!(fields.contains(&"adults"), "{fields:?}");
    }
}
