//! Mixed-script detection (UTS #39 ideas, through `unicode-security`).
//!
//! # Words and their scripts
//!
//! A word is a maximal run of letters, digits, combining marks and ZWJ/ZWNJ; a
//! script-specific sign that is not a letter (virama, Hebrew maqaf, danda) belongs to the word
//! only between two letters of its script. The word's script is the *resolved script set* of
//! its letters (UTS #39's augmented script sets: Han + Hiragana + Katakana resolve to
//! "Japanese", Hangul + Han to "Korean"). Digits, punctuation, Common and Inherited
//! characters, and letters shared by several scripts never count; words without letters
//! (numbers) are skipped as if they were not there.
//!
//! Some writers type a few letters from the other keyboard as a habit of their orthography,
//! not as stray characters: Latin i, ï, j, è, ə in Cyrillic Kazakh, Ukrainian, Belarusian,
//! Serbian and Macedonian text ("бiр", "Історія" with a Latin "і", "Историja"), and Cyrillic ә
//! in Latin Azerbaijani. A word mixing scripts only through these counts as written in its
//! other letters' script, and a word made of them alone ("i" for "і", *and*) is not reported
//! in the script they stand in for.
//!
//! # What is reported
//!
//! - `confusable`: a word whose letters do not resolve to one script, and whose letters
//!   outside its own script all have a lookalike in it (same UTS #39 skeleton, the lookalike
//!   allowed in identifiers), e.g. "pаypal" with a Cyrillic "а". The word's own script is the
//!   first, among its letters' scripts, that has lookalikes for all the others: the
//!   document's main script (most letters) first, then by number of letters. Words mixing
//!   scripts without lookalikes ("Tシャツ", "iPhone手机") are normal and not reported.
//! - `token`: a word in one script whose nearest words before and after it on the same line
//!   share a script it does not have, where that surrounding script is the document's main
//!   script and the word's is not, the word stands between spaces (opening quotes before,
//!   sentence punctuation or closing quotes after are fine: "(x)", "p-value", "&hellip;" are
//!   not running text), has no digit ("28x18", "3DS"), and no other word of its script is on
//!   the same line (a quotation, a list of names); and which either
//!   - is one or two letters of Latin, Cyrillic, Greek or Armenian between words of one of
//!     those (the stray "и" in "the West и Ukraine"), except a single Greek letter, which is a
//!     symbol ("α-Zerfall", "ρ = 2,5 g/cm³"), and except Latin in other-script text, or
//!   - is written entirely in letters that have lookalikes in the surrounding script (a
//!     Cyrillic "сор" in English text); a Latin word in other-script text must in addition be
//!     all lower case, since upper-case Latin abbreviations, units and variables ("класса A")
//!     are normal there.
//!
//! Runs of several words in another script, a foreign word at the start or end of a line, and
//! words between two different scripts are never reported.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::{skeleton, GeneralSecurityProfile};

/// What kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FindingKind {
    Token,
    Confusable,
}

impl FindingKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FindingKind::Token => "token",
            FindingKind::Confusable => "confusable",
        }
    }
}

/// One reported word, with byte offsets into the text that was scanned.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub start: usize,
    pub end: usize,
    pub script: String,
    pub context: String,
    pub kind: FindingKind,
    /// The word with its confusable letters replaced by their lookalikes (confusable findings
    /// whose every foreign letter has one).
    pub fixed: Option<String>,
}

/// The sets the rules name, computed once.
struct Sets {
    latin: AugmentedScriptSet,
    greek: AugmentedScriptSet,
    cyrillic: AugmentedScriptSet,
    /// Latin, Cyrillic, Greek, Armenian: the alphabets that keyboard-layout mix-ups and
    /// spoofing draw from.
    small: AugmentedScriptSet,
}

fn sets() -> &'static Sets {
    static SETS: OnceLock<Sets> = OnceLock::new();
    SETS.get_or_init(|| {
        let latin = AugmentedScriptSet::for_char('a');
        let greek = AugmentedScriptSet::for_char('\u{3BB}');
        let cyrillic = AugmentedScriptSet::for_char('\u{434}');
        let armenian = AugmentedScriptSet::for_char('\u{561}');
        let base = latin
            .base
            .union(greek.base)
            .union(cyrillic.base)
            .union(armenian.base);
        Sets {
            latin,
            greek,
            cyrillic,
            small: AugmentedScriptSet {
                base,
                hanb: false,
                jpan: false,
                kore: false,
            },
        }
    })
}

