//! Which part of the tree is the main content.
//!
//! 1. Chrome is set aside: hidden elements, navigation/aside/footer/forms controls, ARIA
//!    chrome roles, and elements whose class/id words say chrome ([`super::cues`]) unless
//!    they also say content.
//! 2. Every block with at least [`MIN_PARAGRAPH`] characters of its own inline text is a
//!    paragraph. Its score (one point, one per comma, one per 100 characters up to three)
//!    goes to its ancestors, less the higher they are, so the element that holds most of
//!    the prose scores highest. Ancestors start from a score for their tag and class/id.
//! 3. The best-scoring element, discounted by its link density, is the content root; it
//!    moves up when its parent holds several near-equal candidates (an article split into
//!    sections), and siblings that look like prose join it. A second opinion, the element
//!    with the most prose net of other text, joins too when it lies apart from that choice,
//!    and so does a lead just before the content (class/id `lead`, `intro`, `standfirst`...).
//! 4. Inside the content, containers that look like chrome by their shape (mostly links,
//!    more list items or images than paragraphs, form controls) are dropped.
//!
//! Every pass is a loop over the node array: children have larger indices than their
//! parents, so bottom-up sums are one reverse loop and top-down marks one forward loop.

use super::cues::{cues, Cues};
use super::tree::{flag, is_inline, Tree, NONE, RP, RT, TEXT};
use crate::scan::tag_hash;
use crate::scan::tags::*;

/// Own inline text (chars) for a block to count as a paragraph.
pub(crate) const MIN_PARAGRAPH: u32 = 25;
/// Prose (chars) that makes a sibling of the content root part of the content.
const SIBLING_PROSE: u32 = 200;
/// Prose per image (chars) above which a block of images is not a gallery.
const GALLERY_PROSE_PER_IMAGE: u32 = 100;
/// Near-equal candidates looked at when deciding whether the article is split in sections.
const MAX_STRONG: usize = 5;
/// Ancestors a paragraph's score reaches.
const ANCESTOR_LEVELS: usize = 5;

const CANVAS: u64 = tag_hash(b"canvas");
const VIDEO: u64 = tag_hash(b"video");
const AUDIO: u64 = tag_hash(b"audio");
const PICTURE: u64 = tag_hash(b"picture");

/// Per-node sums over the kept part of a subtree.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stats {
    /// Characters of text.
    pub chars: u32,
    /// Characters of text inside links.
    pub link_chars: u32,
    /// Commas (Latin and CJK).
    pub commas: u32,
    /// Characters of inline text whose nearest block is this element.
    pub own_chars: u32,
    /// `<p>` descendants.
    pub paragraphs: u32,
    /// `<img>` descendants.
    pub images: u32,
    /// `<li>` descendants.
    pub items: u32,
    /// Form controls.
    pub inputs: u32,
    /// Headings.
    pub headings: u32,
    /// Characters of inline link text whose nearest block is this element.
    pub own_link_chars: u32,
    /// Characters of prose in the subtree: own text of paragraphs that are not mostly links.
    pub prose_chars: u32,
    /// `<br>`s whose nearest block is this element (paragraphs written with line breaks).
    pub own_breaks: u32,
}

impl Stats {
    /// Share of the text inside links.
    pub(crate) fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// Settings of one selection attempt; later attempts relax them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    /// Remove elements whose class/id says chrome.
    pub strip_chrome_names: bool,
    /// Drop containers inside the content that look like chrome by their shape.
    pub clean_conditionally: bool,
    /// Keep figure captions and caption-named paragraphs (`include_captions`).
    pub keep_captions: bool,
}

/// The outcome: which nodes to render.
pub(crate) struct Selection {
    /// Nodes whose subtrees make up the content, in document order.
    pub roots: Vec<u32>,
    /// Per node: left out of the output.
    pub dropped: Vec<bool>,
    /// Per node sums (over kept nodes).
    pub stats: Vec<Stats>,
}

/// Page regions that are chrome by their tag, unless their class/id says content.
fn is_region_tag(tag: u64) -> bool {
    matches!(tag, NAV | ASIDE | FOOTER | MENU)
}

