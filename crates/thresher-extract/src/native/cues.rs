//! What class and id names say about a block: the words web templates use for chrome
//! (navigation, sharing, comments, ads, related links) and for the article itself.
//!
//! Names are split into words at anything that is not a letter or digit, and camelCase is
//! split too, so `post-body`, `postBody` and `post_body` all give `post` and `body`. Short
//! words match whole words only (`ad` must not match `header` or `shadow`); a few long ones
//! also match as prefixes (`comment` in `comments`, `commentlist`).

/// The verdict of class/id words on one element.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cues {
    /// Words of page chrome: the element is very likely not content.
    pub chrome: bool,
    /// Words of content containers.
    pub content: bool,
    /// Chrome words that win over content words (`comment-body` is a comment).
    pub strong: bool,
    /// Words of an article's lead (intro, teaser, standfirst...).
    pub lead: bool,
    /// Words that lower a block's score without removing it (metadata, media, tools).
    pub negative: bool,
    /// A caption word (`caption`, `figcaption`): kept when captions are asked for.
    pub caption: bool,
}

impl Cues {
    /// Score adjustment, as a content-score weight.
    pub(crate) fn weight(&self) -> f32 {
        let mut w = 0.0;
        if self.chrome || self.negative {
            w -= 25.0;
        }
        if self.content {
            w += 25.0;
        }
        w
    }
}

/// Whole words that mark chrome.
fn is_chrome_word(w: &str) -> bool {
    matches!(
        w,
        "ad" | "ads"
            | "adv"
            | "advert"
            | "advertisement"
            | "advertising"
            | "adsense"
            | "adslot"
            | "adunit"
            | "adwrap"
            | "agegate"
            | "aside"
            | "banner"
            | "breadcrumb"
            | "breadcrumbs"
            | "byline"
            | "comment"
            | "comments"
            | "commentlist"
            | "community"
            | "consent"
            | "cookie"
            | "cookies"
            | "cta"
            | "donate"
            | "donation"
            | "donations"
            | "disqus"
            | "dropdown"
            | "footer"
            | "gdpr"
            | "masthead"
            | "menu"
            | "modal"
            | "nav"
            | "navbar"
            | "navigation"
            | "newsletter"
            | "outbrain"
            | "overlay"
            | "pagination"
            | "pager"
            | "paywall"
            | "popup"
            | "promo"
            | "promotion"
            | "recirc"
            | "recommended"
            | "related"
            | "remark"
            | "replies"
            | "rss"
            | "share"
            | "sharing"
            | "sharebar"
            | "sidebar"
            | "signup"
            | "skip"
            | "skyscraper"
            | "social"
            | "sponsor"
            | "sponsored"
            | "subscribe"
            | "subscription"
            | "taboola"
            | "toolbar"
            | "trending"
    )
}

/// Prefixes (of words at least this long) that mark chrome.
const CHROME_PREFIXES: &[&str] = &[
    "comment",
    "advert",
    "sharing",
    "social",
    "sponsor",
    "newsletter",
    "breadcrumb",
    "related",
];

/// Words that start like chrome but name a kind of article: an opinion piece is a
/// "commentary", not a comment section.
fn is_genre_word(w: &str) -> bool {
    matches!(w, "commentary" | "commentaries")
}

/// Whole words of content containers.
fn is_content_word(w: &str) -> bool {
    matches!(
        w,
        "article"
            | "articlebody"
            | "body"
            | "content"
            | "entry"
            | "hentry"
            | "main"
            | "post"
            | "story"
            | "text"
            | "blog"
            | "prose"
            | "richtext"
            | "rte"
    )
}

/// Whole words that lower a score: metadata, media, tools, tags, meta information.
fn is_negative_word(w: &str) -> bool {
    matches!(
        w,
        "author"
            | "bio"
            | "caption"
            | "contact"
            | "credit"
            | "credits"
            | "date"
            | "foot"
            | "footnote"
            | "hidden"
            | "info"
            | "meta"
            | "metadata"
            | "postmeta"
            | "postmetadata"
            | "more"
            | "print"
            | "rating"
            | "ratings"
            | "vote"
            | "votes"
            | "voting"
            | "feedback"
            | "reviews"
            | "scroll"
            | "shopping"
            | "tag"
            | "tags"
            | "tool"
            | "widget"
            | "widgets"
            | "tools"
            | "timestamp"
            | "utility"
            | "login"
    )
}

/// Words of a lead paragraph.
fn is_lead_word(w: &str) -> bool {
    matches!(
        w,
        "lead"
            | "leadin"
            | "lede"
            | "intro"
            | "introduction"
            | "teaser"
            | "standfirst"
            | "summary"
            | "excerpt"
            | "abstract"
            | "deck"
            | "dek"
            | "subheadline"
            | "vorspann"
            | "chapeau"
            | "chapo"
            | "entradilla"
            | "bajada"
            | "sumario"
    )
}

