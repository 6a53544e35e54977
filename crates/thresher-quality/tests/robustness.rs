//! No filter panics, whatever the text, the parameters or the word source: random texts over
//! an alphabet of the characters the filters care about (every kind of Python whitespace and
//! line boundary, brackets, citations, terminal marks, combining marks, CJK, RTL, emoji).

use std::sync::Arc;

use thresher_quality::{
    C4Quality, C4QualityOptions, Chain, FineWebQuality, FineWebQualityOptions, GopherQuality,
    GopherQualityOptions, GopherRepetition, GopherRepetitionOptions, TextFilter, WordSource,
};

const PIECES: &[&str] = &[
    "a",
    "the",
    "of",
    "and",
    "word",
    "Lorem",
    "ipsum",
    "JavaScript",
    "privacy policy",
    "cookie",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x1f",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{3000}",
    "\u{200b}",
    ".",
    "...",
    "…",
    "!",
    "?",
    "\"",
    "'",
    ",",
    "#",
    "•",
    "-",
    "{",
    "}",
    "[",
    "]",
    "[1]",
    "[edit]",
    "[citation needed]",
    "[٣]",
    "é",
    "\u{301}",
    "\u{903}",
    "İ",
    "\u{212a}",
    "Σ",
    "中文",
    "。",
    "עברית",
    "عربي",
    "😀",
    "👨\u{200d}👩",
    "IS_ALPHA",
    "\u{0}",
    "\u{7f}",
    "xxxxxxxxxxxxxxxxxxxxxxxx",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn text(&mut self) -> String {
        let len = self.next() % 120;
        (0..len)
            .map(|_| PIECES[self.next() % PIECES.len()])
            .collect()
    }
}

/// Words that are not pieces of the text at all.
struct Strangers;

impl WordSource for Strangers {
    fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let n = text.len() % 7;
        vec!["stranger", "", " spaced out ", "the"][..n.min(4)].to_vec()
    }
}

/// Overlapping, unordered and empty pieces of the text.
struct Overlapping;

impl WordSource for Overlapping {
    fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out: Vec<&str> = text.char_indices().map(|(i, _)| &text[i..]).collect();
        out.reverse();
        out.push(&text[..0]);
        out.push(text);
        out
    }
}

fn filters(source: Option<Arc<dyn WordSource>>) -> Vec<Box<dyn TextFilter>> {
    let odd_rep = GopherRepetitionOptions {
        dup_line_frac: Some(f64::NAN),
        dup_para_frac: Some(-1.0),
        top_n_grams: vec![(0, -1.0), (1, 0.0), (7, 0.01)],
        dup_n_grams: vec![(0, -1.0), (1, 0.0), (3, 0.0)],
        ..Default::default()
    };
    let odd_quality = GopherQualityOptions {
        min_doc_words: Some(0),
        max_doc_words: None,
        min_avg_word_length: Some(f64::NAN),
        stop_words: Some(vec![String::new(), "the".into()]),
        min_stop_words: Some(3),
        ..Default::default()
    };
    let odd_c4 = C4QualityOptions {
        min_num_sentences: -2,
        min_words_per_line: 0,
        max_word_length: -5,
        ..Default::default()
    };
    let odd_c4_sentences = C4QualityOptions {
        split_paragraph: false,
        min_words_per_line: -1,
        max_word_length: 0,
        ..Default::default()
    };
    let odd_fineweb = FineWebQualityOptions {
        stop_chars: Some(vec![String::new(), "é".into()]),
        short_line_length: 0,
        line_punct_exclude_zero: true,
        ..Default::default()
    };
    match source {
        None => vec![
            Box::new(GopherRepetition::default()),
            Box::new(GopherRepetition::new(odd_rep).unwrap()),
            Box::new(GopherQuality::default()),
            Box::new(GopherQuality::new(odd_quality).unwrap()),
            Box::new(C4Quality::default()),
            Box::new(C4Quality::fineweb()),
            Box::new(C4Quality::new(odd_c4).unwrap()),
            Box::new(C4Quality::new(odd_c4_sentences).unwrap()),
            Box::new(FineWebQuality::default()),
            Box::new(FineWebQuality::new(odd_fineweb).unwrap()),
        ],
        Some(s) => vec![
            Box::new(GopherRepetition::with_word_source(odd_rep, s.clone())),
            Box::new(GopherQuality::with_word_source(odd_quality, s.clone())),
            Box::new(C4Quality::with_word_source(odd_c4, s.clone())),
            Box::new(C4Quality::with_word_source(odd_c4_sentences, s.clone())),
            Box::new(C4Quality::with_word_source(Default::default(), s.clone())),
            Box::new(FineWebQuality::with_word_source(odd_fineweb, s)),
        ],
    }
}

#[test]
fn random_texts_never_panic() {
    let mut rng = Rng(7);
    let sets = [
        (filters(None), Chain::fineweb("en").unwrap()),
        (
            filters(Some(Arc::new(Strangers))),
            Chain::fineweb_with_word_source(Arc::new(Strangers)),
        ),
        (
            filters(Some(Arc::new(Overlapping))),
            Chain::fineweb_with_word_source(Arc::new(Overlapping)),
        ),
    ];
    let rounds = if cfg!(debug_assertions) { 1000 } else { 20_000 };
    for _ in 0..rounds {
        let text = rng.text();
        for (each, chain) in &sets {
            for f in each {
                let c = f.check(&text, None);
                assert_eq!(c.keep, c.reason.is_none(), "{} on {text:?}", f.name());
            }
            let r = chain.run(&text, None);
            assert_eq!(r.keep, r.dropped_by.is_none(), "{text:?}");
        }
    }
}

#[test]
fn unknown_language_is_an_error_not_a_panic() {
    assert!(Chain::fineweb("no-such-language").is_err());
    let options = GopherQualityOptions {
        language: "no-such-language".into(),
        ..Default::default()
    };
    assert!(GopherQuality::new(options).is_err());
}
