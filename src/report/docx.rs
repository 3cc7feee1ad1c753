//! The report as a Word document, for a channel that takes no spreadsheet (Zalo's file upload
//! takes PDF, DOC and DOCX only): the chat summary, then the table of the areas above the
//! communes (when the scope has some) and of the communes, with their totals, as the XLSX's
//! summary sheets hold them. No one's name or phone is in it.

use std::io::Cursor;

use docx_rs::{
    Docx, PageOrientationType, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

use super::format::{number, percent, plain, status_key};
use super::model::{AreaRow, Counts, Report};
use super::text::chat_summary;
use super::xlsx::summary::{headers, totals, Rows};
use super::ReportError;
use crate::i18n::{to_plain, Html, Lang, Texts, K};

/// A font every Word and phone viewer has, with Vietnamese's letters.
const FONT: &str = "Arial";
/// Half-points: 10 pt text, 14 pt title.
const TEXT_SIZE: usize = 20;
const TITLE_SIZE: usize = 28;
/// A4 landscape, in twentieths of a point: the table has a dozen columns.
const A4_LANDSCAPE: (u32, u32) = (16838, 11906);

/// The DOCX of `report`, in `lang`.
pub fn report_docx(report: &Report, texts: &Texts, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut doc = Docx::new()
        .default_fonts(fonts)
        .default_size(TEXT_SIZE)
        .page_size(A4_LANDSCAPE.0, A4_LANDSCAPE.1)
        .page_orient(PageOrientationType::Landscape);
    let summary = to_plain(chat_summary(report, texts, lang).as_str());
    for (i, line) in summary.lines().enumerate() {
        let run = match i {
            0 => Run::new().add_text(line).bold().size(TITLE_SIZE),
            _ => Run::new().add_text(line),
        };
        doc = doc.add_paragraph(Paragraph::new().add_run(run));
    }
    let mut tables = Vec::new();
    if !report.areas.is_empty() {
        tables.push((K::ReportSheetAreas, &report.areas, Rows::Areas));
    }
    tables.push((K::ReportSheetSummary, &report.communes, Rows::Communes));
    for (title, rows, kind) in tables {
        let heading = Run::new().add_text(plain(texts, lang, title)).bold();
        doc = doc
            .add_paragraph(Paragraph::new())
            .add_paragraph(Paragraph::new().add_run(heading))
            .add_table(units_table(report, rows, kind, texts, lang));
    }
    if report.communes_without_villages > 0 {
        let count = Html::text(&report.communes_without_villages.to_string());
        let gap = texts.fill(lang, K::ReportCommunesWithoutVillages, &[("count", count)]);
        let gap = Run::new().add_text(to_plain(gap.as_str()));
        doc = doc.add_paragraph(Paragraph::new().add_run(gap));
    }
    let mut bytes = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|error| ReportError::Docx(error.to_string()))?;
    Ok(bytes.into_inner())
}

fn units_table(report: &Report, rows: &[AreaRow], kind: Rows, texts: &Texts, lang: Lang) -> Table {
    let keys = headers(kind);
    let header = keys.iter().map(|key| plain(texts, lang, *key)).collect();
    let mut table_rows = vec![row(header, true)];
    for area in rows {
        let mut cells = vec![
            area.code.clone(),
            area.name.clone(),
            area.parent_name.clone().unwrap_or_default(),
        ];
        cells.extend(counts(&area.counts, texts, lang));
        if kind == Rows::Communes {
            let team = area.commune_team.map(|s| plain(texts, lang, status_key(s)));
            cells.push(team.unwrap_or_default());
        }
        table_rows.push(row(cells, false));
    }
    let mut total = vec![
        String::new(),
        plain(texts, lang, K::ReportTotal),
        String::new(),
    ];
    total.extend(counts(&totals(report, rows, kind), texts, lang));
    total.resize(keys.len(), String::new());
    table_rows.push(row(total, true));
    Table::new(table_rows).width(5000, WidthType::Pct)
}

/// The counts' columns, as the summary sheet has them.
fn counts(counts: &Counts, texts: &Texts, lang: Lang) -> Vec<String> {
    let mut cells: Vec<String> = [
        counts.units,
        counts.registered,
        counts.drafts,
        counts.incomplete,
        counts.with_decision,
        counts.complete,
        counts.members,
    ]
    .into_iter()
    .map(|n| number(lang, n))
    .collect();
    cells.push(match counts.units {
        // No village listed: the coverage is unknown, not 0 %.
        0 => plain(texts, lang, K::ReportNoVillageList),
        _ => percent(lang, counts.coverage_percent),
    });
    cells
}

fn row(cells: Vec<String>, bold: bool) -> TableRow {
    TableRow::new(
        cells
            .into_iter()
            .map(|text| {
                let run = Run::new().add_text(text);
                let run = if bold { run.bold() } else { run };
                TableCell::new().add_paragraph(Paragraph::new().add_run(run))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::load_report;
    use super::super::scene::{now, scene, DAI_SON};
    use super::*;

    #[tokio::test]
    async fn the_word_report_holds_the_summary_and_the_table_of_communes_in_vietnamese() {
        // Arrange
        let scene = scene().await;
        let (_, report) = load_report(&scene.store, &scene.rules, Some("298"), now())
            .await
            .unwrap();
        // Act
        let bytes = report_docx(&report, &scene.texts, Lang::Vi).unwrap();
        // Assert: read back by docx-rs's reader, every text of the document is in its JSON.
        let read = docx_rs::read_docx(&bytes).expect("a readable DOCX");
        let text = read.json();
        let row = report.communes.iter().find(|r| r.code == DAI_SON).unwrap();
        for expected in [
            DAI_SON,
            row.name.as_str(),
            "Tổng hợp",
            "Tỉ lệ thôn có tổ",
            &plain(&scene.texts, Lang::Vi, K::ReportTotal),
        ] {
            assert!(text.contains(expected), "{expected:?} is in the document");
        }
        let title = to_plain(chat_summary(&report, &scene.texts, Lang::Vi).as_str());
        let title = title.lines().next().unwrap();
        assert!(text.contains(title), "the summary's title {title:?}");
        assert!(bytes.len() < 5 * 1024 * 1024, "under Zalo's 5 MB");
    }
}
