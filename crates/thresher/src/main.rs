//! The `thresher` command line: a thin layer that parses arguments, builds a pipeline
//! configuration and hands it to `thresher-pipeline`.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use thresher_pipeline::config::{ExtractConfig, StepConfig};
use thresher_pipeline::rank::RankSpec;
use thresher_pipeline::{presets, PipelineConfig, RunOptions};

mod eval_cmd;

/// thresher: web crawl files in, clean deduplicated text out.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline (a TOML file or a preset) over inputs; with no arguments, the default
    /// preset over the sample data bundled in the repository.
    Run(RunArgs),
    /// Extraction alone: one `{id, text, metadata}` object per page into one file.
    Extract(ExtractArgs),
    /// Text filters alone over JSONL/Parquet documents: kept ones to OUT, rejected ones beside
    /// it; or, with --decisions, every filter's decision per document (datatrove's oracle
    /// format).
    Filter(FilterArgs),
    /// Near-duplicate detection.
    #[command(subcommand)]
    Dedup(DedupCommand),
    /// Site boilerplate across documents (CCNet-style): lines that occur on many pages of a
    /// site are removed from all of its pages.
    Boilerplate(BoilerplateArgs),
    /// Which sites are run by the same operator: domains grouped by shared ad and analytics
    /// account ids (metadata.provenance) and, with --minhash, by near-duplicate pages.
    Sites(SitesArgs),
    /// Measure against ground truth: `thresher eval extraction` scores extraction backends
    /// on a dataset (precision, recall, F1, pages/s).
    #[command(subcommand)]
    Eval(eval_cmd::EvalCommand),
    /// List the built-in pipelines, or print one as TOML.
    Presets {
        /// Print this preset's TOML.
        name: Option<String>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Pipeline file (TOML).
    pipeline: Option<PathBuf>,
    /// Use a built-in pipeline instead of a file (`thresher presets` lists them).
    #[arg(long, conflicts_with = "pipeline")]
    preset: Option<String>,
    /// Input paths, folders, globs or @list files (replace the pipeline file's).
    #[arg(long, short, num_args = 1..)]
    input: Vec<String>,
    /// Output folder (replaces the pipeline file's).
    #[arg(long, short)]
    output: Option<String>,
    /// Output format: jsonl.zst, jsonl.gz, jsonl or parquet.
    #[arg(long)]
    format: Option<String>,
    /// Do not write rejected documents.
    #[arg(long)]
    no_rejects: bool,
    #[command(flatten)]
    common: Common,
    /// This process's rank (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else 0).
    #[arg(long)]
    rank: Option<usize>,
    /// Number of ranks (default: SLURM_ARRAY_TASK_COUNT or THRESHER_WORLD_SIZE, else 1).
    #[arg(long)]
    world_size: Option<usize>,
    /// Discard the state of a different earlier run in the output folder.
    #[arg(long)]
    overwrite: bool,
    /// Print the run's phases and their unit counts as JSON lines, and exit (for schedulers).
    #[arg(long, conflicts_with = "phase")]
    plan: bool,
    /// Run only this rank's units of one phase of a run over all inputs (`--plan` lists
    /// them), or `finish` after the last; the corpus-wide step then spans every rank's shards.
    #[arg(long)]
    phase: Option<String>,
}

