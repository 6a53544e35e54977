//! thresher-quality owns the text quality filters that reproduce datatrove 0.10.1's decisions
//! (keep/drop and the same reason strings) and C4's line removals:
//!
//! - [`filter`]: the seam: [`TextFilter`] (decide on a text), [`Check`] (the decision, with
//!   the rewritten text when a filter removes lines) and [`FilterStep`] (any filter as a
//!   pipeline [`thresher_core::Step`]);
//! - [`pystr`]: Python `str` semantics the filters depend on (`split`, `splitlines`, `strip`,
//!   lengths in code points);
//! - [`text`]: [`TextView`] (a text whose words are tokenised once for all filters) and
//!   [`Chain`] (filters in sequence; [`Chain::fineweb`] is FineWeb's chain);
//! - one module per datatrove filter: [`gopher_repetition`], [`gopher_quality`],
//!   [`c4_quality`], [`c4_badwords`], [`fineweb_quality`]; and [`url`] (URL filter) and
//!   [`pii`] (e-mail and public IP redaction).
//!
//! Words are counted by `thresher-tokenize`, which reproduces datatrove's `split_into_words`.

#![warn(missing_docs)]

pub mod c4_badwords;
pub mod c4_quality;
pub mod decisions;
pub mod filter;
pub mod fineweb_quality;
pub mod gopher_quality;
pub mod gopher_repetition;
mod off;
pub mod pii;
pub mod pystr;
pub mod text;
pub mod url;

pub use c4_badwords::{C4BadWords, C4BadWordsOptions};
pub use c4_quality::{C4Quality, C4QualityOptions};
pub use filter::{Check, FilterStep, TextFilter};
pub use fineweb_quality::{FineWebQuality, FineWebQualityOptions};
pub use gopher_quality::{GopherQuality, GopherQualityOptions};
pub use gopher_repetition::{GopherRepetition, GopherRepetitionOptions};
pub use pii::{PiiFormatter, PiiOptions};
pub use text::{Chain, ChainResult, TextView, ViewFilter, WordSource};
pub use url::{UrlFilter, UrlFilterOptions};
