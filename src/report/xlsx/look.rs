//! How every sheet of the workbook looks: its formats, and columns as wide as their text.

use rust_xlsxwriter::{Color, Format, FormatAlign};

use crate::i18n::{Lang, Texts, K};
use crate::report::format::{percent_format, plain};

/// Widest column, in characters.
const MAX_WIDTH: usize = 50;
/// A header wraps onto two or three lines rather than widening its column past this.
pub(crate) const HEADER_WIDTH: usize = 14;

#[derive(Clone)]
pub(crate) struct Styles {
    pub header: Format,
    pub bold: Format,
    pub title: Format,
    pub date: Format,
    pub percent: Format,
    pub percent_bold: Format,
}

impl Styles {
    pub fn new(lang: Lang) -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xDDEBF7)),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            percent: Format::new().set_num_format(percent_format(lang)),
            percent_bold: Format::new()
                .set_num_format(percent_format(lang))
                .set_bold(),
        }
    }
}

/// What every sheet is written with.
pub(crate) struct Look<'a> {
    pub texts: &'a Texts,
    pub lang: Lang,
    pub styles: &'a Styles,
}

impl Look<'_> {
    pub fn text(&self, key: K) -> String {
        plain(self.texts, self.lang, key)
    }
}

/// Excel's width (in characters of its default font) for text of `chars` characters.
pub(crate) fn column_width(chars: usize) -> f64 {
    (chars.min(MAX_WIDTH) as f64 * 1.1 + 2.0).max(6.0)
}
