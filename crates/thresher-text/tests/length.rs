//! The default length filter on real extracted web text.

mod common;

use thresher_text::{LengthFilter, LengthOptions};

#[test]
fn defaults_keep_every_benchmark_page_and_drop_only_fragments() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("skipped: no shared data folder");
        return;
    };
    let data = common::read_text(&shared.join("data/webtext-docs/combined.jsonl.gz"));
    let f = LengthFilter::new(LengthOptions::default());
    let mut dropped = Vec::new();
    let mut total = 0;
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSONL");
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let text = v["text"].as_str().unwrap_or_default();
        total += 1;
        if let Some(reason) = f.check(text) {
            dropped.push((id, reason, text.chars().take(60).collect::<String>()));
        }
    }
    assert_eq!(total, 2627);
    // The extraction benchmarks' pages (AEB, trafilatura-eval) are all real articles, some
    // short or in Chinese/Japanese: none may be dropped.
    let bench: Vec<_> = dropped
        .iter()
        .filter(|(id, _, _)| id.starts_with("warc-"))
        .collect();
    assert!(bench.is_empty(), "benchmark pages dropped: {bench:?}");
    // What is dropped is a handful of fragments.
    assert!(
        dropped.len() <= 20,
        "{} dropped: {dropped:?}",
        dropped.len()
    );
    eprintln!("dropped {} of {total}: {dropped:#?}", dropped.len());
}
