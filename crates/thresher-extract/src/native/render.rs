//! The selected content as plain text (one line per block) or as Markdown (headings, lists,
//! quotes, code blocks and tables with their structure).

use super::score::{is_block, Selection};
use super::tree::{flag, Tree, NONE, TEXT};
use crate::scan::tags::*;

/// Deepest list nesting shown by indentation in Markdown.
const MAX_LIST_INDENT: usize = 4;

/// What the output includes and how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Markdown instead of plain text.
    pub markdown: bool,
    /// Keep tables.
    pub tables: bool,
    /// Keep lists.
    pub lists: bool,
    /// Keep figure captions.
    pub captions: bool,
    /// Keep image `alt` texts (each on its own line).
    pub images: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            markdown: false,
            tables: true,
            lists: true,
            captions: false,
            images: false,
        }
    }
}

/// One output line, before the line-level cleanup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    /// Byte range in the line buffer.
    pub start: usize,
    /// End of the range.
    pub end: usize,
    /// Bytes of text inside links.
    pub link_bytes: usize,
    /// Bytes of text (excluding Markdown marks).
    pub text_bytes: usize,
    /// Heading level (0: not a heading).
    pub heading: u8,
    /// A paragraph break (blank line in Markdown) comes before it.
    pub para: bool,
    /// Part of a `<pre>` block or a table row (never cleaned as prose).
    pub structured: bool,
}

impl Line {
    /// Share of the line's text inside links.
    pub(crate) fn link_density(&self) -> f32 {
        if self.text_bytes == 0 {
            0.0
        } else {
            self.link_bytes as f32 / self.text_bytes as f32
        }
    }
}

/// The rendered lines of a page.
pub(crate) struct Lines {
    /// Text of all lines, back to back.
    pub buf: String,
    /// The lines.
    pub lines: Vec<Line>,
}

impl Lines {
    /// Text of line `i`.
    pub(crate) fn text(&self, i: usize) -> &str {
        let l = &self.lines[i];
        &self.buf[l.start..l.end]
    }

    /// Joins the kept lines: `\n` between lines, `\n\n` before a paragraph in Markdown.
    pub(crate) fn join(&self, keep: &[bool], markdown: bool) -> String {
        let mut out = String::with_capacity(self.buf.len() + self.lines.len() * 2);
        for (i, l) in self.lines.iter().enumerate() {
            if !keep[i] {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
                if markdown && l.para {
                    out.push('\n');
                }
            }
            out.push_str(&self.buf[l.start..l.end]);
        }
        out
    }
}

struct Out {
    buf: String,
    lines: Vec<Line>,
    markdown: bool,
    /// Start of the current line in `buf`.
    line_start: usize,
    /// Link and text bytes of the current line.
    link_bytes: usize,
    text_bytes: usize,
    /// Heading level of the current line.
    heading: u8,
    /// A space is due before the next text.
    space: bool,
    /// A line break is due before the next text.
    newline: bool,
    /// A paragraph break is due.
    para: bool,
    /// The current line started after a paragraph break.
    line_para: bool,
    /// Line prefix due at the next line start (list marker, heading marks).
    prefix: String,
    /// Open `<blockquote>`s.
    quote: usize,
    /// Inside `<pre>`.
    pre: usize,
    /// Inside a table row.
    in_row: bool,
    /// Cells written in the current table row.
    cells: usize,
    /// Rows written in the current table.
    rows: usize,
    /// The current line is a table's delimiter row.
    cells_closed: bool,
    /// Row state of the tables around the current one.
    tables: Vec<(bool, usize, usize)>,
}

impl Out {
    /// Ends the current line now, so that per-line state set next (heading level, table
    /// row, `<pre>`) belongs to the next line.
    fn line_break(&mut self) {
        if self.markdown && self.in_row && self.cells > 0 && !self.cells_closed {
            // A Markdown table row is one line: blocks inside a cell become spaces.
            self.space = true;
            return;
        }
        if self.buf.len() > self.line_start {
            self.close_line();
        }
        self.newline = true;
        self.space = false;
    }

    /// Ends the current line now, even inside a table row.
    fn end_line(&mut self) {
        if self.buf.len() > self.line_start {
            self.close_line();
        }
        self.newline = true;
        self.space = false;
    }

    fn paragraph_break(&mut self) {
        self.line_break();
        self.para = true;
    }

