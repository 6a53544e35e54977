//! `neardup-gen`: builds a near-duplicate corpus from real web text, with ground truth.
//!
//! ```text
//! cargo run --release -p thresher-bench --bin neardup-gen -- \
//!     --docs 20000 --shards 8 --seed 1 --out /tmp/nd20k [--source FILE]... [--dup-fraction 0.2]
//! ```
//!
//! Writes `OUT/part-NNNNN.jsonl.zst` (the corpus, `{"id","text","metadata"}` per line),
//! `OUT/truth.jsonl.zst` (per family: member ids and the exact Jaccard of every pair of
//! members over datatrove's MinHash shingles) and `OUT/generator.json` (parameters, counts,
//! Jaccard histograms). The same arguments give byte-identical output. Memory stays bounded
//! (documents are streamed to their shards; only family members waiting for their position
//! are held), so `--docs 1000000 --shards 64` runs on a small machine.
//!
//! The default source is `shared/data/webtext-docs/combined.jsonl.gz` beside the repository;
//! `--source` (repeatable) takes JSONL (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`, a `text` field per
//! line) or plain-text files instead. Score a dedup of the corpus with `neardup-eval`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Parser;
use thresher_bench::generate::{self, GenConfig};
use thresher_bench::mutate::MutateOptions;
use thresher_bench::source::Pool;

#[derive(Parser)]
#[command(
    name = "neardup-gen",
    about = "Generate a near-duplicate corpus with ground truth"
)]
struct Args {
    /// Documents in all.
    #[arg(long, default_value_t = 10_000)]
    docs: u64,
    /// Output shards (part-NNNNN.jsonl.zst).
    #[arg(long, default_value_t = 8)]
    shards: u32,
    /// Seed: the same seed and arguments give the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Real text to draw from (repeatable; default: shared/data/webtext-docs/combined.jsonl.gz).
    #[arg(long = "source")]
    sources: Vec<PathBuf>,
    /// Keep non-English source documents too (by default only English ones: by their
    /// `metadata.language`, or a function-word test without one).
    #[arg(long)]
    all_languages: bool,
    /// Share of documents that are copies of another document.
    #[arg(long, default_value_t = 0.2)]
    dup_fraction: f64,
    /// Most copies in one family.
    #[arg(long, default_value_t = 20)]
    max_copies: u32,
    /// Probability that a copy copies an earlier copy rather than the original.
    #[arg(long, default_value_t = 0.3)]
    copy_of_copy: f64,
    /// Most documents by which a family member's position is delayed (bounds memory).
    #[arg(long, default_value_t = 50_000)]
    spread: u64,
    /// Shortest background document, in words.
    #[arg(long, default_value_t = 150)]
    min_words: usize,
    /// Longest background document, in words.
    #[arg(long, default_value_t = 800)]
    max_words: usize,
    /// Share of copies with only cosmetic changes (Jaccard 1).
    #[arg(long, default_value_t = 0.12)]
    cosmetic_share: f64,
    /// Lowest target Jaccard of a copy to its parent.
    #[arg(long, default_value_t = 0.45)]
    min_target: f64,
    /// zstd level of the output files.
    #[arg(long, default_value_t = 3)]
    zstd_level: i32,
    /// Replace a corpus already in the output folder.
    #[arg(long)]
    overwrite: bool,
    /// No progress lines.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let cfg = GenConfig {
        docs: args.docs,
        shards: args.shards,
        seed: args.seed,
        dup_fraction: args.dup_fraction,
        max_copies: args.max_copies,
        copy_of_copy: args.copy_of_copy,
        spread: args.spread,
        min_words: args.min_words,
        max_words: args.max_words,
        zstd_level: args.zstd_level,
        mutate: MutateOptions {
            cosmetic_share: args.cosmetic_share,
            min_target: args.min_target,
        },
    };
    cfg.validate()?;
    let sources = if args.sources.is_empty() {
        let d = generate::default_source();
        if !d.exists() {
            bail!(
                "default source {} not found; pass --source FILE",
                d.display()
            );
        }
        vec![d]
    } else {
        args.sources
    };
    let (pool, per_file) = Pool::load(&sources, !args.all_languages)?;
    let st = pool.stats();
    if !args.quiet {
        eprintln!(
            "neardup-gen: pool of {} sentences, {} paragraphs, {} words from {} documents ({} skipped as not English)",
            st.sentences, st.paragraphs, st.words, st.documents - st.skipped_not_english, st.skipped_not_english
        );
    }
    generate::prepare_out_dir(&args.out, args.overwrite)?;
    let recorded = sources
        .iter()
        .map(|p| {
            let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            p.display().to_string()
        })
        .zip(per_file)
        .collect();
    let s = generate::generate(&cfg, &pool, recorded, &args.out, !args.quiet)?;
    let c = &s.counts;
    println!(
        "{} documents in {} shards ({:.1} MB of text) in {:.1} s: {} singletons, {} families, {} copies",
        c.docs,
        cfg.shards,
        c.text_bytes as f64 / 1e6,
        s.seconds,
        c.singletons,
        c.families,
        c.copies
    );
    println!(
        "{} within-family pairs: {} with Jaccard >= 0.8, {} >= 0.7; copies >= 0.8 to their parent: {} of {}",
        c.pairs, c.pairs_ge_0_8, c.pairs_ge_0_7, c.copies_ge_0_8_to_parent, c.copies
    );
    println!("written to {}", args.out.display());
    Ok(())
}
