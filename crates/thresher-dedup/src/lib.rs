//! thresher-dedup owns duplicate detection: what "the same text" means and the keys the
//! pipeline's corpus-wide pass compares.
//!
//! Today that is exact dedup ([`ExactDedup`]): two documents are duplicates when their texts
//! are equal after [`normalize_for_hash`] (case, whitespace and punctuation ignored).
//!
//! [`minhash`] is near-duplicate detection, bit-identical to datatrove's MinHash dedup with
//! FineWeb's configuration: signatures, their files and the later stages' logic.
//!
//! [`lines`] is exact line / paragraph dedup across a corpus: sorted hashes in restartable
//! passes, or a Bloom filter in one pass (dolma-style).
//!
//! Which copy survives (the first in input order) is decided by the pipeline's runner, not
//! here: a [`CorpusStep`] only maps a document to a key.

#![warn(missing_docs)]

pub mod boilerplate;
mod framed;
pub mod lines;
pub mod minhash;

use std::cell::RefCell;
use thresher_core::{CorpusKey, CorpusStep, Document};

/// Exact duplicate removal (step name `exact_dedup`, drop reason `exact_duplicate`).
///
/// The key of a document is the 128-bit xxh3 (`xxhash_rust::xxh3::xxh3_128`) of the UTF-8
/// bytes of [`normalize_for_hash`]`(text)`; a text that normalises to nothing has no key and
/// is never treated as a duplicate (empty pages are the length filter's business, and
/// "all empty pages are one page" would be a surprising way to drop them). At 128 bits an
/// accidental collision is out of reach even over billions of documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactDedup;

impl ExactDedup {
    /// The step. It has no options.
    pub fn new() -> ExactDedup {
        ExactDedup
    }

    /// The key of a text (what [`CorpusStep::key`] returns for a document with this text).
    pub fn key_of(text: &str) -> Option<CorpusKey> {
        thread_local! {
            // Reused per thread so hashing a document does not allocate.
            static BUF: RefCell<String> = const { RefCell::new(String::new()) };
        }
        BUF.with(|cell| {
            let mut fresh = String::new();
            let mut guard = cell.try_borrow_mut();
            let buf = match guard.as_mut() {
                Ok(b) => &mut **b,
                Err(_) => &mut fresh,
            };
            normalize_for_hash_into(text, buf);
            let key = if buf.is_empty() {
                None
            } else {
                Some(xxhash_rust::xxh3::xxh3_128(buf.as_bytes()))
            };
            // One huge document should not pin its buffer for the rest of the run.
            if buf.capacity() > (1 << 20) {
                *buf = String::new();
            }
            key
        })
    }
}

impl CorpusStep for ExactDedup {
    fn name(&self) -> &str {
        "exact_dedup"
    }

    fn key(&self, doc: &Document) -> Option<CorpusKey> {
        ExactDedup::key_of(&doc.text)
    }

    fn reason(&self) -> &str {
        "exact_duplicate"
    }
}

/// The text exact dedup compares: lowercased, every run of non-alphanumeric characters
/// (whitespace, punctuation, symbols, emoji, control characters) replaced by one space,
/// and no space at either end.
///
/// - "Alphanumeric" is Rust's `char::is_alphanumeric` (Unicode `Alphabetic` or `Numeric`), so
///   letters and digits of every script count, including most combining vowel signs.
///   Combining marks that are not `Alphabetic` (e.g. U+0301 COMBINING ACUTE, Devanagari
///   virama) act as separators; that is consistent between copies of the same text, which is
///   all dedup needs.
/// - Lowercasing is `char::to_lowercase`, plus Greek final sigma `ς` → `σ`, because
///   per-character lowercasing maps `Σ` to `σ` everywhere and "ΟΔΟΣ" must match "οδος".
/// - No Unicode normalisation (NFC): a text and its decomposed form hash differently. Web
///   text is overwhelmingly NFC already, and NFC would need tables this crate does not carry.
///
/// One pass over the text; ASCII bytes take a fast path.
pub fn normalize_for_hash(text: &str) -> String {
    let mut out = String::new();
    normalize_for_hash_into(text, &mut out);
    out
}

/// [`normalize_for_hash`] into a caller's buffer (cleared first), to reuse its capacity.
pub fn normalize_for_hash_into(text: &str, out: &mut String) {
    // Built as bytes (pushing a byte is cheaper than pushing a `char`) and turned back into a
    // `String` at the end; the buffer's capacity survives the round trip.
    let mut buf = std::mem::take(out).into_bytes();
    buf.clear();
    // Normalised text is at most as long as the input except for the few characters whose
    // lowercase is longer in UTF-8 (e.g. 'Ⱥ' → 'ⱥ'); the buffer grows then.
    buf.reserve(text.len());
    let bytes = text.as_bytes();
    // A separator was seen since the last word character: write one space before the next.
    let mut gap = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            let m = ASCII_MAP[b as usize];
            if m != 0 {
                if gap && !buf.is_empty() {
                    buf.push(b' ');
                }
                gap = false;
                buf.push(m);
            } else {
                gap = true;
            }
            i += 1;
            continue;
        }
        // `i` is always on a char boundary: ASCII bytes advance by one, others by their
        // char's UTF-8 length.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if c.is_alphanumeric() {
            if gap && !buf.is_empty() {
                buf.push(b' ');
            }
            gap = false;
            let mut tmp = [0u8; 4];
            if c == 'ς' {
                buf.extend_from_slice('σ'.encode_utf8(&mut tmp).as_bytes());
            } else {
                for l in c.to_lowercase() {
                    buf.extend_from_slice(l.encode_utf8(&mut tmp).as_bytes());
                }
            }
        } else {
            gap = true;
        }
    }
    // Only whole UTF-8 sequences were written, so this cannot fail; the fallback only exists
    // so that no input can ever make this function panic.
    *out = match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
}

