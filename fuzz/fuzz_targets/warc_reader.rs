//! Feeds arbitrary bytes to the WARC/ARC reader — as they are, gzipped as one member, and
//! gzipped in chunks with one byte of the compressed data flipped — and drains it, decoding
//! every record's HTTP layer on the way. The reader must never panic, hang or allocate without
//! bound, whatever the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use thresher_warc::{http, ReaderOptions, WarcReader};

/// Small limits so that the size checks are exercised with small inputs.
const LIMIT: usize = 1 << 16;

fn gzip_with(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

fn drain(data: Vec<u8>) {
    let opts = ReaderOptions {
        max_record_bytes: LIMIT as u64,
        max_header_bytes: 4096,
    };
    for rec in WarcReader::with_options(Cursor::new(data), "fuzz", opts).flatten() {
        // The HTTP layer as the adapter uses it, and as if every block had one.
        if let Some(h) = rec.http() {
            let p = http::decode_payload(&rec.block, &h, LIMIT);
            let _ = http::sniff_html(p.bytes(&rec.block));
        }
        let h = http::parse_response(&rec.block);
        let p = http::decode_payload(&rec.block, &h, LIMIT);
        assert!(p.bytes(&rec.block).len() <= LIMIT);
    }
}

fuzz_target!(|data: &[u8]| {
    // HTTP parsing straight on the input.
    let h = http::parse_response(data);
    let _ = http::decode_payload(data, &h, LIMIT);
    let _ = http::dechunk(data);

    drain(data.to_vec());
    drain(gzip_with(data, flate2::Compression::fast()));

    // Per-chunk gzip members, one byte of the result flipped: damaged members in the middle
    // of otherwise good ones make the reader resynchronise.
    if let Some((&k, rest)) = data.split_first() {
        // At most 16 members (each encoder costs a few hundred KiB of set-up), stored rather
        // than compressed to keep the harness cheap; a flipped byte then hits a block
        // header, the data (CRC mismatch) or a member header or trailer.
        let chunk = (usize::from(k % 32 + 1) * 16).max(rest.len() / 16 + 1);
        let mut members: Vec<u8> = rest
            .chunks(chunk)
            .flat_map(|c| gzip_with(c, flate2::Compression::none()))
            .collect();
        if !members.is_empty() {
            let at = (usize::from(k) * 7919) % members.len();
            members[at] ^= 0x5a;
        }
        drain(members);
    }
});
