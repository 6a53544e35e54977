//! The run: discover shards, take this rank's share, skip what is already done, stream the rest
//! through the pipeline on all cores, and write shards, rejects, markers and `stats.json`.
//!
//! Output layout of `OUT/`:
//! - `<shard>.<ext>`: kept documents of each input shard.
//! - `rejects/<shard>.<ext>`: documents dropped by per-document steps, with `dropped_by` and
//!   `reason`; `rejects/<shard>.<corpus step>.<ext>`: those dropped by the corpus-wide step
//!   (and steps after it).
//! - `stats.json` (or `stats.rank-R-of-N.json`): the run's statistics.
//! - `.thresher/`: run fingerprint, completion markers, and the first pass's files while a
//!   corpus-wide step is pending.

use crate::keys::{read_keys, KeyWriter};
use crate::markers::{read_marker, InputId, Marker, StateDir};
use crate::pipeline::Corpus;
use crate::process::{self, Gate, Outcome, Sink};
use crate::rank::RankSpec;
use crate::report::{ProgressView, RunReport as Report};
use crate::{Pipeline, PipelineConfig, RunError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use thresher_core::Stats;
use thresher_io::{Input, InputFormat, OutputFormat, ReadOptions, Shard, ShardWriter};

pub use crate::report::RunReport;

/// How to run (as opposed to what: that is the [`PipelineConfig`]).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// This process's share of the shards.
    pub rank: RankSpec,
    /// No progress bar and no per-problem log lines.
    pub quiet: bool,
    /// Discard the state of an earlier, different run in the output folder instead of failing.
    pub overwrite: bool,
}

/// Stack size of worker threads: extraction walks DOM trees, and deep (but legal) pages need
/// more than the 2 MiB default.
const WORKER_STACK: usize = 64 << 20;

/// A pool of `threads` workers (0 = one per core) with stacks big enough for deep pages.
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    let n = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("thresher-{i}"))
        .build()
        .map_err(|e| RunError::Config(format!("cannot start {n} threads: {e}")))
}

pub(crate) fn io_err(path: &Path, e: std::io::Error) -> RunError {
    RunError::Io(thresher_io::IoError::io(path, e))
}

/// What every part of a run needs and does not change during it: the steps, the shards, the
/// output folder (created, and checked to hold this run) and the thread pool.
pub(crate) struct Setup {
    pub(crate) pipeline: Pipeline,
    format: OutputFormat,
    rejects: bool,
    /// Every input shard, in discovery order (all ranks').
    pub(crate) shards: Vec<Shard>,
    pub(crate) out: PathBuf,
    pub(crate) state: StateDir,
    read_opts: ReadOptions,
    pub(crate) pool: rayon::ThreadPool,
    pub(crate) threads: usize,
    /// Whose run this is: ranks of a plain `--rank` run keep their dedup stages apart.
    rank: RankSpec,
}

impl Setup {
    /// Builds the pipeline, discovers the shards and prepares the output folder. The world
    /// size is part of the run's fingerprint when a corpus-wide step makes the shard split
    /// matter; a phased run is one run over every shard (rank 0 of 1). `shards`: the inputs
    /// when already discovered (a remote run lists its bucket once), else discovered here.
    pub(crate) fn new(
        cfg: &PipelineConfig,
        threads: usize,
        rank: RankSpec,
        overwrite: bool,
        shards: Option<Vec<Shard>>,
    ) -> Result<Setup, RunError> {
        let world_size = rank.world_size;
        if cfg.input.paths.is_empty() {
            return Err(RunError::Config(
                "no input: give --input or [input] paths in the pipeline file".into(),
            ));
        }
        let pipeline = Pipeline::build(cfg)?;
        let format: OutputFormat = cfg
            .output
            .format
            .parse()
            .map_err(|e| RunError::Config(format!("[output] format: {e}")))?;
        let shards = match shards {
            Some(s) => s,
            None => thresher_io::discover(&cfg.input.paths)?,
        };
        let out = PathBuf::from(&cfg.output.dir);
        let state = StateDir::new(&out);
        for dir in [
            out.clone(),
            out.join("rejects"),
            state.root().join("done"),
            state.work_dir(),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        }
        check_fingerprint(cfg, &pipeline, &shards, &state, overwrite, world_size)?;
        let pool = thread_pool(threads)?;
        let read_opts = ReadOptions {
            max_record_bytes: cfg.input.max_record_bytes,
            parquet_text_column: cfg.input.parquet_text_column.clone(),
            ..ReadOptions::default()
        };
        Ok(Setup {
            pipeline,
            format,
            rejects: cfg.output.rejects,
            shards,
            out,
            state,
            read_opts,
            pool,
            threads,
            rank,
        })
    }

