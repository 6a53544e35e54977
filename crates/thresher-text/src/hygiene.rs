//! The `hygiene` step: Unicode clean-up of extracted text, mojibake repair, and mixed-script
//! detection ([`UnicodeHygiene`], options [`HygieneOptions`]).
//!
//! # What it changes (each switchable, all on by default)
//!
//! In this order:
//!
//! 1. **Mojibake** (`mojibake`): UTF-8 text that was decoded as Windows-1252 or Latin-1
//!    upstream is decoded again ("â€™" → "’", "Ã©" → "é", "Ð¿Ñ€Ð¸" → "при"), only where the
//!    evidence is clear (rules in [`mojibake`]); a lone C1 control becomes
//!    the Windows-1252 character it stands for (U+0092 → "’"). It runs first because the
//!    later rules would destroy what it needs ("Ã\u{A0}" is "à", not "Ã" and a space).
//! 2. **Spaces** (`spaces`): U+00A0 no-break space, U+2000–U+200A (en/em/thin/hair... spaces,
//!    U+2007 figure space among them), U+202F narrow no-break space and U+205F medium
//!    mathematical space become an ASCII space. U+3000 ideographic space is the normal space
//!    of Chinese and Japanese text and is kept unless `ideographic_space` is set.
//! 3. **Zero-width** (`zero_width`): U+200B zero-width space, U+2060 word joiner and U+FEFF
//!    (zero-width no-break space / BOM) are removed; a BOM at the very start is counted as
//!    `bom`. U+200C/U+200D (ZWNJ/ZWJ: Persian, Indic scripts, emoji sequences), U+200E/U+200F
//!    (bidi marks) and U+00AD (soft hyphen) carry meaning or the author's intent and are kept.
//! 4. **Controls** (`controls`): C0 controls other than tab, newline and carriage return,
//!    DEL and C1 controls (U+0080–U+009F) are removed; vertical tab and form feed become
//!    `\n` (they separate lines or pages, and deleting them would glue words together).
//! 5. **Line breaks** (`line_breaks`): `\r\n` → `\n`, a lone `\r` → `\n`, U+2028 line
//!    separator and U+2029 paragraph separator → `\n`.
//! 6. **NFC** (`nfc`): canonical composition (ICU4X). Curly quotes, dashes, accents, emoji
//!    and compatibility characters (ligatures, full-width forms) are not changed: that
//!    would be NFKC.
//!
//! Text that needs none of this is returned untouched, without a copy: the step scans bytes
//! (clean ASCII at memory speed) and allocates only when something changes. When removing or
//! composing characters brings mojibake pieces together ("Ñ\u{FEFF}’"), the rules run again
//! (at most three rounds), so running the step twice changes nothing more.
//!
//! # What it annotates
//!
//! - `metadata.extra["hygiene"]`: what was changed, as counts per kind, only non-zero ones,
//!   absent when nothing changed: `mojibake` (characters restored), `nbsp`, `spaces`,
//!   `zero_width`, `bom`, `control`, `crlf`, `cr`, `line_separator`, `nfc` (code points
//!   saved by composition, at least 1 when NFC changed the text), `confusable` (words fixed
//!   with `fix_confusables`).
//! - `metadata.extra["mixed_script"]` (with `mixed_script`, the default): a list of
//!   `{"offset", "char_offset", "token", "script", "context", "kind"}`, one per word written
//!   in another script than its neighbours (`kind = "token"`) or mixing scripts with
//!   lookalike letters (`kind = "confusable"`); rules in [`scripts`]. `offset`
//!   is the byte offset and `char_offset` the code-point offset of the word in the text as
//!   the step leaves it; `token` is the word as it was found (with `fix_confusables`, a fixed
//!   entry also has `"fixed": <the word now in the text>`). At most `max_reported` entries;
//!   `metadata.extra["mixed_script_count"]` counts them all. Both are absent when nothing
//!   was found. The text is not changed by detection.
//!
//! The step never drops a document.
//!
//! # Measured
//!
//! On the 2,627 extracted web documents (`webtext-docs/combined.jsonl.gz`): text changed in
//! 752 (19,162 no-break spaces, 865 zero-width characters, 311 other spaces, 241 mojibake
//! characters in 25 documents, 11 NFC compositions), mixed-script findings in one document
//! (a page written with Cyrillic homoglyphs); about 30,000 documents per second on one core
//! (release build, loaded machine), against about 600 for `langid` in the same run. UDHR
//! texts in 92 languages, made into mojibake, come back exactly for 84 (85 read as Latin-1).
//! The mojibake rules changed none of the 282 correctly decoded legacy-encoding UDHR texts;
//! in the 388 Unicode UDHR texts and the 223,000 lines of lingua's test data they changed
//! only real mojibake and stray C1 controls present in the sources (reviewed). Mixed-script
//! findings there: 2 UDHR texts (Sakha with a Latin "c", Yukaghir written with a Latin "w")
//! and 109 of 74,141 web sentences, nearly all real homoglyph substitutions (Azerbaijani
//! with Cyrillic а/е/о, Mongolian with Latin letters). `tests/hygiene.rs` prints all of these.

