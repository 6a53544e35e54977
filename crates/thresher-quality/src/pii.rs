//! E-mail and public IP redaction, rewriting text as datatrove 0.10.1's `PIIFormatter` does.
//!
//! E-mail addresses are found with datatrove's regex and replaced; then IPv4 addresses are
//! found with its regex, checked like Python's `ipaddress.ip_address` (no leading zeros) and,
//! by default, replaced only when public (`is_global` of CPython 3.11.7, the oracle's
//! interpreter: not in 100.64.0.0/10 nor in its list of private networks). Replacements are
//! taken in turn from a list, as datatrove's `PIIReplacer` does.
//!
//! The e-mail regex starts with `\b`, which Python evaluates with its own notion of word
//! characters ([`crate::c4_badwords::is_py_word`]); the rest of it is matched by
//! `regex-automata` with the same leftmost-first semantics as Python's backtracking `re`.
//!
//! One difference is deliberate: datatrove's replacer keeps its turn across documents (the
//! n-th address of the whole run gets replacement n mod len), which depends on document order;
//! [`PiiFormatter::redact`] and the pipeline step start each text at the first replacement, so
//! a text's output does not depend on which documents came before it or on threads.
//! [`PiiFormatter::redact_with`] carries the turn like datatrove for a sequential stream.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};
use thresher_core::{Document, Step, Verdict};

use crate::c4_badwords::is_py_word;

/// Options of [`PiiFormatter`], datatrove's constructor parameters with its defaults.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PiiOptions {
    /// Replace e-mail addresses.
    pub remove_emails: bool,
    /// Replace IPv4 addresses.
    pub remove_ips: bool,
    /// Replace only public (global) addresses; `false` replaces every valid address.
    pub only_remove_public_ips: bool,
    /// Replacements for e-mail addresses, used in turn (an empty list replaces with "").
    pub email_replacement: Vec<String>,
    /// Replacements for IP addresses, used in turn (an empty list replaces with "").
    pub ip_replacement: Vec<String>,
}

impl Default for PiiOptions {
    fn default() -> Self {
        PiiOptions {
            remove_emails: true,
            remove_ips: true,
            only_remove_public_ips: true,
            // example.com/org are reserved for examples
            email_replacement: vec![
                "email@example.com".to_string(),
                "firstname.lastname@example.org".to_string(),
            ],
            // datatrove's list: addresses that did not answer pings when it was made
            ip_replacement: [
                "22.214.171.124",
                "126.96.36.199",
                "188.8.131.52",
                "184.108.40.206",
                "220.127.116.11",
                "18.104.22.168",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// Which replacement comes next (datatrove's `PIIReplacer._replace_i`, one per kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplacementTurn {
    /// Index of the next e-mail replacement.
    pub email: usize,
    /// Index of the next IP replacement.
    pub ip: usize,
}

/// The PII formatter (step name `pii`): rewrites `doc.text`, never drops.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PiiFormatter {
    options: PiiOptions,
}

impl PiiFormatter {
    /// A formatter with `options`.
    pub fn new(options: PiiOptions) -> Self {
        PiiFormatter { options }
    }

    /// The options.
    pub fn options(&self) -> &PiiOptions {
        &self.options
    }

    /// `text` with addresses replaced, starting at the first replacement of each list.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_with(text, &mut ReplacementTurn::default())
    }

    /// `text` with addresses replaced, taking replacements from `turn` on and advancing it,
    /// as datatrove's stateful replacer does over a stream of documents.
    pub fn redact_with<'a>(&self, text: &'a str, turn: &mut ReplacementTurn) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        if self.options.remove_emails {
            if let Some(new) =
                replace_emails(&out, &self.options.email_replacement, &mut turn.email)
            {
                out = Cow::Owned(new);
            }
        }
        if self.options.remove_ips {
            if let Some(new) = replace_ips(
                &out,
                &self.options.ip_replacement,
                self.options.only_remove_public_ips,
                &mut turn.ip,
            ) {
                out = Cow::Owned(new);
            }
        }
        out
    }
}

impl Step for PiiFormatter {
    fn name(&self) -> &str {
        "pii"
    }

