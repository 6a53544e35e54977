//! The near-duplicate corpus generator (`neardup-gen`).
//!
//! The corpus is planned as units: background singletons and families (an original plus 1 to
//! `max_copies` mutated copies; a copy's parent is the original or, with probability
//! `copy_of_copy`, an earlier copy). Family sizes follow `P(k) ∝ k^-1.5`; families are added
//! until `dup_fraction` of the documents are copies. Every unit has its own random generator
//! seeded from `(seed, unit)`, so units are generated in parallel batches and the output is
//! the same for any thread count.
//!
//! Each document goes to a random shard. A family's members are held back by random delays
//! (up to `spread` documents), so they land at different positions of different shards; only
//! the delayed documents are in memory, and every shard is streamed to its zstd file.
//!
//! Output in the folder: `part-NNNNN.jsonl.zst` (`{"id","text","metadata"}`; family members
//! have `metadata.family`, copies also `parent` and `mutations`), `truth.jsonl.zst` (one line
//! per family: `family`, `members`, `parents` (member index of each member's parent, `null`
//! for the original), `shingles` (distinct shingle count of each member) and `pairs`:
//! `[i, j, jaccard]` for every pair of members `i < j`, the exact Jaccard similarity of their
//! shingle sets, see [`crate::shingles`]) and `generator.json` (parameters and counts).
//! Every file is written under a temporary name and renamed when complete.

use std::collections::{BTreeMap, BinaryHeap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use fastrand::Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::io::{write_atomic, ZstWriter};
use crate::mutate::{background, mutate, Doc, MutateOptions};
use crate::shingles::{jaccard, Shingler};
use crate::source::{Pool, PoolStats};
use crate::splitmix64;

/// The name of the truth file.
pub const TRUTH_FILE: &str = "truth.jsonl.zst";
/// The name of the parameters-and-counts file.
pub const SUMMARY_FILE: &str = "generator.json";

/// The name of shard `i`.
pub fn shard_name(i: u32) -> String {
    format!("part-{i:05}.jsonl.zst")
}

/// The id of member `member` of unit `unit`.
pub fn doc_id(unit: u64, member: u32) -> String {
    format!("nd-{unit:07}-{member:02}")
}

/// The default source of real text: `shared/data/webtext-docs/combined.jsonl.gz` beside the
/// repository.
pub fn default_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/webtext-docs/combined.jsonl.gz")
}

/// The generator's parameters.
#[derive(Debug, Clone, Serialize)]
pub struct GenConfig {
    /// Documents in all.
    pub docs: u64,
    /// Output shards.
    pub shards: u32,
    /// Seed of everything random.
    pub seed: u64,
    /// Share of documents that are copies (not originals).
    pub dup_fraction: f64,
    /// Most copies in one family.
    pub max_copies: u32,
    /// Probability that a copy (after the first) copies an earlier copy, not the original.
    pub copy_of_copy: f64,
    /// Most documents by which a family member's position is delayed.
    pub spread: u64,
    /// Shortest background document, in words.
    pub min_words: usize,
    /// Longest background document, in words.
    pub max_words: usize,
    /// zstd level of the output.
    pub zstd_level: i32,
    /// How copies are mutated.
    pub mutate: MutateOptions,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            docs: 10_000,
            shards: 8,
            seed: 1,
            dup_fraction: 0.2,
            max_copies: 20,
            copy_of_copy: 0.3,
            spread: 50_000,
            min_words: 150,
            max_words: 800,
            zstd_level: 3,
            mutate: MutateOptions::default(),
        }
    }
}

impl GenConfig {
    /// Checks that the values can be used.
    pub fn validate(&self) -> Result<()> {
        if self.docs == 0 || self.shards == 0 {
            bail!("--docs and --shards must be at least 1");
        }
        if !(0.0..1.0).contains(&self.dup_fraction) {
            bail!("--dup-fraction must be in [0, 1)");
        }
        if self.max_copies == 0 || self.max_copies > 99 {
            bail!("--max-copies must be in 1..=99");
        }
        if self.min_words < 10 || self.max_words < self.min_words {
            bail!("need 10 <= --min-words <= --max-words");
        }
        if !(0.0..=1.0).contains(&self.copy_of_copy)
            || !(0.0..=1.0).contains(&self.mutate.cosmetic_share)
            || !(0.0..1.0).contains(&self.mutate.min_target)
        {
            bail!("probabilities must be in [0, 1]");
        }
        Ok(())
    }
}

