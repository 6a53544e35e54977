//! Development aid: `native_debug FILE.html[.gz] [SNIPPET]` prints the native selection
//! (both attempts; each attempt's text with ATTEMPTS=1), why SNIPPET is missing from it, and the extracted text.
use std::io::Read;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let mut bytes = Vec::new();
    if p.ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&p).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
    } else {
        bytes = std::fs::read(&p).unwrap();
    }
    let html = thresher_extract::decode_html(&bytes, None).text;
    println!("{}", thresher_extract::native::debug_selection(&html, true));
    println!(
        "{}",
        thresher_extract::native::debug_selection(&html, false)
    );
    if std::env::var_os("ATTEMPTS").is_some() {
        println!("{}", thresher_extract::native::debug_candidates(&html));
        for (strip, clean) in [(true, true), (false, true), (true, false)] {
            println!(
                "---ATTEMPT strip={strip} clean={clean}---\n{}",
                thresher_extract::native::debug_attempt(&html, strip, clean)
            );
        }
    }
    if let Some(n) = std::env::args().nth(2) {
        println!("{}", thresher_extract::native::debug_why(&html, &n));
    }
    println!(
        "---TEXT---\n{}",
        thresher_extract::NativeExtractor::default().main_text(&html)
    );
}
