//! JSONL reading: compressions by magic, bad lines, long lines, truncation, ids and sources.

mod common;
use common::*;

use serde_json::json;
use std::path::{Path, PathBuf};
use thresher_core::{Document, RecordProblem};
use thresher_io::{Input, InputFormat, ReadOptions};

fn input(path: &Path) -> Input {
    Input {
        path: path.to_path_buf(),
        format: InputFormat::Jsonl,
        members: Vec::new(),
        remote: None,
    }
}

fn read(path: &Path, opts: &ReadOptions) -> (Vec<Document>, Vec<RecordProblem>) {
    common::read_all(&input(path), opts)
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const SAMPLE: &str = concat!(
    "{\"text\":\"first\",\"id\":\"a\",\"metadata\":{\"url\":\"https://x.example/\",\"lang\":\"en\"}}\n",
    "\n",
    "{\"text\":\"second\"}\r\n",
    "not json at all\n",
    "{\"text\": 5}\n",
    "   \n",
    "{\"text\":\"third\",\"id\":17,\"score\":0.5}"
);

#[test]
fn plain_gzip_and_zstd_read_the_same_whatever_the_name() {
    let d = tempfile::tempdir().unwrap();
    let variants = [
        write(d.path(), "plain.jsonl", SAMPLE.as_bytes()),
        write(d.path(), "gz.jsonl", &gz(SAMPLE.as_bytes())),
        write(d.path(), "zs.jsonl.gz", &zst(SAMPLE.as_bytes())),
        // multi-member gzip: two members concatenated
        {
            let (a, b) = SAMPLE.split_at(SAMPLE.find("not json").unwrap());
            let mut bytes = gz(a.as_bytes());
            bytes.extend(gz(b.as_bytes()));
            write(d.path(), "multi.jsonl.gz", &bytes)
        },
    ];
    for path in &variants {
        let (docs, problems) = read(path, &ReadOptions::default());
        let name = path.display().to_string();
        assert_eq!(docs.len(), 3, "{name}");
        assert_eq!(docs[0].id, "a");
        assert_eq!(docs[0].text, "first");
        assert_eq!(docs[0].url.as_deref(), Some("https://x.example/"));
        assert_eq!(docs[0].metadata.extra["lang"], json!("en"));
        let stem = thresher_io::file_stem(path);
        assert_eq!(
            docs[1].id,
            format!("{stem}/2"),
            "missing id → stem/line index"
        );
        assert_eq!(docs[1].text, "second");
        assert_eq!(docs[2].id, "17");
        assert_eq!(docs[2].metadata.extra["score"], json!(0.5));
        // sources: file, decompressed offset of the line, zero-based line index
        let s0 = docs[0].metadata.source.as_ref().unwrap();
        assert_eq!(
            (s0.file.as_str(), s0.offset, s0.record),
            (name.as_str(), 0, 0)
        );
        let s1 = docs[1].metadata.source.as_ref().unwrap();
        let off1 = SAMPLE.find("{\"text\":\"second\"").unwrap() as u64;
        assert_eq!((s1.offset, s1.record), (off1, 2));
        let s2 = docs[2].metadata.source.as_ref().unwrap();
        assert_eq!(s2.record, 6);
        // problems: line 4 (index 3) invalid JSON, line 5 (index 4) wrong type
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].file, name);
        assert_eq!(problems[0].record, Some(3));
        assert_eq!(problems[0].offset, SAMPLE.find("not json").unwrap() as u64);
        assert!(
            problems[0].message.contains("line 4"),
            "{}",
            problems[0].message
        );
        assert!(problems[0].message.contains("invalid JSON"));
        assert_eq!(problems[1].record, Some(4));
        assert!(
            problems[1].message.contains("`text`"),
            "{}",
            problems[1].message
        );
    }
}

#[test]
fn existing_source_is_kept() {
    let d = tempfile::tempdir().unwrap();
    let line = json!({"text": "t", "id": "i", "metadata": {"source": {"file": "orig.warc.gz", "offset": 99, "record": 4}}});
    let p = write(d.path(), "x.jsonl", format!("{line}\n").as_bytes());
    let (docs, _) = read(&p, &ReadOptions::default());
    let s = docs[0].metadata.source.as_ref().unwrap();
    assert_eq!(
        (s.file.as_str(), s.offset, s.record),
        ("orig.warc.gz", 99, 4)
    );
}

#[test]
fn invalid_utf8_and_non_object_lines_are_problems() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = b"{\"text\":\"ok\"}\n{\"text\":\"bad \xff\xfe\"}\n[1,2]\n\"str\"\n".to_vec();
    bytes.extend_from_slice(b"{\"text\":\"ok2\",\"metadata\":[1]}\n{\"text\":\"last\"}\n");
    let p = write(d.path(), "u.jsonl", &bytes);
    let (docs, problems) = read(&p, &ReadOptions::default());
    let texts: Vec<_> = docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["ok", "last"]);
    let records: Vec<_> = problems.iter().map(|p| p.record).collect();
    assert_eq!(records, [Some(1), Some(2), Some(3), Some(4)]);
    assert!(
        problems[0].message.contains("UTF-8"),
        "{}",
        problems[0].message
    );
}

