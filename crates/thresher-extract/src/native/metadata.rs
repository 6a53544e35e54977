//! Page metadata from `<meta>`, Open Graph, JSON-LD and the page itself.
//!
//! One linear pass of [`crate::scan`]'s tokenizer collects candidates for every field, each
//! with a rank (lower is better) that says how much its source is trusted; the best candidate
//! of each field wins, ties go to the first one in document order. Sources, roughly in the
//! order they are trusted:
//!
//! - `<meta>` with `name`, `property` or `itemprop`: Open Graph (`og:*`, `article:*`),
//!   Twitter cards, Dublin Core (`dc.*`, `dcterms.*`), Highwire (`citation_*`), Parse.ly,
//!   Sailthru and the plain `author`, `description`, `keywords`, `date`, `pubdate`, ...;
//! - JSON-LD (`<script type="application/ld+json">`): `Article`-like and `WebPage`-like
//!   objects, also inside `@graph` and arrays; `@id` references to `Person` and
//!   `Organization` objects are resolved;
//! - the page: `<link rel=canonical>`, `<html lang>`, `<title>` (with the site's name cut
//!   off), the first `<h1>`, `<time datetime>`, `itemprop` elements, `rel=author|tag|category`
//!   links, elements whose class or id says they hold a date or an author, and dates written
//!   out in the text near the title (`31. Mai 2012`, `May 31, 2012`, `31.05.2012`);
//! - the URL (`/2019/05/31/`, `2019-05-31`, `/20190531/`), for the date.
//!
//! Everything is bounded: the scan looks at the first [`MAX_SCAN`] bytes, at most
//! [`MAX_META`] `<meta>` tags and [`MAX_ATTRS`] attributes per tag, JSON-LD scripts up to
//! [`MAX_JSON`] bytes (serde_json limits nesting to 128), and keeps strings up to
//! [`MAX_CHARS`] characters. Nothing recurses.

use crate::plain::char_ref;
use crate::scan::{tag_hash, tags::*, Attributes, StartTag, Token, Tokenizer};
use serde_json::Value;

/// What a page says about itself. Fields are `None`/empty when the page does not state them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMetadata {
    /// Title of the article (not the site's name).
    pub title: Option<String>,
    /// Author(s); several are joined with `"; "`.
    pub author: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Site name.
    pub sitename: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Tags / keywords.
    pub tags: Vec<String>,
    /// Categories / sections.
    pub categories: Vec<String>,
    /// Declared language (`<html lang>`, `og:locale`, ...), lowercased.
    pub language_hint: Option<String>,
    /// Last modification date, `YYYY-MM-DD`, when the page states one.
    pub modified: Option<String>,
    /// Preview image URL (`og:image`, `twitter:image`, JSON-LD `image`).
    pub image: Option<String>,
    /// Page type as declared by `og:type` (`article`, `website`, ...), lowercased.
    pub page_type: Option<String>,
    /// Where [`date`](Self::date) came from: `meta`, `json-ld`, `itemprop`, `url`, `time`,
    /// `date-element`, `text` or `modified` (only a modification date was found).
    pub date_source: Option<&'static str>,
}

/// Bytes of the page that are scanned.
pub const MAX_SCAN: usize = 16 << 20;
/// `<meta>` tags looked at.
pub const MAX_META: usize = 2000;
/// Attributes looked at per tag.
pub const MAX_ATTRS: usize = 48;
/// Largest JSON-LD script parsed, in bytes.
pub const MAX_JSON: usize = 1 << 20;
/// Longest string kept, in characters.
pub const MAX_CHARS: usize = 1000;
/// Most tags or categories kept.
const MAX_LIST: usize = 100;
/// JSON-LD scripts parsed per page.
const MAX_JSON_SCRIPTS: usize = 32;
/// JSON values visited per page.
const MAX_JSON_NODES: usize = 50_000;
/// Elements opened for text capture (author/date context, links, ...) per page.
const MAX_CAPTURES: usize = 400;
/// Captures open at once.
const MAX_OPEN_CAPTURES: usize = 8;
/// Input bytes after which a capture ends even without its end tag.
const CAPTURE_SPAN: usize = 8192;
/// Characters of a captured text.
const CAPTURE_CHARS: usize = 300;
/// Characters of body text searched for a written-out date.
const WINDOW_CHARS: usize = 1500;

const SPAN: u64 = tag_hash(b"span");
const ABBR: u64 = tag_hash(b"abbr");
const TIME: u64 = tag_hash(b"time");
const LABEL: u64 = tag_hash(b"label");
const SUB: u64 = tag_hash(b"sub");
const SUP: u64 = tag_hash(b"sup");
const MARK: u64 = tag_hash(b"mark");
const CITE: u64 = tag_hash(b"cite");
const Q: u64 = tag_hash(b"q");
const INS: u64 = tag_hash(b"ins");
const DEL: u64 = tag_hash(b"del");

/// Reads the metadata of `html` (decoded page); `url` is where it came from, if known.
pub fn page_metadata(html: &str, url: Option<&str>) -> PageMetadata {
    let html = &html[..floor_char_boundary(html, MAX_SCAN)];
    let mut s = Scan::new(html);
    s.run();
    s.finish(url)
}

fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Candidates

/// The best value seen for one field: lowest rank, first in document order among equals.
#[derive(Default)]
struct Best<T> {
    v: Option<(u8, T)>,
}

impl<T> Best<T> {
    fn offer(&mut self, rank: u8, value: T) {
        if self.v.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.v = Some((rank, value));
        }
    }
    fn rank(&self) -> u8 {
        self.v.as_ref().map_or(u8::MAX, |(r, _)| *r)
    }
    fn take(self) -> Option<T> {
        self.v.map(|(_, v)| v)
    }
}

impl Best<String> {
    /// Offers a cleaned string; empty strings are ignored.
    fn offer_str(&mut self, rank: u8, value: String) {
        if !value.is_empty() {
            self.offer(rank, value);
        }
    }
}

/// A date: year, month, day.
type Ymd = (u16, u8, u8);

/// Date ranks (lower is better).
mod dr {
    pub const META: u8 = 10;
    pub const JSON_ARTICLE: u8 = 11;
    pub const ITEMPROP: u8 = 12;
    pub const META_WEAK: u8 = 14;
    pub const JSON_PAGE: u8 = 15;
    pub const URL: u8 = 20;
    pub const TIME_PUB: u8 = 21;
    pub const JSON_OTHER: u8 = 22;
    pub const DATE_ELEMENT: u8 = 24;
    pub const TIME: u8 = 25;
    pub const TEXT: u8 = 30;
}

/// What a captured element's text is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Purpose {
    H1,
    /// Class or id says "date".
    DateContext,
    /// `<time>` without `datetime`, or `itemprop=datePublished` without a value.
    DateItem,
    /// Class or id says "author" / "byline".
    AuthorContext,
    /// `rel=author` link or `itemprop=author`.
    AuthorItem,
    Tag,
    Category,
    Headline,
}

struct Capture {
    purpose: Purpose,
    tag: u64,
    depth: u32,
    start: usize,
    text: TextBuf,
}

struct Scan<'a> {
    html: &'a str,
    title: Best<String>,
    title_tag: Option<String>,
    h1: Option<String>,
    h1_count: usize,
    author: Best<String>,
    date: Best<(Ymd, &'static str)>,
    modified: Best<Ymd>,
    sitename: Best<String>,
    description: Best<String>,
    canonical: Best<String>,
    image: Best<String>,
    page_type: Option<String>,
    lang: Best<String>,
    tags: Vec<String>,
    categories: Vec<String>,
    /// Tags and categories from body links (`rel=tag`), used when no metadata gives any.
    link_tags: Vec<String>,
    link_categories: Vec<String>,
    /// Several `citation_author` metas.
    citation_authors: Vec<String>,
    /// JSON-LD `@id` → name of persons and organisations.
    ld_names: Vec<(String, String)>,
    /// Unresolved JSON-LD references: (rank, `@id`, is author).
    ld_refs: Vec<(u8, String, bool)>,
    json_scripts: usize,
    json_nodes: usize,
    metas: usize,
    captures: Vec<Capture>,
    captures_opened: usize,
    in_body: bool,
    svg_depth: u32,
    /// Body text searched for a written-out date: starts at the first `<h1>`.
    window: TextBuf,
    window_open: bool,
    /// Text just before the first `<h1>` (dates are often written above the title).
    before_h1: TextBuf,
    /// The first body text, for pages without `<h1>`.
    head_text: TextBuf,
    /// The last few text tokens (before the first `<h1>`).
    recent: Vec<std::ops::Range<usize>>,
    body_start: Option<usize>,
    h1_end: Option<usize>,
    /// End of the last text token.
    last_pos: usize,
    english: bool,
}

impl<'a> Scan<'a> {
    fn new(html: &'a str) -> Self {
        Scan {
            html,
            title: Best::default(),
            title_tag: None,
            h1: None,
            h1_count: 0,
            author: Best::default(),
            date: Best::default(),
            modified: Best::default(),
            sitename: Best::default(),
            description: Best::default(),
            canonical: Best::default(),
            image: Best::default(),
            page_type: None,
            lang: Best::default(),
            tags: Vec::new(),
            categories: Vec::new(),
            link_tags: Vec::new(),
            link_categories: Vec::new(),
            citation_authors: Vec::new(),
            ld_names: Vec::new(),
            ld_refs: Vec::new(),
            json_scripts: 0,
            json_nodes: 0,
            metas: 0,
            captures: Vec::new(),
            captures_opened: 0,
            in_body: false,
            svg_depth: 0,
            window: TextBuf::default(),
            window_open: false,
            before_h1: TextBuf::default(),
            head_text: TextBuf::default(),
            recent: Vec::new(),
            body_start: None,
            h1_end: None,
            last_pos: 0,
            english: false,
        }
    }

