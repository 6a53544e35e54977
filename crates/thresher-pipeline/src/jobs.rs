//! What the multi-pass jobs over files (`minhash_dedup`, `line_dedup`, `site_boilerplate`)
//! share: the text shards they read, the manifest that ties a work folder to one run, done
//! markers that let a pass skip finished units, running a pass's units in parallel, and the
//! options they all take ([`JobIo`]).

use crate::process::Observer;
use crate::report::ProgressView;
use crate::runner::{input_size, io_err};
use crate::RunError;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use thresher_io::{InputFormat, Shard};

/// What every multi-pass job takes besides its own settings.
#[derive(Debug, Clone)]
pub struct JobIo {
    /// Input specifications (files, folders, globs, `@lists`) of documents.
    pub inputs: Vec<String>,
    /// Where the documents (and `rejects/`) go.
    pub out_dir: PathBuf,
    /// Where the passes' files go; `None` = a hidden folder in `out_dir`.
    pub work_dir: Option<PathBuf>,
    /// Format of the output shards.
    pub format: thresher_io::OutputFormat,
    /// Write dropped documents to `rejects/`.
    pub write_rejects: bool,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// No progress bar.
    pub quiet: bool,
    /// Discard the work folder of a different run instead of failing.
    pub overwrite: bool,
}

impl JobIo {
    /// The work folder: the one given, else `out_dir/<hidden>`.
    pub(crate) fn work_dir_or(&self, hidden: &str) -> PathBuf {
        self.work_dir
            .clone()
            .unwrap_or_else(|| self.out_dir.join(hidden))
    }
}

/// Declares the named passes (or stages) of a job, in order: the enum, `ALL`, `name()` (the
/// command-line name) and `parse()`.
macro_rules! passes {
    ($(#[$m:meta])* $what:literal, pub enum $name:ident {
        $($(#[$vm:meta])* $variant:ident => $text:literal,)+
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
        }

        impl $name {
            /// All of them, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name on the command line.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses a name.
            pub fn parse(s: &str) -> Result<$name, String> {
                $name::ALL.iter().copied().find(|p| p.name() == s).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|p| p.name()).collect();
                    format!("unknown {} `{s}`: {}", $what, names.join(", "))
                })
            }
        }
    };
}
pub(crate) use passes;

/// A pass's report over units of work: summable, and markable as skipped.
pub(crate) trait UnitReport: Default + Serialize + DeserializeOwned + Send {
    /// Adds another unit's counts.
    fn add(&mut self, other: &Self);
    /// The report of a unit found done: its counts, with `units_done` 0 and `units_skipped` 1.
    fn skipped(self) -> Self;
}

/// The input shards of a job that reads documents with text; WARC and HTML inputs are refused
/// (`what` names the job in the message).
pub(crate) fn text_shards(inputs: &[String], what: &str) -> Result<Vec<Shard>, RunError> {
    let shards = thresher_io::discover(inputs)?;
    if let Some(s) = shards
        .iter()
        .find(|s| matches!(s.input.format, InputFormat::Warc | InputFormat::Html))
    {
        return Err(RunError::Config(format!(
            "{}: {what} reads documents with text (JSONL, Parquet, .txt); run `thresher extract` on WARC and HTML first",
            s.input.path.display()
        )));
    }
    if shards.len() > u32::MAX as usize {
        return Err(RunError::Config("more than 2^32 input shards".into()));
    }
    Ok(shards)
}

/// The identity of the shards in a manifest: name, path and size of each.
pub(crate) fn shard_ids(shards: &[Shard]) -> Value {
    shards
        .iter()
        .map(|s| {
            serde_json::json!([
                s.name,
                s.input.path.display().to_string(),
                input_size(&s.input)
            ])
        })
        .collect()
}

/// Checks that `work` holds this run (`manifest`), or is new (then writes the manifest). A
/// different run's folder is an error unless `overwrite`, which empties it.
pub(crate) fn check_manifest(
    work: &Path,
    manifest: &Value,
    overwrite: bool,
    what: &str,
) -> Result<(), RunError> {
    let path = work.join("manifest.json");
    match std::fs::read(&path) {
        Ok(bytes) => {
            if serde_json::from_slice::<Value>(&bytes).is_ok_and(|m| m == *manifest) {
                return Ok(());
            }
            if !overwrite {
                return Err(RunError::State(format!(
                    "{} holds the stages of a different {what} run (other inputs or settings); pass --overwrite to discard them",
                    work.display()
                )));
            }
            std::fs::remove_dir_all(work).map_err(|e| io_err(work, e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path, e)),
    }
    std::fs::create_dir_all(work).map_err(|e| io_err(work, e))?;
    let bytes = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    thresher_io::write_atomic(&path, &bytes)?;
    Ok(())
}

/// The report a unit's done marker holds, if it is done.
pub(crate) fn read_done<R: DeserializeOwned>(path: &Path) -> Option<R> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Marks a unit done (atomically), with its report.
pub(crate) fn write_done<R: Serialize>(path: &Path, report: &R) -> Result<(), RunError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    thresher_io::write_atomic(path, &serde_json::to_vec(report).unwrap_or_default())?;
    Ok(())
}

/// Runs `work` on each of `units` on the pool, skipping units whose done marker
/// (`done(unit)`) exists and writing it after each finished one; sums the reports.
pub(crate) fn run_units<R: UnitReport>(
    units: &[u32],
    pool: &rayon::ThreadPool,
    done: impl Fn(u32) -> PathBuf + Sync,
    work: impl Fn(u32) -> Result<R, RunError> + Sync,
) -> Result<R, RunError> {
    let results: Vec<Result<R, RunError>> = pool.install(|| {
        units
            .par_iter()
            .map(|&u| {
                let marker = done(u);
                if let Some(r) = read_done::<R>(&marker) {
                    return Ok(r.skipped());
                }
                let r = work(u)?;
                write_done(&marker, &r)?;
                Ok(r)
            })
            .collect()
    });
    let mut total = R::default();
    for r in results {
        total.add(&r?);
    }
    Ok(total)
}

/// [`run_units`] over this rank's input shards, with a progress bar over their bytes.
pub(crate) fn run_shards<R: UnitReport>(
    shards: &[Shard],
    rank: crate::rank::RankSpec,
    pool: &rayon::ThreadPool,
    quiet: bool,
    done: impl Fn(u32) -> PathBuf + Sync,
    work: impl Fn(u32, &Shard, &dyn Observer) -> Result<R, RunError> + Sync,
) -> Result<R, RunError> {
    let mine: Vec<u32> = (0..shards.len() as u32)
        .filter(|i| rank.owns(*i as usize))
        .collect();
    let view = ProgressView::new(
        mine.iter()
            .map(|&i| input_size(&shards[i as usize].input))
            .sum(),
        quiet,
    );
    let total = run_units(&mine, pool, done, |i| {
        let shard = &shards[i as usize];
        let observer = view.shard(input_size(&shard.input));
        let r = work(i, shard, &observer)?;
        observer.done();
        Ok(r)
    });
    view.finish();
    total
}
