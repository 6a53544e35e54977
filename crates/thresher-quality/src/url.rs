//! The URL filter, deciding on a document's URL as datatrove 0.10.1's `URLFilter` does.
//!
//! In datatrove's order, a URL is dropped when
//! 1. its registered domain is block-listed (`domain`),
//! 2. its full host name is block-listed (`subdomain`),
//! 3. the URL itself is block-listed (`url`),
//! 4. one of its words (runs of ASCII letters and digits, case kept) is a banned word
//!    (`hard_blacklisted`),
//! 5. at least `soft_word_threshold` distinct soft-banned words are among its words
//!    (`soft_blacklisted`),
//! 6. a banned subword occurs in the URL with everything but ASCII letters and digits removed
//!    and lowercased (`blacklisted_subword`).
//!
//! The integrated lists are datatrove's assets (`data/url_filter/README.md`: the UT1
//! blacklists' 4.56 M domains and 19.6 k URLs, CC BY-SA 4.0; three word lists from datatrove,
//! Apache-2.0). They are compiled in compressed and unpacked once per process on first use
//! (about 125 MB in memory, kept as one sorted buffer searched by bisection).
//!
//! Registered domain and host name are tldextract's (`TLDExtract()` defaults: ICANN suffixes
//! only, original case and punycode kept, empty when the host has no known suffix), computed
//! with the public-suffix list of the `psl` crate instead of tldextract's copy of it. The two
//! lists are different versions (psl 2.1.247 is newer than tldextract 5.4.0's snapshot of
//! 2025-04-07; a networked tldextract downloads the current list instead): 108 rules differ
//! (e.g. `*.bd` became `bd`, `abg.ec` and `gov.cz` were added, `goo` and `bentley` removed), so
//! hosts under those suffixes get a different registered domain. tldextract also never falls
//! back to a wildcard rule once a longer literal rule's label matched; the psl crate follows
//! the PSL algorithm there (no such case was seen in the tests).

use std::collections::HashSet;
use std::net::Ipv6Addr;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use psl::Psl;
use thresher_core::{Document, Step, Verdict};

use crate::filter::Check;

/// Reason: the registered domain is block-listed.
pub const REASON_DOMAIN: &str = "domain";
/// Reason: the full host name is block-listed.
pub const REASON_SUBDOMAIN: &str = "subdomain";
/// Reason: the URL is block-listed.
pub const REASON_URL: &str = "url";
/// Reason: a word of the URL is a banned word.
pub const REASON_HARD: &str = "hard_blacklisted";
/// Reason: enough soft-banned words.
pub const REASON_SOFT: &str = "soft_blacklisted";
/// Reason: a banned subword occurs in the normalised URL.
pub const REASON_SUBWORD: &str = "blacklisted_subword";

/// Options of [`UrlFilter`], datatrove's constructor parameters with its defaults
/// (datatrove's `exclusion_writer` is the pipeline's rejects output here).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UrlFilterOptions {
    /// Drop when at least this many distinct soft-banned words are in the URL.
    pub soft_word_threshold: usize,
    /// Domains (registered domains or full host names) to block besides the integrated list.
    pub extra_domains: Vec<String>,
    /// Exact URLs to block besides the integrated list.
    pub extra_urls: Vec<String>,
    /// Banned words besides the integrated list (normalised: non-alphanumerics removed,
    /// lowercased).
    pub banned_words: Vec<String>,
    /// Banned subwords besides the integrated list (normalised likewise).
    pub banned_subwords: Vec<String>,
    /// Soft-banned words besides the integrated list (normalised likewise).
    pub soft_banned_words: Vec<String>,
    /// Use datatrove's integrated domain, URL and word lists.
    pub use_integrated_lists: bool,
}