/// The plan: the number of copies of each unit (0 for a singleton), in output order.
pub fn plan(cfg: &GenConfig) -> Vec<u8> {
    let mut rng = Rng::with_seed(splitmix64(cfg.seed));
    // P(k) ∝ k^-1.5 for k in 1..=max_copies.
    let cumulative: Vec<f64> = (1..=cfg.max_copies)
        .scan(0.0, |acc, k| {
            *acc += (k as f64).powf(-1.5);
            Some(*acc)
        })
        .collect();
    let total = *cumulative.last().expect("max_copies >= 1");
    let copies_target = (cfg.docs as f64 * cfg.dup_fraction).round() as u64;
    let (mut units, mut copies, mut used) = (Vec::new(), 0u64, 0u64);
    while copies < copies_target && used + 2 <= cfg.docs {
        let u = rng.f64() * total;
        let k = cumulative.partition_point(|&c| c < u) as u64 + 1;
        let k = k.min(copies_target - copies).min(cfg.docs - used - 1);
        units.push(k as u8);
        copies += k;
        used += k + 1;
    }
    units.resize(units.len() + (cfg.docs - used) as usize, 0);
    rng.shuffle(&mut units);
    units
}

/// One generated document on its way to a shard.
struct OutDoc {
    shard: u32,
    delay: u64,
    line: Vec<u8>,
}

/// What generating one unit produced.
struct UnitOut {
    docs: Vec<OutDoc>,
    truth: Option<Vec<u8>>,
    /// Exact Jaccard of each copy to its parent.
    copy_parent: Vec<f64>,
    /// Exact Jaccard of every within-family pair.
    pairs: Vec<f64>,
    labels: Vec<String>,
    text_bytes: u64,
    words: u64,
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    text: &'a str,
    metadata: LineMeta<'a>,
}

#[derive(Serialize)]
struct LineMeta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mutations: &'a [String],
}

#[derive(Serialize)]
struct TruthLine<'a> {
    family: u64,
    members: &'a [String],
    parents: &'a [Option<u32>],
    shingles: &'a [usize],
    pairs: Vec<(u32, u32, f64)>,
}

fn json_line(id: &str, text: &str, meta: LineMeta<'_>) -> Vec<u8> {
    serde_json::to_vec(&Line {
        id,
        text,
        metadata: meta,
    })
    .expect("serialising a document cannot fail")
}

/// Generates unit `unit` with `copies` copies.
fn gen_unit(
    cfg: &GenConfig,
    pool: &Pool,
    unit: u64,
    copies: u32,
    shingler: &mut Shingler,
) -> UnitOut {
    let mut rng = Rng::with_seed(splitmix64(cfg.seed ^ splitmix64(unit.wrapping_add(1))));
    let original = background(pool, &mut rng, cfg.min_words, cfg.max_words);
    let id0 = doc_id(unit, 0);
    if copies == 0 {
        let text = original.render();
        let words = original.n_words() as u64;
        let line = json_line(
            &id0,
            &text,
            LineMeta {
                family: None,
                parent: None,
                mutations: &[],
            },
        );
        return UnitOut {
            docs: vec![OutDoc {
                shard: rng.u32(..cfg.shards),
                delay: 0,
                line,
            }],
            truth: None,
            copy_parent: Vec::new(),
            pairs: Vec::new(),
            labels: Vec::new(),
            text_bytes: text.len() as u64,
            words,
        };
    }
    let n = copies as usize + 1;
    let mut docs: Vec<Doc<'_>> = Vec::with_capacity(n);
    let mut parents: Vec<Option<u32>> = vec![None];
    let mut labels: Vec<Vec<String>> = vec![Vec::new()];
    docs.push(original);
    for c in 1..n {
        let parent = if c > 1 && rng.f64() < cfg.copy_of_copy {
            1 + rng.usize(..c - 1)
        } else {
            0
        };
        let (copy, l) = mutate(&docs[parent], pool, &mut rng, &cfg.mutate);
        docs.push(copy);
        parents.push(Some(parent as u32));
        labels.push(l);
    }
    let ids: Vec<String> = (0..n as u32).map(|m| doc_id(unit, m)).collect();
    let texts: Vec<String> = docs.iter().map(Doc::render).collect();
    let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingler.set_of(t)).collect();
    let mut pairs = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            pairs.push((i as u32, j as u32, jaccard(&sets[i], &sets[j])));
        }
    }
    let copy_parent = (1..n)
        .map(|c| jaccard(&sets[c], &sets[parents[c].unwrap_or(0) as usize]))
        .collect();
    let pair_js = pairs.iter().map(|p| p.2).collect();
    let sizes: Vec<usize> = sets.iter().map(Vec::len).collect();
    let truth = serde_json::to_vec(&TruthLine {
        family: unit,
        members: &ids,
        parents: &parents,
        shingles: &sizes,
        pairs,
    })
    .expect("serialising truth cannot fail");
    let mut out_docs = Vec::with_capacity(n);
    for m in 0..n {
        let meta = LineMeta {
            family: Some(unit),
            parent: parents[m].map(|p| ids[p as usize].as_str()),
            mutations: &labels[m],
        };
        out_docs.push(OutDoc {
            shard: rng.u32(..cfg.shards),
            delay: rng.u64(..cfg.spread.max(1)),
            line: json_line(&ids[m], &texts[m], meta),
        });
    }
    UnitOut {
        docs: out_docs,
        truth: Some(truth),
        copy_parent,
        pairs: pair_js,
        labels: labels.into_iter().flatten().collect(),
        text_bytes: texts.iter().map(|t| t.len() as u64).sum(),
        words: docs.iter().map(|d| d.n_words() as u64).sum(),
    }
}

