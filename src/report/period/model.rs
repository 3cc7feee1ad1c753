//! The period report's data: per village, commune, district and province, what the teams
//! did in the period (entries, people helped by kind, households helped), their members
//! against the residents, and the villages gone quiet. Plain data (serde), built from a
//! [`Sweep`] and a [`PeriodSweep`] by [`build`].

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use crate::domain::activity::{ActivityKind, ActivityRules};
use crate::domain::help::RequestStatus;
use crate::domain::period::Period;
use crate::report::places::Places;
use crate::storage::report::period::{HelpFacts, PeriodSweep};
use crate::storage::{Sweep, UnitLevel};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    #[serde(serialize_with = "as_text")]
    pub period: Period,
    /// `None`: the whole country.
    pub scope_code: Option<String>,
    pub scope_name: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// The columns of people helped, in the rules' order; a kind stored under a code the
    /// rules no longer list comes last, under its code.
    pub kinds: Vec<KindColumn>,
    /// Each level's units, in tree order; a level the scope has none of is empty.
    pub provinces: Vec<PeriodRow>,
    pub districts: Vec<PeriodRow>,
    pub communes: Vec<PeriodRow>,
    pub villages: Vec<PeriodRow>,
    /// The whole scope.
    pub total: Figures,
    /// Villages with a registered team and no entry in the `quiet_months` ending at the
    /// period's last day.
    pub quiet: Vec<QuietVillage>,
    pub members_per_100_min: f64,
    pub quiet_months: u32,
}

/// A kind of activity as a column of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindColumn {
    pub code: String,
    pub vi: String,
    pub en: String,
    /// One of the five basic digital skills, totalled apart.
    pub basic_skill: bool,
}

impl KindColumn {
    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Vi => &self.vi,
            crate::i18n::Lang::En => &self.en,
        }
    }
}

impl From<&ActivityKind> for KindColumn {
    fn from(kind: &ActivityKind) -> KindColumn {
        KindColumn {
            code: kind.code.clone(),
            vi: kind.vi.clone(),
            en: kind.en.clone(),
            basic_skill: kind.basic_skill,
        }
    }
}

fn as_text<S: Serializer>(period: &Period, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(period)
}

/// A unit of one level and its figures (its own team's and those of every unit under it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRow {
    pub code: String,
    pub name: String,
    pub parent_name: Option<String>,
    /// A commune's report for the period; `None` for other levels.
    pub report: Option<ReportState>,
    pub figures: Figures,
}

/// Where a commune's report for the period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    NotSubmitted,
    Submitted,
    Returned,
    /// Locked: entries recorded later count as late.
    Approved,
}

impl ReportState {
    fn from_stored(status: &str) -> ReportState {
        match status {
            "approved" => ReportState::Approved,
            "returned" => ReportState::Returned,
            _ => ReportState::Submitted,
        }
    }
}

/// What a unit's teams did and how many they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Entries counted (late ones apart).
    pub entries: u64,
    /// People helped, in all.
    pub people: u64,
    /// People helped per kind, in the order of [`PeriodReport::kinds`].
    pub people_by_kind: Vec<u64>,
    /// People helped in one of the five basic digital skills.
    pub basic_skills_people: u64,
    pub households_helped: u64,
    /// Entries recorded after the commune's report was approved: shown, not counted.
    pub late_entries: u64,
    pub late_people: u64,
    /// Members of registered teams, heads included.
    pub members: u64,
    /// Residents and households: the unit's own figures, or else the sum of its parts' when
    /// every part has one; `None`: not known.
    pub population: Option<u64>,
    pub households: Option<u64>,
    /// Villages under the unit (1 for a village).
    pub villages: u64,
    pub quiet_villages: u64,
    /// Residents' requests for help asked in the period.
    pub help: HelpFigures,
}

/// Residents' requests for help asked in a period, by where they stand now, how long they
/// waited and how they were rated. Times are means (sums and counts add up level by level;
/// a median would need every request at every level).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HelpFigures {
    pub asked: u64,
    pub open: u64,
    pub taken: u64,
    pub solved: u64,
    pub unsolved: u64,
    pub abuse: u64,
    /// Minutes from asking to being taken, summed over the requests taken.
    pub take_minutes: u64,
    pub taken_count: u64,
    /// Minutes from asking to closing (solved or not; abuse left out), summed.
    pub close_minutes: u64,
    pub closed_count: u64,
    pub ratings: u64,
    pub rating_sum: u64,
}

impl HelpFigures {
    fn count(&mut self, facts: &HelpFacts) {
        self.asked += 1;
        match facts.status {
            RequestStatus::Open => self.open += 1,
            RequestStatus::Taken => self.taken += 1,
            RequestStatus::Solved => self.solved += 1,
            RequestStatus::Unsolved => self.unsolved += 1,
            RequestStatus::Abuse => self.abuse += 1,
        }
        let minutes = |at: DateTime<Utc>| (at - facts.created_at).num_minutes().max(0) as u64;
        if let Some(taken) = facts.taken_at {
            self.take_minutes += minutes(taken);
            self.taken_count += 1;
        }
        if let (Some(closed), false) = (facts.closed_at, facts.status == RequestStatus::Abuse) {
            self.close_minutes += minutes(closed);
            self.closed_count += 1;
        }
        if let Some(rating) = facts.rating {
            self.ratings += 1;
            self.rating_sum += u64::from(rating);
        }
    }