#[derive(Args)]
struct Common {
    /// Worker threads (0 = all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    threads: usize,
    /// No progress bar, no summary, no warnings.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct ExtractArgs {
    /// Inputs: WARC/ARC files, HTML files or folders, globs, @list files.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output file: .jsonl, .jsonl.gz, .jsonl.zst or .parquet.
    #[arg(long, short)]
    output: PathBuf,
    /// Extraction backend: native (thresher's own), trafilatura or plain.
    #[arg(long, default_value = "native")]
    backend: String,
    /// Write Markdown (headings, lists, quotes, code blocks, tables) instead of plain text
    /// (native backend).
    #[arg(long)]
    markdown: bool,
    /// Leave out the text of tables.
    #[arg(long)]
    no_tables: bool,
    /// Leave out lists (native backend).
    #[arg(long)]
    no_lists: bool,
    /// Keep figure captions (native backend).
    #[arg(long)]
    include_captions: bool,
    /// Keep image alt texts (native backend).
    #[arg(long)]
    include_images: bool,
    /// Append reader comments after the main text.
    #[arg(long)]
    include_comments: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct FilterArgs {
    /// Pipeline file (TOML) whose per-document text steps to run. A first input ending in
    /// `.toml` is taken as the pipeline file too.
    #[arg(long, conflicts_with = "preset")]
    pipeline: Option<PathBuf>,
    /// Built-in pipeline whose per-document text steps to run (default: fineweb).
    #[arg(long)]
    preset: Option<String>,
    /// Inputs: JSONL (.jsonl, .gz, .zst) or Parquet files, folders, globs, @list files.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output file: .jsonl, .jsonl.gz, .jsonl.zst or .parquet. Rejects go beside it
    /// (`OUT.rejects.jsonl.zst`).
    #[arg(long, short)]
    output: PathBuf,
    /// Do not write rejected documents.
    #[arg(long)]
    no_rejects: bool,
    /// Write each document's decision by every datatrove filter and by the FineWeb chain
    /// instead of filtering (`id`, `n_words`, `filters.<name>`, `fineweb_chain`).
    #[arg(long, conflicts_with_all = ["pipeline", "preset", "no_rejects"])]
    decisions: bool,
    /// Language of the word tokenizer for --decisions (datatrove code).
    #[arg(long, default_value = "en", requires = "decisions")]
    language: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum DedupCommand {
    /// MinHash, bit-identical to datatrove's (FineWeb's configuration by default).
    Minhash(MinhashArgs),
    /// Exact line or paragraph dedup across a corpus: a repeated line is removed from every
    /// document but the first (or from all), with sorted hashes or a Bloom filter.
    Lines(LinesArgs),
}

/// What the multi-pass jobs (dedup minhash, dedup lines, boilerplate) take alike.
#[derive(Args)]
struct JobArgs {
    /// This process's rank for --stage/--pass (default: from SLURM_ARRAY_TASK_ID or
    /// JOB_COMPLETION_INDEX, else 0): shards, buckets or partitions `i` with
    /// `i % world_size == rank` are this rank's.
    #[arg(long)]
    rank: Option<usize>,
    /// Number of ranks for --stage/--pass (default: SLURM_ARRAY_TASK_COUNT or
    /// THRESHER_WORLD_SIZE).
    #[arg(long)]
    world_size: Option<usize>,
    /// Folder for the stages' files (default: a hidden folder in OUTPUT).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Output format: jsonl.zst, jsonl.gz, jsonl or parquet.
    #[arg(long, default_value = "jsonl.zst")]
    format: String,
    /// Do not write dropped documents to rejects/.
    #[arg(long)]
    no_rejects: bool,
    /// Discard the work folder of a different run (other inputs or settings).
    #[arg(long)]
    overwrite: bool,
}

impl JobArgs {
    /// The job's inputs, outputs and run options.
    fn io(
        &self,
        inputs: &[String],
        output: &Path,
        common: &Common,
    ) -> Result<thresher_pipeline::jobs::JobIo> {
        Ok(thresher_pipeline::jobs::JobIo {
            inputs: inputs.to_vec(),
            out_dir: output.to_path_buf(),
            work_dir: self.work.clone(),
            format: self.format.parse()?,
            write_rejects: !self.no_rejects,
            threads: common.threads,
            quiet: common.quiet,
            overwrite: self.overwrite,
        })
    }

    /// The rank of a run of one stage or pass (`staged`); a rank without one is refused.
    fn rank(&self, staged: bool) -> Result<RankSpec> {
        if !staged {
            if self.rank.is_some() || self.world_size.is_some() {
                bail!("--rank and --world-size go with --stage (dedup minhash) or --pass");
            }
            return Ok(RankSpec::default());
        }
        RankSpec::resolve(self.rank, self.world_size, |k| std::env::var(k).ok())
            .map_err(anyhow::Error::msg)
    }
}

#[derive(Args)]
struct SitesArgs {
    /// Documents that went through the `provenance` step (a `thresher run` output folder,
    /// files, globs, @lists).
    #[arg(required = true)]
    inputs: Vec<String>,
    /// The output folder of `thresher dedup minhash` over the same documents: sites whose
    /// pages were removed as near-duplicates of another site's are listed too.
    #[arg(long)]
    minhash: Option<PathBuf>,
    /// Write the report (JSON) here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// An id found on more sites than this is a platform's (a blog host's own ad account),
    /// not an operator's: listed apart, not used to group.
    #[arg(long, default_value_t = 10)]
    max_sites_per_id: usize,
}

#[derive(Args)]
struct BoilerplateArgs {
    /// Inputs: JSONL (.jsonl, .gz, .zst), Parquet or .txt files, folders, globs, @list files
    /// (run `thresher extract` on WARCs first). A document's site is its metadata.domain,
    /// else its URL's host, without `www.`.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output folder: the documents as `<shard>.<ext>` without their site's boilerplate lines
    /// (listed in `metadata.removed_lines`); documents left empty go to `rejects/`.
    #[arg(long, short)]
    output: PathBuf,
    /// A line must occur on at least this many pages of a site…
    #[arg(long, default_value_t = 3)]
    min_pages: u32,
    /// …and on at least this fraction of them.
    #[arg(long, default_value_t = 0.2)]
    min_fraction: f64,
    /// Lines shorter than this (characters, normalised) are never boilerplate.
    #[arg(long, default_value_t = 1)]
    min_chars: u32,
    /// Site partitions (the find pass runs once per partition).
    #[arg(long, default_value_t = 16)]
    partitions: u32,
    /// Run only this pass's share (count, find, strip).
    #[arg(long)]
    pass: Option<String>,
    #[command(flatten)]
    job: JobArgs,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct LinesArgs {
    /// Inputs: JSONL (.jsonl, .gz, .zst), Parquet or .txt files, folders, globs, @list files.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output folder: the documents as `<shard>.<ext>` with repeated units removed
    /// (`metadata.lines_removed` counts them); documents left empty go to `rejects/`.
    #[arg(long, short)]
    output: PathBuf,
    /// What is compared: `line` or `paragraph` (blank-line separated).
    #[arg(long, default_value = "line")]
    unit: String,
    /// Which copies stay: `first` (the first in input order; dolma) or `none` (every copy of
    /// a repeated unit goes; CCNet).
    #[arg(long, default_value = "first")]
    keep: String,
    /// Units shorter than this many characters (after whitespace normalisation) are kept.
    #[arg(long, default_value_t = 0)]
    min_chars: usize,
    /// Compare case-insensitively.
    #[arg(long)]
    lowercase: bool,
    /// `sorted` (exact, restartable passes) or `bloom` (one pass, fixed memory, keep=first
    /// only; false positives remove unique units at --bloom-fpr).
    #[arg(long, default_value = "sorted")]
    method: String,
    /// Sorted method: hash partitions (the merge pass runs once per partition).
    #[arg(long, default_value_t = 16)]
    partitions: u32,
    /// Bloom method: distinct units the filter is sized for.
    #[arg(long, default_value_t = 100_000_000)]
    bloom_expected: u64,
    /// Bloom method: false-positive rate at that many units.
    #[arg(long, default_value_t = 1e-6)]
    bloom_fpr: f64,
    /// Sorted method: run only this pass's share (hashes, merge, apply).
    #[arg(long)]
    pass: Option<String>,
    #[command(flatten)]
    job: JobArgs,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct MinhashArgs {
    /// Inputs: JSONL (.jsonl, .gz, .zst), Parquet or .txt files, folders, globs, @list files.
    /// Each file is a shard; every stage must be given the same inputs.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output folder: kept documents as `<shard>.<ext>`, removed ones in `rejects/` with
    /// `duplicate_of`, `cluster_id` and `cluster_size` in their metadata. With
    /// --signatures-only, the output file.
    #[arg(long, short)]
    output: PathBuf,
    /// Write `{id, minhash_sig}` per document (`{n_shingles, sig}` or null under n_grams
    /// words) to the output file, the format of datatrove_oracle.py --minhash-sig, and stop.
    #[arg(long, conflicts_with_all = ["stage", "keep", "annotate", "work"])]
    signatures_only: bool,
    /// Run only this stage's share (signatures, buckets, clusters, filter); stages talk through
    /// files in the work folder, so each can run on other machines with --rank/--world-size.
    #[arg(long)]
    stage: Option<String>,
    #[command(flatten)]
    job: JobArgs,
    /// Which document of a cluster is kept: `datatrove` (its union-find root, so the removed
    /// set is datatrove's), `first` (first in input order), `max:FIELD` or `min:FIELD` (the
    /// largest/smallest metadata value, e.g. `max:date`; ties and missing values: input
    /// order).
    #[arg(long, default_value = "datatrove")]
    keep: String,
    /// Also write `cluster_id` and `cluster_size` into the metadata of kept documents that
    /// have near-duplicates.
    #[arg(long)]
    annotate: bool,
    /// Language of the word tokenizer (datatrove code).
    #[arg(long, default_value = "eng")]
    language: String,
    /// Words per shingle.
    #[arg(long, default_value_t = 5)]
    n_grams: usize,
    /// LSH buckets.
    #[arg(long, default_value_t = 14)]
    buckets: usize,
    /// Hashes per bucket.
    #[arg(long, default_value_t = 8)]
    hashes_per_bucket: usize,
    /// Seed of the permutations (numpy RandomState, as datatrove).
    #[arg(long, default_value_t = 1)]
    seed: u32,
    #[command(flatten)]
    common: Common,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Extract(a) => cmd_extract(a),
        Command::Filter(a) => cmd_filter(a),
        Command::Dedup(DedupCommand::Minhash(a)) => cmd_minhash(a),
        Command::Dedup(DedupCommand::Lines(a)) => cmd_lines(a),
        Command::Boilerplate(a) => cmd_boilerplate(a),
        Command::Sites(a) => cmd_sites(a),
        Command::Presets { name } => cmd_presets(name),
        Command::Eval(c) => eval_cmd::run(c),
    };
    if let Err(e) = result {
        eprintln!("error: {}", error_chain(&e));
        std::process::exit(1);
    }
}

/// The error and its causes, `: `-separated, leaving out a cause whose text the previous
/// message already contains (library errors often embed their source in their message).
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        if out.contains(&msg) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&msg);
    }
    out
}