impl Default for UrlFilterOptions {
    fn default() -> Self {
        UrlFilterOptions {
            soft_word_threshold: 2,
            extra_domains: Vec::new(),
            extra_urls: Vec::new(),
            banned_words: Vec::new(),
            banned_subwords: Vec::new(),
            soft_banned_words: Vec::new(),
            use_integrated_lists: true,
        }
    }
}

/// The URL filter (step name `url_filter`): a pipeline [`Step`] on `doc.url`, and
/// [`UrlFilter::check_url`] for a bare URL.
#[derive(Debug, Clone)]
pub struct UrlFilter {
    options: UrlFilterOptions,
    domains: HashSet<String>,
    urls: HashSet<String>,
    banned_words: HashSet<String>,
    soft_banned_words: HashSet<String>,
    subwords: Option<AhoCorasick>,
    integrated: Option<&'static Integrated>,
}

impl Default for UrlFilter {
    fn default() -> Self {
        UrlFilter::new(UrlFilterOptions::default())
    }
}

impl UrlFilter {
    /// A filter with `options`; the integrated lists are unpacked on the first filter built
    /// with them.
    pub fn new(options: UrlFilterOptions) -> Self {
        let integrated = options.use_integrated_lists.then(integrated);
        let with = |extra: &[String], normalise: bool, list: Option<&HashSet<String>>| {
            let mut set = parse_list(extra, normalise);
            if let Some(list) = list {
                set.extend(list.iter().cloned());
            }
            set
        };
        let banned_words = with(
            &options.banned_words,
            true,
            integrated.map(|i| &i.banned_words),
        );
        let soft_banned_words = with(
            &options.soft_banned_words,
            true,
            integrated.map(|i| &i.soft_banned_words),
        );
        let subword_list = with(
            &options.banned_subwords,
            true,
            integrated.map(|i| &i.banned_subwords),
        );
        // pyahocorasick ignores empty keys; with none left datatrove's automaton is never
        // built and raises, here nothing matches.
        let mut subword_list: Vec<String> =
            subword_list.into_iter().filter(|w| !w.is_empty()).collect();
        subword_list.sort();
        let subwords = if subword_list.is_empty() {
            None
        } else {
            AhoCorasick::new(&subword_list).ok()
        };
        UrlFilter {
            domains: parse_list(&options.extra_domains, false),
            urls: parse_list(&options.extra_urls, false),
            banned_words,
            soft_banned_words,
            subwords,
            integrated,
            options,
        }
    }

    /// The options.
    pub fn options(&self) -> &UrlFilterOptions {
        &self.options
    }

    fn domain_listed(&self, domain: &str) -> bool {
        self.domains.contains(domain)
            || self
                .integrated
                .is_some_and(|i| sorted_contains(&i.domains, domain.as_bytes()))
    }

    /// Decides on `url` (a document's `metadata.url`).
    pub fn check_url(&self, url: &str) -> Check {
        let host = HostParts::of(url);
        if self.domain_listed(&host.registered_domain) {
            return Check::drop(REASON_DOMAIN);
        }
        if self.domain_listed(&host.fqdn) {
            return Check::drop(REASON_SUBDOMAIN);
        }
        if self.urls.contains(url)
            || self
                .integrated
                .is_some_and(|i| sorted_contains(&i.urls, url.as_bytes()))
        {
            return Check::drop(REASON_URL);
        }
        let words = UrlWords::of(url);
        if self.banned_words.iter().any(|w| words.contains(w)) {
            return Check::drop(REASON_HARD);
        }
        let soft = self
            .soft_banned_words
            .iter()
            .filter(|w| words.contains(w))
            .count();
        if soft >= self.options.soft_word_threshold {
            return Check::drop(REASON_SOFT);
        }
        if let Some(subwords) = &self.subwords {
            if subwords.is_match(&normalize(url)) {
                return Check::drop(REASON_SUBWORD);
            }
        }
        Check::keep()
    }
}

impl Step for UrlFilter {
    fn name(&self) -> &str {
        "url_filter"
    }

