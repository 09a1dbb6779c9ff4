//! Page layout: line breaking with real glyph widths, page flow, and drawing lines and tables.

use crate::document::{BlockStyle, Cell, InlineStyle, Marker, Paragraph, Table};
use crate::error::PdfError;
use crate::fonts::Font;
use crate::writer::ContentStream;
use crate::{MAX_CONTENT_BYTES, MAX_PAGES, MAX_TABLE_COLUMNS};

/// Height of a line box per point of its largest font size.
pub(crate) const LINE_HEIGHT: f32 = 1.25;
/// Distance from a line box's top to its baseline per point of font size. Leaves room for the
/// tallest glyph of the standard fonts (0.93 em) above and the deepest (0.23 em) below.
const BASELINE_DROP: f32 = 0.99;
/// Space between a list marker and the text it belongs to.
const MARKER_GAP_PT: f32 = 6.0;
/// Space between a cell's grid lines and its text.
const CELL_PADDING_PT: f32 = 4.0;
/// Narrowest column we aim for, before shrinking to fit the page.
const MIN_COLUMN_CONTENT_PT: f32 = 6.0;
const GRID_LINE_WIDTH_PT: f32 = 0.5;
/// Width below which indentation stops growing, so deep nesting still leaves room for text.
pub(crate) const MIN_FLOW_WIDTH_PT: f32 = 72.0;
/// Slack for comparing accumulated floating-point widths and heights.
const EPSILON_PT: f32 = 0.01;

/// Size of the page and its margins, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    pub(crate) width_pt: f32,
    pub(crate) height_pt: f32,
    pub(crate) margin_pt: f32,
}

impl Geometry {
    fn content_width_pt(&self) -> f32 {
        self.width_pt - 2.0 * self.margin_pt
    }

    fn top_pt(&self) -> f32 {
        self.height_pt - self.margin_pt
    }

    fn bottom_pt(&self) -> f32 {
        self.margin_pt
    }
}

/// A clickable rectangle on a page, pointing at one of the document's link targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinkArea {
    /// `[left, bottom, right, top]` in PDF user space.
    pub(crate) rect: [f32; 4],
    pub(crate) link: u32,
}

/// One finished page: its content stream and its link areas.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageOutput {
    pub(crate) content: Vec<u8>,
    pub(crate) links: Vec<LinkArea>,
}

/// Everything the PDF writer needs from layout.
#[derive(Debug)]
pub(crate) struct LayoutOutput {
    pub(crate) pages: Vec<PageOutput>,
    /// Bit `Font::index()` is set for every font some page uses.
    pub(crate) fonts_used: u8,
}

/// A line of a paragraph: a byte range and its natural width.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LineSpan {
    start: usize,
    end: usize,
}

/// A line of a table cell, positioned relative to the top of the cell's content.
#[derive(Debug, Clone, Copy)]
struct CellLine {
    block: usize,
    span: LineSpan,
    top_pt: f32,
    size_pt: f32,
    indent_pt: f32,
    has_marker: bool,
}

/// A table cell broken into lines for its column width.
#[derive(Debug, Default)]
struct CellLines {
    lines: Vec<CellLine>,
    height_pt: f32,
}

/// Flows blocks onto pages, top to bottom.
pub(crate) struct Layout {
    geometry: Geometry,
    finished: Vec<PageOutput>,
    /// Total size of the finished pages' content streams.
    finished_bytes: usize,
    content: ContentStream,
    links: Vec<LinkArea>,
    /// Top of the next line box, in PDF user space (y grows upwards).
    y_pt: f32,
    /// Nothing has been placed on the current page yet: gaps are dropped here.
    at_page_top: bool,
    /// Largest vertical margin asked for since the last block (margins collapse).
    pending_gap_pt: f32,
    fonts_used: u8,
    /// Font and size last selected on the current page (`Tf` persists across text objects).
    page_font: Option<(Font, f32)>,
    /// Reused buffer, so drawing a line allocates nothing.
    underlines: Vec<[f32; 3]>,
}

