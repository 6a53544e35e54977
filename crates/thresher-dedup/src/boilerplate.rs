//! Site boilerplate across documents, CCNet-style: a line (normalised) that occurs on many
//! pages of the same site is navigation, footer or banner text, and is removed from every page
//! of that site.
//!
//! Three passes that shard like the MinHash stages and communicate through framed files:
//!
//! 1. [`SiteLineWriter`], per input shard: for each document, its site, its page (the URL,
//!    so that repeated captures of one page count once) and its distinct normalised lines, as
//!    `(site, line, page)` hash records, sorted, one file per hash partition of the site; plus
//!    the `(site, page)` pairs of the shard.
//! 2. [`find_boilerplate`], per partition: merges every shard's records and counts, for each
//!    site and line, on how many distinct pages of the site the line occurs. A line is
//!    boilerplate when that count is at least [`BoilerplateConfig::min_pages`] and at least
//!    [`BoilerplateConfig::min_fraction`] of the site's distinct pages.
//! 3. [`Boilerplate::load`] + [`Boilerplate::strip`], per shard: removes those lines.
//!
//! Lines are compared after normalisation ([`normalize_line`]): lower case, every digit as `0`
//! (so dates and counters still match), whitespace runs as one space, trimmed. Lines shorter
//! than [`BoilerplateConfig::min_chars`] after normalisation are never counted or removed.
//! Memory: pass 1 holds one shard's records; pass 2 one record per shard and the partition's
//! site document counts; pass 3 the boilerplate lines (few: only those that repeat).

use crate::framed::{
    self, corrupt, impl_from_frame_error, mismatch, u32_at, u64_at, FrameError, FrameHeader,
    FrameKind, FramedReader, FramedWriter, Framing, HEADER_LEN,
};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// Options of site-boilerplate removal.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoilerplateConfig {
    /// A line must occur on at least this many pages of a site to be boilerplate. Default 3.
    pub min_pages: u32,
    /// … and on at least this fraction of the site's pages. Default 0.2.
    pub min_fraction: f64,
    /// Lines shorter than this (characters, normalised) are never boilerplate. Default 1.
    pub min_chars: u32,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            min_pages: 3,
            min_fraction: 0.2,
            min_chars: 1,
        }
    }
}

impl BoilerplateConfig {
    /// Checks that the values can be used.
    pub fn validate(&self) -> Result<(), BoilerplateError> {
        if !(0.0..=1.0).contains(&self.min_fraction) {
            return Err(BoilerplateError::InvalidConfig(format!(
                "min_fraction {} is not between 0 and 1",
                self.min_fraction
            )));
        }
        if self.min_pages < 2 {
            return Err(BoilerplateError::InvalidConfig(
                "min_pages must be at least 2 (a line on one page is never boilerplate)".into(),
            ));
        }
        Ok(())
    }
}

/// Errors of site-boilerplate removal.
#[derive(Debug, thiserror::Error)]
pub enum BoilerplateError {
    /// The configuration cannot be used.
    #[error("invalid boilerplate configuration: {0}")]
    InvalidConfig(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is truncated, corrupt, of another kind or version.
    #[error("{}: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Files that must agree do not.
    #[error("{}: {reason}", path.display())]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// With what.
        reason: String,
    },
}

impl_from_frame_error!(BoilerplateError);

