//! Helpers shared by the integration tests: locating `/work/shared`-style data and reading
//! gzip files.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

/// The shared data folder (`<repo>/../shared`), or `None` (with a note) when it is absent so
/// that tests depending on it are skipped rather than failed.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("data").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found; skipping test that needs shared data",
            dir.display()
        );
        None
    }
}

/// Reads a gzip-compressed file.
pub fn read_gz(path: &Path) -> Vec<u8> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(f)
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out
}

/// One page of the trafilatura evaluation set.
pub struct EvalPage {
    /// The `file` entry of `evaldata.json` (the scorer's id).
    pub file: String,
    /// The page URL (the key of the entry).
    pub url: String,
    /// Snippets that must appear in the extraction.
    pub with: Vec<String>,
    /// Path of the gzipped HTML.
    pub path: PathBuf,
}

/// The pages of `trafilatura-eval`, in `evaldata.json` order.
pub fn trafilatura_eval_pages(shared: &Path) -> Vec<EvalPage> {
    let dir = shared.join("data/extraction-dev/trafilatura-eval");
    let text = std::fs::read_to_string(dir.join("evaldata.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut pages = Vec::new();
    for (url, entry) in v.as_object().unwrap() {
        let file = entry["file"].as_str().unwrap().to_string();
        let gz = format!("{file}.gz");
        let path = if dir.join("cache").join(&gz).exists() {
            dir.join("cache").join(&gz)
        } else {
            dir.join("eval").join(&gz)
        };
        let with = entry["with"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        pages.push(EvalPage {
            file,
            url: url.clone(),
            with,
            path,
        });
    }
    pages
}

/// Whitespace-normalised text, as trafilatura's evaluation compares it.
pub fn ws_norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