    /// The folder of a corpus-wide step's stages (`minhash`, `boilerplate`): one per rank when
    /// the ranks dedup apart, so that they never share (or clean up) each other's files.
    pub(crate) fn stage_dir(&self, what: &str) -> PathBuf {
        let name = if self.rank.world_size == 1 {
            what.to_string()
        } else {
            format!("{what}.rank-{}-of-{}", self.rank.rank, self.rank.world_size)
        };
        self.state.work_dir().join(name)
    }

    /// The shards `rank` owns, with their index among all shards.
    pub(crate) fn owned(&self, rank: RankSpec) -> Vec<(usize, Shard)> {
        self.shards
            .iter()
            .cloned()
            .enumerate()
            .filter(|(i, _)| rank.owns(*i))
            .collect()
    }

    pub(crate) fn ctx<'a>(&'a self, view: &'a ProgressView) -> Ctx<'a> {
        Ctx {
            pipeline: &self.pipeline,
            format: self.format,
            rejects: self.rejects,
            out: &self.out,
            state: &self.state,
            read_opts: &self.read_opts,
            pool: &self.pool,
            view,
        }
    }

    /// The statistics of a shard whose work is complete, if it is.
    pub(crate) fn done_stats(&self, shard: &Shard) -> Result<Option<Stats>, RunError> {
        Ok(
            read_marker(&self.state.done(&shard.name), &input_id(&shard.input))
                .map_err(RunError::State)?
                .map(|m| m.stats),
        )
    }

    /// The statistics of a shard whose first pass is complete, if it is.
    pub(crate) fn pass1_stats(&self, shard: &Shard) -> Result<Option<Stats>, RunError> {
        Ok(
            read_marker(&self.state.pass1(&shard.name), &input_id(&shard.input))
                .map_err(RunError::State)?
                .map(|m| m.stats),
        )
    }

    /// What the second pass decides by, for the corpus of `mine` (in order). With
    /// `run_stages`, the MinHash stages or boilerplate passes run here first (all their units);
    /// without, they must have run already.
    pub(crate) fn corpus_index(
        &self,
        corpus: &Corpus,
        mine: &[(usize, Shard)],
        run_stages: bool,
    ) -> Result<CorpusIndex, RunError> {
        Ok(match corpus {
            Corpus::Keyed(_) => CorpusIndex::Keyed(FirstSeen::build(mine, &self.state)?),
            Corpus::Minhash(c) => {
                let job = minhash_job(c, mine, self, run_stages)?;
                if run_stages {
                    use crate::minhash_dedup::Stage;
                    for stage in [Stage::Signatures, Stage::Buckets, Stage::Clusters] {
                        job.run_stage(stage, RankSpec::default())?;
                    }
                }
                CorpusIndex::Minhash(job)
            }
            Corpus::Boilerplate(c) => {
                let job = boilerplate_job(c, mine, self, run_stages);
                if run_stages {
                    use crate::site_boilerplate::Pass;
                    for pass in [Pass::Count, Pass::Find] {
                        job.run_pass(pass, RankSpec::default())?;
                    }
                }
                CorpusIndex::Boilerplate(load_boilerplate(&job)?)
            }
        })
    }

    /// Second pass over one shard, then its completion marker; returns the shard's statistics
    /// over both passes.
    pub(crate) fn pass2_shard(
        &self,
        ctx: &Ctx<'_>,
        shard: &Shard,
        order: u32,
        corpus: &Corpus,
        index: &CorpusIndex,
        pass1: Stats,
    ) -> Result<Stats, RunError> {
        let mut stats = pass1;
        let pass2 = ctx.pass2(shard, order, corpus, index)?;
        stats.merge(&pass2);
        ctx.finish_shard(shard, &stats)?;
        // MinHash's and boilerplate's passes read every shard's first-pass documents until
        // the run is done.
        if matches!(corpus, Corpus::Keyed(_)) {
            let _ = std::fs::remove_file(self.state.pass1_docs(&shard.name));
        }
        Ok(stats)
    }

