//! The robustness guard: decides, in one linear non-recursive pass, whether a page is safe to
//! hand to a tree-building extractor.
//!
//! Tree-building extractors have costs that grow faster than the page: the trafilatura crate
//! walks its DOM recursively (it stops at depth 500, so everything deeper is lost) and its
//! running time grows roughly with the square of the nesting depth (1,000 nested `<div>`s
//! took 2 s and 5,000 took 12 s in our measurements), it spends about 25 µs per element
//! (a flat page of 900,000 paragraphs took 33 s), and html5ever's tokenizer is quadratic in
//! the number of attributes of one tag. [`check_page`] measures what would hurt — size,
//! element count, estimated nesting depth, attributes per tag — and says why a page is unfit,
//! so the caller can use the linear plain extractor instead.
//!
//! The depth is *estimated*: the scan models the parts of the WHATWG tree-construction rules
//! that decide nesting on real pages (void elements, implied end tags of `p`, `li`, `dd`,
//! `dt`, `option`, table cells and rows, scoped end tags, re-opened formatting elements with
//! the three-copies limit) and ignores the rest (foster parenting, the adoption agency's
//! re-parenting, `select` and foreign-content details). It is exact on well-formed pages.
//! Because the scan stops as soon as a limit is exceeded, its work and memory are bounded by
//! the page size and the limit whatever the page contains.

use crate::scan::{
    self, closes_p, is_formatting, is_heading, tags::*, Attributes, StartTag, Token, Tokenizer,
};

/// Limits a page must respect to be given to a tree-building extractor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLimits {
    /// Largest page, in bytes of decoded HTML.
    pub max_bytes: usize,
    /// Deepest element nesting (the `<html>` element has depth 1).
    pub max_depth: usize,
    /// Most attributes on one tag.
    pub max_attributes: usize,
    /// Most elements (start tags) in the page. Tokens of any kind (text runs, end tags,
    /// comments) are capped at [`TOKENS_PER_ELEMENT`] times this: a page that is five
    /// million `<` characters has no elements but costs trafilatura seconds.
    pub max_elements: usize,
}

/// Ratio of the token cap to [`PageLimits::max_elements`]; real pages have about three
/// tokens per element (start tag, end tag, text).
pub const TOKENS_PER_ELEMENT: usize = 5;

impl PageLimits {
    /// Default [`PageLimits::max_bytes`]: 8 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 8 << 20;
    /// Default [`PageLimits::max_depth`]. The trafilatura crate ignores everything below
    /// depth 500 and slows down quadratically with depth; real pages rarely exceed 60.
    /// 400 leaves a margin for the estimate being low on tricky markup.
    pub const DEFAULT_MAX_DEPTH: usize = 400;
    /// Default [`PageLimits::max_attributes`]. Real tags have a handful; html5ever spends
    /// time quadratic in this number.
    pub const DEFAULT_MAX_ATTRIBUTES: usize = 512;
    /// Default [`PageLimits::max_elements`]. trafilatura spends about 25 µs per element
    /// (measured on flat pages of 100,000 to 900,000 elements), so this caps a page at
    /// roughly 2.5 s; the largest of the 1,171 benchmark pages has 10,126 elements.
    pub const DEFAULT_MAX_ELEMENTS: usize = 100_000;
}

impl Default for PageLimits {
    fn default() -> Self {
        PageLimits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_attributes: Self::DEFAULT_MAX_ATTRIBUTES,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
        }
    }
}

/// Why a page was judged unfit for the tree-building extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfit {
    /// Larger than [`PageLimits::max_bytes`].
    TooLarge,
    /// Nested deeper than [`PageLimits::max_depth`].
    TooDeep,
    /// A tag with more than [`PageLimits::max_attributes`] attributes.
    TooManyAttributes,
    /// More than [`PageLimits::max_elements`] elements (or tokens, see there).
    TooManyElements,
}

