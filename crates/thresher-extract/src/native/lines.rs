//! Line-level cleanup of the rendered content: what the tree scoring cannot see because it
//! is a matter of a line's place in the text, not of the element it came from.
//!
//! - the headline (a heading that repeats the page `<title>`) is metadata, not body text;
//! - date and byline lines above the first paragraph of prose;
//! - runs of short lines that are all links (related articles, tag lists);
//! - the tail: headings, link lines and lead-ins ending in `:` after the last paragraph,
//!   which introduce something that was removed (comments, "read more" lists).

use super::render::Lines;

/// A line of at least this many bytes of text, not a heading, is prose.
const PROSE_BYTES: usize = 100;
/// Date and byline lines are shorter than this.
const META_BYTES: usize = 90;
/// Lines of a link list are shorter than this and at least [`LINK_LINE`] links.
const LINK_LIST_BYTES: usize = 160;
const LINK_LINE: f32 = 0.75;
/// Shortest run of link lines dropped as a list.
const LINK_RUN: usize = 3;

/// Which lines to keep. `title` is the page's `<title>`; `captions` keeps figure captions
/// written as text (`Figure 2: …`, `Abbildung: …`).
pub(crate) fn keep_lines(lines: &Lines, title: Option<&str>, captions: bool) -> Vec<bool> {
    let n = lines.lines.len();
    let mut keep = vec![true; n];
    if n == 0 {
        return keep;
    }
    drop_headline(lines, title, &mut keep);
    drop_leading_meta(lines, &mut keep);
    drop_link_runs(lines, &mut keep);
    drop_read_more(lines, &mut keep);
    drop_credits(lines, &mut keep);
    drop_date_lines(lines, &mut keep);
    if !captions {
        drop_captions(lines, &mut keep);
    }
    drop_contact_block(lines, &mut keep);
    drop_author_block(lines, &mut keep);
    drop_related_block(lines, &mut keep);
    drop_tail(lines, &mut keep);
    keep
}

/// Words that head a press contact block (`Kontakt:`, `Media contact:`).
const CONTACT_WORDS: &[&str] = &[
    "ansprechpartner",
    "ansprechpartnerin",
    "contact",
    "contacts",
    "contacto",
    "kontakt",
    "pressekontakt",
];

/// Whether a line heads a contact block: a contact word, at most one word before it
/// (`Media contact`, `Press contact`), and nothing after it but a colon.
fn is_contact_head(t: &str) -> bool {
    let t = t.trim().trim_end_matches(':').trim_end();
    let mut words = t.split_whitespace();
    let (Some(a), b, None) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    in_list(b.unwrap_or(a), CONTACT_WORDS)
}

/// Headings of links to other articles (`See also`, `Auch interessant`, `Zobacz również`),
/// lowercased, without their trailing `:`, `…` or `»`.
const RELATED_LABELS: &[&str] = &[
    "auch interessant",
    "czytaj także",
    "czytaj też",
    "das könnte dich auch interessieren",
    "das könnte sie auch interessieren",
    "lea también",
    "lees ook",
    "leggi anche",
    "lesen sie auch",
    "lies auch",
    "mehr zum thema",
    "more from",
    "read more",
    "read next",
    "related",
    "related articles",
    "related posts",
    "related stories",
    "schon gelesen?",
    "see also",
    "siehe auch",
    "voir aussi",
    "weiterlesen",
    "you may also like",
    "you might also like",
    "zobacz również",
    "zobacz także",
    "zum weiterlesen",
];

/// Lines after a related-links heading that can still be the teasers it introduces.
const RELATED_BLOCK_LINES: usize = 5;

/// A related-links heading near the end of the text, with the few teasers after it (the
/// links themselves were removed or were prose-like teasers): none of it is the article.
/// Near the end means within the last lines and the last quarter of the text's bytes; a
/// heading earlier is followed by more of the article.
fn drop_related_block(lines: &Lines, keep: &mut [bool]) {
    let n = lines.lines.len();
    let total: usize = lines.lines.iter().map(|l| l.text_bytes).sum();
    let mut after = 0;
    for i in (n.saturating_sub(RELATED_BLOCK_LINES + 1)..n).rev() {
        let l = &lines.lines[i];
        if l.structured {
            return;
        }
        if keep[i] && l.text_bytes < META_BYTES && after * 4 <= total {
            let t = bare(lines.text(i)).trim();
            let t = t.trim_end_matches([':', '…', '.', '»', '›', ' ']);
            if i > 0 && t.len() <= 40 && in_list(t, RELATED_LABELS) {
                keep[i..].fill(false);
                return;
            }
        }
        after += l.text_bytes;
    }
}

