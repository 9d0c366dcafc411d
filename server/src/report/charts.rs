//! Bar charts of a month: sessions per day and per hour of day. One
//! geometry (`layout`) feeds both the hand-written SVG (dashboard) and
//! the vector bars drawn into the PDF, so both show the same picture.
//!
//! The SVG carries no words, only numbers (axis ticks, day numbers, hours,
//! bar values): the page around it gives the title in the reader's
//! language.

use super::model::{Count, MonthlyReport};
use std::fmt::Write as _;

/// Width of the SVG, in user units (pixels at 100 %).
const SVG_WIDTH: f32 = 640.0;
/// Height of the SVG.
const SVG_HEIGHT: f32 = 220.0;
/// Bar colour (a calm blue that prints well in grey too).
pub(crate) const BAR_RGB: (u8, u8, u8) = (0x3B, 0x6E, 0xA8);

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    /// The label under the bar ("5" for the 5th, "08" for 08:00).
    pub label: String,
    /// Sessions.
    pub value: u32,
}

/// A box in chart coordinates: origin top left, y grows downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Box2 {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// A chart laid out in a `width` x `height` box: what to draw where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    /// The plot area (axes along its left and bottom edges).
    pub plot: Box2,
    /// Horizontal grid lines: y and the value printed left of it.
    pub ticks: Vec<(f32, u32)>,
    /// One box per bar with a value above zero, with its value.
    pub bars: Vec<(Box2, u32)>,
    /// The labels under the slots: centre x and text.
    pub labels: Vec<(f32, String)>,
    /// Baseline y of the labels under the slots.
    pub label_y: f32,
    /// Font size of ticks, labels and values.
    pub font_size: f32,
}

/// Sessions per day: every day of the month, labelled by its number.
pub(crate) fn per_day(report: &MonthlyReport) -> Vec<Bar> {
    bars(&report.per_day, |label| {
        match label.rsplit('-').next().map(str::parse::<u32>) {
            Some(Ok(day)) if label.len() == 10 => day.to_string(),
            _ => label.to_string(),
        }
    })
}

/// Sessions per start hour, "00".."23".
pub(crate) fn per_hour(report: &MonthlyReport) -> Vec<Bar> {
    bars(&report.hours, str::to_string)
}

fn bars(counts: &[Count], label: impl Fn(&str) -> String) -> Vec<Bar> {
    counts
        .iter()
        .map(|c| Bar {
            label: label(&c.label),
            value: c.sessions,
        })
        .collect()
}

