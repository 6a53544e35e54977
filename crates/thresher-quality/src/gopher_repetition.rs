//! datatrove's `GopherRepetitionFilter` (Gopher, Rae et al. 2021, table A1): drops texts whose
//! paragraphs, lines or word n-grams repeat too much.
//!
//! Checks, in datatrove's order (the first that fails names the reason):
//! `dup_para_frac`, `dup_para_char_frac`, `dup_line_frac`, `dup_line_char_frac`,
//! `top_{n}_gram` for each of `top_n_grams`, `duplicated_{n}_n_grams` for each of
//! `dup_n_grams`; an empty text is dropped as `empty`. Paragraphs are the stripped text split
//! at runs of two or more `\n`, lines the text split at runs of `\n`; character counts are in
//! code points and ratios are against the whole text's length.
//!
//! n-grams are compared as datatrove's strings. Top n-grams are `" ".join` of the words: when
//! no word is empty or holds a space, equal strings are equal words, so they are counted by
//! word ids, each length from the one before and only where that one repeats (otherwise the
//! strings themselves are counted). Duplicated n-grams are `"".join` (different word splits
//! of the same characters are equal): they are keyed by a polynomial hash of the joined bytes,
//! in constant time from prefix sums, and compared in full when keys meet, so a collision costs
//! a comparison, never a wrong count; positions whose first joined bytes start nowhere else
//! are skipped.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use thresher_tokenize::TokenizeError;

use crate::filter::Check;
use crate::pystr;
use crate::text::{FastState, TextView, WordSource, Words};

/// `GopherRepetitionFilter`'s parameters; `Default` is datatrove's.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GopherRepetitionOptions {
    /// Drop when more than this fraction of lines are repeats (`None` or 0 = off).
    #[serde(with = "crate::off")]
    pub dup_line_frac: Option<f64>,
    /// Drop when more than this fraction of paragraphs are repeats (`None` or 0 = off).
    #[serde(with = "crate::off")]
    pub dup_para_frac: Option<f64>,
    /// Drop when repeated lines hold more than this fraction of the characters.
    #[serde(with = "crate::off")]
    pub dup_line_char_frac: Option<f64>,
    /// Drop when repeated paragraphs hold more than this fraction of the characters.
    #[serde(with = "crate::off")]
    pub dup_para_char_frac: Option<f64>,
    /// `(n, fraction)`: drop when the most frequent word n-gram, times its count, covers more
    /// than `fraction` of the characters.
    pub top_n_grams: Vec<(usize, f64)>,
    /// `(n, fraction)`: drop when repeated word n-grams cover more than `fraction` of the
    /// characters.
    pub dup_n_grams: Vec<(usize, f64)>,
    /// datatrove language code of the word tokenizer (`"eng"`).
    pub language: String,
}

impl Default for GopherRepetitionOptions {
    fn default() -> Self {
        GopherRepetitionOptions {
            dup_line_frac: Some(0.3),
            dup_para_frac: Some(0.3),
            dup_line_char_frac: Some(0.2),
            dup_para_char_frac: Some(0.2),
            top_n_grams: vec![(2, 0.2), (3, 0.18), (4, 0.16)],
            dup_n_grams: vec![
                (5, 0.15),
                (6, 0.14),
                (7, 0.13),
                (8, 0.12),
                (9, 0.11),
                (10, 0.10),
            ],
            language: "eng".to_string(),
        }
    }
}

/// datatrove's `GopherRepetitionFilter`, named `gopher_repetition`.
#[derive(Debug, Clone)]
pub struct GopherRepetition {
    options: GopherRepetitionOptions,
    words: Words,
}

impl GopherRepetition {
    /// The filter with `options`; fails when no word tokenizer knows `options.language`.
    pub fn new(options: GopherRepetitionOptions) -> Result<Self, TokenizeError> {
        let words = Words::for_language(&options.language)?;
        Ok(Self::with_words(options, words))
    }

    pub(crate) fn with_words(options: GopherRepetitionOptions, words: Words) -> Self {
        GopherRepetition { options, words }
    }

