//! `neardup-eval`: scores a near-duplicate dedup of a `neardup-gen` corpus against its truth.
//!
//! ```text
//! thresher dedup minhash /tmp/nd20k -o /tmp/nd20k-out --annotate
//! cargo run --release -p thresher-bench --bin neardup-eval -- \
//!     --corpus /tmp/nd20k --result /tmp/nd20k-out [--threshold 0.8] [--json report.json]
//! ```
//!
//! Reads the result's kept documents (`RESULT/*.jsonl[.zst|.gz]`) and removed ones
//! (`RESULT/rejects/`), using `id`, `metadata.cluster_id`, `metadata.duplicate_of` and
//! `dropped_by`. Reports pair recall (true pairs = same family, Jaccard ≥ threshold, in one
//! cluster), pair precision at the threshold and at 0.7 (pairs across families are false), the
//! true Jaccard of same-cluster pairs, document recall and precision, and the precision of the
//! removals. Corpus texts are read only for same-cluster pairs across families and for removals
//! outside a family (their Jaccard is computed exactly); nothing is quadratic in the corpus.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use thresher_bench::eval;

#[derive(Parser)]
#[command(
    name = "neardup-eval",
    about = "Score a MinHash dedup result against neardup-gen's truth"
)]
struct Args {
    /// The corpus folder neardup-gen wrote.
    #[arg(long)]
    corpus: PathBuf,
    /// The folder `thresher dedup minhash CORPUS -o RESULT --annotate` wrote.
    #[arg(long)]
    result: PathBuf,
    /// Jaccard similarity from which a within-family pair is a true duplicate.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Also write the report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Most same-cluster pairs across families whose Jaccard is computed (a sample beyond).
    #[arg(long, default_value_t = 1_000_000)]
    max_cross_pairs: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let report = eval::run(
        &args.corpus,
        &args.result,
        args.threshold,
        args.max_cross_pairs,
    )?;
    print!("{}", eval::render(&report));
    if let Some(path) = &args.json {
        let mut json = serde_json::to_vec_pretty(&report)?;
        json.push(b'\n');
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
