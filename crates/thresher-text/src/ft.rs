//! fastText supervised models in Rust: reading the `.bin`/`.ftz` file format and predicting
//! labels, with the same arithmetic as fastText 0.9 so that the probabilities are the same
//! `f32` values the C++ library (and its Python binding, which datatrove calls) returns.
//!
//! # Why not the C++ library
//!
//! Language identification runs on every document, and through the C++ binding each call
//! copied the text into a C string, re-read it through an `std::istream` one byte at a time
//! and built an `std::string` per character n-gram. Here the text is tokenised in place, the
//! n-gram hashes are computed incrementally (FNV-1a extends byte by byte), and the input rows
//! are added straight into the hidden vector. The file reader checks every length and index
//! against the bytes it has, so a corrupt model is an error, never a crash.
//!
//! # What must match fastText exactly
//!
//! - Tokens are split on ASCII space, tab, CR, LF, VT, FF and NUL; the line ends with the
//!   end-of-sentence token `</s>`, and a literal `</s>` token ends the line early.
//! - Tokens that start with the label prefix (`__label__`) are not words.
//! - A word's input rows are its own row (when in the vocabulary) and then its character
//!   n-grams of `minn..=maxn` code points of `<word>`, hashed with FNV-1a over *sign-extended*
//!   bytes (fastText's historical quirk), taken modulo `bucket` and mapped through the pruning
//!   table of quantised models.
//! - The hidden vector is the sum of the rows in that order, multiplied by `(f32)(1.0 / n)`;
//!   quantised rows are added as `x[j] += norm * centroid[j]` per sub-quantiser.
//! - Hierarchical softmax walks the Huffman tree built from the label counts depth first,
//!   left before right, with `log(p + 1e-5)` scores and the same pruning; softmax takes
//!   `log(p + 1e-5)` of each probability. The probability reported is `exp(score)` in `f32`.

use std::collections::HashMap;

/// fastText's file magic number and the format versions read here.
const MAGIC: i32 = 793_712_314;
const VERSIONS: [i32; 2] = [11, 12];
/// The end-of-sentence token.
const EOS: &[u8] = b"</s>";
/// The label prefix (fastText's default `-label`; not stored in the file).
const LABEL_PREFIX: &[u8] = b"__label__";
/// Product quantisers have 2^8 centroids per sub-quantiser.
const KSUB: usize = 256;
/// A quantised input matrix up to this many values (64 MB) is expanded once at load.
const DEQUANTIZE_MAX_FLOATS: usize = 16 << 20;

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fastText model: {0}")]
pub struct FormatError(String);

fn err<T>(msg: impl Into<String>) -> Result<T, FormatError> {
    Err(FormatError(msg.into()))
}

/// One predicted label and its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index of the label (0 = most frequent in training).
    pub label: usize,
    /// Probability as fastText reports it: `exp(log(p + 1e-5))`.
    pub prob: f32,
}

/// How the output layer turns the hidden vector into label probabilities.
#[derive(Debug)]
enum Loss {
    /// Hierarchical softmax over a Huffman tree of the labels (lid.176).
    Hierarchical { tree: Vec<TreeNode> },
    /// Plain softmax over all labels.
    Softmax,
}

#[derive(Debug, Clone, Copy)]
struct TreeNode {
    left: i32,
    right: i32,
    count: i64,
}

/// An embedding matrix, dense or product-quantised.
#[derive(Debug)]
enum Matrix {
    Dense {
        cols: usize,
        data: Vec<f32>,
    },
    Quantized {
        rows: usize,
        pq: Quantizer,
        codes: Vec<u8>,
        /// Per-row norm codes and their one-dimensional quantiser, when norms are quantised.
        norms: Option<(Vec<u8>, Vec<f32>)>,
    },
}

/// A product quantiser: `nsubq` sub-quantisers of `dsub` dimensions (the last `lastdsub`),
/// each with [`KSUB`] centroids.
#[derive(Debug)]
struct Quantizer {
    nsubq: usize,
    dsub: usize,
    lastdsub: usize,
    centroids: Vec<f32>,
}

impl Quantizer {
    fn centroid(&self, m: usize, code: u8) -> &[f32] {
        let code = code as usize;
        if m + 1 == self.nsubq {
            let at = m * KSUB * self.dsub + code * self.lastdsub;
            &self.centroids[at..at + self.lastdsub]
        } else {
            let at = (m * KSUB + code) * self.dsub;
            &self.centroids[at..at + self.dsub]
        }
    }
}

