//! Shingles and signatures, as datatrove's `MinhashDedupSignature.get_shingles` and
//! `get_signature` compute them with `HashConfig(hash_fc="sha1", precision=64)`:
//!
//! - a shingle is the first 8 bytes, little-endian, of the SHA-1 of the UTF-8 of `n`
//!   consecutive words joined by single spaces; every window counts (no deduplication), so a
//!   document of `w ≥ n` words has `w − n + 1` shingles and one of fewer words has none;
//! - hash `j` of the signature is the minimum over shingles `h` of
//!   `((h·a_j + b_j) mod 2^64) mod (2^61 − 1)`: numpy multiplies and adds `uint64` with
//!   wraparound before taking the remainder.

use super::MERSENNE_PRIME;

/// Sets `shingles` to the shingle of each window of `n` words of `words`. `joined` and
/// `starts` are working space (the words joined by spaces, so that each window is one
/// contiguous slice, and where each word starts).
pub(crate) fn shingles_into(
    words: &[&str],
    n: usize,
    joined: &mut String,
    starts: &mut Vec<usize>,
    shingles: &mut Vec<u64>,
) {
    shingles_into_with(words, n, joined, starts, shingles, USE_SIMD);
}

/// [`shingles_into`], using the SHA extensions when `simd` and the CPU has them.
fn shingles_into_with(
    words: &[&str],
    n: usize,
    joined: &mut String,
    starts: &mut Vec<usize>,
    shingles: &mut Vec<u64>,
    simd: bool,
) {
    shingles.clear();
    if n == 0 || words.len() < n {
        return;
    }
    joined.clear();
    starts.clear();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            joined.push(' ');
        }
        starts.push(joined.len());
        joined.push_str(w);
    }
    // starts[i + n] − 1 is where window i ends (the space before word i + n).
    starts.push(joined.len() + 1);
    let count = words.len() + 1 - n;
    let window = |i: usize| (starts[i], starts[i + n] - 1 - starts[i]);
    #[cfg(target_arch = "x86_64")]
    {
        if simd && sha_ni::available() {
            // Padding, so that 64 bytes can be read from the start of any window.
            joined.extend(std::iter::repeat_n(' ', 64));
            shingles.resize(count, 0);
            // SAFETY: the CPU has the SHA extensions and SSE4.1, checked just above.
            unsafe { sha_ni::hash_all(joined.as_bytes(), (0..count).map(window), shingles) };
            return;
        }
    }
    let bytes = joined.as_bytes();
    shingles.extend((0..count).map(|i| {
        let (start, len) = window(i);
        shingle_hash(&bytes[start..start + len])
    }));
}

/// The first 8 bytes of SHA-1, read as a little-endian `u64`.
///
/// The message is padded here and fed straight to the SHA-1 compression function (which uses
/// the CPU's SHA instructions where there are some): a shingle is one or two blocks, and the
/// general-purpose hasher's buffering would cost about as much as the compression itself.
pub(crate) fn shingle_hash(msg: &[u8]) -> u64 {
    type Block = sha1::digest::generic_array::GenericArray<u8, sha1::digest::typenum::U64>;
    let mut state: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    let mut chunks = msg.chunks_exact(64);
    for chunk in &mut chunks {
        sha1::compress(&mut state, &[Block::clone_from_slice(chunk)]);
    }
    let tail = chunks.remainder();
    // The last bytes, the 0x80 marker, zeros, and the length in bits (big-endian) at the end
    // of the first or second block.
    let mut last = [Block::default(), Block::default()];
    let n_last = if tail.len() < 56 { 1 } else { 2 };
    {
        let (first, second) = last.split_at_mut(1);
        let mut put = |i: usize, v: u8| {
            if i < 64 {
                first[0][i] = v;
            } else {
                second[0][i - 64] = v;
            }
        };
        for (i, &b) in tail.iter().enumerate() {
            put(i, b);
        }
        put(tail.len(), 0x80);
        let bits = (msg.len() as u64).wrapping_mul(8).to_be_bytes();
        for (i, &b) in bits.iter().enumerate() {
            put(64 * n_last - 8 + i, b);
        }
    }
    sha1::compress(&mut state, &last[..n_last]);
    // The digest is the state words big-endian; its first 8 bytes read little-endian.
    (u64::from(state[0].swap_bytes())) | (u64::from(state[1].swap_bytes()) << 32)
}

