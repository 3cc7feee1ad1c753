//! A deployment's own villages (thôn, khu dân cư, tổ dân phố), each under a stored commune.
//!
//! A row without a code keeps the code of the commune's stored village of the same (folded)
//! name, or gets the next free `{commune_code}-{NN}`: re-running a file changes nothing. A
//! code written in the file starts with `{commune_code}-` too, so no file can take a code
//! another commune's villages will be given.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::Hash;
use std::io::Read;

use chrono::{DateTime, Utc};

use super::csv_file::Layout;
use super::{
    apply, bad_rows, existing_units, kind_from_prefix, Checks, Columns, CsvFile, ImportError,
    ImportReport, ImportedVillage, Problem, Renamed, Row, RowError,
};
use crate::domain::text::fold;
use crate::domain::units::parse_village_name;
use crate::domain::{PersonName, PhoneNumber, UnitCode};
use crate::storage::{NewUnit, StorageError, Store, Unit, UnitLevel};

mod resolve;

use super::population::{read_figures, store_figures, UnitFigures};

use resolve::Resolver;

/// Without `commune_code`, a file sent in chat is of the official's own commune; the
/// command line asks for the column.
const REQUIRED: [&str; 1] = ["name"];
const OPTIONAL: [&str; 6] = [
    "commune_code",
    "code",
    "head_name",
    "head_phone",
    "population",
    "households",
];
/// The names Vietnamese spreadsheets give the columns (folded, punctuation as spaces).
const ALIASES: [(&str, &str); 25] = [
    ("ma xa", "commune_code"),
    ("ma xa phuong", "commune_code"),
    ("ma don vi", "commune_code"),
    ("ten thon", "name"),
    ("ten", "name"),
    ("thon", "name"),
    ("ten thon to dan pho", "name"),
    ("ten thon tdp", "name"),
    ("ten khu dan cu", "name"),
    ("ma thon", "code"),
    ("truong thon", "head_name"),
    ("ten truong thon", "head_name"),
    ("ho ten truong thon", "head_name"),
    ("ho va ten truong thon", "head_name"),
    ("so dien thoai", "head_phone"),
    ("dien thoai", "head_phone"),
    ("sdt", "head_phone"),
    ("sdt truong thon", "head_phone"),
    ("so dien thoai truong thon", "head_phone"),
    ("so dan", "population"),
    ("dan so", "population"),
    ("so ho", "households"),
    ("stt", ""),
    ("tt", ""),
    ("so tt", ""),
];
const LAYOUT: Layout<'static> = Layout {
    required: &REQUIRED,
    optional: &OPTIONAL,
    aliases: &ALIASES,
};
/// Folded name prefix → kind word; any other name is a thôn.
const KINDS: [(&str, &str); 2] = [("khu", "khu dân cư"), ("to dan pho", "tổ dân phố")];
const DEFAULT_KIND: &str = "thôn";
const MAX_CODE_CHARS: usize = crate::domain::units::UNIT_CODE_MAX;

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

/// The most rows a file sent in chat may have: a commune has tens of villages, a few
/// hundred after the 2025 mergers; a longer file is a mistake, and refused before any work.
pub const MAX_CHAT_ROWS: usize = 1_000;

/// Like [`import_villages`], but every row must belong to `commune` (a commune official's
/// file sent in chat may not touch other communes); a file without a `commune_code` column
/// is of that commune. At most [`MAX_CHAT_ROWS`] rows.
pub async fn import_villages_of_commune(
    store: &Store,
    commune: &str,
    file: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    import_villages_within(store, file, Some(commune), false, now).await
}

