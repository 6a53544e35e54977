//! datatrove's `FineWebQualityFilter` (FineWeb, Penedo et al. 2024): drops texts whose lines
//! rarely end in terminal punctuation, are mostly short, repeat, or that are lists (many line
//! breaks per word).
//!
//! Lines are the text split at `\n` without the whitespace-only ones. Reasons, in datatrove's
//! order: `empty` (no such line), `line_punct_ratio`, `short_line_ratio` (lines of at most
//! `short_line_length` code points, unstripped), `char_dup_ratio` (code points of repeated
//! lines over those of the text without its `\n`), `list_ratio` (`\n` per word).

use std::sync::Arc;

use thresher_tokenize::TokenizeError;

use crate::filter::Check;
use crate::gopher_repetition::find_duplicates;
use crate::pystr;
use crate::text::{is_terminal_punctuation, TextView, WordSource, Words};

/// `FineWebQualityFilter`'s parameters; `Default` is datatrove's.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FineWebQualityOptions {
    /// Drop when fewer than this fraction of lines end in one of `stop_chars`.
    pub line_punct_thr: f64,
    /// Do not drop for `line_punct_ratio` when no line at all ends in one.
    pub line_punct_exclude_zero: bool,
    /// Line endings that count as punctuation; `None` = datatrove's `TERMINAL_PUNCTUATION`.
    #[serde(with = "crate::off")]
    pub stop_chars: Option<Vec<String>>,
    /// Drop when more than this fraction of lines are short.
    pub short_line_thr: f64,
    /// A line of at most this many code points is short.
    pub short_line_length: usize,
    /// Drop when repeated lines hold more than this fraction of the characters.
    pub char_duplicates_ratio: f64,
    /// Drop when there are more than this many `\n` per word.
    pub new_line_ratio: f64,
    /// datatrove language code of the word tokenizer (`"eng"`).
    pub language: String,
}

impl Default for FineWebQualityOptions {
    fn default() -> Self {
        FineWebQualityOptions {
            line_punct_thr: 0.12,
            line_punct_exclude_zero: false,
            stop_chars: None,
            short_line_thr: 0.67,
            short_line_length: 30,
            char_duplicates_ratio: 0.01,
            new_line_ratio: 0.3,
            language: "eng".to_string(),
        }
    }
}

/// datatrove's `FineWebQualityFilter`, named `fineweb_quality`.
///
/// Where datatrove would divide by zero (a text with no words, which spaCy never gives for a
/// text with a non-blank line) the ratio is IEEE infinity or NaN.
#[derive(Debug, Clone)]
pub struct FineWebQuality {
    options: FineWebQualityOptions,
    words: Words,
}

impl FineWebQuality {
    /// The filter with `options`; fails when no word tokenizer knows `options.language`.
    pub fn new(options: FineWebQualityOptions) -> Result<Self, TokenizeError> {
        let words = Words::for_language(&options.language)?;
        Ok(Self::with_words(options, words))
    }

    pub(crate) fn with_words(options: FineWebQualityOptions, words: Words) -> Self {
        FineWebQuality { options, words }
    }

    /// The filter with words from `source` instead of the language's tokenizer.
    pub fn with_word_source(options: FineWebQualityOptions, source: Arc<dyn WordSource>) -> Self {
        Self::with_words(options, Words::Custom(source))
    }

    /// The parameters.
    pub fn options(&self) -> &FineWebQualityOptions {
        &self.options
    }

    fn ends_with_stop(&self, line: &str) -> bool {
        match &self.options.stop_chars {
            None => line
                .chars()
                .next_back()
                .is_some_and(is_terminal_punctuation),
            Some(stops) => stops.iter().any(|s| line.ends_with(s.as_str())),
        }
    }

    fn decide(&self, view: &TextView<'_>) -> Check {
        let o = &self.options;
        let text = view.text();
        let lines: Vec<&str> = text
            .split('\n')
            .filter(|l| !pystr::strip(l).is_empty())
            .collect();
        if lines.is_empty() {
            return Check::drop("empty");
        }
        let n = lines.len();

        let ratio = pystr::div(lines.iter().filter(|l| self.ends_with_stop(l)).count(), n);
        if ratio < o.line_punct_thr && !(ratio == 0.0 && o.line_punct_exclude_zero) {
            return Check::drop("line_punct_ratio");
        }

        let short = lines
            .iter()
            .filter(|l| pystr::char_len(l) <= o.short_line_length)
            .count();
        if pystr::div(short, n) > o.short_line_thr {
            return Check::drop("short_line_ratio");
        }

        let newlines = pystr::count(text, "\n");
        let repeated = find_duplicates(lines.iter().copied()).chars;
        if pystr::div(repeated, view.char_len() - newlines) > o.char_duplicates_ratio {
            return Check::drop("char_dup_ratio");
        }

        let words = view.words(self.words.get());
        if pystr::div(newlines, words.len()) > o.new_line_ratio {
            return Check::drop("list_ratio");
        }
        Check::keep()
    }
}

