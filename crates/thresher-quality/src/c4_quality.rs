//! datatrove's `C4QualityFilter` (C4, Raffel et al. 2020): removes lines and drops documents.
//!
//! Each line of `splitlines()` (or each spaCy sentence with `split_paragraph = false`) is
//! stripped, then, in datatrove's order: removed if a whitespace-separated word is longer than
//! `max_word_length`; citations (`[1]`, `[edit]`, `[citation needed]`) are cut out; removed if
//! it does not end in `. ? ! " '` or ends in `...`; removed with fewer than
//! `min_words_per_line` words; the document is dropped (`lorem_ipsum`) if it contains
//! "lorem ipsum" (any case); removed if it contains "javascript"; the document is dropped
//! (`curly_bracket`) on a `{`; removed on a cookie or terms-of-use phrase. Kept lines are
//! joined with `\n` (sentences with a space) and stripped; with fewer than
//! `min_num_sentences` sentences in the kept lines (spaCy's rule-based sentencizer) the
//! document is dropped (`too_few_sentences`).

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use memchr::memmem;

use thresher_tokenize::TokenizeError;

use crate::filter::{Check, TextFilter};
use crate::pystr;
use crate::text::{word_ranges, TextView, ViewCheck, ViewFilter, WordSource, Words};

/// datatrove's `POLICY_SUBSTRINGS`: a line containing one (lowercased) is removed.
pub const POLICY_SUBSTRINGS: [&str; 6] = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
];

/// `C4QualityFilter`'s parameters; `Default` is datatrove's (C4's).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct C4QualityOptions {
    /// Work on `splitlines()` lines (C4); `false`: on spaCy sentences, joined with spaces.
    pub split_paragraph: bool,
    /// Cut out `[1]`, `[]`, `[edit]` and `[citation needed]`.
    pub remove_citations: bool,
    /// Remove lines that do not end in terminal punctuation, or end in `...`.
    pub filter_no_terminal_punct: bool,
    /// Drop documents with fewer sentences in their kept lines; -1 = off.
    pub min_num_sentences: i64,
    /// Remove lines with fewer whitespace-separated words; -1 = off.
    pub min_words_per_line: i64,
    /// Remove lines with a longer word (code points); -1 = off.
    pub max_word_length: i64,
    /// Drop documents with "lorem ipsum" in a line that got this far.
    pub filter_lorem_ipsum: bool,
    /// Remove lines containing "javascript" (any case).
    pub filter_javascript: bool,
    /// Drop documents with `{` in a line that got this far.
    pub filter_curly_bracket: bool,
    /// Remove lines containing one of [`POLICY_SUBSTRINGS`].
    pub filter_policy: bool,
    /// datatrove language code of the word tokenizer used for sentences (`"eng"`).
    pub language: String,
}

impl Default for C4QualityOptions {
    fn default() -> Self {
        C4QualityOptions {
            split_paragraph: true,
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: 5,
            min_words_per_line: 3,
            max_word_length: 1000,
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            filter_policy: true,
            language: "eng".to_string(),
        }
    }
}

impl C4QualityOptions {
    /// FineWeb's configuration: the defaults with `filter_no_terminal_punct = false`.
    pub fn fineweb() -> Self {
        C4QualityOptions {
            filter_no_terminal_punct: false,
            ..Default::default()
        }
    }
}

/// datatrove's `C4QualityFilter`, named `c4_quality` (or as set by [`C4Quality::with_name`];
/// FineWeb's configuration is [`C4Quality::fineweb`], `c4_quality_fineweb`).
#[derive(Debug, Clone)]
pub struct C4Quality {
    options: C4QualityOptions,
    words: Words,
    name: String,
}

