//! Issue 14's guarantees below any channel: a redeem race has one winner, wrong codes,
//! reports and changes are limited per chat, erasure leaves nothing that names a person.

use std::ops::Deref;

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::clock::Clock;
use cnscd::conversation::{Incoming, Reply};
use cnscd::domain::{AccountRole, AuditAction};
use cnscd::i18n::{Lang, K};
use cnscd::storage::scratch::{report_skipped, ScratchDb};
use cnscd::storage::Store;

use crate::support::app::{invitation, TestApp};

/// A [`TestApp`] without an invitation, and what these tests do with it.
pub struct App {
    app: TestApp,
}

impl Deref for App {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl App {
    pub async fn sqlite() -> App {
        App::on(ScratchDb::sqlite().expect("scratch SQLite")).await
    }

    pub async fn postgres() -> Option<App> {
        let db = ScratchDb::postgres_from_env()
            .await
            .expect("scratch PostgreSQL")?;
        Some(App::on(db).await)
    }

    async fn on(db: ScratchDb) -> App {
        let app = TestApp::builder().on(db).no_invitation().build().await;
        App { app }
    }

    pub fn store(&self) -> &Store {
        self.engine.store()
    }

    pub async fn invite(&self, role: AccountRole, unit: &str) -> String {
        invitation(self.store(), role, unit, self.clock.now()).await
    }

    pub async fn say(&self, chat: &str, text: &str) -> Vec<Reply> {
        self.engine
            .handle(
                &ChatKey::new(ChannelName::Console, chat),
                None,
                Incoming::Text(text.to_owned()),
            )
            .await
            .expect("handled")
    }

    pub fn text(&self, key: K) -> String {
        self.engine.texts().get(Lang::Vi, key).as_str().to_owned()
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(self.store().pool())
            .await
            .expect("count")
    }

