//! Validation rules for what people type: names, prices, months. Each
//! failure names the field so the API and the app can point at it.

use serde::{Deserialize, Serialize};

/// What is wrong with one field, in both languages: the server's answer
/// carries both, so the phone shows the shopper's language and can switch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    /// English: what API clients, logs and tests read.
    pub message: String,
    /// Chinese. Empty in what an older server sent (kept on phones); the
    /// app then shows `message`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message_zh: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: en.into(),
            message_zh: zh.into(),
        }
    }

    /// The message in both languages, for `LocalText::get`.
    pub fn text(&self) -> crate::LocalText {
        crate::LocalText::new(self.message_zh.clone(), self.message.clone())
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

pub const NAME_MAX_CHARS: usize = 80;
/// ¥100,000 per unit is far above anything a village sells; larger is a typo.
pub const PRICE_MAX_FEN: i64 = 10_000_000;

/// A display name: not blank, no control characters, at most 80 characters.
pub fn name(field: &str, value: &str) -> Result<(), FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "不能为空", "must not be empty"));
    }
    if trimmed.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("最多 {NAME_MAX_CHARS} 个字"),
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "不能含有控制字符",
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// A price in fen: positive and below [`PRICE_MAX_FEN`].
pub fn price_fen(field: &str, value: i64) -> Result<(), FieldError> {
    if value <= 0 {
        return Err(FieldError::new(
            field,
            "必须是大于 0 的金额",
            "must be a positive number of fen",
        ));
    }
    if value > PRICE_MAX_FEN {
        return Err(FieldError::new(
            field,
            format!("最多 {}", crate::money::format_yuan(PRICE_MAX_FEN)),
            format!("must be at most {PRICE_MAX_FEN} fen"),
        ));
    }
    Ok(())
}

/// A list of months: each 1–12, no repeats, not empty (use all-year instead).
pub fn months(field: &str, value: &[u8]) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            "至少选一个月份，或选全年供应",
            "must name at least one month, or be all-year",
        ));
    }
    let mut seen = 0u16;
    for &m in value {
        if !(1..=12).contains(&m) {
            return Err(FieldError::new(
                field,
                format!("月份 {m} 不在 1 到 12 之间"),
                format!("month {m} is not between 1 and 12"),
            ));
        }
        if seen & (1 << m) != 0 {
            return Err(FieldError::new(
                field,
                format!("{m} 月重复了"),
                format!("month {m} is listed twice"),
            ));
        }
        seen |= 1 << m;
    }
    Ok(())
}

/// The production team's share: a whole percent from 10 to 20.
pub fn organising_percent(field: &str, value: u8) -> Result<(), FieldError> {
    if !(10..=20).contains(&value) {
        return Err(FieldError::new(
            field,
            "必须是 10 到 20 之间的整数百分比",
            "must be a whole percent from 10 to 20",
        ));
    }
    Ok(())
}

