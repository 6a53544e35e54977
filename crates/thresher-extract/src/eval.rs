//! Scoring main-content extraction against ground truth, and timing backends over a dataset:
//! the library side of `thresher eval extraction`.
//!
//! The metrics are exactly those of `shared/peers/extract_score.py` (stdlib Python), so a
//! thresher number and a peer number scored by that script compare directly:
//!
//! - **AEB** (a folder with `ground-truth.json` and `html/<id>.html.gz`): the Article Body
//!   Extraction benchmark's `evaluate.py`. Tokens are the matches of Python's `\w+` (Unicode,
//!   case kept; see [`aeb_tokens`]); each text becomes the multiset of its 4-token shingles
//!   (a text of 1–3 tokens gives one short shingle, an empty text none); per page tp/fp/fn
//!   are the multiset intersection and differences, normalised by their sum. P is the mean
//!   page precision over pages with tp+fp > 0, R the mean page recall over pages with
//!   tp+fn > 0, F1 = 2PR/(P+R) of the two means, accuracy the share of pages whose token
//!   lists are identical (see [`aeb_precision`] for the special cases).
//! - **trafilatura** (a folder with `evaldata.json`, pages in `cache/<file>.gz` else
//!   `eval/<file>.gz`): trafilatura's `tests/eval_common.py`. Output and snippets are
//!   whitespace-normalised ([`ws_norm`]); a "with" snippet found as a substring is a TP, else
//!   FN; a "without" snippet found is an FP, else TN; a missing prediction finds nothing.
//!   Counts are summed over pages: P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN),
//!   accuracy = (TP+TN)/all.
//! - **generic** (a folder of `*.html`/`*.htm` pages, optionally gzipped, anywhere below it,
//!   and ground truth `{"page_id", "plaintext"}` in `ground-truth/*.jsonl[.gz]` or
//!   `*.jsonl[.gz]`): the AEB metric, overall and per truth file when there are several.
//!
//! Pages of the truth without a prediction count as empty output; prediction ids not in the
//! truth are counted (`unknown_ids`) and otherwise ignored. Means are computed with a
//! correctly rounded sum (Python's `math.fsum`, as `statistics.fmean` does), so the numbers
//! agree with the script's to the last bit, not just to a few decimals.
//!
//! Timing ([`run_backend`]) follows `shared/peers/extract_peers.py`: extraction only (reading
//! and gunzip are not timed), one untimed warm-up page, then `repeat` passes over all pages,
//! the fastest reported. AEB pages are UTF-8 and are decoded before timing (the script's
//! `--input str`); pages of the other kinds are raw bytes in mixed charsets and the charset
//! detection and decoding ([`crate::decode_html_for_url`]) is timed as part of extraction (its
//! `--input bytes`).
//!
//! This crate has no gzip decoder of its own: [`Dataset::load`] takes one from the caller.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::{json, Value};

use crate::{decode_html_for_url, Extractor};

// ------------------------------------------------------------------ errors

/// Why a dataset could not be loaded or predictions not written.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A JSON file or line did not parse.
    #[error("{}: invalid JSON: {source}", path.display())]
    Json {
        /// The file (with `:LINE` for JSONL).
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The dataset does not have the expected layout or fields.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> EvalError + '_ {
    move |source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn format_err(path: &Path, message: impl Into<String>) -> EvalError {
    EvalError::Format {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

// ------------------------------------------------------- Python text rules

/// Whether Python's `re` counts `c` as a word character (`\w` in a `str` pattern):
/// `str.isalnum()` or `_`. That is letters (Lu, Ll, Lt, Lm, Lo) and numbers (Nd, Nl, No and
/// other characters with a numeric value) — but not combining marks (Mn, Mc, Me) nor
/// connector punctuation other than `_`, unlike Rust's `regex` crate. So `\w+` splits
/// `"हिन्दी"` into `["ह", "न", "द"]` and `"e\u{301}"` (e + combining acute) into `["e"]`.
///
/// Non-ASCII characters are looked up in a table generated from CPython 3.11's `re`
/// (Unicode 14.0, the `python3` that runs the peer scripts here), so characters assigned in
/// later Unicode versions are not word characters.
pub fn is_py_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let cp = c as u32;
    let i = PY_WORD_RANGES.partition_point(|&(_, hi)| hi < cp);
    PY_WORD_RANGES.get(i).is_some_and(|&(lo, _)| lo <= cp)
}

/// Whether Python counts `c` as whitespace (`str.isspace()`, and `\s` of `re` on `str`):
/// Rust's [`char::is_whitespace`] plus the information separators U+001C..U+001F.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The tokens of the AEB metric: Python's `re.findall(r"\w+", text)`.
pub fn aeb_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_py_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// trafilatura's whitespace normalisation: Python's `re.sub(r"\s+", " ", s).strip()`.
pub fn ws_norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_py_space(c) {
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// Whether a text is empty after Python's `str.strip()`.
fn py_blank(s: &str) -> bool {
    s.chars().all(is_py_space)
}

/// A correctly rounded sum of floats: CPython's `math.fsum` (Shewchuk's algorithm with the
/// final half-way correction). `statistics.fmean` is `fsum(data) / len(data)`.
fn fsum(xs: impl IntoIterator<Item = f64>) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for mut x in xs {
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    let Some(mut n) = partials.len().checked_sub(1) else {
        return 0.0;
    };
    let mut hi = partials[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

/// Python's `statistics.fmean`; 0 for no values (where the script also gives 0).
fn fmean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        fsum(xs.iter().copied()) / xs.len() as f64
    }
}

// ---------------------------------------------------------------- AEB metric

/// One page's shingle counts under the AEB metric, normalised to sum 1 (all 0 when both
/// texts are empty).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageCounts {
    /// Shingles in both texts (multiset intersection).
    pub tp: f64,
    /// Shingles only in the prediction.
    pub fp: f64,
    /// Shingles only in the truth.
    pub fn_: f64,
}

fn shingles<'a>(toks: &'a [&'a str]) -> HashMap<&'a [&'a str], u32> {
    let mut m: HashMap<&[&str], u32> = HashMap::new();
    if toks.is_empty() {
        return m;
    }
    if toks.len() < 4 {
        m.insert(toks, 1);
        return m;
    }
    for w in toks.windows(4) {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

/// Scores one page under the AEB metric: normalised counts, and whether the token lists of
/// truth and prediction are identical. `None` (no prediction) counts as empty output.
pub fn aeb_page(truth: &str, pred: Option<&str>) -> (PageCounts, bool) {
    let tt = aeb_tokens(truth);
    let pt = aeb_tokens(pred.unwrap_or(""));
    let (t, p) = (shingles(&tt), shingles(&pt));
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (k, &a) in &t {
        let b = p.get(k).copied().unwrap_or(0);
        tp += u64::from(a.min(b));
        fn_ += u64::from(a.saturating_sub(b));
    }
    for (k, &b) in &p {
        let a = t.get(k).copied().unwrap_or(0);
        fp += u64::from(b.saturating_sub(a));
    }
    let s = tp + fp + fn_;
    let counts = if s == 0 {
        PageCounts {
            tp: 0.0,
            fp: 0.0,
            fn_: 0.0,
        }
    } else {
        let s = s as f64;
        PageCounts {
            tp: tp as f64 / s,
            fp: fp as f64 / s,
            fn_: fn_ as f64 / s,
        }
    };
    (counts, tt == pt)
}

/// Page precision of the AEB metric: 1 when the texts agree exactly (no fp, no fn, which
/// includes both empty), 0 when nothing was predicted (no tp, no fp), else tp/(tp+fp).
pub fn aeb_precision(c: PageCounts) -> f64 {
    if c.fp == 0.0 && c.fn_ == 0.0 {
        1.0
    } else if c.tp == 0.0 && c.fp == 0.0 {
        0.0
    } else {
        c.tp / (c.tp + c.fp)
    }
}

/// Page recall of the AEB metric: 1 when the texts agree exactly, 0 when the truth is empty
/// (no tp, no fn), else tp/(tp+fn).
pub fn aeb_recall(c: PageCounts) -> f64 {
    if c.fp == 0.0 && c.fn_ == 0.0 {
        1.0
    } else if c.tp == 0.0 && c.fn_ == 0.0 {
        0.0
    } else {
        c.tp / (c.tp + c.fn_)
    }
}

fn f1_of(p: f64, r: f64) -> f64 {
    if p + r != 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// P, R, F1 of a set of pages: the mean page precision over pages with tp+fp > 0 (a page
/// with an empty prediction has no precision), the mean page recall over pages with
/// tp+fn > 0 (a page with an empty truth has no recall), F1 of the two means.
fn aeb_aggregate(counts: &[PageCounts]) -> (f64, f64, f64) {
    let ps: Vec<f64> = counts
        .iter()
        .filter(|c| c.tp + c.fp > 0.0)
        .map(|&c| aeb_precision(c))
        .collect();
    let rs: Vec<f64> = counts
        .iter()
        .filter(|c| c.tp + c.fn_ > 0.0)
        .map(|&c| aeb_recall(c))
        .collect();
    let (p, r) = (fmean(&ps), fmean(&rs));
    (p, r, f1_of(p, r))
}

/// Snippet counts of the trafilatura metric, summed over pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnippetCounts {
    /// "with" snippets found.
    pub tp: u64,
    /// "without" snippets found.
    pub fp: u64,
    /// "with" snippets not found.
    pub fn_: u64,
    /// "without" snippets not found.
    pub tn: u64,
}

/// The metrics of one set of pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// AEB: share of pages whose token lists equal the truth's; trafilatura: (TP+TN)/all.
    pub accuracy: f64,
    /// Pages in the truth.
    pub pages: usize,
    /// Pages whose prediction is empty or missing (AEB: no `\w` token; trafilatura: blank).
    pub empty_predictions: usize,
    /// The summed snippet counts (trafilatura mode only).
    pub snippets: Option<SnippetCounts>,
}

impl Metrics {
    /// The metrics as `extract_score.py` prints them under `"metrics"`.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "f1": self.f1, "precision": self.precision, "recall": self.recall,
            "accuracy": self.accuracy, "pages": self.pages,
            "empty_predictions": self.empty_predictions,
        });
        if let (Some(s), Some(o)) = (self.snippets, v.as_object_mut()) {
            o.insert("tp".into(), s.tp.into());
            o.insert("fp".into(), s.fp.into());
            o.insert("fn".into(), s.fn_.into());
            o.insert("tn".into(), s.tn.into());
        }
        v
    }
}

/// Predictions by page id; `None` is a page the extractor failed on (JSON `null`).
pub type Predictions = BTreeMap<String, Option<String>>;

fn pred_text<'a>(pred: &'a Predictions, id: &str) -> Option<&'a str> {
    pred.get(id).and_then(|t| t.as_deref())
}

