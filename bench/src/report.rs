//! The report benchmark: the country's communes imported, villages and teams generated,
//! then the status sweep of the whole country and its XLSX export timed, with peak memory.
//!
//! Goals: sweep ≤ 1 s; XLSX ≤ 10 s and ≤ 200 MB. Run it in release:
//! Run it with `cargo run --release -p cnscd-bench -- report` (the whole country by default).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeZone, Utc};

use cnscd::domain::CompositionRules;
use cnscd::i18n::{Lang, Texts};
use cnscd::import::import_units;
use cnscd::report::{load_report, write_report, ReportFormat, ReportJob};
use cnscd::storage::Store;

mod seed;
use seed::seed;

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
    /// The best of five sweeps (and report builds) of the whole country.
    pub sweep: Duration,
    /// CPU time of that sweep, all threads (SQLite's included): what it would take alone.
    pub sweep_cpu: Option<Duration>,
    /// Peak resident memory during the sweeps (VmHWM, reset before), in KiB.
    pub sweep_peak_kib: Option<u64>,
    pub xlsx: Duration,
    pub xlsx_cpu: Option<Duration>,
    pub xlsx_peak_kib: Option<u64>,
    pub xlsx_bytes: u64,
    /// The machine's load average over the last minute when the timings started: other
    /// work on the machine lengthens wall times, not CPU times.
    pub load: Option<f64>,
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

    let load = load_average();
    reset_peak();
    let mut sweeps = Vec::new();
    for _ in 0..SWEEPS {
        let (started, cpu) = (Instant::now(), cpu_time());
        let (_, report) = load_report(&store, &rules, None, now).await?;
        sweeps.push((started.elapsed(), since(cpu)));
        drop(report);
    }
    let (sweep, sweep_cpu) = sweeps.into_iter().min().unwrap_or_default();
    let sweep_peak_kib = peak_kib();

    reset_peak();
    let out = dir.join("report.xlsx");
    let job = ReportJob {
        scope: None,
        format: ReportFormat::Xlsx,
        out: &out,
        lang: Lang::Vi,
        now,
    };
    let (started, cpu) = (Instant::now(), cpu_time());
    write_report(&store, &rules, &texts, job).await?;
    let (xlsx, xlsx_cpu) = (started.elapsed(), since(cpu));
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
        sweep_cpu,
        sweep_peak_kib,
        xlsx,
        xlsx_cpu,
        xlsx_peak_kib,
        xlsx_bytes: std::fs::metadata(&out)?.len(),
        load,
    })
}

/// Sweeps timed; the best one counts.
const SWEEPS: usize = 5;

use super::cpu_time;

fn since(start: Option<Duration>) -> Option<Duration> {
    Some(cpu_time()?.saturating_sub(start?))
}

fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
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
        let cpu = |time: Option<Duration>| time.map_or("?".into(), |t| format!("{t:.2?}"));
        writeln!(
            f,
            "{} communes, {} villages, {} registered teams, {} members (seeded in {:.1?})",
            self.communes, self.villages, self.registered, self.members, self.seed
        )?;
        writeln!(
            f,
            "status sweep and report of the whole country: {:.3?} (CPU {}), peak {}",
            self.sweep,
            cpu(self.sweep_cpu),
            mib(self.sweep_peak_kib)
        )?;
        writeln!(
            f,
            "XLSX export: {:.2?} (CPU {}), peak {}, {:.1} MiB written",
            self.xlsx,
            cpu(self.xlsx_cpu),
            mib(self.xlsx_peak_kib),
            self.xlsx_bytes as f64 / 1024.0 / 1024.0
        )?;
        let load = self.load.map_or("?".into(), |l| format!("{l:.2}"));
        write!(f, "machine load average at the start: {load}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of the repository (the data files are cnscd's, one folder up).
    fn manifest(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
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

    /// The two-level structure (since 1 July 2025) runs the same bench: `--communes
    /// data/vn-communes-2025.csv --villages 30` is the whole country, ~100,000 villages.
    #[tokio::test]
    async fn the_report_bench_runs_on_the_two_level_structure() {
        let dir = tempfile::TempDir::new().unwrap();
        let country = std::fs::read_to_string(manifest("data/vn-communes-2025.csv")).unwrap();
        let some: String = country.lines().take(41).map(|l| format!("{l}\n")).collect();
        let file = dir.path().join("communes-2025.csv");
        std::fs::write(&file, some).unwrap();
        let config = BenchConfig {
            communes_csv: file,
            villages_per_commune: 10,
            members_per_team: 5,
        };
        let figures = run(&config, dir.path()).await.unwrap();
        assert_eq!((figures.communes, figures.villages), (40, 400));
        assert_eq!(figures.registered, 40 * 8);
    }
}
