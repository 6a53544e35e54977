//! Helpers for tests over the project's shared data folder.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The shared data folder: `$THRESHER_SHARED_DIR`, else `../shared` beside the repository
/// (or `shared/` inside it). `None` when absent: the caller prints "skipped" and passes.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("THRESHER_SHARED_DIR") {
        let d = PathBuf::from(d);
        return d.join("data").is_dir().then_some(d);
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    [repo.join("../shared"), repo.join("shared")]
        .into_iter()
        .find(|d| d.join("data").is_dir())
}

/// Reads a file, gunzipping it when its name ends in `.gz`.
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        s
    } else {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}
