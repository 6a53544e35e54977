//! Exact line / paragraph dedup across a corpus: a line (or paragraph) whose normalised text
//! occurs more than once in the corpus is removed from the documents it occurs in — from all
//! but the first in input order ([`Keep::First`], dolma's paragraph dedup) or from all of them
//! ([`Keep::None`], CCNet's and CS336's line dedup).
//!
//! Two methods decide the same thing (up to the caveats each documents):
//!
//! - [`sorted`]: exact, with sorted 64-bit hashes, in three restartable passes whose files are
//!   framed, checksummed and written atomically ([`files`]). Pass 1 is per input shard, pass 2
//!   per hash partition, pass 3 per shard again. Supports both [`Keep`] rules.
//! - [`bloom`]: one pass in input order with a Bloom filter of fixed size (dolma's method);
//!   [`Keep::First`] only; false positives remove unique units at the configured rate.
//!
//! # Units
//!
//! A document is split into lines at `\n`; a line includes its terminator (`\n` or `\r\n`;
//! a lone `\r`, U+2028 and other separators do not end a line), and the last line may have
//! none. A line is *blank* when it is empty or whitespace only (Unicode `White_Space`).
//!
//! - [`Unit::Line`]: every non-blank line is a unit (dolma's "paragraph" is this: text between
//!   newlines).
//! - [`Unit::Paragraph`]: every maximal run of consecutive non-blank lines is a unit.
//!
//! So a document is `gap₀ unit₀ gap₁ unit₁ … unitₙ₋₁ gapₙ`, where each gap is a run of blank
//! lines (possibly empty). Units are numbered from 0 in document order, all of them (short
//! ones included).
//!
//! # What is compared
//!
//! The *normalised* text of a unit ([`normalize_unit`]): every run of whitespace (inside a
//! paragraph, line breaks too) becomes one space, with none at either end; with
//! [`LineDedupConfig::lowercase`], letters are lowercased (`char::to_lowercase`). Nothing else
//! is changed: punctuation, digits and accents count (CCNet also strips accents, digits and
//! punctuation; we keep that as a possible later option rather than a surprise). A unit whose
//! normalised text has fewer than [`LineDedupConfig::min_chars`] characters is never a
//! duplicate and is always kept.
//!
//! # What removal does to a document
//!
//! Removed units disappear with their line terminators; every other unit is copied byte for
//! byte. Blank lines are never removed for being duplicates, but the gaps next to removed units
//! collapse: between two kept units, the blank run that separated them (when the units removed
//! between them had several) is the longest of those runs (the first on a tie), so a paragraph
//! break stays a paragraph break and removal does not pile blank lines up; leading and
//! trailing whitespace of the document (`gap₀`, `gapₙ`) is kept; the runs between removed units
//! at either end go. When *every* unit of a document is removed, the text becomes empty and
//! [`Deduped::emptied`] is set, so the caller can drop the document with a reason. A document
//! without units (empty or blank) is returned unchanged.
//!
//! The CS336 assignment's line-dedup fixture (`documents_line_deduplicated/`) is exactly these
//! semantics with [`Unit::Line`] and [`Keep::None`] (see `tests/line_dedup.rs`).

pub mod bloom;
pub mod files;
pub mod sorted;

pub use bloom::BloomLineDedup;
pub use sorted::{find_line_duplicates, LineHashWriter, MergeSummary, ShardLineRemovals};

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

/// What a unit of dedup is.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A non-blank line.
    #[default]
    Line,
    /// A run of consecutive non-blank lines (paragraphs are separated by blank lines).
    Paragraph,
}

/// Which occurrences of a repeated unit survive.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The first occurrence in input order (shard, then document, then unit) survives; later
    /// ones are removed (dolma).
    #[default]
    First,
    /// Every occurrence of a unit that occurs more than once is removed (CCNet, CS336).
    None,
}

