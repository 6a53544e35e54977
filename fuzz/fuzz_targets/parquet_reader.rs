//! Feeds arbitrary bytes to the Parquet reader (through a file, as in real use). Opening may
//! fail; reading must end, never panic in thresher's code, and name the file in every problem.
//!
//! Corrupt input can make the `parquet` crate itself panic; the reader catches those and
//! reports the row group as a problem. libFuzzer's panic hook would abort on them before the
//! catch, so this target lets panics raised inside the `parquet` crate unwind (and counts
//! them in the log) while any other panic still aborts as a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Once;
use thresher_io::{Input, InputFormat, ReadEvent, ReadOptions};

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parquet = info.location().is_some_and(|l| {
                l.file().contains("/parquet-") || l.file().starts_with("parquet-")
            });
            if in_parquet {
                eprintln!("caught panic inside the parquet crate: {info}");
            } else {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let path = std::env::temp_dir().join(format!("thresher-fuzz-{}.parquet", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let input = Input {
        path: path.clone(),
        format: InputFormat::Parquet,
        members: Vec::new(),
    };
    let opts = ReadOptions {
        max_record_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let file = path.display().to_string();
    if let Ok(events) = thresher_io::open(&input, &opts) {
        // A few bytes can legitimately declare billions of dictionary-encoded rows; stop early.
        for ev in events.take(20_000) {
            match ev {
                ReadEvent::Doc(doc) => assert!(!doc.id.is_empty()),
                ReadEvent::Problem(p) => assert_eq!(p.file, file),
                ReadEvent::Skipped(_) => panic!("the Parquet reader skips nothing"),
            }
        }
    }
});
