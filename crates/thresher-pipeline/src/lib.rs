//! thresher-pipeline owns running a pipeline: the TOML pipeline file and presets
//! ([`config`], [`presets`]), turning them into steps ([`Pipeline`]), and the runner
//! ([`run`]) that streams every input shard through the steps on all cores, writes output and
//! rejects shards atomically, resumes from completion markers, splits work across ranks, shows
//! progress and reports statistics.

pub mod config;
pub mod jobs;
mod keys;
pub mod line_dedup;
mod markers;
pub mod minhash_dedup;
pub mod phases;
pub mod pipeline;
pub mod presets;
mod process;
pub mod rank;
mod remote;
pub mod report;
pub mod runner;
pub mod single_file;
pub mod site_boilerplate;
pub mod sites;
mod steps;

pub use config::PipelineConfig;
pub use pipeline::Pipeline;
pub use runner::{run, RunOptions, RunReport};
pub use single_file::{
    decisions_to_file, extract_to_file, filter_to_file, rejects_path_beside, signatures_to_file,
};
pub use thresher_io::OutputFormat;

/// A failure of the run itself (as opposed to a bad record, which is counted and skipped).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The pipeline file or options are invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// An input could not be found or opened, or an output could not be written.
    #[error(transparent)]
    Io(#[from] thresher_io::IoError),
    /// A step could not be set up (e.g. its model failed to load).
    #[error("step `{step}`: {message}")]
    Step {
        /// The step.
        step: String,
        /// What went wrong.
        message: String,
    },
    /// The output folder holds state of a different run.
    #[error("{0}")]
    State(String),
    /// Object storage could not be listed, read or written.
    #[error("object storage: {0}")]
    Remote(String),
}
