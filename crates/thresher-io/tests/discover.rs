//! Input discovery: paths, folders, globs, `@lists`, sniffing, grouping, naming, errors.

mod common;
use common::*;

use std::fs;
use std::path::{Path, PathBuf};
use thresher_io::{discover, InputFormat, IoError, Shard};

fn touch(path: &Path, bytes: &[u8]) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).unwrap();
    }
    fs::write(path, bytes).unwrap();
}

fn names(shards: &[Shard]) -> Vec<&str> {
    shards.iter().map(|s| s.name.as_str()).collect()
}

fn file_names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn single_files_by_name() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("sample-0000.warc.gz");
    let j = d.path().join("Data.JSONL.zst");
    let p = d.path().join("t.parquet");
    touch(&w, b"");
    touch(&j, b"");
    touch(&p, b"");
    let shards = discover(&[spec(&w), spec(&j), spec(&p)]).unwrap();
    assert_eq!(names(&shards), ["sample-0000", "Data", "t"]);
    assert_eq!(shards[0].input.format, InputFormat::Warc);
    assert_eq!(shards[0].input.path, w);
    assert!(shards[0].input.members.is_empty());
    assert_eq!(shards[1].input.format, InputFormat::Jsonl);
    assert_eq!(shards[2].input.format, InputFormat::Parquet);
}

#[test]
fn folder_walk_is_recursive_sorted_and_skips_unknown_and_hidden() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("in");
    touch(&root.join("b.warc"), b"WARC/1.0\r\n");
    touch(&root.join("a.jsonl"), b"{}\n");
    touch(&root.join("sub/c.wet.gz"), b"");
    touch(&root.join("sub/x.warc.wat.gz"), b"");
    touch(&root.join("README.md"), b"# hello");
    touch(&root.join("notes"), b"just words");
    touch(&root.join(".hidden.jsonl"), b"{}\n");
    touch(&root.join(".git/objects.jsonl"), b"{}\n");
    touch(&root.join(".out.jsonl.zst.tmp-1-0"), b"");
    let shards = discover(&[spec(&root)]).unwrap();
    assert_eq!(names(&shards), ["a", "b", "c", "x"]);
    let formats: Vec<_> = shards.iter().map(|s| s.input.format).collect();
    assert_eq!(
        formats,
        [
            InputFormat::Jsonl,
            InputFormat::Warc,
            InputFormat::Warc,
            InputFormat::Warc
        ]
    );
}

#[test]
fn sniffing_when_the_name_says_nothing() {
    let d = tempfile::tempdir().unwrap();
    let cases: &[(&str, Vec<u8>, InputFormat)] = &[
        (
            "example-bad.warc.gz.bad",
            gz(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n"),
            InputFormat::Warc,
        ),
        (
            "old.bin",
            b"filedesc://x.arc 0.0.0.0 2000 text/plain 1\n".to_vec(),
            InputFormat::Warc,
        ),
        ("arc.z", gz(b"filedesc://x.arc"), InputFormat::Warc),
        (
            "docs.data",
            b"\n{\"text\":\"x\"}\n".to_vec(),
            InputFormat::Jsonl,
        ),
        ("docs.gzdata", gz(b"{\"text\":\"x\"}\n"), InputFormat::Jsonl),
        ("table.bin", b"PAR1\x15\x04".to_vec(), InputFormat::Parquet),
        ("page", b"<!doctype html><p>x".to_vec(), InputFormat::Html),
        ("frag", b"<p>x".to_vec(), InputFormat::Html),
    ];
    for (name, bytes, format) in cases {
        let p = d.path().join(name);
        touch(&p, bytes);
        let shards = discover(&[spec(&p)]).unwrap();
        assert_eq!(shards.len(), 1, "{name}");
        assert_eq!(shards[0].input.format, *format, "{name}");
    }
    // zstd-compressed JSONL without a telling name
    let p = d.path().join("zdocs.blob");
    touch(
        &p,
        &zstd::encode_all(&b"{\"text\":\"x\"}\n"[..], 3).unwrap(),
    );
    assert_eq!(
        discover(&[spec(&p)]).unwrap()[0].input.format,
        InputFormat::Jsonl
    );
}

#[test]
fn explicit_unknown_file_is_an_error_naming_it() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("notes.md");
    touch(&p, b"# just markdown");
    match discover(&[spec(&p)]) {
        Err(IoError::Input(msg)) => assert!(msg.contains("notes.md"), "{msg}"),
        other => panic!("expected Input error, got {other:?}"),
    }
    // an empty file says nothing either
    let e = d.path().join("empty");
    touch(&e, b"");
    assert!(matches!(discover(&[spec(&e)]), Err(IoError::Input(_))));
}