    pub async fn finish(self) {
        self.app.destroy().await;
    }
}

pub fn said(replies: &[Reply]) -> String {
    replies
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Chat B reads the code as unused, then chat A's redeem commits before B's conditional
/// update runs: B must get neither the role nor the welcome.
async fn redeem_race_has_one_winner(app: App) {
    let code = app.invite(AccountRole::VillageHead, "11083-01").await;
    let hash = cnscd::domain::invitation_code::hash_code(&code);
    // Chat A's redeem, held open: the row is locked until it commits.
    let mut a = app.store().begin().await.expect("transaction");
    sqlx::query(
        "UPDATE invitations SET used_at = $1, used_by_channel = 'test', used_by_external_id = 'A'
         WHERE code_sha256 = $2 AND used_at IS NULL",
    )
    .bind("2022-04-20T02:00:00.000Z")
    .bind(&hash)
    .execute(&mut *a)
    .await
    .expect("A redeems");
    let engine = app.engine.clone();
    let start = format!("/start {code}");
    let b = tokio::spawn(async move {
        engine
            .handle(
                &ChatKey::new(ChannelName::Console, "B"),
                None,
                Incoming::Text(start),
            )
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    a.commit().await.expect("A commits");

    let replies = b.await.expect("joined").expect("B handled");

    let text = said(&replies);
    assert!(
        !text.contains("Thôn Đông Sơn</b>"),
        "B was welcomed: {text}"
    );
    assert!(text.contains(&app.text(K::InvitationUsed)), "{text}");
    assert_eq!(
        app.store().account("console", "B").await.expect("read"),
        None
    );
    app.finish().await;
}

#[tokio::test]
async fn the_chat_that_loses_a_redeem_race_gets_neither_role_nor_welcome_on_sqlite() {
    redeem_race_has_one_winner(App::sqlite().await).await;
}

#[tokio::test]
async fn the_chat_that_loses_a_redeem_race_gets_neither_role_nor_welcome_on_postgres() {
    match App::postgres().await {
        Some(app) => redeem_race_has_one_winner(app).await,
        None => report_skipped("the redeem race"),
    }
}

#[tokio::test]
async fn wrong_codes_are_audited_and_after_five_even_a_good_code_is_refused() {
    let app = App::sqlite().await;
    let good = app.invite(AccountRole::VillageHead, "11083-01").await;
    for n in 0..5 {
        let replies = app
            .say("guesser", &format!("/start WRONGCODE{n:015}"))
            .await;
        assert!(
            said(&replies).contains(&app.text(K::InvitationUnknown)),
            "{replies:?}"
        );
    }

    let replies = app.say("guesser", &format!("/start {good}")).await;

    assert!(
        said(&replies).contains(&app.text(K::TooManyWrongCodes)),
        "{replies:?}"
    );
    assert_eq!(
        app.store().account("console", "guesser").await.unwrap(),
        None
    );
    assert_eq!(app.audit_count("invitation.failed").await, 5);
    // Another chat is not held back by the guesser.
    let replies = app.say("head", &format!("/start {good}")).await;
    assert!(
        !said(&replies).contains(&app.text(K::TooManyWrongCodes)),
        "{replies:?}"
    );
    app.finish().await;
}

#[tokio::test]
async fn an_official_gets_five_reports_an_hour() {
    let app = App::sqlite().await;
    let code = app.invite(AccountRole::CommuneOfficial, "11083").await;
    app.say("official", &format!("/start {code}")).await;
    for _ in 0..5 {
        let replies = app.say("official", "/baocao").await;
        assert!(replies.iter().any(|r| r.document.is_some()), "{replies:?}");
    }

    let replies = app.say("official", "/baocao").await;

    assert!(
        said(&replies).contains(&app.text(K::TooManyReports)),
        "{replies:?}"
    );
    assert!(replies.iter().all(|r| r.document.is_none()));
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(61));
    let replies = app.say("official", "/baocao").await;
    assert!(
        replies.iter().any(|r| r.document.is_some()),
        "an hour later"
    );
    app.finish().await;
}

/// `count` audit rows of `action` by the console chat `chat`, made now.
async fn made_this_hour(app: &App, chat: &str, action: AuditAction, count: usize) {
    let now = app
        .clock
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for _ in 0..count {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, unit_code, detail)
             VALUES ($1, $2, $3, '11083', '{}')",
        )
        .bind(&now)
        .bind(format!("console:{chat}"))
        .bind(action.stored())
        .execute(app.store().pool())
        .await
        .unwrap();
    }
}

/// A commune official of 11083 on `chat`.
async fn commune_official(app: &App, chat: &str) {
    let code = app.invite(AccountRole::CommuneOfficial, "11083").await;
    app.say(chat, &format!("/start {code}")).await;
}

/// `chat` tries to add a village to 11083: the count of villages is unchanged when the
/// change was refused.
async fn add_village(app: &App, chat: &str) -> Vec<Reply> {
    let list = app.say(chat, "/thon").await;
    let add = list
        .iter()
        .flat_map(|r| r.buttons.iter().flatten())
        .find(|b| b.label.contains("Thêm thôn"))
        .expect("an add button")
        .payload
        .clone();
    app.engine
        .handle(
            &ChatKey::new(ChannelName::Console, chat),
            None,
            Incoming::Button(add),
        )
        .await
        .expect("pressed");
    app.say(chat, "Thôn Mới Lập").await
}

#[tokio::test]
async fn a_chat_that_made_sixty_changes_this_hour_is_told_to_wait_and_nothing_is_saved() {
    let app = App::sqlite().await;
    commune_official(&app, "official").await;
    made_this_hour(&app, "official", AuditAction::VillageAdded, 60).await;
    let before = app.store().children(Some("11083")).await.unwrap().len();

    let replies = add_village(&app, "official").await;

    assert!(
        said(&replies).contains(&app.text(K::TooManyChanges)),
        "{replies:?}"
    );
    let after = app.store().children(Some("11083")).await.unwrap().len();
    assert_eq!(after, before);
    app.finish().await;
}

#[tokio::test]
async fn village_assignments_count_against_the_limit_of_changes() {
    // Assigning a village was checked as a change but never counted (issue 23).
    let app = App::sqlite().await;
    commune_official(&app, "official").await;
    made_this_hour(&app, "official", AuditAction::VillageAssigned, 60).await;
    let before = app.store().children(Some("11083")).await.unwrap().len();

    let replies = add_village(&app, "official").await;

    assert!(
        said(&replies).contains(&app.text(K::TooManyChanges)),
        "{replies:?}"
    );
    let after = app.store().children(Some("11083")).await.unwrap().len();
    assert_eq!(after, before);
    app.finish().await;
}

#[tokio::test]
async fn linking_a_chat_is_a_change_so_the_sixty_first_change_of_the_hour_is_refused() {
    let app = App::sqlite().await;
    commune_official(&app, "official").await;
    made_this_hour(&app, "official", AuditAction::VillageAdded, 59).await;
    let shown = said(&app.say("official", "/lienket").await);
    let code: String = shown
        .split_once("<code>")
        .map(|(_, rest)| rest.chars().take(8).collect())
        .expect("a link code");
    app.say("phone", &format!("/lienket {code}")).await;

    let linked = app.say("official", "/lienket ok").await;
    let refused = add_village(&app, "official").await;

    assert!(
        said(&linked).contains(&app.text(K::LinkDone)),
        "the sixtieth change is made: {linked:?}"
    );
    assert!(
        said(&refused).contains(&app.text(K::TooManyChanges)),
        "the link counted, so the sixty-first is refused: {refused:?}"
    );
    app.finish().await;
}

#[test]
fn a_database_that_cannot_be_opened_is_named_without_its_password() {
    // A wrong user or database, an unreadable URL, a missing folder: each error names the
    // database, and none prints the password it was given.
    for url in [
        "postgres://cnscd:SECRETPW@127.0.0.1:5432/no_such_database",
        "postgres://cnscd:SECRETPW@127.0.0.1:notaport/cnscd",
        "postgresql://cnscd:SECRETPW@127.0.0.1/cnscd?sslmode=bogus",
        "sqlite://cnscd:SECRETPW@/no/such/folder/cnscd.db",
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
            .args(["--database-url", url, "units", "list"])
            .output()
            .expect("cnscd runs");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.status.success(), "{url}: {printed}");
        assert!(printed.contains("Failed to open the database"), "{printed}");
        assert!(
            !printed.contains("SECRETPW"),
            "the password is printed: {printed}"
        );
    }
}
