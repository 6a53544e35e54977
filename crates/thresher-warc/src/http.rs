//! The HTTP layer inside `response` blocks (and ARC records): status line, headers, and the
//! payload with transfer and content encodings undone.
//!
//! Everything here is lenient, because crawl archives hold whatever servers sent and whatever
//! crawlers wrote: `Name:value` without a space, LF-only line endings, folded lines, no status
//! line at all (research tools that rewrite archives drop it), `Transfer-Encoding: chunked`
//! on bodies a crawler already de-chunked, `Content-Encoding: gzip` on bodies it already
//! decompressed. Nothing here panics or allocates more than a caller-given bound, whatever
//! the input: declared sizes are never trusted for allocation.

use flate2::{Decompress, FlushDecompress, Status};
use std::borrow::Cow;
use std::ops::Range;

/// Header lines scanned at most; a header section longer than this is cut off there.
const MAX_HEADER_BYTES: usize = 256 * 1024;
/// Headers kept at most.
const MAX_HEADERS: usize = 1000;

/// A parsed HTTP response head, borrowing from the record block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// Status code from the status line; `None` when there is no (valid) status line.
    pub status: Option<u16>,
    /// Headers in order, names and values trimmed, folded lines joined with a space.
    /// Invalid UTF-8 is replaced (header values are ASCII in practice).
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Where the body starts in the block.
    pub body_start: usize,
}

impl<'a> Response<'a> {
    /// The first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// The `Content-Type` header, if present and not empty.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type").filter(|v| !v.is_empty())
    }

    /// The raw body (still chunked and compressed if the server sent it so).
    pub fn body<'b>(&self, block: &'b [u8]) -> &'b [u8] {
        block.get(self.body_start..).unwrap_or(&[])
    }

    /// Whether `Transfer-Encoding` names `chunked`.
    pub fn is_chunked(&self) -> bool {
        self.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("transfer-encoding")
                && v.split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("chunked"))
        })
    }

    /// The `Content-Encoding` codings in the order they were applied (identity dropped).
    pub fn content_encodings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case("content-encoding") {
                for t in v.split(',') {
                    let t = t.trim().to_ascii_lowercase();
                    if !t.is_empty() && t != "identity" && t != "none" {
                        out.push(t);
                    }
                }
            }
        }
        out
    }
}

/// Splits a block into lines without their line endings; yields `(line, next_line_start)`.
fn next_line(block: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let rest = block.get(from..)?;
    if rest.is_empty() {
        return None;
    }
    let (line, next) = match memchr::memchr(b'\n', rest) {
        Some(i) => (&rest[..i], from + i + 1),
        None => (rest, block.len()),
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Some((line, next))
}

/// Whether a line looks like `Token:value` (an HTTP header), used when there is no status
/// line to decide whether headers follow or the block is all payload.
fn looks_like_header(line: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    colon > 0
        && line[..colon]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

/// Parses the status line's code: `HTTP/1.1 200 OK`, `HTTP/1.0 200`, `HTTP/1.1 200OK`.
fn parse_status(line: &[u8]) -> Option<u16> {
    let mut parts = line
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|p| !p.is_empty());
    parts.next()?;
    let code = parts.next()?;
    let digits: Vec<u8> = code
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    if digits.len() != 3 {
        return None;
    }
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// Parses the head of an HTTP response block.
///
/// * With a status line (`HTTP/…`, leading blank lines tolerated): headers follow up to the
///   first blank line; without a blank line the whole rest is headers and the body is empty.
/// * Without a status line: if the first line looks like a header, headers are read as above
///   and `status` is `None`; otherwise the whole block is payload.
pub fn parse_response(block: &[u8]) -> Response<'_> {
    let mut resp = Response {
        status: None,
        headers: Vec::new(),
        body_start: 0,
    };
    // Skip blank lines before a status line, but only take them away from the payload if a
    // status line does follow.
    let mut pos = 0;
    while let Some(b) = block.get(pos) {
        if *b == b'\r' || *b == b'\n' {
            pos += 1;
        } else {
            break;
        }
    }
    let Some((first, after_first)) = next_line(block, pos) else {
        resp.body_start = 0;
        return resp;
    };
    let headers_from = if first.starts_with(b"HTTP/") {
        resp.status = parse_status(first);
        after_first
    } else if looks_like_header(first) {
        pos
    } else {
        return resp;
    };
    resp.body_start = parse_headers(block, headers_from, &mut resp.headers);
    resp
}

/// Reads header lines from `from` to the first blank line; returns where the body starts.
fn parse_headers<'a>(
    block: &'a [u8],
    from: usize,
    headers: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
) -> usize {
    let mut pos = from;
    while let Some((line, next)) = next_line(block, pos) {
        if is_blank(line) {
            return next;
        }
        if pos - from > MAX_HEADER_BYTES {
            // An absurdly long head: stop here and treat the rest as body.
            return pos;
        }
        pos = next;
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            // Folded continuation of the previous header.
            if let Some((_, v)) = headers.last_mut() {
                let extra = String::from_utf8_lossy(line.trim_ascii());
                let mut joined = v.to_string();
                if !joined.is_empty() {
                    joined.push(' ');
                }
                joined.push_str(&extra);
                *v = Cow::Owned(joined);
            }
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            continue; // not a header line; ignored
        };
        if headers.len() < MAX_HEADERS {
            let name = String::from_utf8_lossy(line[..colon].trim_ascii());
            let value = String::from_utf8_lossy(line[colon + 1..].trim_ascii());
            headers.push((name, value));
        }
    }
    block.len()
}

