use super::mojibake::cp1252_high;
use super::*;
use serde_json::json;

fn clean(text: &str) -> (String, HygieneReport) {
    let (t, r) = UnicodeHygiene::default().clean(text);
    (t.into_owned(), r)
}

fn clean_with(o: HygieneOptions, text: &str) -> (String, HygieneReport) {
    let (t, r) = UnicodeHygiene::new(o).clean(text);
    (t.into_owned(), r)
}

fn only(name: &str) -> HygieneOptions {
    let mut o = HygieneOptions {
        nfc: false,
        spaces: false,
        ideographic_space: false,
        zero_width: false,
        controls: false,
        line_breaks: false,
        mojibake: false,
        mixed_script: false,
        fix_confusables: false,
        max_reported: 100,
    };
    match name {
        "nfc" => o.nfc = true,
        "spaces" => o.spaces = true,
        "zero_width" => o.zero_width = true,
        "controls" => o.controls = true,
        "line_breaks" => o.line_breaks = true,
        "mojibake" => o.mojibake = true,
        "mixed_script" => o.mixed_script = true,
        _ => panic!("{name}"),
    }
    o
}

fn counts(r: &HygieneReport) -> Vec<(&'static str, u64)> {
    r.counts.nonzero()
}

#[test]
fn options_default_and_serde() {
    let o = HygieneOptions::default();
    assert!(o.nfc && o.spaces && o.zero_width && o.controls && o.line_breaks);
    assert!(o.mojibake && o.mixed_script);
    assert!(!o.ideographic_space && !o.fix_confusables);
    assert_eq!(o.max_reported, 100);
    let back: HygieneOptions = serde_json::from_value(serde_json::to_value(&o).unwrap()).unwrap();
    assert_eq!(back, o);
    let partial: HygieneOptions = serde_json::from_value(json!({"mojibake": false})).unwrap();
    assert_eq!(
        partial,
        HygieneOptions {
            mojibake: false,
            ..HygieneOptions::default()
        }
    );
    assert!(serde_json::from_value::<HygieneOptions>(json!({"nbsp": true})).is_err());
}

#[test]
fn clean_text_is_returned_borrowed_and_identical() {
    let step = UnicodeHygiene::default();
    let texts = [
        "",
        "plain ASCII text\twith a tab\nand lines\n",
        "Curly “quotes”, ‘single’, dashes – and —, ellipsis…, accents: café, naïve, Ångström.",
        "Emoji 😀 👩‍👩‍👧 ❤️ and flags 🇩🇪 stay.",
        "Persian with ZWNJ: می‌خواهم. Hindi: क्ष, ज़्यादा. ZWJ in emoji: 👨‍💻.",
        "中文文本，包括标点。\u{3000}日本語のテキスト、ひらがなとカタカナ。한국어 텍스트.",
        "Русский текст с «кавычками» и цифрами 123.",
        "العربية مع علامات الترقيم، والأرقام ١٢٣.",
        "Ελληνικά: αβγ, and English with α-helix and ρ = 2,5 g/cm³.",
        "Deutsch: Größe, Straße „Zitat“ – 10 €.",
        "Bidi marks \u{200E}stay\u{200F}, soft hy\u{AD}phens stay.",
    ];
    for t in texts {
        let (out, report) = step.clean(t);
        assert!(matches!(out, Cow::Borrowed(_)), "copied: {t:?}");
        assert_eq!(out, t);
        assert!(report.counts.is_empty(), "{t:?}: {:?}", report.counts);
        assert!(report.findings.is_empty(), "{t:?}: {:?}", report.findings);
    }
}

#[test]
fn spaces() {
    let (t, r) = clean_with(
        only("spaces"),
        "a\u{A0}b\u{2007}c\u{202F}d\u{2003}e\u{2009}f\u{205F}g",
    );
    assert_eq!(t, "a b c d e f g");
    assert_eq!(counts(&r), vec![("nbsp", 1), ("spaces", 5)]);
    // U+3000 only on request
    let (t, _) = clean_with(only("spaces"), "日本\u{3000}語");
    assert_eq!(t, "日本\u{3000}語");
    let o = HygieneOptions {
        ideographic_space: true,
        ..only("spaces")
    };
    let (t, r) = clean_with(o, "日本\u{3000}語");
    assert_eq!(t, "日本 語");
    assert_eq!(counts(&r), vec![("spaces", 1)]);
}

