//! Invitation codes as people type them: copied from paper in any case, grouped with spaces
//! or dashes, after a word ("MOI …", "Mã mời: …") or inside a pasted invitation with its link.
//! One reading of a text decides whether it carries a code, so no two parts of the bot can
//! disagree about it.

use rand::Rng;
use sha2::{Digest, Sha256};

/// The symbols of a code: digits and capitals without look-alikes (no 0/O, no 1/I/L).
pub const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Symbols in a code: 31^20 ≈ 2^99, less the few codes without two digits and two letters.
pub const LENGTH: usize = 20;
/// A code is shown in groups of this many symbols, joined by dashes: `K7QM-2XPA-…`.
const GROUP: usize = 4;
/// A code holds at least this many digits and this many letters: words, names and numbers
/// do not.
const AT_LEAST_OF_EACH: usize = 2;
/// Codes made before the typable ones: 24 letters and digits, case-sensitive, hashed as given.
const OLD_LENGTH: usize = 24;
/// Longer texts are not read for a code (a pasted invitation is far shorter).
const MAX_TEXT_BYTES: usize = 4096;
/// At most this many words after "MOI" make up one code (`K7QM 2XPA 3BCD 4EFG 5HJK`).
const MAX_WORDS: usize = LENGTH / GROUP;

/// An invitation code of a well-formed shape (whether it exists is the database's to say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationCode {
    /// A code a person can type: its canonical form, upper case without separators.
    Typable(String),
    /// A code made before: exactly as it was given.
    Old(String),
}

impl InvitationCode {
    /// A candidate read as a code: the typable form in any case, with spaces or dashes
    /// between its groups of four (groups may run together), or an old code exactly as it
    /// was given.
    pub fn parse(candidate: &str) -> Option<InvitationCode> {
        let candidate = candidate.trim();
        if candidate.len() > LENGTH * 3 {
            return None;
        }
        // Copied from paper, groups may run together but are not split: words of any
        // length (a name, an address) do not make up a code.
        let mut groups = candidate
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|g| !g.is_empty());
        let grouped = groups.all(|g| g.len() % GROUP == 0);
        let symbols: String = candidate
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if grouped && is_typable(&symbols) {
            return Some(InvitationCode::Typable(symbols));
        }
        is_old(candidate).then(|| InvitationCode::Old(candidate.to_owned()))
    }

    /// What is hashed and stored: the canonical form of a typable code, an old one as given.
    pub fn canonical(&self) -> &str {
        match self {
            InvitationCode::Typable(symbols) => symbols,
            InvitationCode::Old(code) => code,
        }
    }

    /// The SHA-256 the invitation is stored under (the code itself never is).
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.canonical().as_bytes()))
    }

    /// As people are shown it: a typable code in groups of four joined by dashes (valid in a
    /// Telegram deep link, which takes `[A-Za-z0-9_-]`), an old one as it was.
    pub fn shown(&self) -> String {
        match self {
            InvitationCode::Typable(symbols) => symbols
                .as_bytes()
                .chunks(GROUP)
                .map(|group| String::from_utf8_lossy(group).into_owned())
                .collect::<Vec<_>>()
                .join("-"),
            InvitationCode::Old(code) => code.clone(),
        }
    }
}

fn is_typable(symbols: &str) -> bool {
    symbols.len() == LENGTH
        && symbols.bytes().all(|b| ALPHABET.contains(&b))
        && symbols.bytes().filter(u8::is_ascii_digit).count() >= AT_LEAST_OF_EACH
        && symbols.bytes().filter(u8::is_ascii_alphabetic).count() >= AT_LEAST_OF_EACH
}

fn is_old(code: &str) -> bool {
    code.len() == OLD_LENGTH
        && code.chars().all(|c| c.is_ascii_alphanumeric())
        && code.chars().any(|c| c.is_ascii_digit())
        && code.chars().any(|c| c.is_ascii_alphabetic())
}

/// The invitation code a typed or pasted message carries: the whole message (`k7qm 2xpa …`),
/// the `start=` of a pasted link, the words after "MOI" / "Mã mời" / "code", or any one word
/// of it shaped like a code (a pasted invitation). Only what has the shape of a code counts,
/// so names, phone numbers, place names and 8-digit link codes never do.
pub fn code_in(text: &str) -> Option<InvitationCode> {
    let text = text.trim();
    if text.len() > MAX_TEXT_BYTES {
        return None;
    }
    InvitationCode::parse(text)
        .or_else(|| start_parameter(text))
        .or_else(|| after_keyword(text))
        .or_else(|| {
            text.split_whitespace()
                .find_map(|w| InvitationCode::parse(bare(w)))
        })
}

