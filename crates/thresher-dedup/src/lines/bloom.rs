//! Line / paragraph dedup in one pass with a Bloom filter (dolma's method): a unit whose
//! normalised text the filter has (probably) seen before is removed; otherwise it is added.
//! Documents must be given in input order; the first occurrence survives ([`Keep::First`]
//! only — [`Keep::None`] needs to know the future).
//!
//! Memory is fixed when the filter is made: `m = ⌈−n ln p / (ln 2)²⌉` bits (rounded up to a
//! multiple of 64) for `n` expected units and false-positive rate `p` — about 1.2 bytes per
//! unit at 1 %, 1.8 at 0.1 %, 3.6 at 10⁻⁶ — with `k = round(log₂ 1/p)` bit probes per unit
//! (the optimal `(m / n) ln 2`). Probes use double hashing of one `xxh3_128` of the normalised
//! unit: probe `i` is bit `(h₁ + i·h₂ mod 2⁶⁴) · m / 2⁶⁴` (a multiply-shift range reduction),
//! `h₁`/`h₂` the low/high halves (`h₂` made odd).
//!
//! **False positives remove unique units.** Once `n` units are in, a unit never seen before
//! is taken for a duplicate with probability about `p` — and removed. With more units than
//! `n` the rate climbs fast (for p = 1 %: about 6 % at 1.5 n, 16 % at 2 n);
//! [`BloomLineDedup::false_positive_rate`] gives the current estimate. It never misses a real
//! duplicate. For exact results use [`sorted`](super::sorted).

use super::{Deduped, Keep, LineDedupConfig, LineDedupError, RemovedUnit, Scanner};

/// A Bloom-filter line / paragraph deduplicator. Not shared between threads: it decides in
/// the order documents are given.
#[derive(Debug, Clone)]
pub struct BloomLineDedup {
    scanner: Scanner,
    bits: Vec<u64>,
    m: u64,
    k: u32,
    inserted: u64,
    removed_idx: Vec<u32>,
}

impl BloomLineDedup {
    /// A filter for about `expected_units` distinct units at `false_positive_rate` (strictly
    /// between 0 and 1). `config.keep` must be [`Keep::First`].
    pub fn new(
        config: &LineDedupConfig,
        expected_units: u64,
        false_positive_rate: f64,
    ) -> Result<BloomLineDedup, LineDedupError> {
        config.validate()?;
        if config.keep != Keep::First {
            return Err(LineDedupError::InvalidConfig(
                "the Bloom filter method can only keep the first occurrence (keep = first)".into(),
            ));
        }
        let (m, k) = Self::size_for(expected_units, false_positive_rate)?;
        let words = usize::try_from(m / 64).map_err(|_| too_big(m))?;
        let mut bits = Vec::new();
        bits.try_reserve_exact(words).map_err(|_| too_big(m))?;
        bits.resize(words, 0);
        Ok(BloomLineDedup {
            scanner: Scanner::new(config),
            bits,
            m,
            k,
            inserted: 0,
            removed_idx: Vec::new(),
        })
    }

    /// The size in bits (a multiple of 64) and the number of probes for `n` units at
    /// false-positive rate `p`.
    pub fn size_for(n: u64, p: f64) -> Result<(u64, u32), LineDedupError> {
        if !(p > 0.0 && p < 1.0) {
            return Err(LineDedupError::InvalidConfig(format!(
                "false positive rate must be between 0 and 1 (exclusive), not {p}"
            )));
        }
        let n = n.max(1) as f64;
        let ln2 = std::f64::consts::LN_2;
        let m = (-n * p.ln() / (ln2 * ln2)).ceil();
        // 2^48 bits = 32 TiB: beyond any machine; also keeps the float exact.
        if !(m.is_finite() && m <= (1u64 << 48) as f64) {
            return Err(too_big(m as u64));
        }
        let m = (m as u64).max(64).div_ceil(64) * 64;
        // k = (m/n) ln 2 with the formula's m, i.e. log2(1/p), before m is padded.
        let k = (-p.log2()).round().clamp(1.0, 64.0) as u32;
        Ok((m, k))
    }

    /// Size of the filter in bits.
    pub fn bits(&self) -> u64 {
        self.m
    }

    /// Size of the filter in bytes.
    pub fn size_in_bytes(&self) -> u64 {
        self.m / 8
    }

    /// Bit probes per unit.
    pub fn num_hashes(&self) -> u32 {
        self.k
    }

    /// Units added to the filter so far (those it had not seen).
    pub fn inserted(&self) -> u64 {
        self.inserted
    }

    /// The estimated chance, now, that a new unit is taken for a duplicate:
    /// `(1 − e^(−k·inserted/m))^k`.
    pub fn false_positive_rate(&self) -> f64 {
        let k = f64::from(self.k);
        (1.0 - (-k * self.inserted as f64 / self.m as f64).exp()).powf(k)
    }

