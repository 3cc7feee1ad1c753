//! Zalo's own golden transcripts, `tests/transcripts/zalo/*.txt`: what a Zalo user sees,
//! message by message, as the fake Zalo received it: the plain text, the template's
//! buttons with their kind (an answer, a call, a link), pictures, files and forms. What
//! only Zalo does is written here: group chats, pasted links, numbered lists cut at
//! 2,000 characters, attachment links that expire. `UPDATE_GOLDEN=1` rewrites them.
//!
//! User lines are those of the shared transcripts (see [`super`]), and also `> (group TEXT)`
//! (said in a group chat the OA is in), `> (link URL)` (a pasted link) and `> (expired-pdf
//! NAME)` (a PDF whose link stopped working before cnscd fetched it). Scene lines are
//! theirs too, and also: `! villages N` (first line: Xã Đại Sơn has N villages), `! expire
//! NAME` (the fake stops serving a file the user sent), `! scan VILLAGE` (whether the
//! team's decision scan is kept, and the same bytes as were sent).

use std::collections::HashMap;
use std::fmt::Write;

use cnscd::storage::scratch::ScratchDb;
use serde_json::Value;

use super::{Replay, VILLAGES};
use crate::support::zalo_app::spawn_zalo_app_on;

/// The villages of a transcript: the shared ones, and up to N in Xã Đại Sơn with
/// `! villages N`.
fn villages(script: &str) -> String {
    let mut csv = VILLAGES.to_owned();
    let wanted = script
        .lines()
        .find_map(|l| l.strip_prefix("! villages "))
        .map(|n| n.trim().parse::<usize>().expect("a number of villages"));
    for i in 3..=wanted.unwrap_or(0) {
        let _ = writeln!(csv, "11083,Thôn Đại Sơn {i},11083-{i:02}");
    }
    csv
}

async fn replay(name: &str) -> String {
    let path = golden_path(name);
    let script = std::fs::read_to_string(&path).expect("transcript");
    let db = ScratchDb::sqlite().expect("scratch SQLite");
    let app = spawn_zalo_app_on(db, &villages(&script)).await;
    let mut replay = Replay {
        app,
        users: HashMap::new(),
        chat: "1".into(),
        code: String::new(),
        read: HashMap::new(),
        history: HashMap::new(),
    };
    let mut out = String::new();
    for line in script.lines() {
        let kept = line.starts_with('>') || line.starts_with('!') || line.starts_with('#');
        if kept || line.is_empty() {
            out.push_str(line);
            out.push('\n');
        }
        if let Some(scene) = line.strip_prefix("! ") {
            replay.golden_scene(scene, &mut out).await;
        } else if let Some(said) = line.strip_prefix("> ") {
            let before = replay.read.clone();
            let event = replay.event(said).await.expect("an event Zalo sends");
            replay.app.say(&event).await;
            replay.answers().await;
            replay.render_since(&before, &mut out);
        }
    }
    replay.app.destroy().await;
    out
}

impl Replay {
    async fn golden_scene(&mut self, line: &str, out: &mut String) {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "villages" => {}
            "expire" => self.app.zalo.expire_file(arg),
            "scan" => {
                let team = self
                    .app
                    .store
                    .team(arg)
                    .await
                    .expect("team")
                    .expect("a team");
                let file = team.team.decision.file.expect("a decision file");
                let kept = file
                    .sha256
                    .as_deref()
                    .and_then(|s| self.app.store.scan_path(s));
                let bytes = kept.as_ref().map(|p| std::fs::read(p).expect("readable"));
                let _ = writeln!(
                    out,
                    "= {} scan: kept {}, {} bytes in the files folder",
                    file.kind.code(),
                    file.kept,
                    bytes.map_or(0, |b| b.len()),
                );
            }
            _ => self.scene(line).await,
        }
    }

    /// Every message sent since `before` (per user), this chat's first, as Zalo shows them.
    fn render_since(&self, before: &HashMap<String, usize>, out: &mut String) {
        let mut users: Vec<&String> = self.read.keys().collect();
        users.sort_by_key(|u| (**u != self.chat, (*u).clone()));
        let mut any = false;
        for user in users {
            let from = before.get(user).copied().unwrap_or(0);
            for message in self.app.zalo.sent_to(user).iter().skip(from) {
                any = true;
                if *user != self.chat {
                    let _ = writeln!(out, "= to chat {user}:");
                }
                render(message, &self.code, out);
            }
        }
        if !any {
            out.push_str("= (no answer)\n");
        }
    }
}

/// One message as Zalo shows it.
fn render(message: &Value, code: &str, out: &mut String) {
    let hide = |text: &str| match code.is_empty() {
        true => text.to_owned(),
        false => text.replace(code, "$CODE"),
    };
    if let Some(text) = message["text"].as_str() {
        for (i, line) in hide(text).lines().enumerate() {
            match (i, line.is_empty()) {
                (0, _) => out.push_str(&format!("< {line}\n")),
                (_, true) => out.push_str("|\n"),
                (_, false) => out.push_str(&format!("| {line}\n")),
            }
        }
    }
    let attachment = &message["attachment"];
    let payload = &attachment["payload"];
    if let Some(buttons) = payload["buttons"].as_array() {
        for button in buttons {
            let title = button["title"].as_str().unwrap_or_default();
            let what = match button["type"].as_str().unwrap_or_default() {
                "oa.query.hide" | "oa.query.show" => String::new(),
                "oa.open.phone" => format!(" calls {}", button["payload"]["phone_code"]),
                "oa.open.url" => format!(
                    " opens {}",
                    hide(button["payload"]["url"].as_str().unwrap_or_default())
                ),
                other => format!(" ({other})"),
            };
            out.push_str(&format!("  [{title}]{what}\n"));
        }
    } else if let Some(kind) = payload["template_type"].as_str() {
        out.push_str(&format!("  ({kind})\n"));
    } else if attachment["type"] == "file" {
        out.push_str("  (file)\n");
    }
}

fn golden_path(name: &str) -> std::path::PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "transcripts",
        "zalo",
        &format!("{name}.txt"),
    ]
    .iter()
    .collect()
}

async fn check(name: &str) {
    let actual = replay(name).await;
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("golden");
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "zalo/{name}: what Zalo showed changed (UPDATE_GOLDEN=1 to accept)"
    );
}

macro_rules! zalo_golden {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                check(stringify!($name)).await;
            }
        )*
    };
}

zalo_golden!(
    a_group_message_is_ignored_and_a_private_one_answered,
    a_pasted_link_is_read_as_the_text_it_carries,
    forty_villages_are_listed_once_and_numbered_once,
    a_scan_is_kept_after_zalos_link_expires_and_then_reported,
);
