//! spaCy's rule-based tokenizer (`spacy.tokenizer.Tokenizer`), re-implemented over the
//! data that `scripts/export_spacy_tokenizer.py` exports (affix regexes, URL/token match
//! regexes, tokenizer exceptions).
//!
//! The algorithm follows spaCy 3.8's `Tokenizer.__call__`:
//! 1. split the text into runs of whitespace / non-whitespace (Python `str.isspace`); a single
//!    `' '` after a token is absorbed, any other whitespace becomes whitespace tokens;
//! 2. each non-whitespace run ("chunk") is a special case (exception) as a whole, or is
//!    peeled: prefixes and suffixes are split off in a loop that stops at a `token_match`
//!    or a special case, then the rest is a special case, a `token_match`/`url_match`
//!    token, or is split at infixes;
//! 3. finally special cases are searched again over the token sequence (spaCy's
//!    PhraseMatcher pass), which re-joins special cases that affix splitting broke up.
//!
//! Only what `split_into_words` returns is kept: token texts, whitespace tokens dropped.

use std::io::Read;
use std::sync::Arc;

use serde_json::Value;

use crate::hash::FastMap;
use crate::regex::{parse_seq, CharSet, Regex, Scratch, Tuples, EDGE_K};
use crate::TokenizeError;

/// Python's `str.isspace()` (Unicode White_Space by bidi class and Zs: includes
/// U+001C..U+001F, unlike Rust's `char::is_whitespace`).
#[inline]
pub(crate) fn py_isspace(c: char) -> bool {
    matches!(
        c as u32,
        0x09..=0x0d | 0x1c..=0x20 | 0x85 | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
    )
}

/// A token as byte offsets into the text; `start == end == usize::MAX` marks a whitespace
/// token, which never becomes a word but separates tokens for the special-case matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

const BARRIER: Tok = Tok {
    start: usize::MAX,
    end: usize::MAX,
};

impl Tok {
    #[inline]
    pub(crate) fn is_barrier(self) -> bool {
        self.start == usize::MAX
    }
}

/// Whether a shrinking window `[a, b)` of a chunk still holds a character of a set, in
/// linear time over all the windows of one chunk (`a` never moves back).
struct Presence<'s> {
    set: Option<&'s CharSet>,
    /// Where the last scan started (`None`: no scan yet).
    scanned_from: Option<usize>,
    /// The first position at or after `scanned_from` with a character of the set, or `end`.
    next: usize,
    end: usize,
}

impl<'s> Presence<'s> {
    fn new(set: Option<&'s CharSet>, end: usize) -> Self {
        Presence {
            set,
            scanned_from: None,
            next: end,
            end,
        }
    }

    fn any_in(&mut self, text: &str, a: usize, b: usize) -> bool {
        let Some(set) = self.set else { return true };
        // `next` stays right for any later start up to it; past it, scan on from `a`.
        if self.scanned_from.is_none() || self.next < a {
            self.next = text[a..self.end]
                .char_indices()
                .find(|&(_, c)| set.contains(c))
                .map_or(self.end, |(i, _)| a + i);
            self.scanned_from = Some(a);
        }
        self.next < b
    }
}

/// Per-call working memory.
#[derive(Default)]
pub(crate) struct Work {
    /// Take no shortcut (fast path, edge and presence filters): the plain algorithm, for
    /// tests that check the shortcuts change nothing.
    pub(crate) exhaustive: bool,
    scratch: Scratch,
    prefixes: Vec<(usize, usize)>,
    suffixes: Vec<(usize, usize)>,
    infixes: Vec<(usize, usize)>,
}

// Bits of the per-ASCII-character class table.
const SPACE: u8 = 1;
/// May be the first character of a prefix.
const START: u8 = 2;
/// May be the last character of a suffix.
const END: u8 = 4;
/// Anywhere in a chunk, may make an infix, token_match, url_match (or unanchored affix) match.
const INNER: u8 = 8;

/// Which chunks can skip the affix machinery: those that provably match no rule.
#[derive(Debug)]
struct FastPath {
    ascii: [u8; 128],
    start: CharSet,
    end: CharSet,
    inner: CharSet,
    /// Finer prefix test on the first characters (when the prefix regex is anchored).
    heads: Option<EdgeCheck>,
    /// Finer suffix test on the last characters (when the suffix regex is anchored).
    tails: Option<EdgeCheck>,
    always_slow: bool,
    /// `inner` as a bitmap over U+0000..U+FFFF.
    inner_bmp: Box<[u64]>,
}

