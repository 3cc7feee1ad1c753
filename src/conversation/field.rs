//! The fields of a person that the head can change alone from the review. Kept in the
//! registration's state (JSON), so the variants only grow.

use serde::{Deserialize, Serialize};

use super::state::Step;

/// A field of a person that can be changed alone, from the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Role,
    Phone,
    Consent,
    Workplace,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Name,
        Field::Role,
        Field::Phone,
        Field::Consent,
        Field::Workplace,
    ];
    /// The fields a team's leader has.
    pub const LEADER: [Field; 3] = [Field::Name, Field::Phone, Field::Consent];

    pub fn code(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Role => "role",
            Field::Phone => "phone",
            Field::Consent => "consent",
            Field::Workplace => "work",
        }
    }

    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The question that changes this field.
    pub fn step(self, leader: bool) -> Step {
        match (self, leader) {
            (Field::Name, true) => Step::LeaderName,
            (Field::Phone, true) => Step::LeaderPhone,
            (_, true) => Step::LeaderConsent,
            (Field::Name, false) => Step::MemberName,
            (Field::Role, false) => Step::MemberRole,
            (Field::Phone, false) => Step::MemberPhone,
            (Field::Consent, false) => Step::MemberConsent,
            (Field::Workplace, false) => Step::MemberWorkplace,
        }
    }
}
