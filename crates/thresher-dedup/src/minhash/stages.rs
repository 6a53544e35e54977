//! The four MinHash dedup stages as library functions, deciding exactly what datatrove's
//! `MinhashDedupSignature` / `MinhashDedupBuckets` / `MinhashDedupCluster` /
//! `MinhashDedupFilter` decide (without datatrove's optional index of other datasets).
//!
//! 1. [`SignatureWriter`]: per shard, each document's signature (skipped when it has none,
//!    its index still counting), one sorted file per bucket.
//! 2. [`find_duplicate_pairs`]: per bucket, merges the shards' sorted files in
//!    (hashes, shard, index) order and records each record equal (in hashes) to the one before
//!    it as a pair (previous, this one).
//! 3. [`build_clusters`]: union-find over all pairs, read bucket by bucket in file order. The
//!    root of a merged set is the root of the larger set, or of the first document's set when
//!    they are the same size; the root is the one document of its cluster that is kept.
//!    Cluster ids are numbered by first appearance when the clustered documents are visited in
//!    (shard, index) order.
//! 4. [`ShardDecisions`]: per shard, what happens to each document.
//!
//! ```
//! use thresher_dedup::minhash::files::{decisions_path, pairs_path, signature_path};
//! use thresher_dedup::minhash::stages::*;
//! use thresher_dedup::minhash::MinHasher;
//!
//! # fn main() -> Result<(), thresher_dedup::minhash::MinhashError> {
//! let dir = tempfile::tempdir().expect("temp dir");
//! let (sigs, pairs, decisions) = (dir.path().join("s"), dir.path().join("p"), dir.path().join("d"));
//! let hasher = MinHasher::fineweb();
//! let config = *hasher.config();
//! let text = "the quick brown fox jumps over the lazy dog near the river bank";
//! let shard0 = [text, "too short", text];
//!
//! // Stage 1, per shard: document indices count every document.
//! let mut w = SignatureWriter::create(&sigs, 0, &config)?;
//! for (i, doc) in shard0.iter().enumerate() {
//!     if let Some(sig) = hasher.signature(doc) {
//!         w.add(i as u32, &sig)?;
//!     }
//! }
//! w.finish()?;
//! // Stage 2, per bucket, over every shard's file of that bucket.
//! let mut pair_files = Vec::new();
//! for b in 0..config.num_buckets {
//!     let out = pairs_path(&pairs, b);
//!     find_duplicate_pairs(&[signature_path(&sigs, b, 0)], b, &config, &out)?;
//!     pair_files.push(out);
//! }
//! // Stage 3, once, over all buckets' pairs; stage 4 per shard.
//! let summary = build_clusters(&pair_files, &[0], &config, &decisions)?;
//! assert_eq!((summary.clusters, summary.removed), (1, 1));
//! let d = ShardDecisions::load(&decisions_path(&decisions, 0), &config)?;
//! assert!(!d.get(0).removed && d.get(2).removed && d.get(1).cluster.is_none());
//! # Ok(())
//! # }
//! ```
//!
//! Memory: stage 1 holds one bucket of one shard at a time (about 140 bytes per document with
//! FineWeb's settings), stage 2 one record per shard, stage 3 about 24 bytes per document
//! that appears in a pair, stage 4 one entry per clustered document of the shard.

use super::files::{
    self, read_decisions, signature_path, ClusterEntry, DuplicatePair, FileKind, FramedWriter,
    Header, PairsReader, PairsWriter, SignatureReader,
};
use super::{MinhashConfig, MinhashError, Signature};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> MinhashError + '_ {
    move |source| MinhashError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Stage 1: collects one shard's signatures and writes them as one sorted file per bucket
