//! Buttons on channels that cannot press them: the console shows them as numbered options,
//! Zalo as numbered options when it has more than its template allows. An answer that is one
//! of those numbers, or a button's label (without case, diacritics, punctuation or emoji:
//! "xac nhan" presses "✅ Xác nhận"), presses that button.

use serde::{Deserialize, Serialize};

use crate::conversation::{Button, Incoming, Reply};
use crate::domain::text::label_key;

/// The buttons of a chat's last answer, in the order they were shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub buttons: Vec<Button>,
    /// Whether they were shown with numbers (a typed number then presses one).
    pub numbered: bool,
}

impl Choices {
    /// Every button of `replies`, in order.
    pub fn of(replies: &[Reply], numbered: bool) -> Choices {
        Choices {
            buttons: replies
                .iter()
                .flat_map(|r| r.buttons.iter().flatten())
                .cloned()
                .collect(),
            numbered,
        }
    }

    /// The button a typed line names, if any.
    pub fn choose(&self, line: &str) -> Option<&Button> {
        let line = line.trim();
        if let Ok(number) = line.parse::<usize>() {
            // Buttons that are numbers themselves (how many people were helped): a typed
            // number is that number, pressed only where a button says it, never a position.
            if self
                .buttons
                .iter()
                .any(|b| b.label.trim().parse::<usize>().is_ok())
            {
                return self.buttons.iter().find(|b| b.label.trim() == line);
            }
            return if self.numbered {
                number.checked_sub(1).and_then(|i| self.buttons.get(i))
            } else {
                None
            };
        }
        let wanted = label_key(line);
        if wanted.is_empty() {
            return None;
        }
        self.buttons.iter().find(|b| label_key(&b.label) == wanted)
    }

    /// `incoming` with a typed choice read as the press of its button.
    pub fn read(&self, incoming: Incoming) -> Incoming {
        match incoming {
            Incoming::Text(text) => match self.choose(&text) {
                Some(button) => Incoming::Button(button.payload.clone()),
                None => Incoming::Text(text),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(numbered: bool) -> Choices {
        let button = |label: &str, payload: &str| Button {
            label: label.into(),
            payload: payload.into(),
        };
        Choices {
            buttons: vec![
                button("✅ Xác nhận", "3:ok"),
                button("« Quay lại", "3:back"),
            ],
            numbered,
        }
    }

    #[test]
    fn a_label_typed_without_diacritics_or_emoji_presses_its_button() {
        let read = choices(false).read(Incoming::Text("xac nhan".into()));
        assert_eq!(read, Incoming::Button("3:ok".into()));
    }

    #[test]
    fn a_number_presses_a_button_only_where_numbers_were_shown() {
        assert_eq!(
            choices(true).read(Incoming::Text(" 2 ".into())),
            Incoming::Button("3:back".into())
        );
        assert_eq!(
            choices(false).read(Incoming::Text("2".into())),
            Incoming::Text("2".into())
        );
        assert_eq!(
            choices(true).read(Incoming::Text("9".into())),
            Incoming::Text("9".into())
        );
    }

    #[test]
    fn other_text_stays_text() {
        assert_eq!(
            choices(true).read(Incoming::Text("Nguyễn Văn An".into())),
            Incoming::Text("Nguyễn Văn An".into())
        );
    }

    #[test]
    fn a_number_typed_among_buttons_that_are_numbers_is_that_number_not_a_position() {
        let choices = Choices {
            buttons: [1, 2, 3, 5, 10]
                .map(|n| Button {
                    label: n.to_string(),
                    payload: format!("7:log:n:{n}"),
                })
                .to_vec(),
            numbered: true,
        };
        assert_eq!(
            choices.read(Incoming::Text("5".into())),
            Incoming::Button("7:log:n:5".into())
        );
        assert_eq!(
            choices.read(Incoming::Text("4".into())),
            Incoming::Text("4".into())
        );
    }
}
