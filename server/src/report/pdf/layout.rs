//! A small flowing layout over printpdf's operation lists: a cursor that
//! moves down the page, text in the embedded DejaVu fonts (measured with
//! their own advance widths, so centring and wrapping are exact), lines,
//! rectangles, and a page break when the next block does not fit.
//!
//! Units are PDF points; y grows upwards, as in PDF.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, ParsedFont, PdfFontHandle, PdfPage,
    Point, Pt, Rect, Rgb, TextItem,
};

/// A4 portrait, in points.
pub(super) const A4: (f32, f32) = (595.28, 841.89);

/// The resource name of the regular font (fixed, so output is stable).
pub(super) const REGULAR_ID: &str = "FDejaVu";
/// The resource name of the bold font.
pub(super) const BOLD_ID: &str = "FDejaVuB";

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// Horizontal alignment within a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Centre,
    /// Flush right.
    Right,
}

/// The two embedded faces.
#[derive(Debug)]
pub(super) struct Fonts {
    /// DejaVu Sans.
    pub regular: ParsedFont,
    /// DejaVu Sans Bold.
    pub bold: ParsedFont,
}

impl Fonts {
    fn face(&self, weight: Weight) -> &ParsedFont {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The advance width of `s` at `size` points.
    pub(super) fn width(&self, s: &str, size: f32, weight: Weight) -> f32 {
        let face = self.face(weight);
        let units: u32 = s
            .chars()
            .map(|c| {
                let gid = face.lookup_glyph_index(c as u32).unwrap_or(0);
                u32::from(face.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        units as f32 * size / f32::from(face.units_per_em.max(1))
    }
}

/// Black.
pub(super) fn black() -> Color {
    grey(0.0)
}

/// A grey level, 0 = black, 1 = white.
pub(super) fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

/// An RGB colour from 0..=255 components.
pub(super) fn rgb((r, g, b): (u8, u8, u8)) -> Color {
    Color::Rgb(Rgb {
        r: f32::from(r) / 255.0,
        g: f32::from(g) / 255.0,
        b: f32::from(b) / 255.0,
        icc_profile: None,
    })
}

/// Pages being filled top to bottom.
#[derive(Debug)]
pub(super) struct Layout<'f> {
    /// Fonts, for measuring.
    pub fonts: &'f Fonts,
    /// Page width.
    pub width: f32,
    /// Page height.
    pub height: f32,
    /// Left margin's x.
    pub left: f32,
    /// Right margin's x.
    pub right: f32,
    /// Where content starts on a page.
    pub top: f32,
    /// Content may not go below this y (the footer lives under it).
    pub bottom: f32,
    /// The top of the free space on the current page.
    pub y: f32,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
}

impl<'f> Layout<'f> {
    /// An empty first page; A4, landscape or portrait.
    pub(super) fn new(fonts: &'f Fonts, landscape: bool) -> Layout<'f> {
        let (width, height) = if landscape { (A4.1, A4.0) } else { A4 };
        let margin = if landscape { 42.0 } else { 56.0 };
        let top = height - 45.0;
        Layout {
            fonts,
            width,
            height,
            left: margin,
            right: width - margin,
            top,
            bottom: 50.0,
            y: top,
            pages: Vec::new(),
            ops: Vec::new(),
        }
    }

    /// Width between the margins.
    pub(super) fn content_width(&self) -> f32 {
        self.right - self.left
    }

    /// Starts a new page.
    pub(super) fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = self.top;
    }

    /// Makes room for a block `h` high: a new page if it does not fit
    /// (unless the page is still empty). True when a page was started.
    pub(super) fn ensure(&mut self, h: f32) -> bool {
        if self.y - h < self.bottom && self.y < self.top {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Moves the cursor down.
    pub(super) fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    /// The advance width of `s`.
    pub(super) fn width_of(&self, s: &str, size: f32, weight: Weight) -> f32 {
        self.fonts.width(s, size, weight)
    }

    /// Text with its baseline's left end at (x, y).
    pub(super) fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, s: &str) {
        self.text_coloured(x, y, size, weight, s, black());
    }

    /// Text in a colour.
    pub(super) fn text_coloured(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        s: &str,
        colour: Color,
    ) {
        if s.is_empty() {
            return;
        }
        let id = match weight {
            Weight::Regular => REGULAR_ID,
            Weight::Bold => BOLD_ID,
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: colour },
            Op::SetFont {
                font: PdfFontHandle::External(FontId(id.to_string())),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Text aligned in the box from `x` that is `w` wide.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn text_in(
        &mut self,
        x: f32,
        w: f32,
        y: f32,
        size: f32,
        weight: Weight,
        align: Align,
        s: &str,
    ) {
        let tw = self.width_of(s, size, weight);
        let x = match align {
            Align::Left => x,
            Align::Centre => x + (w - tw) / 2.0,
            Align::Right => x + w - tw,
        };
        self.text(x, y, size, weight, s);
    }

    /// `s` broken into lines at most `w` wide (at spaces; a word longer
    /// than a line is broken between characters). Never empty.
    pub(super) fn wrap(&self, s: &str, w: f32, size: f32, weight: Weight) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in s.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width_of(&candidate, size, weight) <= w {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: break it if it is still too long.
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if !line.is_empty() && self.width_of(&next, size, weight) > w {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// A paragraph across the content width, wrapped, flowing onto new
    /// pages as needed; the cursor ends under it.
    pub(super) fn paragraph(&mut self, s: &str, size: f32, weight: Weight, align: Align) {
        let leading = size * 1.35;
        let (x, w) = (self.left, self.content_width());
        for line in self.wrap(s, w, size, weight) {
            self.ensure(leading);
            self.y -= leading;
            self.text_in(x, w, self.y + size * 0.3, size, weight, align, &line);
        }
    }

    /// A horizontal line.
    pub(super) fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, colour: Color) {
        self.ops.extend([
            Op::SetOutlineColor { col: colour },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1, y), point(x2, y)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// A filled rectangle, (x, y) its lower left corner.
    pub(super) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Color) {
        self.ops.extend([
            Op::SetFillColor { col: colour },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
        ]);
    }

    /// An outlined rectangle, (x, y) its lower left corner.
    pub(super) fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, thickness: f32) {
        self.ops.extend([
            Op::SetOutlineColor { col: grey(0.35) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: Some(PaintMode::Stroke),
                    winding_order: None,
                },
            },
        ]);
    }

    /// The pages, each with `footer(page, pages)` (left text, right text)
    /// printed under the content.
    pub(super) fn finish(
        mut self,
        footer: impl Fn(usize, usize) -> (String, String),
    ) -> Vec<PdfPage> {
        self.pages.push(std::mem::take(&mut self.ops));
        let count = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let (width, height, left, right) = (self.width, self.height, self.left, self.right);
        pages
            .into_iter()
            .enumerate()
            .map(|(i, ops)| {
                self.ops = ops;
                let (l, r) = footer(i + 1, count);
                let y = self.bottom - 22.0;
                self.hline(left, right, y + 10.0, 0.4, grey(0.6));
                self.text_coloured(left, y, 7.5, Weight::Regular, &l, grey(0.3));
                let rw = self.width_of(&r, 7.5, Weight::Regular);
                self.text_coloured(right - rw, y, 7.5, Weight::Regular, &r, grey(0.3));
                PdfPage {
                    media_box: Rect::from_wh(Pt(width), Pt(height)),
                    trim_box: Rect::from_wh(Pt(width), Pt(height)),
                    crop_box: Rect::from_wh(Pt(width), Pt(height)),
                    ops: std::mem::take(&mut self.ops),
                }
            })
            .collect()
    }
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}
