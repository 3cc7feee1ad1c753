//! Accounts end and personal data is kept only as long as the README says (issue 14, items
//! 3 and 7): expiry, revocation from the command line and in chat, the grace period of a
//! chat that blocked the bot, and the retention purge.

use chrono::Duration;
use cnscd::clock::Clock;
use cnscd::config::AccountsCommand;
use cnscd::domain::AccountRole;
use cnscd::i18n::K;
use cnscd::storage::retention::Retention;

use crate::security::{said, App};

/// Each test runs on SQLite, and on PostgreSQL when the tests have a server.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                super::$name(App::sqlite().await).await;
            }
        )*
        mod on_postgresql {
            use super::App;
            $(
                #[tokio::test]
                async fn $name() {
                    match App::postgres().await {
                        Some(app) => super::super::$name(app).await,
                        None => cnscd::storage::scratch::report_skipped(stringify!($name)),
                    }
                }
            )*
        }
    };
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn official(app: &App, chat: &str, account_days: Option<u16>) {
    let code = app.invite(AccountRole::CommuneOfficial, "11083").await;
    if let Some(days) = account_days {
        let hash = cnscd::domain::invitation_code::hash_code(&code);
        app.store()
            .set_invitation_account_days(&hash, days)
            .await
            .expect("days");
    }
    app.say(chat, &format!("/start {code}")).await;
}

async fn exec(app: &App, sql: &str, at: String) {
    sqlx::query(sql)
        .bind(at)
        .execute(app.store().pool())
        .await
        .expect("seeded");
}

async fn the_purge_deletes_sent_messages_idle_sessions_and_update_ids_after_their_retention(
    app: App,
) {
    let now = app.clock.now();
    let old = stamp(now - Duration::days(200));
    let recent = stamp(now - Duration::days(1));
    for at in [&old, &recent] {
        exec(&app, "INSERT INTO outbox (channel, chat_id, body, created_at, sent_at) VALUES ('test', '9', '{}', $1, $1)", at.clone()).await;
        exec(&app, "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ('test', $1, $1)", at.clone()).await;
    }
    exec(
        &app,
        "INSERT INTO outbox (channel, chat_id, body, created_at) VALUES ('test', '9', '{}', $1)",
        old.clone(),
    )
    .await;
    exec(&app, "INSERT INTO dialogue_states (channel, chat_id, session, updated_at) VALUES ('test', 'idle', '{}', $1)", old).await;
    exec(&app, "INSERT INTO dialogue_states (channel, chat_id, session, updated_at) VALUES ('test', 'busy', '{}', $1)", recent).await;

    let purged = app
        .store()
        .purge(&Retention::default(), now)
        .await
        .expect("purged");

    assert_eq!(
        (purged.messages, purged.sessions, purged.updates),
        (1, 1, 1),
        "{purged:?}"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(app.store().pool())
        .await
        .unwrap();
    assert_eq!(left, 2, "the recent sent message and the unsent one stay");
    app.finish().await;
}

async fn an_account_past_its_expiry_acts_as_a_resident_and_the_purge_revokes_it(app: App) {
    official(&app, "official", Some(30)).await;
    assert!(app
        .say("official", "/thon")
        .await
        .iter()
        .any(|r| !r.buttons.is_empty()));

    app.clock.set(app.clock.now() + Duration::days(31));
    let replies = app.say("official", "/thon").await;

    assert!(
        said(&replies).contains(&app.text(K::NotAllowed)),
        "{replies:?}"
    );
    let purged = app
        .store()
        .purge(&Retention::default(), app.clock.now())
        .await
        .unwrap();
    assert_eq!(purged.accounts, 1);
    assert_eq!(
        app.store().account("console", "official").await.unwrap(),
        None
    );
    assert_eq!(app.audit_count("account.revoked").await, 1);
    app.finish().await;
}

async fn a_chat_that_blocked_the_bot_loses_its_role_after_thirty_days_unless_it_wrote_again(
    app: App,
) {
    official(&app, "gone", None).await;
    official(&app, "back", None).await;
    let blocked_at = app.clock.now();
    for chat in ["gone", "back"] {
        app.store()
            .mark_chat_blocked("console", chat, blocked_at)
            .await
            .unwrap();
    }
    app.clock.set(blocked_at + Duration::days(2));
    app.say("back", "/start").await;

    let early = app
        .store()
        .purge(&Retention::default(), blocked_at + Duration::days(29))
        .await;
    let late = app
        .store()
        .purge(&Retention::default(), blocked_at + Duration::days(31))
        .await;

    assert_eq!(early.unwrap().accounts, 0, "within the grace period");
    assert_eq!(late.unwrap().accounts, 1);
    assert_eq!(app.store().account("console", "gone").await.unwrap(), None);
    assert!(app
        .store()
        .account("console", "back")
        .await
        .unwrap()
        .is_some());
    app.finish().await;
}

async fn accounts_are_listed_and_revoked_from_the_command_line(app: App) {
    official(&app, "official", Some(90)).await;

    let mut out = Vec::new();
    let list = AccountsCommand::List {
        unit: Some("11083".parse().expect("a unit code")),
    };
    cnscd::cli::privacy::accounts(&app.engine, list, &mut out)
        .await
        .unwrap();
    let revoke = AccountsCommand::Revoke {
        chat: "console:official".into(),
    };
    cnscd::cli::privacy::accounts(&app.engine, revoke, &mut out)
        .await
        .unwrap();

    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("console:official  commune-official  11083"),
        "{out}"
    );
    assert!(out.contains("expires 2022-07-19"), "{out}");
    assert!(
        out.contains("Revoked the account of console:official."),
        "{out}"
    );
    assert_eq!(
        app.store().account("console", "official").await.unwrap(),
        None
    );
    assert_eq!(app.audit_count("account.revoked").await, 1);
    app.finish().await;
}

async fn the_purge_deletes_held_messages_and_parked_events_after_thirty_days(app: App) {
    // Arrange: a message held for a chat that never wrote again, an event set aside after
    // three failures; both name people and would otherwise be kept for ever.
    let now = app.clock.now();
    for at in [
        stamp(now - Duration::days(31)),
        stamp(now - Duration::days(1)),
    ] {
        exec(&app, "INSERT INTO outbox (channel, chat_id, body, created_at, held_at) VALUES ('zalo', '9', '{}', $1, $1)", at.clone()).await;
        exec(&app, "INSERT INTO inbox (channel, chat_id, body, owner, received_at, state) VALUES ('zalo', '9', '{}', 'test', $1, 'parked')", at).await;
    }

    // Act
    let purged = app
        .store()
        .purge(&Retention::default(), now)
        .await
        .expect("purged");

    // Assert
    for table in ["outbox", "inbox"] {
        let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(app.store().pool())
            .await
            .expect("count");
        assert_eq!(left, 1, "{table}: the recent row stays, {purged:?}");
    }
    app.finish().await;
}

mod run {
    use super::App;
    on_both_engines!(
        the_purge_deletes_sent_messages_idle_sessions_and_update_ids_after_their_retention,
        an_account_past_its_expiry_acts_as_a_resident_and_the_purge_revokes_it,
        a_chat_that_blocked_the_bot_loses_its_role_after_thirty_days_unless_it_wrote_again,
        accounts_are_listed_and_revoked_from_the_command_line,
        the_purge_deletes_held_messages_and_parked_events_after_thirty_days,
    );
}