/// Whether to use the CPU-specific code paths. Not in unoptimised (debug) builds: there the
/// intrinsics stay function calls and make them far slower than the portable code. Unit
/// tests check them against the portable code in every build.
const USE_SIMD: bool = !cfg!(debug_assertions);

/// How many permutations one pass over the shingles handles (the hash arrays are padded to
/// a multiple of it).
pub(crate) const LANES: usize = 16;

/// The minimum over `shingles` of each permutation, into `out` (one per `a`/`b` pair).
/// `a` and `b` have the same length as `out`, a multiple of [`LANES`] (padded by the
/// caller). With no shingles, every value is `u64::MAX` (callers never ask).
pub(crate) fn min_hashes(shingles: &[u64], a: &[u64], b: &[u64], out: &mut [u64]) {
    min_hashes_with(shingles, a, b, out, USE_SIMD);
}

/// [`min_hashes`], using AVX2 when `simd` and the CPU has it.
fn min_hashes_with(shingles: &[u64], a: &[u64], b: &[u64], out: &mut [u64], simd: bool) {
    #[cfg(target_arch = "x86_64")]
    {
        if simd && !shingles.is_empty() && std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { avx2::min_hashes(shingles, a, b, out) };
            return;
        }
    }
    min_hashes_generic(shingles, a, b, out);
}

fn min_hashes_generic(shingles: &[u64], a: &[u64], b: &[u64], out: &mut [u64]) {
    for ((a, b), out) in a
        .chunks_exact(LANES)
        .zip(b.chunks_exact(LANES))
        .zip(out.chunks_exact_mut(LANES))
    {
        let mut mins = [u64::MAX; LANES];
        for &h in shingles {
            for j in 0..LANES {
                mins[j] = mins[j].min(permute(h, a[j], b[j]));
            }
        }
        out.copy_from_slice(&mins);
    }
}

/// `((h·a + b) mod 2^64) mod (2^61 − 1)`.
#[inline(always)]
pub(crate) fn permute(h: u64, a: u64, b: u64) -> u64 {
    let v = h.wrapping_mul(a).wrapping_add(b);
    // 2^61 ≡ 1 (mod 2^61 − 1): fold the top 3 bits onto the rest; the sum is below
    // 2·(2^61 − 1), so one conditional subtraction finishes the remainder.
    let v = (v & MERSENNE_PRIME) + (v >> 61);
    if v >= MERSENNE_PRIME {
        v - MERSENNE_PRIME
    } else {
        v
    }
}

/// SHA-1 with the x86 SHA extensions, several one-block messages at a time.
///
/// One block's 80 rounds are a chain of 20 dependent `sha1rnds4` instructions, whose latency
/// (not throughput) bounds the speed of hashing one message; most shingles are one block
/// (at most 55 bytes), so hashing [`WAYS`] of them in lockstep keeps the unit busy.
#[cfg(target_arch = "x86_64")]
mod sha_ni {
    use std::arch::x86_64::*;

