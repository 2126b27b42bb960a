//! Bilingual text as the API sends it: Chinese first, English too.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalText {
    pub zh: String,
    pub en: String,
}

impl LocalText {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`, falling back to the other language when that one
    /// is missing, so the page never shows a blank.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::Zh => (&self.zh, &self.en),
            Lang::En => (&self.en, &self.zh),
        };
        if first.trim().is_empty() {
            second
        } else {
            first
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_language_and_falls_back() {
        let t = LocalText::new("鸡蛋", "Eggs");
        assert_eq!(t.get(Lang::Zh), "鸡蛋");
        assert_eq!(t.get(Lang::En), "Eggs");
        let only_zh = LocalText::new("柿饼", "");
        assert_eq!(only_zh.get(Lang::En), "柿饼");
        let only_en = LocalText::new("  ", "Honey");
        assert_eq!(only_en.get(Lang::Zh), "Honey");
    }

    #[test]
    fn lang_serializes_lowercase() {
        assert_eq!(serde_json::to_string(&Lang::Zh).unwrap(), "\"zh\"");
        assert_eq!(serde_json::from_str::<Lang>("\"en\"").unwrap(), Lang::En);
    }
}
