//! The `provenance` step on real HTML: the pages of `shared/data/warc-real` (WARC response
//! records, read with a minimal lenient record splitter) and of the AEB extraction benchmark
//! (`extraction-dev/scrapinghub-aeb/html/*.html.gz`). Prints how many pages carry which ids
//! (`cargo test -p thresher-text --test provenance_pages -- --nocapture`) and checks that ids
//! are found and are well-formed.

use flate2::read::MultiGzDecoder;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use thresher_core::{Document, Step};
use thresher_text::provenance::{AccountIds, Provenance};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn data(rel: &str) -> PathBuf {
    let p = Path::new(DATA).join(rel);
    assert!(
        p.exists(),
        "shared test data missing: {} (these tests need ../shared/data next to the repository; \
         see shared/README.md)",
        p.display()
    );
    p
}

fn read_maybe_gz(p: &Path) -> Vec<u8> {
    let raw = std::fs::read(p).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        // Corrupt members (there are some on purpose) end the file early: keep what came out.
        let _ = MultiGzDecoder::new(&raw[..]).read_to_end(&mut out);
        out
    } else {
        raw
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// HTML payloads of the `response` records of a WARC file (lenient: headers found by
/// searching, Content-Length trusted when it fits).
fn warc_html_payloads(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = find(bytes, b"WARC/1.", pos) {
        let Some(head_end) = find(bytes, b"\r\n\r\n", start) else {
            break;
        };
        let head = String::from_utf8_lossy(&bytes[start..head_end]).to_ascii_lowercase();
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        let body_end = (body_start + len).min(bytes.len());
        pos = body_end.max(start + 7);
        if !head.contains("warc-type: response") {
            continue;
        }
        let block = &bytes[body_start..body_end];
        if !block.starts_with(b"HTTP/") {
            continue;
        }
        let Some(h) = find(block, b"\r\n\r\n", 0) else {
            continue;
        };
        let http_head = String::from_utf8_lossy(&block[..h]).to_ascii_lowercase();
        if !http_head.contains("text/html") {
            continue;
        }
        let payload = &block[h + 4..];
        if http_head.contains("content-encoding: gzip") {
            let mut d = Vec::new();
            let _ = MultiGzDecoder::new(payload).read_to_end(&mut d);
            out.push(d);
        } else {
            out.push(payload.to_vec());
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    pages: usize,
    with_any: usize,
    by_kind: BTreeMap<&'static str, usize>,
    ids: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, ids: &AccountIds) {
        self.pages += 1;
        if !ids.is_empty() {
            self.with_any += 1;
        }
        for (k, set) in [
            ("adsense_publisher", &ids.adsense_publisher),
            ("google_analytics", &ids.google_analytics),
            ("gtm", &ids.gtm),
        ] {
            if !set.is_empty() {
                *self.by_kind.entry(k).or_default() += 1;
            }
            for id in set {
                *self.ids.entry(id.clone()).or_default() += 1;
            }
        }
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {} HTML pages, {} with an id; pages per kind: {:?}; {} distinct ids",
            self.pages,
            self.with_any,
            self.by_kind,
            self.ids.len()
        );
        let sample: Vec<_> = self.ids.iter().take(12).collect();
        println!("  ids (first 12, with page counts): {sample:?}");
    }

    fn check_well_formed(&self) {
        for id in self.ids.keys() {
            let ok = id
                .strip_prefix("pub-")
                .is_some_and(|d| d.len() == 16 && d.bytes().all(|b| b.is_ascii_digit()))
                || id.starts_with("UA-")
                || id.starts_with("G-")
                || id.starts_with("GTM-");
            assert!(ok, "malformed id {id}");
        }
    }
}

fn ids_of(step: &Provenance, html: Vec<u8>) -> AccountIds {
    let mut doc = Document::new("x", "");
    doc.html = Some(html);
    let ids = step.ids(&doc);
    // The step itself writes the same ids.
    step.process(&mut doc);
    assert_eq!(
        doc.metadata.extra.contains_key("provenance"),
        !ids.is_empty()
    );
    ids
}

#[test]
fn warc_real_pages() {
    let step = Provenance::default();
    let mut tally = Tally::default();
    let root = data("warc-real");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if name.contains(".warc") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    for f in &files {
        for html in warc_html_payloads(&read_maybe_gz(f)) {
            tally.add(&ids_of(&step, html));
        }
    }
    tally.print("warc-real (WARC response records)");
    tally.check_well_formed();
    // The splitter is minimal (WARC/1.x, CRLF headers): it reaches about half of the ~440
    // pages a full reader gets (223 when written).
    assert!(
        tally.pages > 200,
        "expected 200+ warc-real HTML pages, got {}",
        tally.pages
    );
    assert!(tally.with_any > 0, "no ids at all in warc-real");
}

#[test]
fn aeb_pages() {
    let step = Provenance::default();
    let mut tally = Tally::default();
    let dir = data("extraction-dev/scrapinghub-aeb/html");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let pages: Vec<Vec<u8>> = files.iter().map(|f| read_maybe_gz(f)).collect();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let t = std::time::Instant::now();
    for html in pages {
        tally.add(&ids_of(&step, html));
    }
    let secs = t.elapsed().as_secs_f64();
    tally.print("scrapinghub-aeb");
    println!(
        "  {:.1} MB of HTML in {:.3} s: {:.0} pages/s, {:.0} MB/s on one core{} (ids() and the \
         step both scan each page, so the step alone is about twice as fast)",
        bytes as f64 / 1e6,
        secs,
        181.0 / secs,
        bytes as f64 / 1e6 / secs,
        if cfg!(debug_assertions) {
            " (debug build)"
        } else {
            ""
        }
    );
    let g4: Vec<_> = tally.ids.keys().filter(|k| k.starts_with("G-")).collect();
    println!("  GA4 ids: {g4:?}");
    tally.check_well_formed();
    assert_eq!(tally.pages, 181);
    assert!(
        tally.with_any > 50,
        "news pages nearly all carry analytics ids"
    );
}

#[test]
fn trafilatura_eval_pages() {
    let step = Provenance::default();
    let mut tally = Tally::default();
    for sub in ["cache", "eval"] {
        let dir = data(&format!("extraction-dev/trafilatura-eval/{sub}"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in &files {
            tally.add(&ids_of(&step, read_maybe_gz(f)));
        }
    }
    tally.print("trafilatura-eval");
    tally.check_well_formed();
    let g4: Vec<_> = tally.ids.keys().filter(|k| k.starts_with("G-")).collect();
    println!("  GA4 ids: {g4:?}");
    assert_eq!(tally.pages, 990);
    assert!(tally.with_any > 300);
}
