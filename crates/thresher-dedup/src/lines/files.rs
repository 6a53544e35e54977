//! The on-disk formats of the [`sorted`](super::sorted) line-dedup passes.
//!
//! The framing is the MinHash stage files' ([`crate::minhash::files`]) with its own magic and
//! header fields. It is a separate, private implementation because the MinHash one is tied to
//! `MinhashConfig`/`MinhashError`; once a shared framing module exists in the crate, this one
//! should use it.
//!
//! ```text
//! header, 48 bytes:
//!   0  magic "THLD"
//!   4  kind (u8): b'H' unit hashes, b'R' removals
//!   5  format version (u8) = 1
//!   6  unit (u8): 0 line, 1 paragraph
//!   7  lowercase (u8): 0 or 1
//!   8  keep (u8): 0 first, 1 none; 255 in hash files (pass 1 does not depend on it)
//!   9  3 zero bytes
//!  12  min_chars (u32)
//!  16  shard (u32)
//!  20  partition (u32)
//!  24  partitions (u32)
//!  28  documents in the shard (u32)
//!  32  record size in bytes (u32)
//!  36  12 zero bytes
//! records, count × record size bytes
//! trailer, 24 bytes:
//!   count (u64), xxh3-64 of header and records (u64), end magic "THLD-END"
//! ```
//!
//! All integers are little-endian. Readers check the magic, kind, version, configuration and
//! record size, and that the file length matches the trailer's count, before the first record;
//! the checksum after the last. Writers write a temporary file in the destination folder,
//! fsync it and rename it into place, so a file is either complete or absent.
//!
//! | kind | one file per | record |
//! |---|---|---|
//! | hashes | shard and partition | unit hash (u64), document index, unit index (u32 each); sorted by (hash, document, unit) |
//! | removals | shard and partition | document, unit (u32 each), unit hash (u64), first occurrence's shard, document, unit (u32 each); in hash order |

use super::{Keep, LineDedupConfig, LineDedupError, Unit};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

const MAGIC: &[u8; 4] = b"THLD";
const END_MAGIC: &[u8; 8] = b"THLD-END";
const VERSION: u8 = 1;
const HEADER_LEN: u64 = 48;
const TRAILER_LEN: u64 = 24;
const KEEP_NA: u8 = 255;

/// Bytes per record of a hashes file.
pub const HASH_RECORD: u32 = 16;
/// Bytes per record of a removals file.
pub const REMOVAL_RECORD: u32 = 28;

/// The hashes file of `shard` for `partition` under `dir`: `dir/part_PPP/SSSSS.lines.hashes`.
pub fn hashes_path(dir: &Path, partition: u32, shard: u32) -> PathBuf {
    dir.join(format!("part_{partition:03}"))
        .join(format!("{shard:05}.lines.hashes"))
}

/// The removals file of `shard` for `partition` under `dir`:
/// `dir/part_PPP/SSSSS.lines.removals`.
pub fn removals_path(dir: &Path, partition: u32, shard: u32) -> PathBuf {
    dir.join(format!("part_{partition:03}"))
        .join(format!("{shard:05}.lines.removals"))
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// One shard's unit hashes of one partition (pass 1).
    Hashes,
    /// One shard's removed units of one partition (pass 2).
    Removals,
}

impl FileKind {
    fn byte(self) -> u8 {
        match self {
            FileKind::Hashes => b'H',
            FileKind::Removals => b'R',
        }
    }

    fn name(self) -> &'static str {
        match self {
            FileKind::Hashes => "line-hashes",
            FileKind::Removals => "line-removals",
        }
    }

    fn record_size(self) -> u32 {
        match self {
            FileKind::Hashes => HASH_RECORD,
            FileKind::Removals => REMOVAL_RECORD,
        }
    }
}

/// The header of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// What the file holds.
    pub kind: FileKind,
    /// The configuration (its `keep` is meaningless in hash files).
    pub config: LineDedupConfig,
    /// The shard.
    pub shard: u32,
    /// The hash partition.
    pub partition: u32,
    /// How many partitions the hashes were split into.
    pub partitions: u32,
    /// How many documents the shard had in pass 1.
    pub documents: u32,
}

