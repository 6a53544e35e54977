//! Fuzzes the native main-content extractor: bytes → `decode_html` → `NativeExtractor` (plain
//! text, and Markdown with tables, lists and captions) and `page_metadata`. Any panic,
//! overflow or hang is a bug, and:
//!
//! - the output is bounded by the input: plain text at most 2× the decoded input plus 1 KiB
//!   (it adds only line breaks and spaces; a few character references decode longer than
//!   written), Markdown at most 8× plus 1 KiB with runs of spaces counted as one (it adds
//!   marks: up to eight `> ` per line inside quotes, `###### `, `---`, `N. `, `| --- |` rows,
//!   code fences, blank lines; a `<hr>` inside eight quotes is 4 bytes of markup for 21 of
//!   output). Runs of spaces are collapsed for the Markdown bound because the indentation of
//!   nested ordered lists is not bounded by anything (a known bug: 51 KB of nested `<ol>`
//!   give 7.5 MB; see `nested_ordered_lists_markdown_bounded` in
//!   `crates/thresher-extract/tests/native_hostile.rs`);
//! - every non-whitespace character of the plain output occurs in the decoded input or is
//!   produced by a character reference written in it, up to Unicode normalisation (the text
//!   is put in NFC; the extractor invents no text); the
//!   Markdown output may add only its marks (`#`, `-`, `>`, `|`, `` ` ``, `.`, digits);
//! - the plain output has no blank lines, and `Extractor::extract` returns the same text as
//!   `main_text`;
//! - metadata strings are bounded ([`MAX_CHARS`] characters, +1 for a known off-by-one;
//!   dates are `YYYY-MM-DD`).
//!
//! Input: the page bytes, decoded as a crawler would (no HTTP Content-Type).

#![no_main]

use libfuzzer_sys::fuzz_target;
use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use std::collections::HashSet;
use std::sync::OnceLock;
use thresher_extract::native::metadata::{page_metadata, MAX_CHARS};
use thresher_extract::native::RenderOptions;
use thresher_extract::{decode_html, Extractor, NativeExtractor};

struct Extractors {
    plain: NativeExtractor,
    markdown: NativeExtractor,
}

static EXTRACTORS: OnceLock<Extractors> = OnceLock::new();

/// Characters a numeric character reference with this value can produce (the WHATWG
/// fix-ups: 0, surrogates and out-of-range values become U+FFFD, C1 controls mostly their
/// windows-1252 characters).
fn numeric_chars(v: u32, out: &mut HashSet<char>) {
    out.insert('\u{fffd}');
    if let Some(c) = char::from_u32(v) {
        out.insert(c);
    }
    if (0x80..=0x9f).contains(&v) {
        if let Some(c) = C1_REPLACEMENTS[(v - 0x80) as usize] {
            out.insert(c);
        }
    }
}

/// Every character any character reference in `s` could decode to (over-approximated: every
/// named-entity prefix that is in the table counts).
fn ref_chars(s: &str) -> HashSet<char> {
    let b = s.as_bytes();
    let mut out = HashSet::new();
    for (amp, _) in s.match_indices('&') {
        let rest = &b[amp + 1..];
        if rest.first() == Some(&b'#') {
            let (radix, start) = match rest.get(1) {
                Some(b'x' | b'X') => (16, 2),
                _ => (10, 1),
            };
            let mut v: u32 = 0;
            let mut i = start;
            while let Some(d) = rest.get(i).and_then(|&c| (c as char).to_digit(radix)) {
                v = v.saturating_mul(radix).saturating_add(d);
                i += 1;
            }
            if i > start {
                numeric_chars(v, &mut out);
            }
            continue;
        }
        let mut end = 0;
        while end < rest.len()
            && end < 40
            && (rest[end].is_ascii_alphanumeric() || rest[end] == b';')
        {
            end += 1;
            if let Ok(key) = std::str::from_utf8(&rest[..end]) {
                if let Some(&(c1, c2)) = NAMED_ENTITIES.get(key) {
                    for c in [c1, c2] {
                        if c != 0 {
                            out.insert(char::from_u32(c).unwrap_or('\u{fffd}'));
                        }
                    }
                }
            }
            if rest[end - 1] == b';' {
                break;
            }
        }
    }
    out
}

