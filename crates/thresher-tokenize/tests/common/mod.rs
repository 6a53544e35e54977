//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha1::{Digest, Sha1};

/// The separator the fixtures join words with before hashing.
pub const SEP: &str = "\u{1f}";

/// Words per block in `block_sha1`.
pub const BLOCK: usize = 256;

/// Hex SHA-1 of the words joined with U+001F, as scripts/tokenize_fixtures.py computes it.
pub fn words_sha1<S: AsRef<str>>(words: &[S]) -> String {
    let mut h = Sha1::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            h.update(SEP.as_bytes());
        }
        h.update(w.as_ref().as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `shared/` beside the repository (`../../../shared` from the crate).
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Reads a JSONL file, gzipped when the name ends in `.gz`.
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    BufReader::new(reader)
        .lines()
        .map(|l| l.expect("readable line"))
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(&l).expect("valid JSON line"))
        .collect()
}

pub fn str_field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}
