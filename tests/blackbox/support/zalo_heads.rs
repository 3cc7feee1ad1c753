//! Village heads registering their teams over Zalo against the real `cnscd serve` binary
//! (one, or replicas behind a load balancer), as people do: each reads the bot's answer and
//! answers the latest question, pressing its buttons. A calm run (no kills) gives every chat's
//! messages; a run with kills is held to them: what arrived twice, and whether a chat was led
//! onto an old question (the latest message it saw, when it answered, was not the latest
//! question).

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use cnscd::domain::AccountRole;
use cnscd::storage::Store;
use serde_json::Value;

use super::fake_zalo::{
    numbered_options, payload_of, shown, Event, FakeZalo, User, APP_ID, APP_SECRET, OA_SECRET_KEY,
};
use super::release::release_binary;

/// What a head does next.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    Say(&'static str),
    /// Presses the button of the latest question whose label contains this.
    Press(&'static str),
}

/// A whole registration after `/start CODE`: the leader, two members, confirmed, no decision
/// yet. `{n}` is the chat's number (the phones differ).
pub const SCRIPT: &[Action] = &[
    Action::Say("Nguyễn Văn An"),
    Action::Say("0912 345 {n}"),
    Action::Press("✅ Đồng ý"),
    Action::Say("Trần Thị Bình"),
    Action::Press("Bí thư Chi đoàn"),
    Action::Say("0987 654 {n}"),
    Action::Press("Đã ký giấy đồng ý"),
    Action::Say("Trường Tiểu học Đại Sơn"),
    Action::Press("Thêm thành viên"),
    Action::Say("Lê Văn Cường"),
    Action::Press("Giáo viên THCS"),
    Action::Say("0903 123 {n}"),
    Action::Press("Đã ký giấy đồng ý"),
    Action::Press("Bỏ qua"),
    Action::Press("Xong"),
    Action::Press("Xác nhận"),
    Action::Press("Chưa có"),
];

/// A run that gets stuck is stopped after this (a run with kills takes well under a minute;
/// one whose dead replica is taken over waits 15 s for it).
const DEADLINE: Duration = Duration::from_secs(300);

pub fn village(chat: usize) -> String {
    format!("11083-{:05}", chat + 1)
}

pub fn user_id(chat: usize) -> String {
    format!("head{chat:03}")
}

/// Tứ Kỳ's communes, a village per chat and an invitation for each head on the database at
/// `url`; the invitation codes.
pub async fn prepare(url: &str, chats: usize) -> Vec<String> {
    let store = Store::connect(url).await.expect("database opens");
    let units = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/tu-ky-communes.csv"
    ))
    .expect("communes file");
    cnscd::import::import_units(&store, units, Utc::now())
        .await
        .expect("communes");
    let mut csv = String::from("commune_code,name,code\n");
    for chat in 0..chats {
        csv.push_str(&format!("11083,Thôn Số {},{}\n", chat + 1, village(chat)));
    }
    cnscd::import::import_villages(&store, csv.as_bytes(), Utc::now())
        .await
        .expect("villages");
    let mut codes = Vec::new();
    for chat in 0..chats {
        let invitation = cnscd::invitation::create_invitation(
            &store,
            AccountRole::VillageHead,
            &village(chat),
            chrono::Duration::days(14),
            "test",
            Utc::now(),
        )
        .await
        .expect("invitation");
        codes.push(invitation.code);
    }
    store.close().await;
    codes
}

/// One `cnscd serve` on Zalo alone: webhooks on `listen`, health on `ops`.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    pub listen: u16,
    pub ops: u16,
}

impl Ports {
    pub fn free() -> Ports {
        let free = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .expect("bind")
                .local_addr()
                .expect("address")
                .port()
        };
        Ports {
            listen: free(),
            ops: free(),
        }
    }
}

