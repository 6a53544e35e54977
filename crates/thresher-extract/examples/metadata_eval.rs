//! Accuracy and speed of [`thresher_extract::native::page_metadata`] on real pages.
//!
//! ```sh
//! cargo run --release -p thresher-extract --example metadata_eval -- \
//!     [--data ../shared/data/extraction-dev] [--peer peer.jsonl] [--show date|title|author|sitename]
//!     [--repeat 3] [--timing-only] [--backends plain,native]
//! ```
//!
//! - trafilatura-eval (`evaldata.json`): for each field with ground truth (`date`, `title`,
//!   `author`, `sitename`), how many entries carry a non-empty value, how many of ours match
//!   exactly (date: same `YYYY-MM-DD`; text: equal after whitespace normalisation and case
//!   folding) and loosely (one contains the other), and how often we output a value where the
//!   truth is empty.
//! - `--peer FILE`: JSONL of Python trafilatura's `extract_metadata` on both sets
//!   (`{"dataset": "trafilatura-eval"|"aeb", "id", "title", "author", "date", "sitename"}`),
//!   made with the script below in `~/.cache/thresher-peers/extract`'s Python. The same
//!   scores are printed for the peer, and for AEB (no title ground truth) the agreement of our
//!   title with the peer's.
//! - Timing: `page_metadata` alone over the AEB pages (decoded beforehand, best of
//!   `--repeat`), next to the backends named by `--backends` (default
//!   `plain,native,trafilatura`) when they are available. `--timing-only` skips the rest.
//! - `--show FIELD` prints the trafilatura-eval pages where that field is wrong.
//!
//! Peer script (`python meta_peer.py ../shared/data/extraction-dev peer.jsonl`):
//!
//! ```python
//! import gzip, json, os, sys
//! import trafilatura
//! root, out = sys.argv[1], open(sys.argv[2], "w")
//! def emit(ds, pid, html, url):
//!     m = trafilatura.extract_metadata(html, default_url=url)
//!     r = {k: getattr(m, k, None) for k in ("title", "author", "date", "sitename")} if m else {}
//!     r.update(dataset=ds, id=pid)
//!     out.write(json.dumps(r, ensure_ascii=False) + "\n")
//! tv = os.path.join(root, "trafilatura-eval")
//! for url, e in json.load(open(os.path.join(tv, "evaldata.json"))).items():
//!     p = os.path.join(tv, "cache", e["file"] + ".gz")
//!     p = p if os.path.exists(p) else os.path.join(tv, "eval", e["file"] + ".gz")
//!     emit("trafilatura-eval", e["file"], gzip.open(p).read(), url)
//! aeb = os.path.join(root, "scrapinghub-aeb")
//! for pid, e in json.load(open(os.path.join(aeb, "ground-truth.json"))).items():
//!     emit("aeb", pid, gzip.open(os.path.join(aeb, "html", pid + ".html.gz")).read(), e.get("url"))
//! ```

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use thresher_extract::decode_html;
use thresher_extract::native::{page_metadata, PageMetadata};

fn gunzip(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
    Ok(out)
}

/// Whitespace-normalised, case-folded.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

const FIELDS: [&str; 4] = ["date", "title", "author", "sitename"];

fn field<'a>(m: &'a PageMetadata, f: &str) -> Option<&'a str> {
    match f {
        "date" => m.date.as_deref(),
        "title" => m.title.as_deref(),
        "author" => m.author.as_deref(),
        "sitename" => m.sitename.as_deref(),
        _ => None,
    }
}

#[derive(Default, Clone, Copy)]
struct Score {
    /// Entries whose truth is non-empty.
    carry: usize,
    exact: usize,
    loose: usize,
    /// Entries with a non-empty truth where we output nothing.
    missing: usize,
    /// Entries with an empty truth where we output something.
    spurious: usize,
    empty_truth: usize,
}

impl Score {
    fn add(&mut self, f: &str, truth: &str, got: Option<&str>) {
        let got = got.map(str::trim).filter(|g| !g.is_empty());
        if truth.trim().is_empty() {
            self.empty_truth += 1;
            self.spurious += got.is_some() as usize;
            return;
        }
        self.carry += 1;
        let Some(g) = got else {
            self.missing += 1;
            return;
        };
        let (t, g) = if f == "date" {
            (truth.trim().to_string(), g.to_string())
        } else {
            (norm(truth), norm(g))
        };
        if t == g {
            self.exact += 1;
        }
        if t == g || (f != "date" && !g.is_empty() && (t.contains(&g) || g.contains(&t))) {
            self.loose += 1;
        }
    }

