//! Dry runs, reruns and refused maps, and what a reorganised structure refuses or ends.

use std::path::Path;

use chrono::{DateTime, Utc};
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::import::reorganize::{reform_day, Options};
use cnscd::import::ImportError;

use super::deployment::{
    deployment_of_2022, now, options, run, run_with, totals, tu_ky_map, units, PLACED,
};

#[tokio::test]
async fn a_dry_run_changes_nothing_and_a_second_run_changes_nothing_either() {
    let d = deployment_of_2022().await;
    let before = units(&d.store).await;
    let dry = run(&d, &tu_ky_map(), None, true).await.expect("dry run");
    assert!(dry.dry_run && dry.changed_anything());
    assert_eq!(
        dry.to_assign.len(),
        3,
        "the divided communes' villages wait"
    );
    assert_eq!(units(&d.store).await, before, "a dry run changes nothing");

    run(&d, &tu_ky_map(), None, false).await.expect("first run");
    let after_first = units(&d.store).await;
    let again = run(&d, &tu_ky_map(), None, false)
        .await
        .expect("second run");
    assert!(!again.changed_anything());
    assert_eq!(again.already_done, 23);
    assert_eq!(
        units(&d.store).await,
        after_first,
        "a second run changes nothing"
    );

    // The divided communes' villages are placed later, by a run with the village file.
    let placed = run(&d, &tu_ky_map(), Some(PLACED), false)
        .await
        .expect("placing");
    assert_eq!(placed.assigned.len(), 3);
    assert!(placed.to_assign.is_empty());
}

#[tokio::test]
async fn a_map_naming_an_unknown_commune_refuses_everything_with_its_lines() {
    let d = deployment_of_2022().await;
    let before = units(&d.store).await;
    let map = format!(
        "{}11999,Xã Không Có,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương,11074,Xã Tứ Kỳ,31,Thành phố Hải Phòng,no\n\
         99999,Xã Ở Nơi Khác,999,Huyện Khác,99,Tỉnh Khác,99998,Xã Mới,98,Tỉnh Mới,no\n\
         11083,Xã Đại Sơn,298,Huyện Tứ Kỳ,30,Tỉnh Hải Dương,11086,Xã Đại Sơn,31,Thành phố Hải Phòng,maybe\n",
        tu_ky_map()
    );
    let lines: Vec<u64> = match run(&d, &map, None, false).await {
        Err(ImportError::BadRows(rows)) => rows.iter().map(|r| r.line).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    };
    // Line 25: a code district 298 does not have; line 27: split "maybe" and Đại Sơn twice.
    // Line 26 is a district this deployment never had: skipped, not refused.
    assert_eq!(lines, [25, 27]);
    assert_eq!(units(&d.store).await, before, "nothing was changed");
}

#[tokio::test]
async fn with_revoke_officials_the_merged_communes_officials_end_and_are_told() {
    let d = deployment_of_2022().await;
    let options = Options {
        revoke_officials: true,
        ..options(false)
    };
    let report = run_with(&d, &tu_ky_map(), &options)
        .await
        .expect("reorganized");
    assert_eq!(report.officials_revoked[0].chat, "telegram:500");
    assert!(report.officials_moved.is_empty());
    assert!(d.store.account("telegram", "500").await.unwrap().is_none());
    let told = d.store.pending_outbox("telegram", 10).await.unwrap();
    let chats: Vec<&str> = told.iter().map(|m| m.chat_id.as_str()).collect();
    assert_eq!(
        chats,
        ["500", "600"],
        "the commune and the district official are told"
    );
}

