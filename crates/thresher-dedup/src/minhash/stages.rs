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
//!    they are the same size; with [`KeepRule::Datatrove`] the root is the one document of its
//!    cluster that is kept ([`KeepRule`] has the other choices).
//!    Cluster ids are numbered by first appearance when the clustered documents are visited in
//!    (shard, index) order.
//! 4. [`ShardDecisions`]: per shard, what happens to each document.
//!
//! ```
//! use thresher_dedup::minhash::files::*;
//! use thresher_dedup::minhash::stages::*;
//! use thresher_dedup::minhash::MinHasher;
//!
//! # fn main() -> Result<(), thresher_dedup::minhash::MinhashError> {
//! let dir = tempfile::tempdir().expect("temp dir");
//! let (sigs, pairs, decisions) = (dir.path().join("s"), dir.path().join("p"), dir.path().join("d"));
//! let hasher = MinHasher::fineweb();
//! let config = *hasher.config();
//! let text = "the quick brown fox jumps over the lazy dog near the river bank";
//! let shard0 = [("a", text), ("b", "too short"), ("c", text)];
//!
//! // Stage 1, per shard: every document's id; signatures (indices count every document).
//! let mut ids = IdsWriter::create(&ids_path(&sigs, 0), &config, 0)?;
//! let mut w = SignatureWriter::create(&sigs, 0, &config)?;
//! for (id, doc) in shard0 {
//!     let i = ids.add(id, &DocKey::None)?;
//!     if let Some(sig) = hasher.signature(doc) {
//!         w.add(i, &sig)?;
//!     }
//! }
//! ids.finish()?;
//! w.finish()?;
//! // Stage 2, per bucket, over every shard's file of that bucket.
//! let mut pair_files = Vec::new();
//! for b in 0..config.num_buckets {
//!     let out = pairs_path(&pairs, b);
//!     find_duplicate_pairs(&[signature_path(&sigs, b, 0)], b, &config, &out)?;
//!     pair_files.push(out);
//! }
//! // Stage 3, once, over all buckets' pairs and all shards' ids; stage 4 per shard.
//! let summary = build_clusters(&pair_files, &[ids_path(&sigs, 0)], &config, KeepRule::Datatrove, &decisions)?;
//! assert_eq!((summary.clusters, summary.removed), (1, 1));
//! let d = ShardDecisions::load(&decisions_path(&decisions, 0), &kept_path(&decisions), &config)?;
//! assert!(!d.get(0).removed && d.get(2).removed && d.get(1).cluster.is_none());
//! assert_eq!(d.kept(0).map(|k| k.id.as_str()), Some("a"));
//! # Ok(())
//! # }
//! ```
//!
//! Memory: stage 1 holds one bucket of one shard at a time (about 140 bytes per document with
//! FineWeb's settings), stage 2 one record per shard, stage 3 about 24 bytes per document
//! that appears in a pair, stage 4 one entry per clustered document of the shard.

use super::files::{
    self, read_decisions, signature_path, ClusterEntry, DocKey, DuplicatePair, FileKind, Header,
    IdsReader, KeptDoc, PairsReader, PairsWriter, SignatureReader,
};
use super::{MinhashConfig, MinhashError, Signature};
use crate::framed::FramedWriter;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
            let mut w = FramedWriter::create(&path, &header, files::WRITE_BUFFER)?;
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

/// Which member of a near-duplicate cluster is kept (all others are removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepRule {
    /// datatrove's choice, so that the removed set is datatrove's: the root of the cluster's
    /// union-find set, where a union keeps the root of the larger set, or of the pair's
    /// earlier document's set when both are the same size. Pairs are read bucket by bucket,
    /// each in (hashes, shard, index) order.
    #[default]
    Datatrove,
    /// The first member in input order (lowest shard, then lowest index).
    First,
    /// The member with the largest (`largest: true`) or smallest keep key written with its id
    /// in stage 1 (a metadata field's value); members without a key lose to members with one;
    /// numbers rank before text when both occur; ties go to the first in input order.
    Field {
        /// Keep the largest value (e.g. a quality score or a date) rather than the smallest.
        largest: bool,
    },
}