    /// The filter with words from `source` instead of the language's tokenizer.
    pub fn with_word_source(options: GopherRepetitionOptions, source: Arc<dyn WordSource>) -> Self {
        Self::with_words(options, Words::Custom(source))
    }

    /// The parameters.
    pub fn options(&self) -> &GopherRepetitionOptions {
        &self.options
    }

    fn decide(&self, view: &TextView<'_>) -> Check {
        let o = &self.options;
        let text = view.text();
        if text.is_empty() {
            return Check::drop("empty");
        }
        let text_len = view.char_len();

        let paragraphs = find_duplicates(pystr::split_newline_runs(pystr::strip(text), 2));
        if on(o.dup_para_frac).is_some_and(|f| pystr::div(paragraphs.repeats, paragraphs.items) > f)
        {
            return Check::drop("dup_para_frac");
        }
        if on(o.dup_para_char_frac).is_some_and(|f| pystr::div(paragraphs.chars, text_len) > f) {
            return Check::drop("dup_para_char_frac");
        }

        let lines = find_duplicates(pystr::split_newline_runs(text, 1));
        if on(o.dup_line_frac).is_some_and(|f| pystr::div(lines.repeats, lines.items) > f) {
            return Check::drop("dup_line_frac");
        }
        if on(o.dup_line_char_frac).is_some_and(|f| pystr::div(lines.chars, text_len) > f) {
            return Check::drop("dup_line_char_frac");
        }

        if o.top_n_grams.is_empty() && o.dup_n_grams.is_empty() {
            return Check::keep();
        }
        let words = view.words(self.words.get());
        let mut ngrams = Ngrams::new(&words);
        for &(n, frac) in &o.top_n_grams {
            if let Some(top) = ngrams.top_chars(n) {
                if pystr::div(top, text_len) > frac {
                    return Check::drop(format!("top_{n}_gram"));
                }
            }
        }
        for &(n, frac) in &o.dup_n_grams {
            let over = |chars| pystr::div(chars, text_len) > frac;
            if over(ngrams.repeated_chars(n, over)) {
                return Check::drop(format!("duplicated_{n}_n_grams"));
            }
        }
        Check::keep()
    }
}

impl Default for GopherRepetition {
    fn default() -> Self {
        Self::with_words(
            GopherRepetitionOptions::default(),
            Words::Tokenizer(thresher_tokenize::Tokenizer::english()),
        )
    }
}

crate::text::view_filter!(GopherRepetition, "gopher_repetition");

/// A threshold as Python's `if self.x and ...` sees it: `None` and `0.0` switch it off.
pub(crate) fn on(x: Option<f64>) -> Option<f64> {
    x.filter(|&v| v != 0.0)
}

/// datatrove's `find_duplicates`, plus the number of items.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Duplicates {
    pub(crate) items: usize,
    /// Items equal to an earlier one.
    pub(crate) repeats: usize,
    /// Their length in code points.
    pub(crate) chars: usize,
}

pub(crate) fn find_duplicates<'a>(items: impl Iterator<Item = &'a str>) -> Duplicates {
    let mut seen: HashSet<&str, FastState> = HashSet::default();
    let mut out = Duplicates::default();
    for item in items {
        out.items += 1;
        if !seen.insert(item) {
            out.repeats += 1;
            out.chars += pystr::char_len(item);
        }
    }
    out
}

// n-gram keys: a polynomial hash of the joined bytes, `Σ (byte + 1) · base^position` with
// wrapping (mod 2^64) arithmetic. With per-word prefix sums and the inverse powers of the (odd)
// base, the key of any run of words costs one multiplication.

/// Powers of the base and of its inverse, for words up to this many bytes.
const POW_TABLE: usize = 64;

struct HashBase {
    pow: [u64; POW_TABLE],
    inv_pow: [u64; POW_TABLE],
    base: u64,
    inv: u64,
}

fn wrapping_pow(mut base: u64, mut exp: usize) -> u64 {
    let mut acc = 1u64;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        exp >>= 1;
    }
    acc
}