    fn close_line(&mut self) {
        let t = self.buf.trim_end_matches(' ').len().max(self.line_start);
        self.buf.truncate(t);
        if self.buf.len() > self.line_start {
            self.lines.push(Line {
                start: self.line_start,
                end: self.buf.len(),
                link_bytes: self.link_bytes,
                text_bytes: self.text_bytes,
                heading: self.heading,
                para: self.line_para,
                structured: self.pre > 0 || self.in_row,
            });
        }
        self.line_start = self.buf.len();
        self.link_bytes = 0;
        self.text_bytes = 0;
    }

    fn begin_text(&mut self) {
        if self.newline {
            self.newline = false;
            self.space = false;
            if self.buf.len() > self.line_start {
                self.close_line();
            }
        }
        if self.buf.len() == self.line_start {
            self.line_para = std::mem::take(&mut self.para) || self.lines.is_empty();
            if self.markdown && self.quote > 0 {
                for _ in 0..self.quote.min(8) {
                    self.buf.push_str("> ");
                }
            }
            if !self.prefix.is_empty() {
                let p = std::mem::take(&mut self.prefix);
                self.buf.push_str(&p);
            }
            self.space = false;
        } else if self.space {
            self.buf.push(' ');
        }
        self.space = false;
    }

    /// Markup (Markdown marks, fences): not counted as text.
    fn push_mark(&mut self, mark: &str) {
        self.begin_text();
        self.buf.push_str(mark);
    }

    fn push(&mut self, text: &str, link: bool) {
        if text.is_empty() {
            return;
        }
        self.begin_text();
        self.buf.push_str(text);
        self.text_bytes += text.len();
        if link {
            self.link_bytes += text.len();
        }
    }

    fn push_pre(&mut self, text: &str) {
        let mut first = true;
        for line in text.split('\n') {
            if !first {
                self.close_line();
            }
            first = false;
            let line = line.trim_end_matches('\r');
            if !line.is_empty() {
                self.begin_text();
                self.buf.push_str(line);
                self.text_bytes += line.len();
            }
        }
    }

    fn finish(mut self) -> Lines {
        self.close_line();
        Lines {
            buf: self.buf,
            lines: self.lines,
        }
    }
}

fn heading_level(tag: u64) -> usize {
    match tag {
        H1 => 1,
        H2 => 2,
        H3 => 3,
        H4 => 4,
        H5 => 5,
        H6 => 6,
        _ => 0,
    }
}

/// Writes the selection.
pub(crate) fn render(tree: &Tree, sel: &Selection, opts: &RenderOptions) -> Lines {
    let mut out = Out {
        buf: String::with_capacity(4096),
        lines: Vec::new(),
        markdown: opts.markdown,
        line_start: 0,
        link_bytes: 0,
        text_bytes: 0,
        heading: 0,
        space: false,
        newline: false,
        para: false,
        line_para: false,
        prefix: String::new(),
        quote: 0,
        pre: 0,
        in_row: false,
        cells: 0,
        rows: 0,
        cells_closed: false,
        tables: Vec::new(),
    };
    // Ordered-list counters, innermost last: (list node, next number).
    let mut ordered: Vec<(u32, usize)> = Vec::new();
    // Explicit stack: (node, leaving).
    let mut stack: Vec<(u32, bool)> = Vec::with_capacity(64);
    let mut kids: Vec<u32> = Vec::with_capacity(16);
    for &root in sel.roots.iter() {
        stack.push((root, false));
        while let Some((i, leaving)) = stack.pop() {
            let node = &tree.nodes[i as usize];
            let tag = node.tag;
            if leaving {
                leave(&mut out, tag, opts, &mut ordered, i);
                continue;
            }
            if sel.dropped[i as usize] {
                continue;
            }
            if tag == TEXT && node.flags & flag::ALT != 0 {
                if opts.images {
                    out.line_break();
                    out.push(tree.text_of(i), false);
                    out.line_break();
                }
                continue;
            }
            if tag == TEXT {
                let text = tree.text_of(i);
                if node.flags & flag::PRE != 0 {
                    out.push_pre(text);
                    continue;
                }
                if node.flags & flag::LEAD_SPACE != 0 {
                    out.space = true;
                }
                out.push(text, node.flags & flag::IN_LINK != 0);
                if node.flags & flag::TRAIL_SPACE != 0 {
                    out.space = true;
                }
                continue;
            }
            if !enter(&mut out, tree, i, opts, &mut ordered) {
                continue;
            }
            stack.push((i, true));
            // Children in reverse so that the first is handled first.
            kids.clear();
            let mut c = node.first_child;
            while c != NONE {
                kids.push(c);
                c = tree.nodes[c as usize].next;
            }
            stack.extend(kids.iter().rev().map(|&k| (k, false)));
        }
        out.paragraph_break();
    }
    out.finish()
}

