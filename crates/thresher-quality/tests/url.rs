//! `UrlFilter` against datatrove 0.10.1's `URLFilter` (fixture made by
//! `tests/fixtures/url/make_fixture.py`: 6,137 URLs from real WARCs and documents plus planted
//! ones, judged by datatrove's default filter and by one with custom lists).

use std::io::Read;

use thresher_quality::url::{integrated_list_sizes, HostParts};
use thresher_quality::{UrlFilter, UrlFilterOptions};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/url/decisions.tsv.gz"
);

struct Row {
    url: String,
    default: String,
    custom: String,
    registered_domain: String,
    fqdn: String,
}

fn rows() -> Vec<Row> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(FIXTURE).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 5, "{line}");
            Row {
                url: f[0].to_string(),
                default: f[1].to_string(),
                custom: f[2].to_string(),
                registered_domain: f[3].to_string(),
                fqdn: f[4].to_string(),
            }
        })
        .collect()
}

/// `CUSTOM` of make_fixture.py.
fn custom() -> UrlFilter {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    UrlFilter::new(UrlFilterOptions {
        soft_word_threshold: 1,
        extra_domains: own(&[
            "example.com",
            "sub.example.org",
            "#comment.net",
            "  spaced.org  ",
        ]),
        extra_urls: own(&["http://example.net/exact", "https://example.net/exact/"]),
        banned_words: own(&["Bad-Word", "#skipped", "porn"]),
        banned_subwords: own(&["xyz", "Zz-9"]),
        soft_banned_words: own(&["soft", "tender"]),
        use_integrated_lists: false,
    })
}

fn reason(filter: &UrlFilter, url: &str) -> String {
    let check = filter.check_url(url);
    check.reason.unwrap_or_else(|| "keep".to_string())
}

#[test]
fn decisions_agree_with_datatrove() {
    let rows = rows();
    assert!(rows.len() > 6000);
    let (default, custom) = (UrlFilter::default(), custom());
    let mut wrong = Vec::new();
    for row in &rows {
        let (a, b) = (reason(&default, &row.url), reason(&custom, &row.url));
        if a != row.default || b != row.custom {
            wrong.push(format!(
                "{:?}: datatrove {}/{}, here {a}/{b}",
                row.url, row.default, row.custom
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

#[test]
fn host_parts_agree_with_tldextract() {
    let rows = rows();
    let mut wrong = Vec::new();
    for row in &rows {
        let parts = HostParts::of(&row.url);
        if parts.registered_domain != row.registered_domain || parts.fqdn != row.fqdn {
            wrong.push(format!(
                "{:?}: tldextract ({:?}, {:?}), psl ({:?}, {:?})",
                row.url, row.registered_domain, row.fqdn, parts.registered_domain, parts.fqdn
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn integrated_lists_unpack_completely() {
    assert_eq!(integrated_list_sizes(), (4_558_940, 19_587));
}

/// Compares `HostParts` with tldextract over a larger file, `URL_HOSTS` (TSV: url,
/// registered_domain, fqdn), printing each difference:
/// `URL_HOSTS=… cargo test -p thresher-quality --test url -- --ignored --nocapture`
#[test]
#[ignore = "needs URL_HOSTS"]
fn host_parts_of_file() {
    let Ok(path) = std::env::var("URL_HOSTS") else {
        eprintln!("SKIP: set URL_HOSTS");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let (mut n, mut wrong) = (0, 0);
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let parts = HostParts::of(f[0]);
        n += 1;
        if parts.registered_domain != f[1] || parts.fqdn != f[2] {
            wrong += 1;
            eprintln!(
                "differs: {}\ttldextract {:?} {:?}\tpsl {:?} {:?}",
                f[0], f[1], f[2], parts.registered_domain, parts.fqdn
            );
        }
    }
    eprintln!("{} of {n} agree", n - wrong);
}
