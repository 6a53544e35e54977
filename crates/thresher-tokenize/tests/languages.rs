//! Non-English tokenizers against datatrove (`split_into_words(text, CODE)`) on the lingua
//! test sentences in `shared/data/langid/`, recorded per language in
//! `tests/fixtures/langs.words.jsonl` (scripts/tokenize_fixtures.py langs). The exact
//! (spaCy rule-based) tokenizers must agree on every sentence; the ICU approximations are
//! only reported. `THRESHER_LANGS_FIXTURE` points the test at another fixture file (the
//! agreement figures in the crate's report come from one with 1,000 sentences per language).

mod common;

use std::io::{BufRead, BufReader};

use common::*;
use thresher_tokenize::Tokenizer;

#[test]
fn languages_match_datatrove_on_lingua_sentences() {
    let dir = shared("data/langid/lingua-testdata/sentences");
    if !dir.exists() {
        println!("SKIP: {} is absent", dir.display());
        return;
    }
    let fixture_path = std::env::var_os("THRESHER_LANGS_FIXTURE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| fixture("langs.words.jsonl"));
    let mut failures = Vec::new();
    let (mut exact_total, mut exact_equal) = (0usize, 0usize);
    for row in read_jsonl(&fixture_path) {
        let lang = str_field(&row, "lang");
        let counts = row["n_words"].as_array().cloned().unwrap_or_default();
        let hashes = row["words_sha1"].as_array().cloned().unwrap_or_default();
        let file =
            std::fs::File::open(dir.join(format!("{lang}.txt.gz"))).expect("lingua sentences");
        let lines: Vec<String> = BufReader::new(flate2::read::MultiGzDecoder::new(file))
            .lines()
            .take(hashes.len())
            .map(|l| l.expect("readable line"))
            .collect();
        let tok = Tokenizer::for_language(lang)
            .expect("datatrove has a tokenizer for every lingua language");
        let (mut compared, mut equal) = (0usize, 0usize);
        for (i, line) in lines.iter().enumerate() {
            let Some(want) = hashes[i].as_str() else {
                continue;
            };
            compared += 1;
            let words = tok.words_cow(line);
            let same =
                counts[i].as_u64() == Some(words.len() as u64) && words_sha1(&words)[..16] == *want;
            if same {
                equal += 1;
            } else if tok.is_exact() {
                failures.push(format!("{lang} sentence {i}: {line:?} -> {words:?}"));
            }
        }
        if tok.is_exact() {
            exact_total += compared;
            exact_equal += equal;
        }
        let pct = if compared == 0 {
            f64::NAN
        } else {
            100.0 * equal as f64 / compared as f64
        };
        println!(
            "{lang:>3} ({} {:>3}): {equal:>5}/{compared:<5} equal ({pct:.1}%)",
            if tok.is_exact() { "spaCy" } else { "ICU  " },
            tok.language()
        );
    }
    println!("exact tokenizers: {exact_equal}/{exact_total} sentences equal");
    assert!(
        failures.is_empty(),
        "{} sentences differ; first: {}",
        failures.len(),
        failures[0]
    );
}
