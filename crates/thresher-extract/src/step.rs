//! The `extract` pipeline step: raw HTML bytes in `Document::html` → decoded, extracted
//! `Document::text` plus page metadata.
//!
//! Where things go:
//!
//! | what | where |
//! |---|---|
//! | extracted text | `text` |
//! | page title | `metadata.title`, unless the input already had one |
//! | encoding used (WHATWG name) | `metadata.charset`; how it was chosen in `extra["charset_source"]` (`bom`, `http`, `meta`, `sniffed`, `default`) |
//! | declared encoding that was overridden | `extra["charset_declared"]` |
//! | malformed bytes replaced by U+FFFD | `extra["charset_errors"] = true` |
//! | author, description, site name | `extra["author"]`, `extra["description"]`, `extra["sitename"]` |
//! | publication date the page states | `extra["published"]` |
//! | `<html lang>` | `extra["html_lang"]` |
//! | canonical URL, tags, categories | `extra["canonical_url"]`, `extra["tags"]`, `extra["categories"]` (lists) |
//! | backend that produced the text | `extra["extractor"]`: `native`, `trafilatura`, `plain`, or `plain:<why>` when the guard diverted the page (`too_large`, `too_deep`, `too_many_elements`, `too_many_attributes`) |
//! | why extraction failed | `extra["extract_error"]` |
//!
//! `metadata.date` is left alone: for WARC input it holds the crawl date, as datatrove's
//! WARC reader writes it, and mixing in publication dates would make the field ambiguous.
//!
//! Verdicts: `Keep` with text; `Drop("empty_extraction")` when nothing was extracted;
//! `Drop("extraction_failed")` when the backend failed (the document keeps its metadata, so
//! the rejects output shows the error). Documents without HTML pass through untouched.

use crate::charset::decode_html_for_url;
use crate::guard::PageLimits;
use crate::{backend_with, BackendOptions, ExtractError, Extractor};
use serde_json::Value;
use thresher_core::{Document, Step, Verdict};

/// Options of [`ExtractStep`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Backend name: `native` (default), `trafilatura` or `plain`.
    pub backend: String,
    /// Pages larger than this (decoded, in bytes) go to the plain extractor (trafilatura
    /// backend; the native extractor is linear in the page and bounds its own depth).
    pub max_html_bytes: usize,
    /// Pages nested deeper than this go to the plain extractor (trafilatura backend).
    pub max_depth: usize,
    /// Pages with more elements than this go to the plain extractor (trafilatura backend).
    pub max_elements: usize,
    /// Keep table text.
    pub include_tables: bool,
    /// Keep reader comments.
    pub include_comments: bool,
    /// trafilatura's fallback comparison with readability and jusText (slower, better).
    pub fallback: bool,
    /// Markdown output (native backend).
    pub markdown: bool,
    /// Keep image `alt` texts (native backend).
    pub include_images: bool,
    /// Keep lists (native backend).
    pub include_lists: bool,
    /// Keep figure captions (native backend).
    pub include_captions: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        let b = BackendOptions::default();
        ExtractOptions {
            backend: "native".into(),
            max_html_bytes: b.limits.max_bytes,
            max_depth: b.limits.max_depth,
            max_elements: b.limits.max_elements,
            include_tables: b.include_tables,
            include_comments: b.include_comments,
            fallback: b.fallback,
            markdown: b.markdown,
            include_images: b.include_images,
            include_lists: b.include_lists,
            include_captions: b.include_captions,
        }
    }
}

/// The `extract` step.
pub struct ExtractStep {
    extractor: Box<dyn Extractor>,
}

impl std::fmt::Debug for ExtractStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractStep")
            .field("backend", &self.extractor.name())
            .finish()
    }
}