fn cmd_run(a: RunArgs) -> Result<()> {
    let mut cfg = load_pipeline(a.pipeline.as_deref(), a.preset.as_deref(), "default")?;
    if !a.input.is_empty() {
        cfg.input.paths = a.input.clone();
    }
    if cfg.input.paths.is_empty() && a.pipeline.is_none() {
        let sample = bundled_sample().context(
            "no --input given and the bundled sample (data/sample) was not found; run from the repository root",
        )?;
        if !a.common.quiet {
            eprintln!(
                "thresher: no --input given, running on the bundled sample {}",
                sample.display()
            );
        }
        cfg.input.paths = vec![sample.display().to_string()];
    }
    if let Some(o) = &a.output {
        cfg.output.dir = o.clone();
    }
    if let Some(f) = &a.format {
        cfg.output.format = f.clone();
    }
    if a.no_rejects {
        cfg.output.rejects = false;
    }
    if a.plan || a.phase.is_some() {
        return cmd_run_phased(&cfg, &a);
    }
    let rank = RankSpec::resolve(a.rank, a.world_size, |k| std::env::var(k).ok())
        .map_err(anyhow::Error::msg)?;
    let opts = RunOptions {
        threads: a.common.threads,
        rank,
        quiet: a.common.quiet,
        overwrite: a.overwrite,
    };
    let report = thresher_pipeline::run(&cfg, &opts)?;
    if !a.common.quiet {
        print!("{}", report.summary_table());
        println!(
            "output: {} (rejects in {}, stats in {})",
            report.out_dir.display(),
            report.out_dir.join("rejects").display(),
            report
                .out_dir
                .join(if rank.world_size == 1 {
                    "stats.json".to_string()
                } else {
                    format!("stats.rank-{}-of-{}.json", rank.rank, rank.world_size)
                })
                .display()
        );
    }
    Ok(())
}

