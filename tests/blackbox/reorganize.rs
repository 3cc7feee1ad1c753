//! Moving a 2022 deployment into the 2025 structure: Tứ Kỳ's default data, teams registered
//! in 2022, then `units reorganize` with the real map rows of Tứ Kỳ → 6 communes of Thành phố
//! Hải Phòng. Every team is present under its new commune, residents find the communes by
//! old and new names, the province's report equals the old district's, officials follow.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use cnscd::domain::{
    AccountRole, CompositionRules, ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team,
};
use cnscd::import::reorganize::{reform_day, reorganize, Options, Report};
use cnscd::import::ImportError;
use cnscd::search::SharedIndex;
use cnscd::storage::accounts::{bind_account, Account};
use cnscd::storage::{Store, Unit};

const HEADER: &str = "old_code,old_name,old_district_code,old_district_name,old_province_code,old_province_name,new_code,new_name,new_province_code,new_province_name,split\n";

/// Villages of 2022, among them two "Thôn Đông" whose communes merge into one (Đại Sơn), and
/// villages of the two divided communes (Hưng Đạo, Tiên Động).
const VILLAGES: &str = "commune_code,name,code
11074,Khu Một,11074-01
11083,Thôn Đông,11083-01
11083,Thôn Tây Sơn,11083-02
11092,Thôn Đông,11092-01
11086,Thôn Hưng,11086-01
11086,Thôn Đạo,11086-02
11143,Thôn Tiên,11143-01
11131,Thôn Văn,11131-01
11149,Thôn Hà,11149-01
";

/// Registered teams: (village, the new commune it must end up under).
const TEAMS: [(&str, &str); 7] = [
    ("11074-01", "11074"),
    ("11083-01", "11086"),
    ("11092-01", "11086"),
    ("11086-01", "11086"),
    ("11086-02", "11113"),
    ("11143-01", "11140"),
    ("11131-01", "11131"),
];

/// The divided communes' villages, placed one by one.
const PLACED: &str =
    "village_code,new_commune_code\n11086-01,11086\n11086-02,11113\n11143-01,11140\n";

/// Three communes of 2022 the map does not name (absorbed by the 2024 mergers): the tests'
/// own rows for them, see `tests/data/README.md`.
fn absorbed_in_2024() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tu-ky-absorbed-2024.csv");
    let text = std::fs::read_to_string(path).expect("test data");
    text.lines()
        .skip(1)
        .map(|line| format!("{line}\n"))
        .collect()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-07-01T08:00:00+07:00")
        .expect("time")
        .with_timezone(&Utc)
}

/// The real map's rows for Tứ Kỳ district (298), and the tests' rows for three communes.
pub fn tu_ky_map() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/vn-communes-2025-from-2024.csv");
    let whole = std::fs::read_to_string(path).expect("the map is in data/");
    let rows: String = whole
        .lines()
        .filter(|line| line.split(',').nth(2) == Some("298"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(
        rows.lines().count(),
        20,
        "the map names 20 of Tứ Kỳ's communes"
    );
    format!("{HEADER}{rows}{}", absorbed_in_2024())
}

fn options(dry_run: bool) -> Options {
    Options {
        dry_run,
        revoke_officials: false,
        effective_on: reform_day(),
    }
}

async fn run_with(d: &Deployment, map: &str, options: &Options) -> Result<Report, ImportError> {
    let texts = cnscd::i18n::Texts::load().expect("texts");
    reorganize(&d.store, &texts, map.as_bytes(), None, options, now()).await
}

fn team() -> Team {
    let member = |name: &str, role, phone: &str| Member {
        name: PersonName::parse(name).expect("name"),
        role,
        role_detail: None,
        phone: PhoneNumber::parse(phone).expect("phone"),
        workplace: None,
        zalo: None,
        consent: Some(ConsentSource::Head),
    };
    Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        members: vec![
            member(
                "Trần Thị Bình",
                MemberRole::YouthUnionSecretary,
                "0912 345 679",
            ),
            member(
                "Lê Văn Cường",
                MemberRole::FarmersAssociationHead,
                "0912 345 680",
            ),
        ],
        ..Team::default()
    }
}

struct Deployment {
    _dir: Option<tempfile::TempDir>,
    store: Store,
}

/// Tứ Kỳ as a 2022 deployment: villages, teams, a commune official of Bình Lăng, a district
/// official, and the district's campaign.
async fn deployment_of_2022() -> Deployment {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    deployment_of_2022_at(&url, Some(dir)).await
}

async fn deployment_of_2022_at(url: &str, dir: Option<tempfile::TempDir>) -> Deployment {
    let store = Store::connect(url).await.expect("database");
    let then = now() - chrono::Duration::days(1200);
    cnscd::import::load_default_units_if_empty(&store, then)
        .await
        .expect("units");
    cnscd::import::import_villages(&store, VILLAGES.as_bytes(), then)
        .await
        .expect("villages");
    let mut tx = store.begin().await.expect("tx");
    for (village, _) in TEAMS {
        cnscd::storage::teams::save_team(&mut tx, village, &team(), None, then)
            .await
            .expect("team");
    }
    // Commune teams of 2022, one on a code a new commune takes over (Thị trấn Tứ Kỳ).
    for commune in ["11074", "11092"] {
        cnscd::storage::teams::save_team(&mut tx, commune, &team(), None, then)
            .await
            .expect("commune team");
    }
    let official = |role, unit: &str| Account {
        role,
        unit_code: unit.to_owned(),
    };
    bind_account(
        &mut tx,
        "telegram",
        "500",
        &official(AccountRole::CommuneOfficial, "11092"),
        then,
    )
    .await
    .expect("commune official");
    bind_account(
        &mut tx,
        "telegram",
        "600",
        &official(AccountRole::DistrictOfficial, "298"),
        then,
    )
    .await
    .expect("district official");
    tx.commit().await.expect("commit");
    let deadline = NaiveDate::from_ymd_opt(2025, 9, 30).expect("day");
    store
        .create_campaign("Thành lập Tổ CNSCĐ", deadline, "298", "test", then)
        .await
        .expect("campaign");
    Deployment { _dir: dir, store }
}

async fn run(
    d: &Deployment,
    map: &str,
    villages: Option<&str>,
    dry: bool,
) -> Result<Report, ImportError> {
    let mut placed = villages.map(str::as_bytes);
    let texts = cnscd::i18n::Texts::load().expect("texts");
    reorganize(
        &d.store,
        &texts,
        map.as_bytes(),
        placed.as_mut().map(|f| f as &mut dyn std::io::Read),
        &options(dry),
        now(),
    )
    .await
}

async fn units(store: &Store) -> Vec<Unit> {
    store.all_units().await.expect("units")
}

async fn totals(store: &Store, scope: &str) -> cnscd::report::Counts {
    let rules = CompositionRules::default_rules().expect("rules");
    let (_, report) = cnscd::report::load_report(store, &rules, Some(scope), now())
        .await
        .expect("report");
    report.totals
}

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
