//! C4's bad-words filter, deciding as datatrove 0.10.1's `C4BadWordsFilter` does.
//!
//! A document is dropped (`document_removed_with_badwords`) when its lowercased text contains a
//! word of the LDNOOBW list of its language. For languages written with spaces the word must be
//! flanked by non-word characters (or the text's start/end), as in datatrove's regex
//! `(?:\W|^)(w1|w2|…)(?:\W|$)`; for `ja`, `th` and `zh` any occurrence counts. The words of
//! datatrove's `_BADWORDS_ALLOWLIST` are removed from every list.
//!
//! Python-exactness: `\W` is Python's (not Rust's) notion of a non-word character — anything
//! but `str.isalnum()` characters and `_`, from a table generated from the oracle's
//! interpreter (`data/python_word_chars.rs`) — so combining marks (Devanagari vowel signs, …)
//! count as separators as they do in datatrove. The regex is only searched for a match, so an
//! overlapping literal search with that boundary test decides exactly as `re.search` does.
//!
//! The lists (CC BY 4.0, `data/ldnoobw/README.md`) are compiled into the binary; each
//! language's matcher is built on first use and shared by every instance.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::filter::{Check, TextFilter};
use crate::pystr;

/// The drop reason, as datatrove names it.
pub const REASON_BADWORDS: &str = "document_removed_with_badwords";

/// The drop reason when a document's language has no list and
/// [`C4BadWordsOptions::fail_on_missing_language`] is set (datatrove raises `ValueError`
/// there, which stops its run; a step cannot stop the run, so the document is dropped).
pub const REASON_MISSING_LANGUAGE: &str = "missing_badwords_lang";

/// Languages with a list, as datatrove's `_BADWORDS_LANGS`, with the bundled list of each.
const LISTS: [(&str, &str); 28] = [
    ("ar", include_str!("../data/ldnoobw/ar")),
    ("cs", include_str!("../data/ldnoobw/cs")),
    ("da", include_str!("../data/ldnoobw/da")),
    ("de", include_str!("../data/ldnoobw/de")),
    ("en", include_str!("../data/ldnoobw/en")),
    ("eo", include_str!("../data/ldnoobw/eo")),
    ("es", include_str!("../data/ldnoobw/es")),
    ("fa", include_str!("../data/ldnoobw/fa")),
    ("fi", include_str!("../data/ldnoobw/fi")),
    ("fil", include_str!("../data/ldnoobw/fil")),
    ("fr", include_str!("../data/ldnoobw/fr")),
    (
        "fr-CA-u-sd-caqc",
        include_str!("../data/ldnoobw/fr-CA-u-sd-caqc"),
    ),
    ("hi", include_str!("../data/ldnoobw/hi")),
    ("hu", include_str!("../data/ldnoobw/hu")),
    ("it", include_str!("../data/ldnoobw/it")),
    ("ja", include_str!("../data/ldnoobw/ja")),
    ("kab", include_str!("../data/ldnoobw/kab")),
    ("ko", include_str!("../data/ldnoobw/ko")),
    ("nl", include_str!("../data/ldnoobw/nl")),
    ("no", include_str!("../data/ldnoobw/no")),
    ("pl", include_str!("../data/ldnoobw/pl")),
    ("pt", include_str!("../data/ldnoobw/pt")),
    ("ru", include_str!("../data/ldnoobw/ru")),
    ("sv", include_str!("../data/ldnoobw/sv")),
    ("th", include_str!("../data/ldnoobw/th")),
    ("tlh", include_str!("../data/ldnoobw/tlh")),
    ("tr", include_str!("../data/ldnoobw/tr")),
    ("zh", include_str!("../data/ldnoobw/zh")),
];

/// The languages that have a bad-words list (datatrove's `_BADWORDS_LANGS`).
pub const BADWORDS_LANGUAGES: [&str; 28] = {
    let mut out = [""; 28];
    let mut i = 0;
    while i < LISTS.len() {
        out[i] = LISTS[i].0;
        i += 1;
    }
    out
};

