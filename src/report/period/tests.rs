use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::domain::MemberRole;
use crate::i18n::{Lang, Texts};
use crate::storage::report::period::{ActivitySum, PeriodReportState};
use crate::storage::{Sweep, TeamSummary, Unit, UnitLevel};

fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> Unit {
    Unit {
        code: code.to_owned(),
        name: name.to_owned(),
        kind: String::new(),
        level,
        parent_code: parent.map(str::to_owned),
        ended_on: None,
        merged_into: None,
        moved_from: None,
    }
}

fn team(code: &str, members: usize) -> TeamSummary {
    TeamSummary {
        unit_code: code.to_owned(),
        registered: true,
        leader: true,
        decision_number: None,
        decision_date: None,
        decision_scan: false,
        roles: vec![MemberRole::Other; members],
    }
}

fn sum(
    code: &str,
    kind: &str,
    late: bool,
    entries: u64,
    people: u64,
    households: u64,
) -> ActivitySum {
    ActivitySum {
        unit_code: code.to_owned(),
        kind: kind.to_owned(),
        late,
        entries,
        people,
        households,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A province, two communes, three villages: Thôn Một and Thôn Hai (counted, with teams of
/// 5 and 3 with their heads) in Xã A, Thôn Ba (no population, no team) in Xã B.
fn scene() -> (Sweep, crate::storage::report::period::PeriodSweep) {
    let province = unit("P", "Tỉnh Thử", UnitLevel::Province, None);
    let sweep = Sweep {
        scope: Some(province.clone()),
        units: vec![
            province,
            unit("A", "Xã A", UnitLevel::Commune, Some("P")),
            unit("B", "Xã B", UnitLevel::Commune, Some("P")),
            unit("A1", "Thôn Một", UnitLevel::Village, Some("A")),
            unit("A2", "Thôn Hai", UnitLevel::Village, Some("A")),
            unit("B1", "Thôn Ba", UnitLevel::Village, Some("B")),
        ],
        teams: vec![team("A1", 4), team("A2", 2)],
        ..Sweep::default()
    };
    let mut activity = crate::storage::report::period::PeriodSweep {
        sums: vec![
            sum("A1", "vneid", false, 3, 12, 5),
            sum("A1", "online_payment", false, 2, 7, 0),
            sum("A1", "vneid", true, 1, 4, 1),
            sum("B1", "retired_kind", false, 1, 2, 2),
        ],
        ..Default::default()
    };
    activity
        .population
        .insert("A1".into(), (Some(100), Some(30)));
    activity.population.insert("A2".into(), (Some(50), None));
    activity
        .last_activity
        .insert("A1".into(), day(2026, 11, 20));
    activity.last_activity.insert("A2".into(), day(2026, 8, 2));
    activity.reports.push(PeriodReportState {
        unit_code: "A".into(),
        status: "approved".into(),
        decided_at: Some("2026-12-03T02:00:00.000Z".into()),
    });
    (sweep, activity)
}

fn report() -> PeriodReport {
    let (sweep, activity) = scene();
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap();
    build(
        &sweep,
        &activity,
        &ActivityRules::default(),
        Period::parse("2026-11").unwrap(),
        now,
    )
}

fn row<'a>(rows: &'a [PeriodRow], code: &str) -> &'a PeriodRow {
    rows.iter().find(|row| row.code == code).unwrap()
}

#[test]
fn every_level_sums_the_level_below_and_the_scope_sums_them_all() {
    let report = report();
    assert_eq!(report.villages.len(), 3, "every village once");
    assert_eq!(report.communes.len(), 2);
    assert_eq!(report.provinces.len(), 1);
    for (rows, parts) in [
        (&report.communes, &report.villages),
        (&report.provinces, &report.communes),
    ] {
        let whole = sum_rows(&report, rows);
        let summed = sum_rows(&report, parts);
        assert_eq!(whole.people, summed.people);
        assert_eq!(whole.entries, summed.entries);
        assert_eq!(whole.people_by_kind, summed.people_by_kind);
        assert_eq!(whole.members, summed.members);
    }
    assert_eq!(report.total.people, 21);
    assert_eq!(report.total.entries, 6);
    assert_eq!(report.total.members, 5 + 3);
    assert_eq!(report.total.households_helped, 7);
}

#[test]
fn basic_skills_are_totalled_apart_and_a_kind_the_rules_dropped_keeps_its_own_column() {
    let report = report();
    assert_eq!(
        report.total.basic_skills_people, 7,
        "online payment is a basic skill"
    );
    let last = report.kinds.last().unwrap();
    assert_eq!(last.code, "retired_kind");
    assert_eq!(report.total.people_by_kind.last(), Some(&2));
}

#[test]
fn an_entry_recorded_after_the_approval_is_late_and_not_counted() {
    let report = report();
    let village = row(&report.villages, "A1");
    assert_eq!(village.figures.people, 19);
    assert_eq!(
        (village.figures.late_entries, village.figures.late_people),
        (1, 4)
    );
    assert_eq!(report.total.late_people, 4);
    assert_eq!(
        row(&report.communes, "A").report,
        Some(ReportState::Approved)
    );
    assert_eq!(
        row(&report.communes, "B").report,
        Some(ReportState::NotSubmitted)
    );
}

#[test]
fn members_per_100_residents_need_a_population_and_are_flagged_under_the_minimum() {
    let report = report();
    let one = &row(&report.villages, "A1").figures;
    assert_eq!(one.members_per_100(), Some(5.0));
    assert!(!one.below(5.0));
    let two = &row(&report.villages, "A2").figures;
    assert_eq!(two.members_per_100(), Some(6.0));
    let commune = &row(&report.communes, "A").figures;
    assert_eq!(commune.population, Some(150), "the sum of its villages'");
    assert_eq!(
        commune.households, None,
        "one village has no household count"
    );
    assert_eq!(commune.households_reached_per_100(), None);
    assert_eq!(one.households_reached_per_100(), Some(16.67));
    let unknown = &row(&report.villages, "B1").figures;
    assert_eq!(unknown.members_per_100(), None);
    assert!(
        !unknown.below(5.0),
        "no population is not under the minimum"
    );
    assert_eq!(report.total.population, None, "Xã B has no population");
    let texts = Texts::load().unwrap();
    let summary = period_summary(&report, &texts, Lang::Vi).into_string();
    assert!(summary.contains("chưa có số dân"), "{summary}");
}

#[test]
fn a_village_with_a_team_and_no_entry_for_two_months_is_quiet() {
    let report = report();
    let quiet: Vec<&str> = report.quiet.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(quiet, ["A2"], "Thôn Ba has no team, Thôn Một was active");
    assert_eq!(report.quiet[0].last_activity, Some(day(2026, 8, 2)));
    assert_eq!(
        quiet_since(Period::parse("2026-11").unwrap(), 2),
        day(2026, 10, 1)
    );
    assert_eq!(row(&report.communes, "A").figures.quiet_villages, 1);
}

#[test]
fn the_period_is_named_as_officials_write_it() {
    let texts = Texts::load().unwrap();
    let q4 = Period::parse("2026-Q4").unwrap();
    assert_eq!(period_label(&texts, Lang::Vi, q4), "quý IV/2026");
    assert_eq!(
        period_label(&texts, Lang::Vi, Period::parse("2026-11").unwrap()),
        "tháng 11/2026"
    );
    let summary = period_summary(&report(), &texts, Lang::En).into_string();
    assert!(summary.contains("month 11/2026"), "{summary}");
    assert!(summary.contains("Recorded after approval"), "{summary}");
}

#[test]
fn ratios_are_written_as_each_language_writes_decimals_without_trailing_zeros() {
    use super::text::decimal;
    assert_eq!(decimal(Lang::Vi, 5.0), "5");
    assert_eq!(decimal(Lang::Vi, 5.25), "5,25");
    assert_eq!(decimal(Lang::Vi, 0.5), "0,5");
    assert_eq!(decimal(Lang::En, 0.08), "0.08");
    assert_eq!(decimal(Lang::En, 0.0), "0");
}
