//! `PiiFormatter` against datatrove 0.10.1's `PIIFormatter` (fixtures made by
//! `tests/fixtures/pii/make_fixture.py`).

use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;
use sha1::{Digest, Sha1};
use thresher_quality::pii::ReplacementTurn;
use thresher_quality::{PiiFormatter, PiiOptions};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pii");
const COMBINED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/webtext-docs/combined.jsonl.gz"
);

fn gz_lines(path: &Path) -> impl Iterator<Item = Value> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
}

fn sha1_hex(text: &str) -> String {
    format!("{:x}", Sha1::digest(text.as_bytes()))
}

#[test]
fn planted_texts_agree_with_datatrove() {
    let default = PiiFormatter::default();
    let opts = PiiFormatter::new(PiiOptions {
        only_remove_public_ips: false,
        email_replacement: vec!["<EMAIL>".into()],
        ip_replacement: vec!["<IP>".into()],
        ..PiiOptions::default()
    });
    let (mut n, mut wrong) = (0, Vec::new());
    for row in gz_lines(&Path::new(FIXTURES).join("planted.jsonl.gz")) {
        let text = row["text"].as_str().unwrap();
        n += 1;
        for (formatter, key) in [(&default, "default"), (&opts, "opts")] {
            let expected = row[key].as_str().unwrap();
            let got = formatter.redact(text);
            if got != expected {
                wrong.push(format!(
                    "{key} {text:?}: datatrove {expected:?}, here {got:?}"
                ));
            }
        }
    }
    assert!(n > 10_000, "{n}");
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(40)].join("\n")
    );
}

#[test]
fn real_documents_agree_with_datatrove() {
    if !Path::new(COMBINED).exists() {
        eprintln!("SKIP: {COMBINED} not found (needs the shared data folder)");
        return;
    }
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(FIXTURES).join("combined.json")).unwrap(),
    )
    .unwrap();
    let changed = oracle["changed"].as_object().unwrap();
    let formatter = PiiFormatter::default();
    // datatrove's pipeline: one replacer over the file, its turn carried from doc to doc
    let mut turn = ReplacementTurn::default();
    let (mut n, mut n_changed, mut wrong) = (0, 0, Vec::new());
    for doc in gz_lines(Path::new(COMBINED)) {
        let id = doc["id"].as_str().unwrap();
        let text = doc["text"].as_str().unwrap();
        let fresh = formatter.redact(text);
        let carried = formatter.redact_with(text, &mut turn);
        n += 1;
        match changed.get(id) {
            Some(expected) => {
                n_changed += 1;
                if sha1_hex(&fresh) != expected["fresh"] || sha1_hex(&carried) != expected["stream"]
                {
                    wrong.push(format!("{id}: changed differently"));
                }
            }
            None if fresh != text || carried != text => {
                wrong.push(format!("{id}: changed here, not by datatrove"))
            }
            None => {}
        }
    }
    assert_eq!(n, oracle["n_docs"].as_u64().unwrap() as usize);
    assert_eq!(n_changed, changed.len());
    assert!(wrong.is_empty(), "{wrong:#?}");
}
