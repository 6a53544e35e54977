//! Exact line / paragraph dedup with sorted hashes, in three restartable passes.
//!
//! 1. **Hash, per shard** ([`LineHashWriter`]): each document of the shard in order (its index
//!    is its position; every document counts, including those without units), each unit long
//!    enough to be deduped → `(xxh3-64 of the normalised unit, document, unit)`. At the end the
//!    records are sorted and split by hash range into `partitions` files
//!    ([`hashes_path`]). Memory: 16 bytes per unit of the shard.
//! 2. **Merge, per partition** ([`find_line_duplicates`]): merges the partition's files of
//!    every shard in `(hash, shard, document, unit)` order — input order within one hash —
//!    and writes, per shard, the occurrences to remove ([`removals_path`]): all but the
//!    first of each repeated hash ([`Keep::First`]) or all of them ([`Keep::None`]). Memory: one
//!    record and one write buffer per shard, whatever the size of the corpus or of a group of
//!    equal units. Partitions are independent, so this pass can run on as many workers as
//!    there are partitions.
//! 3. **Apply, per shard** ([`ShardLineRemovals`]): loads the shard's removals of every
//!    partition (sorted in memory by document and unit: 32 bytes per removed unit) and rewrites
//!    each document ([`ShardLineRemovals::apply`]), checking that each unit it removes still has
//!    the hash pass 1 saw.
//!
//! Every file is framed and checksummed and appears atomically ([`files`](super::files)), so
//! after an interruption a pass can be rerun for exactly the outputs that are missing.
//!
//! "Input order" is (shard number, document index, unit index): number shards in input order.
//!
//! **Collisions.** Units are compared by 64-bit hashes. Two different units collide with
//! probability 2⁻⁶⁴ per pair, so among `n` distinct units the chance of any collision is about
//! `n² / 2⁶⁵`: 3 × 10⁻⁸ for 10⁶ distinct units, 3 × 10⁻⁴ for 10⁸, ~3 % for 10⁹. A collision
//! removes one unit (or, under [`Keep::None`], both) that had no duplicate — the same kind of
//! error a Bloom filter makes, at a vastly lower rate.
//!
//! ```
//! use thresher_dedup::lines::files::hashes_path;
//! use thresher_dedup::lines::*;
//!
//! # fn main() -> Result<(), LineDedupError> {
//! let dir = tempfile::tempdir().expect("temp dir");
//! let (hashes, removals) = (dir.path().join("h"), dir.path().join("r"));
//! let config = LineDedupConfig { keep: Keep::First, ..LineDedupConfig::default() };
//! let shards: [&[&str]; 2] = [&["Home\nStory one\n"], &["Home\nStory two\n", "Story one"]];
//! let partitions = 2;
//! // Pass 1, per shard.
//! for (s, docs) in shards.iter().enumerate() {
//!     let mut w = LineHashWriter::new(&config, s as u32, partitions)?;
//!     for doc in *docs {
//!         w.push(doc)?;
//!     }
//!     w.finish(&hashes)?;
//! }
//! // Pass 2, per partition, over every shard's file of that partition.
//! for p in 0..partitions {
//!     let files: Vec<_> = (0..2).map(|s| hashes_path(&hashes, p, s)).collect();
//!     find_line_duplicates(&files, &config, &removals)?;
//! }
//! // Pass 3, per shard.
//! let r = ShardLineRemovals::load_dir(&removals, &config, 1, partitions)?;
//! assert_eq!(r.apply(0, shards[1][0])?.text, "Story two\n");
//! let gone = r.apply(1, shards[1][1])?;
//! assert!(gone.emptied && gone.text.is_empty());
//! # Ok(())
//! # }
//! ```

use super::files::{
    hashes_path, open_reader, removals_path, FileKind, FramedReader, Header, HASH_RECORD,
    REMOVAL_RECORD,
};
use super::{
    unit_hash, Deduped, Keep, LineDedupConfig, LineDedupError, RemovedUnit, Scanner, Segments,
    UnitRef,
};
use crate::framed::{corrupt, mismatch, u32_at, u64_at, FramedWriter};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::{Path, PathBuf};

/// The partition (of `partitions`) a hash belongs to: hash ranges of equal width, so that
/// sorted order within a partition is sorted order overall.
pub fn partition_of(hash: u64, partitions: u32) -> u32 {
    ((u128::from(hash) * u128::from(partitions)) >> 64) as u32
}

