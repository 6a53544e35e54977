//! The fastText language-ID model: the bundled `lid.176.ftz`, loading it once per process, and
//! predicting from many threads.
//!
//! # Why a temp file
//!
//! The model is compiled into the binary ([`EMBEDDED_MODEL`]) so that a fresh clone, or a
//! binary copied to another machine, identifies languages with no download and no data folder.
//! The `fasttext` crate (0.7.8) can only load from a path, so the bytes are written once to a
//! content-addressed file in the temp dir (`thresher-lid176-<xxh3-64 of the bytes>.ftz`). It is
//! written to a unique temp name and renamed into place, so concurrent processes never see a
//! half-written model, and it is reused only when its bytes equal the embedded ones (a full
//! comparison, not just the size: it costs under a millisecond once per process and guards
//! against a truncated or altered file being fed to the C++ loader).
//!
//! # Threads
//!
//! [`LidModel`] is `Send + Sync` and one instance is shared (`Arc`) by every thread. This is
//! sound for the only operation it exposes, prediction:
//!
//! - `fasttext::FastText` declares `unsafe impl Send + Sync`. We rely on that only for
//!   `predict`, because `LidModel` keeps the `FastText` private and never calls a `&mut self`
//!   method (load, train, quantize) after construction.
//! - `predict` goes through `cft_fasttext_predict` (cfasttext-sys 0.7.8), which builds its own
//!   `std::stringstream` and result vector on the stack and calls `FastText::predictLine`, a
//!   `const` method. That calls `Dictionary::getLine` (`const`, reads `word2int_`, `words_`),
//!   and `FastText::predict` (`const`), which allocates a fresh `Model::State` per call (hidden
//!   vector, output vector, gradient) and runs `Model::predict` / `Loss::predict` (`const`, the
//!   sigmoid/log tables are filled in the constructor and only read afterwards). None of these
//!   classes has `mutable` members (the only one in fastText is in `Meter`, used by `test`).
//!   Results are `malloc`/`strdup`ed per call and freed by the caller.
//!
//! So concurrent predictions only read shared memory. The `threads_share_one_model` test runs
//! predictions from several threads at once and checks they match the single-threaded ones.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The bundled fastText `lid.176.ftz` model (CC-BY-SA-3.0; see `models/LID176-LICENSE.md` at
/// the repository root), 938,013 bytes, sha256 `8f3472cf…db603e83`.
pub static EMBEDDED_MODEL: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/lid.176.ftz"
));

/// Prefix fastText puts before every label.
const LABEL_PREFIX: &str = "__label__";

/// Why a model could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

/// One predicted language.
#[derive(Debug, Clone, PartialEq)]
pub struct LangScore {
    /// The label without fastText's `__label__` prefix (`en`, `de`, `zh`, ...).
    pub label: String,
    /// The model's probability for it, as fastText computes it (not rounded).
    pub score: f32,
}

/// A loaded fastText classifier, ready to predict from any number of threads.
pub struct LidModel {
    ft: fasttext::FastText,
    /// Where it came from, for messages.
    source: String,
    /// Whether the label probabilities form one distribution (softmax or hierarchical
    /// softmax, as lid.176), so that a label other than the top one can never score above
    /// one half. One-vs-all models do not.
    sums_to_one: bool,
}

// Compile-time check that the claim in the module docs holds for the type as written.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LidModel>();
};

impl std::fmt::Debug for LidModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LidModel")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Process-wide cache: `None` is the bundled model, `Some(path)` a model file.
type Cache = Mutex<HashMap<Option<PathBuf>, Arc<LidModel>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

