//! Finding inputs: paths, folders, globs and file lists become an ordered list of shards.

use crate::IoError;
use std::path::PathBuf;

/// The format of an input, from its name or, failing that, its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// WARC (0.17-1.1), ARC or WET, plain or gzipped.
    Warc,
    /// JSON lines `{id, text, metadata}`, plain, `.gz` or `.zst`.
    Jsonl,
    /// Parquet with a text column.
    Parquet,
    /// HTML files (`.html`, `.htm`, optionally `.gz`), one document each.
    Html,
    /// Plain-text files (`.txt`), one document each.
    Text,
}

/// One unit of reading: a file, or a group of HTML/text files read as one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file, or for a group of HTML/text files the folder (or first file) that names it.
    pub path: PathBuf,
    /// Format of the files.
    pub format: InputFormat,
    /// For [`InputFormat::Html`] and [`InputFormat::Text`]: the files, in order. Empty otherwise.
    pub members: Vec<PathBuf>,
}

/// An input together with the deterministic name its output shards get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// File-name-safe name, unique within one discovery, stable for the same inputs.
    pub name: String,
    /// What to read.
    pub input: Input,
}

/// Expands input specifications into shards, in a deterministic order.
pub fn discover(specs: &[String]) -> Result<Vec<Shard>, IoError> {
    let _ = specs;
    Err(IoError::Input("discover: not implemented yet".into()))
}