#[tokio::test]
async fn a_merged_commune_takes_no_new_invitation_nor_village_and_a_province_official_needs_two_levels(
) {
    let d = deployment_of_2022().await;
    let days = chrono::Duration::days(14);
    let invite = |role, unit: &'static str| {
        cnscd::invitation::create_invitation(&d.store, role, unit, days, "test", now())
    };
    assert!(
        matches!(
            invite(AccountRole::ProvinceOfficial, "30").await,
            Err(cnscd::invitation::InviteError::ProvinceWithDistricts(_))
        ),
        "Hải Dương still has its districts"
    );
    run_with(&d, &tu_ky_map(), &options(false))
        .await
        .expect("reorganized");
    assert!(matches!(
        invite(AccountRole::CommuneOfficial, "11092").await,
        Err(cnscd::invitation::InviteError::Ended { .. })
    ));
    assert!(invite(AccountRole::ProvinceOfficial, "31").await.is_ok());
    let file = "commune_code,name\n11092,Thôn Mới\n";
    assert!(
        cnscd::import::import_villages(&d.store, file.as_bytes(), now())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_old_districts_campaign_is_named_and_its_alerts_reach_no_one() {
    let d = deployment_of_2022().await;
    let report = run_with(&d, &tu_ky_map(), &options(false))
        .await
        .expect("reorganized");
    assert_eq!(
        report.campaigns_left.len(),
        1,
        "{:?}",
        report.campaigns_left
    );
    assert_eq!(report.campaigns_left[0].2, "298");
    let clock = std::sync::Arc::new(cnscd::clock::ManualClock::new(now()));
    let engine = cnscd::engine::Engine::new(
        d.store.clone(),
        std::sync::Arc::new(cnscd::i18n::Texts::load().expect("texts")),
        std::sync::Arc::new(CompositionRules::default_rules().expect("rules")),
        clock,
    );
    let seven_days_before = DateTime::parse_from_rfc3339("2025-09-23T08:00:00+07:00")
        .expect("time")
        .with_timezone(&Utc);
    let schedule = cnscd::domain::schedule::Schedule::default();
    let run = cnscd::alerts::run_due(&engine, &schedule, seven_days_before)
        .await
        .expect("alerts run");
    assert_eq!(run.queued, 0, "the district and its officials are gone");
}

#[tokio::test]
async fn merging_villages_keeps_one_team_and_the_others_as_history() {
    use cnscd::import::merge_villages::{merge_villages, MergeError, MergeVillages};
    let d = deployment_of_2022().await;
    let job = |into: &str, villages: &[&str], dry_run| MergeVillages {
        into: into.to_owned(),
        villages: villages.iter().map(|v| v.to_string()).collect(),
        keep_team: None,
        dry_run,
        on: reform_day(),
    };
    let other_commune =
        merge_villages(&d.store, &job("11083-02", &["11074-01"], false), now()).await;
    assert!(matches!(other_commune, Err(MergeError::Refused(_))));
    let before = units(&d.store).await;
    let dry = merge_villages(&d.store, &job("11083-02", &["11083-01"], true), now())
        .await
        .expect("dry run");
    assert_eq!(dry.kept_team.as_deref(), Some("11083-01"));
    assert_eq!(units(&d.store).await, before, "a dry run changes nothing");

    let merged = merge_villages(&d.store, &job("11083-02", &["11083-01"], false), now())
        .await
        .expect("merged");
    assert_eq!(
        merged.kept_team.as_deref(),
        Some("11083-01"),
        "the only team is kept"
    );
    assert!(
        d.store.team("11083-02").await.unwrap().is_some(),
        "now on the village that remains"
    );
    let gone = d.store.unit("11083-01").await.unwrap().unwrap();
    assert_eq!(gone.merged_into.as_deref(), Some("11083-02"));
    let after = totals(&d.store, "298").await;
    assert_eq!(
        (after.units, after.registered),
        (8, 7),
        "one village less, no team lost"
    );
}

#[tokio::test]
async fn a_file_with_districts_does_not_move_a_reorganised_commune_back() {
    let d = deployment_of_2022().await;
    run_with(&d, &tu_ky_map(), &options(false))
        .await
        .expect("reorganized");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tu-ky-communes.csv");
    let file = std::fs::read(path).expect("Tứ Kỳ");
    let refused = cnscd::import::import_units(&d.store, file.as_slice(), now()).await;
    assert!(
        matches!(refused, Err(ImportError::BadRows(_))),
        "{refused:?}"
    );
    let commune = d.store.unit("11074").await.unwrap().unwrap();
    assert_eq!(commune.name, "Xã Tứ Kỳ");
}

#[tokio::test]
async fn the_unused_invitations_of_the_ended_district_official_end_with_their_account() {
    // Arrange: the district official invited a commune official; nobody redeemed it yet.
    let d = deployment_of_2022().await;
    let made = cnscd::invitation::create_invitation(
        &d.store,
        AccountRole::CommuneOfficial,
        "11083",
        chrono::Duration::days(14),
        "telegram:600",
        now() - chrono::Duration::days(1),
    )
    .await
    .expect("invitation")
    .code;
    let hash = cnscd::domain::invitation_code::hash_code(&made);
    // Act
    run(&d, &tu_ky_map(), None, false)
        .await
        .expect("reorganized");
    // Assert: moved or not, the code no longer gives the commune's names and numbers.
    let mut tx = d.store.begin().await.expect("tx");
    let record = cnscd::storage::invitations::invitation(&mut tx, &hash)
        .await
        .expect("read")
        .expect("kept");
    assert!(record.revoked, "{record:?}");
}

/// Issue 21, item 13: Xã Đại Sơn (11083) merges into the new Xã Đại Sơn (11086) of Thành phố
/// Hải Phòng, so its official must not read "Xã Đại Sơn thuộc Xã Đại Sơn", and the district
/// official hears who may invite them again: a city, not "the province".
#[tokio::test]
async fn a_commune_that_keeps_its_name_is_told_so_and_the_district_hears_of_the_city() {
    for revoke_officials in [false, true] {
        let d = deployment_of_2022().await;
        let mut tx = d.store.begin().await.expect("tx");
        let official = cnscd::storage::accounts::Account {
            role: AccountRole::CommuneOfficial,
            unit_code: "11083".into(),
        };
        cnscd::storage::accounts::bind_account(&mut tx, "telegram", "700", &official, now())
            .await
            .expect("official of Đại Sơn");
        tx.commit().await.expect("commit");
        let options = Options {
            revoke_officials,
            ..options(false)
        };
        run_with(&d, &tu_ky_map(), &options)
            .await
            .expect("reorganized");
        let told = d.store.pending_outbox("telegram", 10).await.unwrap();
        let text = |chat: &str| {
            let found = told.iter().find(|m| m.chat_id == chat);
            let message = found.unwrap_or_else(|| panic!("nothing told to {chat}"));
            cnscd::i18n::to_plain(message.reply.text.as_str())
        };
        let dai_son = text("700");
        assert!(
            !dai_son.contains("Xã Đại Sơn thuộc Xã Đại Sơn")
                && !dai_son.contains("Tổ của Xã Đại Sơn được lưu"),
            "{dai_son}"
        );
        assert!(
            dai_son.contains("Xã Đại Sơn là xã mới sau sắp xếp, vẫn giữ tên cũ"),
            "{dai_son}"
        );
        let binh_lang = text("500");
        assert!(
            binh_lang.contains("Xã Bình Lăng thuộc Xã Đại Sơn"),
            "{binh_lang}"
        );
        let district = text("600");
        assert!(
            district.contains("Thành phố Hải Phòng có thể mời lại") && !district.contains("tỉnh"),
            "{district}"
        );
    }
}
