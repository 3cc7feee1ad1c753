//! The report as an Excel workbook: a summary per commune (and per area), the listing of
//! every team and member, and the role composition. The listing sheet streams its rows to
//! a temporary file ("constant memory"), so the whole country fits in little memory.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet};

use super::format::{percent_format, plain, role_label};
use super::missing::write_missing;
use super::model::Report;
use super::xlsx_listing::{listing_sheet, SheetSink};
use super::xlsx_summary::{summary_sheet, Rows};
use super::ReportError;
use crate::domain::CompositionRules;
use crate::i18n::{Lang, Texts, K};
use crate::storage::{Store, Sweep};

/// Widest column, in characters.
const MAX_WIDTH: usize = 50;
/// A header wraps onto two or three lines rather than widening its column past this.
pub(crate) const HEADER_WIDTH: usize = 14;

#[derive(Clone)]
pub(crate) struct Styles {
    pub header: Format,
    pub bold: Format,
    pub title: Format,
    pub date: Format,
    pub percent: Format,
    pub percent_bold: Format,
}

impl Styles {
    pub fn new(lang: Lang) -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xDDEBF7)),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            percent: Format::new().set_num_format(percent_format(lang)),
            percent_bold: Format::new()
                .set_num_format(percent_format(lang))
                .set_bold(),
        }
    }
}

/// What every sheet is written with.
pub(crate) struct Look<'a> {
    pub texts: &'a Texts,
    pub lang: Lang,
    pub styles: &'a Styles,
}

impl Look<'_> {
    pub fn text(&self, key: K) -> String {
        plain(self.texts, self.lang, key)
    }
}

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

/// Excel's width (in characters of its default font) for text of `chars` characters.
pub(crate) fn column_width(chars: usize) -> f64 {
    (chars.min(MAX_WIDTH) as f64 * 1.1 + 2.0).max(6.0)
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
