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

/// True when two texts name the same thing once case, normal form and diacritics are ignored.
pub fn same_words(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

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