/// `thresher run --plan` and `thresher run --phase NAME`: one phase of a run split for a
/// scheduler; each call prints its report as one JSON line.
fn cmd_run_phased(cfg: &thresher_pipeline::PipelineConfig, a: &RunArgs) -> Result<()> {
    use thresher_pipeline::phases::{self, PhaseOptions};
    let opts = PhaseOptions {
        threads: a.common.threads,
        overwrite: a.overwrite,
        shards: None,
    };
    if a.plan {
        let mut lines = String::new();
        for p in phases::plan(cfg, &opts)? {
            lines.push_str(&serde_json::to_string(&p)?);
            lines.push('\n');
        }
        return print_stdout(&lines);
    }
    let phase = a.phase.as_deref().unwrap_or_default();
    if phase == "finish" {
        let report = phases::finish(cfg, &opts)?;
        if !a.common.quiet {
            print!("{}", report.summary_table());
        }
        return Ok(());
    }
    let rank = RankSpec::resolve(a.rank, a.world_size, |k| std::env::var(k).ok())
        .map_err(anyhow::Error::msg)?;
    let report = phases::run_phase(cfg, phase, rank, &opts)?;
    print_stdout(&format!("{}\n", serde_json::to_string(&report)?))
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn print_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn cmd_extract(a: ExtractArgs) -> Result<()> {
    let native_only = [
        ("--markdown", a.markdown),
        ("--no-lists", a.no_lists),
        ("--include-captions", a.include_captions),
        ("--include-images", a.include_images),
    ];
    if let Some((flag, _)) = native_only
        .iter()
        .find(|(_, on)| *on && a.backend != "native")
    {
        anyhow::bail!("{flag} needs --backend native");
    }
    let cfg = StepConfig::Extract(ExtractConfig {
        backend: a.backend.clone(),
        markdown: a.markdown,
        include_tables: !a.no_tables,
        include_lists: !a.no_lists,
        include_captions: a.include_captions,
        include_images: a.include_images,
        include_comments: a.include_comments,
        ..ExtractConfig::default()
    });
    let step = thresher_pipeline::pipeline::build_local_step(&cfg)?;
    let report = thresher_pipeline::extract_to_file(
        &a.inputs,
        step,
        &a.output,
        a.common.threads,
        a.common.quiet,
    )?;
    if !a.common.quiet {
        print!("{}", report.summary_table());
        println!("output: {}", a.output.display());
    }
    Ok(())
}

fn cmd_filter(mut a: FilterArgs) -> Result<()> {
    if a.pipeline.is_none() && a.inputs.len() > 1 && a.inputs[0].ends_with(".toml") {
        a.pipeline = Some(PathBuf::from(a.inputs.remove(0)));
        if a.preset.is_some() {
            bail!("give a pipeline file or --preset, not both");
        }
    }
    if a.decisions {
        let report = thresher_pipeline::decisions_to_file(
            &a.inputs,
            &a.language,
            &a.output,
            a.common.threads,
            a.common.quiet,
        )?;
        if !a.common.quiet {
            eprintln!(
                "{} documents, decisions in {}",
                report.stats.docs_read,
                a.output.display()
            );
        }
        return Ok(());
    }
    let cfg = load_pipeline(a.pipeline.as_deref(), a.preset.as_deref(), "fineweb")?;
    let mut steps = Vec::new();
    for step in &cfg.steps {
        // The documents are text already, and corpus-wide steps need `thresher run`'s
        // second pass: say so rather than skipping quietly.
        if matches!(step, StepConfig::Extract(_)) || step.is_corpus_wide() {
            if !a.common.quiet {
                eprintln!(
                    "thresher filter: skipping `{}` (not a per-document text step; `thresher run` runs it)",
                    step.name()
                );
            }
            continue;
        }
        steps.push(thresher_pipeline::pipeline::build_local_step(step)?);
    }
    let rejects = (!a.no_rejects).then(|| thresher_pipeline::rejects_path_beside(&a.output));
    let report = thresher_pipeline::filter_to_file(
        &a.inputs,
        steps,
        &a.output,
        rejects.as_deref(),
        a.common.threads,
        a.common.quiet,
    )?;
    if !a.common.quiet {
        print!("{}", report.summary_table());
        match &rejects {
            Some(r) => println!(
                "output: {} (rejects in {})",
                a.output.display(),
                r.display()
            ),
            None => println!("output: {}", a.output.display()),
        }
    }
    Ok(())
}

/// A pipeline file, or a preset (`default_preset` when neither is given).
fn load_pipeline(
    path: Option<&Path>,
    preset: Option<&str>,
    default_preset: &str,
) -> Result<PipelineConfig> {
    match (path, preset) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading pipeline file {}", path.display()))?;
            PipelineConfig::from_toml(&text)
                .with_context(|| format!("pipeline file {}", path.display()))
        }
        (None, name) => {
            let name = name.unwrap_or(default_preset);
            presets::preset(name)
                .with_context(|| format!("unknown preset `{name}`; `thresher presets` lists them"))
        }
    }
}

