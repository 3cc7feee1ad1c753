//! Checking the map and the village file against the stored units before anything moves.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::super::{bad_rows, ImportError, RowError};
use super::{history_code, under_district, MapRow, Report};
use crate::storage::reorganize::Succession;
use crate::storage::{Unit, UnitLevel};

/// The rows still to apply, after checking each against the stored units: every row names
/// a commune this deployment has (or one of a district it never had, skipped), and every
/// new code is free, a new commune already, or an old commune this map moves too.
pub(super) fn classify<'a>(
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

/// The villages a file places: (village, from history commune, to new commune), each
/// checked to be a village of a divided commune (moved now or earlier) and a new commune.
pub(super) fn check_assignments(
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
