//! The on-disk formats of the [`sorted`](super::sorted) line-dedup passes.
//!
//! The framing is the MinHash stage files' ([`crate::minhash::files`]) with its own magic and
//! header fields; both use the crate's framing module.
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
use crate::framed::{
    self, corrupt, impl_from_frame_error, mismatch, u32_at, FrameError, FrameHeader, FrameKind,
    Framing, HEADER_LEN,
};
use std::path::{Path, PathBuf};

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
    pub(crate) fn record_size(self) -> u32 {
        match self {
            FileKind::Hashes => HASH_RECORD,
            FileKind::Removals => REMOVAL_RECORD,
        }
    }
}

impl FrameKind for FileKind {
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

impl FrameHeader for Header {
    const FRAMING: Framing = Framing {
        magic: b"THLD",
        end_magic: b"THLD-END",
        version: 1,
        family: "thresher",
        temp_prefix: ".tmp-lines-",
    };
    type Kind = FileKind;
    /// The configuration; its `keep` is not compared for hash files.
    type Expected = LineDedupConfig;

    fn kind(&self) -> FileKind {
        self.kind
    }

    fn record_size(&self) -> u32 {
        self.kind.record_size()
    }

    fn encode_fields(&self, h: &mut [u8; HEADER_LEN]) {
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
        ];
        framed::put_u32s(h, 12, &fields);
    }

    fn decode(
        path: &Path,
        kind: FileKind,
        h: &[u8; HEADER_LEN],
        config: &LineDedupConfig,
    ) -> Result<Header, FrameError> {
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
            min_chars: u32_at(h, 12) as usize,
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
        Ok(Header {
            kind,
            config: found,
            shard: u32_at(h, 16),
            partition: u32_at(h, 20),
            partitions: u32_at(h, 24),
            documents: u32_at(h, 28),
        })
    }

    fn validate(&self, path: &Path) -> Result<(), FrameError> {
        if self.partitions == 0 || self.partition >= self.partitions {
            return Err(corrupt(
                path,
                format!(
                    "partition {} of {} is out of range",
                    self.partition, self.partitions
                ),
            ));
        }
        Ok(())
    }
}

impl_from_frame_error!(LineDedupError);

/// Reads one framed file record by record ([`framed::FramedReader`]).
pub(crate) type FramedReader = framed::FramedReader<Header>;

/// Opens `path`, which must be a `kind` file made with `config` (whose `keep` is not compared
/// for hash files).
pub(crate) fn open_reader(
    path: &Path,
    kind: FileKind,
    config: &LineDedupConfig,
) -> Result<FramedReader, LineDedupError> {
    Ok(FramedReader::open(path, kind, config, kind.record_size())?)
}