    /// Once every shard of `mine` is done: removes the first pass's files, which are no longer
    /// needed (also after a kill between the last marker and this cleanup).
    pub(crate) fn clean_work(&self, mine: &[(usize, Shard)]) {
        for (_, s) in mine {
            let _ = std::fs::remove_file(self.state.pass1_keys(&s.name));
            let _ = std::fs::remove_file(self.state.pass1(&s.name));
            let _ = std::fs::remove_file(self.state.pass1_docs(&s.name));
        }
        let _ = std::fs::remove_dir_all(self.stage_dir("minhash"));
        let _ = std::fs::remove_dir_all(self.stage_dir("boilerplate"));
    }

    /// Writes `stats.json` (or the rank's file) and returns the report.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_report(
        &self,
        rank: RankSpec,
        mine: usize,
        resumed: usize,
        started: Instant,
        total: Stats,
        now: &Stats,
    ) -> Result<RunReport, RunError> {
        let report = Report {
            pipeline: self.pipeline.name.clone(),
            steps: self.pipeline.step_names(),
            out_dir: self.out.clone(),
            rank: rank.rank,
            world_size: rank.world_size,
            threads: self.pool.current_num_threads(),
            shards_total: self.shards.len(),
            shards_this_rank: mine,
            shards_resumed: resumed,
            wall_seconds: started.elapsed().as_secs_f64(),
            docs_read_now: now.docs_read,
            bytes_read_now: now.bytes_read,
            stats: total,
        };
        let stats_path = if rank.world_size == 1 {
            self.out.join("stats.json")
        } else {
            self.out.join(format!(
                "stats.rank-{}-of-{}.json",
                rank.rank, rank.world_size
            ))
        };
        let json = serde_json::to_vec_pretty(&report.to_json())
            .map_err(|e| RunError::State(format!("stats: {e}")))?;
        thresher_io::writer::write_atomic(&stats_path, &json)?;
        Ok(report)
    }
}

/// Runs a pipeline over its inputs.
pub fn run(cfg: &PipelineConfig, opts: &RunOptions) -> Result<RunReport, RunError> {
    let started = Instant::now();
    if crate::remote::wanted(cfg) {
        return crate::remote::run(cfg, opts);
    }
    let setup = Setup::new(cfg, opts.threads, opts.rank, opts.overwrite, None)?;
    let pipeline = &setup.pipeline;
    let pool = &setup.pool;
    let mine = setup.owned(opts.rank);

    // Which shards still need work.
    let mut done: HashMap<String, Stats> = HashMap::new();
    for (_, s) in &mine {
        if let Some(st) = setup.done_stats(s)? {
            done.insert(s.name.clone(), st);
        }
    }
    let resumed: std::collections::HashSet<String> = done.keys().cloned().collect();
    let pending: Vec<&(usize, Shard)> = mine
        .iter()
        .filter(|(_, s)| !done.contains_key(&s.name))
        .collect();
    let total_bytes: u64 = pending.iter().map(|(_, s)| input_size(&s.input)).sum();
    let view = ProgressView::new(total_bytes, opts.quiet);

    let ctx = setup.ctx(&view);

    for (_, s) in &mine {
        remove_stale_temps(&ctx.shard_files(&s.name));
    }

    // Pass 1: per-document steps before the corpus-wide step.
    let mut pass1: HashMap<String, Stats> = HashMap::new();
    if pipeline.corpus.is_some() {
        for (_, s) in &pending {
            if let Some(st) = setup.pass1_stats(s)? {
                pass1.insert(s.name.clone(), st);
            }
        }
    }
    let todo1: Vec<&Shard> = pending
        .iter()
        .map(|(_, s)| s)
        .filter(|s| !pass1.contains_key(&s.name))
        .collect();
    let results = for_each_shard(&todo1, opts.threads, pool, |shard| ctx.pass1(shard))?;
    for (name, stats) in results {
        if pipeline.corpus.is_some() {
            pass1.insert(name, stats);
        } else {
            done.insert(name, stats);
        }
    }

    // Pass 2: the corpus-wide step over every shard of this rank, then the steps after it.
    if let (Some(corpus), false) = (&pipeline.corpus, pending.is_empty()) {
        let index = setup.corpus_index(corpus, &mine, true)?;
        let todo2: Vec<&Shard> = pending.iter().map(|(_, s)| s).collect();
        let order: HashMap<&str, u32> = mine
            .iter()
            .enumerate()
            .map(|(i, (_, s))| (s.name.as_str(), i as u32))
            .collect();
        let results = for_each_shard(&todo2, opts.threads, pool, |shard| {
            let pass1 = pass1.get(&shard.name).cloned().unwrap_or_default();
            setup.pass2_shard(
                &ctx,
                shard,
                order[shard.name.as_str()],
                corpus,
                &index,
                pass1,
            )
        })?;
        done.extend(results);
    }
    if pipeline.corpus.is_some() && mine.iter().all(|(_, s)| done.contains_key(&s.name)) {
        setup.clean_work(&mine);
    }
    view.finish();

    let mut total = Stats::default();
    let mut now = Stats::default();
    for (_, s) in &mine {
        if let Some(st) = done.get(&s.name) {
            total.merge(st);
            if !resumed.contains(s.name.as_str()) {
                now.merge(st);
            }
        }
    }
    setup.write_report(
        opts.rank,
        mine.len(),
        mine.len() - pending.len(),
        started,
        total,
        &now,
    )
}

