//! The record parser: WARC and ARC records out of the byte stream that [`Source`] delivers.

use crate::source::{Compression, Source, SourceProblem};
use crate::{Format, ReaderOptions, Record, RecordError};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

/// Longest first line of a record (version line or ARC header line) that is looked at;
/// longer lines are garbage.
const MAX_FIRST_LINE: usize = 64 * 1024;
/// Initial allocation for a block at most; a block grows as its bytes arrive, so a lying
/// `Content-Length` cannot make the reader allocate more than the data it actually has.
const MAX_BLOCK_PREALLOC: u64 = 1 << 20;
/// Header lines one WARC record may have. Real records have a dozen or two; the cap keeps a
/// header section of tiny lines from turning into hundreds of thousands of small strings.
const MAX_HEADER_LINES: usize = 4096;
/// Bytes of garbage quoted in a problem message.
const PREVIEW: usize = 40;

/// What the first line of a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Warc,
    Arc,
    Garbage,
}

/// Which container the file turned out to be, from its first record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unknown,
    Warc,
    Arc,
}

/// Result of reading one line.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// The line ended with `\n` (otherwise the stream ended or broke).
    eol: bool,
    /// The line was longer than what was kept.
    overflow: bool,
    /// Bytes consumed, line ending included.
    total: u64,
}

/// Streaming WARC/ARC reader: an iterator of records and problems, in file order.
///
/// It never stops at a problem: each [`RecordError`] is followed by whatever can still be
/// read. Iteration ends at the end of the file (or after an unrecoverable read error, which is
/// reported first).
pub struct WarcReader<R> {
    src: Source<R>,
    file: String,
    opts: ReaderOptions,
    /// Index the next record gets.
    index: u64,
    mode: Mode,
    /// ARC version from the `filedesc://` record (1 unless it says 2).
    arc_version: u8,
    /// The current line (reused buffer).
    line: Vec<u8>,
    /// `Some(start)` when `line` holds the first line of the next record, found while
    /// resynchronising; `start` is its decompressed offset.
    pending_line: Option<u64>,
    queue: VecDeque<RecordError>,
    finished: bool,
}

impl WarcReader<File> {
    /// Opens a file; it is labelled with its path in problem reports.
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let f = File::open(path)?;
        Ok(WarcReader::new(f, path.display().to_string()))
    }
}

impl<R: Read + Seek> WarcReader<R> {
    /// A reader over `reader` with default [`ReaderOptions`]. `file_label` names the input in
    /// problem reports. The reader does its own buffering: pass a `File`, not a `BufReader`.
    pub fn new(reader: R, file_label: impl Into<String>) -> Self {
        Self::with_options(reader, file_label, ReaderOptions::default())
    }

    /// A reader with explicit limits.
    pub fn with_options(reader: R, file_label: impl Into<String>, opts: ReaderOptions) -> Self {
        WarcReader {
            src: Source::new(reader),
            file: file_label.into(),
            opts,
            index: 0,
            mode: Mode::Unknown,
            arc_version: 0,
            line: Vec::with_capacity(256),
            pending_line: None,
            queue: VecDeque::new(),
            finished: false,
        }
    }

    /// The file's compression, detected from its first bytes (reads them if needed).
    pub fn compression(&mut self) -> Compression {
        self.src.compression()
    }

    /// The label problems are reported under.
    pub fn file_label(&self) -> &str {
        &self.file
    }

    fn next_item(&mut self) -> Option<Result<Record, RecordError>> {
        loop {
            while let Some(p) = self.src.take_problem() {
                let e = self.source_error(p);
                self.queue.push_back(e);
            }
            if let Some(e) = self.queue.pop_front() {
                return Some(Err(e));
            }
            if self.finished {
                return None;
            }
            match self.read_record() {
                Some(item) => return Some(item),
                None if self.src.at_break() => self.src.clear_break(),
                None => self.finished = true,
            }
        }
    }

    fn source_error(&self, p: SourceProblem) -> RecordError {
        RecordError {
            file: self.file.clone(),
            offset: p.offset,
            record: None,
            message: p.message,
        }
    }

    fn error(&self, offset: u64, record: Option<u64>, message: String) -> RecordError {
        RecordError {
            file: self.file.clone(),
            offset,
            record,
            message,
        }
    }

    /// Reads one line into `self.line` (without `\n` and a trailing `\r`), keeping at most
    /// `keep` bytes of it; the rest of a longer line is consumed and dropped.
    fn read_line(&mut self, keep: usize) -> Line {
        self.line.clear();
        let mut total = 0u64;
        let mut overflow = false;
        loop {
            let buf = self.src.fill_buf();
            if buf.is_empty() {
                return Line {
                    eol: false,
                    overflow,
                    total,
                };
            }
            let (chunk, used, eol) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = keep.saturating_sub(self.line.len());
            if chunk.len() > room {
                overflow = true;
            }
            self.line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += used as u64;
            self.src.consume(used);
            if eol {
                if !overflow && self.line.last() == Some(&b'\r') {
                    self.line.pop();
                }
                return Line {
                    eol: true,
                    overflow,
                    total,
                };
            }
        }
    }

