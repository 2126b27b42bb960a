//! The village's own administration: its households, its page and its
//! distribution points, as organisers edit them.

use serde::{Deserialize, Serialize};

use crate::{
    dto::PhotoRef,
    organise::prose,
    text::LocalText,
    validate::{self, FieldError},
};

/// Stories and the village text: longer than a name, shorter than a book.
pub const STORY_MAX_CHARS: usize = 4000;
/// A tagline fits on one line of a phone.
pub const TAGLINE_MAX_CHARS: usize = 120;
/// An address fits on a label.
pub const ADDRESS_MAX_CHARS: usize = 200;
/// Photos a household, or the village itself, may have.
pub const MAX_PHOTOS: i64 = 6;
/// The earliest year a household can have joined: the trial began later.
pub const FIRST_YEAR: i32 = 2000;

fn push(errors: &mut Vec<FieldError>, r: Result<(), FieldError>) {
    if let Err(e) = r {
        errors.push(e);
    }
}

fn trim(t: &mut LocalText) {
    t.zh = t.zh.trim().to_owned();
    t.en = t.en.trim().to_owned();
}

fn text_pair(errors: &mut Vec<FieldError>, field: &str, t: &LocalText, max: usize, required: bool) {
    for (lang, v) in [("zh", &t.zh), ("en", &t.en)] {
        let f = format!("{field}.{lang}");
        if required && v.trim().is_empty() {
            errors.push(FieldError::new(f, "不能为空", "must not be empty"));
        } else {
            push(errors, prose(&f, v, max));
        }
    }
}

/// The body of `POST /api/organise/villages/{slug}/households` and
/// `PUT /api/organise/households/{id}`: the whole household.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdInput {
    /// Real name in Chinese, with its pinyin in `en`.
    pub name: LocalText,
    pub story: LocalText,
    /// The year it joined the nested market.
    pub joined_year: i32,
    /// The village's products it makes.
    pub product_ids: Vec<i64>,
    /// Personal data: organisers only, never in a public answer.
    pub registered_poor: bool,
    /// Retired: hidden from the shop, kept for history.
    #[serde(default)]
    pub retired: bool,
}

impl HouseholdInput {
    /// Every broken rule; `this_year` is today's year in Asia/Shanghai.
    /// Products are checked against the village by the server.
    pub fn validate(&self, this_year: i32) -> Vec<FieldError> {
        let mut errors = Vec::new();
        push(&mut errors, validate::name("name.zh", &self.name.zh));
        push(&mut errors, validate::name("name.en", &self.name.en));
        text_pair(&mut errors, "story", &self.story, STORY_MAX_CHARS, false);
        if !(FIRST_YEAR..=this_year).contains(&self.joined_year) {
            errors.push(FieldError::new(
                "joined_year",
                format!("请填 {FIRST_YEAR} 到 {this_year} 之间的年份"),
                format!("must be a year from {FIRST_YEAR} to {this_year}"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, id) in self.product_ids.iter().enumerate() {
            if !seen.insert(id) {
                errors.push(FieldError::new(
                    format!("product_ids[{i}]"),
                    "重复了",
                    "is listed twice",
                ));
            }
        }
        errors
    }

    pub fn normalized(mut self) -> Self {
        trim(&mut self.name);
        trim(&mut self.story);
        self
    }
}

/// A household as its village's organisers see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiseHousehold {
    pub id: i64,
    pub village_slug: String,
    pub name: LocalText,
    pub story: LocalText,
    pub joined_year: i32,
    pub product_ids: Vec<i64>,
    pub registered_poor: bool,
    pub retired: bool,
    /// Added with `POST /api/organise/households/{id}/photos`, removed with
    /// `DELETE /api/organise/village-photos/{id}`.
    pub photos: Vec<PhotoRef>,
}

impl OrganiseHousehold {
    /// The input that would save it unchanged.
    pub fn input(&self) -> HouseholdInput {
        HouseholdInput {
            name: self.name.clone(),
            story: self.story.clone(),
            joined_year: self.joined_year,
            product_ids: self.product_ids.clone(),
            registered_poor: self.registered_poor,
            retired: self.retired,
        }
    }
}

/// The body of `PUT /api/organise/villages/{slug}`: the village page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageInput {
    pub tagline: LocalText,
    pub story: LocalText,
    pub region: LocalText,
    /// Applies to rounds that have not opened yet; open rounds keep theirs.
    pub organising_percent: u8,
}

impl VillageInput {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        text_pair(
            &mut errors,
            "tagline",
            &self.tagline,
            TAGLINE_MAX_CHARS,
            true,
        );
        text_pair(&mut errors, "story", &self.story, STORY_MAX_CHARS, true);
        push(&mut errors, validate::name("region.zh", &self.region.zh));
        push(&mut errors, validate::name("region.en", &self.region.en));
        push(
            &mut errors,
            validate::organising_percent("organising_percent", self.organising_percent),
        );
        errors
    }

    pub fn normalized(mut self) -> Self {
        trim(&mut self.tagline);
        trim(&mut self.story);
        trim(&mut self.region);
        self
    }
}

/// `GET /api/organise/villages/{slug}`: the village page as organisers edit it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiseVillagePage {
    pub slug: String,
    pub name: LocalText,
    pub tagline: LocalText,
    pub story: LocalText,
    pub region: LocalText,
    pub organising_percent: u8,
    /// The first is shown on the village page. Added with
    /// `POST /api/organise/villages/{slug}/photos`.
    pub photos: Vec<PhotoRef>,
}

