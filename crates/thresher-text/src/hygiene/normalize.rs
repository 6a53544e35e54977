//! Character-level clean-up: spaces, zero-width characters, the BOM, control characters,
//! line breaks, and NFC. Each function returns `None` when the text needs nothing, so a clean
//! text is never copied.

use super::{Counts, HygieneOptions, Kind};
use icu_normalizer::ComposingNormalizerBorrowed;

/// What the clean-up does with one character.
enum Action {
    Keep,
    Drop(Kind),
    Replace(char, Kind),
}

/// Decides about one character (`next` is the character after it, for `\r\n`). `at_start` is
/// true for the first character of the text (the BOM rule).
#[inline]
fn action(c: char, next: Option<char>, at_start: bool, o: &HygieneOptions) -> Action {
    match c {
        '\t' | '\n' => Action::Keep,
        '\r' if o.line_breaks => {
            if next == Some('\n') {
                Action::Drop(Kind::Crlf)
            } else {
                Action::Replace('\n', Kind::Cr)
            }
        }
        // Vertical tab and form feed separate lines (pages, in text extracted from PDFs):
        // deleting them would glue the words on both sides together.
        '\u{0B}' | '\u{0C}' if o.controls => Action::Replace('\n', Kind::Control),
        '\u{00}'..='\u{1F}' | '\u{7F}'..='\u{9F}' if o.controls && c != '\r' => {
            Action::Drop(Kind::Control)
        }
        '\u{A0}' if o.spaces => Action::Replace(' ', Kind::Nbsp),
        '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' if o.spaces => {
            Action::Replace(' ', Kind::Spaces)
        }
        '\u{3000}' if o.spaces && o.ideographic_space => Action::Replace(' ', Kind::Spaces),
        '\u{FEFF}' if o.zero_width && at_start => Action::Drop(Kind::Bom),
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' if o.zero_width => Action::Drop(Kind::ZeroWidth),
        '\u{2028}' | '\u{2029}' if o.line_breaks => Action::Replace('\n', Kind::LineSeparator),
        _ => Action::Keep,
    }
}

/// True when the byte at `i` may start a character that [`action`] changes. Cheap and
/// conservative (a `true` is checked again with [`action`]).
#[inline]
fn suspicious_at(b: &[u8], i: usize) -> bool {
    let x = b[i];
    match x {
        0x00..=0x08 | 0x0B..=0x1F | 0x7F => true,
        0xC2 => matches!(b.get(i + 1), Some(0x80..=0xA0)),
        0xE2 => match b.get(i + 1) {
            Some(0x80) => matches!(b.get(i + 2), Some(0x80..=0x8B | 0xA8 | 0xA9 | 0xAF)),
            Some(0x81) => matches!(b.get(i + 2), Some(0x9F | 0xA0)),
            _ => false,
        },
        0xE3 => b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0x80),
        0xEF => b.get(i + 1) == Some(&0xBB) && b.get(i + 2) == Some(&0xBF),
        _ => false,
    }
}

/// Index of the first byte that may need the clean-up, or `None`. Scans 16 bytes at a time
/// with a branch-free test so that clean ASCII text goes at memory speed.
fn first_suspicious(b: &[u8]) -> Option<usize> {
    let mut start = 0;
    for chunk in b.chunks(16) {
        let mut hit = false;
        for &x in chunk {
            // controls other than \t and \n, DEL, and every non-ASCII lead byte that can
            // begin a character we touch (C2, E2, E3, EF).
            hit |= (x < 0x20 && x != b'\t' && x != b'\n')
                | (x == 0x7F)
                | (x == 0xC2)
                | (x == 0xE2)
                | (x == 0xE3)
                | (x == 0xEF);
        }
        if hit {
            for i in start..start + chunk.len() {
                if suspicious_at(b, i) {
                    return Some(i);
                }
            }
        }
        start += chunk.len();
    }
    None
}

/// Applies the space, zero-width, BOM, control and line-break rules. `None` when nothing
/// changes.
pub(crate) fn clean_chars(text: &str, o: &HygieneOptions, counts: &mut Counts) -> Option<String> {
    if !(o.spaces || o.zero_width || o.controls || o.line_breaks) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    // Find the first character that really changes (a suspicious byte may be a kept
    // character, e.g. a curly quote E2 80 9C, or \t/\r with its rule off).
    let first = loop {
        let i = from + first_suspicious(&bytes[from..])?;
        let c = text[i..].chars().next()?;
        let next = text[i + c.len_utf8()..].chars().next();
        if !matches!(action(c, next, i == 0, o), Action::Keep) {
            break i;
        }
        from = i + c.len_utf8();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    let mut at = first;
    while !rest.is_empty() {
        // Copy clean stretches in one go.
        let skip = first_suspicious(rest.as_bytes()).unwrap_or(rest.len());
        out.push_str(&rest[..skip]);
        at += skip;
        rest = &rest[skip..];
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        let next = chars.clone().next();
        match action(c, next, at == 0, o) {
            Action::Keep => out.push(c),
            Action::Drop(k) => counts.add(k, 1),
            Action::Replace(r, k) => {
                out.push(r);
                counts.add(k, 1);
            }
        }
        at += c.len_utf8();
        rest = chars.as_str();
    }
    Some(out)
}

/// NFC. `None` when the text is already normalised (checked without allocating).
pub(crate) fn nfc(text: &str, counts: &mut Counts) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let n = ComposingNormalizerBorrowed::new_nfc();
    let (done, rest) = n.split_normalized(text);
    if rest.is_empty() {
        return None;
    }
    let normalized = n.normalize(rest);
    if normalized == rest {
        return None;
    }
    let saved = rest
        .chars()
        .count()
        .saturating_sub(normalized.chars().count());
    counts.add(Kind::Nfc, saved.max(1) as u64);
    let mut out = String::with_capacity(done.len() + normalized.len());
    out.push_str(done);
    out.push_str(&normalized);
    Some(out)
}
