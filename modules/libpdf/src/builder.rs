//! Turns HTML tokens into blocks for layout: open elements, inline style, lists and tables.
//!
//! There is no DOM. A stack of open elements remembers, for each, the style context to restore
//! when it closes; text collects into the current paragraph, which is handed to layout (or to
//! the open table cell) whenever a block starts or ends. Tables are collected whole, because
//! their column widths depend on every row. Tag soup is handled the way browsers mostly do:
//! a block start closes an open `<p>`, `<li>` closes the previous item, an end tag closes the
//! elements opened after its start tag, and an end tag with no open start tag is ignored.

use std::hash::{Hash, Hasher};

use crate::MAX_NESTING_DEPTH;
use crate::document::{BlockStyle, Cell, CellBlock, InlineStyle, Marker, Paragraph, Table};
use crate::entities;
use crate::error::PdfError;
use crate::fonts::{Encoded, Font, encode};
use crate::html::{Attributes, Tag, Token};
use crate::layout::{Layout, LayoutOutput};

/// Body text size in points.
const BODY_SIZE_PT: f32 = 11.0;
/// Monospace text is set smaller than the text around it, as browsers do.
const MONOSPACE_SCALE: f32 = 0.9;
const PARAGRAPH_GAP_PT: f32 = 6.0;
const BLOCK_GAP_PT: f32 = 6.0;
const LIST_INDENT_PT: f32 = 24.0;
const QUOTE_INDENT_PT: f32 = 30.0;
const TAB_WIDTH: usize = 8;
/// Slots in the table of open-element counts, which lets stray end tags be ignored in O(1).
const COUNT_SLOTS: usize = 64;

/// Heading sizes in points, `<h1>` to `<h6>`; all headings are bold.
const HEADING_SIZES_PT: [f32; 6] = [22.0, 17.0, 14.0, 12.0, 11.0, 10.0];

/// Style and position state that elements change and restore.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Context {
    bold: bool,
    italic: bool,
    monospace: bool,
    preformatted: bool,
    /// Inside `<head>`, `<script>`, `<style>`, `<title>` or `<template>`: text is dropped.
    hidden: bool,
    size_pt: f32,
    link: Option<u32>,
    indent_pt: f32,
    /// Inside a cell of the table being collected: blocks go to the cell.
    in_cell: bool,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            bold: false,
            italic: false,
            monospace: false,
            preformatted: false,
            hidden: false,
            size_pt: BODY_SIZE_PT,
            link: None,
            indent_pt: 0.0,
            in_cell: false,
        }
    }
}

/// What closing an element does, beyond restoring the context.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Inline,
    /// Ends the current paragraph, then asks for a gap.
    Block {
        gap_after_pt: f32,
    },
    List {
        gap_after_pt: f32,
    },
    ListItem,
    /// `<q>`: closing adds the closing quotation mark.
    Quote,
    Hidden,
    /// The table being collected (tables inside its cells are flattened into blocks).
    Table,
    Row,
    Cell,
}

#[derive(Debug, Clone, Copy)]
struct OpenElement {
    tag: Tag,
    role: Role,
    saved: Context,
}

#[derive(Debug, Clone, Copy)]
struct ListState {
    ordered: bool,
    next_number: i64,
}

#[derive(Debug, Default)]
struct TableState {
    table: Table,
    indent_pt: f32,
    cell: Option<Cell>,
    /// Gap asked for inside the open cell since its last block.
    cell_gap_pt: f32,
    /// A row takes cells: after `<tr>`, or one a `<td>` opened without `<tr>`.
    row_open: bool,
}

/// Consumes tokens and drives [`Layout`].
#[derive(Debug)]
pub(crate) struct Builder {
    layout: Layout,
    stack: Vec<OpenElement>,
    open_counts: [u16; COUNT_SLOTS],
    open_headings: usize,
    context: Context,
    paragraph: Paragraph,
    pending_marker: Option<Marker>,
    lists: Vec<ListState>,
    table: Option<TableState>,
    links: Vec<String>,
    /// Right after `<pre>`: one leading newline is dropped, as HTML specifies.
    skip_pre_newline: bool,
    pre_column: usize,
}

