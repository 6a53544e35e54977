//! Helpers shared by the thresher-io integration tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use thresher_core::{Document, RecordProblem};
use thresher_io::{Input, ReadEvent, ReadOptions};

/// Reads every event of `input`; a skipped record fails the test (these readers never skip).
pub fn read_all(input: &Input, opts: &ReadOptions) -> (Vec<Document>, Vec<RecordProblem>) {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for ev in thresher_io::open(input, opts).unwrap() {
        match ev {
            ReadEvent::Doc(d) => docs.push(*d),
            ReadEvent::Problem(p) => problems.push(p),
            ReadEvent::Skipped(s) => panic!("unexpected skip {s}"),
        }
    }
    (docs, problems)
}

/// Gzips `bytes` as one member.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A path as an input spec string.
pub fn spec(p: &Path) -> String {
    p.display().to_string()
}