impl std::fmt::Debug for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Page contents are long; their sizes are what matters when debugging.
        f.debug_struct("Layout")
            .field("geometry", &self.geometry)
            .field("finished_pages", &self.finished.len())
            .field("content_bytes", &self.content.len())
            .field("y_pt", &self.y_pt)
            .field("at_page_top", &self.at_page_top)
            .field("pending_gap_pt", &self.pending_gap_pt)
            .finish_non_exhaustive()
    }
}

impl Layout {
    pub(crate) fn new(geometry: Geometry) -> Self {
        Layout {
            geometry,
            finished: Vec::new(),
            finished_bytes: 0,
            content: ContentStream::default(),
            links: Vec::new(),
            y_pt: geometry.top_pt(),
            at_page_top: true,
            pending_gap_pt: 0.0,
            fonts_used: 0,
            page_font: None,
            underlines: Vec::new(),
        }
    }

    /// Asks for vertical space before the next block; adjacent gaps collapse to the largest.
    pub(crate) fn gap(&mut self, gap_pt: f32) {
        self.pending_gap_pt = self.pending_gap_pt.max(gap_pt);
    }

    /// Lays out one paragraph, breaking lines and pages as needed.
    pub(crate) fn paragraph(
        &mut self,
        paragraph: &Paragraph,
        style: &BlockStyle,
    ) -> Result<(), PdfError> {
        let (flow_left, _) = self.flow_span(0.0);
        let (x, width) = self.flow_span(style.indent_pt);
        self.apply_gap();
        let mut marker = style.marker.as_ref();
        break_lines(paragraph, width, style.preformatted, |layout_line| {
            let size = line_size(paragraph, layout_line, style.base_size_pt);
            let top = self.place(LINE_HEIGHT * size)?;
            self.draw_line(
                paragraph,
                layout_line,
                x,
                top,
                size,
                marker.take(),
                flow_left,
            );
            Ok(())
        })
    }

    /// Draws a horizontal rule across the flow (`<hr>`).
    pub(crate) fn rule(&mut self, indent_pt: f32) -> Result<(), PdfError> {
        let (x, width) = self.flow_span(indent_pt);
        self.apply_gap();
        let top = self.place(1.0)?;
        let y = round2(top - 0.5);
        self.content
            .set_stroke_gray(0.6)
            .set_line_width(0.75)
            .move_to(round2(x), y)
            .line_to(round2(x + width), y)
            .stroke()
            .set_stroke_gray(0.0);
        Ok(())
    }

