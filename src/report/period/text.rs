//! The period report as a chat message, and the words and numbers every format shares.

use super::model::{Figures, HelpFigures, PeriodReport, ReportState};
use crate::domain::period::Period;
use crate::i18n::{to_plain, Html, Lang, Texts, K};
use crate::report::format::{date, number, plain};

/// Quiet villages named in the chat message; the rest are in the spreadsheet.
const QUIET_NAMED: usize = 10;

/// `tháng 11/2026`, `quý IV/2026`; `month 11/2026`, `quarter 4/2026`.
pub fn period_label(texts: &Texts, lang: Lang, period: Period) -> String {
    let text = |value: String| Html::text(&value);
    let filled = match period {
        Period::Month { year, month } => texts.fill(
            lang,
            K::ReportPeriodMonth,
            &[
                ("month", text(format!("{month:02}"))),
                ("year", text(year.to_string())),
            ],
        ),
        Period::Quarter { year, quarter } => {
            let quarter = match lang {
                Lang::Vi => ["I", "II", "III", "IV"]
                    .get(quarter as usize - 1)
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
                Lang::En => quarter.to_string(),
            };
            texts.fill(
                lang,
                K::ReportPeriodQuarter,
                &[("quarter", text(quarter)), ("year", text(year.to_string()))],
            )
        }
    };
    to_plain(filled.as_str())
}

/// The scope's name, or "the whole country".
pub fn scope_name(report: &PeriodReport, texts: &Texts, lang: Lang) -> String {
    match &report.scope_name {
        Some(name) => name.clone(),
        None => plain(texts, lang, K::ReportWholeCountry),
    }
}

/// `5,25` in Vietnamese, `5.25` in English; `5` for 5.00.
pub fn decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text.to_owned(),
    }
}

/// Members per 100 residents, or that the unit has no population yet.
pub fn members_ratio(figures: &Figures, texts: &Texts, lang: Lang) -> String {
    match figures.members_per_100() {
        Some(ratio) => decimal(lang, ratio),
        None => plain(texts, lang, K::ReportPeriodNoPopulation),
    }
}

pub fn state_key(state: ReportState) -> K {
    match state {
        ReportState::NotSubmitted => K::ReportPeriodStateNotSubmitted,
        ReportState::Submitted => K::ReportPeriodStateSubmitted,
        ReportState::Returned => K::ReportPeriodStateReturned,
        ReportState::Approved => K::ReportPeriodStateApproved,
    }
}

/// Hours to two decimals from minutes ("1,5 giờ"), or "none yet".
pub fn mean_hours(minutes: Option<u64>, texts: &Texts, lang: Lang) -> String {
    match minutes {
        Some(minutes) => {
            let hours = Html::text(&decimal(lang, minutes as f64 / 60.0));
            to_plain(
                texts
                    .fill(lang, K::ReportPeriodHours, &[("hours", hours)])
                    .as_str(),
            )
        }
        None => plain(texts, lang, K::ReportPeriodHelpNone),
    }
}

/// The residents' help requests of the period in two lines (none when nobody asked): by
/// where they stand, then the mean times to be taken and closed and the ratings.
pub fn help_lines(help: &HelpFigures, texts: &Texts, lang: Lang) -> Vec<String> {
    if help.asked == 0 {
        return Vec::new();
    }
    let n = |value: u64| Html::text(&number(lang, value as usize));
    let counts = texts.fill(
        lang,
        K::ReportPeriodHelp,
        &[
            ("asked", n(help.asked)),
            ("open", n(help.open)),
            ("taken", n(help.taken)),
            ("solved", n(help.solved)),
            ("unsolved", n(help.unsolved)),
            ("abuse", n(help.abuse)),
        ],
    );
    let rating = match help.mean_rating() {
        Some(mean) => decimal(lang, mean),
        None => plain(texts, lang, K::ReportPeriodHelpNone),
    };
    let times = texts.fill(
        lang,
        K::ReportPeriodHelpTimes,
        &[
            (
                "take",
                Html::text(&mean_hours(help.mean_take_minutes(), texts, lang)),
            ),
            (
                "close",
                Html::text(&mean_hours(help.mean_close_minutes(), texts, lang)),
            ),
            ("ratings", n(help.ratings)),
            ("rating", Html::text(&rating)),
        ],
    );
    vec![counts.into_string(), times.into_string()]
}

