//! One row of the units file read into its province, district (before 2025) and commune,
//! with the kind words their names and columns must carry.

use super::super::{kind_from_prefix, Checks, Columns, Problem, Row};
use crate::domain::text::clean;
use crate::storage::{NewUnit, UnitLevel};

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

/// A row's province, district (in the pre-2025 format) and commune, or all that is wrong
/// with it.
pub(super) fn parse_row(row: &Row, columns: &Columns) -> Result<Vec<NewUnit>, Vec<Problem>> {
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
fn parse_two_level_row(row: &Row, columns: &Columns) -> Result<Vec<NewUnit>, Vec<Problem>> {
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
