//! Text as it arrives from real keyboards: NFC or NFD, either tone-mark placement, or no
//! diacritics at all. Everything user-typed goes through [`clean`] before it is stored and
//! through [`fold`] before it is compared.

use unicode_normalization::UnicodeNormalization;

/// Trims, NFC-normalises and collapses runs of whitespace to one space.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The comparison key of a text: lower case, no diacritics (đ → d), single spaces.
/// "Hoà", "Hòa", "HOA" and "hoa" all fold to "hoa", whatever their normal form.
pub fn fold(input: &str) -> String {
    let cleaned = clean(input);
    let ascii = deunicode::deunicode(&cleaned.replace(['đ', 'Đ'], "d"));
    ascii
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a text holds characters that are not text: control characters (bell, escape
/// sequences that recolour a terminal) and the invisible marks that reverse its direction.
/// Tabs and line breaks count too: a name has none once [`clean`]ed.
pub fn has_control_characters(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// [`fold`] in one pass, for scanning many long texts (an erasure reads every message kept):
/// each character is folded on its own, so NFC and NFD fold alike without normalising first.
/// Leading and repeated whitespace collapse as in [`fold`]; a trailing space may remain.
pub fn fold_scan(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut after_space = true;
    for c in input.chars() {
        let piece = match c {
            'đ' | 'Đ' => "d",
            c if c.is_ascii() => {
                push_folded(&mut out, c, &mut after_space);
                continue;
            }
            c => deunicode::deunicode_char(c).unwrap_or(""),
        };
        for p in piece.chars() {
            push_folded(&mut out, p, &mut after_space);
        }
    }
    out
}

fn push_folded(out: &mut String, c: char, after_space: &mut bool) {
    if c.is_whitespace() {
        if !*after_space {
            out.push(' ');
            *after_space = true;
        }
    } else {
        out.push(c.to_ascii_lowercase());
        *after_space = false;
    }
}

/// The comparison key of a label or of what is typed for it: folded, without emoji or
/// punctuation ("✅ Đã đồng ý!" → "da dong y").
pub fn label_key(text: &str) -> String {
    let words: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    fold(&words)
}

/// True when two texts name the same thing once case, normal form and diacritics are ignored.
pub fn same_words(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanning_fold_agrees_with_fold_in_any_normal_form() {
        let nfc = "Trần Thị Bình, Đỗ Văn Hoà";
        let nfd: String = nfc.nfd().collect();
        for text in [nfc, nfd.as_str(), "  TRẦN   thị\nbình, đỗ văn hòa "] {
            assert_eq!(fold_scan(text).trim_end(), fold(text), "{text:?}");
        }
    }

    #[test]
    fn clean_turns_nfd_into_nfc_and_trims() {
        let nfd = "Nguye\u{302}\u{303}n  Va\u{306}n   A ";
        assert_eq!(clean(nfd), "Nguyễn Văn A");
    }

    #[test]
    fn fold_ignores_tone_mark_placement_case_and_diacritics() {
        for variant in ["Hoà", "Hòa", "HOÀ", "hoa", "Ho\u{300}a", "Hoa\u{300}"] {
            assert_eq!(fold(variant), "hoa", "{variant:?}");
        }
        assert_eq!(fold("Thuỷ"), fold("Thủy"));
        assert_eq!(fold("Tứ Kỳ"), "tu ky");
        assert_eq!(fold("Đại Sơn"), "dai son");
    }

    #[test]
    fn same_words_matches_without_diacritics() {
        assert!(same_words("tu ky", "Tứ  Kỳ"));
        assert!(!same_words("Tứ Kỳ", "Tứ Kỳ 2"));
    }
}
