//! MinHash near-duplicate detection, bit-identical to datatrove 0.10.1's multi-stage MinHash
//! dedup with FineWeb's configuration (`MinhashConfig(hash_config=HashConfig(hash_fc="sha1",
//! precision=64), num_buckets=14, hashes_per_bucket=8, n_grams=5)`, seed 1).
//!
//! - [`MinHasher`] computes a document's [`Signature`] (datatrove's stage 1 arithmetic):
//!   [`simplify_text`] → the language's word tokenizer → word n-grams → SHA-1 shingles →
//!   minima of 112 permutations, in 14 buckets of 8.
//! - [`files`] holds the on-disk formats (signature, duplicate-pair and decision files), each
//!   with a header, a length and a checksum, written atomically.
//! - [`stages`] holds the stage logic: writing a shard's signatures (stage 1), finding
//!   duplicate pairs per bucket (stage 2), clustering them and choosing what to remove
//!   (stage 3), and applying the decisions to a shard (stage 4).

pub mod files;
pub mod normalize;
pub mod params;
mod signature;
pub mod stages;

use std::cell::RefCell;
use std::path::PathBuf;

pub use normalize::{simplify_text, simplify_text_into};
pub use params::Permutations;
use thresher_tokenize::{TokenizeError, Tokenizer};

/// The modulus of the permutations, the Mersenne prime 2^61 − 1.
pub const MERSENNE_PRIME: u64 = (1 << 61) - 1;

/// Errors of MinHash dedup.
#[derive(Debug, thiserror::Error)]
pub enum MinhashError {
    /// The configuration cannot be used.
    #[error("invalid MinHash configuration: {0}")]
    InvalidConfig(String),
    /// No word tokenizer for the language.
    #[error(transparent)]
    Tokenizer(#[from] TokenizeError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not what it should be: truncated, corrupt, of another kind or version.
    #[error("{}: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Files that must agree do not (other configuration, same shard twice, …).
    #[error("{}: {reason}", path.display())]
    Mismatch {
        /// The file that disagrees.
        path: PathBuf,
        /// With what.
        reason: String,
    },
}

/// MinHash parameters: datatrove's `MinhashConfig` with the SHA-1 64-bit hash and the default
/// text normalisation. [`Default`] is FineWeb's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinhashConfig {
    /// Words per shingle.
    pub n_grams: usize,
    /// Number of LSH buckets.
    pub num_buckets: usize,
    /// Hashes per bucket.
    pub hashes_per_bucket: usize,
    /// Seed of numpy's `RandomState` for the permutations.
    pub seed: u32,
}

impl Default for MinhashConfig {
    fn default() -> Self {
        MinhashConfig {
            n_grams: 5,
            num_buckets: 14,
            hashes_per_bucket: 8,
            seed: 1,
        }
    }
}

impl MinhashConfig {
    /// Largest accepted `num_buckets × hashes_per_bucket` (datatrove has no limit; this one
    /// only keeps a bad value from allocating without bound).
    pub const MAX_HASHES: usize = 1 << 16;

    /// Total number of hashes in a signature.
    pub fn num_hashes(&self) -> usize {
        self.num_buckets * self.hashes_per_bucket
    }

    /// Checks that the values can be used.
    pub fn validate(&self) -> Result<(), MinhashError> {
        let bad = |m: &str| Err(MinhashError::InvalidConfig(m.to_string()));
        if self.n_grams == 0 || self.n_grams > u32::MAX as usize {
            return bad("n_grams must be at least 1");
        }
        if self.num_buckets == 0 || self.hashes_per_bucket == 0 {
            return bad("num_buckets and hashes_per_bucket must be at least 1");
        }
        match self.num_buckets.checked_mul(self.hashes_per_bucket) {
            Some(n) if n <= Self::MAX_HASHES => Ok(()),
            _ => bad("num_buckets × hashes_per_bucket is too large"),
        }
    }
}

/// A document's MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// How many shingles (word n-grams, repeats included) the document has.
    pub n_shingles: usize,
    hashes: Vec<u64>,
    hashes_per_bucket: usize,
}

impl Signature {
    /// All hashes, bucket after bucket.
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The hashes of each bucket, in bucket order.
    pub fn buckets(&self) -> std::slice::ChunksExact<'_, u64> {
        self.hashes.chunks_exact(self.hashes_per_bucket)
    }

    /// The hashes of bucket `i`, if there is one.
    pub fn bucket(&self, i: usize) -> Option<&[u64]> {
        self.buckets().nth(i)
    }
}

/// Reusable working buffers for [`MinHasher::signature_with`], so that computing a signature
/// allocates only the result.
#[derive(Debug, Default)]
pub struct Scratch {
    simplified: String,
    nfd: String,
    joined: String,
    starts: Vec<usize>,
    shingles: Vec<u64>,
}

impl Scratch {
    /// Empty buffers.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// The simplified text of the last document (for inspection and tests).
    pub fn simplified(&self) -> &str {
        &self.simplified
    }

    /// Drops buffers that one huge document grew, so they do not stay pinned.
    fn shrink(&mut self) {
        const KEEP: usize = 1 << 20;
        if [&self.simplified, &self.nfd, &self.joined]
            .iter()
            .any(|b| b.capacity() > KEEP)
        {
            *self = Scratch::default();
        }
    }
}

