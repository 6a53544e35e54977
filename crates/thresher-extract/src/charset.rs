//! Character encoding detection and decoding of HTML payloads.
//!
//! Order of evidence, strongest first:
//!
//! 1. a byte-order mark;
//! 2. the `charset=` parameter of the HTTP `Content-Type` header;
//! 3. a `<meta charset>` or `<meta http-equiv="Content-Type" content="...; charset=...">` in
//!    the page's head (scanned up to [`PRESCAN_BYTES`] or the `<body>` tag);
//! 4. the bytes themselves: valid UTF-8, else `chardetng` (given the URL's top-level domain
//!    when known);
//! 5. UTF-8.
//!
//! Labels are resolved with `encoding_rs`, which follows the WHATWG Encoding Standard, so
//! aliases work and `iso-8859-1`/`us-ascii` mean windows-1252, as in browsers.
//!
//! Deviations from a browser, chosen for crawled data where declarations are often wrong:
//!
//! - A page whose bytes are valid UTF-8 and contain non-ASCII characters is decoded as UTF-8
//!   even when a legacy charset is declared. Legacy text essentially never forms valid
//!   multi-byte UTF-8 by accident, while servers that label UTF-8 pages `ISO-8859-1` are
//!   common. [`Decoded::declared`] keeps what was declared.
//! - A page declared (or presumed) UTF-8 that is not valid UTF-8 is sniffed instead, unless it
//!   is overwhelmingly UTF-8 with a few stray bytes (at least [`UTF8_MAJORITY`] valid
//!   multi-byte characters per invalid sequence), which is decoded as UTF-8 with replacement
//!   characters: sniffing such a page would garble all its correct characters to fix a few.
//! - Labels that map to the WHATWG `replacement` encoding (`iso-2022-kr`, `hz-gb-2312`, ...)
//!   and `x-user-defined` are treated as no declaration rather than decoding the page as a
//!   single U+FFFD.

use crate::scan::{tags, Attributes, Token, Tokenizer};
use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    Encoding, ISO_2022_JP, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED,
};

/// How far into the page the `<meta>` prescan looks. Browsers stop at 1,024 bytes; crawled
/// pages often carry tens of kilobytes of inline scripts and styles before their meta tags,
/// and the scan skips those properly, so we look further.
pub const PRESCAN_BYTES: usize = 64 * 1024;

/// How many bytes `chardetng` sees. Enough for a confident guess on any real page.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Valid multi-byte UTF-8 characters needed per invalid sequence to keep a page that is not
/// quite valid UTF-8 as UTF-8.
pub const UTF8_MAJORITY: usize = 4;

/// Where the encoding of a [`Decoded`] page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    /// A byte-order mark.
    Bom,
    /// The HTTP `Content-Type` header.
    HttpHeader,
    /// A `<meta>` tag in the page.
    MetaTag,
    /// The bytes: valid UTF-8 overriding a legacy declaration, or `chardetng`'s guess.
    Sniffed,
    /// Nothing declared: UTF-8.
    Default,
}

impl CharsetSource {
    /// Short stable label: `bom`, `http`, `meta`, `sniffed`, `default`.
    pub fn as_str(self) -> &'static str {
        match self {
            CharsetSource::Bom => "bom",
            CharsetSource::HttpHeader => "http",
            CharsetSource::MetaTag => "meta",
            CharsetSource::Sniffed => "sniffed",
            CharsetSource::Default => "default",
        }
    }
}

/// A decoded page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// WHATWG name of the encoding used (`UTF-8`, `windows-1252`, `Shift_JIS`, ...).
    pub encoding: &'static str,
    /// Why that encoding.
    pub source: CharsetSource,
    /// Some bytes were malformed and became U+FFFD.
    pub had_errors: bool,
    /// The encoding the HTTP header or page declared, when a different one was used.
    pub declared: Option<&'static str>,
}

/// Decodes an HTML payload; `http_content_type` is the HTTP `Content-Type` header value.
pub fn decode_html(bytes: &[u8], http_content_type: Option<&str>) -> Decoded {
    decode_html_for_url(bytes, http_content_type, None)
}

