//! Mojibake repair: UTF-8 text that was decoded as Windows-1252 (or Latin-1) somewhere
//! upstream, so that each multi-byte character became two to four characters ("â€™" for
//! "’", "Ã©" for "é", "Ð¿Ñ€Ð¸" for "при", "ðŸ˜€" for "😀").
//!
//! # How a candidate is found
//!
//! Every character that Windows-1252 (or, for 0x80–0x9F, Latin-1) encodes as a byte
//! 0x80–0xFF is mapped back to that byte. A *run* is a maximal stretch of such characters.
//! Inside a run, a *sequence* is a UTF-8 lead byte (0xC2–0xF4) followed by the right number
//! of continuation bytes (0x80–0xBF) that together form a valid UTF-8 character (no overlong
//! forms, no surrogates). Decoding the sequence gives the character the text was meant to
//! have.
//!
//! # When it is repaired
//!
//! The same byte patterns occur in correct text, mostly as a capital letter followed by
//! punctuation ("ESPAÑA»" is D1 BB, a valid UTF-8 character), so each sequence is graded and
//! repaired only on clear evidence:
//!
//! - *noise*: the decoded character is implausible: a control, unassigned, private use, a
//!   noncharacter, or a letter that is neither allowed in identifiers by UTS #39 nor in the
//!   Latin, Greek, Cyrillic or Vietnamese blocks nor a three-byte letter of a script in
//!   current use (accidental matches give IPA, obsolete and technical letters); invalid
//!   UTF-8 after a lead byte counts too. When a document has more noise than strong and weak
//!   candidates together, it is in some other encoding (or correct with coincidences) and
//!   nothing is repaired.
//! - *strong*: a run with two or more sequences; a four-byte sequence (emoji and other
//!   supplementary characters); a three-byte sequence giving punctuation, currency,
//!   letter-like, number-form, arrow, mathematical, box-drawing or dingbat characters, CJK
//!   punctuation, the BOM or U+FFFD ("â€™", "â„¢", "ï»¿"); "Â" or "Ã" followed by one
//!   continuation character (Latin-1 letters and symbols: "Ã©", "Â£", "Ã\u{A0}"). Repaired.
//! - *weak*: any other single sequence. A letter or combining mark (Polish "Å‚" for "ł",
//!   Vietnamese "á»‡" for "ệ") is repaired when a letter of its script touches it or the
//!   document has a strong candidate; punctuation or a symbol only in the second case.
//! - *dubious*: a single sequence that reads as correct text just as well: a letter whose
//!   touching letters are of another script ("Fuß“" would give an NKo letter after "Fu"), or
//!   a two-character sequence after a capital letter whose second character is closing
//!   punctuation (quote, dash, ellipsis, no-break space, ©, ®, ™, ´) not followed by a letter,
//!   or an apostrophe followed by one: that is how an upper-case word ends or takes a suffix
//!   ("NGÃ”", "CAFÉ\u{A0}!", "YARILGAÇ’ın"). Repaired only when the same character was repaired
//!   elsewhere in the document on better evidence.
//!
//! Text that was mis-decoded twice ("Ã¢â‚¬â„¢") is repaired by repeating the pass (at most
//! three times). A C1 control character (U+0080–U+009F) left on its own is the Latin-1
//! reading of a Windows-1252 byte and becomes that character (U+0092 → "’"); one that
//! Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stays for the control-character
//! rule. When the document has strong candidates, "â€" followed by U+FFFD (the usual fate of
//! "”", whose last byte 0x9D is undefined in Windows-1252) becomes "”".

use super::{Counts, Kind};
use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::GeneralSecurityProfile;

/// Windows-1252 0x80–0x9F; `None` where the standard leaves the byte undefined (0x81, 0x8D,
/// 0x8F, 0x90, 0x9D), which decoders pass through as the C1 control of the same number.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'), // 80 euro sign
    None,             // 81
    Some('\u{201A}'), // 82 single low-9 quotation mark
    Some('\u{0192}'), // 83 latin small letter f with hook
    Some('\u{201E}'), // 84 double low-9 quotation mark
    Some('\u{2026}'), // 85 horizontal ellipsis
    Some('\u{2020}'), // 86 dagger
    Some('\u{2021}'), // 87 double dagger
    Some('\u{02C6}'), // 88 modifier letter circumflex accent
    Some('\u{2030}'), // 89 per mille sign
    Some('\u{0160}'), // 8A latin capital letter s with caron
    Some('\u{2039}'), // 8B single left-pointing angle quotation mark
    Some('\u{0152}'), // 8C latin capital ligature oe
    None,             // 8D
    Some('\u{017D}'), // 8E latin capital letter z with caron
    None,             // 8F
    None,             // 90
    Some('\u{2018}'), // 91 left single quotation mark
    Some('\u{2019}'), // 92 right single quotation mark
    Some('\u{201C}'), // 93 left double quotation mark
    Some('\u{201D}'), // 94 right double quotation mark
    Some('\u{2022}'), // 95 bullet
    Some('\u{2013}'), // 96 en dash
    Some('\u{2014}'), // 97 em dash
    Some('\u{02DC}'), // 98 small tilde
    Some('\u{2122}'), // 99 trade mark sign
    Some('\u{0161}'), // 9A latin small letter s with caron
    Some('\u{203A}'), // 9B single right-pointing angle quotation mark
    Some('\u{0153}'), // 9C latin small ligature oe
    None,             // 9D
    Some('\u{017E}'), // 9E latin small letter z with caron
    Some('\u{0178}'), // 9F latin capital letter y with diaeresis
];

