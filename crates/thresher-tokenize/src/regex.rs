//! A small backtracking matcher with Python `re` semantics, for the regexes exported from
//! spaCy (`scripts/export_spacy_tokenizer.py`).
//!
//! The export script parses each pattern with Python's own parser and resolves every
//! single-character matcher (literal, class, category, `.`, with its case-insensitivity)
//! into an explicit code-point set, so this module only has to implement the control
//! structure: leftmost-first alternation, greedy/lazy repeats, fixed-width lookbehind,
//! lookahead and anchors. It runs on an explicit stack (no recursion per input character),
//! and the work spent on one text is bounded (see [`Scratch::reset_budget`]) so that no
//! input can make it run away.

use serde_json::Value;

use crate::TokenizeError;

/// Matcher steps (instructions, backtracks, characters scanned) allowed for one text,
/// plus [`STEP_BUDGET_PER_BYTE`] per byte of it. Once they are spent every search fails
/// ("no match"). Real text uses a small fraction (the corpus tests pass with a budget 16
/// times smaller); only pathological input reaches it, such as a single 100 kB run of
/// affix characters, on which Python's `re` (and so spaCy) would take minutes to hours.
const STEP_BUDGET: u64 = 1 << 22;
const STEP_BUDGET_PER_BYTE: u64 = 256;

/// A set of code points: a bitmap for ASCII, sorted inclusive ranges above it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct CharSet {
    ascii: u128,
    ranges: Box<[(u32, u32)]>,
}

impl CharSet {
    /// Builds a set from inclusive ranges in any order (overlaps allowed).
    pub(crate) fn from_ranges(input: &[(u32, u32)]) -> CharSet {
        let mut ascii = 0u128;
        let mut rest: Vec<(u32, u32)> = Vec::new();
        for &(lo, hi) in input {
            if lo > hi {
                continue;
            }
            if lo < 128 {
                for c in lo..=hi.min(127) {
                    ascii |= 1u128 << c;
                }
            }
            if hi >= 128 {
                rest.push((lo.max(128), hi));
            }
        }
        rest.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(rest.len());
        for (lo, hi) in rest {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        CharSet {
            ascii,
            ranges: merged.into_boxed_slice(),
        }
    }

    pub(crate) fn union(&self, other: &CharSet) -> CharSet {
        if other.ranges.is_empty() || self == other {
            let mut out = self.clone();
            out.ascii |= other.ascii;
            return out;
        }
        if self.ranges.is_empty() {
            let mut out = other.clone();
            out.ascii |= self.ascii;
            return out;
        }
        // Merge the two sorted range lists.
        let (a, b) = (&self.ranges, &other.ranges);
        let (mut i, mut j) = (0, 0);
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(a.len() + b.len());
        while i < a.len() || j < b.len() {
            let next = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
                i += 1;
                a[i - 1]
            } else {
                j += 1;
                b[j - 1]
            };
            match merged.last_mut() {
                Some(last) if next.0 <= last.1.saturating_add(1) => last.1 = last.1.max(next.1),
                _ => merged.push(next),
            }
        }
        CharSet {
            ascii: self.ascii | other.ascii,
            ranges: merged.into_boxed_slice(),
        }
    }

    #[inline]
    pub(crate) fn contains(&self, c: char) -> bool {
        let c = c as u32;
        if c < 128 {
            self.ascii >> c & 1 == 1
        } else {
            self.contains_non_ascii(c)
        }
    }

    #[inline]
    pub(crate) fn contains_ascii(&self, b: u8) -> bool {
        b < 128 && self.ascii >> b & 1 == 1
    }

    fn contains_non_ascii(&self, c: u32) -> bool {
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// The non-ASCII characters of the set, if there are at most `limit`.
    pub(crate) fn non_ascii_chars(&self, limit: u64) -> Option<Vec<u32>> {
        let n: u64 = self
            .ranges
            .iter()
            .map(|&(lo, hi)| u64::from(hi - lo) + 1)
            .sum();
        (n <= limit).then(|| self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi).collect())
    }

    pub(crate) fn has_non_ascii(&self) -> bool {
        !self.ranges.is_empty()
    }

    /// Number of code points, for choosing the most selective of several sets.
    fn size(&self) -> u64 {
        u64::from(self.ascii.count_ones())
            + self
                .ranges
                .iter()
                .map(|&(lo, hi)| u64::from(hi - lo) + 1)
                .sum::<u64>()
    }

    /// How useful the set is as a "must contain one of" filter on words: sets with ASCII
    /// letters or digits are nearly useless (most words have them).
    fn filter_cost(&self) -> u64 {
        const ALNUM: u128 =
            (((1u128 << 10) - 1) << 48) | (((1u128 << 26) - 1) << 65) | (((1u128 << 26) - 1) << 97);
        if self.ascii & ALNUM != 0 {
            1 << 40
        } else {
            self.size()
        }
    }
}

/// A zero-width assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// `^` without MULTILINE, `\A`.
    Bos,
    /// `^` with MULTILINE.
    Bol,
    /// `$` without MULTILINE: end, or before a final `\n`.
    EosNl,
    /// `$` with MULTILINE.
    Eol,
    /// `\Z`.
    Eos,
    /// `\b`, with the index of the word-character set.
    WordBoundary(u32),
    /// `\B`, with the index of the word-character set.
    NotWordBoundary(u32),
}

/// The lowered syntax tree the export script writes.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Set(u32),
    Seq(Vec<Node>),
    Branch(Vec<Vec<Node>>),
    Repeat {
        min: u32,
        max: Option<u32>,
        greedy: bool,
        body: Vec<Node>,
    },
    Look {
        behind: bool,
        negate: bool,
        width: u32,
        body: Vec<Node>,
    },
    At(Anchor),
}

fn bad(msg: impl Into<String>) -> TokenizeError {
    TokenizeError::Data(msg.into())
}

fn as_u32(v: &Value) -> Result<u32, TokenizeError> {
    v.as_u64()
        .and_then(|x| u32::try_from(x).ok())
        .ok_or_else(|| bad(format!("expected a small integer, got {v}")))
}

pub(crate) fn parse_seq(v: &Value, n_sets: usize) -> Result<Vec<Node>, TokenizeError> {
    v.as_array()
        .ok_or_else(|| bad("expected a sequence"))?
        .iter()
        .map(|n| parse_node(n, n_sets))
        .collect()
}