/// [`decode_html`] with the page URL, whose top-level domain helps `chardetng` (a `.ru` page
/// without a declaration is more likely windows-1251 than windows-1252).
pub fn decode_html_for_url(
    bytes: &[u8],
    http_content_type: Option<&str>,
    url: Option<&str>,
) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(
            encoding,
            bytes.get(bom_len..).unwrap_or_default(),
            CharsetSource::Bom,
            None,
        );
    }

    let declared = http_content_type
        .and_then(charset_from_content_type)
        .and_then(|e| usable_declaration(e, true, bytes))
        .map(|e| (e, CharsetSource::HttpHeader))
        .or_else(|| {
            prescan_meta(bytes)
                .and_then(|e| usable_declaration(e, false, bytes))
                .map(|e| (e, CharsetSource::MetaTag))
        });

    let utf8 = utf8_profile(bytes);
    if utf8.invalid == 0 {
        return match declared {
            // Pure ASCII: every ASCII-compatible declaration decodes it the same, and a 7-bit
            // encoding (ISO-2022-JP, UTF-16 from HTTP) must be honoured.
            Some((enc, src)) if utf8.multibyte == 0 => decode_with(enc, bytes, src, None),
            Some((enc, src)) if enc == UTF_8 => valid_utf8(&utf8, bytes, src, None),
            Some((enc, _)) if is_utf16(enc) => {
                decode_with(enc, bytes, CharsetSource::HttpHeader, None)
            }
            Some((enc, _)) => valid_utf8(&utf8, bytes, CharsetSource::Sniffed, Some(enc.name())),
            // 7-bit text that switches to JIS X 0208 is ISO-2022-JP. (chardetng would also
            // say so, but gives up on the first sequence the WHATWG decoder calls malformed,
            // such as two escapes in a row, which real texts have.)
            None if utf8.multibyte == 0 && has_jis_escape(bytes) => {
                decode_with(ISO_2022_JP, bytes, CharsetSource::Sniffed, None)
            }
            None => valid_utf8(&utf8, bytes, CharsetSource::Default, None),
        };
    }

    match declared {
        Some((enc, src)) if enc != UTF_8 => decode_with(enc, bytes, src, None),
        _ => {
            let src = declared.map_or(CharsetSource::Default, |(_, s)| s);
            if utf8.multibyte > 0 && utf8.multibyte >= UTF8_MAJORITY * utf8.invalid {
                return decode_with(UTF_8, bytes, src, None);
            }
            let guess = sniff(bytes, url);
            decode_with(
                guess,
                bytes,
                CharsetSource::Sniffed,
                declared.map(|(e, _)| e.name()),
            )
        }
    }
}

/// `bytes` as UTF-8 when [`utf8_profile`] found them valid: the same result as
/// [`decode_with`]`(UTF_8, ..)`, without decoding them a second time.
fn valid_utf8(
    profile: &Utf8Profile,
    bytes: &[u8],
    source: CharsetSource,
    declared: Option<&'static str>,
) -> Decoded {
    let Some(text) = profile.valid else {
        return decode_with(UTF_8, bytes, source, declared);
    };
    Decoded {
        text: text.to_owned(),
        encoding: UTF_8.name(),
        source,
        had_errors: false,
        declared,
    }
}

fn decode_with(
    encoding: &'static Encoding,
    bytes: &[u8],
    source: CharsetSource,
    declared: Option<&'static str>,
) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        source,
        had_errors,
        declared,
    }
}

/// `ESC $ B` or `ESC $ @`: ISO-2022-JP's switch to JIS X 0208.
fn has_jis_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == 0x1B && w[1] == b'$' && (w[2] == b'B' || w[2] == b'@'))
}

fn is_utf16(e: &'static Encoding) -> bool {
    e == UTF_16LE || e == UTF_16BE
}

/// Applies the WHATWG adjustments to a declared encoding; `None` means "ignore it".
fn usable_declaration(
    e: &'static Encoding,
    from_http: bool,
    bytes: &[u8],
) -> Option<&'static Encoding> {
    if e == REPLACEMENT || e == X_USER_DEFINED {
        return None;
    }
    if is_utf16(e) {
        // A page that can declare itself in ASCII is not UTF-16 (WHATWG: meta → UTF-8). An
        // HTTP header may be right, but only if the bytes look like UTF-16 (many NULs).
        let nuls = bytes.iter().take(4096).filter(|&&b| b == 0).count();
        let sample = bytes.len().min(4096);
        return (from_http && nuls * 4 >= sample && sample > 0).then_some(e);
    }
    Some(e)
}

/// Counts of valid multi-byte characters and invalid sequences.
struct Utf8Profile<'a> {
    /// Multi-byte sequences; in valid UTF-8 only whether there is any (0 or 1), which is all
    /// the decision needs there.
    multibyte: usize,
    invalid: usize,
    /// The text itself when the bytes are valid UTF-8, so that they are validated once.
    valid: Option<&'a str>,
}

