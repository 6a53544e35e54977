//! WARC, ARC and WET input: the records [`thresher_warc`] reads become documents.
//!
//! * `response` records (and ARC captures) with HTTP status 2xx, or no status line, and an
//!   HTML payload become [`ReadEvent::Doc`]s with [`Document::html`] set to the payload (chunked
//!   transfer and gzip/deflate content encodings undone) and `text` empty. The payload is HTML
//!   when its Content-Type is `text/html` or `application/xhtml+xml`; the type comes from the
//!   HTTP headers, else (ARC) the ARC header line or (WARC) `WARC-Identified-Payload-Type`,
//!   and when none is declared the first bytes are sniffed for `<html` / `<!doctype html`.
//!   A response block without an HTTP layer (typed e.g. `text/html` by the writer) is its own
//!   payload.
//! * `resource` records with an HTML type (or sniffed HTML) become documents the same way,
//!   without an HTTP layer.
//! * `conversion` records (WET) become documents with `text` = the block (UTF-8, lossily) and
//!   no HTML.
//! * Everything else is [`ReadEvent::Skipped`]: `warc_request`, `warc_metadata`,
//!   `warc_warcinfo`, `warc_revisit`, `arc_filedesc`, `http_status_404`, `not_html`, ...
//! * Malformed records, damaged gzip and payloads whose declared content encoding cannot be
//!   undone are [`ReadEvent::Problem`]s. A record cut short by the end of the file still
//!   becomes a document (with `metadata.extra["warc_truncated"] = true`), followed by the
//!   problem that says so.
//!
//! Document ids are the `WARC-Record-ID` as written (`<urn:uuid:…>`). ARC records have none:
//! they get `<urn:arc:FILE:OFFSET>` from the file name and the record offset, which is stable
//! wherever the file is stored (a WARC record without an id gets `<urn:warc:FILE:OFFSET>`).

use crate::{EventStream, Input, IoError, ReadEvent, ReadOptions};
use std::collections::BTreeMap;
use std::fs::File;
use thresher_core::{Document, Metadata, RecordProblem, SourceRef};
use thresher_warc::{http, Format, ReaderOptions, Record, RecordError, WarcReader};

/// Opens a WARC, ARC or WET file (plain or gzipped). Fails only if the file cannot be opened.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<EventStream, IoError> {
    let file = File::open(input.read_path()?).map_err(|e| IoError::io(&input.path, e))?;
    let label = input.path.display().to_string();
    let name = input
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| label.clone());
    let reader_opts = ReaderOptions {
        max_record_bytes: opts.max_record_bytes,
        ..ReaderOptions::default()
    };
    let reader = WarcReader::with_options(file, label.clone(), reader_opts);
    let ctx = Ctx {
        label,
        name,
        max_payload: usize::try_from(opts.max_record_bytes).unwrap_or(usize::MAX),
    };
    Ok(Box::new(reader.map(move |item| match item {
        Ok(rec) => ctx.event(rec),
        Err(e) => ReadEvent::Problem(problem(e)),
    })))
}

fn problem(e: RecordError) -> RecordProblem {
    RecordProblem {
        file: e.file,
        offset: e.offset,
        record: e.record,
        message: e.message,
    }
}

/// What the mapping needs to know about the file.
struct Ctx {
    /// The input path as given, for `metadata.source.file`.
    label: String,
    /// The file name, for synthesised ids.
    name: String,
    /// Bound on decoded payload size.
    max_payload: usize,
}

/// Why a record is not a document.
enum NotDoc {
    /// Not a document; the kind for the stats.
    Skip(String),
    /// Read fine but unusable; the message for the problem report.
    Problem(String),
}