/// Do two script sets share a script?
#[inline]
fn meets(a: AugmentedScriptSet, b: AugmentedScriptSet) -> bool {
    let mut x = a;
    x.intersect_with(b);
    !x.is_empty()
}

/// How a character takes part in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    /// Between words.
    Separator,
    /// Part of a word without giving it a script: digits, combining marks, ZWJ/ZWNJ, and
    /// letters shared by several scripts (U+02BC, the Arabic tatweel, the kana length mark).
    Neutral,
    /// A script-specific character that is not a letter (virama, maqaf, danda): part of the
    /// word only between letters of its script.
    Joiner(AugmentedScriptSet),
    /// A letter of this script.
    Letter(AugmentedScriptSet),
}

/// The [`Role`] of every BMP character, looked up once (two binary searches per character
/// otherwise, which dominated the cost on Cyrillic and Arabic text).
struct RoleTable {
    index: Vec<u16>,
    roles: Vec<Role>,
}

fn role_table() -> &'static RoleTable {
    static TABLE: OnceLock<RoleTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let latin = AugmentedScriptSet::for_char('a');
        let mut roles: Vec<Role> = Vec::new();
        let mut ids: HashMap<Role, u16> = HashMap::new();
        let index = (0u32..0x10000)
            .map(|u| {
                let role = char::from_u32(u).map_or(Role::Separator, |c| classify_slow(c, latin));
                *ids.entry(role).or_insert_with(|| {
                    roles.push(role);
                    (roles.len() - 1) as u16
                })
            })
            .collect();
        RoleTable { index, roles }
    })
}

#[inline]
fn classify(c: char, latin: AugmentedScriptSet) -> Role {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Role::Letter(latin)
        } else if c.is_ascii_digit() {
            Role::Neutral
        } else {
            Role::Separator
        };
    }
    let u = c as u32;
    if u < 0x10000 {
        let t = role_table();
        return t.roles[usize::from(t.index[u as usize])];
    }
    classify_slow(c, latin)
}

fn classify_slow(c: char, latin: AugmentedScriptSet) -> Role {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Role::Letter(latin)
        } else if c.is_ascii_digit() {
            Role::Neutral
        } else {
            Role::Separator
        };
    }
    let u = c as u32;
    if (0xC0..=0x24F).contains(&u) && u != 0xD7 && u != 0xF7 {
        return Role::Letter(latin);
    }
    if (0x2000..=0x206F).contains(&u) {
        return if u == 0x200C || u == 0x200D {
            Role::Neutral
        } else {
            Role::Separator
        };
    }
    let set = AugmentedScriptSet::for_char(c);
    if set.is_empty() {
        return Role::Separator; // unassigned
    }
    if set.is_all() {
        return if c.is_alphanumeric() || set.base.is_inherited() {
            Role::Neutral
        } else {
            Role::Separator
        };
    }
    if !c.is_alphabetic() {
        return Role::Joiner(set);
    }
    if set.base.len() > 1 {
        return Role::Neutral;
    }
    Role::Letter(set)
}

/// Letters that writers of some languages commonly type from the other keyboard, as an
/// orthographic habit rather than a stray character: Latin i/ï/j/è/ə in Cyrillic Kazakh,
/// Ukrainian, Belarusian, Serbian and Macedonian text, Cyrillic ә in Latin Azerbaijani text.
/// `Some(true)`: stands in for a Cyrillic letter; `Some(false)`: for a Latin one.
fn variant(c: char) -> Option<bool> {
    match c {
        'i' | 'I' | '\u{EF}' | '\u{CF}' | 'j' | 'J' | '\u{E8}' | '\u{C8}' | '\u{259}'
        | '\u{18F}' => Some(true),
        '\u{4D9}' | '\u{4D8}' => Some(false),
        _ => None,
    }
}

/// A word with at least one letter.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    line: u32,
    /// Resolved script set of all its letters (empty: mixed).
    set: AugmentedScriptSet,
    /// Resolved script set of its letters other than [`variant`]s.
    core: AugmentedScriptSet,
    letters: u32,
    core_letters: u32,
    /// Has variants standing in for Cyrillic / Latin letters.
    var_cyrillic: bool,
    var_latin: bool,
    has_upper: bool,
    has_digit: bool,
}