/// Elements that never hold article text.
fn is_chrome_tag(tag: u64) -> bool {
    matches!(
        tag,
        BUTTON
            | SELECT
            | TEXTAREA
            | INPUT
            | IFRAME
            | OBJECT
            | EMBED
            | NOSCRIPT
            | DIALOG
            | CANVAS
            | VIDEO
            | AUDIO
            // Ruby readings between the base characters would split every word.
            | RT
            | RP
    )
}

fn count_commas(s: &str) -> u32 {
    s.bytes().filter(|&b| b == b',').count() as u32 + s.matches(['，', '、', '،']).count() as u32
}

/// Base score of an ancestor by its tag.
fn tag_score(tag: u64) -> f32 {
    match tag {
        DIV | ARTICLE | MAIN | SECTION => 5.0,
        PRE | TD | BLOCKQUOTE => 3.0,
        ADDRESS | OL | UL | DL | DD | DT | LI | FORM => -3.0,
        H1 | H2 | H3 | H4 | H5 | H6 | TH => -5.0,
        _ => 0.0,
    }
}

/// Per element: it holds the page's main region (`<main>`, `<article>`, `role=main`,
/// `itemprop=articleBody`) or nearly all of the page's text. Such an element is never
/// set aside for its name, region tag or visibility: a `nav` word in a page wrapper's class
/// or an anti-flicker `display:none` on it must not cost the whole page.
fn holds_page(tree: &Tree) -> Vec<bool> {
    let n = tree.nodes.len();
    let mut bytes = vec![0u32; n];
    let mut main = vec![false; n];
    for i in (1..n).rev() {
        let node = &tree.nodes[i];
        if node.tag == TEXT {
            bytes[i] += node.end - node.start;
        } else if node.tag == MAIN {
            main[i] = true;
        }
        let p = node.parent as usize;
        if p < n {
            bytes[p] += bytes[i];
            main[p] |= main[i];
        }
    }
    // A page wrapper holds nearly all the text; a long comment thread may hold half.
    let most = (bytes[0] as u64 * 4 / 5) as u32;
    (0..n)
        .map(|i| main[i] || (most > 0 && bytes[i] > most))
        .collect()
}

/// Marks what is set aside before scoring.
fn mark_removed(tree: &Tree, attempt: &Attempt, cue: &[Cues]) -> Vec<bool> {
    let n = tree.nodes.len();
    let mut removed = vec![false; n];
    let protected = holds_page(tree);
    for i in 1..n {
        let node = &tree.nodes[i];
        let parent = node.parent as usize;
        if parent != NONE as usize && removed[parent] {
            removed[i] = true;
            continue;
        }
        if node.tag == TEXT {
            continue;
        }
        if node.flags & flag::ROLE_MAIN != 0 || protected[i] {
            continue;
        }
        if node.flags & flag::HIDDEN != 0 || is_chrome_tag(node.tag) {
            removed[i] = true;
            continue;
        }
        if !attempt.strip_chrome_names && cue[i].strong && node.tag != A {
            // Comments stay out even when other chrome names are let in.
            removed[i] = true;
            continue;
        }
        if attempt.strip_chrome_names && node.tag != A && node.tag != BODY {
            let c = cue[i];
            let says_content = c.content && !c.chrome;
            if (c.chrome && (!c.content || c.strong))
                || ((is_region_tag(node.tag) || node.flags & flag::ROLE_CHROME != 0)
                    && !says_content)
            {
                removed[i] = true;
            }
        }
    }
    removed
}

