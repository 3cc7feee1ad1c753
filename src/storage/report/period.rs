//! What a period report is built from (`cnscd report --period`): the activities of the units
//! of a scope in a period, summed in SQL per unit and kind, the units' population, the last
//! activity of each unit (for villages gone quiet), the communes' reports for the period and
//! the residents' requests for help asked in it (by `created_at`, in Vietnam's days).
//!
//! A commune whose report for the period is approved is locked: its entries recorded after
//! `decided_at` are summed apart, as late, so the approved figures read the same forever.
//! A year of a province (about 470,000 entries) sums in well under a second: the sums are
//! `GROUP BY`s over the `activities_unit_day` index, never rows read one by one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::super::{StorageError, StorageResult, Store};
use crate::domain::help::RequestStatus;
use crate::domain::period::Period;

/// The units of the scope: `$1` and its descendants, or every unit when `$1` is empty (no
/// unit has an empty code), so both cases bind the same parameters.
fn scoped(scope: Option<&str>, body: &str) -> String {
    let units = match scope {
        Some(_) => {
            "WITH RECURSIVE scope (code, depth) AS (
             SELECT code, 0 FROM units WHERE code = $1
             UNION ALL
             SELECT u.code, s.depth + 1 FROM units u JOIN scope s ON u.parent_code = s.code
             WHERE s.depth < 16
         ) "
        }
        None => "WITH scope (code) AS (SELECT code FROM units WHERE code <> $1) ",
    };
    format!("{units}{body}")
}

/// The approved report of the entry's commune (a village's parent, or the commune itself for
/// its own team) for period `$4`, if any: the lock an entry is read against.
const LOCK_JOIN: &str = "JOIN units u ON u.code = a.unit_code
     LEFT JOIN period_reports p ON p.period = $4 AND p.status = 'approved'
         AND p.unit_code = CASE WHEN u.level = 'village' THEN u.parent_code ELSE u.code END";
/// 1 for an entry recorded after its commune's approval of the period.
const LATE: &str =
    "CASE WHEN p.decided_at IS NOT NULL AND a.recorded_at > p.decided_at THEN 1 ELSE 0 END";

/// One unit's entries of one kind in the period, on time or late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitySum {
    pub unit_code: String,
    pub kind: String,
    /// Recorded after the commune's report for the period was approved.
    pub late: bool,
    pub entries: u64,
    pub people: u64,
    pub households: u64,
}

/// A commune's report for the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodReportState {
    pub unit_code: String,
    /// `submitted`, `returned` or `approved`.
    pub status: String,
    pub decided_at: Option<String>,
}

/// Everything a period report adds to the [`Sweep`](super::Sweep) of its scope.
#[derive(Debug, Clone, Default)]
pub struct PeriodSweep {
    pub sums: Vec<ActivitySum>,
    /// Unit code → (population, households), for units with either figure.
    pub population: HashMap<String, (Option<u64>, Option<u64>)>,
    /// Unit code → the day of its last entry on or before the period's last day (entries
    /// recorded after a lock left out); units never active are absent.
    pub last_activity: HashMap<String, NaiveDate>,
    pub reports: Vec<PeriodReportState>,
    /// The help requests asked in the period, one by one (a province's year is a few
    /// thousand: their times are subtracted in Rust, the same on both engines).
    pub help: Vec<HelpFacts>,
}

/// What a period report counts of one help request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpFacts {
    pub unit_code: String,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<u8>,
}

/// The first moment of `day` in Vietnam, as stored times are written.
fn vietnam_midnight(day: NaiveDate) -> String {
    let local = day.and_time(chrono::NaiveTime::MIN);
    let utc = local - chrono::Duration::hours(7);
    super::super::now_text(utc.and_utc())
}

fn time(text: Option<String>) -> StorageResult<Option<DateTime<Utc>>> {
    text.map(|text| {
        super::super::parse_time(&text)
            .ok_or_else(|| StorageError::Corrupt(format!("help request time {text:?}")))
    })
    .transpose()
}

fn count(row: &super::super::DbRow, column: &str) -> StorageResult<u64> {
    let value: Option<i64> = row.try_get(column)?;
    Ok(value.unwrap_or(0).max(0) as u64)
}

fn day(text: &str) -> StorageResult<NaiveDate> {
    text.parse()
        .map_err(|_| StorageError::Corrupt(format!("activity day {text:?}")))
}

