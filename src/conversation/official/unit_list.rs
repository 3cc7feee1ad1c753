//! The list of units below an official's own, each with how far its team is.

use super::super::input::Action;
use super::super::lookup::{Lookup, Need, TeamProgress, UnitEntry, VillageState};
use super::super::turn::Turn;
use super::super::{Button, Reply, State};
use super::{assign, own_unit, refuse_role};
use crate::domain::AccountRole;
use crate::i18n::{Html, K};

/// `/invite` and the "villages" / "communes" buttons: the units below the official's own.
pub fn units(turn: &mut Turn<'_>) -> State {
    let Some((role, own)) = own_unit(turn) else {
        return refuse_role(turn, "units.list");
    };
    let Some(found) = turn.lookup(Need::Villages {
        commune: own.clone(),
    }) else {
        return State::Idle;
    };
    let Lookup::Villages(units) = found else {
        return State::Idle;
    };
    // Say what is listed: a commune's villages, or a district's or a province's communes.
    let title = match role {
        AccountRole::CommuneOfficial => K::UnitListTitle,
        AccountRole::ProvinceOfficial => K::UnitListTitleProvinceCommunes,
        _ => K::UnitListTitleCommunes,
    };
    let mut lines = vec![turn
        .fill(title, &[("count", Html::text(&units.len().to_string()))])
        .into_string()];
    lines.extend(
        units
            .iter()
            .enumerate()
            .map(|(i, u)| progress_line(turn, i + 1, u).into_string()),
    );
    let mut rows: Vec<Vec<Button>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            vec![Button {
                label: format!(
                    "{}. {}",
                    i + 1,
                    crate::i18n::to_plain(display_name(turn, &u.unit).as_str())
                ),
                payload: Action::UnitMenu(u.unit.code.clone()).payload(),
            }]
        })
        .collect();
    // After a reorganisation, a province's villages of divided communes wait to be placed.
    if role == AccountRole::ProvinceOfficial {
        let Some(waiting) = assign::to_assign(turn, &own) else {
            return State::Idle;
        };
        if !waiting.is_empty() {
            let count = Html::text(&waiting.len().to_string());
            let label =
                crate::i18n::to_plain(turn.fill(K::ButtonToAssign, &[("count", count)]).as_str());
            rows.push(vec![Button {
                label,
                payload: Action::ToAssign.payload(),
            }]);
        }
    }
    if role == AccountRole::CommuneOfficial {
        rows.push(vec![
            turn.button(K::ButtonAddVillage, &Action::AddVillage.payload()),
            turn.button(K::ButtonImportVillages, &Action::ImportVillages.payload()),
        ]);
    }
    // The text numbers the units as their buttons do: a channel that shows buttons as
    // numbered options lists only the others (Zalo would write the list twice).
    turn.say_reply(Reply {
        buttons: rows,
        listed: units.len(),
        ..Reply::text(Html::markup(lines.join("\n")))
    });
    State::Idle
}

/// A unit's name in officials' lists: "Thôn Đông (Hưng Đạo cũ)" for a village moved into its
/// commune by a reorganisation that shares its name with another village there.
fn display_name(turn: &Turn<'_>, unit: &UnitEntry) -> Html {
    match &unit.formerly_in {
        Some(commune) => {
            let commune = crate::domain::units::short_name(commune);
            let args = [
                ("name", Html::text(&unit.name)),
                ("commune", Html::text(commune)),
            ];
            turn.fill(K::PlaceFormerlyIn, &args)
        }
        None => Html::text(&unit.name),
    }
}

pub(super) fn progress_line(turn: &Turn<'_>, n: usize, unit: &VillageState) -> Html {
    let (key, members) = match unit.team {
        TeamProgress::NoTeam => (K::ProgressNoTeam, 0),
        TeamProgress::Draft => (K::ProgressDraft, 0),
        TeamProgress::Registered { members } => (K::ProgressRegistered, members),
        TeamProgress::DecisionReceived { members } => (K::ProgressDecision, members),
    };
    let status = turn.fill(key, &[("members", Html::text(&members.to_string()))]);
    let name = display_name(turn, &unit.unit);
    // A commune's own team says little of how far its villages are: show both, as digests do.
    let Some((registered, villages)) = unit.coverage else {
        return Html::markup(format!("{n}. {name} — {status}"));
    };
    let coverage = match villages {
        0 => turn.t(K::ProgressNoVillageList),
        _ => turn.fill(
            K::ProgressVillagesCovered,
            &[
                ("registered", Html::text(&registered.to_string())),
                ("villages", Html::text(&villages.to_string())),
            ],
        ),
    };
    let own = turn.fill(K::ProgressCommuneTeam, &[("status", status)]);
    Html::markup(format!("{n}. {name} — {coverage} · {own}"))
}
