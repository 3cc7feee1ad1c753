//! Reading an import file as officials have it: CSV in UTF-8, UTF-16 (Excel's "Unicode
//! text") or Windows-1258 (Excel's usual CSV in Vietnam), with commas, semicolons or tabs,
//! or an `.xlsx` spreadsheet's first sheet; the header mapped by column name (or one of its
//! Vietnamese names), the rows with their line numbers.

use std::collections::HashMap;
use std::io::Read;

use csv::StringRecord;

use super::{bad_rows, ImportError, Problem, RowError};
use crate::domain::text::fold;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";
/// Every `.xlsx` is a zip archive, and every zip archive starts so.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Column name → position in the file, from its header row.
pub(super) type Columns = HashMap<&'static str, usize>;

/// The columns a file may have: its own names, and other names (folded, without
/// punctuation) that mean one of them; an alias to `""` is a column read and ignored
/// (a spreadsheet's "STT", the row's number).
pub(super) struct Layout<'a> {
    pub(super) required: &'a [&'static str],
    pub(super) optional: &'a [&'static str],
    pub(super) aliases: &'a [(&'a str, &'static str)],
}

/// A data row and the line of the file it starts on.
pub(super) struct Row {
    pub(super) line: u64,
    fields: StringRecord,
}

impl Row {
    /// The trimmed value of a column; empty when the file has no such column.
    pub(super) fn get<'a>(&'a self, columns: &Columns, column: &str) -> &'a str {
        columns
            .get(column)
            .and_then(|&index| self.fields.get(index))
            .unwrap_or("")
    }
}

/// A file cut into rows; rows that could not be read are already errors.
pub(super) struct CsvFile {
    pub(super) columns: Columns,
    pub(super) rows: Vec<Row>,
    pub(super) errors: Vec<RowError>,
}

impl CsvFile {
    /// Reads the whole input and maps the header's columns, which must include `required`
    /// and may include `optional`, in any order.
    pub(super) fn read(
        reader: impl Read,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<CsvFile, ImportError> {
        let layout = Layout {
            required,
            optional,
            aliases: &[],
        };
        CsvFile::read_as(reader, &layout)
    }

    /// Like [`CsvFile::read`], with the column names of `layout`.
    pub(super) fn read_as(
        mut reader: impl Read,
        layout: &Layout<'_>,
    ) -> Result<CsvFile, ImportError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let records = if bytes.starts_with(ZIP_MAGIC) {
            spreadsheet_records(&bytes)?
        } else {
            let (text, broken) = decode(&bytes);
            text_records(&text, broken)
        };
        let mut records = records.into_iter();
        let header = match records.next() {
            Some(Ok((_, header))) => header,
            Some(Err(error)) => return Err(bad_rows(vec![error])),
            None => StringRecord::new(),
        };
        let columns = locate_columns(&header, layout)
            .map_err(|problem| bad_rows(vec![RowError::new(1, problem)]))?;
        let mut file = CsvFile {
            columns,
            rows: Vec::new(),
            errors: Vec::new(),
        };
        for record in records {
            match record {
                Ok((line, fields)) => file.push(line, fields, header.len()),
                Err(error) => file.errors.push(error),
            }
        }
        Ok(file)
    }

    fn push(&mut self, line: u64, fields: StringRecord, width: usize) {
        if fields.len() == width {
            self.rows.push(Row { line, fields });
        } else {
            let found = fields.len();
            let problem = Problem::ColumnCount {
                expected: width,
                found,
            };
            self.errors.push(RowError::new(line, problem));
        }
    }
}

type Record = Result<(u64, StringRecord), RowError>;

/// The text of a file: UTF-8 (a byte-order mark allowed), UTF-16 with its byte-order mark
/// or without one (then told by its zero bytes), else Windows-1258, the Vietnamese code
/// page, whose every byte means a character. UTF-8 with a few broken bytes is not read as
/// Windows-1258 (its good lines would turn to "ThÃ´n"): it comes back `true`, broken, and
/// the lines with a broken byte are refused.
fn decode(bytes: &[u8]) -> (String, bool) {
    use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1258};
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let encoding: &'static Encoding = if bytes.starts_with(UTF16LE_BOM) {
        UTF_16LE
    } else if bytes.starts_with(UTF16BE_BOM) {
        UTF_16BE
    } else if let Ok(text) = std::str::from_utf8(body) {
        return (text.to_owned(), false);
    } else if bytes.len() >= 2 && bytes[0] != 0 && bytes[1] == 0 {
        UTF_16LE
    } else if bytes.len() >= 2 && bytes[0] == 0 && bytes[1] != 0 {
        UTF_16BE
    } else {
        let lossy = String::from_utf8_lossy(body);
        let utf8_somewhere = body.len() < bytes.len()
            || lossy
                .chars()
                .any(|c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER);
        if utf8_somewhere {
            return (lossy.into_owned(), true);
        }
        WINDOWS_1258
    };
    // The byte-order mark, if any, is taken off by `decode`.
    (encoding.decode(bytes).0.into_owned(), false)
}

