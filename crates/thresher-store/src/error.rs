//! Errors, each naming the location (and key or local file) it concerns, so that a failure in
//! a many-shard run says which object failed.

use std::path::PathBuf;

/// A failure to parse a location, open a store or move an object.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The text is neither a usable local path nor a supported object-store URL.
    #[error("invalid location {input:?}: {reason}")]
    InvalidLocation {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store could not be set up (bad option, missing bucket name, unreadable credentials
    /// file, no runtime threads…).
    #[error("cannot open {url}: {message}")]
    Open {
        /// The location being opened.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A key that is not a valid object name (empty, `.`/`..` parts, control characters).
    #[error("{url}: invalid key {key:?}: {reason}")]
    InvalidKey {
        /// The store's location.
        url: String,
        /// The key as given.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A request to the store failed (not found, denied, network, server error…).
    #[error("{op} {url} key {key:?}: {source}")]
    Object {
        /// The operation: `get`, `put`, `list`, `delete`, `head`.
        op: &'static str,
        /// The store's location.
        url: String,
        /// The key (or list prefix) relative to the store's location.
        key: String,
        /// object_store's error (boxed: it is large, and errors travel through every `Result`).
        #[source]
        source: Box<object_store::Error>,
    },
    /// Reading or writing the local side of a transfer failed.
    #[error("{op} {url} key {key:?}: local file {}: {source}", path.display())]
    Local {
        /// The operation: `get` or `put`.
        op: &'static str,
        /// The store's location.
        url: String,
        /// The key relative to the store's location.
        key: String,
        /// The local file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// True when the object (or, for a local store, the file) does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            StoreError::Object { source, .. } => {
                matches!(**source, object_store::Error::NotFound { .. })
            }
            _ => false,
        }
    }
}
