//! datatrove's `GopherQualityFilter` (Gopher, Rae et al. 2021): drops texts that are too short
//! or too long, have odd word lengths, too many `#` or ellipses, are mostly bullet or
//! ellipsis-ended lines, have too few words with letters, or too few English stop words.
//!
//! Checks and reasons, in datatrove's order: `gopher_short_doc`, `gopher_long_doc` (words that
//! are not all punctuation), `gopher_below_avg_threshold`, `gopher_above_avg_threshold` (their
//! mean length), `gopher_too_many_hashes`, `gopher_too_many_ellipsis` (per word),
//! `gopher_too_many_bullets`, `gopher_too_many_end_ellipsis` (per line of `splitlines`),
//! `gopher_below_alpha_threshold` (words with a letter), `gopher_enough_stop_words`.
//!
//! Where datatrove divides by zero (no words or no lines, reachable only with the word-count
//! checks switched off) it raises; here the ratio is IEEE infinity or NaN instead, so a
//! positive count over zero fails a `>` test and nothing else fails.

use std::collections::HashSet;
use std::sync::Arc;

use thresher_tokenize::TokenizeError;

use crate::filter::Check;
use crate::gopher_repetition::on;
use crate::pystr;
use crate::text::{is_datatrove_punctuation, FastState, TextView, WordSource, Words};

/// datatrove's `STOP_WORDS` for the Gopher quality filter.
pub const STOP_WORDS: [&str; 8] = ["the", "be", "to", "of", "and", "that", "have", "with"];

/// `GopherQualityFilter`'s parameters; `Default` is datatrove's. `None` or 0 switches a check
/// off, as in datatrove.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GopherQualityOptions {
    /// Drop below this many non-punctuation words.
    #[serde(with = "crate::off")]
    pub min_doc_words: Option<usize>,
    /// Drop above this many non-punctuation words.
    #[serde(with = "crate::off")]
    pub max_doc_words: Option<usize>,
    /// Drop when the mean length of non-punctuation words is below this.
    #[serde(with = "crate::off")]
    pub min_avg_word_length: Option<f64>,
    /// Drop when the mean length of non-punctuation words is above this.
    #[serde(with = "crate::off")]
    pub max_avg_word_length: Option<f64>,
    /// Drop when `#` or ellipses (`...`, `…`) per word exceed this.
    #[serde(with = "crate::off")]
    pub max_symbol_word_ratio: Option<f64>,
    /// Drop when more than this fraction of lines start with `•` or `-`.
    #[serde(with = "crate::off")]
    pub max_bullet_lines_ratio: Option<f64>,
    /// Drop when more than this fraction of lines end with `...` or `…`.
    #[serde(with = "crate::off")]
    pub max_ellipsis_lines_ratio: Option<f64>,
    /// Drop when fewer than this fraction of words contain a letter (datatrove's name).
    #[serde(with = "crate::off")]
    pub max_non_alpha_words_ratio: Option<f64>,
    /// Drop when fewer than this many distinct stop words occur.
    #[serde(with = "crate::off")]
    pub min_stop_words: Option<usize>,
    /// The stop words; `None` = [`STOP_WORDS`].
    #[serde(with = "crate::off")]
    pub stop_words: Option<Vec<String>>,
    /// datatrove language code of the word tokenizer (`"eng"`).
    pub language: String,
}

impl Default for GopherQualityOptions {
    fn default() -> Self {
        GopherQualityOptions {
            min_doc_words: Some(50),
            max_doc_words: Some(100_000),
            min_avg_word_length: Some(3.0),
            max_avg_word_length: Some(10.0),
            max_symbol_word_ratio: Some(0.1),
            max_bullet_lines_ratio: Some(0.9),
            max_ellipsis_lines_ratio: Some(0.3),
            max_non_alpha_words_ratio: Some(0.8),
            min_stop_words: Some(2),
            stop_words: None,
            language: "eng".to_string(),
        }
    }
}

/// datatrove's `GopherQualityFilter`, named `gopher_quality`.
#[derive(Debug, Clone)]
pub struct GopherQuality {
    options: GopherQualityOptions,
    words: Words,
    stop_words: HashSet<String, FastState>,
    /// Byte lengths of the stop words, as a mask (lengths ≥ 63 share the top bit), to skip most
    /// words without a lookup.
    stop_lengths: u64,
}