impl Matrix {
    /// The dense form of a quantised matrix whose rows are only ever added (the input
    /// matrix), when it is small enough (lid.176: 3.2 MB). Each element is the same `f32`
    /// product `norm * centroid` that [`Matrix::add_row`] computes, so sums are unchanged.
    fn dequantized_for_adding(self, max_floats: usize) -> Matrix {
        let Matrix::Quantized {
            rows,
            pq,
            codes,
            norms,
        } = &self
        else {
            return self;
        };
        let dim = (pq.nsubq - 1) * pq.dsub + pq.lastdsub;
        if rows.saturating_mul(dim) > max_floats {
            return self;
        }
        let mut data = vec![0.0f32; rows * dim];
        for (i, row) in data.chunks_exact_mut(dim).enumerate() {
            let alpha = Self::norm(norms, i);
            for (m, &c) in codes[i * pq.nsubq..(i + 1) * pq.nsubq].iter().enumerate() {
                let cent = pq.centroid(m, c);
                for (x, cj) in row[m * pq.dsub..].iter_mut().zip(cent) {
                    *x = alpha * *cj;
                }
            }
        }
        Matrix::Dense { cols: dim, data }
    }

    fn rows(&self) -> usize {
        match self {
            Matrix::Dense { cols, data } => data.len().checked_div(*cols).unwrap_or(0),
            Matrix::Quantized { rows, .. } => *rows,
        }
    }

    fn norm(norms: &Option<(Vec<u8>, Vec<f32>)>, row: usize) -> f32 {
        match norms {
            Some((codes, centroids)) => centroids[codes[row] as usize],
            None => 1.0,
        }
    }

    /// `x += row i` (fastText's `addRowToVector`).
    fn add_row(&self, x: &mut [f32], i: usize) {
        match self {
            Matrix::Dense { cols, data } => {
                let row = &data[i * cols..(i + 1) * cols];
                for (xj, rj) in x.iter_mut().zip(row) {
                    *xj += *rj;
                }
            }
            Matrix::Quantized {
                pq, codes, norms, ..
            } => {
                let alpha = Self::norm(norms, i);
                let code = &codes[i * pq.nsubq..(i + 1) * pq.nsubq];
                for (m, &c) in code.iter().enumerate() {
                    let cent = pq.centroid(m, c);
                    let x = &mut x[m * pq.dsub..m * pq.dsub + cent.len()];
                    for (xj, cj) in x.iter_mut().zip(cent) {
                        *xj += alpha * *cj;
                    }
                }
            }
        }
    }

    /// `row i · x` (fastText's `dotRow`; the quantised form multiplies by the norm last).
    fn dot_row(&self, x: &[f32], i: usize) -> f32 {
        match self {
            Matrix::Dense { cols, data } => {
                let row = &data[i * cols..(i + 1) * cols];
                let mut d = 0.0f32;
                for (rj, xj) in row.iter().zip(x) {
                    d += *rj * *xj;
                }
                d
            }
            Matrix::Quantized {
                pq, codes, norms, ..
            } => {
                let alpha = Self::norm(norms, i);
                let code = &codes[i * pq.nsubq..(i + 1) * pq.nsubq];
                let mut res = 0.0f32;
                for (m, &c) in code.iter().enumerate() {
                    let cent = pq.centroid(m, c);
                    for (xj, cj) in x[m * pq.dsub..].iter().zip(cent) {
                        res += *xj * *cj;
                    }
                }
                res * alpha
            }
        }
    }
}

/// The vocabulary: words and labels, with a hash table from bytes to entry index.
#[derive(Debug)]
struct Dictionary {
    /// Entry bytes, words first, then labels.
    entries: Vec<Box<[u8]>>,
    nwords: usize,
    /// Open-addressing table of `(FNV hash, entry index)` (`u32::MAX` index = empty): the hash
    /// sits in the slot so that a probe for an unknown token (most tokens) touches one line.
    slots: Vec<(u32, u32)>,
    /// Input rows of each word: its own row, then its n-grams (flattened, with offsets).
    subword_ids: Vec<u32>,
    subword_start: Vec<u32>,
    /// `None`: n-gram hashes map to rows directly; `Some(map)`: only pruned-in buckets exist.
    prune: Option<PruneTable>,
}

/// The pruning table of a quantised model: n-gram bucket → row offset. Open addressing with a
/// multiplicative hash: it is probed for every character n-gram of every unknown word, where
/// a general-purpose hash map was a fifth of the whole prediction time.
#[derive(Debug)]
struct PruneTable {
    /// Buckets, `u32::MAX` marking an empty slot (buckets are < 2^31); kept apart from the
    /// offsets so that the probe touches as little memory as possible (lid.176: 256 KB).
    keys: Vec<u32>,
    values: Vec<u32>,
    shift: u32,
    /// One bit per bucket (when the bucket count is at most 2^27): most n-grams of unknown
    /// words were pruned away, and one bit answers that without probing the table.
    present: Vec<u64>,
}

