//! A PNG bar chart of the people helped in the period, one bar per kind of activity, in the
//! same embedded font as the coverage chart.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::model::PeriodReport;
use super::text::{period_label, scope_name};
use crate::i18n::{Html, Lang, Texts, K};
use crate::report::chart::{chart_error, draw_title, encode_png, register_fonts, FAMILY, MARGIN};
use crate::report::format::number;
use crate::report::ReportError;

const WIDTH: u32 = 1000;
const TITLE_HEIGHT: i32 = 56;
const ROW_HEIGHT: i32 = 28;
const LABEL_WIDTH: i32 = 360;
const VALUE_ROOM: i32 = 110;

/// The chart as PNG bytes.
pub fn period_png(
    report: &PeriodReport,
    texts: &Texts,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    register_fonts()?;
    let bars: Vec<(&str, u64, bool)> = report
        .kinds
        .iter()
        .zip(&report.total.people_by_kind)
        .map(|(kind, people)| (kind.name(lang), *people, kind.basic_skill))
        .collect();
    let height = (TITLE_HEIGHT + ROW_HEIGHT * bars.len() as i32 + MARGIN) as u32;
    let most = bars.iter().map(|bar| bar.1).max().unwrap_or(0).max(1);
    let plot_left = MARGIN + LABEL_WIDTH;
    let plot_width = WIDTH as i32 - plot_left - VALUE_ROOM;
    let mut pixels = vec![0u8; WIDTH as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let scope = Html::text(&scope_name(report, texts, lang));
        let period = Html::text(&period_label(texts, lang, report.period));
        let title = texts.fill(
            lang,
            K::ReportPeriodChartTitle,
            &[("scope", scope), ("period", period)],
        );
        draw_title(&root, &title)?;
        let name_style = (FAMILY, 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let value_style = (FAMILY, 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (name, people, basic)) in bars.iter().enumerate() {
            let top = TITLE_HEIGHT + ROW_HEIGHT * i as i32;
            let middle = top + ROW_HEIGHT / 2;
            let right =
                plot_left + (plot_width as f64 * *people as f64 / most as f64).round() as i32;
            // The five basic skills in blue, what provinces count besides in teal.
            let color = if *basic {
                RGBColor(21, 101, 192)
            } else {
                RGBColor(0, 137, 123)
            };
            if right > plot_left {
                let bar = Rectangle::new(
                    [(plot_left, top + 5), (right, top + ROW_HEIGHT - 5)],
                    color.filled(),
                );
                root.draw(&bar).map_err(chart_error)?;
            }
            root.draw(&Text::new(
                *name,
                (plot_left - 8, middle),
                name_style.clone(),
            ))
            .map_err(chart_error)?;
            let value = number(lang, *people as usize);
            root.draw(&Text::new(value, (right + 6, middle), value_style.clone()))
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    encode_png(&pixels, WIDTH, height)
}