impl FastPath {
    /// `inner.contains(c)`, through a bitmap for the Basic Multilingual Plane.
    #[inline]
    fn is_inner(&self, c: char) -> bool {
        let u = c as usize;
        if u < 0x10000 {
            self.inner_bmp[u >> 6] >> (u & 63) & 1 == 1
        } else {
            self.inner.contains(c)
        }
    }
}

/// Set tuples for the first (or last) few characters of a chunk, indexed by the edge
/// character.
#[derive(Debug)]
struct EdgeCheck {
    tuples: Tuples,
    by_ascii: Box<[Box<[u32]>]>,
    /// Non-ASCII edge characters of small edge sets → their tuples.
    by_char: FastMap<u32, Box<[u32]>>,
    /// Tuples whose (large) edge set has non-ASCII characters: checked one by one.
    other: Box<[u32]>,
    /// For an ASCII edge character and the ASCII character inside it: `PAIR_NO` (no
    /// tuple fits), `PAIR_YES` (a tuple of at most two fits) or `PAIR_MAYBE` (only longer
    /// tuples could fit: check them).
    pairs: Box<[u8]>,
    /// For a one-character ASCII string: can a tuple of length one match it?
    singles: [bool; 128],
}

const PAIR_NO: u8 = 0;
const PAIR_YES: u8 = 1;
const PAIR_MAYBE: u8 = 2;

impl EdgeCheck {
    fn new(tuples: &Tuples) -> EdgeCheck {
        /// Edge sets up to this many non-ASCII characters are listed per character.
        const SMALL: u64 = 64;
        let mut by_ascii: Vec<Vec<u32>> = vec![Vec::new(); 128];
        let mut by_char: FastMap<u32, Vec<u32>> = FastMap::default();
        let mut other = Vec::new();
        for (i, t) in tuples.iter().enumerate() {
            let Some(edge) = t.first() else { continue };
            for (b, v) in by_ascii.iter_mut().enumerate() {
                if edge.contains_ascii(b as u8) {
                    v.push(i as u32);
                }
            }
            match edge.non_ascii_chars(SMALL) {
                Some(chars) => {
                    for c in chars {
                        by_char.entry(c).or_default().push(i as u32);
                    }
                }
                None => other.push(i as u32),
            }
        }
        let mut pairs = vec![PAIR_NO; 128 * 128];
        for (c0, list) in by_ascii.iter().enumerate() {
            for c1 in 0..128usize {
                let mut v = PAIR_NO;
                for &i in list {
                    let t = &tuples[i as usize];
                    if t.len() == 1 {
                        v = PAIR_YES;
                    } else if t[1].contains_ascii(c1 as u8) {
                        v = if t.len() == 2 {
                            PAIR_YES
                        } else {
                            v.max(PAIR_MAYBE)
                        };
                    }
                    if v == PAIR_YES {
                        break;
                    }
                }
                pairs[c0 * 128 + c1] = v;
            }
        }
        let mut singles = [false; 128];
        for (c0, list) in by_ascii.iter().enumerate() {
            singles[c0] = list.iter().any(|&i| tuples[i as usize].len() == 1);
        }
        EdgeCheck {
            tuples: tuples.clone(),
            by_ascii: by_ascii.into_iter().map(Vec::into_boxed_slice).collect(),
            by_char: by_char
                .into_iter()
                .map(|(c, v)| (c, v.into_boxed_slice()))
                .collect(),
            other: other.into_boxed_slice(),
            pairs: pairs.into_boxed_slice(),
            singles,
        }
    }

    /// `may_match` for the chunk `s`, from its start or its end.
    #[inline]
    fn may_match_chunk(&self, s: &str, from_end: bool) -> bool {
        let b = s.as_bytes();
        match b.len() {
            0 => return false,
            1 if b[0] < 128 => return self.singles[usize::from(b[0])],
            _ => {
                let (c0, c1) = if from_end {
                    (b[b.len() - 1], b[b.len() - 2])
                } else {
                    (b[0], b[1])
                };
                if c0 < 128 && c1 < 128 {
                    match self.pairs[usize::from(c0) * 128 + usize::from(c1)] {
                        PAIR_NO => return false,
                        PAIR_YES => return true,
                        // Only tuples of three could fit, and there is no third character.
                        _ if b.len() == 2 => return false,
                        _ => {}
                    }
                }
            }
        }
        self.may_match(&edge_chars(s, from_end))
    }

