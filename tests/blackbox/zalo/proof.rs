//! Issue 20: Zalo's share-info form gives whatever number the user typed. A number from it
//! reads nothing private and changes nothing until the head of the person's team confirms the
//! chat (`/xacnhan CODE`, the code the chat was shown); then it opens the member's menu.

use cnscd::domain::{
    AccountRole, ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team,
};
use serde_json::Value;

use crate::support::fake_zalo::User;
use crate::support::zalo_app::{spawn_zalo_app, ZaloApp};

const CUONG: &str = "0912 345 680";

/// Thôn Đông Sơn's team, Cường's number public on the head's word.
async fn team_with_cuong(app: &ZaloApp) {
    let member = |name: &str, role, phone: &str| Member {
        name: PersonName::parse(name).expect("name"),
        role,
        role_detail: None,
        phone: PhoneNumber::parse(phone).expect("phone"),
        fields: Default::default(),
        zalo: None,
        consent: Some(ConsentSource::Head),
    };
    let team = Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        members: vec![
            member(
                "Trần Thị Bình",
                MemberRole::YouthUnionSecretary,
                "0912 345 679",
            ),
            member("Lê Văn Cường", MemberRole::FarmersAssociationHead, CUONG),
        ],
        ..Team::default()
    };
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let mut tx = app.store.begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, now)
        .await
        .expect("saved");
    tx.commit().await.expect("commit");
}

/// The village head of Thôn Đông Sơn on Zalo.
async fn head(app: &ZaloApp) -> User {
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let code = cnscd::invitation::create_invitation(
        &app.store,
        AccountRole::VillageHead,
        "11083-01",
        chrono::Duration::days(14),
        "test",
        now,
    )
    .await
    .expect("invitation")
    .code;
    let head = User::new("701");
    app.say(&head.text(&format!("/start {code}"))).await;
    head
}

/// Everything `user` was sent since `from`, as one string.
fn seen(app: &ZaloApp, user: &str, from: usize) -> String {
    app.zalo.sent_to(user)[from..]
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The eight-digit code in what `user` was sent last.
fn code_shown(app: &ZaloApp, user: &str) -> String {
    let sent = app.zalo.sent_to(user);
    let last = sent.last().expect("a message");
    let text = last["text"].as_str().expect("a text").to_owned();
    let digits: Vec<char> = text.chars().collect();
    digits
        .windows(8)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("no code in {text}"))
}

async fn own_words(app: &ZaloApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM phone_consents")
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn a_stranger_submitting_a_members_number_on_zalo_sees_and_changes_nothing() {
    let app = spawn_zalo_app().await;
    team_with_cuong(&app).await;
    let stranger = User::new("666");

    app.say(&stranger.submit_info(CUONG)).await;
    let asked = seen(&app, "666", 0);
    // Whatever the stranger presses or types next, no member's menu is open.
    app.say(&stranger.text("#cnscd:*:me:hide")).await;
    app.say(&stranger.text("Ẩn số của tôi")).await;

    assert!(
        asked.contains("/xacnhan") && !asked.contains("Thôn Đông Sơn"),
        "a code for the head, nothing about the teams: {asked}"
    );
    assert!(!asked.contains("Ẩn số của tôi"), "{asked}");
    assert_eq!(own_words(&app).await, 0, "nothing changed");
    let card = app
        .store
        .team("11083-01")
        .await
        .expect("read")
        .expect("a team");
    assert_eq!(card.team.members[1].consent, Some(ConsentSource::Head));
    app.destroy().await;
}

#[tokio::test]
async fn a_member_the_head_confirmed_on_zalo_gets_their_menu() {
    let app = spawn_zalo_app().await;
    team_with_cuong(&app).await;
    let head = head(&app).await;
    let cuong = User::new("680");
    app.say(&cuong.submit_info(CUONG)).await;
    let code = code_shown(&app, "680");
    let before = app.zalo.sent_to("701").len();

    app.say(&head.text(&format!("/xacnhan {code}"))).await;
    let confirmed = seen(&app, "701", before);
    app.say(&cuong.submit_info(CUONG)).await;

    assert!(confirmed.contains("Lê Văn Cường"), "{confirmed}");
    let menu = seen(&app, "680", 0);
    assert!(menu.contains("Ẩn số của tôi"), "{menu}");
    app.destroy().await;
}

#[tokio::test]
async fn only_the_head_of_a_team_listing_the_number_can_confirm_it() {
    let app = spawn_zalo_app().await;
    team_with_cuong(&app).await;
    let stranger = User::new("666");
    app.say(&stranger.submit_info(CUONG)).await;
    let code = code_shown(&app, "666");
    let resident = User::new("555");

    app.say(&resident.text(&format!("/xacnhan {code}"))).await;
    app.say(&stranger.text(&format!("/xacnhan {code}"))).await;
    app.say(&stranger.submit_info(CUONG)).await;

    let said = seen(&app, "666", 0);
    assert!(!said.contains("Ẩn số của tôi"), "{said}");
    assert!(
        seen(&app, "555", 0).contains("không đúng"),
        "the resident is refused"
    );
    app.destroy().await;
}
