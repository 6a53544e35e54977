//! `thresher eval extraction`: runs extraction backends over a dataset with ground truth and
//! prints precision, recall, F1, accuracy and pages/s per backend, scored exactly as
//! `shared/peers/extract_score.py` scores and timed as `shared/peers/extract_peers.py` times
//! (see `thresher_extract::eval`).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use thresher_extract::eval::{run_backend, BackendRun, Dataset, RunOptions, Score};
use thresher_extract::{backend_with, BackendOptions, BACKENDS};

/// `thresher eval ...`
#[derive(Subcommand)]
pub enum EvalCommand {
    /// Score extraction backends on a dataset: precision, recall, F1, accuracy and pages/s.
    ///
    /// DATASET is recognised by its files: an AEB folder (ground-truth.json + html/<id>.html.gz;
    /// AEB metric: 4-token shingles, P and R are means over pages), a trafilatura-eval folder
    /// (evaldata.json + cache/, eval/; snippet counts summed over pages), or a generic folder
    /// (*.html[.gz] pages below it + {"page_id", "plaintext"} JSONL in ground-truth/ or the
    /// folder; AEB metric). Scores equal those of shared/peers/extract_score.py on the
    /// predictions written with -o.
    ///
    /// Timing: single thread unless --threads; extraction only (reading and gunzip are not
    /// timed; for trafilatura-eval and generic datasets the pages are raw bytes and charset
    /// detection and decoding are timed with extraction); one warm-up page, then --repeat
    /// passes, the fastest reported.
    Extraction(ExtractionArgs),
}

/// Arguments of `thresher eval extraction`.
#[derive(Args)]
pub struct ExtractionArgs {
    /// Dataset folder (AEB, trafilatura-eval or generic).
    dataset: PathBuf,
    /// Backend to run; repeat the option or give a comma list; `all` runs every backend.
    /// Default: native when this build has it, else trafilatura.
    #[arg(long = "backend", short = 'b', value_delimiter = ',')]
    backends: Vec<String>,
    /// Write the predictions as JSONL ({"id", "text"} per page, extract_score.py's input).
    /// With several backends, PRED.jsonl becomes PRED.<backend>.jsonl; an existing folder (or
    /// a path ending in `/`) gets <backend>.jsonl per backend.
    #[arg(long, short, value_name = "PRED")]
    output: Option<PathBuf>,
    /// Write per-page scores as JSONL (extract_score.py --per-page's format: AEB/generic: id,
    /// precision, recall, f1, tp, fp, fn, exact, empty; trafilatura: id, url, tp, fp, fn, tn,
    /// missing). Several backends and folders: as for -o (<backend>.per-page.jsonl in a
    /// folder).
    #[arg(long, value_name = "FILE")]
    per_page: Option<PathBuf>,
    /// Timed passes over the dataset; the fastest is reported.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Extraction threads (0 = all cores). Compare with peers at 1.
    #[arg(long, short = 'j', default_value_t = 1)]
    threads: usize,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs an `eval` subcommand.
pub fn run(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Extraction(a) => eval_extraction(a),
    }
}

fn gunzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 4);
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

fn default_backend() -> &'static str {
    if BACKENDS.contains(&"native") {
        "native"
    } else {
        "trafilatura"
    }
}

/// The backend names to run, validated, in the order given, without repeats.
fn backend_names(given: &[String]) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for n in given.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if n == "all" {
            names.extend(BACKENDS.iter().map(|b| b.to_string()));
        } else if BACKENDS.contains(&n) {
            names.push(n.to_string());
        } else {
            bail!(
                "unknown extraction backend `{n}` (known: {}, all)",
                BACKENDS.join(", ")
            );
        }
    }
    if names.is_empty() {
        names.push(default_backend().to_string());
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    Ok(names)
}

