//! The on-disk formats of the MinHash stages.
//!
//! Every file is framed the same way, so that a truncated, corrupt or foreign file is a clear
//! error naming it instead of silently wrong dedup:
//!
//! ```text
//! header, 48 bytes:
//!   0  magic "THMH"
//!   4  kind (u8): b'S' signatures, b'P' duplicate pairs, b'D' decisions, b'I' document
//!      ids, b'K' kept documents
//!   5  format version (u8) = 1
//!   6  2 zero bytes
//!   8  n_grams, num_buckets, hashes_per_bucket, seed (4 × u32): the MinhashConfig
//!  24  shard (u32; u32::MAX when the file is not about one shard)
//!  28  bucket (u32; u32::MAX when the file is not about one bucket)
//!  32  record size in bytes (u32); 0 = records of varying size, each preceded by its
//!      length (u32)
//!  36  12 zero bytes
//! records, count × record size bytes (or count length-prefixed records)
//! trailer, 24 bytes:
//!   count (u64), xxh3-64 of header and records (u64), end magic "THMH-END"
//! ```
//!
//! All integers are little-endian. Readers check the magic, kind, version, configuration and
//! record size against what they expect, and that the file length matches the trailer's count
//! before reading any record; the checksum is checked when the last record has been read.
//! Writers write to a temporary file in the destination folder, fsync it and rename it into
//! place, so a file either is complete or does not exist.
//!
//! | kind | one file per | record |
//! |---|---|---|
//! | signatures | shard and bucket | the bucket's `hashes_per_bucket` hashes (u64 each), then the document's index in its shard (u32); sorted by hashes, then index |
//! | duplicate pairs | bucket | shard and index of the earlier document, then of the later one (4 × u32), in merge order |
//! | decisions | shard | index, cluster id, cluster size, removed (0 or 1) (4 × u32), sorted by index; only documents in a cluster |
//! | document ids | shard | index (u32), id length (u32), id (UTF-8), then the keep key: tag (u8: 0 none, 1 number, 2 text), f64 or text length (u32) and text; one per document of the shard, in index order |
//! | kept documents | run | cluster id, shard, index (3 × u32), then the kept document's id (UTF-8); in cluster order |

use super::{MinhashConfig, MinhashError};
use crate::framed::{
    self, corrupt, impl_from_frame_error, mismatch, u32_at, u64_at, FrameError, FrameHeader,
    FrameKind, FramedWriter, Framing, HEADER_LEN,
};
use std::path::{Path, PathBuf};

/// The write buffer of every file.
pub(crate) const WRITE_BUFFER: usize = 1 << 16;

/// Marks a header field that does not apply to the file.
pub const NONE: u32 = u32::MAX;

/// The path of the signature file of `shard` for `bucket` under `dir`:
/// `dir/bucket_BBB/SSSSS.minhash.sig` (datatrove's layout).
pub fn signature_path(dir: &Path, bucket: usize, shard: u32) -> PathBuf {
    dir.join(format!("bucket_{bucket:03}"))
        .join(format!("{shard:05}.minhash.sig"))
}

/// The path of the duplicate-pair file of `bucket` under `dir`: `dir/BBBBB.minhash.dups`.
pub fn pairs_path(dir: &Path, bucket: usize) -> PathBuf {
    dir.join(format!("{bucket:05}.minhash.dups"))
}

/// The path of the decisions file of `shard` under `dir`: `dir/SSSSS.minhash.decisions`.
pub fn decisions_path(dir: &Path, shard: u32) -> PathBuf {
    dir.join(format!("{shard:05}.minhash.decisions"))
}

/// The path of the document-id file of `shard` under `dir`: `dir/SSSSS.minhash.ids`.
pub fn ids_path(dir: &Path, shard: u32) -> PathBuf {
    dir.join(format!("{shard:05}.minhash.ids"))
}

/// The path of the kept-documents file under `dir`: `dir/kept.minhash.clusters`.
pub fn kept_path(dir: &Path) -> PathBuf {
    dir.join("kept.minhash.clusters")
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// One bucket of one shard's signatures.
    Signatures,
    /// One bucket's duplicate pairs.
    Pairs,
    /// One shard's cluster decisions.
    Decisions,
    /// One shard's document ids (and keep keys).
    Ids,
    /// The kept document of every cluster.
    Kept,
}