/// What happens to one line.
enum LineVerdict<'a> {
    Remove,
    Keep(Cow<'a, str>),
    DropDocument(&'static str),
}

impl C4Quality {
    /// The filter with `options`, named `c4_quality`; fails when no word tokenizer knows
    /// `options.language`.
    pub fn new(options: C4QualityOptions) -> Result<Self, TokenizeError> {
        let words = Words::for_language(&options.language)?;
        Ok(Self::with_words(options, words))
    }

    /// FineWeb's C4 filter ([`C4QualityOptions::fineweb`], English), named
    /// `c4_quality_fineweb`.
    pub fn fineweb() -> Self {
        Self::with_words(
            C4QualityOptions::fineweb(),
            Words::Tokenizer(thresher_tokenize::Tokenizer::english()),
        )
    }

    pub(crate) fn with_words(options: C4QualityOptions, words: Words) -> Self {
        let name = if options == C4QualityOptions::fineweb() {
            "c4_quality_fineweb"
        } else {
            "c4_quality"
        };
        C4Quality {
            options,
            words,
            name: name.to_string(),
        }
    }

    /// The filter with words from `source` instead of the language's tokenizer.
    pub fn with_word_source(options: C4QualityOptions, source: Arc<dyn WordSource>) -> Self {
        Self::with_words(options, Words::Custom(source))
    }

    /// Renames the filter (the name in drop records and chain results).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The parameters.
    pub fn options(&self) -> &C4QualityOptions {
        &self.options
    }

    /// The per-line rules up to the sentence count, on a stripped line.
    fn line_verdict<'a>(&self, line: &'a str, lower: &mut Vec<u8>) -> LineVerdict<'a> {
        let o = &self.options;
        if o.max_word_length != -1 && has_long_word(line, o.max_word_length) {
            return LineVerdict::Remove;
        }
        let line_out = if o.remove_citations {
            remove_citations(line)
        } else {
            Cow::Borrowed(line)
        };
        if o.filter_no_terminal_punct
            && (!line_out.ends_with(['.', '?', '!', '"', '\'']) || line_out.ends_with("..."))
        {
            return LineVerdict::Remove;
        }
        // Words as `line.split()` before the citations were cut (counted as far as needed).
        if o.min_words_per_line > 0 {
            let min = usize::try_from(o.min_words_per_line).unwrap_or(usize::MAX);
            if pystr::split_whitespace(line).take(min).count() < min {
                return LineVerdict::Remove;
            }
        }
        let phrases = Phrases::get();
        if o.filter_lorem_ipsum || o.filter_javascript || o.filter_policy {
            lower_for_ascii_search(&line_out, lower);
            if o.filter_lorem_ipsum && phrases.lorem_ipsum.find(lower).is_some() {
                return LineVerdict::DropDocument("lorem_ipsum");
            }
            if o.filter_javascript && phrases.javascript.find(lower).is_some() {
                return LineVerdict::Remove;
            }
        }
        if o.filter_curly_bracket && memchr::memchr(b'{', line_out.as_bytes()).is_some() {
            return LineVerdict::DropDocument("curly_bracket");
        }
        if o.filter_policy && phrases.policy.iter().any(|p| p.find(lower).is_some()) {
            return LineVerdict::Remove;
        }
        LineVerdict::Keep(line_out)
    }

    fn decide(&self, view: &TextView<'_>) -> ViewCheck {
        if self.options.split_paragraph {
            self.decide_lines(view)
        } else {
            self.decide_sentences(view).into()
        }
    }

    /// `split_paragraph = true`: lines of `splitlines()`.
    fn decide_lines(&self, view: &TextView<'_>) -> ViewCheck {
        let o = &self.options;
        let text = view.text();
        let source = self.words.get();
        let count_sentences = o.min_num_sentences != -1;
        // The words of the whole text, when an earlier filter computed them: those of a line
        // are its words (spaCy tokenises each whitespace-separated chunk on its own).
        let known = if count_sentences {
            view.cached_words(source)
                .and_then(|words| word_ranges(text, words))
        } else {
            None
        };
        let mut known_pos = 0;
        let mut out = String::with_capacity(text.len());
        // Byte ranges of the words of `out`, for the next filter.
        let mut out_words: Vec<(usize, usize)> = Vec::new();
        let mut num_sentences: i64 = 0;
        let mut lower = Vec::new();
        let mut kept_any = false;
        for range in pystr::splitlines_ranges(text) {
            let raw = &text[range.clone()];
            let line = pystr::strip(raw);
            let line_start = range.start + (line.as_ptr() as usize - raw.as_ptr() as usize);
            let kept = match self.line_verdict(line, &mut lower) {
                LineVerdict::Remove => continue,
                LineVerdict::DropDocument(reason) => return Check::drop(reason).into(),
                LineVerdict::Keep(kept) => kept,
            };
            let out_start = out.len() + kept_any as usize;
            if count_sentences {
                let first = out_words.len();
                match (&kept, &known) {
                    (Cow::Borrowed(_), Some(all)) => {
                        let within = words_within(all, &mut known_pos, line_start, line.len());
                        out_words.extend(within.iter().map(|&(s, e)| {
                            (s - line_start + out_start, e - line_start + out_start)
                        }));
                    }
                    _ => {
                        let ranges = word_ranges(&kept, &source.words(&kept)).unwrap_or_default();
                        out_words
                            .extend(ranges.iter().map(|&(s, e)| (out_start + s, out_start + e)));
                    }
                }
                // datatrove counts `len(split_into_sentences(line))`: one piece at least.
                let line_words = out_words[first..]
                    .iter()
                    .map(|&(s, e)| (s - out_start, e - out_start));
                num_sentences += sentence_count(&kept, line_words).max(1) as i64;
            }
            if kept_any {
                out.push('\n');
            }
            out.push_str(&kept);
            kept_any = true;
        }
        if num_sentences < o.min_num_sentences {
            return Check::drop("too_few_sentences").into();
        }
        let lead = out.len() - pystr::lstrip(&out).len();
        let end = pystr::rstrip(&out).len();
        if out.len() == text.len() && lead == 0 && end == out.len() && out == text {
            return ViewCheck {
                check: Check::keep(),
                next_words: None,
            };
        }
        out.truncate(end);
        out.drain(..lead);
        // Words never start in the stripped whitespace; a word source that says otherwise
        // just hands no words on.
        let next_words = count_sentences
            .then(|| {
                let shifted: Option<Vec<(usize, usize)>> = out_words
                    .iter()
                    .map(|&(s, e)| Some((s.checked_sub(lead)?, e.checked_sub(lead)?)))
                    .collect();
                shifted.map(|w| (source.identity(), w))
            })
            .flatten();
        ViewCheck {
            check: Check::keep_rewritten(out),
            next_words,
        }
    }

    /// `split_paragraph = false`: the text's spaCy sentences, kept ones joined by spaces.
    fn decide_sentences(&self, view: &TextView<'_>) -> Check {
        let o = &self.options;
        let text = view.text();
        let words = view.words(self.words.get());
        let ranges = word_ranges(text, &words).unwrap_or_default();
        let mut ends = Vec::new();
        sentences(text, ranges.iter().copied(), |end| ends.push(end));
        // datatrove's pieces run from one sentence's end to the next; the last to the end.
        ends.push(text.len());
        let mut kept: Vec<Cow<'_, str>> = Vec::new();
        let mut num_sentences: i64 = 0;
        let mut lower = Vec::new();
        let mut start = 0;
        for end in ends {
            let piece = pystr::strip(&text[start..end]);
            start = end;
            match self.line_verdict(piece, &mut lower) {
                LineVerdict::Remove => continue,
                LineVerdict::DropDocument(reason) => return Check::drop(reason),
                LineVerdict::Keep(line) => {
                    if o.min_num_sentences != -1 {
                        num_sentences += 1;
                    }
                    kept.push(line);
                }
            }
        }
        if num_sentences < o.min_num_sentences {
            return Check::drop("too_few_sentences");
        }
        let joined = kept.join(" ");
        let out = pystr::strip(&joined);
        if out == text {
            Check::keep()
        } else {
            Check::keep_rewritten(out.to_string())
        }
    }
}

