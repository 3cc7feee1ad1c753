//! The decision laid out as a Vietnamese administrative paper (the form of Decree
//! 30/2020/NĐ-CP: Times New Roman, A4 portrait): the issuer and the national motto side by
//! side, number and date left blank, the title, the chairman, the grounds, Articles 1 to 3,
//! the recipients beside the signature block and, for a commune's villages, the annex.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

use super::{DecisionDraft, DecisionError, VillageTeam};
use crate::domain::DecisionTemplate;

const FONT: &str = "Times New Roman";
/// Half-points: 13 pt text, 14 pt title.
const TEXT_SIZE: usize = 26;
const TITLE_SIZE: usize = 28;
/// A4 portrait, in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// Left blank for the commune's clerk to fill in when it is signed.
pub const NUMBER_LINE: &str = "Số: …/QĐ-UBND";
const BLANK_DATE: &str = "ngày … tháng … năm …";
const TEAM: &str = "Tổ Công nghệ số cộng đồng";

/// The DOCX of `draft`, in Vietnamese, with the words of `template`.
pub fn decision_docx(
    draft: &DecisionDraft,
    template: &DecisionTemplate,
) -> Result<Vec<u8>, DecisionError> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let commune = draft.issuer.in_sentence();
    let fill = |line: &String| DecisionTemplate::fill(line, &commune);
    let mut doc = Docx::new()
        .default_fonts(fonts)
        .default_size(TEXT_SIZE)
        .page_size(A4.0, A4.1)
        .add_table(heading(draft))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(
            Run::new().add_text("QUYẾT ĐỊNH").bold().size(TITLE_SIZE),
        ))
        .add_paragraph(centered(Run::new().add_text(subject(draft)).bold()))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(
            Run::new()
                .add_text(format!("CHỦ TỊCH ỦY BAN NHÂN DÂN {}", draft.issuer.upper()))
                .bold(),
        ))
        .add_paragraph(Paragraph::new());
    for ground in &template.grounds {
        doc = doc.add_paragraph(body(Run::new().add_text(fill(ground)).italic()));
    }
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(Run::new().add_text("QUYẾT ĐỊNH:").bold()))
        .add_paragraph(Paragraph::new());
    doc = article_one(doc, draft);
    doc = doc.add_paragraph(article("Điều 2.", &format!("Nhiệm vụ của {TEAM}:")));
    for task in &template.tasks {
        doc = doc.add_paragraph(body(Run::new().add_text(format!("- {}", fill(task)))));
    }
    let mut executors = template.executors.iter().map(fill);
    let first = executors.next().unwrap_or_default();
    doc = doc.add_paragraph(article("Điều 3.", &first));
    for line in executors {
        doc = doc.add_paragraph(body(Run::new().add_text(line)));
    }
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_table(signature(template.recipients.iter().map(fill).collect()));
    if draft.commune_wide {
        doc = annex(doc, draft);
    }
    let mut bytes = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|error| DecisionError::Docx(error.to_string()))?;
    Ok(bytes.into_inner())
}

/// "Về việc thành lập Tổ Công nghệ số cộng đồng thôn Đông Sơn".
fn subject(draft: &DecisionDraft) -> String {
    match (draft.commune_wide, draft.teams.as_slice()) {
        (false, [team]) => format!("Về việc thành lập {TEAM} {}", team.in_sentence()),
        _ => format!(
            "Về việc thành lập {TEAM} các thôn, khu dân cư trên địa bàn {}",
            draft.issuer.in_sentence()
        ),
    }
}

/// The issuer and number on the left, the national motto and the blank date on the right,
/// without borders.
fn heading(draft: &DecisionDraft) -> Table {
    let left = TableCell::new()
        .width(4000, WidthType::Dxa)
        .add_paragraph(centered(Run::new().add_text("ỦY BAN NHÂN DÂN")))
        .add_paragraph(centered(Run::new().add_text(draft.issuer.upper()).bold()))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(Run::new().add_text(NUMBER_LINE)));
    let right = TableCell::new()
        .width(5600, WidthType::Dxa)
        .add_paragraph(centered(
            Run::new()
                .add_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
                .bold(),
        ))
        .add_paragraph(centered(
            Run::new().add_text("Độc lập - Tự do - Hạnh phúc").bold(),
        ))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(
            Run::new()
                .add_text(format!("{}, {BLANK_DATE}", draft.issuer.place()))
                .italic(),
        ));
    Table::without_borders(vec![TableRow::new(vec![left, right])]).width(5000, WidthType::Pct)
}

