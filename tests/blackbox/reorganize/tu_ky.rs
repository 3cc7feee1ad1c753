//! The whole move of Tứ Kỳ into Hải Phòng, on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use cnscd::domain::CompositionRules;
use cnscd::import::reorganize::reform_day;
use cnscd::search::SharedIndex;

use super::deployment::{
    deployment_of_2022, deployment_of_2022_at, now, run, totals, tu_ky_map, Deployment, PLACED,
    TEAMS,
};

#[tokio::test]
async fn tu_ky_moves_into_six_communes_of_hai_phong_without_losing_a_team() {
    tu_ky_moves(deployment_of_2022().await).await;
}

/// The same move on PostgreSQL (skipped without `CNSCD_TEST_POSTGRES_URL`).
#[tokio::test]
async fn tu_ky_moves_on_postgresql_too() {
    let Some(db) = cnscd::storage::scratch::ScratchDb::postgres_from_env()
        .await
        .expect("scratch database")
    else {
        cnscd::storage::scratch::report_skipped("tu_ky_moves_on_postgresql_too");
        return;
    };
    tu_ky_moves(deployment_of_2022_at(db.url(), None).await).await;
    db.destroy().await;
}

async fn tu_ky_moves(d: Deployment) {
    let before = totals(&d.store, "298").await;
    assert_eq!((before.units, before.registered), (9, 7));

    let report = run(&d, &tu_ky_map(), Some(PLACED), false)
        .await
        .expect("reorganized");

    let new: Vec<(&str, &str)> = report
        .new_communes
        .iter()
        .map(|c| (c.code.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        new,
        [
            ("11074", "Xã Tứ Kỳ"),
            ("11086", "Xã Đại Sơn"),
            ("11113", "Xã Tân Kỳ"),
            ("11131", "Xã Chí Minh"),
            ("11140", "Xã Lạc Phượng"),
            ("11146", "Xã Nguyên Giáp"),
        ]
    );
    for (village, commune) in TEAMS {
        let unit = d.store.unit(village).await.unwrap().expect("village kept");
        assert_eq!(
            unit.parent_code.as_deref(),
            Some(commune),
            "{village} under {commune}"
        );
        let team = d.store.team(village).await.unwrap();
        assert!(team.is_some(), "the team of {village} is still there");
    }
    for code in ["11074", "11086", "11113", "11131", "11140", "11146"] {
        let commune = d.store.unit(code).await.unwrap().unwrap();
        assert_eq!(
            commune.parent_code.as_deref(),
            Some("31"),
            "{code} under Hải Phòng"
        );
        assert!(commune.is_current());
    }
    let hung_dao = d
        .store
        .unit("11086~20250701")
        .await
        .unwrap()
        .expect("history");
    assert_eq!(
        (
            hung_dao.name.as_str(),
            hung_dao.merged_into.as_deref(),
            hung_dao.ended_on.as_deref()
        ),
        ("Xã Hưng Đạo", Some("11086"), Some("2025-07-01"))
    );
    // Old commune teams are kept as history, with their old commune; the new communes have
    // none until their officials register one.
    for (history, new) in [("11074~20250701", "11074"), ("11092", "11086")] {
        assert!(
            d.store.team(history).await.unwrap().is_some(),
            "{history} keeps its team"
        );
        assert!(
            d.store.team(new).await.unwrap().is_none(),
            "{new} starts without one"
        );
    }
    let district = d.store.unit("298").await.unwrap().unwrap();
    assert_eq!(
        district.merged_into.as_deref(),
        Some("31"),
        "the district ended"
    );
    assert!(report.to_assign.is_empty(), "{:?}", report.to_assign);

    let after = totals(&d.store, "31").await;
    assert_eq!(
        after, before,
        "the province's report equals the old district's"
    );

    // --as-of: the structure before the reform is still there to report on.
    let rules = CompositionRules::default_rules().expect("rules");
    let eve = NaiveDate::from_ymd_opt(2025, 6, 30).expect("day");
    let then = cnscd::report::load_report_as_of(&d.store, &rules, Some("298"), eve, now())
        .await
        .expect("the district as of 30/06/2025");
    assert_eq!(then.totals, before, "the old district as it was");
    let communes: Vec<&str> = then.communes.iter().map(|c| c.code.as_str()).collect();
    assert!(
        communes.contains(&"11074") && communes.contains(&"11092"),
        "{communes:?}"
    );
    let hung_dao = cnscd::report::load_report_as_of(&d.store, &rules, Some("11086"), eve, now())
        .await
        .expect("Hưng Đạo as of 30/06/2025");
    assert_eq!(hung_dao.scope_name.as_deref(), Some("Xã Hưng Đạo"));
    assert_eq!(
        hung_dao.totals.units, 2,
        "its two villages, before one went to Tân Kỳ"
    );
    assert!(
        cnscd::report::load_report_as_of(&d.store, &rules, Some("298"), reform_day(), now())
            .await
            .is_err(),
        "no district on 01/07/2025"
    );

    let moved = d
        .store
        .account("telegram", "500")
        .await
        .unwrap()
        .expect("official");
    assert_eq!(
        moved.unit_code, "11086",
        "the commune official follows Bình Lăng"
    );
    assert!(
        d.store.account("telegram", "600").await.unwrap().is_none(),
        "district official ended"
    );
    assert_eq!(report.district_officials_ended[0].chat, "telegram:600");

    let index = SharedIndex::load(&d.store).await.unwrap();
    let found = index.search("Hưng Đạo", &[], 5);
    assert_eq!(found[0].code, "11086", "an old name finds the new commune");
    assert_eq!(found[0].formerly.as_deref(), Some("Xã Hưng Đạo"));
    let found = index.search("Đại Sơn", &[], 5);
    assert_eq!(found[0].code, "11086");
    assert_eq!(found[0].formerly, None, "the same name needs no 'formerly'");
    let dong = index.search("Thôn Đông", &[cnscd::storage::UnitLevel::Village], 5);
    let told_apart: Vec<(&str, Option<&str>)> = dong
        .iter()
        .map(|h| (h.code.as_str(), h.formerly_in.as_deref()))
        .collect();
    assert_eq!(
        told_apart,
        [
            ("11083-01", Some("Xã Đại Sơn")),
            ("11092-01", Some("Xã Bình Lăng"))
        ]
    );
    assert!(
        index
            .search("Bình Lăng", &[], 5)
            .iter()
            .all(|h| h.code != "11092"),
        "a merged commune is not offered for new work"
    );
}
