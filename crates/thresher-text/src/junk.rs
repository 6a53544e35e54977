//! The `junk_lines` step: removes lines that are not prose — ads.txt records, share/print/
//! subscribe and donation calls to action, cookie banners, navigation, lone URLs and e-mail
//! addresses, "Read more"/"Related"/"Tags:" lists, comment-form and byline remains, photo
//! credits, copyright footers, dates — that extraction left around (and sometimes inside) the
//! text.
//!
//! # How a line is classified
//!
//! [`classify_line`] looks at one line alone (rules in `junk/rules.rs`): whole-line lists of
//! menu, related-links, share and comment-form items in English, German, French and Spanish
//! (and a few Polish/Italian/Dutch ones), matched after lowercasing and trimming symbols at both
//! ends; label prefixes ("Tags:", "Posted in", "Foto:"); patterns (ads.txt record, cookie
//! notice in the first person, copyright, breadcrumbs, menu rows, dates, donation requests);
//! and a vocabulary rule for short share lines (every word a share/print/follow verb, a
//! social network or filler). Every rule is bounded in length (at most 45 words, most far
//! fewer; cookie notices at most 60), so a paragraph of prose is never a candidate. Each rule
//! also says whether it is specific enough to remove a line wherever it is
//! ([`LineClass::anywhere`]): ads.txt records, bare URLs, first-person cookie notices,
//! breadcrumbs that start at "Home".
//!
//! # What is removed
//!
//! - **Edges**: from the start and from the end, the step walks inward over blank and junk lines
//!   and stops at the first line that is not junk. A donation appeal also carries the walk
//!   over the line next to it when that line has at most 30 words, uses appeal vocabulary
//!   (support, funding, readers, independent, survive, ...) and speaks to the reader or of the
//!   site ("we", "you", "this site"): "Independent media like ours cannot survive without
//!   readers like you." above "Please donate." is part of the appeal, while "The farmers need
//!   support to survive." is not, nor is any line that is not next to an appeal.
//!
//! Donation requests are recognised by their form, not by the site: imperative or polite
//! requests ("Please contribute", "Jetzt spenden", "Soutenez ..."), "every dollar helps",
//! "needs reader support", "reader-supported", "keep this site alive", a donation platform
//! after "via/on/über"; looser phrasings ("Consider supporting", "Contributions help",
//! "become a member", PayPal) only in a line that also addresses the reader or names the
//! site; never in a line with quotation marks (reported speech belongs to the article).
//! - **Middle** (with `middle = true`): lines whose rule is specific enough on its own
//!   ([`LineClass::anywhere`]), and runs of at least `min_block` junk lines in a row (blank
//!   lines between them do not break a run).
//!
//! Lines are split at `\n` (a `\r` before it belongs to the terminator). A removed line goes
//! with its terminator. Between two kept lines, when lines were removed, the longest run of
//! blank lines that was there is kept (so `P1\n\nJUNK\n\nP2` → `P1\n\nP2`); blank lines left
//! at the start or the end by a removal are removed, and the last kept line keeps its
//! terminator only if the text ended with one. Nothing else changes: kept lines are kept byte
//! for byte.
//!
//! # What it writes
//!
//! `metadata.extra["removed_lines"]` = `[{"line": <the line as it was, without terminator>,
//! "reason": <kind>}, ...]` in document order (appended to an existing list), only when a line
//! was removed. Reasons are the snake-case names of [`JunkKind`]. The step never drops a
//! document; a text that was only junk becomes empty (the `length` step drops it).
//!
//! # Measured
//!
//! `tests/junk_eval.rs` prints these. On trafilatura's evaluation set (990 mostly German
//! pages, `extraction-dev/trafilatura-eval`; snippets used as lines):
//! - of the 2,951 "with" snippets (text that must survive extraction), a document per page
//!   made of its snippets in order loses 6 (0.20 %; asserted < 0.5 %): three bare URLs, two
//!   e-mail addresses, one "Follow us to stay up to date ..." — all at the end of their
//!   document; alone between two paragraphs only the three URLs go (0.10 %);
//! - of the 2,966 "without" snippets (boilerplate), 681 (23.0 %) are removed when they are the
//!   first or the last paragraph of such a document; most of the rest are teaser headlines,
//!   names and short phrases that are boilerplate only by position on the page.
//!
//! On real extracted text (`webtext-docs/combined.jsonl.gz`, trafilatura output): 0.74–1.34 % of
//! the non-blank lines of the AEB, trafilatura-eval and DCLM documents are removed (none
//! looked like article text on reading them all). About 14,000 documents per second on one
//! core (`tests/junk_throughput.rs`, release build).

