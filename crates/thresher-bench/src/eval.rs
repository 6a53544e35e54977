//! Scoring a near-duplicate dedup result against the generator's ground truth
//! (`neardup-eval`).
//!
//! The result is the folder `thresher dedup minhash CORPUS -o RESULT --annotate` writes: kept
//! documents in `RESULT/*.jsonl[.zst|.gz]`, removed ones in `RESULT/rejects/`. A document in a
//! near-duplicate cluster has `metadata.cluster_id`; a removed one also has
//! `metadata.duplicate_of` and `dropped_by` = `"minhash_dedup"`.
//!
//! Everything is sized by the clusters and the truth, never by all pairs of documents:
//!
//! - pair recall: of the true pairs (same family, Jaccard ≥ threshold), the share whose two
//!   documents are in the same cluster; also per Jaccard bin, beside the probability that
//!   14 bands of 8 hashes make the pair a candidate, `1 − (1 − J^8)^14`;
//! - pair precision: of the pairs of documents in the same cluster, the share that are true
//!   pairs (pairs across families count as false), at the threshold and at 0.7; the true
//!   Jaccard of same-cluster pairs as a histogram (across families computed exactly from the
//!   corpus texts, sampled when there are more than `max_cross_pairs`);
//! - document recall: of the documents with a true partner, the share in a cluster, and the
//!   share in the same cluster as one of their true partners; document precision: of the
//!   clustered documents, the share with a true partner in their cluster;
//! - removal precision: of the removed documents, the share whose `duplicate_of` has
//!   Jaccard ≥ threshold with them (computed from the texts when not in the truth).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use fastrand::Rng;
use serde::{Deserialize, Serialize};

use crate::generate::{Histogram, SUMMARY_FILE, TRUTH_FILE};
use crate::io::{for_each_line, jsonl_files};
use crate::shingles::{jaccard, Shingler};

/// The ground truth of one family.
#[derive(Debug, Clone)]
pub struct FamilyTruth {
    /// The family's number.
    pub family: u64,
    /// Member ids.
    pub members: Vec<String>,
    /// Jaccard of pair (i, j), i < j, row by row.
    jacc: Vec<f64>,
}

impl FamilyTruth {
    fn index(&self, i: usize, j: usize) -> usize {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        let n = self.members.len();
        i * (2 * n - i - 1) / 2 + (j - i - 1)
    }

    /// The Jaccard similarity of members `i` and `j` (1 when equal).
    pub fn jaccard(&self, i: usize, j: usize) -> f64 {
        if i == j {
            1.0
        } else {
            self.jacc[self.index(i, j)]
        }
    }
}

/// The generator's ground truth: families and their pairs' Jaccard similarities.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// The families.
    pub families: Vec<FamilyTruth>,
    member_of: HashMap<String, (u32, u32)>,
}

#[derive(Deserialize)]
struct TruthLine {
    family: u64,
    members: Vec<String>,
    pairs: Vec<(u32, u32, f64)>,
}

impl Truth {
    /// Reads `truth.jsonl.zst`.
    pub fn load(path: &Path) -> Result<Truth> {
        let mut t = Truth::default();
        for_each_line(path, |_, line| {
            let l: TruthLine = serde_json::from_str(line)?;
            t.add_family(l.family, l.members, &l.pairs)
        })?;
        Ok(t)
    }

    /// Adds a family; `pairs` must give every pair `(i, j, jaccard)` with `i < j`.
    pub fn add_family(
        &mut self,
        family: u64,
        members: Vec<String>,
        pairs: &[(u32, u32, f64)],
    ) -> Result<()> {
        let n = members.len();
        let mut f = FamilyTruth {
            family,
            members,
            jacc: vec![f64::NAN; n * n.saturating_sub(1) / 2],
        };
        for &(i, j, jac) in pairs {
            let (i, j) = (i as usize, j as usize);
            if i >= n || j >= n || i == j {
                bail!("family {family}: bad pair ({i}, {j})");
            }
            let k = f.index(i, j);
            f.jacc[k] = jac;
        }
        if f.jacc.iter().any(|j| j.is_nan()) {
            bail!("family {family}: not every pair has a Jaccard value");
        }
        let fi = self.families.len() as u32;
        for (m, id) in f.members.iter().enumerate() {
            if self.member_of.insert(id.clone(), (fi, m as u32)).is_some() {
                bail!("document {id} is in two families");
            }
        }
        self.families.push(f);
        Ok(())
    }

    /// The family index and member index of document `id`, if it is in a family.
    pub fn member(&self, id: &str) -> Option<(u32, u32)> {
        self.member_of.get(id).copied()
    }

    /// The true Jaccard of two documents of the same family; `None` when they are not.
    pub fn pair(&self, a: &str, b: &str) -> Option<f64> {
        let (fa, ia) = self.member(a)?;
        let (fb, ib) = self.member(b)?;
        (fa == fb).then(|| self.families[fa as usize].jaccard(ia as usize, ib as usize))
    }
}

