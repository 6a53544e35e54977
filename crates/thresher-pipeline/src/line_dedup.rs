//! `thresher dedup lines`: exact line or paragraph dedup across a corpus
//! ([`thresher_dedup::lines`]) over documents on disk.
//!
//! Two methods:
//! - `sorted` (exact): pass `hashes` per input shard writes sorted unit hashes per partition;
//!   pass `merge` per partition decides which occurrences go; pass `apply` per shard rewrites
//!   the documents. Each pass can be split by rank and rerun (finished units are skipped).
//!   Work folder `W` (default `OUT/.lines`): `W/manifest.json`, `W/hashes/`, `W/removals/`,
//!   `W/done/`.
//! - `bloom` (dolma's): one pass in input order with a Bloom filter of fixed size; keep-first
//!   only; false positives remove unique units at the configured rate.
//!
//! Output: `OUT/<shard>.<ext>` with the deduplicated text (documents that lost units carry
//! `metadata.lines_removed`); a document that lost every unit goes to `OUT/rejects/` with
//! `dropped_by = "line_dedup"`, `reason = "all_units_duplicate"`.

use crate::jobs::{self, JobIo};
use crate::process::Observer;
use crate::rank::RankSpec;
use crate::report::ProgressView;
use crate::runner::{input_size, io_err, thread_pool};
use crate::RunError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;
use thresher_core::Document;
use thresher_dedup::lines::files::hashes_path;
use thresher_dedup::lines::{
    find_line_duplicates, BloomLineDedup, Deduped, LineDedupConfig, LineDedupError, LineHashWriter,
    ShardLineRemovals,
};
use thresher_io::{ReadEvent, ReadOptions, Shard, ShardWriter};

/// The step name emptied documents carry in `dropped_by`.
pub const STEP_NAME: &str = "line_dedup";
/// The reason emptied documents carry.
pub const REASON: &str = "all_units_duplicate";

/// How duplicates are found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Exact, with sorted hashes split into `partitions`.
    Sorted {
        /// Hash partitions (pass `merge` runs once per partition).
        partitions: u32,
    },
    /// A Bloom filter sized for `expected_units` distinct units at `false_positive_rate`.
    Bloom {
        /// Distinct units the filter is sized for.
        expected_units: u64,
        /// Target false-positive rate at that many units.
        false_positive_rate: f64,
    },
}

jobs::passes! {
    /// One pass of the sorted method.
    "pass", pub enum Pass {
        /// Unit hashes, per input shard.
        Hashes => "hashes",
        /// Duplicate decisions, per partition.
        Merge => "merge",
        /// Rewritten documents, per input shard.
        Apply => "apply",
    }
}

/// A line-dedup job.
#[derive(Debug, Clone)]
pub struct LineDedupJob {
    /// Inputs, outputs, threads and run options.
    pub io: JobIo,
    /// Units, keep rule, normalisation.
    pub config: LineDedupConfig,
    /// Sorted hashes or Bloom filter.
    pub method: Method,
}

/// What a pass (or the whole job) did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LineDedupReport {
    /// Input shards.
    pub shards: usize,
    /// Units of work done now.
    pub units_done: usize,
    /// Units of work skipped because they were done before.
    pub units_skipped: usize,
    /// Documents read (hashes, apply, bloom).
    pub docs: u64,
    /// Lines or paragraphs hashed (hashes, bloom).
    pub units: u64,
    /// Units removed (merge, apply, bloom).
    pub units_removed: u64,
    /// Documents that lost at least one unit.
    pub docs_changed: u64,
    /// Documents that lost every unit (dropped).
    pub docs_emptied: u64,
    /// Malformed records skipped by the readers.
    pub problems: u64,
    /// Bloom method: the filter's estimated false-positive rate at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bloom_false_positive_rate: Option<f64>,
    /// Seconds per pass that ran.
    pub seconds: Vec<(String, f64)>,
}