/// Options of line / paragraph dedup. Deserialises with defaults for missing fields and
/// refuses unknown ones, so it can be a pipeline step's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LineDedupConfig {
    /// What a unit is. Default [`Unit::Line`].
    pub unit: Unit,
    /// Which occurrences survive. Default [`Keep::First`].
    pub keep: Keep,
    /// Units whose normalised text has fewer characters than this are never deduped (always
    /// kept). Default 0: every non-blank unit is deduped, as dolma, CCNet and CS336 do — short
    /// repeated lines ("Home", "Menu", "Share") are mostly the boilerplate this removes. Raise
    /// it (e.g. to 10–20) to spare short lines that legitimately repeat, such as `}` in code or
    /// "Yes." in dialogue. At most `u32::MAX`.
    pub min_chars: usize,
    /// Whether case is ignored (letters lowercased before comparing). Default `false`.
    pub lowercase: bool,
}

impl Default for LineDedupConfig {
    fn default() -> Self {
        LineDedupConfig {
            unit: Unit::Line,
            keep: Keep::First,
            min_chars: 0,
            lowercase: false,
        }
    }
}

impl LineDedupConfig {
    /// Checks that the values can be used.
    pub fn validate(&self) -> Result<(), LineDedupError> {
        if u32::try_from(self.min_chars).is_err() {
            return Err(LineDedupError::InvalidConfig(format!(
                "min_chars {} is larger than {}",
                self.min_chars,
                u32::MAX
            )));
        }
        Ok(())
    }
}

/// Errors of line / paragraph dedup.
#[derive(Debug, thiserror::Error)]
pub enum LineDedupError {
    /// The configuration or a parameter cannot be used.
    #[error("invalid line-dedup configuration: {0}")]
    InvalidConfig(String),
    /// More documents in a shard, or units in a document, than the files can number (2^32).
    #[error("line dedup: {0}")]
    Limit(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not what it should be: truncated, corrupt, of another kind or version.
    #[error("{}: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Files that must agree do not (other configuration, shard or partition given twice or
    /// missing, …).
    #[error("{}: {reason}", path.display())]
    Mismatch {
        /// The file that disagrees.
        path: PathBuf,
        /// With what.
        reason: String,
    },
    /// The text given to pass 3 is not the text pass 1 hashed (the input changed between
    /// passes, or documents were given in another order).
    #[error("shard {shard}, document {doc}: {reason} (did the input change since pass 1?)")]
    Stale {
        /// The shard.
        shard: u32,
        /// The document's index in the shard.
        doc: u32,
        /// What does not match.
        reason: String,
    },
}

/// A unit's place in the corpus: its shard, its document's index in the shard and its index
/// in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitRef {
    /// The shard.
    pub shard: u32,
    /// The document's index in its shard.
    pub doc: u32,
    /// The unit's index in its document.
    pub unit: u32,
}

/// One unit removed from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedUnit {
    /// Its index among the document's units.
    pub index: u32,
    /// Its bytes in the original text, line terminator included (`&text[bytes]` is what was
    /// dropped; the blank lines that collapsed around it are not included).
    pub bytes: Range<usize>,
    /// The first occurrence of the same unit in the corpus (the kept one under
    /// [`Keep::First`]; under [`Keep::None`] the first of the removed ones, possibly this
    /// one). `None` from [`BloomLineDedup`], which does not know it.
    pub first: Option<UnitRef>,
}

/// A document after line / paragraph dedup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduped<'a> {
    /// The text without the removed units (borrowed when nothing was removed; empty when
    /// every unit was removed).
    pub text: Cow<'a, str>,
    /// The removed units, in document order.
    pub removed: Vec<RemovedUnit>,
    /// Every unit was removed (and there was at least one): the document is now empty and
    /// should be dropped.
    pub emptied: bool,
}

impl Deduped<'_> {
    /// Whether anything was removed.
    pub fn changed(&self) -> bool {
        !self.removed.is_empty()
    }
}

/// The normalised text of a unit (see the module docs): whitespace runs → one space, trimmed,
/// lowercased when `lowercase`.
pub fn normalize_unit(unit: &str, lowercase: bool) -> String {
    let mut out = String::new();
    normalize_unit_into(unit, lowercase, &mut out);
    out
}

