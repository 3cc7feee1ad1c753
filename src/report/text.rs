//! The report as a short chat message: totals, then the areas furthest behind.

use super::format::{date, number, percent, role_label};
use super::model::Report;
use crate::i18n::{Html, Lang, Texts, K};

/// Rows listed under "lowest coverage".
const LOWEST_SHOWN: usize = 5;
/// Roles named in the composition line.
const ROLES_SHOWN: usize = 4;

/// The scope's name, or "the whole country".
pub fn scope_name(report: &Report, texts: &Texts, lang: Lang) -> String {
    match &report.scope_name {
        Some(name) => name.clone(),
        None => super::format::plain(texts, lang, K::ReportWholeCountry),
    }
}

/// A message short enough for Telegram (well under its 4,096 characters), in `<b>` markup.
pub fn chat_summary(report: &Report, texts: &Texts, lang: Lang) -> Html {
    let n = |value: usize| Html::text(&number(lang, value));
    let fill = |key: K, args: &[(&str, Html)]| texts.fill(lang, key, args).into_string();
    let scope = Html::text(&scope_name(report, texts, lang));
    let as_of = Html::text(&date(report.generated_at.date_naive()));
    let mut lines = vec![
        fill(K::ReportTitle, &[("scope", scope)]),
        fill(K::ReportAsOf, &[("date", as_of)]),
    ];
    let totals = &report.totals;
    if totals.units == 0 {
        lines.push(texts.get(lang, K::ReportNoVillages).into_string());
        return Html::markup(lines.join("\n"));
    }
    lines.push(fill(
        K::ReportCoverage,
        &[
            ("registered", n(totals.registered)),
            ("villages", n(totals.units)),
            (
                "percent",
                Html::text(&percent(lang, totals.coverage_percent)),
            ),
        ],
    ));
    lines.push(fill(
        K::ReportTeamStates,
        &[
            ("drafts", n(totals.drafts)),
            ("incomplete", n(totals.incomplete)),
            ("none", n(totals.without_team())),
        ],
    ));
    lines.push(fill(
        K::ReportDecisions,
        &[
            ("with_decision", n(totals.with_decision)),
            ("complete", n(totals.complete)),
        ],
    ));
    lines.push(fill(K::ReportMembers, &[("members", n(totals.members))]));
    if report.commune_teams.units > 0 {
        lines.push(fill(
            K::ReportCommuneTeams,
            &[
                ("registered", n(report.commune_teams.registered)),
                ("communes", n(report.commune_teams.units)),
            ],
        ));
    }
    if report.communes_without_villages > 0 {
        let count = n(report.communes_without_villages);
        lines.push(fill(K::ReportCommunesWithoutVillages, &[("count", count)]));
    }
    if let Some(line) = to_assign_line(report, texts, lang) {
        lines.push(line);
    }
    if !report.unreached.is_empty() {
        let list = Html::text(&report.unreached.join(", "));
        lines.push(fill(K::DigestUnreached, &[("list", list)]));
    }
    if let Some(roles) = roles_line(report, texts, lang) {
        lines.push(fill(K::ReportRoles, &[("roles", Html::text(&roles))]));
    }
    lines.extend(lowest_lines(report, texts, lang));
    Html::markup(lines.join("\n"))
}

/// "Bí thư Chi đoàn 12, Giáo viên Tiểu học 8, …": the most held roles.
fn roles_line(report: &Report, texts: &Texts, lang: Lang) -> Option<String> {
    let mut roles = report.roles.clone();
    roles.sort_by_key(|role| std::cmp::Reverse(role.count));
    let shown: Vec<String> = roles
        .iter()
        .take(ROLES_SHOWN)
        .map(|r| {
            format!(
                "{} {}",
                role_label(texts, lang, r.role),
                number(lang, r.count)
            )
        })
        .collect();
    (!shown.is_empty()).then(|| shown.join(", "))
}

/// The areas (or communes) with the lowest coverage, when there is more than one.
fn lowest_lines(report: &Report, texts: &Texts, lang: Lang) -> Vec<String> {
    let mut rows: Vec<_> = report
        .overview_rows()
        .iter()
        .filter(|row| row.counts.units > 0)
        .collect();
    if rows.len() < 2 {
        return Vec::new();
    }
    rows.sort_by(|a, b| {
        a.counts
            .coverage_percent
            .total_cmp(&b.counts.coverage_percent)
            .then_with(|| a.code.cmp(&b.code))
    });
    let mut lines = vec![texts.get(lang, K::ReportLowestTitle).into_string()];
    for row in rows.into_iter().take(LOWEST_SHOWN) {
        let args = [
            ("name", Html::text(&row.name)),
            (
                "registered",
                Html::text(&number(lang, row.counts.registered)),
            ),
            ("villages", Html::text(&number(lang, row.counts.units))),
            (
                "percent",
                Html::text(&percent(lang, row.counts.coverage_percent)),
            ),
        ];
        lines.push(texts.fill(lang, K::ReportRowLine, &args).into_string());
    }
    lines
}

/// "Villages of divided communes still to assign: 3 (Xã Hưng Đạo 2, Xã Tiên Động 1)", after a
/// reorganisation; `None` when there are none.
pub(crate) fn to_assign_line(report: &Report, texts: &Texts, lang: Lang) -> Option<String> {
    if report.to_assign.is_empty() {
        return None;
    }
    let count: usize = report.to_assign.iter().map(|(_, n)| n).sum();
    let communes: Vec<String> = report
        .to_assign
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    let args = [
        ("count", Html::text(&count.to_string())),
        ("communes", Html::text(&communes.join(", "))),
    ];
    Some(texts.fill(lang, K::ReportToAssign, &args).into_string())
}
