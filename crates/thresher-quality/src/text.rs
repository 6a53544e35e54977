//! A text with its words tokenised at most once, shared by the filters of a chain, and the
//! chain itself.
//!
//! Gopher repetition, Gopher quality, C4 (sentence counts) and FineWeb all need datatrove's
//! words of the same text. [`TextView`] computes them lazily, once per text; [`Chain`] passes
//! one view from filter to filter until one rewrites the text, and C4 hands on the words of
//! the text it writes (spaCy tokenises each whitespace-separated chunk on its own, so the words
//! of kept lines are the words of the new text).
//!
//! As in datatrove, the Gopher, C4 and FineWeb filters tokenise with the language of their
//! options (`language`, default `"eng"`), not with the document's language that
//! [`TextFilter::check`] also receives.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

use thresher_tokenize::{TokenizeError, Tokenizer};

use crate::filter::{Check, TextFilter};

/// Where words come from: datatrove's `split_into_words(text, language)`.
pub trait WordSource: Send + Sync {
    /// The words of `text`, in order, each a slice of `text`, with no whitespace-only words.
    fn words<'a>(&self, text: &'a str) -> Vec<&'a str>;

    /// Identifies the source, so that a view reuses words only for the source that made them.
    fn identity(&self) -> usize {
        self as *const Self as *const u8 as usize
    }
}

impl WordSource for Tokenizer {
    fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        Tokenizer::words(self, text)
    }
}

/// A filter's word source: the shared tokenizer of its language, or one given by the caller.
#[derive(Clone)]
pub(crate) enum Words {
    Tokenizer(&'static Tokenizer),
    Custom(Arc<dyn WordSource>),
}

impl Words {
    pub(crate) fn for_language(language: &str) -> Result<Words, TokenizeError> {
        Ok(Words::Tokenizer(Tokenizer::for_language(language)?))
    }

    pub(crate) fn get(&self) -> &dyn WordSource {
        match self {
            Words::Tokenizer(t) => *t,
            Words::Custom(s) => s.as_ref(),
        }
    }
}

impl fmt::Debug for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Words::Tokenizer(t) => write!(f, "Tokenizer({})", t.language()),
            Words::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// A text with lazily computed facts that several filters use: its words and its length in
/// code points.
pub struct TextView<'t> {
    text: &'t str,
    words: OnceCell<(usize, Vec<&'t str>)>,
    char_len: OnceCell<usize>,
}

impl<'t> TextView<'t> {
    /// A view of `text`; nothing is computed yet.
    pub fn new(text: &'t str) -> TextView<'t> {
        TextView {
            text,
            words: OnceCell::new(),
            char_len: OnceCell::new(),
        }
    }

    /// A view whose words (for the source `identity`) are known: byte ranges into `text`.
    pub(crate) fn with_word_ranges(
        text: &'t str,
        identity: usize,
        ranges: &[(usize, usize)],
    ) -> TextView<'t> {
        let view = TextView::new(text);
        let words: Option<Vec<&'t str>> = ranges.iter().map(|&(s, e)| text.get(s..e)).collect();
        if let Some(words) = words {
            let _ = view.words.set((identity, words));
        }
        view
    }

    /// The text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// `len(text)`, in code points.
    pub fn char_len(&self) -> usize {
        *self
            .char_len
            .get_or_init(|| crate::pystr::char_len(self.text))
    }

    /// The words of the text from `source`, computed on first use and kept for later calls
    /// with the same source.
    pub fn words(&self, source: &dyn WordSource) -> Cow<'_, [&'t str]> {
        let id = source.identity();
        let (cached_id, words) = self.words.get_or_init(|| (id, source.words(self.text)));
        if *cached_id == id {
            Cow::Borrowed(words.as_slice())
        } else {
            Cow::Owned(source.words(self.text))
        }
    }

    /// The words from `source` if they were already computed.
    pub(crate) fn cached_words(&self, source: &dyn WordSource) -> Option<&[&'t str]> {
        match self.words.get() {
            Some((id, words)) if *id == source.identity() => Some(words),
            _ => None,
        }
    }
}

impl fmt::Debug for TextView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextView")
            .field("bytes", &self.text.len())
            .field("words", &self.words.get().map(|(_, w)| w.len()))
            .finish()
    }
}

/// The byte range of each word in `text`: words that are slices of `text` are placed by
/// address, others are searched for from the end of the previous word. `None` when a word is
/// not found (a word source that does not return pieces of the text).
pub(crate) fn word_ranges(text: &str, words: &[&str]) -> Option<Vec<(usize, usize)>> {
    let base = text.as_ptr() as usize;
    let mut out = Vec::with_capacity(words.len());
    let mut cursor = 0;
    for w in words {
        let addr = w.as_ptr() as usize;
        // A word in the text's memory is that piece of the text (a `str` starts and ends at
        // character boundaries, so its ends are boundaries of the text too).
        let start = if addr >= base && addr - base >= cursor && addr - base + w.len() <= text.len()
        {
            addr - base
        } else {
            cursor + text.get(cursor..)?.find(*w)?
        };
        cursor = start + w.len();
        out.push((start, cursor));
    }
    Some(out)
}

