//! Development aid: runs one backend over an AEB or trafilatura-eval folder and writes
//! `{id, text}` JSONL for `extract_score.py`, with the extraction time on stderr.
//!
//! `cargo run --release -p thresher-extract --example native_dump -- BACKEND DATASET OUT`
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn gunzip(path: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = thresher_extract::backend(&args[1]).unwrap();
    let ds = std::path::Path::new(&args[2]);
    let mut pages: Vec<(String, Vec<u8>)> = Vec::new();
    if ds.join("ground-truth.json").exists() {
        let mut names: Vec<_> = std::fs::read_dir(ds.join("html"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for p in names {
            let id = p
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .trim_end_matches(".html.gz")
                .to_string();
            pages.push((id, gunzip(&p)));
        }
    } else {
        let ev: serde_json::Value =
            serde_json::from_slice(&std::fs::read(ds.join("evaldata.json")).unwrap()).unwrap();
        for (_, e) in ev.as_object().unwrap() {
            let f = e["file"].as_str().unwrap();
            let mut p = ds.join("cache").join(format!("{f}.gz"));
            if !p.exists() {
                p = ds.join("eval").join(format!("{f}.gz"));
            }
            pages.push((f.to_string(), gunzip(&p)));
        }
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[3]).unwrap());
    let mut total = Duration::ZERO;
    for (id, bytes) in &pages {
        let t = Instant::now();
        let dec = thresher_extract::decode_html(bytes, None);
        let text = backend
            .extract(&dec.text, None)
            .map(|e| e.text)
            .unwrap_or_default();
        total += t.elapsed();
        writeln!(out, "{}", serde_json::json!({"id": id, "text": text})).unwrap();
    }
    eprintln!(
        "{} pages in {:.3}s: {:.0} pages/s",
        pages.len(),
        total.as_secs_f64(),
        pages.len() as f64 / total.as_secs_f64()
    );
}
