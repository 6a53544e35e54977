//! Streaming a shard through steps: read events in batches, run the steps over a batch on the
//! thread pool, then hand results to a sink in input order (so output order, and every
//! order-dependent decision, is the same whatever the thread count).

use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;
use thresher_core::{Document, RecordProblem, Stats, Step, Verdict};
use thresher_io::{EventStream, ReadEvent};

/// Largest batch in documents. Batches are smaller with fewer threads (16 documents per
/// thread, at least 32): enough to keep every thread busy, small enough for the progress bar
/// and the memory held per shard.
const BATCH_DOCS: usize = 256;

fn batch_docs(threads: usize) -> usize {
    (threads * 16).clamp(32, BATCH_DOCS)
}
/// Largest batch in payload bytes (HTML + text), so memory stays bounded on big records.
const BATCH_BYTES: usize = 64 << 20;

/// One document after the steps.
pub struct Outcome {
    pub doc: Document,
    /// Index of the step that dropped it, and why.
    pub dropped: Option<(usize, String)>,
    /// Time spent in each step that ran, in order.
    nanos: Vec<u64>,
}

/// Where processed documents go.
pub trait Sink {
    fn accept(&mut self, outcome: Outcome, step_names: &[&str]) -> Result<(), crate::RunError>;
}

/// Runs `steps` over one document. A panicking step is a bug, but one page must not take the
/// run down: the document is dropped with reason `step_panicked` and the panic is reported.
pub fn apply(steps: &[Box<dyn Step>], mut doc: Document) -> Outcome {
    let mut nanos = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        let t = Instant::now();
        let verdict = catch_unwind(AssertUnwindSafe(|| step.process(&mut doc)))
            .unwrap_or_else(|_| Verdict::drop("step_panicked"));
        nanos.push(t.elapsed().as_nanos() as u64);
        if let Verdict::Drop(reason) = verdict {
            return Outcome {
                doc,
                dropped: Some((i, reason)),
                nanos,
            };
        }
    }
    Outcome {
        doc,
        dropped: None,
        nanos,
    }
}

/// Adds one outcome to per-step stats.
pub fn count(stats: &mut Stats, step_names: &[&str], o: &Outcome) {
    for (i, ns) in o.nanos.iter().enumerate() {
        let Some(name) = step_names.get(i) else { break };
        let s = stats.steps.entry((*name).to_string()).or_default();
        s.docs_in += 1;
        s.nanos += ns;
        match &o.dropped {
            Some((at, reason)) if *at == i => {
                *s.dropped.entry(reason.clone()).or_default() += 1;
            }
            _ => s.docs_out += 1,
        }
    }
}

/// Callbacks for the person watching: problems to log, progress to show.
pub trait Observer: Sync {
    fn problem(&self, p: &RecordProblem);
    /// Called after each batch with the number of documents and the furthest input offset seen.
    fn progress(&self, docs: u64, offset: Option<u64>);
}

/// A decision taken in input order before the parallel steps: given a document and its
/// position among the stream's documents, `Some(reason)` drops it. Used for the corpus-wide
/// step's second pass.
pub struct Gate<'a> {
    /// Name the gate's drops are recorded under.
    pub name: &'a str,
    /// The decision.
    pub decide: &'a mut dyn FnMut(&mut Document, u64) -> Option<String>,
}

/// An observer that shows nothing (for passes over the run's own files).
pub struct NoObserver;

impl Observer for NoObserver {
    fn problem(&self, _: &RecordProblem) {}
    fn progress(&self, _: u64, _: Option<u64>) {}
}

