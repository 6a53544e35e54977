//! Feeds arbitrary bytes (plain, or gzip/zstd when they start with those magics) to the JSONL
//! reader. It must never panic, must report every problem with the file and line, and every
//! document must come out with an id and survive a JSON round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use thresher_core::Document;
use thresher_io::ReadEvent;

fuzz_target!(|data: &[u8]| {
    let events = match thresher_io::jsonl::from_reader(
        Cursor::new(data.to_vec()),
        "fuzz.jsonl",
        "fuzz",
        4096,
    ) {
        Ok(e) => e,
        Err(_) => return,
    };
    let mut last_line = None;
    for (n, ev) in events.enumerate() {
        assert!(n <= data.len() * 40_000 + 1, "more events than lines");
        match ev {
            ReadEvent::Doc(doc) => {
                assert!(!doc.id.is_empty());
                let src = doc.metadata.source.as_ref();
                assert!(src.is_some() || doc.metadata.extra.contains_key("source"));
                if let Some(src) = src {
                    if src.file == "fuzz.jsonl" {
                        assert!(last_line.is_none_or(|l| src.record > l));
                        last_line = Some(src.record);
                    }
                }
                let back = Document::from_json(doc.to_json()).expect("own JSON reads back");
                assert_eq!(back, *doc);
            }
            ReadEvent::Problem(p) => {
                assert_eq!(p.file, "fuzz.jsonl");
                let line = p.record.expect("problems name the line");
                assert!(p.message.starts_with(&format!("line {}:", line + 1)));
            }
            ReadEvent::Skipped(_) => panic!("the JSONL reader skips nothing"),
        }
    }
});