impl HashBase {
    /// A base drawn once per process, so that no input is built to collide; decisions do not
    /// depend on it (keys that meet are compared in full).
    fn get() -> &'static HashBase {
        static BASE: OnceLock<HashBase> = OnceLock::new();
        BASE.get_or_init(|| {
            use std::hash::BuildHasher;
            let seed = std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64);
            let base = seed | (1 << 63) | 1;
            // Newton's iteration for the inverse modulo 2^64 (odd numbers have one).
            let mut inv = base;
            for _ in 0..6 {
                inv = inv.wrapping_mul(2u64.wrapping_sub(base.wrapping_mul(inv)));
            }
            let mut pow = [1u64; POW_TABLE];
            let mut inv_pow = [1u64; POW_TABLE];
            for k in 1..POW_TABLE {
                pow[k] = pow[k - 1].wrapping_mul(base);
                inv_pow[k] = inv_pow[k - 1].wrapping_mul(inv);
            }
            HashBase {
                pow,
                inv_pow,
                base,
                inv,
            }
        })
    }

    #[inline]
    fn pow(&self, k: usize) -> u64 {
        match self.pow.get(k) {
            Some(&p) => p,
            None => wrapping_pow(self.base, k),
        }
    }

    #[inline]
    fn inv_pow(&self, k: usize) -> u64 {
        match self.inv_pow.get(k) {
            Some(&p) => p,
            None => wrapping_pow(self.inv, k),
        }
    }
}

/// Prefix sums over the words: `key(words i..j) = (prefix[j] - prefix[i]) · inv[i]`, the hash
/// of their joined bytes.
#[derive(Default)]
struct Prefix {
    prefix: Vec<u64>,
    inv: Vec<u64>,
}

impl Prefix {
    #[inline]
    fn key(&self, i: usize, j: usize) -> u64 {
        self.prefix[j]
            .wrapping_sub(self.prefix[i])
            .wrapping_mul(self.inv[i])
    }
}

/// An open-addressing table of n-grams by key, with each one's first position and count,
/// reused for every n of a text. Two n-grams with the same key are compared in full, and
/// different ones both get a slot, so the table counts exactly.
struct NgramTable {
    slots: Vec<Entry>,
    shift: u32,
    /// The slots in use, so that clearing costs what was inserted, not the table's size.
    used: Vec<u32>,
}

#[derive(Clone, Copy, Default)]
struct Entry {
    /// The key, [`ZERO_KEY`] for key 0; 0 marks an empty slot.
    key: u64,
    first: u32,
    count: u32,
}

/// Stands for key 0, which marks an empty slot.
const ZERO_KEY: u64 = 0x9e37_79b9_7f4a_7c15;