/// One document of the dedup result.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultDoc {
    /// Its id.
    pub id: String,
    /// `metadata.cluster_id`, when in a near-duplicate cluster.
    pub cluster: Option<i64>,
    /// Removed as a near duplicate (`dropped_by` = `minhash_dedup`).
    pub removed: bool,
    /// `metadata.duplicate_of` of a removed document.
    pub duplicate_of: Option<String>,
    /// Dropped for another reason.
    pub other_drop: bool,
}

/// The documents of a dedup result.
#[derive(Debug, Clone, Default)]
pub struct ResultSet {
    /// The documents.
    pub docs: Vec<ResultDoc>,
    index: HashMap<String, u32>,
    /// Ids seen more than once (later copies ignored).
    pub duplicate_ids: u64,
}

#[derive(Deserialize)]
struct ResultLine {
    id: serde_json::Value,
    #[serde(default)]
    metadata: Option<ResultMeta>,
    #[serde(default)]
    dropped_by: Option<String>,
}

#[derive(Deserialize, Default)]
struct ResultMeta {
    #[serde(default)]
    cluster_id: Option<serde_json::Value>,
    #[serde(default)]
    duplicate_of: Option<serde_json::Value>,
}

fn value_to_id(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl ResultSet {
    /// A result from documents.
    pub fn from_docs(docs: impl IntoIterator<Item = ResultDoc>) -> ResultSet {
        let mut r = ResultSet::default();
        for d in docs {
            r.push(d);
        }
        r
    }

    fn push(&mut self, d: ResultDoc) {
        let i = self.docs.len() as u32;
        if self.index.contains_key(&d.id) {
            self.duplicate_ids += 1;
            return;
        }
        self.index.insert(d.id.clone(), i);
        self.docs.push(d);
    }

    /// Reads a result folder: `DIR/*.jsonl*` (kept) and `DIR/rejects/*.jsonl*` (dropped).
    pub fn load(dir: &Path) -> Result<ResultSet> {
        let mut files = jsonl_files(dir)?;
        let rejects = dir.join("rejects");
        if rejects.is_dir() {
            files.extend(jsonl_files(&rejects)?);
        }
        if files.is_empty() {
            bail!("{} holds no JSONL files", dir.display());
        }
        let mut r = ResultSet::default();
        for f in &files {
            for_each_line(f, |_, line| {
                let l: ResultLine = serde_json::from_str(line)?;
                let meta = l.metadata.unwrap_or_default();
                let cluster = match &meta.cluster_id {
                    None | Some(serde_json::Value::Null) => None,
                    Some(v) => Some(
                        v.as_i64()
                            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                            .with_context(|| format!("cluster_id {v} is not an integer"))?,
                    ),
                };
                let removed = l.dropped_by.as_deref() == Some("minhash_dedup");
                r.push(ResultDoc {
                    id: value_to_id(&l.id),
                    cluster,
                    removed,
                    duplicate_of: if removed {
                        meta.duplicate_of.as_ref().map(value_to_id)
                    } else {
                        None
                    },
                    other_drop: l.dropped_by.is_some() && !removed,
                });
                Ok(())
            })?;
        }
        Ok(r)
    }

    /// The index of document `id`.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// Cluster id → member indices, clusters in ascending id order.
    fn clusters(&self) -> BTreeMap<i64, Vec<u32>> {
        let mut c: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        for (i, d) in self.docs.iter().enumerate() {
            if let Some(cl) = d.cluster {
                c.entry(cl).or_default().push(i as u32);
            }
        }
        c
    }
}

/// A pair of result documents by index, smaller first.
pub type Pair = (u32, u32);

fn pair(a: u32, b: u32) -> Pair {
    (a.min(b), a.max(b))
}

/// The pairs whose true Jaccard is not in the truth and must be computed from the texts.
#[derive(Debug, Clone, Default)]
pub struct Needed {
    /// The pairs.
    pub pairs: Vec<Pair>,
    /// Same-cluster pairs across families (or with a document in no family), in all.
    pub cross_pairs_total: u64,
    /// Whether the cross pairs in `pairs` are a sample of them.
    pub cross_pairs_sampled: bool,
}

/// A key telling documents of different families apart: the family index, or a unique value
/// for a document in no family.
fn family_key(truth: &Truth, result: &ResultSet, i: u32) -> u64 {
    match truth.member(&result.docs[i as usize].id) {
        Some((f, _)) => f as u64,
        None => (1 << 32) + i as u64,
    }
}

/// The pairs [`evaluate`] needs computed from the corpus texts: same-cluster pairs across
/// families (all of them, or a seeded sample of `max_cross_pairs`), and removed documents with
/// their `duplicate_of` when the two are not in one family.
pub fn needed_pairs(truth: &Truth, result: &ResultSet, max_cross_pairs: u64) -> Needed {
    let clusters = result.clusters();
    let mut per_cluster = Vec::new();
    let mut total = 0u64;
    for members in clusters.values() {
        let c = members.len() as u64;
        let mut groups: HashMap<u64, u64> = HashMap::new();
        for &m in members {
            *groups.entry(family_key(truth, result, m)).or_default() += 1;
        }
        let same: u64 = groups.values().map(|g| g * (g - 1) / 2).sum();
        let cross = c * (c - 1) / 2 - same;
        per_cluster.push(cross);
        total += cross;
    }
    let mut set: HashSet<Pair> = HashSet::new();
    let sampled = total > max_cross_pairs;
    let mut rng = Rng::with_seed(0x5eed);
    for (members, &cross) in clusters.values().zip(&per_cluster) {
        if cross == 0 {
            continue;
        }
        let keys: Vec<u64> = members
            .iter()
            .map(|&m| family_key(truth, result, m))
            .collect();
        if !sampled {
            for a in 0..members.len() {
                for b in a + 1..members.len() {
                    if keys[a] != keys[b] {
                        set.insert(pair(members[a], members[b]));
                    }
                }
            }
        } else {
            let quota = ((cross as f64) * max_cross_pairs as f64 / total as f64).round() as u64;
            let (mut got, mut tries) = (0, 0);
            while got < quota && tries < quota * 20 {
                tries += 1;
                let a = rng.usize(..members.len());
                let b = rng.usize(..members.len());
                if keys[a] != keys[b] && set.insert(pair(members[a], members[b])) {
                    got += 1;
                }
            }
        }
    }
    for (i, d) in result.docs.iter().enumerate() {
        if let Some(k) = d.duplicate_of.as_deref().and_then(|k| result.index_of(k)) {
            if truth.pair(&d.id, k_id(result, k)).is_none() {
                set.insert(pair(i as u32, k));
            }
        }
    }
    let mut pairs: Vec<Pair> = set.into_iter().collect();
    pairs.sort_unstable();
    Needed {
        pairs,
        cross_pairs_total: total,
        cross_pairs_sampled: sampled,
    }
}

fn k_id(result: &ResultSet, k: u32) -> &str {
    &result.docs[k as usize].id
}

/// Computes the exact Jaccard of `pairs` from the corpus texts in `files`, reading and
/// shingling only the documents the pairs name. Pairs whose texts are missing are left out.
pub fn exact_jaccards(
    files: &[PathBuf],
    result: &ResultSet,
    pairs: &[Pair],
) -> Result<HashMap<Pair, f64>> {
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: HashSet<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut sets: HashMap<u32, Vec<u64>> = HashMap::new();
    let mut shingler = Shingler::new();
    #[derive(Deserialize)]
    struct IdOnly {
        id: serde_json::Value,
    }
    #[derive(Deserialize)]
    struct IdText {
        text: String,
    }
    for f in files {
        for_each_line(f, |_, line| {
            let l: IdOnly = serde_json::from_str(line)?;
            if let Some(i) = result.index_of(&value_to_id(&l.id)) {
                if wanted.contains(&i) && !sets.contains_key(&i) {
                    let t: IdText = serde_json::from_str(line)?;
                    sets.insert(i, shingler.set_of(&t.text));
                }
            }
            Ok(())
        })?;
    }
    Ok(pairs
        .iter()
        .filter_map(|&(a, b)| Some(((a, b), jaccard(sets.get(&a)?, sets.get(&b)?))))
        .collect())
}

/// The probability that MinHash with `bands` bands of `rows` hashes makes a pair of Jaccard
/// `j` a candidate.
pub fn lsh_probability(j: f64, bands: i32, rows: i32) -> f64 {
    1.0 - (1.0 - j.powi(rows)).powi(bands)
}

/// Precision at one Jaccard threshold.
#[derive(Debug, Clone, Serialize)]
pub struct PrecisionAt {
    /// The threshold.
    pub threshold: f64,
    /// Same-cluster pairs of one family with Jaccard ≥ threshold.
    pub true_pairs: u64,
    /// `true_pairs` / all same-cluster pairs.
    pub precision: f64,
}

/// Recall of the true pairs in one Jaccard bin.
#[derive(Debug, Clone, Serialize)]
pub struct RecallBin {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Within-family pairs in the bin.
    pub pairs: u64,
    /// Of those, in the same cluster.
    pub same_cluster: u64,
    /// `same_cluster` / `pairs`.
    pub recall: f64,
    /// `1 − (1 − J^8)^14` at the middle of the bin.
    pub lsh_probability: f64,
}

/// The evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The Jaccard threshold of a true pair.
    pub threshold: f64,
    /// Documents in the result (kept and dropped).
    pub docs: u64,
    /// Documents in the corpus (from `generator.json`), when known.
    pub corpus_docs: Option<u64>,
    /// Kept documents.
    pub kept: u64,
    /// Removed as near duplicates.
    pub removed: u64,
    /// Dropped for other reasons.
    pub other_dropped: u64,
    /// Ids seen twice in the result.
    pub duplicate_ids: u64,
    /// Near-duplicate clusters.
    pub clusters: u64,
    /// Documents in a cluster.
    pub clustered_docs: u64,
    /// Size of the largest cluster.
    pub largest_cluster: u64,
    /// Clusters by size (`"2"`, `"3-5"`, `"6-10"`, `"11-21"`, `"22+"`).
    pub cluster_sizes: BTreeMap<String, u64>,

    /// Families in the truth.
    pub truth_families: u64,
    /// Within-family pairs in the truth.
    pub truth_pairs: u64,
    /// Of those, with Jaccard ≥ threshold (the true pairs).
    pub true_pairs: u64,
    /// True pairs whose documents are in the same cluster.
    pub true_pairs_found: u64,
    /// `true_pairs_found` / `true_pairs`.
    pub pair_recall: f64,
    /// The pair recall MinHash's banding alone would give (mean of `1 − (1 − J^8)^14` over the
    /// true pairs); clustering (transitivity) can add to it.
    pub lsh_expected_pair_recall: f64,
    /// Pair recall per Jaccard bin of 0.05.
    pub recall_by_jaccard: Vec<RecallBin>,

    /// Pairs of documents in the same cluster.
    pub same_cluster_pairs: u64,
    /// Of those, of one family.
    pub same_family_pairs: u64,
    /// Of those, across families (or with a document in no family): false positives.
    pub cross_family_pairs: u64,
    /// Cross-family pairs whose Jaccard was computed from the texts.
    pub cross_family_pairs_checked: u64,
    /// Whether those were a sample.
    pub cross_family_pairs_sampled: bool,
    /// Checked cross-family pairs with Jaccard ≥ threshold (similar by chance).
    pub cross_family_pairs_ge_threshold: u64,
    /// Pair precision at the threshold and at 0.7.
    pub precision: Vec<PrecisionAt>,
    /// True Jaccard of the same-cluster pairs whose Jaccard is known, in bins of 0.1.
    pub same_cluster_jaccard: Histogram,
    /// Same-cluster pairs with Jaccard exactly 1.
    pub same_cluster_jaccard_one: u64,
    /// Same-cluster pairs whose Jaccard is unknown (not sampled, or texts missing).
    pub same_cluster_jaccard_unknown: u64,

    /// Documents with at least one true partner.
    pub docs_with_partner: u64,
    /// Of those, in a cluster.
    pub docs_with_partner_clustered: u64,
    /// `docs_with_partner_clustered` / `docs_with_partner`.
    pub doc_recall: f64,
    /// Of those, in the same cluster as a true partner.
    pub docs_with_partner_in_cluster: u64,
    /// `docs_with_partner_in_cluster` / `docs_with_partner`.
    pub doc_recall_with_partner: f64,
    /// Clustered documents with a true partner in their cluster / clustered documents.
    pub doc_precision: f64,

    /// Removed documents whose `duplicate_of` has Jaccard ≥ threshold with them.
    pub removed_true: u64,
    /// Removed documents whose pair with `duplicate_of` could be scored.
    pub removed_checked: u64,
    /// Removed documents whose `duplicate_of` is missing or unknown.
    pub removed_dangling: u64,
    /// `removed_true` / `removed_checked`.
    pub removal_precision: f64,
    /// Removals an ideal dedup at the threshold would make: per family, each connected
    /// component of true pairs keeps one document.
    pub ideal_removals: u64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn size_bucket(n: usize) -> &'static str {
    match n {
        0..=2 => "2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        11..=21 => "11-21",
        _ => "22+",
    }
}