#[test]
fn zero_width_and_bom() {
    let (t, r) = clean_with(
        only("zero_width"),
        "\u{FEFF}zero\u{200B}width\u{2060}joiner\u{FEFF}x \u{200C}\u{200D}",
    );
    assert_eq!(t, "zerowidthjoinerx \u{200C}\u{200D}");
    assert_eq!(counts(&r), vec![("zero_width", 3), ("bom", 1)]);
    let (t, r) = clean("\u{FEFF}Title");
    assert_eq!(t, "Title");
    assert_eq!(counts(&r), vec![("bom", 1)]);
}

#[test]
fn controls() {
    let (t, r) = clean_with(
        only("controls"),
        "a\u{0}b\u{7}c\u{1B}d\u{7F}e\u{85}f\u{9F}g\th\n",
    );
    assert_eq!(t, "abcdefg\th\n");
    assert_eq!(counts(&r), vec![("control", 6)]);
    let (t, r) = clean_with(only("controls"), "page one\u{C}page two\u{B}x");
    assert_eq!(t, "page one\npage two\nx");
    assert_eq!(counts(&r), vec![("control", 2)]);
    // \r is the line-break rule's
    let (t, _) = clean_with(only("controls"), "a\r\nb");
    assert_eq!(t, "a\r\nb");
}

#[test]
fn line_breaks() {
    let (t, r) = clean_with(only("line_breaks"), "a\r\nb\rc\u{2028}d\u{2029}e\r\n\r\n");
    assert_eq!(t, "a\nb\nc\nd\ne\n\n");
    assert_eq!(
        counts(&r),
        vec![("crlf", 3), ("cr", 1), ("line_separator", 2)]
    );
}

#[test]
fn nfc() {
    let (t, r) = clean_with(only("nfc"), "Cafe\u{301} cre\u{300}me Ång\u{212B}");
    assert_eq!(t, "Café crème Ång\u{C5}");
    assert_eq!(counts(&r), vec![("nfc", 2)]);
    // compatibility characters are not NFKC-folded
    let (t, r) = clean_with(only("nfc"), "ﬁne ＡＢＣ ①");
    assert_eq!(t, "ﬁne ＡＢＣ ①");
    assert!(r.counts.is_empty());
}

#[test]
fn everything_off_changes_nothing() {
    let o = HygieneOptions {
        nfc: false,
        spaces: false,
        zero_width: false,
        controls: false,
        line_breaks: false,
        mojibake: false,
        mixed_script: false,
        ..HygieneOptions::default()
    };
    let t = "\u{FEFF}a\u{A0}b\r\nc\u{0}d\u{200B}e\u{301} â€™ West и Ukraine";
    let (out, r) = UnicodeHygiene::new(o).clean(t);
    assert!(matches!(out, Cow::Borrowed(_)));
    assert!(r.counts.is_empty() && r.findings.is_empty());
}

#[test]
fn mojibake_common_cases() {
    let cases = [
        ("It\u{e2}\u{20ac}\u{2122}s", "It’s"),
        ("caf\u{c3}\u{a9} cr\u{c3}\u{a8}me", "café crème"),
        (
            "M\u{c3}\u{bc}nchen Gr\u{c3}\u{b6}\u{c3}\u{9f}e",
            "München Größe",
        ),
        (
            "\u{e2}\u{20ac}\u{153}quoted\u{e2}\u{20ac}\u{9d}",
            "“quoted”",
        ),
        (
            "\u{d0}\u{bf}\u{d1}\u{20ac}\u{d0}\u{b8}\u{d0}\u{b2}\u{d0}\u{b5}\u{d1}\u{201a}",
            "привет",
        ),
        ("smile \u{f0}\u{178}\u{2dc}\u{20ac}", "smile 😀"),
        ("\u{c2}\u{a3}5 and 20\u{c2}\u{b0}C", "£5 and 20°C"),
        ("Sac \u{c3}\u{a0} main", "Sac à main"),
        ("w\u{c5}\u{201a}a\u{c5}\u{203a}nie", "właśnie"),
        ("Vi\u{e1}\u{bb}\u{2021}t Nam", "Việt Nam"),
        ("\u{ef}\u{bb}\u{bf}Title", "Title"), // mojibake BOM, then removed as a BOM
        ("sy\u{c2}\u{2019}n", "sy’n"),        // cp1252 read as Latin-1, then again
        ("a \u{92}quote\u{92}", "a ’quote’"), // stray C1 controls
    ];
    for (bad, good) in cases {
        let (t, r) = clean(bad);
        assert_eq!(t, good, "{bad:?}");
        assert!(r.counts.get("mojibake") > 0, "{bad:?}");
    }
}

