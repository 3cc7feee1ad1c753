//! Issue 24 §1, below the goldens: a member logs on any channel and every entry belongs to
//! the team and to the member; an update delivered twice logs once; `cnscd activity import`
//! is all or nothing, by line, and the same file twice adds nothing.

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::clock::Clock;
use cnscd::conversation::{Incoming, Reply};
use cnscd::storage::activities::{self, StoredActivity};
use cnscd::storage::scratch::report_skipped;

use crate::erasure::team_with_binh;
use crate::security::App;

mod tests {
    use super::*;
    on_both_engines!(
        a_member_logging_on_two_channels_logs_for_the_same_team_and_member,
        an_update_delivered_twice_logs_once,
        an_import_writes_every_line_once_and_the_same_file_again_adds_nothing,
        an_import_with_a_bad_line_writes_nothing_and_names_every_bad_line,
    );
}

/// Bình's chat on `channel`, with its next update id from `update`.
struct Chat<'a> {
    app: &'a App,
    key: ChatKey,
    update: u64,
    last: Vec<Reply>,
}

impl<'a> Chat<'a> {
    fn new(app: &'a App, channel: ChannelName, id: &str) -> Chat<'a> {
        Chat {
            app,
            key: ChatKey::new(channel, id),
            update: 100,
            last: Vec::new(),
        }
    }

    async fn send(&mut self, incoming: Incoming) -> Vec<Reply> {
        self.update += 1;
        let id = self.update.to_string();
        let replies = self
            .app
            .engine
            .handle(&self.key, Some(&id), incoming)
            .await
            .expect("handled");
        self.last = replies.clone();
        replies
    }

    async fn press(&mut self, label: &str) -> Vec<Reply> {
        let payload = self
            .last
            .iter()
            .flat_map(|r| r.buttons.iter().flatten())
            .find(|b| b.label == label)
            .unwrap_or_else(|| panic!("no button {label:?} in {:#?}", self.last))
            .payload
            .clone();
        self.send(Incoming::Button(payload)).await
    }

    /// Shares Bình's own contact, then logs `people` people helped with `kind`.
    async fn log(&mut self, kind: &str, people: &str) {
        self.send(Incoming::Contact {
            phone: "+84912345679".into(),
            own: true,
        })
        .await;
        self.press("📝 Ghi hoạt động").await;
        self.press(kind).await;
        self.send(Incoming::Text(people.into())).await;
        self.press("✔️ Xong").await;
    }
}

async fn logged(app: &App, unit: &str) -> Vec<StoredActivity> {
    let mut tx = app.store().begin().await.expect("tx");
    let logged = activities::of_unit(&mut tx, unit)
        .await
        .expect("activities");
    tx.rollback().await.expect("rollback");
    logged
}

async fn a_member_logging_on_two_channels_logs_for_the_same_team_and_member(app: App) {
    // Arrange
    team_with_binh(&app).await;

    // Act: the same member, from Telegram and from Zalo.
    Chat::new(&app, ChannelName::Telegram, "5550001")
        .log("Kích hoạt VNeID", "3")
        .await;
    Chat::new(&app, ChannelName::Zalo, "8123456789012345")
        .log("Thanh toán trực tuyến", "4 người")
        .await;

    // Assert
    let logged = logged(&app, "11083-01").await;
    let seen: Vec<_> = logged
        .iter()
        .map(|a| {
            let by = a
                .entry
                .by
                .as_ref()
                .map(|(phone, name)| (phone.e164(), name.as_str()));
            (
                a.entry.kind.as_str(),
                a.entry.people,
                a.entry.source.as_str(),
                by,
            )
        })
        .collect();
    let binh = Some(("+84912345679", "Trần Thị Bình"));
    assert_eq!(
        seen,
        [
            ("vneid", 3, "telegram", binh),
            ("online_payment", 4, "zalo", binh),
        ]
    );
    let today = cnscd::clock::vietnam_date(app.clock.now());
    assert!(logged.iter().all(|a| a.entry.done_on == today));
    app.finish().await;
}

async fn an_update_delivered_twice_logs_once(app: App) {
    // Arrange: Bình is at the question of the number of people.
    team_with_binh(&app).await;
    let mut chat = Chat::new(&app, ChannelName::Telegram, "5550001");
    chat.send(Incoming::Contact {
        phone: "+84912345679".into(),
        own: true,
    })
    .await;
    chat.press("📝 Ghi hoạt động").await;
    chat.press("Kích hoạt VNeID").await;

    // Act: the update that answers it, delivered twice (the same update id).
    let first = chat.send(Incoming::Text("3".into())).await;
    chat.update -= 1;
    let again = chat.send(Incoming::Text("3".into())).await;

    // Assert
    assert!(!first.is_empty());
    assert!(
        again.is_empty(),
        "a redelivery is acknowledged, not answered: {again:#?}"
    );
    let logged = logged(&app, "11083-01").await;
    assert_eq!(logged.len(), 1, "{logged:#?}");
    // And below the inbox: the entry's key is the update's, so writing it again is refused.
    let mut entry = logged[0].entry.clone();
    entry.people = 99;
    let mut tx = app.store().begin().await.expect("tx");
    let written = activities::record(&mut tx, &entry, app.clock.now())
        .await
        .expect("record");
    tx.commit().await.expect("commit");
    assert!(!written);
    assert_eq!(logged_people(&app).await, vec![3]);
    app.finish().await;
}

async fn logged_people(app: &App) -> Vec<u32> {
    logged(app, "11083-01")
        .await
        .iter()
        .map(|a| a.entry.people)
        .collect()
}

const GOOD_FILE: &str = "\
unit_code,kind,people,households,day,note,phone
11083-01,vneid,3,2,2026-11-02,,0912 345 679
11083-01,Thanh toan truc tuyen,5,,03/11/2026,chợ phiên,
11083-01,ONLINE SHOPPING,1,,03/11/2026,,
11083-01,vneid,3,2,2026-11-02,,0912 345 679
";

async fn import(app: &App, csv: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("activities.csv");
    std::fs::write(&path, csv).expect("write");
    let mut out = Vec::new();
    match cnscd::cli::import::activities(&app.engine, &path, &mut out).await {
        Ok(()) => Ok(String::from_utf8(out).expect("utf-8")),
        Err(error) => Err(format!("{error}: {}", source_chain(&error))),
    }
}

fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

async fn an_import_writes_every_line_once_and_the_same_file_again_adds_nothing(app: App) {
    // Arrange
    team_with_binh(&app).await;
    app.clock.set("2026-11-20T03:00:00Z".parse().expect("time"));

    // Act
    let first = import(&app, GOOD_FILE).await.expect("imported");
    let second = import(&app, GOOD_FILE).await.expect("imported again");

    // Assert: four lines, two of them equal (two activities), each written once.
    assert!(first.contains("4 added, 0 already"), "{first}");
    assert!(second.contains("0 added, 4 already"), "{second}");
    let dong_son = logged(&app, "11083-01").await;
    assert_eq!(dong_son.len(), 4);
    let first_line = &dong_son[0].entry;
    assert_eq!(first_line.kind, "vneid");
    assert_eq!(first_line.households, Some(2));
    assert_eq!(first_line.source, "import");
    assert_eq!(
        first_line.by.as_ref().map(|(p, n)| (p.e164(), n.as_str())),
        Some(("+84912345679", "Trần Thị Bình"))
    );
    assert_eq!(dong_son[1].entry.kind, "online_payment");
    assert_eq!(dong_son[1].entry.note.as_deref(), Some("chợ phiên"));
    assert_eq!(dong_son[2].entry.kind, "online_shopping");
    assert_eq!(dong_son[3].entry.kind, "vneid");
    app.finish().await;
}

async fn an_import_with_a_bad_line_writes_nothing_and_names_every_bad_line(app: App) {
    // Arrange
    team_with_binh(&app).await;
    app.clock.set("2026-11-20T03:00:00Z".parse().expect("time"));
    let bad = "\
unit_code,kind,people,day,phone
11083-01,vneid,3,02/11/2026,
99999-99,vneid,3,02/11/2026,
11083-01,bán hàng,0,02/11/2026,
11083-01,vneid,2,25/12/2026,
11083-01,vneid,2,02/11/2026,0912 345 699
";

    // Act
    let refused = import(&app, bad).await.expect_err("refused");

    // Assert
    for expected in [
        "line 3: no unit with the code \"99999-99\"",
        "line 4: kind \"bán hàng\" is none of",
        "people: must be at least 1",
        "line 5: day: the day is in the future",
        "line 6: phone 0912 345 699 is not a member of the team of 11083-01",
    ] {
        assert!(refused.contains(expected), "{expected:?} in {refused}");
    }
    assert!(!refused.contains("line 2"), "{refused}");
    assert!(logged(&app, "11083-01").await.is_empty());
    app.finish().await;
}
