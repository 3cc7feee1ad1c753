//! Numbers, dates and labels the way each language writes them.

use chrono::NaiveDate;

use crate::domain::status::StatusKind;
use crate::domain::{MemberRole, RuleBreach};
use crate::i18n::{to_plain, Html, Lang, Texts, K};
use crate::wording::role_key;

/// `105.990` in Vietnamese, `105,990` in English.
pub fn number(lang: Lang, n: usize) -> String {
    let separator = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// `66,7 %` in Vietnamese (decimal comma, a space before the sign), `66.7%` in English.
pub fn percent(lang: Lang, value: f64) -> String {
    percent_with(lang, &format!("{value:.1}"))
}

/// A whole percentage, for a chart's axis: `20 %`, `20%`.
pub fn whole_percent(lang: Lang, value: u32) -> String {
    percent_with(lang, &value.to_string())
}

fn percent_with(lang: Lang, number: &str) -> String {
    match lang {
        Lang::Vi => format!("{} %", number.replace('.', ",")),
        Lang::En => format!("{number}%"),
    }
}

/// The spreadsheet's number format of a percentage, as [`percent`] writes it (the decimal
/// sign is the reader's own).
pub fn percent_format(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "0.0 %",
        Lang::En => "0.0%",
    }
}

pub fn date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A text without markup, for spreadsheets and charts.
pub fn plain(texts: &Texts, lang: Lang, key: K) -> String {
    to_plain(texts.template(lang, key))
}

pub fn status_key(status: StatusKind) -> K {
    match status {
        StatusKind::NoTeam => K::ReportStatusNoTeam,
        StatusKind::Draft => K::ReportStatusDraft,
        StatusKind::Incomplete => K::ReportStatusIncomplete,
        StatusKind::RegisteredWithoutDecision => K::ReportStatusRegisteredWithoutDecision,
        StatusKind::Complete => K::ReportStatusComplete,
    }
}

pub fn role_label(texts: &Texts, lang: Lang, role: MemberRole) -> String {
    plain(texts, lang, role_key(role))
}

/// The broken rules as one line of plain text, e.g. for a spreadsheet's notes column.
pub fn breaches(texts: &Texts, lang: Lang, breaches: &[RuleBreach]) -> String {
    let n = |n: &usize| Html::text(&n.to_string());
    let role = |r: &MemberRole| Html::text(&role_label(texts, lang, *r));
    let sentences: Vec<String> = breaches
        .iter()
        .map(|breach| {
            let html = match breach {
                RuleBreach::NoLeader => texts.fill(lang, K::BreachNoLeader, &[]),
                RuleBreach::TooFewMembers { min, have } => texts.fill(
                    lang,
                    K::BreachTooFew,
                    &[("min", n(min)), ("count", n(have))],
                ),
                RuleBreach::TooManyMembers { max, have } => texts.fill(
                    lang,
                    K::BreachTooMany,
                    &[("max", n(max)), ("count", n(have))],
                ),
                RuleBreach::RoleNotAllowed(r) => {
                    texts.fill(lang, K::BreachRoleNotAllowed, &[("role", role(r))])
                }
                RuleBreach::MissingRole(r) => {
                    texts.fill(lang, K::BreachMissingRole, &[("role", role(r))])
                }
                RuleBreach::DuplicateRole(r) => {
                    texts.fill(lang, K::BreachDuplicateRole, &[("role", role(r))])
                }
            };
            // The chat's texts are bullets; a cell holds them side by side.
            to_plain(html.as_str())
                .trim_start_matches(['•', ' '])
                .to_owned()
        })
        .collect();
    sentences.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_percents_follow_each_language() {
        assert_eq!(number(Lang::Vi, 105_990), "105.990");
        assert_eq!(number(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(number(Lang::Vi, 999), "999");
        assert_eq!(percent(Lang::Vi, 66.7), "66,7 %");
        assert_eq!(percent(Lang::Vi, 75.0), "75,0 %");
        assert_eq!(percent(Lang::En, 100.0), "100.0%");
        assert_eq!(whole_percent(Lang::Vi, 20), "20 %");
        assert_eq!(whole_percent(Lang::En, 20), "20%");
        assert_eq!(
            percent_format(Lang::Vi),
            "0.0 %",
            "the spreadsheet writes 75,0 % too"
        );
    }
}
