//! The period report as a Word document laid out as a Vietnamese administrative report
//! (Decree 30/2020/NĐ-CP's layout): the issuing body opposite the national emblem lines,
//! the number, place and date left for the signer, the title, numbered sections (I. the
//! situation, II. the results with the table, III. proposals), recipients and signature.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

use super::model::{PeriodReport, PeriodRow};
use super::text::{decimal, help_lines, members_ratio, period_label, scope_name, state_key};
use super::xlsx::sum_rows;
use crate::i18n::{to_plain, Html, Lang, Texts, K};
use crate::report::format::{number, plain};
use crate::report::ReportError;

/// The administrative font (Decree 30/2020: Times New Roman), 13 pt text, 9 pt table.
const FONT: &str = "Times New Roman";
const TEXT_SIZE: usize = 26;
const TABLE_SIZE: usize = 18;
const TITLE_SIZE: usize = 28;
/// A4 portrait, in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);

/// The rows the document's table lists: the level just under the scope.
pub fn table_rows(report: &PeriodReport) -> &[PeriodRow] {
    let scope = report.scope_code.as_deref();
    [
        &report.provinces,
        &report.districts,
        &report.communes,
        &report.villages,
    ]
    .into_iter()
    .find(|rows| rows.iter().any(|row| Some(row.code.as_str()) != scope))
    .map_or(&[], |rows| rows.as_slice())
}

fn text(line: impl Into<String>) -> Run {
    Run::new().add_text(line.into())
}

fn centered(run: Run) -> Paragraph {
    Paragraph::new().add_run(run).align(AlignmentType::Center)
}

/// The DOCX of `report`, in `lang`.
pub fn period_docx(
    report: &PeriodReport,
    texts: &Texts,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let t = |key: K| plain(texts, lang, key);
    let fill = |key: K, args: &[(&str, Html)]| to_plain(texts.fill(lang, key, args).as_str());
    let n = |value: u64| Html::text(&number(lang, value as usize));
    let scope = scope_name(report, texts, lang);
    let period = period_label(texts, lang, report.period);
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut doc = Docx::new()
        .default_fonts(fonts)
        .default_size(TEXT_SIZE)
        .page_size(A4.0, A4.1);
    // The heading: issuing body (left) opposite the emblem lines (right), no borders.
    let left = TableCell::new()
        .add_paragraph(centered(text(t(K::ReportPeriodDocIssuer))))
        .add_paragraph(centered(text(scope.to_uppercase()).bold()))
        .add_paragraph(centered(text(t(K::ReportPeriodDocNumber))))
        .width(2000, WidthType::Pct);
    let right = TableCell::new()
        .add_paragraph(centered(text(t(K::ReportPeriodDocEmblem)).bold()))
        .add_paragraph(centered(text(t(K::ReportPeriodDocMotto)).bold()))
        .add_paragraph(
            Paragraph::new()
                .add_run(
                    text(fill(
                        K::ReportPeriodDocPlaceDate,
                        &[("place", Html::text(&scope))],
                    ))
                    .italic(),
                )
                .align(AlignmentType::Right),
        )
        .width(3000, WidthType::Pct);
    doc = doc.add_table(
        Table::new(vec![TableRow::new(vec![left, right])])
            .width(5000, WidthType::Pct)
            .clear_all_border(),
    );
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(
            text(t(K::ReportPeriodDocTitle)).bold().size(TITLE_SIZE),
        ))
        .add_paragraph(centered(
            text(fill(
                K::ReportPeriodDocSubtitle,
                &[("period", Html::text(&period))],
            ))
            .bold(),
        ));
    let total = &report.total;
    let population = match total.population {
        Some(people) => number(lang, people as usize),
        None => t(K::ReportPeriodNoPopulation),
    };
    let body = |doc: Docx, line: String| {
        doc.add_paragraph(
            Paragraph::new()
                .add_run(text(line))
                .align(AlignmentType::Both),
        )
    };
    doc = doc
        .add_paragraph(Paragraph::new().add_run(text(t(K::ReportPeriodDocSectionGeneral)).bold()));
    doc = body(
        doc,
        fill(
            K::ReportPeriodDocGeneral,
            &[
                ("scope", Html::text(&scope)),
                ("villages", n(total.villages)),
                ("members", n(total.members)),
                ("population", Html::text(&population)),
                ("ratio", Html::text(&members_ratio(total, texts, lang))),
                (
                    "min",
                    Html::text(&decimal(lang, report.members_per_100_min)),
                ),
            ],
        ),
    );
    doc = doc
        .add_paragraph(Paragraph::new().add_run(text(t(K::ReportPeriodDocSectionResults)).bold()));
    doc = body(
        doc,
        fill(
            K::ReportPeriodDocResults,
            &[
                ("period", Html::text(&period)),
                ("entries", n(total.entries)),
                ("people", n(total.people)),
                ("basic", n(total.basic_skills_people)),
                ("households", n(total.households_helped)),
            ],
        ),
    );
    for (kind, people) in report.kinds.iter().zip(&total.people_by_kind) {
        let line = fill(
            K::ReportPeriodKindLine,
            &[
                ("kind", Html::text(kind.name(lang))),
                ("people", n(*people)),
            ],
        );
        doc = body(doc, line);
    }
    doc = body(
        doc,
        fill(
            K::ReportPeriodDocQuiet,
            &[
                ("months", n(u64::from(report.quiet_months))),
                ("count", n(report.quiet.len() as u64)),
            ],
        ),
    );
    for line in help_lines(&total.help, texts, lang) {
        doc = body(doc, to_plain(&line));
    }
    if total.late_entries > 0 {
        let late = fill(
            K::ReportPeriodLate,
            &[
                ("entries", n(total.late_entries)),
                ("people", n(total.late_people)),
            ],
        );
        doc = body(doc, late);
    }
    doc = doc.add_table(figures_table(report, texts, lang));
    doc = doc
        .add_paragraph(Paragraph::new().add_run(text(t(K::ReportPeriodDocSectionProposals)).bold()))
        .add_paragraph(Paragraph::new().add_run(text(t(K::ReportPeriodDocProposals))))
        .add_paragraph(Paragraph::new());
    // Recipients (left) and the signature block (right).
    let mut recipients = TableCell::new().add_paragraph(
        Paragraph::new().add_run(text(t(K::ReportPeriodDocRecipients)).bold().italic()),
    );
    for line in t(K::ReportPeriodDocRecipientsList).lines() {
        recipients = recipients.add_paragraph(Paragraph::new().add_run(text(line).size(22)));
    }
    let recipients = recipients.width(2500, WidthType::Pct);
    let signature = TableCell::new()
        .add_paragraph(centered(text(t(K::ReportPeriodDocSignFor)).bold()))
        .add_paragraph(centered(text(t(K::ReportPeriodDocSignHint)).italic()))
        .width(2500, WidthType::Pct);
    doc = doc.add_table(
        Table::new(vec![TableRow::new(vec![recipients, signature])])
            .width(5000, WidthType::Pct)
            .clear_all_border(),
    );
    let mut bytes = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|error| ReportError::Docx(error.to_string()))?;
    Ok(bytes.into_inner())
}

