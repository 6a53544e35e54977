//! End-to-end tests of `thresher run` on the bundled sample and on small inputs built here.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn default_run_on_bundled_sample_writes_shards_rejects_and_stats() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_ok(thresher().args(["run", "--output"]).arg(&out));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("extract"), "summary table: {stdout}");
    let st = stats(&out);
    let read = st["docs_read"].as_u64().unwrap();
    let written = st["docs_written"].as_u64().unwrap();
    let rejected = st["docs_rejected"].as_u64().unwrap();
    assert!(read > 100, "bundled sample has >100 pages, read {read}");
    assert_eq!(
        read,
        written + rejected,
        "every document is written or rejected"
    );
    assert!(written > 30, "{st}");
    let docs: Vec<serde_json::Value> = all_output_docs(&out);
    assert_eq!(docs.len() as u64, written);
    for d in &docs {
        assert!(!d["text"].as_str().unwrap().is_empty());
        assert!(d["id"].as_str().is_some());
        let m = &d["metadata"];
        assert!(m["language"].is_string(), "language-tagged: {m}");
        assert!(m["url"].is_string());
        assert!(m["warc"]["WARC-Record-ID"].is_string());
    }
    // no two kept documents have the same text (exact dedup ran)
    let texts: BTreeSet<&str> = docs.iter().map(|d| d["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), docs.len());
    let rejects = rejects_docs(&out);
    assert_eq!(rejects.len() as u64, rejected);
    for r in &rejects {
        assert!(
            r["dropped_by"].is_string() && r["reason"].is_string(),
            "{r}"
        );
    }
    // a second run finds everything done and changes nothing
    let before = output_docs(&out);
    run_ok(thresher().args(["run", "--quiet", "--output"]).arg(&out));
    assert_eq!(before, output_docs(&out));
    assert_eq!(stats(&out)["shards_resumed"], st["shards_this_rank"]);
}

fn write_gz(path: &Path, data: &[u8]) {
    use std::io::Write;
    let f = std::fs::File::create(path).unwrap();
    let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap();
}

fn warc_response(uri: &str, html: &str) -> Vec<u8> {
    let http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
        html.len()
    );
    let mut rec = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        uuid_like(uri),
        http.len()
    )
    .into_bytes();
    rec.extend_from_slice(http.as_bytes());
    rec.extend_from_slice(b"\r\n\r\n");
    rec
}

fn uuid_like(s: &str) -> String {
    let h = s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    });
    format!("{h:016x}-0000-0000-0000-000000000000")
}

fn article(n: usize) -> String {
    let para = (0..6)
        .map(|i| format!("<p>Paragraph {i} of story {n}: the river rose slowly through the valley while the town council met again to discuss the bridge, the budget and the long winter ahead of everyone living there.</p>"))
        .collect::<String>();
    format!("<html><head><title>Story {n}</title></head><body><nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>{para}</article><footer>Copyright</footer></body></html>")
}

#[test]
fn bad_records_are_reported_and_good_ones_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // One file: good record, a record with a broken Content-Length, good record.
    let mut data = warc_response("http://a.example/1", &article(1));
    data.extend_from_slice(
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: banana\r\n\r\nxx\r\n\r\n",
    );
    data.extend_from_slice(&warc_response("http://a.example/2", &article(2)));
    std::fs::write(input.join("mixed.warc"), &data).unwrap();
    // A gzip file cut in the middle of its second member.
    let mut gz = Vec::new();
    for i in 3..6 {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(
            &mut e,
            &warc_response(&format!("http://b.example/{i}"), &article(i)),
        )
        .unwrap();
        gz.extend(e.finish().unwrap());
    }
    let cut = gz.len() - 40;
    std::fs::write(input.join("cut.warc.gz"), &gz[..cut]).unwrap();
    let out = tmp.path().join("out");
    run_quiet(None, &input, &out);
    let st = stats(&out);
    assert!(st["problems_total"].as_u64().unwrap() >= 2, "{st}");
    let problems = st["problems"].as_array().unwrap();
    assert!(problems
        .iter()
        .any(|p| p["file"].as_str().unwrap().ends_with("mixed.warc")));
    assert!(problems
        .iter()
        .any(|p| p["file"].as_str().unwrap().ends_with("cut.warc.gz")));
    let docs: Vec<_> = all_output_docs(&out);
    let urls: BTreeSet<String> = docs
        .iter()
        .map(|d| d["metadata"]["url"].as_str().unwrap().to_string())
        .collect();
    for u in [
        "http://a.example/1",
        "http://a.example/2",
        "http://b.example/3",
        "http://b.example/4",
    ] {
        assert!(urls.contains(u), "{u} kept: {urls:?}");
    }
}

