//! Finding inputs: paths, folders, globs and file lists become an ordered list of shards.
//!
//! A specification is one of
//!
//! * a file path: read as the format its name says, or (when the name says nothing) as the
//!   format its first bytes say; a file whose format cannot be told is an error;
//! * a folder: walked recursively in sorted path order; hidden entries (names starting with
//!   `.`, which includes thresher's own temporary files) are skipped, and so are files whose
//!   format cannot be told;
//! * a glob (`*`, `?`, `[`): its matches, sorted, each treated like a folder member (unknown
//!   files are skipped) or, for a matched folder, walked; a glob that yields no input is an
//!   error;
//! * `@FILE`: a list of paths or globs, one per line; blank lines and lines starting with `#`
//!   are skipped; relative paths are relative to the current directory, as on a command line.
//!
//! * a URL of object storage (`s3://`, `gs://`, `az://`, …), given to [`discover_with`] with a
//!   [`RemoteLister`]: every object under it (or the object it names) whose name says WARC,
//!   JSONL or Parquet; its [`Input`] carries the URL as `path` and the object's size in
//!   `remote`, and is read once fetched to a local file.
//!
//! Every WARC/ARC/WET, JSONL and Parquet file becomes its own [`Shard`]; HTML and text files are
//! grouped per parent folder into one shard each. Shards come in the order of the
//! specifications, files sorted within each; a file reached twice (same canonical path) is read
//! once.

use crate::IoError;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The format of an input, from its name or, failing that, its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// WARC (0.17-1.1), ARC or WET, plain or gzipped.
    Warc,
    /// JSON lines `{id, text, metadata}`, plain, `.gz` or `.zst`.
    Jsonl,
    /// Parquet with a text column.
    Parquet,
    /// HTML files (`.html`, `.htm`, optionally `.gz`), one document each.
    Html,
    /// Plain-text files (`.txt`), one document each.
    Text,
}

/// One unit of reading: a file, or a group of HTML/text files read as one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file, or for a group of HTML/text files the folder (or first file) that names it.
    pub path: PathBuf,
    /// Format of the files.
    pub format: InputFormat,
    /// For [`InputFormat::Html`] and [`InputFormat::Text`]: the files, in order. Empty otherwise.
    pub members: Vec<PathBuf>,
    /// For an object in object storage (then `path` is its URL): its size, and where its
    /// bytes are once fetched.
    pub remote: Option<RemoteObject>,
}

/// What a remote input's [`Input`] knows beyond its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteObject {
    /// Size in bytes, from the listing.
    pub size: u64,
    /// The local copy to read, once fetched; reading an unfetched remote input is an error.
    pub local: Option<PathBuf>,
}

impl Input {
    /// The file to open: the local copy of a remote input, else `path`.
    pub fn read_path(&self) -> Result<&Path, IoError> {
        match &self.remote {
            None => Ok(&self.path),
            Some(RemoteObject {
                local: Some(local), ..
            }) => Ok(local),
            Some(RemoteObject { local: None, .. }) => Err(IoError::Input(format!(
                "{}: remote input was not fetched before reading",
                self.path.display()
            ))),
        }
    }
}

/// Lists the objects of object storage for [`discover_with`].
pub trait RemoteLister {
    /// Whether `spec` is a URL this lister serves.
    fn is_remote(&self, spec: &str) -> bool;
    /// The objects under `spec` (a prefix, or one object's URL): full URLs and sizes, in a
    /// deterministic order. Errors name the URL.
    fn list(&self, spec: &str) -> Result<Vec<(String, u64)>, String>;
}

/// An input together with the deterministic name its output shards get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// File-name-safe name, unique within one discovery, stable for the same inputs.
    pub name: String,
    /// What to read.
    pub input: Input,
}

/// How deeply `@FILE` lists may name further `@FILE` lists.
const MAX_LIST_DEPTH: usize = 8;
/// How many leading bytes (after decompression) format sniffing looks at.
const SNIFF_BYTES: usize = 1024;

/// Extensions that name a compression, stripped before the format extension is looked at.
const COMPRESSION_EXTS: &[&str] = &["gz", "zst"];

