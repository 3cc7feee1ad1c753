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
    fn line(&mut self, cells: &[Cell]) -> Result<(), ReportError> {
        self.writer.write_record(cells.iter().map(Cell::to_text))?;
        Ok(())
    }
}