/// Reads the class/id string of an element (lowercased, space separated).
///
/// In one class name the last word is the head, as in an English compound: `entry-meta` is
/// the entry's metadata and `post-footer` its footer, so a content word followed by a chrome
/// or negative word in the same name does not count. A chrome word anywhere in a name wins
/// over its content words: `sidebar-content` is the content of a sidebar and `related_post`
/// a list of other posts, both chrome.
pub(crate) fn cues(class_id: &str) -> Cues {
    let mut c = Cues::default();
    if class_id.is_empty() {
        return c;
    }
    let mut class = usize::MAX;
    let mut name = ClassName::default();
    for (k, word) in words(class_id) {
        if k != class {
            std::mem::take(&mut name).fold_into(&mut c);
            class = k;
        }
        name.author |= is_author_word(word);
        name.boxed |= is_box_word(word);
        if is_author_box(word) {
            (name.author, name.boxed) = (true, true);
        }
        if matches!(word, "embed" | "embedded") {
            // `social-embed`: a post quoted in the article, not the site's sharing bar.
            name.content |= std::mem::take(&mut name.chrome);
        } else if is_chrome_word(word)
            || (word.len() > 6
                && CHROME_PREFIXES.iter().any(|p| word.starts_with(p))
                && !is_genre_word(word))
        {
            name.chrome = true;
            name.content = false;
            if word.starts_with("comment") || word == "disqus" || word == "replies" {
                c.strong = true;
            }
        } else if is_content_word(word) {
            name.content = true;
        } else if is_negative_word(word) {
            c.negative = true;
            name.content = false;
        }
        if is_lead_word(word) {
            c.lead = true;
        }
        if matches!(word, "caption" | "captions" | "figcaption") {
            c.caption = true;
        }
    }
    name.fold_into(&mut c);
    c
}

/// What the words of one class name said so far.
#[derive(Default)]
struct ClassName {
    /// A content word, not yet followed by a chrome or negative word.
    content: bool,
    /// A chrome word, not yet followed by `embed`.
    chrome: bool,
    /// An author word and a box word (`author-box`, `about-the-author`).
    author: bool,
    boxed: bool,
}

impl ClassName {
    /// Adds the finished class name's verdict to `c`: its chrome word wins over its content
    /// words, and an author box is chrome that wins over content elsewhere, as comments are.
    fn fold_into(self, c: &mut Cues) {
        c.content |= self.content && !self.chrome;
        c.chrome |= self.chrome;
        if self.author && self.boxed {
            c.chrome = true;
            c.strong = true;
        }
    }
}

fn is_author_word(w: &str) -> bool {
    matches!(w, "author" | "authors" | "autor" | "autorin" | "autoren")
}

/// Words that make an author name a box about the author (a bio after the article).
fn is_box_word(w: &str) -> bool {
    matches!(
        w,
        "box" | "bio" | "info" | "card" | "about" | "profile" | "details" | "description"
    )
}

/// One-word author boxes: `authorbox`, `autorinfo`, `authorbio`.
fn is_author_box(w: &str) -> bool {
    ["author", "autor"]
        .iter()
        .any(|a| w.strip_prefix(a).is_some_and(is_box_word))
}

/// Words of a lowercased class/id string. camelCase was lost to lowercasing, so compound
/// names (`articlebody`, `commentlist`) are matched as prefixes or listed whole.
/// BEM modifiers (`block--modifier`) are dropped: `section--ads` is a section that has ads
/// in it, `outer--nav` a wrapper that has navigation in it, not an ad or a menu.
/// A word after a negation in the same class name says the opposite (`non-paywall`,
/// `no-sidebar`, `without-ads`): it is left out, with the negation. `no-print` is the
/// exception: what is not printed is the page's chrome.
/// Each word comes with the index of its class name.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_ascii_whitespace()
        .map(|class| class.split("--").next().unwrap_or(class))
        .enumerate()
        .flat_map(|(k, class)| {
            let mut negated = false;
            class
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .filter(move |w| {
                    if std::mem::take(&mut negated) && *w != "print" {
                        return false;
                    }
                    negated = matches!(*w, "no" | "non" | "not" | "without");
                    !negated
                })
                .map(move |w| (k, w))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_words_match_whole_words_only() {
        assert!(cues("ad-slot top").chrome);
        assert!(!cues("header shadow load").chrome);
        assert!(cues("site-nav").chrome);
        assert!(cues("article-donation-cta").chrome);
        assert!(!cues("canvas").chrome);
        assert!(cues("single-insert aside").chrome);
        assert!(cues("bmg-content-box bmg-author-box").strong);
        assert!(cues("testreport__authorbox").chrome);
        assert!(cues("about-the-author").chrome);
        assert!(!cues("author").chrome && cues("author").negative);
        assert!(!cues("entry-content author-name").chrome);
        assert!(!cues("testreport__section testreport__section--ads").chrome);
    }

    #[test]
    fn the_last_word_of_a_class_name_is_its_head() {
        assert!(!cues("entry-meta").content && cues("entry-meta").negative);
        assert!(cues("post-footer").chrome && !cues("post-footer").content);
        assert!(cues("meta-entry").content);
        assert!(cues("entry-meta post-body").content);
        assert!(cues("sidebar-content").chrome && !cues("sidebar-content").content);
        assert!(cues("related_post wp_rp").chrome && !cues("related_post wp_rp").content);
        assert!(cues("sidebar entry-content").content);
        assert!(!cues("social-media-embed").chrome && cues("social-media-embed").content);
        assert!(!cues("embed embed-photo").content);
        assert!(cues("social-media-embed share-bar").chrome);
    }

    #[test]
    fn a_negated_word_says_nothing() {
        assert!(!cues("row non-paywall").chrome);
        assert!(!cues("content-area no-sidebar").chrome);
        assert!(cues("content-area no-sidebar").content);
        assert!(cues("no-js sidebar").chrome);
        assert!(cues("paywall").chrome);
        assert_eq!(cues("share-widget no-print"), cues("share-widget print"));
    }

    #[test]
    fn compounds_and_content() {
        assert!(cues("commentlist").chrome);
        assert!(!cues("news subjective commentary article").chrome);
        assert!(cues("post-body entry").content);
        assert!(!cues("post-body entry").chrome);
        assert!(cues("image-caption").negative);
        assert!(cues("postmetadata alt").negative && cues("entry-utility").weight() < 0.0);
        assert!(cues("entry-content").weight() > 0.0);
        assert!(cues("share-tools").weight() < 0.0);
        assert!(cues("article__lead").lead);
        assert!(!cues("leader-board").lead);
    }
}