impl jobs::UnitReport for LineDedupReport {
    fn skipped(self) -> Self {
        LineDedupReport {
            units_done: 0,
            units_skipped: 1,
            ..self
        }
    }

    fn add(&mut self, o: &LineDedupReport) {
        self.units_done += o.units_done;
        self.units_skipped += o.units_skipped;
        self.docs += o.docs;
        self.units += o.units;
        self.units_removed += o.units_removed;
        self.docs_changed += o.docs_changed;
        self.docs_emptied += o.docs_emptied;
        self.problems += o.problems;
    }
}

fn err(e: LineDedupError) -> RunError {
    RunError::Step {
        step: STEP_NAME.into(),
        message: e.to_string(),
    }
}

/// Writes one output shard: kept documents, emptied ones to rejects.
struct Output {
    kept: ShardWriter,
    rejects: Option<ShardWriter>,
}

impl LineDedupJob {
    fn work(&self) -> PathBuf {
        self.io.work_dir_or(".lines")
    }

    fn done_path(&self, pass: Pass, unit: &str) -> PathBuf {
        self.work()
            .join("done")
            .join(format!("{}-{unit}.json", pass.name()))
    }

    fn shards(&self) -> Result<Vec<Shard>, RunError> {
        self.config.validate().map_err(err)?;
        jobs::text_shards(&self.io.inputs, "line dedup")
    }

    /// Checks (or writes) the work folder's manifest.
    fn prepare(&self, shards: &[Shard]) -> Result<(), RunError> {
        let manifest = serde_json::json!({
            "format_version": 1,
            "config": self.config,
            "method": self.method,
            "shards": jobs::shard_ids(shards),
        });
        jobs::check_manifest(&self.work(), &manifest, self.io.overwrite, "line-dedup")
    }

    fn partitions(&self) -> Result<u32, RunError> {
        match self.method {
            Method::Sorted { partitions } => Ok(partitions),
            Method::Bloom { .. } => Err(RunError::Config(
                "passes (--pass) exist only for the sorted method".into(),
            )),
        }
    }

    /// Runs the whole job on this machine; writes `OUT/lines.json`.
    pub fn run_all(&self) -> Result<LineDedupReport, RunError> {
        let mut total = LineDedupReport::default();
        match self.method {
            Method::Sorted { .. } => {
                for &pass in Pass::ALL {
                    let r = self.run_pass(pass, RankSpec::default())?;
                    total.shards = r.shards;
                    total.seconds.extend(r.seconds.clone());
                    match pass {
                        Pass::Hashes => {
                            total.docs = r.docs;
                            total.units = r.units;
                            total.problems = r.problems;
                        }
                        Pass::Merge => {}
                        Pass::Apply => {
                            total.units_removed = r.units_removed;
                            total.docs_changed = r.docs_changed;
                            total.docs_emptied = r.docs_emptied;
                        }
                    }
                    total.units_done += r.units_done;
                    total.units_skipped += r.units_skipped;
                }
            }
            Method::Bloom {
                expected_units,
                false_positive_rate,
            } => total = self.bloom(expected_units, false_positive_rate)?,
        }
        let json = serde_json::to_vec_pretty(&total).unwrap_or_default();
        std::fs::create_dir_all(&self.io.out_dir).map_err(|e| io_err(&self.io.out_dir, e))?;
        thresher_io::write_atomic(&self.io.out_dir.join("lines.json"), &json)?;
        Ok(total)
    }

