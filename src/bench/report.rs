//! The report benchmark: the country's communes imported, villages and teams generated,
//! then the status sweep of the whole country and its XLSX export timed, with peak memory.
//!
//! Goals: sweep ≤ 1 s; XLSX ≤ 10 s and ≤ 200 MB. Run it in release:
//! `cargo test --release --lib bench::report -- --ignored --nocapture`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};

use crate::conversation::state::{ConsentSource, DecisionFile, FileKind};
use crate::conversation::{Decision, Draft, Member, Registration};
use crate::domain::{CompositionRules, DecisionNumber, MemberRole, PersonName, PhoneNumber};
use crate::i18n::{Lang, Texts};
use crate::import::import_units;
use crate::report::{load_report, write_report, ReportFormat, ReportJob};
use crate::storage::teams::{save_draft, save_team};
use crate::storage::units::upsert_units;
use crate::storage::{NewUnit, Store, UnitLevel};

#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// A units file as `cnscd import units` reads it (the country: `vn-communes.csv`).
    pub communes_csv: PathBuf,
    pub villages_per_commune: usize,
    pub members_per_team: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub communes: usize,
    pub villages: usize,
    pub registered: usize,
    pub members: usize,
    pub seed: Duration,
    pub sweep: Duration,
    /// Peak resident memory during the sweep (VmHWM, reset before), in KiB.
    pub sweep_peak_kib: Option<u64>,
    pub xlsx: Duration,
    pub xlsx_peak_kib: Option<u64>,
    pub xlsx_bytes: u64,
}