/// The format an extension (lower-case, without the dot) names, if any.
fn format_of_ext(ext: &str) -> Option<InputFormat> {
    Some(match ext {
        "warc" | "arc" | "wet" | "wat" => InputFormat::Warc,
        "jsonl" | "json" | "ndjson" => InputFormat::Jsonl,
        "parquet" => InputFormat::Parquet,
        "html" | "htm" => InputFormat::Html,
        "txt" => InputFormat::Text,
        _ => return None,
    })
}

/// Splits a file name into `(base, ext)` at its last dot; `None` when there is no extension.
fn split_ext(name: &str) -> Option<(&str, &str)> {
    let dot = name.rfind('.')?;
    if dot == 0 {
        return None;
    }
    Some((&name[..dot], &name[dot + 1..]))
}

/// The format a file name says (case-insensitive, after stripping `.gz`/`.zst`), if any.
///
/// `x.warc.wet.gz` is [`InputFormat::Warc`]; `example-bad.warc.gz.bad` says nothing.
pub fn format_from_name(path: &Path) -> Option<InputFormat> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let mut rest = name.as_str();
    while let Some((base, ext)) = split_ext(rest) {
        if COMPRESSION_EXTS.contains(&ext) {
            rest = base;
            continue;
        }
        return format_of_ext(ext);
    }
    None
}

/// The file name of `path` without its compression and format extensions:
/// `sample-0000.warc.gz` → `sample-0000`, `whirlwind.warc.wet.gz` → `whirlwind`,
/// `page.html` → `page`. Names without such extensions are returned whole. Readers use it for
/// ids of records that carry none (`{stem}/{index}`).
pub fn file_stem(path: &Path) -> String {
    let name = match path.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => return path.to_string_lossy().into_owned(),
    };
    let mut end = name.len();
    while let Some((base, ext)) = split_ext(&name[..end]) {
        let ext = ext.to_ascii_lowercase();
        if COMPRESSION_EXTS.contains(&ext.as_str()) || format_of_ext(&ext).is_some() {
            end = base.len();
        } else {
            break;
        }
    }
    name[..end].to_string()
}

/// Reads up to [`SNIFF_BYTES`] leading bytes of the file, decompressing gzip or zstd first.
/// Read errors after the first bytes are ignored: whatever was decoded is looked at.
fn sniff_head(path: &Path) -> Result<(Vec<u8>, Vec<u8>), IoError> {
    let mut file = File::open(path).map_err(|e| IoError::io(path, e))?;
    let mut raw = Vec::with_capacity(SNIFF_BYTES);
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut raw)
        .map_err(|e| IoError::io(path, e))?;
    let mut decoded = Vec::new();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let f = File::open(path).map_err(|e| IoError::io(path, e))?;
        let dec = flate2::read::MultiGzDecoder::new(f.take(1 << 20));
        read_prefix(dec, &mut decoded);
    } else if raw.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let f = File::open(path).map_err(|e| IoError::io(path, e))?;
        if let Ok(dec) = zstd::stream::read::Decoder::new(f.take(1 << 20)) {
            read_prefix(dec, &mut decoded);
        }
    } else {
        decoded = raw.clone();
    }
    Ok((raw, decoded))
}

/// Reads up to [`SNIFF_BYTES`] from `r` into `out`, stopping quietly at the first error.
fn read_prefix(r: impl Read, out: &mut Vec<u8>) {
    let mut r = r.take(SNIFF_BYTES as u64);
    let mut buf = [0u8; 256];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
}

