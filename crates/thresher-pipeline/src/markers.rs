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
    /// Stats of the shard's work so far.
    pub stats: Stats,
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

/// Reads a marker; `Ok(None)` when there is none.
pub fn read_marker(path: &Path) -> Result<Option<Marker>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: unreadable marker: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
