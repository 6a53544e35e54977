//! The `length` step: a minimal length filter that removes what extraction left nearly empty
//! (a lone "Tweet", an embed widget's leftovers, an empty page) and, optionally, oversized
//! texts. Quality filtering proper (Gopher, C4, FineWeb rules) is a separate step.
//!
//! # Counting
//!
//! - Characters are Unicode scalar values (`char`s) of the whole text.
//! - Words are runs of non-whitespace (`char::is_whitespace`), except that each character of a
//!   script written without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer,
//!   Myanmar, Tibetan, Yi) counts as one word on its own. Without that, a real Japanese news
//!   page of 372 characters counts 4 "words" (it has 3 line breaks) and would be dropped by
//!   any useful minimum. Counting a Thai or Chinese character as a word overcounts; for a
//!   minimum that only errs towards keeping.
//!
//! # Defaults
//!
//! `min_words = 10`, `min_chars = 0`, no maximum. On the project's 2,627 real extracted web
//! texts (`webtext-docs/combined.jsonl.gz`) this drops 14 documents, all boilerplate (embed
//! widget remains, "Tweet", "QIE RSS Feed You searched for:", comment-feed titles), and none
//! of the 1,169 extraction-benchmark pages (AEB, trafilatura-eval); the shortest real pages
//! there have 10 words (a German teaser line) or are Chinese/Japanese articles of a few
//! whitespace-separated "words" but hundreds of characters.

use thresher_core::{Document, Step, Verdict};

/// Drop reason: the text is empty or only whitespace.
pub const REASON_EMPTY: &str = "empty_text";
/// Drop reason: fewer than `min_words` words or `min_chars` characters.
pub const REASON_TOO_SHORT: &str = "too_short";
/// Drop reason: more than `max_chars` characters.
pub const REASON_TOO_LONG: &str = "too_long";

/// Options of the [`LengthFilter`] step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LengthOptions {
    /// Minimum number of characters (Unicode scalar values). 0 = no minimum.
    pub min_chars: usize,
    /// Minimum number of words (see the module docs for what counts). 0 = no minimum.
    pub min_words: usize,
    /// Maximum number of characters, if any.
    pub max_chars: Option<usize>,
}

impl Default for LengthOptions {
    fn default() -> Self {
        LengthOptions {
            min_chars: 0,
            min_words: 10,
            max_chars: None,
        }
    }
}

/// Minimal length filter (name `length`). Drops with `empty_text`, `too_short` or `too_long`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LengthFilter {
    options: LengthOptions,
}

impl LengthFilter {
    /// A filter with these limits.
    pub fn new(options: LengthOptions) -> LengthFilter {
        LengthFilter { options }
    }

    /// The limits.
    pub fn options(&self) -> &LengthOptions {
        &self.options
    }

    /// `None` when `text` passes, else the drop reason.
    pub fn check(&self, text: &str) -> Option<&'static str> {
        if text.chars().all(char::is_whitespace) {
            return Some(REASON_EMPTY);
        }
        let o = &self.options;
        // A UTF-8 text has at most as many chars as bytes and at least a quarter as many, so
        // most texts are decided on their byte length without counting.
        let bytes = text.len();
        let needs_count = (o.min_chars > 0 && bytes / 4 < o.min_chars)
            || o.max_chars.is_some_and(|max| bytes > max);
        if needs_count {
            let chars = text.chars().count();
            if chars < o.min_chars {
                return Some(REASON_TOO_SHORT);
            }
            if o.max_chars.is_some_and(|max| chars > max) {
                return Some(REASON_TOO_LONG);
            }
        }
        if o.min_words > 0 && count_words_up_to(text, o.min_words) < o.min_words {
            return Some(REASON_TOO_SHORT);
        }
        None
    }
}

impl Step for LengthFilter {
    fn name(&self) -> &str {
        "length"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        match self.check(&doc.text) {
            None => Verdict::Keep,
            Some(reason) => Verdict::drop(reason),
        }
    }
}

/// Number of words in `text`: runs of non-whitespace, with each character of a script
/// written without spaces (see the module docs) counted as a word of its own.
pub fn count_words(text: &str) -> usize {
    count_words_up_to(text, usize::MAX)
}

/// Like [`count_words`] but stops counting at `limit`.
fn count_words_up_to(text: &str, limit: usize) -> usize {
    let mut n = 0usize;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii() {
            // Fast path: ASCII whitespace is exactly what `char::is_whitespace` says for ASCII.
            if c.is_ascii_whitespace() || c == '\x0b' {
                in_word = false;
            } else if !in_word {
                in_word = true;
                n += 1;
            }
        } else if c.is_whitespace() {
            in_word = false;
        } else if is_unspaced_script(c) {
            in_word = false;
            n += 1;
        } else if !in_word {
            in_word = true;
            n += 1;
        }
        if n >= limit {
            break;
        }
    }
    n
}

