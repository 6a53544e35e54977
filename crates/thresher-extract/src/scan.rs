//! A small, forgiving HTML tokenizer shared by the charset prescan, the page-shape guard and
//! the plain-text extractor.
//!
//! Why not html5ever's tokenizer: it checks every new attribute against all earlier
//! attributes of the same tag, which is quadratic — a single tag with a million attributes
//! takes minutes. This tokenizer does a constant amount of work per input byte (every loop
//! only moves forward), never recurses and never allocates per token, so it is safe on any
//! input. It follows the WHATWG tokenizer where that matters for text (tags, attributes with
//! quoted values, comments, raw-text elements such as `<script>`) and takes shortcuts where
//! it does not (CDATA, script-data escapes, foreign content).
//!
//! Tokens carry byte ranges into the input rather than slices, so the same tokenizer runs on
//! undecoded bytes (charset prescan) and on decoded text (extraction). Every range starts and
//! ends next to an ASCII delimiter, so slicing a `&str` with it always hits char boundaries.

use std::ops::Range;

/// 64-bit FNV-1a hash of an ASCII-lowercased tag name: a cheap, allocation-free identity for
/// tag names, including unknown and custom elements.
pub(crate) const fn tag_hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < name.len() {
        h ^= name[i].to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// Hashes of the tag names the scanners treat specially.
#[allow(missing_docs)]
pub(crate) mod tags {
    use super::tag_hash;
    macro_rules! tag_consts {
        ($($name:ident = $lit:literal),* $(,)?) => { $(pub const $name: u64 = tag_hash($lit);)* };
    }
    tag_consts! {
        A = b"a", ADDRESS = b"address", APPLET = b"applet", AREA = b"area", ARTICLE = b"article",
        ASIDE = b"aside", B = b"b", BASE = b"base", BASEFONT = b"basefont", BGSOUND = b"bgsound",
        BIG = b"big", BLOCKQUOTE = b"blockquote", BODY = b"body", BR = b"br", BUTTON = b"button",
        CAPTION = b"caption", CENTER = b"center", CODE = b"code", COL = b"col", DD = b"dd",
        DETAILS = b"details", DIALOG = b"dialog", DIR = b"dir", DIV = b"div", DL = b"dl",
        DT = b"dt", EM = b"em", EMBED = b"embed", FIELDSET = b"fieldset",
        FIGCAPTION = b"figcaption", FIGURE = b"figure", FONT = b"font", FOOTER = b"footer",
        FORM = b"form", FRAME = b"frame", FRAMESET = b"frameset", H1 = b"h1", H2 = b"h2",
        H3 = b"h3", H4 = b"h4", H5 = b"h5", H6 = b"h6", HEAD = b"head", HEADER = b"header",
        HGROUP = b"hgroup", HR = b"hr", HTML = b"html", I = b"i", IFRAME = b"iframe",
        IMAGE = b"image", IMG = b"img", INPUT = b"input", KEYGEN = b"keygen", LI = b"li",
        LINK = b"link", LISTING = b"listing", MAIN = b"main", MARQUEE = b"marquee", MATH = b"math",
        MENU = b"menu", META = b"meta", NAV = b"nav", NOBR = b"nobr", NOEMBED = b"noembed",
        NOFRAMES = b"noframes", NOSCRIPT = b"noscript", OBJECT = b"object", OL = b"ol",
        OPTGROUP = b"optgroup", OPTION = b"option", P = b"p", PARAM = b"param",
        PLAINTEXT = b"plaintext", PRE = b"pre", S = b"s", SCRIPT = b"script",
        SECTION = b"section", SELECT = b"select", SMALL = b"small", SOURCE = b"source",
        STRIKE = b"strike", STRONG = b"strong", STYLE = b"style", SUMMARY = b"summary",
        SVG = b"svg", TABLE = b"table", TBODY = b"tbody", TD = b"td", TEMPLATE = b"template",
        TEXTAREA = b"textarea", TFOOT = b"tfoot", TH = b"th", THEAD = b"thead",
        TITLE = b"title", TR = b"tr", TRACK = b"track", TT = b"tt", U = b"u", UL = b"ul",
        WBR = b"wbr", XMP = b"xmp",
    }
}

use tags::*;

/// Elements that never have content (no end tag, no nesting).
pub(crate) fn is_void(h: u64) -> bool {
    matches!(
        h,
        AREA | BASE
            | BASEFONT
            | BGSOUND
            | BR
            | COL
            | EMBED
            | FRAME
            | HR
            | IMAGE
            | IMG
            | INPUT
            | KEYGEN
            | LINK
            | META
            | PARAM
            | SOURCE
            | TRACK
            | WBR
    )
}

/// Formatting elements: the tree builder keeps them in its "active formatting elements" list
/// and re-opens them after an unrelated end tag closed them implicitly.
pub(crate) fn is_formatting(h: u64) -> bool {
    matches!(
        h,
        A | B | BIG | CODE | EM | FONT | I | NOBR | S | SMALL | STRIKE | STRONG | TT | U
    )
}

/// Start tags that implicitly close an open `<p>` (WHATWG "close a p element").
pub(crate) fn closes_p(h: u64) -> bool {
    matches!(
        h,
        ADDRESS
            | ARTICLE
            | ASIDE
            | BLOCKQUOTE
            | CENTER
            | DETAILS
            | DIALOG
            | DIR
            | DIV
            | DL
            | FIELDSET
            | FIGCAPTION
            | FIGURE
            | FOOTER
            | FORM
            | H1
            | H2
            | H3
            | H4
            | H5
            | H6
            | HEADER
            | HGROUP
            | HR
            | LI
            | DD
            | DT
            | LISTING
            | MAIN
            | MENU
            | NAV
            | OL
            | P
            | PRE
            | SECTION
            | SUMMARY
            | TABLE
            | UL
            | XMP
            | PLAINTEXT
    )
}

/// Elements whose start or end is a line break in plain text.
pub(crate) fn is_block(h: u64) -> bool {
    closes_p(h)
        || matches!(
            h,
            BR | BODY | CAPTION | TR | TBODY | THEAD | TFOOT | OPTION | SELECT
        )
}

/// HTML tags that end foreign content (`<svg>`, `<math>`) when they appear inside it: the
/// WHATWG "breakout" start tags, and end tags of block elements that cannot be inside SVG.
/// An icon's `<svg>` left unclosed must not hide the rest of the page.
pub(crate) fn breaks_foreign(h: u64, end_tag: bool) -> bool {
    if end_tag {
        return matches!(
            h,
            DIV | P
                | LI
                | UL
                | OL
                | TD
                | TR
                | TABLE
                | SECTION
                | ARTICLE
                | BODY
                | HTML
                | DD
                | DL
                | HEADER
                | FOOTER
                | NAV
                | MAIN
                | ASIDE
                | FORM
                | BUTTON
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
        );
    }
    matches!(
        h,
        B | BIG
            | BLOCKQUOTE
            | BODY
            | BR
            | CENTER
            | CODE
            | DD
            | DIV
            | DL
            | DT
            | EM
            | EMBED
            | H1
            | H2
            | H3
            | H4
            | H5
            | H6
            | HEAD
            | HR
            | I
            | IMG
            | LI
            | LISTING
            | MENU
            | META
            | NOBR
            | OL
            | P
            | PRE
            | S
            | SMALL
            | STRONG
            | STRIKE
            | TABLE
            | TT
            | U
            | UL
    )
}

/// Headings, which close each other.
pub(crate) fn is_heading(h: u64) -> bool {
    matches!(h, H1 | H2 | H3 | H4 | H5 | H6)
}

/// The end-tag name that ends the raw content of `h`, for elements whose content the
/// tokenizer does not parse as markup (RAWTEXT and RCDATA in the WHATWG tokenizer; we treat
/// `noscript` as RAWTEXT like a browser with scripting on, which is also what html5ever does).
pub(crate) fn raw_text_end(h: u64) -> Option<&'static [u8]> {
    Some(match h {
        SCRIPT => b"script",
        STYLE => b"style",
        TITLE => b"title",
        TEXTAREA => b"textarea",
        XMP => b"xmp",
        IFRAME => b"iframe",
        NOEMBED => b"noembed",
        NOFRAMES => b"noframes",
        NOSCRIPT => b"noscript",
        _ => return None,
    })
}