impl Builder {
    pub(crate) fn new(layout: Layout) -> Self {
        Builder {
            layout,
            stack: Vec::new(),
            open_counts: [0; COUNT_SLOTS],
            open_headings: 0,
            context: Context::default(),
            paragraph: Paragraph::default(),
            pending_marker: None,
            lists: Vec::new(),
            table: None,
            links: Vec::new(),
            skip_pre_newline: false,
            pre_column: 0,
        }
    }

    /// Feeds one token.
    pub(crate) fn token(&mut self, token: Token<'_>) -> Result<(), PdfError> {
        match token {
            Token::Text {
                text,
                decode_entities,
            } => {
                self.text(text, decode_entities);
                Ok(())
            }
            Token::Start {
                tag,
                attributes,
                self_closing,
            } => {
                self.skip_pre_newline = false;
                // HTML ignores `/>` on known elements; on unknown ones (SVG, custom elements)
                // honouring it keeps long runs of `<path/>` from nesting.
                if self_closing && matches!(tag, Tag::Other(_)) {
                    return Ok(());
                }
                self.start_tag(tag, attributes)
            }
            Token::End { tag } => {
                self.skip_pre_newline = false;
                self.end_tag(tag)
            }
        }
    }

    /// Closes everything still open and returns the laid-out pages and link targets.
    pub(crate) fn finish(mut self) -> Result<(LayoutOutput, Vec<String>), PdfError> {
        self.pop_to(0)?;
        self.flush()?;
        self.flush_marker_line()?;
        Ok((self.layout.finish()?, self.links))
    }

