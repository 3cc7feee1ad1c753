//! The team as text: the numbered list shown for review, after saving and by `/myteam`.

use super::lookup::{PublicTeam, TeamCard, UnitEntry};
use super::state::{ConsentSource, Decision, Member, Team};
use super::turn::Turn;
use crate::domain::{FieldKey, Fields, MemberRole, PhoneNumber};
use crate::i18n::{Html, K};
use crate::wording::role_key;

/// "Other: radio operator" shows the free text; listed roles show their name.
pub fn role_label(turn: &Turn<'_>, role: MemberRole, detail: Option<&str>) -> Html {
    match (role, detail) {
        (MemberRole::Other, Some(detail)) => Html::text(detail),
        _ => Html::text(&turn.label(role_key(role))),
    }
}

/// Who reads a team card: the head who registers the team, or the commune official looking
/// at a village's team (the head's confirmation is then not theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Head,
    Official,
}

fn member_line(turn: &Turn<'_>, reader: Reader, number: usize, member: &Member) -> Html {
    let role = role_label(turn, member.role, member.role_detail.as_deref());
    let args = [
        ("n", Html::text(&number.to_string())),
        ("name", Html::text(member.name.as_str())),
        ("role", role),
        ("phone", member_phones(turn, reader, member)),
    ];
    let line = turn.fill(K::SummaryMember, &args);
    with_fields(turn, line, FieldKey::of_members(), &member.fields)
}

/// `line` followed by each answered optional field, as its declaration shows it.
fn with_fields(
    turn: &Turn<'_>,
    line: Html,
    keys: impl Iterator<Item = FieldKey>,
    fields: &Fields,
) -> Html {
    let mut line = line.to_string();
    for key in keys {
        if let Some(value) = fields.get(key) {
            let shown = turn.fill(key.declaration().summary, &[("value", Html::text(value))]);
            line = format!("{line} {shown}");
        }
    }
    Html::markup(line)
}

/// The member's number as [`phone_for_head`] shows it, and their Zalo number when it is
/// another.
fn member_phones(turn: &Turn<'_>, reader: Reader, member: &Member) -> Html {
    let phone = phone_for_head(turn, reader, &member.phone, member.consent);
    match &member.zalo {
        Some(zalo) => {
            let zalo = turn.fill(K::SummaryZalo, &[("zalo", Html::text(&zalo.national()))]);
            Html::markup(format!("{phone} {zalo}"))
        }
        None => phone,
    }
}

/// The head sees every number, marked with whose word publishes it (Personal Data
/// Protection Law 91/2025/QH15), or that nobody agreed; so does the commune official, told
/// that the head's word is the head's. A head's word recorded before the law asks for a paper
/// consent or the person's own word.
fn phone_for_head(
    turn: &Turn<'_>,
    reader: Reader,
    phone: &PhoneNumber,
    consent: Option<ConsentSource>,
) -> Html {
    let phone = Html::text(&phone.national());
    let mark = turn.t(match consent {
        Some(ConsentSource::Head) if reader == Reader::Official => K::SummaryConsentByVillageHead,
        Some(ConsentSource::Head) => K::SummaryConsentByHead,
        Some(ConsentSource::Member) => K::SummaryConsentByMember,
        Some(ConsentSource::Paper) => K::SummaryConsentByPaper,
        None => K::SummaryNoConsent,
    });
    Html::markup(format!("{phone} {mark}"))
}

fn leader_line(turn: &Turn<'_>, reader: Reader, team: &Team) -> Html {
    let missing = turn.label(K::NotYetGiven);
    let name = team
        .leader_name
        .as_ref()
        .map_or(missing.clone(), |n| n.to_string());
    let phone = match &team.leader_phone {
        Some(phone) => phone_for_head(turn, reader, phone, team.leader_consent),
        None => Html::text(&missing),
    };
    let line = turn.fill(
        K::SummaryLeader,
        &[("name", Html::text(&name)), ("phone", phone)],
    );
    with_fields(turn, line, FieldKey::of_leader(), &team.leader_fields)
}

fn decision_line(turn: &Turn<'_>, decision: &Decision) -> Html {
    let (Some(number), Some(date)) = (&decision.number, decision.date) else {
        return turn.t(K::SummaryNoDecision);
    };
    // Only a kept scan is one the commune has: a link of the chat's may have stopped working.
    let scan = turn.t(match &decision.file {
        Some(file) if file.kept => K::SummaryScanYes,
        Some(_) => K::SummaryScanNotKept,
        None => K::SummaryScanNo,
    });
    turn.fill(
        K::SummaryDecision,
        &[
            ("number", Html::text(number.as_str())),
            ("date", Html::text(&date.format("%d/%m/%Y").to_string())),
            ("scan", scan),
        ],
    )
}

/// The whole team, numbered, with the village's name as the title, as its head reads it.
pub fn team_card(turn: &Turn<'_>, village: &str, team: &Team) -> Html {
    card_for(turn, Reader::Head, village, team)
}

