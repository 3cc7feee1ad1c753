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

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};

use super::{bad_rows, existing_units, CsvFile, ImportError};
use crate::i18n::Texts;
use crate::storage::reorganize::{self as sql, BoundChat, Succession};
use crate::storage::{StorageError, Store, Unit, UnitLevel};

mod apply;
mod checks;
mod divided;
mod parse;

use apply::{apply, Tell};
use checks::{check_assignments, classify};
use divided::{assign, list_to_assign};
use parse::{in_village_file, parse_map, parse_villages};

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