fn parse_node(v: &Value, n_sets: usize) -> Result<Node, TokenizeError> {
    let a = v.as_array().ok_or_else(|| bad("expected a node"))?;
    let tag = a
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| bad("node without tag"))?;
    let arg = |i: usize| {
        a.get(i)
            .ok_or_else(|| bad(format!("node {tag} lacks field {i}")))
    };
    let set_id = |v: &Value| -> Result<u32, TokenizeError> {
        let id = as_u32(v)?;
        if (id as usize) < n_sets {
            Ok(id)
        } else {
            Err(bad(format!("set index {id} out of range")))
        }
    };
    Ok(match tag {
        "s" => Node::Set(set_id(arg(1)?)?),
        "c" => Node::Seq(parse_seq(arg(1)?, n_sets)?),
        "b" => Node::Branch(
            arg(1)?
                .as_array()
                .ok_or_else(|| bad("branch without alternatives"))?
                .iter()
                .map(|alt| parse_seq(alt, n_sets))
                .collect::<Result<_, _>>()?,
        ),
        "r" => {
            let max = arg(2)?.as_i64().ok_or_else(|| bad("bad repeat max"))?;
            Node::Repeat {
                min: as_u32(arg(1)?)?,
                max: if max < 0 {
                    None
                } else {
                    Some(u32::try_from(max).map_err(|_| bad("repeat max"))?)
                },
                greedy: as_u32(arg(3)?)? == 1,
                body: parse_seq(arg(4)?, n_sets)?,
            }
        }
        "l" => Node::Look {
            behind: arg(1)?.as_i64() == Some(-1),
            negate: as_u32(arg(2)?)? == 1,
            width: as_u32(arg(3)?)?,
            body: parse_seq(arg(4)?, n_sets)?,
        },
        "a" => {
            let s = arg(1)?.as_str().ok_or_else(|| bad("bad anchor"))?;
            Node::At(match s {
                "bos" => Anchor::Bos,
                "bol" => Anchor::Bol,
                "eos_nl" => Anchor::EosNl,
                "eol" => Anchor::Eol,
                "eos" => Anchor::Eos,
                _ => {
                    let (kind, id) = s
                        .split_once(':')
                        .ok_or_else(|| bad(format!("anchor {s}")))?;
                    let id = id.parse::<u32>().map_err(|_| bad(format!("anchor {s}")))?;
                    if id as usize >= n_sets {
                        return Err(bad(format!("anchor {s}: set out of range")));
                    }
                    match kind {
                        "wb" | "wba" => Anchor::WordBoundary(id),
                        "nwb" | "nwba" => Anchor::NotWordBoundary(id),
                        _ => return Err(bad(format!("anchor {s}"))),
                    }
                }
            })
        }
        _ => return Err(bad(format!("unknown node tag {tag}"))),
    })
}

// ---------------------------------------------------------------------------------------
// Static analysis: what a match can start or end with, how long it can be, and which
// characters every match must contain. The tokenizer uses these to skip regex runs.

fn nullable(seq: &[Node]) -> bool {
    seq.iter().all(nullable_node)
}

fn nullable_node(n: &Node) -> bool {
    match n {
        Node::Set(_) => false,
        Node::Seq(s) => nullable(s),
        Node::Branch(alts) => alts.iter().any(|a| nullable(a)),
        Node::Repeat { min, body, .. } => *min == 0 || nullable(body),
        Node::Look { .. } | Node::At(_) => true,
    }
}

/// Characters a non-empty match of `seq` can consume first.
fn first(seq: &[Node], sets: &[CharSet]) -> CharSet {
    let mut acc = CharSet::default();
    for n in seq {
        acc = acc.union(&first_node(n, sets));
        if !nullable_node(n) {
            break;
        }
    }
    acc
}

fn first_node(n: &Node, sets: &[CharSet]) -> CharSet {
    match n {
        Node::Set(s) => sets[*s as usize].clone(),
        Node::Seq(s) => first(s, sets),
        Node::Branch(alts) => alts
            .iter()
            .fold(CharSet::default(), |acc, a| acc.union(&first(a, sets))),
        Node::Repeat { body, max, .. } => {
            if *max == Some(0) {
                CharSet::default()
            } else {
                first(body, sets)
            }
        }
        Node::Look { .. } | Node::At(_) => CharSet::default(),
    }
}

/// Characters a non-empty match of `seq` can consume last.
fn last(seq: &[Node], sets: &[CharSet]) -> CharSet {
    let mut acc = CharSet::default();
    for n in seq.iter().rev() {
        acc = acc.union(&last_node(n, sets));
        if !nullable_node(n) {
            break;
        }
    }
    acc
}

fn last_node(n: &Node, sets: &[CharSet]) -> CharSet {
    match n {
        Node::Set(s) => sets[*s as usize].clone(),
        Node::Seq(s) => last(s, sets),
        Node::Branch(alts) => alts
            .iter()
            .fold(CharSet::default(), |acc, a| acc.union(&last(a, sets))),
        Node::Repeat { body, max, .. } => {
            if *max == Some(0) {
                CharSet::default()
            } else {
                last(body, sets)
            }
        }
        Node::Look { .. } | Node::At(_) => CharSet::default(),
    }
}

/// Every character a match of `seq` can consume (not those lookarounds only look at).
fn consumed(seq: &[Node], sets: &[CharSet]) -> CharSet {
    seq.iter().fold(CharSet::default(), |acc, n| {
        let more = match n {
            Node::Set(s) => sets[*s as usize].clone(),
            Node::Seq(s) => consumed(s, sets),
            Node::Branch(alts) => alts
                .iter()
                .fold(CharSet::default(), |a, alt| a.union(&consumed(alt, sets))),
            Node::Repeat { body, .. } => consumed(body, sets),
            Node::Look { .. } | Node::At(_) => CharSet::default(),
        };
        acc.union(&more)
    })
}

/// (min, max) characters consumed; max `None` = unbounded.
fn width(seq: &[Node]) -> (u64, Option<u64>) {
    let mut lo = 0u64;
    let mut hi = Some(0u64);
    for n in seq {
        let (a, b) = width_node(n);
        lo = lo.saturating_add(a);
        hi = match (hi, b) {
            (Some(x), Some(y)) => Some(x.saturating_add(y)),
            _ => None,
        };
    }
    (lo, hi)
}

fn width_node(n: &Node) -> (u64, Option<u64>) {
    match n {
        Node::Set(_) => (1, Some(1)),
        Node::Seq(s) => width(s),
        Node::Branch(alts) => {
            let mut lo = u64::MAX;
            let mut hi = Some(0u64);
            for a in alts {
                let (x, y) = width(a);
                lo = lo.min(x);
                hi = match (hi, y) {
                    (Some(p), Some(q)) => Some(p.max(q)),
                    _ => None,
                };
            }
            if alts.is_empty() {
                (0, Some(0))
            } else {
                (lo, hi)
            }
        }
        Node::Repeat { min, max, body, .. } => {
            let (x, y) = width(body);
            let lo = x.saturating_mul(u64::from(*min));
            let hi = match (max, y) {
                (Some(m), Some(y)) => Some(y.saturating_mul(u64::from(*m))),
                (_, Some(0)) => Some(0),
                _ => None,
            };
            (lo, hi)
        }
        Node::Look { .. } | Node::At(_) => (0, Some(0)),
    }
}

/// A set such that every match of `seq` consumes at least one of its characters.
fn required(seq: &[Node], sets: &[CharSet]) -> Option<CharSet> {
    seq.iter()
        .filter_map(|n| required_node(n, sets))
        .min_by_key(CharSet::filter_cost)
}

