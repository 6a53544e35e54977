//! Commands that write one output file rather than a folder of shards: `thresher extract`
//! (every page, extracted) and `thresher filter` (kept documents to one file, rejected ones to
//! a second file beside it). No resume state: the output is written to a temporary file and
//! renamed at the end, so an interrupted run leaves no partial output and is simply rerun.

use crate::process::{self, Outcome, Sink};
use crate::report::{ProgressView, RunReport as Report};
use crate::runner::{input_size, io_err, thread_pool};
use crate::RunError;
use std::path::{Path, PathBuf};
use std::time::Instant;
use thresher_core::{Stats, Step};
use thresher_io::{OutputFormat, ReadOptions, ShardWriter};
use thresher_quality::decisions::DecisionSet;

/// `thresher extract`: extraction alone, every page (with its text, possibly empty) to one
/// file, in input order.
pub fn extract_to_file(
    inputs: &[String],
    step: Box<dyn Step>,
    out: &Path,
    threads: usize,
    quiet: bool,
) -> Result<Report, RunError> {
    // Every page is written, even one the step would drop (an empty extraction): `extract`
    // reports what extraction gives, it does not filter.
    run_to_files(
        "extract",
        inputs,
        vec![step],
        out,
        Rejected::Kept,
        threads,
        quiet,
    )
}

/// `thresher filter`: documents through `steps`; kept ones to `out`, rejected ones (with
/// `dropped_by` and `reason`) to `rejects` when given. Both in input order.
pub fn filter_to_file(
    inputs: &[String],
    steps: Vec<Box<dyn Step>>,
    out: &Path,
    rejects: Option<&Path>,
    threads: usize,
    quiet: bool,
) -> Result<Report, RunError> {
    let rejected = match rejects {
        Some(p) => Rejected::To(p),
        None => Rejected::Nowhere,
    };
    run_to_files("filter", inputs, steps, out, rejected, threads, quiet)
}

/// `thresher filter --decisions`: each document's decision by every datatrove filter and by
/// the FineWeb chain ([`thresher_quality::decisions`]), one JSON line per document in input
/// order, written atomically to `out` (JSON lines, plain or compressed).
pub fn decisions_to_file(
    inputs: &[String],
    language: &str,
    out: &Path,
    threads: usize,
    quiet: bool,
) -> Result<Report, RunError> {
    let set = DecisionSet::datatrove_defaults(language).map_err(|e| RunError::Step {
        step: "decisions".into(),
        message: e.to_string(),
    })?;
    let steps: Vec<String> = set.names().map(str::to_string).collect();
    records_to_file("decisions", steps, inputs, out, threads, quiet, |d| {
        let rec = set.decide(&d.id, &d.text, d.metadata.language.as_deref());
        serde_json::to_value(rec).unwrap_or(serde_json::Value::Null)
    })
}

/// `thresher dedup minhash --signatures-only`: `{id, minhash_sig}` per document in input
/// order, `minhash_sig` = `{n_shingles, sig}` (`sig`: one list of hashes per bucket) or `null`
/// for a document with fewer words than a shingle has: the oracle's format.
pub fn signatures_to_file(
    inputs: &[String],
    hasher: &thresher_dedup::minhash::MinHasher,
    out: &Path,
    threads: usize,
    quiet: bool,
) -> Result<Report, RunError> {
    use serde_json::{json, Value};
    records_to_file(
        "minhash_signatures",
        vec!["minhash".into()],
        inputs,
        out,
        threads,
        quiet,
        |d| {
            let sig = match hasher.signature(&d.text) {
                Some(s) => json!({
                    "n_shingles": s.n_shingles,
                    "sig": s.buckets().map(|b| b.to_vec()).collect::<Vec<_>>(),
                }),
                None => Value::Null,
            };
            json!({"id": d.id, "minhash_sig": sig})
        },
    )
}

/// Streams every document of `inputs` through `record` (in parallel, batch by batch) and
/// writes the records as JSON lines in input order, atomically, to `out`.
fn records_to_file(
    name: &str,
    steps: Vec<String>,
    inputs: &[String],
    out: &Path,
    threads: usize,
    quiet: bool,
    record: impl Fn(&thresher_core::Document) -> serde_json::Value + Sync,
) -> Result<Report, RunError> {
    use crate::process::Observer;
    use rayon::prelude::*;
    use thresher_io::ReadEvent;
    const BATCH: usize = 256;

    let started = Instant::now();
    let format = OutputFormat::from_path(out).unwrap_or(OutputFormat::Jsonl);
    let shards = thresher_io::discover(inputs)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    let pool = thread_pool(threads)?;
    let mut writer = ShardWriter::create(out, format)?;
    let total_bytes: u64 = shards.iter().map(|s| input_size(&s.input)).sum();
    let view = ProgressView::new(total_bytes, quiet);
    let mut stats = Stats::default();
    let read_opts = ReadOptions::default();
    let flush = |batch: &mut Vec<thresher_core::Document>,
                 writer: &mut ShardWriter|
     -> Result<u64, RunError> {
        let records: Vec<serde_json::Value> =
            pool.install(|| batch.par_iter().map(&record).collect());
        let n = batch.len() as u64;
        batch.clear();
        for r in records {
            writer.write_record(r)?;
        }
        Ok(n)
    };
    for shard in &shards {
        stats.bytes_read += input_size(&shard.input);
        let observer = view.shard(input_size(&shard.input));
        let mut batch = Vec::with_capacity(BATCH);
        for event in thresher_io::open(&shard.input, &read_opts)? {
            match event {
                ReadEvent::Doc(d) => {
                    stats.docs_read += 1;
                    batch.push(*d);
                    if batch.len() == BATCH {
                        let n = flush(&mut batch, &mut writer)?;
                        stats.docs_written += n;
                        observer.progress(n, None);
                    }
                }
                ReadEvent::Skipped(kind) => stats.skipped(&kind),
                ReadEvent::Problem(p) => {
                    observer.problem(&p);
                    stats.problem(p);
                }
            }
        }
        let n = flush(&mut batch, &mut writer)?;
        stats.docs_written += n;
        observer.progress(n, None);
        observer.done();
    }
    writer.finish()?;
    view.finish();
    Ok(Report {
        pipeline: name.into(),
        steps,
        out_dir: out.to_path_buf(),
        rank: 0,
        world_size: 1,
        threads: pool.current_num_threads(),
        shards_total: shards.len(),
        shards_this_rank: shards.len(),
        shards_resumed: 0,
        wall_seconds: started.elapsed().as_secs_f64(),
        docs_read_now: stats.docs_read,
        bytes_read_now: stats.bytes_read,
        stats,
    })
}