/// The format the first bytes say, if any. `strict_html` asks for an HTML-looking start
/// (`<!doctype html`, `<html`, ...) rather than any `<`, for files met in folders and globs.
fn format_from_head(raw: &[u8], decoded: &[u8], strict_html: bool) -> Option<InputFormat> {
    if raw.starts_with(b"PAR1") {
        return Some(InputFormat::Parquet);
    }
    let mut head = decoded;
    if let Some(rest) = head.strip_prefix(b"\xef\xbb\xbf") {
        head = rest;
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    if head.starts_with(b"WARC/") || head.starts_with(b"filedesc://") {
        return Some(InputFormat::Warc);
    }
    if head.starts_with(b"{") {
        return Some(InputFormat::Jsonl);
    }
    if head.starts_with(b"<") {
        if !strict_html {
            return Some(InputFormat::Html);
        }
        let lower = head.to_ascii_lowercase();
        let looks_html = [b"<!doctype html" as &[u8], b"<html", b"<head", b"<body"]
            .iter()
            .any(|tag| lower.windows(tag.len()).any(|w| w == *tag));
        if looks_html {
            return Some(InputFormat::Html);
        }
    }
    None
}

/// The format of a file: from its name, else from its first bytes.
fn detect_format(path: &Path, strict_html: bool) -> Result<Option<InputFormat>, IoError> {
    if let Some(f) = format_from_name(path) {
        return Ok(Some(f));
    }
    let (raw, decoded) = sniff_head(path)?;
    Ok(format_from_head(&raw, &decoded, strict_html))
}

/// How a file was reached, which decides what an unknown format means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Named on its own: unknown format is an error.
    Explicit,
    /// Found in a folder or by a glob: unknown files are skipped.
    Found,
}

/// Collects shards in discovery order.
#[derive(Default)]
struct Collector {
    /// Shards so far; HTML/text groups are filled in as members arrive.
    shards: Vec<Input>,
    /// Canonical paths seen, for de-duplication.
    seen: HashSet<PathBuf>,
    /// (canonical parent folder, format) → index into `shards` for HTML/text groups.
    groups: HashMap<(PathBuf, InputFormat), usize>,
}

impl Collector {
    /// Adds one file (already known to exist). Returns whether it was taken as an input.
    fn add_file(&mut self, path: &Path, origin: Origin) -> Result<bool, IoError> {
        let canonical = std::fs::canonicalize(path).map_err(|e| IoError::io(path, e))?;
        if self.seen.contains(&canonical) {
            return Ok(true);
        }
        let format = match detect_format(path, origin == Origin::Found)? {
            Some(f) => f,
            None if origin == Origin::Explicit => {
                return Err(IoError::Input(format!(
                    "{}: cannot tell the input format from the name or the first bytes \
                     (expected WARC/ARC/WET/WAT, JSONL, Parquet, HTML or text)",
                    path.display()
                )))
            }
            None => return Ok(false),
        };
        self.seen.insert(canonical.clone());
        match format {
            InputFormat::Html | InputFormat::Text => {
                let parent = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .to_path_buf();
                let canonical_parent = canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| parent.clone());
                let key = (canonical_parent, format);
                match self.groups.get(&key) {
                    Some(&i) => self.shards[i].members.push(path.to_path_buf()),
                    None => {
                        self.groups.insert(key, self.shards.len());
                        self.shards.push(Input {
                            path: parent,
                            format,
                            members: vec![path.to_path_buf()],
                            remote: None,
                        });
                    }
                }
            }
            _ => self.shards.push(Input {
                path: path.to_path_buf(),
                format,
                members: Vec::new(),
                remote: None,
            }),
        }
        Ok(true)
    }

    /// Adds every input file under a folder. Returns how many were taken.
    fn add_dir(&mut self, dir: &Path) -> Result<usize, IoError> {
        let mut files = Vec::new();
        let mut visited = HashSet::new();
        walk(dir, &mut files, &mut visited)?;
        files.sort();
        let mut taken = 0;
        for f in files {
            if self.add_file(&f, Origin::Found)? {
                taken += 1;
            }
        }
        Ok(taken)
    }

    /// Adds a path that may be a file or a folder; `origin` applies to a file.
    fn add_path(&mut self, path: &Path, origin: Origin) -> Result<usize, IoError> {
        let meta = std::fs::metadata(path).map_err(|e| IoError::io(path, e))?;
        if meta.is_dir() {
            self.add_dir(path)
        } else {
            Ok(usize::from(self.add_file(path, origin)?))
        }
    }

    /// Adds one specification.
    fn add_spec(&mut self, spec: &str, depth: usize) -> Result<(), IoError> {
        if let Some(list) = spec.strip_prefix('@') {
            return self.add_list(Path::new(list), spec, depth);
        }
        let path = Path::new(spec);
        if path.exists() {
            let n = self.add_path(path, Origin::Explicit)?;
            if n == 0 && path.is_dir() {
                return Err(IoError::Input(format!(
                    "{spec}: folder holds no input files (WARC/ARC/WET/WAT, JSONL, Parquet, HTML, text)"
                )));
            }
            return Ok(());
        }
        if spec.contains(['*', '?', '[']) {
            return self.add_glob(spec);
        }
        Err(IoError::Input(format!("{spec}: no such file or folder")))
    }

    /// Adds the matches of a glob, sorted.
    fn add_glob(&mut self, spec: &str) -> Result<(), IoError> {
        let paths =
            glob::glob(spec).map_err(|e| IoError::Input(format!("{spec}: bad pattern: {e}")))?;
        let mut matched = Vec::new();
        for p in paths {
            match p {
                Ok(p) => matched.push(p),
                Err(e) => {
                    let path = e.path().to_path_buf();
                    return Err(IoError::io(path, std::io::Error::from(e)));
                }
            }
        }
        if matched.is_empty() {
            return Err(IoError::Input(format!("{spec}: pattern matches nothing")));
        }
        matched.sort();
        let mut taken = 0;
        for p in matched {
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            taken += self.add_path(&p, Origin::Found)?;
        }
        if taken == 0 {
            return Err(IoError::Input(format!(
                "{spec}: pattern matches no input files (WARC/ARC/WET/WAT, JSONL, Parquet, HTML, text)"
            )));
        }
        Ok(())
    }

    /// Adds the entries of an `@FILE` list.
    fn add_list(&mut self, list: &Path, spec: &str, depth: usize) -> Result<(), IoError> {
        if depth >= MAX_LIST_DEPTH {
            return Err(IoError::Input(format!(
                "{spec}: file lists nested more than {MAX_LIST_DEPTH} deep"
            )));
        }
        let meta = std::fs::metadata(list).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => IoError::Input(format!("{spec}: no such file list")),
            _ => IoError::io(list, e),
        })?;
        if meta.len() > 64 << 20 {
            return Err(IoError::Input(format!(
                "{spec}: file list larger than 64 MiB"
            )));
        }
        let bytes = std::fs::read(list).map_err(|e| IoError::io(list, e))?;
        let text = String::from_utf8_lossy(&bytes);
        for line in text.lines() {
            let entry = line.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            self.add_spec(entry, depth + 1)?;
        }
        Ok(())
    }
}