    /// Can a match have these edge characters (`chars[0]` the outermost)?
    fn may_match(&self, chars: &[Option<char>; EDGE_K]) -> bool {
        let Some(c0) = chars[0] else { return false };
        let fits = |&i: &u32| {
            self.tuples[i as usize]
                .iter()
                .zip(chars.iter())
                .all(|(set, c)| c.is_some_and(|c| set.contains(c)))
        };
        if (c0 as u32) < 128 {
            return self.by_ascii[c0 as usize].iter().any(fits);
        }
        self.by_char
            .get(&(c0 as u32))
            .is_some_and(|l| l.iter().any(fits))
            || self.other.iter().any(fits)
    }
}

/// One node of the special-case matcher's token trie.
#[derive(Debug, Default)]
struct MatchNode {
    children: FastMap<Box<str>, u32>,
    terminal: bool,
}

/// spaCy's special-case PhraseMatcher: token sequences that a special case splits into
/// when tokenized without special cases.
#[derive(Debug)]
struct Matcher {
    nodes: Vec<MatchNode>,
    /// Longest first token (bytes): longer tokens cannot start a match.
    max_first_len: usize,
    /// The first tokens' (first byte, last byte, length) triples.
    first_filter: EdgeBloom,
    /// Some single-token pattern is re-tokenized into several tokens (then any token can
    /// change; otherwise only tokens that touch another can).
    has_single: bool,
    /// Some special case contains a space: its tokens lie in chunks one space apart.
    spaced: bool,
}

/// A bitmap over (first byte, last byte, length) of a set of strings: a cheap "certainly
/// not in the set" test.
#[derive(Debug)]
struct EdgeBloom {
    bits: Box<[u64; 1024]>,
}

impl Default for EdgeBloom {
    fn default() -> Self {
        EdgeBloom {
            bits: Box::new([0; 1024]),
        }
    }
}

impl EdgeBloom {
    #[inline]
    fn slot(s: &str) -> usize {
        let b = s.as_bytes();
        let (Some(&f), Some(&l)) = (b.first(), b.last()) else {
            return 0;
        };
        ((usize::from(f) * 31 + usize::from(l)) * 31 + b.len().min(1 << 10)) & 0xFFFF
    }

    fn insert(&mut self, s: &str) {
        let i = Self::slot(s);
        self.bits[i >> 6] |= 1 << (i & 63);
    }

    #[inline]
    fn may_contain(&self, s: &str) -> bool {
        let i = Self::slot(s);
        self.bits[i >> 6] >> (i & 63) & 1 == 1
    }
}

/// The rule-based tokenizer of one spaCy language.
#[derive(Debug)]
pub(crate) struct RuleTokenizer {
    prefix: Option<Regex>,
    suffix: Option<Regex>,
    infix: Option<Regex>,
    token_match: Option<Regex>,
    url_match: Option<Regex>,
    /// Special case → byte lengths of its tokens.
    specials: FastMap<Box<str>, Box<[u32]>>,
    special_min: usize,
    special_max: usize,
    /// Which (first byte, last byte, length) triples special cases have: most words
    /// are ruled out without hashing.
    special_filter: EdgeBloom,
    matcher: Matcher,
    fast: FastPath,
}

fn bad(msg: impl Into<String>) -> TokenizeError {
    TokenizeError::Data(msg.into())
}

