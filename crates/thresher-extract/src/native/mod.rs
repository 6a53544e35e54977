//! thresher's own main-content extractor: one linear pass of [`crate::scan`]'s tokenizer
//! builds a compact arena tree (`tree`), blocks are scored by text and link density, tag and
//! class/id cues and position (`score`, `cues`), and the chosen content is written as plain
//! text or Markdown (`render`). Page metadata comes from [`metadata`].
//!
//! Nothing here recurses and every pass is linear in the page (searches are bounded), so a
//! hostile page costs time in proportion to its size and no more.

mod cues;
mod lines;
pub mod metadata;
mod render;
mod score;
mod tree;

pub use metadata::{page_metadata, PageMetadata};
pub use render::RenderOptions;

use crate::{BackendOptions, ExtractError, Extraction, Extractor};
use score::Attempt;

/// Output shorter than this (chars) makes the extractor retry with chrome-named elements
/// kept: some sites put the article inside a box whose class says `sidebar` or `comment`.
const RETRY_BELOW: usize = 250;
/// Output shorter than this is also retried, and replaced when the retry finds
/// [`RETRY_GAIN`] times as much prose (lines of 100 bytes or more): the article was inside
/// or split around a chrome-named box.
const RETRY_SHORT_BELOW: usize = 1000;
/// See [`RETRY_SHORT_BELOW`].
const RETRY_GAIN: usize = 3;

/// The native backend.
#[derive(Debug, Clone, Default)]
pub struct NativeExtractor {
    render: RenderOptions,
    /// Append reader comments.
    comments: bool,
}

impl NativeExtractor {
    /// A native backend with `opts` (tables, lists, captions, image alt texts and reader
    /// comments as their `include_*` options say, Markdown as `markdown`).
    pub fn new(opts: &BackendOptions) -> Self {
        NativeExtractor {
            render: RenderOptions {
                tables: opts.include_tables,
                lists: opts.include_lists,
                captions: opts.include_captions,
                images: opts.include_images,
                markdown: opts.markdown,
            },
            comments: opts.include_comments,
        }
    }

    /// A native backend with explicit output options (Markdown, what to include).
    pub fn with_render(render: RenderOptions) -> Self {
        NativeExtractor {
            render,
            comments: false,
        }
    }

    /// Also write the page's reader comments, after the main text.
    pub fn with_comments(mut self, comments: bool) -> Self {
        self.comments = comments;
        self
    }

    /// Main content of `html` as text (or Markdown), then the reader comments when asked for;
    /// no metadata.
    pub fn main_text(&self, html: &str) -> String {
        nfc(self.main_text_raw(html))
    }

    /// One selection attempt (`strip` chrome names, `clean` conditionally), rendered and
    /// cleaned line by line.
    fn attempt(&self, tree: &tree::Tree, cues: &[cues::Cues], strip: bool, clean: bool) -> String {
        let sel = score::select(
            tree,
            cues,
            Attempt {
                strip_chrome_names: strip,
                clean_conditionally: clean,
                keep_captions: self.render.captions,
            },
        );
        let rendered = render::render(tree, &sel, &self.render);
        let keep = lines::keep_lines(&rendered, tree.title.as_deref(), self.render.captions);
        rendered.join(&keep, self.render.markdown)
    }

    fn main_text_raw(&self, html: &str) -> String {
        let tree = tree::build(html);
        let cues = score::all_cues(&tree);
        let text = main_only(&|strip, clean| self.attempt(&tree, &cues, strip, clean));
        if !self.comments {
            return text;
        }
        let sel = score::comments(&tree, &cues);
        let rendered = render::render(&tree, &sel, &self.render);
        let comments = rendered.join(&vec![true; rendered.lines.len()], self.render.markdown);
        match (text.is_empty(), comments.is_empty()) {
            (_, true) => text,
            (true, false) => comments,
            (false, false) => {
                let sep = if self.render.markdown { "\n\n" } else { "\n" };
                text + sep + &comments
            }
        }
    }
}