/// No., unit, entries, people (basic skills), households helped, members, residents,
/// members per 100, quiet villages and (communes) the report's state; a totals row.
fn figures_table(report: &PeriodReport, texts: &Texts, lang: Lang) -> Table {
    let t = |key: K| plain(texts, lang, key);
    let rows = table_rows(report);
    let communes = rows.iter().any(|row| row.report.is_some());
    let mut header = vec![
        t(K::ReportPeriodColNo),
        t(K::ReportColUnit),
        t(K::ReportPeriodColEntries),
        t(K::ReportPeriodColPeople),
        t(K::ReportPeriodColBasic),
        t(K::ReportPeriodColHouseholdsHelped),
        t(K::ReportPeriodColMembers),
        t(K::ReportPeriodColPopulation),
        t(K::ReportPeriodColMembersPer100),
        t(K::ReportPeriodColQuiet),
    ];
    if communes {
        header.push(t(K::ReportPeriodColReport));
    }
    let n = |value: u64| number(lang, value as usize);
    let cells = |figures: &super::model::Figures| {
        vec![
            n(figures.entries),
            n(figures.people),
            n(figures.basic_skills_people),
            n(figures.households_helped),
            n(figures.members),
            figures
                .population
                .map_or_else(|| t(K::ReportPeriodNoPopulation), &n),
            members_ratio(figures, texts, lang),
            n(figures.quiet_villages),
        ]
    };
    let mut table = vec![table_row(header, true)];
    for (i, row) in rows.iter().enumerate() {
        let mut line = vec![(i + 1).to_string(), row.name.clone()];
        line.extend(cells(&row.figures));
        if communes {
            line.push(row.report.map(|s| t(state_key(s))).unwrap_or_default());
        }
        table.push(table_row(line, false));
    }
    let mut line = vec![String::new(), t(K::ReportTotal)];
    line.extend(cells(&sum_rows(report, rows)));
    if communes {
        line.push(String::new());
    }
    table.push(table_row(line, true));
    Table::new(table).width(5000, WidthType::Pct)
}

fn table_row(cells: Vec<String>, bold: bool) -> TableRow {
    TableRow::new(
        cells
            .into_iter()
            .map(|cell| {
                let run = text(cell).size(TABLE_SIZE);
                let run = if bold { run.bold() } else { run };
                TableCell::new().add_paragraph(Paragraph::new().add_run(run))
            })
            .collect(),
    )
}
