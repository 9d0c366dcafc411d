//! Ruled tables: a shaded bold header row, cells wrapped to their column,
//! the header repeated on every page the table runs onto.

use super::layout::{Align, Layout, Weight, grey};

/// A column of a table.
#[derive(Debug, Clone)]
pub(super) struct Column {
    /// Header text.
    pub header: String,
    /// Relative width (the table's width is shared out by these).
    pub weight: f32,
    /// How the column's cells are aligned.
    pub align: Align,
}

impl Column {
    /// A left-aligned column.
    pub(super) fn text(header: &str, weight: f32) -> Column {
        Column {
            header: header.to_string(),
            weight,
            align: Align::Left,
        }
    }

    /// A right-aligned (numeric) column.
    pub(super) fn number(header: &str, weight: f32) -> Column {
        Column {
            header: header.to_string(),
            weight,
            align: Align::Right,
        }
    }
}

/// Cell padding, horizontal.
const PAD_X: f32 = 3.0;
/// Cell padding, vertical.
const PAD_Y: f32 = 2.5;

impl Layout<'_> {
    /// A table from the left margin, `width` wide (the content width when
    /// `None`), in `size`-point type. The cursor ends under it.
    pub(super) fn table(
        &mut self,
        columns: &[Column],
        rows: &[Vec<String>],
        size: f32,
        width: Option<f32>,
    ) {
        let width = width.unwrap_or_else(|| self.content_width());
        let total: f32 = columns
            .iter()
            .map(|c| c.weight)
            .sum::<f32>()
            .max(f32::EPSILON);
        let widths: Vec<f32> = columns.iter().map(|c| c.weight / total * width).collect();
        let mins: Vec<f32> = (0..columns.len())
            .map(|i| {
                let header = self.widest_word(&columns[i].header, size, Weight::Bold);
                let cells = rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| self.widest_word(c, size, Weight::Regular))
                    .fold(0.0, f32::max);
                // A very long word (a URL) may break rather than squeeze the rest.
                (header.max(cells) + 2.0 * PAD_X + 0.5).min(width * 0.35)
            })
            .collect();
        let widths = fit(&widths, &mins, width);
        let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let header = self.wrap_row(&headers, &widths, size, Weight::Bold);
        let first = rows
            .first()
            .map(|r| self.wrap_row(r, &widths, size, Weight::Regular));
        let first_h = first.as_ref().map_or(0.0, |r| row_height(r, size));
        self.ensure(row_height(&header, size) + first_h);
        self.draw_row(columns, &widths, &header, size, Weight::Bold);
        for row in rows {
            let wrapped = self.wrap_row(row, &widths, size, Weight::Regular);
            if self.ensure(row_height(&wrapped, size)) {
                self.draw_row(columns, &widths, &header, size, Weight::Bold);
            }
            self.draw_row(columns, &widths, &wrapped, size, Weight::Regular);
        }
    }

    fn widest_word(&self, s: &str, size: f32, weight: Weight) -> f32 {
        s.split_whitespace()
            .map(|w| self.width_of(w, size, weight))
            .fold(0.0, f32::max)
    }

    fn wrap_row(
        &self,
        cells: &[String],
        widths: &[f32],
        size: f32,
        weight: Weight,
    ) -> Vec<Vec<String>> {
        widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let cell = cells.get(i).map_or("", String::as_str);
                self.wrap(cell, w - 2.0 * PAD_X, size, weight)
            })
            .collect()
    }

    fn draw_row(
        &mut self,
        columns: &[Column],
        widths: &[f32],
        cells: &[Vec<String>],
        size: f32,
        weight: Weight,
    ) {
        let h = row_height(cells, size);
        let top = self.y;
        let bottom = top - h;
        if weight == Weight::Bold {
            self.fill_rect(self.left, bottom, widths.iter().sum(), h, grey(0.87));
        }
        let mut x = self.left;
        for (i, (w, lines)) in widths.iter().zip(cells).enumerate() {
            // Headers are centred; cells follow their column.
            let align = match weight {
                Weight::Bold => Align::Centre,
                Weight::Regular => columns.get(i).map_or(Align::Left, |c| c.align),
            };
            for (n, line) in lines.iter().enumerate() {
                let baseline = top - PAD_Y - size * 0.95 - n as f32 * leading(size);
                self.text_in(
                    x + PAD_X,
                    w - 2.0 * PAD_X,
                    baseline,
                    size,
                    weight,
                    align,
                    line,
                );
            }
            self.stroke_rect(x, bottom, *w, h, 0.4);
            x += w;
        }
        self.y = bottom;
    }
}