mod json;
pub mod mojibake;
mod normalize;
pub mod scripts;

use json::Json;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use thresher_core::{Document, Step, Verdict};

/// Options of the [`UnicodeHygiene`] step. Every field has a default, and unknown fields are
/// refused when read from a pipeline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HygieneOptions {
    /// Canonical composition (NFC). Default true.
    pub nfc: bool,
    /// No-break and fixed-width spaces (U+00A0, U+2000–U+200A, U+202F, U+205F) → ASCII space.
    /// Default true.
    pub spaces: bool,
    /// Also U+3000 ideographic space → ASCII space (only with `spaces`). Default false: it is
    /// the ordinary space of CJK text.
    pub ideographic_space: bool,
    /// Remove U+200B, U+2060 and U+FEFF (a leading BOM included). Default true.
    pub zero_width: bool,
    /// Remove C0 controls except tab/newline/CR, DEL and C1 controls; VT and FF → `\n`.
    /// Default true.
    pub controls: bool,
    /// `\r\n` and lone `\r` → `\n`; U+2028/U+2029 → `\n`. Default true.
    pub line_breaks: bool,
    /// Repair mojibake (UTF-8 read as Windows-1252/Latin-1) where the evidence is clear.
    /// Default true.
    pub mojibake: bool,
    /// Report mixed-script words and stray other-script tokens in the metadata. Default true.
    pub mixed_script: bool,
    /// Replace the lookalike letters of a `confusable` word by the letters of the word's own
    /// script ("pаypal" with a Cyrillic "а" → "paypal"). Needs `mixed_script`. The fixed
    /// word is written in NFC (with `nfc`); fixes that would give the other rules something
    /// new to change are not made (the word is still reported). Default false.
    pub fix_confusables: bool,
    /// At most this many entries in `mixed_script` (the count covers all). Default 100.
    pub max_reported: usize,
}

impl Default for HygieneOptions {
    fn default() -> Self {
        HygieneOptions {
            nfc: true,
            spaces: true,
            ideographic_space: false,
            zero_width: true,
            controls: true,
            line_breaks: true,
            mojibake: true,
            mixed_script: true,
            fix_confusables: false,
            max_reported: 100,
        }
    }
}

/// The kinds of change counted in `metadata.extra["hygiene"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Mojibake,
    Nbsp,
    Spaces,
    ZeroWidth,
    Bom,
    Control,
    Crlf,
    Cr,
    LineSeparator,
    Nfc,
    Confusable,
}

const KINDS: [(Kind, &str); 11] = [
    (Kind::Mojibake, "mojibake"),
    (Kind::Nbsp, "nbsp"),
    (Kind::Spaces, "spaces"),
    (Kind::ZeroWidth, "zero_width"),
    (Kind::Bom, "bom"),
    (Kind::Control, "control"),
    (Kind::Crlf, "crlf"),
    (Kind::Cr, "cr"),
    (Kind::LineSeparator, "line_separator"),
    (Kind::Nfc, "nfc"),
    (Kind::Confusable, "confusable"),
];

/// Per-kind change counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts([u64; 11]);

impl Counts {
    pub(crate) fn add(&mut self, k: Kind, n: u64) {
        self.0[k as usize] += n;
    }