/// The AEB metric over the pages of `truth` (id → text). With `per_page`, one row per page
/// (sorted by id) in `extract_score.py --per-page`'s format.
pub fn aeb_score(
    truth: &BTreeMap<String, String>,
    pred: &Predictions,
    mut per_page: Option<&mut Vec<Value>>,
) -> Metrics {
    let mut counts = Vec::with_capacity(truth.len());
    let mut exact = Vec::with_capacity(truth.len());
    let mut empty = 0;
    for (id, text) in truth {
        let p = pred_text(pred, id);
        let (c, same) = aeb_page(text, p);
        let is_empty = aeb_tokens(p.unwrap_or("")).is_empty();
        empty += usize::from(is_empty);
        counts.push(c);
        exact.push(if same { 1.0 } else { 0.0 });
        if let Some(rows) = per_page.as_deref_mut() {
            let (pr, rc) = (aeb_precision(c), aeb_recall(c));
            rows.push(json!({
                "id": id, "precision": pr, "recall": rc, "f1": f1_of(pr, rc),
                "tp": c.tp, "fp": c.fp, "fn": c.fn_, "exact": same, "empty": is_empty,
            }));
        }
    }
    let (precision, recall, f1) = aeb_aggregate(&counts);
    Metrics {
        precision,
        recall,
        f1,
        accuracy: fmean(&exact),
        pages: truth.len(),
        empty_predictions: empty,
        snippets: None,
    }
}

// ------------------------------------------------------ trafilatura metric

/// One page of trafilatura's evaluation set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetTruth {
    /// The `evaldata.json` key (a URL, or a label like `hard::name`).
    pub url: String,
    /// The page's file name (without `.gz`): its id.
    pub file: String,
    /// Snippets the output must contain.
    pub with: Vec<String>,
    /// Snippets it must not contain.
    pub without: Vec<String>,
}

/// trafilatura's metric over `truth`. With `per_page`, one row per entry in
/// `extract_score.py --per-page`'s format (id, url, tp, fp, fn, tn, missing).
pub fn trafilatura_score(
    truth: &[SnippetTruth],
    pred: &Predictions,
    mut per_page: Option<&mut Vec<Value>>,
) -> Metrics {
    let mut s = SnippetCounts::default();
    let mut empty = 0;
    for item in truth {
        let out = pred_text(pred, &item.file);
        let (p_tp, p_fp) = match out {
            Some(out) => {
                let o = ws_norm(out);
                let found = |v: &[String]| v.iter().filter(|w| o.contains(&ws_norm(w))).count();
                (found(&item.with) as u64, found(&item.without) as u64)
            }
            None => (0, 0),
        };
        let p_fn = item.with.len() as u64 - p_tp;
        let p_tn = item.without.len() as u64 - p_fp;
        s.tp += p_tp;
        s.fp += p_fp;
        s.fn_ += p_fn;
        s.tn += p_tn;
        empty += usize::from(py_blank(out.unwrap_or("")));
        if let Some(rows) = per_page.as_deref_mut() {
            rows.push(json!({
                "id": item.file, "url": item.url, "tp": p_tp, "fp": p_fp, "fn": p_fn,
                "tn": p_tn, "missing": out.is_none(),
            }));
        }
    }
    let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    let total = s.tp + s.fp + s.fn_ + s.tn;
    Metrics {
        precision: ratio(s.tp, s.tp + s.fp),
        recall: ratio(s.tp, s.tp + s.fn_),
        f1: ratio(2 * s.tp, 2 * s.tp + s.fp + s.fn_),
        accuracy: ratio(s.tp + s.tn, total),
        pages: truth.len(),
        empty_predictions: empty,
        snippets: Some(s),
    }
}

// ------------------------------------------------------------ ground truth

/// The kind of a dataset, recognised from its files as the peer scripts do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetKind {
    /// `ground-truth.json` + `html/<id>.html.gz`.
    Aeb,
    /// `evaldata.json` + `cache/` and `eval/`.
    Trafilatura,
    /// HTML files below the folder + `{"page_id", "plaintext"}` JSONL truth.
    Generic,
}

impl DatasetKind {
    /// The name `extract_score.py` uses for the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::Aeb => "aeb",
            DatasetKind::Trafilatura => "trafilatura",
            DatasetKind::Generic => "generic",
        }
    }

    /// Recognises a dataset folder: `evaldata.json` first, then `ground-truth.json`, else
    /// generic (`extract_score.py`'s `guess_mode`).
    pub fn detect(dir: &Path) -> DatasetKind {
        if dir.join("evaldata.json").is_file() {
            DatasetKind::Trafilatura
        } else if dir.join("ground-truth.json").is_file() {
            DatasetKind::Aeb
        } else {
            DatasetKind::Generic
        }
    }

    /// Whether extraction gets raw bytes, charset detection timed with it (`--input bytes` of
    /// `extract_peers.py`); AEB pages are decoded as UTF-8 before timing (`--input str`).
    pub fn timed_decode(self) -> bool {
        self != DatasetKind::Aeb
    }
}

/// The ground truth of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub enum Truth {
    /// AEB article bodies by page id (`null` bodies are empty).
    Aeb(BTreeMap<String, String>),
    /// trafilatura's snippets, in `evaldata.json` key order.
    Trafilatura(Vec<SnippetTruth>),
    /// Plain texts by page id, per truth file (name before the first `.`), sorted by file.
    Generic(Vec<(String, BTreeMap<String, String>)>),
}

/// A scored prediction set: `extract_score.py`'s output less `predictions` and `dataset`.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Which metric.
    pub mode: DatasetKind,
    /// Over all pages.
    pub metrics: Metrics,
    /// Generic mode with several truth files: each file's metrics.
    pub subsets: Vec<(String, Metrics)>,
    /// Mean F1 over `subsets`, when there are several.
    pub macro_f1: Option<f64>,
    /// Truth pages without a prediction (scored as empty).
    pub missing_ids: usize,
    /// Prediction ids not in the truth (ignored).
    pub unknown_ids: usize,
}

impl Score {
    /// As `extract_score.py` prints it (without `predictions` and `dataset`).
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "mode": self.mode.as_str(), "metrics": self.metrics.to_json(),
            "missing_ids": self.missing_ids, "unknown_ids": self.unknown_ids,
        });
        if let (Some(m), Some(o)) = (self.macro_f1, v.as_object_mut()) {
            let subsets: serde_json::Map<String, Value> = self
                .subsets
                .iter()
                .map(|(name, s)| (name.clone(), s.to_json()))
                .collect();
            o.insert("subsets".into(), Value::Object(subsets));
            o.insert("macro_f1".into(), m.into());
        }
        v
    }
}

fn strip_html_suffix(id: &str) -> &str {
    id.strip_suffix(".html.gz")
        .or_else(|| id.strip_suffix(".html"))
        .unwrap_or(id)
}

impl Truth {
    /// The page ids of the truth.
    pub fn ids(&self) -> BTreeSet<&str> {
        match self {
            Truth::Aeb(gt) => gt.keys().map(String::as_str).collect(),
            Truth::Trafilatura(items) => items.iter().map(|i| i.file.as_str()).collect(),
            Truth::Generic(subsets) => subsets
                .iter()
                .flat_map(|(_, s)| s.keys().map(String::as_str))
                .collect(),
        }
    }