/// A round axis maximum at or above `max` and the step between its grid
/// lines (1, 2 or 5 times a power of ten; at most 5 steps).
pub(crate) fn axis(max: u32) -> (u32, u32) {
    let max = max.max(1);
    let mut magnitude = 1u32;
    loop {
        for factor in [1u32, 2, 5] {
            let step = factor.saturating_mul(magnitude);
            if max.div_ceil(step) <= 5 {
                return (max.div_ceil(step).saturating_mul(step), step);
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Lays `bars` out in a `width` x `height` box.
pub(crate) fn layout(bars: &[Bar], width: f32, height: f32) -> Layout {
    let font_size = (height / 22.0).clamp(6.0, 10.0);
    let left = font_size * 3.2;
    let top = font_size * 1.6;
    let bottom = font_size * 1.9;
    let plot = Box2 {
        x: left,
        y: top,
        w: (width - left - 4.0).max(1.0),
        h: (height - top - bottom).max(1.0),
    };
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let (axis_max, step) = axis(max);
    let scale = plot.h / axis_max as f32;
    let ticks = (0..=axis_max / step)
        .map(|i| {
            let v = i * step;
            (plot.y + plot.h - v as f32 * scale, v)
        })
        .collect();
    let slot = plot.w / bars.len().max(1) as f32;
    let mut out_bars = Vec::new();
    let mut labels = Vec::new();
    for (i, bar) in bars.iter().enumerate() {
        let centre = plot.x + slot * (i as f32 + 0.5);
        labels.push((centre, bar.label.clone()));
        if bar.value > 0 {
            let h = bar.value as f32 * scale;
            let w = slot * 0.7;
            out_bars.push((
                Box2 {
                    x: centre - w / 2.0,
                    y: plot.y + plot.h - h,
                    w,
                    h,
                },
                bar.value,
            ));
        }
    }
    Layout {
        plot,
        ticks,
        bars: out_bars,
        labels,
        label_y: plot.y + plot.h + font_size * 1.3,
        font_size,
    }
}

/// The chart of sessions per day of the month, as an SVG document.
pub fn sessions_per_day_svg(report: &MonthlyReport) -> String {
    svg(&per_day(report))
}

/// The chart of sessions per hour of day (start hour), as an SVG document.
pub fn sessions_per_hour_svg(report: &MonthlyReport) -> String {
    svg(&per_hour(report))
}

fn svg(bars: &[Bar]) -> String {
    let l = layout(bars, SVG_WIDTH, SVG_HEIGHT);
    let (r, g, b) = BAR_RGB;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {SVG_WIDTH} {SVG_HEIGHT}\" \
         width=\"{SVG_WIDTH}\" height=\"{SVG_HEIGHT}\" role=\"img\" \
         font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"{:.1}\">",
        l.font_size
    );
    let right = l.plot.x + l.plot.w;
    for (y, v) in &l.ticks {
        let _ = write!(
            s,
            "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{right:.1}\" y2=\"{y:.1}\" stroke=\"#d0d0d0\" stroke-width=\"0.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#444\">{v}</text>",
            l.plot.x,
            l.plot.x - 3.0,
            y + l.font_size * 0.35,
        );
    }
    let _ = write!(s, "<g fill=\"#{r:02x}{g:02x}{b:02x}\">");
    for (bx, _) in &l.bars {
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            bx.x, bx.y, bx.w, bx.h
        );
    }
    s.push_str("</g>");
    for (bx, v) in &l.bars {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#222\">{v}</text>",
            bx.x + bx.w / 2.0,
            bx.y - 2.0
        );
    }
    let bottom = l.plot.y + l.plot.h;
    let _ = write!(
        s,
        "<line x1=\"{:.1}\" y1=\"{bottom:.1}\" x2=\"{right:.1}\" y2=\"{bottom:.1}\" stroke=\"#444\" stroke-width=\"1\"/>",
        l.plot.x
    );
    for (x, label) in &l.labels {
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
            l.label_y,
            escape(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Escapes text for an XML text node.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn axis_is_round() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(3), (3, 1));
        assert_eq!(axis(5), (5, 1));
        assert_eq!(axis(6), (6, 2));
        assert_eq!(axis(9), (10, 2));
        assert_eq!(axis(23), (25, 5));
        assert_eq!(axis(120), (150, 50));
        assert_eq!(axis(u32::MAX).0, u32::MAX);
        assert_eq!(axis(4_000_000_001).0, u32::MAX);
    }

    #[test]
    fn per_day_svg_has_a_bar_per_used_day() {
        let report = fixtures::fixture();
        let svg = sessions_per_day_svg(&report);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        let used = report.per_day.iter().filter(|c| c.sessions > 0).count();
        assert_eq!(svg.matches("<rect ").count(), used);
        assert_eq!(used, 6);
        // Every day is labelled, 1..=30.
        assert!(svg.contains(">30</text>"));
        // Balanced tags: every element is self-closed or closed.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    }

    #[test]
    fn per_hour_svg_has_24_slots() {
        let report = fixtures::fixture();
        let svg = sessions_per_hour_svg(&report);
        let used = report.hours.iter().filter(|c| c.sessions > 0).count();
        assert_eq!(svg.matches("<rect ").count(), used);
        for h in ["00", "08", "23"] {
            assert!(svg.contains(&format!(">{h}</text>")), "{h}");
        }
    }

    #[test]
    fn tallest_bar_fits_the_plot() {
        let report = fixtures::fixture();
        let l = layout(&per_day(&report), 600.0, 200.0);
        let max = l.bars.iter().map(|(b, _)| b.h).fold(0.0, f32::max);
        assert!(max <= l.plot.h + 0.01);
        for (b, _) in &l.bars {
            assert!((b.y + b.h - (l.plot.y + l.plot.h)).abs() < 0.01);
        }
    }

    #[test]
    fn empty_month_draws_no_bars() {
        let mut report = fixtures::fixture();
        for c in &mut report.per_day {
            c.sessions = 0;
        }
        let svg = sessions_per_day_svg(&report);
        assert_eq!(svg.matches("<rect ").count(), 0);
    }
}
