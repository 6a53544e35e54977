//! thresher-text owns the per-document text steps:
//!
//! - [`langid`]: language identification with fastText's `lid.176` model, as datatrove's
//!   `LanguageFilter` / FineWeb do it ([`LanguageId`], step name `langid`);
//! - [`length`]: the minimal length filter ([`LengthFilter`], step name `length`);
//! - [`hygiene`]: Unicode hygiene: NFC, spaces, zero-width and control characters, line
//!   breaks, mojibake repair, mixed-script detection ([`UnicodeHygiene`], step name
//!   `hygiene`);
//! - [`provenance`]: advertising and analytics account ids (AdSense publisher, Google
//!   Analytics, Tag Manager) found in the text and raw HTML, recorded in
//!   `metadata.extra["provenance"]` ([`Provenance`], step name `provenance`);
//! - [`junk`]: removal of non-prose lines (ads.txt records, share/donation calls to action,
//!   cookie banners, navigation, lone URLs, related-links lists, copyright footers, ...) at the
//!   edges of the text and, when unambiguous, inside it, recorded in
//!   `metadata.extra["removed_lines"]` ([`JunkLines`], step name `junk_lines`);
//! - [`title`]: a headline-shaped first line of a plain text becomes `metadata.title`
//!   ([`TitleFromText`], step name `title`);
//! - [`ft`]: fastText supervised models read and run in Rust, with fastText's arithmetic;
//! - [`model`]: the bundled model (compiled into the binary, so it works offline and wherever
//!   the binary is moved), loading it once per process, and thread-safe prediction
//!   ([`LidModel`]).
//!
//! The quality filters (Gopher, C4, FineWeb rules) and text hygiene belong here too.

#![warn(missing_docs)]

pub mod ft;
pub mod hygiene;
pub mod junk;
pub mod langid;
pub mod length;
pub mod model;
pub mod provenance;
pub mod title;

pub use hygiene::{HygieneOptions, UnicodeHygiene};
pub use junk::{JunkKind, JunkLines, JunkLinesOptions};
pub use langid::{LanguageDecision, LanguageId, LanguageIdOptions};
pub use length::{count_words, LengthFilter, LengthOptions};
pub use model::{LangScore, LidModel, ModelError};
pub use provenance::{Provenance, ProvenanceOptions};
pub use title::{TitleFromText, TitleOptions};
