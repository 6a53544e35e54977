//! thresher-extract owns HTML → text: charset detection and decoding ([`charset`]), the
//! [`Extractor`] seam that extraction backends implement, the backends themselves
//! ([`NativeExtractor`], thresher's own main-content extractor, [`TrafilaturaExtractor`],
//! main-content extraction with the `trafilatura` crate, and [`PlainExtractor`], all visible
//! text), the [`guard`] that keeps hostile pages away from
//! tree-building extractors, and [`ExtractStep`], the pipeline step that ties them together.
//!
//! Robustness contract: no input makes anything here panic, overflow the stack or take more
//! than roughly linear time. Pages too large, too deep or with absurd tags go to the plain
//! extractor (a single linear pass written without recursion); a panic inside the
//! trafilatura crate becomes an [`ExtractError`].

#![warn(missing_docs)]

pub mod charset;
pub mod eval;
pub mod guard;
pub mod native;
pub mod plain;
mod scan;
pub mod step;
pub mod trafilatura_backend;

pub use charset::{decode_html, decode_html_for_url, CharsetSource, Decoded};
pub use guard::{check_page, PageLimits, PageShape, Unfit};
pub use native::NativeExtractor;
pub use plain::PlainExtractor;
pub use step::{ExtractOptions, ExtractStep};
pub use trafilatura_backend::TrafilaturaExtractor;

/// An extraction backend: decoded HTML in, text and page metadata out.
///
/// Implementations run on many threads at once, so they take `&self`.
pub trait Extractor: Send + Sync {
    /// Stable backend name (`trafilatura`, `plain`), recorded with each document.
    fn name(&self) -> &str;
    /// Extracts the text of one page. `url` is where the page came from, if known. An empty
    /// `text` is a valid result (nothing worth keeping), not an error.
    fn extract(&self, html: &str, url: Option<&str>) -> Result<Extraction, ExtractError>;
}

/// What a backend extracted from a page. Metadata fields are `None` when the page does not
/// state them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    /// The text: paragraphs separated by `\n`.
    pub text: String,
    /// Page title.
    pub title: Option<String>,
    /// Author(s) as the page states them.
    pub author: Option<String>,
    /// Publication date, `YYYY-MM-DD` when known to the day.
    pub date: Option<String>,
    /// Page description (`<meta name=description>`, Open Graph, ...).
    pub description: Option<String>,
    /// Site name.
    pub sitename: Option<String>,
    /// Language the page declares (`<html lang>`), lowercased; a hint, not a detection.
    pub language_hint: Option<String>,
    /// Canonical URL (`<link rel=canonical>`, `og:url`).
    pub canonical_url: Option<String>,
    /// Tags and keywords.
    pub tags: Vec<String>,
    /// Categories or sections.
    pub categories: Vec<String>,
    /// Set when the backend did not run its own method on this page but a fallback: what ran
    /// and why, e.g. `plain:too_deep`.
    pub fallback: Option<String>,
}

/// Why an extraction failed.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// [`backend`] was asked for a name it does not know.
    #[error("unknown extraction backend `{0}` (known: native, trafilatura, plain)")]
    UnknownBackend(String),
    /// The backend panicked on this page; the panic was contained.
    #[error("{backend} panicked: {message}")]
    Panicked {
        /// Backend name.
        backend: String,
        /// The panic message.
        message: String,
    },
    /// The backend reported an error.
    #[error("{backend}: {message}")]
    Backend {
        /// Backend name.
        backend: String,
        /// Its error message.
        message: String,
    },
    /// Invalid options.
    #[error("invalid extraction options: {0}")]
    Options(String),
}

/// Options shared by the backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendOptions {
    /// Keep the text of tables.
    pub include_tables: bool,
    /// Keep reader comments (appended after the main text).
    pub include_comments: bool,
    /// Let trafilatura compare its result with readability and jusText and fall back to
    /// them (its "standard" mode; off is its "fast" mode).
    pub fallback: bool,
    /// Pages outside these limits go to the plain extractor.
    pub limits: PageLimits,
    /// Write Markdown (headings, lists, quotes, code blocks, tables) instead of plain text
    /// (native backend).
    pub markdown: bool,
    /// Keep image `alt` texts (native backend).
    pub include_images: bool,
    /// Keep lists (native backend; on by default: steps, ingredients and facts are lists).
    pub include_lists: bool,
    /// Keep figure captions (native backend; off by default, as trafilatura's output).
    pub include_captions: bool,
}

impl Default for BackendOptions {
    /// The settings of trafilatura's own benchmark: tables in, comments out, fallback on.
    fn default() -> Self {
        BackendOptions {
            include_tables: true,
            include_comments: false,
            fallback: true,
            limits: PageLimits::default(),
            markdown: false,
            include_images: false,
            include_lists: true,
            include_captions: false,
        }
    }
}

/// Names [`backend`] knows.
pub const BACKENDS: &[&str] = &["native", "trafilatura", "plain"];

/// The backend called `name`, with default options.
pub fn backend(name: &str) -> Result<Box<dyn Extractor>, ExtractError> {
    backend_with(name, &BackendOptions::default())
}

/// The backend called `name`, with `opts`.
pub fn backend_with(name: &str, opts: &BackendOptions) -> Result<Box<dyn Extractor>, ExtractError> {
    match name {
        "native" => Ok(Box::new(NativeExtractor::new(opts))),
        "trafilatura" => Ok(Box::new(TrafilaturaExtractor::new(opts))),
        "plain" => Ok(Box::new(PlainExtractor::new())),
        other => Err(ExtractError::UnknownBackend(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_by_name() {
        for name in BACKENDS {
            assert_eq!(backend(name).unwrap().name(), *name);
        }
        let err = backend("readability").err().unwrap();
        assert!(err.to_string().contains("readability"));
    }
}