mod json;
pub mod rules;

pub(crate) use json::{line_records, read_line_records, string_lists};
pub use rules::{classify as classify_line, LineClass};

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use thresher_core::{Document, Step, Verdict};

/// Metadata key of the removed lines.
pub const REMOVED_LINES_KEY: &str = "removed_lines";

/// What kind of non-prose line a line is; its snake-case name is the `reason` recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JunkKind {
    /// An ads.txt / app-ads.txt record (`<domain>, <account id>, DIRECT|RESELLER[, <cert>]`,
    /// domain possibly missing) or variable line (`contact=...`).
    AdsTxt,
    /// A line that is only a URL.
    LoneUrl,
    /// A line that is only an e-mail address (optionally labelled "E-Mail:").
    Email,
    /// A cookie or consent notice in the site's voice, or a consent button.
    CookieBanner,
    /// Breadcrumbs, menu rows and single menu items (Home, Impressum, Datenschutz, Back to top).
    Navigation,
    /// Share / print / follow / subscribe / newsletter prompts.
    CallToAction,
    /// A request to donate, contribute or support the site or its author.
    DonationAppeal,
    /// "Read more", "Related", "Ähnliche Beiträge", "Tags: ...", "Posted in ..." lists.
    RelatedLinks,
    /// Comment-form and post-metadata remains ("Leave a reply", "12 Kommentare",
    /// "Posted by ...", "Your email address will not be published").
    PostMeta,
    /// Copyright and licence footers ("© 2020 ...", "Alle Rechte vorbehalten").
    Copyright,
    /// Photo/image credits ("Foto: dpa", "Getty Images").
    Credit,
    /// A line that is only a date and/or time.
    Date,
    /// An advertisement label alone ("Anzeige", "Advertisement", "Sponsored").
    AdLabel,
}

impl JunkKind {
    /// Every kind.
    pub const ALL: [JunkKind; 13] = [
        JunkKind::AdsTxt,
        JunkKind::LoneUrl,
        JunkKind::Email,
        JunkKind::CookieBanner,
        JunkKind::Navigation,
        JunkKind::CallToAction,
        JunkKind::DonationAppeal,
        JunkKind::RelatedLinks,
        JunkKind::PostMeta,
        JunkKind::Copyright,
        JunkKind::Credit,
        JunkKind::Date,
        JunkKind::AdLabel,
    ];

    /// The reason string recorded for a removed line of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            JunkKind::AdsTxt => "ads_txt",
            JunkKind::LoneUrl => "lone_url",
            JunkKind::Email => "email",
            JunkKind::CookieBanner => "cookie_banner",
            JunkKind::Navigation => "navigation",
            JunkKind::CallToAction => "call_to_action",
            JunkKind::DonationAppeal => "donation_appeal",
            JunkKind::RelatedLinks => "related_links",
            JunkKind::PostMeta => "post_meta",
            JunkKind::Copyright => "copyright",
            JunkKind::Credit => "credit",
            JunkKind::Date => "date",
            JunkKind::AdLabel => "ad_label",
        }
    }
}