/// Labels of a note about the author (`Über den Autor`, `About the author`, `Autorin`).
const AUTHOR_LABELS: &[&str] = &[
    "about the author",
    "about the authors",
    "author",
    "autor",
    "autorin",
    "o autorze",
    "sobre el autor",
    "sobre la autora",
    "zum autor",
    "zur autorin",
    "à propos de l'auteur",
    "über den autor",
    "über die autorin",
];

/// Lines after an author label that still make a note about the author.
const AUTHOR_BLOCK_LINES: usize = 4;

/// A note about the author at the end of the text: a label line and then a name and a short
/// biography.
fn drop_author_block(lines: &Lines, keep: &mut [bool]) {
    let n = lines.lines.len();
    for i in (n.saturating_sub(AUTHOR_BLOCK_LINES + 1)..n).rev() {
        let l = &lines.lines[i];
        if l.structured || l.text_bytes >= META_BYTES || !keep[i] {
            continue;
        }
        let t = bare(lines.text(i)).trim().trim_end_matches(':').trim_end();
        if t.len() <= 24 && in_list(t, AUTHOR_LABELS) && i > 0 {
            keep[i..].fill(false);
            return;
        }
    }
}

/// A contact block at the end of the text (a press release's `Kontakt:` and then names,
/// phone numbers and addresses, no prose): it is the publisher's, not the article's.
fn drop_contact_block(lines: &Lines, keep: &mut [bool]) {
    let n = lines.lines.len();
    for i in (0..n).rev() {
        let l = &lines.lines[i];
        if l.structured || l.text_bytes >= PROSE_BYTES {
            return;
        }
        if keep[i] && l.text_bytes < META_BYTES && is_contact_head(bare(lines.text(i))) {
            keep[i..].fill(false);
            return;
        }
    }
}

/// Words that open a photo credit line (`Foto: …`, `(Image: Getty)`).
const CREDIT_WORDS: &[&str] = &[
    "foto",
    "fotos",
    "photo",
    "photos",
    "photograph",
    "image",
    "images",
    "bild",
    "bilder",
    "credit",
    "credits",
    "copyright",
    "crédit",
    "crédits",
    "picture",
    "pictures",
    "illustration",
    "beitragsbild",
    "titelbild",
    "fotografía",
    "imagen",
    "immagine",
    "zdjęcie",
];

/// Whether a short line is a photo credit: a credit word, then `:` (or `©`), or a line
/// that starts with `©`.
fn is_credit(text: &str) -> bool {
    let t = text.trim().trim_start_matches(['(', '[']).trim_start();
    if t.starts_with('©') {
        return true;
    }
    // Slices of `t` itself: a lowercased copy may differ in length (`Ⱥ` is 2 bytes, `ⱥ` 3).
    let head_end = t
        .find(|c: char| !(c.is_alphabetic() || c == ' '))
        .unwrap_or(t.len());
    let (head, rest) = t.split_at(head_end);
    let head = head.trim();
    let first = head.split(' ').next().unwrap_or("");
    head.split(' ').count() <= 2
        && first.len() <= MAX_CUE_WORD
        && in_list(first, CREDIT_WORDS)
        && (rest.starts_with(':') || rest.starts_with('©') || rest.is_empty())
}

/// Words that label advertising (`Anzeige`, `*Werbung.`, `Advertisement:`).
const AD_LABEL_WORDS: &[&str] = &[
    "advertisement",
    "advertorial",
    "anzeige",
    "publicidad",
    "publicité",
    "pubblicità",
    "reklama",
    "sponsored",
    "werbung",
];

/// Whether a short line is an advertising label or disclosure: a label word alone, or
/// followed by punctuation (`Anzeige, enthält Affiliate Links`). A label word followed by
/// a word starts a sentence (`Anzeige gegen Unbekannt wurde erstattet`).
fn is_ad_label(text: &str) -> bool {
    let Some((word, rest)) = label_word(text) else {
        return false;
    };
    in_list(word, AD_LABEL_WORDS) && (rest.is_empty() || !rest.starts_with(char::is_whitespace))
}

