//! The heads: one run of every chat through the script, and what their answers must be.

use std::collections::HashMap;
use std::time::Duration;

use cnscd::storage::Store;
use serde_json::Value;

use super::setup::{chat_id, village};
use super::{Action, CHATS, DEADLINE, SCRIPT};
use crate::support::fake_telegram::{callback_update, inline_buttons, text_update, FakeTelegram};

/// One run: every head goes through the script, answering only once the bot answered.
pub(super) struct Run {
    pub(super) tg: FakeTelegram,
    next_update: i64,
    /// Per chat: how many actions were sent.
    done: Vec<usize>,
}

impl Run {
    pub(super) async fn start() -> Run {
        Run {
            tg: FakeTelegram::start().await,
            next_update: 1,
            done: vec![0; CHATS],
        }
    }

    pub(super) fn messages_per_chat(&self) -> HashMap<i64, Vec<Value>> {
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
pub(super) enum Pace<'a> {
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
pub(super) async fn drive(run: &mut Run, codes: &[String], pace: Pace<'_>) -> Vec<usize> {
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
pub(super) fn repeats(want: &[String], got: &[String]) -> Option<usize> {
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

pub(super) fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The teams as stored, village by village.
pub(super) async fn teams(url: &str) -> Vec<String> {
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
