//! Reference-data import: the administrative units (province → district → commune) and a
//! deployment's own villages, read from CSV files.
//!
//! Every import checks the whole file before it writes anything and applies it in one
//! transaction: a file with a single bad row changes nothing, and re-running a file that was
//! imported already changes nothing either.

pub mod activities;
mod csv_file;
pub mod merge_villages;
mod population;
mod problem;
pub mod reorganize;
mod units;
mod villages;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod village_checks;

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};

use crate::domain::text::{clean, fold};
use crate::domain::units::parse_village_name;
use crate::storage::units::{all_units_in_tx, upsert_units};
use crate::storage::{NewUnit, StorageError, Store, Tx, Unit};

use csv_file::{Columns, CsvFile, Row};
pub use population::{import_population, UnitFigures};
pub use problem::Problem;
pub use units::import_units;
pub use villages::{
    import_villages, import_villages_of_commune, import_villages_renaming, MAX_CHAT_ROWS,
};

/// The 2022 example: Tứ Kỳ district's communes (Hải Dương), the district of the seed letter.
/// Loaded only when asked for (`cnscd units example`, the console trial, tests); since 1 July
/// 2025 that district no longer exists, so a new database starts with no units.
const DEFAULT_UNITS: &str = include_str!("../../data/tu-ky-communes.csv");

/// What an import did, counted in units (provinces, districts and communes, or villages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every village of a villages file, in file order; empty for a units file.
    pub villages: Vec<ImportedVillage>,
    /// Stored villages renamed to the file's spelling (asked for explicitly).
    pub renamed: Vec<Renamed>,
    /// Stored villages the file spells otherwise, which kept their name.
    pub names_kept: Vec<Renamed>,
    /// The database held only the untouched 2022 example, which the file replaced.
    pub replaced_example: bool,
    /// The file had no commune column: its villages are the official's own commune's.
    pub assumed_commune: bool,
}

/// A stored village whose name a file spells otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub code: String,
    pub stored: String,
    pub file: String,
}

/// A village as imported, with the code it ended up with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedVillage {
    pub code: String,
    pub name: String,
    pub commune_code: String,
    /// The file gave no code and the village is new: the importer generated its
    /// `{commune_code}-{NN}` code (a stored village found by its name keeps its own).
    pub generated_code: bool,
    /// The village head's name, checked but not stored.
    pub head_name: Option<String>,
    /// The village head's phone in E.164, checked but not stored.
    pub head_phone: Option<String>,
}

/// A row the import refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file where the row starts; the header is line 1.
    pub line: u64,
    /// Everything wrong with the row, at least one thing.
    pub problems: Vec<Problem>,
}

impl RowError {
    fn new(line: u64, problem: impl Into<Problem>) -> RowError {
        RowError {
            line,
            problems: vec![problem.into()],
        }
    }

    fn many(line: u64, problems: Vec<Problem>) -> RowError {
        RowError { line, problems }
    }

    /// The problems in English, for the command line and the logs.
    pub fn reason(&self) -> String {
        let problems: Vec<String> = self.problems.iter().map(Problem::to_string).collect();
        problems.join("; ")
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read the import file")]
    Io(#[from] std::io::Error),
    /// Every bad row of the file, by line; nothing was written.
    #[error("{}", list_bad_rows(.0))]
    BadRows(Vec<RowError>),
    #[error("could not save the import")]
    Storage(#[from] StorageError),
    /// A file sent in chat with more rows than a chat may send.
    #[error("the file has {rows} rows; at most {max} are taken at once")]
    TooManyRows { rows: usize, max: usize },
}

fn list_bad_rows(rows: &[RowError]) -> String {
    let mut text = format!("{} bad row(s), nothing was imported:", rows.len());
    for row in rows {
        text.push_str(&format!("\n{row}"));
    }
    text
}

fn bad_rows(mut errors: Vec<RowError>) -> ImportError {
    errors.sort_by_key(|error| error.line);
    ImportError::BadRows(errors)
}

/// Imports the 2022 example (Tứ Kỳ's units) when the database has no unit at all.
pub async fn load_default_units_if_empty(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Option<ImportReport>, ImportError> {
    if store.unit_count().await? > 0 {
        return Ok(None);
    }
    import_units(store, DEFAULT_UNITS.as_bytes(), now)
        .await
        .map(Some)
}

/// Collects every problem of one row, so a single pass reports them all.
#[derive(Default)]
struct Checks(Vec<Problem>);

impl Checks {
    fn push(&mut self, problem: impl Into<Problem>) {
        self.0.push(problem.into());
    }

    /// An official code: digits only.
    fn code(&mut self, column: &'static str, value: &str) -> String {
        if value.is_empty() {
            self.push(Problem::Empty(column));
        } else if !value.bytes().all(|byte| byte.is_ascii_digit()) {
            let value = value.to_owned();
            self.push(Problem::NotDigits { column, value });
        }
        value.to_owned()
    }

    /// A place name, cleaned (NFC, single spaces), with the checks of a village name typed
    /// in chat: 2 to 80 characters, letters, no control characters.
    fn name(&mut self, column: &'static str, value: &str) -> String {
        let name = clean(value);
        if name.is_empty() {
            self.push(Problem::Empty(column));
        } else if let Err(error) = parse_village_name(value) {
            self.push(format!("{column}: {error}"));
        }
        name
    }

    /// An optional value checked by `parse`; the value itself stays out of the message.
    fn parsed<T, E>(
        &mut self,
        value: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
        problem: impl FnOnce(E) -> Problem,
    ) -> Option<T> {
        if value.is_empty() {
            return None;
        }
        parse(value).map_err(|error| self.push(problem(error))).ok()
    }

    fn finish<T>(self, value: T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// The kind word of a name that starts with one of `kinds`' folded prefixes and goes on.
fn kind_from_prefix(name: &str, kinds: &[(&str, &'static str)]) -> Option<&'static str> {
    let folded = fold(name);
    kinds
        .iter()
        .find(|(prefix, _)| {
            folded
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .map(|(_, kind)| *kind)
}

/// "the district \"Huyện Tứ Kỳ\" in 30", for messages.
fn describe(level: &str, name: &str, parent: Option<&str>) -> String {
    let parent = parent.map(|code| format!(" in {code}")).unwrap_or_default();
    format!("the {level} {name:?}{parent}")
}

async fn existing_units(tx: &mut Tx<'_>) -> Result<HashMap<String, Unit>, StorageError> {
    let units = all_units_in_tx(tx).await?;
    Ok(units
        .into_iter()
        .map(|unit| (unit.code.clone(), unit))
        .collect())
}

pub(super) fn same_unit(stored: &Unit, wanted: &NewUnit) -> bool {
    stored.name == wanted.name
        && stored.kind == wanted.kind
        && stored.level == wanted.level
        && stored.parent_code == wanted.parent_code
}

/// Writes the units that are new or differ from the stored ones, and counts them. Parents
/// must come before their children in `wanted`.
async fn apply(
    tx: &mut Tx<'_>,
    wanted: Vec<NewUnit>,
    existing: &HashMap<String, Unit>,
    now: DateTime<Utc>,
) -> Result<ImportReport, StorageError> {
    let mut report = ImportReport::default();
    let mut changed = Vec::new();
    for unit in wanted {
        match existing.get(&unit.code) {
            Some(stored) if same_unit(stored, &unit) => report.unchanged += 1,
            Some(_) => {
                report.updated += 1;
                changed.push(unit);
            }
            None => {
                report.inserted += 1;
                changed.push(unit);
            }
        }
    }
    upsert_units(tx, &changed, now).await?;
    Ok(report)
}
