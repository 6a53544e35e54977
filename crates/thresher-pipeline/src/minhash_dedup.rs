//! `thresher dedup minhash`: the four MinHash stages over documents on disk, each one a
//! separate, restartable, rank-splittable step that communicates with the next through files.
//!
//! Layout (work folder `W`, by default `OUT/.minhash`):
//! - `W/manifest.json`: configuration, keep rule and the shard list; every stage checks it, so
//!   stages of different runs are never mixed.
//! - stage `signatures` (per input shard): `W/signatures/bucket_BBB/SSSSS.minhash.sig` and
//!   `W/signatures/SSSSS.minhash.ids` (document ids, keep keys; written last).
//! - stage `buckets` (per bucket): `W/pairs/BBBBB.minhash.dups`.
//! - stage `clusters` (once): `W/clusters/SSSSS.minhash.decisions`,
//!   `W/clusters/kept.minhash.clusters`, then `W/clusters/summary.json`.
//! - stage `filter` (per input shard): `OUT/<shard>.<ext>` (kept documents, untouched unless
//!   `annotate`), `OUT/rejects/<shard>.<ext>` (removed ones, with `metadata.duplicate_of`,
//!   `cluster_id`, `cluster_size`), then `W/done/<shard>.json`.
//!
//! Rank `r` of `n` takes the shards (stages 1 and 4) or buckets (stage 2) whose number is `r`
//! modulo `n`; stage 3 runs on rank 0. A unit of work whose outputs are already there and
//! valid is skipped, so a stage that was interrupted is simply run again; every output file is
//! written to a temporary name and renamed into place.

use crate::jobs::{self, JobIo};
use crate::process::Observer;
use crate::rank::RankSpec;
use crate::report::ProgressView;
use crate::runner::{input_size, io_err, thread_pool};
use crate::RunError;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;
use thresher_core::Document;
use thresher_dedup::minhash::files::{
    decisions_path, ids_path, kept_path, pairs_path, signature_path, DocKey, IdsReader, IdsWriter,
    PairsReader, SignatureReader,
};
use thresher_dedup::minhash::stages::{
    build_clusters, find_duplicate_pairs, KeepRule, ShardDecisions, SignatureWriter,
};
use thresher_dedup::minhash::{MinHasher, MinhashConfig, MinhashError, Scratch};
use thresher_io::{ReadEvent, ReadOptions, Shard, ShardWriter};

/// The step name removed documents carry in `dropped_by`.
pub const STEP_NAME: &str = "minhash_dedup";
/// The reason removed documents carry.
pub const REASON: &str = "near_duplicate";

jobs::passes! {
    /// One of the four stages.
    "stage", pub enum Stage {
        /// Signatures and document ids, per input shard.
        Signatures => "signatures",
        /// Duplicate pairs, per bucket.
        Buckets => "buckets",
        /// Union-find clusters and the kept document of each, once.
        Clusters => "clusters",
        /// Kept and removed documents, per input shard.
        Filter => "filter",
    }
}

/// Which document of a cluster is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepSpec {
    /// datatrove's union-find root (its removed set, exactly).
    #[default]
    Datatrove,
    /// The first in input order.
    First,
    /// The largest value of a metadata field (`max:FIELD`).
    Max(String),
    /// The smallest value of a metadata field (`min:FIELD`).
    Min(String),
}

impl KeepSpec {
    /// Parses `datatrove`, `first`, `max:FIELD` or `min:FIELD`.
    pub fn parse(s: &str) -> Result<KeepSpec, String> {
        match s.split_once(':') {
            None if s == "datatrove" => Ok(KeepSpec::Datatrove),
            None if s == "first" => Ok(KeepSpec::First),
            Some(("max", f)) if !f.is_empty() => Ok(KeepSpec::Max(f.to_string())),
            Some(("min", f)) if !f.is_empty() => Ok(KeepSpec::Min(f.to_string())),
            _ => Err(format!(
                "keep rule `{s}`: expected datatrove, first, max:FIELD or min:FIELD"
            )),
        }
    }

    fn rule(&self) -> KeepRule {
        match self {
            KeepSpec::Datatrove => KeepRule::Datatrove,
            KeepSpec::First => KeepRule::First,
            KeepSpec::Max(_) => KeepRule::Field { largest: true },
            KeepSpec::Min(_) => KeepRule::Field { largest: false },
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            KeepSpec::Max(f) | KeepSpec::Min(f) => Some(f),
            _ => None,
        }
    }
}