/// ([`signature_path`]`(dir, bucket, shard)`).
///
/// Records are spilled unsorted to temporary files in `dir` as they come; [`finish`] sorts one
/// bucket at a time. Dropped without `finish`, it leaves no file behind.
///
/// [`finish`]: SignatureWriter::finish
pub struct SignatureWriter {
    dir: PathBuf,
    shard: u32,
    config: MinhashConfig,
    spills: Vec<BufWriter<tempfile::NamedTempFile>>,
    count: u64,
    record: Vec<u8>,
}

impl SignatureWriter {
    /// Starts the signatures of `shard`, to be written under `dir`.
    pub fn create(
        dir: &Path,
        shard: u32,
        config: &MinhashConfig,
    ) -> Result<SignatureWriter, MinhashError> {
        config.validate()?;
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let spills = (0..config.num_buckets)
            .map(|_| {
                tempfile::Builder::new()
                    .prefix(".tmp-minhash-spill-")
                    .tempfile_in(dir)
                    .map(|f| BufWriter::with_capacity(1 << 16, f))
                    .map_err(io_err(dir))
            })
            .collect::<Result<_, _>>()?;
        Ok(SignatureWriter {
            dir: dir.to_path_buf(),
            shard,
            config: *config,
            spills,
            count: 0,
            record: Vec::with_capacity(config.hashes_per_bucket * 8 + 4),
        })
    }

    /// Adds the signature of the document at index `doc` of the shard (the index counts every
    /// document of the shard, including those without a signature, as datatrove's does).
    pub fn add(&mut self, doc: u32, sig: &Signature) -> Result<(), MinhashError> {
        if sig.hashes().len() != self.config.num_hashes()
            || sig.hashes_per_bucket != self.config.hashes_per_bucket
        {
            return Err(MinhashError::InvalidConfig(format!(
                "signature of {} hashes does not fit {:?}",
                sig.hashes().len(),
                self.config
            )));
        }
        for (bucket, spill) in sig.buckets().zip(self.spills.iter_mut()) {
            self.record.clear();
            for h in bucket {
                self.record.extend_from_slice(&h.to_le_bytes());
            }
            self.record.extend_from_slice(&doc.to_le_bytes());
            spill.write_all(&self.record).map_err(io_err(&self.dir))?;
        }
        self.count += 1;
        Ok(())
    }

