//! The golden transcripts of `tests/transcripts/`, replayed over the Zalo Bot: every user
//! line becomes a Zalo Bot message (taken by cnscd's long polling, or POSTed to its webhook),
//! every answer comes back through the outbox and the Zalo Bot channel to the fake, and the
//! user must see the same words and the same choices as the transcript (as plain text: the
//! bot shows no markup).
//!
//! The bot has no buttons: every choice is a numbered option, and a transcript's button
//! press is answered by typing its number. What the Zalo Bot cannot do is skipped with the
//! answers to it: a document (users can send the bot pictures only; a transcript's PDF scan
//! is sent as a picture, which the same question takes), an empty message, a forged button
//! payload (the bot has no payloads to forge), and a button of an earlier message (a typed
//! number answers the last question only). Messages to other chats (notices) are not compared here: the transcripts print them
//! from the outbox. Every picture the bot sent must have been fetched by the fake as a PNG
//! from its signed link.
//!
//! Not replayed, because the Zalo Bot cannot do what they are about: sharing one's own
//! contact card, which proves a number is one's own (`a_member_shows_or_hides_their_own_
//! number`, `whose_word_publishes_a_number_the_leader_included`,
//! `edit_and_remove_members_after_registration`, `stray_input_changes_nothing`), a village
//! list sent as a CSV file and buttons of older messages
//! (`a_commune_official_keeps_the_village_list_and_invites_heads`), and the Telegram deep
//! links of `invitations_made_in_chat_carry_their_link_and_a_captioned_qr_code` (the engine
//! gives a Zalo Bot chat the Telegram bot's link when one is set, and typed codes are
//! for one channel only).

use std::collections::HashMap;

use cnscd::storage::scratch::ScratchDb;
use cnscd_fakes::zalo_bot::Sent;
use serde_json::Value;

use super::app::{spawn_zalo_bot_app_on, Mode, ZaloBotApp};
use crate::zalo::conversation::expected::expected;
use crate::zalo::conversation::Seen;

/// The villages of the transcripts (see `tests/blackbox/transcripts/`).
const VILLAGES: &str = "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n11083,Thôn Tây Sơn,11083-02\n11074,Thôn Đông,11074-01\n11086,Thôn Đông,11086-01\n11089,Thôn Đông,11089-01\n11092,Thôn Đông,11092-01\n11095,Thôn Đông,11095-01\n11098,Thôn Đông,11098-01\n11101,Thôn Đông,11101-01\n11110,Thôn Đông,11110-01\n11113,Thôn Đông,11113-01\n";

/// What ends a list of options (`zalo_choice_hint`), in either language.
const HINTS: [&str; 2] = [
    "(gõ số hoặc tên lựa chọn để trả lời)",
    "(type a number or an option's name to answer)",
];

struct Replay {
    app: ZaloBotApp,
    chat: String,
    code: String,
    /// Messages already read, per chat.
    read: HashMap<String, usize>,
}

async fn replay_over_zalo_bot(name: &str, mode: Mode) {
    replay_on(ScratchDb::sqlite().expect("scratch SQLite"), name, mode).await;
}

