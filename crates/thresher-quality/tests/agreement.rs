//! Agreement with datatrove 0.10.1: every filter's decision and reason (and for C4 the
//! rewritten text's SHA-1) on real web text and on edge cases, against the oracle's decisions
//! committed in `tests/fixtures/*.decisions.jsonl.gz` (made by `make_decisions.py` from
//! `../shared/peers/datatrove_oracle.py`).
//!
//! Two word sources are measured: the `thresher-tokenize` tokenizer, and, when the oracle's
//! full output with `--emit-words` is at hand (`target/oracle/combined.full.jsonl`, or
//! `$THRESHER_ORACLE_FULL`), datatrove's own words of each original text, which tests the
//! filter logic alone. Texts that C4 rewrote with a citation cut out still need the tokenizer
//! there; such documents are counted apart.
//!
//! Every corpus document is checked; `THRESHER_AGREEMENT_SAMPLE=N` checks every Nth only (for
//! unoptimised builds: the workspace's dev profile optimises this crate and the tokenizer).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use sha1::{Digest, Sha1};
use thresher_quality::{
    C4Quality, C4QualityOptions, Chain, FineWebQuality, FineWebQualityOptions, GopherQuality,
    GopherQualityOptions, GopherRepetition, GopherRepetitionOptions, TextFilter, TextView,
    ViewFilter, WordSource,
};
use thresher_tokenize::Tokenizer;

const FILTERS: [&str; 5] = [
    "gopher_repetition",
    "gopher_quality",
    "c4_quality",
    "c4_quality_fineweb",
    "fineweb_quality",
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_path() -> PathBuf {
    manifest().join("../../../shared/data/webtext-docs/combined.jsonl.gz")
}

/// Every how many corpus documents to check.
fn sample_step() -> usize {
    std::env::var("THRESHER_AGREEMENT_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn oracle_full_path() -> PathBuf {
    std::env::var_os("THRESHER_ORACLE_FULL")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("../../target/oracle/combined.full.jsonl"))
}

fn lines(path: &Path) -> Box<dyn Iterator<Item = Value>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    Box::new(
        reader
            .lines()
            .map(|l| l.expect("read"))
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(&l).expect("json")),
    )
}

