//! Development aid: reads `file<TAB>snippet` lines (trafilatura-eval) and prints why each
//! snippet is missing from the native output.
use std::io::{BufRead, Read};
fn main() {
    let ds = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let (f, snip) = line.split_once('\t').unwrap();
        let mut p = ds.join("cache").join(format!("{f}.gz"));
        if !p.exists() {
            p = ds.join("eval").join(format!("{f}.gz"));
        }
        let mut b = Vec::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&p).unwrap())
            .read_to_end(&mut b)
            .unwrap();
        let html = thresher_extract::decode_html(&b, None).text;
        println!(
            "{f}\t{}\t{}",
            &snip.chars().take(30).collect::<String>(),
            thresher_extract::native::debug_why(&html, snip)
        );
    }
}
