use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tempfile::TempDir;

use super::*;
use crate::clock::ManualClock;
use crate::config::{CampaignCommand, InviteArgs, TelegramArgs};
use crate::domain::{AccountRole, CompositionRules};
use crate::i18n::Texts;
use crate::import::load_default_units_if_empty;
use crate::storage::Store;

mod outbox_list;

async fn engine(dir: &TempDir) -> Engine {
    let url = format!("sqlite://{}", dir.path().join("cnscd.db").display());
    let store = Store::connect(&url).await.unwrap();
    // 20 April 2022, 09:00 in Vietnam.
    let now = Utc.with_ymd_and_hms(2022, 4, 20, 2, 0, 0).unwrap();
    load_default_units_if_empty(&store, now).await.unwrap();
    Engine::new(
        store,
        Arc::new(Texts::load().unwrap()),
        Arc::new(CompositionRules::default_rules().unwrap()),
        Arc::new(ManualClock::new(now)),
    )
}

fn invite_args(unit: &str, bot_username: Option<&str>) -> InviteArgs {
    InviteArgs {
        role: AccountRole::VillageHead,
        unit: unit.parse().expect("a unit code"),
        valid_days: 14,
        account_days: None,
        bot_username: bot_username.map(str::to_owned),
        telegram: TelegramArgs {
            token: None,
            api_url: None,
        },
    }
}

#[tokio::test]
async fn importing_villages_lists_their_codes_and_an_invitation_prints_every_way_in() {
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let file = dir.path().join("villages.csv");
    std::fs::write(
        &file,
        "commune_code,name,code\n11083,Thôn Đông,\n11083,Thôn Tây,11083-T2\n",
    )
    .unwrap();

    let mut out = Vec::new();
    import::villages(&engine, &file, false, &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains(": 2 inserted, 0 updated, 0 unchanged."),
        "{out}"
    );
    assert!(
        out.contains("11083-01  Thôn Đông  (commune 11083)  (code generated)\n"),
        "{out}"
    );
    assert!(
        out.contains("11083-T2  Thôn Tây  (commune 11083)\n"),
        "{out}"
    );

    let mut out = Vec::new();
    units::list(engine.store(), Some("11083"), &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out, "11083-01  thôn  Thôn Đông\n11083-T2  thôn  Thôn Tây\n");

    let mut out = Vec::new();
    let args = invite_args("11083-01", Some("@cnscd_bot"));
    invite::run(&engine, &args, "sqlite://other.db", &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    let code = out
        .lines()
        .find_map(|line| line.trim().strip_prefix("code:"))
        .map(str::trim)
        .unwrap();
    assert!(out.contains("expires:   04/05/2022 09:00"), "{out}");
    assert!(
        out.contains(&format!("https://t.me/cnscd_bot?start={code}")),
        "{out}"
    );
    let console = "cnscd console --database-url 'sqlite://other.db' --invite   (then paste";
    assert!(out.contains(console), "{out}");
    let console_line = out.lines().find(|l| l.contains("console:")).unwrap();
    assert!(
        !console_line.contains(code),
        "the code stays off the command line: {out}"
    );
}

#[tokio::test]
async fn an_invitation_never_prints_the_database_password() {
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let url = "postgres://cnscd:hunter2@db.internal:5432/cnscd";

    let mut out = Vec::new();
    let mut args = invite_args("11083", None);
    args.role = AccountRole::CommuneOfficial;
    invite::run(&engine, &args, url, &mut out).await.unwrap();

    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains("hunter2"), "{out}");
    assert!(out.contains("same DATABASE_URL"), "{out}");
}

#[tokio::test]
async fn an_unsupported_database_url_is_reported_without_its_password() {
    let error = crate::storage::Store::connect("mysql://root:hunter2@db/cnscd")
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("mysql://root:****@db/cnscd"), "{shown}");
}

#[tokio::test]
async fn bad_rows_and_unknown_units_are_errors() {
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "commune_code,name\n99999,Thôn X\n11083,\n").unwrap();
    let error = import::villages(&engine, &file, false, &mut Vec::new())
        .await
        .unwrap_err();
    let shown = format!("{:#}", anyhow::Error::from(error));
    assert!(shown.contains("\nline 2: commune 99999"), "{shown}");
    assert!(shown.contains("\nline 3: name is empty"), "{shown}");

    let args = invite_args("42", None);
    let error = invite::run(&engine, &args, "sqlite://cnscd.db", &mut Vec::new()).await;
    assert!(matches!(error, Err(CliError::UnknownUnit(code)) if code == "42"));
    let error = units::list(engine.store(), Some("42"), &mut Vec::new()).await;
    assert!(matches!(error, Err(CliError::UnknownUnit(_))));
}