/// Streams `events` through `steps` into `sink`, counting everything in `stats`.
/// When `gate` is given it runs first, in input order, and counts as step 0.
pub fn stream(
    events: EventStream,
    steps: &[Box<dyn Step>],
    mut gate: Option<Gate<'_>>,
    sink: &mut dyn Sink,
    stats: &mut Stats,
    observer: &dyn Observer,
    pool: &rayon::ThreadPool,
) -> Result<(), crate::RunError> {
    let mut names: Vec<&str> = Vec::with_capacity(steps.len() + 1);
    if let Some(g) = &gate {
        names.push(g.name);
    }
    let shift = names.len();
    names.extend(steps.iter().map(|s| s.name()));
    let mut events = events.peekable();
    let mut position = 0u64;
    let max_docs = batch_docs(pool.current_num_threads());
    loop {
        let mut gated: Vec<(usize, Outcome)> = Vec::new();
        let mut batch: Vec<Document> = Vec::new();
        let mut bytes = 0usize;
        let mut max_offset = None;
        // Gated documents count towards the limits too: a long run of duplicates must not
        // pile up in memory.
        while batch.len() + gated.len() < max_docs && bytes < BATCH_BYTES {
            match events.next() {
                None => break,
                Some(ReadEvent::Doc(doc)) => {
                    let mut doc = *doc;
                    stats.docs_read += 1;
                    if let Some(src) = &doc.metadata.source {
                        max_offset = Some(src.offset);
                    }
                    let pos = position;
                    position += 1;
                    if let Some(g) = gate.as_mut() {
                        if let Some(reason) = (g.decide)(&mut doc, pos) {
                            bytes += doc.text.len();
                            // Keep its place in the output order: it is emitted before the
                            // document that follows it in the batch.
                            gated.push((
                                batch.len(),
                                Outcome {
                                    doc,
                                    dropped: Some((0, reason)),
                                    nanos: vec![0],
                                },
                            ));
                            continue;
                        }
                    }
                    bytes += doc.text.len() + doc.html.as_ref().map_or(0, Vec::len);
                    batch.push(doc);
                }
                Some(ReadEvent::Skipped(kind)) => stats.skipped(&kind),
                Some(ReadEvent::Problem(p)) => {
                    observer.problem(&p);
                    stats.problem(p);
                }
            }
        }
        if batch.is_empty() && gated.is_empty() {
            if events.peek().is_none() {
                return Ok(());
            }
            continue;
        }
        let n = (batch.len() + gated.len()) as u64;
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .into_par_iter()
                .map(|d| {
                    let mut o = apply(steps, d);
                    if shift > 0 {
                        o.nanos.insert(0, 0);
                        if let Some((i, _)) = o.dropped.as_mut() {
                            *i += shift;
                        }
                    }
                    o
                })
                .collect()
        });
        let mut gated = gated.into_iter().peekable();
        for (i, o) in outcomes.into_iter().enumerate() {
            while let Some((_, g)) = gated.next_if(|(at, _)| *at <= i) {
                count(stats, &names, &g);
                sink.accept(g, &names)?;
            }
            count(stats, &names, &o);
            sink.accept(o, &names)?;
        }
        for (_, g) in gated {
            count(stats, &names, &g);
            sink.accept(g, &names)?;
        }
        observer.progress(n, max_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct DropShort;
    impl Step for DropShort {
        fn name(&self) -> &str {
            "short"
        }
        fn process(&self, doc: &mut Document) -> Verdict {
            if doc.text.len() < 3 {
                Verdict::drop("too_short")
            } else {
                doc.text.push('!');
                Verdict::Keep
            }
        }
    }
    struct Boom;
    impl Step for Boom {
        fn name(&self) -> &str {
            "boom"
        }
        fn process(&self, doc: &mut Document) -> Verdict {
            if doc.text.contains("boom") {
                panic!("a buggy step");
            }
            Verdict::Keep
        }
    }

    #[test]
    fn apply_counts_and_catches_panics() {
        let steps: Vec<Box<dyn Step>> = vec![Box::new(DropShort), Box::new(Boom)];
        let names = ["short", "boom"];
        let mut stats = Stats::default();
        for text in ["ab", "hello", "boom boom"] {
            let o = apply(&steps, Document::new("x", text));
            count(&mut stats, &names, &o);
        }
        assert_eq!(stats.steps["short"].docs_in, 3);
        assert_eq!(stats.steps["short"].docs_out, 2);
        assert_eq!(stats.steps["short"].dropped["too_short"], 1);
        assert_eq!(stats.steps["boom"].docs_in, 2);
        assert_eq!(stats.steps["boom"].dropped["step_panicked"], 1);
    }
}
