//! The period report benchmark (issue 24): a province of 100 communes × 30 villages, each
//! village with a registered team and its residents, and a year of activities (3 entries per
//! team per week, ~470,000 rows, bulk-inserted); then the period report of the province for
//! a quarter and a month timed (best of five), and its XLSX.
//!
//! Goals: the report ≤ 2 s, its XLSX ≤ 5 s. Run it in release:
//! `cargo run --release -p cnscd-bench -- period` (`--postgres URL` for PostgreSQL).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

use cnscd::domain::activity::ActivityRules;
use cnscd::domain::period::Period;
use cnscd::i18n::{Lang, Texts};
use cnscd::report::period::{load_period_report, write_period_xlsx};
use cnscd::storage::units::upsert_units;
use cnscd::storage::{NewUnit, Store, UnitLevel};

#[derive(Debug, Clone)]
pub struct PeriodBenchConfig {
    pub communes: usize,
    pub villages_per_commune: usize,
    /// Weeks of activities, ending on 31 December 2026.
    pub weeks: u64,
    /// A PostgreSQL server to run on instead of SQLite (a scratch database is made on it).
    pub postgres: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PeriodFigures {
    pub engine: &'static str,
    pub villages: u64,
    pub activities: u64,
    pub seed: Duration,
    /// Best of five builds of the province's report (sweep, sums and build).
    pub quarter: Duration,
    pub month: Duration,
    /// The quarter's workbook (report loaded, then written).
    pub xlsx: Duration,
    pub xlsx_bytes: u64,
    /// What the quarter's report counted, to check the timings read a full data set.
    pub quarter_entries: u64,
    pub load: Option<f64>,
}

const PROVINCE: &str = "99";
const KINDS: [&str; 6] = [
    "public_services",
    "online_payment",
    "vneid",
    "online_safety",
    "cashless_account",
    "app_installed",
];
const RUNS: usize = 5;

/// Seeds the province in a new database (in `dir`, or on the PostgreSQL server), then times.
pub async fn run(config: &PeriodBenchConfig, dir: &Path) -> anyhow::Result<PeriodFigures> {
    let (store, scratch) = match &config.postgres {
        Some(server) => {
            let db = cnscd::storage::scratch::ScratchDb::postgres(server).await?;
            (Store::connect(db.url()).await?, Some(db))
        }
        None => {
            let url = format!("sqlite://{}", dir.join("period.db").display());
            (Store::connect(&url).await?, None)
        }
    };
    let now = Utc
        .with_ymd_and_hms(2027, 1, 10, 2, 0, 0)
        .single()
        .context("bad date")?;
    let started = Instant::now();
    let (villages, activities) = seed(&store, config, now).await?;
    let seed_time = started.elapsed();
    let rules = ActivityRules::default();
    let texts = Texts::load()?;
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok());
    let time = |period: &'static str| {
        let store = &store;
        let rules = &rules;
        async move {
            let period = Period::parse(period)?;
            let mut best = Duration::MAX;
            let mut entries = 0;
            for _ in 0..RUNS {
                let started = Instant::now();
                let report = load_period_report(store, rules, Some(PROVINCE), period, now).await?;
                best = best.min(started.elapsed());
                entries = report.total.entries;
            }
            anyhow::Ok((best, entries))
        }
    };
    let (quarter, quarter_entries) = time("2026-Q4").await?;
    let (month, _) = time("2026-11").await?;
    let out: PathBuf = dir.join("period.xlsx");
    let started = Instant::now();
    let period = Period::parse("2026-Q4")?;
    let report = load_period_report(&store, &rules, Some(PROVINCE), period, now).await?;
    write_period_xlsx(&report, &texts, Lang::Vi, &out)?;
    let xlsx = started.elapsed();
    store.close().await;
    if let Some(db) = scratch {
        db.destroy().await;
    }
    Ok(PeriodFigures {
        engine: if config.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        villages,
        activities,
        seed: seed_time,
        quarter,
        month,
        xlsx,
        xlsx_bytes: std::fs::metadata(&out)?.len(),
        quarter_entries,
        load,
    })
}

