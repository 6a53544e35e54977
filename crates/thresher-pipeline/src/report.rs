//! What a person sees: the progress bar while running, the summary table at the end, and the
//! `stats.json` written beside the output.

use crate::process::Observer;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use thresher_core::{RecordProblem, Stats};

/// How many problems are printed as they happen; the rest are only in `stats.json`.
const MAX_LOGGED_PROBLEMS: usize = 50;

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Pipeline name.
    pub pipeline: String,
    /// Step names in order.
    pub steps: Vec<String>,
    /// Output folder (or file, for `thresher extract`).
    pub out_dir: PathBuf,
    /// Rank of this process.
    pub rank: usize,
    /// Number of ranks.
    pub world_size: usize,
    /// Worker threads.
    pub threads: usize,
    /// Shards of the whole job.
    pub shards_total: usize,
    /// Shards of this rank.
    pub shards_this_rank: usize,
    /// Shards found already done (resumed run).
    pub shards_resumed: usize,
    /// Wall time of this invocation.
    pub wall_seconds: f64,
    /// Documents read by this invocation (not by earlier, resumed ones).
    pub docs_read_now: u64,
    /// Input bytes read by this invocation.
    pub bytes_read_now: u64,
    /// Counts of this rank's shards, including those done by an earlier invocation.
    pub stats: Stats,
}

impl RunReport {
    /// Documents read by this invocation per second of its wall time.
    pub fn docs_per_second(&self) -> f64 {
        if self.wall_seconds > 0.0 {
            self.docs_read_now as f64 / self.wall_seconds
        } else {
            0.0
        }
    }

    /// The `stats.json` object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "pipeline": self.pipeline,
            "steps_in_order": self.steps,
            "rank": self.rank,
            "world_size": self.world_size,
            "threads": self.threads,
            "shards_total": self.shards_total,
            "shards_this_rank": self.shards_this_rank,
            "shards_resumed": self.shards_resumed,
            "wall_seconds": self.wall_seconds,
            "docs_per_second": self.docs_per_second(),
            "docs_read_this_invocation": self.docs_read_now,
            "mb_per_second": if self.wall_seconds > 0.0 {
                self.bytes_read_now as f64 / 1e6 / self.wall_seconds
            } else { 0.0 },
        });
        if let (Some(obj), Ok(serde_json::Value::Object(stats))) =
            (v.as_object_mut(), serde_json::to_value(&self.stats))
        {
            obj.extend(stats);
        }
        v
    }

    /// The human summary printed at the end of a run.
    pub fn summary_table(&self) -> String {
        let s = &self.stats;
        let mut t = String::new();
        let _ = writeln!(
            t,
            "thresher: pipeline `{}` — {} shard(s) ({} already done), {} thread(s), {:.1} s",
            self.pipeline,
            self.shards_this_rank,
            self.shards_resumed,
            self.threads,
            self.wall_seconds
        );
        let _ = writeln!(
            t,
            "read {} documents ({:.1} MB), {:.1} docs/s this run; wrote {}, rejected {}; {} malformed record(s)",
            s.docs_read,
            s.bytes_read as f64 / 1e6,
            self.docs_per_second(),
            s.docs_written,
            s.docs_rejected,
            s.problems_total
        );
        let total_ns: u64 = s.steps.values().map(|x| x.nanos).sum::<u64>().max(1);
        let _ = writeln!(
            t,
            "{:<14} {:>9} {:>9} {:>9} {:>6}  top drop reasons",
            "step", "in", "out", "dropped", "time%"
        );
        for name in &self.steps {
            let Some(st) = s.steps.get(name) else {
                let _ = writeln!(t, "{name:<14} {:>9} {:>9} {:>9} {:>6}", 0, 0, 0, "-");
                continue;
            };
            let mut reasons: Vec<(&String, &u64)> = st.dropped.iter().collect();
            reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let top: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|(r, n)| format!("{r}={n}"))
                .collect();
            let _ = writeln!(
                t,
                "{:<14} {:>9} {:>9} {:>9} {:>5.1}%  {}",
                name,
                st.docs_in,
                st.docs_out,
                st.docs_in - st.docs_out,
                100.0 * st.nanos as f64 / total_ns as f64,
                top.join(", ")
            );
        }
        if !s.records_skipped.is_empty() {
            let mut sk: Vec<(&String, &u64)> = s.records_skipped.iter().collect();
            sk.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = sk.iter().take(6).map(|(k, n)| format!("{k}={n}")).collect();
            let _ = writeln!(t, "records skipped (not documents): {}", list.join(", "));
        }
        t
    }
}

/// The progress bar, shared by all shards of a run. Hidden with `--quiet` or when stderr is not
/// a terminal.
pub struct ProgressView {
    bar: ProgressBar,
    docs: AtomicU64,
    logged: AtomicUsize,
    quiet: bool,
}

impl ProgressView {
    /// A bar over `total_bytes` of input.
    pub fn new(total_bytes: u64, quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr())
        };
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        ) {
            bar.set_style(style);
        }
        ProgressView {
            bar,
            docs: AtomicU64::new(0),
            logged: AtomicUsize::new(0),
            quiet,
        }
    }

    /// The observer for one shard of `size` input bytes.
    pub fn shard(&self, size: u64) -> ShardProgress<'_> {
        ShardProgress {
            view: self,
            size,
            advanced: AtomicU64::new(0),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn log(&self, line: String) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }
}

/// Progress of one shard: moves the shared bar by the input bytes this shard has consumed.
pub struct ShardProgress<'a> {
    view: &'a ProgressView,
    size: u64,
    advanced: AtomicU64,
}

impl ShardProgress<'_> {
    /// The shard is finished: account for the rest of its bytes.
    pub fn done(&self) {
        let prev = self.advanced.swap(self.size, Ordering::Relaxed);
        self.view.bar.inc(self.size.saturating_sub(prev));
    }
}

impl Observer for ShardProgress<'_> {
    fn problem(&self, p: &RecordProblem) {
        if self.view.quiet {
            return;
        }
        let n = self.view.logged.fetch_add(1, Ordering::Relaxed);
        if n < MAX_LOGGED_PROBLEMS {
            self.view
                .log(format!("warning: malformed record skipped: {p}"));
        } else if n == MAX_LOGGED_PROBLEMS {
            self.view
                .log("warning: more malformed records; all are listed in stats.json".into());
        }
    }

    fn progress(&self, docs: u64, offset: Option<u64>) {
        let total = self.view.docs.fetch_add(docs, Ordering::Relaxed) + docs;
        if let Some(off) = offset {
            // Offsets past the file size (decompressed streams) are clamped: the bar then waits
            // at this shard's share until it finishes.
            let target = off.min(self.size);
            let prev = self.advanced.fetch_max(target, Ordering::Relaxed);
            if target > prev {
                self.view.bar.inc(target - prev);
            }
        }
        let secs = self.view.bar.elapsed().as_secs_f64().max(1e-3);
        self.view
            .bar
            .set_message(format!("{total} docs, {:.0} docs/s", total as f64 / secs));
    }
}
