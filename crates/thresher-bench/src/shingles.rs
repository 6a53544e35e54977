//! Exact shingle sets, as datatrove's MinHash (FineWeb's configuration) shingles a document:
//! `simplify_text`, then the English word tokenizer on the simplified text, then the SHA-1
//! 64-bit hash of every window of 5 words joined by single spaces. The set of distinct hashes
//! is what MinHash estimates the Jaccard similarity of.
//!
//! The shingles come from [`MinHasher::shingles_with`], the very code the signatures use.

use thresher_dedup::minhash::{MinHasher, Scratch};

/// Computes shingle sets, reusing its buffers. One per thread.
pub struct Shingler {
    hasher: MinHasher,
    scratch: Scratch,
}

impl Default for Shingler {
    fn default() -> Self {
        Shingler::new()
    }
}

impl Shingler {
    /// FineWeb's MinHash configuration (5-grams, English tokenizer).
    pub fn new() -> Shingler {
        Shingler {
            hasher: MinHasher::fineweb(),
            scratch: Scratch::new(),
        }
    }

    /// The sorted, distinct shingle hashes of `text` (empty when it has fewer than 5 words).
    pub fn set_of(&mut self, text: &str) -> Vec<u64> {
        let mut set = self.hasher.shingles_with(text, &mut self.scratch).to_vec();
        set.sort_unstable();
        set.dedup();
        set
    }
}

/// The number of values in both sorted, distinct slices.
pub fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The Jaccard similarity of two sorted, distinct shingle sets. Two empty sets give 0: a
/// document without shingles has no MinHash signature and is never anyone's duplicate.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosmetic_changes_keep_the_set() {
        let mut s = Shingler::new();
        let a = s.set_of("The quick brown fox jumps over the lazy dog in 2019.");
        let b = s.set_of("  the QUICK brown, fox jumps over the lazy dog in 1987!!\n");
        assert_eq!(a.len(), 7);
        assert_eq!(a, b);
        assert_eq!(jaccard(&a, &b), 1.0);
        let c = s.set_of("The quick brown fox leaps over the lazy dog in 2019.");
        // One word changed: 5 of the 7 shingles contain it.
        assert_eq!(intersection(&a, &c), 2);
        assert_eq!(jaccard(&a, &c), 2.0 / 12.0);
        assert!(s.set_of("too short to shingle").is_empty());
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    /// The set is the one MinHash signs: the signature of the set equals thresher's signature
    /// of the text (a minimum over distinct values is the minimum over all of them). This
    /// catches any drift between this composition and `MinHasher::signature_with`.
    #[test]
    fn same_shingles_as_the_signature() {
        let hasher = MinHasher::fineweb();
        let mut s = Shingler::new();
        for text in [
            "The quick brown fox jumps over the lazy dog. The quick brown fox jumps again!",
            "Don't stop: it's 3.5% of £1,000 — naïve café résumé, Ελληνικά ΣΟΦΙΑΣ, \u{a0}tab\there.",
            "U.S. officials said on Monday (Jan. 5th) that e-mail wasn't \"read\" by anyone... yet",
        ] {
            let set = s.set_of(text);
            assert!(!set.is_empty());
            let from_set = hasher.from_shingles(&set).unwrap();
            let direct = hasher.signature(text).unwrap();
            assert_eq!(from_set.hashes(), direct.hashes(), "{text}");
        }
    }
}