impl PruneTable {
    fn new(pairs: &HashMap<u32, u32>, bucket: u32) -> PruneTable {
        // Load factor up to 2/3: short probes, and a table small enough for the L2 cache.
        let cap = (pairs.len() * 2).next_power_of_two().max(16);
        let mut t = PruneTable {
            keys: vec![u32::MAX; cap],
            values: vec![0; cap],
            shift: 32 - cap.trailing_zeros(),
            present: Vec::new(),
        };
        if bucket <= 1 << 27 && pairs.keys().all(|&k| k < bucket) {
            t.present = vec![0; (bucket as usize).div_ceil(64)];
            for &k in pairs.keys() {
                t.present[k as usize / 64] |= 1 << (k % 64);
            }
        }
        let mask = cap - 1;
        for (&k, &v) in pairs {
            let mut at = t.slot_of(k);
            while t.keys[at] != u32::MAX {
                at = (at + 1) & mask;
            }
            t.keys[at] = k;
            t.values[at] = v;
        }
        t
    }

    #[inline]
    fn slot_of(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, key: u32) -> Option<u32> {
        if !self.present.is_empty() {
            let word = self.present.get(key as usize / 64).copied().unwrap_or(0);
            if word & (1 << (key % 64)) == 0 {
                return None;
            }
        }
        let mask = self.keys.len() - 1;
        let mut at = self.slot_of(key);
        loop {
            let k = self.keys[at];
            if k == key {
                return Some(self.values[at]);
            }
            if k == u32::MAX {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    fn max_value(&self) -> Option<u32> {
        self.keys
            .iter()
            .zip(&self.values)
            .filter(|(k, _)| **k != u32::MAX)
            .map(|(_, v)| *v)
            .max()
    }
}

impl Dictionary {
    fn lookup(&self, token: &[u8], h: u32) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let (eh, e) = self.slots[at];
            if e == u32::MAX {
                return None;
            }
            if eh == h && &*self.entries[e as usize] == token {
                return Some(e as usize);
            }
            at = (at + 1) & mask;
        }
    }
}

/// fastText's FNV-1a over sign-extended bytes.
#[inline]
fn fnv_step(h: u32, b: u8) -> u32 {
    (h ^ (b as i8 as i32 as u32)).wrapping_mul(16_777_619)
}

const FNV_OFFSET: u32 = 2_166_136_261;

fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| fnv_step(h, b))
}

/// fastText's token separators: space, tab, LF, CR, VT, FF, NUL.
static SEPARATOR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 7 {
        t[[b' ', b'\t', b'\n', b'\r', 0x0b, 0x0c, 0][i] as usize] = true;
        i += 1;
    }
    t
};

#[inline]
pub(crate) fn is_separator(b: u8) -> bool {
    SEPARATOR[b as usize]
}

/// A loaded fastText supervised model.
#[derive(Debug)]
pub struct FastText {
    dim: usize,
    minn: usize,
    maxn: usize,
    bucket: u32,
    /// `u64::MAX / bucket + 1`, for [`FastText::bucket_of`].
    bucket_magic: u64,
    word_ngrams: usize,
    dict: Dictionary,
    labels: Vec<String>,
    input: Matrix,
    output: Matrix,
    loss: Loss,
}

/// Reusable per-call buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    hidden: Vec<f32>,
    word_hashes: Vec<u32>,
    buckets: Vec<u32>,
    rows: Vec<u32>,
    word: Vec<u8>,
    stack: Vec<(usize, f32)>,
}

