//! Feeds arbitrary text to everything that reads document text or URLs: the word tokenizer
//! (English and one language of each tokenizer kind), every datatrove filter and the FineWeb
//! chain, MinHash, PII redaction and the URL filter. Nothing may panic or hang; words must be
//! non-empty pieces of the text; C4 and the chain may only remove text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use thresher_dedup::minhash::MinHasher;
use thresher_quality::decisions::DecisionSet;
use thresher_tokenize::Tokenizer;

fuzz_target!(|data: &[u8]| {
    static SET: OnceLock<DecisionSet> = OnceLock::new();
    static HASHER: OnceLock<MinHasher> = OnceLock::new();
    static URLS: OnceLock<thresher_quality::UrlFilter> = OnceLock::new();
    let text = String::from_utf8_lossy(data);
    for lang in ["en", "de", "zh", "ja", "th", "ar"] {
        let Ok(tok) = Tokenizer::for_language(lang) else {
            continue;
        };
        for w in tok.words(&text) {
            assert!(!w.trim().is_empty(), "{lang}: empty word");
            let (start, end) = (text.as_ptr() as usize, text.as_ptr() as usize + text.len());
            let p = w.as_ptr() as usize;
            assert!(p >= start && p + w.len() <= end, "{lang}: word outside the text");
        }
    }
    let set = SET.get_or_init(|| DecisionSet::datatrove_defaults("en").unwrap());
    let d = set.decide("fuzz", &text, Some("en"));
    for f in d.filters.values() {
        if let Some(len) = f.text_after_len {
            assert!(len <= text.chars().count());
        }
        assert_eq!(f.keep, f.reason.is_none());
    }
    let _ = HASHER.get_or_init(MinHasher::fineweb).signature(&text);
    let _ = thresher_quality::pii::PiiFormatter::new(Default::default()).redact(&text);
    let _ = URLS
        .get_or_init(|| thresher_quality::UrlFilter::new(Default::default()))
        .check_url(&text);
});
