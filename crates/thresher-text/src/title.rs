//! The `title` step: for plain-text documents without a title, takes a headline-shaped first
//! line off the text and makes it `metadata.title`.
//!
//! # When the first line is a title
//!
//! Only when `metadata.title` is unset (or blank). After leading blank lines, the first line
//! `T` and the next non-blank line `B` must satisfy all of:
//!
//! - `T` is short: at most `max_chars` characters (default 150) and `max_words` words (default
//!   20), with at least two letters, and letters make at least half of its non-space
//!   characters;
//! - `T` is not a sentence of the body: it does not end with `.`, `,`, `;` or `:` (closing
//!   quotes and brackets looked through; `?` and `!` are allowed, headlines ask and exclaim),
//!   has no sentence break inside (`. ` followed by a capital), does not start with a
//!   lowercase letter (a continued fragment) nor end with an article, preposition or
//!   conjunction ("... for", "... und");
//! - `T` is not a list item (`- `, `* `, `• `, `1. `, `a) `, ...), a table row (`| ... |`),
//!   a date or time alone, or a
//!   line the junk classifier recognises (URL, e-mail, "Share", "Impressum", ads.txt record,
//!   ...);
//! - one or more blank lines separate `T` from `B` (unless `require_blank_line` is off);
//! - `B` is prose and longer than `T`: at least `min_body_words` words (default 10) or, for
//!   scripts written without spaces, 60 characters, and it contains sentence punctuation.
//!
//! The title is `T` trimmed. The text loses the leading blank lines, `T`, and the blank lines
//! after it: it starts at `B`, byte for byte. The step never drops a document. Run it after `junk_lines`, which removes what
//! may sit above the title (an ads.txt record, breadcrumbs).

use crate::junk::classify_line;
use crate::junk::rules::{is_date_line, lower_collapsed};
use serde::{Deserialize, Serialize};
use thresher_core::{Document, Step, Verdict};

/// Options of the [`TitleFromText`] step. Deserialises with defaults for missing fields and
/// refuses unknown ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TitleOptions {
    /// Longest title, in characters. Default 150.
    pub max_chars: usize,
    /// Most words in a title. Default 20.
    pub max_words: usize,
    /// Fewest words in the paragraph after the title. Default 10.
    pub min_body_words: usize,
    /// Require a blank line between the title and the body. Default `true`. Texts whose
    /// paragraphs are separated by single newlines (trafilatura's output) have none; with
    /// `false` the first line of such texts can be taken too, which is riskier (a short
    /// first paragraph or a heading of the body).
    pub require_blank_line: bool,
}

impl Default for TitleOptions {
    fn default() -> Self {
        TitleOptions {
            max_chars: 150,
            max_words: 20,
            min_body_words: 10,
            require_blank_line: true,
        }
    }
}

/// Title from the first line (name `title`); see the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleFromText {
    options: TitleOptions,
}

/// A title found in a text: the title and the byte offset where the remaining text starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTitle<'a> {
    /// The title line, trimmed.
    pub title: &'a str,
    /// Offset of the first byte of the body (the paragraph after the title).
    pub body_start: usize,
}

impl TitleFromText {
    /// A step with these options.
    pub fn new(options: TitleOptions) -> TitleFromText {
        TitleFromText { options }
    }

    /// The options.
    pub fn options(&self) -> &TitleOptions {
        &self.options
    }

