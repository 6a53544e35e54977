//! thresher's own fastText reader against the C++ library (the `fasttext` crate 0.7.8, which
//! gives the same values as the Python binding datatrove calls): the same labels and the
//! bit-identical probabilities, for the best label and for all labels, on real documents in
//! many languages and on odd inputs.

mod common;

use std::io::Read;
use thresher_text::LidModel;

/// What the C++ library says, through the same text preparation thresher used with it: newlines
/// and NULs become spaces and the line ends with `\n`.
fn oracle(ft: &fasttext::FastText, text: &str, k: i32, threshold: f32) -> Vec<(String, u32)> {
    let mut line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\0' { ' ' } else { c })
        .collect();
    line.push('\n');
    let mut out: Vec<(String, u32)> = ft
        .predict(&line, k, threshold)
        .unwrap()
        .into_iter()
        .map(|p| {
            (
                p.label.trim_start_matches("__label__").to_string(),
                p.prob.to_bits(),
            )
        })
        .collect();
    out.sort();
    out
}

fn ours(m: &LidModel, text: &str, all: bool) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = if all {
        m.predict_all(text, 0.0)
    } else {
        m.predict_best(text).into_iter().collect()
    }
    .into_iter()
    .map(|p| (p.label, p.score.to_bits()))
    .collect();
    out.sort();
    out
}

fn cpp_model() -> fasttext::FastText {
    // One file per call: the tests run in parallel and each removes its own.
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "thresher-lid-oracle-{}-{seq}.ftz",
        std::process::id()
    ));
    std::fs::write(&path, thresher_text::model::EMBEDDED_MODEL).unwrap();
    let mut ft = fasttext::FastText::new();
    ft.load_model(path.to_str().unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    ft
}

fn check(ft: &fasttext::FastText, m: &LidModel, texts: &[String]) -> usize {
    let mut mismatches = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let has_token = t
            .bytes()
            .any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0));
        if !has_token {
            assert!(m.predict_best(t).is_none());
            continue;
        }
        let best = oracle(ft, t, 1, 0.0);
        if ours(m, t, false) != best {
            mismatches.push(format!(
                "doc {i} best: ours {:?} C++ {best:?}",
                ours(m, t, false)
            ));
        }
        // All labels is costlier through C++; every fifth text is enough to cover the walk.
        if i % 5 == 0 {
            let all = oracle(ft, t, -1, 0.0);
            if ours(m, t, true) != all {
                mismatches.push(format!("doc {i} all labels differ"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    texts.len()
}

#[test]
fn odd_inputs_match_the_cpp_library() {
    let ft = cpp_model();
    let m = LidModel::shared_embedded().unwrap();
    let texts: Vec<String> = [
        "a",
        "the",
        "</s>",
        "before </s> after words that fastText never reads",
        "__label__en",
        "__label__xx plus some words",
        "\0\0\0hello\0world",
        "😀😀😀 🎉",
        "\u{feff}\u{fffd}\u{fffd}",
        "\u{a0}\u{a0}",
        "x\ty\rz\x0bw\x0cv",
        "Größenordnung Straße Übermaß",
        "日本語のテキスト、句読点なし",
        "한국어 텍스트입니다",
        "مرحبا بكم في موقعنا الإلكتروني الجديد",
        "  leading and trailing spaces  ",
        "line one\nline two\n\nline four\n",
        "the West и Ukraine",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(std::iter::once("word ".repeat(20_000)))
    .collect();
    for text in &texts {
        // Every odd text also with all labels, and with a threshold.
        let all = oracle(&ft, text, -1, 0.0);
        assert_eq!(ours(&m, text, true), all, "{text:?}");
        let all = oracle(&ft, text, -1, 0.3);
        let mut got: Vec<(String, u32)> = m
            .predict_all(text, 0.3)
            .into_iter()
            .map(|p| (p.label, p.score.to_bits()))
            .collect();
        got.sort();
        assert_eq!(got, all, "{text:?} threshold 0.3");
    }
    check(&ft, &m, &texts);
}

#[test]
fn lingua_sentences_match_the_cpp_library() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("skipped: no shared data folder");
        return;
    };
    let ft = cpp_model();
    let m = LidModel::shared_embedded().unwrap();
    let dir = shared.join("data/langid/lingua-testdata/sentences");
    let mut texts = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names {
        let text = common::read_text(&path);
        texts.extend(text.lines().take(60).map(str::to_string));
    }
    assert!(texts.len() > 1000, "{} sentences", texts.len());
    let n = check(&ft, &m, &texts);
    eprintln!("{n} sentences: identical");
}

#[test]
fn web_documents_match_the_cpp_library() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("skipped: no shared data folder");
        return;
    };
    let ft = cpp_model();
    let m = LidModel::shared_embedded().unwrap();
    let path = shared.join("data/webtext-docs/combined.jsonl.gz");
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    let texts: Vec<String> = s
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(texts.len() > 2000);
    let n = check(&ft, &m, &texts);
    eprintln!("{n} documents: identical");
}