/// Decompresses and parses one gzipped JSON data file.
pub(crate) fn read_gz_json(bytes: &[u8]) -> Result<Value, TokenizeError> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut json)
        .map_err(|e| bad(format!("gunzip: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| bad(format!("json: {e}")))
}

fn parse_regex(v: &Value, sets: &Arc<[CharSet]>) -> Result<Option<Regex>, TokenizeError> {
    if v.is_null() {
        return Ok(None);
    }
    let alts = v
        .get("alts")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("regex without alternatives"))?
        .iter()
        .map(|a| parse_seq(a, sets.len()))
        .collect::<Result<Vec<_>, _>>()?;
    Regex::new(&alts, Arc::clone(sets)).map(Some)
}

fn string_list(v: &Value) -> Result<Vec<&str>, TokenizeError> {
    v.as_array()
        .ok_or_else(|| bad("expected a list of strings"))?
        .iter()
        .map(|s| s.as_str().ok_or_else(|| bad("expected a string")))
        .collect()
}

impl RuleTokenizer {
    /// Builds the tokenizer from one exported language file (gzipped JSON).
    pub(crate) fn from_gz(bytes: &[u8]) -> Result<RuleTokenizer, TokenizeError> {
        let data = read_gz_json(bytes)?;
        let sets: Arc<[CharSet]> = data
            .get("sets")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no sets"))?
            .iter()
            .map(|s| {
                let flat = s.as_array().ok_or_else(|| bad("bad set"))?;
                let nums = flat
                    .iter()
                    .map(|x| {
                        x.as_u64()
                            .and_then(|x| u32::try_from(x).ok())
                            .ok_or_else(|| bad("bad set bound"))
                    })
                    .collect::<Result<Vec<u32>, _>>()?;
                if nums.len() % 2 != 0 {
                    return Err(bad("odd set bounds"));
                }
                let ranges: Vec<(u32, u32)> = nums.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                Ok(CharSet::from_ranges(&ranges))
            })
            .collect::<Result<Vec<_>, TokenizeError>>()?
            .into();
        let field = |k: &str| data.get(k).unwrap_or(&Value::Null);
        let prefix = parse_regex(field("prefix"), &sets)?;
        let suffix = parse_regex(field("suffix"), &sets)?;
        let infix = parse_regex(field("infix"), &sets)?;
        let token_match = parse_regex(field("token_match"), &sets)?;
        let url_match = parse_regex(field("url_match"), &sets)?;

        let mut specials = FastMap::default();
        let mut special_filter = EdgeBloom::default();
        let mut special_min = usize::MAX;
        let mut special_max = 0;
        for (key, orths) in field("rules").as_object().ok_or_else(|| bad("no rules"))? {
            let pieces = string_list(orths)?;
            if pieces.concat() != *key || pieces.iter().any(|p| p.is_empty()) {
                return Err(bad(format!("special case {key:?} does not spell its key")));
            }
            special_filter.insert(key);
            special_min = special_min.min(key.len());
            special_max = special_max.max(key.len());
            let lens: Box<[u32]> = pieces.iter().map(|p| p.len() as u32).collect();
            specials.insert(key.as_str().into(), lens);
        }

        let mut matcher = Matcher {
            nodes: vec![MatchNode::default()],
            max_first_len: 0,
            first_filter: EdgeBloom::default(),
            has_single: false,
            spaced: false,
        };
        for (key, toks) in field("matcher")
            .as_object()
            .ok_or_else(|| bad("no matcher"))?
        {
            // Whitespace-only special cases only ever match whitespace tokens, which never
            // become words and are never part of another match: leave them out.
            if key.chars().all(py_isspace) {
                continue;
            }
            let toks = string_list(toks)?;
            // Single spaces between a pattern's tokens are absorbed; other whitespace would
            // be whitespace tokens, which this port does not keep (no language has them).
            if toks
                .iter()
                .any(|t| t.is_empty() || t.chars().any(py_isspace))
            {
                return Err(bad(format!(
                    "matcher pattern for {key:?} has whitespace tokens"
                )));
            }
            let spelled: String = key.chars().filter(|&c| c != ' ').collect();
            if toks.concat() != spelled {
                return Err(bad(format!(
                    "matcher pattern for {key:?} does not spell it"
                )));
            }
            matcher.spaced |= key.contains(' ');
            // A one-token match changes nothing when its special case is that one token.
            matcher.has_single |= toks.len() == 1
                && specials
                    .get(key.as_str())
                    .is_some_and(|lens| lens.len() > 1);
            matcher.add(&toks);
        }

        let fast = FastPath::new(
            prefix.as_ref(),
            suffix.as_ref(),
            infix.as_ref(),
            token_match.as_ref(),
            url_match.as_ref(),
        );
        Ok(RuleTokenizer {
            prefix,
            suffix,
            infix,
            token_match,
            url_match,
            specials,
            special_min,
            special_max,
            special_filter,
            matcher,
            fast,
        })
    }

    #[inline]
    fn special(&self, s: &str) -> Option<&[u32]> {
        if s.len() < self.special_min
            || s.len() > self.special_max
            || !self.special_filter.may_contain(s)
        {
            return None;
        }
        self.special_lookup(s)
    }

    #[inline(never)]
    fn special_lookup(&self, s: &str) -> Option<&[u32]> {
        self.specials.get(s).map(|b| &**b)
    }

    /// Does `s` have a character some infix, token_match or url_match needs?
    fn has_inner(&self, s: &str) -> bool {
        self.fast.always_slow || s.chars().any(|c| self.fast.is_inner(c))
    }

    #[inline]
    fn is_special(&self, s: &str) -> bool {
        self.special(s).is_some()
    }

    /// `token_match(text[a..b])`, with `present` tracking where its required characters are.
    fn token_match_hit(
        &self,
        text: &str,
        a: usize,
        b: usize,
        present: &mut Presence<'_>,
        w: &mut Work,
    ) -> bool {
        match &self.token_match {
            Some(r) => {
                present.any_in(text, a, b) && r.is_match_at_start(&text[a..b], &mut w.scratch)
            }
            None => false,
        }
    }

    fn url_match_hit(&self, s: &str, w: &mut Work) -> bool {
        self.url_match.as_ref().is_some_and(|r| {
            (w.exhaustive
                || r.required()
                    .is_none_or(|req| s.chars().any(|c| req.contains(c))))
                && r.is_match_at_start(s, &mut w.scratch)
        })
    }

    /// spaCy `find_prefix`: the prefix length, as bytes of `s`.
    fn find_prefix(&self, s: &str, w: &mut Work) -> usize {
        let Some(r) = &self.prefix else { return 0 };
        if self
            .fast
            .heads
            .as_ref()
            .is_some_and(|h| !w.exhaustive && !h.may_match_chunk(s, false))
        {
            return 0;
        }
        match r.search(s, &mut w.scratch) {
            // spaCy cuts `match.end() - match.start()` characters off the front, wherever the
            // match was.
            Some((0, b)) => b,
            Some((a, b)) => nth_char_offset(s, s[a..b].chars().count()),
            None => 0,
        }
    }

    /// spaCy `find_suffix`: the suffix length, as bytes of `s`.
    fn find_suffix(&self, s: &str, w: &mut Work) -> usize {
        let Some(r) = &self.suffix else { return 0 };
        if self
            .fast
            .tails
            .as_ref()
            .is_some_and(|t| !w.exhaustive && !t.may_match_chunk(s, true))
        {
            return 0;
        }
        match r.search(s, &mut w.scratch) {
            Some((a, b)) if b == s.len() => b - a,
            Some((a, b)) => {
                let n = s[a..b].chars().count();
                s.len() - nth_char_offset_from_end(s, n)
            }
            None => 0,
        }
    }

    fn push_special(out: &mut Vec<Tok>, start: usize, lens: &[u32]) {
        let mut p = start;
        for &l in lens {
            let e = p + l as usize;
            out.push(Tok { start: p, end: e });
            p = e;
        }
    }

    /// Tokens of `text`, including whitespace barriers, before the special-case matcher.
    pub(crate) fn tokenize_affixes(&self, text: &str, out: &mut Vec<Tok>, w: &mut Work) {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            let ws_start = i;
            while i < n {
                let b = bytes[i];
                if b < 128 {
                    if self.fast.ascii[b as usize] & SPACE == 0 {
                        break;
                    }
                    i += 1;
                } else {
                    let c = decode_at(text, i);
                    if !py_isspace(c) {
                        break;
                    }
                    i += c.len_utf8();
                }
            }
            // Whitespace other than one ' ' after a token becomes whitespace tokens.
            if i > ws_start && !out.is_empty() && !(i - ws_start == 1 && bytes[ws_start] == b' ') {
                out.push(BARRIER);
            }
            if i >= n {
                break;
            }
            let start = i;
            // OR of the classes of the chunk's ASCII characters; INNER also for others.
            let mut acc = 0u8;
            while i < n {
                let b = bytes[i];
                if b < 128 {
                    let cls = self.fast.ascii[b as usize];
                    if cls & SPACE != 0 {
                        break;
                    }
                    acc |= cls;
                    i += 1;
                } else {
                    let c = decode_at(text, i);
                    if py_isspace(c) {
                        break;
                    }
                    if self.fast.is_inner(c) {
                        acc |= INNER;
                    }
                    i += c.len_utf8();
                }
            }
            let inner = acc & INNER != 0;
            let first = match bytes[start] {
                b if b < 128 => self.fast.ascii[b as usize] & START != 0,
                _ => self.fast.start.contains(decode_at(text, start)),
            };
            let last = match bytes[i - 1] {
                b if b < 128 => self.fast.ascii[b as usize] & END != 0,
                _ => text[start..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| self.fast.end.contains(c)),
            };
            let chunk = &text[start..i];
            if let Some(lens) = self.special(chunk) {
                Self::push_special(out, start, lens);
                continue;
            }
            let first = first
                && self
                    .fast
                    .heads
                    .as_ref()
                    .is_none_or(|h| h.may_match_chunk(chunk, false));
            let last = last
                && self
                    .fast
                    .tails
                    .as_ref()
                    .is_none_or(|t| t.may_match_chunk(chunk, true));
            if !(first || last || inner || self.fast.always_slow || w.exhaustive) {
                out.push(Tok { start, end: i });
            } else {
                let skip_inner = !inner && !self.fast.always_slow && !w.exhaustive;
                self.tokenize_chunk(text, start, i, skip_inner, out, w);
            }
        }
    }

    /// spaCy `_split_affixes` + `_attach_tokens` for the chunk `text[s..e]`.
    ///
    /// `no_inner`: the chunk has no character that token_match, url_match or an infix
    /// needs, so none of them can match any part of it.
    fn tokenize_chunk(
        &self,
        text: &str,
        s: usize,
        e: usize,
        no_inner: bool,
        out: &mut Vec<Tok>,
        w: &mut Work,
    ) {
        let mut a = s;
        let mut b = e;
        w.prefixes.clear();
        w.suffixes.clear();
        w.scratch.reset_budget(e - s);
        let required = self
            .token_match
            .as_ref()
            .and_then(Regex::required)
            .filter(|_| !w.exhaustive);
        let mut present = Presence::new(required, e);
        let mut last_size = usize::MAX;
        while a < b && b - a != last_size {
            let string = &text[a..b];
            if !no_inner && self.token_match_hit(text, a, b, &mut present, w) {
                break;
            }
            if self.is_special(string) {
                break;
            }
            last_size = b - a;
            let pre_len = self.find_prefix(string, w);
            if pre_len != 0 {
                let minus_pre = &text[a + pre_len..b];
                if !minus_pre.is_empty() && self.is_special(minus_pre) {
                    w.prefixes.push((a, a + pre_len));
                    a += pre_len;
                    break;
                }
            }
            let suf_len = self.find_suffix(&text[a + pre_len..b], w);
            if suf_len != 0 {
                let minus_suf = &text[a..b - suf_len];
                if !minus_suf.is_empty() && self.is_special(minus_suf) {
                    w.suffixes.push((b - suf_len, b));
                    b -= suf_len;
                    break;
                }
            }
            if pre_len != 0 && suf_len != 0 && pre_len + suf_len <= b - a {
                w.prefixes.push((a, a + pre_len));
                w.suffixes.push((b - suf_len, b));
                a += pre_len;
                b -= suf_len;
            } else if pre_len != 0 {
                w.prefixes.push((a, a + pre_len));
                a += pre_len;
            } else if suf_len != 0 {
                w.suffixes.push((b - suf_len, b));
                b -= suf_len;
            }
        }

        out.extend(w.prefixes.iter().map(|&(start, end)| Tok { start, end }));
        if a < b {
            let string = &text[a..b];
            if let Some(lens) = self.special(string) {
                Self::push_special(out, a, lens);
            } else if no_inner
                || (!w.exhaustive && !self.has_inner(string))
                || self.token_match_hit(text, a, b, &mut present, w)
                || self.url_match_hit(string, w)
            {
                // Without inner characters there are no infixes either: one token.
                out.push(Tok { start: a, end: b });
            } else {
                let mut infixes = std::mem::take(&mut w.infixes);
                match &self.infix {
                    Some(r) => r.find_iter(string, &mut w.scratch, &mut infixes),
                    None => infixes.clear(),
                }
                if infixes.is_empty() {
                    out.push(Tok { start: a, end: b });
                } else {
                    let mut start = 0;
                    for &(is, ie) in &infixes {
                        // A match at the very start does not split (spaCy skips it).
                        if is == 0 {
                            continue;
                        }
                        if is != start {
                            out.push(Tok {
                                start: a + start,
                                end: a + is,
                            });
                        }
                        if is != ie {
                            out.push(Tok {
                                start: a + is,
                                end: a + ie,
                            });
                        }
                        start = ie;
                    }
                    if start < string.len() {
                        out.push(Tok {
                            start: a + start,
                            end: b,
                        });
                    }
                }
                w.infixes = infixes;
            }
        }
        out.extend(
            w.suffixes
                .iter()
                .rev()
                .map(|&(start, end)| Tok { start, end }),
        );
    }

    /// spaCy `_apply_special_cases`: find special cases again over the token sequence
    /// and re-tokenize those found as they are spelled in the text.
    pub(crate) fn apply_special_cases(&self, text: &str, toks: &mut Vec<Tok>, exhaustive: bool) {
        let m = &self.matcher;
        if m.nodes[0].children.is_empty() || !(exhaustive || self.special_cases_change(text, toks))
        {
            return;
        }
        let tok_text = |t: Tok| {
            if t.is_barrier() {
                None
            } else {
                Some(&text[t.start..t.end])
            }
        };
        let mut matches: Vec<(usize, usize)> = Vec::new();
        let n = toks.len();
        for idx in 0..n {
            let t = toks[idx];
            if t.is_barrier() || t.end - t.start > m.max_first_len {
                continue;
            }
            let word = &text[t.start..t.end];
            if !m.first_filter.may_contain(word) {
                continue;
            }
            let Some(&child) = m.nodes[0].children.get(word) else {
                continue;
            };
            let mut node = child as usize;
            let mut idy = idx + 1;
            loop {
                if m.nodes[node].terminal {
                    matches.push((idx, idy));
                }
                if idy >= n {
                    break;
                }
                match tok_text(toks[idy]).and_then(|s| m.nodes[node].children.get(s)) {
                    Some(&c) => {
                        node = c as usize;
                        idy += 1;
                    }
                    None => break,
                }
            }
        }
        if matches.is_empty() {
            return;
        }
        // Longest first, then leftmost; a span is kept unless its first or last token was
        // already covered, and every span considered covers its tokens (kept or not).
        matches.sort_unstable_by(|x, y| (y.1 - y.0).cmp(&(x.1 - x.0)).then(x.0.cmp(&y.0)));
        let mut seen = vec![false; n];
        let mut kept: Vec<(usize, usize)> = Vec::new();
        for &(s, e) in &matches {
            if !seen[s] && !seen[e - 1] {
                kept.push((s, e));
            }
            for x in &mut seen[s..e] {
                *x = true;
            }
        }
        kept.sort_unstable();
        let mut new: Vec<Tok> = Vec::with_capacity(toks.len() + 4);
        let mut i = 0;
        let mut k = 0;
        while i < n {
            if k < kept.len() && kept[k].0 == i {
                let (s, e) = kept[k];
                k += 1;
                let span_start = toks[s].start;
                let span_end = toks[e - 1].end;
                match self.special(&text[span_start..span_end]) {
                    Some(lens) => Self::push_special(&mut new, span_start, lens),
                    None => new.extend_from_slice(&toks[s..e]),
                }
                i = e;
            } else {
                new.push(toks[i]);
                i += 1;
            }
        }
        *toks = new;
    }
}

