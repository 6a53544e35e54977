//! Word segmentation for languages whose datatrove tokenizer is not spaCy's rule-based one
//! (spaCy zh/ja/vi with jieba/Sudachi/pyvi, Stanza, IndicNLP, pythainlp, Kiwi, khmer-nltk,
//! laonlp, botok, pyidaungsu). Those need models or dictionaries this crate does not ship,
//! so Unicode (UAX #29) word boundaries with ICU4X's dictionaries for scripts written
//! without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) stand in for them: the
//! word counts approximate datatrove's, they do not match them exactly. (On the lingua Thai
//! sentences, against pythainlp's newmm-safe that datatrove uses: 1.26 times the words,
//! token F1 0.64; ICU4X's LSTM models did worse, 0.59.)

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::WordSegmenter;

use crate::spacy::py_isspace;

/// Segments at UAX #29 word boundaries and returns the non-blank segments, each stripped of
/// surrounding whitespace as datatrove's `strip_strings` does.
pub(crate) fn words(text: &str) -> Vec<&str> {
    let seg = WordSegmenter::new_dictionary(WordBreakInvariantOptions::default());
    let mut out = Vec::new();
    let mut prev = 0usize;
    for b in seg.segment_str(text) {
        if b > prev {
            if let Some(piece) = text.get(prev..b) {
                let w = piece.trim_matches(py_isspace);
                if !w.is_empty() {
                    out.push(w);
                }
            }
        }
        prev = b;
    }
    out
}