    fn add(&mut self, other: &HelpFigures) {
        self.asked += other.asked;
        self.open += other.open;
        self.taken += other.taken;
        self.solved += other.solved;
        self.unsolved += other.unsolved;
        self.abuse += other.abuse;
        self.take_minutes += other.take_minutes;
        self.taken_count += other.taken_count;
        self.close_minutes += other.close_minutes;
        self.closed_count += other.closed_count;
        self.ratings += other.ratings;
        self.rating_sum += other.rating_sum;
    }

    /// The mean minutes from asking to being taken; `None`: none was taken.
    pub fn mean_take_minutes(&self) -> Option<u64> {
        (self.taken_count > 0).then(|| self.take_minutes / self.taken_count)
    }

    /// The mean minutes from asking to closing; `None`: none was closed.
    pub fn mean_close_minutes(&self) -> Option<u64> {
        (self.closed_count > 0).then(|| self.close_minutes / self.closed_count)
    }

    /// The mean rating, to two decimals; `None`: none was rated.
    pub fn mean_rating(&self) -> Option<f64> {
        (self.ratings > 0)
            .then(|| (self.rating_sum as f64 * 100.0 / self.ratings as f64).round() / 100.0)
    }
}

impl Figures {
    /// Team members per 100 residents, to two decimals; `None` without a population.
    pub fn members_per_100(&self) -> Option<f64> {
        per_100(self.members, self.population)
    }

    /// Households helped per 100 households, to two decimals.
    pub fn households_reached_per_100(&self) -> Option<f64> {
        per_100(self.households_helped, self.households)
    }

    /// Under the rules' minimum of members per 100 residents (never without a population).
    pub fn below(&self, min: f64) -> bool {
        self.members_per_100().is_some_and(|ratio| ratio < min)
    }

    pub(crate) fn add(&mut self, other: &Figures) {
        self.entries += other.entries;
        self.people += other.people;
        if self.people_by_kind.len() < other.people_by_kind.len() {
            self.people_by_kind.resize(other.people_by_kind.len(), 0);
        }
        for (sum, part) in self.people_by_kind.iter_mut().zip(&other.people_by_kind) {
            *sum += part;
        }
        self.basic_skills_people += other.basic_skills_people;
        self.households_helped += other.households_helped;
        self.late_entries += other.late_entries;
        self.late_people += other.late_people;
        self.members += other.members;
        self.villages += other.villages;
        self.quiet_villages += other.quiet_villages;
        self.help.add(&other.help);
    }
}