/// Characters of scripts that do not put spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF        // Thai, Lao
        | 0x0F00..=0x0FFF      // Tibetan
        | 0x1000..=0x109F      // Myanmar
        | 0x1780..=0x17FF      // Khmer
        | 0x19E0..=0x19FF      // Khmer symbols
        | 0x2E80..=0x2FDF      // CJK radicals, Kangxi radicals
        | 0x3005..=0x3007      // 々 〆 〇
        | 0x3021..=0x3029      // Hangzhou numerals
        | 0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31C0..=0x31FF      // CJK strokes, Katakana extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xA000..=0xA4CF      // Yi
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0xFF66..=0xFF9F      // halfwidth Katakana
        | 0x20000..=0x3134F    // CJK extensions B..G
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(min_chars: usize, min_words: usize, max_chars: Option<usize>) -> LengthFilter {
        LengthFilter::new(LengthOptions {
            min_chars,
            min_words,
            max_chars,
        })
    }

    #[test]
    fn counts_words() {
        assert_eq!(count_words(""), 0);
        assert_eq!(count_words("  \n\t "), 0);
        assert_eq!(count_words("one"), 1);
        assert_eq!(count_words(" one  two\nthree\u{a0}four\u{3000}five "), 5);
        assert_eq!(count_words("don't stop-me now!"), 3);
        // Each CJK/kana character is a word; Latin runs inside count once.
        assert_eq!(count_words("東京タワー"), 5);
        assert_eq!(count_words("iPhoneを販売"), 4);
        assert_eq!(count_words("한국어 문장입니다"), 2);
        assert_eq!(count_words("😀 😀😀"), 2);
        assert_eq!(count_words("a\0b"), 1);
    }

    #[test]
    fn defaults_drop_fragments_and_keep_short_real_text() {
        let f = LengthFilter::new(LengthOptions::default());
        assert_eq!(f.check(""), Some(REASON_EMPTY));
        assert_eq!(f.check(" \n\u{a0}\u{2003}\t"), Some(REASON_EMPTY));
        assert_eq!(f.check("Tweet"), Some(REASON_TOO_SHORT));
        assert_eq!(
            f.check("QIE RSS Feed You searched for:"),
            Some(REASON_TOO_SHORT)
        );
        assert_eq!(
            f.check("Dein wichtigster Touchpoint zur Digitalbranche.\nDein wichtigster Touchpoint zur Digitalbranche."),
            None
        );
        // A short Japanese news paragraph: 1 whitespace word, many characters.
        assert_eq!(
            f.check(
                "子どもへの虐待をなくすための法律ができて、親が体罰を禁止することになりました。"
            ),
            None
        );
    }

    #[test]
    fn chars_limits() {
        let f = filter(5, 0, Some(8));
        assert_eq!(f.check("abcd"), Some(REASON_TOO_SHORT));
        assert_eq!(f.check("abcde"), None);
        assert_eq!(f.check("ééééé"), None); // 5 chars, 10 bytes
        assert_eq!(f.check("éééééééé"), None); // 8 chars, 16 bytes
        assert_eq!(f.check("abcdefghi"), Some(REASON_TOO_LONG));
        assert_eq!(f.check("ééééééééé"), Some(REASON_TOO_LONG));
        // min_chars counts chars, not bytes
        assert_eq!(filter(3, 0, None).check("日本"), Some(REASON_TOO_SHORT));
        assert_eq!(filter(2, 0, None).check("日本"), None);
    }

    #[test]
    fn step_verdicts_and_odd_input() {
        let f = filter(0, 3, Some(2_000_000));
        let mut d = Document::new("1", "one two");
        assert_eq!(f.process(&mut d), Verdict::drop("too_short"));
        let mut d = Document::new("2", "one two three");
        assert_eq!(f.process(&mut d), Verdict::Keep);
        let mut d = Document::new("3", "x".repeat(1 << 20));
        assert_eq!(f.process(&mut d), Verdict::drop("too_short"));
        let mut d = Document::new("4", "\0\0\0 🎉 مرحبا بكم");
        assert_eq!(f.process(&mut d), Verdict::Keep);
        let mut d = Document::new("5", "a ".repeat(1_000_001));
        assert_eq!(f.process(&mut d), Verdict::drop("too_long"));
        assert_eq!(f.name(), "length");
    }
}
