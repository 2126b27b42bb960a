//! An organiser's product form as typed (strings and ticks), and its way to
//! the API's `ProductInput` and to a shopper's-eye preview.

use domain::dto::{Category, HouseholdRef, PhotoRef, ProductDetail};
use domain::money::{parse_yuan, premium_percent, yuan_input, PriceBreakdown};
use domain::organise::{OrganiseProduct, ProductInput};
use domain::{FieldError, LocalText, MonthSet, Season};

#[derive(Clone, Debug, PartialEq)]
pub struct ProductDraft {
    pub name: LocalText,
    pub description: LocalText,
    pub category: Category,
    pub unit: LocalText,
    /// Yuan as typed.
    pub price: String,
    /// Yuan as typed; empty when unknown.
    pub local_price: String,
    pub all_year: bool,
    /// January first.
    pub months: [bool; 12],
    pub household_ids: Vec<i64>,
    pub published: bool,
}

impl Default for ProductDraft {
    fn default() -> Self {
        ProductDraft {
            name: LocalText::default(),
            description: LocalText::default(),
            category: Category::Vegetable,
            unit: LocalText::new("斤", "jin"),
            price: String::new(),
            local_price: String::new(),
            all_year: true,
            months: [false; 12],
            household_ids: Vec::new(),
            // A new product stays hidden until the organiser publishes it.
            published: false,
        }
    }
}

impl ProductDraft {
    pub fn from_product(p: &OrganiseProduct) -> Self {
        let mut months = [false; 12];
        let all_year = match p.season {
            Season::AllYear => true,
            Season::Months { months: set } => {
                for m in set.months() {
                    months[usize::from(m) - 1] = true;
                }
                false
            }
        };
        ProductDraft {
            name: p.name.clone(),
            description: p.description.clone(),
            category: p.category,
            unit: p.unit.clone(),
            price: yuan_input(p.price_fen),
            local_price: if p.local_price_fen == 0 {
                String::new()
            } else {
                yuan_input(p.local_price_fen)
            },
            all_year,
            months,
            household_ids: p.household_ids.clone(),
            published: p.published,
        }
    }

    /// What to send, or every field at fault (the domain's product rules
    /// plus the typed amounts and months).
    pub fn to_input(&self) -> Result<ProductInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let price_fen = parse_yuan("price_fen", &self.price).unwrap_or_else(|e| {
            errors.push(e);
            0
        });
        let local_price_fen = if self.local_price.trim().is_empty() {
            0
        } else {
            parse_yuan("local_price_fen", &self.local_price).unwrap_or_else(|e| {
                errors.push(e);
                0
            })
        };
        let season = if self.all_year {
            Season::AllYear
        } else {
            let chosen: Vec<u8> = (1..=12u8)
                .filter(|m| self.months[usize::from(*m) - 1])
                .collect();
            match MonthSet::from_months(&chosen) {
                Ok(set) if !chosen.is_empty() => Season::Months { months: set },
                _ => {
                    errors.push(FieldError::new(
                        "season",
                        "请选应季的月份，或选全年",
                        "choose the months it is in season, or all year",
                    ));
                    Season::AllYear
                }
            }
        };
        let input = ProductInput {
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category,
            unit: self.unit.clone(),
            price_fen,
            local_price_fen,
            season,
            household_ids: self.household_ids.clone(),
            published: self.published,
        }
        .normalized();
        for e in input.validate() {
            // A typed amount that did not parse already says so.
            if !errors.iter().any(|x| x.field == e.field) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }

