//! Main-content extraction with the `trafilatura` crate (a Rust port of go-trafilatura, which
//! ports Python trafilatura), behind the [`guard`](crate::guard).

use crate::guard::{check_page, PageLimits};
use crate::plain::plain_text;
use crate::{BackendOptions, ExtractError, Extraction, Extractor};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The `trafilatura` backend.
///
/// Each page is first checked by [`check_page`]; a page that is too large, too deeply nested
/// or has a tag with too many attributes is given to the plain extractor instead, and the
/// result says so in [`Extraction::fallback`] (`plain:too_deep`, ...). A panic inside the
/// crate is caught and returned as [`ExtractError::Panicked`].
#[derive(Debug, Clone)]
pub struct TrafilaturaExtractor {
    options: trafilatura::Options,
    limits: PageLimits,
    include_comments: bool,
}

impl TrafilaturaExtractor {
    /// A trafilatura backend with `opts`.
    pub fn new(opts: &BackendOptions) -> Self {
        let mut options = trafilatura::Options::default()
            .with_fallback(opts.fallback)
            .with_exclude_comments(!opts.include_comments)
            .with_exclude_tables(!opts.include_tables);
        // Never fail on short output: an empty text is reported as such by the caller, and
        // the page metadata (title, ...) is still worth having.
        options.config = trafilatura::Config::default()
            .with_min_output_size(0)
            .with_min_output_comment_size(0);
        TrafilaturaExtractor {
            options,
            limits: opts.limits.clone(),
            include_comments: opts.include_comments,
        }
    }

    /// The limits pages must respect to be given to trafilatura.
    pub fn limits(&self) -> &PageLimits {
        &self.limits
    }
}

impl Extractor for TrafilaturaExtractor {
    fn name(&self) -> &str {
        "trafilatura"
    }

    fn extract(&self, html: &str, url: Option<&str>) -> Result<Extraction, ExtractError> {
        let shape = match check_page(html, &self.limits) {
            Ok(shape) => shape,
            Err(why) => {
                let mut out = plain_text(html);
                out.fallback = Some(format!("plain:{why}"));
                return Ok(out);
            }
        };
        let page_url = url.and_then(|u| url::Url::parse(u).ok());
        let options;
        let opts = match page_url {
            // The URL lets trafilatura find dates in it and resolve the canonical URL.
            Some(u) => {
                options = self.options.clone().with_url(u);
                &options
            }
            None => &self.options,
        };
        let result = catch_unwind(AssertUnwindSafe(|| trafilatura::extract(html, opts)));
        let result = match result {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                return Err(ExtractError::Backend {
                    backend: self.name().into(),
                    message: e.to_string(),
                })
            }
            Err(payload) => {
                return Err(ExtractError::Panicked {
                    backend: self.name().into(),
                    message: panic_message(payload.as_ref()),
                })
            }
        };
        let mut text = result.content_text;
        if self.include_comments && !result.comments_text.trim().is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&result.comments_text);
        }
        let m = result.metadata;
        Ok(Extraction {
            text,
            title: non_empty(m.title),
            author: non_empty(m.author),
            date: m.date.map(|d| d.to_string()),
            description: non_empty(m.description),
            sitename: non_empty(m.sitename),
            language_hint: shape.html_lang,
            ..Extraction::default()
        })
    }
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else if t.len() == s.len() {
        Some(s)
    } else {
        Some(t.to_string())
    }
}

/// The message of a caught panic.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = r#"<html lang="en"><head><title>A title</title>
        <meta name="author" content="Jane Doe"><meta property="og:site_name" content="Example News">
        <meta name="description" content="About things."></head><body>
        <nav><a href="/">Home</a> <a href="/news">News</a></nav>
        <article><h1>A title</h1>
        <p>This is the first paragraph of the article. It is long enough to count as real content and
        talks about the subject at hand in some detail, with several clauses.</p>
        <p>A second paragraph continues the story, adding more sentences so that the extractor sees
        a real article body rather than a fragment of boilerplate text.</p>
        <table><tr><td>Cell one</td><td>Cell two</td></tr></table>
        </article><footer>Copyright 2024 Example</footer></body></html>"#;

    #[test]
    fn extracts_article_and_metadata() {
        let ex = TrafilaturaExtractor::new(&BackendOptions::default());
        let out = ex
            .extract(ARTICLE, Some("https://example.com/2024/05/01/story"))
            .unwrap();
        assert!(out.text.contains("first paragraph"), "{}", out.text);
        assert!(out.text.contains("Cell one"));
        assert!(!out.text.contains("Copyright"));
        assert_eq!(out.title.as_deref(), Some("A title"));
        assert_eq!(out.author.as_deref(), Some("Jane Doe"));
        assert_eq!(out.sitename.as_deref(), Some("Example News"));
        assert_eq!(out.language_hint.as_deref(), Some("en"));
        assert_eq!(out.fallback, None);
    }

    #[test]
    fn tables_can_be_excluded() {
        let ex = TrafilaturaExtractor::new(&BackendOptions {
            include_tables: false,
            ..BackendOptions::default()
        });
        let out = ex.extract(ARTICLE, None).unwrap();
        assert!(!out.text.contains("Cell one"), "{}", out.text);
    }

    #[test]
    fn deep_page_goes_to_plain() {
        let ex = TrafilaturaExtractor::new(&BackendOptions::default());
        let page = format!("{}<p>deep text</p>", "<div>".repeat(1000));
        let out = ex.extract(&page, None).unwrap();
        assert_eq!(out.fallback.as_deref(), Some("plain:too_deep"));
        assert_eq!(out.text, "deep text");
    }

    #[test]
    fn empty_page_is_empty_not_error() {
        let ex = TrafilaturaExtractor::new(&BackendOptions::default());
        assert_eq!(ex.extract("", None).unwrap().text, "");
        assert_eq!(
            ex.extract("<html><body></body></html>", None).unwrap().text,
            ""
        );
    }
}
