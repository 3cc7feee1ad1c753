//! The administrative units file: one commune a row, with its district and province.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::{
    apply, bad_rows, describe, existing_units, kind_from_prefix, Checks, Columns, CsvFile,
    ImportError, ImportReport, Row, RowError,
};
use crate::domain::text::clean;
use crate::storage::{NewUnit, StorageError, Store, UnitLevel};

const COLUMNS: [&str; 7] = [
    "code",
    "name",
    "kind",
    "district_code",
    "district_name",
    "province_code",
    "province_name",
];
const COMMUNE_KINDS: [&str; 3] = ["xã", "phường", "thị trấn"];
/// Folded name prefix → kind word.
const PROVINCE_KINDS: [(&str, &str); 2] = [("tinh", "tỉnh"), ("thanh pho", "thành phố")];
const DISTRICT_KINDS: [(&str, &str); 4] = [
    ("huyen", "huyện"),
    ("quan", "quận"),
    ("thi xa", "thị xã"),
    ("thanh pho", "thành phố"),
];

/// Creates or updates every commune of the file with its district and province.
pub async fn import_units(
    store: &Store,
    reader: impl Read,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let wanted = plan(CsvFile::read(reader, &COLUMNS, &[])?)?;
    let mut tx = store.begin().await?;
    let existing = existing_units(&mut tx).await?;
    let report = apply(&mut tx, wanted, &existing, now).await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(report)
}

/// The units a file describes, parents first, or every bad row.
fn plan(file: CsvFile) -> Result<Vec<NewUnit>, ImportError> {
    let mut errors = file.errors;
    let mut plan = Plan::default();
    for row in &file.rows {
        let added = parse_row(row, &file.columns).and_then(|units| plan.add(units, row.line));
        if let Err(reason) = added {
            errors.push(RowError::new(row.line, reason));
        }
    }
    if errors.is_empty() {
        Ok(plan.into_units())
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
    /// Adds a row's province, district and commune: a code must mean the same unit throughout.
    fn add(&mut self, units: [NewUnit; 3], line: u64) -> Result<(), String> {
        let [_, _, commune] = &units;
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

    fn into_units(self) -> Vec<NewUnit> {
        let mut units: Vec<NewUnit> = self.units.into_values().map(|(unit, _)| unit).collect();
        units.sort_by(|a, b| (a.level.depth(), &a.code).cmp(&(b.level.depth(), &b.code)));
        units
    }
}

fn describe_new(unit: &NewUnit) -> String {
    describe(unit.level.as_str(), &unit.name, unit.parent_code.as_deref())
}

/// A row's province, district and commune, or all that is wrong with it.
fn parse_row(row: &Row, columns: &Columns) -> Result<[NewUnit; 3], String> {
    let field = |column: &str| row.get(columns, column);
    let mut check = Checks::default();
    let code = check.code("code", field("code"));
    let name = check.name("name", field("name"));
    let kind = commune_kind(&mut check, field("kind"));
    let district_code = check.code("district_code", field("district_code"));
    let district_name = check.name("district_name", field("district_name"));
    let district_kind = prefix_kind(&mut check, "district_name", &district_name, &DISTRICT_KINDS);
    let province_code = check.code("province_code", field("province_code"));
    let province_name = check.name("province_name", field("province_name"));
    let province_kind = prefix_kind(&mut check, "province_name", &province_name, &PROVINCE_KINDS);
    check.finish([
        NewUnit {
            code: province_code.clone(),
            name: province_name,
            kind: province_kind,
            level: UnitLevel::Province,
            parent_code: None,
        },
        NewUnit {
            code: district_code.clone(),
            name: district_name,
            kind: district_kind,
            level: UnitLevel::District,
            parent_code: Some(province_code),
        },
        NewUnit {
            code,
            name,
            kind,
            level: UnitLevel::Commune,
            parent_code: Some(district_code),
        },
    ])
}

fn commune_kind(check: &mut Checks, value: &str) -> String {
    let kind = clean(value).to_lowercase();
    if !COMMUNE_KINDS.contains(&kind.as_str()) {
        let expected = COMMUNE_KINDS.join(", ");
        check.push(format!("kind {value:?} is not one of {expected}"));
    }
    kind
}

fn prefix_kind(
    check: &mut Checks,
    column: &str,
    name: &str,
    kinds: &[(&str, &'static str)],
) -> String {
    match kind_from_prefix(name, kinds) {
        Some(kind) => kind.to_owned(),
        None => {
            if !name.is_empty() {
                let expected: Vec<&str> = kinds.iter().map(|(_, kind)| *kind).collect();
                let expected = expected.join(", ");
                check.push(format!(
                    "{column} {name:?} does not start with one of {expected}"
                ));
            }
            String::new()
        }
    }
}