fn check_partitions(partitions: u32) -> Result<(), LineDedupError> {
    if partitions == 0 || partitions > 1 << 16 {
        return Err(LineDedupError::InvalidConfig(format!(
            "partitions must be between 1 and 65536, not {partitions}"
        )));
    }
    Ok(())
}

/// Pass 1: hashes the units of one shard's documents and writes them, sorted, as one file
/// per partition. Holds 16 bytes per hashed unit until [`LineHashWriter::finish`].
#[derive(Debug)]
pub struct LineHashWriter {
    scanner: Scanner,
    shard: u32,
    partitions: u32,
    documents: u32,
    records: Vec<(u64, u32, u32)>,
}

impl LineHashWriter {
    /// Starts pass 1 for `shard`, splitting hashes into `partitions` (1 to 65536; the same
    /// number for every shard).
    pub fn new(
        config: &LineDedupConfig,
        shard: u32,
        partitions: u32,
    ) -> Result<LineHashWriter, LineDedupError> {
        config.validate()?;
        check_partitions(partitions)?;
        Ok(LineHashWriter {
            scanner: Scanner::new(config),
            shard,
            partitions,
            documents: 0,
            records: Vec::new(),
        })
    }

    /// Adds the shard's next document; returns its index in the shard. Every document of the
    /// shard must be pushed, in order, so that the indices match pass 3's.
    pub fn push(&mut self, text: &str) -> Result<u32, LineDedupError> {
        let doc = self.documents;
        if doc == u32::MAX {
            return Err(LineDedupError::Limit(format!(
                "shard {} has more than {} documents",
                self.shard,
                u32::MAX - 1
            )));
        }
        self.scanner.segment(text);
        let n = self.scanner.seg.units.len();
        if u32::try_from(n).is_err() {
            return Err(LineDedupError::Limit(format!(
                "shard {} document {doc} has more than 2^32 units",
                self.shard
            )));
        }
        for u in 0..n {
            if let Some(norm) = self.scanner.normalised(text, u) {
                self.records.push((unit_hash(norm), doc, u as u32));
            }
        }
        self.scanner.shrink();
        self.documents += 1;
        Ok(doc)
    }

    /// Documents pushed so far.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// Hashed units so far.
    pub fn units(&self) -> u64 {
        self.records.len() as u64
    }

