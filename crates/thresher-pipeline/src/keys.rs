//! Key files: the corpus-wide step's key of every kept document of a shard, in order, written
//! by the first pass and read by the second.
//!
//! Layout: `THRKEYS1`, then per document a 16-byte little-endian key (0 = no key), a u32
//! id length and the id bytes, then `count: u64` and `THRKEND1`. The trailer makes a truncated
//! file an error instead of a silently shorter list.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const HEAD: &[u8; 8] = b"THRKEYS1";
const TAIL: &[u8; 8] = b"THRKEND1";

/// Streams keys to a temporary file; [`KeyWriter::finish`] renames it into place.
pub struct KeyWriter {
    tmp: PathBuf,
    path: PathBuf,
    out: Option<BufWriter<File>>,
    count: u64,
}

impl KeyWriter {
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let (tmp, file) = create_tmp(path)?;
        let mut out = BufWriter::new(file);
        out.write_all(HEAD)?;
        Ok(KeyWriter {
            tmp,
            path: path.to_path_buf(),
            out: Some(out),
            count: 0,
        })
    }

    pub fn push(&mut self, key: Option<u128>, id: &str) -> std::io::Result<()> {
        let out = self.out.as_mut().ok_or_else(closed)?;
        out.write_all(&key.unwrap_or(0).to_le_bytes())?;
        let id = id.as_bytes();
        let len = u32::try_from(id.len()).unwrap_or(u32::MAX);
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&id[..len as usize])?;
        self.count += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<u64> {
        let mut out = self.out.take().ok_or_else(closed)?;
        out.write_all(&self.count.to_le_bytes())?;
        out.write_all(TAIL)?;
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(self.count)
    }
}

impl Drop for KeyWriter {
    fn drop(&mut self) {
        if self.out.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn closed() -> std::io::Error {
    std::io::Error::other("key writer already finished")
}

/// A new temp file beside `path`. `create_new` with a counter and the time, not the pid alone:
/// two attempts at one shard may run in different containers that share the folder and
/// both have pid 1.
fn create_tmp(path: &Path) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_file_name(format!(".{name}.tmp-{}-{nanos:x}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads a whole key file, checking its framing. Errors name the file.
pub fn read_keys(path: &Path) -> Result<Vec<(Option<u128>, String)>, String> {
    let f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut r = BufReader::new(f);
    let bad = |what: &str| format!("{}: corrupt key file: {what}", path.display());
    let mut head = [0u8; 8];
    r.read_exact(&mut head).map_err(|_| bad("no header"))?;
    if &head != HEAD {
        return Err(bad("wrong header"));
    }
    let mut rest = Vec::new();
    r.read_to_end(&mut rest)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if rest.len() < 16 || &rest[rest.len() - 8..] != TAIL {
        return Err(bad("truncated (no trailer)"));
    }
    let body_end = rest.len() - 16;
    let mut count_bytes = [0u8; 8];
    count_bytes.copy_from_slice(&rest[body_end..body_end + 8]);
    let count = u64::from_le_bytes(count_bytes);
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < body_end {
        if body_end - pos < 20 {
            return Err(bad("truncated entry"));
        }
        let mut k = [0u8; 16];
        k.copy_from_slice(&rest[pos..pos + 16]);
        let mut l = [0u8; 4];
        l.copy_from_slice(&rest[pos + 16..pos + 20]);
        let len = u32::from_le_bytes(l) as usize;
        pos += 20;
        if body_end - pos < len {
            return Err(bad("truncated id"));
        }
        let id = String::from_utf8_lossy(&rest[pos..pos + len]).into_owned();
        pos += len;
        let key = u128::from_le_bytes(k);
        out.push(((key != 0).then_some(key), id));
    }
    if out.len() as u64 != count {
        return Err(bad("entry count does not match trailer"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.keys");
        let mut w = KeyWriter::create(&p).unwrap();
        w.push(Some(42), "doc-1").unwrap();
        w.push(None, "").unwrap();
        w.push(Some(u128::MAX), "dœc-3").unwrap();
        assert_eq!(w.finish().unwrap(), 3);
        let keys = read_keys(&p).unwrap();
        assert_eq!(
            keys,
            vec![
                (Some(42), "doc-1".to_string()),
                (None, String::new()),
                (Some(u128::MAX), "dœc-3".to_string())
            ]
        );
        let bytes = std::fs::read(&p).unwrap();
        for cut in [0, 5, 8, 20, bytes.len() - 1] {
            std::fs::write(&p, &bytes[..cut]).unwrap();
            assert!(read_keys(&p).is_err(), "cut at {cut} must be an error");
        }
    }
}
