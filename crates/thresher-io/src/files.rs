//! HTML and text files, one document per file.
//!
//! A shard of [`InputFormat::Html`] or [`InputFormat::Text`] lists its files in
//! [`Input::members`]. Each file becomes one document whose id is the file name without its
//! `.html`/`.htm`/`.txt` and `.gz`/`.zst` extensions, and whose `metadata.source` names the file
//! (offset 0, record = index of the file in the shard). gzip and zstd files (told by their magic
//! bytes) are decompressed.
//!
//! * HTML: [`Document::html`] holds the raw bytes, undecoded; `text` stays empty until
//!   extraction.
//! * Text: `text` is the file as UTF-8; a file that is not valid UTF-8 is decoded lossily and
//!   marked with `metadata.extra["utf8_lossy"] = true`.
//!
//! A file that cannot be read, or is larger than [`ReadOptions::max_record_bytes`] (after
//! decompression), is reported as a [`ReadEvent::Problem`] and skipped.

use crate::discover::file_stem;
use crate::jsonl::decompressed;
use crate::{EventStream, Input, InputFormat, IoError, ReadEvent, ReadOptions};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use thresher_core::{Document, RecordProblem, SourceRef};

/// Opens an HTML or text shard. Never fails up front: unreadable members are problems.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<EventStream, IoError> {
    let members = if input.members.is_empty() {
        vec![input.path.clone()]
    } else {
        input.members.clone()
    };
    if !matches!(input.format, InputFormat::Html | InputFormat::Text) {
        return Err(IoError::Format {
            path: input.path.clone(),
            message: "not an HTML or text shard".into(),
        });
    }
    let html = input.format == InputFormat::Html;
    let max = opts.max_record_bytes;
    Ok(Box::new(members.into_iter().enumerate().map(
        move |(i, path)| match read_member(&path, max) {
            Ok(bytes) => ReadEvent::Doc(Box::new(make_doc(&path, i as u64, bytes, html))),
            Err(message) => ReadEvent::Problem(RecordProblem {
                file: path.display().to_string(),
                offset: 0,
                record: Some(i as u64),
                message,
            }),
        },
    )))
}

/// Reads a whole member file, decompressed, refusing more than `max` bytes.
fn read_member(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let reader = decompressed(BufReader::new(file)).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("file is larger than the limit of {max} bytes"));
    }
    Ok(bytes)
}

/// Builds the document of one member.
fn make_doc(path: &Path, index: u64, bytes: Vec<u8>, html: bool) -> Document {
    let mut doc = Document::new(file_stem(path), String::new());
    doc.metadata.source = Some(SourceRef {
        file: path.display().to_string(),
        offset: 0,
        record: index,
    });
    if html {
        doc.html = Some(bytes);
    } else {
        doc.text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                doc.metadata
                    .extra
                    .insert("utf8_lossy".into(), serde_json::Value::Bool(true));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
    }
    doc
}
