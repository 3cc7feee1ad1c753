//! Reports for officials: how far the villages of a scope (a commune, a district, a province
//! or the whole country) are with their teams, as a chat message, a spreadsheet, CSV, JSON
//! or a chart.
//!
//! A report is built in two steps: [`Store::sweep`] loads the scope in a few queries, then
//! [`build`] computes every unit's [`status`](crate::domain::status) and counts them. The listing of
//! members (XLSX and CSV) is streamed from storage, one team at a time.

mod build;
mod chart;
mod csv_file;
pub mod decision;
mod docx;
mod format;
mod listing;
mod missing;
mod model;
pub mod period;
mod places;
mod text;
pub mod unreached;
mod xlsx;

#[cfg(test)]
mod scene;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};

pub use build::build;
pub use chart::coverage_png;
pub use csv_file::CsvSink;
pub use docx::report_docx;
pub use listing::{write_listing, Cell, LineSink};
pub use missing::{missing_villages, write_missing, MissingVillage};
pub use model::{AreaRow, Counts, DecisionEntry, Report, RoleCount};
pub use text::chat_summary;
pub use xlsx::write_xlsx;

use crate::domain::CompositionRules;
use crate::i18n::{to_plain, Lang, Texts};
use crate::storage::{StorageError, Store, Sweep};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("there is no unit with code {0:?}")]
    UnknownScope(String),
    #[error("failed to read the report's data")]
    Storage(#[from] StorageError),
    #[error("failed to write the report")]
    Io(#[from] std::io::Error),
    #[error("failed to write the Word document: {0}")]
    Docx(String),
    #[error("failed to write the spreadsheet")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("failed to write the CSV file")]
    Csv(#[from] ::csv::Error),
    #[error("failed to write the JSON file")]
    Json(#[from] serde_json::Error),
    #[error("failed to draw the chart: {0}")]
    Chart(String),
    #[error("the spreadsheet writer stopped")]
    WriterStopped,
    #[error(
        "--as-of gives the summary of an earlier structure: use --format text, json, png or docx"
    )]
    AsOfFormat,
    #[error("--period writes xlsx, docx, png, text or json")]
    PeriodFormat,
}

/// The file formats of `cnscd report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Xlsx,
    Csv,
    /// The villages still missing a complete team, by commune (UTF-8 CSV with a BOM).
    MissingCsv,
    Json,
    Png,
    /// The chat summary, as plain text.
    Text,
    /// A Word document: the summary and the table of units (with `--period`, laid out as an
    /// administrative report to sign).
    Docx,
}

/// Sweeps `scope` (`None`: the whole country) and builds its report.
pub async fn load_report(
    store: &Store,
    rules: &CompositionRules,
    scope: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Sweep, Report), ReportError> {
    let sweep = store
        .sweep(scope)
        .await?
        .ok_or_else(|| ReportError::UnknownScope(scope.unwrap_or_default().to_owned()))?;
    let mut report = build(&sweep, rules, now);
    let unreached = store.unreached_officials().await?;
    report.unreached = match scope {
        Some(scope) => unreached::unreached_below(scope, &sweep.units, &unreached),
        None => {
            let codes: std::collections::HashSet<&str> =
                unreached.iter().map(|(code, _)| code.as_str()).collect();
            let units = sweep
                .units
                .iter()
                .filter(|u| codes.contains(u.code.as_str()));
            units.map(|u| u.name.clone()).collect()
        }
    };
    Ok((sweep, report))
}

/// What `cnscd report` is asked for.
#[derive(Debug, Clone, Copy)]
pub struct ReportJob<'a> {
    /// A unit code; `None`: the whole country.
    pub scope: Option<&'a str>,
    pub format: ReportFormat,
    pub out: &'a Path,
    pub lang: Lang,
    pub now: DateTime<Utc>,
}

/// Writes the report `job` asks for.
pub async fn write_report(
    store: &Store,
    rules: &CompositionRules,
    texts: &Texts,
    job: ReportJob<'_>,
) -> Result<(), ReportError> {
    let (lang, out) = (job.lang, job.out);
    let (sweep, report) = load_report(store, rules, job.scope, job.now).await?;
    // Every format but the chart names people: the file is its owner's only, whatever it is.
    drop(crate::files::create_private(out)?);
    match job.format {
        ReportFormat::Xlsx => write_xlsx(store, &sweep, &report, rules, texts, lang, out).await?,
        ReportFormat::Csv => {
            let mut sink = CsvSink::new(BufWriter::new(File::create(out)?))?;
            write_listing(store, &sweep, rules, texts, lang, &mut sink).await?;
            sink.finish()?.flush()?;
        }
        ReportFormat::MissingCsv => {
            let mut sink = CsvSink::new(BufWriter::new(File::create(out)?))?;
            write_missing(&sweep, rules, texts, lang, &mut sink)?;
            sink.finish()?.flush()?;
        }
        ReportFormat::Json => {
            let mut file = BufWriter::new(File::create(out)?);
            serde_json::to_writer_pretty(&mut file, &report)?;
            file.flush()?;
        }
        ReportFormat::Png => std::fs::write(out, coverage_png(&report, texts, lang)?)?,
        ReportFormat::Docx => std::fs::write(out, report_docx(&report, texts, lang)?)?,
        ReportFormat::Text => {
            let summary = to_plain(chat_summary(&report, texts, lang).as_str());
            std::fs::write(out, format!("{summary}\n"))?;
        }
    }
    Ok(())
}