pub(crate) fn input_id(input: &Input) -> InputId {
    InputId {
        path: input.path.display().to_string(),
        size: input_size(input),
    }
}

/// Total size of an input (for progress and bytes-read stats): on disk, or as listed.
pub(crate) fn input_size(input: &Input) -> u64 {
    if let Some(r) = &input.remote {
        return r.size;
    }
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    if input.members.is_empty() {
        size(&input.path)
    } else {
        input.members.iter().map(|p| size(p)).sum()
    }
}

/// Runs `work` over shards on up to `threads` driver threads (they read, write and compress;
/// the steps themselves run on the pool). Stops taking new shards after the first error.
fn for_each_shard<F>(
    shards: &[&Shard],
    threads: usize,
    pool: &rayon::ThreadPool,
    work: F,
) -> Result<Vec<(String, Stats)>, RunError>
where
    F: Fn(&Shard) -> Result<Stats, RunError> + Sync,
{
    let drivers = if threads == 0 {
        pool.current_num_threads()
    } else {
        threads
    }
    .clamp(1, shards.len().max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<(usize, String, Stats)>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<RunError>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..drivers {
            scope.spawn(|| loop {
                if failed.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(shard) = shards.get(i) else { return };
                match work(shard) {
                    Ok(stats) => {
                        if let Ok(mut r) = results.lock() {
                            r.push((i, shard.name.clone(), stats));
                        }
                    }
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        if let Ok(mut errs) = errors.lock() {
                            errs.push(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    let mut errors = errors.into_inner().unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors.swap_remove(0));
    }
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _, _)| *i);
    Ok(results.into_iter().map(|(_, n, s)| (n, s)).collect())
}

/// Everything a shard's work needs.
pub(crate) struct Ctx<'a> {
    pipeline: &'a Pipeline,
    format: OutputFormat,
    rejects: bool,
    out: &'a Path,
    state: &'a StateDir,
    read_opts: &'a ReadOptions,
    pool: &'a rayon::ThreadPool,
    view: &'a ProgressView,
}

impl Ctx<'_> {
    /// Every file a shard's work writes (their temp files are named after them).
    pub(crate) fn shard_files(&self, shard: &str) -> Vec<PathBuf> {
        let mut v = vec![
            self.out_path(shard),
            self.rejects_path(shard, None),
            self.state.done(shard),
        ];
        if let Some(c) = &self.pipeline.corpus {
            v.extend([
                self.rejects_path(shard, Some(c.name())),
                self.state.pass1(shard),
                self.state.pass1_docs(shard),
                self.state.pass1_keys(shard),
            ]);
        }
        v
    }

    fn out_path(&self, shard: &str) -> PathBuf {
        self.out
            .join(format!("{shard}.{}", self.format.extension()))
    }

    fn rejects_path(&self, shard: &str, pass: Option<&str>) -> PathBuf {
        let name = match pass {
            Some(p) => format!("{shard}.{p}.{}", self.format.extension()),
            None => format!("{shard}.{}", self.format.extension()),
        };
        self.out.join("rejects").join(name)
    }

    fn rejects_writer(&self, path: PathBuf) -> Option<Rejects> {
        self.rejects.then_some(Rejects {
            path,
            format: self.format,
            writer: None,
        })
    }

    /// First pass over a shard: read, run the steps before the corpus-wide step, write.
    pub(crate) fn pass1(&self, shard: &Shard) -> Result<Stats, RunError> {
        let mut stats = Stats {
            bytes_read: input_size(&shard.input),
            ..Stats::default()
        };
        let events = thresher_io::open(&shard.input, self.read_opts)?;
        let corpus = self.pipeline.corpus.as_ref();
        let (kept, keys) = match corpus {
            Some(_) => (
                // Read back once by the second pass and deleted: fastest zstd level.
                ShardWriter::create_with_level(
                    &self.state.pass1_docs(&shard.name),
                    OutputFormat::JsonlZst,
                    thresher_io::writer::ZSTD_LEVEL_SCRATCH,
                )?,
                Some(
                    KeyWriter::create(&self.state.pass1_keys(&shard.name))
                        .map_err(|e| io_err(&self.state.pass1_keys(&shard.name), e))?,
                ),
            ),
            None => (
                ShardWriter::create(&self.out_path(&shard.name), self.format)?,
                None,
            ),
        };
        let mut sink = ShardSink {
            kept,
            rejects: self.rejects_writer(self.rejects_path(&shard.name, None)),
            keys,
            corpus,
            written: 0,
            rejected: 0,
        };
        let observer = self.view.shard(input_size(&shard.input));
        process::stream(
            events,
            &self.pipeline.before,
            None,
            &mut sink,
            &mut stats,
            &observer,
            self.pool,
        )?;
        observer.done();
        let (written, rejected) = sink.finish(self.state, &shard.name)?;
        stats.docs_rejected += rejected;
        if corpus.is_some() {
            write_marker(&self.state.pass1(&shard.name), shard, &stats)?;
        } else {
            stats.docs_written += written;
            self.finish_shard(shard, &stats)?;
        }
        Ok(stats)
    }

    /// Second pass: the corpus-wide decision in input order, then the steps after it.
    fn pass2(
        &self,
        shard: &Shard,
        shard_index: u32,
        corpus: &Corpus,
        index: &CorpusIndex,
    ) -> Result<Stats, RunError> {
        let docs_path = self.state.pass1_docs(&shard.name);
        let keys_path = self.state.pass1_keys(&shard.name);
        let keys = read_keys(&keys_path).map_err(RunError::State)?;
        let input = Input {
            path: docs_path.clone(),
            format: InputFormat::Jsonl,
            members: Vec::new(),
            remote: None,
        };
        // Our own intermediate file: any problem in it is corruption, not bad input.
        let problem_slot = std::sync::Arc::new(Mutex::new(None::<String>));
        let slot = problem_slot.clone();
        let events: thresher_io::EventStream = Box::new(
            // The first pass already bounded each document; its JSON line may be longer than
            // the input record was (escaping, added metadata), so no limit here.
            thresher_io::open(
                &input,
                &ReadOptions {
                    max_record_bytes: u64::MAX,
                    ..self.read_opts.clone()
                },
            )?
            .filter_map(move |ev| match ev {
                thresher_io::ReadEvent::Problem(p) => {
                    if let Ok(mut s) = slot.lock() {
                        s.get_or_insert(p.to_string());
                    }
                    None
                }
                other => Some(other),
            }),
        );
        let mut stats = Stats::default();
        let mut sink = ShardSink {
            kept: ShardWriter::create(&self.out_path(&shard.name), self.format)?,
            rejects: self.rejects_writer(self.rejects_path(&shard.name, Some(corpus.name()))),
            keys: None,
            corpus: None,
            written: 0,
            rejected: 0,
        };
        let mut mismatch = false;
        let minhash = match index {
            CorpusIndex::Minhash(job) => Some(job.shard_decisions(shard_index)?),
            CorpusIndex::Keyed(_) | CorpusIndex::Boilerplate(_) => None,
        };
        let mut decide = |doc: &mut thresher_core::Document, pos: u64| -> Option<String> {
            let Some((key, id)) = keys.get(pos as usize) else {
                mismatch = true;
                return None;
            };
            if id != &doc.id {
                mismatch = true;
            }
            match (corpus, index, &minhash) {
                (Corpus::Keyed(step), CorpusIndex::Keyed(first), _) => {
                    let key = (*key)?;
                    match first.first(key) {
                        Some((s, p, first_id)) if (s, p) != (shard_index, pos as u32) => {
                            doc.metadata.extra.insert(
                                "duplicate_of".into(),
                                serde_json::Value::String(first_id.to_string()),
                            );
                            Some(step.reason().to_string())
                        }
                        _ => None,
                    }
                }
                (Corpus::Minhash(c), _, Some(decisions)) => {
                    let pos = u32::try_from(pos).ok()?;
                    crate::minhash_dedup::apply_decision(decisions, pos, doc, c.annotate)
                        .then(|| crate::minhash_dedup::REASON.to_string())
                }
                (Corpus::Boilerplate(_), CorpusIndex::Boilerplate(b), _) => {
                    let mut r = crate::site_boilerplate::BoilerplateReport::default();
                    crate::site_boilerplate::apply(b, doc, &mut r)
                        .then(|| crate::site_boilerplate::REASON.to_string())
                }
                _ => None,
            }
        };
        let observer = process::NoObserver;
        process::stream(
            events,
            &self.pipeline.after,
            Some(Gate {
                name: corpus.name(),
                decide: &mut decide,
            }),
            &mut sink,
            &mut stats,
            &observer,
            self.pool,
        )?;
        if let Some(p) = problem_slot.lock().ok().and_then(|mut s| s.take()) {
            return Err(RunError::State(format!(
                "{}: corrupt intermediate file: {p}",
                docs_path.display()
            )));
        }
        if mismatch || stats.docs_read != keys.len() as u64 {
            return Err(RunError::State(format!(
                "{} and {} disagree (keys for {} documents, {} read): delete {} and rerun",
                docs_path.display(),
                keys_path.display(),
                keys.len(),
                stats.docs_read,
                self.state.root().display()
            )));
        }
        let (written, rejected) = sink.finish(self.state, &shard.name)?;
        // These documents were already counted as read by the first pass.
        stats.docs_read = 0;
        stats.docs_written += written;
        stats.docs_rejected += rejected;
        Ok(stats)
    }

    pub(crate) fn finish_shard(&self, shard: &Shard, stats: &Stats) -> Result<(), RunError> {
        write_marker(&self.state.done(&shard.name), shard, stats)
    }
}

fn write_marker(path: &Path, shard: &Shard, stats: &Stats) -> Result<(), RunError> {
    let m = Marker {
        shard: shard.name.clone(),
        input: input_id(&shard.input),
        stats: stats.clone(),
    };
    let bytes = serde_json::to_vec(&m).map_err(|e| RunError::State(e.to_string()))?;
    thresher_io::writer::write_atomic(path, &bytes)?;
    Ok(())
}

/// A rejects file, created on the first rejected document so shards without rejects leave no
/// empty files behind.
struct Rejects {
    path: PathBuf,
    format: OutputFormat,
    writer: Option<ShardWriter>,
}

impl Rejects {
    fn write(
        &mut self,
        doc: &thresher_core::Document,
        by: &str,
        reason: &str,
    ) -> Result<(), RunError> {
        let w = match &mut self.writer {
            Some(w) => w,
            None => self
                .writer
                .insert(ShardWriter::create(&self.path, self.format)?),
        };
        w.write_rejected(doc, by, reason)?;
        Ok(())
    }

    fn finish(self) -> Result<(), RunError> {
        match self.writer {
            Some(w) => {
                w.finish()?;
            }
            // A file left by an earlier run of a different pipeline must not linger.
            None => match std::fs::remove_file(&self.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&self.path, e)),
            },
        }
        Ok(())
    }
}

