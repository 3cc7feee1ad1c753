//! The sweep as it stood on an earlier day (`cnscd report --as-of`): units rebuilt from the
//! history rows and successions that later reorganisations left.

use chrono::NaiveDate;

use super::super::units::unit_from_row;
use super::super::{StorageResult, Store, Unit};
use super::{collect, summary_from_row, Sweep, TeamSummary, TEAMS_ALL};

/// Every unit, those kept as history included: what [`Store::sweep_as_of`] rebuilds from.
const UNITS_EVER: &str =
    "SELECT code, name, kind, level, parent_code, ended_on, merged_into, moved_from FROM units";
/// (history code, old code, new code, effective day) of every reorganised commune.
const SUCCESSIONS: &str =
    "SELECT history_code, old_code, new_code, effective_on FROM unit_successions";

impl Store {
    /// The sweep of `scope` in the structure in force on `day` (`cnscd report --as-of`): units
    /// that ended after it are back (an old commune under its own code again, its villages
    /// under it), units born of a later reorganisation are not there yet. Teams are today's.
    pub async fn sweep_as_of(
        &self,
        scope: Option<&str>,
        day: NaiveDate,
    ) -> StorageResult<Option<Sweep>> {
        let units = collect(sqlx::query(UNITS_EVER), self, unit_from_row);
        let teams = collect(sqlx::query(TEAMS_ALL), self, summary_from_row);
        let (units, teams) = futures::try_join!(units, teams)?;
        let successions: Vec<(String, String, String, String)> =
            sqlx::query_as(SUCCESSIONS).fetch_all(self.pool()).await?;
        Ok(as_of(units, teams, &successions, scope, day))
    }
}

fn as_of(
    units: Vec<Unit>,
    teams: Vec<TeamSummary>,
    successions: &[(String, String, String, String)],
    scope: Option<&str>,
    day: NaiveDate,
) -> Option<Sweep> {
    use std::collections::{HashMap, HashSet};
    let day_text = day.format("%Y-%m-%d").to_string();
    let after = |date: &str| date > day_text.as_str();
    // A history row stands for its old code again while that commune existed.
    let mut code_of: HashMap<String, String> = HashMap::new();
    // New communes born of a reorganisation later than `day`.
    let mut unborn: HashSet<&str> = HashSet::new();
    for (history, old, new, effective) in successions {
        if after(effective) {
            unborn.insert(new.as_str());
            if history != old {
                code_of.insert(history.clone(), old.clone());
            }
        }
    }
    let by_code: HashMap<String, Unit> =
        units.iter().map(|u| (u.code.clone(), u.clone())).collect();
    let existed = |u: &Unit| u.ended_on.as_deref().is_none_or(after);
    let rename = |code: &str| {
        code_of
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    };
    let mut then: Vec<Unit> = Vec::new();
    for unit in units.iter().filter(|u| existed(u)) {
        // A new commune that took an old one's code was not there yet: the old one was.
        if unborn.contains(unit.code.as_str()) && unit.ended_on.is_none() {
            continue;
        }
        let mut unit = unit.clone();
        // A village moved by a later reorganisation was still in its old commune.
        if let Some(from) = unit.moved_from.as_ref().and_then(|f| by_code.get(f)) {
            if from.ended_on.as_deref().is_some_and(after) {
                unit.parent_code = Some(from.code.clone());
            }
        }
        unit.code = rename(&unit.code);
        unit.parent_code = unit.parent_code.as_deref().map(rename);
        unit.ended_on = None;
        unit.merged_into = None;
        then.push(unit);
    }
    let teams: Vec<TeamSummary> = teams
        .into_iter()
        .map(|mut t| {
            t.unit_code = rename(&t.unit_code);
            t
        })
        .collect();
    let parents: HashMap<&str, Option<&str>> = then
        .iter()
        .map(|u| (u.code.as_str(), u.parent_code.as_deref()))
        .collect();
    let Some(scope) = scope else {
        let codes: HashSet<String> = then.iter().map(|u| u.code.clone()).collect();
        let teams = teams
            .into_iter()
            .filter(|t| codes.contains(&t.unit_code))
            .collect();
        return Some(Sweep {
            units: then,
            teams,
            ..Sweep::default()
        });
    };
    let scope_unit = then.iter().find(|u| u.code == scope)?.clone();
    let within = |code: &str| {
        let mut at = Some(code);
        for _ in 0..16 {
            match at {
                Some(c) if c == scope => return true,
                Some(c) => at = parents.get(c).copied().flatten(),
                None => return false,
            }
        }
        false
    };
    let mut ancestors = Vec::new();
    let mut up = scope_unit.parent_code.clone();
    while let Some(code) = up.take() {
        if ancestors.len() > 16 {
            break;
        }
        if let Some(unit) = then.iter().find(|u| u.code == code) {
            up = unit.parent_code.clone();
            ancestors.push(unit.clone());
        }
    }
    let inside: Vec<Unit> = then.iter().filter(|u| within(&u.code)).cloned().collect();
    let codes: HashSet<&str> = inside.iter().map(|u| u.code.as_str()).collect();
    let teams = teams
        .into_iter()
        .filter(|t| codes.contains(t.unit_code.as_str()))
        .collect();
    Some(Sweep {
        scope: Some(scope_unit),
        ancestors,
        units: inside,
        teams,
        ..Sweep::default()
    })
}
