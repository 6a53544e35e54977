//! `thresher dedup lines`: exact line / paragraph dedup across a corpus, end to end.

mod common;

use common::*;
use std::path::Path;

#[test]
fn cs336_line_dedup_fixture_through_the_command_line() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let fixtures = data.join("neardup/cs336-dedup-fixtures");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_ok(
        thresher()
            .args([
                "dedup", "lines", "-q", "--keep", "none", "--format", "jsonl",
            ])
            .arg(fixtures.join("documents_with_line_duplicates"))
            .arg("-o")
            .arg(&out),
    );
    let mut docs = all_output_docs(&out);
    docs.extend(rejects_docs(&out).into_iter().map(|mut d| {
        // A document that lost every line is dropped; its expected text is empty.
        assert_eq!(d["reason"], "all_units_duplicate");
        d["text"] = serde_json::Value::String(String::new());
        d
    }));
    assert_eq!(docs.len(), 5);
    for d in &docs {
        let id = d["id"].as_str().unwrap();
        let expected = std::fs::read_to_string(
            fixtures
                .join("documents_line_deduplicated")
                .join(format!("{id}.txt")),
        )
        .unwrap();
        assert_eq!(d["text"].as_str().unwrap(), expected, "{id}");
    }
}

fn run_lines(input: &Path, out: &Path, extra: &[&str]) {
    run_ok(
        thresher()
            .args(["dedup", "lines", "-q"])
            .arg(input)
            .arg("-o")
            .arg(out)
            .args(extra),
    );
}

#[test]
fn sorted_bloom_and_ranked_passes_agree_on_real_web_text() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let docs = read_jsonl(&data.join("webtext-docs/combined.jsonl.gz"));
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    for (i, chunk) in docs.chunks(700).enumerate() {
        let lines: String = chunk.iter().map(|d| format!("{d}\n")).collect();
        std::fs::write(input.join(format!("part-{i}.jsonl")), lines).unwrap();
    }
    let sorted = tmp.path().join("sorted");
    run_lines(&input, &sorted, &["--partitions", "3"]);
    let bloom = tmp.path().join("bloom");
    run_lines(
        &input,
        &bloom,
        &["--method", "bloom", "--bloom-expected", "1000000"],
    );
    let a = all_output_docs(&sorted);
    assert_eq!(a, all_output_docs(&bloom));
    assert_eq!(rejects_docs(&sorted), rejects_docs(&bloom));
    // Repeated lines are gone from every document but the first: no kept line occurs twice.
    let mut seen = std::collections::HashSet::new();
    for d in &a {
        for line in d["text"].as_str().unwrap().lines() {
            let norm = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if !norm.is_empty() {
                assert!(seen.insert(norm.clone()), "{norm:?} kept twice");
            }
        }
    }
    let changed = a
        .iter()
        .filter(|d| d["metadata"]["lines_removed"].is_u64())
        .count();
    assert!(changed > 100, "{changed}");
    assert_eq!(a.len() + rejects_docs(&sorted).len(), docs.len());

    // Each pass split over 2 ranks, in its own work folder: the same output.
    let ranked = tmp.path().join("ranked");
    let work = tmp.path().join("work");
    for pass in ["hashes", "merge", "apply"] {
        for rank in ["0", "1"] {
            run_ok(
                thresher()
                    .args(["dedup", "lines", "-q", "--partitions", "3", "--pass", pass])
                    .args(["--rank", rank, "--world-size", "2"])
                    .arg(&input)
                    .arg("-o")
                    .arg(&ranked)
                    .arg("--work")
                    .arg(&work),
            );
        }
    }
    assert_eq!(all_output_docs(&ranked), a);

    // A pass out of order names what is missing.
    let o = thresher()
        .args(["dedup", "lines", "-q", "--pass", "apply"])
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("early"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("has not finished"),
        "{err}"
    );
}
