//! Nothing lost when the process dies: the real `cnscd serve` binary, long polling a fake Bot
//! API, while 50 village heads register their teams at once; it is killed with SIGKILL at
//! random (seeded) moments and started again at once, as systemd would.
//!
//! Every chat must finish its registration, every answer must arrive (the only repeats
//! allowed are the README's stated exception: a message Telegram took just before the kill,
//! before it was marked sent, sent again after the restart; they are counted), and the teams
//! stored must equal those of a run without kills.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cnscd::domain::AccountRole;
use cnscd::storage::Store;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::support::fake_telegram::{
    callback_update, inline_buttons, text_update, FakeTelegram, TEST_TOKEN,
};

const CHATS: usize = 50;
const KILLS: usize = 10;
const SEED: u64 = 20_221_010;
/// A run with kills takes a few seconds; this only stops a stuck test.
const DEADLINE: Duration = Duration::from_secs(240);

/// What a head does next.
#[derive(Clone, Copy, Debug)]
enum Action {
    Say(&'static str),
    Press(&'static str),
}

/// A whole registration: the leader, two members, confirmed, no decision yet. The first
/// action, `/start CODE`, is added per chat; `{n}` is the chat's number (phones differ).
const SCRIPT: &[Action] = &[
    Action::Say("Nguyễn Văn An"),
    Action::Say("0912 345 6{n}"),
    Action::Press("Đã đồng ý"),
    Action::Say("Trần Thị Bình"),
    Action::Press("Bí thư Chi đoàn"),
    Action::Say("0987 654 3{n}"),
    Action::Press("Đã đồng ý"),
    Action::Say("Đoàn xã Đại Sơn"),
    Action::Press("Thêm thành viên"),
    Action::Say("Lê Văn Cường"),
    Action::Press("Giáo viên Tiểu học"),
    Action::Say("+84 903 123 4{n}"),
    Action::Press("Đã đồng ý"),
    Action::Say("Trường Tiểu học Đại Sơn"),
    Action::Press("Xong"),
    Action::Press("Xác nhận"),
    Action::Press("Chưa có"),
];

fn today() -> DateTime<Utc> {
    Utc::now()
}

fn village(chat: usize) -> String {
    format!("11083-{:02}", chat + 1)
}

fn chat_id(chat: usize) -> i64 {
    10_000 + chat as i64
}

/// A database with Tứ Kỳ's communes, `CHATS` villages and an invitation for each head.
async fn prepare(path: &Path) -> (String, Vec<String>) {
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url).await.expect("database opens");
    let units = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/tu-ky-communes.csv"
    ))
    .expect("communes file");
    cnscd::import::import_units(&store, units, today())
        .await
        .expect("communes");
    let mut csv = String::from("commune_code,name,code\n");
    for chat in 0..CHATS {
        csv.push_str(&format!("11083,Thôn Số {},{}\n", chat + 1, village(chat)));
    }
    cnscd::import::import_villages(&store, csv.as_bytes(), today())
        .await
        .expect("villages");
    let mut codes = Vec::new();
    for chat in 0..CHATS {
        let invitation = cnscd::invitation::create_invitation(
            &store,
            AccountRole::VillageHead,
            &village(chat),
            chrono::Duration::days(14),
            "test",
            today(),
        )
        .await
        .expect("invitation");
        codes.push(invitation.code);
    }
    store.close().await;
    (url, codes)
}

fn spawn_bot(url: &str, api: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args(["serve", "--no-throttle"])
        .env("TELOXIDE_TOKEN", TEST_TOKEN)
        .env("TELOXIDE_API_URL", api)
        .env("DATABASE_URL", url)
        .env("CNSCD_REPLICA_ID", "crash-test")
        .env(
            "RUST_LOG",
            std::env::var("CNSCD_CRASH_RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .stderr(log_file())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts")
}

/// Where the bots' warnings go: `CNSCD_CRASH_LOG` names a file (appended to), else nowhere;
/// `CNSCD_CRASH_RUST_LOG` sets their filter (`warn` unless set).
fn log_file() -> Stdio {
    let Ok(path) = std::env::var("CNSCD_CRASH_LOG") else {
        return Stdio::null();
    };
    match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    }
}

