//! The summary sheets: one row per commune (or per area), then the totals.

use rust_xlsxwriter::Worksheet;

use super::look::{column_width, Look, HEADER_WIDTH};
use crate::i18n::{to_plain, Html, K};
use crate::report::format::{date, status_key};
use crate::report::model::{AreaRow, Counts, Report};
use crate::report::text::scope_name;
use crate::report::ReportError;

/// Which rows a summary sheet lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// Communes, with their own team's status in the last column.
    Communes,
    /// Areas above the communes (provinces, districts).
    Areas,
}

/// The row of the column headers; the title and the date are above it.
pub const HEADER_ROW: u32 = 3;

const COUNT_COLUMNS: [K; 8] = [
    K::ReportColVillages,
    K::ReportColRegistered,
    K::ReportColDrafts,
    K::ReportColIncomplete,
    K::ReportColWithDecision,
    K::ReportColComplete,
    K::ReportColMembers,
    K::ReportColCoverage,
];

pub(crate) fn headers(rows: Rows) -> Vec<K> {
    let (code, name) = match rows {
        Rows::Communes => (K::ReportColCommuneCode, K::ReportColCommune),
        Rows::Areas => (K::ReportColCode, K::ReportColArea),
    };
    let mut keys = vec![code, name, K::ReportColParent];
    keys.extend(COUNT_COLUMNS);
    if rows == Rows::Communes {
        keys.push(K::ReportColCommuneTeam);
    }
    keys
}

pub(crate) fn summary_sheet(
    sheet: &mut Worksheet,
    report: &Report,
    rows: &[AreaRow],
    kind: Rows,
    look: &Look<'_>,
) -> Result<(), ReportError> {
    let styles = look.styles;
    let scope = Html::text(&scope_name(report, look.texts, look.lang));
    let day = Html::text(&date(report.generated_at.date_naive()));
    let title = look
        .texts
        .fill(look.lang, K::ReportTitle, &[("scope", scope)]);
    let as_of = look.texts.fill(look.lang, K::ReportAsOf, &[("date", day)]);
    sheet.write_string_with_format(0, 0, to_plain(title.as_str()), &styles.title)?;
    sheet.write_string(1, 0, to_plain(as_of.as_str()))?;
    let keys = headers(kind);
    let mut widths: Vec<usize> = Vec::with_capacity(keys.len());
    for (col, key) in keys.iter().enumerate() {
        let label = look.text(*key);
        widths.push(label.chars().count().min(HEADER_WIDTH));
        sheet.write_string_with_format(HEADER_ROW, col as u16, label, &styles.header)?;
    }
    let mut row_number = HEADER_ROW;
    for row in rows {
        row_number += 1;
        let parent = row.parent_name.clone().unwrap_or_default();
        let mut texts = vec![(0, row.code.clone()), (1, row.name.clone()), (2, parent)];
        if let Some(status) = row.commune_team {
            texts.push((keys.len() - 1, look.text(status_key(status))));
        }
        for (col, text) in texts {
            widths[col] = widths[col].max(text.chars().count());
            sheet.write_string(row_number, col as u16, text)?;
        }
        write_counts(sheet, row_number, &row.counts, false, look)?;
    }
    let last_row = row_number.max(HEADER_ROW + 1);
    let total_row = row_number + 1;
    sheet.write_string_with_format(total_row, 1, look.text(K::ReportTotal), &styles.bold)?;
    write_counts(sheet, total_row, &totals(report, rows, kind), true, look)?;
    if kind == Rows::Communes && report.communes_without_villages > 0 {
        let count = Html::text(&report.communes_without_villages.to_string());
        let gap = look.texts.fill(
            look.lang,
            K::ReportCommunesWithoutVillages,
            &[("count", count)],
        );
        sheet.write_string(total_row + 1, 1, to_plain(gap.as_str()))?;
    }
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, column_width(*width))?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.autofilter(HEADER_ROW, 0, last_row, keys.len() as u16 - 1)?;
    Ok(())
}

/// The totals row: the report's own totals when the rows are all the communes.
pub(crate) fn totals(report: &Report, rows: &[AreaRow], kind: Rows) -> Counts {
    if kind == Rows::Communes && rows.len() == report.communes.len() {
        return report.totals.clone();
    }
    let mut counts = Counts::default();
    rows.iter().for_each(|row| counts.merge(&row.counts));
    counts.finish();
    counts
}

fn write_counts(
    sheet: &mut Worksheet,
    row: u32,
    counts: &Counts,
    bold: bool,
    look: &Look<'_>,
) -> Result<(), ReportError> {
    let values = [
        counts.units,
        counts.registered,
        counts.drafts,
        counts.incomplete,
        counts.with_decision,
        counts.complete,
        counts.members,
    ];
    let styles = look.styles;
    for (i, value) in values.into_iter().enumerate() {
        let col = 3 + i as u16;
        match bold {
            true => sheet.write_number_with_format(row, col, value as f64, &styles.bold)?,
            false => sheet.write_number(row, col, value as f64)?,
        };
    }
    let column = 3 + values.len() as u16;
    if counts.units == 0 {
        // No village listed: the coverage is unknown, not 0 %.
        sheet.write_string(row, column, look.text(K::ReportNoVillageList))?;
        return Ok(());
    }
    let coverage = counts.coverage_percent / 100.0;
    let format = if bold {
        &styles.percent_bold
    } else {
        &styles.percent
    };
    sheet.write_number_with_format(row, column, coverage, format)?;
    Ok(())
}
