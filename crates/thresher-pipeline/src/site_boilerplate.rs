//! `thresher boilerplate`: site boilerplate across documents, CCNet-style
//! ([`thresher_dedup::boilerplate`]) over documents on disk: lines that occur on many pages of
//! the same site are removed from every page of that site.
//!
//! Passes (each split by rank and rerun-safe, like the MinHash stages): `count` per input
//! shard (each document's site and distinct normalised lines), `find` per site partition (the
//! lines on at least `min_pages` pages and `min_fraction` of the site's pages), `strip` per
//! shard. Work folder `W` (default `OUT/.boilerplate`): `W/manifest.json`, `W/count/`,
//! `W/find/`, `W/done/`. A document's site is its `metadata.domain`, else its URL's host,
//! without a leading `www.`; documents without either are left alone.
//!
//! Output: `OUT/<shard>.<ext>`; removed lines are listed in `metadata.removed_lines` as
//! `{"line", "reason": "site_boilerplate"}`; a document left empty goes to `OUT/rejects/`
//! (`dropped_by = "site_boilerplate"`, `reason = "all_lines_boilerplate"`).

use crate::jobs::{self, JobIo};
use crate::process::Observer;
use crate::rank::RankSpec;
use crate::runner::{io_err, thread_pool};
use crate::RunError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;
use thresher_core::Document;
use thresher_dedup::boilerplate::{
    find_boilerplate, Boilerplate, BoilerplateConfig, BoilerplateError, SiteLineWriter,
};
use thresher_io::{ReadEvent, ReadOptions, Shard, ShardWriter};

/// The step name emptied documents carry in `dropped_by`.
pub const STEP_NAME: &str = "site_boilerplate";
/// The reason emptied documents carry.
pub const REASON: &str = "all_lines_boilerplate";

jobs::passes! {
    /// One pass.
    "pass", pub enum Pass {
        /// Sites and lines, per input shard.
        Count => "count",
        /// Boilerplate lines, per site partition.
        Find => "find",
        /// Rewritten documents, per input shard.
        Strip => "strip",
    }
}

/// A site-boilerplate job.
#[derive(Debug, Clone)]
pub struct BoilerplateJob {
    /// Inputs, outputs, threads and run options.
    pub io: JobIo,
    /// Thresholds.
    pub config: BoilerplateConfig,
    /// Site partitions (pass `find` runs once per partition).
    pub partitions: u32,
}

/// What a pass (or the job) did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BoilerplateReport {
    /// Input shards.
    pub shards: usize,
    /// Units of work done now.
    pub units_done: usize,
    /// Units skipped because they were done before.
    pub units_skipped: usize,
    /// Documents read (count, strip).
    pub docs: u64,
    /// Documents without a site (left alone).
    pub docs_without_site: u64,
    /// Sites (find).
    pub sites: u64,
    /// Boilerplate (site, line) pairs (find).
    pub boilerplate_lines: u64,
    /// Lines removed (strip).
    pub lines_removed: u64,
    /// Documents that lost lines (strip).
    pub docs_changed: u64,
    /// Documents left empty and dropped (strip).
    pub docs_emptied: u64,
    /// Malformed records skipped by the readers.
    pub problems: u64,
    /// Seconds per pass that ran.
    pub seconds: Vec<(String, f64)>,
}

impl jobs::UnitReport for BoilerplateReport {
    fn skipped(self) -> Self {
        BoilerplateReport {
            units_done: 0,
            units_skipped: 1,
            ..self
        }
    }

    fn add(&mut self, o: &BoilerplateReport) {
        self.units_done += o.units_done;
        self.units_skipped += o.units_skipped;
        self.docs += o.docs;
        self.docs_without_site += o.docs_without_site;
        self.sites += o.sites;
        self.boilerplate_lines += o.boilerplate_lines;
        self.lines_removed += o.lines_removed;
        self.docs_changed += o.docs_changed;
        self.docs_emptied += o.docs_emptied;
        self.problems += o.problems;
    }
}

fn err(e: BoilerplateError) -> RunError {
    RunError::Step {
        step: STEP_NAME.into(),
        message: e.to_string(),
    }
}

