//! The visit offer form as typed: the policy's numbers and dates, and each
//! host's beds, meals, prices in yuan and texts; its way to the API's
//! `VisitOfferInput`, with field names the server also uses.

use domain::money::{parse_yuan, yuan_input};
use domain::organise::visit_offer::{HostInput, VisitOfferInput};
use domain::visit::{HostPrices, MealSet};
use domain::{wire, FieldError, LocalText};

#[derive(Clone, Debug, PartialEq)]
pub struct HostDraft {
    pub household_id: i64,
    pub beds: String,
    pub meals: MealSet,
    /// Yuan as typed.
    pub adult_night: String,
    pub child_night: String,
    pub meal_adult: String,
    pub meal_child: String,
    pub description: LocalText,
    pub rules: LocalText,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OfferDraft {
    /// `date` values.
    pub open_from: String,
    pub open_until: String,
    pub max_party: String,
    pub max_nights: String,
    pub free_cancel_days: String,
    pub hosts: Vec<HostDraft>,
}

impl HostDraft {
    pub fn from_input(h: &HostInput) -> Self {
        HostDraft {
            household_id: h.household_id,
            beds: h.beds.to_string(),
            meals: h.meals,
            adult_night: yuan_input(h.prices.adult_night_fen),
            child_night: yuan_input(h.prices.child_night_fen),
            meal_adult: yuan_input(h.prices.meal_adult_fen),
            meal_child: yuan_input(h.prices.meal_child_fen),
            description: h.description.clone(),
            rules: h.rules.clone(),
        }
    }

    /// A household that starts hosting: no beds or prices yet.
    pub fn new(household_id: i64) -> Self {
        HostDraft {
            household_id,
            beds: String::new(),
            meals: MealSet::default(),
            adult_night: String::new(),
            child_night: "0".into(),
            meal_adult: String::new(),
            meal_child: "0".into(),
            description: LocalText::default(),
            rules: LocalText::default(),
        }
    }
}

/// A whole number as typed, or the field's error.
fn count(field: &str, v: &str, errors: &mut Vec<FieldError>) -> u32 {
    v.trim().parse::<u32>().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            field,
            "请填写整数，如 4",
            "must be a whole number like 4",
        ));
        0
    })
}

fn yuan(field: &str, v: &str, errors: &mut Vec<FieldError>) -> i64 {
    parse_yuan(field, v).unwrap_or_else(|e| {
        errors.push(e);
        // Not 0: a typed amount that does not read is not also "not positive".
        1
    })
}

impl OfferDraft {
    pub fn from_input(o: &VisitOfferInput) -> Self {
        OfferDraft {
            open_from: wire::format_date(o.open_from),
            open_until: wire::format_date(o.open_until),
            max_party: o.max_party.to_string(),
            max_nights: o.max_nights.to_string(),
            free_cancel_days: o.free_cancel_days_before.to_string(),
            hosts: o.hosts.iter().map(HostDraft::from_input).collect(),
        }
    }

