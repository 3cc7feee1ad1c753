//! A deployment's own villages (thôn, khu dân cư, tổ dân phố), each under a stored commune.
//!
//! A row without a code keeps the code of the commune's stored village of the same (folded)
//! name, or gets the next free `{commune_code}-{NN}`: re-running a file changes nothing. A
//! code written in the file starts with `{commune_code}-` too, so no file can take a code
//! another commune's villages will be given.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::{
    apply, bad_rows, describe, existing_units, kind_from_prefix, Checks, Columns, CsvFile,
    ImportError, ImportReport, ImportedVillage, Renamed, Row, RowError,
};
use crate::domain::text::fold;
use crate::domain::units::parse_village_name;
use crate::domain::{PersonName, PhoneNumber};
use crate::storage::{NewUnit, StorageError, Store, Unit, UnitLevel};

const REQUIRED: [&str; 2] = ["commune_code", "name"];
const OPTIONAL: [&str; 3] = ["code", "head_name", "head_phone"];
/// Folded name prefix → kind word; any other name is a thôn.
const KINDS: [(&str, &str); 2] = [("khu", "khu dân cư"), ("to dan pho", "tổ dân phố")];
const DEFAULT_KIND: &str = "thôn";
const MAX_CODE_CHARS: usize = 32;

/// Creates or updates every village of the file; see the module documentation for codes.
/// A village already stored keeps its name (see [`import_villages_renaming`]).
pub async fn import_villages(
    store: &Store,
    reader: impl Read,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    import_villages_within(store, reader, None, false, now).await
}

/// Like [`import_villages`], but a stored village whose name the file spells otherwise is
/// renamed to the file's spelling (`cnscd import villages --rename`).
pub async fn import_villages_renaming(
    store: &Store,
    reader: impl Read,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    import_villages_within(store, reader, None, true, now).await
}

/// Like [`import_villages`], but every row must belong to `commune` (a commune official's
/// file sent in chat may not touch other communes).
pub async fn import_villages_of_commune(
    store: &Store,
    commune: &str,
    csv: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    import_villages_within(store, csv, Some(commune), false, now).await
}

async fn import_villages_within(
    store: &Store,
    reader: impl Read,
    only_commune: Option<&str>,
    rename: bool,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let (rows, mut errors) = parse(CsvFile::read(reader, &REQUIRED, &OPTIONAL)?);
    if let Some(commune) = only_commune {
        for row in rows.iter().filter(|r| r.commune_code != commune) {
            errors.push(RowError {
                line: row.line,
                reason: format!("commune {} is not yours ({commune})", row.commune_code),
            });
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(bad_rows(errors));
        }
    }
    let mut tx = store.begin().await?;
    let existing = existing_units(&mut tx).await?;
    let mut villages = Resolver::new(&existing, &rows).resolve(rows, &mut errors);
    if !errors.is_empty() {
        return Err(bad_rows(errors));
    }
    let (renamed, kept) = names(&mut villages, &existing, rename);
    let wanted = villages.iter().map(new_unit).collect();
    let mut report = apply(&mut tx, wanted, &existing, now).await?;
    tx.commit().await.map_err(StorageError::from)?;
    report.villages = villages;
    report.renamed = renamed;
    report.names_kept = kept;
    Ok(report)
}

/// A stored village keeps its name unless renaming was asked for: a file's "Thon Dong Son"
/// must not replace "Thôn Đông Sơn". Gives the renames and the names kept, as
/// (code, stored name, the file's name).
fn names(
    villages: &mut [ImportedVillage],
    existing: &HashMap<String, Unit>,
    rename: bool,
) -> (Vec<Renamed>, Vec<Renamed>) {
    let (mut renamed, mut kept) = (Vec::new(), Vec::new());
    for village in villages.iter_mut() {
        let Some(stored) = existing.get(&village.code) else {
            continue;
        };
        if stored.name == village.name {
            continue;
        }
        let change = Renamed {
            code: village.code.clone(),
            stored: stored.name.clone(),
            file: village.name.clone(),
        };
        if rename {
            renamed.push(change);
        } else {
            village.name = stored.name.clone();
            kept.push(change);
        }
    }
    (renamed, kept)
}