    /// Skips whitespace between records. Returns `false` at the end of the stream (or a break).
    fn skip_ws(&mut self) -> bool {
        loop {
            let buf = self.src.fill_buf();
            if buf.is_empty() {
                return false;
            }
            let n = buf
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t'));
            match n {
                Some(i) => {
                    self.src.consume(i);
                    return true;
                }
                None => {
                    let len = buf.len();
                    self.src.consume(len);
                }
            }
        }
    }

    fn classify(&self) -> LineKind {
        let line = self.line.as_slice();
        if line.starts_with(b"WARC/") && line.get(5).is_some_and(u8::is_ascii_digit) {
            return LineKind::Warc;
        }
        if self.mode != Mode::Warc && parse_arc_header(line, self.arc_version).is_some() {
            return LineKind::Arc;
        }
        LineKind::Garbage
    }

    /// Reads the next record. `None` at the end of the stream or at a break.
    fn read_record(&mut self) -> Option<Result<Record, RecordError>> {
        let start = match self.pending_line.take() {
            Some(start) => start,
            None => {
                if !self.skip_ws() {
                    return None;
                }
                let start = self.src.pos();
                self.read_line(MAX_FIRST_LINE);
                start
            }
        };
        match self.classify() {
            LineKind::Warc => {
                self.mode = Mode::Warc;
                Some(self.parse_warc(start))
            }
            LineKind::Arc => {
                self.mode = Mode::Arc;
                Some(self.parse_arc(start))
            }
            LineKind::Garbage => Some(Err(self.skip_garbage(start))),
        }
    }

    /// Where to report garbage at decompressed offset `pos`: the offset itself for plain
    /// files; for gzip the message also names the member.
    fn garbage_error(&mut self, start: u64, message: String) -> RecordError {
        let msg = if self.src.compression() == Compression::Gzip {
            format!("{message} (offset is in the decompressed stream)")
        } else {
            message
        };
        self.error(start, None, msg)
    }

    fn skip_garbage(&mut self, start: u64) -> RecordError {
        let preview = preview(&self.line);
        let found = self.skip_to_record_line();
        let end = self.pending_line.unwrap_or_else(|| self.src.pos());
        let what = match self.mode {
            Mode::Arc => "an ARC header line",
            Mode::Warc => "a WARC/ version line",
            Mode::Unknown => "a WARC/ version line or ARC header line",
        };
        let msg = format!(
            "expected {what}, found \"{preview}\"; skipped {} bytes to {}",
            end.saturating_sub(start),
            if found {
                "the next record"
            } else {
                "the end of the data"
            }
        );
        self.garbage_error(start, msg)
    }

    /// Skips lines until one starts a record; leaves it in `self.line` as pending.
    fn skip_to_record_line(&mut self) -> bool {
        loop {
            if !self.skip_ws() {
                return false;
            }
            let s = self.src.pos();
            self.read_line(MAX_FIRST_LINE);
            if self.classify() != LineKind::Garbage {
                self.pending_line = Some(s);
                return true;
            }
        }
    }

    /// Reports a malformed record and resynchronises at the next record line.
    fn malformed(&mut self, offset: u64, index: u64, what: String) -> RecordError {
        let from = self.src.pos();
        let found = self.pending_line.is_some() || self.skip_to_record_line();
        let end = self.pending_line.unwrap_or_else(|| self.src.pos());
        let skipped = end.saturating_sub(from);
        let msg = if skipped == 0 {
            what
        } else if found {
            format!("{what}; skipped {skipped} bytes to the next record")
        } else {
            format!("{what}; skipped {skipped} bytes to the end of the data")
        };
        self.error(offset, Some(index), msg)
    }