    fn run(&mut self) {
        let html = self.html;
        let b = html.as_bytes();
        let mut pending_script: Option<bool> = None;
        for tok in Tokenizer::new(b) {
            match tok {
                Token::Start(t) => {
                    if t.name == BODY && self.body_start.is_none() && self.head_is_enough() {
                        self.fast_body(t.attrs.end);
                        break;
                    }
                    if self.body_done(t.attrs.start) {
                        // Only JSON-LD can still add something: find it without tokenizing.
                        let start = html[..t.attrs.start].rfind('<').unwrap_or(t.attrs.start);
                        self.json_ld_rest(start);
                        break;
                    }
                    self.captures_on_tag(&t);
                    pending_script = None;
                    self.start_tag(&t, toks_pos(&t), &mut pending_script);
                }
                Token::End(h) => {
                    self.end_tag(h);
                }
                Token::Text(r) => {
                    self.text(r);
                }
                Token::RawText { element, range } => {
                    let raw = &html[range];
                    if element == SCRIPT {
                        if pending_script == Some(true) {
                            self.json_ld(raw);
                        }
                    } else if element == TITLE && self.svg_depth == 0 && self.title_tag.is_none() {
                        let t = clean(raw, true, MAX_CHARS);
                        if !t.is_empty() {
                            self.title_tag = Some(t);
                        }
                    }
                    pending_script = None;
                }
                Token::Other => {}
            }
        }
        // Captures the page never closed.
        while let Some(c) = self.captures.pop() {
            self.finish_capture(c);
        }
    }

    /// Whether the page's body has given what a tokenizer pass can find: the title, a date
    /// from the page's markup, the text after the title, and an author or enough bytes
    /// looked at for one.
    fn body_done(&self, pos: usize) -> bool {
        if !self.in_body || !self.captures.is_empty() || self.date.rank() > dr::TIME {
            return false;
        }
        match self.h1_end {
            Some(end) => self.author.rank() < u8::MAX || pos > end + 32_768,
            None => pos > self.body_start.unwrap_or(usize::MAX).saturating_add(65_536),
        }
    }

    /// Whether `<head>` gave a date, a title and an author from metadata, so that the body
    /// is only searched for its `<h1>` and JSON-LD.
    fn head_is_enough(&self) -> bool {
        self.date.rank() <= dr::JSON_PAGE && self.title.rank() <= 3 && self.author.rank() <= 4
    }

    /// The body of a page whose head said enough: the first `<h1>` and the JSON-LD scripts,
    /// found by searching rather than tokenizing.
    fn fast_body(&mut self, from: usize) {
        let html = self.html;
        let b = html.as_bytes();
        // The `<h1>` only helps to cut a title that has separators.
        let need_h1 = self
            .title
            .v
            .as_ref()
            .is_none_or(|(_, t)| title_parts(t).len() > 1);
        let scan_to = if need_h1 {
            b.len().saturating_sub(3)
        } else {
            from
        };
        for lt in from..scan_to {
            if b[lt + 2] == b'1'
                && b[lt] == b'<'
                && b[lt + 1] | 0x20 == b'h'
                && (b[lt + 3] == b'>' || b[lt + 3] == b'/' || b[lt + 3].is_ascii_whitespace())
            {
                let Some(gt) = html[lt..].find('>').map(|k| lt + k + 1) else {
                    break;
                };
                let end = (gt + CAPTURE_SPAN).min(html.len());
                let end = floor_char_boundary(html, end);
                let inner = &html[gt..end];
                let mut text = TextBuf::default();
                for tok in Tokenizer::new(inner.as_bytes()) {
                    match tok {
                        Token::Text(r) => text.push_html(&inner[r], CAPTURE_CHARS),
                        Token::End(H1) => break,
                        Token::Start(t) if !is_inline(t.name) => text.space = true,
                        Token::End(h) if !is_inline(h) => text.space = true,
                        _ => {}
                    }
                }
                self.h1_count = 1;
                if !text.s.is_empty() {
                    self.h1 = Some(text.s);
                }
                break;
            }
        }
        self.json_ld_rest(from);
    }

