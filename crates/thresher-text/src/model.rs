//! The fastText language-ID model: the bundled `lid.176.ftz`, loading it once per process, and
//! predicting from many threads.
//!
//! The model is compiled into the binary ([`EMBEDDED_MODEL`]) so that a fresh clone, or a
//! binary copied to another machine, identifies languages with no download and no data folder.
//! It is read by thresher's own fastText implementation ([`crate::ft`]), which gives the same
//! labels and probabilities as the C++ library (a test compares them on real documents) at
//! several times its speed, and which rejects a corrupt model file with an error instead of
//! crashing.
//!
//! # Threads
//!
//! [`LidModel`] is `Send + Sync` and one instance is shared (`Arc`) by every thread: prediction
//! only reads the model; each thread keeps its own scratch buffers.

use crate::ft::{FastText, Scratch};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
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
    ft: FastText,
    /// Labels without their `__label__` prefix, in the model's order.
    labels: Vec<String>,
    /// Where it came from, for messages.
    source: String,
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
    /// Reused per thread: prediction buffers. Saves allocations per document.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
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
        LidModel::from_bytes(EMBEDDED_MODEL, "bundled lid.176.ftz".into())
    }

    /// Loads a fastText supervised model file, `.bin` or quantised `.ftz` (not cached: prefer
    /// [`LidModel::shared`]). A file that is not a well-formed model is an error.
    pub fn load(path: &Path) -> Result<LidModel, ModelError> {
        let meta = fs::metadata(path)
            .map_err(|e| ModelError(format!("language model {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(ModelError(format!(
                "language model {} is not a file",
                path.display()
            )));
        }
        let bytes = fs::read(path)
            .map_err(|e| ModelError(format!("language model {}: {e}", path.display())))?;
        LidModel::from_bytes(&bytes, path.display().to_string())
    }

    fn from_bytes(bytes: &[u8], source: String) -> Result<LidModel, ModelError> {
        let ft = FastText::from_bytes(bytes).map_err(|e| ModelError(format!("{source}: {e}")))?;
        let labels = ft
            .labels()
            .iter()
            .map(|l| l.strip_prefix(LABEL_PREFIX).unwrap_or(l).to_string())
            .collect();
        Ok(LidModel { ft, labels, source })
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
        self.run(text, Some(1), 0.0).into_iter().next()
    }

    /// All labels with probability at least `threshold`, best first (same text preparation as
    /// [`LidModel::predict_best`]). Empty when the text has no token.
    pub fn predict_all(&self, text: &str, threshold: f32) -> Vec<LangScore> {
        self.run(text, None, threshold)
    }

    /// Whether only the top label can score above `threshold` (see
    /// [`LidModel::predict_best`]): true when the probabilities sum to one and
    /// `threshold` is at least one half (with a margin for fastText's `log(p + 1e-5)`).
    pub(crate) fn only_top_can_exceed(&self, threshold: f32) -> bool {
        // Both losses the reader accepts (softmax, hierarchical softmax) give one distribution.
        threshold >= 0.51
    }

    fn run(&self, text: &str, k: Option<usize>, threshold: f32) -> Vec<LangScore> {
        if !has_fasttext_token(text) {
            return Vec::new();
        }
        let predict = |scratch: &mut Scratch| {
            self.ft
                .predict(text.as_bytes(), k, threshold, scratch)
                .into_iter()
                .map(|p| LangScore {
                    label: self.labels[p.label].clone(),
                    score: p.prob,
                })
                .collect()
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => predict(&mut scratch),
            // Not reachable (prediction does not call back), but never panic over it.
            Err(_) => predict(&mut Scratch::default()),
        })
    }
}

fn has_fasttext_token(text: &str) -> bool {
    text.bytes().any(|b| !crate::ft::is_separator(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_is_the_shipped_file() {
        assert_eq!(EMBEDDED_MODEL.len(), 938_013);
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
