//! thresher-bench owns benchmark corpus generators and evaluators. It is not part of the
//! tool's pipeline: nothing in `thresher` depends on it.
//!
//! Today that is the near-duplicate benchmark:
//!
//! - [`generate`] (binary `neardup-gen`) builds a corpus of real web text with planted
//!   near-duplicate families (copies with word edits, insertions, truncation, boilerplate,
//!   reordered paragraphs, cosmetic changes) and the exact ground truth: the Jaccard similarity
//!   of every within-family pair over the shingle sets datatrove's MinHash uses ([`shingles`]).
//! - [`eval`] (binary `neardup-eval`) scores the output of `thresher dedup minhash --annotate`
//!   against that truth: pair- and document-level precision and recall.
//!
//! [`source`] turns real text into a pool of sentences and paragraphs, [`mutate`] holds the
//! document model and the mutations, [`io`] the JSONL readers and atomic zstd writers.

#![warn(missing_docs)]

pub mod eval;
pub mod generate;
pub mod io;
pub mod mutate;
pub mod shingles;
pub mod source;

/// SplitMix64: a well-mixed 64-bit value from `x` (seeds per family, so that any family can
/// be generated independently of the others).
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
