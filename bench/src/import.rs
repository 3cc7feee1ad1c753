//! The village import: one file of N new villages of one commune (the worst case for
//! generated codes), imported into a fresh SQLite database holding the 2022 example, at
//! several sizes so a person can see whether the time grows with N or with N².

use std::fmt;
use std::time::{Duration, Instant};

use chrono::Utc;
use cnscd::import::{import_villages, load_default_units_if_empty};
use cnscd::storage::Store;

/// One size and how long its import took.
#[derive(Debug, Clone)]
pub struct ImportFigure {
    pub villages: usize,
    pub bytes: usize,
    pub took: Duration,
}

/// Every size measured.
#[derive(Debug, Clone, Default)]
pub struct ImportBenchReport(pub Vec<ImportFigure>);

impl fmt::Display for ImportBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "village import, one commune, all codes generated (SQLite):"
        )?;
        for figure in &self.0 {
            let per_1000 = figure.took.as_secs_f64() * 1000.0 / figure.villages.max(1) as f64;
            writeln!(
                f,
                "  {:>8} villages ({:>6} KiB): {:>8.2} s  ({:.3} s per 1,000)",
                figure.villages,
                figure.bytes / 1024,
                figure.took.as_secs_f64(),
                per_1000
            )?;
        }
        Ok(())
    }
}

/// The CSV of `villages` new villages of commune 11083 (Đại Sơn, in the 2022 example).
pub fn villages_file(villages: usize) -> String {
    let mut csv = String::from("commune_code,name\n");
    for i in 1..=villages {
        csv.push_str(&format!("11083,Thôn Số {i}\n"));
    }
    csv
}

/// Imports a file of each size into its own fresh database.
pub async fn run(sizes: &[usize]) -> anyhow::Result<ImportBenchReport> {
    let mut report = ImportBenchReport::default();
    for &villages in sizes {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url).await?;
        load_default_units_if_empty(&store, Utc::now()).await?;
        let file = villages_file(villages);
        let started = Instant::now();
        let imported = import_villages(&store, file.as_bytes(), Utc::now()).await?;
        let took = started.elapsed();
        anyhow::ensure!(
            imported.inserted == villages,
            "{} of {villages} villages imported",
            imported.inserted
        );
        report.0.push(ImportFigure {
            villages,
            bytes: file.len(),
            took,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_import_bench_runs_on_a_small_file() {
        let report = super::run(&[10, 20]).await.unwrap();
        assert_eq!(report.0.len(), 2);
        assert!(report.to_string().contains("20 villages"));
    }
}
