//! HTML and text shards: one document per file.

mod common;
use common::*;

use serde_json::json;
use thresher_core::{Document, RecordProblem};
use thresher_io::{discover, InputFormat, ReadOptions, Shard};

fn read(shard: &Shard, opts: &ReadOptions) -> (Vec<Document>, Vec<RecordProblem>) {
    common::read_all(&shard.input, opts)
}

#[test]
fn html_files_become_documents_with_raw_bytes() {
    let d = tempfile::tempdir().unwrap();
    let site = d.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("b.html"), b"<p>caf\xe9</p>").unwrap();
    std::fs::write(site.join("a.htm"), b"<p>a</p>").unwrap();
    std::fs::write(site.join("c.html.gz"), gz(b"<p>gz</p>")).unwrap();
    std::fs::write(
        site.join("d.html.zst"),
        zstd::encode_all(&b"<p>zst</p>"[..], 3).unwrap(),
    )
    .unwrap();
    let shards = discover(&[spec(&site)]).unwrap();
    assert_eq!(shards.len(), 1);
    assert_eq!(shards[0].input.format, InputFormat::Html);
    let (docs, problems) = read(&shards[0], &ReadOptions::default());
    assert!(problems.is_empty(), "{problems:?}");
    let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(docs[1].html.as_deref(), Some(&b"<p>caf\xe9</p>"[..]));
    assert_eq!(docs[2].html.as_deref(), Some(&b"<p>gz</p>"[..]));
    assert_eq!(docs[3].html.as_deref(), Some(&b"<p>zst</p>"[..]));
    for (i, doc) in docs.iter().enumerate() {
        assert!(doc.text.is_empty());
        let src = doc.metadata.source.as_ref().unwrap();
        assert_eq!(src.file, spec(&shards[0].input.members[i]));
        assert_eq!(src.record, i as u64);
    }
}

#[test]
fn text_files_decode_utf8_and_flag_lossy() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("good.txt"), "héllo wörld").unwrap();
    std::fs::write(d.path().join("bad.txt"), b"caf\xe9 au lait").unwrap();
    let shards = discover(&[spec(d.path())]).unwrap();
    assert_eq!(shards[0].input.format, InputFormat::Text);
    let (docs, problems) = read(&shards[0], &ReadOptions::default());
    assert!(problems.is_empty());
    assert_eq!(docs[0].id, "bad");
    assert_eq!(docs[0].text, "caf\u{fffd} au lait");
    assert_eq!(docs[0].metadata.extra.get("utf8_lossy"), Some(&json!(true)));
    assert_eq!(docs[1].id, "good");
    assert_eq!(docs[1].text, "héllo wörld");
    assert!(docs[1].metadata.extra.get("utf8_lossy").is_none());
    assert!(docs[1].html.is_none());
}

#[test]
fn unreadable_and_oversized_members_are_problems_and_reading_goes_on() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.txt"), "a").unwrap();
    std::fs::write(d.path().join("big.txt"), "x".repeat(5000)).unwrap();
    std::fs::write(d.path().join("c.txt"), "c").unwrap();
    let mut cut = gz(&vec![b'y'; 100_000]);
    cut.truncate(cut.len() / 2);
    std::fs::write(d.path().join("d.txt.gz"), cut).unwrap();
    std::fs::write(d.path().join("e.txt"), "e").unwrap();
    let shards = discover(&[spec(d.path())]).unwrap();
    let mut input = shards[0].input.clone();
    // a member that vanished after discovery
    input.members.insert(1, d.path().join("gone.txt"));
    let shard = Shard {
        name: "x".into(),
        input,
    };
    let opts = ReadOptions {
        max_record_bytes: 1000,
        ..ReadOptions::default()
    };
    let (docs, problems) = read(&shard, &opts);
    let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "c", "e"]);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].file.ends_with("gone.txt"));
    assert_eq!(problems[0].record, Some(1));
    assert!(problems[1].file.ends_with("big.txt"));
    assert!(
        problems[1].message.contains("limit"),
        "{}",
        problems[1].message
    );
    assert!(problems[2].file.ends_with("d.txt.gz"));
}