/// Writes kept documents, rejects and (first pass of a corpus-wide step) keys.
struct ShardSink<'a> {
    kept: ShardWriter,
    rejects: Option<Rejects>,
    keys: Option<KeyWriter>,
    corpus: Option<&'a Corpus>,
    written: u64,
    rejected: u64,
}

impl Sink for ShardSink<'_> {
    fn accept(&mut self, o: Outcome, names: &[&str]) -> Result<(), RunError> {
        match &o.dropped {
            Some((i, reason)) => {
                self.rejected += 1;
                if let Some(r) = self.rejects.as_mut() {
                    let by = names.get(*i).copied().unwrap_or("?");
                    r.write(&o.doc, by, reason)?;
                }
            }
            None => {
                if let (Some(keys), Some(corpus)) = (self.keys.as_mut(), self.corpus) {
                    let key = match corpus {
                        Corpus::Keyed(c) => c.key(&o.doc),
                        Corpus::Minhash(_) | Corpus::Boilerplate(_) => None,
                    };
                    keys.push(key, &o.doc.id)
                        .map_err(|e| RunError::State(format!("writing keys: {e}")))?;
                }
                self.kept.write(&o.doc)?;
                self.written += 1;
            }
        }
        Ok(())
    }
}

impl ShardSink<'_> {
    /// Renames every output into place; returns (written, rejected).
    fn finish(self, state: &StateDir, shard: &str) -> Result<(u64, u64), RunError> {
        if let Some(k) = self.keys {
            k.finish()
                .map_err(|e| io_err(&state.pass1_keys(shard), e))?;
        }
        self.kept.finish()?;
        if let Some(r) = self.rejects {
            r.finish()?;
        }
        Ok((self.written, self.rejected))
    }
}

