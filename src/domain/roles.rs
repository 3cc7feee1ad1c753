//! The roles a team member can hold.

use serde::{Deserialize, Serialize};

use super::units::UnitLevel;

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
    /// Commune level: a commune civil servant; the field goes in the member's role detail.
    CommuneCivilServant,
    RadioStationHead,
    FatherlandFrontChair,
    CommuneYouthUnionSecretary,
    CommuneWomensUnionChair,
    CommuneFarmersAssociationChair,
    CommuneVeteransAssociationChair,
    /// Required in some provinces (Đà Nẵng, 2025).
    AreaPolice,
    Other,
}

impl MemberRole {
    pub const ALL: [MemberRole; 16] = [
        MemberRole::YouthUnionSecretary,
        MemberRole::FarmersAssociationHead,
        MemberRole::WomensUnionHead,
        MemberRole::VeteransAssociationHead,
        MemberRole::PrimaryTeacher,
        MemberRole::LowerSecondaryTeacher,
        MemberRole::UpperSecondaryTeacher,
        MemberRole::CommuneCivilServant,
        MemberRole::RadioStationHead,
        MemberRole::FatherlandFrontChair,
        MemberRole::CommuneYouthUnionSecretary,
        MemberRole::CommuneWomensUnionChair,
        MemberRole::CommuneFarmersAssociationChair,
        MemberRole::CommuneVeteransAssociationChair,
        MemberRole::AreaPolice,
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
            MemberRole::CommuneCivilServant => "commune_civil_servant",
            MemberRole::RadioStationHead => "radio_station_head",
            MemberRole::FatherlandFrontChair => "fatherland_front_chair",
            MemberRole::CommuneYouthUnionSecretary => "commune_youth_union_secretary",
            MemberRole::CommuneWomensUnionChair => "commune_womens_union_chair",
            MemberRole::CommuneFarmersAssociationChair => "commune_farmers_association_chair",
            MemberRole::CommuneVeteransAssociationChair => "commune_veterans_association_chair",
            MemberRole::AreaPolice => "area_police",
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

/// What an account may do; bound to a unit by an invitation. Residents have no account,
/// and the admin works from the command line only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountRole {
    VillageHead,
    CommuneOfficial,
    DistrictOfficial,
    /// Over a province whose communes sit directly under it (the two-level structure since
    /// 1 July 2025): what a district official did for its communes, for the province's.
    ProvinceOfficial,
}

impl AccountRole {
    pub const ALL: [AccountRole; 4] = [
        AccountRole::VillageHead,
        AccountRole::CommuneOfficial,
        AccountRole::DistrictOfficial,
        AccountRole::ProvinceOfficial,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AccountRole::VillageHead => "village-head",
            AccountRole::CommuneOfficial => "commune-official",
            AccountRole::DistrictOfficial => "district-official",
            AccountRole::ProvinceOfficial => "province-official",
        }
    }

    pub fn parse(code: &str) -> Option<AccountRole> {
        AccountRole::ALL
            .into_iter()
            .find(|role| role.code() == code)
    }

    /// The level of the unit an account of this role is bound to.
    pub fn unit_level(self) -> UnitLevel {
        match self {
            AccountRole::VillageHead => UnitLevel::Village,
            AccountRole::CommuneOfficial => UnitLevel::Commune,
            AccountRole::DistrictOfficial => UnitLevel::District,
            AccountRole::ProvinceOfficial => UnitLevel::Province,
        }
    }

    /// An official of the level above communes, whichever it is (a district until 30 June
    /// 2025, a province since): invites commune officials, sets the area's deadline, gets
    /// the digest of its communes.
    pub fn above_communes(self) -> bool {
        matches!(
            self,
            AccountRole::DistrictOfficial | AccountRole::ProvinceOfficial
        )
    }

    /// Any official (not a village head): sees the units below, pulls reports.
    pub fn is_official(self) -> bool {
        self != AccountRole::VillageHead
    }

    /// The role this official invites and revokes on the units below: village heads for a
    /// commune official, commune officials for the officials above communes.
    pub fn invites(self) -> AccountRole {
        if self.above_communes() {
            AccountRole::CommuneOfficial
        } else {
            AccountRole::VillageHead
        }
    }
}