    /// The product page a shopper would see, for the preview. Amounts that
    /// do not parse show as 0.
    pub fn preview(
        &self,
        id: i64,
        village_slug: &str,
        village_name: &LocalText,
        organising_percent: u8,
        households: &[HouseholdRef],
        photos: &[PhotoRef],
    ) -> ProductDetail {
        let price_fen = parse_yuan("p", &self.price).unwrap_or(0);
        let local_price_fen = parse_yuan("p", &self.local_price).unwrap_or(0);
        let season = match self.to_input() {
            Ok(i) => i.season,
            Err(_) if self.all_year => Season::AllYear,
            Err(_) => {
                let chosen: Vec<u8> = (1..=12u8)
                    .filter(|m| self.months[usize::from(*m) - 1])
                    .collect();
                MonthSet::from_months(&chosen)
                    .ok()
                    .filter(|_| !chosen.is_empty())
                    .map_or(Season::AllYear, |months| Season::Months { months })
            }
        };
        ProductDetail {
            id,
            village_slug: village_slug.to_string(),
            village_name: village_name.clone(),
            name: self.name.clone(),
            category: self.category,
            unit: self.unit.clone(),
            price_fen,
            local_price_fen,
            season,
            description: self.description.clone(),
            households: households
                .iter()
                .filter(|h| self.household_ids.contains(&h.id))
                .cloned()
                .collect(),
            breakdown: PriceBreakdown::new(price_fen, organising_percent).unwrap_or(
                PriceBreakdown {
                    price_fen: 0,
                    household_fen: 0,
                    organising_fen: 0,
                    organising_percent,
                },
            ),
            premium_percent: premium_percent(price_fen, local_price_fen),
            open_round: None,
            photos: photos.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ProductDraft {
        ProductDraft {
            name: LocalText::new("土鸡蛋", "Free-range eggs"),
            description: LocalText::new(
                "散养。\n\n- **每天**捡",
                "Free range.\n\n- collected **daily**",
            ),
            category: Category::Eggs,
            unit: LocalText::new("斤", "jin"),
            price: "19.5".into(),
            local_price: "".into(),
            all_year: false,
            months: [
                true, true, false, false, false, false, false, false, false, false, false, true,
            ],
            household_ids: vec![3, 4],
            published: true,
        }
    }

    #[test]
    fn a_filled_draft_becomes_the_api_input() {
        let input = filled().to_input().unwrap();
        assert_eq!(input.price_fen, 1950);
        assert_eq!(input.local_price_fen, 0);
        assert_eq!(
            input.season,
            Season::Months {
                months: MonthSet::from_months(&[1, 2, 12]).unwrap()
            }
        );
    }

    #[test]
    fn every_fault_is_named_by_field() {
        let mut d = filled();
        d.price = "19.555".into();
        d.local_price = "abc".into();
        d.months = [false; 12];
        d.household_ids.clear();
        d.name.en = "  ".into();
        let fields: Vec<String> = d
            .to_input()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "price_fen",
            "local_price_fen",
            "season",
            "household_ids",
            "name.en",
        ] {
            assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
        }
    }

    #[test]
    fn a_saved_product_round_trips_through_the_form() {
        let input = filled().to_input().unwrap();
        let saved = OrganiseProduct {
            id: 9,
            village_slug: "liu".into(),
            name: input.name.clone(),
            description: input.description.clone(),
            category: input.category,
            unit: input.unit.clone(),
            price_fen: input.price_fen,
            local_price_fen: input.local_price_fen,
            season: input.season,
            household_ids: input.household_ids.clone(),
            published: input.published,
            photos: vec![],
        };
        assert_eq!(
            ProductDraft::from_product(&saved).to_input().unwrap(),
            input
        );
    }

    #[test]
    fn the_preview_is_the_shop_page_of_the_draft() {
        let hh = vec![
            HouseholdRef {
                id: 3,
                name: LocalText::new("刘富海", "Liu Fuhai"),
                demo: true,
                photo: None,
            },
            HouseholdRef {
                id: 5,
                name: LocalText::new("刘春华", "Liu Chunhua"),
                demo: true,
                photo: None,
            },
        ];
        let p = filled().preview(
            9,
            "liu",
            &LocalText::new("刘村", "Liu Village"),
            15,
            &hh,
            &[],
        );
        assert_eq!(p.price_fen, 1950);
        assert_eq!(p.breakdown.household_fen + p.breakdown.organising_fen, 1950);
        assert_eq!(p.households.len(), 1);
        assert_eq!(p.description.en, "Free range.\n\n- collected **daily**");
    }
}