impl Word {
    fn new(start: usize, line: u32) -> Word {
        Word {
            start,
            end: start,
            line,
            set: AugmentedScriptSet::default(),
            core: AugmentedScriptSet::default(),
            letters: 0,
            core_letters: 0,
            var_cyrillic: false,
            var_latin: false,
            has_upper: false,
            has_digit: false,
        }
    }

    /// The word's script, or `None` when it mixes scripts. A word mixing only because of
    /// [`variant`] letters that fit its other letters counts as written in those.
    fn script(&self, st: &Sets) -> Option<AugmentedScriptSet> {
        if !self.set.is_empty() {
            return Some(self.set);
        }
        // The variants are i/ï/j/è/ə (Latin) and ә (Cyrillic): they fit a word whose other
        // letters are Cyrillic or Latin.
        let fits = meets(self.core, st.cyrillic) || meets(self.core, st.latin);
        (self.core_letters > 0 && !self.core.is_empty() && fits).then_some(self.core)
    }

    /// Made only of variant letters standing in for letters of `ctx` ("i" in Ukrainian).
    fn all_variants_of(&self, ctx: AugmentedScriptSet, st: &Sets) -> bool {
        self.core_letters == 0
            && ((self.var_cyrillic && meets(ctx, st.cyrillic))
                || (self.var_latin && meets(ctx, st.latin)))
    }
}

/// True when every letter of the text resolves to one script set (nothing to find).
fn single_script(text: &str, latin: AugmentedScriptSet) -> bool {
    let mut all = AugmentedScriptSet::default();
    let mut saw_ascii_letter = false;
    for c in text.chars() {
        if c.is_ascii() {
            if !saw_ascii_letter && c.is_ascii_alphabetic() {
                saw_ascii_letter = true;
                all.intersect_with(latin);
            }
            continue;
        }
        if let Role::Letter(s) = classify(c, latin) {
            all.intersect_with(s);
            if all.is_empty() {
                return false;
            }
        }
    }
    true
}

fn words(text: &str, latin: AugmentedScriptSet) -> Vec<Word> {
    let mut out = Vec::new();
    let mut line = 0u32;
    let mut cur: Option<Word> = None;
    let mut last_letter: Option<AugmentedScriptSet> = None;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let role = match classify(c, latin) {
            Role::Joiner(s) => {
                let next = it.peek().map(|&(_, n)| classify(n, latin));
                let joins = last_letter.is_some_and(|l| meets(l, s))
                    && matches!(next, Some(Role::Letter(n)) if meets(n, s));
                if joins {
                    Role::Neutral
                } else {
                    Role::Separator
                }
            }
            r => r,
        };
        match role {
            Role::Separator | Role::Joiner(_) => {
                if let Some(w) = cur.take() {
                    if w.letters > 0 {
                        out.push(w);
                    }
                }
                last_letter = None;
                if c == '\n' {
                    line += 1;
                }
            }
            Role::Neutral | Role::Letter(_) => {
                let w = cur.get_or_insert_with(|| Word::new(i, line));
                w.end = i + c.len_utf8();
                match role {
                    Role::Letter(s) => {
                        w.set.intersect_with(s);
                        w.letters += 1;
                        w.has_upper |= c.is_uppercase();
                        match variant(c) {
                            Some(true) => w.var_cyrillic = true,
                            Some(false) => w.var_latin = true,
                            None => {
                                w.core.intersect_with(s);
                                w.core_letters += 1;
                            }
                        }
                        last_letter = Some(s);
                    }
                    _ => w.has_digit |= c.is_numeric(),
                }
            }
        }
    }
    if let Some(w) = cur.take() {
        if w.letters > 0 {
            out.push(w);
        }
    }
    out
}

/// Skeleton → letters (allowed in identifiers) having it, in code point order. Big CJK and
/// Hangul blocks are left out: no letter of the small alphabets is confusable with them.
fn reverse_skeletons() -> &'static HashMap<String, Vec<char>> {
    static MAP: OnceLock<HashMap<String, Vec<char>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: HashMap<String, Vec<char>> = HashMap::new();
        let ranges = [
            0x41u32..0x3400,
            0xA000..0xAC00,
            0xF900..0x10000,
            0x10000..0x20000,
        ];
        for r in ranges {
            for u in r {
                let Some(c) = char::from_u32(u) else { continue };
                if !c.is_alphabetic() || !c.identifier_allowed() {
                    continue;
                }
                let mut buf = [0u8; 4];
                let key: String = skeleton(c.encode_utf8(&mut buf)).collect();
                map.entry(key).or_default().push(c);
            }
        }
        map
    })
}

