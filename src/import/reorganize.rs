//! `cnscd units reorganize`: moves a deployment begun in the three-level structure (province
//! → district → commune, until 30 June 2025) into the two-level one (province → commune),
//! following a map of where each old commune went (`vn-communes-2025-from-2024.csv`).
//!
//! One transaction: new communes are created under their new province; each old commune is
//! kept as history ("merged into X on 01/07/2025"), its villages — with everything that hangs
//! on them by village code: teams, members, consents, heads, invitations, drafts — move under
//! the new commune; its officials follow (or end, `--revoke-officials`); districts end with
//! their officials' accounts. Old communes that were divided (`split=yes`) are not guessed:
//! their villages wait "to assign" until a village file places them. A map naming a code
//! this deployment should know but does not refuses everything, by line; a second run finds
//! every row done and changes nothing; `--dry-run` rolls the whole transaction back.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};

use super::units::{commune_kind_of_name, province_kind};
use super::{bad_rows, existing_units, Checks, CsvFile, ImportError, RowError};
use crate::i18n::Texts;
use crate::storage::reorganize::{self as sql, BoundChat, Succession};
use crate::storage::{StorageError, Store, Unit, UnitLevel};

mod apply;

use apply::{apply, assign, list_to_assign, Tell};

const MAP_COLUMNS: [&str; 11] = [
    "old_code",
    "old_name",
    "old_district_code",
    "old_district_name",
    "old_province_code",
    "old_province_name",
    "new_code",
    "new_name",
    "new_province_code",
    "new_province_name",
    "split",
];
const VILLAGE_COLUMNS: [&str; 2] = ["village_code", "new_commune_code"];

/// Who the audit log says ended the accounts.
const BY: &str = "cli:reorganize";

/// The day the two-level structure took effect.
pub fn reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("a real day")
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Do everything, print it, then roll it back.
    pub dry_run: bool,
    /// End the accounts of merged communes' officials instead of moving them.
    pub revoke_officials: bool,
    /// The day old units end.
    pub effective_on: NaiveDate,
}

/// One row of the map.
#[derive(Debug, Clone)]
struct MapRow {
    line: u64,
    old_code: String,
    old_district_code: String,
    new_code: String,
    new_name: String,
    new_province_code: String,
    new_province_name: String,
    split: bool,
}

/// An old commune and what it brings (or brought) to its new commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromCommune {
    pub code: String,
    pub name: String,
    /// The row keeping the old commune: its own code, or `<code>~<yyyymmdd>` when the new
    /// commune took the code over.
    pub history_code: String,
    pub split: bool,
    /// Villages moved (for a split commune: assigned by the village file).
    pub villages: usize,
    /// Of which with a registered team.
    pub teams: i64,
}

/// A new commune and the old ones that went into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommune {
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub province_name: String,
    /// Created by this run (not there before, or an old commune's code taken over).
    pub created: bool,
    pub from: Vec<FromCommune>,
}

/// A village of a divided commune that no file placed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToAssign {
    pub village_code: String,
    pub village_name: String,
    pub old_commune: String,
    /// The new commune that took most of the old one (the map's row), a suggestion only.
    pub suggested: String,
}

/// What the reorganisation did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub new_communes: Vec<NewCommune>,
    pub to_assign: Vec<ToAssign>,
    /// Villages of divided communes placed by the village file: (village, new commune).
    pub assigned: Vec<(String, String)>,
    /// Commune officials now officials of the new commune: (chat, old commune, new commune).
    pub officials_moved: Vec<(String, String, String)>,
    /// Commune officials whose accounts ended (`--revoke-officials`).
    pub officials_revoked: Vec<BoundChat>,
    /// District officials whose accounts ended with their district.
    pub district_officials_ended: Vec<BoundChat>,
    /// Districts and provinces that ended: (code, name).
    pub units_ended: Vec<(String, String)>,
    /// Campaigns moved to a new commune: (id, new commune).
    pub campaigns_moved: Vec<(i64, String)>,
    /// Campaigns left on an area that ended, to be replaced: (id, name, area).
    pub campaigns_left: Vec<(i64, String, String)>,
    /// Communes of a district the map touches that it does not name (e.g. absorbed by the
    /// 2024 mergers, before the map's snapshot): (code, name, district). Their district
    /// stays until a map row moves them.
    pub unmapped: Vec<(String, String, String)>,
    /// Map rows done by an earlier run.
    pub already_done: usize,
    /// Map rows of districts this deployment never had.
    pub outside: usize,
    pub dry_run: bool,
}

