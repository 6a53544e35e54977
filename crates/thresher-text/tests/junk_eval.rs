//! Measures the `junk_lines` step on shared evaluation data and prints the numbers
//! (`cargo test -p thresher-text --test junk_eval -- --nocapture`).
//!
//! - trafilatura's evaluation set (`extraction-dev/trafilatura-eval/evaldata.json`): per page,
//!   "with" snippets are text that must survive extraction, "without" snippets boilerplate
//!   that must not.
//!   - (i) every "with" snippet alone as a line between two prose paragraphs: how many the
//!     step removes (middle removal), and how many the classifier calls junk at all (what an
//!     edge position would remove);
//!   - (ii) a document per page made of its "with" snippets in order, one per paragraph: how
//!     many snippets the step removes. **Asserted < 0.5 %.**
//!   - (b) each "without" snippet as the first (then the last) paragraph of that document:
//!     how many the step removes (higher is better; many are headings or dates in context,
//!     not junk by their text alone).
//! - real extracted pages (`webtext-docs/combined.jsonl.gz`: trafilatura's output on the AEB
//!   and trafilatura-eval pages, UKWA, DCLM, dolma): lines removed per kind, a sample printed.
//!
//! Fails with a clear message when the shared data is absent.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use thresher_text::junk::{classify_line, JunkKind, JunkLines};

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

const BEFORE: &str = "The council met on Tuesday evening to discuss next year's budget, which has grown by almost ten percent since the last election.";
const AFTER: &str = "Several members said that the new library should open in the spring, although the final costs are still uncertain and may rise.";

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Page {
    with: Vec<String>,
    without: Vec<String>,
}

fn pages() -> Vec<Page> {
    let p = data("extraction-dev/trafilatura-eval/evaldata.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let strings = |x: &Value| -> Vec<String> {
        x.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(norm))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    v.as_object()
        .unwrap()
        .values()
        .map(|e| Page {
            with: strings(&e["with"]),
            without: strings(&e["without"]),
        })
        .collect()
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

#[test]
fn trafilatura_eval_snippets() {
    let pages = pages();
    let step = JunkLines::default();
    let n_with: usize = pages.iter().map(|p| p.with.len()).sum();
    let n_without: usize = pages.iter().map(|p| p.without.len()).sum();

    // (i) standalone in the middle; and the classifier alone.
    let mut mid_removed = Vec::new();
    let mut classified = Vec::new();
    for s in pages.iter().flat_map(|p| &p.with) {
        let doc = format!("{BEFORE}\n\n{s}\n\n{AFTER}");
        if !step.clean(&doc).removed.is_empty() {
            mid_removed.push(s.clone());
        }
        if let Some(c) = classify_line(s) {
            classified.push((c.kind, s.clone()));
        }
    }

    // (ii) documents of with-snippets.
    let mut doc_removed = Vec::new();
    for p in &pages {
        let doc = p.with.join("\n\n");
        let c = step.clean(&doc);
        for r in &c.removed {
            doc_removed.push((r.kind, r.line.to_string()));
        }
    }

    // (b) without-snippets at the start / end of those documents.
    let mut start_removed = 0;
    let mut end_removed = 0;
    let mut any_classified = 0;
    let mut by_kind: BTreeMap<JunkKind, usize> = BTreeMap::new();
    let mut missed: Vec<String> = Vec::new();
    for p in &pages {
        let body = p.with.join("\n\n");
        for w in &p.without {
            let (t1, t2) = (format!("{w}\n\n{body}"), format!("{body}\n\n{w}"));
            let (first, last) = (step.clean(&t1), step.clean(&t2));
            let hit = |c: &thresher_text::junk::Cleaned| {
                c.removed
                    .iter()
                    .find(|r| r.line == w.as_str())
                    .map(|r| r.kind)
            };
            let (a, b) = (hit(&first), hit(&last));
            start_removed += a.is_some() as usize;
            end_removed += b.is_some() as usize;
            if let Some(k) = a.or(b) {
                *by_kind.entry(k).or_default() += 1;
            } else {
                missed.push(w.clone());
            }
            any_classified += classify_line(w).is_some() as usize;
        }
    }

    println!(
        "trafilatura-eval: {} pages, {n_with} with-snippets, {n_without} without-snippets",
        pages.len()
    );
    println!(
        "(i)  with-snippets removed alone in the middle: {} ({:.2} %); classified as junk (edge-removable): {} ({:.2} %)",
        mid_removed.len(),
        pct(mid_removed.len(), n_with),
        classified.len(),
        pct(classified.len(), n_with)
    );
    for (k, s) in &classified {
        println!("       classified {:>15}: {s}", k.as_str());
    }
    println!(
        "(ii) with-snippets removed from per-page documents: {} ({:.2} %)",
        doc_removed.len(),
        pct(doc_removed.len(), n_with)
    );
    for (k, s) in &doc_removed {
        println!("       removed {:>15}: {s}", k.as_str());
    }
    println!(
        "(b)  without-snippets removed as first paragraph: {start_removed} ({:.1} %), as last: {end_removed} ({:.1} %), classified: {any_classified} ({:.1} %)",
        pct(start_removed, n_without),
        pct(end_removed, n_without),
        pct(any_classified, n_without)
    );
    for (k, n) in &by_kind {
        println!("       {:>15}: {n}", k.as_str());
    }
    if let Ok(path) = std::env::var("JUNK_EVAL_MISSED") {
        std::fs::write(path, missed.join("\n")).unwrap();
    }
    println!("     sample of without-snippets kept:");
    for s in missed.iter().step_by(missed.len().max(1) / 40 + 1) {
        println!("       kept: {s}");
    }
    assert!(
        pct(doc_removed.len(), n_with) < 0.5,
        "with-snippets removed from per-page documents: {} of {n_with} (goal < 0.5 %)",
        doc_removed.len()
    );
}

fn read_jsonl_gz(p: &Path) -> Vec<Value> {
    let f = std::fs::File::open(p).unwrap();
    let r: Box<dyn BufRead> = if p.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(f)))
    } else {
        Box::new(BufReader::new(f))
    };
    r.lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