/// A mainland China mobile number: 11 digits starting 13–19. Spaces and
/// dashes people type are allowed and ignored.
pub fn phone(field: &str, value: &str) -> Result<String, FieldError> {
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.len() == 11
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.starts_with('1')
        && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
    if ok {
        Ok(digits)
    } else {
        Err(FieldError::new(
            field,
            "请填写 13–19 开头的 11 位手机号",
            "must be an 11-digit mobile number starting with 13–19",
        ))
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A password: 8–128 characters.
pub fn password(field: &str, value: &str) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            field,
            format!("至少 {PASSWORD_MIN_CHARS} 个字符"),
            format!("must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("最多 {PASSWORD_MAX_CHARS} 个字符"),
            format!("must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A quantity in an order: 1 to [`crate::order::MAX_QUANTITY`].
pub fn quantity(field: &str, value: i64) -> Result<(), FieldError> {
    if value < 1 {
        return Err(FieldError::new(field, "至少为 1", "must be at least 1"));
    }
    if value > crate::order::MAX_QUANTITY {
        return Err(FieldError::new(
            field,
            format!("最多 {}", crate::order::MAX_QUANTITY),
            format!("must be at most {}", crate::order::MAX_QUANTITY),
        ));
    }
    Ok(())
}

/// An invitation code: 6–16 letters and digits, case-insensitive; returned
/// upper-cased.
pub fn invitation_code(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    if (6..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err(FieldError::new(
            field,
            "请填写邀请上的 6–16 位字母和数字",
            "must be the 6–16 letters and digits of your invitation",
        ))
    }
}

/// A URL slug: 1–40 lowercase ASCII letters, digits and dashes.
pub fn slug(field: &str, value: &str) -> Result<(), FieldError> {
    let ok = !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "必须是 1–40 个小写字母、数字或短横线",
            "must be 1–40 lowercase letters, digits or dashes",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_message_comes_in_both_languages() {
        let failures = [
            name("name", " ").unwrap_err(),
            name("name", &"长".repeat(81)).unwrap_err(),
            price_fen("price_fen", 0).unwrap_err(),
            price_fen("price_fen", PRICE_MAX_FEN + 1).unwrap_err(),
            months("months", &[]).unwrap_err(),
            months("months", &[13]).unwrap_err(),
            months("months", &[3, 3]).unwrap_err(),
            organising_percent("p", 9).unwrap_err(),
            phone("phone", "12345").unwrap_err(),
            password("password", "short").unwrap_err(),
            quantity("quantity", 0).unwrap_err(),
            quantity("quantity", 100).unwrap_err(),
            invitation_code("invitation_code", "ab").unwrap_err(),
            slug("slug", "Liu Village").unwrap_err(),
            crate::money::parse_yuan("price", "abc").unwrap_err(),
        ];
        for e in failures {
            assert!(has_chinese(&e.message_zh), "{e}: {}", e.message_zh);
            assert!(e.message.is_ascii() || e.message.contains('–'), "{e}");
            assert_eq!(e.text().get(crate::Lang::Zh), e.message_zh);
            assert_eq!(e.text().get(crate::Lang::En), e.message);
        }
    }

    #[test]
    fn a_message_without_chinese_reads_back_in_english() {
        // What an older server sent and phones may have kept.
        let e: FieldError =
            serde_json::from_str(r#"{"field":"phone","message":"is taken"}"#).unwrap();
        assert_eq!(e.text().get(crate::Lang::Zh), "is taken");
        let json = serde_json::to_string(&FieldError::new("phone", "已注册", "is taken")).unwrap();
        assert!(json.contains(r#""message_zh":"已注册""#), "{json}");
    }

    #[test]
    fn names() {
        assert!(name("name", "刘桂兰").is_ok());
        assert!(name("name", "  Liu Guilan ").is_ok());
        assert_eq!(name("name_en", "   ").unwrap_err().field, "name_en");
        assert!(name("name", &"长".repeat(81)).is_err());
        assert!(name("name", &"长".repeat(80)).is_ok());
        assert!(name("name", "a\u{0}b").is_err());
    }

    #[test]
    fn prices() {
        assert!(price_fen("price_fen", 1).is_ok());
        assert!(price_fen("price_fen", PRICE_MAX_FEN).is_ok());
        assert!(price_fen("price_fen", 0).is_err());
        assert!(price_fen("price_fen", -1).is_err());
        assert!(price_fen("price_fen", PRICE_MAX_FEN + 1).is_err());
    }

    #[test]
    fn month_lists() {
        assert!(months("months", &[1, 12]).is_ok());
        assert!(months("months", &[]).is_err());
        assert!(months("months", &[0]).is_err());
        assert!(months("months", &[13]).is_err());
        assert!(months("months", &[3, 3])
            .unwrap_err()
            .message
            .contains("twice"));
    }

    #[test]
    fn phones_passwords_codes_quantities() {
        assert_eq!(phone("phone", "138 0013 8000").unwrap(), "13800138000");
        assert_eq!(phone("phone", "139-1234-5678").unwrap(), "13912345678");
        assert!(phone("phone", "12800138000").is_err());
        assert!(phone("phone", "1380013800").is_err());
        assert!(phone("phone", "138001380001").is_err());
        assert!(phone("phone", "1380013800a").is_err());
        assert!(phone("phone", "").is_err());
        assert!(password("password", "short").is_err());
        assert!(password("password", "long enough").is_ok());
        assert!(password("password", &"x".repeat(129)).is_err());
        assert_eq!(invitation_code("code", " liu2026a ").unwrap(), "LIU2026A");
        assert!(invitation_code("code", "ab").is_err());
        assert!(invitation_code("code", "abc-def").is_err());
        assert!(quantity("q", 0).is_err());
        assert!(quantity("q", 1).is_ok());
        assert!(quantity("q", 99).is_ok());
        assert!(quantity("q", 100).is_err());
    }

    #[test]
    fn shares_and_slugs() {
        assert!(organising_percent("p", 10).is_ok());
        assert!(organising_percent("p", 20).is_ok());
        assert!(organising_percent("p", 21).is_err());
        assert!(slug("slug", "liu-village").is_ok());
        assert!(slug("slug", "Liu").is_err());
        assert!(slug("slug", "").is_err());
        assert!(slug("slug", "a/b").is_err());
    }
}