/// Computes MinHash signatures (datatrove's `MinhashDedupSignature`). Cheap to share between
/// threads (`&self`).
#[derive(Debug, Clone)]
pub struct MinHasher {
    config: MinhashConfig,
    // Padded to a multiple of `signature::LANES` with zeros (their minima are discarded).
    a: Vec<u64>,
    b: Vec<u64>,
    tokenizer: &'static Tokenizer,
}

impl MinHasher {
    /// FineWeb's configuration with the English tokenizer.
    pub fn fineweb() -> MinHasher {
        let config = MinhashConfig::default();
        MinHasher::build(config, Tokenizer::english())
    }

    /// A hasher for `config`, tokenizing with `tokenizer`.
    pub fn new(
        config: MinhashConfig,
        tokenizer: &'static Tokenizer,
    ) -> Result<MinHasher, MinhashError> {
        config.validate()?;
        Ok(MinHasher::build(config, tokenizer))
    }

    /// A hasher for `config` with the word tokenizer of a datatrove language code.
    pub fn for_language(config: MinhashConfig, language: &str) -> Result<MinHasher, MinhashError> {
        MinHasher::new(config, Tokenizer::for_language(language)?)
    }

    fn build(config: MinhashConfig, tokenizer: &'static Tokenizer) -> MinHasher {
        let n = config.num_hashes();
        let Permutations { mut a, mut b } = Permutations::new(config.seed, n);
        let padded = n.div_ceil(signature::LANES) * signature::LANES;
        a.resize(padded, 0);
        b.resize(padded, 0);
        MinHasher {
            config,
            a,
            b,
            tokenizer,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &MinhashConfig {
        &self.config
    }

    /// The permutation parameters `(a, b)`, one pair per hash.
    pub fn parameters(&self) -> (&[u64], &[u64]) {
        let n = self.config.num_hashes();
        (&self.a[..n], &self.b[..n])
    }

    /// The signature of `text`, or `None` when it has fewer words than `n_grams` (datatrove
    /// writes no signature for such a document).
    pub fn signature(&self, text: &str) -> Option<Signature> {
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.signature_with(text, &mut scratch),
            Err(_) => self.signature_with(text, &mut Scratch::new()),
        })
    }

    /// [`MinHasher::signature`] with caller-provided working buffers.
    pub fn signature_with(&self, text: &str, scratch: &mut Scratch) -> Option<Signature> {
        self.fill_shingles(text, scratch);
        let sig = self.from_shingles(&scratch.shingles);
        scratch.shrink();
        sig
    }

    /// The shingles of `text` (hashed word n-grams of its simplified text, repeats included,
    /// in order): exactly what [`MinHasher::signature`] takes the minima of. Empty when the
    /// text has fewer words than `n_grams`.
    pub fn shingles_with<'s>(&self, text: &str, scratch: &'s mut Scratch) -> &'s [u64] {
        self.fill_shingles(text, scratch);
        &scratch.shingles
    }

    fn fill_shingles(&self, text: &str, scratch: &mut Scratch) {
        let Scratch {
            simplified,
            nfd,
            joined,
            starts,
            shingles,
        } = scratch;
        simplify_text_into(text, simplified, nfd);
        let words = self.tokenizer.words(simplified);
        signature::shingles_into(&words, self.config.n_grams, joined, starts, shingles);
    }

    /// The word tokenizer (the language's, as datatrove picks it).
    pub fn tokenizer(&self) -> &'static Tokenizer {
        self.tokenizer
    }

    /// The signature of a document whose (simplified, tokenized) words are `words`: what
    /// [`MinHasher::signature`] computes after tokenizing.
    pub fn signature_of_words(&self, words: &[&str]) -> Option<Signature> {
        self.from_shingles(&self.shingles_of_words(words))
    }

    /// The shingles (hashed word n-grams, repeats included, in order) of a document whose
    /// simplified, tokenized words are `words` (datatrove's `get_shingles` after tokenizing).
    pub fn shingles_of_words(&self, words: &[&str]) -> Vec<u64> {
        let (mut joined, mut starts, mut shingles) = (String::new(), Vec::new(), Vec::new());
        signature::shingles_into(
            words,
            self.config.n_grams,
            &mut joined,
            &mut starts,
            &mut shingles,
        );
        shingles
    }

    /// The signature of already hashed shingles (datatrove's `get_signature`).
    pub fn from_shingles(&self, shingles: &[u64]) -> Option<Signature> {
        if shingles.is_empty() {
            return None;
        }
        let mut hashes = vec![0; self.a.len()];
        signature::min_hashes(shingles, &self.a, &self.b, &mut hashes);
        hashes.truncate(self.config.num_hashes());
        Some(Signature {
            n_shingles: shingles.len(),
            hashes,
            hashes_per_bucket: self.config.hashes_per_bucket,
        })
    }
}

/// The shingle of one n-gram's text (its words joined by single spaces): the first 8 bytes of
/// its SHA-1, little-endian.
pub fn shingle_hash(ngram: &str) -> u64 {
    signature::shingle_hash(ngram.as_bytes())
}