/// Sums text and element counts bottom-up, skipping `removed` subtrees.
fn sum_stats(tree: &Tree, removed: &[bool]) -> Vec<Stats> {
    let n = tree.nodes.len();
    let mut stats = vec![Stats::default(); n];
    for i in (1..n).rev() {
        if removed[i] || tree.nodes[i].flags & flag::ALT != 0 {
            continue;
        }
        let node = &tree.nodes[i];
        let mut s = stats[i];
        if node.tag == TEXT {
            let text = tree.text_of(i as u32);
            let chars = text.chars().count() as u32;
            s.chars = chars;
            s.commas = count_commas(text);
            if node.flags & flag::IN_LINK != 0 {
                s.link_chars = chars;
            }
            let block = node.block as usize;
            if block < n {
                stats[block].own_chars += chars;
                stats[block].own_link_chars += s.link_chars;
            }
        } else {
            match node.tag {
                P => s.paragraphs += 1,
                BR => {
                    let block = node.block as usize;
                    // A `<br>` is inline: its block is the nearest block ancestor.
                    if block < n && block != i {
                        stats[block].own_breaks += 1;
                    }
                }
                IMG | PICTURE => s.images += 1,
                LI => s.items += 1,
                INPUT | SELECT | TEXTAREA | BUTTON => s.inputs += 1,
                H1 | H2 | H3 | H4 | H5 | H6 => s.headings += 1,
                _ => {}
            }
            // Children were summed already (reverse order), own text included.
            if s.own_chars >= MIN_PARAGRAPH && s.own_link_chars * 10 < s.own_chars * 3 {
                s.prose_chars += s.own_chars;
            }
        }
        stats[i] = s;
        let p = node.parent;
        if p != NONE {
            let ps = &mut stats[p as usize];
            ps.chars += s.chars;
            ps.link_chars += s.link_chars;
            ps.commas += s.commas;
            ps.paragraphs += s.paragraphs;
            ps.images += s.images;
            ps.items += s.items;
            ps.inputs += s.inputs;
            ps.headings += s.headings;
            ps.prose_chars += s.prose_chars;
        }
    }
    // The root's own-chars were accumulated like any block's; recompute the root's sums.
    let mut root = Stats {
        own_chars: stats[0].own_chars,
        ..Stats::default()
    };
    for c in tree.children(0) {
        if removed[c as usize] {
            continue;
        }
        let s = stats[c as usize];
        root.chars += s.chars;
        root.link_chars += s.link_chars;
        root.commas += s.commas;
        root.paragraphs += s.paragraphs;
        root.images += s.images;
        root.items += s.items;
        root.inputs += s.inputs;
        root.headings += s.headings;
        root.prose_chars += s.prose_chars;
    }
    stats[0] = root;
    stats
}

/// What the class/id of each node says (computed once per page, shared by the attempts).
pub(crate) fn all_cues(tree: &Tree) -> Vec<Cues> {
    (0..tree.nodes.len() as u32)
        .map(|i| cues(tree.class_id(i)))
        .collect()
}

/// The page's comment sections (elements whose class/id says comments, outermost only),
/// for `include_comments`: form controls and hidden elements inside them are left out.
pub(crate) fn comments(tree: &Tree, cue: &[Cues]) -> Selection {
    let n = tree.nodes.len();
    let mut removed = vec![false; n];
    let mut inside = vec![false; n];
    let mut roots = Vec::new();
    for i in 1..n {
        let node = &tree.nodes[i];
        let p = node.parent as usize;
        let parent_in = p < n && inside[p];
        if p < n && removed[p] {
            removed[i] = true;
            continue;
        }
        if node.tag != TEXT && (node.flags & flag::HIDDEN != 0 || is_chrome_tag(node.tag)) {
            removed[i] = true;
            continue;
        }
        inside[i] = parent_in || cue[i].strong;
        if cue[i].strong && !parent_in && node.tag != A {
            roots.push(i as u32);
        }
    }
    let stats = sum_stats(tree, &removed);
    roots.retain(|&r| stats[r as usize].chars > 0);
    Selection {
        roots,
        dropped: removed,
        stats,
    }
}

