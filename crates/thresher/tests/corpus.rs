//! End-to-end runs over the real corpora in `../shared/data`. Each test prints a note and
//! passes when that folder is absent (a fresh clone without it); `.ci/run` has it.

mod common;
use common::*;
use std::collections::HashMap;
use std::io::Write;

#[test]
fn every_real_warc_file_runs_without_failing() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_quiet(None, data.join("warc-real"), &out);
    let st = stats(&out);
    // 51 files; the README counts ~500 HTML pages
    assert_eq!(st["shards_this_rank"].as_u64().unwrap(), 51, "{st}");
    assert!(
        st["docs_read"].as_u64().unwrap() >= 450,
        "{}",
        st["docs_read"]
    );
    assert!(
        st["docs_written"].as_u64().unwrap() >= 150,
        "{}",
        st["docs_written"]
    );
    // the broken warcio edge cases are reported, not fatal
    assert!(st["problems_total"].as_u64().unwrap() >= 1);
}

#[test]
fn default_pipeline_on_repacked_aeb_scores_f1_above_095() {
    let (Some(data), Some(shared)) = (shared_data(), shared()) else {
        eprintln!("skipped: ../shared not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_quiet(
        None,
        data.join("warc-repacked/scrapinghub-aeb.warc.gz"),
        &out,
    );
    // Score what extraction produced for every page: kept documents, and the text of those a
    // later step (length, dedup) rejected.
    let mut preds: HashMap<String, String> = HashMap::new();
    let kept: Vec<_> = all_output_docs(&out);
    for d in kept.iter().chain(rejects_docs(&out).iter()) {
        let src = d["metadata"]["warc"]["WARC-Source-File"].as_str().unwrap();
        let id = src
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".gz")
            .trim_end_matches(".html");
        preds
            .entry(id.to_string())
            .or_insert_with(|| d["text"].as_str().unwrap().to_string());
    }
    assert_eq!(preds.len(), 181);
    let pred_path = tmp.path().join("preds.jsonl");
    let mut f = std::fs::File::create(&pred_path).unwrap();
    for (id, text) in &preds {
        writeln!(f, "{}", serde_json::json!({"id": id, "text": text})).unwrap();
    }
    drop(f);
    let o = std::process::Command::new("python3")
        .arg(shared.join("peers/extract_score.py"))
        .arg(&pred_path)
        .arg(data.join("extraction-dev/scrapinghub-aeb"))
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let score: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f1 = score["metrics"]["f1"].as_f64().unwrap();
    eprintln!("AEB F1 through the default pipeline: {f1:.4}");
    assert_eq!(score["missing_ids"].as_u64(), Some(0), "{score}");
    assert!(f1 >= 0.95, "F1 {f1} < 0.95: {score}");
}

#[test]
fn repacked_trafilatura_eval_runs_and_keeps_source_headers() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_quiet(
        None,
        data.join("warc-repacked/trafilatura-eval.warc.gz"),
        &out,
    );
    let st = stats(&out);
    assert_eq!(st["docs_read"].as_u64(), Some(988), "{st}");
    let kept: Vec<_> = all_output_docs(&out);
    assert!(kept.len() > 800, "{}", kept.len());
    assert!(kept
        .iter()
        .all(|d| d["metadata"]["warc"]["WARC-Source-File"].is_string()));
}

#[test]
fn seed_document_runs_as_a_text_input_and_is_tagged_english() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let seed = data.join("seed/realnewscast-belarus.txt");
    run_quiet(None, &seed, &out);
    let docs: Vec<_> = all_output_docs(&out);
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d["id"], "realnewscast-belarus");
    assert_eq!(d["metadata"]["language"], "en");
    assert!(d["metadata"]["language_score"].as_f64().unwrap() > 0.9);
    // The default pipeline's cleaning steps leave the article's own text (tests/seed.rs checks
    // exactly what they remove); every byte of it comes from the file.
    let original = std::fs::read_to_string(&seed).unwrap();
    let text = d["text"].as_str().unwrap();
    assert!(text.len() < original.len() && text.len() > original.len() / 2);
    assert!(text.split("\n\n").all(|p| original.contains(p)));
}