    fn cut_short_cause(&self) -> &'static str {
        if self.src.at_break() {
            "a damaged or cut-off gzip member"
        } else {
            "the end of the file"
        }
    }

    fn parse_warc(&mut self, start: u64) -> Result<Record, RecordError> {
        let index = self.index;
        self.index += 1;
        let offset = self.src.record_offset(start);
        let version = String::from_utf8_lossy(self.line.trim_ascii()).into_owned();
        let mut headers: Vec<(String, String)> = Vec::with_capacity(16);
        let mut header_bytes = 0usize;
        loop {
            let line_start = self.src.pos();
            let l = self.read_line(self.opts.max_header_bytes);
            header_bytes = header_bytes.saturating_add(l.total as usize);
            if !l.eol {
                let what = format!("record header cut short by {}", self.cut_short_cause());
                return Err(self.error(offset, Some(index), what));
            }
            if headers.len() >= MAX_HEADER_LINES {
                let what = format!("record header has more than {MAX_HEADER_LINES} lines");
                return Err(self.malformed(offset, index, what));
            }
            if l.overflow || header_bytes > self.opts.max_header_bytes {
                let what = format!(
                    "record header larger than {} bytes",
                    self.opts.max_header_bytes
                );
                return Err(self.malformed(offset, index, what));
            }
            let line = self.line.as_slice();
            if line.iter().all(u8::is_ascii_whitespace) {
                break;
            }
            if line.starts_with(b"WARC/") {
                // The next record began before this one's header ended.
                self.pending_line = Some(line_start);
                let what = "record header not terminated by a blank line".to_string();
                return Err(self.malformed(offset, index, what));
            }
            if line[0] == b' ' || line[0] == b'\t' {
                if let Some((_, v)) = headers.last_mut() {
                    let extra = String::from_utf8_lossy(line.trim_ascii());
                    if !v.is_empty() {
                        v.push(' ');
                    }
                    v.push_str(&extra);
                }
                continue;
            }
            // Lines without a colon are not headers; skipped rather than failing the record.
            if let Some(colon) = memchr::memchr(b':', line) {
                let name = String::from_utf8_lossy(line[..colon].trim_ascii()).into_owned();
                let value = String::from_utf8_lossy(line[colon + 1..].trim_ascii()).into_owned();
                headers.push((name, value));
            }
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let length = match find("Content-Length") {
            None => {
                return Err(self.malformed(offset, index, "no Content-Length header".into()));
            }
            Some(v) => match parse_length(&v) {
                Some(n) => n,
                None => {
                    let what = format!("bad Content-Length \"{}\"", preview(v.as_bytes()));
                    return Err(self.malformed(offset, index, what));
                }
            },
        };
        let (block, truncated) = self.read_block(offset, index, length)?;
        let record_type = find("WARC-Type")
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default();
        let target_uri = find("WARC-Target-URI").map(|u| strip_angle(&u).to_string());
        Ok(Record {
            format: Format::Warc,
            version,
            record_type,
            target_uri,
            record_id: find("WARC-Record-ID"),
            date: find("WARC-Date"),
            content_type: find("Content-Type"),
            headers,
            block,
            truncated,
            offset,
            index,
        })
    }

    /// Reads a block of `length` bytes (returning whether it was cut short), or skips it if it
    /// is over the limit.
    fn read_block(
        &mut self,
        offset: u64,
        index: u64,
        length: u64,
    ) -> Result<(Vec<u8>, bool), RecordError> {
        if length > self.opts.max_record_bytes {
            let got = self.skip_bytes(length);
            let what = if got < length {
                format!(
                    "block of {length} bytes is over the {} byte limit, and cut short after {got} bytes by {}",
                    self.opts.max_record_bytes,
                    self.cut_short_cause()
                )
            } else {
                format!(
                    "block of {length} bytes is over the {} byte limit; skipped",
                    self.opts.max_record_bytes
                )
            };
            return Err(self.error(offset, Some(index), what));
        }
        let mut block = Vec::with_capacity(length.min(MAX_BLOCK_PREALLOC) as usize);
        let mut want = length;
        while want > 0 {
            let buf = self.src.fill_buf();
            if buf.is_empty() {
                break;
            }
            let n = buf.len().min(usize::try_from(want).unwrap_or(usize::MAX));
            block.extend_from_slice(&buf[..n]);
            self.src.consume(n);
            want -= n as u64;
        }
        let truncated = want > 0;
        if truncated {
            // The record is still returned (marked truncated): a page cut short, e.g. by a
            // clipped download, is mostly there. The problem is reported right after it.
            let what = format!(
                "block cut short by {}: Content-Length {length}, got {} bytes; record returned truncated",
                self.cut_short_cause(),
                block.len()
            );
            let e = self.error(offset, Some(index), what);
            self.queue.push_back(e);
        }
        Ok((block, truncated))
    }

    fn skip_bytes(&mut self, n: u64) -> u64 {
        let mut done = 0u64;
        while done < n {
            let buf = self.src.fill_buf();
            if buf.is_empty() {
                break;
            }
            let k = buf
                .len()
                .min(usize::try_from(n - done).unwrap_or(usize::MAX));
            self.src.consume(k);
            done += k as u64;
        }
        done
    }

    fn parse_arc(&mut self, start: u64) -> Result<Record, RecordError> {
        let index = self.index;
        self.index += 1;
        let offset = self.src.record_offset(start);
        let Some(h) = parse_arc_header(&self.line, self.arc_version) else {
            // classify() accepted this line, so this does not happen; be safe anyway.
            return Err(self.malformed(offset, index, "bad ARC header line".into()));
        };
        let Some(length) = parse_length(&h.length) else {
            let what = format!("bad ARC length field \"{}\"", preview(h.length.as_bytes()));
            return Err(self.malformed(offset, index, what));
        };
        let (block, truncated) = self.read_block(offset, index, length)?;
        let is_filedesc = h.url.starts_with("filedesc:");
        if is_filedesc {
            // The first line of the file header says the ARC version: `1 0 ...` or `2 0 ...`.
            self.arc_version = match block.first() {
                Some(b'2') => 2,
                _ => 1,
            };
        }
        let version = if h.fields.len() > 5 { "ARC/2" } else { "ARC/1" };
        let date = arc_date(&h.date);
        let content_type = (!h.mime.is_empty()).then(|| h.mime.clone());
        let headers = h
            .fields
            .iter()
            .zip(if h.fields.len() > 5 {
                ARC_V2_FIELDS.iter()
            } else {
                ARC_V1_FIELDS.iter()
            })
            .map(|(v, k)| (k.to_string(), v.clone()))
            .collect();
        Ok(Record {
            format: Format::Arc,
            version: version.to_string(),
            headers,
            record_type: if is_filedesc { "warcinfo" } else { "response" }.to_string(),
            target_uri: Some(h.url),
            record_id: None,
            date: Some(date),
            content_type,
            block,
            truncated,
            offset,
            index,
        })
    }
}

