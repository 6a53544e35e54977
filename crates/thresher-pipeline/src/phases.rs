//! A run cut into phases for a scheduler (Ray, a Slurm job array, a Kubernetes indexed Job).
//!
//! `thresher run` does everything in one process. A cluster instead runs the same work as
//! phases, in order; each phase is a list of independent units (input shards, MinHash
//! buckets, site partitions) that any number of workers may share, each taking the units
//! `i % world_size == rank`. The result is that of one `thresher run` over all inputs (world
//! size 1): the corpus-wide step sees every shard. The phases of a pipeline:
//!
//! - `pass1`: per input shard, the steps before the corpus-wide step (or all of them).
//! - with `minhash_dedup`: `minhash.signatures` (per shard), `minhash.buckets` (per bucket),
//!   `minhash.clusters` (one unit); with `site_boilerplate`: `boilerplate.count` (per shard),
//!   `boilerplate.find` (per site partition); exact dedup needs no phase of its own.
//! - `pass2`: per shard, the corpus-wide decision and the steps after it.
//!
//! Then [`finish`] (once) checks that every shard is done, writes `stats.json` and removes the
//! intermediate files. Every unit writes its outputs atomically and marks itself done, so a
//! unit that is run again (a retried task, a rerun array) skips the work or redoes it in full.

use crate::pipeline::Corpus;
use crate::rank::RankSpec;
use crate::report::ProgressView;
use crate::runner::{RunReport, Setup, BOILERPLATE_PARTITIONS};
use crate::{PipelineConfig, RunError};
use serde::Serialize;
use std::time::Instant;
use thresher_core::Stats;

/// One phase of a run and how many units it splits into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseInfo {
    /// Name, as [`run_phase`] takes it.
    pub name: String,
    /// Independent units of work; a rank owns units `i % world_size == rank`.
    pub units: usize,
    /// Expected work of each unit (input bytes of its shard) where known, else empty: a
    /// scheduler that starts the biggest units first finishes the phase sooner.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<u64>,
}

/// What one worker's share of a phase did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseReport {
    /// The phase.
    pub phase: String,
    /// Units this rank owns.
    pub units: usize,
    /// Units found already done (skipped).
    pub units_skipped: usize,
    /// Document statistics of the shards finished now (phases `pass1` and `pass2`; `pass2`
    /// reports both passes of each shard).
    pub stats: Stats,
    /// The dedup stage's own report (MinHash or boilerplate phases).
    pub detail: serde_json::Value,
    /// Wall time.
    pub seconds: f64,
}

/// Options of a phased run; the rank splits a phase's units, not the run.
#[derive(Debug, Clone, Default)]
pub struct PhaseOptions {
    /// Worker threads of this process; 0 = one per core.
    pub threads: usize,
    /// Discard the state of an earlier, different run in the output folder (give it to the
    /// first call only: workers running at once must not clear each other's work).
    pub overwrite: bool,
    /// The input shards when already discovered (a remote run lists its bucket once);
    /// `None`: discovered from the pipeline's `[input]`.
    pub shards: Option<Vec<thresher_io::Shard>>,
}

const PASS1: &str = "pass1";
const PASS2: &str = "pass2";

/// The phases of a run of `cfg`, in the order they must run. Checks the pipeline and the
/// output folder (with `opts.overwrite`, claims it for this run).
///
/// Inputs and output may be URLs of object storage (see [`crate::remote`]).
pub fn plan(cfg: &PipelineConfig, opts: &PhaseOptions) -> Result<Vec<PhaseInfo>, RunError> {
    if crate::remote::wanted(cfg) {
        return crate::remote::plan(cfg, opts);
    }
    local_plan(cfg, opts)
}

/// Runs `rank`'s share of one phase. Phases must run in [`plan`]'s order, each complete
/// (all ranks) before the next starts.
pub fn run_phase(
    cfg: &PipelineConfig,
    phase: &str,
    rank: RankSpec,
    opts: &PhaseOptions,
) -> Result<PhaseReport, RunError> {
    if crate::remote::wanted(cfg) {
        return crate::remote::run_phase(cfg, phase, rank, opts);
    }
    local_run_phase(cfg, phase, rank, opts)
}