#[test]
fn missing_input_is_a_failure_of_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let o = thresher()
        .args([
            "run",
            "--quiet",
            "--input",
            "/nonexistent/thresher/x.warc.gz",
            "--output",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/thresher/x.warc.gz"));
}

#[test]
fn exact_duplicates_across_shards_keep_the_first_in_input_order() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // b.warc.gz repeats a page of a.warc.gz under another URL; the copy in b is dropped.
    write_gz(
        &input.join("a.warc.gz"),
        &[
            warc_response("http://a.example/1", &article(1)),
            warc_response("http://a.example/2", &article(2)),
        ]
        .concat(),
    );
    write_gz(
        &input.join("b.warc.gz"),
        &[
            warc_response("http://mirror.example/1", &article(1)),
            warc_response("http://b.example/3", &article(3)),
        ]
        .concat(),
    );
    let out = tmp.path().join("out");
    run_ok(
        thresher()
            .args(["run", "--quiet", "--threads", "2", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let rejects = rejects_docs(&out);
    let dup: Vec<_> = rejects
        .iter()
        .filter(|r| r["dropped_by"] == "exact_dedup")
        .collect();
    assert_eq!(dup.len(), 1, "{rejects:?}");
    assert_eq!(dup[0]["metadata"]["url"], "http://mirror.example/1");
    assert!(dup[0]["metadata"]["duplicate_of"]
        .as_str()
        .unwrap()
        .contains("urn:uuid"));
    let kept: Vec<_> = all_output_docs(&out);
    assert_eq!(kept.len(), 3);
}

#[test]
fn extract_writes_one_object_per_page() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("pages");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("one.html"), article(1)).unwrap();
    std::fs::write(input.join("two.html"), "<html><body></body></html>").unwrap();
    let out = tmp.path().join("x.jsonl.gz");
    run_ok(
        thresher()
            .args(["extract", "--quiet"])
            .arg(&input)
            .arg("-o")
            .arg(&out),
    );
    let docs = read_jsonl(&out);
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["one", "two"]);
    assert!(docs[0]["text"]
        .as_str()
        .unwrap()
        .contains("the river rose slowly"));
    assert!(!docs[0]["text"].as_str().unwrap().contains("Copyright"));
}

