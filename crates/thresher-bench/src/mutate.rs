//! Documents and their mutations.
//!
//! A generated document is a list of paragraphs of words ([`Doc`]); its text is the words
//! joined by spaces and the paragraphs by newlines (with the spacing variant of
//! [`Doc::spacing`]). A background document is drawn from the [`Pool`] by [`background`];
//! a near-duplicate copy is made from its parent by [`mutate`].
//!
//! [`mutate`] first chooses how similar the copy should be: with probability
//! [`MutateOptions::cosmetic_share`] only cosmetic changes (case, whitespace, punctuation,
//! digits — all invisible after datatrove's `simplify_text`, so the shingle sets stay equal),
//! otherwise a target Jaccard drawn uniformly from [`MutateOptions::min_target`, 1). The
//! target is split over one to three lossy mutations, each turned into a parameter with a
//! first-order model of its effect on 5-gram shingles:
//!
//! - word substitution, deletion or insertion at rate `p`: a shingle survives when none of its
//!   5 words is touched, `s = (1 − p)^5`, and `J ≈ s / (2 − s)`;
//! - inserted sentences (`m` new words in a document of `n`): `J ≈ n / (n + m)`;
//! - truncation keeping a fraction `f`: `J ≈ f`;
//! - boilerplate lines at the top or bottom (`b` words): `J ≈ n / (n + b)`, at most 0.2 lost.
//!
//! Paragraph reordering and the cosmetic changes are added on top at random. The true
//! similarity is never taken from this model: the generator computes it exactly.

use std::borrow::Cow;

use fastrand::Rng;

use crate::source::Pool;

/// A document: paragraphs of words.
#[derive(Debug, Clone, Default)]
pub struct Doc<'p> {
    /// The paragraphs, each a list of words (non-empty).
    pub paras: Vec<Vec<Cow<'p, str>>>,
    /// How whitespace is rendered: 0 one space and one newline; 1 blank lines between
    /// paragraphs; 2 double spaces after sentences and trailing spaces; 3 `\r\n` line ends
    /// and no-break spaces after some words.
    pub spacing: u8,
}

impl<'p> Doc<'p> {
    /// The number of words.
    pub fn n_words(&self) -> usize {
        self.paras.iter().map(Vec::len).sum()
    }

    /// The document's text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.n_words() * 7);
        let newline = match self.spacing {
            1 => "\n\n",
            3 => "\r\n",
            _ => "\n",
        };
        for (pi, para) in self.paras.iter().enumerate() {
            if pi > 0 {
                out.push_str(newline);
            }
            for (wi, w) in para.iter().enumerate() {
                if wi > 0 {
                    let prev = &para[wi - 1];
                    match self.spacing {
                        2 if prev.ends_with(['.', '!', '?']) => out.push_str("  "),
                        3 if wi % 11 == 0 => out.push('\u{a0}'),
                        _ => out.push(' '),
                    }
                }
                out.push_str(w);
            }
            if self.spacing == 2 && pi % 3 == 1 {
                out.push(' ');
            }
        }
        out
    }
}

/// Most words of one paragraph of a background document: short enough that two unrelated
/// documents sharing a paragraph stay far apart (a whole paragraph is under 0.25 Jaccard of
/// two 150-word documents).
pub const MAX_PARAGRAPH_WORDS: usize = 60;

/// A new document of real sentences: runs of 1–4 consecutive sentences (at most
/// [`MAX_PARAGRAPH_WORDS`] words) from random source paragraphs, one run per paragraph, until
/// at least `min..=max` words (log-uniform).
pub fn background<'p>(
    pool: &'p Pool,
    rng: &mut Rng,
    min_words: usize,
    max_words: usize,
) -> Doc<'p> {
    let (lo, hi) = (
        min_words.max(1) as f64,
        max_words.max(min_words).max(1) as f64,
    );
    let target = (lo * (hi / lo).powf(rng.f64())).round() as usize;
    let mut doc = Doc::default();
    let mut words = 0;
    while words < target {
        let run = pool.random_run(rng, 4, MAX_PARAGRAPH_WORDS);
        let mut para: Vec<Cow<'p, str>> = Vec::new();
        for &s in run {
            para.extend(pool.sentence(s).split(' ').map(Cow::Borrowed));
        }
        words += para.len();
        doc.paras.push(para);
    }
    doc
}

/// How copies are mutated.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct MutateOptions {
    /// Share of copies with only cosmetic changes (true Jaccard 1 to their parent).
    pub cosmetic_share: f64,
    /// Lowest target Jaccard of a copy to its parent.
    pub min_target: f64,
}