/// Runs one selection attempt.
pub(crate) fn select(tree: &Tree, cue: &[Cues], attempt: Attempt) -> Selection {
    let n = tree.nodes.len();
    let removed = mark_removed(tree, &attempt, cue);
    let stats = sum_stats(tree, &removed);

    let score = paragraph_scores(tree, cue, &removed, &stats);
    let final_score = |i: usize| final_score(&score, &stats, i);

    let mut dropped = removed.clone();
    let best = (0..n)
        .filter(|&i| !score[i].is_nan() && !removed[i])
        .max_by(|&a, &b| final_score(a).total_cmp(&final_score(b)));
    let Some(mut top) = best else {
        // No paragraph anywhere: everything that is not chrome.
        return Selection {
            roots: vec![0],
            dropped,
            stats,
        };
    };
    let top_score = final_score(top);

    // Several strong candidates under one ancestor: the article is split in sections.
    // The strongest few only: each costs a walk up the tree per ancestor of the top.
    let mut strong: Vec<usize> = (0..n)
        .filter(|&i| i != top && !score[i].is_nan() && final_score(i) >= top_score * 0.75)
        .collect();
    if strong.len() > MAX_STRONG {
        strong.sort_unstable_by(|&a, &b| final_score(b).total_cmp(&final_score(a)));
        strong.truncate(MAX_STRONG);
    }
    if strong.len() >= 2 {
        let mut a = tree.nodes[top].parent;
        while a != NONE && a != 0 {
            let contained = strong
                .iter()
                .filter(|&&s| is_ancestor(tree, a as usize, s))
                .count();
            if contained >= 2 {
                top = a as usize;
                break;
            }
            a = tree.nodes[a as usize].parent;
        }
    }
    // Climb while the parent scores well too (the paragraphs' container is often one level
    // below the article).
    let mut last = final_score(top);
    let mut p = tree.nodes[top].parent;
    while p != NONE && p != 0 {
        let pi = p as usize;
        if score[pi].is_nan() {
            p = tree.nodes[pi].parent;
            continue;
        }
        let ps = final_score(pi);
        if ps < last / 3.0 {
            break;
        }
        if ps > last {
            top = pi;
            break;
        }
        last = ps;
        p = tree.nodes[pi].parent;
    }
    // An only child says nothing: its parent is the same block.
    while top != 0 {
        let parent = tree.nodes[top].parent as usize;
        if parent == 0 || parent == NONE as usize {
            break;
        }
        let kids = tree
            .children(parent as u32)
            .filter(|&c| !removed[c as usize] && stats[c as usize].chars > 0)
            .count();
        if kids == 1 {
            top = parent;
        } else {
            break;
        }
    }

    // Siblings that read like the same article.
    let top_final = final_score(top).max(final_score(best.unwrap_or(top)));
    let threshold = (top_final * 0.2).max(10.0);
    let mut roots = Vec::new();
    let parent = tree.nodes[top].parent;
    if parent == NONE {
        roots.push(top as u32);
    } else {
        for s in tree.children(parent) {
            let si = s as usize;
            if si == top {
                roots.push(s);
                continue;
            }
            if removed[si] || tree.nodes[si].tag == TEXT {
                continue;
            }
            let mut bonus = 0.0;
            if !tree.class_id(s).is_empty() && tree.class_id(s) == tree.class_id(top as u32) {
                bonus = top_final * 0.2;
            }
            let st = &stats[si];
            let ok = (!score[si].is_nan() && final_score(si) + bonus >= threshold)
                || (tree.nodes[si].tag == P && {
                    let ld = st.link_density();
                    (st.chars > 80 && ld < 0.25)
                        || (st.chars > 0 && ld == 0.0 && ends_sentence(tree, s))
                });
            // A sibling that is mostly prose (a lead, a second text column) belongs too.
            let prose = st.prose_chars >= SIBLING_PROSE
                && st.prose_chars * 10 >= st.chars * 8
                && st.link_density() < 0.1
                && cue[si].weight() >= 0.0
                && !in_series(tree, si, true);
            if ok || prose {
                roots.push(s);
            }
        }
    }

    // A second opinion that weighs prose against everything else: the element with the most
    // prose net of other text. When it lies apart from what the scores chose (the article's
    // text split around a gallery or a box), it joins the content.
    if let Some(p) = prose_root(tree, &removed, &stats, cue).filter(|&p| !in_series(tree, p, false))
    {
        let overlaps = roots.iter().any(|&r| {
            r as usize == p || is_ancestor(tree, r as usize, p) || is_ancestor(tree, p, r as usize)
        });
        if !overlaps {
            roots.push(p as u32);
            roots.sort_unstable();
        }
    }
    // The article's lead often sits just before its body, in its own box.
    if let Some(l) = lead_before(tree, &removed, &stats, cue, roots[0] as usize) {
        let overlaps = roots.iter().any(|&r| {
            r as usize == l || is_ancestor(tree, r as usize, l) || is_ancestor(tree, l, r as usize)
        });
        if !overlaps {
            roots.push(l as u32);
            roots.sort_unstable();
        }
    }
    if attempt.clean_conditionally {
        // The best candidate and its ancestors are the content itself, whatever their shape.
        let mut keep = vec![false; n];
        let mut k = best.map_or(NONE, |b| b as u32);
        while k != NONE {
            keep[k as usize] = true;
            k = tree.nodes[k as usize].parent;
        }
        if attempt.keep_captions {
            // Asked-for captions stay, with the figures that hold them.
            for (i, node) in tree.nodes.iter().enumerate() {
                if matches!(node.tag, FIGURE | FIGCAPTION) || (node.tag == P && cue[i].caption) {
                    keep[i] = true;
                }
            }
        }
        clean(tree, &roots, &score, &stats, cue, &keep, &mut dropped);
    }
    Selection {
        roots,
        dropped,
        stats,
    }
}

