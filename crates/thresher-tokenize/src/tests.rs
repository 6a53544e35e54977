//! Unit tests of the pieces: the Python-`re`-compatible matcher, the spaCy algorithm's
//! steps, language selection, and robustness on arbitrary input.

use std::sync::Arc;

use super::*;
use crate::regex::{CharSet, Node, Regex, Scratch};
use crate::spacy::py_isspace;

/// Builds regexes from hand-written trees, with one set per character class.
#[derive(Default)]
struct Re {
    sets: Vec<CharSet>,
}

impl Re {
    fn set(&mut self, chars: &str) -> Node {
        let ranges: Vec<(u32, u32)> = chars.chars().map(|c| (c as u32, c as u32)).collect();
        self.sets.push(CharSet::from_ranges(&ranges));
        Node::Set(self.sets.len() as u32 - 1)
    }

    fn lit(&mut self, s: &str) -> Vec<Node> {
        s.chars().map(|c| self.set(&c.to_string())).collect()
    }

    fn rep(&mut self, min: u32, max: Option<u32>, greedy: bool, body: Vec<Node>) -> Node {
        Node::Repeat {
            min,
            max,
            greedy,
            body,
        }
    }

    fn build(&self, alts: Vec<Vec<Node>>) -> Regex {
        Regex::new(&alts, Arc::from(self.sets.clone())).expect("valid regex")
    }
}

fn search(r: &Regex, hay: &str) -> Option<(usize, usize)> {
    r.search(hay, &mut Scratch::default())
}

fn find_all(r: &Regex, hay: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    r.find_iter(hay, &mut Scratch::default(), &mut out);
    out
}

#[test]
fn alternation_is_leftmost_first_not_longest() {
    // Python: re.search("a|ab", "ab").span() == (0, 1)
    let mut b = Re::default();
    let (a, ab) = (b.lit("a"), b.lit("ab"));
    assert_eq!(
        search(&b.build(vec![a.clone(), ab.clone()]), "ab"),
        Some((0, 1))
    );
    assert_eq!(search(&b.build(vec![ab, a]), "ab"), Some((0, 2)));
    // A branch inside a sequence backtracks into its next alternative: (?:a|ab)c on "abc".
    let mut b = Re::default();
    let alts = vec![b.lit("a"), b.lit("ab")];
    let mut seq = vec![Node::Branch(alts)];
    seq.extend(b.lit("c"));
    assert_eq!(search(&b.build(vec![seq]), "xabc"), Some((1, 4)));
}

#[test]
fn greedy_and_lazy_repeats() {
    let mut b = Re::default();
    let a = b.set("a");
    let greedy = b.rep(1, None, true, vec![a.clone()]);
    let lazy = b.rep(1, None, false, vec![a.clone()]);
    assert_eq!(search(&b.build(vec![vec![greedy]]), "aaa"), Some((0, 3)));
    assert_eq!(search(&b.build(vec![vec![lazy]]), "aaa"), Some((0, 1)));
    // a*?b on "aab": the lazy repeat takes more until b matches.
    let lazy0 = b.rep(0, None, false, vec![a.clone()]);
    let bb = b.set("b");
    assert_eq!(search(&b.build(vec![vec![lazy0, bb]]), "aab"), Some((0, 3)));
    // Bounded repeat of a complex body: (?:ab){2,3} on "abababab".
    let body = b.lit("ab");
    let rep = b.rep(2, Some(3), true, body);
    assert_eq!(search(&b.build(vec![vec![rep]]), "abababab"), Some((0, 6)));
    // a{2,3}? stops at 2.
    let rep = b.rep(2, Some(3), false, vec![a]);
    assert_eq!(search(&b.build(vec![vec![rep]]), "aaaa"), Some((0, 2)));
}

#[test]
fn lookbehind_and_lookahead() {
    let mut b = Re::default();
    let digit = b.set("0123456789");
    let m = b.set("m");
    let behind = Node::Look {
        behind: true,
        negate: false,
        width: 1,
        body: vec![digit.clone()],
    };
    let r = b.build(vec![vec![behind, m.clone()]]);
    assert_eq!(search(&r, "5m"), Some((1, 2)));
    assert_eq!(search(&r, "xm"), None);
    // At the very start there is nothing to look behind at.
    assert_eq!(search(&r, "m"), None);
    // A negative lookbehind succeeds at the start (Python does the same).
    let not_behind = Node::Look {
        behind: true,
        negate: true,
        width: 1,
        body: vec![digit.clone()],
    };
    let r = b.build(vec![vec![not_behind, m.clone()]]);
    assert_eq!(search(&r, "m"), Some((0, 1)));
    assert_eq!(search(&r, "5m"), None);
    let ahead = Node::Look {
        behind: false,
        negate: false,
        width: 0,
        body: vec![digit],
    };
    let r = b.build(vec![vec![m, ahead]]);
    assert_eq!(search(&r, "mxm7"), Some((2, 3)));
}