impl FrameKind for FileKind {
    fn byte(self) -> u8 {
        match self {
            FileKind::Signatures => b'S',
            FileKind::Pairs => b'P',
            FileKind::Decisions => b'D',
            FileKind::Ids => b'I',
            FileKind::Kept => b'K',
        }
    }

    fn name(self) -> &'static str {
        match self {
            FileKind::Signatures => "signature",
            FileKind::Pairs => "duplicate-pair",
            FileKind::Decisions => "decisions",
            FileKind::Ids => "document-id",
            FileKind::Kept => "kept-document",
        }
    }
}

/// The header of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// What the file holds.
    pub kind: FileKind,
    /// The configuration the data was made with.
    pub config: MinhashConfig,
    /// The shard, or [`NONE`].
    pub shard: u32,
    /// The bucket, or [`NONE`].
    pub bucket: u32,
    /// Bytes per record.
    pub record_size: u32,
}

impl FrameHeader for Header {
    const FRAMING: Framing = Framing {
        magic: b"THMH",
        end_magic: b"THMH-END",
        version: 1,
        family: "thresher MinHash",
        temp_prefix: ".tmp-minhash-",
    };
    type Kind = FileKind;
    type Expected = MinhashConfig;

    fn kind(&self) -> FileKind {
        self.kind
    }

    fn record_size(&self) -> u32 {
        self.record_size
    }

    fn encode_fields(&self, h: &mut [u8; HEADER_LEN]) {
        let c = &self.config;
        // validate() bounds every value by u32 (n_grams) or by MAX_HASHES.
        let fields = [
            c.n_grams as u32,
            c.num_buckets as u32,
            c.hashes_per_bucket as u32,
            c.seed,
            self.shard,
            self.bucket,
        ];
        framed::put_u32s(h, 8, &fields);
    }

    fn decode(
        path: &Path,
        kind: FileKind,
        h: &[u8; HEADER_LEN],
        config: &MinhashConfig,
    ) -> Result<Header, FrameError> {
        let found = MinhashConfig {
            n_grams: u32_at(h, 8) as usize,
            num_buckets: u32_at(h, 12) as usize,
            hashes_per_bucket: u32_at(h, 16) as usize,
            seed: u32_at(h, 20),
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
            shard: u32_at(h, 24),
            bucket: u32_at(h, 28),
            record_size: u32_at(h, 32),
        })
    }
}

impl_from_frame_error!(MinhashError);

/// Reads one framed file record by record ([`framed::FramedReader`]).
pub(crate) type FramedReader = framed::FramedReader<Header>;

/// Reads a signature file (one bucket of one shard) in its sorted order.
pub struct SignatureReader {
    inner: FramedReader,
    hashes: Vec<u64>,
    doc: u32,
    started: bool,
}

impl SignatureReader {
    /// Opens a signature file made with `config`.
    pub fn open(path: &Path, config: &MinhashConfig) -> Result<SignatureReader, MinhashError> {
        let hpb = config.hashes_per_bucket;
        let record_size = u32::try_from(hpb * 8 + 4)
            .map_err(|_| MinhashError::InvalidConfig("hashes_per_bucket is too large".into()))?;
        let inner = FramedReader::open(path, FileKind::Signatures, config, record_size)?;
        if inner.header().bucket as usize >= config.num_buckets {
            return Err(inner.corrupt(format!("bucket {} out of range", inner.header().bucket)));
        }
        Ok(SignatureReader {
            inner,
            hashes: vec![0; hpb],
            doc: 0,
            started: false,
        })
    }

    /// The shard the file belongs to.
    pub fn shard(&self) -> u32 {
        self.inner.header().shard
    }

    /// The bucket the file holds.
    pub fn bucket(&self) -> usize {
        self.inner.header().bucket as usize
    }

    /// The file.
    pub fn path(&self) -> &Path {
        self.inner.path()
    }

    /// Number of signatures in the file.
    pub fn len(&self) -> u64 {
        self.inner.count()
    }

    /// Whether the file holds no signature.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves to the next record; `false` after the last. Records out of order are an error.
    pub fn advance(&mut self) -> Result<bool, MinhashError> {
        let hpb = self.hashes.len();
        let Some(rec) = self.inner.next_record()? else {
            return Ok(false);
        };
        let prev_doc = self.doc;
        let mut order = std::cmp::Ordering::Equal;
        for (i, h) in self.hashes.iter_mut().enumerate() {
            let v = u64_at(rec, 8 * i);
            if order == std::cmp::Ordering::Equal {
                order = (*h).cmp(&v);
            }
            *h = v;
        }
        self.doc = u32_at(rec, 8 * hpb);
        if order == std::cmp::Ordering::Equal {
            order = prev_doc.cmp(&self.doc);
        }
        if self.started && order != std::cmp::Ordering::Less {
            return Err(self.inner.corrupt(
                "signature records are not sorted (file damaged or not written by thresher)",
            ));
        }
        self.started = true;
        Ok(true)
    }