    /// Sorts the hashes and writes one file per partition (empty ones too) under `dir`
    /// ([`hashes_path`]); returns their paths in partition order.
    pub fn finish(mut self, dir: &Path) -> Result<Vec<PathBuf>, LineDedupError> {
        self.records.sort_unstable();
        let mut paths = Vec::with_capacity(self.partitions as usize);
        let mut rest = &self.records[..];
        for p in 0..self.partitions {
            let end = rest.partition_point(|r| partition_of(r.0, self.partitions) <= p);
            let (mine, next) = rest.split_at(end);
            rest = next;
            let path = hashes_path(dir, p, self.shard);
            let header = Header {
                kind: FileKind::Hashes,
                config: self.scanner.config,
                shard: self.shard,
                partition: p,
                partitions: self.partitions,
                documents: self.documents,
            };
            let mut w = FramedWriter::create(&path, &header, 1 << 16)?;
            let mut rec = [0u8; HASH_RECORD as usize];
            for &(hash, doc, unit) in mine {
                rec[..8].copy_from_slice(&hash.to_le_bytes());
                rec[8..12].copy_from_slice(&doc.to_le_bytes());
                rec[12..].copy_from_slice(&unit.to_le_bytes());
                w.write_record(&rec)?;
            }
            w.finish()?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// Reads a hashes file, checking order and ranges.
struct HashReader {
    inner: FramedReader,
    last: Option<(u64, u32, u32)>,
}

impl HashReader {
    fn open(path: &Path, config: &LineDedupConfig) -> Result<HashReader, LineDedupError> {
        Ok(HashReader {
            inner: open_reader(path, FileKind::Hashes, config)?,
            last: None,
        })
    }

    fn header(&self) -> &Header {
        self.inner.header()
    }

    fn next(&mut self) -> Result<Option<(u64, u32, u32)>, LineDedupError> {
        let (parts, part, docs) = {
            let h = self.inner.header();
            (h.partitions, h.partition, h.documents)
        };
        let Some(rec) = self.inner.next_record()? else {
            return Ok(None);
        };
        let r = (u64_at(rec, 0), u32_at(rec, 8), u32_at(rec, 12));
        if self.last.is_some_and(|l| l >= r) {
            return Err(self
                .inner
                .corrupt("hash records are not sorted (file damaged or not written by thresher)"));
        }
        if r.1 >= docs || partition_of(r.0, parts) != part {
            return Err(self.inner.corrupt(format!(
                "record (document {}, hash {:#x}) does not belong to this file",
                r.1, r.0
            )));
        }
        self.last = Some(r);
        Ok(Some(r))
    }
}

/// What [`find_line_duplicates`] found in one partition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeSummary {
    /// Hashed units read (occurrences).
    pub units: u64,
    /// Distinct units.
    pub distinct: u64,
    /// Distinct units that occur more than once.
    pub repeated: u64,
    /// Occurrences to remove.
    pub removed: u64,
}

struct RemovalsOut {
    writer: FramedWriter,
    rec: [u8; REMOVAL_RECORD as usize],
}

impl RemovalsOut {
    fn write(
        &mut self,
        doc: u32,
        unit: u32,
        hash: u64,
        first: UnitRef,
    ) -> Result<(), LineDedupError> {
        let r = &mut self.rec;
        r[0..4].copy_from_slice(&doc.to_le_bytes());
        r[4..8].copy_from_slice(&unit.to_le_bytes());
        r[8..16].copy_from_slice(&hash.to_le_bytes());
        r[16..20].copy_from_slice(&first.shard.to_le_bytes());
        r[20..24].copy_from_slice(&first.doc.to_le_bytes());
        r[24..28].copy_from_slice(&first.unit.to_le_bytes());
        Ok(self.writer.write_record(&self.rec)?)
    }
}

/// Pass 2 for one partition: merges the hash files of that partition (one per shard, any
/// order; every shard of the corpus must be there) and writes each shard's removals file
/// under `out_dir` ([`removals_path`]), empty for shards with nothing to remove.
pub fn find_line_duplicates(
    hash_files: &[PathBuf],
    config: &LineDedupConfig,
    out_dir: &Path,
) -> Result<MergeSummary, LineDedupError> {
    config.validate()?;
    let mut readers = Vec::with_capacity(hash_files.len());
    let mut shards = BTreeMap::new();
    for path in hash_files {
        let r = HashReader::open(path, config)?;
        if let Some(first) = readers.first() {
            let (a, b): (&Header, &Header) = (HashReader::header(first), r.header());
            if (a.partition, a.partitions) != (b.partition, b.partitions) {
                return Err(mismatch(
                    path,
                    format!(
                        "holds partition {} of {}, expected {} of {}",
                        b.partition, b.partitions, a.partition, a.partitions
                    ),
                ));
            }
        }
        if shards.insert(r.header().shard, path).is_some() {
            return Err(mismatch(
                path,
                format!("shard {} is given twice", r.header().shard),
            ));
        }
        readers.push(r);
    }
    let mut summary = MergeSummary::default();
    if readers.is_empty() {
        return Ok(summary);
    }
    // Writers in the readers' order; memory per shard is one small write buffer.
    let mut outs = Vec::with_capacity(readers.len());
    for r in &readers {
        let h = *r.header();
        let header = Header {
            kind: FileKind::Removals,
            config: *config,
            ..h
        };
        outs.push(RemovalsOut {
            writer: FramedWriter::create(
                &removals_path(out_dir, h.partition, h.shard),
                &header,
                1 << 14,
            )?,
            rec: [0; REMOVAL_RECORD as usize],
        });
    }
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some((hash, doc, unit)) = r.next()? {
            heap.push(Reverse((hash, r.header().shard, doc, unit, i)));
        }
    }
    // The current group of equal hashes: its first occurrence and (its writer) and size.
    let mut group: Option<(u64, UnitRef, usize, u64)> = None;
    while let Some(Reverse((hash, shard, doc, unit, i))) = heap.pop() {
        summary.units += 1;
        let here = UnitRef { shard, doc, unit };
        match &mut group {
            Some((h, first, first_out, count)) if *h == hash => {
                *count += 1;
                if *count == 2 {
                    summary.repeated += 1;
                    if config.keep == Keep::None {
                        outs[*first_out].write(first.doc, first.unit, hash, *first)?;
                        summary.removed += 1;
                    }
                }
                outs[i].write(doc, unit, hash, *first)?;
                summary.removed += 1;
            }
            _ => {
                summary.distinct += 1;
                group = Some((hash, here, i, 1));
            }
        }
        if let Some((hash, doc, unit)) = readers[i].next()? {
            heap.push(Reverse((hash, shard, doc, unit, i)));
        }
    }
    for o in outs {
        o.writer.finish()?;
    }
    Ok(summary)
}

/// One removed unit as pass 3 holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Removal {
    doc: u32,
    unit: u32,
    hash: u64,
    first: UnitRef,
    file: u32,
}