fn sha16(text: &str) -> String {
    let digest = Sha1::digest(text.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One decision: keep, reason (chain: "dropped_by/reason"), SHA-1 prefix of the text after.
#[derive(Debug, Clone, PartialEq)]
struct Decision {
    keep: bool,
    reason: Option<String>,
    sha: Option<String>,
}

impl Decision {
    fn from_fixture(v: &Value, chain: bool) -> Decision {
        let a = v.as_array().expect("decision array");
        let s = |i: usize| a[i].as_str().map(str::to_string);
        if chain {
            Decision {
                keep: a[0].as_bool().expect("keep"),
                reason: s(1).map(|by| format!("{by}/{}", s(2).unwrap_or_default())),
                sha: s(3),
            }
        } else {
            Decision {
                keep: a[0].as_bool().expect("keep"),
                reason: s(1),
                sha: s(2),
            }
        }
    }
}

struct Expected {
    filters: HashMap<&'static str, Decision>,
    chain: Decision,
}

fn read_expected(path: &Path) -> HashMap<String, Expected> {
    lines(path)
        .map(|v| {
            let id = v["id"].as_str().expect("id").to_string();
            let filters = FILTERS
                .iter()
                .map(|&f| (f, Decision::from_fixture(&v[f], false)))
                .collect();
            let chain = Decision::from_fixture(&v["fineweb_chain"], true);
            (id, Expected { filters, chain })
        })
        .collect()
}

/// datatrove's words of known texts; any other text (rewritten by C4) goes to the tokenizer,
/// and is counted.
struct OracleWords {
    by_text: HashMap<String, Vec<String>>,
    fallbacks: AtomicUsize,
}

impl WordSource for OracleWords {
    fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        if let Some(words) = self.by_text.get(text) {
            let mut out = Vec::with_capacity(words.len());
            let mut cursor = 0;
            for w in words {
                match text[cursor..].find(w.as_str()) {
                    Some(off) => {
                        out.push(&text[cursor + off..cursor + off + w.len()]);
                        cursor += off + w.len();
                    }
                    None => panic!("oracle word {w:?} not in its text"),
                }
            }
            return out;
        }
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        Tokenizer::english().words(text)
    }
}

struct Filters {
    each: Vec<Box<dyn ViewFilter>>,
    chain: Chain,
}

fn filters(source: Option<Arc<dyn WordSource>>) -> Filters {
    match source {
        None => Filters {
            each: vec![
                Box::new(GopherRepetition::new(Default::default()).unwrap()),
                Box::new(GopherQuality::new(Default::default()).unwrap()),
                Box::new(C4Quality::new(Default::default()).unwrap()),
                Box::new(C4Quality::new(C4QualityOptions::fineweb()).unwrap()),
                Box::new(FineWebQuality::new(Default::default()).unwrap()),
            ],
            chain: Chain::fineweb("eng").unwrap(),
        },
        Some(s) => Filters {
            each: vec![
                Box::new(GopherRepetition::with_word_source(
                    GopherRepetitionOptions::default(),
                    s.clone(),
                )),
                Box::new(GopherQuality::with_word_source(
                    GopherQualityOptions::default(),
                    s.clone(),
                )),
                Box::new(C4Quality::with_word_source(
                    C4QualityOptions::default(),
                    s.clone(),
                )),
                Box::new(C4Quality::with_word_source(
                    C4QualityOptions::fineweb(),
                    s.clone(),
                )),
                Box::new(FineWebQuality::with_word_source(
                    FineWebQualityOptions::default(),
                    s.clone(),
                )),
            ],
            chain: Chain::fineweb_with_word_source(s),
        },
    }
}

#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
    /// Disagreements on documents where the oracle's words did not cover every text.
    agree_retokenized: usize,
    total_retokenized: usize,
    mismatches: Vec<String>,
}

impl Tally {
    fn add(&mut self, id: &str, name: &str, ours: &Decision, theirs: &Decision, retok: bool) {
        let same = ours == theirs;
        if retok {
            self.total_retokenized += 1;
            self.agree_retokenized += same as usize;
        } else {
            self.total += 1;
            self.agree += same as usize;
        }
        if !same {
            self.mismatches.push(format!(
                "  {id}  {name}{}: ours {:?} {:?} {:?}, datatrove {:?} {:?} {:?}",
                if retok { " (retokenized)" } else { "" },
                ours.keep,
                ours.reason,
                ours.sha,
                theirs.keep,
                theirs.reason,
                theirs.sha
            ));
        }
    }

    fn rate(&self) -> f64 {
        (self.agree + self.agree_retokenized) as f64
            / (self.total + self.total_retokenized).max(1) as f64
    }
}

struct Report {
    label: String,
    tallies: Vec<(String, Tally)>,
}

impl Report {
    fn print(&self, max_mismatches: usize) {
        eprintln!("== {} ==", self.label);
        for (name, t) in &self.tallies {
            eprintln!(
                "{name:<20} {:>5}/{:<5} agree ({:.2}%){}",
                t.agree + t.agree_retokenized,
                t.total + t.total_retokenized,
                100.0 * t.rate(),
                if t.total_retokenized > 0 {
                    format!(
                        "; with oracle words only {}/{}, retokenized {}/{}",
                        t.agree, t.total, t.agree_retokenized, t.total_retokenized
                    )
                } else {
                    String::new()
                }
            );
        }
        for (_, t) in &self.tallies {
            for m in t.mismatches.iter().take(max_mismatches) {
                eprintln!("{m}");
            }
            if t.mismatches.len() > max_mismatches {
                eprintln!("  ... {} more", t.mismatches.len() - max_mismatches);
            }
        }
    }

    fn rate(&self, name: &str) -> f64 {
        self.tallies
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0.0, |(_, t)| t.rate())
    }
}

