//! Issue 20, item 6: `cnscd erase --phone` leaves no copy of the person anywhere in the
//! database. The test dumps every row of every table as text after the erasure and looks for
//! the name (whatever its normal form, case or diacritics) and the number (whatever its
//! spacing or prefix).

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::clock::Clock;
use cnscd::conversation::Choices;
use cnscd::conversation::{Attachment, Button, Incoming, Reply};
use cnscd::domain::{
    AccountRole, ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team,
};
use cnscd::i18n::Html;
use cnscd::storage::inbox::{self, NewEvent};
use cnscd::storage::scratch::report_skipped;
use cnscd::storage::{chats, outbox, Backend, Store};
use sqlx::Row;

use crate::security::App;

const BINH: &str = "Trần Thị Bình";
const BINH_PHONE: &str = "0912 345 679";

mod tests {
    use super::*;
    on_both_engines!(
        after_erasure_a_dump_of_the_whole_database_holds_neither_the_name_nor_the_number,
        erasure_drops_reports_waiting_to_be_sent_because_their_files_name_people,
        a_person_erasing_themselves_from_their_own_chat_leaves_no_copy_either,
        a_number_published_on_a_heads_word_before_2026_stays_shown_and_asks_for_a_paper,
    );
}

/// Thôn Đông Sơn's team: the head Nguyễn Văn An, Bình and Cường.
pub(crate) async fn team_with_binh(app: &App) {
    let member = |name: &str, role, phone: &str| Member {
        name: PersonName::parse(name).expect("name"),
        role,
        role_detail: None,
        phone: PhoneNumber::parse(phone).expect("phone"),
        fields: cnscd::domain::Fields::default().with("workplace", "Trường Tiểu học Đại Sơn"),
        zalo: None,
        consent: Some(ConsentSource::Member),
    };
    let team = Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        members: vec![
            member(BINH, MemberRole::YouthUnionSecretary, BINH_PHONE),
            member(
                "Lê Văn Cường",
                MemberRole::FarmersAssociationHead,
                "0912 345 680",
            ),
        ],
        ..Team::default()
    };
    let mut tx = app.store().begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, app.clock.now())
        .await
        .expect("saved");
    tx.commit().await.expect("commit");
}

/// Records `incoming` of `chat` in the inbox as a channel does before applying it.
async fn received(store: &Store, chat: &str, incoming: &Incoming) -> i64 {
    let event = NewEvent {
        channel: cnscd::chat::ChannelName::Console,
        chat_id: chat.into(),
        update_id: None,
        body: serde_json::to_string(incoming).expect("json"),
    };
    let mut tx = store.begin().await.expect("tx");
    inbox::record(&mut tx, &[event], "test", chrono::Utc::now())
        .await
        .expect("recorded");
    tx.commit().await.expect("commit");
    sqlx::query_scalar("SELECT MAX(id) FROM inbox")
        .fetch_one(store.pool())
        .await
        .expect("id")
}

/// Queues `reply` for `chat` on Zalo, held there as a chat outside Zalo's window is.
async fn held_for(app: &App, chat: &str, reply: &Reply) {
    let store = app.store();
    let mut tx = store.begin().await.expect("tx");
    outbox::enqueue(&mut tx, "zalo", chat, reply, None, app.clock.now())
        .await
        .expect("queued");
    tx.commit().await.expect("commit");
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM outbox")
        .fetch_one(store.pool())
        .await
        .expect("id");
    store
        .hold_outbox(&[id], "outside the window", app.clock.now())
        .await
        .expect("held");
}

