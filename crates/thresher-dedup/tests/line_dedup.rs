//! Line / paragraph dedup (`thresher_dedup::lines`) on real fixtures from `shared/data`:
//!
//! - the CS336 assignment's exact-line-dedup fixture (`neardup/cs336-dedup-fixtures`), whose
//!   expected output is "every line that occurs more than once removed" (`Keep::None`);
//! - paragraphs of the Clough–Stevenson source texts, reused, re-spaced and re-wrapped;
//! - the 2,627 real web documents of `webtext-docs/combined.jsonl.gz`: the sorted-hash passes,
//!   the Bloom filter and the in-memory reference must agree.
//!
//! The shared data lives outside the repository (CI has it); without it these tests fail and
//! say where they looked.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use thresher_dedup::lines::files::{hashes_path, removals_path};
use thresher_dedup::lines::{
    dedup_in_memory, find_line_duplicates, BloomLineDedup, Keep, LineDedupConfig, LineDedupError,
    LineHashWriter, MergeSummary, ShardLineRemovals, Unit,
};

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

fn read(rel: &str) -> String {
    let p = data(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One document's result, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Out {
    text: String,
    removed: Vec<u32>,
    emptied: bool,
}

/// The three sorted passes over `shards` (shard `s` = `shards[s]`, in input order) with
/// `partitions` hash partitions.
fn sorted(
    config: &LineDedupConfig,
    shards: &[Vec<&str>],
    partitions: u32,
) -> (Vec<Vec<Out>>, MergeSummary) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (h, r) = (dir.path().join("hashes"), dir.path().join("removals"));
    for (s, docs) in shards.iter().enumerate() {
        let mut w = LineHashWriter::new(config, s as u32, partitions).expect("pass 1");
        for d in docs {
            w.push(d).expect("push");
        }
        w.finish(&h).expect("pass 1 finish");
    }
    let mut total = MergeSummary::default();
    for p in 0..partitions {
        let files: Vec<PathBuf> = (0..shards.len() as u32)
            .map(|s| hashes_path(&h, p, s))
            .collect();
        let m = find_line_duplicates(&files, config, &r).expect("pass 2");
        total.units += m.units;
        total.distinct += m.distinct;
        total.repeated += m.repeated;
        total.removed += m.removed;
    }
    let out = shards
        .iter()
        .enumerate()
        .map(|(s, docs)| {
            let rm = ShardLineRemovals::load_dir(&r, config, s as u32, partitions).expect("load");
            docs.iter()
                .enumerate()
                .map(|(i, d)| {
                    let x = rm.apply(i as u32, d).expect("pass 3");
                    Out {
                        text: x.text.into_owned(),
                        removed: x.removed.iter().map(|u| u.index).collect(),
                        emptied: x.emptied,
                    }
                })
                .collect()
        })
        .collect();
    (out, total)
}

fn in_memory(config: &LineDedupConfig, docs: &[&str]) -> Vec<Out> {
    dedup_in_memory(config, docs)
        .expect("in memory")
        .into_iter()
        .map(|x| Out {
            text: x.text.into_owned(),
            removed: x.removed.iter().map(|u| u.index).collect(),
            emptied: x.emptied,
        })
        .collect()
}

fn bloom(config: &LineDedupConfig, docs: &[&str], expected: u64, fpr: f64) -> Vec<Out> {
    let mut b = BloomLineDedup::new(config, expected, fpr).expect("bloom");
    docs.iter()
        .map(|d| {
            let x = b.filter(d);
            Out {
                text: x.text.into_owned(),
                removed: x.removed.iter().map(|u| u.index).collect(),
                emptied: x.emptied,
            }
        })
        .collect()
}

fn cs336_inputs() -> Vec<String> {
    (1..=5)
        .map(|i| {
            read(&format!(
                "neardup/cs336-dedup-fixtures/documents_with_line_duplicates/doc{i}.txt"
            ))
        })
        .collect()
}

fn config(unit: Unit, keep: Keep) -> LineDedupConfig {
    LineDedupConfig {
        unit,
        keep,
        ..LineDedupConfig::default()
    }
}