fn cmd_minhash(a: MinhashArgs) -> Result<()> {
    use thresher_dedup::minhash::{MinHasher, MinhashConfig};
    use thresher_pipeline::minhash_dedup::{KeepSpec, MinhashJob, Stage};
    let config = MinhashConfig {
        n_grams: a.n_grams,
        num_buckets: a.buckets,
        hashes_per_bucket: a.hashes_per_bucket,
        seed: a.seed,
    };
    if a.signatures_only {
        let hasher = MinHasher::for_language(config, &a.language)?;
        let report = thresher_pipeline::signatures_to_file(
            &a.inputs,
            &hasher,
            &a.output,
            a.common.threads,
            a.common.quiet,
        )?;
        if !a.common.quiet {
            eprintln!(
                "{} documents, signatures in {}",
                report.stats.docs_read,
                a.output.display()
            );
        }
        return Ok(());
    }
    let job = MinhashJob {
        config,
        language: a.language.clone(),
        keep: KeepSpec::parse(&a.keep).map_err(anyhow::Error::msg)?,
        annotate: a.annotate,
        io: a.job.io(&a.inputs, &a.output, &a.common)?,
    };
    let report = match &a.stage {
        None => {
            a.job.rank(false)?;
            job.run_all()?
        }
        Some(stage) => {
            let stage = Stage::parse(stage).map_err(anyhow::Error::msg)?;
            job.run_stage(stage, a.job.rank(true)?)?
        }
    };
    if !a.common.quiet {
        for (stage, secs) in &report.seconds {
            eprintln!("  {stage:<10} {secs:>9.2} s");
        }
        eprintln!(
            "{} shards ({} done now, {} already done): {} documents, {} with a signature, {} duplicate pairs, {} clusters, {} removed, {} kept; output in {}",
            report.shards,
            report.units_done,
            report.units_skipped,
            report.docs,
            report.signed,
            report.pairs,
            report.clusters,
            report.removed,
            report.kept,
            a.output.display()
        );
    }
    Ok(())
}

