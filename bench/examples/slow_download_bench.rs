//! How long other chats wait while one chat's file is downloading: cnscd's Telegram long
//! polling (the whole pipeline) on a temporary SQLite database against the fake Bot API. A
//! village head at the decision scan sends a photo whose download the fake holds open for
//! HOLD seconds; meanwhile CHATS residents send `/start`, one after the other, and the wait
//! of each for its answer is printed.
//!
//! `cargo run -p cnscd-bench --example slow_download_bench -- [HOLD_SECS] [CHATS]` (5, 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use cnscd::clock::{Clock, SystemClock};
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::pipeline::PipelineOptions;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::Store;
use cnscd::telegram::{self, ServeOptions};
use cnscd_fakes::telegram::{
    callback_update, inline_buttons, photo_update, text_update, FakeTelegram,
};

const HEAD: i64 = 1;
const WAIT: Duration = Duration::from_secs(30);

/// The head's way to the decision scan: what is typed (or the button pressed, `[label]`) and
/// a part of the answer.
const TO_THE_SCAN: &[(&str, &str)] = &[
    ("Nguyễn Văn An", "Số điện thoại di động của anh/chị?"),
    ("0912 345 678", "Anh/chị có đồng ý không?"),
    ("[✅ Đồng ý]", "Thành viên thứ 1"),
    ("Trần Thị Bình", "giữ vai trò gì trong tổ?"),
    (
        "[Bí thư Chi đoàn]",
        "Số điện thoại di động của Trần Thị Bình?",
    ),
    ("0987 654 321", "đã ký giấy đồng ý chưa?"),
    ("[Đã ký giấy đồng ý]", "làm việc hoặc dạy ở đâu?"),
    ("Đoàn xã Đại Sơn", "Thêm thành viên nữa?"),
    ("[Thêm thành viên]", "Thành viên thứ 2"),
    ("Lê Văn Cường", "giữ vai trò gì trong tổ?"),
    (
        "[Giáo viên Tiểu học]",
        "Số điện thoại di động của Lê Văn Cường?",
    ),
    ("+84 903 123 456", "đã ký giấy đồng ý chưa?"),
    ("[Đã ký giấy đồng ý]", "làm việc hoặc dạy ở đâu?"),
    ("Trường Tiểu học Đại Sơn", "Thêm thành viên nữa?"),
    ("[Xong]", "Anh/chị kiểm tra lại rồi bấm"),
    ("[Xác nhận]", "Quyết định thành lập"),
    ("[Có, nhập quyết định]", "Số quyết định?"),
    ("125/QĐ-UBND", "Ngày ký quyết định"),
    ("15/04/2022", "tệp PDF của quyết định đã ký"),
];

struct Chats {
    api: FakeTelegram,
    next_update: i64,
}

impl Chats {
    fn push(&mut self, chat: i64, said: &str) {
        let id = self.next_update;
        self.next_update += 1;
        let update = match said.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(label) => {
                let keyboard = self
                    .api
                    .sent_messages()
                    .iter()
                    .filter(|m| m["chat_id"].as_i64() == Some(chat))
                    .map(inline_buttons)
                    .rfind(|buttons| !buttons.is_empty())
                    .unwrap_or_default();
                let data = keyboard
                    .iter()
                    .find(|(text, _)| text.contains(label))
                    .map(|(_, data)| data.clone())
                    .unwrap_or_default();
                callback_update(id, chat, &data)
            }
            None => text_update(id, chat, said),
        };
        self.api.push_update(update);
    }

    /// Waits for a message to `chat` after its first `before` containing `expected`.
    async fn answered(&self, chat: i64, before: usize, expected: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let texts = self.api.sent_texts(chat);
            if texts[before.min(texts.len())..]
                .iter()
                .any(|t| t.contains(expected))
            {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "chat {chat}: no answer with {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    async fn say(&mut self, chat: i64, said: &str, expected: &str) -> anyhow::Result<()> {
        let before = self.api.sent_texts(chat).len();
        self.push(chat, said);
        self.answered(chat, before, expected).await
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let hold = Duration::from_secs(args.next().map_or(Ok(5), |a| a.parse())?);
    let residents: i64 = args.next().map_or(Ok(5), |a| a.parse())?;

    let db = ScratchDb::sqlite()?;
    let store = Store::connect(db.url()).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now();
    cnscd::import::load_default_units_if_empty(&store, now).await?;
    let villages = "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n";
    cnscd::import::import_villages(&store, villages.as_bytes(), now).await?;
    let days = chrono::Duration::days(14);
    let role = AccountRole::VillageHead;
    let code = cnscd::invitation::create_invitation(&store, role, "11083-01", days, "bench", now)
        .await?
        .code;
    let texts = Arc::new(Texts::load()?);
    let rules = Arc::new(CompositionRules::default_rules()?);
    let engine = Engine::new(store, texts, rules, clock);

    let mut chats = Chats {
        api: FakeTelegram::start().await,
        next_update: 1,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = ServeOptions {
        throttle: false,
        pipeline: PipelineOptions::default(),
        http: Default::default(),
        beside: Vec::new(),
        metrics: Default::default(),
    };
    let bot = chats.api.bot();
    let serving = tokio::spawn(telegram::serve_until(engine.clone(), bot, options, async {
        let _ = stopped.await;
    }));

    chats
        .say(HEAD, &format!("/start {code}"), "(tổ trưởng)?")
        .await?;
    for (said, expected) in TO_THE_SCAN {
        chats.say(HEAD, said, expected).await?;
    }
    chats
        .api
        .add_file("decision-photo", b"\xff\xd8 scan".to_vec());
    chats.api.hold_downloads();
    let held = Instant::now();
    let id = chats.next_update;
    chats.next_update += residents + 1;
    chats
        .api
        .push_update(photo_update(id, HEAD, "decision-photo"));
    chats.api.wait_for_downloads(1, WAIT).await;

    let mut waits = Vec::new();
    let releasing = async {
        tokio::time::sleep(hold.saturating_sub(held.elapsed())).await;
        chats.api.release_downloads();
    };
    let residents_write = async {
        for n in 0..residents {
            let chat = 1_000 + n;
            let started = Instant::now();
            let id = id + 1 + n;
            chats.api.push_update(text_update(id, chat, "/start"));
            chats.answered(chat, 0, "").await?;
            waits.push(started.elapsed());
        }
        anyhow::Ok(())
    };
    let ((), answered) = tokio::join!(releasing, residents_write);
    answered?;
    chats.answered(HEAD, 0, "Đã lưu tổ").await?;
    let saved_after = held.elapsed();

    println!("slow download: the head's scan held open {hold:?} by the file server");
    for (n, wait) in waits.iter().enumerate() {
        println!("  resident {}: answered after {wait:.1?}", n + 1);
    }
    println!("  the head's scan step answered {saved_after:.1?} after the photo was sent");
    let _ = stop.send(());
    serving.await.context("the bot task")??;
    engine.store().close().await;
    Ok(())
}