/// Words removed from every list (datatrove's `_BADWORDS_ALLOWLIST`, whose per-language sets
/// datatrove subtracts from all languages alike): common subwords in languages without spaces.
pub const BADWORDS_ALLOWLIST: [&str; 4] = ["sm", "グロ", "女の子", "性"];

/// Languages matched without word boundaries.
const UNSPACED: [&str; 3] = ["ja", "th", "zh"];

/// Options of [`C4BadWords`], datatrove's constructor parameters with its defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct C4BadWordsOptions {
    /// Fraction of documents with bad words that are kept anyway (0.0: none).
    pub keep_fraction: f64,
    /// What to do with a language that has no list: `true` drops the document with
    /// [`REASON_MISSING_LANGUAGE`] (datatrove raises), `false` keeps it.
    pub fail_on_missing_language: bool,
    /// Seed of the draw behind `keep_fraction` (`None` = 0 here; datatrove seeds from OS
    /// entropy). See [`C4BadWords::keep_draw`].
    #[serde(with = "crate::off")]
    pub seed: Option<u64>,
    /// Language of documents without one.
    pub default_language: String,
}

impl Default for C4BadWordsOptions {
    fn default() -> Self {
        C4BadWordsOptions {
            keep_fraction: 0.0,
            fail_on_missing_language: true,
            seed: None,
            default_language: "en".to_string(),
        }
    }
}

/// The C4 bad-words filter (name `c4_badwords`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct C4BadWords {
    options: C4BadWordsOptions,
}

impl C4BadWords {
    /// A filter with `options`.
    pub fn new(options: C4BadWordsOptions) -> Self {
        C4BadWords { options }
    }

    /// The options.
    pub fn options(&self) -> &C4BadWordsOptions {
        &self.options
    }

    /// Whether `text` contains a bad word of `language`'s list (`None`: no list for it).
    pub fn contains_badword(text: &str, language: &str) -> Option<bool> {
        let matcher = matcher(language)?;
        Some(matcher.is_match(&text.to_lowercase()))
    }

