//! Development aid: single-thread timing of the native extractor's phases over AEB.
use std::io::Read;
use std::time::Instant;
fn main() {
    let ds = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let reps: usize = std::env::args().nth(2).map_or(5, |s| s.parse().unwrap());
    let mut pages = Vec::new();
    for e in std::fs::read_dir(ds.join("html")).unwrap() {
        let mut b = Vec::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(e.unwrap().path()).unwrap())
            .read_to_end(&mut b)
            .unwrap();
        pages.push(String::from_utf8_lossy(&b).into_owned());
    }
    let ex = thresher_extract::NativeExtractor::default();
    use thresher_extract::Extractor;
    let mut best = f64::MAX;
    let mut best_text = f64::MAX;
    for _ in 0..reps {
        let t = Instant::now();
        let mut n = 0;
        for p in &pages {
            n += ex.main_text(p).len();
        }
        best_text = best_text.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for p in &pages {
            n += ex.extract(p, None).unwrap().text.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(n);
    }
    println!(
        "main_text: {:.0} pages/s; extract (with metadata): {:.0} pages/s",
        pages.len() as f64 / best_text,
        pages.len() as f64 / best
    );
}