    fn start_tag(&mut self, tag: Tag, attributes: Attributes) -> Result<(), PdfError> {
        if !is_head_content(tag)
            && self.is_open(Tag::Head)
            && let Some(head) = self.find(|entry| entry.tag == Tag::Head, |_| false)
        {
            self.pop_to(head)?;
        }
        let size = self.context.size_pt;
        match tag {
            Tag::Html | Tag::Body | Tag::Thead | Tag::Tbody | Tag::Tfoot | Tag::Colgroup => Ok(()),
            Tag::Wbr | Tag::Base | Tag::Meta | Tag::Link | Tag::Input | Tag::Param => Ok(()),
            Tag::Source | Tag::Col => Ok(()),
            Tag::Head | Tag::Script | Tag::Style | Tag::Title | Tag::Template => {
                self.push(tag, Role::Hidden)?;
                self.context.hidden = true;
                Ok(())
            }
            Tag::Br => self.line_break(),
            Tag::Img => {
                if let Some(alt) = attributes.alt {
                    self.text(&alt, false);
                }
                Ok(())
            }
            Tag::Hr => {
                self.close_open_p()?;
                self.flush()?;
                self.flush_marker_line()?;
                if !self.context.in_cell && !self.context.hidden {
                    self.layout.gap(BLOCK_GAP_PT);
                    self.layout.rule(self.context.indent_pt)?;
                    self.layout.gap(BLOCK_GAP_PT);
                }
                Ok(())
            }
            Tag::P => {
                self.close_open_p()?;
                self.open_block(tag, PARAGRAPH_GAP_PT, PARAGRAPH_GAP_PT)
            }
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6 => {
                self.close_open_p()?;
                if self.stack.last().is_some_and(|entry| is_heading(entry.tag)) {
                    self.pop_to(self.stack.len() - 1)?;
                }
                let heading_size = HEADING_SIZES_PT[heading_level(tag)];
                self.open_block(tag, 0.8 * heading_size, 0.4 * heading_size)?;
                self.context.bold = true;
                self.context.size_pt = heading_size;
                Ok(())
            }
            Tag::Pre | Tag::Xmp | Tag::Textarea => {
                self.close_open_p()?;
                self.open_block(tag, BLOCK_GAP_PT, BLOCK_GAP_PT)?;
                self.context.preformatted = true;
                self.skip_pre_newline = true;
                self.pre_column = 0;
                Ok(())
            }
            Tag::Blockquote => {
                self.close_open_p()?;
                self.flush_marker_line()?;
                self.open_block(tag, BLOCK_GAP_PT, BLOCK_GAP_PT)?;
                self.context.indent_pt += QUOTE_INDENT_PT;
                Ok(())
            }
            Tag::Dl | Tag::Figure => {
                self.close_open_p()?;
                self.open_block(tag, BLOCK_GAP_PT, BLOCK_GAP_PT)
            }
            Tag::Dt | Tag::Dd => {
                self.close_open_item(&[Tag::Dt, Tag::Dd], &[Tag::Dl])?;
                self.open_block(tag, 0.0, 0.0)?;
                if tag == Tag::Dd {
                    self.context.indent_pt += QUOTE_INDENT_PT;
                }
                Ok(())
            }
            Tag::Address
            | Tag::Article
            | Tag::Aside
            | Tag::Center
            | Tag::Details
            | Tag::Div
            | Tag::Fieldset
            | Tag::Figcaption
            | Tag::Footer
            | Tag::Form
            | Tag::Header
            | Tag::Hgroup
            | Tag::Legend
            | Tag::Main
            | Tag::Nav
            | Tag::Section
            | Tag::Summary => {
                self.close_open_p()?;
                self.open_block(tag, 0.0, 0.0)?;
                self.context.italic |= tag == Tag::Address;
                Ok(())
            }
            Tag::Ul | Tag::Ol => {
                self.close_open_p()?;
                self.flush()?;
                self.flush_marker_line()?;
                let nested = self.lists.len() > self.table_list_base();
                let gap = if nested { 0.0 } else { BLOCK_GAP_PT };
                self.gap(gap);
                self.push(tag, Role::List { gap_after_pt: gap })?;
                self.lists.push(ListState {
                    ordered: tag == Tag::Ol,
                    next_number: attributes.number.unwrap_or(1),
                });
                self.context.indent_pt += LIST_INDENT_PT;
                Ok(())
            }
            Tag::Li => {
                self.close_open_item(&[Tag::Li], &[Tag::Ul, Tag::Ol])?;
                self.close_open_p()?;
                self.flush()?;
                self.flush_marker_line()?;
                self.push(tag, Role::ListItem)?;
                let in_list = !self.lists.is_empty()
                    && self
                        .stack
                        .iter()
                        .rev()
                        .skip(1)
                        .find(|entry| matches!(entry.role, Role::List { .. } | Role::Cell))
                        .is_some_and(|entry| matches!(entry.role, Role::List { .. }));
                let marker_text = match self.lists.last_mut().filter(|_| in_list) {
                    Some(list) if list.ordered => {
                        let number = attributes.number.unwrap_or(list.next_number);
                        list.next_number = number.saturating_add(1);
                        format!("{number}.").into_bytes()
                    }
                    Some(_) => vec![0x95],
                    None => {
                        // An item outside any list still gets a bullet and room for it.
                        self.context.indent_pt += LIST_INDENT_PT;
                        vec![0x95]
                    }
                };
                self.pending_marker = Some(Marker {
                    text: marker_text,
                    style: InlineStyle {
                        font: Font::Helvetica,
                        size_pt: size,
                        link: None,
                    },
                });
                Ok(())
            }
            Tag::Table => self.start_table(),
            Tag::Caption => {
                self.close_open_p()?;
                self.open_block(tag, 0.0, 2.0)
            }
            Tag::Tr => self.start_row(),
            Tag::Td | Tag::Th => self.start_cell(tag),
            Tag::B | Tag::Strong => self.push_inline(tag, |context| context.bold = true),
            Tag::I | Tag::Em | Tag::Cite | Tag::Var | Tag::Dfn => {
                self.push_inline(tag, |context| context.italic = true)
            }
            Tag::Code | Tag::Kbd | Tag::Samp | Tag::Tt => {
                self.push_inline(tag, |context| context.monospace = true)
            }
            Tag::Small => self.push_inline(tag, |context| context.size_pt = round1(size * 0.85)),
            Tag::Big => self.push_inline(tag, |context| context.size_pt = round1(size * 1.17)),
            Tag::Sub | Tag::Sup => {
                self.push_inline(tag, |context| context.size_pt = round1(size * 0.8))
            }
            Tag::A => {
                let link = attributes.href.as_deref().and_then(link_target).map(|uri| {
                    self.links.push(uri);
                    // Saturates far beyond any input the size limit lets through.
                    u32::try_from(self.links.len() - 1).unwrap_or(u32::MAX)
                });
                self.push_inline(tag, |context| context.link = link)
            }
            Tag::Q => {
                self.push(tag, Role::Quote)?;
                self.text("\u{201C}", false);
                Ok(())
            }
            Tag::Abbr
            | Tag::Del
            | Tag::Iframe
            | Tag::Ins
            | Tag::Mark
            | Tag::Noembed
            | Tag::Noframes
            | Tag::S
            | Tag::Span
            | Tag::Strike
            | Tag::U
            | Tag::Other(_) => self.push(tag, Role::Inline),
        }
    }