#[test]
fn mojibake_twice_decoded() {
    // "’" → UTF-8 → cp1252 → UTF-8 → cp1252
    let (t, r) = clean("it\u{c3}\u{a2}\u{e2}\u{201a}\u{ac}\u{e2}\u{201e}\u{a2}s");
    assert_eq!(t, "it’s");
    // three characters restored by the first pass, one by the second
    assert_eq!(r.counts.get("mojibake"), 4);
}

#[test]
fn mojibake_lost_quote_byte() {
    // 0x9D is undefined in cp1252: decoders give U+FFFD. Fixed only with other evidence.
    let (t, _) = clean("\u{e2}\u{20ac}\u{153}Tax\u{e2}\u{20ac}\u{fffd} policy");
    assert_eq!(t, "“Tax” policy");
    let (t, _) = clean("policy\u{e2}\u{20ac}\u{fffd} alone");
    assert_eq!(t, "policy\u{e2}\u{20ac}\u{fffd} alone");
}

#[test]
fn mojibake_leaves_correct_text_alone() {
    let texts = [
        "ESPAÑA» y más",        // Ñ» is D1 BB, valid UTF-8 (Cyrillic ѻ)
        "Fuß“ und Straße…",     // ß“ → NKo letter
        "YARILGAÇ’ın 10 Kasım", // Ç’ → ǒ
        "NGÃ” Vietnamese caps", // Ã” → Ô
        "C’EST L’ÉTÉ\u{A0}! «\u{A0}café\u{A0}» à\u{A0}»", // é + NBSP + » → Han
        "PÅ” and SÅ…",          // Swedish caps
        "Czech: prohlášeno, shromáždění, Kóždy, ÚŽASNÉ",
        "Icelandic Þ, Ð and ð; Danish Ø, Æ",
        "¿Qué? ¡Sí! «Ça» – Ça va…",
    ];
    for t in texts {
        let o = only("mojibake");
        let (out, r) = UnicodeHygiene::new(o).clean(t);
        assert_eq!(out, t, "{:?}", mojibake::explain(t));
        assert!(r.counts.is_empty());
    }
}

#[test]
fn mojibake_runs_before_space_rules() {
    // "à" mis-decoded is "Ã" + NBSP: the NBSP must not become a space first
    let (t, r) = clean("voil\u{c3}\u{a0} tout");
    assert_eq!(t, "voilà tout");
    assert_eq!(counts(&r), vec![("mojibake", 1)]);
}

#[test]
fn cp1252_table_is_the_standard_one() {
    let defined = (0x80u8..=0x9F)
        .filter(|&b| cp1252_high(b).is_some())
        .count();
    assert_eq!(defined, 27);
    for b in [0x81u8, 0x8D, 0x8F, 0x90, 0x9D] {
        assert_eq!(cp1252_high(b), None);
    }
    assert_eq!(cp1252_high(0x80), Some('€'));
    assert_eq!(cp1252_high(0x99), Some('™'));
    for b in 0x80u8..=0xFF {
        let c = cp1252_high(b).unwrap_or(char::from(b));
        assert_eq!(mojibake::to_byte(c), Some(b));
    }
}

#[test]
fn idempotent() {
    let t = "\u{FEFF}It\u{e2}\u{20ac}\u{2122}s\u{A0}a test\r\nwith e\u{301} and\u{200B} the West и Ukraine, pаypal.";
    let (once, _) = clean(t);
    let (twice, r) = clean(&once);
    assert_eq!(once, twice);
    assert!(r.counts.is_empty());
}

