//! The people of a village as organisers see them: members (with masked
//! phones), the invitation codes organisers make, suspensions, and the
//! organisers themselves (co-organiser codes, password changes).

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{
    text::LocalText,
    validate::{self, FieldError},
};

/// Organisers' passwords are longer than members': an organiser account
/// changes what every member of the village sees.
pub const ORGANISER_PASSWORD_MIN_CHARS: usize = 10;
pub const NOTE_MAX_CHARS: usize = 200;
pub const REASON_MAX_CHARS: usize = 200;
/// How long a co-organiser code can be used.
pub const ORGANISER_CODE_DAYS: i64 = 7;

/// The phone with every digit but the last 4 replaced by `*`, so an
/// organiser can tell members apart without holding their numbers.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// An organiser's new password: [`ORGANISER_PASSWORD_MIN_CHARS`] to
/// [`validate::PASSWORD_MAX_CHARS`] characters.
pub fn organiser_password(field: &str, value: &str) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n < ORGANISER_PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            field,
            format!("至少 {ORGANISER_PASSWORD_MIN_CHARS} 个字符"),
            format!("must be at least {ORGANISER_PASSWORD_MIN_CHARS} characters"),
        ));
    }
    validate::password(field, value)
}

fn short_text(field: &str, value: &str, max: usize, required: bool) -> Result<(), FieldError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(FieldError::new(field, "不能为空", "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("最多 {max} 个字"),
            format!("must be at most {max} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "不能含有控制字符",
            "must not contain control characters",
        ));
    }
    Ok(())
}

// ---- members ----

/// Active or suspended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Suspended,
}

/// One member of the village (`GET /api/organise/villages/{slug}/members`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageMember {
    pub id: i64,
    pub name: String,
    /// Only the last 4 digits show (see [`mask_phone`]).
    pub phone_masked: String,
    /// Asia/Shanghai.
    #[serde(with = "crate::wire::datetime")]
    pub joined_at: OffsetDateTime,
    /// The member whose code they joined with (the tree's parent).
    pub invited_by_member_id: Option<i64>,
    pub invited_by_member: Option<String>,
    /// The organiser whose code they joined with.
    pub invited_by_organiser: Option<LocalText>,
    pub status: MemberStatus,
    /// Empty unless suspended (and then maybe empty too).
    #[serde(default)]
    pub suspension_reason: String,
}

/// `GET /api/organise/villages/{slug}/members`, in the order they joined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageMembers {
    pub members: Vec<VillageMember>,
}

/// The members as a tree: each member's id with their depth, parents
/// before the members they invited, in the order given. A member whose
/// inviter is not in the list (another village, or an organiser's code)
/// is a root.
pub fn invitation_tree(members: &[VillageMember]) -> Vec<(i64, usize)> {
    fn walk(
        members: &[VillageMember],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(i64, usize)>,
    ) {
        for m in members.iter().filter(|m| m.invited_by_member_id == parent) {
            // A cycle cannot be made by joining, but never loop on one.
            if out.iter().any(|(id, _)| *id == m.id) {
                continue;
            }
            out.push((m.id, depth));
            walk(members, Some(m.id), depth + 1, out);
        }
    }
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let mut out = Vec::new();
    for m in members {
        let root = m.invited_by_member_id.is_none_or(|p| !ids.contains(&p));
        if root && !out.iter().any(|(id, _)| *id == m.id) {
            out.push((m.id, 0));
            walk(members, Some(m.id), 1, &mut out);
        }
    }
    out
}

/// `PUT /api/organise/members/{id}/suspension`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuspensionInput {
    #[serde(default)]
    pub reason: String,
}

impl SuspensionInput {
    pub fn validate(&self) -> Vec<FieldError> {
        short_text("reason", &self.reason, REASON_MAX_CHARS, false)
            .err()
            .into_iter()
            .collect()
    }
}

// ---- invitation codes ----

/// `POST /api/organise/villages/{slug}/invitations`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInput {
    /// Whom the code is for.
    pub note: String,
    /// `YYYY-MM-DD`: usable until the end of that day in Asia/Shanghai.
    #[serde(default)]
    pub expires_on: Option<String>,
}

impl InvitationInput {
    /// The expiry date, and every broken rule; `today` is Shanghai's.
    pub fn validate(&self, today: Date) -> Result<Option<Date>, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = short_text("note", &self.note, NOTE_MAX_CHARS, true)
            .err()
            .into_iter()
            .collect();
        let expires = match self
            .expires_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match crate::wire::parse_date(s) {
                Some(d) if d < today => {
                    errors.push(FieldError::new(
                        "expires_on",
                        "不能早于今天",
                        "must not be before today",
                    ));
                    None
                }
                Some(d) => Some(d),
                None => {
                    errors.push(FieldError::new(
                        "expires_on",
                        "日期格式应为 2026-12-31",
                        "must be a date like 2026-12-31",
                    ));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(expires)
        } else {
            Err(errors)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    Unused,
    Used,
    Expired,
    Revoked,
}

/// The status of a code at `today` (Shanghai): revoked and used win over
/// expired, since they say what happened to it.
pub fn code_status(used: bool, revoked: bool, expires_on: Option<Date>, today: Date) -> CodeStatus {
    if used {
        CodeStatus::Used
    } else if revoked {
        CodeStatus::Revoked
    } else if expires_on.is_some_and(|d| d < today) {
        CodeStatus::Expired
    } else {
        CodeStatus::Unused
    }
}

/// An invitation code an organiser made for the village.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageInvitation {
    pub code: String,
    pub note: String,
    /// `YYYY-MM-DD`, the last day it can be used.
    pub expires_on: Option<String>,
    #[serde(with = "crate::wire::datetime")]
    pub created_at: OffsetDateTime,
    pub created_by: LocalText,
    pub status: CodeStatus,
    /// The member who joined with it.
    pub used_by: Option<String>,
}

/// `GET /api/organise/villages/{slug}/invitations`, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageInvitations {
    pub invitations: Vec<VillageInvitation>,
}