/// The release binary serving Zalo alone on `database`, named `replica`.
pub fn spawn_bot(
    zalo: &FakeZalo,
    database: &str,
    ports: Ports,
    replica: &str,
) -> tokio::process::Child {
    tokio::process::Command::new(release_binary())
        .args(["serve", "--listen", &format!("127.0.0.1:{}", ports.listen)])
        .args(["--ops-listen", &format!("127.0.0.1:{}", ports.ops)])
        .env_remove("TELOXIDE_TOKEN")
        .env("ZALO_APP_ID", APP_ID)
        .env("ZALO_APP_SECRET", APP_SECRET)
        .env("ZALO_OA_SECRET_KEY", OA_SECRET_KEY)
        .env("ZALO_REFRESH_TOKEN", zalo.current_refresh_token())
        .env("ZALO_OPENAPI_URL", &zalo.base)
        .env("ZALO_OAUTH_URL", &zalo.base)
        .env(
            "CNSCD_PUBLIC_URL",
            format!("http://127.0.0.1:{}", ports.listen),
        )
        .env_remove("ZALO_FORM_IMAGE_URL")
        .env("DATABASE_URL", database)
        .env("CNSCD_REPLICA_ID", replica)
        .env(
            "RUST_LOG",
            std::env::var("CNSCD_ZALO_RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(log_file())
        .kill_on_drop(true)
        .spawn()
        .expect("cnscd starts")
}

/// Where the bots' log goes: `CNSCD_ZALO_LOG` names a file (appended to), else nowhere.
fn log_file() -> Stdio {
    let file = std::env::var("CNSCD_ZALO_LOG").ok().and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    file.map_or_else(Stdio::null, Stdio::from)
}

/// Waits until the process answers on its ops port (at most 30 s, then goes on anyway).
pub async fn wait_until_up(ops: u16) {
    let http = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::time::Instant::now() < deadline {
        let health = http
            .get(format!("http://127.0.0.1:{ops}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Has the bot on `listen` answer one user, so that it holds Zalo's access token before any
/// kill: a process killed during its first refresh leaves the refresh lease to run out (30 s).
pub async fn warm_up(zalo: &FakeZalo, listen: u16) {
    let user = User::new("warm-up");
    deliver(reqwest::Client::new(), vec![listen], 0, user.follow()).await;
    zalo.wait_for("warm-up", 1).await;
}

/// Posts `event` until a webhook answers 200, as Zalo retries an unanswered event; a load
/// balancer in front of `listen` ports: chat `n` goes to the `n`-th (modulo), and to the next
/// while that one does not answer.
async fn deliver(http: reqwest::Client, listen: Vec<u16>, chat: usize, event: Event) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    for attempt in 0.. {
        let port = listen[(chat + attempt) % listen.len()];
        let sent = http
            .post(format!("http://127.0.0.1:{port}/zalo/webhook"))
            .header("X-ZEvent-Signature", &event.signature)
            .body(event.body.clone())
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().as_u16() == 200) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "never recorded");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// A message as the person sees it: its text and the labels of its choices.
fn seen(message: &Value) -> String {
    let (text, labels) = shown(message);
    if text.is_empty() && labels.is_empty() {
        // A form (share your phone): nothing else tells one apart.
        return message.to_string();
    }
    format!("{text} {labels:?}")
}

/// Every chat's messages in the calm run, and how many it had once each action was answered.
#[derive(Clone, Debug, Default)]
pub struct Reference {
    pub want: Vec<Vec<String>>,
    pub counts: Vec<Vec<usize>>,
}

/// What a run with kills did to the chats.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Messages that arrived again after the chat had them (none is lost: the run checks
    /// that every chat got all its messages in order).
    pub repeats: usize,
    /// Chats whose latest message, when the person answered (or at the end), was an old one.
    pub led_astray: Vec<usize>,
    /// The chats with repeats and what they got (for a failure's message).
    pub examples: Vec<(usize, Vec<String>)>,
    /// What arrived again, per message (its first words), most often first.
    pub repeated: Vec<(usize, String)>,
}

/// How the heads know their answer came.
enum Pace<'a> {
    /// The calm run: the chat's messages stopped coming, its events are applied and its
    /// outbox is empty (checked in `store`).
    Calm(&'a Store),
    /// A chat's messages, repeats left out, reach those of the calm run.
    Expect(&'a Reference),
}

/// The heads of `codes.len()` chats register without kills, on `database` (SQLite), through
/// one replica listening on `listen`; every chat's messages.
pub async fn calm_run(zalo: &FakeZalo, database: &str, listen: u16, codes: &[String]) -> Reference {
    let store = Store::connect(database).await.expect("database");
    let (reference, _) = drive(zalo, vec![listen], codes, Pace::Calm(&store)).await;
    store.close().await;
    reference
}

/// The heads register again, their webhooks posted to `listen` (in turn, as a load balancer
/// does, to the next when one does not answer), held to `reference`.
pub async fn run_expecting(
    zalo: &FakeZalo,
    listen: Vec<u16>,
    codes: &[String],
    reference: &Reference,
) -> Outcome {
    let (_, outcome) = drive(zalo, listen, codes, Pace::Expect(reference)).await;
    outcome
}

struct Chat {
    user: User,
    /// Actions sent so far.
    step: usize,
    received: Vec<Value>,
    texts: Vec<String>,
    /// Messages when the last action was sent, and when the last message came.
    at_post: usize,
    last_change: tokio::time::Instant,
    counts: Vec<usize>,
    astray: bool,
}

async fn drive(
    zalo: &FakeZalo,
    listen: Vec<u16>,
    codes: &[String],
    pace: Pace<'_>,
) -> (Reference, Outcome) {
    let http = reqwest::Client::new();
    let total = SCRIPT.len() + 1;
    let mut chats: Vec<Chat> = (0..codes.len())
        .map(|chat| Chat {
            user: User::new(&user_id(chat)),
            step: 0,
            received: Vec::new(),
            texts: Vec::new(),
            at_post: 0,
            last_change: tokio::time::Instant::now(),
            counts: Vec::new(),
            astray: false,
        })
        .collect();
    let index: HashMap<String, usize> = (0..codes.len()).map(|c| (user_id(c), c)).collect();
    let mut read = zalo.sent().len();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let now = tokio::time::Instant::now();
        let new = zalo.sent_from(read);
        read += new.len();
        for sent in new {
            if let Some(&chat) = index.get(&sent.user_id) {
                let chat = &mut chats[chat];
                chat.texts.push(seen(&sent.message));
                chat.received.push(sent.message);
                chat.last_change = now;
            }
        }
        let mut all_done = true;
        for (n, chat) in chats.iter_mut().enumerate() {
            let answered = chat.step > 0
                && match &pace {
                    Pace::Calm(store) => {
                        chat.texts.len() > chat.at_post
                            && now - chat.last_change > Duration::from_millis(300)
                            && settled(store, &user_id(n)).await
                            // A part that came between the read above and the query belongs
                            // to this answer: it is read first.
                            && !zalo
                                .sent_from(read)
                                .iter()
                                .any(|sent| sent.user_id == user_id(n))
                    }
                    Pace::Expect(reference) => {
                        matched(&reference.want[n], &chat.texts)
                            >= reference.counts[n][chat.step - 1]
                    }
                };
            if chat.step > 0 && !answered {
                all_done = false;
                continue;
            }
            if chat.step > chat.counts.len() {
                // The answer to the last action just came.
                chat.counts.push(chat.texts.len());
                if let Pace::Expect(reference) = &pace {
                    let latest = &reference.want[n][reference.counts[n][chat.step - 1] - 1];
                    chat.astray |= chat.texts.last() != Some(latest);
                }
            }
            if chat.step == total {
                continue;
            }
            all_done = false;
            let event = match chat.step {
                0 => chat.user.text(&format!("/start {}", codes[n])),
                step => match SCRIPT[step - 1] {
                    Action::Say(text) => chat.user.text(&text.replace("{n}", &format!("{n:03}"))),
                    Action::Press(label) => {
                        let Some(typed) = press(&chat.received, label) else {
                            let tail: Vec<&String> = chat.texts.iter().rev().take(6).collect();
                            panic!(
                                "chat {n}: no button {label:?} after {} messages (latest first): \
                                 {tail:#?}",
                                chat.texts.len()
                            );
                        };
                        chat.user.text(&typed)
                    }
                },
            };
            chat.step += 1;
            chat.at_post = chat.texts.len();
            tokio::spawn(deliver(http.clone(), listen.clone(), n, event));
        }
        if all_done {
            break;
        }
        if now >= deadline {
            let stuck: Vec<(usize, usize, Vec<&String>)> = chats
                .iter()
                .enumerate()
                .filter(|(_, chat)| chat.counts.len() < total)
                .map(|(n, chat)| (n, chat.step, chat.texts.iter().rev().take(2).collect()))
                .take(5)
                .collect();
            panic!("stuck: chats not done (chat, actions sent, last messages): {stuck:#?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // What comes after the last answer (a message re-sent late) counts too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for sent in zalo.sent_from(read) {
        if let Some(&chat) = index.get(&sent.user_id) {
            chats[chat].texts.push(seen(&sent.message));
        }
    }
    let mut reference = Reference::default();
    let mut outcome = Outcome::default();
    let mut tally: HashMap<String, usize> = HashMap::new();
    for (n, chat) in chats.into_iter().enumerate() {
        if let Pace::Expect(expected) = &pace {
            let want = &expected.want[n];
            let Some(again) = repeats(want, &chat.texts) else {
                panic!(
                    "chat {n} did not get its messages in order: {:#?}",
                    chat.texts
                );
            };
            if chat.astray || chat.texts.last() != want.last() {
                outcome.led_astray.push(n);
            }
            if !again.is_empty() && outcome.examples.len() < 3 {
                outcome.examples.push((n, chat.texts.clone()));
            }
            let repeats = again.len();
            outcome.repeats += repeats;
            for message in again {
                let words: String = message.chars().take(60).collect();
                *tally.entry(words).or_default() += 1;
            }
        }
        reference.want.push(chat.texts);
        reference.counts.push(chat.counts);
    }
    outcome.repeated = tally.into_iter().map(|(words, n)| (n, words)).collect();
    outcome.repeated.sort_by(|a, b| b.cmp(a));
    (reference, outcome)
}

/// Whether the chat's events are all applied and its messages all delivered.
async fn settled(store: &Store, chat: &str) -> bool {
    let (pending, unsent): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM inbox WHERE chat_id = $1 AND state <> 'done'),
                (SELECT COUNT(*) FROM outbox WHERE chat_id = $1
                   AND sent_at IS NULL AND failed_at IS NULL AND held_at IS NULL)",
    )
    .bind(chat)
    .fetch_one(store.pool())
    .await
    .expect("inbox and outbox");
    pending == 0 && unsent == 0
}

/// What the head types to press `label` on the latest message showing it: a template
/// button's payload, or a numbered option's number.
fn press(received: &[Value], label: &str) -> Option<String> {
    for message in received.iter().rev() {
        let (_, labels) = shown(message);
        let Some(at) = labels.iter().position(|l| l.contains(label)) else {
            continue;
        };
        if numbered_options(message) {
            return Some((at + 1).to_string());
        }
        if let Some(payload) = payload_of(message, &labels[at]) {
            return Some(payload);
        }
    }
    None
}

/// How much of `want` arrived in order in `got`, repeats of earlier messages left out.
fn matched(want: &[String], got: &[String]) -> usize {
    let mut next = 0;
    for message in got {
        if next < want.len() && *message == want[next] {
            next += 1;
        }
    }
    next
}

/// The messages of `got` that repeat one already received; `None` if a message of `want`
/// is missing, out of order, or one that was never meant to be sent.
fn repeats<'a>(want: &[String], got: &'a [String]) -> Option<Vec<&'a String>> {
    let mut next = 0;
    let mut repeats = Vec::new();
    for message in got {
        if next < want.len() && *message == want[next] {
            next += 1;
        } else if want[..next].contains(message) {
            repeats.push(message);
        } else {
            return None;
        }
    }
    (next == want.len()).then_some(repeats)
}