/// Candidate scores: each paragraph's points flow to its ancestors (NaN: not a candidate).
fn paragraph_scores(tree: &Tree, cue: &[Cues], removed: &[bool], stats: &[Stats]) -> Vec<f32> {
    let n = tree.nodes.len();
    let mut score = vec![f32::NAN; n];
    for i in 1..n {
        let node = &tree.nodes[i];
        if removed[i] || node.tag == TEXT || node.flags & flag::INLINE != 0 {
            continue;
        }
        let s = &stats[i];
        if s.own_chars < MIN_PARAGRAPH || crate::scan::is_heading(node.tag) {
            continue;
        }
        // Own text only: commas and length of the paragraph itself, not of nested blocks.
        let own_commas = if s.chars > 0 {
            (s.commas as f32 * s.own_chars as f32 / s.chars as f32).round()
        } else {
            0.0
        };
        // Text broken into paragraphs with `<br><br>` counts as that many paragraphs.
        let segments = 1.0 + (s.own_breaks / 2) as f32;
        let mut points = segments + own_commas + (s.own_chars as f32 / 100.0).min(3.0 * segments);
        // Text that is mostly links is not prose.
        let own_ld = s.link_density();
        points *= 1.0 - own_ld;
        // Text straight inside a container (a `<div>` or cell used as a paragraph) makes the
        // container itself a candidate; a real paragraph scores its ancestors.
        let holds_text_itself = !matches!(node.tag, P | LI | DD | DT | PRE | BLOCKQUOTE);
        let (mut a, mut level) = if holds_text_itself {
            (i as u32, 0usize)
        } else {
            (node.parent, 0usize)
        };
        while a != NONE && level < ANCESTOR_LEVELS {
            let ai = a as usize;
            if score[ai].is_nan() {
                score[ai] = tag_score(tree.nodes[ai].tag) + cue[ai].weight();
                if tree.nodes[ai].flags & flag::ROLE_MAIN != 0 {
                    score[ai] += 25.0;
                }
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[ai] += points / divider;
            a = tree.nodes[ai].parent;
            level += 1;
        }
    }
    score
}

/// A candidate's score discounted by its link density (−∞: not a candidate).
fn final_score(score: &[f32], stats: &[Stats], i: usize) -> f32 {
    if score[i].is_nan() {
        f32::NEG_INFINITY
    } else {
        score[i] * (1.0 - stats[i].link_density())
    }
}

/// Development aid: the best candidates of an attempt, with their final scores.
pub(crate) fn debug_candidates(
    tree: &Tree,
    cue: &[Cues],
    attempt: Attempt,
) -> Vec<(usize, f32, f32)> {
    let removed = mark_removed(tree, &attempt, cue);
    let stats = sum_stats(tree, &removed);
    let score = paragraph_scores(tree, cue, &removed, &stats);
    let mut c: Vec<(usize, f32, f32)> = (0..tree.nodes.len())
        .filter(|&i| !score[i].is_nan() && !removed[i])
        .map(|i| (i, final_score(&score, &stats, i), cue[i].weight()))
        .collect();
    c.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
    c.truncate(12);
    c
}

/// A lead before `first` (the first content root): an element whose class/id says lead,
/// among the preceding siblings of `first` and of its next two ancestors, with prose and
/// few links, not inside the content already.
fn lead_before(
    tree: &Tree,
    removed: &[bool],
    stats: &[Stats],
    cue: &[Cues],
    first: usize,
) -> Option<usize> {
    let mut at = first;
    for _ in 0..3 {
        let parent = tree.nodes[at].parent;
        if parent == NONE {
            return None;
        }
        // Siblings before `at`, nearest first.
        let before: Vec<u32> = tree
            .children(parent)
            .take_while(|&c| c as usize != at)
            .collect();
        for &c in before.iter().rev().take(4) {
            let ci = c as usize;
            if removed[ci] || tree.nodes[ci].tag == TEXT {
                continue;
            }
            // The sibling, or a lead inside it (a header box holding headline and lead);
            // the search inside is bounded.
            let end = subtree_end(tree, c).min(ci + LEAD_SEARCH_NODES);
            for k in ci..end {
                let st = &stats[k];
                if !removed[k]
                    && cue[k].lead
                    && !cue[k].chrome
                    && st.chars >= 40
                    && st.link_density() < 0.3
                {
                    return Some(k);
                }
            }
        }
        at = parent as usize;
    }
    None
}

/// Nodes searched inside a box before the content for its lead.
const LEAD_SEARCH_NODES: usize = 64;

/// Weight of text that is not prose against prose in [`prose_root`].
const NON_PROSE_WEIGHT: f32 = 0.6;

/// The block element with the most prose net of [`NON_PROSE_WEIGHT`] times its other text,
/// adjusted by its class/id cues.
fn prose_root(tree: &Tree, removed: &[bool], stats: &[Stats], cue: &[Cues]) -> Option<usize> {
    let value = |i: usize| -> f32 {
        let st = &stats[i];
        let prose = st.prose_chars as f32;
        let other = st.chars.saturating_sub(st.prose_chars) as f32;
        (prose - NON_PROSE_WEIGHT * other) * (1.0 + cue[i].weight() / 100.0)
    };
    (1..tree.nodes.len())
        .filter(|&i| {
            !removed[i] && tree.nodes[i].tag != TEXT && tree.nodes[i].flags & flag::INLINE == 0
        })
        .filter(|&i| stats[i].prose_chars > 0)
        .max_by(|&a, &b| value(a).total_cmp(&value(b)))
}

/// Whether `i` is one of a series of like items (teasers of other articles, list entries):
/// at least two siblings with its tag and a class word in common.
fn in_series(tree: &Tree, i: usize, look_inside: bool) -> bool {
    let node = &tree.nodes[i];
    if node.parent == NONE || node.tag == P {
        return false;
    }
    let class = tree.class_id(i as u32);
    let words: Vec<&str> = class
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 2 && !w.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let alike = |c: u32| {
        c as usize != i
            && tree.nodes[c as usize].tag == node.tag
            && (words.is_empty() && tree.class_id(c).is_empty()
                || tree
                    .class_id(c)
                    .split(|ch: char| !ch.is_ascii_alphanumeric())
                    .any(|w| words.contains(&w)))
    };
    // Siblings, or (when unclosed tags nested the series) descendants.
    let siblings = tree
        .children(node.parent)
        .filter(|&c| alike(c))
        .take(2)
        .count();
    let nested = if look_inside {
        (i + 1..subtree_end(tree, i as u32))
            .filter(|&d| alike(d as u32))
            .take(2)
            .count()
    } else {
        0
    };
    siblings >= 2 || nested >= 2
}

/// Whether `a` is a proper ancestor of `d` (bounded by the tree's depth cap).
fn is_ancestor(tree: &Tree, a: usize, d: usize) -> bool {
    let mut x = tree.nodes[d].parent;
    while x != NONE {
        if x as usize == a {
            return true;
        }
        if (x as usize) < a {
            return false;
        }
        x = tree.nodes[x as usize].parent;
    }
    false
}

/// Whether the last text in `i`'s subtree ends a sentence.
fn ends_sentence(tree: &Tree, i: u32) -> bool {
    let node = &tree.nodes[i as usize];
    let mut last = node.last_child;
    while last != NONE {
        let l = &tree.nodes[last as usize];
        if l.tag == TEXT {
            let t = tree.text_of(last).trim_end();
            return t.ends_with(['.', '!', '?', '。', '»', '"', '”']);
        }
        last = l.last_child;
    }
    false
}

/// Drops containers inside the content that look like chrome by their shape.
fn clean(
    tree: &Tree,
    roots: &[u32],
    score: &[f32],
    stats: &[Stats],
    cue: &[Cues],
    keep: &[bool],
    dropped: &mut [bool],
) {
    let n = tree.nodes.len();
    let ranges: Vec<(usize, usize)> = roots
        .iter()
        .map(|&r| (r as usize, subtree_end(tree, r)))
        .collect();
    for (start, end) in ranges {
        // A block holding half the content's text is the content, whatever its shape.
        let big = stats[start].chars / 2;
        for i in start + 1..end {
            if dropped[i] {
                continue;
            }
            let node = &tree.nodes[i];
            let parent = node.parent as usize;
            if parent < n && dropped[parent] {
                dropped[i] = true;
                continue;
            }
            if node.tag == TEXT || node.flags & flag::INLINE != 0 || keep[i] {
                continue;
            }
            if stats[i].chars > big && big > 0 {
                continue;
            }
            let s = &stats[i];
            let weight = cue[i].weight();
            let is_list = matches!(node.tag, UL | OL | DL);
            let is_container = matches!(
                node.tag,
                DIV | SECTION | UL | OL | DL | TABLE | FORM | FIGURE | HEADER
            ) || is_list;
            if crate::scan::is_heading(node.tag) {
                if weight < 0.0 || s.link_density() > 0.33 {
                    dropped[i] = true;
                }
                continue;
            }
            if node.tag == FIGCAPTION || node.tag == FIGURE {
                // Captions and credits are not the article's prose.
                if s.paragraphs == 0 {
                    dropped[i] = true;
                    continue;
                }
            }
            if !is_container {
                // A paragraph whose class names it metadata, a credit or a caption
                // (`postmetadata`, `entry-meta`, `image-credit`) is not the article's prose.
                if node.tag == P && weight < 0.0 {
                    dropped[i] = true;
                }
                continue;
            }
            // Paragraph points and class weight decide; a list's or form's negative base
            // score for its tag alone must not drop a list of real steps.
            let sc = if score[i].is_nan() {
                0.0
            } else {
                score[i] - tag_score(node.tag)
            };
            if weight + sc < 0.0 {
                dropped[i] = true;
                continue;
            }
            if s.commas >= 10 {
                continue;
            }
            let ld = s.link_density();
            let p = s.paragraphs as f32;
            // More list items than paragraphs is navigation only when the items are links;
            // a box of plain items (ingredients, steps, facts) is content.
            // A gallery is images with short captions (or linked teasers); steps or posts with
            // a photo each carry their own prose.
            let gallery = s.images > 1
                && p / (s.images as f32) < 0.5
                && node.tag != FIGURE
                && (s.prose_chars < GALLERY_PROSE_PER_IMAGE * s.images || s.link_density() >= 0.05);
            let drop = gallery
                || (!is_list
                    && s.items as f32 > p + 1.0
                    && s.own_chars < MIN_PARAGRAPH
                    && ld > 0.1)
                || (s.inputs as f32 > (p / 3.0).floor())
                || (s.chars < MIN_PARAGRAPH
                    && s.paragraphs == 0
                    && s.headings == 0
                    && s.link_chars > 0)
                || (weight < 25.0 && ld > 0.2 && s.chars > 0)
                || (weight >= 25.0 && ld > 0.5);
            if drop {
                dropped[i] = true;
            }
        }
    }
}

/// Whether `tag` is a block that starts a new line in the output.
pub(crate) fn is_block(tag: u64) -> bool {
    tag != TEXT && !is_inline(tag)
}

/// One past the last index of `i`'s subtree (nodes are in document order, so the subtree is
/// the range from `i` to its last descendant).
pub(crate) fn subtree_end(tree: &Tree, i: u32) -> usize {
    let mut last = i;
    loop {
        let l = tree.nodes[last as usize].last_child;
        if l == NONE {
            return last as usize + 1;
        }
        last = l;
    }
}