/// Options of the [`JunkLines`] step. Deserialises with defaults for missing fields and
/// refuses unknown ones, so it can be a pipeline step's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JunkLinesOptions {
    /// Kinds that are never removed (their lines count as prose). Default: none.
    pub disable: Vec<JunkKind>,
    /// Remove junk in the middle of the text too: lines of the kinds that are junk wherever
    /// they are, and runs of `min_block` junk lines. Default `true`.
    pub middle: bool,
    /// The number of consecutive junk lines (blank lines between them allowed) that are removed
    /// as a block in the middle of the text. Default 3; 0 or 1 mean every junk line.
    pub min_block: usize,
    /// Record removed lines in `metadata.extra["removed_lines"]`. Default `true`.
    pub record: bool,
}

impl Default for JunkLinesOptions {
    fn default() -> Self {
        JunkLinesOptions {
            disable: Vec::new(),
            middle: true,
            min_block: 3,
            record: true,
        }
    }
}

/// A line the step removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedLine<'a> {
    /// The line as it was, without its terminator.
    pub line: &'a str,
    /// Why.
    pub kind: JunkKind,
}

/// What [`JunkLines::clean`] made of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned<'a> {
    /// The text without the removed lines (borrowed when nothing was removed).
    pub text: Cow<'a, str>,
    /// The removed lines in document order.
    pub removed: Vec<RemovedLine<'a>>,
}

/// Junk line removal (name `junk_lines`); see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JunkLines {
    options: JunkLinesOptions,
    enabled: [bool; JunkKind::ALL.len()],
}