/// One run: every head goes through the script, answering only once the bot answered.
struct Run {
    tg: FakeTelegram,
    next_update: i64,
    /// Per chat: how many actions were sent.
    done: Vec<usize>,
}

impl Run {
    async fn start() -> Run {
        Run {
            tg: FakeTelegram::start().await,
            next_update: 1,
            done: vec![0; CHATS],
        }
    }

    fn messages_per_chat(&self) -> HashMap<i64, Vec<Value>> {
        let mut per_chat: HashMap<i64, Vec<Value>> = HashMap::new();
        for message in self.tg.sent_messages() {
            if let Some(chat) = message["chat_id"].as_i64() {
                per_chat.entry(chat).or_default().push(message);
            }
        }
        per_chat
    }

    fn send(&mut self, chat: usize, action: Action, received: &[Value]) {
        let id = self.next_update;
        self.next_update += 1;
        let update = match action {
            Action::Say(text) => {
                let text = text.replace("{n}", &format!("{chat:02}"));
                text_update(id, chat_id(chat), &text)
            }
            Action::Press(label) => {
                let keyboard = received
                    .iter()
                    .rev()
                    .map(inline_buttons)
                    .find(|buttons| !buttons.is_empty())
                    .unwrap_or_default();
                let Some((_, data)) = keyboard.iter().find(|(text, _)| text.contains(label)) else {
                    panic!("chat {chat}: no button {label:?} in {keyboard:?}");
                };
                callback_update(id, chat_id(chat), data)
            }
        };
        self.tg.push_update(update);
        self.done[chat] += 1;
    }
}

/// How the heads know the bot has answered.
enum Pace<'a> {
    /// Learning: every head waits until the bot is quiet; the counts are read off chat 0.
    Calibrate,
    /// A head goes on once its answers, repeats left out, reach the count of the calm run.
    Expect {
        counts: &'a [usize],
        want: &'a HashMap<i64, Vec<String>>,
    },
}

