//! The `langid` step: fastText language identification, as datatrove's `LanguageFilter`
//! (0.10.1, backend `ft176`) and FineWeb do it.
//!
//! # What it writes
//!
//! `metadata.language` = the top label without `__label__` (`en`, `de`, ...), and
//! `metadata.language_score` = its probability as fastText returns it (an unrounded `f32`;
//! datatrove stores the same float32 value, widened to a Python float). The text is
//! predicted as one line with newlines turned into spaces, exactly as datatrove does (see
//! [`LidModel::predict_best`] for the details that make the scores match the Python binding).
//!
//! A text with no token at all (empty or only whitespace) is not sent to the model:
//! datatrove would classify fastText's end-of-line token alone and record whatever the model
//! says about it, which means nothing. We record `language = "unknown"`,
//! `language_score = 0.0` instead, which no language list and no non-negative threshold
//! accepts.
//!
//! # When a document is kept (with `drop = true`)
//!
//! datatrove keeps a document when
//! - `languages` is empty: the top score is **strictly greater** than `min_score`;
//! - otherwise: **any** listed language's probability is strictly greater than `min_score`
//!   (datatrove asks fastText for all 176 probabilities, `k = -1`; a listed language that
//!   fastText does not know scores 0).
//!
//! With lid.176 the probabilities sum to one, so for `min_score >= 0.5` (FineWeb uses 0.65) the
//! second rule is the same as "the top language is listed and its score exceeds `min_score`";
//! we then ask fastText for the top label only. For a lower `min_score` and a top language
//! that is not listed, the other labels are fetched too, so the decision still matches.
//! One deliberate difference: datatrove with `languages=[]` drops every document (an empty
//! list is neither `None` nor truthy); here an empty list means "any language", like `None`.
//!
//! Drop reasons: `language_not_allowed` when a list is given and the top language is not in it
//! (and no listed language passed); `language_score_below_threshold` otherwise.
//!
//! Scores come from the bundled quantised `lid.176.ftz`; datatrove downloads the full
//! `lid.176.bin`, so scores can differ from datatrove's in the second or third decimal and a
//! document very close to the threshold can land on the other side.

use crate::model::{LidModel, ModelError};
use std::path::PathBuf;
use std::sync::Arc;
use thresher_core::{Document, Step, Verdict};

/// The label written for text with no token.
pub const UNKNOWN_LANGUAGE: &str = "unknown";

/// Drop reason: a language list is set and the document's language is not in it.
pub const REASON_NOT_ALLOWED: &str = "language_not_allowed";
/// Drop reason: the language's score does not exceed `min_score`.
pub const REASON_BELOW_THRESHOLD: &str = "language_score_below_threshold";

/// Options of the [`LanguageId`] step.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageIdOptions {
    /// Languages to keep, as lid.176 labels (`en`, `de`, `zh`, ...; a `__label__` prefix is
    /// accepted and removed). Empty keeps any language.
    pub languages: Vec<String>,
    /// A document is kept only if its score is strictly greater than this (datatrove's
    /// `language_threshold`, default 0.65). Must not be NaN; a negative value keeps
    /// everything.
    pub min_score: f32,
    /// Drop documents that fail `languages`/`min_score`. When false the step only annotates
    /// (datatrove's `label_only=True`). Default false, as the pipeline's `langid` step.
    pub drop: bool,
    /// A fastText model file to use instead of the bundled `lid.176.ftz`.
    pub model_path: Option<PathBuf>,
}

impl Default for LanguageIdOptions {
    fn default() -> Self {
        LanguageIdOptions {
            languages: Vec::new(),
            min_score: 0.65,
            drop: false,
            model_path: None,
        }
    }
}

/// What [`LanguageId::decide`] concluded about a text.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageDecision {
    /// Top language, or [`UNKNOWN_LANGUAGE`].
    pub language: String,
    /// Its probability (0 for unknown).
    pub score: f32,
    /// `None` when the document passes `languages`/`min_score`, else the drop reason.
    pub reject: Option<&'static str>,
}

/// Language identification step (name `langid`): annotates every document and, with
/// `drop = true`, filters by language and score.
#[derive(Debug, Clone)]
pub struct LanguageId {
    model: Arc<LidModel>,
    languages: Vec<String>,
    min_score: f32,
    drop: bool,
}

impl LanguageId {
    /// Builds the step, loading the model (the bundled one, or `options.model_path`) once per
    /// process; further steps with the same model share it.
    pub fn new(options: LanguageIdOptions) -> Result<LanguageId, ModelError> {
        let model = LidModel::shared(options.model_path.as_deref())?;
        LanguageId::with_model(model, options)
    }

    /// Builds the step around an already loaded model (`options.model_path` is ignored).
    pub fn with_model(
        model: Arc<LidModel>,
        options: LanguageIdOptions,
    ) -> Result<LanguageId, ModelError> {
        if options.min_score.is_nan() {
            return Err(ModelError("langid: min_score is NaN".into()));
        }
        let mut languages: Vec<String> = Vec::with_capacity(options.languages.len());
        for l in &options.languages {
            let l = l.trim();
            let l = l.strip_prefix("__label__").unwrap_or(l);
            if l.is_empty() {
                return Err(ModelError("langid: empty language in `languages`".into()));
            }
            if !languages.iter().any(|x| x == l) {
                languages.push(l.to_string());
            }
        }
        Ok(LanguageId {
            model,
            languages,
            min_score: options.min_score,
            drop: options.drop,
        })
    }

    /// The model the step uses.
    pub fn model(&self) -> &Arc<LidModel> {
        &self.model
    }

    /// Identifies the language of `text` and decides whether it passes the step's
    /// `languages`/`min_score` (whatever `drop` says).
    pub fn decide(&self, text: &str) -> LanguageDecision {
        let (language, score) = match self.model.predict_best(text) {
            Some(p) => (p.label, p.score),
            None => (UNKNOWN_LANGUAGE.to_string(), 0.0),
        };
        let keep = self.passes(text, &language, score);
        let reject = if keep {
            None
        } else if !self.languages.is_empty() && !self.is_listed(&language) {
            Some(REASON_NOT_ALLOWED)
        } else {
            Some(REASON_BELOW_THRESHOLD)
        };
        LanguageDecision {
            language,
            score,
            reject,
        }
    }

    fn is_listed(&self, language: &str) -> bool {
        self.languages.iter().any(|l| l == language)
    }

    /// datatrove's rule (see the module docs).
    fn passes(&self, text: &str, top: &str, top_score: f32) -> bool {
        // Every probability is >= 0 and a missing language scores 0, so a negative threshold
        // lets everything through, in datatrove too.
        if self.min_score < 0.0 {
            return true;
        }
        if self.languages.is_empty() || self.is_listed(top) {
            // The top language has the highest probability of all, listed ones included.
            return top_score > self.min_score;
        }
        if top == UNKNOWN_LANGUAGE || self.model.only_top_can_exceed(self.min_score) {
            return false;
        }
        self.model
            .predict_all(text, self.min_score)
            .iter()
            .any(|p| p.score > self.min_score && self.is_listed(&p.label))
    }
}

impl Step for LanguageId {
    fn name(&self) -> &str {
        "langid"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        let d = self.decide(&doc.text);
        doc.metadata.language = Some(d.language);
        doc.metadata.language_score = Some(d.score);
        match d.reject {
            Some(reason) if self.drop => Verdict::drop(reason),
            _ => Verdict::Keep,
        }
    }
}
