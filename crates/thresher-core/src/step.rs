//! The seams that processing plugs into.
//!
//! A [`Step`] looks at one document at a time and keeps it (possibly rewritten or annotated)
//! or drops it with a reason. Steps run on many threads at once, so they take `&self`; any
//! state they keep must be shared-safe. A [`CorpusStep`] needs to see every document before it
//! can decide (exact dedup today, more later); the pipeline runs it as a separate pass.

use crate::Document;

/// What a step decided about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Keep the document (the step may have changed it in place).
    Keep,
    /// Drop the document. The reason is a short stable string, counted in the run's stats
    /// and written to the rejects output (`too_short`, `lang_de`, ...).
    Drop(String),
}

impl Verdict {
    /// Shorthand for a drop.
    pub fn drop(reason: impl Into<String>) -> Self {
        Verdict::Drop(reason.into())
    }
}

/// A per-document pipeline step: filter, rewriter or annotator.
pub trait Step: Send + Sync {
    /// Stable name used in stats, rejects (`dropped_by`) and pipeline files.
    fn name(&self) -> &str;
    /// Processes one document in place.
    fn process(&self, doc: &mut Document) -> Verdict;
}

/// The key a [`CorpusStep`] derives from a document: equal keys mean "the same document".
pub type CorpusKey = u128;

/// A step that needs the whole corpus: it maps each document to a key, and of the documents
/// sharing a key only the first in input order (input file order, then record order) is kept.
/// The pipeline runs it as a second pass over the first pass's output, so the decision is the
/// same however many threads ran and however often the run was interrupted.
pub trait CorpusStep: Send + Sync {
    /// Stable name used in stats and rejects.
    fn name(&self) -> &str;
    /// The document's key, or `None` to let it through unconditionally.
    fn key(&self, doc: &Document) -> Option<CorpusKey>;
    /// Reason recorded for a dropped duplicate.
    fn reason(&self) -> &str {
        "duplicate"
    }
}