thread_local! {
    /// Reused per thread: the text as fastText must see it. Saves an allocation per document.
    static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl LidModel {
    /// The bundled lid.176 model, loaded once per process and shared.
    pub fn shared_embedded() -> Result<Arc<LidModel>, ModelError> {
        Self::shared(None)
    }

    /// The model at `path`, or the bundled one when `path` is `None`; each distinct source is
    /// loaded once per process and shared by every caller. A failed load is not cached, so a
    /// later call tries again.
    pub fn shared(path: Option<&Path>) -> Result<Arc<LidModel>, ModelError> {
        let key = path.map(Path::to_path_buf);
        // The lock is held while loading so that threads starting together load only once.
        let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = map.get(&key) {
            return Ok(Arc::clone(m));
        }
        let model = Arc::new(match path {
            Some(p) => LidModel::load(p)?,
            None => LidModel::load_embedded()?,
        });
        map.insert(key, Arc::clone(&model));
        Ok(model)
    }

    /// Loads the bundled model (not cached: prefer [`LidModel::shared_embedded`]).
    pub fn load_embedded() -> Result<LidModel, ModelError> {
        let path = materialize_embedded(&std::env::temp_dir())?;
        let mut model = LidModel::load(&path)?;
        model.source = "bundled lid.176.ftz".into();
        Ok(model)
    }

    /// Loads a fastText supervised model file (not cached: prefer [`LidModel::shared`]).
    ///
    /// The file must be a trusted fastText model: fastText's C++ loader checks the magic
    /// number and version, but a file that passes those checks and is otherwise corrupt can
    /// still crash the process inside C++.
    pub fn load(path: &Path) -> Result<LidModel, ModelError> {
        let meta = fs::metadata(path)
            .map_err(|e| ModelError(format!("language model {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(ModelError(format!(
                "language model {} is not a file",
                path.display()
            )));
        }
        let path_str = path.to_str().ok_or_else(|| {
            ModelError(format!(
                "language model path {} is not valid UTF-8 (fastText needs a UTF-8 path)",
                path.display()
            ))
        })?;
        let mut ft = fasttext::FastText::new();
        ft.load_model(path_str)
            .map_err(|e| ModelError(format!("language model {}: {e}", path.display())))?;
        // Probe once: a model that is not supervised fails here (fastText throws, the wrapper
        // returns Err) rather than on the first document. We probe instead of reading the
        // model's args because the wrapper turns their raw C enums into Rust enums, which is
        // only sound for well-formed files.
        let probe = ft
            .predict("the language of this sentence\n", -1, 0.0)
            .map_err(|e| {
                ModelError(format!(
                    "language model {} cannot classify: {e}",
                    path.display()
                ))
            })?;
        if probe.is_empty() {
            return Err(ModelError(format!(
                "language model {} has no labels",
                path.display()
            )));
        }
        let total: f32 = probe.iter().map(|p| p.prob).sum();
        Ok(LidModel {
            ft,
            source: path.display().to_string(),
            sums_to_one: (0.98..=1.02).contains(&total),
        })
    }

    /// Where the model came from (`bundled lid.176.ftz` or the file path).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The most likely language of `text`, as datatrove / the fastText Python binding compute
    /// it: newlines become spaces and the line is ended with `\n` (which fastText reads as its
    /// end-of-sentence token, as the Python binding's `predict` always appends one). NUL bytes
    /// are read as spaces, which is what fastText's tokenizer does with them.
    ///
    /// Returns `None` when the text has no token at all (empty, or only whitespace as fastText
    /// defines it: space, tab, CR, LF, VT, FF, NUL).
    pub fn predict_best(&self, text: &str) -> Option<LangScore> {
        self.run(text, 1, 0.0).into_iter().next()
    }

    /// All labels with probability at least `threshold`, best first (same text preparation as
    /// [`LidModel::predict_best`]). Empty when the text has no token.
    pub fn predict_all(&self, text: &str, threshold: f32) -> Vec<LangScore> {
        self.run(text, -1, threshold)
    }

    /// Whether only the top label can score above `threshold` (see
    /// [`LidModel::predict_best`]): true when the probabilities sum to one and
    /// `threshold` is at least one half (with a margin for fastText's `log(p + 1e-5)`).
    pub(crate) fn only_top_can_exceed(&self, threshold: f32) -> bool {
        self.sums_to_one && threshold >= 0.51
    }

    fn run(&self, text: &str, k: i32, threshold: f32) -> Vec<LangScore> {
        if !has_fasttext_token(text) {
            return Vec::new();
        }
        LINE.with(|cell| {
            // A re-entrant borrow cannot happen (fastText does not call back into Rust), but
            // fall back to a fresh buffer rather than panic if it ever did.
            let mut fresh = String::new();
            let mut guard = cell.try_borrow_mut();
            let line = match guard.as_mut() {
                Ok(l) => &mut **l,
                Err(_) => &mut fresh,
            };
            prepare_line(text, line);
            let out = match self.ft.predict(line, k, threshold) {
                Ok(preds) => preds
                    .into_iter()
                    .map(|p| LangScore {
                        label: strip_label(p.label),
                        score: p.prob,
                    })
                    .collect(),
                // Only possible for a non-supervised model (rejected at load) or a NUL in the
                // line (replaced above); treat as "no prediction" rather than panic.
                Err(_) => Vec::new(),
            };
            // Do not let one huge document pin megabytes per thread for the rest of the run.
            if line.capacity() > (1 << 20) {
                *line = String::new();
            }
            out
        })
    }
}

/// fastText's token separators (`Dictionary::readWord`).
fn is_fasttext_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0)
}

fn has_fasttext_token(text: &str) -> bool {
    text.bytes().any(|b| !is_fasttext_space(b))
}

/// The text as one fastText line: `\n` and NUL → space, then a final `\n`.
fn prepare_line(text: &str, line: &mut String) {
    line.clear();
    line.reserve(text.len() + 1);
    let mut rest = text;
    // Copy runs between the bytes to replace; both are ASCII, so the split points are char
    // boundaries.
    while let Some(pos) = rest.bytes().position(|b| b == b'\n' || b == 0) {
        line.push_str(&rest[..pos]);
        line.push(' ');
        rest = &rest[pos + 1..];
    }
    line.push_str(rest);
    line.push('\n');
}

fn strip_label(label: String) -> String {
    match label.strip_prefix(LABEL_PREFIX) {
        Some(s) => s.to_string(),
        None => label,
    }
}