#[test]
fn extract_flags_choose_captions_lists_and_images() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page.html");
    std::fs::write(
        &page,
        "<html><body><article><p>The council met on Tuesday to discuss the new bridge, \
         which has been delayed by two years and now costs twice the estimate.</p>\
         <figure><img src=b.jpg alt='A bridge at dusk'><figcaption>The old bridge, seen from \
         the river bank.</figcaption></figure><p>Residents spoke for and against the plan, \
         and the vote was postponed to next month after a long debate.</p>\
         <ul><li>Cost: twice the estimate</li><li>Delay: two years</li></ul>\
         <p>The next meeting is in March, when the new budget will be known to all.</p>\
         </article></body></html>",
    )
    .unwrap();
    let text = |flags: &[&str]| {
        let out = tmp.path().join(format!("out{}.jsonl", flags.len()));
        run_ok(
            thresher()
                .args(["extract", "--quiet"])
                .arg(&page)
                .arg("-o")
                .arg(&out)
                .args(flags),
        );
        read_jsonl(&out)[0]["text"].as_str().unwrap().to_string()
    };
    let plain = text(&[]);
    assert!(plain.contains("Delay: two years"), "{plain}");
    assert!(
        !plain.contains("river bank") && !plain.contains("A bridge"),
        "{plain}"
    );
    let asked = text(&["--include-captions", "--include-images", "--no-lists"]);
    assert!(
        asked.contains("The old bridge, seen from the river bank."),
        "{asked}"
    );
    assert!(asked.contains("A bridge at dusk"), "{asked}");
    assert!(!asked.contains("Delay: two years"), "{asked}");
    let o = thresher()
        .args([
            "extract",
            "--quiet",
            "--no-lists",
            "--backend",
            "trafilatura",
        ])
        .arg(&page)
        .arg("-o")
        .arg(tmp.path().join("t.jsonl"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--no-lists needs --backend native"));
}

fn write_pipeline(dir: &Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn second_pass_reads_documents_whose_json_outgrew_the_record_limit() {
    // Control characters are escaped in JSON (6 bytes each), so the first pass's output line
    // is longer than the input record; the second pass must still read it.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("big.txt"), "a\u{1} ".repeat(500)).unwrap();
    let p = write_pipeline(
        tmp.path(),
        "[input]\nmax_record_bytes = 2000\n[[steps]]\ntype = \"length\"\nmin_words = 1\n[[steps]]\ntype = \"exact_dedup\"\n",
    );
    let out = tmp.path().join("out");
    run_quiet(Some(&p), tmp.path().join("big.txt"), &out);
    let docs: Vec<_> = all_output_docs(&out);
    assert_eq!(docs.len(), 1);
}

#[test]
fn a_marker_never_vouches_for_a_different_input_with_the_same_shard_name() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, text) in [
        ("a", "first version of the document text here"),
        ("b", "second, quite different document text, longer"),
    ] {
        std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
        std::fs::write(
            tmp.path().join(dir).join("s0.jsonl"),
            format!("{{\"id\":\"x\",\"text\":\"{text}\"}}\n"),
        )
        .unwrap();
    }
    let p = write_pipeline(tmp.path(), "[[steps]]\ntype = \"length\"\nmin_words = 1\n");
    let out = tmp.path().join("out");
    for dir in ["a", "b"] {
        run_quiet(Some(&p), tmp.path().join(dir).join("s0.jsonl"), &out);
    }
    let docs: Vec<_> = all_output_docs(&out);
    assert_eq!(docs.len(), 1);
    assert!(
        docs[0]["text"].as_str().unwrap().starts_with("second"),
        "{docs:?}"
    );
}

#[test]
fn extract_after_the_corpus_wide_step_is_a_config_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write_pipeline(
        tmp.path(),
        "[[steps]]\ntype = \"exact_dedup\"\n[[steps]]\ntype = \"extract\"\n",
    );
    let o = thresher()
        .args(["run", "--quiet"])
        .arg(&p)
        .arg("--input")
        .arg(repo().join("data/sample/cc-2019-jwarc.warc.gz"))
        .arg("--output")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("before `exact_dedup`"));
}

#[test]
fn hostile_pages_in_a_warc_do_not_stop_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let deep = format!(
        "<html><body>{}deep text{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let huge = format!(
        "<html><body><p>{}</p></body></html>",
        "word ".repeat(10_000_000)
    ); // 50 MB
    let mut data = warc_response("http://h.example/deep", &deep);
    data.extend(warc_response("http://h.example/huge", &huge));
    data.extend(warc_response("http://h.example/good", &article(7)));
    std::fs::write(input.join("hostile.warc"), &data).unwrap();
    let out = tmp.path().join("out");
    run_quiet(None, &input, &out);
    let st = stats(&out);
    assert_eq!(st["docs_read"], 3, "{st}");
    let docs: Vec<_> = all_output_docs(&out);
    let urls: BTreeSet<&str> = docs
        .iter()
        .map(|d| d["metadata"]["url"].as_str().unwrap())
        .collect();
    assert!(urls.contains("http://h.example/good"), "{urls:?}");
    for d in &docs {
        if d["metadata"]["url"] == "http://h.example/deep" {
            assert!(d["text"].as_str().unwrap().contains("deep text"));
            assert!(d["metadata"]["extractor"]
                .as_str()
                .unwrap()
                .starts_with("plain"));
        }
    }
}
