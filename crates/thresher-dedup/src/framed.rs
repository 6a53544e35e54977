//! The framing shared by the stage files of MinHash dedup ([`crate::minhash::files`]) and of
//! sorted line dedup ([`crate::lines::files`]): a 48-byte header, length-checked records and a
//! 24-byte trailer, written atomically.
//!
//! ```text
//! header, 48 bytes:
//!   0  magic (4 bytes, one per family of files)
//!   4  kind (u8)
//!   5  format version (u8)
//!   6  the family's fields (FrameHeader::encode_fields), up to byte 32
//!  32  record size in bytes (u32); 0 = records of varying size, each preceded by its
//!      length (u32)
//!  36  the family's fields (zero so far), up to byte 48
//! records, count × record size bytes (or count length-prefixed records)
//! trailer, 24 bytes:
//!   count (u64), xxh3-64 of header and records (u64), end magic (8 bytes)
//! ```
//!
//! All integers are little-endian. [`FramedReader::open`] checks the magic, kind and version,
//! then lets the family decode and check its fields ([`FrameHeader::decode`]), checks the
//! record size, lets the family check the decoded header ([`FrameHeader::validate`]) and checks
//! that the file length matches the trailer's count, all before the first record; the checksum
//! is checked when the last record has been read. [`FramedWriter`] writes a temporary file in
//! the destination folder, fsyncs it and renames it into place, so a file is either complete
//! or absent.
//!
//! Errors are [`FrameError`]s, which each family's error type converts from.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// Bytes of a header.
pub(crate) const HEADER_LEN: usize = 48;
/// Bytes of a trailer.
pub(crate) const TRAILER_LEN: usize = 24;
/// Where the record size is in a header.
const RECORD_SIZE_AT: usize = 32;

/// What tells one family of framed files from another.
pub(crate) struct Framing {
    /// The first 4 bytes of every file.
    pub(crate) magic: &'static [u8; 4],
    /// The last 8 bytes of every file.
    pub(crate) end_magic: &'static [u8; 8],
    /// The format version this build writes and reads.
    pub(crate) version: u8,
    /// How a file of another family is described: "not a {family} {kind name} file".
    pub(crate) family: &'static str,
    /// The prefix of the writers' temporary files.
    pub(crate) temp_prefix: &'static str,
}

/// A kind of file of a family: its header byte and its name in messages.
pub(crate) trait FrameKind: Copy {
    /// The kind byte of the header.
    fn byte(self) -> u8;
    /// The name in messages ("a {name} file").
    fn name(self) -> &'static str;
}

/// A family's header: the fields it keeps in the 48 header bytes besides the magic, kind,
/// version and record size, which the framing handles.
pub(crate) trait FrameHeader: Sized {
    /// The family's constants.
    const FRAMING: Framing;
    /// The family's kinds of file.
    type Kind: FrameKind;
    /// What a reader's header is checked against (the configuration).
    type Expected: ?Sized;

    /// The kind of file.
    fn kind(&self) -> Self::Kind;
    /// Bytes per record (0: length-prefixed records of varying size).
    fn record_size(&self) -> u32;
    /// Writes the family's fields into `h` (bytes 6 to 32 and 36 to 48, zero on entry).
    fn encode_fields(&self, h: &mut [u8; HEADER_LEN]);
    /// Reads the family's fields of the header of a `kind` file at `path` (whose magic, kind
    /// and version are checked), checking them against `expected`. Runs before the record
    /// size is checked.
    fn decode(
        path: &Path,
        kind: Self::Kind,
        h: &[u8; HEADER_LEN],
        expected: &Self::Expected,
    ) -> Result<Self, FrameError>;
    /// Further checks of a decoded header, after the record size's.
    fn validate(&self, _path: &Path) -> Result<(), FrameError> {
        Ok(())
    }
}

/// Why a framed file cannot be written or read; each family's error type has the same three
/// variants and converts from this.
#[derive(Debug)]
pub(crate) enum FrameError {
    /// Reading or writing the file failed.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is truncated, corrupt, of another kind or version.
    Corrupt { path: PathBuf, reason: String },
    /// The file disagrees with what it must go with (configuration, …).
    Mismatch { path: PathBuf, reason: String },
}

/// Implements `From<FrameError>` for an error enum with `Io`, `Corrupt` and `Mismatch`
/// variants of the same fields.
macro_rules! impl_from_frame_error {
    ($error:ty) => {
        impl From<$crate::framed::FrameError> for $error {
            fn from(e: $crate::framed::FrameError) -> Self {
                use $crate::framed::FrameError;
                match e {
                    FrameError::Io { path, source } => Self::Io { path, source },
                    FrameError::Corrupt { path, reason } => Self::Corrupt { path, reason },
                    FrameError::Mismatch { path, reason } => Self::Mismatch { path, reason },
                }
            }
        }
    };
}
pub(crate) use impl_from_frame_error;

