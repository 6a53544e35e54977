//! `thresher eval extraction`: its scores equal those of `shared/peers/extract_score.py` on
//! the predictions it writes, on small subsets of the real AEB and trafilatura-eval sets and
//! on a generic dataset of text in many scripts (which checks the `\w` tokenisation against
//! Python's `re`).

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `python3` and `../shared/peers/extract_score.py`, when both are there.
fn scorer() -> Option<PathBuf> {
    let script = shared()?.join("peers/extract_score.py");
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    (ok && script.is_file()).then_some(script)
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// An AEB-format copy of the first `n` pages of `src`, plus one truth entry without a page.
fn aeb_subset(src: &Path, dst: &Path, n: usize) {
    std::fs::create_dir_all(dst.join("html")).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(src.join("html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let gt = read_json(&src.join("ground-truth.json"));
    let mut sub = serde_json::Map::new();
    for f in files.iter().take(n) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(f, dst.join("html").join(&name)).unwrap();
        let id = name.split('.').next().unwrap();
        sub.insert(id.to_string(), gt[id].clone());
    }
    let extra = files[n].file_name().unwrap().to_string_lossy().into_owned();
    let extra = extra.split('.').next().unwrap();
    sub.insert(extra.to_string(), gt[extra].clone());
    std::fs::write(
        dst.join("ground-truth.json"),
        serde_json::to_vec(&Value::Object(sub)).unwrap(),
    )
    .unwrap();
}

/// A trafilatura-eval copy of `n` entries of `src`: about half of them pages that are not
/// valid UTF-8 (legacy charsets), from both `cache/` and `eval/`.
fn trafilatura_subset(src: &Path, dst: &Path, n: usize) {
    let ed = read_json(&src.join("evaldata.json"));
    let (mut utf8, mut legacy) = (Vec::new(), Vec::new());
    for (url, item) in ed.as_object().unwrap() {
        let gz = format!("{}.gz", item["file"].as_str().unwrap());
        let dir = if src.join("cache").join(&gz).is_file() {
            "cache"
        } else {
            "eval"
        };
        let path = src.join(dir).join(&gz);
        let bucket = if std::str::from_utf8(&gunzip(&path)).is_ok() {
            &mut utf8
        } else {
            &mut legacy
        };
        if bucket.len() < n / 2 || (dir == "cache" && bucket.len() < n) {
            bucket.push((url.clone(), item.clone(), dir, gz));
        }
        if utf8.len() >= n && legacy.len() >= n / 2 {
            break;
        }
    }
    legacy.truncate(n / 2);
    utf8.truncate(n - legacy.len());
    let mut sub = serde_json::Map::new();
    for (url, item, dir, gz) in utf8.into_iter().chain(legacy) {
        std::fs::create_dir_all(dst.join(dir)).unwrap();
        std::fs::copy(src.join(dir).join(&gz), dst.join(dir).join(&gz)).unwrap();
        sub.insert(url, item);
    }
    assert_eq!(sub.len(), n);
    std::fs::write(
        dst.join("evaldata.json"),
        serde_json::to_vec(&Value::Object(sub)).unwrap(),
    )
    .unwrap();
}

/// A generic dataset whose truth texts run through thousands of code points of many
/// scripts (letters, marks, digits, symbols, punctuation, spaces); each page's HTML holds the
/// same text with some characters dropped or changed, so token boundaries decide the score.
fn generic_unicode_dataset(dst: &Path) {
    std::fs::create_dir_all(dst.join("html/sub")).unwrap();
    let mut truth = String::new();
    let ranges: [(u32, u32, u32); 6] = [
        (0x20, 0x250, 1),      // Latin, controls, symbols, superscripts, NBSP
        (0x300, 0x700, 3),     // combining marks, Greek, Cyrillic, Hebrew, Arabic
        (0x900, 0xE00, 2),     // Indic scripts with their vowel signs
        (0x1C00, 0x2200, 5),   // more marks, general punctuation, letterlike, number forms
        (0x2460, 0x3100, 7),   // enclosed alphanumerics, CJK symbols, kana
        (0x4E00, 0x1FB00, 97), // CJK, Hangul, astral letters and digits, unassigned
    ];
    let chars: Vec<char> = ranges
        .iter()
        .flat_map(|&(lo, hi, step)| (lo..hi).step_by(step as usize))
        .filter_map(char::from_u32)
        .filter(|c| !matches!(c, '<' | '&' | '>' | '\r') && !c.is_control() || *c == '\x1c')
        .collect();
    for (page, chunk) in chars.chunks(200).enumerate() {
        // Short runs of consecutive code points, so that most shingles match and every
        // token boundary shows in the counts.
        let spaced = |keep: &dyn Fn(usize) -> bool| -> String {
            let mut s = String::new();
            for (i, c) in chunk.iter().enumerate().filter(|(i, _)| keep(*i)) {
                s.push(*c);
                if i % 3 == 2 {
                    s.push(' ');
                }
            }
            s
        };
        let text = spaced(&|_| true);
        let pred = spaced(&|i| i % 23 != 7);
        let id = format!("u{page:03}");
        let html = format!("<html><body><p>{pred}</p></body></html>");
        if page % 2 == 0 {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(html.as_bytes()).unwrap();
            std::fs::write(
                dst.join(format!("html/sub/{id}.html.gz")),
                e.finish().unwrap(),
            )
            .unwrap();
        } else {
            std::fs::write(dst.join(format!("html/{id}.htm")), html).unwrap();
        }
        truth.push_str(
            &serde_json::json!({"page_id": id, "plaintext": format!("{text} {text}")}).to_string(),
        );
        truth.push('\n');
    }
    std::fs::write(dst.join("truth.jsonl"), truth).unwrap();
}

/// Runs `thresher eval extraction --json` with `-o` and `--per-page` and checks its scores
/// against extract_score.py's on the written files.
fn check_against_python(script: &Path, dataset: &Path, backend: &str, tmp: &Path) {
    let pred = tmp.join(format!("{backend}.jsonl"));
    let pages = tmp.join(format!("{backend}.pages.jsonl"));
    let out = run_ok(
        thresher()
            .args(["eval", "extraction", "-q", "--json", "--backend", backend])
            .arg(dataset)
            .arg("-o")
            .arg(&pred)
            .arg("--per-page")
            .arg(&pages),
    );
    let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &ours["results"][0];
    assert_eq!(result["backend"], backend);
    assert!(result["pages_per_s"].as_f64().unwrap() > 0.0);
    let py_pages = tmp.join(format!("{backend}.py-pages.jsonl"));
    let py = Command::new("python3")
        .arg(script)
        .arg(&pred)
        .arg(dataset)
        .args(["--n-bootstrap", "0", "--per-page"])
        .arg(&py_pages)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let theirs: Value = serde_json::from_slice(&py.stdout).unwrap();
    let what = format!("{} / {backend}", dataset.display());
    eprintln!("{what}: ours {}", result["score"]["metrics"]);
    eprintln!("{what}: extract_score.py {}", theirs["metrics"]);
    assert_eq!(result["score"]["mode"], theirs["mode"], "{what}");
    for key in ["missing_ids", "unknown_ids"] {
        assert_eq!(result["score"][key], theirs[key], "{what}: {key}");
    }
    assert_values_close(&result["score"]["metrics"], &theirs["metrics"], &what);
    let by_id = |path: &Path| -> BTreeMap<String, Value> {
        read_jsonl(path)
            .into_iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), r))
            .collect()
    };
    let (a, b) = (by_id(&pages), by_id(&py_pages));
    assert_eq!(a.len(), b.len(), "{what}: per-page rows");
    for (id, row) in &b {
        assert_values_close(&a[id], row, &format!("{what}: page {id}"));
    }
}