/// [`normalize_unit`] into `out` (cleared first); returns the number of characters written.
pub fn normalize_unit_into(unit: &str, lowercase: bool, out: &mut String) -> usize {
    out.clear();
    let mut chars = 0;
    for word in unit.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        if lowercase {
            for c in word.chars() {
                for l in c.to_lowercase() {
                    out.push(l);
                    chars += 1;
                }
            }
        } else {
            out.push_str(word);
            chars += word.chars().count();
        }
    }
    chars
}

/// The 64-bit hash [`sorted`] compares: `xxh3_64` of the normalised unit's UTF-8 bytes.
pub fn unit_hash(normalised: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(normalised.as_bytes())
}

/// A document cut into units and the gaps (runs of blank lines) around them:
/// `text == gaps[0] + units[0] + gaps[1] + … + units[n-1] + gaps[n]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segments {
    /// Byte ranges of the units, line terminators included.
    pub units: Vec<Range<usize>>,
    /// Byte ranges of the gaps; one more than there are units.
    pub gaps: Vec<Range<usize>>,
}

impl Segments {
    /// Cuts `text` into `unit`s (see the module docs).
    pub fn of(text: &str, unit: Unit) -> Segments {
        let mut seg = Segments::default();
        seg.fill(text, unit);
        seg
    }

    /// [`Segments::of`] into `self`, reusing its capacity.
    pub fn fill(&mut self, text: &str, unit: Unit) {
        self.units.clear();
        self.gaps.clear();
        let mut gap_start = 0;
        let mut para_start: Option<usize> = None;
        let mut start = 0;
        while start < text.len() {
            let end = match text[start..].find('\n') {
                Some(i) => start + i + 1,
                None => text.len(),
            };
            let blank = text[start..end].trim().is_empty();
            match (blank, unit) {
                (false, Unit::Line) => {
                    self.gaps.push(gap_start..start);
                    self.units.push(start..end);
                    gap_start = end;
                }
                (false, Unit::Paragraph) => {
                    if para_start.is_none() {
                        self.gaps.push(gap_start..start);
                        para_start = Some(start);
                    }
                }
                (true, _) => {
                    if let Some(p) = para_start.take() {
                        self.units.push(p..start);
                        gap_start = start;
                    }
                }
            }
            start = end;
        }
        if let Some(p) = para_start {
            self.units.push(p..text.len());
            gap_start = text.len();
        }
        self.gaps.push(gap_start..text.len());
    }

    /// The text with the units at `removed` (unit indices in increasing order) taken
    /// out and the gaps around them collapsed (see the module docs); the flag is set when
    /// every unit was removed.
    pub fn without<'a>(&self, text: &'a str, removed: &[u32]) -> (Cow<'a, str>, bool) {
        let n = self.units.len();
        if removed.is_empty() || n == 0 {
            return (Cow::Borrowed(text), false);
        }
        let mut out = String::with_capacity(text.len());
        out.push_str(&text[self.gaps[0].clone()]);
        let mut next_removed = removed.iter().map(|&r| r as usize).peekable();
        let mut prev_kept: Option<usize> = None;
        for i in 0..n {
            // Tolerates repeated or out-of-range indices.
            while next_removed.next_if(|&r| r < i).is_some() {}
            if next_removed.next_if_eq(&i).is_some() {
                continue;
            }
            if let Some(p) = prev_kept {
                // The longest of the gaps between the two kept units (the first on a tie).
                let mut best = self.gaps[p + 1].clone();
                let mut best_lines = count_lines(&text[best.clone()]);
                for g in &self.gaps[p + 2..=i] {
                    let lines = count_lines(&text[g.clone()]);
                    if lines > best_lines {
                        best = g.clone();
                        best_lines = lines;
                    }
                }
                out.push_str(&text[best]);
            }
            out.push_str(&text[self.units[i].clone()]);
            prev_kept = Some(i);
        }
        if prev_kept.is_none() {
            return (Cow::Borrowed(""), true);
        }
        out.push_str(&text[self.gaps[n].clone()]);
        (Cow::Owned(out), false)
    }
}

/// Lines in a gap: its `\n`s, plus one for a last line without terminator.
fn count_lines(gap: &str) -> usize {
    let n = gap.bytes().filter(|&b| b == b'\n').count();
    n + usize::from(!gap.is_empty() && !gap.ends_with('\n'))
}