impl Ctx {
    fn event(&self, rec: Record) -> ReadEvent {
        let (index, offset) = (rec.index, rec.offset);
        let outcome = match rec.record_type.as_str() {
            "response" => self.response(rec),
            "resource" => self.resource(rec),
            "conversion" => Ok(self.conversion(rec)),
            "warcinfo" if rec.format == Format::Arc => Err(NotDoc::Skip("arc_filedesc".into())),
            other => Err(NotDoc::Skip(skip_kind(other))),
        };
        match outcome {
            Ok(doc) => ReadEvent::Doc(Box::new(doc)),
            Err(NotDoc::Skip(kind)) => ReadEvent::Skipped(kind),
            Err(NotDoc::Problem(message)) => ReadEvent::Problem(RecordProblem {
                file: self.label.clone(),
                offset,
                record: Some(index),
                message,
            }),
        }
    }

    fn response(&self, rec: Record) -> Result<Document, NotDoc> {
        if !rec.has_http() {
            return self.bare_block(rec);
        }
        let resp = http::parse_response(&rec.block);
        if let Some(status) = resp.status {
            if !(200..300).contains(&status) {
                return Err(NotDoc::Skip(format!("http_status_{status}")));
            }
        }
        let declared = resp
            .content_type()
            .map(str::to_string)
            .or_else(|| fallback_type(&rec));
        if declared
            .as_deref()
            .is_some_and(|ct| !http::is_html_type(ct))
        {
            // Decided before decoding: images and PDFs are never decompressed.
            return Err(NotDoc::Skip("not_html".into()));
        }
        let payload = http::decode_payload(&rec.block, &resp, self.max_payload);
        if payload.decode_failed {
            let why = payload.notes.join("; ");
            return Err(NotDoc::Problem(format!(
                "payload not decodable ({why}); record skipped"
            )));
        }
        if declared.is_none() && !http::sniff_html(payload.bytes(&rec.block)) {
            return Err(NotDoc::Skip("not_html".into()));
        }
        drop(resp);
        let mut rec = rec;
        let block = std::mem::take(&mut rec.block);
        let html = payload.into_vec(block);
        Ok(self.document(rec, Some(html), String::new(), declared))
    }

    /// A `response` without an HTTP layer, or a `resource`: the block is the payload and the
    /// record's Content-Type describes it.
    fn bare_block(&self, mut rec: Record) -> Result<Document, NotDoc> {
        let declared = rec.content_type.clone().filter(|c| !c.trim().is_empty());
        let html = match &declared {
            Some(ct) => http::is_html_type(ct),
            None => http::sniff_html(&rec.block),
        };
        if !html {
            return Err(NotDoc::Skip("not_html".into()));
        }
        let block = std::mem::take(&mut rec.block);
        Ok(self.document(rec, Some(block), String::new(), declared))
    }

    fn resource(&self, rec: Record) -> Result<Document, NotDoc> {
        self.bare_block(rec)
    }

    fn conversion(&self, mut rec: Record) -> Document {
        let block = std::mem::take(&mut rec.block);
        let text = match String::from_utf8(block) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let ct = rec.content_type.clone();
        self.document(rec, None, text, ct)
    }

    fn document(
        &self,
        rec: Record,
        html: Option<Vec<u8>>,
        text: String,
        content_type: Option<String>,
    ) -> Document {
        let id = match (&rec.record_id, rec.format) {
            (Some(id), _) if !id.is_empty() => id.clone(),
            (_, Format::Arc) => format!("<urn:arc:{}:{}>", self.name, rec.offset),
            (_, Format::Warc) => format!("<urn:warc:{}:{}>", self.name, rec.offset),
        };
        let mut warc: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in rec.headers {
            match warc.get_mut(&k) {
                Some(existing) => {
                    existing.push_str(", ");
                    existing.push_str(&v);
                }
                None => {
                    warc.insert(k, v);
                }
            }
        }
        let mut metadata = Metadata {
            date: rec.date.filter(|d| !d.is_empty() && d != "null"),
            domain: rec.target_uri.as_deref().and_then(domain),
            warc_record_id: rec.record_id,
            source: Some(SourceRef {
                file: self.label.clone(),
                offset: rec.offset,
                record: rec.index,
            }),
            content_type,
            warc: Some(warc),
            ..Metadata::default()
        };
        if rec.truncated {
            metadata
                .extra
                .insert("warc_truncated".into(), serde_json::Value::Bool(true));
        }
        Document {
            id,
            text,
            html,
            url: rec.target_uri,
            metadata,
        }
    }
}