    /// Parses the JSON-LD scripts at or after `from`, found by searching for their type.
    fn json_ld_rest(&mut self, from: usize) {
        let html = self.html;
        let b = html.as_bytes();
        let mut i = from;
        while let Some(p) = html.get(i..).and_then(|r| r.find('+')) {
            let plus = i + p;
            i = plus + 1;
            if plus < 2
                || !b
                    .get(plus - 2..plus + 5)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"ld+json"))
            {
                continue;
            }
            let at = plus - 2;
            i = at + 7;
            // It must be inside a `<script ...>` tag.
            let lo = at.saturating_sub(300);
            let Some(lt) = b[lo..at].iter().rposition(|&c| c == b'<').map(|k| lo + k) else {
                continue;
            };
            if !b
                .get(lt + 1..lt + 7)
                .is_some_and(|n| n.eq_ignore_ascii_case(b"script"))
                || b[lt..at].contains(&b'>')
            {
                continue;
            }
            let Some(gt) = html[at..].find('>').map(|k| at + k) else {
                return;
            };
            let mut end = gt + 1;
            loop {
                match html[end..].find("</").map(|k| end + k) {
                    Some(e) => {
                        if b.get(e + 2..e + 8)
                            .is_some_and(|n| n.eq_ignore_ascii_case(b"script"))
                        {
                            end = e;
                            break;
                        }
                        end = e + 2;
                    }
                    None => {
                        end = html.len();
                        break;
                    }
                }
            }
            self.json_ld(&html[gt + 1..end]);
            i = end;
        }
    }

    // -- tags -----------------------------------------------------------------------------

    fn start_tag(&mut self, t: &StartTag, pos: usize, pending_script: &mut Option<bool>) {
        let html = self.html;
        let b = html.as_bytes();
        match t.name {
            META => self.meta(t),
            LINK => self.link(t),
            HTML => {
                for (n, v) in attrs(b, t) {
                    if eq_ci(&b[n.clone()], b"lang") || eq_ci(&b[n], b"xml:lang") {
                        let v = clean(&html[v], false, 40).to_ascii_lowercase();
                        self.offer_lang(1, v);
                    }
                }
            }
            BODY => {
                self.in_body = true;
                self.body_start.get_or_insert(pos);
                self.body_element(t, pos);
            }
            SCRIPT => {
                let is_ld = attrs(b, t).any(|(n, v)| {
                    eq_ci(&b[n], b"type")
                        && trim_ascii(&b[v]).eq_ignore_ascii_case(b"application/ld+json")
                });
                *pending_script = Some(is_ld);
            }
            SVG => {
                if !t.self_closing {
                    self.svg_depth = self.svg_depth.saturating_add(1);
                }
            }
            H1 => {
                self.in_body = true;
                self.body_start.get_or_insert(pos);
                self.h1_count += 1;
                if self.h1_count == 1 {
                    self.open_capture(Purpose::H1, t.name, pos);
                    // The text just before the title.
                    for r in std::mem::take(&mut self.recent) {
                        self.before_h1.space = true;
                        self.before_h1.push_html(&html[r], 600);
                    }
                }
                self.body_element(t, pos);
            }
            _ => {
                if t.name == HEAD || t.name == TITLE || t.name == STYLE || t.name == BASE {
                    return;
                }
                self.body_element(t, pos);
            }
        }
    }

    fn end_tag(&mut self, h: u64) {
        if h == SVG {
            self.svg_depth = self.svg_depth.saturating_sub(1);
        }
        if h == HEAD {
            self.in_body = true;
        }
        self.captures_on_tag_end(h);
        if h == H1 && self.h1_count == 1 && !self.window_open {
            self.window_open = true;
            self.h1_end = Some(self.last_pos);
        }
    }

    /// Updates open captures for a start tag: nesting depth and word breaks.
    fn captures_on_tag(&mut self, t: &StartTag) {
        if self.captures.is_empty() {
            return;
        }
        let inline = is_inline(t.name);
        let void = crate::scan::is_void(t.name) || t.self_closing;
        for c in &mut self.captures {
            if !inline {
                c.text.space = true;
            }
            if c.tag == t.name && !void {
                c.depth += 1;
            }
        }
    }

    fn captures_on_tag_end(&mut self, h: u64) {
        if self.captures.is_empty() {
            return;
        }
        let inline = is_inline(h);
        let mut i = 0;
        while i < self.captures.len() {
            let c = &mut self.captures[i];
            if !inline {
                c.text.space = true;
            }
            if c.tag == h {
                c.depth -= 1;
                if c.depth == 0 {
                    let c = self.captures.remove(i);
                    self.finish_capture(c);
                    continue;
                }
            }
            i += 1;
        }
    }

    fn open_capture(&mut self, purpose: Purpose, tag: u64, pos: usize) {
        if self.captures.len() >= MAX_OPEN_CAPTURES || self.captures_opened >= MAX_CAPTURES {
            return;
        }
        if crate::scan::is_void(tag) {
            return;
        }
        self.captures_opened += 1;
        self.captures.push(Capture {
            purpose,
            tag,
            // The start tag itself is counted by `captures_on_tag` before this call only for
            // captures already open, so a new capture starts at depth 1.
            depth: 1,
            start: pos,
            text: TextBuf::default(),
        });
    }

    /// Looks at the attributes of an element in the page (not `<meta>`/`<link>`).
    fn body_element(&mut self, t: &StartTag, pos: usize) {
        if t.n_attrs == 0 && t.name != TIME {
            return;
        }
        // Nothing an element can say is needed any more.
        if self.date.rank() <= dr::ITEMPROP
            && self.author.rank() <= 6
            && self.title.rank() <= 6
            && !self.tags.is_empty()
            && !self.categories.is_empty()
        {
            return;
        }
        let html = self.html;
        let b = html.as_bytes();
        let mut class_id_date = false;
        let mut class_id_author = false;
        let mut class_updated = false;
        let mut class_published = false;
        let mut itemprop: Option<std::ops::Range<usize>> = None;
        let mut rel: Option<std::ops::Range<usize>> = None;
        let mut datetime: Option<std::ops::Range<usize>> = None;
        let mut content: Option<std::ops::Range<usize>> = None;
        let mut title_attr: Option<std::ops::Range<usize>> = None;
        let mut pubdate = false;
        // Class and id words matter only while no better source has been found.
        let want_date_ctx = self.in_body && self.date.rank() > dr::DATE_ELEMENT;
        let want_author_ctx = self.in_body && self.author.rank() > 8 && t.name != A;
        let want_pub = t.name == TIME || t.name == ABBR;
        for (n, v) in attrs(b, t) {
            let name = &b[n];
            let val = &b[v.clone()];
            if eq_ci(name, b"class") || eq_ci(name, b"id") {
                if val.len() > 300 || !(want_date_ctx || want_author_ctx || want_pub) {
                    continue;
                }
                let mut buf = [0u8; 300];
                let low = &mut buf[..val.len()];
                low.copy_from_slice(val);
                low.make_ascii_lowercase();
                let low: &[u8] = low;
                if want_date_ctx && has_date_word(low) {
                    class_id_date = true;
                }
                if want_author_ctx && (contains(low, b"author") || contains(low, b"byline")) {
                    class_id_author = true;
                }
                if want_date_ctx || want_pub {
                    let upd = contains(low, b"updated") || contains(low, b"modified");
                    class_updated |= upd;
                    if contains(low, b"publish")
                        || (!upd && (contains(low, b"entry-date") || contains(low, b"post-date")))
                    {
                        class_published = true;
                    }
                }
            } else if eq_ci(name, b"itemprop") {
                itemprop = Some(v);
            } else if eq_ci(name, b"rel") {
                rel = Some(v);
            } else if eq_ci(name, b"datetime") {
                datetime = Some(v);
            } else if eq_ci(name, b"content") {
                content = Some(v);
            } else if eq_ci(name, b"title") {
                title_attr = Some(v);
            } else if eq_ci(name, b"pubdate") {
                pubdate = true;
            }
        }
        let ip = itemprop.as_ref().map(|r| &b[r.clone()]).unwrap_or(b"");
        let ip_date_pub = !ip.is_empty() && has_word_ci(ip, b"datePublished");
        let ip_date_created = !ip.is_empty() && has_word_ci(ip, b"dateCreated");
        let ip_date_mod = !ip.is_empty() && has_word_ci(ip, b"dateModified");
        // Dates in attributes.
        let attr_date = datetime
            .as_ref()
            .or(content.as_ref())
            .and_then(|r| parse_date_value(&clean(&html[r.clone()], true, 100), self.english));
        if ip_date_pub || ip_date_created {
            match attr_date {
                Some(d) => self
                    .date
                    .offer(dr::ITEMPROP + ip_date_created as u8, (d, "itemprop")),
                None => self.open_capture(Purpose::DateItem, t.name, pos),
            }
        } else if ip_date_mod {
            if let Some(d) = attr_date {
                self.modified.offer(2, d);
            }
        } else if t.name == TIME {
            match attr_date {
                Some(d) => {
                    if class_updated && !class_published {
                        self.modified.offer(5, d);
                    } else if pubdate || class_published {
                        self.date.offer(dr::TIME_PUB, (d, "time"));
                    } else {
                        self.date.offer(dr::TIME, (d, "time"));
                    }
                }
                None => {
                    if !class_updated || class_published {
                        self.open_capture(Purpose::DateItem, t.name, pos);
                    }
                }
            }
        } else if t.name == ABBR && (class_published || class_id_date) && !class_updated {
            // hAtom: <abbr class="published" title="2012-05-31T10:00:00">.
            if let Some(d) = title_attr
                .as_ref()
                .and_then(|r| parse_date_value(&clean(&html[r.clone()], true, 100), self.english))
            {
                self.date.offer(dr::TIME_PUB, (d, "time"));
            }
        } else if class_id_date && !class_updated {
            self.open_capture(Purpose::DateContext, t.name, pos);
        }
        // Authors.
        if !ip.is_empty() && has_word_ci(ip, b"author") {
            match content.as_ref() {
                Some(r) => {
                    let a = clean_author(&clean(&html[r.clone()], true, MAX_CHARS));
                    self.author.offer_str(6, a);
                }
                None => self.open_capture(Purpose::AuthorItem, t.name, pos),
            }
        } else if !ip.is_empty() && has_word_ci(ip, b"headline") {
            match content.as_ref() {
                Some(r) => self
                    .title
                    .offer_str(6, clean(&html[r.clone()], true, MAX_CHARS)),
                None => self.open_capture(Purpose::Headline, t.name, pos),
            }
        } else if !ip.is_empty() && has_word_ci(ip, b"articleSection") {
            if let Some(r) = content.as_ref() {
                push_list(&mut self.categories, clean(&html[r.clone()], true, 200));
            }
        }
        if let Some(r) = rel.as_ref() {
            let rv = &b[r.clone()];
            if t.name == A {
                if has_word_ci(rv, b"author") {
                    self.open_capture(Purpose::AuthorItem, t.name, pos);
                } else if has_word_ci(rv, b"category") {
                    self.open_capture(Purpose::Category, t.name, pos);
                } else if has_word_ci(rv, b"tag") {
                    self.open_capture(Purpose::Tag, t.name, pos);
                }
            }
        }
        if class_id_author && itemprop.is_none() && rel.is_none() {
            self.open_capture(Purpose::AuthorContext, t.name, pos);
        }
    }

    fn link(&mut self, t: &StartTag) {
        let html = self.html;
        let b = html.as_bytes();
        let mut rel = None;
        let mut href = None;
        for (n, v) in attrs(b, t) {
            if eq_ci(&b[n.clone()], b"rel") {
                rel = Some(v);
            } else if eq_ci(&b[n], b"href") {
                href = Some(v);
            }
        }
        if let (Some(rel), Some(href)) = (rel, href) {
            if has_word_ci(&b[rel], b"canonical") {
                self.canonical
                    .offer_str(1, clean(&html[href], false, MAX_CHARS));
            }
        }
    }

    fn meta(&mut self, t: &StartTag) {
        self.metas += 1;
        if self.metas > MAX_META {
            return;
        }
        let html = self.html;
        let b = html.as_bytes();
        let mut keys: [Option<std::ops::Range<usize>>; 3] = [None, None, None];
        let mut content = None;
        let mut value = None;
        for (n, v) in attrs(b, t) {
            let name = &b[n];
            if eq_ci(name, b"property") {
                keys[0] = Some(v);
            } else if eq_ci(name, b"name") {
                keys[1] = Some(v);
            } else if eq_ci(name, b"itemprop") || eq_ci(name, b"http-equiv") {
                keys[2] = Some(v);
            } else if eq_ci(name, b"content") {
                content = Some(v);
            } else if eq_ci(name, b"value") || eq_ci(name, b"datetime") {
                value = Some(v);
            }
        }
        let Some(content) = content.or(value) else {
            return;
        };
        let raw = &html[content];
        if raw.trim().is_empty() {
            return;
        }
        for key in keys.into_iter().flatten() {
            let kb = trim_ascii(&b[key]);
            if kb.is_empty() || kb.len() > 64 {
                continue;
            }
            let mut buf = [0u8; 64];
            let k = &mut buf[..kb.len()];
            k.copy_from_slice(kb);
            k.make_ascii_lowercase();
            // `itemprop` may list several properties.
            let k: &[u8] = k;
            if k.contains(&b' ') {
                for part in k.split(|&c| c == b' ').filter(|p| !p.is_empty()) {
                    self.meta_key(part, raw);
                }
            } else {
                self.meta_key(k, raw);
            }
        }
    }

    fn meta_key(&mut self, k: &[u8], raw: &str) {
        let text = || clean(raw, true, MAX_CHARS);
        let date = |s: &Self| parse_date_value(&clean(raw, true, 100), s.english);
        match k {
            // Titles.
            b"og:title" => self.title.offer_str(1, text()),
            b"citation_title" | b"parsely-title" | b"headline" => self.title.offer_str(2, text()),
            b"twitter:title" | b"sailthru.title" => self.title.offer_str(3, text()),
            b"dc.title" | b"dcterms.title" => self.title.offer_str(4, text()),
            b"title" => self.title.offer_str(5, text()),
            // Authors.
            b"citation_author" => {
                let a = clean_author(&text());
                if !a.is_empty() && self.citation_authors.len() < 20 {
                    self.citation_authors.push(a);
                }
            }
            b"author" | b"parsely-author" | b"sailthru.author" | b"article:author_name" => {
                let a = clean_author(&text());
                if !is_url_like(&a) {
                    self.author.offer_str(2, a);
                }
            }
            b"article:author" | b"og:article:author" | b"dc.creator" | b"dcterms.creator"
            | b"byl" | b"dc.creator.aut" => {
                let a = clean_author(&text());
                if !is_url_like(&a) {
                    self.author.offer_str(3, a);
                }
            }
            // Dates.
            b"article:published_time"
            | b"og:article:published_time"
            | b"article:published"
            | b"og:published_time"
            | b"datepublished"
            | b"citation_publication_date"
            | b"citation_date"
            | b"dc.date.issued"
            | b"dcterms.issued"
            | b"parsely-pub-date"
            | b"sailthru.date"
            | b"publish-date"
            | b"publish_date"
            | b"publishdate"
            | b"published_time"
            | b"published-date"
            | b"publication_date"
            | b"publication-date"
            | b"pubdate"
            | b"pub_date"
            | b"article.published"
            | b"article_date_original"
            | b"original-publish-date"
            | b"originalpublicationdate"
            | b"cxenseparse:recs:publishtime"
            | b"rnews:datepublished"
            | b"shareaholic:article_published_time"
            | b"bt:pubdate"
            | b"prism.publicationdate"
            | b"citation_online_date"
            | b"date_published"
            | b"release_date"
            | b"displaydate" => {
                if let Some(d) = date(self) {
                    self.date.offer(dr::META, (d, "meta"));
                }
            }
            b"date" | b"dc.date" | b"dcterms.date" | b"dc.date.created" | b"dcterms.created"
            | b"datecreated" | b"article.created" | b"created" | b"creation_date"
            | b"dc.date.available" | b"dcterms.available" => {
                if let Some(d) = date(self) {
                    self.date.offer(dr::META_WEAK, (d, "meta"));
                }
            }
            b"article:modified_time"
            | b"og:updated_time"
            | b"article:modified"
            | b"datemodified"
            | b"last-modified"
            | b"lastmod"
            | b"dcterms.modified"
            | b"dc.date.modified"
            | b"revised"
            | b"parsely-updated"
            | b"modified"
            | b"updated_time" => {
                if let Some(d) = date(self) {
                    self.modified.offer(1, d);
                }
            }
            // Site.
            b"og:site_name" => self.sitename.offer_str(1, text()),
            b"application-name" | b"apple-mobile-web-app-title" => {
                self.sitename.offer_str(4, text())
            }
            b"citation_journal_title"
            | b"dc.publisher"
            | b"dcterms.publisher"
            | b"publisher"
            | b"citation_publisher" => self.sitename.offer_str(3, text()),
            b"twitter:site" => {
                let t = text();
                self.sitename
                    .offer_str(6, t.trim_start_matches('@').to_string())
            }
            // Description.
            b"og:description" => self.description.offer_str(1, text()),
            b"description" => self.description.offer_str(2, text()),
            b"twitter:description" => self.description.offer_str(3, text()),
            b"dc.description"
            | b"dcterms.description"
            | b"dcterms.abstract"
            | b"citation_abstract" => self.description.offer_str(4, text()),
            // Canonical, image, type.
            b"og:url" => self.canonical.offer_str(2, clean(raw, false, MAX_CHARS)),
            b"twitter:url" => self.canonical.offer_str(3, clean(raw, false, MAX_CHARS)),
            b"og:image" | b"og:image:url" | b"og:image:secure_url" => {
                self.image.offer_str(1, clean(raw, false, MAX_CHARS))
            }
            b"twitter:image" | b"twitter:image:src" | b"thumbnailurl" => {
                self.image.offer_str(2, clean(raw, false, MAX_CHARS))
            }
            b"og:type" if self.page_type.is_none() => {
                let t = clean(raw, false, 100).to_ascii_lowercase();
                if !t.is_empty() {
                    self.page_type = Some(t);
                }
            }
            // Tags and categories.
            b"article:tag" | b"og:article:tag" | b"parsely-tags" | b"sailthru.tags"
            | b"keywords" | b"news_keywords" | b"citation_keywords" | b"dc.subject"
            | b"dcterms.subject" => {
                for part in text().split([',', ';']) {
                    push_list(&mut self.tags, part.trim().to_string());
                }
            }
            b"article:section"
            | b"og:article:section"
            | b"parsely-section"
            | b"articlesection"
            | b"section"
            | b"category" => {
                push_list(&mut self.categories, text());
            }
            // Language.
            b"og:locale" => self.offer_lang(3, clean(raw, false, 40).to_ascii_lowercase()),
            b"content-language" | b"language" | b"dc.language" | b"dcterms.language"
            | b"inlanguage" | b"citation_language" => {
                self.offer_lang(2, clean(raw, false, 40).to_ascii_lowercase())
            }
            _ => {}
        }
    }

    fn offer_lang(&mut self, rank: u8, v: String) {
        let v = v.replace('_', "-");
        let v = v.split([',', ' ', ';']).next().unwrap_or("").to_string();
        let ok = !v.is_empty()
            && v.len() <= 35
            && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && v.as_bytes()[0].is_ascii_alphabetic();
        if ok {
            if self.lang.rank() > rank {
                self.english = v.starts_with("en") && !v.starts_with("en-gb");
            }
            self.lang.offer(rank, v);
        }
    }

    // -- text -----------------------------------------------------------------------------

    fn text(&mut self, r: std::ops::Range<usize>) {
        self.last_pos = r.end;
        if self.svg_depth > 0 {
            return;
        }
        let raw = &self.html[r.clone()];
        if !self.captures.is_empty() {
            for c in &mut self.captures {
                if self_span_ok(c, raw, self.html) {
                    c.text.push_html(raw, CAPTURE_CHARS);
                }
            }
            // A capture whose element never ends stops after a while.
            let end = offset_in(self.html, raw) + raw.len();
            let mut i = 0;
            while i < self.captures.len() {
                if end.saturating_sub(self.captures[i].start) > CAPTURE_SPAN {
                    let c = self.captures.remove(i);
                    self.finish_capture(c);
                } else {
                    i += 1;
                }
            }
        }
        if !self.in_body {
            return;
        }
        if self.date.rank() <= dr::TIME {
            // Text is searched for a date only when the markup gave none.
        } else if self.window_open {
            if self.window.chars < WINDOW_CHARS {
                self.window.space = true;
                self.window.push_html(raw, WINDOW_CHARS);
            }
        } else if self.h1_count == 0 {
            // Keep the last few hundred characters before the title, and the first ones.
            if self.head_text.chars < WINDOW_CHARS {
                self.head_text.space = true;
                self.head_text.push_html(raw, WINDOW_CHARS);
            }
            if !raw.trim_ascii().is_empty() {
                if self.recent.len() >= 6 {
                    self.recent.remove(0);
                }
                self.recent.push(r);
            }
        }
    }

    fn finish_capture(&mut self, c: Capture) {
        let text = c.text.s.trim();
        if text.is_empty() {
            return;
        }
        match c.purpose {
            Purpose::H1 => {
                if self.h1.is_none() {
                    self.h1 = Some(text.to_string());
                }
            }
            Purpose::DateContext => {
                if let Some(d) = find_date(text, self.english) {
                    self.date.offer(dr::DATE_ELEMENT, (d, "date-element"));
                }
            }
            Purpose::DateItem => {
                if let Some(d) = parse_date_value(text, self.english) {
                    self.date.offer(dr::TIME, (d, "time"));
                }
            }
            Purpose::AuthorItem => {
                let a = clean_author(text);
                if plausible_name(&a) {
                    self.author.offer_str(7, a);
                }
            }
            Purpose::AuthorContext => {
                let a = clean_author(text);
                if plausible_name(&a) {
                    self.author.offer_str(9, a);
                }
            }
            Purpose::Tag => push_list(&mut self.link_tags, text.to_string()),
            Purpose::Category => push_list(&mut self.link_categories, text.to_string()),
            Purpose::Headline => self.title.offer_str(6, text.to_string()),
        }
    }

    // -- JSON-LD --------------------------------------------------------------------------

    fn json_ld(&mut self, raw: &str) {
        if raw.len() > MAX_JSON || self.json_scripts >= MAX_JSON_SCRIPTS {
            return;
        }
        self.json_scripts += 1;
        let mut s = raw.trim();
        for prefix in ["<!--", "//<![CDATA[", "/*<![CDATA[*/", "<![CDATA["] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start();
            }
        }
        for suffix in ["-->", "//]]>", "/*]]>*/", "]]>"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim_end();
            }
        }
        let s = s.trim_end_matches(';');
        let value: Value = match serde_json::from_str(s) {
            Ok(v) => v,
            Err(_) => {
                // Raw line breaks and tabs inside strings are the most common mistake.
                let fixed: String = s
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                match serde_json::from_str(&fixed) {
                    Ok(v) => v,
                    Err(_) => return,
                }
            }
        };
        self.walk_json(&value);
    }

    fn walk_json(&mut self, root: &Value) {
        let mut stack: Vec<&Value> = vec![root];
        while let Some(v) = stack.pop() {
            self.json_nodes += 1;
            if self.json_nodes > MAX_JSON_NODES {
                return;
            }
            match v {
                Value::Array(a) => stack.extend(a.iter().rev()),
                Value::Object(o) => {
                    self.json_object(o);
                    // Children, in document order. Comments and reviews carry their own
                    // dates and authors.
                    let mut kids: Vec<&Value> = o
                        .iter()
                        .filter(|(k, v)| {
                            (v.is_object() || v.is_array())
                                && !matches!(
                                    k.as_str(),
                                    "comment" | "review" | "reviews" | "itemListElement"
                                )
                        })
                        .map(|(_, v)| v)
                        .collect();
                    kids.reverse();
                    stack.extend(kids);
                }
                _ => {}
            }
        }
    }

    fn json_object(&mut self, o: &serde_json::Map<String, Value>) {
        let mut kind = Kind::None;
        match o.get("@type") {
            Some(Value::String(t)) => kind = kind.max(classify(t)),
            Some(Value::Array(a)) => {
                for t in a.iter().take(10).filter_map(Value::as_str) {
                    kind = kind.max(classify(t));
                }
            }
            _ => {}
        }
        match kind {
            Kind::Named | Kind::WebSite => {
                let name = o.get("name").and_then(json_text);
                if let (Some(id), Some(name)) = (o.get("@id").and_then(Value::as_str), &name) {
                    if self.ld_names.len() < 200 {
                        self.ld_names.push((id.to_string(), name.clone()));
                    }
                }
                if kind == Kind::WebSite {
                    if let Some(n) = name {
                        self.sitename.offer_str(5, n);
                    }
                }
                return;
            }
            // Untyped objects count only when they look like an article.
            Kind::None if !(o.contains_key("headline") && o.contains_key("datePublished")) => {
                return;
            }
            _ => {}
        }
        let (date_rank, title_rank, author_rank) = match kind {
            Kind::Article => (dr::JSON_ARTICLE, 2, 1),
            Kind::Page => (dr::JSON_PAGE, 7, 4),
            _ => (dr::JSON_OTHER, 8, 5),
        };
        for key in ["datePublished", "dateCreated", "uploadDate"] {
            if let Some(d) = o
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| parse_date_value(s, self.english))
            {
                let rank = date_rank + (key != "datePublished") as u8;
                self.date.offer(rank, (d, "json-ld"));
                break;
            }
        }
        if let Some(d) = o
            .get("dateModified")
            .and_then(Value::as_str)
            .and_then(|s| parse_date_value(s, self.english))
        {
            self.modified.offer(3, d);
        }
        let headline = o.get("headline").and_then(json_text);
        match (headline, kind) {
            (Some(h), _) => self.title.offer_str(title_rank, h),
            (None, Kind::Article) => {
                if let Some(n) = o.get("name").and_then(json_text) {
                    self.title.offer_str(title_rank + 1, n);
                }
            }
            _ => {}
        }
        if let Some(a) = o.get("author").or_else(|| o.get("creator")) {
            let mut names = Vec::new();
            let items: Vec<&Value> = match a {
                Value::Array(v) => v.iter().take(20).collect(),
                v => vec![v],
            };
            for it in items {
                match it {
                    Value::String(s) => names.push(clean_author(&decode_refs(s))),
                    Value::Object(p) => {
                        if let Some(n) = p.get("name").and_then(json_text) {
                            names.push(clean_author(&n));
                        } else if let Some(id) = p.get("@id").and_then(Value::as_str) {
                            if self.ld_refs.len() < 50 {
                                self.ld_refs.push((author_rank, id.to_string(), true));
                            }
                        }
                    }
                    _ => {}
                }
            }
            names.retain(|n| !n.is_empty() && !is_url_like(n));
            if !names.is_empty() {
                self.author.offer_str(author_rank, cap(names.join("; ")));
            }
        }
        if kind == Kind::Article || kind == Kind::Page {
            match o.get("publisher") {
                Some(Value::Object(p)) => {
                    if let Some(n) = p.get("name").and_then(json_text) {
                        self.sitename.offer_str(2, n);
                    } else if let Some(id) = p.get("@id").and_then(Value::as_str) {
                        if self.ld_refs.len() < 50 {
                            self.ld_refs.push((2, id.to_string(), false));
                        }
                    }
                }
                Some(Value::String(s)) => self.sitename.offer_str(2, clean(s, true, MAX_CHARS)),
                _ => {}
            }
            if let Some(d) = o.get("description").and_then(json_text) {
                self.description.offer_str(5, d);
            }
            for (key, list_is_tags) in [("keywords", true), ("articleSection", false)] {
                let list = if list_is_tags {
                    &mut self.tags
                } else {
                    &mut self.categories
                };
                match o.get(key) {
                    Some(Value::String(s)) => {
                        if list_is_tags {
                            for part in s.split(',') {
                                push_list(list, clean(part, true, 200));
                            }
                        } else {
                            push_list(list, clean(s, true, 200));
                        }
                    }
                    Some(Value::Array(a)) => {
                        for s in a.iter().take(MAX_LIST).filter_map(Value::as_str) {
                            push_list(list, clean(s, true, 200));
                        }
                    }
                    _ => {}
                }
            }
            match o.get("inLanguage") {
                Some(Value::String(s)) => self.offer_lang(4, s.to_ascii_lowercase()),
                Some(Value::Object(l)) => {
                    if let Some(s) = l.get("alternateName").and_then(Value::as_str) {
                        self.offer_lang(4, s.to_ascii_lowercase())
                    }
                }
                _ => {}
            }
            match o.get("image") {
                Some(Value::String(s)) => self.image.offer_str(3, clean(s, false, MAX_CHARS)),
                Some(Value::Object(i)) => {
                    if let Some(s) = i.get("url").and_then(Value::as_str) {
                        self.image.offer_str(3, clean(s, false, MAX_CHARS))
                    }
                }
                _ => {}
            }
        }
    }

    // -- result ---------------------------------------------------------------------------

    fn finish(mut self, url: Option<&str>) -> PageMetadata {
        // JSON-LD references.
        for (rank, id, is_author) in std::mem::take(&mut self.ld_refs) {
            if let Some((_, name)) = self.ld_names.iter().find(|(i, _)| *i == id) {
                if is_author {
                    let a = clean_author(name);
                    self.author.offer_str(rank, a);
                } else {
                    self.sitename.offer_str(rank, name.clone());
                }
            }
        }
        if !self.citation_authors.is_empty() {
            let a = cap(self.citation_authors.join("; "));
            self.author.offer_str(1, a);
        }
        // Dates: the URL, then text near the title.
        if let Some(d) = url.and_then(url_date) {
            self.date.offer(dr::URL, (d, "url"));
        }
        if self.date.rank() > dr::TEXT {
            let text_date = if self.h1_count > 0 {
                find_date(&self.window.s, self.english)
                    .or_else(|| find_date(&self.before_h1.s, self.english))
            } else {
                find_date(&self.head_text.s, self.english)
            };
            if let Some(d) = text_date {
                self.date.offer(dr::TEXT, (d, "text"));
            }
        }
        let modified = self.modified.take();
        let (date, date_source) = match self.date.take() {
            Some((d, src)) => (Some(d), Some(src)),
            None => (modified, modified.map(|_| "modified")),
        };

        let sitename = self.sitename.take();
        let title = pick_title(
            self.title.take(),
            self.title_tag.take(),
            self.h1.take(),
            self.h1_count,
            sitename.as_deref(),
            url,
        );
        let mut tags = self.tags;
        if tags.is_empty() {
            tags = self.link_tags;
        }
        let mut categories = self.categories;
        if categories.is_empty() {
            categories = self.link_categories;
        }
        PageMetadata {
            title,
            author: self.author.take().filter(|a| !a.is_empty()),
            date: date.map(fmt_ymd),
            sitename,
            description: self.description.take(),
            canonical_url: self.canonical.take(),
            tags,
            categories,
            language_hint: self.lang.take(),
            modified: modified.map(fmt_ymd),
            image: self.image.take(),
            page_type: self.page_type,
            date_source,
        }
    }
}

