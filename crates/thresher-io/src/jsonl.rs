//! JSON-lines input: one datatrove-schema object (`{"text", "id", "metadata"}`) per line,
//! plain, gzip or zstd (told apart by their magic bytes, not the file name).
//!
//! Lines are read with bounded memory: a line longer than [`ReadOptions::max_record_bytes`] is
//! read through without being kept, and reported. A bad line (invalid JSON or UTF-8, wrong
//! types, too long) becomes a [`ReadEvent::Problem`] naming the file, the byte offset of the
//! line in the decompressed stream and its zero-based index (the message gives the one-based
//! line number), and reading goes on with the next line. A compressed stream that ends early
//! keeps every complete line before the break and reports one problem at the end.

use crate::discover::file_stem;
use crate::{EventStream, Input, IoError, ReadEvent, ReadOptions};
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use thresher_core::{Document, RecordProblem, SourceRef};

/// Size of the read buffers (file and decompressed stream).
const BUF_SIZE: usize = 64 << 10;
/// A line buffer grown past this is shrunk back after the line, so one long line does not pin
/// memory for the rest of the file.
const KEEP_CAPACITY: usize = 1 << 20;

/// The compression a stream starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Not compressed (or not recognised).
    None,
    /// gzip, possibly several concatenated members.
    Gzip,
    /// zstd, possibly several concatenated frames.
    Zstd,
}

impl Compression {
    /// Tells the compression from a stream's first bytes.
    pub(crate) fn sniff(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Wraps a buffered reader in the decompressor its first bytes call for.
pub(crate) fn decompressed<R: BufRead + Send + 'static>(
    mut inner: R,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    let head = loop {
        match inner.fill_buf() {
            Ok(b) => break b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    Ok(match Compression::sniff(head) {
        Compression::None => Box::new(inner),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUF_SIZE,
            flate2::bufread::MultiGzDecoder::new(inner),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUF_SIZE,
            zstd::stream::read::Decoder::with_buffer(inner)?,
        )),
    })
}

/// Opens a JSONL input (plain, `.gz` or `.zst`). Fails only if the file cannot be opened.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<EventStream, IoError> {
    let file = File::open(input.read_path()?).map_err(|e| IoError::io(&input.path, e))?;
    from_reader(
        BufReader::with_capacity(BUF_SIZE, file),
        input.path.display().to_string(),
        file_stem(&input.path),
        opts.max_record_bytes,
    )
    .map_err(|e| IoError::io(&input.path, e))
}

/// Reads JSONL events from any buffered stream, plain, gzip or zstd (told by its first bytes).
/// `file` names the input in problems and in `metadata.source`; `stem` makes ids for lines that
/// carry none (`{stem}/{line_index}`). [`open`] is this over a file; use it for other sources
/// (standard input, memory). Fails only if the first bytes cannot be read.
pub fn from_reader<R: BufRead + Send + 'static>(
    reader: R,
    file: impl Into<String>,
    stem: impl Into<String>,
    max_record_bytes: u64,
) -> std::io::Result<EventStream> {
    Ok(Box::new(JsonlEvents::new(
        decompressed(reader)?,
        file.into(),
        stem.into(),
        max_record_bytes,
    )))
}

/// The outcome of reading one line.
enum LineRead {
    /// End of stream, nothing read.
    Eof,
    /// A line (without its terminator) is in the buffer, or was skipped for its length.
    Line {
        /// Total length in bytes, including a skipped line's bytes.
        len: u64,
        /// The line was longer than the limit and is not in the buffer.
        too_long: bool,
    },
    /// The stream failed (truncated compression, read error) after `len` bytes of this line.
    Failed(std::io::Error),
}

