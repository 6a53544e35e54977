//! Single-thread throughput of the FineWeb filter chain (and, for scale, of word tokenisation
//! alone) on a JSONL(.gz) corpus of `{"id", "text"}` documents.
//!
//! ```sh
//! cargo run --release -p thresher-quality --example chain_bench [-- PATH [REPEAT]]
//! ```
//!
//! PATH defaults to `../shared/data/webtext-docs/combined.jsonl.gz`; the best of REPEAT
//! (default 3) passes is printed. datatrove 0.10.1 runs the same chain at 72.9 docs/s on that
//! corpus (`datatrove_oracle.py --time`, one core).

use std::io::{BufRead, BufReader};
use std::time::Instant;

use thresher_quality::Chain;
use thresher_tokenize::Tokenizer;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/webtext-docs/combined.jsonl.gz"
        )
        .to_string()
    });
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let reader: Box<dyn BufRead> = if path.ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let texts: Vec<String> = reader
        .lines()
        .map(|l| l.expect("read"))
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).expect("json");
            v["text"].as_str().expect("text").to_string()
        })
        .collect();
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let chain = Chain::fineweb("eng").expect("English tokenizer");
    let tokenizer = Tokenizer::english();

    let best = |f: &dyn Fn() -> usize| {
        let mut best = f64::INFINITY;
        let mut out = 0;
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            out = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (best, out)
    };
    // Warm-up: tokenizer tables.
    chain.run("warm up.", None);

    let (secs, kept) = best(&|| texts.iter().filter(|t| chain.run(t, None).keep).count());
    let n = texts.len() as f64;
    println!(
        "fineweb chain: {} docs ({mb:.1} MB), {kept} kept, {secs:.3} s, {:.0} docs/s, {:.1} MB/s ({:.0}x datatrove's 72.9 docs/s)",
        texts.len(),
        n / secs,
        mb / secs,
        n / secs / 72.9
    );
    let (secs, words) = best(&|| texts.iter().map(|t| tokenizer.words(t).len()).sum());
    println!(
        "words alone:   {words} words, {secs:.3} s, {:.0} docs/s, {:.1} MB/s",
        n / secs,
        mb / secs
    );
}