/// The payload bytes: either a range of the block (nothing to undo) or decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadBody {
    /// The payload is this range of the record block, as stored.
    Slice(Range<usize>),
    /// The payload had to be de-chunked or decompressed.
    Decoded(Vec<u8>),
}

/// A decoded payload and what happened on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The bytes.
    pub body: PayloadBody,
    /// Notes about encodings that could not be undone or did not apply (e.g. a
    /// `Content-Encoding: gzip` body that is not gzip because the crawler already decoded it).
    pub notes: Vec<String>,
    /// `true` when a content encoding was declared and its data was damaged or unsupported:
    /// the bytes are then the still-encoded body, not usable as text.
    pub decode_failed: bool,
}

impl Payload {
    /// The payload bytes, given the block they may point into.
    pub fn bytes<'b>(&'b self, block: &'b [u8]) -> &'b [u8] {
        match &self.body {
            PayloadBody::Slice(r) => block.get(r.clone()).unwrap_or(&[]),
            PayloadBody::Decoded(v) => v,
        }
    }

    /// The payload as an owned vector, reusing the block's allocation when the payload is a
    /// slice of it (no copy of the page).
    pub fn into_vec(self, mut block: Vec<u8>) -> Vec<u8> {
        match self.body {
            PayloadBody::Slice(r) => {
                let end = r.end.min(block.len());
                let start = r.start.min(end);
                block.truncate(end);
                block.drain(..start);
                block
            }
            PayloadBody::Decoded(v) => v,
        }
    }
}

/// Undoes transfer and content encodings of the response body, producing at most `limit`
/// bytes.
///
/// * `Transfer-Encoding: chunked` is de-chunked when the body really is chunked; if the chunk
///   framing does not hold up (wrong sizes, or a crawler that de-chunked but kept the header)
///   the raw body is used.
/// * `Content-Encoding: gzip`, `x-gzip`, `deflate` are decoded when the data starts like
///   that coding; data that is not encoded at all is kept as is. A stream cut short keeps what
///   was decoded (crawlers truncate large bodies); damaged or unsupported data keeps the raw
///   bytes and sets [`Payload::decode_failed`].
pub fn decode_payload(block: &[u8], resp: &Response<'_>, limit: usize) -> Payload {
    let start = resp.body_start.min(block.len());
    let raw = &block[start..];
    let mut notes = Vec::new();
    let mut decoded: Option<Vec<u8>> = None;
    if resp.is_chunked() {
        match dechunk(raw) {
            Some(v) => decoded = Some(v),
            None => notes.push("Transfer-Encoding chunked but body is not; used as is".into()),
        }
    }
    let mut decode_failed = false;
    let encodings = resp.content_encodings();
    for enc in encodings.iter().rev() {
        let current: &[u8] = decoded.as_deref().unwrap_or(raw);
        match decode_content(current, enc, limit) {
            Decoded::NotEncoded => {
                notes.push(format!(
                    "Content-Encoding {enc} but body is not encoded; used as is"
                ));
                break;
            }
            Decoded::Done { bytes, note } => {
                if let Some(n) = note {
                    notes.push(n);
                }
                decoded = Some(bytes);
            }
            Decoded::Failed(why) => {
                notes.push(why);
                decode_failed = true;
                break;
            }
        }
    }
    let body = match decoded {
        Some(mut v) => {
            v.truncate(limit);
            PayloadBody::Decoded(v)
        }
        None => PayloadBody::Slice(start..start + raw.len().min(limit)),
    };
    Payload {
        body,
        notes,
        decode_failed,
    }
}

