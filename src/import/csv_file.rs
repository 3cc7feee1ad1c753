//! Reading an import file: header mapped by column name, rows with their line numbers.

use std::collections::HashMap;
use std::io::Read;

use csv::StringRecord;

use super::{bad_rows, ImportError, RowError};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Column name → position in the file, from its header row.
pub(super) type Columns = HashMap<&'static str, usize>;

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

/// A CSV file cut into rows; rows the CSV layer could not read are already errors.
pub(super) struct CsvFile {
    pub(super) columns: Columns,
    pub(super) rows: Vec<Row>,
    pub(super) errors: Vec<RowError>,
}

impl CsvFile {
    /// Reads the whole input (a UTF-8 byte-order mark is allowed) and maps the header's
    /// columns, which must include `required` and may include `optional`, in any order.
    pub(super) fn read(
        mut reader: impl Read,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<CsvFile, ImportError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(&bytes);
        let mut csv = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(body);
        let header = csv
            .headers()
            .map_err(|error| bad_rows(vec![RowError::new(1, error.to_string())]))?
            .clone();
        let columns = locate_columns(&header, required, optional)
            .map_err(|reason| bad_rows(vec![RowError::new(1, reason)]))?;
        let mut file = CsvFile {
            columns,
            rows: Vec::new(),
            errors: Vec::new(),
        };
        for record in csv.records() {
            match record {
                Ok(fields) => file.push(fields, header.len()),
                Err(error) => file.errors.push(unreadable_row(error)?),
            }
        }
        Ok(file)
    }

    fn push(&mut self, fields: StringRecord, width: usize) {
        let line = fields.position().map_or(0, csv::Position::line);
        if fields.len() == width {
            self.rows.push(Row { line, fields });
        } else {
            let reason = format!("expected {width} columns, found {}", fields.len());
            self.errors.push(RowError::new(line, reason));
        }
    }
}

fn locate_columns(
    header: &StringRecord,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<Columns, String> {
    let mut columns = Columns::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.to_lowercase();
        let Some(&known) = required
            .iter()
            .chain(optional)
            .find(|known| **known == name)
        else {
            let expected = required.iter().chain(optional).copied();
            let expected = expected.collect::<Vec<_>>().join(", ");
            return Err(format!("unknown column {name:?} (expected {expected})"));
        };
        if columns.insert(known, index).is_some() {
            return Err(format!("column {known} appears twice"));
        }
    }
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|name| !columns.contains_key(name))
        .collect();
    if missing.is_empty() {
        Ok(columns)
    } else {
        Err(format!("missing column(s): {}", missing.join(", ")))
    }
}

fn unreadable_row(error: csv::Error) -> Result<RowError, ImportError> {
    let line = error.position().map_or(0, csv::Position::line);
    let reason = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(error) => Err(ImportError::Io(error)),
        csv::ErrorKind::Utf8 { .. } => Ok(RowError::new(line, "not valid UTF-8 text")),
        _ => Ok(RowError::new(line, reason)),
    }
}