    fn process(&self, doc: &mut Document) -> Verdict {
        if let Cow::Owned(text) = self.redact(&doc.text) {
            doc.text = text;
        }
        Verdict::Keep
    }
}

/// [`PiiFormatter::redact`] with datatrove's default options.
pub fn redact(text: &str) -> Cow<'_, str> {
    static DEFAULT: OnceLock<PiiFormatter> = OnceLock::new();
    DEFAULT.get_or_init(PiiFormatter::default).redact(text)
}

/// The part of datatrove's e-mail regex after the `@`.
const EMAIL_DOMAIN: &str = concat!(
    r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?",
    r"|\[(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}",
    r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[A-Za-z0-9-]*[A-Za-z0-9]:)\])",
);

/// datatrove's IPv4 regex.
const IPV4: &str =
    r"(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";

fn compiled(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    // The patterns are constants; `None` would be a bug caught by the unit tests.
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// A character of the local part's class `[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]`.
fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b)
}

fn next_replacement<'r>(replacements: &'r [String], turn: &mut usize) -> &'r str {
    if replacements.is_empty() {
        return "";
    }
    let r = &replacements[*turn % replacements.len()];
    *turn = (*turn + 1) % replacements.len();
    r
}

/// The e-mail addresses of `text` as datatrove's regex finds them with `re.sub`: leftmost,
/// non-overlapping, as byte ranges.
pub fn find_emails(text: &str) -> Vec<(usize, usize)> {
    let Some(domain) = compiled(
        {
            static RE: OnceLock<Option<Regex>> = OnceLock::new();
            &RE
        },
        EMAIL_DOMAIN,
    ) else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // Where the next search starts (the end of the previous match).
    let mut pos = 0;
    // The local part cannot contain `@`, so each match pairs its start with the first `@`
    // after it: decide `@` by `@`. Its local part must be `[class]+(\.[class]+)*` right up to
    // the `@`, so the candidates are the run of class characters and dots before it.
    let mut at_search = 0;
    while let Some(off) = text[at_search..].find('@') {
        let at = at_search + off;
        at_search = at + 1;
        if at < pos || at == 0 || bytes[at - 1] == b'.' {
            continue;
        }
        let mut run = at;
        while run > pos && (is_local_char(bytes[run - 1]) || bytes[run - 1] == b'.') {
            run -= 1;
        }
        // No ".." inside the local part: start after the last one.
        let mut first = run;
        for i in run..at.saturating_sub(1) {
            if bytes[i] == b'.' && bytes[i + 1] == b'.' {
                first = i + 1;
            }
        }
        // The leftmost start that is a class character at a Python word boundary.
        let Some(start) = (first..at).find(|&p| {
            is_local_char(bytes[p]) && {
                let prev = text[..p].chars().next_back().is_some_and(is_py_word);
                let this = is_py_word(char::from(bytes[p]));
                prev != this
            }
        }) else {
            continue;
        };
        let input = Input::new(text).range(at + 1..).anchored(Anchored::Yes);
        if let Some(m) = domain.search(&input) {
            found.push((start, m.end()));
            pos = m.end();
        }
    }
    found
}

fn replace_emails(text: &str, replacements: &[String], turn: &mut usize) -> Option<String> {
    if !text.contains('@') {
        return None;
    }
    let found = find_emails(text);
    if found.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in found {
        out.push_str(&text[last..start]);
        out.push_str(next_replacement(replacements, turn));
        last = end;
    }
    out.push_str(&text[last..]);
    Some(out)
}

fn replace_ips(
    text: &str,
    replacements: &[String],
    public_only: bool,
    turn: &mut usize,
) -> Option<String> {
    let ip = compiled(
        {
            static RE: OnceLock<Option<Regex>> = OnceLock::new();
            &RE
        },
        IPV4,
    )?;
    let mut out: Option<String> = None;
    let mut last = 0;
    for m in ip.find_iter(text) {
        let candidate = &text[m.range()];
        let valid = parse_ipv4(candidate).is_some_and(|a| !public_only || is_global_ipv4(a));
        if !valid {
            // datatrove "replaces" it with itself and does not advance the turn
            continue;
        }
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[last..m.start()]);
        buf.push_str(next_replacement(replacements, turn));
        last = m.end();
    }
    let mut buf = out?;
    buf.push_str(&text[last..]);
    Some(buf)
}