impl NgramTable {
    fn new(entries: usize) -> NgramTable {
        let size = (entries * 2).next_power_of_two().max(16);
        NgramTable {
            slots: vec![Entry::default(); size],
            shift: 64 - size.trailing_zeros(),
            used: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for &i in &self.used {
            self.slots[i as usize] = Entry::default();
        }
        self.used.clear();
    }

    /// The slot of the n-gram at `pos` with `key`, for which `same(first)` says whether the
    /// n-gram first seen at `first` is the same: `Ok(slot)` when it was seen, else `Err(slot)`
    /// where it was inserted (count 1).
    #[inline]
    fn find_or_insert(
        &mut self,
        key: u64,
        pos: usize,
        mut same: impl FnMut(usize) -> bool,
    ) -> Result<usize, usize> {
        let key = if key == 0 { ZERO_KEY } else { key };
        let mask = self.slots.len() - 1;
        let mut i = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        loop {
            let e = self.slots[i];
            if e.key == 0 {
                self.used.push(i as u32);
                self.slots[i] = Entry {
                    key,
                    first: pos as u32,
                    count: 1,
                };
                return Err(i);
            }
            if e.key == key && same(e.first as usize) {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }
}

/// The words of a text, ready for n-gram counting.
struct Ngrams<'w> {
    words: &'w [&'w str],
    /// `chars[k]`: code points in the first `k` words.
    chars: Vec<usize>,
    /// No word is empty or holds a space, so `" ".join` of n-grams is equal exactly when the
    /// words are.
    plain: bool,
    /// Keys of `"".join` runs of words.
    concat: Prefix,
    /// `bytes[k]`: bytes in the first `k` words.
    bytes: Vec<usize>,
    /// The words joined without separators, then [`PREFIX_BYTES`] zero bytes.
    joined: Vec<u8>,
    table: NgramTable,
    /// For top n-grams, `levels[k - 1]`: per position, an id of its k-gram (equal ids: equal
    /// words), or [`UNIQUE`] when the k-gram occurs once (so do all longer ones from there).
    levels: Vec<Vec<u32>>,
    /// For duplicated n-grams: whether the [`PREFIX_BYTES`] bytes of the joined text from each
    /// position also start at another position. Equal "".join n-grams of at least that many
    /// bytes start with the same bytes, so a position without is never a repeat nor repeated.
    shared_prefix: Option<Vec<bool>>,
}

/// The length of the joined-text prefixes that rule out most positions for duplicated n-grams.
const PREFIX_BYTES: usize = 12;

/// The id of an n-gram that occurs once.
const UNIQUE: u32 = u32::MAX;

impl<'w> Ngrams<'w> {
    fn new(words: &'w [&'w str]) -> Ngrams<'w> {
        let base = HashBase::get();
        let n = words.len();
        let mut chars = Vec::with_capacity(n + 1);
        let mut concat = Prefix {
            prefix: Vec::with_capacity(n + 1),
            inv: Vec::with_capacity(n + 1),
        };
        let mut joined = Vec::with_capacity(words.iter().map(|w| w.len()).sum::<usize>() + 16);
        let mut bytes_before = Vec::with_capacity(n + 1);
        let (mut total_chars, mut total_bytes, mut plain) = (0usize, 0usize, true);
        let (mut acc, mut pow, mut inv) = (0u64, 1u64, 1u64);
        chars.push(0);
        bytes_before.push(0);
        concat.prefix.push(0);
        concat.inv.push(1);
        for w in words {
            let bytes = w.as_bytes();
            joined.extend_from_slice(bytes);
            // Σ (b + 1) · base^k over the word, by Horner from the end.
            let mut h = 0u64;
            let mut word_chars = 0;
            for &b in bytes.iter().rev() {
                h = h.wrapping_mul(base.base).wrapping_add(b as u64 + 1);
                word_chars += (b & 0xc0 != 0x80) as usize;
                plain &= b != b' ';
            }
            plain &= !bytes.is_empty();
            total_chars += word_chars;
            chars.push(total_chars);
            total_bytes += bytes.len();
            bytes_before.push(total_bytes);
            acc = acc.wrapping_add(h.wrapping_mul(pow));
            pow = pow.wrapping_mul(base.pow(bytes.len()));
            inv = inv.wrapping_mul(base.inv_pow(bytes.len()));
            concat.prefix.push(acc);
            concat.inv.push(inv);
        }
        joined.extend_from_slice(&[0; 16]);
        Ngrams {
            words,
            chars,
            plain,
            concat,
            bytes: bytes_before,
            joined,
            table: NgramTable::new(n),
            levels: Vec::new(),
            shared_prefix: None,
        }
    }

    fn chars(&self, i: usize, j: usize) -> usize {
        self.chars[j] - self.chars[i]
    }

    /// Ids of the words (level 1): the same word, the same id.
    fn word_ids(&self) -> Vec<u32> {
        let mut ids: HashMap<&str, u32, FastState> = HashMap::default();
        ids.reserve(self.words.len() / 2);
        self.words
            .iter()
            .map(|w| {
                let next = ids.len() as u32;
                *ids.entry(w).or_insert(next)
            })
            .collect()
    }

    /// Counts the k-grams from the (k-1)-gram ids: `levels[k - 1]`, and the most frequent
    /// k-gram's `(count, first position)` (the earliest among equals).
    fn next_level(&mut self) -> (u32, usize) {
        let k = self.levels.len() + 1;
        let w = self.words.len();
        let (prev, ids) = match self.levels.as_slice() {
            [ids, .., prev] => (prev, ids),
            [ids] => (ids, ids),
            [] => unreachable!("level 1 is made first"),
        };
        // A k-gram is (its (k-1)-gram, its last word): an exact key.
        let key_at = |i: usize| ((prev[i] as u64) << 32 | ids[i + k - 1] as u64) + 1;
        self.table.clear();
        let mut slots = vec![UNIQUE; w + 1 - k];
        let mut best = (1u32, 0usize);
        for (i, slot_out) in slots.iter_mut().enumerate() {
            if prev[i] == UNIQUE {
                continue;
            }
            let key = key_at(i);
            let found = self
                .table
                .find_or_insert(key, i, |first| key_at(first) == key);
            let slot = match found {
                Ok(slot) | Err(slot) => slot,
            };
            *slot_out = slot as u32;
            if found.is_ok() {
                let e = &mut self.table.slots[slot];
                e.count += 1;
                if e.count > best.0 || (e.count == best.0 && (e.first as usize) < best.1) {
                    best = (e.count, e.first as usize);
                }
            }
        }
        // The slot is the k-gram's id; one that occurs once is UNIQUE.
        let table = &self.table;
        for s in slots.iter_mut() {
            if *s != UNIQUE && table.slots[*s as usize].count == 1 {
                *s = UNIQUE;
            }
        }
        self.levels.push(slots);
        best
    }

    /// datatrove's `find_top_duplicate(get_n_grams(words, n))`: the length of the most frequent
    /// `" ".join` n-gram (the first seen among equals) times its count; `None` when there are
    /// no n-grams.
    fn top_chars(&mut self, n: usize) -> Option<usize> {
        let w = self.words.len();
        if n == 0 {
            // n-grams of no words: `len(words) + 1` empty strings.
            return Some(0);
        }
        if n > w {
            return None;
        }
        if !self.plain || w >= 1 << 30 {
            return Some(top_chars_exact(self.words, n));
        }
        if self.levels.is_empty() {
            self.levels.push(self.word_ids());
        }
        let (count, first) = if n == 1 {
            let ids = &self.levels[0];
            let mut counts = vec![0u32; w];
            let mut first_at = vec![0usize; w];
            for (i, &id) in ids.iter().enumerate() {
                if counts[id as usize] == 0 {
                    first_at[id as usize] = i;
                }
                counts[id as usize] += 1;
            }
            // Ids are numbered in order of first occurrence: the first maximum is the earliest.
            let mut best = 0;
            for (id, &c) in counts.iter().enumerate() {
                if c > counts[best] {
                    best = id;
                }
            }
            (counts[best], first_at[best])
        } else if self.levels.len() >= n {
            best_of_level(&self.levels[n - 1])
        } else {
            let mut best = (1, 0);
            while self.levels.len() < n {
                best = self.next_level();
            }
            best
        };
        Some((self.chars(first, first + n) + n - 1) * count as usize)
    }

    /// datatrove's `find_all_duplicate(words, n)`: walking the `"".join` n-grams, the
    /// characters of those seen before (skipping past each), 0 for `n == 0` (where datatrove
    /// would loop forever). Stops early once `over(count so far)` (the count only grows).
    fn repeated_chars(&mut self, n: usize, over: impl Fn(usize) -> bool) -> usize {
        let w = self.words.len();
        if n == 0 || n > w {
            return 0;
        }
        if w > u32::MAX as usize {
            return repeated_chars_exact(self.words, n);
        }
        if self.shared_prefix.is_none() {
            self.shared_prefix = Some(self.shared_prefixes());
        }
        let shared = self.shared_prefix.take().unwrap_or_default();
        self.table.clear();
        let mut repeated = 0;
        let mut idx = 0;
        while idx + n <= w {
            // Rule out positions whose long-enough n-gram starts with bytes found nowhere else.
            if !shared[idx] && self.bytes[idx + n] - self.bytes[idx] >= PREFIX_BYTES {
                idx += 1;
                continue;
            }
            let key = self.concat.key(idx, idx + n);
            let (joined, bytes) = (&self.joined, &self.bytes);
            match self.table.find_or_insert(key, idx, |first| {
                joined[bytes[first]..bytes[first + n]] == joined[bytes[idx]..bytes[idx + n]]
            }) {
                Ok(_) => {
                    repeated += self.chars(idx, idx + n);
                    idx += n;
                    if over(repeated) {
                        break;
                    }
                }
                Err(_) => idx += 1,
            }
        }
        self.shared_prefix = Some(shared);
        repeated
    }

    /// Per position, whether the first [`PREFIX_BYTES`] bytes of the joined words from there
    /// (fewer at the end) also start at another position.
    fn shared_prefixes(&mut self) -> Vec<bool> {
        let total = self.bytes[self.words.len()];
        // The prefix bytes, packed with their count, are their own exact key.
        let keys: Vec<u128> = self.bytes[..self.words.len()]
            .iter()
            .map(|&at| {
                let len = PREFIX_BYTES.min(total - at);
                let mut chunk = [0u8; 16];
                chunk.copy_from_slice(&self.joined[at..at + 16]);
                let mask = (1u128 << (8 * len)) - 1;
                (u128::from_le_bytes(chunk) & mask) | ((len as u128 + 1) << 120)
            })
            .collect();
        self.table.clear();
        let mut slots = Vec::with_capacity(keys.len());
        for (i, &k) in keys.iter().enumerate() {
            let folded = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
            let slot = match self
                .table
                .find_or_insert(folded, i, |first| keys[first] == k)
            {
                Ok(slot) => {
                    self.table.slots[slot].count += 1;
                    slot
                }
                Err(slot) => slot,
            };
            slots.push(slot);
        }
        let table = &self.table;
        slots.iter().map(|&s| table.slots[s].count > 1).collect()
    }
}

