//! A commune's report of its teams' work for a period (table `period_reports`): a commune
//! official submits it, a province official approves it or returns it with a reason, the
//! commune submits again. Every write is guarded by the status it expects and by the row's
//! `version`, so two officials deciding at once, or a decision on a report the commune just
//! submitted again, is refused ([`StorageError::ReportChanged`]) instead of overwriting. Each
//! step is written to the audit log in the same transaction.
//!
//! Also the few figures the commune's chat shows before submitting, and what the digest
//! needs: which villages logged anything since a day, which communes submitted a period.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::report::scope_cte;
use super::{now_text, parse_time, StorageError, StorageResult, Store, Tx};
use crate::domain::{AuditAction, Period, ReportStatus};

/// One commune's report for one period, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodReport {
    pub unit_code: String,
    pub period: Period,
    pub status: ReportStatus,
    pub submitted_at: DateTime<Utc>,
    /// The submitting account's `channel:id`.
    pub submitted_by: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub return_reason: Option<String>,
    /// How many times it was submitted.
    pub submissions: i64,
    /// Bumped by every write: a decision names the version it was made on.
    pub version: i64,
}

const COLUMNS: &str = "unit_code, period, status, submitted_at, submitted_by, decided_at,
     decided_by, return_reason, submissions, version";

type Row = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

fn from_row(row: Row) -> StorageResult<PeriodReport> {
    let corrupt = |what: &str| StorageError::Corrupt(format!("period report {what}"));
    let time = |text: &str| parse_time(text).ok_or_else(|| corrupt("time"));
    Ok(PeriodReport {
        period: Period::parse(&row.1).map_err(|_| corrupt("period"))?,
        status: ReportStatus::parse(&row.2).ok_or_else(|| corrupt("status"))?,
        submitted_at: time(&row.3)?,
        decided_at: row.5.as_deref().map(time).transpose()?,
        unit_code: row.0,
        submitted_by: row.4,
        decided_by: row.6,
        return_reason: row.7,
        submissions: row.8,
        version: row.9,
    })
}

/// The report of `commune` for `period`, if it was ever submitted.
pub async fn report(
    tx: &mut Tx<'_>,
    commune: &str,
    period: Period,
) -> StorageResult<Option<PeriodReport>> {
    let sql = format!("SELECT {COLUMNS} FROM period_reports WHERE unit_code = $1 AND period = $2");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(commune)
        .bind(period.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(from_row).transpose()
}

/// Submits the report: `based_on` `None` for a first submission (refused if one exists),
/// or the version of a `returned` report the commune submits again. Returns the new version.
pub async fn submit(
    tx: &mut Tx<'_>,
    commune: &str,
    period: Period,
    based_on: Option<i64>,
    by: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let written = match based_on {
        None => sqlx::query(
            "INSERT INTO period_reports (unit_code, period, status, submitted_at, submitted_by)
             VALUES ($1, $2, 'submitted', $3, $4) ON CONFLICT (unit_code, period) DO NOTHING",
        )
        .bind(commune)
        .bind(period.to_string())
        .bind(now_text(now))
        .bind(by)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        Some(version) => sqlx::query(
            "UPDATE period_reports SET status = 'submitted', submitted_at = $1, submitted_by = $2,
                 decided_at = NULL, decided_by = NULL, return_reason = NULL,
                 submissions = submissions + 1, version = version + 1
             WHERE unit_code = $3 AND period = $4 AND status = 'returned' AND version = $5",
        )
        .bind(now_text(now))
        .bind(by)
        .bind(commune)
        .bind(period.to_string())
        .bind(version)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    };
    if written != 1 {
        return Err(StorageError::ReportChanged);
    }
    let version = based_on.map_or(1, |v| v + 1);
    let detail = serde_json::json!({ "period": period.to_string(), "version": version });
    let action = AuditAction::PeriodReportSubmitted;
    super::audit::audit(tx, by, action, Some(commune), &detail, now).await?;
    Ok(version)
}

/// A province official's decision on a submitted report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Returned to the commune, with why.
    Return {
        reason: String,
    },
}

