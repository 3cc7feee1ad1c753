//! The generated country: villages for every commune, and teams in every status.

use chrono::{DateTime, NaiveDate, Utc};

use super::BenchConfig;
use cnscd::conversation::{Draft, Registration};
use cnscd::domain::{
    CompositionRules, ConsentSource, Decision, DecisionFile, DecisionNumber, Fields, FileKind,
    Member, MemberRole, PersonName, PhoneNumber, Team,
};
use cnscd::storage::teams::{save_draft, save_team};
use cnscd::storage::units::upsert_units;
use cnscd::storage::{NewUnit, Store, UnitLevel};

/// Villages for every commune, and their teams: of ten villages, five complete, one without
/// a decision, one without a scan, one incomplete, one draft and one without a team.
pub async fn seed(store: &Store, config: &BenchConfig, now: DateTime<Utc>) -> anyhow::Result<()> {
    let whole = store.sweep(None).await?.unwrap_or_default();
    let communes: Vec<String> = whole
        .units
        .into_iter()
        .filter(|unit| unit.level == UnitLevel::Commune)
        .map(|unit| unit.code)
        .collect();
    let villages: Vec<NewUnit> = communes
        .iter()
        .flat_map(|commune| {
            (1..=config.villages_per_commune).map(move |n| NewUnit {
                code: format!("{commune}-{n:02}"),
                name: format!("Thôn {n}"),
                kind: "thôn".into(),
                level: UnitLevel::Village,
                parent_code: Some(commune.clone()),
            })
        })
        .collect();
    let teams = TeamKinds::new(config.members_per_team)?;
    let mut tx = store.begin().await?;
    upsert_units(&mut tx, &villages, now).await?;
    for (i, village) in villages.iter().enumerate() {
        match i % 10 {
            0..=4 => save_team(&mut tx, &village.code, &teams.complete, None, now).await?,
            5 => save_team(&mut tx, &village.code, &teams.no_decision, None, now).await?,
            6 => save_team(&mut tx, &village.code, &teams.no_scan, None, now).await?,
            7 => save_team(&mut tx, &village.code, &teams.incomplete, None, now).await?,
            8 => save_draft(&mut tx, &village.code, &teams.draft, now).await?,
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(())
}

struct TeamKinds {
    complete: Team,
    no_decision: Team,
    no_scan: Team,
    incomplete: Team,
    draft: Registration,
}

impl TeamKinds {
    fn new(size: usize) -> anyhow::Result<TeamKinds> {
        const NAMES: [&str; 5] = [
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Lê Văn Cường",
            "Phạm Thị Dung",
            "Hoàng Văn Em",
        ];
        let rules = CompositionRules::default_rules()?;
        let roles = &rules.village.allowed_roles;
        let members = (0..size)
            .map(|i| {
                Ok(Member {
                    name: PersonName::parse(NAMES[i % NAMES.len()])?,
                    role: roles
                        .get(i % roles.len())
                        .copied()
                        .unwrap_or(MemberRole::Other),
                    role_detail: None,
                    phone: PhoneNumber::parse(&format!("0912 000 {:03}", i + 1))?,
                    fields: match i % 2 {
                        0 => Fields::default().with("workplace", "Trường Tiểu học"),
                        _ => Fields::default(),
                    },
                    zalo: None,
                    consent: (i % 3 != 0).then_some(ConsentSource::Head),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let complete = Team {
            leader_name: Some(PersonName::parse("Đỗ Văn Trưởng")?),
            leader_phone: Some(PhoneNumber::parse("0987 000 001")?),
            members,
            decision: Decision {
                number: Some(DecisionNumber::parse("125/QĐ-UBND")?),
                date: NaiveDate::from_ymd_opt(2022, 4, 20),
                file: Some(DecisionFile {
                    file_id: "scan".into(),
                    kind: FileKind::Pdf,
                    sha256: None,
                    kept: true,
                }),
            },
            ..Team::default()
        };
        let mut no_decision = complete.clone();
        no_decision.decision = Decision::default();
        let mut no_scan = complete.clone();
        no_scan.decision.file = None;
        let mut incomplete = complete.clone();
        incomplete.members.truncate(1);
        let draft = Registration {
            draft: Draft::from_team(&no_decision),
            ..Registration::default()
        };
        Ok(TeamKinds {
            complete,
            no_decision,
            no_scan,
            incomplete,
            draft,
        })
    }
}