    /// Lays out a table: column widths from its content, rows split across pages when needed.
    pub(crate) fn table(&mut self, table: &Table, indent_pt: f32) -> Result<(), PdfError> {
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return Ok(());
        }
        if columns > MAX_TABLE_COLUMNS {
            return Err(PdfError::TooManyColumns {
                columns,
                limit: MAX_TABLE_COLUMNS,
            });
        }
        let (x, width) = self.flow_span(indent_pt);
        let widths = column_widths(table, columns, width);
        self.apply_gap();
        for row in &table.rows {
            self.table_row(row, &widths, x)?;
        }
        Ok(())
    }

    /// Closes the last page and hands over all pages.
    pub(crate) fn finish(mut self) -> Result<LayoutOutput, PdfError> {
        self.close_page()?;
        Ok(LayoutOutput {
            pages: self.finished,
            fonts_used: self.fonts_used,
        })
    }

    /// Moves the current page to the finished ones, checking the content size limit.
    fn close_page(&mut self) -> Result<(), PdfError> {
        let content = std::mem::take(&mut self.content).into_bytes();
        self.finished_bytes += content.len();
        if self.finished_bytes > MAX_CONTENT_BYTES {
            return Err(PdfError::OutputTooLarge {
                limit_bytes: MAX_CONTENT_BYTES,
            });
        }
        self.finished.push(PageOutput {
            content,
            links: std::mem::take(&mut self.links),
        });
        self.page_font = None;
        Ok(())
    }

    /// Left edge and width of the flow at `indent_pt`; indentation stops growing once only
    /// [`MIN_FLOW_WIDTH_PT`] would be left.
    fn flow_span(&self, indent_pt: f32) -> (f32, f32) {
        let content_width = self.geometry.content_width_pt();
        let indent = indent_pt.min(content_width - MIN_FLOW_WIDTH_PT).max(0.0);
        (self.geometry.margin_pt + indent, content_width - indent)
    }

    fn apply_gap(&mut self) {
        let gap = std::mem::take(&mut self.pending_gap_pt);
        if !self.at_page_top {
            self.y_pt -= gap;
        }
    }

    /// Reserves a box of `height_pt` on the current page, or on a new one if it does not fit.
    /// Returns the top of the box.
    fn place(&mut self, height_pt: f32) -> Result<f32, PdfError> {
        if self.y_pt - height_pt < self.geometry.bottom_pt() - EPSILON_PT && !self.at_page_top {
            self.new_page()?;
        }
        let top = self.y_pt;
        self.y_pt -= height_pt;
        self.at_page_top = false;
        Ok(top)
    }

    fn new_page(&mut self) -> Result<(), PdfError> {
        if self.finished.len() + 1 >= MAX_PAGES {
            return Err(PdfError::TooManyPages { limit: MAX_PAGES });
        }
        self.close_page()?;
        self.y_pt = self.geometry.top_pt();
        self.at_page_top = true;
        Ok(())
    }

    /// Draws one line whose box starts at `top`; `x` is where its text starts.
    #[allow(clippy::too_many_arguments)]
    fn draw_line(
        &mut self,
        paragraph: &Paragraph,
        span: LineSpan,
        x: f32,
        top: f32,
        size_pt: f32,
        marker: Option<&Marker>,
        flow_left: f32,
    ) {
        if span.start >= span.end && marker.is_none() {
            return;
        }
        let baseline = round2(top - BASELINE_DROP * size_pt);
        let line_bottom = round2(top - LINE_HEIGHT * size_pt);
        let content = &mut self.content;
        content.begin_text();
        // The font is part of the graphics state, so it carries over from the previous line.
        let current = &mut self.page_font;
        let mut set_font =
            |content: &mut ContentStream, fonts_used: &mut u8, style: &InlineStyle| {
                if *current != Some((style.font, style.size_pt)) {
                    content.set_font(style.font, style.size_pt);
                    *fonts_used |= 1 << style.font.index();
                    *current = Some((style.font, style.size_pt));
                }
            };
        match marker {
            Some(marker) => {
                let marker_width = marker
                    .style
                    .font
                    .text_width_pt(&marker.text, marker.style.size_pt);
                let marker_x = round2((x - MARKER_GAP_PT - marker_width).max(flow_left));
                set_font(content, &mut self.fonts_used, &marker.style);
                content.next_line(marker_x, baseline);
                content.show(&marker.text);
                content.next_line(round2(x) - marker_x, 0.0);
            }
            None => {
                content.next_line(round2(x), baseline);
            }
        }
        let mut pen_x = x;
        let mut in_link_color = false;
        self.underlines.clear();
        if span.start < span.end {
            let mut run_index = paragraph.run_index_at(span.start);
            let mut start = span.start;
            while start < span.end {
                let run = paragraph.runs[run_index];
                let end = run.end.min(span.end);
                let bytes = &paragraph.text[start..end];
                set_font(content, &mut self.fonts_used, &run.style);
                if run.style.link.is_some() != in_link_color {
                    in_link_color = run.style.link.is_some();
                    if in_link_color {
                        content.set_fill_rgb(0.0, 0.0, 0.8);
                    } else {
                        content.set_fill_gray(0.0);
                    }
                }
                content.show(bytes);
                if !paragraph.has_links {
                    // Positions within the line only matter for link areas.
                    start = end;
                    run_index += 1;
                    continue;
                }
                let width = run.style.font.text_width_pt(bytes, run.style.size_pt);
                if let Some(link) = run.style.link {
                    let rect = [
                        round2(pen_x),
                        line_bottom,
                        round2(pen_x + width),
                        round2(top),
                    ];
                    match self.links.last_mut() {
                        Some(last)
                            if last.link == link
                                && last.rect[1] == rect[1]
                                && (last.rect[2] - rect[0]).abs() < EPSILON_PT =>
                        {
                            last.rect[2] = rect[2];
                        }
                        _ => self.links.push(LinkArea { rect, link }),
                    }
                    self.underlines.push([
                        round2(pen_x),
                        round2(pen_x + width),
                        round2(baseline - 0.12 * run.style.size_pt),
                    ]);
                }
                pen_x += width;
                start = end;
                run_index += 1;
            }
        }
        if in_link_color {
            content.set_fill_gray(0.0);
        }
        content.end_text();
        if !self.underlines.is_empty() {
            content.set_stroke_rgb(0.0, 0.0, 0.8).set_line_width(0.5);
            for &[x1, x2, y] in &self.underlines {
                content.move_to(x1, y).line_to(x2, y);
            }
            content.stroke().set_stroke_gray(0.0);
        }
    }

    fn table_row(&mut self, row: &[Cell], widths: &[f32], table_x: f32) -> Result<(), PdfError> {
        if row.is_empty() {
            return Ok(());
        }
        let pad = CELL_PADDING_PT;
        let mut column_x = Vec::with_capacity(widths.len());
        let mut x = table_x;
        for width in widths {
            column_x.push(x);
            x += width;
        }
        let cells: Vec<CellLines> = widths
            .iter()
            .enumerate()
            .map(|(column, width)| match row.get(column) {
                Some(cell) => layout_cell(cell, (width - 2.0 * pad).max(1.0)),
                None => CellLines::default(),
            })
            .collect();
        let mut next_line = vec![0usize; widths.len()];
        let mut consumed_pt = vec![0.0f32; widths.len()];
        let page_content_height = self.geometry.top_pt() - self.geometry.bottom_pt();
        loop {
            let remaining = cells
                .iter()
                .zip(&consumed_pt)
                .map(|(cell, consumed)| cell.height_pt - consumed)
                .fold(0.0f32, f32::max)
                + 2.0 * pad;
            let available = self.y_pt - self.geometry.bottom_pt();
            if remaining <= available + EPSILON_PT {
                let top = self.y_pt;
                self.draw_row_segment(
                    row,
                    &cells,
                    &column_x,
                    &mut next_line,
                    &consumed_pt,
                    top,
                    f32::INFINITY,
                    false,
                );
                self.grid(&column_x, widths, top, remaining);
                self.y_pt -= remaining;
                self.at_page_top = false;
                return Ok(());
            }
            if !self.at_page_top && remaining <= page_content_height + EPSILON_PT {
                self.new_page()?;
                continue;
            }
            // The row is taller than what is left: split it between lines.
            let top = self.y_pt;
            let force = self.at_page_top;
            let drew = self.draw_row_segment(
                row,
                &cells,
                &column_x,
                &mut next_line,
                &consumed_pt,
                top,
                available - 2.0 * pad,
                force,
            );
            if drew {
                self.grid(&column_x, widths, top, available);
                self.at_page_top = false;
                for (column, cell) in cells.iter().enumerate() {
                    consumed_pt[column] = cell
                        .lines
                        .get(next_line[column])
                        .map_or(cell.height_pt, |line| line.top_pt);
                }
            }
            self.new_page()?;
        }
    }

    /// Draws the not-yet-drawn lines of each cell that end within `limit_pt` of the segment top.
    /// With `force`, the first such line of each cell is drawn even if it is too tall.
    #[allow(clippy::too_many_arguments)]
    fn draw_row_segment(
        &mut self,
        row: &[Cell],
        cells: &[CellLines],
        column_x: &[f32],
        next_line: &mut [usize],
        consumed_pt: &[f32],
        top: f32,
        limit_pt: f32,
        force: bool,
    ) -> bool {
        let pad = CELL_PADDING_PT;
        let mut drew = false;
        for (column, cell_lines) in cells.iter().enumerate() {
            let Some(cell) = row.get(column) else {
                continue;
            };
            let inner_left = column_x[column] + pad;
            let mut first = true;
            while let Some(line) = cell_lines.lines.get(next_line[column]) {
                let offset = line.top_pt - consumed_pt[column];
                let bottom = offset + LINE_HEIGHT * line.size_pt;
                if bottom > limit_pt + EPSILON_PT && !(force && first) {
                    break;
                }
                let block = &cell.blocks[line.block];
                let marker = if line.has_marker {
                    block.style.marker.as_ref()
                } else {
                    None
                };
                self.draw_line(
                    &block.paragraph,
                    line.span,
                    inner_left + line.indent_pt,
                    top - pad - offset,
                    line.size_pt,
                    marker,
                    inner_left,
                );
                next_line[column] += 1;
                first = false;
                drew = true;
            }
        }
        drew
    }

    fn grid(&mut self, column_x: &[f32], widths: &[f32], top: f32, height: f32) {
        self.content.set_line_width(GRID_LINE_WIDTH_PT);
        for (x, width) in column_x.iter().zip(widths) {
            self.content.rect(
                round2(*x),
                round2(top - height),
                round2(*width),
                round2(height),
            );
        }
        self.content.stroke();
    }
}