/// The code of a pasted deep link, `…?start=CODE`.
fn start_parameter(text: &str) -> Option<InvitationCode> {
    text.match_indices("start=").find_map(|(at, key)| {
        let value = &text[at + key.len()..];
        let end = value
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(value.len());
        InvitationCode::parse(&value[..end])
    })
}

/// A code typed in groups after a word that names it: "MOI k7qm 2xpa 3bcd 4efg 5hjk".
fn after_keyword(text: &str) -> Option<InvitationCode> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().find_map(|(i, word)| {
        let folded = crate::domain::text::fold(word);
        if !["moi", "ma", "code", "invite", "invitation"].contains(&folded.as_str()) {
            return None;
        }
        let rest = &words[i + 1..];
        (1..=MAX_WORDS.min(rest.len())).find_map(|n| {
            let groups: Vec<&str> = rest[..n].iter().map(|w| bare(w)).collect();
            InvitationCode::parse(&groups.join(" "))
        })
    })
}

/// A word without the punctuation around it: `(K7QM-…-5HJK).` is the code.
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_ascii_alphanumeric())
}

/// The SHA-256 a code is stored under: an invitation code's canonical form (however it was
/// typed), anything else (an 8-digit link code) trimmed.
pub fn hash_code(code: &str) -> String {
    match InvitationCode::parse(code) {
        Some(code) => code.sha256(),
        None => hex::encode(Sha256::digest(code.trim().as_bytes())),
    }
}