/// The province, its communes and villages (with residents), a registered team per village
/// and `weeks` weeks of 3 entries per team, in a few large statements.
async fn seed(
    store: &Store,
    config: &PeriodBenchConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, u64)> {
    let mut units = vec![NewUnit {
        code: PROVINCE.into(),
        name: "Tỉnh Thử Nghiệm".into(),
        kind: "tỉnh".into(),
        level: UnitLevel::Province,
        parent_code: None,
    }];
    let mut villages = Vec::new();
    for c in 1..=config.communes {
        let commune = format!("{PROVINCE}{c:03}");
        units.push(NewUnit {
            code: commune.clone(),
            name: format!("Xã {c}"),
            kind: "xã".into(),
            level: UnitLevel::Commune,
            parent_code: Some(PROVINCE.into()),
        });
        for v in 1..=config.villages_per_commune {
            let code = format!("{commune}-{v:02}");
            villages.push(code.clone());
            units.push(NewUnit {
                code,
                name: format!("Thôn {v}"),
                kind: "thôn".into(),
                level: UnitLevel::Village,
                parent_code: Some(commune.clone()),
            });
        }
    }
    let stamp = "2026-01-01T01:00:00.000Z";
    let mut tx = store.begin().await?;
    upsert_units(&mut tx, &units, now).await?;
    sqlx::query(
        "UPDATE units SET population = 1000 + LENGTH(code) * 37, households = 260
         WHERE level = 'village'",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO teams (unit_code, status, leader_name, leader_phone, created_at, updated_at,
             registered_at)
         SELECT code, 'registered', 'Nguyễn Văn An', '+84912345678', $1, $1, $1 FROM units
         WHERE level = 'village'",
    )
    .bind(stamp)
    .execute(&mut *tx)
    .await?;
    // A year back from 31 December 2026: 3 entries a week (Monday, Wednesday, Friday).
    let last = NaiveDate::from_ymd_opt(2026, 12, 31).context("bad date")?;
    let first = last - Days::new(config.weeks * 7 - 1);
    let mut rows = Vec::with_capacity(1000);
    let mut count = 0u64;
    for (v, village) in villages.iter().enumerate() {
        for week in 0..config.weeks {
            for (e, offset) in [0u64, 2, 4].into_iter().enumerate() {
                let day = first + Days::new(week * 7 + offset);
                let n = v + week as usize + e;
                let kind = KINDS[n % KINDS.len()];
                let people = 1 + n % 9;
                rows.push(format!(
                    "('{village}', '{kind}', {people}, {}, '{day}', 'import', '{day}T10:00:00.000Z')",
                    people / 3
                ));
                count += 1;
                if rows.len() == 1000 {
                    insert(&mut tx, &mut rows).await?;
                }
            }
        }
    }
    insert(&mut tx, &mut rows).await?;
    tx.commit().await?;
    Ok((villages.len() as u64, count))
}

/// Generated values only (codes, kinds and dates this file makes), so they are written
/// into the statement: 1,000 rows per statement, 7 values each, is over SQLite's oldest
/// limit of bound values.
async fn insert(tx: &mut cnscd::storage::Tx<'_>, rows: &mut Vec<String>) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO activities (unit_code, kind, people, households, done_on, source, recorded_at)
         VALUES {}",
        rows.join(", ")
    );
    sqlx::query(&sql).execute(&mut **tx).await?;
    rows.clear();
    Ok(())
}

impl fmt::Display for PeriodFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} villages, {} activities (seeded in {:.1?})",
            self.engine, self.villages, self.activities, self.seed
        )?;
        writeln!(
            f,
            "period report of the province, 2026-Q4: {:.3?} ({} entries counted; goal ≤ 2 s)",
            self.quarter, self.quarter_entries
        )?;
        writeln!(
            f,
            "period report of the province, 2026-11: {:.3?}",
            self.month
        )?;
        writeln!(
            f,
            "its XLSX (2026-Q4, report included): {:.3?}, {:.1} KiB (goal ≤ 5 s)",
            self.xlsx,
            self.xlsx_bytes as f64 / 1024.0
        )?;
        let load = self.load.map_or("?".into(), |l: f64| format!("{l:.2}"));
        write!(f, "machine load average at the start: {load}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_period_bench_runs_at_tiny_scale() {
        let dir = tempfile::TempDir::new().unwrap();
        let config = PeriodBenchConfig {
            communes: 2,
            villages_per_commune: 3,
            weeks: 20,
            postgres: None,
        };
        let figures = run(&config, dir.path()).await.unwrap();
        eprintln!("{figures}");
        assert_eq!((figures.villages, figures.activities), (6, 6 * 20 * 3));
        // The entries' days, counted apart: those from 1 October on are the quarter's.
        let last = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let first = last - Days::new(20 * 7 - 1);
        let october = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let per_village = (0..20u64)
            .flat_map(|week| [0u64, 2, 4].map(|offset| first + Days::new(week * 7 + offset)))
            .filter(|day| *day >= october && *day <= last)
            .count() as u64;
        assert!(per_village > 30, "{per_village}");
        assert_eq!(figures.quarter_entries, 6 * per_village);
        assert!(figures.xlsx_bytes > 0);
    }
}