/// The rejects file that goes beside `out`: `kept.jsonl.zst` → `kept.rejects.jsonl.zst`.
pub fn rejects_path_beside(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let ext_len = [
        ".jsonl.zst",
        ".jsonl.gz",
        ".jsonl",
        ".parquet",
        ".json.gz",
        ".json",
    ]
    .iter()
    .find(|e| lower.ends_with(*e))
    .map_or(0, |e| e.len());
    let (stem, ext) = name.split_at(name.len() - ext_len);
    out.with_file_name(format!("{stem}.rejects{ext}"))
}

/// Where documents a step dropped go.
#[derive(Clone, Copy)]
enum Rejected<'p> {
    /// To the kept output, like the others.
    Kept,
    /// To this rejects file.
    To(&'p Path),
    /// Nowhere.
    Nowhere,
}

struct Writers<'w> {
    kept: &'w mut ShardWriter,
    rejects: Option<&'w mut ShardWriter>,
    dropped_to_kept: bool,
    written: u64,
}

impl Sink for Writers<'_> {
    fn accept(&mut self, o: Outcome, step_names: &[&str]) -> Result<(), RunError> {
        match &o.dropped {
            _ if self.dropped_to_kept => {
                self.kept.write(&o.doc)?;
                self.written += 1;
            }
            None => {
                self.kept.write(&o.doc)?;
                self.written += 1;
            }
            Some((at, reason)) => {
                if let Some(w) = self.rejects.as_deref_mut() {
                    let by = step_names.get(*at).copied().unwrap_or("?");
                    w.write_rejected(&o.doc, by, reason)?;
                }
            }
        }
        Ok(())
    }
}

fn run_to_files(
    name: &str,
    inputs: &[String],
    steps: Vec<Box<dyn Step>>,
    out: &Path,
    rejects: Rejected<'_>,
    threads: usize,
    quiet: bool,
) -> Result<Report, RunError> {
    let started = Instant::now();
    let (dropped_to_kept, rejects) = match rejects {
        Rejected::Kept => (true, None),
        Rejected::To(p) => (false, Some(p)),
        Rejected::Nowhere => (false, None),
    };
    let format = OutputFormat::from_path(out).unwrap_or(OutputFormat::Jsonl);
    let shards = thresher_io::discover(inputs)?;
    for path in std::iter::once(out).chain(rejects) {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        }
    }
    let pool = thread_pool(threads)?;
    let mut kept = ShardWriter::create(out, format)?;
    let mut rejected = match rejects {
        Some(p) => Some(ShardWriter::create(
            p,
            OutputFormat::from_path(p).unwrap_or(format),
        )?),
        None => None,
    };
    let total_bytes: u64 = shards.iter().map(|s| input_size(&s.input)).sum();
    let view = ProgressView::new(total_bytes, quiet);
    let mut stats = Stats::default();
    let read_opts = ReadOptions::default();
    for shard in &shards {
        stats.bytes_read += input_size(&shard.input);
        let events = thresher_io::open(&shard.input, &read_opts)?;
        let observer = view.shard(input_size(&shard.input));
        let mut sink = Writers {
            kept: &mut kept,
            rejects: rejected.as_mut(),
            dropped_to_kept,
            written: 0,
        };
        process::stream(
            events, &steps, None, &mut sink, &mut stats, &observer, &pool,
        )?;
        stats.docs_written += sink.written;
        observer.done();
    }
    // Rejects first: the kept file appearing is what tells a user the run finished.
    if let Some(w) = rejected {
        w.finish()?;
    }
    kept.finish()?;
    view.finish();
    Ok(Report {
        pipeline: name.into(),
        steps: steps.iter().map(|s| s.name().to_string()).collect(),
        out_dir: out.to_path_buf(),
        rank: 0,
        world_size: 1,
        threads: pool.current_num_threads(),
        shards_total: shards.len(),
        shards_this_rank: shards.len(),
        shards_resumed: 0,
        wall_seconds: started.elapsed().as_secs_f64(),
        docs_read_now: stats.docs_read,
        bytes_read_now: stats.bytes_read,
        stats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_file_goes_beside_the_output() {
        let p = |s: &str| rejects_path_beside(Path::new(s));
        assert_eq!(
            p("out/kept.jsonl.zst"),
            Path::new("out/kept.rejects.jsonl.zst")
        );
        assert_eq!(p("kept.JSONL.gz"), Path::new("kept.rejects.JSONL.gz"));
        assert_eq!(p("a.parquet"), Path::new("a.rejects.parquet"));
        assert_eq!(p("noext"), Path::new("noext.rejects"));
    }
}
