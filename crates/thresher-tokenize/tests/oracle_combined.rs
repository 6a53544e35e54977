//! English words equal datatrove's (`split_into_words`, spaCy 3.8 `blank("en")`) on every
//! document of the shared webtext corpus. The expected words are in
//! `tests/fixtures/combined.words.jsonl` as hashes (scripts/tokenize_fixtures.py).

mod common;

use std::collections::HashMap;

use common::*;
use thresher_tokenize::Tokenizer;

#[test]
fn english_words_match_datatrove_on_webtext_corpus() {
    let corpus = shared("data/webtext-docs/combined.jsonl.gz");
    if !corpus.exists() {
        println!("SKIP: {} is absent", corpus.display());
        return;
    }
    let expected: HashMap<String, serde_json::Value> = read_jsonl(&fixture("combined.words.jsonl"))
        .into_iter()
        .map(|v| (str_field(&v, "id").to_string(), v))
        .collect();
    let docs = read_jsonl(&corpus);
    assert_eq!(
        docs.len(),
        expected.len(),
        "corpus and fixture disagree on the number of documents"
    );

    let en = Tokenizer::english();
    let mut failures = Vec::new();
    for doc in &docs {
        let id = str_field(doc, "id");
        let want = &expected[id];
        let words = en.words_cow(str_field(doc, "text"));
        if words_sha1(&words) == str_field(want, "words_sha1") {
            continue;
        }
        // Find the first block of 256 words that differs.
        let blocks = want["block_sha1"].as_array().cloned().unwrap_or_default();
        let first_bad = (0..)
            .find(|&b| {
                let ours = words
                    .get(b * BLOCK..((b + 1) * BLOCK).min(words.len()))
                    .unwrap_or(&[]);
                let theirs = blocks.get(b).and_then(|v| v.as_str());
                theirs != Some(&words_sha1(ours)[..8]) || ours.is_empty()
            })
            .unwrap_or(0);
        let start = first_bad * BLOCK;
        let shown: Vec<&str> = words
            .iter()
            .skip(start)
            .take(BLOCK)
            .map(|w| w.as_ref())
            .collect();
        failures.push(format!(
            "doc {id}: {} words, datatrove has {}; first difference within words {start}..{} (ours: {shown:?})",
            words.len(),
            want["n_words"],
            start + BLOCK
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} documents differ; first: {}",
        failures.len(),
        docs.len(),
        failures[0]
    );
    println!("{} documents: all equal to datatrove", docs.len());
}