/// JSON-LD object kinds, in increasing order of interest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    None,
    /// Person, Organization: only names for `@id` references.
    Named,
    WebSite,
    /// Other creative works (video, recipe, ...).
    Other,
    Page,
    Article,
}

fn classify(t: &str) -> Kind {
    let t = t.rsplit(['/', ':']).next().unwrap_or(t);
    if t.ends_with("Article") || t.ends_with("Posting") || t == "Report" || t == "Blog" {
        Kind::Article
    } else if t.ends_with("Page") {
        Kind::Page
    } else if t == "WebSite" {
        Kind::WebSite
    } else if t == "Person"
        || t.ends_with("Organization")
        || t == "Corporation"
        || t == "LocalBusiness"
        || t == "NGO"
    {
        Kind::Named
    } else if matches!(
        t,
        "Comment"
            | "Answer"
            | "Question"
            | "Review"
            | "Rating"
            | "ListItem"
            | "BreadcrumbList"
            | "ImageObject"
            | "Event"
            | "Product"
            | "Offer"
            | "SearchAction"
    ) {
        Kind::None
    } else {
        Kind::Other
    }
}

/// A JSON string (or the first string of an array), decoded and cleaned.
fn json_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a.iter().find_map(Value::as_str)?,
        _ => return None,
    };
    let t = clean(s, true, MAX_CHARS);
    (!t.is_empty()).then_some(t)
}

