//! thresher-quality owns the text quality filters that reproduce datatrove 0.10.1's decisions
//! (keep/drop and reason string) and C4's line removals.
//!
//! SKELETON: filled in by the quality-filter work.

#![warn(missing_docs)]
