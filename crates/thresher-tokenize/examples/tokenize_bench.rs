//! Single-threaded word tokenisation speed on the webtext corpus.
//!
//! `cargo run --release -p thresher-tokenize --example tokenize_bench -- [FILE.jsonl.gz] [LANG] [PASSES]`
//!
//! Reads every `text` into memory first, then times `Tokenizer::words` over all of them
//! (best of PASSES, default 5) and prints MB/s of UTF-8 text, by wall clock and by the
//! thread's CPU time (Linux `/proc/thread-self/schedstat`), which stays meaningful on a
//! busy machine.

use std::io::{BufRead, BufReader};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/webtext-docs/combined.jsonl.gz"
    );
    let path = args.next().unwrap_or_else(|| default.to_string());
    let lang = args.next().unwrap_or_else(|| "en".to_string());
    let passes: usize = args.next().map(|p| p.parse()).transpose()?.unwrap_or(5);

    let file = std::fs::File::open(&path)?;
    let mut texts = Vec::new();
    for line in BufReader::new(flate2::read::MultiGzDecoder::new(file)).lines() {
        let rec: serde_json::Value = serde_json::from_str(&line?)?;
        if let Some(t) = rec.get("text").and_then(|t| t.as_str()) {
            texts.push(t.to_string());
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();

    let t0 = Instant::now();
    let tok = thresher_tokenize::Tokenizer::for_language(&lang)?;
    let load = t0.elapsed();

    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut words = 0usize;
    for _ in 0..passes.max(1) {
        let t = Instant::now();
        let c = thread_cpu_seconds();
        words = 0;
        for text in &texts {
            words += std::hint::black_box(tok.words(text)).len();
        }
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(c0), Some(c1)) = (c, thread_cpu_seconds()) {
            best_cpu = best_cpu.min(c1 - c0);
        }
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{} docs, {:.2} MB, {} words, language {} (load {:.1} ms), best of {} passes: wall {:.3} s = {:.1} MB/s, cpu {:.3} s = {:.1} MB/s",
        texts.len(),
        mb,
        words,
        tok.language(),
        load.as_secs_f64() * 1e3,
        passes,
        best,
        mb / best,
        best_cpu,
        mb / best_cpu
    );
    Ok(())
}

/// CPU time of this thread, where Linux tells it.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