/// Where backend `name`'s file goes: `base` itself for a single backend, `base` with
/// `.<name>` before `.jsonl` for several, or `base/<name><suffix>` when `base` is a folder.
fn output_path(base: &Path, name: &str, several: bool, dir_suffix: &str) -> PathBuf {
    let is_dir = base.is_dir() || base.as_os_str().to_string_lossy().ends_with('/');
    if is_dir {
        return base.join(format!("{name}{dir_suffix}"));
    }
    if !several {
        return base.to_path_buf();
    }
    let file = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = file.strip_suffix(".jsonl").unwrap_or(&file);
    base.with_file_name(format!("{stem}.{name}.jsonl"))
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::new(f))
}

struct Outcome {
    run: BackendRun,
    score: Score,
    predictions: Option<PathBuf>,
    per_page: Option<PathBuf>,
}

fn eval_extraction(a: ExtractionArgs) -> Result<()> {
    let names = backend_names(&a.backends)?;
    let several = names.len() > 1;
    let mut extractors = Vec::new();
    for n in &names {
        extractors.push(backend_with(n, &BackendOptions::default())?);
    }
    let paths: Vec<(Option<PathBuf>, Option<PathBuf>)> = names
        .iter()
        .map(|n| {
            (
                a.output
                    .as_deref()
                    .map(|b| output_path(b, n, several, ".jsonl")),
                a.per_page
                    .as_deref()
                    .map(|b| output_path(b, n, several, ".per-page.jsonl")),
            )
        })
        .collect();
    let mut all: Vec<&PathBuf> = paths
        .iter()
        .flat_map(|(o, p)| o.iter().chain(p.iter()))
        .collect();
    let n_paths = all.len();
    all.sort();
    all.dedup();
    if all.len() != n_paths {
        bail!("-o and --per-page would write to the same file; give them different paths");
    }

    let ds = Dataset::load(&a.dataset, &gunzip)
        .with_context(|| format!("cannot load dataset {}", a.dataset.display()))?;
    let opts = RunOptions {
        repeat: a.repeat as usize,
        threads: a.threads,
    };
    let input = if ds.kind.timed_decode() {
        "bytes"
    } else {
        "str"
    };
    if !a.quiet {
        eprintln!(
            "{}: {} dataset, {} pages, {:.1} MB of HTML, input={input}",
            ds.path.display(),
            ds.kind.as_str(),
            ds.pages.len(),
            ds.html_bytes() as f64 / 1e6,
        );
    }

    let mut outcomes = Vec::new();
    for (ex, (pred_path, page_path)) in extractors.iter().zip(paths) {
        let run = run_backend(ex.as_ref(), &ds, &opts);
        let mut rows = page_path.as_ref().map(|_| Vec::new());
        let score = ds.truth.score(&run.prediction_map(), rows.as_mut());
        if let Some(p) = &pred_path {
            let mut w = create(p)?;
            run.write_predictions(&mut w)
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
        if let (Some(p), Some(rows)) = (&page_path, rows) {
            let mut w = create(p)?;
            for row in rows {
                writeln!(w, "{row}").with_context(|| format!("cannot write {}", p.display()))?;
            }
            w.flush()
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
        if !a.quiet {
            eprintln!(
                "{:<12} {:>8.1} pages/s  {:>6.2} MB/s  F1 {:.4}  errors {}  empty {}",
                run.backend,
                run.pages_per_s(),
                run.mb_per_s(),
                score.metrics.f1,
                run.errors,
                run.empty()
            );
        }
        outcomes.push(Outcome {
            run,
            score,
            predictions: pred_path,
            per_page: page_path,
        });
    }

    if a.json {
        let results: Vec<Value> = outcomes
            .iter()
            .map(|o| {
                json!({
                    "backend": o.run.backend,
                    "pages": o.run.predictions.len(),
                    "input": input,
                    "repeat": o.run.repeat,
                    "threads": o.run.threads,
                    "seconds_best": o.run.seconds_best,
                    "pages_per_s": o.run.pages_per_s(),
                    "mb_per_s": o.run.mb_per_s(),
                    "errors": o.run.errors,
                    "empty": o.run.empty(),
                    "fallbacks": o.run.fallbacks,
                    "predictions": o.predictions.as_ref().map(|p| p.display().to_string()),
                    "per_page": o.per_page.as_ref().map(|p| p.display().to_string()),
                    "score": o.score.to_json(),
                })
            })
            .collect();
        let doc = json!({
            "dataset": ds.path.display().to_string(),
            "mode": ds.kind.as_str(),
            "pages": ds.pages.len(),
            "html_bytes": ds.html_bytes(),
            "results": results,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    print!("{}", table(&ds, &outcomes));
    Ok(())
}

fn table(ds: &Dataset, outcomes: &[Outcome]) -> String {
    let mut s = format!(
        "dataset {} ({}, {} pages, {:.1} MB HTML)\n",
        ds.path.display(),
        ds.kind.as_str(),
        ds.pages.len(),
        ds.html_bytes() as f64 / 1e6
    );
    s.push_str(&format!(
        "{:<14} {:>9} {:>7} {:>7} {:>8} {:>9} {:>7} {:>7} {:>6} {:>9}\n",
        "backend",
        "precision",
        "recall",
        "f1",
        "accuracy",
        "pages/s",
        "MB/s",
        "errors",
        "empty",
        "fallbacks"
    ));
    for o in outcomes {
        let m = &o.score.metrics;
        s.push_str(&format!(
            "{:<14} {:>9.4} {:>7.4} {:>7.4} {:>8.4} {:>9.1} {:>7.2} {:>7} {:>6} {:>9}\n",
            o.run.backend,
            m.precision,
            m.recall,
            m.f1,
            m.accuracy,
            o.run.pages_per_s(),
            o.run.mb_per_s(),
            o.run.errors,
            o.run.empty(),
            o.run.fallbacks
        ));
        for (name, sm) in &o.score.subsets {
            s.push_str(&format!(
                "  {:<12} {:>9.4} {:>7.4} {:>7.4} {:>8.4}\n",
                name, sm.precision, sm.recall, sm.f1, sm.accuracy
            ));
        }
        if let Some(f) = o.score.macro_f1 {
            s.push_str(&format!("  macro F1 {f:.4}\n"));
        }
        if o.score.missing_ids > 0 || o.score.unknown_ids > 0 {
            s.push_str(&format!(
                "  note: {} truth pages without a page file (scored as empty), {} pages not in the truth (ignored)\n",
                o.score.missing_ids, o.score.unknown_ids
            ));
        }
    }
    let threads = outcomes.first().map_or(1, |o| o.run.threads);
    let repeat = outcomes.first().map_or(1, |o| o.run.repeat);
    s.push_str(&format!(
        "timing: {threads} thread(s), fastest of {repeat} pass(es), extraction only{}\n",
        if ds.kind.timed_decode() {
            " (with charset detection and decoding)"
        } else {
            " (pages decoded as UTF-8 beforehand)"
        }
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths() {
        let p = Path::new("out/pred.jsonl");
        assert_eq!(output_path(p, "plain", false, ".jsonl"), p);
        assert_eq!(
            output_path(p, "plain", true, ".jsonl"),
            Path::new("out/pred.plain.jsonl")
        );
        assert_eq!(
            output_path(Path::new("out/pred"), "plain", true, ".jsonl"),
            Path::new("out/pred.plain.jsonl")
        );
        assert_eq!(
            output_path(Path::new("out/"), "plain", false, ".per-page.jsonl"),
            Path::new("out/plain.per-page.jsonl")
        );
    }

    #[test]
    fn backend_name_lists() {
        assert_eq!(backend_names(&[]).unwrap(), [default_backend()]);
        assert_eq!(
            backend_names(&["plain".into(), "plain".into()]).unwrap(),
            ["plain"]
        );
        assert_eq!(
            backend_names(&["all".into()]).unwrap().len(),
            BACKENDS.len()
        );
        assert!(backend_names(&["nope".into()])
            .unwrap_err()
            .to_string()
            .contains("nope"));
    }
}