impl Default for C4Quality {
    fn default() -> Self {
        Self::with_words(
            C4QualityOptions::default(),
            Words::Tokenizer(thresher_tokenize::Tokenizer::english()),
        )
    }
}

impl TextFilter for C4Quality {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self, text: &str, _language: Option<&str>) -> Check {
        self.decide(&TextView::new(text)).check
    }
}

impl ViewFilter for C4Quality {
    fn check_view(&self, view: &TextView<'_>, _language: Option<&str>) -> ViewCheck {
        self.decide(view)
    }
}

/// Whether a whitespace-separated word of `line` has more than `max` code points.
fn has_long_word(line: &str, max: i64) -> bool {
    let Ok(max) = usize::try_from(max) else {
        // Every word is longer than a negative length.
        return pystr::split_whitespace(line).next().is_some();
    };
    let too_long = |run: &str| pystr::split_whitespace(run).any(|w| pystr::char_len(w) > max);
    // No word has more code points than bytes: only runs between ASCII whitespace of more
    // than `max` bytes need a closer look.
    let mut start = 0;
    for (i, &b) in line.as_bytes().iter().enumerate() {
        if pystr::is_ascii_space(b) {
            if i - start > max && too_long(&line[start..i]) {
                return true;
            }
            start = i + 1;
        }
    }
    line.len() - start > max && too_long(&line[start..])
}

