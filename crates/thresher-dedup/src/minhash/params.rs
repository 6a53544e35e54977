//! The MinHash permutation parameters, generated exactly as datatrove does:
//! `np.random.RandomState(seed).randint(1, 2**61 - 1, dtype=np.uint64, size=(1, n))` for `a`,
//! then `randint(0, 2**61 - 1, ...)` for `b` from the same generator.
//!
//! That is numpy's legacy generator: MT19937 seeded by `init_genrand(seed)`, 64-bit draws made
//! of two 32-bit outputs (the first one is the high half), and bounded integers by masked
//! rejection sampling (draw, keep the bits under the smallest all-ones mask covering the range,
//! retry while above the range).

use super::MERSENNE_PRIME;

/// The (a, b) pairs of the hash permutations `h ↦ (h·a + b) mod (2^61 − 1)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permutations {
    /// Multipliers, each in `[1, 2^61 − 1)`.
    pub a: Vec<u64>,
    /// Offsets, each in `[0, 2^61 − 1)`.
    pub b: Vec<u64>,
}

impl Permutations {
    /// `n` permutations for `seed`, as datatrove's `MinhashDedupSignature.parameters`.
    ///
    /// numpy's `RandomState` only takes seeds in `[0, 2^32)`, which is exactly `u32`.
    pub fn new(seed: u32, n: usize) -> Permutations {
        let mut mt = Mt19937::new(seed);
        let a = (0..n)
            .map(|_| bounded_u64(&mut mt, 1, MERSENNE_PRIME))
            .collect();
        let b = (0..n)
            .map(|_| bounded_u64(&mut mt, 0, MERSENNE_PRIME))
            .collect();
        Permutations { a, b }
    }
}

/// numpy's `randint(low, high, dtype=uint64)` (`high` excluded) for one value, legacy masked
/// path. Only valid for ranges wider than 32 bits, which is all MinHash needs (numpy switches
/// to buffered 32-bit draws for narrower ranges).
fn bounded_u64(mt: &mut Mt19937, low: u64, high: u64) -> u64 {
    let rng = high - low - 1;
    debug_assert!(rng > u64::from(u32::MAX));
    // Smallest all-ones mask >= rng.
    let mask = u64::MAX >> rng.leading_zeros();
    loop {
        let v = mt.next_u64() & mask;
        if v <= rng {
            return low + v;
        }
    }
}

const N: usize = 624;
const M: usize = 397;

/// The Mersenne Twister MT19937 (Matsumoto & Nishimura), 32-bit outputs.
struct Mt19937 {
    state: [u32; N],
    pos: usize,
}

impl Mt19937 {
    /// `init_genrand(seed)`, which is what `RandomState(int)` does.
    fn new(seed: u32) -> Mt19937 {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, pos: N }
    }

    fn regenerate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..N {
            let y = (self.state[i] & UPPER) | (self.state[(i + 1) % N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.state[i] = self.state[(i + M) % N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.regenerate();
        }
        let mut y = self.state[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_outputs() {
        // The reference implementation's published first outputs for init_genrand(5489).
        let mut mt = Mt19937::new(5489);
        let first: Vec<u32> = (0..3).map(|_| mt.next_u32()).collect();
        assert_eq!(first, [3_499_211_612, 581_869_302, 3_890_346_734]);
        // The 10000th output of the default-seeded generator (C++ std::mt19937's check value).
        let mut mt = Mt19937::new(5489);
        let v = (0..10_000).map(|_| mt.next_u32()).last();
        assert_eq!(v, Some(4_123_659_995));
    }

    #[test]
    fn parameters_are_in_range() {
        let p = Permutations::new(7, 1000);
        assert!(p.a.iter().all(|&a| (1..MERSENNE_PRIME).contains(&a)));
        assert!(p.b.iter().all(|&b| b < MERSENNE_PRIME));
    }
}