/// Same keys; numbers within 1e-12, everything else equal.
fn assert_values_close(ours: &Value, theirs: &Value, what: &str) {
    let (a, b) = (ours.as_object().unwrap(), theirs.as_object().unwrap());
    let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(a), keys(b), "{what}");
    for (k, v) in b {
        match (a[k].as_f64(), v.as_f64()) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-12, "{what}: {k} {x} != {y}"),
            _ => assert_eq!(&a[k], v, "{what}: {k}"),
        }
    }
}

#[test]
fn scores_equal_extract_score_py() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let Some(script) = scorer() else {
        eprintln!("skipped: python3 or ../shared/peers/extract_score.py not available");
        return;
    };
    let dev = data.join("extraction-dev");
    let tmp = tempfile::tempdir().unwrap();

    let aeb = tmp.path().join("aeb");
    aeb_subset(&dev.join("scrapinghub-aeb"), &aeb, 10);
    let traf = tmp.path().join("trafilatura-eval");
    trafilatura_subset(&dev.join("trafilatura-eval"), &traf, 10);
    let generic = tmp.path().join("generic");
    generic_unicode_dataset(&generic);

    for (dataset, backend) in [
        (&aeb, "trafilatura"),
        (&aeb, "plain"),
        (&traf, "trafilatura"),
        (&traf, "plain"),
        (&generic, "plain"),
    ] {
        let out = tmp.path().join(format!(
            "out-{}",
            dataset.file_name().unwrap().to_string_lossy()
        ));
        std::fs::create_dir_all(&out).unwrap();
        check_against_python(&script, dataset, backend, &out);
    }
}

#[test]
fn several_backends_table_and_files() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    std::fs::create_dir_all(ds.join("html")).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b"<html><body><nav>Home | About</nav><article><p>The quick brown fox jumps over the lazy dog.</p></article></body></html>").unwrap();
    std::fs::write(ds.join("html/p1.html.gz"), e.finish().unwrap()).unwrap();
    std::fs::write(
        ds.join("ground-truth.json"),
        r#"{"p1": {"articleBody": "The quick brown fox jumps over the lazy dog.", "url": "https://example.com/a"}}"#,
    )
    .unwrap();
    let pred = tmp.path().join("out/pred.jsonl");
    let out = run_ok(
        thresher()
            .args([
                "eval",
                "extraction",
                "--backend",
                "plain",
                "-b",
                "trafilatura",
            ])
            .arg(&ds)
            .arg("-o")
            .arg(&pred)
            .args(["--repeat", "2"]),
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("precision") && table.contains("pages/s"),
        "{table}"
    );
    assert!(
        table.contains("plain") && table.contains("trafilatura"),
        "{table}"
    );
    for b in ["plain", "trafilatura"] {
        let rows = read_jsonl(&tmp.path().join(format!("out/pred.{b}.jsonl")));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["id"], "p1");
    }

    // errors name the file and fail cleanly
    let bad = thresher()
        .args(["eval", "extraction"])
        .arg(tmp.path().join("missing"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing"));
    let bad = thresher()
        .args(["eval", "extraction", "--backend", "nope"])
        .arg(&ds)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nope"));
}
