//! Issue 20, the access matrix's cases that need a database: who may end up holding a role or
//! a number. A linked chat holds its person's account (one expiry, one revocation) and is
//! linked only when the chat holding the role shows the code and confirms; an invitation dies
//! with its maker's account; a number from a form that does not prove it (Zalo's) reads and
//! changes nothing until the head confirms it; a head's stale edit never overwrites a
//! person's own word.

use chrono::Duration;
use cnscd::clock::Clock;
use cnscd::domain::invitation_code::hash_code;
use cnscd::domain::AccountRole;
use cnscd::i18n::K;
use cnscd::invitation::create_invitation;

use crate::security::{said, App};

/// An official of `unit` on the console chat `chat`, its account ending `days` after today
/// when given.
async fn official(app: &App, chat: &str, role: AccountRole, unit: &str, days: Option<u16>) {
    let code = app.invite(role, unit).await;
    if let Some(days) = days {
        app.store()
            .set_invitation_account_days(&hash_code(&code), days)
            .await
            .expect("days");
    }
    app.say(chat, &format!("/start {code}")).await;
    assert!(
        app.store()
            .account("console", chat)
            .await
            .unwrap()
            .is_some(),
        "{chat} holds the role"
    );
}

/// The eight-digit code `/lienket` showed `chat`.
async fn link_code(app: &App, chat: &str) -> String {
    let replies = app.say(chat, "/lienket").await;
    let text = said(&replies);
    let code: String = text
        .split_once("<code>")
        .map(|(_, rest)| rest.chars().take(8).collect())
        .unwrap_or_default();
    assert!(
        code.len() == 8 && code.chars().all(|c| c.is_ascii_digit()),
        "{text}"
    );
    code
}

/// What the outbox holds for `chat` (notices sent outside its own turn).
async fn queued_for(app: &App, chat: &str) -> String {
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM outbox WHERE chat_id = $1 ORDER BY id")
            .bind(chat)
            .fetch_all(app.store().pool())
            .await
            .expect("outbox");
    bodies.join("\n")
}

/// `shown` shows a code, `typed` types it, `shown` confirms.
async fn link(app: &App, shown: &str, typed: &str) {
    let code = link_code(app, shown).await;
    app.say(typed, &format!("/lienket {code}")).await;
    let replies = app.say(shown, "/lienket ok").await;
    assert!(
        said(&replies).contains(&app.text(K::LinkDone)),
        "{replies:?}"
    );
}

async fn expires_at(app: &App, chat: &str) -> Option<String> {
    sqlx::query_scalar("SELECT expires_at FROM accounts WHERE external_id = $1")
        .bind(chat)
        .fetch_one(app.store().pool())
        .await
        .expect("an account")
}

async fn a_typed_link_code_links_nothing_until_the_chat_holding_the_role_confirms(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        None,
    )
    .await;
    let code = link_code(&app, "official").await;

    let typed = app.say("phone", &format!("/lienket {code}")).await;

    assert!(
        said(&typed).contains(&app.text(K::LinkWaiting)),
        "{typed:?}"
    );
    assert_eq!(app.store().account("console", "phone").await.unwrap(), None);
    let asked = queued_for(&app, "official").await;
    assert!(
        asked.contains("cán bộ phụ trách") && asked.contains("Xã Đại Sơn"),
        "the official sees what confirming gives: {asked}"
    );
    let confirmed = app.say("official", "/lienket ok").await;
    assert!(
        said(&confirmed).contains(&app.text(K::LinkDone)),
        "{confirmed:?}"
    );
    let role = app.store().account("console", "phone").await.unwrap();
    assert_eq!(
        role.map(|a| (a.role, a.unit_code)),
        Some((AccountRole::CommuneOfficial, "11083".to_owned()))
    );
    assert!(queued_for(&app, "phone")
        .await
        .contains(&app.text(K::LinkDone)));
    app.finish().await;
}

async fn a_chat_without_a_role_gets_no_link_code_so_an_official_cannot_be_phished(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        None,
    )
    .await;

    let asked = app.say("stranger", "/lienket").await;
    // Whatever code the stranger makes up, the official typing it hands nothing over.
    let typed = app.say("official", "/lienket 12345678").await;

    assert!(
        said(&asked).contains(&app.text(K::LinkNeedsRole)),
        "{asked:?}"
    );
    assert!(
        said(&typed).contains(&app.text(K::LinkCodeInvalid)),
        "{typed:?}"
    );
    assert_eq!(
        app.store().account("console", "stranger").await.unwrap(),
        None
    );
    let nothing = app.say("stranger", "/lienket ok").await;
    assert!(
        said(&nothing).contains(&app.text(K::LinkNothingToConfirm)),
        "{nothing:?}"
    );
    app.finish().await;
}

