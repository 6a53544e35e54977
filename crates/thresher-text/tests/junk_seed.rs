//! The motivating document (`shared/data/seed/realnewscast-belarus.txt`): a news article as a
//! careless pipeline kept it, with an ads.txt record on top and a share notice and donation
//! appeals at the end. provenance → junk_lines → title must leave exactly the article's ten
//! paragraphs, with the headline as the title, the publisher id recorded and the five junk
//! lines listed with their reasons.

use serde_json::json;
use std::path::Path;
use thresher_core::{Document, Step, Verdict};
use thresher_text::{JunkLines, Provenance, TitleFromText};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/seed/realnewscast-belarus.txt"
);

fn seed() -> String {
    assert!(
        Path::new(SEED).exists(),
        "shared test data missing: {SEED} (these tests need ../shared/data next to the repository)"
    );
    std::fs::read_to_string(SEED).unwrap()
}

#[test]
fn seed_document_is_cleaned_exactly() {
    let text = seed();
    let blocks: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(blocks.len(), 16, "the seed has changed");
    let expected_text = blocks[2..12].join("\n\n");

    let mut doc = Document::new("seed", text.clone());
    let steps: Vec<Box<dyn Step>> = vec![
        Box::new(Provenance::default()),
        Box::new(JunkLines::default()),
        Box::new(TitleFromText::default()),
    ];
    for s in &steps {
        assert_eq!(s.process(&mut doc), Verdict::Keep, "{}", s.name());
    }

    assert_eq!(doc.text, expected_text);
    assert_eq!(
        doc.metadata.title.as_deref(),
        Some("First Train Carrying Russian Servicemen Arrived in Belarus")
    );
    let meta = doc.to_json()["metadata"].clone();
    assert_eq!(
        meta["provenance"],
        json!({"adsense_publisher": ["pub-5167539840471953"]})
    );
    assert_eq!(
        meta["removed_lines"],
        json!([
            {"line": ", pub-5167539840471953, DIRECT, f08c47fec0942fa0", "reason": "ads_txt"},
            {"line": "This article is shareable\u{a0}", "reason": "call_to_action"},
            {"line": "Free Speech and Alternative Media are under attack by the Deep State. Real News Cast needs reader support to survive.\u{a0}", "reason": "donation_appeal"},
            {"line": "Every dollar helps. Contributions help keep the site active and help support the author (and his medical bills)", "reason": "donation_appeal"},
            {"line": "Please Contribute via \u{a0}GoGetFunding", "reason": "donation_appeal"},
        ])
    );
    // Running the chain again changes nothing.
    let before = doc.clone();
    for s in &steps {
        s.process(&mut doc);
    }
    assert_eq!(doc, before);
}

#[test]
fn seed_paragraphs_alone_are_untouched() {
    // The ten paragraphs, without the junk, go through junk_lines unchanged, and no paragraph
    // is mistaken for a title.
    let text = seed();
    let blocks: Vec<&str> = text.split("\n\n").collect();
    let body = blocks[2..12].join("\n\n");
    let mut doc = Document::new("body", body.clone());
    JunkLines::default().process(&mut doc);
    TitleFromText::default().process(&mut doc);
    assert_eq!(doc.text, body);
    assert_eq!(doc.metadata.title, None);
    assert!(doc.metadata.extra.is_empty());
}