fn required_node(n: &Node, sets: &[CharSet]) -> Option<CharSet> {
    match n {
        Node::Set(s) => Some(sets[*s as usize].clone()),
        Node::Seq(s) => required(s, sets),
        Node::Branch(alts) => {
            let mut acc = CharSet::default();
            for a in alts {
                acc = acc.union(&required(a, sets)?);
            }
            if alts.is_empty() {
                None
            } else {
                Some(acc)
            }
        }
        Node::Repeat { min, body, .. } if *min >= 1 => required(body, sets),
        _ => None,
    }
}

/// Possible first (or, from the end, last) up to `k` characters of a match, as tuples of
/// sets; a tuple shorter than `k` means the match can end there.
pub(crate) type Tuples = Vec<Vec<CharSet>>;

/// [`Tuples`] as set indices, while they are computed. `None`: too many to list.
type IdTuples = Vec<Vec<u32>>;
type TupleSet =
    std::collections::HashSet<Vec<u32>, std::hash::BuildHasherDefault<crate::hash::WordHasher>>;

/// Past this many tuples the analysis gives up (the caller falls back to single sets).
const TUPLE_CAP: usize = 4096;

fn concat_tuples(a: IdTuples, b: &IdTuples, k: usize) -> Option<IdTuples> {
    let mut out = TupleSet::default();
    for x in a {
        if x.len() >= k {
            out.insert(x);
            continue;
        }
        for y in b {
            let mut z = x.clone();
            z.extend(y.iter().take(k - x.len()).copied());
            out.insert(z);
            if out.len() > TUPLE_CAP {
                return None;
            }
        }
    }
    Some(out.into_iter().collect())
}

fn edge_seq(seq: &[Node], k: usize, rev: bool) -> Option<IdTuples> {
    let mut acc: IdTuples = vec![Vec::new()];
    let mut visit = |n: &Node| -> Option<bool> {
        let t = edge_node(n, k, rev)?;
        acc = concat_tuples(std::mem::take(&mut acc), &t, k)?;
        Some(acc.iter().all(|x| x.len() >= k))
    };
    if rev {
        for n in seq.iter().rev() {
            if visit(n)? {
                break;
            }
        }
    } else {
        for n in seq {
            if visit(n)? {
                break;
            }
        }
    }
    Some(acc)
}

fn edge_node(n: &Node, k: usize, rev: bool) -> Option<IdTuples> {
    match n {
        Node::Set(s) => Some(vec![vec![*s]]),
        Node::Seq(s) => edge_seq(s, k, rev),
        Node::Branch(alts) => {
            let mut out = TupleSet::default();
            for a in alts {
                out.extend(edge_seq(a, k, rev)?);
                if out.len() > TUPLE_CAP {
                    return None;
                }
            }
            Some(out.into_iter().collect())
        }
        Node::Repeat { min, max, body, .. } => {
            let b = edge_seq(body, k, rev)?;
            // Beyond k iterations the first k characters are already decided.
            let lo = (*min as usize).min(k);
            let hi = max.map_or(k, |m| (m as usize).min(k));
            let mut out = TupleSet::default();
            let mut power: IdTuples = vec![Vec::new()];
            for i in 0..=hi {
                if i >= lo {
                    out.extend(power.iter().cloned());
                }
                if i < hi {
                    power = concat_tuples(power, &b, k)?;
                }
                if out.len() > TUPLE_CAP {
                    return None;
                }
            }
            Some(out.into_iter().collect())
        }
        Node::Look { .. } | Node::At(_) => Some(vec![Vec::new()]),
    }
}

/// Edge tuples of one top-level alternative. From the end, a leading positive lookbehind
/// counts as characters the text must have before the match.
fn alt_edge(alt: &[Node], k: usize, from_end: bool) -> Option<IdTuples> {
    if from_end {
        let mut seq: Vec<Node> = Vec::new();
        let mut rest = alt;
        while let [Node::At(_), tail @ ..] = rest {
            rest = tail;
        }
        if let [Node::Look {
            behind: true,
            negate: false,
            body,
            ..
        }, tail @ ..] = rest
        {
            seq.extend(body.iter().cloned());
            seq.extend(tail.iter().cloned());
        } else {
            seq.extend(alt.iter().cloned());
        }
        edge_seq(&seq, k, true)
    } else {
        edge_seq(alt, k, false)
    }
}

// ---------------------------------------------------------------------------------------
// Compilation to a flat program.

#[derive(Clone, Copy, Debug)]
enum Inst {
    Set(u32),
    /// A repeat of one set; `follow`: see [`Compiler::seq`].
    RepSet {
        set: u32,
        min: u32,
        max: u32,
        greedy: bool,
        follow: u32,
    },
    Branch(u32),
    Jmp(u32),
    /// Try `first`, then `second`; `first` is only worth trying where the character is
    /// in filter `guard` and some character from here on is in filter `need`.
    Split {
        first: u32,
        second: u32,
        guard: u32,
        need: u32,
    },
    Assert(Anchor),
    Look {
        behind: bool,
        negate: bool,
        width: u32,
        start: u32,
    },
    Mark(u32),
    Progress {
        reg: u32,
        exit: u32,
    },
    Match,
}

#[derive(Debug)]
struct BranchAlt {
    pc: u32,
    nullable: bool,
    first: CharSet,
}

/// For each ASCII character, the alternatives that can start with it; for other
/// characters (and the end of input) the alternatives that need a closer look.
#[derive(Debug)]
struct CharIndex {
    ascii: Box<[Box<[u32]>]>,
    other: Box<[u32]>,
}

impl CharIndex {
    fn build(
        n: usize,
        any: impl Fn(usize) -> bool,
        set: impl Fn(usize) -> Option<CharSet>,
    ) -> CharIndex {
        let mut ascii: Vec<Vec<u32>> = vec![Vec::new(); 128];
        let mut other = Vec::new();
        for i in 0..n {
            let s = if any(i) { None } else { set(i) };
            match s {
                None => {
                    for v in &mut ascii {
                        v.push(i as u32);
                    }
                    other.push(i as u32);
                }
                Some(s) => {
                    for (b, v) in ascii.iter_mut().enumerate() {
                        if s.contains_ascii(b as u8) {
                            v.push(i as u32);
                        }
                    }
                    if s.has_non_ascii() {
                        other.push(i as u32);
                    }
                }
            }
        }
        CharIndex {
            ascii: ascii.into_iter().map(Vec::into_boxed_slice).collect(),
            other: other.into_boxed_slice(),
        }
    }

    /// Candidates for character `c` (`None` = end of input); entries of `other` must still
    /// be checked by the caller.
    #[inline]
    fn get(&self, c: Option<char>) -> (&[u32], bool) {
        match c {
            Some(c) if (c as u32) < 128 => (&self.ascii[c as usize], false),
            _ => (&self.other, true),
        }
    }
}

#[derive(Debug)]
struct BranchTable {
    alts: Vec<BranchAlt>,
    index: CharIndex,
}

impl BranchTable {
    fn viable(&self, alt: u32, c: Option<char>) -> bool {
        let a = &self.alts[alt as usize];
        a.nullable || c.is_some_and(|c| a.first.contains(c))
    }
}