/// Article 1: the team and its members, or (a commune's decision) the teams, whose members
/// the annex lists.
fn article_one(doc: Docx, draft: &DecisionDraft) -> Docx {
    match (draft.commune_wide, draft.teams.as_slice()) {
        (false, [team]) => {
            let text = format!(
                "Thành lập {TEAM} {}, gồm các ông (bà) có tên sau:",
                team.in_sentence()
            );
            doc.add_paragraph(article("Điều 1.", &text))
                .add_table(members_table(team))
                .add_paragraph(Paragraph::new())
        }
        (_, teams) => {
            let text = format!(
                "Thành lập {} {TEAM} tại các thôn, khu dân cư của {}:",
                teams.len(),
                draft.issuer.in_sentence()
            );
            let mut doc = doc.add_paragraph(article("Điều 1.", &text));
            for (i, team) in teams.iter().enumerate() {
                let end = if i + 1 == teams.len() { "." } else { ";" };
                let line = format!(
                    "{}. {TEAM} {} ({} người){end}",
                    i + 1,
                    team.in_sentence(),
                    team.people.len()
                );
                doc = doc.add_paragraph(body(Run::new().add_text(line)));
            }
            doc.add_paragraph(body(
                Run::new().add_text("Thành viên của từng Tổ theo Phụ lục kèm theo Quyết định này."),
            ))
        }
    }
}

/// "Nơi nhận:" on the left, "CHỦ TỊCH" and room to sign on the right.
fn signature(recipients: Vec<String>) -> Table {
    let mut left = TableCell::new()
        .width(4600, WidthType::Dxa)
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Nơi nhận:").bold().italic()));
    for line in recipients {
        left = left.add_paragraph(
            Paragraph::new().add_run(Run::new().add_text(format!("- {line}")).size(22)),
        );
    }
    let right = TableCell::new()
        .width(5000, WidthType::Dxa)
        .add_paragraph(centered(Run::new().add_text("CHỦ TỊCH").bold()))
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new());
    Table::without_borders(vec![TableRow::new(vec![left, right])]).width(5000, WidthType::Pct)
}

/// The annex of a commune's decision: every village's team, once, with its members.
fn annex(doc: Docx, draft: &DecisionDraft) -> Docx {
    let page_break = Paragraph::new().add_run(Run::new().add_break(BreakType::Page));
    let mut doc = doc
        .add_paragraph(page_break)
        .add_paragraph(centered(Run::new().add_text("PHỤ LỤC").bold()))
        .add_paragraph(centered(
            Run::new()
                .add_text(format!(
                    "DANH SÁCH THÀNH VIÊN {} CÁC THÔN, KHU DÂN CƯ",
                    TEAM.to_uppercase()
                ))
                .bold(),
        ))
        .add_paragraph(centered(
            Run::new()
                .add_text(format!(
                    "(Kèm theo Quyết định số …/QĐ-UBND {BLANK_DATE} của Chủ tịch UBND {})",
                    draft.issuer.in_sentence()
                ))
                .italic(),
        ));
    for (i, team) in draft.teams.iter().enumerate() {
        let title = format!("{}. {TEAM} {}", i + 1, team.in_sentence());
        doc = doc
            .add_paragraph(Paragraph::new())
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(title).bold()))
            .add_table(members_table(team));
    }
    doc
}

/// STT, name, position, task in the team, published phone (blank otherwise).
fn members_table(team: &VillageTeam) -> Table {
    let header = [
        "STT",
        "Họ và tên",
        "Chức vụ",
        "Nhiệm vụ trong Tổ",
        "Số điện thoại",
    ];
    let mut rows = vec![row(header.iter().map(|h| h.to_string()).collect(), true)];
    for (i, person) in team.people.iter().enumerate() {
        let task = if person.leader {
            "Tổ trưởng"
        } else {
            "Thành viên"
        };
        rows.push(row(
            vec![
                (i + 1).to_string(),
                person.name.clone(),
                person.position.clone(),
                task.to_owned(),
                person.phone.clone().unwrap_or_default(),
            ],
            false,
        ));
    }
    Table::new(rows)
        .set_grid(vec![700, 2800, 2600, 1800, 1800])
        .width(5000, WidthType::Pct)
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

fn centered(run: Run) -> Paragraph {
    Paragraph::new().add_run(run).align(AlignmentType::Center)
}

fn body(run: Run) -> Paragraph {
    Paragraph::new()
        .add_run(run)
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(docx_rs::SpecialIndentType::FirstLine(567)),
            None,
            None,
        )
}

/// "Điều 1. …": the article's number in bold, its first sentence after it.
fn article(number: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(format!("{number} ")).bold())
        .add_run(Run::new().add_text(text))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(docx_rs::SpecialIndentType::FirstLine(567)),
            None,
            None,
        )
}