impl ExtractStep {
    /// The step with the backend and limits of `opts`.
    pub fn new(opts: ExtractOptions) -> Result<Self, ExtractError> {
        if opts.max_depth < 16 {
            return Err(ExtractError::Options(format!(
                "max_depth {} is too small for real pages (at least 16)",
                opts.max_depth
            )));
        }
        let backend_opts = BackendOptions {
            include_tables: opts.include_tables,
            include_comments: opts.include_comments,
            fallback: opts.fallback,
            markdown: opts.markdown,
            include_images: opts.include_images,
            include_lists: opts.include_lists,
            include_captions: opts.include_captions,
            limits: PageLimits {
                max_bytes: opts.max_html_bytes,
                max_depth: opts.max_depth,
                max_elements: opts.max_elements,
                ..PageLimits::default()
            },
        };
        Ok(ExtractStep {
            extractor: backend_with(&opts.backend, &backend_opts)?,
        })
    }

    /// The step around any extractor (for backends not known to [`crate::backend`]).
    pub fn with_extractor(extractor: Box<dyn Extractor>) -> Self {
        ExtractStep { extractor }
    }
}

fn set(doc: &mut Document, key: &str, value: impl Into<Value>) {
    doc.metadata.extra.insert(key.to_string(), value.into());
}

fn set_opt(doc: &mut Document, key: &str, value: Option<String>) {
    if let Some(v) = value {
        set(doc, key, v);
    }
}

