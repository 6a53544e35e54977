//! The `provenance` step: finds advertising and analytics account ids in a document — in its
//! text and, when the document has it, its raw HTML — and records them, so documents of one
//! publisher can be grouped (same AdSense account, same Analytics property) even across
//! domains. The text is not changed.
//!
//! # What is found
//!
//! | key | ids | matched as |
//! |---|---|---|
//! | `adsense_publisher` | AdSense / ads.txt publisher ids | `pub-` + 16 digits, also inside `ca-pub-…` (same id space, reported as `pub-…`) |
//! | `google_analytics` | Universal Analytics and GA4 ids | `UA-` + 4–10 digits + `-` + 1–4 digits; `G-` + 8–12 letters/digits only in an analytics context (`gtag`, `googletagmanager`, `analytics`, `measurement`, `config`, `tracking`, `ga4` within 300 bytes before it, case-insensitive) and with at least one digit, so words like "G-STRINGS" are not taken |
//! | `gtm` | Google Tag Manager containers | `GTM-` + 4–9 letters/digits |
//!
//! Ids must stand alone (no letter, digit or `_` right before; none after, nor a `-` after
//! `pub-…`/`UA-…`), are case-sensitive as Google writes them, and placeholders are ignored
//! (`GTM-XXXXXX`, `G-XXXXXXXXXX`, `pub-0000000000000000`, `pub-1234567890123456`, ids made of
//! one repeated digit).
//!
//! # What it writes
//!
//! `metadata.extra["provenance"] = {"adsense_publisher": [...], "google_analytics": [...],
//! "gtm": [...]}`: each list deduplicated and sorted, keys with no id left out, the whole key
//! absent when nothing was found (an existing `provenance` value is replaced only when
//! something was found). The HTML is read as bytes (no decoding needed: the ids are ASCII).
//! Run it before `junk_lines`, which removes ads.txt lines from the text.

use crate::junk::string_lists;
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::LazyLock;
use thresher_core::{Document, Step, Verdict};

/// Metadata key of the ids found.
pub const PROVENANCE_KEY: &str = "provenance";

/// Options of the [`Provenance`] step. Deserialises with defaults for missing fields and
/// refuses unknown ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvenanceOptions {
    /// Look in the raw HTML too, when the document has it. Default `true`.
    pub html: bool,
    /// Look in the text. Default `true`.
    pub text: bool,
    /// Read at most this many bytes of the HTML (ids sit in the `<head>` and the first
    /// scripts; a cap keeps huge pages cheap). Default 4 MiB.
    pub max_html_bytes: usize,
}

impl Default for ProvenanceOptions {
    fn default() -> Self {
        ProvenanceOptions {
            html: true,
            text: true,
            max_html_bytes: 4 << 20,
        }
    }
}

/// The ids found in one document, each set sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountIds {
    /// AdSense / ads.txt publisher ids, as `pub-` + 16 digits.
    pub adsense_publisher: BTreeSet<String>,
    /// `UA-…` and `G-…` ids.
    pub google_analytics: BTreeSet<String>,
    /// `GTM-…` ids.
    pub gtm: BTreeSet<String>,
}