/// The rows of a text file, cut at the separator its header uses most: a comma, a
/// semicolon (Excel where the decimal mark is a comma) or a tab (Excel's "Unicode text").
fn text_records(text: &str, broken: bool) -> Vec<Record> {
    let first_line = text.lines().next().unwrap_or("");
    let count = |separator: char| first_line.matches(separator).count();
    let separator = [b';', b'\t']
        .into_iter()
        .filter(|&s| count(char::from(s)) > count(','))
        .max_by_key(|&s| count(char::from(s)))
        .unwrap_or(b',');
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    csv.records()
        .map(|record| match record {
            Ok(fields) => {
                let line = fields.position().map_or(0, csv::Position::line);
                if broken
                    && fields
                        .iter()
                        .any(|f| f.contains(char::REPLACEMENT_CHARACTER))
                {
                    return Err(RowError::new(line, Problem::NotUtf8));
                }
                Ok((line, fields))
            }
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                Err(RowError::new(line, Problem::Unreadable(error.to_string())))
            }
        })
        .collect()
}

/// The rows of a spreadsheet's first sheet, each cell as the text it shows; empty rows
/// left out.
fn spreadsheet_records(bytes: &[u8]) -> Result<Vec<Record>, ImportError> {
    use calamine::{Data, Reader, Xlsx};
    let not_a_spreadsheet = || bad_rows(vec![RowError::new(1, Problem::NotText)]);
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| not_a_spreadsheet())?;
    let sheet = match workbook.worksheet_range_at(0) {
        Some(Ok(sheet)) => sheet,
        _ => return Err(not_a_spreadsheet()),
    };
    let first_row = u64::from(sheet.start().map_or(0, |(row, _)| row));
    let mut records = Vec::new();
    for (index, cells) in sheet.rows().enumerate() {
        let fields: Vec<String> = cells
            .iter()
            .map(|cell| match cell {
                Data::Empty => String::new(),
                // A code typed as a number: 11083, not 11083.0.
                Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
                    format!("{number:.0}")
                }
                Data::String(text) => unescape_ooxml(text).trim().to_owned(),
                other => other.to_string().trim().to_owned(),
            })
            .collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        let line = first_row + index as u64 + 1;
        records.push(Ok((line, StringRecord::from(fields))));
    }
    Ok(records)
}

/// A spreadsheet writes a character XML cannot hold as `_xHHHH_` (`_x0007_`, the bell);
/// read back, it is that character again, so a name's checks see what the file holds.
fn unescape_ooxml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let escaped = candidate
            .get(2..6)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter(|_| candidate.as_bytes().get(6) == Some(&b'_'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match escaped {
            Some(c) => {
                out.push(c);
                rest = &candidate[7..];
            }
            None => {
                out.push_str("_x");
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A header cell as compared: folded, punctuation as spaces ("Tên thôn/TDP" → "ten thon tdp").
fn header_key(name: &str) -> String {
    let folded = fold(name);
    let spaced: String = folded
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn locate_columns(header: &StringRecord, layout: &Layout<'_>) -> Result<Columns, Problem> {
    let known = || layout.required.iter().chain(layout.optional).copied();
    let mut columns = Columns::new();
    for (index, name) in header.iter().enumerate() {
        let key = header_key(name);
        let column = known().find(|known| *known == key).or_else(|| {
            layout
                .aliases
                .iter()
                .find(|(alias, _)| *alias == key)
                .map(|(_, column)| *column)
        });
        let Some(column) = column else {
            let expected = known().collect::<Vec<_>>().join(", ");
            let column = name.chars().take(40).collect();
            return Err(Problem::UnknownColumn { column, expected });
        };
        if column.is_empty() {
            continue;
        }
        if columns.insert(column, index).is_some() {
            return Err(Problem::ColumnTwice(column.to_owned()));
        }
    }
    let missing: Vec<&str> = layout
        .required
        .iter()
        .copied()
        .filter(|name| !columns.contains_key(name))
        .collect();
    if missing.is_empty() {
        Ok(columns)
    } else {
        Err(Problem::MissingColumns(missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excel_escape_in_a_cell_is_read_as_the_character_it_stands_for() {
        assert_eq!(unescape_ooxml("Thôn_x0007_Chuông"), "Thôn\u{7}Chuông");
        assert_eq!(unescape_ooxml("Khu_xa_1 _x12"), "Khu_xa_1 _x12");
    }

    #[test]
    fn vietnamese_headers_are_compared_without_diacritics_nor_punctuation() {
        assert_eq!(header_key(" Tên thôn/TDP "), "ten thon tdp");
        assert_eq!(header_key("Mã xã"), "ma xa");
        assert_eq!(header_key("commune_code"), "commune_code");
    }
}