    /// Scores `pred` against this truth; with `per_page`, fills in one row per page (AEB:
    /// id, precision, recall, f1, tp, fp, fn, exact, empty; trafilatura: id, url, tp, fp,
    /// fn, tn, missing), as `extract_score.py --per-page` writes them.
    pub fn score(&self, pred: &Predictions, per_page: Option<&mut Vec<Value>>) -> Score {
        let stripped: Predictions;
        let pred = if matches!(self, Truth::Aeb(_)) {
            // AEB ids may carry the file suffix; the last of two equal ids wins, as in Python.
            stripped = pred
                .iter()
                .map(|(k, v)| (strip_html_suffix(k).to_string(), v.clone()))
                .collect();
            &stripped
        } else {
            pred
        };
        let (mode, metrics, subsets, macro_f1) = match self {
            Truth::Aeb(gt) => (
                DatasetKind::Aeb,
                aeb_score(gt, pred, per_page),
                vec![],
                None,
            ),
            Truth::Trafilatura(items) => (
                DatasetKind::Trafilatura,
                trafilatura_score(items, pred, per_page),
                vec![],
                None,
            ),
            Truth::Generic(files) => {
                let all: BTreeMap<String, String> = files
                    .iter()
                    .flat_map(|(_, s)| s.iter().map(|(k, v)| (k.clone(), v.clone())))
                    .collect();
                let metrics = aeb_score(&all, pred, per_page);
                let (subsets, macro_f1) = if files.len() > 1 {
                    let subsets: Vec<(String, Metrics)> = files
                        .iter()
                        .map(|(name, s)| (name.clone(), aeb_score(s, pred, None)))
                        .collect();
                    let f1s: Vec<f64> = subsets.iter().map(|(_, m)| m.f1).collect();
                    (subsets, Some(fmean(&f1s)))
                } else {
                    (vec![], None)
                };
                (DatasetKind::Generic, metrics, subsets, macro_f1)
            }
        };
        let known = self.ids();
        Score {
            mode,
            metrics,
            subsets,
            macro_f1,
            missing_ids: known.iter().filter(|k| !pred.contains_key(**k)).count(),
            unknown_ids: pred.keys().filter(|k| !known.contains(k.as_str())).count(),
        }
    }
}

// ------------------------------------------------------------------ datasets

/// One page to extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Its id in the truth and in the predictions.
    pub id: String,
    /// The HTML as stored (after gunzip).
    pub html: Vec<u8>,
    /// The page URL when the dataset gives one.
    pub url: Option<String>,
}

/// A dataset: its pages, in the order `extract_peers.py` runs them, and its truth.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The folder.
    pub path: PathBuf,
    /// Its kind.
    pub kind: DatasetKind,
    /// The pages.
    pub pages: Vec<Page>,
    /// The ground truth.
    pub truth: Truth,
}

/// A gzip decoder: compressed bytes in, decompressed bytes out.
pub type Gunzip<'a> = &'a dyn Fn(&[u8]) -> std::io::Result<Vec<u8>>;

fn read(path: &Path) -> Result<Vec<u8>, EvalError> {
    std::fs::read(path).map_err(io_err(path))
}

fn read_gz(path: &Path, gunzip: Gunzip<'_>) -> Result<Vec<u8>, EvalError> {
    gunzip(&read(path)?).map_err(io_err(path))
}

fn read_json(path: &Path) -> Result<Value, EvalError> {
    serde_json::from_slice(&read(path)?).map_err(|source| EvalError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Python's `str()` of a JSON id: strings as they are, numbers as JSON writes them.
fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A truth text: a string, or empty for `null`/missing.
fn text_field(v: Option<&Value>, path: &Path, what: &str) -> Result<String, EvalError> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format_err(
            path,
            format!("{what}: expected a string, found {other}"),
        )),
    }
}

fn sorted_dir(dir: &Path) -> Result<Vec<PathBuf>, EvalError> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io_err(dir))? {
        out.push(e.map_err(io_err(dir))?.path());
    }
    out.sort();
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Dataset {
    /// Loads a dataset folder of any [`DatasetKind`], reading every page into memory;
    /// `gunzip` decompresses the `.gz` files.
    pub fn load(path: &Path, gunzip: Gunzip<'_>) -> Result<Dataset, EvalError> {
        if !path.is_dir() {
            return Err(format_err(path, "not a dataset folder"));
        }
        let kind = DatasetKind::detect(path);
        let (pages, truth) = match kind {
            DatasetKind::Aeb => load_aeb(path, gunzip)?,
            DatasetKind::Trafilatura => load_trafilatura(path, gunzip)?,
            DatasetKind::Generic => load_generic(path, gunzip)?,
        };
        if pages.is_empty() {
            return Err(format_err(path, "no pages found"));
        }
        Ok(Dataset {
            path: path.to_path_buf(),
            kind,
            pages,
            truth,
        })
    }

    /// Total size of the pages' HTML in bytes.
    pub fn html_bytes(&self) -> usize {
        self.pages.iter().map(|p| p.html.len()).sum()
    }
}

fn load_aeb(dir: &Path, gunzip: Gunzip<'_>) -> Result<(Vec<Page>, Truth), EvalError> {
    let gt_path = dir.join("ground-truth.json");
    let raw = read_json(&gt_path)?;
    let obj = raw
        .as_object()
        .ok_or_else(|| format_err(&gt_path, "expected an object {id: {articleBody, url}}"))?;
    let mut gt = BTreeMap::new();
    let mut urls = HashMap::new();
    for (id, v) in obj {
        let body = text_field(v.get("articleBody"), &gt_path, id)?;
        gt.insert(id.clone(), body);
        if let Some(u) = v.get("url").and_then(Value::as_str) {
            urls.insert(id.clone(), u.to_string());
        }
    }
    let html_dir = dir.join("html");
    let mut pages = Vec::new();
    for p in sorted_dir(&html_dir)? {
        let name = file_name(&p);
        if !name.ends_with(".html.gz") || !p.is_file() {
            continue;
        }
        let id = name.split('.').next().unwrap_or_default().to_string();
        pages.push(Page {
            html: read_gz(&p, gunzip)?,
            url: urls.get(&id).cloned(),
            id,
        });
    }
    Ok((pages, Truth::Aeb(gt)))
}

fn strings(v: Option<&Value>, path: &Path, what: &str) -> Result<Vec<String>, EvalError> {
    let Some(arr) = v.and_then(Value::as_array) else {
        return Err(format_err(
            path,
            format!("{what}: expected a list of strings"),
        ));
    };
    arr.iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| format_err(path, format!("{what}: expected a list of strings")))
        })
        .collect()
}

fn load_trafilatura(dir: &Path, gunzip: Gunzip<'_>) -> Result<(Vec<Page>, Truth), EvalError> {
    let ed_path = dir.join("evaldata.json");
    let raw = read_json(&ed_path)?;
    let obj = raw
        .as_object()
        .ok_or_else(|| format_err(&ed_path, "expected an object {url: {file, with, without}}"))?;
    let mut items = Vec::with_capacity(obj.len());
    for (url, v) in obj {
        let file = v
            .get("file")
            .and_then(Value::as_str)
            .ok_or_else(|| format_err(&ed_path, format!("{url}: no \"file\"")))?;
        items.push(SnippetTruth {
            url: url.clone(),
            file: file.to_string(),
            with: strings(v.get("with"), &ed_path, &format!("{url}: \"with\""))?,
            without: strings(v.get("without"), &ed_path, &format!("{url}: \"without\""))?,
        });
    }
    // extract_peers.py runs the pages in sorted URL order.
    items.sort_by(|a, b| a.url.cmp(&b.url));
    let mut pages = Vec::with_capacity(items.len());
    for it in &items {
        let gz = format!("{}.gz", it.file);
        let path = [dir.join("cache").join(&gz), dir.join("eval").join(&gz)]
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| format_err(dir, format!("{gz} is in neither cache/ nor eval/")))?;
        pages.push(Page {
            id: it.file.clone(),
            html: read_gz(&path, gunzip)?,
            url: Some(it.url.clone()),
        });
    }
    Ok((pages, Truth::Trafilatura(items)))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), EvalError> {
    for p in sorted_dir(dir)? {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

fn load_generic(dir: &Path, gunzip: Gunzip<'_>) -> Result<(Vec<Page>, Truth), EvalError> {
    let mut truth_files = Vec::new();
    for folder in [dir.join("ground-truth"), dir.to_path_buf()] {
        if !folder.is_dir() {
            continue;
        }
        truth_files = sorted_dir(&folder)?
            .into_iter()
            .filter(|p| {
                let n = file_name(p);
                p.is_file() && (n.ends_with(".jsonl") || n.ends_with(".jsonl.gz"))
            })
            .collect();
        if !truth_files.is_empty() {
            break;
        }
    }
    if truth_files.is_empty() {
        return Err(format_err(
            dir,
            "not an AEB (ground-truth.json) or trafilatura (evaldata.json) dataset, and no \
             ground-truth JSONL ({page_id, plaintext}) in ground-truth/ or the folder",
        ));
    }
    let mut subsets = Vec::new();
    for p in &truth_files {
        let bytes = if file_name(p).ends_with(".gz") {
            read_gz(p, gunzip)?
        } else {
            read(p)?
        };
        let text = String::from_utf8(bytes).map_err(|_| format_err(p, "not UTF-8"))?;
        let mut recs = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = PathBuf::from(format!("{}:{}", p.display(), n + 1));
            let v: Value = serde_json::from_str(line).map_err(|source| EvalError::Json {
                path: at.clone(),
                source,
            })?;
            let id = v
                .get("page_id")
                .map(id_string)
                .ok_or_else(|| format_err(&at, "no \"page_id\""))?;
            recs.insert(id, text_field(v.get("plaintext"), &at, "plaintext")?);
        }
        let name = file_name(p)
            .split('.')
            .next()
            .unwrap_or_default()
            .to_string();
        subsets.push((name, recs));
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    let mut pages = Vec::new();
    let mut seen = BTreeSet::new();
    for p in files {
        let full = file_name(&p);
        let name = full.strip_suffix(".gz").unwrap_or(&full);
        let stem = name.strip_suffix(".html").unwrap_or(name);
        let stem = stem.strip_suffix(".htm").unwrap_or(stem);
        if stem == name {
            continue;
        }
        if !seen.insert(stem.to_string()) {
            return Err(format_err(&p, format!("duplicate page id {stem:?}")));
        }
        let html = if full.ends_with(".gz") {
            read_gz(&p, gunzip)?
        } else {
            read(&p)?
        };
        pages.push(Page {
            id: stem.to_string(),
            html,
            url: None,
        });
    }
    Ok((pages, Truth::Generic(subsets)))
}

// ------------------------------------------------------------------- running

/// How [`run_backend`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Timed passes over all pages; the fastest is reported (at least 1).
    pub repeat: usize,
    /// Threads (1: the single-thread figure peers are compared on; 0: all cores).
    pub threads: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            repeat: 1,
            threads: 1,
        }
    }
}

