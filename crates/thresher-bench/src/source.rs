//! The pool of real text the generator draws from: the sentences and paragraphs of real web
//! documents, each distinct sentence stored once.
//!
//! Paragraphs are the source's lines; sentences are split at `.`, `!` or `?` before a word
//! that starts a sentence. Text with no sentence punctuation (navigation blobs, lists) is cut
//! into pieces of at most [`MAX_SENTENCE_WORDS`] words, so that no single draw brings a huge
//! run of text. A sentence seen before (in any document) is dropped from later paragraphs, so
//! boilerplate repeated across the source pages is in the pool once.
//!
//! With `english_only` (the generator's default: FineWeb's MinHash is English), a source
//! document is skipped when its `metadata.language` is another language, or, without a label,
//! when fewer than [`MIN_ENGLISH_SHARE`] of its words are common English function words.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use fastrand::Rng;

use crate::io::for_each_line;

/// Longest sentence kept whole; longer runs are cut into equal pieces.
pub const MAX_SENTENCE_WORDS: usize = 60;
/// Shortest sentence kept.
pub const MIN_SENTENCE_WORDS: usize = 4;
/// Share of a document's words that must be [`ENGLISH_WORDS`] for it to count as English.
pub const MIN_ENGLISH_SHARE: f64 = 0.15;

/// Common English function words (lower case).
const ENGLISH_WORDS: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "i", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
    "been", "if", "more", "when", "will", "would", "who", "so", "no", "our", "your", "what",
    "about", "out", "up", "into", "than", "them", "these", "its", "also",
];

/// Whether `text` looks English: enough of its words are common English function words.
pub fn looks_english(text: &str) -> bool {
    let (mut n, mut hits) = (0usize, 0usize);
    for w in text.split_whitespace() {
        n += 1;
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        hits += usize::from(ENGLISH_WORDS.contains(&w.as_str()));
    }
    n > 0 && hits as f64 >= MIN_ENGLISH_SHARE * n as f64
}

#[derive(Debug, Clone, Copy)]
struct Sentence {
    start: usize,
    end: usize,
    words: u32,
}

/// Counts of what a [`Pool`] holds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct PoolStats {
    /// Source documents read.
    pub documents: u64,
    /// Of those, skipped as not English.
    pub skipped_not_english: u64,
    /// Paragraphs with at least one kept sentence.
    pub paragraphs: u64,
    /// Distinct sentences.
    pub sentences: u64,
    /// Words in the distinct sentences.
    pub words: u64,
}

/// Distinct real sentences grouped in their paragraphs.
pub struct Pool {
    text: String,
    sentences: Vec<Sentence>,
    para_sents: Vec<u32>,
    paragraphs: Vec<(u32, u32)>,
    stats: PoolStats,
}

impl Pool {
    /// A pool from document texts (all kept, whatever their language).
    pub fn from_texts<I, S>(texts: I) -> Pool
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut b = Builder::default();
        for t in texts {
            b.add_document(t.as_ref());
        }
        b.finish()
    }

    /// A pool from files: JSONL (plain, `.gz` or `.zst`) with a `text` field per line, or any
    /// other file as one plain-text document. Returns the number of documents per file too.
    pub fn load(paths: &[PathBuf], english_only: bool) -> Result<(Pool, Vec<u64>)> {
        let mut b = Builder {
            english_only,
            ..Builder::default()
        };
        let mut per_file = Vec::new();
        for path in paths {
            let before = b.stats.documents;
            load_file(path, &mut b)?;
            per_file.push(b.stats.documents - before);
        }
        let pool = b.finish();
        if pool.paragraphs.is_empty() {
            bail!("the sources hold no usable text (no sentence of {MIN_SENTENCE_WORDS}+ words)");
        }
        Ok((pool, per_file))
    }

    /// What the pool holds.
    pub fn stats(&self) -> PoolStats {
        self.stats
    }

    /// Sentence `i` (words separated by single spaces).
    pub fn sentence(&self, i: u32) -> &str {
        let s = self.sentences[i as usize];
        &self.text[s.start..s.end]
    }

    /// The number of words of sentence `i`.
    pub fn sentence_words(&self, i: u32) -> usize {
        self.sentences[i as usize].words as usize
    }

    /// A random sentence.
    pub fn random_sentence(&self, rng: &mut Rng) -> u32 {
        rng.u32(..self.sentences.len() as u32)
    }

    /// A run of 1 to `max_run` consecutive sentences of a random paragraph, of at most
    /// `max_words` words (the first sentence always; it has at most [`MAX_SENTENCE_WORDS`]).
    pub fn random_run(&self, rng: &mut Rng, max_run: u32, max_words: usize) -> &[u32] {
        let (start, len) = self.paragraphs[rng.u32(..self.paragraphs.len() as u32) as usize];
        let run = rng.u32(1..=max_run.max(1)).min(len);
        let first = (start + rng.u32(..=len - run)) as usize;
        let mut end = first + 1;
        let mut words = self.sentence_words(self.para_sents[first]);
        while end < first + run as usize {
            words += self.sentence_words(self.para_sents[end]);
            if words > max_words {
                break;
            }
            end += 1;
        }
        &self.para_sents[first..end]
    }

    /// A random word of real text (frequency-weighted), without surrounding punctuation.
    pub fn random_word(&self, rng: &mut Rng) -> &str {
        loop {
            let s = self.sentence(self.random_sentence(rng));
            let n = s.split(' ').count() as u32;
            let w = s.split(' ').nth(rng.u32(..n) as usize).unwrap_or("");
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if !w.is_empty() {
                return w;
            }
        }
    }
}

