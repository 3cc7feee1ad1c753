//! Officials' reports, deadline and notices, and a commune's villages seen from above.

use super::super::input::Action;
use super::super::lookup::{Lookup, Need};
use super::super::menu::menu;
use super::super::turn::Turn;
use super::super::{Effect, State};
use super::{checked, own_unit, progress_line, refuse_role};
use crate::domain::access;
use crate::domain::decision::DateError;
use crate::domain::{AccountRole, Period};
use crate::i18n::{Html, K};

/// `/baocao` (`/report`): officials get the report of their own area; `/baocao 2026-11`
/// (or `2026-Q4`, `11/2026`) the teams' work there in that period.
pub fn report(turn: &mut Turn<'_>, period: &str) -> State {
    let Some((_, scope)) = own_unit(turn) else {
        return refuse_role(turn, "report");
    };
    let period = match period.trim() {
        "" => None,
        typed => match Period::parse(typed) {
            Ok(period) => Some(period),
            Err(_) => {
                let text = turn.fill(K::PeriodUnreadable, &[("text", Html::text(typed))]);
                turn.say_html(text);
                return State::Idle;
            }
        },
    };
    turn.say(K::ReportPreparing);
    turn.effect(Effect::SendReport { scope, period });
    State::Idle
}

/// `/hanchot dd/mm/yyyy` (`/deadline`): the official above communes (a district's, or a
/// province's since 2025) sets the deadline of their area.
pub fn set_deadline(turn: &mut Turn<'_>, text: &str) -> State {
    let Some((_, scope)) = own_unit(turn).filter(|(role, _)| role.above_communes()) else {
        return refuse_role(turn, "campaign.deadline");
    };
    let deadline = match crate::domain::decision::parse_date(text) {
        Ok(deadline) if deadline < turn.ctx.today => Err(K::DeadlinePast),
        Ok(deadline) => Ok(deadline),
        Err(DateError::NoSuchDay) => Err(K::DeadlineNoSuchDay),
        Err(_) => Err(K::DeadlineFormat),
    };
    let deadline = match deadline {
        Ok(deadline) => deadline,
        Err(why) => {
            let today = Html::text(&day(turn.ctx.today));
            let args = [
                ("date", Html::text(text.trim())),
                ("today", today),
                ("example", Html::text(&example_deadline(turn.ctx.today))),
            ];
            let text = turn.fill(why, &args);
            turn.say_html(text);
            menu(turn);
            return State::Idle;
        }
    };
    let Some(Lookup::Campaigns(campaigns)) = turn.lookup(Need::Campaigns {
        scope: scope.clone(),
    }) else {
        return State::Idle;
    };
    // One area, one campaign: a campaign over a larger or smaller area would send the same
    // people a second digest with another deadline.
    if let Some(other) = campaigns.iter().find(|c| !c.same_area) {
        let args = [
            ("campaign", Html::text(&other.name)),
            ("area", Html::text(&other.scope_name)),
            ("date", Html::text(&day(other.deadline))),
        ];
        let text = turn.fill(K::DeadlineClash, &args);
        turn.say_html(text);
        menu(turn);
        return State::Idle;
    }
    turn.effect(Effect::SetDeadline { scope, deadline });
    let date = Html::text(&day(deadline));
    let text = match campaigns.first() {
        Some(old) if old.deadline != deadline => {
            let old = Html::text(&day(old.deadline));
            turn.fill(K::DeadlineMoved, &[("date", date), ("old", old)])
        }
        _ => turn.fill(K::DeadlineSet, &[("date", date)]),
    };
    turn.say_html(text);
    menu(turn);
    State::Idle
}

/// The date `/hanchot` examples show: thirty days from today, so an official who copies the
/// example is not refused for a date in the past.
pub(crate) fn example_deadline(today: chrono::NaiveDate) -> String {
    day(today + chrono::Duration::days(30))
}

fn day(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A commune's villages with their status, for an official above it (from a digest).
pub(super) fn villages_of(turn: &mut Turn<'_>, code: &str) -> State {
    let unit = match checked(turn, code, access::Permission::ViewStatus) {
        Ok(unit) => unit,
        Err(state) => return state,
    };
    let Some(Lookup::Villages(villages)) = turn.lookup(Need::Villages {
        commune: code.to_owned(),
    }) else {
        return State::Idle;
    };
    let mut lines = vec![format!("<b>{}</b>", Html::text(&unit.entry.name))];
    lines.extend(
        villages
            .iter()
            .enumerate()
            .map(|(i, v)| progress_line(turn, i + 1, v).into_string()),
    );
    turn.say_with_buttons(
        Html::markup(lines.join("\n")),
        vec![vec![
            turn.button(K::ButtonBackToList, &Action::Units.payload())
        ]],
    );
    State::Idle
}

/// Turns a commune official's notices of village team changes on or off.
pub fn notices(turn: &mut Turn<'_>, on: bool) -> State {
    match own_unit(turn) {
        Some((AccountRole::CommuneOfficial, _)) => {
            turn.effect(Effect::SetChangeNotices { on });
            turn.say(if on { K::NoticesOn } else { K::NoticesOff });
            State::Idle
        }
        _ => refuse_role(turn, "notices"),
    }
}