impl Report {
    /// Whether the run changed (or would change) anything.
    pub fn changed_anything(&self) -> bool {
        !self.new_communes.is_empty() || !self.assigned.is_empty()
    }
}

/// Reads the map (and the optional village file) and applies them in one transaction; the
/// officials concerned are told in chat (`texts`), in the same transaction.
pub async fn reorganize(
    store: &Store,
    texts: &Texts,
    map: impl Read,
    villages: Option<&mut dyn Read>,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Report, ImportError> {
    let (rows, mut errors) = parse_map(CsvFile::read(map, &MAP_COLUMNS, &[])?);
    let assignments = match villages {
        Some(file) => {
            parse_villages(CsvFile::read(file, &VILLAGE_COLUMNS, &[])?).map_err(in_village_file)?
        }
        None => Vec::new(),
    };
    let mut tx = store.begin().await?;
    let units = existing_units(&mut tx).await?;
    let done: HashMap<String, Succession> = sql::successions(&mut tx)
        .await?
        .into_iter()
        .map(|s| (s.old_code.clone(), s))
        .collect();
    let mut report = Report {
        dry_run: options.dry_run,
        ..Report::default()
    };
    let todo = classify(&rows, &units, &done, &mut report, &mut errors);
    if !errors.is_empty() {
        return Err(bad_rows(errors));
    }
    let placed = check_assignments(&assignments, &units, &done, &todo, options.effective_on)
        .map_err(in_village_file)?;
    let tell = Tell {
        texts,
        now,
        on: options.effective_on,
    };
    apply(&mut tx, &todo, &units, options, &tell, &mut report).await?;
    assign(&mut tx, &placed, &mut report).await?;
    list_to_assign(&mut tx, &mut report).await?;
    if options.dry_run {
        tx.rollback().await.map_err(StorageError::from)?;
    } else {
        tx.commit().await.map_err(StorageError::from)?;
    }
    Ok(report)
}

/// Bad rows of the village file say so: the command's error names the map.
fn in_village_file(error: ImportError) -> ImportError {
    match error {
        ImportError::BadRows(rows) => ImportError::BadRows(
            rows.into_iter()
                .map(|row| RowError::new(row.line, format!("village file: {}", row.reason)))
                .collect(),
        ),
        other => other,
    }
}

/// The rows that parse, and every problem of the others.
fn parse_map(file: CsvFile) -> (Vec<MapRow>, Vec<RowError>) {
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
            Err(reason) => errors.push(RowError::new(row.line, reason)),
        }
    }
    (rows, errors)
}

fn parse_villages(file: CsvFile) -> Result<Vec<(u64, String, String)>, ImportError> {
    let mut errors = file.errors;
    let mut rows = Vec::new();
    for row in &file.rows {
        let village = row.get(&file.columns, "village_code").to_owned();
        let mut check = Checks::default();
        if village.is_empty() {
            check.push("village_code is empty".into());
        }
        let commune = check.code(
            "new_commune_code",
            row.get(&file.columns, "new_commune_code"),
        );
        match check.finish((row.line, village, commune)) {
            Ok(parsed) => rows.push(parsed),
            Err(reason) => errors.push(RowError::new(row.line, reason)),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(bad_rows(errors))
    }
}

/// The rows still to apply, after checking each against the stored units: every row names
/// a commune this deployment has (or one of a district it never had, skipped), and every
/// new code is free, a new commune already, or an old commune this map moves too.
fn classify<'a>(
    rows: &'a [MapRow],
    units: &HashMap<String, Unit>,
    done: &HashMap<String, Succession>,
    report: &mut Report,
    errors: &mut Vec<RowError>,
) -> Vec<&'a MapRow> {
    let mut todo = Vec::new();
    for row in rows {
        if done.contains_key(&row.old_code) {
            report.already_done += 1;
            continue;
        }
        match units.get(&row.old_code) {
            None if !units.contains_key(&row.old_district_code) => report.outside += 1,
            None => errors.push(RowError::new(
                row.line,
                format!(
                    "unknown commune {}: district {} has no such commune",
                    row.old_code, row.old_district_code
                ),
            )),
            Some(unit) if !under_district(unit, units) => errors.push(RowError::new(
                row.line,
                format!(
                    "{} ({}) is not a commune under a district",
                    unit.code, unit.name
                ),
            )),
            Some(_) => todo.push(row),
        }
    }
    let moving: HashSet<&str> = todo.iter().map(|r| r.old_code.as_str()).collect();
    for row in &todo {
        if let Some(unit) = units.get(&row.new_province_code) {
            if unit.level != UnitLevel::Province {
                errors.push(RowError::new(
                    row.line,
                    format!(
                        "new_province_code {} is a {}",
                        unit.code,
                        unit.level.as_str()
                    ),
                ));
            }
        }
        let Some(unit) = units.get(&row.new_code) else {
            continue;
        };
        let clash = if under_district(unit, units) {
            (!moving.contains(unit.code.as_str())).then(|| {
                format!(
                    "new code {} is {} of district {}, which this map does not move",
                    unit.code,
                    unit.name,
                    unit.parent_code.as_deref().unwrap_or("")
                )
            })
        } else if unit.level != UnitLevel::Commune
            || unit.parent_code.as_deref() != Some(row.new_province_code.as_str())
        {
            Some(format!(
                "new code {} is already {} ({}), not a commune of province {}",
                unit.code,
                unit.name,
                unit.level.as_str(),
                row.new_province_code
            ))
        } else {
            None
        };
        if let Some(reason) = clash {
            errors.push(RowError::new(row.line, reason));
        }
    }
    todo
}

