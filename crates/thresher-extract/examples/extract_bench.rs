//! Single-threaded extraction throughput, measured the way `shared/peers/extract_peers.py`
//! measures the peers: pages are read and gunzipped first, one warm-up page, then `--repeat`
//! passes, and the fastest pass counts.
//!
//! ```sh
//! cargo run --release -p thresher-extract --example extract_bench -- \
//!     ../shared/data/extraction-dev/scrapinghub-aeb/html --repeat 3
//! ```
//!
//! Arguments: folders (their `*.html` / `*.html.gz` files) or files; `--repeat N` (default
//! 3); `--backend NAME` (default `trafilatura`). Prints pages/s and MB/s for two inputs:
//! `str` (pages decoded beforehand, extractor alone, like the peers' `--input str`) and
//! `bytes` (the whole `ExtractStep`: charset detection, decoding, guard, extraction).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use thresher_core::{Document, Step};
use thresher_extract::{backend_with, decode_html, BackendOptions, ExtractOptions, ExtractStep};

fn read_page(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn collect(arg: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if arg.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(arg)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.to_string_lossy();
                name.ends_with(".html") || name.ends_with(".html.gz") || name.ends_with(".htm")
            })
            .collect();
        files.sort();
        out.extend(files);
    } else {
        out.push(arg.to_path_buf());
    }
    Ok(())
}

/// Runs `f` over all pages `repeat` times and returns the fastest pass.
fn best_of(repeat: usize, mut pass: impl FnMut()) -> Duration {
    (0..repeat.max(1))
        .map(|_| {
            let t = Instant::now();
            pass();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut repeat = 3;
    let mut backend = "trafilatura".to_string();
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().ok_or("--repeat needs a value")?.parse()?,
            "--backend" => backend = args.next().ok_or("--backend needs a value")?,
            _ => collect(Path::new(&a), &mut files)?,
        }
    }
    if files.is_empty() {
        return Err("usage: extract_bench DIR|FILE... [--repeat N] [--backend NAME]".into());
    }
    let pages: Vec<Vec<u8>> = files
        .iter()
        .map(|p| read_page(p))
        .collect::<Result<_, _>>()?;
    let mb = pages.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let n = pages.len() as f64;

    let extractor = backend_with(&backend, &BackendOptions::default())?;
    let texts: Vec<String> = pages.iter().map(|p| decode_html(p, None).text).collect();
    extractor.extract(&texts[0], None)?; // warm-up
    let t_str = best_of(repeat, || {
        for t in &texts {
            let _ = std::hint::black_box(extractor.extract(t, None));
        }
    });

    let step = ExtractStep::new(ExtractOptions {
        backend: backend.clone(),
        ..ExtractOptions::default()
    })?;
    let t_bytes = best_of(repeat, || {
        for p in &pages {
            let mut doc = Document::new("bench", "");
            doc.html = Some(p.clone());
            std::hint::black_box(step.process(&mut doc));
        }
    });

    println!(
        "{} pages, {mb:.1} MB, backend {backend}, best of {repeat}",
        pages.len()
    );
    for (input, t) in [("str", t_str), ("bytes", t_bytes)] {
        let s = t.as_secs_f64();
        println!(
            "input {input:5}: {s:7.2} s  {:7.1} pages/s  {:6.2} MB/s",
            n / s,
            mb / s
        );
    }
    Ok(())
}
