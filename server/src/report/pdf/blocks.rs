//! The blocks a report page is made of: the letterhead, the title, section
//! headings, the charts and the signature block.

use super::layout::{Align, Layout, Weight, black, grey, rgb};
use crate::report::charts::{self, Bar};
use crate::report::model::{ReportHeader, SignOff};
use bilik_proto::catalog::Lang;
use bilik_proto::catalog::report as t;

/// Body text size.
pub(super) const BODY: f32 = 9.0;
/// Table text size.
pub(super) const TABLE: f32 = 8.0;

impl Layout<'_> {
    /// Letterhead lines and the library's name, centred and bold, over a
    /// double rule (thick, then thin), as on the regency's letters.
    pub(super) fn letterhead(&mut self, header: &ReportHeader) {
        let (x, w) = (self.left, self.content_width());
        let lines = header
            .letterhead
            .iter()
            .map(|l| (l.as_str(), 12.5))
            .chain(std::iter::once((header.library_name.as_str(), 11.5)));
        for (line, size) in lines {
            if line.trim().is_empty() {
                continue;
            }
            for part in self.wrap(line, w, size, Weight::Bold) {
                self.y -= size * 1.3;
                self.text_in(
                    x,
                    w,
                    self.y + size * 0.25,
                    size,
                    Weight::Bold,
                    Align::Centre,
                    &part,
                );
            }
        }
        self.y -= 6.0;
        self.hline(self.left, self.right, self.y, 1.6, black());
        self.hline(self.left, self.right, self.y - 2.6, 0.5, black());
        self.y -= 16.0;
    }

    /// The title (bold, centred) and a line under it ("Bulan: November 2026").
    pub(super) fn title(&mut self, title: &str, subtitle: &str) {
        self.paragraph(title, 12.5, Weight::Bold, Align::Centre);
        self.gap(2.0);
        self.paragraph(subtitle, 10.5, Weight::Regular, Align::Centre);
        self.gap(12.0);
    }

    /// A section heading, kept with at least `keep` points of what follows.
    pub(super) fn heading(&mut self, s: &str, keep: f32) {
        let size = 10.5;
        self.ensure(size * 1.8 + keep);
        self.gap(6.0);
        self.paragraph(s, size, Weight::Bold, Align::Left);
        self.gap(4.0);
    }

    /// A bar chart across the content width, `height` points high, drawn
    /// from the same geometry as the SVG, under a small title.
    pub(super) fn chart(&mut self, title: &str, bars: &[Bar], height: f32) {
        self.ensure(BODY * 2.0 + height);
        self.gap(4.0);
        self.paragraph(title, BODY, Weight::Bold, Align::Left);
        self.gap(2.0);
        let width = self.content_width();
        let l = charts::layout(bars, width, height);
        let (x0, y0) = (self.left, self.y);
        // Chart coordinates grow downwards from the box's top left.
        let px = |x: f32| x0 + x;
        let py = |y: f32| y0 - y;
        let fs = l.font_size;
        for (y, v) in &l.ticks {
            self.hline(
                px(l.plot.x),
                px(l.plot.x + l.plot.w),
                py(*y),
                0.3,
                grey(0.8),
            );
            let label = v.to_string();
            let w = self.width_of(&label, fs, Weight::Regular);
            self.text(
                px(l.plot.x) - 3.0 - w,
                py(*y) - fs * 0.35,
                fs,
                Weight::Regular,
                &label,
            );
        }
        for (b, _) in &l.bars {
            self.fill_rect(px(b.x), py(b.y + b.h), b.w, b.h, rgb(charts::BAR_RGB));
        }
        for (b, v) in &l.bars {
            let label = v.to_string();
            let w = self.width_of(&label, fs, Weight::Regular);
            self.text(
                px(b.x + b.w / 2.0) - w / 2.0,
                py(b.y) + 2.0,
                fs,
                Weight::Regular,
                &label,
            );
        }
        let base = py(l.plot.y + l.plot.h);
        self.hline(px(l.plot.x), px(l.plot.x + l.plot.w), base, 0.8, grey(0.25));
        for (x, label) in &l.labels {
            let w = self.width_of(label, fs, Weight::Regular);
            self.text(px(*x) - w / 2.0, py(l.label_y), fs, Weight::Regular, label);
        }
        self.y = y0 - height - 6.0;
    }

    /// The signature block of the monthly report: left who prepared it,
    /// right the section head; under it the electronic signature, if any.
    pub(super) fn signature_block(
        &mut self,
        lang: Lang,
        place_date: &str,
        (prepared_by, prepared_nip): (&str, &str),
        (head_name, head_nip): (&str, &str),
        signed: Option<(&SignOff, Option<&str>)>,
    ) {
        let sign_h = if signed.is_some() { 96.0 } else { 0.0 };
        self.ensure(145.0 + sign_h);
        self.gap(22.0);
        let half = self.content_width() / 2.0;
        let (lx, rx) = (self.left, self.left + half + 20.0);
        let col_w = half - 20.0;
        let line = BODY * 1.45;
        // "Sinjai, 2 November 2026" above the section head's column.
        self.text(rx, self.y - line, BODY, Weight::Regular, place_date);
        let top = self.y - line;

        self.text(
            lx,
            top - line,
            BODY,
            Weight::Regular,
            t::PREPARED_BY.get(lang),
        );
        self.text(
            rx,
            top - line,
            BODY,
            Weight::Regular,
            t::ACKNOWLEDGED.get(lang),
        );
        self.text(
            rx,
            top - 2.0 * line,
            BODY,
            Weight::Regular,
            t::SECTION_HEAD.get(lang),
        );

        // Room for a wet signature and a stamp.
        let name_y = top - 2.0 * line - 58.0;
        let left_y = self.signatory(lx, name_y, col_w, prepared_by, prepared_nip, lang);
        let right_y = self.signatory(rx, name_y, col_w, head_name, head_nip, lang);
        self.y = left_y.min(right_y) - line;

        if let Some((s, fingerprint)) = signed {
            self.signed_box(lang, s, fingerprint);
        }
    }

    /// One signatory under their signature space: the name in bold and
    /// underlined (a dotted line to fill in when there is none), then the
    /// NIP when known. Returns the y below it.
    fn signatory(&mut self, x: f32, y: f32, w: f32, name: &str, nip: &str, lang: Lang) -> f32 {
        let line = BODY * 1.45;
        let mut y = y;
        if name.trim().is_empty() {
            self.text(
                x,
                y,
                BODY,
                Weight::Regular,
                "(..............................................)",
            );
            return y - line;
        }
        for part in self.wrap(name, w, BODY, Weight::Bold) {
            let width = self.width_of(&part, BODY, Weight::Bold);
            self.text(x, y, BODY, Weight::Bold, &part);
            self.hline(x, x + width, y - 1.8, 0.5, black());
            y -= line;
        }
        if !nip.trim().is_empty() {
            let nip = format!("{}{}", t::NIP_PREFIX.get(lang), nip);
            self.text(x, y, BODY, Weight::Regular, &nip);
            y -= line;
        }
        y
    }

    fn signed_box(&mut self, lang: Lang, s: &SignOff, fingerprint: Option<&str>) {
        let statement = t::signed_by(lang, &s.name, &s.nip, &s.signed_at);
        let note = format!(
            "{} {}",
            t::SIGNED_NOTE.get(lang),
            bilik_proto::catalog::audit::report_head(lang, s.audit_seq, &s.audit_mac)
        );
        let qr = fingerprint.and_then(|f| {
            qrcode::QrCode::with_error_correction_level(qr_text(f), qrcode::EcLevel::M).ok()
        });
        // The QR code sits at the box's right edge, 1.6 pt a module.
        let module = 1.6;
        let qr_side = qr.as_ref().map_or(0.0, |q| q.width() as f32 * module);
        let w = self.content_width() - 16.0 - if qr.is_some() { qr_side + 10.0 } else { 0.0 };
        let lines_a = self.wrap(&statement, w, BODY, Weight::Bold);
        let mut lines_b = self.wrap(&note, w, 7.5, Weight::Regular);
        if let Some(f) = fingerprint {
            lines_b.extend(self.wrap(
                &format!("{} {f}", t::FINGERPRINT.get(lang)),
                w,
                7.5,
                Weight::Regular,
            ));
        }
        let text_h = lines_a.len() as f32 * BODY * 1.35 + lines_b.len() as f32 * 7.5 * 1.35 + 14.0;
        let h = text_h.max(qr_side + 12.0);
        self.ensure(h + 8.0);
        self.gap(8.0);
        let top = self.y;
        self.fill_rect(
            self.left,
            top - h,
            self.content_width(),
            h,
            rgb((0xEE, 0xF4, 0xEA)),
        );
        self.stroke_rect(self.left, top - h, self.content_width(), h, 0.8);
        if let Some(qr) = &qr {
            let (x0, y0) = (self.right - 6.0 - qr_side, top - 6.0);
            // A white ground under the code, for scanners.
            self.fill_rect(x0, y0 - qr_side, qr_side, qr_side, rgb((0xFF, 0xFF, 0xFF)));
            let side = qr.width();
            for (i, colour) in qr.to_colors().iter().enumerate() {
                if *colour == qrcode::Color::Dark {
                    let (col, row) = ((i % side) as f32, (i / side) as f32);
                    self.fill_rect(
                        x0 + col * module,
                        y0 - (row + 1.0) * module,
                        module,
                        module,
                        black(),
                    );
                }
            }
        }
        let mut y = top - 7.0;
        for l in &lines_a {
            y -= BODY * 1.35;
            self.text(self.left + 8.0, y + 2.5, BODY, Weight::Bold, l);
        }
        for l in &lines_b {
            y -= 7.5 * 1.35;
            self.text(self.left + 8.0, y + 2.0, 7.5, Weight::Regular, l);
        }
        self.y = top - h;
    }
}

/// What the QR code of a signed report says: its fingerprint, labelled.
fn qr_text(fingerprint: &str) -> String {
    format!("BILIK-LAPORAN SHA256:{fingerprint}")
}