/// One line of the text: byte ranges of its content and of the whole line with terminator.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
    blank: bool,
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < text.len() {
        let (content_end, end) = match memchr_newline(&bytes[start..]) {
            Some(i) => {
                let nl = start + i;
                let ce = if nl > start && bytes[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                (ce, nl + 1)
            }
            None => (text.len(), text.len()),
        };
        let blank = text[start..content_end].trim().is_empty();
        lines.push(Line {
            start,
            content_end,
            end,
            blank,
        });
        start = end;
    }
    lines
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Lines next to a donation appeal with appeal vocabulary are part of it up to this length.
const APPEAL_NEIGHBOUR_MAX_WORDS: usize = 30;

impl JunkLines {
    /// A step with these options.
    pub fn new(options: JunkLinesOptions) -> JunkLines {
        let mut enabled = [true; JunkKind::ALL.len()];
        for k in &options.disable {
            enabled[*k as usize] = false;
        }
        JunkLines { options, enabled }
    }

    /// The options.
    pub fn options(&self) -> &JunkLinesOptions {
        &self.options
    }

    fn class_of(&self, line: &str) -> Option<LineClass> {
        rules::classify(line).filter(|c| self.enabled[c.kind as usize])
    }

    /// Whether a line that is not junk by itself continues a donation appeal next to it.
    fn continues_appeal(&self, line: &str) -> bool {
        self.enabled[JunkKind::DonationAppeal as usize]
            && line.split_whitespace().count() <= APPEAL_NEIGHBOUR_MAX_WORDS
            && rules::continues_appeal(line)
    }

    /// Decides which lines of `text` go and builds the remaining text.
    pub fn clean<'a>(&self, text: &'a str) -> Cleaned<'a> {
        let lines = split_lines(text);
        let n = lines.len();
        let content = |i: usize| &text[lines[i].start..lines[i].content_end];
        // Classify lazily: most documents need only their first and last few lines (and, with
        // `middle`, every line once).
        let mut class: Vec<Option<Option<LineClass>>> = vec![None; n];
        let get = |class: &mut Vec<Option<Option<LineClass>>>, i: usize| -> Option<LineClass> {
            *class[i].get_or_insert_with(|| {
                if lines[i].blank {
                    None
                } else {
                    self.class_of(content(i))
                }
            })
        };
        let mut removed: Vec<Option<JunkKind>> = vec![None; n];

        // Leading edge.
        let mut first_kept = n; // index of the first line that stopped the walk
        let mut prev_appeal = false;
        for i in 0..n {
            if lines[i].blank {
                continue;
            }
            if let Some(c) = get(&mut class, i) {
                removed[i] = Some(c.kind);
                prev_appeal = c.kind == JunkKind::DonationAppeal;
            } else if prev_appeal && self.continues_appeal(content(i)) {
                removed[i] = Some(JunkKind::DonationAppeal);
            } else {
                first_kept = i;
                break;
            }
        }
        // Trailing edge.
        let mut last_kept = first_kept;
        if first_kept < n {
            prev_appeal = false;
            for i in (first_kept + 1..n).rev() {
                if lines[i].blank {
                    continue;
                }
                if let Some(c) = get(&mut class, i) {
                    removed[i] = Some(c.kind);
                    prev_appeal = c.kind == JunkKind::DonationAppeal;
                } else if prev_appeal && self.continues_appeal(content(i)) {
                    removed[i] = Some(JunkKind::DonationAppeal);
                } else {
                    last_kept = i;
                    break;
                }
            }
        }
        // Middle: strictly between the two lines that stopped the walks.
        if self.options.middle && first_kept < n && last_kept > first_kept + 1 {
            let min_block = self.options.min_block.max(1);
            let mut run: Vec<usize> = Vec::new();
            let flush = |run: &mut Vec<usize>,
                         removed: &mut Vec<Option<JunkKind>>,
                         class: &[Option<Option<LineClass>>]| {
                let whole = run.len() >= min_block;
                for &j in run.iter() {
                    if let Some(Some(c)) = class[j] {
                        if whole || c.anywhere {
                            removed[j] = Some(c.kind);
                        }
                    }
                }
                run.clear();
            };
            for (i, line) in lines
                .iter()
                .enumerate()
                .take(last_kept)
                .skip(first_kept + 1)
            {
                if line.blank {
                    continue;
                }
                if get(&mut class, i).is_some() {
                    run.push(i);
                } else {
                    flush(&mut run, &mut removed, &class);
                }
            }
            flush(&mut run, &mut removed, &class);
        }

        if removed.iter().all(Option::is_none) {
            return Cleaned {
                text: Cow::Borrowed(text),
                removed: Vec::new(),
            };
        }
        let removed_lines: Vec<RemovedLine<'a>> = removed
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                k.map(|kind| RemovedLine {
                    line: content(i),
                    kind,
                })
            })
            .collect();
        Cleaned {
            text: Cow::Owned(rebuild(text, &lines, &removed)),
            removed: removed_lines,
        }
    }
}

/// The text without the removed lines; see the module docs for what happens to blank lines.
fn rebuild(text: &str, lines: &[Line], removed: &[Option<JunkKind>]) -> String {
    let kept: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].blank && removed[i].is_none())
        .collect();
    let Some((&first, &last)) = kept.first().zip(kept.last()) else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len());
    // Before the first kept line: untouched unless something was removed there.
    if removed[..first].iter().all(Option::is_none) {
        out.push_str(&text[..lines[first].start]);
    }
    for (pos, &k) in kept.iter().enumerate() {
        let line = lines[k];
        if k == last {
            if removed[k + 1..].iter().all(Option::is_none) {
                out.push_str(&text[line.start..]);
            } else if text.ends_with('\n') {
                out.push_str(&text[line.start..line.end]);
            } else {
                out.push_str(&text[line.start..line.content_end]);
            }
            break;
        }
        out.push_str(&text[line.start..line.end]);
        let next = kept[pos + 1];
        let gap = k + 1..next;
        if removed[gap.clone()].iter().all(Option::is_none) {
            out.push_str(&text[lines[k].end..lines[next].start]);
            continue;
        }
        // Keep the longest run of blank lines of the gap (the first of equal ones).
        let (mut best_start, mut best_len) = (0usize, 0usize);
        let mut i = gap.start;
        while i < gap.end {
            if lines[i].blank {
                let s = i;
                while i < gap.end && lines[i].blank {
                    i += 1;
                }
                if i - s > best_len {
                    best_start = s;
                    best_len = i - s;
                }
            } else {
                i += 1;
            }
        }
        if best_len > 0 {
            out.push_str(&text[lines[best_start].start..lines[best_start + best_len - 1].end]);
        }
    }
    out
}