fn ours_check(filter: &dyn ViewFilter, view: &TextView<'_>) -> Decision {
    let check = filter.check_view(view, None);
    let c4 = filter.name().starts_with("c4_quality");
    Decision {
        keep: check.check.keep,
        sha: (c4 && check.check.keep)
            .then(|| sha16(check.check.rewritten.as_deref().unwrap_or(view.text()))),
        reason: check.check.reason,
    }
}

fn evaluate(
    label: &str,
    docs: &[(String, String)],
    expected: &HashMap<String, Expected>,
    source: Option<Arc<OracleWords>>,
) -> Report {
    let f = filters(source.clone().map(|s| s as Arc<dyn WordSource>));
    let mut tallies: Vec<(String, Tally)> = FILTERS
        .iter()
        .chain(["fineweb_chain"].iter())
        .map(|n| (n.to_string(), Tally::default()))
        .collect();
    let fallbacks = || {
        source
            .as_ref()
            .map_or(0, |s| s.fallbacks.load(Ordering::Relaxed))
    };
    for (id, text) in docs {
        let Some(exp) = expected.get(id) else {
            panic!("{id}: no oracle decision")
        };
        let view = TextView::new(text);
        if let Some(s) = &source {
            view.words(s.as_ref());
        }
        for (k, filter) in f.each.iter().enumerate() {
            let before = fallbacks();
            let ours = ours_check(filter.as_ref(), &view);
            let retok = fallbacks() > before;
            tallies[k]
                .1
                .add(id, FILTERS[k], &ours, &exp.filters[FILTERS[k]], retok);
        }
        let before = fallbacks();
        let r = f.chain.run(text, None);
        let retok = fallbacks() > before;
        let ours = Decision {
            keep: r.keep,
            reason: r
                .dropped_by
                .map(|by| format!("{by}/{}", r.reason.unwrap_or_default())),
            sha: r.keep.then(|| sha16(&r.text)),
        };
        tallies[5]
            .1
            .add(id, "fineweb_chain", &ours, &exp.chain, retok);
    }
    Report {
        label: label.to_string(),
        tallies,
    }
}

fn read_docs(path: &Path) -> Vec<(String, String)> {
    lines(path)
        .map(|v| {
            (
                v["id"].as_str().expect("id").to_string(),
                v["text"].as_str().expect("text").to_string(),
            )
        })
        .collect()
}

/// The 1 MB edge cases, as `gen_edge_cases.py` makes them.
fn generated_docs() -> Vec<(String, String)> {
    let mut words = String::new();
    let mut i = 0;
    while words.len() < 1_000_000 {
        words.push_str(&format!("w{} ", i % 1000));
        i += 1;
    }
    words.truncate(1_000_000);
    let mut short_lines = "Short line of text here.\n".repeat(40_000);
    short_lines.truncate(1_000_000);
    vec![
        ("gen/one-mb-line-words".into(), words),
        ("gen/one-mb-word".into(), "a".repeat(1_000_000)),
        ("gen/one-mb-lines".into(), short_lines),
    ]
}

#[test]
fn edge_cases_agree_with_datatrove() {
    let fixtures = manifest().join("tests/fixtures");
    let expected = read_expected(&fixtures.join("edge-cases.decisions.jsonl.gz"));
    let mut docs = read_docs(&fixtures.join("edge-cases.jsonl"));
    docs.extend(generated_docs());
    assert_eq!(docs.len(), expected.len());
    let report = evaluate("edge cases, thresher-tokenize", &docs, &expected, None);
    report.print(100);
    // All agree with the tokenizer port; the floor leaves room for a rare tokenizer difference.
    for name in FILTERS.iter().chain(["fineweb_chain"].iter()) {
        assert!(
            report.rate(name) >= 0.97,
            "{name}: {:.4} < 0.97",
            report.rate(name)
        );
    }
}