    fn end_tag(&mut self, tag: Tag) -> Result<(), PdfError> {
        match tag {
            // `</br>` is read as `<br>`, like browsers do.
            Tag::Br => return self.line_break(),
            // A stray `</p>` makes an empty paragraph: a paragraph break.
            Tag::P if self.find_in_scope(Tag::P).is_none() => {
                self.flush()?;
                self.gap(PARAGRAPH_GAP_PT);
                return Ok(());
            }
            _ => {}
        }
        let any_open = if is_heading(tag) {
            self.open_headings > 0
        } else {
            self.is_open(tag)
        };
        if !any_open {
            return Ok(());
        }
        let found = if is_heading(tag) {
            self.find(
                |entry| is_heading(entry.tag),
                |entry| is_scope_boundary(entry.tag),
            )
        } else if matches!(tag, Tag::Table) {
            self.find(|entry| entry.tag == tag, |_| false)
        } else if is_table_part(tag) {
            self.find(|entry| entry.tag == tag, |entry| entry.tag == Tag::Table)
        } else {
            self.find_in_scope(tag)
        };
        match found {
            Some(index) => self.pop_to(index),
            None => Ok(()),
        }
    }

    /// Index of the innermost open element matching `wanted`, searching down from the top and
    /// giving up at the first element matching `boundary`.
    fn find(
        &self,
        wanted: impl Fn(&OpenElement) -> bool,
        boundary: impl Fn(&OpenElement) -> bool,
    ) -> Option<usize> {
        for (index, entry) in self.stack.iter().enumerate().rev() {
            if wanted(entry) {
                return Some(index);
            }
            if boundary(entry) {
                return None;
            }
        }
        None
    }

    /// Whether an element `tag` may be open: false means surely not, in O(1).
    fn is_open(&self, tag: Tag) -> bool {
        self.open_counts[count_slot(tag)] > 0
    }

    /// The innermost open `tag`, not looking past a table or cell.
    fn find_in_scope(&self, tag: Tag) -> Option<usize> {
        if !self.is_open(tag) {
            return None;
        }
        self.find(
            |entry| entry.tag == tag,
            |entry| is_scope_boundary(entry.tag),
        )
    }

    fn close_open_p(&mut self) -> Result<(), PdfError> {
        match self.find_in_scope(Tag::P) {
            Some(index) => self.pop_to(index),
            None => Ok(()),
        }
    }

    /// Closes an open item (`<li>`, `<dt>`/`<dd>`) before a new one, within its list.
    fn close_open_item(&mut self, items: &[Tag], lists: &[Tag]) -> Result<(), PdfError> {
        let found = self.find(
            |entry| items.contains(&entry.tag),
            |entry| lists.contains(&entry.tag) || is_scope_boundary(entry.tag),
        );
        match found {
            Some(index) => self.pop_to(index),
            None => Ok(()),
        }
    }

    fn push(&mut self, tag: Tag, role: Role) -> Result<(), PdfError> {
        if self.stack.len() >= MAX_NESTING_DEPTH {
            return Err(PdfError::NestingTooDeep {
                limit: MAX_NESTING_DEPTH,
            });
        }
        self.stack.push(OpenElement {
            tag,
            role,
            saved: self.context,
        });
        self.open_counts[count_slot(tag)] += 1;
        if is_heading(tag) {
            self.open_headings += 1;
        }
        Ok(())
    }

    fn push_inline(&mut self, tag: Tag, change: impl FnOnce(&mut Context)) -> Result<(), PdfError> {
        self.push(tag, Role::Inline)?;
        change(&mut self.context);
        Ok(())
    }

