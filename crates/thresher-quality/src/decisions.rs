//! Every filter's decision on one document, in the record format of the project's datatrove
//! oracle (`../shared/peers/datatrove_oracle.py`), so that `thresher filter --decisions` and
//! the oracle's output compare line by line.
//!
//! Each filter in [`DecisionSet::filters`] runs on the original text; the FineWeb chain then
//! runs with each filter seeing the text the previous one left. Filters that rewrite the text
//! (C4) report the SHA-1 and code-point length of the text they leave when they keep it.

use crate::c4_badwords::{C4BadWords, C4BadWordsOptions};
use crate::c4_quality::{C4Quality, C4QualityOptions};
use crate::fineweb_quality::{FineWebQuality, FineWebQualityOptions};
use crate::gopher_quality::{GopherQuality, GopherQualityOptions};
use crate::gopher_repetition::{GopherRepetition, GopherRepetitionOptions};
use crate::text::{Chain, PlainFilter, TextView, ViewFilter};
use serde::Serialize;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use thresher_tokenize::{TokenizeError, Tokenizer};

/// One filter's decision on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterDecision {
    /// Kept or dropped.
    pub keep: bool,
    /// The drop reason (datatrove's string), `None` when kept.
    pub reason: Option<String>,
    /// For text-rewriting filters that kept the document: SHA-1 (hex) of the text they left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_after_sha1: Option<String>,
    /// For text-rewriting filters that kept the document: its length in code points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_after_len: Option<usize>,
}

/// The FineWeb chain's decision on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainDecision {
    /// Kept by every filter of the chain.
    pub keep: bool,
    /// The filter that dropped it.
    pub dropped_by: Option<String>,
    /// Its reason.
    pub reason: Option<String>,
    /// When kept: SHA-1 (hex) of the final text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_after_sha1: Option<String>,
    /// When kept: the final text's length in code points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_after_len: Option<usize>,
}

/// The decisions record of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocDecisions {
    /// The document's id.
    pub id: String,
    /// datatrove's word count of the original text.
    pub n_words: usize,
    /// Each filter's decision on the original text, by the oracle's filter name.
    pub filters: BTreeMap<String, FilterDecision>,
    /// FineWeb's chain.
    pub fineweb_chain: ChainDecision,
}

/// The filters the oracle reports, built once and shared by all threads.
pub struct DecisionSet {
    tokenizer: &'static Tokenizer,
    filters: Vec<(String, Box<dyn ViewFilter>, bool)>,
    chain: Chain,
}

impl DecisionSet {
    /// datatrove's defaults for `language` (`"en"`, `"eng"`, ...): `gopher_repetition`,
    /// `gopher_quality`, `c4_quality` (C4 defaults), `c4_quality_fineweb`
    /// (`filter_no_terminal_punct = false`), `fineweb_quality`, `c4_badwords`, and the
    /// FineWeb chain.
    pub fn datatrove_defaults(language: &str) -> Result<DecisionSet, TokenizeError> {
        let lang = language.to_string();
        let tokenizer = Tokenizer::for_language(language)?;
        let filters: Vec<(String, Box<dyn ViewFilter>, bool)> = vec![
            (
                "gopher_repetition".into(),
                Box::new(GopherRepetition::new(GopherRepetitionOptions {
                    language: lang.clone(),
                    ..Default::default()
                })?),
                false,
            ),
            (
                "gopher_quality".into(),
                Box::new(GopherQuality::new(GopherQualityOptions {
                    language: lang.clone(),
                    ..Default::default()
                })?),
                false,
            ),
            (
                "c4_quality".into(),
                Box::new(C4Quality::new(C4QualityOptions {
                    language: lang.clone(),
                    ..Default::default()
                })?),
                true,
            ),
            (
                "c4_quality_fineweb".into(),
                Box::new(C4Quality::new(C4QualityOptions {
                    language: lang.clone(),
                    ..C4QualityOptions::fineweb()
                })?),
                true,
            ),
            (
                "fineweb_quality".into(),
                Box::new(FineWebQuality::new(FineWebQualityOptions {
                    language: lang.clone(),
                    ..Default::default()
                })?),
                false,
            ),
            (
                "c4_badwords".into(),
                // As the oracle configures it: a language without a list keeps the document.
                Box::new(PlainFilter(C4BadWords::new(C4BadWordsOptions {
                    fail_on_missing_language: false,
                    ..Default::default()
                }))),
                false,
            ),
        ];
        Ok(DecisionSet {
            tokenizer,
            filters,
            chain: Chain::fineweb(language)?,
        })
    }

    /// The oracle's filter names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.filters.iter().map(|(n, _, _)| n.as_str())
    }

    /// Every decision on one document. `language` is the document's `metadata.language`
    /// (used by `c4_badwords`, as in the oracle).
    pub fn decide(&self, id: &str, text: &str, language: Option<&str>) -> DocDecisions {
        // One view for all filters on the original text: words are tokenised once.
        let view = TextView::new(text);
        let n_words = view.words(self.tokenizer).len();
        let mut filters = BTreeMap::new();
        for (name, filter, rewrites) in &self.filters {
            let check = filter.check_view(&view, language).check;
            let after = (check.keep && *rewrites)
                .then(|| check.rewritten.as_deref().unwrap_or(text))
                .map(|t| (sha1_hex(t), t.chars().count()));
            filters.insert(
                name.clone(),
                FilterDecision {
                    keep: check.keep,
                    reason: check.reason,
                    text_after_sha1: after.as_ref().map(|a| a.0.clone()),
                    text_after_len: after.map(|a| a.1),
                },
            );
        }
        let chain = self.chain.run(text, language);
        let after = chain
            .keep
            .then(|| (sha1_hex(&chain.text), chain.text.chars().count()));
        DocDecisions {
            id: id.to_string(),
            n_words,
            filters,
            fineweb_chain: ChainDecision {
                keep: chain.keep,
                dropped_by: chain.dropped_by,
                reason: chain.reason,
                text_after_sha1: after.as_ref().map(|a| a.0.clone()),
                text_after_len: after.map(|a| a.1),
            },
        }
    }
}

fn sha1_hex(text: &str) -> String {
    let digest = Sha1::digest(text.as_bytes());
    let mut out = String::with_capacity(40);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_is_dropped_by_every_quality_filter_with_datatrove_reasons() {
        let set = DecisionSet::datatrove_defaults("en").unwrap();
        let d = set.decide("e", "", None);
        assert_eq!(d.n_words, 0);
        assert_eq!(
            d.filters["gopher_repetition"].reason.as_deref(),
            Some("empty")
        );
        assert_eq!(
            d.filters["gopher_quality"].reason.as_deref(),
            Some("gopher_short_doc")
        );
        assert_eq!(
            d.filters["c4_quality"].reason.as_deref(),
            Some("too_few_sentences")
        );
        assert!(d.filters["c4_badwords"].keep);
        assert_eq!(
            d.fineweb_chain.dropped_by.as_deref(),
            Some("gopher_repetition")
        );
        assert_eq!(d.fineweb_chain.text_after_sha1, None);
    }

    #[test]
    fn sha1_is_lowercase_hex() {
        assert_eq!(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }
}
