//! Unicode-hygiene throughput, single thread, on a JSONL(.gz) of `{"text": ...}` documents.
//!
//! ```sh
//! cargo run --release -p thresher-text --example hygiene_speed -- \
//!     ../shared/data/webtext-docs/combined.jsonl.gz [passes]
//! ```
//!
//! Times `UnicodeHygiene::process` on copies of the documents (reading, JSON parsing and the
//! copies are done before the clock starts), best of `passes` (default 5), and prints docs/s,
//! MB/s, how many documents were changed or annotated, and the change counts per kind. The
//! same is printed for the default options and for clean-up only (no mixed-script detection).

use std::io::{BufRead, BufReader};
use std::time::Instant;
use thresher_core::{Document, Step};
use thresher_text::hygiene::{HygieneOptions, UnicodeHygiene};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: hygiene_speed FILE.jsonl[.gz] [passes]");
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
    let docs: Vec<Document> = reader
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .filter_map(|v| Document::from_json(v).ok())
        .collect();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    println!(
        "{} documents, {:.1} MB of text",
        docs.len(),
        bytes as f64 / 1e6
    );
    let variants = [
        ("default options", HygieneOptions::default()),
        (
            "clean-up only (mixed_script = false)",
            HygieneOptions {
                mixed_script: false,
                ..HygieneOptions::default()
            },
        ),
    ];
    for (label, options) in variants {
        let step = UnicodeHygiene::new(options);
        let mut best = f64::INFINITY;
        let mut out = Vec::new();
        for _ in 0..passes {
            let mut batch = docs.clone();
            let t = Instant::now();
            for d in &mut batch {
                step.process(d);
            }
            best = best.min(t.elapsed().as_secs_f64());
            out = batch;
        }
        let changed = out
            .iter()
            .zip(&docs)
            .filter(|(a, b)| a.text != b.text)
            .count();
        let annotated = out
            .iter()
            .filter(|d| d.metadata.extra.contains_key("mixed_script"))
            .count();
        let mut totals = std::collections::BTreeMap::<String, u64>::new();
        for d in &out {
            if let Some(serde_json::Value::Object(m)) = d.metadata.extra.get("hygiene") {
                for (k, v) in m {
                    *totals.entry(k.clone()).or_default() += v.as_u64().unwrap_or(0);
                }
            }
        }
        println!(
            "{label}: {:.0} docs/s, {:.0} MB/s (best of {passes}, one thread); \
             text changed in {changed} docs, mixed_script in {annotated} docs; counts {totals:?}",
            docs.len() as f64 / best,
            bytes as f64 / 1e6 / best,
        );
    }
}