/// What the second pass decides by.
pub(crate) enum CorpusIndex {
    /// The first document of each key.
    Keyed(FirstSeen),
    /// The MinHash job whose first three stages have run over the first pass's documents.
    Minhash(crate::minhash_dedup::MinhashJob),
    /// The sites' boilerplate lines, found over the first pass's documents.
    Boilerplate(thresher_dedup::boilerplate::Boilerplate),
}

/// The boilerplate job over the first-pass documents of `mine` (in order). `own_folder`: this
/// process alone runs the job's passes, so a folder left by its own earlier, different attempt
/// may be cleared; workers sharing the passes (phases) must not clear each other's files.
pub(crate) fn boilerplate_job(
    c: &thresher_dedup::boilerplate::BoilerplateConfig,
    mine: &[(usize, Shard)],
    setup: &Setup,
    own_folder: bool,
) -> crate::site_boilerplate::BoilerplateJob {
    let state = &setup.state;
    let threads = setup.threads;
    let work = setup.stage_dir("boilerplate");
    crate::site_boilerplate::BoilerplateJob {
        config: *c,
        partitions: BOILERPLATE_PARTITIONS,
        io: crate::jobs::JobIo {
            inputs: mine
                .iter()
                .map(|(_, s)| state.pass1_docs(&s.name).display().to_string())
                .collect(),
            out_dir: work.clone(),
            work_dir: Some(work),
            format: OutputFormat::JsonlZst,
            write_rejects: false,
            threads,
            quiet: true,
            // The run's fingerprint guards this folder (see `minhash_job`).
            overwrite: own_folder,
        },
    }
}