    /// A document without a URL is kept (datatrove asserts that there is one).
    fn process(&self, doc: &mut Document) -> Verdict {
        match doc.url.as_deref() {
            Some(url) if !url.is_empty() => {
                let check = self.check_url(url);
                match check.reason {
                    Some(reason) if !check.keep => Verdict::Drop(reason),
                    _ => Verdict::Keep,
                }
            }
            _ => Verdict::Keep,
        }
    }
}

/// The distinct words of a URL as datatrove's `set(re.split("[^a-zA-Z0-9]+", url))`.
struct UrlWords<'a> {
    words: HashSet<&'a str>,
    /// `re.split` yields "" when the URL is empty or starts or ends with a separator.
    has_empty: bool,
}

impl<'a> UrlWords<'a> {
    fn of(url: &'a str) -> Self {
        let words = url
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let separator = |c: Option<char>| c.is_some_and(|c| !c.is_ascii_alphanumeric());
        let has_empty =
            url.is_empty() || separator(url.chars().next()) || separator(url.chars().next_back());
        UrlWords { words, has_empty }
    }

    fn contains(&self, word: &str) -> bool {
        if word.is_empty() {
            self.has_empty
        } else {
            self.words.contains(word)
        }
    }
}

/// datatrove's `normalize`: ASCII letters and digits only, lowercased.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// datatrove's `parse_list`: entries starting with `#` are comments; the rest are normalised
/// or (domains, URLs) stripped of Python whitespace. (datatrove fails on an empty entry; it is
/// skipped here.)
fn parse_list(entries: &[String], normalise: bool) -> HashSet<String> {
    entries
        .iter()
        .filter(|e| !e.is_empty() && !e.starts_with('#'))
        .map(|e| {
            if normalise {
                normalize(e)
            } else {
                crate::pystr::strip(e).to_string()
            }
        })
        .collect()
}

/// Whether the sorted newline-separated `list` has the line `key`.
fn sorted_contains(list: &[u8], key: &[u8]) -> bool {
    // [lo, hi) always holds whole lines
    let (mut lo, mut hi) = (0, list.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = memchr::memrchr(b'\n', &list[lo..mid]).map_or(lo, |i| lo + i + 1);
        let end = memchr::memchr(b'\n', &list[start..hi]).map_or(hi, |i| start + i);
        match list[start..end].cmp(key) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

/// datatrove's integrated lists, unpacked.
#[derive(Debug)]
struct Integrated {
    /// Sorted (bytewise), one per line.
    domains: Vec<u8>,
    /// Sorted (bytewise), one per line.
    urls: Vec<u8>,
    banned_words: HashSet<String>,
    banned_subwords: HashSet<String>,
    soft_banned_words: HashSet<String>,
}

fn unpack(compressed: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let ok = zstd::stream::read::Decoder::new(compressed)
        .and_then(|mut d| {
            // the lists were packed with a 128 MiB window (`zstd --long=27`)
            d.window_log_max(27)?;
            d.read_to_end(&mut out)
        })
        .is_ok();
    // The data is compiled in and checked by the tests; a corrupt copy blocks nothing.
    if ok {
        out
    } else {
        Vec::new()
    }
}

fn word_list(text: &str) -> HashSet<String> {
    // Lines keep their newline, as Python reads them: a blank line is "\n" (normalised to
    // ""), not an empty entry.
    let lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    parse_list(&lines, true)
}

fn integrated() -> &'static Integrated {
    static LISTS: OnceLock<Integrated> = OnceLock::new();
    LISTS.get_or_init(|| Integrated {
        domains: unpack(include_bytes!("../data/url_filter/domains.zst")),
        urls: unpack(include_bytes!("../data/url_filter/urls.zst")),
        banned_words: word_list(include_str!("../data/url_filter/banned_words.txt")),
        banned_subwords: word_list(include_str!("../data/url_filter/banned_subwords.txt")),
        soft_banned_words: word_list(include_str!("../data/url_filter/soft_banned_words.txt")),
    })
}

/// The number of entries of the integrated (domains, URLs) lists, unpacking them if needed.
pub fn integrated_list_sizes() -> (usize, usize) {
    let lists = integrated();
    let count = |l: &[u8]| {
        if l.is_empty() {
            0
        } else {
            memchr::memchr_iter(b'\n', l).count() + usize::from(l.last() != Some(&b'\n'))
        }
    };
    (count(&lists.domains), count(&lists.urls))
}

/// tldextract's view of a URL's host, as datatrove uses it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostParts {
    /// Domain label and ICANN public suffix (`registered_domain`); "" when the host has no
    /// known suffix or nothing before it (IP addresses, `localhost`, a bare suffix).
    pub registered_domain: String,
    /// Subdomains, domain and suffix (`fqdn`); "" when `registered_domain` is.
    pub fqdn: String,
}