async fn import_villages_within(
    store: &Store,
    reader: impl Read,
    only_commune: Option<&str>,
    rename: bool,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let file = CsvFile::read_as(reader, &LAYOUT)?;
    let rows_in_file = file.rows.len() + file.errors.len();
    if only_commune.is_some() && rows_in_file > MAX_CHAT_ROWS {
        return Err(ImportError::TooManyRows {
            rows: rows_in_file,
            max: MAX_CHAT_ROWS,
        });
    }
    let assumed_commune = !file.columns.contains_key("commune_code");
    if assumed_commune && only_commune.is_none() {
        let missing = Problem::MissingColumns("commune_code".into());
        return Err(bad_rows(vec![RowError::new(1, missing)]));
    }
    let (rows, mut errors) = parse(file, only_commune.unwrap_or_default());
    if let Some(commune) = only_commune {
        for row in rows.iter().filter(|r| r.commune_code != commune) {
            let problem = Problem::NotYours {
                commune: row.commune_code.clone(),
                yours: commune.to_owned(),
            };
            errors.push(RowError::new(row.line, problem));
        }
        if !errors.is_empty() {
            return Err(bad_rows(errors));
        }
    }
    let mut tx = store.begin().await?;
    let existing = existing_units(&mut tx).await?;
    let figures: Vec<UnitFigures> = rows.iter().map(|row| row.figures).collect();
    let mut villages = Resolver::new(&existing, &rows).resolve(rows, &mut errors);
    if !errors.is_empty() {
        return Err(bad_rows(errors));
    }
    // Every row resolved, in order: each village's residents and households by its code.
    let figures: Vec<(String, UnitFigures)> = villages
        .iter()
        .zip(figures)
        .map(|(village, figures)| (village.code.clone(), figures))
        .collect();
    let (renamed, kept) = names(&mut villages, &existing, rename);
    let wanted = villages.iter().map(new_unit).collect();
    let mut report = apply(&mut tx, wanted, &existing, now).await?;
    store_figures(&mut tx, &figures).await?;
    tx.commit().await.map_err(StorageError::from)?;
    report.villages = villages;
    report.renamed = renamed;
    report.names_kept = kept;
    report.assumed_commune = assumed_commune;
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
    /// The optional `population` and `households` columns.
    figures: UnitFigures,
}

/// The rows of the file that are fine on their own and unique within it, and the others.
/// A file without a commune column is of `own_commune`.
fn parse(file: CsvFile, own_commune: &str) -> (Vec<VillageRow>, Vec<RowError>) {
    let mut errors = file.errors;
    let mut rows = Vec::new();
    let mut names = HashMap::new();
    let mut codes = HashMap::new();
    for row in &file.rows {
        let checked = parse_row(row, &file.columns, own_commune).and_then(|village| {
            let key = (village.commune_code.clone(), village.folded.clone());
            first_use(&mut names, key, row.line).map_err(|first| {
                vec![Problem::NameTwice {
                    name: village.name.clone(),
                    commune: village.commune_code.clone(),
                    first,
                }]
            })?;
            if let Some(code) = &village.code {
                first_use(&mut codes, code.clone(), row.line).map_err(|first| {
                    let code = code.clone();
                    vec![Problem::CodeTwice { code, first }]
                })?;
            }
            Ok(village)
        });
        match checked {
            Ok(village) => rows.push(village),
            Err(problems) => errors.push(RowError::many(row.line, problems)),
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

fn parse_row(row: &Row, columns: &Columns, own_commune: &str) -> Result<VillageRow, Vec<Problem>> {
    let field = |column: &str| row.get(columns, column);
    let mut check = Checks::default();
    let commune_code = if columns.contains_key("commune_code") {
        check.code("commune_code", field("commune_code"))
    } else {
        own_commune.to_owned()
    };
    let name = check
        .parsed(field("name"), parse_village_name, Problem::Name)
        .unwrap_or_default();
    if field("name").is_empty() {
        check.push(Problem::Empty("name"));
    }
    let code = Some(field("code")).filter(|code| !code.is_empty());
    if let Some(code) = code.filter(|code| !valid_code(code)) {
        let code = code.chars().take(MAX_CODE_CHARS + 1).collect();
        check.push(Problem::BadCode {
            code,
            max: MAX_CODE_CHARS,
        });
    } else if let Some(code) = code.filter(|code| !code.starts_with(&format!("{commune_code}-"))) {
        // Another commune's prefix would take a code its own "add village" generates later.
        check.push(Problem::CodeOutsideCommune {
            code: code.to_owned(),
            commune: commune_code.clone(),
        });
    }
    let head_name = check.parsed(field("head_name"), PersonName::parse, Problem::HeadName);
    let head_phone = check.parsed(field("head_phone"), PhoneNumber::parse, Problem::HeadPhone);
    let figures = read_figures(row, columns).unwrap_or_else(|problems| {
        problems.into_iter().for_each(|problem| check.push(problem));
        UnitFigures::default()
    });
    check.finish(VillageRow {
        line: row.line,
        commune_code,
        folded: fold(&name),
        name,
        code: code.map(str::to_owned),
        head_name: head_name.map(String::from),
        head_phone: head_phone.map(String::from),
        figures,
    })
}

fn valid_code(code: &str) -> bool {
    code.len() <= MAX_CODE_CHARS && UnitCode::parse(code).is_ok_and(|c| c.as_str() == code)
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
