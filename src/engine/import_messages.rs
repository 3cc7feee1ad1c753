//! A refused village file told in the chat's language: each bad row by its line, each
//! problem from `dialogues/` (issue 21, item 5). The command line keeps the English of
//! [`crate::import::Problem`]'s `Display`.

use crate::domain::units::{VillageNameError, VILLAGE_NAME_MAX};
use crate::i18n::{Html, Lang, Texts, K};

use crate::import::{ImportError, Problem, RowError};

/// Rows listed in chat; the rest are counted. A chat message has room for about this many.
const ROWS_SHOWN: usize = 20;

/// What went wrong with a file, for the chat; `None` when the fault is ours (storage, I/O),
/// which the chat hears as the usual apology.
pub(super) fn import_failure(texts: &Texts, lang: Lang, error: &ImportError) -> Option<Html> {
    match error {
        ImportError::BadRows(rows) => Some(bad_rows(texts, lang, rows)),
        ImportError::TooManyRows { rows, max } => Some(texts.fill(
            lang,
            K::ImportTooManyRows,
            &[("rows", number(*rows)), ("max", number(*max))],
        )),
        ImportError::Io(_) | ImportError::Storage(_) => None,
    }
}

fn bad_rows(texts: &Texts, lang: Lang, rows: &[RowError]) -> Html {
    let mut lines = Vec::with_capacity(rows.len().min(ROWS_SHOWN) + 1);
    for row in rows.iter().take(ROWS_SHOWN) {
        let problems: Vec<String> = row
            .problems
            .iter()
            .map(|problem| describe(texts, lang, problem).into_string())
            .collect();
        let args = [
            ("line", number(row.line as usize)),
            ("problems", Html::markup(problems.join("; "))),
        ];
        lines.push(texts.fill(lang, K::ImportRow, &args).into_string());
    }
    if rows.len() > ROWS_SHOWN {
        let more = number(rows.len() - ROWS_SHOWN);
        let text = texts.fill(lang, K::ImportMoreRows, &[("count", more)]);
        lines.push(text.into_string());
    }
    Html::markup(lines.join("\n"))
}

fn number(n: usize) -> Html {
    Html::text(&n.to_string())
}

fn text(value: &str) -> Html {
    // A value from the file is shown, never a whole paste.
    let short: String = value.chars().take(60).collect();
    Html::text(&short)
}

/// One problem in the chat's language.
fn describe(texts: &Texts, lang: Lang, problem: &Problem) -> Html {
    let fill = |key, args: &[(&str, Html)]| texts.fill(lang, key, args);
    match problem {
        Problem::Unreadable(_) | Problem::Other(_) => texts.get(lang, K::ImportProblemUnreadable),
        Problem::NotText => texts.get(lang, K::ImportProblemNotText),
        Problem::NotUtf8 => texts.get(lang, K::ImportProblemNotUtf8),
        Problem::UnknownColumn { column, expected } => fill(
            K::ImportProblemUnknownColumn,
            &[("column", text(column)), ("expected", text(expected))],
        ),
        Problem::ColumnTwice(column) => {
            fill(K::ImportProblemColumnTwice, &[("column", text(column))])
        }
        Problem::MissingColumns(columns) => fill(
            K::ImportProblemMissingColumns,
            &[("columns", text(columns))],
        ),
        Problem::ColumnCount { expected, found } => fill(
            K::ImportProblemColumnCount,
            &[("expected", number(*expected)), ("found", number(*found))],
        ),
        Problem::Empty(column) => fill(K::ImportProblemEmpty, &[("column", text(column))]),
        Problem::NotDigits { column, value } => fill(
            K::ImportProblemNotDigits,
            &[("column", text(column)), ("value", text(value))],
        ),
        Problem::Name(VillageNameError::Length) => fill(
            K::ImportProblemNameLength,
            &[("max", number(VILLAGE_NAME_MAX))],
        ),
        Problem::Name(VillageNameError::NoLetters) => texts.get(lang, K::ImportProblemNameLetters),
        Problem::Name(VillageNameError::ControlCharacters) => {
            texts.get(lang, K::ImportProblemNameControl)
        }
        Problem::HeadName(_) => texts.get(lang, K::ImportProblemHeadName),
        Problem::HeadPhone(_) => texts.get(lang, K::ImportProblemHeadPhone),
        Problem::BadCode { code, max } => fill(
            K::ImportProblemBadCode,
            &[("code", text(code)), ("max", number(*max))],
        ),
        Problem::CodeOutsideCommune { code, commune } => fill(
            K::ImportProblemCodeOutside,
            &[("code", text(code)), ("commune", text(commune))],
        ),
        Problem::NameTwice { name, first, .. } => fill(
            K::ImportProblemNameTwice,
            &[("name", text(name)), ("first", number(*first as usize))],
        ),
        Problem::CodeTwice { code, first } | Problem::CodeGivenTwice { code, first } => fill(
            K::ImportProblemCodeTwice,
            &[("code", text(code)), ("first", number(*first as usize))],
        ),
        Problem::NotYours { commune, yours } => fill(
            K::ImportProblemNotYours,
            &[("commune", text(commune)), ("yours", text(yours))],
        ),
        Problem::NoSuchCommune(code) => fill(K::ImportProblemNoCommune, &[("code", text(code))]),
        Problem::NotACommune { code, name, .. } => fill(
            K::ImportProblemNotCommune,
            &[("code", text(code)), ("name", text(name))],
        ),
        Problem::CommuneEnded { code, name, on, .. } => fill(
            K::ImportProblemCommuneEnded,
            &[("code", text(code)), ("name", text(name)), ("on", text(on))],
        ),
        Problem::CodeTaken { code, name, .. } => fill(
            K::ImportProblemCodeTaken,
            &[("code", text(code)), ("name", text(name))],
        ),
        Problem::NameHasCode { name, code, .. } => fill(
            K::ImportProblemNameHasCode,
            &[("name", text(name)), ("code", text(code))],
        ),
    }
}
