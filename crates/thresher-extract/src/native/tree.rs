//! A compact arena tree built from [`crate::scan`]'s tokens in one linear pass.
//!
//! Not a WHATWG tree builder: it implements the implied end tags that shape real pages
//! (`<p>` closed by a block, `<li>` by the next `<li>`, table cells and rows, headings,
//! nested `<a>`), ignores what does not matter for text (adoption agency, foster parenting,
//! foreign content), and bounds every search so that the cost per token is constant: end tags
//! look at most [`MAX_END_SEARCH`] open elements down, and elements deeper than
//! [`MAX_DEPTH`] become children of the deepest open element instead of nesting further.
//! Nodes are stored in document order, so a parent always has a smaller index than its
//! children and bottom-up passes are a reverse loop, with no recursion anywhere.

use crate::plain::char_ref;
use crate::scan::tags::*;
use crate::scan::{is_void, raw_text_end, tag_hash, Attributes, StartTag, Token, Tokenizer};

/// "No node".
pub(crate) const NONE: u32 = u32::MAX;
/// Tag of text nodes (`#` cannot start a tag name, so no element hashes to it).
pub(crate) const TEXT: u64 = tag_hash(b"#text");
/// Deepest nesting kept; deeper elements are flattened into the deepest open element.
pub(crate) const MAX_DEPTH: usize = 256;
/// How many open elements an end tag or an implied end looks through.
pub(crate) const MAX_END_SEARCH: usize = 64;
/// Longest class/id string kept per element (bytes).
const MAX_CLASS_ID: usize = 200;

/// Node flags.
pub(crate) mod flag {
    /// `hidden`, `aria-hidden=true`, or an inline style with `display:none`/`visibility:hidden`.
    pub const HIDDEN: u16 = 1;
    /// Text inside an `<a>`.
    pub const IN_LINK: u16 = 2;
    /// Text inside `<pre>`: whitespace kept as written.
    pub const PRE: u16 = 4;
    /// An `<a>` with an `href`.
    pub const HREF: u16 = 8;
    /// Element: phrasing (inline) content; its text belongs to the nearest block ancestor.
    pub const INLINE: u16 = 16;
    /// Text node that starts with whitespace (joins inline runs with a space).
    pub const LEAD_SPACE: u16 = 32;
    /// Text node that ends with whitespace.
    pub const TRAIL_SPACE: u16 = 64;
    /// A `role` that marks navigation, banners, complementary content or dialogs.
    pub const ROLE_CHROME: u16 = 128;
    /// An element with `itemprop=articleBody` or `role=main`/`role=article`.
    pub const ROLE_MAIN: u16 = 256;
    /// Text node holding an image's `alt` text: not counted as page text, written only when
    /// images are asked for.
    pub const ALT: u16 = 512;
}

/// Longest `alt` text kept (bytes).
const MAX_ALT: usize = 500;

/// One node of the tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Tag hash ([`tag_hash`]), or [`TEXT`].
    pub tag: u64,
    /// Parent index ([`NONE`] for the root).
    pub parent: u32,
    /// First child, or [`NONE`].
    pub first_child: u32,
    /// Last child, or [`NONE`].
    pub last_child: u32,
    /// Next sibling, or [`NONE`].
    pub next: u32,
    /// Nearest block element at or above this node (itself for a block element).
    pub block: u32,
    /// Text nodes: byte range of their text in [`Tree::text`]; elements: byte range of their
    /// lowercased `class` and `id` (space separated) in [`Tree::attrs`].
    pub start: u32,
    /// End of the range above.
    pub end: u32,
    /// [`flag`] bits.
    pub flags: u16,
}

impl Node {
    /// A node not yet linked into the tree (`append` sets parent, siblings and block).
    fn new(tag: u64, start: usize, end: usize, flags: u16) -> Self {
        Node {
            tag,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            block: 0,
            start: start as u32,
            end: end as u32,
            flags,
        }
    }
}

