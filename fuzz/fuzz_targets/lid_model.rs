//! Fuzzes thresher's fastText model reader (`thresher_text::ft`), which reads model files a
//! user names with `model_path`: any bytes must give a model or an error, never a panic, an
//! overflow or a huge allocation, and a model that loads must predict on any text without
//! panicking, with probabilities in `[0, 1]`.
//!
//! Three shapes of input, chosen by the first byte modulo 3:
//! - 0: the rest is the model file itself;
//! - 1, 2: the rest is a list of patches `(offset: u32 LE, byte)` applied to a tiny real model
//!   (`fuzz/seeds/tiny-hs.ftz`: hierarchical softmax, quantised input with norms, pruned
//!   n-grams; `tiny-softmax.bin`: softmax, dense, word bigrams; both written by fastText
//!   itself through `cargo run -p thresher-text --example tiny_models -- fuzz/seeds`). This
//!   reaches the checks deep in a well-formed file (counts, shapes, pruning table, quantiser
//!   sizes) that random bytes never get past; the bundled lid.176 would be too slow to load
//!   per run.

#![no_main]

use libfuzzer_sys::fuzz_target;
use thresher_text::ft::{FastText, Scratch};

static TINY_HS: &[u8] = include_bytes!("../seeds/tiny-hs.ftz");
static TINY_SOFTMAX: &[u8] = include_bytes!("../seeds/tiny-softmax.bin");

const TEXTS: [&[u8]; 4] = [
    b"The quick brown fox jumps over the lazy dog.",
    "Быстрая лиса и собака </s> after".as_bytes(),
    b"__label__en a\0b\tc",
    b"",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes: Vec<u8> = if mode % 3 == 0 {
        rest.to_vec()
    } else {
        let mut model = if mode % 3 == 1 { TINY_HS } else { TINY_SOFTMAX }.to_vec();
        for p in rest.chunks_exact(5) {
            let at = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize % model.len();
            model[at] = p[4];
        }
        model
    };
    let Ok(model) = FastText::from_bytes(&bytes) else {
        return;
    };
    let mut scratch = Scratch::default();
    for text in TEXTS {
        for k in [Some(1), None] {
            for p in model.predict(text, k, 0.0, &mut scratch) {
                assert!(p.label < model.labels().len());
                assert!(
                    p.prob.is_nan() || (0.0..=1.0 + 1e-4).contains(&p.prob),
                    "probability {}",
                    p.prob
                );
            }
        }
    }
});