/// Every row of every table, as text, one line per row.
async fn dump(store: &Store) -> String {
    let pool = store.pool();
    let mut out = String::new();
    if store.backend() == Backend::Postgres {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .expect("tables");
        for table in tables {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"))
                    .fetch_all(pool)
                    .await
                    .expect("rows");
            for row in rows {
                out.push_str(&format!("{table}: {row}\n"));
            }
        }
        return out;
    }
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .expect("tables");
    for table in tables {
        let columns: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{table}\")"))
            .fetch_all(pool)
            .await
            .expect("columns")
            .iter()
            .map(|row| row.try_get("name").expect("name"))
            .collect();
        let cells: Vec<String> = columns
            .iter()
            .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
            .collect();
        // Bytes, not text: a blob cast to text need not be UTF-8.
        let sql = format!(
            "SELECT CAST({} AS BLOB) FROM \"{table}\"",
            cells.join(" || '|' || ")
        );
        let rows: Vec<Vec<u8>> = sqlx::query_scalar(&sql)
            .fetch_all(pool)
            .await
            .expect("rows");
        for row in rows {
            let row = String::from_utf8_lossy(&row);
            out.push_str(&format!("{table}: {row}\n"));
        }
    }
    out
}

/// The lines of `dump` that name Bình: her name folded (no case, diacritics or normal
/// form), or her number's last nine digits with any spacing or prefix.
fn naming_binh(dump: &str) -> Vec<String> {
    let name = cnscd::domain::text::fold(BINH);
    dump.lines()
        .filter(|line| {
            let digits: String = line.chars().filter(|c| !" .-".contains(*c)).collect();
            cnscd::domain::text::fold(line).contains(&name) || digits.contains("912345679")
        })
        .map(str::to_owned)
        .collect()
}

async fn after_erasure_a_dump_of_the_whole_database_holds_neither_the_name_nor_the_number(
    app: App,
) {
    // Arrange: Bình is on the team; everything a real deployment keeps names her somewhere.
    team_with_binh(&app).await;
    let head = app.invite(AccountRole::VillageHead, "11083-01").await;
    app.say("head", &format!("/start {head}")).await;
    app.say("head", "/myteam").await;
    // What the head typed about her, as the inbox kept it: applied, pending and parked.
    for (typed, state) in [
        ("Trần Thị Bình", "done"),
        ("0912.345.679", "done"),
        ("tran thi binh", "pending"),
        ("+84 912 345 679", "parked"),
    ] {
        let id = received(app.store(), "head", &Incoming::Text(typed.into())).await;
        sqlx::query("UPDATE inbox SET state = $1 WHERE id = $2")
            .bind(state)
            .bind(id)
            .execute(app.store().pool())
            .await
            .expect("state");
    }
    // Her own chat shared her contact and showed her number.
    let contact = Incoming::Contact {
        phone: "+84912345679".into(),
        own: true,
    };
    received(app.store(), "binh", &contact).await;
    let chat = ChatKey::new(ChannelName::Console, "binh");
    let menu = app
        .engine
        .handle(&chat, None, contact)
        .await
        .expect("handled");
    log_an_activity(&app, &menu).await;
    // A notice naming her, held for an official outside Zalo's window.
    let notice = Reply::text(Html::text(&format!(
        "Thôn Đông Sơn: {BINH} ({BINH_PHONE}) đổi số"
    )));
    held_for(&app, "official", &notice).await;
    // The numbered choices another chat was shown.
    let choices = Choices {
        buttons: vec![Button {
            label: format!("1. {BINH}"),
            payload: "#cnscd:1:edit:m0".into(),
        }],
        numbered: true,
    };
    let mut tx = app.store().begin().await.expect("tx");
    chats::save_choices(&mut tx, "zalo", "official", &choices, app.clock.now())
        .await
        .expect("choices");
    tx.commit().await.expect("commit");
    help_requests_naming_binh(&app).await;
    let before = naming_binh(&dump(app.store()).await);
    assert!(before.len() >= 10, "the arrangement names her: {before:#?}");

    // Act
    let mut said = Vec::new();
    cnscd::cli::privacy::erase(&app.engine, BINH_PHONE, &mut said)
        .await
        .expect("erased");

    // Assert
    let dump = dump(app.store()).await;
    let left = naming_binh(&dump);
    assert!(left.is_empty(), "copies of Bình left: {left:#?}");
    assert_logged_entry_stays_without_her(&app).await;
    assert!(
        dump.contains("Lê Văn Cường"),
        "the rest of the team stays: {dump}"
    );
    let requests: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT status, owner_chat FROM help_requests ORDER BY id")
            .fetch_all(app.store().pool())
            .await
            .expect("requests");
    assert_eq!(
        requests,
        vec![
            ("open".to_owned(), None),
            ("solved".to_owned(), Some("cuong".to_owned())),
        ],
        "the requests stay, counted; the one she had taken goes back to the team"
    );
    app.finish().await;
}

