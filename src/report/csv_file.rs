//! The member listing as CSV: UTF-8 with a byte-order mark, so Excel reads the Vietnamese
//! text right when the file is opened by a double click.

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
                Cell::Text(text) => self.writer.write_field(text.as_bytes())?,
                other => self.writer.write_field(other.to_text())?,
            }
        }
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }
}
