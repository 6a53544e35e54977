//! Where data lives: a local path or an object-store URL.

use crate::StoreError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use url::Url;

/// URL schemes of the object stores thresher can open (`file://` becomes a local path).
///
/// These are the schemes object_store's own URL parser maps to S3, GCS and Azure; other
/// schemes (http, memory) are refused so that a typo is caught at parse time, not at the first
/// request.
pub const REMOTE_SCHEMES: &[&str] = &["s3", "s3a", "gs", "az", "azure", "adl", "abfs", "abfss"];

/// A place that holds inputs or outputs: a local path or an object-store URL.
///
/// Parsed from what a user types: anything with a `scheme://` is a URL, everything else a path.
/// `file://` URLs are turned into local paths, so local data has exactly one representation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A path on the local filesystem (as given; not made absolute).
    Local(PathBuf),
    /// An object-store URL: `s3://bucket/prefix`, `gs://bucket/prefix`,
    /// `az://container/prefix`, `abfs[s]://container@account.dfs.core.windows.net/prefix`…
    Remote(Url),
}

impl Location {
    /// Parses a local path, a `file://` URL or an object-store URL.
    ///
    /// A URL must name a bucket (or container) and use one of [`REMOTE_SCHEMES`] or `file`.
    pub fn parse(input: &str) -> Result<Location, StoreError> {
        let invalid = |reason: String| StoreError::InvalidLocation {
            input: input.to_string(),
            reason,
        };
        if input.is_empty() {
            return Err(invalid("empty location".into()));
        }
        // Only `scheme://` marks a URL: a Windows path such as `C:\data` or a relative path with
        // a colon in a file name stays a path.
        let Some((scheme, _)) = input.split_once("://") else {
            return Ok(Location::Local(PathBuf::from(input)));
        };
        let scheme_ok = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !scheme_ok {
            return Ok(Location::Local(PathBuf::from(input)));
        }
        let url = Url::parse(input).map_err(|e| invalid(e.to_string()))?;
        let scheme = url.scheme();
        if scheme == "file" {
            if url
                .host_str()
                .is_some_and(|h| !h.is_empty() && h != "localhost")
            {
                return Err(invalid("a file:// URL cannot name a remote host".into()));
            }
            let path = url
                .to_file_path()
                .map_err(|()| invalid("not an absolute file path".into()))?;
            return Ok(Location::Local(path));
        }
        if !REMOTE_SCHEMES.contains(&scheme) {
            return Err(invalid(format!(
                "unsupported scheme {scheme:?} (expected a local path, file://, or one of {})",
                REMOTE_SCHEMES.join(", ")
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the URL names no bucket or container".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            // object_store would silently ignore them; a `?` or `#` in a key must be
            // percent-encoded instead.
            return Err(invalid(
                "query strings and fragments are not allowed (percent-encode `?` and `#`)".into(),
            ));
        }
        Ok(Location::Remote(url))
    }

    /// True for object-store URLs, false for local paths.
    pub fn is_remote(&self) -> bool {
        matches!(self, Location::Remote(_))
    }

    /// The local path, if this is one.
    pub fn as_local(&self) -> Option<&Path> {
        match self {
            Location::Local(path) => Some(path),
            Location::Remote(_) => None,
        }
    }

    /// The object-store URL, if this is one.
    pub fn as_url(&self) -> Option<&Url> {
        match self {
            Location::Local(_) => None,
            Location::Remote(url) => Some(url),
        }
    }

    /// The location of `name` inside this one: a child path, or the URL with `name` appended
    /// as one or more `/`-separated segments (each percent-encoded as needed).
    ///
    /// Empty segments in `name` (leading, trailing or doubled `/`) are dropped, since object
    /// stores have no empty path parts.
    pub fn join(&self, name: &str) -> Location {
        match self {
            Location::Local(path) => Location::Local(path.join(name)),
            Location::Remote(url) => {
                let mut url = url.clone();
                {
                    // Remote URLs always have a host, so they can be a base: `path_segments_mut`
                    // cannot fail here.
                    let mut segments = url
                        .path_segments_mut()
                        .expect("object-store URLs have a host");
                    segments.pop_if_empty();
                    segments.extend(name.split('/').filter(|s| !s.is_empty()));
                }
                Location::Remote(url)
            }
        }
    }
}

impl fmt::Display for Location {
    /// A local path as given (lossily, if not UTF-8), a URL in its normalised, percent-encoded
    /// form (which [`Location::parse`] reads back to the same location).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(path) => write!(f, "{}", path.display()),
            Location::Remote(url) => f.write_str(url.as_str()),
        }
    }
}

impl FromStr for Location {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Location::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(s: &str) -> Url {
        match Location::parse(s).unwrap() {
            Location::Remote(url) => url,
            other => panic!("{s} parsed as {other:?}"),
        }
    }

