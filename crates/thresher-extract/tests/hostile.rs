//! Hostile pages through `ExtractStep` with the trafilatura backend and its guard (pages too
//! big, deep or wide go to the plain extractor): each must go through without a panic or a
//! stack overflow (test threads have the default 2 MiB stack) in reasonable time. Times are
//! printed, not asserted; run with `--nocapture` to see them. The native extractor's own
//! hostile pages are in `native_hostile.rs`.

use std::time::Instant;
use thresher_core::{Document, Step, Verdict};
use thresher_extract::{ExtractOptions, ExtractStep};

/// Runs the trafilatura step on `html`; returns the verdict, the extractor used and the text.
fn run(name: &str, html: Vec<u8>) -> (Verdict, String, String) {
    let step = ExtractStep::new(ExtractOptions {
        backend: "trafilatura".into(),
        ..ExtractOptions::default()
    })
    .unwrap();
    let size = html.len();
    let mut doc = Document::new(name, "");
    doc.html = Some(html);
    doc.url = Some("https://example.com/hostile".into());
    let t = Instant::now();
    let verdict = step.process(&mut doc);
    let elapsed = t.elapsed();
    let extractor = doc.metadata.extra["extractor"]
        .as_str()
        .unwrap_or("")
        .to_string();
    eprintln!(
        "{name:40} {:>10} bytes  {:>9.3} s  {extractor:28} text {} bytes  {verdict:?}",
        size,
        elapsed.as_secs_f64(),
        doc.text.len()
    );
    (verdict, extractor, doc.text)
}

fn page(body: &str) -> Vec<u8> {
    format!("<html><head><title>t</title></head><body>{body}</body></html>").into_bytes()
}

/// Deterministic pseudo-random bytes.
fn garbage(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn nested_divs_100k() {
    let body = format!(
        "{}<p>deep text</p>{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let (v, ex, text) = run("100,000 nested <div>", page(&body));
    assert_eq!(
        (v, ex.as_str(), text.as_str()),
        (Verdict::Keep, "plain:too_deep", "deep text")
    );
}

#[test]
fn nested_unclosed_formatting_100k() {
    let (v, ex, _) = run("100,000 unclosed <b>", page(&"<b>x".repeat(100_000)));
    assert_eq!((v, ex.as_str()), (Verdict::Keep, "plain:too_deep"));
}

#[test]
fn nested_tables_deep() {
    let body = "<table><tr><td>cell ".repeat(20_000);
    let (_, ex, _) = run("20,000 nested tables", page(&body));
    assert_eq!(ex, "plain:too_deep");
}

#[test]
fn just_under_depth_limit() {
    // 120 nested <div> with text, 300 times: depth ~125, many deep subtrees.
    let one = format!("{}{}", "<div>words here ".repeat(120), "</div>".repeat(120));
    let (v, ex, _) = run("300 x 120-deep subtrees", page(&one.repeat(300)));
    assert_eq!((v, ex.as_str()), (Verdict::Keep, "trafilatura"));
    let one = format!("{}<p>x</p>{}", "<div>".repeat(390), "</div>".repeat(390));
    let (_, ex, _) = run("depth 392 page", page(&one));
    assert_eq!(ex, "trafilatura");
}

#[test]
fn text_node_50mb() {
    let body = format!(
        "<p>{}</p>",
        "lorem ipsum dolor sit amet ".repeat(50_000_000 / 27)
    );
    let (v, ex, text) = run("50 MB text node", page(&body));
    assert_eq!((v, ex.as_str()), (Verdict::Keep, "plain:too_large"));
    assert!(text.len() > 49_000_000);
}

#[test]
fn text_node_7mb_through_trafilatura() {
    let body = format!(
        "<p>{}</p>",
        "lorem ipsum dolor sit amet ".repeat(7_000_000 / 27)
    );
    let (v, ex, _) = run("7 MB text node", page(&body));
    assert_eq!((v, ex.as_str()), (Verdict::Keep, "trafilatura"));
}

#[test]
fn million_attributes() {
    let mut tag = String::from("<div");
    for i in 0..1_000_000 {
        tag.push_str(&format!(" a{i}"));
    }
    tag.push_str(">text</div>");
    let (v, ex, text) = run("1,000,000 attributes on one tag", page(&tag));
    assert_eq!(
        (v, ex.as_str(), text.as_str()),
        (Verdict::Keep, "plain:too_many_attributes", "text")
    );
}

#[test]
fn many_siblings() {
    let body = "<p>x</p>".repeat(900_000);
    let (_, ex, _) = run("900,000 sibling <p>", page(&body));
    assert_eq!(ex, "plain:too_many_elements");
    let body = "<p>x</p>".repeat(95_000);
    let (_, ex, _) = run("95,000 sibling <p>", page(&body));
    assert_eq!(ex, "trafilatura");
}

#[test]
fn many_unclosed_siblings() {
    let body = "<li>item <a href=x>link".repeat(300_000);
    let (_, ex, _) = run("300,000 unclosed <li><a>", page(&body));
    assert_eq!(ex, "plain:too_many_elements");
}

#[test]
fn unterminated_constructs() {
    for (name, body) in [
        (
            "unterminated comment 5 MB",
            format!("<p>a</p><!--{}", "x".repeat(5_000_000)),
        ),
        (
            "unterminated script 5 MB",
            format!("<p>a</p><script>{}", "x<".repeat(2_500_000)),
        ),
        (
            "unterminated attribute 5 MB",
            format!("<p>a</p><div title=\"{}", "x".repeat(5_000_000)),
        ),
        ("5 MB of '<'", "<".repeat(5_000_000)),
        ("5 MB of '&'", "&amp".repeat(1_250_000)),
    ] {
        run(name, page(&body));
    }
}

#[test]
fn invalid_utf8() {
    let mut html = b"<html><head><meta charset=utf-8></head><body><p>".to_vec();
    for i in 0..200_000u32 {
        html.extend_from_slice(b"caf\xc3\xa9 ");
        html.push(0x80 + (i % 64) as u8);
        html.extend_from_slice(b"\xff\xfe\xed\xa0\x80 ");
    }
    html.extend_from_slice(b"</p></body></html>");
    let (v, _, text) = run("invalid UTF-8 (2.8 MB)", html);
    assert_eq!(v, Verdict::Keep);
    assert!(!text.is_empty());
}

#[test]
fn empty_and_tiny() {
    assert_eq!(
        run("empty", Vec::new()).0,
        Verdict::drop("empty_extraction")
    );
    for s in [
        "<", "<!", "<!--", "</", "&", "&#", "&#x", "<a", "<a b='", "\0", "\u{feff}",
    ] {
        run(&format!("tiny {s:?}"), s.as_bytes().to_vec());
    }
}

#[test]
fn binary_garbage() {
    let (v, ex, _) = run("10 MB binary garbage", garbage(10_000_000, 42));
    assert!(ex.starts_with("plain"), "{ex}");
    assert!(matches!(v, Verdict::Keep | Verdict::Drop(_)));
    run("1 MB binary garbage", garbage(1_000_000, 7));
    let mut tagsoup = Vec::new();
    for chunk in garbage(2_000_000, 9).chunks(7) {
        tagsoup.extend_from_slice(b"<");
        tagsoup.extend_from_slice(chunk);
        tagsoup.extend_from_slice(b">");
    }
    run("2 MB garbage tag soup", tagsoup);
}