impl GopherQuality {
    /// The filter with `options`; fails when no word tokenizer knows `options.language`.
    pub fn new(options: GopherQualityOptions) -> Result<Self, TokenizeError> {
        let words = Words::for_language(&options.language)?;
        Ok(Self::with_words(options, words))
    }

    pub(crate) fn with_words(options: GopherQualityOptions, words: Words) -> Self {
        let stop_words: HashSet<String, FastState> = match &options.stop_words {
            Some(list) => list.iter().cloned().collect(),
            None => STOP_WORDS.iter().map(|s| s.to_string()).collect(),
        };
        let stop_lengths = stop_words.iter().fold(0, |m, w| m | length_bit(w));
        GopherQuality {
            options,
            words,
            stop_words,
            stop_lengths,
        }
    }

    /// The filter with words from `source` instead of the language's tokenizer.
    pub fn with_word_source(options: GopherQualityOptions, source: Arc<dyn WordSource>) -> Self {
        Self::with_words(options, Words::Custom(source))
    }

    /// The parameters.
    pub fn options(&self) -> &GopherQualityOptions {
        &self.options
    }

    fn decide(&self, view: &TextView<'_>) -> Check {
        let o = &self.options;
        let text = view.text();
        let words = view.words(self.words.get());
        let n_words = words.len();

        let (mut n_non_symbol, mut non_symbol_chars, mut n_alpha) = (0usize, 0usize, 0usize);
        for w in words.iter() {
            let (mut non_symbol, mut alpha, mut chars) = (false, false, 0);
            if w.is_ascii() {
                for &b in w.as_bytes() {
                    non_symbol |= !is_datatrove_punctuation(b as char);
                    alpha |= b.is_ascii_alphabetic();
                }
                chars = w.len();
            } else {
                for c in w.chars() {
                    chars += 1;
                    non_symbol |= !is_datatrove_punctuation(c);
                    alpha |= pystr::is_alpha(c);
                }
            }
            if non_symbol {
                n_non_symbol += 1;
                non_symbol_chars += chars;
            }
            n_alpha += alpha as usize;
        }

        if on_count(o.min_doc_words).is_some_and(|min| n_non_symbol < min) {
            return Check::drop("gopher_short_doc");
        }
        if on_count(o.max_doc_words).is_some_and(|max| n_non_symbol > max) {
            return Check::drop("gopher_long_doc");
        }

        // np.mean of the lengths: NaN for no words, which fails both comparisons.
        let avg = pystr::div(non_symbol_chars, n_non_symbol);
        if on(o.min_avg_word_length).is_some_and(|min| avg < min) {
            return Check::drop("gopher_below_avg_threshold");
        }
        if on(o.max_avg_word_length).is_some_and(|max| avg > max) {
            return Check::drop("gopher_above_avg_threshold");
        }

        if let Some(max) = on(o.max_symbol_word_ratio) {
            if pystr::div(pystr::count(text, "#"), n_words) > max {
                return Check::drop("gopher_too_many_hashes");
            }
            let ellipses = pystr::count(text, "...") + pystr::count(text, "…");
            if pystr::div(ellipses, n_words) > max {
                return Check::drop("gopher_too_many_ellipsis");
            }
        }

        let bullet_max = on(o.max_bullet_lines_ratio);
        let ellipsis_max = on(o.max_ellipsis_lines_ratio);
        if bullet_max.is_some() || ellipsis_max.is_some() {
            let (mut n_lines, mut bullets, mut ellipsis_ends) = (0usize, 0usize, 0usize);
            for line in pystr::splitlines(text) {
                n_lines += 1;
                let head = pystr::lstrip(line);
                bullets += (head.starts_with('•') || head.starts_with('-')) as usize;
                let tail = pystr::rstrip(line);
                ellipsis_ends += (tail.ends_with("...") || tail.ends_with('…')) as usize;
            }
            if bullet_max.is_some_and(|max| pystr::div(bullets, n_lines) > max) {
                return Check::drop("gopher_too_many_bullets");
            }
            if ellipsis_max.is_some_and(|max| pystr::div(ellipsis_ends, n_lines) > max) {
                return Check::drop("gopher_too_many_end_ellipsis");
            }
        }

        if on(o.max_non_alpha_words_ratio).is_some_and(|min| pystr::div(n_alpha, n_words) < min) {
            return Check::drop("gopher_below_alpha_threshold");
        }

        if let Some(min) = on_count(o.min_stop_words) {
            if self.distinct_stop_words(&words, min) < min {
                return Check::drop("gopher_enough_stop_words");
            }
        }
        Check::keep()
    }

