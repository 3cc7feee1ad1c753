use pretty_assertions::assert_eq;

use super::scene::{now, scene, Scene, DAI_SON, HUNG_DAO};
use super::*;
use crate::domain::status::{StatusKind, UnitStatus};
use crate::domain::{MemberRole, RuleBreach, UnitLevel};
use crate::i18n::to_plain;
use crate::storage::{stored_team_status, summary_status};

mod consent;
mod csv_json_png;
mod exports;

async fn report_of(scene: &Scene, scope: Option<&str>) -> Report {
    load_report(&scene.store, &scene.rules, scope, now())
        .await
        .unwrap()
        .1
}

fn row<'a>(report: &'a Report, code: &str) -> &'a AreaRow {
    let found = report.communes.iter().find(|row| row.code == code);
    found.unwrap_or_else(|| panic!("no row {code}"))
}

#[tokio::test]
async fn every_unit_of_the_scene_has_the_status_its_data_gives() {
    let scene = scene().await;
    let sweep = scene.store.sweep(Some("298")).await.unwrap().unwrap();
    let cases = [
        (DAI_SON, UnitLevel::Commune, UnitStatus::Complete),
        (
            scene.village("Thôn Đông"),
            UnitLevel::Village,
            UnitStatus::Complete,
        ),
        (
            scene.village("Thôn Tây"),
            UnitLevel::Village,
            UnitStatus::RegisteredWithoutDecision,
        ),
        (
            scene.village("Thôn Nam"),
            UnitLevel::Village,
            UnitStatus::Incomplete(vec![RuleBreach::TooFewMembers { min: 2, have: 1 }]),
        ),
        (
            scene.village("Thôn Bắc"),
            UnitLevel::Village,
            UnitStatus::Draft,
        ),
        (
            scene.village("Thôn Hạ"),
            UnitLevel::Village,
            UnitStatus::RegisteredWithoutDecision,
        ),
        (
            scene.village("Thôn Thượng"),
            UnitLevel::Village,
            UnitStatus::NoTeam,
        ),
        (HUNG_DAO, UnitLevel::Commune, UnitStatus::NoTeam),
    ];
    for (code, level, expected) in cases {
        let swept = sweep.teams.iter().find(|team| team.unit_code == code);
        let stored = scene.store.team(code).await.unwrap();
        assert_eq!(
            summary_status(&scene.rules, level, swept),
            expected,
            "{code}"
        );
        assert_eq!(
            stored_team_status(&scene.rules, level, stored.as_ref()),
            expected,
            "{code}: the sweep and the stored team disagree"
        );
    }
}

#[tokio::test]
async fn a_scan_recorded_before_scans_were_kept_is_not_counted_as_received() {
    // Arrange: Thôn Đông's scan as migration 0052 left the scans recorded before it: the
    // chat's file id and hash, no file kept.
    let scene = scene().await;
    let dong = scene.village("Thôn Đông");
    sqlx::query("UPDATE teams SET decision_file_kept = 0 WHERE unit_code = $1")
        .bind(dong)
        .execute(scene.store.pool())
        .await
        .unwrap();
    // Act
    let report = report_of(&scene, Some("298")).await;
    let sweep = scene.store.sweep(Some("298")).await.unwrap().unwrap();
    let stored = scene.store.team(dong).await.unwrap();
    // Assert
    let decision = report.decisions.iter().find(|d| d.unit_name == "Thôn Đông");
    assert_eq!(decision.map(|d| d.scan), Some(false), "not 'scan received'");
    let swept = sweep.teams.iter().find(|team| team.unit_code == dong);
    let status = summary_status(&scene.rules, UnitLevel::Village, swept);
    assert_eq!(status, UnitStatus::RegisteredWithoutDecision);
    let file = stored.as_ref().and_then(|t| t.team.decision.file.as_ref());
    assert_eq!(file.map(|f| f.kept), Some(false));
    assert_eq!(
        stored_team_status(&scene.rules, UnitLevel::Village, stored.as_ref()),
        UnitStatus::RegisteredWithoutDecision
    );
}