// ---------------------------------------------------------------------------------------------
// Title

fn pick_title(
    meta: Option<String>,
    title_tag: Option<String>,
    h1: Option<String>,
    h1_count: usize,
    sitename: Option<&str>,
    url: Option<&str>,
) -> Option<String> {
    let host = url.and_then(host_of);
    let h1 = h1.filter(|h| h.chars().count() >= 2);
    let h1n = h1.as_deref().map(norm);
    // The h1 matches the title or one of its parts: that is the article's title.
    for cand in [meta.as_deref(), title_tag.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(h) = &h1n {
            if norm(cand) == *h {
                return h1;
            }
            if let Some(part) = matching_part(cand, h) {
                return Some(part);
            }
        }
    }
    // The h1 is most of a title that has more around it ("Title - Section - Site").
    if let Some(h) = &h1n {
        for cand in [meta.as_deref(), title_tag.as_deref()]
            .into_iter()
            .flatten()
        {
            let c = norm(cand);
            if h.chars().count() >= 10 && c.contains(h.as_str()) && h.len() * 10 >= c.len() * 4 {
                return h1;
            }
        }
    }
    let base = meta.or(title_tag);
    let cleaned = base
        .as_deref()
        .map(|t| strip_site(t, sitename, host.as_deref()));
    match cleaned {
        Some(c) if !c.is_empty() => {
            // A title that only names the site says nothing about the page: the h1 does.
            if h1_count >= 1 && is_site_name(&c, sitename, host.as_deref()) {
                if let Some(h) = &h1 {
                    if !is_site_name(h, sitename, host.as_deref()) {
                        return h1;
                    }
                }
            }
            Some(c)
        }
        _ => h1.or(base),
    }
}

/// Whether `p` is the site's name: equal to `sitename` or to the URL's host name.
fn is_site_name(p: &str, sitename: Option<&str>, host: Option<&str>) -> bool {
    let pn = norm(p);
    if pn.is_empty() {
        return false;
    }
    if sitename.is_some_and(|s| norm(s) == pn) {
        return true;
    }
    let pa: String = pn.chars().filter(|c| c.is_alphanumeric()).collect();
    host.is_some_and(|h| {
        let ha: String = h.chars().filter(|c| c.is_alphanumeric()).collect();
        pa.len() >= 3
            && (pa == ha || pa.strip_suffix(&ha).is_some_and(|r| r.len() <= 3) || ha.ends_with(&pa))
    })
}

const SEPARATORS: [&str; 16] = [
    " | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " • ", " ~ ", " // ", " || ", " › ",
    " ‹ ", " : ", " > ",
];

/// Splits a title at its separators: (part, separator-before-it) pairs.
fn title_parts(t: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            if let Some(sep) = SEPARATORS.iter().find(|s| t[i..].starts_with(**s)) {
                parts.push(&t[start..i]);
                i += sep.len();
                start = i;
                if parts.len() >= 16 {
                    break;
                }
                continue;
            }
        }
        i += 1;
    }
    parts.push(&t[start..]);
    parts
}

/// The leading or trailing run of `t`'s parts that equals `h1` (normalised), as written.
fn matching_part(t: &str, h1: &str) -> Option<String> {
    let parts = title_parts(t);
    if parts.len() < 2 {
        return None;
    }
    // Leading parts: t[..end of part k]; trailing: t[start of part k..].
    let mut offsets = Vec::with_capacity(parts.len());
    for p in &parts {
        offsets.push(p.as_ptr() as usize - t.as_ptr() as usize);
    }
    for k in 0..parts.len() - 1 {
        let lead = &t[..offsets[k] + parts[k].len()];
        if norm(lead) == h1 {
            return Some(lead.trim().to_string());
        }
        let trail = &t[offsets[k + 1]..];
        if norm(trail) == h1 {
            return Some(trail.trim().to_string());
        }
    }
    None
}