/// The site of a document: `metadata.domain`, else its URL's host; without `www.`.
pub fn site_of(doc: &Document) -> Option<String> {
    let host = match &doc.metadata.domain {
        Some(d) if !d.is_empty() => d.clone(),
        _ => {
            let url = doc
                .url
                .as_deref()
                .or_else(|| doc.metadata.extra.get("url").and_then(Value::as_str))?;
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let host = rest.split(['/', '?', '#']).next()?;
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            let host = match host.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => host,
            };
            host.to_string()
        }
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// The page a document is: its URL, else its id (repeated captures of one URL count once).
fn page_of(doc: &Document) -> String {
    doc.url
        .clone()
        .or_else(|| {
            doc.metadata
                .extra
                .get("url")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| doc.id.clone())
}

impl BoilerplateJob {
    fn work(&self) -> PathBuf {
        self.io.work_dir_or(".boilerplate")
    }

    fn done_path(&self, pass: Pass, unit: &str) -> PathBuf {
        self.work()
            .join("done")
            .join(format!("{}-{unit}.json", pass.name()))
    }

    fn shards(&self) -> Result<Vec<Shard>, RunError> {
        self.config.validate().map_err(err)?;
        jobs::text_shards(&self.io.inputs, "boilerplate removal")
    }

    fn prepare(&self, shards: &[Shard]) -> Result<(), RunError> {
        let manifest = json!({
            "format_version": 1,
            "config": self.config,
            "partitions": self.partitions,
            "shards": jobs::shard_ids(shards),
        });
        jobs::check_manifest(&self.work(), &manifest, self.io.overwrite, "boilerplate")
    }

    /// Runs every pass on this machine; writes `OUT/boilerplate.json`.
    pub fn run_all(&self) -> Result<BoilerplateReport, RunError> {
        let mut total = BoilerplateReport::default();
        for &pass in Pass::ALL {
            let r = self.run_pass(pass, RankSpec::default())?;
            total.shards = r.shards;
            total.seconds.extend(r.seconds.clone());
            total.units_done += r.units_done;
            total.units_skipped += r.units_skipped;
            match pass {
                Pass::Count => {
                    total.docs = r.docs;
                    total.docs_without_site = r.docs_without_site;
                    total.problems = r.problems;
                }
                Pass::Find => {
                    total.sites = r.sites;
                    total.boilerplate_lines = r.boilerplate_lines;
                }
                Pass::Strip => {
                    total.lines_removed = r.lines_removed;
                    total.docs_changed = r.docs_changed;
                    total.docs_emptied = r.docs_emptied;
                }
            }
        }
        std::fs::create_dir_all(&self.io.out_dir).map_err(|e| io_err(&self.io.out_dir, e))?;
        let bytes = serde_json::to_vec_pretty(&total).unwrap_or_default();
        thresher_io::write_atomic(&self.io.out_dir.join("boilerplate.json"), &bytes)?;
        Ok(total)
    }

    /// Runs this rank's share of one pass.
    pub fn run_pass(&self, pass: Pass, rank: RankSpec) -> Result<BoilerplateReport, RunError> {
        let started = Instant::now();
        let shards = self.shards()?;
        self.prepare(&shards)?;
        let pool = thread_pool(self.io.threads)?;
        let mut report = match pass {
            Pass::Count => jobs::run_shards(
                &shards,
                rank,
                &pool,
                self.io.quiet,
                |i| self.done_path(pass, &format!("{i:05}")),
                |i, s, o| self.count(i, s, o),
            )?,
            Pass::Find => self.find(&shards, rank, &pool)?,
            Pass::Strip => {
                for p in 0..self.partitions {
                    if jobs::read_done::<BoilerplateReport>(
                        &self.done_path(Pass::Find, &format!("p{p:05}")),
                    )
                    .is_none()
                    {
                        return Err(RunError::State(format!(
                            "pass `find` has not finished partition {p}; run it first"
                        )));
                    }
                }
                let b = Boilerplate::load(&self.work().join("find"), self.partitions, &self.config)
                    .map_err(err)?;
                jobs::run_shards(
                    &shards,
                    rank,
                    &pool,
                    self.io.quiet,
                    |i| self.done_path(pass, &format!("{i:05}")),
                    |_, s, o| self.strip(&b, s, o),
                )?
            }
        };
        report.shards = shards.len();
        report
            .seconds
            .push((pass.name().into(), started.elapsed().as_secs_f64()));
        Ok(report)
    }

    fn count(
        &self,
        index: u32,
        shard: &Shard,
        observer: &dyn Observer,
    ) -> Result<BoilerplateReport, RunError> {
        let mut w = SiteLineWriter::new(&self.config, index, self.partitions).map_err(err)?;
        let mut report = BoilerplateReport::default();
        for event in thresher_io::open(&shard.input, &ReadOptions::default())? {
            match event {
                ReadEvent::Doc(d) => {
                    report.docs += 1;
                    let site = site_of(&d);
                    report.docs_without_site += u64::from(site.is_none());
                    w.push(site.as_deref(), &page_of(&d), &d.text);
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
        w.finish(&self.work().join("count")).map_err(err)?;
        report.units_done = 1;
        Ok(report)
    }

    fn find(
        &self,
        shards: &[Shard],
        rank: RankSpec,
        pool: &rayon::ThreadPool,
    ) -> Result<BoilerplateReport, RunError> {
        for i in 0..shards.len() as u32 {
            if jobs::read_done::<BoilerplateReport>(
                &self.done_path(Pass::Count, &format!("{i:05}")),
            )
            .is_none()
            {
                return Err(RunError::State(format!(
                    "pass `count` has not finished shard {i} ({}); run it first",
                    shards[i as usize].name
                )));
            }
        }
        let mine: Vec<u32> = (0..self.partitions)
            .filter(|p| rank.owns(*p as usize))
            .collect();
        let n = shards.len() as u32;
        jobs::run_units(
            &mine,
            pool,
            |p| self.done_path(Pass::Find, &format!("p{p:05}")),
            |p| {
                let s = find_boilerplate(
                    &self.work().join("count"),
                    n,
                    p,
                    &self.config,
                    &self.work().join("find"),
                )
                .map_err(err)?;
                Ok(BoilerplateReport {
                    units_done: 1,
                    sites: s.sites,
                    boilerplate_lines: s.boilerplate,
                    ..BoilerplateReport::default()
                })
            },
        )
    }

    fn strip(
        &self,
        b: &Boilerplate,
        shard: &Shard,
        observer: &dyn Observer,
    ) -> Result<BoilerplateReport, RunError> {
        std::fs::create_dir_all(&self.io.out_dir).map_err(|e| io_err(&self.io.out_dir, e))?;
        let name = format!("{}.{}", shard.name, self.io.format.extension());
        let mut kept = ShardWriter::create(&self.io.out_dir.join(&name), self.io.format)?;
        let mut rejects = if self.io.write_rejects {
            let dir = self.io.out_dir.join("rejects");
            std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
            Some(ShardWriter::create(&dir.join(&name), self.io.format)?)
        } else {
            None
        };
        let mut report = BoilerplateReport::default();
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
            let emptied = apply(b, &mut doc, &mut report);
            if !emptied {
                kept.write(&doc)?;
            } else if let Some(r) = rejects.as_mut() {
                r.write_rejected(&doc, STEP_NAME, REASON)?;
            }
            if report.docs.is_multiple_of(1024) {
                observer.progress(1024, None);
            }
        }
        if let Some(r) = rejects {
            r.finish()?;
        }
        kept.finish()?;
        report.units_done = 1;
        Ok(report)
    }
}

/// Removes `doc`'s boilerplate lines, listing them in `metadata.removed_lines`; returns
/// whether nothing is left (the text is then kept as it was, for the rejects).
pub fn apply(b: &Boilerplate, doc: &mut Document, report: &mut BoilerplateReport) -> bool {
    let site = site_of(doc);
    let Some(s) = b.strip(site.as_deref(), &doc.text) else {
        return false;
    };
    report.docs_changed += 1;
    report.lines_removed += s.removed.len() as u64;
    let list = doc
        .metadata
        .extra
        .entry("removed_lines")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = list {
        items.extend(
            s.removed
                .iter()
                .map(|l| json!({"line": l, "reason": "site_boilerplate"})),
        );
    }
    if s.text.trim().is_empty() {
        report.docs_emptied += 1;
        return true;
    }
    doc.text = s.text;
    false
}
