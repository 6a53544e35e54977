//! Parquet reading: pyarrow-written fixtures (every common codec, nested and typed columns),
//! custom column names, open errors and corrupt row groups.

mod common;

use serde_json::json;
use std::path::{Path, PathBuf};
use thresher_core::{Document, RecordProblem};
use thresher_io::{Input, InputFormat, IoError, ReadEvent, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn input(path: &Path) -> Input {
    Input {
        path: path.to_path_buf(),
        format: InputFormat::Parquet,
        members: Vec::new(),
        remote: None,
    }
}

fn read(path: &Path, opts: &ReadOptions) -> (Vec<Document>, Vec<RecordProblem>) {
    common::read_all(&input(path), opts)
}

#[test]
fn pyarrow_files_with_every_codec() {
    for codec in ["snappy", "zstd", "gzip", "none", "lz4"] {
        let path = fixture(&format!("pyarrow-{codec}.parquet"));
        let (docs, problems) = read(&path, &ReadOptions::default());
        assert!(problems.is_empty(), "{codec}: {problems:?}");
        assert_eq!(docs.len(), 4, "{codec}");
        let d0 = &docs[0];
        assert_eq!(d0.text, "first document");
        assert_eq!(d0.id, "a");
        assert_eq!(d0.url.as_deref(), Some("https://a.example/"));
        // the `metadata` JSON string column is merged into metadata (typed fields typed)
        assert_eq!(d0.metadata.language.as_deref(), Some("en"));
        assert_eq!(d0.metadata.extra["dump"], json!("CC-MAIN-2024-10"));
        // every other column lands in metadata under its name
        let e = &d0.metadata.extra;
        assert_eq!(e["token_count"], json!(2));
        assert_eq!(e["score"], json!(0.5));
        assert_eq!(e["flag"], json!(true));
        assert_eq!(e["tags"], json!(["x", "y"]));
        assert_eq!(e["meta"], json!({"k": 1, "s": "v"}));
        assert_eq!(e["day"], json!("2024-01-02"));
        assert_eq!(e["ts"], json!("2023-11-14T22:13:20.123Z"));
        assert_eq!(e["blob"], json!("/wA="), "non-UTF-8 binary is base64");
        assert_eq!(e["small"], json!(1));
        let src = d0.metadata.source.as_ref().unwrap();
        assert_eq!(src.file, path.display().to_string());
        assert_eq!(src.record, 0);

        // null text → empty, null id → stem/row
        let d1 = &docs[1];
        assert_eq!(d1.text, "");
        assert_eq!(d1.id, format!("pyarrow-{codec}/1"));
        assert_eq!(d1.url, None);
        assert_eq!(d1.metadata.extra["tags"], json!([]));

        // a `metadata` string that is not a JSON object is kept as it is
        let d2 = &docs[2];
        assert_eq!(d2.text, "third ü✓");
        assert_eq!(d2.metadata.extra["metadata"], json!("not json"));
        assert_eq!(d2.metadata.extra["meta"], json!({"k": 3, "s": null}));

        // rows of the second row group (row_group_size=3) keep counting
        let d3 = &docs[3];
        assert_eq!(d3.metadata.source.as_ref().unwrap().record, 3);
        assert_eq!(d3.metadata.language.as_deref(), Some("de"));
        assert_eq!(d3.metadata.extra["blob"], json!(""));
        assert_eq!(d3.metadata.extra["score"], json!(-3.0));
    }
}

#[test]
fn custom_text_column_integer_ids_and_struct_metadata() {
    let opts = ReadOptions {
        parquet_text_column: "content".into(),
        ..ReadOptions::default()
    };
    let (docs, problems) = read(&fixture("struct-metadata.parquet"), &opts);
    assert!(problems.is_empty());
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].text, "alpha");
    assert_eq!(docs[0].id, "10");
    assert_eq!(docs[0].metadata.language.as_deref(), Some("fr"));
    assert!((docs[0].metadata.language_score.unwrap() - 0.9).abs() < 1e-6);
    assert_eq!(docs[1].id, "11");
    // choosing the id column by name
    let opts = ReadOptions {
        parquet_text_column: "content".into(),
        parquet_id_column: "nope".into(),
        ..ReadOptions::default()
    };
    let (docs, _) = read(&fixture("struct-metadata.parquet"), &opts);
    assert_eq!(docs[0].id, "struct-metadata/0");
    assert_eq!(docs[0].metadata.extra["id"], json!(10));
}

