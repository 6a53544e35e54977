//! The `title` step on the 2,627 real extracted texts of
//! `shared/data/webtext-docs/combined.jsonl.gz` (after `junk_lines`, as in the pipeline): prints
//! how many titles it takes and every one of them with the start of the text that follows,
//! for eyeballing (`cargo test -p thresher-text --test title_real -- --nocapture`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use thresher_core::{Document, Step};
use thresher_text::{JunkLines, TitleFromText, TitleOptions};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/webtext-docs/combined.jsonl.gz"
);

#[test]
fn titles_taken_from_real_texts() {
    assert!(
        Path::new(CORPUS).exists(),
        "shared test data missing: {CORPUS} (these tests need ../shared/data next to the repository)"
    );
    let f = std::fs::File::open(CORPUS).unwrap();
    let docs: Vec<Document> = BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .map(|l| Document::from_json(serde_json::from_str(&l.unwrap()).unwrap()).unwrap())
        .collect();
    let junk = JunkLines::default();
    let loose = TitleFromText::new(TitleOptions {
        require_blank_line: false,
        ..Default::default()
    });
    for (name, title) in [
        ("default", TitleFromText::default()),
        ("require_blank_line = false", loose),
    ] {
        println!("title options: {name}");
        run(&docs, &junk, &title);
    }
}

fn run(docs: &[Document], junk: &JunkLines, title: &TitleFromText) {
    let mut taken = 0;
    let mut untitled = 0;
    for d in docs {
        let mut d = d.clone();
        d.metadata.title = None;
        untitled += 1;
        junk.process(&mut d);
        let before = d.text.clone();
        title.process(&mut d);
        if let Some(t) = &d.metadata.title {
            taken += 1;
            assert!(t.chars().count() <= 150 && !t.is_empty());
            assert!(
                before.ends_with(d.text.as_str()),
                "the text after the title is a suffix"
            );
            let next: String = d.text.chars().take(80).collect();
            println!("  {:.30}  TITLE {t:?}  →  {next:?}", d.id);
        }
    }
    println!("title taken from the text of {taken} of {untitled} documents");
}
