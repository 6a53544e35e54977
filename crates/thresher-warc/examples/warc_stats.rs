//! Reads WARC/ARC files and prints record counts, problems and throughput:
//! `cargo run --release -p thresher-warc --example warc_stats -- FILE...`

use std::collections::BTreeMap;
use std::time::Instant;
use thresher_warc::{http, WarcReader};

fn main() {
    let mut total_bytes = 0u64;
    let mut total_payload = 0u64;
    let start = Instant::now();
    for path in std::env::args().skip(1) {
        let Ok(reader) = WarcReader::open(&path) else {
            eprintln!("{path}: cannot open");
            continue;
        };
        let mut types: BTreeMap<String, usize> = BTreeMap::new();
        let mut problems = 0usize;
        for item in reader {
            match item {
                Ok(r) => {
                    *types.entry(r.record_type.clone()).or_default() += 1;
                    total_bytes += r.block.len() as u64;
                    if let Some(h) = r.http() {
                        let p = http::decode_payload(&r.block, &h, 64 << 20);
                        total_payload += p.bytes(&r.block).len() as u64;
                    }
                }
                Err(e) => {
                    problems += 1;
                    eprintln!("  {e}");
                }
            }
        }
        println!("{path}: {types:?} problems={problems}");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:.1} MB of blocks ({:.1} MB payload) in {secs:.3} s: {:.0} MB/s",
        total_bytes as f64 / 1e6,
        total_payload as f64 / 1e6,
        total_bytes as f64 / 1e6 / secs
    );
}
