//! The 2022 deployment of Tứ Kỳ that every reorganisation test starts from, and the map.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use cnscd::domain::{
    AccountRole, CompositionRules, ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team,
};
use cnscd::import::reorganize::{reform_day, reorganize, Options, Report};
use cnscd::import::ImportError;
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
pub(super) const TEAMS: [(&str, &str); 7] = [
    ("11074-01", "11074"),
    ("11083-01", "11086"),
    ("11092-01", "11086"),
    ("11086-01", "11086"),
    ("11086-02", "11113"),
    ("11143-01", "11140"),
    ("11131-01", "11131"),
];

/// The divided communes' villages, placed one by one.
pub(super) const PLACED: &str =
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

pub(super) fn now() -> DateTime<Utc> {
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

pub(super) fn options(dry_run: bool) -> Options {
    Options {
        dry_run,
        revoke_officials: false,
        effective_on: reform_day(),
    }
}

pub(super) async fn run_with(
    d: &Deployment,
    map: &str,
    options: &Options,
) -> Result<Report, ImportError> {
    let texts = cnscd::i18n::Texts::load().expect("texts");
    reorganize(&d.store, &texts, map.as_bytes(), None, options, now()).await
}

fn team() -> Team {
    let member = |name: &str, role, phone: &str| Member {
        name: PersonName::parse(name).expect("name"),
        role,
        role_detail: None,
        phone: PhoneNumber::parse(phone).expect("phone"),
        fields: Default::default(),
        zalo: None,
        consent: Some(ConsentSource::Head),
    };
    Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        leader_fields: Default::default(),
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

pub(super) struct Deployment {
    _dir: Option<tempfile::TempDir>,
    pub(super) store: Store,
}

/// Tứ Kỳ as a 2022 deployment: villages, teams, a commune official of Bình Lăng, a district
/// official, and the district's campaign.
pub(super) async fn deployment_of_2022() -> Deployment {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    deployment_of_2022_at(&url, Some(dir)).await
}

pub(super) async fn deployment_of_2022_at(url: &str, dir: Option<tempfile::TempDir>) -> Deployment {
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

pub(super) async fn run(
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

pub(super) async fn units(store: &Store) -> Vec<Unit> {
    store.all_units().await.expect("units")
}

pub(super) async fn totals(store: &Store, scope: &str) -> cnscd::report::Counts {
    let rules = CompositionRules::default_rules().expect("rules");
    let (_, report) = cnscd::report::load_report(store, &rules, Some(scope), now())
        .await
        .expect("report");
    report.totals
}