async fn replay_on(db: ScratchDb, name: &str, mode: Mode) {
    let path = format!(
        "{}/tests/transcripts/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let script = std::fs::read_to_string(&path).expect("transcript");
    let app = spawn_zalo_bot_app_on(db, VILLAGES, mode).await;
    let mut replay = Replay {
        app,
        chat: "1".into(),
        code: String::new(),
        read: HashMap::new(),
    };
    let mut turns = expected(&script).into_iter();
    let mut compared = 0;
    for line in script.lines() {
        if let Some(scene) = line.strip_prefix("! ") {
            replay.scene(scene).await;
            continue;
        }
        let Some(said) = line.strip_prefix("> ") else {
            continue;
        };
        let (_, expected) = turns.next().expect("a turn per user line");
        let Some(update) = replay.update(said).await else {
            // What the bot cannot be sent is skipped, and the answers to it with it.
            replay.answers().await;
            continue;
        };
        replay.app.say(&update).await;
        let actual = replay.answers().await;
        pretty_assertions::assert_eq!(
            expected,
            actual,
            "{name}: after `> {said}`, the Zalo Bot showed something else"
        );
        compared += 1;
    }
    assert!(compared > 5, "{name}: only {compared} turns compared");
    for sent in replay.app.bot.sent() {
        if let Some((url, png)) = &sent.photo {
            assert!(png, "{name}: the picture at {url} was not served as a PNG");
        }
    }
    eprintln!("{name}: {compared} turns compared over the Zalo Bot ({mode:?})");
    replay.app.destroy().await;
}

impl Replay {
    async fn scene(&mut self, line: &str) {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "invite" => {
                let (role, unit) = match arg.split_once(' ') {
                    Some((role, unit)) => {
                        (cnscd::domain::AccountRole::parse(role).expect("role"), unit)
                    }
                    None => (cnscd::domain::AccountRole::VillageHead, arg),
                };
                let now = cnscd::clock::Clock::now(self.app.clock.as_ref());
                self.code = cnscd::invitation::create_invitation(
                    &self.app.store,
                    role,
                    unit,
                    chrono::Duration::days(14),
                    "test",
                    now,
                )
                .await
                .expect("invitation")
                .code;
            }
            "chat" => self.chat = arg.to_owned(),
            "now" => self.app.clock.set(
                chrono::DateTime::parse_from_rfc3339(arg)
                    .expect("time")
                    .with_timezone(&chrono::Utc),
            ),
            "restart" => {
                self.app.stop().await;
                self.app.start().await;
            }
            "erase" => {
                let mut said = Vec::new();
                cnscd::cli::privacy::erase(&self.app.engine, arg, &mut said)
                    .await
                    .expect("erased");
            }
            // What the transcripts print from the database: not a conversation.
            "team" | "audit" | "outbox" | "traces" => {}
            other => panic!("`! {other}` is not replayed over the Zalo Bot"),
        }
    }

    /// The update a transcript's user line becomes; `None` for what the bot cannot be sent.
    async fn update(&mut self, said: &str) -> Option<Value> {
        let said = said.replace("$CODE", &self.code);
        let bot = &self.app.bot;
        if let Some(label) = said.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            if label.starts_with("old:") {
                return None;
            }
            let number = self.number_of(label).await?;
            return Some(bot.text(&self.chat, &number.to_string()));
        }
        let Some(special) = said.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
            return Some(bot.text(&self.chat, &said));
        };
        let (kind, arg) = special.split_once(' ').unwrap_or((special, ""));
        Some(match kind {
            "sticker" => bot.sticker(&self.chat),
            "photo" => bot.photo(&self.chat, &format!("{arg}.jpg"), b"\xff\xd8jpeg".to_vec()),
            "pdf" => bot.photo(&self.chat, &format!("{arg}.jpg"), b"\xff\xd8scan".to_vec()),
            "empty" => return None,
            "long" => bot.text(&self.chat, &"a".repeat(arg.parse().expect("length"))),
            _ => return None,
        })
    }

    /// The number a user types to choose `label`: its place among the chat's remembered
    /// choices.
    async fn number_of(&self, label: &str) -> Option<usize> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT choices FROM chat_choices WHERE channel = 'zalo_bot' AND chat_id = $1",
        )
        .bind(&self.chat)
        .fetch_optional(self.app.store.pool())
        .await
        .expect("remembered choices");
        let choices: Value = serde_json::from_str(&json?).expect("choices");
        choices["buttons"]
            .as_array()?
            .iter()
            .position(|b| b["label"] == label)
            .map(|i| i + 1)
    }

    /// The labels of the chat's remembered choices.
    async fn remembered(&self) -> Vec<String> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT choices FROM chat_choices WHERE channel = 'zalo_bot' AND chat_id = $1",
        )
        .bind(&self.chat)
        .fetch_optional(self.app.store.pool())
        .await
        .expect("remembered choices");
        let Some(json) = json else {
            return Vec::new();
        };
        let choices: Value = serde_json::from_str(&json).expect("choices");
        choices["buttons"]
            .as_array()
            .map(|buttons| {
                buttons
                    .iter()
                    .map(|b| b["label"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The answers this chat got since the last look, as the user sees them; other chats'
    /// messages are set aside (notices).
    async fn answers(&mut self) -> Vec<Seen> {
        let mut chats: Vec<String> = self
            .app
            .bot
            .sent()
            .iter()
            .map(|s| s.chat_id.clone())
            .collect();
        chats.sort();
        chats.dedup();
        let mut mine: Vec<Sent> = Vec::new();
        for chat in chats {
            let sent = self.app.bot.sent_to(&chat);
            let from = self.read.insert(chat.clone(), sent.len()).unwrap_or(0);
            if chat == self.chat {
                mine.extend(sent.into_iter().skip(from));
            }
        }
        let texts: Vec<&Sent> = mine
            .iter()
            .filter(|s| s.photo.is_none() && !s.text.contains("\n📎 "))
            .collect();
        let last_with_options = texts.iter().rposition(|s| options_of(&s.text).is_some());
        let mut seen = Vec::new();
        for (i, sent) in texts.iter().enumerate() {
            let (text, listed) = match options_of(&sent.text) {
                Some((body, listed)) => (body, Some(listed)),
                None => (sent.text.clone(), None),
            };
            let labels = match (listed, Some(i) == last_with_options) {
                (None, _) => Vec::new(),
                (Some(_), true) => self.remembered().await,
                (Some(listed), false) => listed,
            };
            let text = without_links(&text);
            if let Some(code) = invitation_code(&text) {
                self.code = code;
            }
            let text = match self.code.is_empty() {
                true => text,
                false => text.replace(&self.code, "$CODE"),
            };
            seen.push((text, labels));
        }
        seen
    }
}

/// A text's body and the options listed after it, when it ends with the hint.
fn options_of(text: &str) -> Option<(String, Vec<String>)> {
    let hint = HINTS.iter().find(|h| text.ends_with(*h))?;
    let rest = text[..text.len() - hint.len()].trim_end_matches('\n');
    let (body, list) = match rest.rsplit_once("\n\n") {
        Some((body, list)) if list.lines().all(numbered) => (body, list),
        _ => (rest, ""),
    };
    let labels = list
        .lines()
        .filter_map(|l| l.split_once(". ").map(|(_, label)| label.to_owned()))
        .collect();
    Some((body.to_owned(), labels))
}

/// `"3. Thôn Đông"` is a numbered option's line.
fn numbered(line: &str) -> bool {
    line.split_once(". ")
        .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
}

/// A text without the links and numbers written out after it (`🔗 …`, `📞 …`).
fn without_links(text: &str) -> String {
    match text.rsplit_once("\n\n") {
        Some((body, after))
            if after
                .lines()
                .all(|l| l.starts_with("🔗 ") || l.starts_with("📞 ")) =>
        {
            body.to_owned()
        }
        _ => text.to_owned(),
    }
}

/// The code an invitation made in chat tells to type after `/start`.
fn invitation_code(text: &str) -> Option<String> {
    let (_, after) = text.split_once("/start ")?;
    let code: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (code.len() >= 12).then_some(code)
}

macro_rules! over_zalo_bot {
    ($mode:expr => $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                replay_over_zalo_bot(stringify!($name), $mode).await;
            }
        )*
    };
}

mod by_polling {
    use super::*;

    over_zalo_bot!(Mode::Polling =>
        a_village_head_registers_a_full_team,
        residents_find_their_team_whatever_the_spelling,
        a_commune_official_registers_the_commune_team,
        a_commune_official_is_told_the_status_reports_give,
        every_wrong_answer_is_refused_with_a_reason,
        back_keep_and_skip_move_between_questions,
        cancel_keeps_a_draft_that_can_be_resumed,
        invitations_are_single_use_and_expire,
        names_are_tidied_and_free_text_needs_letters,
        residents_type_a_place_without_a_command,
    );
}

mod by_webhook {
    use super::*;

    over_zalo_bot!(Mode::Webhook =>
        a_district_official_invites_commune_officials,
        the_founding_decision_is_checked_and_kept_when_saving_again,
        officials_help_lists_what_their_role_may_do,
        officials_see_the_teams_of_their_villages,
        the_official_above_revokes_an_account,
    );
}

/// One replay on PostgreSQL too (skipped without a server): the channel's events and choices
/// behave alike on both engines. (One without a scan: the harness gives PostgreSQL no files
/// folder, so a scan would be asked for again.)
#[tokio::test]
async fn residents_find_their_team_over_the_zalo_bot_on_postgresql() {
    let test = "zalo_bot residents_find_their_team_whatever_the_spelling on PostgreSQL";
    let Some(db) = crate::support::app::scratch(cnscd::storage::Backend::Postgres, test).await
    else {
        return;
    };
    replay_on(
        db,
        "residents_find_their_team_whatever_the_spelling",
        Mode::Webhook,
    )
    .await;
}