    fn print(&self, label: &str, f: &str) {
        let pct = |n: usize| 100.0 * n as f64 / self.carry.max(1) as f64;
        println!(
            "  {label:<10} {f:<9} carry {:>4}  exact {:>4} ({:>5.1} %)  loose {:>4} ({:>5.1} %)  none {:>4}  | empty truth {:>4}, we output {:>4}",
            self.carry,
            self.exact,
            pct(self.exact),
            self.loose,
            pct(self.loose),
            self.missing,
            self.empty_truth,
            self.spurious
        );
    }
}

type Peer = HashMap<(String, String), HashMap<String, String>>;

fn load_peer(path: &Path) -> Peer {
    let mut out = Peer::new();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines() {
        let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(line)
        else {
            continue;
        };
        let get = |k: &str| o.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let mut fields = HashMap::new();
        for f in FIELDS {
            fields.insert(f.to_string(), get(f));
        }
        out.insert((get("dataset"), get("id")), fields);
    }
    out
}

fn peer_meta(p: &HashMap<String, String>) -> PageMetadata {
    let g = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
    PageMetadata {
        title: g("title"),
        author: g("author"),
        date: g("date"),
        sitename: g("sitename"),
        ..PageMetadata::default()
    }
}

fn best_of(repeat: usize, mut pass: impl FnMut()) -> Duration {
    (0..repeat.max(1))
        .map(|_| {
            let t = Instant::now();
            pass();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut data = PathBuf::from("../shared/data/extraction-dev");
    let mut peer_path: Option<PathBuf> = None;
    let mut show: Option<String> = None;
    let mut repeat = 3usize;
    let mut timing_only = false;
    let mut backends = String::from("plain,native,trafilatura");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().ok_or("--data DIR")?.into(),
            "--peer" => peer_path = Some(args.next().ok_or("--peer FILE")?.into()),
            "--show" => show = Some(args.next().ok_or("--show FIELD")?),
            "--repeat" => repeat = args.next().ok_or("--repeat N")?.parse()?,
            "--timing-only" => timing_only = true,
            "--backends" => backends = args.next().ok_or("--backends LIST")?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let peer = peer_path.as_deref().map(load_peer).unwrap_or_default();

    // trafilatura-eval.
    let tv = data.join("trafilatura-eval");
    if timing_only {
        return timing(&data, repeat, &backends);
    }
    let eval: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(tv.join("evaldata.json"))?)?;
    let mut ours: HashMap<&str, Score> = HashMap::new();
    let mut theirs: HashMap<&str, Score> = HashMap::new();
    let mut sources: HashMap<&'static str, (usize, usize)> = HashMap::new();
    let mut entries: Vec<_> = eval.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (url, e) in entries {
        let file = e["file"].as_str().unwrap_or_default();
        let mut path = tv.join("cache").join(format!("{file}.gz"));
        if !path.exists() {
            path = tv.join("eval").join(format!("{file}.gz"));
        }
        let bytes = gunzip(&path)?;
        let html = decode_html(&bytes, None).text;
        let m = page_metadata(&html, Some(url));
        let p = peer
            .get(&("trafilatura-eval".to_string(), file.to_string()))
            .map(peer_meta);
        for f in FIELDS {
            let Some(truth) = e.get(f).and_then(|v| v.as_str()) else {
                continue;
            };
            ours.entry(f).or_default().add(f, truth, field(&m, f));
            if let Some(p) = &p {
                theirs.entry(f).or_default().add(f, truth, field(p, f));
            }
            if f == "date" && !truth.is_empty() {
                if let Some(src) = m.date_source {
                    let s = sources.entry(src).or_default();
                    s.0 += 1;
                    s.1 += (m.date.as_deref() == Some(truth)) as usize;
                }
            }
            if show.as_deref() == Some(f) {
                let got = field(&m, f).unwrap_or("");
                let ok = if f == "date" {
                    got == truth
                } else {
                    norm(got) == norm(truth)
                };
                if !ok {
                    println!(
                        "{f} {file}\n    truth {truth:?}\n    ours  {got:?} ({})\n    peer  {:?}",
                        if f == "date" {
                            m.date_source.unwrap_or("-")
                        } else {
                            ""
                        },
                        p.as_ref().and_then(|p| field(p, f)).unwrap_or("")
                    );
                }
            }
        }
    }
    println!("trafilatura-eval ({} pages, {})", eval.len(), tv.display());
    for f in FIELDS {
        ours.get(f)
            .copied()
            .unwrap_or_default()
            .print("thresher", f);
        if let Some(s) = theirs.get(f) {
            s.print("trafilatura", f);
        }
    }
    let mut src: Vec<_> = sources.into_iter().collect();
    src.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    print!("  date sources (pages with a true date: used / correct):");
    for (s, (n, ok)) in src {
        print!(" {s} {n}/{ok}");
    }
    println!();

    // AEB.
    let aeb = data.join("scrapinghub-aeb");
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(aeb.join("ground-truth.json"))?)?;
    let mut pages: Vec<(String, Option<String>, String)> = Vec::new();
    let mut ids: Vec<_> = truth.keys().cloned().collect();
    ids.sort();
    for id in ids {
        let url = truth[&id]["url"].as_str().map(str::to_string);
        let bytes = gunzip(&aeb.join("html").join(format!("{id}.html.gz")))?;
        pages.push((id, url, decode_html(&bytes, None).text));
    }
    let (mut with_title, mut agree, mut agree_loose, mut compared) = (0, 0, 0, 0);
    let mut with_date = 0;
    for (id, url, html) in &pages {
        let m = page_metadata(html, url.as_deref());
        with_title += m.title.is_some() as usize;
        with_date += m.date.is_some() as usize;
        let Some(p) = peer.get(&("aeb".to_string(), id.clone())) else {
            continue;
        };
        let pt = p.get("title").map(String::as_str).unwrap_or("");
        if pt.is_empty() {
            continue;
        }
        compared += 1;
        let (a, b) = (norm(pt), norm(m.title.as_deref().unwrap_or("")));
        agree += (a == b) as usize;
        agree_loose += (a == b || (!b.is_empty() && (a.contains(&b) || b.contains(&a)))) as usize;
        if show.as_deref() == Some("aeb-title") && a != b {
            println!("aeb-title {id}\n    ours {b:?}\n    peer {a:?}");
        }
    }
    println!(
        "scrapinghub-aeb ({} pages): title {} / date {} pages",
        pages.len(),
        with_title,
        with_date
    );
    if compared > 0 {
        println!(
            "  title vs Python trafilatura (on {compared} pages where it has one): exact {agree} ({:.1} %), loose {agree_loose} ({:.1} %)",
            100.0 * agree as f64 / compared as f64,
            100.0 * agree_loose as f64 / compared as f64
        );
    } else {
        println!("  (no --peer file: no title agreement)");
    }

    timing(&data, repeat, &backends)
}