impl AccountIds {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.adsense_publisher.is_empty() && self.google_analytics.is_empty() && self.gtm.is_empty()
    }

    /// Adds the ids found in `bytes`.
    pub fn scan(&mut self, bytes: &[u8]) {
        for m in IDS.captures_iter(bytes) {
            let whole = m.get(0).expect("group 0");
            let (start, end) = (whole.start(), whole.end());
            if start > 0 && is_id_char(bytes[start - 1]) {
                continue;
            }
            if let Some(pub_id) = m.name("pub") {
                // The match starts at `pub-`; the `ca-` of AdSense tags before it is fine
                // (`-` is not an id character).
                if bytes.get(end).is_some_and(|&b| b == b'-' || is_id_char(b)) {
                    continue;
                }
                let digits = &pub_id.as_bytes()[4..];
                if placeholder_digits(digits) {
                    continue;
                }
                self.adsense_publisher.insert(ascii(pub_id.as_bytes()));
            } else if let Some(ua) = m.name("ua") {
                if bytes.get(end).is_some_and(|&b| b == b'-' || is_id_char(b)) {
                    continue;
                }
                self.google_analytics.insert(ascii(ua.as_bytes()));
            } else if let Some(gtm) = m.name("gtm") {
                if bytes.get(end).is_some_and(|&b| is_id_char(b)) {
                    continue;
                }
                let tail = &gtm.as_bytes()[4..];
                if tail.iter().all(|&b| b == b'X') {
                    continue;
                }
                self.gtm.insert(ascii(gtm.as_bytes()));
            } else if let Some(g) = m.name("g4") {
                if bytes.get(end).is_some_and(|&b| b == b'-' || is_id_char(b)) {
                    continue;
                }
                let tail = &g.as_bytes()[2..];
                if !tail.iter().any(u8::is_ascii_digit) || !analytics_context(bytes, start) {
                    continue;
                }
                self.google_analytics.insert(ascii(g.as_bytes()));
            }
        }
    }
}

/// Matches every kind; which group matched says the kind. `pub-` ids are taken with or
/// without the `ca-` of AdSense tags (the group excludes it).
static IDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)(?P<pub>pub-[0-9]{16})|(?P<ua>UA-[0-9]{4,10}-[0-9]{1,4})|(?P<gtm>GTM-[A-Z0-9]{4,9})|(?P<g4>G-[A-Z0-9]{8,12})",
    )
    .expect("provenance regex")
});

fn is_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn ascii(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Documentation examples and placeholders: one repeated digit, `1234567890123456`.
fn placeholder_digits(d: &[u8]) -> bool {
    d.iter().all(|&b| b == d[0]) || d == b"1234567890123456"
}

/// Whether one of the analytics words occurs in the 300 bytes before `at`.
fn analytics_context(bytes: &[u8], at: usize) -> bool {
    const WORDS: &[&[u8]] = &[
        b"gtag",
        b"googletagmanager",
        b"analytics",
        b"measurement",
        b"config",
        b"tracking",
        b"ga4",
    ];
    let window = &bytes[at.saturating_sub(300)..at];
    let lower: Vec<u8> = window.to_ascii_lowercase();
    WORDS
        .iter()
        .any(|w| lower.windows(w.len()).any(|x| x == *w))
}

/// The ids of `text` and, if given, `html` (already capped by the caller).
pub fn find_ids(text: Option<&str>, html: Option<&[u8]>) -> AccountIds {
    let mut ids = AccountIds::default();
    if let Some(t) = text {
        ids.scan(t.as_bytes());
    }
    if let Some(h) = html {
        ids.scan(h);
    }
    ids
}

/// Account-id annotation (name `provenance`); see the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    options: ProvenanceOptions,
}

impl Provenance {
    /// A step with these options.
    pub fn new(options: ProvenanceOptions) -> Provenance {
        Provenance { options }
    }

    /// The options.
    pub fn options(&self) -> &ProvenanceOptions {
        &self.options
    }

    /// The ids in a document, as the step would find them.
    pub fn ids(&self, doc: &Document) -> AccountIds {
        let text = self.options.text.then_some(doc.text.as_str());
        let html = match (&doc.html, self.options.html) {
            (Some(h), true) => Some(&h[..h.len().min(self.options.max_html_bytes)]),
            _ => None,
        };
        find_ids(text, html)
    }
}

