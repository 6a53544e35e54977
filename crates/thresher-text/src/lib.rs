//! thresher-text owns the per-document text steps:
//!
//! - [`langid`]: language identification with fastText's `lid.176` model, as datatrove's
//!   `LanguageFilter` / FineWeb do it ([`LanguageId`], step name `langid`);
//! - [`length`]: the minimal length filter ([`LengthFilter`], step name `length`);
//! - [`model`]: the bundled model (compiled into the binary, so it works offline and wherever
//!   the binary is moved), loading it once per process, and thread-safe prediction
//!   ([`LidModel`]).
//!
//! The quality filters (Gopher, C4, FineWeb rules) and text hygiene belong here too.

#![warn(missing_docs)]

pub mod langid;
pub mod length;
pub mod model;

pub use langid::{LanguageDecision, LanguageId, LanguageIdOptions};
pub use length::{count_words, LengthFilter, LengthOptions};
pub use model::{LangScore, LidModel, ModelError};