/// The Windows-1252 character of a byte 0x80–0x9F, if the standard defines one.
pub fn cp1252_high(b: u8) -> Option<char> {
    CP1252_HIGH
        .get(usize::from(b.wrapping_sub(0x80)))
        .copied()
        .flatten()
}

/// The byte 0x80–0xFF that Windows-1252 (or Latin-1, for U+0080–U+009F) encodes `c` as.
#[inline]
pub fn to_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0x80..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    if !(0x152..=0x2122).contains(&u) {
        return None;
    }
    CP1252_HIGH
        .iter()
        .position(|&x| x == Some(c))
        .map(|i| 0x80 + i as u8)
}

/// Length of the UTF-8 sequence a lead byte starts (0 for a byte that is no lead).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// Cheap test: could the text contain a candidate at all? A lead character U+00C2–U+00F4
/// (UTF-8 C3 82–C3 B4) directly followed by a character that encodes as 0x80–0xBF, or a
/// stray C1 control (C2 80–C2 9F).
pub(crate) fn may_contain(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr_c2_c3(&b[i..]) {
        let at = i + p;
        let second = b.get(at + 1).copied().unwrap_or(0);
        if b[at] == 0xC2 {
            if (0x80..=0x9F).contains(&second) {
                return true;
            }
        } else if (0x82..=0xB4).contains(&second) {
            if let Some(c) = text[at + 2..].chars().next() {
                if matches!(to_byte(c), Some(0x80..=0xBF)) {
                    return true;
                }
            }
        }
        i = at + 1;
    }
    false
}

/// Position of the first 0xC2 or 0xC3 byte.
#[inline]
fn memchr_c2_c3(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x & 0xFE == 0xC2)
}

/// One decodable sequence inside a run: character indices `[start, start + len)` of the
/// text's `chars` vector, and what they decode to.
#[derive(Debug, Clone, Copy)]
struct Seq {
    start: usize,
    len: usize,
    decoded: char,
}

/// Whether `c` could be the character a mojibake sequence stood for: an assigned character
/// that is not a control, private-use or noncharacter; a letter must be one in common use
/// (allowed in identifiers by UTS #39, or in the Latin, Greek, Cyrillic and Vietnamese
/// blocks, or the Arabic tatweel). Accidental matches tend to give IPA extensions, obsolete
/// scripts and technical letters, which this refuses.
fn plausible(c: char) -> bool {
    let u = c as u32;
    if c.is_control()
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
    {
        return false;
    }
    let set = AugmentedScriptSet::for_char(c);
    if set.base.is_empty() {
        return false; // unassigned
    }
    if (0x300..=0x36F).contains(&u) {
        return true; // combining diacritics: text in decomposed form
    }
    if set.base.is_inherited() {
        // Combining diacritics (text in decomposed form), ZWJ/ZWNJ, variation selectors.
        return (0x200C..=0x200D).contains(&u)
            || (0xFE00..=0xFE0F).contains(&u)
            || c.identifier_allowed();
    }
    if c.is_alphabetic() {
        return c.identifier_allowed()
            || (0xC0..=0x24F).contains(&u)
            || (0x370..=0x52F).contains(&u)
            || (0x1E00..=0x1EFF).contains(&u)
            || u == 0x640
            // IPA letters of African and American orthographies
            || "ɑɧɨɩɲʃʉʊʋʒ".contains(c)
            // three-byte results (U+0800 and up) need three characters in a row that
            // correct text hardly has: any letter of a script in current use
            || (u >= 0x800 && set.base.iter().any(|s| s.is_recommended()));
    }
    true
}

/// Punctuation and symbols that end a word in correct text (the "ambiguous" rule).
fn closing(c: char) -> bool {
    matches!(
        c,
        '\u{2019}'
            | '\u{201D}'
            | '\u{BB}'
            | '\u{203A}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2026}'
            | '\u{A0}'
            | '\u{2018}'
            | '\u{201C}'
            | '\u{201A}'
            | '\u{201E}'
            | '\u{AB}'
            | '\u{2039}'
            | '\u{2022}'
            | '\u{2122}'
            | '\u{AE}'
            | '\u{A9}'
            | '\u{B4}'
    )
}