/// The tree of one page.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Nodes in document order; node 0 is the root.
    pub nodes: Vec<Node>,
    /// Decoded text of all text nodes.
    pub text: String,
    /// Lowercased class/id strings of all elements.
    pub attrs: String,
    /// The `<title>` text.
    pub title: Option<String>,
}

impl Tree {
    /// Text of a text node.
    pub(crate) fn text_of(&self, i: u32) -> &str {
        let n = &self.nodes[i as usize];
        self.text
            .get(n.start as usize..n.end as usize)
            .unwrap_or_default()
    }

    /// Class and id of an element, lowercased.
    pub(crate) fn class_id(&self, i: u32) -> &str {
        let n = &self.nodes[i as usize];
        if n.tag == TEXT {
            return "";
        }
        self.attrs
            .get(n.start as usize..n.end as usize)
            .unwrap_or_default()
    }

    /// Children of `i`.
    pub(crate) fn children(&self, i: u32) -> Children<'_> {
        Children {
            tree: self,
            next: self.nodes[i as usize].first_child,
        }
    }
}

/// Iterator over a node's children.
pub(crate) struct Children<'a> {
    tree: &'a Tree,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let i = self.next;
        self.next = self.tree.nodes[i as usize].next;
        Some(i)
    }
}

/// Ruby annotation: `<ruby>` base text is read, its `<rt>` readings and `<rp>` fallback
/// parentheses are not (see `score::is_chrome_tag`).
pub(crate) const RUBY: u64 = tag_hash(b"ruby");
/// Ruby base.
pub(crate) const RB: u64 = tag_hash(b"rb");
/// Ruby reading (furigana, pinyin): a pronunciation aid, not the text.
pub(crate) const RT: u64 = tag_hash(b"rt");
/// Ruby fallback parenthesis.
pub(crate) const RP: u64 = tag_hash(b"rp");

/// Phrasing elements: their text is part of the enclosing block's paragraph.
pub(crate) fn is_inline(h: u64) -> bool {
    const ABBR: u64 = tag_hash(b"abbr");
    const BDI: u64 = tag_hash(b"bdi");
    const BDO: u64 = tag_hash(b"bdo");
    const CITE: u64 = tag_hash(b"cite");
    const DATA: u64 = tag_hash(b"data");
    const DFN: u64 = tag_hash(b"dfn");
    const KBD: u64 = tag_hash(b"kbd");
    const LABEL: u64 = tag_hash(b"label");
    const MARK: u64 = tag_hash(b"mark");
    const Q: u64 = tag_hash(b"q");
    const SAMP: u64 = tag_hash(b"samp");
    const SPAN: u64 = tag_hash(b"span");
    const SUB: u64 = tag_hash(b"sub");
    const SUP: u64 = tag_hash(b"sup");
    const TIME: u64 = tag_hash(b"time");
    const VAR: u64 = tag_hash(b"var");
    const INS: u64 = tag_hash(b"ins");
    const DEL: u64 = tag_hash(b"del");
    const ACRONYM: u64 = tag_hash(b"acronym");
    matches!(
        h,
        A | ABBR
            | RUBY
            | RB
            | RT
            | RP
            | ACRONYM
            | B
            | BDI
            | BDO
            | BIG
            | BR
            | CITE
            | CODE
            | DATA
            | DEL
            | DFN
            | EM
            | FONT
            | I
            | IMG
            | INS
            | KBD
            | LABEL
            | MARK
            | NOBR
            | Q
            | S
            | SAMP
            | SMALL
            | SPAN
            | STRIKE
            | STRONG
            | SUB
            | SUP
            | TIME
            | TT
            | U
            | VAR
            | WBR
    )
}

const ROLE: &[u8] = b"role";