/// Drives every chat to the end of its script; returns the messages chat 0 had once each
/// action was answered (when calibrating).
async fn drive(run: &mut Run, codes: &[String], pace: Pace<'_>) -> Vec<usize> {
    let total = SCRIPT.len() + 1;
    let mut learnt: Vec<usize> = Vec::new();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut quiet = (usize::MAX, tokio::time::Instant::now());
    loop {
        let per_chat = run.messages_per_chat();
        let mut all_done = true;
        for chat in 0..CHATS {
            let received = per_chat.get(&chat_id(chat)).cloned().unwrap_or_default();
            let progress = match &pace {
                Pace::Calibrate => None,
                Pace::Expect { want, .. } => {
                    Some(matched(&want[&chat_id(chat)], &texts(&received)))
                }
            };
            let step = run.done[chat];
            let answered = |step: usize| match (&pace, progress) {
                // Every chat gets as many answers per step as chat 0: a chat whose answer is
                // still on its way (the bot starved of CPU for a moment) waits for it.
                (Pace::Calibrate, _) => learnt.len() >= step && received.len() >= learnt[step - 1],
                (Pace::Expect { counts, .. }, Some(progress)) => progress >= counts[step - 1],
                (Pace::Expect { .. }, None) => false,
            };
            if step == total {
                all_done &= answered(total);
                continue;
            }
            all_done = false;
            if step == 0 || answered(step) {
                let start = format!("/start {}", codes[chat]);
                match step {
                    0 => run.send(
                        chat,
                        Action::Say(Box::leak(start.into_boxed_str())),
                        &received,
                    ),
                    n => run.send(chat, SCRIPT[n - 1], &received),
                }
            }
        }
        if matches!(pace, Pace::Calibrate) {
            let count = run.tg.sent_messages().len();
            if count != quiet.0 {
                quiet = (count, tokio::time::Instant::now());
            } else if quiet.1.elapsed() > Duration::from_millis(500) && learnt.len() < run.done[0] {
                // Every action gets at least one answer: until it came, the bot is not quiet
                // but still starting or busy.
                let answers = per_chat.get(&chat_id(0)).map_or(0, Vec::len);
                if answers > learnt.last().copied().unwrap_or(0) {
                    learnt.push(answers);
                }
            }
            // Every chat, not only chat 0, must have its last answers: they make the calm
            // run's conversations that the run with kills is held to.
            if learnt.len() == total && all_done {
                return learnt;
            }
        } else if all_done {
            return learnt;
        }
        if tokio::time::Instant::now() >= deadline {
            let unanswered = |chat: usize| match &pace {
                Pace::Calibrate => {
                    let received = per_chat.get(&chat_id(chat)).map_or(0, Vec::len);
                    learnt.len() < total || received < learnt[total - 1]
                }
                Pace::Expect { want, .. } => {
                    let received = per_chat.get(&chat_id(chat)).cloned().unwrap_or_default();
                    matched(&want[&chat_id(chat)], &texts(&received)) < want[&chat_id(chat)].len()
                }
            };
            let stuck: Vec<(usize, usize, Vec<String>)> = (0..CHATS)
                .filter(|&chat| run.done[chat] < total || unanswered(chat))
                .map(|chat| {
                    let received = per_chat.get(&chat_id(chat)).cloned().unwrap_or_default();
                    let tail = texts(&received).into_iter().rev().take(3).collect();
                    (chat, run.done[chat], tail)
                })
                .collect();
            panic!(
                "stuck ({}): chats not done (chat, actions sent, last messages): {stuck:#?}",
                if matches!(pace, Pace::Calibrate) {
                    "calm run"
                } else {
                    "run with kills"
                }
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
fn repeats(want: &[String], got: &[String]) -> Option<usize> {
    let mut next = 0;
    let mut repeats = 0;
    for message in got {
        if next < want.len() && *message == want[next] {
            next += 1;
        } else if want[..next].contains(message) {
            repeats += 1;
        } else {
            return None;
        }
    }
    (next == want.len()).then_some(repeats)
}

fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The teams as stored, village by village.
async fn teams(url: &str) -> Vec<String> {
    let store = Store::connect(url).await.expect("database opens");
    let mut teams = Vec::new();
    for chat in 0..CHATS {
        let team = store
            .team(&village(chat))
            .await
            .expect("team query")
            .expect("a team");
        teams.push(format!(
            "{}: {:?} {:?}",
            village(chat),
            team.status,
            team.team
        ));
    }
    store.close().await;
    teams
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_heads_registering_through_ten_sigkills_lose_no_answer_and_no_team() {
    // Arrange: a run without kills gives the answers each chat must get, and the teams.
    let calm_dir = tempfile::tempdir().expect("temporary directory");
    let (calm_url, calm_codes) = prepare(&calm_dir.path().join("calm.db")).await;
    let mut calm = Run::start().await;
    let mut bot = spawn_bot(&calm_url, &calm.tg.url());
    let counts = drive(&mut calm, &calm_codes, Pace::Calibrate).await;
    bot.kill().await.expect("killed");
    let want: HashMap<i64, Vec<String>> = calm
        .messages_per_chat()
        .into_iter()
        .map(|(chat, messages)| (chat, texts(&messages)))
        .collect();
    let calm_teams = teams(&calm_url).await;

    // Act: the same registrations while the bot is killed ten times at random moments.
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, codes) = prepare(&dir.path().join("crash.db")).await;
    let mut run = Run::start().await;
    let api = run.tg.url();
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mut bot = spawn_bot(&url, &api);
    let killing = async {
        for _ in 0..KILLS {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(150..700))).await;
            bot.start_kill().expect("SIGKILL sent");
            bot.wait().await.expect("the killed bot is reaped");
            bot = spawn_bot(&url, &api);
        }
    };
    let pace = Pace::Expect {
        counts: &counts,
        want: &want,
    };
    let ((), _) = tokio::join!(killing, drive(&mut run, &codes, pace));
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.kill().await.expect("killed");

    // Assert: every answer, in order, once (or repeated within the stated window), and the
    // same teams as without kills.
    let got = run.messages_per_chat();
    let mut repeated = 0;
    for chat in 0..CHATS {
        let id = chat_id(chat);
        let got = texts(got.get(&id).map_or(&[][..], Vec::as_slice));
        match repeats(&want[&id], &got) {
            Some(n) => repeated += n,
            None => panic!("chat {chat} did not get its answers in order: {got:#?}"),
        }
    }
    eprintln!("crash test: {KILLS} SIGKILLs, {repeated} message(s) repeated (sent just before a kill, not yet marked)");
    assert_eq!(
        teams(&url).await,
        calm_teams,
        "the same teams as without kills"
    );
}