impl FastText {
    /// Reads a fastText supervised model (`.bin` or quantised `.ftz`) from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<FastText, FormatError> {
        read_model(&mut Reader { bytes, at: 0 })
    }

    /// The labels, as stored (with their `__label__` prefix), most frequent first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The dimension of the embeddings.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Predicts the labels of `text` read as one line in which newlines are spaces (as the
    /// Python binding is called after replacing them): `k = Some(1)` for the best label only,
    /// `None` for every label whose probability is at least `threshold`, best first.
    /// Empty when the text yields no input row (fastText returns nothing then either).
    pub fn predict(
        &self,
        text: &[u8],
        k: Option<usize>,
        threshold: f32,
        scratch: &mut Scratch,
    ) -> Vec<Prediction> {
        let n = self.hidden(text, scratch);
        if n == 0 {
            return Vec::new();
        }
        let mut out = match &self.loss {
            Loss::Hierarchical { tree } => self.predict_hs(tree, k, threshold, scratch),
            Loss::Softmax => self.predict_softmax(k, threshold, &scratch.hidden),
        };
        for p in &mut out {
            p.prob = p.prob.exp();
        }
        out
    }

    /// The averaged input vector of `text` (fastText's sentence vector for supervised models,
    /// before the output layer); for checks and tools.
    pub fn hidden_vector(&self, text: &[u8]) -> Vec<f32> {
        let mut scratch = Scratch::default();
        self.hidden(text, &mut scratch);
        scratch.hidden
    }

    /// Fills `scratch.hidden` with the averaged input rows of `text`; returns how many rows.
    fn hidden(&self, text: &[u8], scratch: &mut Scratch) -> usize {
        let Scratch {
            hidden,
            word_hashes,
            buckets,
            rows,
            word,
            ..
        } = scratch;
        hidden.clear();
        hidden.resize(self.dim, 0.0);
        word_hashes.clear();
        let mut count = 0usize;
        let mut rest = text;
        loop {
            // The next token, or the end-of-sentence token once the text is used up.
            while let [b, tail @ ..] = rest {
                if !is_separator(*b) {
                    break;
                }
                rest = tail;
            }
            let len = rest
                .iter()
                .position(|&b| is_separator(b))
                .unwrap_or(rest.len());
            let (token, tail) = if len == 0 {
                (EOS, &rest[..0])
            } else {
                rest.split_at(len)
            };
            rest = tail;
            let h = fnv(token);
            let entry = self.dict.lookup(token, h);
            let is_word = match entry {
                Some(e) => e < self.dict.nwords,
                None => !token.starts_with(LABEL_PREFIX),
            };
            if is_word {
                match entry {
                    Some(e) if self.maxn == 0 => {
                        self.input.add_row(hidden, e);
                        count += 1;
                    }
                    Some(e) => {
                        let from = self.dict.subword_start[e] as usize;
                        let to = self.dict.subword_start[e + 1] as usize;
                        for &row in &self.dict.subword_ids[from..to] {
                            self.input.add_row(hidden, row as usize);
                        }
                        count += to - from;
                    }
                    None if token != EOS => {
                        buckets.clear();
                        rows.clear();
                        self.ngram_buckets(token, word, buckets);
                        self.rows_of(buckets, rows);
                        for &row in rows.iter() {
                            self.input.add_row(hidden, row as usize);
                        }
                        count += rows.len();
                    }
                    None => {}
                }
                word_hashes.push(h);
            }
            if token == EOS {
                break;
            }
        }
        // (A zero bucket count is undefined in fastText; here it means no word n-grams.)
        if self.word_ngrams > 1 && self.bucket > 0 {
            let hashes = &*word_hashes;
            for i in 0..hashes.len() {
                // fastText widens the signed 32-bit hash to 64 bits (sign-extending).
                let mut h = hashes[i] as i32 as i64 as u64;
                for &hj in hashes.iter().skip(i + 1).take(self.word_ngrams - 1) {
                    h = h
                        .wrapping_mul(116_049_371)
                        .wrapping_add(hj as i32 as i64 as u64);
                    if let Some(row) = self.bucket_row((h % self.bucket as u64) as u32) {
                        self.input.add_row(hidden, row as usize);
                        count += 1;
                    }
                }
            }
        }
        if count > 0 {
            let scale = (1.0f64 / count as f64) as f32;
            for x in hidden.iter_mut() {
                *x *= scale;
            }
        }
        count
    }

    /// The input row of n-gram bucket `b`, if the model kept it.
    fn bucket_row(&self, b: u32) -> Option<u32> {
        let b = match &self.dict.prune {
            None => b,
            Some(map) => map.get(b)?,
        };
        Some(self.dict.nwords as u32 + b)
    }

    /// `h % bucket` without a division (Lemire's fastmod; exact for every `u32`): this runs
    /// for every character n-gram.
    #[inline]
    fn bucket_of(&self, h: u32) -> u32 {
        let low = self.bucket_magic.wrapping_mul(h as u64);
        ((low as u128 * self.bucket as u128) >> 64) as u32
    }

    /// Pushes the bucket of each character n-gram of `<token>`, in fastText's order
    /// (`word` is a reusable buffer).
    fn ngram_buckets(&self, token: &[u8], word: &mut Vec<u8>, out: &mut Vec<u32>) {
        if self.maxn == 0 || self.bucket == 0 {
            return;
        }
        word.clear();
        word.push(b'<');
        word.extend_from_slice(token);
        word.push(b'>');
        let len = word.len();
        let cont = |b: u8| b & 0xC0 == 0x80;
        for i in 0..len {
            if cont(word[i]) {
                continue;
            }
            let mut h = FNV_OFFSET;
            let mut j = i;
            let mut n = 1;
            while j < len && n <= self.maxn {
                h = fnv_step(h, word[j]);
                j += 1;
                while j < len && cont(word[j]) {
                    h = fnv_step(h, word[j]);
                    j += 1;
                }
                if n >= self.minn && !(n == 1 && (i == 0 || j == len)) {
                    out.push(self.bucket_of(h));
                }
                n += 1;
            }
        }
    }

    /// Pushes the input rows of `buckets` that the model kept, in order. All the presence
    /// bits are read before any row is looked up, without branches, so that the (mostly
    /// cache-missing) reads overlap instead of waiting on each other.
    fn rows_of(&self, buckets: &mut Vec<u32>, rows: &mut Vec<u32>) {
        let nwords = self.dict.nwords as u32;
        match &self.dict.prune {
            None => rows.extend(buckets.iter().map(|b| nwords + b)),
            Some(table) if !table.present.is_empty() => {
                // Keep the buckets whose bit is set, compacting in place.
                let mut kept = 0;
                for i in 0..buckets.len() {
                    let b = buckets[i];
                    let bit = (table.present[b as usize / 64] >> (b % 64)) & 1;
                    buckets[kept] = b;
                    kept += bit as usize;
                }
                buckets.truncate(kept);
                rows.extend(
                    buckets
                        .iter()
                        .filter_map(|&b| table.get(b))
                        .map(|o| nwords + o),
                );
            }
            Some(table) => rows.extend(
                buckets
                    .iter()
                    .filter_map(|&b| table.get(b))
                    .map(|o| nwords + o),
            ),
        }
    }

    /// Calls `add` with the input row of each character n-gram of `<token>` that the model
    /// kept, in fastText's order (used at load, for the vocabulary).
    fn for_each_ngram(&self, token: &[u8], mut add: impl FnMut(u32)) {
        let mut buckets = Vec::new();
        let mut rows = Vec::new();
        self.ngram_buckets(token, &mut Vec::new(), &mut buckets);
        self.rows_of(&mut buckets, &mut rows);
        rows.into_iter().for_each(&mut add);
    }

    fn predict_hs(
        &self,
        tree: &[TreeNode],
        k: Option<usize>,
        threshold: f32,
        scratch: &mut Scratch,
    ) -> Vec<Prediction> {
        let osz = self.labels.len();
        let k = k.unwrap_or(osz).max(1);
        let floor = std_log(threshold);
        let mut found: Vec<Prediction> = Vec::new();
        // Depth first, left subtree before right, as fastText's recursive walk; explicit stack
        // so that no model can overflow the call stack.
        let stack = &mut scratch.stack;
        stack.clear();
        stack.push((2 * osz - 2, 0.0));
        while let Some((node, score)) = stack.pop() {
            if score < floor {
                continue;
            }
            if found.len() == k && score < min_score(&found) {
                continue;
            }
            let t = tree[node];
            if t.left == -1 && t.right == -1 {
                push_best(&mut found, k, node, score);
                continue;
            }
            let f = self.output.dot_row(&scratch.hidden, node - osz);
            let f = (1.0f64 / (1.0f32 + (-f).exp()) as f64) as f32;
            // Left is the "0" branch (probability 1 - f), right the "1" branch (f).
            stack.push((t.right as usize, score + std_log(f)));
            stack.push((t.left as usize, score + std_log((1.0 - f as f64) as f32)));
        }
        sort_best_first(&mut found);
        found
    }

    fn predict_softmax(&self, k: Option<usize>, threshold: f32, hidden: &[f32]) -> Vec<Prediction> {
        let osz = self.labels.len();
        let mut out: Vec<f32> = (0..osz).map(|i| self.output.dot_row(hidden, i)).collect();
        let max = out.iter().fold(out[0], |m, &v| if v > m { v } else { m });
        let mut z = 0.0f32;
        for v in &mut out {
            *v = (*v - max).exp();
            z += *v;
        }
        for v in &mut out {
            *v /= z;
        }
        let k = k.unwrap_or(osz).max(1);
        let mut found: Vec<Prediction> = Vec::new();
        for (i, &p) in out.iter().enumerate() {
            if p < threshold {
                continue;
            }
            let s = std_log(p);
            if found.len() == k && s < min_score(&found) {
                continue;
            }
            push_best(&mut found, k, i, s);
        }
        sort_best_first(&mut found);
        found
    }
}