/// Two help requests: one Bình took (her chat, name and number as its owner), one she asked
/// with her number, describing her need with her name, and taken by Cường.
async fn help_requests_naming_binh(app: &App) {
    let now = app
        .clock
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for (resident_phone, description, owner, status) in [
        (
            "+84912345680",
            "Cài VNeID cho bà nội",
            ("binh", "+84912345679", BINH),
            "taken",
        ),
        (
            "+84912345679",
            "Tôi là Trần Thị Bình, cần chuyển tiền không dùng tiền mặt",
            ("cuong", "+84912345680", "Lê Văn Cường"),
            "solved",
        ),
    ] {
        sqlx::query(
            "INSERT INTO help_requests (unit_code, need, description, resident_channel,
                 resident_chat, resident_phone, status, owner_channel, owner_chat, owner_phone,
                 owner_name, created_at, taken_at)
             VALUES ('11083-01', 'vneid', $1, 'console', 'resident', $2, $3, 'console', $4, $5,
                 $6, $7, $7)",
        )
        .bind(description)
        .bind(resident_phone)
        .bind(status)
        .bind(owner.0)
        .bind(owner.1)
        .bind(owner.2)
        .bind(&now)
        .execute(app.store().pool())
        .await
        .expect("request");
    }
}

async fn erasure_drops_reports_waiting_to_be_sent_because_their_files_name_people(app: App) {
    // Arrange: a spreadsheet (its names are compressed: no text search finds them) waits.
    team_with_binh(&app).await;
    let mut report = Reply::text(Html::text("Báo cáo"));
    report.document = Some(Attachment {
        file_name: "bao-cao-11083-20220418.xlsx".into(),
        bytes: vec![0x50, 0x4b, 3, 4],
        caption: None,
    });
    held_for(&app, "official", &report).await;
    let waiting = || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE body LIKE '%xlsx%'")
            .fetch_one(app.store().pool())
            .await
            .expect("count");
        n
    };
    assert_eq!(waiting().await, 1);

    // Act
    let mut said = Vec::new();
    cnscd::cli::privacy::erase(&app.engine, BINH_PHONE, &mut said)
        .await
        .expect("erased");

    // Assert
    assert_eq!(
        waiting().await,
        0,
        "the report with her name is not sent later"
    );
    app.finish().await;
}

/// Bình logs an activity from her member's menu (`menu`): three taps and "Done".
async fn log_an_activity(app: &App, menu: &[Reply]) {
    let kinds = press(app, "binh", menu, "Ghi hoạt động").await;
    let counts = press(app, "binh", &kinds, "Kích hoạt VNeID").await;
    let saved = press(app, "binh", &counts, "3").await;
    press(app, "binh", &saved, "Xong").await;
    let mut tx = app.store().begin().await.expect("tx");
    let logged = cnscd::storage::activities::of_unit(&mut tx, "11083-01")
        .await
        .expect("activities");
    tx.rollback().await.expect("rollback");
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert!(logged[0].entry.by.is_some(), "logged as hers: {logged:#?}");
}

/// Her entry still counts for the team, without her number or name.
async fn assert_logged_entry_stays_without_her(app: &App) {
    let mut tx = app.store().begin().await.expect("tx");
    let logged = cnscd::storage::activities::of_unit(&mut tx, "11083-01")
        .await
        .expect("activities");
    tx.rollback().await.expect("rollback");
    assert_eq!(logged.len(), 1, "the entry stays: {logged:#?}");
    assert_eq!(logged[0].entry.by, None);
    assert_eq!(logged[0].entry.people, 3);
}