/// Breaks a cell's blocks into lines for its inner width.
fn layout_cell(cell: &Cell, inner_width: f32) -> CellLines {
    let mut lines = Vec::new();
    let mut y = 0.0f32;
    for (block_index, block) in cell.blocks.iter().enumerate() {
        if block_index > 0 {
            y += block.gap_before_pt;
        }
        // Lists inside a cell indent, but never past half the cell.
        let indent = block.style.indent_pt.min(inner_width / 2.0).max(0.0);
        let mut has_marker = block.style.marker.is_some();
        let result = break_lines(
            &block.paragraph,
            inner_width - indent,
            block.style.preformatted,
            |span| {
                let size = line_size(&block.paragraph, span, block.style.base_size_pt);
                lines.push(CellLine {
                    block: block_index,
                    span,
                    top_pt: y,
                    size_pt: size,
                    indent_pt: indent,
                    has_marker: std::mem::take(&mut has_marker),
                });
                y += LINE_HEIGHT * size;
                Ok(())
            },
        );
        // The line sink above never fails.
        debug_assert!(result.is_ok());
    }
    CellLines {
        lines,
        height_pt: y,
    }
}

/// Column widths: each column gets at least its longest word and at most its longest line,
/// sharing out the available width in proportion; if even the words do not fit, all columns
/// shrink in proportion to their longest word and words break inside the cells.
fn column_widths(table: &Table, columns: usize, available_pt: f32) -> Vec<f32> {
    let pad2 = 2.0 * CELL_PADDING_PT;
    let mut min = vec![MIN_COLUMN_CONTENT_PT + pad2; columns];
    let mut max = min.clone();
    for row in &table.rows {
        for (column, cell) in row.iter().enumerate() {
            for block in &cell.blocks {
                let (word, line) = measure(&block.paragraph, block.style.preformatted);
                let indent = block.style.indent_pt.max(0.0);
                min[column] = min[column].max(word + indent + pad2);
                max[column] = max[column].max(line + indent + pad2);
            }
        }
    }
    let sum_min: f32 = min.iter().sum();
    let sum_max: f32 = max.iter().sum();
    if sum_max <= available_pt {
        max
    } else if sum_min <= available_pt {
        let share = (available_pt - sum_min) / (sum_max - sum_min);
        min.iter()
            .zip(&max)
            .map(|(lo, hi)| lo + (hi - lo) * share)
            .collect()
    } else {
        min.iter().map(|lo| lo * available_pt / sum_min).collect()
    }
}