    fn open_block(
        &mut self,
        tag: Tag,
        gap_before_pt: f32,
        gap_after_pt: f32,
    ) -> Result<(), PdfError> {
        self.flush()?;
        self.gap(gap_before_pt);
        self.push(tag, Role::Block { gap_after_pt })
    }

    /// Closes the elements at `index` and above, innermost first.
    fn pop_to(&mut self, index: usize) -> Result<(), PdfError> {
        while self.stack.len() > index {
            let Some(entry) = self.stack.pop() else { break };
            self.open_counts[count_slot(entry.tag)] -= 1;
            if is_heading(entry.tag) {
                self.open_headings -= 1;
            }
            self.close(entry)?;
        }
        Ok(())
    }

    fn close(&mut self, entry: OpenElement) -> Result<(), PdfError> {
        match entry.role {
            Role::Inline | Role::Hidden => {}
            Role::Quote => self.text("\u{201D}", false),
            Role::Block { gap_after_pt } => {
                self.flush()?;
                self.gap(gap_after_pt);
            }
            Role::List { gap_after_pt } => {
                self.flush()?;
                self.flush_marker_line()?;
                self.lists.pop();
                self.gap(gap_after_pt);
            }
            Role::ListItem => {
                self.flush()?;
                self.flush_marker_line()?;
            }
            Role::Row => {
                self.flush()?;
                if let Some(state) = &mut self.table {
                    state.row_open = false;
                }
            }
            Role::Cell => {
                self.flush()?;
                self.flush_marker_line()?;
                if let Some(state) = &mut self.table {
                    let cell = state.cell.take().unwrap_or_default();
                    if let Some(row) = state.table.rows.last_mut() {
                        row.push(cell);
                    }
                }
            }
            Role::Table => {
                self.flush()?;
                self.context = entry.saved;
                if let Some(state) = self.table.take() {
                    self.layout.table(&state.table, state.indent_pt)?;
                }
                self.gap(BLOCK_GAP_PT);
            }
        }
        self.context = entry.saved;
        Ok(())
    }

    /// Number of lists open outside the table being collected, so lists in a cell count their
    /// nesting from the cell.
    fn table_list_base(&self) -> usize {
        if !self.context.in_cell {
            return 0;
        }
        match self.find(|entry| entry.role == Role::Cell, |_| false) {
            Some(cell) => self.stack[..cell]
                .iter()
                .filter(|entry| matches!(entry.role, Role::List { .. }))
                .count(),
            None => 0,
        }
    }

    fn start_table(&mut self) -> Result<(), PdfError> {
        self.close_open_p()?;
        self.flush()?;
        self.flush_marker_line()?;
        if self.table.is_some() {
            // A table inside the table being collected: its cells become blocks of the cell.
            return self.open_block(Tag::Table, 0.0, 0.0);
        }
        self.gap(BLOCK_GAP_PT);
        self.push(Tag::Table, Role::Table)?;
        self.table = Some(TableState {
            indent_pt: self.context.indent_pt,
            ..TableState::default()
        });
        Ok(())
    }

    /// The innermost open `<table>`, and whether it is the one being collected.
    fn innermost_table(&self) -> Option<(usize, bool)> {
        // Without a collected table there is no table at all (nested ones live in its cells).
        self.table.as_ref()?;
        self.find(|entry| entry.tag == Tag::Table, |_| false)
            .map(|index| (index, self.stack[index].role == Role::Table))
    }

    fn start_row(&mut self) -> Result<(), PdfError> {
        let Some((table_index, collected)) = self.innermost_table() else {
            return Ok(());
        };
        // A new row ends whatever is open inside the table: the previous row, cell or caption.
        self.pop_to(table_index + 1)?;
        self.flush()?;
        if !collected {
            return self.open_block(Tag::Tr, 0.0, 0.0);
        }
        if let Some(state) = &mut self.table {
            state.table.rows.push(Vec::new());
            state.row_open = true;
        }
        self.push(Tag::Tr, Role::Row)
    }