fn cmd_lines(a: LinesArgs) -> Result<()> {
    use thresher_dedup::lines::{Keep, LineDedupConfig, Unit};
    use thresher_pipeline::line_dedup::{LineDedupJob, Method, Pass};
    let unit = match a.unit.as_str() {
        "line" => Unit::Line,
        "paragraph" => Unit::Paragraph,
        u => bail!("--unit `{u}`: expected line or paragraph"),
    };
    let keep = match a.keep.as_str() {
        "first" => Keep::First,
        "none" => Keep::None,
        k => bail!("--keep `{k}`: expected first or none"),
    };
    let method = match a.method.as_str() {
        "sorted" => Method::Sorted {
            partitions: a.partitions,
        },
        "bloom" => Method::Bloom {
            expected_units: a.bloom_expected,
            false_positive_rate: a.bloom_fpr,
        },
        m => bail!("--method `{m}`: expected sorted or bloom"),
    };
    let job = LineDedupJob {
        config: LineDedupConfig {
            unit,
            keep,
            min_chars: a.min_chars,
            lowercase: a.lowercase,
        },
        method,
        io: a.job.io(&a.inputs, &a.output, &a.common)?,
    };
    let r = match &a.pass {
        None => {
            a.job.rank(false)?;
            job.run_all()?
        }
        Some(p) => {
            let pass = Pass::parse(p).map_err(anyhow::Error::msg)?;
            job.run_pass(pass, a.job.rank(true)?)?
        }
    };
    if !a.common.quiet {
        for (pass, secs) in &r.seconds {
            eprintln!("  {pass:<8} {secs:>9.2} s");
        }
        eprintln!(
            "{} shards: {} documents, {} units, {} removed from {} documents ({} left empty and dropped); output in {}",
            r.shards,
            r.docs,
            r.units,
            r.units_removed,
            r.docs_changed,
            r.docs_emptied,
            a.output.display()
        );
        if let Some(p) = r.bloom_false_positive_rate {
            eprintln!("Bloom filter: estimated false-positive rate {p:.2e} at the end");
        }
    }
    Ok(())
}