/// A message well under Telegram's 4,096 characters, in `<b>` markup.
pub fn period_summary(report: &PeriodReport, texts: &Texts, lang: Lang) -> Html {
    let n = |value: u64| Html::text(&number(lang, value as usize));
    let fill = |key: K, args: &[(&str, Html)]| texts.fill(lang, key, args).into_string();
    let period = Html::text(&period_label(texts, lang, report.period));
    let scope = Html::text(&scope_name(report, texts, lang));
    let day = |d| Html::text(&date(d));
    let mut lines = vec![
        fill(
            K::ReportPeriodTitle,
            &[("scope", scope), ("period", period)],
        ),
        fill(
            K::ReportPeriodAsOf,
            &[
                ("first", day(report.period.first_day())),
                ("last", day(report.period.last_day())),
                ("date", day(report.generated_at.date_naive())),
            ],
        ),
    ];
    let total = &report.total;
    if total.entries == 0 {
        lines.push(texts.get(lang, K::ReportPeriodNoActivity).into_string());
    } else {
        lines.push(fill(
            K::ReportPeriodPeople,
            &[
                ("entries", n(total.entries)),
                ("people", n(total.people)),
                ("basic", n(total.basic_skills_people)),
                ("households", n(total.households_helped)),
            ],
        ));
        lines.push(texts.get(lang, K::ReportPeriodByKind).into_string());
        for (kind, people) in report.kinds.iter().zip(&total.people_by_kind) {
            if *people > 0 {
                let name = Html::text(kind.name(lang));
                lines.push(fill(
                    K::ReportPeriodKindLine,
                    &[("kind", name), ("people", n(*people))],
                ));
            }
        }
    }
    let min = Html::text(&decimal(lang, report.members_per_100_min));
    lines.push(fill(
        K::ReportPeriodMembers,
        &[
            ("members", n(total.members)),
            ("ratio", Html::text(&members_ratio(total, texts, lang))),
            ("min", min.clone()),
        ],
    ));
    if !report.villages.is_empty() {
        let below = report
            .villages
            .iter()
            .filter(|row| row.figures.below(report.members_per_100_min))
            .count();
        let unknown = report
            .villages
            .iter()
            .filter(|row| row.figures.population.is_none())
            .count();
        lines.push(fill(
            K::ReportPeriodBelow,
            &[
                ("min", min),
                ("count", n(below as u64)),
                ("unknown", n(unknown as u64)),
            ],
        ));
    }
    lines.push(fill(
        K::ReportPeriodQuiet,
        &[
            ("months", n(u64::from(report.quiet_months))),
            ("count", n(report.quiet.len() as u64)),
        ],
    ));
    if !report.quiet.is_empty() {
        let mut names: Vec<String> = report
            .quiet
            .iter()
            .take(QUIET_NAMED)
            .map(|village| match &village.commune_name {
                Some(commune) => format!("{} ({commune})", village.name),
                None => village.name.clone(),
            })
            .collect();
        if report.quiet.len() > QUIET_NAMED {
            names.push("…".to_owned());
        }
        lines.push(fill(
            K::ReportPeriodQuietList,
            &[("names", Html::text(&names.join(", ")))],
        ));
    }
    if !report.communes.is_empty() {
        let count = |state: ReportState| {
            n(report
                .communes
                .iter()
                .filter(|row| row.report == Some(state))
                .count() as u64)
        };
        lines.push(fill(
            K::ReportPeriodReports,
            &[
                ("approved", count(ReportState::Approved)),
                ("submitted", count(ReportState::Submitted)),
                ("returned", count(ReportState::Returned)),
                ("missing", count(ReportState::NotSubmitted)),
            ],
        ));
    }
    lines.extend(help_lines(&total.help, texts, lang));
    if total.late_entries > 0 {
        lines.push(fill(
            K::ReportPeriodLate,
            &[
                ("entries", n(total.late_entries)),
                ("people", n(total.late_people)),
            ],
        ));
    }
    Html::markup(lines.join("\n"))
}