/// What `cnscd report` reads beside the scope and the format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportWhen {
    /// The structure in force on that day (`--as-of`).
    pub as_of: Option<chrono::NaiveDate>,
    /// The teams' work in that month or quarter (`--period`).
    pub period: Option<crate::domain::period::Period>,
}

/// `cnscd report --scope CODE --format FORMAT --out FILE [--as-of DAY | --period PERIOD]`,
/// in Vietnamese.
pub async fn run_report_cli(
    store: &Store,
    rules: &CompositionRules,
    texts: &Texts,
    scope: Option<String>,
    format: ReportFormat,
    out: PathBuf,
    when: ReportWhen,
) -> anyhow::Result<()> {
    let job = ReportJob {
        scope: scope.as_deref(),
        format,
        out: &out,
        lang: Lang::Vi,
        now: Utc::now(),
    };
    let written = match (when.period, when.as_of) {
        (Some(period), _) => {
            period::write_period_report(store, &rules.activity, texts, job, period).await
        }
        (None, Some(day)) => write_report_as_of(store, rules, texts, job, day).await,
        (None, None) => write_report(store, rules, texts, job).await,
    };
    written.with_context(|| format!("Failed to write the report to {}", out.display()))
}

/// The report of `scope` in the structure in force on `day` (after a reorganisation, an old
/// district or commune again): the summary formats only, since the listings read today's
/// tree. Teams are today's.
pub async fn load_report_as_of(
    store: &Store,
    rules: &CompositionRules,
    scope: Option<&str>,
    day: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let sweep = store
        .sweep_as_of(scope, day)
        .await?
        .ok_or_else(|| ReportError::UnknownScope(scope.unwrap_or_default().to_owned()))?;
    Ok(build(&sweep, rules, now))
}

/// Writes the report `job` asks for in the structure in force on `day` (text, json or png).
pub(crate) async fn write_report_as_of(
    store: &Store,
    rules: &CompositionRules,
    texts: &Texts,
    job: ReportJob<'_>,
    day: chrono::NaiveDate,
) -> Result<(), ReportError> {
    let (lang, out) = (job.lang, job.out);
    if !matches!(
        job.format,
        ReportFormat::Json | ReportFormat::Png | ReportFormat::Text | ReportFormat::Docx
    ) {
        return Err(ReportError::AsOfFormat);
    }
    let report = load_report_as_of(store, rules, job.scope, day, job.now).await?;
    // Owner only, like every report file: the summary names the area's teams.
    let mut file = BufWriter::new(crate::files::create_private(out)?);
    match job.format {
        ReportFormat::Json => serde_json::to_writer_pretty(&mut file, &report)?,
        ReportFormat::Png => file.write_all(&coverage_png(&report, texts, lang)?)?,
        ReportFormat::Docx => file.write_all(&report_docx(&report, texts, lang)?)?,
        _ => {
            let summary = to_plain(chat_summary(&report, texts, lang).as_str());
            writeln!(file, "{summary}")?;
        }
    }
    file.flush()?;
    Ok(())
}

/// The report of `scope` as a chat reply: the summary as text, the coverage chart as a
/// picture and, as `file` asks, the member listing as a spreadsheet or the table of units
/// as a Word document.
pub async fn chat_report(
    store: &Store,
    rules: &CompositionRules,
    texts: &Texts,
    scope: &str,
    lang: Lang,
    now: DateTime<Utc>,
    file: crate::conversation::ReportFile,
) -> Result<crate::conversation::Reply, ReportError> {
    use crate::conversation::{Attachment, Reply, ReportFile};
    let (sweep, report) = load_report(store, rules, Some(scope), now).await?;
    let (extension, bytes) = match file {
        ReportFile::Spreadsheet => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("report.xlsx");
            write_xlsx(store, &sweep, &report, rules, texts, lang, &path).await?;
            ("xlsx", std::fs::read(&path)?)
        }
        ReportFile::Document => ("docx", report_docx(&report, texts, lang)?),
    };
    let stamp = now.format("%Y%m%d");
    let mut reply = Reply::text(chat_summary(&report, texts, lang));
    reply.image = Some(Attachment {
        file_name: format!("bao-cao-{scope}-{stamp}.png"),
        bytes: coverage_png(&report, texts, lang)?,
        caption: None,
    });
    reply.document = Some(Attachment {
        file_name: format!("bao-cao-{scope}-{stamp}.{extension}"),
        bytes,
        caption: None,
    });
    Ok(reply)
}