async fn revoking_one_chat_of_a_linked_official_ends_the_role_in_every_chat(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        None,
    )
    .await;
    link(&app, "official", "phone").await;

    let revoked = app
        .store()
        .revoke_account("console:official", "cli", app.clock.now())
        .await
        .expect("revoked");

    assert!(revoked);
    assert_eq!(app.store().account("console", "phone").await.unwrap(), None);
    app.finish().await;
}

async fn a_linked_chat_holds_the_officials_expiry_not_a_role_without_end(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        Some(30),
    )
    .await;
    link(&app, "official", "phone").await;

    let linked = expires_at(&app, "phone").await;

    assert!(linked.is_some(), "the linked chat never ends");
    assert_eq!(linked, expires_at(&app, "official").await);
    app.finish().await;
}

async fn an_expired_official_gets_no_role_back_through_a_linked_chat(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        Some(30),
    )
    .await;
    link(&app, "official", "phone").await;
    app.clock.set(app.clock.now() + Duration::days(31));

    let shown = app.say("phone", "/lienket").await;
    let stale = app.say("official", "/moi").await;

    assert!(
        said(&shown).contains(&app.text(K::LinkNeedsRole)),
        "the linked chat expired with the official: {shown:?}"
    );
    assert!(
        !said(&stale).contains("Xã Đại Sơn"),
        "the expired official acts as a resident: {stale:?}"
    );
    app.finish().await;
}

/// A village-head invitation made by the commune official on the chat `maker`.
async fn made_by(app: &App, maker: &str) -> String {
    create_invitation(
        app.store(),
        AccountRole::VillageHead,
        "11083-01",
        Duration::days(14),
        &format!("console:{maker}"),
        app.clock.now(),
    )
    .await
    .expect("invitation")
    .code
}

async fn an_invitation_made_by_a_revoked_official_no_longer_redeems(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        None,
    )
    .await;
    let code = made_by(&app, "official").await;
    app.store()
        .revoke_account("console:official", "cli", app.clock.now())
        .await
        .expect("revoked");
    // Even when the same chat is invited again, the old code stays dead.
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        None,
    )
    .await;

    let replies = app.say("head", &format!("/start {code}")).await;

    assert!(
        said(&replies).contains(&app.text(K::InvitationRevoked)),
        "{replies:?}"
    );
    assert_eq!(app.store().account("console", "head").await.unwrap(), None);
    app.finish().await;
}

async fn an_invitation_never_outlives_its_makers_expiry(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        Some(3),
    )
    .await;
    let code = made_by(&app, "official").await;
    app.clock.set(app.clock.now() + Duration::days(4));

    let replies = app.say("head", &format!("/start {code}")).await;

    assert!(
        said(&replies).contains(&app.text(K::InvitationRevoked)),
        "{replies:?}"
    );
    assert_eq!(app.store().account("console", "head").await.unwrap(), None);
    app.finish().await;
}

async fn an_invitation_of_an_official_still_in_office_redeems(app: App) {
    official(
        &app,
        "official",
        AccountRole::CommuneOfficial,
        "11083",
        None,
    )
    .await;
    let code = made_by(&app, "official").await;

    app.say("head", &format!("/start {code}")).await;

    let head = app.store().account("console", "head").await.unwrap();
    assert_eq!(head.map(|a| a.role), Some(AccountRole::VillageHead));
    app.finish().await;
}

/// Each case on SQLite and, when `CNSCD_TEST_POSTGRES_URL` is set, on PostgreSQL.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::App::sqlite().await).await;
                }
            )*
        }
        mod on_postgresql {
            $(
                #[tokio::test]
                async fn $name() {
                    match super::App::postgres().await {
                        Some(app) => super::$name(app).await,
                        None => cnscd::storage::scratch::report_skipped(stringify!($name)),
                    }
                }
            )*
        }
    };
}

on_both_engines!(
    a_typed_link_code_links_nothing_until_the_chat_holding_the_role_confirms,
    a_chat_without_a_role_gets_no_link_code_so_an_official_cannot_be_phished,
    revoking_one_chat_of_a_linked_official_ends_the_role_in_every_chat,
    a_linked_chat_holds_the_officials_expiry_not_a_role_without_end,
    an_expired_official_gets_no_role_back_through_a_linked_chat,
    an_invitation_made_by_a_revoked_official_no_longer_redeems,
    an_invitation_never_outlives_its_makers_expiry,
    an_invitation_of_an_official_still_in_office_redeems,
);