#[test]
fn cs336_line_dedup_fixture_keep_none() {
    let inputs = cs336_inputs();
    let expected: Vec<String> = (1..=5)
        .map(|i| {
            read(&format!(
                "neardup/cs336-dedup-fixtures/documents_line_deduplicated/doc{i}.txt"
            ))
        })
        .collect();
    let docs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let c = config(Unit::Line, Keep::None);
    // Two shards, two partitions: the split must not matter.
    let (out, summary) = sorted(&c, &[docs[..2].to_vec(), docs[2..].to_vec()], 2);
    let flat: Vec<Out> = out.into_iter().flatten().collect();
    for (i, (got, want)) in flat.iter().zip(&expected).enumerate() {
        assert_eq!(&got.text, want, "doc{}.txt", i + 1);
    }
    // doc1 and doc2 are the same single line: both emptied.
    assert!(flat[0].emptied && flat[1].emptied);
    assert!(!flat[2].emptied && !flat[4].changed());
    assert_eq!(
        (summary.units, summary.repeated, summary.removed),
        (10, 3, 6)
    );
    assert_eq!(in_memory(&c, &docs), flat);
}

impl Out {
    fn changed(&self) -> bool {
        !self.removed.is_empty()
    }
}

#[test]
fn cs336_fixture_keep_first() {
    let inputs = cs336_inputs();
    let docs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let c = config(Unit::Line, Keep::First);
    let (out, _) = sorted(&c, std::slice::from_ref(&docs), 1);
    let texts: Vec<&str> = out[0].iter().map(|o| o.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            docs[0],
            "",
            docs[2],
            "<Insert generic page content here for doc4.txt>\n",
            docs[4]
        ]
    );
    assert!(out[0][1].emptied);
    assert_eq!(out[0][3].removed, [0, 1]);
    assert_eq!(in_memory(&c, &docs), out[0]);
    assert_eq!(bloom(&c, &docs, 100, 1e-9), out[0]);
}

#[test]
fn paragraphs_of_real_text() {
    let a = read("neardup/clough-stevenson-short-answers/orig_taska.txt");
    let b_src = read("neardup/clough-stevenson-short-answers/orig_taskb.txt");
    // The source is paragraphs separated by single blank lines, no trailing newline.
    let paras: Vec<&str> = a.split("\n\n").collect();
    assert_eq!(paras.len(), 6, "{a:?}");
    assert!(paras
        .iter()
        .all(|p| !p.trim().is_empty() && !p.contains("\n\n")));
    assert!(paras[4].contains('\n'), "a two-line paragraph");
    assert!(!b_src.starts_with('\n'));
    // B: one of A's paragraphs, then another text.
    let b = format!("{}\n\n{}", paras[2], b_src);
    // C: two of A's paragraphs re-spaced with CRLF endings and re-wrapped (one line instead of
    // two), between unique lines; the blank run after P1 is the longest one.
    let c = format!(
        "Intro line unique\r\n\r\n{}\r\n\r\n\r\n{}\n\nUnique closing.\n",
        paras[1].replace(' ', "  "),
        paras[4].replace('\n', " ")
    );
    let docs = [a.as_str(), b.as_str(), c.as_str()];
    let c_expected = "Intro line unique\r\n\r\n\r\nUnique closing.\n";

    let first = config(Unit::Paragraph, Keep::First);
    let want = [a.as_str(), b_src.as_str(), c_expected];
    let (out, _) = sorted(&first, &[docs[..1].to_vec(), docs[1..].to_vec()], 3);
    let out: Vec<Out> = out.into_iter().flatten().collect();
    let texts: Vec<&str> = out.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, want);
    assert_eq!(out[2].removed, [1, 2]);
    assert_eq!(in_memory(&first, &docs), out);
    assert_eq!(bloom(&first, &docs, 1000, 1e-9), out);

    let none = config(Unit::Paragraph, Keep::None);
    let a_expected = [paras[0], paras[3], paras[5]].join("\n\n");
    let want = [a_expected.as_str(), b_src.as_str(), c_expected];
    let (out, _) = sorted(&none, &[docs.to_vec()], 1);
    let texts: Vec<&str> = out[0].iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, want);
    assert_eq!(out[0][0].removed, [1, 2, 4]);
    assert_eq!(in_memory(&none, &docs), out[0]);

    // As lines instead, the re-wrapped paragraph no longer matches line for line.
    let lines = config(Unit::Line, Keep::First);
    let out = in_memory(&lines, &docs);
    assert_eq!(out[2].removed, [1]);
}

fn combined_texts() -> Vec<String> {
    let p = data("webtext-docs/combined.jsonl.gz");
    let file = std::fs::File::open(&p).expect("open corpus");
    std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("line")).expect("JSON");
            v["text"].as_str().expect("text").to_string()
        })
        .collect()
}

