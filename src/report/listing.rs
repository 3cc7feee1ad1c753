//! The listing of every team and member of a scope, shared by the XLSX and CSV exports:
//! one line per member (a team without members gets one line), streamed from storage.

use chrono::NaiveDate;

use super::format::{breaches, date, plain, role_label, status_key};
use super::places::Places;
use super::ReportError;
use crate::domain::{CompositionRules, PhoneNumber};
use crate::i18n::{Lang, Texts, K};
use crate::status::summary_status;
use crate::storage::{ListedMember, ListedTeam, Store, Sweep, UnitLevel};

/// One cell of an export line.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// Where listing lines go: a worksheet or a CSV file.
pub trait LineSink {
    fn line(&mut self, cells: &[Cell]) -> Result<(), ReportError>;
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

pub fn header(texts: &Texts, lang: Lang) -> Vec<Cell> {
    COLUMNS
        .iter()
        .map(|key| Cell::Text(plain(texts, lang, *key)))
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
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn optional(value: Option<&str>) -> Cell {
    value.map_or(Cell::Empty, text)
}

impl Lines<'_> {
    fn team(&self, team: &ListedTeam, sink: &mut impl LineSink) -> Result<(), ReportError> {
        let summary = &team.summary;
        let code = summary.unit_code.as_str();
        let name = |level| self.places.nearest(code, level).map(|u| u.name.as_str());
        let commune = self.places.nearest(code, UnitLevel::Commune);
        let status = summary_status(self.rules, team.level, Some(summary));
        let leader_phone = summary
            .leader_phone
            .as_deref()
            .map(PhoneNumber::national_of);
        let mut cells = vec![
            optional(name(UnitLevel::Province)),
            optional(name(UnitLevel::District)),
            optional(commune.map(|u| u.code.as_str())),
            optional(commune.map(|u| u.name.as_str())),
            text(code),
            optional(self.places.get(code).map(|u| u.name.as_str())),
            text(plain(self.texts, self.lang, status_key(status.kind()))),
            match status.breaches() {
                [] => Cell::Empty,
                list => text(breaches(self.texts, self.lang, list)),
            },
            optional(summary.leader_name.as_deref()),
            optional(leader_phone.as_deref()),
        ];
        let team_cells = cells.len();
        if team.members.is_empty() {
            cells.extend(std::iter::repeat_n(Cell::Empty, 7));
            cells.extend(self.decision(team));
            return sink.line(&cells);
        }
        for member in &team.members {
            cells.truncate(team_cells);
            cells.extend(self.member(member));
            cells.extend(self.decision(team));
            sink.line(&cells)?;
        }
        Ok(())
    }

    fn member(&self, member: &ListedMember) -> [Cell; 7] {
        let consent = match member.consent {
            Some(_) => K::ReportYes,
            None => K::ReportNo,
        };
        [
            Cell::Number(member.position as f64),
            text(member.name.as_str()),
            text(role_label(self.texts, self.lang, member.role)),
            optional(member.role_detail.as_deref()),
            text(PhoneNumber::national_of(&member.phone)),
            optional(member.workplace.as_deref()),
            text(plain(self.texts, self.lang, consent)),
        ]
    }

    fn decision(&self, team: &ListedTeam) -> [Cell; 2] {
        [
            optional(team.summary.decision_number.as_deref()),
            team.summary.decision_date.map_or(Cell::Empty, Cell::Date),
        ]
    }
}

impl Cell {
    /// The cell as CSV text: dates as dd/mm/yyyy, whole numbers without decimals.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => date(*d),
        }
    }
}