/// A delayed document, ordered by release time then generation order (min-heap via
/// reversed ordering).
struct Pending {
    key: u64,
    seq: u64,
    doc: OutDoc,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.key, self.seq) == (other.key, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.key, other.seq).cmp(&(self.key, self.seq))
    }
}

/// A histogram of values in `[0, 1]` in bins of `1 / bins` (1.0 in the last bin). Serialised
/// as an object from each bin's lower edge (`"0.80"`) to its count.
#[derive(Debug, Clone)]
pub struct Histogram {
    /// Lower edge of each bin.
    pub lower: Vec<f64>,
    /// Values in each bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Empty, with `bins` bins.
    pub fn new(bins: usize) -> Histogram {
        Histogram {
            lower: (0..bins).map(|i| i as f64 / bins as f64).collect(),
            counts: vec![0; bins],
        }
    }

    /// Counts `v`.
    pub fn add(&mut self, v: f64) {
        let bins = self.counts.len();
        let i = ((v * bins as f64).floor().max(0.0) as usize).min(bins - 1);
        self.counts[i] += 1;
    }
}

impl Serialize for Histogram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.counts.len()))?;
        for (lo, n) in self.lower.iter().zip(&self.counts) {
            m.serialize_entry(&format!("{lo:.2}"), n)?;
        }
        m.end()
    }
}

/// Counts of a generated corpus (in `generator.json`).
#[derive(Debug, Clone, Serialize)]
pub struct GenCounts {
    /// Documents written.
    pub docs: u64,
    /// Documents in no family.
    pub singletons: u64,
    /// Families (an original and at least one copy).
    pub families: u64,
    /// Copies (family members other than the original).
    pub copies: u64,
    /// Within-family pairs in the truth file.
    pub pairs: u64,
    /// Of those, with exact Jaccard ≥ 0.8.
    pub pairs_ge_0_8: u64,
    /// Of those, with exact Jaccard ≥ 0.7.
    pub pairs_ge_0_7: u64,
    /// Copies whose Jaccard to their parent is ≥ 0.8.
    pub copies_ge_0_8_to_parent: u64,
    /// Families by number of members.
    pub family_sizes: BTreeMap<u32, u64>,
    /// How often each mutation was applied.
    pub mutations: BTreeMap<String, u64>,
    /// Documents in each shard.
    pub docs_per_shard: Vec<u64>,
    /// Bytes of text (UTF-8) in all.
    pub text_bytes: u64,
    /// Words (space-separated) in all.
    pub words: u64,
    /// Exact Jaccard of each copy to its parent, in bins of 0.05.
    pub copy_parent_jaccard: Histogram,
    /// Exact Jaccard of every within-family pair, in bins of 0.05.
    pub pair_jaccard: Histogram,
}

/// `generator.json`.
#[derive(Debug, Clone, Serialize)]
pub struct GenSummary {
    /// What wrote it.
    pub generator: String,
    /// The parameters.
    pub config: GenConfig,
    /// The source files and the documents read from each.
    pub sources: Vec<(String, u64)>,
    /// What the pool of real text holds.
    pub pool: PoolStats,
    /// The shard files, in order.
    pub shard_files: Vec<String>,
    /// The truth file.
    pub truth_file: String,
    /// The counts.
    pub counts: GenCounts,
    /// Seconds taken (pool excluded).
    pub seconds: f64,
}

/// Removes a previous corpus's files from `out` (only the generator's own names), refusing
/// unless `overwrite` when there are some.
pub fn prepare_out_dir(out: &Path, overwrite: bool) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut old = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let ours = name == TRUTH_FILE
            || name == SUMMARY_FILE
            || (name.starts_with("part-") && name.ends_with(".jsonl.zst"));
        if ours {
            old.push(out.join(name));
        }
    }
    if !old.is_empty() && !overwrite {
        bail!(
            "{} already holds a generated corpus ({} files); pass --overwrite to replace it",
            out.display(),
            old.len()
        );
    }
    for p in old {
        std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
    }
    Ok(())
}