impl Step for Provenance {
    fn name(&self) -> &str {
        "provenance"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        let ids = self.ids(doc);
        if ids.is_empty() {
            return Verdict::Keep;
        }
        let mut fields: Vec<(&str, Vec<String>)> = Vec::new();
        for (key, set) in [
            ("adsense_publisher", ids.adsense_publisher),
            ("google_analytics", ids.google_analytics),
            ("gtm", ids.gtm),
        ] {
            if !set.is_empty() {
                fields.push((key, set.into_iter().collect()));
            }
        }
        if let Some(v) = string_lists(&fields) {
            doc.metadata.extra.insert(PROVENANCE_KEY.to_string(), v);
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(s: &str) -> AccountIds {
        find_ids(Some(s), None)
    }

    #[test]
    fn publisher_ids() {
        let i = ids(", pub-5167539840471953, DIRECT, f08c47fec0942fa0");
        assert_eq!(
            i.adsense_publisher.iter().collect::<Vec<_>>(),
            ["pub-5167539840471953"]
        );
        let i = ids(
            r#"<ins data-ad-client="ca-pub-5167539840471953"></ins> google_ad_client = "pub-1111222233334444";"#,
        );
        assert_eq!(i.adsense_publisher.len(), 2);
        // too many / too few digits, glued, placeholders
        for s in [
            "pub-12345678901234567",
            "pub-123456789012345",
            "xpub-5167539840471953",
            "pub-0000000000000000",
            "pub-1234567890123456",
            "pub-5167539840471953-2",
        ] {
            assert!(ids(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn analytics_ids() {
        let html = br#"<script async src="https://www.googletagmanager.com/gtag/js?id=G-7Q2BZ3XK1L"></script>
            <script>gtag('config', 'G-7Q2BZ3XK1L'); ga('create', 'UA-12345678-1', 'auto');</script>
            <script>(function(w,d,s,l,i){})(window,document,'script','dataLayer','GTM-K9ZPW2T');</script>"#;
        let i = find_ids(None, Some(html));
        assert_eq!(
            i.google_analytics.iter().collect::<Vec<_>>(),
            ["G-7Q2BZ3XK1L", "UA-12345678-1"]
        );
        assert_eq!(i.gtm.iter().collect::<Vec<_>>(), ["GTM-K9ZPW2T"]);
        // G- without an analytics context, or without a digit, or a placeholder
        assert!(ids("The G-12345678AB model was shown in Geneva.").is_empty());
        assert!(find_ids(None, Some(b"gtag('config', 'G-XXXXXXXXXX')")).is_empty());
        assert!(find_ids(None, Some(b"gtag('config', 'G-ABCDEFGHIJ')")).is_empty());
        assert!(ids("GTM-XXXXXX").is_empty());
        assert!(ids("UA-1234-").gtm.is_empty());
        assert!(ids("MUA-12345678-1").is_empty());
    }

    #[test]
    fn step_writes_sorted_unique_lists_and_leaves_text() {
        let mut doc = Document::new(
            "1",
            ", pub-5167539840471953, DIRECT, f08c47fec0942fa0\n\nTitle",
        );
        doc.html = Some(
            b"<script>gtag('config','G-7Q2BZ3XK1L')</script> ca-pub-5167539840471953 ca-pub-1111222233334445"
                .to_vec(),
        );
        let before = doc.text.clone();
        assert_eq!(Provenance::default().process(&mut doc), Verdict::Keep);
        assert_eq!(doc.text, before);
        assert_eq!(
            doc.to_json()["metadata"]["provenance"],
            json!({
                "adsense_publisher": ["pub-1111222233334445", "pub-5167539840471953"],
                "google_analytics": ["G-7Q2BZ3XK1L"]
            })
        );
        // html off
        let mut d2 = doc.clone();
        d2.metadata.extra.clear();
        Provenance::new(ProvenanceOptions {
            html: false,
            ..Default::default()
        })
        .process(&mut d2);
        assert_eq!(
            d2.to_json()["metadata"]["provenance"],
            json!({"adsense_publisher": ["pub-5167539840471953"]})
        );
    }

    #[test]
    fn nothing_found_writes_nothing() {
        let mut doc = Document::new("1", "Just words. G-STRINGS and UA-x.");
        doc.html = Some(vec![0xff, 0xfe, b'p', b'u', b'b', b'-']);
        Provenance::default().process(&mut doc);
        assert!(doc.metadata.extra.is_empty());
    }

    #[test]
    fn options_deserialise() {
        let o: ProvenanceOptions = serde_json::from_str(r#"{"html": false}"#).unwrap();
        assert!(!o.html && o.text);
        assert!(serde_json::from_str::<ProvenanceOptions>(r#"{"x": 1}"#).is_err());
    }
}