/// The normalised form of a line: lower case, digits as `0`, whitespace runs as one space,
/// trimmed.
pub fn normalize_line(line: &str, out: &mut String) {
    out.clear();
    let mut space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_numeric() {
            out.push('0');
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The hash of a site name (as the caller names sites, e.g. the registered domain).
pub fn site_hash(site: &str) -> u64 {
    xxh3_64(site.as_bytes())
}

fn line_hash(normalised: &str) -> u64 {
    xxh3_64(normalised.as_bytes())
}

fn partition_of(site: u64, partitions: u32) -> u32 {
    // Sites, not lines, are partitioned: a site's counts all meet in one partition.
    ((u128::from(site) * u128::from(partitions)) >> 64) as u32
}

// ------------------------------------------------------------------------------------ files

/// What a boilerplate file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Pass 1: (site, line, page) of one shard and partition, one record per document and
    /// distinct line.
    Lines,
    /// Pass 1: the distinct (site, page) pairs of one shard and partition.
    Sites,
    /// Pass 2: the boilerplate (site, line) pairs of one partition.
    Boilerplate,
}

impl FrameKind for FileKind {
    fn byte(self) -> u8 {
        match self {
            FileKind::Lines => b'L',
            FileKind::Sites => b'C',
            FileKind::Boilerplate => b'B',
        }
    }

    fn name(self) -> &'static str {
        match self {
            FileKind::Lines => "site-lines",
            FileKind::Sites => "site-counts",
            FileKind::Boilerplate => "boilerplate",
        }
    }
}

const RECORD: u32 = 24;
const NONE: u32 = u32::MAX;

/// The header of a boilerplate file.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Header {
    kind: FileKind,
    config: BoilerplateConfig,
    shard: u32,
    partition: u32,
    partitions: u32,
}

impl FrameHeader for Header {
    const FRAMING: Framing = Framing {
        magic: b"THBP",
        end_magic: b"THBP-END",
        version: 1,
        family: "thresher",
        temp_prefix: ".tmp-boilerplate-",
    };
    type Kind = FileKind;
    type Expected = BoilerplateConfig;

    fn kind(&self) -> FileKind {
        self.kind
    }

    fn record_size(&self) -> u32 {
        RECORD
    }

    fn encode_fields(&self, h: &mut [u8; HEADER_LEN]) {
        framed::put_u32s(
            h,
            8,
            &[
                self.config.min_pages,
                self.config.min_chars,
                self.shard,
                self.partition,
                self.partitions,
            ],
        );
        h[36..44].copy_from_slice(&self.config.min_fraction.to_le_bytes());
    }

    fn decode(
        path: &Path,
        kind: FileKind,
        h: &[u8; HEADER_LEN],
        expected: &BoilerplateConfig,
    ) -> Result<Header, FrameError> {
        let config = BoilerplateConfig {
            min_pages: u32_at(h, 8),
            min_chars: u32_at(h, 12),
            min_fraction: f64::from_le_bytes(h[36..44].try_into().unwrap_or_default()),
        };
        // Pass 1 does not depend on the thresholds, only on min_chars.
        let same = match kind {
            FileKind::Boilerplate => config == *expected,
            _ => config.min_chars == expected.min_chars,
        };
        if !same {
            return Err(mismatch(
                path,
                format!("made with {config:?}, expected {expected:?}"),
            ));
        }
        Ok(Header {
            kind,
            config,
            shard: u32_at(h, 16),
            partition: u32_at(h, 20),
            partitions: u32_at(h, 24),
        })
    }
}

/// Pass 1's line file of `shard` for `partition` under `dir`.
pub fn lines_path(dir: &Path, partition: u32, shard: u32) -> PathBuf {
    dir.join(format!("part_{partition:03}"))
        .join(format!("{shard:05}.site-lines"))
}

/// Pass 1's site-count file of `shard` for `partition` under `dir`.
pub fn sites_path(dir: &Path, partition: u32, shard: u32) -> PathBuf {
    dir.join(format!("part_{partition:03}"))
        .join(format!("{shard:05}.site-counts"))
}

/// Pass 2's boilerplate file of `partition` under `dir`.
pub fn boilerplate_path(dir: &Path, partition: u32) -> PathBuf {
    dir.join(format!("{partition:05}.boilerplate"))
}

type Triple = (u64, u64, u64);

fn write_pairs(
    path: &Path,
    header: Header,
    records: impl Iterator<Item = Triple>,
) -> Result<u64, BoilerplateError> {
    let mut w = FramedWriter::create(path, &header, 1 << 16)?;
    let mut rec = [0u8; RECORD as usize];
    for (a, b, c) in records {
        rec[..8].copy_from_slice(&a.to_le_bytes());
        rec[8..16].copy_from_slice(&b.to_le_bytes());
        rec[16..].copy_from_slice(&c.to_le_bytes());
        w.write_record(&rec)?;
    }
    Ok(w.finish()?)
}