fn utf8_profile(bytes: &[u8]) -> Utf8Profile<'_> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Utf8Profile {
            multibyte: usize::from(!s.is_ascii()),
            invalid: 0,
            valid: Some(s),
        };
    }
    let mut p = Utf8Profile {
        multibyte: 0,
        invalid: 0,
        valid: None,
    };
    for chunk in bytes.utf8_chunks() {
        p.multibyte += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
        if !chunk.invalid().is_empty() {
            p.invalid += 1;
        }
    }
    p
}

/// `chardetng`'s guess from the first [`SNIFF_BYTES`] bytes.
fn sniff(bytes: &[u8], url: Option<&str>) -> &'static Encoding {
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let mut det = EncodingDetector::new(Iso2022JpDetection::Allow);
    // Never "last": crawled payloads are often truncated, and a character cut off at the end
    // must not disqualify the right encoding.
    det.feed(sample, false);
    let tld = url.and_then(tld_of);
    let guess = det.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Allow);
    if guess == REPLACEMENT || guess == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        guess
    }
}

/// The lowercase ASCII top-level domain of a URL, in the form `chardetng` requires (it panics
/// on dots, upper case and non-ASCII).
pub(crate) fn tld_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host_port = rest.split(['/', '?', '#']).next()?;
    let host_port = host_port.rsplit('@').next()?;
    if host_port.starts_with('[') {
        return None; // IPv6 literal
    }
    let host = host_port.split(':').next()?.trim_end_matches('.');
    let tld = host.rsplit('.').next()?.to_ascii_lowercase();
    let ok = !tld.is_empty()
        && tld.len() <= 63
        && tld
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !tld.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(tld)
}

/// The encoding named by the `charset` parameter of a `Content-Type` value.
pub fn charset_from_content_type(value: &str) -> Option<&'static Encoding> {
    charset_param(value.as_bytes()).and_then(Encoding::for_label)
}

/// Extracts the value after `charset=` in a `Content-Type`-like value (WHATWG "extract a
/// character encoding from a meta element", which is also lenient enough for HTTP headers).
fn charset_param(v: &[u8]) -> Option<&[u8]> {
    let mut i = 0;
    while i + 7 <= v.len() {
        if !v[i..i + 7].eq_ignore_ascii_case(b"charset") {
            i += 1;
            continue;
        }
        let mut j = i + 7;
        while j < v.len() && v[j].is_ascii_whitespace() {
            j += 1;
        }
        if v.get(j) != Some(&b'=') {
            i = j;
            continue;
        }
        j += 1;
        while j < v.len() && v[j].is_ascii_whitespace() {
            j += 1;
        }
        return match v.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let rest = &v[j + 1..];
                rest.iter().position(|&b| b == q).map(|end| &rest[..end])
            }
            Some(_) => {
                let rest = &v[j..];
                let end = rest
                    .iter()
                    .position(|&b| b == b';' || b == b',' || b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                Some(&rest[..end])
            }
            None => None,
        };
    }
    None
}

