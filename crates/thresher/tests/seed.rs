//! The document thresher started from: `../shared/data/seed/realnewscast-belarus.txt`, run
//! through the default pipeline as a one-document text input.

mod common;

use common::*;

#[test]
fn the_seed_document_comes_out_clean() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let seed = data.join("seed/realnewscast-belarus.txt");
    let original = std::fs::read_to_string(&seed).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(&seed, input.join("realnewscast-belarus.txt")).unwrap();
    let out = tmp.path().join("out");
    run_quiet(None, &input, &out);
    let docs = all_output_docs(&out);
    assert_eq!(docs.len(), 1, "{:?}", rejects_docs(&out));
    let doc = &docs[0];
    let md = &doc["metadata"];

    assert_eq!(
        md["title"],
        "First Train Carrying Russian Servicemen Arrived in Belarus"
    );
    // The ten article paragraphs, byte for byte, blank-line separated.
    let paragraphs: Vec<&str> = original.split("\n\n").collect();
    let first = paragraphs
        .iter()
        .position(|p| p.starts_with("The Belarusian Defense Ministry said"))
        .unwrap();
    let last = paragraphs
        .iter()
        .position(|p| p.ends_with("from Belarusian soil."))
        .unwrap();
    assert_eq!(last - first + 1, 10);
    let expected = paragraphs[first..=last].join("\n\n");
    assert_eq!(doc["text"].as_str().unwrap(), expected);

    // The junk is gone and listed with its reasons.
    let removed: Vec<(&str, &str)> = md["removed_lines"]
        .as_array()
        .expect("metadata.removed_lines")
        .iter()
        .map(|r| (r["line"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    let lines: Vec<&str> = removed.iter().map(|r| r.0.trim()).collect();
    assert_eq!(lines.len(), 5, "{removed:?}");
    assert!(
        lines[0].contains("pub-5167539840471953, DIRECT"),
        "{removed:?}"
    );
    assert!(lines[1].starts_with("This article is shareable"));
    assert!(lines[2].starts_with("Free Speech and Alternative Media are under attack"));
    assert!(lines[3].starts_with("Every dollar helps."));
    assert!(lines[4].starts_with("Please Contribute via"));
    assert!(removed.iter().all(|r| !r.1.is_empty()));

    // The Cyrillic и between English words is reported at its offset; the text keeps it.
    let text = doc["text"].as_str().unwrap();
    let found = md["mixed_script"]
        .as_array()
        .expect("metadata.mixed_script");
    let i = found
        .iter()
        .find(|f| f["token"] == "и")
        .unwrap_or_else(|| panic!("{found:?}"));
    let at = i["offset"].as_u64().unwrap() as usize;
    assert_eq!(&text[at..at + "и".len()], "и");
    assert!(text[..at].ends_with("the West "));
    assert_eq!(i["script"], "Cyrillic");

    // The ads.txt record's publisher id is kept as provenance.
    let ids = md["provenance"]["adsense_publisher"]
        .as_array()
        .expect("metadata.provenance.adsense_publisher");
    assert!(ids.iter().any(|v| v == "pub-5167539840471953"), "{ids:?}");
}
