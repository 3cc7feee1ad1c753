//! A person's optional fields, each declared once: its key, whose it is (a member's, the
//! leader's or both), how its answer is read, where it is stored and which texts ask for it
//! and show it. The registration's questions, the draft, storage's SQL, the head's card and
//! the report's listing all read [`DECLARED`]; adding an optional field is an entry here,
//! its column (one migration per engine) and its texts. The required fields (name, phone,
//! role, consent) and the Zalo number, which the channels and erasure look people up by,
//! stay typed on [`super::Member`] and [`super::Team`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::decision::{parse_short_text, FreeTextError};
use crate::i18n::K;

/// Every optional field, in the order they are asked, listed and shown.
pub const DECLARED: &[Declaration] = &[
    // Where a member works or teaches: schools and offices are where residents find them.
    Declaration {
        key: "workplace",
        code: "work",
        holder: Holder::Member,
        column: "workplace",
        asked: true,
        parse: |text| parse_short_text(text, 120).map_err(FieldError::Text),
        ask: K::AskMemberWorkplace,
        help: K::HelpWorkplace,
        menu: K::FieldWorkplace,
        summary: K::SummaryWorkplace,
        report: K::ReportColWorkplace,
    },
];

/// Whose field it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Member,
    Leader,
    /// Asked of every member and of the leader.
    Both,
}

impl Holder {
    pub fn of_member(self) -> bool {
        matches!(self, Holder::Member | Holder::Both)
    }

    pub fn of_leader(self) -> bool {
        matches!(self, Holder::Leader | Holder::Both)
    }
}

/// Why an answer was refused; the conversation says it in the chat's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    Text(FreeTextError),
    /// Not a value of the field's type: `K` says why, without placeholders.
    Invalid(K),
}

/// One optional field.
pub struct Declaration {
    /// Its name in a paused registration's JSON and in the saved step (`member_<key>`,
    /// `leader_<key>`). Never changed: stored chats carry it.
    pub key: &'static str,
    /// Its code in a "change this field" button's payload (short: 64 bytes in all). Never
    /// changed: buttons already sent carry it.
    pub code: &'static str,
    pub holder: Holder,
    /// Its column: in `members` for a member's, `teams.leader_<column>` for the leader's.
    pub column: &'static str,
    /// Asked in the sequence of questions; otherwise only reached from the "change" menu.
    pub asked: bool,
    /// Reads an answer (typically a newtype's `parse`) into the text that is stored.
    pub parse: fn(&str) -> Result<String, FieldError>,
    /// The question, with `{name}`: the person's name.
    pub ask: K,
    pub help: K,
    /// Its button in the review's "change" menu.
    pub menu: K,
    /// How the head's card shows it after the phone number, with `{value}`.
    pub summary: K,
    /// Its column's title in the report's listing.
    pub report: K,
}

impl Declaration {
    /// The column in `members` (of a member's field).
    pub fn member_column(&self) -> &'static str {
        self.column
    }

    /// The column in `teams` (of the leader's field).
    pub fn leader_column(&self) -> String {
        format!("leader_{}", self.column)
    }
}

/// An optional field, by its declaration. Only the declared ones exist.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldKey(&'static str);

impl fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldKey({})", self.0)
    }
}

impl FieldKey {
    /// Every declared field, in order.
    pub fn all() -> impl Iterator<Item = FieldKey> {
        DECLARED.iter().map(|d| FieldKey(d.key))
    }

    /// A member's fields, in order.
    pub fn of_members() -> impl Iterator<Item = FieldKey> {
        FieldKey::all().filter(|k| k.declaration().holder.of_member())
    }

    /// The leader's fields, in order.
    pub fn of_leader() -> impl Iterator<Item = FieldKey> {
        FieldKey::all().filter(|k| k.declaration().holder.of_leader())
    }

    pub fn parse(key: &str) -> Option<FieldKey> {
        FieldKey::all().find(|k| k.0 == key)
    }

    /// The field whose button code is `code`.
    pub fn by_code(code: &str) -> Option<FieldKey> {
        FieldKey::all().find(|k| k.declaration().code == code)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn declaration(self) -> &'static Declaration {
        DECLARED
            .iter()
            .find(|d| d.key == self.0)
            .expect("a FieldKey is made only from a declaration")
    }
}

/// The optional fields answered for one person, as the text each is stored as. Written in
/// a paused registration's JSON beside the person's other fields (`"workplace": "…"`); a
/// field no longer declared is dropped when read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(BTreeMap<FieldKey, String>);

impl Fields {
    pub fn get(&self, key: FieldKey) -> Option<&str> {
        self.0.get(&key).map(String::as_str)
    }

    /// The value of the field named `key` (for tests and exports that name one).
    pub fn named(&self, key: &str) -> Option<&str> {
        self.get(FieldKey::parse(key)?)
    }

    pub fn set(&mut self, key: FieldKey, value: Option<String>) {
        match value {
            Some(value) => self.0.insert(key, value),
            None => self.0.remove(&key),
        };
    }

    /// The same with `key` set to `value`.
    pub fn with(mut self, key: &str, value: &str) -> Fields {
        let key = FieldKey::parse(key).expect("a declared field");
        self.set(key, Some(value.to_owned()));
        self
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key.as_str(), value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a person's optional fields")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Fields::default();
                while let Some(name) = map.next_key::<String>()? {
                    match FieldKey::parse(&name) {
                        Some(key) => fields.set(key, map.next_value::<Option<String>>()?),
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_codes_and_columns_are_each_declared_once() {
        let mut seen = std::collections::HashSet::new();
        for d in DECLARED {
            assert!(seen.insert(("key", d.key)), "key {}", d.key);
            assert!(seen.insert(("code", d.code)), "code {}", d.code);
            assert!(seen.insert(("column", d.column)), "column {}", d.column);
            assert!(d.code.len() <= 12, "{}: a short button code", d.key);
            let snake = |s: &str| s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(snake(d.key) && snake(d.column), "{}: snake_case", d.key);
        }
    }

    /// The question may name the person, the card shows the value, the other texts are
    /// plain; the i18n test asks for each in both languages.
    #[test]
    fn every_declaration_has_its_texts_with_their_placeholders() {
        use crate::i18n::{placeholders, Lang, Texts};
        let texts = Texts::load().expect("dialogues load");
        for d in DECLARED {
            for lang in Lang::ALL {
                let summary = texts.template(lang, d.summary);
                assert_eq!(placeholders(summary), ["value"], "{}: {summary}", d.key);
                let ask = texts.template(lang, d.ask);
                assert!(
                    placeholders(ask).iter().all(|p| *p == "name"),
                    "{}: {ask}",
                    d.key
                );
                for key in [d.help, d.menu, d.report] {
                    let text = texts.template(lang, key);
                    assert!(
                        !text.is_empty() && placeholders(text).is_empty(),
                        "{}",
                        d.key
                    );
                }
            }
        }
    }

    #[test]
    fn fields_are_written_by_key_and_read_back_without_empty_or_unknown_ones() {
        let key = FieldKey::all().next().expect("a declared field");
        let mut fields = Fields::default();
        fields.set(key, Some("x".into()));
        let json = serde_json::to_value(&fields).unwrap();
        assert_eq!(json, serde_json::json!({ key.as_str(): "x" }));
        let read: Fields = serde_json::from_value(json).unwrap();
        assert_eq!(read, fields);
        let older = serde_json::json!({ key.as_str(): null, "no_longer_declared": 3 });
        let read: Fields = serde_json::from_value(older).unwrap();
        assert_eq!(read, Fields::default());
    }
}