    /// The next document in input order, with the units seen before (probably) removed (see
    /// the [module docs](super) for what happens around them).
    pub fn filter<'a>(&mut self, text: &'a str) -> Deduped<'a> {
        self.scanner.segment(text);
        let mut removed = Vec::new();
        self.removed_idx.clear();
        for u in 0..self.scanner.seg.units.len() {
            let Some(norm) = self.scanner.normalised(text, u) else {
                continue;
            };
            let h = xxhash_rust::xxh3::xxh3_128(norm.as_bytes());
            if self.check_and_set(h as u64, ((h >> 64) as u64) | 1) {
                // Unit indices beyond u32 cannot happen below 4 G lines; saturate anyway.
                let index = u32::try_from(u).unwrap_or(u32::MAX);
                self.removed_idx.push(index);
                removed.push(RemovedUnit {
                    index,
                    bytes: self.scanner.seg.units[u].clone(),
                    first: None,
                });
            }
        }
        let (text, emptied) = self.scanner.seg.without(text, &self.removed_idx);
        self.scanner.shrink();
        Deduped {
            text,
            removed,
            emptied,
        }
    }

    /// Whether the filter (probably) holds this normalised unit; changes nothing.
    #[cfg(test)]
    fn contains(&self, normalised: &str) -> bool {
        let h = xxhash_rust::xxh3::xxh3_128(normalised.as_bytes());
        let (mut x, h2) = (h as u64, ((h >> 64) as u64) | 1);
        (0..self.k).all(|_| {
            let bit = ((u128::from(x) * u128::from(self.m)) >> 64) as u64;
            x = x.wrapping_add(h2);
            self.bits[(bit / 64) as usize] & (1 << (bit % 64)) != 0
        })
    }

    /// Whether all `k` bits were set already; sets them.
    fn check_and_set(&mut self, h1: u64, h2: u64) -> bool {
        let mut all = true;
        let mut x = h1;
        for _ in 0..self.k {
            let bit = ((u128::from(x) * u128::from(self.m)) >> 64) as u64;
            let (w, b) = ((bit / 64) as usize, bit % 64);
            let mask = 1u64 << b;
            all &= self.bits[w] & mask != 0;
            self.bits[w] |= mask;
            x = x.wrapping_add(h2);
        }
        if !all {
            self.inserted += 1;
        }
        all
    }
}

fn too_big(m: u64) -> LineDedupError {
    LineDedupError::InvalidConfig(format!(
        "a Bloom filter of {m} bits cannot be allocated; lower expected_units or raise the \
         false positive rate"
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{dedup_in_memory, Unit};
    use super::*;

    #[test]
    fn sizing_follows_the_standard_formula() {
        assert_eq!(
            BloomLineDedup::size_for(1_000_000, 0.01).unwrap(),
            (9_585_088, 7)
        );
        let (m, k) = BloomLineDedup::size_for(1_000_000, 1e-6).unwrap();
        assert_eq!(k, 20);
        assert!((28_755_175..28_755_175 + 64).contains(&m), "{m}");
        assert_eq!(BloomLineDedup::size_for(0, 0.5).unwrap(), (64, 1));
        for p in [0.0, 1.0, -1.0, f64::NAN] {
            assert!(BloomLineDedup::size_for(10, p).is_err());
        }
        assert!(BloomLineDedup::size_for(u64::MAX, 1e-9).is_err());
        let none = LineDedupConfig {
            keep: Keep::None,
            ..LineDedupConfig::default()
        };
        assert!(BloomLineDedup::new(&none, 10, 0.01).is_err());
    }

    #[test]
    fn false_positive_rate_is_about_the_configured_one() {
        let config = LineDedupConfig::default();
        let n = 20_000;
        let mut b = BloomLineDedup::new(&config, n, 0.01).unwrap();
        for i in 0..n {
            b.filter(&format!("seen unit {i}\n"));
        }
        let inserted = b.inserted();
        assert!(inserted > n - 500, "{inserted}");
        let est = b.false_positive_rate();
        assert!((0.007..0.013).contains(&est), "{est}");
        let probes = 200_000;
        let fp = (0..probes)
            .filter(|i| b.contains(&format!("new unit {i}")))
            .count();
        let rate = fp as f64 / probes as f64;
        assert!((0.008..0.012).contains(&rate), "{rate}");
        assert!(b.contains("seen unit 17"));
    }

    #[test]
    fn agrees_with_exact_keep_first_when_no_false_positive() {
        let docs = [
            "Home\nMenu\nStory one.\n",
            "Home\r\nStory two.\r\nStory two.\r\n",
            "\n\nP1 a\nP1 b\n\nHome\n",
            "Menu",
        ];
        for unit in [Unit::Line, Unit::Paragraph] {
            let config = LineDedupConfig {
                unit,
                ..LineDedupConfig::default()
            };
            let exact = dedup_in_memory(&config, &docs).unwrap();
            let mut b = BloomLineDedup::new(&config, 1000, 1e-9).unwrap();
            for (d, e) in docs.iter().zip(&exact) {
                let got = b.filter(d);
                assert_eq!(got.text, e.text, "{unit:?} {d:?}");
                assert_eq!(got.emptied, e.emptied);
                let idx: Vec<u32> = got.removed.iter().map(|r| r.index).collect();
                let eidx: Vec<u32> = e.removed.iter().map(|r| r.index).collect();
                assert_eq!(idx, eidx);
            }
        }
    }
}