#[test]
fn missing_paths_and_empty_globs_are_errors_naming_the_spec() {
    let d = tempfile::tempdir().unwrap();
    let missing = spec(&d.path().join("nope.warc.gz"));
    match discover(std::slice::from_ref(&missing)) {
        Err(IoError::Input(msg)) => assert!(msg.contains(&missing), "{msg}"),
        other => panic!("{other:?}"),
    }
    let pattern = spec(&d.path().join("*.warc.gz"));
    match discover(std::slice::from_ref(&pattern)) {
        Err(IoError::Input(msg)) => assert!(msg.contains(&pattern), "{msg}"),
        other => panic!("{other:?}"),
    }
    // a glob whose matches are all unknown files yields nothing: an error too
    touch(&d.path().join("a.md"), b"# x");
    let pattern = spec(&d.path().join("*.md"));
    assert!(matches!(discover(&[pattern]), Err(IoError::Input(_))));
    // an empty folder
    let empty = d.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert!(matches!(discover(&[spec(&empty)]), Err(IoError::Input(_))));
    // a missing list
    assert!(matches!(
        discover(&[format!("@{}", spec(&d.path().join("list.txt")))]),
        Err(IoError::Input(_))
    ));
}

#[test]
fn globs_are_sorted_and_skip_unknown_matches() {
    let d = tempfile::tempdir().unwrap();
    for n in ["c", "a", "b"] {
        touch(&d.path().join(format!("{n}.warc.gz")), b"");
    }
    touch(&d.path().join("z.md"), b"# x");
    touch(&d.path().join("dir/inner.jsonl"), b"");
    let shards = discover(&[spec(&d.path().join("*"))]).unwrap();
    assert_eq!(names(&shards), ["a", "b", "c", "inner"]);
    let shards = discover(&[spec(&d.path().join("?.warc.gz"))]).unwrap();
    assert_eq!(names(&shards), ["a", "b", "c"]);
    let shards = discover(&[spec(&d.path().join("[ab].warc.gz"))]).unwrap();
    assert_eq!(names(&shards), ["a", "b"]);
}

#[test]
fn at_file_lists_with_comments_blanks_and_globs() {
    let d = tempfile::tempdir().unwrap();
    for n in ["one", "two", "three"] {
        touch(&d.path().join(format!("{n}.jsonl")), b"");
    }
    let list = d.path().join("inputs.lst");
    let text = format!(
        "# inputs\n\n{}\n   \n  {}  \n# {}\n",
        spec(&d.path().join("two.jsonl")),
        spec(&d.path().join("t*.jsonl")),
        spec(&d.path().join("one.jsonl")),
    );
    touch(&list, text.as_bytes());
    let shards = discover(&[format!("@{}", spec(&list))]).unwrap();
    // two first (listed), then the glob's sorted matches minus the duplicate
    assert_eq!(names(&shards), ["two", "three"]);
}

#[test]
fn specs_keep_their_order_and_duplicates_appear_once() {
    let d = tempfile::tempdir().unwrap();
    let b = d.path().join("b.warc");
    let a = d.path().join("a.warc");
    touch(&a, b"");
    touch(&b, b"");
    let via_dotdot = d.path().join("sub/../a.warc");
    fs::create_dir(d.path().join("sub")).unwrap();
    let shards = discover(&[spec(&b), spec(&a), spec(&via_dotdot), spec(d.path())]).unwrap();
    assert_eq!(names(&shards), ["b", "a"]);
}

