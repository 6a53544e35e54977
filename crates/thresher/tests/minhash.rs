//! `thresher dedup minhash`: datatrove's signatures bit for bit (`--signatures-only`), and the
//! four-stage dedup run: datatrove's removed set and clusters, explainable removals, stages
//! split across ranks, interrupted and rerun.

mod common;

use common::*;
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[test]
fn signatures_equal_datatrove_on_real_web_text() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sigs.jsonl.zst");
    run_ok(
        thresher()
            .args(["dedup", "minhash", "--signatures-only", "-q"])
            .arg(data.join("webtext-docs/combined.jsonl.gz"))
            .arg("-o")
            .arg(&out),
    );
    let ours = read_jsonl(&out);
    // Oracle fixture: sha1 of the 112 values as little-endian u64, bucket after bucket.
    let theirs =
        read_jsonl(&repo().join("crates/thresher-dedup/tests/fixtures/combined.minhash.jsonl.gz"));
    assert_eq!(ours.len(), 2627);
    assert_eq!(ours.len(), theirs.len());
    let mut differ = Vec::new();
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a["id"], b["id"]);
        let sig = &a["minhash_sig"];
        let (n, sha) = if sig.is_null() {
            (serde_json::Value::Null, serde_json::Value::Null)
        } else {
            let buckets = sig["sig"].as_array().unwrap();
            assert_eq!(buckets.len(), 14);
            let mut h = Sha1::new();
            for bucket in buckets {
                let bucket = bucket.as_array().unwrap();
                assert_eq!(bucket.len(), 8);
                for v in bucket {
                    h.update(v.as_u64().unwrap().to_le_bytes());
                }
            }
            let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            (sig["n_shingles"].clone(), serde_json::Value::String(hex))
        };
        if n != b["n_shingles"] || sha != b["sig_sha1"] {
            differ.push(b["id"].to_string());
        }
    }
    assert!(differ.is_empty(), "signatures differ for {differ:?}");
}

#[test]
fn short_documents_get_no_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("d.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"only four words here\"}\n{\"id\":\"b\",\"text\":\"now there are five words\"}\n",
    )
    .unwrap();
    let out = tmp.path().join("s.jsonl");
    run_ok(
        thresher()
            .args(["dedup", "minhash", "--signatures-only", "-q"])
            .arg(&input)
            .arg("-o")
            .arg(&out),
    );
    let recs = read_jsonl(&out);
    assert!(recs[0]["minhash_sig"].is_null());
    assert_eq!(recs[1]["minhash_sig"]["n_shingles"], 1);
}

/// The documents of the bundled real-web-text corpus.
fn combined_docs(data: &Path) -> Vec<Value> {
    read_jsonl(&data.join("webtext-docs/combined.jsonl.gz"))
}

/// Writes `docs` into `n` JSONL shards (round robin) under `dir`; returns the folder.
fn write_shards(dir: &Path, docs: &[Value], n: usize) -> PathBuf {
    let input = dir.join("input");
    std::fs::create_dir_all(&input).unwrap();
    let mut parts = vec![String::new(); n];
    for (i, d) in docs.iter().enumerate() {
        parts[i % n].push_str(&serde_json::to_string(d).unwrap());
        parts[i % n].push('\n');
    }
    for (i, p) in parts.iter().enumerate() {
        std::fs::write(input.join(format!("part-{i:02}.jsonl")), p).unwrap();
    }
    input
}

/// Every document of a dedup output folder by id: (removed, cluster id or -1, cluster size,
/// the whole record).
fn outcome(out: &Path) -> BTreeMap<String, (bool, i64, u64, Value)> {
    let mut m = BTreeMap::new();
    for d in all_output_docs(out) {
        let md = &d["metadata"];
        let c = (
            false,
            md["cluster_id"].as_i64().unwrap_or(-1),
            md["cluster_size"].as_u64().unwrap_or(1),
        );
        assert!(md.get("duplicate_of").is_none());
        m.insert(d["id"].as_str().unwrap().to_string(), (c.0, c.1, c.2, d));
    }
    for d in rejects_docs(out) {
        assert_eq!(d["dropped_by"], "minhash_dedup");
        assert_eq!(d["reason"], "near_duplicate");
        let md = &d["metadata"];
        let c = (
            true,
            md["cluster_id"].as_i64().unwrap(),
            md["cluster_size"].as_u64().unwrap(),
        );
        let prev = m.insert(d["id"].as_str().unwrap().to_string(), (c.0, c.1, c.2, d));
        assert!(prev.is_none(), "a document both kept and removed");
    }
    m
}

/// Every removed document names a kept document of its own cluster.
fn assert_explained(m: &BTreeMap<String, (bool, i64, u64, Value)>) {
    for (id, (removed, cluster, _, d)) in m {
        if !removed {
            continue;
        }
        let of = d["metadata"]["duplicate_of"]
            .as_str()
            .expect("duplicate_of");
        let (kept_removed, kept_cluster, _, _) = &m[of];
        assert!(!kept_removed, "{id}: duplicate_of {of} was removed too");
        assert_eq!(
            kept_cluster, cluster,
            "{id}: duplicate_of {of} is in another cluster"
        );
    }
}