/// Site partitions of a run's boilerplate pass `find`.
pub(crate) const BOILERPLATE_PARTITIONS: u32 = 16;

/// Loads what the boilerplate passes found.
fn load_boilerplate(
    job: &crate::site_boilerplate::BoilerplateJob,
) -> Result<thresher_dedup::boilerplate::Boilerplate, RunError> {
    thresher_dedup::boilerplate::Boilerplate::load(
        &job.io.out_dir.join("find"),
        job.partitions,
        &job.config,
    )
    .map_err(|e| RunError::Step {
        step: crate::site_boilerplate::STEP_NAME.into(),
        message: e.to_string(),
    })
}

/// The MinHash job over the first-pass documents of `mine` (in order, so the job's shard `i`
/// is `mine`'s `i`-th). `own_folder` as for [`boilerplate_job`].
pub(crate) fn minhash_job(
    c: &crate::config::MinhashDedupConfig,
    mine: &[(usize, Shard)],
    setup: &Setup,
    own_folder: bool,
) -> Result<crate::minhash_dedup::MinhashJob, RunError> {
    use crate::minhash_dedup::{config_of, KeepSpec, MinhashJob};
    let state = &setup.state;
    let threads = setup.threads;
    let work = setup.stage_dir("minhash");
    Ok(MinhashJob {
        config: config_of(c),
        language: c.language.clone(),
        keep: KeepSpec::parse(&c.keep).map_err(RunError::Config)?,
        annotate: c.annotate,
        io: crate::jobs::JobIo {
            inputs: mine
                .iter()
                .map(|(_, s)| state.pass1_docs(&s.name).display().to_string())
                .collect(),
            out_dir: work.clone(),
            work_dir: Some(work),
            format: OutputFormat::JsonlZst,
            write_rejects: false,
            threads,
            quiet: true,
            // The run's fingerprint already guards this folder; a mismatch here can only be a
            // leftover of this run's own earlier attempt.
            overwrite: own_folder,
        },
    })
}

