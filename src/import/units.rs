//! The administrative units file: one commune a row, with its province and (before the 2025
//! reform) its district. The header tells the two formats apart: with `district_code` it is
//! province → district → commune, as in force until 30 June 2025; without, the two-level
//! structure since 1 July 2025, communes directly under their province.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::{
    apply, bad_rows, describe, existing_units, kind_from_prefix, Checks, Columns, CsvFile,
    ImportError, ImportReport, Row, RowError,
};
use crate::domain::text::clean;
use crate::storage::{NewUnit, StorageError, Store, Unit, UnitLevel};

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
/// `đặc khu` (special zone) exists since the 2025 reform; `thị trấn` before it.
const COMMUNE_KINDS: [&str; 4] = ["xã", "phường", "thị trấn", "đặc khu"];
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
    let mut bytes = Vec::new();
    let mut reader = reader;
    reader.read_to_end(&mut bytes)?;
    let two_level = !has_district_column(&bytes);
    let columns: &[&'static str] = if two_level { &COLUMNS_2025 } else { &COLUMNS };
    let (wanted, lines) = plan(CsvFile::read(bytes.as_slice(), columns, &[])?)?;
    let mut tx = store.begin().await?;
    let existing = existing_units(&mut tx).await?;
    if two_level {
        refuse_communes_under_districts(&wanted, &lines, &existing)?;
    } else {
        refuse_reorganised_communes(&wanted, &lines, &existing)?;
    }
    let report = apply(&mut tx, wanted, &existing, now).await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(report)
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

/// The units a file describes, parents first, with the line of each commune, or every bad row.
fn plan(file: CsvFile) -> Result<(Vec<NewUnit>, HashMap<String, u64>), ImportError> {
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

/// A row's province, district (in the pre-2025 format) and commune, or all that is wrong
/// with it.
fn parse_row(row: &Row, columns: &Columns) -> Result<Vec<NewUnit>, String> {
    if !columns.contains_key("district_code") {
        return parse_two_level_row(row, columns);
    }
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
    check.finish(vec![
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

/// A two-level row: the province and the commune directly under it.
fn parse_two_level_row(row: &Row, columns: &Columns) -> Result<Vec<NewUnit>, String> {
    let field = |column: &str| row.get(columns, column);
    let mut check = Checks::default();
    let code = check.code("code", field("code"));
    let name = check.name("name", field("name"));
    let kind = commune_kind(&mut check, field("kind"));
    let province_code = check.code("province_code", field("province_code"));
    let province_name = check.name("province_name", field("province_name"));
    let province_kind = prefix_kind(&mut check, "province_name", &province_name, &PROVINCE_KINDS);
    check.finish(vec![
        NewUnit {
            code: province_code.clone(),
            name: province_name,
            kind: province_kind,
            level: UnitLevel::Province,
            parent_code: None,
        },
        NewUnit {
            code,
            name,
            kind,
            level: UnitLevel::Commune,
            parent_code: Some(province_code),
        },
    ])
}

/// The province's kind word from its name ("Thành phố Hải Phòng" → "thành phố").
pub(crate) fn province_kind(name: &str) -> Option<&'static str> {
    kind_from_prefix(name, &PROVINCE_KINDS)
}

/// The commune's kind word from its name ("Đặc khu Cô Tô" → "đặc khu").
pub(crate) fn commune_kind_of_name(name: &str) -> Option<&'static str> {
    kind_from_prefix(
        name,
        &[
            ("xa", "xã"),
            ("phuong", "phường"),
            ("thi tran", "thị trấn"),
            ("dac khu", "đặc khu"),
        ],
    )
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