/// Three-byte results typical of mojibake on their own (see the module docs).
fn typical_three_byte(c: char) -> bool {
    matches!(c as u32,
        0x2000..=0x206F | 0x20A0..=0x20CF | 0x2100..=0x22FF
        | 0x2500..=0x27BF | 0x3000..=0x303F | 0xFEFF | 0xFFFD)
}

fn is_letter_or_mark(c: char) -> bool {
    c.is_alphabetic()
        || (0x300..=0x36F).contains(&(c as u32))
        || (!c.is_ascii() && AugmentedScriptSet::for_char(c).base.is_inherited())
}

/// Do two characters share a script (Common and Inherited share with everything)?
fn same_script(a: char, b: char) -> bool {
    let mut s = AugmentedScriptSet::for_char(a);
    s.intersect_with(AugmentedScriptSet::for_char(b));
    !s.is_empty()
}

/// What was decided about one sequence (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grade {
    /// Repaired on its own.
    Strong,
    /// A letter or mark: repaired when a letter of its script touches it or the document
    /// has strong candidates.
    Weak,
    /// Punctuation or a symbol: repaired when the document has strong candidates.
    WeakSymbol,
    /// Looks like correct text too (a capital and closing punctuation, or a script that
    /// differs from the touching letters): repaired only when the same character was
    /// repaired elsewhere in the document on better evidence.
    Dubious,
    /// Not a character anyone writes: evidence against the document being mojibake.
    Noise,
}

/// One repair: what stood in the text and what replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Byte offset of `from` in the text the pass read.
    pub offset: usize,
    /// The characters replaced.
    pub from: String,
    /// The character put in their place.
    pub to: char,
}

/// The repairs a first pass would make on `text` (the step repeats passes for text that was
/// mis-decoded twice). For tests and for looking into a decision.
pub fn explain(text: &str) -> Vec<Repair> {
    let mut log = Vec::new();
    if may_contain(text) {
        repair_pass(text, &mut Counts::default(), Some(&mut log));
    }
    log
}

/// One pass of the repair. `None` when nothing changed.
fn repair_pass(
    text: &str,
    counts: &mut Counts,
    mut log: Option<&mut Vec<Repair>>,
) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let bytes: Vec<Option<u8>> = chars
        .iter()
        .map(|&c| if c.is_ascii() { None } else { to_byte(c) })
        .collect();

    // Runs and their sequences. `noise` counts complete lead + continuation patterns that
    // are not mojibake (invalid UTF-8, implausible or refused characters).
    let mut graded: Vec<(Seq, Grade)> = Vec::new();
    let mut noise = 0usize;
    let mut i = 0;
    while i < chars.len() {
        if bytes[i].is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && bytes[i].is_some() {
            i += 1;
        }
        let end = i;
        let first = graded.len();
        let mut j = start;
        while j < end {
            let n = utf8_len(bytes[j].unwrap_or(0));
            if n == 0 || j + n > end || !matches!(bytes[j + 1], Some(0x80..=0xBF)) {
                j += 1;
                continue;
            }
            let mut buf = [0u8; 4];
            for (k, b) in buf.iter_mut().enumerate().take(n) {
                *b = bytes[j + k].unwrap_or(0);
            }
            let decoded = std::str::from_utf8(&buf[..n])
                .ok()
                .and_then(|s| s.chars().next())
                .and_then(|d| match d as u32 {
                    // "Â’": cp1252 text read as Latin-1 (U+0092), then mis-decoded again.
                    0x80..=0x9F => cp1252_high(d as u8),
                    _ => Some(d),
                });
            match decoded {
                Some(d) => {
                    graded.push((
                        Seq {
                            start: j,
                            len: n,
                            decoded: d,
                        },
                        Grade::Noise,
                    ));
                    j += n;
                }
                None => {
                    noise += 1;
                    j += 1;
                }
            }
        }
        let in_run = graded.len() - first;
        for g in &mut graded[first..] {
            g.1 = grade(&chars, g.0, in_run);
        }
    }
    let count = |g: Grade| graded.iter().filter(|x| x.1 == g).count();
    noise += count(Grade::Noise);
    let strong = count(Grade::Strong);
    let weak = count(Grade::Weak) + count(Grade::WeakSymbol);
    if noise > strong + weak {
        // More patterns that are not mojibake than patterns that may be: another legacy
        // encoding, or correct text with coincidences. Leave it.
        return None;
    }
    let mut take: Vec<bool> = graded
        .iter()
        .map(|(s, g)| match g {
            Grade::Strong => true,
            Grade::Weak => strong > 0 || touches_same_script(&chars, *s),
            Grade::WeakSymbol => strong > 0,
            Grade::Dubious | Grade::Noise => false,
        })
        .collect();
    let mut repaired: Vec<char> = graded
        .iter()
        .zip(&take)
        .filter(|(_, &t)| t)
        .map(|(g, _)| g.0.decoded)
        .collect();
    repaired.sort_unstable();
    repaired.dedup();
    for (t, (s, g)) in take.iter_mut().zip(&graded) {
        if *g == Grade::Dubious && repaired.binary_search(&s.decoded).is_ok() {
            *t = true;
        }
    }
    let accepted: Vec<Seq> = graded
        .iter()
        .zip(&take)
        .filter(|(_, &t)| t)
        .map(|(g, _)| g.0)
        .collect();

    // Rebuild, also mapping stray C1 controls and, with strong evidence, "â€\u{FFFD}".
    let mut out = String::with_capacity(text.len());
    let mut changed = 0u64;
    let mut next_seq = accepted.iter().peekable();
    let mut k = 0;
    let mut offset = 0; // byte offset of chars[k] in `text`
    let mut replace = |out: &mut String, k: usize, n: usize, offset: usize, to: char| {
        out.push(to);
        if let Some(log) = log.as_mut() {
            log.push(Repair {
                offset,
                from: chars[k..k + n].iter().collect(),
                to,
            });
        }
        chars[k..k + n].iter().map(|c| c.len_utf8()).sum::<usize>()
    };
    while k < chars.len() {
        if let Some(s) = next_seq.peek() {
            if s.start == k {
                offset += replace(&mut out, k, s.len, offset, s.decoded);
                changed += 1;
                k += s.len;
                next_seq.next();
                continue;
            }
        }
        let c = chars[k];
        if let 0x80..=0x9F = c as u32 {
            if let Some(m) = cp1252_high(c as u8) {
                offset += replace(&mut out, k, 1, offset, m);
                changed += 1;
                k += 1;
                continue;
            }
        }
        if strong > 0
            && c == '\u{E2}'
            && chars.get(k + 1) == Some(&'\u{20AC}')
            && chars.get(k + 2) == Some(&'\u{FFFD}')
        {
            offset += replace(&mut out, k, 3, offset, '\u{201D}');
            changed += 1;
            k += 3;
            continue;
        }
        out.push(c);
        offset += c.len_utf8();
        k += 1;
    }
    if changed == 0 {
        return None;
    }
    counts.add(Kind::Mojibake, changed);
    Some(out)
}

