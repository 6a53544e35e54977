//! Output shards: formats, atomicity, rejects, and round trips through the readers.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use thresher_core::{Document, RecordProblem, SourceRef};
use thresher_io::{
    discover, write_atomic, InputFormat, IoError, OutputFormat, ReadEvent, ReadOptions, ShardWriter,
};

fn sample_docs(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            let mut d = Document::new(
                format!("doc-{i}"),
                format!(
                    "Text of document {i}.\nÜnïcödé ✓ \"quoted\" \\ {}",
                    "word ".repeat(i % 50)
                ),
            );
            if i % 2 == 0 {
                d.url = Some(format!("https://example.org/{i}"));
            }
            if i % 3 == 0 {
                d.metadata.language = Some("en".into());
                d.metadata.language_score = Some(0.875);
                d.metadata.title = Some(format!("Title {i}"));
                d.metadata.date = Some("2024-01-02".into());
                d.metadata.domain = Some("example.org".into());
                d.metadata.warc_record_id = Some(format!("<urn:uuid:{i}>"));
                d.metadata.content_type = Some("text/html".into());
                d.metadata.charset = Some("utf-8 (header)".into());
                let mut warc = BTreeMap::new();
                warc.insert("WARC-Type".into(), "response".into());
                d.metadata.warc = Some(warc);
            }
            d.metadata.source = Some(SourceRef {
                file: "in/crawl.warc.gz".into(),
                offset: 1000 * i as u64,
                record: i as u64,
            });
            d.metadata.extra.insert("n".into(), json!(i));
            d.metadata.extra.insert(
                "nested".into(),
                json!({"a": [1, 2.5, null, "x"], "b": {"c": true}}),
            );
            d
        })
        .collect()
}

fn read_all(path: &Path) -> (Vec<Document>, Vec<RecordProblem>) {
    let shards = discover(&[path.display().to_string()]).unwrap();
    assert_eq!(shards.len(), 1);
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for ev in thresher_io::open(&shards[0].input, &ReadOptions::default()).unwrap() {
        match ev {
            ReadEvent::Doc(d) => docs.push(*d),
            ReadEvent::Problem(p) => problems.push(p),
            ReadEvent::Skipped(s) => panic!("skip {s}"),
        }
    }
    (docs, problems)
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn every_format_round_trips_through_the_readers() {
    let d = tempfile::tempdir().unwrap();
    let docs = sample_docs(12_000); // more than two Parquet row groups
    for format in OutputFormat::ALL {
        let path = d.path().join(format!("out.{}", format.extension()));
        let mut w = ShardWriter::create(&path, format).unwrap();
        for doc in &docs {
            w.write(doc).unwrap();
        }
        assert!(!path.exists(), "nothing at the final path before finish");
        assert_eq!(w.finish().unwrap(), docs.len() as u64);
        let shards = discover(&[path.display().to_string()]).unwrap();
        let expected = if format == OutputFormat::Parquet {
            InputFormat::Parquet
        } else {
            InputFormat::Jsonl
        };
        assert_eq!(shards[0].input.format, expected);
        let (back, problems) = read_all(&path);
        assert!(problems.is_empty(), "{format}: {problems:?}");
        assert_eq!(back.len(), docs.len(), "{format}");
        for (a, b) in docs.iter().zip(&back) {
            assert_eq!(a, b, "{format}");
        }
    }
    // only the four finished files remain: no temporary files
    assert_eq!(
        dir_entries(d.path()),
        ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst", "out.parquet"]
    );
}

#[test]
fn jsonl_lines_are_datatrove_schema() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("x.jsonl");
    let mut w = ShardWriter::create(&path, OutputFormat::Jsonl).unwrap();
    let mut doc = Document::new("id1", "hello");
    doc.url = Some("https://a.example/".into());
    doc.html = Some(b"<p>never written</p>".to_vec());
    w.write(&doc).unwrap();
    w.write_rejected(&doc, "length_filter", "too_short")
        .unwrap();
    assert_eq!(w.count(), 2);
    w.finish().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        json!({"text": "hello", "id": "id1", "metadata": {"url": "https://a.example/"}})
    );
    assert_eq!(lines[1]["dropped_by"], json!("length_filter"));
    assert_eq!(lines[1]["reason"], json!("too_short"));
    assert_eq!(lines[1]["text"], json!("hello"));
    assert!(!text.contains("never written"));
}

#[test]
fn rejects_round_trip_with_their_reason() {
    let d = tempfile::tempdir().unwrap();
    let docs = sample_docs(20);
    for format in OutputFormat::ALL {
        let path = d.path().join(format!("rej.{}", format.extension()));
        let mut w = ShardWriter::create(&path, format).unwrap();
        for (i, doc) in docs.iter().enumerate() {
            w.write_rejected(doc, "lang", &format!("lang_{i}")).unwrap();
        }
        w.finish().unwrap();
        let (back, problems) = read_all(&path);
        assert!(problems.is_empty());
        assert_eq!(back.len(), docs.len());
        for (i, (a, b)) in docs.iter().zip(&back).enumerate() {
            assert_eq!(b.metadata.extra["dropped_by"], json!("lang"), "{format}");
            assert_eq!(b.metadata.extra["reason"], json!(format!("lang_{i}")));
            let mut b = b.clone();
            b.metadata.extra.remove("dropped_by");
            b.metadata.extra.remove("reason");
            assert_eq!(a, &b, "{format}");
        }
    }
}

