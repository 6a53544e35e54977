//! `thresher filter`: decisions that agree with datatrove's, and filtering to kept/rejects
//! files.
//!
//! The oracle's decisions (`../shared/peers/datatrove_oracle.py`, datatrove 0.10.1, spaCy
//! 3.8.18) are committed as fixtures under `tests/fixtures/oracle/` (made with
//! `scripts/oracle_decisions_fixture.py`), so these tests need no Python.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// What must agree per filter: keep, reason and (for C4) the SHA-1 of the text it leaves; for
/// the chain also the filter that dropped the document.
fn decision_key(v: &Value) -> String {
    format!(
        "{}|{}|{}|{}",
        v["keep"], v["reason"], v["text_after_sha1"], v["dropped_by"]
    )
}

/// Runs `thresher filter --decisions` on `input` and compares every record with `oracle`;
/// returns the differences as `id filter ours theirs` lines.
fn decision_differences(input: &Path, oracle: &Path) -> (usize, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("decisions.jsonl");
    run_ok(
        thresher()
            .args(["filter", "--decisions", "-q"])
            .arg(input)
            .arg("-o")
            .arg(&out),
    );
    let ours = read_jsonl(&out);
    let theirs = read_jsonl(oracle);
    assert_eq!(ours.len(), theirs.len(), "one record per input document");
    let mut diffs = Vec::new();
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a["id"].as_str(), b["id"].as_str(), "records in input order");
        let id = b["id"].as_str().unwrap_or("?");
        if a["n_words"] != b["n_words"] {
            diffs.push(format!("{id} n_words {} {}", a["n_words"], b["n_words"]));
        }
        for (name, theirs) in b["filters"].as_object().unwrap() {
            let ours = &a["filters"][name];
            if decision_key(ours) != decision_key(theirs) {
                diffs.push(format!(
                    "{id} {name} {} {}",
                    decision_key(ours),
                    decision_key(theirs)
                ));
            }
        }
        let (x, y) = (&a["fineweb_chain"], &b["fineweb_chain"]);
        if decision_key(x) != decision_key(y) {
            diffs.push(format!(
                "{id} fineweb_chain {} {}",
                decision_key(x),
                decision_key(y)
            ));
        }
    }
    (theirs.len(), diffs)
}

#[test]
fn decisions_equal_datatrove_on_edge_cases() {
    let fixtures = repo().join("crates/thresher/tests/fixtures");
    let (n, diffs) = decision_differences(
        &fixtures.join("filter-edge-cases.jsonl.gz"),
        &fixtures.join("oracle/edge-cases.decisions.jsonl.gz"),
    );
    assert!(n >= 30);
    assert!(
        diffs.is_empty(),
        "differences from datatrove:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn decisions_equal_datatrove_on_real_web_text() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let (n, diffs) = decision_differences(
        &data.join("webtext-docs/combined.jsonl.gz"),
        &repo().join("crates/thresher/tests/fixtures/oracle/combined.decisions.jsonl.gz"),
    );
    assert_eq!(n, 2627);
    // Measured: every decision of every filter and of the chain agrees (no known
    // differences), so any difference is a regression.
    assert!(
        diffs.is_empty(),
        "differences from datatrove:\n{}",
        diffs.join("\n")
    );
}

/// Original prose (written for this test) that every FineWeb filter keeps.
const PROSE: &str = "The village library opened its new reading room on Saturday morning. \
More than two hundred people came to see the shelves, the wide windows and the small garden \
behind the building.\n\
Volunteers spent the winter painting walls, repairing old chairs and sorting donated books by \
subject. The oldest volunteer, a retired teacher, said the work reminded her of her first \
classroom.\n\
Children will find picture books near the entrance, while a quiet corner upstairs is kept for \
students preparing for exams. Opening hours are longer on weekdays during the school term.\n\
The council paid for the roof, but most of the furniture was bought with money raised at \
summer fairs. Organisers thanked local shops for their help and promised a second event in \
the autumn.";

#[test]
fn filter_writes_kept_and_rejected_documents_beside_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("docs.jsonl");
    let mut lines = String::new();
    let edge =
        read_jsonl(&repo().join("crates/thresher/tests/fixtures/filter-edge-cases.jsonl.gz"));
    for d in &edge {
        lines.push_str(&d.to_string());
        lines.push('\n');
    }
    let prose = serde_json::json!({"id": "prose", "text": PROSE.to_string() + "\nWrite to desk@example.org for details.",
        "metadata": {"url": "https://news.example.org/library"}});
    lines.push_str(&prose.to_string());
    lines.push('\n');
    let blocked = serde_json::json!({"id": "blocked-url", "text": PROSE, "metadata": {"url": "https://pornhub.com/x"}});
    lines.push_str(&blocked.to_string());
    lines.push('\n');
    std::fs::write(&input, lines).unwrap();
    let out = tmp.path().join("kept.jsonl.gz");
    run_ok(
        thresher()
            .args(["filter", "--preset", "fineweb", "-q"])
            .arg(&input)
            .arg("-o")
            .arg(&out),
    );
    let kept = read_jsonl(&out);
    let rejected = read_jsonl(&tmp.path().join("kept.rejects.jsonl.gz"));
    assert_eq!(kept.len() + rejected.len(), edge.len() + 2, "nothing lost");
    for r in &rejected {
        assert!(
            r["dropped_by"].is_string() && r["reason"].is_string(),
            "{r}"
        );
    }
    // The oracle's FineWeb chain keeps none of the edge cases.
    let ids: Vec<&str> = kept.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["prose"]);
    // PII ran on what was kept; the URL filter dropped the blocklisted site.
    let text = kept[0]["text"].as_str().unwrap();
    assert!(
        !text.contains("desk@example.org") && text.contains("The village library"),
        "{text}"
    );
    let blocked = rejected.iter().find(|r| r["id"] == "blocked-url").unwrap();
    assert_eq!(blocked["dropped_by"], "url_filter");
}