    /// The title at the start of `text`, if it has one (see the module docs).
    pub fn find<'a>(&self, text: &'a str) -> Option<FoundTitle<'a>> {
        let mut lines = LineIter { text, pos: 0 };
        let (_, title_line) = lines.by_ref().find(|(_, l)| !l.trim().is_empty())?;
        // At least one blank line, then the body.
        let mut saw_blank = false;
        let (body_start, body) = loop {
            let (start, l) = lines.next()?;
            if l.trim().is_empty() {
                saw_blank = true;
            } else {
                break (start, l);
            }
        };
        if !saw_blank && self.options.require_blank_line {
            return None;
        }
        let title = title_line.trim();
        if !self.is_title(title) || !self.is_body(body.trim(), title) {
            return None;
        }
        Some(FoundTitle { title, body_start })
    }

    fn is_title(&self, t: &str) -> bool {
        let chars = t.chars().count();
        if chars == 0 || chars > self.options.max_chars {
            return false;
        }
        if t.split_whitespace().count() > self.options.max_words {
            return false;
        }
        let non_space = t.chars().filter(|c| !c.is_whitespace()).count();
        let letters = t.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 || letters * 2 < non_space {
            return false;
        }
        let first = t.chars().next().unwrap_or(' ');
        if first.is_lowercase() {
            return false;
        }
        let last = t
            .trim_end_matches(['"', '\'', '”', '’', '»', '«', ')', ']', '“'])
            .chars()
            .last()
            .unwrap_or(' ');
        if matches!(
            last,
            '.' | ',' | ';' | ':' | '…' | '。' | '，' | '：' | '-' | '–'
        ) {
            return false;
        }
        if is_list_item(t) || has_sentence_break(t) || t.starts_with('|') || t.ends_with('|') {
            return false;
        }
        // A headline does not stop on an article, a preposition or a conjunction ("... for").
        let last_word = t
            .rsplit(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .to_lowercase();
        if DANGLING.contains(&last_word.as_str()) {
            return false;
        }
        let low = lower_collapsed(t);
        if is_date_line(low.trim_matches(|c: char| !c.is_alphanumeric())) {
            return false;
        }
        classify_line(t).is_none()
    }

    fn is_body(&self, b: &str, title: &str) -> bool {
        let chars = b.chars().count();
        if chars <= title.chars().count() {
            return false;
        }
        let words = b.split_whitespace().count();
        let long_enough = words >= self.options.min_body_words
            || chars >= 60 && b.chars().any(is_spaceless_script);
        long_enough && b.contains(['.', '!', '?', '。', '！', '？', '؟', '।'])
    }
}

/// Words a headline does not end with (en, de, fr, es).
const DANGLING: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "with", "by", "at", "from",
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "und", "oder", "von", "zu", "mit",
    "für", "im", "am", "auf", "le", "la", "les", "un", "une", "et", "ou", "de", "du", "des",
    "pour", "avec", "el", "los", "las", "y", "o", "con", "para", "por",
];

/// Lines with their start offsets, without terminators.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

fn is_list_item(t: &str) -> bool {
    let mut chars = t.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    if matches!(
        first,
        '-' | '*'
            | '•'
            | '·'
            | '–'
            | '—'
            | '▪'
            | '►'
            | '✓'
            | '✔'
            | '○'
            | '●'
            | '■'
            | '□'
            | '+'
            | '>'
    ) && (second.is_whitespace() || first != '-' && first != '+')
    {
        return true;
    }
    // "1. ", "12) ", "a) ", "iv. "
    let head: String = t.chars().take_while(|c| c.is_alphanumeric()).collect();
    let after = t[head.len()..].chars().take(2).collect::<String>();
    let enumerator = !head.is_empty()
        && (head.chars().all(|c| c.is_ascii_digit()) && head.len() <= 3
            || head.chars().count() == 1 && head.chars().all(|c| c.is_ascii_lowercase())
            || matches!(head.as_str(), "i" | "ii" | "iii" | "iv" | "v" | "vi"));
    enumerator && (after.starts_with(". ") || after.starts_with(") "))
}

/// A sentence end followed by another sentence: `. X`, `! X`, `? X` (X uppercase).
fn has_sentence_break(t: &str) -> bool {
    let cs: Vec<char> = t.chars().collect();
    for i in 0..cs.len() {
        if matches!(cs[i], '.' | '!' | '?') {
            let mut j = i + 1;
            while j < cs.len() && matches!(cs[j], '"' | '\'' | '”' | '’' | ')') {
                j += 1;
            }
            if j + 1 < cs.len() && cs[j].is_whitespace() && cs[j + 1].is_uppercase() {
                // "Dr. Smith", "U.S. Army": an abbreviation (one or two letters) before.
                let word_start = cs[..i]
                    .iter()
                    .rposition(|c| c.is_whitespace())
                    .map_or(0, |p| p + 1);
                let word = &cs[word_start..i];
                let letters = word.iter().filter(|c| c.is_alphabetic()).count();
                if cs[i] == '.' && (letters <= 2 || word.contains(&'.')) {
                    continue;
                }
                return true;
            }
        }
    }
    false
}

/// Han, Kana, Hangul, Thai and similar scripts (words not separated by spaces).
fn is_spaceless_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF   // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK ext A
        | 0x4E00..=0x9FFF // CJK
        | 0xAC00..=0xD7AF // Hangul
        | 0xF900..=0xFAFF)
}