#[test]
fn combined_corpus_agrees_with_datatrove() {
    let corpus = corpus_path();
    if !corpus.exists() {
        eprintln!(
            "SKIP: {} not found (the shared text corpus)",
            corpus.display()
        );
        return;
    }
    let expected = read_expected(&manifest().join("tests/fixtures/combined.decisions.jsonl.gz"));
    let all = read_docs(&corpus);
    assert_eq!(all.len(), expected.len());
    let step = sample_step();
    let docs: Vec<(String, String)> = all.into_iter().step_by(step).collect();
    let sample = if step == 1 {
        String::new()
    } else {
        format!(" (every {step}th doc)")
    };

    let started = Instant::now();
    let report = evaluate(
        &format!("combined.jsonl.gz{sample}, thresher-tokenize"),
        &docs,
        &expected,
        None,
    );
    report.print(15);
    eprintln!("({:.1} s)", started.elapsed().as_secs_f64());
    // With the tokenizer port all agree; the floor leaves room for rare tokenizer differences.
    for name in FILTERS.iter().chain(["fineweb_chain"].iter()) {
        assert!(
            report.rate(name) >= 0.99,
            "{name}: {:.4} < 0.99",
            report.rate(name)
        );
    }

    let full = oracle_full_path();
    if !full.exists() {
        eprintln!("SKIP oracle words: {} not found", full.display());
        return;
    }
    let mut by_text = HashMap::new();
    let texts: HashMap<&str, &str> = docs.iter().map(|(i, t)| (i.as_str(), t.as_str())).collect();
    for v in lines(&full) {
        let id = v["id"].as_str().expect("id");
        let Some(&text) = texts.get(id) else {
            continue; // not in the sample
        };
        let Some(words) = v["words"].as_array() else {
            eprintln!(
                "SKIP oracle words: {} has no words (--emit-words)",
                full.display()
            );
            return;
        };
        let words: Vec<String> = words
            .iter()
            .map(|w| w.as_str().expect("word").to_string())
            .collect();
        by_text.insert(text.to_string(), words);
    }
    let source = Arc::new(OracleWords {
        by_text,
        fallbacks: AtomicUsize::new(0),
    });
    let started = Instant::now();
    let report = evaluate(
        &format!("combined.jsonl.gz{sample}, datatrove's words"),
        &docs,
        &expected,
        Some(source),
    );
    report.print(15);
    eprintln!("({:.1} s)", started.elapsed().as_secs_f64());
    // The filter logic itself: every decision.
    for name in FILTERS.iter().chain(["fineweb_chain"].iter()) {
        assert!(
            report.rate(name) >= 0.999,
            "{name}: {:.4} < 0.999",
            report.rate(name)
        );
    }
}

/// The chain shares words between filters and hands C4's words on; it must decide exactly as
/// the filters run one after another on fresh texts.
#[test]
fn chain_equals_filters_in_sequence() {
    let fixtures = manifest().join("tests/fixtures");
    let mut docs = read_docs(&fixtures.join("edge-cases.jsonl"));
    let corpus = corpus_path();
    if corpus.exists() {
        docs.extend(read_docs(&corpus).into_iter().step_by(sample_step()));
    }
    let chain = Chain::fineweb("eng").unwrap();
    let steps: Vec<Box<dyn TextFilter>> = vec![
        Box::new(GopherRepetition::default()),
        Box::new(GopherQuality::default()),
        Box::new(C4Quality::fineweb()),
        Box::new(FineWebQuality::default()),
    ];
    for (id, text) in &docs {
        let r = chain.run(text, None);
        let mut current = text.clone();
        let mut expected = (true, None, None);
        for step in &steps {
            let c = step.check(&current, None);
            if !c.keep {
                expected = (false, Some(step.name().to_string()), c.reason);
                break;
            }
            if let Some(t) = c.rewritten {
                current = t;
            }
        }
        assert_eq!((r.keep, r.dropped_by, r.reason), expected, "{id}");
        if r.keep {
            assert_eq!(r.text, current, "{id}");
        }
    }
}