/// True when a letter of the decoded character's script touches the sequence.
fn touches_same_script(chars: &[char], s: Seq) -> bool {
    let before = s.start.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(s.start + s.len).copied();
    [before, after]
        .into_iter()
        .flatten()
        .any(|c| c.is_alphabetic() && same_script(c, s.decoded))
}

/// Grades one sequence; `in_run` is the number of sequences in its run.
fn grade(chars: &[char], s: Seq, in_run: usize) -> Grade {
    let d = s.decoded;
    if !plausible(d) {
        return Grade::Noise;
    }
    if in_run >= 2 {
        return Grade::Strong;
    }
    let before = s.start.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(s.start + s.len).copied();
    let letterish = is_letter_or_mark(d);
    // Letters touching the sequence must share its script.
    if letterish
        && [before, after]
            .into_iter()
            .flatten()
            .any(|c| c.is_alphabetic() && !same_script(c, d))
    {
        return Grade::Dubious;
    }
    if s.len == 2 {
        // A capital followed by closing punctuation ends an upper-case word ("ESPAÑA»"),
        // or, with an apostrophe, takes a suffix ("YARILGAÇ’ın").
        let cont = chars[s.start + 1];
        let ambiguous = before.is_some_and(char::is_uppercase)
            && closing(cont)
            && (!after.is_some_and(char::is_alphabetic) || matches!(cont, '\u{2019}' | '\u{B4}'));
        if ambiguous {
            return Grade::Dubious;
        }
        let lead = chars[s.start];
        if lead == '\u{C2}' || lead == '\u{C3}' {
            return Grade::Strong;
        }
    } else if s.len == 4 || typical_three_byte(d) {
        return Grade::Strong;
    }
    if letterish {
        Grade::Weak
    } else {
        Grade::WeakSymbol
    }
}

/// Repairs mojibake (see the module docs). `None` when nothing changed.
pub(crate) fn repair(text: &str, counts: &mut Counts) -> Option<String> {
    if !may_contain(text) {
        return None;
    }
    let mut current = repair_pass(text, counts, None)?;
    for _ in 0..2 {
        if !may_contain(&current) {
            break;
        }
        match repair_pass(&current, counts, None) {
            Some(next) => current = next,
            None => break,
        }
    }
    Some(current)
}