impl Unfit {
    /// Short stable label: `too_large`, `too_deep`, `too_many_attributes`,
    /// `too_many_elements`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unfit::TooLarge => "too_large",
            Unfit::TooDeep => "too_deep",
            Unfit::TooManyAttributes => "too_many_attributes",
            Unfit::TooManyElements => "too_many_elements",
        }
    }
}

impl std::fmt::Display for Unfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the scan of a fit page found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageShape {
    /// Estimated maximum element depth.
    pub max_depth: usize,
    /// Largest number of attributes on one tag.
    pub max_attributes: usize,
    /// Number of start tags.
    pub elements: usize,
    /// The `lang` attribute of the `<html>` element, if any.
    pub html_lang: Option<String>,
}

/// Checks `html` against `limits` in one pass; `Err` says which limit was hit first.
pub fn check_page(html: &str, limits: &PageLimits) -> Result<PageShape, Unfit> {
    if html.len() > limits.max_bytes {
        return Err(Unfit::TooLarge);
    }
    let mut scanner = DepthScanner::new(limits.max_depth);
    let mut shape = PageShape::default();
    let bytes = html.as_bytes();
    let max_tokens = limits.max_elements.saturating_mul(TOKENS_PER_ELEMENT);
    for (n, token) in Tokenizer::new(bytes).enumerate() {
        if n >= max_tokens {
            return Err(Unfit::TooManyElements);
        }
        match token {
            Token::Start(tag) => {
                shape.elements += 1;
                if shape.elements > limits.max_elements {
                    return Err(Unfit::TooManyElements);
                }
                shape.max_attributes = shape.max_attributes.max(tag.n_attrs);
                if tag.n_attrs > limits.max_attributes {
                    return Err(Unfit::TooManyAttributes);
                }
                if tag.name == HTML && shape.html_lang.is_none() {
                    shape.html_lang = lang_attribute(html, &tag);
                }
                scanner.start(bytes, &tag);
            }
            Token::End(name) => scanner.end(name),
            Token::Text(_) | Token::RawText { .. } => scanner.text(),
            Token::Other => {}
        }
        if scanner.exceeded() {
            return Err(Unfit::TooDeep);
        }
    }
    shape.max_depth = scanner.max_depth;
    Ok(shape)
}

/// Estimated maximum element depth of `html`, counting at most up to `cap + 1`.
pub fn estimate_depth(html: &str, cap: usize) -> usize {
    let mut scanner = DepthScanner::new(cap);
    let bytes = html.as_bytes();
    for token in Tokenizer::new(bytes) {
        match token {
            Token::Start(tag) => scanner.start(bytes, &tag),
            Token::End(name) => scanner.end(name),
            Token::Text(_) | Token::RawText { .. } => scanner.text(),
            Token::Other => {}
        }
        if scanner.exceeded() {
            break;
        }
    }
    scanner.max_depth
}

/// The value of a `lang` attribute of `tag`, trimmed and lowercased, if plausible.
pub(crate) fn lang_attribute(html: &str, tag: &StartTag) -> Option<String> {
    for (name, value) in Attributes::new(html.as_bytes(), tag) {
        if html.get(name)?.eq_ignore_ascii_case("lang") {
            let v = html.get(value)?.trim();
            if !v.is_empty()
                && v.len() <= 35
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Some(v.to_ascii_lowercase());
            }
            return None;
        }
    }
    None
}

/// An open element on the modelled stack.
#[derive(Clone, Copy)]
struct Open {
    name: u64,
    /// Id of its entry in the active-formatting list, 0 if none.
    fmt_id: u32,
}

/// An entry of the modelled list of active formatting elements.
#[derive(Clone, Copy)]
enum Active {
    Marker,
    Fmt {
        id: u32,
        name: u64,
        /// Name and attributes: three identical entries at most ("Noah's Ark").
        ident: u64,
        /// On the stack of open elements right now.
        open: bool,
    },
}

/// The model of the tree builder's stack of open elements, sized by the cap.
struct DepthScanner {
    stack: Vec<Open>,
    active: Vec<Active>,
    next_id: u32,
    /// Open `svg`/`math` elements: inside them `/>` really closes an element.
    foreign: usize,
    max_depth: usize,
    cap: usize,
}