    /// The current record's hashes (valid after [`SignatureReader::advance`] returned `true`).
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The current record's document index in its shard.
    pub fn doc(&self) -> u32 {
        self.doc
    }
}

/// Two documents with equal hashes in one bucket: `(shard, doc)` of each, the earlier one (in
/// the bucket's sorted order) first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DuplicatePair {
    /// The earlier document.
    pub a: (u32, u32),
    /// The later document.
    pub b: (u32, u32),
}

const PAIR_SIZE: u32 = 16;

/// Writes a duplicate-pair file.
pub(crate) struct PairsWriter(FramedWriter);

impl PairsWriter {
    pub(crate) fn create(
        path: &Path,
        config: &MinhashConfig,
        bucket: usize,
    ) -> Result<PairsWriter, MinhashError> {
        let header = Header {
            kind: FileKind::Pairs,
            config: *config,
            shard: NONE,
            bucket: bucket as u32,
            record_size: PAIR_SIZE,
        };
        Ok(PairsWriter(FramedWriter::create(
            path,
            &header,
            WRITE_BUFFER,
        )?))
    }

    pub(crate) fn write(&mut self, p: &DuplicatePair) -> Result<(), MinhashError> {
        let mut rec = [0u8; PAIR_SIZE as usize];
        for (i, v) in [p.a.0, p.a.1, p.b.0, p.b.1].iter().enumerate() {
            rec[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        Ok(self.0.write_record(&rec)?)
    }

    pub(crate) fn finish(self) -> Result<u64, MinhashError> {
        Ok(self.0.finish()?)
    }
}

/// Reads a duplicate-pair file.
pub struct PairsReader(FramedReader);

impl PairsReader {
    /// Opens a duplicate-pair file made with `config`.
    pub fn open(path: &Path, config: &MinhashConfig) -> Result<PairsReader, MinhashError> {
        let inner = FramedReader::open(path, FileKind::Pairs, config, PAIR_SIZE)?;
        if inner.header().bucket as usize >= config.num_buckets {
            return Err(inner.corrupt(format!("bucket {} out of range", inner.header().bucket)));
        }
        Ok(PairsReader(inner))
    }

    /// The bucket the pairs were found in.
    pub fn bucket(&self) -> usize {
        self.0.header().bucket as usize
    }

    /// The file.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Number of pairs in the file.
    pub fn len(&self) -> u64 {
        self.0.count()
    }

    /// Whether the file holds no pair.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next pair, or `None` after the last.
    pub fn next_pair(&mut self) -> Result<Option<DuplicatePair>, MinhashError> {
        Ok(self.0.next_record()?.map(|r| DuplicatePair {
            a: (u32_at(r, 0), u32_at(r, 4)),
            b: (u32_at(r, 8), u32_at(r, 12)),
        }))
    }
}

/// What stage 3 decided for one document that is in a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterEntry {
    /// The document's index in its shard.
    pub doc: u32,
    /// The cluster's id (numbered from 0 over all shards).
    pub cluster: u32,
    /// How many documents the cluster has.
    pub cluster_size: u32,
    /// Whether the document is dropped (every member of a cluster but one).
    pub removed: bool,
}

const DECISION_SIZE: u32 = 16;

/// Writes a shard's decisions file; entries must come in increasing document order.
pub(crate) fn write_decisions(
    path: &Path,
    config: &MinhashConfig,
    shard: u32,
    entries: &[ClusterEntry],
) -> Result<u64, MinhashError> {
    let header = Header {
        kind: FileKind::Decisions,
        config: *config,
        shard,
        bucket: NONE,
        record_size: DECISION_SIZE,
    };
    let mut w = FramedWriter::create(path, &header, WRITE_BUFFER)?;
    for e in entries {
        let mut rec = [0u8; DECISION_SIZE as usize];
        let fields = [e.doc, e.cluster, e.cluster_size, u32::from(e.removed)];
        for (i, v) in fields.iter().enumerate() {
            rec[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        w.write_record(&rec)?;
    }
    Ok(w.finish()?)
}

/// Reads a shard's decisions file; returns its shard and entries (in document order).
pub(crate) fn read_decisions(
    path: &Path,
    config: &MinhashConfig,
) -> Result<(u32, Vec<ClusterEntry>), MinhashError> {
    let mut r = FramedReader::open(path, FileKind::Decisions, config, DECISION_SIZE)?;
    let shard = r.header().shard;
    let mut entries: Vec<ClusterEntry> = Vec::new();
    while let Some(rec) = r.next_record()? {
        let removed = match u32_at(rec, 12) {
            0 => false,
            1 => true,
            other => return Err(r.corrupt(format!("bad removed flag {other}"))),
        };
        let e = ClusterEntry {
            doc: u32_at(rec, 0),
            cluster: u32_at(rec, 4),
            cluster_size: u32_at(rec, 8),
            removed,
        };
        if entries.last().is_some_and(|p| p.doc >= e.doc) {
            return Err(r.corrupt("decisions are not in document order"));
        }
        entries.push(e);
    }
    Ok((shard, entries))
}

/// The value a document is ranked by when a cluster keeps the document with the largest or
/// smallest value of a metadata field ([`crate::minhash::stages::KeepRule::Field`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DocKey {
    /// The document has no such field (or it is neither a number nor text).
    None,
    /// A number.
    Number(f64),
    /// Text (compared byte-wise, which orders ISO 8601 dates by time).
    Text(String),
}

/// Writes a shard's document-id file: one record per document, in index order.
pub struct IdsWriter {
    inner: FramedWriter,
    next: u32,
    record: Vec<u8>,
}

impl IdsWriter {
    /// Starts the id file of `shard` at `path`.
    pub fn create(
        path: &Path,
        config: &MinhashConfig,
        shard: u32,
    ) -> Result<IdsWriter, MinhashError> {
        let header = Header {
            kind: FileKind::Ids,
            config: *config,
            shard,
            bucket: NONE,
            record_size: 0,
        };
        Ok(IdsWriter {
            inner: FramedWriter::create(path, &header, WRITE_BUFFER)?,
            next: 0,
            record: Vec::new(),
        })
    }

    /// Adds the next document's id and keep key; returns its index.
    pub fn add(&mut self, id: &str, key: &DocKey) -> Result<u32, MinhashError> {
        let r = &mut self.record;
        r.clear();
        r.extend_from_slice(&self.next.to_le_bytes());
        r.extend_from_slice(&(id.len() as u32).to_le_bytes());
        r.extend_from_slice(id.as_bytes());
        match key {
            DocKey::None => r.push(0),
            DocKey::Number(v) => {
                r.push(1);
                r.extend_from_slice(&v.to_le_bytes());
            }
            DocKey::Text(t) => {
                r.push(2);
                r.extend_from_slice(&(t.len() as u32).to_le_bytes());
                r.extend_from_slice(t.as_bytes());
            }
        }
        self.inner.write_record(&self.record)?;
        let doc = self.next;
        self.next = self.next.checked_add(1).ok_or_else(|| {
            MinhashError::InvalidConfig("more than 2^32 documents in one shard".into())
        })?;
        Ok(doc)
    }

    /// Completes the file; returns the number of documents.
    pub fn finish(self) -> Result<u64, MinhashError> {
        Ok(self.inner.finish()?)
    }
}

/// Reads a shard's document-id file in index order.
pub struct IdsReader {
    inner: FramedReader,
    path: PathBuf,
    next: u32,
}

impl IdsReader {
    /// Opens a document-id file made with `config`.
    pub fn open(path: &Path, config: &MinhashConfig) -> Result<IdsReader, MinhashError> {
        Ok(IdsReader {
            inner: FramedReader::open(path, FileKind::Ids, config, 0)?,
            path: path.to_path_buf(),
            next: 0,
        })
    }

    /// The shard the file belongs to.
    pub fn shard(&self) -> u32 {
        self.inner.header().shard
    }

    /// Number of documents of the shard.
    pub fn len(&self) -> u64 {
        self.inner.count()
    }

    /// Whether the shard has no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file.
    pub fn path(&self) -> &Path {
        self.inner.path()
    }

    /// The next document's index, id and key, or `None` after the last.
    pub fn next_doc(&mut self) -> Result<Option<(u32, String, DocKey)>, MinhashError> {
        let expected = self.next;
        let Some(rec) = self.inner.next_record()? else {
            return Ok(None);
        };
        let path = &self.path;
        let bad = |what: &str| corrupt(path, format!("document-id record {expected}: {what}"));
        if rec.len() < 9 || u32_at(rec, 0) != expected {
            return Err(bad("out of order or too short"));
        }
        let id_len = u32_at(rec, 4) as usize;
        let Some(id) = rec.get(8..8 + id_len) else {
            return Err(bad("id runs past the record"));
        };
        let id = String::from_utf8(id.to_vec()).map_err(|_| bad("id is not UTF-8"))?;
        let rest = &rec[8 + id_len..];
        let key = match (rest.first(), rest.len()) {
            (Some(0), 1) => DocKey::None,
            (Some(1), 9) => DocKey::Number(f64::from_le_bytes(
                rest[1..9].try_into().unwrap_or_default(),
            )),
            (Some(2), n) if n >= 5 && n == 5 + u32_at(rest, 1) as usize => DocKey::Text(
                String::from_utf8(rest[5..].to_vec()).map_err(|_| bad("key is not UTF-8"))?,
            ),
            _ => return Err(bad("bad keep key")),
        };
        self.next += 1;
        Ok(Some((expected, id, key)))
    }
}

/// The document a cluster keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptDoc {
    /// The cluster.
    pub cluster: u32,
    /// The kept document's shard.
    pub shard: u32,
    /// Its index in the shard.
    pub doc: u32,
    /// Its id.
    pub id: String,
}

/// Writes the kept-documents file; clusters must come in increasing order.
pub(crate) fn write_kept(
    path: &Path,
    config: &MinhashConfig,
    kept: &[KeptDoc],
) -> Result<u64, MinhashError> {
    let header = Header {
        kind: FileKind::Kept,
        config: *config,
        shard: NONE,
        bucket: NONE,
        record_size: 0,
    };
    let mut w = FramedWriter::create(path, &header, WRITE_BUFFER)?;
    let mut rec = Vec::new();
    for k in kept {
        rec.clear();
        for v in [k.cluster, k.shard, k.doc] {
            rec.extend_from_slice(&v.to_le_bytes());
        }
        rec.extend_from_slice(k.id.as_bytes());
        w.write_record(&rec)?;
    }
    Ok(w.finish()?)
}

/// Reads the kept-documents file, keeping only the clusters `wanted` says yes to (so a shard
/// holds only its own clusters).
pub fn read_kept(
    path: &Path,
    config: &MinhashConfig,
    mut wanted: impl FnMut(u32) -> bool,
) -> Result<Vec<KeptDoc>, MinhashError> {
    let mut r = FramedReader::open(path, FileKind::Kept, config, 0)?;
    let mut out: Vec<KeptDoc> = Vec::new();
    let mut expected = 0u32;
    while let Some(rec) = r.next_record()? {
        if rec.len() < 12 || u32_at(rec, 0) != expected {
            return Err(r.corrupt(format!(
                "kept-document record {expected} is out of order or too short"
            )));
        }
        expected += 1;
        if !wanted(u32_at(rec, 0)) {
            continue;
        }
        let (cluster, shard, doc) = (u32_at(rec, 0), u32_at(rec, 4), u32_at(rec, 8));
        let Ok(id) = std::str::from_utf8(&rec[12..]).map(str::to_string) else {
            return Err(corrupt(path, "kept document id is not UTF-8"));
        };
        out.push(KeptDoc {
            cluster,
            shard,
            doc,
            id,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> MinhashConfig {
        MinhashConfig::default()
    }

    fn sample(dir: &Path) -> PathBuf {
        let path = pairs_path(dir, 3);
        let mut w = PairsWriter::create(&path, &cfg(), 3).unwrap();
        for i in 0..100u32 {
            w.write(&DuplicatePair {
                a: (0, i),
                b: (1, i + 1),
            })
            .unwrap();
        }
        assert_eq!(w.finish().unwrap(), 100);
        path
    }

    fn read_all(path: &Path) -> Result<Vec<DuplicatePair>, MinhashError> {
        let mut r = PairsReader::open(path, &cfg())?;
        let mut v = Vec::new();
        while let Some(p) = r.next_pair()? {
            v.push(p);
        }
        Ok(v)
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let pairs = read_all(&path).unwrap();
        assert_eq!(pairs.len(), 100);
        assert_eq!(
            pairs[7],
            DuplicatePair {
                a: (0, 7),
                b: (1, 8)
            }
        );
        assert_eq!(PairsReader::open(&path, &cfg()).unwrap().bucket(), 3);
        // Only the finished file is left: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn truncation_and_corruption_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let good = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        for cut in [0, 10, 48, 100, good.len() - 1] {
            std::fs::write(&path, &good[..cut]).unwrap();
            let err = read_all(&path).unwrap_err().to_string();
            assert!(
                err.contains(&name) && err.contains("truncated"),
                "{cut}: {err}"
            );
        }
        let mut bad = good.clone();
        bad[200] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        let err = read_all(&path).unwrap_err().to_string();
        assert!(err.contains(&name) && err.contains("checksum"), "{err}");
        let mut bad = good.clone();
        bad[0] = b'X';
        std::fs::write(&path, &bad).unwrap();
        assert!(read_all(&path)
            .unwrap_err()
            .to_string()
            .contains("not a thresher"));
        std::fs::write(&path, &good).unwrap();
        let other = MinhashConfig { seed: 2, ..cfg() };
        let err = PairsReader::open(&path, &other).err().unwrap();
        assert!(matches!(err, MinhashError::Mismatch { .. }), "{err}");
        let err = SignatureReader::open(&path, &cfg())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("expected a signature file"), "{err}");
        let missing = dir.path().join("nope.dups");
        assert!(matches!(read_all(&missing), Err(MinhashError::Io { .. })));
    }

    #[test]
    fn unfinished_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = pairs_path(dir.path(), 0);
        let mut w = PairsWriter::create(&path, &cfg(), 0).unwrap();
        w.write(&DuplicatePair {
            a: (0, 0),
            b: (0, 1),
        })
        .unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn ids_and_kept_round_trip_and_detect_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = ids_path(dir.path(), 2);
        let mut w = IdsWriter::create(&path, &cfg(), 2).unwrap();
        let keys = [
            DocKey::None,
            DocKey::Number(0.5),
            DocKey::Text("2024-01-01".into()),
            DocKey::Text(String::new()),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(w.add(&format!("doc-{i}é"), k).unwrap(), i as u32);
        }
        assert_eq!(w.finish().unwrap(), 4);
        let mut r = IdsReader::open(&path, &cfg()).unwrap();
        assert_eq!((r.shard(), r.len()), (2, 4));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(
                r.next_doc().unwrap(),
                Some((i as u32, format!("doc-{i}é"), k.clone()))
            );
        }
        assert_eq!(r.next_doc().unwrap(), None);
        let good = std::fs::read(&path).unwrap();
        for cut in [50, 60, good.len() - 30, good.len() - 1] {
            std::fs::write(&path, &good[..cut]).unwrap();
            let err = IdsReader::open(&path, &cfg()).and_then(|mut r| {
                while r.next_doc()?.is_some() {}
                Ok(())
            });
            assert!(err.is_err(), "cut at {cut} not detected");
        }
        let mut bad = good.clone();
        bad[60] ^= 0x40;
        std::fs::write(&path, &bad).unwrap();
        let err = IdsReader::open(&path, &cfg()).and_then(|mut r| {
            while r.next_doc()?.is_some() {}
            Ok(())
        });
        assert!(err
            .unwrap_err()
            .to_string()
            .contains(&path.display().to_string()));

        let kp = kept_path(dir.path());
        let kept = vec![
            KeptDoc {
                cluster: 0,
                shard: 1,
                doc: 7,
                id: "a".into(),
            },
            KeptDoc {
                cluster: 1,
                shard: 0,
                doc: 2,
                id: "b b".into(),
            },
        ];
        write_kept(&kp, &cfg(), &kept).unwrap();
        assert_eq!(read_kept(&kp, &cfg(), |_| true).unwrap(), kept);
        assert_eq!(
            read_kept(&kp, &cfg(), |c| c == 1).unwrap(),
            kept[1..].to_vec()
        );
    }

    #[test]
    fn decisions_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = decisions_path(dir.path(), 4);
        let entries = [
            ClusterEntry {
                doc: 1,
                cluster: 0,
                cluster_size: 2,
                removed: false,
            },
            ClusterEntry {
                doc: 9,
                cluster: 0,
                cluster_size: 2,
                removed: true,
            },
        ];
        write_decisions(&path, &cfg(), 4, &entries).unwrap();
        assert_eq!(
            read_decisions(&path, &cfg()).unwrap(),
            (4, entries.to_vec())
        );
    }
}