/// The main content: the first attempt (`run(true, true)`, chrome names stripped, doubtful
/// blocks cleaned), or the retry (`run(false, true)`) when the first is short and the retry
/// finds much more prose. When both found nothing at all, the chosen block lost every child
/// to the conditional cleaning (an article of image-and-caption steps, say): the last try
/// keeps those blocks.
fn main_only(run: &dyn Fn(bool, bool) -> String) -> String {
    let text = run(true, true);
    let chars = text.chars().count();
    if chars >= RETRY_SHORT_BELOW {
        return text;
    }
    let text2 = run(false, true);
    let chars2 = text2.chars().count();
    // Gains are counted in prose-length lines: a form's error messages or a menu
    // are many short lines, an article is long ones.
    let (prose, prose2) = (prose_bytes(&text), prose_bytes(&text2));
    // A first text without a single prose line found nothing: any longer retry is better.
    // One with prose is replaced only for much more prose: a retry that adds a few lines
    // adds the chrome-named boxes (post metadata, navigation) around the same article.
    let short_gain = prose == 0 && chars < RETRY_BELOW && chars2 > chars;
    let best = if short_gain || prose2 >= prose.max(1) * RETRY_GAIN {
        text2
    } else {
        text
    };
    if best.trim().is_empty() {
        return run(true, false);
    }
    best
}

/// `text` in Unicode Normalization Form C: a page may spell `é` as one code point or two,
/// and a search or dedup over the text should not see two words.
fn nfc(text: String) -> String {
    if text.is_ascii() {
        return text;
    }
    let n = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
    let (done, rest) = n.split_normalized(&text);
    if rest.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(done);
    out.push_str(&n.normalize(rest));
    out
}

/// Bytes in lines of at least 100 bytes: the prose of a text.
fn prose_bytes(text: &str) -> usize {
    text.lines().map(str::len).filter(|&n| n >= 100).sum()
}

impl Extractor for NativeExtractor {
    fn name(&self) -> &str {
        "native"
    }

    fn extract(&self, html: &str, url: Option<&str>) -> Result<Extraction, ExtractError> {
        let text = self.main_text(html);
        let meta = page_metadata(html, url);
        Ok(Extraction {
            text,
            title: meta.title,
            author: meta.author,
            date: meta.date,
            description: meta.description,
            sitename: meta.sitename,
            language_hint: meta.language_hint,
            canonical_url: meta.canonical_url,
            tags: meta.tags,
            categories: meta.categories,
            fallback: None,
        })
    }
}

/// Development aid: the best-scoring candidates of the first attempt.
#[doc(hidden)]
pub fn debug_candidates(html: &str) -> String {
    let tree = tree::build(html);
    let cues = score::all_cues(&tree);
    let attempt = Attempt {
        strip_chrome_names: true,
        clean_conditionally: true,
        keep_captions: false,
    };
    let mut s = String::new();
    for (i, sc, w) in score::debug_candidates(&tree, &cues, attempt) {
        s += &format!(
            "cand {i} score {sc:.1} cue {w:.1} class='{}'\n",
            tree.class_id(i as u32)
        );
    }
    s
}

/// Development aid: the text of one attempt (`strip` chrome names, `clean` conditionally).
#[doc(hidden)]
pub fn debug_attempt(html: &str, strip: bool, clean: bool) -> String {
    let tree = tree::build(html);
    NativeExtractor::default().attempt(&tree, &score::all_cues(&tree), strip, clean)
}