#[test]
fn long_lines_are_skipped_without_buffering_and_reading_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let long = format!("{{\"text\":\"{}\"}}\n", "x".repeat(300_000));
    let content = format!("{{\"text\":\"a\"}}\n{long}{{\"text\":\"b\"}}\n{long}");
    let p = write(d.path(), "long.jsonl.zst", &zst(content.as_bytes()));
    let opts = ReadOptions {
        max_record_bytes: 1000,
        ..ReadOptions::default()
    };
    let (docs, problems) = read(&p, &opts);
    let texts: Vec<_> = docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["a", "b"]);
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0].record, Some(1));
    assert_eq!(problems[0].offset, 13);
    assert!(
        problems[0].message.contains("longer than"),
        "{}",
        problems[0].message
    );
    assert_eq!(problems[1].record, Some(3));
    // a line exactly at the limit is fine
    let exact = "{\"text\":\"abc\"}";
    let p = write(d.path(), "exact.jsonl", exact.as_bytes());
    let opts = ReadOptions {
        max_record_bytes: exact.len() as u64,
        ..ReadOptions::default()
    };
    let (docs, problems) = read(&p, &opts);
    assert_eq!((docs.len(), problems.len()), (1, 0));
}

fn many_lines(n: usize) -> String {
    (0..n)
        .map(|i| format!("{{\"text\":\"document number {i} with some words\",\"id\":\"d{i}\"}}\n"))
        .collect()
}

#[test]
fn truncated_gzip_keeps_complete_lines_and_reports_once() {
    let d = tempfile::tempdir().unwrap();
    let content = many_lines(2000);
    let full = gz(content.as_bytes());
    let cut = &full[..full.len() / 2];
    let p = write(d.path(), "cut.jsonl.gz", cut);
    let (docs, problems) = read(&p, &ReadOptions::default());
    assert!(docs.len() > 100, "{}", docs.len());
    for (i, doc) in docs.iter().enumerate() {
        assert_eq!(doc.id, format!("d{i}"));
    }
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].record, Some(docs.len() as u64));
    assert!(
        problems[0].message.contains("ends early"),
        "{}",
        problems[0].message
    );
}

#[test]
fn truncated_zstd_keeps_complete_lines_and_reports_once() {
    let d = tempfile::tempdir().unwrap();
    let content = many_lines(5000);
    let full = zst(content.as_bytes());
    let p = write(d.path(), "cut.jsonl.zst", &full[..full.len() * 2 / 3]);
    let (docs, problems) = read(&p, &ReadOptions::default());
    assert!(docs.len() > 100, "{}", docs.len());
    assert!(docs.len() < 5000);
    for (i, doc) in docs.iter().enumerate() {
        assert_eq!(doc.id, format!("d{i}"));
    }
    assert_eq!(problems.len(), 1, "{problems:?}");
}

#[test]
fn garbage_after_gzip_is_one_problem() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = gz(b"{\"text\":\"a\"}\n");
    bytes.extend_from_slice(b"trailing garbage that is not gzip");
    let p = write(d.path(), "trail.jsonl.gz", &bytes);
    let (docs, problems) = read(&p, &ReadOptions::default());
    assert_eq!(docs.len(), 1);
    assert_eq!(problems.len(), 1);
}

#[test]
fn empty_and_bom_files() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "empty.jsonl", b"");
    assert_eq!(read(&p, &ReadOptions::default()).0.len(), 0);
    let p = write(d.path(), "empty.jsonl.gz", &gz(b""));
    let (docs, problems) = read(&p, &ReadOptions::default());
    assert_eq!((docs.len(), problems.len()), (0, 0));
    let p = write(d.path(), "bom.jsonl", b"\xef\xbb\xbf{\"text\":\"x\"}\n");
    let (docs, problems) = read(&p, &ReadOptions::default());
    assert_eq!((docs.len(), problems.len()), (1, 0));
}

#[test]
fn missing_file_is_an_open_error() {
    let d = tempfile::tempdir().unwrap();
    let r = thresher_io::open(
        &input(&d.path().join("nope.jsonl")),
        &ReadOptions::default(),
    );
    assert!(matches!(r, Err(thresher_io::IoError::Io { .. })));
}

#[test]
fn shared_webtext_combined_reads_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/webtext-docs/combined.jsonl.gz");
    if !path.exists() {
        eprintln!("note: {} absent, skipping", path.display());
        return;
    }
    let (docs, problems) = read(&path, &ReadOptions::default());
    assert_eq!(problems.len(), 0, "{:?}", problems.first());
    assert_eq!(docs.len(), 2627);
    let ids: std::collections::HashSet<_> = docs.iter().map(|d| &d.id).collect();
    assert_eq!(ids.len(), docs.len(), "ids are unique");
    // every document either carried a `source` of its own or got one
    assert!(docs
        .iter()
        .all(|d| d.metadata.source.is_some() || d.metadata.extra.contains_key("source")));
}
