//! People at their phones, and the bot process killed under them: many chats driven through
//! the fake Bot API at once, each head acting only once the bot answered its last action,
//! while the bot is killed with SIGKILL and started again; then what each chat saw, held to
//! the conversation it had in a run without kills.
//!
//! Shared by the crash test (`tests/blackbox/crash/`) and `cnscd-bench crash`, so that the
//! suite's bound and the bench's figures are counted the same way. Like the fakes, it knows
//! the bot only from outside: a command to start (built in release by cargo) and what it
//! sends on the wire.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::process::Child;

use crate::telegram::{callback_update, inline_buttons, text_update, FakeTelegram};

/// What a head does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Act {
    /// Types this text.
    Say(String),
    /// Presses the button (of the latest keyboard) whose label contains this.
    Press(String),
    /// Presses the button whose callback data is `<revision>:<this>`.
    Choose(String),
}

/// Why the heads could not go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck(pub String);

impl fmt::Display for Stuck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Stuck {}

/// The heads of one run and the fake Bot API they talk through.
pub struct Crowd {
    pub tg: FakeTelegram,
    /// Per head: its chat id and its script (every script as long as the first).
    heads: Vec<(i64, Vec<Act>)>,
    next_update: i64,
    /// Per head: how many actions were sent.
    done: Vec<usize>,
}

impl Crowd {
    /// A new fake Bot API (recording) and these heads, none of whom has acted yet.
    pub async fn start(heads: Vec<(i64, Vec<Act>)>) -> Crowd {
        let steps = heads.first().map_or(0, |(_, script)| script.len());
        assert!(
            heads.iter().all(|(_, script)| script.len() == steps),
            "every head's script has as many actions as the first's"
        );
        Crowd {
            tg: FakeTelegram::start().await,
            done: vec![0; heads.len()],
            heads,
            next_update: 1,
        }
    }

    /// The messages each chat received, in order.
    pub fn messages_per_chat(&self) -> HashMap<i64, Vec<Value>> {
        let mut per_chat: HashMap<i64, Vec<Value>> = HashMap::new();
        for message in self.tg.sent_messages() {
            if let Some(chat) = message["chat_id"].as_i64() {
                per_chat.entry(chat).or_default().push(message);
            }
        }
        per_chat
    }

    /// The texts each chat received, in order.
    pub fn conversations(&self) -> HashMap<i64, Vec<String>> {
        self.messages_per_chat()
            .into_iter()
            .map(|(chat, messages)| (chat, texts(&messages)))
            .collect()
    }

    fn send(&mut self, head: usize, received: &[Value]) -> Result<(), Stuck> {
        let (chat, script) = &self.heads[head];
        let act = &script[self.done[head]];
        let id = self.next_update;
        let update = match act {
            Act::Say(text) => text_update(id, *chat, text),
            Act::Press(_) | Act::Choose(_) => {
                let keyboard = received
                    .iter()
                    .rev()
                    .map(inline_buttons)
                    .find(|buttons| !buttons.is_empty())
                    .unwrap_or_default();
                let fits = |(label, data): &&(String, String)| match act {
                    Act::Press(want) => label.contains(want.as_str()),
                    Act::Choose(want) => {
                        data.split_once(':').map(|(_, a)| a) == Some(want.as_str())
                    }
                    Act::Say(_) => false,
                };
                let Some((_, data)) = keyboard.iter().find(fits) else {
                    return Err(Stuck(format!(
                        "chat {chat}: no button for {act:?} in {keyboard:?}"
                    )));
                };
                callback_update(id, *chat, data)
            }
        };
        self.next_update += 1;
        self.tg.push_update(update);
        self.done[head] += 1;
        Ok(())
    }
}

/// How the heads know the bot has answered.
pub enum Pace<'a> {
    /// Learning: every head waits until the bot is quiet; the counts are read off the first
    /// head's chat.
    Calibrate,
    /// A head goes on once its answers, repeats left out, reach the count of the calm run.
    Expect {
        counts: &'a [usize],
        want: &'a HashMap<i64, Vec<String>>,
    },
}