#[derive(Default)]
struct Compiler {
    prog: Vec<Inst>,
    branches: Vec<BranchTable>,
    regs: u32,
    /// Sets that prune backtracking (`Inst::RepSet::follow`, `Inst::Split::guard`).
    filters: Vec<CharSet>,
    filter_ids: crate::hash::FastMap<CharSet, u32>,
}

/// "No filter" in `Inst::RepSet::follow` and `Inst::Split::guard`.
const NO_FILTER: u32 = u32::MAX;

/// How many edge characters the fast-path tuples look at.
pub(crate) const EDGE_K: usize = 3;

/// Bounded repeats of a complex body are unrolled; refuse absurd unrolls.
const MAX_UNROLL: u32 = 1000;

impl Compiler {
    fn pc(&self) -> u32 {
        self.prog.len() as u32
    }

    fn emit(&mut self, i: Inst) -> u32 {
        self.prog.push(i);
        self.pc() - 1
    }

    fn filter(&mut self, set: Option<CharSet>) -> u32 {
        let Some(set) = set else { return NO_FILTER };
        if let Some(&id) = self.filter_ids.get(&set) {
            return id;
        }
        let id = self.filters.len() as u32;
        self.filters.push(set.clone());
        self.filter_ids.insert(set, id);
        id
    }

    /// Compiles `seq`. `follow`, when known, holds every character that what comes after
    /// `seq` can start with; the continuation then consumes one of them, so backtracking
    /// to a position whose character is not among them is pointless.
    fn seq(
        &mut self,
        seq: &[Node],
        sets: &[CharSet],
        follow: Option<&CharSet>,
    ) -> Result<(), TokenizeError> {
        // What can follow each element: built from the end, one element at a time.
        let mut follows: Vec<Option<CharSet>> = vec![None; seq.len()];
        let mut acc: Option<CharSet> = follow.cloned();
        for (i, n) in seq.iter().enumerate().rev() {
            follows[i] = acc.clone();
            let f = first_node(n, sets);
            acc = if nullable_node(n) {
                acc.map(|a| f.union(&a))
            } else {
                Some(f)
            };
        }
        for (n, f) in seq.iter().zip(&follows) {
            self.node(n, sets, f.as_ref())?;
        }
        Ok(())
    }