/// Widest unbreakable piece and widest forced line of a paragraph, in points.
fn measure(paragraph: &Paragraph, preformatted: bool) -> (f32, f32) {
    let (mut word, mut line, mut widest_word, mut widest_line) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut run_index = 0;
    for (offset, &byte) in paragraph.text.iter().enumerate() {
        while paragraph.runs[run_index].end <= offset {
            run_index += 1;
        }
        if byte == b'\n' {
            widest_word = widest_word.max(word);
            widest_line = widest_line.max(line);
            word = 0.0;
            line = 0.0;
            continue;
        }
        let style = paragraph.runs[run_index].style;
        let width = glyph_width(style, byte);
        line += width;
        if byte == b' ' && !preformatted {
            widest_word = widest_word.max(word);
            word = 0.0;
        } else {
            word += width;
        }
    }
    (widest_word.max(word), widest_line.max(line))
}

fn glyph_width(style: InlineStyle, byte: u8) -> f32 {
    f32::from(style.font.width_units(byte)) * style.size_pt / 1000.0
}

/// Largest font size on a line; `base_size_pt` for an empty one.
fn line_size(paragraph: &Paragraph, span: LineSpan, base_size_pt: f32) -> f32 {
    if span.start >= span.end {
        return base_size_pt;
    }
    let mut size = 0.0f32;
    let mut run_index = paragraph.run_index_at(span.start);
    loop {
        let run = paragraph.runs[run_index];
        size = size.max(run.style.size_pt);
        if run.end >= span.end || run_index + 1 == paragraph.runs.len() {
            return size;
        }
        run_index += 1;
    }
}