    /// The count of one kind by its metadata name (`"nbsp"`, `"mojibake"`, ...); 0 for an
    /// unknown name.
    pub fn get(&self, name: &str) -> u64 {
        KINDS
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(0, |(k, _)| self.0[*k as usize])
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&n| n == 0)
    }

    /// The non-zero counts as `(name, count)` pairs, in a fixed order.
    pub fn nonzero(&self) -> Vec<(&'static str, u64)> {
        KINDS
            .iter()
            .map(|&(k, name)| (name, self.0[k as usize]))
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    fn to_json(&self) -> Json {
        Json::Map(
            self.nonzero()
                .into_iter()
                .map(|(k, n)| (k.to_string(), Json::U64(n)))
                .collect(),
        )
    }
}

/// One entry of `metadata.extra["mixed_script"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixedScriptFinding {
    /// Byte offset of the word in the text as the step leaves it.
    pub offset: usize,
    /// Code-point offset of the word in the text as the step leaves it.
    pub char_offset: usize,
    /// The word as found.
    pub token: String,
    /// Script of the word (`token`) or of its foreign letters (`confusable`).
    pub script: String,
    /// Script of the neighbouring words (`token`) or of the word's majority (`confusable`).
    pub context: String,
    /// `"token"` or `"confusable"`.
    pub kind: String,
    /// The word now in the text, when `fix_confusables` replaced its lookalike letters.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fixed: Option<String>,
}

impl MixedScriptFinding {
    fn to_json(&self) -> Json {
        let mut fields = vec![
            ("offset".to_string(), Json::U64(self.offset as u64)),
            (
                "char_offset".to_string(),
                Json::U64(self.char_offset as u64),
            ),
            ("token".to_string(), Json::Str(self.token.clone())),
            ("script".to_string(), Json::Str(self.script.clone())),
            ("context".to_string(), Json::Str(self.context.clone())),
            ("kind".to_string(), Json::Str(self.kind.clone())),
        ];
        if let Some(f) = &self.fixed {
            fields.push(("fixed".to_string(), Json::Str(f.clone())));
        }
        Json::Map(fields)
    }
}

/// What [`UnicodeHygiene::clean`] did to a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HygieneReport {
    /// Changes per kind.
    pub counts: Counts,
    /// Mixed-script findings (at most `max_reported`), in text order.
    pub findings: Vec<MixedScriptFinding>,
    /// Number of findings, including those beyond `max_reported`.
    pub finding_count: usize,
}

/// Unicode hygiene step (name `hygiene`); see the module docs.
#[derive(Debug, Clone, Default)]
pub struct UnicodeHygiene {
    options: HygieneOptions,
}

impl UnicodeHygiene {
    /// A step with these options.
    pub fn new(options: HygieneOptions) -> UnicodeHygiene {
        UnicodeHygiene { options }
    }

    /// The options.
    pub fn options(&self) -> &HygieneOptions {
        &self.options
    }

