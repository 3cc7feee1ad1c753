//! What the registration asks, one enum per group of questions (the leader, a member, the
//! founding decision), one variant per question. Each variant's step name in the saved
//! dialogue state (JSON) is written here, next to it, and never changes. What each question
//! does lives in `registration::{leader,member,decision}_questions`, one entry per variant.

use std::borrow::Cow;
use std::sync::LazyLock;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::FieldKey;

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

/// Declares a question enum about a person: its typed questions with their saved names,
/// then `Declared`, the person's optional fields of [`crate::domain::fields`] (saved as the
/// prefix and the field's key), then the typed questions asked after them. `all()` is the
/// order of the questions; `next`/`previous` walk the ones asked in sequence.
macro_rules! person_fields {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, $holds:ident,
     { $($(#[$doc:meta])* $variant:ident = $saved:literal,)* }
     then { $($(#[$doc2:meta])* $after:ident = $saved2:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)*
            /// An optional field declared in `domain::fields`.
            Declared(FieldKey),
            $($(#[$doc2])* $after,)*
        }

        impl $name {
            /// Every question, in the order they are asked.
            pub fn all() -> &'static [$name] {
                static ALL: LazyLock<Vec<$name>> = LazyLock::new(|| {
                    let mut all = vec![$($name::$variant),*];
                    all.extend(FieldKey::all()
                        .filter(|k| k.declaration().holder.$holds())
                        .map($name::Declared));
                    $(all.push($name::$after);)*
                    all
                });
                &ALL
            }

            /// The name its step is saved under.
            pub fn saved_name(self) -> Cow<'static, str> {
                match self {
                    $($name::$variant => Cow::Borrowed($saved),)*
                    $name::Declared(key) => Cow::Owned(format!("{}{}", $prefix, key.as_str())),
                    $($name::$after => Cow::Borrowed($saved2),)*
                }
            }

            /// Asked in the sequence of questions (a declared field may be only in the menu).
            fn in_sequence(self) -> bool {
                match self {
                    $name::Declared(key) => key.declaration().asked,
                    _ => true,
                }
            }

            /// The question after this one in `all()`, of those asked in sequence.
            pub fn next(self) -> Option<$name> {
                let all = $name::all();
                let at = all.iter().position(|q| *q == self)?;
                all[at + 1..].iter().copied().find(|q| q.in_sequence())
            }

            /// The question before this one in `all()`, of those asked in sequence.
            pub fn previous(self) -> Option<$name> {
                let all = $name::all();
                let at = all.iter().position(|q| *q == self)?;
                all[..at].iter().rev().copied().find(|q| q.in_sequence())
            }

            /// The last question asked in sequence.
            pub fn last() -> $name {
                let all = $name::all();
                all.iter().rev().copied().find(|q| q.in_sequence()).unwrap_or(all[0])
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.saved_name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let saved = String::deserialize(deserializer)?;
                $name::all()
                    .iter()
                    .copied()
                    .find(|q| q.saved_name() == saved)
                    .ok_or_else(|| D::Error::custom(format!("not a {} step: {saved}", $prefix)))
            }
        }
    };
}

person_fields! {
    /// A question about the team's leader.
    LeaderField, "leader_", of_leader, {
        Name = "leader_name",
        Phone = "leader_phone",
        /// Whether residents may see the leader's number.
        Consent = "leader_consent",
    } then {}
}

person_fields! {
    /// A question about the member being entered.
    MemberField, "member_", of_member, {
        Name = "member_name",
        Role = "member_role",
        /// The role in the member's own words, when it is "Other".
        RoleOther = "member_role_other",
        Phone = "member_phone",
        Consent = "member_consent",
    } then {
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
            MemberField::Declared(key) => key.declaration().code,
            MemberField::Zalo => "zalo",
        }
    }

    /// A declared field reads back whoever holds it: the leader's "change" menu offers the
    /// leader's fields under this type's buttons too.
    pub fn parse(code: &str) -> Option<MemberField> {
        let typed = MemberField::all()
            .iter()
            .copied()
            .find(|f| f.code() == code);
        typed.or_else(|| FieldKey::by_code(code).map(MemberField::Declared))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_code_reads_back_as_its_field() {
        for field in MemberField::all() {
            assert_eq!(MemberField::parse(field.code()), Some(*field));
        }
    }

    #[test]
    fn next_and_previous_walk_the_questions_in_order() {
        assert_eq!(LeaderField::Name.next(), Some(LeaderField::Phone));
        assert_eq!(DecisionField::Number.previous(), None);
        assert_eq!(DecisionField::File.previous(), Some(DecisionField::Date));
        let in_sequence: Vec<MemberField> = MemberField::all()
            .iter()
            .copied()
            .filter(|q| q.in_sequence())
            .collect();
        for pair in in_sequence.windows(2) {
            assert_eq!(pair[0].next(), Some(pair[1]));
            assert_eq!(pair[1].previous(), Some(pair[0]));
        }
    }
}
