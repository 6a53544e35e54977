//! Errors that stop reading or writing a whole file (as opposed to per-record problems,
//! which are [`crate::ReadEvent::Problem`] events).

use std::path::PathBuf;

/// A failure to open, read or write a file as a whole.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An input pattern matched nothing, or named a file whose format is unknown.
    #[error("{0}")]
    Input(String),
    /// The file is not in the format its name says.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl IoError {
    /// Wraps an OS error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Io {
            path: path.into(),
            source,
        }
    }
}
