//! Words shared by the conversation, the alerts, the reports and the engine: the names of
//! members' roles, what a broken composition rule means, a team's status. One place, so that
//! alerts and reports need nothing of the conversation.

use crate::domain::status::UnitStatus;
use crate::domain::MemberRole;
use crate::i18n::{Html, Lang, Texts, K};

/// The text naming a member's role.
pub fn role_key(role: MemberRole) -> K {
    match role {
        MemberRole::YouthUnionSecretary => K::RoleYouthUnionSecretary,
        MemberRole::FarmersAssociationHead => K::RoleFarmersAssociationHead,
        MemberRole::WomensUnionHead => K::RoleWomensUnionHead,
        MemberRole::VeteransAssociationHead => K::RoleVeteransAssociationHead,
        MemberRole::PrimaryTeacher => K::RolePrimaryTeacher,
        MemberRole::LowerSecondaryTeacher => K::RoleLowerSecondaryTeacher,
        MemberRole::UpperSecondaryTeacher => K::RoleUpperSecondaryTeacher,
        MemberRole::CommuneCivilServant => K::RoleCommuneCivilServant,
        MemberRole::RadioStationHead => K::RoleRadioStationHead,
        MemberRole::FatherlandFrontChair => K::RoleFatherlandFrontChair,
        MemberRole::CommuneYouthUnionSecretary => K::RoleCommuneYouthUnionSecretary,
        MemberRole::CommuneWomensUnionChair => K::RoleCommuneWomensUnionChair,
        MemberRole::CommuneFarmersAssociationChair => K::RoleCommuneFarmersAssociationChair,
        MemberRole::CommuneVeteransAssociationChair => K::RoleCommuneVeteransAssociationChair,
        MemberRole::AreaPolice => K::RoleAreaPolice,
        MemberRole::Other => K::RoleOther,
    }
}

/// What a broken composition rule means, in `lang`.
pub fn breach_text(texts: &Texts, lang: Lang, breach: &crate::domain::RuleBreach) -> Html {
    use crate::domain::RuleBreach;
    let number = |n: &usize| Html::text(&n.to_string());
    let role =
        |r: &MemberRole| Html::text(&crate::i18n::to_plain(texts.template(lang, role_key(*r))));
    let fill = |key, args: &[(&str, Html)]| texts.fill(lang, key, args);
    match breach {
        RuleBreach::NoLeader => fill(K::BreachNoLeader, &[]),
        RuleBreach::TooFewMembers { min, have } => fill(
            K::BreachTooFew,
            &[("min", number(min)), ("count", number(have))],
        ),
        RuleBreach::TooManyMembers { max, have } => fill(
            K::BreachTooMany,
            &[("max", number(max)), ("count", number(have))],
        ),
        RuleBreach::RoleNotAllowed(r) => fill(K::BreachRoleNotAllowed, &[("role", role(r))]),
        RuleBreach::MissingRole(r) => fill(K::BreachMissingRole, &[("role", role(r))]),
        RuleBreach::DuplicateRole(r) => fill(K::BreachDuplicateRole, &[("role", role(r))]),
    }
}

pub fn status_label(ctx_texts: &Texts, lang: Lang, status: Option<&UnitStatus>) -> String {
    let key = match status {
        None | Some(UnitStatus::NoTeam) => K::StatusNoTeam,
        Some(UnitStatus::Draft) => K::StatusDraft,
        Some(UnitStatus::Incomplete(_)) => K::StatusIncomplete,
        Some(UnitStatus::RegisteredWithoutDecision) => K::StatusNoDecision,
        Some(UnitStatus::Complete) => K::StatusComplete,
    };
    crate::i18n::to_plain(ctx_texts.template(lang, key))
}

/// A reporting period in words: "tháng 11/2026", "quý 4/2026" (plain text).
pub fn period_name(texts: &Texts, lang: Lang, period: crate::domain::Period) -> String {
    use crate::domain::Period;
    let (key, number, year) = match period {
        Period::Month { year, month } => (K::PeriodMonthName, month, year),
        Period::Quarter { year, quarter } => (K::PeriodQuarterName, quarter, year),
    };
    let args = [
        ("number", Html::text(&number.to_string())),
        ("year", Html::text(&year.to_string())),
    ];
    crate::i18n::to_plain(texts.fill(lang, key, &args).as_str())
}

/// Why a person cannot be reached, as the sender reads it.
pub fn unreachable_key(why: crate::domain::announcement::Unreachable) -> K {
    use crate::domain::announcement::Unreachable;
    match why {
        Unreachable::NoChat => K::AnnounceReasonNoChat,
        Unreachable::Blocked => K::AnnounceReasonBlocked,
        Unreachable::ZaloWindow => K::AnnounceReasonZaloWindow,
        Unreachable::Failed => K::AnnounceReasonFailed,
    }
}

/// One line per reason a person cannot be reached, with how many (and, when given, the
/// first names), each after a line break; empty when everyone can be.
pub fn unreachable_reasons(
    texts: &Texts,
    lang: Lang,
    counts: &[(crate::domain::announcement::Unreachable, usize)],
) -> Html {
    let lines: Vec<String> = counts
        .iter()
        .map(|(why, n)| {
            let args = [
                ("reason", texts.fill(lang, unreachable_key(*why), &[])),
                ("count", Html::text(&n.to_string())),
            ];
            format!(
                "\n{}",
                texts.fill(lang, K::AnnounceReasonLine, &args).as_str()
            )
        })
        .collect();
    Html::markup(lines.concat())
}