#[test]
fn dollar_matches_before_a_final_newline() {
    // Python: re.search("a$", "a\n").span() == (0, 1)
    let mut b = Re::default();
    let mut seq = b.lit("a");
    seq.push(Node::At(crate::regex::Anchor::EosNl));
    let r = b.build(vec![seq]);
    assert_eq!(search(&r, "a\n"), Some((0, 1)));
    assert_eq!(search(&r, "ab"), None);
    assert_eq!(search(&r, "ba"), Some((1, 2)));
}

#[test]
fn finditer_empty_match_rules() {
    // Python 3.7+: [m.span() for m in re.finditer("x*", "axb")]
    //   == [(0, 0), (1, 2), (2, 2), (3, 3)]
    let mut b = Re::default();
    let x = b.set("x");
    let r = b.build(vec![vec![Node::Repeat {
        min: 0,
        max: None,
        greedy: true,
        body: vec![x],
    }]]);
    assert_eq!(find_all(&r, "axb"), vec![(0, 0), (1, 2), (2, 2), (3, 3)]);
    // Non-ASCII positions are byte offsets on character boundaries.
    assert_eq!(find_all(&r, "éx"), vec![(0, 0), (2, 3), (3, 3)]);
}

#[test]
fn nullable_loop_bodies_terminate() {
    // (?:a?)* on "aa" matches "aa" and stops.
    let mut b = Re::default();
    let a = b.set("a");
    let opt = b.rep(0, Some(1), true, vec![a.clone()]);
    let star = b.rep(0, None, true, vec![opt, Node::Seq(vec![])]);
    assert_eq!(search(&b.build(vec![vec![star]]), "aa"), Some((0, 2)));
    // Catastrophic backtracking ((?:a*)*b on a's) gives up within the step budget.
    let inner = b.rep(0, None, true, vec![a]);
    let outer = b.rep(0, None, true, vec![inner, Node::Seq(vec![])]);
    let bb = b.set("b");
    let r = b.build(vec![vec![outer, bb]]);
    let hay = "a".repeat(40);
    let t = std::time::Instant::now();
    assert_eq!(search(&r, &hay), None);
    assert!(t.elapsed().as_secs() < 30);
}

#[test]
fn charset_ranges_and_membership() {
    let s = CharSet::from_ranges(&[
        (0x61, 0x63),
        (0x3b1, 0x3c9),
        (0x1f600, 0x1f64f),
        (0x62, 0x70),
    ]);
    assert!(s.contains('a') && s.contains('p') && !s.contains('q'));
    assert!(s.contains('λ') && !s.contains('Ω'));
    assert!(s.contains('😀') && !s.contains('🚀'));
    let t = s.union(&CharSet::from_ranges(&[(0x71, 0x71)]));
    assert!(t.contains('q'));
}

#[test]
fn python_isspace_matches_exported_table() {
    let v = spacy::read_gz_json(include_bytes!("../data/common.json.gz")).expect("common data");
    let listed: Vec<u32> = v["isspace"]
        .as_array()
        .expect("isspace list")
        .iter()
        .filter_map(|x| x.as_u64())
        .map(|x| x as u32)
        .collect();
    let ours: Vec<u32> = (0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|&c| py_isspace(c))
        .map(|c| c as u32)
        .collect();
    assert_eq!(ours, listed);
    // Python counts U+001C..U+001F as space, Rust does not; ZWSP is neither.
    assert!(py_isspace('\u{1c}') && !'\u{1c}'.is_whitespace());
    assert!(!py_isspace('\u{200b}'));
}

