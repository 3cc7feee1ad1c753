//! What the console prints: replies as plain text with numbered buttons, saved pictures,
//! and its own hints in the chat's language.

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{Console, ConsoleError};
use crate::conversation::Choices;
use crate::conversation::{Button, Reply};
use crate::i18n::{to_plain, K};

impl<W: AsyncWrite + Unpin> Console<'_, W> {
    pub(super) async fn print(&mut self, replies: &[Reply]) -> Result<(), ConsoleError> {
        let replies = replies.to_vec();
        let hint = if replies.iter().any(|r| !r.buttons.is_empty()) {
            Some(self.text(K::ConsoleChoiceHint).await?)
        } else {
            None
        };
        let (text, choices) = render(&replies, hint.as_deref());
        self.choices = Choices {
            buttons: choices,
            numbered: true,
        };
        self.remember_choices().await?;
        self.write(&text).await?;
        self.extras(&replies).await
    }

    /// What a terminal cannot show inline: a picture is saved to a file, and a request for the
    /// user's contact says how to send one.
    async fn extras(&mut self, replies: &[Reply]) -> Result<(), ConsoleError> {
        for reply in replies {
            let images = reply.image.iter().map(|file| (file, K::ConsoleImageSaved));
            let documents = reply
                .document
                .iter()
                .map(|file| (file, K::ConsoleFileSaved));
            for (file, said) in images.chain(documents) {
                let path = crate::files::private_dir()?.join(&file.file_name);
                crate::files::write_private(&path, &file.bytes)?;
                let saved = self.fill(said, "path", &path.display().to_string()).await?;
                self.write(&format!("{saved}\n\n")).await?;
            }
            if reply.ask_contact.is_some() {
                let hint = self.text(K::ConsoleShareContact).await?;
                self.write(&format!("{hint}\n\n")).await?;
            }
        }
        Ok(())
    }

    async fn fill(&self, key: K, name: &str, value: &str) -> Result<String, ConsoleError> {
        let lang = self.engine.session(&self.chat).await?.lang;
        let filled = self
            .engine
            .texts()
            .fill(lang, key, &[(name, crate::i18n::Html::text(value))]);
        Ok(to_plain(filled.as_str()))
    }

    /// A console text in the chat's language.
    pub(super) async fn text(&self, key: K) -> Result<String, ConsoleError> {
        let lang = self.engine.session(&self.chat).await?.lang;
        Ok(to_plain(self.engine.texts().get(lang, key).as_str()))
    }

    pub(super) async fn say(&mut self, key: K) -> Result<(), ConsoleError> {
        let text = self.text(key).await?;
        self.write(&format!("{text}\n\n")).await
    }

    pub(super) async fn write(&mut self, text: &str) -> Result<(), ConsoleError> {
        self.out.write_all(text.as_bytes()).await?;
        self.out.flush().await?;
        Ok(())
    }
}

/// The replies as plain text, every button numbered across them, and those buttons.
fn render(replies: &[Reply], hint: Option<&str>) -> (String, Vec<Button>) {
    let mut text = String::new();
    let mut choices = Vec::new();
    for reply in replies {
        text.push_str(&to_plain(reply.text.as_str()));
        text.push('\n');
        for button in reply.buttons.iter().flatten() {
            choices.push(button.clone());
            text.push_str(&format!("  [{}] {}\n", choices.len(), button.label));
        }
        text.push('\n');
    }
    if let Some(hint) = hint {
        text.push_str(&format!("{hint}\n\n"));
    }
    (text, choices)
}