// ---- organisers ----

/// `GET /api/organise/villages/{slug}/organisers`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageOrganiser {
    pub id: i64,
    pub login: String,
    pub name: LocalText,
    #[serde(with = "crate::wire::datetime")]
    pub since: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageOrganisers {
    pub organisers: Vec<VillageOrganiser>,
}

/// `POST /api/organise/villages/{slug}/organiser-invitations` → 201.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiserCode {
    pub code: String,
    #[serde(with = "crate::wire::datetime")]
    pub expires_at: OffsetDateTime,
}

/// `POST /api/organise/join`: a co-organiser uses their code. For an
/// existing login the names are ignored and the password must be theirs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganiserJoin {
    pub code: String,
    pub login: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub password: String,
}

impl OrganiserJoin {
    /// The normalized code and login, or every broken rule. `new_account`:
    /// the names and the password rule apply.
    pub fn validate(&self, new_account: bool) -> Result<(String, String), Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = validate::invitation_code("code", &self.code)
            .map_err(|e| errors.push(e))
            .ok();
        let login = super::login_name("login", &self.login)
            .map_err(|e| errors.push(e))
            .ok();
        if new_account {
            for (field, v) in [("name_zh", &self.name_zh), ("name_en", &self.name_en)] {
                if let Err(e) = validate::name(field, v) {
                    errors.push(e);
                }
            }
            if let Err(e) = organiser_password("password", &self.password) {
                errors.push(e);
            }
        }
        match (code, login) {
            (Some(c), Some(l)) if errors.is_empty() => Ok((c, l)),
            _ => Err(errors),
        }
    }
}

/// `PUT /api/organise/session/password`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

impl PasswordChange {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.current_password.is_empty() {
            errors.push(FieldError::new(
                "current_password",
                "请输入现在的密码",
                "enter your current password",
            ));
        }
        if let Err(e) = organiser_password("new_password", &self.new_password) {
            errors.push(e);
        } else if self.new_password == self.current_password {
            errors.push(FieldError::new(
                "new_password",
                "新密码不能和现在的一样",
                "must differ from the current password",
            ));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn phones_show_only_the_last_four_digits() {
        assert_eq!(mask_phone("13800001234"), "*******1234");
        assert_eq!(mask_phone("123"), "123");
    }

    #[test]
    fn organiser_passwords_are_long_enough() {
        assert!(organiser_password("p", "short-pw").is_err());
        assert!(organiser_password("p", "long enough!").is_ok());
        let c = PasswordChange {
            current_password: "long enough!".into(),
            new_password: "long enough!".into(),
        };
        assert_eq!(c.validate()[0].field, "new_password");
        let c = PasswordChange::default();
        let fields: Vec<_> = c.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["current_password", "new_password"]);
    }

    #[test]
    fn invitation_input_checks_note_and_expiry() {
        let today = date!(2026 - 12 - 02);
        let ok = InvitationInput {
            note: "张家".into(),
            expires_on: Some("2026-12-02".into()),
        };
        assert_eq!(ok.validate(today), Ok(Some(today)));
        let bad = InvitationInput {
            note: " ".into(),
            expires_on: Some("2026-12-01".into()),
        };
        let fields: Vec<_> = bad
            .validate(today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["note", "expires_on"]);
        let bad = InvitationInput {
            note: "x".into(),
            expires_on: Some("12/31".into()),
        };
        assert_eq!(bad.validate(today).unwrap_err()[0].field, "expires_on");
    }

    #[test]
    fn code_status_says_what_happened() {
        let today = date!(2026 - 12 - 02);
        let past = Some(date!(2026 - 12 - 01));
        assert_eq!(code_status(true, false, past, today), CodeStatus::Used);
        assert_eq!(code_status(false, true, past, today), CodeStatus::Revoked);
        assert_eq!(code_status(false, false, past, today), CodeStatus::Expired);
        assert_eq!(
            code_status(false, false, Some(today), today),
            CodeStatus::Unused
        );
        assert_eq!(code_status(false, false, None, today), CodeStatus::Unused);
    }

    fn member(id: i64, parent: Option<i64>) -> VillageMember {
        VillageMember {
            id,
            name: format!("m{id}"),
            phone_masked: String::new(),
            joined_at: OffsetDateTime::UNIX_EPOCH,
            invited_by_member_id: parent,
            invited_by_member: None,
            invited_by_organiser: None,
            status: MemberStatus::Active,
            suspension_reason: String::new(),
        }
    }

    #[test]
    fn the_tree_nests_members_under_who_invited_them() {
        let ms = [
            member(1, None),
            member(2, Some(1)),
            member(3, None),
            member(4, Some(2)),
            member(5, Some(99)),
        ];
        assert_eq!(
            invitation_tree(&ms),
            [(1, 0), (2, 1), (4, 2), (3, 0), (5, 0)]
        );
    }

    #[test]
    fn joining_as_a_new_organiser_needs_names_and_a_password() {
        let j = OrganiserJoin {
            code: "abcdefgh".into(),
            login: "New-One".into(),
            ..Default::default()
        };
        assert_eq!(j.validate(false), Ok(("ABCDEFGH".into(), "new-one".into())));
        let fields: Vec<_> = j
            .validate(true)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name_zh", "name_en", "password"]);
    }
}
