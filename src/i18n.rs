//! User-facing text. Every sentence the bot says lives in `dialogues/<lang>.toml`, keyed by
//! the names in [`K`]; the code never holds a sentence of its own.
//!
//! Texts use a small markup that every adapter understands: `<b>…</b>`, `<i>…</i>` and the
//! entities `&amp; &lt; &gt;`. Telegram sends it as HTML; the console and Zalo strip it.

use std::collections::HashMap;
use std::fmt;

/// The languages cnscd speaks. Vietnamese is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Vi => include_str!("../dialogues/vi.toml"),
            Lang::En => include_str!("../dialogues/en.toml"),
        }
    }
}

/// Markup that is safe to send: user text goes in through [`Html::text`], which escapes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Html(String);

impl Html {
    pub fn text(plain: &str) -> Html {
        Html(escape(plain))
    }

    /// Markup built from templates (already safe).
    pub fn markup(markup: String) -> Html {
        Html(markup)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn escape(plain: &str) -> String {
    plain
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Turns markup back into plain text, for channels without formatting.
pub fn to_plain(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

macro_rules! text_keys {
    ($($variant:ident = $key:literal,)*) => {
        /// The name of every text the code uses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum K { $($variant,)* }

        impl K {
            pub const ALL: &'static [K] = &[$(K::$variant,)*];

            pub fn key(self) -> &'static str {
                match self { $(K::$variant => $key,)* }
            }
        }
    };
}

include!("i18n_keys.rs");

#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("dialogues/{lang}.toml is not valid TOML")]
    Syntax {
        lang: &'static str,
        #[source]
        source: toml::de::Error,
    },
    #[error("dialogues/{lang}.toml has no text for {key:?}")]
    Missing {
        lang: &'static str,
        key: &'static str,
    },
}

/// All texts of all languages, checked complete when loaded.
#[derive(Debug, Clone)]
pub struct Texts {
    by_lang: HashMap<&'static str, Vec<String>>,
}

impl Texts {
    pub fn load() -> Result<Texts, TextsError> {
        let mut by_lang = HashMap::new();
        for lang in Lang::ALL {
            let table: HashMap<String, String> =
                toml::from_str(lang.source()).map_err(|source| TextsError::Syntax {
                    lang: lang.code(),
                    source,
                })?;
            let texts = K::ALL
                .iter()
                .map(|k| {
                    table.get(k.key()).cloned().ok_or(TextsError::Missing {
                        lang: lang.code(),
                        key: k.key(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            by_lang.insert(lang.code(), texts);
        }
        Ok(Texts { by_lang })
    }

    /// The raw template; placeholders not filled.
    pub fn template(&self, lang: Lang, key: K) -> &str {
        &self.by_lang[lang.code()][key as usize]
    }

    /// A text without placeholders.
    pub fn get(&self, lang: Lang, key: K) -> Html {
        Html::markup(self.template(lang, key).to_owned())
    }

    /// A text with its `{name}` placeholders filled, in one pass: a value that itself
    /// contains `{name}` (user text) is never filled again.
    pub fn fill(&self, lang: Lang, key: K, args: &[(&str, Html)]) -> Html {
        let template = self.template(lang, key);
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                args.iter()
                    .find(|(name, _)| *name == &after[..close])
                    .map(|(_, v)| (close, v))
            });
            match value {
                Some((close, value)) => {
                    out.push_str(value.as_str());
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Html::markup(out)
    }
}

/// The `{placeholders}` a template expects.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut found: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_every_language_with_the_same_placeholders() {
        let texts = Texts::load().expect("dialogues load");
        for &key in K::ALL {
            let vi = placeholders(texts.template(Lang::Vi, key));
            let en = placeholders(texts.template(Lang::En, key));
            assert_eq!(
                vi,
                en,
                "placeholders of {:?} differ between vi and en",
                key.key()
            );
        }
    }

    #[test]
    fn dialogue_files_hold_no_text_the_code_does_not_use() {
        for lang in Lang::ALL {
            let table: HashMap<String, String> = toml::from_str(lang.source()).unwrap();
            for key in table.keys() {
                assert!(
                    K::ALL.iter().any(|k| k.key() == key),
                    "dialogues/{}.toml has unused key {key:?}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_filled_again() {
        let texts = Texts::load().unwrap();
        let filled = texts.fill(
            Lang::En,
            K::PhoneDuplicate,
            &[("phone", Html::text("{name}")), ("name", Html::text("An"))],
        );
        assert!(filled.as_str().contains("{name}"), "{}", filled.as_str());
        assert!(filled.as_str().contains("for An"), "{}", filled.as_str());
    }

    #[test]
    fn user_text_is_escaped_and_plain_rendering_reverses_it() {
        let html = Html::text("<b>Tom & Jerry</b>");
        assert_eq!(html.as_str(), "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;");
        assert_eq!(to_plain(&format!("<b>{html}</b>")), "<b>Tom & Jerry</b>");
    }
}