/// Greedy line breaking with real glyph widths.
///
/// Outside `<pre>`, lines break at spaces (the space itself is dropped) and at `\n`; a word
/// longer than the line is broken between characters. In `<pre>` lines break at `\n`, and a line
/// longer than the width wraps between characters (nothing is clipped). A single trailing `\n`
/// adds no empty line, like `<br>` at the end of a block in a browser. Always emits at least one
/// line, so an empty paragraph still takes one line's height.
fn break_lines(
    paragraph: &Paragraph,
    width_pt: f32,
    preformatted: bool,
    mut emit: impl FnMut(LineSpan) -> Result<(), PdfError>,
) -> Result<(), PdfError> {
    let text = &paragraph.text;
    let len = match text.last() {
        Some(b'\n') => text.len() - 1,
        _ => text.len(),
    };
    let mut line_start = 0;
    let mut width = 0.0f32;
    // The last breakable space on the current line: its offset and the line width after it.
    let mut candidate: Option<(usize, f32)> = None;
    let mut run_index = 0;
    let mut offset = 0;
    while offset < len {
        let byte = text[offset];
        if byte == b'\n' {
            emit(LineSpan {
                start: line_start,
                end: offset,
            })?;
            offset += 1;
            line_start = offset;
            width = 0.0;
            candidate = None;
            continue;
        }
        while paragraph.runs[run_index].end <= offset {
            run_index += 1;
        }
        let glyph = glyph_width(paragraph.runs[run_index].style, byte);
        if byte == b' ' && !preformatted {
            if offset == line_start {
                // A space at the start of a wrapped line is dropped.
                line_start += 1;
            } else {
                width += glyph;
                candidate = Some((offset, width));
            }
            offset += 1;
            continue;
        }
        if width + glyph > width_pt + EPSILON_PT && offset > line_start {
            match candidate.take() {
                Some((space, width_through_space)) => {
                    emit(LineSpan {
                        start: line_start,
                        end: space,
                    })?;
                    line_start = space + 1;
                    width -= width_through_space;
                }
                None => {
                    emit(LineSpan {
                        start: line_start,
                        end: offset,
                    })?;
                    line_start = offset;
                    width = 0.0;
                }
            }
            continue;
        }
        width += glyph;
        offset += 1;
    }
    emit(LineSpan {
        start: line_start,
        end: len.max(line_start),
    })
}