/// A letter of script set `target` that looks like `c` (same skeleton), ASCII first.
pub(crate) fn lookalike(c: char, target: AugmentedScriptSet) -> Option<char> {
    let mut buf = [0u8; 4];
    let key: String = skeleton(c.encode_utf8(&mut buf)).collect();
    reverse_skeletons().get(&key)?.iter().copied().find(|&d| {
        let s = AugmentedScriptSet::for_char(d);
        d != c && !s.is_all() && meets(s, target)
    })
}

/// A readable name for a script set ("Latin", "Cyrillic", "Japanese", ...).
pub(crate) fn set_name(s: AugmentedScriptSet) -> String {
    if s.is_all() {
        return "Common".into();
    }
    let names: Vec<&str> = s.base.iter().map(|x| x.full_name()).collect();
    if !names.is_empty() {
        return names.join("+");
    }
    // No single base script left: a Japanese (Han + kana) or Korean (Han + Hangul) mix.
    match (s.jpan, s.kore) {
        (true, false) => "Japanese".into(),
        (false, true) => "Korean".into(),
        _ => "Han".into(),
    }
}

/// Each letter of the word replaced by its lookalike in `target` when it does not belong to
/// it; `None` when some foreign letter has no lookalike.
fn replace_foreign(
    word: &str,
    target: AugmentedScriptSet,
    latin: AugmentedScriptSet,
) -> Option<String> {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match classify(c, latin) {
            Role::Letter(s) if !meets(s, target) => out.push(lookalike(c, target)?),
            _ => out.push(c),
        }
    }
    Some(out)
}

/// The letters of a mixed word grouped by script: `(set, count, first letter)`.
fn groups(word: &str, latin: AugmentedScriptSet) -> Vec<(AugmentedScriptSet, u32, char)> {
    let mut g: Vec<(AugmentedScriptSet, u32, char)> = Vec::new();
    for c in word.chars() {
        let Role::Letter(s) = classify(c, latin) else {
            continue;
        };
        match g.iter_mut().find(|x| meets(x.0, s)) {
            Some(x) => {
                x.0.intersect_with(s);
                x.1 += 1;
            }
            None => g.push((s, 1, c)),
        }
    }
    g
}

/// The script set with the most letters in single-script words.
fn main_script(ws: &[Word], st: &Sets) -> AugmentedScriptSet {
    let mut totals: Vec<(AugmentedScriptSet, u32)> = Vec::new();
    for w in ws {
        let Some(set) = w.script(st) else { continue };
        match totals.iter_mut().find(|t| meets(t.0, set)) {
            Some(t) => {
                t.0.intersect_with(set);
                t.1 += w.letters;
            }
            None => totals.push((set, w.letters)),
        }
    }
    totals
        .into_iter()
        .max_by_key(|t| t.1)
        .map_or(st.latin, |t| t.0)
}

/// Whether the word stands between spaces (or the text's ends), allowing opening quotes
/// before it and sentence punctuation or closing quotes after it. "(x)", "p-value",
/// "&hellip;" are not tokens of running text.
fn delimited(text: &str, start: usize, end: usize) -> bool {
    const OPENING: &str = "\"'\u{201C}\u{201E}\u{AB}\u{2018}";
    const CLOSING: &str = ",.;:!?\"'\u{201D}\u{BB}\u{2019}\u{2026}";
    let before = text[..start].chars().next_back();
    if !before.is_none_or(|c| c.is_whitespace() || OPENING.contains(c)) {
        return false;
    }
    let mut after = text[end..].chars();
    match after.next() {
        None => true,
        Some(c) if c.is_whitespace() => true,
        Some(c) if CLOSING.contains(c) => after
            .next()
            .is_none_or(|d| d.is_whitespace() || CLOSING.contains(d)),
        Some(_) => false,
    }
}