#[test]
fn open_errors() {
    let d = tempfile::tempdir().unwrap();
    // no such text column
    match thresher_io::open(
        &input(&fixture("struct-metadata.parquet")),
        &ReadOptions::default(),
    ) {
        Err(IoError::Format { message, .. }) => {
            assert!(message.contains("`text`"), "{message}");
            assert!(message.contains("content"), "{message}");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("opened without a text column"),
    }
    // the text column is not a string
    let opts = ReadOptions {
        parquet_text_column: "token_count".into(),
        ..ReadOptions::default()
    };
    assert!(matches!(
        thresher_io::open(&input(&fixture("pyarrow-zstd.parquet")), &opts),
        Err(IoError::Format { .. })
    ));
    // not Parquet at all
    let p = d.path().join("x.parquet");
    std::fs::write(&p, b"PAR1 this is not really parquet PAR1").unwrap();
    assert!(matches!(
        thresher_io::open(&input(&p), &ReadOptions::default()),
        Err(IoError::Format { .. })
    ));
    std::fs::write(&p, b"").unwrap();
    assert!(thresher_io::open(&input(&p), &ReadOptions::default()).is_err());
    assert!(matches!(
        thresher_io::open(
            &input(&d.path().join("missing.parquet")),
            &ReadOptions::default()
        ),
        Err(IoError::Io { .. })
    ));
}

/// Flips bytes inside the data pages of a valid file, keeping the footer intact: every
/// outcome must be documents or problems, never a panic or an endless stream.
#[test]
fn corrupt_pages_give_problems_not_panics() {
    let d = tempfile::tempdir().unwrap();
    let original = std::fs::read(fixture("pyarrow-snappy.parquet")).unwrap();
    let footer_len = u32::from_le_bytes(
        original[original.len() - 8..original.len() - 4]
            .try_into()
            .unwrap(),
    ) as usize;
    let data_end = original.len() - 8 - footer_len;
    let mut total_problems = 0;
    for step in 0..200usize {
        let mut bytes = original.clone();
        let pos = 4 + (step * 7919) % (data_end - 4);
        bytes[pos] ^= 0x5a ^ (step as u8);
        if step % 3 == 0 && pos + 1 < data_end {
            bytes[pos + 1] = 0xff;
        }
        let p = d.path().join(format!("c{step}.parquet"));
        std::fs::write(&p, &bytes).unwrap();
        if let Ok(events) = thresher_io::open(&input(&p), &ReadOptions::default()) {
            let mut n = 0;
            for ev in events {
                n += 1;
                assert!(n < 100, "runaway stream for corruption at {pos}");
                if let ReadEvent::Problem(pr) = ev {
                    assert_eq!(pr.file, p.display().to_string());
                    assert!(pr.message.starts_with("row group"), "{}", pr.message);
                    total_problems += 1;
                }
            }
        }
    }
    assert!(total_problems > 0);
}

/// Flips bytes in the footer (the file's metadata): opening may fail, reading must end.
#[test]
fn corrupt_footers_are_open_errors_or_problems() {
    let d = tempfile::tempdir().unwrap();
    let original = std::fs::read(fixture("pyarrow-zstd.parquet")).unwrap();
    let footer_len = u32::from_le_bytes(
        original[original.len() - 8..original.len() - 4]
            .try_into()
            .unwrap(),
    ) as usize;
    let footer_start = original.len() - 8 - footer_len;
    let mut opened = 0;
    for step in 0..300usize {
        let mut bytes = original.clone();
        let pos = footer_start + (step * 7919) % footer_len;
        bytes[pos] = bytes[pos].wrapping_add(1 + (step % 250) as u8);
        let p = d.path().join(format!("f{step}.parquet"));
        std::fs::write(&p, &bytes).unwrap();
        let opts = ReadOptions {
            parquet_text_column: "text".into(),
            ..ReadOptions::default()
        };
        if let Ok(events) = thresher_io::open(&input(&p), &opts) {
            opened += 1;
            assert!(events.take(1000).count() < 1000, "runaway stream at {pos}");
        }
    }
    assert!(opened > 0);
}

#[test]
fn reads_files_written_by_the_shard_writer_with_custom_names() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("x.parquet");
    let mut w =
        thresher_io::ShardWriter::create(&path, thresher_io::OutputFormat::Parquet).unwrap();
    let mut doc = Document::new("", "no id");
    doc.metadata
        .extra
        .insert("k".into(), json!([1, {"a": null}]));
    w.write(&doc).unwrap();
    w.finish().unwrap();
    let (docs, problems) = read(&path, &ReadOptions::default());
    assert!(problems.is_empty());
    // an empty id written as "" is read back as missing
    assert_eq!(docs[0].id, "x/0");
    assert_eq!(docs[0].metadata.extra["k"], json!([1, {"a": null}]));
}

/// Inputs found by the `parquet_reader` fuzz target that make the `parquet` crate panic while
/// decoding (a dictionary-encoded page without a dictionary; a bit-packed run longer than its
/// data). The reader must catch that and report the row group, then go on.
#[test]
fn fuzz_regressions_decoder_panics_become_problems() {
    for name in [
        "fuzz-dict-page-missing.parquet",
        "fuzz-bit-util-assert.parquet",
    ] {
        let path = fixture(name);
        let events = thresher_io::open(&input(&path), &ReadOptions::default()).unwrap();
        let problems: Vec<RecordProblem> = events
            .take(20_000)
            .filter_map(|e| match e {
                ReadEvent::Problem(p) => Some(p),
                _ => None,
            })
            .collect();
        assert!(
            problems.iter().any(|p| p.message.contains("panicked")),
            "{name}: {problems:?}"
        );
        for p in &problems {
            assert_eq!(p.file, path.display().to_string());
            assert!(p.record.is_some());
        }
    }
}