    /// Runs this rank's share of one pass of the sorted method.
    pub fn run_pass(&self, pass: Pass, rank: RankSpec) -> Result<LineDedupReport, RunError> {
        let started = Instant::now();
        let partitions = self.partitions()?;
        let shards = self.shards()?;
        self.prepare(&shards)?;
        let pool = thread_pool(self.io.threads)?;
        let mut report = match pass {
            Pass::Hashes => jobs::run_shards(
                &shards,
                rank,
                &pool,
                self.io.quiet,
                |i| self.done_path(pass, &format!("{i:05}")),
                |i, s, o| self.hash_shard(i, s, partitions, o),
            )?,
            Pass::Merge => self.merge(&shards, partitions, rank, &pool)?,
            Pass::Apply => jobs::run_shards(
                &shards,
                rank,
                &pool,
                self.io.quiet,
                |i| self.done_path(pass, &format!("{i:05}")),
                |i, s, o| self.apply_shard(i, s, partitions, o),
            )?,
        };
        report.shards = shards.len();
        report
            .seconds
            .push((pass.name().to_string(), started.elapsed().as_secs_f64()));
        Ok(report)
    }

    fn hash_shard(
        &self,
        index: u32,
        shard: &Shard,
        partitions: u32,
        observer: &dyn Observer,
    ) -> Result<LineDedupReport, RunError> {
        let mut w = LineHashWriter::new(&self.config, index, partitions).map_err(err)?;
        let mut report = LineDedupReport::default();
        for event in thresher_io::open(&shard.input, &ReadOptions::default())? {
            match event {
                ReadEvent::Doc(d) => {
                    w.push(&d.text).map_err(err)?;
                    report.docs += 1;
                    if report.docs.is_multiple_of(1024) {
                        observer.progress(1024, None);
                    }
                }
                ReadEvent::Skipped(_) => {}
                ReadEvent::Problem(p) => {
                    observer.problem(&p);
                    report.problems += 1;
                }
            }
        }
        report.units = w.units();
        w.finish(&self.work().join("hashes")).map_err(err)?;
        report.units_done = 1;
        Ok(report)
    }

    fn merge(
        &self,
        shards: &[Shard],
        partitions: u32,
        rank: RankSpec,
        pool: &rayon::ThreadPool,
    ) -> Result<LineDedupReport, RunError> {
        let hashes = self.work().join("hashes");
        for i in 0..shards.len() as u32 {
            if jobs::read_done::<LineDedupReport>(&self.done_path(Pass::Hashes, &format!("{i:05}")))
                .is_none()
            {
                return Err(RunError::State(format!(
                    "pass `hashes` has not finished shard {i} ({}); run it first",
                    shards[i as usize].name
                )));
            }
        }
        let mine: Vec<u32> = (0..partitions).filter(|p| rank.owns(*p as usize)).collect();
        jobs::run_units(
            &mine,
            pool,
            |p| self.done_path(Pass::Merge, &format!("p{p:05}")),
            |p| {
                let files: Vec<PathBuf> = (0..shards.len() as u32)
                    .map(|s| hashes_path(&hashes, p, s))
                    .collect();
                let summary =
                    find_line_duplicates(&files, &self.config, &self.work().join("removals"))
                        .map_err(err)?;
                Ok(LineDedupReport {
                    units_done: 1,
                    units: summary.units,
                    units_removed: summary.removed,
                    ..LineDedupReport::default()
                })
            },
        )
    }