/// A fresh invitation code, as shown (`K7QM-2XPA-3BCD-4EFG-5HJK`): 20 symbols without
/// look-alikes from the OS-seeded CSPRNG, about 99 bits, typable from paper and valid in a
/// Telegram deep link (`?start=` takes at most 64 of `[A-Za-z0-9_-]`). The rare draw without
/// two digits and two letters is drawn again, so that a code never reads like a word.
pub fn generate_code() -> String {
    let alphabet = ALPHABET;
    loop {
        let symbols: String = (0..LENGTH)
            .map(|_| char::from(alphabet[rand::rngs::OsRng.gen_range(0..alphabet.len())]))
            .collect();
        if let Some(code) = InvitationCode::parse(&symbols) {
            return code.shown();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOWN: &str = "K7QM-2XPA-3BCD-4EFG-5HJK";
    const OLD: &str = "8JbtQs4GuC2cLA1H0PXRkUQv";

    fn typable() -> InvitationCode {
        InvitationCode::Typable("K7QM2XPA3BCD4EFG5HJK".into())
    }

    #[test]
    fn a_typable_code_is_shown_in_dashed_groups_and_read_back_in_any_case_or_grouping() {
        assert_eq!(typable().shown(), SHOWN);
        for typed in [
            SHOWN,
            "k7qm-2xpa-3bcd-4efg-5hjk",
            "K7QM 2XPA 3BCD 4EFG 5HJK",
            "k7qm2xpa3bcd4efg5hjk",
            "  K7qm - 2xPa 3BCD4EFG-5HJK ",
            "K7QM2XPA 3BCD4EFG5HJK",
        ] {
            assert_eq!(InvitationCode::parse(typed), Some(typable()), "{typed}");
        }
    }

    #[test]
    fn an_old_code_is_read_only_exactly_as_it_was_given() {
        assert_eq!(
            InvitationCode::parse(OLD),
            Some(InvitationCode::Old(OLD.into()))
        );
        assert_eq!(
            InvitationCode::parse(&OLD.to_lowercase()),
            Some(InvitationCode::Old(OLD.to_lowercase()))
        );
        assert_ne!(
            InvitationCode::parse(&OLD.to_lowercase()).map(|c| c.sha256()),
            InvitationCode::parse(OLD).map(|c| c.sha256()),
            "old codes were hashed as given"
        );
    }

    #[test]
    fn every_way_of_typing_a_typable_code_has_the_same_hash() {
        let hashes: Vec<String> = ["k7qm 2xpa 3bcd 4efg 5hjk", SHOWN]
            .iter()
            .map(|typed| InvitationCode::parse(typed).expect("a code").sha256())
            .collect();
        assert_eq!(hashes[0], hashes[1]);
        assert_eq!(
            hashes[0],
            hex::encode(Sha256::digest("K7QM2XPA3BCD4EFG5HJK"))
        );
    }

    #[test]
    fn look_alikes_wrong_lengths_and_codes_without_digits_are_not_codes() {
        for typed in [
            "K7QM-2XPA-3BCD-4EFG-5HJ",   // 19 symbols
            "K7QM-2XPA-3BCD-4EFG-5HJKM", // 21
            "K7QM-2XPA-3BCD-4EFG-5HJ0",  // 0 is not a symbol
            "K7QM-2XPA-3BCD-4EFG-5HJO",  // nor O
            "K7QM-2XPA-3BCD-4EFG-5HJI",  // nor I
            "K7QM-2XPA-3BCD-4EFG-5HJl",  // nor l
            "PHAM THU HANG NGUYEN VAN",  // 20 letters, no digit
            "23456789234567892345",      // no letter
            "K7QM_2XPA_3BCD_4EFG_5HJK",
            "K7Q M2XPA 3BCD 4EFG 5HJK",  // a group split
            "hang hung THCS 345 678 xa", // 20 symbols, but words, not groups
        ] {
            assert_eq!(InvitationCode::parse(typed), None, "{typed}");
        }
    }

    #[test]
    fn a_code_typed_alone_after_a_word_or_inside_a_pasted_invitation_is_found() {
        for typed in [
            SHOWN.to_owned(),
            format!("MOI {SHOWN}"),
            "moi k7qm 2xpa 3bcd 4efg 5hjk".to_owned(),
            "Mã mời: k7qm-2xpa-3bcd-4efg-5hjk".to_owned(),
            format!("moi:{SHOWN}"),
            format!("https://t.me/cnscd_bot?start={SHOWN}"),
            format!(
                "Mã mời cho Thôn Đông Sơn: {SHOWN}\nDùng một lần, hết hạn ngày 02/05/2022.\n\
                 Người được mời mở Zalo, vào https://zalo.me/4313572100982173421, bấm “Quan tâm” \
                 rồi gửi mã trên thành một tin nhắn."
            ),
            format!("Quét mã, bấm “Quan tâm” rồi gửi mã mời: {SHOWN} (dùng một lần)"),
        ] {
            assert_eq!(code_in(&typed), Some(typable()), "{typed}");
        }
        for typed in [
            OLD.to_owned(),
            format!("  {OLD} "),
            format!("MOI {OLD}"),
            format!("Mã mời: {OLD}"),
            format!("moi:{OLD}"),
            format!("https://t.me/cnscd_bot?start={OLD}"),
            format!("toi muon dung ma {OLD}"),
        ] {
            assert_eq!(
                code_in(&typed),
                Some(InvitationCode::Old(OLD.into())),
                "{typed}"
            );
        }
    }

    #[test]
    fn names_numbers_places_link_codes_and_other_sentences_are_not_codes() {
        for typed in [
            "Nguyễn Văn An",
            "Pham Thu Hang Nguyen Van",
            "0912345678",
            "0912 345 678",
            "+84 912 345 678",
            "12345678",
            "/lienket 12345678",
            "Thôn Đông Sơn",
            "thon 5 xa dai son",
            "abcdefghijklmnopqrstuvwx",
            "123456789012345678901234",
            "8JbtQs4GuC2cLA1H0PXRkUQ",
            "MOI",
            "moi nguoi o thon 2",
            "Trường THCS Đại Sơn 2",
            "",
        ] {
            assert_eq!(code_in(typed), None, "{typed}");
        }
    }

    /// Many random texts of words, numbers and places: none is taken for a code unless it
    /// holds one (a cheap stand-in for a fuzzer, deterministic so a failure repeats).
    #[test]
    fn random_texts_of_names_and_numbers_are_never_codes() {
        let words = [
            "nguyen", "van", "an", "tran", "thi", "binh", "thon", "xa", "dai", "son", "dong",
            "tay", "pham", "thu", "hang", "hung", "dao", "moi", "ma", "2", "15", "0912", "345",
            "678", "12345678", "THCS", "Tứ", "Kỳ", "Hải", "Dương", "KM", "3B", "Z9", "-", ":",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = 1 + (next() % 8) as usize;
            let text: Vec<&str> = (0..n)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect();
            let text = text.join(" ");
            assert_eq!(code_in(&text), None, "{text}");
        }
    }

    #[test]
    fn a_long_text_is_not_read() {
        let text = format!("{} {SHOWN}", "a".repeat(MAX_TEXT_BYTES));
        assert_eq!(code_in(&text), None);
    }
}

#[cfg(test)]
mod fresh_code_tests {
    use super::*;

    #[test]
    fn fresh_codes_are_grouped_typable_and_distinct() {
        let codes: std::collections::HashSet<String> = (0..1000).map(|_| generate_code()).collect();
        assert_eq!(codes.len(), 1000);
        for code in &codes {
            assert_eq!(code.len(), 24, "{code}");
            assert_eq!(code.matches('-').count(), 4, "{code}");
            let parsed = InvitationCode::parse(code).expect("a code");
            assert_eq!(parsed.shown(), *code);
            assert_eq!(hash_code(&code.to_lowercase()), hash_code(code));
        }
    }

    #[test]
    fn a_link_code_is_hashed_as_typed() {
        assert_eq!(
            hash_code(" 12345678 "),
            hex::encode(Sha256::digest("12345678"))
        );
    }
}
