//! The administrative units file: one commune a row, with its province and (before the 2025
//! reform) its district. The header tells the two formats apart: with `district_code` it is
//! province → district → commune, as in force until 30 June 2025; without, the two-level
//! structure since 1 July 2025, communes directly under their province.

mod rows;

use rows::parse_row;
pub(crate) use rows::{commune_kind_of_name, province_kind};

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::population::{read_figures, store_figures, UnitFigures, COLUMNS as FIGURES};
use super::{
    apply, bad_rows, describe, existing_units, same_unit, CsvFile, ImportError, ImportReport,
    RowError, DEFAULT_UNITS,
};
use crate::storage::units::{remove_all_units, units_hold_anything};
use crate::storage::{NewUnit, StorageError, Store, Tx, Unit, UnitLevel};

const COLUMNS: [&str; 7] = [
    "code",
    "name",
    "kind",
    "district_code",
    "district_name",
    "province_code",
    "province_name",
];
/// The two-level format (since 1 July 2025): no district.
const COLUMNS_2025: [&str; 5] = ["code", "name", "kind", "province_code", "province_name"];

/// Creates or updates every commune of the file with its district and province.
pub async fn import_units(
    store: &Store,
    reader: impl Read,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let mut bytes = Vec::new();
    let mut reader = reader;
    reader.read_to_end(&mut bytes)?;
    let two_level = !has_district_column(&bytes);
    let columns: &[&'static str] = if two_level { &COLUMNS_2025 } else { &COLUMNS };
    let (wanted, lines, figures) = plan(CsvFile::read(bytes.as_slice(), columns, &FIGURES)?)?;
    let mut tx = store.begin().await?;
    let mut existing = existing_units(&mut tx).await?;
    let replaced_example = holds_untouched_example(&mut tx, &existing).await?;
    if replaced_example {
        remove_all_units(&mut tx).await?;
        existing.clear();
    }
    if two_level {
        refuse_communes_under_districts(&wanted, &lines, &existing)?;
    } else {
        refuse_reorganised_communes(&wanted, &lines, &existing)?;
    }
    let mut report = apply(&mut tx, wanted, &existing, now).await?;
    store_figures(&mut tx, &figures).await?;
    report.replaced_example = replaced_example;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(report)
}

/// Whether the database holds the 2022 example exactly as `cnscd units example` loaded it,
/// with nothing hung on it (no village, team, account, invitation, campaign): a deployment's
/// own units file then replaces it, so a trial never leaves Tứ Kỳ behind in a real one.
async fn holds_untouched_example(
    tx: &mut Tx<'_>,
    existing: &HashMap<String, Unit>,
) -> Result<bool, ImportError> {
    if existing.is_empty() {
        return Ok(false);
    }
    let (example, _, _) = plan(CsvFile::read(DEFAULT_UNITS.as_bytes(), &COLUMNS, &[])?)?;
    let same = example.len() == existing.len()
        && example.iter().all(|unit| {
            existing
                .get(&unit.code)
                .is_some_and(|stored| stored.is_current() && same_unit(stored, unit))
        });
    Ok(same && !units_hold_anything(tx).await?)
}

/// Whether the header (the first line) names a `district_code` column: the pre-2025 format.
fn has_district_column(bytes: &[u8]) -> bool {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(header).split(',').any(|column| {
        column
            .trim()
            .trim_start_matches('\u{feff}')
            .eq_ignore_ascii_case("district_code")
    })
}

/// A two-level file names a commune that is stored under a district: moving a 2022
/// deployment into the 2025 structure is `cnscd units reorganize`'s work (it keeps the old
/// commune as history and moves its villages), not an import's silent reparenting.
fn refuse_communes_under_districts(
    wanted: &[NewUnit],
    lines: &HashMap<String, u64>,
    existing: &HashMap<String, Unit>,
) -> Result<(), ImportError> {
    let errors: Vec<RowError> = wanted
        .iter()
        .filter(|unit| unit.level == UnitLevel::Commune)
        .filter_map(|unit| {
            let stored = existing.get(&unit.code)?;
            let parent = existing.get(stored.parent_code.as_deref()?)?;
            (parent.level == UnitLevel::District).then(|| {
                RowError::new(
                    lines.get(&unit.code).copied().unwrap_or(0),
                    format!(
                        "commune {} is stored under the district {} ({}): move a deployment into the 2025 structure with `cnscd units reorganize --map FILE`",
                        unit.code, parent.code, parent.name
                    ),
                )
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(bad_rows(errors))
    }
}

/// A three-level file names a commune that a reorganisation moved into the two-level
/// structure (or kept as history): importing it would quietly move the commune back.
fn refuse_reorganised_communes(
    wanted: &[NewUnit],
    lines: &HashMap<String, u64>,
    existing: &HashMap<String, Unit>,
) -> Result<(), ImportError> {
    let errors: Vec<RowError> = wanted
        .iter()
        .filter(|unit| unit.level == UnitLevel::Commune)
        .filter_map(|unit| {
            let stored = existing.get(&unit.code)?;
            let parent = existing.get(stored.parent_code.as_deref()?)?;
            let reorganised = parent.level == UnitLevel::Province || !stored.is_current();
            let differs = stored.name != unit.name || stored.parent_code != unit.parent_code;
            (reorganised && differs)
                .then(|| {
                    RowError::new(
                        lines.get(&unit.code).copied().unwrap_or(0),
                        format!(
                            "commune {} is {} since a reorganisation (two levels, or kept as history): a file with districts would move it back",
                            unit.code, stored.name
                        ),
                    )
                })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(bad_rows(errors))
    }
}

/// The units a file describes, parents first, with the line of each commune and the
/// communes' residents and households (optional columns), or every bad row.
type Planned = (
    Vec<NewUnit>,
    HashMap<String, u64>,
    Vec<(String, UnitFigures)>,
);

fn plan(file: CsvFile) -> Result<Planned, ImportError> {
    let mut errors = file.errors;
    let mut plan = Plan::default();
    let mut figures = Vec::new();
    for row in &file.rows {
        let added = parse_row(row, &file.columns).and_then(|units| {
            let commune = units.last().map(|unit| unit.code.clone());
            let read = read_figures(row, &file.columns);
            plan.add(units, row.line)
                .map_err(|reason| vec![reason.into()])?;
            if let (Some(code), Ok(read)) = (commune, &read) {
                figures.push((code, *read));
            }
            read.map(|_| ())
        });
        if let Err(problems) = added {
            errors.push(RowError::many(row.line, problems));
        }
    }
    if errors.is_empty() {
        let (units, lines) = plan.into_units();
        Ok((units, lines, figures))
    } else {
        Err(bad_rows(errors))
    }
}

/// The units seen so far, each with the line that first described it.
#[derive(Default)]
struct Plan {
    units: HashMap<String, (NewUnit, u64)>,
}

impl Plan {
    /// Adds a row's province, district (if any) and commune: a code must mean the same unit
    /// throughout.
    fn add(&mut self, units: Vec<NewUnit>, line: u64) -> Result<(), String> {
        let Some(commune) = units.last() else {
            return Ok(());
        };
        let repeated = self
            .units
            .get(&commune.code)
            .filter(|(known, _)| known.level == UnitLevel::Commune);
        if let Some((_, first)) = repeated {
            return Err(format!("commune {} is also on line {first}", commune.code));
        }
        units
            .into_iter()
            .try_for_each(|unit| self.declare(unit, line))
    }

    fn declare(&mut self, unit: NewUnit, line: u64) -> Result<(), String> {
        match self.units.get(&unit.code) {
            None => {
                self.units.insert(unit.code.clone(), (unit, line));
                Ok(())
            }
            Some((known, _)) if *known == unit => Ok(()),
            Some((known, first)) => Err(format!(
                "code {} is {} on line {first} but {} here",
                unit.code,
                describe_new(known),
                describe_new(&unit)
            )),
        }
    }

    fn into_units(self) -> (Vec<NewUnit>, HashMap<String, u64>) {
        let lines = self
            .units
            .iter()
            .map(|(code, (_, line))| (code.clone(), *line))
            .collect();
        let mut units: Vec<NewUnit> = self.units.into_values().map(|(unit, _)| unit).collect();
        units.sort_by(|a, b| (a.level.depth(), &a.code).cmp(&(b.level.depth(), &b.code)));
        (units, lines)
    }
}

fn describe_new(unit: &NewUnit) -> String {
    describe(unit.level.as_str(), &unit.name, unit.parent_code.as_deref())
}