/// Walks the units of documents: segments them and gives each unit's normalised text when it
/// is long enough to be deduped. Keeps its buffers between documents.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scanner {
    pub(crate) config: LineDedupConfig,
    pub(crate) seg: Segments,
    buf: String,
}

impl Scanner {
    pub(crate) fn new(config: &LineDedupConfig) -> Scanner {
        Scanner {
            config: *config,
            ..Scanner::default()
        }
    }

    /// Segments `text` into `self.seg`.
    pub(crate) fn segment(&mut self, text: &str) {
        self.seg.fill(text, self.config.unit);
    }

    /// The normalised text of unit `i` of the last segmented `text`, or `None` when it is
    /// shorter than `min_chars` (never deduped).
    pub(crate) fn normalised(&mut self, text: &str, i: usize) -> Option<&str> {
        let range = self.seg.units[i].clone();
        let chars = normalize_unit_into(&text[range], self.config.lowercase, &mut self.buf);
        (chars >= self.config.min_chars).then_some(self.buf.as_str())
    }

    /// Drops buffers one huge document grew.
    pub(crate) fn shrink(&mut self) {
        if self.buf.capacity() > 1 << 20 || self.seg.units.capacity() > 1 << 16 {
            self.buf = String::new();
            self.seg = Segments::default();
        }
    }
}