/// Shortest and longest label word (bytes) of [`AD_LABEL_WORDS`] and
/// [`COMMENT_LABEL_WORDS`]: a line whose first word is shorter or longer is settled at once.
const LABEL_WORD_BYTES: std::ops::RangeInclusive<usize> = 7..=MAX_CUE_WORD;

/// The first word of `text` (letters) and what follows it, when the word could be a label.
fn label_word(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_start_matches(|c: char| !c.is_alphabetic());
    let end = t.find(|c: char| !c.is_alphabetic()).unwrap_or(t.len());
    LABEL_WORD_BYTES.contains(&end).then(|| t.split_at(end))
}

/// Words that label a comment section or its count (`Comments`, `3 Kommentare`).
const COMMENT_LABEL_WORDS: &[&str] = &[
    "comentarios",
    "comment",
    "commentaires",
    "comments",
    "kommentar",
    "kommentare",
    "komentarz",
    "komentarze",
];

/// Whether a line is only a comment section's label, with or without a count: what follows
/// it was left out as comments, or it is a link to them.
fn is_comment_label(text: &str) -> bool {
    let Some((word, rest)) = label_word(text) else {
        return false;
    };
    if !in_list(word, COMMENT_LABEL_WORDS) {
        return false;
    }
    // A count, and at most the word for "in all", may follow.
    let mut more = rest
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty());
    let total = more
        .next()
        .is_none_or(|w| w.eq_ignore_ascii_case("insgesamt") || w.eq_ignore_ascii_case("total"));
    total && more.next().is_none()
}

/// Longest credit or caption word (bytes); longer words are not compared.
const MAX_CUE_WORD: usize = 16;

/// Whether `word`, lowercased, is in `list` (lowercase words). ASCII words, nearly all of
/// them, are compared in place.
fn in_list(word: &str, list: &[&str]) -> bool {
    if word.is_ascii() {
        list.iter().any(|w| word.eq_ignore_ascii_case(w))
    } else {
        list.contains(&word.to_lowercase().as_str())
    }
}

/// Words that open a figure caption written as a paragraph (`Figure 3: …`, `Abb. 2: …`).
const CAPTION_WORDS: &[&str] = &[
    "figure",
    "fig",
    "abbildung",
    "abb",
    "grafik",
    "schaubild",
    "figura",
    "rysunek",
    "rys",
];

/// Captions are short: a sentence or two.
const CAPTION_BYTES: usize = 250;

/// Whether a line is a figure caption: a caption word, an optional number, then `:`.
fn is_caption(text: &str) -> bool {
    let t = text.trim();
    let end = t.find(|c: char| !c.is_alphabetic()).unwrap_or(t.len());
    let (word, rest) = t.split_at(end);
    if word.len() > MAX_CUE_WORD || !in_list(word, CAPTION_WORDS) {
        return false;
    }
    let rest = rest.trim_start_matches('.').trim_start();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    rest.trim_start().starts_with(':')
}

fn drop_captions(lines: &Lines, keep: &mut [bool]) {
    for (i, l) in lines.lines.iter().enumerate() {
        if keep[i]
            && !l.structured
            && l.heading == 0
            && l.text_bytes < CAPTION_BYTES
            && is_caption(bare(lines.text(i)))
        {
            keep[i] = false;
        }
    }
}

fn drop_credits(lines: &Lines, keep: &mut [bool]) {
    for (i, l) in lines.lines.iter().enumerate() {
        if !keep[i] || l.structured || l.text_bytes >= META_BYTES {
            continue;
        }
        let t = lines.text(i);
        if is_credit(bare(t)) || is_ad_label(t) || is_comment_label(t) {
            keep[i] = false;
        }
    }
}

fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Text of a line without Markdown marks.
fn bare(text: &str) -> &str {
    text.trim_start_matches(['#', '>', ' ', '-', '|'])
}

