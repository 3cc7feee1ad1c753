//! The figures of a bench run, printed for people.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::process::{mib, Memory};

#[derive(Debug, Clone)]
pub struct BenchReport {
    pub chats: usize,
    /// Events sent to the engine, each one durable transaction.
    pub events: usize,
    /// Creating the database, importing villages and creating invitations.
    pub setup: Duration,
    /// Wall time of the events only.
    pub wall: Duration,
    /// CPU time of the whole process (every thread) during the events.
    pub cpu: Option<Duration>,
    /// Memory after the engine was created, before any event.
    pub idle: Option<Memory>,
    /// Memory after the run.
    pub memory: Option<Memory>,
    pub registered: usize,
    /// The database kept (`--db`); `None` for a temporary one.
    pub database: Option<PathBuf>,
}

impl BenchReport {
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.wall.as_secs_f64().max(f64::EPSILON)
    }

    fn per_event_micros(&self, total: Duration) -> f64 {
        total.as_secs_f64() * 1e6 / self.events.max(1) as f64
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let database = match &self.database {
            Some(path) => path.display().to_string(),
            None => "a temporary file".to_owned(),
        };
        writeln!(
            f,
            "bench registration: {} chats, interleaved round-robin; SQLite in {database} \
             (WAL, synchronous=FULL), one transaction per event",
            self.chats
        )?;
        writeln!(
            f,
            "setup (communes, {} villages, {} invitations): {:.2} s",
            self.chats,
            self.chats,
            self.setup.as_secs_f64()
        )?;
        writeln!(
            f,
            "events:            {} ({} per chat)",
            self.events,
            self.events / self.chats.max(1)
        )?;
        writeln!(f, "wall time:         {:.3} s", self.wall.as_secs_f64())?;
        writeln!(f, "events/s:          {:.0}", self.events_per_second())?;
        writeln!(
            f,
            "wall µs per event: {:.0}",
            self.per_event_micros(self.wall)
        )?;
        match self.cpu {
            Some(cpu) => writeln!(
                f,
                "CPU µs per event:  {:.0} (process CPU {:.3} s, all threads)",
                self.per_event_micros(cpu),
                cpu.as_secs_f64()
            )?,
            None => writeln!(f, "CPU µs per event:  unknown")?,
        }
        writeln!(
            f,
            "memory:            idle RSS {} (engine created, before the load); after: \
             VmRSS {}, VmHWM {}",
            mib(self.idle.map(|m| m.rss_kib)),
            mib(self.memory.map(|m| m.rss_kib)),
            mib(self.memory.map(|m| m.peak_kib))
        )?;
        writeln!(
            f,
            "teams registered:  {} of {}",
            self.registered, self.chats
        )
    }
}