#[tokio::test]
async fn a_district_report_counts_every_status_per_commune_and_in_total() {
    let scene = scene().await;
    let report = report_of(&scene, Some("298")).await;
    assert_eq!(report.scope_name.as_deref(), Some("Huyện Tứ Kỳ"));
    assert_eq!(report.communes.len(), 23);
    assert!(
        report.areas.is_empty(),
        "a district's areas are its communes"
    );
    let dai_son = row(&report, DAI_SON);
    assert_eq!(dai_son.name, "Xã Đại Sơn");
    assert_eq!(dai_son.parent_name.as_deref(), Some("Huyện Tứ Kỳ"));
    assert_eq!(dai_son.commune_team, Some(StatusKind::Complete));
    let counts =
        |units, registered, drafts, incomplete, with_decision, complete, members, coverage| {
            Counts {
                units,
                registered,
                drafts,
                incomplete,
                with_decision,
                complete,
                members,
                coverage_percent: coverage,
            }
        };
    assert_eq!(dai_son.counts, counts(4, 3, 1, 1, 2, 1, 6, 75.0));
    let hung_dao = row(&report, HUNG_DAO);
    assert_eq!(hung_dao.commune_team, Some(StatusKind::NoTeam));
    assert_eq!(hung_dao.counts, counts(2, 1, 0, 0, 1, 0, 2, 50.0));
    assert_eq!(row(&report, "11074").counts, Counts::default());
    assert_eq!(report.totals, counts(6, 4, 1, 1, 3, 1, 8, 66.7));
    assert_eq!(report.commune_teams, counts(23, 1, 0, 0, 1, 1, 3, 4.3));
}

#[tokio::test]
async fn the_report_counts_roles_and_lists_the_decisions_received() {
    let scene = scene().await;
    let report = report_of(&scene, Some("298")).await;
    let count = |role| {
        let found = report.roles.iter().find(|r| r.role == role);
        found.map_or(0, |r| r.count)
    };
    assert_eq!(count(MemberRole::WomensUnionHead), 2, "Đông and Nam");
    assert_eq!(count(MemberRole::PrimaryTeacher), 2, "Đông and Tây");
    assert_eq!(count(MemberRole::CommuneCivilServant), 1);
    assert_eq!(count(MemberRole::AreaPolice), 0);
    assert_eq!(report.roles.iter().map(|r| r.count).sum::<usize>(), 11);
    let decisions: Vec<(&str, &str, bool)> = report
        .decisions
        .iter()
        .map(|d| (d.unit_name.as_str(), d.number.as_str(), d.scan))
        .collect();
    assert_eq!(
        decisions,
        [
            ("Xã Đại Sơn", "12/QĐ-UBND", true),
            ("Thôn Đông", "125/QĐ-UBND", true),
            ("Thôn Nam", "130/QĐ-UBND", true),
            ("Thôn Hạ", "7/QĐ-UBND", false),
        ]
    );
    assert_eq!(
        report.decisions[1].commune_name.as_deref(),
        Some("Xã Đại Sơn")
    );
}

#[tokio::test]
async fn commune_village_and_country_scopes_report_what_is_under_them() {
    let scene = scene().await;
    let commune = report_of(&scene, Some(HUNG_DAO)).await;
    assert_eq!(commune.communes.len(), 1);
    assert_eq!(commune.totals.units, 2);

    let village = report_of(&scene, Some(scene.village("Thôn Hạ"))).await;
    assert_eq!(
        village.communes.len(),
        1,
        "the village's commune, from its ancestors"
    );
    assert_eq!(village.communes[0].code, HUNG_DAO);
    assert_eq!(village.communes[0].commune_team, None, "outside the scope");
    assert_eq!(village.totals.registered, 1);

    let country = report_of(&scene, None).await;
    assert_eq!(country.scope_name, None);
    assert_eq!(country.totals, report_of(&scene, Some("298")).await.totals);
    let areas: Vec<&str> = country.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(areas, ["Tỉnh Hải Dương"]);
    assert_eq!(country.areas[0].counts.coverage_percent, 66.7);
}

