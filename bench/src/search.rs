//! How fast a resident finds their team at national scale: every commune of the country, a
//! made-up set of villages and registered teams in SQLite, then thousands of searches typed
//! the ways residents type (exact, no diacritics, NFD, upper case, one typo, no kind word),
//! each followed by what the answer needs from the database.

mod data;
mod report;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::Utc;
use rand::rngs::StdRng;
use rand::SeedableRng;

use cnscd::import::{import_units, import_villages};
use cnscd::search::{SharedIndex, UnitIndex};
use cnscd::storage::bulk::insert_registered_teams;
use cnscd::storage::{Store, UnitLevel};
use report::{rss_bytes, BenchDb};

/// Teams generated and written per batch, to keep the generated data's memory small.
const TEAM_CHUNK: usize = 5_000;
/// Hits asked of each search, as a chat shows them.
const HITS: usize = 10;
const LEVELS: [UnitLevel; 2] = [UnitLevel::Commune, UnitLevel::Village];

#[derive(Debug, Clone)]
pub struct SearchBenchOptions {
    /// Communes file in the `import_units` format.
    pub communes_csv: PathBuf,
    pub villages_per_commune: usize,
    /// Members of each team, besides its leader.
    pub members_per_team: usize,
    pub queries: usize,
    /// Where to create the database (it must not exist); a temporary file when `None`.
    pub db_path: Option<PathBuf>,
}

impl Default for SearchBenchOptions {
    fn default() -> Self {
        SearchBenchOptions {
            communes_csv: PathBuf::from("/work/shared/data/vn-communes.csv"),
            villages_per_commune: 10,
            members_per_team: 5,
            queries: 10_000,
            db_path: None,
        }
    }
}

/// Latencies of one kind of operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Percentiles {
    fn of(mut samples: Vec<Duration>) -> Percentiles {
        samples.sort_unstable();
        let at = |q: f64| {
            let rank = (q * samples.len() as f64).ceil() as usize;
            samples
                .get(rank.saturating_sub(1))
                .copied()
                .unwrap_or_default()
        };
        Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SearchBenchReport {
    pub communes: usize,
    pub villages: usize,
    /// Every unit indexed: provinces, districts, communes and villages.
    pub units: usize,
    pub teams: usize,
    pub members: usize,
    /// Importing the units and villages and writing the teams.
    pub load_data: Duration,
    /// Reading every unit from SQLite for the index.
    pub read_units: Duration,
    pub build_index: Duration,
    /// Growth of the resident set size while the units were read and the index built, if
    /// known: an upper bound, as it counts the rows read, freed but kept by the allocator.
    pub index_rss: Option<u64>,
    /// The index's own estimate of its size ([`UnitIndex::approximate_bytes`]).
    pub index_bytes: usize,
    pub queries: usize,
    /// Searches whose hits include the unit the query was made from.
    pub found: usize,
    /// Searches whose top hit has the name the query was made from, kind word aside: many
    /// villages share a name, so the unit itself is often not among the hits, but a namesake is.
    pub top_named: usize,
    /// The index search alone.
    pub search: Percentiles,
    /// The search, then the top hit's parent, its team and its parent's team from SQLite.
    pub search_and_fetch: Percentiles,
}

/// Runs the benchmark; see the module documentation.
pub async fn run(opts: SearchBenchOptions) -> anyhow::Result<SearchBenchReport> {
    let db = BenchDb::new(opts.db_path.clone())?;
    let store = Store::connect(&format!("sqlite://{}", db.path.display()))
        .await
        .context("Failed to create the benchmark database")?;
    let mut report = SearchBenchReport::default();
    let started = Instant::now();
    load_data(&store, &opts, &mut report).await?;
    report.load_data = started.elapsed();
    let targets = data::targets(&store.all_units().await?);

    let rss_before = rss_bytes();
    let started = Instant::now();
    let units = store.all_units().await?;
    report.read_units = started.elapsed();
    report.units = units.len();
    let started = Instant::now();
    let index = UnitIndex::build(units);
    report.build_index = started.elapsed();
    report.index_bytes = index.approximate_bytes();
    let index = SharedIndex::new(index);
    report.index_rss = rss_bytes()
        .zip(rss_before)
        .map(|(after, before)| after.saturating_sub(before));

    time_queries(&store, &index, &targets, opts.queries, &mut report).await?;
    store.close().await;
    Ok(report)
}

async fn load_data(
    store: &Store,
    opts: &SearchBenchOptions,
    report: &mut SearchBenchReport,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let file = File::open(&opts.communes_csv)
        .with_context(|| format!("Failed to open {}", opts.communes_csv.display()))?;
    import_units(store, file, now).await?;
    let communes: Vec<_> = store.all_units().await?;
    let communes: Vec<_> = communes
        .into_iter()
        .filter(|unit| unit.level == UnitLevel::Commune)
        .collect();
    report.communes = communes.len();
    let villages = data::villages_csv(&communes, opts.villages_per_commune);
    let imported = import_villages(store, villages.as_bytes(), now).await?;
    report.villages = imported.villages.len();

    let people = data::People::new()?;
    let owners = communes
        .iter()
        .map(|commune| commune.code.clone())
        .chain(imported.villages.into_iter().map(|village| village.code));
    let owners: Vec<String> = owners.collect();
    let mut tx = store.begin().await?;
    for (chunk_at, chunk) in owners.chunks(TEAM_CHUNK).enumerate() {
        let teams: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(at, code)| {
                let team = people.team(chunk_at * TEAM_CHUNK + at, opts.members_per_team);
                (code.clone(), team)
            })
            .collect();
        insert_registered_teams(&mut tx, &teams, now).await?;
    }
    tx.commit().await?;
    report.teams = owners.len();
    report.members = owners.len() * opts.members_per_team;
    Ok(())
}

async fn time_queries(
    store: &Store,
    index: &SharedIndex,
    targets: &[(String, String)],
    queries: usize,
    report: &mut SearchBenchReport,
) -> anyhow::Result<()> {
    if targets.is_empty() {
        bail!("no commune or village to look for");
    }
    let mut rng = StdRng::seed_from_u64(2022);
    let (mut search, mut total) = (Vec::new(), Vec::new());
    for number in 0..queries {
        let (code, name) = data::pick(targets, &mut rng);
        let query = data::query(name, number);
        let started = Instant::now();
        let hits = index.search(&query, &LEVELS, HITS);
        search.push(started.elapsed());
        if let Some(top) = hits.first() {
            let parent = top.parent_code.as_deref().unwrap_or_default();
            let parent_unit = store.unit(parent).await?;
            let team = store.team(&top.code).await?;
            let parent_team = store.team(parent).await?;
            if team.is_none() || parent_unit.is_none() || parent_team.is_none() {
                tracing::debug!(code = %top.code, "no team or parent");
            }
        }
        total.push(started.elapsed());
        report.found += usize::from(hits.iter().any(|hit| &hit.code == code));
        report.top_named += usize::from(
            hits.first()
                .is_some_and(|hit| data::same_place_name(&hit.name, name)),
        );
    }
    report.queries = queries;
    report.search = Percentiles::of(search);
    report.search_and_fetch = Percentiles::of(total);
    Ok(())
}