impl<R: Read + Seek> Iterator for WarcReader<R> {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item()
    }
}

const ARC_V1_FIELDS: [&str; 5] = [
    "URL",
    "IP-address",
    "Archive-date",
    "Content-type",
    "Archive-length",
];
const ARC_V2_FIELDS: [&str; 10] = [
    "URL",
    "IP-address",
    "Archive-date",
    "Content-type",
    "Result-code",
    "Checksum",
    "Location",
    "Offset",
    "Filename",
    "Archive-length",
];

/// An ARC header line split into its fields.
#[derive(Debug)]
struct ArcHeader {
    url: String,
    date: String,
    mime: String,
    length: String,
    /// All fields in order (URL first), 5 for v1 and 10 for v2.
    fields: Vec<String>,
}

/// Parses `URL IP date mime length` (v1) or the 10-field v2 line. Fields are taken from the
/// right, so URLs with spaces in them (seen in real files) stay whole. Returns `None` if the
/// line does not look like an ARC header (the length field is not checked here, so that a bad
/// length is reported as such rather than as garbage).
fn parse_arc_header(line: &[u8], version: u8) -> Option<ArcHeader> {
    if line.len() < 10 || line.len() > MAX_FIRST_LINE {
        return None;
    }
    let text = String::from_utf8_lossy(line);
    let parts: Vec<&str> = text.split([' ', '\t']).filter(|p| !p.is_empty()).collect();
    let try_tail = |tail: usize| -> Option<ArcHeader> {
        if parts.len() < tail + 1 {
            return None;
        }
        let (url_parts, rest) = parts.split_at(parts.len() - tail);
        let url = url_parts.join(" ");
        let ip = rest.first()?;
        let date = rest.get(1)?;
        let url_ok = url.contains("://") || url.starts_with("dns:") || url.starts_with("filedesc:");
        let ip_ok = *ip == "-"
            || ip
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':');
        let date_ok = date.len() >= 8 && date.bytes().all(|b| b.is_ascii_digit());
        if !(url_ok && ip_ok && date_ok) {
            return None;
        }
        let mut fields = Vec::with_capacity(tail + 1);
        fields.push(url.clone());
        fields.extend(rest.iter().map(|s| s.to_string()));
        Some(ArcHeader {
            url,
            date: date.to_string(),
            mime: rest.get(2)?.to_string(),
            length: rest.last()?.to_string(),
            fields,
        })
    };
    if version != 1 {
        if let Some(h) = try_tail(9) {
            return Some(h);
        }
    }
    try_tail(4)
}

/// `20080509190241` → `2008-05-09T19:02:41Z`; anything that is not at least 14 digits is kept.
fn arc_date(d: &str) -> String {
    let b = d.as_bytes();
    if b.len() >= 14 && b[..14].iter().all(u8::is_ascii_digit) {
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            &d[8..10],
            &d[10..12],
            &d[12..14]
        )
    } else {
        d.to_string()
    }
}