#[test]
fn english_basics() {
    let en = Tokenizer::english();
    assert_eq!(en.language(), "en");
    assert!(en.is_exact());
    assert_eq!(en.words("Hello, world!"), vec!["Hello", ",", "world", "!"]);
    assert!(en.words("").is_empty());
    assert!(en.words(" \n\t ").is_empty());
    assert_eq!(en.words("word"), vec!["word"]);
    // Special cases, also after affixes and when the matcher has to re-find them.
    assert_eq!(en.words("don't"), vec!["do", "n't"]);
    assert_eq!(en.words("(don't)"), vec!["(", "do", "n't", ")"]);
    assert_eq!(en.words("U.S. e.g.,"), vec!["U.S.", "e.g.", ","]);
    assert_eq!(en.words("word:)"), vec!["word", ":)"]);
    assert_eq!(en.words(": )"), vec![":", ")"]);
    // Suffixes with lookbehind (units after digits), infixes, URLs.
    assert_eq!(en.words("5km $10.50"), vec!["5", "km", "$", "10.50"]);
    assert_eq!(en.words("well-known"), vec!["well", "-", "known"]);
    assert_eq!(
        en.words("see https://example.com/a?b=c."),
        vec!["see", "https://example.com/a?b=c", "."]
    );
    // Whitespace: one ' ' is absorbed, other whitespace is dropped as tokens; NBSP and
    // U+2028 separate words, ZWSP does not.
    assert_eq!(
        en.words("a\u{a0}b\u{2028}c\u{200b}d"),
        vec!["a", "b", "c\u{200b}d"]
    );
}

#[test]
fn is_alpha_is_removed_as_datatrove_retries() {
    let en = Tokenizer::english();
    assert_eq!(en.words("foo IS_ALPHA bar"), vec!["foo", "bar"]);
    // Not a token of its own: nothing happens.
    assert_eq!(en.words("xIS_ALPHAy"), vec!["xIS_ALPHAy"]);
    // With the token, every occurrence goes, and glued words are exact in words_cow.
    let text = "xIS_ALPHAy IS_ALPHA.";
    assert_eq!(en.words_cow(text), vec!["xy", "."]);
    assert_eq!(en.words(text), vec!["xIS_ALPHAy", "."]);
}

