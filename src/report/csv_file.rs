//! The member listing as CSV: UTF-8 with a byte-order mark, so Excel reads the Vietnamese
//! text right when the file is opened by a double click.

use std::borrow::Cow;
use std::io::Write;

use super::listing::{Cell, LineSink};
use super::ReportError;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

pub struct CsvSink<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvSink<W> {
    /// Writes the byte-order mark; lines follow.
    pub fn new(mut out: W) -> Result<CsvSink<W>, ReportError> {
        out.write_all(BOM)?;
        Ok(CsvSink {
            writer: csv::Writer::from_writer(out),
        })
    }

    pub fn finish(self) -> Result<W, ReportError> {
        self.writer
            .into_inner()
            .map_err(|error| ReportError::Io(error.into_error()))
    }
}

impl<W: Write> LineSink for CsvSink<W> {
    fn line(&mut self, cells: &[Cell<'_>]) -> Result<(), ReportError> {
        for cell in cells {
            match cell {
                Cell::Text(text) => self.writer.write_field(inert(text).as_bytes())?,
                other => self.writer.write_field(other.to_text())?,
            }
        }
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }
}

/// A text cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is read by Excel and LibreOffice as a formula (`=HYPERLINK(…)`,
/// `@SUM(…)`), so it gets a leading `'`, which they show as text. Names, workplaces and
/// decision numbers come from chat users, so any of them may be such a text.
pub fn inert(text: &str) -> Cow<'_, str> {
    if is_phone_number(text) {
        return Cow::Borrowed(text);
    }
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// `+84912345678`: a phone number in E.164, as the files write them. A `+` and digits only
/// calls no function, so it is written as it is, for programs reading the file.
fn is_phone_number(text: &str) -> bool {
    text.strip_prefix('+')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_e164_are_written_as_they_are_but_a_plus_before_anything_else_is_not() {
        assert_eq!(inert("+84912345678"), "+84912345678");
        assert_eq!(inert("+84912345678+1"), "'+84912345678+1");
        assert_eq!(inert("+SUM(A1)"), "'+SUM(A1)");
    }

    fn written(cells: &[Cell<'_>]) -> Vec<String> {
        let mut sink = CsvSink::new(Vec::new()).expect("in memory");
        sink.line(cells).expect("written");
        let bytes = sink.finish().expect("finished");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[BOM.len()..]);
        let record = reader.records().next().expect("a line").expect("parses");
        record.iter().map(String::from).collect()
    }

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_as_formulas_are_written_as_text() {
        let dangerous = [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1:A2)",
            "\tTab",
            "\rReturn",
        ];
        let cells: Vec<Cell<'_>> = dangerous.iter().map(|t| Cell::Text((*t).into())).collect();
        let got = written(&cells);
        for (cell, original) in got.iter().zip(dangerous) {
            assert_eq!(cell, &format!("'{original}"), "{original:?} left runnable");
        }
    }

    #[test]
    fn ordinary_text_and_numbers_are_written_unchanged() {
        let cells = [
            Cell::Text("Lê Thị Hoa".into()),
            Cell::Text("125/QĐ-UBND".into()),
            Cell::Text("0912 345 678".into()),
            Cell::Number(-2.0),
        ];
        assert_eq!(
            written(&cells),
            ["Lê Thị Hoa", "125/QĐ-UBND", "0912 345 678", "-2"]
        );
    }
}
