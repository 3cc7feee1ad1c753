//! What the registration asks about a member, one variant per question. Each variant has two
//! stable names written in one place: its step's name in the saved dialogue state (JSON) and
//! its code in the "change this field" button. What each question does lives in
//! `registration::member_questions`, one entry per variant.

use serde::{Deserialize, Serialize};

/// Declares [`MemberField`] with its saved name, its button code and [`MemberField::ALL`], so
/// that a variant cannot be given one and not the other.
macro_rules! member_fields {
    ($($(#[$doc:meta])* $variant:ident = $saved:literal, $code:literal;)*) => {
        /// A question about the member being entered, in the order they are asked.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum MemberField {
            $($(#[$doc])* #[serde(rename = $saved)] $variant,)*
        }

        impl MemberField {
            /// Every field, in the order of the questions.
            pub const ALL: &'static [MemberField] = &[$(MemberField::$variant),*];

            /// The field's code in a button's payload (kept short: 64 bytes in all).
            pub fn code(self) -> &'static str {
                match self {
                    $(MemberField::$variant => $code,)*
                }
            }
        }
    };
}

member_fields! {
    Name = "member_name", "name";
    Role = "member_role", "role";
    /// The role in the member's own words, when it is "Other".
    RoleOther = "member_role_other", "role_other";
    Phone = "member_phone", "phone";
    Consent = "member_consent", "consent";
    Workplace = "member_workplace", "work";
    /// Their Zalo number, when it is not their mobile number.
    Zalo = "member_zalo", "zalo";
}

impl MemberField {
    pub fn parse(code: &str) -> Option<MemberField> {
        MemberField::ALL.iter().copied().find(|f| f.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::state::Step;

    #[test]
    fn every_field_code_reads_back_as_its_field() {
        for field in MemberField::ALL {
            assert_eq!(MemberField::parse(field.code()), Some(*field));
        }
    }

    #[test]
    fn a_member_step_is_saved_under_the_name_it_had_before_the_table() {
        let saved = serde_json::to_string(&Step::Member(MemberField::Workplace)).unwrap();
        assert_eq!(saved, "\"member_workplace\"");
        let read: Step = serde_json::from_str("\"member_role_other\"").unwrap();
        assert_eq!(read, Step::Member(MemberField::RoleOther));
        let read: Step = serde_json::from_str("\"review\"").unwrap();
        assert_eq!(read, Step::Review);
    }
}