impl Default for JunkLines {
    fn default() -> Self {
        JunkLines::new(JunkLinesOptions::default())
    }
}

impl Step for JunkLines {
    fn name(&self) -> &str {
        "junk_lines"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        let cleaned = self.clean(&doc.text);
        if cleaned.removed.is_empty() {
            return Verdict::Keep;
        }
        let Cleaned { text, removed } = cleaned;
        if self.options.record {
            let mut records: Vec<(String, String)> = Vec::new();
            if let Some(existing) = doc.metadata.extra.get(REMOVED_LINES_KEY) {
                if let Some(old) = read_line_records(existing.clone()) {
                    records.extend(old.into_iter().map(|r| (r.line, r.reason)));
                }
            }
            records.extend(
                removed
                    .iter()
                    .map(|r| (r.line.to_string(), r.kind.as_str().to_string())),
            );
            let pairs: Vec<(&str, &str)> = records
                .iter()
                .map(|(l, r)| (l.as_str(), r.as_str()))
                .collect();
            if let Some(v) = line_records(&pairs) {
                doc.metadata.extra.insert(REMOVED_LINES_KEY.to_string(), v);
            }
        }
        let text = text.into_owned();
        doc.text = text;
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(text: &str) -> (String, Vec<(String, &'static str)>) {
        let c = JunkLines::default().clean(text);
        (
            c.text.into_owned(),
            c.removed
                .iter()
                .map(|r| (r.line.to_string(), r.kind.as_str()))
                .collect(),
        )
    }

    const P1: &str = "The committee met on Tuesday to discuss the budget for next year, which has grown by ten percent.";
    const P2: &str = "Members agreed that the new library should open in spring, although the costs are still uncertain.";

    #[test]
    fn nothing_to_remove_borrows() {
        let text = format!("{P1}\n\n{P2}\n");
        let c = JunkLines::default().clean(&text);
        assert!(matches!(c.text, Cow::Borrowed(_)));
        assert!(c.removed.is_empty());
    }

    #[test]
    fn edges_are_walked_inward() {
        let text = format!("Home > News > World\n\nShare this:\n{P1}\n\n{P2}\n\nTags: budget, library\n\n© 2024 Example Times\n");
        let (t, r) = clean(&text);
        assert_eq!(t, format!("{P1}\n\n{P2}\n"));
        let reasons: Vec<_> = r.iter().map(|x| x.1).collect();
        assert_eq!(
            reasons,
            ["navigation", "call_to_action", "related_links", "copyright"]
        );
        // no trailing newline in, none out
        let text = format!("{P1}\n\n{P2}\n\nImpressum");
        assert_eq!(clean(&text).0, format!("{P1}\n\n{P2}"));
    }

    #[test]
    fn walk_stops_at_first_non_junk_line() {
        let text = format!("{P1}\n\nImpressum\n\nMax Mustermann\n\nDatenschutz\n");
        let (t, r) = clean(&text);
        assert_eq!(t, format!("{P1}\n\nImpressum\n\nMax Mustermann\n"));
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn middle_keeps_single_soft_junk_removes_hard_and_blocks() {
        // A lone "Kontakt" heading in the middle stays; a URL line and a block go.
        let text = format!("{P1}\n\nKontakt\n\n{P2}\n\nhttps://example.com/x\n\n{P1}\n\nShare\nTweet\nPrint\n\n{P2}");
        let (t, r) = clean(&text);
        assert_eq!(t, format!("{P1}\n\nKontakt\n\n{P2}\n\n{P1}\n\n{P2}"));
        assert_eq!(r.len(), 4);
        assert_eq!(r[0], ("https://example.com/x".to_string(), "lone_url"));
        // middle off: only edges
        let step = JunkLines::new(JunkLinesOptions {
            middle: false,
            ..Default::default()
        });
        assert_eq!(step.clean(&text).text, text);
    }

    #[test]
    fn blank_lines_and_crlf_are_kept_as_they_were() {
        let text = format!("{P1}\r\n\r\nhttps://example.com/x\r\n{P2}\r\n");
        assert_eq!(clean(&text).0, format!("{P1}\r\n\r\n{P2}\r\n"));
        let text = format!("\n\n{P1}\n\n\n{P2}\n\nShare\n\n");
        assert_eq!(clean(&text).0, format!("\n\n{P1}\n\n\n{P2}\n"));
        let text = format!("Share\n\n\n{P1}\n  \n{P2}");
        assert_eq!(clean(&text).0, format!("{P1}\n  \n{P2}"));
    }

    #[test]
    fn all_junk_becomes_empty() {
        assert_eq!(clean("Impressum\n\nDatenschutz\n").0, "");
        assert_eq!(clean("").0, "");
        assert_eq!(clean("\n\n").0, "\n\n");
    }

    #[test]
    fn appeal_neighbours_only_next_to_an_appeal() {
        let weak = "Independent media like ours cannot survive without readers like you.";
        let mild = "The farmers say they need support from the government to survive.";
        let text = format!("{P1}\n\n{mild}\n\n{weak}\n\nPlease donate today.");
        let (t, r) = clean(&text);
        assert_eq!(t, format!("{P1}\n\n{mild}"));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0], (weak.to_string(), "donation_appeal"));
        // without the appeal next to it, the same line stays
        let text = format!("{P1}\n\n{weak}\n\n{P2}\n\nPlease donate today.");
        let (t, r) = clean(&text);
        assert_eq!(t, format!("{P1}\n\n{weak}\n\n{P2}"));
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn disabled_kinds_stay() {
        let step = JunkLines::new(JunkLinesOptions {
            disable: vec![JunkKind::Navigation],
            ..Default::default()
        });
        let text = format!("{P1}\n\nImpressum");
        assert_eq!(step.clean(&text).text, text);
    }

    #[test]
    fn records_in_metadata_and_appends() {
        let mut doc = Document::new("1", format!("Share\n\n{P1}\n\nImpressum"));
        assert_eq!(JunkLines::default().process(&mut doc), Verdict::Keep);
        assert_eq!(doc.text, P1);
        let v = doc.to_json();
        let lines = &v["metadata"]["removed_lines"];
        assert_eq!(lines[0]["line"], "Share");
        assert_eq!(lines[0]["reason"], "call_to_action");
        assert_eq!(lines[1]["reason"], "navigation");
        doc.text = format!("{P1}\n\nDatenschutz");
        JunkLines::default().process(&mut doc);
        let v = doc.to_json();
        assert_eq!(v["metadata"]["removed_lines"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn options_deserialise_with_defaults() {
        let o: JunkLinesOptions = serde_json::from_str(r#"{"disable": ["date"]}"#).unwrap();
        assert_eq!(o.disable, vec![JunkKind::Date]);
        assert!(o.middle);
        assert!(serde_json::from_str::<JunkLinesOptions>(r#"{"nope": 1}"#).is_err());
        let back = serde_json::to_string(&JunkLinesOptions::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<JunkLinesOptions>(&back).unwrap(),
            JunkLinesOptions::default()
        );
    }

    #[test]
    fn kind_names_match_serde() {
        for k in JunkKind::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "\r",
            "\n\r\n",
            "\r\r\n",
            "é\n\u{a0}\n",
            "\u{feff}Share",
            "|||",
            ">>>",
            "© ",
            "@",
            "http://",
            ", , DIRECT",
            "\u{2028}Share\u{2029}",
        ] {
            let _ = clean(t);
        }
    }
}