fn dedup(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    run_ok(
        thresher()
            .args(["dedup", "minhash", "-q", "--annotate"])
            .arg(input)
            .arg("-o")
            .arg(out)
            .args(extra),
    )
}

#[test]
fn full_dedup_equals_datatrove_on_real_web_text() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    dedup(&data.join("webtext-docs/combined.jsonl.gz"), &out, &[]);
    let ours = outcome(&out);
    // datatrove 0.10.1's four stages over the same file (datatrove_oracle.py --minhash-dedup).
    let theirs =
        read_jsonl(&repo().join("crates/thresher-dedup/tests/fixtures/combined.minhash.jsonl.gz"));
    assert_eq!(ours.len(), theirs.len());
    let mut removed = 0;
    for t in &theirs {
        let (r, c, n, _) = &ours[t["id"].as_str().unwrap()];
        let d = &t["dedup"];
        assert_eq!(
            (*r, *c, *n),
            (
                d["removed"].as_bool().unwrap(),
                d["cluster"].as_i64().unwrap(),
                d["cluster_size"].as_u64().unwrap()
            ),
            "{}",
            t["id"]
        );
        removed += usize::from(*r);
    }
    assert_eq!(removed, 182);
    assert_explained(&ours);
    // Kept documents keep their input order and text.
    let input = combined_docs(&data);
    let kept: Vec<&Value> = input
        .iter()
        .filter(|d| !ours[d["id"].as_str().unwrap()].0)
        .collect();
    let written = all_output_docs(&out);
    assert_eq!(written.len(), kept.len());
    for (w, k) in written.iter().zip(kept) {
        assert_eq!((&w["id"], &w["text"]), (&k["id"], &k["text"]));
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("minhash.json")).unwrap()).unwrap();
    assert_eq!(
        (summary["docs"].as_u64(), summary["removed"].as_u64()),
        (Some(2627), Some(182))
    );
}

/// The documents of a finished dedup output folder, file by file (names and contents).
fn snapshot(out: &Path) -> Vec<(String, Vec<Value>)> {
    let mut v = output_docs(out);
    let rejects = out.join("rejects");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&rejects)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    for f in files {
        v.push((
            format!("rejects/{}", f.file_name().unwrap().to_string_lossy()),
            read_jsonl(&f),
        ));
    }
    v
}

#[test]
fn stages_on_ranks_equal_one_run_and_keep_rules_choose() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = write_shards(tmp.path(), &combined_docs(&data), 5);
    let whole = tmp.path().join("whole");
    dedup(&input, &whole, &[]);
    let expected = snapshot(&whole);
    let m = outcome(&whole);
    assert_explained(&m);
    assert!(m.values().filter(|v| v.0).count() > 150);

    // Each stage by ranks of 3 (clusters on rank 0), in a separate work folder.
    let split = tmp.path().join("split");
    let work = tmp.path().join("work");
    for stage in ["signatures", "buckets", "clusters", "filter"] {
        for rank in 0..3 {
            let out = run_ok(
                thresher()
                    .args(["dedup", "minhash", "-q", "--annotate"])
                    .arg(&input)
                    .arg("-o")
                    .arg(&split)
                    .arg("--work")
                    .arg(&work)
                    .args([
                        "--stage",
                        stage,
                        "--rank",
                        &rank.to_string(),
                        "--world-size",
                        "3",
                    ]),
            );
            assert!(out.status.success());
        }
    }
    assert_eq!(snapshot(&split), expected);

    // A later stage before an earlier one is an error that names what is missing.
    let early = tmp.path().join("early");
    let out = thresher()
        .args(["dedup", "minhash", "-q", "--stage", "buckets"])
        .arg(&input)
        .arg("-o")
        .arg(&early)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("stage `signatures` has not finished"),
        "{err}"
    );

    // The same work folder with other settings is refused without --overwrite.
    let out = thresher()
        .args(["dedup", "minhash", "-q", "--keep", "first"])
        .arg(&input)
        .arg("-o")
        .arg(&whole)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("different MinHash run"),
        "{err}"
    );

    // keep=first: the first member of each cluster in input order (shard, then line) is kept.
    let first = tmp.path().join("first");
    dedup(&input, &first, &["--keep", "first"]);
    let f = outcome(&first);
    assert_explained(&f);
    let order: Vec<String> = output_docs(&input)
        .into_iter()
        .flat_map(|(_, docs)| docs)
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for id in &order {
        let (removed, cluster, _, _) = &f[id];
        if *cluster >= 0 {
            assert_eq!(*removed, !seen.insert(*cluster), "{id}");
        }
    }
    // The same clusters (as sets of documents) whatever is kept.
    fn members(m: &BTreeMap<String, (bool, i64, u64, Value)>) -> Vec<Vec<String>> {
        let mut by: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (id, v) in m {
            if v.1 >= 0 {
                by.entry(v.1).or_default().push(id.clone());
            }
        }
        let mut sets: Vec<Vec<String>> = by.into_values().collect();
        sets.sort();
        sets
    }
    assert_eq!(members(&f), members(&m));
}