/// Rounds to hundredths of a point, which keeps content streams short and exact enough.
fn round2(value: f32) -> f32 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{CellBlock, InlineStyle};

    fn paragraph(text: &str, font: Font) -> Paragraph {
        let mut paragraph = Paragraph::default();
        let style = InlineStyle {
            font,
            size_pt: 10.0,
            link: None,
        };
        for byte in text.bytes() {
            paragraph.push(byte, style);
        }
        paragraph
    }

    fn lines(paragraph: &Paragraph, width_pt: f32, preformatted: bool) -> Vec<String> {
        let mut out = Vec::new();
        break_lines(paragraph, width_pt, preformatted, |span| {
            out.push(String::from_utf8_lossy(&paragraph.text[span.start..span.end]).into_owned());
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_break_at_spaces_within_the_width() {
        // Courier 10 pt: 6 pt per character, so 60 pt hold 10 characters.
        let text = paragraph("aaaa bbbb cccc dd", Font::Courier);
        assert_eq!(lines(&text, 60.0, false), vec!["aaaa bbbb", "cccc dd"]);
        assert_eq!(lines(&text, 1000.0, false), vec!["aaaa bbbb cccc dd"]);
    }

    #[test]
    fn long_words_break_between_characters() {
        let text = paragraph("abcdefghijkl xy", Font::Courier);
        assert_eq!(lines(&text, 30.0, false), vec!["abcde", "fghij", "kl xy"]);
    }

    #[test]
    fn forced_breaks_and_empty_lines() {
        let text = paragraph("a\n\nb\n", Font::Courier);
        assert_eq!(lines(&text, 100.0, false), vec!["a", "", "b"]);
        assert_eq!(lines(&paragraph("", Font::Courier), 100.0, false), vec![""]);
    }

    #[test]
    fn preformatted_text_keeps_spaces_and_wraps_long_lines() {
        let text = paragraph("  x  y\nabcdefgh", Font::Courier);
        assert_eq!(lines(&text, 30.0, true), vec!["  x  ", "y", "abcde", "fgh"]);
    }

    #[test]
    fn helvetica_widths_decide_the_break() {
        // "iiii" is 4 * 2.22 = 8.88 pt and "WWWW" is 4 * 9.44 = 37.76 pt at 10 pt.
        let narrow = paragraph("iiii iiii", Font::Helvetica);
        assert_eq!(lines(&narrow, 21.0, false), vec!["iiii iiii"]);
        assert_eq!(lines(&narrow, 20.0, false), vec!["iiii", "iiii"]);
        let wide = paragraph("WWWW WWWW", Font::Helvetica);
        assert_eq!(lines(&wide, 40.0, false), vec!["WWWW", "WWWW"]);
    }

    #[test]
    fn measure_reports_longest_word_and_line() {
        let (word, line) = measure(&paragraph("ab abcd\nabc", Font::Courier), false);
        assert!((word - 24.0).abs() < 1e-3 && (line - 42.0).abs() < 1e-3);
        let (word, _) = measure(&paragraph("ab abcd", Font::Courier), true);
        assert!((word - 42.0).abs() < 1e-3);
    }

    fn cell(text: &str) -> Cell {
        Cell {
            blocks: vec![CellBlock {
                gap_before_pt: 0.0,
                paragraph: paragraph(text, Font::Courier),
                style: BlockStyle {
                    indent_pt: 0.0,
                    preformatted: false,
                    base_size_pt: 10.0,
                    marker: None,
                },
            }],
        }
    }

    #[test]
    fn columns_fit_content_or_share_the_width() {
        let table = Table {
            rows: vec![vec![cell("ab"), cell("abcdefgh abcdefgh")]],
        };
        // Everything fits: each column is as wide as its text plus padding.
        let widths = column_widths(&table, 2, 500.0);
        assert!((widths[0] - (12.0 + 8.0)).abs() < 1e-3, "{widths:?}");
        assert!((widths[1] - (102.0 + 8.0)).abs() < 1e-3, "{widths:?}");
        // Too narrow for the long line: the second column shrinks towards its longest word.
        let widths = column_widths(&table, 2, 80.0);
        assert!(
            (widths.iter().sum::<f32>() - 80.0).abs() < 1e-3,
            "{widths:?}"
        );
        assert!(widths[1] >= 48.0 + 8.0 - 1e-3, "{widths:?}");
    }

    #[test]
    fn tall_table_rows_split_across_pages() {
        let geometry = Geometry {
            width_pt: 300.0,
            height_pt: 200.0,
            margin_pt: 20.0,
        };
        let mut layout = Layout::new(geometry);
        let long_cell = vec!["word"; 200].join(" ");
        let table = Table {
            rows: vec![vec![cell("left"), cell(&long_cell)]],
        };
        layout.table(&table, 0.0).unwrap();
        let output = layout.finish().unwrap();
        assert!(output.pages.len() > 2, "{} pages", output.pages.len());
        let total_words: usize = output
            .pages
            .iter()
            .map(|page| {
                String::from_utf8_lossy(&page.content)
                    .matches("word")
                    .count()
            })
            .sum();
        assert_eq!(total_words, 200);
    }
}