/// A MinHash dedup job.
#[derive(Debug, Clone)]
pub struct MinhashJob {
    /// Inputs, outputs, threads and run options.
    pub io: JobIo,
    /// MinHash parameters.
    pub config: MinhashConfig,
    /// Language of the word tokenizer (datatrove code, e.g. `eng`).
    pub language: String,
    /// Which document of a cluster is kept.
    pub keep: KeepSpec,
    /// Also give kept documents that are in a cluster `cluster_id` and `cluster_size`.
    pub annotate: bool,
}

/// What a stage (or the whole job) did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MinhashReport {
    /// Input shards in the job.
    pub shards: usize,
    /// Units of work (shards or buckets) done now.
    pub units_done: usize,
    /// Units skipped because their outputs were already there.
    pub units_skipped: usize,
    /// Documents read (stages signatures and filter).
    pub docs: u64,
    /// Documents with a signature (stage signatures).
    pub signed: u64,
    /// Duplicate pairs (stages buckets and clusters).
    pub pairs: u64,
    /// Documents in some cluster (stage clusters).
    pub clustered: u64,
    /// Clusters (stage clusters).
    pub clusters: u64,
    /// Documents removed (stages clusters and filter).
    pub removed: u64,
    /// Documents kept (stage filter).
    pub kept: u64,
    /// Malformed records skipped by the readers.
    pub problems: u64,
    /// Seconds per stage that ran.
    pub seconds: Vec<(String, f64)>,
}

fn dedup_err(e: MinhashError) -> RunError {
    RunError::Step {
        step: STEP_NAME.into(),
        message: e.to_string(),
    }
}

impl MinhashJob {
    fn work(&self) -> PathBuf {
        self.io.work_dir_or(".minhash")
    }

    fn sig_dir(&self) -> PathBuf {
        self.work().join("signatures")
    }

    fn pair_dir(&self) -> PathBuf {
        self.work().join("pairs")
    }

    fn cluster_dir(&self) -> PathBuf {
        self.work().join("clusters")
    }

    fn done_path(&self, shard: &str) -> PathBuf {
        self.work().join("done").join(format!("{shard}.json"))
    }

    /// The output shard of kept documents for `shard`.
    pub fn kept_output(&self, shard: &str) -> PathBuf {
        self.io
            .out_dir
            .join(format!("{shard}.{}", self.io.format.extension()))
    }

    /// The rejects shard for `shard`.
    pub fn rejects_output(&self, shard: &str) -> PathBuf {
        self.io
            .out_dir
            .join("rejects")
            .join(format!("{shard}.{}", self.io.format.extension()))
    }

    /// Discovers the shards and checks (or writes) the manifest of the work folder.
    fn prepare(&self) -> Result<Vec<Shard>, RunError> {
        self.config.validate().map_err(dedup_err)?;
        let shards = jobs::text_shards(&self.io.inputs, "MinHash dedup")?;
        let manifest = serde_json::json!({
            "format_version": 1,
            "n_grams": self.config.n_grams,
            "num_buckets": self.config.num_buckets,
            "hashes_per_bucket": self.config.hashes_per_bucket,
            "seed": self.config.seed,
            "language": self.language,
            "keep": self.keep,
            "shards": jobs::shard_ids(&shards),
        });
        jobs::check_manifest(&self.work(), &manifest, self.io.overwrite, "MinHash")?;
        Ok(shards)
    }

    /// Runs all four stages on this machine; writes `OUT/minhash.json`.
    pub fn run_all(&self) -> Result<MinhashReport, RunError> {
        remove_stale_temp_files(&self.work());
        let mut total = MinhashReport::default();
        for &stage in Stage::ALL {
            let r = self.run_stage(stage, RankSpec::default())?;
            total.shards = r.shards;
            total.units_done += r.units_done;
            total.units_skipped += r.units_skipped;
            total.seconds.extend(r.seconds);
            match stage {
                Stage::Signatures => {
                    total.docs = r.docs;
                    total.signed = r.signed;
                    total.problems = r.problems;
                }
                Stage::Buckets => total.pairs = r.pairs,
                Stage::Clusters => {
                    total.clustered = r.clustered;
                    total.clusters = r.clusters;
                }
                Stage::Filter => {
                    total.removed = r.removed;
                    total.kept = r.kept;
                }
            }
        }
        let json = serde_json::to_vec_pretty(&total).unwrap_or_default();
        thresher_io::write_atomic(&self.io.out_dir.join("minhash.json"), &json)?;
        Ok(total)
    }

