//! `cnscd activity import FILE`: what a team wrote on paper, one activity a line — unit
//! code, kind (its code, or its Vietnamese or English name, with or without diacritics),
//! people, households (optional), day (dd/mm/yyyy or yyyy-mm-dd), note (optional), the
//! member's phone (optional: a member of that unit's team). All or nothing: any bad line
//! and nothing is written, every problem listed by line. Each line is written once: a line
//! imported before (the same values, the same occurrence in its file) adds nothing.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::csv_file::{CsvFile, Layout};
use super::{bad_rows, ImportError, Problem, RowError};
use crate::clock::vietnam_date;
use crate::domain::activity::entry::{DayDone, Households, Note, People};
use crate::domain::{ActivityRules, PhoneNumber};
use crate::storage::activities::{self, NewActivity};
use crate::storage::units::all_units_in_tx;
use crate::storage::{directory, StorageError, Store};

const REQUIRED: [&str; 4] = ["unit_code", "kind", "people", "day"];
const OPTIONAL: [&str; 3] = ["households", "note", "phone"];
/// Folded header → column; `""` is read and ignored (a sheet's row number).
const ALIASES: [(&str, &str); 16] = [
    ("ma", "unit_code"),
    ("ma don vi", "unit_code"),
    ("ma thon", "unit_code"),
    ("unit", "unit_code"),
    ("loai", "kind"),
    ("loai hoat dong", "kind"),
    ("hoat dong", "kind"),
    ("so nguoi", "people"),
    ("so ho", "households"),
    ("ngay", "day"),
    ("date", "day"),
    ("ghi chu", "note"),
    ("so dien thoai", "phone"),
    ("sdt", "phone"),
    ("stt", ""),
    ("tt", ""),
];
const LAYOUT: Layout<'static> = Layout {
    required: &REQUIRED,
    optional: &OPTIONAL,
    aliases: &ALIASES,
};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityImport {
    /// Lines written now.
    pub added: usize,
    /// Lines written by an earlier import of the same lines: nothing added for them.
    pub already: usize,
}

/// Reads the whole file, checks every line, then writes all of it in one transaction.
pub async fn import_activities(
    store: &Store,
    rules: &ActivityRules,
    reader: impl Read,
    now: DateTime<Utc>,
) -> Result<ActivityImport, ImportError> {
    let file = CsvFile::read_as(reader, &LAYOUT)?;
    let mut errors = file.errors;
    let today = vietnam_date(now);
    let mut tx = store.begin().await?;
    let units: HashSet<String> = all_units_in_tx(&mut tx)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    let mut entries = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &file.rows {
        let get = |column| row.get(&file.columns, column);
        let mut problems = Vec::new();
        let unit = get("unit_code").to_owned();
        if unit.is_empty() {
            problems.push(Problem::Empty("unit_code"));
        } else if !units.contains(&unit) {
            problems.push(Problem::Other(format!("no unit with the code {unit:?}")));
        }
        let kind = match rules.kind_named(get("kind")) {
            Some(kind) => kind.code.clone(),
            None => {
                let known: Vec<&str> = rules.kinds.iter().map(|k| k.code.as_str()).collect();
                problems.push(Problem::Other(format!(
                    "kind {:?} is none of {}",
                    clip(get("kind")),
                    known.join(", ")
                )));
                String::new()
            }
        };
        let mut field = |column: &str, read: Result<u32, _>| match read {
            Ok(n) => Some(n),
            Err(error) => {
                problems.push(Problem::Other(format!("{column}: {error}")));
                None
            }
        };
        let people = field("people", People::parse(get("people")).map(People::get));
        let households = match get("households") {
            "" => None,
            text => field("households", Households::parse(text).map(Households::get)),
        };
        let day = match DayDone::parse(get("day"), today) {
            Ok(day) => Some(day.date()),
            Err(error) => {
                problems.push(Problem::Other(format!("day: {error}")));
                None
            }
        };
        let note = match get("note") {
            "" => None,
            text => match Note::parse(text) {
                Ok(note) => Some(note.into_string()),
                Err(error) => {
                    problems.push(Problem::Other(format!("note: {error}")));
                    None
                }
            },
        };
        let by = match get("phone") {
            "" => None,
            text => match PhoneNumber::parse(text) {
                Ok(phone) => {
                    let listed = directory::memberships(&mut tx, &phone).await?;
                    match listed.into_iter().find(|(code, _, _)| *code == unit) {
                        Some((_, name, _)) => Some((phone, name)),
                        None => {
                            problems.push(Problem::Other(format!(
                                "phone {} is not a member of the team of {unit}",
                                phone.national()
                            )));
                            None
                        }
                    }
                }
                Err(error) => {
                    problems.push(Problem::Other(format!("phone: {error}")));
                    None
                }
            },
        };
        let (Some(people), Some(day), true) = (people, day, problems.is_empty()) else {
            errors.push(RowError::many(row.line, problems));
            continue;
        };
        let mut entry = NewActivity {
            unit_code: unit,
            kind,
            people,
            households,
            done_on: day,
            note,
            by,
            source: "import".to_owned(),
            dedup_key: None,
        };
        entry.dedup_key = Some(dedup_key(&entry, &mut seen));
        entries.push(entry);
    }
    if !errors.is_empty() {
        return Err(bad_rows(errors));
    }
    let (added, already) = activities::record_all(&mut tx, &entries, now).await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(ActivityImport { added, already })
}

/// The line's values, and how many identical lines came before it in the file (two equal
/// lines of a paper sheet are two activities): the same line imported again has the same key.
fn dedup_key(entry: &NewActivity, seen: &mut HashMap<String, usize>) -> String {
    let values = format!(
        "{}|{}|{}|{:?}|{}|{:?}|{:?}",
        entry.unit_code,
        entry.kind,
        entry.people,
        entry.households,
        entry.done_on,
        entry.note,
        entry.by.as_ref().map(|(phone, _)| phone.e164()),
    );
    let occurrence = seen.entry(values.clone()).or_default();
    *occurrence += 1;
    let digest = Sha256::digest(format!("{values}#{occurrence}").as_bytes());
    format!("import:{}", hex::encode(digest))
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}