    /// How many distinct stop words occur in `words`, counting no further than `enough`.
    fn distinct_stop_words(&self, words: &[&str], enough: usize) -> usize {
        let mut found: Vec<&str> = Vec::new();
        for w in words {
            if self.stop_lengths & length_bit(w) == 0 || !self.stop_words.contains(*w) {
                continue;
            }
            if !found.contains(w) {
                found.push(w);
                if found.len() >= enough {
                    break;
                }
            }
        }
        found.len()
    }
}

fn length_bit(w: &str) -> u64 {
    1 << w.len().min(63)
}

/// A count threshold as Python's `if self.x and ...` sees it: `None` and 0 switch it off.
fn on_count(x: Option<usize>) -> Option<usize> {
    x.filter(|&v| v != 0)
}

impl Default for GopherQuality {
    fn default() -> Self {
        Self::with_words(
            GopherQualityOptions::default(),
            Words::Tokenizer(thresher_tokenize::Tokenizer::english()),
        )
    }
}

crate::text::view_filter!(GopherQuality, "gopher_quality");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::TextFilter;

    struct Split;

    impl WordSource for Split {
        fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
            pystr::split_whitespace(text).collect()
        }
    }

    fn all_off() -> GopherQualityOptions {
        GopherQualityOptions {
            min_doc_words: None,
            max_doc_words: None,
            min_avg_word_length: None,
            max_avg_word_length: None,
            max_symbol_word_ratio: None,
            max_bullet_lines_ratio: None,
            max_ellipsis_lines_ratio: None,
            max_non_alpha_words_ratio: None,
            min_stop_words: None,
            stop_words: None,
            language: "eng".into(),
        }
    }

    fn only(f: impl FnOnce(&mut GopherQualityOptions)) -> GopherQuality {
        let mut o = all_off();
        f(&mut o);
        GopherQuality::with_word_source(o, Arc::new(Split))
    }

    fn reason(f: &GopherQuality, text: &str) -> Option<String> {
        f.check(text, None).reason
    }

    fn repeat(word: &str, n: usize) -> String {
        vec![word; n].join(" ")
    }

    #[test]
    fn doc_words_boundaries() {
        let f = only(|o| o.min_doc_words = Some(50));
        assert_eq!(reason(&f, &repeat("word", 50)), None);
        assert_eq!(
            reason(&f, &repeat("word", 49)),
            Some("gopher_short_doc".into())
        );
        // Punctuation-only words do not count.
        let text = format!("{} ... -- !?", repeat("word", 49));
        assert_eq!(reason(&f, &text), Some("gopher_short_doc".into()));
        let f = only(|o| o.max_doc_words = Some(5));
        assert_eq!(reason(&f, &repeat("w", 5)), None);
        assert_eq!(reason(&f, &repeat("w", 6)), Some("gopher_long_doc".into()));
        // 0 is off, as in Python.
        let f = only(|o| o.min_doc_words = Some(0));
        assert_eq!(reason(&f, ""), None);
    }

    #[test]
    fn avg_word_length_boundaries() {
        let f = only(|o| o.min_avg_word_length = Some(3.0));
        assert_eq!(reason(&f, "ab abcd"), None); // 3.0
        assert_eq!(
            reason(&f, "ab abc"),
            Some("gopher_below_avg_threshold".into())
        ); // 2.5
           // Punctuation words are left out of the mean; NaN (no words) passes.
        assert_eq!(reason(&f, "abc ! ."), None);
        assert_eq!(reason(&f, "! ."), None);
        let f = only(|o| o.max_avg_word_length = Some(10.0));
        assert_eq!(reason(&f, "abcdefghij"), None);
        assert_eq!(
            reason(&f, "abcdefghijk"),
            Some("gopher_above_avg_threshold".into())
        );
        // Lengths are in code points.
        assert_eq!(
            reason(&f, "ééééééééééé"),
            Some("gopher_above_avg_threshold".into())
        );
        assert_eq!(reason(&f, "éééééééééé"), None);
    }

    #[test]
    fn hash_and_ellipsis_ratio_boundaries() {
        let f = only(|o| o.max_symbol_word_ratio = Some(0.1));
        // Counted in the text, divided by all words (here 10).
        let ten = repeat("w", 9);
        assert_eq!(reason(&f, &format!("{ten} #w")), None);
        assert_eq!(
            reason(&f, &format!("{ten} #w#")),
            Some("gopher_too_many_hashes".into())
        );
        assert_eq!(reason(&f, &format!("{ten} w...")), None);
        assert_eq!(
            reason(&f, &format!("{ten} w…...")),
            Some("gopher_too_many_ellipsis".into())
        );
        // "...." holds one "...".
        assert_eq!(reason(&f, &format!("{ten} w....")), None);
        // No words at all: 1 / 0 = infinity.
        assert_eq!(reason(&f, ""), None);
    }

    #[test]
    fn bullet_lines_boundary() {
        let f = only(|o| o.max_bullet_lines_ratio = Some(0.9));
        let nine = "• a\n".repeat(5) + &"  - b\n".repeat(4);
        assert_eq!(reason(&f, &format!("{nine}c")), None); // 9 / 10
        assert_eq!(
            reason(&f, &format!("{nine}-c")),
            Some("gopher_too_many_bullets".into())
        );
        // splitlines: \r and \u2028 end lines too; "*" is no bullet.
        assert_eq!(
            reason(&f, "- a\r- b"),
            Some("gopher_too_many_bullets".into())
        );
        assert_eq!(reason(&f, "- a\u{2028}* b"), None);
    }

    #[test]
    fn end_ellipsis_lines_boundary() {
        let f = only(|o| o.max_ellipsis_lines_ratio = Some(0.3));
        let text = "a...\nb…  \nc...\nd\ne\nf\ng\nh\ni\nj"; // 3 / 10
        assert_eq!(reason(&f, text), None);
        assert_eq!(
            reason(&f, &text.replace("j", "j…")),
            Some("gopher_too_many_end_ellipsis".into())
        );
    }

    #[test]
    fn alpha_words_boundary() {
        let f = only(|o| o.max_non_alpha_words_ratio = Some(0.8));
        assert_eq!(reason(&f, "a b c d 1"), None); // 0.8
        assert_eq!(
            reason(&f, "a b c 1 2"),
            Some("gopher_below_alpha_threshold".into())
        );
        // A combining mark alone is no letter for Python.
        assert_eq!(
            reason(&f, "a b c \u{0903} 2"),
            Some("gopher_below_alpha_threshold".into())
        );
    }

    #[test]
    fn stop_words_boundary() {
        let f = only(|o| o.min_stop_words = Some(2));
        assert_eq!(reason(&f, "the cat and the dog"), None);
        assert_eq!(
            reason(&f, "the cat the dog"),
            Some("gopher_enough_stop_words".into())
        );
        // Case-sensitive, whole words.
        assert_eq!(
            reason(&f, "The And theme"),
            Some("gopher_enough_stop_words".into())
        );
        let f = only(|o| {
            o.min_stop_words = Some(1);
            o.stop_words = Some(vec!["cat".into()]);
        });
        assert_eq!(reason(&f, "the cat"), None);
        assert_eq!(
            reason(&f, "the dog"),
            Some("gopher_enough_stop_words".into())
        );
    }

    #[test]
    fn defaults_are_datatrove_s() {
        let f = GopherQuality::default();
        assert_eq!(f.name(), "gopher_quality");
        assert_eq!(f.options().min_doc_words, Some(50));
        assert_eq!(f.stop_words.len(), 8);
    }
}