/// Removes a leading or trailing part that names the site.
fn strip_site(t: &str, sitename: Option<&str>, host: Option<&str>) -> String {
    let parts = title_parts(t);
    if parts.len() < 2 {
        return t.trim().to_string();
    }
    let is_site = |p: &str| {
        let pn = norm(p);
        if pn.is_empty() {
            return false;
        }
        if let Some(s) = sitename {
            let sn = norm(s);
            if !sn.is_empty()
                && (pn == sn
                    || (sn.len() >= 4 && pn.contains(&sn))
                    || (pn.len() >= 4 && sn.contains(&pn)))
            {
                return true;
            }
        }
        if let Some(h) = host {
            let pa: String = pn.chars().filter(|c| c.is_alphanumeric()).collect();
            let ha: String = h.chars().filter(|c| c.is_alphanumeric()).collect();
            if pa.len() >= 3 && (ha.contains(&pa) || pa.contains(&ha)) {
                return true;
            }
        }
        false
    };
    let first = parts[0];
    let last = parts[parts.len() - 1];
    if is_site(last) {
        let off = last.as_ptr() as usize - t.as_ptr() as usize;
        // Cut the separator before the last part too.
        let head = &t[..off];
        let head = trim_separator_end(head);
        return head.trim().to_string();
    }
    if is_site(first) {
        let off = parts[1].as_ptr() as usize - t.as_ptr() as usize;
        return t[off..].trim().to_string();
    }
    t.trim().to_string()
}

fn trim_separator_end(s: &str) -> &str {
    for sep in SEPARATORS {
        if let Some(r) = s.strip_suffix(sep) {
            return r;
        }
    }
    s
}

/// Host of a URL without `www.` and without the port.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    // Drop the top-level domain: "example.co.uk" → "example.co", good enough for matching.
    let host = host.rsplit_once('.').map_or(host, |(h, _)| h);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Lowercased, whitespace-collapsed, quotes unified.
fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{ab}' | '\u{bb}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Authors

/// Strips "By", "Von", "Posted by", ... and trailing punctuation from an author string.
fn clean_author(s: &str) -> String {
    let mut t = s.trim();
    const PREFIXES: [&str; 22] = [
        "posted by ",
        "written by ",
        "published by ",
        "geschrieben von ",
        "veröffentlicht von ",
        "erstellt von ",
        "ein beitrag von ",
        "beitrag von ",
        "author: ",
        "authors: ",
        "autor: ",
        "autorin: ",
        "autoren: ",
        "auteur : ",
        "auteur: ",
        "text: ",
        "by: ",
        "by ",
        "von ",
        "par ",
        "door ",
        "por ",
    ];
    for _ in 0..2 {
        let lower = t.to_lowercase();
        if lower.len() != t.len() {
            break;
        }
        let mut changed = false;
        for p in PREFIXES {
            if lower.starts_with(p) {
                t = t[p.len()..].trim_start();
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    let t = t.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '|' | ',' | ';' | ':' | '-' | '–' | '—' | '·' | '•' | '/')
    });
    cap(t.to_string())
}

/// A short text that could be a person's (or a few persons') name.
fn plausible_name(s: &str) -> bool {
    let n = s.chars().count();
    if !(2..=80).contains(&n) {
        return false;
    }
    let words = s.split_whitespace().count();
    if words > 8 {
        return false;
    }
    if s.chars().filter(|c| c.is_ascii_digit()).count() > 2 {
        return false;
    }
    !is_url_like(s) && s.chars().any(|c| c.is_alphabetic())
}

fn is_url_like(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("www.")
        || s.starts_with('/')
        || (s.contains('@') && !s.contains(' '))
}

// ---------------------------------------------------------------------------------------------
// Dates

fn fmt_ymd((y, m, d): Ymd) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn valid(y: u32, m: u32, d: u32) -> Option<Ymd> {
    if !(1990..=2040).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let dim = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (d <= dim).then_some((y as u16, m as u8, d as u8))
}

/// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a date written for machines (ISO 8601 and friends, Unix time) or, failing that, the
/// first date written out in `s`.
fn parse_date_value(s: &str, english: bool) -> Option<Ymd> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 4 {
        if let Some(d) = ymd_at(b, 0) {
            return Some(d);
        }
    }
    if digits == 8
        && b.get(8)
            .is_none_or(|c| !c.is_ascii_alphanumeric() || *c == b'T')
    {
        let n = |i: usize| (b[i] - b'0') as u32;
        let y = n(0) * 1000 + n(1) * 100 + n(2) * 10 + n(3);
        if let Some(d) = valid(y, n(4) * 10 + n(5), n(6) * 10 + n(7)) {
            return Some(d);
        }
    }
    if (digits == 10 || digits == 13) && digits == b.len() {
        let secs: i64 = s[..10].parse().ok()?;
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        return valid(u32::try_from(y).ok()?, m, d);
    }
    find_date(s, english)
}

/// `YYYY-MM-DD` (or `/`, `.`, `_` as separator, 1- or 2-digit month and day) at `i`.
fn ymd_at(b: &[u8], i: usize) -> Option<Ymd> {
    let (y, j) = number(b, i, 4, 4)?;
    let sep = *b.get(j)?;
    if !matches!(sep, b'-' | b'/' | b'.' | b'_') {
        return None;
    }
    let (m, k) = number(b, j + 1, 1, 2)?;
    if b.get(k) != Some(&sep) {
        return None;
    }
    let (d, l) = number(b, k + 1, 1, 2)?;
    if b.get(l).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    valid(y, m, d)
}

/// A run of `min..=max` ASCII digits at `i`, not followed by another digit.
fn number(b: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut v = 0u32;
    while j < b.len() && b[j].is_ascii_digit() && j - i < max {
        v = v * 10 + (b[j] - b'0') as u32;
        j += 1;
    }
    if j - i < min || b.get(j).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((v, j))
}

