//! Several bot replicas on one database: each runs its own engine and pool, as two processes
//! behind a load balancer would. On SQLite the replicas share one file; on PostgreSQL (when
//! `CNSCD_TEST_POSTGRES_URL` names a server) one database.

mod alerts;
mod chat_lock;
mod sigkill;
mod updates;

use std::sync::Arc;

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::{Incoming, Reply};
use cnscd::domain::AccountRole;
use cnscd::engine::Engine;
use cnscd::i18n::to_plain;
use cnscd::storage::scratch::ScratchDb;

use crate::support::app::{invitation, today as start, TestApp};

/// Chats registering at once, one village each.
const CHATS: usize = 6;

/// A village head's whole registration; `[label]` presses a button of the latest reply.
const SCRIPT: &[&str] = &[
    "/start",
    "Nguyễn Văn An",
    "0912 345 678",
    "[✅ Đồng ý]",
    "Trần Thị Bình",
    "[Giáo viên Tiểu học]",
    "0912 345 679",
    "[📝 Đã ký giấy đồng ý]",
    "[Bỏ qua »]",
    "[➕ Thêm thành viên]",
    "Lê Văn Cường",
    "[Giáo viên THCS]",
    "0912 345 680",
    "[📝 Đã ký giấy đồng ý]",
    "[Bỏ qua »]",
    "[Xong]",
    "[✅ Xác nhận]",
    "[Chưa có, bỏ qua]",
];

fn village(chat: usize) -> String {
    format!("11083-{:02}", chat + 1)
}

/// One village per chat, on `db`, and an invitation for each head; the invitation codes.
async fn seed(db: ScratchDb) -> (TestApp, Vec<String>) {
    let mut csv = String::from("commune_code,name,code\n");
    for chat in 0..CHATS {
        csv.push_str(&format!("11083,Thôn Số {},{}\n", chat + 1, village(chat)));
    }
    let app = TestApp::builder()
        .on(db)
        .villages(&csv)
        .no_invitation()
        .build()
        .await;
    let mut codes = Vec::new();
    for chat in 0..CHATS {
        let role = AccountRole::VillageHead;
        codes.push(invitation(&app.store, role, &village(chat), start()).await);
    }
    (app, codes)
}

fn chat_key(chat: usize) -> ChatKey {
    ChatKey::new(ChannelName::Console, (chat + 1).to_string())
}

/// One update of the script: its Telegram-like id and what the user did.
#[derive(Clone)]
struct Update {
    chat: usize,
    id: String,
    incoming: Incoming,
}

/// Replies of one applied update, as plain text.
fn texts(replies: &[Reply]) -> Vec<String> {
    replies.iter().map(|r| to_plain(r.text.as_str())).collect()
}

/// Runs every chat's script through one engine, one update after another, recording the
/// updates (buttons resolved to their payloads) and the replies each got.
async fn reference_run(engine: &Engine, codes: &[String]) -> (Vec<Update>, Vec<Vec<String>>) {
    let mut updates = Vec::new();
    let mut replies = Vec::new();
    let mut last: Vec<Vec<Reply>> = vec![Vec::new(); CHATS];
    let mut id = 1000;
    for step in SCRIPT {
        for chat in 0..CHATS {
            let incoming = match step.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(label) => Incoming::Button(button(&last[chat], label)),
                None if *step == "/start" => Incoming::Text(format!("/start {}", codes[chat])),
                None => Incoming::Text((*step).to_owned()),
            };
            id += 1;
            let update = Update {
                chat,
                id: id.to_string(),
                incoming,
            };
            let got = apply(engine, &update).await;
            replies.push(texts(&got));
            last[chat] = got;
            updates.push(update);
        }
    }
    (updates, replies)
}

fn button(replies: &[Reply], label: &str) -> String {
    replies
        .iter()
        .rev()
        .flat_map(|r| r.buttons.iter().flatten())
        .find(|b| b.label == label)
        .unwrap_or_else(|| panic!("no button {label}"))
        .payload
        .clone()
}

async fn apply(engine: &Engine, update: &Update) -> Vec<Reply> {
    engine
        .handle(
            &chat_key(update.chat),
            Some(&update.id),
            update.incoming.clone(),
        )
        .await
        .expect("the engine applies the update")
}

/// Feeds every update, in order, to one replica; returns the replies it sent per update.
async fn feed(engine: Engine, updates: Arc<Vec<Update>>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for update in updates.iter() {
        out.push(texts(&apply(&engine, update).await));
        tokio::task::yield_now().await;
    }
    out
}