    fn node(
        &mut self,
        n: &Node,
        sets: &[CharSet],
        follow: Option<&CharSet>,
    ) -> Result<(), TokenizeError> {
        match n {
            Node::Set(s) => {
                self.emit(Inst::Set(*s));
            }
            Node::Seq(s) => self.seq(s, sets, follow)?,
            Node::At(a) => {
                self.emit(Inst::Assert(*a));
            }
            Node::Look {
                behind,
                negate,
                width,
                body,
            } => {
                // The sub-program lives out of line: jump over it.
                let jmp = self.emit(Inst::Jmp(0));
                let start = self.pc();
                self.seq(body, sets, None)?;
                self.emit(Inst::Match);
                let after = self.pc();
                self.prog[jmp as usize] = Inst::Jmp(after);
                self.emit(Inst::Look {
                    behind: *behind,
                    negate: *negate,
                    width: *width,
                    start,
                });
            }
            Node::Branch(alts) => {
                let id = self.branches.len() as u32;
                self.branches.push(BranchTable {
                    alts: Vec::new(),
                    index: CharIndex {
                        ascii: Box::new([]),
                        other: Box::new([]),
                    },
                });
                self.emit(Inst::Branch(id));
                let mut jumps = Vec::new();
                let mut table = Vec::new();
                for alt in alts {
                    table.push(BranchAlt {
                        pc: self.pc(),
                        nullable: nullable(alt),
                        first: first(alt, sets),
                    });
                    self.seq(alt, sets, follow)?;
                    jumps.push(self.emit(Inst::Jmp(0)));
                }
                let end = self.pc();
                for j in jumps {
                    self.prog[j as usize] = Inst::Jmp(end);
                }
                let index = CharIndex::build(
                    table.len(),
                    |i| table[i].nullable,
                    |i| Some(table[i].first.clone()),
                );
                self.branches[id as usize] = BranchTable { alts: table, index };
            }
            Node::Repeat {
                min,
                max,
                greedy,
                body,
            } => {
                if let [Node::Set(s)] = body.as_slice() {
                    let follow = self.filter(follow.cloned());
                    self.emit(Inst::RepSet {
                        set: *s,
                        min: *min,
                        max: max.unwrap_or(u32::MAX),
                        greedy: *greedy,
                        follow,
                    });
                    return Ok(());
                }
                if *min > MAX_UNROLL || max.is_some_and(|m| m > MAX_UNROLL) {
                    return Err(bad("repeat count too large to unroll"));
                }
                let body_first = first(body, sets);
                // After one copy of the body comes another copy or what follows the repeat.
                let body_follow = follow.map(|o| body_first.union(o));
                // Entering the body only makes sense at one of its first characters.
                let guard = if nullable(body) {
                    NO_FILTER
                } else {
                    self.filter(Some(body_first))
                };
                // The body consumes one of these somewhere ahead.
                let need = self.filter(required(body, sets));
                let exit_guard = self.filter(follow.cloned());
                for _ in 0..*min {
                    self.seq(body, sets, body_follow.as_ref())?;
                }
                let split = |greedy: bool, body_pc: u32, end: u32| {
                    if greedy {
                        Inst::Split {
                            first: body_pc,
                            second: end,
                            guard,
                            need,
                        }
                    } else {
                        Inst::Split {
                            first: end,
                            second: body_pc,
                            guard: exit_guard,
                            need: NO_FILTER,
                        }
                    }
                };
                match max {
                    Some(m) => {
                        // x{min,max}: each optional copy is a choice between one more body
                        // and leaving the loop, preferred one way or the other.
                        let mut exits = Vec::new();
                        for _ in *min..*m {
                            exits.push(self.emit(Inst::Jmp(0)));
                            self.seq(body, sets, body_follow.as_ref())?;
                        }
                        let end = self.pc();
                        for s in exits {
                            self.prog[s as usize] = split(*greedy, s + 1, end);
                        }
                    }
                    None => {
                        let progress_guard = nullable(body);
                        let reg = self.regs;
                        if progress_guard {
                            self.regs += 1;
                        }
                        let split_pc = self.emit(Inst::Jmp(0));
                        let body_pc = self.pc();
                        if progress_guard {
                            self.emit(Inst::Mark(reg));
                        }
                        self.seq(body, sets, body_follow.as_ref())?;
                        let progress = if progress_guard {
                            Some(self.emit(Inst::Progress { reg, exit: 0 }))
                        } else {
                            None
                        };
                        self.emit(Inst::Jmp(split_pc));
                        let end = self.pc();
                        self.prog[split_pc as usize] = split(*greedy, body_pc, end);
                        if let Some(p) = progress {
                            self.prog[p as usize] = Inst::Progress { reg, exit: end };
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// What is known about one top-level alternative.
#[derive(Debug)]
struct AltInfo {
    pc: u32,
    nullable: bool,
    first: CharSet,
    last: CharSet,
    /// The character before the match must be in this set (a leading lookbehind).
    pre: Option<CharSet>,
    anchored_start: bool,
    anchored_end: bool,
    min_chars: u64,
    max_chars: Option<u64>,
    /// Every character the alternative can consume (lookarounds aside).
    body: CharSet,
    /// The alternative as a plain sequence of sets, when it is one: matched directly.
    simple: Option<SimpleAlt>,
}

/// An alternative made of single characters only: `^`? lookbehinds, sets, lookaheads, `$`?
/// (most of spaCy's affix rules), matched without the backtracking machine.
#[derive(Debug)]
struct SimpleAlt {
    bos: bool,
    behind: Vec<(bool, Vec<u32>)>,
    body: Vec<u32>,
    ahead: Vec<(bool, Vec<u32>)>,
    end: Option<Anchor>,
}

fn set_only(seq: &[Node]) -> Option<Vec<u32>> {
    seq.iter()
        .map(|n| match n {
            Node::Set(s) => Some(*s),
            _ => None,
        })
        .collect()
}

impl SimpleAlt {
    fn from_alt(alt: &[Node]) -> Option<SimpleAlt> {
        let mut out = SimpleAlt {
            bos: false,
            behind: Vec::new(),
            body: Vec::new(),
            ahead: Vec::new(),
            end: None,
        };
        // 0: before the body, 1: in the body, 2: after it.
        let mut stage = 0;
        for n in alt {
            match n {
                Node::At(Anchor::Bos) if stage == 0 => out.bos = true,
                Node::Look {
                    behind: true,
                    negate,
                    body,
                    ..
                } if stage == 0 => out.behind.push((*negate, set_only(body)?)),
                Node::Set(s) if stage <= 1 => {
                    stage = 1;
                    out.body.push(*s);
                }
                Node::Look {
                    behind: false,
                    negate,
                    body,
                    ..
                } if stage >= 1 && out.end.is_none() => {
                    stage = 2;
                    out.ahead.push((*negate, set_only(body)?));
                }
                Node::At(a @ (Anchor::EosNl | Anchor::Eos)) if stage >= 1 && out.end.is_none() => {
                    stage = 2;
                    out.end = Some(*a);
                }
                _ => return None,
            }
        }
        (stage >= 1).then_some(out)
    }

    /// Do `sets` match the characters of `hay` from `pos` on?
    #[inline]
    fn run_at(hay: &str, pos: usize, sets: &[u32], table: &[CharSet]) -> Option<usize> {
        let mut p = pos;
        for &s in sets {
            let c = char_at(hay, p)?;
            if !table[s as usize].contains(c) {
                return None;
            }
            p += c.len_utf8();
        }
        Some(p)
    }

    fn matches(&self, hay: &str, pos: usize, table: &[CharSet]) -> Option<usize> {
        if self.bos && pos != 0 {
            return None;
        }
        for (negate, sets) in &self.behind {
            let found = match back_chars(hay, pos, sets.len() as u32) {
                Some(p0) => Self::run_at(hay, p0, sets, table).is_some(),
                None => false,
            };
            if found == *negate {
                return None;
            }
        }
        let end = Self::run_at(hay, pos, &self.body, table)?;
        for (negate, sets) in &self.ahead {
            if Self::run_at(hay, end, sets, table).is_some() == *negate {
                return None;
            }
        }
        match self.end {
            Some(Anchor::Eos) if end != hay.len() => None,
            Some(Anchor::EosNl)
                if !(end == hay.len()
                    || (end + 1 == hay.len() && hay.as_bytes()[end] == b'\n')) =>
            {
                None
            }
            _ => Some(end),
        }
    }
}

/// One compiled spaCy regex (prefix, suffix, infix, token_match or url_match).
#[derive(Debug)]
pub(crate) struct Regex {
    prog: Box<[Inst]>,
    branches: Box<[BranchTable]>,
    filters: Box<[CharSet]>,
    sets: std::sync::Arc<[CharSet]>,
    regs: usize,
    alts: Box<[AltInfo]>,
    by_first: CharIndex,
    by_last: CharIndex,
    all_anchored_start: bool,
    all_anchored_end: bool,
    /// Every match contains one of these characters (`None`: no such guarantee).
    required: Option<CharSet>,
    /// Characters a non-empty match can start with (union over alternatives).
    first_union: CharSet,
    /// Characters a non-empty match can end with (union over alternatives).
    last_union: CharSet,
    any_nullable: bool,
    /// First up to 3 characters of non-empty matches, if all alternatives are anchored at
    /// the start and the list is small.
    heads: Option<Tuples>,
    /// Last up to 3 characters (lookbehind context included), if all alternatives are
    /// anchored at the end and the list is small.
    tails: Option<Tuples>,
}

/// Candidate alternatives for the last character (all anchored at the end), whether they
/// still need checking against it, and that character.
type EndCands<'a> = Option<(&'a [u32], bool, Option<char>)>;

/// Reusable matcher memory, so that matching does not allocate per call, and the step
/// budget of the text being worked on.
pub(crate) struct Scratch {
    stack: Vec<Frame>,
    regs: Vec<usize>,
    /// Per filter: (generation, last position of one of its characters in the text).
    last_occ: Vec<(u64, Option<usize>)>,
    generation: u64,
    /// Steps left (see [`STEP_BUDGET`]).
    budget: u64,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            stack: Vec::new(),
            regs: Vec::new(),
            last_occ: Vec::new(),
            generation: 0,
            budget: STEP_BUDGET,
        }
    }
}

impl Scratch {
    /// Starts the budget for a text of `bytes` bytes: every search on it draws from it.
    pub(crate) fn reset_budget(&mut self, bytes: usize) {
        self.budget = STEP_BUDGET.saturating_add(STEP_BUDGET_PER_BYTE.saturating_mul(bytes as u64));
    }

    /// Takes `n` steps; false (and nothing left) when there are not that many.
    #[inline]
    pub(crate) fn spend(&mut self, n: u64) -> bool {
        match self.budget.checked_sub(n) {
            Some(b) => {
                self.budget = b;
                true
            }
            None => {
                self.budget = 0;
                false
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Frame {
    Goto {
        pc: u32,
        pos: usize,
    },
    Branch {
        br: u32,
        idx: u32,
        pos: usize,
    },
    RepGreedy {
        pc: u32,
        follow: u32,
        min_pos: usize,
        pos: usize,
    },
    RepLazy {
        pc: u32,
        set: u32,
        remaining: u32,
        pos: usize,
    },
    Restore {
        reg: u32,
        val: usize,
    },
}

#[inline]
fn char_at(hay: &str, pos: usize) -> Option<char> {
    let b = *hay.as_bytes().get(pos)?;
    if b < 128 {
        return Some(char::from(b));
    }
    hay.get(pos..).and_then(|s| s.chars().next())
}

#[inline]
fn char_before(hay: &str, pos: usize) -> Option<char> {
    hay.get(..pos).and_then(|s| s.chars().next_back())
}

/// Byte offset `n` characters before `pos`, if there are that many.
fn back_chars(hay: &str, pos: usize, n: u32) -> Option<usize> {
    let mut p = pos;
    let bytes = hay.as_bytes();
    for _ in 0..n {
        if p == 0 {
            return None;
        }
        p -= 1;
        while p > 0 && (bytes[p] & 0xC0) == 0x80 {
            p -= 1;
        }
    }
    Some(p)
}

impl Regex {
    /// Compiles the top-level alternatives of one exported regex.
    pub(crate) fn new(
        alts: &[Vec<Node>],
        sets: std::sync::Arc<[CharSet]>,
    ) -> Result<Regex, TokenizeError> {
        let mut c = Compiler::default();
        let mut info = Vec::with_capacity(alts.len());
        for alt in alts {
            let pc = c.pc();
            c.seq(alt, &sets, None)?;
            c.emit(Inst::Match);
            let (min_chars, max_chars) = width(alt);
            let anchored_start = matches!(alt.first(), Some(Node::At(Anchor::Bos)));
            let anchored_end = matches!(alt.last(), Some(Node::At(Anchor::EosNl | Anchor::Eos)));
            let pre = alt.iter().find_map(|n| match n {
                Node::At(_) => None,
                Node::Look {
                    behind: true,
                    negate: false,
                    width,
                    body,
                } if *width >= 1 => Some(Some(last(body, &sets))),
                _ => Some(None),
            });
            info.push(AltInfo {
                pc,
                nullable: nullable(alt),
                first: first(alt, &sets),
                last: last(alt, &sets),
                pre: pre.flatten(),
                anchored_start,
                anchored_end,
                min_chars,
                max_chars,
                body: consumed(alt, &sets),
                simple: SimpleAlt::from_alt(alt),
            });
        }
        let by_first = CharIndex::build(
            info.len(),
            |i| info[i].nullable,
            |i| Some(info[i].first.clone()),
        );
        let by_last = CharIndex::build(
            info.len(),
            |i| info[i].nullable || !info[i].anchored_end,
            |i| Some(info[i].last.clone()),
        );
        let mut required_acc = Some(CharSet::default());
        for alt in alts {
            required_acc = match (required_acc, required(alt, &sets)) {
                (Some(a), Some(b)) => Some(a.union(&b)),
                _ => None,
            };
        }
        let all_anchored_start = !info.is_empty() && info.iter().all(|i| i.anchored_start);
        let all_anchored_end = !info.is_empty() && info.iter().all(|i| i.anchored_end);
        let collect = |from_end: bool| -> Option<Tuples> {
            let mut ids = TupleSet::default();
            for alt in alts {
                ids.extend(
                    alt_edge(alt, EDGE_K, from_end)?
                        .into_iter()
                        .filter(|t| !t.is_empty()),
                );
            }
            let mut ids: IdTuples = ids.into_iter().collect();
            // Deterministic order (the check only asks whether any tuple fits).
            ids.sort_unstable();
            Some(
                ids.into_iter()
                    .map(|t| t.into_iter().map(|i| sets[i as usize].clone()).collect())
                    .collect(),
            )
        };
        let heads = if all_anchored_start {
            collect(false)
        } else {
            None
        };
        let tails = if all_anchored_end {
            collect(true)
        } else {
            None
        };
        let first_union = info
            .iter()
            .fold(CharSet::default(), |a, i| a.union(&i.first));
        let last_union = info
            .iter()
            .fold(CharSet::default(), |a, i| a.union(&i.last));
        Ok(Regex {
            prog: c.prog.into_boxed_slice(),
            branches: c.branches.into_boxed_slice(),
            filters: c.filters.into_boxed_slice(),
            regs: c.regs as usize,
            all_anchored_start,
            all_anchored_end,
            heads,
            tails,
            any_nullable: info.iter().any(|i| i.nullable),
            alts: info.into_boxed_slice(),
            by_first,
            by_last,
            required: required_acc,
            first_union,
            last_union,
            sets,
        })
    }

    /// Every match starts at position 0 (all alternatives begin with `^`).
    pub(crate) fn anchored_start(&self) -> bool {
        self.all_anchored_start
    }

    /// Every match ends at the end (all alternatives end with `$`).
    pub(crate) fn anchored_end(&self) -> bool {
        self.all_anchored_end
    }

    /// Some alternative can match the empty string.
    pub(crate) fn can_match_empty(&self) -> bool {
        self.any_nullable
    }

    /// See [`Regex::heads`] field docs: first characters of matches, as set tuples.
    pub(crate) fn heads(&self) -> Option<&Tuples> {
        self.heads.as_ref()
    }

    /// Last characters of matches (with lookbehind context), as set tuples.
    pub(crate) fn tails(&self) -> Option<&Tuples> {
        self.tails.as_ref()
    }

    pub(crate) fn required(&self) -> Option<&CharSet> {
        self.required.as_ref()
    }

    pub(crate) fn first_union(&self) -> &CharSet {
        &self.first_union
    }

    pub(crate) fn last_union(&self) -> &CharSet {
        &self.last_union
    }

    /// Python `pattern.match(hay)`: is there a match starting at 0? (Callers check
    /// [`Regex::required`] first where that saves work.)
    pub(crate) fn is_match_at_start(&self, hay: &str, scratch: &mut Scratch) -> bool {
        self.try_at(hay, 0, false, None, scratch).is_some()
    }

    /// Python `pattern.search(hay)`: the leftmost match as byte offsets.
    pub(crate) fn search(&self, hay: &str, scratch: &mut Scratch) -> Option<(usize, usize)> {
        self.search_from(hay, 0, false, scratch)
    }

    /// Python `pattern.finditer(hay)`, as byte offsets.
    pub(crate) fn find_iter(
        &self,
        hay: &str,
        scratch: &mut Scratch,
        out: &mut Vec<(usize, usize)>,
    ) {
        out.clear();
        let mut pos = 0;
        let mut must_advance = false;
        while pos <= hay.len() {
            match self.search_from(hay, pos, must_advance, scratch) {
                Some((s, e)) => {
                    out.push((s, e));
                    must_advance = s == e;
                    pos = e;
                }
                None => break,
            }
        }
    }

    fn search_from(
        &self,
        hay: &str,
        from: usize,
        must_advance: bool,
        scratch: &mut Scratch,
    ) -> Option<(usize, usize)> {
        if self.alts.is_empty() {
            return None;
        }
        // With every alternative anchored at the end, only those able to end with the last
        // character can match at all. (`$` also matches before a final "\n": then skip this.)
        let last_char = hay.chars().next_back();
        let end_filter = self.all_anchored_end && !hay.ends_with('\n');
        if end_filter {
            let (cands, check) = self.by_last.get(last_char);
            if cands.is_empty() {
                return None;
            }
            let mut lowest = hay.len();
            let mut any = false;
            for &i in cands {
                let a = &self.alts[i as usize];
                if check && !(a.nullable || last_char.is_some_and(|c| a.last.contains(c))) {
                    continue;
                }
                any = true;
                let start = match a.max_chars {
                    _ if a.anchored_start => 0,
                    Some(m) => hay
                        .len()
                        .saturating_sub(usize::try_from(m.saturating_mul(4)).unwrap_or(usize::MAX)),
                    // Unbounded: the match can only cover the tail made of characters it
                    // can consume.
                    None => {
                        let mut p = hay.len();
                        for (i, c) in hay.char_indices().rev() {
                            if !a.body.contains(c) {
                                break;
                            }
                            if !scratch.spend(1) {
                                return None;
                            }
                            p = i;
                        }
                        p
                    }
                };
                lowest = lowest.min(start);
            }
            if !any {
                return None;
            }
            let mut p = lowest.max(from);
            while !hay.is_char_boundary(p) {
                p += 1;
            }
            return self.scan(
                hay,
                p,
                from,
                must_advance,
                Some((cands, check, last_char)),
                scratch,
            );
        }
        self.scan(hay, from, from, must_advance, None, scratch)
    }

    /// Tries positions from `p` on; a match must not be empty at `from` if `must_advance`.
    fn scan(
        &self,
        hay: &str,
        mut p: usize,
        from: usize,
        must_advance: bool,
        end_cands: EndCands<'_>,
        scratch: &mut Scratch,
    ) -> Option<(usize, usize)> {
        loop {
            if self.all_anchored_start && p > 0 {
                return None;
            }
            let reject_empty = must_advance && p == from;
            if let Some(e) = self.try_at(hay, p, reject_empty, end_cands, scratch) {
                return Some((p, e));
            }
            if p >= hay.len() || scratch.budget == 0 {
                return None;
            }
            scratch.budget -= 1;
            p += char_at(hay, p).map_or(1, char::len_utf8);
        }
    }

    fn try_at(
        &self,
        hay: &str,
        p: usize,
        reject_empty: bool,
        end_cands: EndCands<'_>,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        let c = char_at(hay, p);
        let rem = (hay.len() - p) as u64;
        let check_alt = |a: &AltInfo| -> bool {
            if a.anchored_start && p != 0 {
                return false;
            }
            if !a.nullable && !c.is_some_and(|c| a.first.contains(c)) {
                return false;
            }
            if let Some(pre) = &a.pre {
                if !char_before(hay, p).is_some_and(|b| pre.contains(b)) {
                    return false;
                }
            }
            if a.anchored_end && !hay.ends_with('\n') {
                // `rem` bytes hold between rem/4 and rem characters.
                if rem < a.min_chars {
                    return false;
                }
                if let Some(m) = a.max_chars {
                    if rem > m.saturating_mul(4) {
                        return false;
                    }
                }
            }
            true
        };
        match end_cands {
            Some((cands, check, last_char)) => {
                // Candidates are in alternative order, which is the order Python tries them.
                for &i in cands {
                    let a = &self.alts[i as usize];
                    if check && !(a.nullable || last_char.is_some_and(|lc| a.last.contains(lc))) {
                        continue;
                    }
                    if !check_alt(a) {
                        continue;
                    }
                    if let Some(e) = self.exec_alt(a, hay, p, reject_empty, scratch) {
                        return Some(e);
                    }
                }
                None
            }
            None => {
                let (cands, _) = self.by_first.get(c);
                for &i in cands {
                    let a = &self.alts[i as usize];
                    if !check_alt(a) {
                        continue;
                    }
                    if let Some(e) = self.exec_alt(a, hay, p, reject_empty, scratch) {
                        return Some(e);
                    }
                }
                None
            }
        }
    }

    #[inline]
    fn exec_alt(
        &self,
        a: &AltInfo,
        hay: &str,
        p: usize,
        reject_empty: bool,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        match &a.simple {
            // A simple alternative consumes at least one character: never empty.
            Some(simple) => simple.matches(hay, p, &self.sets),
            None => self.exec(hay, a.pc, p, reject_empty, scratch),
        }
    }

    fn check_anchor(&self, a: Anchor, hay: &str, pos: usize) -> bool {
        let len = hay.len();
        match a {
            Anchor::Bos => pos == 0,
            Anchor::Bol => pos == 0 || hay.as_bytes()[pos - 1] == b'\n',
            Anchor::EosNl => pos == len || (pos + 1 == len && hay.as_bytes()[pos] == b'\n'),
            Anchor::Eol => pos == len || hay.as_bytes()[pos] == b'\n',
            Anchor::Eos => pos == len,
            Anchor::WordBoundary(w) | Anchor::NotWordBoundary(w) => {
                let set = &self.sets[w as usize];
                let before = char_before(hay, pos).is_some_and(|c| set.contains(c));
                let after = char_at(hay, pos).is_some_and(|c| set.contains(c));
                (before != after) == matches!(a, Anchor::WordBoundary(_))
            }
        }
    }

    /// Runs the program from `pc` at `pos`; the end of the first match in Python's
    /// backtracking order.
    fn exec(
        &self,
        hay: &str,
        pc: u32,
        pos: usize,
        reject_empty: bool,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        if scratch.regs.len() < self.regs {
            scratch.regs.resize(self.regs, usize::MAX);
        }
        // A new text (or regex): forget cached occurrences.
        scratch.generation += 1;
        let base = scratch.stack.len();
        let r = self.run(hay, pc, pos, reject_empty, scratch);
        scratch.stack.truncate(base);
        r
    }

    fn run(
        &self,
        hay: &str,
        mut pc: u32,
        mut pos: usize,
        reject_empty: bool,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        let start = pos;
        let base = scratch.stack.len();
        let bytes = hay.as_bytes();
        'outer: loop {
            if scratch.budget == 0 {
                scratch.stack.truncate(base);
                return None;
            }
            scratch.budget -= 1;
            let ok = match self.prog[pc as usize] {
                Inst::Set(s) => match char_at(hay, pos) {
                    Some(c) if self.sets[s as usize].contains(c) => {
                        pos += c.len_utf8();
                        pc += 1;
                        true
                    }
                    _ => false,
                },
                Inst::RepSet {
                    set,
                    min,
                    max,
                    greedy,
                    follow,
                } => {
                    let set_ref = &self.sets[set as usize];
                    if greedy {
                        let mut n = 0u32;
                        let mut min_pos = pos;
                        let mut p = pos;
                        while n < max {
                            match char_at(hay, p) {
                                Some(c) if set_ref.contains(c) => {
                                    p += c.len_utf8();
                                    n += 1;
                                    if n == min {
                                        min_pos = p;
                                    }
                                }
                                _ => break,
                            }
                            if scratch.budget == 0 {
                                break;
                            }
                            scratch.budget -= 1;
                        }
                        if n < min {
                            false
                        } else {
                            if min == 0 {
                                min_pos = pos;
                            }
                            match self.settle(hay, p, min_pos, follow) {
                                Some(p) => {
                                    if p > min_pos {
                                        scratch.stack.push(Frame::RepGreedy {
                                            pc: pc + 1,
                                            follow,
                                            min_pos,
                                            pos: p,
                                        });
                                    }
                                    pos = p;
                                    pc += 1;
                                    true
                                }
                                None => false,
                            }
                        }
                    } else {
                        let mut ok = true;
                        for _ in 0..min {
                            match char_at(hay, pos) {
                                Some(c) if set_ref.contains(c) => pos += c.len_utf8(),
                                _ => {
                                    ok = false;
                                    break;
                                }
                            }
                        }
                        if ok {
                            if max > min {
                                scratch.stack.push(Frame::RepLazy {
                                    pc: pc + 1,
                                    set,
                                    remaining: if max == u32::MAX { u32::MAX } else { max - min },
                                    pos,
                                });
                            }
                            pc += 1;
                        }
                        ok
                    }
                }
                Inst::Branch(b) => {
                    let c = char_at(hay, pos);
                    match self.next_branch_alt(b, c, 0) {
                        Some((idx, apc)) => {
                            scratch.stack.push(Frame::Branch {
                                br: b,
                                idx: idx + 1,
                                pos,
                            });
                            pc = apc;
                            true
                        }
                        None => false,
                    }
                }
                Inst::Jmp(t) => {
                    pc = t;
                    true
                }
                Inst::Split {
                    first,
                    second,
                    guard,
                    need,
                } => {
                    if (guard == NO_FILTER
                        || char_at(hay, pos)
                            .is_some_and(|c| self.filters[guard as usize].contains(c)))
                        && (need == NO_FILTER
                            || self
                                .last_occurrence(hay, need, scratch)
                                .is_some_and(|q| q >= pos))
                    {
                        scratch.stack.push(Frame::Goto { pc: second, pos });
                        pc = first;
                    } else {
                        pc = second;
                    }
                    true
                }
                Inst::Assert(a) => {
                    if self.check_anchor(a, hay, pos) {
                        pc += 1;
                        true
                    } else {
                        false
                    }
                }
                Inst::Look {
                    behind,
                    negate,
                    width,
                    start: sub,
                } => {
                    let found = if behind {
                        match back_chars(hay, pos, width) {
                            Some(p0) => self.run(hay, sub, p0, false, scratch).is_some(),
                            None => false,
                        }
                    } else {
                        self.run(hay, sub, pos, false, scratch).is_some()
                    };
                    if found != negate {
                        pc += 1;
                        true
                    } else {
                        false
                    }
                }
                Inst::Mark(r) => {
                    let old = scratch.regs[r as usize];
                    scratch.stack.push(Frame::Restore { reg: r, val: old });
                    scratch.regs[r as usize] = pos;
                    pc += 1;
                    true
                }
                Inst::Progress { reg, exit } => {
                    pc = if scratch.regs[reg as usize] == pos {
                        exit
                    } else {
                        pc + 1
                    };
                    true
                }
                Inst::Match => {
                    if reject_empty && pos == start {
                        false
                    } else {
                        scratch.stack.truncate(base);
                        return Some(pos);
                    }
                }
            };
            if ok {
                continue;
            }
            // Backtrack.
            loop {
                if scratch.stack.len() <= base {
                    return None;
                }
                let frame = scratch.stack.pop()?;
                match frame {
                    Frame::Goto { pc: p, pos: q } => {
                        pc = p;
                        pos = q;
                        continue 'outer;
                    }
                    Frame::Branch { br, idx, pos: q } => {
                        let c = char_at(hay, q);
                        if let Some((i, apc)) = self.next_branch_alt(br, c, idx) {
                            scratch.stack.push(Frame::Branch {
                                br,
                                idx: i + 1,
                                pos: q,
                            });
                            pc = apc;
                            pos = q;
                            continue 'outer;
                        }
                    }
                    Frame::RepGreedy {
                        pc: p,
                        follow,
                        min_pos,
                        pos: q,
                    } => {
                        // Give back one character (or more, to where the rest can start).
                        let mut np = q - 1;
                        while np > min_pos && (bytes[np] & 0xC0) == 0x80 {
                            np -= 1;
                        }
                        if let Some(np) = self.settle(hay, np, min_pos, follow) {
                            if np > min_pos {
                                scratch.stack.push(Frame::RepGreedy {
                                    pc: p,
                                    follow,
                                    min_pos,
                                    pos: np,
                                });
                            }
                            pc = p;
                            pos = np;
                            continue 'outer;
                        }
                    }
                    Frame::RepLazy {
                        pc: p,
                        set,
                        remaining,
                        pos: q,
                    } => {
                        // Take one more character.
                        if let Some(c) = char_at(hay, q) {
                            if self.sets[set as usize].contains(c) {
                                let np = q + c.len_utf8();
                                if remaining > 1 {
                                    let rem = if remaining == u32::MAX {
                                        u32::MAX
                                    } else {
                                        remaining - 1
                                    };
                                    scratch.stack.push(Frame::RepLazy {
                                        pc: p,
                                        set,
                                        remaining: rem,
                                        pos: np,
                                    });
                                }
                                pc = p;
                                pos = np;
                                continue 'outer;
                            }
                        }
                    }
                    Frame::Restore { reg, val } => {
                        scratch.regs[reg as usize] = val;
                    }
                }
                if scratch.budget == 0 {
                    scratch.stack.truncate(base);
                    return None;
                }
                scratch.budget -= 1;
            }
        }
    }

    /// Byte offset of the last character of `hay` in filter `f` (cached per run).
    fn last_occurrence(&self, hay: &str, f: u32, scratch: &mut Scratch) -> Option<usize> {
        let i = f as usize;
        if scratch.last_occ.len() <= i {
            scratch.last_occ.resize(i + 1, (0, None));
        }
        let (generation, value) = scratch.last_occ[i];
        if generation == scratch.generation {
            return value;
        }
        let set = &self.filters[i];
        let found = hay
            .char_indices()
            .rev()
            .find(|&(_, c)| set.contains(c))
            .map(|(q, _)| q);
        scratch.last_occ[i] = (scratch.generation, found);
        found
    }

    /// The last position in `min_pos..=p` (stepping back from `p` by characters) where
    /// the character is in filter `follow`; `p` itself without a filter.
    #[inline]
    fn settle(&self, hay: &str, mut p: usize, min_pos: usize, follow: u32) -> Option<usize> {
        if follow == NO_FILTER {
            return Some(p);
        }
        let f = &self.filters[follow as usize];
        loop {
            if char_at(hay, p).is_some_and(|c| f.contains(c)) {
                return Some(p);
            }
            if p <= min_pos {
                return None;
            }
            p = back_chars(hay, p, 1)?;
        }
    }

    /// The first alternative of branch `b` at list index ≥ `from` that can start with `c`.
    fn next_branch_alt(&self, b: u32, c: Option<char>, from: u32) -> Option<(u32, u32)> {
        let t = &self.branches[b as usize];
        let (cands, check) = t.index.get(c);
        let mut i = from as usize;
        while i < cands.len() {
            let alt = cands[i];
            if !check || t.viable(alt, c) {
                return Some((i as u32, t.alts[alt as usize].pc));
            }
            i += 1;
        }
        None
    }
}
