//! `thresher boilerplate`: site boilerplate removed from real multi-page site crawls, article
//! text kept.

mod common;

use common::*;
use std::collections::{HashMap, HashSet};

fn norm(line: &str) -> String {
    let mut out = String::new();
    thresher_dedup::boilerplate::normalize_line(line, &mut out);
    out
}

#[test]
fn site_navigation_goes_and_page_text_stays_on_real_crawls() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The plain backend keeps every line of a page, menus and footers included: the case this
    // step is for.
    let mut inputs = Vec::new();
    for site in ["ipwb", "archivesunleashed-aut"] {
        let out = tmp.path().join(format!("{site}.jsonl"));
        run_ok(
            thresher()
                .args(["extract", "-q", "--backend", "plain"])
                .arg(data.join("warc-real").join(site))
                .arg("-o")
                .arg(&out),
        );
        inputs.push(out);
    }
    let out = tmp.path().join("out");
    run_ok(
        thresher()
            .args(["boilerplate", "-q", "--format", "jsonl"])
            .args(&inputs)
            .arg("-o")
            .arg(&out),
    );
    let before: Vec<serde_json::Value> = inputs.iter().flat_map(|p| read_jsonl(p)).collect();
    // Documents left empty are in rejects (with their original text): nothing of them is kept.
    let after: HashMap<String, serde_json::Value> = all_output_docs(&out)
        .into_iter()
        .chain(rejects_docs(&out).into_iter().map(|mut d| {
            d["text"] = serde_json::Value::String(String::new());
            d
        }))
        .map(|d| (d["id"].as_str().unwrap().to_string(), d))
        .collect();
    assert_eq!(before.len(), after.len(), "no document lost");

    // On how many distinct pages (URLs) of its site each normalised line occurs, from the input.
    let site = |d: &serde_json::Value| {
        d["metadata"]["domain"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("www.")
            .to_string()
    };
    let url = |d: &serde_json::Value| d["metadata"]["url"].as_str().unwrap_or("").to_string();
    let mut urls: HashMap<String, HashSet<String>> = HashMap::new();
    let mut on_urls: HashMap<(String, String), HashSet<String>> = HashMap::new();
    for d in &before {
        urls.entry(site(d)).or_default().insert(url(d));
        for l in d["text"].as_str().unwrap().lines().map(norm) {
            if !l.is_empty() {
                on_urls.entry((site(d), l)).or_default().insert(url(d));
            }
        }
    }
    let pages: HashMap<String, usize> = urls.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    let on: HashMap<(String, String), usize> =
        on_urls.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    assert!(pages["bitchmagazine.org"] > 50, "{pages:?}");
    let (mut navigation_gone, mut unique_kept) = (0, 0);
    for d in &before {
        let s = site(d);
        let kept: HashSet<String> = after[d["id"].as_str().unwrap()]["text"]
            .as_str()
            .unwrap()
            .lines()
            .map(norm)
            .collect();
        for line in d["text"].as_str().unwrap().lines() {
            let l = norm(line);
            if l.is_empty() {
                continue;
            }
            let n = on[&(s.clone(), l.clone())];
            if n * 2 >= pages[&s] && n >= 3 {
                // On at least half of its site's pages: navigation, footer, banner.
                assert!(!kept.contains(&l), "{s}: {line:?} (on {n} pages) kept");
                navigation_gone += 1;
            } else if n == 1 {
                // On this page only: the page's own text.
                assert!(kept.contains(&l), "{s}: {line:?} (its own) removed");
                unique_kept += 1;
            }
        }
    }
    eprintln!(
        "lines on most pages removed: {navigation_gone}; lines of one page kept: {unique_kept}"
    );
    assert!(navigation_gone > 5000 && unique_kept > 1000);
    // The Bitch magazine menu, for instance, is gone from every page of the site.
    for d in after.values().filter(|d| site(d) == "bitchmagazine.org") {
        let t = d["text"].as_str().unwrap();
        assert!(
            !t.lines().any(|l| l.trim() == "Customer Service"),
            "{}",
            d["id"]
        );
    }
}