impl Header {
    fn encode(&self) -> [u8; HEADER_LEN as usize] {
        let mut h = [0u8; HEADER_LEN as usize];
        h[..4].copy_from_slice(MAGIC);
        h[4] = self.kind.byte();
        h[5] = VERSION;
        let c = &self.config;
        h[6] = match c.unit {
            Unit::Line => 0,
            Unit::Paragraph => 1,
        };
        h[7] = u8::from(c.lowercase);
        h[8] = match (self.kind, c.keep) {
            (FileKind::Hashes, _) => KEEP_NA,
            (_, Keep::First) => 0,
            (_, Keep::None) => 1,
        };
        // validate() bounds min_chars by u32.
        let fields = [
            c.min_chars as u32,
            self.shard,
            self.partition,
            self.partitions,
            self.documents,
            self.kind.record_size(),
        ];
        for (i, v) in fields.iter().enumerate() {
            h[12 + 4 * i..16 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        h
    }
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(v)
}

pub(crate) fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LineDedupError + '_ {
    move |source| LineDedupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn corrupt(path: &Path, reason: impl Into<String>) -> LineDedupError {
    LineDedupError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

pub(crate) fn mismatch(path: &Path, reason: impl Into<String>) -> LineDedupError {
    LineDedupError::Mismatch {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Writes one framed file atomically (temporary file, fsync, rename on
/// [`FramedWriter::finish`]); dropped unfinished, it leaves nothing behind.
pub(crate) struct FramedWriter {
    path: PathBuf,
    out: BufWriter<tempfile::NamedTempFile>,
    hasher: Xxh3,
    count: u64,
}

impl FramedWriter {
    pub(crate) fn create(
        path: &Path,
        header: Header,
        buffer: usize,
    ) -> Result<FramedWriter, LineDedupError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-lines-")
            .tempfile_in(dir)
            .map_err(io_err(path))?;
        let mut w = FramedWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(buffer, tmp),
            hasher: Xxh3::new(),
            count: 0,
        };
        let h = header.encode();
        w.hasher.update(&h);
        w.out.write_all(&h).map_err(io_err(path))?;
        Ok(w)
    }

    pub(crate) fn write_record(&mut self, record: &[u8]) -> Result<(), LineDedupError> {
        self.hasher.update(record);
        self.count += 1;
        self.out.write_all(record).map_err(io_err(&self.path))
    }

    /// Completes the file; returns the number of records.
    pub(crate) fn finish(mut self) -> Result<u64, LineDedupError> {
        let mut trailer = [0u8; TRAILER_LEN as usize];
        trailer[..8].copy_from_slice(&self.count.to_le_bytes());
        trailer[8..16].copy_from_slice(&self.hasher.digest().to_le_bytes());
        trailer[16..].copy_from_slice(END_MAGIC);
        let path = self.path;
        self.out.write_all(&trailer).map_err(io_err(&path))?;
        let tmp = self.out.into_inner().map_err(|e| LineDedupError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        tmp.as_file().sync_all().map_err(io_err(&path))?;
        tmp.persist(&path).map_err(|e| LineDedupError::Io {
            path: path.clone(),
            source: e.error,
        })?;
        Ok(self.count)
    }
}

/// Reads one framed file record by record.
pub(crate) struct FramedReader {
    path: PathBuf,
    input: BufReader<File>,
    hasher: Xxh3,
    header: Header,
    remaining: u64,
    count: u64,
    checksum: u64,
    record: Vec<u8>,
}

impl FramedReader {
    /// Opens `path`, which must be a `kind` file made with `config` (whose `keep` is not
    /// compared for hash files).
    pub(crate) fn open(
        path: &Path,
        kind: FileKind,
        config: &LineDedupConfig,
    ) -> Result<FramedReader, LineDedupError> {
        let mut file = File::open(path).map_err(io_err(path))?;
        let len = file.metadata().map_err(io_err(path))?.len();
        let what = kind.name();
        if len < HEADER_LEN + TRAILER_LEN {
            return Err(corrupt(
                path,
                format!("truncated {what} file: {len} bytes, shorter than its header and trailer"),
            ));
        }
        let mut h = [0u8; HEADER_LEN as usize];
        file.read_exact(&mut h).map_err(io_err(path))?;
        if &h[..4] != MAGIC {
            return Err(corrupt(path, format!("not a thresher {what} file")));
        }
        if h[4] != kind.byte() {
            return Err(corrupt(
                path,
                format!("expected a {what} file, found kind {:?}", h[4] as char),
            ));
        }
        if h[5] != VERSION {
            return Err(corrupt(
                path,
                format!("format version {} (this build reads {VERSION})", h[5]),
            ));
        }
        let unit = match h[6] {
            0 => Unit::Line,
            1 => Unit::Paragraph,
            other => return Err(corrupt(path, format!("unknown unit {other}"))),
        };
        let keep = match (kind, h[8]) {
            (FileKind::Hashes, KEEP_NA) => config.keep,
            (FileKind::Removals, 0) => Keep::First,
            (FileKind::Removals, 1) => Keep::None,
            (_, other) => return Err(corrupt(path, format!("unknown keep rule {other}"))),
        };
        let found = LineDedupConfig {
            unit,
            keep,
            min_chars: u32_at(&h, 12) as usize,
            lowercase: match h[7] {
                0 => false,
                1 => true,
                other => return Err(corrupt(path, format!("bad lowercase flag {other}"))),
            },
        };
        if found != *config {
            return Err(mismatch(
                path,
                format!("made with {found:?}, expected {config:?}"),
            ));
        }
        let header = Header {
            kind,
            config: found,
            shard: u32_at(&h, 16),
            partition: u32_at(&h, 20),
            partitions: u32_at(&h, 24),
            documents: u32_at(&h, 28),
        };
        let record_size = kind.record_size();
        if u32_at(&h, 32) != record_size {
            return Err(corrupt(
                path,
                format!("record size {}, expected {record_size}", u32_at(&h, 32)),
            ));
        }
        if header.partitions == 0 || header.partition >= header.partitions {
            return Err(corrupt(
                path,
                format!(
                    "partition {} of {} is out of range",
                    header.partition, header.partitions
                ),
            ));
        }
        let body = len - HEADER_LEN - TRAILER_LEN;
        let mut t = [0u8; TRAILER_LEN as usize];
        file.seek(SeekFrom::End(-(TRAILER_LEN as i64)))
            .and_then(|_| file.read_exact(&mut t))
            .map_err(io_err(path))?;
        let count = u64_at(&t, 0);
        if &t[16..] != END_MAGIC || count.checked_mul(u64::from(record_size)) != Some(body) {
            return Err(corrupt(
                path,
                format!("truncated or damaged {what} file ({len} bytes; its trailer is missing or does not match its length)"),
            ));
        }
        file.seek(SeekFrom::Start(HEADER_LEN))
            .map_err(io_err(path))?;
        let mut hasher = Xxh3::new();
        hasher.update(&h);
        Ok(FramedReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 16, file),
            hasher,
            header,
            remaining: count,
            count,
            checksum: u64_at(&t, 8),
            record: vec![0; record_size as usize],
        })
    }

    pub(crate) fn header(&self) -> &Header {
        &self.header
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The next record, or `None` after the last one (once the checksum has been verified).
    pub(crate) fn next_record(&mut self) -> Result<Option<&[u8]>, LineDedupError> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.input
            .read_exact(&mut self.record)
            .map_err(io_err(&self.path))?;
        self.hasher.update(&self.record);
        self.remaining -= 1;
        if self.remaining == 0 && self.hasher.digest() != self.checksum {
            return Err(corrupt(
                &self.path,
                format!(
                    "{} file is corrupt (checksum mismatch)",
                    self.header.kind.name()
                ),
            ));
        }
        Ok(Some(&self.record))
    }

    pub(crate) fn corrupt(&self, reason: impl Into<String>) -> LineDedupError {
        corrupt(&self.path, reason)
    }
}