/// For each key, the first document (shard order, then position) that has it.
pub(crate) struct FirstSeen {
    map: HashMap<u128, (u32, u32, Box<str>)>,
}

impl FirstSeen {
    fn build(shards: &[(usize, Shard)], state: &StateDir) -> Result<FirstSeen, RunError> {
        let mut map = HashMap::new();
        for (si, (_, s)) in shards.iter().enumerate() {
            let keys = read_keys(&state.pass1_keys(&s.name)).map_err(RunError::State)?;
            for (pos, (key, id)) in keys.into_iter().enumerate() {
                if let Some(k) = key {
                    map.entry(k)
                        .or_insert((si as u32, pos as u32, id.into_boxed_str()));
                }
            }
        }
        Ok(FirstSeen { map })
    }

    fn first(&self, key: u128) -> Option<(u32, u32, &str)> {
        self.map.get(&key).map(|(s, p, id)| (*s, *p, &**id))
    }
}

/// Refuses to mix two different runs in one output folder.
fn check_fingerprint(
    cfg: &PipelineConfig,
    pipeline: &Pipeline,
    shards: &[Shard],
    state: &StateDir,
    overwrite: bool,
    world_size: usize,
) -> Result<(), RunError> {
    let mut fp = serde_json::json!({
        "steps": serde_json::to_value(&cfg.steps).unwrap_or_default(),
        "format": cfg.output.format,
    });
    // A corpus-wide decision depends on every shard, so the shard list is part of the run.
    if pipeline.corpus.is_some() {
        fp["world_size"] = serde_json::json!(world_size);
        fp["shards"] = shards
            .iter()
            .map(|s| serde_json::json!([s.name, s.input.path.display().to_string()]))
            .collect();
    }
    let path = state.run_file();
    let want = serde_json::to_vec_pretty(&fp).map_err(|e| RunError::State(e.to_string()))?;
    match std::fs::read(&path) {
        Ok(have) if have == want => return Ok(()),
        Ok(_) if !overwrite => {
            return Err(RunError::State(format!(
                "{} holds a run with a different pipeline or inputs; use another output folder or --overwrite",
                state.root().parent().unwrap_or(Path::new(".")).display()
            )))
        }
        Ok(_) => {
            let _ = std::fs::remove_dir_all(state.root().join("done"));
            let _ = std::fs::remove_dir_all(state.work_dir());
            for d in [state.root().join("done"), state.work_dir()] {
                std::fs::create_dir_all(&d).map_err(|e| io_err(&d, e))?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path, e)),
    }
    thresher_io::writer::write_atomic(&path, &want)?;
    Ok(())
}

/// Removes temporary files a killed run left for this shard. Only the exact names this
/// shard's files get (`.<file name>.tmp-…`) are touched, so a rank never deletes the live
/// temp files of another rank's shard.
pub(crate) fn remove_stale_temps(ctx_paths: &[PathBuf]) {
    for final_path in ctx_paths {
        let (Some(dir), Some(name)) = (final_path.parent(), final_path.file_name()) else {
            continue;
        };
        let prefix = format!(".{}.tmp-", name.to_string_lossy());
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