/// Removes chunked transfer framing. Returns `None` when the body is not validly chunked
/// (caller keeps the raw body). A body cut inside a chunk, or without the final zero-size
/// chunk, keeps what was there: records truncated by the crawler look like that.
pub fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    loop {
        let Some((line, next)) = next_line(body, pos) else {
            // Ran out exactly between chunks: truncated, keep what we have (if anything).
            return if pos > 0 { Some(out) } else { None };
        };
        let size_field = line
            .split(|b| *b == b';')
            .next()
            .unwrap_or(&[])
            .trim_ascii();
        if size_field.is_empty()
            || size_field.len() > 15
            || !size_field.iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        let size = size_field
            .iter()
            .fold(0u64, |acc, &b| acc * 16 + u64::from(hex_val(b)));
        pos = next;
        if size == 0 {
            return Some(out);
        }
        let remaining = body.len() - pos;
        if size >= remaining as u64 {
            // Last chunk cut off (or ends exactly at the block end).
            out.extend_from_slice(&body[pos..]);
            return Some(out);
        }
        let end = pos + size as usize;
        out.extend_from_slice(&body[pos..end]);
        pos = end;
        let rest = &body[pos..];
        if rest.starts_with(b"\r\n") {
            pos += 2;
        } else if rest.starts_with(b"\n") {
            pos += 1;
        } else {
            // Chunk size does not match the data: not trustworthy, use the raw body.
            return None;
        }
    }
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// Outcome of undoing one content coding.
enum Decoded {
    /// The data does not start like the coding says; leave it.
    NotEncoded,
    /// Decoded (a note says if it was cut short or cut at the limit).
    Done {
        bytes: Vec<u8>,
        note: Option<String>,
    },
    /// Damaged or unsupported; the text says why.
    Failed(String),
}

fn decode_content(data: &[u8], coding: &str, limit: usize) -> Decoded {
    match coding {
        "gzip" | "x-gzip" => {
            if !data.starts_with(&[0x1f, 0x8b]) {
                return Decoded::NotEncoded;
            }
            inflate_all(data, Kind::Gzip, limit)
        }
        "deflate" => {
            // `deflate` is meant to be zlib-wrapped, but many servers send raw deflate.
            let zlib = data.len() >= 2
                && data[0] & 0x0f == 8
                && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
            if zlib {
                inflate_all(data, Kind::Zlib, limit)
            } else if data.starts_with(b"<") || data.is_empty() {
                Decoded::NotEncoded
            } else {
                match inflate_all(data, Kind::Raw, limit) {
                    Decoded::Failed(_) => Decoded::NotEncoded,
                    other => other,
                }
            }
        }
        other => {
            if data.starts_with(&[0x1f, 0x8b]) {
                // Mislabelled gzip (seen as `x-compress`, `gzip-1`, ...).
                inflate_all(data, Kind::Gzip, limit)
            } else if looks_like_text(data) {
                // Already decoded by the crawler, or a bogus coding name (`UTF-8`, `text`).
                Decoded::NotEncoded
            } else {
                Decoded::Failed(format!("unsupported Content-Encoding {other}"))
            }
        }
    }
}

/// Whether the start of some data is text rather than compressed bytes: no control bytes
/// other than whitespace in the first 512 bytes (compressed data has them within a few bytes).
fn looks_like_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    !head.is_empty()
        && head
            .iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gzip,
    Zlib,
    Raw,
}