/// One page's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// Page id.
    pub id: String,
    /// The extracted text; `None` when the backend failed (JSON `null`).
    pub text: Option<String>,
}

/// What [`run_backend`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendRun {
    /// Backend name.
    pub backend: String,
    /// One prediction per page, in page order.
    pub predictions: Vec<Prediction>,
    /// Seconds of the fastest pass.
    pub seconds_best: f64,
    /// Passes timed.
    pub repeat: usize,
    /// Threads used.
    pub threads: usize,
    /// Pages the backend failed on (in the last pass).
    pub errors: usize,
    /// Pages where the backend ran a fallback instead of its own method.
    pub fallbacks: usize,
    /// Total HTML bytes of the pages.
    pub html_bytes: usize,
    /// Whether charset detection and decoding were timed with extraction.
    pub timed_decode: bool,
}

impl BackendRun {
    /// Pages per second of the fastest pass.
    pub fn pages_per_s(&self) -> f64 {
        self.predictions.len() as f64 / self.seconds_best.max(1e-9)
    }

    /// HTML megabytes (10^6 bytes) per second of the fastest pass.
    pub fn mb_per_s(&self) -> f64 {
        self.html_bytes as f64 / 1e6 / self.seconds_best.max(1e-9)
    }

    /// Pages with a missing or blank prediction.
    pub fn empty(&self) -> usize {
        self.predictions
            .iter()
            .filter(|p| py_blank(p.text.as_deref().unwrap_or("")))
            .count()
    }

    /// The predictions by id (of two equal ids, the later page wins, as in Python's `dict`).
    pub fn prediction_map(&self) -> Predictions {
        self.predictions
            .iter()
            .map(|p| (p.id.clone(), p.text.clone()))
            .collect()
    }

    /// Writes the predictions as JSONL, one `{"id", "text"}` per page: the format of
    /// `extract_peers.py` that `extract_score.py` reads.
    pub fn write_predictions(&self, w: &mut dyn Write) -> std::io::Result<()> {
        for p in &self.predictions {
            serde_json::to_writer(&mut *w, &json!({"id": p.id, "text": p.text}))?;
            w.write_all(b"\n")?;
        }
        w.flush()
    }
}

/// A page ready for the timed loop: decoded already (`Str`) or raw (`Bytes`).
enum Input<'a> {
    Str(String, Option<&'a str>),
    Bytes(&'a [u8], Option<&'a str>),
}

/// What one extraction gave: text (`None` on error) and whether a fallback ran.
type Outcome = (Option<String>, bool);

fn extract_one(ex: &dyn Extractor, input: &Input<'_>) -> Outcome {
    let run = || match input {
        Input::Str(html, url) => ex.extract(html, *url),
        Input::Bytes(bytes, url) => {
            let decoded = decode_html_for_url(bytes, None, *url);
            ex.extract(&decoded.text, *url)
        }
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(x)) => (Some(x.text), x.fallback.is_some()),
        Ok(Err(_)) | Err(_) => (None, false),
    }
}