/// fastText's `std_log`: `log(x + 1e-5)` in double precision, returned as `f32`.
fn std_log(x: f32) -> f32 {
    (x as f64 + 1e-5).ln() as f32
}

fn min_score(found: &[Prediction]) -> f32 {
    found.iter().map(|p| p.prob).fold(f32::INFINITY, f32::min)
}

/// Adds a candidate (its `prob` holds the log score until the end) and keeps the best `k`.
/// On a tie with the worst kept one the newcomer stays, as fastText's heap does for `k = 1`.
fn push_best(found: &mut Vec<Prediction>, k: usize, label: usize, score: f32) {
    found.push(Prediction { label, prob: score });
    if found.len() > k {
        // Drop the worst; among equal worst ones, the earliest.
        let mut worst = 0;
        for (i, p) in found.iter().enumerate() {
            if p.prob < found[worst].prob {
                worst = i;
            }
        }
        found.remove(worst);
    }
}

fn sort_best_first(found: &mut [Prediction]) {
    found.sort_by(|a, b| b.prob.total_cmp(&a.prob).then(a.label.cmp(&b.label)));
}

/// Bounds-checked little-endian reader over the model bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], FormatError> {
        match self.bytes.get(self.at..self.at.saturating_add(n)) {
            Some(s) if self.at.checked_add(n).is_some() => {
                self.at += n;
                Ok(s)
            }
            _ => err(format!(
                "file ends inside {what} (offset {}, {} bytes needed, {} left)",
                self.at,
                n,
                self.bytes.len().saturating_sub(self.at)
            )),
        }
    }

    fn i32(&mut self, what: &str) -> Result<i32, FormatError> {
        let b = self.take(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self, what: &str) -> Result<i64, FormatError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }

    fn u8(&mut self, what: &str) -> Result<u8, FormatError> {
        Ok(self.take(1, what)?[0])
    }

    fn bool(&mut self, what: &str) -> Result<bool, FormatError> {
        Ok(self.u8(what)? != 0)
    }

    /// A count that must be in `0..=max` and whose items (of `item_size` bytes) fit in the
    /// rest of the file, so that a corrupt count cannot ask for a huge allocation.
    fn count(&mut self, v: i64, item_size: usize, what: &str) -> Result<usize, FormatError> {
        let left = self.bytes.len() - self.at;
        match usize::try_from(v) {
            Ok(n) if n.checked_mul(item_size).is_some_and(|b| b <= left) => Ok(n),
            _ => err(format!("{what} = {v} does not fit in the file")),
        }
    }

    fn f32s(&mut self, n: usize, what: &str) -> Result<Vec<f32>, FormatError> {
        let b = self.take(n.saturating_mul(4), what)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

fn read_model(r: &mut Reader) -> Result<FastText, FormatError> {
    if r.i32("the header")? != MAGIC {
        return err("wrong file format (bad magic number)");
    }
    let version = r.i32("the header")?;
    if !VERSIONS.contains(&version) {
        return err(format!("unsupported format version {version}"));
    }
    // Args: dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate t.
    let mut a = [0i32; 12];
    for v in &mut a {
        *v = r.i32("the arguments")?;
    }
    r.take(8, "the arguments")?;
    let [dim, _ws, _epoch, _min_count, _neg, word_ngrams, loss, model, bucket, minn, maxn, _lr] = a;
    if model != 3 {
        return err("not a supervised (classification) model");
    }
    let loss_kind = match loss {
        1 => 1,
        3 => 3,
        2 => return err("negative-sampling loss is not supported for prediction"),
        4 => return err("one-vs-all loss is not supported"),
        other => return err(format!("unknown loss {other}")),
    };
    if !(1..=65_536).contains(&dim) {
        return err(format!("dimension {dim} out of range"));
    }
    let maxn = if version == 11 { 0 } else { maxn };
    if bucket < 0 || minn < 0 || !(0..=64).contains(&maxn) || !(1..=64).contains(&word_ngrams) {
        return err("n-gram arguments out of range");
    }
    let dim = dim as usize;

    // Dictionary.
    let size = r.i32("the dictionary")?;
    let nwords = r.i32("the dictionary")?;
    let nlabels = r.i32("the dictionary")?;
    let _ntokens = r.i64("the dictionary")?;
    let prune_size = r.i64("the dictionary")?;
    if size < 0 || nwords < 0 || nlabels <= 0 || nwords.checked_add(nlabels) != Some(size) {
        return err(format!(
            "dictionary sizes inconsistent ({size} entries, {nwords} words, {nlabels} labels)"
        ));
    }
    let size = r.count(size as i64, 10, "the dictionary size")?;
    let nwords = nwords as usize;
    let mut entries: Vec<Box<[u8]>> = Vec::with_capacity(size);
    let mut label_counts: Vec<i64> = Vec::with_capacity(nlabels as usize);
    for i in 0..size {
        let rest = &r.bytes[r.at..];
        let Some(end) = rest.iter().position(|&b| b == 0) else {
            return err(format!("dictionary entry {i} is not terminated"));
        };
        let word: Box<[u8]> = rest[..end].into();
        r.at += end + 1;
        let count = r.i64("a dictionary entry")?;
        let kind = r.u8("a dictionary entry")?;
        let want = u8::from(i >= nwords);
        if kind != want {
            return err(format!(
                "dictionary entry {i} is a {} where a {} was expected (words must come first)",
                if kind == 0 { "word" } else { "label" },
                if want == 0 { "word" } else { "label" }
            ));
        }
        if i >= nwords {
            label_counts.push(count);
        }
        entries.push(word);
    }
    let prune = if prune_size >= 0 {
        let n = r.count(prune_size, 8, "the pruning table size")?;
        let mut map = HashMap::with_capacity(n);
        for _ in 0..n {
            let from = r.i32("the pruning table")?;
            let to = r.i32("the pruning table")?;
            if from < 0 || to < 0 {
                return err("negative entry in the pruning table");
            }
            // A repeated bucket keeps its last offset, as fastText's map does.
            map.insert(from as u32, to as u32);
        }
        Some(PruneTable::new(&map, bucket as u32))
    } else {
        None
    };

    // Input matrix.
    let quant_input = r.bool("the input matrix flag")?;
    let input = if quant_input {
        read_quantized(r, dim, "input")?.dequantized_for_adding(DEQUANTIZE_MAX_FLOATS)
    } else {
        if prune.is_some() {
            return err("a pruned dictionary needs a quantised input matrix");
        }
        read_dense(r, dim, "input")?
    };
    let qout = r.bool("the output matrix flag")?;
    let output = if quant_input && qout {
        read_quantized(r, dim, "output")?
    } else {
        read_dense(r, dim, "output")?
    };
    if r.at != r.bytes.len() {
        return err(format!(
            "{} unexpected bytes after the output matrix",
            r.bytes.len() - r.at
        ));
    }

    // Every row the dictionary can name must exist.
    let max_bucket_row = match &prune {
        Some(map) => map.max_value().map_or(0, |m| m as usize + 1),
        None => bucket as usize,
    };
    if nwords + max_bucket_row > input.rows() {
        return err(format!(
            "input matrix has {} rows, the dictionary needs {}",
            input.rows(),
            nwords + max_bucket_row
        ));
    }
    let nlabels = nlabels as usize;
    if output.rows() != nlabels {
        return err(format!(
            "output matrix has {} rows for {nlabels} labels",
            output.rows()
        ));
    }

    let labels = entries[nwords..]
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    let loss = if loss_kind == 1 {
        Loss::Hierarchical {
            tree: huffman_tree(&label_counts)?,
        }
    } else {
        Loss::Softmax
    };

    let mut slots = vec![(0, u32::MAX); (size * 2).next_power_of_two().max(16)];
    let mask = slots.len() - 1;
    for (i, entry) in entries.iter().enumerate() {
        let h = fnv(entry);
        let mut at = h as usize & mask;
        loop {
            let (_, s) = slots[at];
            // A repeated entry replaces the earlier one, as in fastText's table.
            if s == u32::MAX || entries[s as usize] == *entry {
                slots[at] = (h, i as u32);
                break;
            }
            at = (at + 1) & mask;
        }
    }
    let mut ft = FastText {
        dim,
        minn: minn as usize,
        maxn: maxn as usize,
        bucket: bucket as u32,
        bucket_magic: if bucket > 0 {
            (u64::MAX / bucket as u64).wrapping_add(1)
        } else {
            0
        },
        word_ngrams: word_ngrams as usize,
        dict: Dictionary {
            entries,
            nwords,
            slots,
            subword_ids: Vec::new(),
            subword_start: vec![0],
            prune,
        },
        labels,
        input,
        output,
        loss,
    };
    // Each word's rows: its own, then its n-grams (none for the end-of-sentence token).
    let mut ids = Vec::new();
    let mut starts = vec![0u32];
    for e in 0..nwords {
        ids.push(e as u32);
        let word = &ft.dict.entries[e];
        if &**word != EOS {
            ft.for_each_ngram(word, |row| ids.push(row));
        }
        starts.push(u32::try_from(ids.len()).map_err(|_| FormatError("too many n-grams".into()))?);
    }
    ft.dict.subword_ids = ids;
    ft.dict.subword_start = starts;
    Ok(ft)
}

fn read_dense(r: &mut Reader, dim: usize, what: &str) -> Result<Matrix, FormatError> {
    let m = r.i64(what)?;
    let n = r.i64(what)?;
    if n != dim as i64 {
        return err(format!("{what} matrix has {n} columns, expected {dim}"));
    }
    let m = r.count(m, dim * 4, &format!("{what} matrix rows"))?;
    let data = r.f32s(m * dim, what)?;
    Ok(Matrix::Dense { cols: dim, data })
}

fn read_quantizer(r: &mut Reader, dim: usize, what: &str) -> Result<Quantizer, FormatError> {
    let qdim = r.i32(what)?;
    let nsubq = r.i32(what)?;
    let dsub = r.i32(what)?;
    let lastdsub = r.i32(what)?;
    let ok = qdim as i64 == dim as i64
        && nsubq > 0
        && dsub > 0
        && lastdsub > 0
        && lastdsub <= dsub
        && (nsubq as i64 - 1) * dsub as i64 + lastdsub as i64 == dim as i64;
    if !ok {
        return err(format!(
            "{what} quantiser shape (dim {qdim}, {nsubq}×{dsub}, last {lastdsub}) does not fit dimension {dim}"
        ));
    }
    let centroids = r.f32s(dim * KSUB, what)?;
    Ok(Quantizer {
        nsubq: nsubq as usize,
        dsub: dsub as usize,
        lastdsub: lastdsub as usize,
        centroids,
    })
}

fn read_quantized(r: &mut Reader, dim: usize, what: &str) -> Result<Matrix, FormatError> {
    let qnorm = r.bool(what)?;
    let m = r.i64(what)?;
    let n = r.i64(what)?;
    if n != dim as i64 {
        return err(format!("{what} matrix has {n} columns, expected {dim}"));
    }
    let code_size = r.i32(what)?;
    let code_size = r.count(code_size as i64, 1, &format!("{what} code size"))?;
    let codes = r.take(code_size, what)?.to_vec();
    let pq = read_quantizer(r, dim, what)?;
    let rows = match usize::try_from(m) {
        Ok(rows) if rows.checked_mul(pq.nsubq) == Some(code_size) => rows,
        _ => {
            return err(format!(
                "{what} matrix: {m} rows do not match {code_size} code bytes"
            ))
        }
    };
    let norms = if qnorm {
        let codes = r.take(rows, what)?.to_vec();
        let npq = read_quantizer(r, 1, what)?;
        Some((codes, npq.centroids))
    } else {
        None
    };
    Ok(Matrix::Quantized {
        rows,
        pq,
        codes,
        norms,
    })
}

/// fastText's Huffman tree over the labels: leaves `0..n` (counts in file order, most frequent
/// first), inner nodes `n..2n-1`, each joining the two smallest remaining counts. The
/// two-queue construction needs the counts sorted (fastText always saves them so) and below
/// its 10^15 sentinel; other files are rejected.
fn huffman_tree(counts: &[i64]) -> Result<Vec<TreeNode>, FormatError> {
    const SENTINEL: i64 = 1_000_000_000_000_000;
    if counts.iter().any(|&c| !(0..SENTINEL).contains(&c)) || counts.windows(2).any(|w| w[0] < w[1])
    {
        return err("label counts are not sorted, non-negative counts");
    }
    let n = counts.len();
    let mut tree = vec![
        TreeNode {
            left: -1,
            right: -1,
            count: SENTINEL,
        };
        2 * n - 1
    ];
    for (t, &c) in tree.iter_mut().zip(counts) {
        t.count = c;
    }
    let mut leaf = n as i64 - 1;
    let mut node = n;
    for i in n..2 * n - 1 {
        let mut pick = [0usize; 2];
        for p in &mut pick {
            if leaf >= 0 && tree[leaf as usize].count < tree[node].count {
                *p = leaf as usize;
                leaf -= 1;
            } else if node < i {
                *p = node;
                node += 1;
            } else {
                return err("label counts do not form a tree");
            }
        }
        tree[i].left = pick[0] as i32;
        tree[i].right = pick[1] as i32;
        tree[i].count = tree[pick[0]].count.saturating_add(tree[pick[1]].count);
    }
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_sign_extends_like_fasttext() {
        assert_eq!(fnv(b""), FNV_OFFSET);
        // 'a' is ASCII: plain FNV-1a.
        assert_eq!(fnv(b"a"), (FNV_OFFSET ^ 0x61).wrapping_mul(16_777_619));
        // 0xC3 is negative as a signed char: XORed as 0xFFFFFFC3.
        assert_eq!(
            fnv(&[0xC3]),
            (FNV_OFFSET ^ 0xFFFF_FFC3).wrapping_mul(16_777_619)
        );
    }

    #[test]
    fn huffman_tree_joins_smallest() {
        // Counts 5, 3, 1: first join 1 and 3 (leaves 2 and 1) into node 3 (count 4), then
        // node 3 (4, the smaller) with leaf 0 (5).
        let t = huffman_tree(&[5, 3, 1]).unwrap();
        assert_eq!((t[3].left, t[3].right, t[3].count), (2, 1, 4));
        assert_eq!((t[4].left, t[4].right, t[4].count), (3, 0, 9));
    }

    #[test]
    fn unsorted_label_counts_are_an_error() {
        // Found by the lid_model fuzz target: the two-queue construction ran off its nodes.
        assert!(huffman_tree(&[1, 5, 3]).is_err());
        assert!(huffman_tree(&[5, -1]).is_err());
        assert!(huffman_tree(&[i64::MAX, 1]).is_err());
        assert!(huffman_tree(&[7]).is_ok());
        assert!(huffman_tree(&[2, 2, 2, 2]).is_ok());
    }

    #[test]
    fn truncated_and_garbage_files_are_errors() {
        assert!(FastText::from_bytes(b"").is_err());
        assert!(FastText::from_bytes(b"not a model at all").is_err());
        let mut header = Vec::new();
        header.extend_from_slice(&MAGIC.to_le_bytes());
        header.extend_from_slice(&12i32.to_le_bytes());
        let e = FastText::from_bytes(&header).unwrap_err();
        assert!(
            e.to_string().contains("file ends inside the arguments"),
            "{e}"
        );
    }
}