/// Inflates `data` (several gzip members in a row are all decoded) into at most `limit`
/// bytes.
fn inflate_all(data: &[u8], kind: Kind, limit: usize) -> Decoded {
    let mut d = match kind {
        Kind::Gzip => Decompress::new_gzip(15),
        Kind::Zlib => Decompress::new(true),
        Kind::Raw => Decompress::new(false),
    };
    // Expect a few times the compressed size, but never trust it beyond the limit.
    let mut out: Vec<u8> =
        Vec::with_capacity(data.len().saturating_mul(4).clamp(64, limit.max(64)));
    let mut pos = 0usize;
    loop {
        if out.len() >= limit {
            out.truncate(limit);
            let note = format!("decoded payload cut at {limit} bytes");
            return Decoded::Done {
                bytes: out,
                note: Some(note),
            };
        }
        if out.capacity() == out.len() {
            // Grow geometrically, but never past the limit.
            let grow = out.len().max(64 * 1024).min(limit - out.len());
            out.reserve_exact(grow);
        }
        let input = data.get(pos..).unwrap_or(&[]);
        let before_in = d.total_in();
        let before_out = d.total_out();
        let res = d.decompress_vec(input, &mut out, FlushDecompress::None);
        let used = (d.total_in() - before_in) as usize;
        let made = (d.total_out() - before_out) as usize;
        pos += used;
        match res {
            Ok(Status::StreamEnd) => {
                let rest = data.get(pos..).unwrap_or(&[]);
                if kind == Kind::Gzip && rest.starts_with(&[0x1f, 0x8b]) {
                    d = Decompress::new_gzip(15);
                    continue;
                }
                return Decoded::Done {
                    bytes: out,
                    note: None,
                };
            }
            Ok(_) if used > 0 || made > 0 => {}
            Ok(_) => {
                // No progress: the input ended before the stream did.
                let note = Some("compressed payload cut short; kept what was decoded".into());
                if out.is_empty() {
                    return Decoded::Failed("compressed payload cut short before any data".into());
                }
                return Decoded::Done { bytes: out, note };
            }
            Err(e) => {
                return Decoded::Failed(format!(
                    "{} payload damaged ({})",
                    match kind {
                        Kind::Gzip => "gzip",
                        _ => "deflate",
                    },
                    e.message().unwrap_or("invalid data")
                ));
            }
        }
    }
}

/// The media type of a `Content-Type` value: the part before `;`, trimmed, lowercased.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a `Content-Type` value names HTML (`text/html` or `application/xhtml+xml`).
pub fn is_html_type(content_type: &str) -> bool {
    let mt = media_type(content_type);
    mt == "text/html" || mt == "application/xhtml+xml"
}

/// Whether the start of a payload looks like HTML: `<html` or `<!doctype html` within the
/// first kilobyte (after a BOM and whitespace). Used when no content type is declared.
pub fn sniff_html(payload: &[u8]) -> bool {
    let p = payload.strip_prefix(b"\xef\xbb\xbf").unwrap_or(payload);
    let p = p.trim_ascii_start();
    let head = &p[..p.len().min(1024)];
    find_ci(head, b"<html") || find_ci(head, b"<!doctype html")
}