/// Non-default parameters, as `fixtures/make_config_decisions.py` sets them for datatrove.
fn configs() -> Vec<(&'static str, Box<dyn TextFilter>)> {
    vec![
        (
            "c4_sentences",
            Box::new(
                C4Quality::new(C4QualityOptions {
                    split_paragraph: false,
                    ..Default::default()
                })
                .unwrap(),
            ),
        ),
        (
            "c4_loose",
            Box::new(
                C4Quality::new(C4QualityOptions {
                    remove_citations: false,
                    min_words_per_line: -1,
                    max_word_length: -1,
                    min_num_sentences: -1,
                    filter_curly_bracket: false,
                    filter_lorem_ipsum: false,
                    ..Default::default()
                })
                .unwrap(),
            ),
        ),
        (
            "c4_strict",
            Box::new(
                C4Quality::new(C4QualityOptions {
                    min_num_sentences: 12,
                    min_words_per_line: 8,
                    max_word_length: 20,
                    filter_javascript: false,
                    filter_policy: false,
                    ..Default::default()
                })
                .unwrap(),
            ),
        ),
        (
            "gopher_repetition_custom",
            Box::new(
                GopherRepetition::new(GopherRepetitionOptions {
                    dup_line_frac: None,
                    dup_para_frac: Some(0.0),
                    dup_line_char_frac: Some(0.05),
                    dup_para_char_frac: None,
                    top_n_grams: vec![(1, 0.08), (5, 0.05)],
                    dup_n_grams: vec![(3, 0.06), (2, 0.1)],
                    ..Default::default()
                })
                .unwrap(),
            ),
        ),
        (
            "gopher_quality_custom",
            Box::new(
                GopherQuality::new(GopherQualityOptions {
                    min_doc_words: None,
                    max_doc_words: Some(800),
                    min_avg_word_length: Some(4.0),
                    max_avg_word_length: None,
                    max_symbol_word_ratio: Some(0.02),
                    max_bullet_lines_ratio: Some(0.2),
                    max_ellipsis_lines_ratio: Some(0.05),
                    max_non_alpha_words_ratio: Some(0.9),
                    min_stop_words: Some(3),
                    stop_words: Some(vec!["a".into(), "an".into(), "in".into(), "is".into()]),
                    ..Default::default()
                })
                .unwrap(),
            ),
        ),
        (
            "fineweb_custom",
            Box::new(
                FineWebQuality::new(FineWebQualityOptions {
                    line_punct_thr: 0.5,
                    line_punct_exclude_zero: true,
                    stop_chars: Some(vec![".".into(), "!".into(), "…".into()]),
                    short_line_thr: 0.3,
                    short_line_length: 50,
                    char_duplicates_ratio: 0.1,
                    new_line_ratio: 0.1,
                    ..Default::default()
                })
                .unwrap(),
            ),
        ),
    ]
}

/// Every parameter away from its default, on the edge cases and every 8th corpus document.
#[test]
fn non_default_parameters_agree_with_datatrove() {
    let fixtures = manifest().join("tests/fixtures");
    let mut docs = read_docs(&fixtures.join("edge-cases.jsonl"));
    let corpus = corpus_path();
    if corpus.exists() {
        docs.extend(read_docs(&corpus).into_iter().step_by(8));
    } else {
        eprintln!("corpus not found: edge cases only");
    }
    let expected: HashMap<String, Value> = lines(&fixtures.join("configs.decisions.jsonl.gz"))
        .map(|v| (v["id"].as_str().expect("id").to_string(), v))
        .collect();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (name, filter) in configs() {
        for (id, text) in &docs {
            let theirs = &expected[id][name];
            if theirs.is_null() {
                continue; // datatrove raised
            }
            let theirs = Decision::from_fixture(theirs, false);
            let c = filter.check(text, None);
            let ours = Decision {
                keep: c.keep,
                sha: c
                    .keep
                    .then(|| sha16(c.rewritten.as_deref().unwrap_or(text))),
                reason: c.reason,
            };
            compared += 1;
            if ours != theirs {
                mismatches.push(format!(
                    "  {id}  {name}: ours {ours:?}, datatrove {theirs:?}"
                ));
            }
        }
    }
    eprintln!(
        "non-default parameters: {}/{compared} agree",
        compared - mismatches.len()
    );
    for m in &mismatches {
        eprintln!("{m}");
    }
    assert!(mismatches.len() * 100 <= compared, "over 1% disagree");
}