/// Writes [`EMBEDDED_MODEL`] to `dir/thresher-lid176-<xxh3>.ftz` unless an identical file is
/// already there, and returns its path.
pub fn materialize_embedded(dir: &Path) -> Result<PathBuf, ModelError> {
    let hash = xxhash_rust::xxh3::xxh3_64(EMBEDDED_MODEL);
    let target = dir.join(format!("thresher-lid176-{hash:016x}.ftz"));
    if is_same_file_content(&target, EMBEDDED_MODEL) {
        return Ok(target);
    }
    let fail = |e: io::Error| {
        ModelError(format!(
            "cannot write the bundled language model to {}: {e} (set TMPDIR to a writable \
             folder, or give the langid step a model path)",
            target.display()
        ))
    };
    // Unique per process and call, so concurrent writers never share a temp file.
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        "thresher-lid176-{hash:016x}.ftz.{}-{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(EMBEDDED_MODEL)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        // Another process may have won the race with the same bytes; that is fine.
        if is_same_file_content(&target, EMBEDDED_MODEL) {
            return Ok(target);
        }
        return Err(fail(e));
    }
    Ok(target)
}

fn is_same_file_content(path: &Path, want: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == want.len() as u64 => {}
        _ => return false,
    }
    matches!(fs::read(path), Ok(bytes) if bytes == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_is_the_shipped_file() {
        assert_eq!(EMBEDDED_MODEL.len(), 938_013);
    }

    #[test]
    fn prepare_line_replaces_newlines_and_nul() {
        let mut s = String::new();
        prepare_line("a\nb\0c\r\nd", &mut s);
        assert_eq!(s, "a b c\r d\n");
        prepare_line("", &mut s);
        assert_eq!(s, "\n");
        prepare_line("ünï\ncödé", &mut s);
        assert_eq!(s, "ünï cödé\n");
    }

    #[test]
    fn token_detection() {
        assert!(!has_fasttext_token(""));
        assert!(!has_fasttext_token(" \t\r\n\x0b\x0c\0"));
        assert!(has_fasttext_token(" x "));
        // non-ASCII whitespace is a token for fastText
        assert!(has_fasttext_token("\u{a0}"));
    }

    #[test]
    fn materialize_reuses_and_repairs() {
        let dir = std::env::temp_dir().join(format!("thresher-text-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let p1 = materialize_embedded(&dir).unwrap();
        assert_eq!(fs::read(&p1).unwrap(), EMBEDDED_MODEL);
        // A same-size but altered file is replaced, not trusted.
        let mut bad = EMBEDDED_MODEL.to_vec();
        bad[100] ^= 0xff;
        fs::write(&p1, &bad).unwrap();
        let p2 = materialize_embedded(&dir).unwrap();
        assert_eq!(p1, p2);
        assert_eq!(fs::read(&p2).unwrap(), EMBEDDED_MODEL);
        // No temp files are left behind.
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(names, vec![p1]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn load_errors_are_errors() {
        assert!(LidModel::load(Path::new("/nonexistent/lid.ftz")).is_err());
        assert!(LidModel::load(&std::env::temp_dir()).is_err());
        let dir = std::env::temp_dir().join(format!("thresher-text-bad-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.ftz");
        fs::write(&bad, b"not a fasttext model").unwrap();
        let err = LidModel::load(&bad).unwrap_err();
        assert!(err.0.contains("wrong file format"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn shared_is_loaded_once() {
        let a = LidModel::shared_embedded().unwrap();
        let b = LidModel::shared(None).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.source(), "bundled lid.176.ftz");
        assert!(a.sums_to_one);
    }

    #[test]
    fn predictions_on_odd_input_do_not_panic() {
        let m = LidModel::shared_embedded().unwrap();
        assert_eq!(m.predict_best(""), None);
        assert_eq!(m.predict_best(" \n\t\0 "), None);
        assert!(m.predict_all("", 0.0).is_empty());
        for text in [
            "\0\0\0hello\0world",
            "😀😀😀 🎉",
            "مرحبا بكم في موقعنا الإلكتروني الجديد",
            "שלום עולם, זהו טקסט בעברית",
            "\u{202e}reversed\u{202c} text \u{200f}",
            "\u{feff}\u{fffd}\u{fffd}",
            "a",
        ] {
            let p = m.predict_best(text).expect(text);
            assert!(!p.label.is_empty() && !p.label.starts_with("__"));
            assert!(
                p.score.is_finite() && p.score > 0.0 && p.score <= 1.0001,
                "{p:?}"
            );
        }
        // One megabyte on one line.
        let big = "word ".repeat(200_000);
        assert!(m.predict_best(&big).is_some());
        let big_no_space = "x".repeat(1 << 20);
        assert!(m.predict_best(&big_no_space).is_some());
    }

    #[test]
    fn all_probabilities_sum_to_about_one() {
        let m = LidModel::shared_embedded().unwrap();
        let all = m.predict_all("Das ist ein kurzer deutscher Satz.", 0.0);
        // fastText prunes labels below about 1e-5 even at threshold 0, so this is not 176.
        assert!(!all.is_empty());
        let total: f32 = all.iter().map(|p| p.score).sum();
        assert!((0.99..1.01).contains(&total), "{total}");
        assert_eq!(all[0].label, "de");
        assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
    }
}