/// The most frequent id's `(count, first position)` among `ids` (not [`UNIQUE`]), the
/// earliest among equals; `(1, 0)` when every n-gram is unique.
fn best_of_level(ids: &[u32]) -> (u32, usize) {
    let mut counts: HashMap<u32, (u32, usize), FastState> = HashMap::default();
    for (i, &id) in ids.iter().enumerate() {
        if id != UNIQUE {
            counts.entry(id).or_insert((0, i)).0 += 1;
        }
    }
    counts.values().copied().fold((1, 0), |best, (c, first)| {
        if c > best.0 || (c == best.0 && first < best.1) {
            (c, first)
        } else {
            best
        }
    })
}

/// [`Ngrams::top_chars`] on the joined strings themselves (after a hash collision).
fn top_chars_exact(words: &[&str], n: usize) -> usize {
    let mut counts: HashMap<String, (usize, usize), FastState> = HashMap::default();
    for i in 0..=words.len() - n {
        let gram = words[i..i + n].join(" ");
        counts.entry(gram).or_insert((0, i)).0 += 1;
    }
    counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map_or(0, |(gram, &(count, _))| pystr::char_len(gram) * count)
}

/// [`Ngrams::repeated_chars`] on the joined strings themselves (after a hash collision).
fn repeated_chars_exact(words: &[&str], n: usize) -> usize {
    let mut seen: HashSet<String, FastState> = HashSet::default();
    let (mut repeated, mut idx) = (0, 0);
    while idx + n <= words.len() {
        let gram = words[idx..idx + n].concat();
        if seen.contains(&gram) {
            repeated += pystr::char_len(&gram);
            idx += n;
        } else {
            seen.insert(gram);
            idx += 1;
        }
    }
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::TextFilter;

    /// Words = whitespace split (the tests do not depend on the tokenizer).
    struct Split;

    impl WordSource for Split {
        fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
            pystr::split_whitespace(text).collect()
        }
    }

    fn filter(options: GopherRepetitionOptions) -> GopherRepetition {
        GopherRepetition::with_word_source(options, Arc::new(Split))
    }

    fn only(f: impl FnOnce(&mut GopherRepetitionOptions)) -> GopherRepetition {
        let mut o = GopherRepetitionOptions {
            dup_line_frac: None,
            dup_para_frac: None,
            dup_line_char_frac: None,
            dup_para_char_frac: None,
            top_n_grams: vec![],
            dup_n_grams: vec![],
            language: "eng".into(),
        };
        f(&mut o);
        filter(o)
    }

    fn reason(f: &GopherRepetition, text: &str) -> Option<String> {
        f.check(text, None).reason
    }

    #[test]
    fn empty_text() {
        assert_eq!(
            reason(&GopherRepetition::default(), ""),
            Some("empty".into())
        );
        // Whitespace is not empty: one empty paragraph, no words.
        assert_eq!(reason(&filter(Default::default()), "  "), None);
    }

    #[test]
    fn dup_para_frac_boundary() {
        let f = only(|o| o.dup_para_frac = Some(0.3));
        // 3 of 10 paragraphs repeat: 0.3 is not > 0.3.
        let keep = "a\n\na\n\na\n\na\n\nb\n\nc\n\nd\n\ne\n\nf\n\ng";
        assert_eq!(reason(&f, keep), None);
        // 4 of 11.
        let drop = format!("{keep}\n\na");
        assert_eq!(reason(&f, &drop), Some("dup_para_frac".into()));
        // Leading newlines are stripped before the split; runs of 3+ newlines split once.
        assert_eq!(reason(&f, "\n\n\nx\n\n\n\ny\n\nz"), None);
    }

    #[test]
    fn dup_para_char_frac_boundary() {
        let f = only(|o| o.dup_para_char_frac = Some(0.2));
        // Repeated "ab" (2 chars) in a 10-char text: 0.2 is not > 0.2.
        assert_eq!(reason(&f, "ab\n\nab\n\ncd"), None);
        assert_eq!(
            reason(&f, "ab\n\nab\n\nc"),
            Some("dup_para_char_frac".into())
        );
        // Trailing newlines are stripped from the paragraphs but count in the length.
        assert_eq!(reason(&f, "ab\n\nab\n\n\n\n"), None);
    }

    #[test]
    fn dup_line_frac_boundary() {
        let f = only(|o| o.dup_line_frac = Some(0.3));
        // Runs of newlines split once; a trailing newline gives an empty last line.
        let keep = "x\nx\n\n\nx\nx\na\nb\nc\nd\ne\nf"; // 3 repeats / 10
        assert_eq!(reason(&f, keep), None);
        assert_eq!(
            reason(&f, &format!("{keep}\nx")),
            Some("dup_line_frac".into())
        );
        // "a\n" = ["a", ""]: no repeat.
        assert_eq!(reason(&f, "a\n"), None);
    }

    #[test]
    fn dup_line_char_frac_boundary() {
        let f = only(|o| o.dup_line_char_frac = Some(0.2));
        assert_eq!(reason(&f, "ab\nab\ncdef"), None); // 2 / 10 is not > 0.2
        assert_eq!(reason(&f, "ab\nab\ncde"), Some("dup_line_char_frac".into()));
        // 2 / 9
    }

    #[test]
    fn zero_threshold_is_off() {
        let f = only(|o| {
            o.dup_line_frac = Some(0.0);
            o.dup_para_frac = Some(0.0);
        });
        assert_eq!(reason(&f, "a\na\na\n\na\n\na"), None);
    }

    #[test]
    fn top_n_gram_boundary() {
        let f = only(|o| o.top_n_grams = vec![(2, 0.5)]);
        // "a b" twice = 6 chars of a 12-char text: 0.5 is not > 0.5.
        assert_eq!(reason(&f, "a b a b cdef"), None);
        assert_eq!(reason(&f, "a b a b cde"), Some("top_2_gram".into()));
        // Fewer words than n: skipped.
        assert_eq!(reason(&f, "a"), None);
    }

    #[test]
    fn top_n_gram_ties_take_the_first_seen() {
        let f = only(|o| o.top_n_grams = vec![(1, 0.3)]);
        // "aaaa" and "b" both occur twice; the first seen ("aaaa", 8 chars of 17) decides.
        assert_eq!(reason(&f, "aaaa b aaaa b cde"), Some("top_1_gram".into()));
        // Swapped: "b" first, 2 chars.
        assert_eq!(reason(&f, "b aaaa b aaaa cde"), None);
    }

    #[test]
    fn duplicated_n_grams_boundary() {
        let f = only(|o| o.dup_n_grams = vec![(2, 0.25)]);
        // "ab cd" repeats once: "abcd" = 4 chars of 16: 0.25 is not > 0.25.
        assert_eq!(reason(&f, "ab cd ab cd efgh"), None);
        assert_eq!(
            reason(&f, "ab cd ab cd efg"),
            Some("duplicated_2_n_grams".into())
        );
    }

    #[test]
    fn duplicated_n_grams_join_without_spaces() {
        // "ab"+"c" and "a"+"bc" are the same "".join n-gram.
        let words = ["ab", "c", "x", "a", "bc"];
        let mut ngrams = Ngrams::new(&words);
        assert_eq!(ngrams.repeated_chars(2, |_| false), 3);
        assert_eq!(repeated_chars_exact(&words, 2), 3);
        // But not the same " ".join n-gram.
        assert_eq!(ngrams.top_chars(2), Some(4));
    }

    #[test]
    fn duplicated_n_grams_skip_past_a_repeat() {
        let words = ["a", "a", "a", "a", "a"];
        let mut ngrams = Ngrams::new(&words);
        // aa (new), aa@1 repeat → skip to 3, aa@3 repeat: 4 chars.
        assert_eq!(ngrams.repeated_chars(2, |_| false), 4);
        assert_eq!(repeated_chars_exact(&words, 2), 4);
        assert_eq!(ngrams.repeated_chars(0, |_| false), 0);
        assert_eq!(ngrams.repeated_chars(6, |_| false), 0);
        assert_eq!(ngrams.top_chars(0), Some(0));
        assert_eq!(ngrams.top_chars(2), Some(3 * 4));
        assert_eq!(ngrams.top_chars(6), None);
    }

    #[test]
    fn hash_base_inverse() {
        let b = HashBase::get();
        assert_eq!(b.base.wrapping_mul(b.inv), 1);
        for k in [0, 1, 5, 63, 64, 200] {
            assert_eq!(b.pow(k).wrapping_mul(b.inv_pow(k)), 1, "{k}");
        }
    }

    #[test]
    fn equal_keys_of_different_ngrams_get_their_own_slots() {
        let words = ["a", "b", "a"];
        let mut table = NgramTable::new(3);
        for (pos, expect) in [(0, Err(())), (1, Err(())), (2, Ok(()))] {
            let found = table.find_or_insert(7, pos, |first| words[first] == words[pos]);
            assert_eq!(found.map(|_| ()).map_err(|_| ()), expect, "{pos}");
        }
        // Key 0 is a key like any other.
        assert!(table.find_or_insert(0, 0, |_| true).is_err());
        assert!(table.find_or_insert(0, 1, |_| true).is_ok());
    }

    #[test]
    fn hashing_agrees_with_exact_counting() {
        // Pseudo-random texts over a tiny vocabulary, with words that join ambiguously.
        let vocabs: [&[&str]; 2] = [
            &["a", "b", "ab", "ba", "aa", "é", "aé", " x", ""],
            &[
                "the",
                "cat",
                "a",
                "sat",
                "thecat",
                "hello",
                "é",
                "ab",
                "abc",
                "xyzxyzxyzxyz",
            ],
        ];
        let mut state = 12345u64;
        for round in 0..600 {
            let vocab = vocabs[round % 2];
            let len = 1 + round % 60;
            let words: Vec<&str> = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    vocab[(state >> 33) as usize % vocab.len()]
                })
                .collect();
            let mut ngrams = Ngrams::new(&words);
            // Levels already counted are looked up again, in any order.
            for n in [3, 1, 2, 3, 1] {
                if n <= words.len() {
                    let exact = Some(top_chars_exact(&words, n));
                    assert_eq!(ngrams.top_chars(n), exact, "{words:?} {n}");
                }
            }
            for n in 1..8 {
                assert_eq!(
                    ngrams.repeated_chars(n, |_| false),
                    if n <= words.len() {
                        repeated_chars_exact(&words, n)
                    } else {
                        0
                    },
                    "{words:?} {n}"
                );
                if n <= words.len() {
                    assert_eq!(
                        ngrams.top_chars(n),
                        Some(top_chars_exact(&words, n)),
                        "{words:?} {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn defaults_are_datatrove_s() {
        let o = GopherRepetitionOptions::default();
        assert_eq!(o.dup_line_frac, Some(0.3));
        assert_eq!(o.top_n_grams[2], (4, 0.16));
        assert_eq!(o.dup_n_grams.len(), 6);
        assert_eq!(o.language, "eng");
    }
}
