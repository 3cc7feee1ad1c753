//! The listing of every team and member of a scope, shared by the XLSX and CSV exports:
//! one line per member (a team without members gets one line), streamed from storage.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::format::{breaches, date, plain, role_label, status_key};
use super::places::Places;
use super::ReportError;
use crate::domain::status::StatusKind;
use crate::domain::{CompositionRules, MemberRole};
use crate::i18n::{Lang, Texts, K};
use crate::storage::summary_status;
use crate::storage::{ListedMember, ListedTeam, Store, Sweep, UnitLevel};

/// One cell of an export line; text is borrowed where it can be (the whole country has
/// eight million cells).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(f64),
    Date(NaiveDate),
}

/// Where listing lines go: a worksheet or a CSV file.
pub trait LineSink {
    fn line(&mut self, cells: &[Cell<'_>]) -> Result<(), ReportError>;
}

/// The listing's columns, in order.
pub const COLUMNS: [K; 19] = [
    K::ReportColProvince,
    K::ReportColDistrict,
    K::ReportColCommuneCode,
    K::ReportColCommune,
    K::ReportColUnitCode,
    K::ReportColUnit,
    K::ReportColStatus,
    K::ReportColNotes,
    K::ReportColLeader,
    K::ReportColLeaderPhone,
    K::ReportColMemberNo,
    K::ReportColMember,
    K::ReportColRole,
    K::ReportColRoleDetail,
    K::ReportColPhone,
    K::ReportColWorkplace,
    K::ReportColConsent,
    K::ReportColDecisionNumber,
    K::ReportColDecisionDate,
];

/// Index of the decision date column (a real date in spreadsheets).
pub const DATE_COLUMN: usize = 18;

pub fn header(texts: &Texts, lang: Lang) -> Vec<Cell<'static>> {
    COLUMNS
        .iter()
        .map(|key| Cell::Text(plain(texts, lang, *key).into()))
        .collect()
}

/// Writes the header, then one line per member of every team of the sweep's scope.
pub async fn write_listing(
    store: &Store,
    sweep: &Sweep,
    rules: &CompositionRules,
    texts: &Texts,
    lang: Lang,
    sink: &mut impl LineSink,
) -> Result<(), ReportError> {
    sink.line(&header(texts, lang))?;
    let places = Places::new(sweep);
    let lines = Lines {
        places: &places,
        rules,
        texts,
        lang,
        labels: Labels::new(texts, lang),
    };
    let scope = sweep.scope.as_ref().map(|unit| unit.code.as_str());
    store
        .for_each_listed_team(scope, |team| lines.team(&team, sink))
        .await
}

struct Lines<'a> {
    places: &'a Places<'a>,
    rules: &'a CompositionRules,
    texts: &'a Texts,
    lang: Lang,
    labels: Labels,
}

/// The labels every line repeats, made once.
struct Labels {
    statuses: Vec<(StatusKind, String)>,
    roles: Vec<String>,
    yes: String,
    no: String,
}

impl Labels {
    fn new(texts: &Texts, lang: Lang) -> Labels {
        let statuses = [
            StatusKind::NoTeam,
            StatusKind::Draft,
            StatusKind::Incomplete,
            StatusKind::RegisteredWithoutDecision,
            StatusKind::Complete,
        ];
        Labels {
            statuses: statuses
                .into_iter()
                .map(|kind| (kind, plain(texts, lang, status_key(kind))))
                .collect(),
            roles: MemberRole::ALL
                .iter()
                .map(|role| role_label(texts, lang, *role))
                .collect(),
            yes: plain(texts, lang, K::ReportYes),
            no: plain(texts, lang, K::ReportNo),
        }
    }

    fn status(&self, kind: StatusKind) -> &str {
        let found = self.statuses.iter().find(|(k, _)| *k == kind);
        found.map_or("", |(_, label)| label)
    }

    fn role(&self, role: MemberRole) -> &str {
        let at = MemberRole::ALL.iter().position(|r| *r == role);
        at.and_then(|at| self.roles.get(at))
            .map_or("", String::as_str)
    }
}

fn text<'a>(value: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell::Text(value.into())
}

fn optional(value: Option<&str>) -> Cell<'_> {
    value.map_or(Cell::Empty, text)
}

impl Lines<'_> {
    fn team(&self, team: &ListedTeam, sink: &mut impl LineSink) -> Result<(), ReportError> {
        let summary = &team.summary;
        let code = summary.unit_code.as_str();
        let name = |level| self.places.nearest(code, level).map(|u| u.name.as_str());
        let commune = self.places.nearest(code, UnitLevel::Commune);
        let status = summary_status(self.rules, team.level, team.has_team.then_some(summary));
        let mut cells = vec![
            optional(name(UnitLevel::Province)),
            optional(name(UnitLevel::District)),
            optional(commune.map(|u| u.code.as_str())),
            optional(commune.map(|u| u.name.as_str())),
            text(code),
            optional(self.places.get(code).map(|u| u.name.as_str())),
            text(self.labels.status(status.kind())),
            match status.breaches() {
                [] => Cell::Empty,
                list => text(breaches(self.texts, self.lang, list)),
            },
            optional(team.leader_name.as_deref()),
            // Files carry E.164, which spreadsheets and other systems read unambiguously.
            optional(team.leader_phone.as_deref()),
        ];
        let team_cells = cells.len();
        let decision = [
            optional(summary.decision_number.as_deref()),
            summary.decision_date.map_or(Cell::Empty, Cell::Date),
        ];
        if team.members.is_empty() {
            cells.extend(std::iter::repeat_n(Cell::Empty, 7));
            cells.extend(decision);
            return sink.line(&cells);
        }
        // Numbered as listed: an erased member leaves a gap in the stored positions.
        for (number, member) in (1..).zip(&team.members) {
            cells.truncate(team_cells);
            cells.extend(self.member(number, member));
            cells.extend(decision.iter().cloned());
            sink.line(&cells)?;
        }
        Ok(())
    }

    fn member<'m>(&'m self, number: u32, member: &'m ListedMember) -> [Cell<'m>; 7] {
        let consent = match member.consent {
            Some(_) => &self.labels.yes,
            None => &self.labels.no,
        };
        [
            Cell::Number(f64::from(number)),
            text(member.name.as_str()),
            text(self.labels.role(member.role)),
            optional(member.role_detail.as_deref()),
            text(member.phone.as_str()),
            optional(member.workplace.as_deref()),
            text(consent.as_str()),
        ]
    }
}

impl Cell<'_> {
    /// The cell with its text owned, to outlive the line it came from.
    pub fn to_static(&self) -> Cell<'static> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Text(text) => Cell::Text(Cow::Owned(text.to_string())),
            Cell::Number(n) => Cell::Number(*n),
            Cell::Date(d) => Cell::Date(*d),
        }
    }

    /// The cell as CSV text: dates as dd/mm/yyyy, whole numbers without decimals.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.to_string(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => date(*d),
        }
    }
}