    /// Messages hashed in lockstep: each needs 6 registers, and there are 16.
    const WAYS: usize = 2;

    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse4.1")
            && std::is_x86_feature_detected!("ssse3")
    }

    /// Sets `out[i]` to the shingle hash of the `i`-th window, given as (start, length) in
    /// `bytes` (`out` has one slot per window). Windows of up to 55 bytes need 64 bytes of
    /// `bytes` from their start (the caller pads); longer ones are hashed one by one.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) fn hash_all(
        bytes: &[u8],
        windows: impl Iterator<Item = (usize, usize)>,
        out: &mut [u64],
    ) {
        let mut pending: [(&[u8], usize, usize); WAYS] = [(&[], 0, 0); WAYS];
        let mut n_pending = 0;
        for (i, (start, len)) in windows.enumerate() {
            let Some(w) = bytes.get(start..start + len) else {
                continue;
            };
            let from = match bytes.get(start..start + 64) {
                Some(from) if len <= 55 => from,
                _ => {
                    if let Some(slot) = out.get_mut(i) {
                        *slot = super::shingle_hash(w);
                    }
                    continue;
                }
            };
            pending[n_pending] = (from, len, i);
            n_pending += 1;
            if n_pending == WAYS {
                let hashes = prefixes(&pending.map(|(f, l, _)| (f, l)));
                for ((_, _, index), h) in pending.iter().zip(hashes) {
                    if let Some(slot) = out.get_mut(*index) {
                        *slot = h;
                    }
                }
                n_pending = 0;
            }
        }
        for &(from, len, index) in &pending[..n_pending] {
            if let Some(slot) = out.get_mut(index) {
                *slot = prefixes(&[(from, len)])[0];
            }
        }
    }

    /// The shingle hashes (first 8 digest bytes, little-endian) of `N` messages of at most 55
    /// bytes, each given as (at least 64 bytes starting with it, its length), side by side.
    #[inline(always)]
    fn prefixes<const N: usize>(msgs: &[(&[u8], usize); N]) -> [u64; N] {
        const H: [u32; 5] = [
            0x6745_2301,
            0xefcd_ab89,
            0x98ba_dcfe,
            0x1032_5476,
            0xc3d2_e1f0,
        ];
        // SAFETY: the caller runs with SHA, SSSE3 and SSE4.1 enabled (see `hash_all`); the
        // loads read 16 bytes at offsets 0, 16, 32, 48 of slices of at least 64 bytes.
        unsafe {
            // Reverses the 16 bytes: big-endian words, the first one in the top lane, as
            // the SHA instructions expect.
            let reverse = _mm_set_epi64x(0x0001_0203_0405_0607, 0x0809_0a0b_0c0d_0e0f);
            let index = _mm_set_epi64x(0x0f0e_0d0c_0b0a_0908, 0x0706_0504_0302_0100);
            let sixteen = _mm_set1_epi8(16);
            let marker = _mm_set1_epi8(0x80u8 as i8);
            let init = _mm_set_epi32(H[0] as i32, H[1] as i32, H[2] as i32, H[3] as i32);
            let mut w = [[_mm_setzero_si128(); 4]; N];
            for k in 0..N {
                // The padded block, built in registers: the message bytes, 0x80 after them,
                // zeros, and the length in bits (below 2^16) in the last two bytes.
                let (msg, len) = msgs[k];
                debug_assert!(msg.len() >= 64 && len <= 55);
                let len_v = _mm_set1_epi8(len as i8);
                let mut at = index;
                for (j, wj) in w[k].iter_mut().enumerate() {
                    let raw = _mm_loadu_si128(msg.as_ptr().add(16 * j).cast());
                    let keep = _mm_and_si128(raw, _mm_cmpgt_epi8(len_v, at));
                    let mut block =
                        _mm_or_si128(keep, _mm_and_si128(_mm_cmpeq_epi8(len_v, at), marker));
                    if j == 3 {
                        block = _mm_insert_epi16::<7>(
                            block,
                            i32::from(((len * 8) as u16).swap_bytes()),
                        );
                    }
                    *wj = _mm_shuffle_epi8(block, reverse);
                    at = _mm_add_epi8(at, sixteen);
                }
            }
            // Rounds 0–3: E enters added to the first message word.
            let mut abcd = [init; N];
            let mut prev = [init; N];
            let e = _mm_set_epi32(H[4] as i32, 0, 0, 0);
            for k in 0..N {
                abcd[k] = _mm_sha1rnds4_epu32::<0>(abcd[k], _mm_add_epi32(e, w[k][0]));
            }
            // Rounds 4i..4i+3. E of each group of 4 rounds is A of the group before the
            // last, rotated (sha1nexte). Message words 16.. come from the 16 before them.
            macro_rules! group {
                ($i:expr, $f:literal) => {
                    for k in 0..N {
                        let wi = if $i < 4 {
                            w[k][$i % 4]
                        } else {
                            let x = _mm_sha1msg1_epu32(w[k][$i % 4], w[k][($i + 1) % 4]);
                            let x = _mm_xor_si128(x, w[k][($i + 2) % 4]);
                            let x = _mm_sha1msg2_epu32(x, w[k][($i + 3) % 4]);
                            w[k][$i % 4] = x;
                            x
                        };
                        let wk = _mm_sha1nexte_epu32(prev[k], wi);
                        prev[k] = abcd[k];
                        abcd[k] = _mm_sha1rnds4_epu32::<$f>(abcd[k], wk);
                    }
                };
            }
            // (w[k][i % 4] holds words 4i..4i+3 once computed; group i ≥ 4 replaces the
            // words of group i − 4, which are no longer needed.)
            group!(1, 0);
            group!(2, 0);
            group!(3, 0);
            group!(4, 0);
            group!(5, 1);
            group!(6, 1);
            group!(7, 1);
            group!(8, 1);
            group!(9, 1);
            group!(10, 2);
            group!(11, 2);
            group!(12, 2);
            group!(13, 2);
            group!(14, 2);
            group!(15, 3);
            group!(16, 3);
            group!(17, 3);
            group!(18, 3);
            group!(19, 3);
            let mut out = [0u64; N];
            for k in 0..N {
                // A and B of the digest (the top two lanes); only they make the 8 bytes.
                let s = _mm_add_epi32(abcd[k], init);
                let a = _mm_extract_epi32::<3>(s) as u32;
                let b = _mm_extract_epi32::<2>(s) as u32;
                out[k] = u64::from(a.swap_bytes()) | (u64::from(b.swap_bytes()) << 32);
            }
            out
        }
    }
}