fn find_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn status_headers_and_body_crlf() {
        let b = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-A:  b \r\n\r\n<p>hi";
        let r = parse_response(b);
        assert_eq!(r.status, Some(200));
        assert_eq!(r.content_type(), Some("text/html"));
        assert_eq!(r.header("x-a"), Some("b"));
        assert_eq!(r.body(b), b"<p>hi");
    }

    #[test]
    fn lf_only_no_space_and_folded() {
        let b = b"HTTP/1.0 404 Not Found\nServer:nginx\nX-Long: a\n  b\n\nbody";
        let r = parse_response(b);
        assert_eq!(r.status, Some(404));
        assert_eq!(r.header("server"), Some("nginx"));
        assert_eq!(r.header("X-Long"), Some("a b"));
        assert_eq!(r.body(b), b"body");
    }

    #[test]
    fn no_status_line() {
        let b = b"<!DOCTYPE html><html>x: y</html>";
        let r = parse_response(b);
        assert_eq!(r.status, None);
        assert!(r.headers.is_empty());
        assert_eq!(r.body(b), &b[..]);
        let b = b"Content-Type: text/html\r\n\r\n<html>";
        let r = parse_response(b);
        assert_eq!(r.status, None);
        assert_eq!(r.content_type(), Some("text/html"));
        assert_eq!(r.body(b), b"<html>");
        let b = b"\t\n\n<!DOCTYPE html>";
        let r = parse_response(b);
        assert_eq!(r.body(b), &b[..]);
    }

    #[test]
    fn odd_status_lines() {
        assert_eq!(parse_response(b"HTTP/1.1 200OK\r\n\r\n").status, Some(200));
        assert_eq!(parse_response(b"HTTP/1.1 abc\r\n\r\n").status, None);
        assert_eq!(parse_response(b"HTTP/1.1\r\n\r\n").status, None);
        assert_eq!(
            parse_response(b"\r\nHTTP/1.1 301 Moved\r\n\r\n").status,
            Some(301)
        );
        assert_eq!(parse_response(b"").status, None);
        assert_eq!(parse_response(b"HTTP/1.1 200 OK").body_start, 15);
    }

    #[test]
    fn chunked_is_dechunked() {
        let b = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n";
        let r = parse_response(b);
        let p = decode_payload(b, &r, 1 << 20);
        assert_eq!(p.bytes(b), b"Wikipedia");
        assert!(p.notes.is_empty());
    }

    #[test]
    fn wrong_chunks_fall_back_to_raw() {
        let b = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nWiki\r\n0\r\n\r\n";
        let r = parse_response(b);
        let p = decode_payload(b, &r, 1 << 20);
        assert_eq!(p.bytes(b), b"3\r\nWiki\r\n0\r\n\r\n");
        assert_eq!(p.notes.len(), 1);
        // Not chunked at all although the header says so (crawler de-chunked it).
        let b = b"HTTP/1.1 200 OK\nTransfer-Encoding:chunked\n\n<html>";
        let p = decode_payload(b, &parse_response(b), 1 << 20);
        assert_eq!(p.bytes(b), b"<html>");
        // Cut inside a chunk: keep what is there.
        assert_eq!(dechunk(b"a\r\n01234").unwrap(), b"01234");
        assert_eq!(dechunk(b"ffffffffffffffff\r\nab"), None);
    }

    #[test]
    fn gzip_content_is_decoded_and_bounded() {
        let page = b"<html>".repeat(1000);
        let mut b = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        b.extend_from_slice(&gzip(&page));
        let r = parse_response(&b);
        let p = decode_payload(&b, &r, 1 << 20);
        assert_eq!(p.bytes(&b), &page[..]);
        let p = decode_payload(&b, &r, 100);
        assert_eq!(p.bytes(&b).len(), 100);
        assert!(!p.decode_failed);
        // Cut short: keep what was decoded.
        let cut = &b[..b.len() - 20];
        let p = decode_payload(cut, &parse_response(cut), 1 << 20);
        assert!(!p.decode_failed);
        assert!(page.starts_with(p.bytes(cut)));
        // Damaged: raw bytes and a failure flag.
        let mut bad = b.clone();
        let n = bad.len();
        for x in &mut bad[n - 40..n - 10] {
            *x ^= 0x55;
        }
        let p = decode_payload(&bad, &parse_response(&bad), 1 << 20);
        assert!(p.decode_failed, "{:?}", p.notes);
        // Unknown codings: text passes, binary is a failure.
        let b = b"HTTP/1.1 200 OK\r\nContent-Encoding: UTF-8\r\n\r\n\xef\xbb\xbf<html>";
        let p = decode_payload(b, &parse_response(b), 1 << 20);
        assert!(!p.decode_failed);
        let b = b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n\x0b\x02\x80<html>";
        assert!(decode_payload(b, &parse_response(b), 1 << 20).decode_failed);
        // Declared but not encoded.
        let b = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n<html>";
        let p = decode_payload(b, &parse_response(b), 1 << 20);
        assert_eq!(p.bytes(b), b"<html>");
        assert!(!p.decode_failed);
    }

    #[test]
    fn deflate_zlib_and_raw() {
        let page = b"<html>hello</html>";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(page).unwrap();
        let z = z.finish().unwrap();
        let mut b = b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n".to_vec();
        b.extend_from_slice(&z);
        assert_eq!(
            decode_payload(&b, &parse_response(&b), 1 << 20).bytes(&b),
            page
        );
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        r.write_all(page).unwrap();
        let r = r.finish().unwrap();
        let mut b = b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n".to_vec();
        b.extend_from_slice(&r);
        assert_eq!(
            decode_payload(&b, &parse_response(&b), 1 << 20).bytes(&b),
            page
        );
    }

    #[test]
    fn into_vec_reuses_block() {
        let b = b"HTTP/1.1 200 OK\r\n\r\n<html>".to_vec();
        let r = parse_response(&b);
        let p = decode_payload(&b, &r, 1 << 20);
        assert_eq!(p.into_vec(b.clone()), b"<html>");
    }

    #[test]
    fn html_types_and_sniffing() {
        assert!(is_html_type("Text/HTML; charset=utf-8"));
        assert!(is_html_type("application/xhtml+xml"));
        assert!(!is_html_type("text/plain"));
        assert!(sniff_html(b"\xef\xbb\xbf  <!DOCTYPE HTML><p>"));
        assert!(sniff_html(b"<!-- c --><html>"));
        assert!(!sniff_html(b"%PDF-1.4"));
        assert!(!sniff_html(b""));
    }
}