    fn start_cell(&mut self, tag: Tag) -> Result<(), PdfError> {
        let Some((table_index, collected)) = self.innermost_table() else {
            return Ok(());
        };
        if let Some(index) = self.find(
            |entry| matches!(entry.tag, Tag::Td | Tag::Th | Tag::Caption),
            |entry| entry.tag == Tag::Table,
        ) {
            self.pop_to(index.max(table_index + 1))?;
        }
        self.flush()?;
        if !collected {
            self.open_block(tag, 0.0, 0.0)?;
            self.context.bold |= tag == Tag::Th;
            return Ok(());
        }
        if let Some(state) = &mut self.table {
            if !state.row_open {
                // `<td>` without `<tr>` starts a row, as in browsers.
                state.table.rows.push(Vec::new());
                state.row_open = true;
            }
            state.cell = Some(Cell::default());
            state.cell_gap_pt = 0.0;
        }
        self.push(tag, Role::Cell)?;
        self.context.in_cell = true;
        self.context.indent_pt = 0.0;
        self.context.preformatted = false;
        self.context.bold = tag == Tag::Th;
        Ok(())
    }

    fn gap(&mut self, gap_pt: f32) {
        if self.context.in_cell
            && let Some(state) = &mut self.table
        {
            state.cell_gap_pt = state.cell_gap_pt.max(gap_pt);
            return;
        }
        self.layout.gap(gap_pt);
    }

    /// The inline style text gets right now.
    fn inline_style(&self) -> InlineStyle {
        let monospace = self.context.monospace || self.context.preformatted;
        let size_pt = if monospace {
            round1(self.context.size_pt * MONOSPACE_SCALE)
        } else {
            self.context.size_pt
        };
        InlineStyle {
            font: Font::select(self.context.bold, self.context.italic, monospace),
            size_pt,
            link: self.context.link,
        }
    }

    /// Appends character data, decoding entities and collapsing whitespace outside `<pre>`.
    fn text(&mut self, text: &str, decode_entities: bool) {
        if self.context.hidden {
            return;
        }
        let style = self.inline_style();
        let bytes = text.as_bytes();
        let mut offset = 0;
        while offset < bytes.len() {
            let byte = bytes[offset];
            // Fast path: a stretch of printable ASCII needs no decoding, mapping or collapsing.
            let plain = bytes[offset..]
                .iter()
                .take_while(|&&b| matches!(b, 0x21..=0x7E) && b != b'&')
                .count();
            if plain > 0 {
                self.paragraph.extend(&bytes[offset..offset + plain], style);
                self.pre_column += plain;
                self.skip_pre_newline = false;
                offset += plain;
                continue;
            }
            let (c, len) = if byte == b'&' && decode_entities {
                match entities::decode(&text[offset + 1..], false) {
                    Some((c, used)) => (c, 1 + used),
                    None => ('&', 1),
                }
            } else if byte == b'\r' {
                // HTML reads CR LF and lone CR as LF.
                let len = if bytes.get(offset + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                ('\n', len)
            } else if byte.is_ascii() {
                (char::from(byte), 1)
            } else {
                match text[offset..].chars().next() {
                    Some(c) => (c, c.len_utf8()),
                    None => break,
                }
            };
            offset += len;
            if self.context.preformatted {
                self.push_preformatted(c, style);
            } else if matches!(c, ' ' | '\t' | '\n' | '\x0C') {
                if self
                    .paragraph
                    .last_byte()
                    .is_some_and(|b| b != b' ' && b != b'\n')
                {
                    self.paragraph.push(b' ', style);
                }
            } else if let Encoded::Byte(glyph) = encode(c) {
                self.paragraph.push(glyph, style);
            }
        }
    }

    fn push_preformatted(&mut self, c: char, style: InlineStyle) {
        if std::mem::take(&mut self.skip_pre_newline) && c == '\n' {
            return;
        }
        match c {
            '\n' => {
                self.paragraph.push(b'\n', style);
                self.pre_column = 0;
            }
            '\t' => {
                let spaces = TAB_WIDTH - self.pre_column % TAB_WIDTH;
                for _ in 0..spaces {
                    self.paragraph.push(b' ', style);
                }
                self.pre_column += spaces;
            }
            _ => {
                if let Encoded::Byte(glyph) = encode(c) {
                    self.paragraph.push(glyph, style);
                    self.pre_column += 1;
                }
            }
        }
    }

    fn line_break(&mut self) -> Result<(), PdfError> {
        if self.context.hidden {
            return Ok(());
        }
        if !self.context.preformatted {
            self.paragraph.trim_trailing_spaces();
        }
        let style = self.inline_style();
        self.paragraph.push(b'\n', style);
        self.pre_column = 0;
        Ok(())
    }

    /// Hands the collected paragraph to layout or to the open table cell.
    fn flush(&mut self) -> Result<(), PdfError> {
        if !self.context.preformatted {
            self.paragraph.trim_trailing_spaces();
        }
        if self.paragraph.is_empty() {
            return Ok(());
        }
        self.emit_paragraph()
    }

    /// Gives a pending list marker a line of its own when its item holds no text before the
    /// next block (or none at all).
    fn flush_marker_line(&mut self) -> Result<(), PdfError> {
        if self.pending_marker.is_none() {
            return Ok(());
        }
        self.paragraph.clear();
        self.emit_paragraph()
    }

    fn emit_paragraph(&mut self) -> Result<(), PdfError> {
        let style = BlockStyle {
            indent_pt: self.context.indent_pt,
            preformatted: self.context.preformatted,
            base_size_pt: self.inline_style().size_pt,
            marker: self.pending_marker.take(),
        };
        self.pre_column = 0;
        let in_cell = self.context.in_cell;
        match &mut self.table {
            Some(state) if in_cell => {
                let gap_before_pt = std::mem::take(&mut state.cell_gap_pt);
                let paragraph = std::mem::take(&mut self.paragraph);
                if let Some(cell) = &mut state.cell {
                    cell.blocks.push(CellBlock {
                        gap_before_pt,
                        paragraph,
                        style,
                    });
                }
                Ok(())
            }
            _ => {
                let result = self.layout.paragraph(&self.paragraph, &style);
                self.paragraph.clear();
                result
            }
        }
    }
}

/// Elements that may appear in `<head>` without ending it.
fn is_head_content(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::Head
            | Tag::Title
            | Tag::Meta
            | Tag::Link
            | Tag::Style
            | Tag::Script
            | Tag::Base
            | Tag::Template
    )
}