/// Line / paragraph dedup of a whole corpus held in memory, by exact comparison of the
/// normalised units (no hashing, so no collisions). `docs` are in input order and all count as
/// shard 0. Memory grows with the number of distinct units; meant for small inputs and as the
/// reference the other methods are tested against.
pub fn dedup_in_memory<'a, S: AsRef<str> + ?Sized>(
    config: &LineDedupConfig,
    docs: &[&'a S],
) -> Result<Vec<Deduped<'a>>, LineDedupError> {
    config.validate()?;
    let mut scanner = Scanner::new(config);
    // Normalised unit → (occurrences, first occurrence).
    let mut seen: HashMap<String, (u64, UnitRef)> = HashMap::new();
    let mut per_doc: Vec<(Segments, Vec<Option<String>>)> = Vec::with_capacity(docs.len());
    for (d, doc) in docs.iter().enumerate() {
        let text = doc.as_ref();
        let doc_index = u32::try_from(d)
            .map_err(|_| LineDedupError::Limit("more than 2^32 documents".into()))?;
        scanner.segment(text);
        let mut keys = Vec::with_capacity(scanner.seg.units.len());
        for u in 0..scanner.seg.units.len() {
            let key = scanner.normalised(text, u).map(str::to_string);
            if let Some(k) = &key {
                let unit = u32::try_from(u)
                    .map_err(|_| LineDedupError::Limit("more than 2^32 units".into()))?;
                seen.entry(k.clone())
                    .or_insert((
                        0,
                        UnitRef {
                            shard: 0,
                            doc: doc_index,
                            unit,
                        },
                    ))
                    .0 += 1;
            }
            keys.push(key);
        }
        per_doc.push((scanner.seg.clone(), keys));
    }
    let mut out = Vec::with_capacity(docs.len());
    for (d, (seg, keys)) in per_doc.into_iter().enumerate() {
        let text = docs[d].as_ref();
        let mut removed = Vec::new();
        for (u, key) in keys.iter().enumerate() {
            let Some(key) = key else { continue };
            let (count, first) = seen[key];
            let here = UnitRef {
                shard: 0,
                doc: d as u32,
                unit: u as u32,
            };
            let remove = match config.keep {
                Keep::First => first != here,
                Keep::None => count > 1,
            };
            if remove {
                removed.push(RemovedUnit {
                    index: u as u32,
                    bytes: seg.units[u].clone(),
                    first: Some(first),
                });
            }
        }
        let indices: Vec<u32> = removed.iter().map(|r| r.index).collect();
        let (text, emptied) = seg.without(text, &indices);
        out.push(Deduped {
            text,
            removed,
            emptied,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(unit: Unit, keep: Keep) -> LineDedupConfig {
        LineDedupConfig {
            unit,
            keep,
            ..LineDedupConfig::default()
        }
    }

    fn pieces(text: &str, unit: Unit) -> (Vec<&str>, Vec<&str>) {
        let s = Segments::of(text, unit);
        (
            s.units.iter().map(|r| &text[r.clone()]).collect(),
            s.gaps.iter().map(|r| &text[r.clone()]).collect(),
        )
    }

    #[test]
    fn segments_lines_and_paragraphs() {
        let t = "\n  \nA one\r\nA two\n\n\nB one\n \t\nC\n\n";
        let (u, g) = pieces(t, Unit::Line);
        assert_eq!(u, ["A one\r\n", "A two\n", "B one\n", "C\n"]);
        assert_eq!(g, ["\n  \n", "", "\n\n", " \t\n", "\n"]);
        let (u, g) = pieces(t, Unit::Paragraph);
        assert_eq!(u, ["A one\r\nA two\n", "B one\n", "C\n"]);
        assert_eq!(g, ["\n  \n", "\n\n", " \t\n", "\n"]);
        assert_eq!(pieces("", Unit::Line), (vec![], vec![""]));
        assert_eq!(pieces(" \n\n", Unit::Paragraph), (vec![], vec![" \n\n"]));
        assert_eq!(pieces("x", Unit::Paragraph), (vec!["x"], vec!["", ""]));
        assert_eq!(
            pieces("a\nb", Unit::Line),
            (vec!["a\n", "b"], vec!["", "", ""])
        );
        // A lone CR is not a line break; U+2028 neither.
        assert_eq!(pieces("a\rb\u{2028}c\n", Unit::Line).0, ["a\rb\u{2028}c\n"]);
    }

    #[test]
    fn segments_cover_the_text_exactly() {
        let samples = [
            "",
            "\n",
            "a",
            "a\n\nb\n",
            "\r\n\r\nx\r\ny\r\n\r\n",
            "  lead\n\ttab\n\n\n\nend  ",
            "ünï\u{a0}\n\u{3000}\nçødé\n",
        ];
        for t in samples {
            for unit in [Unit::Line, Unit::Paragraph] {
                let s = Segments::of(t, unit);
                assert_eq!(s.gaps.len(), s.units.len() + 1);
                let mut joined = String::new();
                for i in 0..s.units.len() {
                    joined.push_str(&t[s.gaps[i].clone()]);
                    joined.push_str(&t[s.units[i].clone()]);
                }
                joined.push_str(&t[s.gaps[s.units.len()].clone()]);
                assert_eq!(joined, t, "{unit:?} {t:?}");
                assert_eq!(s.without(t, &[]).0, t);
            }
        }
    }

    #[test]
    fn removal_preserves_bytes_and_collapses_gaps() {
        let t = "keep 1\r\ndup\r\nkeep 2\r\n";
        let s = Segments::of(t, Unit::Line);
        assert_eq!(
            s.without(t, &[1]),
            (Cow::from("keep 1\r\nkeep 2\r\n"), false)
        );
        assert_eq!(s.without(t, &[0, 1, 2]), (Cow::from(""), true));
        assert_eq!(s.without(t, &[0, 0, 1, 1, 9]).0, "keep 2\r\n");
        // No final newline: removing the last line leaves the previous one's terminator.
        let t = "a\nb";
        let s = Segments::of(t, Unit::Line);
        assert_eq!(s.without(t, &[1]).0, "a\n");
        assert_eq!(s.without(t, &[0]).0, "b");
        // Paragraphs: the separator between kept neighbours is the longest one around the
        // removed paragraphs; the ends keep the document's own leading/trailing whitespace.
        let t = "\nP1\n\nDUP\n\n\n\nP2 a\nP2 b\n\nDUP2\n\n";
        let s = Segments::of(t, Unit::Paragraph);
        assert_eq!(s.without(t, &[1]).0, "\nP1\n\n\n\nP2 a\nP2 b\n\nDUP2\n\n");
        assert_eq!(s.without(t, &[3]).0, "\nP1\n\nDUP\n\n\n\nP2 a\nP2 b\n\n");
        assert_eq!(s.without(t, &[0, 1]).0, "\nP2 a\nP2 b\n\nDUP2\n\n");
        assert_eq!(s.without(t, &[1, 3]).0, "\nP1\n\n\n\nP2 a\nP2 b\n\n");
        assert_eq!(s.without(t, &[0, 1, 2, 3]), (Cow::from(""), true));
        // Lines: removing a line next to a blank line keeps the paragraph break once.
        let t = "a\ndup\n\nb\n";
        let s = Segments::of(t, Unit::Line);
        assert_eq!(s.without(t, &[1]).0, "a\n\nb\n");
        let t = "a\n\ndup\n\nb\n";
        let s = Segments::of(t, Unit::Line);
        assert_eq!(s.without(t, &[1]).0, "a\n\nb\n");
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_unit("  Hello \t  World\r\n", false),
            "Hello World"
        );
        assert_eq!(normalize_unit("a\nb\u{a0}\u{3000}c", false), "a b c");
        assert_eq!(normalize_unit("ÉCOLE Straße", true), "école straße");
        let mut buf = String::new();
        assert_eq!(normalize_unit_into(" İx ", true, &mut buf), 3);
        assert_eq!(buf, "i\u{307}x");
        assert_eq!(normalize_unit_into("日本 語", false, &mut buf), 4);
    }

    #[test]
    fn config_deserialises_with_defaults() {
        let c: LineDedupConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, LineDedupConfig::default());
        let c: LineDedupConfig = serde_json::from_str(
            r#"{"unit":"paragraph","keep":"none","min_chars":12,"lowercase":true}"#,
        )
        .unwrap();
        assert_eq!(
            c,
            LineDedupConfig {
                unit: Unit::Paragraph,
                keep: Keep::None,
                min_chars: 12,
                lowercase: true
            }
        );
        assert!(serde_json::from_str::<LineDedupConfig>(r#"{"units":"line"}"#).is_err());
        assert!(serde_json::from_str::<LineDedupConfig>(r#"{"keep":"last"}"#).is_err());
        let big = LineDedupConfig {
            min_chars: usize::MAX,
            ..LineDedupConfig::default()
        };
        assert!(big.validate().is_err() || usize::BITS == 32);
    }

    #[test]
    fn in_memory_keep_rules() {
        let docs = [
            "Home\nMenu\nStory one.\n",
            "Home\nStory two.\nStory two.\n",
            "home\n",
        ];
        let first = dedup_in_memory(&cfg(Unit::Line, Keep::First), &docs).unwrap();
        let texts: Vec<&str> = first.iter().map(|d| d.text.as_ref()).collect();
        assert_eq!(
            texts,
            ["Home\nMenu\nStory one.\n", "Story two.\n", "home\n"]
        );
        assert_eq!(first[1].removed.len(), 2);
        assert_eq!(
            first[1].removed[0],
            RemovedUnit {
                index: 0,
                bytes: 0..5,
                first: Some(UnitRef {
                    shard: 0,
                    doc: 0,
                    unit: 0
                })
            }
        );
        let none = dedup_in_memory(&cfg(Unit::Line, Keep::None), &docs).unwrap();
        let texts: Vec<&str> = none.iter().map(|d| d.text.as_ref()).collect();
        assert_eq!(texts, ["Menu\nStory one.\n", "", "home\n"]);
        assert!(none[1].emptied && !none[0].emptied && !none[2].changed());
        let lower = LineDedupConfig {
            lowercase: true,
            ..cfg(Unit::Line, Keep::None)
        };
        let l = dedup_in_memory(&lower, &docs).unwrap();
        assert!(l[2].emptied);
        // min_chars spares short units.
        let min = LineDedupConfig {
            min_chars: 5,
            ..cfg(Unit::Line, Keep::None)
        };
        let m = dedup_in_memory(&min, &docs).unwrap();
        let texts: Vec<&str> = m.iter().map(|d| d.text.as_ref()).collect();
        assert_eq!(texts, ["Home\nMenu\nStory one.\n", "Home\n", "home\n"]);
    }
}