    /// Runs this rank's share of one stage.
    pub fn run_stage(&self, stage: Stage, rank: RankSpec) -> Result<MinhashReport, RunError> {
        let started = Instant::now();
        let shards = self.prepare()?;
        let pool = thread_pool(self.io.threads)?;
        let mut report = match stage {
            Stage::Signatures => self.signatures(&shards, rank, &pool)?,
            Stage::Buckets => self.buckets(&shards, rank, &pool)?,
            Stage::Clusters => self.clusters(&shards, rank)?,
            Stage::Filter => self.filter(&shards, rank, &pool)?,
        };
        report.shards = shards.len();
        report
            .seconds
            .push((stage.name().to_string(), started.elapsed().as_secs_f64()));
        Ok(report)
    }

    fn signatures_done(&self, shard: u32) -> bool {
        let dir = self.sig_dir();
        IdsReader::open(&ids_path(&dir, shard), &self.config).is_ok()
            && (0..self.config.num_buckets).all(|b| {
                SignatureReader::open(&signature_path(&dir, b, shard), &self.config).is_ok()
            })
    }

    fn signatures(
        &self,
        shards: &[Shard],
        rank: RankSpec,
        pool: &rayon::ThreadPool,
    ) -> Result<MinhashReport, RunError> {
        let hasher = MinHasher::for_language(self.config, &self.language).map_err(dedup_err)?;
        let mut report = MinhashReport::default();
        let mine: Vec<(u32, &Shard)> = shards
            .iter()
            .enumerate()
            .filter(|(i, _)| rank.owns(*i))
            .map(|(i, s)| (i as u32, s))
            .collect();
        let todo: Vec<(u32, &Shard)> = mine
            .iter()
            .copied()
            .filter(|(i, _)| !self.signatures_done(*i))
            .collect();
        report.units_skipped = mine.len() - todo.len();
        let view = ProgressView::new(
            todo.iter().map(|(_, s)| input_size(&s.input)).sum(),
            self.io.quiet,
        );
        let dir = self.sig_dir();
        let field = self.keep.field();
        for (index, shard) in todo {
            let observer = view.shard(input_size(&shard.input));
            let mut ids = IdsWriter::create(&ids_path(&dir, index), &self.config, index)
                .map_err(dedup_err)?;
            let mut sigs = SignatureWriter::create(&dir, index, &self.config).map_err(dedup_err)?;
            let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
            let flush = |batch: &mut Vec<Document>,
                         ids: &mut IdsWriter,
                         sigs: &mut SignatureWriter|
             -> Result<(), RunError> {
                let computed: Vec<_> = pool.install(|| {
                    batch
                        .par_iter()
                        .map_init(Scratch::new, |scratch, d| {
                            (hasher.signature_with(&d.text, scratch), keep_key(d, field))
                        })
                        .collect()
                });
                for (d, (sig, key)) in batch.iter().zip(computed) {
                    let i = ids.add(&d.id, &key).map_err(dedup_err)?;
                    if let Some(sig) = sig {
                        sigs.add(i, &sig).map_err(dedup_err)?;
                    }
                }
                observer.progress(batch.len() as u64, None);
                batch.clear();
                Ok(())
            };
            for event in thresher_io::open(&shard.input, &ReadOptions::default())? {
                match event {
                    ReadEvent::Doc(d) => {
                        report.docs += 1;
                        batch.push(*d);
                        if batch.len() == BATCH {
                            flush(&mut batch, &mut ids, &mut sigs)?;
                        }
                    }
                    ReadEvent::Skipped(_) => {}
                    ReadEvent::Problem(p) => {
                        observer.problem(&p);
                        report.problems += 1;
                    }
                }
            }
            flush(&mut batch, &mut ids, &mut sigs)?;
            report.signed += sigs.len();
            // Signature files first, the id file last: the id file marks the shard done.
            sigs.finish().map_err(dedup_err)?;
            ids.finish().map_err(dedup_err)?;
            observer.done();
            report.units_done += 1;
        }
        view.finish();
        Ok(report)
    }

