//! cnscd's benchmarks, run from the command line (`cnscd-bench`) on realistic data, each kept
//! from rotting by a test that runs it on a tiny data set. A crate of its own so that none of
//! it (nor its fakes, nor `libc`) ships in the product.

pub mod args;
pub mod crash;
pub mod import;
pub mod period;
pub mod registration;
pub mod report;
pub mod search;
pub mod serve;

pub use registration::{registration_bench, BenchReport};

/// CPU time of the process so far, all threads (Linux, at the usual 100 ticks a second).
pub(crate) fn cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, fields) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = fields.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(std::time::Duration::from_millis(ticks * 10))
}
