//! One turn of the conversation: collects replies, effects and needs while handlers run.

use super::action::Stamp;
use super::{Button, Context, Effect, Lookup, Need, Outcome, Reply, Session, State};
use crate::i18n::{Html, Lang, K};

pub struct Turn<'a> {
    pub ctx: &'a Context<'a>,
    pub lang: Lang,
    pub rev: u32,
    replies: Vec<Reply>,
    effects: Vec<Effect>,
    need: Option<Need>,
}

impl<'a> Turn<'a> {
    pub fn new(session: &Session, ctx: &'a Context<'a>) -> Turn<'a> {
        Turn {
            ctx,
            lang: session.lang,
            rev: session.rev,
            replies: Vec::new(),
            effects: Vec::new(),
            need: None,
        }
    }

    pub fn t(&self, key: K) -> Html {
        self.ctx.texts.get(self.lang, key)
    }

    /// A text as plain text, for a button label.
    pub fn label(&self, key: K) -> String {
        crate::i18n::to_plain(self.ctx.texts.template(self.lang, key))
    }

    pub fn fill(&self, key: K, args: &[(&str, Html)]) -> Html {
        self.ctx.texts.fill(self.lang, key, args)
    }

    pub fn say(&mut self, key: K) {
        let text = self.t(key);
        self.say_html(text);
    }

    pub fn say_html(&mut self, text: Html) {
        self.replies.push(Reply::text(text));
    }

    pub fn say_with_buttons(&mut self, text: Html, buttons: Vec<Vec<Button>>) {
        self.replies.push(Reply {
            buttons,
            ..Reply::text(text)
        });
    }

    pub fn say_reply(&mut self, reply: Reply) {
        self.replies.push(reply);
    }

    pub fn button(&self, key: K, action: &str) -> Button {
        Button {
            label: self.label(key),
            payload: action.to_owned(),
        }
    }

    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// The engine's answer to `need`; `None` (and the need recorded) when not loaded yet: the
    /// caller then returns at once, and the engine runs the message again with the answer.
    pub fn lookup(&mut self, need: Need) -> Option<Lookup> {
        match self.ctx.answer(&need) {
            Some(found) => Some(found.clone()),
            None => {
                self.need.get_or_insert(need);
                None
            }
        }
    }

    /// Ends the turn: a changed state gets a new revision, and every button is stamped with
    /// the revision it belongs to.
    pub fn finish(self, before: &Session, state: State) -> Outcome {
        let rev = if state != before.state {
            before.rev.wrapping_add(1)
        } else {
            before.rev
        };
        let stamp = |row: Vec<Button>| -> Vec<Button> {
            row.into_iter()
                .map(|b| Button {
                    label: b.label,
                    payload: Stamp::Revision(rev).write(&b.payload),
                })
                .collect()
        };
        let replies = self
            .replies
            .into_iter()
            .map(|reply| Reply {
                buttons: reply.buttons.clone().into_iter().map(stamp).collect(),
                ..reply
            })
            .collect();
        Outcome {
            session: Session {
                lang: self.lang,
                rev,
                state,
            },
            replies,
            effects: self.effects,
            need: self.need,
        }
    }
}
