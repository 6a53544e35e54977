//! Exact-dedup key throughput, single thread, on a JSONL(.gz) of `{"text": ...}` documents.
//!
//! ```sh
//! cargo run --release -p thresher-dedup --example dedup_speed -- \
//!     ../shared/data/webtext-docs/combined.jsonl.gz [passes]
//! ```
//!
//! Times `ExactDedup::key_of` (normalisation + xxh3-128) over all texts, best of `passes`
//! (default 5), and prints MB/s and how many texts share a key with an earlier one.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::time::Instant;
use thresher_dedup::ExactDedup;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: dedup_speed FILE.jsonl[.gz] [passes]");
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
    let mut best = f64::INFINITY;
    let mut keys = Vec::new();
    for _ in 0..passes.max(1) {
        let t = Instant::now();
        keys = texts
            .iter()
            .map(|t| ExactDedup::key_of(t))
            .collect::<Vec<_>>();
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mut seen = HashSet::new();
    let dups = keys.iter().flatten().filter(|k| !seen.insert(**k)).count();
    println!(
        "docs {} | {:.1} MB | best pass {:.4} s | {:.0} MB/s | {:.0} docs/s | duplicates {} | no key {}",
        texts.len(),
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best,
        texts.len() as f64 / best,
        dups,
        keys.iter().filter(|k| k.is_none()).count()
    );
}