/// A decimal length: digits only (after trimming), at most 19 of them.
fn parse_length(v: &str) -> Option<u64> {
    let v = v.trim();
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn strip_angle(u: &str) -> &str {
    let u = u.trim();
    u.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(u)
}

/// A short printable quote of some bytes for messages.
fn preview(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b.iter().take(PREVIEW) {
        if c.is_ascii_graphic() || c == b' ' {
            s.push(c as char);
        } else {
            s.push_str(&format!("\\x{c:02x}"));
        }
    }
    if b.len() > PREVIEW {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn warc(version: &str, kind: &str, uri: &str, block: &[u8], eol: &str) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(format!("{version}{eol}WARC-Type: {kind}{eol}").as_bytes());
        r.extend_from_slice(format!("WARC-Target-URI: {uri}{eol}").as_bytes());
        r.extend_from_slice(format!("WARC-Record-ID: <urn:uuid:{uri}>{eol}").as_bytes());
        r.extend_from_slice(format!("Content-Length: {}{eol}{eol}", block.len()).as_bytes());
        r.extend_from_slice(block);
        r.extend_from_slice(format!("{eol}{eol}").as_bytes());
        r
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    type Items = Vec<Result<Record, RecordError>>;

    fn read_with(data: Vec<u8>, opts: ReaderOptions) -> Items {
        WarcReader::with_options(Cursor::new(data), "t.warc", opts).collect()
    }

    fn read(data: Vec<u8>) -> Items {
        read_with(data, ReaderOptions::default())
    }

    fn uris(items: &Items) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| i.as_ref().ok())
            .map(|r| r.target_uri.clone().unwrap_or_default())
            .collect()
    }

    fn errors(items: &Items) -> Vec<&RecordError> {
        items.iter().filter_map(|i| i.as_ref().err()).collect()
    }

    #[test]
    fn crlf_and_lf_records_with_folded_headers() {
        let mut data = warc(
            "WARC/1.0",
            "response",
            "http://a/",
            b"HTTP/1.1 200 OK\r\n\r\nx",
            "\r\n",
        );
        data.extend(warc(
            "WARC/0.18",
            "Request",
            "http://b/",
            b"GET / HTTP/1.0\n\n",
            "\n",
        ));
        data.extend_from_slice(
            b"WARC/1.1\nWARC-Type:metadata\nX-Folded: one\n  two\n\tthree\nContent-Length:  3 \n\nabcWARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n",
        );
        let items = read(data);
        assert!(errors(&items).is_empty(), "{:?}", errors(&items));
        let recs: Vec<&Record> = items.iter().filter_map(|i| i.as_ref().ok()).collect();
        assert_eq!(recs.len(), 4);
        assert_eq!(recs[0].version, "WARC/1.0");
        assert_eq!(recs[0].block, b"HTTP/1.1 200 OK\r\n\r\nx");
        assert_eq!(recs[0].record_id.as_deref(), Some("<urn:uuid:http://a/>"));
        assert_eq!(recs[0].offset, 0);
        assert_eq!(recs[1].record_type, "request");
        assert_eq!(recs[1].version, "WARC/0.18");
        assert_eq!(recs[2].header("x-folded"), Some("one two three"));
        assert_eq!(recs[2].block, b"abc");
        assert_eq!(recs[3].record_type, "warcinfo");
        assert_eq!(
            recs.iter().map(|r| r.index).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        // Plain file: offsets are file offsets.
        let second = warc(
            "WARC/1.0",
            "response",
            "http://a/",
            b"HTTP/1.1 200 OK\r\n\r\nx",
            "\r\n",
        );
        assert_eq!(recs[1].offset, second.len() as u64);
    }

    #[test]
    fn angle_brackets_around_target_uri_are_dropped() {
        let items = read(warc("WARC/1.0", "resource", "<http://x/y>", b"", "\r\n"));
        assert_eq!(uris(&items), ["http://x/y"]);
    }

    #[test]
    fn truncated_block_is_reported() {
        let mut data = warc("WARC/1.0", "response", "http://a/", b"0123456789", "\r\n");
        let full = data.len();
        data.truncate(full - 8);
        let items = read(data);
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].record, Some(0));
        assert_eq!(errs[0].offset, 0);
        assert!(errs[0].message.contains("cut short"), "{}", errs[0]);
        // The record comes first, marked truncated, with what was there.
        let rec = items[0].as_ref().unwrap();
        assert!(rec.truncated);
        assert_eq!(rec.block, b"0123456789"[..6].to_vec());
        // A header cut short yields no record.
        let items = read(b"WARC/1.0\r\nContent-Length: 5\r\n".to_vec());
        assert_eq!(errors(&items).len(), 1);
        assert!(uris(&items).is_empty());
    }

    #[test]
    fn bad_and_missing_content_length_resync() {
        let mut data =
            b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 12x\r\n\r\nhello\r\n\r\n".to_vec();
        data.extend(warc("WARC/1.0", "response", "http://good1/", b"x", "\r\n"));
        data.extend_from_slice(b"WARC/1.0\r\nWARC-Type: response\r\n\r\nbody\r\nmore\r\n\r\n");
        data.extend(warc("WARC/1.0", "response", "http://good2/", b"y", "\r\n"));
        let items = read(data);
        assert_eq!(uris(&items), ["http://good1/", "http://good2/"]);
        let errs = errors(&items);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].message.contains("bad Content-Length"),
            "{}",
            errs[0]
        );
        assert_eq!(errs[0].record, Some(0));
        assert!(errs[1].message.contains("no Content-Length"), "{}", errs[1]);
        assert_eq!(errs[1].record, Some(2));
        assert!(errs[1].to_string().starts_with("t.warc: record 2 at byte"));
    }

    #[test]
    fn garbage_between_records_and_missing_newlines() {
        let mut data = b"junk line\r\nmore junk\n".to_vec();
        data.extend(warc("WARC/1.0", "response", "http://a/", b"x", "\r\n"));
        // No separator at all before the next record (ClueWeb09 style).
        data.truncate(data.len() - 4);
        data.extend(warc("WARC/1.0", "response", "http://b/", b"y", "\n"));
        data.extend_from_slice(b"\x00\x00\r\n");
        data.extend(warc("WARC/1.0", "response", "http://c/", b"z", "\r\n"));
        let items = read(data);
        assert_eq!(uris(&items), ["http://a/", "http://b/", "http://c/"]);
        let errs = errors(&items);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].offset, 0);
        assert!(errs[0].message.contains("junk line"));
        assert!(errs[1].message.contains("\\x00"));
    }

    #[test]
    fn header_cut_by_next_record() {
        let mut data = b"WARC/1.0\r\nWARC-Type: response\r\n".to_vec();
        data.extend(warc("WARC/1.0", "response", "http://a/", b"x", "\r\n"));
        let items = read(data);
        assert_eq!(uris(&items), ["http://a/"]);
        assert_eq!(errors(&items).len(), 1);
        assert_eq!(items[1].as_ref().unwrap().index, 1);
    }

    #[test]
    fn oversized_block_is_skipped_not_held() {
        let big = vec![b'a'; 5000];
        let mut data = warc("WARC/1.0", "response", "http://big/", &big, "\r\n");
        data.extend(warc("WARC/1.0", "response", "http://small/", b"x", "\r\n"));
        let opts = ReaderOptions {
            max_record_bytes: 1000,
            ..ReaderOptions::default()
        };
        let items = read_with(data, opts);
        assert_eq!(uris(&items), ["http://small/"]);
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("over the 1000 byte limit"));
        assert_eq!(items[1].as_ref().unwrap().index, 1);
    }

    #[test]
    fn huge_declared_length_does_not_allocate() {
        let data = b"WARC/1.0\r\nContent-Length: 9999999999999\r\n\r\nabc".to_vec();
        let items = read(data);
        assert_eq!(errors(&items).len(), 1);
        let data = b"WARC/1.0\r\nContent-Length: 60000000\r\n\r\nabc".to_vec();
        let items = read(data);
        assert!(errors(&items)[0].message.contains("cut short"));
    }

    #[test]
    fn per_record_gzip_offsets_are_member_offsets() {
        let r1 = warc("WARC/1.0", "warcinfo", "a", b"info", "\r\n");
        let r2 = warc(
            "WARC/1.0",
            "response",
            "http://b/",
            b"HTTP/1.1 200 OK\r\n\r\n<html>",
            "\r\n",
        );
        let r3 = warc("WARC/1.0", "request", "http://b/", b"GET /", "\r\n");
        let (g1, g2, g3) = (gz(&r1), gz(&r2), gz(&r3));
        let mut data = g1.clone();
        data.extend(&g2);
        data.extend(&g3);
        let mut reader = WarcReader::new(Cursor::new(data), "t.warc.gz");
        assert_eq!(reader.compression(), Compression::Gzip);
        let items: Items = reader.collect();
        assert!(errors(&items).is_empty(), "{:?}", errors(&items));
        let offs: Vec<u64> = items.iter().map(|i| i.as_ref().unwrap().offset).collect();
        assert_eq!(offs, [0, g1.len() as u64, (g1.len() + g2.len()) as u64]);
    }

    #[test]
    fn whole_file_gzip_keeps_decoding_across_records() {
        let r1 = warc("WARC/1.0", "warcinfo", "a", b"info", "\n");
        let r2 = warc(
            "WARC/1.0",
            "response",
            "http://b/",
            b"HTTP/1.1 200 OK\n\n<html>",
            "\n",
        );
        let mut plain = r1.clone();
        plain.extend(&r2);
        let items = read(gz(&plain));
        assert!(errors(&items).is_empty());
        let offs: Vec<u64> = items.iter().map(|i| i.as_ref().unwrap().offset).collect();
        // Second record: decompressed offset.
        assert_eq!(offs, [0, r1.len() as u64]);
    }

    fn three_members() -> (Vec<u8>, Vec<Vec<u8>>) {
        let filler = b"<p>some text that compresses</p>".repeat(50);
        let recs: Vec<Vec<u8>> = ["http://one/", "http://two/", "http://three/"]
            .iter()
            .map(|u| gz(&warc("WARC/1.0", "response", u, &filler, "\r\n")))
            .collect();
        (recs.concat(), recs)
    }

    #[test]
    fn corrupt_gzip_member_is_reported_and_skipped() {
        let (mut data, members) = three_members();
        let start = members[0].len();
        // Damage the middle of the second member's deflate data.
        let mid = start + members[1].len() / 2;
        for b in &mut data[mid..mid + 16] {
            *b ^= 0xa5;
        }
        let items = read(data);
        let got = uris(&items);
        assert_eq!(got.first().map(String::as_str), Some("http://one/"));
        assert_eq!(got.last().map(String::as_str), Some("http://three/"));
        assert!(!got.contains(&"http://two/".to_string()));
        let errs = errors(&items);
        let gz_err = errs
            .iter()
            .find(|e| e.message.contains("gzip member"))
            .expect("a gzip problem");
        assert_eq!(gz_err.offset, start as u64);
        assert!(gz_err.message.contains(&format!(
            "skipped to the next gzip member at offset {}",
            start + members[1].len()
        )));
        // The third record is found at its member's compressed offset.
        let third = items
            .iter()
            .filter_map(|i| i.as_ref().ok())
            .next_back()
            .unwrap();
        assert_eq!(third.offset, (start + members[1].len()) as u64);
    }

    #[test]
    fn truncated_gzip_member_followed_by_good_one() {
        let (_, members) = three_members();
        let mut data = members[0].clone();
        data.extend_from_slice(&members[1][..members[1].len() / 2]);
        data.extend_from_slice(&members[2]);
        let items = read(data);
        assert_eq!(uris(&items), ["http://one/", "http://three/"]);
        let errs = errors(&items);
        assert!(errs
            .iter()
            .any(|e| e.offset == members[0].len() as u64 && e.message.contains("gzip member")));
        // The truncated record is reported too, not glued to the next member's bytes.
        assert!(errs.iter().any(|e| e.record == Some(1)));
    }

    #[test]
    fn gzip_cut_at_end_of_file_keeps_complete_records() {
        let r1 = warc("WARC/1.0", "response", "http://a/", b"x", "\r\n");
        let r2 = warc("WARC/1.0", "response", "http://b/", &[b'y'; 3000], "\r\n");
        let mut plain = r1.clone();
        plain.extend(&r2);
        let mut data = gz(&plain);
        data.truncate(data.len() - 30);
        let items = read(data);
        assert_eq!(uris(&items), ["http://a/"]);
        let errs = errors(&items);
        assert!(
            errs.iter()
                .any(|e| e.message.contains("rest of file skipped")),
            "{errs:?}"
        );
    }

    #[test]
    fn non_gzip_bytes_between_members() {
        let (_, members) = three_members();
        let mut data = members[0].clone();
        data.extend_from_slice(b"GARBAGE!");
        data.extend_from_slice(&members[1]);
        let items = read(data);
        assert_eq!(uris(&items), ["http://one/", "http://two/"]);
        assert_eq!(errors(&items).len(), 1);
        assert_eq!(errors(&items)[0].offset, members[0].len() as u64);
    }

    #[test]
    fn arc_v1_with_filedesc_spaces_and_no_separators() {
        let body = b"HTTP/1.1 200 OK\nContent-Type:text/html\n\n<html>hi</html>";
        let desc = b"1 0 CommonCrawl\nURL IP-address Archive-date Content-type Archive-length\n\n";
        let mut data = format!(
            "filedesc://x.arc.gz 0.0.0.0 20080619093439 text/plain {}\n",
            desc.len()
        )
        .into_bytes();
        data.extend_from_slice(desc);
        data.extend_from_slice(
            format!(
                "http://a.example/a b c 72.249.22.82 20080509190241 text/html {}\n",
                body.len()
            )
            .as_bytes(),
        );
        data.extend_from_slice(body);
        data.extend_from_slice(
            format!(
                "http://b/ 1.2.3.4 20080509190241 text/html {}\n",
                body.len()
            )
            .as_bytes(),
        );
        data.extend_from_slice(body);
        data.push(b'\n');
        let items = read(data);
        assert!(errors(&items).is_empty(), "{:?}", errors(&items));
        let recs: Vec<&Record> = items.iter().filter_map(|i| i.as_ref().ok()).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].record_type, "warcinfo");
        assert_eq!(recs[1].record_type, "response");
        assert_eq!(recs[1].format, Format::Arc);
        assert_eq!(
            recs[1].target_uri.as_deref(),
            Some("http://a.example/a b c")
        );
        assert_eq!(recs[1].date.as_deref(), Some("2008-05-09T19:02:41Z"));
        assert_eq!(recs[1].header("IP-address"), Some("72.249.22.82"));
        assert_eq!(recs[1].block, body);
        let h = recs[1].http().unwrap();
        assert_eq!(h.status, Some(200));
        assert_eq!(h.content_type(), Some("text/html"));
    }

    #[test]
    fn arc_bad_lengths_are_problems() {
        let data = b"filedesc://bad.arc.gz 127.0.0.1 20140301000000 text/plain -1\n1 0 Bad\nURL IP-address Archive-date Content-type Archive-length\n\nhttp://example.com/ 93.184.216.119 201404010000000000 text/html -1\n\nhttp://example.com/ 127.0.0.1 20140102000000 text/plain 1\n\n\nhttp://example.com/ 93.184.216.119 201404010000000000 text/html abc\n".to_vec();
        let items = read(data);
        assert_eq!(uris(&items), ["http://example.com/"]);
        assert_eq!(errors(&items).len(), 3, "{:?}", errors(&items));
    }

    #[test]
    fn empty_and_tiny_inputs() {
        assert!(read(Vec::new()).is_empty());
        assert_eq!(read(b"\r\n\r\n".to_vec()).len(), 0);
        assert_eq!(errors(&read(b"W".to_vec())).len(), 1);
        assert_eq!(errors(&read(vec![0x1f])).len(), 1);
        assert!(!errors(&read(vec![0x1f, 0x8b])).is_empty());
        assert!(!errors(&read(b"WARC/1.0".to_vec())).is_empty());
    }

    #[test]
    fn odd_inputs_only_yield_problems() {
        // Edge paths of the byte layer and the parser; crashes found by `fuzz/` go here too.
        let long_header = format!("WARC/1.0\r\nX: {}\r\n\r\n", "a".repeat(5000));
        let many_headers = format!("WARC/1.0\r\n{}\r\n", "a:\n".repeat(5000));
        let cases: Vec<Vec<u8>> = vec![
            b"WARC/1\n\n".to_vec(),
            b"WARC/1.0\r\nContent-Length: +5\r\n\r\nhello".to_vec(),
            vec![0x1f, 0x8b, 0x08, 0xe0, 0, 0, 0, 0, 0, 0],
            vec![0x1f, 0x8b, 0x08, 0x00],
            vec![0x1f, 0x8b, 0x07, 0x00, 0x1f, 0x8b],
            long_header.into_bytes(),
            many_headers.into_bytes(),
            b"http://x/ 1.2.3.4 20080101000000 text/html 99999999999999999999\n".to_vec(),
        ];
        for case in cases {
            let opts = ReaderOptions {
                max_header_bytes: 4096,
                ..ReaderOptions::default()
            };
            let items = read_with(case.clone(), opts.clone());
            assert!(
                !errors(&items).is_empty(),
                "{:?}",
                String::from_utf8_lossy(&case)
            );
            let _ = read_with(gz(&case), opts);
        }
    }

    #[test]
    fn arc_v2_header_lines() {
        let body = b"HTTP/1.0 200 OK\r\n\r\nx";
        let desc = b"2 0 Alexa\nURL IP-address Archive-date Content-type Result-code Checksum Location Offset Filename Archive-length\n";
        let mut data = format!(
            "filedesc://y.arc 0.0.0.0 20000101000000 text/plain 200 - - 0 y.arc {}\n",
            desc.len()
        )
        .into_bytes();
        data.extend_from_slice(desc);
        data.extend_from_slice(
            format!(
                "http://v2.example/ 1.2.3.4 20000101000000 text/html 200 abc - 123 y.arc {}\n",
                body.len()
            )
            .as_bytes(),
        );
        data.extend_from_slice(body);
        let items = read(data);
        assert!(errors(&items).is_empty(), "{:?}", errors(&items));
        let r = items[1].as_ref().unwrap();
        assert_eq!(r.version, "ARC/2");
        assert_eq!(r.header("Result-code"), Some("200"));
        assert_eq!(r.target_uri.as_deref(), Some("http://v2.example/"));
        assert_eq!(r.block, body);
    }
}