fn per_100(part: u64, whole: Option<u64>) -> Option<f64> {
    match whole {
        Some(whole) if whole > 0 => Some((part as f64 * 10_000.0 / whole as f64).round() / 100.0),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuietVillage {
    pub code: String,
    pub name: String,
    pub commune_name: Option<String>,
    /// Its last entry within the year before the period's end; `None`: none.
    pub last_activity: Option<NaiveDate>,
}

/// The first day of the quiet window: a village with no entry from it to the period's last
/// day is quiet.
pub fn quiet_since(period: Period, quiet_months: u32) -> NaiveDate {
    let last = period.last_day();
    (last - Months::new(quiet_months))
        .succ_opt()
        .unwrap_or(last)
}

/// The period report of `sweep`'s scope.
pub fn build(
    sweep: &Sweep,
    activity: &PeriodSweep,
    rules: &ActivityRules,
    period: Period,
    generated_at: DateTime<Utc>,
) -> PeriodReport {
    let places = Places::new(sweep);
    let mut kinds: Vec<KindColumn> = rules.kinds.iter().map(KindColumn::from).collect();
    let unknown: BTreeSet<&str> = activity
        .sums
        .iter()
        .map(|sum| sum.kind.as_str())
        .filter(|code| rules.kind(code).is_none())
        .collect();
    kinds.extend(unknown.into_iter().map(|code| KindColumn {
        code: code.to_owned(),
        vi: code.to_owned(),
        en: code.to_owned(),
        basic_skill: false,
    }));
    let column: HashMap<&str, usize> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| (kind.code.as_str(), i))
        .collect();
    // Each unit's own figures: its team's entries and members, its own population.
    let mut own: HashMap<&str, Figures> = HashMap::new();
    let blank = || Figures {
        people_by_kind: vec![0; kinds.len()],
        ..Figures::default()
    };
    for sum in &activity.sums {
        let figures = own.entry(sum.unit_code.as_str()).or_insert_with(blank);
        if sum.late {
            figures.late_entries += sum.entries;
            figures.late_people += sum.people;
            continue;
        }
        figures.entries += sum.entries;
        figures.people += sum.people;
        figures.households_helped += sum.households;
        let at = column[sum.kind.as_str()];
        figures.people_by_kind[at] += sum.people;
        if kinds[at].basic_skill {
            figures.basic_skills_people += sum.people;
        }
    }
    for facts in &activity.help {
        own.entry(facts.unit_code.as_str())
            .or_insert_with(blank)
            .help
            .count(facts);
    }
    let registered: HashMap<&str, u64> = sweep
        .teams
        .iter()
        .filter(|team| team.registered)
        .map(|team| {
            let members = team.roles.len() as u64 + u64::from(team.leader);
            (team.unit_code.as_str(), members)
        })
        .collect();
    let since = quiet_since(period, rules.quiet_months);
    let mut quiet = Vec::new();
    // Deepest units first, so each unit's parts are summed before it.
    let mut units: Vec<_> = sweep
        .units
        .iter()
        .map(|unit| (places.chain(&unit.code).count(), unit))
        .collect();
    units.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let mut done: HashMap<&str, Figures> = HashMap::new();
    let mut parts: HashMap<&str, Vec<Figures>> = HashMap::new();
    for (_, unit) in &units {
        let code = unit.code.as_str();
        let mut figures = own.remove(code).unwrap_or_else(blank);
        figures.members += registered.get(code).copied().unwrap_or(0);
        if unit.level == UnitLevel::Village {
            figures.villages = 1;
            let last = activity.last_activity.get(code).copied();
            if registered.contains_key(code) && last.is_none_or(|day| day < since) {
                figures.quiet_villages = 1;
                quiet.push(QuietVillage {
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                    commune_name: places.parent_name(code),
                    last_activity: last,
                });
            }
        }
        let children = parts.remove(code).unwrap_or_default();
        for child in &children {
            figures.add(child);
        }
        let (population, households) = activity.population.get(code).copied().unwrap_or_default();
        let summed = |figure: fn(&Figures) -> Option<u64>| -> Option<u64> {
            if children.is_empty() {
                return None;
            }
            children.iter().map(figure).sum()
        };
        figures.population = population.or_else(|| summed(|f| f.population));
        figures.households = households.or_else(|| summed(|f| f.households));
        if let Some(parent) = unit.parent_code.as_deref() {
            parts.entry(parent).or_default().push(figures.clone());
        }
        done.insert(code, figures);
    }
    let scope = sweep.scope.as_ref().map(|unit| unit.code.as_str());
    let total = match scope {
        Some(code) => done.get(code).cloned().unwrap_or_else(blank),
        None => {
            let mut total = blank();
            let roots = sweep.units.iter().filter(|u| {
                u.parent_code
                    .as_deref()
                    .is_none_or(|parent| places.get(parent).is_none())
            });
            let roots: Vec<&Figures> = roots.filter_map(|u| done.get(u.code.as_str())).collect();
            for root in &roots {
                total.add(root);
            }
            total.population = roots.iter().map(|f| f.population).sum();
            total.households = roots.iter().map(|f| f.households).sum();
            total
        }
    };
    let states: HashMap<&str, ReportState> = activity
        .reports
        .iter()
        .map(|r| (r.unit_code.as_str(), ReportState::from_stored(&r.status)))
        .collect();
    let slot = |level: UnitLevel| match level {
        UnitLevel::Province => 0,
        UnitLevel::District => 1,
        UnitLevel::Commune => 2,
        UnitLevel::Village => 3,
    };
    let mut levels: [Vec<(Vec<&str>, PeriodRow)>; 4] = Default::default();
    for unit in &sweep.units {
        let Some(figures) = done.remove(unit.code.as_str()) else {
            continue;
        };
        let mut path: Vec<&str> = places.chain(&unit.code).map(|u| u.code.as_str()).collect();
        path.reverse();
        let report = (unit.level == UnitLevel::Commune).then(|| {
            states
                .get(unit.code.as_str())
                .copied()
                .unwrap_or(ReportState::NotSubmitted)
        });
        let row = PeriodRow {
            code: unit.code.clone(),
            name: unit.name.clone(),
            parent_name: places.parent_name(&unit.code),
            report,
            figures,
        };
        levels[slot(unit.level)].push((path, row));
    }
    let mut level = |level: UnitLevel| -> Vec<PeriodRow> {
        let mut rows = std::mem::take(&mut levels[slot(level)]);
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.into_iter().map(|(_, row)| row).collect()
    };
    quiet.sort_by(|a, b| a.code.cmp(&b.code));
    PeriodReport {
        period,
        scope_code: sweep.scope.as_ref().map(|unit| unit.code.clone()),
        scope_name: sweep.scope.as_ref().map(|unit| unit.name.clone()),
        generated_at,
        provinces: level(UnitLevel::Province),
        districts: level(UnitLevel::District),
        communes: level(UnitLevel::Commune),
        villages: level(UnitLevel::Village),
        kinds,
        total,
        quiet,
        members_per_100_min: rules.members_per_100_min,
        quiet_months: rules.quiet_months,
    }
}