impl Step for TitleFromText {
    fn name(&self) -> &str {
        "title"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        if doc
            .metadata
            .title
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
        {
            return Verdict::Keep;
        }
        if let Some(found) = self.find(&doc.text) {
            let title = found.title.to_string();
            let body_start = found.body_start;
            doc.text.drain(..body_start);
            doc.metadata.title = Some(title);
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "The Belarusian Defense Ministry said on Saturday the first train carrying Russian servicemen had arrived in the country.";

    fn run(text: &str) -> (Option<String>, String) {
        let mut doc = Document::new("1", text);
        TitleFromText::default().process(&mut doc);
        (doc.metadata.title, doc.text)
    }

    #[test]
    fn takes_a_headline() {
        let text = format!("\n\nFirst Train Carrying Russian Servicemen Arrived in Belarus\u{a0}\n\n{BODY}\n\nMore.");
        let (t, body) = run(&text);
        assert_eq!(
            t.as_deref(),
            Some("First Train Carrying Russian Servicemen Arrived in Belarus")
        );
        assert_eq!(body, format!("{BODY}\n\nMore."));
        for title in [
            "Why Is the Sky Blue?",
            "Wie entsteht Erdöl?",
            "Dr. Smith Wins the Prize",
            "„Die Eskalation geht weiter“",
            "Mandelplätzchen",
        ] {
            let (t, _) = run(&format!("{title}\r\n\r\n{BODY}"));
            assert_eq!(t.as_deref(), Some(title), "{title}");
        }
    }

    #[test]
    fn leaves_other_first_lines() {
        for first in [
            "The ministry said on Saturday the first train had arrived.",
            "- first item of a list",
            "1. Introduction to the topic",
            "3. Mai 2021",
            "03.04.2020",
            "https://example.com/page",
            "Share this:",
            "Impressum",
            "and then the train arrived in Minsk",
            "It came. It went",
            "| Name | Price |",
            "Hi this is Coach here broadcasting from Atlanta for",
            "Summary:",
            "12345 67890",
            "A title that is far too long to be a title because it goes on and on with many words beyond any sensible headline length",
        ] {
            let text = format!("{first}\n\n{BODY}");
            let (t, body) = run(&text);
            assert_eq!(t, None, "{first}");
            assert_eq!(body, text);
        }
        // no blank line after it, body too short, nothing after it
        for text in [
            format!("A Headline\n{BODY}"),
            "A Headline\n\nShort body here.".to_string(),
            "A Headline\n\n".to_string(),
            "A Headline".to_string(),
            String::new(),
            format!("A Headline\n\n{}", "word ".repeat(30)),
        ] {
            assert_eq!(run(&text).0, None, "{text:?}");
        }
    }

    #[test]
    fn blank_line_can_be_optional() {
        let text = format!("A Headline\n{BODY}");
        assert_eq!(run(&text).0, None);
        let step = TitleFromText::new(TitleOptions {
            require_blank_line: false,
            ..Default::default()
        });
        let mut doc = Document::new("1", text);
        step.process(&mut doc);
        assert_eq!(doc.metadata.title.as_deref(), Some("A Headline"));
        assert_eq!(doc.text, BODY);
    }

    #[test]
    fn keeps_an_existing_title() {
        let mut doc = Document::new("1", format!("A Headline\n\n{BODY}"));
        doc.metadata.title = Some("Set".into());
        TitleFromText::default().process(&mut doc);
        assert_eq!(doc.metadata.title.as_deref(), Some("Set"));
        assert!(doc.text.starts_with("A Headline"));
        doc.metadata.title = Some("  ".into());
        TitleFromText::default().process(&mut doc);
        assert_eq!(doc.metadata.title.as_deref(), Some("A Headline"));
        assert_eq!(doc.text, BODY);
    }

    #[test]
    fn spaceless_scripts() {
        let body = "東京都は今日、新しい交通計画を発表した。計画では、二〇三〇年までに市内のバス路線を大幅に見直し、高齢者や子どもが使いやすい交通網を整えるとしている。";
        let (t, b) = run(&format!("東京都が新交通計画を発表\n\n{body}"));
        assert_eq!(t.as_deref(), Some("東京都が新交通計画を発表"));
        assert_eq!(b, body);
    }

    #[test]
    fn options_deserialise() {
        let o: TitleOptions = serde_json::from_str(r#"{"max_words": 12}"#).unwrap();
        assert_eq!(o.max_words, 12);
        assert_eq!(o.max_chars, 150);
        assert!(serde_json::from_str::<TitleOptions>(r#"{"x": 1}"#).is_err());
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "\n",
            "\r\n\r\n",
            "é\n\nü",
            "A\n\n\u{a0}",
            ". X",
            "x. Y",
            "1) ",
            "ß.",
        ] {
            let _ = run(t);
            let _ = run(&format!("{t}\n\n{BODY}"));
        }
    }
}