impl Default for MutateOptions {
    fn default() -> Self {
        MutateOptions {
            cosmetic_share: 0.12,
            min_target: 0.45,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lossy {
    Substitute,
    Delete,
    Insert,
    Sentences,
    Truncate,
    Boilerplate,
}

const LOSSY: [Lossy; 6] = [
    Lossy::Substitute,
    Lossy::Delete,
    Lossy::Insert,
    Lossy::Sentences,
    Lossy::Truncate,
    Lossy::Boilerplate,
];

/// The word-edit rate whose expected shingle Jaccard is `j`.
fn rate_for(j: f64) -> f64 {
    let s = 2.0 * j / (1.0 + j);
    1.0 - s.powf(0.2)
}

/// A copy of `parent` with random mutations, and their labels (`"sub:0.031"`, `"trunc:0.72"`,
/// `"top:2"`, `"reorder"`, `"case"`, …) for the document's metadata.
pub fn mutate<'p>(
    parent: &Doc<'p>,
    pool: &'p Pool,
    rng: &mut Rng,
    opts: &MutateOptions,
) -> (Doc<'p>, Vec<String>) {
    let mut doc = parent.clone();
    let mut labels = Vec::new();
    let cosmetic_only = rng.f64() < opts.cosmetic_share;

    if !cosmetic_only {
        let target = opts.min_target + (1.0 - opts.min_target) * rng.f64();
        // 1 to 3 distinct lossy kinds, the target split between them at random.
        let k = 1 + rng.usize(..3);
        let mut kinds = LOSSY.to_vec();
        rng.shuffle(&mut kinds);
        kinds.truncate(k);
        // Apply in a fixed order: edits, then insertions, truncation, boilerplate.
        kinds.sort_by_key(|k| LOSSY.iter().position(|l| l == k));
        let weights: Vec<f64> = kinds.iter().map(|_| 0.2 + rng.f64()).collect();
        let total: f64 = weights.iter().sum();
        let mut factors: Vec<f64> = weights.iter().map(|w| target.powf(w / total)).collect();
        // Boilerplate cannot stand for more than a fifth of the text: the rest of its share
        // goes to another mutation (word substitution when it is alone).
        if let Some(bi) = kinds.iter().position(|&k| k == Lossy::Boilerplate) {
            if factors[bi] < 0.8 {
                let rest = factors[bi] / 0.8;
                factors[bi] = 0.8;
                if kinds.len() > 1 {
                    let other = if bi == 0 { 1 } else { 0 };
                    factors[other] *= rest;
                } else {
                    kinds.insert(0, Lossy::Substitute);
                    factors.insert(0, rest);
                }
            }
        }
        let (mut sub, mut del, mut ins) = (0.0, 0.0, 0.0);
        for (&kind, &f) in kinds.iter().zip(&factors) {
            match kind {
                Lossy::Substitute => sub = rate_for(f),
                Lossy::Delete => del = rate_for(f),
                Lossy::Insert => ins = rate_for(f),
                _ => {}
            }
        }
        if sub + del + ins > 0.0 {
            edit_words(&mut doc, pool, rng, sub, del, ins);
            for (name, r) in [("sub", sub), ("del", del), ("ins", ins)] {
                if r > 0.0 {
                    labels.push(format!("{name}:{r:.3}"));
                }
            }
        }
        for (&kind, &f) in kinds.iter().zip(&factors) {
            let n = doc.n_words() as f64;
            match kind {
                Lossy::Sentences => {
                    let k = insert_sentences(&mut doc, pool, rng, (n * (1.0 / f - 1.0)) as usize);
                    labels.push(format!("sent:{k}"));
                }
                Lossy::Truncate => {
                    truncate(&mut doc, f, rng);
                    labels.push(format!("trunc:{f:.2}"));
                }
                Lossy::Boilerplate => {
                    let (top, bottom) =
                        add_boilerplate(&mut doc, pool, rng, (n * (1.0 / f - 1.0)) as usize);
                    if top > 0 {
                        labels.push(format!("top:{top}"));
                    }
                    if bottom > 0 {
                        labels.push(format!("bottom:{bottom}"));
                    }
                }
                _ => {}
            }
        }
        if doc.paras.len() > 1 && rng.f64() < 0.25 {
            reorder(&mut doc, rng);
            labels.push("reorder".into());
        }
    }

    // Cosmetic changes: each with probability 0.3, at least one for a cosmetic-only copy.
    let mut cosmetic = [false; 4];
    for c in cosmetic.iter_mut() {
        *c = rng.f64() < 0.3;
    }
    if cosmetic_only && !cosmetic.iter().any(|&c| c) {
        cosmetic[rng.usize(..4)] = true;
    }
    if cosmetic[0] {
        change_case(&mut doc, rng);
        labels.push("case".into());
    }
    if cosmetic[1] {
        doc.spacing = 1 + rng.u8(..3);
        labels.push("space".into());
    }
    if cosmetic[2] {
        change_punctuation(&mut doc, rng);
        labels.push("punct".into());
    }
    if cosmetic[3] && change_digits(&mut doc, rng) {
        labels.push("digits".into());
    }
    (doc, labels)
}

/// Substitutes, deletes and inserts single words at the given rates.
fn edit_words<'p>(doc: &mut Doc<'p>, pool: &'p Pool, rng: &mut Rng, sub: f64, del: f64, ins: f64) {
    for para in doc.paras.iter_mut() {
        let old = std::mem::take(para);
        let n = old.len();
        for w in old {
            let r = rng.f64();
            if r < del && n > 1 {
                // deleted
            } else if r < del + sub {
                para.push(Cow::Borrowed(pool.random_word(rng)));
            } else {
                para.push(w);
            }
            if rng.f64() < ins {
                para.push(Cow::Borrowed(pool.random_word(rng)));
            }
        }
    }
    doc.paras.retain(|p| !p.is_empty());
}

/// Inserts random sentences (inside paragraphs or as new ones) until `words` words were
/// added (at least one sentence). Returns the number inserted.
fn insert_sentences<'p>(doc: &mut Doc<'p>, pool: &'p Pool, rng: &mut Rng, words: usize) -> usize {
    let (mut added, mut count) = (0, 0);
    while added < words || count == 0 {
        let s = pool.random_sentence(rng);
        let new: Vec<Cow<'p, str>> = pool.sentence(s).split(' ').map(Cow::Borrowed).collect();
        added += new.len();
        count += 1;
        let pi = rng.usize(..=doc.paras.len());
        if pi == doc.paras.len() || rng.f64() < 0.3 {
            doc.paras.insert(pi, new);
        } else {
            let para = &mut doc.paras[pi];
            // At a sentence boundary when there is one.
            let ends: Vec<usize> = (0..para.len())
                .filter(|&i| para[i].ends_with(['.', '!', '?']))
                .map(|i| i + 1)
                .collect();
            let at = if ends.is_empty() {
                rng.usize(..=para.len())
            } else {
                ends[rng.usize(..ends.len())]
            };
            para.splice(at..at, new);
        }
    }
    count
}