/// Builds the tree of `html`.
pub(crate) fn build(html: &str) -> Tree {
    let bytes = html.as_bytes();
    let mut b = Builder {
        html,
        tree: Tree {
            nodes: Vec::with_capacity(html.len() / 40 + 16),
            text: String::with_capacity(html.len() / 3),
            attrs: String::with_capacity(html.len() / 50),
            title: None,
        },
        stack: vec![0],
        links: 0,
        pre: 0,
    };
    b.tree.nodes.push(Node::new(BODY, 0, 0, 0));
    // Open svg/math/template elements: their content is skipped, counted rather than stacked.
    let mut skip = 0usize;
    // The skipped element is foreign content (svg, math), which HTML tags break out of.
    let mut in_svg = false;
    let mut outer = Tokenizer::new(bytes);
    // The markup of a `<script type="text/template">` that is an article body's child (some
    // blog templates ship the post that way and render it with script), read as HTML: its
    // tokenizer and where its text starts in `html`. One level only: a template inside it is
    // skipped like any script.
    let mut inner: Option<(Tokenizer<'_>, usize)> = None;
    let mut template_next = false;
    loop {
        let token = match &mut inner {
            Some((t, offset)) => match t.next() {
                Some(tok) => shifted(tok, *offset),
                None => {
                    inner = None;
                    continue;
                }
            },
            None => match outer.next() {
                Some(tok) => tok,
                None => break,
            },
        };
        match token {
            Token::Text(r) => {
                if skip == 0 {
                    b.text(html.get(r).unwrap_or_default(), true);
                }
            }
            Token::RawText { element, range } => {
                if skip > 0 {
                    continue;
                }
                if element == SCRIPT && std::mem::take(&mut template_next) && inner.is_none() {
                    if let Some(markup) = bytes.get(range.clone()) {
                        inner = Some((Tokenizer::new(markup), range.start));
                    }
                    continue;
                }
                let raw = html.get(range).unwrap_or_default();
                if element == TITLE {
                    if b.tree.title.is_none() {
                        let mut t = String::new();
                        decode_collapsed(&raw[..floor_boundary(raw, 4096)], &mut t);
                        let t = t.trim();
                        if !t.is_empty() {
                            b.tree.title = Some(t.to_string());
                        }
                    }
                } else if element == PLAINTEXT || element == XMP {
                    b.pre += 1;
                    b.text(raw, false);
                    b.pre -= 1;
                }
            }
            Token::Start(tag) => {
                let name = tag.name;
                if skip > 0 && !(in_svg && crate::scan::breaks_foreign(name, false)) {
                    if matches!(name, SVG | MATH | TEMPLATE) && !tag.self_closing {
                        skip += 1;
                    }
                    continue;
                }
                skip = 0;
                if matches!(name, SVG | MATH | TEMPLATE) {
                    if !tag.self_closing {
                        skip = 1;
                        in_svg = name != TEMPLATE;
                    }
                    continue;
                }
                if raw_text_end(name).is_some() || matches!(name, HTML | HEAD | BODY) {
                    template_next = name == SCRIPT
                        && inner.is_none()
                        && b.tree.nodes[b.top() as usize].flags & flag::ROLE_MAIN != 0
                        && is_markup_template(bytes, &tag);
                    continue;
                }
                b.start(&tag);
            }
            Token::End(name) => {
                if skip > 0 && in_svg && crate::scan::breaks_foreign(name, true) {
                    skip = 0;
                }
                if skip > 0 {
                    if matches!(name, SVG | MATH | TEMPLATE) {
                        skip -= 1;
                    }
                    continue;
                }
                match name {
                    BR => {
                        let br = StartTag {
                            name: BR,
                            self_closing: true,
                            n_attrs: 0,
                            attrs: 0..0,
                        };
                        b.start(&br);
                    }
                    HTML | HEAD | BODY => {}
                    _ => b.end(name),
                }
            }
            Token::Other => {}
        }
    }
    b.tree
}

/// A token of a nested tokenizer whose input starts at `offset` of the page.
fn shifted(token: Token, offset: usize) -> Token {
    let shift = |r: std::ops::Range<usize>| r.start + offset..r.end + offset;
    match token {
        Token::Text(r) => Token::Text(shift(r)),
        Token::RawText { element, range } => Token::RawText {
            element,
            range: shift(range),
        },
        Token::Start(mut tag) => {
            tag.attrs = shift(tag.attrs);
            Token::Start(tag)
        }
        other => other,
    }
}

/// A `<script>` whose type says it holds HTML to render (`text/template`, `text/html`,
/// `text/x-template`), not code.
fn is_markup_template(bytes: &[u8], tag: &StartTag) -> bool {
    Attributes::new(bytes, tag).any(|(n, v)| {
        bytes[n].eq_ignore_ascii_case(b"type")
            && matches!(
                bytes[v].to_ascii_lowercase().as_slice(),
                b"text/template" | b"text/html" | b"text/x-template"
            )
    })
}

struct Builder<'a> {
    html: &'a str,
    tree: Tree,
    /// Open elements (indices); the root at the bottom.
    stack: Vec<u32>,
    /// Open `<a>` elements.
    links: usize,
    /// Open `<pre>`/`<listing>` elements.
    pre: usize,
}