    /// The uniform draw in [0, 1) compared with `keep_fraction` for a document with bad words.
    ///
    /// datatrove draws from one numpy `default_rng(seed)` stream in document order, which
    /// depends on the order documents reach the filter; here the draw is a hash of the seed and
    /// the text instead, so the decision is the same for any thread count and input order (it
    /// does not reproduce numpy's numbers; with the default `keep_fraction` 0.0 no draw is
    /// made, as in datatrove).
    pub fn keep_draw(&self, text: &str) -> f64 {
        // FNV-1a over the text, then a SplitMix64 finaliser mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in text.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut z = h ^ self
            .options
            .seed
            .unwrap_or(0)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // 53 random bits, as numpy turns a 64-bit draw into a double.
        (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

impl TextFilter for C4BadWords {
    fn name(&self) -> &str {
        "c4_badwords"
    }

    fn check(&self, text: &str, language: Option<&str>) -> Check {
        let language = language.unwrap_or(&self.options.default_language);
        let Some(matcher) = matcher(language) else {
            return if self.options.fail_on_missing_language {
                Check::drop(REASON_MISSING_LANGUAGE)
            } else {
                Check::keep()
            };
        };
        if !matcher.is_match(&text.to_lowercase()) {
            return Check::keep();
        }
        if self.options.keep_fraction > 0.0 && self.keep_draw(text) < self.options.keep_fraction {
            return Check::keep();
        }
        Check::drop(REASON_BADWORDS)
    }
}

/// One language's compiled list.
struct Matcher {
    words: AhoCorasick,
    /// Whether a match must be flanked by non-word characters.
    bounded: bool,
}

impl Matcher {
    fn build(language: &str, list: &str) -> Option<Matcher> {
        let words = list_words(list);
        // Standard semantics: the overlapping search below needs every occurrence.
        let words = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(words)
            .ok()?;
        Some(Matcher {
            words,
            bounded: !UNSPACED.contains(&language),
        })
    }

    /// `re.search` of datatrove's pattern on the (already lowercased) text.
    fn is_match(&self, lower: &str) -> bool {
        if !self.bounded {
            return self.words.is_match(lower);
        }
        // Every occurrence of every word, since a word that fails the boundary test may
        // overlap one that passes it.
        self.words.find_overlapping_iter(lower).any(|m| {
            // UTF-8 patterns match at character boundaries, so the slices always exist
            let before = lower.get(..m.start()).and_then(|s| s.chars().next_back());
            let after = lower.get(m.end()..).and_then(|s| s.chars().next());
            !before.is_some_and(is_py_word) && !after.is_some_and(is_py_word)
        })
    }
}

/// The words of a list file as datatrove reads them: lines stripped (Python whitespace),
/// duplicates merged, allowlisted words removed. Lists are not lowercased (so a word with a
/// capital letter can never match the lowercased text, as in datatrove).
pub fn list_words(list: &str) -> Vec<String> {
    // Python's text mode reads \r\n and \r as line ends.
    let list = list.replace("\r\n", "\n").replace('\r', "\n");
    let mut words: Vec<String> = list
        .split_terminator('\n')
        .map(|line| pystr::strip(line).to_string())
        .filter(|w| !BADWORDS_ALLOWLIST.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The bundled list of `language` (datatrove's language code), if it has one.
pub fn bundled_list(language: &str) -> Option<&'static str> {
    LISTS
        .iter()
        .find(|(code, _)| *code == language)
        .map(|(_, list)| *list)
}

/// The shared matcher of `language`, built on first use; `None` when it has no list.
fn matcher(language: &str) -> Option<&'static Matcher> {
    static MATCHERS: [OnceLock<Option<Matcher>>; 28] = [const { OnceLock::new() }; 28];
    let index = LISTS.iter().position(|(code, _)| *code == language)?;
    let (code, list) = LISTS[index];
    MATCHERS[index]
        .get_or_init(|| Matcher::build(code, list))
        .as_ref()
}

/// Whether Python's `re` counts `c` as a word character (`\w` in a `str` pattern:
/// `c.isalnum() or c == "_"`, CPython 3.11.7, Unicode 14.0).
pub fn is_py_word(c: char) -> bool {
    const RANGES: &[(u32, u32)] = include!("../data/python_word_chars.rs");
    let c = u32::from(c);
    RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> C4BadWords {
        C4BadWords::default()
    }

    fn dropped(text: &str, language: Option<&str>) -> bool {
        let f = C4BadWords::new(C4BadWordsOptions {
            fail_on_missing_language: false,
            ..C4BadWordsOptions::default()
        });
        !f.check(text, language).keep
    }

    #[test]
    fn word_boundaries_on_both_sides() {
        assert!(dropped("what a boner here", None));
        assert!(dropped("boner", None));
        assert!(dropped("Boner!", None));
        assert!(dropped("(boner)", None));
        assert!(dropped("x\nboner\n", None));
        // a word character on either side hides it
        assert!(!dropped("boners", None));
        assert!(!dropped("aboner", None));
        assert!(!dropped("boner_", None));
        assert!(!dropped("_boner", None));
        assert!(!dropped("boner2", None));
        // Python's \w includes non-ASCII letters and digits, not combining marks
        assert!(!dropped("éboner", None));
        assert!(!dropped("boner٣", None));
        assert!(dropped("boner\u{301}", None));
    }

    #[test]
    fn every_occurrence_is_tried() {
        // "sexy" and "sex" fail their boundaries inside "sexyy"; the later "sex" passes
        assert!(dropped("sexyy sex", None));
    }

    #[test]
    fn combining_marks_are_separators() {
        let word = list_words(bundled_list("ar").unwrap())
            .into_iter()
            .find(|w| w.chars().all(|c| !c.is_ascii()))
            .unwrap();
        // U+064E (fatha) is a mark: non-word for Python (word for Rust's regex), so the word
        // still matches
        assert!(dropped(&format!("\u{064E}{word}\u{064E}"), Some("ar")));
        // U+0628 (beh) is a letter
        assert!(!dropped(&format!("\u{0628}{word}"), Some("ar")));
        assert!(!dropped(&format!("{word}\u{0628}"), Some("ar")));
    }

    #[test]
    fn unspaced_languages_match_inside_words() {
        let ja = list_words(bundled_list("ja").unwrap());
        let word = ja.iter().find(|w| !w.is_ascii()).unwrap();
        assert!(dropped(&format!("あ{word}あ"), Some("ja")));
        let zh = list_words(bundled_list("zh").unwrap());
        let word = zh.iter().find(|w| !w.is_ascii()).unwrap();
        assert!(dropped(&format!("中{word}中"), Some("zh")));
    }

    #[test]
    fn allowlist_is_removed_from_every_language() {
        for lang in BADWORDS_LANGUAGES {
            let words = list_words(bundled_list(lang).unwrap());
            assert!(words.iter().all(|w| !w.is_empty()), "{lang}");
            for allowed in BADWORDS_ALLOWLIST {
                assert!(!words.iter().any(|w| w == allowed), "{lang} {allowed}");
            }
        }
        // 女の子 is on the ja list upstream; allowlisted, alone it keeps the document
        assert!(bundled_list("ja")
            .unwrap()
            .lines()
            .any(|l| l.trim() == "女の子"));
        assert!(!dropped("女の子", Some("ja")));
        assert!(!dropped("性", Some("zh")));
    }

    #[test]
    fn missing_language() {
        assert!(!dropped("fuck", Some("xx")));
        let strict = en();
        let c = strict.check("anything", Some("xx"));
        assert_eq!(c.reason.as_deref(), Some(REASON_MISSING_LANGUAGE));
        // no language: the default, English
        assert!(!strict.check("fuck", None).keep);
        assert_eq!(
            strict.check("fuck", None).reason.as_deref(),
            Some(REASON_BADWORDS)
        );
        assert!(strict.check("fine text", None).keep);
    }

    #[test]
    fn text_is_lowercased() {
        assert!(dropped("FUCK", None));
        assert_eq!(C4BadWords::contains_badword("Fuck", "en"), Some(true));
        assert_eq!(C4BadWords::contains_badword("x", "en"), Some(false));
        assert_eq!(C4BadWords::contains_badword("fuck", "xx"), None);
    }

    #[test]
    fn keep_fraction_is_deterministic() {
        let text = "fuck fuck";
        let never = C4BadWords::new(C4BadWordsOptions {
            keep_fraction: 0.0,
            ..C4BadWordsOptions::default()
        });
        assert!(!never.check(text, None).keep);
        let always = C4BadWords::new(C4BadWordsOptions {
            keep_fraction: 1.0,
            ..C4BadWordsOptions::default()
        });
        assert!(always.check(text, None).keep);
        let half = C4BadWords::new(C4BadWordsOptions {
            keep_fraction: 0.5,
            seed: Some(7),
            ..C4BadWordsOptions::default()
        });
        let draw = half.keep_draw(text);
        assert!((0.0..1.0).contains(&draw));
        assert_eq!(draw, half.keep_draw(text));
        assert_eq!(half.check(text, None).keep, draw < 0.5);
        // about half of many different texts are kept
        let kept = (0..1000)
            .filter(|i| half.check(&format!("fuck {i}"), None).keep)
            .count();
        assert!((400..600).contains(&kept), "{kept}");
    }

    #[test]
    fn word_table_matches_python() {
        for c in ['a', 'Z', '0', '_', 'é', 'ß', 'Ω', '中', '٣', '²', '½', 'Ⅻ'] {
            assert!(is_py_word(c), "{c:?}");
        }
        for c in [
            ' ', '-', '\n', '\u{301}', '\u{93F}', '\u{200D}', '!', '€', '\u{2028}',
        ] {
            assert!(!is_py_word(c), "{c:?}");
        }
    }
}
