//! Language identification against real text: the seed page, lingua's test sentences, and
//! several threads sharing one model.

mod common;

use std::sync::Arc;
use thresher_core::{Document, Step, Verdict};
use thresher_text::langid::{REASON_BELOW_THRESHOLD, REASON_NOT_ALLOWED, UNKNOWN_LANGUAGE};
use thresher_text::{LanguageId, LanguageIdOptions, LidModel};

fn step(languages: &[&str], min_score: f32, drop: bool) -> LanguageId {
    LanguageId::new(LanguageIdOptions {
        languages: languages.iter().map(|s| s.to_string()).collect(),
        min_score,
        drop,
        model_path: None,
    })
    .expect("bundled model loads")
}

/// Languages of lingua's test set that lid.176 labels with the same ISO 639-1 code and tells
/// apart reliably (Bosnian/Croatian/Serbian, Malay/Indonesian and Bokmål/Nynorsk are left out:
/// they are near-identical or lid.176 uses other codes for them).
const LANGS: &[&str] = &[
    "en", "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "pl", "cs", "tr", "ar", "fa", "he", "hi",
    "bn", "ta", "ja", "zh", "ko", "el", "th", "vi", "fi", "hu", "sv", "ka", "hy",
];

#[test]
fn seed_page_is_english() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("skipped: no shared data folder");
        return;
    };
    let text = common::read_text(&shared.join("data/seed/realnewscast-belarus.txt"));
    let mut doc = Document::new("seed", text);
    let s = step(&["en"], 0.65, true);
    assert_eq!(s.process(&mut doc), Verdict::Keep);
    assert_eq!(doc.metadata.language.as_deref(), Some("en"));
    let score = doc.metadata.language_score.unwrap();
    assert!(score > 0.9, "score {score}");
    // The same document is rejected when English is not wanted.
    let mut doc2 = doc.clone();
    assert_eq!(
        step(&["de", "fr"], 0.65, true).process(&mut doc2),
        Verdict::drop(REASON_NOT_ALLOWED)
    );
}

#[test]
fn lingua_sentences_get_their_language() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("skipped: no shared data folder");
        return;
    };
    let model = LidModel::shared_embedded().unwrap();
    let mut report = Vec::new();
    for lang in LANGS {
        let path = shared.join(format!(
            "data/langid/lingua-testdata/sentences/{lang}.txt.gz"
        ));
        let text = common::read_text(&path);
        let sentences: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            sentences.len() >= 200,
            "{lang}: {} sentences",
            sentences.len()
        );

        // A few sentences together, as a short web page: must be right, confidently.
        let para = sentences[..8].join("\n");
        let best = model.predict_best(&para).unwrap();
        assert_eq!(best.label, *lang, "{lang}: paragraph predicted as {best:?}");
        assert!(best.score > 0.5, "{lang}: {best:?}");

        // Single sentences (some are fragments or mostly numbers): most must be right.
        let n = 200;
        let ok = sentences[..n]
            .iter()
            .filter(|s| model.predict_best(s).is_some_and(|p| p.label == *lang))
            .count();
        let acc = ok as f64 / n as f64;
        report.push(format!("{lang} {acc:.3}"));
        assert!(acc >= 0.80, "{lang}: sentence accuracy {acc}");
    }
    eprintln!("sentence accuracy: {}", report.join(", "));
}