/// A row that passed every check needing no database.
struct VillageRow {
    line: u64,
    commune_code: String,
    name: String,
    folded: String,
    code: Option<String>,
    head_name: Option<String>,
    head_phone: Option<String>,
}

/// The rows of the file that are fine on their own and unique within it, and the others.
fn parse(file: CsvFile) -> (Vec<VillageRow>, Vec<RowError>) {
    let mut errors = file.errors;
    let mut rows = Vec::new();
    let mut names = HashMap::new();
    let mut codes = HashMap::new();
    for row in &file.rows {
        let checked = parse_row(row, &file.columns).and_then(|village| {
            let key = (village.commune_code.clone(), village.folded.clone());
            first_use(&mut names, key, row.line).map_err(|first| {
                format!(
                    "{:?} of commune {} is also on line {first}",
                    village.name, village.commune_code
                )
            })?;
            if let Some(code) = &village.code {
                first_use(&mut codes, code.clone(), row.line)
                    .map_err(|first| format!("code {code} is also on line {first}"))?;
            }
            Ok(village)
        });
        match checked {
            Ok(village) => rows.push(village),
            Err(reason) => errors.push(RowError::new(row.line, reason)),
        }
    }
    (rows, errors)
}

/// Records `key` as first seen on `line`, or gives the line it was first seen on.
fn first_use<K: Hash + Eq>(seen: &mut HashMap<K, u64>, key: K, line: u64) -> Result<(), u64> {
    match seen.entry(key) {
        Entry::Occupied(first) => Err(*first.get()),
        Entry::Vacant(entry) => {
            entry.insert(line);
            Ok(())
        }
    }
}

fn parse_row(row: &Row, columns: &Columns) -> Result<VillageRow, String> {
    let field = |column: &str| row.get(columns, column);
    let mut check = Checks::default();
    let commune_code = check.code("commune_code", field("commune_code"));
    let name = check
        .parsed("name", field("name"), parse_village_name)
        .unwrap_or_default();
    if field("name").is_empty() {
        check.push("name is empty".into());
    }
    let code = Some(field("code")).filter(|code| !code.is_empty());
    if let Some(code) = code.filter(|code| !valid_code(code)) {
        check.push(format!(
            "code {code:?} is not up to {MAX_CODE_CHARS} letters, digits, '-', '_' or '.'"
        ));
    } else if let Some(code) = code.filter(|code| !code.starts_with(&format!("{commune_code}-"))) {
        // Another commune's prefix would take a code its own "add village" generates later.
        check.push(format!(
            "code {code:?} must start with the commune's code: {commune_code}-"
        ));
    }
    let head_name = check.parsed("head_name", field("head_name"), PersonName::parse);
    let head_phone = check.parsed("head_phone", field("head_phone"), PhoneNumber::parse);
    check.finish(VillageRow {
        line: row.line,
        commune_code,
        folded: fold(&name),
        name,
        code: code.map(str::to_owned),
        head_name: head_name.map(String::from),
        head_phone: head_phone.map(String::from),
    })
}

fn valid_code(code: &str) -> bool {
    code.len() <= MAX_CODE_CHARS
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Gives each row its code, checking it against the stored units.
struct Resolver<'a> {
    existing: &'a HashMap<String, Unit>,
    /// (commune code, folded name) → code, of the stored villages.
    by_name: HashMap<(String, String), String>,
    /// Codes stored or written in the file: a generated code avoids them all.
    taken: HashSet<String>,
    /// Code → line of the row that got it.
    assigned: HashMap<String, u64>,
}

