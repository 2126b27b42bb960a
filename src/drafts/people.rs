//! The people forms: an invitation code for a family, a suspension's
//! reason, one's new password, and a co-organiser's joining.

use domain::organise::people::{
    organiser_password, InvitationInput, OrganiserJoin, PasswordChange, SuspensionInput,
};
use domain::FieldError;

/// An invitation code as typed: whom it is for, and a last day (or blank).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvitationDraft {
    pub note: String,
    /// `YYYY-MM-DD` from a date input, or empty.
    pub expires_on: String,
}

impl InvitationDraft {
    /// `today` is Shanghai's, as the server checks.
    pub fn to_input(&self, today: time::Date) -> Result<InvitationInput, Vec<FieldError>> {
        let input = InvitationInput {
            note: self.note.trim().to_string(),
            expires_on: Some(self.expires_on.trim().to_string()).filter(|s| !s.is_empty()),
        };
        input.validate(today)?;
        Ok(input)
    }
}

pub fn suspension_input(reason: &str) -> Result<SuspensionInput, Vec<FieldError>> {
    let input = SuspensionInput {
        reason: reason.trim().to_string(),
    };
    let errors = input.validate();
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// The password form: the new one typed twice, so a typo does not lock
/// the organiser out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PasswordDraft {
    pub current: String,
    pub new: String,
    pub repeat: String,
}

impl PasswordDraft {
    pub fn to_input(&self) -> Result<PasswordChange, Vec<FieldError>> {
        let input = PasswordChange {
            current_password: self.current.clone(),
            new_password: self.new.clone(),
        };
        let mut errors = input.validate();
        if self.repeat != self.new && !errors.iter().any(|e| e.field == "new_password") {
            errors.push(FieldError::new(
                "repeat",
                "两次输入的新密码不一样",
                "the two new passwords differ",
            ));
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

/// A co-organiser's joining form. With `existing` ticked, they already
/// have a login (another village's) and type its password; no names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JoinDraft {
    pub code: String,
    pub login: String,
    pub name_zh: String,
    pub name_en: String,
    pub password: String,
    pub existing: bool,
}

impl JoinDraft {
    pub fn to_input(&self) -> Result<OrganiserJoin, Vec<FieldError>> {
        let input = OrganiserJoin {
            code: self.code.trim().to_string(),
            login: self.login.trim().to_string(),
            name_zh: self.name_zh.trim().to_string(),
            name_en: self.name_en.trim().to_string(),
            password: self.password.clone(),
        };
        match input.validate(!self.existing) {
            Ok(_) if self.existing && self.password.is_empty() => Err(vec![FieldError::new(
                "password",
                "请输入这个登录名的密码",
                "enter the password of this login",
            )]),
            Ok(_) => Ok(input),
            Err(e) => Err(e),
        }
    }
}

/// Whether a password would be accepted, for the hint under the field.
pub fn password_ok(p: &str) -> bool {
    organiser_password("p", p).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_invitation_needs_a_note_and_a_day_not_past() {
        let today = date!(2026 - 12 - 02);
        let d = InvitationDraft {
            note: " 王家 ".into(),
            expires_on: String::new(),
        };
        let input = d.to_input(today).unwrap();
        assert_eq!((input.note.as_str(), input.expires_on), ("王家", None));
        let d = InvitationDraft {
            note: String::new(),
            expires_on: "2026-12-01".into(),
        };
        assert_eq!(
            fields(d.to_input(today).unwrap_err()),
            ["note", "expires_on"]
        );
    }

    #[test]
    fn the_new_password_is_typed_twice() {
        let mut d = PasswordDraft {
            current: "ABCD-EFGH-JKLM-NPQR".into(),
            new: "my own long password".into(),
            repeat: "my own long pasword".into(),
        };
        assert_eq!(fields(d.to_input().unwrap_err()), ["repeat"]);
        d.repeat = d.new.clone();
        assert_eq!(d.to_input().unwrap().new_password, "my own long password");
        d.new = "short".into();
        assert_eq!(fields(d.to_input().unwrap_err()), ["new_password"]);
        assert!(!password_ok("short") && password_ok("long enough!"));
    }

    #[test]
    fn joining_needs_names_only_for_a_new_login() {
        let mut d = JoinDraft {
            code: "abcd2345".into(),
            login: "liu-4".into(),
            ..Default::default()
        };
        assert_eq!(
            fields(d.to_input().unwrap_err()),
            ["name_zh", "name_en", "password"]
        );
        d.existing = true;
        assert_eq!(fields(d.to_input().unwrap_err()), ["password"]);
        d.password = "theirs".into();
        assert_eq!(d.to_input().unwrap().code, "abcd2345");
    }

    #[test]
    fn a_long_reason_is_refused() {
        assert_eq!(suspension_input("  不取货 ").unwrap().reason, "不取货");
        assert!(suspension_input(&"x".repeat(201)).is_err());
    }
}