impl RuleTokenizer {
    /// Could the special-case pass change `toks`? Only a match whose tokens touch (no
    /// whitespace between them) is re-tokenized, and only by its special case's own split.
    /// If every such match is already split that way, whatever spans the pass keeps, the
    /// tokens stay as they are.
    fn special_cases_change(&self, text: &str, toks: &[Tok]) -> bool {
        let m = &self.matcher;
        let n = toks.len();
        // Tokens a special case could span: no whitespace between them, or (for languages
        // with special cases like "EE. UU.") one absorbed space.
        let touching = |i: usize| {
            i + 1 < n
                && !toks[i + 1].is_barrier()
                && (toks[i + 1].start == toks[i].end
                    || (m.spaced && toks[i + 1].start == toks[i].end + 1))
        };
        for idx in 0..n {
            let t = toks[idx];
            if t.is_barrier()
                || t.end - t.start > m.max_first_len
                || !(m.has_single || touching(idx))
            {
                continue;
            }
            let word = &text[t.start..t.end];
            if !m.first_filter.may_contain(word) {
                continue;
            }
            let Some(&child) = m.nodes[0].children.get(word) else {
                continue;
            };
            let mut node = child as usize;
            let mut idy = idx + 1;
            loop {
                if m.nodes[node].terminal {
                    let span = &text[t.start..toks[idy - 1].end];
                    let same = self.special(span).is_some_and(|lens| {
                        lens.len() == idy - idx
                            && lens
                                .iter()
                                .zip(&toks[idx..idy])
                                .all(|(&l, t)| l as usize == t.end - t.start)
                    });
                    if !same {
                        return true;
                    }
                }
                if !touching(idy - 1) {
                    break;
                }
                let next = toks[idy];
                match m.nodes[node].children.get(&text[next.start..next.end]) {
                    Some(&c) => {
                        node = c as usize;
                        idy += 1;
                    }
                    None => break,
                }
            }
        }
        false
    }
}