/// Reads a file of `(u64, u64, u64)` records, checking its kind, configuration and partition and
/// that the records are in increasing order.
struct PairReader {
    inner: FramedReader<Header>,
    last: Option<Triple>,
    strict: bool,
}

impl PairReader {
    fn open(
        path: &Path,
        kind: FileKind,
        config: &BoilerplateConfig,
        partition: Option<u32>,
        strict: bool,
    ) -> Result<PairReader, BoilerplateError> {
        let inner = FramedReader::<Header>::open(path, kind, config, RECORD)?;
        if let Some(p) = partition {
            if inner.header().partition != p {
                return Err(mismatch(
                    path,
                    format!("holds partition {}, expected {p}", inner.header().partition),
                ));
            }
        }
        Ok(PairReader {
            inner,
            last: None,
            strict,
        })
    }

    fn next_pair(&mut self) -> Result<Option<Triple>, BoilerplateError> {
        let Some(r) = self.inner.next_record()? else {
            return Ok(None);
        };
        let p = (u64_at(r, 0), u64_at(r, 8), u64_at(r, 16));
        if let Some(last) = self.last {
            if p < last || (self.strict && p == last) {
                return Err(self.inner.corrupt("records are not in order"));
            }
        }
        self.last = Some(p);
        Ok(Some(p))
    }
}

// ------------------------------------------------------------------------------------ pass 1

/// Pass 1 for one shard: collects each document's site and distinct lines.
#[derive(Debug)]
pub struct SiteLineWriter {
    config: BoilerplateConfig,
    shard: u32,
    partitions: u32,
    lines: Vec<Triple>,
    pages: Vec<Triple>,
    seen: HashSet<u64>,
    scratch: String,
}

impl SiteLineWriter {
    /// Starts pass 1 for `shard` with `partitions` site partitions (1 to 65536; the same for
    /// every shard).
    pub fn new(
        config: &BoilerplateConfig,
        shard: u32,
        partitions: u32,
    ) -> Result<SiteLineWriter, BoilerplateError> {
        config.validate()?;
        check_partitions(partitions)?;
        Ok(SiteLineWriter {
            config: *config,
            shard,
            partitions,
            lines: Vec::new(),
            pages: Vec::new(),
            seen: HashSet::new(),
            scratch: String::new(),
        })
    }

    /// Adds a document of `site` (`None`: no site, not counted) that is the page `page` (its
    /// URL; documents of one page count once however often it was captured).
    pub fn push(&mut self, site: Option<&str>, page: &str, text: &str) {
        let Some(site) = site else {
            return;
        };
        let s = site_hash(site);
        let pg = xxh3_64(page.as_bytes());
        self.pages.push((s, pg, 0));
        self.seen.clear();
        for line in text.lines() {
            normalize_line(line, &mut self.scratch);
            if self.scratch.chars().count() < self.config.min_chars as usize {
                continue;
            }
            let h = line_hash(&self.scratch);
            if self.seen.insert(h) {
                self.lines.push((s, h, pg));
            }
        }
    }

    /// Writes the shard's files under `dir`, one pair per partition.
    pub fn finish(mut self, dir: &Path) -> Result<(), BoilerplateError> {
        self.lines.sort_unstable();
        self.lines.dedup();
        let mut sites = std::mem::take(&mut self.pages);
        sites.sort_unstable();
        sites.dedup();
        for p in 0..self.partitions {
            let header = |kind| Header {
                kind,
                config: self.config,
                shard: self.shard,
                partition: p,
                partitions: self.partitions,
            };
            let parts = self.partitions;
            write_pairs(
                &lines_path(dir, p, self.shard),
                header(FileKind::Lines),
                self.lines
                    .iter()
                    .copied()
                    .filter(|(s, _, _)| partition_of(*s, parts) == p),
            )?;
            write_pairs(
                &sites_path(dir, p, self.shard),
                header(FileKind::Sites),
                sites
                    .iter()
                    .copied()
                    .filter(|(s, _, _)| partition_of(*s, parts) == p),
            )?;
        }
        Ok(())
    }
}

