//! thresher-core owns the vocabulary every other crate speaks: the [`Document`] that flows
//! through a pipeline, its typed [`Metadata`], the [`Step`] seam that filters, rewriters and
//! annotators plug into, the [`Verdict`] a step returns, and the [`Stats`] a run reports.
//!
//! It deliberately has no I/O, no parsing and no heavy dependencies, so every other crate
//! can depend on it.

pub mod document;
pub mod stats;
pub mod step;

pub use document::{Document, Metadata, SourceRef};
pub use stats::{RecordProblem, Stats, StepStats};
pub use step::{CorpusKey, CorpusStep, Step, Verdict};