/// Approves or returns the report of `commune` for `period`, if it is still the submitted
/// report of `version`; returns the new version.
pub async fn decide(
    tx: &mut Tx<'_>,
    commune: &str,
    period: Period,
    version: i64,
    decision: &Decision,
    by: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let (status, reason, action) = match decision {
        Decision::Approve => (
            ReportStatus::Approved,
            None,
            AuditAction::PeriodReportApproved,
        ),
        Decision::Return { reason } => (
            ReportStatus::Returned,
            Some(reason.as_str()),
            AuditAction::PeriodReportReturned,
        ),
    };
    let written = sqlx::query(
        "UPDATE period_reports SET status = $1, decided_at = $2, decided_by = $3,
             return_reason = $4, version = version + 1
         WHERE unit_code = $5 AND period = $6 AND status = 'submitted' AND version = $7",
    )
    .bind(status.code())
    .bind(now_text(now))
    .bind(by)
    .bind(reason)
    .bind(commune)
    .bind(period.to_string())
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if written != 1 {
        return Err(StorageError::ReportChanged);
    }
    // The reason is the officials' own words about the commune's figures: it stays in the
    // report's row, not in the audit log.
    let detail = serde_json::json!({ "period": period.to_string(), "version": version + 1 });
    super::audit::audit(tx, by, action, Some(commune), &detail, now).await?;
    Ok(version + 1)
}

/// When the period containing `day` (its month, or its quarter) was approved for `commune`:
/// entries for that day recorded later are late. The earliest approval if both were.
pub async fn locked_at(
    tx: &mut Tx<'_>,
    commune: &str,
    day: NaiveDate,
) -> StorageResult<Option<DateTime<Utc>>> {
    let times: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT decided_at FROM period_reports
         WHERE unit_code = $1 AND period IN ($2, $3) AND status = 'approved'",
    )
    .bind(commune)
    .bind(Period::month_of(day).to_string())
    .bind(Period::quarter_of(day).to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut earliest = None;
    for text in times.into_iter().flatten() {
        let at = parse_time(&text)
            .ok_or_else(|| StorageError::Corrupt("period report decision time".into()))?;
        earliest = Some(earliest.map_or(at, |e: DateTime<Utc>| e.min(at)));
    }
    Ok(earliest)
}

/// What a commune's villages logged in a period, in a few numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodFigures {
    pub entries: i64,
    pub people: i64,
    pub households: i64,
    /// The commune's villages (current ones).
    pub villages: i64,
    /// The names of its villages with no entry in the period, by code.
    pub quiet: Vec<String>,
    /// Entries of the period recorded after it was approved for the commune, and the people
    /// they helped: the locked figures above leave them out.
    pub late_entries: i64,
    pub late_people: i64,
}

/// The figures of `commune`'s villages for `period`: entries with `done_on` in it. Once the
/// period is approved for the commune they are read as of the approval, as the period report
/// reads them; entries recorded later are counted apart, as late.
pub async fn figures(
    tx: &mut Tx<'_>,
    commune: &str,
    period: Period,
) -> StorageResult<PeriodFigures> {
    let (first, last) = (
        period.first_day().to_string(),
        period.last_day().to_string(),
    );
    let approved = report(tx, commune, period)
        .await?
        .filter(|r| r.status == ReportStatus::Approved)
        .and_then(|r| r.decided_at);
    // Every stored time is `now_text`'s fixed-width form, so text compares as time; an open
    // period's cut-off is after any of them.
    let cut_off = approved.map_or_else(|| "9999".to_owned(), now_text);
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT u.name,
                COUNT(CASE WHEN a.recorded_at <= $4 THEN a.id END),
                CAST(COALESCE(SUM(CASE WHEN a.recorded_at <= $4 THEN a.people END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN a.recorded_at <= $4 THEN a.households END), 0) AS BIGINT),
                COUNT(CASE WHEN a.recorded_at > $4 THEN a.id END),
                CAST(COALESCE(SUM(CASE WHEN a.recorded_at > $4 THEN a.people END), 0) AS BIGINT)
         FROM units u
         LEFT JOIN activities a ON a.unit_code = u.code AND a.done_on >= $2 AND a.done_on <= $3
         WHERE u.parent_code = $1 AND u.level = 'village' AND u.ended_on IS NULL
         GROUP BY u.code, u.name ORDER BY u.code",
    )
    .bind(commune)
    .bind(first)
    .bind(last)
    .bind(cut_off)
    .fetch_all(&mut **tx)
    .await?;
    let mut figures = PeriodFigures {
        villages: rows.len() as i64,
        ..PeriodFigures::default()
    };
    for (name, entries, people, households, late_entries, late_people) in rows {
        figures.entries += entries;
        figures.people += people;
        figures.households += households;
        figures.late_entries += late_entries;
        figures.late_people += late_people;
        if entries == 0 {
            figures.quiet.push(name);
        }
    }
    Ok(figures)
}