/// One start tag.
#[derive(Debug, Clone)]
pub(crate) struct StartTag {
    /// [`tag_hash`] of the name.
    pub name: u64,
    /// `<x ... />`.
    pub self_closing: bool,
    /// Number of attributes as written (duplicates included).
    pub n_attrs: usize,
    /// Byte range of the attribute section (after the name, before `>`).
    pub attrs: Range<usize>,
}

/// One token. Ranges index the tokenizer's input.
#[derive(Debug, Clone)]
pub(crate) enum Token {
    /// Character data between tags, with character references still encoded.
    Text(Range<usize>),
    /// The content of a raw-text element (`script`, `style`, `title`, ...), up to its end
    /// tag; `element` is the hash of the element it belongs to.
    RawText { element: u64, range: Range<usize> },
    /// A start tag.
    Start(StartTag),
    /// An end tag (attributes, if any, skipped).
    End(u64),
    /// A comment, doctype, processing instruction or bogus comment.
    Other,
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Index of the first `needle` at or after `from`, or `bytes.len()`.
#[inline]
fn find_byte(bytes: &[u8], from: usize, needle: u8) -> usize {
    match bytes.get(from..) {
        Some(rest) => memchr::memchr(needle, rest).map_or(bytes.len(), |p| from + p),
        None => bytes.len(),
    }
}

/// Pull tokenizer over a byte string.
pub(crate) struct Tokenizer<'a> {
    b: &'a [u8],
    pos: usize,
    /// Set after a raw-text start tag: the next token is its content.
    raw: Option<(u64, &'static [u8])>,
    /// Open `<svg>`/`<math>` elements: inside foreign content `<title>`, `<style>` and
    /// `<script>` are ordinary elements (an SVG icon's `<title/>` must not swallow the page).
    foreign: usize,
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer at the start of `input`.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Tokenizer {
            b: input,
            pos: 0,
            raw: None,
            foreign: 0,
        }
    }

