//! thresher-warc owns reading web-archive container files: WARC (0.17, 0.18, 1.0, 1.1,
//! including Common Crawl WET and WAT files) and ARC (v1, v2 and the early Common Crawl
//! variant), plain or gzipped, record by record, plus the HTTP layer inside `response`
//! records ([`http`]). It knows nothing about documents or pipelines; `thresher-io` maps its
//! [`Record`]s to documents.
//!
//! The reader is lenient and streaming:
//!
//! * Gzip is recognised by its magic bytes, not by the file name. Per-record gzip members, one
//!   member for the whole file, and mixtures read the same way.
//! * A damaged or truncated gzip member is reported with the compressed offset of the member;
//!   reading resumes at the next gzip header found after that member's first byte, so records
//!   behind the damage are not lost. Complete records decoded before the damage are kept.
//! * A malformed record (no or bad `Content-Length`, garbage between records) is reported
//!   with file, offset and record index, and reading resumes at the next line starting with
//!   `WARC/` (or, in ARC files, the next ARC header line). A record whose block is cut short
//!   by the end of the file or by gzip damage is returned with [`Record::truncated`] set,
//!   followed by a [`RecordError`] saying so: a clipped page is mostly still there.
//! * Memory is bounded: a block larger than [`ReaderOptions::max_record_bytes`] is read
//!   through and reported, never held; header lines and header sections have fixed caps.
//! * Nothing panics on any input; the crate is fuzzed (`fuzz/` at the repository root).
//!
//! ```no_run
//! use thresher_warc::WarcReader;
//! let reader = WarcReader::open("crawl.warc.gz").unwrap();
//! for item in reader {
//!     match item {
//!         Ok(record) => println!("{} {:?}", record.record_type, record.target_uri),
//!         Err(problem) => eprintln!("{problem}"),
//!     }
//! }
//! ```
//!
//! # Offsets
//!
//! [`Record::offset`] is where the record can be found again: for a record that is the first
//! to start in its gzip member (the normal per-record gzip layout), the **compressed** offset
//! of that member, as CDX indexes give it; otherwise (plain files, and the second and later
//! records of a member, e.g. in a file that is one gzip member) the offset in the
//! **decompressed** stream.

pub mod http;
mod reader;
mod source;

pub use reader::WarcReader;
pub use source::Compression;

/// Limits that bound the reader's memory use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Blocks larger than this are skipped (read through without being kept) and reported.
    pub max_record_bytes: u64,
    /// Header sections (all header lines of one record) larger than this make the record
    /// malformed.
    pub max_header_bytes: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            max_record_bytes: 64 << 20,
            max_header_bytes: 1 << 20,
        }
    }
}

/// The container format a record was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A WARC record (any version).
    Warc,
    /// An ARC record, presented as a WARC `response` (or, for the `filedesc://` file header,
    /// `warcinfo`) record.
    Arc,
}

/// One record.
///
/// For ARC records the fields are filled from the ARC header line: `record_type` is
/// `response` (`warcinfo` for the `filedesc://` header record), `target_uri` is the URL,
/// `date` the archive date converted to `YYYY-MM-DDThh:mm:ssZ`, `content_type` the ARC
/// content type (the payload's, not `application/http`), `record_id` is `None`, and
/// `headers` are the header line's fields under the names the ARC specification gives them
/// (`URL`, `IP-address`, `Archive-date`, `Content-type`, `Archive-length`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// WARC or ARC.
    pub format: Format,
    /// The version line as written (`WARC/1.0`, `WARC/0.18`), or `ARC/1`, `ARC/2`.
    pub version: String,
    /// All headers in their original order and case, values trimmed, folded lines joined.
    pub headers: Vec<(String, String)>,
    /// `WARC-Type`, lowercased (`response`, `request`, `warcinfo`, `conversion`, ...); empty
    /// if the record has none.
    pub record_type: String,
    /// `WARC-Target-URI` without surrounding `<>` (some writers add them).
    pub target_uri: Option<String>,
    /// `WARC-Record-ID` as written, e.g. `<urn:uuid:…>`.
    pub record_id: Option<String>,
    /// `WARC-Date` as written (not validated: real files hold dates like `2009-03-65`).
    pub date: Option<String>,
    /// The record's `Content-Type` (of the block, e.g. `application/http; msgtype=response`).
    pub content_type: Option<String>,
    /// The record block: `Content-Length` bytes, fewer if [`Record::truncated`].
    pub block: Vec<u8>,
    /// The file (or its gzip member) ended before `Content-Length` bytes: `block` holds what
    /// was there, and a [`RecordError`] saying so follows the record.
    pub truncated: bool,
    /// Where the record starts; see the crate docs on offsets.
    pub offset: u64,
    /// Zero-based index of the record in the file (malformed records count too).
    pub index: u64,
}

impl Record {
    /// The first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the block is an HTTP message: a WARC `response`, `request` or `revisit` whose
    /// `Content-Type` is `application/http` or whose block starts with `HTTP/`, or an ARC
    /// record of an `http(s)` URL. Blocks without a status line (e.g. rewritten Wayback
    /// captures typed `text/html`) are not, and are their own payload.
    pub fn has_http(&self) -> bool {
        if !matches!(
            self.record_type.as_str(),
            "response" | "request" | "revisit"
        ) {
            return false;
        }
        if self.format == Format::Arc {
            let uri = self.target_uri.as_deref().unwrap_or("");
            return starts_with_ci(uri, "http:") || starts_with_ci(uri, "https:");
        }
        let ct_http = self
            .content_type
            .as_deref()
            .is_some_and(|ct| starts_with_ci(ct.trim_start(), "application/http"));
        let block = self.block.trim_ascii_start();
        ct_http || block.starts_with(b"HTTP/")
    }

    /// The parsed HTTP response head, when [`Record::has_http`].
    pub fn http(&self) -> Option<http::Response<'_>> {
        self.has_http().then(|| http::parse_response(&self.block))
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// A malformed record or damaged stretch of a file, reported instead of a record. Reading
/// goes on after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}at byte {offset}: {message}", record.map(|r| format!("record {r} ")).unwrap_or_default())]
pub struct RecordError {
    /// The file label given to the reader.
    pub file: String,
    /// Where the problem lies: the record's offset (see the crate docs), or for damaged gzip
    /// the compressed offset of the member.
    pub offset: u64,
    /// The index of the record concerned, if the problem belongs to one.
    pub record: Option<u64>,
    /// What was wrong and what was skipped.
    pub message: String,
}