/// Finds the encoding declared by a `<meta>` tag before `<body>`, within [`PRESCAN_BYTES`].
pub fn prescan_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    for token in Tokenizer::new(head) {
        let Token::Start(tag) = token else { continue };
        if tag.name == tags::BODY {
            return None;
        }
        if tag.name != tags::META {
            continue;
        }
        let mut charset = None;
        let mut http_equiv_ct = false;
        let mut content = None;
        for (name, value) in Attributes::new(head, &tag) {
            let name = &head[name];
            let value = head.get(value).unwrap_or_default();
            if name.eq_ignore_ascii_case(b"charset") {
                charset.get_or_insert(value);
            } else if name.eq_ignore_ascii_case(b"http-equiv") {
                http_equiv_ct = value.trim_ascii().eq_ignore_ascii_case(b"content-type");
            } else if name.eq_ignore_ascii_case(b"content") {
                content.get_or_insert(value);
            }
        }
        let label = match (charset, content) {
            (Some(c), _) => Some(c),
            (None, Some(c)) if http_equiv_ct => charset_param(c),
            _ => None,
        };
        if let Some(enc) = label.and_then(|l| Encoding::for_label(l.trim_ascii())) {
            return Some(enc);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("<meta charset=latin1>é".as_bytes());
        let d = decode_html(&b, Some("text/html; charset=shift_jis"));
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.source, CharsetSource::Bom);
        assert!(d.text.starts_with("<meta"));
        let b = [0xFF, 0xFE, b'h', 0, b'i', 0];
        let d = decode_html(&b, None);
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", "hi"));
    }

    #[test]
    fn http_header_then_meta() {
        let page = b"<html><head><meta charset=\"windows-1251\"></head><body>\xc0\xe1\xe2</body>";
        let d = decode_html(page, Some("text/html; charset=\"KOI8-R\""));
        assert_eq!(
            (d.encoding, d.source),
            ("KOI8-R", CharsetSource::HttpHeader)
        );
        let d = decode_html(page, Some("text/html"));
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1251", CharsetSource::MetaTag)
        );
        assert_eq!(
            d.text,
            "<html><head><meta charset=\"windows-1251\"></head><body>Абв</body>"
        );
    }

    #[test]
    fn meta_prescan_forms() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"<META CHARSET=ISO-8859-1>", Some("windows-1252")),
            (b"<meta charset = ' utf8 '>", Some("UTF-8")),
            (
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
                Some("GBK"),
            ),
            (
                b"<meta content='text/html;charset=\"euc-jp\"' HTTP-EQUIV='content-type'/>",
                Some("EUC-JP"),
            ),
            (b"<meta content='text/html; charset=euc-kr'>", None), // no http-equiv
            (
                b"<!-- <meta charset=koi8-r> --><meta charset=latin2>",
                Some("ISO-8859-2"),
            ),
            (
                b"<script>'<meta charset=koi8-r>'</script><meta charset=cp1250>",
                Some("windows-1250"),
            ),
            (b"<body><meta charset=koi8-r>", None),
            (
                b"<meta charset=bogus><meta charset=sjis>",
                Some("Shift_JIS"),
            ),
        ];
        for (page, want) in cases {
            assert_eq!(
                prescan_meta(page).map(|e| e.name()),
                *want,
                "{}",
                String::from_utf8_lossy(page)
            );
        }
    }

    #[test]
    fn valid_utf8_overrides_legacy_declaration() {
        let page = "<meta charset=iso-8859-1><p>Grüße</p>".as_bytes();
        let d = decode_html(page, None);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert_eq!(d.declared, Some("windows-1252"));
        assert!(d.text.contains("Grüße"));
        // Pure ASCII keeps the declaration.
        let d = decode_html(b"<meta charset=iso-8859-1><p>Hi</p>", None);
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1252", CharsetSource::MetaTag)
        );
    }

    #[test]
    fn declared_utf8_but_legacy_is_sniffed() {
        let page = b"<meta charset=utf-8><p>Gr\xfc\xdfe aus M\xfcnchen, sch\xf6ne Gr\xfc\xdfe und \xc4rger</p>";
        let d = decode_html(page, None);
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert_eq!(d.declared, Some("UTF-8"));
        assert!(d.text.contains("Grüße aus München"), "{}", d.text);
        assert!(!d.had_errors);
    }

    #[test]
    fn mostly_utf8_stays_utf8() {
        let mut page = "<meta charset=utf-8><p>Grüße aus München, schöne Grüße</p>"
            .as_bytes()
            .to_vec();
        page.push(0xFF);
        let d = decode_html(&page, None);
        assert_eq!((d.encoding, d.source), ("UTF-8", CharsetSource::MetaTag));
        assert!(d.had_errors);
        assert!(d.text.contains("Grüße aus München"));
    }

    #[test]
    fn undeclared_legacy_is_sniffed_with_tld() {
        let text = "Все люди рождаются свободными и равными в своем достоинстве и правах.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let d = decode_html_for_url(&bytes, None, Some("http://example.RU:8080/x"));
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1251", CharsetSource::Sniffed)
        );
        assert_eq!(d.text, text);
    }

    #[test]
    fn replacement_labels_are_ignored() {
        let d = decode_html(b"<meta charset=iso-2022-kr>hello", None);
        assert_eq!(d.text, "<meta charset=iso-2022-kr>hello");
        let d = decode_html(b"<meta charset=utf-16le>hi\xc3\xa9", None);
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn tld_extraction() {
        assert_eq!(tld_of("https://www.Example.DE/path").as_deref(), Some("de"));
        assert_eq!(tld_of("http://user@host.jp:80?q").as_deref(), Some("jp"));
        assert_eq!(
            tld_of("http://xn--p1ai.xn--p1ai./").as_deref(),
            Some("xn--p1ai")
        );
        assert_eq!(tld_of("http://127.0.0.1/"), None);
        assert_eq!(tld_of("http://[::1]/"), None);
        assert_eq!(tld_of("http://bücher.de/").as_deref(), Some("de"));
        assert_eq!(tld_of("http://example.bücher/"), None);
        assert_eq!(tld_of(""), None);
    }

    #[test]
    fn empty_and_garbage() {
        let d = decode_html(b"", None);
        assert_eq!((d.text.as_str(), d.encoding), ("", "UTF-8"));
        let garbage: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let d = decode_html(&garbage, Some("text/html; charset="));
        assert!(!d.text.is_empty());
    }
}
