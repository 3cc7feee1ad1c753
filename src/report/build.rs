//! From a sweep to a [`Report`]: every unit's status, counted per commune and per area.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::model::{AreaRow, Counts, DecisionEntry, Report, RoleCount, Tally};
use super::places::Places;
use crate::domain::{CompositionRules, MemberRole};
use crate::storage::summary_status;
use crate::storage::{Sweep, TeamSummary, Unit, UnitLevel};

/// The report of `sweep`'s scope, its statuses computed with `rules`.
pub fn build(sweep: &Sweep, rules: &CompositionRules, generated_at: DateTime<Utc>) -> Report {
    let places = Places::new(sweep);
    let teams: HashMap<&str, &TeamSummary> = sweep
        .teams
        .iter()
        .map(|team| (team.unit_code.as_str(), team))
        .collect();
    let mut builder = Builder {
        places: &places,
        communes: Vec::new(),
        index: HashMap::new(),
        report: Report {
            scope_code: sweep.scope.as_ref().map(|unit| unit.code.clone()),
            scope_name: sweep.scope.as_ref().map(|unit| unit.name.clone()),
            generated_at,
            communes: Vec::new(),
            areas: Vec::new(),
            totals: Counts::default(),
            commune_teams: Counts::default(),
            roles: Vec::new(),
            decisions: Vec::new(),
            communes_without_villages: 0,
            to_assign: sweep
                .to_assign
                .iter()
                .map(|(name, n)| (name.clone(), usize::try_from(*n).unwrap_or(0)))
                .collect(),
            unreached: Vec::new(),
        },
        roles: HashMap::new(),
    };
    for unit in sweep.units.iter().filter(|u| u.level == UnitLevel::Commune) {
        builder.row(unit);
    }
    for unit in &sweep.units {
        if matches!(unit.level, UnitLevel::Village | UnitLevel::Commune) {
            builder.unit(unit, teams.get(unit.code.as_str()).copied(), rules);
        }
    }
    builder.finish(sweep)
}

struct Builder<'a> {
    places: &'a Places<'a>,
    communes: Vec<AreaRow>,
    index: HashMap<String, usize>,
    report: Report,
    roles: HashMap<MemberRole, usize>,
}

impl Builder<'_> {
    /// The row of the commune `unit`, created on first use.
    fn row(&mut self, unit: &Unit) -> &mut AreaRow {
        let next = self.communes.len();
        let at = *self.index.entry(unit.code.clone()).or_insert(next);
        if at == next {
            self.communes.push(AreaRow {
                code: unit.code.clone(),
                name: unit.name.clone(),
                parent_name: self.places.parent_name(&unit.code),
                commune_team: None,
                counts: Counts::default(),
            });
        }
        &mut self.communes[at]
    }

    fn unit(&mut self, unit: &Unit, team: Option<&TeamSummary>, rules: &CompositionRules) {
        let status = summary_status(rules, unit.level, team).kind();
        let tally = Tally {
            status,
            members: team.map_or(0, |team| team.roles.len()),
            with_decision: team
                .is_some_and(|t| t.decision_number.is_some() && t.decision_date.is_some()),
        };
        let commune = self.places.nearest(&unit.code, UnitLevel::Commune);
        if unit.level == UnitLevel::Commune {
            self.report.commune_teams.add(&tally);
            self.row(unit).commune_team = Some(status);
        } else {
            self.report.totals.add(&tally);
            if let Some(commune) = commune {
                self.row(commune).counts.add(&tally);
            }
        }
        let Some(team) = team.filter(|_| status.is_registered()) else {
            return;
        };
        for role in &team.roles {
            *self.roles.entry(*role).or_default() += 1;
        }
        if let (Some(number), Some(date)) = (&team.decision_number, team.decision_date) {
            self.report.decisions.push(DecisionEntry {
                unit_code: unit.code.clone(),
                unit_name: unit.name.clone(),
                commune_name: commune.map(|commune| commune.name.clone()),
                number: number.clone(),
                date,
                scan: team.decision_scan,
            });
        }
    }

    fn finish(mut self, sweep: &Sweep) -> Report {
        let scope = sweep.scope.as_ref().map(|unit| unit.code.as_str());
        // Tree order: by the codes from the top of the tree down to the commune.
        self.communes.sort_by_cached_key(|row| {
            let mut path: Vec<&str> = self
                .places
                .chain(&row.code)
                .map(|u| u.code.as_str())
                .collect();
            path.reverse();
            path
        });
        let mut areas: Vec<AreaRow> = Vec::new();
        let mut area_index: HashMap<&str, usize> = HashMap::new();
        for row in &mut self.communes {
            row.counts.finish();
            let Some(area) = self.places.just_under(&row.code, scope) else {
                continue;
            };
            let at = *area_index.entry(area.code.as_str()).or_insert(areas.len());
            if at == areas.len() {
                areas.push(AreaRow {
                    code: area.code.clone(),
                    name: area.name.clone(),
                    parent_name: self.places.parent_name(&area.code),
                    commune_team: None,
                    counts: Counts::default(),
                });
            }
            areas[at].counts.merge(&row.counts);
        }
        areas.iter_mut().for_each(|area| area.counts.finish());
        // Areas that are the communes themselves add nothing.
        if areas.iter().all(|area| self.index.contains_key(&area.code)) {
            areas.clear();
        }
        let mut report = self.report;
        report
            .decisions
            .sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
        report.totals.finish();
        report.commune_teams.finish();
        report.communes_without_villages = self
            .communes
            .iter()
            .filter(|row| row.counts.units == 0)
            .count();
        report.communes = self.communes;
        report.areas = areas;
        report.roles = MemberRole::ALL
            .into_iter()
            .filter_map(|role| {
                let count = self.roles.get(&role).copied()?;
                Some(RoleCount { role, count })
            })
            .collect();
        report
    }
}
