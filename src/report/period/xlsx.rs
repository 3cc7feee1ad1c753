//! The period report as an Excel workbook: one sheet per level (provinces, districts,
//! communes, villages: those the scope has), the unit's code first, a totals row last; then
//! the villages gone quiet.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet};

use super::model::{Figures, PeriodReport, PeriodRow};
use super::text::{period_label, scope_name, state_key};
use crate::i18n::{to_plain, Html, Lang, Texts, K};
use crate::report::format::{date, plain};
use crate::report::ReportError;

/// The row of the column headers; the title and the dates are above it.
pub const HEADER_ROW: u32 = 3;

struct Look<'a> {
    texts: &'a Texts,
    lang: Lang,
    header: Format,
    bold: Format,
    title: Format,
    ratio: Format,
    ratio_bold: Format,
}

impl Look<'_> {
    fn text(&self, key: K) -> String {
        plain(self.texts, self.lang, key)
    }
}

/// Writes the workbook of `report` to `out`.
pub fn write_period_xlsx(
    report: &PeriodReport,
    texts: &Texts,
    lang: Lang,
    out: &Path,
) -> Result<(), ReportError> {
    let look = Look {
        texts,
        lang,
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xDDEBF7)),
        bold: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        ratio: Format::new().set_num_format("0.00"),
        ratio_bold: Format::new().set_num_format("0.00").set_bold(),
    };
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(2);
    for (key, rows, communes) in [
        (K::ReportPeriodSheetProvinces, &report.provinces, false),
        (K::ReportPeriodSheetDistricts, &report.districts, false),
        (K::ReportPeriodSheetCommunes, &report.communes, true),
        (K::ReportPeriodSheetVillages, &report.villages, false),
    ] {
        if rows.is_empty() {
            continue;
        }
        let mut sheet = Worksheet::new();
        sheet.set_name(look.text(key))?;
        level_sheet(&mut sheet, report, rows, communes, &look)?;
        workbook.push_worksheet(sheet);
    }
    let mut quiet = Worksheet::new();
    quiet.set_name(look.text(K::ReportPeriodSheetQuiet))?;
    quiet_sheet(&mut quiet, report, &look)?;
    workbook.push_worksheet(quiet);
    workbook.save(out)?;
    Ok(())
}

fn heading(
    sheet: &mut Worksheet,
    report: &PeriodReport,
    look: &Look<'_>,
) -> Result<(), ReportError> {
    let (texts, lang) = (look.texts, look.lang);
    let scope = Html::text(&scope_name(report, texts, lang));
    let period = Html::text(&period_label(texts, lang, report.period));
    let title = texts.fill(
        lang,
        K::ReportPeriodTitle,
        &[("scope", scope), ("period", period)],
    );
    let day = |d| Html::text(&date(d));
    let as_of = texts.fill(
        lang,
        K::ReportPeriodAsOf,
        &[
            ("first", day(report.period.first_day())),
            ("last", day(report.period.last_day())),
            ("date", day(report.generated_at.date_naive())),
        ],
    );
    sheet.write_string_with_format(0, 0, to_plain(title.as_str()), &look.title)?;
    sheet.write_string(1, 0, to_plain(as_of.as_str()))?;
    Ok(())
}

/// The columns of figures, after code, name and parent.
fn figure_headers(report: &PeriodReport, look: &Look<'_>) -> Vec<String> {
    let mut headers = vec![
        look.text(K::ReportPeriodColVillages),
        look.text(K::ReportPeriodColEntries),
    ];
    headers.extend(
        report
            .kinds
            .iter()
            .map(|kind| kind.name(look.lang).to_owned()),
    );
    for key in [
        K::ReportPeriodColBasic,
        K::ReportPeriodColPeople,
        K::ReportPeriodColHouseholdsHelped,
        K::ReportPeriodColHouseholds,
        K::ReportPeriodColHouseholdsPer100,
        K::ReportPeriodColMembers,
        K::ReportPeriodColPopulation,
        K::ReportPeriodColMembersPer100,
        K::ReportPeriodColBelow,
        K::ReportPeriodColQuiet,
        K::ReportPeriodColLateEntries,
        K::ReportPeriodColLatePeople,
        K::ReportPeriodColHelpAsked,
        K::ReportPeriodColHelpOpen,
        K::ReportPeriodColHelpTaken,
        K::ReportPeriodColHelpSolved,
        K::ReportPeriodColHelpUnsolved,
        K::ReportPeriodColHelpAbuse,
        K::ReportPeriodColHelpTakeHours,
        K::ReportPeriodColHelpCloseHours,
        K::ReportPeriodColHelpRatings,
        K::ReportPeriodColHelpRating,
    ] {
        headers.push(look.text(key));
    }
    headers
}

enum Cell {
    Number(f64),
    Ratio(Option<f64>),
    /// A mean to two decimals; empty when there is nothing to average.
    Mean(Option<f64>),
    Text(String),
}