/// What a [`ViewFilter`] decided, with the words of the rewritten text when the filter knows
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCheck {
    /// The decision.
    pub check: Check,
    /// The word source's identity and the byte ranges of the rewritten text's words.
    pub(crate) next_words: Option<(usize, Vec<(usize, usize)>)>,
}

impl From<Check> for ViewCheck {
    fn from(check: Check) -> ViewCheck {
        ViewCheck {
            check,
            next_words: None,
        }
    }
}

/// A filter that decides on a [`TextView`], reusing what earlier filters computed on it.
pub trait ViewFilter: TextFilter {
    /// Decides on the view's text (as [`TextFilter::check`]).
    fn check_view(&self, view: &TextView<'_>, language: Option<&str>) -> ViewCheck;
}

/// Any [`TextFilter`] in a [`Chain`]: it sees the text only.
#[derive(Debug)]
pub struct PlainFilter<F>(pub F);

impl<F: TextFilter> TextFilter for PlainFilter<F> {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn check(&self, text: &str, language: Option<&str>) -> Check {
        self.0.check(text, language)
    }
}

impl<F: TextFilter> ViewFilter for PlainFilter<F> {
    fn check_view(&self, view: &TextView<'_>, language: Option<&str>) -> ViewCheck {
        self.0.check(view.text(), language).into()
    }
}

/// The result of running a [`Chain`] on a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainResult<'a> {
    /// Whether every filter kept the text.
    pub keep: bool,
    /// The name of the filter that dropped it.
    pub dropped_by: Option<String>,
    /// That filter's reason.
    pub reason: Option<String>,
    /// The text after the filters that ran (when dropped: the text the dropping filter saw).
    pub text: Cow<'a, str>,
}

/// Filters run in order, each on the text the previous one left, until one drops it: datatrove's
/// pipeline of filters for one document. [`Chain::fineweb`] is FineWeb's.
#[derive(Default)]
pub struct Chain {
    filters: Vec<Box<dyn ViewFilter>>,
}

impl Chain {
    /// An empty chain (keeps everything).
    pub fn new() -> Chain {
        Chain::default()
    }

    /// FineWeb's text filters (datatrove `examples/fineweb.py`, after URL, extraction and
    /// language steps): `gopher_repetition` → `gopher_quality` → `c4_quality_fineweb` (C4 with
    /// `filter_no_terminal_punct=False`) → `fineweb_quality`, all with datatrove's defaults and
    /// the word tokenizer of `language` (`"eng"`, `"en"`, ...).
    pub fn fineweb(language: &str) -> Result<Chain, TokenizeError> {
        Ok(Chain::fineweb_with(
            Words::for_language(language)?,
            language,
        ))
    }

    /// [`Chain::fineweb`] with words from `source` instead of the language's tokenizer.
    pub fn fineweb_with_word_source(source: Arc<dyn WordSource>) -> Chain {
        Chain::fineweb_with(Words::Custom(source), "eng")
    }

    fn fineweb_with(words: Words, language: &str) -> Chain {
        use crate::c4_quality::{C4Quality, C4QualityOptions};
        use crate::fineweb_quality::{FineWebQuality, FineWebQualityOptions};
        use crate::gopher_quality::{GopherQuality, GopherQualityOptions};
        use crate::gopher_repetition::{GopherRepetition, GopherRepetitionOptions};
        let language = language.to_string();
        Chain::new()
            .push(GopherRepetition::with_words(
                GopherRepetitionOptions {
                    language: language.clone(),
                    ..Default::default()
                },
                words.clone(),
            ))
            .push(GopherQuality::with_words(
                GopherQualityOptions {
                    language: language.clone(),
                    ..Default::default()
                },
                words.clone(),
            ))
            .push(
                C4Quality::with_words(
                    C4QualityOptions {
                        language: language.clone(),
                        ..C4QualityOptions::fineweb()
                    },
                    words.clone(),
                )
                // FineWeb's C4 configuration, whatever the language.
                .with_name("c4_quality_fineweb"),
            )
            .push(FineWebQuality::with_words(
                FineWebQualityOptions {
                    language,
                    ..Default::default()
                },
                words,
            ))
    }

    /// Appends `filter`.
    pub fn push(mut self, filter: impl ViewFilter + 'static) -> Chain {
        self.filters.push(Box::new(filter));
        self
    }