/// Pass 3 for one shard: the units to remove from its documents.
#[derive(Debug, Clone)]
pub struct ShardLineRemovals {
    config: LineDedupConfig,
    shard: u32,
    documents: u32,
    removals: Vec<Removal>,
}

impl ShardLineRemovals {
    /// Loads the removals files of one shard, exactly one per partition (any order).
    pub fn load(
        files: &[PathBuf],
        config: &LineDedupConfig,
    ) -> Result<ShardLineRemovals, LineDedupError> {
        config.validate()?;
        let Some(first_path) = files.first() else {
            return Err(LineDedupError::InvalidConfig(
                "no removals file given (one per partition is needed)".into(),
            ));
        };
        let mut removals = Vec::new();
        let mut seen: BTreeMap<u32, &PathBuf> = BTreeMap::new();
        let mut expect: Option<Header> = None;
        for (fi, path) in files.iter().enumerate() {
            let mut r = open_reader(path, FileKind::Removals, config)?;
            let h = *r.header();
            if let Some(e) = expect {
                if (h.shard, h.partitions, h.documents) != (e.shard, e.partitions, e.documents) {
                    return Err(mismatch(
                        path,
                        format!(
                            "shard {} ({} partitions, {} documents) does not go with shard {} \
                             ({} partitions, {} documents) of {}",
                            h.shard,
                            h.partitions,
                            h.documents,
                            e.shard,
                            e.partitions,
                            e.documents,
                            first_path.display()
                        ),
                    ));
                }
            }
            expect = Some(h);
            if seen.insert(h.partition, path).is_some() {
                return Err(mismatch(
                    path,
                    format!("partition {} is given twice", h.partition),
                ));
            }
            removals.reserve(usize::try_from(r.count()).unwrap_or(0));
            while let Some(rec) = r.next_record()? {
                let x = Removal {
                    doc: u32_at(rec, 0),
                    unit: u32_at(rec, 4),
                    hash: u64_at(rec, 8),
                    first: UnitRef {
                        shard: u32_at(rec, 16),
                        doc: u32_at(rec, 20),
                        unit: u32_at(rec, 24),
                    },
                    file: fi as u32,
                };
                if x.doc >= h.documents || partition_of(x.hash, h.partitions) != h.partition {
                    return Err(corrupt(
                        path,
                        format!(
                            "record (document {}, hash {:#x}) does not belong to this file",
                            x.doc, x.hash
                        ),
                    ));
                }
                removals.push(x);
            }
        }
        let Some(h) = expect else {
            return Err(LineDedupError::InvalidConfig(
                "no removals file given (one per partition is needed)".into(),
            ));
        };
        if let Some(p) = (0..h.partitions).find(|p| !seen.contains_key(p)) {
            return Err(mismatch(
                first_path,
                format!(
                    "the removals of partition {p} of {} for shard {} are missing",
                    h.partitions, h.shard
                ),
            ));
        }
        removals.sort_unstable();
        if let Some(w) = removals
            .windows(2)
            .find(|w| (w[0].doc, w[0].unit) == (w[1].doc, w[1].unit))
        {
            return Err(corrupt(
                &files[w[1].file as usize],
                format!(
                    "unit {} of document {} is also removed by {}",
                    w[1].unit,
                    w[1].doc,
                    files[w[0].file as usize].display()
                ),
            ));
        }
        removals.shrink_to_fit();
        Ok(ShardLineRemovals {
            config: *config,
            shard: h.shard,
            documents: h.documents,
            removals,
        })
    }

