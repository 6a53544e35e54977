//! MinHash signature throughput, single thread, on a JSONL(.gz) of `{"text": ...}` documents.
//!
//! ```sh
//! cargo run --release -p thresher-dedup --example minhash_bench -- \
//!     ../shared/data/webtext-docs/combined.jsonl.gz [passes]
//! ```
//!
//! Times [`MinHasher::signature_with`] (FineWeb's configuration: simplify, tokenize, SHA-1
//! shingles, 112 permutations) over all texts, best of `passes` (default 5), and prints
//! docs/s and MB/s of input text (wall time), then the time of each step on its own.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};
use thresher_dedup::minhash::{simplify_text, MinHasher, Scratch};
use thresher_tokenize::Tokenizer;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: minhash_bench FILE.jsonl[.gz] [passes]");
        std::process::exit(2);
    };
    let passes: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(5);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let reader: Box<dyn BufRead> = if path.ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let texts: Vec<String> = reader
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let hasher = MinHasher::fineweb();
    let mut scratch = Scratch::new();
    let mut best = Duration::MAX;
    let mut with_sig = 0;
    for _ in 0..passes.max(1) {
        let start = Instant::now();
        with_sig = 0;
        for t in &texts {
            if let Some(sig) = hasher.signature_with(t, &mut scratch) {
                with_sig += 1;
                std::hint::black_box(sig);
            }
        }
        best = best.min(start.elapsed());
    }
    let secs = best.as_secs_f64();
    println!(
        "{} docs ({:.1} MB), {} with a signature: {:.0} docs/s, {:.1} MB/s (best of {})",
        texts.len(),
        bytes as f64 / 1e6,
        with_sig,
        texts.len() as f64 / secs,
        bytes as f64 / 1e6 / secs,
        passes
    );

    // Where the time goes: each step over all documents on its own, best of `passes`, in
    // CPU time where Linux reports it (so that time-slicing on a busy machine does not count).
    let tokenizer = Tokenizer::english();
    let mut best = [f64::MAX; 4];
    for _ in 0..passes.max(1) {
        let t = Clock::start();
        let simplified: Vec<String> = texts.iter().map(|t| simplify_text(t)).collect();
        best[0] = best[0].min(t.secs());
        let t = Clock::start();
        let words: Vec<Vec<&str>> = simplified.iter().map(|s| tokenizer.words(s)).collect();
        best[1] = best[1].min(t.secs());
        let t = Clock::start();
        let shingles: Vec<Vec<u64>> = words.iter().map(|w| hasher.shingles_of_words(w)).collect();
        best[2] = best[2].min(t.secs());
        let t = Clock::start();
        for s in &shingles {
            std::hint::black_box(hasher.from_shingles(s));
        }
        best[3] = best[3].min(t.secs());
    }
    let us = |t: f64| t * 1e6 / texts.len() as f64;
    println!(
        "split (µs/doc, {}): simplify {:.1}, tokenize {:.1}, shingles (sha1) {:.1}, permutations {:.1}; total {:.1} = {:.0} docs/s",
        Clock::KIND,
        us(best[0]),
        us(best[1]),
        us(best[2]),
        us(best[3]),
        us(best.iter().sum()),
        texts.len() as f64 / best.iter().sum::<f64>()
    );
}

/// CPU time of this thread from `/proc/thread-self/schedstat` (nanoseconds on the CPU), or
/// wall time where that file is missing.
struct Clock {
    cpu_ns: Option<u64>,
    wall: Instant,
}

impl Clock {
    const KIND: &'static str = "CPU time on Linux, else wall time";

    fn cpu_ns() -> Option<u64> {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        s.split_whitespace().next()?.parse().ok()
    }

    fn start() -> Clock {
        Clock {
            cpu_ns: Clock::cpu_ns(),
            wall: Instant::now(),
        }
    }

    fn secs(&self) -> f64 {
        match (self.cpu_ns, Clock::cpu_ns()) {
            (Some(a), Some(b)) => (b.saturating_sub(a)) as f64 / 1e9,
            _ => self.wall.elapsed().as_secs_f64(),
        }
    }
}