/// Times `page_metadata` and the extraction `backends` (comma-separated names) over the AEB
/// pages.
fn timing(data: &Path, repeat: usize, backends: &str) -> Result<(), Box<dyn std::error::Error>> {
    let aeb = data.join("scrapinghub-aeb");
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(aeb.join("ground-truth.json"))?)?;
    let mut pages: Vec<(String, Option<String>, String)> = Vec::new();
    for (id, e) in &truth {
        let url = e["url"].as_str().map(str::to_string);
        let bytes = gunzip(&aeb.join("html").join(format!("{id}.html.gz")))?;
        pages.push((id.clone(), url, decode_html(&bytes, None).text));
    }
    let bytes: usize = pages.iter().map(|p| p.2.len()).sum();
    let t = best_of(repeat, || {
        for (_, url, html) in &pages {
            std::hint::black_box(page_metadata(html, url.as_deref()));
        }
    });
    let report = |name: &str, t: Duration| {
        println!(
            "  {name:<22} {:>8.0} pages/s  {:>7.1} MB/s  ({:.1} ms for {} pages)",
            pages.len() as f64 / t.as_secs_f64(),
            bytes as f64 / 1e6 / t.as_secs_f64(),
            t.as_secs_f64() * 1e3,
            pages.len()
        )
    };
    println!("timing over AEB (single thread, best of {repeat}):");
    report("page_metadata", t);
    for name in backends.split(',').filter(|n| !n.is_empty()) {
        let Ok(ex) = thresher_extract::backend(name) else {
            continue;
        };
        let t = best_of(repeat, || {
            for (_, url, html) in &pages {
                let _ = std::hint::black_box(ex.extract(html, url.as_deref()));
            }
        });
        report(&format!("backend {name}"), t);
    }
    Ok(())
}
