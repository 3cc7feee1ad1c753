//! Reading the reorganisation map and the village file into rows, each problem named by line.

use std::collections::HashMap;

use super::super::units::{commune_kind_of_name, province_kind};
use super::super::{bad_rows, Checks, CsvFile, ImportError, RowError};
use super::MapRow;

/// Bad rows of the village file say so: the command's error names the map.
pub(super) fn in_village_file(error: ImportError) -> ImportError {
    match error {
        ImportError::BadRows(rows) => ImportError::BadRows(
            rows.into_iter()
                .map(|row| RowError::new(row.line, format!("village file: {}", row.reason())))
                .collect(),
        ),
        other => other,
    }
}

/// The rows that parse, and every problem of the others.
pub(super) fn parse_map(file: CsvFile) -> (Vec<MapRow>, Vec<RowError>) {
    let mut errors = file.errors;
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut new_names: HashMap<String, (String, String, u64)> = HashMap::new();
    for row in &file.rows {
        let field = |column: &str| row.get(&file.columns, column);
        let mut check = Checks::default();
        let old_code = check.code("old_code", field("old_code"));
        check.name("old_name", field("old_name"));
        let old_district_code = check.code("old_district_code", field("old_district_code"));
        let new_code = check.code("new_code", field("new_code"));
        let new_name = check.name("new_name", field("new_name"));
        let new_province_code = check.code("new_province_code", field("new_province_code"));
        let new_province_name = check.name("new_province_name", field("new_province_name"));
        if !new_name.is_empty() && commune_kind_of_name(&new_name).is_none() {
            check.push(format!(
                "new_name {new_name:?} does not start with Xã, Phường or Đặc khu"
            ));
        }
        if !new_province_name.is_empty() && province_kind(&new_province_name).is_none() {
            check.push(format!(
                "new_province_name {new_province_name:?} does not start with Tỉnh or Thành phố"
            ));
        }
        let split = match field("split").to_lowercase().as_str() {
            "yes" => true,
            "no" | "" => false,
            other => {
                check.push(format!("split {other:?} is not yes or no"));
                false
            }
        };
        if let Some(first) = seen.get(&old_code) {
            check.push(format!("old commune {old_code} is also on line {first}"));
        }
        let wanted = (new_name.clone(), new_province_code.clone(), row.line);
        match new_names.get(&new_code) {
            Some((name, province, first)) if (name, province) != (&new_name, &new_province_code) => {
                check.push(format!(
                    "new commune {new_code} is {name:?} in {province} on line {first} but {new_name:?} in {new_province_code} here"
                ))
            }
            Some(_) => {}
            None => {
                new_names.insert(new_code.clone(), wanted);
            }
        }
        seen.entry(old_code.clone()).or_insert(row.line);
        let parsed = MapRow {
            line: row.line,
            old_code,
            old_district_code,
            new_code,
            new_name,
            new_province_code,
            new_province_name,
            split,
        };
        match check.finish(parsed) {
            Ok(parsed) => rows.push(parsed),
            Err(problems) => errors.push(RowError::many(row.line, problems)),
        }
    }
    (rows, errors)
}

pub(super) fn parse_villages(file: CsvFile) -> Result<Vec<(u64, String, String)>, ImportError> {
    let mut errors = file.errors;
    let mut rows = Vec::new();
    for row in &file.rows {
        let village = row.get(&file.columns, "village_code").to_owned();
        let mut check = Checks::default();
        if village.is_empty() {
            check.push("village_code is empty");
        }
        let commune = check.code(
            "new_commune_code",
            row.get(&file.columns, "new_commune_code"),
        );
        match check.finish((row.line, village, commune)) {
            Ok(parsed) => rows.push(parsed),
            Err(problems) => errors.push(RowError::many(row.line, problems)),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(bad_rows(errors))
    }
}