    fn buckets(
        &self,
        shards: &[Shard],
        rank: RankSpec,
        pool: &rayon::ThreadPool,
    ) -> Result<MinhashReport, RunError> {
        let sig_dir = self.sig_dir();
        let pair_dir = self.pair_dir();
        let mine: Vec<usize> = (0..self.config.num_buckets)
            .filter(|b| rank.owns(*b))
            .collect();
        // Every shard's signatures must be complete before any bucket is merged.
        for index in 0..shards.len() as u32 {
            let ids = ids_path(&sig_dir, index);
            if !ids.exists() {
                return Err(RunError::State(format!(
                    "{}: missing; stage `signatures` has not finished shard {index} ({})",
                    ids.display(),
                    shards[index as usize].name
                )));
            }
        }
        let results: Vec<Result<Option<u64>, RunError>> = pool.install(|| {
            mine.par_iter()
                .map(|&b| {
                    let out = pairs_path(&pair_dir, b);
                    if PairsReader::open(&out, &self.config).is_ok() {
                        return Ok(None); // already there
                    }
                    let files: Vec<PathBuf> = (0..shards.len() as u32)
                        .map(|s| signature_path(&sig_dir, b, s))
                        .collect();
                    find_duplicate_pairs(&files, b, &self.config, &out)
                        .map(Some)
                        .map_err(dedup_err)
                })
                .collect()
        });
        let mut report = MinhashReport::default();
        for r in results {
            match r? {
                Some(n) => {
                    report.units_done += 1;
                    report.pairs += n;
                }
                None => report.units_skipped += 1,
            }
        }
        Ok(report)
    }

    fn clusters(&self, shards: &[Shard], rank: RankSpec) -> Result<MinhashReport, RunError> {
        let mut report = MinhashReport::default();
        if rank.rank != 0 {
            return Ok(report);
        }
        let dir = self.cluster_dir();
        let summary_path = dir.join("summary.json");
        if let Ok(bytes) = std::fs::read(&summary_path) {
            if let Ok(r) = serde_json::from_slice::<MinhashReport>(&bytes) {
                return Ok(MinhashReport {
                    units_done: 0,
                    units_skipped: 1,
                    seconds: Vec::new(),
                    ..r
                });
            }
        }
        let pair_files: Vec<PathBuf> = (0..self.config.num_buckets)
            .map(|b| pairs_path(&self.pair_dir(), b))
            .collect();
        if let Some(missing) = pair_files.iter().find(|p| !p.exists()) {
            return Err(RunError::State(format!(
                "{}: missing; stage `buckets` has not finished",
                missing.display()
            )));
        }
        let id_files: Vec<PathBuf> = (0..shards.len() as u32)
            .map(|s| ids_path(&self.sig_dir(), s))
            .collect();
        let summary = build_clusters(&pair_files, &id_files, &self.config, self.keep.rule(), &dir)
            .map_err(dedup_err)?;
        report.units_done = 1;
        report.pairs = summary.pairs;
        report.clustered = summary.documents;
        report.clusters = summary.clusters;
        report.removed = summary.removed;
        let json = serde_json::to_vec_pretty(&report).unwrap_or_default();
        thresher_io::write_atomic(&summary_path, &json)?;
        Ok(report)
    }

    fn filter(
        &self,
        shards: &[Shard],
        rank: RankSpec,
        pool: &rayon::ThreadPool,
    ) -> Result<MinhashReport, RunError> {
        let dir = self.cluster_dir();
        let summary = dir.join("summary.json");
        if !summary.exists() {
            return Err(RunError::State(format!(
                "{}: missing; stage `clusters` has not finished",
                summary.display()
            )));
        }
        std::fs::create_dir_all(&self.io.out_dir).map_err(|e| io_err(&self.io.out_dir, e))?;
        jobs::run_shards(
            shards,
            rank,
            pool,
            self.io.quiet,
            |i| self.done_path(&shards[i as usize].name),
            |i, shard, observer| self.filter_shard(i, shard, observer),
        )
    }

    /// Stage 3's decisions for shard `index` (once stage `clusters` has run).
    pub fn shard_decisions(&self, index: u32) -> Result<ShardDecisions, RunError> {
        let cdir = self.cluster_dir();
        ShardDecisions::load(
            &decisions_path(&cdir, index),
            &kept_path(&cdir),
            &self.config,
        )
        .map_err(dedup_err)
    }

