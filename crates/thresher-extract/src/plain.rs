//! The plain extractor: all visible text of a page, in one linear pass.
//!
//! No DOM is built and nothing recurses, so it handles any page — a million nested elements,
//! a 50 MB text node, a million attributes — in time proportional to its size. It is the
//! fallback for pages the main extractor must not see, and a backend of its own (`plain`)
//! for callers who want everything (no boilerplate removal).
//!
//! Rules: the content of `script`, `style`, `noscript`, `template`, `textarea`, `iframe`,
//! `noembed`, `noframes`, `xmp` and `svg` is skipped; the first `<title>` becomes the title
//! and is not part of the text; block-level elements and `<br>` end a line; table cells and
//! everything else inline are separated as written; runs of whitespace collapse to one space
//! except inside `<pre>`; character references are decoded; lines are trimmed and empty lines
//! dropped.

use crate::guard::lang_attribute;
use crate::scan::{self, tags::*, Token, Tokenizer};
use crate::{ExtractError, Extraction, Extractor};
use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// Longest title kept, in bytes; a hostile page can have a 50 MB `<title>`.
const MAX_TITLE_BYTES: usize = 1024;

/// Extracts all visible text (backend name `plain`).
#[derive(Debug, Clone, Default)]
pub struct PlainExtractor;

impl PlainExtractor {
    /// A plain extractor.
    pub fn new() -> Self {
        PlainExtractor
    }
}

impl Extractor for PlainExtractor {
    fn name(&self) -> &str {
        "plain"
    }

    fn extract(&self, html: &str, _url: Option<&str>) -> Result<Extraction, ExtractError> {
        Ok(plain_text(html))
    }
}

/// Runs the plain extraction on `html`.
pub fn plain_text(html: &str) -> Extraction {
    let bytes = html.as_bytes();
    let mut out = TextSink::with_capacity(html.len() / 4);
    let mut title: Option<String> = None;
    let mut html_lang = None;
    // Open elements whose content is skipped (svg, template): counted, not stacked.
    let mut skip_svg = 0usize;
    let mut skip_template = 0usize;
    for token in Tokenizer::new(bytes) {
        let skipping = skip_svg > 0 || skip_template > 0;
        match token {
            Token::Text(r) => {
                if !skipping {
                    out.push_html_text(html.get(r).unwrap_or_default());
                }
            }
            Token::RawText { element, range } => {
                if element == TITLE && title.is_none() && !skipping {
                    let mut t = TextSink::with_capacity(64);
                    let raw = html.get(range).unwrap_or_default();
                    t.push_html_text(truncate(raw, MAX_TITLE_BYTES * 2));
                    let t = t.finish();
                    if !t.is_empty() {
                        title = Some(truncate(&t, MAX_TITLE_BYTES).to_string());
                    }
                } else if element == PLAINTEXT && !skipping {
                    out.push_text(html.get(range).unwrap_or_default());
                }
            }
            Token::Start(tag) => {
                match tag.name {
                    SVG if !tag.self_closing => skip_svg += 1,
                    TEMPLATE => skip_template += 1,
                    HTML if html_lang.is_none() => html_lang = lang_attribute(html, &tag),
                    PRE | LISTING => out.pre += 1,
                    TD | TH if !skipping => out.space(),
                    _ => {}
                }
                if !skipping && scan::is_block(tag.name) {
                    out.line_break();
                }
                if tag.name == BR && !skipping {
                    out.hard_break();
                }
            }
            Token::End(name) => {
                match name {
                    SVG => skip_svg = skip_svg.saturating_sub(1),
                    TEMPLATE => skip_template = skip_template.saturating_sub(1),
                    PRE | LISTING => out.pre = out.pre.saturating_sub(1),
                    TD | TH if !skipping => out.space(),
                    _ => {}
                }
                if !skipping && scan::is_block(name) {
                    out.line_break();
                }
            }
            Token::Other => {}
        }
    }
    Extraction {
        text: out.finish(),
        title,
        language_hint: html_lang,
        ..Extraction::default()
    }
}

/// Cuts `s` to at most `max` bytes at a char boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Accumulates text with whitespace collapsing and line structure.
struct TextSink {
    out: String,
    /// Inside `<pre>`: whitespace is kept.
    pre: usize,
    /// A space is due before the next visible character.
    space: bool,
    /// A line break is due before the next visible character.
    newline: bool,
    /// Where the current line starts in `out` (for trimming trailing spaces).
    line_start: usize,
}

impl TextSink {
    fn with_capacity(n: usize) -> Self {
        TextSink {
            out: String::with_capacity(n),
            pre: 0,
            space: false,
            newline: false,
            line_start: 0,
        }
    }

    fn line_break(&mut self) {
        self.newline = true;
        self.space = false;
    }

    /// `<br>`: a line break even between two inline runs.
    fn hard_break(&mut self) {
        self.line_break();
    }

    fn space(&mut self) {
        if !self.newline {
            self.space = true;
        }
    }

    /// Text with character references.
    fn push_html_text(&mut self, s: &str) {
        let mut rest = s;
        while let Some(amp) = rest.find('&') {
            self.push_text(&rest[..amp]);
            let after = &rest[amp + 1..];
            match char_ref(after.as_bytes()) {
                Some((len, c1, c2)) => {
                    let mut buf = [0u8; 4];
                    self.push_text(c1.encode_utf8(&mut buf));
                    if let Some(c2) = c2 {
                        self.push_text(c2.encode_utf8(&mut buf));
                    }
                    rest = after.get(len..).unwrap_or_default();
                }
                None => {
                    self.push_text("&");
                    rest = after;
                }
            }
        }
        self.push_text(rest);
    }

