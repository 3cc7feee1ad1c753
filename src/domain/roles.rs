//! The roles a team member can hold.

use serde::{Deserialize, Serialize};

/// A village team member's role, as the seed letter lists them; `Other` carries free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    YouthUnionSecretary,
    FarmersAssociationHead,
    WomensUnionHead,
    VeteransAssociationHead,
    PrimaryTeacher,
    LowerSecondaryTeacher,
    UpperSecondaryTeacher,
    Other,
}

impl MemberRole {
    pub const ALL: [MemberRole; 8] = [
        MemberRole::YouthUnionSecretary,
        MemberRole::FarmersAssociationHead,
        MemberRole::WomensUnionHead,
        MemberRole::VeteransAssociationHead,
        MemberRole::PrimaryTeacher,
        MemberRole::LowerSecondaryTeacher,
        MemberRole::UpperSecondaryTeacher,
        MemberRole::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MemberRole::YouthUnionSecretary => "youth_union_secretary",
            MemberRole::FarmersAssociationHead => "farmers_association_head",
            MemberRole::WomensUnionHead => "womens_union_head",
            MemberRole::VeteransAssociationHead => "veterans_association_head",
            MemberRole::PrimaryTeacher => "primary_teacher",
            MemberRole::LowerSecondaryTeacher => "lower_secondary_teacher",
            MemberRole::UpperSecondaryTeacher => "upper_secondary_teacher",
            MemberRole::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<MemberRole> {
        MemberRole::ALL.into_iter().find(|role| role.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_code_parses_back_to_its_role() {
        for role in MemberRole::ALL {
            assert_eq!(MemberRole::parse(role.code()), Some(role));
        }
        assert_eq!(MemberRole::parse("mayor"), None);
    }
}

/// What an account may do; bound to a unit by an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountRole {
    VillageHead,
}

impl AccountRole {
    pub const ALL: [AccountRole; 1] = [AccountRole::VillageHead];

    pub fn code(self) -> &'static str {
        match self {
            AccountRole::VillageHead => "village-head",
        }
    }

    pub fn parse(code: &str) -> Option<AccountRole> {
        AccountRole::ALL
            .into_iter()
            .find(|role| role.code() == code)
    }
}
