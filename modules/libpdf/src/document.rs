//! The flow model between HTML and layout: styled paragraphs, list markers and tables.

use crate::fonts::Font;

/// How a stretch of text is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct InlineStyle {
    pub(crate) font: Font,
    pub(crate) size_pt: f32,
    /// Index into the document's link targets, for text inside `<a href="http(s)://...">`.
    pub(crate) link: Option<u32>,
}

/// The end of a stretch of [`Paragraph::text`] drawn in one style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Run {
    /// Exclusive end offset into the paragraph text; a run starts where the previous ends.
    pub(crate) end: usize,
    pub(crate) style: InlineStyle,
}

/// Text of one block, as WinAnsi bytes with whitespace already collapsed (outside `<pre>`).
///
/// `\n` is a forced line break; `0x20` is a breakable space; `0xA0` a non-breaking one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Paragraph {
    pub(crate) text: Vec<u8>,
    pub(crate) runs: Vec<Run>,
    /// Some run has a link, so drawing has to track where each run starts.
    pub(crate) has_links: bool,
}

impl Paragraph {
    /// Appends one byte in `style`, extending the last run when the style is unchanged.
    pub(crate) fn push(&mut self, byte: u8, style: InlineStyle) {
        self.text.push(byte);
        self.end_run(style);
    }

    /// Appends bytes that all get `style`; cheaper than [`Paragraph::push`] per byte.
    pub(crate) fn extend(&mut self, bytes: &[u8], style: InlineStyle) {
        self.text.extend_from_slice(bytes);
        self.end_run(style);
    }

    /// Marks the bytes after the last run as drawn in `style`.
    fn end_run(&mut self, style: InlineStyle) {
        let end = self.text.len();
        match self.runs.last_mut() {
            Some(run) if run.style == style => run.end = end,
            _ => self.runs.push(Run { end, style }),
        }
        self.has_links |= style.link.is_some();
    }

    /// Empties the paragraph, keeping its allocations.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.runs.clear();
        self.has_links = false;
    }

    pub(crate) fn last_byte(&self) -> Option<u8> {
        self.text.last().copied()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Drops trailing breakable spaces, as a browser does at the end of a line.
    pub(crate) fn trim_trailing_spaces(&mut self) {
        while self.text.last() == Some(&b' ') {
            self.text.pop();
        }
        let len = self.text.len();
        while let Some(last) = self.runs.len().checked_sub(1) {
            let start = last
                .checked_sub(1)
                .map_or(0, |previous| self.runs[previous].end);
            if start < len {
                self.runs[last].end = self.runs[last].end.min(len);
                break;
            }
            self.runs.pop();
        }
    }

    /// Index of the run holding byte `offset` (the last run when `offset` is past the end).
    pub(crate) fn run_index_at(&self, offset: usize) -> usize {
        self.runs
            .partition_point(|run| run.end <= offset)
            .min(self.runs.len().saturating_sub(1))
    }
}

/// A list bullet or number drawn left of a block's first line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Marker {
    pub(crate) text: Vec<u8>,
    pub(crate) style: InlineStyle,
}

/// Block-level settings for laying out one [`Paragraph`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BlockStyle {
    /// Left indent from the flow's left edge (the margin, or a table cell's padding).
    pub(crate) indent_pt: f32,
    /// `<pre>`: keep spaces, break only at `\n` and where a line would overflow.
    pub(crate) preformatted: bool,
    /// Font size that sets the height of an empty line.
    pub(crate) base_size_pt: f32,
    pub(crate) marker: Option<Marker>,
}

/// One block inside a table cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellBlock {
    /// Collapsed vertical margin above this block; ignored for a cell's first block.
    pub(crate) gap_before_pt: f32,
    pub(crate) paragraph: Paragraph,
    pub(crate) style: BlockStyle,
}

/// One table cell: its blocks in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    pub(crate) blocks: Vec<CellBlock>,
}

/// A simple grid: rows of cells, no spans. Short rows are padded with empty cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Table {
    pub(crate) rows: Vec<Vec<Cell>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(font: Font) -> InlineStyle {
        InlineStyle {
            font,
            size_pt: 11.0,
            link: None,
        }
    }

    #[test]
    fn push_merges_runs_of_equal_style() {
        let mut paragraph = Paragraph::default();
        for &byte in b"ab" {
            paragraph.push(byte, style(Font::Helvetica));
        }
        paragraph.push(b'c', style(Font::HelveticaBold));
        assert_eq!(paragraph.runs.len(), 2);
        assert_eq!(paragraph.runs[0].end, 2);
        assert_eq!(paragraph.run_index_at(1), 0);
        assert_eq!(paragraph.run_index_at(2), 1);
        assert_eq!(paragraph.run_index_at(9), 1);
    }

    #[test]
    fn trimming_spaces_drops_runs_left_empty() {
        let mut paragraph = Paragraph::default();
        paragraph.push(b'a', style(Font::Helvetica));
        paragraph.push(b' ', style(Font::HelveticaBold));
        paragraph.push(b' ', style(Font::HelveticaBold));
        paragraph.trim_trailing_spaces();
        assert_eq!(paragraph.text, b"a");
        assert_eq!(
            paragraph.runs,
            vec![Run {
                end: 1,
                style: style(Font::Helvetica)
            }]
        );
    }
}
