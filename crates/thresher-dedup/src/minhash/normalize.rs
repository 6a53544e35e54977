//! datatrove's `simplify_text` with its default `TextNormConfig` (the one FineWeb's MinHash
//! uses), reproduced character for character as Python 3.11 computes it:
//!
//! 1. `str.lower()` (full Unicode lowercasing, Final_Sigma context for `Σ`);
//! 2. every match of `\p{Nd}+([.,،٫⎖⎗⎘]\p{Nd}+)?` (the `regex` module) → `"0"`;
//! 3. each character of datatrove's `PUNCTUATION` → a space (`str.translate`);
//! 4. `strip()`, then each run of `\s` (Python's `str.isspace`) → one space;
//! 5. NFD, dropping every character of category `Mn`;
//! 6. `strip()`.
//!
//! Steps 1–4 are one pass over the text: lowering never creates or removes a digit, a number
//! separator, punctuation or whitespace, so each can be decided on the original character
//! (`tests::lowering_keeps_classes` checks this for every code point). Step 5 only runs when
//! the text has a character from U+00C0 on (below, nothing decomposes or is `Mn`).
//!
//! datatrove's optional weekday and month-name replacements are off in its default
//! configuration (and FineWeb's), so they are not implemented.
//!
//! Python 3.11 carries Unicode 14.0; the tables used here (Rust's `char::to_lowercase`, ICU4X)
//! are newer. Characters assigned after 14.0 that would be treated differently are listed in
//! [`NEWER_THAN_PY311`] and behave as unassigned (no case, no decomposition, not `Mn`,
//! combining class 0), as they do in Python. The test `matches_python_per_code_point` checks
//! every code point against what the oracle's interpreter does
//! (`tests/fixtures/unicode_py311.json.gz`).