    fn apply_shard(
        &self,
        index: u32,
        shard: &Shard,
        partitions: u32,
        observer: &dyn Observer,
    ) -> Result<LineDedupReport, RunError> {
        for p in 0..partitions {
            if jobs::read_done::<LineDedupReport>(&self.done_path(Pass::Merge, &format!("p{p:05}")))
                .is_none()
            {
                return Err(RunError::State(format!(
                    "pass `merge` has not finished partition {p}; run it first"
                )));
            }
        }
        let removals = ShardLineRemovals::load_dir(
            &self.work().join("removals"),
            &self.config,
            index,
            partitions,
        )
        .map_err(err)?;
        let mut out = self.output(shard)?;
        let mut report = LineDedupReport::default();
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
            let i = u32::try_from(report.docs).unwrap_or(u32::MAX);
            report.docs += 1;
            let change = removals
                .apply(i, &doc.text)
                .map(Change::of)
                .map_err(|e| RunError::State(format!("{}: {e}", shard.input.path.display())))?;
            let emptied = change.record(&mut report, &mut doc);
            out.write(&doc, emptied)?;
            if report.docs.is_multiple_of(1024) {
                observer.progress(1024, None);
            }
        }
        if report.docs != u64::from(removals.documents()) {
            return Err(RunError::State(format!(
                "{}: {} documents now, {} in pass `hashes`; the input changed (rerun with --overwrite)",
                shard.input.path.display(),
                report.docs,
                removals.documents()
            )));
        }
        out.finish()?;
        report.units_done = 1;
        Ok(report)
    }

    fn output(&self, shard: &Shard) -> Result<Output, RunError> {
        std::fs::create_dir_all(&self.io.out_dir).map_err(|e| io_err(&self.io.out_dir, e))?;
        let name = format!("{}.{}", shard.name, self.io.format.extension());
        let kept = ShardWriter::create(&self.io.out_dir.join(&name), self.io.format)?;
        let rejects = if self.io.write_rejects {
            let dir = self.io.out_dir.join("rejects");
            std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
            Some(ShardWriter::create(&dir.join(&name), self.io.format)?)
        } else {
            None
        };
        Ok(Output { kept, rejects })
    }

    fn bloom(
        &self,
        expected_units: u64,
        false_positive_rate: f64,
    ) -> Result<LineDedupReport, RunError> {
        let started = Instant::now();
        let shards = self.shards()?;
        let mut filter =
            BloomLineDedup::new(&self.config, expected_units, false_positive_rate).map_err(err)?;
        let mut report = LineDedupReport {
            shards: shards.len(),
            ..LineDedupReport::default()
        };
        let view = ProgressView::new(
            shards.iter().map(|s| input_size(&s.input)).sum(),
            self.io.quiet,
        );
        // One pass in input order: the filter decides by what came before.
        for shard in &shards {
            let observer = view.shard(input_size(&shard.input));
            let mut out = self.output(shard)?;
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
                report.docs += 1;
                let change = Change::of(filter.filter(&doc.text));
                let emptied = change.record(&mut report, &mut doc);
                out.write(&doc, emptied)?;
                if report.docs.is_multiple_of(1024) {
                    observer.progress(1024, None);
                }
            }
            out.finish()?;
            observer.done();
            report.units_done += 1;
        }
        view.finish();
        report.units = filter.inserted();
        report.bloom_false_positive_rate = Some(filter.false_positive_rate());
        report
            .seconds
            .push(("bloom".into(), started.elapsed().as_secs_f64()));
        Ok(report)
    }
}

/// What dedup did to one document, detached from the text it borrowed.
struct Change {
    removed: usize,
    emptied: bool,
    text: Option<String>,
}

impl Change {
    fn of(d: Deduped<'_>) -> Change {
        Change {
            removed: d.removed.len(),
            emptied: d.emptied,
            text: match d.text {
                std::borrow::Cow::Owned(t) => Some(t),
                std::borrow::Cow::Borrowed(_) => None,
            },
        }
    }

    /// Puts the new text into `doc` (an emptied document keeps its text, for the rejects)
    /// and counts it; returns whether the document was emptied.
    fn record(self, report: &mut LineDedupReport, doc: &mut Document) -> bool {
        if self.removed > 0 {
            report.docs_changed += 1;
            report.units_removed += self.removed as u64;
            doc.metadata
                .extra
                .insert("lines_removed".into(), Value::from(self.removed));
        }
        if self.emptied {
            report.docs_emptied += 1;
        } else if let Some(t) = self.text {
            doc.text = t;
        }
        self.emptied
    }
}

impl Output {
    fn write(&mut self, doc: &Document, emptied: bool) -> Result<(), RunError> {
        if !emptied {
            self.kept.write(doc)?;
        } else if let Some(r) = self.rejects.as_mut() {
            r.write_rejected(doc, STEP_NAME, REASON)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(), RunError> {
        if let Some(r) = self.rejects {
            r.finish()?;
        }
        self.kept.finish()?;
        Ok(())
    }
}