/// After every phase: checks that every shard is done, merges their statistics into
/// `stats.json` and removes the intermediate files.
pub fn finish(cfg: &PipelineConfig, opts: &PhaseOptions) -> Result<RunReport, RunError> {
    if crate::remote::wanted(cfg) {
        return crate::remote::finish(cfg, opts);
    }
    local_finish(cfg, opts)
}

/// [`plan`] with a local output folder.
pub(crate) fn local_plan(
    cfg: &PipelineConfig,
    opts: &PhaseOptions,
) -> Result<Vec<PhaseInfo>, RunError> {
    let setup = Setup::new(
        cfg,
        opts.threads.max(1),
        RankSpec::default(),
        opts.overwrite,
        opts.shards.clone(),
    )?;
    Ok(phases_of(&setup))
}

/// [`run_phase`] with a local output folder.
pub(crate) fn local_run_phase(
    cfg: &PipelineConfig,
    phase: &str,
    rank: RankSpec,
    opts: &PhaseOptions,
) -> Result<PhaseReport, RunError> {
    let started = Instant::now();
    // Only `plan` may claim the folder: workers running at once must not clear each other's
    // markers.
    if opts.overwrite {
        return Err(RunError::Config(
            "overwrite is for plan only: workers of a phase share the output folder".into(),
        ));
    }
    let setup = Setup::new(
        cfg,
        opts.threads,
        RankSpec::default(),
        false,
        opts.shards.clone(),
    )?;
    let phases = phases_of(&setup);
    let Some(info) = phases.iter().find(|p| p.name == phase) else {
        let known: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
        return Err(RunError::Config(format!(
            "unknown phase `{phase}` for this pipeline: {}",
            known.join(", ")
        )));
    };
    let units = info.units;
    let all = setup.owned(RankSpec::default());
    let mut report = PhaseReport {
        phase: phase.to_string(),
        ..PhaseReport::default()
    };
    let view = ProgressView::new(0, true);
    let ctx = setup.ctx(&view);
    match phase {
        PASS1 => {
            for (i, shard) in &all {
                if !rank.owns(*i) {
                    continue;
                }
                report.units += 1;
                let finished = setup.done_stats(shard)?.is_some()
                    || (setup.pipeline.corpus.is_some() && setup.pass1_stats(shard)?.is_some());
                if finished {
                    report.units_skipped += 1;
                    continue;
                }
                let stats = ctx.pass1(shard)?;
                report.stats.merge(&stats);
            }
        }
        PASS2 => {
            let corpus = setup
                .pipeline
                .corpus
                .as_ref()
                .ok_or_else(|| RunError::Config("this pipeline has no phase pass2".into()))?;
            let mut index = None;
            for (i, shard) in &all {
                if !rank.owns(*i) {
                    continue;
                }
                report.units += 1;
                if setup.done_stats(shard)?.is_some() {
                    report.units_skipped += 1;
                    continue;
                }
                let pass1 = setup.pass1_stats(shard)?.ok_or_else(|| {
                    RunError::State(format!(
                        "shard {} has not finished phase pass1: run it first",
                        shard.name
                    ))
                })?;
                let index = match &mut index {
                    Some(x) => x,
                    None => index.insert(setup.corpus_index(corpus, &all, false)?),
                };
                let stats = setup.pass2_shard(&ctx, shard, *i as u32, corpus, index, pass1)?;
                report.stats.merge(&stats);
            }
        }
        stage => {
            // The stages read every shard's first-pass documents. Only the markers' presence
            // is checked: reading every shard's marker in every unit would cost a remote run
            // one request per shard per unit (the per-shard phases check their own).
            for (_, shard) in &all {
                let finished = setup.state.pass1(&shard.name).exists()
                    || setup.state.done(&shard.name).exists();
                if !finished {
                    return Err(RunError::State(format!(
                        "shard {} has not finished phase pass1: run it first",
                        shard.name
                    )));
                }
            }
            let detail = run_stage(&setup, &all, stage, rank)?;
            report.units = (0..units).filter(|u| rank.owns(*u)).count();
            report.units_skipped = detail
                .get("units_skipped")
                .and_then(|v| v.as_u64())
                .unwrap_or(0) as usize;
            report.detail = detail;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// [`finish`] with a local output folder.
pub(crate) fn local_finish(
    cfg: &PipelineConfig,
    opts: &PhaseOptions,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let setup = Setup::new(
        cfg,
        opts.threads.max(1),
        RankSpec::default(),
        false,
        opts.shards.clone(),
    )?;
    let all = setup.owned(RankSpec::default());
    let mut total = Stats::default();
    let mut missing = Vec::new();
    for (_, shard) in &all {
        match setup.done_stats(shard)? {
            Some(st) => total.merge(&st),
            None => missing.push(shard.name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(RunError::State(format!(
            "{} of {} shards are not done (first: {}): run the missing phases first",
            missing.len(),
            all.len(),
            missing[0]
        )));
    }
    if setup.pipeline.corpus.is_some() {
        setup.clean_work(&all);
    }
    // Temp files of attempts that were killed. Not removed when a unit starts: another attempt
    // at the same unit (a retry while the first is still alive) may be writing them.
    let view = ProgressView::new(0, true);
    let ctx = setup.ctx(&view);
    for (_, shard) in &all {
        crate::runner::remove_stale_temps(&ctx.shard_files(&shard.name));
    }
    // Nothing was read by this call; the per-phase reports carry what each worker did.
    setup.write_report(
        RankSpec::default(),
        all.len(),
        all.len(),
        started,
        total,
        &Stats::default(),
    )
}

/// The phases of the run `setup` describes, in order.
fn phases_of(setup: &Setup) -> Vec<PhaseInfo> {
    let n = setup.shards.len();
    let sizes: Vec<u64> = setup
        .shards
        .iter()
        .map(|s| crate::runner::input_size(&s.input))
        .collect();
    let per_shard = |name: &str| PhaseInfo {
        name: name.into(),
        units: n,
        weights: sizes.clone(),
    };
    let mut phases = vec![per_shard(PASS1)];
    let Some(corpus) = &setup.pipeline.corpus else {
        return phases;
    };
    let stage = |name: &str, units: usize| PhaseInfo {
        name: name.into(),
        units,
        weights: Vec::new(),
    };
    match corpus {
        Corpus::Keyed(_) => {}
        Corpus::Minhash(c) => {
            let buckets = crate::minhash_dedup::config_of(c).num_buckets;
            phases.extend([
                per_shard("minhash.signatures"),
                stage("minhash.buckets", buckets),
                stage("minhash.clusters", 1),
            ]);
        }
        Corpus::Boilerplate(_) => phases.extend([
            per_shard("boilerplate.count"),
            stage("boilerplate.find", BOILERPLATE_PARTITIONS as usize),
        ]),
    }
    phases.push(per_shard(PASS2));
    phases
}

/// Runs a dedup stage's share; returns its report.
fn run_stage(
    setup: &Setup,
    all: &[(usize, thresher_io::Shard)],
    stage: &str,
    rank: RankSpec,
) -> Result<serde_json::Value, RunError> {
    let to_json = |r: serde_json::Result<serde_json::Value>| r.unwrap_or_default();
    match (&setup.pipeline.corpus, stage.split_once('.')) {
        (Some(Corpus::Minhash(c)), Some(("minhash", name))) => {
            let stage = crate::minhash_dedup::Stage::parse(name).map_err(RunError::Config)?;
            let job = crate::runner::minhash_job(c, all, setup, false)?;
            Ok(to_json(serde_json::to_value(job.run_stage(stage, rank)?)))
        }
        (Some(Corpus::Boilerplate(c)), Some(("boilerplate", name))) => {
            let pass = crate::site_boilerplate::Pass::parse(name).map_err(RunError::Config)?;
            let job = crate::runner::boilerplate_job(c, all, setup, false);
            Ok(to_json(serde_json::to_value(job.run_pass(pass, rank)?)))
        }
        _ => Err(RunError::Config(format!("unknown phase `{stage}`"))),
    }
}