    /// Finds the end tag `</name` (ASCII case-insensitive, followed by whitespace, `/` or `>`)
    /// at or after `from`; returns its start, or the input length.
    fn find_end_tag(&self, from: usize, name: &[u8]) -> usize {
        let b = self.b;
        let mut i = from;
        loop {
            i = find_byte(b, i, b'<');
            if i >= b.len() {
                return b.len();
            }
            let start = i + 2;
            let end = start + name.len();
            if b.get(i + 1) == Some(&b'/')
                && b.get(start..end)
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
                && b.get(end)
                    .is_none_or(|&c| is_ws(c) || c == b'/' || c == b'>')
            {
                return i;
            }
            i += 1;
        }
    }

    /// Parses the attribute section starting at `i` up to and including `>`. Returns the index
    /// after `>`, the attribute count, the end of the attribute section and whether the tag
    /// was self-closing; `None` when the input ends inside the tag (such a tag is dropped, as
    /// the WHATWG tokenizer does).
    fn attributes(&self, mut i: usize) -> Option<(usize, usize, usize, bool)> {
        let b = self.b;
        let mut n = 0usize;
        loop {
            // Between attributes: whitespace and stray slashes.
            loop {
                match b.get(i) {
                    None => return None,
                    Some(b'>') => return Some((i + 1, n, i, false)),
                    Some(b'/') => {
                        if b.get(i + 1) == Some(&b'>') {
                            return Some((i + 2, n, i, true));
                        }
                        i += 1;
                    }
                    Some(&c) if is_ws(c) => i += 1,
                    Some(_) => break,
                }
            }
            // Attribute name; a leading `=` belongs to the name.
            n += 1;
            i += 1;
            while let Some(&c) = b.get(i) {
                if is_ws(c) || c == b'/' || c == b'>' || c == b'=' {
                    break;
                }
                i += 1;
            }
            while b.get(i).is_some_and(|&c| is_ws(c)) {
                i += 1;
            }
            if b.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while b.get(i).is_some_and(|&c| is_ws(c)) {
                i += 1;
            }
            match b.get(i) {
                None => return None,
                Some(&q @ (b'"' | b'\'')) => {
                    let close = find_byte(b, i + 1, q);
                    if close >= b.len() {
                        return None;
                    }
                    i = close + 1;
                }
                Some(b'>') => {}
                Some(_) => {
                    while let Some(&c) = b.get(i) {
                        if is_ws(c) || c == b'>' {
                            break;
                        }
                        i += 1;
                    }
                }
            }
        }
    }

    /// Reads a tag name starting at `i`; returns its hash and the index after it.
    fn tag_name(&self, mut i: usize) -> (u64, usize) {
        let start = i;
        while let Some(&c) = self.b.get(i) {
            if is_ws(c) || c == b'/' || c == b'>' {
                break;
            }
            i += 1;
        }
        (tag_hash(&self.b[start..i]), i)
    }

