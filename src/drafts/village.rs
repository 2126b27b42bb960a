//! The village's own forms as typed: a household, the village page and a
//! distribution point, each with its way to the API's input.

use domain::organise::village::{
    HouseholdInput, OrganiseHousehold, OrganisePoint, OrganiseVillagePage, PointInput, VillageInput,
};
use domain::{FieldError, LocalText};

/// A whole number as typed in `field`, or its field error.
fn whole(field: &str, typed: &str, zh: &str, en: &str) -> Result<i64, FieldError> {
    typed
        .trim()
        .parse::<i64>()
        .map_err(|_| FieldError::new(field, zh, en))
}

fn finish<T>(
    mut errors: Vec<FieldError>,
    found: Vec<FieldError>,
    input: T,
) -> Result<T, Vec<FieldError>> {
    for e in found {
        // A typed number that did not parse already says so.
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

#[derive(Clone, Debug, PartialEq)]
pub struct HouseholdDraft {
    pub name: LocalText,
    pub story: LocalText,
    /// The year as typed.
    pub joined_year: String,
    pub product_ids: Vec<i64>,
    pub registered_poor: bool,
    pub retired: bool,
}

impl HouseholdDraft {
    /// A new household, joining this year.
    pub fn new(this_year: i32) -> Self {
        HouseholdDraft {
            name: LocalText::default(),
            story: LocalText::default(),
            joined_year: this_year.to_string(),
            product_ids: Vec::new(),
            registered_poor: false,
            retired: false,
        }
    }

    pub fn from_household(h: &OrganiseHousehold) -> Self {
        let i = h.input();
        HouseholdDraft {
            name: i.name,
            story: i.story,
            joined_year: i.joined_year.to_string(),
            product_ids: i.product_ids,
            registered_poor: i.registered_poor,
            retired: i.retired,
        }
    }

    /// What to send, or every field at fault; `this_year` in Asia/Shanghai.
    pub fn to_input(&self, this_year: i32) -> Result<HouseholdInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let joined_year = whole(
            "joined_year",
            &self.joined_year,
            "请填年份，例如 2015",
            "enter a year, e.g. 2015",
        )
        .map_err(|e| errors.push(e))
        .ok()
        .and_then(|y| i32::try_from(y).ok())
        .unwrap_or(this_year);
        let input = HouseholdInput {
            name: self.name.clone(),
            story: self.story.clone(),
            joined_year,
            product_ids: self.product_ids.clone(),
            registered_poor: self.registered_poor,
            retired: self.retired,
        }
        .normalized();
        let found = input.validate(this_year);
        finish(errors, found, input)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct VillageDraft {
    pub tagline: LocalText,
    pub story: LocalText,
    pub region: LocalText,
    /// Whole percent as typed.
    pub organising_percent: String,
}

impl VillageDraft {
    pub fn from_page(p: &OrganiseVillagePage) -> Self {
        VillageDraft {
            tagline: p.tagline.clone(),
            story: p.story.clone(),
            region: p.region.clone(),
            organising_percent: p.organising_percent.to_string(),
        }
    }

    pub fn to_input(&self) -> Result<VillageInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let percent = whole(
            "organising_percent",
            &self.organising_percent,
            "请填 10 到 20 的整数",
            "must be a whole percent from 10 to 20",
        )
        .map_err(|e| errors.push(e))
        .ok()
        // Out of a u8's range is out of 10–20 too: the rule says so.
        .map(|p| u8::try_from(p).unwrap_or(u8::MAX))
        .unwrap_or(15);
        let input = VillageInput {
            tagline: self.tagline.clone(),
            story: self.story.clone(),
            region: self.region.clone(),
            organising_percent: percent,
        }
        .normalized();
        let found = input.validate();
        finish(errors, found, input)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointDraft {
    pub name: LocalText,
    pub address: LocalText,
    pub pickup_from: String,
    pub pickup_to: String,
    pub closed: bool,
}

impl PointDraft {
    pub fn from_point(p: &OrganisePoint) -> Self {
        let i = p.input();
        PointDraft {
            name: i.name,
            address: i.address,
            pickup_from: i.pickup_from,
            pickup_to: i.pickup_to,
            closed: i.closed,
        }
    }

    pub fn to_input(&self) -> Result<PointInput, Vec<FieldError>> {
        let input = PointInput {
            name: self.name.clone(),
            address: self.address.clone(),
            pickup_from: self.pickup_from.clone(),
            pickup_to: self.pickup_to.clone(),
            closed: self.closed,
        }
        .normalized();
        let found = input.validate();
        finish(Vec::new(), found, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_household_draft_becomes_its_input_or_names_each_fault() {
        let mut d = HouseholdDraft::new(2026);
        assert_eq!(d.joined_year, "2026");
        assert_eq!(
            fields(&d.to_input(2026).unwrap_err()),
            ["name.zh", "name.en"]
        );
        d.name = LocalText::new(" 王秀英 ", "Wang Xiuying");
        d.joined_year = " 2015 ".into();
        d.product_ids = vec![4];
        d.registered_poor = true;
        let input = d.to_input(2026).unwrap();
        assert_eq!(input.name.zh, "王秀英");
        assert_eq!(input.joined_year, 2015);
        assert!(input.registered_poor);
        d.joined_year = "十五".into();
        let e = d.to_input(2026).unwrap_err();
        assert_eq!(fields(&e), ["joined_year"]);
        assert!(e[0].message.contains("year"));
        d.joined_year = "2030".into();
        assert_eq!(fields(&d.to_input(2026).unwrap_err()), ["joined_year"]);
    }

    #[test]
    fn a_saved_household_comes_back_unchanged() {
        let h = OrganiseHousehold {
            id: 3,
            village_slug: "liu".into(),
            name: LocalText::new("王", "Wang"),
            story: LocalText::new("s", "s"),
            joined_year: 2012,
            product_ids: vec![1, 2],
            registered_poor: true,
            retired: true,
            photos: vec![],
        };
        assert_eq!(
            HouseholdDraft::from_household(&h).to_input(2026).unwrap(),
            h.input()
        );
    }

    #[test]
    fn the_village_draft_checks_the_percent() {
        let page = OrganiseVillagePage {
            slug: "liu".into(),
            name: LocalText::new("刘村", "Liu"),
            tagline: LocalText::new("山里", "Hills"),
            story: LocalText::new("故事", "Story"),
            region: LocalText::new("河北", "Hebei"),
            organising_percent: 15,
            photos: vec![],
        };
        let mut d = VillageDraft::from_page(&page);
        assert_eq!(d.to_input().unwrap(), page.input());
        for (typed, field) in [
            ("21", "organising_percent"),
            ("9", "organising_percent"),
            ("abc", "organising_percent"),
            ("300", "organising_percent"),
        ] {
            d.organising_percent = typed.into();
            assert_eq!(fields(&d.to_input().unwrap_err()), [field], "{typed}");
        }
        d.organising_percent = " 18 ".into();
        d.tagline.en = " ".into();
        assert_eq!(fields(&d.to_input().unwrap_err()), ["tagline.en"]);
    }

    #[test]
    fn a_point_draft_needs_a_window_in_order() {
        let mut d = PointDraft {
            name: LocalText::new("望京", "Wangjing"),
            address: LocalText::new("望京西路", "Wangjing West Rd"),
            pickup_from: "09:00".into(),
            pickup_to: "08:00".into(),
            closed: false,
        };
        assert_eq!(fields(&d.to_input().unwrap_err()), ["pickup_to"]);
        d.pickup_to = "11:00".into();
        assert!(d.to_input().is_ok());
        assert_eq!(
            fields(&PointDraft::default().to_input().unwrap_err()),
            [
                "name.zh",
                "name.en",
                "address.zh",
                "address.en",
                "pickup_from",
                "pickup_to"
            ]
        );
    }
}