    /// [`ShardLineRemovals::load`] of `removals_path(dir, p, shard)` for every partition `p`.
    pub fn load_dir(
        dir: &Path,
        config: &LineDedupConfig,
        shard: u32,
        partitions: u32,
    ) -> Result<ShardLineRemovals, LineDedupError> {
        check_partitions(partitions)?;
        let files: Vec<PathBuf> = (0..partitions)
            .map(|p| removals_path(dir, p, shard))
            .collect();
        let r = ShardLineRemovals::load(&files, config)?;
        if r.shard != shard {
            return Err(mismatch(
                &files[0],
                format!("holds shard {}, expected {shard}", r.shard),
            ));
        }
        Ok(r)
    }

    /// The shard.
    pub fn shard(&self) -> u32 {
        self.shard
    }

    /// How many documents the shard had in pass 1.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// How many units are removed from the shard in all.
    pub fn len(&self) -> usize {
        self.removals.len()
    }

    /// Whether nothing is removed from the shard.
    pub fn is_empty(&self) -> bool {
        self.removals.is_empty()
    }

    /// How many units are removed from document `doc`.
    pub fn removed_in(&self, doc: u32) -> usize {
        self.of_doc(doc).len()
    }

    fn of_doc(&self, doc: u32) -> &[Removal] {
        let start = self.removals.partition_point(|r| r.doc < doc);
        let end = start + self.removals[start..].partition_point(|r| r.doc == doc);
        &self.removals[start..end]
    }