#[test]
fn html_and_text_are_grouped_per_parent_folder() {
    let d = tempfile::tempdir().unwrap();
    let site = d.path().join("site");
    touch(&site.join("b.html"), b"<p>b");
    touch(&site.join("a.htm"), b"<p>a");
    touch(&site.join("c.html.gz"), &gz(b"<p>c"));
    touch(&site.join("LICENSE.txt"), b"licence");
    touch(&site.join("deep/x.html"), b"<p>x");
    touch(&site.join("deep/y.txt"), b"y");
    touch(&site.join("crawl.warc.gz"), b"");
    let shards = discover(&[spec(&site)]).unwrap();
    let summary: Vec<(String, InputFormat, Vec<String>)> = shards
        .iter()
        .map(|s| (s.name.clone(), s.input.format, file_names(&s.input.members)))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("site".into(), InputFormat::Text, vec!["LICENSE.txt".into()]),
            (
                "site-2".into(),
                InputFormat::Html,
                vec!["a.htm".into(), "b.html".into(), "c.html.gz".into()]
            ),
            ("crawl".into(), InputFormat::Warc, vec![]),
            ("deep".into(), InputFormat::Html, vec!["x.html".into()]),
            ("deep-2".into(), InputFormat::Text, vec!["y.txt".into()]),
        ]
    );
    assert_eq!(shards[1].input.path, site);
    // explicitly named files of one folder, given in separate specs, form one shard with
    // sorted members
    let shards = discover(&[spec(&site.join("b.html")), spec(&site.join("a.htm"))]).unwrap();
    assert_eq!(shards.len(), 1);
    assert_eq!(file_names(&shards[0].input.members), ["a.htm", "b.html"]);
    assert_eq!(shards[0].name, "site");
}

#[test]
fn folder_sniffing_is_strict_about_html() {
    let d = tempfile::tempdir().unwrap();
    touch(
        &d.path().join("sitemap.xml"),
        b"<?xml version=\"1.0\"?><urlset>",
    );
    touch(&d.path().join("page.php"), b"<!DOCTYPE html><html><body>hi");
    touch(&d.path().join("x.jsonl"), b"");
    let shards = discover(&[spec(d.path())]).unwrap();
    let fmts: Vec<_> = shards.iter().map(|s| s.input.format).collect();
    assert_eq!(fmts, [InputFormat::Html, InputFormat::Jsonl]);
    assert_eq!(file_names(&shards[0].input.members), ["page.php"]);
}

#[test]
fn names_are_sanitised_and_collisions_numbered() {
    let d = tempfile::tempdir().unwrap();
    let files = [
        "x/whirlwind.warc.gz",
        "x/whirlwind.warc.wet.gz",
        "x/whirlwind.warc.wat.gz",
        "y/whirlwind.warc.gz",
        "y/Whirlwind-2.warc",
        "y/we ird+name#1.jsonl",
    ];
    for f in files {
        touch(&d.path().join(f), b"");
    }
    let specs: Vec<String> = files.iter().map(|f| spec(&d.path().join(f))).collect();
    let shards = discover(&specs).unwrap();
    assert_eq!(
        names(&shards),
        [
            "whirlwind",
            "whirlwind-2",
            "whirlwind-3",
            "whirlwind-4",
            "Whirlwind-2-2",
            "we_ird_name_1"
        ]
    );
    for s in &shards {
        assert!(s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    }
}

#[test]
fn discovery_is_deterministic() {
    let d = tempfile::tempdir().unwrap();
    for i in (0..30).rev() {
        touch(&d.path().join(format!("s{i:02}.warc.gz")), b"");
    }
    let a = discover(&[spec(d.path())]).unwrap();
    let b = discover(&[spec(d.path())]).unwrap();
    assert_eq!(a, b);
    assert_eq!(a[0].name, "s00");
    assert_eq!(a[29].name, "s29");
}

#[test]
fn real_warc_folder_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/warc-real");
    if !root.exists() {
        eprintln!("note: {} absent, skipping", root.display());
        return;
    }
    let shards = discover(&[spec(&root)]).unwrap();
    let warcs = shards
        .iter()
        .filter(|s| s.input.format == InputFormat::Warc)
        .count();
    assert!(warcs >= 45, "found {warcs} WARC shards");
    assert!(shards
        .iter()
        .any(|s| s.name == "example-bad.warc.gz.bad" && s.input.format == InputFormat::Warc));
    let mut seen = std::collections::HashSet::new();
    for s in &shards {
        assert!(
            seen.insert(s.name.to_ascii_lowercase()),
            "duplicate {}",
            s.name
        );
    }
}