/// Widens columns narrower than their widest word to that width, taking
/// the room from the others in proportion to their slack; when even the
/// minimums do not fit, shares `total` out by the minimums.
fn fit(widths: &[f32], mins: &[f32], total: f32) -> Vec<f32> {
    let min_sum: f32 = mins.iter().sum();
    if min_sum >= total {
        return mins
            .iter()
            .map(|m| m * total / min_sum.max(f32::EPSILON))
            .collect();
    }
    let deficit: f32 = widths.iter().zip(mins).map(|(w, m)| (m - w).max(0.0)).sum();
    let slack: f32 = widths.iter().zip(mins).map(|(w, m)| (w - m).max(0.0)).sum();
    if deficit <= 0.0 || slack <= 0.0 {
        return widths.to_vec();
    }
    // slack - deficit = total - min_sum > 0, so the ratio is below 1.
    let ratio = deficit / slack;
    widths
        .iter()
        .zip(mins)
        .map(|(w, m)| if w < m { *m } else { w - (w - m) * ratio })
        .collect()
}

fn leading(size: f32) -> f32 {
    size * 1.25
}

fn row_height(cells: &[Vec<String>], size: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * leading(size) + 2.0 * PAD_Y
}

/// Rows laid side by side in `groups` blocks (a long, narrow list made
/// compact): the columns repeat per block, and block k holds rows
/// k*n..(k+1)*n where n = ceil(rows / groups).
pub(super) fn side_by_side(
    columns: &[Column],
    rows: &[Vec<String>],
    groups: usize,
) -> (Vec<Column>, Vec<Vec<String>>) {
    let groups = groups.max(1);
    let per = rows.len().div_ceil(groups).max(1);
    let wide_columns = (0..groups).flat_map(|_| columns.iter().cloned()).collect();
    let wide_rows = (0..per)
        .map(|i| {
            (0..groups)
                .flat_map(|g| match rows.get(g * per + i) {
                    Some(r) => r.clone(),
                    None => vec![String::new(); columns.len()],
                })
                .collect()
        })
        .collect();
    (wide_columns, wide_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_columns_widen_to_their_words() {
        let w = fit(&[10.0, 50.0, 40.0], &[30.0, 10.0, 10.0], 100.0);
        assert!((w.iter().sum::<f32>() - 100.0).abs() < 0.01);
        assert!(w[0] >= 30.0 - 0.01 && w[1] >= 10.0 && w[2] >= 10.0, "{w:?}");
        let w = fit(&[50.0, 50.0], &[80.0, 40.0], 100.0);
        assert!((w[0] - 66.67).abs() < 0.1, "{w:?}");
    }

    #[test]
    fn side_by_side_fills_blocks_in_order() {
        let cols = [Column::text("a", 1.0), Column::number("b", 1.0)];
        let rows: Vec<Vec<String>> = (1..=5).map(|i| vec![i.to_string(), "x".into()]).collect();
        let (c, r) = side_by_side(&cols, &rows, 2);
        assert_eq!(c.len(), 4);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], ["1", "x", "4", "x"]);
        assert_eq!(r[2], ["3", "x", "", ""]);
    }
}
