//! The digest's lines about the teams' work after their founding: the villages whose team
//! logged nothing for `quiet_months` months, and the communes whose report for last month
//! is not submitted after `report_due_day` of this month ("late"). Bounded like the rest of
//! the digest: a count, then the first few names.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};

use crate::clock::vietnam_date;
use crate::domain::{ActivityRules, Period, UnitLevel};
use crate::engine::Engine;
use crate::i18n::{Html, Lang, Texts, K};
use crate::storage::{StorageError, Sweep};

/// How many quiet villages, or late communes, a digest names.
const NAMED: usize = 10;

/// The quiet villages and late communes of a campaign's area (a village is quiet only if its
/// team was registered before the cut-off; a commune is late only if it has a registered
/// team, its own or a village's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Work {
    /// Villages with a registered team and no entry done since `quiet_since`, by code.
    pub quiet: HashSet<String>,
    pub quiet_months: u32,
    /// The period reported late, its due day, and the communes of the area that have not
    /// submitted it; `None` before the due day has passed.
    pub late: Option<(Period, NaiveDate, HashSet<String>)>,
    /// Units with residents' requests for help nobody took for more than a day, and how
    /// many each has.
    pub help_waiting: HashMap<String, u64>,
}

/// The day after which last month's report is late: `report_due_day` of this month.
pub(crate) fn due_day(rules: &ActivityRules, today: NaiveDate) -> (Period, NaiveDate) {
    let this_month = Period::month_of(today);
    let first = this_month.first_day();
    // The rules file keeps the day between 1 and 28: every month has it.
    let due = first
        .with_day(rules.report_due_day)
        .unwrap_or(this_month.last_day());
    (this_month.previous(), due)
}

impl Work {
    pub(crate) async fn load(
        engine: &Engine,
        sweep: &Sweep,
        now: DateTime<Utc>,
    ) -> Result<Work, StorageError> {
        let Some(scope) = sweep.scope.as_ref().map(|u| u.code.clone()) else {
            return Ok(Work::default());
        };
        let rules = &engine.rules().activity;
        let today = vietnam_date(now);
        let since = today
            .checked_sub_months(Months::new(rules.quiet_months))
            .unwrap_or(today);
        let store = engine.store();
        let quiet = store.quiet_villages(&scope, since).await?;
        let (period, due) = due_day(rules, today);
        let late = if today > due {
            let reported = store.communes_reported(&scope, period).await?;
            // A commune with no registered team (its own or a village's) has no work to
            // report: the digest names it for its missing teams already.
            let registered: HashSet<&str> = sweep
                .teams
                .iter()
                .filter(|t| t.registered)
                .map(|t| t.unit_code.as_str())
                .collect();
            let with_team: HashSet<&str> = sweep
                .units
                .iter()
                .filter(|u| registered.contains(u.code.as_str()))
                .flat_map(|u| [Some(u.code.as_str()), u.parent_code.as_deref()])
                .flatten()
                .collect();
            let late = sweep
                .units
                .iter()
                .filter(|u| u.level == UnitLevel::Commune && with_team.contains(u.code.as_str()))
                .filter(|u| !reported.contains(&u.code))
                .map(|u| u.code.clone())
                .collect();
            Some((period, due, late))
        } else {
            None
        };
        let help_waiting = store.help_waiting(&scope, now - Duration::days(1)).await?;
        Ok(Work {
            quiet,
            quiet_months: rules.quiet_months,
            late,
            help_waiting,
        })
    }

    /// The digest's lines for an official of `unit`: the quiet villages under it, and, for
    /// an official above communes, the late communes under it.
    pub(crate) fn lines(
        &self,
        texts: &Texts,
        lang: Lang,
        sweep: &Sweep,
        unit: &str,
        above_communes: bool,
    ) -> Vec<String> {
        let parents: HashMap<&str, &str> = sweep
            .units
            .iter()
            .filter_map(|u| Some((u.code.as_str(), u.parent_code.as_deref()?)))
            .collect();
        let names: HashMap<&str, &str> = sweep
            .units
            .iter()
            .map(|u| (u.code.as_str(), u.name.as_str()))
            .collect();
        let under = |code: &str| {
            let mut at = code;
            // A unit is a few levels deep: the bound keeps a corrupt loop from spinning.
            for _ in 0..8 {
                match parents.get(at) {
                    Some(&parent) if parent == unit => return true,
                    Some(&parent) => at = parent,
                    None => return false,
                }
            }
            false
        };
        let named = |codes: &HashSet<String>, with_commune: bool| -> (usize, String) {
            let mut found: Vec<&str> = codes
                .iter()
                .map(String::as_str)
                .filter(|c| under(c))
                .collect();
            found.sort_unstable();
            let mut shown: Vec<String> = found
                .iter()
                .take(NAMED)
                .map(|code| {
                    let name = names.get(code).copied().unwrap_or(code);
                    match parents.get(code).and_then(|p| names.get(p)) {
                        Some(commune) if with_commune => format!("{name} ({commune})"),
                        _ => name.to_owned(),
                    }
                })
                .collect();
            if found.len() > NAMED {
                shown.push("…".to_owned());
            }
            (found.len(), shown.join(", "))
        };
        let mut lines = Vec::new();
        let (count, villages) = named(&self.quiet, above_communes);
        if count > 0 {
            let args = [
                ("count", Html::text(&count.to_string())),
                ("months", Html::text(&self.quiet_months.to_string())),
                ("villages", Html::text(&villages)),
            ];
            lines.push(texts.fill(lang, K::PeriodDigestQuiet, &args).into_string());
        }
        let waiting: HashSet<String> = self.help_waiting.keys().cloned().collect();
        let (units, names) = named(&waiting, above_communes);
        if units > 0 {
            let count: u64 = self
                .help_waiting
                .iter()
                .filter(|(code, _)| under(code.as_str()))
                .map(|(_, n)| n)
                .sum();
            let args = [
                ("count", Html::text(&count.to_string())),
                ("villages", Html::text(&names)),
            ];
            lines.push(
                texts
                    .fill(lang, K::PeriodDigestHelpWaiting, &args)
                    .into_string(),
            );
        }
        if let Some((period, due, late)) = self.late.as_ref().filter(|_| above_communes) {
            let (count, communes) = named(late, false);
            if count > 0 {
                let period = crate::wording::period_name(texts, lang, *period);
                let args = [
                    ("count", Html::text(&count.to_string())),
                    ("period", Html::text(&period)),
                    ("due", Html::text(&due.format("%d/%m/%Y").to_string())),
                    ("communes", Html::text(&communes)),
                ];
                lines.push(texts.fill(lang, K::PeriodDigestLate, &args).into_string());
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_months_report_is_due_on_the_rules_day_of_this_month() {
        let rules = ActivityRules::default();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let (period, due) = due_day(&rules, day(2027, 1, 20));
        assert_eq!(period.to_string(), "2026-12");
        assert_eq!(due, day(2027, 1, rules.report_due_day));
    }
}
