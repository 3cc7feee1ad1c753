//! The villages still missing a complete team — no team, a draft, an incomplete team or one
//! without its decision — grouped by commune: the list officials chase. A sheet of the
//! workbook and a CSV of its own (`--format missing-csv`).

use std::collections::HashMap;

use super::format::{breaches, plain, status_key};
use super::listing::{Cell, LineSink};
use super::places::Places;
use super::ReportError;
use crate::domain::status::UnitStatus;
use crate::domain::CompositionRules;
use crate::i18n::{Lang, Texts, K};
use crate::storage::summary_status;
use crate::storage::{Sweep, TeamSummary, Unit, UnitLevel};

/// The columns of the list, in order.
pub const COLUMNS: [K; 8] = [
    K::ReportColProvince,
    K::ReportColDistrict,
    K::ReportColCommuneCode,
    K::ReportColCommune,
    K::ReportColUnitCode,
    K::ReportColUnit,
    K::ReportColStatus,
    K::ReportColNotes,
];

/// A village of the scope whose team is not complete.
pub struct MissingVillage<'a> {
    pub village: &'a Unit,
    pub status: UnitStatus,
}

/// The villages of `sweep` without a complete team, by commune (in tree order, as the
/// summary lists them), then by code.
pub fn missing_villages<'a>(sweep: &'a Sweep, rules: &CompositionRules) -> Vec<MissingVillage<'a>> {
    let places = Places::new(sweep);
    let teams: HashMap<&str, &TeamSummary> = sweep
        .teams
        .iter()
        .map(|team| (team.unit_code.as_str(), team))
        .collect();
    let mut missing: Vec<(Vec<&str>, MissingVillage<'a>)> = sweep
        .units
        .iter()
        .filter(|unit| unit.level == UnitLevel::Village)
        .filter_map(|village| {
            let team = teams.get(village.code.as_str()).copied();
            let status = summary_status(rules, UnitLevel::Village, team);
            (status != UnitStatus::Complete).then(|| {
                // From the top of the tree down to the village: communes stay together.
                let mut path: Vec<&str> = places
                    .chain(&village.code)
                    .map(|u| u.code.as_str())
                    .collect();
                path.reverse();
                (path, MissingVillage { village, status })
            })
        })
        .collect();
    missing.sort_by(|a, b| a.0.cmp(&b.0));
    missing.into_iter().map(|(_, village)| village).collect()
}

/// Writes the header, then one line per village still missing its complete team.
pub fn write_missing(
    sweep: &Sweep,
    rules: &CompositionRules,
    texts: &Texts,
    lang: Lang,
    sink: &mut impl LineSink,
) -> Result<(), ReportError> {
    let header: Vec<Cell<'_>> = COLUMNS
        .iter()
        .map(|key| Cell::Text(plain(texts, lang, *key).into()))
        .collect();
    sink.line(&header)?;
    let places = Places::new(sweep);
    for missing in missing_villages(sweep, rules) {
        let code = missing.village.code.as_str();
        let name = |level| {
            let unit = places.nearest(code, level);
            unit.map_or(Cell::Empty, |u| Cell::Text(u.name.as_str().into()))
        };
        let commune = places.nearest(code, UnitLevel::Commune);
        let notes = match missing.status.breaches() {
            [] => Cell::Empty,
            list => Cell::Text(breaches(texts, lang, list).into()),
        };
        sink.line(&[
            name(UnitLevel::Province),
            name(UnitLevel::District),
            commune.map_or(Cell::Empty, |u| Cell::Text(u.code.as_str().into())),
            name(UnitLevel::Commune),
            Cell::Text(code.into()),
            Cell::Text(missing.village.name.as_str().into()),
            Cell::Text(plain(texts, lang, status_key(missing.status.kind())).into()),
            notes,
        ])?;
    }
    Ok(())
}