fn drop_headline(lines: &Lines, title: Option<&str>, keep: &mut [bool]) {
    let title = title.map(norm).unwrap_or_default();
    // Only the top of the content: a headline further down is a section heading.
    let first_prose = first_prose(lines).unwrap_or(lines.lines.len());
    for (i, l) in lines.lines.iter().enumerate().take(first_prose) {
        if l.heading == 0 {
            continue;
        }
        let h = norm(bare(lines.text(i)));
        if h.chars().count() < 8 {
            continue;
        }
        if (!title.is_empty() && (title.contains(&h) || h.contains(&title))) || l.heading == 1 {
            keep[i] = false;
            return;
        }
    }
}

fn first_prose(lines: &Lines) -> Option<usize> {
    lines
        .lines
        .iter()
        .position(|l| l.heading == 0 && l.text_bytes >= PROSE_BYTES && l.link_density() < 0.5)
}

/// A year (1900–2099) or a clock time `h:mm`.
fn looks_dated(s: &str) -> bool {
    let b = s.as_bytes();
    for i in 0..b.len() {
        let start_ok = i == 0 || !b[i - 1].is_ascii_digit();
        if !start_ok {
            continue;
        }
        if i + 4 <= b.len()
            && (b[i..].starts_with(b"19") || b[i..].starts_with(b"20"))
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            return true;
        }
        let h = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if (1..=2).contains(&h)
            && b.get(i + h) == Some(&b':')
            && b.get(i + h + 1).is_some_and(|c| c.is_ascii_digit())
            && b.get(i + h + 2).is_some_and(|c| c.is_ascii_digit())
        {
            return true;
        }
    }
    false
}

/// Last words of the labels of a page's own dates (`Stand:`, `Zuletzt aktualisiert:`,
/// `Published:`); an event's date (`Termin:`) is the article's.
const DATE_LABEL_WORDS: &[&str] = &[
    "aktualisiert",
    "bearbeitet",
    "data",
    "date",
    "datum",
    "erstellt",
    "fecha",
    "geändert",
    "modified",
    "posted",
    "publicado",
    "published",
    "publié",
    "stand",
    "updated",
    "veröffentlicht",
];

/// A line that is only a date (`16 marca 2021`, `05. Februar 2020`, `Nov. 3, 2019`): a day,
/// a month's name and a year; or a date labelled as the page's (`Stand: 05.02.2020`,
/// `Updated: May 3, 2021`), where the label also says that the digits are not a phone
/// number.
fn is_date_line(t: &str) -> bool {
    // Most lines have no digit: a byte scan settles them.
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    if let Some((label, rest)) = t.split_once(':') {
        // One or two words, the last a date word (`Stand`, `zuletzt bearbeitet`).
        let mut words = label.split_whitespace().rev();
        let last = words.next();
        let label_ok = words.nth(1).is_none()
            && last.is_some_and(|w| w.len() <= MAX_CUE_WORD && in_list(w, DATE_LABEL_WORDS));
        return label_ok && (is_named_date(rest) || is_numeric_date(rest));
    }
    is_named_date(t)
}

/// A day, a month's name and a year, in any order, and nothing else.
fn is_named_date(t: &str) -> bool {
    let (mut month, mut day, mut year) = (false, false, false);
    let mut count = 0;
    for w in t.split_whitespace() {
        count += 1;
        let w = w.trim_end_matches(['.', ',']);
        if !month && super::metadata::month_number(w).is_some() {
            month = true;
        } else if w.len() <= 2 && w.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)) {
            day = true;
        } else if w.len() == 4 && looks_dated(w) {
            year = true;
        } else {
            return false;
        }
    }
    month && day && year && count == 3
}

/// `05.02.2020`, `2020-02-05` or `5/2/2020`, optionally with a clock time after it.
fn is_numeric_date(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let Some(date) = words.next() else {
        return false;
    };
    let date = date.trim_end_matches([',', '.']);
    let parts: Vec<&str> = date.split(['.', '/', '-']).collect();
    let digits = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = words.all(|w| {
        w.bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
            || matches!(w, "Uhr" | "h" | "am" | "pm" | "AM" | "PM" | "um")
    });
    digits && looks_dated(date) && rest_ok
}

/// Date lines anywhere in the text: when it was published, set between its paragraphs.
fn drop_date_lines(lines: &Lines, keep: &mut [bool]) {
    for (i, l) in lines.lines.iter().enumerate() {
        if keep[i]
            && !l.structured
            && l.heading == 0
            && l.text_bytes < META_BYTES
            && is_date_line(bare(lines.text(i)).trim())
        {
            keep[i] = false;
        }
    }
}