/// Seeds a database in `dir` as `config` says, then times the sweep and the XLSX export.
pub async fn run(config: &BenchConfig, dir: &Path) -> anyhow::Result<Figures> {
    let now = Utc
        .with_ymd_and_hms(2022, 4, 25, 8, 0, 0)
        .single()
        .context("bad date")?;
    let store = Store::connect(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    let rules = CompositionRules::default_rules()?;
    let texts = Texts::load()?;
    let started = Instant::now();
    let file = std::fs::File::open(&config.communes_csv)
        .with_context(|| format!("Failed to open {}", config.communes_csv.display()))?;
    import_units(&store, std::io::BufReader::new(file), now).await?;
    seed(&store, config, now).await?;
    let seed_time = started.elapsed();

    reset_peak();
    let started = Instant::now();
    let (_, report) = load_report(&store, &rules, None, now).await?;
    let sweep = started.elapsed();
    let sweep_peak_kib = peak_kib();
    drop(report);

    reset_peak();
    let out = dir.join("report.xlsx");
    let job = ReportJob {
        scope: None,
        format: ReportFormat::Xlsx,
        out: &out,
        lang: Lang::Vi,
        now,
    };
    let started = Instant::now();
    write_report(&store, &rules, &texts, job).await?;
    let xlsx = started.elapsed();
    let xlsx_peak_kib = peak_kib();
    let (_, report) = load_report(&store, &rules, None, now).await?;
    store.close().await;
    Ok(Figures {
        communes: report.commune_teams.units,
        villages: report.totals.units,
        registered: report.totals.registered,
        members: report.totals.members,
        seed: seed_time,
        sweep,
        sweep_peak_kib,
        xlsx,
        xlsx_peak_kib,
        xlsx_bytes: std::fs::metadata(&out)?.len(),
    })
}

/// Villages for every commune, and their teams: of ten villages, five complete, one without
/// a decision, one without a scan, one incomplete, one draft and one without a team.
async fn seed(
    store: &Store,
    config: &BenchConfig,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let whole = store.sweep(None).await?.unwrap_or_default();
    let communes: Vec<String> = whole
        .units
        .into_iter()
        .filter(|unit| unit.level == UnitLevel::Commune)
        .map(|unit| unit.code)
        .collect();
    let villages: Vec<NewUnit> = communes
        .iter()
        .flat_map(|commune| {
            (1..=config.villages_per_commune).map(move |n| NewUnit {
                code: format!("{commune}-{n:02}"),
                name: format!("Thôn {n}"),
                kind: "thôn".into(),
                level: UnitLevel::Village,
                parent_code: Some(commune.clone()),
            })
        })
        .collect();
    let teams = TeamKinds::new(config.members_per_team)?;
    let mut tx = store.begin().await?;
    upsert_units(&mut tx, &villages, now).await?;
    for (i, village) in villages.iter().enumerate() {
        match i % 10 {
            0..=4 => save_team(&mut tx, &village.code, &teams.complete, now).await?,
            5 => save_team(&mut tx, &village.code, &teams.no_decision, now).await?,
            6 => save_team(&mut tx, &village.code, &teams.no_scan, now).await?,
            7 => save_team(&mut tx, &village.code, &teams.incomplete, now).await?,
            8 => save_draft(&mut tx, &village.code, &teams.draft, now).await?,
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(())
}

struct TeamKinds {
    complete: Draft,
    no_decision: Draft,
    no_scan: Draft,
    incomplete: Draft,
    draft: Registration,
}

impl TeamKinds {
    fn new(size: usize) -> anyhow::Result<TeamKinds> {
        const NAMES: [&str; 5] = [
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Lê Văn Cường",
            "Phạm Thị Dung",
            "Hoàng Văn Em",
        ];
        let rules = CompositionRules::default_rules()?;
        let roles = &rules.village.allowed_roles;
        let members = (0..size)
            .map(|i| {
                Ok(Member {
                    name: PersonName::parse(NAMES[i % NAMES.len()])?,
                    role: roles
                        .get(i % roles.len())
                        .copied()
                        .unwrap_or(MemberRole::Other),
                    role_detail: None,
                    phone: PhoneNumber::parse(&format!("0912 000 {:03}", i + 1))?,
                    workplace: (i % 2 == 0).then(|| "Trường Tiểu học".to_owned()),
                    consent: (i % 3 != 0).then_some(ConsentSource::Head),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let complete = Draft {
            leader_name: Some(PersonName::parse("Đỗ Văn Trưởng")?),
            leader_phone: Some(PhoneNumber::parse("0987 000 001")?),
            members,
            decision: Decision {
                number: Some(DecisionNumber::parse("125/QĐ-UBND")?),
                date: NaiveDate::from_ymd_opt(2022, 4, 20),
                file: Some(DecisionFile {
                    file_id: "scan".into(),
                    kind: FileKind::Pdf,
                    sha256: None,
                }),
            },
            ..Draft::default()
        };
        let mut no_decision = complete.clone();
        no_decision.decision = Decision::default();
        let mut no_scan = complete.clone();
        no_scan.decision.file = None;
        let mut incomplete = complete.clone();
        incomplete.members.truncate(1);
        let draft = Registration {
            draft: no_decision.clone(),
            ..Registration::default()
        };
        Ok(TeamKinds {
            complete,
            no_decision,
            no_scan,
            incomplete,
            draft,
        })
    }
}

/// Resets the process's peak resident memory (Linux); harmless elsewhere.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in KiB (Linux only).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib =
            |kib: Option<u64>| kib.map_or("?".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0));
        writeln!(
            f,
            "{} communes, {} villages, {} registered teams, {} members (seeded in {:.1?})",
            self.communes, self.villages, self.registered, self.members, self.seed
        )?;
        writeln!(
            f,
            "status sweep of the whole country: {:.3?}, peak {}",
            self.sweep,
            mib(self.sweep_peak_kib)
        )?;
        write!(
            f,
            "XLSX export: {:.2?}, peak {}, {:.1} MiB written",
            self.xlsx,
            mib(self.xlsx_peak_kib),
            self.xlsx_bytes as f64 / 1024.0 / 1024.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    #[tokio::test]
    async fn the_report_bench_runs_at_tiny_scale() {
        let dir = tempfile::TempDir::new().unwrap();
        let config = BenchConfig {
            communes_csv: manifest("data/tu-ky-communes.csv"),
            villages_per_commune: 10,
            members_per_team: 5,
        };
        let figures = run(&config, dir.path()).await.unwrap();
        eprintln!("{figures}");
        assert_eq!((figures.communes, figures.villages), (23, 230));
        assert_eq!(
            figures.registered,
            23 * 8,
            "eight of ten villages registered"
        );
        assert_eq!(figures.members, 23 * (7 * 5 + 1));
        assert!(figures.xlsx_bytes > 0);
    }

    /// The real figures: `cargo test --release --lib bench::report -- --ignored --nocapture`.
    #[tokio::test]
    #[ignore = "national scale: run in release"]
    async fn the_report_bench_at_national_scale() {
        let dir = tempfile::TempDir::new().unwrap();
        let config = BenchConfig {
            communes_csv: manifest("../shared/data/vn-communes.csv"),
            villages_per_commune: 10,
            members_per_team: 5,
        };
        let figures = run(&config, dir.path()).await.unwrap();
        eprintln!("{figures}");
        assert_eq!(figures.villages, 105_990);
    }
}