#[test]
fn sorted_bloom_and_reference_agree_on_real_web_text() {
    let texts = combined_texts();
    assert_eq!(texts.len(), 2627);
    let docs: Vec<&str> = texts.iter().map(String::as_str).collect();
    // Four shards in input order.
    let shards: Vec<Vec<&str>> = docs
        .chunks(docs.len().div_ceil(4))
        .map(<[_]>::to_vec)
        .collect();
    for unit in [Unit::Line, Unit::Paragraph] {
        let c = config(unit, Keep::First);
        let reference = in_memory(&c, &docs);
        let (out, summary) = sorted(&c, &shards, 3);
        let out: Vec<Out> = out.into_iter().flatten().collect();
        assert_eq!(
            out, reference,
            "{unit:?}: sorted passes vs in-memory reference"
        );
        let removed: usize = out.iter().map(|o| o.removed.len()).sum();
        let emptied = out.iter().filter(|o| o.emptied).count();
        let changed = out.iter().filter(|o| o.changed()).count();
        println!(
            "combined.jsonl.gz {unit:?} keep=first: {} units, {} distinct, {} repeated, {removed} \
             removed from {changed} documents, {emptied} documents emptied",
            summary.units, summary.distinct, summary.repeated
        );
        assert_eq!(summary.removed as usize, removed);
        assert!(removed > 0);

        // A Bloom filter sized for the corpus at 1e-6: no false positive expected (and the
        // test is deterministic), so exactly the same result.
        assert_eq!(bloom(&c, &docs, summary.distinct, 1e-6), out, "{unit:?}");

        // At 1 %, false positives remove some unique units: a superset of the exact removals,
        // with extra removals of about (at most) the configured rate.
        let loose = bloom(&c, &docs, summary.distinct, 0.01);
        let mut extra = 0usize;
        for (l, e) in loose.iter().zip(&out) {
            assert!(
                e.removed.iter().all(|u| l.removed.contains(u)),
                "a Bloom filter never misses a real duplicate"
            );
            extra += l.removed.len() - e.removed.len();
        }
        let unique = summary.distinct as f64;
        println!(
            "  bloom at 1%: {extra} unique units removed by false positives ({:.3}% of {} distinct)",
            100.0 * extra as f64 / unique,
            summary.distinct
        );
        assert!((extra as f64) < unique * 0.01, "{extra}");
    }
    // Keep::None: sorted passes vs reference.
    let c = config(Unit::Line, Keep::None);
    let (out, summary) = sorted(&c, &shards, 2);
    let out: Vec<Out> = out.into_iter().flatten().collect();
    assert_eq!(out, in_memory(&c, &docs));
    println!(
        "combined.jsonl.gz Line keep=none: {} removed, {} documents emptied",
        summary.removed,
        out.iter().filter(|o| o.emptied).count()
    );
}

#[test]
fn truncated_stage_files_are_errors_naming_the_file() {
    let inputs = cs336_inputs();
    let c = config(Unit::Line, Keep::None);
    let dir = tempfile::tempdir().expect("temp dir");
    let (h, r) = (dir.path().join("hashes"), dir.path().join("removals"));
    let mut w = LineHashWriter::new(&c, 0, 1).expect("pass 1");
    for d in &inputs {
        w.push(d).expect("push");
    }
    let files = w.finish(&h).expect("finish");
    assert_eq!(files, [hashes_path(&h, 0, 0)]);

    let good = std::fs::read(&files[0]).expect("read");
    std::fs::write(&files[0], &good[..good.len() - 9]).expect("truncate");
    let err = find_line_duplicates(&files, &c, &r).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LineDedupError::Corrupt { .. }), "{msg}");
    assert!(
        msg.contains(&files[0].display().to_string()) && msg.contains("truncated"),
        "{msg}"
    );

    std::fs::write(&files[0], &good).expect("restore");
    find_line_duplicates(&files, &c, &r).expect("pass 2");
    let rp = removals_path(&r, 0, 0);
    let good = std::fs::read(&rp).expect("read");
    std::fs::write(&rp, &good[..40]).expect("truncate");
    let msg = ShardLineRemovals::load_dir(&r, &c, 0, 1)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&rp.display().to_string()) && msg.contains("truncated"),
        "{msg}"
    );
    // A missing partition file is an I/O error naming it.
    std::fs::remove_file(&rp).expect("remove");
    let msg = ShardLineRemovals::load_dir(&r, &c, 0, 1)
        .unwrap_err()
        .to_string();
    assert!(msg.contains(&rp.display().to_string()), "{msg}");
}