#[test]
fn threads_share_one_model() {
    let model = LidModel::shared_embedded().unwrap();
    let texts: Vec<String> = [
        "The quick brown fox jumps over the lazy dog while the farmer watches.",
        "Der schnelle braune Fuchs springt über den faulen Hund, während der Bauer zusieht.",
        "Le renard brun rapide saute par-dessus le chien paresseux pendant que le fermier regarde.",
        "El rápido zorro marrón salta sobre el perro perezoso mientras el granjero mira.",
        "Быстрая коричневая лиса прыгает через ленивую собаку, пока фермер смотрит.",
        "敏捷的棕色狐狸跳过了懒狗，农夫在一旁看着。",
        "素早い茶色の狐がのろまな犬を飛び越え、農夫がそれを見ている。",
        "الثعلب البني السريع يقفز فوق الكلب الكسول بينما يراقب المزارع.",
        "השועל החום המהיר קופץ מעל הכלב העצלן בזמן שהאיכר מסתכל.",
        "",
        "\0\0 😀",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let expected: Vec<_> = texts.iter().map(|t| model.predict_best(t)).collect();
    assert_eq!(expected[0].as_ref().unwrap().label, "en");
    assert_eq!(expected[4].as_ref().unwrap().label, "ru");
    assert_eq!(expected[9], None);

    let texts = Arc::new(texts);
    let expected = Arc::new(expected);
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let model = Arc::clone(&model);
            let texts = Arc::clone(&texts);
            let expected = Arc::clone(&expected);
            std::thread::spawn(move || {
                for round in 0..300 {
                    // Different threads walk the texts in different orders.
                    let i = (round * 7 + t * 3) % texts.len();
                    let got = model.predict_best(&texts[i]);
                    // Bit-for-bit the same as single-threaded: no shared scratch state.
                    assert_eq!(got, expected[i], "thread {t} text {i}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("prediction thread panicked");
    }
}

#[test]
fn steps_share_the_loaded_model() {
    let a = step(&[], 0.65, false);
    let b = step(&["en"], 0.5, true);
    assert!(Arc::ptr_eq(a.model(), b.model()));
}

#[test]
fn annotate_only_never_drops() {
    let s = step(&["en"], 0.65, false);
    let mut doc = Document::new(
        "1",
        "Dies ist ein deutscher Text über das Wetter in Berlin.",
    );
    assert_eq!(s.process(&mut doc), Verdict::Keep);
    assert_eq!(doc.metadata.language.as_deref(), Some("de"));
    assert!(doc.metadata.language_score.unwrap() > 0.5);
}

#[test]
fn empty_text_is_unknown() {
    let s = step(&[], 0.65, true);
    for text in ["", "   \n\t\r\n "] {
        let mut doc = Document::new("e", text);
        assert_eq!(s.process(&mut doc), Verdict::drop(REASON_BELOW_THRESHOLD));
        assert_eq!(doc.metadata.language.as_deref(), Some(UNKNOWN_LANGUAGE));
        assert_eq!(doc.metadata.language_score, Some(0.0));
    }
    let mut doc = Document::new("e", "");
    assert_eq!(
        step(&["en"], 0.65, true).process(&mut doc),
        Verdict::drop(REASON_NOT_ALLOWED)
    );
    let mut doc = Document::new("e", "");
    assert_eq!(step(&[], -1.0, true).process(&mut doc), Verdict::Keep);
}

#[test]
fn threshold_is_strict_and_reasons_are_right() {
    let text = "This is plainly an English sentence about the weather in London today.";
    let probe = step(&[], 0.0, false).decide(text);
    assert_eq!(probe.language, "en");
    // datatrove keeps only when score > threshold, so a threshold equal to the score drops.
    let at = step(&["en"], probe.score, true).decide(text);
    assert_eq!(at.reject, Some(REASON_BELOW_THRESHOLD));
    let below = step(&["en"], probe.score - 1e-4, true).decide(text);
    assert_eq!(below.reject, None);
    let none = step(&[], probe.score - 1e-4, true).decide(text);
    assert_eq!(none.reject, None);
    let other = step(&["fr"], 0.65, true).decide(text);
    assert_eq!(other.reject, Some(REASON_NOT_ALLOWED));
    assert_eq!(other.language, "en");
}

#[test]
fn low_threshold_looks_past_the_top_language() {
    // Mixed text where the top language is not the wanted one but the wanted one still has
    // a clear share of the probability: datatrove keeps it when that share > threshold.
    let model = LidModel::shared_embedded().unwrap();
    let text = "Guten Morgen, wie geht es dir heute? Das Wetter ist schön. \
                Good morning, how are you today? The weather is lovely.";
    let all = model.predict_all(text, 0.0);
    let top = &all[0];
    let second = &all[1];
    assert!(second.score > 0.001, "{all:?}");
    let s = step(&[&second.label], second.score * 0.9, true);
    let d = s.decide(text);
    assert_eq!(d.language, top.label);
    assert_eq!(d.reject, None, "{all:?}");
    let s = step(&[&second.label], second.score * 1.1, true);
    assert_eq!(s.decide(text).reject, Some(REASON_NOT_ALLOWED));
}

#[test]
fn options_are_validated_and_normalised() {
    let bad = LanguageId::new(LanguageIdOptions {
        min_score: f32::NAN,
        ..LanguageIdOptions::default()
    });
    assert!(bad.is_err());
    let s = step(&[" __label__en ", "en"], 0.65, true);
    let d = s.decide("An ordinary English sentence about trains and weather and tea.");
    assert_eq!(d.reject, None);
    let missing = LanguageId::new(LanguageIdOptions {
        model_path: Some("/nonexistent/model.ftz".into()),
        ..LanguageIdOptions::default()
    });
    assert!(missing.is_err());
}

#[test]
fn explicit_model_path_loads_the_same_model() {
    let path = std::env::temp_dir().join(format!("thresher-lid-path-{}.ftz", std::process::id()));
    std::fs::write(&path, thresher_text::model::EMBEDDED_MODEL).unwrap();
    let s = LanguageId::new(LanguageIdOptions {
        model_path: Some(path.clone()),
        ..LanguageIdOptions::default()
    })
    .unwrap();
    assert_eq!(s.model().source(), path.display().to_string());
    let text = "Ceci est une phrase française tout à fait ordinaire.";
    let embedded = LidModel::shared_embedded().unwrap().predict_best(text);
    assert_eq!(s.model().predict_best(text), embedded);
    let _ = std::fs::remove_file(&path);
}