    fn filter_shard(
        &self,
        index: u32,
        shard: &Shard,
        observer: &dyn Observer,
    ) -> Result<MinhashReport, RunError> {
        let decisions = self.shard_decisions(index)?;
        let ids_file = ids_path(&self.sig_dir(), index);
        let mut ids = IdsReader::open(&ids_file, &self.config).map_err(dedup_err)?;
        let kept_path = self.kept_output(&shard.name);
        let mut kept = ShardWriter::create(&kept_path, self.io.format)?;
        let mut rejects = if self.io.write_rejects {
            let p = self.rejects_output(&shard.name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
            }
            Some(ShardWriter::create(&p, self.io.format)?)
        } else {
            None
        };
        let mut report = MinhashReport::default();
        let changed = |what: String| {
            RunError::State(format!(
                "{}: {what}; the input changed since stage `signatures` (rerun with --overwrite)",
                shard.input.path.display()
            ))
        };
        for event in thresher_io::open(&shard.input, &ReadOptions::default())? {
            let mut doc = match event {
                ReadEvent::Doc(d) => *d,
                ReadEvent::Skipped(_) => continue,
                ReadEvent::Problem(p) => {
                    observer.problem(&p);
                    report.problems += 1;
                    continue;
                }
            };
            let Some((i, id, _)) = ids.next_doc().map_err(dedup_err)? else {
                return Err(changed(format!(
                    "more documents than the {} of {}",
                    ids.len(),
                    ids_file.display()
                )));
            };
            if id != doc.id {
                return Err(changed(format!(
                    "document {i} is `{}`, {} says `{id}`",
                    doc.id,
                    ids_file.display()
                )));
            }
            report.docs += 1;
            let removed = apply_decision(&decisions, i, &mut doc, self.annotate);
            if removed {
                report.removed += 1;
                if let Some(w) = rejects.as_mut() {
                    w.write_rejected(&doc, STEP_NAME, REASON)?;
                }
            } else {
                report.kept += 1;
                kept.write(&doc)?;
            }
            if report.docs.is_multiple_of(1024) {
                observer.progress(1024, None);
            }
        }
        if ids.len() != report.docs {
            return Err(changed(format!(
                "{} documents, {} says {}",
                report.docs,
                ids_file.display(),
                ids.len()
            )));
        }
        if let Some(w) = rejects {
            w.finish()?;
        }
        kept.finish()?;
        report.units_done = 1;
        Ok(report)
    }
}

impl jobs::UnitReport for MinhashReport {
    fn skipped(self) -> Self {
        MinhashReport {
            units_done: 0,
            units_skipped: 1,
            ..self
        }
    }

    fn add(&mut self, r: &Self) {
        self.units_done += r.units_done;
        self.units_skipped += r.units_skipped;
        self.docs += r.docs;
        self.kept += r.kept;
        self.removed += r.removed;
        self.problems += r.problems;
    }
}

/// Applies stage 3's decision for document `i` of a shard: a removed document gets
/// `duplicate_of`, `cluster_id` and `cluster_size` in its metadata (a kept one in a cluster the
/// last two when `annotate`). Returns whether it is removed.
pub fn apply_decision(
    decisions: &ShardDecisions,
    i: u32,
    doc: &mut Document,
    annotate: bool,
) -> bool {
    let d = decisions.get(i);
    if let Some(cluster) = d.cluster {
        if d.removed || annotate {
            let m = &mut doc.metadata.extra;
            m.insert("cluster_id".into(), Value::from(cluster));
            m.insert("cluster_size".into(), Value::from(d.cluster_size));
        }
        if d.removed {
            let of = decisions.kept(cluster).map(|k| k.id.clone());
            doc.metadata
                .extra
                .insert("duplicate_of".into(), of.map_or(Value::Null, Value::String));
        }
    }
    d.removed
}

/// Documents per batch of signatures computed in parallel.
const BATCH: usize = 512;

/// The keep key of a document: the value of metadata field `field` (a number or text; a
/// dotted path looks into objects).
fn keep_key(doc: &Document, field: Option<&str>) -> DocKey {
    let Some(field) = field else {
        return DocKey::None;
    };
    let json = doc.to_json();
    let mut v = &json["metadata"];
    for part in field.split('.') {
        v = &v[part];
    }
    match v {
        Value::Number(n) => n.as_f64().map_or(DocKey::None, DocKey::Number),
        Value::String(s) => DocKey::Text(s.clone()),
        _ => DocKey::None,
    }
}

/// The MinHash parameters of a pipeline step.
pub fn config_of(c: &crate::config::MinhashDedupConfig) -> MinhashConfig {
    MinhashConfig {
        n_grams: c.n_grams,
        num_buckets: c.buckets,
        hashes_per_bucket: c.hashes_per_bucket,
        seed: c.seed,
    }
}

/// Removes the temporary files a killed process left under `dir` (two levels deep). Only for
/// a job that runs every stage alone: ranks running at once share these folders.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name();
        if name.to_string_lossy().starts_with(".tmp-") {
            let _ = std::fs::remove_file(&path);
        } else if path.is_dir() && !name.to_string_lossy().starts_with('.') {
            if let Ok(inner) = std::fs::read_dir(&path) {
                for f in inner.flatten() {
                    if f.file_name().to_string_lossy().starts_with(".tmp-") {
                        let _ = std::fs::remove_file(f.path());
                    }
                }
            }
        }
    }
}
