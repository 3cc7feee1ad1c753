//! The listing of every team and member of a scope, shared by the XLSX and CSV exports:
//! one line per member (a team without members gets one line), streamed from storage.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::format::{breaches, date, plain, role_label, status_key};
use super::places::Places;
use super::ReportError;
use crate::domain::status::StatusKind;
use crate::domain::{CompositionRules, FieldKey, MemberRole};
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

/// The team's columns, up to the leader's optional fields.
const TEAM_COLUMNS: [K; 10] = [
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
];

/// A member's columns, up to their optional fields.
const MEMBER_COLUMNS: [K; 5] = [
    K::ReportColMemberNo,
    K::ReportColMember,
    K::ReportColRole,
    K::ReportColRoleDetail,
    K::ReportColPhone,
];

/// The listing's columns, in order: the team's, the leader's optional fields, the
/// member's, their optional fields, their consent, then the decision.
pub fn columns() -> Vec<K> {
    let mut columns = TEAM_COLUMNS.to_vec();
    columns.extend(FieldKey::of_leader().map(|k| k.declaration().report));
    columns.extend(MEMBER_COLUMNS);
    columns.extend(FieldKey::of_members().map(|k| k.declaration().report));
    columns.extend([
        K::ReportColConsent,
        K::ReportColDecisionNumber,
        K::ReportColDecisionDate,
    ]);
    columns
}

/// Index of the decision date column (a real date in spreadsheets): the last.
pub fn date_column() -> usize {
    columns().len() - 1
}

pub fn header(texts: &Texts, lang: Lang) -> Vec<Cell<'static>> {
    columns()
        .into_iter()
        .map(|key| Cell::Text(plain(texts, lang, key).into()))
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
        cells.extend(FieldKey::of_leader().map(|k| optional(team.leader_fields.get(k))));
        let team_cells = cells.len();
        let decision = [
            optional(summary.decision_number.as_deref()),
            summary.decision_date.map_or(Cell::Empty, Cell::Date),
        ];
        if team.members.is_empty() {
            let member_columns = MEMBER_COLUMNS.len() + FieldKey::of_members().count() + 1;
            cells.extend(std::iter::repeat_n(Cell::Empty, member_columns));
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

    fn member<'m>(&'m self, number: u32, member: &'m ListedMember) -> Vec<Cell<'m>> {
        let consent = match member.consent {
            Some(_) => &self.labels.yes,
            None => &self.labels.no,
        };
        let mut cells = vec![
            Cell::Number(f64::from(number)),
            text(member.name.as_str()),
            text(self.labels.role(member.role)),
            optional(member.role_detail.as_deref()),
            text(member.phone.as_str()),
        ];
        cells.extend(FieldKey::of_members().map(|k| optional(member.fields.get(k))));
        cells.push(text(consent.as_str()));
        cells
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