#[test]
fn interrupted_stages_rerun_to_the_same_result() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = write_shards(tmp.path(), &combined_docs(&data), 12);
    let clean = tmp.path().join("clean");
    dedup(&input, &clean, &[]);
    let expected = snapshot(&clean);

    // Kill the run as soon as the first shard's signatures are done, then as soon as the
    // first shard is filtered; each rerun picks up what is there.
    let out = tmp.path().join("out");
    let work = out.join(".minhash");
    for marker in [
        work.join("signatures/00000.minhash.ids"),
        work.join("done/part-00.json"),
    ] {
        let mut child = thresher()
            .args(["dedup", "minhash", "-q", "--annotate", "-j", "1"])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !marker.exists() && started.elapsed().as_secs() < 120 {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(marker.exists(), "{} never appeared", marker.display());
        // It was stopped midway: the run had not finished.
        assert!(
            !out.join("minhash.json").exists(),
            "the run finished before it was killed"
        );
    }
    assert!(!work.join("done/part-11.json").exists());
    // A stage file damaged after the fact is an error that names it, never a wrong answer.
    let pairs = work.join("pairs/00003.minhash.dups");
    if pairs.exists() {
        let bytes = std::fs::read(&pairs).unwrap();
        std::fs::write(&pairs, &bytes[..bytes.len() - 5]).unwrap();
        let o = thresher()
            .args([
                "dedup",
                "minhash",
                "-q",
                "--annotate",
                "--stage",
                "clusters",
            ])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if !work.join("clusters/summary.json").exists() {
            assert!(
                !o.status.success() && err.contains("00003.minhash.dups"),
                "{err}"
            );
        }
        std::fs::write(&pairs, &bytes).unwrap();
    }
    dedup(&input, &out, &[]);
    assert_eq!(snapshot(&out), expected);
    // Nothing half-written is left behind.
    let stray: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}

#[test]
fn a_damaged_stage_file_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("d.jsonl");
    let text = "one two three four five six seven eight nine ten eleven twelve";
    std::fs::write(
        &input,
        format!("{{\"id\":\"a\",\"text\":\"{text}\"}}\n{{\"id\":\"b\",\"text\":\"{text}\"}}\n"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    for stage in ["signatures", "buckets"] {
        run_ok(
            thresher()
                .args(["dedup", "minhash", "-q", "--stage", stage])
                .arg(&input)
                .arg("-o")
                .arg(&out),
        );
    }
    let sig = out.join(".minhash/signatures/bucket_000/00000.minhash.sig");
    let pairs = out.join(".minhash/pairs/00000.minhash.dups");
    let mut bytes = std::fs::read(&pairs).unwrap();
    let n = bytes.len();
    bytes[n - 30] ^= 0xff; // inside the one pair record: the checksum no longer matches
    std::fs::write(&pairs, &bytes).unwrap();
    let o = thresher()
        .args(["dedup", "minhash", "-q", "--stage", "clusters"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains(&pairs.display().to_string())
            && err.contains("checksum"),
        "{err}"
    );
    assert!(sig.exists());
    // Removing the damaged file and rerunning the stage that makes it repairs the run.
    std::fs::remove_file(&pairs).unwrap();
    for stage in ["buckets", "clusters", "filter"] {
        run_ok(
            thresher()
                .args(["dedup", "minhash", "-q", "--stage", stage])
                .arg(&input)
                .arg("-o")
                .arg(&out),
        );
    }
    let rejects = rejects_docs(&out);
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["id"], "b");
    assert_eq!(rejects[0]["metadata"]["duplicate_of"], "a");
    assert_eq!(rejects[0]["metadata"]["cluster_size"], 2);
}

#[test]
fn pipeline_step_removes_what_the_command_removes() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = write_shards(tmp.path(), &combined_docs(&data), 3);
    let cmd = tmp.path().join("cmd");
    dedup(&input, &cmd, &[]);
    let expected = outcome(&cmd);

    let pipeline = tmp.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "[[steps]]\ntype = \"minhash_dedup\"\nannotate = true\n",
    )
    .unwrap();
    let out = tmp.path().join("run");
    run_quiet(Some(&pipeline), &input, &out);
    let got = outcome(&out);
    assert_eq!(got.len(), expected.len());
    for (id, (removed, cluster, size, d)) in &expected {
        let g = &got[id];
        assert_eq!((g.0, g.1, g.2), (*removed, *cluster, *size), "{id}");
        assert_eq!(
            g.3["metadata"]["duplicate_of"], d["metadata"]["duplicate_of"],
            "{id}"
        );
    }
    assert!(out.join("rejects/part-00.minhash_dedup.jsonl.zst").exists());
    let stats = stats(&out);
    assert_eq!(
        stats["steps"]["minhash_dedup"]["dropped"]["near_duplicate"].as_u64(),
        Some(expected.values().filter(|v| v.0).count() as u64),
        "{stats}"
    );
    // The first pass's files and the stages' files are gone once the run is done.
    assert!(!out.join(".thresher/work/minhash").exists());
}