/// Drives every head to the end of its script, giving up at `deadline`; returns (when
/// calibrating) how many messages the first chat had once each action was answered.
pub async fn drive(
    crowd: &mut Crowd,
    pace: Pace<'_>,
    deadline: Duration,
) -> Result<Vec<usize>, Stuck> {
    let total = crowd.heads.first().map_or(0, |(_, script)| script.len());
    let mut learnt: Vec<usize> = Vec::new();
    let deadline = tokio::time::Instant::now() + deadline;
    let mut quiet = (usize::MAX, tokio::time::Instant::now());
    loop {
        let per_chat = crowd.messages_per_chat();
        let mut all_done = true;
        for head in 0..crowd.heads.len() {
            let chat = crowd.heads[head].0;
            let received = per_chat.get(&chat).map_or(&[][..], Vec::as_slice);
            let progress = match &pace {
                Pace::Calibrate => None,
                Pace::Expect { want, .. } => Some(matched(&want[&chat], &texts(received))),
            };
            let step = crowd.done[head];
            let answered = |step: usize| match (&pace, progress) {
                // Every chat gets as many answers per step as the first: a chat whose answer
                // is still on its way (the bot starved of CPU for a moment) waits for it.
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
                crowd.send(head, received)?;
            }
        }
        if matches!(pace, Pace::Calibrate) {
            let count = crowd.tg.sent_messages().len();
            if count != quiet.0 {
                quiet = (count, tokio::time::Instant::now());
            } else if quiet.1.elapsed() > Duration::from_millis(500) && learnt.len() < crowd.done[0]
            {
                // Every action gets at least one answer: until it came, the bot is not quiet
                // but still starting or busy.
                let first = crowd.heads[0].0;
                let answers = per_chat.get(&first).map_or(0, Vec::len);
                if answers > learnt.last().copied().unwrap_or(0) {
                    learnt.push(answers);
                }
            }
            // Every chat, not only the first, must have its last answers: they make the calm
            // run's conversations that the run with kills is held to.
            if learnt.len() == total && all_done {
                return Ok(learnt);
            }
        } else if all_done {
            return Ok(learnt);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(stuck(crowd, &per_chat, &pace, &learnt));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn stuck(
    crowd: &Crowd,
    per_chat: &HashMap<i64, Vec<Value>>,
    pace: &Pace<'_>,
    learnt: &[usize],
) -> Stuck {
    let total = crowd.heads[0].1.len();
    let unanswered = |chat: i64| {
        let received = per_chat.get(&chat).map_or(&[][..], Vec::as_slice);
        match pace {
            Pace::Calibrate => learnt.len() < total || received.len() < learnt[total - 1],
            Pace::Expect { want, .. } => {
                matched(&want[&chat], &texts(received)) < want[&chat].len()
            }
        }
    };
    let stuck: Vec<(i64, usize, Vec<String>)> = crowd
        .heads
        .iter()
        .map(|(chat, _)| *chat)
        .zip(crowd.done.iter().copied())
        .filter(|&(chat, done)| done < total || unanswered(chat))
        .map(|(chat, done)| {
            let received = per_chat.get(&chat).map_or(&[][..], Vec::as_slice);
            let tail = texts(received).into_iter().rev().take(3).collect();
            (chat, done, tail)
        })
        .collect();
    let run = match pace {
        Pace::Calibrate => "calm run",
        Pace::Expect { .. } => "run with kills",
    };
    Stuck(format!(
        "stuck ({run}): chats not done (chat, actions sent, last messages): {stuck:#?}"
    ))
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

pub fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// What one chat saw of a run with kills, held to its conversation without kills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// Messages it had already received, received again.
    pub resent: usize,
    /// Of those, the ones older than the chat's latest message at the time (not the one in
    /// flight at a kill).
    pub older: usize,
    /// Whether a message older than the chat's latest one came again: its head, answering
    /// the latest message it sees as a person does, would answer a question it had already
    /// answered before the last one (the burst of issue 22). A copy of the chat's latest
    /// message (the one in flight at a kill) leaves the head where it was.
    pub led_to_old_question: bool,
}

/// What `got` repeats of `want`; `None` if a message of `want` is missing, out of order, or
/// one that was never meant to be sent.
pub fn seen(want: &[String], got: &[String]) -> Option<Seen> {
    let mut next = 0;
    let mut seen = Seen::default();
    for message in got {
        if next < want.len() && *message == want[next] {
            next += 1;
        } else if next > 0 && *message == want[next - 1] {
            seen.resent += 1;
        } else if want[..next].contains(message) {
            seen.resent += 1;
            seen.older += 1;
            seen.led_to_old_question = true;
        } else {
            return None;
        }
    }
    (next == want.len()).then_some(seen)
}

/// Messages whose text the same chat had already received, whatever the reason (the
/// dialogue's own re-asks count too): the figure a person counting the chat would give.
pub fn word_for_word(got: &[String]) -> usize {
    got.iter()
        .enumerate()
        .filter(|(i, message)| got[..*i].contains(message))
        .count()
}

/// Every chat of a run with kills, held to the run without.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub messages: usize,
    pub resent: usize,
    /// Re-sent messages older than their chat's latest one.
    pub older: usize,
    /// The most messages one chat received again.
    pub most_resent_in_a_chat: usize,
    /// The chats [`Seen::led_to_old_question`], in order.
    pub led_to_old_question: Vec<i64>,
    pub word_for_word: usize,
}

/// Holds every chat of `got` to its conversation in `want`.
pub fn tally(
    want: &HashMap<i64, Vec<String>>,
    got: &HashMap<i64, Vec<String>>,
) -> Result<Tally, Stuck> {
    let mut chats: Vec<&i64> = want.keys().collect();
    chats.sort();
    let mut tally = Tally::default();
    for chat in chats {
        let got = got.get(chat).map_or(&[][..], Vec::as_slice);
        let Some(seen) = seen(&want[chat], got) else {
            return Err(Stuck(format!(
                "chat {chat} did not get its answers in order: {got:#?}"
            )));
        };
        tally.messages += got.len();
        tally.resent += seen.resent;
        tally.older += seen.older;
        tally.most_resent_in_a_chat = tally.most_resent_in_a_chat.max(seen.resent);
        if seen.led_to_old_question {
            tally.led_to_old_question.push(*chat);
        }
        tally.word_for_word += word_for_word(got);
    }
    Ok(tally)
}

/// SIGKILLs at random (seeded) moments, the process started again at once, as systemd would.
#[derive(Debug, Clone)]
pub struct Kills {
    pub count: usize,
    /// Milliseconds between two kills (and before the first).
    pub apart_ms: Range<u64>,
    pub seed: u64,
}

impl Kills {
    /// Kills `bot` and its successors `count` times, each restarted with `spawn`; returns the
    /// one running at the end.
    pub async fn run(&self, mut bot: Child, mut spawn: impl FnMut() -> Child) -> Child {
        let mut rng = rand::rngs::StdRng::seed_from_u64(self.seed);
        for _ in 0..self.count {
            let pause = rng.gen_range(self.apart_ms.clone());
            tokio::time::sleep(Duration::from_millis(pause)).await;
            bot.start_kill().expect("SIGKILL sent");
            bot.wait().await.expect("the killed bot is reaped");
            bot = spawn();
        }
        bot
    }
}

/// Builds `bin` of `package` in release with the cargo running us (or `cargo`) in the
/// workspace at `root`, and returns the executable's path: the optimised binary, where the
/// debug build's slowness would hide a crash's windows. A no-op when it is up to date.
pub fn release_binary(root: &Path, package: &str, bin: &str) -> Result<PathBuf, Stuck> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            package,
            "--bin",
            bin,
        ])
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| Stuck(format!("cargo does not start: {error}")))?;
    if !output.status.success() {
        return Err(Stuck(format!("cargo build --release of {bin} failed")));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == bin)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| Stuck(format!("cargo named no executable for {bin}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_copy_of_the_latest_message_is_resent_but_leads_nowhere_old() {
        let want = texts(&["name?", "phone?", "role?"]);
        let got = texts(&["name?", "phone?", "phone?", "role?"]);
        let seen = seen(&want, &got).unwrap();
        assert_eq!(seen.resent, 1);
        assert!(!seen.led_to_old_question);
    }

    #[test]
    fn a_burst_of_older_messages_leads_the_chat_onto_an_old_question() {
        let want = texts(&["name?", "phone?", "role?"]);
        let got = texts(&["name?", "phone?", "name?", "phone?", "role?"]);
        let seen = seen(&want, &got).unwrap();
        assert_eq!(seen.resent, 2);
        assert_eq!(seen.older, 1);
        assert!(seen.led_to_old_question);
    }

    #[test]
    fn a_missing_or_strange_message_is_no_conversation_at_all() {
        let want = texts(&["name?", "phone?"]);
        assert_eq!(seen(&want, &texts(&["name?"])), None);
        assert_eq!(seen(&want, &texts(&["name?", "what?", "phone?"])), None);
    }

    #[test]
    fn the_dialogues_own_re_asks_are_word_for_word_repeats_but_not_resent() {
        let want = texts(&["name?", "not a name", "name?"]);
        assert_eq!(seen(&want, &want).unwrap(), Seen::default());
        assert_eq!(word_for_word(&want), 1);
    }
}