/// A village's team as its commune official reads it.
pub fn village_team_card_for_official(turn: &Turn<'_>, village: &str, team: &Team) -> Html {
    card_for(turn, Reader::Official, village, team)
}

fn card_for(turn: &Turn<'_>, reader: Reader, village: &str, team: &Team) -> Html {
    let mut lines = vec![
        turn.fill(K::SummaryTitle, &[("village", Html::text(village))])
            .into_string(),
        leader_line(turn, reader, team).into_string(),
    ];
    if team.members.is_empty() {
        lines.push(turn.t(K::SummaryNoMembers).into_string());
    }
    for (i, member) in team.members.iter().enumerate() {
        lines.push(member_line(turn, reader, i + 1, member).into_string());
    }
    lines.push(decision_line(turn, &team.decision).into_string());
    Html::markup(lines.join("\n"))
}

/// One broken composition rule, said so the head knows what to change.
pub fn breach_text(turn: &Turn<'_>, breach: &crate::domain::RuleBreach) -> Html {
    crate::wording::breach_text(turn.ctx.texts, turn.lang, breach)
}

fn public_team(turn: &Turn<'_>, unit: &UnitEntry, team: Option<&PublicTeam>) -> Vec<String> {
    let mut lines = vec![turn
        .fill(
            K::CardTitle,
            &[
                ("unit", Html::text(&unit.name)),
                (
                    "parent",
                    Html::text(unit.parent_name.as_deref().unwrap_or("")),
                ),
            ],
        )
        .into_string()];
    let Some(team) = team.filter(|t| t.registered) else {
        let key = if team.is_some() {
            K::CardTeamInProgress
        } else {
            K::CardNoTeam
        };
        lines.push(turn.t(key).into_string());
        return lines;
    };
    if let Some(name) = &team.leader_name {
        let phone = match &team.leader_phone {
            Some(phone) => Html::text(&phone.national()),
            None => turn.t(K::CardPhoneHidden),
        };
        let args = [("name", Html::text(name.as_str())), ("phone", phone)];
        lines.push(turn.fill(K::CardLeader, &args).into_string());
    }
    for member in &team.members {
        let phone = match &member.phone {
            Some(phone) => Html::text(&phone.national()),
            None => turn.t(K::CardPhoneHidden),
        };
        let phone = match &member.zalo {
            Some(zalo) => Html::markup(format!("{phone} {}", zalo_link(turn, zalo))),
            None => phone,
        };
        let args = [
            ("name", Html::text(member.name.as_str())),
            (
                "role",
                role_label(turn, member.role, member.role_detail.as_deref()),
            ),
            ("phone", phone),
        ];
        lines.push(turn.fill(K::CardMember, &args).into_string());
    }
    if team.decision.number.is_some() {
        lines.push(decision_line(turn, &team.decision).into_string());
    }
    lines
}

/// A member's Zalo number as a link that opens a Zalo chat with them (zalo.me/<number>).
fn zalo_link(turn: &Turn<'_>, zalo: &PhoneNumber) -> Html {
    let national = zalo.national();
    let digits: String = national.chars().filter(char::is_ascii_digit).collect();
    turn.fill(
        K::CardZalo,
        &[
            ("zalo", Html::text(&national)),
            ("digits", Html::text(&digits)),
        ],
    )
}

/// The numbers of [`public_card`] a resident may call: the published ones (leader's and
/// members' mobiles, never a hidden one), each once, in the card's order.
pub fn callable_numbers(card: &TeamCard) -> Vec<String> {
    let commune = card.commune.as_ref().and_then(|(_, team)| team.as_ref());
    let mut numbers: Vec<String> = Vec::new();
    for team in card.team.iter().chain(commune).filter(|t| t.registered) {
        let phones = team
            .leader_phone
            .iter()
            .chain(team.members.iter().filter_map(|m| m.phone.as_ref()));
        for phone in phones {
            let digits: String = phone
                .national()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if !numbers.contains(&digits) {
                numbers.push(digits);
            }
        }
    }
    numbers
}

/// The card residents see: the unit's team with the numbers members agreed to publish, and
/// below a village's team, its commune's team as the next level of help.
pub fn public_card(turn: &Turn<'_>, card: &TeamCard) -> Html {
    let mut lines = public_team(turn, &card.unit, card.team.as_ref());
    // The next level of help only when there is one: a commune team not registered yet
    // would send residents to nobody.
    let commune = card
        .commune
        .as_ref()
        .filter(|(_, t)| t.as_ref().is_some_and(|t| t.registered));
    if let Some((commune, team)) = commune {
        lines.push(String::new());
        lines.push(turn.t(K::CardNextLevel).into_string());
        lines.extend(public_team(turn, commune, team.as_ref()));
    }
    Html::markup(lines.join("\n"))
}