fn is_heading(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
    )
}

fn heading_level(tag: Tag) -> usize {
    match tag {
        Tag::H1 => 0,
        Tag::H2 => 1,
        Tag::H3 => 2,
        Tag::H4 => 3,
        Tag::H5 => 4,
        _ => 5,
    }
}

fn is_table_part(tag: Tag) -> bool {
    matches!(tag, Tag::Tr | Tag::Td | Tag::Th | Tag::Caption)
}

/// End tags of ordinary elements do not reach past these.
fn is_scope_boundary(tag: Tag) -> bool {
    matches!(tag, Tag::Table | Tag::Td | Tag::Th | Tag::Caption)
}

/// Slot in the open-element count table; collisions only cost a stack search.
fn count_slot(tag: Tag) -> usize {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    std::mem::discriminant(&tag).hash(&mut hasher);
    if let Tag::Other(name_hash) = tag {
        name_hash.hash(&mut hasher);
    }
    (hasher.finish() % COUNT_SLOTS as u64) as usize
}

/// FNV-1a, a fixed (so deterministic) and tiny hasher.
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The URI for a link annotation: only `http:` and `https:` targets get one, non-ASCII bytes
/// and spaces are percent-encoded, and very long targets are skipped.
fn link_target(href: &str) -> Option<String> {
    const MAX_URI_BYTES: usize = 2048;
    let href = href.trim_matches(|c: char| c.is_ascii_whitespace());
    let lower_scheme = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    if !(lower_scheme.starts_with("http://") || lower_scheme.starts_with("https://")) {
        return None;
    }
    let mut uri = String::with_capacity(href.len());
    for byte in href.bytes() {
        if (0x21..0x7F).contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    (uri.len() <= MAX_URI_BYTES).then_some(uri)
}

fn round1(value: f32) -> f32 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::Tokenizer;
    use crate::layout::Geometry;

    /// Runs the builder and returns the text drawn on each page, as `Tj` operands.
    fn drawn_text(html: &str) -> Vec<String> {
        let geometry = Geometry {
            width_pt: 595.28,
            height_pt: 841.89,
            margin_pt: 56.69,
        };
        let mut builder = Builder::new(Layout::new(geometry));
        for token in Tokenizer::new(html) {
            builder.token(token).unwrap();
        }
        let (output, _) = builder.finish().unwrap();
        output
            .pages
            .iter()
            .map(|page| shown_strings(&page.content))
            .collect()
    }

    /// The operands of `Tj` in a content stream, joined by `|`, bytes from 0x80 as `\xNN`.
    fn shown_strings(content: &[u8]) -> String {
        let mut out = Vec::new();
        for line in content.split(|&b| b == b'\n') {
            if let Some(operand) = line.strip_suffix(b" Tj") {
                let text: String = operand
                    .iter()
                    .map(|&b| match b {
                        0x80.. => format!("\\x{b:02X}"),
                        _ => char::from(b).to_string(),
                    })
                    .collect();
                out.push(text);
            }
        }
        out.join("|")
    }

    #[test]
    fn whitespace_collapses_outside_pre() {
        assert_eq!(drawn_text("<p>  a \n\t b  </p>"), vec!["(a b)"]);
        assert_eq!(
            drawn_text("<p>a<b> </b> <i> b</i></p>"),
            vec!["(a)|( )|(b)"]
        );
    }

    #[test]
    fn pre_keeps_spaces_and_newlines() {
        assert_eq!(
            drawn_text("<pre>\n  x  y\n\tz</pre>"),
            vec!["(  x  y)|(        z)"]
        );
    }

    #[test]
    fn entities_become_winansi_bytes() {
        assert_eq!(
            drawn_text("<p>caf&eacute; &amp; &euro;5</p>"),
            vec!["(caf\\xE9 & \\x805)"]
        );
    }

    #[test]
    fn hidden_elements_render_nothing() {
        assert_eq!(
            drawn_text("<head><title>T</title><style>p{}</style></head><script>x<y</script>ok"),
            vec!["(ok)"]
        );
    }

    #[test]
    fn list_markers_are_bullets_and_numbers() {
        let text = drawn_text("<ol start=3><li>a<li>b</ol><ul><li>c</ul>");
        assert_eq!(text, vec!["(3.)|(a)|(4.)|(b)|(\\x95)|(c)"]);
    }

    #[test]
    fn unmatched_end_tags_are_ignored_and_open_ones_closed() {
        assert_eq!(drawn_text("</b></div>a<b>b</i>c"), vec!["(a)|(bc)"]);
    }

    #[test]
    fn table_cells_render_row_by_row() {
        let text = drawn_text("<table><tr><th>h1<th>h2<tr><td>a<td>b</table>after");
        assert_eq!(text, vec!["(h1)|(h2)|(a)|(b)|(after)"]);
    }

    #[test]
    fn rows_and_cells_close_their_predecessors() {
        let row = "<tr><td>a b<td>c".repeat(3);
        let text = drawn_text(&format!("<table>{}</table>", row.repeat(MAX_NESTING_DEPTH)));
        assert_eq!(
            text.concat().matches("(a b)").count(),
            3 * MAX_NESTING_DEPTH
        );
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_a_limit_error() {
        let html = "<span>".repeat(MAX_NESTING_DEPTH + 1);
        let mut builder = Builder::new(Layout::new(Geometry {
            width_pt: 600.0,
            height_pt: 800.0,
            margin_pt: 50.0,
        }));
        let error = Tokenizer::new(&html)
            .try_for_each(|token| builder.token(token))
            .unwrap_err();
        assert!(error.is_limit());
    }

    #[test]
    fn link_targets_are_http_only_and_ascii() {
        assert_eq!(
            link_target(" https://e.org/a b"),
            Some("https://e.org/a%20b".into())
        );
        assert_eq!(
            link_target("HTTP://e.org/é"),
            Some("HTTP://e.org/%C3%A9".into())
        );
        assert_eq!(link_target("mailto:x@e.org"), None);
        assert_eq!(link_target("javascript:alert(1)"), None);
    }
}
