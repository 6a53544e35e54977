//! `c4_badwords` against datatrove 0.10.1's own decisions (fixtures made by the oracle, see
//! `tests/fixtures/badwords/make_fixture.py`).

use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;
use thresher_quality::{C4BadWords, C4BadWordsOptions, TextFilter};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/badwords");
const COMBINED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/webtext-docs/combined.jsonl.gz"
);

/// As the oracle builds it: `C4BadWordsFilter(fail_on_missing_language=False, seed=0)`.
fn oracle_filter() -> C4BadWords {
    C4BadWords::new(C4BadWordsOptions {
        fail_on_missing_language: false,
        seed: Some(0),
        ..C4BadWordsOptions::default()
    })
}

fn gz_lines(path: &Path) -> impl Iterator<Item = Value> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
}

#[test]
fn multilingual_and_planted_agree_with_datatrove() {
    let filter = oracle_filter();
    let (mut n, mut wrong) = (0, Vec::new());
    for row in gz_lines(&Path::new(FIXTURES).join("multilingual.jsonl.gz")) {
        let text = row["text"].as_str().unwrap();
        let language = row["language"].as_str();
        let expected = row["keep"].as_bool().unwrap();
        let check = filter.check(text, language);
        n += 1;
        if check.keep != expected {
            wrong.push(format!("{language:?} keep={expected}: {text:?}"));
        } else if !check.keep {
            assert_eq!(
                check.reason.as_deref(),
                Some("document_removed_with_badwords")
            );
        }
    }
    assert!(n > 40_000, "{n} rows");
    assert!(
        wrong.is_empty(),
        "{} of {n} differ from datatrove:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(30)].join("\n")
    );
}

#[test]
fn real_documents_agree_with_datatrove() {
    if !Path::new(COMBINED).exists() {
        eprintln!("SKIP: {COMBINED} not found (needs the shared data folder)");
        return;
    }
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(FIXTURES).join("combined_oracle.json")).unwrap(),
    )
    .unwrap();
    let dropped: std::collections::HashSet<&str> = oracle["dropped_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let filter = oracle_filter();
    let (mut n, mut wrong) = (0, Vec::new());
    for doc in gz_lines(Path::new(COMBINED)) {
        let id = doc["id"].as_str().unwrap();
        let check = filter.check(
            doc["text"].as_str().unwrap(),
            doc["metadata"]["language"].as_str(),
        );
        n += 1;
        if check.keep == dropped.contains(id) {
            wrong.push(id.to_string());
        }
    }
    assert_eq!(n, oracle["n_docs"].as_u64().unwrap() as usize);
    assert!(wrong.is_empty(), "differ from datatrove: {wrong:?}");
}

/// Compares every document of `BADWORDS_IN` (JSONL: id, text, metadata.language) with the
/// oracle's output `BADWORDS_ORACLE` (`datatrove_oracle.py IN --filters c4_badwords -o OUT`):
/// `BADWORDS_IN=… BADWORDS_ORACLE=… cargo test -p thresher-quality --test badwords -- --ignored`
#[test]
#[ignore = "needs BADWORDS_IN and BADWORDS_ORACLE"]
fn compare_with_oracle_output() {
    let (Ok(input), Ok(oracle)) = (
        std::env::var("BADWORDS_IN"),
        std::env::var("BADWORDS_ORACLE"),
    ) else {
        eprintln!("SKIP: set BADWORDS_IN and BADWORDS_ORACLE");
        return;
    };
    let read = |p: &str| -> Vec<Value> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (docs, decisions) = (read(&input), read(&oracle));
    assert_eq!(docs.len(), decisions.len());
    let filter = oracle_filter();
    let mut wrong = 0;
    for (doc, decision) in docs.iter().zip(&decisions) {
        let expected = decision["filters"]["c4_badwords"]["keep"].as_bool();
        let check = filter.check(
            doc["text"].as_str().unwrap(),
            doc["metadata"]["language"].as_str(),
        );
        if Some(check.keep) != expected {
            wrong += 1;
            eprintln!("differs: {} {:?}", doc["id"], doc["text"]);
        }
    }
    eprintln!("{} of {} documents agree", docs.len() - wrong, docs.len());
    assert_eq!(wrong, 0);
}