    /// Skips a comment whose `<!--` starts at `i`; returns the index after it.
    fn skip_comment(&self, i: usize) -> usize {
        let b = self.b;
        let body = i + 4;
        // `<!-->` and `<!--->` are complete (empty) comments.
        if b.get(body) == Some(&b'>') {
            return body + 1;
        }
        if b.get(body..body + 2) == Some(b"->") {
            return body + 2;
        }
        let mut j = body;
        loop {
            j = find_byte(b, j, b'-');
            if j >= b.len() {
                return b.len();
            }
            if b.get(j + 1) == Some(&b'-') {
                match b.get(j + 2) {
                    Some(b'>') => return j + 3,
                    Some(b'!') if b.get(j + 3) == Some(&b'>') => return j + 4,
                    _ => {}
                }
            }
            j += 1;
        }
    }
}

impl Iterator for Tokenizer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let b = self.b;
        loop {
            if self.pos >= b.len() {
                return None;
            }
            if let Some((element, name)) = self.raw.take() {
                let start = self.pos;
                let end = if element == PLAINTEXT {
                    b.len()
                } else {
                    self.find_end_tag(start, name)
                };
                self.pos = end;
                if end > start {
                    return Some(Token::RawText {
                        element,
                        range: start..end,
                    });
                }
                continue;
            }
            let i = self.pos;
            if b[i] != b'<' {
                let end = find_byte(b, i, b'<');
                self.pos = end;
                return Some(Token::Text(i..end));
            }
            match b.get(i + 1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after_name) = self.tag_name(i + 1);
                    let Some((next, n_attrs, attrs_end, self_closing)) =
                        self.attributes(after_name)
                    else {
                        self.pos = b.len();
                        return None;
                    };
                    self.pos = next;
                    if self.foreign > 0 && breaks_foreign(name, false) {
                        self.foreign = 0;
                    }
                    if (name == SVG || name == MATH) && !self_closing {
                        self.foreign += 1;
                    } else if self.foreign > 0 {
                        // Foreign content: no raw text.
                    } else if name == PLAINTEXT {
                        self.raw = Some((PLAINTEXT, b"plaintext"));
                    } else if let Some(end_name) = raw_text_end(name) {
                        self.raw = Some((name, end_name));
                    }
                    return Some(Token::Start(StartTag {
                        name,
                        self_closing,
                        n_attrs,
                        attrs: after_name..attrs_end,
                    }));
                }
                Some(b'/') => match b.get(i + 2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let (name, after_name) = self.tag_name(i + 2);
                        let Some((next, ..)) = self.attributes(after_name) else {
                            self.pos = b.len();
                            return None;
                        };
                        self.pos = next;
                        if name == SVG || name == MATH {
                            self.foreign = self.foreign.saturating_sub(1);
                        } else if self.foreign > 0 && breaks_foreign(name, true) {
                            self.foreign = 0;
                        }
                        return Some(Token::End(name));
                    }
                    Some(b'>') => {
                        self.pos = i + 3;
                        continue;
                    }
                    None => {
                        self.pos = b.len();
                        return Some(Token::Text(i..b.len()));
                    }
                    Some(_) => {
                        self.pos = (find_byte(b, i + 2, b'>') + 1).min(b.len());
                        return Some(Token::Other);
                    }
                },
                Some(b'!') => {
                    self.pos = if b.get(i + 2..i + 4) == Some(b"--") {
                        self.skip_comment(i)
                    } else {
                        (find_byte(b, i + 2, b'>') + 1).min(b.len())
                    };
                    return Some(Token::Other);
                }
                Some(b'?') => {
                    self.pos = (find_byte(b, i + 2, b'>') + 1).min(b.len());
                    return Some(Token::Other);
                }
                _ => {
                    // A `<` that does not start markup is text.
                    let end = find_byte(b, i + 1, b'<');
                    self.pos = end;
                    return Some(Token::Text(i..end));
                }
            }
        }
    }
}

/// Iterates over the `(name, value)` byte ranges of an attribute section, as the tokenizer
/// delimited it. Values exclude their quotes; a missing value is an empty range.
pub(crate) struct Attributes<'a> {
    b: &'a [u8],
    i: usize,
    end: usize,
}

impl<'a> Attributes<'a> {
    /// Attributes of `tag` in `input` (the tokenizer's input).
    pub(crate) fn new(input: &'a [u8], tag: &StartTag) -> Self {
        let end = tag.attrs.end.min(input.len());
        Attributes {
            b: input,
            i: tag.attrs.start.min(end),
            end,
        }
    }
}