    /// Number of signatures added so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether no signature was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Sorts and writes every bucket's file; returns their paths, in bucket order.
    pub fn finish(self) -> Result<Vec<PathBuf>, MinhashError> {
        let hpb = self.config.hashes_per_bucket;
        let rs = hpb * 8 + 4;
        let mut paths = Vec::with_capacity(self.spills.len());
        for (bucket, spill) in self.spills.into_iter().enumerate() {
            let mut spill = spill.into_inner().map_err(|e| MinhashError::Io {
                path: self.dir.clone(),
                source: e.into_error(),
            })?;
            let mut raw = Vec::new();
            spill
                .seek(SeekFrom::Start(0))
                .and_then(|_| spill.read_to_end(&mut raw))
                .map_err(io_err(spill.path()))?;
            drop(spill);
            let n = raw.len() / rs;
            let mut hashes = Vec::with_capacity(n * hpb);
            let mut docs = Vec::with_capacity(n);
            for rec in raw.chunks_exact(rs) {
                for h in rec[..hpb * 8].chunks_exact(8) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(h);
                    hashes.push(u64::from_le_bytes(b));
                }
                let mut b = [0u8; 4];
                b.copy_from_slice(&rec[hpb * 8..]);
                docs.push(u32::from_le_bytes(b));
            }
            drop(raw);
            let key = |i: usize| (&hashes[i * hpb..(i + 1) * hpb], docs[i]);
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_unstable_by(|&i, &j| key(i).cmp(&key(j)));
            let path = signature_path(&self.dir, bucket, self.shard);
            let header = Header {
                kind: FileKind::Signatures,
                config: self.config,
                shard: self.shard,
                bucket: bucket as u32,
                record_size: rs as u32,
            };
            let mut w = FramedWriter::create(&path, header)?;
            let mut rec = Vec::with_capacity(rs);
            for i in order {
                rec.clear();
                for h in &hashes[i * hpb..(i + 1) * hpb] {
                    rec.extend_from_slice(&h.to_le_bytes());
                }
                rec.extend_from_slice(&docs[i].to_le_bytes());
                w.write_record(&rec)?;
            }
            w.finish()?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// Stage 2 for one bucket: merges the signature files of `bucket` (one per shard, any order)
/// and writes the duplicate pairs to `out` (see [`files::pairs_path`]). Returns the number
/// of pairs.
pub fn find_duplicate_pairs(
    sig_files: &[PathBuf],
    bucket: usize,
    config: &MinhashConfig,
    out: &Path,
) -> Result<u64, MinhashError> {
    config.validate()?;
    let mut readers = Vec::with_capacity(sig_files.len());
    let mut shards = BTreeSet::new();
    for path in sig_files {
        let r = SignatureReader::open(path, config)?;
        if r.bucket() != bucket {
            return Err(MinhashError::Mismatch {
                path: path.clone(),
                reason: format!("holds bucket {}, expected {bucket}", r.bucket()),
            });
        }
        if !shards.insert(r.shard()) {
            return Err(MinhashError::Mismatch {
                path: path.clone(),
                reason: format!("shard {} is given twice", r.shard()),
            });
        }
        readers.push(r);
    }
    let mut heap = Vec::with_capacity(readers.len());
    for (i, r) in readers.iter_mut().enumerate() {
        if r.advance()? {
            heap.push(i);
        }
    }
    let less = |r: &[SignatureReader], i: usize, j: usize| {
        (r[i].hashes(), r[i].shard(), r[i].doc()) < (r[j].hashes(), r[j].shard(), r[j].doc())
    };
    for i in (0..heap.len() / 2).rev() {
        sift_down(&mut heap, i, |a, b| less(&readers, a, b));
    }
    let mut w = PairsWriter::create(out, config, bucket)?;
    let mut last_hashes = vec![0u64; config.hashes_per_bucket];
    let mut last: Option<(u32, u32)> = None;
    while let Some(&top) = heap.first() {
        let r = &readers[top];
        let here = (r.shard(), r.doc());
        if let Some(prev) = last {
            if last_hashes == r.hashes() {
                w.write(&DuplicatePair { a: prev, b: here })?;
            }
        }
        last_hashes.copy_from_slice(r.hashes());
        last = Some(here);
        if !readers[top].advance()? {
            let Some(end) = heap.pop() else { break };
            if heap.is_empty() {
                break;
            }
            heap[0] = end;
        }
        sift_down(&mut heap, 0, |a, b| less(&readers, a, b));
    }
    w.finish()
}

/// Restores the min-heap property below `i`.
fn sift_down(heap: &mut [usize], mut i: usize, less: impl Fn(usize, usize) -> bool) {
    loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = i;
        if l < heap.len() && less(heap[l], heap[m]) {
            m = l;
        }
        if r < heap.len() && less(heap[r], heap[m]) {
            m = r;
        }
        if m == i {
            return;
        }
        heap.swap(i, m);
        i = m;
    }
}

/// What [`build_clusters`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClusterSummary {
    /// Duplicate pairs read.
    pub pairs: u64,
    /// Documents in some cluster.
    pub documents: u64,
    /// Clusters (each keeps one document).
    pub clusters: u64,
    /// Documents to remove (`documents − clusters`).
    pub removed: u64,
}

/// Union-find over documents, with datatrove's choice of root.
#[derive(Default)]
struct UnionFind {
    index: HashMap<(u32, u32), u32>,
    nodes: Vec<(u32, u32)>,
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn node(&mut self, doc: (u32, u32)) -> Option<u32> {
        let next = u32::try_from(self.nodes.len()).ok()?;
        let i = *self.index.entry(doc).or_insert(next);
        if i == next {
            self.nodes.push(doc);
            self.parent.push(i);
            self.size.push(1);
        }
        Some(i)
    }