impl Default for FineWebQuality {
    fn default() -> Self {
        Self::with_words(
            FineWebQualityOptions::default(),
            Words::Tokenizer(thresher_tokenize::Tokenizer::english()),
        )
    }
}

crate::text::view_filter!(FineWebQuality, "fineweb_quality");

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

    fn filter(f: impl FnOnce(&mut FineWebQualityOptions)) -> FineWebQuality {
        let mut o = FineWebQualityOptions::default();
        f(&mut o);
        FineWebQuality::with_word_source(o, Arc::new(Split))
    }

    fn reason(f: &FineWebQuality, text: &str) -> Option<String> {
        f.check(text, None).reason
    }

    /// A distinct line of `len` code points ending in `end`.
    fn line(k: usize, len: usize, end: &str) -> String {
        let head = format!("line {k} ");
        let body = "x "
            .repeat(len)
            .chars()
            .take(len - head.len() - end.chars().count())
            .collect::<String>();
        format!("{head}{body}{end}")
    }

    fn lines(spec: &[(usize, &str)]) -> String {
        spec.iter()
            .enumerate()
            .map(|(k, &(len, end))| line(k, len, end))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn empty_when_no_non_blank_line() {
        let f = filter(|_| {});
        assert_eq!(reason(&f, ""), Some("empty".into()));
        assert_eq!(reason(&f, "\n \n\t\x1c\n"), Some("empty".into()));
    }

    #[test]
    fn line_punct_ratio_boundary() {
        let f = filter(|o| o.line_punct_thr = 0.25);
        // 1 of 4 lines ends in terminal punctuation: 0.25 is not < 0.25.
        let keep = lines(&[(40, "."), (40, "x"), (40, ","), (40, "…")]);
        assert_eq!(reason(&f, &keep), None);
        let drop = lines(&[(40, "."), (40, "x"), (40, ","), (40, "…"), (40, "y")]);
        assert_eq!(reason(&f, &drop), Some("line_punct_ratio".into()));
        // Unstripped: a trailing space hides the mark. Other scripts' marks count.
        assert_eq!(
            reason(&f, &lines(&[(40, ". "), (40, "x")])),
            Some("line_punct_ratio".into())
        );
        assert_eq!(reason(&f, &lines(&[(40, "。"), (40, "x")])), None);
        // exclude_zero keeps texts with no such line at all.
        let f = filter(|o| o.line_punct_exclude_zero = true);
        assert_eq!(reason(&f, &lines(&[(40, "x"), (40, "y")])), None);
        // Custom stop strings.
        let f = filter(|o| o.stop_chars = Some(vec!["xy".into()]));
        assert_eq!(reason(&f, &lines(&[(40, "xy")])), None);
        assert_eq!(
            reason(&f, &lines(&[(40, ".")])),
            Some("line_punct_ratio".into())
        );
    }

    #[test]
    fn short_line_ratio_boundary() {
        let f = filter(|o| o.short_line_thr = 0.5);
        // Two of four lines have ≤ 30 code points: 0.5 is not > 0.5.
        let keep = lines(&[(30, "."), (31, "."), (30, "."), (40, ".")]);
        assert_eq!(reason(&f, &keep), None);
        let drop = lines(&[(30, "."), (31, "."), (30, "."), (29, ".")]);
        assert_eq!(reason(&f, &drop), Some("short_line_ratio".into()));
        // Code points, not bytes: 25 code points in 45 bytes is short.
        let short = format!("{} a b.", "é".repeat(20));
        let text = format!("{short}\nx{short}");
        assert_eq!(reason(&f, &text), Some("short_line_ratio".into()));
    }

    #[test]
    fn char_dup_ratio_boundary() {
        let f = filter(|o| o.char_duplicates_ratio = 0.25);
        let a = line(0, 40, ".");
        let b = line(1, 40, ".");
        let c = line(2, 40, ".");
        // One repeat of 40 in 160 characters (newlines not counted): 0.25 is not > 0.25.
        assert_eq!(reason(&f, &format!("{a}\n{b}\n{a}\n{c}")), None);
        assert_eq!(
            reason(&f, &format!("{a}\n{b}\n{a}\n{a}")),
            Some("char_dup_ratio".into())
        );
        // Blank lines are left out.
        assert_eq!(reason(&f, &format!("{a}\n \n{b}\n \n{a}\n{c}")), None);
    }

    #[test]
    fn list_ratio_boundary() {
        let f = filter(|o| o.new_line_ratio = 0.3);
        // 3 newlines, 10 words.
        let text = "a b c d e f g h.\ni.\nj.\n";
        let f2 = filter(|o| {
            o.new_line_ratio = 0.3;
            o.short_line_thr = 1.0;
        });
        assert_eq!(reason(&f2, text), None);
        assert_eq!(reason(&f2, &format!("{text}\n")), Some("list_ratio".into()));
        assert_eq!(reason(&f, text), Some("short_line_ratio".into()));
    }

    #[test]
    fn defaults_are_datatrove_s() {
        let f = FineWebQuality::default();
        assert_eq!(f.name(), "fineweb_quality");
        assert_eq!(f.options().short_line_length, 30);
        assert_eq!(f.options().line_punct_thr, 0.12);
    }
}