    #[test]
    fn plain_paths_are_local() {
        for p in [
            "data/x.warc.gz",
            "/abs/path",
            "./rel",
            "C:\\data\\x",
            "a:b/c",
            "s3:/x",
        ] {
            let loc = Location::parse(p).unwrap();
            assert_eq!(loc, Location::Local(PathBuf::from(p)), "{p}");
            assert!(!loc.is_remote());
            assert_eq!(loc.to_string(), p);
        }
    }

    #[test]
    fn file_urls_become_paths() {
        let loc = Location::parse("file:///tmp/some%20dir/x").unwrap();
        assert_eq!(loc, Location::Local(PathBuf::from("/tmp/some dir/x")));
        assert!(!loc.is_remote());
        assert!(Location::parse("file://localhost/tmp")
            .unwrap()
            .as_local()
            .is_some());
        assert!(Location::parse("file://otherhost/tmp").is_err());
    }

    #[test]
    fn object_urls() {
        for s in [
            "s3://bucket",
            "s3://bucket/prefix/",
            "s3a://bucket/a/b",
            "gs://bucket/x",
            "az://container/x",
            "abfs://container@account.dfs.core.windows.net/x",
            "abfss://container@account.dfs.core.windows.net/x",
        ] {
            let loc = Location::parse(s).unwrap();
            assert!(loc.is_remote(), "{s}");
            assert_eq!(loc.to_string(), s);
            // Display reads back to the same location.
            assert_eq!(Location::parse(&loc.to_string()).unwrap(), loc);
        }
        assert_eq!(remote("s3://bucket/p").host_str(), Some("bucket"));
    }

    #[test]
    fn bad_urls_are_refused_with_the_input_named() {
        for s in [
            "",
            "s3://",
            "s3:///key",
            "http://example.com/x",
            "memory:///x",
            "ftp://host/x",
            "s3://bucket/key?versionId=3",
            "s3://bucket/key#frag",
        ] {
            let err = Location::parse(s).unwrap_err();
            assert!(matches!(err, StoreError::InvalidLocation { .. }), "{s}");
            assert!(err.to_string().contains(&format!("{s:?}")), "{err}");
        }
    }

    #[test]
    fn join_appends_segments() {
        let base = Location::parse("s3://bucket/prefix").unwrap();
        assert_eq!(
            base.join("a.jsonl").to_string(),
            "s3://bucket/prefix/a.jsonl"
        );
        let slash = Location::parse("s3://bucket/prefix/").unwrap();
        assert_eq!(slash.join("a/b").to_string(), "s3://bucket/prefix/a/b");
        let root = Location::parse("gs://bucket").unwrap();
        assert_eq!(root.join("x").to_string(), "gs://bucket/x");
        assert_eq!(root.join("/x//y/").to_string(), "gs://bucket/x/y");
        // Spaces and non-ASCII are percent-encoded, and decode back through parse.
        let odd = base.join("año 1.txt");
        assert_eq!(odd.to_string(), "s3://bucket/prefix/a%C3%B1o%201.txt");
        assert_eq!(Location::parse(&odd.to_string()).unwrap(), odd);

        let local = Location::parse("out").unwrap();
        assert_eq!(
            local.join("x.txt"),
            Location::Local(PathBuf::from("out/x.txt"))
        );
    }

    #[test]
    fn from_str_matches_parse() {
        let loc: Location = "gs://b/p".parse().unwrap();
        assert_eq!(loc, Location::parse("gs://b/p").unwrap());
        assert_eq!(loc.as_url().unwrap().path(), "/p");
        assert!(loc.as_local().is_none());
    }
}