/// The little-endian u32 at `at`.
pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(v)
}

/// The little-endian u64 at `at`.
pub(crate) fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

/// Writes `fields` as consecutive little-endian u32s from `at`.
pub(crate) fn put_u32s(h: &mut [u8], at: usize, fields: &[u32]) {
    for (i, v) in fields.iter().enumerate() {
        h[at + 4 * i..at + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
}

/// Maps an I/O error on `path`.
pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FrameError + '_ {
    move |source| FrameError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `path` is truncated, corrupt or foreign.
pub(crate) fn corrupt<E: From<FrameError>>(path: &Path, reason: impl Into<String>) -> E {
    E::from(FrameError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    })
}

/// `path` disagrees with what it must go with.
pub(crate) fn mismatch<E: From<FrameError>>(path: &Path, reason: impl Into<String>) -> E {
    E::from(FrameError::Mismatch {
        path: path.to_path_buf(),
        reason: reason.into(),
    })
}

/// Writes one framed file atomically: records go to a temporary file next to `path`, which
/// [`FramedWriter::finish`] completes, fsyncs and renames into place. Dropped unfinished, the
/// temporary file is removed and `path` is untouched.
pub(crate) struct FramedWriter {
    path: PathBuf,
    out: BufWriter<tempfile::NamedTempFile>,
    hasher: Xxh3,
    count: u64,
    record_size: usize,
    end_magic: &'static [u8; 8],
}

impl FramedWriter {
    /// Starts the file at `path` with `header`, buffering `buffer` bytes.
    pub(crate) fn create<H: FrameHeader>(
        path: &Path,
        header: &H,
        buffer: usize,
    ) -> Result<FramedWriter, FrameError> {
        let framing = &H::FRAMING;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let tmp = tempfile::Builder::new()
            .prefix(framing.temp_prefix)
            .tempfile_in(dir)
            .map_err(io_err(path))?;
        let record_size = header.record_size();
        let mut w = FramedWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(buffer, tmp),
            hasher: Xxh3::new(),
            count: 0,
            record_size: record_size as usize,
            end_magic: framing.end_magic,
        };
        let mut h = [0u8; HEADER_LEN];
        header.encode_fields(&mut h);
        h[..4].copy_from_slice(framing.magic);
        h[4] = header.kind().byte();
        h[5] = framing.version;
        put_u32s(&mut h, RECORD_SIZE_AT, &[record_size]);
        w.hasher.update(&h);
        w.out.write_all(&h).map_err(io_err(path))?;
        Ok(w)
    }

    /// Appends a record: exactly the record size, or any size (up to 4 GiB) when that is 0.
    pub(crate) fn write_record(&mut self, record: &[u8]) -> Result<(), FrameError> {
        if self.record_size == 0 {
            let len = u32::try_from(record.len()).map_err(|_| {
                corrupt::<FrameError>(&self.path, "a record longer than 4 GiB cannot be written")
            })?;
            let len = len.to_le_bytes();
            self.hasher.update(&len);
            self.out.write_all(&len).map_err(io_err(&self.path))?;
        }
        debug_assert!(self.record_size == 0 || record.len() == self.record_size);
        self.hasher.update(record);
        self.count += 1;
        self.out.write_all(record).map_err(io_err(&self.path))
    }

    /// Completes the file; returns the number of records.
    pub(crate) fn finish(mut self) -> Result<u64, FrameError> {
        let mut trailer = [0u8; TRAILER_LEN];
        trailer[..8].copy_from_slice(&self.count.to_le_bytes());
        trailer[8..16].copy_from_slice(&self.hasher.digest().to_le_bytes());
        trailer[16..].copy_from_slice(self.end_magic);
        let path = self.path;
        self.out.write_all(&trailer).map_err(io_err(&path))?;
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| io_err(&path)(e.into_error()))?;
        tmp.as_file().sync_all().map_err(io_err(&path))?;
        tmp.persist(&path).map_err(|e| io_err(&path)(e.error))?;
        Ok(self.count)
    }
}

/// Reads one framed file record by record, checking everything it can before the first
/// record and the checksum after the last.
pub(crate) struct FramedReader<H> {
    path: PathBuf,
    input: BufReader<File>,
    hasher: Xxh3,
    header: H,
    /// The kind's name, for messages.
    what: &'static str,
    count: u64,
    remaining: u64,
    checksum: u64,
    record: Vec<u8>,
    /// Bytes of records not read yet.
    body_left: u64,
    /// Records of varying size (length-prefixed).
    variable: bool,
}