#[test]
fn real_extracted_pages() {
    let mut docs = read_jsonl_gz(&data("webtext-docs/combined.jsonl.gz"));
    // More JSONL files (e.g. `thresher extract` output), comma-separated; their documents are
    // counted under `extra:<file name>`.
    if let Ok(extra) = std::env::var("JUNK_EVAL_EXTRA") {
        for path in extra.split(',').filter(|p| !p.is_empty()) {
            let p = Path::new(path);
            let name = p.file_name().unwrap().to_string_lossy().replace('/', "_");
            for mut d in read_jsonl_gz(p) {
                let id = d["id"].as_str().unwrap_or("").to_string();
                d["id"] = Value::String(format!("extra:{name}/{id}"));
                docs.push(d);
            }
        }
    }
    let step = JunkLines::default();
    let mut by_source: BTreeMap<String, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut by_kind: BTreeMap<JunkKind, usize> = BTreeMap::new();
    let mut sample: Vec<(String, JunkKind, String)> = Vec::new();
    let mut dump = String::new();
    for (i, d) in docs.iter().enumerate() {
        let id = d["id"].as_str().unwrap_or("");
        let source = id.split('/').next().unwrap_or("").to_string();
        let text = d["text"].as_str().unwrap_or("");
        let c = step.clean(text);
        let e = by_source.entry(source).or_default();
        e.0 += 1;
        e.1 += text.lines().filter(|l| !l.trim().is_empty()).count();
        e.2 += c.removed.len();
        e.3 += (!c.removed.is_empty()) as usize;
        for r in &c.removed {
            *by_kind.entry(r.kind).or_default() += 1;
            dump.push_str(&format!("{:>15} {id:.50}: {}\n", r.kind.as_str(), r.line));
            if i % 7 == 0 {
                sample.push((id.to_string(), r.kind, r.line.chars().take(140).collect()));
            }
        }
    }
    if let Ok(path) = std::env::var("JUNK_EVAL_DUMP") {
        std::fs::write(path, &dump).unwrap();
    }
    println!("webtext-docs/combined.jsonl.gz: documents, non-blank lines, lines removed, documents touched");
    for (s, (d, l, r, t)) in &by_source {
        println!(
            "  {s:>14}: {d:>5} docs {l:>7} lines {r:>5} removed ({:.2} %) in {t} docs",
            pct(*r, *l)
        );
    }
    for (k, n) in &by_kind {
        println!("  {:>15}: {n}", k.as_str());
    }
    println!("  sample (every 7th document's removals):");
    for (id, k, l) in &sample {
        println!("    {:>15} {id:.40}: {l}", k.as_str());
    }
}