#[test]
fn stray_token_is_reported_with_offsets_in_the_output() {
    // The NBSP before it becomes a one-byte space: the offset is in the cleaned text.
    let t = "Tensions\u{A0}rose between the West и Ukraine last week.";
    let (out, r) = clean(t);
    assert_eq!(out, "Tensions rose between the West и Ukraine last week.");
    assert_eq!(r.finding_count, 1);
    let f = &r.findings[0];
    assert_eq!(f.token, "и");
    assert_eq!(f.kind, "token");
    assert_eq!(f.script, "Cyrillic");
    assert_eq!(f.context, "Latin");
    assert_eq!(&out[f.offset..f.offset + "и".len()], "и");
    assert_eq!(out.chars().nth(f.char_offset), Some('и'));
    assert_eq!(f.offset, 31);
    assert_eq!(f.char_offset, 31);
}

#[test]
fn confusable_word_is_reported_and_fixed_on_request() {
    let t = "Log in to your pаypal account and your аpple id.";
    let (out, r) = clean(t);
    assert_eq!(out, t, "detection does not change the text");
    assert_eq!(r.finding_count, 2);
    let f = &r.findings[0];
    assert_eq!(
        (
            f.token.as_str(),
            f.kind.as_str(),
            f.script.as_str(),
            f.context.as_str()
        ),
        ("pаypal", "confusable", "Cyrillic", "Latin")
    );
    assert_eq!(f.offset, t.find("pаypal").unwrap());
    assert_eq!(f.fixed, None);

    let o = HygieneOptions {
        fix_confusables: true,
        ..HygieneOptions::default()
    };
    let (out, r) = clean_with(o, t);
    assert_eq!(out, "Log in to your paypal account and your apple id.");
    assert_eq!(r.counts.get("confusable"), 2);
    let second = &r.findings[1];
    assert_eq!(second.token, "аpple");
    assert_eq!(second.fixed.as_deref(), Some("apple"));
    assert_eq!(&out[second.offset..second.offset + 5], "apple");
    assert_eq!(out.chars().nth(second.char_offset), Some('a'));
}

#[test]
fn whole_word_lookalike_token() {
    // A Cyrillic word that reads as English
    let (_, r) = clean("the police officer was a good сор in town");
    assert_eq!(r.finding_count, 1);
    assert_eq!(r.findings[0].token, "сор");
    // a Latin "c" for the Cyrillic preposition "с"
    let (_, r) = clean("Он пришёл c другом домой вчера");
    assert_eq!(r.finding_count, 1);
    assert_eq!(r.findings[0].script, "Latin");
    assert_eq!(r.findings[0].context, "Cyrillic");
}

#[test]
fn legitimate_mixed_text_is_not_reported() {
    let texts = [
        // a Russian paragraph in an English text
        "The minister said:\nМы не будем это обсуждать сегодня.\nThen he left.",
        "He said «Мы не будем» and left the room quietly.",
        // brand names in Russian
        "Новый iPhone и MacBook поступят в продажу в Москве",
        "Купил iPhone вчера в магазине",
        // Japanese mixes Han, Hiragana, Katakana; Korean Hangul and Han
        "東京タワーは日本の観光名所です。Tシャツを買いました。",
        "大韓民國 헌법 제1조",
        // Greek letters as symbols, units and variables
        "the α-helix and β-sheet, with ρ = 2.5 and a π bond",
        "вектор (x) и точка p-значения, класса A, 10 km, размер 28x18",
        // Kazakh/Ukrainian with Latin i, Macedonian with Latin j, Azerbaijani with Cyrillic ә
        "Ол үшiн тiл туралы Заңның тиiстi баптарына өзгерiс енгiзу қажет.",
        "Милував i заспокоював око бiйцiв цей шмат рiвнинного простору",
        "Историjа на градот",
        "Bu müxtәsәr nümunәlәrdәn әlavә",
        // Chinese with Latin words inside
        "我买了iPhone手机和AI技术的书",
        // product names with a Cyrillic word in a mostly Latin Kazakh sentence
        "PlayStation 2, Nintendo 3DS и Nintendo Wii шықты.",
    ];
    for t in texts {
        let (_, r) = clean(t);
        assert!(r.findings.is_empty(), "{t:?}: {:?}", r.findings);
    }
}

#[test]
fn max_reported_caps_the_list_not_the_count() {
    let t = "раураl ".repeat(5); // Cyrillic р а у а + Latin l: confusable words
    let o = HygieneOptions {
        max_reported: 2,
        ..HygieneOptions::default()
    };
    let (_, r) = clean_with(o, &t);
    assert_eq!(r.finding_count, 5);
    assert_eq!(r.findings.len(), 2);
}

