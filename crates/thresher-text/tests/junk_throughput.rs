//! Throughput of the provenance, junk_lines and title steps on one core, on the 2,627 real
//! extracted texts of `shared/data/webtext-docs/combined.jsonl.gz` (text only: these documents
//! have no HTML). Prints documents per second; asserts nothing about time. Representative
//! numbers need an optimised build:
//! `cargo test --release -p thresher-text --test junk_throughput -- --nocapture`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Instant;
use thresher_core::{Document, Step};
use thresher_text::{JunkLines, Provenance, TitleFromText};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/webtext-docs/combined.jsonl.gz"
);

fn docs() -> Vec<Document> {
    assert!(
        Path::new(CORPUS).exists(),
        "shared test data missing: {CORPUS} (these tests need ../shared/data next to the repository)"
    );
    let f = std::fs::File::open(CORPUS).unwrap();
    BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .map(|l| Document::from_json(serde_json::from_str(&l.unwrap()).unwrap()).unwrap())
        .collect()
}

#[test]
fn steps_per_core_throughput() {
    let docs = docs();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let steps: Vec<Box<dyn Step>> = vec![
        Box::new(Provenance::default()),
        Box::new(JunkLines::default()),
        Box::new(TitleFromText::default()),
    ];
    let rounds = if cfg!(debug_assertions) { 1 } else { 5 };
    println!(
        "{} documents, {:.1} MB of text, {rounds} round(s){}",
        docs.len(),
        bytes as f64 / 1e6,
        if cfg!(debug_assertions) {
            " (debug build: numbers are pessimistic)"
        } else {
            ""
        }
    );
    for step in &steps {
        // Warm-up (lazy regex compilation), then timed rounds on fresh copies.
        let mut warm = docs[0].clone();
        step.process(&mut warm);
        let mut copies: Vec<Vec<Document>> = (0..rounds).map(|_| docs.clone()).collect();
        let t = Instant::now();
        for copy in &mut copies {
            for d in copy.iter_mut() {
                step.process(d);
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let n = (docs.len() * rounds) as f64;
        println!(
            "  {:>12}: {:>9.0} docs/s per core ({:.1} MB/s, {:.1} µs/doc)",
            step.name(),
            n / secs,
            (bytes * rounds) as f64 / 1e6 / secs,
            secs * 1e6 / n
        );
    }
    // The whole chain, as the pipeline runs it.
    let mut copy = docs.clone();
    let t = Instant::now();
    for d in &mut copy {
        for s in &steps {
            s.process(d);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  {:>12}: {:>9.0} docs/s per core",
        "all three",
        docs.len() as f64 / secs
    );
    let changed = copy.iter().zip(&docs).filter(|(a, b)| a != b).count();
    println!("  documents changed by the chain: {changed}");
}