fn check_partitions(partitions: u32) -> Result<(), BoilerplateError> {
    if !(1..=65536).contains(&partitions) {
        return Err(BoilerplateError::InvalidConfig(format!(
            "partitions must be 1 to 65536, not {partitions}"
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ pass 2

/// What pass 2 found in one partition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartitionSummary {
    /// Sites in the partition.
    pub sites: u64,
    /// Distinct (site, line) pairs.
    pub lines: u64,
    /// Of which boilerplate.
    pub boilerplate: u64,
}

/// Pass 2 for `partition`: merges the line and site files of every shard (`shards` = how
/// many shards pass 1 ran on, numbered from 0) under `dir` and writes the boilerplate file
/// of the partition under `out_dir`.
pub fn find_boilerplate(
    dir: &Path,
    shards: u32,
    partition: u32,
    config: &BoilerplateConfig,
    out_dir: &Path,
) -> Result<PartitionSummary, BoilerplateError> {
    config.validate()?;
    // Distinct pages per site (a page in several shards counts once).
    let mut seen_pages: HashSet<(u64, u64)> = HashSet::new();
    let mut docs: HashMap<u64, u64> = HashMap::new();
    for s in 0..shards {
        let mut r = PairReader::open(
            &sites_path(dir, partition, s),
            FileKind::Sites,
            config,
            Some(partition),
            true,
        )?;
        while let Some((site, page, _)) = r.next_pair()? {
            if seen_pages.insert((site, page)) {
                *docs.entry(site).or_default() += 1;
            }
        }
    }
    drop(seen_pages);
    let mut readers = (0..shards)
        .map(|s| {
            PairReader::open(
                &lines_path(dir, partition, s),
                FileKind::Lines,
                config,
                Some(partition),
                false,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut heap = BinaryHeap::new();
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some(p) = r.next_pair()? {
            heap.push(std::cmp::Reverse((p, i)));
        }
    }
    let mut summary = PartitionSummary {
        sites: docs.len() as u64,
        ..PartitionSummary::default()
    };
    let mut found: Vec<Triple> = Vec::new();
    // The (site, line) being counted, its last page and its count of distinct pages.
    let mut current: Option<((u64, u64), u64, u64)> = None;
    let mut close = |cur: Option<((u64, u64), u64, u64)>, summary: &mut PartitionSummary| {
        if let Some(((site, line), _, n)) = cur {
            summary.lines += 1;
            let pages = docs.get(&site).copied().unwrap_or(0);
            if n >= u64::from(config.min_pages) && n as f64 >= config.min_fraction * pages as f64 {
                summary.boilerplate += 1;
                found.push((site, line, 0));
            }
        }
    };
    while let Some(std::cmp::Reverse(((site, line, page), i))) = heap.pop() {
        match &mut current {
            Some((q, last, n)) if *q == (site, line) => {
                if *last != page {
                    *n += 1;
                    *last = page;
                }
            }
            _ => {
                close(current.take(), &mut summary);
                current = Some(((site, line), page, 1));
            }
        }
        if let Some(next) = readers[i].next_pair()? {
            heap.push(std::cmp::Reverse((next, i)));
        }
    }
    close(current.take(), &mut summary);
    let header = Header {
        kind: FileKind::Boilerplate,
        config: *config,
        shard: NONE,
        partition,
        partitions: NONE,
    };
    write_pairs(
        &boilerplate_path(out_dir, partition),
        header,
        found.into_iter(),
    )?;
    Ok(summary)
}

// ------------------------------------------------------------------------------------ pass 3

/// Pass 3: the boilerplate lines of every site.
#[derive(Debug, Clone, Default)]
pub struct Boilerplate {
    config: BoilerplateConfig,
    lines: HashSet<(u64, u64)>,
}

/// A document without its boilerplate lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    /// The remaining text: removed lines go with their line breaks; blank lines left in a
    /// row by a removal collapse into one, and none are left at the start or end.
    pub text: String,
    /// The removed lines, as they were, in document order.
    pub removed: Vec<String>,
}

impl Boilerplate {
    /// Loads the boilerplate files of every partition (`0..partitions`) under `dir`.
    pub fn load(
        dir: &Path,
        partitions: u32,
        config: &BoilerplateConfig,
    ) -> Result<Boilerplate, BoilerplateError> {
        check_partitions(partitions)?;
        let mut lines = HashSet::new();
        for p in 0..partitions {
            let path = boilerplate_path(dir, p);
            let mut r = PairReader::open(&path, FileKind::Boilerplate, config, Some(p), true)?;
            while let Some((site, line, _)) = r.next_pair()? {
                if partition_of(site, partitions) != p {
                    return Err(corrupt(&path, "a site of another partition"));
                }
                lines.insert((site, line));
            }
        }
        Ok(Boilerplate {
            config: *config,
            lines,
        })
    }

    /// How many (site, line) pairs are boilerplate.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether nothing is boilerplate.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// `text` of a document of `site` without its boilerplate lines; `None` when nothing is
    /// removed (or the document has no site).
    pub fn strip(&self, site: Option<&str>, text: &str) -> Option<Stripped> {
        let s = site_hash(site?);
        let mut scratch = String::new();
        let mut removed = Vec::new();
        let mut out = String::with_capacity(text.len());
        // Lines with their terminators, so kept lines stay byte for byte.
        let mut blank_pending = false;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            normalize_line(content, &mut scratch);
            if scratch.is_empty() {
                blank_pending = blank_pending || !out.is_empty();
                continue;
            }
            let boiler = scratch.chars().count() >= self.config.min_chars as usize
                && self.lines.contains(&(s, line_hash(&scratch)));
            if boiler {
                removed.push(content.to_string());
                continue;
            }
            if blank_pending {
                out.push('\n');
                blank_pending = false;
            }
            // With its terminator, or without one if it is the last line and had none.
            out.push_str(line);
        }
        if removed.is_empty() {
            return None;
        }
        // The last kept line keeps its terminator only if the text ended with one there.
        while out.ends_with("\n\n") {
            out.pop();
        }
        Some(Stripped { text: out, removed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        docs: &[(&str, &str)],
        shards: u32,
        partitions: u32,
    ) -> (Boilerplate, tempfile::TempDir) {
        let cfg = BoilerplateConfig::default();
        let dir = tempfile::tempdir().unwrap();
        let per = docs.len().div_ceil(shards as usize);
        for (s, chunk) in docs.chunks(per).enumerate() {
            let mut w = SiteLineWriter::new(&cfg, s as u32, partitions).unwrap();
            for (site, text) in chunk {
                w.push(Some(site), text, text);
            }
            w.finish(&dir.path().join("p1")).unwrap();
        }
        let n = docs.chunks(per).count() as u32;
        for p in 0..partitions {
            find_boilerplate(&dir.path().join("p1"), n, p, &cfg, &dir.path().join("p2")).unwrap();
        }
        let b = Boilerplate::load(&dir.path().join("p2"), partitions, &cfg).unwrap();
        (b, dir)
    }

    #[test]
    fn lines_on_most_pages_of_a_site_go_and_the_rest_stays() {
        let words = ["apples", "boats", "clouds", "dunes", "embers", "forests"];
        let page = |i: usize| {
            let w = words[i];
            format!("Home | News | Contact\n\nArticle {i} says something about {w}.\nIt goes on.\n\nCopyright 2024 Example\n")
        };
        let pages: Vec<String> = (0..6).map(page).collect();
        let mut docs: Vec<(&str, &str)> = pages.iter().map(|p| ("a.example", p.as_str())).collect();
        // Another site with the same footer on two pages only: below min_pages.
        docs.push(("b.example", "Copyright 2024 Example\nOwn text one."));
        docs.push(("b.example", "Copyright 2024 Example\nOwn text two."));
        let (b, _dir) = run(&docs, 3, 2);
        // "It goes on." is on every page of a.example too: boilerplate by the rule.
        assert_eq!(b.len(), 3);
        let s = b.strip(Some("a.example"), &pages[2]).unwrap();
        assert_eq!(s.text, "Article 2 says something about clouds.\n");
        assert_eq!(
            s.removed,
            [
                "Home | News | Contact",
                "It goes on.",
                "Copyright 2024 Example"
            ]
        );
        assert!(b.strip(Some("b.example"), docs[6].1).is_none());
        assert!(b.strip(None, &pages[0]).is_none());
    }

    #[test]
    fn shards_and_partitions_do_not_change_the_answer() {
        let pages: Vec<String> = (0..20)
            .map(|i| {
                format!(
                    "Menu\nStory {i} text of its own, {}.\nFooter line\n",
                    "x".repeat(i)
                )
            })
            .collect();
        let docs: Vec<(&str, &str)> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    if i % 2 == 0 {
                        "even.example"
                    } else {
                        "odd.example"
                    },
                    p.as_str(),
                )
            })
            .collect();
        let (a, _d1) = run(&docs, 1, 1);
        let (b, _d2) = run(&docs, 4, 7);
        assert_eq!(a.lines, b.lines);
        assert_eq!(a.len(), 4); // Menu and Footer line, for each of the two sites
    }

    #[test]
    fn damaged_files_are_errors_naming_them() {
        let cfg = BoilerplateConfig::default();
        let dir = tempfile::tempdir().unwrap();
        let mut w = SiteLineWriter::new(&cfg, 0, 1).unwrap();
        for i in 0..5 {
            w.push(Some("s"), &i.to_string(), &format!("nav\nline {i}"));
        }
        w.finish(dir.path()).unwrap();
        let f = lines_path(dir.path(), 0, 0);
        let bytes = std::fs::read(&f).unwrap();
        std::fs::write(&f, &bytes[..bytes.len() - 3]).unwrap();
        let err = find_boilerplate(dir.path(), 1, 0, &cfg, dir.path()).unwrap_err();
        assert!(err.to_string().contains(&f.display().to_string()), "{err}");
        let err = find_boilerplate(dir.path(), 2, 0, &cfg, dir.path()).unwrap_err();
        assert!(matches!(
            err,
            BoilerplateError::Io { .. } | BoilerplateError::Corrupt { .. }
        ));
    }

    #[test]
    fn captures_of_one_page_count_once() {
        let cfg = BoilerplateConfig::default();
        let dir = tempfile::tempdir().unwrap();
        let mut w = SiteLineWriter::new(&cfg, 0, 1).unwrap();
        // The same article captured three times, and two other pages: nothing is on 3 pages.
        for _ in 0..3 {
            w.push(
                Some("s"),
                "https://s/a",
                "Menu\nThe article's own sentence.",
            );
        }
        w.push(Some("s"), "https://s/b", "Menu\nAnother page.");
        w.push(Some("s"), "https://s/c", "Menu\nA third page.");
        w.finish(&dir.path().join("1")).unwrap();
        find_boilerplate(&dir.path().join("1"), 1, 0, &cfg, &dir.path().join("2")).unwrap();
        let b = Boilerplate::load(&dir.path().join("2"), 1, &cfg).unwrap();
        assert_eq!(b.len(), 1, "only Menu, on 3 distinct pages");
        let s = b
            .strip(Some("s"), "Menu\nThe article's own sentence.")
            .unwrap();
        assert_eq!(s.text, "The article's own sentence.");
    }

    #[test]
    fn normalisation() {
        let mut s = String::new();
        normalize_line("  Posted  on 12 May   2024 ", &mut s);
        assert_eq!(s, "posted on 00 may 0000");
        normalize_line("ÉTÉ", &mut s);
        assert_eq!(s, "été");
    }
}