/// `CITATION_REGEX.sub("", line)` for `\[\d*]|\[edit]|\[citation needed]` (`\d`: Unicode
/// decimal digits), scanning left to right without rescanning what is left.
pub(crate) fn remove_citations(line: &str) -> Cow<'_, str> {
    let bytes = line.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = memchr::memchr(b'[', &bytes[pos..]) {
        let open = pos + off;
        let rest = &line[open + 1..];
        let digits = rest.len() - rest.trim_start_matches(pystr::is_decimal).len();
        let len = if rest[digits..].starts_with(']') {
            Some(1 + digits + 1)
        } else if rest.starts_with("edit]") {
            Some(6)
        } else if rest.starts_with("citation needed]") {
            Some(17)
        } else {
            None
        };
        match len {
            Some(len) => {
                let buf = out.get_or_insert_with(|| String::with_capacity(line.len()));
                buf.push_str(&line[copied..open]);
                copied = open + len;
                pos = copied;
            }
            None => pos = open + 1,
        }
    }
    match out {
        None => Cow::Borrowed(line),
        Some(mut buf) => {
            buf.push_str(&line[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// The phrases C4 looks for in lowercased lines, with their searchers built once.
struct Phrases {
    lorem_ipsum: memmem::Finder<'static>,
    javascript: memmem::Finder<'static>,
    policy: Vec<memmem::Finder<'static>>,
}

impl Phrases {
    fn get() -> &'static Phrases {
        static PHRASES: OnceLock<Phrases> = OnceLock::new();
        PHRASES.get_or_init(|| Phrases {
            lorem_ipsum: memmem::Finder::new("lorem ipsum"),
            javascript: memmem::Finder::new("javascript"),
            policy: POLICY_SUBSTRINGS.iter().map(memmem::Finder::new).collect(),
        })
    }
}

/// Stands for a character whose lowercase has no ASCII, which no phrase can match.
const NOT_ASCII: u8 = 0xff;

/// `s.lower()` as far as a search for ASCII phrases can tell, into `out`: ASCII is lowercased,
/// U+212A KELVIN SIGN becomes `k` and U+0130 `i` + U+0307 (the only two characters whose
/// Python lowercase holds ASCII), every other character one byte that matches nothing.
/// (Python's one context-dependent rule, final sigma, never yields ASCII.)
fn lower_for_ascii_search(s: &str, out: &mut Vec<u8>) {
    out.clear();
    if s.is_ascii() {
        out.extend_from_slice(s.as_bytes());
        out.make_ascii_lowercase();
        return;
    }
    for c in s.chars() {
        match c {
            _ if c.is_ascii() => out.push(c.to_ascii_lowercase() as u8),
            '\u{212a}' => out.push(b'k'),
            '\u{130}' => out.extend_from_slice(&[b'i', NOT_ASCII]),
            _ => out.push(NOT_ASCII),
        }
    }
}

/// The ranges among `all` (sorted word ranges of the text) inside `start..start + len`;
/// `pos` walks forward through `all`.
fn words_within<'a>(
    all: &'a [(usize, usize)],
    pos: &mut usize,
    start: usize,
    len: usize,
) -> &'a [(usize, usize)] {
    while *pos < all.len() && all[*pos].0 < start {
        *pos += 1;
    }
    let first = *pos;
    while *pos < all.len() && all[*pos].1 <= start + len {
        *pos += 1;
    }
    &all[first..*pos]
}

/// The number of sentences spaCy's sentencizer finds in `text` (0 for no tokens).
pub(crate) fn sentence_count(
    text: &str,
    ranges: impl IntoIterator<Item = (usize, usize)>,
) -> usize {
    let mut breaks = 0;
    let any = sentences(text, ranges, |_| breaks += 1);
    if any {
        breaks + 1
    } else {
        0
    }
}

/// Runs spaCy's `Sentencizer` (default punctuation) over the tokens of `text` whose word
/// tokens are at the byte `ranges`: `on_end` gets the end of each sentence but the last.
/// Returns whether there was any token.
///
/// spaCy's tokenizer also makes a token of whitespace other than the single space that
/// follows a token: all leading whitespace, and any run between or after tokens that is not
/// exactly `" "` (less its first character when that is a space). Such a token is no
/// punctuation, so it starts a new sentence after a sentence-final mark.
fn sentences(
    text: &str,
    ranges: impl IntoIterator<Item = (usize, usize)>,
    mut on_end: impl FnMut(usize),
) -> bool {
    let mut state = Sentencizer::default();
    let mut prev = 0;
    let mut first = true;
    for (start, end) in ranges {
        if start > prev && (first || &text[prev..start] != " ") {
            state.token(TokenKind::Space, start, &mut on_end);
        }
        state.token(TokenKind::Word(&text[start..end]), end, &mut on_end);
        prev = end;
        first = false;
    }
    if prev < text.len() && (first || &text[prev..] != " ") {
        state.token(TokenKind::Space, text.len(), &mut on_end);
    }
    state.any
}

enum TokenKind<'a> {
    Word(&'a str),
    Space,
}

#[derive(Default)]
struct Sentencizer {
    any: bool,
    seen_period: bool,
    last_end: usize,
}

impl Sentencizer {
    fn token(&mut self, kind: TokenKind<'_>, end: usize, on_end: &mut impl FnMut(usize)) {
        let (is_punct, is_sentence_end) = match kind {
            TokenKind::Space => (false, false),
            TokenKind::Word(w) => {
                let mut chars = w.chars();
                let single = match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => None,
                };
                (
                    !w.is_empty() && w.chars().all(pystr::is_punct_category),
                    single.is_some_and(|c| {
                        SENTENCIZER_PUNCT_CHARS.binary_search(&(c as u32)).is_ok()
                    }),
                )
            }
        };
        if self.seen_period && !is_punct && !is_sentence_end {
            on_end(self.last_end);
            self.seen_period = false;
        } else if is_sentence_end {
            self.seen_period = true;
        }
        self.any = true;
        self.last_end = end;
    }
}

