//! Runs the text-cleaning steps of the default pipeline, in pipeline order (provenance →
//! junk_lines → title → hygiene), on a document made from the input: once with default
//! options, once with options chosen by the first byte. Nothing may panic or hang, and:
//!
//! - `junk_lines` only removes lines: the lines of its output (`\r` terminators aside) are a
//!   subsequence of the lines of its input;
//! - a title taken by `title` is a line of its input (trimmed), the text after it is a suffix
//!   of its input, and a preset (non-blank) title is never replaced;
//! - `hygiene` is idempotent: `UnicodeHygiene::clean` on its output changes nothing;
//! - every `mixed_script` entry's `offset` is a char boundary of the final text, `char_offset`
//!   is the code-point offset of that boundary, and the word in the text there is `fixed`
//!   (when set) or `token`;
//! - `provenance` leaves the text alone and records only ids that occur in the text or HTML.
//!
//! Input layout: `[flags] text [MARKER html]`. Flags: bit 0 keeps the HTML part (otherwise
//! it stays in the text), bit 1 presets `metadata.title`, bit 2 makes the preset blank, bits
//! 3–7 select the varied options.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresher_core::{Document, Step};
use thresher_text::junk::JunkKind;
use thresher_text::{
    HygieneOptions, JunkLines, JunkLinesOptions, Provenance, ProvenanceOptions, TitleFromText,
    TitleOptions, UnicodeHygiene,
};

const MARKER: &[u8] = b"\x00\xffHTML\x00";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Lines split at `\n`, a trailing `\r` dropped (it belongs to the terminator).
fn lines(s: &str) -> Vec<&str> {
    s.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

fn is_subsequence(sub: &[&str], of: &[&str]) -> bool {
    let mut it = of.iter();
    sub.iter().all(|x| it.any(|y| y == x))
}

struct Steps {
    provenance: Provenance,
    junk: JunkLines,
    title: TitleFromText,
    hygiene: UnicodeHygiene,
}

fn varied(sel: u8) -> Steps {
    let mut p = ProvenanceOptions::default();
    let mut j = JunkLinesOptions::default();
    let mut t = TitleOptions::default();
    let mut h = HygieneOptions::default();
    match sel % 8 {
        0 => h.fix_confusables = true,
        1 => {
            h.fix_confusables = true;
            j.middle = false;
        }
        2 => {
            h.mojibake = false;
            j.min_block = 0;
        }
        3 => {
            h.nfc = false;
            t.require_blank_line = false;
        }
        4 => {
            h.ideographic_space = true;
            h.max_reported = 1;
            j.disable = vec![JunkKind::Navigation, JunkKind::DonationAppeal];
        }
        5 => {
            h.controls = false;
            h.line_breaks = false;
            p.max_html_bytes = 64;
        }
        6 => {
            h.zero_width = false;
            h.spaces = false;
            h.fix_confusables = true;
            t.max_chars = 20;
            t.min_body_words = 0;
        }
        _ => {
            h.mixed_script = false;
            j.record = false;
            j.min_block = 1;
            p.text = false;
        }
    }
    if sel & 0x10 != 0 {
        h.max_reported = 0;
    }
    Steps {
        provenance: Provenance::new(p),
        junk: JunkLines::new(j),
        title: TitleFromText::new(t),
        hygiene: UnicodeHygiene::new(h),
    }
}

fn check(steps: &Steps, mut doc: Document, preset_title: Option<&str>) {
    let ids_in = |doc: &Document, id: &str| {
        doc.text.contains(id)
            || doc
                .html
                .as_deref()
                .is_some_and(|h| find(h, id.as_bytes()).is_some())
    };

    // provenance
    let before = doc.text.clone();
    steps.provenance.process(&mut doc);
    assert_eq!(doc.text, before, "provenance changed the text");
    if let Some(p) = doc.metadata.extra.get("provenance") {
        let map = p.as_object().expect("provenance is an object");
        for (k, v) in map {
            for id in v.as_array().expect("provenance list") {
                let id = id.as_str().expect("provenance id");
                assert!(ids_in(&doc, id), "provenance {k}: {id:?} is not in the input");
            }
        }
    }

    // junk_lines
    let before = doc.text.clone();
    steps.junk.process(&mut doc);
    assert!(
        is_subsequence(&lines(&doc.text), &lines(&before)) || doc.text.is_empty(),
        "junk_lines invented lines: {before:?} -> {:?}",
        doc.text
    );

    // title
    let before = doc.text.clone();
    steps.title.process(&mut doc);
    match preset_title {
        Some(t) if !t.trim().is_empty() => {
            assert_eq!(doc.metadata.title.as_deref(), Some(t), "preset title replaced");
            assert_eq!(doc.text, before, "text changed under a preset title");
        }
        _ => {
            if doc.metadata.title.as_deref() != preset_title {
                let title = doc.metadata.title.as_deref().expect("title removed");
                assert!(
                    lines(&before).iter().any(|l| l.trim() == title),
                    "title {title:?} is not a line of {before:?}"
                );
                assert!(
                    before.ends_with(doc.text.as_str()),
                    "text after the title is not a suffix"
                );
            } else {
                assert_eq!(doc.text, before, "text changed without a title");
            }
        }
    }

    // hygiene
    steps.hygiene.process(&mut doc);
    let text = doc.text.as_str();
    let (again, _) = steps.hygiene.clean(text);
    assert_eq!(again.as_ref(), text, "hygiene is not idempotent on {text:?}");
    if let Some(list) = doc.metadata.extra.get("mixed_script") {
        for f in list.as_array().expect("mixed_script list") {
            let offset = f["offset"].as_u64().expect("offset") as usize;
            let char_offset = f["char_offset"].as_u64().expect("char_offset") as usize;
            let token = f["token"].as_str().expect("token");
            let word = f.get("fixed").and_then(|x| x.as_str()).unwrap_or(token);
            assert!(
                text.is_char_boundary(offset),
                "offset {offset} not a char boundary of {text:?}"
            );
            assert_eq!(text[..offset].chars().count(), char_offset, "char_offset");
            assert!(
                text[offset..].starts_with(word),
                "{word:?} not at {offset} in {text:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (text, html) = match find(rest, MARKER) {
        Some(i) if flags & 1 != 0 => (&rest[..i], Some(&rest[i + MARKER.len()..])),
        _ => (rest, None),
    };
    let text = String::from_utf8_lossy(text).into_owned();
    let preset = match flags & 6 {
        2 => Some("A Preset Title"),
        6 => Some(" \t"),
        _ => None,
    };
    let mut doc = Document::new("fuzz", text);
    doc.html = html.map(<[u8]>::to_vec);
    doc.metadata.title = preset.map(str::to_string);

    let defaults = Steps {
        provenance: Provenance::default(),
        junk: JunkLines::default(),
        title: TitleFromText::default(),
        hygiene: UnicodeHygiene::default(),
    };
    check(&defaults, doc.clone(), preset);
    check(&varied(flags >> 3), doc, preset);
});