/// Collects every regular file under `dir` (following links, skipping hidden entries and
/// folders already visited through another link).
fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    visited: &mut HashSet<PathBuf>,
) -> Result<(), IoError> {
    let canonical = std::fs::canonicalize(dir).map_err(|e| IoError::io(dir, e))?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| IoError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| IoError::io(dir, e))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Follows symbolic links; a dangling link is skipped like any unreadable oddity.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, files, visited)?;
        } else if meta.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// Replaces every character outside `[A-Za-z0-9._-]` with `_`; never empty, never hidden.
fn sanitise(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        s.push_str("input");
    }
    if s.starts_with('.') {
        s.insert(0, '_');
    }
    s
}

/// The base name of a shard, before sanitising and de-colliding.
fn base_name(input: &Input) -> String {
    match input.format {
        InputFormat::Html | InputFormat::Text => {
            let named = input
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            named
                .or_else(|| {
                    std::fs::canonicalize(&input.path)
                        .ok()
                        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                })
                .unwrap_or_else(|| "input".to_string())
        }
        _ => file_stem(&input.path),
    }
}

/// Gives every input a unique, file-name-safe name; collisions (compared case-insensitively,
/// for case-insensitive file systems) get `-2`, `-3`, … in discovery order.
fn name_shards(inputs: Vec<Input>) -> Vec<Shard> {
    let mut used: HashSet<String> = HashSet::new();
    let mut shards = Vec::with_capacity(inputs.len());
    for input in inputs {
        let base = sanitise(&base_name(&input));
        let mut name = base.clone();
        let mut n = 2u64;
        while !used.insert(name.to_ascii_lowercase()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        shards.push(Shard { name, input });
    }
    shards
}

/// Expands input specifications into shards, in a deterministic order.
///
/// See the [module documentation](self) for what a specification may be. Errors: a missing
/// path, a glob matching nothing, an explicitly named file of unknown format (all
/// [`IoError::Input`], naming the spec or file), or a folder that cannot be read
/// ([`IoError::Io`]).
pub fn discover(specs: &[String]) -> Result<Vec<Shard>, IoError> {
    discover_with(specs, None)
}

/// Like [`discover`], with URLs of object storage listed by `remote`. Remote objects of HTML or
/// text (one document per file) are refused: pack them into WARC or JSONL first.
pub fn discover_with(
    specs: &[String],
    remote: Option<&dyn RemoteLister>,
) -> Result<Vec<Shard>, IoError> {
    let mut c = Collector::default();
    for spec in specs {
        match remote {
            Some(r) if r.is_remote(spec) => add_remote(&mut c, spec, r)?,
            _ => c.add_spec(spec, 0)?,
        }
    }
    let mut inputs = c.shards;
    for input in &mut inputs {
        input.members.sort();
    }
    Ok(name_shards(inputs))
}

/// Adds the objects under a remote `spec`; objects of unknown format are skipped, as in a
/// folder, unless the spec names the object itself.
fn add_remote(c: &mut Collector, spec: &str, lister: &dyn RemoteLister) -> Result<(), IoError> {
    let mut objects = lister.list(spec).map_err(IoError::Input)?;
    // A folder's order: by path component, not by the bytes of the key ("a/x" before "a-b/x").
    objects.sort_by(|a, b| Path::new(&a.0).cmp(Path::new(&b.0)));
    let mut taken = 0;
    for (url, size) in objects {
        let path = PathBuf::from(&url);
        let explicit = url.trim_end_matches('/') == spec.trim_end_matches('/');
        // Hidden names at any depth below the prefix (as a folder walk skips hidden folders):
        // an earlier run's `.thresher/` state is not input.
        let below = url.strip_prefix(spec.trim_end_matches('/')).unwrap_or(&url);
        let hidden = below.split('/').any(|part| part.starts_with('.'));
        match format_from_name(&path) {
            Some(InputFormat::Html | InputFormat::Text) => {
                return Err(IoError::Input(format!(
                    "{url}: HTML and text files are read from local folders only; pack remote \
                     pages into WARC or JSONL"
                )))
            }
            Some(format) if !hidden || explicit => {
                if !c.seen.insert(path.clone()) {
                    continue;
                }
                c.shards.push(Input {
                    path,
                    format,
                    members: Vec::new(),
                    remote: Some(RemoteObject { size, local: None }),
                });
                taken += 1;
            }
            _ if explicit => {
                return Err(IoError::Input(format!(
                    "{url}: cannot tell the input format from the name (expected \
                     WARC/ARC/WET/WAT, JSONL or Parquet)"
                )))
            }
            _ => {}
        }
    }
    if taken == 0 {
        return Err(IoError::Input(format!(
            "{spec}: no input objects (WARC/ARC/WET/WAT, JSONL, Parquet) there"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_names() {
        let f = |s: &str| format_from_name(Path::new(s));
        assert_eq!(f("a.warc.gz"), Some(InputFormat::Warc));
        assert_eq!(f("a.WARC"), Some(InputFormat::Warc));
        assert_eq!(f("x.warc.wet.gz"), Some(InputFormat::Warc));
        assert_eq!(f("x.arc"), Some(InputFormat::Warc));
        assert_eq!(f("x.wat.zst"), Some(InputFormat::Warc));
        assert_eq!(f("d.jsonl.zst"), Some(InputFormat::Jsonl));
        assert_eq!(f("d.ndjson"), Some(InputFormat::Jsonl));
        assert_eq!(f("d.json.gz"), Some(InputFormat::Jsonl));
        assert_eq!(f("d.parquet"), Some(InputFormat::Parquet));
        assert_eq!(f("p.HTM"), Some(InputFormat::Html));
        assert_eq!(f("p.html.gz"), Some(InputFormat::Html));
        assert_eq!(f("p.txt"), Some(InputFormat::Text));
        assert_eq!(f("example-bad.warc.gz.bad"), None);
        assert_eq!(f("README"), None);
        assert_eq!(f(".gz"), None);
        assert_eq!(f("a.gz"), None);
    }

    #[test]
    fn stems() {
        let s = |p: &str| file_stem(Path::new(p));
        assert_eq!(s("dir/sample-0000.warc.gz"), "sample-0000");
        assert_eq!(s("whirlwind.warc.wet.gz"), "whirlwind");
        assert_eq!(s("page.html"), "page");
        assert_eq!(s("example-bad.warc.gz.bad"), "example-bad.warc.gz.bad");
        assert_eq!(s("data.v2.jsonl.zst"), "data.v2");
        assert_eq!(s(".warc"), ".warc");
    }

    #[test]
    fn sniffing() {
        let h = |b: &[u8]| format_from_head(b, b, false);
        assert_eq!(h(b"WARC/1.0\r\n"), Some(InputFormat::Warc));
        assert_eq!(h(b"\r\nfiledesc://x"), Some(InputFormat::Warc));
        assert_eq!(h(b"\xef\xbb\xbf {\"a\":1}"), Some(InputFormat::Jsonl));
        assert_eq!(h(b"PAR1...."), Some(InputFormat::Parquet));
        assert_eq!(h(b"<p>hi"), Some(InputFormat::Html));
        assert_eq!(format_from_head(b"<p>", b"<p>", true), None);
        assert_eq!(
            format_from_head(b"<!DOCTYPE HTML>", b"<!DOCTYPE HTML>", true),
            Some(InputFormat::Html)
        );
        assert_eq!(h(b"# readme"), None);
        assert_eq!(h(b""), None);
    }

    struct FakeBucket(Vec<(&'static str, u64)>);

    impl RemoteLister for FakeBucket {
        fn is_remote(&self, spec: &str) -> bool {
            spec.starts_with("s3://")
        }
        fn list(&self, spec: &str) -> Result<Vec<(String, u64)>, String> {
            Ok(self
                .0
                .iter()
                .filter(|(u, _)| u.starts_with(spec))
                .map(|(u, s)| (u.to_string(), *s))
                .collect())
        }
    }

    #[test]
    fn remote_objects_become_shards_in_folder_order() {
        let bucket = FakeBucket(vec![
            ("s3://b/in/a-b/x.warc.gz", 10),
            ("s3://b/in/a/x.warc.gz", 20),
            ("s3://b/in/a/README.md", 1),
            ("s3://b/in/a/.hidden.jsonl", 1),
            ("s3://b/in/out/.thresher/work/a.pass1.jsonl.zst", 1),
            ("s3://b/in/d.parquet", 30),
        ]);
        let shards = discover_with(&["s3://b/in".into()], Some(&bucket)).unwrap();
        let got: Vec<(&str, String, u64)> = shards
            .iter()
            .map(|s| {
                let r = s.input.remote.as_ref().unwrap();
                (s.name.as_str(), s.input.path.display().to_string(), r.size)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("x", "s3://b/in/a/x.warc.gz".to_string(), 20),
                ("x-2", "s3://b/in/a-b/x.warc.gz".to_string(), 10),
                ("d", "s3://b/in/d.parquet".to_string(), 30),
            ]
        );
        // Unfetched, a remote input cannot be read.
        assert!(shards[0].input.read_path().is_err());
        let empty = discover_with(&["s3://b/none".into()], Some(&bucket)).unwrap_err();
        assert!(empty.to_string().contains("s3://b/none"), "{empty}");
        let pages = FakeBucket(vec![("s3://b/p/x.html", 5)]);
        let err = discover_with(&["s3://b/p".into()], Some(&pages)).unwrap_err();
        assert!(err.to_string().contains("x.html"), "{err}");
    }

    #[test]
    fn sanitising() {
        assert_eq!(sanitise("a b/c:ü"), "a_b_c__");
        assert_eq!(sanitise(""), "input");
        assert_eq!(sanitise(".x"), "_.x");
    }
}