fn figure_cells(report: &PeriodReport, figures: &Figures, look: &Look<'_>) -> Vec<Cell> {
    let n = |value: u64| Cell::Number(value as f64);
    let known = |value: Option<u64>| match value {
        Some(value) => Cell::Number(value as f64),
        None => Cell::Text(look.text(K::ReportPeriodNoPopulation)),
    };
    let mut cells = vec![n(figures.villages), n(figures.entries)];
    cells.extend(figures.people_by_kind.iter().map(|people| n(*people)));
    cells.extend([
        n(figures.basic_skills_people),
        n(figures.people),
        n(figures.households_helped),
        known(figures.households),
        Cell::Ratio(figures.households_reached_per_100()),
        n(figures.members),
        known(figures.population),
        Cell::Ratio(figures.members_per_100()),
        Cell::Text(if figures.below(report.members_per_100_min) {
            look.text(K::ReportYes)
        } else {
            String::new()
        }),
        n(figures.quiet_villages),
        n(figures.late_entries),
        n(figures.late_people),
    ]);
    let help = &figures.help;
    let hours = |minutes: Option<u64>| Cell::Mean(minutes.map(|m| m as f64 / 60.0));
    cells.extend([
        n(help.asked),
        n(help.open),
        n(help.taken),
        n(help.solved),
        n(help.unsolved),
        n(help.abuse),
        hours(help.mean_take_minutes()),
        hours(help.mean_close_minutes()),
        n(help.ratings),
        Cell::Mean(help.mean_rating()),
    ]);
    cells
}

/// The sum of `rows`' figures; residents and households only when every row has them.
pub fn sum_rows(report: &PeriodReport, rows: &[PeriodRow]) -> Figures {
    let mut total = Figures {
        people_by_kind: vec![0; report.kinds.len()],
        ..Figures::default()
    };
    for row in rows {
        total.add(&row.figures);
    }
    total.population = rows.iter().map(|row| row.figures.population).sum();
    total.households = rows.iter().map(|row| row.figures.households).sum();
    total
}

fn level_sheet(
    sheet: &mut Worksheet,
    report: &PeriodReport,
    rows: &[PeriodRow],
    communes: bool,
    look: &Look<'_>,
) -> Result<(), ReportError> {
    heading(sheet, report, look)?;
    let mut headers = vec![
        look.text(K::ReportColCode),
        look.text(K::ReportColUnit),
        look.text(K::ReportColParent),
    ];
    headers.extend(figure_headers(report, look));
    if communes {
        headers.push(look.text(K::ReportPeriodColReport));
    }
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, header, &look.header)?;
        sheet.set_column_width(col as u16, if col == 1 { 28 } else { 12 })?;
    }
    let mut at = HEADER_ROW;
    for row in rows {
        at += 1;
        sheet.write_string(at, 0, &row.code)?;
        sheet.write_string(at, 1, &row.name)?;
        sheet.write_string(at, 2, row.parent_name.as_deref().unwrap_or_default())?;
        let mut cells = figure_cells(report, &row.figures, look);
        if let Some(state) = row.report {
            cells.push(Cell::Text(look.text(state_key(state))));
        }
        write_cells(sheet, at, cells, false, look)?;
    }
    at += 1;
    sheet.write_string_with_format(at, 1, look.text(K::ReportTotal), &look.bold)?;
    let total = sum_rows(report, rows);
    write_cells(sheet, at, figure_cells(report, &total, look), true, look)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    Ok(())
}

fn write_cells(
    sheet: &mut Worksheet,
    row: u32,
    cells: Vec<Cell>,
    bold: bool,
    look: &Look<'_>,
) -> Result<(), ReportError> {
    for (i, cell) in cells.into_iter().enumerate() {
        let col = (i + 3) as u16;
        match cell {
            Cell::Number(value) if bold => {
                sheet.write_number_with_format(row, col, value, &look.bold)?;
            }
            Cell::Number(value) => {
                sheet.write_number(row, col, value)?;
            }
            Cell::Ratio(Some(value)) | Cell::Mean(Some(value)) => {
                let format = if bold { &look.ratio_bold } else { &look.ratio };
                sheet.write_number_with_format(row, col, value, format)?;
            }
            Cell::Mean(None) => {}
            Cell::Ratio(None) => {
                sheet.write_string(row, col, look.text(K::ReportPeriodNoPopulation))?;
            }
            Cell::Text(text) => {
                sheet.write_string(row, col, text)?;
            }
        }
    }
    Ok(())
}

fn quiet_sheet(
    sheet: &mut Worksheet,
    report: &PeriodReport,
    look: &Look<'_>,
) -> Result<(), ReportError> {
    heading(sheet, report, look)?;
    let headers = [
        K::ReportColCode,
        K::ReportColUnit,
        K::ReportColCommune,
        K::ReportPeriodColLastActivity,
    ];
    for (col, key) in headers.into_iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, look.text(key), &look.header)?;
        sheet.set_column_width(col as u16, if col == 0 { 14 } else { 28 })?;
    }
    for (i, village) in report.quiet.iter().enumerate() {
        let at = HEADER_ROW + 1 + i as u32;
        sheet.write_string(at, 0, &village.code)?;
        sheet.write_string(at, 1, &village.name)?;
        sheet.write_string(at, 2, village.commune_name.as_deref().unwrap_or_default())?;
        let last = match village.last_activity {
            Some(day) => date(day),
            None => look.text(K::ReportPeriodNever),
        };
        sheet.write_string(at, 3, last)?;
    }
    Ok(())
}