    /// Decoded text.
    fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            let is_space = matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0c}' | '\u{a0}');
            if self.pre > 0 {
                match c {
                    '\r' => {}
                    '\n' => {
                        self.flush_pending();
                        self.end_line();
                    }
                    c => {
                        self.flush_pending();
                        self.out.push(if c == '\u{a0}' { ' ' } else { c });
                    }
                }
                continue;
            }
            if is_space {
                self.space();
                continue;
            }
            if c == '\0' {
                continue;
            }
            self.flush_pending();
            self.out.push(c);
        }
    }

    /// Writes a due line break or space before a visible character.
    fn flush_pending(&mut self) {
        if self.newline {
            self.newline = false;
            self.space = false;
            if self.out.len() > self.line_start {
                self.end_line();
            }
        } else if self.space {
            self.space = false;
            if self.out.len() > self.line_start {
                self.out.push(' ');
            }
        }
    }

    fn end_line(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len().max(self.line_start);
        self.out.truncate(trimmed);
        if self.out.len() > self.line_start {
            self.out.push('\n');
            self.line_start = self.out.len();
        }
    }

    fn finish(mut self) -> String {
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        let lead = self.out.len() - self.out.trim_start().len();
        if lead > 0 {
            self.out.drain(..lead);
        }
        self.out
    }
}

/// Decodes a character reference; `s` starts after the `&`. Returns the bytes consumed and
/// the one or two characters, or `None` when this `&` is literal text.
pub(crate) fn char_ref(s: &[u8]) -> Option<(usize, char, Option<char>)> {
    if s.first() == Some(&b'#') {
        let (hex, start) = match s.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let radix = if hex { 16 } else { 10 };
        let mut value: u32 = 0;
        let mut i = start;
        while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
            value = value.saturating_mul(radix).saturating_add(d);
            i += 1;
        }
        if i == start {
            return None;
        }
        if s.get(i) == Some(&b';') {
            i += 1;
        }
        return Some((i, numeric_char(value), None));
    }
    // Named: the longest name in the table. Every prefix of a name is in the table too
    // (mapped to (0, 0)), so extend while the prefix is known and remember the last hit.
    let mut best = None;
    let mut end = 0;
    while end < s.len() && end < 40 {
        let b = s[end];
        if !(b.is_ascii_alphanumeric() || b == b';') {
            break;
        }
        end += 1;
        let Ok(key) = std::str::from_utf8(&s[..end]) else {
            break;
        };
        match NAMED_ENTITIES.get(key) {
            None => break,
            Some(&(0, _)) => {}
            Some(&(c1, c2)) => best = Some((end, c1, c2)),
        }
        if b == b';' {
            break;
        }
    }
    let (len, c1, c2) = best?;
    Some((
        len,
        char::from_u32(c1).unwrap_or('\u{fffd}'),
        (c2 != 0).then(|| char::from_u32(c2).unwrap_or('\u{fffd}')),
    ))
}

/// The character of a numeric reference, with the WHATWG fix-ups.
fn numeric_char(v: u32) -> char {
    match v {
        0 => '\u{fffd}',
        0x80..=0x9F => C1_REPLACEMENTS[(v - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(v).unwrap_or('\u{fffd}')),
        _ => char::from_u32(v).unwrap_or('\u{fffd}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        plain_text(html).text
    }

    #[test]
    fn blocks_and_inline() {
        assert_eq!(
            text("<html><head><title> The  title </title><style>p{}</style></head><body><h1>Head</h1><p>One <b>bold</b>\n  word.</p><div>Two<br>lines</div>tail</body></html>"),
            "Head\nOne bold word.\nTwo\nlines\ntail"
        );
        assert_eq!(
            plain_text("<title> The &amp; title </title>x")
                .title
                .as_deref(),
            Some("The & title")
        );
    }

    #[test]
    fn skipped_content() {
        assert_eq!(
            text("a<script>var x = '<p>no</p>';</script>b<noscript>no</noscript>c<template><p>no</p></template>d<svg><text>no</text></svg>e"),
            "abcde"
        );
        assert_eq!(text("<style>x</style><textarea>t</textarea>ok"), "ok");
    }

    #[test]
    fn tables_and_pre() {
        assert_eq!(
            text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a b\nc"
        );
        assert_eq!(text("<pre>  x\n    y\r\n</pre>z"), "x\n    y\nz");
    }

    #[test]
    fn character_references() {
        assert_eq!(
            text("&lt;a&gt; &amp;amp; &#65;&#x42;&#X43; &notit; &copy &nbsp;x &#0; &#x80; &#1114112; &bogus; & done"),
            "<a> &amp; ABC ¬it; © x \u{fffd} € \u{fffd} &bogus; & done"
        );
        assert_eq!(text("&NotEqualTilde;"), "\u{2242}\u{338}");
    }

    #[test]
    fn language_hint() {
        assert_eq!(
            plain_text("<html lang=pt-BR><p>x").language_hint.as_deref(),
            Some("pt-br")
        );
    }
}