/// Keeps the first `fraction` of the words, sometimes marking the cut.
fn truncate(doc: &mut Doc<'_>, fraction: f64, rng: &mut Rng) {
    let keep = ((doc.n_words() as f64 * fraction).ceil() as usize).max(1);
    let mut left = keep;
    doc.paras.retain_mut(|p| {
        if left == 0 {
            return false;
        }
        p.truncate(left);
        left -= p.len();
        true
    });
    if rng.bool() {
        if let Some(last) = doc.paras.last_mut().and_then(|p| p.last_mut()) {
            *last = Cow::Owned(format!("{last}..."));
        }
    }
}

/// Site names' second words, for boilerplate.
const SITE_SUFFIX: &[&str] = &[
    "News", "Daily", "Online", "Times", "Post", "Today", "Journal", "Weekly", "Herald", "Hub",
];

/// Header and navigation lines. `{site}` and `{year}` are filled in.
const TOP_LINES: &[&str] = &[
    "Home | News | Sport | Business | Culture | Contact",
    "Skip to main content",
    "Menu Search Sign in Subscribe",
    "You are here: Home > News > Local",
    "{site} - latest news, views and analysis",
    "Advertisement",
    "Accept cookies? We use cookies to give you the best experience on our website.",
    "Log in | Register | My account | Help",
    "Breaking: sign up for alerts from {site}",
    "Posted by admin on {year}-03-14 in Uncategorized",
    "Share on Facebook Share on Twitter Share via Email",
    "Jump to navigation",
    "Toggle navigation Home About Us Services Blog Contact",
    "This article is more than 2 years old",
];

/// Footer lines. `{site}` and `{year}` are filled in.
const BOTTOM_LINES: &[&str] = &[
    "© {year} {site}. All rights reserved.",
    "Share this: Facebook Twitter LinkedIn Reddit WhatsApp Email Print",
    "Related posts",
    "Leave a comment Cancel reply Your email address will not be published.",
    "Subscribe to our newsletter to get the latest stories delivered to your inbox.",
    "Privacy Policy | Terms of Use | Cookie Settings | Sitemap",
    "Tags: news, community, events, local",
    "Follow {site} on social media for updates.",
    "Back to top",
    "Copyright {year} {site} Media Ltd, registered in England and Wales.",
    "Was this article helpful? Yes No",
    "Read more from {site}",
    "Filed under: Features",
    "Comments are closed.",
];