/// `<html>` and `<body>` are always open around the modelled stack.
const BASE_DEPTH: usize = 2;

fn is_marker(h: u64) -> bool {
    matches!(h, TD | TH | CAPTION | APPLET | OBJECT | MARQUEE | TEMPLATE)
}

/// Boundaries of the default "has an element in scope" search.
fn is_scope_boundary(h: u64) -> bool {
    matches!(
        h,
        APPLET | CAPTION | HTML | TABLE | TD | TH | MARQUEE | OBJECT | TEMPLATE
    )
}

fn is_table_part(h: u64) -> bool {
    matches!(h, TABLE | CAPTION | TBODY | THEAD | TFOOT | TR | TD | TH)
}

/// WHATWG "special" elements (approximately): an unmatched "any other" end tag stops at them.
fn is_special(h: u64) -> bool {
    closes_p(h)
        || is_table_part(h)
        || scan::is_void(h)
        || scan::raw_text_end(h).is_some()
        || matches!(
            h,
            APPLET | BODY | BUTTON | FRAMESET | HEAD | HTML | MARQUEE | OBJECT | SELECT | TEMPLATE
        )
}

/// Start tags after which the tree builder does not re-open formatting elements.
fn skips_reconstruct(h: u64) -> bool {
    closes_p(h)
        || is_heading(h)
        || is_table_part(h)
        || matches!(
            h,
            HTML | HEAD
                | BODY
                | FRAMESET
                | BASE
                | LINK
                | META
                | TITLE
                | SCRIPT
                | STYLE
                | TEMPLATE
                | NOFRAMES
        )
}

impl DepthScanner {
    fn new(cap: usize) -> Self {
        DepthScanner {
            stack: Vec::new(),
            active: Vec::new(),
            next_id: 1,
            foreign: 0,
            max_depth: BASE_DEPTH,
            cap,
        }
    }

    fn exceeded(&self) -> bool {
        self.max_depth > self.cap
    }

    fn push(&mut self, name: u64, fmt_id: u32) {
        self.stack.push(Open { name, fmt_id });
        if name == SVG || name == scan::tags::MATH {
            self.foreign += 1;
        }
        self.max_depth = self.max_depth.max(self.stack.len() + BASE_DEPTH);
    }

    fn pop(&mut self) {
        let Some(top) = self.stack.pop() else { return };
        if top.name == SVG || top.name == scan::tags::MATH {
            self.foreign = self.foreign.saturating_sub(1);
        }
        if top.fmt_id != 0 {
            // Implicitly closed formatting elements stay active and are re-opened later.
            for entry in self.active.iter_mut().rev() {
                if let Active::Fmt { id, open, .. } = entry {
                    if *id == top.fmt_id {
                        *open = false;
                        break;
                    }
                }
            }
        }
        if is_marker(top.name) {
            // Closing a cell, caption, object... clears the formatting elements opened in it.
            while let Some(entry) = self.active.pop() {
                if matches!(entry, Active::Marker) {
                    break;
                }
            }
        }
    }

    /// Pops elements up to and including the one at stack index `idx`.
    fn pop_through(&mut self, idx: usize) {
        while self.stack.len() > idx {
            self.pop();
        }
    }

    /// Index of the topmost `name` on the stack, searching down until an element for
    /// which `stop` is true (exclusive).
    fn find_in_scope(
        &self,
        name: impl Fn(u64) -> bool,
        stop: impl Fn(u64) -> bool,
    ) -> Option<usize> {
        for (i, e) in self.stack.iter().enumerate().rev() {
            if name(e.name) {
                return Some(i);
            }
            if stop(e.name) {
                return None;
            }
        }
        None
    }

    /// Closes an open `<p>` in button scope.
    fn close_p(&mut self) {
        if let Some(i) = self.find_in_scope(|h| h == P, |h| is_scope_boundary(h) || h == BUTTON) {
            self.pop_through(i);
        }
    }