fn load_file(path: &Path, b: &mut Builder) -> Result<()> {
    let name = path.to_string_lossy();
    if crate::io::is_jsonl_name(&name) {
        for_each_line(path, |_, line| {
            #[derive(serde::Deserialize)]
            struct Line {
                text: Option<String>,
                #[serde(default)]
                metadata: Option<Meta>,
            }
            #[derive(serde::Deserialize)]
            struct Meta {
                #[serde(default)]
                language: Option<String>,
            }
            let l: Line = serde_json::from_str(line)?;
            let language = l.metadata.and_then(|m| m.language);
            if let Some(t) = l.text {
                b.add_labelled(&t, language.as_deref());
            }
            Ok(())
        })
    } else {
        let bytes = std::fs::read(path)?;
        b.add_labelled(&String::from_utf8_lossy(&bytes), None);
        Ok(())
    }
}

#[derive(Default)]
struct Builder {
    text: String,
    sentences: Vec<Sentence>,
    para_sents: Vec<u32>,
    paragraphs: Vec<(u32, u32)>,
    // Hash of a sentence → its index (a hash collision only keeps a sentence twice).
    seen: HashMap<u64, u32>,
    stats: PoolStats,
    english_only: bool,
}

impl Builder {
    /// Adds a document whose language label (if any) is `language`, unless only English is
    /// wanted and it is not.
    fn add_labelled(&mut self, text: &str, language: Option<&str>) {
        if self.english_only {
            let english = match language {
                Some(l) => l == "en",
                None => looks_english(text),
            };
            if !english {
                self.stats.documents += 1;
                self.stats.skipped_not_english += 1;
                return;
            }
        }
        self.add_document(text);
    }

    fn add_document(&mut self, text: &str) {
        self.stats.documents += 1;
        for line in text.lines() {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            if tokens.is_empty() {
                continue;
            }
            let start = self.para_sents.len() as u32;
            for sent in split_sentences(&tokens) {
                if sent.len() < MIN_SENTENCE_WORDS || !is_prose(sent) {
                    continue;
                }
                if let Some(i) = self.add_sentence(sent) {
                    self.para_sents.push(i);
                }
            }
            let len = self.para_sents.len() as u32 - start;
            if len > 0 {
                self.paragraphs.push((start, len));
            }
        }
    }

    /// Stores a sentence; `None` when the same sentence is already in the pool.
    fn add_sentence(&mut self, words: &[&str]) -> Option<u32> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        words.hash(&mut h);
        let key = h.finish();
        let start = self.text.len();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                self.text.push(' ');
            }
            self.text.push_str(w);
        }
        let end = self.text.len();
        if let Some(&prev) = self.seen.get(&key) {
            let p = self.sentences[prev as usize];
            if self.text[p.start..p.end] == self.text[start..end] {
                self.text.truncate(start);
                return None;
            }
        }
        let idx = self.sentences.len() as u32;
        self.sentences.push(Sentence {
            start,
            end,
            words: words.len() as u32,
        });
        self.seen.entry(key).or_insert(idx);
        self.stats.words += words.len() as u64;
        Some(idx)
    }

    fn finish(self) -> Pool {
        let mut stats = self.stats;
        stats.paragraphs = self.paragraphs.len() as u64;
        stats.sentences = self.sentences.len() as u64;
        let mut text = self.text;
        text.shrink_to_fit();
        Pool {
            text,
            sentences: self.sentences,
            para_sents: self.para_sents,
            paragraphs: self.paragraphs,
            stats,
        }
    }
}