impl<H: FrameHeader> FramedReader<H> {
    /// Opens `path`, which must be a `kind` file whose header agrees with `expected` and whose
    /// records are `record_size` bytes (0: of varying size).
    pub(crate) fn open(
        path: &Path,
        kind: H::Kind,
        expected: &H::Expected,
        record_size: u32,
    ) -> Result<FramedReader<H>, FrameError> {
        let framing = &H::FRAMING;
        let (header_len, trailer_len) = (HEADER_LEN as u64, TRAILER_LEN as u64);
        let mut file = File::open(path).map_err(io_err(path))?;
        let len = file.metadata().map_err(io_err(path))?.len();
        let what = kind.name();
        if len < header_len + trailer_len {
            return Err(corrupt(
                path,
                format!("truncated {what} file: {len} bytes, shorter than its header and trailer"),
            ));
        }
        let mut h = [0u8; HEADER_LEN];
        file.read_exact(&mut h).map_err(io_err(path))?;
        if &h[..4] != framing.magic {
            return Err(corrupt(
                path,
                format!("not a {} {what} file", framing.family),
            ));
        }
        if h[4] != kind.byte() {
            return Err(corrupt(
                path,
                format!("expected a {what} file, found kind {:?}", h[4] as char),
            ));
        }
        if h[5] != framing.version {
            return Err(corrupt(
                path,
                format!(
                    "format version {} (this build reads {})",
                    h[5], framing.version
                ),
            ));
        }
        let header = H::decode(path, kind, &h, expected)?;
        let found_size = u32_at(&h, RECORD_SIZE_AT);
        if found_size != record_size {
            return Err(corrupt(
                path,
                format!("record size {found_size}, expected {record_size}"),
            ));
        }
        header.validate(path)?;
        let body = len - header_len - trailer_len;
        let mut t = [0u8; TRAILER_LEN];
        file.seek(SeekFrom::End(-(TRAILER_LEN as i64)))
            .and_then(|_| file.read_exact(&mut t))
            .map_err(io_err(path))?;
        let count = u64_at(&t, 0);
        let fits = if record_size == 0 {
            count.checked_mul(4).is_some_and(|min| min <= body)
        } else {
            count.checked_mul(u64::from(record_size)) == Some(body)
        };
        if &t[16..] != framing.end_magic || !fits {
            return Err(corrupt(
                path,
                format!("truncated or damaged {what} file ({len} bytes; its trailer is missing or does not match its length)"),
            ));
        }
        file.seek(SeekFrom::Start(header_len))
            .map_err(io_err(path))?;
        let mut hasher = Xxh3::new();
        hasher.update(&h);
        Ok(FramedReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 16, file),
            hasher,
            header,
            what,
            count,
            remaining: count,
            checksum: u64_at(&t, 8),
            record: vec![0; record_size as usize],
            body_left: body,
            variable: record_size == 0,
        })
    }

    /// The decoded header.
    pub(crate) fn header(&self) -> &H {
        &self.header
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Number of records in the file.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The next record, or `None` after the last one (once the checksum has been verified).
    pub(crate) fn next_record(&mut self) -> Result<Option<&[u8]>, FrameError> {
        if self.remaining == 0 {
            return Ok(None);
        }
        if self.variable {
            let mut len = [0u8; 4];
            self.input
                .read_exact(&mut len)
                .map_err(io_err(&self.path))?;
            self.hasher.update(&len);
            let n = u64::from(u32::from_le_bytes(len));
            // The length and the remaining records' lengths must fit in what is left.
            if n + 4 + 4 * (self.remaining - 1) > self.body_left {
                return Err(self.corrupt(format!(
                    "{} file is damaged (a record runs past the end)",
                    self.what
                )));
            }
            self.body_left -= 4;
            self.record.resize(n as usize, 0);
        }
        self.input
            .read_exact(&mut self.record)
            .map_err(io_err(&self.path))?;
        self.body_left -= self.record.len() as u64;
        self.hasher.update(&self.record);
        self.remaining -= 1;
        if self.remaining == 0 && self.body_left != 0 {
            return Err(self.corrupt(format!(
                "{} file is damaged ({} bytes after the last record)",
                self.what, self.body_left
            )));
        }
        if self.remaining == 0 && self.hasher.digest() != self.checksum {
            return Err(self.corrupt(format!("{} file is corrupt (checksum mismatch)", self.what)));
        }
        Ok(Some(&self.record))
    }

    /// An error saying the file is corrupt.
    pub(crate) fn corrupt<E: From<FrameError>>(&self, reason: impl Into<String>) -> E {
        corrupt(&self.path, reason)
    }
}
