//! A small scene for the report tests: Tứ Kỳ's communes, six villages in two of them, and
//! teams in every status.
//!
//! | commune  | village     | team                                            |
//! | -------- | ----------- | ----------------------------------------------- |
//! | Đại Sơn  | (itself)    | commune team, complete                          |
//! | Đại Sơn  | Thôn Đông   | complete: 3 members, decision with scan         |
//! | Đại Sơn  | Thôn Tây    | registered, no decision                         |
//! | Đại Sơn  | Thôn Nam    | incomplete: 1 member                            |
//! | Đại Sơn  | Thôn Bắc    | draft                                           |
//! | Hưng Đạo | Thôn Hạ     | registered, decision number and date, no scan   |
//! | Hưng Đạo | Thôn Thượng | none                                            |

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::conversation::{Draft, Registration};
use crate::domain::{
    CompositionRules, ConsentSource, Decision, DecisionFile, DecisionNumber, FileKind, Member,
    MemberRole, PersonName, PhoneNumber, Team,
};
use crate::i18n::Texts;
use crate::import::{import_villages, load_default_units_if_empty};
use crate::storage::scratch::ScratchDb;
use crate::storage::teams::{save_draft, save_team};
use crate::storage::Store;

pub const DAI_SON: &str = "11083";
pub const HUNG_DAO: &str = "11086";

pub struct Scene {
    pub db: ScratchDb,
    pub store: Store,
    pub rules: CompositionRules,
    pub texts: Texts,
    /// Village codes by name.
    pub villages: Vec<(String, String)>,
}

impl Scene {
    pub fn village(&self, name: &str) -> &str {
        let found = self.villages.iter().find(|(n, _)| n == name);
        &found.unwrap_or_else(|| panic!("no village {name}")).1
    }
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 4, 25, 8, 0, 0).unwrap()
}

pub fn decision_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 4, 20).unwrap()
}

pub fn member(name: &str, role: MemberRole, phone: &str, consent: bool) -> Member {
    Member {
        name: PersonName::parse(name).unwrap(),
        role,
        role_detail: None,
        phone: PhoneNumber::parse(phone).unwrap(),
        fields: Default::default(),
        zalo: None,
        consent: consent.then_some(ConsentSource::Head),
    }
}

fn team(leader: &str, members: Vec<Member>, number: Option<&str>, scan: bool) -> Team {
    Team {
        leader_name: Some(PersonName::parse(leader).unwrap()),
        leader_phone: Some(PhoneNumber::parse("0987 000 001").unwrap()),
        leader_consent: None,
        leader_fields: Default::default(),
        members,
        decision: Decision {
            number: number.map(|n| DecisionNumber::parse(n).unwrap()),
            date: number.map(|_| decision_date()),
            file: scan.then(|| DecisionFile {
                file_id: "scan-1".into(),
                kind: FileKind::Pdf,
                sha256: None,
                kept: true,
            }),
        },
    }
}

pub async fn scene() -> Scene {
    scene_on(ScratchDb::sqlite().unwrap()).await
}

/// The scene in `db` (SQLite or PostgreSQL).
pub async fn scene_on(db: ScratchDb) -> Scene {
    use MemberRole::*;
    let store = Store::connect(db.url()).await.unwrap();
    load_default_units_if_empty(&store, now()).await.unwrap();
    let file = "commune_code,name\n11083,Thôn Đông\n11083,Thôn Tây\n11083,Thôn Nam\n\
                11083,Thôn Bắc\n11086,Thôn Hạ\n11086,Thôn Thượng\n";
    let imported = import_villages(&store, file.as_bytes(), now())
        .await
        .unwrap();
    let villages: Vec<(String, String)> = imported
        .villages
        .iter()
        .map(|v| (v.name.clone(), v.code.clone()))
        .collect();
    let code = |name: &str| villages.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let mut donor = member("Lê Thị Hoa", WomensUnionHead, "0912 345 678", true);
    donor.fields = donor.fields.with("workplace", "Trường Tiểu học Đại Sơn");
    let teams = [
        (
            DAI_SON.to_owned(),
            team(
                "Nguyễn Văn Chủ",
                vec![
                    member("Phạm Văn Thanh", CommuneCivilServant, "0912 000 101", true),
                    member("Vũ Thị Đài", RadioStationHead, "0912 000 102", true),
                    member("Đỗ Văn Mặt", FatherlandFrontChair, "0912 000 103", false),
                ],
                Some("12/QĐ-UBND"),
                true,
            ),
        ),
        (
            code("Thôn Đông"),
            team(
                "Trần Văn Đông",
                vec![
                    member("Nguyễn Văn An", YouthUnionSecretary, "0912 000 001", true),
                    donor,
                    member("Bùi Văn Bình", PrimaryTeacher, "0912 000 003", false),
                ],
                Some("125/QĐ-UBND"),
                true,
            ),
        ),
        (
            code("Thôn Tây"),
            team(
                "Hoàng Văn Tây",
                vec![
                    member(
                        "Ngô Văn Cường",
                        FarmersAssociationHead,
                        "0912 000 011",
                        true,
                    ),
                    member("Đinh Thị Dung", PrimaryTeacher, "0912 000 012", true),
                ],
                None,
                false,
            ),
        ),
        (
            code("Thôn Nam"),
            team(
                "Lý Văn Nam",
                vec![member("Mai Thị Em", WomensUnionHead, "0912 000 021", true)],
                Some("130/QĐ-UBND"),
                true,
            ),
        ),
        (
            code("Thôn Hạ"),
            team(
                "Phan Văn Hạ",
                vec![
                    member(
                        "Tô Văn Giang",
                        VeteransAssociationHead,
                        "0912 000 031",
                        true,
                    ),
                    member("Lương Thị Hà", LowerSecondaryTeacher, "0912 000 032", true),
                ],
                Some("7/QĐ-UBND"),
                false,
            ),
        ),
    ];
    let mut tx = store.begin().await.unwrap();
    for (unit, team) in &teams {
        save_team(&mut tx, unit, team, None, now()).await.unwrap();
    }
    // Paused at the first member: only the leader was answered.
    let unfinished = Registration {
        draft: Draft {
            leader_name: Some(PersonName::parse("Đặng Văn Bắc").unwrap()),
            leader_phone: Some(PhoneNumber::parse("0987 000 001").unwrap()),
            ..Draft::default()
        },
        ..Registration::default()
    };
    save_draft(&mut tx, &code("Thôn Bắc"), &unfinished, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Scene {
        db,
        store,
        rules: CompositionRules::default_rules().unwrap(),
        texts: Texts::load().unwrap(),
        villages,
    }
}