    fn find(&mut self, mut x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        // Path compression (does not change any root).
        while self.parent[x as usize] != root {
            let next = self.parent[x as usize];
            self.parent[x as usize] = root;
            x = next;
        }
        root
    }

    /// datatrove's `union(a, b)`: the larger set's root stays root; on a tie, `a`'s does.
    /// `false` when there are more documents than it can number (2^32).
    fn union(&mut self, a: (u32, u32), b: (u32, u32)) -> bool {
        let (Some(a), Some(b)) = (self.node(a), self.node(b)) else {
            return false;
        };
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] = self.size[ra as usize].saturating_add(self.size[rb as usize]);
        true
    }
}

/// Stage 3: clusters the duplicate pairs of all buckets (exactly one file per bucket, as
/// [`find_duplicate_pairs`] wrote them) and writes one decisions file per shard of `shards`
/// (every shard that stage 1 ran on; see [`files::decisions_path`]) under `out_dir`, empty
/// for shards without duplicates.
pub fn build_clusters(
    pair_files: &[PathBuf],
    shards: &[u32],
    config: &MinhashConfig,
    out_dir: &Path,
) -> Result<ClusterSummary, MinhashError> {
    config.validate()?;
    let mut readers = pair_files
        .iter()
        .map(|p| PairsReader::open(p, config))
        .collect::<Result<Vec<_>, _>>()?;
    readers.sort_by_key(|r| r.bucket());
    for (i, r) in readers.iter().enumerate() {
        if r.bucket() != i {
            return Err(MinhashError::Mismatch {
                path: r.path().to_path_buf(),
                reason: format!(
                    "expected one pair file per bucket 0..{}; bucket {} is {}",
                    config.num_buckets,
                    i,
                    if r.bucket() < i {
                        "given twice"
                    } else {
                        "missing"
                    }
                ),
            });
        }
    }
    if readers.len() != config.num_buckets {
        let path = readers
            .last()
            .map(|r| r.path().to_path_buf())
            .unwrap_or_default();
        return Err(MinhashError::Mismatch {
            path,
            reason: format!(
                "{} pair files given, expected one per bucket ({})",
                readers.len(),
                config.num_buckets
            ),
        });
    }
    let known: BTreeSet<u32> = shards.iter().copied().collect();
    let mut uf = UnionFind::default();
    let mut summary = ClusterSummary::default();
    for r in &mut readers {
        while let Some(p) = r.next_pair()? {
            for s in [p.a.0, p.b.0] {
                if !known.contains(&s) {
                    return Err(MinhashError::Mismatch {
                        path: r.path().to_path_buf(),
                        reason: format!(
                            "pair refers to shard {s}, which is not in the list of shards"
                        ),
                    });
                }
            }
            if !uf.union(p.a, p.b) {
                return Err(MinhashError::InvalidConfig(
                    "more than 2^32 documents in duplicate pairs".into(),
                ));
            }
            summary.pairs += 1;
        }
    }
    let mut order: Vec<u32> = (0..uf.nodes.len() as u32).collect();
    order.sort_unstable_by_key(|&i| uf.nodes[i as usize]);
    let mut cluster_of_root: HashMap<u32, u32> = HashMap::new();
    let mut per_shard: HashMap<u32, Vec<ClusterEntry>> = HashMap::new();
    for i in order {
        let root = uf.find(i);
        let next = cluster_of_root.len() as u32;
        let cluster = *cluster_of_root.entry(root).or_insert(next);
        let (shard, doc) = uf.nodes[i as usize];
        let removed = root != i;
        per_shard.entry(shard).or_default().push(ClusterEntry {
            doc,
            cluster,
            cluster_size: uf.size[root as usize],
            removed,
        });
        summary.documents += 1;
        summary.removed += u64::from(removed);
    }
    summary.clusters = cluster_of_root.len() as u64;
    for &shard in &known {
        let entries = per_shard.remove(&shard).unwrap_or_default();
        files::write_decisions(
            &files::decisions_path(out_dir, shard),
            config,
            shard,
            &entries,
        )?;
    }
    Ok(summary)
}