impl OrganiseVillagePage {
    pub fn input(&self) -> VillageInput {
        VillageInput {
            tagline: self.tagline.clone(),
            story: self.story.clone(),
            region: self.region.clone(),
            organising_percent: self.organising_percent,
        }
    }
}

/// The body of `POST /api/organise/villages/{slug}/points` and
/// `PUT /api/organise/points/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointInput {
    pub name: LocalText,
    pub address: LocalText,
    /// "HH:MM", Asia/Shanghai.
    pub pickup_from: String,
    /// "HH:MM", Asia/Shanghai; after `pickup_from`.
    pub pickup_to: String,
    /// Closed: not offered for new rounds, joining or ordering; kept for history.
    #[serde(default)]
    pub closed: bool,
}

/// Minutes after midnight of "HH:MM", or `None`.
pub fn clock_minutes(value: &str) -> Option<u32> {
    let (h, m) = value.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl PointInput {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        push(&mut errors, validate::name("name.zh", &self.name.zh));
        push(&mut errors, validate::name("name.en", &self.name.en));
        text_pair(
            &mut errors,
            "address",
            &self.address,
            ADDRESS_MAX_CHARS,
            true,
        );
        let from = clock_minutes(&self.pickup_from);
        let to = clock_minutes(&self.pickup_to);
        for (f, v) in [("pickup_from", from), ("pickup_to", to)] {
            if v.is_none() {
                errors.push(FieldError::new(
                    f,
                    "请按 时:分 填写，例如 09:30",
                    "must be a time as HH:MM, e.g. 09:30",
                ));
            }
        }
        if let (Some(a), Some(b)) = (from, to) {
            if a >= b {
                errors.push(FieldError::new(
                    "pickup_to",
                    "结束时间要晚于开始时间",
                    "must be later than the start",
                ));
            }
        }
        errors
    }

    pub fn normalized(mut self) -> Self {
        trim(&mut self.name);
        trim(&mut self.address);
        self.pickup_from = self.pickup_from.trim().to_owned();
        self.pickup_to = self.pickup_to.trim().to_owned();
        self
    }
}

/// A distribution point as organisers see it, closed ones too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisePoint {
    pub id: i64,
    pub village_slug: String,
    pub name: LocalText,
    pub address: LocalText,
    pub pickup_from: String,
    pub pickup_to: String,
    pub closed: bool,
}

impl OrganisePoint {
    pub fn input(&self) -> PointInput {
        PointInput {
            name: self.name.clone(),
            address: self.address.clone(),
            pickup_from: self.pickup_from.clone(),
            pickup_to: self.pickup_to.clone(),
            closed: self.closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &[FieldError]) -> Vec<&str> {
        e.iter().map(|e| e.field.as_str()).collect()
    }

    fn household() -> HouseholdInput {
        HouseholdInput {
            name: LocalText::new("王大姐", "Wang Dajie"),
            story: LocalText::new("养鸡", "Keeps hens"),
            joined_year: 2012,
            product_ids: vec![1, 2],
            registered_poor: true,
            retired: false,
        }
    }

    #[test]
    fn household_rules() {
        assert!(household().validate(2026).is_empty());
        let mut h = household();
        h.name.zh = " ".into();
        h.joined_year = 2027;
        h.product_ids = vec![3, 3];
        assert_eq!(
            fields(&h.validate(2026)),
            ["name.zh", "joined_year", "product_ids[1]"]
        );
        h.joined_year = FIRST_YEAR - 1;
        assert!(fields(&h.validate(2026)).contains(&"joined_year"));
    }

    #[test]
    fn village_rules() {
        let v = VillageInput {
            tagline: LocalText::new("山里", "Hills"),
            story: LocalText::new("故事", "Story"),
            region: LocalText::new("河北", "Hebei"),
            organising_percent: 15,
        };
        assert!(v.validate().is_empty());
        let bad = VillageInput {
            tagline: LocalText::new("", "x"),
            organising_percent: 21,
            ..v.clone()
        };
        assert_eq!(
            fields(&bad.validate()),
            ["tagline.zh", "organising_percent"]
        );
        let low = VillageInput {
            organising_percent: 9,
            ..v
        };
        assert_eq!(fields(&low.validate()), ["organising_percent"]);
    }

    #[test]
    fn point_rules() {
        let p = PointInput {
            name: LocalText::new("望京", "Wangjing"),
            address: LocalText::new("望京西路", "Wangjing West Rd"),
            pickup_from: "09:00".into(),
            pickup_to: "11:30".into(),
            closed: false,
        };
        assert!(p.validate().is_empty());
        let backwards = PointInput {
            pickup_from: "12:00".into(),
            ..p.clone()
        };
        assert_eq!(fields(&backwards.validate()), ["pickup_to"]);
        let same = PointInput {
            pickup_to: "09:00".into(),
            ..p.clone()
        };
        assert_eq!(fields(&same.validate()), ["pickup_to"]);
        let garbled = PointInput {
            pickup_from: "9:00".into(),
            pickup_to: "24:00".into(),
            ..p
        };
        assert_eq!(fields(&garbled.validate()), ["pickup_from", "pickup_to"]);
    }

    #[test]
    fn clock() {
        assert_eq!(clock_minutes("00:00"), Some(0));
        assert_eq!(clock_minutes("23:59"), Some(23 * 60 + 59));
        for bad in ["24:00", "12:60", "1200", "ab:cd", "+1:00", ""] {
            assert_eq!(clock_minutes(bad), None, "{bad}");
        }
    }
}
