//! What the registration asks, one enum per group of questions (the leader, a member, the
//! founding decision), one variant per question. Each variant's step name in the saved
//! dialogue state (JSON) is written here, next to it, and never changes. What each question
//! does lives in `registration::{leader,member,decision}_questions`, one entry per variant.

use serde::{Deserialize, Serialize};

/// Declares a question enum with each variant's saved name, `ALL` (the order of the
/// questions) and `next`/`previous` in that order, so a variant cannot go without its name.
macro_rules! question_fields {
    ($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $variant:ident = $saved:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$doc])* #[serde(rename = $saved)] $variant,)*
        }

        impl $name {
            /// Every question, in the order they are asked.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The question after this one in `ALL`.
            pub fn next(self) -> Option<$name> {
                let at = $name::ALL.iter().position(|q| *q == self)?;
                $name::ALL.get(at + 1).copied()
            }

            /// The question before this one in `ALL`.
            pub fn previous(self) -> Option<$name> {
                let at = $name::ALL.iter().position(|q| *q == self)?;
                at.checked_sub(1).map(|at| $name::ALL[at])
            }
        }
    };
}

question_fields! {
    /// A question about the team's leader.
    LeaderField {
        Name = "leader_name",
        Phone = "leader_phone",
        /// Whether residents may see the leader's number.
        Consent = "leader_consent",
    }
}

question_fields! {
    /// A question about the member being entered.
    MemberField {
        Name = "member_name",
        Role = "member_role",
        /// The role in the member's own words, when it is "Other".
        RoleOther = "member_role_other",
        Phone = "member_phone",
        Consent = "member_consent",
        Workplace = "member_workplace",
        /// Their Zalo number, when it is not their mobile number.
        Zalo = "member_zalo",
    }
}

question_fields! {
    /// A question about the team's founding decision, once the head said there is one.
    DecisionField {
        Number = "decision_number",
        Date = "decision_date",
        /// Its scan or photo.
        File = "decision_file",
    }
}

impl MemberField {
    /// The field's code in a "change this field" button's payload (kept short: 64 bytes in
    /// all). Never changed: buttons already sent carry it.
    pub fn code(self) -> &'static str {
        match self {
            MemberField::Name => "name",
            MemberField::Role => "role",
            MemberField::RoleOther => "role_other",
            MemberField::Phone => "phone",
            MemberField::Consent => "consent",
            MemberField::Workplace => "work",
            MemberField::Zalo => "zalo",
        }
    }

    pub fn parse(code: &str) -> Option<MemberField> {
        MemberField::ALL.iter().copied().find(|f| f.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_code_reads_back_as_its_field() {
        for field in MemberField::ALL {
            assert_eq!(MemberField::parse(field.code()), Some(*field));
        }
    }

    #[test]
    fn next_and_previous_walk_the_questions_in_order() {
        assert_eq!(LeaderField::Name.next(), Some(LeaderField::Phone));
        assert_eq!(LeaderField::Consent.next(), None);
        assert_eq!(DecisionField::Number.previous(), None);
        assert_eq!(DecisionField::File.previous(), Some(DecisionField::Date));
        for pair in MemberField::ALL.windows(2) {
            assert_eq!(pair[0].next(), Some(pair[1]));
            assert_eq!(pair[1].previous(), Some(pair[0]));
        }
    }
}