/// What happens to one document in stage 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The document is a near-duplicate of a kept one and is dropped.
    pub removed: bool,
    /// Its cluster (datatrove's `minhash_cluster_id`), if it is in one.
    pub cluster: Option<u32>,
    /// The size of its cluster (datatrove's `minhash_cluster_size`); 1 when in none.
    pub cluster_size: u32,
}

/// Stage 4: one shard's decisions, read from its decisions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardDecisions {
    shard: u32,
    entries: Vec<ClusterEntry>,
}

impl ShardDecisions {
    /// Reads the decisions file at `path`, made with `config`.
    pub fn load(path: &Path, config: &MinhashConfig) -> Result<ShardDecisions, MinhashError> {
        let (shard, entries) = read_decisions(path, config)?;
        Ok(ShardDecisions { shard, entries })
    }

    /// The shard these decisions are for.
    pub fn shard(&self) -> u32 {
        self.shard
    }

    /// What happens to the document at index `doc` of the shard.
    pub fn get(&self, doc: u32) -> Decision {
        match self.entries.binary_search_by_key(&doc, |e| e.doc) {
            Ok(i) => {
                let e = &self.entries[i];
                Decision {
                    removed: e.removed,
                    cluster: Some(e.cluster),
                    cluster_size: e.cluster_size,
                }
            }
            Err(_) => Decision {
                removed: false,
                cluster: None,
                cluster_size: 1,
            },
        }
    }

    /// The documents of the shard that are in a cluster, in index order.
    pub fn entries(&self) -> &[ClusterEntry] {
        &self.entries
    }