// Generated by tests/fixtures/gen_tables.py from spaCy 3.8's sentencizer.

/// spaCy `Sentencizer.default_punct_chars`: a token that is one of these ends a sentence.
#[rustfmt::skip]
static SENTENCIZER_PUNCT_CHARS: [u32; 128] = [
    0x21, 0x2E, 0x3F, 0x589, 0x61F, 0x6D4, 0x700, 0x701, 0x702, 0x7F9, 0x964, 0x965, 0x104A,
    0x104B, 0x1362, 0x1367, 0x1368, 0x166E, 0x1735, 0x1736, 0x1803, 0x1809, 0x1944, 0x1945,
    0x1AA8, 0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F, 0x1C3B, 0x1C3C, 0x1C7E,
    0x1C7F, 0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2E2E, 0x2E3C, 0x3002, 0xA4FF, 0xA60E,
    0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F, 0xA9C8, 0xA9C9, 0xAA5D,
    0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01, 0xFF0E, 0xFF1F,
    0xFF61, 0x10A56, 0x10A57, 0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141,
    0x11142, 0x11143, 0x111C5, 0x111C6, 0x111CD, 0x111DE, 0x111DF, 0x11238, 0x11239, 0x1123B,
    0x1123C, 0x112A9, 0x1144B, 0x1144C, 0x115C2, 0x115C3, 0x115C9, 0x115CA, 0x115CB, 0x115CC,
    0x115CD, 0x115CE, 0x115CF, 0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4, 0x115D5, 0x115D6,
    0x115D7, 0x11641, 0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11A42, 0x11A43, 0x11A9B, 0x11A9C,
    0x11C41, 0x11C42, 0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38, 0x16B44, 0x1BC9F, 0x1DA88,
];

#[cfg(test)]
mod tests {
    use super::*;

    struct Split;