/// Handles an element's start; false skips its subtree.
fn enter(
    out: &mut Out,
    tree: &Tree,
    i: u32,
    opts: &RenderOptions,
    ordered: &mut Vec<(u32, usize)>,
) -> bool {
    let tag = tree.nodes[i as usize].tag;
    match tag {
        TABLE if !opts.tables => return false,
        UL | OL | DL if !opts.lists => return false,
        FIGCAPTION if !opts.captions => return false,
        BR => {
            out.line_break();
            return false;
        }
        HR => {
            out.paragraph_break();
            if out.markdown {
                out.push_mark("---");
                out.paragraph_break();
            }
            return false;
        }
        IMG => return false,
        _ => {}
    }
    let level = heading_level(tag);
    if level > 0 && out.markdown && out.in_row {
        // A heading inside a table cell is cell text: the row stays one table line.
        return true;
    }
    if level > 0 {
        out.paragraph_break();
        out.heading = level as u8;
        if out.markdown {
            out.prefix = format!("{} ", "#".repeat(level));
        }
        return true;
    }
    match tag {
        OL => {
            ordered.push((i, 1));
            out.paragraph_break();
        }
        LI => {
            out.line_break();
            if out.markdown {
                let parent = tree.nodes[i as usize].parent;
                let depth = ordered.len();
                out.prefix = match ordered.last_mut() {
                    Some((list, n)) if *list == parent => {
                        // Indentation is capped: deep nesting must not multiply the
                        // output.
                        let indent = depth.saturating_sub(1).min(MAX_LIST_INDENT);
                        let p = format!("{}{}. ", "   ".repeat(indent), n);
                        *n += 1;
                        p
                    }
                    _ => "- ".to_string(),
                };
            }
        }
        BLOCKQUOTE => {
            out.paragraph_break();
            out.quote += 1;
        }
        PRE | LISTING => {
            out.paragraph_break();
            if out.markdown {
                out.push_mark("```");
            }
            out.pre += 1;
            out.line_break();
        }
        TABLE => {
            out.paragraph_break();
            // A table inside a cell: the outer row's state comes back after it.
            out.tables.push((out.in_row, out.cells, out.rows));
            out.in_row = false;
            out.cells = 0;
            out.rows = 0;
        }
        TR => {
            out.line_break();
            out.in_row = true;
            out.cells = 0;
            if out.markdown {
                out.prefix = "| ".to_string();
            }
        }
        TD | TH => {
            if out.cells > 0 {
                if out.markdown {
                    out.push_mark(" |");
                    out.space = true;
                } else {
                    out.space = true;
                }
            }
            out.cells += 1;
        }
        _ if is_block(tag) => out.paragraph_break(),
        _ => {}
    }
    true
}

fn leave(out: &mut Out, tag: u64, _opts: &RenderOptions, ordered: &mut Vec<(u32, usize)>, i: u32) {
    match tag {
        OL => {
            if ordered.last().map(|l| l.0) == Some(i) {
                ordered.pop();
            }
            out.paragraph_break();
        }
        BLOCKQUOTE => {
            out.paragraph_break();
            out.quote = out.quote.saturating_sub(1);
        }
        PRE | LISTING => {
            if out.markdown {
                out.line_break();
                out.push_mark("```");
            }
            out.pre = out.pre.saturating_sub(1);
            out.paragraph_break();
        }
        TABLE => {
            out.in_row = false;
            out.paragraph_break();
            if let Some((in_row, cells, rows)) = out.tables.pop() {
                out.in_row = in_row;
                out.cells = cells;
                out.rows = rows;
            }
        }
        TR if out.markdown && out.text_bytes == 0 => {
            // A row without text (image cells, spacers) is not written.
            out.buf.truncate(out.line_start);
            out.in_row = false;
            out.newline = true;
        }
        TR => {
            if out.markdown && out.cells > 0 {
                out.push_mark(" |");
                out.end_line();
                if out.rows == 0 {
                    // GitHub tables need a delimiter row after the first.
                    out.cells_closed = true;
                    let row = "| --- ".repeat(out.cells) + "|";
                    out.push_mark(&row);
                    out.end_line();
                    out.cells_closed = false;
                }
            }
            out.rows += 1;
            // Closed while still in the row, so the line is marked as table.
            out.end_line();
            out.in_row = false;
        }
        LI => out.line_break(),
        TD | TH => {}
        t if heading_level(t) > 0 => {
            out.paragraph_break();
            out.heading = 0;
        }
        t if is_block(t) => out.paragraph_break(),
        _ => {}
    }
}
