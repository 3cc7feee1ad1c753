//! Residents and households of units: `cnscd units population FILE` (code, population,
//! households), and the optional `population` and `households` columns of the units and
//! villages files. A missing column or an empty cell leaves the stored figure as it is; a
//! value that is not a whole number is a problem of its line, and nothing is written.

use std::collections::HashMap;
use std::io::Read;

use super::csv_file::{Columns, CsvFile, Row};
use super::{bad_rows, existing_units, ImportError, Problem, RowError};
use crate::storage::units::set_unit_figures;
use crate::storage::{StorageError, Store, Tx};

/// The optional columns every units file may carry.
pub(super) const COLUMNS: [&str; 2] = ["population", "households"];

/// A unit's residents and households as a file gives them; `None`: left as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitFigures {
    pub population: Option<u64>,
    pub households: Option<u64>,
}

impl UnitFigures {
    pub(super) fn is_empty(&self) -> bool {
        self.population.is_none() && self.households.is_none()
    }
}

/// A whole number as officials type it: `12500`, `12.500`, `12,500` or `12 500` (groups of
/// three after a separator); `None` when it is not one.
fn whole_number(text: &str) -> Option<u64> {
    let groups: Vec<&str> = text.split(['.', ',', ' ', '\u{a0}']).collect();
    let first = groups.first()?;
    let grouped = groups[1..].iter().all(|group| group.len() == 3);
    let digits = groups
        .iter()
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    if !(grouped && digits) || first.len() > 12 {
        return None;
    }
    groups.concat().parse().ok()
}

/// The row's `population` and `households` (each optional).
pub(super) fn read_figures(row: &Row, columns: &Columns) -> Result<UnitFigures, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut figure = |column: &'static str| {
        let value = row.get(columns, column);
        if value.is_empty() {
            return None;
        }
        let number = whole_number(value);
        if number.is_none() {
            problems.push(Problem::Other(format!(
                "{column}: {:?} is not a whole number",
                value.chars().take(20).collect::<String>()
            )));
        }
        number
    };
    let figures = UnitFigures {
        population: figure("population"),
        households: figure("households"),
    };
    if problems.is_empty() {
        Ok(figures)
    } else {
        Err(problems)
    }
}

/// Stores the figures of each unit code, in the import's transaction.
pub(super) async fn store_figures(
    tx: &mut Tx<'_>,
    figures: &[(String, UnitFigures)],
) -> Result<(), StorageError> {
    for (code, figures) in figures.iter().filter(|(_, f)| !f.is_empty()) {
        set_unit_figures(tx, code, figures.population, figures.households).await?;
    }
    Ok(())
}

/// `cnscd units population FILE`: sets the figures of every unit the file names, all or
/// nothing. Returns how many units it set.
pub async fn import_population(store: &Store, reader: impl Read) -> Result<usize, ImportError> {
    let file = CsvFile::read(reader, &["code"], &COLUMNS)?;
    let mut errors = file.errors;
    let mut tx = store.begin().await?;
    let existing = existing_units(&mut tx).await?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut wanted = Vec::new();
    for row in &file.rows {
        let code = row.get(&file.columns, "code").to_owned();
        let mut problems = Vec::new();
        match existing.get(&code) {
            _ if code.is_empty() => problems.push(Problem::Empty("code")),
            None => problems.push(Problem::Other(format!(
                "there is no unit with code {code:?}"
            ))),
            Some(unit) if !unit.is_current() => problems.push(Problem::Other(format!(
                "unit {code} ended on {}",
                unit.ended_on.clone().unwrap_or_default()
            ))),
            Some(_) => {}
        }
        if let Some(first) = seen.insert(code.clone(), row.line) {
            problems.push(Problem::Other(format!(
                "unit {code} is also on line {first}"
            )));
        }
        match read_figures(row, &file.columns) {
            Ok(figures) if figures.is_empty() => {
                problems.push(Problem::Other("neither population nor households".into()))
            }
            Ok(figures) => wanted.push((code, figures)),
            Err(more) => problems.extend(more),
        }
        if !problems.is_empty() {
            errors.push(RowError::many(row.line, problems));
        }
    }
    if !errors.is_empty() {
        return Err(bad_rows(errors));
    }
    store_figures(&mut tx, &wanted).await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(wanted.len())
}

#[cfg(test)]
mod tests {
    use super::whole_number;

    #[test]
    fn a_figure_is_read_with_or_without_thousands_separators() {
        for (text, value) in [
            ("12500", Some(12_500)),
            ("12.500", Some(12_500)),
            ("12,500", Some(12_500)),
            ("1 250 000", Some(1_250_000)),
            ("0", Some(0)),
            ("12.5", None),
            ("-3", None),
            ("mười", None),
            ("1..000", None),
            ("99999999999999", None),
        ] {
            assert_eq!(whole_number(text), value, "{text}");
        }
    }
}