/// Ranks two keep keys: `Greater` when `a` is the better one to keep.
fn rank_keys(a: &DocKey, b: &DocKey, largest: bool) -> Ordering {
    let class = |k: &DocKey| match k {
        DocKey::Number(v) if !v.is_nan() => 2,
        DocKey::Text(_) => 1,
        _ => 0,
    };
    match (a, b) {
        (DocKey::Number(x), DocKey::Number(y)) if !x.is_nan() && !y.is_nan() => {
            let o = x.total_cmp(y);
            if largest {
                o
            } else {
                o.reverse()
            }
        }
        (DocKey::Text(x), DocKey::Text(y)) => {
            let o = x.as_bytes().cmp(y.as_bytes());
            if largest {
                o
            } else {
                o.reverse()
            }
        }
        _ => class(a).cmp(&class(b)),
    }
}

/// Stage 3: clusters the duplicate pairs of all buckets (exactly one file per bucket, as
/// [`find_duplicate_pairs`] wrote them), picks the document each cluster keeps by `keep`, and
/// writes under `out_dir` one decisions file per shard ([`files::decisions_path`], empty for
/// shards without duplicates) and the kept-documents file ([`files::kept_path`]: each
/// cluster's kept document with its id, which is what removed documents name as
/// `duplicate_of`).
///
/// `id_files` are the document-id files of every shard stage 1 ran on, one per shard.
pub fn build_clusters(
    pair_files: &[PathBuf],
    id_files: &[PathBuf],
    config: &MinhashConfig,
    keep: KeepRule,
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
    // Every shard's id file, by shard: how many documents it has.
    let mut ids: BTreeMap<u32, IdsReader> = BTreeMap::new();
    for p in id_files {
        let r = IdsReader::open(p, config)?;
        if let Some(other) = ids.get(&r.shard()) {
            return Err(MinhashError::Mismatch {
                path: p.clone(),
                reason: format!("shard {} is also {}", r.shard(), other.path().display()),
            });
        }
        ids.insert(r.shard(), r);
    }
    let mut uf = UnionFind::default();
    let mut summary = ClusterSummary::default();
    for r in &mut readers {
        while let Some(p) = r.next_pair()? {
            for (s, d) in [p.a, p.b] {
                let reason = match ids.get(&s) {
                    None => format!("pair refers to shard {s}, which has no document-id file"),
                    Some(i) if u64::from(d) >= i.len() => format!(
                        "pair refers to document {d} of shard {s}, which has {} documents ({})",
                        i.len(),
                        i.path().display()
                    ),
                    Some(_) => continue,
                };
                return Err(MinhashError::Mismatch {
                    path: r.path().to_path_buf(),
                    reason,
                });
            }
            if !uf.union(p.a, p.b) {
                return Err(MinhashError::InvalidConfig(
                    "more than 2^32 documents in duplicate pairs".into(),
                ));
            }
            summary.pairs += 1;
        }
    }
    let n = uf.nodes.len();
    let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    // Nodes in input order: (shard, index).
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&i| uf.nodes[i as usize]);
    // The kept node of each root; for Field the keys are needed first.
    let mut kept_of_root: HashMap<u32, u32> = HashMap::new();
    match keep {
        KeepRule::Datatrove => {
            for &r in &roots {
                kept_of_root.insert(r, r);
            }
        }
        KeepRule::First => {
            for &i in &order {
                kept_of_root.entry(roots[i as usize]).or_insert(i);
            }
        }
        KeepRule::Field { .. } => {}
    }
    let need_all = matches!(keep, KeepRule::Field { .. });
    let kept_nodes: HashSet<u32> = kept_of_root.values().copied().collect();
    let mut node_id: HashMap<u32, String> = HashMap::new();
    let mut node_key: HashMap<u32, DocKey> = HashMap::new();
    for (&shard, r) in &mut ids {
        while let Some((doc, id, key)) = r.next_doc()? {
            let Some(&node) = uf.index.get(&(shard, doc)) else {
                continue;
            };
            if need_all || kept_nodes.contains(&node) {
                node_id.insert(node, id);
            }
            if need_all {
                node_key.insert(node, key);
            }
        }
    }
    if let KeepRule::Field { largest } = keep {
        let none = DocKey::None;
        for &i in &order {
            let root = roots[i as usize];
            match kept_of_root.get(&root) {
                Some(&best) => {
                    let (a, b) = (
                        node_key.get(&i).unwrap_or(&none),
                        node_key.get(&best).unwrap_or(&none),
                    );
                    if rank_keys(a, b, largest) == Ordering::Greater {
                        kept_of_root.insert(root, i);
                    }
                }
                None => {
                    kept_of_root.insert(root, i);
                }
            }
        }
    }
    let mut cluster_of_root: HashMap<u32, u32> = HashMap::new();
    let mut per_shard: HashMap<u32, Vec<ClusterEntry>> = HashMap::new();
    let mut kept_docs: Vec<KeptDoc> = Vec::new();
    for &i in &order {
        let root = roots[i as usize];
        let next = cluster_of_root.len() as u32;
        let cluster = *cluster_of_root.entry(root).or_insert(next);
        let kept = kept_of_root[&root];
        if cluster == next {
            let (shard, doc) = uf.nodes[kept as usize];
            kept_docs.push(KeptDoc {
                cluster,
                shard,
                doc,
                id: node_id.remove(&kept).unwrap_or_default(),
            });
        }
        let (shard, doc) = uf.nodes[i as usize];
        let removed = kept != i;
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
    for &shard in ids.keys() {
        let entries = per_shard.remove(&shard).unwrap_or_default();
        files::write_decisions(
            &files::decisions_path(out_dir, shard),
            config,
            shard,
            &entries,
        )?;
    }
    files::write_kept(&files::kept_path(out_dir), config, &kept_docs)?;
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

/// Stage 4: one shard's decisions, read from its decisions file, and the kept document of
/// each of its clusters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardDecisions {
    shard: u32,
    entries: Vec<ClusterEntry>,
    kept: Vec<KeptDoc>,
}