impl Store {
    /// The activities and figures of `scope` (`None`: the whole country) for `period`.
    #[tracing::instrument(skip(self))]
    pub async fn period_sweep(
        &self,
        scope: Option<&str>,
        period: Period,
    ) -> StorageResult<PeriodSweep> {
        let code = scope.unwrap_or("");
        let (first, last) = (
            period.first_day().to_string(),
            period.last_day().to_string(),
        );
        let period_text = period.to_string();
        let sums_sql = scoped(
            scope,
            &format!(
                "SELECT a.unit_code, a.kind, {LATE} AS late, COUNT(*) AS entries,
                     CAST(SUM(a.people) AS BIGINT) AS people,
                     CAST(SUM(COALESCE(a.households, 0)) AS BIGINT) AS households
                 FROM scope s JOIN activities a ON a.unit_code = s.code
                 {LOCK_JOIN}
                 WHERE a.done_on >= $2 AND a.done_on <= $3
                 GROUP BY a.unit_code, a.kind, {LATE}"
            ),
        );
        let last_sql = scoped(
            scope,
            &format!(
                "SELECT a.unit_code, MAX(a.done_on) AS last_day
                 FROM scope s JOIN activities a ON a.unit_code = s.code
                 {LOCK_JOIN}
                 WHERE a.done_on <= $3 AND a.done_on >= $2 AND {LATE} = 0
                 GROUP BY a.unit_code"
            ),
        );
        let population_sql = scoped(
            scope,
            "SELECT u.code, u.population, u.households FROM scope s JOIN units u ON u.code = s.code
             WHERE u.population IS NOT NULL OR u.households IS NOT NULL",
        );
        let reports_sql = scoped(
            scope,
            "SELECT p.unit_code, p.status, p.decided_at
             FROM scope s JOIN period_reports p ON p.unit_code = s.code WHERE p.period = $2",
        );
        let sums = sqlx::query(&sums_sql)
            .bind(code)
            .bind(&first)
            .bind(&last)
            .bind(&period_text)
            .fetch_all(self.pool());
        // The quiet window: `quiet_months` is the caller's; this reads the last entry over
        // the year before the period's end, which covers any window a rules file sets.
        let window_start = (period.last_day() - chrono::Months::new(12)).to_string();
        let last_rows = sqlx::query(&last_sql)
            .bind(code)
            .bind(&window_start)
            .bind(&last)
            .bind(&period_text)
            .fetch_all(self.pool());
        let population_rows = sqlx::query(&population_sql)
            .bind(code)
            .fetch_all(self.pool());
        let report_rows = sqlx::query(&reports_sql)
            .bind(code)
            .bind(&period_text)
            .fetch_all(self.pool());
        let help_sql = scoped(
            scope,
            "SELECT h.unit_code, h.status, h.created_at, h.taken_at, h.closed_at,
                 CAST(h.rating AS BIGINT) AS rating
             FROM scope s JOIN help_requests h ON h.unit_code = s.code
             WHERE h.created_at >= $2 AND h.created_at < $3",
        );
        let help_rows = sqlx::query(&help_sql)
            .bind(code)
            .bind(vietnam_midnight(period.first_day()))
            .bind(vietnam_midnight(
                period.last_day().succ_opt().unwrap_or(period.last_day()),
            ))
            .fetch_all(self.pool());
        let (sums, last_rows, population_rows, report_rows, help_rows) =
            futures::try_join!(sums, last_rows, population_rows, report_rows, help_rows)?;
        let mut sweep = PeriodSweep::default();
        for row in &sums {
            sweep.sums.push(ActivitySum {
                unit_code: row.try_get("unit_code")?,
                kind: row.try_get("kind")?,
                late: row.try_get::<i64, _>("late")? != 0,
                entries: count(row, "entries")?,
                people: count(row, "people")?,
                households: count(row, "households")?,
            });
        }
        for row in &last_rows {
            let text: String = row.try_get("last_day")?;
            sweep
                .last_activity
                .insert(row.try_get("unit_code")?, day(&text)?);
        }
        for row in &population_rows {
            let figure = |column: &str| -> StorageResult<Option<u64>> {
                Ok(row
                    .try_get::<Option<i64>, _>(column)?
                    .map(|n| n.max(0) as u64))
            };
            sweep.population.insert(
                row.try_get("code")?,
                (figure("population")?, figure("households")?),
            );
        }
        for row in &report_rows {
            sweep.reports.push(PeriodReportState {
                unit_code: row.try_get("unit_code")?,
                status: row.try_get("status")?,
                decided_at: row.try_get("decided_at")?,
            });
        }
        for row in &help_rows {
            let status: String = row.try_get("status")?;
            sweep.help.push(HelpFacts {
                unit_code: row.try_get("unit_code")?,
                status: RequestStatus::from_stored(&status)
                    .ok_or_else(|| StorageError::Corrupt(format!("help status {status:?}")))?,
                created_at: time(Some(row.try_get("created_at")?))?.unwrap_or_default(),
                taken_at: time(row.try_get("taken_at")?)?,
                closed_at: time(row.try_get("closed_at")?)?,
                rating: row
                    .try_get::<Option<i64>, _>("rating")?
                    .and_then(|r| u8::try_from(r).ok()),
            });
        }
        Ok(sweep)
    }
}