/// Development aid: the selection's roots with their class/id, score inputs and first words.
#[doc(hidden)]
pub fn debug_selection(html: &str, strip: bool) -> String {
    let tree = tree::build(html);
    let sel = score::select(
        &tree,
        &score::all_cues(&tree),
        Attempt {
            strip_chrome_names: strip,
            clean_conditionally: true,
            keep_captions: false,
        },
    );
    let mut s = format!("nodes {} roots {:?}\n", tree.nodes.len(), sel.roots);
    for &r in &sel.roots {
        let st = sel.stats[r as usize];
        s += &format!(
            "root {} class='{}' chars {} ld {:.2} paragraphs {}\n",
            r,
            tree.class_id(r),
            st.chars,
            st.link_density(),
            st.paragraphs
        );
        let end = score::subtree_end(&tree, r);
        let mut shown = 0;
        for i in r as usize..end {
            let p = tree.nodes[i].parent as usize;
            if sel.dropped[i] && p < tree.nodes.len() && !sel.dropped[p] && shown < 15 {
                shown += 1;
                let st = sel.stats[i];
                s += &format!(
                    "  dropped {} class='{}' chars {} ld {:.2} p {} li {} img {} in {}\n",
                    i,
                    tree.class_id(i as u32),
                    st.chars,
                    st.link_density(),
                    st.paragraphs,
                    st.items,
                    st.images,
                    st.inputs
                );
            }
        }
    }
    s
}