impl HostParts {
    /// Splits `url`'s host as `tldextract.TLDExtract()(url)` does: scheme, user info, port,
    /// path, query and fragment removed leniently, trailing dots dropped, ideographic full
    /// stops read as dots; case and punycode are kept in the output.
    pub fn of(url: &str) -> HostParts {
        let host = lenient_host(url);
        let host = host.replace(['\u{3002}', '\u{ff0e}', '\u{ff61}'], ".");
        if host.len() >= 4 && host.starts_with('[') && host.ends_with(']') {
            // a bracketed IPv6 address has no suffix
            if host[1..host.len() - 1].parse::<Ipv6Addr>().is_ok() {
                return HostParts::default();
            }
        }
        let labels: Vec<&str> = host.split('.').collect();
        let suffix = icann_suffix_labels(&labels);
        if suffix == 0 || suffix >= labels.len() {
            return HostParts::default();
        }
        let domain_at = labels.len() - suffix - 1;
        if labels[domain_at].is_empty() {
            return HostParts::default();
        }
        let registered_domain = labels[domain_at..].join(".");
        let subdomain = labels[..domain_at].join(".");
        let fqdn = if subdomain.is_empty() {
            registered_domain.clone()
        } else {
            format!("{subdomain}.{registered_domain}")
        };
        HostParts {
            registered_domain,
            fqdn,
        }
    }
}

