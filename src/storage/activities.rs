//! What the teams did: the entries members and heads log in chat and the lines of
//! `cnscd activity import`. An entry is written once per update (its `dedup_key`), may be
//! completed from the dialogue that saved it (households, another day, a note), and keeps
//! counting for its team after its author is erased (their number and name are blanked).
//! The reports' aggregations read the table elsewhere.

use chrono::{DateTime, NaiveDate, Utc};

use super::{now_text, StorageError, StorageResult, Tx};
use crate::domain::activity::entry::Completion;
use crate::domain::PhoneNumber;

/// An entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub unit_code: String,
    pub kind: String,
    pub people: u32,
    pub households: Option<u32>,
    pub done_on: NaiveDate,
    pub note: Option<String>,
    /// Who logged it: a member's listed number and name; `None` for the head's account or an
    /// import line without a phone.
    pub by: Option<(PhoneNumber, String)>,
    /// `telegram`, `zalo`, `zalo_bot`, `console` or `import`.
    pub source: String,
    /// The update (or import line) that made it: the same one twice writes one entry.
    pub dedup_key: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredActivity {
    pub id: i64,
    pub entry: NewActivity,
    pub recorded_at: String,
}

/// What a person logged last, for the one-tap "repeat".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastActivity {
    pub unit_code: String,
    pub kind: String,
    pub people: u32,
}

/// Writes `entry`; `false` when an entry with its dedup key exists already (the same update
/// delivered twice, the same import line again): nothing is written then.
#[tracing::instrument(skip_all, fields(unit = %entry.unit_code))]
pub async fn record(
    tx: &mut Tx<'_>,
    entry: &NewActivity,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let (by_phone, by_name) = match &entry.by {
        Some((phone, name)) => (Some(phone.e164().to_owned()), Some(name.clone())),
        None => (None, None),
    };
    let done = sqlx::query(
        "INSERT INTO activities (unit_code, kind, people, households, done_on, note, by_phone,
                                 by_name, source, dedup_key, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&entry.unit_code)
    .bind(&entry.kind)
    .bind(i64::from(entry.people))
    .bind(entry.households.map(i64::from))
    .bind(entry.done_on.to_string())
    .bind(entry.note.as_deref())
    .bind(by_phone)
    .bind(by_name)
    .bind(&entry.source)
    .bind(entry.dedup_key.as_deref())
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether an entry with this dedup key exists.
pub async fn exists(tx: &mut Tx<'_>, dedup_key: &str) -> StorageResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM activities WHERE dedup_key = $1")
        .bind(dedup_key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

/// Completes the entry saved with `dedup_key` for `unit_code`; `false` when there is none.
pub async fn complete(
    tx: &mut Tx<'_>,
    dedup_key: &str,
    unit_code: &str,
    completion: &Completion,
) -> StorageResult<bool> {
    let query = match completion {
        Completion::Households(n) => sqlx::query(
            "UPDATE activities SET households = $3 WHERE dedup_key = $1 AND unit_code = $2",
        )
        .bind(dedup_key)
        .bind(unit_code)
        .bind(i64::from(n.get())),
        Completion::Day(day) => sqlx::query(
            "UPDATE activities SET done_on = $3 WHERE dedup_key = $1 AND unit_code = $2",
        )
        .bind(dedup_key)
        .bind(unit_code)
        .bind(day.date().to_string()),
        Completion::Note(note) => {
            sqlx::query("UPDATE activities SET note = $3 WHERE dedup_key = $1 AND unit_code = $2")
                .bind(dedup_key)
                .bind(unit_code)
                .bind(note.as_str().to_owned())
        }
    };
    let done = query.execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// What the member with `phone` logged last, in any team.
pub async fn last_by_phone(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
) -> StorageResult<Option<LastActivity>> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT unit_code, kind, people FROM activities
         WHERE by_phone = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(phone.e164())
    .fetch_optional(&mut **tx)
    .await?;
    last(row)
}

/// What the head's account of `unit_code` logged last (entries logged without a member's
/// number, outside an import).
pub async fn last_by_head(tx: &mut Tx<'_>, unit_code: &str) -> StorageResult<Option<LastActivity>> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT unit_code, kind, people FROM activities
         WHERE unit_code = $1 AND by_phone IS NULL AND source <> 'import'
         ORDER BY id DESC LIMIT 1",
    )
    .bind(unit_code)
    .fetch_optional(&mut **tx)
    .await?;
    last(row)
}

fn last(row: Option<(String, String, i64)>) -> StorageResult<Option<LastActivity>> {
    row.map(|(unit_code, kind, people)| {
        Ok(LastActivity {
            unit_code,
            kind,
            people: count(people)?,
        })
    })
    .transpose()
}

fn count(n: i64) -> StorageResult<u32> {
    u32::try_from(n).map_err(|_| StorageError::Corrupt(format!("activity count {n}")))
}

/// How many entries the member with `phone` logged (`/dulieu` says so).
pub async fn count_by_phone(tx: &mut Tx<'_>, phone: &PhoneNumber) -> StorageResult<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activities WHERE by_phone = $1")
        .bind(phone.e164())
        .fetch_one(&mut **tx)
        .await?;
    count(n)
}

/// Erasure: the entries `phone` logged stay for their team's counts, without their number
/// and name. Returns how many were blanked.
pub async fn forget_author(tx: &mut Tx<'_>, phone: &PhoneNumber) -> StorageResult<u64> {
    let done =
        sqlx::query("UPDATE activities SET by_phone = NULL, by_name = NULL WHERE by_phone = $1")
            .bind(phone.e164())
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected())
}

/// The entries of `unit_code`, oldest first (tests, and whoever reads a team's log whole).
pub async fn of_unit(tx: &mut Tx<'_>, unit_code: &str) -> StorageResult<Vec<StoredActivity>> {
    type Row = (
        i64,
        String,
        String,
        i64,
        Option<i64>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, unit_code, kind, people, households, done_on, note, by_phone, by_name,
                source, dedup_key, recorded_at
         FROM activities WHERE unit_code = $1 ORDER BY id",
    )
    .bind(unit_code)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            let by = match (r.7, r.8) {
                (Some(phone), Some(name)) => Some((
                    PhoneNumber::parse(&phone)
                        .map_err(|_| StorageError::Corrupt("activity by_phone".into()))?,
                    name,
                )),
                _ => None,
            };
            Ok(StoredActivity {
                id: r.0,
                entry: NewActivity {
                    unit_code: r.1,
                    kind: r.2,
                    people: count(r.3)?,
                    households: r.4.map(count).transpose()?,
                    done_on: r
                        .5
                        .parse()
                        .map_err(|_| StorageError::Corrupt(format!("activity day {}", r.5)))?,
                    note: r.6,
                    by,
                    source: r.9,
                    dedup_key: r.10,
                },
                recorded_at: r.11,
            })
        })
        .collect()
}

/// Writes every entry of an import in `tx`: (written, already there).
pub async fn record_all(
    tx: &mut Tx<'_>,
    entries: &[NewActivity],
    now: DateTime<Utc>,
) -> StorageResult<(usize, usize)> {
    let mut written = 0;
    for entry in entries {
        if record(tx, entry, now).await? {
            written += 1;
        }
    }
    Ok((written, entries.len() - written))
}