impl Builder<'_> {
    fn top(&self) -> u32 {
        *self.stack.last().unwrap_or(&0)
    }

    fn append(&mut self, mut node: Node) -> u32 {
        let parent = self.top();
        let idx = self.tree.nodes.len() as u32;
        node.parent = parent;
        let p = &mut self.tree.nodes[parent as usize];
        let prev = p.last_child;
        p.last_child = idx;
        if prev == NONE {
            p.first_child = idx;
        }
        if node.tag != TEXT && node.flags & flag::INLINE == 0 {
            node.block = idx;
        } else {
            node.block = p.block;
        }
        if prev != NONE {
            self.tree.nodes[prev as usize].next = idx;
        }
        self.tree.nodes.push(node);
        idx
    }

    fn text(&mut self, raw: &str, decode: bool) {
        if raw.is_empty() {
            return;
        }
        let start = self.tree.text.len();
        let mut flags = 0;
        if self.pre > 0 {
            flags |= flag::PRE;
            if decode {
                decode_into(raw, &mut self.tree.text);
            } else {
                self.tree.text.push_str(raw);
            }
        } else {
            // The spaces around the text, no-break spaces (`&nbsp;` too) included.
            let (lead, trail) = if decode {
                decode_collapsed(raw, &mut self.tree.text)
            } else {
                collapse_into(raw, &mut self.tree.text)
            };
            if lead {
                flags |= flag::LEAD_SPACE;
            }
            if trail {
                flags |= flag::TRAIL_SPACE;
            }
        }
        let end = self.tree.text.len();
        if end == start && flags & flag::PRE == 0 {
            // Whitespace only: remember it as a space on the previous text node so that
            // `<b>a</b> <i>b</i>` keeps its space.
            if let Some(last) = self.tree.nodes.last_mut() {
                if last.tag == TEXT {
                    last.flags |= flag::TRAIL_SPACE;
                } else if flags & (flag::LEAD_SPACE | flag::TRAIL_SPACE) != 0 {
                    // Keep an empty spacer node so that the renderer sees the gap.
                    let spacer = Node::new(TEXT, start, start, flag::LEAD_SPACE);
                    self.append(spacer);
                }
            }
            return;
        }
        if self.links > 0 {
            flags |= flag::IN_LINK;
        }
        let node = Node::new(TEXT, start, end, flags);
        self.append(node);
    }

    /// Pops open elements down to and including stack position `pos`.
    fn pop_to(&mut self, pos: usize) {
        while self.stack.len() > pos.max(1) {
            let Some(i) = self.stack.pop() else { break };
            match self.tree.nodes[i as usize].tag {
                A => self.links = self.links.saturating_sub(1),
                PRE | LISTING => self.pre = self.pre.saturating_sub(1),
                _ => {}
            }
        }
    }

    /// Position in the stack of the nearest open `target` element, looking down through at
    /// most [`MAX_END_SEARCH`] elements and stopping at an element `stop` accepts.
    fn find_open(&self, target: impl Fn(u64) -> bool, stop: impl Fn(u64) -> bool) -> Option<usize> {
        let n = self.stack.len();
        for pos in (1..n).rev().take(MAX_END_SEARCH) {
            let tag = self.tree.nodes[self.stack[pos] as usize].tag;
            if target(tag) {
                return Some(pos);
            }
            if stop(tag) {
                return None;
            }
        }
        None
    }

    fn close(&mut self, target: impl Fn(u64) -> bool, stop: impl Fn(u64) -> bool) {
        if let Some(pos) = self.find_open(target, stop) {
            self.pop_to(pos);
        }
    }

    fn implied_ends(&mut self, name: u64) {
        if crate::scan::closes_p(name) {
            // A `<p>` holds only phrasing content, so an open one is found through inline
            // elements only.
            self.close(|t| t == P, |t| !is_inline(t));
        }
        match name {
            LI => self.close(|t| t == LI, |t| matches!(t, UL | OL | MENU | DIR)),
            DD | DT => self.close(|t| matches!(t, DD | DT), |t| t == DL),
            TR => self.close(|t| t == TR, |t| matches!(t, TABLE | TBODY | THEAD | TFOOT)),
            TD | TH => self.close(|t| matches!(t, TD | TH), |t| matches!(t, TR | TABLE)),
            TBODY | THEAD | TFOOT => {
                self.close(|t| matches!(t, TBODY | THEAD | TFOOT), |t| t == TABLE)
            }
            OPTION => self.close(|t| t == OPTION, |t| matches!(t, SELECT | OPTGROUP)),
            A => self.close(|t| t == A, |_| false),
            H1 | H2 | H3 | H4 | H5 | H6 => {
                let top = self.tree.nodes[self.top() as usize].tag;
                if crate::scan::is_heading(top) {
                    self.pop_to(self.stack.len() - 1);
                }
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: &StartTag) {
        let name = tag.name;
        self.implied_ends(name);
        let mut flags = if is_inline(name) { flag::INLINE } else { 0 };
        let start = self.tree.attrs.len();
        if tag.n_attrs > 0 {
            flags |= self.attributes(tag);
        }
        let end = self.tree.attrs.len();
        let node = Node::new(name, start, end, flags);
        let idx = self.append(node);
        if is_void(name) {
            if name == IMG && tag.n_attrs > 0 {
                self.alt_text(tag);
            }
            return;
        }
        if self.stack.len() >= MAX_DEPTH {
            return;
        }
        self.stack.push(idx);
        match name {
            A => self.links += 1,
            PRE | LISTING => self.pre += 1,
            _ => {}
        }
    }

    fn end(&mut self, name: u64) {
        let stop = |t: u64| match name {
            // An inline end tag does not close blocks that were opened inside it beyond
            // where a browser would look (formatting elements), but our search is bounded
            // anyway; a block end tag does not reach through a table cell.
            P => !is_inline(t),
            LI => matches!(t, UL | OL),
            TD | TH | TR => t == TABLE,
            _ => false,
        };
        if let Some(pos) = self.find_open(|t| t == name, stop) {
            self.pop_to(pos);
        }
    }

    /// Appends an image's `alt` text as an [`flag::ALT`] text node after it.
    fn alt_text(&mut self, tag: &StartTag) {
        let bytes = self.html.as_bytes();
        let Some((_, v)) = Attributes::new(bytes, tag)
            .take(64)
            .find(|(n, _)| bytes[n.clone()].eq_ignore_ascii_case(b"alt"))
        else {
            return;
        };
        let raw = self.html.get(v).unwrap_or_default();
        let raw = &raw[..floor_boundary(raw, MAX_ALT)];
        let start = self.tree.text.len();
        decode_collapsed(raw, &mut self.tree.text);
        let end = self.tree.text.len();
        if end == start {
            return;
        }
        let node = Node::new(TEXT, start, end, flag::ALT);
        self.append(node);
    }

    /// Reads the attributes that matter (class, id, hidden, style, role, itemprop, href),
    /// appending class and id to [`Tree::attrs`]; returns flags.
    fn attributes(&mut self, tag: &StartTag) -> u16 {
        let bytes = self.html.as_bytes();
        let mut flags = 0;
        let mut kept = 0usize;
        let mut seen = 0u8;
        for (n, v) in Attributes::new(bytes, tag) {
            let name = &bytes[n.clone()];
            let value = &bytes[v.clone()];
            let is_class = name.eq_ignore_ascii_case(b"class");
            if is_class || name.eq_ignore_ascii_case(b"id") {
                // A repeated attribute is ignored, as browsers do.
                let bit = if is_class { 1 } else { 2 };
                if seen & bit != 0 {
                    continue;
                }
                seen |= bit;
                if kept < MAX_CLASS_ID {
                    let take = value.len().min(MAX_CLASS_ID - kept);
                    if !self.tree.attrs.is_empty() && kept > 0 {
                        self.tree.attrs.push(' ');
                    }
                    for &c in &value[..take] {
                        // ASCII only: class names that matter are ASCII, and a byte
                        // cut here could split a character.
                        if c.is_ascii() {
                            self.tree.attrs.push(c.to_ascii_lowercase() as char);
                        }
                    }
                    kept += take + 1;
                }
            } else if name.eq_ignore_ascii_case(b"hidden") {
                flags |= flag::HIDDEN;
            } else if name.eq_ignore_ascii_case(b"aria-hidden") {
                if value.eq_ignore_ascii_case(b"true") {
                    flags |= flag::HIDDEN;
                }
            } else if name.eq_ignore_ascii_case(b"style") {
                if style_hides(value) {
                    flags |= flag::HIDDEN;
                }
            } else if name.eq_ignore_ascii_case(ROLE) {
                let v = value;
                if v.eq_ignore_ascii_case(b"navigation")
                    || v.eq_ignore_ascii_case(b"banner")
                    || v.eq_ignore_ascii_case(b"complementary")
                    || v.eq_ignore_ascii_case(b"contentinfo")
                    || v.eq_ignore_ascii_case(b"dialog")
                    || v.eq_ignore_ascii_case(b"alertdialog")
                    || v.eq_ignore_ascii_case(b"menu")
                    || v.eq_ignore_ascii_case(b"menubar")
                {
                    flags |= flag::ROLE_CHROME;
                } else if v.eq_ignore_ascii_case(b"main") || v.eq_ignore_ascii_case(b"article") {
                    flags |= flag::ROLE_MAIN;
                }
            } else if name.eq_ignore_ascii_case(b"itemprop") {
                if contains_ci(value, b"articlebody") {
                    flags |= flag::ROLE_MAIN;
                }
            } else if name.eq_ignore_ascii_case(b"href") && tag.name == A {
                flags |= flag::HREF;
            }
        }
        flags
    }
}

/// Whether an inline style hides the element.
fn style_hides(v: &[u8]) -> bool {
    let mut compact = [0u8; 64];
    let mut n = 0;
    for &c in v {
        if c.is_ascii_whitespace() {
            continue;
        }
        if n == compact.len() {
            // Long styles: slide, keeping the last bytes (rare; checked below in chunks).
            if contains_ci(&compact, b"display:none") || contains_ci(&compact, b"visibility:hidden")
            {
                return true;
            }
            compact.copy_within(32.., 0);
            n = 32;
        }
        compact[n] = c.to_ascii_lowercase();
        n += 1;
    }
    let s = &compact[..n];
    contains_ci(s, b"display:none") || contains_ci(s, b"visibility:hidden")
}

/// Case-insensitive substring test on bytes.
pub(crate) fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Largest char boundary of `s` at or below `max`.
fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Appends `s` with whitespace runs collapsed to one space and no leading/trailing space, and
/// without the invisible format characters that only hint at layout: NUL, the soft hyphen
/// (U+00AD, a hyphenation point that would split the word for any reader of the text), the
/// word joiner (U+2060) and the zero-width no-break space (U+FEFF).
/// Works on bytes: ASCII whitespace and NUL are single bytes, and the no-break space and the
/// dropped characters start with C2, E2 or EF, so runs between them are copied as whole slices.
/// Returns whether `s` began and whether it ended with whitespace (the no-break space
/// included), which the caller keeps as the spaces around the text.
fn collapse_into(s: &str, out: &mut String) -> (bool, bool) {
    let b = s.as_bytes();
    let start = out.len();
    let mut pending = false;
    let mut lead = false;
    let mut seen_text = false;
    let mut i = 0;
    while i < b.len() {
        match special(b, i) {
            Special::Space(len) => {
                pending = true;
                lead |= !seen_text;
                i += len;
                continue;
            }
            Special::Drop(len) => {
                i += len;
                continue;
            }
            Special::None => {}
        }
        let run_start = i;
        while i < b.len() {
            let c = b[i];
            if matches!(
                c,
                b' ' | b'\t' | b'\n' | b'\r' | 0x0c | 0 | 0xC2 | 0xE2 | 0xEF
            ) && !matches!(special(b, i), Special::None)
            {
                break;
            }
            i += 1;
        }
        if pending && out.len() > start {
            out.push(' ');
        }
        pending = false;
        seen_text = true;
        // The run starts and ends at ASCII bytes or at the lead byte of a special character,
        // so it is whole chars.
        out.push_str(&s[run_start..i]);
    }
    (lead, pending)
}

/// What [`collapse_into`] does with the character at `b[i]`.
enum Special {
    /// Whitespace of this many bytes.
    Space(usize),
    /// An invisible character of this many bytes, dropped.
    Drop(usize),
    None,
}

fn special(b: &[u8], i: usize) -> Special {
    match b[i] {
        b' ' | b'\t' | b'\n' | b'\r' | 0x0c => Special::Space(1),
        0 => Special::Drop(1),
        0xC2 => match b.get(i + 1) {
            Some(0xA0) => Special::Space(2),
            Some(0xAD) => Special::Drop(2),
            _ => Special::None,
        },
        0xE2 if b.get(i + 1..i + 3) == Some(&[0x81, 0xA0]) => Special::Drop(3),
        0xEF if b.get(i + 1..i + 3) == Some(&[0xBB, 0xBF]) => Special::Drop(3),
        _ => Special::None,
    }
}

/// Like [`collapse_into`], decoding character references.
pub(crate) fn decode_collapsed(s: &str, out: &mut String) -> (bool, bool) {
    if !s.contains('&') {
        return collapse_into(s, out);
    }
    let mut tmp = String::with_capacity(s.len());
    decode_into(s, &mut tmp);
    collapse_into(&tmp, out)
}

/// Appends `s` with character references decoded.
fn decode_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match char_ref(after.as_bytes()) {
            Some((len, c1, c2)) => {
                out.push(c1);
                if let Some(c2) = c2 {
                    out.push(c2);
                }
                rest = after.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(t: &Tree, i: u32) -> String {
        // Iterative pre-order print: tag names by hash are unreadable, so print text and
        // nesting only.
        let mut out = String::new();
        let mut stack = vec![(i, 0usize)];
        while let Some((n, d)) = stack.pop() {
            let node = &t.nodes[n as usize];
            if node.tag == TEXT {
                out.push_str(&format!("{}'{}'\n", "  ".repeat(d), t.text_of(n)));
            } else {
                out.push_str(&format!("{}<{}>\n", "  ".repeat(d), t.class_id(n)));
            }
            let kids: Vec<u32> = t.children(n).collect();
            for k in kids.into_iter().rev() {
                stack.push((k, d + 1));
            }
        }
        out
    }

    #[test]
    fn implied_paragraph_and_list_ends() {
        let t = build("<div class=a><p>one<p>two<ul><li>x<li>y</ul></div>");
        let s = shape(&t, 0);
        assert_eq!(
            s,
            "<>\n  <a>\n    <>\n      'one'\n    <>\n      'two'\n    <>\n      <>\n        'x'\n      <>\n        'y'\n"
        );
    }

    #[test]
    fn entities_and_spaces() {
        let t = build("<p>  a&amp;b&nbsp; c\n d </p>");
        let p = t.nodes[0].first_child;
        let txt = t.nodes[p as usize].first_child;
        assert_eq!(t.text_of(txt), "a&b c d");
        assert!(t.nodes[txt as usize].flags & flag::LEAD_SPACE != 0);
    }

    #[test]
    fn invisible_format_characters_are_dropped() {
        // Soft hyphens (raw and as `&shy;`), word joiners and zero-width no-break spaces
        // would split or glue words for every reader of the text.
        let t = build("<p>Mit\u{ad}tel&shy;al\u{2060}ter \u{feff}Wein\u{a0} \u{ad} x</p>");
        let p = t.nodes[0].first_child;
        let txt = t.nodes[p as usize].first_child;
        assert_eq!(t.text_of(txt), "Mittelalter Wein x");
        let t = build("<p>\u{e2}\u{201c}caf\u{e9}\u{201d} \u{2014} \u{20ac}</p>");
        let p = t.nodes[0].first_child;
        assert_eq!(
            t.text_of(t.nodes[p as usize].first_child),
            "\u{e2}\u{201c}caf\u{e9}\u{201d} \u{2014} \u{20ac}"
        );
    }

    #[test]
    fn scripts_and_svg_are_skipped() {
        let t = build("<p>a<script>var x='<p>no</p>'</script><svg><text>no</text></svg>b</p><title>T &amp; U</title>");
        let texts: Vec<&str> = (0..t.nodes.len() as u32)
            .filter(|&i| t.nodes[i as usize].tag == TEXT)
            .map(|i| t.text_of(i))
            .collect();
        assert_eq!(texts, vec!["a", "b"]);
        assert_eq!(t.title.as_deref(), Some("T & U"));
    }

    #[test]
    fn an_article_body_template_is_read_as_markup_once() {
        let page = r#"<div itemprop="articleBody"><script type='text/template'>
            <p>Posted &amp; read</p><script type="text/template"><p>inner</p></script>
            <p class="x">second</p></script></div>
            <div><script type="text/template"><p>ui template</p></script></div>"#;
        let t = build(page);
        let texts: Vec<&str> = (0..t.nodes.len() as u32)
            .filter(|&i| t.nodes[i as usize].tag == TEXT)
            .map(|i| t.text_of(i).trim())
            .filter(|s| !s.is_empty())
            .collect();
        // The outer template ends at the first `</script>` (after "inner", which a nested
        // template's markup is not read for); "second" is ordinary markup after it.
        assert_eq!(texts, vec!["Posted & read", "second"]);
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let html = "<div>".repeat(100_000) + "x" + &"</div>".repeat(100_000);
        let t = build(&html);
        let max_depth = (0..t.nodes.len())
            .map(|mut i| {
                let mut d = 0;
                while t.nodes[i].parent != NONE {
                    i = t.nodes[i].parent as usize;
                    d += 1;
                }
                d
            })
            .max()
            .unwrap();
        assert!(max_depth <= MAX_DEPTH + 1, "{max_depth}");
    }

    #[test]
    fn hidden_and_links() {
        let t = build("<div style='display: none'>h</div><a href=x>l</a>");
        let d = t.nodes[0].first_child as usize;
        assert!(t.nodes[d].flags & flag::HIDDEN != 0);
        let a = t.nodes[d].next as usize;
        assert!(t.nodes[a].flags & flag::HREF != 0);
        let txt = t.nodes[a].first_child as usize;
        assert!(t.nodes[txt].flags & flag::IN_LINK != 0);
    }
}
