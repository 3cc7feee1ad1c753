//! The listing sheet of the workbook. Rows stream to a temporary file ("constant memory")
//! on a thread of their own, so formatting the spreadsheet overlaps reading the database.

use std::sync::mpsc::{sync_channel, SyncSender};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Worksheet};

use super::look::{column_width, Styles, HEADER_WIDTH};
use crate::domain::CompositionRules;
use crate::i18n::{Lang, Texts};
use crate::report::listing::{date_column, write_listing, Cell, LineSink};
use crate::report::ReportError;
use crate::storage::{Store, Sweep};

/// Lines handed to the writer thread at a time.
const BATCH: usize = 512;
/// Batches waiting for the writer thread at most: bounds memory when it falls behind.
const QUEUED_BATCHES: usize = 8;

type Line = Vec<Cell<'static>>;

/// Fills `sheet` with the listing of `sweep`'s scope.
///
/// The sheet is written on its own thread; this task blocks while that thread is more than
/// a few batches behind.
pub(crate) async fn listing_sheet(
    store: &Store,
    sweep: &Sweep,
    rules: &CompositionRules,
    texts: &Texts,
    lang: Lang,
    sheet: Worksheet,
) -> Result<Worksheet, ReportError> {
    let (sender, batches) = sync_channel::<Vec<Line>>(QUEUED_BATCHES);
    let writer = std::thread::spawn(move || {
        let styles = Styles::new(lang);
        let mut sink = SheetSink::new(sheet, &styles);
        for batch in batches {
            for line in batch {
                sink.line(line)?;
            }
        }
        sink.finish()
    });
    let mut sink = ThreadSink {
        sender,
        batch: Vec::with_capacity(BATCH),
    };
    let streamed = match write_listing(store, sweep, rules, texts, lang, &mut sink).await {
        Ok(()) => sink.flush(),
        Err(error) => Err(error),
    };
    drop(sink);
    let written = writer.join().map_err(|_| ReportError::WriterStopped)?;
    // The writer's own error says more than the "writer stopped" its end caused here.
    let sheet = written?;
    streamed?;
    Ok(sheet)
}

/// Hands lines to the writer thread, a batch at a time.
struct ThreadSink {
    sender: SyncSender<Vec<Line>>,
    batch: Vec<Line>,
}

impl ThreadSink {
    fn flush(&mut self) -> Result<(), ReportError> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.sender
            .send(batch)
            .map_err(|_| ReportError::WriterStopped)
    }
}

impl LineSink for ThreadSink {
    fn line(&mut self, cells: &[Cell<'_>]) -> Result<(), ReportError> {
        self.batch.push(cells.iter().map(Cell::to_static).collect());
        if self.batch.len() == BATCH {
            self.flush()?;
        }
        Ok(())
    }
}

/// Writes listing lines into a worksheet, measuring its columns as they go.
pub(crate) struct SheetSink<'a> {
    sheet: Worksheet,
    styles: &'a Styles,
    row: u32,
    widths: Vec<usize>,
    /// The listing's date column, at least a date wide.
    date_column: usize,
}

impl<'a> SheetSink<'a> {
    pub(crate) fn new(sheet: Worksheet, styles: &'a Styles) -> SheetSink<'a> {
        SheetSink {
            sheet,
            styles,
            row: 0,
            widths: Vec::new(),
            date_column: date_column(),
        }
    }

    pub(crate) fn finish(mut self) -> Result<Worksheet, ReportError> {
        let last_col = self.widths.len().saturating_sub(1) as u16;
        for (col, width) in self.widths.iter().enumerate() {
            self.sheet
                .set_column_width(col as u16, column_width(*width))?;
        }
        self.sheet.set_freeze_panes(1, 0)?;
        self.sheet
            .autofilter(0, 0, self.row.saturating_sub(1).max(1), last_col)?;
        Ok(self.sheet)
    }
}

impl SheetSink<'_> {
    /// Writes the next row; its text moves into the sheet without a copy.
    fn line(&mut self, cells: Line) -> Result<(), ReportError> {
        let header = self.row == 0;
        self.widths.resize(self.widths.len().max(cells.len()), 0);
        for (col, cell) in cells.into_iter().enumerate() {
            let c = col as u16;
            let chars = match cell {
                Cell::Empty => 0,
                Cell::Text(text) if header => {
                    let chars = text.chars().count().min(HEADER_WIDTH);
                    let format = &self.styles.header;
                    self.sheet
                        .write_string_with_format(self.row, c, text, format)?;
                    chars
                }
                Cell::Text(text) => {
                    let chars = text.chars().count();
                    self.sheet.write_string(self.row, c, text)?;
                    chars
                }
                Cell::Number(n) => {
                    self.sheet.write_number(self.row, c, n)?;
                    4
                }
                Cell::Date(d) => {
                    let format = &self.styles.date;
                    self.sheet
                        .write_datetime_with_format(self.row, c, excel_date(d)?, format)?;
                    10
                }
            };
            let width = if col == self.date_column {
                chars.max(10)
            } else {
                chars
            };
            self.widths[col] = self.widths[col].max(width);
        }
        self.row += 1;
        Ok(())
    }
}

/// Small sheets (the villages still missing) are written in place, without a thread.
impl LineSink for SheetSink<'_> {
    fn line(&mut self, cells: &[Cell<'_>]) -> Result<(), ReportError> {
        SheetSink::line(self, cells.iter().map(Cell::to_static).collect())
    }
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, ReportError> {
    let year = u16::try_from(date.year()).unwrap_or(1900);
    Ok(ExcelDateTime::from_ymd(
        year,
        date.month() as u8,
        date.day() as u8,
    )?)
}
