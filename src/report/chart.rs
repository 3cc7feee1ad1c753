//! A PNG bar chart of coverage: one bar per commune (or per area when the scope holds too
//! many communes), labelled with the Vietnamese names in an embedded font, so it renders the
//! same on a server without any font installed.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use super::format::{number, percent, whole_percent};
use super::model::{AreaRow, Report};
use super::text::scope_name;
use super::ReportError;
use crate::i18n::{to_plain, Html, Lang, Texts, K};

/// DejaVu Sans (Bitstream Vera licence, see `data/fonts/LICENSE-DejaVu.txt`): it has every
/// precomposed Vietnamese letter.
const FONT: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");
pub(super) const FAMILY: &str = "cnscd-dejavu-sans";

pub const WIDTH: u32 = 1000;
pub(super) const MARGIN: i32 = 20;
const TITLE_HEIGHT: i32 = 56;
pub const ROW_HEIGHT: i32 = 24;
const AXIS_HEIGHT: i32 = 36;
const VALUE_ROOM: i32 = 150;
const MAX_LABEL_WIDTH: i32 = 380;

/// Above this many communes, the chart shows the scope's areas instead (if it has any).
const MAX_COMMUNE_BARS: usize = 60;

pub(super) fn register_fonts() -> Result<(), ReportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, FONT).is_ok()
            && register_font(FAMILY, FontStyle::Bold, FONT).is_ok()
    });
    ok.then_some(())
        .ok_or_else(|| ReportError::Chart("the embedded font does not load".into()))
}

/// The rows the chart shows.
pub fn chart_rows(report: &Report) -> &[AreaRow] {
    if report.communes.len() > MAX_COMMUNE_BARS && !report.areas.is_empty() {
        &report.areas
    } else {
        &report.communes
    }
}

/// Height of the chart of `bars` bars.
pub fn height(bars: usize) -> u32 {
    (TITLE_HEIGHT + ROW_HEIGHT * bars as i32 + AXIS_HEIGHT + MARGIN) as u32
}

pub(super) fn chart_error(error: impl std::fmt::Display) -> ReportError {
    ReportError::Chart(error.to_string())
}

/// A chart's title, bold, at its top left.
pub(super) fn draw_title(
    root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    title: &Html,
) -> Result<(), ReportError> {
    let style = (FAMILY, 20)
        .into_font()
        .style(FontStyle::Bold)
        .color(&BLACK);
    root.draw(&Text::new(
        to_plain(title.as_str()),
        (MARGIN, MARGIN),
        style,
    ))
    .map_err(chart_error)
}

/// The chart as PNG bytes.
pub fn coverage_png(report: &Report, texts: &Texts, lang: Lang) -> Result<Vec<u8>, ReportError> {
    register_fonts()?;
    let rows = chart_rows(report);
    let (width, height) = (WIDTH, height(rows.len()));
    let label_font = (FAMILY, 14).into_font();
    let mut label_width = 0;
    for row in rows {
        let (w, _) = label_font.box_size(&row.name).map_err(chart_error)?;
        label_width = label_width.max(w as i32);
    }
    let plot_left = MARGIN + label_width.min(MAX_LABEL_WIDTH) + 10;
    let plot_width = width as i32 - plot_left - VALUE_ROOM;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let scope = Html::text(&scope_name(report, texts, lang));
        let title = texts.fill(lang, K::ReportChartTitle, &[("scope", scope)]);
        draw_title(&root, &title)?;
        let bottom = TITLE_HEIGHT + ROW_HEIGHT * rows.len() as i32;
        let tick_style = (FAMILY, 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for tenth in (0..=10).step_by(2) {
            let x = plot_left + plot_width * tenth / 10;
            let line = PathElement::new(
                [(x, TITLE_HEIGHT - 4), (x, bottom)],
                RGBColor(220, 220, 220),
            );
            root.draw(&line).map_err(chart_error)?;
            let label = whole_percent(lang, tenth as u32 * 10);
            root.draw(&Text::new(label, (x, bottom + 6), tick_style.clone()))
                .map_err(chart_error)?;
        }
        let name_style = label_font
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let value_style = (FAMILY, 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, row) in rows.iter().enumerate() {
            let top = TITLE_HEIGHT + ROW_HEIGHT * i as i32;
            let middle = top + ROW_HEIGHT / 2;
            let coverage = row.counts.coverage_percent.clamp(0.0, 100.0);
            let right = plot_left + (plot_width as f64 * coverage / 100.0).round() as i32;
            if right > plot_left {
                let bar = Rectangle::new(
                    [(plot_left, top + 4), (right, top + ROW_HEIGHT - 4)],
                    bar_color(coverage).filled(),
                );
                root.draw(&bar).map_err(chart_error)?;
            }
            root.draw(&Text::new(
                row.name.as_str(),
                (plot_left - 8, middle),
                name_style.clone(),
            ))
            .map_err(chart_error)?;
            let value = bar_label(row, texts, lang);
            root.draw(&Text::new(value, (right + 6, middle), value_style.clone()))
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    encode_png(&pixels, width, height)
}

/// What a bar says beside it: `75,0 % (3/4)`; a commune with no village listed has no
/// coverage to show, which is not 0 %.
pub fn bar_label(row: &AreaRow, texts: &Texts, lang: Lang) -> String {
    match row.counts.units {
        0 => to_plain(texts.template(lang, K::ReportNoVillageList)),
        units => format!(
            "{} ({}/{})",
            percent(lang, row.counts.coverage_percent),
            number(lang, row.counts.registered),
            number(lang, units)
        ),
    }
}

fn bar_color(coverage: f64) -> RGBColor {
    match coverage {
        c if c >= 100.0 => RGBColor(46, 125, 50),
        c if c >= 50.0 => RGBColor(249, 168, 37),
        _ => RGBColor(198, 40, 40),
    }
}

pub(super) fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(chart_error)?;
    writer.write_image_data(rgb).map_err(chart_error)?;
    writer.finish().map_err(chart_error)?;
    Ok(out)
}