/// Development aid: why the first text node containing `needle` is not in the output.
#[doc(hidden)]
pub fn debug_why(html: &str, needle: &str) -> String {
    let tree = tree::build(html);
    let cues = score::all_cues(&tree);
    let words: Vec<&str> = needle.split_whitespace().take(3).collect();
    let probe = words.join(" ");
    let Some(t) = (0..tree.nodes.len() as u32).find(|&i| {
        tree.nodes[i as usize].tag == tree::TEXT && tree.text_of(i).contains(probe.as_str())
    }) else {
        return "not-in-tree".into();
    };
    let sel = score::select(
        &tree,
        &cues,
        Attempt {
            strip_chrome_names: true,
            clean_conditionally: true,
            keep_captions: false,
        },
    );
    let mut a = t;
    let mut in_root = false;
    let mut first_dropped = None;
    let mut chain = String::new();
    while a != tree::NONE {
        chain += &format!(
            "  up {a} dropped {} cue {:.1} chars {} class='{}'\n",
            sel.dropped[a as usize],
            cues[a as usize].weight(),
            sel.stats[a as usize].chars,
            tree.class_id(a)
        );
        if sel.roots.contains(&a) {
            in_root = true;
        }
        if sel.dropped[a as usize] {
            first_dropped = Some(a);
        }
        a = tree.nodes[a as usize].parent;
    }
    let verdict: String = match (in_root, first_dropped) {
        (false, _) => format!(
            "outside-root (roots {:?})",
            sel.roots
                .iter()
                .map(|&r| tree.class_id(r))
                .collect::<Vec<_>>()
        ),
        (true, Some(d)) => format!(
            "dropped at '{}' chars {}",
            tree.class_id(d),
            sel.stats[d as usize].chars
        ),
        (true, None) => "in-selection (lines or later)".into(),
    };
    verdict + "\n" + &chain
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><body><nav><a href=/>Home</a></nav><article>\
        <p>The council met on Tuesday to discuss the new bridge, which has been delayed \
        by two years and now costs twice the original estimate.</p>\
        <img src=b.jpg alt='The old bridge at dusk'>\
        <p>Residents spoke for and against the plan, and the vote was postponed to next \
        month after a long debate about the budget.</p></article>\
        <div id=comments><p>I think the bridge is a waste of money, honestly.</p></div>\
        </body></html>";

    #[test]
    fn captions_and_lists_as_asked() {
        let page = "<html><body><article>\
            <p>The council met on Tuesday to discuss the new bridge, which has been delayed \
            by two years and now costs twice the original estimate.</p>\
            <figure><img src=b.jpg><figcaption>The old bridge at dusk, seen from the river \
            bank.</figcaption></figure>\
            <p class=image-caption>The council chamber during the debate.</p>\
            <p>Residents spoke for and against the plan, and the vote was postponed to next \
            month after a long debate about the budget.</p>\
            <ul><li>Cost: twice the estimate</li><li>Delay: two years</li></ul>\
            <p>The next meeting is in March, when the new budget will be known to all.</p>\
            </article></body></html>";
        let default = NativeExtractor::default().main_text(page);
        assert!(default.contains("Delay: two years"), "{default}");
        assert!(!default.contains("old bridge at dusk"), "{default}");
        assert!(!default.contains("council chamber"), "{default}");
        let opts = BackendOptions {
            include_captions: true,
            include_lists: false,
            ..BackendOptions::default()
        };
        let asked = NativeExtractor::new(&opts).main_text(page);
        assert!(asked.contains("The old bridge at dusk"), "{asked}");
        assert!(asked.contains("council chamber"), "{asked}");
        assert!(!asked.contains("Delay: two years"), "{asked}");
        assert!(asked.contains("next meeting is in March"), "{asked}");
    }

    #[test]
    fn a_paragraph_named_metadata_is_left_out() {
        let page = "<html><body><div class=post><div class=entry>\
            <p>The council met on Tuesday to discuss the new bridge, which has been delayed \
            by two years and now costs twice the original estimate.</p>\
            <p>Residents spoke for and against the plan, and the vote was postponed to next \
            month after a long debate about the budget.</p>\
            <p class='postmetadata alt'>This entry was posted on Wednesday, November 27th, \
            2019 at 3:21 pm and is filed under News. You can follow any responses to this \
            entry through the RSS 2.0 feed.</p></div></div></body></html>";
        let text = NativeExtractor::default().main_text(page);
        assert!(text.contains("Residents spoke"), "{text}");
        assert!(!text.contains("This entry was posted"), "{text}");
    }

    #[test]
    fn steps_with_a_photo_each_are_not_a_gallery() {
        let step = |n: usize| {
            format!(
                "<li><img src=s{n}a.jpg><img src=s{n}b.jpg><img src=s{n}c.jpg>Step {n}: stir the sauce slowly over a low heat for ten minutes, then add the cream and season it with salt and pepper to taste. Keep stirring while it thickens, so that nothing sticks to the bottom of the pan, and take it off the heat as soon as it coats the back of a spoon; it thickens a little more as it cools.</li>"
            )
        };
        let page = format!(
            "<html><body><article><p>This sauce is a classic of the house, and it takes no more than half an hour from start to finish, with things most kitchens already have.</p>\
             <p>It keeps for three days in the fridge, and it freezes well, so it is worth making a double batch when you have the time and a big enough pan.</p>\
             <p>The cream can be replaced by milk and a little butter, though the sauce will then be thinner, and it needs a few more minutes on the heat.</p>\
             <p>Serve it with pasta, rice or potatoes, and a green salad on the side; a glass of dry white wine goes well with it, too.</p>\
             <p>This sauce is a classic of the house, and it takes no more than half an hour from start to finish, with things most kitchens already have.</p>\
             <p>It keeps for three days in the fridge, and it freezes well, so it is worth making a double batch when you have the time and a big enough pan.</p>\
             <p>The cream can be replaced by milk and a little butter, though the sauce will then be thinner, and it needs a few more minutes on the heat.</p>\
             <p>Serve it with pasta, rice or potatoes, and a green salad on the side; a glass of dry white wine goes well with it, too.</p>\
             <ol class=steps>{}{}{}</ol></article>\
             <div class=gallery><img src=a.jpg><span>Photo one</span><img src=b.jpg><span>Photo two</span><img src=c.jpg></div></body></html>",
            step(1),
            step(2),
            step(3)
        );
        let text = NativeExtractor::default().main_text(&page);
        assert!(
            text.contains("Step 2: stir the sauce") && text.contains("Step 3:"),
            "{text}"
        );
        assert!(!text.contains("Photo two"), "{text}");
    }

    #[test]
    fn a_no_break_space_next_to_a_link_still_separates_words() {
        let page = "<html><body><article><p>Since the <a href=/x>start of the protests</a>&nbsp;against the president in April the government has banned demonstrations and held thousands of people without charge, \
            the report says; it was written by a <a href=/y>commission</a>\u{a0}of the organisation, \
            and both<b>&nbsp;</b><i>words</i> stay apart.</p></article></body></html>";
        let text = NativeExtractor::default().main_text(page);
        assert!(text.contains("protests against"), "{text}");
        assert!(text.contains("commission of"), "{text}");
        assert!(text.contains("both words"), "{text}");
    }

    #[test]
    fn a_short_line_whose_lowercase_is_longer_does_not_panic() {
        // `Ⱥ` (2 bytes) lowercases to `ⱥ` (3 bytes): the credit check once sliced the line
        // at the lowercased length, inside the `é`.
        let page = "<html><body><article><p>The council met on Monday and decided to postpone the vote on the bridge until the spring.</p>\
            <p>\u{23a}\u{23a}\u{23a}: \u{e9}</p></article></body></html>";
        let text = NativeExtractor::default().main_text(page);
        assert!(text.contains("\u{23a}\u{23a}\u{23a}: \u{e9}"), "{text}");
    }

    #[test]
    fn text_comes_out_in_nfc() {
        let page = "<html><body><article><p>Cafe\u{301} cre\u{300}me, \u{995}\u{9c1}\u{9b7}\u{9cd}\u{99f}\u{9bf}\u{9df}\u{9be} and plain words enough to be a paragraph here.</p></article></body></html>";
        let text = NativeExtractor::default().main_text(page);
        // U+09DF is excluded from composition: NFC spells it as U+09AF U+09BC.
        assert!(
            text.starts_with("Caf\u{e9} cr\u{e8}me, \u{995}\u{9c1}\u{9b7}\u{9cd}\u{99f}\u{9bf}\u{9af}\u{9bc}\u{9be} and"),
            "{text:?}"
        );
    }

    #[test]
    fn ruby_readings_are_left_out_of_the_text() {
        let page = "<html><body><article><p><ruby>\u{6f22}<rp>(</rp><rt>\u{304b}\u{3093}</rt><rp>)</rp></ruby><ruby>\u{5b57}<rt>\u{3058}</rt></ruby>\u{3092}\u{66f8}\u{304f}\u{3002}\
            \u{6f22}\u{5b57}\u{306f}\u{4e2d}\u{56fd}\u{304b}\u{3089}\u{6765}\u{305f}\u{6587}\u{5b57}\u{3067}\u{3059}\u{3002}</p></article></body></html>";
        let text = NativeExtractor::default().main_text(page);
        assert_eq!(
            text.trim(),
            "\u{6f22}\u{5b57}\u{3092}\u{66f8}\u{304f}\u{3002}\u{6f22}\u{5b57}\u{306f}\u{4e2d}\u{56fd}\u{304b}\u{3089}\u{6765}\u{305f}\u{6587}\u{5b57}\u{3067}\u{3059}\u{3002}"
        );
    }

    #[test]
    fn comments_and_alt_text_only_when_asked() {
        let plain = NativeExtractor::default().main_text(PAGE);
        assert!(plain.contains("council met") && plain.contains("vote was postponed"));
        assert!(!plain.contains("waste of money"), "{plain}");
        assert!(!plain.contains("old bridge at dusk"), "{plain}");

        let opts = BackendOptions {
            include_comments: true,
            include_images: true,
            ..BackendOptions::default()
        };
        let all = NativeExtractor::new(&opts).main_text(PAGE);
        let lines: Vec<&str> = all.lines().collect();
        assert!(lines.contains(&"The old bridge at dusk"), "{all}");
        assert_eq!(
            lines.last(),
            Some(&"I think the bridge is a waste of money, honestly.")
        );
    }
}
