//! thresher-io owns every byte that crosses the program's edge: finding inputs (paths, globs,
//! file lists, folders) and grouping them into shards, reading documents out of WARC/ARC/WET,
//! JSONL, Parquet, HTML and text files, and writing output and rejects shards atomically.
//!
//! Readers never stop at a bad record: they yield a [`ReadEvent::Problem`] naming the file,
//! offset and what was wrong, resynchronise, and go on with the next record. They hold at most
//! one record (bounded by [`ReadOptions::max_record_bytes`]) or one Parquet row group's pages in
//! memory, never a whole file.
//!
//! * [`discover()`]: specs (paths, folders, globs, `@lists`) → ordered, uniquely named [`Shard`]s.
//! * [`open`]: a shard's [`Input`] → an [`EventStream`] of [`ReadEvent`]s, dispatching to
//!   [`warc`], [`jsonl`], [`parquet`] or [`files`] (HTML and text).
//! * [`ShardWriter`]: atomic output/rejects shards as JSONL (zstd, gzip, plain) or Parquet;
//!   [`write_atomic`] for small files (stats, markers).

pub mod discover;
pub mod error;
pub mod files;
pub mod jsonl;
pub mod parquet;
pub mod warc;
pub mod writer;

pub use discover::{
    discover, discover_with, file_stem, format_from_name, Input, InputFormat, RemoteLister,
    RemoteObject, Shard,
};
pub use error::IoError;
pub use writer::{write_atomic, OutputFormat, ShardWriter};

use thresher_core::{Document, RecordProblem};

/// What a reader yields, in input order.
#[derive(Debug)]
pub enum ReadEvent {
    /// A document.
    Doc(Box<Document>),
    /// A record that is not a document (a request, a 404, an image); the string says which
    /// kind, e.g. `warc_request`, `http_status_404`, `content_type_image/png`.
    Skipped(String),
    /// A malformed record, reported and skipped.
    Problem(RecordProblem),
}

/// Options that shape what readers yield.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Records (or lines) with a body larger than this are skipped with a problem report
    /// instead of being held in memory.
    pub max_record_bytes: u64,
    /// Name of the text column for Parquet input.
    pub parquet_text_column: String,
    /// Name of the id column for Parquet input.
    pub parquet_id_column: String,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_record_bytes: 64 << 20,
            parquet_text_column: "text".into(),
            parquet_id_column: "id".into(),
        }
    }
}

/// A stream of read events from one input.
pub type EventStream = Box<dyn Iterator<Item = ReadEvent> + Send>;

/// Opens one input for reading. Fails only when the input cannot be opened at all
/// (missing, unreadable, not the format its name says); problems inside it are events.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<EventStream, IoError> {
    match input.format {
        InputFormat::Warc => warc::open(input, opts),
        InputFormat::Jsonl => jsonl::open(input, opts),
        InputFormat::Parquet => parquet::open(input, opts),
        InputFormat::Html | InputFormat::Text => files::open(input, opts),
    }
}