    /// Appends any [`TextFilter`] (it gets the text only, no shared words).
    pub fn push_text_filter(self, filter: impl TextFilter + 'static) -> Chain {
        self.push(PlainFilter(filter))
    }

    /// The filters' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.filters.iter().map(|f| f.name())
    }

    /// Runs the filters on `text`. `language` is the document's language, passed to each
    /// filter (the datatrove filters here use their configured language, as datatrove does).
    pub fn run<'a>(&self, text: &'a str, language: Option<&str>) -> ChainResult<'a> {
        let mut current: Cow<'a, str> = Cow::Borrowed(text);
        let mut carried: Option<(usize, Vec<(usize, usize)>)> = None;
        let mut next = 0;
        while next < self.filters.len() {
            // Filters share one view until one rewrites the text.
            let rewrite = {
                let view = match carried.take() {
                    Some((id, ranges)) => TextView::with_word_ranges(&current, id, &ranges),
                    None => TextView::new(&current),
                };
                let mut rewrite = None;
                while next < self.filters.len() {
                    let filter = &self.filters[next];
                    next += 1;
                    let out = filter.check_view(&view, language);
                    if !out.check.keep {
                        return ChainResult {
                            keep: false,
                            dropped_by: Some(filter.name().to_string()),
                            reason: out.check.reason,
                            text: current.clone(),
                        };
                    }
                    if let Some(new_text) = out.check.rewritten {
                        rewrite = Some((new_text, out.next_words));
                        break;
                    }
                }
                rewrite
            };
            if let Some((new_text, words)) = rewrite {
                current = Cow::Owned(new_text);
                carried = words;
            }
        }
        ChainResult {
            keep: true,
            dropped_by: None,
            reason: None,
            text: current,
        }
    }
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// Whether `c` is in datatrove's `PUNCTUATION_SET`: ASCII punctuation, the C0 and C1 control
/// characters other than `\t` and `\n`, some typographic and CJK marks, and every
/// [terminal punctuation](is_terminal_punctuation) mark.
#[inline]
pub fn is_datatrove_punctuation(c: char) -> bool {
    let c = c as u32;
    if c < 128 {
        return ASCII_PUNCTUATION >> c & 1 == 1;
    }
    PUNCTUATION_SET.binary_search(&c).is_ok()
}

/// The ASCII part of `PUNCTUATION_SET` as a bit mask.
const ASCII_PUNCTUATION: u128 = {
    let mut mask = 0u128;
    let mut i = 0;
    while i < PUNCTUATION_SET.len() && PUNCTUATION_SET[i] < 128 {
        mask |= 1 << PUNCTUATION_SET[i];
        i += 1;
    }
    mask
};

/// Whether `c` is in datatrove's `TERMINAL_PUNCTUATION`.
#[inline]
pub fn is_terminal_punctuation(c: char) -> bool {
    TERMINAL_PUNCTUATION.binary_search(&(c as u32)).is_ok()
}

/// A hash set / map state for the filters' internal tables: keyed per process (foldhash),
/// several times faster than SipHash on short strings.
pub(crate) type FastState = foldhash::fast::RandomState;

// Tables generated by tests/fixtures/gen_tables.py from datatrove 0.10.1's utils/text.py.

/// datatrove `utils.text.PUNCTUATION_SET`.
#[rustfmt::skip]
static PUNCTUATION_SET: [u32; 281] = [
    0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0xB, 0xC, 0xD, 0xE, 0xF, 0x10, 0x11, 0x12,
    0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x21, 0x22,
    0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x3A, 0x3B,
    0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60, 0x7B, 0x7C, 0x7D, 0x7E,
    0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D,
    0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C,
    0x9D, 0x9E, 0x9F, 0xAB, 0xB4, 0xBB, 0x589, 0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702,
    0x7F9, 0x837, 0x839, 0x83D, 0x83E, 0x964, 0x965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368,
    0x166E, 0x1735, 0x1736, 0x17D4, 0x17D5, 0x17D6, 0x17D9, 0x17DA, 0x1803, 0x1809, 0x1944,
    0x1945, 0x1AA8, 0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E,
    0x1C3B, 0x1C3C, 0x1C7E, 0x1C7F, 0x2013, 0x2014, 0x2019, 0x201C, 0x201D, 0x201E, 0x2026,
    0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2236, 0x2501, 0x25BA, 0x2E2E, 0x2E3C, 0x2E53,
    0x2E54, 0x3001, 0x3002, 0x3008, 0x3009, 0x300A, 0x300B, 0x300C, 0x300D, 0x3010, 0x3011,
    0xA4FF, 0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F, 0xA9C8,
    0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01,
    0xFF05, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF11, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF5E, 0xFF61,
    0x10A56, 0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88,
    0x10F89, 0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141, 0x11142, 0x11143,
    0x111C5, 0x111C6, 0x111CD, 0x111DE, 0x111DF, 0x11238, 0x11239, 0x1123B, 0x1123C, 0x112A9,
    0x1144B, 0x1144C, 0x115C2, 0x115C3, 0x115C9, 0x115CA, 0x115CB, 0x115CC, 0x115CD, 0x115CE,
    0x115CF, 0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4, 0x115D5, 0x115D6, 0x115D7, 0x11641,
    0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946, 0x11A42, 0x11A43, 0x11A9B, 0x11A9C,
    0x11C41, 0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44, 0x16A6E, 0x16A6F, 0x16AF5, 0x16B37,
    0x16B38, 0x16B44, 0x16E98, 0x1BC9F, 0x1DA88,
];

