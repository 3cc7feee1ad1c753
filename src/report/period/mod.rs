//! The period report (`cnscd report --period 2026-11` or `--period 2026-Q4`): what the teams
//! of an area did in a month or a quarter, per village, commune, district and province, with
//! their members against the residents, as a chat summary, a chart, a workbook and a Word
//! document laid out as an administrative report.
//!
//! Built like the founding report, in two steps: the [`Sweep`](crate::storage::Sweep) of the
//! scope (units and teams) and its [`PeriodSweep`] (the activities summed in SQL), then
//! [`build`]. A commune whose report for the period is approved is read as of the approval;
//! entries recorded later are shown apart, as late.

mod chart;
mod docx;
mod model;
mod text;
mod xlsx;

#[cfg(test)]
mod tests;

use std::io::Write;

use chrono::{DateTime, Utc};

pub use chart::period_png;
pub use docx::{period_docx, table_rows};
pub use model::{
    build, quiet_since, Figures, KindColumn, PeriodReport, PeriodRow, QuietVillage, ReportState,
};
pub use text::{period_label, period_summary};
pub use xlsx::{sum_rows, write_period_xlsx, HEADER_ROW};

use super::{ReportError, ReportFormat, ReportJob};
use crate::domain::activity::ActivityRules;
use crate::domain::period::Period;
use crate::i18n::{to_plain, Texts};
use crate::storage::report::period::PeriodSweep;
use crate::storage::Store;

/// Sweeps `scope` (`None`: the whole country) and builds its report for `period`.
pub async fn load_period_report(
    store: &Store,
    rules: &ActivityRules,
    scope: Option<&str>,
    period: Period,
    now: DateTime<Utc>,
) -> Result<PeriodReport, ReportError> {
    let (sweep, activity) =
        futures::try_join!(store.sweep(scope), store.period_sweep(scope, period))?;
    let sweep =
        sweep.ok_or_else(|| ReportError::UnknownScope(scope.unwrap_or_default().to_owned()))?;
    let activity: PeriodSweep = activity;
    Ok(build(&sweep, &activity, rules, period, now))
}

/// Writes the period report `job` asks for: xlsx, docx, png, text or json.
pub async fn write_period_report(
    store: &Store,
    rules: &ActivityRules,
    texts: &Texts,
    job: ReportJob<'_>,
    period: Period,
) -> Result<(), ReportError> {
    let (lang, out) = (job.lang, job.out);
    if matches!(job.format, ReportFormat::Csv | ReportFormat::MissingCsv) {
        return Err(ReportError::PeriodFormat);
    }
    let report = load_period_report(store, rules, job.scope, period, job.now).await?;
    // Owner only, like every report file.
    let mut file = std::io::BufWriter::new(crate::files::create_private(out)?);
    match job.format {
        ReportFormat::Xlsx => {
            drop(file);
            write_period_xlsx(&report, texts, lang, out)?;
            return Ok(());
        }
        ReportFormat::Docx => file.write_all(&period_docx(&report, texts, lang)?)?,
        ReportFormat::Png => file.write_all(&period_png(&report, texts, lang)?)?,
        ReportFormat::Json => serde_json::to_writer_pretty(&mut file, &report)?,
        ReportFormat::Text | ReportFormat::Csv | ReportFormat::MissingCsv => {
            let summary = to_plain(period_summary(&report, texts, lang).as_str());
            writeln!(file, "{summary}")?;
        }
    }
    file.flush()?;
    Ok(())
}

/// A chat's ask for a period report.
#[derive(Debug, Clone, Copy)]
pub struct PeriodAsk<'a> {
    /// The official's unit.
    pub scope: &'a str,
    pub period: Period,
    pub lang: crate::i18n::Lang,
    pub now: DateTime<Utc>,
}

/// The period report of `scope` as a chat reply: the summary as text, the chart of people
/// helped as a picture and, as `file` asks, the workbook or the administrative document.
/// What a chat's "report for a period" runs after its step (the engine's report job).
pub async fn chat_period_report(
    store: &Store,
    rules: &ActivityRules,
    texts: &Texts,
    ask: PeriodAsk<'_>,
    file: crate::conversation::ReportFile,
) -> Result<crate::conversation::Reply, ReportError> {
    use crate::conversation::{Attachment, Reply, ReportFile};
    let PeriodAsk {
        scope,
        period,
        lang,
        now,
    } = ask;
    let report = load_period_report(store, rules, Some(scope), period, now).await?;
    let (extension, bytes) = match file {
        ReportFile::Spreadsheet => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("report.xlsx");
            write_period_xlsx(&report, texts, lang, &path)?;
            ("xlsx", std::fs::read(&path)?)
        }
        ReportFile::Document => ("docx", period_docx(&report, texts, lang)?),
    };
    let mut reply = Reply::text(period_summary(&report, texts, lang));
    reply.image = Some(Attachment {
        file_name: format!("hoat-dong-{scope}-{period}.png"),
        bytes: period_png(&report, texts, lang)?,
        caption: None,
    });
    reply.document = Some(Attachment {
        file_name: format!("hoat-dong-{scope}-{period}.{extension}"),
        bytes,
        caption: None,
    });
    Ok(reply)
}
