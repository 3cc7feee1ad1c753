//! User lines (`> …`): what the user says or presses, handed to the engine.

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::{FileKind, FileUpload, Incoming, Reply, Stamp, UnsupportedKind};

use super::render::{render, render_extras};
use super::Scene;

impl Scene {
    fn incoming(&self, said: &str) -> Option<Incoming> {
        let said = said.replace("$CODE", &self.code);
        if let Some(label) = said.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            return self.button(label).map(Incoming::Button);
        }
        let Some(special) = said.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
            return Some(Incoming::Text(said));
        };
        let (kind, arg) = special.split_once(' ').unwrap_or((special, ""));
        let file = |kind| {
            Incoming::File(FileUpload {
                file_id: arg.to_owned(),
                kind,
                sha256: Some(format!("sha-of-{arg}")),
                // As the pipeline hands a downloaded scan to the core: kept.
                kept: true,
                content: None,
                too_large: false,
                fetched: false,
            })
        };
        Some(match kind {
            "sticker" => Incoming::Unsupported(UnsupportedKind::Sticker),
            "voice" => Incoming::Unsupported(UnsupportedKind::Voice),
            "location" => Incoming::Unsupported(UnsupportedKind::Location),
            "photo" => file(FileKind::Photo),
            "pdf" => file(FileKind::Pdf),
            "document" => file(FileKind::Other),
            "contact" => Incoming::Contact {
                phone: arg.to_owned(),
                own: true,
            },
            "contact-of" => Incoming::Contact {
                phone: arg.to_owned(),
                own: false,
            },
            "csv" => Incoming::File(FileUpload {
                file_id: "villages.csv".into(),
                kind: FileKind::Other,
                sha256: None,
                kept: false,
                content: Some(arg.replace('|', "\n").into_bytes()),
                too_large: false,
                fetched: false,
            }),
            "too-large" => Incoming::File(FileUpload {
                file_id: arg.to_owned(),
                kind: FileKind::Other,
                sha256: None,
                kept: false,
                content: None,
                too_large: true,
                fetched: false,
            }),
            "empty" => Incoming::Text(String::new()),
            "long" => Incoming::Text("a".repeat(arg.parse().expect("length"))),
            "payload" => Incoming::Button(arg.to_owned()),
            other => panic!("unknown input `({other})`"),
        })
    }

    /// The payload of the button labelled `label` on the latest message that has buttons
    /// (or, for `old:label`, on any message before that one).
    fn button(&self, label: &str) -> Option<String> {
        let with_buttons = |r: &&Reply| !r.buttons.is_empty();
        let replies = self.replies.get(&self.chat)?;
        let latest = replies.iter().rposition(|r| with_buttons(&r));
        let (label, candidates) = match (label.strip_prefix("old:"), latest) {
            (Some(label), Some(latest)) => (label, &replies[..latest]),
            (None, Some(latest)) => (label, &replies[latest..=latest]),
            (_, None) => return None,
        };
        candidates
            .iter()
            .rev()
            .find_map(|r| r.buttons.iter().flatten().find(|b| b.label == label))
            .map(|b| b.payload.clone())
    }

    pub(super) async fn say(&mut self, said: &str, out: &mut String) {
        let chat = ChatKey::new(ChannelName::Console, self.chat.clone());
        // A forged button: a payload no message offered, stamped with the current revision so
        // only the access checks can stop it.
        let forged = match said
            .strip_prefix("(forged ")
            .and_then(|s| s.strip_suffix(')'))
        {
            Some(action) => {
                let rev = self.app.engine.session(&chat).await.expect("session").rev;
                Some(Incoming::Button(Stamp::Revision(rev).write(action)))
            }
            None => None,
        };
        let Some(incoming) = forged.or_else(|| self.incoming(said)) else {
            panic!("{out}\n^^^ the transcript so far; no button {said} to press");
        };
        self.update += 1;
        let replies = self
            .app
            .engine
            .handle(&chat, Some(&self.update.to_string()), incoming)
            .await
            .expect("engine");
        for reply in &replies {
            // An invitation made in chat: its random code becomes `$CODE` for what follows.
            if let Some(code) = invitation_code(reply.text.as_str()) {
                self.code = code.to_owned();
            }
            let mut shown = String::new();
            render(reply, &mut shown);
            if self.code.is_empty() {
                out.push_str(&shown);
            } else {
                out.push_str(&shown.replace(&self.code, "$CODE"));
            }
        }
        for reply in &replies {
            let mut shown = String::new();
            render_extras(reply, &mut shown);
            match self.code.is_empty() {
                true => out.push_str(&shown),
                false => out.push_str(&shown.replace(&self.code, "$CODE")),
            }
        }
        self.replies
            .entry(self.chat.clone())
            .or_default()
            .extend(replies);
    }
}

/// The code of an invitation reply: the text between `<code>` and `</code>`.
fn invitation_code(text: &str) -> Option<&str> {
    let start = text.find("<code>")? + "<code>".len();
    let end = text[start..].find("</code>")? + start;
    Some(&text[start..end])
}