    /// Cleans `text`: the new text (borrowed when unchanged) and what was done.
    pub fn clean<'a>(&self, text: &'a str) -> (Cow<'a, str>, HygieneReport) {
        let o = &self.options;
        let mut report = HygieneReport::default();
        let mut text: Cow<'a, str> = Cow::Borrowed(text);
        // Removing a character or composing one can bring mojibake pieces together
        // ("Ñ\u{FEFF}’" → "Ñ’"): then the rules run again, so that the step is idempotent.
        for _round in 0..3 {
            if o.mojibake {
                if let Some(t) = mojibake::repair(&text, &mut report.counts) {
                    text = Cow::Owned(t);
                }
            }
            let mut changed = false;
            if let Some(t) = normalize::clean_chars(&text, o, &mut report.counts) {
                text = Cow::Owned(t);
                changed = true;
            }
            if o.nfc {
                if let Some(t) = normalize::nfc(&text, &mut report.counts) {
                    text = Cow::Owned(t);
                    changed = true;
                }
            }
            if !(changed && o.mojibake && mojibake::may_contain(&text)) {
                break;
            }
        }
        if o.mixed_script {
            let found = scripts::detect(&text);
            if !found.is_empty() {
                text = self.report_findings(text, found, &mut report);
            }
        }
        (text, report)
    }

    /// Whether the character rules (mojibake, spaces, controls, line breaks, NFC) would change
    /// `text` again.
    fn renormalizes(&self, text: &str) -> bool {
        let o = &self.options;
        let mut scratch = Counts::default();
        o.mojibake && mojibake::repair(text, &mut scratch).is_some()
            || normalize::clean_chars(text, o, &mut scratch).is_some()
            || o.nfc && normalize::nfc(text, &mut scratch).is_some()
    }

    /// Whether `text` has a confusable word that fixing would change.
    fn fixable(text: &str) -> bool {
        scripts::detect(text)
            .iter()
            .any(|f| f.kind == scripts::FindingKind::Confusable && f.fixed.is_some())
    }

    /// Turns findings into report entries with offsets in the final text, applying the
    /// confusable fixes when asked to.
    fn report_findings<'a>(
        &self,
        text: Cow<'a, str>,
        mut found: Vec<scripts::Finding>,
        report: &mut HygieneReport,
    ) -> Cow<'a, str> {
        if self.options.fix_confusables && self.options.nfc {
            // A lookalike letter can compose with a mark after it (Cyrillic "а" + U+0301 has
            // no precomposed form, Latin "a" + U+0301 is "á"): the fixed word is written in
            // NFC, as the rest of the text is.
            for f in &mut found {
                if let Some(fixed) = f.fixed.as_mut() {
                    if let Some(n) = normalize::nfc(fixed, &mut Counts::default()) {
                        *fixed = n;
                    }
                }
            }
        }
        let before = report.clone();
        let fixed_text = self.write_findings(&text, &found, true, report);
        match fixed_text {
            // The fixes must not give the character rules, or the fixing itself, something
            // new to change (the step is idempotent); when they would, the words are reported
            // but left as they are.
            Some(t) if self.renormalizes(&t) || Self::fixable(&t) => {
                *report = before;
                self.write_findings(&text, &found, false, report);
                text
            }
            Some(t) => Cow::Owned(t),
            None => text,
        }
    }

    /// Records the findings in `report` (with offsets in the text as it will be) and, when
    /// `fix_confusables` is set, `may_fix` is true and there is something to fix, returns the
    /// text with the fixes applied.
    fn write_findings(
        &self,
        text: &str,
        found: &[scripts::Finding],
        may_fix: bool,
        report: &mut HygieneReport,
    ) -> Option<String> {
        let fix = self.options.fix_confusables && may_fix;
        let will_fix = |f: &scripts::Finding| fix && f.kind == scripts::FindingKind::Confusable;
        let mut out = if found.iter().any(will_fix) {
            Some(String::with_capacity(text.len()))
        } else {
            None
        };
        report.finding_count = found.len();
        let mut copied = 0; // bytes of `text` handled
        let mut chars = 0; // code points of the output so far
        let mut out_len = 0; // bytes of the output so far
        for f in found {
            let gap = &text[copied..f.start];
            chars += gap.chars().count();
            out_len += gap.len();
            if let Some(o) = out.as_mut() {
                o.push_str(gap);
            }
            let token = &text[f.start..f.end];
            let fixed = match (&f.fixed, will_fix(f)) {
                (Some(new), true) => Some(new.clone()),
                _ => None,
            };
            if report.findings.len() < self.options.max_reported {
                report.findings.push(MixedScriptFinding {
                    offset: out_len,
                    char_offset: chars,
                    token: token.to_string(),
                    script: f.script.clone(),
                    context: f.context.clone(),
                    kind: f.kind.as_str().to_string(),
                    fixed: fixed.clone(),
                });
            }
            let written = fixed.as_deref().unwrap_or(token);
            if fixed.is_some() {
                report.counts.add(Kind::Confusable, 1);
            }
            if let Some(o) = out.as_mut() {
                o.push_str(written);
            }
            chars += written.chars().count();
            out_len += written.len();
            copied = f.end;
        }
        out.map(|mut o| {
            o.push_str(&text[copied..]);
            o
        })
    }
}

impl Step for UnicodeHygiene {
    fn name(&self) -> &str {
        "hygiene"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        let (text, report) = self.clean(&doc.text);
        if let Cow::Owned(t) = text {
            if t != doc.text {
                doc.text = t;
            }
        }
        let extra = &mut doc.metadata.extra;
        let mut put = |key: &str, value: Json| {
            if let Ok(v) = Deserialize::deserialize(value) {
                extra.insert(key.to_string(), v);
            }
        };
        if !report.counts.is_empty() {
            put("hygiene", report.counts.to_json());
        }
        if report.finding_count > 0 {
            let list = report.findings.iter().map(|f| f.to_json()).collect();
            put("mixed_script", Json::Seq(list));
            put("mixed_script_count", Json::U64(report.finding_count as u64));
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests;
