//! Fuzzes HTML → text: charset detection and decoding, the page guard, the plain extractor and
//! the whole `extract` step (trafilatura backend). Any panic, overflow or hang is a bug; a
//! panic inside the trafilatura crate also aborts here (libfuzzer's panic hook), even though
//! `ExtractStep` would contain it in production.
//!
//! Input: optionally a first line `ct:<Content-Type value>\n`, then the page bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use thresher_core::{Document, Step};
use thresher_extract::{decode_html_for_url, guard, plain, ExtractOptions, ExtractStep};

static STEP: OnceLock<ExtractStep> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) if data.starts_with(b"ct:") => (
            Some(String::from_utf8_lossy(&data[3..i]).into_owned()),
            &data[i + 1..],
        ),
        _ => (None, data),
    };
    let url = "http://example.xn--p1ai/page";
    let decoded = decode_html_for_url(body, content_type.as_deref(), Some(url));
    let depth = guard::estimate_depth(&decoded.text, 400);
    assert!(depth <= 401);
    let plain = plain::plain_text(&decoded.text);
    assert!(!plain.text.contains("\n\n"));

    let step = STEP.get_or_init(|| ExtractStep::new(ExtractOptions::default()).unwrap());
    let mut doc = Document::new("fuzz", "");
    doc.html = Some(body.to_vec());
    doc.url = Some(url.to_string());
    doc.metadata.content_type = content_type;
    step.process(&mut doc);
    assert!(doc.html.is_none());
});