use icu_normalizer::DecomposingNormalizerBorrowed;
use icu_properties::props::{CaseIgnorable, Cased, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

/// `simplify_text(text)` as a new string. See the module docs.
pub fn simplify_text(text: &str) -> String {
    let mut out = String::new();
    let mut scratch = String::new();
    simplify_text_into(text, &mut out, &mut scratch);
    out
}

/// `simplify_text(text)` into `out` (cleared first); `scratch` is working space. Reusing both
/// across calls avoids allocating per document.
pub fn simplify_text_into(text: &str, out: &mut String, scratch: &mut String) {
    // Built as bytes (pushing a byte is cheaper than pushing a `char`); only whole UTF-8
    // sequences are written, so turning them back into a `String` cannot fail.
    let mut buf = std::mem::take(out).into_bytes();
    buf.clear();
    let non_ascii = lower_numbers_punct_space(text, &mut buf);
    *out = bytes_to_string(buf);
    // Below U+00C0 (lead byte 0xC3) no character decomposes or is `Mn`: then NFD and Mn
    // removal change nothing, and step 4 left no space at the ends.
    if !non_ascii || find_byte_at_least(out.as_bytes(), 0, 0xC3) == out.len() {
        return;
    }
    scratch.clear();
    nfd_into(out, scratch);
    out.clear();
    push_without_mn(scratch, out);
    // Removing marks can leave a space at either end (a "word" made only of marks).
    let trimmed = out.trim_matches(is_py_space);
    if trimmed.len() != out.len() {
        let start = trimmed.as_ptr() as usize - out.as_ptr() as usize;
        let end = start + trimmed.len();
        out.truncate(end);
        out.drain(..start);
    }
}

/// The first index from `from` whose byte is at least `min`, or `bytes.len()`.
fn find_byte_at_least(bytes: &[u8], from: usize, min: u8) -> usize {
    let mut i = from;
    // 32 bytes at a time, without early exit inside a chunk, so that it vectorises.
    while let Some(chunk) = bytes.get(i..i + 32) {
        if chunk.iter().fold(false, |any, &b| any | (b >= min)) {
            break;
        }
        i += 32;
    }
    while i < bytes.len() && bytes[i] < min {
        i += 1;
    }
    i
}

fn bytes_to_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        // Unreachable (see the callers); lossy rather than a panic.
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Appends `text` to `out` without its characters of category `Mn`.
fn push_without_mn(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let (mut i, mut kept_from) = (0, 0);
    loop {
        // Characters below U+0300 are never `Mn`; a byte >= 0xCC can only be the lead byte of
        // a character from U+0300 on, so the search may start anywhere.
        i = find_byte_at_least(bytes, i, 0xCC);
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        if is_mn(c) {
            out.push_str(&text[kept_from..i]);
            kept_from = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    out.push_str(&text[kept_from..]);
}

/// Byte classes for the first pass.
const SEPARATOR: u8 = 0;
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
const NON_ASCII: u8 = 3;
static BYTE_CLASS: [u8; 256] = {
    // Every ASCII character that is not a letter or a digit is punctuation, a control
    // character or whitespace, all of which become separators.
    let mut t = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = SEPARATOR;
        let c = b as u8;
        if c.is_ascii_alphabetic() {
            t[b] = LETTER;
        } else if c.is_ascii_digit() {
            t[b] = DIGIT;
        }
        b += 1;
    }
    t
};

/// What an ASCII letter or separator becomes: its lowercase, or a space.
static ASCII_OUT: [u8; 128] = {
    let mut t = [b' '; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphabetic() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Steps 1–4 (see the module docs) in one pass: words separated by single spaces, none at
/// either end. Returns whether anything non-ASCII was written.
///
/// Letters and separators (most of the text) take a branch-free path: every byte is written
/// at `len`, and `len` only advances past a space when the byte before was not one.
fn lower_numbers_punct_space(text: &str, out: &mut Vec<u8>) -> bool {
    let bytes = text.as_bytes();
    // Invariant: `out.len() > len + bytes.len() - i`, so that the fast path (one byte out per
    // byte in) always has room; the slow path restores it after writing more than it read.
    out.clear();
    out.resize(bytes.len() + 1, 0);
    let mut len = 0;
    // "The last byte written is a space"; true at the start so that leading separators
    // vanish (nothing is written until a character comes).
    let mut last_sep = true;
    let mut non_ascii = false;
    let mut i = 0;
    let mut piece = Vec::with_capacity(8);
    while i < bytes.len() {
        let b = bytes[i];
        let class = BYTE_CLASS[b as usize];
        if class <= LETTER {
            let sep = class == SEPARATOR;
            if let Some(slot) = out.get_mut(len) {
                *slot = ASCII_OUT[(b & 0x7f) as usize];
            }
            len += usize::from(!(sep && last_sep));
            last_sep = sep;
            i += 1;
            continue;
        }
        // Digits and non-ASCII characters: find what they become.
        piece.clear();
        if class == DIGIT {
            i = skip_number(text, i);
            piece.push(b'0');
        } else {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            if is_nd(c) {
                // Digits first: numbers are replaced before punctuation (U+FF11 is both).
                i = skip_number(text, i);
                piece.push(b'0');
            } else if is_punct(c) || is_py_space(c) {
                i += c.len_utf8();
                if !last_sep {
                    piece.push(b' ');
                }
            } else {
                if c == 'Σ' {
                    push_char(if final_sigma(text, i) { 'ς' } else { 'σ' }, &mut piece);
                    non_ascii = true;
                } else {
                    non_ascii |= push_lower(c, &mut piece);
                }
                i += c.len_utf8();
            }
        }
        if piece.is_empty() {
            continue;
        }
        last_sep = piece == b" ";
        let need = len + piece.len() + (bytes.len() - i) + 1;
        if out.len() < need {
            out.resize(need, 0);
        }
        if let Some(dst) = out.get_mut(len..len + piece.len()) {
            dst.copy_from_slice(&piece);
        }
        len += piece.len();
    }
    // A separator at the end left one space.
    if last_sep && len > 0 {
        len -= 1;
    }
    out.truncate(len);
    non_ascii
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut tmp = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
}

/// The end of the number match starting at byte `i` (a decimal digit): digits, then
/// optionally one separator followed by more digits.
fn skip_number(text: &str, i: usize) -> usize {
    let end = skip_digits(text, i);
    let Some(sep) = text[end..].chars().next() else {
        return end;
    };
    if !matches!(sep, '.' | ',' | '،' | '٫' | '⎖' | '⎗' | '⎘') {
        return end;
    }
    let after = end + sep.len_utf8();
    let end2 = skip_digits(text, after);
    if end2 > after {
        end2
    } else {
        end
    }
}

/// The end of the run of decimal digits (`\p{Nd}`) starting at byte `i`.
fn skip_digits(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            i += 1;
        } else if b.is_ascii() {
            break;
        } else {
            match text[i..].chars().next() {
                Some(c) if is_nd(c) => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    i
}

/// Python's Final_Sigma rule for the `Σ` at byte `i`: preceded by a cased character and not
/// followed by one, case-ignorable characters in between being skipped on both sides.
fn final_sigma(text: &str, i: usize) -> bool {
    let before = text[..i].chars().rev().find(|&c| !is_case_ignorable(c));
    if !before.is_some_and(is_cased) {
        return false;
    }
    let after = text[i + 'Σ'.len_utf8()..]
        .chars()
        .find(|&c| !is_case_ignorable(c));
    !after.is_some_and(is_cased)
}

/// Python's `str.lower()` of one non-ASCII character other than `Σ`; returns whether
/// anything non-ASCII was written.
pub(crate) fn push_lower(c: char, out: &mut Vec<u8>) -> bool {
    if is_newer_than_py311(c) {
        push_char(c, out);
        return true;
    }
    let mut non_ascii = false;
    for l in c.to_lowercase() {
        non_ascii |= !l.is_ascii();
        push_char(l, out);
    }
    non_ascii
}

/// NFD of `text` appended to `out`, treating characters newer than Python 3.11's Unicode as
/// unassigned starters (so they are neither decomposed nor reordered).
fn nfd_into(text: &str, out: &mut String) {
    let nfd = DecomposingNormalizerBorrowed::new_nfd();
    let bytes = text.as_bytes();
    let (mut i, mut from) = (0, 0);
    loop {
        // Every such character is at least U+0558 (lead byte 0xD5).
        i = find_byte_at_least(bytes, i, 0xD5);
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        if is_newer_than_py311(c) {
            push_nfd(&nfd, &text[from..i], out);
            out.push(c);
            from = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    push_nfd(&nfd, &text[from..], out);
}

fn push_nfd(nfd: &DecomposingNormalizerBorrowed<'static>, text: &str, out: &mut String) {
    // Writing into a String cannot fail.
    let _ = nfd.normalize_to(text, out);
}

/// A character of datatrove's `PUNCTUATION` (translated to a space). Beyond these, the
/// ASCII punctuation and the C0/C1 controls other than tab and newline.
pub(crate) fn is_punct(c: char) -> bool {
    match c {
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        _ if c.is_ascii_punctuation() => true,
        '«' | '´' | '»' | '–' | '—' | '’' | '“' | '”' | '„' | '…' | '∶' | '━' | '►' | '、'
        | '。' | '〈' | '〉' | '《' | '》' | '「' | '」' | '【' | '】' | '！' | '％' | '（'
        | '）' | '，' | '．' | '１' | '：' | '；' | '？' | '～' => true,
        _ => false,
    }
}

/// Python's `str.isspace()`: bidirectional class WS, B or S, or category Zs.
pub(crate) fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// `\p{Nd}` as the `regex` module matches it.
pub(crate) fn is_nd(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::DecimalNumber
}

/// Category `Mn` in Python 3.11's `unicodedata`.
pub(crate) fn is_mn(c: char) -> bool {
    (CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::NonspacingMark
        && !is_newer_than_py311(c))
        || c == AHOM_MEDIAL_RA
}

/// `Cased` as Python 3.11's `str.lower` sees it.
fn is_cased(c: char) -> bool {
    (CodePointSetData::new::<Cased>().contains(c) && !is_newer_than_py311(c)) || c == PHARYNGEAL
}

/// `Case_Ignorable` as Python 3.11's `str.lower` sees it.
fn is_case_ignorable(c: char) -> bool {
    (CodePointSetData::new::<CaseIgnorable>().contains(c) && !is_newer_than_py311(c))
        || c == AHOM_MEDIAL_RA
}

// The two characters whose properties changed after Unicode 14.0 in a way that matters here:
// U+1171E was `Mn` (hence case-ignorable) and became `Mc`; U+0295 was `Ll` (hence cased) and
// became `Lo`.
const AHOM_MEDIAL_RA: char = '\u{1171E}';
const PHARYNGEAL: char = '\u{295}';

/// Whether `c` is one of [`NEWER_THAN_PY311`].
pub(crate) fn is_newer_than_py311(c: char) -> bool {
    let c = c as u32;
    if c < NEWER_THAN_PY311[0].0 {
        return false;
    }
    NEWER_THAN_PY311
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

/// Code points (inclusive ranges, sorted) that are unassigned in Unicode 14.0 (Python 3.11)
/// but that the newer Unicode tables used here would lowercase, decompose, reorder, count as
/// `Mn`, or count as cased or case-ignorable: every such difference that
/// `tests::matches_python_per_code_point` finds.
pub const NEWER_THAN_PY311: &[(u32, u32)] = &[
    (0x558, 0x558),
    (0x58B, 0x58C),
    (0x5C8, 0x5C9),
    (0x897, 0x897),
    (0xB53, 0xB54),
    (0xECE, 0xECE),
    (0x1ACF, 0x1AF0),
    (0x1C89, 0x1C8A),
    (0x208F, 0x208F),
    (0x209D, 0x209F),
    (0xA7CB, 0xA7CF),
    (0xA7D2, 0xA7D2),
    (0xA7D4, 0xA7D4),
    (0xA7DA, 0xA7DD),
    (0xA7E2, 0xA7E2),
    (0xA7F1, 0xA7F1),
    (0xAB6C, 0xAB6D),
    (0x105C9, 0x105C9),
    (0x105E4, 0x105E4),
    (0x107BB, 0x107BF),
    (0x10D4E, 0x10D4E),
    (0x10D50, 0x10D65),
    (0x10D69, 0x10D6D),
    (0x10D6F, 0x10D85),
    (0x10EC5, 0x10EC5),
    (0x10EC9, 0x10ECF),
    (0x10EF0, 0x10EFF),
    (0x11241, 0x11241),
    (0x11383, 0x11383),
    (0x11385, 0x11385),
    (0x1138E, 0x1138E),
    (0x11391, 0x11391),
    (0x113BB, 0x113C0),
    (0x113C5, 0x113C5),
    (0x113C7, 0x113C8),
    (0x113CE, 0x113D0),
    (0x113D2, 0x113D2),
    (0x113E1, 0x113E2),
    (0x11B60, 0x11B60),
    (0x11B62, 0x11B64),
    (0x11B66, 0x11B66),
    (0x11DD9, 0x11DD9),
    (0x11DF0, 0x11DF0),
    (0x11F00, 0x11F01),
    (0x11F36, 0x11F3A),
    (0x11F40, 0x11F42),
    (0x11F5A, 0x11F5A),
    (0x13439, 0x13440),
    (0x13447, 0x13455),
    (0x1611E, 0x16129),
    (0x1612D, 0x1612F),
    (0x16D40, 0x16D42),
    (0x16D68, 0x16D6C),
    (0x16EA0, 0x16EB8),
    (0x16EBB, 0x16ED3),
    (0x16FF2, 0x16FF3),
    (0x1D127, 0x1D128),
    (0x1D250, 0x1D252),
    (0x1D25B, 0x1D25C),
    (0x1D25F, 0x1D25F),
    (0x1D280, 0x1D281),
    (0x1D6A6, 0x1D6A6),
    (0x1DF1F, 0x1DF7F),
    (0x1DF90, 0x1DF96),
    (0x1DFCD, 0x1DFFF),
    (0x1E030, 0x1E06D),
    (0x1E08F, 0x1E08F),
    (0x1E4EB, 0x1E4EF),
    (0x1E5EE, 0x1E5EF),
    (0x1E6E3, 0x1E6E3),
    (0x1E6E6, 0x1E6E6),
    (0x1E6EE, 0x1E6EF),
    (0x1E6F5, 0x1E6F5),
    (0x1E6FF, 0x1E6FF),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplifies_like_datatrove() {
        assert_eq!(simplify_text(""), "");
        assert_eq!(simplify_text("  ...  "), "");
        assert_eq!(
            simplify_text("Hello, World! It's 2024."),
            "hello world it s 0"
        );
        assert_eq!(simplify_text("1.2.3 and 1,000,000 x"), "0 0 and 0 0 x");
        assert_eq!(simplify_text("3. Next 4,a ١٢٣٫٤ ５"), "0 next 0 a 0 0");
        // U+FF11 is a digit before it is punctuation; letters and digits run together.
        assert_eq!(simplify_text("１２ abc123def x1.5y"), "0 abc0def x0y");
        assert_eq!(simplify_text("Café NAÏVE résumé"), "cafe naive resume");
        assert_eq!(simplify_text("ΟΔΟΣ Σ ΑΣ."), "οδος σ ας");
        assert_eq!(simplify_text("İstanbul"), "istanbul");
        assert_eq!(simplify_text("a\u{0301} \u{0301} b"), "a  b");
        assert_eq!(simplify_text("\u{0301} x \u{0301}"), "x");
        assert_eq!(
            simplify_text("tab\tnl\nnbsp\u{a0}em\u{2003}"),
            "tab nl nbsp em"
        );
        assert_eq!(simplify_text("“quoted” — 【x】"), "quoted x");
        assert_eq!(
            simplify_text("한국어"),
            "한국어"
                .chars()
                .flat_map(|c| {
                    let mut s = String::new();
                    nfd_into(&c.to_string(), &mut s);
                    s.chars().collect::<Vec<_>>()
                })
                .collect::<String>()
        );
        // Not datatrove's punctuation: kept.
        assert_eq!(simplify_text("a¿b ©"), "a¿b ©");
    }

    /// `simplify_text` written as datatrove's steps, one after the other, on whole strings.
    fn step_by_step(text: &str) -> String {
        let mut lowered = Vec::new();
        for (i, c) in text.char_indices() {
            if c == 'Σ' {
                push_char(if final_sigma(text, i) { 'ς' } else { 'σ' }, &mut lowered);
            } else if c.is_ascii() {
                lowered.push(c.to_ascii_lowercase() as u8);
            } else {
                push_lower(c, &mut lowered);
            }
        }
        let chars: Vec<char> = String::from_utf8(lowered)
            .unwrap_or_default()
            .chars()
            .collect();
        let sep = |c: char| matches!(c, '.' | ',' | '،' | '٫' | '⎖' | '⎗' | '⎘');
        let mut numbers = String::new();
        let mut i = 0;
        while i < chars.len() {
            if !is_nd(chars[i]) {
                numbers.push(chars[i]);
                i += 1;
                continue;
            }
            while i < chars.len() && is_nd(chars[i]) {
                i += 1;
            }
            if i + 1 < chars.len() && sep(chars[i]) && is_nd(chars[i + 1]) {
                i += 1;
                while i < chars.len() && is_nd(chars[i]) {
                    i += 1;
                }
            }
            numbers.push('0');
        }
        let translated: String = numbers
            .chars()
            .map(|c| if is_punct(c) { ' ' } else { c })
            .collect();
        let words: Vec<&str> = translated
            .trim_matches(is_py_space)
            .split(is_py_space)
            .filter(|w| !w.is_empty())
            .collect();
        let spaced = words.join(" ");
        let mut nfd = String::new();
        nfd_into(&spaced, &mut nfd);
        let no_mn: String = nfd.chars().filter(|&c| !is_mn(c)).collect();
        no_mn.trim_matches(is_py_space).to_string()
    }

    #[test]
    fn one_pass_equals_the_steps_on_odd_text() {
        let alphabet: Vec<char> = "aZ09 .,;-'!\t\n\r\u{b}\u{1c}\u{85}\u{a0}\u{3000}ΣσςΑΩéÉİIıǅⅫⓐ١٢٫،⎖١２３１𝟘\
            \u{0301}\u{0345}\u{1171E}\u{0295}\u{A7CB}\u{10D50}\u{105C9}\u{16121}ﬁß한ệ—“…€\u{200b}\u{feff}"
            .chars()
            .collect();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 8 == 0 {
                        // Any code point at all.
                        char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('\u{fffd}')
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            assert_eq!(
                simplify_text(&text),
                step_by_step(&text),
                "round {round}: {text:?}"
            );
        }
    }

    #[test]
    fn into_reuses_buffers() {
        let (mut out, mut scratch) = (String::new(), String::new());
        simplify_text_into("Été 2024", &mut out, &mut scratch);
        assert_eq!(out, "ete 0");
        simplify_text_into("AB", &mut out, &mut scratch);
        assert_eq!(out, "ab");
    }

    /// The per-code-point behaviour of Python 3.11 that the oracle runs under, dumped by
    /// `tests/fixtures/make_minhash_fixtures.py`.
    fn python_tables() -> serde_json::Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/unicode_py311.json.gz"
        );
        let file = std::fs::File::open(path).expect("fixture");
        serde_json::from_reader(flate2::read::GzDecoder::new(file)).expect("fixture JSON")
    }

    fn in_ranges(v: &serde_json::Value) -> Vec<bool> {
        let mut set = vec![false; 0x110000];
        for r in v.as_array().expect("ranges") {
            let (lo, hi) = (r[0].as_u64().unwrap_or(0), r[1].as_u64().unwrap_or(0));
            for cp in lo..=hi {
                set[cp as usize] = true;
            }
        }
        set
    }

    fn char_map(v: &serde_json::Value) -> std::collections::HashMap<u32, String> {
        v.as_array()
            .expect("pairs")
            .iter()
            .map(|p| {
                (
                    p[0].as_u64().unwrap_or(0) as u32,
                    p[1].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn matches_python_per_code_point() {
        let py = python_tables();
        assert_eq!(py["unidata_version"], "14.0.0");
        let lower = char_map(&py["lower"]);
        let nfd = char_map(&py["nfd"]);
        let ccc: std::collections::HashMap<u32, u64> = py["ccc"]
            .as_array()
            .expect("ccc")
            .iter()
            .map(|p| {
                (
                    p[0].as_u64().unwrap_or(0) as u32,
                    p[1].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let (mn, space, nd) = (
            in_ranges(&py["mn"]),
            in_ranges(&py["space"]),
            in_ranges(&py["nd"]),
        );
        let (ignorable, cased) = (
            in_ranges(&py["sigma_ignorable"]),
            in_ranges(&py["sigma_cased"]),
        );
        let punct: std::collections::HashSet<u32> = py["punctuation"]
            .as_array()
            .expect("punctuation")
            .iter()
            .map(|v| v.as_u64().unwrap_or(0) as u32)
            .collect();
        // The normaliser's own combining classes, which decide its reordering.
        let ccc_map = icu_normalizer::properties::CanonicalCombiningClassMapBorrowed::new();
        let mut bad: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let cp = c as u32;
            let i = cp as usize;
            let mut note = |what, ok: bool| {
                if !ok {
                    bad.entry(what).or_default().push(cp);
                }
            };
            if c != 'Σ' {
                let mut l = Vec::new();
                push_lower(c, &mut l);
                let l = String::from_utf8(l).unwrap_or_default();
                note(
                    "lower",
                    l == lower.get(&cp).cloned().unwrap_or_else(|| c.to_string()),
                );
            }
            let mut d = String::new();
            nfd_into(&c.to_string(), &mut d);
            note(
                "nfd",
                d == nfd.get(&cp).cloned().unwrap_or_else(|| c.to_string()),
            );
            let icu_ccc = if is_newer_than_py311(c) {
                0
            } else {
                u64::from(ccc_map.get_u8(c))
            };
            note("ccc", icu_ccc == ccc.get(&cp).copied().unwrap_or(0));
            note("mn", is_mn(c) == mn[i]);
            note("space", is_py_space(c) == space[i]);
            note("nd", is_nd(c) == nd[i]);
            note("punct", is_punct(c) == punct.contains(&cp));
            note("ignorable", is_case_ignorable(c) == ignorable[i]);
            note("cased", (is_cased(c) && !is_case_ignorable(c)) == cased[i]);
        }
        let mut report = String::new();
        for (what, cps) in &bad {
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            for &cp in cps {
                match ranges.last_mut() {
                    Some(r) if r.1 + 1 == cp => r.1 = cp,
                    _ => ranges.push((cp, cp)),
                }
            }
            let shown: Vec<String> = ranges
                .iter()
                .map(|(a, b)| format!("({a:#X}, {b:#X})"))
                .collect();
            report.push_str(&format!(
                "{what}: {} code points: {}\n",
                cps.len(),
                shown.join(", ")
            ));
        }
        assert!(bad.is_empty(), "differences from Python 3.11:\n{report}");
    }

    #[test]
    fn lowering_keeps_classes() {
        // What the one-pass design relies on: the lowercase of a character is a digit, a
        // number separator, punctuation or whitespace only when the character itself is
        // (and then it is its own lowercase).
        let sep = |c: char| matches!(c, '.' | ',' | '،' | '٫' | '⎖' | '⎗' | '⎘');
        let class = |c: char| (is_nd(c), sep(c), is_punct(c), is_py_space(c));
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut lower = Vec::new();
            push_lower(c, &mut lower);
            let lower = String::from_utf8(lower).unwrap_or_default();
            let special = is_nd(c) || sep(c) || is_punct(c) || is_py_space(c);
            if special {
                assert_eq!(lower, c.to_string(), "{c:?}");
            } else {
                for l in lower.chars() {
                    assert_eq!(class(l), (false, false, false, false), "{c:?} -> {l:?}");
                }
            }
        }
    }
}