/// The iterator behind [`open`].
struct JsonlEvents {
    reader: Box<dyn BufRead + Send>,
    file: String,
    stem: String,
    max: u64,
    /// Offset of the next line in the decompressed stream.
    offset: u64,
    /// Zero-based index of the next line.
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl JsonlEvents {
    fn new(reader: Box<dyn BufRead + Send>, file: String, stem: String, max: u64) -> Self {
        JsonlEvents {
            reader,
            file,
            stem,
            max,
            offset: 0,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// Reads the next line into `self.buf` (unless too long), advancing `self.offset`.
    fn read_line(&mut self) -> LineRead {
        self.buf.clear();
        if self.buf.capacity() > KEEP_CAPACITY {
            self.buf.shrink_to(KEEP_CAPACITY);
        }
        let mut len: u64 = 0;
        let mut too_long = false;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return LineRead::Failed(e),
            };
            if avail.is_empty() {
                return if len == 0 {
                    LineRead::Eof
                } else {
                    LineRead::Line { len, too_long }
                };
            }
            let (take, found) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let content = if found { &avail[..take - 1] } else { avail };
            if !too_long {
                if self.buf.len() as u64 + content.len() as u64 > self.max {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(content);
                }
            }
            len += content.len() as u64;
            self.reader.consume(take);
            self.offset += take as u64;
            if found {
                return LineRead::Line { len, too_long };
            }
        }
    }

    fn problem(&self, offset: u64, line: u64, message: String) -> ReadEvent {
        ReadEvent::Problem(RecordProblem {
            file: self.file.clone(),
            offset,
            record: Some(line),
            message: format!("line {}: {message}", line + 1),
        })
    }

    /// Turns the line in `self.buf` into an event; `None` for a blank line.
    fn parse_line(&mut self, start: u64, line: u64) -> Option<ReadEvent> {
        let mut bytes = self.buf.as_slice();
        if let Some(rest) = bytes.strip_suffix(b"\r") {
            bytes = rest;
        }
        if line == 0 {
            if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
                bytes = rest;
            }
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.valid_up_to();
                return Some(self.problem(
                    start,
                    line,
                    format!("invalid UTF-8 at byte {at} of the line"),
                ));
            }
        };
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return Some(self.problem(start, line, format!("invalid JSON: {e}"))),
        };
        let mut doc = match Document::from_json(value) {
            Ok(d) => d,
            Err(e) => return Some(self.problem(start, line, e)),
        };
        if doc.id.is_empty() {
            doc.id = format!("{}/{line}", self.stem);
        }
        // A document that carries a `source` of its own (typed, or of another shape in
        // `extra`) keeps it.
        if doc.metadata.source.is_none() && !doc.metadata.extra.contains_key("source") {
            doc.metadata.source = Some(SourceRef {
                file: self.file.clone(),
                offset: start,
                record: line,
            });
        }
        Some(ReadEvent::Doc(Box::new(doc)))
    }
}

impl Iterator for JsonlEvents {
    type Item = ReadEvent;

    fn next(&mut self) -> Option<ReadEvent> {
        while !self.done {
            let start = self.offset;
            let line = self.line;
            match self.read_line() {
                LineRead::Eof => self.done = true,
                LineRead::Failed(e) => {
                    self.done = true;
                    let what = if e.kind() == ErrorKind::UnexpectedEof {
                        "compressed stream ends early".to_string()
                    } else {
                        format!("read failed: {e}")
                    };
                    let partial = if self.offset > start {
                        format!(
                            " at byte {}; the unfinished line ({} bytes) is dropped",
                            self.offset,
                            self.offset - start
                        )
                    } else {
                        String::new()
                    };
                    return Some(self.problem(start, line, format!("{what}{partial}")));
                }
                LineRead::Line { len, too_long } => {
                    self.line += 1;
                    if too_long {
                        return Some(self.problem(
                            start,
                            line,
                            format!(
                                "line of {len} bytes is longer than the limit of {} bytes",
                                self.max
                            ),
                        ));
                    }
                    if let Some(ev) = self.parse_line(start, line) {
                        return Some(ev);
                    }
                }
            }
        }
        None
    }
}