/// The canonical decomposition (NFD) of `c`.
fn nfd(c: char) -> Vec<char> {
    icu_normalizer::DecomposingNormalizerBorrowed::new_nfd()
        .normalize(c.encode_utf8(&mut [0; 4]))
        .chars()
        .collect()
}

fn check_chars(out: &str, html: &str, extra: &str, what: &str) {
    let mut refs: Option<HashSet<char>> = None;
    let mut input: Option<HashSet<char>> = None;
    for c in out.chars() {
        if c.is_whitespace() || extra.contains(c) {
            continue;
        }
        let input = input.get_or_insert_with(|| html.chars().collect());
        if input.contains(&c) {
            continue;
        }
        let refs = refs.get_or_insert_with(|| {
            let mut r = ref_chars(html);
            // The text is put in NFC: a character may come out decomposed (a composition
            // exclusion), so the decompositions of what the input has count as its.
            let from: Vec<char> = input.iter().chain(r.iter()).copied().collect();
            for k in from {
                r.extend(nfd(k));
            }
            r
        });
        if refs.contains(&c) {
            continue;
        }
        // Or composed by NFC from characters the input has.
        assert!(
            nfd(c).iter().all(|d| input.contains(d) || refs.contains(d)),
            "{what}: output character {c:?} (U+{:04X}) is neither in the input nor from a \
             character reference",
            c as u32
        );
    }
}

/// Length of `s` with every run of spaces counted as one byte.
fn collapsed_len(s: &str) -> usize {
    let b = s.as_bytes();
    b.len()
        - b.windows(2)
            .filter(|w| w[0] == b' ' && w[1] == b' ')
            .count()
}

fn bounded(s: &Option<String>, max: usize, what: &str) {
    if let Some(s) = s {
        let n = s.chars().count();
        assert!(n <= max, "{what}: {n} characters");
    }
}

fn is_ymd(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fuzz_target!(|data: &[u8]| {
    let ex = EXTRACTORS.get_or_init(|| Extractors {
        plain: NativeExtractor::with_render(RenderOptions::default()),
        markdown: NativeExtractor::with_render(RenderOptions {
            markdown: true,
            tables: true,
            lists: true,
            captions: true,
            images: true,
        }),
    });
    let decoded = decode_html(data, None);
    let html = decoded.text.as_str();
    let plain = ex.plain.main_text(html);
    assert!(
        plain.len() <= 2 * html.len() + 1024,
        "plain: {} bytes from {}",
        plain.len(),
        html.len()
    );
    assert!(!plain.contains("\n\n"), "plain output has a blank line");
    check_chars(&plain, html, "", "plain");

    let md = ex.markdown.main_text(html);
    let collapsed = collapsed_len(&md);
    assert!(
        collapsed <= 8 * html.len() + 1024,
        "markdown: {collapsed} bytes (spaces collapsed) from {}",
        html.len()
    );
    check_chars(&md, html, "#->|`.0123456789", "markdown");

    let url = "https://example.com/2020/05/17/page.html";
    let e = ex
        .plain
        .extract(html, Some(url))
        .expect("native never fails");
    assert_eq!(e.text, plain);

    let m = page_metadata(html, Some(url));
    for (v, what) in [
        (&m.title, "title"),
        (&m.author, "author"),
        (&m.sitename, "sitename"),
        (&m.description, "description"),
        (&m.canonical_url, "canonical_url"),
        (&m.image, "image"),
        (&m.page_type, "page_type"),
        (&m.language_hint, "language_hint"),
    ] {
        // +1: known off-by-one in metadata.rs `TextBuf::push_plain` (a due space and the next
        // character are both written after one length check); see
        // `metadata_strings_capped` in crates/thresher-extract/tests/native_hostile.rs.
        bounded(v, MAX_CHARS + 1, what);
    }
    assert!(m.tags.len() <= 100 && m.categories.len() <= 100);
    for t in m.tags.iter().chain(&m.categories) {
        assert!(t.chars().count() <= MAX_CHARS + 1);
    }
    for d in [&m.date, &m.modified].into_iter().flatten() {
        assert!(is_ymd(d), "date {d:?}");
    }
    assert_eq!(e.title, m.title);
    assert_eq!(e.date, m.date);
});