#[test]
fn step_writes_metadata() {
    let step = UnicodeHygiene::default();
    assert_eq!(step.name(), "hygiene");
    let mut doc = Document::new("1", "Tensions\u{A0}between the West и Ukraine\u{200B}.");
    assert_eq!(step.process(&mut doc), Verdict::Keep);
    assert_eq!(doc.text, "Tensions between the West и Ukraine.");
    let extra = &doc.metadata.extra;
    assert_eq!(extra["hygiene"], json!({"nbsp": 1, "zero_width": 1}));
    assert_eq!(extra["mixed_script_count"], json!(1));
    assert_eq!(
        extra["mixed_script"],
        json!([{"offset": 26, "char_offset": 26, "token": "и", "script": "Cyrillic",
                "context": "Latin", "kind": "token"}])
    );

    let mut clean_doc = Document::new("2", "Nothing to do here.");
    step.process(&mut clean_doc);
    assert_eq!(clean_doc.text, "Nothing to do here.");
    assert!(clean_doc.metadata.extra.is_empty());
}

#[test]
fn random_strings_do_not_panic() {
    // Characters that the rules look at, mixed at random (a small xorshift for
    // reproducibility).
    let alphabet: Vec<char> = "aZ é\u{301}ÃÂâ€™Ð¿Ñ€Å‚ðŸ˜\u{81}\u{8d}\u{90}\u{92}\u{9d}\u{a0}\u{ad}\u{2007}\u{200b}\u{200c}\u{200d}\u{2028}\u{feff}\u{fffd}\r\n\t\u{0}\u{b}\u{7f}иаоρα中あ한ا1-(«».’ "
        .chars()
        .collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let step = UnicodeHygiene::default();
    let fixing = UnicodeHygiene::new(HygieneOptions {
        fix_confusables: true,
        ..HygieneOptions::default()
    });
    for _ in 0..4000 {
        let mut s = String::new();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 40) as usize;
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        let (out, report) = step.clean(&s);
        for f in &report.findings {
            assert!(out.is_char_boundary(f.offset), "{s:?}");
            assert_eq!(out[..f.offset].chars().count(), f.char_offset, "{s:?}");
        }
        let (again, _) = step.clean(&out);
        assert_eq!(again, out, "not idempotent: {s:?}");
        // Fixing confusables can create new evidence for the other rules ("αÅ\u{AD}" →
        // "aÅ\u{AD}" → "aŭ"), so only the offsets are checked.
        let (out, report) = fixing.clean(&s);
        for f in &report.findings {
            assert!(out.is_char_boundary(f.offset), "{s:?}");
            assert_eq!(out[..f.offset].chars().count(), f.char_offset, "{s:?}");
            let fixed = f.fixed.as_deref().unwrap_or(&f.token);
            assert!(out[f.offset..].starts_with(fixed), "{s:?}");
        }
    }
}

#[test]
fn fixed_confusable_is_written_in_nfc() {
    // Found by fuzzing (fuzz/fuzz_targets/text_cleaning.rs): Cyrillic "а" + U+0301 has no
    // precomposed form, so NFC leaves it; its Latin lookalike "a" + U+0301 composes to "á".
    // The fix was written decomposed and a second run composed it (not idempotent).
    let o = HygieneOptions {
        fix_confusables: true,
        ..HygieneOptions::default()
    };
    let t = "Please log in to your p\u{430}\u{301}ypal account today.";
    let (out, r) = clean_with(o.clone(), t);
    assert_eq!(out, "Please log in to your p\u{e1}ypal account today.");
    assert_eq!(r.counts.get("confusable"), 1);
    let f = &r.findings[0];
    assert_eq!(f.fixed.as_deref(), Some("p\u{e1}ypal"));
    assert!(out[f.offset..].starts_with("p\u{e1}ypal"));
    let (twice, r2) = clean_with(o.clone(), &out);
    assert_eq!(twice, out);
    assert!(r2.counts.is_empty());
    // Without NFC the decomposed fix is what the options ask for, and stays.
    let o = HygieneOptions { nfc: false, ..o };
    let (out, _) = clean_with(o.clone(), t);
    assert_eq!(out, "Please log in to your pa\u{301}ypal account today.");
    assert_eq!(clean_with(o, &out).0, out);
}