fn cmd_boilerplate(a: BoilerplateArgs) -> Result<()> {
    use thresher_dedup::boilerplate::BoilerplateConfig;
    use thresher_pipeline::site_boilerplate::{BoilerplateJob, Pass};
    let job = BoilerplateJob {
        config: BoilerplateConfig {
            min_pages: a.min_pages,
            min_fraction: a.min_fraction,
            min_chars: a.min_chars,
        },
        partitions: a.partitions,
        io: a.job.io(&a.inputs, &a.output, &a.common)?,
    };
    let r = match &a.pass {
        None => {
            a.job.rank(false)?;
            job.run_all()?
        }
        Some(p) => {
            let pass = Pass::parse(p).map_err(anyhow::Error::msg)?;
            job.run_pass(pass, a.job.rank(true)?)?
        }
    };
    if !a.common.quiet {
        for (pass, secs) in &r.seconds {
            eprintln!("  {pass:<6} {secs:>9.2} s");
        }
        eprintln!(
            "{} shards: {} documents ({} without a site), {} sites, {} boilerplate lines; {} lines removed from {} documents ({} left empty); output in {}",
            r.shards,
            r.docs,
            r.docs_without_site,
            r.sites,
            r.boilerplate_lines,
            r.lines_removed,
            r.docs_changed,
            r.docs_emptied,
            a.output.display()
        );
    }
    Ok(())
}

fn cmd_sites(a: SitesArgs) -> Result<()> {
    let report = thresher_pipeline::sites::sites_report(
        &a.inputs,
        a.minhash.as_deref(),
        a.max_sites_per_id,
    )?;
    let json = report.to_json_pretty() + "\n";
    match &a.output {
        Some(p) => std::fs::write(p, json).with_context(|| format!("writing {}", p.display()))?,
        None => {
            use std::io::Write;
            // A closed pipe (`| head`) is not an error worth a panic.
            match std::io::stdout().write_all(json.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(())
}

fn cmd_presets(name: Option<String>) -> Result<()> {
    match name {
        Some(n) => match presets::preset_toml(&n) {
            Some(t) => print!("{t}"),
            None => bail!("unknown preset `{n}`"),
        },
        None => {
            for (n, t) in presets::PRESETS {
                let first = t.lines().next().unwrap_or("").trim_start_matches("# ");
                println!("{n:<10} {first}");
            }
        }
    }
    Ok(())
}

/// The sample shipped in the repository: `data/sample` under the current directory, beside the
/// executable's `target/` folder, or where the source tree was at build time.
fn bundled_sample() -> Option<PathBuf> {
    let rel = Path::new("data").join("sample");
    let mut candidates = vec![rel.clone()];
    if let Ok(exe) = std::env::current_exe() {
        // target/{debug,release}/thresher -> repository root
        if let Some(root) = exe.parent().and_then(Path::parent).and_then(Path::parent) {
            candidates.push(root.join(&rel));
        }
    }
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(&rel),
    );
    candidates.into_iter().find(|p| p.is_dir())
}
