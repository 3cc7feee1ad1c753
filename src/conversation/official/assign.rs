//! After a reorganisation, the villages of divided communes (`split=yes`) wait "to assign": a
//! province official places each in one of the province's communes, in chat (the
//! administrator may do the same with `cnscd units reorganize --villages FILE`).

use super::super::input::Action;
use super::super::lookup::{Lookup, Need, UnitEntry};
use super::super::turn::Turn;
use super::super::{Button, Effect, State};
use super::{checked, own_unit, refuse, refuse_role};
use crate::domain::{access, AccountRole};
use crate::i18n::{Html, K};

/// The province official's province, or `None` (refused, said).
fn province(turn: &mut Turn<'_>, action: &str) -> Result<String, State> {
    match own_unit(turn) {
        Some((AccountRole::ProvinceOfficial, code)) => Ok(code),
        _ => Err(refuse_role(turn, action)),
    }
}

/// The villages to assign in `province`; `None` while the lookup is pending.
pub(super) fn to_assign(turn: &mut Turn<'_>, province: &str) -> Option<Vec<(UnitEntry, String)>> {
    match turn.lookup(Need::ToAssign {
        province: province.to_owned(),
    })? {
        Lookup::ToAssign(villages) => Some(villages),
        _ => None,
    }
}

/// The list: one button per village, "Thôn Hưng — Xã Hưng Đạo".
pub(super) fn list(turn: &mut Turn<'_>) -> State {
    let province = match province(turn, "villages.to_assign") {
        Ok(province) => province,
        Err(state) => return state,
    };
    let Some(villages) = to_assign(turn, &province) else {
        return State::Idle;
    };
    let back = turn.button(K::ButtonBackToList, &Action::Units.payload());
    if villages.is_empty() {
        turn.say_with_buttons(turn.t(K::NothingToAssign), vec![vec![back]]);
        return State::Idle;
    }
    let text = turn.fill(
        K::ToAssignTitle,
        &[("count", Html::text(&villages.len().to_string()))],
    );
    let mut rows: Vec<Vec<Button>> = villages
        .iter()
        .map(|(village, old)| {
            vec![Button {
                label: format!("{} — {old}", village.name),
                payload: Action::AssignVillage(village.code.clone()).payload(),
            }]
        })
        .collect();
    rows.push(vec![back]);
    turn.say_with_buttons(text, rows);
    State::Idle
}

/// The village of `code` if it is still to assign in the official's province; a refusal
/// otherwise (a forged or stale button).
fn village(turn: &mut Turn<'_>, code: &str) -> Result<(String, (UnitEntry, String)), State> {
    let province = province(turn, "villages.assign")?;
    let Some(villages) = to_assign(turn, &province) else {
        return Err(State::Idle);
    };
    match villages.into_iter().find(|(v, _)| v.code == code) {
        Some(found) => Ok((province, found)),
        None => Err(refuse(turn, "villages.assign", code)),
    }
}

/// Which commune? The province's communes, one button each.
pub(super) fn choose(turn: &mut Turn<'_>, code: &str) -> State {
    let (province, (village, old)) = match village(turn, code) {
        Ok(found) => found,
        Err(state) => return state,
    };
    let Some(Lookup::Villages(communes)) = turn.lookup(Need::Villages { commune: province }) else {
        return State::Idle;
    };
    let mut rows: Vec<Vec<Button>> = communes
        .iter()
        .map(|c| {
            vec![Button {
                label: c.unit.name.clone(),
                payload: Action::AssignVillageTo(code.to_owned(), c.unit.code.clone()).payload(),
            }]
        })
        .collect();
    rows.push(vec![
        turn.button(K::ButtonBackToList, &Action::ToAssign.payload())
    ]);
    let args = [
        ("village", Html::text(&village.name)),
        ("old", Html::text(&old)),
    ];
    let text = turn.fill(K::AssignWhere, &args);
    turn.say_with_buttons(text, rows);
    State::Idle
}

/// Places the village in the commune (one of the province's).
pub(super) fn assign(turn: &mut Turn<'_>, code: &str, commune: &str) -> State {
    let (_, (village, old)) = match village(turn, code) {
        Ok(found) => found,
        Err(state) => return state,
    };
    let commune = match checked(turn, commune, access::Permission::InviteCommuneOfficial) {
        Ok(commune) => commune,
        Err(state) => return state,
    };
    // What goes with the village, said only if it has it.
    let Some(Lookup::Unit(found)) = turn.lookup(Need::Unit {
        code: village.code.clone(),
    }) else {
        return State::Idle;
    };
    let key = match found.map_or((false, false), |v| (v.team, v.accounts)) {
        (true, true) => K::VillageAssigned,
        (true, false) => K::VillageAssignedWithTeam,
        (false, true) => K::VillageAssignedWithHead,
        (false, false) => K::VillageAssignedAlone,
    };
    turn.effect(Effect::AssignVillage {
        village: village.code.clone(),
        commune: commune.entry.code.clone(),
    });
    let args = [
        ("village", Html::text(&village.name)),
        ("old", Html::text(&old)),
        ("commune", Html::text(&commune.entry.name)),
    ];
    let text = turn.fill(key, &args);
    let more = turn.button(K::ButtonBackToList, &Action::ToAssign.payload());
    turn.say_with_buttons(text, vec![vec![more]]);
    State::Idle
}
