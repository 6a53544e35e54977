//! A pipeline built from its configuration: the steps, split at the corpus-wide step.

use crate::config::{MinhashDedupConfig, PipelineConfig, StepConfig};
use crate::RunError;
use thresher_core::{CorpusStep, Step};

/// A step that needs the whole corpus before it can decide.
pub enum Corpus {
    /// Keeps the first document of each key (exact dedup).
    Keyed(Box<dyn CorpusStep>),
    /// MinHash near-dedup, run as its four stages between the two passes.
    Minhash(MinhashDedupConfig),
    /// Site boilerplate: lines counted per site between the passes, removed in the second.
    Boilerplate(thresher_dedup::boilerplate::BoilerplateConfig),
}

impl Corpus {
    /// Stable name used in stats and rejects.
    pub fn name(&self) -> &str {
        match self {
            Corpus::Keyed(c) => c.name(),
            Corpus::Minhash(_) => crate::minhash_dedup::STEP_NAME,
            Corpus::Boilerplate(_) => crate::site_boilerplate::STEP_NAME,
        }
    }
}

/// Steps ready to run. Documents go through `before`, then (if present) the corpus-wide step
/// as a second pass over every shard, then `after`.
pub struct Pipeline {
    /// Name for the summary and stats.
    pub name: String,
    /// Per-document steps before the corpus-wide step (or all of them when there is none).
    pub before: Vec<Box<dyn Step>>,
    /// The corpus-wide step, if any.
    pub corpus: Option<Corpus>,
    /// Per-document steps after the corpus-wide step.
    pub after: Vec<Box<dyn Step>>,
}

impl Pipeline {
    /// Builds the steps a configuration describes.
    pub fn build(cfg: &PipelineConfig) -> Result<Pipeline, RunError> {
        let mut p = Pipeline {
            name: cfg.name.clone(),
            before: Vec::new(),
            corpus: None,
            after: Vec::new(),
        };
        for step in &cfg.steps {
            // The corpus-wide pass re-reads documents without their HTML.
            if p.corpus.is_some() && matches!(step, StepConfig::Extract(_)) {
                return Err(RunError::Config(
                    "`extract` must come before `exact_dedup` and `minhash_dedup`: the second pass has no HTML".into(),
                ));
            }
            match crate::steps::build(step)? {
                Built::Local(s) => {
                    if p.corpus.is_some() {
                        p.after.push(s)
                    } else {
                        p.before.push(s)
                    }
                }
                Built::Corpus(c) => {
                    if p.corpus.is_some() {
                        return Err(RunError::Config(format!(
                            "step `{}`: only one corpus-wide step (exact_dedup, minhash_dedup or site_boilerplate) per pipeline is supported",
                            step.name()
                        )));
                    }
                    p.corpus = Some(c);
                }
            }
        }
        Ok(p)
    }

    /// Step names in run order.
    pub fn step_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.before.iter().map(|s| s.name().to_string()).collect();
        if let Some(c) = &self.corpus {
            v.push(c.name().to_string());
        }
        v.extend(self.after.iter().map(|s| s.name().to_string()));
        v
    }
}

/// A step as built from one `[[steps]]` entry.
pub enum Built {
    /// A per-document step.
    Local(Box<dyn Step>),
    /// A corpus-wide step.
    Corpus(Corpus),
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("name", &self.name)
            .field("steps", &self.step_names())
            .finish()
    }
}

/// Used by `Pipeline::build` to report the step a config entry names.
impl StepConfig {
    /// Whether the step needs the whole corpus.
    pub fn is_corpus_wide(&self) -> bool {
        matches!(
            self,
            StepConfig::ExactDedup(_) | StepConfig::MinhashDedup(_)
        )
    }
}

/// Builds a single per-document step (for commands that run one step alone).
pub fn build_local_step(cfg: &StepConfig) -> Result<Box<dyn Step>, RunError> {
    match crate::steps::build(cfg)? {
        Built::Local(s) => Ok(s),
        Built::Corpus(_) => Err(RunError::Config(format!(
            "`{}` is a corpus-wide step and cannot run alone",
            cfg.name()
        ))),
    }
}