/// A current commune whose parent is a district: the old structure.
fn under_district(unit: &Unit, units: &HashMap<String, Unit>) -> bool {
    unit.level == UnitLevel::Commune
        && unit.is_current()
        && unit
            .parent_code
            .as_ref()
            .and_then(|p| units.get(p))
            .is_some_and(|p| p.level == UnitLevel::District)
}

/// `code` → `code~yyyymmdd`: the history row of an old commune whose code a new one took.
fn history_code(code: &str, on: NaiveDate) -> String {
    format!("{code}~{}", on.format("%Y%m%d"))
}

/// The villages a file places: (village, from history commune, to new commune), each
/// checked to be a village of a divided commune (moved now or earlier) and a new commune.
fn check_assignments(
    rows: &[(u64, String, String)],
    units: &HashMap<String, Unit>,
    done: &HashMap<String, Succession>,
    todo: &[&MapRow],
    on: NaiveDate,
) -> Result<Vec<(String, String)>, ImportError> {
    let taken_over: HashSet<&str> = todo.iter().map(|r| r.new_code.as_str()).collect();
    let moving: HashSet<&str> = todo.iter().map(|r| r.old_code.as_str()).collect();
    // Where an old commune of this run will be kept: its code, or its history code.
    let kept = |old: &str| {
        if taken_over.contains(old) {
            history_code(old, on)
        } else {
            old.to_owned()
        }
    };
    let split_old: HashSet<String> = todo
        .iter()
        .filter(|r| r.split)
        .map(|r| kept(&r.old_code))
        .chain(
            done.values()
                .filter(|s| s.split)
                .map(|s| s.history_code.clone()),
        )
        .collect();
    let new_codes: HashSet<&str> = todo
        .iter()
        .map(|r| r.new_code.as_str())
        .chain(done.values().map(|s| s.new_code.as_str()))
        .collect();
    let mut errors = Vec::new();
    let mut placed = Vec::new();
    for (line, village, commune) in rows {
        let Some(unit) = units.get(village).filter(|u| u.level == UnitLevel::Village) else {
            errors.push(RowError::new(*line, format!("unknown village {village}")));
            continue;
        };
        if !new_codes.contains(commune.as_str()) {
            errors.push(RowError::new(
                *line,
                format!("{commune} is not a new commune of the map"),
            ));
            continue;
        }
        let stored = unit.parent_code.as_deref().unwrap_or("");
        let parent = if moving.contains(stored) {
            kept(stored)
        } else {
            stored.to_owned()
        };
        if parent == *commune {
            continue;
        }
        if !split_old.contains(&parent) {
            errors.push(RowError::new(
                *line,
                format!(
                    "village {village} is in {parent}, not in a divided commune (split=yes) of the map"
                ),
            ));
            continue;
        }
        placed.push((village.clone(), commune.clone()));
    }
    if errors.is_empty() {
        Ok(placed)
    } else {
        Err(bad_rows(errors))
    }
}