/// [`permute`] and the minimum, 4 lanes per AVX2 register (compilers do not vectorise the
/// 64-bit multiply on their own here).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::MERSENNE_PRIME;
    use std::arch::x86_64::*;

    /// Registers of running minima per pass over the shingles (4 lanes each).
    const R: usize = 4;
    const W: usize = 4 * R;

    #[target_feature(enable = "avx2")]
    pub(super) fn min_hashes(shingles: &[u64], a: &[u64], b: &[u64], out: &mut [u64]) {
        let p = _mm256_set1_epi64x(MERSENNE_PRIME as i64);
        let p_minus_1 = _mm256_set1_epi64x((MERSENNE_PRIME - 1) as i64);
        for ((a, b), out) in a
            .chunks_exact(W)
            .zip(b.chunks_exact(W))
            .zip(out.chunks_exact_mut(W))
        {
            let mut av = [p; R];
            let mut a_hi = [p; R];
            let mut bv = [p; R];
            for r in 0..R {
                // SAFETY: each chunk holds W = 4·R u64, so offset 4·r has 4 in bounds;
                // unaligned loads accept any address.
                unsafe {
                    av[r] = _mm256_loadu_si256(a.as_ptr().add(4 * r).cast());
                    bv[r] = _mm256_loadu_si256(b.as_ptr().add(4 * r).cast());
                }
                a_hi[r] = _mm256_srli_epi64::<32>(av[r]);
            }
            // Every permuted value is below 2^61, so signed 64-bit comparisons order them.
            let mut m = [_mm256_set1_epi64x(i64::MAX); R];
            for &h in shingles {
                let h_lo = _mm256_set1_epi64x(h as i64);
                let h_hi = _mm256_srli_epi64::<32>(h_lo);
                for r in 0..R {
                    m[r] = step(m[r], h_lo, h_hi, av[r], a_hi[r], bv[r], p, p_minus_1);
                }
            }
            for (r, m) in m.iter().enumerate() {
                // SAFETY: as for the loads.
                unsafe { _mm256_storeu_si256(out.as_mut_ptr().add(4 * r).cast(), *m) };
            }
        }
    }

    /// `min(m, permute(h, a, b))` per lane.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn step(
        m: __m256i,
        h_lo: __m256i,
        h_hi: __m256i,
        a: __m256i,
        a_hi: __m256i,
        b: __m256i,
        p: __m256i,
        p_minus_1: __m256i,
    ) -> __m256i {
        // SAFETY: only called from `min_hashes`, which runs with AVX2 enabled.
        unsafe {
            // h·a mod 2^64 = lo(h)·lo(a) + ((hi(h)·lo(a) + lo(h)·hi(a)) << 32).
            let lo = _mm256_mul_epu32(h_lo, a);
            let cross = _mm256_add_epi64(_mm256_mul_epu32(h_hi, a), _mm256_mul_epu32(h_lo, a_hi));
            let v = _mm256_add_epi64(_mm256_add_epi64(lo, _mm256_slli_epi64::<32>(cross)), b);
            let u = _mm256_add_epi64(_mm256_and_si256(v, p), _mm256_srli_epi64::<61>(v));
            let r = _mm256_sub_epi64(u, _mm256_and_si256(_mm256_cmpgt_epi64(u, p_minus_1), p));
            _mm256_blendv_epi8(m, r, _mm256_cmpgt_epi64(m, r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_the_wrapping_formula() {
        let cases = [
            (0u64, 1u64, 0u64),
            (u64::MAX, u64::MAX, u64::MAX),
            (u64::MAX, MERSENNE_PRIME - 1, MERSENNE_PRIME - 1),
            (1 << 63, 3, 5),
            (MERSENNE_PRIME, 1, 0),
            (
                0x0123_4567_89ab_cdef,
                0x1fed_cba9_8765_4321,
                0x1111_2222_3333_4444,
            ),
        ];
        for (h, a, b) in cases {
            let expect = h.wrapping_mul(a).wrapping_add(b) % MERSENNE_PRIME;
            assert_eq!(permute(h, a, b), expect, "{h} {a} {b}");
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (h, a, b) = (x, x.rotate_left(21), x.rotate_left(42));
            assert_eq!(
                permute(h, a, b),
                h.wrapping_mul(a).wrapping_add(b) % MERSENNE_PRIME
            );
        }
    }

    #[test]
    fn vector_and_plain_minima_agree() {
        let shingles: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let a: Vec<u64> = (1..=32u64).map(|i| i * 0x1234_5678_9abc).collect();
        let b: Vec<u64> = (0..32u64).map(|i| i * 0x0fed_cba9_8765).collect();
        let mut out = vec![0; 32];
        min_hashes_with(&shingles, &a, &b, &mut out, true);
        let mut plain = vec![0; 32];
        min_hashes_with(&shingles, &a, &b, &mut plain, false);
        for j in 0..32 {
            let expect = shingles
                .iter()
                .map(|&h| h.wrapping_mul(a[j]).wrapping_add(b[j]) % MERSENNE_PRIME)
                .min();
            assert_eq!(Some(out[j]), expect);
            assert_eq!(Some(plain[j]), expect);
        }
    }

    #[test]
    fn shingle_hash_is_the_sha1_prefix() {
        use sha1::{Digest, Sha1};
        let data: Vec<u8> = (0..300u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..data.len() {
            let d = Sha1::digest(&data[..len]);
            let mut first = [0u8; 8];
            first.copy_from_slice(&d[..8]);
            assert_eq!(
                shingle_hash(&data[..len]),
                u64::from_le_bytes(first),
                "length {len}"
            );
        }
    }

    #[test]
    fn batched_shingles_match_one_by_one() {
        // Words of every length around the one-block limit, odd and even batch remainders.
        let words: Vec<String> = (0..200).map(|i| "w".repeat(1 + (i * 7) % 23)).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        for n in [1, 2, 5, 9] {
            for len in [n, n + 1, n + 2, 50, 200] {
                let (mut joined, mut starts, mut sh) = (String::new(), Vec::new(), Vec::new());
                shingles_into_with(&words[..len], n, &mut joined, &mut starts, &mut sh, true);
                let expect: Vec<u64> = words[..len]
                    .windows(n)
                    .map(|w| shingle_hash(w.join(" ").as_bytes()))
                    .collect();
                assert_eq!(sh, expect, "n {n}, {len} words");
            }
        }
        // Single windows on both sides of the one-block limit (55 bytes).
        for len in 40..140 {
            let word = "y".repeat(len);
            let (mut joined, mut starts, mut sh) = (String::new(), Vec::new(), Vec::new());
            shingles_into_with(&[&word], 1, &mut joined, &mut starts, &mut sh, true);
            assert_eq!(sh, [shingle_hash(word.as_bytes())], "{len} bytes");
        }
    }

    #[test]
    fn shingles_are_sha1_of_joined_windows() {
        let words = ["the", "quick", "brown", "fox", "jumps", "over"];
        let (mut joined, mut starts, mut sh) = (String::new(), Vec::new(), Vec::new());
        shingles_into(&words, 5, &mut joined, &mut starts, &mut sh);
        assert_eq!(sh.len(), 2);
        assert_eq!(sh[0], shingle_hash(b"the quick brown fox jumps"));
        assert_eq!(sh[1], shingle_hash(b"quick brown fox jumps over"));
        // sha1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
        assert_eq!(shingle_hash(b"abc"), 0x6a81_0647_363e_99a9);
        shingles_into(&words[..4], 5, &mut joined, &mut starts, &mut sh);
        assert!(sh.is_empty());
        shingles_into(&words[..1], 1, &mut joined, &mut starts, &mut sh);
        assert_eq!(sh, [shingle_hash(b"the")]);
    }
}
