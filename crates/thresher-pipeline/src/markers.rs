//! Completion markers and run state under `OUT/.thresher/`.
//!
//! A shard's marker is written (atomically) only after all of its outputs have been renamed
//! into place, so a marker means "done, with these stats"; a shard without one is redone from
//! scratch and its outputs are replaced, never appended to.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thresher_core::Stats;

/// What a marker file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Marker {
    /// Shard name.
    pub shard: String,
    /// The input the shard was read from, so a marker never vouches for a different file
    /// that happens to get the same shard name.
    #[serde(default)]
    pub input: InputId,
    /// Stats of the shard's work so far.
    pub stats: Stats,
}

/// Identity of a shard's input: its path(s) and total size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputId {
    /// Input path as given (for a group of files, the folder).
    pub path: String,
    /// Total size in bytes.
    pub size: u64,
}

/// Paths of the run state.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(out_dir: &Path) -> Self {
        StateDir {
            root: out_dir.join(".thresher"),
        }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn run_file(&self) -> PathBuf {
        self.root.join("run.json")
    }
    pub fn done(&self, shard: &str) -> PathBuf {
        self.root.join("done").join(format!("{shard}.json"))
    }
    pub fn work_dir(&self) -> PathBuf {
        self.root.join("work")
    }
    pub fn pass1(&self, shard: &str) -> PathBuf {
        self.work_dir().join(format!("{shard}.pass1.json"))
    }
    pub fn pass1_docs(&self, shard: &str) -> PathBuf {
        self.work_dir().join(format!("{shard}.pass1.jsonl.zst"))
    }
    pub fn pass1_keys(&self, shard: &str) -> PathBuf {
        self.work_dir().join(format!("{shard}.keys"))
    }
}

/// Reads a marker; `Ok(None)` when there is none, or when it was written for another input
/// (the shard is then redone).
pub fn read_marker(path: &Path, input: &InputId) -> Result<Option<Marker>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice::<Marker>(&bytes)
            .map(|m| (m.input == *input).then_some(m))
            .map_err(|e| format!("{}: unreadable marker: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