impl<'a> Resolver<'a> {
    fn new(existing: &'a HashMap<String, Unit>, rows: &[VillageRow]) -> Resolver<'a> {
        let mut stored: Vec<&Unit> = existing
            .values()
            .filter(|unit| unit.level == UnitLevel::Village)
            .collect();
        stored.sort_by(|a, b| a.code.cmp(&b.code));
        let mut by_name = HashMap::new();
        for unit in stored {
            if let Some(parent) = &unit.parent_code {
                let key = (parent.clone(), fold(&unit.name));
                by_name.entry(key).or_insert_with(|| unit.code.clone());
            }
        }
        let written = rows.iter().filter_map(|row| row.code.clone());
        Resolver {
            existing,
            by_name,
            taken: existing.keys().cloned().chain(written).collect(),
            assigned: HashMap::new(),
        }
    }

    fn resolve(
        mut self,
        rows: Vec<VillageRow>,
        errors: &mut Vec<RowError>,
    ) -> Vec<ImportedVillage> {
        let mut villages = Vec::new();
        for row in rows {
            match self.village(row) {
                Ok(village) => villages.push(village),
                Err(error) => errors.push(error),
            }
        }
        villages
    }

    fn village(&mut self, row: VillageRow) -> Result<ImportedVillage, RowError> {
        let failed = |reason| RowError::new(row.line, reason);
        self.check_commune(&row.commune_code).map_err(failed)?;
        let code = match &row.code {
            Some(code) => self.check_written(&row, code).map_err(failed)?,
            None => self.stored_or_new(&row),
        };
        first_use(&mut self.assigned, code.clone(), row.line)
            .map_err(|first| failed(format!("code {code} is also given to line {first}")))?;
        Ok(ImportedVillage {
            // A code found by the village's name is not new: only a new one was generated.
            generated_code: row.code.is_none() && !self.existing.contains_key(&code),
            code,
            name: row.name,
            commune_code: row.commune_code,
            head_name: row.head_name,
            head_phone: row.head_phone,
        })
    }

    fn check_commune(&self, code: &str) -> Result<(), String> {
        match self.existing.get(code) {
            None => Err(format!("commune {code} does not exist")),
            Some(unit) if unit.level != UnitLevel::Commune => {
                let unit = describe(unit.level.as_str(), &unit.name, None);
                Err(format!("{code} is {unit}, not a commune"))
            }
            Some(Unit {
                ended_on: Some(on),
                merged_into,
                name,
                ..
            }) => Err(format!(
                "commune {code} ({name}) ended on {on}{}: its villages belong to the new commune",
                merged_into
                    .as_ref()
                    .map(|c| format!(", merged into {c}"))
                    .unwrap_or_default()
            )),
            Some(_) => Ok(()),
        }
    }

    /// A code from the file: new, or already this commune's village.
    fn check_written(&self, row: &VillageRow, code: &str) -> Result<String, String> {
        if let Some(unit) = self.existing.get(code) {
            let parent = unit.parent_code.as_deref();
            if unit.level != UnitLevel::Village || parent != Some(row.commune_code.as_str()) {
                let unit = describe(unit.level.as_str(), &unit.name, parent);
                return Err(format!("code {code} is already {unit}"));
            }
        }
        match self
            .by_name
            .get(&(row.commune_code.clone(), row.folded.clone()))
        {
            Some(other) if other != code => Err(format!(
                "commune {} already has {:?} with code {other}",
                row.commune_code, row.name
            )),
            _ => Ok(code.to_owned()),
        }
    }

    /// The stored village of the same name, or the commune's lowest free number.
    fn stored_or_new(&mut self, row: &VillageRow) -> String {
        let key = (row.commune_code.clone(), row.folded.clone());
        if let Some(code) = self.by_name.get(&key) {
            return code.clone();
        }
        let mut number = 1u32;
        loop {
            let code = format!("{}-{number:02}", row.commune_code);
            if self.taken.insert(code.clone()) {
                return code;
            }
            number += 1;
        }
    }
}

fn new_unit(village: &ImportedVillage) -> NewUnit {
    NewUnit {
        code: village.code.clone(),
        name: village.name.clone(),
        kind: kind_from_prefix(&village.name, &KINDS)
            .unwrap_or(DEFAULT_KIND)
            .to_owned(),
        level: UnitLevel::Village,
        parent_code: Some(village.commune_code.clone()),
    }
}