fn http_url(url: &Option<String>) -> Option<&str> {
    url.as_deref()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

fn one_pass(ex: &dyn Extractor, inputs: &[Input<'_>], threads: usize) -> Vec<Outcome> {
    if threads <= 1 || inputs.len() < 2 {
        return inputs.iter().map(|i| extract_one(ex, i)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<Outcome> = vec![(None, false); inputs.len()];
    let parts: Vec<Vec<(usize, Outcome)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(inputs.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        mine.push((i, extract_one(ex, input)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (i, o) in parts.into_iter().flatten() {
        out[i] = o;
    }
    out
}

/// Runs `ex` over every page of `ds` and times it as `extract_peers.py` does: one untimed
/// warm-up page, then `opts.repeat` passes, the fastest reported; the predictions are those
/// of the last pass. Only extraction is timed — plus charset detection and decoding for
/// datasets of raw bytes ([`DatasetKind::timed_decode`]); the URL is passed when it is an
/// `http(s)` URL. A backend error or panic gives a `None` prediction.
pub fn run_backend(ex: &dyn Extractor, ds: &Dataset, opts: &RunOptions) -> BackendRun {
    let timed_decode = ds.kind.timed_decode();
    let inputs: Vec<Input<'_>> = ds
        .pages
        .iter()
        .map(|p| {
            let url = http_url(&p.url);
            if timed_decode {
                Input::Bytes(&p.html, url)
            } else {
                let html = p.html.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&p.html);
                Input::Str(String::from_utf8_lossy(html).into_owned(), url)
            }
        })
        .collect();
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if let Some(first) = inputs.first() {
        let _ = extract_one(ex, first);
    }
    let repeat = opts.repeat.max(1);
    let mut best = f64::INFINITY;
    let mut last = Vec::new();
    for _ in 0..repeat {
        let t0 = Instant::now();
        let out = one_pass(ex, &inputs, threads);
        best = best.min(t0.elapsed().as_secs_f64());
        last = out;
    }
    let errors = last.iter().filter(|o| o.0.is_none()).count();
    let fallbacks = last.iter().filter(|o| o.1).count();
    BackendRun {
        backend: ex.name().to_string(),
        predictions: ds
            .pages
            .iter()
            .zip(last)
            .map(|(p, (text, _))| Prediction {
                id: p.id.clone(),
                text,
            })
            .collect(),
        seconds_best: best,
        repeat,
        threads,
        errors,
        fallbacks,
        html_bytes: ds.html_bytes(),
        timed_decode,
    }
}

/// The non-ASCII code points Python 3.11's `re` matches with `\w` (Unicode 14.0), as
/// inclusive ranges; generated with
/// `[cp for cp in range(0x80, 0x110000) if re.match(r"\w", chr(cp))]`.
#[rustfmt::skip]
const PY_WORD_RANGES: &[(u32, u32)] = &[
    (0xAA, 0xAA), (0xB2, 0xB3), (0xB5, 0xB5), (0xB9, 0xBA), (0xBC, 0xBE), (0xC0, 0xD6),
    (0xD8, 0xF6), (0xF8, 0x2C1), (0x2C6, 0x2D1), (0x2E0, 0x2E4), (0x2EC, 0x2EC), (0x2EE, 0x2EE),
    (0x370, 0x374), (0x376, 0x377), (0x37A, 0x37D), (0x37F, 0x37F), (0x386, 0x386), (0x388, 0x38A),
    (0x38C, 0x38C), (0x38E, 0x3A1), (0x3A3, 0x3F5), (0x3F7, 0x481), (0x48A, 0x52F), (0x531, 0x556),
    (0x559, 0x559), (0x560, 0x588), (0x5D0, 0x5EA), (0x5EF, 0x5F2), (0x620, 0x64A), (0x660, 0x669),
    (0x66E, 0x66F), (0x671, 0x6D3), (0x6D5, 0x6D5), (0x6E5, 0x6E6), (0x6EE, 0x6FC), (0x6FF, 0x6FF),
    (0x710, 0x710), (0x712, 0x72F), (0x74D, 0x7A5), (0x7B1, 0x7B1), (0x7C0, 0x7EA), (0x7F4, 0x7F5),
    (0x7FA, 0x7FA), (0x800, 0x815), (0x81A, 0x81A), (0x824, 0x824), (0x828, 0x828), (0x840, 0x858),
    (0x860, 0x86A), (0x870, 0x887), (0x889, 0x88E), (0x8A0, 0x8C9), (0x904, 0x939), (0x93D, 0x93D),
    (0x950, 0x950), (0x958, 0x961), (0x966, 0x96F), (0x971, 0x980), (0x985, 0x98C), (0x98F, 0x990),
    (0x993, 0x9A8), (0x9AA, 0x9B0), (0x9B2, 0x9B2), (0x9B6, 0x9B9), (0x9BD, 0x9BD), (0x9CE, 0x9CE),
    (0x9DC, 0x9DD), (0x9DF, 0x9E1), (0x9E6, 0x9F1), (0x9F4, 0x9F9), (0x9FC, 0x9FC), (0xA05, 0xA0A),
    (0xA0F, 0xA10), (0xA13, 0xA28), (0xA2A, 0xA30), (0xA32, 0xA33), (0xA35, 0xA36), (0xA38, 0xA39),
    (0xA59, 0xA5C), (0xA5E, 0xA5E), (0xA66, 0xA6F), (0xA72, 0xA74), (0xA85, 0xA8D), (0xA8F, 0xA91),
    (0xA93, 0xAA8), (0xAAA, 0xAB0), (0xAB2, 0xAB3), (0xAB5, 0xAB9), (0xABD, 0xABD), (0xAD0, 0xAD0),
    (0xAE0, 0xAE1), (0xAE6, 0xAEF), (0xAF9, 0xAF9), (0xB05, 0xB0C), (0xB0F, 0xB10), (0xB13, 0xB28),
    (0xB2A, 0xB30), (0xB32, 0xB33), (0xB35, 0xB39), (0xB3D, 0xB3D), (0xB5C, 0xB5D), (0xB5F, 0xB61),
    (0xB66, 0xB6F), (0xB71, 0xB77), (0xB83, 0xB83), (0xB85, 0xB8A), (0xB8E, 0xB90), (0xB92, 0xB95),
    (0xB99, 0xB9A), (0xB9C, 0xB9C), (0xB9E, 0xB9F), (0xBA3, 0xBA4), (0xBA8, 0xBAA), (0xBAE, 0xBB9),
    (0xBD0, 0xBD0), (0xBE6, 0xBF2), (0xC05, 0xC0C), (0xC0E, 0xC10), (0xC12, 0xC28), (0xC2A, 0xC39),
    (0xC3D, 0xC3D), (0xC58, 0xC5A), (0xC5D, 0xC5D), (0xC60, 0xC61), (0xC66, 0xC6F), (0xC78, 0xC7E),
    (0xC80, 0xC80), (0xC85, 0xC8C), (0xC8E, 0xC90), (0xC92, 0xCA8), (0xCAA, 0xCB3), (0xCB5, 0xCB9),
    (0xCBD, 0xCBD), (0xCDD, 0xCDE), (0xCE0, 0xCE1), (0xCE6, 0xCEF), (0xCF1, 0xCF2), (0xD04, 0xD0C),
    (0xD0E, 0xD10), (0xD12, 0xD3A), (0xD3D, 0xD3D), (0xD4E, 0xD4E), (0xD54, 0xD56), (0xD58, 0xD61),
    (0xD66, 0xD78), (0xD7A, 0xD7F), (0xD85, 0xD96), (0xD9A, 0xDB1), (0xDB3, 0xDBB), (0xDBD, 0xDBD),
    (0xDC0, 0xDC6), (0xDE6, 0xDEF), (0xE01, 0xE30), (0xE32, 0xE33), (0xE40, 0xE46), (0xE50, 0xE59),
    (0xE81, 0xE82), (0xE84, 0xE84), (0xE86, 0xE8A), (0xE8C, 0xEA3), (0xEA5, 0xEA5), (0xEA7, 0xEB0),
    (0xEB2, 0xEB3), (0xEBD, 0xEBD), (0xEC0, 0xEC4), (0xEC6, 0xEC6), (0xED0, 0xED9), (0xEDC, 0xEDF),
    (0xF00, 0xF00), (0xF20, 0xF33), (0xF40, 0xF47), (0xF49, 0xF6C), (0xF88, 0xF8C), (0x1000, 0x102A),
    (0x103F, 0x1049), (0x1050, 0x1055), (0x105A, 0x105D), (0x1061, 0x1061), (0x1065, 0x1066), (0x106E, 0x1070),
    (0x1075, 0x1081), (0x108E, 0x108E), (0x1090, 0x1099), (0x10A0, 0x10C5), (0x10C7, 0x10C7), (0x10CD, 0x10CD),
    (0x10D0, 0x10FA), (0x10FC, 0x1248), (0x124A, 0x124D), (0x1250, 0x1256), (0x1258, 0x1258), (0x125A, 0x125D),
    (0x1260, 0x1288), (0x128A, 0x128D), (0x1290, 0x12B0), (0x12B2, 0x12B5), (0x12B8, 0x12BE), (0x12C0, 0x12C0),
    (0x12C2, 0x12C5), (0x12C8, 0x12D6), (0x12D8, 0x1310), (0x1312, 0x1315), (0x1318, 0x135A), (0x1369, 0x137C),
    (0x1380, 0x138F), (0x13A0, 0x13F5), (0x13F8, 0x13FD), (0x1401, 0x166C), (0x166F, 0x167F), (0x1681, 0x169A),
    (0x16A0, 0x16EA), (0x16EE, 0x16F8), (0x1700, 0x1711), (0x171F, 0x1731), (0x1740, 0x1751), (0x1760, 0x176C),
    (0x176E, 0x1770), (0x1780, 0x17B3), (0x17D7, 0x17D7), (0x17DC, 0x17DC), (0x17E0, 0x17E9), (0x17F0, 0x17F9),
    (0x1810, 0x1819), (0x1820, 0x1878), (0x1880, 0x1884), (0x1887, 0x18A8), (0x18AA, 0x18AA), (0x18B0, 0x18F5),
    (0x1900, 0x191E), (0x1946, 0x196D), (0x1970, 0x1974), (0x1980, 0x19AB), (0x19B0, 0x19C9), (0x19D0, 0x19DA),
    (0x1A00, 0x1A16), (0x1A20, 0x1A54), (0x1A80, 0x1A89), (0x1A90, 0x1A99), (0x1AA7, 0x1AA7), (0x1B05, 0x1B33),
    (0x1B45, 0x1B4C), (0x1B50, 0x1B59), (0x1B83, 0x1BA0), (0x1BAE, 0x1BE5), (0x1C00, 0x1C23), (0x1C40, 0x1C49),
    (0x1C4D, 0x1C7D), (0x1C80, 0x1C88), (0x1C90, 0x1CBA), (0x1CBD, 0x1CBF), (0x1CE9, 0x1CEC), (0x1CEE, 0x1CF3),
    (0x1CF5, 0x1CF6), (0x1CFA, 0x1CFA), (0x1D00, 0x1DBF), (0x1E00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45),
    (0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B), (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D),
    (0x1F80, 0x1FB4), (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE), (0x1FC2, 0x1FC4), (0x1FC6, 0x1FCC), (0x1FD0, 0x1FD3),
    (0x1FD6, 0x1FDB), (0x1FE0, 0x1FEC), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC), (0x2070, 0x2071), (0x2074, 0x2079),
    (0x207F, 0x2089), (0x2090, 0x209C), (0x2102, 0x2102), (0x2107, 0x2107), (0x210A, 0x2113), (0x2115, 0x2115),
    (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126), (0x2128, 0x2128), (0x212A, 0x212D), (0x212F, 0x2139),
    (0x213C, 0x213F), (0x2145, 0x2149), (0x214E, 0x214E), (0x2150, 0x2189), (0x2460, 0x249B), (0x24EA, 0x24FF),
    (0x2776, 0x2793), (0x2C00, 0x2CE4), (0x2CEB, 0x2CEE), (0x2CF2, 0x2CF3), (0x2CFD, 0x2CFD), (0x2D00, 0x2D25),
    (0x2D27, 0x2D27), (0x2D2D, 0x2D2D), (0x2D30, 0x2D67), (0x2D6F, 0x2D6F), (0x2D80, 0x2D96), (0x2DA0, 0x2DA6),
    (0x2DA8, 0x2DAE), (0x2DB0, 0x2DB6), (0x2DB8, 0x2DBE), (0x2DC0, 0x2DC6), (0x2DC8, 0x2DCE), (0x2DD0, 0x2DD6),
    (0x2DD8, 0x2DDE), (0x2E2F, 0x2E2F), (0x3005, 0x3007), (0x3021, 0x3029), (0x3031, 0x3035), (0x3038, 0x303C),
    (0x3041, 0x3096), (0x309D, 0x309F), (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3105, 0x312F), (0x3131, 0x318E),
    (0x3192, 0x3195), (0x31A0, 0x31BF), (0x31F0, 0x31FF), (0x3220, 0x3229), (0x3248, 0x324F), (0x3251, 0x325F),
    (0x3280, 0x3289), (0x32B1, 0x32BF), (0x3400, 0x4DBF), (0x4E00, 0xA48C), (0xA4D0, 0xA4FD), (0xA500, 0xA60C),
    (0xA610, 0xA62B), (0xA640, 0xA66E), (0xA67F, 0xA69D), (0xA6A0, 0xA6EF), (0xA717, 0xA71F), (0xA722, 0xA788),
    (0xA78B, 0xA7CA), (0xA7D0, 0xA7D1), (0xA7D3, 0xA7D3), (0xA7D5, 0xA7D9), (0xA7F2, 0xA801), (0xA803, 0xA805),
    (0xA807, 0xA80A), (0xA80C, 0xA822), (0xA830, 0xA835), (0xA840, 0xA873), (0xA882, 0xA8B3), (0xA8D0, 0xA8D9),
    (0xA8F2, 0xA8F7), (0xA8FB, 0xA8FB), (0xA8FD, 0xA8FE), (0xA900, 0xA925), (0xA930, 0xA946), (0xA960, 0xA97C),
    (0xA984, 0xA9B2), (0xA9CF, 0xA9D9), (0xA9E0, 0xA9E4), (0xA9E6, 0xA9FE), (0xAA00, 0xAA28), (0xAA40, 0xAA42),
    (0xAA44, 0xAA4B), (0xAA50, 0xAA59), (0xAA60, 0xAA76), (0xAA7A, 0xAA7A), (0xAA7E, 0xAAAF), (0xAAB1, 0xAAB1),
    (0xAAB5, 0xAAB6), (0xAAB9, 0xAABD), (0xAAC0, 0xAAC0), (0xAAC2, 0xAAC2), (0xAADB, 0xAADD), (0xAAE0, 0xAAEA),
    (0xAAF2, 0xAAF4), (0xAB01, 0xAB06), (0xAB09, 0xAB0E), (0xAB11, 0xAB16), (0xAB20, 0xAB26), (0xAB28, 0xAB2E),
    (0xAB30, 0xAB5A), (0xAB5C, 0xAB69), (0xAB70, 0xABE2), (0xABF0, 0xABF9), (0xAC00, 0xD7A3), (0xD7B0, 0xD7C6),
    (0xD7CB, 0xD7FB), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0xFB00, 0xFB06), (0xFB13, 0xFB17), (0xFB1D, 0xFB1D),
    (0xFB1F, 0xFB28), (0xFB2A, 0xFB36), (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E), (0xFB40, 0xFB41), (0xFB43, 0xFB44),
    (0xFB46, 0xFBB1), (0xFBD3, 0xFD3D), (0xFD50, 0xFD8F), (0xFD92, 0xFDC7), (0xFDF0, 0xFDFB), (0xFE70, 0xFE74),
    (0xFE76, 0xFEFC), (0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0xFF66, 0xFFBE), (0xFFC2, 0xFFC7),
    (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC), (0x10000, 0x1000B), (0x1000D, 0x10026), (0x10028, 0x1003A),
    (0x1003C, 0x1003D), (0x1003F, 0x1004D), (0x10050, 0x1005D), (0x10080, 0x100FA), (0x10107, 0x10133), (0x10140, 0x10178),
    (0x1018A, 0x1018B), (0x10280, 0x1029C), (0x102A0, 0x102D0), (0x102E1, 0x102FB), (0x10300, 0x10323), (0x1032D, 0x1034A),
    (0x10350, 0x10375), (0x10380, 0x1039D), (0x103A0, 0x103C3), (0x103C8, 0x103CF), (0x103D1, 0x103D5), (0x10400, 0x1049D),
    (0x104A0, 0x104A9), (0x104B0, 0x104D3), (0x104D8, 0x104FB), (0x10500, 0x10527), (0x10530, 0x10563), (0x10570, 0x1057A),
    (0x1057C, 0x1058A), (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1), (0x105A3, 0x105B1), (0x105B3, 0x105B9),
    (0x105BB, 0x105BC), (0x10600, 0x10736), (0x10740, 0x10755), (0x10760, 0x10767), (0x10780, 0x10785), (0x10787, 0x107B0),
    (0x107B2, 0x107BA), (0x10800, 0x10805), (0x10808, 0x10808), (0x1080A, 0x10835), (0x10837, 0x10838), (0x1083C, 0x1083C),
    (0x1083F, 0x10855), (0x10858, 0x10876), (0x10879, 0x1089E), (0x108A7, 0x108AF), (0x108E0, 0x108F2), (0x108F4, 0x108F5),
    (0x108FB, 0x1091B), (0x10920, 0x10939), (0x10980, 0x109B7), (0x109BC, 0x109CF), (0x109D2, 0x10A00), (0x10A10, 0x10A13),
    (0x10A15, 0x10A17), (0x10A19, 0x10A35), (0x10A40, 0x10A48), (0x10A60, 0x10A7E), (0x10A80, 0x10A9F), (0x10AC0, 0x10AC7),
    (0x10AC9, 0x10AE4), (0x10AEB, 0x10AEF), (0x10B00, 0x10B35), (0x10B40, 0x10B55), (0x10B58, 0x10B72), (0x10B78, 0x10B91),
    (0x10BA9, 0x10BAF), (0x10C00, 0x10C48), (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2), (0x10CFA, 0x10D23), (0x10D30, 0x10D39),
    (0x10E60, 0x10E7E), (0x10E80, 0x10EA9), (0x10EB0, 0x10EB1), (0x10F00, 0x10F27), (0x10F30, 0x10F45), (0x10F51, 0x10F54),
    (0x10F70, 0x10F81), (0x10FB0, 0x10FCB), (0x10FE0, 0x10FF6), (0x11003, 0x11037), (0x11052, 0x1106F), (0x11071, 0x11072),
    (0x11075, 0x11075), (0x11083, 0x110AF), (0x110D0, 0x110E8), (0x110F0, 0x110F9), (0x11103, 0x11126), (0x11136, 0x1113F),
    (0x11144, 0x11144), (0x11147, 0x11147), (0x11150, 0x11172), (0x11176, 0x11176), (0x11183, 0x111B2), (0x111C1, 0x111C4),
    (0x111D0, 0x111DA), (0x111DC, 0x111DC), (0x111E1, 0x111F4), (0x11200, 0x11211), (0x11213, 0x1122B), (0x11280, 0x11286),
    (0x11288, 0x11288), (0x1128A, 0x1128D), (0x1128F, 0x1129D), (0x1129F, 0x112A8), (0x112B0, 0x112DE), (0x112F0, 0x112F9),
    (0x11305, 0x1130C), (0x1130F, 0x11310), (0x11313, 0x11328), (0x1132A, 0x11330), (0x11332, 0x11333), (0x11335, 0x11339),
    (0x1133D, 0x1133D), (0x11350, 0x11350), (0x1135D, 0x11361), (0x11400, 0x11434), (0x11447, 0x1144A), (0x11450, 0x11459),
    (0x1145F, 0x11461), (0x11480, 0x114AF), (0x114C4, 0x114C5), (0x114C7, 0x114C7), (0x114D0, 0x114D9), (0x11580, 0x115AE),
    (0x115D8, 0x115DB), (0x11600, 0x1162F), (0x11644, 0x11644), (0x11650, 0x11659), (0x11680, 0x116AA), (0x116B8, 0x116B8),
    (0x116C0, 0x116C9), (0x11700, 0x1171A), (0x11730, 0x1173B), (0x11740, 0x11746), (0x11800, 0x1182B), (0x118A0, 0x118F2),
    (0x118FF, 0x11906), (0x11909, 0x11909), (0x1190C, 0x11913), (0x11915, 0x11916), (0x11918, 0x1192F), (0x1193F, 0x1193F),
    (0x11941, 0x11941), (0x11950, 0x11959), (0x119A0, 0x119A7), (0x119AA, 0x119D0), (0x119E1, 0x119E1), (0x119E3, 0x119E3),
    (0x11A00, 0x11A00), (0x11A0B, 0x11A32), (0x11A3A, 0x11A3A), (0x11A50, 0x11A50), (0x11A5C, 0x11A89), (0x11A9D, 0x11A9D),
    (0x11AB0, 0x11AF8), (0x11C00, 0x11C08), (0x11C0A, 0x11C2E), (0x11C40, 0x11C40), (0x11C50, 0x11C6C), (0x11C72, 0x11C8F),
    (0x11D00, 0x11D06), (0x11D08, 0x11D09), (0x11D0B, 0x11D30), (0x11D46, 0x11D46), (0x11D50, 0x11D59), (0x11D60, 0x11D65),
    (0x11D67, 0x11D68), (0x11D6A, 0x11D89), (0x11D98, 0x11D98), (0x11DA0, 0x11DA9), (0x11EE0, 0x11EF2), (0x11FB0, 0x11FB0),
    (0x11FC0, 0x11FD4), (0x12000, 0x12399), (0x12400, 0x1246E), (0x12480, 0x12543), (0x12F90, 0x12FF0), (0x13000, 0x1342E),
    (0x14400, 0x14646), (0x16800, 0x16A38), (0x16A40, 0x16A5E), (0x16A60, 0x16A69), (0x16A70, 0x16ABE), (0x16AC0, 0x16AC9),
    (0x16AD0, 0x16AED), (0x16B00, 0x16B2F), (0x16B40, 0x16B43), (0x16B50, 0x16B59), (0x16B5B, 0x16B61), (0x16B63, 0x16B77),
    (0x16B7D, 0x16B8F), (0x16E40, 0x16E96), (0x16F00, 0x16F4A), (0x16F50, 0x16F50), (0x16F93, 0x16F9F), (0x16FE0, 0x16FE1),
    (0x16FE3, 0x16FE3), (0x17000, 0x187F7), (0x18800, 0x18CD5), (0x18D00, 0x18D08), (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB),
    (0x1AFFD, 0x1AFFE), (0x1B000, 0x1B122), (0x1B150, 0x1B152), (0x1B164, 0x1B167), (0x1B170, 0x1B2FB), (0x1BC00, 0x1BC6A),
    (0x1BC70, 0x1BC7C), (0x1BC80, 0x1BC88), (0x1BC90, 0x1BC99), (0x1D2E0, 0x1D2F3), (0x1D360, 0x1D378), (0x1D400, 0x1D454),
    (0x1D456, 0x1D49C), (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2), (0x1D4A5, 0x1D4A6), (0x1D4A9, 0x1D4AC), (0x1D4AE, 0x1D4B9),
    (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3), (0x1D4C5, 0x1D505), (0x1D507, 0x1D50A), (0x1D50D, 0x1D514), (0x1D516, 0x1D51C),
    (0x1D51E, 0x1D539), (0x1D53B, 0x1D53E), (0x1D540, 0x1D544), (0x1D546, 0x1D546), (0x1D54A, 0x1D550), (0x1D552, 0x1D6A5),
    (0x1D6A8, 0x1D6C0), (0x1D6C2, 0x1D6DA), (0x1D6DC, 0x1D6FA), (0x1D6FC, 0x1D714), (0x1D716, 0x1D734), (0x1D736, 0x1D74E),
    (0x1D750, 0x1D76E), (0x1D770, 0x1D788), (0x1D78A, 0x1D7A8), (0x1D7AA, 0x1D7C2), (0x1D7C4, 0x1D7CB), (0x1D7CE, 0x1D7FF),
    (0x1DF00, 0x1DF1E), (0x1E100, 0x1E12C), (0x1E137, 0x1E13D), (0x1E140, 0x1E149), (0x1E14E, 0x1E14E), (0x1E290, 0x1E2AD),
    (0x1E2C0, 0x1E2EB), (0x1E2F0, 0x1E2F9), (0x1E7E0, 0x1E7E6), (0x1E7E8, 0x1E7EB), (0x1E7ED, 0x1E7EE), (0x1E7F0, 0x1E7FE),
    (0x1E800, 0x1E8C4), (0x1E8C7, 0x1E8CF), (0x1E900, 0x1E943), (0x1E94B, 0x1E94B), (0x1E950, 0x1E959), (0x1EC71, 0x1ECAB),
    (0x1ECAD, 0x1ECAF), (0x1ECB1, 0x1ECB4), (0x1ED01, 0x1ED2D), (0x1ED2F, 0x1ED3D), (0x1EE00, 0x1EE03), (0x1EE05, 0x1EE1F),
    (0x1EE21, 0x1EE22), (0x1EE24, 0x1EE24), (0x1EE27, 0x1EE27), (0x1EE29, 0x1EE32), (0x1EE34, 0x1EE37), (0x1EE39, 0x1EE39),
    (0x1EE3B, 0x1EE3B), (0x1EE42, 0x1EE42), (0x1EE47, 0x1EE47), (0x1EE49, 0x1EE49), (0x1EE4B, 0x1EE4B), (0x1EE4D, 0x1EE4F),
    (0x1EE51, 0x1EE52), (0x1EE54, 0x1EE54), (0x1EE57, 0x1EE57), (0x1EE59, 0x1EE59), (0x1EE5B, 0x1EE5B), (0x1EE5D, 0x1EE5D),
    (0x1EE5F, 0x1EE5F), (0x1EE61, 0x1EE62), (0x1EE64, 0x1EE64), (0x1EE67, 0x1EE6A), (0x1EE6C, 0x1EE72), (0x1EE74, 0x1EE77),
    (0x1EE79, 0x1EE7C), (0x1EE7E, 0x1EE7E), (0x1EE80, 0x1EE89), (0x1EE8B, 0x1EE9B), (0x1EEA1, 0x1EEA3), (0x1EEA5, 0x1EEA9),
    (0x1EEAB, 0x1EEBB), (0x1F100, 0x1F10C), (0x1FBF0, 0x1FBF9), (0x20000, 0x2A6DF), (0x2A700, 0x2B738), (0x2B740, 0x2B81D),
    (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0), (0x2F800, 0x2FA1D), (0x30000, 0x3134A),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn preds(items: &[(&str, Option<&str>)]) -> Predictions {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    fn truth(items: &[(&str, &str)]) -> BTreeMap<String, String> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tokens_match_python_re_word() {
        // Expected output of Python 3.11 `re.findall(r"\w+", s)`.
        let s = "हिन्दी naïve e\u{301} ①²½ foo_bar a\u{203f}b x\u{b7}y 日本語テキスト ٣٤ Ⓐb ǅx \
                 \u{2160}\u{2161} 1,5 3.14 don't";
        let want = [
            "ह",
            "न",
            "द",
            "naïve",
            "e",
            "①²½",
            "foo_bar",
            "a",
            "b",
            "x",
            "y",
            "日本語テキスト",
            "٣٤",
            "b",
            "ǅx",
            "ⅠⅡ",
            "1",
            "5",
            "3",
            "14",
            "don",
            "t",
        ];
        assert_eq!(aeb_tokens(s), want);
        assert!(aeb_tokens("").is_empty());
        assert!(aeb_tokens(" ,.;— \n").is_empty());
        assert_eq!(aeb_tokens("_"), ["_"]);
        assert!(!is_py_word_char('\u{10FFFD}'));
        assert!(is_py_word_char('𝔘')); // U+1D518, a letter outside the BMP
    }

    #[test]
    fn word_table_is_sorted_and_disjoint() {
        for w in PY_WORD_RANGES.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 + 1 < w[1].0, "{w:x?}");
        }
    }

    #[test]
    fn whitespace_as_python() {
        assert_eq!(ws_norm("\x1c a \u{a0} b\n\u{2028}c\x1f"), "a b c");
        assert_eq!(ws_norm("   "), "");
        assert_eq!(ws_norm("x"), "x");
        assert!(py_blank(" \x1f\u{3000}"));
        assert!(!py_blank(" \u{200b}")); // zero-width space is not whitespace
    }

    #[test]
    fn fsum_is_correctly_rounded() {
        assert_eq!(fsum([0.1; 10]), 1.0);
        assert_ne!([0.1; 10].iter().sum::<f64>(), 1.0);
        assert_eq!(fsum([1e100, 1.0, -1e100, 1e-100]), 1.0);
        assert_eq!(fsum(std::iter::empty()), 0.0);
        assert_eq!(fmean(&[]), 0.0);
        assert_eq!(fmean(&[0.25, 0.75, 0.5]), 0.5);
    }

    #[test]
    fn identical_text_scores_one() {
        let gt = truth(&[("a", "The quick brown fox jumps over the lazy dog.")]);
        // Same tokens, different punctuation and spacing: exact too.
        let m = aeb_score(
            &gt,
            &preds(&[("a", Some("the quick brown fox jumps over the lazy dog"))]),
            None,
        );
        assert!(m.precision < 1.0); // "The" != "the": case is kept
        let m = aeb_score(
            &gt,
            &preds(&[("a", Some("The  quick brown fox, jumps over the lazy dog"))]),
            None,
        );
        assert_eq!(
            (m.precision, m.recall, m.f1, m.accuracy),
            (1.0, 1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn empty_truth_and_empty_prediction() {
        // Both empty: the page has neither precision nor recall; P = R = 0 with no pages left,
        // but the token lists are identical.
        let (c, same) = aeb_page("", Some(""));
        assert_eq!((c.tp, c.fp, c.fn_, same), (0.0, 0.0, 0.0, true));
        let m = aeb_score(&truth(&[("a", "")]), &preds(&[("a", None)]), None);
        assert_eq!(
            (m.precision, m.recall, m.f1, m.accuracy),
            (0.0, 0.0, 0.0, 1.0)
        );
        assert_eq!(m.empty_predictions, 1);

        // Empty prediction: recall 0, no precision.
        let (c, _) = aeb_page("a b c d e", None);
        assert_eq!((c.tp, c.fp, c.fn_), (0.0, 0.0, 1.0));
        assert_eq!((aeb_precision(c), aeb_recall(c)), (0.0, 0.0));
        // Empty truth: precision 0, no recall.
        let (c, _) = aeb_page("", Some("x y"));
        assert_eq!((c.tp, c.fp, c.fn_), (0.0, 1.0, 0.0));

        // A page of each: P comes from the empty-truth page only, R from the other.
        let gt = truth(&[("a", "one two three four five"), ("b", "")]);
        let p = preds(&[("a", Some("one two three four five")), ("b", Some("junk"))]);
        let m = aeb_score(&gt, &p, None);
        assert_eq!((m.precision, m.recall), (0.5, 1.0));
    }

    #[test]
    fn short_texts_are_one_shingle() {
        let (c, same) = aeb_page("a b c", Some("a b c"));
        assert_eq!((c.tp, c.fp, c.fn_, same), (1.0, 0.0, 0.0, true));
        // "a b" is a different (shorter) shingle than "a b c": nothing in common.
        let (c, _) = aeb_page("a b c", Some("a b"));
        assert_eq!((c.tp, c.fp, c.fn_), (0.0, 0.5, 0.5));
        // Shingles are a multiset.
        let (c, _) = aeb_page("a b c d a b c d", Some("a b c d"));
        // truth: abcd bcda cdab dabc abcd (abcd twice); prediction: abcd once.
        assert_eq!((c.tp, c.fp, c.fn_), (0.2, 0.0, 0.8));
    }

    #[test]
    fn aeb_matches_extract_score_py() {
        // Values printed by extract_score.aeb_score for the same input.
        let gt = truth(&[
            ("a", "the quick brown fox jumps over the lazy dog"),
            ("b", "one two three"),
            ("c", ""),
            ("d", "alpha beta gamma delta epsilon"),
        ]);
        let p = preds(&[
            (
                "a",
                Some("the quick brown fox jumps over a lazy dog and more"),
            ),
            ("b", Some("one two")),
            ("c", Some("something here")),
            ("d", None),
        ]);
        let mut rows = Vec::new();
        let m = aeb_score(&gt, &p, Some(&mut rows));
        assert_eq!(m.precision, 0.12499999999999999);
        assert_eq!(m.recall, 0.16666666666666666);
        assert_eq!(m.f1, 0.14285714285714285);
        assert_eq!((m.accuracy, m.pages, m.empty_predictions), (0.0, 4, 1));
        assert_eq!(rows[0]["precision"], 0.37499999999999994);
        assert_eq!(rows[0]["f1"], 0.4285714285714285);
        assert_eq!(rows[0]["fp"], 0.45454545454545453);
        assert_eq!(rows[3]["empty"], true);
    }

    #[test]
    fn trafilatura_snippets() {
        let items = vec![
            SnippetTruth {
                url: "u1".into(),
                file: "f1".into(),
                with: vec!["Main  text here".into(), "second part".into()],
                without: vec!["Menu".into()],
            },
            SnippetTruth {
                url: "u2".into(),
                file: "f2".into(),
                with: vec!["x".into()],
                without: vec!["y".into()],
            },
        ];
        let p = preds(&[("f1", Some("Menu\nMain text\n here")), ("f2", None)]);
        let mut rows = Vec::new();
        let m = trafilatura_score(&items, &p, Some(&mut rows));
        let s = m.snippets.unwrap();
        assert_eq!((s.tp, s.fp, s.fn_, s.tn), (1, 1, 2, 1));
        assert_eq!(m.precision, 0.5);
        assert_eq!(m.recall, 1.0 / 3.0);
        assert_eq!(m.f1, 2.0 / 5.0);
        assert_eq!(m.accuracy, 2.0 / 5.0);
        assert_eq!(m.empty_predictions, 1);
        assert_eq!(rows[1]["missing"], true);
        // Nothing predicted anywhere: all zero, no division by zero.
        let m = trafilatura_score(&items, &Predictions::new(), None);
        assert_eq!((m.precision, m.recall, m.f1), (0.0, 0.0, 0.0));
    }

    #[test]
    fn ids_missing_unknown_and_suffixes() {
        let t = Truth::Aeb(truth(&[("p1", "a b c d"), ("p2", "e f")]));
        let s = t.score(
            &preds(&[("p1.html", Some("a b c d")), ("zzz", Some("q"))]),
            None,
        );
        assert_eq!((s.missing_ids, s.unknown_ids), (1, 1));
        assert_eq!(s.metrics.precision, 1.0);
        assert_eq!(s.metrics.recall, 0.5);
        let j = s.to_json();
        assert_eq!(j["mode"], "aeb");
        assert!(j.get("subsets").is_none());

        let g = Truth::Generic(vec![
            ("s1".into(), truth(&[("x", "a b c d")])),
            ("s2".into(), truth(&[("y", "e f g h")])),
        ]);
        let s = g.score(&preds(&[("x", Some("a b c d")), ("y", Some(""))]), None);
        assert_eq!(s.subsets.len(), 2);
        assert_eq!(s.macro_f1, Some(0.5));
        assert_eq!(s.to_json()["subsets"]["s1"]["f1"], 1.0);
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn gunzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn loads_all_three_kinds_and_runs() {
        let tmp = tempfile::tempdir().unwrap();
        // AEB
        let aeb = tmp.path().join("aeb");
        std::fs::create_dir_all(aeb.join("html")).unwrap();
        std::fs::write(
            aeb.join("ground-truth.json"),
            r#"{"p1": {"articleBody": "Hello world", "url": "https://a.example/x"},
                "p2": {"articleBody": null, "url": "x"}}"#,
        )
        .unwrap();
        std::fs::write(
            aeb.join("html/p1.html.gz"),
            gz(b"<html><body><p>Hello world</p></body></html>"),
        )
        .unwrap();
        std::fs::write(aeb.join("html/notes.txt"), "ignored").unwrap();
        let ds = Dataset::load(&aeb, &gunzip).unwrap();
        assert_eq!(ds.kind, DatasetKind::Aeb);
        assert_eq!(ds.pages.len(), 1);
        assert_eq!(ds.pages[0].url.as_deref(), Some("https://a.example/x"));
        let run = run_backend(&crate::PlainExtractor::new(), &ds, &RunOptions::default());
        assert_eq!(run.predictions[0].text.as_deref(), Some("Hello world"));
        assert!(run.pages_per_s() > 0.0 && !run.timed_decode);
        let s = ds.truth.score(&run.prediction_map(), None);
        assert_eq!((s.metrics.recall, s.missing_ids), (1.0, 1));
        let mut buf = Vec::new();
        run.write_predictions(&mut buf).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "{\"id\":\"p1\",\"text\":\"Hello world\"}\n"
        );

        // trafilatura-eval, with a windows-1252 page in eval/
        let tr = tmp.path().join("tr");
        std::fs::create_dir_all(tr.join("cache")).unwrap();
        std::fs::create_dir_all(tr.join("eval")).unwrap();
        std::fs::write(
            tr.join("evaldata.json"),
            r#"{"https://b.example/": {"file": "b.html", "with": ["Gr\u00fc\u00dfe aus K\u00f6ln"], "without": ["nope"]},
                "hard::c": {"file": "c.html", "with": ["c text"], "without": []}}"#,
        )
        .unwrap();
        std::fs::write(
            tr.join("eval/b.html.gz"),
            gz(b"<html><head><meta charset=windows-1252></head><body><p>Gr\xfc\xdfe aus K\xf6ln</p></body></html>"),
        )
        .unwrap();
        std::fs::write(tr.join("cache/c.html.gz"), gz(b"<p>c text</p>")).unwrap();
        let ds = Dataset::load(&tr, &gunzip).unwrap();
        assert_eq!(ds.kind, DatasetKind::Trafilatura);
        assert_eq!(ds.pages[0].id, "c.html"); // sorted by key: "hard::c" < "https://..."
        let opts = RunOptions {
            repeat: 2,
            threads: 2,
        };
        let run = run_backend(&crate::PlainExtractor::new(), &ds, &opts);
        assert!(run.timed_decode);
        let s = ds.truth.score(&run.prediction_map(), None);
        assert_eq!(s.metrics.f1, 1.0, "{:?}", run.predictions);

        // generic, with nested HTML folders and a truth file per subset
        let ge = tmp.path().join("ge");
        std::fs::create_dir_all(ge.join("ground-truth")).unwrap();
        std::fs::create_dir_all(ge.join("html/s1")).unwrap();
        std::fs::write(
            ge.join("ground-truth/s1.jsonl"),
            "{\"page_id\": 7, \"plaintext\": \"seven\"}\n\n",
        )
        .unwrap();
        std::fs::write(ge.join("html/s1/7.html.gz"), gz(b"<p>seven</p>")).unwrap();
        std::fs::write(ge.join("html/s1/8.htm"), b"<p>eight</p>").unwrap();
        let ds = Dataset::load(&ge, &gunzip).unwrap();
        assert_eq!(ds.kind, DatasetKind::Generic);
        let ids: Vec<&str> = ds.pages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["7", "8"]);
        let run = run_backend(&crate::PlainExtractor::new(), &ds, &RunOptions::default());
        let s = ds.truth.score(&run.prediction_map(), None);
        assert_eq!((s.metrics.f1, s.unknown_ids), (1.0, 1));

        // errors name the file
        std::fs::write(ge.join("ground-truth/s2.jsonl"), "{not json\n").unwrap();
        let e = Dataset::load(&ge, &gunzip).unwrap_err().to_string();
        assert!(e.contains("s2.jsonl:1"), "{e}");
        std::fs::write(tr.join("eval/b.html.gz"), b"not gzip").unwrap();
        let e = Dataset::load(&tr, &gunzip).unwrap_err().to_string();
        assert!(e.contains("b.html.gz"), "{e}");
        let e = Dataset::load(&tmp.path().join("none"), &gunzip).unwrap_err();
        assert!(e.to_string().contains("none"));
    }
}