/// Adds header lines at the top and footer lines at the bottom until about `words` words
/// were added (at least one line). Returns the numbers of lines added at each end.
fn add_boilerplate<'p>(
    doc: &mut Doc<'p>,
    pool: &'p Pool,
    rng: &mut Rng,
    words: usize,
) -> (usize, usize) {
    let mut name = pool.random_word(rng).to_string();
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    let site = format!("{name} {}", SITE_SUFFIX[rng.usize(..SITE_SUFFIX.len())]);
    let year = (2005 + rng.u32(..20)).to_string();
    let (mut top, mut bottom, mut added) = (Vec::new(), Vec::new(), 0);
    // Each template at most once, in a random order.
    let mut top_lines: Vec<&str> = TOP_LINES.to_vec();
    let mut bottom_lines: Vec<&str> = BOTTOM_LINES.to_vec();
    rng.shuffle(&mut top_lines);
    rng.shuffle(&mut bottom_lines);
    let mode = rng.u8(..3); // 0 top only, 1 bottom only, 2 both
    while added < words || top.len() + bottom.len() == 0 {
        let at_top = match mode {
            0 => !top_lines.is_empty(),
            1 => bottom_lines.is_empty(),
            _ => bottom_lines.is_empty() || (!top_lines.is_empty() && rng.bool()),
        };
        let Some(template) = (if at_top {
            top_lines.pop()
        } else {
            bottom_lines.pop()
        }) else {
            break;
        };
        let line = template.replace("{site}", &site).replace("{year}", &year);
        let para: Vec<Cow<'p, str>> = line.split(' ').map(|w| Cow::Owned(w.to_string())).collect();
        added += para.len();
        if at_top {
            top.push(para);
        } else {
            bottom.push(para);
        }
    }
    let (nt, nb) = (top.len(), bottom.len());
    top.append(&mut doc.paras);
    top.append(&mut bottom);
    doc.paras = top;
    (nt, nb)
}

/// Moves one paragraph, swaps two, or shuffles them all.
fn reorder(doc: &mut Doc<'_>, rng: &mut Rng) {
    let n = doc.paras.len();
    match rng.u8(..3) {
        0 => {
            let p = doc.paras.remove(rng.usize(..n));
            doc.paras.insert(rng.usize(..n), p);
        }
        1 => doc.paras.swap(rng.usize(..n), rng.usize(..n)),
        _ => rng.shuffle(&mut doc.paras),
    }
}

/// Upper-cases a heading-like start, lower-cases or title-cases some paragraphs.
fn change_case(doc: &mut Doc<'_>, rng: &mut Rng) {
    for para in doc.paras.iter_mut() {
        if rng.f64() >= 0.3 {
            continue;
        }
        let mode = rng.u8(..3);
        for (i, w) in para.iter_mut().enumerate() {
            let new = match mode {
                0 if i < 8 => w.to_uppercase(),
                1 => w.to_lowercase(),
                2 => {
                    let mut c = w.chars();
                    match c.next() {
                        Some(f) => f.to_uppercase().chain(c).collect(),
                        None => continue,
                    }
                }
                _ => continue,
            };
            *w = Cow::Owned(new);
        }
    }
}

/// Punctuation as a different site or editor writes it: typographic quotes and dashes turned
/// into ASCII ones or the other way round, and now and then a trailing mark dropped or a comma
/// added.
fn change_punctuation(doc: &mut Doc<'_>, rng: &mut Rng) {
    let to_ascii = rng.bool();
    for w in doc.paras.iter_mut().flatten() {
        let swapped: String = if to_ascii {
            w.chars()
                .map(|c| match c {
                    '’' | '‘' => '\'',
                    '“' | '”' => '"',
                    '—' | '–' => '-',
                    c => c,
                })
                .collect()
        } else {
            let mut open = true;
            w.chars()
                .map(|c| match c {
                    '\'' => '’',
                    '"' => {
                        open = !open;
                        if open {
                            '”'
                        } else {
                            '“'
                        }
                    }
                    c => c,
                })
                .collect()
        };
        let mut new = if swapped == **w && w.as_ref() == "-" && !to_ascii {
            "—".to_string()
        } else {
            swapped
        };
        let r = rng.f64();
        let trimmed_len = new.trim_end_matches([',', '.', '!', '?', ';', ':']).len();
        if r < 0.03 && trimmed_len > 0 && trimmed_len < new.len() {
            new.truncate(trimmed_len);
        } else if r < 0.01 && trimmed_len == new.len() {
            new.push(',');
        }
        if new != **w {
            *w = Cow::Owned(new);
        }
    }
}

/// Changes numbers (dates, prices, counts) to other numbers. Whether anything changed.
fn change_digits(doc: &mut Doc<'_>, rng: &mut Rng) -> bool {
    let mut changed = false;
    for w in doc.paras.iter_mut().flatten() {
        if !w.bytes().any(|b| b.is_ascii_digit()) || rng.bool() {
            continue;
        }
        let new: String = w
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from(b'0' + rng.u8(..10))
                } else {
                    c
                }
            })
            .collect();
        *w = Cow::Owned(new);
        changed = true;
    }
    changed
}