/// datatrove `utils.text.TERMINAL_PUNCTUATION`.
#[rustfmt::skip]
static TERMINAL_PUNCTUATION: [u32; 159] = [
    0x21, 0x2E, 0x3F, 0x589, 0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702, 0x7F9, 0x837,
    0x839, 0x83D, 0x83E, 0x964, 0x965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368, 0x166E, 0x1735,
    0x1736, 0x17D4, 0x17D5, 0x17D6, 0x17D9, 0x17DA, 0x1803, 0x1809, 0x1944, 0x1945, 0x1AA8,
    0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C,
    0x1C7E, 0x1C7F, 0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2E2E, 0x2E3C, 0x2E53, 0x2E54,
    0x3002, 0xA4FF, 0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F,
    0xA9C8, 0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57,
    0xFF01, 0xFF0E, 0xFF1F, 0xFF61, 0x10A56, 0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58,
    0x10F59, 0x10F86, 0x10F87, 0x10F88, 0x10F89, 0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0,
    0x110C1, 0x11141, 0x11142, 0x11143, 0x111C5, 0x111C6, 0x111CD, 0x111DE, 0x111DF, 0x11238,
    0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B, 0x1144C, 0x115C2, 0x115C3, 0x115C9, 0x115CA,
    0x115CB, 0x115CC, 0x115CD, 0x115CE, 0x115CF, 0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4,
    0x115D5, 0x115D6, 0x115D7, 0x11641, 0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946,
    0x11A42, 0x11A43, 0x11A9B, 0x11A9C, 0x11C41, 0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44,
    0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38, 0x16B44, 0x16E98, 0x1BC9F, 0x1DA88,
];

/// Implements [`TextFilter`] and [`ViewFilter`] for a filter whose decision is
/// `fn decide(&self, &TextView) -> Check` and whose name is fixed.
macro_rules! view_filter {
    ($ty:ty, $name:literal) => {
        impl $crate::filter::TextFilter for $ty {
            fn name(&self) -> &str {
                $name
            }

            fn check(&self, text: &str, _language: Option<&str>) -> $crate::filter::Check {
                self.decide(&$crate::text::TextView::new(text))
            }
        }

        impl $crate::text::ViewFilter for $ty {
            fn check_view(
                &self,
                view: &$crate::text::TextView<'_>,
                _language: Option<&str>,
            ) -> $crate::text::ViewCheck {
                self.decide(view).into()
            }
        }
    };
}
pub(crate) use view_filter;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_tables() {
        for c in [
            '.', '!', '?', '#', '-', '…', '“', '\u{0}', '\u{7f}', '。', '।',
        ] {
            assert!(is_datatrove_punctuation(c), "{c:?}");
        }
        for c in ['a', '1', ' ', '\t', '\n', '中', '😀'] {
            assert!(!is_datatrove_punctuation(c), "{c:?}");
        }
        for c in ['.', '!', '?', '。', '।', '؟', '‼'] {
            assert!(is_terminal_punctuation(c), "{c:?}");
        }
        for c in ['"', '\'', ',', ';', '…', 'a'] {
            assert!(!is_terminal_punctuation(c), "{c:?}");
        }
    }

    #[test]
    fn ranges_of_slices_and_copies() {
        let text = "ab  cd\tab";
        let words = vec![&text[0..2], &text[4..6], &text[7..9]];
        assert_eq!(
            word_ranges(text, &words),
            Some(vec![(0, 2), (4, 6), (7, 9)])
        );
        let copies = ["ab".to_string(), "cd".to_string(), "ab".to_string()];
        let refs: Vec<&str> = copies.iter().map(String::as_str).collect();
        assert_eq!(word_ranges(text, &refs), Some(vec![(0, 2), (4, 6), (7, 9)]));
        assert_eq!(word_ranges(text, &["zz"]), None);
    }
}