impl ShardDecisions {
    /// Reads the decisions file at `decisions` and, from the kept-documents file at `kept`,
    /// the kept documents of the shard's clusters; both made with `config`.
    pub fn load(
        decisions: &Path,
        kept: &Path,
        config: &MinhashConfig,
    ) -> Result<ShardDecisions, MinhashError> {
        let (shard, entries) = read_decisions(decisions, config)?;
        let mine: HashSet<u32> = entries.iter().map(|e| e.cluster).collect();
        let kept_docs = files::read_kept(kept, config, |c| mine.contains(&c))?;
        if kept_docs.len() != mine.len() {
            return Err(MinhashError::Mismatch {
                path: kept.to_path_buf(),
                reason: format!(
                    "has {} of the {} clusters of {}; the files come from different runs",
                    kept_docs.len(),
                    mine.len(),
                    decisions.display()
                ),
            });
        }
        Ok(ShardDecisions {
            shard,
            entries,
            kept: kept_docs,
        })
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

    /// The document kept for `cluster` (one of this shard's clusters).
    pub fn kept(&self, cluster: u32) -> Option<&KeptDoc> {
        self.kept
            .binary_search_by_key(&cluster, |k| k.cluster)
            .ok()
            .map(|i| &self.kept[i])
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

    /// Writes an id file for `shard` with `n` documents `s{shard}d{i}` keyed by `key(i)`.
    fn write_ids(dir: &Path, shard: u32, n: u32, key: impl Fn(u32) -> DocKey) -> PathBuf {
        let p = files::ids_path(dir, shard);
        let mut w = files::IdsWriter::create(&p, &cfg(), shard).unwrap();
        for i in 0..n {
            w.add(&format!("s{shard}d{i}"), &key(i)).unwrap();
        }
        w.finish().unwrap();
        p
    }

    /// Runs stages 1–3 over shards of (doc, signature) and returns every shard's decisions.
    fn run(dir: &Path, shards: &[Vec<(u32, [u64; 4])>]) -> (ClusterSummary, Vec<ShardDecisions>) {
        run_keep(dir, shards, KeepRule::Datatrove, |_, _| DocKey::None)
    }

    fn run_keep(
        dir: &Path,
        shards: &[Vec<(u32, [u64; 4])>],
        keep: KeepRule,
        key: impl Fn(u32, u32) -> DocKey,
    ) -> (ClusterSummary, Vec<ShardDecisions>) {
        let c = cfg();
        let sigs = dir.join("sigs");
        let mut id_files = Vec::new();
        for (s, docs) in shards.iter().enumerate() {
            let n = docs.iter().map(|d| d.0 + 1).max().unwrap_or(0);
            id_files.push(write_ids(&sigs, s as u32, n, |i| key(s as u32, i)));
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
        let summary = build_clusters(&pair_files, &id_files, &c, keep, &rm).unwrap();
        let decisions = ids
            .iter()
            .map(|&s| {
                ShardDecisions::load(&decisions_path(&rm, s), &files::kept_path(&rm), &c).unwrap()
            })
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
        // Removed documents name the kept one, across shards too.
        assert_eq!(d[0].kept(0).unwrap().id, "s0d0");
        assert_eq!(d[1].kept(1).unwrap().id, "s0d5");
        assert!(d[1].kept(0).is_none(), "shard 1 has no member of cluster 0");
    }

    #[test]
    fn keep_rules_choose_the_kept_member() {
        // One cluster of four: (1,0)-(0,3) in bucket 0, (0,3)-(0,1) and (0,1)-(1,2) in bucket 1.
        let shards = vec![
            vec![(1, [5, 5, 8, 8]), (3, [1, 1, 8, 8])],
            vec![(0, [1, 1, 9, 9]), (2, [6, 6, 8, 8])],
        ];
        let kept_id = |keep, key: fn(u32, u32) -> DocKey| {
            let dir = tempfile::tempdir().unwrap();
            let (summary, d) = run_keep(dir.path(), &shards, keep, key);
            assert_eq!((summary.clusters, summary.removed), (1, 3));
            let k = d[0].kept(0).unwrap().clone();
            let removed: Vec<bool> = [(0, 1), (0, 3), (1, 0), (1, 2)]
                .iter()
                .map(|&(s, i): &(usize, u32)| d[s].get(i).removed)
                .collect();
            assert_eq!(removed.iter().filter(|r| !**r).count(), 1);
            k.id
        };
        assert_eq!(kept_id(KeepRule::First, |_, _| DocKey::None), "s0d1");
        let score = |s: u32, i: u32| DocKey::Number(f64::from(s * 10 + i));
        assert_eq!(kept_id(KeepRule::Field { largest: true }, score), "s1d2");
        assert_eq!(kept_id(KeepRule::Field { largest: false }, score), "s0d1");
        // Missing keys lose; ties go to input order; text compares byte-wise (ISO dates).
        let date = |s: u32, i: u32| match (s, i) {
            (0, 1) => DocKey::None,
            (1, 0) | (0, 3) => DocKey::Text("2024-05-01".into()),
            _ => DocKey::Text("2023-12-31".into()),
        };
        assert_eq!(kept_id(KeepRule::Field { largest: true }, date), "s0d3");
        assert_eq!(kept_id(KeepRule::Field { largest: false }, date), "s1d2");
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
        let ids = [write_ids(dir.path(), 0, 1, |_| DocKey::None)];
        let keep = KeepRule::Datatrove;
        let err =
            build_clusters(std::slice::from_ref(&p0), &ids, &c, keep, dir.path()).unwrap_err();
        assert!(err.to_string().contains("one per bucket"), "{err}");
        let err =
            build_clusters(&[p0.clone(), p0.clone()], &ids, &c, keep, dir.path()).unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
        let p1 = pairs_path(dir.path(), 1);
        find_duplicate_pairs(&[], 1, &c, &p1).unwrap();
        let err = build_clusters(
            &[p0.clone(), p1],
            &[ids[0].clone(), ids[0].clone()],
            &c,
            keep,
            dir.path(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("shard 0 is also"), "{err}");
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