/// ASCII byte → its lowercase if it is a letter or digit, else 0 (a separator).
static ASCII_MAP: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str) -> Option<CorpusKey> {
        ExactDedup.key(&Document::new("x", t))
    }

    #[test]
    fn normalises() {
        assert_eq!(normalize_for_hash(""), "");
        assert_eq!(normalize_for_hash(" \n\t.,;!? "), "");
        assert_eq!(
            normalize_for_hash("  Hello,   World!\n\nIt's 2024 — ok?  "),
            "hello world it s 2024 ok"
        );
        assert_eq!(
            normalize_for_hash("snake_case-and.dots"),
            "snake case and dots"
        );
        assert_eq!(
            normalize_for_hash("ÉCOLE Straße ÅNGSTRÖM"),
            "école straße ångström"
        );
        assert_eq!(normalize_for_hash("ΟΔΟΣ οδος"), "οδοσ οδοσ");
        assert_eq!(normalize_for_hash("İstanbul"), "i\u{307}stanbul");
        assert_eq!(
            normalize_for_hash("日本語のテキスト。次の文"),
            "日本語のテキスト 次の文"
        );
        assert_eq!(normalize_for_hash("مرحبا، بالعالم!"), "مرحبا بالعالم");
        assert_eq!(normalize_for_hash("a\0b😀c\u{200b}d"), "a b c d");
        assert_eq!(normalize_for_hash("٣٤ Ⅻ ½"), "٣٤ ⅻ ½");
    }

    #[test]
    fn into_reuses_the_buffer() {
        let mut buf = String::with_capacity(64);
        normalize_for_hash_into("A long-ish text, to fill", &mut buf);
        let cap = buf.capacity();
        normalize_for_hash_into("Short", &mut buf);
        assert_eq!(buf, "short");
        assert_eq!(buf.capacity(), cap);
    }

    #[test]
    fn case_whitespace_punctuation_do_not_matter() {
        let base = key("The quick brown fox jumps over the lazy dog.").unwrap();
        for variant in [
            "the quick brown fox jumps over the lazy dog",
            "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG!!!",
            "  The quick\n\nbrown fox -- jumps over\tthe lazy dog ...  ",
            "The quick, brown fox; jumps over «the» lazy dog?",
            "The\u{a0}quick\u{3000}brown\u{2003}fox jumps over the lazy dog 🦊",
        ] {
            assert_eq!(key(variant), Some(base), "{variant:?}");
        }
        assert_eq!(key("ΟΔΟΣ ΚΑΙ ΣΠΙΤΙ"), key("οδος και σπιτι"));
    }

    #[test]
    fn different_words_differ() {
        let a = key("The quick brown fox jumps over the lazy dog.");
        assert_ne!(a, key("The quick brown fox jumped over the lazy dog."));
        assert_ne!(a, key("The quick brown fox jumps over the lazy cat."));
        assert_ne!(
            a,
            key("The quick brown fox jumps over the lazy dog. Again.")
        );
        // Word boundaries matter: removing a separator merges words.
        assert_ne!(key("foo bar"), key("foobar"));
        assert_ne!(key("1 2 3"), key("123"));
    }

    #[test]
    fn empty_has_no_key() {
        assert_eq!(key(""), None);
        assert_eq!(key("   \n\t "), None);
        assert_eq!(key("... --- !!! 😀😀"), None);
        assert!(key("a").is_some());
    }

    #[test]
    fn key_is_xxh3_128_of_normalised_text() {
        let t = "Some Text, here.";
        assert_eq!(
            key(t),
            Some(xxhash_rust::xxh3::xxh3_128(
                normalize_for_hash(t).as_bytes()
            ))
        );
        assert_eq!(ExactDedup::new().name(), "exact_dedup");
        assert_eq!(ExactDedup::new().reason(), "exact_duplicate");
    }

    #[test]
    fn large_and_odd_inputs() {
        let big = "Word, ".repeat(200_000);
        let n = normalize_for_hash(&big);
        assert_eq!(n.len(), 200_000 * 5 - 1);
        assert!(key(&big).is_some());
        let one_line = "x".repeat(1 << 20);
        assert_eq!(normalize_for_hash(&one_line).len(), 1 << 20);
        assert!(key("\u{10ffff}\u{fffd}\u{feff}").is_none());
        // Characters whose lowercase is longer in UTF-8 than the original.
        assert_eq!(normalize_for_hash("ȺȾ"), "ⱥⱦ");
    }

    #[test]
    fn matches_a_naive_reference() {
        // The fast path must agree with the obvious definition on mixed text.
        fn naive(t: &str) -> String {
            let mut words: Vec<String> = Vec::new();
            let mut cur = String::new();
            for c in t.chars() {
                if c.is_alphanumeric() {
                    if c == 'ς' {
                        cur.push('σ');
                    } else {
                        cur.extend(c.to_lowercase());
                    }
                } else if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            if !cur.is_empty() {
                words.push(cur);
            }
            words.join(" ")
        }
        let samples = [
            "Mixed ASCII and ÜNÏCÖDÉ, with — dashes… and “quotes”.",
            "Ελληνικά: ΟΔΟΣ, οδός; Русский ТЕКСТ! 中文，文本。",
            "tabs\tand\r\nnewlines\u{2028}and\u{85}more",
            "123abcDEF___xyz",
        ];
        for s in samples {
            assert_eq!(normalize_for_hash(s), naive(s), "{s:?}");
        }
    }
}
