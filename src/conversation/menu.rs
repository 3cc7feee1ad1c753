//! The main menu of each role: what a chat is shown when nothing is open. Every feature
//! ends its dialogues here; it imports no feature.

use super::input::Action;
use super::turn::Turn;
use super::Button;
use crate::domain::AccountRole;
use crate::i18n::{Html, K};

/// The main menu of the chat's role.
pub fn menu(turn: &mut Turn<'_>) {
    menu_for(turn, role(turn));
}

/// The main menu of `role` (a resident's when `None`).
pub fn menu_for(turn: &mut Turn<'_>, role: Option<AccountRole>) {
    let b = |turn: &Turn<'_>, key, action: Action| turn.button(key, &action.payload());
    let mut rows = match role {
        None => vec![
            vec![b(turn, K::ButtonFind, Action::Find)],
            vec![b(turn, K::ButtonImMember, Action::ImMember)],
        ],
        Some(AccountRole::VillageHead) => {
            let mut rows = vec![vec![b(turn, K::ButtonMyTeam, Action::MyTeam)]];
            rows.extend(activity_rows(turn));
            rows
        }
        Some(AccountRole::CommuneOfficial) => vec![
            vec![
                b(turn, K::ButtonCommuneTeam, Action::MyTeam),
                b(turn, K::ButtonVillages, Action::Units),
            ],
            vec![b(turn, K::PeriodButtonReport, Action::PeriodReport)],
            announce_row(turn),
        ]
        .into_iter()
        .chain(activity_rows(turn))
        .collect(),
        Some(AccountRole::DistrictOfficial | AccountRole::ProvinceOfficial) => vec![
            vec![b(turn, K::ButtonCommunes, Action::Units)],
            announce_row(turn),
        ],
    };
    if role.is_some() {
        rows.push(vec![b(turn, K::ButtonFind, Action::Find)]);
    }
    rows.push(vec![
        b(turn, K::ButtonLanguage, Action::ChooseLanguage),
        b(turn, K::ButtonHelp, Action::Help),
    ]);
    let text = turn.t(match role {
        None => K::MenuGuest,
        Some(_) => K::MenuVillageHead,
    });
    turn.say_with_buttons(text, rows);
}

/// An official's announcements: send one, see where the last ones stand.
fn announce_row(turn: &Turn<'_>) -> Vec<Button> {
    vec![
        turn.button(K::AnnounceButtonOpen, &Action::Announce.payload()),
        turn.button(
            K::AnnounceButtonStatus,
            &Action::AnnouncementStatus.payload(),
        ),
    ]
}

/// The chat's role; `None` for a resident.
pub fn role(turn: &Turn<'_>) -> Option<AccountRole> {
    turn.ctx.account.as_ref().map(|a| a.role)
}

/// "Log an activity" and, when the person logged one before, its one-tap repeat for today:
/// in the member's menu and the village head's.
pub fn activity_rows(turn: &Turn<'_>) -> Vec<Vec<Button>> {
    let mut rows =
        vec![vec![turn.button(
            K::ActivityButtonLog,
            &Action::LogActivity.payload(),
        )]];
    if let Some(last) = &turn.ctx.last_activity {
        let kind = match turn.ctx.rules.activity.kind(&last.kind) {
            Some(kind) => kind.name(turn.lang).to_owned(),
            None => last.kind.clone(),
        };
        let label = turn.fill(
            K::ActivityButtonRepeat,
            &[
                ("kind", Html::text(&kind)),
                ("people", Html::text(&last.people.to_string())),
            ],
        );
        rows.push(vec![Button {
            label: crate::i18n::to_plain(label.as_str()),
            payload: Action::LogRepeat.payload(),
        }]);
    }
    rows
}