#[test]
fn parquet_rejects_shard_schema_and_mixing() {
    let d = tempfile::tempdir().unwrap();
    // accepted-first shard refuses rejects
    let path = d.path().join("ok.parquet");
    let mut w = ShardWriter::create(&path, OutputFormat::Parquet).unwrap();
    w.write(&Document::new("a", "b")).unwrap();
    assert!(w
        .write_rejected(&Document::new("c", "d"), "x", "y")
        .is_err());
    drop(w);
    assert!(dir_entries(d.path()).is_empty(), "failed writer cleaned up");
    // reject-first shard takes plain writes with null reasons
    let path = d.path().join("rej.parquet");
    let mut w = ShardWriter::create(&path, OutputFormat::Parquet).unwrap();
    w.write_rejected(&Document::new("a", "b"), "step", "why")
        .unwrap();
    w.write(&Document::new("c", "d")).unwrap();
    assert_eq!(w.finish().unwrap(), 2);
    let (back, problems) = read_all(&path);
    assert!(problems.is_empty());
    assert_eq!(back[0].metadata.extra["reason"], json!("why"));
    assert_eq!(back[1].metadata.extra["reason"], Value::Null);
}

#[test]
fn empty_shards_are_valid_files() {
    let d = tempfile::tempdir().unwrap();
    for format in OutputFormat::ALL {
        let path = d.path().join(format!("empty.{}", format.extension()));
        let w = ShardWriter::create(&path, format).unwrap();
        assert_eq!(w.finish().unwrap(), 0);
        assert!(path.exists());
        let (docs, problems) = read_all(&path);
        assert_eq!((docs.len(), problems.len()), (0, 0), "{format}");
    }
}

#[test]
fn dropping_an_unfinished_writer_removes_its_temp_file() {
    let d = tempfile::tempdir().unwrap();
    for format in OutputFormat::ALL {
        let path = d.path().join(format!("x.{}", format.extension()));
        let mut w = ShardWriter::create(&path, format).unwrap();
        w.write(&Document::new("a", "b")).unwrap();
        let names = dir_entries(d.path());
        assert_eq!(names.len(), 1);
        assert!(
            names[0].starts_with(&format!(
                ".x.{}.tmp-{}-",
                format.extension(),
                std::process::id()
            )),
            "{names:?}"
        );
        drop(w);
        assert!(dir_entries(d.path()).is_empty(), "{format}");
    }
}

#[test]
fn finish_replaces_an_existing_file_atomically() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("x.jsonl.zst");
    std::fs::write(&path, b"old").unwrap();
    let mut w = ShardWriter::create(&path, OutputFormat::JsonlZst).unwrap();
    w.write(&Document::new("a", "b")).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    w.finish().unwrap();
    let mut s = String::new();
    zstd::stream::read::Decoder::new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    assert_eq!(s, "{\"text\":\"b\",\"id\":\"a\",\"metadata\":{}}\n");
}

#[test]
fn create_in_missing_folder_fails() {
    let d = tempfile::tempdir().unwrap();
    let r = ShardWriter::create(&d.path().join("no/such/x.jsonl"), OutputFormat::Jsonl);
    assert!(matches!(r, Err(IoError::Io { .. })));
}

#[test]
fn write_atomic_writes_and_replaces() {
    let d = tempfile::tempdir().unwrap();
    let p: PathBuf = d.path().join("stats.json");
    write_atomic(&p, b"{\"a\":1}").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"{\"a\":1}");
    write_atomic(&p, b"2").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"2");
    assert_eq!(dir_entries(d.path()), ["stats.json"]);
    assert!(write_atomic(&d.path().join("missing/x"), b"").is_err());
}

#[test]
fn output_format_names() {
    let cases = [
        ("jsonl.zst", OutputFormat::JsonlZst),
        ("zst", OutputFormat::JsonlZst),
        ("jsonl.gz", OutputFormat::JsonlGz),
        ("GZ", OutputFormat::JsonlGz),
        ("jsonl", OutputFormat::Jsonl),
        ("parquet", OutputFormat::Parquet),
        (".parquet", OutputFormat::Parquet),
    ];
    for (s, f) in cases {
        assert_eq!(OutputFormat::from_str(s).unwrap(), f, "{s}");
    }
    assert!(OutputFormat::from_str("csv").is_err());
    assert_eq!(OutputFormat::default(), OutputFormat::JsonlZst);
    for f in OutputFormat::ALL {
        assert_eq!(OutputFormat::from_str(f.extension()).unwrap(), f);
        assert_eq!(f.to_string(), f.extension());
        let p = PathBuf::from(format!("dir/shard-1.{}", f.extension()));
        assert_eq!(OutputFormat::from_path(&p), Some(f));
    }
    assert_eq!(
        OutputFormat::from_path(Path::new("a.JSONL.GZ")),
        Some(OutputFormat::JsonlGz)
    );
    assert_eq!(OutputFormat::from_path(Path::new("a.warc.gz")), None);
    assert_eq!(OutputFormat::from_path(Path::new("a.parquet.gz")), None);
    assert_eq!(OutputFormat::from_path(Path::new(".jsonl")), None);
}

#[test]
fn writers_and_streams_cross_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<ShardWriter>();
    assert_send::<thresher_io::EventStream>();
    assert_send::<IoError>();
}
