//! The seam between a quality filter and the pipeline.
//!
//! A [`TextFilter`] decides on a text alone (plus the document's language, which some filters
//! need), so the same code serves the pipeline step ([`FilterStep`]) and
//! `thresher filter --decisions`, which runs every filter on the original text and reports
//! each decision.

use thresher_core::{Document, Step, Verdict};

/// What a filter decided about a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Whether the document is kept.
    pub keep: bool,
    /// The drop reason, as datatrove's filter names it (`gopher_short_doc`, ...); `None` when
    /// kept.
    pub reason: Option<String>,
    /// The text after the filter when it changed it (C4 removes lines); `None` = unchanged.
    pub rewritten: Option<String>,
}

impl Check {
    /// Keep the text unchanged.
    pub fn keep() -> Check {
        Check {
            keep: true,
            reason: None,
            rewritten: None,
        }
    }

    /// Keep the text, replaced by `text`.
    pub fn keep_rewritten(text: String) -> Check {
        Check {
            keep: true,
            reason: None,
            rewritten: Some(text),
        }
    }

    /// Drop with `reason`.
    pub fn drop(reason: impl Into<String>) -> Check {
        Check {
            keep: false,
            reason: Some(reason.into()),
            rewritten: None,
        }
    }
}

/// A text quality filter.
pub trait TextFilter: Send + Sync {
    /// The stable name (the oracle's and the pipeline file's: `gopher_quality`, ...).
    fn name(&self) -> &str;

    /// Decides on `text`. `language` is the document's language code (`metadata.language`),
    /// if known; filters that need one and get none use their configured default.
    fn check(&self, text: &str, language: Option<&str>) -> Check;
}

/// Any [`TextFilter`] as a pipeline step: a drop carries the filter's reason, a rewrite
/// replaces the document's text.
#[derive(Debug)]
pub struct FilterStep<F> {
    filter: F,
}

impl<F: TextFilter> FilterStep<F> {
    /// Wraps `filter`.
    pub fn new(filter: F) -> Self {
        FilterStep { filter }
    }

    /// The wrapped filter.
    pub fn filter(&self) -> &F {
        &self.filter
    }
}

impl<F: TextFilter> Step for FilterStep<F> {
    fn name(&self) -> &str {
        self.filter.name()
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        let check = self
            .filter
            .check(&doc.text, doc.metadata.language.as_deref());
        if !check.keep {
            return Verdict::Drop(check.reason.unwrap_or_else(|| "dropped".to_string()));
        }
        if let Some(text) = check.rewritten {
            doc.text = text;
        }
        Verdict::Keep
    }
}