fn is_byline(s: &str) -> bool {
    let lower = s.trim_start().to_lowercase();
    ["by ", "von ", "por ", "par ", "door ", "di ", "av "]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn drop_leading_meta(lines: &Lines, keep: &mut [bool]) {
    let Some(first) = first_prose(lines) else {
        return;
    };
    for (i, l) in lines.lines.iter().enumerate().take(first) {
        if l.structured || l.heading > 0 || l.text_bytes >= META_BYTES {
            continue;
        }
        let t = bare(lines.text(i)).trim();
        if t.ends_with(['.', '!', '?']) {
            continue;
        }
        // A link above the text is a way back or a section name (`‹ News`, `Wirtschaft`).
        if looks_dated(t) || is_byline(t) || l.link_density() >= LINK_LINE {
            keep[i] = false;
        }
    }
}

fn is_link_line(lines: &Lines, i: usize) -> bool {
    let l = &lines.lines[i];
    l.text_bytes > 0 && l.text_bytes < LINK_LIST_BYTES && l.link_density() >= LINK_LINE
}

/// A cross-link set in the text: a short lead-in (`Read more:`, `Lesen Sie auch:`,
/// `Czytaj też:`) and then a linked headline, which makes most of the line.
fn is_read_more(lines: &Lines, i: usize) -> bool {
    let l = &lines.lines[i];
    if l.structured || l.heading > 0 || l.text_bytes >= LINK_LIST_BYTES + 90 {
        return false;
    }
    // The lead-in is not part of the link: a line that is all link is a linked title that
    // has a colon in it.
    let ld = l.link_density();
    if !(0.5..0.98).contains(&ld) {
        return false;
    }
    let t = bare(lines.text(i)).trim();
    // A headline, not a sentence.
    if t.ends_with(['.', '!']) {
        return false;
    }
    let Some(colon) = t.find([':', '»', '›']) else {
        return false;
    };
    let after = t[colon..].trim_start_matches([':', '»', '›']);
    // A URL (`http://…`) or a handle (`Account: @name`) is not a lead-in.
    if after.starts_with("//") || after.trim_start().starts_with('@') {
        return false;
    }
    let lead = &t[..colon];
    let words = lead.split_whitespace().count();
    (1..=4).contains(&words) && lead.len() <= 40 && !lead.contains(['.', ',', '?', '!'])
}

fn drop_read_more(lines: &Lines, keep: &mut [bool]) {
    for (i, k) in keep.iter_mut().enumerate() {
        if *k && is_read_more(lines, i) {
            *k = false;
        }
    }
}

fn drop_link_runs(lines: &Lines, keep: &mut [bool]) {
    let n = lines.lines.len();
    let mut i = 0;
    while i < n {
        if !is_link_line(lines, i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_link_line(lines, i) {
            i += 1;
        }
        if i - start >= LINK_RUN {
            keep[start..i].iter_mut().for_each(|k| *k = false);
            // The list's heading or lead-in goes with it.
            if start > 0 {
                let p = &lines.lines[start - 1];
                let t = bare(lines.text(start - 1)).trim_end();
                if p.heading > 0 || (p.text_bytes < META_BYTES && t.ends_with([':', '…'])) {
                    keep[start - 1] = false;
                }
            }
        }
    }
}

/// A short line that introduces what follows: `Related:`, `Read more…`. A trailing ellipsis
/// alone also ends sentences, so it marks a lead-in only on a link or on a few words.
fn is_lead_in(t: &str, link_density: f32) -> bool {
    t.ends_with(':')
        || ((t.ends_with('…') || t.ends_with("..."))
            && (link_density > 0.0 || t.split_whitespace().count() <= 3))
}

fn drop_tail(lines: &Lines, keep: &mut [bool]) {
    let mut i = lines.lines.len();
    while i > 0 {
        i -= 1;
        if !keep[i] {
            continue;
        }
        let l = &lines.lines[i];
        if l.structured {
            break;
        }
        let t = bare(lines.text(i)).trim_end();
        let marks_only = l.text_bytes == 0;
        let lead_in = l.text_bytes < META_BYTES && is_lead_in(t, l.link_density());
        let link = l.text_bytes < LINK_LIST_BYTES && l.link_density() > 0.5;
        // A date line after the text: when it was published or last changed (with a word:
        // digits alone may be a phone number).
        let dated = l.text_bytes < META_BYTES
            && !t.ends_with(['.', '!', '?'])
            && t.chars().any(char::is_alphabetic)
            && looks_dated(t);
        if l.heading > 0 || lead_in || link || marks_only || dated {
            keep[i] = false;
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::render::Line;
    use super::*;

    /// A line of article prose.
    const PROSE: &str = "The council met on Monday and decided to postpone the vote on the bridge until the spring, when the new budget is known.";

    /// Lines of (text, bytes of it inside links).
    fn lines(spec: &[(&str, usize)]) -> Lines {
        let mut buf = String::new();
        let mut out = Vec::new();
        for &(t, link) in spec {
            let start = buf.len();
            buf.push_str(t);
            out.push(Line {
                start,
                end: buf.len(),
                link_bytes: link,
                text_bytes: t.len(),
                heading: 0,
                para: true,
                structured: false,
            });
        }
        Lines { buf, lines: out }
    }

    #[test]
    fn read_more_lines_go_and_linked_titles_and_urls_stay() {
        let prose = PROSE;
        let l = lines(&[
            (prose, 0),
            ("Read more: Council postpones the budget again", 34),
            (prose, 0),
            ("Presse: Studie zweifelt an Stuetze vom Staat", 44),
            (prose, 0),
            ("http://amzn.to/2iJFhRj", 20),
            (prose, 0),
            ("Pro tip: Get more meal ideas here!", 20),
            (prose, 0),
        ]);
        let keep = keep_lines(&l, None, false);
        assert_eq!(
            keep,
            vec![true, false, true, true, true, true, true, true, true]
        );
    }

    #[test]
    fn a_contact_block_after_the_text_goes() {
        let prose = PROSE;
        let spec = [
            (prose, 0),
            ("Pressekontakt:", 0),
            ("Dr. Jane Doe", 0),
            ("Tel.: 0228-999582-5777", 0),
        ];
        let keep = keep_lines(&lines(&spec), None, false);
        assert_eq!(keep, vec![true, false, false, false]);
        // Prose after it: the word heads a section of the article.
        let spec = [(prose, 0), ("Contact", 0), (prose, 0)];
        assert_eq!(keep_lines(&lines(&spec), None, false), vec![true; 3]);
        assert!(is_contact_head("Media contact:"));
        assert!(!is_contact_head("Contact us for more"));
    }

    #[test]
    fn a_note_about_the_author_after_the_text_goes() {
        let prose = PROSE;
        let spec = [
            (prose, 0),
            (prose, 0),
            ("Über den Autor", 0),
            (
                "Jossi Loibl (born 1962) has written about wine for more than 25 years.",
                0,
            ),
        ];
        let keep = keep_lines(&lines(&spec), None, false);
        assert_eq!(keep, vec![true, true, false, false]);
        // Far from the end, the word is the article's.
        let mut spec = vec![(prose, 0), ("Author", 0)];
        spec.extend(std::iter::repeat_n((prose, 0), 6));
        assert!(keep_lines(&lines(&spec), None, false).iter().all(|&k| k));
    }

    #[test]
    fn a_related_links_heading_near_the_end_goes_with_its_teasers() {
        let prose = PROSE;
        let teaser = "The city had complained about the slow proceedings as early as the summer of 2017, when the first report came out.";
        let spec = [
            (prose, 0),
            (prose, 0),
            (prose, 0),
            (prose, 0),
            ("Das könnte Sie auch interessieren", 0),
            (teaser, 0),
        ];
        let keep = keep_lines(&lines(&spec), None, false);
        assert_eq!(keep, vec![true, true, true, true, false, false]);
        // Followed by much of the text, the heading introduced a link that was removed.
        let spec = [(prose, 0), ("Leggi anche", 0), (prose, 0), (prose, 0)];
        assert!(keep_lines(&lines(&spec), None, false)[2..]
            .iter()
            .all(|&k| k));
    }

    #[test]
    fn a_link_above_the_text_goes() {
        let prose = PROSE;
        let keep = keep_lines(
            &lines(&[
                ("‹ Back to News", 14),
                (prose, 0),
                ("See the budget", 14),
                (prose, 0),
            ]),
            None,
            false,
        );
        // Below the first prose line, a link line is the text's own.
        assert_eq!(keep, vec![false, true, true, true]);
    }

    #[test]
    fn a_date_line_after_the_text_goes_and_a_phone_number_stays() {
        let prose = PROSE;
        let keep = keep_lines(
            &lines(&[(prose, 0), ("Publiziert: 03.04.2020, 12:35", 0)]),
            None,
            false,
        );
        assert_eq!(keep, vec![true, false]);
        let keep = keep_lines(&lines(&[(prose, 0), ("+81 158-23-2012", 0)]), None, false);
        assert_eq!(keep, vec![true, true]);
    }

    #[test]
    fn dates_and_bylines() {
        assert!(looks_dated("Updated Nov 19, 9:41 AM"));
        assert!(is_ad_label("Anzeige, enthält Affiliate Links"));
        assert!(is_ad_label("*Werbung. Dieser Beitrag enthält Werbung."));
        assert!(is_ad_label("- Anzeige-"));
        assert!(is_ad_label("Advertisement"));
        assert!(!is_ad_label("Anzeige gegen Unbekannt wurde erstattet."));
        assert!(!is_ad_label("Advertisements were everywhere:"));
        assert!(is_comment_label("3 Kommentare"));
        for w in AD_LABEL_WORDS.iter().chain(COMMENT_LABEL_WORDS) {
            assert!(LABEL_WORD_BYTES.contains(&w.len()), "{w}");
        }
        assert!(is_comment_label("Comments (12)"));
        assert!(is_comment_label("Kommentare insgesamt: 0"));
        assert!(!is_comment_label("Comments are closed."));
        assert!(is_date_line("16 marca 2021"));
        assert!(is_date_line("05. Februar 2020"));
        assert!(is_date_line("Aug. 16, 2020"));
        assert!(!is_date_line("Juni 2016"));
        assert!(!is_date_line("3 Folgen, 2015"));
        assert!(!is_date_line("4:14 p.m."));
        assert!(!is_date_line("+81 158-23-2012"));
        assert!(is_date_line("Stand: 05. Februar 2020"));
        assert!(is_date_line("Updated: 12.03.2021, 14:05 Uhr"));
        assert!(!is_date_line("Tel.: 0228-999582-5777"));
        assert!(!is_date_line("Hotline: 0800 2020 2020"));
        assert!(!is_date_line("Termin: 29.02.2020, 19 Uhr"));
        assert!(looks_dated("22 de janeiro de 2018"));
        assert!(!looks_dated("room 12345 and 3:5"));
        assert!(is_byline("By Jane Doe"));
        assert!(!is_byline("Bylaws were changed"));
        assert!(is_credit("Foto: Ingo Pertramer"));
        assert!(is_credit("(Image: GETTY )"));
        assert!(is_credit("Beitragsbild"));
        assert!(!is_credit("Photos of the event are online."));
        assert!(is_credit("\u{a9} Oli Scarff/Getty Images"));
        assert!(is_credit("Copyright: Gisele Wender"));
        assert!(!is_credit("Copyright law was changed in 2019."));
        assert!(is_caption("Figure 10: Changing Font Size of Legend Text."));
        assert!(is_caption("Abbildung: Vergleich auf dem Aletschgletscher."));
        assert!(is_caption("Abb. 3: Karte"));
        assert!(!is_caption("Figure skating is a sport: on ice."));
        assert!(!is_caption("Figures show a rise of 3%."));
        assert!(is_credit("FOTO: dpa"));
        // Lowercasing changes the byte length of some letters: no slicing inside a char.
        assert!(!is_credit("\u{23a}\u{23a}\u{23a}\u{23a}: x"));
        assert!(!is_caption("\u{23a}\u{23a}\u{23a}\u{23a}: x"));
        assert!(!is_credit("\u{130}\u{130} \u{23a}: x"));
        assert!(!is_credit("\u{23a}\u{23a}\u{23a}: \u{e9}"));
        assert!(!is_caption("\u{23a}\u{23a}\u{23a}: \u{e9}"));
    }
}