/// Presses the button of `replies` whose label contains `label`, in `chat`.
async fn press(app: &App, chat: &str, replies: &[Reply], label: &str) -> Vec<Reply> {
    let button = replies
        .iter()
        .flat_map(|r| r.buttons.iter().flatten())
        .find(|b| b.label.contains(label))
        .unwrap_or_else(|| panic!("no button {label:?} in {replies:#?}"));
    let chat = ChatKey::new(ChannelName::Console, chat);
    app.engine
        .handle(&chat, None, Incoming::Button(button.payload.clone()))
        .await
        .expect("handled")
}

async fn a_person_erasing_themselves_from_their_own_chat_leaves_no_copy_either(app: App) {
    // Arrange: Bình's number and name in the team, her chat, the inbox and another chat's
    // choices; her head is in chat.
    team_with_binh(&app).await;
    let head = app.invite(AccountRole::VillageHead, "11083-01").await;
    app.say("head", &format!("/start {head}")).await;
    received(app.store(), "head", &Incoming::Text("0912.345.679".into())).await;
    let contact = Incoming::Contact {
        phone: "+84912345679".into(),
        own: true,
    };
    received(app.store(), "binh", &contact).await;
    let chat = ChatKey::new(ChannelName::Console, "binh");
    let menu = app
        .engine
        .handle(&chat, None, contact)
        .await
        .expect("handled");
    log_an_activity(&app, &menu).await;

    // Act: /dulieu, erase, confirm.
    let data = app.say("binh", "/dulieu").await;
    let asked = press(&app, "binh", &data, "Xoá dữ liệu của tôi").await;
    let done = press(&app, "binh", &asked, "Có, xoá hẳn").await;

    // Assert
    assert!(
        crate::security::said(&done).contains(&app.text(cnscd::i18n::K::MyDataErased)),
        "{done:#?}"
    );
    let dump = dump(app.store()).await;
    let left = naming_binh(&dump);
    assert!(left.is_empty(), "copies of Bình left: {left:#?}");
    assert_logged_entry_stays_without_her(&app).await;
    assert!(
        dump.contains("privacy.erased"),
        "the request is logged: {dump}"
    );
    assert!(dump.contains("Lê Văn Cường"), "the rest of the team stays");
    app.finish().await;
}

async fn a_number_published_on_a_heads_word_before_2026_stays_shown_and_asks_for_a_paper(app: App) {
    // Arrange: Cường's number was published on the head's word, as before the 2026 law.
    let member = |name: &str, phone: &str, consent| Member {
        name: PersonName::parse(name).expect("name"),
        role: MemberRole::YouthUnionSecretary,
        role_detail: None,
        phone: PhoneNumber::parse(phone).expect("phone"),
        fields: Default::default(),
        zalo: None,
        consent,
    };
    let team = Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        members: vec![
            member("Lê Văn Cường", "0912 345 680", Some(ConsentSource::Head)),
            member(BINH, BINH_PHONE, None),
        ],
        ..Team::default()
    };
    let mut tx = app.store().begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, app.clock.now())
        .await
        .expect("saved");
    tx.commit().await.expect("commit");
    let head = app.invite(AccountRole::VillageHead, "11083-01").await;
    app.say("head", &format!("/start {head}")).await;

    // Act
    let card = crate::security::said(&app.say("head", "/myteam").await);
    app.say("resident", "/tim").await;
    let public = crate::security::said(&app.say("resident", "Đông Sơn").await);

    // Assert
    assert!(
        card.contains("0912 345 680 <i>(công khai theo lời anh/chị trước 2026"),
        "the head is asked for a paper or the person's word: {card}"
    );
    assert!(
        public.contains("0912 345 680"),
        "kept shown until reached: {public}"
    );
    assert!(
        !public.contains(BINH_PHONE),
        "no consent, not shown: {public}"
    );
    app.finish().await;
}
