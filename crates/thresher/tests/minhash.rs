//! `thresher dedup minhash --signatures-only`: datatrove's signatures, bit for bit.

mod common;

use common::*;
use sha1::{Digest, Sha1};

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