impl Iterator for Attributes<'_> {
    type Item = (Range<usize>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = &self.b[..self.end];
        while self.i < b.len() && (is_ws(b[self.i]) || b[self.i] == b'/') {
            self.i += 1;
        }
        if self.i >= b.len() {
            return None;
        }
        let name_start = self.i;
        self.i += 1;
        while self.i < b.len() {
            let c = b[self.i];
            if is_ws(c) || c == b'/' || c == b'=' {
                break;
            }
            self.i += 1;
        }
        let name = name_start..self.i;
        let mut j = self.i;
        while j < b.len() && is_ws(b[j]) {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            return Some((name, self.i..self.i));
        }
        j += 1;
        while j < b.len() && is_ws(b[j]) {
            j += 1;
        }
        let value = match b.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let close = find_byte(b, j + 1, q);
                self.i = (close + 1).min(b.len());
                (j + 1)..close.min(b.len())
            }
            _ => {
                let start = j;
                while j < b.len() && !is_ws(b[j]) {
                    j += 1;
                }
                self.i = j;
                start..j
            }
        };
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        Tokenizer::new(s.as_bytes())
            .map(|t| match t {
                Token::Text(r) => format!("T({})", &s[r]),
                Token::RawText { range, .. } => format!("R({})", &s[range]),
                Token::Start(t) => format!(
                    "S({}{}{})",
                    t.n_attrs,
                    if t.self_closing { "/" } else { "" },
                    if t.name == DIV { "div" } else { "" }
                ),
                Token::End(h) => format!("E({})", if h == DIV { "div" } else { "?" }),
                Token::Other => "O".into(),
            })
            .collect()
    }

    #[test]
    fn basic_tokens() {
        assert_eq!(
            toks("a<DIV class='x>y' id=z checked>b</div >c"),
            ["T(a)", "S(3div)", "T(b)", "E(div)", "T(c)"]
        );
        assert_eq!(toks("<br/>x"), ["S(0/)", "T(x)"]);
        assert_eq!(toks("1 < 2 <3"), ["T(1 )", "T(< 2 )", "T(<3)"]);
        assert_eq!(
            toks("<!-- <div> -->x<!--->y<!-->z"),
            ["O", "T(x)", "O", "T(y)", "O", "T(z)"]
        );
        assert_eq!(
            toks("<!doctype html><?xml x?></>a</ b>"),
            ["O", "O", "T(a)", "O"]
        );
    }

    #[test]
    fn svg_title_is_not_raw_text() {
        let t = toks("<svg><title/><path/></svg><p>x</p>");
        assert!(t.iter().any(|s| s.contains('x')), "{t:?}");
        let t = toks("<title>a<b></title><p>y");
        assert!(t.iter().any(|s| s.contains("a<b")), "{t:?}");
    }

    #[test]
    fn raw_text_elements() {
        assert_eq!(
            toks("<script>if (a<b) '</div>' </scriptx></SCRIPT>t"),
            ["S(0)", "R(if (a<b) '</div>' </scriptx>)", "E(?)", "T(t)"]
        );
        assert_eq!(toks("<style>"), ["S(0)"]);
        assert_eq!(toks("<plaintext></plaintext>"), ["S(0)", "R(</plaintext>)"]);
    }

    #[test]
    fn unterminated_tag_is_dropped() {
        assert_eq!(toks("a<div class='x"), ["T(a)"]);
        assert_eq!(toks("a<div"), ["T(a)"]);
        assert_eq!(toks("a</"), ["T(a)", "T(</)"]);
    }

    #[test]
    fn attribute_iterator() {
        let s = r#"<meta http-equiv = "Content-Type" content='text/html; charset=x' a b=c />"#;
        let Some(Token::Start(t)) = Tokenizer::new(s.as_bytes()).next() else {
            panic!()
        };
        let got: Vec<(&str, &str)> = Attributes::new(s.as_bytes(), &t)
            .map(|(n, v)| (&s[n], &s[v]))
            .collect();
        assert_eq!(
            got,
            [
                ("http-equiv", "Content-Type"),
                ("content", "text/html; charset=x"),
                ("a", ""),
                ("b", "c")
            ]
        );
        assert_eq!(t.n_attrs, 4);
        assert!(t.self_closing);
    }
}