/// Models of other shapes than lid.176, trained here by the C++ library on a few languages of
/// lingua's sentences: softmax with word bigrams (dense `.bin`), the same quantised with
/// quantised norms and output and a pruned vocabulary (`.ftz`), and hierarchical softmax with
/// no character n-grams. Each is saved by C++, read by thresher, and must predict the same.
#[test]
fn trained_models_match_the_cpp_library() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("skipped: no shared data folder");
        return;
    };
    let dir = std::env::temp_dir().join(format!("thresher-ft-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut train = String::new();
    // The quantised model also quantises its output matrix, which fastText allows only with
    // at least 256 labels: its training file splits each language into 50 labels.
    let mut train_many = String::new();
    let mut test = Vec::new();
    for lang in ["en", "de", "fr", "es", "it", "nl"] {
        let path = shared.join(format!(
            "data/langid/lingua-testdata/sentences/{lang}.txt.gz"
        ));
        let text = common::read_text(&path);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        for (i, l) in lines[..150].iter().enumerate() {
            train.push_str(&format!("__label__{lang} {l}\n"));
            train_many.push_str(&format!("__label__{lang}{} {l}\n", i % 50));
        }
        test.extend(lines[150..200].iter().map(|s| s.to_string()));
    }
    let train_path = dir.join("train.txt");
    std::fs::write(&train_path, &train).unwrap();
    let train_many_path = dir.join("train-many.txt");
    std::fs::write(&train_many_path, &train_many).unwrap();

    let configs: [(&str, fasttext::LossName, i32, i32, bool); 3] = [
        ("softmax-bigrams", fasttext::LossName::SOFTMAX, 2, 4, false),
        ("softmax-quantised", fasttext::LossName::SOFTMAX, 2, 4, true),
        ("hs-words-only", fasttext::LossName::HS, 1, 0, false),
    ];
    for (name, loss, word_ngrams, maxn, quantise) in configs {
        let mut args = fasttext::Args::new();
        let input = if quantise {
            &train_many_path
        } else {
            &train_path
        };
        args.set_input(input.to_str().unwrap()).unwrap();
        args.set_model(fasttext::ModelName::SUP);
        args.set_loss(loss);
        args.set_dim(8);
        args.set_epoch(5);
        args.set_min_count(1);
        args.set_word_ngrams(word_ngrams);
        args.set_minn(if maxn > 0 { 2 } else { 0 });
        args.set_maxn(maxn);
        args.set_bucket(50_000);
        args.set_thread(1);
        args.set_verbose(0);
        let mut ft = fasttext::FastText::new();
        ft.train(&args).unwrap();
        let path = if quantise {
            args.set_qnorm(true);
            args.set_qout(true);
            args.set_cutoff(300);
            args.set_dsub(2);
            ft.quantize(&args).unwrap();
            dir.join(format!("{name}.ftz"))
        } else {
            dir.join(format!("{name}.bin"))
        };
        ft.save_model(path.to_str().unwrap()).unwrap();
        let model = LidModel::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        for text in &test {
            assert_eq!(
                ours(&model, text, false),
                oracle(&ft, text, 1, 0.0),
                "{name}: {text:?}"
            );
            assert_eq!(
                ours(&model, text, true),
                oracle(&ft, text, -1, 0.0),
                "{name}, all labels: {text:?}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