/// tldextract's `lenient_netloc`.
fn lenient_host(url: &str) -> &str {
    let rest = schemeless(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let after_userinfo = authority.rsplit('@').next().unwrap_or("");
    if after_userinfo.starts_with('[') {
        if let Some(close) = after_userinfo.find(']') {
            return &after_userinfo[..=close];
        }
    }
    let host = after_userinfo.split(':').next().unwrap_or("");
    crate::pystr::strip(host).trim_end_matches(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
}

/// tldextract's `_schemeless_url`.
fn schemeless(url: &str) -> &str {
    let Some(slashes) = url.find("//") else {
        return url;
    };
    if slashes == 0 {
        return &url[2..];
    }
    let scheme_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
    if slashes < 2
        || url.as_bytes()[slashes - 1] != b':'
        || !url[..slashes - 1].chars().all(scheme_char)
    {
        return url;
    }
    &url[slashes + 2..]
}

/// How many rightmost labels form the longest ICANN public suffix (0: none known). The psl
/// crate answers with private-section suffixes too; those are peeled off until an ICANN one
/// (or none) is left, which is what tldextract's `include_psl_private_domains=False` gives.
fn icann_suffix_labels(labels: &[&str]) -> usize {
    // tldextract matches labels lowercased (punycode labels are matched decoded; psl knows
    // both spellings of each rule)
    let lower: Vec<String> = labels.iter().map(|l| l.to_lowercase()).collect();
    let mut considered = lower.len();
    while considered > 0 {
        let tail = &lower[lower.len() - considered..];
        let info = psl::List.find(tail.iter().rev().map(|l| l.as_bytes()));
        let n = labels_in(tail, info.len);
        match info.typ {
            Some(psl::Type::Icann) => return n,
            Some(psl::Type::Private) if n > 1 => considered = n - 1,
            // the default rule "*" is not a suffix to tldextract
            _ => return 0,
        }
    }
    0
}

/// How many rightmost labels of `labels` make up `len` bytes (dots included).
fn labels_in(labels: &[String], len: usize) -> usize {
    let mut total = 0;
    for (i, label) in labels.iter().rev().enumerate() {
        total += label.len() + usize::from(i > 0);
        if total >= len {
            return i + 1;
        }
    }
    labels.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, String) {
        let p = HostParts::of(url);
        (p.registered_domain, p.fqdn)
    }

    fn own(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn bare(options: UrlFilterOptions) -> UrlFilter {
        UrlFilter::new(UrlFilterOptions {
            use_integrated_lists: false,
            ..options
        })
    }

    #[test]
    fn host_parts_like_tldextract() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            parts("http://forums.news.cnn.com/"),
            s("cnn.com", "forums.news.cnn.com")
        );
        assert_eq!(
            parts("http://forums.bbc.co.uk/x"),
            s("bbc.co.uk", "forums.bbc.co.uk")
        );
        // private suffixes are not suffixes
        assert_eq!(
            parts("https://x.blogspot.com"),
            s("blogspot.com", "x.blogspot.com")
        );
        // case kept
        assert_eq!(
            parts("HTTP://WWW.Example.COM:80/a"),
            s("Example.COM", "WWW.Example.COM")
        );
        assert_eq!(
            parts("user:pw@a.b.example.org."),
            s("example.org", "a.b.example.org")
        );
        assert_eq!(parts("//example.com/x"), s("example.com", "example.com"));
        assert_eq!(
            parts("example.com?q=a.b.c"),
            s("example.com", "example.com")
        );
        // no known suffix, IPs, bare suffixes
        for none in [
            "http://localhost:8080",
            "http://127.0.0.1/x",
            "http://[::1]/",
            "http://google.notavalidsuffix/",
            "http://co.uk/",
            "",
            "http://.com/",
        ] {
            assert_eq!(parts(none), s("", ""), "{none}");
        }
        // wildcard and exception rules
        assert_eq!(
            parts("http://a.b.kawasaki.jp"),
            s("a.b.kawasaki.jp", "a.b.kawasaki.jp")
        );
        assert_eq!(
            parts("http://city.kawasaki.jp"),
            s("city.kawasaki.jp", "city.kawasaki.jp")
        );
        // ideographic full stop
        assert_eq!(
            parts("http://www\u{3002}example\u{3002}com/"),
            s("example.com", "www.example.com")
        );
        // idn suffix, in either spelling
        assert_eq!(parts("http://a.公司.cn/"), s("a.公司.cn", "a.公司.cn"));
        assert_eq!(
            parts("http://a.xn--55qx5d.cn/"),
            s("a.xn--55qx5d.cn", "a.xn--55qx5d.cn")
        );
        // a non-URL scheme prefix is not a scheme
        assert_eq!(parts("a b://x.com"), s("", ""));
    }

    #[test]
    fn reasons_in_order() {
        let f = bare(UrlFilterOptions {
            extra_domains: own(&["bad.com", "sub.good.org", "#comment.com", " spaced.net "]),
            extra_urls: own(&["http://x.org/exact"]),
            banned_words: own(&["Porn-Hub"]),
            soft_banned_words: own(&["sexy", "girls", "cams"]),
            banned_subwords: own(&["xxx"]),
            ..UrlFilterOptions::default()
        });
        let reason = |u: &str| f.check_url(u).reason;
        assert_eq!(reason("http://www.bad.com/"), Some(REASON_DOMAIN.into()));
        assert_eq!(reason("http://bad.com"), Some(REASON_DOMAIN.into()));
        assert_eq!(
            reason("http://sub.good.org/a"),
            Some(REASON_SUBDOMAIN.into())
        );
        assert_eq!(reason("http://other.good.org/a"), None);
        assert_eq!(reason("http://a.sub.good.org/a"), None);
        assert_eq!(reason("http://comment.com"), None);
        assert_eq!(reason("http://spaced.net"), Some(REASON_DOMAIN.into()));
        assert_eq!(reason("http://x.org/exact"), Some(REASON_URL.into()));
        assert_eq!(reason("http://x.org/exact/"), None);
        // words: runs of ASCII alphanumerics, case-sensitive against normalised words
        assert_eq!(reason("http://x.org/pornhub/"), Some(REASON_HARD.into()));
        assert_eq!(reason("http://x.org/PornHub/"), None);
        assert_eq!(reason("http://x.org/porn-hub/"), None);
        // soft: the threshold (2) counts distinct words
        assert_eq!(reason("http://x.org/sexy-sexy"), None);
        assert_eq!(reason("http://x.org/sexy-girls"), Some(REASON_SOFT.into()));
        // subwords: in the normalised URL
        assert_eq!(reason("http://x.org/a-X-x-X"), Some(REASON_SUBWORD.into()));
        assert_eq!(reason("http://x.org/a-X-x"), None);
    }

    #[test]
    fn soft_threshold_boundary() {
        let with = |threshold| {
            bare(UrlFilterOptions {
                soft_word_threshold: threshold,
                soft_banned_words: own(&["aa", "bb", "cc"]),
                ..UrlFilterOptions::default()
            })
        };
        let url = "http://x.org/aa/bb";
        assert!(!with(2).check_url(url).keep);
        assert!(with(3).check_url(url).keep);
        assert!(!with(1).check_url("http://x.org/aa").keep);
        assert!(with(2).check_url("http://x.org/aa").keep);
        // 0: every URL
        assert!(!with(0).check_url("http://x.org/").keep);
    }

    #[test]
    fn empty_words() {
        // a word that normalises to "" is "in" a URL that starts or ends with a separator
        let f = bare(UrlFilterOptions {
            banned_words: own(&["--"]),
            ..UrlFilterOptions::default()
        });
        assert!(!f.check_url("http://x.org/").keep);
        assert!(f.check_url("http://x.org").keep);
        // empty subwords are ignored
        let f = bare(UrlFilterOptions {
            banned_subwords: own(&["--"]),
            ..UrlFilterOptions::default()
        });
        assert!(f.check_url("http://x.org/").keep);
    }

    #[test]
    fn step_keeps_docs_without_url() {
        let f = bare(UrlFilterOptions {
            extra_domains: own(&["bad.com"]),
            ..UrlFilterOptions::default()
        });
        let mut doc = Document::new("1", "text");
        assert_eq!(f.process(&mut doc), Verdict::Keep);
        doc.url = Some(String::new());
        assert_eq!(f.process(&mut doc), Verdict::Keep);
        doc.url = Some("https://bad.com/x".into());
        assert_eq!(f.process(&mut doc), Verdict::drop(REASON_DOMAIN));
        assert_eq!(f.name(), "url_filter");
    }

    #[test]
    fn bisection() {
        let list = b"a.com\nb.com\nbb.com\nc.org\nzz.net";
        for key in ["a.com", "b.com", "bb.com", "c.org", "zz.net"] {
            assert!(sorted_contains(list, key.as_bytes()), "{key}");
        }
        for key in ["", "a", "b.co", "b.com\n", "c.orgx", "zzz", "0"] {
            assert!(!sorted_contains(list, key.as_bytes()), "{key}");
        }
        assert!(!sorted_contains(b"", b"x"));
        assert!(sorted_contains(b"x\n", b"x"));
    }
}
