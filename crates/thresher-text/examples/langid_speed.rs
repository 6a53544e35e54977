//! Language-ID throughput, single thread, on a JSONL(.gz) of `{"text": ...}` documents.
//!
//! ```sh
//! cargo run --release -p thresher-text --example langid_speed -- \
//!     ../shared/data/webtext-docs/combined.jsonl.gz [passes]
//! ```
//!
//! Times `LanguageId::decide` only (reading and JSON parsing are done before the clock
//! starts), best of `passes` (default 3), and prints docs/s, MB/s and the label counts.
//! With `LANGID_DUMP=FILE` it also writes `id<TAB>language<TAB>score` per document, for
//! comparing with the fastText Python binding.
//!
//! It then times the fastText C++ library (the `fasttext` crate 0.7.8, a dev-dependency) on
//! the same texts with the same preparation (newlines to spaces, top label), best of the same
//! number of passes, for the ratio measured in the same run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::Instant;
use thresher_text::{LanguageId, LanguageIdOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: langid_speed FILE.jsonl[.gz] [passes]");
        std::process::exit(2);
    };
    let passes: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(3);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let reader: Box<dyn BufRead> = if path.ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let (ids, texts): (Vec<String>, Vec<String>) = reader
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .filter_map(|v| {
            let text = v.get("text")?.as_str()?.to_string();
            let id = match v.get("id") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            Some((id, text))
        })
        .unzip();
    let bytes: usize = texts.iter().map(String::len).sum();

    let load = Instant::now();
    let step = LanguageId::new(LanguageIdOptions {
        languages: vec!["en".into()],
        drop: true,
        ..LanguageIdOptions::default()
    })
    .unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let load_s = load.elapsed().as_secs_f64();

    if let Some(dump) = std::env::var_os("LANGID_DUMP") {
        let mut out = String::new();
        for (id, text) in ids.iter().zip(&texts) {
            let d = step.decide(text);
            out.push_str(&format!("{id}\t{}\t{}\n", d.language, d.score));
        }
        if let Err(e) = std::fs::write(&dump, out) {
            eprintln!("{}: {e}", std::path::Path::new(&dump).display());
            std::process::exit(1);
        }
    }

    let mut best = f64::INFINITY;
    let mut labels: BTreeMap<String, usize> = BTreeMap::new();
    let mut kept = 0;
    for pass in 0..passes.max(1) {
        let t = Instant::now();
        let mut pass_labels = BTreeMap::new();
        let mut pass_kept = 0;
        for text in &texts {
            let d = step.decide(text);
            pass_kept += usize::from(d.reject.is_none());
            *pass_labels.entry(d.language).or_insert(0usize) += 1;
        }
        let s = t.elapsed().as_secs_f64();
        eprintln!("pass {pass}: {s:.3} s");
        if s < best {
            best = s;
        }
        labels = pass_labels;
        kept = pass_kept;
    }
    let mut top: Vec<_> = labels.into_iter().collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    top.truncate(12);
    println!(
        "docs {} | {:.1} MB | model load {:.3} s | best pass {:.3} s | {:.0} docs/s | {:.1} MB/s | kept as en>0.65: {}",
        texts.len(),
        bytes as f64 / 1e6,
        load_s,
        best,
        texts.len() as f64 / best,
        bytes as f64 / 1e6 / best,
        kept
    );
    println!("top labels: {top:?}");

    // The C++ library on the same texts, same model bytes, same call (k = 1).
    let path = std::env::temp_dir().join(format!("langid-speed-{}.ftz", std::process::id()));
    std::fs::write(&path, thresher_text::model::EMBEDDED_MODEL).unwrap();
    let mut ft = fasttext::FastText::new();
    ft.load_model(path.to_str().unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    let lines: Vec<String> = texts
        .iter()
        .map(|t| {
            let mut l: String = t
                .chars()
                .map(|c| if c == '\n' || c == '\0' { ' ' } else { c })
                .collect();
            l.push('\n');
            l
        })
        .collect();
    let mut cpp_best = f64::INFINITY;
    let mut agree = 0;
    for _ in 0..passes.max(1) {
        let t = Instant::now();
        let mut n = 0;
        for l in &lines {
            if let Ok(p) = ft.predict(l, 1, 0.0) {
                n += p.len();
            }
        }
        cpp_best = cpp_best.min(t.elapsed().as_secs_f64());
        agree = n;
    }
    println!(
        "fastText C++ (fasttext crate): best pass {cpp_best:.3} s | {:.0} docs/s | {agree} predictions | thresher {:.1}x",
        texts.len() as f64 / cpp_best,
        cpp_best / best
    );
}