impl Store {
    /// The report of `commune` for `period`, if it was ever submitted.
    pub async fn period_report(
        &self,
        commune: &str,
        period: Period,
    ) -> StorageResult<Option<PeriodReport>> {
        let mut tx = self.begin().await?;
        let found = report(&mut tx, commune, period).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The submitted reports (waiting for a decision) of the communes under `scope` (a
    /// province), oldest submission first.
    pub async fn pending_period_reports(&self, scope: &str) -> StorageResult<Vec<PeriodReport>> {
        let sql = format!(
            "{}SELECT {} FROM period_reports r JOIN scope s ON s.code = r.unit_code
             WHERE r.status = 'submitted' ORDER BY r.submitted_at, r.unit_code",
            scope_cte!(),
            COLUMNS
                .split(',')
                .map(|c| format!("r.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(scope)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// See [`locked_at`].
    pub async fn period_locked_at(
        &self,
        commune: &str,
        day: NaiveDate,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        let mut tx = self.begin().await?;
        let found = locked_at(&mut tx, commune, day).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The villages under `scope` whose team was registered before `since` and logged no
    /// entry done on `since` or later: quiet since then (a team registered later is not
    /// counted: it has not had the time).
    pub async fn quiet_villages(
        &self,
        scope: &str,
        since: NaiveDate,
    ) -> StorageResult<HashSet<String>> {
        let sql = concat!(
            scope_cte!(),
            "SELECT t.unit_code FROM teams t JOIN scope s ON s.code = t.unit_code
             JOIN units u ON u.code = t.unit_code
             WHERE u.level = 'village' AND t.status = 'registered' AND t.registered_at < $2
               AND NOT EXISTS (SELECT 1 FROM activities a
                               WHERE a.unit_code = t.unit_code AND a.done_on >= $2)"
        );
        let codes: Vec<String> = sqlx::query_scalar(sql)
            .bind(scope)
            .bind(since.to_string())
            .fetch_all(self.pool())
            .await?;
        Ok(codes.into_iter().collect())
    }

    /// The communes under `scope` whose report for `period` is submitted or approved (a
    /// returned one is not: it waits on the commune again).
    pub async fn communes_reported(
        &self,
        scope: &str,
        period: Period,
    ) -> StorageResult<HashSet<String>> {
        let sql = concat!(
            scope_cte!(),
            "SELECT r.unit_code FROM period_reports r JOIN scope s ON s.code = r.unit_code
             WHERE r.period = $2 AND r.status IN ('submitted', 'approved')"
        );
        let codes: Vec<String> = sqlx::query_scalar(sql)
            .bind(scope)
            .bind(period.to_string())
            .fetch_all(self.pool())
            .await?;
        Ok(codes.into_iter().collect())
    }

    /// The units under `scope` with residents' requests for help still open (nobody took
    /// them) that were asked before `before`, and how many each has; requests whose resident
    /// was already forgotten (`purged_at`) are left out.
    pub async fn help_waiting(
        &self,
        scope: &str,
        before: DateTime<Utc>,
    ) -> StorageResult<HashMap<String, u64>> {
        let sql = concat!(
            scope_cte!(),
            "SELECT h.unit_code, COUNT(*) FROM help_requests h JOIN scope s ON s.code = h.unit_code
             WHERE h.status = 'open' AND h.created_at < $2 AND h.purged_at IS NULL
             GROUP BY h.unit_code"
        );
        let rows: Vec<(String, i64)> = sqlx::query_as(sql)
            .bind(scope)
            .bind(now_text(before))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(code, n)| (code, n.max(0) as u64))
            .collect())
    }
}

#[cfg(test)]
mod tests;