    /// How many documents of the shard are removed.
    pub fn removed(&self) -> usize {
        self.entries.iter().filter(|e| e.removed).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::files::{decisions_path, pairs_path};

    fn cfg() -> MinhashConfig {
        MinhashConfig {
            n_grams: 5,
            num_buckets: 2,
            hashes_per_bucket: 2,
            seed: 1,
        }
    }

    fn sig(h: [u64; 4]) -> Signature {
        Signature {
            n_shingles: 1,
            hashes: h.to_vec(),
            hashes_per_bucket: 2,
        }
    }

    /// Runs stages 1–3 over shards of (doc, signature) and returns every shard's decisions.
    fn run(dir: &Path, shards: &[Vec<(u32, [u64; 4])>]) -> (ClusterSummary, Vec<ShardDecisions>) {
        let c = cfg();
        let sigs = dir.join("sigs");
        for (s, docs) in shards.iter().enumerate() {
            let mut w = SignatureWriter::create(&sigs, s as u32, &c).unwrap();
            for (d, h) in docs {
                w.add(*d, &sig(*h)).unwrap();
            }
            assert_eq!(w.finish().unwrap().len(), 2);
        }
        let ids: Vec<u32> = (0..shards.len() as u32).collect();
        let mut pair_files = Vec::new();
        for b in 0..c.num_buckets {
            let files: Vec<PathBuf> = ids.iter().map(|&s| signature_path(&sigs, b, s)).collect();
            let out = pairs_path(&dir.join("pairs"), b);
            find_duplicate_pairs(&files, b, &c, &out).unwrap();
            pair_files.push(out);
        }
        let rm = dir.join("rm");
        let summary = build_clusters(&pair_files, &ids, &c, &rm).unwrap();
        let decisions = ids
            .iter()
            .map(|&s| ShardDecisions::load(&decisions_path(&rm, s), &c).unwrap())
            .collect();
        (summary, decisions)
    }

    #[test]
    fn clusters_across_buckets_and_shards() {
        let dir = tempfile::tempdir().unwrap();
        // Shard 0: docs 0 and 2 share bucket 0; doc 5 shares bucket 1 with shard 1's doc 1.
        let shards = vec![
            vec![
                (0, [1, 2, 10, 11]),
                (2, [1, 2, 20, 21]),
                (5, [7, 7, 30, 31]),
            ],
            vec![(1, [9, 9, 30, 31]), (3, [4, 4, 40, 41])],
        ];
        let (summary, d) = run(dir.path(), &shards);
        assert_eq!(
            summary,
            ClusterSummary {
                pairs: 2,
                documents: 4,
                clusters: 2,
                removed: 2
            }
        );
        // Pair (0,0)-(0,2): equal sizes, the first document's root wins.
        assert_eq!(
            d[0].get(0),
            Decision {
                removed: false,
                cluster: Some(0),
                cluster_size: 2
            }
        );
        assert_eq!(
            d[0].get(2),
            Decision {
                removed: true,
                cluster: Some(0),
                cluster_size: 2
            }
        );
        assert_eq!(
            d[0].get(5),
            Decision {
                removed: false,
                cluster: Some(1),
                cluster_size: 2
            }
        );
        assert_eq!(
            d[1].get(1),
            Decision {
                removed: true,
                cluster: Some(1),
                cluster_size: 2
            }
        );
        assert_eq!(
            d[1].get(3),
            Decision {
                removed: false,
                cluster: None,
                cluster_size: 1
            }
        );
        assert_eq!(d[0].get(99).cluster, None);
        assert_eq!(d[0].removed() + d[1].removed(), 2);
    }

    #[test]
    fn union_by_size_keeps_the_bigger_clusters_root() {
        let mut uf = UnionFind::default();
        uf.union((0, 5), (0, 6));
        uf.union((0, 7), (0, 6)); // 7 is alone, 6's set is bigger: 5 stays root
        let r = uf.find(uf.index[&(0, 7)]);
        assert_eq!(uf.nodes[r as usize], (0, 5));
        assert_eq!(uf.size[r as usize], 3);
        uf.union((0, 1), (0, 2));
        uf.union((0, 2), (0, 3));
        uf.union((0, 3), (0, 6)); // sizes 3 and 3: the first's root (1) wins
        let r = uf.find(uf.index[&(0, 7)]);
        assert_eq!(uf.nodes[r as usize], (0, 1));
        assert_eq!(uf.size[r as usize], 6);
    }

    #[test]
    fn missing_bucket_or_unknown_shard_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg();
        let p0 = pairs_path(dir.path(), 0);
        find_duplicate_pairs(&[], 0, &c, &p0).unwrap();
        let err = build_clusters(std::slice::from_ref(&p0), &[0], &c, dir.path()).unwrap_err();
        assert!(err.to_string().contains("one per bucket"), "{err}");
        let err = build_clusters(&[p0.clone(), p0.clone()], &[0], &c, dir.path()).unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
        let sigs = dir.path().join("sigs");
        let mut w = SignatureWriter::create(&sigs, 0, &c).unwrap();
        w.add(0, &sig([1, 1, 1, 1])).unwrap();
        w.finish().unwrap();
        let f = signature_path(&sigs, 1, 0);
        let err = find_duplicate_pairs(std::slice::from_ref(&f), 0, &c, &p0).unwrap_err();
        assert!(err.to_string().contains("expected 0"), "{err}");
        let err = find_duplicate_pairs(&[f.clone(), f], 1, &c, &p0).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }

    #[test]
    fn wrong_signature_size_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SignatureWriter::create(dir.path(), 0, &MinhashConfig::default()).unwrap();
        assert!(w.add(0, &sig([1, 2, 3, 4])).is_err());
        drop(w);
        // The spill files are gone with the writer.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
