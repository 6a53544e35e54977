//! Run statistics: what came in, what each step kept and dropped and why, what was broken.
//!
//! [`Stats`] values merge, so each shard keeps its own and the run sums them; a resumed run
//! reads back the stats of shards finished earlier.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts for one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStats {
    /// Documents the step saw.
    pub docs_in: u64,
    /// Documents it passed on.
    pub docs_out: u64,
    /// Drops by reason.
    pub dropped: BTreeMap<String, u64>,
    /// Nanoseconds spent in the step, summed over threads.
    pub nanos: u64,
}

/// A malformed input record: reported, counted, and skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    /// Input file.
    pub file: String,
    /// Byte offset where the problem was found.
    pub offset: u64,
    /// Record index (or line number for line formats) when known.
    pub record: Option<u64>,
    /// What was wrong.
    pub message: String,
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.record {
            Some(r) => write!(
                f,
                "{}: record {} at byte {}: {}",
                self.file, r, self.offset, self.message
            ),
            None => write!(
                f,
                "{}: at byte {}: {}",
                self.file, self.offset, self.message
            ),
        }
    }
}

/// Statistics of a shard or a whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Input bytes read (on-disk size of finished input files).
    pub bytes_read: u64,
    /// Documents produced by the readers.
    pub docs_read: u64,
    /// Input records that were not documents (requests, metadata, non-HTML responses), by kind.
    pub records_skipped: BTreeMap<String, u64>,
    /// Documents written to the output.
    pub docs_written: u64,
    /// Documents written to the rejects output (or dropped, when rejects are off).
    pub docs_rejected: u64,
    /// Per-step counts, by step name.
    pub steps: BTreeMap<String, StepStats>,
    /// Number of malformed records.
    pub problems_total: u64,
    /// The first malformed records reported (capped, see [`Stats::MAX_PROBLEMS`]).
    pub problems: Vec<RecordProblem>,
}

impl Stats {
    /// How many problems are kept verbatim; the rest are only counted.
    pub const MAX_PROBLEMS: usize = 1000;

    /// Records a malformed input record.
    pub fn problem(&mut self, p: RecordProblem) {
        self.problems_total += 1;
        if self.problems.len() < Self::MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    /// Counts a skipped non-document record.
    pub fn skipped(&mut self, kind: &str) {
        *self.records_skipped.entry(kind.to_string()).or_default() += 1;
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Stats) {
        self.bytes_read += other.bytes_read;
        self.docs_read += other.docs_read;
        for (k, v) in &other.records_skipped {
            *self.records_skipped.entry(k.clone()).or_default() += v;
        }
        self.docs_written += other.docs_written;
        self.docs_rejected += other.docs_rejected;
        for (name, s) in &other.steps {
            let mine = self.steps.entry(name.clone()).or_default();
            mine.docs_in += s.docs_in;
            mine.docs_out += s.docs_out;
            mine.nanos += s.nanos;
            for (r, n) in &s.dropped {
                *mine.dropped.entry(r.clone()).or_default() += n;
            }
        }
        self.problems_total += other.problems_total;
        for p in &other.problems {
            if self.problems.len() >= Self::MAX_PROBLEMS {
                break;
            }
            self.problems.push(p.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sums_counts_and_caps_problems() {
        let mut a = Stats::default();
        let mut b = Stats {
            docs_read: 3,
            ..Stats::default()
        };
        b.steps.entry("len".into()).or_default().docs_in = 3;
        *b.steps
            .get_mut("len")
            .unwrap()
            .dropped
            .entry("too_short".into())
            .or_default() += 2;
        for i in 0..(Stats::MAX_PROBLEMS + 5) {
            b.problem(RecordProblem {
                file: "f".into(),
                offset: i as u64,
                record: None,
                message: "bad".into(),
            });
        }
        a.merge(&b);
        a.merge(&b);
        assert_eq!(a.docs_read, 6);
        assert_eq!(a.steps["len"].dropped["too_short"], 4);
        assert_eq!(a.problems_total, 2 * (Stats::MAX_PROBLEMS as u64 + 5));
        assert_eq!(a.problems.len(), Stats::MAX_PROBLEMS);
    }
}