    /// What to send, or every field at fault: what does not read, then the
    /// domain's rules for what does.
    pub fn to_input(&self) -> Result<VisitOfferInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, v: &str| {
            wire::parse_date(v.trim()).unwrap_or_else(|| {
                errors.push(FieldError::new(field, "请选择日期", "choose a date"));
                time::Date::MIN
            })
        };
        let open_from = date("open_from", &self.open_from);
        let open_until = date("open_until", &self.open_until);
        let max_party = count("max_party", &self.max_party, &mut errors);
        let max_nights = count("max_nights", &self.max_nights, &mut errors);
        let free_cancel_days_before = count(
            "free_cancel_days_before",
            &self.free_cancel_days,
            &mut errors,
        );
        let hosts = self
            .hosts
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let f = |name: &str| format!("hosts[{i}].{name}");
                HostInput {
                    household_id: h.household_id,
                    beds: count(&f("beds"), &h.beds, &mut errors),
                    meals: h.meals,
                    prices: HostPrices {
                        adult_night_fen: yuan(
                            &f("prices.adult_night_fen"),
                            &h.adult_night,
                            &mut errors,
                        ),
                        child_night_fen: yuan(
                            &f("prices.child_night_fen"),
                            &h.child_night,
                            &mut errors,
                        ),
                        meal_adult_fen: yuan(
                            &f("prices.meal_adult_fen"),
                            &h.meal_adult,
                            &mut errors,
                        ),
                        meal_child_fen: yuan(
                            &f("prices.meal_child_fen"),
                            &h.meal_child,
                            &mut errors,
                        ),
                    },
                    description: h.description.clone(),
                    rules: h.rules.clone(),
                }
            })
            .collect();
        let input = VisitOfferInput {
            open_from,
            open_until,
            max_party,
            max_nights,
            free_cancel_days_before,
            hosts,
        };
        for e in input.validate() {
            // A typed value that did not read already says so, and an
            // unread date says nothing about the range.
            let unread_date = errors.iter().any(|x| x.field.starts_with("open_"));
            let said = errors.iter().any(|x| x.field == e.field)
                || (unread_date && e.field == "open_until");
            if !said {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(input.normalized())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn offer() -> VisitOfferInput {
        VisitOfferInput {
            open_from: date!(2026 - 12 - 01),
            open_until: date!(2027 - 02 - 28),
            max_party: 8,
            max_nights: 3,
            free_cancel_days_before: 3,
            hosts: vec![HostInput {
                household_id: 7,
                beds: 4,
                meals: MealSet {
                    breakfast: true,
                    lunch: false,
                    dinner: true,
                },
                prices: HostPrices {
                    adult_night_fen: 8000,
                    child_night_fen: 4050,
                    meal_adult_fen: 2500,
                    meal_child_fen: 0,
                },
                description: LocalText::new("老院子", "An old courtyard"),
                rules: LocalText::new("十点后安静", "Quiet after 10 pm"),
            }],
        }
    }

    fn fields(d: &OfferDraft) -> Vec<String> {
        d.to_input()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn an_offer_goes_round_trip_with_prices_in_yuan() {
        let d = OfferDraft::from_input(&offer());
        assert_eq!(d.hosts[0].adult_night, "80.00");
        assert_eq!(d.hosts[0].child_night, "40.50");
        assert_eq!(d.open_from, "2026-12-01");
        assert_eq!(d.to_input().unwrap(), offer());
    }

    #[test]
    fn yuan_are_typed_as_people_write_them() {
        let mut d = OfferDraft::from_input(&offer());
        d.hosts[0].adult_night = " ¥92.5 ".into();
        d.hosts[0].meal_child = "0".into();
        let i = d.to_input().unwrap();
        assert_eq!(i.hosts[0].prices.adult_night_fen, 9250);
        assert_eq!(i.hosts[0].prices.meal_child_fen, 0);
    }

    #[test]
    fn what_does_not_read_is_named_once() {
        let mut d = OfferDraft::from_input(&offer());
        d.max_party = "many".into();
        d.open_until = "".into();
        d.hosts[0].beds = "-1".into();
        d.hosts[0].adult_night = "80.555".into();
        d.hosts[0].meal_adult = "".into();
        assert_eq!(
            fields(&d),
            [
                "open_until",
                "max_party",
                "hosts[0].beds",
                "hosts[0].prices.adult_night_fen",
                "hosts[0].prices.meal_adult_fen",
            ]
        );
    }

    #[test]
    fn the_domain_rules_judge_what_reads() {
        let mut d = OfferDraft::from_input(&offer());
        d.max_nights = "31".into();
        d.hosts[0].adult_night = "0".into();
        d.hosts[0].rules.en = " ".into();
        assert_eq!(
            fields(&d),
            [
                "max_nights",
                "hosts[0].prices.adult_night_fen",
                "hosts[0].rules.en"
            ]
        );
    }

    #[test]
    fn a_new_host_must_be_filled_in() {
        let mut d = OfferDraft::from_input(&offer());
        d.hosts.push(HostDraft::new(9));
        let f = fields(&d);
        assert!(f.contains(&"hosts[1].beds".to_string()), "{f:?}");
        assert!(
            f.contains(&"hosts[1].prices.adult_night_fen".to_string()),
            "{f:?}"
        );
        assert!(f.contains(&"hosts[1].description.zh".to_string()), "{f:?}");
        assert!(
            !f.contains(&"hosts[1].prices.child_night_fen".to_string()),
            "{f:?}"
        );
    }
}