/// Parses a dotted IPv4 address as Python's `ipaddress.IPv4Address` does: four ASCII decimal
/// octets of at most 3 digits, each at most 255, no leading zeros.
pub fn parse_ipv4(s: &str) -> Option<u32> {
    let mut value: u32 = 0;
    let mut octets = 0;
    for octet in s.split('.') {
        octets += 1;
        if octets > 4
            || octet.is_empty()
            || octet.len() > 3
            || !octet.bytes().all(|b| b.is_ascii_digit())
            || (octet.len() > 1 && octet.starts_with('0'))
        {
            return None;
        }
        let n: u32 = octet.parse().ok()?;
        if n > 255 {
            return None;
        }
        value = (value << 8) | n;
    }
    (octets == 4).then_some(value)
}

/// `ipaddress.IPv4Address(a).is_global` of CPython 3.11.7: outside 100.64.0.0/10 (shared
/// address space) and outside every network of its `_private_networks`. (Later CPython
/// releases changed this list; multicast addresses count as global here, as there.)
pub fn is_global_ipv4(addr: u32) -> bool {
    const PRIVATE: [(u32, u8); 14] = [
        (0x0000_0000, 8),  // 0.0.0.0/8
        (0x0A00_0000, 8),  // 10.0.0.0/8
        (0x7F00_0000, 8),  // 127.0.0.0/8
        (0xA9FE_0000, 16), // 169.254.0.0/16
        (0xAC10_0000, 12), // 172.16.0.0/12
        (0xC000_0000, 29), // 192.0.0.0/29
        (0xC000_00AA, 31), // 192.0.0.170/31
        (0xC000_0200, 24), // 192.0.2.0/24
        (0xC0A8_0000, 16), // 192.168.0.0/16
        (0xC612_0000, 15), // 198.18.0.0/15
        (0xC633_6400, 24), // 198.51.100.0/24
        (0xCB00_7100, 24), // 203.0.113.0/24
        (0xF000_0000, 4),  // 240.0.0.0/4
        (0xFFFF_FFFF, 32), // 255.255.255.255/32
    ];
    let within = |net: u32, bits: u8| {
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(bits))
        };
        addr & mask == net
    };
    !within(0x6440_0000, 10) && !PRIVATE.iter().any(|&(net, bits)| within(net, bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> u32 {
        parse_ipv4(s).unwrap()
    }

    #[test]
    fn patterns_compile() {
        assert!(Regex::new(EMAIL_DOMAIN).is_ok());
        assert!(Regex::new(IPV4).is_ok());
    }

    #[test]
    fn emails_replaced_in_turn() {
        let t = "write to a.b@example.co.uk or c+d@x.org, then e@f.io.";
        assert_eq!(
            redact(t),
            "write to email@example.com or firstname.lastname@example.org, then email@example.com."
        );
        let f = PiiFormatter::default();
        let mut turn = ReplacementTurn::default();
        assert_eq!(f.redact_with("x@y.com", &mut turn), "email@example.com");
        assert_eq!(
            f.redact_with("x@y.com", &mut turn),
            "firstname.lastname@example.org"
        );
        assert_eq!(turn, ReplacementTurn { email: 0, ip: 0 });
    }

    #[test]
    fn email_edges() {
        // no dot in the domain: not an address
        assert_eq!(redact("me@localhost"), "me@localhost");
        // trailing dot of a sentence is not part of it
        assert_eq!(redact("me@a.bc."), "email@example.com.");
        // local part: no leading, trailing or double dot
        assert_eq!(redact("a..b@c.de"), "a..email@example.com");
        assert_eq!(redact("a.@c.de"), "a.@c.de");
        assert_eq!(redact(".a@c.de"), ".email@example.com");
        // \b: a start after a word character only when the start is not one
        assert_eq!(redact("é-x@c.de"), "éemail@example.com");
        assert_eq!(redact("éx@c.de"), "éx@c.de");
        assert_eq!(redact("x-@c.de"), "email@example.com");
        assert_eq!(redact("--x@c.de"), "--email@example.com");
        assert_eq!(redact("-@c.de"), "-@c.de");
        // bracketed address literal
        assert_eq!(redact("u@[10.0.0.1]"), "email@example.com");
        // hyphens inside labels, not at their ends
        assert_eq!(redact("u@a-b.c-"), "email@example.com-");
        assert_eq!(redact("a@b@c.de"), "a@email@example.com");
        assert_eq!(redact(""), "");
        assert!(matches!(redact("no address here"), Cow::Borrowed(_)));
    }

    #[test]
    fn public_and_private_ips() {
        assert_eq!(redact("host 8.8.8.8 up"), "host 22.214.171.124 up");
        for private in [
            "10.1.2.3",
            "127.0.0.1",
            "192.168.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "100.64.0.1",
            "100.127.255.255",
            "0.1.2.3",
            "169.254.1.1",
            "192.0.2.5",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.0.7",
            "192.0.0.170",
            "192.0.0.171",
        ] {
            assert_eq!(redact(private), private, "{private}");
        }
        for public in [
            "172.15.255.255",
            "172.32.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "192.0.0.8",
            "192.0.0.172",
            "198.17.255.255",
            "198.20.0.0",
            "224.0.0.1",
            "239.255.255.255",
            "1.1.1.1",
        ] {
            assert_eq!(redact(public), "22.214.171.124", "{public}");
        }
        assert!(is_global_ipv4(ip("11.0.0.0")));
        assert!(!is_global_ipv4(ip("10.255.255.255")));
        // every valid address when public_only is off
        let all = PiiFormatter::new(PiiOptions {
            only_remove_public_ips: false,
            ..PiiOptions::default()
        });
        assert_eq!(
            all.redact("10.0.0.1 8.8.8.8"),
            "22.214.171.124 126.96.36.199"
        );
    }

    #[test]
    fn ip_matching_like_re() {
        // leading zeros: matched but invalid, kept, turn not advanced
        let all = PiiFormatter::new(PiiOptions {
            only_remove_public_ips: false,
            ..PiiOptions::default()
        });
        assert_eq!(all.redact("01.2.3.4 5.6.7.8"), "01.2.3.4 22.214.171.124");
        assert_eq!(all.redact("1.2.3.04"), "1.2.3.04");
        // leftmost-first: "1234.5.6.7" matches "234.5.6.7"
        assert_eq!(redact("1234.5.6.7"), "122.214.171.124");
        // "1.2.3.256" matches "1.2.3.25"
        assert_eq!(redact("1.2.3.256"), "22.214.171.1246");
        assert_eq!(parse_ipv4("1.2.3"), None);
        assert_eq!(parse_ipv4("1.2.3.4.5"), None);
        assert_eq!(parse_ipv4("256.1.1.1"), None);
        assert_eq!(parse_ipv4("0.0.0.0"), Some(0));
    }

    #[test]
    fn options() {
        let none = PiiFormatter::new(PiiOptions {
            remove_emails: false,
            remove_ips: false,
            ..PiiOptions::default()
        });
        assert_eq!(none.redact("a@b.cd 8.8.8.8"), "a@b.cd 8.8.8.8");
        let custom = PiiFormatter::new(PiiOptions {
            email_replacement: vec!["<EMAIL>".into()],
            ip_replacement: vec![],
            ..PiiOptions::default()
        });
        assert_eq!(custom.redact("a@b.cd x@y.zw 8.8.8.8"), "<EMAIL> <EMAIL> ");
    }

    #[test]
    fn hostile_inputs_stay_linear() {
        let t = std::time::Instant::now();
        let long_local = "a-".repeat(200_000) + "@";
        assert_eq!(redact(&long_local), long_local);
        let many_ats = "a@".repeat(200_000);
        assert_eq!(redact(&many_ats), many_ats);
        let dots = "a..".repeat(100_000) + "b@c.de";
        assert!(redact(&dots).ends_with("a..email@example.com"));
        let octets = "1.".repeat(200_000);
        assert!(redact(&octets).len() > 100_000);
        assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    }

    #[test]
    fn step_rewrites_never_drops() {
        let mut doc = Document::new("1", "mail me: me@host.com");
        assert_eq!(PiiFormatter::default().process(&mut doc), Verdict::Keep);
        assert_eq!(doc.text, "mail me: email@example.com");
        assert_eq!(PiiFormatter::default().name(), "pii");
    }
}