    impl WordSource for Split {
        fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
            // Whitespace split, with a trailing . ! ? as its own token (like spaCy's suffixes).
            let mut out = Vec::new();
            for w in pystr::split_whitespace(text) {
                match w.char_indices().last() {
                    Some((i, '.' | '!' | '?')) if w[..i].ends_with(char::is_alphanumeric) => {
                        out.push(&w[..i]);
                        out.push(&w[i..]);
                    }
                    _ => out.push(w),
                }
            }
            out
        }
    }

    fn filter(f: impl FnOnce(&mut C4QualityOptions)) -> C4Quality {
        let mut o = C4QualityOptions::default();
        f(&mut o);
        C4Quality::with_word_source(o, Arc::new(Split))
    }

    fn run(f: &C4Quality, text: &str) -> (Option<String>, Option<String>) {
        let check = f.check(text, None);
        (check.reason, check.rewritten)
    }

    const GOOD: &str = "This is a fine sentence.";

    fn good_lines(n: usize) -> String {
        vec![GOOD; n].join("\n")
    }

    #[test]
    fn names() {
        assert_eq!(C4Quality::default().name(), "c4_quality");
        assert_eq!(C4Quality::fineweb().name(), "c4_quality_fineweb");
        assert_eq!(C4Quality::default().with_name("x").name(), "x");
    }

    #[test]
    fn min_num_sentences_boundary() {
        let f = filter(|_| {});
        assert_eq!(run(&f, &good_lines(5)), (None, None));
        assert_eq!(
            run(&f, &good_lines(4)).0.as_deref(),
            Some("too_few_sentences")
        );
        // Two sentences on one line count twice.
        let text = format!("{}\nOne two three. Four five six.", good_lines(3));
        assert_eq!(run(&f, &text), (None, None));
        // -1 is off.
        let f = filter(|o| o.min_num_sentences = -1);
        assert_eq!(run(&f, ""), (None, None));
        assert_eq!(run(&f, "no"), (None, Some(String::new())));
    }

    #[test]
    fn sentencizer_rules() {
        let count = |t: &str| sentence_count(t, word_ranges(t, &Split.words(t)).unwrap());
        assert_eq!(count(""), 0);
        assert_eq!(count("a b c"), 1);
        assert_eq!(count("a. b. c"), 3);
        // Punctuation after the mark stays in the sentence; a second space starts a token.
        assert_eq!(count("a. \" b"), 2);
        assert_eq!(count("a.  \""), 2);
        assert_eq!(count("a. \""), 1);
        assert_eq!(count("  a"), 1);
        // "..." is no sentence end.
        assert_eq!(count("a ... b"), 1);
    }

    #[test]
    fn terminal_punctuation_boundary() {
        let f = filter(|o| o.min_num_sentences = -1);
        for end in [".", "?", "!", "\"", "'"] {
            let line = format!("one two three{end}");
            assert_eq!(run(&f, &line), (None, None), "{end:?}");
        }
        for line in [
            "one two three",
            "one two three...",
            "one two three,",
            "one two three…",
        ] {
            assert_eq!(run(&f, line), (None, Some(String::new())), "{line:?}");
        }
        // A citation cut from the end leaves what was before it, not stripped again.
        assert_eq!(
            run(&f, "one two three.[1]"),
            (None, Some("one two three.".into()))
        );
        assert_eq!(run(&f, "one two three. [1]"), (None, Some(String::new())));
        // FineWeb's configuration keeps them.
        let f = filter(|o| {
            o.min_num_sentences = -1;
            o.filter_no_terminal_punct = false;
        });
        assert_eq!(run(&f, "one two three"), (None, None));
    }

    #[test]
    fn min_words_per_line_boundary() {
        let f = filter(|o| o.min_num_sentences = -1);
        assert_eq!(run(&f, "one two three."), (None, None));
        assert_eq!(
            run(&f, "one two.\nthree four five."),
            (None, Some("three four five.".into()))
        );
        // Counted before citations are cut.
        assert_eq!(run(&f, "one two [1]."), (None, Some("one two .".into())));
    }

    #[test]
    fn max_word_length_boundary() {
        let f = filter(|o| o.min_num_sentences = -1);
        let ok = format!("{} is long.", "é".repeat(1000));
        assert_eq!(run(&f, &ok), (None, None));
        let long = format!("{} is long.\nthis is kept.", "é".repeat(1001));
        assert_eq!(run(&f, &long), (None, Some("this is kept.".into())));
    }

    #[test]
    fn document_drops() {
        let f = filter(|_| {});
        let text = format!("{}\nSee LOREM Ipsum dolor.", good_lines(5));
        assert_eq!(run(&f, &text).0.as_deref(), Some("lorem_ipsum"));
        let text = format!("{}\nvar x = {{ a: 1 }}.", good_lines(5));
        assert_eq!(run(&f, &text).0.as_deref(), Some("curly_bracket"));
        // Only lines that got that far count: too short, no terminal mark.
        let text = format!("{}\nlorem ipsum\n{{ x }}", good_lines(5));
        assert_eq!(run(&f, &text), (None, Some(good_lines(5))));
        // A javascript line is removed before the bracket test.
        let text = format!("{}\nEnable JavaScript {{ now }}.", good_lines(5));
        assert_eq!(run(&f, &text), (None, Some(good_lines(5))));
    }

    #[test]
    fn javascript_and_policy_lines() {
        let f = filter(|o| o.min_num_sentences = -1);
        for line in [
            "Please enable JavaScript to see this.",
            "Read our Privacy Policy today.",
            "This site uses cookies, sorry.",
            "By the terms of use we agree.",
            "Our cookie policy is long.",
            "We use of cookies here.",
            "We use cookies here.",
        ] {
            let text = format!("{GOOD}\n{line}");
            assert_eq!(run(&f, &text), (None, Some(GOOD.into())), "{line}");
        }
        // The Kelvin sign lowercases to "k"; "İ" to "i̇", which matches nothing.
        let text = format!("{GOOD}\nOur coo\u{212A}ie policy here.\nA pr\u{130}vacy policy here.");
        assert_eq!(
            run(&f, &text),
            (None, Some(format!("{GOOD}\nA pr\u{130}vacy policy here.")))
        );
        let off = filter(|o| {
            o.min_num_sentences = -1;
            o.filter_javascript = false;
            o.filter_policy = false;
        });
        let text = "Please enable JavaScript now.\nRead our privacy policy.";
        assert_eq!(run(&off, text), (None, None));
    }

    #[test]
    fn only_two_characters_lowercase_to_ascii() {
        // Checked against CPython 3.11 too: [c for c in map(chr, range(128, 0x110000))
        // if any(ord(x) < 128 for x in c.lower())] == ['\u0130', '\u212a'].
        let found: Vec<char> = (128..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().any(|l| l.is_ascii()))
            .collect();
        assert_eq!(found, ['\u{130}', '\u{212a}']);
        let mut out = Vec::new();
        lower_for_ascii_search("JavaScrİpt \u{212a}Σ", &mut out);
        assert_eq!(out, b"javascri\xffpt k\xff");
    }

    #[test]
    fn citations() {
        assert_eq!(remove_citations("a[1]b[23]c[]d"), "abcd");
        assert_eq!(remove_citations("x[edit] y[citation needed]."), "x y.");
        assert_eq!(remove_citations("[٣]x[a][Edit]"), "x[a][Edit]");
        // No rescanning: "[[1]edit]" leaves "[edit]".
        assert_eq!(remove_citations("[[1]edit]"), "[edit]");
        assert_eq!(remove_citations("[1"), "[1");
        assert!(matches!(remove_citations("no brackets"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_are_python_lines_and_stripped() {
        let f = filter(|o| o.min_num_sentences = -1);
        let text = "  one two three.\r\nfour five six.\u{2028}seven eight nine.\x1c";
        assert_eq!(
            run(&f, text),
            (
                None,
                Some("one two three.\nfour five six.\nseven eight nine.".into())
            )
        );
    }

    #[test]
    fn sentence_mode() {
        let f = filter(|o| {
            o.split_paragraph = false;
            o.min_num_sentences = 2;
        });
        assert_eq!(
            run(&f, "One two three. Four five six.\nseven"),
            (None, Some("One two three. Four five six.".into()))
        );
        assert_eq!(
            run(&f, "One two three.").0.as_deref(),
            Some("too_few_sentences")
        );
        assert_eq!(run(&f, "").0.as_deref(), Some("too_few_sentences"));
    }

    #[test]
    fn fineweb_defaults() {
        let o = C4QualityOptions::fineweb();
        assert!(!o.filter_no_terminal_punct);
        assert_eq!(o.min_num_sentences, 5);
        assert_eq!(C4QualityOptions::default().max_word_length, 1000);
    }
}
