//! The report as an Excel workbook: a summary per commune (and per area), the listing of
//! every team and member, and the role composition. The listing sheet streams its rows to
//! a temporary file ("constant memory"), so the whole country fits in little memory.

use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet};

mod listing;
mod look;
pub(super) mod summary;

use super::format::{plain, role_label};
use super::missing::write_missing;
use super::model::Report;
use super::ReportError;
use crate::domain::CompositionRules;
use crate::i18n::{Lang, Texts, K};
use crate::storage::{Store, Sweep};
use listing::{listing_sheet, SheetSink};
use look::{column_width, Look, Styles, HEADER_WIDTH};
use summary::{summary_sheet, Rows};

/// Writes the workbook of `report` (whose data `sweep` holds) to `out`.
pub async fn write_xlsx(
    store: &Store,
    sweep: &Sweep,
    report: &Report,
    rules: &CompositionRules,
    texts: &Texts,
    lang: Lang,
    out: &Path,
) -> Result<(), ReportError> {
    let styles = Styles::new(lang);
    let mut workbook = Workbook::new();
    // A fast deflate level: the whole country's listing (about 200 MB of XML) compresses
    // several times faster than at the default level, into a file about a fifth larger.
    workbook.set_zip_compression_level(2);
    let look = Look {
        texts,
        lang,
        styles: &styles,
    };
    let mut summary = Worksheet::new();
    summary.set_name(plain(texts, lang, K::ReportSheetSummary))?;
    summary_sheet(
        &mut summary,
        report,
        &report.communes,
        Rows::Communes,
        &look,
    )?;
    workbook.push_worksheet(summary);
    if !report.areas.is_empty() {
        let mut areas = Worksheet::new();
        areas.set_name(plain(texts, lang, K::ReportSheetAreas))?;
        summary_sheet(&mut areas, report, &report.areas, Rows::Areas, &look)?;
        workbook.push_worksheet(areas);
    }
    let mut missing = SheetSink::new(Worksheet::new(), &styles);
    write_missing(sweep, rules, texts, lang, &mut missing)?;
    let mut missing = missing.finish()?;
    missing.set_name(plain(texts, lang, K::ReportSheetMissing))?;
    workbook.push_worksheet(missing);
    let mut listing = workbook.new_worksheet_with_constant_memory()?;
    listing.set_name(plain(texts, lang, K::ReportSheetTeams))?;
    let listing = listing_sheet(store, sweep, rules, texts, lang, listing).await?;
    workbook.push_worksheet(listing);
    let mut roles = Worksheet::new();
    roles.set_name(plain(texts, lang, K::ReportSheetRoles))?;
    roles_sheet(&mut roles, report, &look)?;
    workbook.push_worksheet(roles);
    workbook.save(out)?;
    Ok(())
}

fn roles_sheet(sheet: &mut Worksheet, report: &Report, look: &Look<'_>) -> Result<(), ReportError> {
    let header = &look.styles.header;
    sheet.write_string_with_format(0, 0, look.text(K::ReportColRole), header)?;
    sheet.write_string_with_format(0, 1, look.text(K::ReportColCount), header)?;
    let mut widest = HEADER_WIDTH;
    for (i, role) in report.roles.iter().enumerate() {
        let label = role_label(look.texts, look.lang, role.role);
        widest = widest.max(label.chars().count());
        sheet.write_string(i as u32 + 1, 0, &label)?;
        sheet.write_number(i as u32 + 1, 1, role.count as f64)?;
    }
    sheet.set_column_width(0, column_width(widest))?;
    sheet.set_column_width(1, column_width(HEADER_WIDTH))?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}