/// Whether a sentence looks like prose, not code, markup or a URL list: no word longer than
/// 30 characters, and letters and spaces make at least 70% of it. (Code blobs without spaces
/// would otherwise count as a few words here and hundreds once punctuation became spaces.)
fn is_prose(words: &[&str]) -> bool {
    let (mut chars, mut letters) = (0usize, 0usize);
    for w in words {
        let n = w.chars().count();
        if n > 30 {
            return false;
        }
        chars += n + 1;
        letters += 1 + w.chars().filter(|c| c.is_alphabetic()).count();
    }
    letters as f64 >= 0.7 * chars as f64
}

/// Common abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "no", "jr", "sr", "inc",
    "ltd", "co", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "gen", "gov", "rev", "sen", "rep", "approx",
];

/// Splits a paragraph's tokens into sentences, cutting runs longer than
/// [`MAX_SENTENCE_WORDS`] into equal pieces.
fn split_sentences<'t, 'a>(tokens: &'t [&'a str]) -> Vec<&'t [&'a str]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..tokens.len() {
        let last = i + 1 == tokens.len();
        if last || (ends_sentence(tokens[i]) && starts_sentence(tokens[i + 1])) {
            let sent = &tokens[start..=i];
            let pieces = sent.len().div_ceil(MAX_SENTENCE_WORDS);
            let size = sent.len().div_ceil(pieces.max(1));
            out.extend(sent.chunks(size.max(1)));
            start = i + 1;
        }
    }
    out
}

fn ends_sentence(tok: &str) -> bool {
    let core = tok.trim_end_matches(['"', '\'', ')', ']', '”', '’']);
    let Some(last) = core.chars().last() else {
        return false;
    };
    if last == '!' || last == '?' {
        return true;
    }
    if last != '.' {
        return false;
    }
    let word = core
        .trim_end_matches('.')
        .trim_start_matches(['"', '\'', '(', '“', '‘']);
    // Initials ("J.") and abbreviations ("Dr.", "e.g.") do not end a sentence.
    if word.chars().count() <= 1 && word.chars().all(|c| c.is_uppercase()) {
        return false;
    }
    !ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

fn starts_sentence(tok: &str) -> bool {
    tok.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"'“‘(".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_paragraphs_and_dedup() {
        let pool = Pool::from_texts([
            "Dr. Smith went to Washington today. He met the people there! Short one. \
             And then he went home again after lunch.\nShare this page with your friends now.",
            "Share this page with your friends now.\nA different paragraph with enough words.",
        ]);
        let sents: Vec<&str> = (0..pool.stats().sentences as u32)
            .map(|i| pool.sentence(i))
            .collect();
        assert_eq!(
            sents,
            [
                "Dr. Smith went to Washington today.",
                "He met the people there!",
                "And then he went home again after lunch.",
                "Share this page with your friends now.",
                "A different paragraph with enough words.",
            ]
        );
        // The repeated line is kept once: the second document has one paragraph.
        assert_eq!(pool.stats().paragraphs, 3);
        assert_eq!(pool.sentence_words(0), 6);
    }

    #[test]
    fn code_is_not_prose() {
        assert!(is_prose(&["The", "cat", "sat", "on", "the", "mat."]));
        assert!(!is_prose(&[
            "see",
            "{\"version\":\"1.0\",\"provider_name\":\"London\"}",
            "now",
            "here"
        ]));
        assert!(!is_prose(&["x=1;", "y=2;", "z=x+y;", "f(z);"]));
    }

    #[test]
    fn english_heuristic() {
        assert!(looks_english(
            "The council said that the play areas in the city were open again."
        ));
        assert!(!looks_english(
            "Ende Februar 1920 erreichte das Personal erneut Vorkriegsstärke."
        ));
        assert!(!looks_english(""));
    }

    #[test]
    fn long_runs_are_cut() {
        let words: Vec<String> = (0..130u8)
            .map(|i| {
                format!(
                    "w{}{}",
                    char::from(b'a' + i / 26),
                    char::from(b'a' + i % 26)
                )
            })
            .collect();
        let pool = Pool::from_texts([words.join(" ")]);
        assert_eq!(pool.stats().sentences, 3);
        assert!((0..3).all(|i| pool.sentence_words(i) <= MAX_SENTENCE_WORDS));
    }
}