    /// Index in `active` of the last formatting entry named `name` after the last marker.
    fn active_fmt(&self, name: u64) -> Option<usize> {
        for (i, entry) in self.active.iter().enumerate().rev() {
            match entry {
                Active::Marker => return None,
                Active::Fmt { name: n, .. } if *n == name => return Some(i),
                Active::Fmt { .. } => {}
            }
        }
        None
    }

    /// Re-opens active formatting elements that were closed implicitly.
    fn reconstruct(&mut self) {
        let start = self
            .active
            .iter()
            .rposition(|e| matches!(e, Active::Marker))
            .map_or(0, |i| i + 1);
        for i in start..self.active.len() {
            if let Active::Fmt {
                id,
                name,
                open: false,
                ..
            } = self.active[i]
            {
                self.push(name, id);
                if let Active::Fmt { open, .. } = &mut self.active[i] {
                    *open = true;
                }
                if self.exceeded() {
                    return;
                }
            }
        }
    }

    /// End tag of a formatting element: a simplified adoption agency.
    fn close_formatting(&mut self, name: u64) -> bool {
        let Some(ai) = self.active_fmt(name) else {
            return false;
        };
        let Active::Fmt { id, open, .. } = self.active[ai] else {
            return false;
        };
        if open {
            if let Some(si) = self.stack.iter().rposition(|e| e.fmt_id == id) {
                // Detach first so popping does not mark it for re-opening.
                self.stack[si].fmt_id = 0;
                self.pop_through(si);
            }
        }
        if let Some(ai) = self
            .active
            .iter()
            .rposition(|e| matches!(e, Active::Fmt { id: other, .. } if *other == id))
        {
            self.active.remove(ai);
        }
        true
    }

    fn text(&mut self) {
        self.reconstruct();
    }