/// The first date written in `s`: `2012-05-31`, `31.05.2012`, `05/31/2012`, `31. Mai 2012`,
/// `May 31, 2012`, `31st of May 2012`, `2012年5月31日`.
fn find_date(s: &str, english: bool) -> Option<Ymd> {
    let b = s.as_bytes();
    let mut i = 0;
    // Word tokens for month names: (start, end).
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            if i > 0 && b[i - 1].is_ascii_digit() {
                i += 1;
                continue;
            }
            if let Some(d) = numeric_date_at(s, i, english) {
                return Some(d);
            }
            // Skip the digit run.
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c >= 0x80 {
            let start = i;
            while let Some(ch) = s[i..].chars().next() {
                if !ch.is_alphabetic() {
                    break;
                }
                i += ch.len_utf8();
            }
            if i == start {
                // A non-letter, non-ASCII character.
                i += s[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            if let Some(m) = month_number(&s[start..i]) {
                if let Some(d) = month_name_date(s, start, i, m) {
                    return Some(d);
                }
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Numeric dates starting at the digit run at `i`.
fn numeric_date_at(s: &str, i: usize, english: bool) -> Option<Ymd> {
    let b = s.as_bytes();
    let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if run == 4 {
        if let Some(d) = ymd_at(b, i) {
            return Some(d);
        }
        // 2012年5月31日
        let (y, j) = number(b, i, 4, 4)?;
        let rest = &s[j..];
        let rest = rest.strip_prefix('年')?;
        let rb = rest.as_bytes();
        let (m, k) = number(rb, 0, 1, 2)?;
        let rest2 = rest[k..].strip_prefix('月')?;
        let (d, _) = number(rest2.as_bytes(), 0, 1, 2)?;
        return valid(y, m, d);
    }
    if run == 1 || run == 2 {
        let (a, j) = number(b, i, 1, 2)?;
        let sep = *b.get(j)?;
        if !matches!(sep, b'.' | b'/' | b'-') {
            return None;
        }
        let mut k = j + 1;
        if sep == b'.' && b.get(k) == Some(&b' ') {
            k += 1;
        }
        let (m, l) = number(b, k, 1, 2)?;
        let sep2 = *b.get(l)?;
        if sep2 != sep {
            return None;
        }
        let mut n = l + 1;
        if sep == b'.' && b.get(n) == Some(&b' ') {
            n += 1;
        }
        let (y, e) = number(b, n, 4, 4)?;
        if b.get(e).is_some_and(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        return match sep {
            b'/' => {
                if a > 12 {
                    valid(y, m, a)
                } else if m > 12 || english {
                    valid(y, a, m)
                } else {
                    valid(y, m, a)
                }
            }
            _ => valid(y, m, a),
        };
    }
    None
}

/// A date around the month name at `start..end` (`m` its number).
fn month_name_date(s: &str, start: usize, end: usize, m: u32) -> Option<Ymd> {
    let b = s.as_bytes();
    // "31. Mai 2012", "31 May 2012", "31st of May, 2012", "31 de mayo de 2012".
    let before = &s[..start];
    let bt = before.trim_end();
    let bt = bt.strip_suffix("of").map_or(bt, str::trim_end);
    let bt = bt.strip_suffix("de").map_or(bt, str::trim_end);
    let bt = bt.trim_end_matches(['.', ',']);
    let bt = strip_ordinal(bt);
    let bb = bt.as_bytes();
    let dstart = bb.len() - bb.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    let day_before = if (1..=2).contains(&(bb.len() - dstart))
        && (dstart == 0 || !bb[dstart - 1].is_ascii_alphanumeric())
    {
        bt[dstart..].parse::<u32>().ok()
    } else {
        None
    };
    // After the month: optional '.', ',', "de"; then either a year or a day then a year.
    let mut j = end;
    // Spaces, '.', ',' and a Spanish/Portuguese "de".
    let skip = |j: &mut usize| {
        for _ in 0..2 {
            while let Some(ch) = s[*j..].chars().next() {
                if !(ch.is_whitespace() || ch == '.' || ch == ',') {
                    break;
                }
                *j += ch.len_utf8();
            }
            if s[*j..].starts_with("de ") {
                *j += 3;
            } else {
                break;
            }
        }
    };
    skip(&mut j);
    if let Some(day) = day_before {
        if let Some((y, e)) = number(b, j, 4, 4) {
            if !b.get(e).is_some_and(|c| c.is_ascii_alphanumeric()) {
                return valid(y, m, day);
            }
        }
    }
    // "May 31, 2012", "May 31st 2012".
    let (day, k) = number(b, j, 1, 2)?;
    let mut k = k;
    for suf in ["st", "nd", "rd", "th", "."] {
        if s[k..].starts_with(suf) {
            k += suf.len();
            break;
        }
    }
    if b.get(k).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    skip(&mut k);
    let (y, e) = number(b, k, 4, 4)?;
    if b.get(e).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    valid(y, m, day)
}

fn strip_ordinal(s: &str) -> &str {
    for suf in ["st", "nd", "rd", "th"] {
        if let Some(r) = s.strip_suffix(suf) {
            if r.as_bytes().last().is_some_and(|c| c.is_ascii_digit()) {
                return r;
            }
        }
    }
    s
}

/// Month number of a month name or abbreviation (English, German, French, Spanish, Italian,
/// Dutch, Portuguese, Polish genitive).
pub(super) fn month_number(w: &str) -> Option<u32> {
    if w.len() < 3 || w.len() > 14 {
        return None;
    }
    let lower = w.to_lowercase();
    let m = match lower.as_str() {
        "january" | "jan" | "januar" | "jänner" | "janvier" | "janv" | "enero" | "gennaio"
        | "januari" | "janeiro" | "stycznia" | "ene" => 1,
        "february" | "feb" | "februar" | "feber" | "février" | "fevrier" | "févr" | "fevr"
        | "febrero" | "febbraio" | "februari" | "fevereiro" | "lutego" => 2,
        "march" | "mar" | "märz" | "maerz" | "mär" | "mars" | "marzo" | "maart" | "março"
        | "marco" | "marca" => 3,
        "april" | "apr" | "avril" | "avr" | "abril" | "aprile" | "kwietnia" | "abr" => 4,
        "may" | "mai" | "mayo" | "maggio" | "mei" | "maio" | "maja" => 5,
        "june" | "jun" | "juni" | "juin" | "junio" | "giugno" | "junho" | "czerwca" => 6,
        "july" | "jul" | "juli" | "juillet" | "juil" | "julio" | "luglio" | "julho" | "lipca" => 7,
        "august" | "aug" | "août" | "aout" | "agosto" | "augustus" | "sierpnia" | "ago" => 8,
        "september" | "sep" | "sept" | "septembre" | "septiembre" | "setiembre" | "settembre"
        | "setembro" | "września" | "set" => 9,
        "october" | "oct" | "oktober" | "okt" | "octobre" | "octubre" | "ottobre" | "outubro"
        | "października" | "out" | "ott" => 10,
        "november" | "nov" | "novembre" | "noviembre" | "novembro" | "listopada" => 11,
        "december" | "dec" | "dezember" | "dez" | "décembre" | "decembre" | "déc" | "diciembre"
        | "dicembre" | "dezembro" | "grudnia" | "dic" => 12,
        _ => return None,
    };
    Some(m)
}

/// A full date in a URL: `/2019/05/31/`, `2019-05-31`, `/20190531/`.
fn url_date(url: &str) -> Option<Ymd> {
    // Only the path and query.
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = &rest[rest.find('/').unwrap_or(rest.len())..];
    let b = path.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if run == 4 {
                if let Some(d) = ymd_at(b, i) {
                    return Some(d);
                }
            } else if run == 8 && b.get(i + 8).is_none_or(|c| !c.is_ascii_alphanumeric()) {
                let n = |k: usize| (b[i + k] - b'0') as u32;
                let y = n(0) * 1000 + n(1) * 100 + n(2) * 10 + n(3);
                if y >= 1995 {
                    if let Some(d) = valid(y, n(4) * 10 + n(5), n(6) * 10 + n(7)) {
                        return Some(d);
                    }
                }
            }
            i += run;
            continue;
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Strings

fn attrs<'b>(
    b: &'b [u8],
    t: &StartTag,
) -> impl Iterator<Item = (std::ops::Range<usize>, std::ops::Range<usize>)> + 'b {
    Attributes::new(b, t).take(MAX_ATTRS)
}

/// The position of a start tag (its attribute section; good enough for capture spans).
fn toks_pos(t: &StartTag) -> usize {
    t.attrs.start
}

/// Byte offset of `part` (a slice of `whole`) in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

fn self_span_ok(c: &Capture, raw: &str, html: &str) -> bool {
    offset_in(html, raw).saturating_sub(c.start) <= CAPTURE_SPAN
}

fn eq_ci(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}

/// Substring test.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether a whitespace-separated list contains `word` (ASCII case-insensitive).
fn has_word_ci(list: &[u8], word: &[u8]) -> bool {
    list.split(|c| c.is_ascii_whitespace()).any(|w| {
        w.eq_ignore_ascii_case(word)
            || w.rsplit(|&c| c == b'/')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case(word))
    })
}

/// Class or id values (lowercased) that say "date".
fn has_date_word(v: &[u8]) -> bool {
    (contains(v, b"date") && !contains(v, b"update") && !contains(v, b"validate"))
        || contains(v, b"datum")
        || contains(v, b"publish")
        || contains(v, b"posted")
        || contains(v, b"byline")
        || (contains(v, b"time") && !contains(v, b"timeline"))
        || contains(v, b"entry-meta")
        || contains(v, b"post-meta")
        || contains(v, b"article-meta")
        || contains(v, b"postmeta")
        || contains(v, b"meta-info")
}

/// Inline elements: they do not separate words in captured text.
fn is_inline(h: u64) -> bool {
    matches!(
        h,
        A | B
            | I
            | EM
            | STRONG
            | SPAN
            | SMALL
            | U
            | FONT
            | CODE
            | TT
            | S
            | STRIKE
            | BIG
            | ABBR
            | TIME
            | LABEL
            | SUB
            | SUP
            | MARK
            | CITE
            | Q
            | INS
            | DEL
    )
}

/// Decodes character references (when `refs`), collapses whitespace, trims, and keeps at
/// most `max` characters.
fn clean(raw: &str, refs: bool, max: usize) -> String {
    let mut t = TextBuf::default();
    if refs {
        t.push_html(raw, max);
    } else {
        t.push_plain(raw, max);
    }
    t.s
}

fn decode_refs(s: &str) -> String {
    clean(s, true, MAX_CHARS)
}

/// Text collected with whitespace collapsed and a character count.
#[derive(Default)]
struct TextBuf {
    s: String,
    chars: usize,
    /// A space is due before the next visible character.
    space: bool,
}

impl TextBuf {
    /// Appends `raw` with character references decoded; stops at `max` characters.
    fn push_html(&mut self, raw: &str, max: usize) {
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            if !self.push_plain(&rest[..amp], max) {
                return;
            }
            let after = &rest[amp + 1..];
            match char_ref(after.as_bytes()) {
                Some((len, c1, c2)) => {
                    let mut buf = [0u8; 4];
                    if !self.push_plain(c1.encode_utf8(&mut buf), max) {
                        return;
                    }
                    if let Some(c2) = c2 {
                        if !self.push_plain(c2.encode_utf8(&mut buf), max) {
                            return;
                        }
                    }
                    rest = after.get(len..).unwrap_or_default();
                }
                None => {
                    if !self.push_plain("&", max) {
                        return;
                    }
                    rest = after;
                }
            }
        }
        self.push_plain(rest, max);
    }

    /// Appends text with whitespace collapsed; false once `max` characters are reached.
    fn push_plain(&mut self, s: &str, max: usize) -> bool {
        if s.is_ascii() {
            for &c in s.as_bytes() {
                if self.chars >= max {
                    return false;
                }
                if c.is_ascii_whitespace() || c == 0x0b {
                    self.space = true;
                } else if !c.is_ascii_control() {
                    if self.space && !self.s.is_empty() {
                        self.s.push(' ');
                        self.chars += 1;
                        // The space may have used the last place.
                        if self.chars >= max {
                            return false;
                        }
                    }
                    self.space = false;
                    self.s.push(c as char);
                    self.chars += 1;
                }
            }
            return true;
        }
        for c in s.chars() {
            if self.chars >= max {
                return false;
            }
            if c.is_whitespace() {
                self.space = true;
                continue;
            }
            if c.is_control() {
                continue;
            }
            if self.space && !self.s.is_empty() {
                self.s.push(' ');
                self.chars += 1;
                if self.chars >= max {
                    return false;
                }
            }
            self.space = false;
            self.s.push(c);
            self.chars += 1;
        }
        true
    }
}

/// Truncates to [`MAX_CHARS`] characters.
fn cap(mut s: String) -> String {
    if let Some((i, _)) = s.char_indices().nth(MAX_CHARS) {
        s.truncate(i);
    }
    s
}

fn push_list(list: &mut Vec<String>, v: String) {
    let v = v.trim();
    if v.is_empty() || list.len() >= MAX_LIST || list.iter().any(|x| x == v) {
        return;
    }
    list.push(cap(v.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> PageMetadata {
        page_metadata(html, None)
    }

    #[test]
    fn open_graph_and_meta() {
        let m = md(r#"<html lang="de-DE"><head>
            <meta property="og:title" content="Der Titel &amp; mehr">
            <meta property="og:site_name" content="Beispiel">
            <meta name="author" content="By Erika Mustermann">
            <meta property="article:published_time" content="2019-05-31T10:00:00+02:00">
            <meta property="article:modified_time" content="2019-06-02T10:00:00+02:00">
            <meta name="description" content="  Eine   Beschreibung ">
            <meta property="article:tag" content="eins"><meta property="article:tag" content="zwei">
            <meta property="article:section" content="Politik">
            <meta property="og:image" content="https://x/i.png"><meta property="og:type" content="article">
            <link rel="canonical" href="https://example.org/a">
            </head><body></body></html>"#);
        assert_eq!(m.title.as_deref(), Some("Der Titel & mehr"));
        assert_eq!(m.sitename.as_deref(), Some("Beispiel"));
        assert_eq!(m.author.as_deref(), Some("Erika Mustermann"));
        assert_eq!(m.date.as_deref(), Some("2019-05-31"));
        assert_eq!(m.modified.as_deref(), Some("2019-06-02"));
        assert_eq!(m.date_source, Some("meta"));
        assert_eq!(m.description.as_deref(), Some("Eine Beschreibung"));
        assert_eq!(m.tags, ["eins", "zwei"]);
        assert_eq!(m.categories, ["Politik"]);
        assert_eq!(m.canonical_url.as_deref(), Some("https://example.org/a"));
        assert_eq!(m.language_hint.as_deref(), Some("de-de"));
        assert_eq!(m.image.as_deref(), Some("https://x/i.png"));
        assert_eq!(m.page_type.as_deref(), Some("article"));
    }

    #[test]
    fn other_meta_vocabularies() {
        let m = md(
            r#"<meta name="DC.title" content="DC Title"><meta name="DC.date" content="31.05.2012">
            <meta name="DC.creator" content="Jane Roe"><meta name="keywords" content="a, b ,c">"#,
        );
        assert_eq!(m.title.as_deref(), Some("DC Title"));
        assert_eq!(m.date.as_deref(), Some("2012-05-31"));
        assert_eq!(m.author.as_deref(), Some("Jane Roe"));
        assert_eq!(m.tags, ["a", "b", "c"]);
        let m = md(
            r#"<meta name="citation_title" content="Paper"><meta name="citation_author" content="A. One">
            <meta name="citation_author" content="B. Two"><meta name="citation_publication_date" content="2001/02/03">"#,
        );
        assert_eq!(m.title.as_deref(), Some("Paper"));
        assert_eq!(m.author.as_deref(), Some("A. One; B. Two"));
        assert_eq!(m.date.as_deref(), Some("2001-02-03"));
        let m = md(
            r#"<meta name="sailthru.date" content="Thu, 31 May 2012 10:00:00 GMT">
            <meta name="parsely-author" content="P. Author">"#,
        );
        assert_eq!(m.date.as_deref(), Some("2012-05-31"));
        assert_eq!(m.author.as_deref(), Some("P. Author"));
        let m = md(
            r#"<meta name="pubdate" content="20120531"><meta name="twitter:title" content="TT">"#,
        );
        assert_eq!(m.date.as_deref(), Some("2012-05-31"));
        assert_eq!(m.title.as_deref(), Some("TT"));
    }

    #[test]
    fn json_ld() {
        let m = md(r#"<script type="application/ld+json">
            {"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","@id":"https://x/#website","name":"X Site"},
              {"@type":"Person","@id":"https://x/#p1","name":"Max Muster"},
              {"@type":["NewsArticle"],"headline":"Head &amp; line","datePublished":"2020-01-28T08:00:00Z",
               "dateModified":"2020-02-01","author":{"@id":"https://x/#p1"},
               "publisher":{"@type":"Organization","name":"X Verlag"},
               "keywords":["k1","k2"],"articleSection":"Wirtschaft",
               "comment":[{"@type":"Comment","datePublished":"2021-01-01","author":"Troll"}]}]}
            </script>"#);
        assert_eq!(m.title.as_deref(), Some("Head & line"));
        assert_eq!(m.date.as_deref(), Some("2020-01-28"));
        assert_eq!(m.date_source, Some("json-ld"));
        assert_eq!(m.modified.as_deref(), Some("2020-02-01"));
        assert_eq!(m.author.as_deref(), Some("Max Muster"));
        assert_eq!(m.sitename.as_deref(), Some("X Verlag"));
        assert_eq!(m.tags, ["k1", "k2"]);
        assert_eq!(m.categories, ["Wirtschaft"]);
        // Arrays of objects, author arrays, raw newlines inside strings.
        let m = md("<script type='application/ld+json'>[{\"@type\":\"BlogPosting\",\"headline\":\"A\nB\",
            \"author\":[{\"@type\":\"Person\",\"name\":\"One\"},\"Two\"],\"dateCreated\":\"2018-03-04\"}]</script>");
        assert_eq!(m.title.as_deref(), Some("A B"));
        assert_eq!(m.author.as_deref(), Some("One; Two"));
        assert_eq!(m.date.as_deref(), Some("2018-03-04"));
    }

    #[test]
    fn title_cleaning() {
        let m = page_metadata(
            "<title>Das Ministerium informiert | Die PARTEI Lübeck</title>
             <meta property='og:site_name' content='Die PARTEI Lübeck'>",
            None,
        );
        assert_eq!(m.title.as_deref(), Some("Das Ministerium informiert"));
        let m =
            md("<title>Site - Ein Titel - mit Strich</title><body><h1>Ein Titel - mit Strich</h1>");
        assert_eq!(m.title.as_deref(), Some("Ein Titel - mit Strich"));
        let m = page_metadata(
            "<title>Hello world :: Example Blog</title>",
            Some("https://www.exampleblog.com/x"),
        );
        assert_eq!(m.title.as_deref(), Some("Hello world"));
        let m = md("<body><h1>Only <em>an</em><br>h1</h1>");
        assert_eq!(m.title.as_deref(), Some("Only an h1"));
        let m = md("<title>No separators here</title>");
        assert_eq!(m.title.as_deref(), Some("No separators here"));
        // A <title> inside SVG is not the page title.
        let m = md("<body><svg><title>icon</title></svg><h1>Real</h1>");
        assert_eq!(m.title.as_deref(), Some("Real"));
    }

    #[test]
    fn body_dates_and_authors() {
        let m = md(
            r#"<body><a rel="category tag" href="/c">News</a><a rel="tag" href="/t">foo</a>
            <h1>T</h1><time class="entry-date updated" datetime="2019-01-02">x</time>
            <time class="entry-date published" datetime="2019-01-01T10:00">x</time>
            <a rel="author" href="/a">Jo Blogs</a>"#,
        );
        assert_eq!(m.date.as_deref(), Some("2019-01-01"));
        assert_eq!(m.date_source, Some("time"));
        assert_eq!(m.author.as_deref(), Some("Jo Blogs"));
        assert_eq!(m.categories, ["News"]);
        assert_eq!(m.tags, ["foo"]);
        let m = md(
            r#"<body><span itemprop="datePublished" content="2015-07-08">8 July</span>
            <span itemprop="author" itemscope><span itemprop="name">Ann Example</span></span>"#,
        );
        assert_eq!(m.date.as_deref(), Some("2015-07-08"));
        assert_eq!(m.author.as_deref(), Some("Ann Example"));
        let m =
            md(r#"<body><h1>Titel</h1><p class="post-date">Veröffentlicht am 31. Mai 2012</p>"#);
        assert_eq!(m.date.as_deref(), Some("2012-05-31"));
        let m = md(r#"<body><h1>Title</h1><p>Posted on May 31st, 2012 by <b>someone</b></p>"#);
        assert_eq!(m.date.as_deref(), Some("2012-05-31"));
        assert_eq!(m.date_source, Some("text"));
        let m = md(r#"<body><div class="author">Von Hans Meier</div>"#);
        assert_eq!(m.author.as_deref(), Some("Hans Meier"));
    }

    #[test]
    fn url_dates() {
        let u = |s: &str| page_metadata("", Some(s)).date;
        assert_eq!(
            u("https://a.de/2012/05/31/x/").as_deref(),
            Some("2012-05-31")
        );
        assert_eq!(
            u("https://a.de/news/2012-05-31-x").as_deref(),
            Some("2012-05-31")
        );
        assert_eq!(u("https://a.de/20120531/x").as_deref(), Some("2012-05-31"));
        assert_eq!(u("https://2012.de/12/05/x"), None);
        assert_eq!(u("https://a.de/2012/05/x"), None);
        assert_eq!(u("https://a.de/id/123456789/x"), None);
        // The page's own date wins over the URL's.
        let m = page_metadata(
            "<meta property='article:published_time' content='2012-06-01'>",
            Some("https://a.de/2012/05/31/x"),
        );
        assert_eq!(m.date.as_deref(), Some("2012-06-01"));
    }

    #[test]
    fn date_parsing() {
        let p = |s: &str| parse_date_value(s, false).map(fmt_ymd);
        assert_eq!(
            p("2019-05-31T23:59:59-04:00").as_deref(),
            Some("2019-05-31")
        );
        assert_eq!(p("1559260800").as_deref(), Some("2019-05-31"));
        assert_eq!(p("Freitag, 31. Mai 2012").as_deref(), Some("2012-05-31"));
        assert_eq!(p("31 mai 2012").as_deref(), Some("2012-05-31"));
        assert_eq!(p("le 1er mars 2012"), None);
        assert_eq!(p("31 de mayo de 2012").as_deref(), Some("2012-05-31"));
        assert_eq!(p("2012年5月31日").as_deref(), Some("2012-05-31"));
        assert_eq!(p("05/31/2012").as_deref(), Some("2012-05-31"));
        assert_eq!(p("2012-02-30"), None);
        assert_eq!(p("1800-01-01"), None);
        assert_eq!(
            parse_date_value("04/05/2012", true).map(fmt_ymd).as_deref(),
            Some("2012-04-05")
        );
        assert_eq!(p("04/05/2012").as_deref(), Some("2012-05-04"));
    }

    #[test]
    fn hostile_input() {
        // Huge attribute counts.
        let mut h = String::from("<meta ");
        for i in 0..200_000 {
            h.push_str(&format!("a{i}=x "));
        }
        h.push_str("property=og:title content=T>");
        let _ = md(&h);
        // Many meta tags.
        let many = "<meta name=keywords content=a>".repeat(50_000);
        let m = md(&many);
        assert_eq!(m.tags, ["a"]);
        // Invalid and deeply nested JSON.
        let bad = "<script type=application/ld+json>{\"@type\":\"Article\",</script>";
        assert_eq!(md(bad), PageMetadata::default());
        let deep = format!(
            "<script type=application/ld+json>{}{}</script>",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(md(&deep), PageMetadata::default());
        let deep_obj = format!(
            "<script type=application/ld+json>{}1{}</script>",
            "{\"a\":".repeat(120),
            "}".repeat(120)
        );
        let _ = md(&deep_obj);
        // Deep element nesting, unclosed captures, odd bytes.
        let nest = "<div class=author><span class=date>".repeat(20_000);
        let _ = md(&nest);
        let _ = md("<h1>unclosed");
        let _ = md("<meta content='\u{fffd}&#xFFFFFFFF;&#0;'><title>&");
        let long = format!("<title>{}</title>", "é".repeat(100_000));
        assert_eq!(md(&long).title.map(|t| t.chars().count()), Some(MAX_CHARS));
        for s in [
            "<",
            "<meta",
            "<script type=application/ld+json>",
            "&",
            "<time datetime=",
            "\u{0}",
        ] {
            let _ = md(s);
        }
    }
}
