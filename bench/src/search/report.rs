//! The benchmark's figures as text, and where some of them come from.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Percentiles, SearchBenchReport};

impl fmt::Display for SearchBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per_team = self.members.checked_div(self.teams).unwrap_or(0);
        writeln!(
            f,
            "search benchmark: {} communes, {} villages ({} units), {} teams of {per_team} members",
            self.communes, self.villages, self.units, self.teams
        )?;
        let rss = self
            .index_rss
            .map_or("unknown".to_owned(), |bytes| mib(bytes as usize));
        writeln!(
            f,
            "  data loaded in {:.1} s; units read in {} ms; index built in {} ms",
            self.load_data.as_secs_f64(),
            self.read_units.as_millis(),
            self.build_index.as_millis(),
        )?;
        writeln!(
            f,
            "  index memory: about {} by its own count; RSS grew {rss} while reading and building",
            mib(self.index_bytes)
        )?;
        writeln!(
            f,
            "  {} queries: {} had a unit of the name typed as top hit, {} the unit itself among \
             the hits",
            self.queries, self.top_named, self.found
        )?;
        writeln!(f, "  µs                 p50      p90      p99      max")?;
        row(f, "search", &self.search)?;
        row(f, "search + fetch", &self.search_and_fetch)
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn row(f: &mut fmt::Formatter<'_>, what: &str, p: &Percentiles) -> fmt::Result {
    let us = |d: Duration| d.as_micros();
    writeln!(
        f,
        "  {what:<16}{:>8} {:>8} {:>8} {:>8}",
        us(p.p50),
        us(p.p90),
        us(p.p99),
        us(p.max)
    )
}

/// The benchmark's database file, deleted afterwards when it is a temporary one.
pub(super) struct BenchDb {
    pub(super) path: PathBuf,
    temporary: bool,
}

impl BenchDb {
    pub(super) fn new(path: Option<PathBuf>) -> anyhow::Result<BenchDb> {
        match path {
            Some(path) if path.exists() => anyhow::bail!(
                "{} exists: the benchmark needs a database of its own",
                path.display()
            ),
            Some(path) => Ok(BenchDb {
                path,
                temporary: false,
            }),
            None => {
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |elapsed| elapsed.as_nanos());
                let name = format!("cnscd-search-bench-{}-{nanos}.db", std::process::id());
                Ok(BenchDb {
                    path: std::env::temp_dir().join(name),
                    temporary: true,
                })
            }
        }
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if self.temporary {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }
}

/// The process's resident set size, from `/proc/self/status` (Linux only).
pub(super) fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