#[tokio::test]
async fn one_area_has_one_campaign_a_second_updates_it_and_an_overlapping_one_is_refused() {
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let create = |scope: &str, deadline: &str| CampaignCommand::Create {
        name: "Đợt 1".into(),
        deadline: deadline.into(),
        scope: scope.parse().expect("a unit code"),
    };
    let mut out = Vec::new();
    campaign::campaign(&engine, create("298", "25/04/2022"), &mut out)
        .await
        .unwrap();
    campaign::campaign(&engine, create("298", "30/04/2022"), &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("campaign 1 already covers area 298: now Đợt 1, deadline 30/04/2022"),
        "{out}"
    );
    for overlapping in ["11083", "30"] {
        let error = campaign::campaign(&engine, create(overlapping, "28/04/2022"), &mut Vec::new())
            .await
            .unwrap_err();
        let shown = error.to_string();
        assert!(
            shown.contains("Campaign 1 (Đợt 1, deadline 30/04/2022) covers Huyện Tứ Kỳ (298)"),
            "{overlapping}: {shown}"
        );
    }
    let campaigns = engine.store().campaigns().await.unwrap();
    assert_eq!(campaigns.len(), 1, "{campaigns:?}");
    assert_eq!(campaigns[0].deadline.to_string(), "2022-04-30");
}

#[tokio::test]
async fn a_stored_village_keeps_its_name_unless_the_import_asks_to_rename_and_the_summary_says_so()
{
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let file = dir.path().join("villages.csv");
    let import = |text: &str, rename: bool| {
        std::fs::write(&file, text).unwrap();
        let (engine, file) = (&engine, &file);
        async move {
            let mut out = Vec::new();
            import::villages(engine, file, rename, &mut out)
                .await
                .unwrap();
            String::from_utf8(out).unwrap()
        }
    };
    import("commune_code,name\n11083,Thôn Đông Sơn\n", false).await;
    let out = import(
        "commune_code,name\n11083,Thon Dong Son\n11083,Thôn Mới\n",
        false,
    )
    .await;
    assert!(
        out.contains(": 1 inserted, 0 updated, 1 unchanged."),
        "{out}"
    );
    assert!(
        out.contains("11083-01  Thôn Đông Sơn  (commune 11083)\n"),
        "no \"(code generated)\" for a code found by name: {out}"
    );
    assert!(
        out.contains("11083-02  Thôn Mới  (commune 11083)  (code generated)\n"),
        "{out}"
    );
    assert!(
        out.contains("11083-01  \"Thôn Đông Sơn\" (file: \"Thon Dong Son\")"),
        "{out}"
    );
    let stored = |code: &'static str| {
        let store = engine.store();
        async move { store.unit(code).await.unwrap().unwrap().name }
    };
    assert_eq!(stored("11083-01").await, "Thôn Đông Sơn");

    let out = import(
        "commune_code,name,code\n11083,Thôn Đông Sơn Mới,11083-01\n",
        true,
    )
    .await;
    assert!(
        out.contains(": 0 inserted, 1 updated, 0 unchanged."),
        "{out}"
    );
    assert!(
        out.contains("Renamed 11083-01: \"Thôn Đông Sơn\" is now \"Thôn Đông Sơn Mới\"."),
        "{out}"
    );
    assert_eq!(stored("11083-01").await, "Thôn Đông Sơn Mới");
}

/// Issue 21, item 15: `inbox replay 9999` said "0 event(s) put back" and exited 0.
#[tokio::test]
async fn replaying_a_parked_event_that_does_not_exist_is_an_error() {
    let dir = TempDir::new().unwrap();
    let engine = engine(&dir).await;
    let replay = |id, all| crate::config::InboxCommand::Replay { id, all };
    let mut out = Vec::new();
    let error = inbox::run(engine.store(), replay(Some(9999), false), &mut out)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("No parked event has id 9999"),
        "{error}"
    );
    assert!(out.is_empty(), "nothing claimed done");
    inbox::run(engine.store(), replay(None, true), &mut out)
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "0 event(s) put back in line.\n"
    );
}