/// The payload type when the HTTP headers declare none: the ARC header line's type (unless it
/// is a placeholder), or for WARC the type a crawler identified (`WARC-Identified-Payload-Type`,
/// written by Common Crawl).
fn fallback_type(rec: &Record) -> Option<String> {
    let t = match rec.format {
        Format::Arc => rec.content_type.as_deref(),
        Format::Warc => rec.header("WARC-Identified-Payload-Type"),
    }?;
    let t = t.trim();
    let placeholder = t.is_empty()
        || ["no-type", "unk", "unknown", "-", "application/octet-stream"]
            .iter()
            .any(|p| t.eq_ignore_ascii_case(p));
    (!placeholder).then(|| t.to_string())
}

/// `warc_<type>` for a non-document record type, kept to a small set of safe strings.
fn skip_kind(t: &str) -> String {
    if t.is_empty() {
        "warc_untyped".into()
    } else if t.len() <= 32
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        format!("warc_{t}")
    } else {
        "warc_other".into()
    }
}

/// Host of a URL, lowercased, without user info, port or brackets; `None` without `://`.
fn domain(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host_port.split(':').next()?,
    };
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InputFormat;
    use std::io::Write;
    use std::path::{Path, PathBuf};

    fn record(kind: &str, uri: &str, ct: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-18T01:02:03Z\r\nWARC-Record-ID: <urn:uuid:{kind}-{uri}>\r\nX-Rep: a\r\nX-Rep: b\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn input(path: &Path) -> Input {
        Input {
            path: path.to_path_buf(),
            format: InputFormat::Warc,
            members: Vec::new(),
            remote: None,
        }
    }

    fn events(bytes: &[u8]) -> Vec<ReadEvent> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.warc");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        open(&input(&path), &ReadOptions::default())
            .unwrap()
            .collect()
    }

    const HTTP: &str = "application/http; msgtype=response";

    #[test]
    fn html_response_becomes_a_document() {
        let block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>hi</html>";
        let ev = events(&record(
            "response",
            "http://User@Www.Example.COM:8080/p?q",
            HTTP,
            block,
        ));
        let [ReadEvent::Doc(doc)] = ev.as_slice() else {
            panic!("{ev:?}")
        };
        assert_eq!(
            doc.id,
            "<urn:uuid:response-http://User@Www.Example.COM:8080/p?q>"
        );
        assert_eq!(doc.html.as_deref(), Some(&b"<html>hi</html>"[..]));
        assert!(doc.text.is_empty());
        assert_eq!(
            doc.url.as_deref(),
            Some("http://User@Www.Example.COM:8080/p?q")
        );
        let m = &doc.metadata;
        assert_eq!(m.domain.as_deref(), Some("www.example.com"));
        assert_eq!(m.date.as_deref(), Some("2024-05-18T01:02:03Z"));
        assert_eq!(m.content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(m.warc_record_id.as_deref(), Some(doc.id.as_str()));
        let warc = m.warc.as_ref().unwrap();
        assert_eq!(warc["X-Rep"], "a, b");
        assert_eq!(warc["WARC-Type"], "response");
        let src = m.source.as_ref().unwrap();
        assert_eq!((src.offset, src.record), (0, 0));
        assert!(src.file.ends_with("t.warc"));
    }

    #[test]
    fn non_documents_are_skipped_with_their_kind() {
        let mut f = record(
            "request",
            "http://a/",
            "application/http; msgtype=request",
            b"GET / HTTP/1.1\r\n\r\n",
        );
        f.extend(record(
            "response",
            "http://a/x",
            HTTP,
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html>",
        ));
        f.extend(record(
            "response",
            "http://a/i",
            HTTP,
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        f.extend(record(
            "response",
            "http://a/n",
            HTTP,
            b"HTTP/1.1 200 OK\r\n\r\n%PDF-1.4",
        ));
        f.extend(record(
            "metadata",
            "http://a/",
            "application/warc-fields",
            b"a: b\r\n",
        ));
        f.extend(record("revisit", "http://a/", HTTP, b""));
        f.extend(record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"x: y\r\n",
        ));
        f.extend(record("resource", "file:///x.png", "image/png", b"\x89PNG"));
        let kinds: Vec<String> = events(&f)
            .into_iter()
            .map(|e| match e {
                ReadEvent::Skipped(k) => k,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "warc_request",
                "http_status_404",
                "not_html",
                "not_html",
                "warc_metadata",
                "warc_revisit",
                "warc_warcinfo",
                "not_html"
            ]
        );
    }

    #[test]
    fn sniffing_chunked_gzip_and_no_status_line() {
        // No Content-Type: sniffed. Chunked: de-chunked.
        let mut f = record(
            "response",
            "http://a/",
            HTTP,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n<html>\r\n0\r\n\r\n",
        );
        // No status line, record typed text/html (rewritten Wayback capture).
        f.extend(record(
            "response",
            "http://b/",
            "text/html; charset=utf-8",
            b"\n<!DOCTYPE html><p>x",
        ));
        // gzip content encoding.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<html>zipped</html>").unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend(gz.finish().unwrap());
        f.extend(record("response", "http://c/", HTTP, &block));
        // Damaged gzip content: a problem, not a garbage document.
        let n = block.len();
        block[n - 12] ^= 0xff;
        block[n - 14] ^= 0xff;
        f.extend(record("response", "http://d/", HTTP, &block));
        let ev = events(&f);
        let htmls: Vec<&[u8]> = ev
            .iter()
            .filter_map(|e| match e {
                ReadEvent::Doc(d) => d.html.as_deref(),
                _ => None,
            })
            .collect();
        assert_eq!(
            htmls,
            [
                &b"<html>"[..],
                b"\n<!DOCTYPE html><p>x",
                b"<html>zipped</html>"
            ]
        );
        let ReadEvent::Problem(p) = &ev[3] else {
            panic!("{:?}", ev[3])
        };
        assert_eq!(p.record, Some(3));
        assert!(p.message.contains("payload not decodable"), "{}", p.message);
    }

    #[test]
    fn wet_resource_and_arc() {
        let f = record(
            "conversion",
            "http://a/",
            "text/plain",
            "héllo wörld".as_bytes(),
        );
        let ev = events(&f);
        let ReadEvent::Doc(d) = &ev[0] else { panic!() };
        assert_eq!(d.text, "héllo wörld");
        assert!(d.html.is_none());
        let f = record("resource", "http://r/", "text/html", b"<html>r</html>");
        let ev = events(&f);
        let ReadEvent::Doc(d) = &ev[0] else { panic!() };
        assert_eq!(d.html.as_deref(), Some(&b"<html>r</html>"[..]));
        let body = b"HTTP/1.1 200 OK\nContent-Type:text/html\n\n<html>arc</html>";
        let mut arc = b"filedesc://t.arc 0.0.0.0 20080619093439 text/plain 4\n1 0 \n".to_vec();
        let capture_offset = arc.len();
        arc.extend(
            format!(
                "http://arc.example/ 1.2.3.4 20080509190241 text/html {}\n",
                body.len()
            )
            .as_bytes(),
        );
        arc.extend_from_slice(body);
        let ev = events(&arc);
        assert!(matches!(&ev[0], ReadEvent::Skipped(k) if k == "arc_filedesc"));
        let ReadEvent::Doc(d) = &ev[1] else {
            panic!("{:?}", ev[1])
        };
        assert_eq!(d.id, format!("<urn:arc:t.warc:{capture_offset}>"));
        assert_eq!(d.metadata.date.as_deref(), Some("2008-05-09T19:02:41Z"));
        assert_eq!(d.metadata.warc_record_id, None);
        assert_eq!(d.metadata.warc.as_ref().unwrap()["IP-address"], "1.2.3.4");
        assert_eq!(d.html.as_deref(), Some(&b"<html>arc</html>"[..]));
    }

    #[test]
    fn truncated_and_malformed_records() {
        let mut f = b"WARC/1.0\r\nWARC-Type: response\r\n\r\nno length\r\n\r\n".to_vec();
        let mut last = record("response", "http://t/", "text/html", b"<html>0123456789");
        last.truncate(last.len() - 8);
        f.extend(last);
        let ev = events(&f);
        assert!(matches!(&ev[0], ReadEvent::Problem(p) if p.record == Some(0)));
        let ReadEvent::Doc(d) = &ev[1] else {
            panic!("{:?}", ev[1])
        };
        assert_eq!(d.metadata.extra["warc_truncated"], serde_json::json!(true));
        assert!(matches!(&ev[2], ReadEvent::Problem(p) if p.record == Some(1)));
        assert_eq!(ev.len(), 3);
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let r = open(
            &input(Path::new("/nonexistent/x.warc.gz")),
            &ReadOptions::default(),
        );
        assert!(matches!(r, Err(IoError::Io { .. })));
    }

    #[test]
    fn domains() {
        assert_eq!(domain("https://[::1]:443/x").as_deref(), Some("::1"));
        assert_eq!(domain("http://a.B.c./").as_deref(), Some("a.b.c"));
        assert_eq!(domain("dns:example.com"), None);
        assert_eq!(domain("http://"), None);
        assert_eq!(domain("http://h?q=1").as_deref(), Some("h"));
    }

    /// The shared real-file collection, when present: whole files map to the expected events.
    #[test]
    fn real_files() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/warc-real");
        if !dir.is_dir() {
            println!("note: {} not found; skipped", dir.display());
            return;
        }
        let count = |f: &str| {
            let ev: Vec<ReadEvent> = open(&input(&dir.join(f)), &ReadOptions::default())
                .unwrap()
                .collect();
            let docs: Vec<Document> = ev
                .iter()
                .filter_map(|e| match e {
                    ReadEvent::Doc(d) => Some((**d).clone()),
                    _ => None,
                })
                .collect();
            let problems = ev
                .iter()
                .filter(|e| matches!(e, ReadEvent::Problem(_)))
                .count();
            (docs, problems, ev.len())
        };
        let (docs, problems, n) = count("commoncrawl-whirlwind/whirlwind.warc.wet.gz");
        assert_eq!((docs.len(), problems, n), (1, 0, 2));
        assert!(docs[0].text.contains("Escopete"));
        let (docs, problems, n) = count("commoncrawl-whirlwind/whirlwind.warc.gz");
        assert_eq!((docs.len(), problems, n), (1, 0, 4));
        assert_eq!(docs[0].metadata.domain.as_deref(), Some("an.wikipedia.org"));
        assert!(http::sniff_html(docs[0].html.as_deref().unwrap()));
        // Wayback rewrite without HTTP status lines: every capture is a page.
        let (docs, problems, _) =
            count("copycat/wayback-snapshots/snapshot-wayback-topic-02.warc.gz");
        assert_eq!((docs.len(), problems), (128, 0));
        assert!(docs.iter().all(|d| d.metadata.date.is_none()));
        // Common Crawl 2008 ARC: 131 captures with status 200, 125 distinct HTML URLs.
        let (docs, problems, n) = count("copycat/cc-arc-sample/small-sample-1213893279526_0.arc");
        assert_eq!(problems, 0);
        assert_eq!(n, 146);
        let urls: std::collections::BTreeSet<_> = docs.iter().map(|d| d.url.clone()).collect();
        assert_eq!(urls.len(), 125);
        assert!(docs.iter().all(|d| d
            .id
            .starts_with("<urn:arc:small-sample-1213893279526_0.arc:")));
    }
}