/// Scores `result` against `truth`. `exact` holds the Jaccard of the pairs [`needed_pairs`]
/// named (pairs missing from it count as unknown); `needed` says how they were chosen.
pub fn evaluate(
    truth: &Truth,
    result: &ResultSet,
    threshold: f64,
    exact: &HashMap<Pair, f64>,
    needed: &Needed,
) -> Report {
    let clusters = result.clusters();
    let mut r = Report {
        threshold,
        docs: result.docs.len() as u64,
        corpus_docs: None,
        kept: result
            .docs
            .iter()
            .filter(|d| !d.removed && !d.other_drop)
            .count() as u64,
        removed: result.docs.iter().filter(|d| d.removed).count() as u64,
        other_dropped: result.docs.iter().filter(|d| d.other_drop).count() as u64,
        duplicate_ids: result.duplicate_ids,
        clusters: clusters.len() as u64,
        clustered_docs: clusters.values().map(|c| c.len() as u64).sum(),
        largest_cluster: clusters.values().map(|c| c.len() as u64).max().unwrap_or(0),
        cluster_sizes: BTreeMap::new(),
        truth_families: truth.families.len() as u64,
        truth_pairs: 0,
        true_pairs: 0,
        true_pairs_found: 0,
        pair_recall: 0.0,
        lsh_expected_pair_recall: 0.0,
        recall_by_jaccard: Vec::new(),
        same_cluster_pairs: 0,
        same_family_pairs: 0,
        cross_family_pairs: needed.cross_pairs_total,
        cross_family_pairs_checked: 0,
        cross_family_pairs_sampled: needed.cross_pairs_sampled,
        cross_family_pairs_ge_threshold: 0,
        precision: Vec::new(),
        same_cluster_jaccard: Histogram::new(10),
        same_cluster_jaccard_one: 0,
        same_cluster_jaccard_unknown: 0,
        docs_with_partner: 0,
        docs_with_partner_clustered: 0,
        doc_recall: 0.0,
        docs_with_partner_in_cluster: 0,
        doc_recall_with_partner: 0.0,
        doc_precision: 0.0,
        removed_true: 0,
        removed_checked: 0,
        removed_dangling: 0,
        removal_precision: 0.0,
        ideal_removals: 0,
    };
    for c in clusters.values() {
        *r.cluster_sizes
            .entry(size_bucket(c.len()).to_string())
            .or_default() += 1;
    }
    let cluster_of = |id: &str| {
        result
            .index_of(id)
            .and_then(|i| result.docs[i as usize].cluster)
    };

    // Truth side: recall, per-bin recall, documents with partners, ideal removals.
    let mut bins: Vec<(u64, u64)> = vec![(0, 0); 20];
    let mut lsh_sum = 0.0;
    for fam in &truth.families {
        let n = fam.members.len();
        let clusters_m: Vec<Option<i64>> = fam.members.iter().map(|m| cluster_of(m)).collect();
        let mut has_partner = vec![false; n];
        let mut with_partner_in_cluster = vec![false; n];
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for i in 0..n {
            for j in i + 1..n {
                let jac = fam.jaccard(i, j);
                let together = clusters_m[i].is_some() && clusters_m[i] == clusters_m[j];
                r.truth_pairs += 1;
                let b = ((jac * 20.0).floor() as usize).min(19);
                bins[b].0 += 1;
                bins[b].1 += u64::from(together);
                if jac >= threshold {
                    r.true_pairs += 1;
                    r.true_pairs_found += u64::from(together);
                    lsh_sum += lsh_probability(jac, 14, 8);
                    has_partner[i] = true;
                    has_partner[j] = true;
                    if together {
                        with_partner_in_cluster[i] = true;
                        with_partner_in_cluster[j] = true;
                    }
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                        r.ideal_removals += 1;
                    }
                }
            }
        }
        for i in 0..n {
            if has_partner[i] {
                r.docs_with_partner += 1;
                r.docs_with_partner_clustered += u64::from(clusters_m[i].is_some());
                r.docs_with_partner_in_cluster += u64::from(with_partner_in_cluster[i]);
            }
        }
    }
    r.pair_recall = ratio(r.true_pairs_found, r.true_pairs);
    r.lsh_expected_pair_recall = if r.true_pairs == 0 {
        0.0
    } else {
        lsh_sum / r.true_pairs as f64
    };
    r.recall_by_jaccard = bins
        .iter()
        .enumerate()
        .map(|(i, &(pairs, same))| RecallBin {
            lower: i as f64 / 20.0,
            pairs,
            same_cluster: same,
            recall: ratio(same, pairs),
            lsh_probability: lsh_probability((i as f64 + 0.5) / 20.0, 14, 8),
        })
        .collect();
    r.doc_recall = ratio(r.docs_with_partner_clustered, r.docs_with_partner);
    r.doc_recall_with_partner = ratio(r.docs_with_partner_in_cluster, r.docs_with_partner);

    // Cluster side: precision and the Jaccard of same-cluster pairs.
    let thresholds: Vec<f64> = if (threshold - 0.7).abs() < 1e-9 {
        vec![threshold]
    } else {
        vec![threshold, 0.7]
    };
    let mut true_at = vec![0u64; thresholds.len()];
    let mut clustered_with_partner = 0u64;
    let add_j = |r: &mut Report, j: f64| {
        r.same_cluster_jaccard.add(j);
        r.same_cluster_jaccard_one += u64::from(j >= 1.0);
    };
    for members in clusters.values() {
        let c = members.len() as u64;
        r.same_cluster_pairs += c * (c - 1) / 2;
        let mut by_family: HashMap<u32, Vec<u32>> = HashMap::new();
        for &m in members {
            if let Some((f, i)) = truth.member(&result.docs[m as usize].id) {
                by_family.entry(f).or_default().push(i);
            }
        }
        for (f, idx) in &by_family {
            let fam = &truth.families[*f as usize];
            for a in 0..idx.len() {
                let mut partner = false;
                for b in 0..idx.len() {
                    if a == b {
                        continue;
                    }
                    let j = fam.jaccard(idx[a] as usize, idx[b] as usize);
                    partner |= j >= threshold;
                    if a < b {
                        r.same_family_pairs += 1;
                        for (t, n) in thresholds.iter().zip(true_at.iter_mut()) {
                            *n += u64::from(j >= *t);
                        }
                        add_j(&mut r, j);
                    }
                }
                clustered_with_partner += u64::from(partner);
            }
        }
    }
    // Cross-family pairs: those computed from the texts (all, or a sample).
    let mut cross_known = 0u64;
    for (&(a, b), &j) in exact {
        let (da, db) = (&result.docs[a as usize], &result.docs[b as usize]);
        if da.cluster.is_some() && da.cluster == db.cluster && truth.pair(&da.id, &db.id).is_none()
        {
            cross_known += 1;
            r.cross_family_pairs_ge_threshold += u64::from(j >= threshold);
            add_j(&mut r, j);
        }
    }
    r.cross_family_pairs_checked = cross_known;
    r.same_cluster_jaccard_unknown = r.cross_family_pairs - cross_known;
    r.precision = thresholds
        .iter()
        .zip(&true_at)
        .map(|(&t, &n)| PrecisionAt {
            threshold: t,
            true_pairs: n,
            precision: ratio(n, r.same_cluster_pairs),
        })
        .collect();
    r.doc_precision = ratio(clustered_with_partner, r.clustered_docs);

    // Removals.
    for d in result.docs.iter().filter(|d| d.removed) {
        let Some(k) = d.duplicate_of.as_deref().and_then(|k| result.index_of(k)) else {
            r.removed_dangling += 1;
            continue;
        };
        let i = result.index_of(&d.id).expect("indexed");
        let j = truth
            .pair(&d.id, k_id(result, k))
            .or_else(|| exact.get(&pair(i, k)).copied());
        match j {
            Some(j) => {
                r.removed_checked += 1;
                r.removed_true += u64::from(j >= threshold);
            }
            None => r.removed_dangling += 1,
        }
    }
    r.removal_precision = ratio(r.removed_true, r.removed_checked);
    r
}