#[test]
fn language_codes_follow_datatrove() {
    let en = Tokenizer::english();
    for code in ["en", "eng", "eng_Latn"] {
        let t = Tokenizer::for_language(code).expect("English");
        assert!(std::ptr::eq(t, en), "{code}");
    }
    for (code, lang) in [
        ("de", "de"),
        ("deu", "de"),
        ("deu_Latn", "de"),
        ("fr", "fr"),
        ("es", "es"),
        ("it", "it"),
        ("pt", "pt"),
        ("nl", "nl"),
        ("ru", "ru"),
        ("pl", "pl"),
        ("tr", "tr"),
        ("arb_Arab", "ar"),
        // datatrove's table maps these ISO 639-1 codes to spaCy's multi-language tokenizer.
        ("zh", "xx"),
        ("ar", "xx"),
        ("xx", "xx"),
    ] {
        let t = Tokenizer::for_language(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(t.language(), lang, "{code}");
        assert!(t.is_exact(), "{code}");
    }
    // Model-based tokenizers are approximated.
    for code in ["ja", "th", "ko", "hi", "cmn"] {
        let t = Tokenizer::for_language(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(!t.is_exact(), "{code}");
    }
    assert!(std::ptr::eq(
        Tokenizer::for_language("de").expect("de"),
        Tokenizer::for_language("deu_Latn").expect("de")
    ));
    for bad in ["", "zzz", "english", "EN"] {
        assert!(
            matches!(
                Tokenizer::for_language(bad),
                Err(TokenizeError::UnknownLanguage(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn every_bundled_language_loads() {
    for (code, _) in spacy_data::SPACY_LANGS {
        let t = Tokenizer::spacy(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(t.language(), *code);
        assert!(!t.words("Hello, world. 3.5km (test)").is_empty());
    }
}

#[test]
fn icu_segments_scripts_without_spaces() {
    let th = Tokenizer::for_language("th").expect("Thai");
    let words = th.words("สวัสดีชาวโลก นี่คือการทดสอบ");
    assert!(words.len() >= 4, "{words:?}");
    let ja = Tokenizer::for_language("ja").expect("Japanese");
    assert!(ja.words("東京は日本の首都です。").len() >= 4);
    assert!(th.words("").is_empty());
}

/// A small deterministic generator for the robustness test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn arbitrary_text_never_panics_and_words_cover_it() {
    // Characters from the classes the rules care about, plus random code points.
    let pool: Vec<char> = "aZ09.,:;!?'\"()[]{}<>-–—/\\@#$%&*+=_~^`|…‘’“”«»¿¡°€£¥§©® \t\n\u{a0}\u{2028}\u{1c}\u{200b}\u{200d}\u{301}éßØλЖשعक中日한ไ😀👍🏽🇫"
        .chars()
        .collect();
    let mut rng = Lcg(7);
    let langs = ["en", "fr", "de", "hu", "tr", "xx", "es", "ru", "ja", "th"];
    for round in 0..300 {
        let len = (rng.next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| {
                if rng.next().is_multiple_of(10) {
                    char::from_u32((rng.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}')
                } else {
                    pool[(rng.next() % pool.len() as u64) as usize]
                }
            })
            .collect();
        let t = Tokenizer::for_language(langs[round % langs.len()]).expect("language");
        let words = t.words(&text);
        let cow = t.words_cow(&text);
        assert_eq!(words.len(), cow.len());
        let base = text.as_ptr() as usize;
        let mut last_end = 0;
        for w in &words {
            assert!(!w.is_empty(), "{text:?}");
            let start = w.as_ptr() as usize - base;
            assert!(
                start >= last_end && start + w.len() <= text.len(),
                "{text:?}: {words:?}"
            );
            last_end = start + w.len();
        }
        if t.is_exact() {
            // spaCy's tokens partition the non-space text (a few special cases, such as
            // Spanish "EE. UU.", keep a space inside).
            let joined: String = words.concat().chars().filter(|&c| !py_isspace(c)).collect();
            let expected: String = text.chars().filter(|&c| !py_isspace(c)).collect();
            assert_eq!(joined, expected, "{text:?}");
        }
    }
}

#[test]
fn long_single_lines_stay_fast() {
    let en = Tokenizer::english();
    for unit in [
        "a.",
        "(:",
        "'s",
        "-a",
        "😀",
        "http://x.com/",
        "a@b:",
        "e.g.",
    ] {
        let text = unit.repeat(200_000 / unit.len());
        let t = std::time::Instant::now();
        let words = en.words(&text);
        assert!(!words.is_empty());
        assert!(
            t.elapsed().as_secs() < 20,
            "{unit:?} took {:?}",
            t.elapsed()
        );
    }
}

/// Random texts from characters the rules care about, in many languages' scripts.
fn random_texts(seed: u64, n: usize, max_len: u64) -> Vec<String> {
    let pool: Vec<char> = "aeiostnrAEUS0159.,:;!?'\"()[]{}<>-–—/\\@#$%&*+=_~^`|…‘’“”«»¿¡°€£¥§©®²µ кмгрДЖαβΩשעربक中한ไ😀🇫 \n\u{a0}\u{200b}"
        .chars()
        .collect();
    let mut rng = Lcg(seed);
    (0..n)
        .map(|_| {
            let len = rng.next() % max_len;
            (0..len)
                .map(|_| pool[(rng.next() % pool.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn shortcuts_change_nothing() {
    // The fast path, the edge/presence filters and the matcher pre-check only skip work
    // that could not change the tokens: compare with the plain algorithm.
    let mut texts = random_texts(11, 3000, 24);
    texts.extend(
        [
            "it's (don't) U.S.-made 10a.m. e.g., word:) :-)) ... $10.50 5km 10kg",
            "EE. UU. y Ee. Uu.",
            "и др. и т.д. в т.ч. д-р биол. наук",
            "J.-C. l'homme aujourd'hui peut-être",
            "Dr. med. Dr. rer. nat. 1 Kor. 2 Ptr.",
            "да л' је л’ и сл.",
            "Αγ. Γρ. Μ. Ασία",
            "12:30 http://x.y/z?a=b mail@x.org 3.14 -5 +44 1,000 50/50 24/7 C++ #tag",
        ]
        .map(String::from),
    );
    for code in [
        "en", "fr", "de", "es", "ru", "hu", "tr", "id", "el", "sr", "xx",
    ] {
        let t = Tokenizer::spacy(code).expect("bundled language");
        let Engine::Rules(r) = &t.engine else {
            unreachable!()
        };
        for text in &texts {
            let fast = rule_tokens_with(r, text, false);
            let plain = rule_tokens_with(r, text, true);
            assert_eq!(fast, plain, "{code}: {text:?}");
        }
    }
}