#[tokio::test]
async fn an_unknown_scope_is_refused_by_name() {
    let scene = scene().await;
    let error = load_report(&scene.store, &scene.rules, Some("99999"), now())
        .await
        .unwrap_err();
    assert!(matches!(error, ReportError::UnknownScope(code) if code == "99999"));
}

#[tokio::test]
async fn the_chat_summary_gives_the_totals_and_the_lowest_communes_in_both_languages() {
    let scene = scene().await;
    let report = report_of(&scene, Some("298")).await;
    let vi = chat_summary(&report, &scene.texts, Lang::Vi);
    assert!(vi
        .as_str()
        .starts_with("<b>Báo cáo Tổ Công nghệ số cộng đồng — Huyện Tứ Kỳ</b>"));
    let vi = to_plain(vi.as_str());
    for expected in [
        "Số liệu đến 25/04/2022.",
        "Thôn, khu dân cư có tổ đã đăng ký: 4/6 (66,7 %)",
        "Tổ đang soạn: 1 · Chưa đủ thành phần: 1 · Chưa có tổ: 1",
        "Có quyết định thành lập: 3",
        "Tổng số thành viên: 8",
        "Tổ cấp xã đã đăng ký: 1/23",
        "• Xã Hưng Đạo: 1/2 (50,0 %)",
        "• Xã Đại Sơn: 3/4 (75,0 %)",
    ] {
        assert!(vi.contains(expected), "{expected:?} missing from:\n{vi}");
    }
    let en = to_plain(chat_summary(&report, &scene.texts, Lang::En).as_str());
    assert!(
        en.contains("Villages with a registered team: 4/6 (66.7%)"),
        "{en}"
    );
    assert!(en.len() < 4096);
}

#[tokio::test]
async fn a_scope_without_villages_says_so() {
    let scene = scene().await;
    let report = report_of(&scene, Some("11074")).await;
    let text = to_plain(chat_summary(&report, &scene.texts, Lang::Vi).as_str());
    assert!(text.contains("Chưa có thôn, khu dân cư nào"), "{text}");
}

#[tokio::test]
async fn postgresql_gives_the_same_reports_as_sqlite() {
    let Some(db) = crate::storage::scratch::ScratchDb::postgres_from_env()
        .await
        .unwrap()
    else {
        crate::storage::scratch::report_skipped("reports");
        return;
    };
    let on_sqlite = scene().await;
    let on_postgres = super::scene::scene_on(db).await;
    for scope in [None, Some("298"), Some(DAI_SON), Some(HUNG_DAO)] {
        assert_eq!(
            report_of(&on_sqlite, scope).await,
            report_of(&on_postgres, scope).await,
            "scope {scope:?}"
        );
    }
    on_postgres.store.close().await;
    on_postgres.db.destroy().await;
}

#[tokio::test]
async fn communes_without_a_village_list_are_a_gap_of_their_own_not_zero_percent() {
    let scene = scene().await;
    let report = report_of(&scene, Some("298")).await;
    assert_eq!(
        report.communes_without_villages, 21,
        "23 communes, 2 with villages"
    );
    let text = to_plain(chat_summary(&report, &scene.texts, Lang::Vi).as_str());
    assert!(
        text.contains("Xã chưa có danh sách thôn trong hệ thống: 21"),
        "{text}"
    );
    let label = |code: &str, lang| chart::bar_label(row(&report, code), &scene.texts, lang);
    assert_eq!(label("11074", Lang::Vi), "chưa có danh sách thôn");
    assert_eq!(label("11074", Lang::En), "no village list yet");
    assert_eq!(label(DAI_SON, Lang::Vi), "75,0 % (3/4)");
}