    /// Document `doc` of the shard (its index in pass 1), whose text is `text`, with its
    /// removed units taken out (see the [module docs](super) for what happens around them).
    /// An error when `doc` is beyond the documents pass 1 saw or a unit to remove does not
    /// exist or has another hash (the text changed since pass 1).
    pub fn apply<'a>(&self, doc: u32, text: &'a str) -> Result<Deduped<'a>, LineDedupError> {
        let stale = |reason: String| LineDedupError::Stale {
            shard: self.shard,
            doc,
            reason,
        };
        if doc >= self.documents {
            return Err(stale(format!(
                "document index beyond the {} documents of pass 1",
                self.documents
            )));
        }
        let mine = self.of_doc(doc);
        if mine.is_empty() {
            return Ok(Deduped {
                text: text.into(),
                removed: Vec::new(),
                emptied: false,
            });
        }
        let mut scanner = Scanner::new(&self.config);
        scanner.segment(text);
        let n = scanner.seg.units.len();
        let mut removed = Vec::with_capacity(mine.len());
        let mut indices = Vec::with_capacity(mine.len());
        for r in mine {
            let u = r.unit as usize;
            if u >= n {
                return Err(stale(format!(
                    "unit {} is to be removed but the text has {n} units",
                    r.unit
                )));
            }
            let hash = scanner.normalised(text, u).map(unit_hash);
            if hash != Some(r.hash) {
                return Err(stale(format!(
                    "unit {} is not the one pass 1 hashed",
                    r.unit
                )));
            }
            indices.push(r.unit);
            removed.push(RemovedUnit {
                index: r.unit,
                bytes: scanner.seg.units[u].clone(),
                first: Some(r.first),
            });
        }
        let seg: &Segments = &scanner.seg;
        let (text, emptied) = seg.without(text, &indices);
        Ok(Deduped {
            text,
            removed,
            emptied,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{dedup_in_memory, Unit};
    use super::*;

    /// A document's text, removed units and emptied flag.
    type Result3 = (String, Vec<RemovedUnit>, bool);

    /// Runs the three passes over `shards` and returns each document's result.
    fn run(
        config: &LineDedupConfig,
        shards: &[Vec<String>],
        partitions: u32,
    ) -> (Vec<Vec<Result3>>, Vec<MergeSummary>) {
        let dir = tempfile::tempdir().unwrap();
        let (h, r) = (dir.path().join("h"), dir.path().join("r"));
        for (s, docs) in shards.iter().enumerate() {
            let mut w = LineHashWriter::new(config, s as u32, partitions).unwrap();
            for d in docs {
                w.push(d).unwrap();
            }
            assert_eq!(w.finish(&h).unwrap().len(), partitions as usize);
        }
        let mut sums = Vec::new();
        for p in 0..partitions {
            // Any order of the inputs.
            let files: Vec<_> = (0..shards.len() as u32)
                .rev()
                .map(|s| hashes_path(&h, p, s))
                .collect();
            sums.push(find_line_duplicates(&files, config, &r).unwrap());
        }
        let mut out = Vec::new();
        for (s, docs) in shards.iter().enumerate() {
            let rm = ShardLineRemovals::load_dir(&r, config, s as u32, partitions).unwrap();
            assert_eq!(rm.documents() as usize, docs.len());
            out.push(
                docs.iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let x = rm.apply(i as u32, d).unwrap();
                        (x.text.into_owned(), x.removed, x.emptied)
                    })
                    .collect(),
            );
        }
        (out, sums)
    }

    /// A small deterministic corpus with many repeats across and within documents.
    fn corpus(seed: u64, shards: usize, docs: usize) -> Vec<Vec<String>> {
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let pool = [
            "Home",
            "home",
            "  Menu  ",
            "Share this",
            "Read more »",
            "",
            "   ",
            "}",
            "x",
            "Contact us\r",
            "Cookies help us deliver our services.",
        ];
        (0..shards)
            .map(|_| {
                (0..docs)
                    .map(|_| {
                        let lines = next() % 12;
                        let mut t = String::new();
                        for _ in 0..lines {
                            let r = next();
                            if r % 3 == 0 {
                                t.push_str(&format!("unique {} line", next() % 50));
                            } else {
                                t.push_str(pool[(r % pool.len() as u64) as usize]);
                            }
                            t.push('\n');
                        }
                        if next() % 4 == 0 {
                            t.push_str("no newline");
                        }
                        t
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn agrees_with_the_in_memory_reference() {
        // Each pass writes (and fsyncs) a file per shard and partition: few layouts, each
        // with one of the two normalisation variants.
        for (seed, n_shards, partitions) in [(1, 1, 1), (2, 3, 1), (3, 3, 3), (4, 2, 5)] {
            let shards = corpus(seed, n_shards, 25);
            for unit in [Unit::Line, Unit::Paragraph] {
                for keep in [Keep::First, Keep::None] {
                    {
                        let (min_chars, lowercase) = [(0, false), (5, true)][seed as usize % 2];
                        let config = LineDedupConfig {
                            unit,
                            keep,
                            min_chars,
                            lowercase,
                        };
                        // The reference numbers documents over the whole corpus (one shard).
                        let flat: Vec<&str> = shards.iter().flatten().map(String::as_str).collect();
                        let expected = dedup_in_memory(&config, &flat).unwrap();
                        let (got, sums) = run(&config, &shards, partitions);
                        let removed: u64 = sums.iter().map(|s| s.removed).sum();
                        assert_eq!(
                            removed as usize,
                            expected.iter().map(|d| d.removed.len()).sum::<usize>()
                        );
                        let mut k = 0;
                        for (s, docs) in got.iter().enumerate() {
                            for (d, (text, rem, emptied)) in docs.iter().enumerate() {
                                let e = &expected[k];
                                k += 1;
                                let ctx = format!("{config:?} p={partitions} s={s} d={d}");
                                assert_eq!(text, &e.text, "{ctx}");
                                assert_eq!(*emptied, e.emptied, "{ctx}");
                                let idx: Vec<u32> = rem.iter().map(|r| r.index).collect();
                                let eidx: Vec<u32> = e.removed.iter().map(|r| r.index).collect();
                                assert_eq!(idx, eidx, "{ctx}");
                                // Same first occurrence, with the reference's flat numbering.
                                for (a, b) in rem.iter().zip(&e.removed) {
                                    let fa = a.first.unwrap();
                                    let flat_doc = fa.shard as usize * 25 + fa.doc as usize;
                                    let fb = b.first.unwrap();
                                    assert_eq!((flat_doc as u32, fa.unit), (fb.doc, fb.unit));
                                    assert_eq!(a.bytes, b.bytes);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn summary_counts() {
        let config = LineDedupConfig {
            keep: Keep::None,
            ..LineDedupConfig::default()
        };
        let shards = vec![
            vec!["a\nb\na\n".to_string()],
            vec!["a\nc\n".to_string(), "b".to_string()],
        ];
        let (got, sums) = run(&config, &shards, 1);
        assert_eq!(
            sums[0],
            MergeSummary {
                units: 6,
                distinct: 3,
                repeated: 2,
                removed: 5
            }
        );
        assert_eq!(got[0][0].0, "");
        assert_eq!(got[1][0].0, "c\n");
        assert!(got[1][1].2);
    }

    #[test]
    fn stale_text_and_bad_indices_are_errors() {
        let config = LineDedupConfig::default();
        let shards = [vec!["dup\nx\n".to_string(), "dup\ny\n".to_string()]];
        let dir = tempfile::tempdir().unwrap();
        let (h, r) = (dir.path().join("h"), dir.path().join("r"));
        let mut w = LineHashWriter::new(&config, 0, 1).unwrap();
        for d in &shards[0] {
            w.push(d).unwrap();
        }
        let files = w.finish(&h).unwrap();
        find_line_duplicates(&files, &config, &r).unwrap();
        let rm = ShardLineRemovals::load_dir(&r, &config, 0, 1).unwrap();
        assert_eq!((rm.len(), rm.removed_in(1), rm.removed_in(0)), (1, 1, 0));
        assert_eq!(rm.apply(1, "dup\ny\n").unwrap().text, "y\n");
        assert_eq!(rm.apply(0, "anything").unwrap().text, "anything");
        for (doc, text) in [(1, "changed\ny\n"), (1, ""), (2, "dup\n")] {
            let err = rm.apply(doc, text).unwrap_err();
            assert!(matches!(err, LineDedupError::Stale { .. }), "{err}");
        }
        // Another configuration cannot read the files.
        let other = LineDedupConfig {
            lowercase: true,
            ..config
        };
        let err = ShardLineRemovals::load_dir(&r, &other, 0, 1).unwrap_err();
        assert!(matches!(err, LineDedupError::Mismatch { .. }), "{err}");
        // Pass 2 ignores `keep` of the hash files, but removals carry it.
        let none = LineDedupConfig {
            keep: Keep::None,
            ..config
        };
        assert!(ShardLineRemovals::load_dir(&r, &none, 0, 1).is_err());
        find_line_duplicates(&files, &none, &dir.path().join("r2")).unwrap();
        // Wrong partition count, shard twice.
        assert!(ShardLineRemovals::load_dir(&r, &config, 0, 2).is_err());
        let twice = [files[0].clone(), files[0].clone()];
        let err = find_line_duplicates(&twice, &config, &r).unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
        assert!(LineHashWriter::new(&config, 0, 0).is_err());
    }

    #[test]
    fn damaged_files_are_errors_naming_them() {
        let config = LineDedupConfig::default();
        let dir = tempfile::tempdir().unwrap();
        let (h, r) = (dir.path().join("h"), dir.path().join("r"));
        let mut w = LineHashWriter::new(&config, 0, 1).unwrap();
        for i in 0..50 {
            w.push(&format!("line {}\ncommon\n", i % 7)).unwrap();
        }
        let files = w.finish(&h).unwrap();
        let good = std::fs::read(&files[0]).unwrap();
        let name = files[0].display().to_string();
        for cut in [0, 20, 48, 100, good.len() - 1] {
            std::fs::write(&files[0], &good[..cut]).unwrap();
            let err = find_line_duplicates(&files, &config, &r)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&name) && err.contains("truncated"),
                "{cut}: {err}"
            );
        }
        let mut bad = good.clone();
        bad[60] ^= 1;
        std::fs::write(&files[0], &bad).unwrap();
        let err = find_line_duplicates(&files, &config, &r)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&name), "{err}");
        // Nothing half-written is left behind by a failed pass.
        assert!(!r.exists() || std::fs::read_dir(r.join("part_000")).unwrap().count() == 0);
        std::fs::write(&files[0], &good).unwrap();
        find_line_duplicates(&files, &config, &r).unwrap();
        let rp = removals_path(&r, 0, 0);
        let good = std::fs::read(&rp).unwrap();
        std::fs::write(&rp, &good[..good.len() - 30]).unwrap();
        let err = ShardLineRemovals::load_dir(&r, &config, 0, 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&rp.display().to_string()), "{err}");
        // A hashes file is not a removals file.
        let err = ShardLineRemovals::load(&files, &config)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected a line-removals file"), "{err}");
    }
}