    fn start(&mut self, input: &[u8], tag: &StartTag) {
        let h = tag.name;
        if matches!(h, HTML | HEAD | BODY | FRAMESET) {
            return;
        }
        // Implied end tags.
        if closes_p(h) {
            self.close_p();
        }
        match h {
            LI => {
                if let Some(i) = self.find_in_scope(
                    |x| x == LI,
                    |x| is_special(x) && !matches!(x, ADDRESS | DIV | P),
                ) {
                    self.pop_through(i);
                }
            }
            DD | DT => {
                if let Some(i) = self.find_in_scope(
                    |x| x == DD || x == DT,
                    |x| is_special(x) && !matches!(x, ADDRESS | DIV | P),
                ) {
                    self.pop_through(i);
                }
            }
            _ if is_heading(h) && self.stack.last().is_some_and(|e| is_heading(e.name)) => {
                self.pop();
            }
            A | NOBR => {
                // A new link closes the open one.
                self.close_formatting(h);
            }
            BUTTON => {
                if let Some(i) = self.find_in_scope(|x| x == BUTTON, is_scope_boundary) {
                    self.pop_through(i);
                }
            }
            OPTION if self.stack.last().is_some_and(|e| e.name == OPTION) => self.pop(),
            OPTGROUP => {
                if self.stack.last().is_some_and(|e| e.name == OPTION) {
                    self.pop();
                }
                if self.stack.last().is_some_and(|e| e.name == OPTGROUP) {
                    self.pop();
                }
            }
            TD | TH => {
                if let Some(i) =
                    self.find_in_scope(|x| x == TD || x == TH, |x| matches!(x, TR | TABLE))
                {
                    self.pop_through(i);
                }
                // A cell directly in a table gets an implied `<tbody><tr>`.
                if self.stack.last().is_some_and(|e| e.name == TABLE) {
                    self.push(TBODY, 0);
                }
                if self
                    .stack
                    .last()
                    .is_some_and(|e| matches!(e.name, TBODY | THEAD | TFOOT))
                {
                    self.push(TR, 0);
                }
            }
            TR => {
                if let Some(i) = self.find_in_scope(|x| x == TR, |x| x == TABLE) {
                    self.pop_through(i);
                }
                if self.stack.last().is_some_and(|e| e.name == TABLE) {
                    self.push(TBODY, 0);
                }
            }
            TBODY | THEAD | TFOOT | CAPTION => {
                if let Some(i) = self.find_in_scope(|x| x == TABLE, |_| false) {
                    self.pop_through(i + 1);
                }
            }
            // A form inside a form is ignored.
            FORM if self.stack.iter().any(|e| e.name == FORM) => return,
            _ => {}
        }
        if !skips_reconstruct(h) {
            self.reconstruct();
        }
        if scan::is_void(h) || (tag.self_closing && self.foreign > 0) {
            return;
        }
        if is_formatting(h) {
            let ident = formatting_ident(input, tag);
            self.noahs_ark(ident);
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1).max(1);
            self.active.push(Active::Fmt {
                id,
                name: h,
                ident,
                open: true,
            });
            self.push(h, id);
        } else {
            self.push(h, 0);
            if is_marker(h) {
                self.active.push(Active::Marker);
            }
        }
    }

    /// At most three identical formatting elements stay active: the earliest goes.
    fn noahs_ark(&mut self, ident: u64) {
        let mut count = 0;
        let mut earliest = None;
        for (i, entry) in self.active.iter().enumerate().rev() {
            match entry {
                Active::Marker => break,
                Active::Fmt { ident: x, .. } if *x == ident => {
                    count += 1;
                    earliest = Some(i);
                }
                Active::Fmt { .. } => {}
            }
        }
        if count >= 3 {
            if let Some(i) = earliest {
                if let Active::Fmt { id, .. } = self.active.remove(i) {
                    if let Some(e) = self.stack.iter_mut().rev().find(|e| e.fmt_id == id) {
                        e.fmt_id = 0;
                    }
                }
            }
        }
    }

    fn end(&mut self, h: u64) {
        match h {
            HTML | HEAD | BODY | BR | FRAMESET => {}
            P => self.close_p(),
            _ if is_formatting(h) => {
                if !self.close_formatting(h) {
                    self.end_other(h);
                }
            }
            LI => {
                if let Some(i) = self.find_in_scope(
                    |x| x == LI,
                    |x| is_scope_boundary(x) || matches!(x, UL | OL),
                ) {
                    self.pop_through(i);
                }
            }
            _ if is_heading(h) => {
                if let Some(i) = self.find_in_scope(is_heading, is_scope_boundary) {
                    self.pop_through(i);
                }
            }
            _ if is_table_part(h) => {
                if let Some(i) = self.find_in_scope(|x| x == h, |x| matches!(x, TABLE | HTML)) {
                    self.pop_through(i);
                } else if h == TABLE {
                    if let Some(i) = self.find_in_scope(|x| x == TABLE, |x| x == HTML) {
                        self.pop_through(i);
                    }
                }
            }
            _ if is_special(h) => {
                if let Some(i) = self.find_in_scope(|x| x == h, is_scope_boundary) {
                    self.pop_through(i);
                }
            }
            _ => self.end_other(h),
        }
    }

    /// "Any other end tag": matches the nearest open element of that name unless a special
    /// element is in the way.
    fn end_other(&mut self, h: u64) {
        if let Some(i) = self.find_in_scope(|x| x == h, is_special) {
            self.pop_through(i);
        }
    }
}