/// Evaluates the result folder `result_dir` against the generated corpus in `corpus_dir`.
pub fn run(
    corpus_dir: &Path,
    result_dir: &Path,
    threshold: f64,
    max_cross_pairs: u64,
) -> Result<Report> {
    let truth = Truth::load(&corpus_dir.join(TRUTH_FILE))?;
    let result = ResultSet::load(result_dir)?;
    let summary: Option<serde_json::Value> = std::fs::read(corpus_dir.join(SUMMARY_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let files: Vec<PathBuf> = match summary
        .as_ref()
        .and_then(|s| s.get("shard_files"))
        .and_then(|v| v.as_array())
    {
        Some(names) => names
            .iter()
            .filter_map(|n| n.as_str())
            .map(|n| corpus_dir.join(n))
            .collect(),
        None => jsonl_files(corpus_dir)?
            .into_iter()
            .filter(|p| !p.ends_with(TRUTH_FILE))
            .collect(),
    };
    let needed = needed_pairs(&truth, &result, max_cross_pairs);
    let exact = exact_jaccards(&files, &result, &needed.pairs)?;
    let mut report = evaluate(&truth, &result, threshold, &exact, &needed);
    report.corpus_docs = summary
        .as_ref()
        .and_then(|s| s.pointer("/counts/docs"))
        .and_then(|v| v.as_u64());
    Ok(report)
}

/// The report as text for a terminal.
pub fn render(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let _ = writeln!(
        s,
        "documents      {} in result{}",
        r.docs,
        match r.corpus_docs {
            Some(c) if c != r.docs => format!(" (corpus has {c}!)"),
            Some(_) => " (= corpus)".to_string(),
            None => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "               {} kept, {} removed as near duplicates, {} dropped otherwise",
        r.kept, r.removed, r.other_dropped
    );
    let _ = writeln!(
        s,
        "clusters       {} ({} documents, largest {}), sizes {:?}",
        r.clusters, r.clustered_docs, r.largest_cluster, r.cluster_sizes
    );
    let _ = writeln!(
        s,
        "truth          {} families, {} pairs, {} with Jaccard >= {}",
        r.truth_families, r.truth_pairs, r.true_pairs, r.threshold
    );
    let _ = writeln!(
        s,
        "pair recall    {} ({} / {}); banding alone would give {}",
        pct(r.pair_recall),
        r.true_pairs_found,
        r.true_pairs,
        pct(r.lsh_expected_pair_recall)
    );
    for p in &r.precision {
        let _ = writeln!(
            s,
            "pair precision {} at Jaccard >= {} ({} / {} same-cluster pairs)",
            pct(p.precision),
            p.threshold,
            p.true_pairs,
            r.same_cluster_pairs
        );
    }
    let _ = writeln!(
        s,
        "cross-family   {} same-cluster pairs across families ({} checked{}, {} with Jaccard >= {})",
        r.cross_family_pairs,
        r.cross_family_pairs_checked,
        if r.cross_family_pairs_sampled { ", sampled" } else { "" },
        r.cross_family_pairs_ge_threshold,
        r.threshold
    );
    let _ = writeln!(
        s,
        "doc recall     {} in a cluster, {} with a true partner ({} documents have one)",
        pct(r.doc_recall),
        pct(r.doc_recall_with_partner),
        r.docs_with_partner
    );
    let _ = writeln!(
        s,
        "doc precision  {} of clustered documents have a true partner there",
        pct(r.doc_precision)
    );
    let _ = writeln!(
        s,
        "removals       precision {} ({} / {} checked, {} unscored); ideal removals {}",
        pct(r.removal_precision),
        r.removed_true,
        r.removed_checked,
        r.removed_dangling,
        r.ideal_removals
    );
    let _ = writeln!(
        s,
        "same-cluster pairs by true Jaccard ({} exactly 1, {} unknown):",
        r.same_cluster_jaccard_one, r.same_cluster_jaccard_unknown
    );
    for (lo, n) in r
        .same_cluster_jaccard
        .lower
        .iter()
        .zip(&r.same_cluster_jaccard.counts)
    {
        let _ = writeln!(
            s,
            "  [{lo:.1}, {:.1}{}  {n}",
            lo + 0.1,
            if *lo >= 0.9 { "]" } else { ")" }
        );
    }
    let _ = writeln!(
        s,
        "within-family pairs found, by true Jaccard (vs banding's probability):"
    );
    for b in r.recall_by_jaccard.iter().filter(|b| b.pairs > 0) {
        let _ = writeln!(
            s,
            "  [{:.2}, {:.2})  {:>8} pairs  {:>8} found  {:>7}  (lsh {:>7})",
            b.lower,
            b.lower + 0.05,
            b.pairs,
            b.same_cluster,
            pct(b.recall),
            pct(b.lsh_probability)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, cluster: Option<i64>, dup_of: Option<&str>) -> ResultDoc {
        ResultDoc {
            id: id.to_string(),
            cluster,
            removed: dup_of.is_some(),
            duplicate_of: dup_of.map(str::to_string),
            other_drop: false,
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Family a: a0–a1 0.9, a0–a2 0.6, a1–a2 0.55; family b: b0–b1 0.85; s0, s1 in none.
    /// Cluster 1 = {a0, a1, a2} (a1, a2 removed for a0); cluster 2 = {b0, s0} (s0 removed
    /// for b0, a false positive of Jaccard 0.3); b1 and s1 in no cluster.
    fn tiny() -> (Truth, ResultSet) {
        let mut truth = Truth::default();
        truth
            .add_family(
                10,
                ids(&["a0", "a1", "a2"]),
                &[(0, 1, 0.9), (0, 2, 0.6), (1, 2, 0.55)],
            )
            .unwrap();
        truth
            .add_family(20, ids(&["b0", "b1"]), &[(0, 1, 0.85)])
            .unwrap();
        let result = ResultSet::from_docs([
            doc("a0", Some(1), None),
            doc("a1", Some(1), Some("a0")),
            doc("a2", Some(1), Some("a0")),
            doc("b0", Some(2), None),
            doc("b1", None, None),
            doc("s0", Some(2), Some("b0")),
            doc("s1", None, None),
        ]);
        (truth, result)
    }

    #[test]
    fn tiny_case() {
        let (truth, result) = tiny();
        assert_eq!(truth.pair("a2", "a1"), Some(0.55));
        assert_eq!(truth.pair("a0", "b0"), None);
        let needed = needed_pairs(&truth, &result, 100);
        let (s0, b0) = (
            result.index_of("s0").unwrap(),
            result.index_of("b0").unwrap(),
        );
        assert_eq!(needed.pairs, vec![pair(s0, b0)]);
        assert_eq!(needed.cross_pairs_total, 1);
        let exact = HashMap::from([(pair(s0, b0), 0.3)]);
        let r = evaluate(&truth, &result, 0.8, &exact, &needed);

        assert_eq!((r.docs, r.kept, r.removed, r.other_dropped), (7, 4, 3, 0));
        assert_eq!((r.clusters, r.clustered_docs, r.largest_cluster), (2, 5, 3));
        assert_eq!((r.truth_pairs, r.true_pairs, r.true_pairs_found), (4, 2, 1));
        assert_eq!(r.pair_recall, 0.5);
        let expected_lsh = (lsh_probability(0.9, 14, 8) + lsh_probability(0.85, 14, 8)) / 2.0;
        assert!((r.lsh_expected_pair_recall - expected_lsh).abs() < 1e-12);
        assert_eq!(
            (
                r.same_cluster_pairs,
                r.same_family_pairs,
                r.cross_family_pairs
            ),
            (4, 3, 1)
        );
        assert_eq!(
            (
                r.cross_family_pairs_checked,
                r.cross_family_pairs_ge_threshold
            ),
            (1, 0)
        );
        assert_eq!(r.precision.len(), 2);
        assert_eq!(
            (r.precision[0].true_pairs, r.precision[0].precision),
            (1, 0.25)
        );
        assert_eq!(
            (r.precision[1].threshold, r.precision[1].true_pairs),
            (0.7, 1)
        );
        assert_eq!(
            r.same_cluster_jaccard.counts,
            [0, 0, 0, 1, 0, 1, 1, 0, 0, 1]
        );
        assert_eq!(
            (r.same_cluster_jaccard_one, r.same_cluster_jaccard_unknown),
            (0, 0)
        );
        assert_eq!((r.docs_with_partner, r.docs_with_partner_clustered), (4, 3));
        assert_eq!((r.doc_recall, r.doc_recall_with_partner), (0.75, 0.5));
        assert_eq!(r.doc_precision, 0.4);
        assert_eq!(
            (r.removed_true, r.removed_checked, r.removed_dangling),
            (1, 3, 0)
        );
        assert_eq!(r.ideal_removals, 2);
        let bin = |lo: f64| {
            r.recall_by_jaccard
                .iter()
                .find(|b| (b.lower - lo).abs() < 1e-9)
                .unwrap()
        };
        assert_eq!((bin(0.85).pairs, bin(0.85).same_cluster), (1, 0));
        assert_eq!((bin(0.9).pairs, bin(0.9).same_cluster), (1, 1));
        assert_eq!((bin(0.55).pairs, bin(0.55).same_cluster), (1, 1));

        // Without the exact value the cross pair is unknown and s0's removal unscored.
        let r = evaluate(&truth, &result, 0.8, &HashMap::new(), &needed);
        assert_eq!(
            (r.cross_family_pairs_checked, r.same_cluster_jaccard_unknown),
            (0, 1)
        );
        assert_eq!((r.removed_checked, r.removed_dangling), (2, 1));
        assert!(render(&r).contains("pair recall    50.00%"));
    }

    #[test]
    fn cross_pairs_are_sampled_beyond_the_limit() {
        // One cluster of 30 singletons: 435 cross pairs, 100 sampled.
        let truth = Truth::default();
        let result = ResultSet::from_docs((0..30).map(|i| doc(&format!("s{i}"), Some(7), None)));
        let needed = needed_pairs(&truth, &result, 100);
        assert_eq!(needed.cross_pairs_total, 435);
        assert!(needed.cross_pairs_sampled);
        assert_eq!(needed.pairs.len(), 100);
        assert!(needed.pairs.iter().all(|&(a, b)| a < b));
    }

    #[test]
    fn bad_truth_is_refused() {
        let mut t = Truth::default();
        assert!(t
            .add_family(1, ids(&["x", "y", "z"]), &[(0, 1, 0.9)])
            .is_err());
        assert!(t.add_family(2, ids(&["x", "y"]), &[(0, 2, 0.9)]).is_err());
        t.add_family(3, ids(&["x", "y"]), &[(0, 1, 0.9)]).unwrap();
        assert!(t.add_family(4, ids(&["x", "w"]), &[(0, 1, 0.9)]).is_err());
    }

    /// The same tiny case through files: a corpus folder (texts, truth) and a result folder
    /// with kept documents in plain JSONL and removed ones in gzip, as the dedup writes them.
    #[test]
    fn tiny_case_from_files() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let (corpus, out) = (dir.path().join("corpus"), dir.path().join("out"));
        std::fs::create_dir_all(out.join("rejects")).unwrap();
        std::fs::create_dir_all(&corpus).unwrap();
        // Distinct words without digits (simplify_text turns every number into "0").
        let words: Vec<String> = (0..40u8)
            .map(|i| {
                format!(
                    "w{}{}",
                    char::from(b'a' + i / 26),
                    char::from(b'a' + i % 26)
                )
            })
            .collect();
        let text_b0 = words[..20].join(" ");
        let text_s0 = format!("{} {}", words[..10].join(" "), words[20..30].join(" "));
        let mut w = crate::io::ZstWriter::create(&corpus.join("part-00000.jsonl.zst"), 3).unwrap();
        for (id, text) in [("b0", &text_b0), ("s0", &text_s0), ("s1", &words.join(" "))] {
            let line = serde_json::json!({"id": id, "text": text, "metadata": {}});
            w.write_line(line.to_string().as_bytes()).unwrap();
        }
        w.finish().unwrap();
        let mut t = crate::io::ZstWriter::create(&corpus.join(TRUTH_FILE), 3).unwrap();
        t.write_line(br#"{"family":10,"members":["a0","a1","a2"],"parents":[null,0,0],"shingles":[1,1,1],"pairs":[[0,1,0.9],[0,2,0.6],[1,2,0.55]]}"#).unwrap();
        t.write_line(br#"{"family":20,"members":["b0","b1"],"parents":[null,0],"shingles":[1,1],"pairs":[[0,1,0.85]]}"#).unwrap();
        t.finish().unwrap();

        let kept = [
            r#"{"id":"a0","text":"","metadata":{"cluster_id":1,"cluster_size":3}}"#,
            r#"{"id":"b0","text":"","metadata":{"cluster_id":2,"cluster_size":2}}"#,
            r#"{"id":"b1","text":"","metadata":{}}"#,
            r#"{"id":"s1","text":"","metadata":{"other":"x"}}"#,
        ];
        std::fs::write(out.join("part-00000.jsonl"), kept.join("\n") + "\n").unwrap();
        let rejects = [
            r#"{"id":"a1","text":"","metadata":{"cluster_id":1,"cluster_size":3,"duplicate_of":"a0"},"dropped_by":"minhash_dedup","reason":"near_duplicate"}"#,
            r#"{"id":"a2","text":"","metadata":{"cluster_id":1,"cluster_size":3,"duplicate_of":"a0"},"dropped_by":"minhash_dedup","reason":"near_duplicate"}"#,
            r#"{"id":"s0","text":"","metadata":{"cluster_id":2,"cluster_size":2,"duplicate_of":"b0"},"dropped_by":"minhash_dedup","reason":"near_duplicate"}"#,
        ];
        let f = std::fs::File::create(out.join("rejects/part-00000.jsonl.gz")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        gz.write_all((rejects.join("\n") + "\n").as_bytes())
            .unwrap();
        gz.finish().unwrap();
        // Not a JSONL file: ignored.
        std::fs::write(out.join("stats.json"), "{}").unwrap();

        let r = run(&corpus, &out, 0.8, 1000).unwrap();
        assert_eq!((r.docs, r.kept, r.removed, r.clusters), (7, 4, 3, 2));
        assert_eq!(r.corpus_docs, None);
        assert_eq!((r.pair_recall, r.precision[0].precision), (0.5, 0.25));
        // s0 shares 6 of its 16 shingles with b0's 16: Jaccard 6/26, computed from the texts.
        assert_eq!(r.cross_family_pairs_checked, 1);
        assert_eq!(r.same_cluster_jaccard.counts[2], 1);
        assert_eq!((r.removed_true, r.removed_checked), (1, 3));
    }
}