impl Matcher {
    fn add(&mut self, toks: &[&str]) {
        let Some(first) = toks.first() else { return };
        self.max_first_len = self.max_first_len.max(first.len());
        self.first_filter.insert(first);

        let mut node = 0usize;
        for t in toks {
            let next = match self.nodes[node].children.get(*t) {
                Some(&c) => c as usize,
                None => {
                    let id = self.nodes.len();
                    self.nodes.push(MatchNode::default());
                    self.nodes[node].children.insert((*t).into(), id as u32);
                    id
                }
            };
            node = next;
        }
        self.nodes[node].terminal = true;
    }
}

impl FastPath {
    fn new(
        prefix: Option<&Regex>,
        suffix: Option<&Regex>,
        infix: Option<&Regex>,
        token_match: Option<&Regex>,
        url_match: Option<&Regex>,
    ) -> FastPath {
        let mut start = CharSet::default();
        let mut end = CharSet::default();
        let mut inner = CharSet::default();
        let mut always_slow = false;
        if let Some(p) = prefix {
            // A non-empty prefix starts with one of these; elsewhere if not anchored.
            if p.anchored_start() {
                start = start.union(p.first_union());
            } else {
                inner = inner.union(p.first_union());
            }
        }
        if let Some(s) = suffix {
            if s.anchored_end() {
                end = end.union(s.last_union());
            } else {
                inner = inner.union(s.first_union());
            }
        }
        if let Some(i) = infix {
            // Empty infix matches also split: no character tells where they can occur.
            if i.can_match_empty() {
                always_slow = true;
            }
            inner = inner.union(i.first_union());
        }
        for r in [token_match, url_match].into_iter().flatten() {
            match r.required() {
                Some(req) => inner = inner.union(req),
                None => always_slow = true,
            }
        }
        let mut ascii = [0u8; 128];
        for (b, cls) in ascii.iter_mut().enumerate() {
            let c = b as u8 as char;
            if py_isspace(c) {
                *cls |= SPACE;
            }
            if start.contains(c) {
                *cls |= START;
            }
            if end.contains(c) {
                *cls |= END;
            }
            if inner.contains(c) {
                *cls |= INNER;
            }
        }
        let mut inner_bmp = vec![0u64; 1024];
        for u in 0..0x10000u32 {
            if char::from_u32(u).is_some_and(|c| inner.contains(c)) {
                inner_bmp[(u >> 6) as usize] |= 1 << (u & 63);
            }
        }
        FastPath {
            inner_bmp: inner_bmp.into_boxed_slice(),
            ascii,
            start,
            end,
            inner,
            heads: prefix
                .filter(|p| p.anchored_start())
                .and_then(Regex::heads)
                .map(EdgeCheck::new),
            tails: suffix
                .filter(|s| s.anchored_end())
                .and_then(Regex::tails)
                .map(EdgeCheck::new),
            always_slow,
        }
    }
}

/// The first (or last) `EDGE_K` characters of `s`, outermost first.
fn edge_chars(s: &str, from_end: bool) -> [Option<char>; EDGE_K] {
    let mut out = [None; EDGE_K];
    if from_end {
        for (slot, c) in out.iter_mut().zip(s.chars().rev()) {
            *slot = Some(c);
        }
    } else {
        for (slot, c) in out.iter_mut().zip(s.chars()) {
            *slot = Some(c);
        }
    }
    out
}

#[inline]
fn decode_at(text: &str, i: usize) -> char {
    text.get(i..)
        .and_then(|s| s.chars().next())
        .unwrap_or('\u{FFFD}')
}

/// Byte offset of the `n`-th character of `s` (or its length).
fn nth_char_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Byte offset where the last `n` characters of `s` begin.
fn nth_char_offset_from_end(s: &str, n: usize) -> usize {
    if n == 0 {
        return s.len();
    }
    s.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i)
}