impl Step for ExtractStep {
    fn name(&self) -> &str {
        "extract"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        let Some(html) = doc.html.take() else {
            return Verdict::Keep;
        };
        let decoded = decode_html_for_url(
            &html,
            doc.metadata.content_type.as_deref(),
            doc.url.as_deref(),
        );
        // The raw bytes are no longer needed; free them before extraction allocates its DOM.
        drop(html);
        doc.metadata.charset = Some(decoded.encoding.to_string());
        set(doc, "charset_source", decoded.source.as_str());
        if let Some(declared) = decoded.declared {
            set(doc, "charset_declared", declared);
        }
        if decoded.had_errors {
            set(doc, "charset_errors", true);
        }

        let result = self.extractor.extract(&decoded.text, doc.url.as_deref());
        drop(decoded);
        let x = match result {
            Ok(x) => x,
            Err(e) => {
                set(doc, "extractor", self.extractor.name());
                set(doc, "extract_error", e.to_string());
                doc.text.clear();
                return Verdict::drop("extraction_failed");
            }
        };
        let used = x
            .fallback
            .unwrap_or_else(|| self.extractor.name().to_string());
        set(doc, "extractor", used);
        if doc.metadata.title.is_none() {
            doc.metadata.title = x.title;
        }
        set_opt(doc, "author", x.author);
        set_opt(doc, "published", x.date);
        set_opt(doc, "description", x.description);
        set_opt(doc, "sitename", x.sitename);
        set_opt(doc, "html_lang", x.language_hint);
        set_opt(doc, "canonical_url", x.canonical_url);
        if !x.tags.is_empty() {
            set(doc, "tags", x.tags);
        }
        if !x.categories.is_empty() {
            set(doc, "categories", x.categories);
        }
        doc.text = x.text;
        if doc.text.trim().is_empty() {
            doc.text.clear();
            return Verdict::drop("empty_extraction");
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Extraction;

    fn html_doc(html: &[u8]) -> Document {
        let mut doc = Document::new("id1", "");
        doc.html = Some(html.to_vec());
        doc.url = Some("https://example.de/a".into());
        doc.metadata.date = Some("2024-01-02T03:04:05Z".into());
        doc
    }

    const PAGE: &[u8] = b"<html lang=de><head><meta charset=iso-8859-1><title>Gr\xfc\xdfe</title>\
        <meta name=author content='Max Mustermann'></head><body><article>\
        <p>Dies ist ein l\xe4ngerer Absatz mit gen\xfcgend Text, damit er als Hauptinhalt der Seite \
        erkannt wird. Er enth\xe4lt mehrere S\xe4tze und Umlaute.</p>\
        <p>Ein zweiter Absatz f\xfchrt den Gedanken weiter und macht den Artikel etwas l\xe4nger.</p>\
        </article></body></html>";

    #[test]
    fn extracts_and_annotates() {
        let step = ExtractStep::new(ExtractOptions::default()).unwrap();
        assert_eq!(step.name(), "extract");
        let mut doc = html_doc(PAGE);
        assert_eq!(step.process(&mut doc), Verdict::Keep);
        assert!(doc.html.is_none());
        assert!(doc.text.contains("längerer Absatz"), "{}", doc.text);
        assert_eq!(doc.metadata.title.as_deref(), Some("Grüße"));
        assert_eq!(doc.metadata.charset.as_deref(), Some("windows-1252"));
        assert_eq!(doc.metadata.date.as_deref(), Some("2024-01-02T03:04:05Z"));
        let extra = &doc.metadata.extra;
        assert_eq!(extra["charset_source"], "meta");
        assert_eq!(extra["extractor"], "native");
        assert_eq!(extra["author"], "Max Mustermann");
        assert_eq!(extra["html_lang"], "de");
    }

    #[test]
    fn http_content_type_is_used_and_title_kept() {
        let step = ExtractStep::new(ExtractOptions {
            backend: "plain".into(),
            ..ExtractOptions::default()
        })
        .unwrap();
        let mut doc = html_doc(b"<title>T</title><p>\xc0\xe1\xe2\xe3\xe4</p>");
        doc.metadata.content_type = Some("text/html; charset=windows-1251".into());
        doc.metadata.title = Some("kept".into());
        assert_eq!(step.process(&mut doc), Verdict::Keep);
        assert_eq!(doc.text, "Абвгд");
        assert_eq!(doc.metadata.title.as_deref(), Some("kept"));
        assert_eq!(doc.metadata.extra["charset_source"], "http");
        assert_eq!(doc.metadata.extra["extractor"], "plain");
    }

    #[test]
    fn empty_and_text_documents() {
        let step = ExtractStep::new(ExtractOptions::default()).unwrap();
        let mut doc = html_doc(b"<html><body><script>x()</script></body></html>");
        assert_eq!(step.process(&mut doc), Verdict::drop("empty_extraction"));
        let mut doc = Document::new("t", "already text");
        assert_eq!(step.process(&mut doc), Verdict::Keep);
        assert_eq!(doc.text, "already text");
        assert!(doc.metadata.extra.is_empty());
    }

    #[test]
    fn guard_fallback_is_recorded() {
        let step = ExtractStep::new(ExtractOptions {
            backend: "trafilatura".into(),
            max_html_bytes: 100,
            ..ExtractOptions::default()
        })
        .unwrap();
        let mut doc = html_doc(PAGE);
        assert_eq!(step.process(&mut doc), Verdict::Keep);
        assert_eq!(doc.metadata.extra["extractor"], "plain:too_large");
        assert!(doc.text.contains("Umlaute"));
    }

    struct Failing;
    impl Extractor for Failing {
        fn name(&self) -> &str {
            "failing"
        }
        fn extract(&self, _: &str, _: Option<&str>) -> Result<Extraction, ExtractError> {
            Err(ExtractError::Backend {
                backend: "failing".into(),
                message: "boom".into(),
            })
        }
    }

    #[test]
    fn failure_is_a_drop_with_details() {
        let step = ExtractStep::with_extractor(Box::new(Failing));
        let mut doc = html_doc(b"<p>x</p>");
        assert_eq!(step.process(&mut doc), Verdict::drop("extraction_failed"));
        assert_eq!(doc.metadata.extra["extract_error"], "failing: boom");
    }

    #[test]
    fn bad_options_are_rejected() {
        assert!(ExtractStep::new(ExtractOptions {
            backend: "nope".into(),
            ..ExtractOptions::default()
        })
        .is_err());
        assert!(ExtractStep::new(ExtractOptions {
            max_depth: 3,
            ..ExtractOptions::default()
        })
        .is_err());
    }
}