/// Identity of a formatting element for the three-copies rule: its name and attributes.
fn formatting_ident(input: &[u8], tag: &StartTag) -> u64 {
    let attrs = input.get(tag.attrs.clone()).unwrap_or_default();
    let attrs = attrs.trim_ascii();
    tag.name ^ scan::tag_hash(attrs).rotate_left(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(html: &str) -> usize {
        estimate_depth(html, 10_000)
    }

    #[test]
    fn well_formed_nesting() {
        assert_eq!(depth(""), 2);
        assert_eq!(depth("<html><body><div><p>x</p></div></body></html>"), 4);
        assert_eq!(depth(&"<div>".repeat(50)), 52);
        assert_eq!(depth(&"<div></div>".repeat(50)), 3);
    }

    #[test]
    fn void_and_self_closing() {
        assert_eq!(depth(&"<br><img src=x><meta charset=utf-8>".repeat(100)), 2);
        // Outside foreign content `/>` does not close a div...
        assert_eq!(depth(&"<div/>".repeat(10)), 12);
        // ...inside svg it does.
        assert_eq!(
            depth(&format!("<svg>{}</svg>", "<path d='x'/>".repeat(100))),
            3
        );
    }

    #[test]
    fn implied_end_tags() {
        assert_eq!(depth(&"<p>para".repeat(1000)), 3);
        assert_eq!(depth(&format!("<ul>{}</ul>", "<li>item".repeat(1000))), 4);
        assert_eq!(
            depth(&format!("<select>{}</select>", "<option>o".repeat(1000))),
            4
        );
        assert_eq!(depth(&format!("<dl>{}</dl>", "<dt>t<dd>d".repeat(1000))), 4);
        assert_eq!(
            depth(&format!("<table>{}</table>", "<tr><td>a<td>b".repeat(1000))),
            6
        );
        assert_eq!(depth(&"<a name=x>anchor ".repeat(1000)), 3);
        // Nested lists really nest.
        assert_eq!(depth(&"<ul><li>x".repeat(10)), 22);
    }

    #[test]
    fn raw_text_is_not_markup() {
        let page = format!("<script>{}</script><div>x</div>", "<div>".repeat(1000));
        assert_eq!(depth(&page), 3);
        let page = format!("<!-- {} -->", "<div>".repeat(1000));
        assert_eq!(depth(&page), 2);
    }

    #[test]
    fn reopened_formatting_elements_count() {
        // Unclosed <b> in each paragraph: the tree builder keeps at most three copies.
        assert!(depth(&"<p><b>bold text".repeat(1000)) <= 8);
        // Distinct formatting elements closed by </p> are re-opened by the next text.
        let mut page = String::from("<p>");
        for i in 0..50 {
            page.push_str(&format!("<b id={i}>"));
        }
        page.push_str("x</p>");
        page.push_str(&"<div>y</div>".repeat(5));
        assert!(depth(&page) >= 52);
        // ...but a closed table cell clears them.
        assert_eq!(
            depth(&"<table><tr><td><font>x</td></tr></table>".repeat(100)),
            7
        );
    }

    #[test]
    fn stray_end_tags_do_not_unwind() {
        // `</span>` cannot close past a div.
        assert_eq!(depth(&"<span><div></span>".repeat(10)), 22);
        // `</div>` inside a cell does not close the table's parent.
        assert_eq!(
            depth("<div><table><tr><td></div>x</td></tr></table></div>"),
            7
        );
    }

    #[test]
    fn check_page_limits() {
        let limits = PageLimits {
            max_bytes: 1000,
            max_depth: 20,
            max_attributes: 5,
            max_elements: 50,
        };
        assert_eq!(check_page(&"x".repeat(1001), &limits), Err(Unfit::TooLarge));
        assert_eq!(
            check_page(&"<div>".repeat(30), &limits),
            Err(Unfit::TooDeep)
        );
        assert_eq!(
            check_page("<p a b c d e f>", &limits),
            Err(Unfit::TooManyAttributes)
        );
        assert_eq!(
            check_page(&"<p>x</p>".repeat(51), &limits),
            Err(Unfit::TooManyElements)
        );
        assert_eq!(
            check_page(&"< ".repeat(300), &limits),
            Err(Unfit::TooManyElements)
        );
        let shape = check_page("<html LANG='de-AT'><p a b>x</p>", &limits).unwrap();
        assert_eq!(shape.html_lang.as_deref(), Some("de-at"));
        assert_eq!(shape.max_attributes, 2);
        assert_eq!(shape.max_depth, 3);
    }

    #[test]
    fn scan_stops_early_on_hostile_depth() {
        let page = "<div>".repeat(1_000_000);
        assert_eq!(estimate_depth(&page, 400), 401);
    }
}