/// Finds mixed-script words and stray tokens (see the module docs), in text order.
pub(crate) fn detect(text: &str) -> Vec<Finding> {
    if text.is_ascii() {
        return Vec::new();
    }
    let st = sets();
    if single_script(text, st.latin) {
        return Vec::new();
    }
    let ws = words(text, st.latin);
    let scripts: Vec<Option<AugmentedScriptSet>> = ws.iter().map(|w| w.script(st)).collect();
    let main = main_script(&ws, st);
    let mut lines = LineTallies::new();
    let mut out = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        let word = &text[w.start..w.end];
        let Some(set) = scripts[i] else {
            if let Some(f) = confusable(word, w, main, st) {
                out.push(f);
            }
            continue;
        };
        if let Some(f) = stray_token(text, &ws, &scripts, i, set, main, st, &mut lines) {
            out.push(f);
        }
    }
    out
}

/// A word mixing scripts whose foreign letters all have lookalikes in its own script. The
/// word's own script is the first, among its letters' scripts, that can take all the other
/// letters: the document's main script first, then by number of letters.
fn confusable(word: &str, w: &Word, main: AugmentedScriptSet, st: &Sets) -> Option<Finding> {
    let mut g = groups(word, st.latin);
    g.sort_by_key(|x| (!meets(x.0, main), std::cmp::Reverse(x.1)));
    let (target, fixed) = g
        .iter()
        .find_map(|x| Some((x.0, replace_foreign(word, x.0, st.latin)?)))?;
    let foreign = g.iter().find(|x| !meets(x.0, target))?;
    Some(Finding {
        start: w.start,
        end: w.end,
        script: set_name(AugmentedScriptSet::for_char(foreign.2)),
        context: set_name(target),
        kind: FindingKind::Confusable,
        fixed: Some(fixed),
    })
}

/// A single-script word in another script than the words around it (module docs).
/// Per line (that needed it), how many words of each script it has.
type LineTallies = HashMap<u32, Vec<(AugmentedScriptSet, u32)>>;

#[allow(clippy::too_many_arguments)]
fn stray_token(
    text: &str,
    ws: &[Word],
    scripts: &[Option<AugmentedScriptSet>],
    i: usize,
    set: AugmentedScriptSet,
    main: AugmentedScriptSet,
    st: &Sets,
    lines: &mut LineTallies,
) -> Option<Finding> {
    let w = &ws[i];
    if w.has_digit || meets(set, main) {
        return None;
    }
    let p = i.checked_sub(1)?;
    let n = i + 1;
    let (prev, next) = (ws.get(p)?, ws.get(n)?);
    if prev.line != w.line || next.line != w.line {
        return None;
    }
    let (prev_set, next_set) = (scripts[p]?, scripts[n]?);
    let mut ctx = prev_set;
    ctx.intersect_with(next_set);
    // The surrounding words must be in the document's main script and the word not.
    if ctx.is_empty() || meets(set, ctx) || !meets(ctx, main) {
        return None;
    }
    if w.all_variants_of(ctx, st) {
        return None; // "i" for "і" in Ukrainian text
    }
    if w.letters == 1 && meets(set, st.greek) {
        return None; // a Greek letter as a symbol: "α-Zerfall", "ρ = 2,5 g/cm³"
    }
    if !delimited(text, w.start, w.end) {
        return None;
    }
    // Another word of the same script on the line: a quotation, names, not a stray token.
    let tally = lines.entry(w.line).or_insert_with(|| {
        let mut t: Vec<(AugmentedScriptSet, u32)> = Vec::new();
        let first = ws[..i].partition_point(|o| o.line < w.line);
        for (o, s) in ws[first..].iter().zip(&scripts[first..]) {
            if o.line != w.line {
                break;
            }
            let Some(s) = *s else { continue };
            match t.iter_mut().find(|x| x.0 == s) {
                Some(x) => x.1 += 1,
                None => t.push((s, 1)),
            }
        }
        t
    });
    let same_script_words: u32 = tally.iter().filter(|x| meets(x.0, set)).map(|x| x.1).sum();
    if same_script_words > 1 {
        return None;
    }
    let word = &text[w.start..w.end];
    let all_lookalikes = || replace_foreign(word, ctx, st.latin).is_some();
    let report = if meets(set, st.latin) {
        !w.has_upper && all_lookalikes()
    } else {
        let short = w.letters <= 2 && meets(set, st.small) && meets(ctx, st.small);
        short || all_lookalikes()
    };
    report.then(|| Finding {
        start: w.start,
        end: w.end,
        script: set_name(set),
        context: set_name(ctx),
        kind: FindingKind::Token,
        fixed: None,
    })
}
