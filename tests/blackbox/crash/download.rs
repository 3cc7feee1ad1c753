//! A SIGKILL in the middle of a file download: the real binary is killed while the fake file
//! server holds the head's decision scan open, and started again. The event was recorded
//! before the kill: its file is fetched again and the step applied once.

use std::time::Duration;

use cnscd::storage::Store;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::setup::{chat_id, prepare, spawn_bot, village};
use super::Action;
use crate::support::fake_telegram::{
    callback_update, inline_buttons, photo_update, text_update, FakeTelegram,
};

const WAIT: Duration = Duration::from_secs(30);
const SAVED: &str = "Đã lưu tổ";

/// The head's way to the decision scan, each action with a part of the answer it gets.
const TO_THE_SCAN: &[(Action, &str)] = &[
    (
        Action::Say("Nguyễn Văn An"),
        "Số điện thoại di động của anh/chị?",
    ),
    (Action::Say("0912 345 678"), "Anh/chị có đồng ý không?"),
    (Action::Press("✅ Đồng ý"), "Thành viên thứ 1"),
    (Action::Say("Trần Thị Bình"), "giữ vai trò gì trong tổ?"),
    (
        Action::Press("Bí thư Chi đoàn"),
        "Số điện thoại di động của Trần Thị Bình?",
    ),
    (Action::Say("0987 654 321"), "đã ký giấy đồng ý chưa?"),
    (
        Action::Press("Đã ký giấy đồng ý"),
        "làm việc hoặc dạy ở đâu?",
    ),
    (Action::Say("Đoàn xã Đại Sơn"), "Thêm thành viên nữa?"),
    (Action::Press("Thêm thành viên"), "Thành viên thứ 2"),
    (Action::Say("Lê Văn Cường"), "giữ vai trò gì trong tổ?"),
    (
        Action::Press("Giáo viên Tiểu học"),
        "Số điện thoại di động của Lê Văn Cường?",
    ),
    (Action::Say("+84 903 123 456"), "đã ký giấy đồng ý chưa?"),
    (
        Action::Press("Đã ký giấy đồng ý"),
        "làm việc hoặc dạy ở đâu?",
    ),
    (
        Action::Say("Trường Tiểu học Đại Sơn"),
        "Thêm thành viên nữa?",
    ),
    (Action::Press("Xong"), "Anh/chị kiểm tra lại rồi bấm"),
    (Action::Press("Xác nhận"), "Quyết định thành lập"),
    (Action::Press("Có, nhập quyết định"), "Số quyết định?"),
    (Action::Say("125/QĐ-UBND"), "Ngày ký quyết định"),
    (Action::Say("15/04/2022"), "tệp PDF của quyết định đã ký"),
];

/// One head's chat with the bot, one update after the other.
struct Head {
    tg: FakeTelegram,
    chat: i64,
    next_update: i64,
}

impl Head {
    fn texts(&self) -> Vec<String> {
        self.tg.sent_texts(self.chat)
    }

    fn push(&mut self, update: impl FnOnce(i64) -> Value) {
        let id = self.next_update;
        self.next_update += 1;
        self.tg.push_update(update(id));
    }

    /// Sends `action` and waits for an answer containing `expected`.
    async fn act(&mut self, action: Action, expected: &str) {
        let before = self.texts().len();
        let chat = self.chat;
        match action {
            Action::Say(text) => self.push(|id| text_update(id, chat, text)),
            Action::Press(label) => {
                let keyboard = self
                    .tg
                    .sent_messages()
                    .iter()
                    .filter(|m| m["chat_id"].as_i64() == Some(chat))
                    .map(inline_buttons)
                    .rfind(|buttons| !buttons.is_empty())
                    .unwrap_or_default();
                let Some((_, data)) = keyboard.iter().find(|(text, _)| text.contains(label)) else {
                    panic!("no button {label:?} in {keyboard:?}");
                };
                let data = data.clone();
                self.push(|id| callback_update(id, chat, &data));
            }
        }
        self.answered(before, expected).await;
    }

    /// Waits for a message after the first `before` containing `expected`.
    async fn answered(&self, before: usize, expected: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.texts()[before.min(self.texts().len())..]
            .iter()
            .any(|t| t.contains(expected))
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no answer containing {expected:?}: {:#?}",
                self.texts()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_during_a_download_loses_nothing_and_the_scan_is_applied_once() {
    // Arrange: the real binary, a head at the decision scan, the file server stalling.
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, codes) = prepare(&dir.path().join("download.db")).await;
    let mut head = Head {
        tg: FakeTelegram::start().await,
        chat: chat_id(0),
        next_update: 1,
    };
    let api = head.tg.url();
    let mut bot = spawn_bot(&url, &api);
    let start = format!("/start {}", codes[0]);
    head.act(
        Action::Say(Box::leak(start.into_boxed_str())),
        "(tổ trưởng)?",
    )
    .await;
    for &(action, expected) in TO_THE_SCAN {
        head.act(action, expected).await;
    }
    let scan = b"\xff\xd8\xff\xe0 the signed decision".to_vec();
    head.tg.add_file("decision-photo", scan.clone());
    head.tg.hold_downloads();
    let chat = head.chat;
    head.push(|id| photo_update(id, chat, "decision-photo"));
    head.tg.wait_for_downloads(1, WAIT).await;

    // Act: SIGKILL while the download is held open, then a new process.
    bot.start_kill().expect("SIGKILL sent");
    bot.wait().await.expect("the killed bot is reaped");
    let mut bot = spawn_bot(&url, &api);
    head.tg.wait_for_downloads(2, WAIT).await;
    head.tg.release_downloads();

    // Assert: the scan is stored, and the step ran once (a later message is answered after
    // whatever it did).
    head.answered(0, SAVED).await;
    let before = head.texts().len();
    head.act(Action::Say("/help"), "").await;
    assert!(head.texts().len() > before);
    let saved = head.texts().iter().filter(|t| t.contains(SAVED)).count();
    bot.kill().await.expect("killed");
    assert_eq!(saved, 1, "the step ran once: {:#?}", head.texts());
    let store = Store::connect(&url).await.expect("database opens");
    let team = store
        .team(&village(0))
        .await
        .expect("query")
        .expect("a team");
    let file = team.team.decision.file.expect("the scan is stored");
    assert!(file.kept, "the scan is kept");
    assert_eq!(
        file.sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&scan)).as_str())
    );
    store.close().await;
}