/// Generates the corpus into `out` (which [`prepare_out_dir`] should have emptied of an older
/// one). `sources` is recorded in the summary. Prints progress to stderr when `progress`.
pub fn generate(
    cfg: &GenConfig,
    pool: &Pool,
    sources: Vec<(String, u64)>,
    out: &Path,
    progress: bool,
) -> Result<GenSummary> {
    cfg.validate()?;
    let start = Instant::now();
    let units = plan(cfg);
    let shard_files: Vec<String> = (0..cfg.shards).map(shard_name).collect();
    let mut writers = shard_files
        .iter()
        .map(|name| ZstWriter::create(&out.join(name), cfg.zstd_level))
        .collect::<Result<Vec<_>>>()?;
    let mut truth_writer = ZstWriter::create(&out.join(TRUTH_FILE), cfg.zstd_level)?;

    let mut counts = GenCounts {
        docs: 0,
        singletons: 0,
        families: 0,
        copies: 0,
        pairs: 0,
        pairs_ge_0_8: 0,
        pairs_ge_0_7: 0,
        copies_ge_0_8_to_parent: 0,
        family_sizes: BTreeMap::new(),
        mutations: BTreeMap::new(),
        docs_per_shard: vec![0; cfg.shards as usize],
        text_bytes: 0,
        words: 0,
        copy_parent_jaccard: Histogram::new(20),
        pair_jaccard: Histogram::new(20),
    };
    let mut heap: BinaryHeap<Pending> = BinaryHeap::new();
    let (mut clock, mut seq) = (0u64, 0u64);
    let mut write = |doc: OutDoc, counts: &mut GenCounts| -> Result<()> {
        counts.docs_per_shard[doc.shard as usize] += 1;
        writers[doc.shard as usize].write_line(&doc.line)
    };
    const BATCH: usize = 1024;
    let report_every = (cfg.docs / 10).max(1);
    let mut next_report = report_every;

    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<UnitOut>>(2);
        let units = &units;
        scope.spawn(move || {
            for (b, batch) in units.chunks(BATCH).enumerate() {
                let outs: Vec<UnitOut> = batch
                    .par_iter()
                    .enumerate()
                    .map_init(Shingler::new, |sh, (i, &copies)| {
                        gen_unit(cfg, pool, (b * BATCH + i) as u64, copies as u32, sh)
                    })
                    .collect();
                if tx.send(outs).is_err() {
                    return;
                }
            }
        });
        for outs in rx {
            for unit in outs {
                counts.text_bytes += unit.text_bytes;
                counts.words += unit.words;
                let n = unit.docs.len() as u64;
                if let Some(t) = &unit.truth {
                    truth_writer.write_line(t)?;
                    counts.families += 1;
                    counts.copies += n - 1;
                    *counts.family_sizes.entry(n as u32).or_default() += 1;
                } else {
                    counts.singletons += 1;
                }
                for &j in &unit.copy_parent {
                    counts.copy_parent_jaccard.add(j);
                    counts.copies_ge_0_8_to_parent += u64::from(j >= 0.8);
                }
                for &j in &unit.pairs {
                    counts.pair_jaccard.add(j);
                    counts.pairs += 1;
                    counts.pairs_ge_0_8 += u64::from(j >= 0.8);
                    counts.pairs_ge_0_7 += u64::from(j >= 0.7);
                }
                for l in &unit.labels {
                    let kind = l.split(':').next().unwrap_or(l);
                    *counts.mutations.entry(kind.to_string()).or_default() += 1;
                }
                for doc in unit.docs {
                    heap.push(Pending {
                        key: clock + doc.delay,
                        seq,
                        doc,
                    });
                    seq += 1;
                }
                clock += n;
                while heap.peek().is_some_and(|p| p.key <= clock) {
                    let p = heap.pop().expect("peeked");
                    write(p.doc, &mut counts)?;
                    counts.docs += 1;
                }
                if progress && clock >= next_report {
                    eprintln!(
                        "neardup-gen: {clock} / {} documents generated ({:.0} s)",
                        cfg.docs,
                        start.elapsed().as_secs_f64()
                    );
                    next_report += report_every;
                }
            }
        }
        Ok(())
    })?;
    while let Some(p) = heap.pop() {
        write(p.doc, &mut counts)?;
        counts.docs += 1;
    }
    for w in writers {
        w.finish()?;
    }
    truth_writer.finish()?;

    let summary = GenSummary {
        generator: format!("thresher-bench neardup-gen {}", env!("CARGO_PKG_VERSION")),
        config: cfg.clone(),
        sources,
        pool: pool.stats(),
        shard_files,
        truth_file: TRUTH_FILE.to_string(),
        counts,
        seconds: (start.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    };
    let mut json = serde_json::to_vec_pretty(&summary)?;
    json.push(b'\n');
    write_atomic(&out.join(SUMMARY_FILE), &json)?;
    Ok(summary)
}
